// SPDX-License-Identifier: GPL-2.0
/*
 * Systematic fault injection (syzkaller's fail-nth method) on every kind of
 * ipcdev operation: for n = 1, 2, ... the n-th failable site (slab and page
 * allocation, user copy) the operation reaches fails, until it completes
 * without reaching n.  Each outcome must be success or an errno the
 * operation documents (ipcdev(4)), and a failed operation must change
 * nothing: no message lost, duplicated or torn, /proc/ipcdev/stats and the
 * object's STAT as before, the object still usable; after each round every
 * object is gone again (stats, descriptors) and the quotas give back
 * exactly what they gave.  Each test prints its kind's figures:
 *
 *   # fault queue-put-large: 41 sites injected; ok=3 ENOMEM=20 EFAULT=18
 *
 * Runs only where /proc/thread-self/fail-nth exists (the faults kernel
 * lane runs ipcfault*_test); run as root with the module loaded and
 * debugfs mounted.  Conventions: ipcdev_test.h; helpers: ipcfault.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include <linux/capability.h>
#include <linux/ipcdev.h>

#include "ipcdev_test.h"
#include "ipcfault.h"

/* See ipcqueue_test.c: harness artefacts under -Wextra. */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"

/*
 * The harness ends each test's process with _exit(), which drops what
 * stdout still buffers when it is a pipe (guest-check): line-buffer it, so
 * that every "# fault ...: N sites injected" summary reaches the log.
 */
static void __attribute__((constructor)) fi_stdout_line_buffered(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
}

#define DEV_Q	"/dev/ipcqueue"
#define DEV_P	"/dev/ipcpipe"
#define DEV_S	"/dev/ipcshm"
#define DEV_E	"/dev/ipcevent"

#define SMALL	100
#define LARGE	(80 * 1024)	/* > 64 KiB: a message built of pages */
#define SHMSZ	(3 * 4096)
#define MAX_N	4000		/* no operation has that many sites */

/* One round's state: the objects an operation works on. */
struct fi_ctx {
	int fd[3];			/* handles; -1 when none */
	int extra;			/* a handle the operation made */
	int aux[2];			/* a pipe(2), an epoll fd... */
	char name[64];
	unsigned char *a, *b, *r;	/* messages A and B, a receive buffer */
	size_t alen, blen, rlen;
	void *map;
	size_t maplen;
	pthread_t thr;
	bool thr_on;
	volatile int thr_ret;		/* the helper thread's result */
	volatile int op_done;
	__u64 seq0;
	struct ipcdev_msgvec vec;	/* a batch's vector, after the call */
	struct ipcdev_msg el[4];	/* its elements */
	unsigned char *v[4];		/* a batch get's buffers */
	char why[256];
};

/*
 * A kind: @setup builds the round's objects (no fault armed), @op is the
 * operation under injection (0 or positive: success, else -errno), @check
 * judges the result (0, or 1 with ctx->why set), @teardown frees what
 * @setup and @op made.  @errs: the errnos @op may fail with (0-ended).
 */
struct fi_kind {
	const char *name;
	int (*setup)(struct fi_ctx *c);
	int (*op)(struct fi_ctx *c);
	int (*check)(struct fi_ctx *c, int ret);
	void (*teardown)(struct fi_ctx *c);
	int errs[6];
};

#define WHY(c, ...) (snprintf((c)->why, sizeof((c)->why), __VA_ARGS__), 1)

/* ------------------------------------------------------------------ */
/* Object helpers                                                     */
/* ------------------------------------------------------------------ */

static int q_new(const char *name, __u32 flags)
{
	struct ipcdev_queue_open o = { .name = name ? ptr(name) : 0,
				       .flags = flags, .mode = 0600 };

	return dev_open_bind(DEV_Q, O_RDWR, IPCDEV_IOC_QUEUE_OPEN, &o);
}

static int q_put(int fd, const void *buf, size_t len)
{
	struct ipcdev_msg m = { .buf = ptr(buf), .len = len,
				.flags = IPCDEV_WAIT_NONBLOCK };

	return ioc(fd, IPCDEV_IOC_QUEUE_PUT, &m);
}

/* Get into @buf of @size with @flags/@deadline: 0 (*len set) or -errno. */
static int q_get_w(int fd, void *buf, size_t size, size_t *len, __u32 flags,
		   __u64 deadline)
{
	struct ipcdev_msg m = { .buf = ptr(buf), .len = size, .flags = flags,
				.deadline_ns = deadline };
	int r = ioc(fd, IPCDEV_IOC_QUEUE_GET, &m);

	if (!r && len)
		*len = m.len;
	return r;
}

static int q_get(int fd, void *buf, size_t size, size_t *len)
{
	return q_get_w(fd, buf, size, len, IPCDEV_WAIT_NONBLOCK, 0);
}

static int q_count(int fd, __u64 *count, __u64 *bytes)
{
	struct ipcdev_queue_stat st;
	int r = stat_ioc(fd, IPCDEV_IOC_QUEUE_STAT, &st, sizeof(st));

	*count = st.count;
	*bytes = st.bytes;
	return r;
}

/* Anonymous pipe: fd[0] end 0, fd[1] end 1, duplex. */
static int p_new(int *e0, int *e1)
{
	struct ipcdev_pipe_open o = { .flags = IPCDEV_PIPE_DUPLEX };
	int fd = dev_open_bind(DEV_P, O_RDWR, IPCDEV_IOC_PIPE_OPEN, &o);

	if (fd < 0)
		return fd;
	*e0 = fd;
	*e1 = o.fd;
	return 0;
}

static int p_send(int fd, const void *buf, size_t len)
{
	struct ipcdev_msg m = { .buf = ptr(buf), .len = len,
				.flags = IPCDEV_WAIT_NONBLOCK };

	return ioc(fd, IPCDEV_IOC_PIPE_SEND, &m);
}

static int p_recv(int fd, void *buf, size_t size, size_t *len)
{
	struct ipcdev_msg m = { .buf = ptr(buf), .len = size,
				.flags = IPCDEV_WAIT_NONBLOCK };
	int r = ioc(fd, IPCDEV_IOC_PIPE_RECV, &m);

	if (!r && len)
		*len = m.len;
	return r;
}

static int p_in(int fd, __u64 *count, __u64 *bytes)
{
	struct ipcdev_pipe_stat st;
	int r = stat_ioc(fd, IPCDEV_IOC_PIPE_STAT, &st, sizeof(st));

	*count = st.in_count;
	*bytes = st.in_bytes;
	return r;
}

static int s_new(const char *name, __u32 flags, size_t size)
{
	struct ipcdev_shm_open o = { .name = name ? ptr(name) : 0,
				     .flags = flags, .mode = 0600,
				     .size = size };

	return dev_open_bind(DEV_S, O_RDWR, IPCDEV_IOC_SHM_OPEN, &o);
}

static int s_stat(int fd, struct ipcdev_shm_stat *st)
{
	return stat_ioc(fd, IPCDEV_IOC_SHM_STAT, st, sizeof(*st));
}

static int e_new(const char *name, __u32 flags)
{
	struct ipcdev_event_open o = { .name = name ? ptr(name) : 0,
				       .flags = flags, .mode = 0600 };

	return dev_open_bind(DEV_E, O_RDWR, IPCDEV_IOC_EVENT_OPEN, &o);
}

static int e_stat(int fd, struct ipcdev_event_stat *st)
{
	return stat_ioc(fd, IPCDEV_IOC_EVENT_STAT, st, sizeof(*st));
}

/* The lowest free descriptor: a leaked one shows as a higher value. */
static int lowest_fd(void)
{
	int fd = dup(0);

	if (fd >= 0)
		close(fd);
	return fd;
}

/* The five counters of /proc/ipcdev/stats. */
struct fi_stats {
	long long v[5];
};

static const char *const stat_keys[5] = {
	"objects", "named", "bytes", "handles", "spare",
};

static void stats_read(struct fi_stats *s)
{
	for (int i = 0; i < 5; i++)
		s->v[i] = read_proc_stat(stat_keys[i]);
}

/*
 * 0 if equal, else 1 with @why saying which counter moved.  With
 * @cache, the spare counter may differ: a failed put may leave the memory
 * of its message as the channel's spare (ipcdev(4): the memory kept to
 * carry the next message, bounded by spare_max); it is freed with the
 * channel, which the end of each round checks.
 */
static int stats_diff(const struct fi_stats *x, const struct fi_stats *y,
		      bool cache, const char *when, char *why, size_t size)
{
	for (int i = 0; i < 5; i++)
		if (x->v[i] != y->v[i] && !(cache && i == 4)) {
			snprintf(why, size, "%s: stats %s %lld -> %lld", when,
				 stat_keys[i], x->v[i], y->v[i]);
			return 1;
		}
	return 0;
}

static void ctx_init(struct fi_ctx *c)
{
	memset(c, 0, sizeof(*c));
	c->fd[0] = c->fd[1] = c->fd[2] = c->extra = -1;
	c->aux[0] = c->aux[1] = -1;
	snprintf(c->name, sizeof(c->name), "fault-%d", getpid());
	c->alen = SMALL;
	c->blen = SMALL;
	c->rlen = LARGE + 4096;
	c->a = malloc(LARGE);
	c->b = malloc(LARGE);
	c->r = malloc(c->rlen);
	fill(c->a, LARGE, 1);
	fill(c->b, LARGE, 2);
	memset(c->r, 0, c->rlen);	/* touched: no page fault under test */
	for (int i = 0; i < 4; i++) {
		c->v[i] = malloc(c->rlen);
		memset(c->v[i], 0, c->rlen);
	}
}

