// SPDX-License-Identifier: GPL-2.0
/*
 * ipcfuzz: a seeded, multi-process fuzzer of the ipcdev ABI
 * (uapi/linux/ipcdev.h).  Run as root with the module loaded:
 *
 *   ipcfuzz [--seed S] [--ops N] [--procs P] [--timeout SEC] [--verbose]
 *
 * P worker processes (plus the children they fork) issue N calls in all on
 * /dev/ipcqueue, /dev/ipcpipe, /dev/ipcshm and /dev/ipcevent: open, every
 * IPCDEV_IOC_* with valid and invalid arguments (random sizes, flags,
 * reserved fields, names: pooled, random bytes, 255 and 256+ bytes,
 * unterminated before a guard page, empty, with '/', NULL, unmapped, kernel;
 * argument structs valid, NULL, unmapped, read-only, crossing into a guard
 * page, kernel addresses), random ioctl numbers of our magic (ENOTTY), read,
 * write, pread/pwrite, mmap/munmap/mremap and touching of the mappings
 * (shm), poll, O_ASYNC (SIGIO ignored), fork, dup, close, and SIGKILL of
 * its own children.  Named objects use a pool of 4 names per run, so that
 * processes collide on them.  Every call that may wait is bounded: a
 * periodic SIGALRM (no SA_RESTART) ends untimed waits with EINTR.
 *
 * Each process's sequence of operations depends only on the seed and the
 * process's place in the tree (worker w, child forked at op k...), so a
 * failure printed as "seed S ... proc w1.c37 op 812" is reproduced by
 * running with the same --seed, --ops and --procs.
 *
 * Pass: every call returns success or an errno of the documented set for
 * that call (table allowed() below), no process hangs (each call is
 * bounded; a worker that does not finish within --timeout is a hang), and
 * once every process has exited and every name the run may have created is
 * unlinked, /proc/ipcdev/stats (objects, named, bytes, handles, spare) is back to
 * its value before the run.  Kernel reports (KASAN, lockdep...) are found
 * by the runner's dmesg scan.  Prints the number of calls made.
 *
 * Built standalone (build/selftests/ipcfuzz); ipcfuzz_test.c includes this
 * file with IPCFUZZ_NO_MAIN for the bounded kselftest pass.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <grp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <linux/ipcdev.h>

#define FZ_NFD		24	/* descriptors per process */
#define FZ_NMAP		12	/* mappings per process */
#define FZ_NKID		3	/* live children per process */
#define FZ_DEPTH	2	/* fork depth below a worker */
#define FZ_POOL		4	/* pooled names per run */
#define FZ_MAXNAMES	4096	/* logged non-pool names */
#define FZ_MAXPRINT	8	/* failures printed per process */

enum { DQ, DP, DS, DE, NDEV };
static const char *const fz_dev[NDEV] = {
	"/dev/ipcqueue", "/dev/ipcpipe", "/dev/ipcshm", "/dev/ipcevent",
};
static const char *const fz_devname[NDEV] = { "queue", "pipe", "shm", "event" };

/* Shared by every process of a run (MAP_SHARED | MAP_ANONYMOUS). */
struct fz_shared {
	long calls;
	long failures;
	long kills;
	long forks;
	long hangs;
	unsigned int nnames;
	char names[FZ_MAXNAMES][IPCDEV_NAME_MAX + 1];
};

struct fz_map {
	char *addr;
	size_t len;
	int prot;
	bool grown;
	bool shared;	/* MAP_SHARED */
	bool rdonly;	/* through a handle without write access */
};

struct fz {
	struct fz_shared *sh;
	unsigned long long runseed;	/* --seed */
	unsigned long long seed;	/* this process's */
	uint64_t rng;
	char path[64];			/* w1.c37.c5 */
	long op, ops;
	int depth;
	bool verbose;
	int printed;
	bool failed;
	int fd[FZ_NFD];
	int kind[FZ_NFD];
	struct fz_map map[FZ_NMAP];
	pid_t kid[FZ_NKID];
	char desc[256];
	/* memory */
	char *rw;	/* one page read-write, then a PROT_NONE guard page */
	char *guard;	/* rw + page */
	char *ro;	/* a read-only page */
	char *unmapped;	/* an address where nothing is ever mapped */
	char *big;	/* a large read-write buffer */
	size_t bigsz;
	long pg;
};

static const unsigned long fz_kaddr = 0xffff888000000000UL;

/* ------------------------------------------------------------------ */
/* Random numbers: splitmix64                                          */
/* ------------------------------------------------------------------ */

static uint64_t fz_mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static uint64_t r64(struct fz *f)
{
	f->rng += 0x9e3779b97f4a7c15ULL;
	return fz_mix(f->rng);
}

/* Uniform in [0, n). */
static uint64_t rn(struct fz *f, uint64_t n)
{
	return n ? r64(f) % n : 0;
}

/* True with probability p percent. */
static bool pc(struct fz *f, unsigned int p)
{
	return rn(f, 100) < p;
}

/* A size: mostly small, sometimes page-ish, rarely huge. */
static uint64_t rsize(struct fz *f)
{
	switch (rn(f, 10)) {
	case 0:
		return 0;
	case 1: case 2: case 3: case 4:
		return rn(f, 64);
	case 5: case 6:
		return rn(f, 5000);
	case 7:
		return rn(f, 70000);
	case 8:
		return 1ULL << rn(f, 64);
	default:
		return r64(f);
	}
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* ------------------------------------------------------------------ */
/* Reporting                                                           */
/* ------------------------------------------------------------------ */

static void fz_fail(struct fz *f, const char *fmt, ...)
{
	va_list ap;
	char msg[512];

	f->failed = true;
	__atomic_add_fetch(&f->sh->failures, 1, __ATOMIC_RELAXED);
	if (f->printed++ >= FZ_MAXPRINT)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "# ipcfuzz: FAIL seed %llu proc %s (seed %llu) op %ld: %s: %s\n",
		f->runseed, f->path, f->seed, f->op, f->desc, msg);
	fflush(stderr);
}

static void fz_call(struct fz *f)
{
	__atomic_add_fetch(&f->sh->calls, 1, __ATOMIC_RELAXED);
}

/* Is errno @e in the 0-terminated list @l? */
static bool in_list(int e, const int *l)
{
	for (; *l; l++)
		if (*l == e)
			return true;
	return false;
}

/* ------------------------------------------------------------------ */
/* The allowed errno table                                             */
/* ------------------------------------------------------------------ */

/* Errors of binding an unbound queue or event implicitly. */
#define IMPLICIT	ENOMEM, EDQUOT, ENOSPC
/* Errors of every OPEN ioctl. */
#define OPENERR		EBUSY, EEXIST, ENOENT, EACCES, EINVAL, ENAMETOOLONG, \
			EFAULT, ENOMEM, ENOSPC, EDQUOT
#define WAITERR		EAGAIN, ETIMEDOUT, EINTR

static const int e_unlink[] = { EFAULT, EINVAL, ENAMETOOLONG, ENOENT, EPERM, ENOMEM, 0 };
static const int e_setattr[] = { EFAULT, EINVAL, ENAMETOOLONG, ENOENT, EPERM, ENOTCONN,
				 ENOMEM, 0 };
static const int e_qopen[] = { OPENERR, 0 };
static const int e_popen[] = { OPENERR, EMFILE, ENFILE, 0 };
static const int e_sopen[] = { OPENERR, EOVERFLOW, 0 };
static const int e_put[] = { EBADF, EMSGSIZE, EFAULT, EINVAL, WAITERR, IMPLICIT, 0 };
static const int e_get[] = { EBADF, EMSGSIZE, EFAULT, EINVAL, WAITERR, IMPLICIT, 0 };
static const int e_qstat[] = { EFAULT, IMPLICIT, 0 };
static const int e_send[] = { ENOTCONN, EBADF, EMSGSIZE, EFAULT, EINVAL, ENOMEM, EDQUOT,
			      EPIPE, WAITERR, 0 };
