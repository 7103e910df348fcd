// SPDX-License-Identifier: GPL-2.0
/*
 * Selftests of /dev/ipcevent, the raw ioctl/poll ABI of the event in
 * uapi/linux/ipcdev.h (multiprocessing.Event).  Run as root with the
 * ipcdev module loaded.
 *
 * Conventions: see ipcdev_test.h (helpers return 0 or -errno; forked
 * helper processes report through their exit code).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <linux/ipcdev.h>

#include "ipcdev_test.h"

/* See ipcqueue_test.c: harness artefacts under -Wextra. */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"

#define DEV		"/dev/ipcevent"
#define NWAITERS	5

/* ------------------------------------------------------------------ */
/* Helpers                                                            */
/* ------------------------------------------------------------------ */

/* A handle on an event: anonymous (@name NULL) or named; fd or -errno. */
static int e_open(const char *name, int oflags, __u32 flags, __u32 mode)
{
	struct ipcdev_event_open o = {
		.name = ptr(name), .flags = flags, .mode = mode,
	};

	return dev_open_bind(DEV, oflags, IPCDEV_IOC_EVENT_OPEN, &o);
}

static int e_new(void)
{
	return e_open(NULL, O_RDWR, 0, 0);
}

static int e_set(int fd)
{
	return ioctl(fd, IPCDEV_IOC_EVENT_SET, 0) ? -errno : 0;
}

static int e_clear(int fd)
{
	return ioctl(fd, IPCDEV_IOC_EVENT_CLEAR, 0) ? -errno : 0;
}

static int e_wait(int fd, __u32 flags, __u64 deadline)
{
	struct ipcdev_event_wait w = { .deadline_ns = deadline, .flags = flags };

	return ioctl(fd, IPCDEV_IOC_EVENT_WAIT, &w) ? -errno : 0;
}

static int e_stat(int fd, struct ipcdev_event_stat *st)
{
	return stat_ioc(fd, IPCDEV_IOC_EVENT_STAT, st, sizeof(*st));
}

/* The flag (0 or 1), or -1 if STAT fails. */
static int e_is_set(int fd)
{
	struct ipcdev_event_stat st;

	return e_stat(fd, &st) ? -1 : (int)st.set;
}

static int e_unlink(const char *name)
{
	return dev_unlink(DEV, name);
}

#define wait_waiters(fd, n) \
	WAIT_STAT(fd, IPCDEV_IOC_EVENT_STAT, struct ipcdev_event_stat, waiters, n)

/* Fork a child that waits on @fd without a deadline; its pid. */
static pid_t spawn_waiter(int fd)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(-e_wait(fd, 0, 0));
	return pid;
}

/* Fork @n waiters into @pids and wait until they all sleep; 0 or -1. */
static int spawn_waiters(int fd, pid_t *pids, int n)
{
	for (int i = 0; i < n; i++) {
		pids[i] = spawn_waiter(fd);
		if (pids[i] < 0)
			return -1;
	}
	return wait_waiters(fd, n) ? -1 : 0;
}

/* Reap @n children within @ms in total; how many did not exit 0. */
static int reap_all(pid_t *pids, int n, unsigned int ms)
{
	__u64 end = now_ns() + ms * MS;
	int bad = 0;

	for (int i = 0; i < n; i++) {
		__u64 now = now_ns();
		unsigned int left = now < end ? (end - now) / MS : 0;

		if (wait_child(pids[i], left))
			bad++;
	}
	return bad;
}

FIXTURE(ev) {
	int fd;
};

FIXTURE_SETUP(ev)
{
	self->fd = e_new();
	ASSERT_LE(0, self->fd) TH_LOG("%s: %s", DEV, strerror(-self->fd));
}

FIXTURE_TEARDOWN(ev)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* ------------------------------------------------------------------ */
/* The flag                                                           */
/* ------------------------------------------------------------------ */

TEST_F(ev, set_clear_stat)
{
	struct ipcdev_event_stat st;

	ASSERT_EQ(0, e_stat(self->fd, &st));
	EXPECT_EQ(0, st.set);
	EXPECT_EQ(0, st.waiters);
	EXPECT_EQ(0, st.sets);
	EXPECT_EQ(0, st.flags);
	EXPECT_EQ(0600, st.mode);
	EXPECT_EQ(0, st.reserved0);
	ASSERT_EQ(0, e_set(self->fd));
	ASSERT_EQ(0, e_stat(self->fd, &st));
	EXPECT_EQ(1, st.set);
	EXPECT_EQ(1, st.sets);
	/* A SET of a raised flag raises nothing. */
	ASSERT_EQ(0, e_set(self->fd));
	ASSERT_EQ(0, e_stat(self->fd, &st));
	EXPECT_EQ(1, st.set);
	EXPECT_EQ(1, st.sets);
	ASSERT_EQ(0, e_clear(self->fd));
	EXPECT_EQ(0, e_is_set(self->fd));
	ASSERT_EQ(0, e_clear(self->fd));
	EXPECT_EQ(0, e_is_set(self->fd));
	ASSERT_EQ(0, e_set(self->fd));
	ASSERT_EQ(0, e_stat(self->fd, &st));
	EXPECT_EQ(1, st.set);
	EXPECT_EQ(2, st.sets);
}