static void ctx_close(struct fi_ctx *c)
{
	for (int i = 0; i < 3; i++)
		if (c->fd[i] >= 0)
			close(c->fd[i]);
	if (c->extra >= 0)
		close(c->extra);
	for (int i = 0; i < 2; i++)
		if (c->aux[i] >= 0)
			close(c->aux[i]);
	c->fd[0] = c->fd[1] = c->fd[2] = c->extra = -1;
	c->aux[0] = c->aux[1] = -1;
	if (c->map) {
		munmap(c->map, c->maplen);
		c->map = NULL;
	}
}

static void ctx_free(struct fi_ctx *c)
{
	free(c->a);
	free(c->b);
	free(c->r);
	for (int i = 0; i < 4; i++)
		free(c->v[i]);
}

/*
 * Drain a queue (or pipe end, @pipe) and compare with the expected
 * messages: @n of them, seeds in @seeds, lengths in @lens.
 */
static int drain_expect(struct fi_ctx *c, int fd, bool pipe, int n,
			const unsigned int *seeds, const size_t *lens)
{
	size_t len = 0;
	int r, i;

	for (i = 0; i < n; i++) {
		memset(c->r, 0, c->rlen);
		r = pipe ? p_recv(fd, c->r, c->rlen, &len)
			 : q_get(fd, c->r, c->rlen, &len);
		if (r)
			return WHY(c, "drain: message %d: %s", i, strerror(-r));
		if (len != lens[i] || !check_fill(c->r, len, seeds[i]))
			return WHY(c, "drain: message %d: %zu bytes, want %zu (seed %u)%s",
				   i, len, lens[i], seeds[i],
				   len == lens[i] ? ", torn" : "");
	}
	r = pipe ? p_recv(fd, c->r, c->rlen, &len)
		 : q_get(fd, c->r, c->rlen, &len);
	if (r != -EAGAIN)
		return WHY(c, "drain: a message too many (%d, %zu bytes)", r,
			   r ? 0 : len);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Create and open by name                                            */
/* ------------------------------------------------------------------ */

static int setup_none(struct fi_ctx *c)
{
	return 0;
}

static void teardown_all(struct fi_ctx *c)
{
	ctx_close(c);
	dev_unlink(DEV_Q, c->name);
	dev_unlink(DEV_P, c->name);
	dev_unlink(DEV_S, c->name);
	dev_unlink(DEV_E, c->name);
}

static int op_q_create(struct fi_ctx *c)
{
	c->extra = q_new(NULL, 0);
	return c->extra < 0 ? c->extra : 0;
}

static int op_q_create_named(struct fi_ctx *c)
{
	c->extra = q_new(c->name, IPCDEV_CREAT | IPCDEV_EXCL);
	return c->extra < 0 ? c->extra : 0;
}

/* A queue handle works: a put and a get of one message. */
static int q_usable(struct fi_ctx *c, int fd)
{
	size_t len = 0;
	int r = q_put(fd, c->a, SMALL);

	if (r)
		return WHY(c, "put after: %s", strerror(-r));
	r = q_get(fd, c->r, c->rlen, &len);
	if (r || len != SMALL || !check_fill(c->r, SMALL, 1))
		return WHY(c, "get after: %d, %zu bytes", r, len);
	return 0;
}

static int check_q_create(struct fi_ctx *c, int ret)
{
	if (ret)
		return c->extra >= 0 ? WHY(c, "a descriptor on failure") : 0;
	return q_usable(c, c->extra);
}

static int check_q_create_named(struct fi_ctx *c, int ret)
{
	int fd;

	if (ret) {
		fd = q_new(c->name, 0);
		if (fd >= 0) {
			close(fd);
			return WHY(c, "the name exists after a failed create");
		}
		if (fd != -ENOENT)
			return WHY(c, "attach after: %s", strerror(-fd));
		return 0;
	}
	fd = q_new(c->name, 0);
	if (fd < 0)
		return WHY(c, "attach after create: %s", strerror(-fd));
	close(fd);
	return q_usable(c, c->extra);
}

/* A named queue holding A: attach by name under injection. */
static int setup_q_named_a(struct fi_ctx *c)
{
	c->fd[0] = q_new(c->name, IPCDEV_CREAT | IPCDEV_EXCL);
	if (c->fd[0] < 0)
		return c->fd[0];
	return q_put(c->fd[0], c->a, SMALL);
}

static int op_q_attach(struct fi_ctx *c)
{
	c->extra = q_new(c->name, 0);
	return c->extra < 0 ? c->extra : 0;
}

static int check_q_attach(struct fi_ctx *c, int ret)
{
	static const unsigned int seeds[] = { 1 };
	static const size_t lens[] = { SMALL };

	if (ret)
		return drain_expect(c, c->fd[0], false, 1, seeds, lens);
	/* The new handle is the same queue: it holds A. */
	return drain_expect(c, c->extra, false, 1, seeds, lens);
}

static int op_p_create(struct fi_ctx *c)
{
	struct ipcdev_pipe_open o = { .flags = IPCDEV_PIPE_DUPLEX, .fd = -7 };

	c->extra = dev_open_bind(DEV_P, O_RDWR, IPCDEV_IOC_PIPE_OPEN, &o);
	if (c->extra < 0)
		return c->extra;
	c->fd[1] = o.fd;
	return 0;
}

static int check_p_create(struct fi_ctx *c, int ret)
{
	size_t len = 0;
	int r;

	if (ret)
		return 0;	/* descriptors: checked by the round */
	r = p_send(c->fd[1], c->a, SMALL);
	if (r)
		return WHY(c, "send after: %s", strerror(-r));
	r = p_recv(c->extra, c->r, c->rlen, &len);
	if (r || len != SMALL || !check_fill(c->r, SMALL, 1))
		return WHY(c, "recv after: %d", r);
	return 0;
}

static int op_p_create_named(struct fi_ctx *c)
{
	struct ipcdev_pipe_open o = { .name = ptr(c->name), .mode = 0600,
				      .flags = IPCDEV_CREAT | IPCDEV_EXCL };

	c->extra = dev_open_bind(DEV_P, O_RDWR, IPCDEV_IOC_PIPE_OPEN, &o);
	return c->extra < 0 ? c->extra : 0;
}

/* The name exists exactly when the create succeeded. */
static int check_named(struct fi_ctx *c, int ret, const char *dev)
{
	int r = dev_unlink(dev, c->name);

	if (ret && r != -ENOENT)
		return WHY(c, "failed create, unlink: %d", r);
	if (!ret && r)
		return WHY(c, "created, unlink: %s", strerror(-r));
	return 0;
}

static int check_p_create_named(struct fi_ctx *c, int ret)
{
	return check_named(c, ret, DEV_P);
}

static int op_s_create(struct fi_ctx *c)
{
	c->extra = s_new(NULL, 0, SHMSZ);
	return c->extra < 0 ? c->extra : 0;
}

static int op_s_create_named(struct fi_ctx *c)
{
	c->extra = s_new(c->name, IPCDEV_CREAT | IPCDEV_EXCL, SHMSZ);
	return c->extra < 0 ? c->extra : 0;
}

static int check_s_create(struct fi_ctx *c, int ret)
{
	struct ipcdev_shm_stat st;
	int r;

	if (ret)
		return 0;
	r = s_stat(c->extra, &st);
	if (r || st.size != SHMSZ)
		return WHY(c, "stat after: %d, size %llu", r,
			   (unsigned long long)st.size);
	r = pwrite(c->extra, c->a, SMALL, 0) == SMALL ? 0 : -errno;
	if (r)
		return WHY(c, "pwrite after: %s", strerror(-r));
	return 0;
}

static int check_s_create_named(struct fi_ctx *c, int ret)
{
	return check_s_create(c, ret) || check_named(c, ret, DEV_S);
}

static int op_e_create(struct fi_ctx *c)
{
	c->extra = e_new(NULL, 0);
	return c->extra < 0 ? c->extra : 0;
}

static int op_e_create_named(struct fi_ctx *c)
{
	c->extra = e_new(c->name, IPCDEV_CREAT | IPCDEV_EXCL);
	return c->extra < 0 ? c->extra : 0;
}

static int check_e_create(struct fi_ctx *c, int ret)
{
	struct ipcdev_event_stat st;
	int r;

	if (ret)
		return 0;
	r = ioc(c->extra, IPCDEV_IOC_EVENT_SET, NULL);
	if (!r)
		r = e_stat(c->extra, &st);
	if (r || st.set != 1)
		return WHY(c, "set after: %d", r);
	return 0;
}

static int check_e_create_named(struct fi_ctx *c, int ret)
{
	return check_e_create(c, ret) || check_named(c, ret, DEV_E);
}

/* ------------------------------------------------------------------ */
/* Messages: put/get, send/recv, small and large                      */
/* ------------------------------------------------------------------ */

/* A queue (fd[0]) holding B; the operation puts A. */
static int setup_q_b(struct fi_ctx *c)
{
	c->fd[0] = q_new(NULL, 0);
	if (c->fd[0] < 0)
		return c->fd[0];
	return q_put(c->fd[0], c->b, SMALL);
}

static int op_q_put_small(struct fi_ctx *c)
{
	c->alen = SMALL;
	return q_put(c->fd[0], c->a, SMALL);
}

static int op_q_put_large(struct fi_ctx *c)
{
	c->alen = LARGE;
	return q_put(c->fd[0], c->a, LARGE);
}

static int check_q_put(struct fi_ctx *c, int ret)
{
	const unsigned int seeds[] = { 2, 1 };
	const size_t lens[] = { SMALL, c->alen };
	__u64 n, bytes;

	if (q_count(c->fd[0], &n, &bytes))
		return WHY(c, "stat");
	if (n != (ret ? 1 : 2) || bytes != SMALL + (ret ? 0 : c->alen))
		return WHY(c, "count %llu bytes %llu after put: %d",
			   (unsigned long long)n, (unsigned long long)bytes,
			   ret);
	return drain_expect(c, c->fd[0], false, ret ? 1 : 2, seeds, lens);
}

/*
 * A full queue (maxsize 1, holding B); the operation writes A with
 * RWF_NOWAIT, io_uring's inline attempt.  It must get EAGAIN before it
 * builds anything: no allocation to fail, so no injected ENOMEM (only
 * pwritev2()'s own copy of the iovec may fail, EFAULT), and io_uring's
 * retries of a full channel cost no copy.
 */
static int setup_q_full(struct fi_ctx *c)
{
	struct ipcdev_queue_open o = { .maxsize = 1, .mode = 0600 };

	c->fd[0] = dev_open_bind(DEV_Q, O_RDWR, IPCDEV_IOC_QUEUE_OPEN, &o);
	if (c->fd[0] < 0)
		return c->fd[0];
	return q_put(c->fd[0], c->b, SMALL);
}

static int op_q_write_nowait_full(struct fi_ctx *c)
{
	struct iovec iov = { .iov_base = c->a, .iov_len = SMALL };

	/* EAGAIN is the outcome sought (0); a write that went in, 1. */
	if (pwritev2(c->fd[0], &iov, 1, -1, RWF_NOWAIT) >= 0)
		return 1;
	return errno == EAGAIN ? 0 : -errno;
}

static int check_q_write_nowait_full(struct fi_ctx *c, int ret)
{
	const unsigned int seeds[] = { 2 };
	const size_t lens[] = { SMALL };

	if (ret > 0)
		return WHY(c, "RWF_NOWAIT write to a full queue went in");
	if (ret < 0)	/* only the copy of the iovec may fail (EFAULT) */
		return 0;
	return drain_expect(c, c->fd[0], false, 1, seeds, lens);
}

/* A queue holding A (small or large), then B; the operation gets one. */
static int setup_q_ab_small(struct fi_ctx *c)
{
	c->alen = SMALL;
	c->fd[0] = q_new(NULL, 0);
	if (c->fd[0] < 0)
		return c->fd[0];
	return q_put(c->fd[0], c->a, c->alen) ?: q_put(c->fd[0], c->b, SMALL);
}

static int setup_q_ab_large(struct fi_ctx *c)
{
	c->alen = LARGE;
	c->fd[0] = q_new(NULL, 0);
	if (c->fd[0] < 0)
		return c->fd[0];
	return q_put(c->fd[0], c->a, c->alen) ?: q_put(c->fd[0], c->b, SMALL);
}

static int op_q_get(struct fi_ctx *c)
{
	size_t len = 0;
	int r = q_get(c->fd[0], c->r, c->rlen, &len);

	return r ?: (int)len;
}

static int check_got_a(struct fi_ctx *c, int ret)
{
	if (ret != (int)c->alen || !check_fill(c->r, c->alen, 1))
		return WHY(c, "got %d bytes, want %zu%s", ret, c->alen,
			   ret == (int)c->alen ? ", torn" : "");
	return 0;
}

static int check_q_get(struct fi_ctx *c, int ret)
{
	const unsigned int seeds[] = { 1, 2 };
	const size_t lens[] = { c->alen, SMALL };

	if (ret < 0)
		return drain_expect(c, c->fd[0], false, 2, seeds, lens);
	return check_got_a(c, ret) ||
	       drain_expect(c, c->fd[0], false, 1, seeds + 1, lens + 1);
}

/* A duplex pipe: end 0 (fd[0]) holds B from end 1 (fd[1]). */
static int setup_p_b(struct fi_ctx *c)
{
	int r = p_new(&c->fd[0], &c->fd[1]);

	return r ?: p_send(c->fd[1], c->b, SMALL);
}

static int op_p_send_small(struct fi_ctx *c)
{
	c->alen = SMALL;
	return p_send(c->fd[1], c->a, SMALL);
}

static int op_p_send_large(struct fi_ctx *c)
{
	c->alen = LARGE;
	return p_send(c->fd[1], c->a, LARGE);
}

static int check_p_send(struct fi_ctx *c, int ret)
{
	const unsigned int seeds[] = { 2, 1 };
	const size_t lens[] = { SMALL, c->alen };
	__u64 n, bytes;

	if (p_in(c->fd[0], &n, &bytes))
		return WHY(c, "stat");
	if (n != (ret ? 1 : 2) || bytes != SMALL + (ret ? 0 : c->alen))
		return WHY(c, "in_count %llu in_bytes %llu after send: %d",
			   (unsigned long long)n, (unsigned long long)bytes,
			   ret);
	return drain_expect(c, c->fd[0], true, ret ? 1 : 2, seeds, lens);
}

static int setup_p_ab(struct fi_ctx *c, size_t alen)
{
	int r = p_new(&c->fd[0], &c->fd[1]);

	c->alen = alen;
	return r ?: p_send(c->fd[1], c->a, alen) ?: p_send(c->fd[1], c->b, SMALL);
}

static int setup_p_ab_small(struct fi_ctx *c)
{
	return setup_p_ab(c, SMALL);
}

static int setup_p_ab_large(struct fi_ctx *c)
{
	return setup_p_ab(c, LARGE);
}

static int op_p_recv(struct fi_ctx *c)
{
	size_t len = 0;
	int r = p_recv(c->fd[0], c->r, c->rlen, &len);

	return r ?: (int)len;
}

/* read(2) of a pipe end: the same path through the read method. */
static int op_p_read(struct fi_ctx *c)
{
	ssize_t n = read(c->fd[0], c->r, c->rlen);

	return n < 0 ? -errno : (int)n;
}

static int check_p_recv(struct fi_ctx *c, int ret)
{
	const unsigned int seeds[] = { 1, 2 };
	const size_t lens[] = { c->alen, SMALL };

	if (ret < 0)
		return drain_expect(c, c->fd[0], true, 2, seeds, lens);
	return check_got_a(c, ret) ||
	       drain_expect(c, c->fd[0], true, 1, seeds + 1, lens + 1);
}

/* ------------------------------------------------------------------ */
/* Batches: PUT_MANY/GET_MANY, SEND_MANY/RECV_MANY                    */
/* ------------------------------------------------------------------ */

/*
 * A batch's three messages, in order: A small, A large (built of pages),
 * B small; seeds and lengths.  Put behind B (the puts), or queued alone
 * (the gets).
 */
#define NBATCH	3
static const unsigned int batch_seeds[NBATCH] = { 1, 1, 2 };
static const size_t batch_lens[NBATCH] = { SMALL, LARGE, SMALL };

static int batch_ioc(struct fi_ctx *c, int fd, unsigned long cmd, int n,
		     bool get)
{
	int r;

	for (int i = 0; i < n; i++) {
		c->el[i] = (struct ipcdev_msg){ 0 };
		if (get) {
			memset(c->v[i], 0, c->rlen);
			c->el[i].buf = ptr(c->v[i]);
			c->el[i].len = c->rlen;
		} else {
			c->el[i].buf = ptr(batch_seeds[i] == 1 ? c->a : c->b);
			c->el[i].len = batch_lens[i];
		}
	}
	/* done and error: not what the call leaves, if it writes them. */
	c->vec = (struct ipcdev_msgvec){ .msgs = ptr(c->el), .count = n,
					 .flags = IPCDEV_WAIT_NONBLOCK,
					 .done = 99, .error = -99 };
	r = ioctl(fd, cmd, &c->vec);
	return r < 0 ? -errno : r;
}

/*
 * A batch that did something (@ret > 0 of @n) says so in @done and @error
 * (0 when all were done, else why it stopped: @why, or an injected
 * ENOMEM or EFAULT).  A put writes done = 0 and error = 0 before it sends
 * anything, and the result after: a fault in that second writing leaves
 * zeros, or @done without @error (the return value is the answer), which
 * @put allows; a get that cannot write them fails whole (EFAULT).
 */
static int check_vec(struct fi_ctx *c, int ret, int n, int why, bool put)
{
	int e = c->vec.error;

	if (ret < 0)
		return 0;
	if (ret == 0 || ret > n)
		return WHY(c, "batch of %d returned %d", n, ret);
	if (put && c->vec.done == 0 && e == 0)
		return 0;
	if (c->vec.done != (__u32)ret)
		return WHY(c, "returned %d, done %u", ret, c->vec.done);
	if (put && e == 0)
		return 0;
	if (ret == n ? e != 0 : e != why && e != ENOMEM && e != EFAULT)
		return WHY(c, "%d of %d done, error %d", ret, n, e);
	return 0;
}

/* Exactly @n messages queued at @fd (queue or pipe end), and poll says so. */
static int check_counted(struct fi_ctx *c, int fd, bool pipe, int n,
			 size_t bytes)
{
	__u64 cnt, b;
	short ev, want = n ? POLLIN : 0;

	if (pipe ? p_in(fd, &cnt, &b) : q_count(fd, &cnt, &b))
		return WHY(c, "stat");
	if (cnt != (__u64)n || b != bytes)
		return WHY(c, "STAT count %llu bytes %llu, want %d and %zu",
			   (unsigned long long)cnt, (unsigned long long)b, n,
			   bytes);
	ev = poll_events(fd, POLLIN);
	if ((ev & POLLIN) != want)
		return WHY(c, "poll %#x with %d queued", ev, n);
	return 0;
}

/* After a put of the batch behind B: B, then the first ret of the batch. */
static int check_put_many(struct fi_ctx *c, int ret, int fd, bool pipe)
{
	unsigned int seeds[NBATCH + 1] = { 2 };
	size_t lens[NBATCH + 1] = { SMALL }, bytes = SMALL;
	int k = ret > 0 ? ret : 0;

	if (check_vec(c, ret, NBATCH, 0, true))
		return 1;
	for (int i = 0; i < k; i++) {
		seeds[i + 1] = batch_seeds[i];
		lens[i + 1] = batch_lens[i];
		bytes += batch_lens[i];
	}
	return check_counted(c, fd, pipe, 1 + k, bytes) ||
	       drain_expect(c, fd, pipe, 1 + k, seeds, lens);
}

static int op_q_put_many(struct fi_ctx *c)
{
	return batch_ioc(c, c->fd[0], IPCDEV_IOC_QUEUE_PUT_MANY, NBATCH, false);
}

static int check_q_put_many(struct fi_ctx *c, int ret)
{
	return check_put_many(c, ret, c->fd[0], false);
}

static int op_p_send_many(struct fi_ctx *c)
{
	return batch_ioc(c, c->fd[1], IPCDEV_IOC_PIPE_SEND_MANY, NBATCH, false);
}

static int check_p_send_many(struct fi_ctx *c, int ret)
{
	return check_put_many(c, ret, c->fd[0], true);
}

/* A queue holding the batch's three messages. */
static int setup_q_batch(struct fi_ctx *c)
{
	int r = 0;

	c->fd[0] = q_new(NULL, 0);
	if (c->fd[0] < 0)
		return c->fd[0];
	for (int i = 0; i < NBATCH && !r; i++)
		r = q_put(c->fd[0], batch_seeds[i] == 1 ? c->a : c->b,
			  batch_lens[i]);
	return r;
}

/* A duplex pipe whose end 0 holds the batch's three messages. */
static int setup_p_batch(struct fi_ctx *c)
{
	int r = p_new(&c->fd[0], &c->fd[1]);

	for (int i = 0; i < NBATCH && !r; i++)
		r = p_send(c->fd[1], batch_seeds[i] == 1 ? c->a : c->b,
			   batch_lens[i]);
	return r;
}

/*
 * A get of four elements from the three messages: the first ret got,
 * whole, in order, their lengths in the elements; the rest still queued,
 * in order; all three got: the batch stopped at the fourth (EAGAIN).
 */
static int check_get_many(struct fi_ctx *c, int ret, int fd, bool pipe)
{
	int k = ret > 0 ? ret : 0;
	size_t bytes = 0;

	if (ret > NBATCH)
		return WHY(c, "got %d of %d messages", ret, NBATCH);
	/* All three got: the fourth element found none (EAGAIN). */
	if (check_vec(c, ret, NBATCH + 1, ret == NBATCH ? EAGAIN : ENOMEM, false))
		return 1;
	if (ret == NBATCH && c->vec.error != EAGAIN)
		return WHY(c, "all got, error %d", c->vec.error);
	for (int i = 0; i < k; i++)
		if (c->el[i].len != batch_lens[i] ||
		    !check_fill(c->v[i], batch_lens[i], batch_seeds[i]))
			return WHY(c, "element %d: %llu bytes, want %zu%s", i,
				   (unsigned long long)c->el[i].len,
				   batch_lens[i],
				   c->el[i].len == batch_lens[i] ? ", torn" : "");
	for (int i = k; i < NBATCH; i++)
		bytes += batch_lens[i];
	return check_counted(c, fd, pipe, NBATCH - k, bytes) ||
	       drain_expect(c, fd, pipe, NBATCH - k, batch_seeds + k,
			    batch_lens + k);
}

static int op_q_get_many(struct fi_ctx *c)
{
	return batch_ioc(c, c->fd[0], IPCDEV_IOC_QUEUE_GET_MANY, NBATCH + 1,
			 true);
}

static int check_q_get_many(struct fi_ctx *c, int ret)
{
	return check_get_many(c, ret, c->fd[0], false);
}

static int op_p_recv_many(struct fi_ctx *c)
{
	return batch_ioc(c, c->fd[0], IPCDEV_IOC_PIPE_RECV_MANY, NBATCH + 1,
			 true);
}

static int check_p_recv_many(struct fi_ctx *c, int ret)
{
	return check_get_many(c, ret, c->fd[0], true);
}

/* ------------------------------------------------------------------ */
/* The hand-over to a waiting receiver                                */
/* ------------------------------------------------------------------ */

/* A getter thread, not under injection: blocks in GET on fd[1]. */
static void *getter_thread(void *arg)
{
	struct fi_ctx *c = arg;
	size_t len = 0;
	int r;

	memset(c->r, 0, c->rlen);
	r = q_get_w(c->fd[1], c->r, c->rlen, &len, IPCDEV_WAIT_DEADLINE,
		    deadline_in_ms(20000));
	c->thr_ret = r ?: (int)len;
	return NULL;
}

/* An empty queue with a getter asleep in it; the operation puts A. */
static int setup_handover_put(struct fi_ctx *c, size_t alen)
{
	c->alen = alen;
	c->fd[0] = q_new(NULL, 0);
	if (c->fd[0] < 0)
		return c->fd[0];
	c->fd[1] = dup(c->fd[0]);
	if (pthread_create(&c->thr, NULL, getter_thread, c))
		return -EAGAIN;
	c->thr_on = true;
	return WAIT_STAT(c->fd[0], IPCDEV_IOC_QUEUE_STAT,
			 struct ipcdev_queue_stat, getters, 1);
}

static int setup_handover_put_small(struct fi_ctx *c)
{
	return setup_handover_put(c, SMALL);
}

static int setup_handover_put_large(struct fi_ctx *c)
{
	return setup_handover_put(c, LARGE);
}

static int op_handover_put(struct fi_ctx *c)
{
	return q_put(c->fd[0], c->a, c->alen);
}

static int check_handover_put(struct fi_ctx *c, int ret)
{
	__u64 n, bytes;

	if (ret) {
		/* Still waiting, nothing queued: B releases it, alone. */
		sleep_ms(5);
		if (q_count(c->fd[0], &n, &bytes) || n)
			return WHY(c, "failed put left %llu queued",
				   (unsigned long long)n);
		if (q_put(c->fd[0], c->b, SMALL))
			return WHY(c, "put B");
		pthread_join(c->thr, NULL);
		c->thr_on = false;
		if (c->thr_ret != SMALL || !check_fill(c->r, SMALL, 2))
			return WHY(c, "getter got %d bytes, want B",
				   c->thr_ret);
		return 0;
	}
	pthread_join(c->thr, NULL);
	c->thr_on = false;
	if (c->thr_ret != (int)c->alen || !check_fill(c->r, c->alen, 1))
		return WHY(c, "getter got %d bytes, want A (%zu)", c->thr_ret,
			   c->alen);
	if (q_count(c->fd[0], &n, &bytes) || n)
		return WHY(c, "%llu left queued", (unsigned long long)n);
	return 0;
}

static void teardown_thread(struct fi_ctx *c)
{
	if (c->thr_on) {
		/* Release a getter still waiting (a check failed). */
		q_put(c->fd[0], c->b, SMALL);
		pthread_join(c->thr, NULL);
		c->thr_on = false;
	}
	ctx_close(c);
}

/* A putter thread: once the operation sleeps in GET, it puts A. */
static void *putter_thread(void *arg)
{
	struct fi_ctx *c = arg;
	struct ipcdev_queue_stat st;

	c->thr_ret = 0;
	while (!c->op_done) {
		if (stat_ioc(c->fd[1], IPCDEV_IOC_QUEUE_STAT, &st,
			     sizeof(st)) == 0 && st.getters == 1) {
			c->thr_ret = q_put(c->fd[1], c->a, c->alen) ?: 1;
			break;
		}
		usleep(200);
	}
	return NULL;
}

static int setup_handover_get(struct fi_ctx *c, size_t alen)
{
	c->alen = alen;
	c->op_done = 0;
	c->fd[0] = q_new(NULL, 0);
	if (c->fd[0] < 0)
		return c->fd[0];
	c->fd[1] = dup(c->fd[0]);
	if (pthread_create(&c->thr, NULL, putter_thread, c))
		return -EAGAIN;
	c->thr_on = true;
	return 0;
}

static int setup_handover_get_small(struct fi_ctx *c)
{
	return setup_handover_get(c, SMALL);
}

static int setup_handover_get_large(struct fi_ctx *c)
{
	return setup_handover_get(c, LARGE);
}

/* The getter under injection sleeps, and gets A handed over. */
static int op_handover_get(struct fi_ctx *c)
{
	size_t len = 0;
	int r = q_get_w(c->fd[0], c->r, c->rlen, &len, IPCDEV_WAIT_DEADLINE,
			deadline_in_ms(20000));

	c->op_done = 1;
	return r ?: (int)len;
}

static int check_handover_get(struct fi_ctx *c, int ret)
{
	const unsigned int seeds[] = { 1 };
	const size_t lens[] = { c->alen };

	pthread_join(c->thr, NULL);
	c->thr_on = false;
	if (c->thr_ret < 0)
		return WHY(c, "the putter: %s", strerror(-c->thr_ret));
	if (ret >= 0)
		return check_got_a(c, ret) ||
		       drain_expect(c, c->fd[0], false, 0, seeds, lens);
	/* Failed: A, if it was put, is back at the head. */
	return drain_expect(c, c->fd[0], false, c->thr_ret ? 1 : 0, seeds,
			    lens);
}

static void teardown_putter(struct fi_ctx *c)
{
	if (c->thr_on) {
		c->op_done = 1;
		pthread_join(c->thr, NULL);
		c->thr_on = false;
	}
	ctx_close(c);
}

/* ------------------------------------------------------------------ */
/* poll, epoll, fasync, stat, fdinfo, /proc                           */
/* ------------------------------------------------------------------ */

static int setup_q_a(struct fi_ctx *c)
{
	c->fd[0] = q_new(NULL, 0);
	if (c->fd[0] < 0)
		return c->fd[0];
	return q_put(c->fd[0], c->a, SMALL);
}

static int op_poll(struct fi_ctx *c)
{
	struct pollfd p = { .fd = c->fd[0], .events = POLLIN | POLLOUT };
	int r = poll(&p, 1, 0);

	return r < 0 ? -errno : p.revents;
}

static int check_poll(struct fi_ctx *c, int ret)
{
	if (ret >= 0 && ret != (POLLIN | POLLOUT))
		return WHY(c, "revents %#x", ret);
	return check_q_attach(c, -1);	/* A still there, alone */
}

static int setup_epoll(struct fi_ctx *c)
{
	c->aux[0] = epoll_create1(EPOLL_CLOEXEC);
	return c->aux[0] < 0 ? -errno : setup_q_a(c);
}

static int op_epoll_add(struct fi_ctx *c)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = 7 };

	return epoll_ctl(c->aux[0], EPOLL_CTL_ADD, c->fd[0], &ev) ? -errno : 0;
}