static const int e_recv[] = { ENOTCONN, EBADF, EMSGSIZE, EFAULT, EINVAL, EPIPE, WAITERR, 0 };
static const int e_pstat[] = { ENOTCONN, EFAULT, 0 };
static const int e_sstat[] = { ENOTCONN, EFAULT, 0 };
static const int e_lock[] = { ENOTCONN, EFAULT, EINVAL, EDEADLK, EOWNERDEAD, ENOMEM, WAITERR,
			      0 };
static const int e_locker[] = { ENOTCONN, EFAULT, EINVAL, ENOMEM, EINTR, 0 };
static const int e_unlock[] = { ENOTCONN, EINVAL, EPERM, 0 };
static const int e_publish[] = { ENOTCONN, EINVAL, EBADF, 0 };
static const int e_change[] = { ENOTCONN, EFAULT, EINVAL, WAITERR, 0 };
static const int e_sio[] = { ENOTCONN, EFAULT, EINVAL, EBADF, ENOMEM, 0 };
static const int e_eopen[] = { OPENERR, 0 };
static const int e_eset[] = { EINVAL, EBADF, IMPLICIT, 0 };
static const int e_ewait[] = { EBADF, EFAULT, EINVAL, WAITERR, IMPLICIT, 0 };
static const int e_estat[] = { EFAULT, IMPLICIT, 0 };


/* What each ioctl may return, and how its argument is used. */
enum { A_NONE, A_IN, A_OUT, A_INOUT };
struct fz_cmd {
	unsigned long cmd;
	const char *name;
	int dev;	/* -1: every device */
	int arg;	/* A_* */
	const int *errs;
};

static const struct fz_cmd fz_cmds[] = {
	{ IPCDEV_IOC_UNLINK, "UNLINK", -1, A_IN, e_unlink },
	{ IPCDEV_IOC_SETATTR, "SETATTR", -1, A_IN, e_setattr },
	{ IPCDEV_IOC_QUEUE_OPEN, "QUEUE_OPEN", DQ, A_IN, e_qopen },
	{ IPCDEV_IOC_QUEUE_PUT, "QUEUE_PUT", DQ, A_IN, e_put },
	{ IPCDEV_IOC_QUEUE_GET, "QUEUE_GET", DQ, A_INOUT, e_get },
	{ IPCDEV_IOC_QUEUE_STAT, "QUEUE_STAT", DQ, A_OUT, e_qstat },
	{ IPCDEV_IOC_PIPE_OPEN, "PIPE_OPEN", DP, A_INOUT, e_popen },
	{ IPCDEV_IOC_PIPE_SEND, "PIPE_SEND", DP, A_IN, e_send },
	{ IPCDEV_IOC_PIPE_RECV, "PIPE_RECV", DP, A_INOUT, e_recv },
	{ IPCDEV_IOC_PIPE_STAT, "PIPE_STAT", DP, A_OUT, e_pstat },
	{ IPCDEV_IOC_SHM_OPEN, "SHM_OPEN", DS, A_IN, e_sopen },
	{ IPCDEV_IOC_SHM_STAT, "SHM_STAT", DS, A_OUT, e_sstat },
	{ IPCDEV_IOC_SHM_LOCK, "SHM_LOCK", DS, A_IN, e_lock },
	{ IPCDEV_IOC_SHM_UNLOCK, "SHM_UNLOCK", DS, A_NONE, e_unlock },
	{ IPCDEV_IOC_SHM_PUBLISH, "SHM_PUBLISH", DS, A_NONE, e_publish },
	{ IPCDEV_IOC_SHM_WAIT_CHANGE, "SHM_WAIT_CHANGE", DS, A_INOUT, e_change },
	{ IPCDEV_IOC_SHM_READ, "SHM_READ", DS, A_INOUT, e_sio },
	{ IPCDEV_IOC_SHM_WRITE, "SHM_WRITE", DS, A_INOUT, e_sio },
	{ IPCDEV_IOC_SHM_LOCKER, "SHM_LOCKER", DS, A_INOUT, e_locker },
	{ IPCDEV_IOC_EVENT_OPEN, "EVENT_OPEN", DE, A_IN, e_eopen },
	{ IPCDEV_IOC_EVENT_SET, "EVENT_SET", DE, A_NONE, e_eset },
	{ IPCDEV_IOC_EVENT_CLEAR, "EVENT_CLEAR", DE, A_NONE, e_eset },
	{ IPCDEV_IOC_EVENT_WAIT, "EVENT_WAIT", DE, A_IN, e_ewait },
	{ IPCDEV_IOC_EVENT_STAT, "EVENT_STAT", DE, A_OUT, e_estat },
};
#define FZ_NCMDS (sizeof(fz_cmds) / sizeof(fz_cmds[0]))

static bool fz_is_cmd(unsigned long cmd)
{
	for (size_t i = 0; i < FZ_NCMDS; i++)
		if (fz_cmds[i].cmd == cmd)
			return true;
	return false;
}

/* ------------------------------------------------------------------ */
/* Descriptors, names, pointers                                        */
/* ------------------------------------------------------------------ */

static void pool_name(unsigned long long runseed, int k, char *out, size_t n)
{
	snprintf(out, n, "ipcfuzz-%llu-%d", runseed, k);
}

/* A free slot, closing a random descriptor when the table is full. */
static int fz_slot(struct fz *f)
{
	int i;

	for (i = 0; i < FZ_NFD; i++)
		if (f->fd[i] < 0)
			return i;
	i = (int)rn(f, FZ_NFD);
	close(f->fd[i]);
	fz_call(f);
	f->fd[i] = -1;
	return i;
}

static void fz_add_fd(struct fz *f, int fd, int kind)
{
	int i = fz_slot(f);

	f->fd[i] = fd;
	f->kind[i] = kind;
}

/* A random used slot, or -1. */
static int fz_pick(struct fz *f)
{
	int used[FZ_NFD], n = 0;

	for (int i = 0; i < FZ_NFD; i++)
		if (f->fd[i] >= 0)
			used[n++] = i;
	return n ? used[rn(f, n)] : -1;
}

/* Log a name that a call with IPCDEV_CREAT may create, before the call. */
static bool fz_log_name(struct fz *f, const char *name)
{
	unsigned int i = __atomic_fetch_add(&f->sh->nnames, 1, __ATOMIC_RELAXED);

	if (i >= FZ_MAXNAMES)
		return false;
	snprintf(f->sh->names[i], sizeof(f->sh->names[i]), "%s", name);
	return true;
}

enum { N_POOL, N_NULL, N_RANDOM, N_MAX, N_LONG, N_UNTERM, N_UNMAPPED, N_EMPTY,
       N_SLASH, N_KERNEL, N_RO, N_COUNT };
static const int n_weight[N_COUNT] = { 45, 10, 8, 3, 4, 5, 4, 4, 4, 3, 10 };

/*
 * A name argument, written into the scratch page: *creatable is set when
 * the name is valid and outside the pool (it must be logged if CREAT).
 */
