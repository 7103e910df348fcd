// SPDX-License-Identifier: GPL-2.0
/*
 * Kills under load: producers and consumers on a queue and on a pipe, and
 * lockers of a shared memory segment (IPCDEV_IOC_SHM_LOCK/UNLOCK around a
 * non-atomic increment of a counter in the mapping; every other locker
 * takes the lock word's fast path, a compare-and-swap of the mapped word
 * before each ioctl, as libipcdev does), while the test kills
 * random workers with SIGKILL at random (seeded) moments and starts new
 * ones.  Run as root with the ipcdev module loaded.
 *
 * Bookkeeping lives in a shared anonymous mapping:
 *  - a producer stores "inflight = seq" before each put and "done = seq + 1"
 *    after it returned 0; a failed put is retried with the same seq.  So
 *    messages below done were put, messages above inflight never were, and
 *    the message inflight == done of a killed producer is "in doubt": it
 *    may or may not have been put (killed during that very put);
 *  - a consumer receives into its slot's buffer in the shared mapping, then
 *    commits the message id to its log (the store of the new count is the
 *    commit), then clears the buffer.  A killed consumer's buffer that
 *    holds a valid message not yet committed was received: the kernel had
 *    copied it and dequeued it.
 * After the run the queue and the pipe are drained, and every message
 * below each producer's done must have been received exactly once, the
 * in-doubt one at most once, nothing else at all; every message's checksum
 * must match (no torn message).  The lock must be acquirable (0 or
 * EOWNERDEAD), and the counter must equal the completed critical sections,
 * plus at most one per killed locker that was inside its critical section.
 * Every surviving worker must finish within a generous timeout once told
 * to stop, and /proc/ipcdev/stats must be back to its baseline.
 *
 * IPCKILL_SEED (default fixed), IPCKILL_MS (run length per test,
 * default 4000) and IPCKILL_HAND_ROUNDS (rounds of the hand-over tests,
 * default 300) tune it.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stddef.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <linux/ipcdev.h>

#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"
#include "ipcdev_test.h"

#define MAXPROD		256	/* producer slots (respawns take new ones) */
#define MAXCONS		256
#define MAXLOCK		256
#define MAXSEQ		(1 << 16)
#define CLOG		16384	/* ids a consumer slot can log */
#define MSGMAX		700
#define MAGIC		0x1b9c0ffeU

enum { R_PROD, R_CONS, R_LOCK };

struct msg {
	uint32_t magic;
	uint16_t prod;
	uint16_t len;		/* payload bytes */
	uint32_t seq;
	uint32_t csum;
	uint8_t payload[MSGMAX];
};

struct prod_log {
	volatile uint32_t inflight;
	volatile uint32_t done;
	volatile int killed;
	volatile int used;
};

struct cons_log {
	volatile uint32_t n;
	volatile int killed;
	volatile int used;
	uint32_t ids[CLOG];
	struct msg buf;
};

struct lock_log {
	volatile uint32_t done;		/* completed critical sections */
	volatile uint32_t in_cs;	/* inside one (maybe incremented) */
	volatile uint32_t ownerdead;	/* EOWNERDEAD results */
	volatile int killed;
	volatile int used;
};

struct shared {
	volatile int stop_prod;
	volatile int stop_cons;
	volatile int stop_lock;
	volatile int errors;
	char err[256];
	struct prod_log prod[MAXPROD];
	struct cons_log cons[MAXCONS];
	struct lock_log lock[MAXLOCK];
};

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t x = (rng_state += 0x9e3779b97f4a7c15ULL);

	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}



static uint32_t msg_csum(const struct msg *m)
{
	uint32_t h = 2166136261U;
	const uint8_t *p = (const uint8_t *)m + 4;	/* after magic */
	size_t n = offsetof(struct msg, csum) - 4;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619U;
	for (size_t i = 0; i < m->len; i++)
		h = (h ^ m->payload[i]) * 16777619U;
	return h;
}

static size_t msg_fill(struct msg *m, int prod, uint32_t seq)
{
	m->magic = MAGIC;
	m->prod = (uint16_t)prod;
	m->seq = seq;
	m->len = (uint16_t)((prod * 131 + seq * 37) % MSGMAX);
	for (size_t i = 0; i < m->len; i++)
		m->payload[i] = (uint8_t)(prod + seq * 7 + i);
	m->csum = msg_csum(m);
	return offsetof(struct msg, payload) + m->len;
}

