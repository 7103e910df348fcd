// SPDX-License-Identifier: GPL-2.0
/*
 * ipcfuzz: a seeded fuzzer of the ipcdev ABI (uapi/linux/ipcdev.h), with
 * an oracle.  Run as root with the module loaded:
 *
 *   ipcfuzz [--seed S] [--ops N] [--model-ops N] [--race-ops N] [--procs P]
 *           [--threads T] [--phases chaos,model,race] [--timeout SEC]
 *           [--counts] [--verbose]
 *
 * Three phases, each --ops calls (or --model-ops, --race-ops) by default:
 *
 * chaos: P worker processes (plus the children they fork) issue calls on
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
 * periodic SIGALRM (no SA_RESTART) ends untimed waits with EINTR.  Pass:
 * every call returns success or an errno of the documented set for that
 * call (the e_* tables), and no process hangs.
 *
 * model: P processes of T threads share the descriptors of 8 objects (2 of
 * each kind); every result is compared with a model of the object (see
 * "The model phase" below): errno, lengths, message bytes in order,
 * counters, the event flag, the segment's bytes, change counter and lock
 * owner.  Any difference fails.
 *
 * race: P processes of T threads share the descriptors of 4 objects with
 * no lock in the fuzzer, closing and re-making dup()s under each other;
 * what stays determined is checked (see "The race phase").
 *
 * In chaos, each process's sequence of operations depends only on the seed
 * and its place in the tree (worker w, child forked at op k...), so a
 * failure printed as "seed S ... proc w1.c37 op 812" is reproduced by
 * running with the same --seed, --ops and --procs.  In model and race the
 * calls each actor picks depend only on the seed; with T > 1 or P > 1 the
 * interleaving varies, so replay with --threads 1 --procs 1 first.
 *
 * After the phases, once every process has exited and every name the run
 * may have created is unlinked, /proc/ipcdev/stats (objects, named, bytes,
 * handles) must be back to its value before the run.  Kernel reports
 * (KASAN, lockdep...) are found by the runner's dmesg scan.  Prints the
 * calls made, the model checks (results compared with the model), forks and
 * kills, and (--counts, the default of the tool) per phase and command the
 * successes and each errno, so that a generator bias is visible.
 *
 * Built standalone (build/selftests/ipcfuzz, and ipcfuzz32 with -m32 for
 * the compat_ioctl path); ipcfuzz_test.c includes this file with
 * IPCFUZZ_NO_MAIN for the bounded kselftest passes.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
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
#define FZ_CANARY	0xc5	/* fills the page below f->rw */

enum { DQ, DP, DS, DE, NDEV };
static const char *const fz_dev[NDEV] = {
	"/dev/ipcqueue", "/dev/ipcpipe", "/dev/ipcshm", "/dev/ipcevent",
};
static const char *const fz_devname[NDEV] = { "queue", "pipe", "shm", "event" };

/*
 * Per-command counts of successes and of each errno, per phase, so that a
 * generator bias is visible.  Commands are the fz_cmds[] ioctls (by index)
 * and then the X_* calls.
 */
enum { PH_CHAOS, PH_MODEL, PH_RACE, NPH };
static const char *const ph_name[NPH] = { "chaos", "model", "race" };
#define FZ_NIOC		28	/* entries of fz_cmds[] */
enum { X_BADIOC = FZ_NIOC, X_WAIT_CLEAR, X_OPEN, X_CLOSE, X_DUP, X_READ, X_WRITE,
       X_PREAD, X_PWRITE, X_MMAP, X_MUNMAP, X_MPROTECT, X_MREMAP, X_TOUCH, X_POLL,
       X_FCNTL, X_FORK, X_KILL, X_UNLINK_POOL, X_DIE, X_CHURN, FZ_NOPS };
static const char *const x_name[FZ_NOPS - FZ_NIOC] = {
	"bad ioctl", "EVENT_WAIT|WAIT_CLEAR", "open", "close", "dup", "read", "write",
	"pread", "pwrite", "mmap", "munmap", "mprotect", "mremap", "touch mapping", "poll",
	"fcntl O_ASYNC", "fork", "SIGKILL child", "UNLINK pool name", "LOCK and die",
	"dup+close churn",
};
#define FZ_NERR		136	/* [0]: success; [e]: errno e; [135]: others */

