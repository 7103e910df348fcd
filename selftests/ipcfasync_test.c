// SPDX-License-Identifier: GPL-2.0
/*
 * Selftests of O_ASYNC (signal-driven I/O) on every ipcdev device kind:
 * with F_SETSIG the chosen signal arrives with si_fd and si_band set, by
 * default SIGIO arrives, and clearing O_ASYNC stops both.
 *
 *   queue: a put makes the handle readable (POLLIN), a get makes room
 *          (POLLOUT);
 *   pipe:  a send reaches the peer end (POLLIN on the receiving end);
 *   shm:   PUBLISH and pwrite() change the segment (POLLIN);
 *   event: SET raises the flag (POLLIN).
 *
 * Run as root with the ipcdev module loaded.  Conventions: ipcdev_test.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include <linux/ipcdev.h>

#include "ipcdev_test.h"

/* See ipcqueue_test.c: harness artefacts under -Wextra. */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"

/* ------------------------------------------------------------------ */
/* The device kinds: how to make a handle and an event on it          */
/* ------------------------------------------------------------------ */

/*
 * fds[0] is the handle that gets O_ASYNC; fds[1] another descriptor the
 * kind needs (the pipe's sending end), or -1.
 */
static int queue_setup(int fds[2])
{
	struct ipcdev_queue_open o = {};

	fds[0] = dev_open_bind("/dev/ipcqueue", O_RDWR, IPCDEV_IOC_QUEUE_OPEN, &o);
	return fds[0] < 0 ? fds[0] : 0;
}

static int queue_put(const int fds[2])
{
	struct ipcdev_msg m = { .buf = ptr("m"), .len = 1 };

	return ioctl(fds[0], IPCDEV_IOC_QUEUE_PUT, &m) ? -errno : 0;
}

static int queue_get(const int fds[2])
{
	char b[8];
	struct ipcdev_msg m = { .buf = ptr(b), .len = sizeof(b) };

	return ioctl(fds[0], IPCDEV_IOC_QUEUE_GET, &m) ? -errno : 0;
}

static int pipe_setup(int fds[2])
{
	struct ipcdev_pipe_open o = { .fd = -1 };

	fds[0] = dev_open_bind("/dev/ipcpipe", O_RDWR, IPCDEV_IOC_PIPE_OPEN, &o);
	fds[1] = o.fd;
	return fds[0] < 0 ? fds[0] : 0;
}

static int pipe_send(const int fds[2])
{
	struct ipcdev_msg m = { .buf = ptr("p"), .len = 1 };

	return ioctl(fds[1], IPCDEV_IOC_PIPE_SEND, &m) ? -errno : 0;
}

static int shm_setup(int fds[2])
{
	struct ipcdev_shm_open o = { .size = 64 };

	fds[0] = dev_open_bind("/dev/ipcshm", O_RDWR, IPCDEV_IOC_SHM_OPEN, &o);
	return fds[0] < 0 ? fds[0] : 0;
}

static int shm_publish(const int fds[2])
{
	return ioctl(fds[0], IPCDEV_IOC_SHM_PUBLISH, 0) ? -errno : 0;
}

static int shm_pwrite(const int fds[2])
{
	return pwrite(fds[0], "s", 1, 10) == 1 ? 0 : -EIO;
}

static int event_setup(int fds[2])
{
	struct ipcdev_event_open o = {};

	fds[0] = dev_open_bind("/dev/ipcevent", O_RDWR, IPCDEV_IOC_EVENT_OPEN, &o);
	return fds[0] < 0 ? fds[0] : 0;
}

static int event_clear(const int fds[2])
{
	return ioctl(fds[0], IPCDEV_IOC_EVENT_CLEAR, 0) ? -errno : 0;
}

static int event_set(const int fds[2])
{
	return ioctl(fds[0], IPCDEV_IOC_EVENT_SET, 0) ? -errno : 0;
}

FIXTURE(fa) {
	int fds[2];
	sigset_t sigs;		/* SIGIO and SIGRTMIN + 1, blocked */
};

/*
 * @prepare (optional) runs before each @trigger, its own signals drained;
 * @trigger must raise one with @band in si_band and @code in si_code.
 */
FIXTURE_VARIANT(fa) {
	int (*setup)(int fds[2]);
	int (*prepare)(const int fds[2]);
	int (*trigger)(const int fds[2]);
	short band;
	int code;
};

FIXTURE_VARIANT_ADD(fa, queue_put_readable) {
	.setup = queue_setup, .trigger = queue_put, .band = POLLIN, .code = POLL_IN,
};

FIXTURE_VARIANT_ADD(fa, queue_get_room) {
	.setup = queue_setup, .prepare = queue_put, .trigger = queue_get, .band = POLLOUT, .code = POLL_OUT,
};

FIXTURE_VARIANT_ADD(fa, pipe_send_to_peer) {
	.setup = pipe_setup, .trigger = pipe_send, .band = POLLIN, .code = POLL_IN,
};

