// SPDX-License-Identifier: GPL-2.0
/*
 * Selftests of libipcdev's queue API on top of /dev/ipcqueue: how it
 * reports timeouts, non-blocking calls, EMSGSIZE, signals and access modes
 * (userspace/lib/ipcdev.h).  Run as root with the ipcdev module loaded.
 * Helper processes report through their exit code (0 = success).
 */
#include "ipcdev_lib_test.h"

FIXTURE(lq) {
	int q;
};

FIXTURE_SETUP(lq)
{
	struct ipc_queue_attr a = { .maxsize = 2, .msgsize_max = 128 };

	self->q = ipc_queue_create(&a);
	ASSERT_LE(0, self->q) TH_LOG("ipc_queue_create: %s",
				     ipc_strerror(self->q));
}

FIXTURE_TEARDOWN(lq)
{
	if (self->q >= 0)
		ipc_queue_close(self->q);
}

TEST_F(lq, get_block_modes)
{
	char buf[8];
	int64_t t0, t1;

	/* block == 0: -EAGAIN at once. */
	errno = 0;
	EXPECT_EQ(-EAGAIN, ipc_queue_get(self->q, buf, sizeof(buf), NULL, 0, 0));
	/* block, timeout 0: no wait, but -ETIMEDOUT. */
	t0 = now_ns();
	EXPECT_EQ(-ETIMEDOUT, ipc_queue_get(self->q, buf, sizeof(buf), NULL, 1, 0));
	/* block, 100 ms: -ETIMEDOUT after at least 100 ms. */
	EXPECT_EQ(-ETIMEDOUT, ipc_queue_get(self->q, buf, sizeof(buf), NULL,
					    1, 100 * MS));
	t1 = now_ns();
	EXPECT_LE(t0 + 100 * MS, t1);
	EXPECT_GT(t0 + 2 * SEC, t1);
	EXPECT_EQ(0, ipc_queue_qsize(self->q));
	EXPECT_EQ(1, ipc_queue_empty(self->q));
}

TEST_F(lq, put_block_modes)
{
	int64_t t0, t1;

	ASSERT_EQ(0, ipc_queue_put(self->q, "a", 1, 0, 0));
	ASSERT_EQ(0, ipc_queue_put(self->q, "b", 1, 1, IPC_FOREVER));
	EXPECT_EQ(1, ipc_queue_full(self->q));
	EXPECT_EQ(-EAGAIN, ipc_queue_put(self->q, "c", 1, 0, 0));
	EXPECT_EQ(-ETIMEDOUT, ipc_queue_put(self->q, "c", 1, 1, 0));
	t0 = now_ns();
	EXPECT_EQ(-ETIMEDOUT, ipc_queue_put(self->q, "c", 1, 1, 100 * MS));
	t1 = now_ns();
	EXPECT_LE(t0 + 100 * MS, t1);
	EXPECT_GT(t0 + 2 * SEC, t1);
	EXPECT_EQ(2, ipc_queue_qsize(self->q));
}

TEST_F(lq, emsgsize_reporting)
{
	char msg[100], small[10], big[200];
	size_t needed = 12345;
	void *p = NULL;

	memset(msg, 'm', sizeof(msg));
	memset(big, 'b', sizeof(big));
	EXPECT_EQ(-EMSGSIZE, ipc_queue_put(self->q, big, 129, 0, 0));
	EXPECT_EQ(0, ipc_queue_qsize(self->q));
	ASSERT_EQ(0, ipc_queue_put(self->q, msg, sizeof(msg), 0, 0));
	ASSERT_EQ(0, ipc_queue_put(self->q, "tail", 4, 0, 0));

	EXPECT_EQ(-EMSGSIZE, ipc_queue_get(self->q, small, sizeof(small),
					   &needed, 0, 0));
	EXPECT_EQ(100, needed);
	EXPECT_EQ(2, ipc_queue_qsize(self->q));
	needed = 0;
	EXPECT_EQ(100, ipc_queue_get(self->q, big, sizeof(big), &needed, 0, 0));
	EXPECT_EQ(100, needed);
	EXPECT_EQ(0, memcmp(big, msg, sizeof(msg)));

	/* get_alloc sizes the buffer itself. */
	EXPECT_EQ(4, ipc_queue_get_alloc(self->q, &p, 0, 0));
	ASSERT_NE(NULL, p);
	EXPECT_EQ(0, memcmp(p, "tail", 4));
	free(p);
	p = (void *)1;
	EXPECT_EQ(-EAGAIN, ipc_queue_get_alloc(self->q, &p, 0, 0));
	EXPECT_EQ(NULL, p);

	/* An empty message is a message. */
	ASSERT_EQ(0, ipc_queue_put(self->q, NULL, 0, 0, 0));
	EXPECT_EQ(1, ipc_queue_qsize(self->q));
	EXPECT_EQ(0, ipc_queue_get(self->q, NULL, 0, NULL, 0, 0));
	EXPECT_EQ(0, ipc_queue_qsize(self->q));
}