/* Is @m (of @len bytes) a whole, valid message? */
static bool msg_ok(const struct msg *m, uint64_t len)
{
	if (len < offsetof(struct msg, payload) || m->magic != MAGIC ||
	    m->prod >= MAXPROD || m->seq >= MAXSEQ ||
	    len != offsetof(struct msg, payload) + m->len)
		return false;
	if (m->csum != msg_csum(m))
		return false;
	for (size_t i = 0; i < m->len; i++)
		if (m->payload[i] != (uint8_t)(m->prod + m->seq * 7 + i))
			return false;
	return true;
}

static void shared_err(struct shared *sh, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void shared_err(struct shared *sh, const char *fmt, ...)
{
	va_list ap;

	if (__atomic_fetch_add(&sh->errors, 1, __ATOMIC_SEQ_CST) == 0) {
		va_start(ap, fmt);
		vsnprintf(sh->err, sizeof(sh->err), fmt, ap);
		va_end(ap);
	}
}

/* ------------------------------------------------------------------ */
/* Workers                                                             */
/* ------------------------------------------------------------------ */

struct target {
	int put_fd;		/* queue fd, or pipe end 1 */
	int get_fd;		/* queue fd, or pipe end 0 */
	unsigned long put_cmd, get_cmd;
	int shm_fd;
	volatile uint64_t *counter;
	uint32_t *lock_word;	/* the mapped lock word */
};

/*
 * The lock word's protocol (struct ipcdev_shm_locker): swap 0 to @id, or
 * @id to 0, and make the ioctl when the swap fails or @id is 0.
 */
static int word_lock(struct target *t, uint32_t id, struct ipcdev_shm_lock *a)
{
	uint32_t free_word = 0;

	if (id && __atomic_compare_exchange_n(t->lock_word, &free_word, id, 0,
					      __ATOMIC_ACQUIRE,
					      __ATOMIC_RELAXED))
		return 0;
	return ioctl(t->shm_fd, IPCDEV_IOC_SHM_LOCK, a);
}

static int word_unlock(struct target *t, uint32_t id)
{
	uint32_t held = id;

	if (id && __atomic_compare_exchange_n(t->lock_word, &held, 0, 0,
					      __ATOMIC_RELEASE,
					      __ATOMIC_RELAXED))
		return 0;
	return ioctl(t->shm_fd, IPCDEV_IOC_SHM_UNLOCK, 0);
}

static void producer(struct shared *sh, struct target *t, int id)
{
	struct prod_log *l = &sh->prod[id];
	struct msg m;

	for (uint32_t seq = 0; seq < MAXSEQ && !sh->stop_prod; seq++) {
		size_t len = msg_fill(&m, id, seq);
		struct ipcdev_msg a = { .buf = (uintptr_t)&m, .len = len };

		l->inflight = seq;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		/* Untimed: consumers keep draining until producers are done. */
		while (ioctl(t->put_fd, t->put_cmd, &a)) {
			if (errno != EINTR) {
				shared_err(sh, "producer %d put seq %u: errno %d", id, seq, errno);
				_exit(1);
			}
		}
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		l->done = seq + 1;
		if (rnd() % 4 == 0)
			sched_yield();
	}
	_exit(0);
}

static void consumer(struct shared *sh, struct target *t, int id)
{
	struct cons_log *l = &sh->cons[id];

	for (;;) {
		struct ipcdev_msg a = {
			.buf = (uintptr_t)&l->buf, .len = sizeof(l->buf),
			.flags = IPCDEV_WAIT_DEADLINE,
			.deadline_ns = now_ns() + 100000000ULL,
		};

		l->buf.magic = 0;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (ioctl(t->get_fd, t->get_cmd, &a)) {
			if (errno == ETIMEDOUT || errno == EINTR) {
				if (sh->stop_cons)
					_exit(0);
				continue;
			}
			shared_err(sh, "consumer %d get: errno %d", id, errno);
			_exit(1);
		}
		if (!msg_ok(&l->buf, a.len)) {
			shared_err(sh, "consumer %d: torn or bad message (len %llu)", id,
				   (unsigned long long)a.len);
			_exit(1);
		}
		if (l->n >= CLOG) {
			shared_err(sh, "consumer %d: log full", id);
			_exit(1);
		}
		l->ids[l->n] = (uint32_t)l->buf.prod << 16 | l->buf.seq;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		l->n = l->n + 1;		/* the commit */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		l->buf.magic = 0;
	}
}

static void locker(struct shared *sh, struct target *t, int id)
{
	struct lock_log *l = &sh->lock[id];
	struct ipcdev_shm_lock a = { 0 };
	struct ipcdev_shm_locker me = { 0 };

	/* Odd slots take the fast path, with their own process's id. */
	if (id % 2 && ioctl(t->shm_fd, IPCDEV_IOC_SHM_LOCKER, &me)) {
		shared_err(sh, "locker %d: LOCKER errno %d", id, errno);
		_exit(1);
	}
	while (!sh->stop_lock) {
		uint64_t v;

		/* Untimed: a dead holder must not keep us waiting. */
		if (word_lock(t, me.id, &a)) {
			if (errno == EOWNERDEAD) {
				l->ownerdead++;
			} else if (errno == EINTR) {
				continue;
			} else {
				shared_err(sh, "locker %d: LOCK errno %d", id, errno);
				_exit(1);
			}
		}
		l->in_cs = 1;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		v = *t->counter;
		if (rnd() % 2)
			sched_yield();
		*t->counter = v + 1;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		l->done++;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		l->in_cs = 0;
		if (word_unlock(t, me.id)) {
			shared_err(sh, "locker %d: UNLOCK errno %d", id, errno);
			_exit(1);
		}
		if (rnd() % 3 == 0)
			sched_yield();
	}
	_exit(0);
}

/* ------------------------------------------------------------------ */
/* The driver                                                          */
/* ------------------------------------------------------------------ */

struct worker {
	pid_t pid;
	int role;
	int slot;
};

struct run {
	struct shared *sh;
	struct target t;
	struct worker w[32];
	int nw;
	int next[3];		/* next free slot per role */
	long kills;
	long kills_role[3];
};

static int spawn(struct run *r, int i, int role)
{
	int slot = r->next[role]++;
	pid_t pid;

	if (slot >= (role == R_PROD ? MAXPROD : role == R_CONS ? MAXCONS : MAXLOCK))
		return -1;
	if (role == R_PROD)
		r->sh->prod[slot].used = 1;
	else if (role == R_CONS)
		r->sh->cons[slot].used = 1;
	else
		r->sh->lock[slot].used = 1;
	rnd();
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		rng_state ^= (uint64_t)slot << 32 | (uint64_t)role << 48;
		if (role == R_PROD)
			producer(r->sh, &r->t, slot);
		else if (role == R_CONS)
			consumer(r->sh, &r->t, slot);
		else
			locker(r->sh, &r->t, slot);
		_exit(0);
	}
	r->w[i].pid = pid;
	r->w[i].role = role;
	r->w[i].slot = slot;
	return 0;
}

