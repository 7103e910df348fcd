// SPDX-License-Identifier: GPL-2.0
/*
 * Selftests of libipcdev's pipe API on top of /dev/ipcpipe: how it reports
 * end of file (-EPIPE, distinct from an empty message), the size a message
 * needs, directions, timeouts, signals, poll and named pipes
 * (userspace/lib/ipcdev.h).  Run as root with the ipcdev module loaded.
 * Helper processes report through their exit code (0 = success).
 */
#include <stdio.h>

#include "ipcdev_lib_test.h"

/* Wait until @n tasks are blocked in recv on @end; 0 or -1. */
static int wait_receivers(int end, unsigned int n)
{
	struct ipcdev_pipe_stat st;
	int64_t stop = now_ns() + 10 * SEC;

	do {
		if (ipc_pipe_stat(end, &st))
			return -1;
		if (st.receivers == n)
			return 0;
		sleep_ms(1);
	} while (now_ns() < stop);
	return -1;
}

static void close_ends(int e[2])
{
	if (e[0] >= 0)
		ipc_pipe_close(e[0]);
	if (e[1] >= 0)
		ipc_pipe_close(e[1]);
	e[0] = e[1] = -1;
}

FIXTURE(lp) {
	int e[2];	/* one-way: e[0] receives, e[1] sends */
};

FIXTURE_SETUP(lp)
{
	struct ipc_pipe_attr a = { .capacity = 8 };
	int r = ipc_pipe2(0, &a, self->e);

	ASSERT_EQ(0, r) TH_LOG("ipc_pipe2: %s", ipc_strerror(r));
}

FIXTURE_TEARDOWN(lp)
{
	close_ends(self->e);
}