/*
 * A blocking put or get without a timeout is a write() or read() (without
 * @needed): the same results as the ioctls.
 */
TEST_F(lq, plain_calls_same_results)
{
	char big[129], small[4], buf[128];
	size_t needed = 0;

	memset(big, 'b', sizeof(big));
	EXPECT_EQ(-EMSGSIZE, ipc_queue_put(self->q, big, 129, 1, IPC_FOREVER));
	ASSERT_EQ(0, ipc_queue_put(self->q, big, 100, 1, IPC_FOREVER));
	ASSERT_EQ(0, ipc_queue_put(self->q, NULL, 0, 1, IPC_FOREVER));
	/* Too small: EMSGSIZE, the message stays; @needed takes the ioctl. */
	EXPECT_EQ(-EMSGSIZE, ipc_queue_get(self->q, small, sizeof(small), NULL,
					   1, IPC_FOREVER));
	EXPECT_EQ(-EMSGSIZE, ipc_queue_get(self->q, small, sizeof(small),
					   &needed, 1, IPC_FOREVER));
	EXPECT_EQ(100, needed);
	EXPECT_EQ(100, ipc_queue_get(self->q, buf, sizeof(buf), NULL, 1,
				     IPC_FOREVER));
	EXPECT_EQ(0, memcmp(buf, big, 100));
	/* The empty message is a message. */
	EXPECT_EQ(0, ipc_queue_get(self->q, buf, sizeof(buf), NULL, 1,
				   IPC_FOREVER));
	EXPECT_EQ(-EAGAIN, ipc_queue_get(self->q, buf, sizeof(buf), NULL, 0, 0));
}

TEST_F(lq, blocking_get_woken)
{
	char buf[16];
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		sleep_ms(200);
		_exit(ipc_queue_put(self->q, "late", 4, 1, IPC_FOREVER) ? 1 : 0);
	}
	EXPECT_EQ(4, ipc_queue_get(self->q, buf, sizeof(buf), NULL,
				   1, IPC_FOREVER));
	EXPECT_EQ(0, memcmp(buf, "late", 4));
	EXPECT_EQ(0, reap(pid));
}

TEST_F(lq, o_nonblock_means_no_wait)
{
	char buf[8];
	int fl = fcntl(self->q, F_GETFL);

	ASSERT_EQ(0, fcntl(self->q, F_SETFL, fl | O_NONBLOCK));
	EXPECT_EQ(-EAGAIN, ipc_queue_get(self->q, buf, sizeof(buf), NULL,
					 1, IPC_FOREVER));
	ASSERT_EQ(0, ipc_queue_put(self->q, "a", 1, 1, IPC_FOREVER));
	ASSERT_EQ(0, ipc_queue_put(self->q, "b", 1, 1, IPC_FOREVER));
	EXPECT_EQ(-EAGAIN, ipc_queue_put(self->q, "c", 1, 1, IPC_FOREVER));
}

/* A child that sends SIGUSR1 to the parent after ms milliseconds. */
static pid_t signal_me_in(unsigned int ms)
{
	pid_t parent = getpid(), pid = fork();

	if (pid == 0) {
		sleep_ms(ms);
		kill(parent, SIGUSR1);
		_exit(0);
	}
	return pid;
}

