// SPDX-License-Identifier: GPL-2.0
/*
 * ipcbench: the ipcdev benchmark suite (issue 8).
 *
 * Two processes (fork) talk only through the mechanism under test; the
 * harness itself (start barriers, collecting counts) uses a separate shared
 * mapping outside the timed regions.  Mechanisms: the four ipcdev devices
 * (raw ioctls of <linux/ipcdev.h>, or read(2)/write(2) for the "read/write"
 * rows; the one exception is the segment lock, measured through
 * libipcdev's ipc_array_lock()/ipc_array_unlock(), whose fast path is the
 * library's compare-and-swap of the mapped lock word) and the anchors pipe(2), pipe2(O_DIRECT), socketpair(AF_UNIX, SOCK_SEQPACKET),
 * POSIX mq, System V msg, eventfd, futex, a memfd mapping and a
 * PTHREAD_PROCESS_SHARED mutex.
 *
 *   ipcbench [--rounds N] [--scale F] [--pin | --spread] [--smoke]
 *            [--no-mem] [--only SUBSTRING[,SUBSTRING...]] [--mech NAME]
 *            [--size BYTES] [--title TEXT]
 *
 * The round trips and the streams run at a depth (messages each direction
 * holds: 8, and for the streams also 2), the same for every mechanism (see
 * chan_open()); each is filled and drained once before it is timed to
 * count what it really holds (chan_held()).
 *
 * --pin: every process on CPU 0.  --spread (2 CPUs or more): only the
 * contended lock and the queue scaling tests, their processes pinned to
 * different CPUs (lock: process i on CPU i % 2; queue: producers on CPU 0,
 * consumers on CPU 1).
 *
 * --smoke: a few iterations of everything, TAP output (`ok N name` /
 * `not ok N name`), exit 0 when every mechanism ran and every message
 * checked.  Otherwise: every test runs --rounds times, interleaved (round
 * 1 of everything, then round 2, ...), and the tables are printed in
 * markdown: min, median and max of the rounds, and each ipcdev figure as a
 * ratio of medians to its anchor.
 *
 * Every message carries its sequence number and a few check words (first,
 * second, middle and last 64-bit word), all verified by the receiver, along
 * with the length.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <linux/ipcdev.h>
#include <linux/sockios.h>
#include <mqueue.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ipcdev.h"		/* libipcdev: the segment lock's fast path */

#define KiB 1024UL
#define MiB (1024UL * 1024UL)
#define MAXRUNS 64
#define HEADROOM 16	/* room before a buffer for SysV's mtype */

static int opt_smoke, opt_rounds = 5, opt_pin, opt_spread, opt_mem = 1;
/*
 * Depth of the round-trip and streaming tests now running: messages each
 * direction holds (one_round() sets it; 0 outside those tests).  record()
 * files results under it, so a row function run inside the depth loop is
 * reported per depth with no change.
 */
static int cur_depth;
static const int depths[] = { 8, 2 };
#define NR_DEPTHS ((int)(sizeof(depths) / sizeof(depths[0])))
static double opt_scale = 1.0;
static const char *opt_only;
static const char *opt_mech;	/* --mech: only that mechanism */
static long opt_size;		/* --size: only this streaming size */
static const char *opt_title = "";
static int tap_n, tap_fail;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "ipcbench: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(2);
}

/* Iteration counts: scaled, at least 2; --smoke: a handful. */
static long iters(long n)
{
	long v;

	if (opt_smoke)
		return n > 40 ? 20 : (n > 4 ? 4 : n);
	v = (long)(n * opt_scale);
	return v < 2 ? 2 : v;
}

/* ------------------------------------------------------------------ */
/* Message stamps: sequence number and check words                     */

#define K1 0x9E3779B97F4A7C15ULL
#define K2 0xA5A5A5A55A5A5A5AULL

static void stamp(unsigned char *b, size_t len, uint64_t seq)
{
	size_t mid = (len / 2) & ~7UL;

	memcpy(b, &seq, 8);
	{
		uint64_t w1 = seq * K1, wm = ~seq, we = seq ^ K2;

		memcpy(b + 8, &w1, 8);
		memcpy(b + mid, &wm, 8);
		memcpy(b + len - 8, &we, 8);
	}
}

/* 0 when @b holds a message @seq of @len bytes stamped by stamp(). */
static int check(const unsigned char *b, size_t len, uint64_t seq)
{
	size_t mid = (len / 2) & ~7UL;
	uint64_t w0, w1, wm, we;

	memcpy(&w0, b, 8);
	memcpy(&w1, b + 8, 8);
	memcpy(&wm, b + mid, 8);
	memcpy(&we, b + len - 8, 8);
	if (w0 != seq || w1 != seq * K1 || wm != ~seq || we != (seq ^ K2))
		return -1;
	return 0;
}

static unsigned char *buf_alloc(size_t len)
{
	unsigned char *p = aligned_alloc(4096, len + 4096);

	if (!p)
		die("out of memory");
	memset(p, 0x5c, len + 4096);
	return p + 4096;	/* at least HEADROOM bytes before */
}

/* ------------------------------------------------------------------ */
/* Small wrappers                                                      */

static int futex(uint32_t *uaddr, int op, uint32_t val)
{
	return syscall(SYS_futex, uaddr, op, val, NULL, NULL, 0);
}

static void *shared_anon(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	return p;
}

static void write_sysctl(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0)
		return;
	if (write(fd, val, strlen(val)) < 0)
		fprintf(stderr, "ipcbench: %s: %s\n", path, strerror(errno));
	close(fd);
}

/* The OPEN ioctl @cmd on a device descriptor of @path: the new object fd or -1. */
static int dev_open_bound(const char *path, unsigned long cmd, void *arg)
{
	int dfd = open(path, O_RDWR | O_CLOEXEC), fd;

	if (dfd < 0) {
		fprintf(stderr, "ipcbench: %s: %s\n", path, strerror(errno));
		return -1;
	}
	fd = ioctl(dfd, cmd, arg);
	if (fd < 0)
		fprintf(stderr, "ipcbench: %s: OPEN: %s\n", path,
			strerror(errno));
	close(dfd);
	return fd;
}

/* A queue of at most @maxmsg messages and @cap payload bytes (0: unbounded). */
static int ipcq_new(size_t cap, size_t maxmsg)
{
	struct ipcdev_queue_open o = { .bytes_max = cap, .maxsize = maxmsg };

	return dev_open_bound("/dev/ipcqueue", IPCDEV_IOC_QUEUE_OPEN, &o);
}

static int ipcq_put(int fd, const void *b, size_t len)
{
	struct ipcdev_msg m = { .buf = (uintptr_t)b, .len = len };

	return ioctl(fd, IPCDEV_IOC_QUEUE_PUT, &m);
}

static ssize_t ipcq_get(int fd, void *b, size_t len)
{
	struct ipcdev_msg m = { .buf = (uintptr_t)b, .len = len };

	if (ioctl(fd, IPCDEV_IOC_QUEUE_GET, &m))
		return -1;
	return m.len;
}

static int ipcevent_new(void)
{
	struct ipcdev_event_open o = { 0 };

	return dev_open_bound("/dev/ipcevent", IPCDEV_IOC_EVENT_OPEN, &o);
}

static int ipcevent_wait(int fd)
{
	struct ipcdev_event_wait w = { 0 };

	return ioctl(fd, IPCDEV_IOC_EVENT_WAIT, &w);
}

/* Wait and lower the flag in one call: an auto-reset hand-off, as eventfd. */
static int ipcevent_wait_clear(int fd)
{
	struct ipcdev_event_wait w = { .flags = IPCDEV_EVENT_WAIT_CLEAR };

	return ioctl(fd, IPCDEV_IOC_EVENT_WAIT, &w);
}

static int ipcshm_new(size_t size)
{
	struct ipcdev_shm_open o = { .type = IPCDEV_SHM_RAW, .size = size };

	return dev_open_bound("/dev/ipcshm", IPCDEV_IOC_SHM_OPEN, &o);
}

/* Wait until the change counter differs from @seen; returns the counter. */
static int64_t ipcshm_wait_change(int fd, uint64_t seen)
{
	struct ipcdev_shm_change c = { .seen = seen };

	if (ioctl(fd, IPCDEV_IOC_SHM_WAIT_CHANGE, &c))
		return -1;
	return (int64_t)c.seq;
}

static int64_t ipcshm_seq(int fd)
{
	struct ipcdev_shm_stat st;

	if (ioctl(fd, IPCDEV_IOC_SHM_STAT, &st))
		return -1;
	return (int64_t)st.seq;
}

/* ------------------------------------------------------------------ */
/* Message mechanisms                                                  */

enum mech {
	M_IPCQUEUE, M_IPCPIPE, M_PIPE, M_PIPE_DIRECT, M_SEQPACKET, M_MQ,
	M_SYSV, M_IPCQUEUE_RW, M_IPCPIPE_RW, NR_MSG_MECH,
	M_IPCEVENT = NR_MSG_MECH, M_IPCEVENT_RW, M_EVENTFD, M_FUTEX,
	M_IPCSHM_LOCK, M_PTHREAD,
	M_IPCSHM, M_MEMFD, NR_MECH
};

static const char *mech_name[NR_MECH] = {
	[M_IPCQUEUE] = "ipcqueue", [M_IPCPIPE] = "ipcpipe",
	[M_IPCQUEUE_RW] = "ipcqueue read/write",
	[M_IPCPIPE_RW] = "ipcpipe read/write",
	[M_PIPE] = "pipe(2)", [M_PIPE_DIRECT] = "pipe2(O_DIRECT)",
	[M_SEQPACKET] = "socketpair(SEQPACKET)", [M_MQ] = "POSIX mq",
	[M_SYSV] = "System V msg", [M_IPCEVENT] = "ipcevent",
	[M_IPCEVENT_RW] = "ipcevent read/write",
	[M_EVENTFD] = "eventfd", [M_FUTEX] = "futex",
	[M_IPCSHM_LOCK] = "ipcshm lock", [M_PTHREAD] = "pthread mutex (pshared)",
	[M_IPCSHM] = "ipcshm", [M_MEMFD] = "memfd",
};

/* Anchor of each ipcdev mechanism, or -1. */
static int anchor_of(int m)
{
	switch (m) {
	case M_IPCQUEUE:
	case M_IPCQUEUE_RW: return M_MQ;
	case M_IPCPIPE:
	case M_IPCPIPE_RW: return M_PIPE;
	case M_IPCEVENT:
	case M_IPCEVENT_RW: return M_EVENTFD;
	case M_IPCSHM_LOCK: return M_PTHREAD;
	case M_IPCSHM: return M_MEMFD;
	default: return -1;
	}
}

/* A two-way message channel: side 0 (parent) and side 1 (child). */
struct chan {
	int mech;
	size_t msgsize;
	int fd[4];
	mqd_t mq[2];
	int msq[2];
};

/*
 * sk_wmem_alloc of one @len-byte SEQPACKET message (its skb's truesize,
 * what SO_SNDBUF counts): sent on a spare pair, read back with SIOCOUTQ.
 */
static int seqpacket_truesize(size_t len)
{
	static size_t last_len;
	static int last;
	int p[2], big = 64 << 20, n = -1;
	unsigned char *b;

	if (len == last_len)
		return last;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, p))
		return -1;
	setsockopt(p[0], SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big));
	b = buf_alloc(len);
	if (send(p[0], b, len, MSG_DONTWAIT) != (ssize_t)len ||
	    ioctl(p[0], SIOCOUTQ, &n))
		n = -1;
	free(b - 4096);
	close(p[0]);
	close(p[1]);
	last_len = len;
	last = n;
	return n;
}

/*
 * Open @c for messages of @msgsize bytes, each direction holding @cap bytes
 * of them: depth = cap / msgsize messages, set alike for every mechanism:
 *  - ipcqueue: maxsize = depth, bytes_max = cap; ipcpipe: capacity = cap
 *    (payload bytes, so depth messages);
 *  - POSIX mq: mq_maxmsg = depth; System V: msg_qbytes = cap (bytes, and
 *    at most msg_qbytes messages);
 *  - pipe(2): F_SETPIPE_SZ(cap), which the kernel rounds up to a power of
 *    two pages: a byte stream, whose small writes share a page (64 B: a
 *    one-page pipe holds 64 messages, whatever the depth);
 *  - pipe2(O_DIRECT): a packet takes whole slots, so depth packets of
 *    msgsize rounded up to pages;
 *  - socketpair: SO_SNDBUF counts each message's skb truesize, measured
 *    (seqpacket_truesize()): depth x truesize, but never below the
 *    kernel's SOCK_MIN_SNDBUF (so more small messages at depth 2).
 * chan_held() counts what each really holds.
 */