/* Shared by every process of a run (MAP_SHARED | MAP_ANONYMOUS). */
struct fz_shared {
	long calls;
	long failures;
	long kills;
	long forks;
	long hangs;
	long checks;		/* results compared with the model */
	long cnt[NPH][FZ_NOPS][FZ_NERR];
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
	bool isdev[FZ_NFD];	/* a device descriptor (a factory), no object */
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

static const uint64_t fz_kaddr = 0xffff888000000000ULL;
/* A kernel address as an ioctl argument (a 32-bit caller's top page). */
static const unsigned long fz_karg = sizeof(long) == 8 ? (unsigned long)0xffff888000000000ULL :
				     0xfffff000UL;

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

/* Count one outcome of @op: @e is 0 (success) or the errno. */
static void fz_note(struct fz_shared *sh, int ph, int op, int e)
{
	if (e < 0 || e >= FZ_NERR)
		e = FZ_NERR - 1;
	__atomic_add_fetch(&sh->cnt[ph][op][e], 1, __ATOMIC_RELAXED);
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
/* Errors of every OPEN ioctl. */
#define OPENERR		EMFILE, ENFILE, EEXIST, ENOENT, EACCES, EINVAL, ENAMETOOLONG, \
			EFAULT, ENOMEM, ENOSPC, EDQUOT
#define WAITERR		EAGAIN, ETIMEDOUT, EINTR

static const int e_unlink[] = { EFAULT, EINVAL, ENAMETOOLONG, ENOENT, EPERM, ENOMEM, 0 };
static const int e_setattr[] = { EFAULT, EINVAL, ENAMETOOLONG, ENOENT, EPERM, ENOMEM, 0 };
static const int e_qopen[] = { OPENERR, 0 };
static const int e_popen[] = { OPENERR, 0 };
static const int e_sopen[] = { OPENERR, EOVERFLOW, 0 };
static const int e_put[] = { EBADF, EMSGSIZE, EFAULT, EINVAL, WAITERR, ENOMEM, EDQUOT, 0 };
static const int e_get[] = { EBADF, EMSGSIZE, EFAULT, EINVAL, WAITERR, ENOMEM, 0 };
static const int e_qstat[] = { EFAULT, 0 };
static const int e_send[] = { EBADF, EMSGSIZE, EFAULT, EINVAL, ENOMEM, EDQUOT,
			      EPIPE, WAITERR, 0 };
static const int e_recv[] = { EBADF, EMSGSIZE, EFAULT, EINVAL, EPIPE, WAITERR, 0 };
static const int e_pstat[] = { EFAULT, 0 };
static const int e_sstat[] = { EFAULT, 0 };
static const int e_lock[] = { EFAULT, EINVAL, EDEADLK, EOWNERDEAD, ENOMEM, WAITERR,
			      0 };
static const int e_locker[] = { EFAULT, EINVAL, ENOMEM, EINTR, 0 };
static const int e_unlock[] = { EINVAL, EPERM, 0 };
static const int e_publish[] = { EINVAL, EBADF, 0 };
static const int e_change[] = { EFAULT, EINVAL, WAITERR, 0 };
static const int e_sio[] = { EFAULT, EINVAL, EBADF, ENOMEM, 0 };
static const int e_eopen[] = { OPENERR, 0 };
static const int e_eset[] = { EINVAL, EBADF, 0 };
static const int e_ewait[] = { EBADF, EFAULT, EINVAL, WAITERR, 0 };
static const int e_estat[] = { EFAULT, 0 };
/* The batches fail as their single calls, and may not get their copy. */
static const int e_recv_many[] = { EBADF, EMSGSIZE, EFAULT, EINVAL, EPIPE, ENOMEM,
				   WAITERR, 0 };


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
	/* Last, so that the model's indices above stay. */
	{ IPCDEV_IOC_QUEUE_PUT_MANY, "QUEUE_PUT_MANY", DQ, A_INOUT, e_put },
	{ IPCDEV_IOC_QUEUE_GET_MANY, "QUEUE_GET_MANY", DQ, A_INOUT, e_get },
	{ IPCDEV_IOC_PIPE_SEND_MANY, "PIPE_SEND_MANY", DP, A_INOUT, e_send },
	{ IPCDEV_IOC_PIPE_RECV_MANY, "PIPE_RECV_MANY", DP, A_INOUT, e_recv_many },
};
#define FZ_NCMDS (sizeof(fz_cmds) / sizeof(fz_cmds[0]))
_Static_assert(FZ_NCMDS == FZ_NIOC, "FZ_NIOC is the size of fz_cmds[]");

/* The batch commands return the count transferred, 1 or more. */
static bool fz_is_batch(unsigned long cmd)
{
	return cmd == IPCDEV_IOC_QUEUE_PUT_MANY || cmd == IPCDEV_IOC_QUEUE_GET_MANY ||
	       cmd == IPCDEV_IOC_PIPE_SEND_MANY || cmd == IPCDEV_IOC_PIPE_RECV_MANY;
}

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

static void fz_add_fd(struct fz *f, int fd, int kind, bool isdev)
{
	int i = fz_slot(f);

	f->fd[i] = fd;
	f->kind[i] = kind;
	f->isdev[i] = isdev;
}

/*
 * The OPEN ioctl @cmd on the device descriptor @fd, whose number then
 * holds the new object descriptor: 0, or -1 with errno set.
 */
static int fz_open_in_place(int fd, unsigned long cmd, void *arg)
{
	int nfd = ioctl(fd, cmd, arg), r;

	if (nfd < 0)
		return -1;
	r = dup2(nfd, fd) < 0 ? -1 : 0;
	close(nfd);
	return r;
}

static bool fz_is_open_cmd(unsigned long cmd)
{
	return cmd == IPCDEV_IOC_QUEUE_OPEN || cmd == IPCDEV_IOC_PIPE_OPEN ||
	       cmd == IPCDEV_IOC_SHM_OPEN || cmd == IPCDEV_IOC_EVENT_OPEN;
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

/*
 * A buffer of @len bytes that starts in f->rw and runs into the guard page
 * after it (at least its last byte is there).  It starts at most a page
 * before the guard: f->rw is one page, and what lies below it is not the
 * fuzzer's (often libc's .bss, right below the gap it was mapped in).  A
 * call that writes into such a buffer may fill its readable part before it
 * faults, as read(2) does; starting further down, the kernel's correct
 * partial copy overwrote libc (a worker's GPF in fork(), 2026-12-04).
 */
static uint64_t fz_cross_guard(struct fz *f, uint64_t len)
{
	uint64_t room = len < (uint64_t)f->pg ? len : (uint64_t)f->pg;

	return (uintptr_t)(f->guard - (room > 1 ? rn(f, room) : 0));
}

/* Did a call given a bad buffer write below f->rw, into the canary page? */
static void fz_check_canary(struct fz *f)
{
	const unsigned char *c = (const unsigned char *)f->rw - f->pg;

	for (long i = 0; i < f->pg; i++)
		if (c[i] != FZ_CANARY) {
			fz_fail(f, "byte %ld below the read-write page was overwritten", f->pg - i);
			return;
		}
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
		return fz_cross_guard(f, len);
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

/*
 * A batch's vector: mostly a few elements of fz_build()'s messages (each
 * buffer a slice of f->big, or bad), sometimes a bad count, a nonzero
 * element field, a bad array pointer, or an array crossing into the
 * guard page.
 */
static void fz_build_vec(struct fz *f, struct ipcdev_msgvec *v)
{
	static struct ipcdev_msg el[IPCDEV_MSGVEC_MAX + 1];
	uint32_t n = pc(f, 90) ? 1 + (uint32_t)rn(f, 8) :
		     pc(f, 50) ? (uint32_t)rn(f, IPCDEV_MSGVEC_MAX + 2) : (uint32_t)r64(f);
	uint32_t k = n < IPCDEV_MSGVEC_MAX + 1 ? n : IPCDEV_MSGVEC_MAX + 1;
	uint64_t off = 0;
	bool bad;

	memset(el, 0, sizeof(el));
	for (uint32_t i = 0; i < k; i++) {
		el[i].len = pc(f, 80) ? rn(f, 300) : rlen(f);
		el[i].buf = rbuf(f, el[i].len, &bad);
		/* Good buffers: slices of f->big, one after the other. */
		if (!bad && off + el[i].len <= f->bigsz) {
			el[i].buf += off;
			off += el[i].len;
		}
		if (pc(f, 3))
			el[i].flags = rwait(f) | 1;
		if (pc(f, 2))
			el[i].deadline_ns = 1 + rn(f, 1000);
		if (pc(f, 2))
			el[i].reserved = 1 + (uint32_t)rn(f, 100);
	}
	v->msgs = (uintptr_t)el;
	switch (rn(f, 30)) {
	case 0: v->msgs = 0; break;
	case 1: v->msgs = (uintptr_t)f->unmapped; break;
	case 2: v->msgs = fz_kaddr; break;
	case 3: {	/* the array's end crosses into the guard page */
		size_t b = k * sizeof(el[0]);
		size_t keep = b > 1 ? 1 + rn(f, b - 1) : 0;

		if (b && b <= (size_t)f->pg) {
			memcpy(f->guard - keep, el, keep);
			v->msgs = (uintptr_t)(f->guard - keep);
		}
		break;
	}
	}
	v->count = n;
	v->flags = rwait(f);
	v->deadline_ns = rdeadline(f);
	v->done = pc(f, 90) ? 0 : (uint32_t)r64(f);	/* out: any value in */
	v->error = pc(f, 90) ? 0 : (int32_t)r64(f);
	if (pc(f, 3))
		v->reserved[rn(f, 2)] = rres(f) | 1;
}

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
		/* Typecode, size, typecode, ...: pick a typecode. */
		static const char types[] = IPCDEV_SHM_TYPECODES;

		a->name = fz_name(f, logme);
		a->flags = rflags(f, IPCDEV_CREAT | IPCDEV_EXCL);
		a->mode = rmode(f);
		a->type = pc(f, 40) ? IPCDEV_SHM_RAW :
			  pc(f, 90) ? (uint32_t)types[2 * rn(f, (sizeof(types) - 1) / 2)] :
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
	case IPCDEV_IOC_QUEUE_PUT_MANY:
	case IPCDEV_IOC_QUEUE_GET_MANY:
	case IPCDEV_IOC_PIPE_SEND_MANY:
	case IPCDEV_IOC_PIPE_RECV_MANY:
		fz_build_vec(f, (struct ipcdev_msgvec *)s);
		break;
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
		a->flags = rwait(f) | (pc(f, 30) ? IPCDEV_EVENT_WAIT_CLEAR : 0);
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
			argval = fz_karg;
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
	/*
	 * A device descriptor takes its kind's OPEN and the common commands;
	 * an object descriptor everything of its kind but OPEN.
	 */
	if (c->dev == dev && f->isdev[slot] != fz_is_open_cmd(c->cmd)) {
		fz_call(f);
		fz_note(f->sh, PH_CHAOS, (int)(c - fz_cmds), r < 0 ? e : 0);
		if (r != -1 || e != ENOTTY)
			fz_fail(f, "returned %ld errno %d (%s) on a %s descriptor, expected ENOTTY",
				r, e, strerror(e), f->isdev[slot] ? "device" : "object");
		return;
	}
	if (fz_is_open_cmd(c->cmd) && c->dev == dev && r >= 0) {
		fz_call(f);
		fz_note(f->sh, PH_CHAOS, (int)(c - fz_cmds), 0);
		if (place == P_NULL || place == P_UNMAPPED || place == P_KERNEL ||
		    place == P_GUARD)
			fz_fail(f, "succeeded with a bad argument pointer");
		fz_add_fd(f, (int)r, dev, false);
		if (c->cmd == IPCDEV_IOC_PIPE_OPEN && place == P_OK &&
		    !((struct ipcdev_pipe_open *)s)->name)
			fz_add_fd(f, ((struct ipcdev_pipe_open *)s)->fd, DP, false);
		return;
	}
	/* A batch that transferred some returns how many: 1 to its count. */
	if (r > 0 && fz_is_batch(c->cmd)) {
		const struct ipcdev_msgvec *v = (const void *)s;

		if (place != P_OK || (uint64_t)r > v->count)
			fz_fail(f, "a batch of %u returned %ld", v->count, r);
		r = 0;
	}
	fz_call(f);
	fz_note(f->sh, PH_CHAOS,
		c->cmd == IPCDEV_IOC_EVENT_WAIT && place == P_OK &&
		(((struct ipcdev_event_wait *)s)->flags & IPCDEV_EVENT_WAIT_CLEAR) ?
		X_WAIT_CLEAR : (int)(c - fz_cmds), r ? e : 0);
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
	r = ioctl(f->fd[slot], cmd, pc(f, 50) ? (uintptr_t)f->rw : (unsigned long)r64(f));
	e = errno;
	fz_call(f);
	fz_note(f->sh, PH_CHAOS, X_BADIOC, r ? e : 0);
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
	fz_note(f->sh, PH_CHAOS, X_OPEN, fd < 0 ? errno : 0);
	if (fd < 0) {
		if (errno != EMFILE && errno != ENFILE && errno != ENOMEM)
			fz_fail(f, "errno %d (%s)", errno, strerror(errno));
		return;
	}
	fz_add_fd(f, fd, dev, true);
	/* Mostly also an object at once: the default anonymous one. */
	if (pc(f, 60)) {
		__u64 arg[8] = { 0 };
		static const unsigned long open_cmd[NDEV] = {
			[DQ] = IPCDEV_IOC_QUEUE_OPEN, [DP] = IPCDEV_IOC_PIPE_OPEN,
			[DS] = IPCDEV_IOC_SHM_OPEN, [DE] = IPCDEV_IOC_EVENT_OPEN,
		};
		int ofd;

		if (dev == DS)
			((struct ipcdev_shm_open *)arg)->size = 1 + rn(f, 3 * 4096);
		snprintf(f->desc, sizeof(f->desc), "default OPEN on %s fd %d",
			 fz_devname[dev], fd);
		ofd = ioctl(fd, open_cmd[dev], arg);
		fz_call(f);
		if (ofd < 0) {
			if (errno != EMFILE && errno != ENFILE && errno != ENOMEM &&
			    errno != EDQUOT && errno != ENOSPC && errno != EACCES)
				fz_fail(f, "errno %d (%s)", errno, strerror(errno));
			return;
		}
		fz_add_fd(f, ofd, dev, false);
		if (dev == DP)
			fz_add_fd(f, ((struct ipcdev_pipe_open *)arg)->fd, DP, false);
	}
}

static void op_close(struct fz *f, int slot)
{
	snprintf(f->desc, sizeof(f->desc), "close(%d)", f->fd[slot]);
	if (close(f->fd[slot]))
		fz_fail(f, "errno %d (%s)", errno, strerror(errno));
	fz_call(f);
	fz_note(f->sh, PH_CHAOS, X_CLOSE, 0);
	f->fd[slot] = -1;
}

static void op_dup(struct fz *f, int slot)
{
	int fd;

	snprintf(f->desc, sizeof(f->desc), "dup(%d)", f->fd[slot]);
	fd = dup(f->fd[slot]);
	fz_call(f);
	fz_note(f->sh, PH_CHAOS, X_DUP, fd < 0 ? errno : 0);
	if (fd < 0) {
		if (errno != EMFILE)
			fz_fail(f, "errno %d (%s)", errno, strerror(errno));
		return;
	}
	fz_add_fd(f, fd, f->kind[slot], f->isdev[slot]);
}

static void op_rw(struct fz *f, int slot, bool wr)
{
	int fd = f->fd[slot], dev = f->kind[slot], e;
	uint64_t len = pc(f, 10) ? rsize(f) : rn(f, 300);
	bool bad, positional = dev == DS && pc(f, 50);
	off_t off = pc(f, 90) ? (off_t)rn(f, 9000) : (off_t)r64(f);
	uint64_t buf = rbuf(f, len, &bad);
	ssize_t r;
	static const int e_qr[] = { EAGAIN, EINTR, EMSGSIZE, EFAULT, EBADF, ENOMEM, 0 };
	static const int e_qw[] = { EAGAIN, EINTR, EMSGSIZE, EFAULT, EBADF, ENOMEM, EDQUOT, 0 };
	static const int e_pr[] = { EBADF, EAGAIN, EINTR, EMSGSIZE, EFAULT, 0 };
	static const int e_pw[] = { EBADF, EAGAIN, EINTR, EMSGSIZE, EFAULT,
				    EPIPE, ENOMEM, EDQUOT, 0 };
	static const int e_sr[] = { EFAULT, EINVAL, EBADF, 0 };
	static const int e_sw[] = { EFAULT, EINVAL, EBADF, ENOSPC, ENOMEM, EFBIG, 0 };
	static const int e_er[] = { EINVAL, EBADF, EAGAIN, EINTR, EFAULT,
				    0 };
	static const int e_spipe[] = { ESPIPE, EBADF, EINVAL, 0 };
	static const int e_dev[] = { EBADF, EINVAL, 0 };
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
	fz_note(f->sh, PH_CHAOS, positional ? (wr ? X_PWRITE : X_PREAD) : (wr ? X_WRITE : X_READ),
		r < 0 ? e : 0);
	if (r >= 0 && f->isdev[slot]) {
		fz_fail(f, "%s of a device descriptor returned %zd", wr ? "write" : "read", r);
		return;
	}
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
	if (f->isdev[slot])
		ok = e_dev;	/* a misc device without read/write */
	else if (dev != DS && positional)
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
	static const int e_shm[] = { EINVAL, EACCES, ENOMEM, EOVERFLOW, 0 };
	void *p;

	if (m < 0)
		return;
	if ((len >> 20) > ((size_t)1 << 20))	/* above 1 TiB */
		len = f->pg;
	snprintf(f->desc, sizeof(f->desc), "mmap(%s fd %d, len %zu, prot %d, %s, off %lld)",
		 fz_devname[dev], fd, len, prot, flags == MAP_SHARED ? "shared" : "private",
		 (long long)off);
	p = mmap(NULL, len, prot, flags, fd, off);
	fz_call(f);
	fz_note(f->sh, PH_CHAOS, X_MMAP, p == MAP_FAILED ? errno : 0);
	if (p == MAP_FAILED) {
		int e = errno;

		if (dev != DS || f->isdev[slot] ? (e != ENODEV && e != EINVAL && e != EOVERFLOW &&
				 e != EACCES && e != ENOMEM) : !in_list(e, e_shm))
			fz_fail(f, "unexpected errno %d (%s)", e, strerror(e));
		return;
	}
	if (dev != DS || f->isdev[slot]) {
		fz_fail(f, "mmap of a %s %s succeeded", fz_devname[dev],
			f->isdev[slot] ? "device descriptor" : "descriptor");
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
		fz_note(f->sh, PH_CHAOS, X_MPROTECT, errno);
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
			 f->map[m].len - (size_t)f->pg);
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
	fz_note(f->sh, PH_CHAOS, X_MREMAP, p == MAP_FAILED ? errno : 0);
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
	fz_note(f->sh, PH_CHAOS, X_POLL, r < 0 ? errno : 0);
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

		fz_note(f->sh, PH_CHAOS, X_FCNTL, e);

		if (e != ENOMEM)
			fz_fail(f, "errno %d (%s)", e, strerror(e));
	}
	fz_call(f);
}

static void op_unlink_pool(struct fz *f)
{
	char name[64];
	struct ipcdev_unlink u = { .name = (uintptr_t)name };
	int slot = fz_pick(f);
	long r;

	if (slot < 0)
		return;
	pool_name(f->runseed, (int)rn(f, FZ_POOL), name, sizeof(name));
	snprintf(f->desc, sizeof(f->desc), "ioctl(%s, UNLINK %s)",
		 fz_devname[f->kind[slot]], name);
	r = ioctl(f->fd[slot], IPCDEV_IOC_UNLINK, &u);
	fz_note(f->sh, PH_CHAOS, X_UNLINK_POOL, r ? errno : 0);
	if (r && errno != ENOENT && errno != EPERM)
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
	fz_note(f->sh, PH_CHAOS, X_FORK, pid < 0 ? errno : 0);
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
	fz_note(f->sh, PH_CHAOS, X_KILL, 0);
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

static int fz_setup_mem(struct fz *f);

/* ------------------------------------------------------------------ */
/* The model phase: results checked against a model of each object     */
/* ------------------------------------------------------------------ */

/*
 * M_NOBJ objects (two of each kind) are created before the actors start;
 * every actor (a thread of a worker process) shares their descriptors.
 * An actor takes the object's fuzzer lock (a robust, process-shared mutex
 * next to the model), makes one call, predicts its outcome from the model
 * (errno, returned length, message bytes, counters, lock owner), fails on
 * any difference and updates the model.  With one actor per object at a
 * time, every property the model keeps is determined: queue and pipe
 * contents in order, the event flag and its SET count, the segment's bytes,
 * change counter and lock owner.  Calls that the model says would wait are
 * made non-blocking or with a near deadline (EAGAIN, ETIMEDOUT); untimed
 * calls only when the model says they return at once.  A lock holder that
 * dies is made on purpose: a forked child takes the lock and is SIGKILLed
 * (or exits), and the model expects EOWNERDEAD at the next LOCK.
 */
#define M_RING		64		/* messages the model keeps per ring */
#define M_SHM_MAX	(3 * 4096)	/* largest modelled segment */
#define M_NOBJ		8		/* 2 queues, 2 pipes, 2 segments, 2 events */

struct m_msg {
	uint32_t len;
	uint32_t tag;
};

struct m_ring {
	uint32_t head, n;
	uint64_t bytes;
	struct m_msg m[M_RING];
};

/* One modelled object; @mu guards every other field. */
struct m_obj {
	pthread_mutex_t mu;
	int kind;			/* DQ, DP, DS, DE */
	int fd[2];			/* DQ/DS/DE: O_RDWR, O_RDONLY; DP: end 0, end 1 */
	bool duplex;
	uint64_t maxsize, msgsize_max, bytes_max;	/* from STAT */
	struct m_ring r[2];		/* queue: r[0]; pipe: r[e] waits for end e */
	uint32_t tag;
	uint32_t set;			/* event */
	uint64_t sets;
	uint64_t size, seq;		/* segment */
	pid_t owner;			/* lock holder (process), 0 if free */
	bool dead;			/* the holder died: next LOCK gets EOWNERDEAD */
	unsigned char *map;		/* MAP_SHARED of the segment */
	unsigned char data[M_SHM_MAX];
};

struct m_shared {
	struct m_obj o[M_NOBJ];
};

static unsigned char m_byte(uint32_t tag, uint64_t i)
{
	return (unsigned char)(tag * 131u + (uint32_t)i * 7u + (uint32_t)(i >> 8));
}

static void m_check(struct fz *f)
{
	__atomic_add_fetch(&f->sh->checks, 1, __ATOMIC_RELAXED);
}

/* Compare a call's outcome (@r: 0 or -1, @e errno) with the expected @exp. */
static bool m_expect(struct fz *f, int op, long r, int e, int exp)
{
	int got = r == 0 ? 0 : r == -1 ? e : -1000;

	fz_note(f->sh, PH_MODEL, op, r == 0 ? 0 : e);
	m_check(f);
	if (got == exp)
		return true;
	fz_fail(f, "model: expected %s, got %s (r %ld)", exp ? strerror(exp) : "success",
		got == 0 ? "success" : got > 0 ? strerror(got) : "a bad return", r);
	return false;
}

/* Make the ioctl and compare its outcome with @exp. */
static bool m_ioc(struct fz *f, int op, int fd, unsigned long cmd, unsigned long arg, int exp)
{
	long r = ioctl(fd, cmd, arg);
	int e = errno;

	fz_call(f);
	return m_expect(f, op, r, e, exp);
}

static void m_push(struct m_ring *q, uint32_t len, uint32_t tag)
{
	q->m[(q->head + q->n) % M_RING] = (struct m_msg){ len, tag };
	q->n++;
	q->bytes += len;
}

static struct m_msg m_pop(struct m_ring *q)
{
	struct m_msg m = q->m[q->head];

	q->head = (q->head + 1) % M_RING;
	q->n--;
	q->bytes -= m.len;
	return m;
}

/* Does a message of @len fit (channel.c's rule)? */
static bool m_fits(const struct m_ring *q, uint64_t maxsize, uint64_t bytes_max, uint64_t len)
{
	if (maxsize && q->n >= maxsize)
		return false;
	return !q->n || q->bytes + len <= bytes_max;
}

/*
 * Wait flags for a call that will (@block) or will not wait.  Returns the
 * errno a blocking call must end with, 0 when it must not wait.
 */
static int m_wait(struct fz *f, bool block, __u32 *flags, __u64 *dl)
{
	*dl = 0;
	switch (rn(f, block ? 3 : 4)) {
	case 0:
		*flags = IPCDEV_WAIT_NONBLOCK;
		return block ? EAGAIN : 0;
	case 1:
		*flags = IPCDEV_WAIT_DEADLINE;
		*dl = now_ns() - rn(f, 1000000);
		return block ? ETIMEDOUT : 0;
	case 2:
		*flags = IPCDEV_WAIT_DEADLINE;
		*dl = now_ns() + rn(f, 1000000);
		return block ? ETIMEDOUT : 0;
	default:
		*flags = 0;	/* untimed: only when it returns at once */
		return 0;
	}
}

/* One bad thing about a call, or none (most calls). */
enum { B_NONE, B_RES, B_FLAGS, B_BUF, B_SMALL, B_RO };

static int m_bad(struct fz *f)
{
	return pc(f, 80) ? B_NONE : 1 + (int)rn(f, 5);
}

/* A bad buffer for @len > 0 bytes: NULL, unmapped, kernel, into the guard, read-only. */
static uint64_t m_badbuf(struct fz *f, uint64_t len, bool for_read)
{
	switch (rn(f, for_read ? 5 : 4)) {
	case 0:
		return 0;
	case 1:
		return (uintptr_t)f->unmapped;
	case 2:
		return fz_kaddr;
	case 3:
		return fz_cross_guard(f, len);
	default:
		return (uintptr_t)f->ro;	/* a get cannot write into it */
	}
}

static void m_fill(void *buf, uint32_t tag, uint64_t len)
{
	unsigned char *p = buf;

	for (uint64_t i = 0; i < len; i++)
		p[i] = m_byte(tag, i);
}

static bool m_same(struct fz *f, const void *buf, uint32_t tag, uint64_t len)
{
	const unsigned char *p = buf;

	m_check(f);
	for (uint64_t i = 0; i < len; i++)
		if (p[i] != m_byte(tag, i)) {
			fz_fail(f, "model: message byte %llu of %llu is 0x%02x, not 0x%02x",
				(unsigned long long)i, (unsigned long long)len, p[i],
				m_byte(tag, i));
			return false;
		}
	return true;
}

static uint64_t m_len(struct fz *f, const struct m_obj *o)
{
	uint64_t lim = o->msgsize_max < f->bigsz ? o->msgsize_max : f->bigsz;

	if (pc(f, 5) && o->msgsize_max + 11 <= f->bigsz)
		return o->msgsize_max + 1 + rn(f, 10);		/* EMSGSIZE */
	if (pc(f, 10))
		return rn(f, lim + 1);
	if (pc(f, 10))
		return 0;
	return rn(f, lim < 300 ? lim + 1 : 300);
}

/* Put (queue) or send (pipe, end @e) into ring @q. */
static void m_put(struct fz *f, struct m_obj *o, int fd, int e, bool ro)
{
	struct m_ring *q = &o->r[o->kind == DQ ? 0 : 1 - e];
	uint64_t bytes_max = o->bytes_max;
	int op = o->kind == DQ ? 3 : 7;	/* QUEUE_PUT, PIPE_SEND */
	unsigned long cmd = fz_cmds[op].cmd;
	struct ipcdev_msg m = { 0 };
	int bad = m_bad(f), exp, w;
	bool fits;
	long r;

	m.len = m_len(f, o);
	fits = m_fits(q, o->maxsize, bytes_max, m.len);
	if (fits && q->n == M_RING)
		return;		/* the model cannot hold more */
	w = m_wait(f, !fits, &m.flags, &m.deadline_ns);
	if (!fits && !w)
		m.flags = IPCDEV_WAIT_NONBLOCK, w = EAGAIN;
	m.buf = (uintptr_t)f->big;
	m_fill(f->big, o->tag, m.len);
	if (bad == B_RES)
		m.reserved = 1 + (uint32_t)rn(f, 100);
	else if (bad == B_FLAGS)
		m.flags |= 4U << rn(f, 29);
	else if (bad == B_BUF && m.len)
		m.buf = m_badbuf(f, m.len, false);
	/* The handle's access and a pipe end's direction come first. */
	if (ro || (o->kind == DP && !o->duplex && e == 0))
		exp = EBADF;		/* end 0 of a one-way pipe only receives */
	else if (bad == B_RES || bad == B_FLAGS)
		exp = EINVAL;
	else if (m.len > o->msgsize_max)
		exp = EMSGSIZE;
	else if (bad == B_BUF && m.len)
		exp = EFAULT;
	else
		exp = w;
	snprintf(f->desc, sizeof(f->desc), "model %s end %d: %s len %llu flags 0x%x%s",
		 fz_devname[o->kind], e, fz_cmds[op].name,
		 (unsigned long long)m.len, m.flags, ro ? " (read-only handle)" : "");
	r = ioctl(fd, cmd, &m);
	fz_call(f);
	if (m_expect(f, op, r, errno, exp) && !exp) {
		m_push(q, (uint32_t)m.len, o->tag);
		o->tag++;
	}
}

/* Get (queue) or receive (pipe, end @e) from ring @q. */
static void m_get(struct fz *f, struct m_obj *o, int fd, int e, bool ro)
{
	struct m_ring *q = &o->r[o->kind == DQ ? 0 : e];
	int op = o->kind == DQ ? 4 : 8;	/* QUEUE_GET, PIPE_RECV */
	struct ipcdev_msg m = { 0 };
	int bad = m_bad(f), exp, w;
	uint64_t size, hl = q->n ? q->m[q->head].len : 0;
	long r;
	int err;

	(void)ro;	/* a read-only handle may get */
	w = m_wait(f, !q->n, &m.flags, &m.deadline_ns);
	if (!q->n && !w)
		m.flags = IPCDEV_WAIT_NONBLOCK, w = EAGAIN;
	size = hl + (pc(f, 50) ? 0 : rn(f, 100));
	if (size > f->bigsz)
		size = f->bigsz;
	if (bad == B_SMALL && hl)
		size = rn(f, hl);
	m.buf = (uintptr_t)f->big;
	m.len = size;
	memset(f->big, 0xee, hl < f->bigsz ? hl : f->bigsz);
	if (bad == B_RES)
		m.reserved = 1;
	else if (bad == B_FLAGS)
		m.flags |= 4U << rn(f, 29);
	else if (bad == B_BUF && hl)
		m.buf = m_badbuf(f, hl, true);
	if (o->kind == DP && !o->duplex && e == 1)
		exp = EBADF;		/* end 1 of a one-way pipe only sends */
	else if (bad == B_RES || bad == B_FLAGS)
		exp = EINVAL;
	else if (!q->n)
		exp = w;
	else if (hl > size)
		exp = EMSGSIZE;
	else if (bad == B_BUF && hl)
		exp = EFAULT;
	else
		exp = 0;
	snprintf(f->desc, sizeof(f->desc), "model %s: %s size %llu flags 0x%x, head %llu of %u",
		 fz_devname[o->kind], fz_cmds[op].name, (unsigned long long)size, m.flags,
		 (unsigned long long)hl, q->n);
	r = ioctl(fd, fz_cmds[op].cmd, &m);
	err = errno;
	fz_call(f);
	if (!m_expect(f, op, r, err, exp))
		return;
	if (exp == EMSGSIZE || exp == 0) {
		m_check(f);
		if (m.len != hl)
			fz_fail(f, "model: length %llu, expected %llu", (unsigned long long)m.len,
				(unsigned long long)hl);
	}
	if (exp == 0) {
		struct m_msg mm = m_pop(q);

		m_same(f, f->big, mm.tag, mm.len);
	}
}

/* read()/write() on a queue or pipe end: only calls that will not wait. */
static void m_rw(struct fz *f, struct m_obj *o, int fd, int e, bool ro, bool wr)
{
	int op = wr ? X_WRITE : X_READ, exp;
	ssize_t r;
	int err;

	if (wr) {
		struct m_ring *q = &o->r[o->kind == DQ ? 0 : 1 - e];
		uint64_t len = m_len(f, o);

		if (len > o->msgsize_max)
			len = o->msgsize_max;
		if (!m_fits(q, o->maxsize, o->bytes_max, len) || q->n == M_RING)
			return;
		exp = ro || (o->kind == DP && !o->duplex && e == 0) ? EBADF : 0;
		m_fill(f->big, o->tag, len);
		snprintf(f->desc, sizeof(f->desc), "model %s: write len %llu",
			 fz_devname[o->kind], (unsigned long long)len);
		r = write(fd, f->big, len);
		err = errno;
		fz_call(f);
		if (!m_expect(f, op, r < 0 ? -1 : 0, err, exp) || exp)
			return;
		m_check(f);
		if ((uint64_t)r != len)
			fz_fail(f, "model: write returned %zd, not %llu", r,
				(unsigned long long)len);
		m_push(q, (uint32_t)len, o->tag);
		o->tag++;
	} else {
		struct m_ring *q = &o->r[o->kind == DQ ? 0 : e];
		uint64_t hl, size;

		if (!q->n)
			return;
		hl = q->m[q->head].len;
		size = pc(f, 15) && hl ? rn(f, hl) : hl + rn(f, 50);
		if (size > f->bigsz)
			size = f->bigsz;
		exp = o->kind == DP && !o->duplex && e == 1 ? EBADF : hl > size ? EMSGSIZE : 0;
		snprintf(f->desc, sizeof(f->desc), "model %s: read size %llu, head %llu",
			 fz_devname[o->kind], (unsigned long long)size, (unsigned long long)hl);
		r = read(fd, f->big, size);
		err = errno;
		fz_call(f);
		if (!m_expect(f, op, r < 0 ? -1 : 0, err, exp) || exp)
			return;
		m_check(f);
		if ((uint64_t)r != hl)
			fz_fail(f, "model: read returned %zd, not %llu", r, (unsigned long long)hl);
		m_same(f, f->big, m_pop(q).tag, hl);
	}
}

static void m_stat(struct fz *f, struct m_obj *o, int fd, int e)
{
	union {
		struct ipcdev_queue_stat q;
		struct ipcdev_pipe_stat p;
		struct ipcdev_shm_stat s;
		struct ipcdev_event_stat ev;
	} st;
	static const int ops[NDEV] = { 5, 9, 11, 23 };
	int op = ops[o->kind];
	bool ok = true;
	long r;

	memset(&st, 0xa5, sizeof(st));
	snprintf(f->desc, sizeof(f->desc), "model %s: %s", fz_devname[o->kind], fz_cmds[op].name);
	r = ioctl(fd, fz_cmds[op].cmd, &st);
	fz_call(f);
	if (!m_expect(f, op, r, errno, 0))
		return;
	m_check(f);
	switch (o->kind) {
	case DQ:
		ok = st.q.count == o->r[0].n && st.q.bytes == o->r[0].bytes &&
		     st.q.maxsize == o->maxsize && st.q.bytes_max == o->bytes_max &&
		     st.q.msgsize_max == o->msgsize_max && !st.q.getters && !st.q.putters &&
		     st.q.full == !m_fits(&o->r[0], o->maxsize, o->bytes_max, 0);
		if (!ok)
			fz_fail(f, "model: queue stat count %llu bytes %llu full %u, model %u %llu %d",
				(unsigned long long)st.q.count, (unsigned long long)st.q.bytes,
				st.q.full, o->r[0].n, (unsigned long long)o->r[0].bytes,
				!m_fits(&o->r[0], o->maxsize, o->bytes_max, 0));
		break;
	case DP:
		ok = st.p.end == (uint32_t)e && st.p.in_count == o->r[e].n &&
		     st.p.in_bytes == o->r[e].bytes && st.p.out_count == o->r[1 - e].n &&
		     st.p.out_bytes == o->r[1 - e].bytes &&
		     !!(st.p.flags & IPCDEV_PIPE_DUPLEX) == o->duplex &&
		     !(st.p.flags & IPCDEV_PIPE_STAT_HUP) && !st.p.receivers && !st.p.senders;
		if (!ok)
			fz_fail(f, "model: pipe end %d stat in %llu/%llu out %llu/%llu flags 0x%x, model in %u/%llu out %u/%llu",
				e, (unsigned long long)st.p.in_count,
				(unsigned long long)st.p.in_bytes,
				(unsigned long long)st.p.out_count,
				(unsigned long long)st.p.out_bytes, st.p.flags, o->r[e].n,
				(unsigned long long)o->r[e].bytes, o->r[1 - e].n,
				(unsigned long long)o->r[1 - e].bytes);
		break;
	case DS:
		ok = st.s.seq == o->seq && st.s.size == o->size &&
		     st.s.lock_owner == (o->dead ? 0 : o->owner) && !st.s.lock_waiters &&
		     !st.s.change_waiters;
		if (!ok)
			fz_fail(f, "model: shm stat seq %llu owner %d, model seq %llu owner %d%s",
				(unsigned long long)st.s.seq, st.s.lock_owner,
				(unsigned long long)o->seq, o->owner, o->dead ? " (dead)" : "");
		break;
	default:
		ok = st.ev.set == o->set && st.ev.sets == o->sets && !st.ev.waiters;
		if (!ok)
			fz_fail(f, "model: event stat set %u sets %llu, model %u %llu", st.ev.set,
				(unsigned long long)st.ev.sets, o->set, (unsigned long long)o->sets);
	}
}

static void m_event(struct fz *f, struct m_obj *o)
{
	bool ro = pc(f, 20);
	int fd = o->fd[ro], x = (int)rn(f, 100), bad = m_bad(f), exp, op, err;
	long r;

	if (x < 20) {		/* SET */
		op = 20;
		/* The access a command needs is checked first (its table). */
		exp = ro ? EBADF : bad == B_RES ? EINVAL : 0;
		snprintf(f->desc, sizeof(f->desc), "model event: SET%s", ro ? " (read-only)" : "");
		r = ioctl(fd, IPCDEV_IOC_EVENT_SET, bad == B_RES ? 1UL : 0UL);
		fz_call(f);
		if (m_expect(f, op, r, errno, exp) && !exp && !o->set) {
			o->set = 1;
			o->sets++;
		}
	} else if (x < 35) {	/* CLEAR */
		op = 21;
		exp = ro ? EBADF : bad == B_RES ? EINVAL : 0;
		snprintf(f->desc, sizeof(f->desc), "model event: CLEAR%s", ro ? " (read-only)" : "");
		r = ioctl(fd, IPCDEV_IOC_EVENT_CLEAR, bad == B_RES ? 1UL : 0UL);
		fz_call(f);
		if (m_expect(f, op, r, errno, exp) && !exp)
			o->set = 0;
	} else if (x < 75) {	/* WAIT, WAIT_CLEAR */
		struct ipcdev_event_wait a = { 0 };
		bool clear = pc(f, 50);
		int w = m_wait(f, !o->set, &a.flags, &a.deadline_ns);

		if (!o->set && !w)
			a.flags = IPCDEV_WAIT_NONBLOCK, w = EAGAIN;
		if (clear)
			a.flags |= IPCDEV_EVENT_WAIT_CLEAR;
		if (bad == B_RES)
			a.reserved = 1;
		else if (bad == B_FLAGS)
			a.flags |= 4U << rn(f, 6);	/* never 0x100 (WAIT_CLEAR) */
		op = clear ? X_WAIT_CLEAR : 22;
		exp = bad == B_RES || bad == B_FLAGS ? EINVAL : clear && ro ? EBADF : w;
		snprintf(f->desc, sizeof(f->desc), "model event: WAIT flags 0x%x%s, set %u",
			 a.flags, ro ? " (read-only)" : "", o->set);
		r = ioctl(fd, IPCDEV_IOC_EVENT_WAIT, &a);
		fz_call(f);
		if (m_expect(f, op, r, errno, exp) && !exp && clear)
			o->set = 0;
	} else if (x < 85) {	/* read(): WAIT_CLEAR, untimed: only when set */
		uint64_t v = 0;
		size_t n = pc(f, 10) ? rn(f, 8) : 8 + rn(f, 4);

		if (n >= 8 && !o->set && !ro)
			return;
		exp = n < 8 ? EINVAL : ro ? EBADF : 0;
		snprintf(f->desc, sizeof(f->desc), "model event: read(%zu)%s", n,
			 ro ? " (read-only)" : "");
		r = read(fd, f->big, n);
		err = errno;
		fz_call(f);
		if (!m_expect(f, X_READ, r < 0 ? -1 : 0, err, exp) || exp)
			return;
		memcpy(&v, f->big, 8);
		m_check(f);
		if (r != 8 || v != o->sets)
			fz_fail(f, "model: read returned %ld, count %llu, model %llu", r,
				(unsigned long long)v, (unsigned long long)o->sets);
		o->set = 0;
	} else if (x < 90) {	/* write(): SET */
		size_t n = pc(f, 20) ? rn(f, 16) : 8;

		exp = ro ? EBADF : n != 8 ? EINVAL : 0;
		snprintf(f->desc, sizeof(f->desc), "model event: write(%zu)%s", n,
			 ro ? " (read-only)" : "");
		r = write(fd, f->big, n);
		err = errno;
		fz_call(f);
		if (m_expect(f, X_WRITE, r < 0 ? -1 : 0, err, exp) && !exp && !o->set) {
			o->set = 1;
			o->sets++;
		}
	} else {
		m_stat(f, o, fd, 0);
	}
}

/* A child takes the lock and dies holding it: the next LOCK gets EOWNERDEAD. */
static void m_lock_and_die(struct fz *f, struct m_obj *o)
{
	struct ipcdev_shm_lock a = { .flags = IPCDEV_WAIT_NONBLOCK };
	int exp = o->dead ? EOWNERDEAD : 0, st;
	bool sigkill = pc(f, 50);
	pid_t pid;

	if (o->owner && !o->dead)
		return;
	snprintf(f->desc, sizeof(f->desc), "model shm: a child LOCKs and %s",
		 sigkill ? "is killed" : "exits");
	pid = fork();
	if (pid < 0) {
		if (errno != EAGAIN && errno != ENOMEM)
			fz_fail(f, "fork: errno %d", errno);
		return;
	}
	if (pid == 0) {
		int r = ioctl(o->fd[0], IPCDEV_IOC_SHM_LOCK, &a) ? errno : 0;

		if (r != exp)
			_exit(r ? (r & 0x7f) : 0x7f);
		if (!sigkill)
			_exit(0);
		for (;;)
			pause();
	}
	fz_call(f);
	if (sigkill) {
		/* Wait until it holds the lock: STAT shows it as the holder. */
		struct ipcdev_shm_stat s;

		for (int i = 0; i < 20000; i++) {
			if (!ioctl(o->fd[0], IPCDEV_IOC_SHM_STAT, &s) && s.lock_owner == pid)
				break;
			if (waitpid(pid, &st, WNOHANG) == pid)
				goto reaped;
			usleep(100);
		}
		kill(pid, SIGKILL);
		__atomic_add_fetch(&f->sh->kills, 1, __ATOMIC_RELAXED);
	}
	waitpid(pid, &st, 0);
reaped:
	m_check(f);
	fz_note(f->sh, PH_MODEL, X_DIE, 0);
	if (sigkill ? !(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) :
		      !(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
		fz_fail(f, "model: the child's LOCK did not give %s (status 0x%x)",
			exp ? strerror(exp) : "success", st);
		return;
	}
	o->owner = pid;
	o->dead = true;
}

static void m_shm(struct fz *f, struct m_obj *o)
{
	bool ro = pc(f, 20);
	int fd = o->fd[ro], x = (int)rn(f, 100), bad = m_bad(f), exp, err;
	pid_t me = getpid();
	long r;

	if (x < 18) {		/* WRITE, READ */
		bool wr = pc(f, 50);
		struct ipcdev_shm_io a = { 0 };
		int op = wr ? 17 : 16;

		a.len = pc(f, 20) ? 0 : 1 + rn(f, o->size);
		a.offset = rn(f, o->size + 1);
		if (pc(f, 80) && a.offset + a.len > o->size)
			a.offset = o->size - (a.len <= o->size ? a.len : 0);
		if (a.len > o->size)
			a.len = o->size - a.offset;
		a.buf = (uintptr_t)f->big;
		a.seq = r64(f);
		if (wr)
			for (uint64_t i = 0; i < a.len; i++)
				f->big[i] = (char)r64(f);
		else
			memset(f->big, 0x5a, a.len);
		if (bad == B_RES)
			a.reserved = 1;
		else if (bad == B_FLAGS)
			a.flags = 1U << rn(f, 32);
		else if (bad == B_BUF && a.len)
			a.buf = m_badbuf(f, a.len, !wr);
		if (wr && ro)
			exp = EBADF;	/* the access, first */
		else if (bad == B_RES || bad == B_FLAGS)
			exp = EINVAL;
		else if (a.offset > o->size || a.len > o->size - a.offset)
			exp = EINVAL;
		else if (bad == B_BUF && a.len)
			exp = EFAULT;
		else
			exp = 0;
		snprintf(f->desc, sizeof(f->desc), "model shm: %s offset %llu len %llu of %llu%s",
			 fz_cmds[op].name, (unsigned long long)a.offset, (unsigned long long)a.len,
			 (unsigned long long)o->size, ro ? " (read-only)" : "");
		r = ioctl(fd, fz_cmds[op].cmd, &a);
		fz_call(f);
		if (!m_expect(f, op, r, errno, exp) || exp)
			return;
		if (wr) {
			memcpy(o->data + a.offset, f->big, a.len);
			o->seq++;
		} else if (memcmp(f->big, o->data + a.offset, a.len)) {
			fz_fail(f, "model: READ returned other bytes than the model's");
		}
		m_check(f);
		if (a.seq != o->seq)
			fz_fail(f, "model: seq %llu, model %llu", (unsigned long long)a.seq,
				(unsigned long long)o->seq);
	} else if (x < 26) {	/* pwrite, pread */
		bool wr = pc(f, 50);
		uint64_t len = 1 + rn(f, o->size), pos = rn(f, o->size + 10), n;

		if (pos >= o->size && pc(f, 70))
			pos = rn(f, o->size);
		n = pos >= o->size ? 0 : len < o->size - pos ? len : o->size - pos;
		if (wr)
			for (uint64_t i = 0; i < n; i++)
				f->big[i] = (char)r64(f);
		exp = wr && ro ? EBADF : wr && pos >= o->size ? ENOSPC : 0;
		snprintf(f->desc, sizeof(f->desc), "model shm: p%s(%llu at %llu) of %llu%s",
			 wr ? "write" : "read", (unsigned long long)len, (unsigned long long)pos,
			 (unsigned long long)o->size, ro ? " (read-only)" : "");
		r = wr ? pwrite(fd, f->big, len, (off_t)pos) : pread(fd, f->big, len, (off_t)pos);
		err = errno;
		fz_call(f);
		if (!m_expect(f, wr ? X_PWRITE : X_PREAD, r < 0 ? -1 : 0, err, exp) || exp)
			return;
		m_check(f);
		if ((uint64_t)r != n) {
			fz_fail(f, "model: returned %ld, expected %llu", r, (unsigned long long)n);
			return;
		}
		if (wr) {
			memcpy(o->data + pos, f->big, n);
			if (n)
				o->seq++;
		} else if (n && memcmp(f->big, o->data + pos, n)) {
			fz_fail(f, "model: pread returned other bytes than the model's");
		}
	} else if (x < 34) {	/* stores and loads through the shared mapping */
		uint64_t off = rn(f, o->size), len = 1 + rn(f, o->size - off);

		fz_note(f->sh, PH_MODEL, X_TOUCH, 0);
		m_check(f);
		if (pc(f, 50)) {
			for (uint64_t i = 0; i < len; i++)
				o->data[off + i] = (unsigned char)r64(f);
			memcpy(o->map + off, o->data + off, len);
		} else if (memcmp(o->map + off, o->data + off, len)) {
			snprintf(f->desc, sizeof(f->desc), "model shm: load %llu at %llu",
				 (unsigned long long)len, (unsigned long long)off);
			fz_fail(f, "model: the mapping holds other bytes than the model's");
		}
	} else if (x < 42) {	/* PUBLISH */
		exp = ro ? EBADF : bad == B_RES ? EINVAL : 0;
		snprintf(f->desc, sizeof(f->desc), "model shm: PUBLISH%s", ro ? " (read-only)" : "");
		r = ioctl(fd, IPCDEV_IOC_SHM_PUBLISH, bad == B_RES ? 1UL : 0UL);
		fz_call(f);
		if (m_expect(f, 14, r, errno, exp) && !exp)
			o->seq++;
	} else if (x < 52) {	/* WAIT_CHANGE */
		struct ipcdev_shm_change a = { 0 };
		bool block = pc(f, 50);
		int w;

		a.seen = block ? o->seq : o->seq - 1 - rn(f, 3);
		w = m_wait(f, block, &a.flags, &a.deadline_ns);
		if (block && !w)
			a.flags = IPCDEV_WAIT_NONBLOCK, w = EAGAIN;
		if (bad == B_RES)
			a.reserved = 1;
		else if (bad == B_FLAGS)
			a.flags |= 4U << rn(f, 29);
		exp = bad == B_RES || bad == B_FLAGS ? EINVAL : w;
		a.seq = r64(f);
		snprintf(f->desc, sizeof(f->desc), "model shm: WAIT_CHANGE seen %llu flags 0x%x, seq %llu",
			 (unsigned long long)a.seen, a.flags, (unsigned long long)o->seq);
		r = ioctl(fd, IPCDEV_IOC_SHM_WAIT_CHANGE, &a);
		fz_call(f);
		if (!m_expect(f, 15, r, errno, exp) || exp == EINVAL)
			return;
		m_check(f);
		if (a.seq != o->seq)
			fz_fail(f, "model: WAIT_CHANGE seq %llu, model %llu",
				(unsigned long long)a.seq, (unsigned long long)o->seq);
	} else if (x < 66) {	/* LOCK */
		struct ipcdev_shm_lock a = { 0 };
		bool other = o->owner && !o->dead && o->owner != me;
		int w = m_wait(f, other, &a.flags, &a.deadline_ns);

		if (other && !w)
			a.flags = IPCDEV_WAIT_NONBLOCK, w = EAGAIN;
		if (bad == B_RES)
			a.reserved = 1;
		else if (bad == B_FLAGS)
			a.flags |= 4U << rn(f, 29);
		if (bad == B_RES || bad == B_FLAGS)
			exp = EINVAL;
		else if (o->owner == me && !o->dead)
			exp = EDEADLK;
		else if (other)
			exp = w;
		else
			exp = o->dead ? EOWNERDEAD : 0;
		snprintf(f->desc, sizeof(f->desc), "model shm: LOCK flags 0x%x, holder %d%s",
			 a.flags, o->owner, o->dead ? " (dead)" : "");
		r = ioctl(fd, IPCDEV_IOC_SHM_LOCK, &a);
		fz_call(f);
		if (m_expect(f, 12, r, errno, exp) && (exp == 0 || exp == EOWNERDEAD)) {
			o->owner = me;
			o->dead = false;
		}
	} else if (x < 80) {	/* UNLOCK */
		exp = bad == B_RES ? EINVAL : o->owner == me && !o->dead ? 0 : EPERM;
		snprintf(f->desc, sizeof(f->desc), "model shm: UNLOCK, holder %d%s", o->owner,
			 o->dead ? " (dead)" : "");
		r = ioctl(fd, IPCDEV_IOC_SHM_UNLOCK, bad == B_RES ? 1UL : 0UL);
		fz_call(f);
		if (m_expect(f, 13, r, errno, exp) && !exp)
			o->owner = 0;
	} else if (x < 84) {
		m_lock_and_die(f, o);
	} else {
		m_stat(f, o, fd, 0);
	}
}

/* The batch's vector, its elements, and a slice of f->big for each. */
struct m_vec {
	struct ipcdev_msgvec v;
	struct ipcdev_msg el[8];
	uint64_t off[8];
	uint32_t n;
};

/* Elements of lengths @len into slices of f->big; how many fit in it. */
static uint32_t m_vec_init(struct fz *f, struct m_vec *b, const uint64_t *len, uint32_t n)
{
	uint64_t off = 0;
	uint32_t i;

	memset(b, 0, sizeof(*b));
	for (i = 0; i < n && off + len[i] <= f->bigsz; i++) {
		b->off[i] = off;
		b->el[i].buf = (uintptr_t)(f->big + off);
		b->el[i].len = len[i];
		off += len[i];
	}
	b->n = i;
	b->v.msgs = (uintptr_t)b->el;
	b->v.count = i;
	return i;
}

/*
 * One bad thing about a batch (m_bad()): EINVAL for the vector's reserved
 * field or an element's flags (before anything is done); a bad buffer in
 * element *@j, which stops the batch there (EFAULT).
 */
static int m_vec_bad(struct fz *f, struct m_vec *b, int bad, uint32_t *j)
{
	*j = (uint32_t)rn(f, b->n);
	if (bad == B_RES)
		b->v.reserved[rn(f, 2)] = 1 + rn(f, 100);
	else if (bad == B_FLAGS)
		b->el[*j].flags = 1U << rn(f, 32);
	return bad;
}

/* Compare a batch's outcome: @got of b->n transferred, else why (@exp). */
static bool m_vec_expect(struct fz *f, int op, const struct m_vec *b, long r, int e,
			 uint32_t got, int exp)
{
	if (!got)
		return m_expect(f, op, r, e, exp);
	fz_note(f->sh, PH_MODEL, op, r > 0 ? 0 : e);
	m_check(f);
	if (r != (long)got || b->v.done != got || b->v.error != (got == b->n ? 0 : exp)) {
		fz_fail(f, "model: expected %u of %u (error %d), got %ld (errno %d), done %u error %d",
			got, b->n, got == b->n ? 0 : exp, r, r < 0 ? e : 0, b->v.done,
			b->v.error);
		return false;
	}
	return true;
}

/* PUT_MANY (queue) or SEND_MANY (pipe, end @e): up to 8 into ring @q. */
static void m_put_many(struct fz *f, struct m_obj *o, int fd, int e, bool ro)
{
	struct m_ring *q = &o->r[o->kind == DQ ? 0 : 1 - e];
	int op = o->kind == DQ ? 24 : 26;	/* QUEUE_PUT_MANY, PIPE_SEND_MANY */
	uint64_t len[8], n1 = q->n, b1 = q->bytes;
	int bad = m_bad(f), exp = 0, w;
	uint32_t n = 1 + (uint32_t)rn(f, 8), i, j, got = 0;
	struct m_vec b;
	long r;

	if (n > M_RING - q->n)
		n = M_RING - q->n;	/* the model cannot hold more */
	for (i = 0; i < n; i++)
		len[i] = m_len(f, o);
	if (!n || !m_vec_init(f, &b, len, n))
		return;
	n = b.n;
	for (i = 0; i < n; i++)
		m_fill(f->big + b.off[i], o->tag + i, len[i]);
	w = m_wait(f, !m_fits(q, o->maxsize, o->bytes_max, len[0]), &b.v.flags,
		   &b.v.deadline_ns);
	if (!m_fits(q, o->maxsize, o->bytes_max, len[0]) && !w)
		b.v.flags = IPCDEV_WAIT_NONBLOCK, w = EAGAIN;
	m_vec_bad(f, &b, bad, &j);
	if (bad == B_BUF && len[j])
		b.el[j].buf = m_badbuf(f, len[j], false);
	if (ro || (o->kind == DP && !o->duplex && e == 0)) {
		exp = EBADF;
	} else if (bad == B_RES || bad == B_FLAGS) {
		exp = EINVAL;
	} else {
		/* Each as a single put, in order; only the first may wait. */
		struct m_ring t = { .n = q->n, .bytes = q->bytes };

		for (got = 0; got < n && !exp; got++) {
			if (len[got] > o->msgsize_max)
				exp = EMSGSIZE;
			else if (bad == B_BUF && got == j && len[got])
				exp = EFAULT;
			else if (!m_fits(&t, o->maxsize, o->bytes_max, len[got]))
				exp = got ? EAGAIN : w;
			if (exp)
				break;
			t.n++;
			t.bytes += len[got];
		}
	}
	snprintf(f->desc, sizeof(f->desc),
		 "model %s end %d: %s of %u, first len %llu, flags 0x%x, %llu queued (%llu bytes)%s",
		 fz_devname[o->kind], e, fz_cmds[op].name, n, (unsigned long long)len[0],
		 b.v.flags, (unsigned long long)n1, (unsigned long long)b1,
		 ro ? " (read-only handle)" : "");
	r = ioctl(fd, fz_cmds[op].cmd, &b.v);
	fz_call(f);
	if (!m_vec_expect(f, op, &b, r, errno, got, exp))
		return;
	for (i = 0; i < got; i++)
		m_push(q, (uint32_t)len[i], o->tag + i);
	o->tag += n;
}

/* GET_MANY (queue) or RECV_MANY (pipe, end @e): up to 8 from ring @q. */
static void m_get_many(struct fz *f, struct m_obj *o, int fd, int e)
{
	struct m_ring *q = &o->r[o->kind == DQ ? 0 : e];
	int op = o->kind == DQ ? 25 : 27;	/* QUEUE_GET_MANY, PIPE_RECV_MANY */
	uint32_t n = 1 + (uint32_t)rn(f, 8), i, j, got = 0;
	uint64_t size[8], hl[8] = { 0 };
	int bad = m_bad(f), exp = 0, w;
	struct m_vec b;
	long r;

	for (i = 0; i < n; i++) {
		hl[i] = i < q->n ? q->m[(q->head + i) % M_RING].len : 0;
		size[i] = hl[i] + (pc(f, 50) ? 0 : rn(f, 100));
	}
	if (!m_vec_init(f, &b, size, n))
		return;
	n = b.n;
	w = m_wait(f, !q->n, &b.v.flags, &b.v.deadline_ns);
	if (!q->n && !w)
		b.v.flags = IPCDEV_WAIT_NONBLOCK, w = EAGAIN;
	m_vec_bad(f, &b, bad, &j);
	if (bad == B_SMALL && hl[j])
		b.el[j].len = size[j] = rn(f, hl[j]);
	else if (bad == B_BUF && hl[j])
		b.el[j].buf = m_badbuf(f, hl[j], true);
	memset(f->big, 0xee, f->bigsz);
	if (o->kind == DP && !o->duplex && e == 1) {
		exp = EBADF;
	} else if (bad == B_RES || bad == B_FLAGS) {
		exp = EINVAL;
	} else {
		/* What is queued, in order; only the first may wait. */
		for (got = 0; got < n; got++) {
			if (got >= q->n)
				exp = got ? EAGAIN : w;
			else if (hl[got] > size[got])
				exp = EMSGSIZE;
			else if (bad == B_BUF && got == j && hl[got])
				exp = EFAULT;
			if (exp)
				break;
		}
	}
	snprintf(f->desc, sizeof(f->desc), "model %s end %d: %s of %u, flags 0x%x, %u queued",
		 fz_devname[o->kind], e, fz_cmds[op].name, n, b.v.flags, q->n);
	r = ioctl(fd, fz_cmds[op].cmd, &b.v);
	fz_call(f);
	if (!m_vec_expect(f, op, &b, r, errno, got, exp))
		return;
	/* The lengths got, and on EMSGSIZE the next message's. */
	for (i = 0; i < got + (exp == EMSGSIZE) && i < n; i++) {
		m_check(f);
		if (b.el[i].len != hl[i])
			fz_fail(f, "model: element %u: length %llu, expected %llu", i,
				(unsigned long long)b.el[i].len, (unsigned long long)hl[i]);
	}
	for (i = 0; i < got; i++) {
		struct m_msg mm = m_pop(q);

		if (!m_same(f, f->big + b.off[i], mm.tag, mm.len))
			break;
	}
}

static void m_chan(struct fz *f, struct m_obj *o)
{
	int e = (int)rn(f, 2);	/* pipe: the end; queue: read-only handle */
	bool ro = o->kind == DQ && pc(f, 15);
	int fd = o->kind == DQ ? o->fd[ro] : o->fd[e];
	unsigned int x = (unsigned int)rn(f, 100);

	if (x < 32)
		m_put(f, o, fd, e, ro);
	else if (x < 40)
		m_put_many(f, o, fd, e, ro);
	else if (x < 67)
		m_get(f, o, fd, e, ro);
	else if (x < 75)
		m_get_many(f, o, fd, e);
	else if (x < 82)
		m_rw(f, o, fd, e, ro, true);
	else if (x < 89)
		m_rw(f, o, fd, e, ro, false);
	else
		m_stat(f, o, fd, e);
}

static int m_lock(struct fz *f, struct m_obj *o)
{
	int r = pthread_mutex_lock(&o->mu);

	if (r == EOWNERDEAD) {
		fz_fail(f, "model: an actor died holding the fuzzer's lock of an object");
		pthread_mutex_consistent(&o->mu);
		return 0;
	}
	return r;
}

struct m_actor {
	struct fz f;
	struct m_shared *ms;
	pthread_t tid;
};

static void *m_actor_run(void *arg)
{
	struct m_actor *a = arg;
	struct fz *f = &a->f;

	for (f->op = 0; f->op < f->ops && !f->failed; f->op++) {
		struct m_obj *o = &a->ms->o[rn(f, M_NOBJ)];

		if (m_lock(f, o))
			break;
		switch (o->kind) {
		case DQ:
		case DP:
			m_chan(f, o);
			break;
		case DS:
			m_shm(f, o);
			break;
		default:
			m_event(f, o);
		}
		pthread_mutex_unlock(&o->mu);
	}
	return NULL;
}

/* Read an object's limits and state back into the model. */
static int m_init_obj(struct m_obj *o)
{
	switch (o->kind) {
	case DQ: {
		struct ipcdev_queue_stat st;

		if (ioctl(o->fd[0], IPCDEV_IOC_QUEUE_STAT, &st))
			return -1;
		o->maxsize = st.maxsize;
		o->msgsize_max = st.msgsize_max;
		o->bytes_max = st.bytes_max;
		return 0;
	}
	case DP: {
		struct ipcdev_pipe_stat st;

		if (ioctl(o->fd[0], IPCDEV_IOC_PIPE_STAT, &st))
			return -1;
		o->maxsize = 0;
		o->msgsize_max = st.msgsize_max;
		o->bytes_max = st.capacity;
		o->duplex = st.flags & IPCDEV_PIPE_DUPLEX;
		return 0;
	}
	case DS: {
		struct ipcdev_shm_stat st;

		if (ioctl(o->fd[0], IPCDEV_IOC_SHM_STAT, &st))
			return -1;
		o->size = st.size;
		o->seq = st.seq;
		o->map = mmap(NULL, o->size, PROT_READ | PROT_WRITE, MAP_SHARED, o->fd[0], 0);
		return o->map == MAP_FAILED ? -1 : 0;
	}
	default: {
		struct ipcdev_event_stat st;

		if (ioctl(o->fd[0], IPCDEV_IOC_EVENT_STAT, &st))
			return -1;
		o->set = st.set;
		o->sets = st.sets;
		return 0;
	}
	}
}

/* Create the objects: named (a read-only handle too) or anonymous. */
static int m_create(struct fz *f, struct m_shared *ms, unsigned long long seed)
{
	for (int i = 0; i < M_NOBJ; i++) {
		struct m_obj *o = &ms->o[i];
		pthread_mutexattr_t ma;
		char name[64];
		int r = -1;

		o->kind = i / 2;
		/* Device descriptors: each OPEN puts an object fd in its place. */
		o->fd[0] = open(fz_dev[o->kind], O_RDWR);
		o->fd[1] = o->kind == DP ? -1 : open(fz_dev[o->kind], O_RDONLY);
		snprintf(name, sizeof(name), "ipcfuzz-m%llu-%d", seed, i);
		if (o->kind != DP && !fz_log_name(f, name))
			return -1;
		switch (o->kind) {
		case DQ: {
			struct ipcdev_queue_open a = {
				.name = (uintptr_t)name, .flags = IPCDEV_CREAT | IPCDEV_EXCL,
				.mode = 0600, .maxsize = rn(f, 9),
				.msgsize_max = pc(f, 50) ? 0 : 1 + rn(f, 3000),
				.bytes_max = 100 + rn(f, 6000),
			};
			struct ipcdev_queue_open b = { .name = (uintptr_t)name };

			r = fz_open_in_place(o->fd[0], IPCDEV_IOC_QUEUE_OPEN, &a) ||
			    fz_open_in_place(o->fd[1], IPCDEV_IOC_QUEUE_OPEN, &b);
			break;
		}
		case DP: {
			struct ipcdev_pipe_open a = {
				.flags = pc(f, 60) ? IPCDEV_PIPE_DUPLEX : 0,
				.capacity = 100 + rn(f, 6000),
			};

			r = fz_open_in_place(o->fd[0], IPCDEV_IOC_PIPE_OPEN, &a);
			o->fd[1] = a.fd;
			break;
		}
		case DS: {
			struct ipcdev_shm_open a = {
				.name = (uintptr_t)name, .flags = IPCDEV_CREAT | IPCDEV_EXCL,
				.mode = 0600, .type = IPCDEV_SHM_RAW, .size = 1 + rn(f, M_SHM_MAX),
			};
			struct ipcdev_shm_open b = { .name = (uintptr_t)name };

			r = fz_open_in_place(o->fd[0], IPCDEV_IOC_SHM_OPEN, &a) ||
			    fz_open_in_place(o->fd[1], IPCDEV_IOC_SHM_OPEN, &b);
			break;
		}
		default: {
			struct ipcdev_event_open a = {
				.name = (uintptr_t)name, .flags = IPCDEV_CREAT | IPCDEV_EXCL |
				(pc(f, 50) ? IPCDEV_EVENT_INIT_SET : 0), .mode = 0600,
			};
			struct ipcdev_event_open b = { .name = (uintptr_t)name };

			r = fz_open_in_place(o->fd[0], IPCDEV_IOC_EVENT_OPEN, &a) ||
			    fz_open_in_place(o->fd[1], IPCDEV_IOC_EVENT_OPEN, &b);
		}
		}
		if (r || m_init_obj(o)) {
			fprintf(stderr, "# ipcfuzz: model: cannot create a %s: %s\n",
				fz_devname[o->kind], strerror(errno));
			return -1;
		}
		pthread_mutexattr_init(&ma);
		pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
		pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
		pthread_mutex_init(&o->mu, &ma);
		pthread_mutexattr_destroy(&ma);
	}
	return 0;
}

/*
 * After every actor has exited: the state once more, every queued message
 * drained and compared, the segment's bytes, the lock taken from its dead
 * holder, a pipe's end of file; then every handle closed.
 */
static void m_final(struct fz *f, struct m_shared *ms)
{
	snprintf(f->path, sizeof(f->path), "model-final");
	f->ops = 0;
	for (int i = 0; i < M_NOBJ; i++) {
		struct m_obj *o = &ms->o[i];

		f->op = i;
		if (o->owner && !o->dead)
			o->dead = true;		/* its process has exited */
		switch (o->kind) {
		case DQ:
			m_stat(f, o, o->fd[0], 0);
			while (o->r[0].n && !f->failed) {
				struct ipcdev_msg m = { .buf = (uintptr_t)f->big, .len = f->bigsz,
							.flags = IPCDEV_WAIT_NONBLOCK };
				struct m_msg mm = m_pop(&o->r[0]);

				snprintf(f->desc, sizeof(f->desc), "model final: queue drain");
				if (m_ioc(f, 4, o->fd[1], IPCDEV_IOC_QUEUE_GET, (uintptr_t)&m, 0) &&
				    m.len == mm.len)
					m_same(f, f->big, mm.tag, mm.len);
				else if (!f->failed)
					fz_fail(f, "model: length %llu, expected %u",
						(unsigned long long)m.len, mm.len);
			}
			m_stat(f, o, o->fd[0], 0);
			break;
		case DP:
			m_stat(f, o, o->fd[0], 0);
			m_stat(f, o, o->fd[1], 1);
			/* End 1 goes: end 0 drains what waits for it, then EOF. */
			close(o->fd[1]);
			o->fd[1] = -1;
			for (;;) {
				struct ipcdev_msg m = { .buf = (uintptr_t)f->big, .len = f->bigsz,
							.flags = IPCDEV_WAIT_NONBLOCK };
				int exp = o->r[0].n ? 0 : EPIPE;

				snprintf(f->desc, sizeof(f->desc), "model final: pipe drain after close");
				if (!m_ioc(f, 8, o->fd[0], IPCDEV_IOC_PIPE_RECV, (uintptr_t)&m,
					      exp) || exp)
					break;
				m_same(f, f->big, m_pop(&o->r[0]).tag, m.len);
			}
			break;
		case DS: {
			struct ipcdev_shm_io io = { .buf = (uintptr_t)f->big, .len = o->size };
			struct ipcdev_shm_lock l = { .flags = IPCDEV_WAIT_NONBLOCK };

			m_stat(f, o, o->fd[0], 0);
			snprintf(f->desc, sizeof(f->desc), "model final: shm READ all");
			if (m_ioc(f, 16, o->fd[1], IPCDEV_IOC_SHM_READ, (uintptr_t)&io, 0) &&
			    memcmp(f->big, o->data, o->size))
				fz_fail(f, "model: the segment holds other bytes than the model's");
			m_check(f);
			if (memcmp(o->map, o->data, o->size))
				fz_fail(f, "model: the mapping holds other bytes than the model's");
			snprintf(f->desc, sizeof(f->desc), "model final: shm LOCK, holder %d%s",
				 o->owner, o->dead ? " (dead)" : "");
			m_ioc(f, 12, o->fd[0], IPCDEV_IOC_SHM_LOCK, (uintptr_t)&l,
				 o->dead ? EOWNERDEAD : 0);
			munmap(o->map, o->size);
			break;
		}
		default:
			m_stat(f, o, o->fd[0], 0);
		}
		for (int k = 0; k < 2; k++)
			if (o->fd[k] >= 0)
				close(o->fd[k]);
	}
}

/*
 * The model phase: @procs worker processes of @threads actor threads each
 * make @ops calls in all.  Returns 0 when every result matched the model.
 */
static int m_run(struct fz_shared *sh, unsigned long long seed, long ops, int procs,
		 int threads, int timeout)
{
	struct m_shared *ms;
	struct fz boss;
	pid_t pids[64];
	int fail = 0;
	uint64_t t0 = now_ns();

	ms = mmap(NULL, sizeof(*ms), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (ms == MAP_FAILED)
		return 1;
	memset(&boss, 0, sizeof(boss));
	boss.sh = sh;
	boss.runseed = seed;
	boss.seed = boss.rng = fz_mix(seed ^ 0x6d6f64656cULL);
	snprintf(boss.path, sizeof(boss.path), "model-setup");
	if (fz_setup_mem(&boss) || m_create(&boss, ms, seed)) {
		munmap(ms, sizeof(*ms));
		return 1;
	}
	printf("# ipcfuzz: model: seed %llu, %ld ops, %d procs x %d threads\n", seed, ops,
	       procs, threads);
	fflush(stdout);
	for (int w = 0; w < procs; w++) {
		fflush(NULL);
		pids[w] = fork();
		if (pids[w] < 0) {
			perror("fork");
			pids[w] = 0;
			fail = 1;
			continue;
		}
		if (pids[w] == 0) {
			struct m_actor *a = calloc((size_t)threads, sizeof(*a));
			bool failed = false;

			signal(SIGPIPE, SIG_IGN);
			for (int t = 0; a && t < threads; t++) {
				struct fz *f = &a[t].f;

				f->sh = sh;
				f->runseed = seed;
				f->seed = f->rng = fz_mix(seed * 1000003ULL + 7919ULL * (uint64_t)w +
							  (uint64_t)t + 0x4d4f44ULL);
				f->ops = ops / procs / threads;
				snprintf(f->path, sizeof(f->path), "m%d.t%d", w, t);
				a[t].ms = ms;
				if (fz_setup_mem(f))
					_exit(1);
				if (t && pthread_create(&a[t].tid, NULL, m_actor_run, &a[t]))
					_exit(1);
			}
			if (!a)
				_exit(1);
			m_actor_run(&a[0]);
			for (int t = 1; t < threads; t++)
				pthread_join(a[t].tid, NULL);
			/*
			 * The others go on: a lock this process holds is given
			 * back, so that its exit does not kill the holder at an
			 * instant the model does not know.
			 */
			for (int i = 0; i < M_NOBJ; i++) {
				struct m_obj *o = &ms->o[i];
				struct fz *f = &a[0].f;

				if (o->kind != DS || m_lock(f, o))
					continue;
				if (o->owner == getpid() && !o->dead) {
					snprintf(f->desc, sizeof(f->desc), "model shm: UNLOCK at exit");
					if (m_ioc(f, 13, o->fd[0], IPCDEV_IOC_SHM_UNLOCK, 0, 0))
						o->owner = 0;
				}
				pthread_mutex_unlock(&o->mu);
			}
			for (int t = 0; t < threads; t++) {
				fz_check_canary(&a[t].f);
				failed |= a[t].f.failed;
			}
			_exit(failed ? 1 : 0);
		}
	}
	for (int w = 0; w < procs; w++) {
		uint64_t deadline = t0 + (uint64_t)timeout * 1000000000ULL;
		bool hung;
		int st;

		if (!pids[w])
			continue;
		st = fz_reap(&boss, pids[w],
			     now_ns() < deadline ? (unsigned int)((deadline - now_ns()) / 1000000) : 1,
			     &hung);
		if (hung || !WIFEXITED(st) || WEXITSTATUS(st)) {
			fprintf(stderr, "# ipcfuzz: FAIL seed %llu: model worker m%d %s (status 0x%x)\n",
				seed, w, hung ? "hangs" : "failed", st);
			if (hung)
				sh->hangs++;
			fail = 1;
		}
	}
	m_final(&boss, ms);
	if (boss.failed)
		fail = 1;
	printf("# ipcfuzz: model: done in %.1f s%s\n", (now_ns() - t0) / 1e9,
	       fail ? ", FAILED" : "");
	munmap(ms, sizeof(*ms));
	return fail;
}

/* ------------------------------------------------------------------ */
/* The race phase: threads and processes on shared descriptors         */
/* ------------------------------------------------------------------ */

/*
 * One queue, one duplex pipe, one event and one segment, shared by every
 * thread of @procs processes, with no lock in the fuzzer: calls race.  The
 * properties that stay determined are checked: every call returns an
 * errno of its set, every message received is one that was sent, whole
 * (its header names its length and tag, its bytes follow from the tag),
 * messages in == messages out + queued (count and bytes, from the
 * counters of successful calls), the change counter == the successful
 * bumps, and per process the successful LOCKs and UNLOCKs alternate (the
 * lock is a process's).  Beside the counted descriptors, a table of dup()s
 * is closed and re-made while other threads use them (EBADF, or ENOTTY
 * when the number now names another kind of handle).
 */
#define R_SLOTS		8
#define R_HDR		8

struct r_shared {
	int qfd, pfd[2], efd, sfd;
	uint64_t shm_size;
	long qput, qget, qputb, qgetb;
	long psent, precv, psentb, precvb;
	long bumps;
};

/* Per process, shared by its threads. */
static int r_slot[R_SLOTS];
static long r_locks, r_unlocks;

struct r_actor {
	struct fz f;
	struct r_shared *rs;
	pthread_t tid;
};

static void r_fill(unsigned char *p, uint32_t len, uint32_t tag)
{
	memcpy(p, &len, 4);
	memcpy(p + 4, &tag, 4);
	for (uint32_t i = R_HDR; i < len; i++)
		p[i] = m_byte(tag, i);
}

static bool r_whole(const unsigned char *p, uint64_t len)
{
	uint32_t l, tag;

	if (len < R_HDR)
		return false;
	memcpy(&l, p, 4);
	memcpy(&tag, p + 4, 4);
	if (l != len)
		return false;
	for (uint32_t i = R_HDR; i < len; i++)
		if (p[i] != m_byte(tag, i))
			return false;
	return true;
}

static void r_flags(struct fz *f, __u32 *flags, __u64 *dl)
{
	if (pc(f, 50)) {
		*flags = IPCDEV_WAIT_NONBLOCK;
		*dl = 0;
	} else {
		*flags = IPCDEV_WAIT_DEADLINE;
		*dl = now_ns() + rn(f, 500000);
	}
}

static void r_result(struct fz *f, int op, long r, int e, const int *ok)
{
	fz_call(f);
	fz_note(f->sh, PH_RACE, op, r == 0 ? 0 : e);
	if (r != 0 && (r != -1 || !in_list(e, ok)))
		fz_fail(f, "race: returned %ld errno %d (%s)", r, e, strerror(e));
}

static void r_msg(struct fz *f, struct r_shared *rs, bool pipe, bool put)
{
	static const int e_ok[] = { EAGAIN, ETIMEDOUT, 0 };
	struct ipcdev_msg m = { .buf = (uintptr_t)f->big };
	int fd = pipe ? rs->pfd[rn(f, 2)] : rs->qfd, op, e;
	uint32_t tag = (uint32_t)r64(f);
	long r;

	r_flags(f, &m.flags, &m.deadline_ns);
	if (put) {
		m.len = R_HDR + rn(f, 600);
		r_fill((unsigned char *)f->big, (uint32_t)m.len, tag);
		op = pipe ? 7 : 3;
	} else {
		m.len = 2048;
		op = pipe ? 8 : 4;
	}
	snprintf(f->desc, sizeof(f->desc), "race %s %s len %llu", pipe ? "pipe" : "queue",
		 fz_cmds[op].name, (unsigned long long)m.len);
	r = ioctl(fd, fz_cmds[op].cmd, &m);
	e = errno;
	r_result(f, op, r, e, e_ok);
	if (r)
		return;
	if (!put && !r_whole((unsigned char *)f->big, m.len))
		fz_fail(f, "race: a message of %llu bytes is torn or was never sent",
			(unsigned long long)m.len);
	if (pipe) {
		__atomic_add_fetch(put ? &rs->psent : &rs->precv, 1, __ATOMIC_RELAXED);
		__atomic_add_fetch(put ? &rs->psentb : &rs->precvb, (long)m.len, __ATOMIC_RELAXED);
	} else {
		__atomic_add_fetch(put ? &rs->qput : &rs->qget, 1, __ATOMIC_RELAXED);
		__atomic_add_fetch(put ? &rs->qputb : &rs->qgetb, (long)m.len, __ATOMIC_RELAXED);
	}
}

static void r_event(struct fz *f, struct r_shared *rs, int fd, bool slot)
{
	static const int e_set_slot[] = { EBADF, ENOTTY, 0 };
	static const int e_wait_slot[] = { EAGAIN, ETIMEDOUT, EBADF, ENOTTY, 0 };
	static const int e_wait[] = { EAGAIN, ETIMEDOUT, 0 };
	static const int e_none[] = { 0 };
	unsigned int x = (unsigned int)rn(f, 4);
	long r;

	(void)rs;
	snprintf(f->desc, sizeof(f->desc), "race event op %u on fd %d%s", x, fd,
		 slot ? " (churned slot)" : "");
	if (x < 2) {
		r = ioctl(fd, x ? IPCDEV_IOC_EVENT_CLEAR : IPCDEV_IOC_EVENT_SET, 0);
		r_result(f, x ? 21 : 20, r, errno, slot ? e_set_slot : e_none);
	} else {
		struct ipcdev_event_wait a = { 0 };
		bool clear = x == 3;

		r_flags(f, &a.flags, &a.deadline_ns);
		if (clear)
			a.flags |= IPCDEV_EVENT_WAIT_CLEAR;
		r = ioctl(fd, IPCDEV_IOC_EVENT_WAIT, &a);
		r_result(f, clear ? X_WAIT_CLEAR : 22, r, errno, slot ? e_wait_slot : e_wait);
	}
}

static void r_shm(struct fz *f, struct r_shared *rs)
{
	static const int e_none[] = { 0 };
	static const int e_wait[] = { EAGAIN, ETIMEDOUT, 0 };
	static const int e_lock[] = { EAGAIN, ETIMEDOUT, EDEADLK, 0 };
	static const int e_unlock[] = { EPERM, 0 };
	unsigned int x = (unsigned int)rn(f, 6);
	int fd = rs->sfd;
	long r;

	snprintf(f->desc, sizeof(f->desc), "race shm op %u", x);
	switch (x) {
	case 0:
	case 1: {
		struct ipcdev_shm_io a = { .buf = (uintptr_t)f->big };

		a.offset = rn(f, rs->shm_size);
		a.len = rn(f, rs->shm_size - a.offset + 1);
		r = ioctl(fd, x ? IPCDEV_IOC_SHM_WRITE : IPCDEV_IOC_SHM_READ, &a);
		r_result(f, x ? 17 : 16, r, errno, e_none);
		if (!r && x)
			__atomic_add_fetch(&rs->bumps, 1, __ATOMIC_RELAXED);
		break;
	}
	case 2:
		r = ioctl(fd, IPCDEV_IOC_SHM_PUBLISH, 0);
		r_result(f, 14, r, errno, e_none);
		if (!r)
			__atomic_add_fetch(&rs->bumps, 1, __ATOMIC_RELAXED);
		break;
	case 3: {
		struct ipcdev_shm_change a = { .seen = rn(f, 4) };

		r_flags(f, &a.flags, &a.deadline_ns);
		r = ioctl(fd, IPCDEV_IOC_SHM_WAIT_CHANGE, &a);
		r_result(f, 15, r, errno, e_wait);
		break;
	}
	case 4: {
		struct ipcdev_shm_lock a = { 0 };

		r_flags(f, &a.flags, &a.deadline_ns);
		r = ioctl(fd, IPCDEV_IOC_SHM_LOCK, &a);
		r_result(f, 12, r, errno, e_lock);
		if (!r)
			__atomic_add_fetch(&r_locks, 1, __ATOMIC_RELAXED);
		break;
	}
	default:
		r = ioctl(fd, IPCDEV_IOC_SHM_UNLOCK, 0);
		r_result(f, 13, r, errno, e_unlock);
		if (!r)
			__atomic_add_fetch(&r_unlocks, 1, __ATOMIC_RELAXED);
	}
}

/* Calls on the churned dups: their numbers may be closed or re-made meanwhile. */
static void r_slotop(struct fz *f, struct r_shared *rs)
{
	static const int e_slot[] = { EBADF, ENOTTY, 0 };
	static const int e_mmap[] = { EBADF, ENODEV, EINVAL, EACCES, 0 };
	int k = (int)rn(f, R_SLOTS), fd = __atomic_load_n(&r_slot[k], __ATOMIC_RELAXED);
	unsigned char st[256];
	unsigned int x = (unsigned int)rn(f, 6);
	long r;

	snprintf(f->desc, sizeof(f->desc), "race slot %d fd %d op %u", k, fd, x);
	if (x == 0) {
		/* Close and re-make the slot while others may use it. */
		static const int kinds[4] = { 0, 1, 2, 3 };
		int src[4] = { rs->qfd, rs->pfd[0], rs->sfd, rs->efd };
		int nfd = dup(src[kinds[k % 4]]);
		int old = __atomic_exchange_n(&r_slot[k], nfd, __ATOMIC_RELAXED);

		fz_note(f->sh, PH_RACE, X_CHURN, nfd < 0 ? errno : 0);
		fz_call(f);
		if (nfd < 0 && errno != EMFILE)
			fz_fail(f, "race: dup errno %d", errno);
		if (old >= 0)
			close(old);
	} else if (x == 1) {
		static const unsigned long stats[4] = {
			IPCDEV_IOC_QUEUE_STAT, IPCDEV_IOC_PIPE_STAT, IPCDEV_IOC_SHM_STAT,
			IPCDEV_IOC_EVENT_STAT,
		};
		static const int sop[4] = { 5, 9, 11, 23 };

		r = ioctl(fd, stats[k % 4], st);
		r_result(f, sop[k % 4], r, errno, e_slot);
	} else if (x == 2) {
		struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT };

		r = poll(&p, 1, (int)rn(f, 2));
		fz_call(f);
		fz_note(f->sh, PH_RACE, X_POLL, r < 0 ? errno : 0);
		if (r < 0)
			fz_fail(f, "race: poll errno %d", errno);
	} else if (x == 3) {
		int fl = fcntl(fd, F_GETFL);

		fz_call(f);
		if (fl >= 0) {
			fcntl(fd, F_SETOWN, getpid());
			r = fcntl(fd, F_SETFL, fl ^ O_ASYNC);
			fz_note(f->sh, PH_RACE, X_FCNTL, r ? errno : 0);
			if (r && errno != EBADF)
				fz_fail(f, "race: F_SETFL O_ASYNC errno %d", errno);
		}
	} else if (x == 4) {
		void *p = mmap(NULL, (size_t)f->pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		int e = errno;

		fz_call(f);
		fz_note(f->sh, PH_RACE, X_MMAP, p == MAP_FAILED ? e : 0);
		if (p == MAP_FAILED) {
			if (!in_list(e, e_mmap))
				fz_fail(f, "race: mmap errno %d (%s)", e, strerror(e));
		} else {
			/* The slot may have become another segment handle: same segment. */
			((volatile char *)p)[rn(f, (uint64_t)f->pg)] ^= 0;
			munmap(p, (size_t)f->pg);
		}
	} else {
		r_event(f, rs, fd, true);
	}
}

static void *r_actor_run(void *arg)
{
	struct r_actor *a = arg;
	struct fz *f = &a->f;

	for (f->op = 0; f->op < f->ops && !f->failed; f->op++) {
		unsigned int x = (unsigned int)rn(f, 100);

		if (x < 15)
			r_msg(f, a->rs, false, true);
		else if (x < 30)
			r_msg(f, a->rs, false, false);
		else if (x < 40)
			r_msg(f, a->rs, true, true);
		else if (x < 50)
			r_msg(f, a->rs, true, false);
		else if (x < 60)
			r_event(f, a->rs, a->rs->efd, false);
		else if (x < 80)
			r_shm(f, a->rs);
		else
			r_slotop(f, a->rs);
	}
	return NULL;
}

static int r_run(struct fz_shared *sh, unsigned long long seed, long ops, int procs,
		 int threads, int timeout)
{
	struct r_shared *rs;
	struct ipcdev_queue_open qo = { .maxsize = 16, .msgsize_max = 1024, .bytes_max = 8192 };
	struct ipcdev_pipe_open po = { .flags = IPCDEV_PIPE_DUPLEX, .capacity = 4096 };
	struct ipcdev_shm_open so = { .type = IPCDEV_SHM_RAW, .size = 3 * 4096 };
	struct ipcdev_queue_stat qs;
	struct ipcdev_pipe_stat ps0, ps1;
	struct ipcdev_shm_stat ss;
	struct fz boss;
	pid_t pids[64];
	int fail = 0;
	uint64_t t0 = now_ns();

	rs = mmap(NULL, sizeof(*rs), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (rs == MAP_FAILED)
		return 1;
	memset(&boss, 0, sizeof(boss));
	boss.sh = sh;
	snprintf(boss.path, sizeof(boss.path), "race");
	rs->qfd = open(fz_dev[DQ], O_RDWR);
	rs->pfd[0] = open(fz_dev[DP], O_RDWR);
	rs->sfd = open(fz_dev[DS], O_RDWR);
	rs->efd = open(fz_dev[DE], O_RDWR);
	rs->shm_size = so.size;
	if (fz_open_in_place(rs->qfd, IPCDEV_IOC_QUEUE_OPEN, &qo) ||
	    fz_open_in_place(rs->pfd[0], IPCDEV_IOC_PIPE_OPEN, &po) ||
	    fz_open_in_place(rs->sfd, IPCDEV_IOC_SHM_OPEN, &so) ||
	    fz_open_in_place(rs->efd, IPCDEV_IOC_EVENT_OPEN, &(struct ipcdev_event_open){ 0 })) {
		fprintf(stderr, "# ipcfuzz: race: cannot create the objects: %s\n", strerror(errno));
		return 1;
	}
	rs->pfd[1] = po.fd;
	printf("# ipcfuzz: race: seed %llu, %ld ops, %d procs x %d threads\n", seed, ops, procs,
	       threads);
	fflush(stdout);
	for (int w = 0; w < procs; w++) {
		fflush(NULL);
		pids[w] = fork();
		if (pids[w] < 0) {
			pids[w] = 0;
			fail = 1;
			continue;
		}
		if (pids[w] == 0) {
			struct r_actor *a = calloc((size_t)threads, sizeof(*a));
			int src[4] = { rs->qfd, rs->pfd[0], rs->sfd, rs->efd };
			bool failed = false;
			long held;
			struct fz *f0;

			signal(SIGPIPE, SIG_IGN);
			signal(SIGIO, SIG_IGN);
			if (!a)
				_exit(1);
			for (int k = 0; k < R_SLOTS; k++)
				r_slot[k] = dup(src[k % 4]);
			for (int t = 0; t < threads; t++) {
				struct fz *f = &a[t].f;

				f->sh = sh;
				f->runseed = seed;
				f->seed = f->rng = fz_mix(seed * 1000003ULL + 104729ULL * (uint64_t)w +
							  (uint64_t)t + 0x52414345ULL);
				f->ops = ops / procs / threads;
				snprintf(f->path, sizeof(f->path), "r%d.t%d", w, t);
				a[t].rs = rs;
				if (fz_setup_mem(f))
					_exit(1);
				if (t && pthread_create(&a[t].tid, NULL, r_actor_run, &a[t]))
					_exit(1);
			}
			r_actor_run(&a[0]);
			for (int t = 1; t < threads; t++)
				pthread_join(a[t].tid, NULL);
			/* The lock: held by this process iff LOCKs outnumber UNLOCKs by one. */
			f0 = &a[0].f;
			held = r_locks - r_unlocks;
			snprintf(f0->desc, sizeof(f0->desc), "race: %ld LOCKs, %ld UNLOCKs, final UNLOCK",
				 r_locks, r_unlocks);
			f0->failed = false;
			m_check(f0);
			if (held != 0 && held != 1)
				fz_fail(f0, "race: LOCK and UNLOCK did not alternate");
			else
				m_ioc(f0, 13, rs->sfd, IPCDEV_IOC_SHM_UNLOCK, (uintptr_t)0,
					 held ? 0 : EPERM);
			for (int t = 0; t < threads; t++) {
				fz_check_canary(&a[t].f);
				failed |= a[t].f.failed;
			}
			_exit(failed ? 1 : 0);
		}
	}
	for (int w = 0; w < procs; w++) {
		uint64_t deadline = t0 + (uint64_t)timeout * 1000000000ULL;
		bool hung;
		int st;

		if (!pids[w])
			continue;
		st = fz_reap(&boss, pids[w],
			     now_ns() < deadline ? (unsigned int)((deadline - now_ns()) / 1000000) : 1,
			     &hung);
		if (hung || !WIFEXITED(st) || WEXITSTATUS(st)) {
			fprintf(stderr, "# ipcfuzz: FAIL seed %llu: race worker r%d %s (status 0x%x)\n",
				seed, w, hung ? "hangs" : "failed", st);
			if (hung)
				sh->hangs++;
			fail = 1;
		}
	}
	if (ioctl(rs->qfd, IPCDEV_IOC_QUEUE_STAT, &qs) ||
	    ioctl(rs->pfd[0], IPCDEV_IOC_PIPE_STAT, &ps0) ||
	    ioctl(rs->pfd[1], IPCDEV_IOC_PIPE_STAT, &ps1) ||
	    ioctl(rs->sfd, IPCDEV_IOC_SHM_STAT, &ss)) {
		fprintf(stderr, "# ipcfuzz: FAIL: race: STAT errno %d\n", errno);
		fail = 1;
	} else {
		sh->checks += 3;
		if ((long)qs.count != rs->qput - rs->qget || (long)qs.bytes != rs->qputb - rs->qgetb) {
			fprintf(stderr, "# ipcfuzz: FAIL seed %llu: race: queue holds %llu messages of %llu bytes; %ld put, %ld got (%ld bytes in, %ld out)\n",
				seed, (unsigned long long)qs.count, (unsigned long long)qs.bytes,
				rs->qput, rs->qget, rs->qputb, rs->qgetb);
			fail = 1;
		}
		if ((long)(ps0.in_count + ps1.in_count) != rs->psent - rs->precv ||
		    (long)(ps0.in_bytes + ps1.in_bytes) != rs->psentb - rs->precvb) {
			fprintf(stderr, "# ipcfuzz: FAIL seed %llu: race: pipe holds %llu messages; %ld sent, %ld received\n",
				seed, (unsigned long long)(ps0.in_count + ps1.in_count), rs->psent,
				rs->precv);
			fail = 1;
		}
		if ((long)ss.seq != rs->bumps || ss.lock_owner) {
			fprintf(stderr, "# ipcfuzz: FAIL seed %llu: race: change counter %llu after %ld writes and PUBLISHes; lock holder %d\n",
				seed, (unsigned long long)ss.seq, rs->bumps, ss.lock_owner);
			fail = 1;
		}
	}
	printf("# ipcfuzz: race: %ld put, %ld got, %ld sent, %ld received, %ld bumps, %.1f s%s\n",
	       rs->qput, rs->qget, rs->psent, rs->precv, rs->bumps, (now_ns() - t0) / 1e9,
	       fail ? ", FAILED" : "");
	close(rs->qfd);
	close(rs->pfd[0]);
	close(rs->pfd[1]);
	close(rs->sfd);
	close(rs->efd);
	munmap(rs, sizeof(*rs));
	return fail;
}

/* ------------------------------------------------------------------ */
/* A run                                                               */
/* ------------------------------------------------------------------ */

#define FZ_CHAOS	0x1
#define FZ_MODEL	0x2
#define FZ_RACE		0x4

struct fz_opts {
	unsigned long long seed;
	long ops;		/* chaos phase */
	long model_ops;		/* model phase; 0: as @ops */
	long race_ops;		/* race phase; 0: as @ops */
	int procs;
	int threads;		/* actors per process, model and race phases; 0: 2 */
	int phases;		/* FZ_* bits; 0: all */
	int timeout;	/* seconds for each phase */
	bool verbose;
	bool counts;		/* print the per-command table */
};

struct fz_result {
	long calls, failures, kills, forks, hangs, names, checks;
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
	/* A canary page, f->rw, the guard page: see fz_cross_guard(). */
	p = mmap(NULL, 3 * f->pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || mprotect(p + 2 * f->pg, f->pg, PROT_NONE))
		return -1;
	memset(p, FZ_CANARY, f->pg);
	f->rw = p + f->pg;
	f->guard = p + 2 * f->pg;
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
	/*
	 * The big buffer ends at a guard page: a call given a length above
	 * bigsz ("bad", rbuf()) must fault there, not overwrite whatever
	 * mapping follows (seen on 6.12: a thread's stack, then a GPF in libc).
	 */
	f->bigsz = 128 * 1024;
	f->big = mmap(NULL, f->bigsz + f->pg, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (f->big == MAP_FAILED)
		return -1;
	if (mprotect(f->big + f->bigsz, f->pg, PROT_NONE))
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
/* The per-command table: calls, successes and each errno, per phase. */
static void fz_print_counts(const struct fz_shared *sh)
{
	for (int ph = 0; ph < NPH; ph++) {
		for (int op = 0; op < FZ_NOPS; op++) {
			char line[1024];
			long total = 0;
			int n;

			for (int e = 0; e < FZ_NERR; e++)
				total += sh->cnt[ph][op][e];
			if (!total)
				continue;
			n = snprintf(line, sizeof(line), "# ipcfuzz: %-5s %-22s %7ld: ok %ld",
				     ph_name[ph], op < FZ_NIOC ? fz_cmds[op].name :
				     x_name[op - FZ_NIOC], total, sh->cnt[ph][op][0]);
			for (int e = 1; e < FZ_NERR && n < (int)sizeof(line) - 40; e++) {
				const char *en = e == FZ_NERR - 1 ? "other" : strerrorname_np(e);

				if (sh->cnt[ph][op][e])
					n += snprintf(line + n, sizeof(line) - n, ", %s %ld",
						      en ? en : "?", sh->cnt[ph][op][e]);
			}
			puts(line);
		}
	}
	fflush(stdout);
}

static int ipcfuzz_run(const struct fz_opts *o, struct fz_result *res)
{
	struct fz_shared *sh;
	long long base[4], now[4];
	pid_t pids[64];
	int procs = o->procs < 1 ? 1 : o->procs > 64 ? 64 : o->procs;
	uint64_t t0 = now_ns();
	int fail = 0;
	int phases = o->phases ? o->phases : FZ_CHAOS | FZ_MODEL | FZ_RACE;
	int threads = o->threads < 1 ? 2 : o->threads > 16 ? 16 : o->threads;

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
	printf("# ipcfuzz: seed %llu (replay: ipcfuzz --seed %llu), %d-bit\n", o->seed, o->seed,
	       (int)sizeof(long) * 8);
	if (phases & FZ_CHAOS)
		printf("# ipcfuzz: chaos: %ld ops, %d procs\n", o->ops, procs);
	fflush(stdout);
	for (int w = 0; w < procs && (phases & FZ_CHAOS); w++) {
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
			fz_check_canary(&f);
			_exit(f.failed ? 1 : 0);
		}
		pids[w] = pid;
	}
	for (int w = 0; w < procs && (phases & FZ_CHAOS); w++) {
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
	if (phases & FZ_MODEL)
		fail |= m_run(sh, o->seed, o->model_ops ? o->model_ops : o->ops, procs,
			      threads, o->timeout);
	if (phases & FZ_RACE)
		fail |= r_run(sh, o->seed, o->race_ops ? o->race_ops : o->ops, procs, threads,
			      o->timeout);
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
	res->checks = sh->checks;
	if (sh->failures)
		fail = 1;
	if (o->counts)
		fz_print_counts(sh);
	printf("# ipcfuzz: seed %llu: %ld calls, %ld model checks, %ld forks, %ld kills, %ld failures, %ld hangs, %.1f s%s\n",
	       o->seed, res->calls, res->checks, res->forks, res->kills, res->failures, res->hangs,
	       (now_ns() - t0) / 1e9, res->leak ? ", counters NOT back to baseline" : "");
	fflush(stdout);
	munmap(sh, sizeof(*sh));
	return fail;
}

#ifndef IPCFUZZ_NO_MAIN
static void usage(void)
{
	fprintf(stderr,
		"usage: ipcfuzz [--seed S] [--ops N] [--model-ops N] [--race-ops N] [--procs P]\n"
		"               [--threads T] [--phases chaos,model,race] [--timeout SEC]\n"
		"               [--counts] [--verbose]\n");
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
		{ "model-ops", required_argument, NULL, 'M' },
		{ "race-ops", required_argument, NULL, 'R' },
		{ "threads", required_argument, NULL, 'T' },
		{ "phases", required_argument, NULL, 'P' },
		{ "counts", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct fz_opts o = { .seed = (unsigned long long)time(NULL), .ops = 10000,
			     .procs = 4, .timeout = 600, .counts = true };
	struct fz_result res;
	int c;

	while ((c = getopt_long(argc, argv, "s:n:p:t:vh", lo, NULL)) != -1) {
		switch (c) {
		case 'M': o.model_ops = strtol(optarg, NULL, 0); break;
		case 'R': o.race_ops = strtol(optarg, NULL, 0); break;
		case 'T': o.threads = atoi(optarg); break;
		case 'c': o.counts = true; break;
		case 'P':
			o.phases = (strstr(optarg, "chaos") ? FZ_CHAOS : 0) |
				   (strstr(optarg, "model") ? FZ_MODEL : 0) |
				   (strstr(optarg, "race") ? FZ_RACE : 0);
			if (!o.phases)
				usage();
			break;
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