static int check_epoll_add(struct fi_ctx *c, int ret)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = 7 };
	int r;

	if (ret && epoll_ctl(c->aux[0], EPOLL_CTL_ADD, c->fd[0], &ev))
		return WHY(c, "add again after failure: %s", strerror(errno));
	memset(&ev, 0, sizeof(ev));
	r = epoll_wait(c->aux[0], &ev, 1, 0);
	if (r != 1 || ev.data.u32 != 7 || !(ev.events & EPOLLIN))
		return WHY(c, "epoll_wait: %d events %#x", r, ev.events);
	return check_q_attach(c, -1);
}

static int setup_fasync(struct fi_ctx *c)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGIO);
	sigprocmask(SIG_BLOCK, &set, NULL);
	c->fd[0] = q_new(NULL, 0);
	if (c->fd[0] < 0)
		return c->fd[0];
	c->fd[1] = dup(c->fd[0]);
	return fcntl(c->fd[0], F_SETOWN, getpid()) ? -errno : 0;
}

static int op_fasync(struct fi_ctx *c)
{
	return fcntl(c->fd[0], F_SETFL, O_ASYNC) ? -errno : 0;
}

static int check_fasync(struct fi_ctx *c, int ret)
{
	struct timespec ts = { 0, 0 };
	int fl = fcntl(c->fd[0], F_GETFL), sig;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGIO);
	while (sigtimedwait(&set, NULL, &ts) > 0)
		;
	if (!!(fl & O_ASYNC) != !ret)
		return WHY(c, "O_ASYNC %s after %d", fl & O_ASYNC ? "on" : "off",
			   ret);
	if (q_put(c->fd[1], c->a, SMALL))
		return WHY(c, "put");
	ts.tv_nsec = 50 * 1000 * 1000;
	sig = sigtimedwait(&set, NULL, &ts);
	if (!ret && sig != SIGIO)
		return WHY(c, "no SIGIO with O_ASYNC");
	if (ret && sig == SIGIO)
		return WHY(c, "SIGIO without O_ASYNC");
	fcntl(c->fd[0], F_SETFL, 0);
	return 0;
}