static int chan_open(struct chan *c, int mech, size_t msgsize, size_t cap)
{
	static int serial;
	size_t depth = cap / msgsize ? cap / msgsize : 1;
	int p[2], i;

	memset(c, 0, sizeof(*c));
	c->mech = mech;
	c->msgsize = msgsize;
	for (i = 0; i < 4; i++)
		c->fd[i] = -1;
	switch (mech) {
	case M_IPCQUEUE:
	case M_IPCQUEUE_RW:
		c->fd[0] = ipcq_new(cap, depth);	/* side 0 -> side 1 */
		c->fd[1] = ipcq_new(cap, depth);	/* side 1 -> side 0 */
		return c->fd[0] < 0 || c->fd[1] < 0 ? -1 : 0;
	case M_IPCPIPE:
	case M_IPCPIPE_RW: {
		struct ipcdev_pipe_open o = {
			.flags = IPCDEV_PIPE_DUPLEX, .capacity = cap,
		};

		c->fd[0] = dev_open_bound("/dev/ipcpipe", IPCDEV_IOC_PIPE_OPEN,
					  &o);
		if (c->fd[0] < 0)
			return -1;
		c->fd[1] = o.fd;
		return 0;
	}
	case M_PIPE:
	case M_PIPE_DIRECT: {
		size_t sz = mech == M_PIPE ? cap :
			    depth * ((msgsize + 4095) / 4096 * 4096);

		for (i = 0; i < 2; i++) {
			if (pipe2(p, O_CLOEXEC |
				  (mech == M_PIPE_DIRECT ? O_DIRECT : 0)))
				return -1;
			c->fd[2 * i] = p[0];
			c->fd[2 * i + 1] = p[1];
			if (fcntl(p[1], F_SETPIPE_SZ, (int)sz) < 0) {
				fprintf(stderr, "ipcbench: F_SETPIPE_SZ %zu: %s\n",
					sz, strerror(errno));
				return -1;
			}
		}
		return 0;
	}
	case M_SEQPACKET: {
		int ts = seqpacket_truesize(msgsize), sz;

		if (ts <= 0)
			return -1;
		/* SO_SNDBUFFORCE doubles its argument. */
		sz = (int)(depth * ts / 2);
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, p))
			return -1;
		for (i = 0; i < 2; i++) {
			c->fd[i] = p[i];
			if (setsockopt(p[i], SOL_SOCKET, SO_SNDBUFFORCE, &sz,
				       sizeof(sz)))
				return -1;
		}
		return 0;
	}
	case M_MQ:
		for (i = 0; i < 2; i++) {
			struct mq_attr a = {
				.mq_maxmsg = depth, .mq_msgsize = msgsize,
			};
			char name[64];

			snprintf(name, sizeof(name), "/ipcbench.%d.%d",
				 getpid(), serial++);
			c->mq[i] = mq_open(name, O_RDWR | O_CREAT | O_EXCL,
					   0600, &a);
			if (c->mq[i] == (mqd_t)-1) {
				fprintf(stderr, "ipcbench: mq_open: %s\n",
					strerror(errno));
				return -1;
			}
			mq_unlink(name);
		}
		return 0;
	case M_SYSV:
		for (i = 0; i < 2; i++) {
			struct msqid_ds ds;

			c->msq[i] = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
			if (c->msq[i] < 0)
				return -1;
			if (msgctl(c->msq[i], IPC_STAT, &ds) == 0) {
				ds.msg_qbytes = cap < msgsize ? msgsize : cap;
				if (msgctl(c->msq[i], IPC_SET, &ds))
					perror("msgctl IPC_SET");
			}
		}
		return 0;
	}
	return -1;
}

static void chan_close(struct chan *c)
{
	int i;

	for (i = 0; i < 4; i++)
		if (c->fd[i] >= 0)
			close(c->fd[i]);
	if (c->mech == M_MQ)
		for (i = 0; i < 2; i++)
			mq_close(c->mq[i]);
	if (c->mech == M_SYSV)
		for (i = 0; i < 2; i++)
			msgctl(c->msq[i], IPC_RMID, NULL);
}

/* After fork: keep only what side @s uses (the pipes' hang-up semantics). */
static void chan_side(struct chan *c, int s)
{
	if (c->mech == M_IPCPIPE || c->mech == M_IPCPIPE_RW ||
	    c->mech == M_SEQPACKET) {
		close(c->fd[!s]);
		c->fd[!s] = -1;
	}
}

static int full_write(int fd, const unsigned char *b, size_t len)
{
	while (len) {
		ssize_t n = write(fd, b, len);

		if (n <= 0)
			return -1;
		b += n;
		len -= n;
	}
	return 0;
}

static ssize_t full_read(int fd, unsigned char *b, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, b + got, len - got);

		if (n <= 0)
			return -1;
		got += n;
	}
	return got;
}

/* Send one message from side @s (@b has HEADROOM bytes before it). */
static int chan_send(struct chan *c, int s, unsigned char *b, size_t len)
{
	switch (c->mech) {
	case M_IPCQUEUE:
		return ipcq_put(c->fd[s], b, len);
	case M_IPCQUEUE_RW:
		/* write(2) is put: one whole message, no ioctl entry cost. */
		return write(c->fd[s], b, len) == (ssize_t)len ? 0 : -1;
	case M_IPCPIPE_RW:
		return write(c->fd[s], b, len) == (ssize_t)len ? 0 : -1;
	case M_IPCPIPE: {
		struct ipcdev_msg m = { .buf = (uintptr_t)b, .len = len };

		return ioctl(c->fd[s], IPCDEV_IOC_PIPE_SEND, &m);
	}
	case M_PIPE:
	case M_PIPE_DIRECT:
		return full_write(c->fd[2 * s + 1], b, len);
	case M_SEQPACKET:
		return send(c->fd[s], b, len, 0) == (ssize_t)len ? 0 : -1;
	case M_MQ:
		return mq_send(c->mq[s], (const char *)b, len, 0);
	case M_SYSV: {
		long *mtype = (long *)(b - sizeof(long));

		*mtype = 1;
		return msgsnd(c->msq[s], mtype, len, 0);
	}
	}
	return -1;
}

/* Receive one message on side @s; returns its length or -1. */
static ssize_t chan_recv(struct chan *c, int s, unsigned char *b, size_t len)
{
	switch (c->mech) {
	case M_IPCQUEUE:
		return ipcq_get(c->fd[!s], b, len);
	case M_IPCQUEUE_RW:
		return read(c->fd[!s], b, len);
	case M_IPCPIPE_RW:
		return read(c->fd[s], b, len);
	case M_IPCPIPE: {
		struct ipcdev_msg m = { .buf = (uintptr_t)b, .len = len };

		if (ioctl(c->fd[s], IPCDEV_IOC_PIPE_RECV, &m))
			return -1;
		return m.len;
	}
	case M_PIPE:
	case M_PIPE_DIRECT:
		return full_read(c->fd[2 * !s], b, len);
	case M_SEQPACKET:
		return recv(c->fd[s], b, len, 0);
	case M_MQ:
		return mq_receive(c->mq[!s], (char *)b, len, NULL);
	case M_SYSV:
		return msgrcv(c->msq[!s], (long *)(b - sizeof(long)), len, 0,
			      0);
	}
	return -1;
}

/*
 * @out: a send from side 0, else a receive on side 1, neither waiting: 0 or
 * the length received, -1 with errno EAGAIN (ETIMEDOUT for mq) when it
 * would wait.  A byte pipe takes what fits: the bytes it took.
 */
static ssize_t chan_try(struct chan *c, int out, unsigned char *b,
			size_t len)
{
	struct ipcdev_msg m = {
		.buf = (uintptr_t)b, .len = len, .flags = IPCDEV_WAIT_NONBLOCK,
	};
	struct timespec past = { 0, 0 };

	switch (c->mech) {
	case M_IPCQUEUE:
	case M_IPCQUEUE_RW:
		if (ioctl(c->fd[0], out ? IPCDEV_IOC_QUEUE_PUT :
			  IPCDEV_IOC_QUEUE_GET, &m))
			return -1;
		return out ? 0 : (ssize_t)m.len;
	case M_IPCPIPE:
	case M_IPCPIPE_RW:
		if (ioctl(c->fd[out ? 0 : 1], out ? IPCDEV_IOC_PIPE_SEND :
			  IPCDEV_IOC_PIPE_RECV, &m))
			return -1;
		return out ? 0 : (ssize_t)m.len;
	case M_PIPE:
	case M_PIPE_DIRECT: {
		int fd = c->fd[out ? 1 : 0];
		int fl = fcntl(fd, F_GETFL);
		ssize_t n;

		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
		n = out ? write(fd, b, len) : read(fd, b, len);
		fcntl(fd, F_SETFL, fl);
		return n;
	}
	case M_SEQPACKET:
		return out ? send(c->fd[0], b, len, MSG_DONTWAIT) :
			      recv(c->fd[1], b, len, MSG_DONTWAIT);
	case M_MQ:
		/* An absolute timeout in the past: EAGAIN-like ETIMEDOUT. */
		if (out)
			return mq_timedsend(c->mq[0], (const char *)b, len, 0,
					    &past);
		return mq_timedreceive(c->mq[0], (char *)b, len, NULL, &past);
	case M_SYSV: {
		long *mtype = (long *)(b - sizeof(long));

		*mtype = 1;
		if (out)
			return msgsnd(c->msq[0], mtype, len, IPC_NOWAIT);
		return msgrcv(c->msq[0], mtype, len, 0, IPC_NOWAIT);
	}
	}
	errno = EINVAL;
	return -1;
}

/*
 * How many @len-byte messages the direction side 0 -> side 1 holds: fill
 * it without waiting, count, drain it (before fork: both ends here).  A
 * byte pipe holds what it took / @len.  -1 when something else failed.
 */
static long chan_held(struct chan *c, size_t len)
{
	const long most = 4096;
	unsigned char *b = buf_alloc(len);
	size_t bytes = 0;
	ssize_t r = 0;
	long n;

	for (n = 0; n < most; n++) {
		stamp(b, len, n);
		r = chan_try(c, 1, b, len);
		if (r < 0)
			break;
		if (c->mech == M_PIPE || c->mech == M_PIPE_DIRECT) {
			bytes += r;
			if ((size_t)r < len)
				break;
		}
	}
	if (n == most || (r < 0 && errno != EAGAIN && errno != ETIMEDOUT)) {
		free(b - 4096);
		return -1;
	}
	if (c->mech == M_PIPE || c->mech == M_PIPE_DIRECT)
		n = bytes / len;
	else
		bytes = n * len;
	while (bytes) {
		r = chan_try(c, 0, b, bytes < len ? bytes : len);
		if (r <= 0)
			break;
		bytes -= r;
	}
	free(b - 4096);
	return bytes ? -1 : n;
}

/* ------------------------------------------------------------------ */
/* Fork harness                                                        */

static volatile sig_atomic_t alarmed;

static void on_alarm(int sig)
{
	(void)sig;
	alarmed = 1;
}

/* Seconds (guest time) for one test; --smoke: less. */
static unsigned int test_timeout = 300;

/* The harness's own shared page: barriers and results, never timed. */
struct ctl {
	volatile uint32_t go;
	volatile uint32_t ack;
	volatile uint64_t t1;
	volatile uint64_t count[16];
	volatile uint64_t t_end[16];
	volatile uint32_t bad[16];
	volatile uint32_t shared_counter;
	volatile uint32_t holder;
};

static struct ctl *ctl;

/* --spread: the CPU the next spawn()ed process is pinned to (-1: none). */
static int spawn_cpu = -1;

static void pin_to(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("sched_setaffinity(CPU %d): %s", cpu, strerror(errno));
}

static pid_t spawn(int (*fn)(void *, int), void *arg, int idx)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		if (spawn_cpu >= 0)
			pin_to(spawn_cpu);
		alarm(test_timeout);
		_exit(fn(arg, idx) ? 1 : 0);
	}
	/* The parent's own limit: a stuck call fails with EINTR. */
	alarm(test_timeout + 5);
	return pid;
}

/* Wait for @pid; 0 when it exited with status 0. */
static int reap(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			return -1;
		} else if (alarmed) {
			kill(pid, SIGKILL);
		}
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* ------------------------------------------------------------------ */
/* Results                                                             */

enum test {
	T_RTT, T_STREAM, T_WAKE, T_LOCK_SELF, T_LOCK_HANDOFF, T_LOCK_CONT,
	T_SHM_STREAM, T_SHM_BW, T_SCALE, T_SELF, T_MEM, T_BATCH, NR_TEST
};

struct result {
	int test, mech;
	long param;		/* size or producers */
	int depth;		/* cur_depth when recorded (0: none) */
	long held;		/* messages the channel held (chan_held()) */
	int n;
	double v[MAXRUNS];	/* ns per op, or bytes/s, or msg/s */
	double aux[MAXRUNS];	/* msg/s for streams */
	int failed;
	char name[96];
};

#define MAXRES 256
static struct result res[MAXRES];
static int nres;

static struct result *find_d(int test, int mech, long param, int depth)
{
	int i;