TEST_F(lq, eintr_without_sa_restart)
{
	char buf[8];
	pid_t pid;

	got_usr1 = 0;
	install_usr1(0);
	pid = signal_me_in(200);
	ASSERT_LE(0, pid);
	EXPECT_EQ(-EINTR, ipc_queue_get(self->q, buf, sizeof(buf), NULL,
					1, 20 * SEC));
	EXPECT_EQ(SIGUSR1, got_usr1);
	EXPECT_EQ(0, reap(pid));
}

/*
 * With SA_RESTART the deadline is absolute: the total wait is not longer.
 * The signal must land inside the wait: on a loaded emulated machine the
 * child can be late past the deadline (seen on the faults lane), and then
 * the round says nothing, so it is tried again, 5 times at most.
 */
TEST_F(lq, sa_restart_keeps_deadline)
{
	char buf[8];
	int64_t t0, t1;
	int ret, sig = 0;
	pid_t pid;

	install_usr1(SA_RESTART);
	for (int round = 0; round < 5 && !sig; round++) {
		got_usr1 = 0;
		t0 = now_ns();
		pid = signal_me_in(1200);
		ASSERT_LE(0, pid);
		ret = ipc_queue_get(self->q, buf, sizeof(buf), NULL, 1,
				    2 * SEC);
		t1 = now_ns();
		sig = got_usr1;
		ASSERT_EQ(0, reap(pid));
		if (!sig)
			TH_LOG("round %d: the signal came after the wait", round);
	}
	ASSERT_EQ(SIGUSR1, sig);
	EXPECT_EQ(-ETIMEDOUT, ret);
	EXPECT_LE(t0 + 2 * SEC, t1);
	EXPECT_GT(t0 + 2900 * MS, t1) TH_LOG("waited %lld ms",
					     (long long)((t1 - t0) / MS));
}

/*
 * ipc_queue_put_many(): as many as fit, in order, each whole; a short
 * batch is a success, and the next call reports why it stopped; the
 * errno conventions of ipc_queue_put().
 */
TEST_F(lq, put_many_partial_and_errors)
{
	char big[129], buf[8];
	struct iovec m[3] = {
		{ "a", 1 }, { "bb", 2 }, { "ccc", 3 },
	};
	size_t len;

	memset(big, 'b', sizeof(big));
	EXPECT_EQ(0, ipc_queue_put_many(self->q, m, 0, 0, 0));
	EXPECT_EQ(-EFAULT, ipc_queue_put_many(self->q, NULL, 1, 0, 0));
	EXPECT_EQ(-EBADF, ipc_queue_put_many(-1, m, 3, 0, 0));
	/* maxsize 2: two of three, then the third finds no room. */
	EXPECT_EQ(2, ipc_queue_put_many(self->q, m, 3, 1, IPC_FOREVER));
	EXPECT_EQ(2, ipc_queue_qsize(self->q));
	EXPECT_EQ(-EAGAIN, ipc_queue_put_many(self->q, m + 2, 1, 0, 0));
	EXPECT_EQ(-ETIMEDOUT, ipc_queue_put_many(self->q, m + 2, 1, 1, 0));
	EXPECT_EQ(-ETIMEDOUT, ipc_queue_put_many(self->q, m + 2, 1, 1,
						 10 * MS));
	EXPECT_EQ(1, ipc_queue_get(self->q, buf, sizeof(buf), &len, 0, 0));
	EXPECT_EQ('a', buf[0]);
	EXPECT_EQ(2, ipc_queue_get(self->q, buf, sizeof(buf), &len, 0, 0));
	EXPECT_EQ(0, memcmp(buf, "bb", 2));

	/* EMSGSIZE in the middle: the first is put, the rest not. */
	m[1] = (struct iovec){ big, 129 };
	EXPECT_EQ(1, ipc_queue_put_many(self->q, m, 3, 0, 0));
	EXPECT_EQ(-EMSGSIZE, ipc_queue_put_many(self->q, m + 1, 2, 0, 0));
	EXPECT_EQ(1, ipc_queue_qsize(self->q));
	/* A bad buffer in the middle: EFAULT is the next call's. */
	m[1] = (struct iovec){ (void *)8, 4 };
	EXPECT_EQ(1, ipc_queue_put_many(self->q, m + 2, 1, 0, 0));
	EXPECT_EQ(2, ipc_queue_qsize(self->q));
	EXPECT_EQ(1, ipc_queue_get(self->q, buf, sizeof(buf), &len, 0, 0));
	EXPECT_EQ(3, ipc_queue_get(self->q, buf, sizeof(buf), &len, 0, 0));
	EXPECT_EQ(1, ipc_queue_put_many(self->q, m, 3, 0, 0));
	EXPECT_EQ(-EFAULT, ipc_queue_put_many(self->q, m + 1, 2, 0, 0));
	EXPECT_EQ(1, ipc_queue_qsize(self->q));
	/* An empty message (NULL, 0) is a message. */
	m[0] = (struct iovec){ NULL, 0 };
	EXPECT_EQ(1, ipc_queue_put_many(self->q, m, 1, 0, 0));
	EXPECT_EQ(2, ipc_queue_qsize(self->q));
}