static uint64_t fz_name(struct fz *f, char **logme)
{
	int total = 0, k, x;
	char *p = f->rw + 2048;		/* names: the second half of the page */
	size_t len;

	*logme = NULL;
	for (k = 0; k < N_COUNT; k++)
		total += n_weight[k];
	x = (int)rn(f, total);
	for (k = 0; k < N_COUNT && x >= n_weight[k]; k++)
		x -= n_weight[k];
	switch (k) {
	case N_POOL:
		pool_name(f->runseed, (int)rn(f, FZ_POOL), p, 64);
		return (uintptr_t)p;
	case N_NULL:
		return 0;
	case N_RANDOM:
		len = 1 + rn(f, 24);
		for (size_t i = 0; i < len; i++)
			p[i] = (char)(1 + rn(f, 255));
		p[len] = 0;
		if (!strchr(p, '/'))
			*logme = p;
		return (uintptr_t)p;
	case N_MAX:
		for (int i = 0; i < IPCDEV_NAME_MAX; i++)
			p[i] = (char)('a' + rn(f, 26));
		p[IPCDEV_NAME_MAX] = 0;
		*logme = p;
		return (uintptr_t)p;
	case N_LONG:
		len = IPCDEV_NAME_MAX + 1 + rn(f, 100);
		p = f->rw;
		memset(p, 'L', len);
		p[len] = 0;
		return (uintptr_t)p;
	case N_UNTERM:
		len = 1 + rn(f, 300);
		p = f->guard - len;
		memset(p, 'U', len);
		return (uintptr_t)p;
	case N_UNMAPPED:
		return (uintptr_t)f->unmapped;
	case N_EMPTY:
		p[0] = 0;
		return (uintptr_t)p;
	case N_SLASH:
		strcpy(p, rn(f, 2) ? "a/b" : "/");
		return (uintptr_t)p;
	case N_KERNEL:
		return fz_kaddr;
	default:
		/* Pool names are written at the start of the read-only page. */
		return (uintptr_t)(f->ro + 64 * rn(f, FZ_POOL));
	}
}

/* Flags: mostly a subset of @valid, sometimes random bits. */
static uint32_t rflags(struct fz *f, uint32_t valid)
{
	if (pc(f, 8))
		return (uint32_t)r64(f);
	if (pc(f, 5))
		return (uint32_t)1 << rn(f, 32);
	return (uint32_t)r64(f) & valid;
}

static uint64_t rres(struct fz *f)
{
	return pc(f, 5) ? r64(f) | 1 : 0;
}

static uint32_t rwait(struct fz *f)
{
	return rflags(f, IPCDEV_WAIT_NONBLOCK | IPCDEV_WAIT_DEADLINE);
}

static uint64_t rdeadline(struct fz *f)
{
	switch (rn(f, 6)) {
	case 0:
		return 0;
	case 1:
		return now_ns() - 1;
	case 2: case 3:
		return now_ns() + rn(f, 5000000);
	case 4:
		return UINT64_MAX;
	default:
		return r64(f);
	}
}

static uint32_t rmode(struct fz *f)
{
	if (pc(f, 5))
		return (uint32_t)r64(f);
	return pc(f, 70) ? 0600 | (uint32_t)rn(f, 0100) : (uint32_t)rn(f, 01000);
}

/* A message buffer of at least @len bytes, or a bad one. */
static uint64_t rbuf(struct fz *f, uint64_t len, bool *bad)
{
	*bad = true;
	switch (rn(f, 20)) {
	case 0:
		return 0;
	case 1:
		return (uintptr_t)f->unmapped;
	case 2:
		return fz_kaddr;
	case 3:	/* crosses into the guard page */
		return (uintptr_t)(f->guard - (len > 1 ? rn(f, len) : 0));
	case 4:
		return (uintptr_t)f->ro;	/* writes into it fault */
	default:
		*bad = false;
		if (len <= f->bigsz)
			return (uintptr_t)f->big;
		*bad = true;
		return (uintptr_t)f->big;
	}
}

/* Message lengths: small mostly; sometimes around the limits. */
static uint64_t rlen(struct fz *f)
{
	if (pc(f, 3))
		return (16ULL << 20) + rn(f, 3) - 1;	/* msgsize_max */
	if (pc(f, 10))
		return rsize(f);
	return rn(f, 300);
}

/* ------------------------------------------------------------------ */
/* ioctl                                                               */
/* ------------------------------------------------------------------ */

enum { P_OK, P_NULL, P_UNMAPPED, P_RO, P_GUARD, P_KERNEL };

/* Fill @s (zeroed, 256 bytes) for @cmd.  *logme: a name to log if CREAT. */
static void fz_build(struct fz *f, const struct fz_cmd *c, unsigned char *s,
		     char **logme)
{
	*logme = NULL;
	switch (c->cmd) {
	case IPCDEV_IOC_UNLINK: {
		struct ipcdev_unlink *a = (void *)s;

		a->name = fz_name(f, logme);
		*logme = NULL;
		a->flags = pc(f, 95) ? 0 : (uint32_t)r64(f);
		a->reserved = (uint32_t)rres(f);
		break;
	}
	case IPCDEV_IOC_SETATTR: {
		struct ipcdev_setattr *a = (void *)s;

		a->name = pc(f, 40) ? 0 : fz_name(f, logme);
		*logme = NULL;
		a->flags = rflags(f, 7);
		a->mode = rmode(f);
		a->uid = pc(f, 70) ? 0 : pc(f, 50) ? 65534 : (uint32_t)r64(f);
		a->gid = pc(f, 70) ? 0 : pc(f, 50) ? 65534 : (uint32_t)r64(f);
		a->reserved[0] = rres(f);
		a->reserved[1] = rres(f);
		break;
	}
	case IPCDEV_IOC_QUEUE_OPEN: {
		struct ipcdev_queue_open *a = (void *)s;

		a->name = fz_name(f, logme);
		a->flags = rflags(f, IPCDEV_CREAT | IPCDEV_EXCL);
		a->mode = rmode(f);
		a->maxsize = pc(f, 60) ? rn(f, 8) : rsize(f);
		a->msgsize_max = pc(f, 60) ? rn(f, 2000) : rsize(f);
		a->bytes_max = pc(f, 60) ? rn(f, 5000) : rsize(f);
		for (int i = 0; i < 3; i++)
			a->reserved[i] = rres(f);
		if (!(a->flags & IPCDEV_CREAT))
			*logme = NULL;
		break;
	}
	case IPCDEV_IOC_PIPE_OPEN: {
		struct ipcdev_pipe_open *a = (void *)s;

		a->name = pc(f, 40) ? 0 : fz_name(f, logme);
		a->flags = rflags(f, IPCDEV_CREAT | IPCDEV_EXCL |
				  IPCDEV_PIPE_DUPLEX | IPCDEV_PIPE_CLOEXEC);
		a->mode = rmode(f);
		a->capacity = pc(f, 70) ? rn(f, 5000) : rsize(f);
		a->end = pc(f, 90) ? (uint32_t)rn(f, 2) : (uint32_t)r64(f);
		a->fd = (int32_t)r64(f);
		a->msgsize_max = pc(f, 60) ? rn(f, 2000) : rsize(f);
		a->reserved[0] = rres(f);
		if (!(a->flags & IPCDEV_CREAT))
			*logme = NULL;
		break;
	}
	case IPCDEV_IOC_SHM_OPEN: {
		struct ipcdev_shm_open *a = (void *)s;
		static const char types[] = "cbBhHiIflLqQd";

		a->name = fz_name(f, logme);
		a->flags = rflags(f, IPCDEV_CREAT | IPCDEV_EXCL);
		a->mode = rmode(f);
		a->type = pc(f, 40) ? IPCDEV_SHM_RAW :
			  pc(f, 90) ? (uint32_t)types[rn(f, sizeof(types) - 1)] :
			  (uint32_t)rn(f, 256);
		a->reserved0 = (uint32_t)rres(f);
		a->count = pc(f, 70) ? rn(f, 3000) : pc(f, 50) ? (1ULL << 62) + rn(f, 4) : r64(f);
		a->size = pc(f, 50) ? 0 : pc(f, 60) ? 1 + rn(f, 3 * 4096) :
			  pc(f, 50) ? a->count * (1 + rn(f, 8)) : rsize(f);
		if (a->type == IPCDEV_SHM_RAW && pc(f, 70)) {
			a->size = 1 + rn(f, 3 * 4096);
			a->count = pc(f, 80) ? 0 : a->size;
		}
		a->reserved[0] = rres(f);
		a->reserved[1] = rres(f);
		if (!(a->flags & IPCDEV_CREAT))
			*logme = NULL;
		break;
	}
	case IPCDEV_IOC_EVENT_OPEN: {
		struct ipcdev_event_open *a = (void *)s;

		a->name = pc(f, 30) ? 0 : fz_name(f, logme);
		a->flags = rflags(f, IPCDEV_CREAT | IPCDEV_EXCL | IPCDEV_EVENT_INIT_SET);
		a->mode = rmode(f);
		a->reserved[0] = rres(f);
		a->reserved[1] = rres(f);
		if (!(a->flags & IPCDEV_CREAT))
			*logme = NULL;
		break;
	}
	case IPCDEV_IOC_QUEUE_PUT:
	case IPCDEV_IOC_QUEUE_GET:
	case IPCDEV_IOC_PIPE_SEND:
	case IPCDEV_IOC_PIPE_RECV: {
		struct ipcdev_msg *a = (void *)s;
		bool bad;

		a->len = rlen(f);
		a->buf = rbuf(f, a->len, &bad);
		if (!bad && a->len)
			memset(f->big, (int)rn(f, 256), a->len < 4096 ? a->len : 4096);
		a->deadline_ns = rdeadline(f);
		a->flags = rwait(f);
		a->reserved = (uint32_t)rres(f);
		break;
	}
	case IPCDEV_IOC_SHM_LOCK: {
		struct ipcdev_shm_lock *a = (void *)s;

		a->deadline_ns = rdeadline(f);
		a->flags = rwait(f);
		a->reserved = (uint32_t)rres(f);
		break;
	}
	case IPCDEV_IOC_SHM_LOCKER: {
		struct ipcdev_shm_locker *a = (void *)s;

		a->flags = pc(f, 90) ? 0 : (uint32_t)r64(f);
		a->id = (uint32_t)r64(f);
		a->offset = r64(f);
		a->reserved[0] = rres(f);
		a->reserved[1] = rres(f);
		break;
	}
	case IPCDEV_IOC_SHM_WAIT_CHANGE: {
		struct ipcdev_shm_change *a = (void *)s;

		a->seen = pc(f, 50) ? rn(f, 50) : r64(f);
		a->deadline_ns = rdeadline(f);
		a->flags = rwait(f);
		a->reserved = (uint32_t)rres(f);
		a->seq = r64(f);
		break;
	}
	case IPCDEV_IOC_SHM_READ:
	case IPCDEV_IOC_SHM_WRITE: {
		struct ipcdev_shm_io *a = (void *)s;
		bool bad;

		a->len = pc(f, 70) ? rn(f, 5000) : rsize(f);
		a->offset = pc(f, 70) ? rn(f, 5000) : rsize(f);
		a->buf = rbuf(f, a->len, &bad);
		a->seq = r64(f);
		a->flags = pc(f, 95) ? 0 : (uint32_t)r64(f);
		a->reserved = (uint32_t)rres(f);
		break;
	}
	case IPCDEV_IOC_EVENT_WAIT: {
		struct ipcdev_event_wait *a = (void *)s;

		a->deadline_ns = rdeadline(f);
		a->flags = rwait(f);
		a->reserved = (uint32_t)rres(f);
		break;
	}
	default:	/* STAT: output only; garbage in */
		for (int i = 0; i < 256; i++)
			s[i] = (unsigned char)r64(f);
		break;
	}
}