TEST(two_anonymous_opens_two_events)
{
	struct ipcdev_event_stat s1, s2;
	int a = e_new(), b = e_new();

	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	ASSERT_EQ(0, e_set(a));
	ASSERT_EQ(0, e_stat(a, &s1));
	ASSERT_EQ(0, e_stat(b, &s2));
	EXPECT_EQ(1, s1.set);
	EXPECT_EQ(0, s2.set);
	EXPECT_NE(s1.id, s2.id);
	close(a);
	close(b);
}

TEST_F(ev, wait_nonblock)
{
	int fl;

	EXPECT_EQ(-EAGAIN, e_wait(self->fd, IPCDEV_WAIT_NONBLOCK, 0));
	ASSERT_EQ(0, e_set(self->fd));
	EXPECT_EQ(0, e_wait(self->fd, IPCDEV_WAIT_NONBLOCK, 0));
	EXPECT_EQ(0, e_wait(self->fd, 0, 0));		/* raised: at once */
	EXPECT_EQ(0, e_wait(self->fd, IPCDEV_WAIT_DEADLINE, now_ns() - SEC));
	ASSERT_EQ(0, e_clear(self->fd));
	EXPECT_EQ(-EAGAIN, e_wait(self->fd, IPCDEV_WAIT_NONBLOCK, 0));
	/* O_NONBLOCK on the file has the same effect. */
	fl = fcntl(self->fd, F_GETFL);
	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, fl | O_NONBLOCK));
	EXPECT_EQ(-EAGAIN, e_wait(self->fd, 0, 0));
	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, fl));
}

TEST(init_set)
{
	struct ipcdev_event_stat st;
	int fd = e_open(NULL, O_RDWR, IPCDEV_EVENT_INIT_SET, 0);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, e_stat(fd, &st));
	EXPECT_EQ(1, st.set);
	EXPECT_EQ(0, e_wait(fd, IPCDEV_WAIT_NONBLOCK, 0));
	EXPECT_EQ(POLLIN, poll_events(fd, POLLIN));
	ASSERT_EQ(0, e_clear(fd));
	EXPECT_EQ(-EAGAIN, e_wait(fd, IPCDEV_WAIT_NONBLOCK, 0));
	close(fd);
}

/* ------------------------------------------------------------------ */
/* Waiters                                                            */
/* ------------------------------------------------------------------ */

TEST_F_TIMEOUT(ev, one_set_releases_all_waiters, 120)
{
	pid_t pids[NWAITERS];
	__u64 t0;

	ASSERT_EQ(0, spawn_waiters(self->fd, pids, NWAITERS));
	sleep_ms(50);
	for (int i = 0; i < NWAITERS; i++)
		EXPECT_EQ(0, waitpid(pids[i], NULL, WNOHANG));
	t0 = now_ns();
	ASSERT_EQ(0, e_set(self->fd));
	EXPECT_EQ(0, reap_all(pids, NWAITERS, 20000));
	EXPECT_GT(t0 + 10 * SEC, now_ns());
	EXPECT_EQ(0, wait_waiters(self->fd, 0));
	EXPECT_EQ(1, e_is_set(self->fd));
}

TEST_F_TIMEOUT(ev, pulse_releases_all_waiters, 120)
{
	struct ipcdev_event_stat st;
	pid_t pids[NWAITERS];

	ASSERT_EQ(0, spawn_waiters(self->fd, pids, NWAITERS));
	ASSERT_EQ(0, e_set(self->fd));
	ASSERT_EQ(0, e_clear(self->fd));
	EXPECT_EQ(0, reap_all(pids, NWAITERS, 20000))
		TH_LOG("SET then CLEAR did not release every waiter");
	ASSERT_EQ(0, e_stat(self->fd, &st));
	EXPECT_EQ(0, st.set);
	EXPECT_EQ(0, st.waiters);
	EXPECT_EQ(1, st.sets);
	/* Later waiters are not released by that old SET. */
	EXPECT_EQ(-EAGAIN, e_wait(self->fd, IPCDEV_WAIT_NONBLOCK, 0));
}