/*
 * ipc_queue_get_many(): what is queued, in order, the lengths in @lens;
 * a message longer than its buffer stops the batch and stays, its length
 * in lens[n]; the errno conventions of ipc_queue_get().
 */
TEST_F(lq, get_many_partial_and_errors)
{
	char b0[8], b1[8], b2[128];
	struct iovec bufs[3] = { { b0, 8 }, { b1, 8 }, { b2, 128 } };
	size_t lens[3] = { 77, 77, 77 };
	char msg[100];

	memset(msg, 'm', sizeof(msg));
	EXPECT_EQ(0, ipc_queue_get_many(self->q, bufs, lens, 0, 0, 0));
	EXPECT_EQ(-EFAULT, ipc_queue_get_many(self->q, NULL, lens, 1, 0, 0));
	EXPECT_EQ(-EFAULT, ipc_queue_get_many(self->q, bufs, NULL, 1, 0, 0));
	EXPECT_EQ(-EBADF, ipc_queue_get_many(-1, bufs, lens, 3, 0, 0));
	EXPECT_EQ(-EAGAIN, ipc_queue_get_many(self->q, bufs, lens, 3, 0, 0));
	EXPECT_EQ(-ETIMEDOUT, ipc_queue_get_many(self->q, bufs, lens, 3, 1, 0));
	EXPECT_EQ(-ETIMEDOUT, ipc_queue_get_many(self->q, bufs, lens, 3, 1,
						 10 * MS));
	EXPECT_EQ(77, lens[0]);		/* nothing got: untouched */

	/* Short: two queued, three buffers. */
	ASSERT_EQ(0, ipc_queue_put(self->q, "one", 3, 0, 0));
	ASSERT_EQ(0, ipc_queue_put(self->q, "two!", 4, 0, 0));
	EXPECT_EQ(2, ipc_queue_get_many(self->q, bufs, lens, 3, 1, IPC_FOREVER));
	EXPECT_EQ(3, lens[0]);
	EXPECT_EQ(4, lens[1]);
	EXPECT_EQ(77, lens[2]);
	EXPECT_EQ(0, memcmp(b0, "one", 3));
	EXPECT_EQ(0, memcmp(b1, "two!", 4));
	EXPECT_EQ(0, ipc_queue_qsize(self->q));

	/* EMSGSIZE in the middle: one got, the long one stays. */
	ASSERT_EQ(0, ipc_queue_put(self->q, "x", 1, 0, 0));
	ASSERT_EQ(0, ipc_queue_put(self->q, msg, sizeof(msg), 0, 0));
	lens[1] = 0;
	EXPECT_EQ(1, ipc_queue_get_many(self->q, bufs, lens, 3, 0, 0));
	EXPECT_EQ(1, lens[0]);
	EXPECT_EQ(100, lens[1]);	/* the next message's length */
	EXPECT_EQ(1, ipc_queue_qsize(self->q));
	/* ... and first: -EMSGSIZE, lens[0] its length. */
	lens[0] = 0;
	EXPECT_EQ(-EMSGSIZE, ipc_queue_get_many(self->q, bufs, lens, 3, 0, 0));
	EXPECT_EQ(100, lens[0]);
	EXPECT_EQ(1, ipc_queue_qsize(self->q));
	/* A bad buffer: -EFAULT, the message stays. */
	bufs[0] = (struct iovec){ (void *)8, 128 };
	EXPECT_EQ(-EFAULT, ipc_queue_get_many(self->q, bufs, lens, 1, 0, 0));
	EXPECT_EQ(1, ipc_queue_qsize(self->q));
	EXPECT_EQ(1, ipc_queue_get_many(self->q, bufs + 2, lens, 1, 0, 0));
	EXPECT_EQ(100, lens[0]);
	EXPECT_EQ(0, memcmp(b2, msg, sizeof(msg)));
}