	for (i = 0; i < nres; i++)
		if (res[i].test == test && res[i].mech == mech &&
		    res[i].param == param && res[i].depth == depth)
			return &res[i];
	return NULL;
}

static struct result *result_get(int test, int mech, long param)
{
	struct result *r = find_d(test, mech, param, cur_depth);

	if (r)
		return r;
	if (nres == MAXRES)
		die("too many results");
	res[nres].test = test;
	res[nres].mech = mech;
	res[nres].param = param;
	res[nres].depth = cur_depth;
	return &res[nres++];
}

/* What the channel of the test being recorded held (see chan_held()). */
static long cur_held;

static const char *size_str(long s)
{
	static char b[4][32];
	static int k;
	char *p = b[k++ & 3];

	if (s >= (long)MiB && s % MiB == 0)
		snprintf(p, 32, "%ld MiB", s / (long)MiB);
	else if (s >= (long)KiB && s % KiB == 0)
		snprintf(p, 32, "%ld KiB", s / (long)KiB);
	else
		snprintf(p, 32, "%ld B", s);
	return p;
}

static void record(int test, int mech, long param, const char *name, int ok,
		   double v, double aux)
{
	struct result *r = result_get(test, mech, param);

	alarm(0);
	alarmed = 0;

	snprintf(r->name, sizeof(r->name), "%s", name);
	if (cur_held)
		r->held = cur_held;
	cur_held = 0;
	if (!ok) {
		r->failed++;
	} else if (r->n < MAXRUNS) {
		r->v[r->n] = v;
		r->aux[r->n] = aux;
		r->n++;
	}
	if (opt_smoke) {
		tap_n++;
		if (!ok)
			tap_fail++;
		printf("%sok %d %s\n", ok ? "" : "not ", tap_n, name);
		fflush(stdout);
	}
}

/* Bytes per direction for cur_depth messages of @len (chan_open()). */
static size_t stream_cap(size_t len)
{
	return (cur_depth ? cur_depth : 8) * len;
}

static long stream_count(size_t len)
{
	if (len <= 64)
		return iters(20000);
	if (len <= 4 * KiB)
		return iters(4000);
	if (len <= 64 * KiB)
		return iters(400);
	return iters(24);
}


/* ------------------------------------------------------------------ */
/* Round trip of a 64-byte message                                     */

struct pp {
	struct chan *c;
	long n;
	size_t len;
};

static int rtt_child(void *arg, int idx)
{
	struct pp *p = arg;
	unsigned char *b = buf_alloc(p->len);
	long i;

	(void)idx;
	chan_side(p->c, 1);
	for (i = 0; i < p->n; i++) {
		if (chan_recv(p->c, 1, b, p->len) != (ssize_t)p->len ||
		    check(b, p->len, i))
			return -1;
		if (chan_send(p->c, 1, b, p->len))
			return -1;
	}
	return 0;
}

static void bench_rtt(int mech)
{
	const size_t len = 64;
	long n = iters(4000), warm = n / 10 + 1, i;
	unsigned char *b = buf_alloc(len);
	struct chan c;
	struct pp p = { &c, n + warm, len };
	uint64_t t0 = 0;
	int ok = 0;
	pid_t pid;
	char name[96];

	snprintf(name, sizeof(name), "round trip 64 B depth %d %s", cur_depth,
		 mech_name[mech]);
	if (chan_open(&c, mech, len, stream_cap(len)) ||
	    (cur_held = chan_held(&c, len)) < 0)
		goto out;
	pid = spawn(rtt_child, &p, 0);
	chan_side(&c, 0);
	for (i = 0; i < n + warm; i++) {
		if (i == warm)
			t0 = now_ns();
		stamp(b, len, i);
		if (chan_send(&c, 0, b, len))
			break;
		memset(b, 0, len);
		if (chan_recv(&c, 0, b, len) != (ssize_t)len ||
		    check(b, len, i))
			break;
	}
	ok = i == n + warm;
	if (!ok)
		kill(pid, SIGKILL);
	ok = !reap(pid) && ok;
out:
	chan_close(&c);
	free(b - 4096);
	record(T_RTT, mech, len, name, ok, ok ? (now_ns() - t0) / (double)n : 0,
	       0);
}

/* ------------------------------------------------------------------ */
/* One-way streaming                                                   */

static int stream_child(void *arg, int idx)
{
	struct pp *p = arg;
	unsigned char *b = buf_alloc(p->len);
	long i;

	(void)idx;
	chan_side(p->c, 1);
	for (i = 0; i < p->n; i++)
		if (chan_recv(p->c, 1, b, p->len) != (ssize_t)p->len ||
		    check(b, p->len, i))
			return -1;
	/* The end: one message back, through the mechanism itself. */
	stamp(b, p->len < 64 ? p->len : 64, ~0ULL);
	return chan_send(p->c, 1, b, p->len < 64 ? p->len : 64);
}

static void bench_stream(int mech, size_t len)
{
	long n = stream_count(len), i;
	unsigned char *b = buf_alloc(len);
	struct chan c;
	struct pp p = { &c, n, len };
	size_t alen = len < 64 ? len : 64;
	uint64_t t0, t;
	int ok = 0;
	pid_t pid;
	char name[96];

	snprintf(name, sizeof(name), "stream %s depth %d %s", size_str(len),
		 cur_depth, mech_name[mech]);
	if (chan_open(&c, mech, len, stream_cap(len)) ||
	    (cur_held = chan_held(&c, len)) < 0)
		goto out;
	pid = spawn(stream_child, &p, 0);
	chan_side(&c, 0);
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		stamp(b, len, i);
		if (chan_send(&c, 0, b, len))
			break;
	}
	/* A byte stream would wait for @len bytes: ask for the answer's. */
	ok = i == n && chan_recv(&c, 0, b, mech == M_PIPE ||
				 mech == M_PIPE_DIRECT ? alen : len) ==
		       (ssize_t)alen &&
	     !check(b, alen, ~0ULL);
	t = now_ns() - t0;
	if (!ok)
		kill(pid, SIGKILL);
	ok = !reap(pid) && ok;
out:
	chan_close(&c);
	free(b - 4096);
	record(T_STREAM, mech, len, name, ok,
	       ok ? (double)n * len * 1e9 / t : 0, ok ? n * 1e9 / t : 0);
}

/* ------------------------------------------------------------------ */
/* 64 B streaming, batch: ipcdev's PUT_MANY/GET_MANY, SEND_MANY/RECV_MANY */

#define BATCH_LEN	64
#define BATCH_DEPTH	8	/* the most messages per batch (the deepest depth) */

/*
 * Move up to @n messages of BATCH_LEN bytes, at @b + i * BATCH_LEN, in one
 * call from (@send) or to side @s: the ipcdev batch ioctls; any other
 * mechanism one message per call (its own single send or receive).
 * Returns how many were moved, or -1.
 */
static int chan_batch(struct chan *c, int s, int send, unsigned char *b,
		      int n)
{
	struct ipcdev_msg m[BATCH_DEPTH];
	struct ipcdev_msgvec v = { .msgs = (uintptr_t)m, .count = n };
	unsigned long cmd;
	int i, fd;

	switch (c->mech) {
	case M_IPCQUEUE:
		cmd = send ? IPCDEV_IOC_QUEUE_PUT_MANY : IPCDEV_IOC_QUEUE_GET_MANY;
		fd = c->fd[send ? s : !s];
		break;
	case M_IPCPIPE:
		cmd = send ? IPCDEV_IOC_PIPE_SEND_MANY : IPCDEV_IOC_PIPE_RECV_MANY;
		fd = c->fd[s];
		break;
	default:
		if (send)
			return chan_send(c, s, b, BATCH_LEN) ? -1 : 1;
		return chan_recv(c, s, b, BATCH_LEN) == BATCH_LEN ? 1 : -1;
	}
	memset(m, 0, sizeof(m));
	for (i = 0; i < n; i++) {
		m[i].buf = (uintptr_t)(b + i * BATCH_LEN);
		m[i].len = BATCH_LEN;
	}
	n = ioctl(fd, cmd, &v);
	if (n > 0 && !send)
		for (i = 0; i < n; i++)
			if (m[i].len != BATCH_LEN)
				return -1;
	return n > 0 ? n : -1;
}

static int batch_child(void *arg, int idx)
{
	struct pp *p = arg;
	unsigned char *b = buf_alloc(BATCH_DEPTH * BATCH_LEN);
	long got = 0;
	int i, r;

	(void)idx;
	chan_side(p->c, 1);
	while (got < p->n) {
		r = chan_batch(p->c, 1, 0, b, p->n - got < cur_depth ?
			       (int)(p->n - got) : cur_depth);
		if (r < 0)
			return -1;
		for (i = 0; i < r; i++)
			if (check(b + i * BATCH_LEN, BATCH_LEN, got + i))
				return -1;
		got += r;
	}
	stamp(b, BATCH_LEN, ~0ULL);
	return chan_send(p->c, 1, b, BATCH_LEN);
}

/*
 * 64 B one-way streaming at the depth now running (cur_depth, at most
 * BATCH_DEPTH), ipcdev with its batch calls (as many messages per call
 * each way as the depth holds) against its anchor with one message per
 * call: as bench_stream() otherwise.
 */
static void bench_stream_batch(int mech)
{
	long n = stream_count(BATCH_LEN), sent = 0;
	unsigned char *b = buf_alloc(BATCH_DEPTH * BATCH_LEN);
	struct chan c;
	struct pp p = { &c, n, BATCH_LEN };
	uint64_t t0, t;
	int ok = 0, k, i, r = 0;
	pid_t pid;
	char name[96];

	snprintf(name, sizeof(name), "stream 64 B batch depth %d %s", cur_depth,
		 mech_name[mech]);
	if (cur_depth < 1 || cur_depth > BATCH_DEPTH ||
	    chan_open(&c, mech, BATCH_LEN, cur_depth * BATCH_LEN) ||
	    (cur_held = chan_held(&c, BATCH_LEN)) < 0)
		goto out;
	pid = spawn(batch_child, &p, 0);
	chan_side(&c, 0);
	t0 = now_ns();
	while (sent < n) {
		k = n - sent < cur_depth ? (int)(n - sent) : cur_depth;
		for (i = 0; i < k; i++)
			stamp(b + i * BATCH_LEN, BATCH_LEN, sent + i);
		r = chan_batch(&c, 0, 1, b, k);
		if (r < 0)
			break;
		sent += r;
	}
	ok = sent == n && chan_recv(&c, 0, b, BATCH_LEN) == BATCH_LEN &&
	     !check(b, BATCH_LEN, ~0ULL);
	t = now_ns() - t0;
	if (!ok)
		kill(pid, SIGKILL);
	ok = !reap(pid) && ok;
out:
	chan_close(&c);
	free(b - 4096);
	record(T_BATCH, mech, BATCH_LEN, name, ok,
	       ok ? (double)n * BATCH_LEN * 1e9 / t : 0, ok ? n * 1e9 / t : 0);
}

/* ------------------------------------------------------------------ */
/* Wake-up round trip: events                                          */

struct wk {
	int mech;
	int fd[2];
	uint32_t *w;
	long n;
};

static int wake_child(void *arg, int idx)
{
	struct wk *k = arg;
	uint64_t v;
	long i;

	(void)idx;
	for (i = 0; i < k->n; i++) {
		switch (k->mech) {
		case M_IPCEVENT:
			if (ipcevent_wait_clear(k->fd[0]) ||
			    ioctl(k->fd[1], IPCDEV_IOC_EVENT_SET, 0))
				return -1;
			break;
		case M_IPCEVENT_RW:
			/* eventfd's interface: read waits and lowers, write sets. */
			if (read(k->fd[0], &v, 8) != 8 ||
			    write(k->fd[1], &v, 8) != 8)
				return -1;
			break;
		case M_EVENTFD:
			v = 1;
			if (read(k->fd[0], &v, 8) != 8 || v != 1)
				return -1;
			if (write(k->fd[1], &v, 8) != 8)
				return -1;
			break;
		case M_FUTEX:
			while (__atomic_load_n(k->w, __ATOMIC_ACQUIRE) ==
			       2 * i)
				futex(k->w, FUTEX_WAIT, 2 * i);
			if (__atomic_load_n(k->w, __ATOMIC_ACQUIRE) !=
			    2 * i + 1)
				return -1;
			__atomic_store_n(k->w, 2 * i + 2, __ATOMIC_RELEASE);
			futex(k->w, FUTEX_WAKE, 1);
			break;
		}
	}
	return 0;
}