TEST(duplex_pair)
{
	struct ipcdev_pipe_stat st;
	char buf[16];
	int e[2] = { -1, -1 };

	ASSERT_EQ(0, ipc_pipe(1, e));
	EXPECT_LE(0, e[0]);
	EXPECT_LE(0, e[1]);
	EXPECT_EQ(FD_CLOEXEC, fcntl(e[0], F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(FD_CLOEXEC, fcntl(e[1], F_GETFD) & FD_CLOEXEC);
	ASSERT_EQ(0, ipc_pipe_stat(e[1], &st));
	EXPECT_EQ(1, st.end);
	EXPECT_EQ(IPCDEV_PIPE_DUPLEX, st.flags & IPCDEV_PIPE_DUPLEX);
	EXPECT_EQ(0, ipc_pipe_send(e[0], "ping", 4, 1, IPC_FOREVER));
	EXPECT_EQ(0, ipc_pipe_send(e[1], "pong!", 5, 0, 0));
	EXPECT_EQ(4, ipc_pipe_recv(e[1], buf, sizeof(buf), NULL, 1, IPC_FOREVER));
	EXPECT_EQ(0, memcmp(buf, "ping", 4));
	EXPECT_EQ(5, ipc_pipe_recv(e[0], buf, sizeof(buf), NULL, 0, 0));
	EXPECT_EQ(0, memcmp(buf, "pong!", 5));
	EXPECT_EQ(0, ipc_pipe_close(e[0]));
	EXPECT_EQ(-EBADF, ipc_pipe_close(e[0]));
	EXPECT_EQ(0, ipc_pipe_close(e[1]));
	EXPECT_EQ(-EFAULT, ipc_pipe(1, NULL));
}

TEST_F(lp, one_way_directions)
{
	struct ipcdev_pipe_stat st;
	char buf[8];
	void *p = (void *)1;

	EXPECT_EQ(-EBADF, ipc_pipe_send(self->e[0], "x", 1, 0, 0));
	EXPECT_EQ(-EBADF, ipc_pipe_recv(self->e[1], buf, sizeof(buf), NULL, 0, 0));
	EXPECT_EQ(-EBADF, ipc_pipe_recv_alloc(self->e[1], &p, 0, 0));
	EXPECT_EQ(NULL, p);
	EXPECT_EQ(-EBADF, ipc_pipe_poll(self->e[1], 0));
	ASSERT_EQ(0, ipc_pipe_stat(self->e[0], &st));
	EXPECT_EQ(0, st.end);
	EXPECT_EQ(0, st.flags);
	EXPECT_EQ(8, st.capacity);
	/* A queue call on a pipe end, and a pipe call on a queue handle. */
	EXPECT_EQ(-ENOTTY, ipc_queue_put(self->e[1], "x", 1, 0, 0));
	int q = ipc_queue_create(NULL);

	ASSERT_LE(0, q);
	EXPECT_EQ(-ENOTTY, ipc_pipe_send(q, "x", 1, 0, 0));
	EXPECT_EQ(-ENOTTY, ipc_pipe_poll(q, 0));
	EXPECT_EQ(-ENOTTY, ipc_pipe_stat(q, &st));
	ipc_queue_close(q);
	EXPECT_EQ(-EBADF, ipc_pipe_poll(-1, 0));
}

TEST_F(lp, empty_message_is_not_eof)
{
	char buf[8];
	size_t needed = 99;
	void *p = (void *)1;

	ASSERT_EQ(0, ipc_pipe_send(self->e[1], NULL, 0, 0, 0));
	ASSERT_EQ(0, ipc_pipe_send(self->e[1], "", 0, 0, 0));
	ASSERT_EQ(0, ipc_pipe_send(self->e[1], "last", 4, 0, 0));
	EXPECT_EQ(0, ipc_pipe_recv(self->e[0], NULL, 0, &needed, 0, 0));
	EXPECT_EQ(0, needed);
	EXPECT_EQ(0, ipc_pipe_recv_alloc(self->e[0], &p, 0, 0));
	EXPECT_NE(NULL, p);
	free(p);
	ipc_pipe_close(self->e[1]);
	self->e[1] = -1;
	EXPECT_EQ(1, ipc_pipe_poll(self->e[0], 0));
	EXPECT_EQ(4, ipc_pipe_recv(self->e[0], buf, sizeof(buf), NULL, 1, IPC_FOREVER));
	/* Drained: end of file, in every mode, and poll says "ready". */
	needed = 99;
	EXPECT_EQ(-EPIPE, ipc_pipe_recv(self->e[0], buf, sizeof(buf), &needed, 0, 0));
	EXPECT_EQ(99, needed);
	EXPECT_EQ(-EPIPE, ipc_pipe_recv(self->e[0], buf, sizeof(buf), NULL, 1, IPC_FOREVER));
	EXPECT_EQ(-EPIPE, ipc_pipe_recv(self->e[0], buf, sizeof(buf), NULL, 1, SEC));
	p = (void *)1;
	EXPECT_EQ(-EPIPE, ipc_pipe_recv_alloc(self->e[0], &p, 1, IPC_FOREVER));
	EXPECT_EQ(NULL, p);
	EXPECT_EQ(1, ipc_pipe_poll(self->e[0], 0));
	EXPECT_EQ(1, ipc_pipe_poll(self->e[0], -1));
}

TEST_F(lp, send_epipe)
{
	ipc_pipe_close(self->e[0]);
	self->e[0] = -1;
	/* The library uses the SEND ioctl: -EPIPE, no SIGPIPE. */
	signal(SIGPIPE, SIG_DFL);
	EXPECT_EQ(-EPIPE, ipc_pipe_send(self->e[1], "x", 1, 0, 0));
	EXPECT_EQ(-EPIPE, ipc_pipe_send(self->e[1], "x", 1, 1, IPC_FOREVER));
	EXPECT_EQ(-EPIPE, ipc_pipe_send(self->e[1], NULL, 0, 1, 10 * MS));
}

/*
 * ipc_pipe_send_many() and ipc_pipe_recv_many(): the directions (-EBADF),
 * as much as the capacity holds (8 bytes), what is queued, in order, and
 * -EPIPE once the peer is gone (recv: after the queued messages).
 */
TEST_F(lp, send_recv_many)
{
	struct iovec m[4] = { { "abc", 3 }, { "de", 2 }, { "fgh", 3 },
			      { "i", 1 } };
	char b[4][8];
	struct iovec bufs[4] = { { b[0], 8 }, { b[1], 8 }, { b[2], 8 },
				 { b[3], 8 } };
	size_t lens[4] = { 0 };

	EXPECT_EQ(-EBADF, ipc_pipe_send_many(self->e[0], m, 4, 0, 0));
	EXPECT_EQ(-EBADF, ipc_pipe_recv_many(self->e[1], bufs, lens, 4, 0, 0));
	EXPECT_EQ(-EAGAIN, ipc_pipe_recv_many(self->e[0], bufs, lens, 4, 0, 0));
	EXPECT_EQ(-ETIMEDOUT, ipc_pipe_recv_many(self->e[0], bufs, lens, 4, 1,
						 10 * MS));
	/* 3 + 2 + 3 = 8 bytes fit; "i" does not. */
	EXPECT_EQ(3, ipc_pipe_send_many(self->e[1], m, 4, 1, IPC_FOREVER));
	EXPECT_EQ(-EAGAIN, ipc_pipe_send_many(self->e[1], m + 3, 1, 0, 0));
	EXPECT_EQ(-ETIMEDOUT, ipc_pipe_send_many(self->e[1], m + 3, 1, 1, 0));
	/* Two buffers: two messages, the third stays. */
	EXPECT_EQ(2, ipc_pipe_recv_many(self->e[0], bufs, lens, 2, 0, 0));
	EXPECT_EQ(3, lens[0]);
	EXPECT_EQ(2, lens[1]);
	EXPECT_EQ(0, memcmp(b[0], "abc", 3));
	EXPECT_EQ(0, memcmp(b[1], "de", 2));
	EXPECT_EQ(1, ipc_pipe_send_many(self->e[1], m + 3, 1, 0, 0));
	/* A short buffer in the middle: fgh, then "i" too long for 0 bytes. */
	bufs[1].iov_len = 0;
	lens[1] = 0;
	EXPECT_EQ(1, ipc_pipe_recv_many(self->e[0], bufs, lens, 4, 0, 0));
	EXPECT_EQ(3, lens[0]);
	EXPECT_EQ(0, memcmp(b[0], "fgh", 3));
	EXPECT_EQ(1, lens[1]);
	bufs[1].iov_len = 8;
	/* The sender goes: what is queued first, then -EPIPE. */
	close_ends((int[2]){ -1, self->e[1] });
	self->e[1] = -1;
	EXPECT_EQ(1, ipc_pipe_recv_many(self->e[0], bufs, lens, 4, 1,
					IPC_FOREVER));
	EXPECT_EQ(1, lens[0]);
	EXPECT_EQ('i', b[0][0]);
	EXPECT_EQ(-EPIPE, ipc_pipe_recv_many(self->e[0], bufs, lens, 4, 1,
					     IPC_FOREVER));
}

/* send_many to a pipe whose receiver is gone: -EPIPE, as ipc_pipe_send(). */
TEST_F(lp, send_many_epipe)
{
	struct iovec m[2] = { { "x", 1 }, { "y", 1 } };

	ipc_pipe_close(self->e[0]);
	self->e[0] = -1;
	signal(SIGPIPE, SIG_DFL);
	EXPECT_EQ(-EPIPE, ipc_pipe_send_many(self->e[1], m, 2, 0, 0));
	EXPECT_EQ(-EPIPE, ipc_pipe_send_many(self->e[1], m, 2, 1, IPC_FOREVER));
}

TEST(needed_and_alloc)
{
	char small[10], *big = malloc(100000);
	size_t needed = 0;
	void *p = NULL;
	int e[2];

	ASSERT_NE(NULL, big);
	ASSERT_EQ(0, ipc_pipe(0, e));
	for (int i = 0; i < 100000; i++)
		big[i] = (char)(i * 7);
	ASSERT_EQ(0, ipc_pipe_send(e[1], big, 100, 0, 0));
	ASSERT_EQ(0, ipc_pipe_send(e[1], big, 100000, 1, IPC_FOREVER));
	EXPECT_EQ(-EMSGSIZE, ipc_pipe_recv(e[0], small, sizeof(small), &needed, 0, 0));
	EXPECT_EQ(100, needed);
	EXPECT_EQ(-EMSGSIZE, ipc_pipe_recv(e[0], NULL, 0, NULL, 0, 0));
	EXPECT_EQ(100, ipc_pipe_recv_alloc(e[0], &p, 0, 0));
	ASSERT_NE(NULL, p);
	EXPECT_EQ(0, memcmp(p, big, 100));
	free(p);
	/* Larger than the first buffer ipc_pipe_recv_alloc() tries. */
	EXPECT_EQ(100000, ipc_pipe_recv_alloc(e[0], &p, 1, SEC));
	ASSERT_NE(NULL, p);
	EXPECT_EQ(0, memcmp(p, big, 100000));
	free(p);
	p = (void *)1;
	EXPECT_EQ(-EAGAIN, ipc_pipe_recv_alloc(e[0], &p, 0, 0));
	EXPECT_EQ(NULL, p);
	close_ends(e);
	free(big);
}

TEST_F(lp, recv_timeouts)
{
	char buf[8];
	int64_t t0, t1;

	EXPECT_EQ(-EAGAIN, ipc_pipe_recv(self->e[0], buf, sizeof(buf), NULL, 0, 0));
	EXPECT_EQ(-ETIMEDOUT, ipc_pipe_recv(self->e[0], buf, sizeof(buf), NULL, 1, 0));
	t0 = now_ns();
	EXPECT_EQ(-ETIMEDOUT, ipc_pipe_recv(self->e[0], buf, sizeof(buf), NULL,
					    1, 100 * MS));
	t1 = now_ns();
	EXPECT_LE(t0 + 100 * MS, t1);
	EXPECT_GT(t0 + 2 * SEC, t1);
}

TEST_F(lp, send_timeouts)
{
	int64_t t0, t1;

	ASSERT_EQ(0, ipc_pipe_send(self->e[1], "12345678", 8, 0, 0));	/* full */
	EXPECT_EQ(-EAGAIN, ipc_pipe_send(self->e[1], "x", 1, 0, 0));
	EXPECT_EQ(-ETIMEDOUT, ipc_pipe_send(self->e[1], "x", 1, 1, 0));
	t0 = now_ns();
	EXPECT_EQ(-ETIMEDOUT, ipc_pipe_send(self->e[1], "x", 1, 1, 100 * MS));
	t1 = now_ns();
	EXPECT_LE(t0 + 100 * MS, t1);
	EXPECT_GT(t0 + 2 * SEC, t1);
	/* A message larger than the capacity waits for an empty pipe. */
	EXPECT_EQ(-EAGAIN, ipc_pipe_send(self->e[1], "0123456789", 10, 0, 0));
}

TEST_F(lp, o_nonblock_means_no_wait)
{
	char buf[8];

	ASSERT_EQ(0, fcntl(self->e[0], F_SETFL, O_NONBLOCK));
	EXPECT_EQ(-EAGAIN, ipc_pipe_recv(self->e[0], buf, sizeof(buf), NULL,
					 1, IPC_FOREVER));
}

TEST_F(lp, poll)
{
	char buf[8];
	int64_t t0, t1;
	pid_t pid;

	EXPECT_EQ(0, ipc_pipe_poll(self->e[0], 0));
	t0 = now_ns();
	EXPECT_EQ(0, ipc_pipe_poll(self->e[0], 100));
	t1 = now_ns();
	EXPECT_LE(t0 + 100 * MS, t1);
	EXPECT_GT(t0 + 2 * SEC, t1);
	ASSERT_EQ(0, ipc_pipe_send(self->e[1], "m", 1, 0, 0));
	EXPECT_EQ(1, ipc_pipe_poll(self->e[0], 0));
	EXPECT_EQ(1, ipc_pipe_poll(self->e[0], -1));
	/* poll consumes nothing */
	EXPECT_EQ(-EMSGSIZE, ipc_pipe_recv(self->e[0], NULL, 0, NULL, 0, 0));
	EXPECT_EQ(1, ipc_pipe_recv(self->e[0], buf, sizeof(buf), NULL, 0, 0));
	EXPECT_EQ(0, ipc_pipe_poll(self->e[0], 0));
	/* Woken by a message from another process. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		sleep_ms(200);
		_exit(-ipc_pipe_send(self->e[1], "late", 4, 1, IPC_FOREVER));
	}
	t0 = now_ns();
	EXPECT_EQ(1, ipc_pipe_poll(self->e[0], 20000));
	EXPECT_LE(t0 + 100 * MS, now_ns());
	EXPECT_EQ(0, reap(pid));
	/* Woken by end of file. */
	ASSERT_EQ(4, ipc_pipe_recv(self->e[0], buf, sizeof(buf), NULL, 0, 0));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		sleep_ms(200);
		_exit(0);
	}
	ipc_pipe_close(self->e[1]);
	self->e[1] = -1;
	EXPECT_EQ(1, ipc_pipe_poll(self->e[0], 20000));
	EXPECT_EQ(-EPIPE, ipc_pipe_recv(self->e[0], NULL, 0, NULL, 0, 0));
	EXPECT_EQ(0, reap(pid));
	/* A /dev/ipcpipe device descriptor is no pipe end. */
	int fd = open(IPC_PIPE_DEVICE, O_RDWR);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-ENOTTY, ipc_pipe_poll(fd, 0));
	EXPECT_EQ(-ENOTTY, ipc_pipe_send(fd, "x", 1, 0, 0));
	close(fd);
}