static int op_q_stat(struct fi_ctx *c)
{
	struct ipcdev_queue_stat st;
	int r = stat_ioc(c->fd[0], IPCDEV_IOC_QUEUE_STAT, &st, sizeof(st));

	if (r)
		return r;
	return st.count == 1 && st.bytes == SMALL ? 0 : -EPROTO;
}

/* open + read to the end of a text file; its length or -errno. */
static int read_all(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY), e;
	ssize_t n, off = 0;

	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf + off, size - 1 - off)) > 0)
		off += n;
	e = errno;
	close(fd);
	if (n < 0)
		return -e;
	buf[off] = 0;
	return off;
}

static int op_proc_objects(struct fi_ctx *c)
{
	return read_all("/proc/ipcdev/objects", (char *)c->r, c->rlen);
}

static int op_proc_stats(struct fi_ctx *c)
{
	return read_all(PROC_STATS, (char *)c->r, c->rlen);
}

static int op_fdinfo(struct fi_ctx *c)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", c->fd[0]);
	return read_all(path, (char *)c->r, c->rlen);
}

static int check_proc(struct fi_ctx *c, int ret, const char *want)
{
	if (ret >= 0 && !strstr((char *)c->r, want))
		return WHY(c, "no \"%s\" in what was read", want);
	return check_q_attach(c, -1);
}