static void bench_wake(int mech)
{
	long n = iters(4000), warm = n / 10 + 1, i;
	struct wk k = { .mech = mech, .fd = { -1, -1 }, .n = n + warm };
	uint64_t t0 = 0, v;
	int ok = 0, j;
	pid_t pid;
	char name[96];

	snprintf(name, sizeof(name), "wake round trip %s", mech_name[mech]);
	for (j = 0; j < 2; j++) {
		if (mech == M_IPCEVENT || mech == M_IPCEVENT_RW)
			k.fd[j] = ipcevent_new();
		else if (mech == M_EVENTFD)
			k.fd[j] = eventfd(0, EFD_CLOEXEC);
	}
	if (mech == M_FUTEX)
		k.w = shared_anon(4096);
	else if (k.fd[0] < 0 || k.fd[1] < 0)
		goto out;
	pid = spawn(wake_child, &k, 0);
	for (i = 0; i < n + warm; i++) {
		if (i == warm)
			t0 = now_ns();
		if (mech == M_IPCEVENT) {
			if (ioctl(k.fd[0], IPCDEV_IOC_EVENT_SET, 0) ||
			    ipcevent_wait_clear(k.fd[1]))
				break;
		} else if (mech == M_IPCEVENT_RW) {
			v = 1;
			if (write(k.fd[0], &v, 8) != 8 ||
			    read(k.fd[1], &v, 8) != 8)
				break;
		} else if (mech == M_EVENTFD) {
			v = 1;
			if (write(k.fd[0], &v, 8) != 8 ||
			    read(k.fd[1], &v, 8) != 8 || v != 1)
				break;
		} else {
			__atomic_store_n(k.w, 2 * i + 1, __ATOMIC_RELEASE);
			futex(k.w, FUTEX_WAKE, 1);
			while (__atomic_load_n(k.w, __ATOMIC_ACQUIRE) ==
			       2 * i + 1)
				futex(k.w, FUTEX_WAIT, 2 * i + 1);
			if (__atomic_load_n(k.w, __ATOMIC_ACQUIRE) !=
			    2 * i + 2)
				break;
		}
	}
	ok = i == n + warm;
	if (!ok)
		kill(pid, SIGKILL);
	ok = !reap(pid) && ok;
out:
	for (j = 0; j < 2; j++)
		if (k.fd[j] >= 0)
			close(k.fd[j]);
	if (k.w)
		munmap(k.w, 4096);
	record(T_WAKE, mech, 0, name, ok, ok ? (now_ns() - t0) / (double)n : 0,
	       0);
}

/* ------------------------------------------------------------------ */
/* Locks                                                               */

/*
 * The ipcshm lock as libipcdev takes it (ipc_array_lock(): a
 * compare-and-swap of the mapped lock word, the ioctls when it fails),
 * against a process-shared pthread mutex.
 */
struct lk {
	int mech;
	struct ipc_array a;
	pthread_mutex_t *mu;
	long n;
};

static int lk_lock(struct lk *l)
{
	return l->mech == M_IPCSHM_LOCK ? ipc_array_lock(&l->a, 1, -1) :
					  pthread_mutex_lock(l->mu);
}

static int lk_unlock(struct lk *l)
{
	return l->mech == M_IPCSHM_LOCK ? ipc_array_unlock(&l->a) :
					  pthread_mutex_unlock(l->mu);
}

/* Is a task asleep waiting for the lock? */
static int lk_contended(struct lk *l)
{
	if (l->mech == M_IPCSHM_LOCK) {
		struct ipcdev_shm_stat st;

		return !ipc_array_stat(&l->a, &st) &&
		       st.lock_waiters > 0;
	}
	/* glibc: the futex word is 2 once a locker had to wait. */
	return __atomic_load_n(&l->mu->__data.__lock, __ATOMIC_ACQUIRE) == 2;
}

static int lk_setup(struct lk *l, int mech)
{
	pthread_mutexattr_t a;

	memset(l, 0, sizeof(*l));
	l->mech = mech;
	l->a.fd = -1;
	if (mech == M_IPCSHM_LOCK)
		return ipc_raw_create(&l->a, 4096) ? -1 : 0;
	l->mu = shared_anon(4096);
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(l->mu, &a);
	pthread_mutexattr_destroy(&a);
	return 0;
}

static void lk_teardown(struct lk *l)
{
	if (l->a.fd >= 0)
		ipc_array_close(&l->a);
	if (l->mu)
		munmap(l->mu, 4096);
}

/* Critical section: exclusive ownership check and a shared counter. */
static int lk_critical(int me)
{
	if (ctl->holder)
		return -1;
	ctl->holder = me;
	ctl->shared_counter++;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	if (ctl->holder != (uint32_t)me)
		return -1;
	ctl->holder = 0;
	return 0;
}

static void bench_lock_self(int mech)
{
	long n = iters(20000), i;
	struct lk l;
	uint64_t t0;
	int ok = 0;
	char name[96];

	snprintf(name, sizeof(name), "lock+unlock uncontended %s",
		 mech_name[mech]);
	memset(ctl, 0, sizeof(*ctl));
	if (lk_setup(&l, mech))
		goto out;
	t0 = now_ns();
	for (i = 0; i < n; i++)
		if (lk_lock(&l) || lk_critical(1) || lk_unlock(&l))
			break;
	ok = i == n && ctl->shared_counter == (uint32_t)n;
	record(T_LOCK_SELF, mech, 0, name, ok,
	       ok ? (now_ns() - t0) / (double)n : 0, 0);
	lk_teardown(&l);
	return;
out:
	record(T_LOCK_SELF, mech, 0, name, 0, 0, 0);
}

/* Handoff: the child sleeps in lock(); the parent unlocks at t0. */
static int handoff_child(void *arg, int idx)
{
	struct lk *l = arg;
	long i;

	(void)idx;
	for (i = 1; i <= l->n; i++) {
		while (ctl->go != i)
			sched_yield();
		if (lk_lock(l))
			return -1;
		ctl->t1 = now_ns();
		if (lk_critical(2) || lk_unlock(l))
			return -1;
		ctl->ack = i;
	}
	return 0;
}

static void bench_lock_handoff(int mech)
{
	long n = iters(1000), i;
	struct lk l;
	double sum = 0;
	uint64_t t0;
	int ok = 0;
	pid_t pid;
	char name[96];

	snprintf(name, sizeof(name), "lock handoff %s", mech_name[mech]);
	memset(ctl, 0, sizeof(*ctl));
	if (lk_setup(&l, mech)) {
		record(T_LOCK_HANDOFF, mech, 0, name, 0, 0, 0);
		return;
	}
	l.n = n;
	pid = spawn(handoff_child, &l, 0);
	for (i = 1; i <= n; i++) {
		if (lk_lock(&l))
			break;
		ctl->go = i;
		while (!lk_contended(&l) && !alarmed)
			sched_yield();
		t0 = now_ns();
		if (lk_unlock(&l))
			break;
		while (ctl->ack != i && !alarmed)
			sched_yield();
		if (alarmed)
			break;
		sum += ctl->t1 - t0;
	}
	ok = i == n + 1;
	if (!ok)
		kill(pid, SIGKILL);
	ok = !reap(pid) && ok && ctl->shared_counter == (uint32_t)n;
	lk_teardown(&l);
	record(T_LOCK_HANDOFF, mech, 0, name, ok, ok ? sum / n : 0, 0);
}

/* Contended: two processes lock, check, count, unlock as fast as they can. */
static int contend_child(void *arg, int idx)
{
	struct lk *l = arg;
	long i;

	while (!ctl->go)
		sched_yield();
	for (i = 0; i < l->n; i++)
		if (lk_lock(l) || lk_critical(idx + 1) || lk_unlock(l))
			return -1;
	return 0;
}

/* @np processes (at most 8); --spread: process i on CPU i % 2. */
static void bench_lock_contended(int mech, int np)
{
	long n = iters(20000) / np;
	struct lk l;
	uint64_t t0;
	int ok = 1, i;
	pid_t pid[8];
	char name[96];

	snprintf(name, sizeof(name), "lock contended (%d processes) %s", np,
		 mech_name[mech]);
	memset(ctl, 0, sizeof(*ctl));
	if (lk_setup(&l, mech)) {
		record(T_LOCK_CONT, mech, np, name, 0, 0, 0);
		return;
	}
	l.n = n;
	for (i = 0; i < np; i++) {
		spawn_cpu = opt_spread ? i % 2 : -1;
		pid[i] = spawn(contend_child, &l, i);
	}
	spawn_cpu = -1;
	t0 = now_ns();
	ctl->go = 1;
	for (i = 0; i < np; i++)
		ok = !reap(pid[i]) && ok;
	ok = ok && ctl->shared_counter == (uint32_t)(np * n);
	record(T_LOCK_CONT, mech, np, name, ok,
	       ok ? (now_ns() - t0) / ((double)np * n) : 0, 0);
	lk_teardown(&l);
}

/* ------------------------------------------------------------------ */
/* Shared memory: handoff streaming and store/load bandwidth           */

struct sh {
	int mech;
	int fd;
	unsigned char *map;
	uint32_t *fw;		/* memfd: futex word past the data */
	size_t len;
	long n;
	int full;		/* bandwidth: copy the whole message */
};

/* Writer's side: message i is ready.  Reader: wait for it, and back. */
static int sh_post(struct sh *s, uint64_t v)
{
	if (s->mech == M_IPCSHM)
		return ioctl(s->fd, IPCDEV_IOC_SHM_PUBLISH, 0);
	__atomic_store_n(s->fw, (uint32_t)v, __ATOMIC_RELEASE);
	futex(s->fw, FUTEX_WAKE, 1);
	return 0;
}

/* Wait until the counter moves past @seen (== the value we last saw). */
static int sh_wait(struct sh *s, uint64_t seen, uint64_t want)
{
	if (s->mech == M_IPCSHM)
		return ipcshm_wait_change(s->fd, seen) == (int64_t)want ? 0 : -1;
	while (__atomic_load_n(s->fw, __ATOMIC_ACQUIRE) == (uint32_t)seen)
		futex(s->fw, FUTEX_WAIT, (uint32_t)seen);
	return __atomic_load_n(s->fw, __ATOMIC_ACQUIRE) == (uint32_t)want ?
	       0 : -1;
}

static int sh_child(void *arg, int idx)
{
	struct sh *s = arg;
	unsigned char *b = s->full ? buf_alloc(s->len) : NULL;
	long i;

	(void)idx;
	for (i = 0; i < s->n; i++) {
		if (sh_wait(s, 2 * i, 2 * i + 1))
			return -1;
		if (s->full) {
			memcpy(b, s->map, s->len);
			if (check(b, s->len, i))
				return -1;
		} else if (check(s->map, s->len, i)) {
			return -1;
		}
		if (sh_post(s, 2 * i + 2))
			return -1;
	}
	return 0;
}

static void bench_shm(int mech, size_t len, int full)
{
	long n = full ? iters(64) : stream_count(len), i;
	size_t maplen = (len + 4095) / 4096 * 4096 + 4096;
	unsigned char *src = buf_alloc(len);
	struct sh s = { .mech = mech, .fd = -1, .len = len, .full = full };
	int test = full ? T_SHM_BW : T_SHM_STREAM;
	uint64_t t0, t;
	int ok = 0;
	pid_t pid;
	char name[96];

	snprintf(name, sizeof(name), "%s %s %s",
		 full ? "shm store/load bandwidth" : "shm handoff rate",
		 size_str(len), mech_name[mech]);
	if (mech == M_IPCSHM) {
		s.fd = ipcshm_new(len);
		maplen = len;
	} else {
		s.fd = memfd_create("ipcbench", MFD_CLOEXEC);
		if (s.fd >= 0 && ftruncate(s.fd, maplen))
			s.fd = -1;
	}
	if (s.fd < 0)
		goto out;
	s.map = mmap(NULL, maplen, PROT_READ | PROT_WRITE, MAP_SHARED, s.fd,
		     0);
	if (s.map == MAP_FAILED) {
		s.map = NULL;
		goto out;
	}
	if (mech == M_MEMFD)
		s.fw = (uint32_t *)(s.map + maplen - 4096);
	else if (ipcshm_seq(s.fd) != 0)
		goto out;
	memset(s.map, 0, len);	/* both sides start with the pages present */
	s.n = n;
	pid = spawn(sh_child, &s, 0);
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		stamp(full ? src : s.map, len, i);
		if (full)
			memcpy(s.map, src, len);
		if (sh_post(&s, 2 * i + 1) || sh_wait(&s, 2 * i + 1, 2 * i + 2))
			break;
	}
	t = now_ns() - t0;
	ok = i == n;
	if (!ok)
		kill(pid, SIGKILL);
	ok = !reap(pid) && ok;
	/* The handoff touches 32 bytes of a message: a rate, not MB/s. */
	if (full)
		record(test, mech, len, name, ok,
		       ok ? (double)n * len * 1e9 / t : 0,
		       ok ? n * 1e9 / t : 0);
	else
		record(test, mech, len, name, ok, ok ? n * 1e9 / t : 0, 0);
	goto done;
out:
	record(test, mech, len, name, 0, 0, 0);
done:
	if (s.map)
		munmap(s.map, maplen);
	if (s.fd >= 0)
		close(s.fd);
	free(src - 4096);
}