/* Output structures: their reserved fields must come back zero. */
static void fz_check_stat(struct fz *f, unsigned long cmd, const void *s)
{
	bool ok = true;

	switch (cmd) {
	case IPCDEV_IOC_QUEUE_STAT: {
		const struct ipcdev_queue_stat *st = s;

		ok = !(st->reserved[0] | st->reserved[1] | st->reserved[2] |
		       st->reserved[3]) && st->count <= st->maxsize &&
		     (st->flags & ~3U) == 0 && st->full <= 1;
		break;
	}
	case IPCDEV_IOC_PIPE_STAT: {
		const struct ipcdev_pipe_stat *st = s;

		ok = !(st->reserved[0] | st->reserved[1]) && st->end <= 1;
		break;
	}
	case IPCDEV_IOC_SHM_STAT: {
		const struct ipcdev_shm_stat *st = s;

		ok = !(st->reserved[0] | st->reserved[1] | st->reserved0) &&
		     st->size && st->elem_size && st->size == st->count * st->elem_size;
		break;
	}
	case IPCDEV_IOC_EVENT_STAT: {
		const struct ipcdev_event_stat *st = s;

		ok = !(st->reserved[0] | st->reserved[1] | st->reserved0) &&
		     st->set <= 1;
		break;
	}
	}
	if (!ok)
		fz_fail(f, "inconsistent or non-zero reserved output fields");
}

static const char *const p_name[] = { "ok", "NULL", "unmapped", "read-only",
				      "guard", "kernel" };

static void op_ioctl(struct fz *f, int slot)
{
	static unsigned char sbuf[256] __attribute__((aligned(64)));
	const struct fz_cmd *c = &fz_cmds[rn(f, FZ_NCMDS)];
	int fd = f->fd[slot], dev = f->kind[slot], place, e;
	unsigned long argval;
	unsigned char *s = sbuf;
	size_t size = _IOC_SIZE(c->cmd);
	char *logme;
	long r;

	/* Mostly the device's own commands. */
	if (c->dev >= 0 && c->dev != dev && pc(f, 85)) {
		do
			c = &fz_cmds[rn(f, FZ_NCMDS)];
		while (c->dev >= 0 && c->dev != dev);
		size = _IOC_SIZE(c->cmd);
	}
	memset(s, 0, sizeof(sbuf));
	fz_build(f, c, s, &logme);

	place = P_OK;
	if (c->arg == A_NONE) {
		argval = pc(f, 90) ? 0 : (unsigned long)r64(f);
	} else {
		switch (rn(f, 25)) {
		case 0: place = P_NULL; break;
		case 1: place = P_UNMAPPED; break;
		case 2: case 3: place = P_RO; break;
		case 4: case 5: place = P_GUARD; break;
		case 6: place = P_KERNEL; break;
		}
		switch (place) {
		case P_NULL:
			argval = 0;
			break;
		case P_UNMAPPED:
			argval = (uintptr_t)f->unmapped;
			break;
		case P_KERNEL:
			argval = fz_kaddr;
			break;
		case P_RO: {
			char *dst = f->ro + 1024;

			if (mprotect(f->ro, f->pg, PROT_READ | PROT_WRITE) == 0) {
				memcpy(dst, s, size);
				mprotect(f->ro, f->pg, PROT_READ);
			}
			argval = (uintptr_t)dst;
			break;
		}
		case P_GUARD: {
			size_t k = 1 + rn(f, size - 1);	/* bytes before the guard */
			char *dst = f->guard - k;

			memcpy(dst, s, k);
			argval = (uintptr_t)dst;
			break;
		}
		default:
			argval = (uintptr_t)s;
		}
	}
	snprintf(f->desc, sizeof(f->desc), "ioctl(%s fd %d, %s, arg %s 0x%lx)",
		 fz_devname[dev], fd, c->name,
		 c->arg == A_NONE ? "value" : p_name[place], argval);
	/* Do not create names that the cleanup could not unlink. */
	if (logme && !fz_log_name(f, logme))
		return;
	if (f->verbose)
		fprintf(stderr, "# %s op %ld: %s\n", f->path, f->op, f->desc);

	r = ioctl(fd, c->cmd, argval);
	e = errno;
	fz_call(f);
	if (r == 0) {
		bool own = c->dev < 0 || c->dev == dev;

		if (!own) {
			fz_fail(f, "succeeded on the wrong device");
			return;
		}
		if (place == P_NULL || place == P_UNMAPPED || place == P_KERNEL ||
		    place == P_GUARD)
			fz_fail(f, "succeeded with a bad argument pointer");
		if (place == P_RO && (c->arg == A_OUT || c->arg == A_INOUT) &&
		    c->cmd != IPCDEV_IOC_PIPE_OPEN)
			fz_fail(f, "succeeded writing into a read-only argument");
		if (place == P_OK && c->arg == A_OUT)
			fz_check_stat(f, c->cmd, s);
		if (c->cmd == IPCDEV_IOC_PIPE_OPEN && place == P_OK) {
			struct ipcdev_pipe_open *a = (void *)s;

			if (!a->name)
				fz_add_fd(f, a->fd, DP);
		}
		return;
	}
	if (r != -1) {
		fz_fail(f, "returned %ld", r);
		return;
	}
	if (c->dev >= 0 && c->dev != dev) {
		if (e != ENOTTY)
			fz_fail(f, "errno %d (%s), expected ENOTTY", e, strerror(e));
		return;
	}
	if (!in_list(e, c->errs))
		fz_fail(f, "unexpected errno %d (%s)", e, strerror(e));
}