static int check_proc_objects(struct fi_ctx *c, int ret)
{
	return check_proc(c, ret, "queue");
}

static int check_proc_stats(struct fi_ctx *c, int ret)
{
	return check_proc(c, ret, "handles ");
}

static int check_fdinfo(struct fi_ctx *c, int ret)
{
	return check_proc(c, ret, "ipcdev-count:\t1");
}

static int check_q_a(struct fi_ctx *c, int ret)
{
	return check_q_attach(c, -1);
}

/* ------------------------------------------------------------------ */
/* Names: SETATTR, unlink                                             */
/* ------------------------------------------------------------------ */

static int setup_named_q(struct fi_ctx *c)
{
	c->fd[0] = q_new(c->name, IPCDEV_CREAT | IPCDEV_EXCL);
	return c->fd[0] < 0 ? c->fd[0] : 0;
}

static int op_setattr(struct fi_ctx *c)
{
	struct ipcdev_setattr a = { .name = ptr(c->name),
				    .flags = IPCDEV_SETATTR_MODE,
				    .mode = 0640 };

	return ioc(c->fd[0], IPCDEV_IOC_SETATTR, &a);
}

static int check_setattr(struct fi_ctx *c, int ret)
{
	struct ipcdev_queue_stat st;

	if (stat_ioc(c->fd[0], IPCDEV_IOC_QUEUE_STAT, &st, sizeof(st)))
		return WHY(c, "stat");
	if (st.mode != (ret ? 0600U : 0640U))
		return WHY(c, "mode %o after %d", st.mode, ret);
	return q_usable(c, c->fd[0]);
}

static int op_unlink(struct fi_ctx *c)
{
	return dev_unlink(DEV_Q, c->name);
}

static int check_unlink(struct fi_ctx *c, int ret)
{
	int fd = q_new(c->name, 0);

	if (fd >= 0)
		close(fd);
	if (ret && fd < 0)
		return WHY(c, "the name is gone after a failed unlink: %d", fd);
	if (!ret && fd != -ENOENT)
		return WHY(c, "the name is there after unlink: %d", fd);
	return q_usable(c, c->fd[0]);
}

/* ------------------------------------------------------------------ */
/* Shared memory: mmap, the fault path, I/O, lock, wait-for-change    */
/* ------------------------------------------------------------------ */

/* A segment (fd[0]) holding B's first SHMSZ bytes... or nothing. */
static int setup_shm(struct fi_ctx *c)
{
	c->fd[0] = s_new(NULL, 0, SHMSZ);
	if (c->fd[0] < 0)
		return c->fd[0];
	return 0;
}

static int setup_shm_b(struct fi_ctx *c)
{
	int r = setup_shm(c);

	if (r)
		return r;
	if (pwrite(c->fd[0], c->b, SHMSZ, 0) != SHMSZ)
		return -errno;
	return s_stat(c->fd[0], &(struct ipcdev_shm_stat){ 0 });
}

static int shm_seq(struct fi_ctx *c, __u64 *seq, __u32 *mappings)
{
	struct ipcdev_shm_stat st;
	int r = s_stat(c->fd[0], &st);

	*seq = st.seq;
	if (mappings)
		*mappings = st.mappings;
	return r;
}

/* The segment holds @seed's first SHMSZ bytes (seed 0: zeros). */
static int shm_holds(struct fi_ctx *c, unsigned int seed)
{
	memset(c->r, 0x5a, SHMSZ);
	if (pread(c->fd[0], c->r, SHMSZ, 0) != SHMSZ)
		return WHY(c, "pread: %s", strerror(errno));
	if (seed ? !check_fill(c->r, SHMSZ, seed)
		 : (c->r[0] || memcmp(c->r, c->r + 1, SHMSZ - 1)))
		return WHY(c, "segment content: want %s",
			   seed == 1 ? "A" : seed == 2 ? "B" : "zeros");
	return 0;
}

static int op_mmap(struct fi_ctx *c)
{
	void *p = mmap(NULL, SHMSZ, PROT_READ | PROT_WRITE, MAP_SHARED,
		       c->fd[0], 0);

	if (p == MAP_FAILED)
		return -errno;
	c->map = p;
	c->maplen = SHMSZ;
	return 0;
}

static int check_mmap(struct fi_ctx *c, int ret)
{
	__u32 mappings;
	__u64 seq;

	if (shm_seq(c, &seq, &mappings))
		return WHY(c, "stat");
	if (mappings != (ret ? 0U : 1U))
		return WHY(c, "%u mappings after mmap: %d", mappings, ret);
	if (!ret && memcmp(c->map, c->b, SHMSZ))
		return WHY(c, "the mapping does not show B");
	return shm_holds(c, 2);
}