TEST_F(ev, deadline_etimedout)
{
	__u64 t0 = now_ns(), dl = t0 + 300 * MS, t1;

	EXPECT_EQ(-ETIMEDOUT, e_wait(self->fd, IPCDEV_WAIT_DEADLINE, dl));
	t1 = now_ns();
	EXPECT_LE(dl, t1);
	EXPECT_GT(t0 + 10 * SEC, t1);
	/* A deadline in the past: at once. */
	EXPECT_EQ(-ETIMEDOUT, e_wait(self->fd, IPCDEV_WAIT_DEADLINE, 1));
	EXPECT_GT(t1 + 5 * SEC, now_ns());
	EXPECT_EQ(0, wait_waiters(self->fd, 0));
	/* Released before the deadline by a SET. */
	ASSERT_EQ(0, e_set(self->fd));
	EXPECT_EQ(0, e_wait(self->fd, IPCDEV_WAIT_DEADLINE, deadline_in_ms(300)));
}

TEST_F_TIMEOUT(ev, sigkill_one_waiter, 120)
{
	pid_t pids[3];

	ASSERT_EQ(0, spawn_waiters(self->fd, pids, 3));
	ASSERT_EQ(0, kill(pids[1], SIGKILL));
	EXPECT_EQ(1000 + SIGKILL, wait_child(pids[1], 5000));
	EXPECT_EQ(0, wait_waiters(self->fd, 2));
	EXPECT_EQ(0, waitpid(pids[0], NULL, WNOHANG));
	EXPECT_EQ(0, waitpid(pids[2], NULL, WNOHANG));
	ASSERT_EQ(0, e_set(self->fd));
	EXPECT_EQ(0, wait_child(pids[0], 20000));
	EXPECT_EQ(0, wait_child(pids[2], 20000));
	EXPECT_EQ(0, wait_waiters(self->fd, 0));
}

static int ev_wait_call(void *arg)
{
	return -e_wait(*(int *)arg, 0, 0);
}

static int ev_asleep(void *arg)
{
	return wait_waiters(*(int *)arg, 1);
}

static int ev_release(void *arg)
{
	/* The restarted WAIT must still be sleeping: nothing released it. */
	sleep_ms(50);
	if (wait_waiters(*(int *)arg, 1))
		return -1;
	return e_set(*(int *)arg);
}

static int signal_case(struct __test_metadata *_metadata, int fd,
		       bool restart)
{
	struct sig_case c = { ev_wait_call, ev_asleep, ev_release, &fd };
	const char *why;
	int code = signal_blocked_call(&c, restart, &why);

	if (why)
		TH_LOG("%s", why);
	return code;
}

TEST_F(ev, signal_eintr)
{
	EXPECT_EQ(EINTR, signal_case(_metadata, self->fd, false));
	EXPECT_EQ(0, wait_waiters(self->fd, 0));
	EXPECT_EQ(0, e_is_set(self->fd));
}

TEST_F(ev, signal_sa_restart)
{
	EXPECT_EQ(0, signal_case(_metadata, self->fd, true));
	EXPECT_EQ(0, wait_waiters(self->fd, 0));
}

TEST(closing_a_handle_does_not_disturb_waiter)
{
	char name[64];
	int a, b, c;
	pid_t pid;

	snprintf(name, sizeof(name), "ksft-ipcev-close-%d", getpid());
	e_unlink(name);
	a = e_open(name, O_RDWR, IPCDEV_CREAT | IPCDEV_EXCL, 0600);
	ASSERT_LE(0, a);
	ASSERT_EQ(0, e_unlink(name));	/* lives on with its handles */
	b = e_new();
	ASSERT_LE(0, b);
	pid = spawn_waiter(a);
	ASSERT_LE(0, pid);
	ASSERT_EQ(0, wait_waiters(a, 1));
	/* Another handle on the same event: by fd passing (dup). */
	c = dup(a);
	ASSERT_LE(0, c);
	/* Closing the parent's copies of the waiter's handle, and others. */
	ASSERT_EQ(0, close(a));
	ASSERT_EQ(0, close(b));
	sleep_ms(100);
	EXPECT_EQ(0, waitpid(pid, NULL, WNOHANG)) TH_LOG("waiter woke up");
	EXPECT_EQ(0, wait_waiters(c, 1));
	ASSERT_EQ(0, e_set(c));
	EXPECT_EQ(0, wait_child(pid, 20000));
	close(c);
}