/* At most IPCDEV_MSGVEC_MAX per call; the rest are ignored, not lost. */
TEST(many_count_clamped)
{
	struct iovec m[IPCDEV_MSGVEC_MAX + 6], bufs[IPCDEV_MSGVEC_MAX + 6];
	size_t lens[IPCDEV_MSGVEC_MAX + 6];
	unsigned char vals[IPCDEV_MSGVEC_MAX + 6], got[IPCDEV_MSGVEC_MAX + 6];
	unsigned int i, n = IPCDEV_MSGVEC_MAX + 6;
	int q = ipc_queue_create(NULL);

	ASSERT_LE(0, q);
	for (i = 0; i < n; i++) {
		vals[i] = (unsigned char)i;
		m[i] = (struct iovec){ &vals[i], 1 };
		bufs[i] = (struct iovec){ &got[i], 1 };
	}
	EXPECT_EQ(IPCDEV_MSGVEC_MAX, ipc_queue_put_many(q, m, n, 0, 0));
	EXPECT_EQ(6, ipc_queue_put_many(q, m + IPCDEV_MSGVEC_MAX, 6, 0, 0));
	EXPECT_EQ((int)n, ipc_queue_qsize(q));
	memset(got, 0xff, sizeof(got));
	EXPECT_EQ(IPCDEV_MSGVEC_MAX, ipc_queue_get_many(q, bufs, lens, n, 0, 0));
	EXPECT_EQ(6, ipc_queue_get_many(q, bufs + IPCDEV_MSGVEC_MAX,
					lens + IPCDEV_MSGVEC_MAX, 6, 0, 0));
	for (i = 0; i < n; i++) {
		EXPECT_EQ(1, lens[i]);
		EXPECT_EQ(vals[i], got[i]);
	}
	ipc_queue_close(q);
}

TEST(access_modes_and_names)
{
	char name[64], buf[8];
	int w, r;

	snprintf(name, sizeof(name), "ksft-lib-%d", getpid());
	ipc_queue_unlink(name);
	EXPECT_EQ(-ENOENT, ipc_queue_open(name, O_RDWR, 0600, NULL));
	w = ipc_queue_open(name, O_WRONLY | IPC_CREAT | IPC_EXCL, 0600, NULL);
	ASSERT_LE(0, w) TH_LOG("%s", ipc_strerror(w));
	EXPECT_EQ(-EEXIST, ipc_queue_open(name, O_RDWR | IPC_CREAT | IPC_EXCL,
					  0600, NULL));
	r = ipc_queue_open(name, O_RDONLY, 0, NULL);
	ASSERT_LE(0, r);
	EXPECT_EQ(-EBADF, ipc_queue_get(w, buf, sizeof(buf), NULL, 0, 0));
	EXPECT_EQ(-EBADF, ipc_queue_put(r, "x", 1, 0, 0));
	/* The same through the plain (read/write) calls. */
	EXPECT_EQ(-EBADF, ipc_queue_get(w, buf, sizeof(buf), NULL, 1,
					IPC_FOREVER));
	EXPECT_EQ(-EBADF, ipc_queue_put(r, "x", 1, 1, IPC_FOREVER));
	ASSERT_EQ(0, ipc_queue_put(w, "x", 1, 0, 0));
	EXPECT_EQ(1, ipc_queue_get(r, buf, sizeof(buf), NULL, 0, 0));
	EXPECT_EQ(-EINVAL, ipc_queue_open("a/b", O_RDWR | IPC_CREAT, 0600, NULL));
	EXPECT_EQ(-EINVAL, ipc_queue_open("", O_RDWR | IPC_CREAT, 0600, NULL));
	EXPECT_EQ(0, ipc_queue_unlink(name));
	EXPECT_EQ(-ENOENT, ipc_queue_unlink(name));
	ipc_queue_close(w);
	ipc_queue_close(r);
}

TEST_HARNESS_MAIN