/* Reap within @ms: exit status, or -1 on a hang (then killed). */
static int reap(pid_t pid, unsigned int ms, int *status)
{
	uint64_t end = now_ns() + (uint64_t)ms * 1000000ULL;

	for (;;) {
		pid_t p = waitpid(pid, status, WNOHANG);

		if (p == pid)
			return 0;
		if (now_ns() > end) {
			char path[64], buf[2048];
			FILE *f;
			size_t n;

			snprintf(path, sizeof(path), "/proc/%d/stack", pid);
			f = fopen(path, "r");
			if (f) {
				n = fread(buf, 1, sizeof(buf) - 1, f);
				buf[n] = 0;
				printf("# hung process %d, kernel stack:\n%s", pid, buf);
				fclose(f);
			}
			kill(pid, SIGKILL);
			waitpid(pid, status, 0);
			return -1;
		}
		usleep(1000);
	}
}

static void mark_killed(struct run *r, struct worker *w)
{
	if (w->role == R_PROD)
		r->sh->prod[w->slot].killed = 1;
	else if (w->role == R_CONS)
		r->sh->cons[w->slot].killed = 1;
	else
		r->sh->lock[w->slot].killed = 1;
}

/*
 * Run @np producers, @nc consumers and @nl lockers for @ms milliseconds,
 * killing one at random every 2..40 ms and starting a new one in its place.
 * Returns the number of hangs (workers that did not stop when told to).
 */