TEST(closing_another_handle_of_the_object)
{
	char name[64];
	int a, b;
	pid_t pid;

	snprintf(name, sizeof(name), "ksft-ipcev-close2-%d", getpid());
	e_unlink(name);
	a = e_open(name, O_RDWR, IPCDEV_CREAT | IPCDEV_EXCL, 0600);
	ASSERT_LE(0, a);
	pid = spawn_waiter(a);
	ASSERT_LE(0, pid);
	ASSERT_EQ(0, wait_waiters(a, 1));
	/* A second, separately opened handle comes and goes. */
	b = e_open(name, O_RDWR, 0, 0);
	ASSERT_LE(0, b);
	EXPECT_EQ(-EAGAIN, e_wait(b, IPCDEV_WAIT_NONBLOCK, 0));
	ASSERT_EQ(0, close(b));
	sleep_ms(100);
	EXPECT_EQ(0, waitpid(pid, NULL, WNOHANG)) TH_LOG("waiter woke up");
	EXPECT_EQ(0, wait_waiters(a, 1));
	b = e_open(name, O_WRONLY, 0, 0);
	ASSERT_LE(0, b);
	ASSERT_EQ(0, e_set(b));
	EXPECT_EQ(0, wait_child(pid, 20000));
	close(b);
	close(a);
	EXPECT_EQ(0, e_unlink(name));
}

/* ------------------------------------------------------------------ */
/* poll and epoll                                                     */
/* ------------------------------------------------------------------ */

TEST_F(ev, poll_pollin_while_set)
{
	struct pollfd p = { .fd = self->fd, .events = POLLIN };
	pid_t pid;

	EXPECT_EQ(0, poll_events(self->fd, POLLIN | POLLOUT));
	ASSERT_EQ(0, e_set(self->fd));
	EXPECT_EQ(POLLIN, poll_events(self->fd, POLLIN | POLLOUT));
	EXPECT_EQ(POLLIN, poll_events(self->fd, POLLIN));
	ASSERT_EQ(0, e_clear(self->fd));
	EXPECT_EQ(0, poll_events(self->fd, POLLIN));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		sleep_ms(200);
		_exit(-e_set(self->fd));
	}
	EXPECT_EQ(1, poll(&p, 1, 20000));
	EXPECT_EQ(POLLIN, p.revents);
	EXPECT_EQ(0, wait_child(pid, 20000));
}

TEST_F(ev, epoll_pollin_while_set)
{
	struct epoll_event e = { .events = EPOLLIN }, out[2];
	pid_t pid;
	int ep = epoll_create1(0);

	ASSERT_LE(0, ep);
	e.data.u32 = 7;
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, self->fd, &e));
	EXPECT_EQ(0, epoll_wait(ep, out, 2, 0));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		sleep_ms(200);
		_exit(-e_set(self->fd));
	}
	ASSERT_EQ(1, epoll_wait(ep, out, 2, 20000));
	EXPECT_EQ(EPOLLIN, out[0].events);
	EXPECT_EQ(7, out[0].data.u32);
	EXPECT_EQ(0, wait_child(pid, 20000));
	/* Level-triggered: still reported while set, not after CLEAR. */
	EXPECT_EQ(1, epoll_wait(ep, out, 2, 0));
	ASSERT_EQ(0, e_clear(self->fd));
	EXPECT_EQ(0, epoll_wait(ep, out, 2, 0));
	close(ep);
}

/* ------------------------------------------------------------------ */
/* Bad input                                                          */
/* ------------------------------------------------------------------ */

/* ------------------------------------------------------------------ */
/* Auto-reset hand-off: WAIT_CLEAR, read() and write()                */
/* ------------------------------------------------------------------ */

TEST_F(ev, wait_clear_lowers_the_flag)
{
	ASSERT_EQ(0, e_set(self->fd));
	EXPECT_EQ(0, e_wait(self->fd, IPCDEV_EVENT_WAIT_CLEAR, 0));
	EXPECT_EQ(0, e_is_set(self->fd));
	/* Lowered: a second non-blocking wait finds nothing. */
	EXPECT_EQ(-EAGAIN, e_wait(self->fd, IPCDEV_EVENT_WAIT_CLEAR |
					    IPCDEV_WAIT_NONBLOCK, 0));
	/* A plain wait leaves the flag raised. */
	ASSERT_EQ(0, e_set(self->fd));
	EXPECT_EQ(0, e_wait(self->fd, 0, 0));
	EXPECT_EQ(1, e_is_set(self->fd));
}