/* A fresh segment, mapped, no page touched yet, and a pipe(2). */
static int setup_shm_mapped(struct fi_ctx *c)
{
	int r = setup_shm(c);

	if (r)
		return r;
	if (pipe(c->aux))
		return -errno;
	return op_mmap(c);
}

/* The fault path from the kernel: a write(2) to a pipe from the mapping. */
static int op_fault_kernel(struct fi_ctx *c)
{
	ssize_t n = write(c->aux[1], c->map, SHMSZ);

	return n < 0 ? -errno : (int)n;
}

/* The fault path from user space: read every page of the mapping. */
static int op_fault_user(struct fi_ctx *c)
{
	volatile unsigned char *p = c->map;
	unsigned int sum = 0;

	for (int i = 0; i < SHMSZ; i += 4096)
		sum += p[i];
	return sum ? -EPROTO : 0;
}

/* Any outcome: the segment reads zeros through the mapping and pread. */
static int check_fault(struct fi_ctx *c, int ret)
{
	const unsigned char *p = c->map;

	for (int i = 0; i < SHMSZ; i++)
		if (p[i])
			return WHY(c, "byte %d of the mapping: %#x", i, p[i]);
	return shm_holds(c, 0);
}

static int op_shm_write_ioc(struct fi_ctx *c)
{
	struct ipcdev_shm_io io = { .buf = ptr(c->a), .len = SHMSZ };

	return ioc(c->fd[0], IPCDEV_IOC_SHM_WRITE, &io);
}

static int op_shm_pwrite(struct fi_ctx *c)
{
	ssize_t n = pwrite(c->fd[0], c->a, SHMSZ, 0);

	return n < 0 ? -errno : (int)n;
}

/* Remember seq after setup, for the checks. */
static int setup_shm_seq(struct fi_ctx *c)
{
	int r = setup_shm_b(c);

	return r ?: shm_seq(c, &c->seq0, NULL);
}

static int setup_shm_fresh_seq(struct fi_ctx *c)
{
	int r = setup_shm(c);

	return r ?: shm_seq(c, &c->seq0, NULL);
}

/* A write: all of A and seq + 1, or (failed) nothing at all. */
static int check_shm_write(struct fi_ctx *c, int ret)
{
	__u64 seq;

	if (shm_seq(c, &seq, NULL))
		return WHY(c, "stat");
	if (ret < 0) {
		if (seq != c->seq0)
			return WHY(c, "seq %llu -> %llu after a failed write",
				   (unsigned long long)c->seq0,
				   (unsigned long long)seq);
		return shm_holds(c, 0);
	}
	if (seq != c->seq0 + 1)
		return WHY(c, "seq %llu -> %llu after a write",
			   (unsigned long long)c->seq0,
			   (unsigned long long)seq);
	if (ret > 0 && ret != SHMSZ) {
		/* pwrite(2) may be short: the bytes written, zeros after. */
		memset(c->r, 0x5a, SHMSZ);
		if (pread(c->fd[0], c->r, SHMSZ, 0) != SHMSZ ||
		    !check_fill(c->r, ret, 1))
			return WHY(c, "short write of %d: not A", ret);
		for (int i = ret; i < SHMSZ; i++)
			if (c->r[i])
				return WHY(c, "short write of %d: byte %d", ret,
					   i);
		return 0;
	}
	return shm_holds(c, 1);
}

static int op_shm_read_ioc(struct fi_ctx *c)
{
	struct ipcdev_shm_io io = { .buf = ptr(c->r), .len = SHMSZ };

	memset(c->r, 0, SHMSZ);
	return ioc(c->fd[0], IPCDEV_IOC_SHM_READ, &io);
}

/*
 * After a READ (or WAIT_CHANGE, or STAT) that failed, this handle has not
 * seen the change made in setup: poll still reports POLLIN.
 */
static int check_seen(struct fi_ctx *c, int ret)
{
	short ev = poll_events(c->fd[0], POLLIN);

	if (ret < 0 && !(ev & POLLIN))
		return WHY(c, "failed with %s, yet the change counts as seen",
			   strerrorname_np(-ret));
	if (ret >= 0 && (ev & POLLIN))
		return WHY(c, "succeeded, yet poll reports POLLIN");
	return 0;
}

static int check_shm_read(struct fi_ctx *c, int ret)
{
	if (!ret && !check_fill(c->r, SHMSZ, 2))
		return WHY(c, "READ: not B");
	return check_seen(c, ret) || shm_holds(c, 2);
}

static int op_shm_wait_change(struct fi_ctx *c)
{
	struct ipcdev_shm_change ch = { .seen = 0,
					.flags = IPCDEV_WAIT_NONBLOCK };
	int r = ioc(c->fd[0], IPCDEV_IOC_SHM_WAIT_CHANGE, &ch);

	return r ?: (ch.seq == c->seq0 ? 0 : -EPROTO);
}

static int op_shm_stat(struct fi_ctx *c)
{
	struct ipcdev_shm_stat st;
	int r = s_stat(c->fd[0], &st);

	return r ?: (st.seq == c->seq0 && st.size == SHMSZ ? 0 : -EPROTO);
}

/*
 * Setup for the seen checks: a second handle makes the change, so that
 * fd[0] has not seen it.
 */
static int setup_shm_unseen(struct fi_ctx *c)
{
	int r = setup_shm_seq(c);

	if (r)
		return r;
	c->fd[1] = s_new(NULL, 0, SHMSZ);	/* unused: keeps fds apart */
	if (ioc(c->fd[0], IPCDEV_IOC_SHM_PUBLISH, NULL))
		return -errno;
	r = shm_seq(c, &c->seq0, NULL);
	/* shm_seq() saw it through fd[0]: publish once more, unseen. */
	if (!r && ioc(c->fd[0], IPCDEV_IOC_SHM_PUBLISH, NULL))
		r = -errno;
	c->seq0++;
	return r;
}

static int check_shm_plain(struct fi_ctx *c, int ret)
{
	return check_seen(c, ret) || shm_holds(c, 2);
}

static int op_shm_lock(struct fi_ctx *c)
{
	struct ipcdev_shm_lock l = { .flags = IPCDEV_WAIT_NONBLOCK };

	return ioc(c->fd[0], IPCDEV_IOC_SHM_LOCK, &l);
}

static int check_shm_lock(struct fi_ctx *c, int ret)
{
	struct ipcdev_shm_stat st;
	int r;

	if (s_stat(c->fd[0], &st))
		return WHY(c, "stat");
	if (st.lock_owner != (ret ? 0 : getpid()))
		return WHY(c, "lock owner %d after LOCK: %d", st.lock_owner,
			   ret);
	if (ret) {
		r = op_shm_lock(c);
		if (r)
			return WHY(c, "LOCK after a failed one: %s",
				   strerror(-r));
	}
	r = ioc(c->fd[0], IPCDEV_IOC_SHM_UNLOCK, NULL);
	if (r)
		return WHY(c, "UNLOCK: %s", strerror(-r));
	return 0;
}

static int op_shm_locker(struct fi_ctx *c)
{
	struct ipcdev_shm_locker l = { 0 };
	int r = ioc(c->fd[0], IPCDEV_IOC_SHM_LOCKER, &l);

	return r ?: (l.id && l.offset == IPCDEV_SHM_LOCK_OFFSET ? 0 : -EPROTO);
}

static int check_shm_locker(struct fi_ctx *c, int ret)
{
	int r = op_shm_locker(c);

	if (r)
		return WHY(c, "LOCKER again: %s", strerror(-r));
	return check_shm_lock(c, op_shm_lock(c));
}

static int setup_shm_locker(struct fi_ctx *c)
{
	int r = setup_shm(c);

	return r ?: op_shm_locker(c);
}

static int op_lock_map(struct fi_ctx *c)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED,
		       c->fd[0], (off_t)IPCDEV_SHM_LOCK_OFFSET);

	if (p == MAP_FAILED)
		return -errno;
	c->map = p;
	c->maplen = 4096;
	return 0;
}

static int check_lock_map(struct fi_ctx *c, int ret)
{
	volatile __u32 *w = c->map;
	int r = op_shm_lock(c);

	if (r)
		return WHY(c, "LOCK: %s", strerror(-r));
	if (!ret && (*w & IPCDEV_SHM_LOCK_ID_MASK) == 0)
		return WHY(c, "the mapped word does not show the holder");
	return check_shm_lock(c, 0);
}

/* ------------------------------------------------------------------ */
/* Events                                                             */
/* ------------------------------------------------------------------ */

static int setup_event(struct fi_ctx *c)
{
	c->fd[0] = e_new(NULL, 0);
	return c->fd[0] < 0 ? c->fd[0] : 0;
}

static int setup_event_set(struct fi_ctx *c)
{
	c->fd[0] = e_new(NULL, IPCDEV_EVENT_INIT_SET);
	return c->fd[0] < 0 ? c->fd[0] : 0;
}

static int op_event_set(struct fi_ctx *c)
{
	return ioc(c->fd[0], IPCDEV_IOC_EVENT_SET, NULL);
}

static int check_event_flag(struct fi_ctx *c, unsigned int want, int ret)
{
	struct ipcdev_event_stat st;

	if (e_stat(c->fd[0], &st))
		return WHY(c, "stat");
	if (st.set != want)
		return WHY(c, "flag %u after %d, want %u", st.set, ret, want);
	return 0;
}

static int check_event_set(struct fi_ctx *c, int ret)
{
	return check_event_flag(c, ret ? 0 : 1, ret);
}