static int run_load(struct run *r, int np, int nc, int nl, unsigned int ms)
{
	uint64_t end = now_ns() + (uint64_t)ms * 1000000ULL;
	int hangs = 0, st;

	r->nw = 0;
	for (int i = 0; i < np; i++)
		spawn(r, r->nw++, R_PROD);
	for (int i = 0; i < nc; i++)
		spawn(r, r->nw++, R_CONS);
	for (int i = 0; i < nl; i++)
		spawn(r, r->nw++, R_LOCK);
	while (now_ns() < end) {
		int i = (int)(rnd() % r->nw);

		usleep(2000 + rnd() % 38000);
		if (r->w[i].pid <= 0)
			continue;
		kill(r->w[i].pid, SIGKILL);
		waitpid(r->w[i].pid, &st, 0);
		mark_killed(r, &r->w[i]);
		r->kills++;
		r->kills_role[r->w[i].role]++;
		if (spawn(r, i, r->w[i].role))
			r->w[i].pid = 0;
	}
	/* Stop: producers first (consumers still drain), then the rest. */
	r->sh->stop_prod = 1;
	for (int i = 0; i < r->nw; i++)
		if (r->w[i].pid > 0 && r->w[i].role == R_PROD) {
			if (reap(r->w[i].pid, 30000, &st))
				hangs++;
			else if (!WIFEXITED(st) || WEXITSTATUS(st))
				r->sh->errors++;
			r->w[i].pid = 0;
		}
	r->sh->stop_cons = 1;
	r->sh->stop_lock = 1;
	for (int i = 0; i < r->nw; i++)
		if (r->w[i].pid > 0) {
			if (reap(r->w[i].pid, 30000, &st))
				hangs++;
			else if (!WIFEXITED(st) || WEXITSTATUS(st))
				r->sh->errors++;
			r->w[i].pid = 0;
		}
	return hangs;
}

/*
 * Drain what is left and reconcile.  Returns the number of violations,
 * printing the first few.
 */
static int reconcile(struct run *r, int get_fd, unsigned long get_cmd)
{
	struct shared *sh = r->sh;
	static uint8_t cnt[MAXPROD][MAXSEQ];
	struct msg m;
	int bad = 0;
	long received = 0, drained = 0, indoubt = 0;

	memset(cnt, 0, sizeof(cnt));
	for (int c = 0; c < MAXCONS; c++) {
		struct cons_log *l = &sh->cons[c];

		if (!l->used)
			continue;
		for (uint32_t i = 0; i < l->n; i++) {
			cnt[l->ids[i] >> 16][l->ids[i] & 0xffff]++;
			received++;
		}
		/* A killed consumer's received but uncommitted message. */
		if (l->killed && l->buf.magic == MAGIC &&
		    msg_ok(&l->buf, offsetof(struct msg, payload) + l->buf.len)) {
			uint32_t id = (uint32_t)l->buf.prod << 16 | l->buf.seq;

			if (!l->n || l->ids[l->n - 1] != id) {
				cnt[l->buf.prod][l->buf.seq]++;
				received++;
			}
		}
	}
	for (;;) {
		struct ipcdev_msg a = { .buf = (uintptr_t)&m, .len = sizeof(m),
					.flags = IPCDEV_WAIT_NONBLOCK };

		if (ioctl(get_fd, get_cmd, &a)) {
			if (errno != EAGAIN) {
				printf("# drain: errno %d\n", errno);
				bad++;
			}
			break;
		}
		if (!msg_ok(&m, a.len)) {
			printf("# drain: torn or bad message\n");
			bad++;
			continue;
		}
		cnt[m.prod][m.seq]++;
		drained++;
	}
	for (int p = 0; p < MAXPROD; p++) {
		struct prod_log *l = &sh->prod[p];
		uint32_t doubt;

		if (!l->used)
			continue;
		doubt = l->killed && l->inflight == l->done ? l->done : UINT32_MAX;
		if (doubt != UINT32_MAX)
			indoubt++;
		for (uint32_t s = 0; s < MAXSEQ; s++) {
			unsigned int want_lo = s < l->done ? 1 : 0;
			unsigned int want_hi = s < l->done || s == doubt ? 1 : 0;

			if (cnt[p][s] < want_lo || cnt[p][s] > want_hi) {
				if (bad++ < 8)
					printf("# producer %d seq %u: received %u times (done %u, inflight %u, killed %d)\n",
					       p, s, cnt[p][s], l->done, l->inflight, l->killed);
			}
		}
	}
	printf("# messages: %ld received by consumers, %ld drained, %ld in doubt\n",
	       received, drained, indoubt);
	return bad;
}

