// SPDX-License-Identifier: GPL-2.0
/*
 * A signal in the middle of a timed wait, on every blocking call: queue
 * get and put, pipe recv and send, event wait, shm lock and shm
 * wait-for-change.  The wait is made to block (empty, full, held,
 * unchanged), its deadline is SIG_DEADLINE_MS away, and a thread sends
 * SIGALRM SIG_AT_MS into it (or later, if the call is not asleep yet),
 * after checking with a STAT that the call is asleep (a waiter counted).
 *
 *  - restart: with SA_RESTART the call is restarted and times out at the
 *    original deadline: not cut short at the signal, not waiting a whole
 *    timeout again from the restart.
 *  - eintr: without SA_RESTART it fails with EINTR at the signal.
 *  - sigkill: SIGKILL ends an untimed wait at once, and the object is left
 *    usable (no waiter counted any more).
 *
 * Each runs through the raw ioctl, where the kernel's restart of the call
 * with its absolute deadline is what is tested, and through libipcdev,
 * whose relative timeouts become one absolute deadline (the user's path).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <pthread.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <linux/ipcdev.h>
#include "ipcdev_lib_test.h"

#define SIG_AT_MS	500	/* the signal, after the call began */
#define SIG_DEADLINE_MS	1500	/* the call's timeout */
#define SIG_SLACK_MS	400	/* late wake-ups allowed (TCG, KASAN) */
#define SIG_KILL_MS	2000	/* a killed wait ends within (untimed: never, if not) */

enum { C_QGET, C_QPUT, C_PRECV, C_PSEND, C_EWAIT, C_SLOCK, C_SCHANGE };

/* A blocking call, made to block. */
struct blk {
	int call;
	int fd;			/* the handle the call uses */
	int other;		/* queue/pipe/event: a second handle or end */
	struct ipc_array arr;	/* shm */
	pid_t holder;		/* shm lock: the process holding it */
	uint64_t seen;		/* shm: the counter now */
};

static int blk_setup(struct blk *b, int call)
{
	static char big[4096];
	int ends[2], r;

	memset(b, 0, sizeof(*b));
	b->call = call;
	b->fd = b->other = -1;
	b->arr.fd = -1;
	switch (call) {
	case C_QGET:
	case C_QPUT: {
		struct ipc_queue_attr qa = { .maxsize = 1 };

		b->fd = ipc_queue_create(&qa);
		if (b->fd < 0)
			return b->fd;
		return call == C_QPUT ? ipc_queue_put(b->fd, "x", 1, 0, 0) : 0;
	}
	case C_PRECV:
	case C_PSEND: {
		struct ipc_pipe_attr pa = { .capacity = sizeof(big) };

		r = ipc_pipe2(0, &pa, ends);
		if (r)
			return r;
		b->fd = call == C_PRECV ? ends[0] : ends[1];
		b->other = call == C_PRECV ? ends[1] : ends[0];
		if (call == C_PRECV)
			return 0;
		/* Fill the direction: the next send must wait. */
		for (int i = 0; i < 1000; i++) {
			r = ipc_pipe_send(b->fd, big, sizeof(big), 0, 0);
			if (r == -EAGAIN)
				return 0;
			if (r)
				return r;
		}
		return -ENOSPC;
	}
	case C_EWAIT:
		b->fd = ipc_event_create(0);
		return b->fd < 0 ? b->fd : 0;
	default: {
		struct ipcdev_shm_stat st;
		int p[2];
		char c;

		r = ipc_raw_create(&b->arr, 64);
		if (r)
			return r;
		b->fd = b->arr.fd;
		if (ipc_array_stat(&b->arr, &st))
			return -EIO;
		b->seen = st.seq;
		if (call == C_SCHANGE)
			return 0;
		/* Another process holds the lock. */
		if (pipe(p))
			return -errno;
		b->holder = fork();
		if (b->holder < 0)
			return -errno;
		if (b->holder == 0) {
			c = (char)(ipc_array_lock(&b->arr, 1, IPC_FOREVER) ? 'e' : 'L');
			if (write(p[1], &c, 1) != 1)
				_exit(1);
			for (;;)
				pause();
		}
		close(p[1]);
		r = read(p[0], &c, 1) == 1 && c == 'L' ? 0 : -EIO;
		close(p[0]);
		/* libipcdev's first lock sets up its lock word: not in the measured call. */
		if (!r && ipc_array_lock(&b->arr, 0, 0) != -EAGAIN)
			r = -EIO;
		return r;
	}
	}
}