TEST_F_TIMEOUT(ev, wait_clear_released_by_set, 120)
{
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(-e_wait(self->fd, IPCDEV_EVENT_WAIT_CLEAR, 0));
	ASSERT_EQ(0, wait_waiters(self->fd, 1));
	ASSERT_EQ(0, e_set(self->fd));
	EXPECT_EQ(0, wait_child(pid, 10000));
	EXPECT_EQ(0, e_is_set(self->fd));
}

/*
 * A SET serves its sleeping waiters itself: plain waits, WAIT_CLEAR waits
 * and read()s, all at once.  Each is released and learns the SET count, and
 * the flag ends lowered because some waits clear it.
 */
static int mixed_waiter(int fd, int how)
{
	__u64 sets = 0;

	switch (how) {
	case 0:
		return -e_wait(fd, 0, 0);
	case 1:
		return -e_wait(fd, IPCDEV_EVENT_WAIT_CLEAR, 0);
	default:
		if (read(fd, &sets, sizeof(sets)) != sizeof(sets))
			return errno ? errno : CHILD_BADLEN;
		return sets == 1 ? 0 : CHILD_BADDATA;
	}
}

TEST_F_TIMEOUT(ev, one_set_serves_mixed_waiters, 120)
{
	struct ipcdev_event_stat st;
	pid_t pids[6];

	for (int i = 0; i < 6; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0)
			_exit(mixed_waiter(self->fd, i % 3));
	}
	ASSERT_EQ(0, wait_waiters(self->fd, 6));
	ASSERT_EQ(0, e_set(self->fd));
	EXPECT_EQ(0, reap_all(pids, 6, 20000));
	ASSERT_EQ(0, e_stat(self->fd, &st));
	EXPECT_EQ(0, st.set);
	EXPECT_EQ(0, st.waiters);
	EXPECT_EQ(1, st.sets);
	/* A new SET raises it for the next ones. */
	ASSERT_EQ(0, e_set(self->fd));
	EXPECT_EQ(0, e_wait(self->fd, IPCDEV_WAIT_NONBLOCK, 0));
}

/* Lowering the flag is a change: a read-only handle may wait, not clear. */
TEST(wait_clear_needs_write_access)
{
	char name[64];
	__u64 v;
	int w, r;

	snprintf(name, sizeof(name), "ipcdev-evwc-%d", getpid());
	w = e_open(name, O_RDWR, IPCDEV_CREAT | IPCDEV_EXCL, 0600);
	ASSERT_LE(0, w);
	r = e_open(name, O_RDONLY, 0, 0);
	ASSERT_LE(0, r);
	ASSERT_EQ(0, e_set(w));
	EXPECT_EQ(-EBADF, e_wait(r, IPCDEV_EVENT_WAIT_CLEAR, 0));
	EXPECT_EQ(-1, read(r, &v, sizeof(v)));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(1, e_is_set(w));
	EXPECT_EQ(0, e_wait(r, 0, 0));
	close(r);
	close(w);
	EXPECT_EQ(0, e_unlink(name));
}

TEST_F(ev, write_sets_read_waits_and_clears)
{
	__u64 v = 42, big[2] = { 0, 0 };

	EXPECT_EQ(8, write(self->fd, &v, sizeof(v)));
	EXPECT_EQ(1, e_is_set(self->fd));
	v = 0;
	EXPECT_EQ(8, read(self->fd, &v, sizeof(v)));
	EXPECT_EQ(1, v);		/* the number of SETs so far */
	EXPECT_EQ(0, e_is_set(self->fd));
	EXPECT_EQ(8, write(self->fd, &v, sizeof(v)));
	EXPECT_EQ(8, read(self->fd, big, sizeof(big)));
	EXPECT_EQ(2, big[0]);
}

TEST_F(ev, read_write_bad_sizes)
{
	char b[16] = { 0 };

	EXPECT_EQ(-1, write(self->fd, b, 4));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, write(self->fd, b, 16));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, e_is_set(self->fd));
	ASSERT_EQ(0, e_set(self->fd));
	EXPECT_EQ(-1, read(self->fd, b, 7));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(1, e_is_set(self->fd));	/* nothing was consumed */
	EXPECT_EQ(-1, read(self->fd, unmapped_addr(), 8));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(ev, read_nonblock_eagain)
{
	__u64 v;
	int fl = fcntl(self->fd, F_GETFL);

	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, fl | O_NONBLOCK));
	EXPECT_EQ(-1, read(self->fd, &v, sizeof(v)));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, e_set(self->fd));
	EXPECT_EQ(8, read(self->fd, &v, sizeof(v)));
	EXPECT_EQ(0, e_is_set(self->fd));
}