static int check_lock(struct run *r, int shm_fd, volatile uint64_t *counter)
{
	struct shared *sh = r->sh;
	struct ipcdev_shm_lock a = { .flags = IPCDEV_WAIT_DEADLINE,
				     .deadline_ns = now_ns() + 5000000000ULL };
	uint64_t done = 0, margin = 0, ownerdead = 0, killed = 0;
	int bad = 0, ret;

	for (int i = 0; i < MAXLOCK; i++) {
		struct lock_log *l = &sh->lock[i];

		if (!l->used)
			continue;
		done += l->done;
		ownerdead += l->ownerdead;
		if (l->killed) {
			killed++;
			if (l->in_cs)
				margin++;
		}
	}
	ret = ioctl(shm_fd, IPCDEV_IOC_SHM_LOCK, &a) ? errno : 0;
	if (ret && ret != EOWNERDEAD) {
		printf("# final LOCK: errno %d\n", ret);
		bad++;
	} else if (ioctl(shm_fd, IPCDEV_IOC_SHM_UNLOCK, 0)) {
		printf("# final UNLOCK: errno %d\n", errno);
		bad++;
	}
	if (ret == EOWNERDEAD)
		ownerdead++;
	printf("# lock: counter %llu, %llu critical sections completed, %llu in doubt, %llu EOWNERDEAD, %llu lockers killed\n",
	       (unsigned long long)*counter, (unsigned long long)done,
	       (unsigned long long)margin, (unsigned long long)ownerdead,
	       (unsigned long long)killed);
	if (*counter < done || *counter > done + margin) {
		printf("# lock: counter %llu outside [%llu, %llu]: mutual exclusion broken\n",
		       (unsigned long long)*counter, (unsigned long long)done,
		       (unsigned long long)(done + margin));
		bad++;
	}
	if (ownerdead > killed) {
		printf("# lock: more EOWNERDEAD (%llu) than killed lockers (%llu)\n",
		       (unsigned long long)ownerdead, (unsigned long long)killed);
		bad++;
	}
	return bad;
}

/* ------------------------------------------------------------------ */
/* Tests                                                               */
/* ------------------------------------------------------------------ */

FIXTURE(kl) {
	struct run r;
	long long base[4];
	int qfd, p0, p1, sfd;
	volatile uint64_t *counter;
	uint32_t *lock_word;
};

static const char *const keys[] = { "objects", "named", "bytes", "handles",
				     "spare" };

FIXTURE_SETUP(kl)
{
	const char *s = getenv("IPCKILL_SEED");

	if (access("/proc/ipcdev/stats", R_OK))
		SKIP(return, "ipcdev module not loaded");
	rng_state = s ? strtoull(s, NULL, 0) : 0x1b9c;
	printf("# seed %llu (IPCKILL_SEED)\n", (unsigned long long)rng_state);
	for (int i = 0; i < 4; i++)
		self->base[i] = read_proc_stat(keys[i]);
	memset(&self->r, 0, sizeof(self->r));
	self->r.sh = mmap(NULL, sizeof(struct shared), PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->r.sh);
	self->qfd = self->p0 = self->p1 = self->sfd = -1;
}

FIXTURE_TEARDOWN(kl)
{
	if (self->qfd >= 0)
		close(self->qfd);
	if (self->p0 >= 0)
		close(self->p0);
	if (self->p1 >= 0)
		close(self->p1);
	if (self->sfd >= 0)
		close(self->sfd);
	if (self->counter)
		munmap((void *)self->counter, 4096);
	if (self->lock_word)
		munmap(self->lock_word, 4096);
	munmap(self->r.sh, sizeof(struct shared));
}

static unsigned int run_ms(void)
{
	const char *s = getenv("IPCKILL_MS");

	return s ? (unsigned int)atoi(s) : 4000;
}