static void blk_teardown(struct blk *b)
{
	if (b->holder > 0) {
		kill(b->holder, SIGKILL);
		waitpid(b->holder, NULL, 0);
	}
	if (b->arr.fd >= 0)
		ipc_array_close(&b->arr);
	else if (b->fd >= 0)
		close(b->fd);
	if (b->other >= 0)
		close(b->other);
}

/* Tasks asleep in the call (from its object's STAT), or -1. */
static int blk_waiters(const struct blk *b)
{
	union {
		struct ipcdev_queue_stat q;
		struct ipcdev_pipe_stat p;
		struct ipcdev_event_stat e;
		struct ipcdev_shm_stat s;
	} st;

	switch (b->call) {
	case C_QGET:
	case C_QPUT:
		if (ioctl(b->fd, IPCDEV_IOC_QUEUE_STAT, &st.q))
			return -1;
		return (int)(b->call == C_QGET ? st.q.getters : st.q.putters);
	case C_PRECV:
	case C_PSEND:
		if (ioctl(b->fd, IPCDEV_IOC_PIPE_STAT, &st.p))
			return -1;
		return (int)(b->call == C_PRECV ? st.p.receivers : st.p.senders);
	case C_EWAIT:
		if (ioctl(b->fd, IPCDEV_IOC_EVENT_STAT, &st.e))
			return -1;
		return (int)st.e.waiters;
	default:
		if (ioctl(b->fd, IPCDEV_IOC_SHM_STAT, &st.s))
			return -1;
		return (int)(b->call == C_SLOCK ? st.s.lock_waiters : st.s.change_waiters);
	}
}

/*
 * Make the call, waiting up to @timeout_ns (IPC_FOREVER: untimed).  Returns
 * 0 if it succeeded, else the errno; a timeout is ETIMEDOUT on every path
 * (libipcdev's event and change waits report it as "not set", 0).
 */
static int blk_call(struct blk *b, bool lib, int64_t timeout_ns)
{
	char buf[64];
	int r;

	if (lib) {
		switch (b->call) {
		case C_QGET:
			r = (int)ipc_queue_get(b->fd, buf, sizeof(buf), NULL, 1, timeout_ns);
			return r >= 0 ? 0 : -r;
		case C_QPUT:
			return -ipc_queue_put(b->fd, "y", 1, 1, timeout_ns);
		case C_PRECV:
			r = (int)ipc_pipe_recv(b->fd, buf, sizeof(buf), NULL, 1, timeout_ns);
			return r >= 0 ? 0 : -r;
		case C_PSEND:
			return -ipc_pipe_send(b->fd, "y", 1, 1, timeout_ns);
		case C_EWAIT:
			r = ipc_event_wait(b->fd, 1, timeout_ns);
			return r == 1 ? 0 : r == 0 ? ETIMEDOUT : -r;
		case C_SLOCK:
			return -ipc_array_lock(&b->arr, 1, timeout_ns);
		default:
			r = ipc_array_wait_change(&b->arr, b->seen, NULL, 1, timeout_ns);
			return r == 1 ? 0 : r == 0 ? ETIMEDOUT : -r;
		}
	} else {
		uint32_t flags = timeout_ns < 0 ? 0 : IPCDEV_WAIT_DEADLINE;
		uint64_t dl = timeout_ns < 0 ? 0 : (uint64_t)now_ns() + (uint64_t)timeout_ns;
		struct ipcdev_msg m = {
			.buf = (uintptr_t)buf, .len = b->call == C_QPUT || b->call == C_PSEND ?
			1 : sizeof(buf), .deadline_ns = dl, .flags = flags,
		};
		struct ipcdev_event_wait ew = { .deadline_ns = dl, .flags = flags };
		struct ipcdev_shm_lock sl = { .deadline_ns = dl, .flags = flags };
		struct ipcdev_shm_change sc = { .seen = b->seen, .deadline_ns = dl,
						.flags = flags };
		static const unsigned long cmd[] = {
			IPCDEV_IOC_QUEUE_GET, IPCDEV_IOC_QUEUE_PUT, IPCDEV_IOC_PIPE_RECV,
			IPCDEV_IOC_PIPE_SEND, IPCDEV_IOC_EVENT_WAIT, IPCDEV_IOC_SHM_LOCK,
			IPCDEV_IOC_SHM_WAIT_CHANGE,
		};
		void *arg = b->call == C_EWAIT ? (void *)&ew : b->call == C_SLOCK ? (void *)&sl :
			    b->call == C_SCHANGE ? (void *)&sc : (void *)&m;

		return ioctl(b->fd, cmd[b->call], arg) ? errno : 0;
	}
}