/* ------------------------------------------------------------------ */
/* Queue scaling: P producers and P consumers on one queue             */

struct sc {
	struct chan *c;
	int p;
	long m;
	int startfd;
	int startw;
	int donew;	/* each producer writes one byte when done: 0 = ok */
};

#define STOP_SEQ 0xFFFFFFFFFFFFFFFFULL

static int sc_wait_start(struct sc *s)
{
	char x;

	close(s->startw);	/* else the barrier never sees end-of-file */
	return read(s->startfd, &x, 1) < 0 ? -1 : 0;	/* EOF: go */
}

static int sc_producer(void *arg, int idx)
{
	struct sc *s = arg;
	unsigned char *b = buf_alloc(64);
	long i;

	char failed = 1;

	if (sc_wait_start(s))
		goto out;
	for (i = 0; i < s->m; i++) {
		stamp(b, 64, ((uint64_t)idx << 40) | i);
		if (chan_send(s->c, 0, b, 64))
			goto out;
	}
	failed = 0;
out:
	if (write(s->donew, &failed, 1) != 1)
		return -1;
	return failed ? -1 : 0;
}

static int sc_consumer(void *arg, int idx)
{
	struct sc *s = arg;
	unsigned char *b = buf_alloc(64);
	long last[16], got = 0;
	uint64_t seq;
	int j;

	for (j = 0; j < 16; j++)
		last[j] = -1;
	if (sc_wait_start(s))
		return -1;
	for (;;) {
		if (chan_recv(s->c, 1, b, 64) != 64)
			return -1;
		memcpy(&seq, b, 8);
		if (check(b, 64, seq))
			return -1;
		if (seq == STOP_SEQ) {
			ctl->t_end[idx] = now_ns();
			break;
		}
		j = seq >> 40;
		if (j >= s->p || (long)(seq & ((1ULL << 40) - 1)) <= last[j])
			return -1;	/* out of order for its producer */
		last[j] = seq & ((1ULL << 40) - 1);
		got++;
	}
	ctl->count[idx] = got;
	return 0;
}

static void bench_scale(int mech, int p)
{
	long m = iters(16000) / p;
	struct chan c;
	struct sc s = { &c, p, m, -1, -1, -1 };
	unsigned char *b = buf_alloc(64);
	pid_t prod[8], cons[8];
	uint64_t t0, t = 0;
	long total = 0;
	int sp[2], dp[2], i, ok = 1;
	char st;
	char name[96];

	snprintf(name, sizeof(name), "queue %d producers %d consumers %s", p,
		 p, mech_name[mech]);
	memset(ctl, 0, sizeof(*ctl));
	if (chan_open(&c, mech, 64, 64 * KiB) || pipe(sp)) {
		record(T_SCALE, mech, p, name, 0, 0, 0);
		return;
	}
	if (pipe(dp))
		die("pipe: %s", strerror(errno));
	s.startfd = sp[0];
	s.startw = sp[1];
	s.donew = dp[1];
	for (i = 0; i < p; i++) {
		spawn_cpu = opt_spread ? 1 : -1;	/* consumers: CPU 1 */
		cons[i] = spawn(sc_consumer, &s, i);
		spawn_cpu = opt_spread ? 0 : -1;	/* producers: CPU 0 */
		prod[i] = spawn(sc_producer, &s, i);
	}
	spawn_cpu = -1;
	close(sp[0]);
	t0 = now_ns();
	close(sp[1]);		/* go */
	/* The producers' last puts, then the stops: no exit is timed. */
	for (i = 0; i < p && ok; i++)
		ok = read(dp[0], &st, 1) == 1 && !st;
	stamp(b, 64, STOP_SEQ);
	for (i = 0; i < p && ok; i++)
		ok = !chan_send(&c, 0, b, 64);
	if (!ok)
		for (i = 0; i < p; i++) {
			kill(prod[i], SIGKILL);
			kill(cons[i], SIGKILL);
		}
	for (i = 0; i < p; i++) {
		ok = !reap(prod[i]) && ok;
		ok = !reap(cons[i]) && ok;
	}
	close(dp[0]);
	close(dp[1]);
	for (i = 0; i < p; i++) {
		total += ctl->count[i];
		if (ctl->t_end[i] > t0 + t)
			t = ctl->t_end[i] - t0;
	}
	ok = ok && total == m * p && t;
	chan_close(&c);
	free(b - 4096);
	record(T_SCALE, mech, p, name, ok, ok ? total * 1e9 / t : 0, 0);
}

/* ------------------------------------------------------------------ */
/* One process, no sleeping: the cost of the calls themselves          */

static void bench_self(int mech)
{
	long n = iters(20000), i;
	unsigned char *b = buf_alloc(64);
	struct chan c;
	uint64_t t0, v = 1;
	int ok = 0, fd[2] = { -1, -1 };
	char name[96];

	snprintf(name, sizeof(name), "one process %s", mech_name[mech]);
	if (mech == M_IPCEVENT || mech == M_EVENTFD) {
		fd[0] = mech == M_IPCEVENT ? ipcevent_new() :
					     eventfd(0, EFD_CLOEXEC);
		if (fd[0] < 0)
			goto out;
		t0 = now_ns();
		for (i = 0; i < n; i++) {
			if (mech == M_IPCEVENT) {
				if (ioctl(fd[0], IPCDEV_IOC_EVENT_SET, 0) ||
				    ipcevent_wait(fd[0]) ||
				    ioctl(fd[0], IPCDEV_IOC_EVENT_CLEAR, 0))
					break;
			} else if (write(fd[0], &v, 8) != 8 ||
				   read(fd[0], &v, 8) != 8 || v != 1) {
				break;
			}
		}
		ok = i == n;
		close(fd[0]);
		record(T_SELF, mech, 0, name, ok,
		       ok ? (now_ns() - t0) / (double)n : 0, 0);
		free(b - 4096);
		return;
	}
	if (chan_open(&c, mech, 64, 64 * KiB))
		goto out_chan;
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		stamp(b, 64, i);
		/* Side 0 sends; side 1 receives (both ends in this process). */
		if (chan_send(&c, 0, b, 64) ||
		    chan_recv(&c, 1, b, 64) != 64 || check(b, 64, i))
			break;
	}
	ok = i == n;
	record(T_SELF, mech, 0, name, ok, ok ? (now_ns() - t0) / (double)n : 0,
	       0);
out_chan:
	chan_close(&c);
	free(b - 4096);
	return;
out:
	free(b - 4096);
	record(T_SELF, mech, 0, name, 0, 0, 0);
}

/* Syscall floor: getppid() and a STAT ioctl. */
static double floor_ns[2][MAXRUNS];
static int floor_n;

static void bench_floor(void)
{
	long n = iters(20000), i;
	struct ipcdev_queue_stat st;
	int fd = ipcq_new(0, 0);
	uint64_t t0;

	if (fd < 0 || floor_n >= MAXRUNS)
		return;
	t0 = now_ns();
	for (i = 0; i < n; i++)
		syscall(SYS_getppid);
	floor_ns[0][floor_n] = (now_ns() - t0) / (double)n;
	t0 = now_ns();
	for (i = 0; i < n; i++)
		ioctl(fd, IPCDEV_IOC_QUEUE_STAT, &st);
	floor_ns[1][floor_n] = (now_ns() - t0) / (double)n;
	floor_n++;
	close(fd);
}

/* ------------------------------------------------------------------ */
/* Memory                                                              */

struct meminfo {
	long memfree, slab, sunreclaim;	/* KiB */
	long ipcdev_bytes;
};

static void read_meminfo(struct meminfo *mi)
{
	char line[256];
	FILE *f = fopen("/proc/meminfo", "r");

	memset(mi, 0, sizeof(*mi));
	while (f && fgets(line, sizeof(line), f)) {
		sscanf(line, "MemFree: %ld", &mi->memfree);
		sscanf(line, "Slab: %ld", &mi->slab);
		sscanf(line, "SUnreclaim: %ld", &mi->sunreclaim);
	}
	if (f)
		fclose(f);
	f = fopen("/proc/ipcdev/stats", "r");
	while (f && fgets(line, sizeof(line), f))
		sscanf(line, "bytes %ld", &mi->ipcdev_bytes);
	if (f)
		fclose(f);
}

struct memrow {
	const char *what;
	const char *mech;
	long n;
	double total, slab, acct;	/* bytes per item */
};

static struct memrow memrows[64];
static int nmem;

static void settle(void)
{
	/*
	 * Let RCU-freed objects settle, give the per-CPU free page lists back
	 * to the buddy allocator (compaction drains them: MemFree does not
	 * count them) and fold the per-CPU vmstat deltas (stat_refresh).
	 */
	usleep(20000);
	write_sysctl("/proc/sys/vm/compact_memory", "1");
	write_sysctl("/proc/sys/vm/stat_refresh", "1");
}

static void mem_row(const char *what, const char *mech, long n,
		    struct meminfo *a, struct meminfo *b)
{
	struct memrow *r = &memrows[nmem++];

	r->what = what;
	r->mech = mech;
	r->n = n;
	r->total = (a->memfree - b->memfree) * 1024.0 / n;
	r->slab = (b->slab - a->slab) * 1024.0 / n;
	r->acct = (b->ipcdev_bytes - a->ipcdev_bytes) / (double)n;
}

static void mem_queued(int mech, size_t len)
{
	long n = opt_smoke ? 64 : (len <= 64 ? 8192 : 1024), i;
	size_t cap = n * len * 2;
	unsigned char *b = buf_alloc(len);
	struct meminfo a, z;
	struct chan c;
	int ok = 1;
	char name[96];

	snprintf(name, sizeof(name), "memory per queued %s message %s",
		 size_str(len), mech_name[mech]);
	if (mech == M_SEQPACKET)
		cap = n * (len + 1024);
	if (chan_open(&c, mech, len, cap)) {
		record(T_MEM, mech, len, name, 0, 0, 0);
		return;
	}
	if (mech == M_PIPE && fcntl(c.fd[1], F_SETPIPE_SZ, (int)cap) < 0)
		ok = 0;
	stamp(b, len, 0);
	chan_send(&c, 0, b, len);	/* warm the caches */
	chan_recv(&c, 1, b, len);
	settle();
	read_meminfo(&a);
	for (i = 0; i < n && ok; i++) {
		stamp(b, len, i);
		if (chan_send(&c, 0, b, len))
			ok = 0;
	}
	settle();
	read_meminfo(&z);
	for (i = 0; i < n && ok; i++)
		if (chan_recv(&c, 1, b, len) != (ssize_t)len ||
		    check(b, len, i))
			ok = 0;
	if (ok && !opt_smoke)
		mem_row(size_str(len), mech_name[mech], n, &a, &z);
	chan_close(&c);
	free(b - 4096);
	record(T_MEM, mech, len, name, ok, 0, 0);
}

/* Idle objects: create n, measure, close. */
static int idle_one(int mech, int *fds)
{
	int p[2];

	fds[0] = fds[1] = -1;
	switch (mech) {
	case M_IPCQUEUE:
		return (fds[0] = ipcq_new(0, 0)) < 0 ? -1 : 0;
	case M_IPCPIPE: {
		struct ipcdev_pipe_open o = { 0 };

		fds[0] = dev_open_bound("/dev/ipcpipe", IPCDEV_IOC_PIPE_OPEN,
					&o);
		if (fds[0] < 0)
			return -1;
		fds[1] = o.fd;
		return 0;
	}
	case M_IPCEVENT:
		return (fds[0] = ipcevent_new()) < 0 ? -1 : 0;
	case M_IPCSHM:
		return (fds[0] = ipcshm_new(4096)) < 0 ? -1 : 0;
	case M_PIPE:
		if (pipe2(p, O_CLOEXEC))
			return -1;
		fds[0] = p[0];
		fds[1] = p[1];
		return 0;
	case M_SEQPACKET:
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, p))
			return -1;
		fds[0] = p[0];
		fds[1] = p[1];
		return 0;
	case M_EVENTFD:
		return (fds[0] = eventfd(0, EFD_CLOEXEC)) < 0 ? -1 : 0;
	case M_MEMFD:
		fds[0] = memfd_create("ipcbench", MFD_CLOEXEC);
		return fds[0] < 0 || ftruncate(fds[0], 4096) ? -1 : 0;
	case M_MQ: {
		static int serial;
		struct mq_attr a = { .mq_maxmsg = 10, .mq_msgsize = 8192 };
		char name[64];

		snprintf(name, sizeof(name), "/ipcbench-idle.%d.%d", getpid(),
			 serial++);
		fds[0] = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &a);
		mq_unlink(name);
		return fds[0] < 0 ? -1 : 0;
	}
	case M_SYSV:
		/* No descriptor: fds[1] == -2 marks a msqid in fds[0]. */
		fds[0] = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
		fds[1] = -2;
		return fds[0] < 0 ? -1 : 0;
	}
	return -1;
}

static void idle_close(int *fds)
{
	if (fds[1] == -2) {
		msgctl(fds[0], IPC_RMID, NULL);
		return;
	}
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
}