/* Open everything the workers use: a queue, a pipe and a segment. */
static int open_targets(struct _test_data_kl *self)
{
	struct ipcdev_queue_open qo = { .maxsize = 8, .bytes_max = 3000 };
	struct ipcdev_pipe_open po = { .capacity = 2000, .fd = -1 };
	struct ipcdev_shm_open so = { .size = 4096 };
	void *p;

	self->qfd = open("/dev/ipcqueue", O_RDWR);
	self->p0 = open("/dev/ipcpipe", O_RDWR);
	self->sfd = open("/dev/ipcshm", O_RDWR);
	if (self->qfd < 0 || self->p0 < 0 || self->sfd < 0)
		return -1;
	if (dev_open_in_place(self->qfd, IPCDEV_IOC_QUEUE_OPEN, &qo) ||
	    dev_open_in_place(self->p0, IPCDEV_IOC_PIPE_OPEN, &po) ||
	    dev_open_in_place(self->sfd, IPCDEV_IOC_SHM_OPEN, &so))
		return -1;
	self->p1 = po.fd;
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, self->sfd, 0);
	if (p == MAP_FAILED)
		return -1;
	self->counter = p;
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, self->sfd,
		 IPCDEV_SHM_LOCK_OFFSET);
	if (p == MAP_FAILED)
		return -1;
	self->lock_word = p;
	return 0;
}

static int check_baseline(struct _test_data_kl *self)
{
	int bad = 0;

	for (int i = 0; i < 4; i++) {
		long long v = read_proc_stat(keys[i]);

		for (int t = 0; t < 200 && v != self->base[i]; t++) {
			usleep(10000);
			v = read_proc_stat(keys[i]);
		}
		if (v != self->base[i]) {
			printf("# /proc/ipcdev/stats %s %lld, baseline %lld\n", keys[i], v,
			       self->base[i]);
			bad++;
		}
	}
	return bad;
}

static void close_targets(struct _test_data_kl *self)
{
	munmap((void *)self->counter, 4096);
	self->counter = NULL;
	munmap(self->lock_word, 4096);
	self->lock_word = NULL;
	close(self->qfd);
	close(self->p0);
	close(self->p1);
	close(self->sfd);
	self->qfd = self->p0 = self->p1 = self->sfd = -1;
}

static void report(struct run *r)
{
	printf("# kills survived: %ld (producers %ld, consumers %ld, lockers %ld)\n",
	       r->kills, r->kills_role[R_PROD], r->kills_role[R_CONS],
	       r->kills_role[R_LOCK]);
	fflush(stdout);	/* the harness ends each test with _exit() */
}

TEST_F_TIMEOUT(kl, queue_producers_consumers, 180)
{
	struct run *r = &self->r;

	ASSERT_EQ(0, open_targets(self));
	r->t = (struct target){ .put_fd = self->qfd, .get_fd = self->qfd,
				.put_cmd = IPCDEV_IOC_QUEUE_PUT,
				.get_cmd = IPCDEV_IOC_QUEUE_GET, .shm_fd = self->sfd,
				.counter = self->counter,
				.lock_word = self->lock_word };
	EXPECT_EQ(0, run_load(r, 4, 3, 0, run_ms()));
	if (r->sh->errors)
		TH_LOG("%s", r->sh->err);
	EXPECT_EQ(0, r->sh->errors);
	EXPECT_EQ(0, reconcile(r, self->qfd, IPCDEV_IOC_QUEUE_GET));
	report(r);
	EXPECT_GT(r->kills, 0);
	close_targets(self);
	EXPECT_EQ(0, check_baseline(self));
}

TEST_F_TIMEOUT(kl, pipe_senders_receivers, 180)
{
	struct run *r = &self->r;

	ASSERT_EQ(0, open_targets(self));
	/* Anonymous one-way pipe: end 0 (p0) receives, end 1 (p1) sends. */
	r->t = (struct target){ .put_fd = self->p1, .get_fd = self->p0,
				.put_cmd = IPCDEV_IOC_PIPE_SEND,
				.get_cmd = IPCDEV_IOC_PIPE_RECV, .shm_fd = self->sfd,
				.counter = self->counter,
				.lock_word = self->lock_word };
	EXPECT_EQ(0, run_load(r, 4, 3, 0, run_ms()));
	if (r->sh->errors)
		TH_LOG("%s", r->sh->err);
	EXPECT_EQ(0, r->sh->errors);
	EXPECT_EQ(0, reconcile(r, self->p0, IPCDEV_IOC_PIPE_RECV));
	report(r);
	EXPECT_GT(r->kills, 0);
	close_targets(self);
	EXPECT_EQ(0, check_baseline(self));
}