TEST_F_TIMEOUT(ev, read_blocks_until_write, 120)
{
	__u64 v = 1;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(read(self->fd, &v, sizeof(v)) == 8 && v == 1 ? 0 : 1);
	ASSERT_EQ(0, wait_waiters(self->fd, 1));
	ASSERT_EQ(8, write(self->fd, &v, sizeof(v)));
	EXPECT_EQ(0, wait_child(pid, 10000));
	EXPECT_EQ(0, e_is_set(self->fd));
}

TEST_F(ev, set_clear_with_argument_einval)
{
	EXPECT_EQ(-EINVAL, ioc(self->fd, IPCDEV_IOC_EVENT_SET, (void *)1));
	EXPECT_EQ(-EINVAL, ioc(self->fd, IPCDEV_IOC_EVENT_SET, (void *)&errno));
	EXPECT_EQ(0, e_is_set(self->fd));
	ASSERT_EQ(0, e_set(self->fd));
	EXPECT_EQ(-EINVAL, ioc(self->fd, IPCDEV_IOC_EVENT_CLEAR, (void *)1));
	EXPECT_EQ(1, e_is_set(self->fd));
}

TEST_F(ev, bad_wait_arguments)
{
	struct ipcdev_event_wait w = { .flags = IPCDEV_WAIT_NONBLOCK, .reserved = 1 };

	ASSERT_EQ(0, e_set(self->fd));
	EXPECT_EQ(-EINVAL, ioc(self->fd, IPCDEV_IOC_EVENT_WAIT, &w));
	w.reserved = 0;
	w.flags = 0x4;
	EXPECT_EQ(-EINVAL, ioc(self->fd, IPCDEV_IOC_EVENT_WAIT, &w));
	EXPECT_EQ(-EFAULT, ioc(self->fd, IPCDEV_IOC_EVENT_WAIT, unmapped_addr()));
	EXPECT_EQ(-EFAULT, ioc(self->fd, IPCDEV_IOC_EVENT_STAT, unmapped_addr()));
}

TEST(bad_open_arguments)
{
	struct ipcdev_event_open o = {};
	char longname[IPCDEV_NAME_MAX + 2];
	int fd, fd2;

	o.reserved[1] = 1;
	EXPECT_EQ(-EINVAL, dev_open_bind(DEV, O_RDWR, IPCDEV_IOC_EVENT_OPEN, &o));
	o.reserved[1] = 0;
	o.flags = 0x100;
	EXPECT_EQ(-EINVAL, dev_open_bind(DEV, O_RDWR, IPCDEV_IOC_EVENT_OPEN, &o));
	o.flags = IPCDEV_CREAT;			/* anonymous */
	EXPECT_EQ(-EINVAL, dev_open_bind(DEV, O_RDWR, IPCDEV_IOC_EVENT_OPEN, &o));
	o.flags = 0;
	o.mode = 01000;
	EXPECT_EQ(-EINVAL, dev_open_bind(DEV, O_RDWR, IPCDEV_IOC_EVENT_OPEN, &o));
	o.mode = 0;
	EXPECT_EQ(-EFAULT, dev_open_bind(DEV, O_RDWR, IPCDEV_IOC_EVENT_OPEN,
					 unmapped_addr()));
	o.flags = IPCDEV_CREAT;
	o.name = ptr(unmapped_addr());
	EXPECT_EQ(-EFAULT, dev_open_bind(DEV, O_RDWR, IPCDEV_IOC_EVENT_OPEN, &o));
	EXPECT_EQ(-EINVAL, e_open("", O_RDWR, IPCDEV_CREAT, 0600));
	EXPECT_EQ(-EINVAL, e_open("a/b", O_RDWR, IPCDEV_CREAT, 0600));
	memset(longname, 'n', sizeof(longname));
	longname[sizeof(longname) - 1] = 0;
	EXPECT_EQ(-ENAMETOOLONG, e_open(longname, O_RDWR, IPCDEV_CREAT, 0600));

	/* An object descriptor opens nothing; a device fd is no event. */
	fd = e_new();
	ASSERT_LE(0, fd);
	o.flags = 0;
	o.name = 0;
	EXPECT_EQ(-ENOTTY, ioc(fd, IPCDEV_IOC_EVENT_OPEN, &o));
	close(fd);
	fd = open(DEV, O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-ENOTTY, e_clear(fd));
	fd2 = ioctl(fd, IPCDEV_IOC_EVENT_OPEN, &o);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(0, e_clear(fd2));
	close(fd2);
	close(fd);
}