/* A random command number of our magic that is not a real command. */
static void op_badioctl(struct fz *f, int slot)
{
	unsigned long cmd;
	static const unsigned int dirs[] = { _IOC_NONE, _IOC_READ, _IOC_WRITE,
					     _IOC_READ | _IOC_WRITE };
	long r;
	int e;

	do {
		if (pc(f, 50)) {
			/* A real number with another size or direction. */
			cmd = fz_cmds[rn(f, FZ_NCMDS)].cmd;
			if (pc(f, 50))
				cmd = _IOC(dirs[rn(f, 4)], _IOC_TYPE(cmd), _IOC_NR(cmd),
					   _IOC_SIZE(cmd));
			else
				cmd = _IOC(_IOC_DIR(cmd), _IOC_TYPE(cmd), _IOC_NR(cmd),
					   rn(f, 1 << 14));
		} else {
			cmd = _IOC(dirs[rn(f, 4)], IPCDEV_IOC_MAGIC, rn(f, 256),
				   rn(f, 1 << 14));
		}
	} while (fz_is_cmd(cmd));
	snprintf(f->desc, sizeof(f->desc), "ioctl(%s fd %d, bad cmd 0x%lx)",
		 fz_devname[f->kind[slot]], f->fd[slot], cmd);
	r = ioctl(f->fd[slot], cmd, pc(f, 50) ? (uintptr_t)f->rw : r64(f));
	e = errno;
	fz_call(f);
	if (r != -1 || e != ENOTTY)
		fz_fail(f, "returned %ld errno %d (%s), expected ENOTTY", r, e, strerror(e));
}

/* ------------------------------------------------------------------ */
/* Other operations                                                    */
/* ------------------------------------------------------------------ */

static void op_open(struct fz *f)
{
	static const int acc[] = { O_RDWR, O_RDWR, O_RDONLY, O_WRONLY };
	int dev = (int)rn(f, NDEV);
	int fl = acc[rn(f, 4)] | (pc(f, 20) ? O_NONBLOCK : 0) |
		 (pc(f, 20) ? O_CLOEXEC : 0);
	int fd;

	snprintf(f->desc, sizeof(f->desc), "open(%s, 0x%x)", fz_dev[dev], fl);
	fd = open(fz_dev[dev], fl);
	fz_call(f);
	if (fd < 0) {
		if (errno != EMFILE && errno != ENFILE && errno != ENOMEM)
			fz_fail(f, "errno %d (%s)", errno, strerror(errno));
		return;
	}
	fz_add_fd(f, fd, dev);
}

static void op_close(struct fz *f, int slot)
{
	snprintf(f->desc, sizeof(f->desc), "close(%d)", f->fd[slot]);
	if (close(f->fd[slot]))
		fz_fail(f, "errno %d (%s)", errno, strerror(errno));
	fz_call(f);
	f->fd[slot] = -1;
}

static void op_dup(struct fz *f, int slot)
{
	int fd;

	snprintf(f->desc, sizeof(f->desc), "dup(%d)", f->fd[slot]);
	fd = dup(f->fd[slot]);
	fz_call(f);
	if (fd < 0) {
		if (errno != EMFILE)
			fz_fail(f, "errno %d (%s)", errno, strerror(errno));
		return;
	}
	fz_add_fd(f, fd, f->kind[slot]);
}

static void op_rw(struct fz *f, int slot, bool wr)
{
	int fd = f->fd[slot], dev = f->kind[slot], e;
	uint64_t len = pc(f, 10) ? rsize(f) : rn(f, 300);
	bool bad, positional = dev == DS && pc(f, 50);
	off_t off = pc(f, 90) ? (off_t)rn(f, 9000) : (off_t)r64(f);
	uint64_t buf = rbuf(f, len, &bad);
	ssize_t r;
	static const int e_qr[] = { EAGAIN, EINTR, EMSGSIZE, EFAULT, EBADF, IMPLICIT, 0 };
	static const int e_qw[] = { EAGAIN, EINTR, EMSGSIZE, EFAULT, EBADF, IMPLICIT, 0 };
	static const int e_pr[] = { ENOTCONN, EBADF, EAGAIN, EINTR, EMSGSIZE, EFAULT, 0 };
	static const int e_pw[] = { ENOTCONN, EBADF, EAGAIN, EINTR, EMSGSIZE, EFAULT,
				    EPIPE, ENOMEM, EDQUOT, 0 };
	static const int e_sr[] = { ENOTCONN, EFAULT, EINVAL, EBADF, 0 };
	static const int e_sw[] = { ENOTCONN, EFAULT, EINVAL, EBADF, ENOSPC, ENOMEM, EFBIG, 0 };
	static const int e_er[] = { EINVAL, EBADF, EAGAIN, EINTR, EFAULT,
				    IMPLICIT, 0 };
	static const int e_spipe[] = { ESPIPE, EBADF, EINVAL, 0 };
	const int *ok;

	if (len > SSIZE_MAX)
		len = rn(f, 1 << 20);
	if (dev != DS && pc(f, 5))
		positional = true;	/* pread on a stream: ESPIPE */
	snprintf(f->desc, sizeof(f->desc), "%s%s(%s fd %d, 0x%llx, %llu%s)",
		 positional ? "p" : "", wr ? "write" : "read", fz_devname[dev], fd,
		 (unsigned long long)buf, (unsigned long long)len,
		 positional ? ", off" : "");
	if (positional)
		r = wr ? pwrite(fd, (void *)(uintptr_t)buf, len, off) :
			 pread(fd, (void *)(uintptr_t)buf, len, off);
	else
		r = wr ? write(fd, (void *)(uintptr_t)buf, len) :
			 read(fd, (void *)(uintptr_t)buf, len);
	e = errno;
	fz_call(f);
	if (r >= 0) {
		if ((uint64_t)r > len)
			fz_fail(f, "returned %zd > %llu", r, (unsigned long long)len);
		else if (wr && dev != DS && (uint64_t)r != len)
			fz_fail(f, "short message write %zd of %llu", r,
				(unsigned long long)len);
		else if (dev == DE && (r != 8 || len < 8 || (wr && len != 8)))
			fz_fail(f, "event %s of %llu returned %zd, not 8",
				wr ? "write" : "read", (unsigned long long)len, r);
		return;
	}
	if (dev != DS && positional)
		ok = e_spipe;
	else if (dev == DQ)
		ok = wr ? e_qw : e_qr;
	else if (dev == DP)
		ok = wr ? e_pw : e_pr;
	else if (dev == DS)
		ok = wr ? e_sw : e_sr;
	else
		ok = e_er;
	if (!in_list(e, ok))
		fz_fail(f, "unexpected errno %d (%s)", e, strerror(e));
}

static sigjmp_buf fz_jmp;
static volatile sig_atomic_t fz_in_touch;

static void fz_on_fault(int sig)
{
	if (fz_in_touch)
		siglongjmp(fz_jmp, sig);
	signal(sig, SIG_DFL);
	raise(sig);
}