static void mem_idle(int mech)
{
	long n = opt_smoke ? 16 : 2000, i;
	int (*fds)[2] = calloc(n, sizeof(*fds));
	struct meminfo a, z;
	int ok = 1;
	char name[96];

	snprintf(name, sizeof(name), "memory per idle object %s",
		 mech_name[mech]);
	for (i = 0; i < 4; i++) {	/* warm the caches */
		int w[2];

		if (!idle_one(mech, w))
			idle_close(w);
	}
	settle();
	read_meminfo(&a);
	for (i = 0; i < n; i++)
		if (idle_one(mech, fds[i])) {
			ok = 0;
			break;
		}
	settle();
	read_meminfo(&z);
	if (ok && !opt_smoke)
		mem_row("idle object", mech_name[mech], n, &a, &z);
	while (i-- > 0)
		idle_close(fds[i]);
	free(fds);
	record(T_MEM, mech, 1, name, ok, 0, 0);
}

static void bench_memory(void)
{
	static const int qm[] = { M_IPCQUEUE, M_IPCPIPE, M_MQ, M_SYSV,
				  M_PIPE, M_SEQPACKET };
	static const int im[] = { M_IPCQUEUE, M_IPCPIPE, M_IPCEVENT, M_IPCSHM,
				  M_MQ, M_SYSV, M_PIPE, M_SEQPACKET,
				  M_EVENTFD, M_MEMFD };
	unsigned int i;

	for (i = 0; i < sizeof(qm) / sizeof(qm[0]); i++)
		mem_queued(qm[i], 64);
	for (i = 0; i < sizeof(qm) / sizeof(qm[0]); i++)
		mem_queued(qm[i], 4096);
	for (i = 0; i < sizeof(im) / sizeof(im[0]); i++)
		mem_idle(im[i]);
}

/* ------------------------------------------------------------------ */
/* Reporting                                                           */

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void stats(const double *v, int n, double *mn, double *md, double *mx)
{
	double s[MAXRUNS];

	memcpy(s, v, n * sizeof(double));
	qsort(s, n, sizeof(double), cmp_d);
	*mn = s[0];
	*mx = s[n - 1];
	*md = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static struct result *find(int test, int mech, long param)
{
	return find_d(test, mech, param, 0);
}

static double median_of(struct result *r)
{
	double mn, md, mx;

	if (!r || !r->n || r->failed)
		return 0;
	stats(r->v, r->n, &mn, &md, &mx);
	return md;
}

static void fmt_num(char *b, size_t len, double v)
{
	if (v >= 100)
		snprintf(b, len, "%.0f", v);
	else if (v >= 10)
		snprintf(b, len, "%.1f", v);
	else
		snprintf(b, len, "%.2f", v);
}

/* The calls a row makes, for its label (NULL: the name says it). */
static const char *calls_of(int test, int mech)
{
	switch (mech) {
	case M_IPCQUEUE:
		return test == T_BATCH ? "ioctl QUEUE_PUT_MANY / QUEUE_GET_MANY, depth per call" :
					 "ioctl QUEUE_PUT / QUEUE_GET";
	case M_IPCPIPE:
		return test == T_BATCH ? "ioctl PIPE_SEND_MANY / PIPE_RECV_MANY, depth per call" :
					 "ioctl PIPE_SEND / PIPE_RECV";
	case M_IPCQUEUE_RW:
	case M_IPCPIPE_RW:
	case M_PIPE:
	case M_PIPE_DIRECT:
	case M_IPCEVENT_RW:
	case M_EVENTFD: return "write / read";
	case M_SEQPACKET: return "send / recv";
	case M_MQ: return "mq_send / mq_receive";
	case M_SYSV: return "msgsnd / msgrcv";
	case M_IPCEVENT:
		return test == T_SELF ? "ioctl SET, WAIT, CLEAR" :
					"ioctl SET; WAIT with WAIT_CLEAR";
	case M_FUTEX: return "FUTEX_WAKE / FUTEX_WAIT";
	case M_IPCSHM_LOCK: return "libipcdev ipc_array_lock / ipc_array_unlock";
	case M_PTHREAD: return "pthread_mutex_lock / unlock";
	case M_IPCSHM: return "ioctl SHM_PUBLISH / SHM_WAIT_CHANGE";
	case M_MEMFD: return "futex word: FUTEX_WAKE / FUTEX_WAIT";
	}
	return NULL;
}

static const char *label(struct result *r)
{
	static char b[4][160];
	static int k;
	char *p = b[k++ & 3];
	const char *c = calls_of(r->test, r->mech);

	snprintf(p, 160, "%s%s%s%s", mech_name[r->mech], c ? " (" : "",
		 c ? c : "", c ? ")" : "");
	return p;
}

/* A result without a figure: why. */
static const char *why_none(struct result *r)
{
	static char b[2][64];
	static int k;
	char *p = b[k++ & 1];

	if (!r)
		return "not run";
	if (r->failed)
		snprintf(p, 64, "FAILED (%d of %d rounds)", r->failed,
			 r->failed + r->n);
	else
		snprintf(p, 64, "no figure");
	return p;
}

static int has_figure(struct result *r)
{
	return r && r->n && !r->failed;
}

/* The ratio cell of @r against its anchor in the same run. */
static void ratio_cell(char *q, size_t len, struct result *r, double md,
		       int higher_better)
{
	int anc = anchor_of(r->mech);
	struct result *a;
	double ratio;

	*q = 0;
	if (anc < 0)
		return;
	a = find_d(r->test, anc, r->param, r->depth);
	if (!has_figure(a)) {
		snprintf(q, len, "%s: %s", mech_name[anc], why_none(a));
		return;
	}
	ratio = md / median_of(a);
	snprintf(q, len, "**%.2fx** %s (%s)", ratio, mech_name[anc],
		 (higher_better ? ratio >= 1.0 : ratio <= 1.0) ?
		 "better or equal" : "worse");
}

/* Row options. */
#define R_AUX	0x1	/* a median msg/s column (aux) */
#define R_HELD	0x2	/* a "holds" column (messages the channel held) */
#define R_PARAM	0x4	/* a column for param (processes) */
#define R_HIGH	0x8	/* higher is better */

/* One row: label, min/median/max (scaled by @div), extras, ratio. */
static void row(struct result *r, double div, int opt)
{
	double mn, md, mx, amn, amd, amx;
	char a[32], b[32], c[32], h[32] = "", p[32] = "", q[128];

	if (opt & R_HELD)
		snprintf(h, sizeof(h), r->held > 0 ? " %ld |" : " ? |",
			 r->held);
	if (opt & R_PARAM)
		snprintf(p, sizeof(p), " %ld |", r->param);
	if (!has_figure(r)) {
		printf("| %s |%s%s %s | | |%s |\n", label(r), p, h,
		       why_none(r), opt & R_AUX ? " |" : "");
		return;
	}
	stats(r->v, r->n, &mn, &md, &mx);
	fmt_num(a, sizeof(a), mn / div);
	fmt_num(b, sizeof(b), md / div);
	fmt_num(c, sizeof(c), mx / div);
	ratio_cell(q, sizeof(q), r, md, opt & R_HIGH);
	if (opt & R_AUX) {
		stats(r->aux, r->n, &amn, &amd, &amx);
		printf("| %s |%s%s %s | %s | %s | %.0f | %s |\n", label(r), p,
		       h, a, b, c, amd, q);
	} else {
		printf("| %s |%s%s %s | %s | %s | %s |\n", label(r), p, h, a,
		       b, c, q);
	}
}

static void header(const char *unit, int opt)
{
	printf("| mechanism (calls) |%s%s min %s | median %s | max %s |%s ipcdev vs anchor (median) |\n",
	       opt & R_PARAM ? " processes |" : "",
	       opt & R_HELD ? " holds (msgs) |" : "", unit, unit, unit,
	       opt & R_AUX ? " median msg/s |" : "");
	printf("|---|%s%s---:|---:|---:|%s---|\n", opt & R_PARAM ? "---:|" : "",
	       opt & R_HELD ? "---:|" : "", opt & R_AUX ? "---:|" : "");
}

static int any_of(int test, long param, int depth, int any_param)
{
	int i;

	for (i = 0; i < nres; i++)
		if (res[i].test == test && res[i].depth == depth &&
		    (any_param || res[i].param == param))
			return 1;
	return 0;
}

/* Every row of @test at @depth (all params), one table. */
static void table_rows(int test, int depth, const char *unit, int opt)
{
	int i;

	header(unit, opt);
	for (i = 0; i < nres; i++)
		if (res[i].test == test && res[i].depth == depth)
			row(&res[i], 1, opt);
}

static void table_latency(int test, const char *title, const char *unit,
			  const char *method)
{
	int i, any = 0, opt = test == T_RTT ? R_HELD : 0, d = 0;

	for (i = 0; i < nres; i++)
		if (res[i].test == test) {
			any = 1;
			d = res[i].depth;
			if (res[i].param != res[0].param && test == T_LOCK_CONT)
				opt |= R_PARAM;
		}
	if (!any)
		return;
	if (test == T_LOCK_CONT)
		opt |= R_PARAM;
	printf("\n### %s\n\n%s\n\n", title, method);
	table_rows(test, d, unit, opt);
}

/* Per depth (0: none), per size: MB/s (@mbps) or msg/s tables. */
static void table_stream(int test, const char *title, const char *method,
			 int mbps)
{
	static const long sizes[] = { 64, 4096, 65536, 1048576, 4194304 };
	int dl[NR_DEPTHS + 1], nd = 0, i, j, opt;
	unsigned int s;

	for (i = 0; i < NR_DEPTHS; i++)
		dl[nd++] = depths[i];
	dl[nd++] = 0;
	for (j = 0; j < nd; j++) {
		if (!any_of(test, 0, dl[j], 1))
			continue;
		if (dl[j])
			printf("\n### %s, depth %d\n\n%s\n", title, dl[j],
			       method);
		else
			printf("\n### %s\n\n%s\n", title, method);
		for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			if (!any_of(test, sizes[s], dl[j], 0))
				continue;
			printf("\n%s messages%s:\n\n", size_str(sizes[s]),
			       dl[j] ? ", each direction holding the depth" : "");
			opt = R_HIGH | (mbps ? R_AUX : 0) | (dl[j] ? R_HELD : 0);
			header(mbps ? "MB/s" : "msg/s", opt);
			for (i = 0; i < nres; i++)
				if (res[i].test == test &&
				    res[i].param == sizes[s] &&
				    res[i].depth == dl[j])
					row(&res[i], mbps ? 1e6 : 1, opt);
		}
	}
}

static void table_scale(const char *method)
{
	int i, any = 0;

	for (i = 0; i < nres; i++)
		any |= res[i].test == T_SCALE;
	if (!any)
		return;
	printf("\n### Queue scaling: P producers and P consumers on one queue, 64 B messages\n\n%s\n\n",
	       method);
	printf("| mechanism (calls) | P | min msg/s | median msg/s | max msg/s | vs its own 1-1 (median) | vs POSIX mq, same P (median) |\n");
	printf("|---|---:|---:|---:|---:|---|---|\n");
	for (i = 0; i < nres; i++) {
		struct result *r = &res[i], *one, *mq;
		double mn, md, mx;
		char v1[64], vm[64];

		if (r->test != T_SCALE)
			continue;
		if (!has_figure(r)) {
			printf("| %s | %ld | %s | | | | |\n", label(r),
			       r->param, why_none(r));
			continue;
		}
		stats(r->v, r->n, &mn, &md, &mx);
		one = find(T_SCALE, r->mech, 1);
		mq = r->mech == M_MQ ? NULL : find(T_SCALE, M_MQ, r->param);
		if (has_figure(one))
			snprintf(v1, sizeof(v1), "%.2fx", md / median_of(one));
		else
			snprintf(v1, sizeof(v1), "1-1: %s", why_none(one));
		if (r->mech == M_MQ)
			*vm = 0;
		else if (has_figure(mq))
			snprintf(vm, sizeof(vm), "%.2fx", md / median_of(mq));
		else
			snprintf(vm, sizeof(vm), "POSIX mq: %s", why_none(mq));
		printf("| %s | %ld | %.0f | %.0f | %.0f | %s | %s |\n",
		       label(r), r->param, mn, md, mx, v1, vm);
	}
}