static int op_event_wait(struct fi_ctx *c)
{
	struct ipcdev_event_wait w = { .flags = IPCDEV_WAIT_NONBLOCK };

	return ioc(c->fd[0], IPCDEV_IOC_EVENT_WAIT, &w);
}

static int op_event_wait_clear(struct fi_ctx *c)
{
	struct ipcdev_event_wait w = { .flags = IPCDEV_WAIT_NONBLOCK |
						IPCDEV_EVENT_WAIT_CLEAR };

	return ioc(c->fd[0], IPCDEV_IOC_EVENT_WAIT, &w);
}

static int check_event_wait(struct fi_ctx *c, int ret)
{
	return check_event_flag(c, 1, ret);
}

/* WAIT_CLEAR lowers the flag exactly when it succeeds. */
static int check_event_wait_clear(struct fi_ctx *c, int ret)
{
	return check_event_flag(c, ret ? 1 : 0, ret);
}

/* read(2): the hand-off form of WAIT_CLEAR, returning the SET count. */
static int op_event_read(struct fi_ctx *c)
{
	__u64 sets = 0;
	ssize_t n;

	if (fcntl(c->fd[0], F_SETFL, O_NONBLOCK))
		return -EPROTO;
	n = read(c->fd[0], &sets, sizeof(sets));
	if (n < 0)
		return -errno;
	return n == sizeof(sets) && sets == 0 ? 0 : -EPROTO;
}

/* ------------------------------------------------------------------ */
/* The kinds                                                          */
/* ------------------------------------------------------------------ */

#define ENOMEM_EFAULT	{ ENOMEM, EFAULT }

static const struct fi_kind kinds[] = {
	{ "queue-create", setup_none, op_q_create, check_q_create,
	  teardown_all, ENOMEM_EFAULT },
	{ "queue-create-named", setup_none, op_q_create_named,
	  check_q_create_named, teardown_all, ENOMEM_EFAULT },
	{ "queue-open-by-name", setup_q_named_a, op_q_attach, check_q_attach,
	  teardown_all, ENOMEM_EFAULT },
	{ "pipe-create", setup_none, op_p_create, check_p_create,
	  teardown_all, { ENOMEM, EFAULT, EMFILE, ENFILE } },
	{ "pipe-create-named", setup_none, op_p_create_named,
	  check_p_create_named, teardown_all, ENOMEM_EFAULT },
	{ "shm-create", setup_none, op_s_create, check_s_create,
	  teardown_all, ENOMEM_EFAULT },
	{ "shm-create-named", setup_none, op_s_create_named,
	  check_s_create_named, teardown_all, ENOMEM_EFAULT },
	{ "event-create", setup_none, op_e_create, check_e_create,
	  teardown_all, ENOMEM_EFAULT },
	{ "event-create-named", setup_none, op_e_create_named,
	  check_e_create_named, teardown_all, ENOMEM_EFAULT },
	{ "queue-put-small", setup_q_b, op_q_put_small, check_q_put,
	  teardown_all, ENOMEM_EFAULT },
	{ "queue-put-large", setup_q_b, op_q_put_large, check_q_put,
	  teardown_all, ENOMEM_EFAULT },
	{ "queue-get-small", setup_q_ab_small, op_q_get, check_q_get,
	  teardown_all, ENOMEM_EFAULT },
	{ "queue-get-large", setup_q_ab_large, op_q_get, check_q_get,
	  teardown_all, ENOMEM_EFAULT },
	{ "pipe-send-small", setup_p_b, op_p_send_small, check_p_send,
	  teardown_all, ENOMEM_EFAULT },
	{ "pipe-send-large", setup_p_b, op_p_send_large, check_p_send,
	  teardown_all, ENOMEM_EFAULT },
	{ "pipe-recv-small", setup_p_ab_small, op_p_recv, check_p_recv,
	  teardown_all, ENOMEM_EFAULT },
	{ "pipe-recv-large", setup_p_ab_large, op_p_recv, check_p_recv,
	  teardown_all, ENOMEM_EFAULT },
	{ "pipe-read-large", setup_p_ab_large, op_p_read, check_p_recv,
	  teardown_all, ENOMEM_EFAULT },
	{ "handover-put-small", setup_handover_put_small, op_handover_put,
	  check_handover_put, teardown_thread, ENOMEM_EFAULT },
	{ "handover-put-large", setup_handover_put_large, op_handover_put,
	  check_handover_put, teardown_thread, ENOMEM_EFAULT },
	{ "handover-get-small", setup_handover_get_small, op_handover_get,
	  check_handover_get, teardown_putter, ENOMEM_EFAULT },
	{ "handover-get-large", setup_handover_get_large, op_handover_get,
	  check_handover_get, teardown_putter, ENOMEM_EFAULT },
	/* poll(2), epoll_ctl(2): EFAULT is theirs, reading their arguments. */
	{ "poll", setup_q_a, op_poll, check_poll, teardown_all,
	  ENOMEM_EFAULT },
	{ "epoll-add", setup_epoll, op_epoll_add, check_epoll_add,
	  teardown_all, ENOMEM_EFAULT },
	{ "fasync", setup_fasync, op_fasync, check_fasync, teardown_all,
	  { ENOMEM } },
	{ "queue-stat", setup_q_a, op_q_stat, check_q_a, teardown_all,
	  { EFAULT } },
	{ "fdinfo-read", setup_q_a, op_fdinfo, check_fdinfo, teardown_all,
	  ENOMEM_EFAULT },
	{ "proc-objects-read", setup_q_a, op_proc_objects, check_proc_objects,
	  teardown_all, ENOMEM_EFAULT },
	{ "proc-stats-read", setup_q_a, op_proc_stats, check_proc_stats,
	  teardown_all, ENOMEM_EFAULT },
	{ "setattr", setup_named_q, op_setattr, check_setattr, teardown_all,
	  ENOMEM_EFAULT },
	{ "unlink", setup_named_q, op_unlink, check_unlink, teardown_all,
	  ENOMEM_EFAULT },
	{ "shm-mmap", setup_shm_b, op_mmap, check_mmap, teardown_all,
	  { ENOMEM } },
	{ "shm-fault-kernel", setup_shm_mapped, op_fault_kernel, check_fault,
	  teardown_all, ENOMEM_EFAULT },
	{ "shm-fault-user", setup_shm_mapped, op_fault_user, check_fault,
	  teardown_all, { 0 } },
	{ "shm-write-ioctl", setup_shm_fresh_seq, op_shm_write_ioc,
	  check_shm_write, teardown_all, ENOMEM_EFAULT },
	{ "shm-pwrite", setup_shm_fresh_seq, op_shm_pwrite, check_shm_write,
	  teardown_all, ENOMEM_EFAULT },
	{ "shm-read-ioctl", setup_shm_unseen, op_shm_read_ioc, check_shm_read,
	  teardown_all, ENOMEM_EFAULT },
	{ "shm-wait-change", setup_shm_unseen, op_shm_wait_change,
	  check_shm_plain, teardown_all, { EFAULT } },
	{ "shm-stat", setup_shm_unseen, op_shm_stat, check_shm_plain,
	  teardown_all, { EFAULT } },
	{ "shm-lock", setup_shm, op_shm_lock, check_shm_lock, teardown_all,
	  ENOMEM_EFAULT },
	{ "shm-locker", setup_shm, op_shm_locker, check_shm_locker,
	  teardown_all, ENOMEM_EFAULT },
	{ "shm-lock-page-mmap", setup_shm_locker, op_lock_map, check_lock_map,
	  teardown_all, { ENOMEM } },
	{ "event-set", setup_event, op_event_set, check_event_set,
	  teardown_all, { EFAULT } },
	{ "event-wait", setup_event_set, op_event_wait, check_event_wait,
	  teardown_all, { EFAULT } },
	{ "event-wait-clear", setup_event_set, op_event_wait_clear,
	  check_event_wait_clear, teardown_all, { EFAULT } },
	{ "event-read", setup_event_set, op_event_read, check_event_wait_clear,
	  teardown_all, { EFAULT } },
	{ "queue-put-many", setup_q_b, op_q_put_many, check_q_put_many,
	  teardown_all, ENOMEM_EFAULT },
	{ "queue-get-many", setup_q_batch, op_q_get_many, check_q_get_many,
	  teardown_all, ENOMEM_EFAULT },
	{ "pipe-send-many", setup_p_b, op_p_send_many, check_p_send_many,
	  teardown_all, ENOMEM_EFAULT },
	{ "pipe-recv-many", setup_p_batch, op_p_recv_many, check_p_recv_many,
	  teardown_all, ENOMEM_EFAULT },
	{ "queue-write-nowait-full", setup_q_full, op_q_write_nowait_full,
	  check_q_write_nowait_full, teardown_all, { EFAULT } },
};

#define NKINDS	(sizeof(kinds) / sizeof(kinds[0]))

/* ------------------------------------------------------------------ */
/* The round and the run                                              */
/* ------------------------------------------------------------------ */

static bool errno_allowed(const struct fi_kind *k, int ret)
{
	for (size_t i = 0; i < sizeof(k->errs) / sizeof(k->errs[0]); i++)
		if (k->errs[i] && -ret == k->errs[i])
			return true;
	return false;
}

/* Drop CAP_SYS_RESOURCE (which lifts the quotas) from the effective set. */
static int drop_sys_resource(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -1;
	d[CAP_SYS_RESOURCE / 32].effective &= ~(1U << (CAP_SYS_RESOURCE % 32));
	return syscall(SYS_capset, &h, d) ? -1 : 0;
}