static int fz_map_slot(struct fz *f)
{
	for (int i = 0; i < FZ_NMAP; i++)
		if (!f->map[i].addr)
			return i;
	return -1;
}

static void op_mmap(struct fz *f, int slot)
{
	static const int prots[] = { PROT_READ, PROT_READ | PROT_WRITE, PROT_NONE,
				     PROT_WRITE };
	int fd = f->fd[slot], dev = f->kind[slot], m = fz_map_slot(f);
	size_t len = pc(f, 80) ? f->pg * (1 + rn(f, 3)) : rsize(f);
	int prot = prots[rn(f, 4)];
	int flags = pc(f, 70) ? MAP_SHARED : MAP_PRIVATE;
	off_t off = pc(f, 80) ? 0 : pc(f, 80) ? f->pg * (off_t)rn(f, 3) : (off_t)r64(f) & ~(f->pg - 1);

	/* Sometimes the lock word's page, whose touches write garbage words. */
	if (pc(f, 10))
		off = (off_t)IPCDEV_SHM_LOCK_OFFSET;
	static const int e_shm[] = { EINVAL, EACCES, ENOTCONN, ENOMEM, EOVERFLOW, 0 };
	void *p;

	if (m < 0)
		return;
	if (len > (1ULL << 40))
		len = f->pg;
	snprintf(f->desc, sizeof(f->desc), "mmap(%s fd %d, len %zu, prot %d, %s, off %lld)",
		 fz_devname[dev], fd, len, prot, flags == MAP_SHARED ? "shared" : "private",
		 (long long)off);
	p = mmap(NULL, len, prot, flags, fd, off);
	fz_call(f);
	if (p == MAP_FAILED) {
		int e = errno;

		if (dev != DS ? (e != ENODEV && e != EINVAL && e != EOVERFLOW &&
				 e != EACCES && e != ENOMEM) : !in_list(e, e_shm))
			fz_fail(f, "unexpected errno %d (%s)", e, strerror(e));
		return;
	}
	if (dev != DS) {
		fz_fail(f, "mmap of a %s succeeded", fz_devname[dev]);
		munmap(p, len);
		return;
	}
	f->map[m].addr = p;
	f->map[m].len = len;
	f->map[m].prot = prot;
	f->map[m].grown = false;
	f->map[m].shared = flags == MAP_SHARED;
	f->map[m].rdonly = (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDONLY;
}

static int fz_pick_map(struct fz *f)
{
	int used[FZ_NMAP], n = 0;

	for (int i = 0; i < FZ_NMAP; i++)
		if (f->map[i].addr)
			used[n++] = i;
	return n ? used[rn(f, n)] : -1;
}

/* mprotect: a shared mapping made through a read-only handle stays read-only. */
static void op_mprotect(struct fz *f)
{
	static const int prots[] = { PROT_READ, PROT_READ | PROT_WRITE, PROT_NONE };
	int m = fz_pick_map(f), prot = prots[rn(f, 3)];

	if (m < 0)
		return;
	snprintf(f->desc, sizeof(f->desc), "mprotect(%p, %zu, %d)%s", f->map[m].addr,
		 f->map[m].len, prot,
		 f->map[m].shared && f->map[m].rdonly ? " shared, read-only handle" : "");
	fz_call(f);
	if (mprotect(f->map[m].addr, f->map[m].len, prot)) {
		if (errno != EACCES && errno != ENOMEM)
			fz_fail(f, "errno %d (%s)", errno, strerror(errno));
		return;
	}
	if ((prot & PROT_WRITE) && f->map[m].shared && f->map[m].rdonly)
		fz_fail(f, "a shared mapping of a read-only handle became writable");
	f->map[m].prot = prot;
}

static void op_munmap(struct fz *f)
{
	int m = fz_pick_map(f);

	if (m < 0)
		return;
	if (f->map[m].len > (size_t)f->pg && pc(f, 40)) {
		/* Split the mapping: keep the first page. */
		snprintf(f->desc, sizeof(f->desc), "munmap(%p + page, %zu)", f->map[m].addr,
			 f->map[m].len - f->pg);
		if (munmap(f->map[m].addr + f->pg, f->map[m].len - f->pg))
			fz_fail(f, "errno %d (%s)", errno, strerror(errno));
		fz_call(f);
		f->map[m].len = f->pg;
		return;
	}
	snprintf(f->desc, sizeof(f->desc), "munmap(%p, %zu)", f->map[m].addr, f->map[m].len);
	if (munmap(f->map[m].addr, f->map[m].len))
		fz_fail(f, "errno %d (%s)", errno, strerror(errno));
	fz_call(f);
	f->map[m].addr = NULL;
}

static void op_mremap(struct fz *f)
{
	int m = fz_pick_map(f);
	size_t nlen;
	void *p;

	if (m < 0)
		return;
	nlen = f->pg * (1 + rn(f, 6));
	snprintf(f->desc, sizeof(f->desc), "mremap(%p, %zu -> %zu)", f->map[m].addr,
		 f->map[m].len, nlen);
	p = mremap(f->map[m].addr, f->map[m].len, nlen, MREMAP_MAYMOVE);
	fz_call(f);
	if (p == MAP_FAILED) {
		if (errno != ENOMEM && errno != EFAULT && errno != EINVAL)
			fz_fail(f, "errno %d (%s)", errno, strerror(errno));
		return;
	}
	if (nlen > f->map[m].len)
		f->map[m].grown = true;
	f->map[m].addr = p;
	f->map[m].len = nlen;
}

/* Read (and write, when writable) one byte of each page of a mapping. */
static void op_touch(struct fz *f)
{
	int m = fz_pick_map(f), sig;
	volatile char *p;
	size_t i;

	if (m < 0 || !(f->map[m].prot & PROT_READ))
		return;
	p = (volatile char *)f->map[m].addr;
	snprintf(f->desc, sizeof(f->desc), "touch(%p, %zu, prot %d%s)", f->map[m].addr,
		 f->map[m].len, f->map[m].prot, f->map[m].grown ? ", grown" : "");
	fz_in_touch = 1;
	sig = sigsetjmp(fz_jmp, 1);
	if (sig) {
		fz_in_touch = 0;
		/* Past the segment after an mremap that grew the mapping: SIGBUS. */
		if (!(sig == SIGBUS && f->map[m].grown))
			fz_fail(f, "signal %d", sig);
		return;
	}
	for (i = 0; i < f->map[m].len; i += f->pg) {
		char c = p[i];

		if (f->map[m].prot & PROT_WRITE)
			p[i] = (char)(c + 1);
	}
	fz_in_touch = 0;
}

static void op_poll(struct fz *f)
{
	struct pollfd pf[3];
	int n = 1 + (int)rn(f, 3), k = 0, r;

	for (int i = 0; i < n; i++) {
		int s = fz_pick(f);

		if (s < 0)
			break;
		pf[k].fd = f->fd[s];
		pf[k].events = (short)(pc(f, 80) ? (POLLIN | POLLOUT) & r64(f) : r64(f));
		pf[k].revents = 0;
		k++;
	}
	if (!k)
		return;
	snprintf(f->desc, sizeof(f->desc), "poll(%d fds, first %d)", k, pf[0].fd);
	r = poll(pf, k, pc(f, 70) ? 0 : 2);
	fz_call(f);
	if (r < 0 && errno != EINTR && errno != ENOMEM)
		fz_fail(f, "errno %d (%s)", errno, strerror(errno));
}

static void op_fasync(struct fz *f, int slot)
{
	int fd = f->fd[slot], fl;

	snprintf(f->desc, sizeof(f->desc), "fcntl(%s fd %d, F_SETFL O_ASYNC)",
		 fz_devname[f->kind[slot]], fd);
	fl = fcntl(fd, F_GETFL);
	fz_call(f);
	if (fl < 0) {
		fz_fail(f, "F_GETFL errno %d", errno);
		return;
	}
	if (fcntl(fd, F_SETOWN, getpid()))
		fz_fail(f, "F_SETOWN errno %d", errno);
	fl ^= O_ASYNC;
	if (pc(f, 30))
		fl ^= O_NONBLOCK;
	fz_call(f);
	if (fcntl(fd, F_SETFL, fl)) {
		int e = errno;

		/* An unbound pipe or segment cannot be signalled. */
		if (e != ENOTCONN && e != ENOMEM && e != EDQUOT && e != ENOSPC)
			fz_fail(f, "errno %d (%s)", e, strerror(e));
	}
	fz_call(f);
}

static void op_unlink_pool(struct fz *f)
{
	char name[64];
	struct ipcdev_unlink u = { .name = (uintptr_t)name };
	int slot = fz_pick(f);

	if (slot < 0)
		return;
	pool_name(f->runseed, (int)rn(f, FZ_POOL), name, sizeof(name));
	snprintf(f->desc, sizeof(f->desc), "ioctl(%s, UNLINK %s)",
		 fz_devname[f->kind[slot]], name);
	if (ioctl(f->fd[slot], IPCDEV_IOC_UNLINK, &u) && errno != ENOENT && errno != EPERM)
		fz_fail(f, "errno %d (%s)", errno, strerror(errno));
	fz_call(f);
}

/* ------------------------------------------------------------------ */
/* Processes                                                           */
/* ------------------------------------------------------------------ */

static void fz_on_alarm(int sig)
{
	(void)sig;
}

/* A periodic SIGALRM without SA_RESTART: no untimed wait lasts. */
static void fz_arm(void)
{
	struct sigaction sa;
	struct itimerval it = { { 0, 20000 }, { 0, 20000 } };

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fz_on_alarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	sa.sa_handler = fz_on_fault;
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	signal(SIGIO, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	setitimer(ITIMER_REAL, &it, NULL);
}

/* Reap @pid, waiting up to @ms; a child that does not end is a hang. */
static int fz_reap(struct fz *f, pid_t pid, unsigned int ms, bool *hung)
{
	uint64_t end = now_ns() + (uint64_t)ms * 1000000ULL;
	int st;

	*hung = false;
	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid)
			return st;
		if (r < 0 && errno != EINTR)
			return -1;
		if (now_ns() > end) {
			*hung = true;
			if (f) {
				char path[64], buf[2048];
				FILE *s;
				size_t n;

				fprintf(stderr, "# ipcfuzz: process %d of %s does not end: hang; its kernel stack:\n",
					pid, f->path);
				snprintf(path, sizeof(path), "/proc/%d/stack", pid);
				s = fopen(path, "r");
				if (s) {
					n = fread(buf, 1, sizeof(buf) - 1, s);
					buf[n] = 0;
					fprintf(stderr, "%s", buf);
					fclose(s);
				}
			}
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			return st;
		}
		usleep(2000);
	}
}