FIXTURE_VARIANT_ADD(fa, shm_publish) {
	.setup = shm_setup, .trigger = shm_publish, .band = POLLIN, .code = POLL_IN,
};

FIXTURE_VARIANT_ADD(fa, shm_pwrite) {
	.setup = shm_setup, .trigger = shm_pwrite, .band = POLLIN, .code = POLL_IN,
};

FIXTURE_VARIANT_ADD(fa, event_set) {
	.setup = event_setup, .prepare = event_clear, .trigger = event_set, .band = POLLIN, .code = POLL_IN,
};

FIXTURE_SETUP(fa)
{
	int r;

	self->fds[0] = self->fds[1] = -1;
	sigemptyset(&self->sigs);
	sigaddset(&self->sigs, SIGIO);
	sigaddset(&self->sigs, SIGRTMIN + 1);
	ASSERT_EQ(0, sigprocmask(SIG_BLOCK, &self->sigs, NULL));
	r = variant->setup(self->fds);
	ASSERT_EQ(0, r) TH_LOG("setup: %s", strerror(-r));
}

FIXTURE_TEARDOWN(fa)
{
	if (self->fds[0] >= 0)
		close(self->fds[0]);
	if (self->fds[1] >= 0)
		close(self->fds[1]);
}

/* Drop pending SIGIO and SIGRTMIN + 1. */
static void drain(const sigset_t *sigs)
{
	struct timespec zero = { 0, 0 };
	siginfo_t si;

	while (sigtimedwait(sigs, &si, &zero) > 0)
		;
}

/* O_ASYNC on or off for @fd, owned by this process, with signal @sig. */
static int set_async(int fd, bool on, int sig)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETOWN, getpid()) || fcntl(fd, F_SETSIG, sig))
		return -errno;
	fl = on ? fl | O_ASYNC : fl & ~O_ASYNC;
	return fcntl(fd, F_SETFL, fl) ? -errno : 0;
}

/* Prepare, drain, trigger; then the first signal within @ms, or -1. */
static int fire(const FIXTURE_VARIANT(fa) *variant, FIXTURE_DATA(fa) *self,
		siginfo_t *si, long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	if (variant->prepare && variant->prepare(self->fds))
		return -2;
	drain(&self->sigs);
	if (variant->trigger(self->fds))
		return -3;
	memset(si, 0, sizeof(*si));
	return sigtimedwait(&self->sigs, si, &ts);
}

TEST_F(fa, f_setsig_signal_with_fd_and_band)
{
	sigset_t pending;
	siginfo_t si;

	ASSERT_EQ(0, set_async(self->fds[0], true, SIGRTMIN + 1));
	ASSERT_EQ(SIGRTMIN + 1, fcntl(self->fds[0], F_GETSIG));
	ASSERT_EQ(SIGRTMIN + 1, fire(variant, self, &si, 5000))
		TH_LOG("no signal");
	EXPECT_EQ(SIGRTMIN + 1, si.si_signo);
	EXPECT_EQ(self->fds[0], si.si_fd);
	EXPECT_EQ(variant->band, si.si_band & variant->band)
		TH_LOG("si_band %#lx", (long)si.si_band);
	EXPECT_EQ(variant->code, si.si_code);
	/* It came alone: no SIGIO beside it. */
	ASSERT_EQ(0, sigpending(&pending));
	EXPECT_FALSE(sigismember(&pending, SIGIO));

	/* Again: one per event. */
	ASSERT_EQ(SIGRTMIN + 1, fire(variant, self, &si, 5000));
	EXPECT_EQ(self->fds[0], si.si_fd);
}

TEST_F(fa, default_sigio)
{
	siginfo_t si;

	ASSERT_EQ(0, set_async(self->fds[0], true, 0));
	ASSERT_EQ(0, fcntl(self->fds[0], F_GETSIG));
	EXPECT_EQ(SIGIO, fire(variant, self, &si, 5000)) TH_LOG("no SIGIO");
}

TEST_F(fa, no_signal_after_clearing_o_async)
{
	siginfo_t si;

	/* On: it works ... */
	ASSERT_EQ(0, set_async(self->fds[0], true, SIGRTMIN + 1));
	ASSERT_EQ(SIGRTMIN + 1, fire(variant, self, &si, 5000));
	/* ... off: nothing, with F_SETSIG or without. */
	ASSERT_EQ(0, set_async(self->fds[0], false, SIGRTMIN + 1));
	EXPECT_EQ(-1, fire(variant, self, &si, 300));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, set_async(self->fds[0], false, 0));
	EXPECT_EQ(-1, fire(variant, self, &si, 300));
	EXPECT_EQ(EAGAIN, errno);
	/* And on again. */
	ASSERT_EQ(0, set_async(self->fds[0], true, 0));
	EXPECT_EQ(SIGIO, fire(variant, self, &si, 5000));
}

TEST_HARNESS_MAIN