/* A child that sends SIGUSR1 to the parent once it blocks in recv. */
static pid_t signal_me_when_blocked(int end)
{
	pid_t parent = getpid(), pid = fork();

	if (pid == 0) {
		_exit(wait_receivers(end, 1) || kill(parent, SIGUSR1) ? 1 : 0);
	}
	return pid;
}

TEST_F(lp, eintr_and_sa_restart)
{
	char buf[8];
	int64_t t0, t1;
	pid_t pid;

	got_usr1 = 0;
	install_usr1(0);
	pid = signal_me_when_blocked(self->e[0]);
	ASSERT_LE(0, pid);
	EXPECT_EQ(-EINTR, ipc_pipe_recv(self->e[0], buf, sizeof(buf), NULL,
					1, 20 * SEC));
	EXPECT_EQ(SIGUSR1, got_usr1);
	EXPECT_EQ(0, reap(pid));

	/* poll(2) is never restarted: -EINTR even with SA_RESTART. */
	got_usr1 = 0;
	install_usr1(SA_RESTART);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		sleep_ms(300);
		_exit(kill(getppid(), SIGUSR1) ? 1 : 0);
	}
	EXPECT_EQ(-EINTR, ipc_pipe_poll(self->e[0], 20000));
	EXPECT_EQ(0, reap(pid));

	/* SA_RESTART: restarted, with the same absolute deadline. */
	got_usr1 = 0;
	t0 = now_ns();
	pid = signal_me_when_blocked(self->e[0]);
	ASSERT_LE(0, pid);
	EXPECT_EQ(-ETIMEDOUT, ipc_pipe_recv(self->e[0], buf, sizeof(buf), NULL,
					    1, 1500 * MS));
	t1 = now_ns();
	EXPECT_EQ(SIGUSR1, got_usr1);
	EXPECT_LE(t0 + 1500 * MS, t1);
	EXPECT_GT(t0 + 3 * SEC, t1) TH_LOG("waited %lld ms",
					   (long long)((t1 - t0) / MS));
	EXPECT_EQ(0, reap(pid));
}