static void fz_run_ops(struct fz *f);

static void op_fork(struct fz *f)
{
	int k;
	pid_t pid;

	for (k = 0; k < FZ_NKID && f->kid[k] > 0; k++)
		;
	if (k == FZ_NKID || f->depth >= FZ_DEPTH)
		return;
	snprintf(f->desc, sizeof(f->desc), "fork");
	fflush(NULL);
	pid = fork();
	fz_call(f);
	if (pid < 0) {
		if (errno != EAGAIN && errno != ENOMEM)
			fz_fail(f, "errno %d", errno);
		return;
	}
	if (pid == 0) {
		size_t pl = strlen(f->path);

		snprintf(f->path + pl, sizeof(f->path) - pl, ".c%ld", f->op % 100000);
		f->seed = fz_mix(f->seed ^ ((uint64_t)f->op << 20));
		f->rng = f->seed;
		f->depth++;
		f->printed = 0;
		f->failed = false;
		f->ops = 20 + (long)rn(f, 150);
		for (int i = 0; i < FZ_NKID; i++)
			f->kid[i] = 0;
		fz_arm();
		/* Some children run unprivileged: EACCES and EPERM paths. */
		if (pc(f, 20) && geteuid() == 0) {
			if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
			    setresuid(65534, 65534, 65534))
				fz_fail(f, "cannot drop privileges");
			strncat(f->path, "u", sizeof(f->path) - strlen(f->path) - 1);
		}
		__atomic_add_fetch(&f->sh->forks, 1, __ATOMIC_RELAXED);
		fz_run_ops(f);
		_exit(f->failed ? 1 : 0);
	}
	f->kid[k] = pid;
}

static void fz_check_kid(struct fz *f, pid_t pid, int st, bool hung, bool killed)
{
	snprintf(f->desc, sizeof(f->desc), "child %d", pid);
	if (hung) {
		__atomic_add_fetch(&f->sh->hangs, 1, __ATOMIC_RELAXED);
		fz_fail(f, "did not finish (hang)");
	} else if (WIFEXITED(st) && WEXITSTATUS(st)) {
		f->failed = true;	/* it printed its own failure */
	} else if (WIFSIGNALED(st) && !(killed && WTERMSIG(st) == SIGKILL)) {
		fz_fail(f, "died of signal %d", WTERMSIG(st));
	}
}

static void op_kill(struct fz *f)
{
	int live[FZ_NKID], n = 0, k, st;
	bool hung;

	for (k = 0; k < FZ_NKID; k++)
		if (f->kid[k] > 0)
			live[n++] = k;
	if (!n)
		return;
	k = live[rn(f, n)];
	snprintf(f->desc, sizeof(f->desc), "kill(%d, SIGKILL)", f->kid[k]);
	kill(f->kid[k], SIGKILL);
	fz_call(f);
	st = fz_reap(f, f->kid[k], 20000, &hung);
	__atomic_add_fetch(&f->sh->kills, 1, __ATOMIC_RELAXED);
	fz_check_kid(f, f->kid[k], st, hung, true);
	f->kid[k] = 0;
}

static void fz_run_ops(struct fz *f)
{
	for (f->op = 0; f->op < f->ops; f->op++) {
		int slot = fz_pick(f);
		unsigned int x = (unsigned int)rn(f, 100);

		if (slot < 0 || x < 8) {
			op_open(f);
			continue;
		}
		if (x < 50)
			op_ioctl(f, slot);
		else if (x < 54)
			op_badioctl(f, slot);
		else if (x < 60)
			op_rw(f, slot, false);
		else if (x < 66)
			op_rw(f, slot, true);
		else if (x < 71)
			op_mmap(f, slot);
		else if (x < 72)
			op_munmap(f);
		else if (x < 73)
			op_mprotect(f);
		else if (x < 75)
			op_mremap(f);
		else if (x < 79)
			op_touch(f);
		else if (x < 83)
			op_poll(f);
		else if (x < 86)
			op_fasync(f, slot);
		else if (x < 87)
			op_fork(f);
		else if (x < 88)
			op_kill(f);
		else if (x < 91)
			op_dup(f, slot);
		else if (x < 97)
			op_close(f, slot);
		else
			op_unlink_pool(f);
	}
	/* Wait for the children that were not killed. */
	for (int k = 0; k < FZ_NKID; k++) {
		bool hung;
		int st;

		if (f->kid[k] <= 0)
			continue;
		st = fz_reap(f, f->kid[k], 30000, &hung);
		fz_check_kid(f, f->kid[k], st, hung, false);
		f->kid[k] = 0;
	}
}

/* ------------------------------------------------------------------ */
/* A run                                                               */
/* ------------------------------------------------------------------ */

struct fz_opts {
	unsigned long long seed;
	long ops;
	int procs;
	int timeout;	/* seconds for the whole run */
	bool verbose;
};

struct fz_result {
	long calls, failures, kills, forks, hangs, names;
	bool leak;
};