TEST_F_TIMEOUT(kl, shm_lockers, 180)
{
	struct run *r = &self->r;

	ASSERT_EQ(0, open_targets(self));
	r->t = (struct target){ .put_fd = self->qfd, .get_fd = self->qfd,
				.shm_fd = self->sfd, .counter = self->counter,
				.lock_word = self->lock_word };
	EXPECT_EQ(0, run_load(r, 0, 0, 4, run_ms()));
	if (r->sh->errors)
		TH_LOG("%s", r->sh->err);
	EXPECT_EQ(0, r->sh->errors);
	EXPECT_EQ(0, check_lock(r, self->sfd, self->counter));
	report(r);
	EXPECT_GT(r->kills, 0);
	close_targets(self);
	EXPECT_EQ(0, check_baseline(self));
}

/* Everything at once, on the same queue, pipe and segment. */
TEST_F_TIMEOUT(kl, all_at_once, 180)
{
	struct run *r = &self->r;
	struct run r2;
	int hangs;

	ASSERT_EQ(0, open_targets(self));
	r->t = (struct target){ .put_fd = self->qfd, .get_fd = self->qfd,
				.put_cmd = IPCDEV_IOC_QUEUE_PUT,
				.get_cmd = IPCDEV_IOC_QUEUE_GET, .shm_fd = self->sfd,
				.counter = self->counter,
				.lock_word = self->lock_word };
	/* The pipe load runs in a second driver process with its own books. */
	memset(&r2, 0, sizeof(r2));
	r2.sh = mmap(NULL, sizeof(struct shared), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, r2.sh);
	r2.t = (struct target){ .put_fd = self->p1, .get_fd = self->p0,
				.put_cmd = IPCDEV_IOC_PIPE_SEND,
				.get_cmd = IPCDEV_IOC_PIPE_RECV };
	pid_t drv = fork();

	ASSERT_GE(drv, 0);
	if (drv == 0) {
		rng_state ^= 0x5555;
		hangs = run_load(&r2, 3, 2, 0, run_ms());
		r2.sh->errors += hangs;
		r2.sh->stop_lock = (int)r2.kills;	/* report kills back */
		_exit(0);
	}
	hangs = run_load(r, 3, 2, 3, run_ms());
	EXPECT_EQ(0, hangs);
	ASSERT_EQ(0, reap(drv, 60000, &hangs));
	if (r->sh->errors)
		TH_LOG("%s", r->sh->err);
	EXPECT_EQ(0, r->sh->errors);
	if (r2.sh->errors)
		TH_LOG("%s", r2.sh->err);
	EXPECT_EQ(0, r2.sh->errors);
	EXPECT_EQ(0, reconcile(r, self->qfd, IPCDEV_IOC_QUEUE_GET));
	EXPECT_EQ(0, reconcile(&r2, self->p0, IPCDEV_IOC_PIPE_RECV));
	EXPECT_EQ(0, check_lock(r, self->sfd, self->counter));
	r->kills += r2.sh->stop_lock;
	report(r);
	munmap(r2.sh, sizeof(struct shared));
	close_targets(self);
	EXPECT_EQ(0, check_baseline(self));
}

/*
 * A getter asleep on an empty channel is SIGKILLed at the moment a put
 * hands it a message (ipc_chan_hand_over()).  The message must end in the
 * getter's buffer (delivered before it died) or still be queued: exactly
 * once, never lost.  Regression test: a killed getter that failed to
 * re-take the channel lock read its "handed" mark without the wait-queue
 * lock, after the waker had taken it off the queue but before it set the
 * mark, and returned -EINTR: the message handed to it was lost (seen on
 * 6.12-rt, IPCKILL_SEED=7068, where the waker can be preempted there).
 */
struct hand_slot {
	volatile int go;
	volatile uint32_t delay_kill, delay_put;
	uint8_t buf[64];
};

static void spin(uint32_t n)
{
	for (volatile uint32_t i = 0; i < n; i++)
		;
}