TEST(named_pipes)
{
	struct ipc_pipe_attr a = { .capacity = 4096 };
	struct ipcdev_pipe_stat st;
	char name[64], buf[16];
	int e0, e1;
	pid_t pid;

	snprintf(name, sizeof(name), "ksft-lib-pipe-%d", getpid());
	ipc_pipe_unlink(name);
	EXPECT_EQ(-ENOENT, ipc_pipe_open(name, 0, O_RDWR, 0, NULL));
	EXPECT_EQ(-EINVAL, ipc_pipe_open(name, 2, O_RDWR | IPC_CREAT, 0600, NULL));
	EXPECT_EQ(-EINVAL, ipc_pipe_open(name, -1, O_RDWR | IPC_CREAT, 0600, NULL));
	EXPECT_EQ(-EINVAL, ipc_pipe_open(name, 0, O_RDWR | IPC_CREAT | 0100000,
					 0600, NULL));
	EXPECT_EQ(-EINVAL, ipc_pipe_open(name, 0, O_ACCMODE | IPC_CREAT, 0600, NULL));
	EXPECT_EQ(-EINVAL, ipc_pipe_open(name, 0, O_RDWR | IPC_CREAT, 01777, NULL));
	EXPECT_EQ(-EINVAL, ipc_pipe_open(NULL, 0, O_RDWR | IPC_CREAT, 0600, NULL));
	EXPECT_EQ(-EINVAL, ipc_pipe_open("a/b", 0, O_RDWR | IPC_CREAT, 0600, NULL));
	e0 = ipc_pipe_open(name, 0, O_RDWR | IPC_CREAT | IPC_EXCL | IPC_PIPE_DUPLEX,
			   0600, &a);
	ASSERT_LE(0, e0) TH_LOG("%s", ipc_strerror(e0));
	EXPECT_EQ(FD_CLOEXEC, fcntl(e0, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(-EEXIST, ipc_pipe_open(name, 1, O_RDWR | IPC_CREAT | IPC_EXCL,
					 0600, NULL));
	ASSERT_EQ(0, ipc_pipe_stat(e0, &st));
	EXPECT_EQ(4096, st.capacity);
	EXPECT_EQ(IPCDEV_PIPE_DUPLEX | IPCDEV_STAT_NAMED, st.flags);
	/* End 1 not attached yet: recv waits rather than reporting EOF. */
	EXPECT_EQ(-EAGAIN, ipc_pipe_recv(e0, buf, sizeof(buf), NULL, 0, 0));
	EXPECT_EQ(0, ipc_pipe_poll(e0, 0));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd = ipc_pipe_open(name, 1, O_RDWR, 0, NULL);
		ssize_t n;

		if (fd < 0)
			_exit(-fd);
		n = ipc_pipe_recv(fd, buf, sizeof(buf), NULL, 1, 10 * SEC);
		if (n != 5 || memcmp(buf, "hello", 5))
			_exit(100);
		_exit(-ipc_pipe_send(fd, "world", 5, 1, 10 * SEC));
	}
	ASSERT_EQ(0, ipc_pipe_send(e0, "hello", 5, 1, IPC_FOREVER));
	EXPECT_EQ(5, ipc_pipe_recv(e0, buf, sizeof(buf), NULL, 1, 10 * SEC));
	EXPECT_EQ(0, memcmp(buf, "world", 5));
	EXPECT_EQ(0, reap(pid));
	EXPECT_EQ(-EPIPE, ipc_pipe_recv(e0, buf, sizeof(buf), NULL, 1, IPC_FOREVER));

	/* One-way by name, access modes. */
	EXPECT_EQ(0, ipc_pipe_unlink(name));
	EXPECT_EQ(-ENOENT, ipc_pipe_unlink(name));
	ipc_pipe_close(e0);
	e0 = ipc_pipe_open(name, 0, O_RDONLY | IPC_CREAT, 0600, NULL);
	ASSERT_LE(0, e0);
	e1 = ipc_pipe_open(name, 1, O_WRONLY, 0, NULL);
	ASSERT_LE(0, e1);
	EXPECT_EQ(-EBADF, ipc_pipe_send(e0, "x", 1, 0, 0));
	EXPECT_EQ(0, ipc_pipe_send(e1, "x", 1, 0, 0));
	EXPECT_EQ(1, ipc_pipe_poll(e0, 0));
	EXPECT_EQ(1, ipc_pipe_recv(e0, buf, sizeof(buf), NULL, 0, 0));
	ipc_pipe_close(e1);
	/* O_WRONLY on the receiving end: poll cannot report anything. */
	e1 = ipc_pipe_open(name, 0, O_WRONLY, 0, NULL);
	ASSERT_LE(0, e1);
	EXPECT_EQ(-EBADF, ipc_pipe_poll(e1, 0));
	ipc_pipe_close(e1);
	ipc_pipe_close(e0);
	EXPECT_EQ(0, ipc_pipe_unlink(name));
	EXPECT_EQ(-EINVAL, ipc_pipe_unlink(""));
	EXPECT_EQ(-EINVAL, ipc_pipe_unlink(NULL));
}

TEST(capacity_attr)
{
	struct ipc_pipe_attr a = { .capacity = 1ULL << 40 };
	struct ipcdev_pipe_stat st;
	int e[2] = { -1, -1 };

	EXPECT_EQ(-EINVAL, ipc_pipe2(1, &a, e));
	EXPECT_EQ(-1, e[0]);
	EXPECT_EQ(-1, e[1]);
	a.capacity = 12345;
	ASSERT_EQ(0, ipc_pipe2(1, &a, e));
	ASSERT_EQ(0, ipc_pipe_stat(e[0], &st));
	EXPECT_EQ(12345, st.capacity);
	EXPECT_EQ(1, st.handles[0]);
	EXPECT_EQ(1, st.handles[1]);
	close_ends(e);
}

TEST_HARNESS_MAIN
