// SPDX-License-Identifier: GPL-2.0
/*
 * ipcbench: the ipcdev benchmark suite (issue 8).
 *
 * Two processes (fork) talk only through the mechanism under test; the
 * harness itself (start barriers, collecting counts) uses a separate shared
 * mapping outside the timed regions.  Mechanisms: the four ipcdev devices
 * (raw ioctls of <linux/ipcdev.h>, no library in the timed paths) and the
 * anchors pipe(2), pipe2(O_DIRECT), socketpair(AF_UNIX, SOCK_SEQPACKET),
 * POSIX mq, System V msg, eventfd, futex, a memfd mapping and a
 * PTHREAD_PROCESS_SHARED mutex.
 *
 *   ipcbench [--rounds N] [--scale F] [--pin] [--smoke] [--no-mem]
 *            [--only SUBSTRING] [--mech NAME] [--size BYTES] [--title TEXT]
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

static int opt_smoke, opt_rounds = 5, opt_pin, opt_mem = 1;
static double opt_scale = 1.0;
static const char *opt_only;
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

static int ipcq_new(size_t cap)
{
	struct ipcdev_queue_open o = { .bytes_max = cap };

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

static int chan_open(struct chan *c, int mech, size_t msgsize, size_t cap)
{
	static int serial;
	int p[2], i;

	memset(c, 0, sizeof(*c));
	c->mech = mech;
	c->msgsize = msgsize;
	for (i = 0; i < 4; i++)
		c->fd[i] = -1;
	switch (mech) {
	case M_IPCQUEUE:
	case M_IPCQUEUE_RW:
		c->fd[0] = ipcq_new(cap);	/* side 0 -> side 1 */
		c->fd[1] = ipcq_new(cap);	/* side 1 -> side 0 */
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
	case M_PIPE_DIRECT:
		for (i = 0; i < 2; i++) {
			if (pipe2(p, O_CLOEXEC |
				  (mech == M_PIPE_DIRECT ? O_DIRECT : 0)))
				return -1;
			if (fcntl(p[1], F_SETPIPE_SZ, (int)cap) < 0)
				perror("F_SETPIPE_SZ");
			c->fd[2 * i] = p[0];
			c->fd[2 * i + 1] = p[1];
		}
		return 0;
	case M_SEQPACKET: {
		int sz = (int)(2 * cap + 64 * KiB);

		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, p))
			return -1;
		for (i = 0; i < 2; i++) {
			if (setsockopt(p[i], SOL_SOCKET, SO_SNDBUFFORCE, &sz,
				       sizeof(sz)))
				setsockopt(p[i], SOL_SOCKET, SO_SNDBUF, &sz,
					   sizeof(sz));
			c->fd[i] = p[i];
		}
		return 0;
	}
	case M_MQ:
		for (i = 0; i < 2; i++) {
			struct mq_attr a = {
				.mq_maxmsg = cap / msgsize < 2 ? 2 :
					     cap / msgsize,
				.mq_msgsize = msgsize,
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

static pid_t spawn(int (*fn)(void *, int), void *arg, int idx)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
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
	int n;
	double v[MAXRUNS];	/* ns per op, or bytes/s, or msg/s */
	double aux[MAXRUNS];	/* msg/s for streams */
	int failed;
	char name[96];
};

#define MAXRES 256
static struct result res[MAXRES];
static int nres;

static struct result *result_get(int test, int mech, long param)
{
	int i;

	for (i = 0; i < nres; i++)
		if (res[i].test == test && res[i].mech == mech &&
		    res[i].param == param)
			return &res[i];
	if (nres == MAXRES)
		die("too many results");
	res[nres].test = test;
	res[nres].mech = mech;
	res[nres].param = param;
	return &res[nres++];
}

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

	snprintf(name, sizeof(name), "round trip 64 B %s", mech_name[mech]);
	if (chan_open(&c, mech, len, 64 * KiB))
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

static size_t stream_cap(size_t len)
{
	return len * 2 > 64 * KiB ? len * 2 : 64 * KiB;
}

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

	snprintf(name, sizeof(name), "stream %s %s", size_str(len),
		 mech_name[mech]);
	if (chan_open(&c, mech, len, stream_cap(len)))
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
#define BATCH_DEPTH	8	/* messages per direction, and per batch */

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
		r = chan_batch(p->c, 1, 0, b, p->n - got < BATCH_DEPTH ?
			       (int)(p->n - got) : BATCH_DEPTH);
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
 * 64 B one-way streaming at a depth of BATCH_DEPTH messages, ipcdev with
 * its batch calls (BATCH_DEPTH messages per call each way) against its
 * anchor with one message per call: as bench_stream() otherwise.
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

	snprintf(name, sizeof(name), "stream 64 B batch %s", mech_name[mech]);
	if (chan_open(&c, mech, BATCH_LEN, BATCH_DEPTH * BATCH_LEN))
		goto out;
	pid = spawn(batch_child, &p, 0);
	chan_side(&c, 0);
	t0 = now_ns();
	while (sent < n) {
		k = n - sent < BATCH_DEPTH ? (int)(n - sent) : BATCH_DEPTH;
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

static void bench_lock_contended(int mech)
{
	long n = iters(10000);
	struct lk l;
	uint64_t t0;
	int ok = 0;
	pid_t pid[2];
	char name[96];

	snprintf(name, sizeof(name), "lock contended (2 processes) %s",
		 mech_name[mech]);
	memset(ctl, 0, sizeof(*ctl));
	if (lk_setup(&l, mech)) {
		record(T_LOCK_CONT, mech, 0, name, 0, 0, 0);
		return;
	}
	l.n = n;
	pid[0] = spawn(contend_child, &l, 0);
	pid[1] = spawn(contend_child, &l, 1);
	t0 = now_ns();
	ctl->go = 1;
	ok = !reap(pid[0]);
	ok = !reap(pid[1]) && ok;
	ok = ok && ctl->shared_counter == (uint32_t)(2 * n);
	record(T_LOCK_CONT, mech, 0, name, ok,
	       ok ? (now_ns() - t0) / (2.0 * n) : 0, 0);
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
		 full ? "shm store/load bandwidth" : "shm handoff stream",
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
	record(test, mech, len, name, ok, ok ? (double)n * len * 1e9 / t : 0,
	       ok ? n * 1e9 / t : 0);
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
		cons[i] = spawn(sc_consumer, &s, i);
		prod[i] = spawn(sc_producer, &s, i);
	}
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
	int fd = ipcq_new(0);
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
		return (fds[0] = ipcq_new(0)) < 0 ? -1 : 0;
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
	int i;

	for (i = 0; i < nres; i++)
		if (res[i].test == test && res[i].mech == mech &&
		    res[i].param == param)
			return &res[i];
	return NULL;
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

/* One row: name, min/median/max (scaled by @div), extra, ratio. */
static void row(struct result *r, double div, int aux, int higher_better)
{
	double mn, md, mx, amn, amd, amx, an;
	char a[32], b[32], c[32], e[32] = "", q[96] = "";
	int anc = anchor_of(r->mech);

	if (!r->n || r->failed) {
		printf("| %s | FAILED (%d of %d runs) | | | | |\n",
		       mech_name[r->mech], r->failed, r->failed + r->n);
		return;
	}
	stats(r->v, r->n, &mn, &md, &mx);
	fmt_num(a, sizeof(a), mn / div);
	fmt_num(b, sizeof(b), md / div);
	fmt_num(c, sizeof(c), mx / div);
	if (aux) {
		stats(r->aux, r->n, &amn, &amd, &amx);
		snprintf(e, sizeof(e), "%.0f", amd);
	}
	if (anc >= 0 && (an = median_of(find(r->test, anc, r->param))) > 0) {
		double ratio = md / an;
		int met = higher_better ? ratio >= 1.0 : ratio <= 1.0;

		snprintf(q, sizeof(q), "**%.2fx** %s (%s)", ratio,
			 mech_name[anc], met ? "better or equal" : "worse");
	}
	if (aux)
		printf("| %s | %s | %s | %s | %s | %s |\n", mech_name[r->mech],
		       a, b, c, e, q);
	else
		printf("| %s | %s | %s | %s | %s |\n", mech_name[r->mech], a,
		       b, c, q);
}

static void table_latency(int test, const char *title, const char *unit,
			  const char *method)
{
	int i, any = 0;

	for (i = 0; i < nres; i++)
		any |= res[i].test == test;
	if (!any)
		return;
	printf("\n### %s\n\n%s\n\n", title, method);
	printf("| mechanism | min %s | median %s | max %s | ipcdev vs anchor (median) |\n",
	       unit, unit, unit);
	printf("|---|---:|---:|---:|---|\n");
	for (i = 0; i < nres; i++)
		if (res[i].test == test)
			row(&res[i], 1, 0, 0);
}

static void table_stream(int test, const char *title, const char *method)
{
	static const long sizes[] = { 64, 4096, 65536, 1048576, 4194304 };
	unsigned int s;
	int i, any;

	printf("\n### %s\n\n%s\n", title, method);
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		any = 0;
		for (i = 0; i < nres; i++)
			any |= res[i].test == test && res[i].param == sizes[s];
		if (!any)
			continue;
		printf("\n%s messages:\n\n", size_str(sizes[s]));
		printf("| mechanism | min MB/s | median MB/s | max MB/s | median msg/s | ipcdev vs anchor (median) |\n");
		printf("|---|---:|---:|---:|---:|---|\n");
		for (i = 0; i < nres; i++)
			if (res[i].test == test && res[i].param == sizes[s])
				row(&res[i], 1e6, 1, 1);
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
	printf("| mechanism | P | min msg/s | median msg/s | max msg/s | vs its own 1-1 (median) |\n");
	printf("|---|---:|---:|---:|---:|---|\n");
	for (i = 0; i < nres; i++) {
		struct result *r = &res[i];
		double mn, md, mx, one;

		if (r->test != T_SCALE)
			continue;
		if (!r->n || r->failed) {
			printf("| %s | %ld | FAILED | | | |\n",
			       mech_name[r->mech], r->param);
			continue;
		}
		stats(r->v, r->n, &mn, &md, &mx);
		one = median_of(find(T_SCALE, r->mech, 1));
		printf("| %s | %ld | %.0f | %.0f | %.0f | %.2fx |\n",
		       mech_name[r->mech], r->param, mn, md, mx,
		       one > 0 ? md / one : 0);
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

/* One line of the targets table: ratio of medians against @limit. */
static void target(const char *what, int test, int mech, int anchor,
		   long param, long aparam, double limit, int higher_better)
{
	double a = median_of(find(test, mech, param));
	double b = median_of(find(test, anchor, aparam));
	double r;

	if (a <= 0 || b <= 0) {
		printf("| %s | not measured | |\n", what);
		return;
	}
	r = a / b;
	printf("| %s | %.2fx | %s |\n", what, r,
	       (higher_better ? r >= limit : r <= limit) ? "met" : "**missed**");
}

static void table_targets(void)
{
	printf("\n### Targets (ratios of medians)\n\n");
	printf("| target | measured | |\n|---|---:|---|\n");
	target("ipcqueue 64 B round trip <= 1.0x POSIX mq", T_RTT, M_IPCQUEUE,
	       M_MQ, 64, 64, 1.0, 0);
	target("ipcqueue throughput 4 KiB >= 1.0x POSIX mq", T_STREAM,
	       M_IPCQUEUE, M_MQ, 4096, 4096, 1.0, 1);
	target("ipcqueue throughput 64 KiB >= 1.0x POSIX mq", T_STREAM,
	       M_IPCQUEUE, M_MQ, 65536, 65536, 1.0, 1);
	target("ipcqueue read/write 64 B round trip <= 1.0x POSIX mq", T_RTT,
	       M_IPCQUEUE_RW, M_MQ, 64, 64, 1.0, 0);
	target("ipcqueue read/write throughput 4 KiB >= 1.0x POSIX mq",
	       T_STREAM, M_IPCQUEUE_RW, M_MQ, 4096, 4096, 1.0, 1);
	target("ipcqueue read/write throughput 64 KiB >= 1.0x POSIX mq",
	       T_STREAM, M_IPCQUEUE_RW, M_MQ, 65536, 65536, 1.0, 1);
	target("ipcpipe 64 B round trip <= 1.0x pipe(2)", T_RTT, M_IPCPIPE,
	       M_PIPE, 64, 64, 1.0, 0);
	target("ipcpipe read/write 64 B round trip <= 1.0x pipe(2)", T_RTT,
	       M_IPCPIPE_RW, M_PIPE, 64, 64, 1.0, 0);
	target("ipcpipe throughput 64 KiB >= 1.0x pipe(2)", T_STREAM,
	       M_IPCPIPE, M_PIPE, 65536, 65536, 1.0, 1);
	target("ipcpipe throughput 1 MiB >= 1.0x pipe(2)", T_STREAM,
	       M_IPCPIPE, M_PIPE, 1048576, 1048576, 1.0, 1);
	target("ipcpipe read/write throughput 64 KiB >= 1.0x pipe(2)",
	       T_STREAM, M_IPCPIPE_RW, M_PIPE, 65536, 65536, 1.0, 1);
	target("ipcpipe read/write throughput 1 MiB >= 1.0x pipe(2)",
	       T_STREAM, M_IPCPIPE_RW, M_PIPE, 1048576, 1048576, 1.0, 1);
	target("ipcevent read/write wake round trip <= 1.0x eventfd", T_WAKE,
	       M_IPCEVENT_RW, M_EVENTFD, 0, 0, 1.0, 0);
	target("ipcevent wake round trip <= 1.0x eventfd", T_WAKE, M_IPCEVENT,
	       M_EVENTFD, 0, 0, 1.0, 0);
	target("ipcshm store/load bandwidth 1 MiB >= 0.95x memfd", T_SHM_BW,
	       M_IPCSHM, M_MEMFD, 1048576, 1048576, 0.95, 1);
	target("ipcshm store/load bandwidth 4 MiB >= 0.95x memfd", T_SHM_BW,
	       M_IPCSHM, M_MEMFD, 4194304, 4194304, 0.95, 1);
	target("ipcshm lock handoff (contended) <= 1.0x pthread mutex",
	       T_LOCK_HANDOFF, M_IPCSHM_LOCK, M_PTHREAD, 0, 0, 1.0, 0);
	target("ipcshm lock, 2 processes hammering <= 1.0x pthread mutex",
	       T_LOCK_CONT, M_IPCSHM_LOCK, M_PTHREAD, 0, 0, 1.0, 0);
	target("ipcqueue 4 producers + 4 consumers >= its 1-1 (msg/s)", T_SCALE,
	       M_IPCQUEUE, M_IPCQUEUE, 4, 1, 1.0, 1);
}

static void report(const char *method)
{
	double mn, md, mx;
	char m2[1024];

	printf("\n## Results%s%s\n\n%s\n", *opt_title ? ": " : "", opt_title,
	       method);
	table_targets();
	table_latency(T_RTT, "Round trip of a 64-byte message",
		      "ns", "Parent sends 64 B (sequence number and check words), "
		      "the child checks and echoes it, the parent checks the "
		      "echo.  Per round: 4000 round trips after 400 warm-up "
		      "ones, total time / count.  Two queues / pipes / mq for "
		      "the one-way mechanisms, one duplex ipcpipe, one "
		      "socketpair.");
	table_latency(T_WAKE, "Wake-up round trip (events)", "ns",
		      "Two events: the parent raises A and waits for B, the "
		      "child waits for A and raises B.  ipcevent: SET, WAIT, "
		      "CLEAR (the flag must be lowered before the next round); "
		      "eventfd: write(1), read (which resets the counter); futex: "
		      "a shared word, FUTEX_WAKE / FUTEX_WAIT.");
	table_latency(T_LOCK_HANDOFF, "Lock handoff under contention", "ns",
		      "The child sleeps in lock() (the parent checks: "
		      "ipcshm STAT lock_waiters > 0, or glibc's futex word == 2); "
		      "the parent takes a timestamp and unlocks; the child's "
		      "lock() returns and it takes the second timestamp.  "
		      "Mean of 1000 handoffs: the unlock call, the wake-up, the "
		      "switch and the return from lock().");
	table_latency(T_LOCK_CONT, "Lock contended, two processes", "ns",
		      "Two processes each do 10000 lock / critical section "
		      "(ownership check, shared counter) / unlock; wall time "
		      "divided by the 20000 pairs.  On one CPU the processes "
		      "rarely collide: this is mostly the cost of the calls.");
	table_latency(T_LOCK_SELF, "Lock + unlock, uncontended", "ns",
		      "One process, 20000 lock / critical section / unlock.");
	table_stream(T_STREAM, "One-way streaming throughput",
		     "The parent sends N messages (stamped), the child "
		     "receives and checks every one, then sends one message "
		     "back; time from the first send to that answer.  N: 20000 "
		     "x 64 B, 4000 x 4 KiB, 400 x 64 KiB, 24 x 1 MiB.  Capacity "
		     "per direction: max(64 KiB, 2 messages) for every "
		     "mechanism (ipcqueue bytes_max, ipcpipe capacity, "
		     "F_SETPIPE_SZ, mq_maxmsg x mq_msgsize, msg_qbytes, "
		     "SO_SNDBUFFORCE 2x + 64 KiB: the socket accounts skb "
		     "truesize, so it holds fewer small messages).  MB = 10^6 "
		     "bytes.");
	table_stream(T_BATCH, "64 B streaming, batch",
		     "As the streaming table, 64 B messages, at a depth of 8: "
		     "ipcqueue bytes_max and ipcpipe capacity 512 bytes, "
		     "mq_maxmsg 8 (pipe(2): F_SETPIPE_SZ 512, which the kernel "
		     "rounds up to a page: 64 messages).  ipcqueue and ipcpipe "
		     "move 8 messages per call each way (ioctl "
		     "QUEUE_PUT_MANY/GET_MANY, PIPE_SEND_MANY/RECV_MANY); "
		     "POSIX mq and pipe(2) one per mq_send/mq_receive, "
		     "write/read.");
	table_stream(T_SHM_STREAM, "Shared memory: handoff streaming",
		     "A segment of the message's size mapped by both "
		     "processes.  The writer stamps the message in place and "
		     "notifies, the reader waits, checks the stamp words in "
		     "place, notifies back.  ipcshm: IPCDEV_IOC_SHM_PUBLISH and "
		     "WAIT_CHANGE on the change counter; memfd: a futex word in "
		     "an extra page of the mapping.  Same counts as the "
		     "streaming table.");
	table_stream(T_SHM_BW, "Shared memory: mapped store/load bandwidth",
		     "As above, but the writer stores the whole message into "
		     "the mapping (memcpy from a private buffer) and the reader "
		     "loads all of it (memcpy to a private buffer) before "
		     "checking: 64 handoffs of 1 MiB and 4 MiB.");
	table_scale("Each producer puts 16000/P stamped messages; each "
		    "consumer checks every message (stamp, per-producer order) "
		    "and stops at a stop message the parent queues once every "
		    "producer has reported its last put; all are counted.  "
		    "Time from the start barrier to the last consumer's receipt "
		    "of its stop message (no process exit is timed).  ipcqueue, "
		    "and POSIX mq for reference (mq_maxmsg 1024 x 64 B, the "
		    "same 64 KiB).");
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
	snprintf(m2, sizeof(m2), "%s", method);
	table_memory();
}

/* ------------------------------------------------------------------ */
/* Main                                                                */

static const char *opt_mech;

static int want(const char *name)
{
	return !opt_only || strstr(name, opt_only);
}

/* --mech NAME: only that mechanism (exact name, e.g. "POSIX mq"). */
static int wantm(int m)
{
	return !opt_mech || !strcmp(mech_name[m], opt_mech);
}

static void one_round(void)
{
	static const int msg[] = { M_IPCQUEUE, M_IPCQUEUE_RW, M_MQ,
				   M_IPCPIPE, M_IPCPIPE_RW, M_PIPE,
				   M_PIPE_DIRECT, M_SEQPACKET, M_SYSV };
	static const size_t sizes[] = { 64, 4096, 65536, 1048576 };
	static const int batch[] = { M_IPCQUEUE, M_MQ, M_IPCPIPE, M_PIPE };
	unsigned int i, s;
	int p;

	if (want("floor") && !opt_mech)
		bench_floor();
	for (i = 0; i < sizeof(msg) / sizeof(msg[0]); i++)
		if (want("rtt") && wantm(msg[i]))
			bench_rtt(msg[i]);
	for (i = M_IPCEVENT; i <= M_FUTEX; i++)
		if (want("wake") && wantm(i))
			bench_wake(i);
	for (i = M_IPCSHM_LOCK; i <= M_PTHREAD; i++) {
		if (want("lock") && wantm(i))
			bench_lock_self(i);
		if (want("lock") && wantm(i))
			bench_lock_handoff(i);
		if (want("lock") && wantm(i))
			bench_lock_contended(i);
	}
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
		for (i = 0; i < sizeof(msg) / sizeof(msg[0]); i++)
			if (want("stream") && wantm(msg[i]) &&
			    (!opt_size || opt_size == (long)sizes[s]))
				bench_stream(msg[i], sizes[s]);
	for (i = 0; i < sizeof(batch) / sizeof(batch[0]); i++)
		if (want("batch") && wantm(batch[i]))
			bench_stream_batch(batch[i]);
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
		"usage: ipcbench [--smoke] [--rounds N] [--scale F] [--pin] "
		"[--no-mem] [--only TEST] [--mech NAME] [--size BYTES] "
		"[--title TEXT]\n"
		"  TEST: a substring of floor rtt wake lock stream shm shmbw "
		"scale self mem batch\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
	struct sigaction sa;
	char method[512];
	int i, r;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--smoke"))
			opt_smoke = 1;
		else if (!strcmp(argv[i], "--pin"))
			opt_pin = 1;
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
	if (opt_rounds < 1 || opt_rounds > MAXRUNS)
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
	if (opt_pin) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(0, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			die("sched_setaffinity: %s", strerror(errno));
	}
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
	if (opt_mem && (want("mem") || opt_smoke))
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
		 "(sched_setaffinity)." : "");
	report(method);
	for (i = 0; i < nres; i++)
		if (res[i].failed)
			return 1;
	return 0;
}