/* In a child without CAP_SYS_RESOURCE: see quota_exact(). */
static int quota_child(struct fi_ctx *c)
{
	int q, q2, e;

	if (drop_sys_resource())
		return CHILD_DROP;
	q = q_new(NULL, 0);
	q2 = q_new(NULL, 0);
	if (q < 0)
		return 1;
	if (q2 != -EDQUOT)
		return 2;
	write_param("user_objects_max", read_param("user_objects_max") + 1);
	e = q_put(q, c->a, 65536);
	if (e)
		return 3;
	if (q_put(q, c->a, 1) != -EDQUOT)
		return 4;
	return 0;
}

/*
 * The quotas gave back exactly what they gave: with user_objects_max at
 * root's objects + 1 one more object can be made and no second; with
 * user_bytes_max at 64 KiB a 64 KiB message fits, one byte more does not
 * (checked without CAP_SYS_RESOURCE, which lifts them).  Run with no
 * object of ours left; *why on failure.
 */
static int quota_exact(struct fi_ctx *c)
{
	static const char *const what[] = {
		"ok", "object quota: the last object refused",
		"object quota: one object too many",
		"byte quota: 64 KiB refused",
		"byte quota: one byte too many",
	};
	unsigned long long omax = read_param("user_objects_max");
	unsigned long long bmax = read_param("user_bytes_max");
	long long objs = read_proc_stat("objects");
	int code;
	pid_t pid;

	if (!omax || !bmax || objs < 0)
		return WHY(c, "quota parameters unreadable");
	/* Every object is root's here (the suite runs one test at a time). */
	write_param("user_objects_max", objs + 1);
	write_param("user_bytes_max", 65536);
	pid = fork();
	if (pid == 0)
		_exit(quota_child(c));
	code = pid < 0 ? -1 : wait_child(pid, 20000);
	write_param("user_objects_max", omax);
	write_param("user_bytes_max", bmax);
	if (code)
		return WHY(c, "%s (child %d)",
			   code > 0 && code < 5 ? what[code] : "quota check",
			   code);
	return 0;
}

/*
 * Run kind @k: a warm-up round with no fault, then rounds with n = 1, 2,
 * ... until the operation completes without reaching n.  Returns the
 * number of bad rounds (0: all good); @h gets the outcomes, @why the
 * first problem.
 */
static int fi_run_kind(const struct fi_kind *k, int nth, struct fi_hist *h,
		       char *why, size_t whysize)
{
	struct fi_stats base, pre, post;
	struct fi_ctx c;
	int bad = 0, fd0, r, ret;
	unsigned int n;

	memset(h, 0, sizeof(*h));
	ctx_init(&c);
	why[0] = 0;
	for (n = 0; n < MAX_N; n++) {
		int injected;

		stats_read(&base);
		fd0 = lowest_fd();
		c.why[0] = 0;
		r = k->setup(&c);
		if (r) {
			snprintf(why, whysize, "n=%u: setup: %s", n,
				 strerror(-r));
			k->teardown(&c);
			return bad + 1;
		}
		stats_read(&pre);
		if (n && fi_arm(nth, n)) {
			snprintf(why, whysize, "arming fail-nth: %s",
				 strerror(errno));
			k->teardown(&c);
			return bad + 1;
		}
		/*
		 * With a helper thread (the hand-over kinds) the stats move
		 * under the operation; the kind's check judges the outcome.
		 */
		ret = k->op(&c);
		injected = n ? fi_disarm(nth) : 0;
		stats_read(&post);
		if (n && injected) {
			h->sites++;
			fi_count(h, ret);
		}
		if (ret < 0 && (!n || !errno_allowed(k, ret)))
			r = WHY(&c, "failed with %s (%d), not a documented error",
				strerrorname_np(-ret) ?: "?", ret);
		else if (ret < 0 && !c.thr_on)
			r = stats_diff(&pre, &post, true, "failed op", c.why,
				       sizeof(c.why));
		if (!r)
			r = k->check(&c, ret);
		k->teardown(&c);
		stats_read(&post);
		if (!r)
			r = stats_diff(&base, &post, false, "after the round", c.why,
				       sizeof(c.why));
		if (!r && lowest_fd() != fd0)
			r = WHY(&c, "a descriptor leaked (%d, was %d)",
				lowest_fd(), fd0);
		if (r) {
			if (!bad)
				snprintf(why, whysize, "n=%u (op %s): %s", n,
					 ret < 0 ? strerrorname_np(-ret) : "ok",
					 c.why);
			printf("# %s n=%u: %s\n", k->name, n, c.why);
			bad++;
		}
		if (n && !injected)
			break;
	}
	if (n == MAX_N) {
		snprintf(why, whysize, "still injecting at n=%u", n);
		bad++;
	}
	if (!bad && quota_exact(&c)) {
		snprintf(why, whysize, "after the run: %s", c.why);
		bad++;
	}
	ctx_free(&c);
	return bad;
}

FIXTURE(fault) {
	struct fi_saved saved;
	int nth;
};

FIXTURE_SETUP(fault)
{
	const char *what;
	int r;

	self->nth = -1;
	r = fi_setup(&self->saved, &what);
	if (r)
		SKIP(return, "no fault injection (%s: %s)", what, strerror(-r));
	self->nth = fi_open();
	if (self->nth < 0)
		fi_restore(&self->saved);
	ASSERT_LE(0, self->nth);
	ASSERT_EQ(0, access(DEV_Q, R_OK | W_OK)) TH_LOG("module not loaded");
}

FIXTURE_TEARDOWN(fault)
{
	if (self->nth >= 0) {
		close(self->nth);
		fi_restore(&self->saved);
	}
}

FIXTURE_VARIANT(fault) {
	int kind;
	const char *label;
};

/* One variant per kind, as kinds[] lists them. */
#define KIND(i, lbl)					\
	FIXTURE_VARIANT_ADD(fault, lbl) { .kind = i, .label = #lbl }

/*
 * Two programs share this file, each under the runner's time limit on
 * the (slow, emulated) faults kernel: ipcfault_test runs the creates and
 * the messages, ipcfault2_test (which includes this file with
 * IPCFAULT_PART 2) the hand-over and everything else.
 */
#ifndef IPCFAULT_PART
#define IPCFAULT_PART 1
#endif

#if IPCFAULT_PART == 1
KIND(0, queue_create);
KIND(1, queue_create_named);
KIND(2, queue_open_by_name);
KIND(3, pipe_create);
KIND(4, pipe_create_named);
KIND(5, shm_create);
KIND(6, shm_create_named);
KIND(7, event_create);
KIND(8, event_create_named);
KIND(9, queue_put_small);
KIND(10, queue_put_large);
KIND(11, queue_get_small);
KIND(12, queue_get_large);
KIND(13, pipe_send_small);
KIND(14, pipe_send_large);
KIND(15, pipe_recv_small);
KIND(16, pipe_recv_large);
KIND(17, pipe_read_large);
KIND(46, queue_put_many);
KIND(47, queue_get_many);
KIND(48, pipe_send_many);
KIND(49, pipe_recv_many);
KIND(50, queue_write_nowait_full);
#else
KIND(18, handover_put_small);
KIND(19, handover_put_large);
KIND(20, handover_get_small);
KIND(21, handover_get_large);
KIND(22, poll);
KIND(23, epoll_add);
KIND(24, fasync);
KIND(25, queue_stat);
KIND(26, fdinfo_read);
KIND(27, proc_objects_read);
KIND(28, proc_stats_read);
KIND(29, setattr);
KIND(30, unlink);
KIND(31, shm_mmap);
KIND(32, shm_fault_kernel);
KIND(33, shm_fault_user);
KIND(34, shm_write_ioctl);
KIND(35, shm_pwrite);
KIND(36, shm_read_ioctl);
KIND(37, shm_wait_change);
KIND(38, shm_stat);
KIND(39, shm_lock);
KIND(40, shm_locker);
KIND(41, shm_lock_page_mmap);
KIND(42, event_set);
KIND(43, event_wait);
KIND(44, event_wait_clear);
KIND(45, event_read);
#endif

TEST_F_TIMEOUT(fault, inject, 300)
{
	const struct fi_kind *k = &kinds[variant->kind];
	struct fi_hist h;
	char why[512], hist[512];
	int bad;

	char label[64];

	if (self->nth < 0)
		return;		/* skipped by the setup */
	ASSERT_LT(variant->kind, (int)NKINDS);
	/* The variant's label is the kind's name, '_' for '-'. */
	snprintf(label, sizeof(label), "%s", k->name);
	for (char *p = label; *p; p++)
		if (*p == '-')
			*p = '_';
	ASSERT_STREQ(label, variant->label);
	bad = fi_run_kind(k, self->nth, &h, why, sizeof(why));
	printf("# fault %s: %u sites injected; %s\n", k->name, h.sites,
	       fi_hist_str(&h, hist, sizeof(hist)));
	EXPECT_EQ(0, bad) TH_LOG("%s: %d bad rounds; first: %s", k->name, bad,
				 why);
}

EMPTY_FIXTURE(leaks);

/* Last: kmemleak finds nothing of the module's after all the rounds. */
TEST_F_TIMEOUT(leaks, kmemleak, 120)
{
	unsigned int ours, theirs;
	int r = fi_kmemleak(&ours, &theirs);

	if (r)
		SKIP(return, "no kmemleak: %s", strerror(-r));
	printf("# kmemleak: %u reports naming ipcdev, %u others\n", ours,
	       theirs);
	EXPECT_EQ(0U, ours);
}

TEST_HARNESS_MAIN