/*
 * The signal comes from a thread, at t0 + SIG_AT_MS: it first reads the
 * object's waiter count, so that a signal sent while the call slept is
 * known to be one (a handler would run only after the call left its wait).
 */
static volatile sig_atomic_t sig_runs;
static volatile int64_t sig_when;

static void on_alarm(int sig)
{
	(void)sig;
	sig_when = now_ns();
	sig_runs++;
}

struct sender {
	pthread_t th, target;
	int64_t at;		/* absolute CLOCK_MONOTONIC ns */
	const struct blk *b;
	int waiters;		/* asleep in the call just before the signal */
};

static void *sender_run(void *arg)
{
	struct sender *s = arg;
	struct timespec ts;
	int64_t at = s->at;

	/* Not before the call sleeps (a slow kernel may take a while to get there). */
	while (blk_waiters(s->b) != 1 && now_ns() < s->at + 10 * SEC)
		usleep(1000);
	if (now_ns() + 50 * MS > at)
		at = now_ns() + 50 * MS;
	ts.tv_sec = at / SEC;
	ts.tv_nsec = at % SEC;
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
	s->waiters = blk_waiters(s->b);
	pthread_kill(s->target, SIGALRM);
	return NULL;
}

/* A SIGALRM handler, with or without SA_RESTART, and its sender. */
static int arm(struct sender *s, const struct blk *b, bool restart, int64_t t0)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sa.sa_flags = restart ? SA_RESTART : 0;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	sig_runs = 0;
	sig_when = 0;
	s->target = pthread_self();
	s->at = t0 + SIG_AT_MS * MS;
	s->b = b;
	s->waiters = -1;
	return pthread_create(&s->th, NULL, sender_run, s);
}

static void disarm(void)
{
	signal(SIGALRM, SIG_DFL);
}

static const char *const call_name[] = {
	"queue get", "queue put", "pipe recv", "pipe send", "event wait", "shm lock",
	"shm wait-for-change",
};

FIXTURE(sig) {
	struct blk b;
};

FIXTURE_VARIANT(sig) {
	int call;
	bool lib;
};

#define SIG_VARIANT(name, c, l) \
	FIXTURE_VARIANT_ADD(sig, name) { .call = c, .lib = l }

SIG_VARIANT(queue_get_ioctl, C_QGET, false);
SIG_VARIANT(queue_get_lib, C_QGET, true);
SIG_VARIANT(queue_put_ioctl, C_QPUT, false);
SIG_VARIANT(queue_put_lib, C_QPUT, true);
SIG_VARIANT(pipe_recv_ioctl, C_PRECV, false);
SIG_VARIANT(pipe_recv_lib, C_PRECV, true);
SIG_VARIANT(pipe_send_ioctl, C_PSEND, false);
SIG_VARIANT(pipe_send_lib, C_PSEND, true);
SIG_VARIANT(event_wait_ioctl, C_EWAIT, false);
SIG_VARIANT(event_wait_lib, C_EWAIT, true);
SIG_VARIANT(shm_lock_ioctl, C_SLOCK, false);
SIG_VARIANT(shm_lock_lib, C_SLOCK, true);
SIG_VARIANT(shm_change_ioctl, C_SCHANGE, false);
SIG_VARIANT(shm_change_lib, C_SCHANGE, true);

FIXTURE_SETUP(sig)
{
	int r;

	if (access("/dev/ipcqueue", F_OK))
		SKIP(return, "ipcdev module not loaded");
	r = blk_setup(&self->b, variant->call);
	ASSERT_EQ(0, r) TH_LOG("setting up a blocking %s: %s", call_name[variant->call],
			       strerror(-r));
	ASSERT_EQ(0, blk_waiters(&self->b));
}

FIXTURE_TEARDOWN(sig)
{
	disarm();
	blk_teardown(&self->b);
}