static void table_memory(void)
{
	int i;

	if (!nmem)
		return;
	printf("\n### Kernel memory\n\n"
	       "Method: one process creates N objects (N = 2000) or queues N "
	       "messages (N = 8192 of 64 B, 1024 of 4 KiB) and reads "
	       "/proc/meminfo (MemFree, Slab) and /proc/ipcdev/stats (bytes: "
	       "the module's own accounting of queued payload) before and "
	       "after, after a warm-up.  \"total\" is the drop of MemFree per "
	       "item (slab, pages, page tables of the pipe buffers...); "
	       "\"slab\" the growth of Slab per item; an idle object includes "
	       "its open file(s) (struct file, dentry, inode).  Queues and "
	       "pipes were given room for every message (pipe(2): "
	       "F_SETPIPE_SZ; socket: SO_SNDBUFFORCE; POSIX mq: mq_maxmsg = "
	       "N).  One run; MemFree moves by whole pages, so figures below "
	       "~8 bytes per item are noise.\n\n");
	printf("| item | mechanism | N | total bytes/item | slab bytes/item | ipcdev stats bytes/item |\n");
	printf("|---|---|---:|---:|---:|---:|\n");
	for (i = 0; i < nmem; i++) {
		struct memrow *r = &memrows[i];
		int dev = strncmp(r->mech, "ipc", 3) == 0;
		char acct[32] = "-";

		if (dev && strcmp(r->what, "idle object"))
			snprintf(acct, sizeof(acct), "%.0f", r->acct);
		printf("| %s | %s | %ld | %.0f | %.0f | %s |\n",
		       strcmp(r->what, "idle object") ? "queued message" :
							 "idle object",
		       r->mech, r->n, r->total, r->slab, acct);
	}
	printf("\nQueued-message rows: message size in the order 64 B rows "
	       "first, then 4 KiB rows (see the N column: 8192 = 64 B, "
	       "1024 = 4 KiB).\n");
}

/* Why a target's row has no result in this run. */
static const char *why_not_run(int test)
{
	if (opt_spread && test != T_LOCK_CONT && test != T_SCALE)
		return "not run (--spread runs only the contended lock and the queue scaling)";
	if (opt_only || opt_mech || opt_size)
		return "not run (left out by --only/--mech/--size)";
	return "not run";
}

/*
 * One target cell: the ratio of medians of @mech to @anchor at @depth
 * against @limit, or why there is none.
 */
static void target_cell(char *b, size_t len, int test, int mech, int anchor,
			long param, long aparam, int depth, double limit,
			int higher_better)
{
	struct result *x = find_d(test, mech, param, depth);
	struct result *y = find_d(test, anchor, aparam, depth);
	double r;

	if (!x || !y) {
		snprintf(b, len, "%s%s: %s", x ? "anchor " : "",
			 mech_name[x ? anchor : mech], why_not_run(test));
		return;
	}
	if (!has_figure(x) || !has_figure(y)) {
		snprintf(b, len, "%s%s: %s", has_figure(x) ? "anchor " : "",
			 mech_name[has_figure(x) ? anchor : mech],
			 why_none(has_figure(x) ? y : x));
		return;
	}
	r = median_of(x) / median_of(y);
	snprintf(b, len, "%.2fx %s", r,
		 (higher_better ? r >= limit : r <= limit) ? "met" :
		 "**missed**");
}

/* One line of the targets table at depth 0 (the tests without one). */
static void target(const char *what, int test, int mech, int anchor,
		   long param, long aparam, double limit, int higher_better)
{
	char c[128];

	target_cell(c, sizeof(c), test, mech, anchor, param, aparam, 0, limit,
		    higher_better);
	printf("| %s | %s |\n", what, c);
}

/*
 * A per-message target (issue 18): ipcdev's @mech (ioctls) and @rw (its
 * read/write twin) against @anchor, at each depth.
 */
static void target_depths(const char *what, int test, int mech, int rw,
			  int anchor, long size, double limit,
			  int higher_better)
{
	char c[128];
	int i, k;

	printf("| %s |", what);
	for (k = 0; k < 2; k++)
		for (i = 0; i < NR_DEPTHS; i++) {
			/* rw < 0: no read/write variant (the batches) */
			if ((test == T_RTT && depths[i] != 8) ||
			    (k && rw < 0)) {
				printf(" |");
				continue;
			}
			target_cell(c, sizeof(c), test, k ? rw : mech, anchor,
				    size, size, depths[i], limit,
				    higher_better);
			printf(" %s |", c);
		}
	printf("\n");
}

static void table_targets(void)
{
	int i, k;

	printf("\n### Targets (ratios of medians, same run)\n\n");
	if (!opt_spread) {
		printf("Per message (issue 18), at each depth (messages each "
		       "direction holds); ioctl: the devices' own calls, "
		       "read/write: write(2) and read(2) on them, as libipcdev "
		       "sends a blocking put or get.\n\n| target |");
		for (k = 0; k < 2; k++)
			for (i = 0; i < NR_DEPTHS; i++)
				printf(" %s, depth %d |", k ? "read/write" :
				       "ioctl", depths[i]);
		printf("\n|---|");
		for (i = 0; i < 2 * NR_DEPTHS; i++)
			printf("---:|");
		printf("\n");
		target_depths("ipcqueue 64 B round trip <= 0.95x POSIX mq",
			      T_RTT, M_IPCQUEUE, M_IPCQUEUE_RW, M_MQ, 64, 0.95,
			      0);
		target_depths("ipcpipe 64 B round trip <= 0.95x pipe(2)",
			      T_RTT, M_IPCPIPE, M_IPCPIPE_RW, M_PIPE, 64, 0.95,
			      0);
		target_depths("ipcqueue streaming 64 B >= 1.0x POSIX mq "
			      "(one message per call)", T_STREAM, M_IPCQUEUE,
			      M_IPCQUEUE_RW, M_MQ, 64, 1.0, 1);
		target_depths("ipcpipe streaming 64 B >= 1.0x pipe(2) "
			      "(one message per call)", T_STREAM, M_IPCPIPE,
			      M_IPCPIPE_RW, M_PIPE, 64, 1.0, 1);
		target_depths("ipcqueue batch streaming 64 B >= 3x POSIX mq "
			      "(ioctl column: QUEUE_PUT_MANY / GET_MANY)",
			      T_BATCH, M_IPCQUEUE, -1, M_MQ, BATCH_LEN, 3.0,
			      1);
		target_depths("ipcpipe batch streaming 64 B >= 3x pipe(2) "
			      "(ioctl column: PIPE_SEND_MANY / RECV_MANY)",
			      T_BATCH, M_IPCPIPE, -1, M_PIPE, BATCH_LEN, 3.0,
			      1);
		target_depths("ipcqueue streaming 4 KiB >= 1.1x POSIX mq",
			      T_STREAM, M_IPCQUEUE, M_IPCQUEUE_RW, M_MQ, 4096,
			      1.1, 1);
		target_depths("ipcpipe streaming 4 KiB >= 1.0x pipe(2)",
			      T_STREAM, M_IPCPIPE, M_IPCPIPE_RW, M_PIPE, 4096,
			      1.0, 1);
		target_depths("ipcqueue streaming 64 KiB >= 1.2x POSIX mq",
			      T_STREAM, M_IPCQUEUE, M_IPCQUEUE_RW, M_MQ, 65536,
			      1.2, 1);
		target_depths("ipcpipe streaming 64 KiB >= 1.2x pipe(2)",
			      T_STREAM, M_IPCPIPE, M_IPCPIPE_RW, M_PIPE, 65536,
			      1.2, 1);
		target_depths("ipcqueue streaming 1 MiB >= 1.2x POSIX mq",
			      T_STREAM, M_IPCQUEUE, M_IPCQUEUE_RW, M_MQ,
			      1048576, 1.2, 1);
		target_depths("ipcpipe streaming 1 MiB >= 1.2x pipe(2)",
			      T_STREAM, M_IPCPIPE, M_IPCPIPE_RW, M_PIPE,
			      1048576, 1.2, 1);
		printf("\n");
	}
	printf("| target | measured |\n|---|---|\n");
	if (!opt_spread) {
		target("ipcevent read/write wake round trip <= 1.0x eventfd",
		       T_WAKE, M_IPCEVENT_RW, M_EVENTFD, 0, 0, 1.0, 0);
		target("ipcevent wake round trip (SET; WAIT_CLEAR) <= 1.0x eventfd",
		       T_WAKE, M_IPCEVENT, M_EVENTFD, 0, 0, 1.0, 0);
		target("ipcshm store/load bandwidth 1 MiB >= 0.95x memfd",
		       T_SHM_BW, M_IPCSHM, M_MEMFD, 1048576, 1048576, 0.95, 1);
		target("ipcshm store/load bandwidth 4 MiB >= 0.95x memfd",
		       T_SHM_BW, M_IPCSHM, M_MEMFD, 4194304, 4194304, 0.95, 1);
		target("ipc_array_lock handoff (contended) <= 1.0x pthread mutex",
		       T_LOCK_HANDOFF, M_IPCSHM_LOCK, M_PTHREAD, 0, 0, 1.0, 0);
	}
	target("ipc_array_lock, 2 processes hammering <= 1.0x pthread mutex",
	       T_LOCK_CONT, M_IPCSHM_LOCK, M_PTHREAD, 2, 2, 1.0, 0);
	target("ipc_array_lock, 4 processes hammering <= 1.0x pthread mutex",
	       T_LOCK_CONT, M_IPCSHM_LOCK, M_PTHREAD, 4, 4, 1.0, 0);
	target("ipcqueue 4 producers + 4 consumers >= its 1-1 (msg/s)", T_SCALE,
	       M_IPCQUEUE, M_IPCQUEUE, 4, 1, 1.0, 1);
	target("ipcqueue 4 producers + 4 consumers >= POSIX mq 4 + 4 (msg/s)",
	       T_SCALE, M_IPCQUEUE, M_MQ, 4, 4, 1.0, 1);
}

static const char depth_method[] =
	"Depth: each direction holds the same number of messages for every "
	"mechanism (ipcqueue maxsize = depth and bytes_max = depth x size; "
	"ipcpipe capacity = depth x size; POSIX mq mq_maxmsg = depth; System V "
	"msg_qbytes = depth x size; pipe2(O_DIRECT) F_SETPIPE_SZ = depth "
	"packets, each size rounded up to pages; socketpair SO_SNDBUF = depth "
	"x the skb truesize of one message, measured with SIOCOUTQ, but not "
	"below the kernel's minimum send buffer; pipe(2) F_SETPIPE_SZ = depth "
	"x size, which the kernel rounds up to a power of two pages: a byte "
	"pipe's depth is bytes, and small writes share a page, so a one-page "
	"pipe holds 64 messages of 64 B at any depth).  \"holds\": the "
	"messages the channel took, counted before the timed run by filling "
	"one direction without waiting and draining it (so every mechanism "
	"also starts warm).";