TEST_F(ev, unknown_ioctl_enotty)
{
	const unsigned long cmds[] = {
		_IO(IPCDEV_IOC_MAGIC, 0x4f), _IO(IPCDEV_IOC_MAGIC, 0x45),
		IPCDEV_IOC_SHM_PUBLISH, IPCDEV_IOC_QUEUE_STAT, _IO('T', 1),
	};

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		EXPECT_EQ(-1, ioctl(self->fd, cmds[i], 0));
		EXPECT_EQ(ENOTTY, errno) TH_LOG("cmd %#lx", cmds[i]);
	}
}

TEST_F(ev, fdinfo_set_and_waiters)
{
	char v[64];
	pid_t pid;

	ASSERT_EQ(0, fdinfo(self->fd, "ipcdev-kind", v, sizeof(v)));
	EXPECT_STREQ("event", v);
	ASSERT_EQ(0, fdinfo(self->fd, "ipcdev-set", v, sizeof(v)));
	EXPECT_STREQ("0", v);
	ASSERT_EQ(0, fdinfo(self->fd, "ipcdev-waiters", v, sizeof(v)));
	EXPECT_STREQ("0", v);
	pid = spawn_waiter(self->fd);
	ASSERT_LE(0, pid);
	ASSERT_EQ(0, wait_waiters(self->fd, 1));
	ASSERT_EQ(0, fdinfo(self->fd, "ipcdev-waiters", v, sizeof(v)));
	EXPECT_STREQ("1", v);
	ASSERT_EQ(0, e_set(self->fd));
	EXPECT_EQ(0, wait_child(pid, 20000));
	ASSERT_EQ(0, fdinfo(self->fd, "ipcdev-set", v, sizeof(v)));
	EXPECT_STREQ("1", v);
	ASSERT_EQ(0, fdinfo(self->fd, "ipcdev-waiters", v, sizeof(v)));
	EXPECT_STREQ("0", v);
}

TEST(fdinfo_device_descriptor)
{
	char v[64];
	int fd = open(DEV, O_RDWR);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, fdinfo(fd, "ipcdev-kind", v, sizeof(v)));
	EXPECT_EQ(-1, fdinfo(fd, "ipcdev-set", v, sizeof(v)));
	close(fd);
}

/* ------------------------------------------------------------------ */
/* Named events                                                       */
/* ------------------------------------------------------------------ */

NAMED_FIXTURE(named, "ksft-ipcev", e_unlink);

/* Child: attach by name and SET. */
static int child_attach_set(void *arg)
{
	int fd = e_open(arg, O_RDWR, 0, 0), r;

	if (fd < 0)
		return -fd;
	r = e_set(fd);
	close(fd);
	return -r;
}

TEST_F(named, create_attach_eexist_enoent_unlink)
{
	struct ipcdev_event_stat s1, s2;
	pid_t pid;
	int a, b;

	EXPECT_EQ(-ENOENT, e_open(self->name, O_RDWR, 0, 0));
	a = e_open(self->name, O_RDWR, IPCDEV_CREAT | IPCDEV_EXCL, 0600);
	ASSERT_LE(0, a) TH_LOG("%s", strerror(-a));
	EXPECT_EQ(-EEXIST, e_open(self->name, O_RDWR, IPCDEV_CREAT | IPCDEV_EXCL, 0600));
	b = e_open(self->name, O_RDWR, IPCDEV_CREAT, 0600);
	ASSERT_LE(0, b);
	ASSERT_EQ(0, e_stat(a, &s1));
	ASSERT_EQ(0, e_stat(b, &s2));
	EXPECT_EQ(s1.id, s2.id);
	EXPECT_EQ(IPCDEV_STAT_NAMED, s1.flags);
	close(b);

	/* Another process attaches by name: its SET is ours. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(a);
		_exit(child_attach_set(self->name));
	}
	EXPECT_EQ(0, wait_child(pid, 20000));
	EXPECT_EQ(1, e_is_set(a));

	ASSERT_EQ(0, e_unlink(self->name));
	EXPECT_EQ(-ENOENT, e_unlink(self->name));
	EXPECT_EQ(-ENOENT, e_open(self->name, O_RDWR, 0, 0));
	ASSERT_EQ(0, e_stat(a, &s1));
	EXPECT_EQ(IPCDEV_STAT_NAMED | IPCDEV_STAT_UNLINKED, s1.flags);
	EXPECT_EQ(1, s1.set);
	close(a);
}

TEST_F(named, persists_and_init_set)
{
	int fd = e_open(self->name, O_RDWR, IPCDEV_CREAT | IPCDEV_EXCL |
			IPCDEV_EVENT_INIT_SET, 0600);

	ASSERT_LE(0, fd);
	EXPECT_EQ(1, e_is_set(fd));
	close(fd);
	/* No handle left: the name keeps it, flag and all. */
	fd = e_open(self->name, O_RDWR, 0, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, e_wait(fd, IPCDEV_WAIT_NONBLOCK, 0));
	close(fd);
}