/* SA_RESTART: restarted, and still ends at the first deadline. */
TEST_F_TIMEOUT(sig, restart_keeps_deadline, 30)
{
	int64_t t0, el, at;
	int r;

	struct sender snd;

	/*
	 * A starved VM may deliver the signal only after the deadline: then
	 * the run shows nothing; the object is as it was, try again.
	 */
	for (int tries = 0; tries < 3; tries++) {
		t0 = now_ns();
		ASSERT_EQ(0, arm(&snd, &self->b, true, t0));
		r = blk_call(&self->b, variant->lib, SIG_DEADLINE_MS * MS);
		el = (now_ns() - t0) / MS;
		at = (sig_when - t0) / MS;
		pthread_join(snd.th, NULL);
		disarm();
		if (sig_runs == 1 && at < SIG_DEADLINE_MS - 100)
			break;
		TH_LOG("signal at %lld ms: too late to tell, again", (long long)at);
	}
	TH_LOG("%s: %s after %lld ms, signal at %lld ms", call_name[variant->call],
	       r ? strerror(r) : "success", (long long)el, (long long)at);
	ASSERT_EQ(1, sig_runs);
	/* The signal came in the middle of the wait, while it slept. */
	EXPECT_EQ(1, snd.waiters);
	EXPECT_GE(at, SIG_AT_MS);
	EXPECT_LT(at, SIG_DEADLINE_MS);
	EXPECT_EQ(ETIMEDOUT, r);
	/* Not cut short: the wait went on after the handler. */
	EXPECT_GE(el, SIG_DEADLINE_MS);
	/* Not restarted from zero, which would end at at + SIG_DEADLINE_MS. */
	EXPECT_LT(el, at + SIG_DEADLINE_MS);
	EXPECT_EQ(0, blk_waiters(&self->b));
}

/* No SA_RESTART: EINTR, at the signal. */
TEST_F_TIMEOUT(sig, eintr_without_restart, 30)
{
	int64_t t0, el, at;
	int r;

	struct sender snd;

	/*
	 * A starved VM may deliver the signal only after the deadline: then
	 * the run shows nothing; the object is as it was, try again.
	 */
	for (int tries = 0; tries < 3; tries++) {
		t0 = now_ns();
		ASSERT_EQ(0, arm(&snd, &self->b, false, t0));
		r = blk_call(&self->b, variant->lib, SIG_DEADLINE_MS * MS);
		el = (now_ns() - t0) / MS;
		at = (sig_when - t0) / MS;
		pthread_join(snd.th, NULL);
		disarm();
		if (sig_runs == 1 && at < SIG_DEADLINE_MS - 100)
			break;
		TH_LOG("signal at %lld ms: too late to tell, again", (long long)at);
	}
	TH_LOG("%s: %s after %lld ms, signal at %lld ms", call_name[variant->call],
	       r ? strerror(r) : "success", (long long)el, (long long)at);
	ASSERT_EQ(1, sig_runs);
	EXPECT_EQ(1, snd.waiters);
	EXPECT_EQ(EINTR, r);
	EXPECT_GE(el, SIG_AT_MS);
	EXPECT_LT(el, at + SIG_SLACK_MS);
	EXPECT_LT(el, SIG_DEADLINE_MS);
	EXPECT_EQ(0, blk_waiters(&self->b));
}

/* SIGKILL ends an untimed wait at once; the object stays usable. */
TEST_F_TIMEOUT(sig, sigkill_ends_wait, 30)
{
	int64_t t0, el;
	int st, n;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(blk_call(&self->b, variant->lib, IPC_FOREVER) == 0 ? 0 : 2);
	/* Wait until it sleeps in the call. */
	for (n = 0; n < 2000 && blk_waiters(&self->b) != 1; n++)
		usleep(5000);
	ASSERT_EQ(1, blk_waiters(&self->b)) TH_LOG("the child never blocked");
	usleep(SIG_AT_MS * 1000);
	ASSERT_EQ(1, blk_waiters(&self->b));
	t0 = now_ns();
	kill(pid, SIGKILL);
	/* The wait ends (the waiter goes) before the process is torn down. */
	for (n = 0; blk_waiters(&self->b) != 0 && now_ns() - t0 < SIG_KILL_MS * MS; n++)
		usleep(1000);
	el = (now_ns() - t0) / MS;
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	TH_LOG("%s: the wait ended %lld ms after SIGKILL, the process after %lld ms",
	       call_name[variant->call], (long long)el, (long long)((now_ns() - t0) / MS));
	ASSERT_TRUE(WIFSIGNALED(st));
	EXPECT_EQ(SIGKILL, WTERMSIG(st));
	EXPECT_LT(el, SIG_KILL_MS);
	EXPECT_EQ(0, blk_waiters(&self->b));
	/* As it was: nothing taken or added, the call still times out. */
	EXPECT_EQ(ETIMEDOUT, blk_call(&self->b, false, 0));
}

TEST_HARNESS_MAIN
