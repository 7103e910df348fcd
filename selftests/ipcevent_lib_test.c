// SPDX-License-Identifier: GPL-2.0
/*
 * Selftests of libipcdev's event API (multiprocessing.Event) on top of
 * /dev/ipcevent: set/clear/is_set, wait returning 1 or 0 (never -EAGAIN or
 * -ETIMEDOUT), timeouts, signals, several waiters released by one set,
 * named events, and ipc_notify() delivering the chosen signal at each set
 * (userspace/lib/ipcdev.h).  Run as root with the ipcdev module loaded.
 * Helper processes report through their exit code (0 = success).
 */
#include <poll.h>
#include <stdio.h>

#include "ipcdev_lib_test.h"

/* Wait until @n tasks sleep in ipc_event_wait() on @ev; 0 or -1. */
static int wait_waiters(int ev, unsigned int n)
{
	struct ipcdev_event_stat st;
	int64_t stop = now_ns() + 10 * SEC;

	do {
		if (ipc_event_stat(ev, &st))
			return -1;
		if (st.waiters == n)
			return 0;
		sleep_ms(1);
	} while (now_ns() < stop);
	return -1;
}

FIXTURE(le) {
	int ev;
};

FIXTURE_SETUP(le)
{
	self->ev = ipc_event_create(0);
	ASSERT_LE(0, self->ev) TH_LOG("ipc_event_create: %s",
				      ipc_strerror(self->ev));
}

FIXTURE_TEARDOWN(le)
{
	if (self->ev >= 0)
		ipc_event_close(self->ev);
}

TEST_F(le, set_clear_is_set_wait)
{
	struct ipcdev_event_stat st;
	struct pollfd p = { .fd = self->ev, .events = POLLIN };

	EXPECT_EQ(FD_CLOEXEC, fcntl(self->ev, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(0, ipc_event_is_set(self->ev));
	EXPECT_EQ(0, ipc_event_wait(self->ev, 0, 0));
	EXPECT_EQ(0, ipc_event_wait(self->ev, 0, IPC_FOREVER));
	EXPECT_EQ(0, ipc_event_wait(self->ev, 1, 0));
	EXPECT_EQ(0, poll(&p, 1, 0));
	EXPECT_EQ(0, ipc_event_set(self->ev));
	EXPECT_EQ(1, ipc_event_is_set(self->ev));
	EXPECT_EQ(1, ipc_event_wait(self->ev, 0, 0));
	EXPECT_EQ(1, ipc_event_wait(self->ev, 1, 0));
	EXPECT_EQ(1, ipc_event_wait(self->ev, 1, IPC_FOREVER));
	EXPECT_EQ(1, poll(&p, 1, 0));
	EXPECT_EQ(POLLIN, p.revents & POLLIN);
	/* Setting a set event changes nothing; waiting consumes nothing. */
	EXPECT_EQ(0, ipc_event_set(self->ev));
	ASSERT_EQ(0, ipc_event_stat(self->ev, &st));
	EXPECT_EQ(1, st.set);
	EXPECT_EQ(1, st.sets);
	EXPECT_EQ(0, st.waiters);
	EXPECT_EQ(0, st.flags);
	EXPECT_EQ(0, ipc_event_clear(self->ev));
	EXPECT_EQ(0, ipc_event_clear(self->ev));
	EXPECT_EQ(0, ipc_event_is_set(self->ev));
	EXPECT_EQ(0, ipc_event_wait(self->ev, 0, 0));

	/* Created set. */
	int ev2 = ipc_event_create(1);

	ASSERT_LE(0, ev2);
	EXPECT_EQ(1, ipc_event_is_set(ev2));
	EXPECT_EQ(1, ipc_event_wait(ev2, 1, IPC_FOREVER));
	ASSERT_EQ(0, ipc_event_stat(ev2, &st));
	EXPECT_EQ(0, st.sets);
	EXPECT_EQ(0, ipc_event_close(ev2));
	EXPECT_EQ(-EBADF, ipc_event_close(ev2));
	EXPECT_EQ(-EBADF, ipc_event_set(ev2));

	/* Event calls on something else. */
	int q = ipc_queue_create(NULL);

	ASSERT_LE(0, q);
	EXPECT_EQ(-ENOTTY, ipc_event_set(q));
	EXPECT_EQ(-ENOTTY, ipc_event_wait(q, 0, 0));
	EXPECT_EQ(-ENOTTY, ipc_event_is_set(q));
	ipc_queue_close(q);
}

TEST_F(le, timeouts)
{
	int64_t t0, t1;

	t0 = now_ns();
	EXPECT_EQ(0, ipc_event_wait(self->ev, 1, 100 * MS));
	t1 = now_ns();
	EXPECT_LE(t0 + 100 * MS, t1);
	EXPECT_GT(t0 + 2 * SEC, t1);
	/* O_NONBLOCK: never waits. */
	ASSERT_EQ(0, fcntl(self->ev, F_SETFL, O_NONBLOCK));
	t0 = now_ns();
	EXPECT_EQ(0, ipc_event_wait(self->ev, 1, IPC_FOREVER));
	EXPECT_GT(t0 + SEC, now_ns());
	ASSERT_EQ(0, fcntl(self->ev, F_SETFL, 0));
	/* Set by another process during the wait. */
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		sleep_ms(200);
		_exit(-ipc_event_set(self->ev));
	}
	t0 = now_ns();
	EXPECT_EQ(1, ipc_event_wait(self->ev, 1, 20 * SEC));
	t1 = now_ns();
	EXPECT_LE(t0 + 100 * MS, t1);
	EXPECT_GT(t0 + 10 * SEC, t1);
	EXPECT_EQ(0, reap(pid));
}

TEST_F(le, eintr_and_sa_restart)
{
	pid_t parent = getpid(), pid;
	int64_t t0, t1;

	install_usr1(0);
	got_usr1 = 0;
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(wait_waiters(self->ev, 1) || kill(parent, SIGUSR1) ? 1 : 0);
	EXPECT_EQ(-EINTR, ipc_event_wait(self->ev, 1, 20 * SEC));
	EXPECT_EQ(SIGUSR1, got_usr1);
	EXPECT_EQ(0, reap(pid));

	/* SA_RESTART: restarted with the same deadline; still False. */
	install_usr1(SA_RESTART);
	got_usr1 = 0;
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(wait_waiters(self->ev, 1) || kill(parent, SIGUSR1) ? 1 : 0);
	t0 = now_ns();
	EXPECT_EQ(0, ipc_event_wait(self->ev, 1, 1000 * MS));
	t1 = now_ns();
	EXPECT_EQ(SIGUSR1, got_usr1);
	EXPECT_LE(t0 + 1000 * MS, t1);
	EXPECT_GT(t0 + 3 * SEC, t1);
	EXPECT_EQ(0, reap(pid));
}

#define WAITERS	3

TEST_F(le, one_set_releases_every_waiter)
{
	struct ipcdev_event_stat st;
	pid_t pids[WAITERS];

	for (int i = 0; i < WAITERS; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0) {
			int r = ipc_event_wait(self->ev, 1, 20 * SEC);

			_exit(r == 1 ? 0 : 10 + (r < 0 ? -r : r));
		}
	}
	ASSERT_EQ(0, wait_waiters(self->ev, WAITERS));
	/* A set cleared at once still releases everyone waiting at the set. */
	EXPECT_EQ(0, ipc_event_set(self->ev));
	EXPECT_EQ(0, ipc_event_clear(self->ev));
	for (int i = 0; i < WAITERS; i++)
		EXPECT_EQ(0, reap(pids[i]));
	ASSERT_EQ(0, ipc_event_stat(self->ev, &st));
	EXPECT_EQ(0, st.set);
	EXPECT_EQ(0, st.waiters);
	EXPECT_EQ(1, st.sets);
	/* And a later waiter is not: the flag is lowered again. */
	EXPECT_EQ(0, ipc_event_wait(self->ev, 1, 10 * MS));
}