static int attach_as_nobody(const char *name, int oflags)
{
	struct ipcdev_event_open o = { .name = ptr(name) };

	return bind_as(NOBODY, NOBODY, DEV, oflags, IPCDEV_IOC_EVENT_OPEN, &o);
}

TEST_F(named, eacces_for_nobody)
{
	int fd = e_open(self->name, O_RDWR, IPCDEV_CREAT, 0600);

	ASSERT_LE(0, fd);
	EXPECT_EQ(EACCES, attach_as_nobody(self->name, O_RDONLY));
	EXPECT_EQ(EACCES, attach_as_nobody(self->name, O_WRONLY));
	EXPECT_EQ(EACCES, attach_as_nobody(self->name, O_RDWR));
	close(fd);
	ASSERT_EQ(0, e_unlink(self->name));
	fd = e_open(self->name, O_RDWR, IPCDEV_CREAT, 0604);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, attach_as_nobody(self->name, O_RDONLY));
	EXPECT_EQ(EACCES, attach_as_nobody(self->name, O_WRONLY));
	close(fd);
}

TEST_F(named, access_modes_ebadf)
{
	int rw, ro, wo;

	rw = e_open(self->name, O_RDWR, IPCDEV_CREAT, 0600);
	ASSERT_LE(0, rw);
	ro = e_open(self->name, O_RDONLY, 0, 0);
	ASSERT_LE(0, ro);
	wo = e_open(self->name, O_WRONLY, 0, 0);
	ASSERT_LE(0, wo);

	EXPECT_EQ(-EBADF, e_set(ro));
	EXPECT_EQ(-EBADF, e_clear(ro));
	EXPECT_EQ(0, e_is_set(rw));
	EXPECT_EQ(-EAGAIN, e_wait(ro, IPCDEV_WAIT_NONBLOCK, 0));
	EXPECT_EQ(-EBADF, e_wait(wo, IPCDEV_WAIT_NONBLOCK, 0));
	EXPECT_EQ(-EBADF, e_wait(wo, 0, 0));
	EXPECT_EQ(0, e_set(wo));
	EXPECT_EQ(0, e_wait(ro, IPCDEV_WAIT_NONBLOCK, 0));
	EXPECT_EQ(-EBADF, e_wait(wo, IPCDEV_WAIT_NONBLOCK, 0));
	EXPECT_EQ(0, e_clear(wo));
	EXPECT_EQ(0, e_is_set(ro));
	close(wo);
	close(ro);
	close(rw);
}

/* ------------------------------------------------------------------ */
/* Object accounting (keep last)                                      */
/* ------------------------------------------------------------------ */

EMPTY_FIXTURE(zz_lifetime);

TEST_F_TIMEOUT(zz_lifetime, create_close_cycles, 600)
{
	long long objects0 = read_proc_stat("objects");
	long long handles0 = read_proc_stat("handles");
	long long named0 = read_proc_stat("named");
	char name[64];
	int fails = 0;

	ASSERT_LE(0, objects0) TH_LOG("no 'objects' in %s", PROC_STATS);
	ASSERT_LE(0, handles0);
	ASSERT_LE(0, named0);
	snprintf(name, sizeof(name), "ksft-ipcev-cycle-%d", getpid());
	for (int i = 0; i < 1000; i++) {
		int fd = e_new(), fd2 = e_open(name, O_RDWR, IPCDEV_CREAT, 0600);

		if (fd < 0 || fd2 < 0 || e_set(fd) || e_set(fd2) ||
		    e_wait(fd, 0, 0) || e_clear(fd2))
			fails++;
		if (i == 0) {
			EXPECT_EQ(objects0 + 2, read_proc_stat("objects"));
			EXPECT_EQ(handles0 + 2, read_proc_stat("handles"));
			EXPECT_EQ(named0 + 1, read_proc_stat("named"));
		}
		if (fd >= 0)
			close(fd);
		if (fd2 >= 0)
			close(fd2);
		if (e_unlink(name))
			fails++;
	}
	EXPECT_EQ(0, fails);
	EXPECT_EQ(objects0, wait_proc_stat("objects", objects0));
	EXPECT_EQ(handles0, wait_proc_stat("handles", handles0));
	EXPECT_EQ(named0, wait_proc_stat("named", named0));
}

TEST_HARNESS_MAIN