static void report(const char *method)
{
	double mn, md, mx;
	char m[2048];

	printf("\n## Results%s%s\n\n%s\n", *opt_title ? ": " : "", opt_title,
	       method);
	table_targets();
	snprintf(m, sizeof(m), "Parent sends 64 B (sequence number and check "
		 "words), the child checks and echoes it, the parent checks "
		 "the echo.  Per round: 4000 round trips after 400 warm-up "
		 "ones, total time / count.  Two queues / pipes / mq (one per "
		 "direction) for the one-way mechanisms, one duplex ipcpipe, "
		 "one socketpair.  %s", depth_method);
	table_latency(T_RTT, "Round trip of a 64-byte message, depth 8", "ns",
		      m);
	table_latency(T_WAKE, "Wake-up round trip (events)", "ns",
		      "Two events: the parent raises A and waits for B, the "
		      "child waits for A and raises B.  ipcevent: "
		      "IPCDEV_IOC_EVENT_SET, then IPCDEV_IOC_EVENT_WAIT with "
		      "IPCDEV_EVENT_WAIT_CLEAR (wait and lower the flag in one "
		      "call): two ioctls per side and round; ipcevent "
		      "read/write: write(2) raises, read(2) waits and lowers; "
		      "eventfd: write(1), read (which resets the counter); "
		      "futex: a shared word, FUTEX_WAKE / FUTEX_WAIT.");
	table_latency(T_LOCK_HANDOFF, "Lock handoff under contention", "ns",
		      "The child sleeps in lock() (the parent checks: "
		      "ipc_array_stat() lock_waiters > 0, or glibc's futex word "
		      "== 2); the parent takes a timestamp and unlocks; the "
		      "child's lock() returns and it takes the second "
		      "timestamp.  Mean of 1000 handoffs: the unlock call, the "
		      "wake-up, the switch and the return from lock().  The "
		      "ipcshm rows call libipcdev (ipc_array_lock(), "
		      "ipc_array_unlock()): the lock's fast path is the "
		      "library's compare-and-swap of the mapped lock word, the "
		      "kernel entered only to sleep or wake.");
	snprintf(m, sizeof(m), "P processes (2, 4) each do 20000/P lock / "
		 "critical section (ownership check, shared counter) / unlock; "
		 "wall time divided by the 20000 pairs.  ipcshm: libipcdev's "
		 "ipc_array_lock() / ipc_array_unlock(), as above.  %s",
		 opt_spread ? "Process i pinned to CPU i % 2 (sched_setaffinity): "
		 "the lock word and the counter move between the CPUs, and a "
		 "waiter sleeps and is woken across them." :
		 "On one CPU the processes rarely collide: this is mostly the "
		 "cost of the calls.");
	table_latency(T_LOCK_CONT, "Lock contended, P processes", "ns", m);
	table_latency(T_LOCK_SELF, "Lock + unlock, uncontended", "ns",
		      "One process, 20000 lock / critical section / unlock "
		      "(ipcshm: libipcdev's ipc_array_lock() / "
		      "ipc_array_unlock()).");
	snprintf(m, sizeof(m), "The parent sends N messages (stamped), the "
		 "child receives and checks every one, then sends one message "
		 "back; time from the first send to that answer.  N: 20000 x "
		 "64 B, 4000 x 4 KiB, 400 x 64 KiB, 24 x 1 MiB.  %s  MB = 10^6 "
		 "bytes.", depth_method);
	table_stream(T_STREAM, "One-way streaming throughput", m, 1);
	table_stream(T_BATCH, "64 B streaming, batch",
		     "As the streaming table, 64 B messages, at each depth D "
		     "(8, 2): ipcqueue bytes_max and ipcpipe capacity D x 64 "
		     "bytes, mq_maxmsg D (pipe(2): F_SETPIPE_SZ D x 64, which "
		     "the kernel rounds up to a page: 64 messages).  ipcqueue "
		     "and ipcpipe move up to D messages per call each way "
		     "(ioctl QUEUE_PUT_MANY/GET_MANY, PIPE_SEND_MANY/"
		     "RECV_MANY); POSIX mq and pipe(2) one per mq_send/"
		     "mq_receive, write/read.", 1);
	table_stream(T_SHM_STREAM, "Shared memory: handoff rate",
		     "A segment of the message's size mapped by both "
		     "processes.  The writer stamps the message in place (4 "
		     "words: 32 bytes, not the whole message) and notifies, the "
		     "reader waits, checks those 32 bytes in place, notifies "
		     "back.  ipcshm: IPCDEV_IOC_SHM_PUBLISH and WAIT_CHANGE on "
		     "the change counter; memfd: a futex word in an extra page "
		     "of the mapping.  Same counts as the streaming table.  A "
		     "rate of handoffs: the size only sets the mapping; see the "
		     "next table for bandwidth.", 0);
	table_stream(T_SHM_BW, "Shared memory: mapped store/load bandwidth",
		     "As above, but the writer stores the whole message into "
		     "the mapping (memcpy from a private buffer) and the reader "
		     "loads all of it (memcpy to a private buffer) before "
		     "checking: 64 handoffs of 1 MiB and 4 MiB.", 1);
	snprintf(m, sizeof(m), "Each producer puts 16000/P stamped messages; "
		 "each consumer checks every message (stamp, per-producer "
		 "order) and stops at a stop message the parent queues once "
		 "every producer has reported its last put; all are counted.  "
		 "Time from the start barrier to the last consumer's receipt "
		 "of its stop message (no process exit is timed).  ipcqueue "
		 "(maxsize 1024, bytes_max 64 KiB), and POSIX mq for reference "
		 "(mq_maxmsg 1024 x 64 B).%s", opt_spread ? "  Producers "
		 "pinned to CPU 0, consumers to CPU 1 (sched_setaffinity): "
		 "every message crosses the CPUs; the parent, which only "
		 "starts and stops them, is not pinned." : "");
	table_scale(m);
	table_latency(T_SELF, "One process, no sleeping: cost of the calls",
		      "ns", "A 64 B message sent and received (both ends in "
		      "one process: send, then receive), or for events one "
		      "set + wait + clear (ipcevent, 3 ioctls) against one "
		      "write + read (eventfd).  No wake-up, no context switch: "
		      "the per-call cost of each path.");
	if (floor_n) {
		stats(floor_ns[0], floor_n, &mn, &md, &mx);
		printf("\nSyscall floor: getppid() min %.0f / median %.0f / max %.0f ns",
		       mn, md, mx);
		stats(floor_ns[1], floor_n, &mn, &md, &mx);
		printf("; IPCDEV_IOC_QUEUE_STAT ioctl min %.0f / median %.0f / max %.0f ns.\n",
		       mn, md, mx);
	}
	table_memory();
}

/* ------------------------------------------------------------------ */
/* Main                                                                */

/* --only A,B: a test runs when one of A, B is a substring of its key. */
static int want(const char *name)
{
	const char *p = opt_only, *e;
	char tok[64];

	if (!p)
		return 1;
	for (; *p; p = *e ? e + 1 : e) {
		e = strchrnul(p, ',');
		snprintf(tok, sizeof(tok), "%.*s", (int)(e - p), p);
		if (*tok && strstr(name, tok))
			return 1;
	}
	return 0;
}

/* --mech NAME: only that mechanism (exact name, e.g. "POSIX mq"). */
static int wantm(int m)
{
	return !opt_mech || !strcmp(mech_name[m], opt_mech);
}

/* --spread: the contended lock and the queue scaling, across two CPUs. */
static void spread_round(void)
{
	int i, p;

	for (p = 2; p <= 4; p *= 2)
		for (i = M_IPCSHM_LOCK; i <= M_PTHREAD; i++)
			if (want("lock") && wantm(i))
				bench_lock_contended(i, p);
	for (p = 1; p <= 4; p *= 4) {
		if (want("scale") && wantm(M_IPCQUEUE))
			bench_scale(M_IPCQUEUE, p);
		if (want("scale") && wantm(M_MQ))
			bench_scale(M_MQ, p);
	}
}

/* The round trips (depth 8) and the streams, at each depth. */
static void depth_round(void)
{
	static const int msg[] = { M_IPCQUEUE, M_IPCQUEUE_RW, M_MQ,
				   M_IPCPIPE, M_IPCPIPE_RW, M_PIPE,
				   M_PIPE_DIRECT, M_SEQPACKET, M_SYSV };
	static const size_t sizes[] = { 64, 4096, 65536, 1048576 };
	static const int batch[] = { M_IPCQUEUE, M_MQ, M_IPCPIPE, M_PIPE };
	unsigned int i, s;
	int d;

	for (d = 0; d < NR_DEPTHS; d++) {
		cur_depth = depths[d];
		for (i = 0; i < sizeof(msg) / sizeof(msg[0]); i++)
			if (cur_depth == 8 && want("rtt") && wantm(msg[i]))
				bench_rtt(msg[i]);
		for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
			for (i = 0; i < sizeof(msg) / sizeof(msg[0]); i++)
				if (want("stream") && wantm(msg[i]) &&
				    (!opt_size || opt_size == (long)sizes[s]))
					bench_stream(msg[i], sizes[s]);
		for (i = 0; i < sizeof(batch) / sizeof(batch[0]); i++)
			if (want("batch") && wantm(batch[i]))
				bench_stream_batch(batch[i]);
	}
	cur_depth = 0;
}

static void one_round(void)
{
	static const int msg[] = { M_IPCQUEUE, M_IPCQUEUE_RW, M_MQ,
				   M_IPCPIPE, M_IPCPIPE_RW, M_PIPE,
				   M_PIPE_DIRECT, M_SEQPACKET, M_SYSV };
	static const size_t sizes[] = { 64, 4096, 65536, 1048576 };
	unsigned int i, s;
	int p;

	if (opt_spread) {
		spread_round();
		return;
	}
	if (want("floor") && !opt_mech)
		bench_floor();
	depth_round();
	for (i = M_IPCEVENT; i <= M_FUTEX; i++)
		if (want("wake") && wantm(i))
			bench_wake(i);
	for (i = M_IPCSHM_LOCK; i <= M_PTHREAD; i++) {
		if (want("lock") && wantm(i))
			bench_lock_self(i);
		if (want("lock") && wantm(i))
			bench_lock_handoff(i);
		for (p = 2; p <= 4; p *= 2)
			if (want("lock") && wantm(i))
				bench_lock_contended(i, p);
	}
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
		for (i = M_IPCSHM; i <= M_MEMFD; i++)
			if (want("shm") && wantm(i))
				bench_shm(i, sizes[s], 0);
	for (i = M_IPCSHM; i <= M_MEMFD; i++) {
		if (want("shmbw") && wantm(i))
			bench_shm(i, MiB, 1);
		if (want("shmbw") && wantm(i))
			bench_shm(i, 4 * MiB, 1);
	}
	for (p = 1; p <= 4; p *= 2) {
		if (want("scale") && wantm(M_IPCQUEUE))
			bench_scale(M_IPCQUEUE, p);
		if (want("scale") && wantm(M_MQ))
			bench_scale(M_MQ, p);
	}
	for (i = 0; i < sizeof(msg) / sizeof(msg[0]); i++)
		if (want("self") && wantm(msg[i]))
			bench_self(msg[i]);
	if (want("self") && wantm(M_IPCEVENT))
		bench_self(M_IPCEVENT);
	if (want("self") && wantm(M_EVENTFD))
		bench_self(M_EVENTFD);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: ipcbench [--smoke] [--rounds N] [--scale F] "
		"[--pin | --spread] [--no-mem] [--only TEST[,TEST...]] "
		"[--mech NAME] [--size BYTES] [--title TEXT]\n"
		"  TEST: a substring of floor rtt wake lock stream shm shmbw "
		"scale self mem batch\n"
		"  --spread: only lock and scale, processes on CPUs 0 and 1\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
	struct sigaction sa;
	char method[768];
	int i, r;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--smoke"))
			opt_smoke = 1;
		else if (!strcmp(argv[i], "--pin"))
			opt_pin = 1;
		else if (!strcmp(argv[i], "--spread"))
			opt_spread = 1;
		else if (!strcmp(argv[i], "--no-mem"))
			opt_mem = 0;
		else if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
			opt_rounds = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--scale") && i + 1 < argc)
			opt_scale = atof(argv[++i]);
		else if (!strcmp(argv[i], "--only") && i + 1 < argc)
			opt_only = argv[++i];
		else if (!strcmp(argv[i], "--size") && i + 1 < argc)
			opt_size = atol(argv[++i]);
		else if (!strcmp(argv[i], "--mech") && i + 1 < argc)
			opt_mech = argv[++i];
		else if (!strcmp(argv[i], "--title") && i + 1 < argc)
			opt_title = argv[++i];
		else
			usage();
	}
	if (opt_rounds < 1 || opt_rounds > MAXRUNS ||
	    (opt_spread && (opt_pin || opt_smoke)))
		usage();
	if (opt_smoke) {
		/* Pinned: unpinned TCG round trips take milliseconds. */
		opt_rounds = 1;
		opt_pin = 1;
		test_timeout = 60;
	}

	setvbuf(stdout, NULL, _IOLBF, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;	/* no SA_RESTART: a stuck call fails */
	sigaction(SIGALRM, &sa, NULL);
	/* Room for the anchors: mq bytes, SysV message size, many fds. */
	setrlimit(RLIMIT_MSGQUEUE, &rl);
	rl.rlim_cur = rl.rlim_max = 65536;
	setrlimit(RLIMIT_NOFILE, &rl);
	write_sysctl("/proc/sys/kernel/msgmax", "16777216");
	write_sysctl("/proc/sys/kernel/msgmnb", "16777216");
	write_sysctl("/proc/sys/net/unix/max_dgram_qlen", "65536");
	write_sysctl("/proc/sys/fs/pipe-max-size", "16777216");	/* 8 x 1 MiB */
	if (opt_spread && sysconf(_SC_NPROCESSORS_ONLN) < 2)
		die("--spread: needs 2 CPUs, %ld online",
		    sysconf(_SC_NPROCESSORS_ONLN));
	if (opt_pin)
		pin_to(0);
	ctl = shared_anon(4096);
	if (access("/dev/ipcqueue", F_OK))
		fprintf(stderr, "ipcbench: /dev/ipcqueue missing: module not loaded?\n");

	if (opt_smoke)
		printf("TAP version 13\n");
	for (r = 0; r < opt_rounds; r++) {
		if (!opt_smoke)
			fprintf(stderr, "ipcbench: round %d of %d\n", r + 1,
				opt_rounds);
		one_round();
	}
	if (opt_mem && !opt_spread && (want("mem") || opt_smoke))
		bench_memory();
	if (opt_smoke) {
		printf("1..%d\n", tap_n);
		printf("# %d passed, %d failed\n", tap_n - tap_fail, tap_fail);
		return tap_fail ? 1 : 0;
	}
	snprintf(method, sizeof(method),
		 "%d rounds, interleaved (every test once per round); "
		 "min / median / max over the rounds; ratios are medians.%s",
		 opt_rounds, opt_pin ?
		 "  Both processes (all processes) pinned to CPU 0 "
		 "(sched_setaffinity)." : opt_spread ?
		 "  Processes pinned to different CPUs (sched_setaffinity "
		 "to CPU 0 and CPU 1; each table says which goes where); only "
		 "the contended lock and the queue scaling run in this mode." :
		 "");
	report(method);
	for (i = 0; i < nres; i++)
		if (res[i].failed)
			return 1;
	return 0;
}
