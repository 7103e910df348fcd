// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection (fail-nth, see ipcfault.h) in libipcdev's own failure
 * handling: the generation page (a MADV_WIPEONFORK page made at a
 * process's first lock), the lock word's page (mapped at the first lock of
 * a segment) and the locker id asked of the module, and the segment's own
 * mapping at creation.  Each round runs in a fresh child process, so that
 * the library's per-process state starts empty, and injects at the n-th
 * failable site of one call, for n = 1, 2, ... until the call completes
 * without reaching n.
 *
 * Each outcome must be success or a clear error (-ENOMEM; -EFAULT when an
 * injected user copy of the library's own argument fails), and:
 *   lock: on success the caller holds the lock (STAT lock_owner) and
 *         unlock releases it; on error nobody holds it; either way the
 *         next lock and unlock work (through the fast path, or falling
 *         back to the ioctls).  The figures say how many rounds lost the
 *         fast path for the rest of the process.
 *   create: on error the ipc_array is reset (fd -1, addr NULL) and no
 *         object is left (/proc/ipcdev/stats).
 *
 * Runs only where /proc/thread-self/fail-nth exists (the faults lane).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/mman.h>

#include "ipcdev_lib_test.h"
#include "ipcfault.h"

/*
 * The harness ends each test's process with _exit(), which drops what
 * stdout still buffers when it is a pipe (guest-check): line-buffer it, so
 * that every "# fault ...: N sites injected" summary reaches the log.
 */
static void __attribute__((constructor)) fi_stdout_line_buffered(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
}

#define MAX_N	2000

/* What a round's child reports. */
struct round {
	int ret;		/* the call's result */
	int injected;		/* the fault was injected */
	int fast;		/* the fast path works afterwards */
	int bad;		/* a check failed: why */
	char why[200];
};

/* Record a failed check; returns 0 (no fast path) for lock_again(). */
static __attribute__((format(printf, 2, 3))) int BAD(struct round *r,
						     const char *fmt, ...)
{
	va_list ap;

	r->bad = 1;
	va_start(ap, fmt);
	vsnprintf(r->why, sizeof(r->why), fmt, ap);
	va_end(ap);
	return 0;
}

static long long proc_stat(const char *key)
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

static int lock_owner(struct ipc_array *a)
{
	struct ipcdev_shm_stat st;

	return ipc_array_stat(a, &st) ? -1 : st.lock_owner;
}

/*
 * Lock and unlock @a once more with no fault; 1 if the lock went through
 * the fast path (the mapped word showed our id while we held it).
 */
static int lock_again(struct ipc_array *a, struct round *r)
{
	int e = ipc_array_lock(a, 1, IPC_FOREVER), fast;

	if (e)
		return BAD(r, "lock after: %s", strerror(-e));
	if (lock_owner(a) != getpid())
		return BAD(r, "lock after: owner %d", lock_owner(a));
	fast = a->lock_word && *a->lock_word &&
	       (*a->lock_word & IPCDEV_SHM_LOCK_ID_MASK) == (uint32_t)a->locker;
	e = ipc_array_unlock(a);
	if (e)
		return BAD(r, "unlock after: %s", strerror(-e));
	if (lock_owner(a))
		return BAD(r, "unlocked, owner %d", lock_owner(a));
	return fast;
}

/* The n-th site of @a's first lock in this process fails. */
static void round_lock(struct ipc_array *a, int nth, unsigned int n,
		       struct round *r)
{
	int owner;

	fi_arm(nth, n);
	r->ret = ipc_array_lock(a, 1, IPC_FOREVER);
	r->injected = fi_disarm(nth);
	owner = lock_owner(a);
	if (r->ret == 0) {
		if (owner != getpid()) {
			BAD(r, "locked, owner %d", owner);
			return;
		}
		r->ret = ipc_array_unlock(a);
		if (r->ret) {
			BAD(r, "unlock: %s", strerror(-r->ret));
			return;
		}
	} else if (r->ret != -ENOMEM && r->ret != -EFAULT) {
		BAD(r, "lock: %s, not a documented error", strerror(-r->ret));
		return;
	} else if (owner != 0) {
		BAD(r, "failed lock, owner %d", owner);
		return;
	}
	r->fast = lock_again(a, r);
	/* A second segment works as well. */
	if (!r->bad) {
		struct ipc_array b;

		if (ipc_raw_create(&b, 64)) {
			BAD(r, "second segment");
			return;
		}
		lock_again(&b, r);
		ipc_array_close(&b);
	}
}

enum what { LOCK_FIRST, LOCK_AFTER_FORK, CREATE };

/* One round in a child: the library's process state starts empty. */
static void child_round(enum what w, unsigned int n, struct round *r)
{
	struct ipc_array a;
	int nth = fi_open();
	pid_t pid;

	if (nth < 0) {
		BAD(r, "fail-nth: %s", strerror(-nth));
		return;
	}
	if (w == CREATE) {
		long long objs = proc_stat("objects");

		fi_arm(nth, n);
		r->ret = ipc_raw_create(&a, 3 * 4096);
		r->injected = fi_disarm(nth);
		if (r->ret == 0) {
			memset(a.addr, 1, 3 * 4096);
			if (ipc_array_close(&a))
				BAD(r, "close");
		} else if (r->ret != -ENOMEM && r->ret != -EFAULT) {
			BAD(r, "create: %s, not a documented error",
			    strerror(-r->ret));
		} else if (a.fd != -1 || a.addr) {
			BAD(r, "failed create left fd %d addr %p", a.fd,
			    a.addr);
		} else if (proc_stat("objects") != objs) {
			BAD(r, "failed create left an object");
		}
		return;
	}
	if (ipc_raw_create(&a, 4096)) {
		BAD(r, "create");
		return;
	}
	if (w == LOCK_FIRST) {
		round_lock(&a, nth, n, r);
		ipc_array_close(&a);
		return;
	}
	/* The parent's first lock made its pages; the child's is tested. */
	if (lock_again(&a, r) != 1) {
		BAD(r, "no fast path before the fork");
		ipc_array_close(&a);
		return;
	}
	pid = fork();
	if (pid == 0) {
		int cnth = fi_open();

		round_lock(&a, cnth, n, r);
		_exit(0);
	}
	if (reap(pid) != 0)
		BAD(r, "the grandchild died");
	ipc_array_close(&a);
}

static int run(struct __test_metadata *_metadata, enum what w,
	       const char *name)
{
	struct round *r = mmap(NULL, sizeof(*r), PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	unsigned int n, lost = 0, bad = 0;
	struct fi_hist h = { 0 };
	struct fi_saved saved;
	const char *what;
	char hist[256];
	int code;
	pid_t pid;

	if (r == MAP_FAILED)
		return -1;
	code = fi_setup(&saved, &what);
	if (code) {
		munmap(r, sizeof(*r));
		return code;
	}
	for (n = 1; n < MAX_N; n++) {
		memset(r, 0, sizeof(*r));
		pid = fork();
		if (pid == 0) {
			child_round(w, n, r);
			_exit(0);
		}
		code = reap(pid);
		if (code || r->bad) {
			printf("# %s n=%u: %s (exit %d)\n", name, n,
			       r->bad ? r->why : "child died", code);
			bad++;
		}
		if (!r->injected)
			break;
		h.sites++;
		fi_count(&h, r->ret);
		if (w != CREATE && !r->bad && !r->fast)
			lost++;
	}
	fi_restore(&saved);
	printf("# fault %s: %u sites injected; %s%s", name, h.sites,
	       fi_hist_str(&h, hist, sizeof(hist)), w == CREATE ? "\n" : "");
	if (w != CREATE)
		printf("; fast path lost for the process in %u\n", lost);
	EXPECT_EQ(0U, bad);
	EXPECT_GT(MAX_N, n);
	EXPECT_EQ(0, proc_stat("objects"));
	munmap(r, sizeof(*r));
	return 0;
}

static bool have_fail_nth(void)
{
	return !access(FI_NTH, R_OK | W_OK);
}

/* A fixture only for the time limit: a round is a fork, slow under TCG. */
FIXTURE(lib) {
	int unused;
};

FIXTURE_SETUP(lib)
{
}

FIXTURE_TEARDOWN(lib)
{
}

TEST_F_TIMEOUT(lib, lock_first, 600)
{
	if (!have_fail_nth())
		SKIP(return, "no " FI_NTH);
	ASSERT_EQ(0, run(_metadata, LOCK_FIRST, "lib-lock-first"));
}

TEST_F_TIMEOUT(lib, lock_after_fork, 600)
{
	if (!have_fail_nth())
		SKIP(return, "no " FI_NTH);
	ASSERT_EQ(0, run(_metadata, LOCK_AFTER_FORK, "lib-lock-after-fork"));
}

TEST_F_TIMEOUT(lib, create, 600)
{
	if (!have_fail_nth())
		SKIP(return, "no " FI_NTH);
	ASSERT_EQ(0, run(_metadata, CREATE, "lib-create"));
}

TEST_HARNESS_MAIN