static long long fz_stat(const char *key)
{
	char k[64];
	long long v, found = -1;
	FILE *f = fopen("/proc/ipcdev/stats", "r");

	if (!f)
		return -1;
	while (fscanf(f, "%63s %lld", k, &v) == 2)
		if (!strcmp(k, key)) {
			found = v;
			break;
		}
	fclose(f);
	return found;
}

static const char *const fz_keys[] = { "objects", "named", "bytes", "handles",
					"spare" };

static int fz_setup_mem(struct fz *f)
{
	char *p;

	f->pg = sysconf(_SC_PAGESIZE);
	p = mmap(NULL, 2 * f->pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || mprotect(p + f->pg, f->pg, PROT_NONE))
		return -1;
	f->rw = p;
	f->guard = p + f->pg;
	p = mmap(NULL, 2 * f->pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	for (int k = 0; k < FZ_POOL; k++)
		pool_name(f->runseed, k, p + 64 * k, 64);
	mprotect(p, f->pg, PROT_READ);
	munmap(p + f->pg, f->pg);
	f->ro = p;
	/*
	 * Never mapped: below mmap_min_addr, and nothing here maps with
	 * MAP_FIXED.  (A page unmapped earlier would be reused by later
	 * mmap()s: a fuzzer false positive seen with seed 7.)
	 */
	f->unmapped = (char *)0x1000;
	f->bigsz = 128 * 1024;
	f->big = mmap(NULL, f->bigsz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (f->big == MAP_FAILED)
		return -1;
	return 0;
}

/* Unlink every name the run may have created, on every device. */
static void fz_cleanup_names(struct fz_shared *sh, unsigned long long seed)
{
	int fds[NDEV];
	char name[64];
	unsigned int n = sh->nnames < FZ_MAXNAMES ? sh->nnames : FZ_MAXNAMES;

	for (int d = 0; d < NDEV; d++)
		fds[d] = open(fz_dev[d], O_RDWR);
	for (int d = 0; d < NDEV; d++) {
		struct ipcdev_unlink u = { .name = (uintptr_t)name };

		if (fds[d] < 0)
			continue;
		for (int k = 0; k < FZ_POOL; k++) {
			pool_name(seed, k, name, sizeof(name));
			ioctl(fds[d], IPCDEV_IOC_UNLINK, &u);
		}
		for (unsigned int i = 0; i < n; i++) {
			u.name = (uintptr_t)sh->names[i];
			ioctl(fds[d], IPCDEV_IOC_UNLINK, &u);
		}
	}
	for (int d = 0; d < NDEV; d++)
		if (fds[d] >= 0)
			close(fds[d]);
}

/*
 * One run: @o->procs workers share @o->ops operations.  Returns 0 when
 * everything passed, 1 otherwise; fills @res.
 */
static int ipcfuzz_run(const struct fz_opts *o, struct fz_result *res)
{
	struct fz_shared *sh;
	long long base[4], now[4];
	pid_t pids[64];
	int procs = o->procs < 1 ? 1 : o->procs > 64 ? 64 : o->procs;
	uint64_t t0 = now_ns();
	int fail = 0;

	memset(res, 0, sizeof(*res));
	signal(SIGIO, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	for (int i = 0; i < 4; i++) {
		base[i] = fz_stat(fz_keys[i]);
		if (base[i] < 0) {
			fprintf(stderr, "# ipcfuzz: cannot read /proc/ipcdev/stats: module loaded?\n");
			return 1;
		}
	}
	printf("# ipcfuzz: seed %llu, %ld ops, %d procs\n", o->seed, o->ops, procs);
	fflush(stdout);
	for (int w = 0; w < procs; w++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("fork");
			pids[w] = 0;
			fail = 1;
			continue;
		}
		if (pid == 0) {
			struct fz f;

			memset(&f, 0, sizeof(f));
			f.sh = sh;
			f.runseed = o->seed;
			f.seed = fz_mix(o->seed * 1000003ULL + (uint64_t)w);
			f.rng = f.seed;
			f.verbose = o->verbose;
			f.ops = o->ops / procs;
			snprintf(f.path, sizeof(f.path), "w%d", w);
			for (int i = 0; i < FZ_NFD; i++)
				f.fd[i] = -1;
			if (fz_setup_mem(&f)) {
				fprintf(stderr, "# ipcfuzz: worker memory setup failed\n");
				_exit(1);
			}
			fz_arm();
			fz_run_ops(&f);
			_exit(f.failed ? 1 : 0);
		}
		pids[w] = pid;
	}
	for (int w = 0; w < procs; w++) {
		uint64_t left_ms, deadline = t0 + (uint64_t)o->timeout * 1000000000ULL;
		bool hung;
		int st;
		struct fz dummy;

		if (!pids[w])
			continue;
		left_ms = now_ns() < deadline ? (deadline - now_ns()) / 1000000 : 1;
		memset(&dummy, 0, sizeof(dummy));
		snprintf(dummy.path, sizeof(dummy.path), "main");
		st = fz_reap(&dummy, pids[w], (unsigned int)left_ms, &hung);
		if (hung) {
			fprintf(stderr, "# ipcfuzz: FAIL seed %llu: worker w%d did not finish within %d s (hang)\n",
				o->seed, w, o->timeout);
			sh->hangs++;
			fail = 1;
		} else if (!WIFEXITED(st) || WEXITSTATUS(st)) {
			fprintf(stderr, "# ipcfuzz: FAIL seed %llu: worker w%d ended with status 0x%x\n",
				o->seed, w, st);
			fail = 1;
		}
	}
	fz_cleanup_names(sh, o->seed);
	/* Closing is synchronous, but give deferred fput()s a moment. */
	for (int tries = 0; tries < 300; tries++) {
		bool same = true;

		for (int i = 0; i < 4; i++) {
			now[i] = fz_stat(fz_keys[i]);
			if (now[i] != base[i])
				same = false;
		}
		if (same)
			break;
		usleep(10000);
	}
	for (int i = 0; i < 4; i++)
		if (now[i] != base[i]) {
			fprintf(stderr, "# ipcfuzz: FAIL seed %llu: /proc/ipcdev/stats %s %lld, was %lld before the run\n",
				o->seed, fz_keys[i], now[i], base[i]);
			res->leak = true;
			fail = 1;
		}
	res->calls = sh->calls;
	res->failures = sh->failures;
	res->kills = sh->kills;
	res->forks = sh->forks;
	res->hangs = sh->hangs;
	res->names = sh->nnames;
	if (sh->failures)
		fail = 1;
	printf("# ipcfuzz: seed %llu: %ld calls, %ld forks, %ld kills, %ld failures, %ld hangs, %.1f s%s\n",
	       o->seed, res->calls, res->forks, res->kills, res->failures, res->hangs,
	       (now_ns() - t0) / 1e9, res->leak ? ", counters NOT back to baseline" : "");
	fflush(stdout);
	munmap(sh, sizeof(*sh));
	return fail;
}

#ifndef IPCFUZZ_NO_MAIN
static void usage(void)
{
	fprintf(stderr,
		"usage: ipcfuzz [--seed S] [--ops N] [--procs P] [--timeout SEC] [--verbose]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "ops", required_argument, NULL, 'n' },
		{ "procs", required_argument, NULL, 'p' },
		{ "timeout", required_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct fz_opts o = { .seed = (unsigned long long)time(NULL), .ops = 10000,
			     .procs = 4, .timeout = 600 };
	struct fz_result res;
	int c;

	while ((c = getopt_long(argc, argv, "s:n:p:t:vh", lo, NULL)) != -1) {
		switch (c) {
		case 's': o.seed = strtoull(optarg, NULL, 0); break;
		case 'n': o.ops = strtol(optarg, NULL, 0); break;
		case 'p': o.procs = atoi(optarg); break;
		case 't': o.timeout = atoi(optarg); break;
		case 'v': o.verbose = true; break;
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	return ipcfuzz_run(&o, &res);
}
#endif