TEST(named_events)
{
	struct ipcdev_event_stat st;
	char name[64];
	int ev, ro, wo;
	pid_t pid;

	snprintf(name, sizeof(name), "ksft-lib-event-%d", getpid());
	ipc_event_unlink(name);
	EXPECT_EQ(-ENOENT, ipc_event_open(name, O_RDWR, 0));
	EXPECT_EQ(-EINVAL, ipc_event_open(name, O_RDWR | IPC_CREAT | 0100000, 0600));
	EXPECT_EQ(-EINVAL, ipc_event_open(name, O_ACCMODE | IPC_CREAT, 0600));
	EXPECT_EQ(-EINVAL, ipc_event_open(name, O_RDWR | IPC_CREAT, 01600));
	EXPECT_EQ(-EINVAL, ipc_event_open(NULL, O_RDWR | IPC_CREAT, 0600));
	EXPECT_EQ(-EINVAL, ipc_event_open("a/b", O_RDWR | IPC_CREAT, 0600));
	ev = ipc_event_open(name, O_RDWR | IPC_CREAT | IPC_EXCL, 0600);
	ASSERT_LE(0, ev) TH_LOG("%s", ipc_strerror(ev));
	EXPECT_EQ(FD_CLOEXEC, fcntl(ev, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(-EEXIST, ipc_event_open(name, O_RDWR | IPC_CREAT | IPC_EXCL,
					  0600));
	ASSERT_EQ(0, ipc_event_stat(ev, &st));
	EXPECT_EQ(IPCDEV_STAT_NAMED, st.flags);
	EXPECT_EQ(0, st.set);

	/* Another process attaches by name and sets it. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int e = ipc_event_open(name, O_WRONLY, 0);

		if (e < 0)
			_exit(-e);
		if (wait_waiters(e, 1))
			_exit(100);
		_exit(-ipc_event_set(e));
	}
	EXPECT_EQ(1, ipc_event_wait(ev, 1, 20 * SEC));
	EXPECT_EQ(0, reap(pid));

	/* Access modes: read to wait, write to set and clear. */
	ro = ipc_event_open(name, O_RDONLY, 0);
	ASSERT_LE(0, ro);
	wo = ipc_event_open(name, O_WRONLY, 0);
	ASSERT_LE(0, wo);
	EXPECT_EQ(-EBADF, ipc_event_set(ro));
	EXPECT_EQ(-EBADF, ipc_event_clear(ro));
	EXPECT_EQ(1, ipc_event_wait(ro, 0, 0));
	EXPECT_EQ(-EBADF, ipc_event_wait(wo, 0, 0));
	EXPECT_EQ(1, ipc_event_is_set(wo));
	EXPECT_EQ(0, ipc_event_clear(wo));
	EXPECT_EQ(0, ipc_event_is_set(ro));
	ipc_event_close(ro);
	ipc_event_close(wo);

	/* The flag persists with no handle open, until unlinked. */
	EXPECT_EQ(0, ipc_event_set(ev));
	ipc_event_close(ev);
	ev = ipc_event_open(name, O_RDONLY, 0);
	ASSERT_LE(0, ev);
	EXPECT_EQ(1, ipc_event_is_set(ev));
	EXPECT_EQ(0, ipc_event_unlink(name));
	EXPECT_EQ(-ENOENT, ipc_event_unlink(name));
	EXPECT_EQ(-EINVAL, ipc_event_unlink(""));
	ASSERT_EQ(0, ipc_event_stat(ev, &st));
	EXPECT_EQ(IPCDEV_STAT_NAMED | IPCDEV_STAT_UNLINKED, st.flags);
	ipc_event_close(ev);

	/* IPC_EVENT_INIT_SET: created set. */
	ev = ipc_event_open(name, O_RDWR | IPC_CREAT | IPC_EXCL |
			    IPC_EVENT_INIT_SET, 0600);
	ASSERT_LE(0, ev);
	EXPECT_EQ(1, ipc_event_is_set(ev));
	ipc_event_close(ev);
	EXPECT_EQ(0, ipc_event_unlink(name));
}

TEST_F(le, notify_delivers_the_chosen_signal)
{
	int sig = SIGRTMIN + 2;
	struct timespec ts = { 5, 0 };
	siginfo_t si;
	sigset_t set;
	pid_t pid;

	sigemptyset(&set);
	sigaddset(&set, sig);
	sigaddset(&set, SIGIO);
	ASSERT_EQ(0, sigprocmask(SIG_BLOCK, &set, NULL));
	EXPECT_EQ(-EINVAL, ipc_notify(self->ev, -1));
	EXPECT_EQ(-EINVAL, ipc_notify(self->ev, NSIG));
	EXPECT_EQ(-EBADF, ipc_notify(-1, sig));
	ASSERT_EQ(0, ipc_notify(self->ev, sig));
	EXPECT_EQ(O_ASYNC, fcntl(self->ev, F_GETFL) & O_ASYNC);
	EXPECT_EQ(getpid(), fcntl(self->ev, F_GETOWN));
	EXPECT_EQ(sig, fcntl(self->ev, F_GETSIG));

	/* Our own set. */
	EXPECT_EQ(0, ipc_event_set(self->ev));
	ASSERT_EQ(sig, sigtimedwait(&set, &si, &ts));
	EXPECT_EQ(self->ev, si.si_fd);
	EXPECT_EQ(POLL_IN, si.si_code);
	/* A set of a set event raises nothing: no signal. */
	EXPECT_EQ(0, ipc_event_set(self->ev));
	ts.tv_sec = 0;
	ts.tv_nsec = 100 * MS;
	EXPECT_EQ(-1, sigtimedwait(&set, &si, &ts));
	EXPECT_EQ(EAGAIN, errno);

	/* Another process's set. */
	EXPECT_EQ(0, ipc_event_clear(self->ev));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		sleep_ms(100);
		_exit(-ipc_event_set(self->ev));
	}
	ts.tv_sec = 10;
	ts.tv_nsec = 0;
	ASSERT_EQ(sig, sigtimedwait(&set, &si, &ts));
	EXPECT_EQ(self->ev, si.si_fd);
	EXPECT_EQ(0, reap(pid));

	/* SIGIO: the plain signal. */
	EXPECT_EQ(0, ipc_event_clear(self->ev));
	ASSERT_EQ(0, ipc_notify(self->ev, SIGIO));
	EXPECT_EQ(0, fcntl(self->ev, F_GETSIG));
	EXPECT_EQ(0, ipc_event_set(self->ev));
	ts.tv_sec = 5;
	ASSERT_EQ(SIGIO, sigtimedwait(&set, &si, &ts));

	/* Off: no more signals. */
	EXPECT_EQ(0, ipc_event_clear(self->ev));
	ASSERT_EQ(0, ipc_notify(self->ev, 0));
	EXPECT_EQ(0, fcntl(self->ev, F_GETFL) & O_ASYNC);
	EXPECT_EQ(0, ipc_event_set(self->ev));
	ts.tv_sec = 0;
	ts.tv_nsec = 100 * MS;
	EXPECT_EQ(-1, sigtimedwait(&set, &si, &ts));
}

TEST_HARNESS_MAIN