/* Wait until @pid sleeps ('S' in /proc/PID/stat); 0, or -1 if it died. */
static int wait_sleeping(pid_t pid)
{
	char path[64], buf[256], *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	for (int t = 0; t < 20000; t++) {
		FILE *f = fopen(path, "r");

		if (!f)
			return -1;
		p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
		fclose(f);
		if (p && p[1] == ' ' && p[2] == 'S')
			return 0;
		if (p && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X'))
			return -1;
		usleep(100);
	}
	return -1;
}

static void kill_at_hand_over(struct __test_metadata *_metadata, int put_fd,
			      unsigned long put_cmd, int get_fd,
			      unsigned long get_cmd, unsigned int rounds)
{
	struct hand_slot *sl = mmap(NULL, sizeof(*sl), PROT_READ | PROT_WRITE,
				    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	unsigned int delivered = 0, queued = 0, early = 0;
	uint8_t msg[64], back[64];

	ASSERT_NE(MAP_FAILED, sl);
	for (unsigned int i = 0; i < rounds; i++) {
		struct ipcdev_msg pm = { .buf = ptr(msg), .len = sizeof(msg) };
		struct ipcdev_msg bm = { .buf = ptr(back), .len = sizeof(back),
					 .flags = IPCDEV_WAIT_NONBLOCK };
		pid_t getter, killer;
		bool in_buf, in_queue;
		int st;

		memset(msg, 0, sizeof(msg));
		memcpy(msg, &i, sizeof(i));
		msg[63] = 0xa5;
		memset(sl->buf, 0, sizeof(sl->buf));
		sl->go = 0;
		sl->delay_kill = rnd() % 4000;
		sl->delay_put = rnd() % 4000;
		getter = fork();
		ASSERT_GE(getter, 0);
		if (!getter) {
			struct ipcdev_msg gm = { .buf = ptr(sl->buf),
						 .len = sizeof(sl->buf) };

			ioctl(get_fd, get_cmd, &gm);
			_exit(0);
		}
		if (wait_sleeping(getter))
			early++;	/* not seen asleep: maybe nothing handed */
		killer = fork();
		ASSERT_GE(killer, 0);
		if (!killer) {
			while (!sl->go)
				;
			spin(sl->delay_kill);
			kill(getter, SIGKILL);
			_exit(0);
		}
		sl->go = 1;
		spin(sl->delay_put);
		ASSERT_EQ(0, ioctl(put_fd, put_cmd, &pm)) TH_LOG("round %u: put: %s", i,
								 strerror(errno));
		ASSERT_EQ(killer, waitpid(killer, &st, 0));
		ASSERT_EQ(getter, waitpid(getter, &st, 0));
		in_buf = !memcmp(sl->buf, msg, sizeof(msg));
		in_queue = !ioctl(get_fd, get_cmd, &bm);
		if (in_queue)
			in_queue = bm.len == sizeof(msg) && !memcmp(back, msg, sizeof(msg));
		ASSERT_TRUE(in_buf || in_queue)
			TH_LOG("round %u (kill after %u, put after %u spins): the message is lost",
			       i, sl->delay_kill, sl->delay_put);
		ASSERT_FALSE(in_buf && in_queue)
			TH_LOG("round %u: the message was delivered and is still queued", i);
		delivered += in_buf;
		queued += in_queue;
	}
	printf("# %u rounds: delivered to the killed getter %u, still queued %u (getter not asleep first: %u)\n",
	       rounds, delivered, queued, early);
	fflush(stdout);	/* the harness ends each test with _exit() */
	munmap(sl, sizeof(*sl));
}

static unsigned int hand_rounds(void)
{
	const char *s = getenv("IPCKILL_HAND_ROUNDS");

	return s ? (unsigned int)atoi(s) : 300;
}

TEST_F_TIMEOUT(kl, queue_getter_killed_at_hand_over, 300)
{
	ASSERT_EQ(0, open_targets(self));
	kill_at_hand_over(_metadata, self->qfd, IPCDEV_IOC_QUEUE_PUT, self->qfd,
			  IPCDEV_IOC_QUEUE_GET, hand_rounds());
	close_targets(self);
	EXPECT_EQ(0, check_baseline(self));
}

TEST_F_TIMEOUT(kl, pipe_receiver_killed_at_hand_over, 300)
{
	ASSERT_EQ(0, open_targets(self));
	kill_at_hand_over(_metadata, self->p1, IPCDEV_IOC_PIPE_SEND, self->p0,
			  IPCDEV_IOC_PIPE_RECV, hand_rounds());
	close_targets(self);
	EXPECT_EQ(0, check_baseline(self));
}

TEST_HARNESS_MAIN
