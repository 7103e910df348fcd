// SPDX-License-Identifier: GPL-2.0
/*
 * Selftests of /dev/ipcqueue, the raw ioctl/read/write/poll ABI of
 * uapi/linux/ipcdev.h.  Run as root with the ipcdev module loaded.
 *
 * Conventions: helpers return 0 or -errno; helper processes forked by a
 * test never use ASSERT_* (that would run the fixture teardown in the
 * child) but report through their exit code: 0 = success, otherwise an
 * errno value or one of the CHILD_* codes below (never 255, which the
 * harness reads as SKIP).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
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
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/userfaultfd.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include <linux/ipcdev.h>

#include "ipcdev_test.h"

/*
 * The harness (as shipped with 6.1) is not -Wextra clean: it has unused
 * parameters, and its EXPECT_*() macros compare the expected and seen
 * values with their own types, so every EXPECT_EQ(0, st.count) on an
 * unsigned field warns about signedness.  Both are harness artefacts.
 */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"

#define DEV		"/dev/ipcqueue"

/* ------------------------------------------------------------------ */
/* Helpers                                                            */
/* ------------------------------------------------------------------ */

static int q_bind(int fd, const char *name, __u32 flags, __u32 mode,
		  __u64 maxsize, __u64 msgsize_max, __u64 bytes_max)
{
	struct ipcdev_queue_open o = {
		.name = ptr(name), .flags = flags, .mode = mode,
		.maxsize = maxsize, .msgsize_max = msgsize_max,
		.bytes_max = bytes_max,
	};

	return dev_open_in_place(fd, IPCDEV_IOC_QUEUE_OPEN, &o);
}

/* A new handle on a new anonymous queue; -errno on failure. */
static int q_new(__u64 maxsize, __u64 msgsize_max, __u64 bytes_max)
{
	int fd = open(DEV, O_RDWR);
	int r;

	if (fd < 0)
		return -errno;
	r = q_bind(fd, NULL, 0, 0, maxsize, msgsize_max, bytes_max);
	if (r) {
		close(fd);
		return r;
	}
	return fd;
}

/* A new handle on the named queue; -errno on failure. */
static int q_open_named(const char *name, int oflags, __u32 flags, __u32 mode,
			__u64 maxsize)
{
	int fd = open(DEV, oflags);
	int r;

	if (fd < 0)
		return -errno;
	r = q_bind(fd, name, flags, mode, maxsize, 0, 0);
	if (r) {
		close(fd);
		return r;
	}
	return fd;
}

static int q_put(int fd, const void *buf, __u64 len, __u32 flags,
		 __u64 deadline)
{
	struct ipcdev_msg m = {
		.buf = ptr(buf), .len = len, .deadline_ns = deadline,
		.flags = flags,
	};

	return ioctl(fd, IPCDEV_IOC_QUEUE_PUT, &m) ? -errno : 0;
}

static int q_puts(int fd, const char *s)
{
	return q_put(fd, s, strlen(s), 0, 0);
}

static int q_put_nb(int fd, const void *buf, __u64 len)
{
	return q_put(fd, buf, len, IPCDEV_WAIT_NONBLOCK, 0);
}

/* *len: in, size of buf; out, message length (also on EMSGSIZE). */
static int q_get(int fd, void *buf, __u64 *len, __u32 flags, __u64 deadline)
{
	struct ipcdev_msg m = {
		.buf = ptr(buf), .len = *len, .deadline_ns = deadline,
		.flags = flags,
	};
	int r = ioctl(fd, IPCDEV_IOC_QUEUE_GET, &m) ? -errno : 0;

	*len = m.len;
	return r;
}

static int q_get_nb(int fd, void *buf, __u64 *len)
{
	return q_get(fd, buf, len, IPCDEV_WAIT_NONBLOCK, 0);
}

static int q_stat(int fd, struct ipcdev_queue_stat *st)
{
	memset(st, 0xa5, sizeof(*st));
	return ioctl(fd, IPCDEV_IOC_QUEUE_STAT, st) ? -errno : 0;
}

/* Count of messages, or (__u64)-1 if STAT fails. */
static __u64 q_count(int fd)
{
	struct ipcdev_queue_stat st;

	return q_stat(fd, &st) ? (__u64)-1 : st.count;
}

static int q_unlink(const char *name)
{
	return dev_unlink(DEV, name);
}

#define STAT_CMD	IPCDEV_IOC_QUEUE_STAT
#define wait_getters(fd, n)	WAIT_STAT(fd, STAT_CMD, struct ipcdev_queue_stat, getters, n)
#define wait_putters(fd, n)	WAIT_STAT(fd, STAT_CMD, struct ipcdev_queue_stat, putters, n)

struct open_req {
	const char *name;
	int oflags;
	__u32 qflags;
	__u32 mode;
};

/* Child side: open the named queue; 0 or an errno value. */
static int child_open(void *arg)
{
	struct open_req *r = arg;
	int fd = open(DEV, r->oflags);
	int e;

	if (fd < 0)
		return CHILD_DEVOPEN;
	e = q_bind(fd, r->name, r->qflags, r->mode, 0, 0, 0);
	close(fd);
	return -e;
}

static int open_as(uid_t uid, gid_t gid, const char *name, int oflags,
		   __u32 qflags, __u32 mode)
{
	struct open_req r = { name, oflags, qflags, mode };

	return as_user(uid, gid, child_open, &r);
}

static int child_unlink(void *arg)
{
	return -q_unlink(arg);
}

#define ASSERT_STAT_SAME(a, b) do {					\
	EXPECT_EQ((a).count, (b).count);				\
	EXPECT_EQ((a).bytes, (b).bytes);				\
	EXPECT_EQ((a).maxsize, (b).maxsize);				\
	EXPECT_EQ((a).msgsize_max, (b).msgsize_max);			\
	EXPECT_EQ((a).bytes_max, (b).bytes_max);			\
	EXPECT_EQ((a).getters, (b).getters);				\
	EXPECT_EQ((a).putters, (b).putters);				\
	EXPECT_EQ((a).id, (b).id);					\
	EXPECT_EQ((a).full, (b).full);					\
	ASSERT_EQ(0, memcmp(&(a), &(b), sizeof(a)));			\
} while (0)

/* ------------------------------------------------------------------ */
/* Binding: implicit, explicit, sharing                               */
/* ------------------------------------------------------------------ */

/* An all-zero QUEUE_OPEN gives the default queue. */
TEST(default_anonymous_open)
{
	unsigned long long msgsize = read_param("msgsize_max");
	struct ipcdev_queue_stat st;
	int fd = dev_open_anon(DEV, O_RDWR, IPCDEV_IOC_QUEUE_OPEN);

	ASSERT_LE(0, fd) TH_LOG("open %s: %s", DEV, strerror(errno));
	ASSERT_NE(0, msgsize);
	ASSERT_EQ(0, q_stat(fd, &st));
	EXPECT_EQ(0, st.count);
	EXPECT_EQ(0, st.bytes);
	/* Unbounded, as multiprocessing.Queue(): no count, no byte bound. */
	EXPECT_EQ(IPCDEV_UNLIMITED, st.maxsize);
	EXPECT_EQ(msgsize, st.msgsize_max);
	EXPECT_EQ(IPCDEV_UNLIMITED, st.bytes_max);
	EXPECT_EQ(0, st.getters);
	EXPECT_EQ(0, st.putters);
	EXPECT_EQ(0, st.flags & IPCDEV_STAT_NAMED);
	EXPECT_EQ(0, st.full);
	for (int i = 0; i < 4; i++) {
		EXPECT_EQ(0, st.reserved[i]);
	}
	/* An object descriptor: OPEN is refused, its limits not applied. */
	EXPECT_EQ(-ENOTTY, q_bind(fd, NULL, 0, 0, 5, 77, 777));
	ASSERT_EQ(0, q_stat(fd, &st));
	EXPECT_NE(5, st.maxsize);
	EXPECT_EQ(msgsize, st.msgsize_max);
	EXPECT_EQ(IPCDEV_UNLIMITED, st.bytes_max);
	close(fd);
}

TEST(explicit_open_limits)
{
	unsigned long long msgsize = read_param("msgsize_max");
	struct ipcdev_queue_stat st;
	int fd;

	ASSERT_NE(0, msgsize);
	fd = q_new(3, 100, 1000);
	ASSERT_LE(0, fd) TH_LOG("QUEUE_OPEN: %s", strerror(-fd));
	ASSERT_EQ(0, q_stat(fd, &st));
	EXPECT_EQ(3, st.maxsize);
	EXPECT_EQ(100, st.msgsize_max);
	EXPECT_EQ(1000, st.bytes_max);
	EXPECT_EQ(0, st.count);
	EXPECT_EQ(0, st.flags & IPCDEV_STAT_NAMED);
	EXPECT_EQ(-ENOTTY, q_bind(fd, NULL, 0, 0, 7, 0, 0));
	ASSERT_EQ(0, q_stat(fd, &st));
	EXPECT_EQ(3, st.maxsize);
	close(fd);

	/*
	 * 0: msgsize_max is the module default; maxsize and bytes_max are no
	 * bound (multiprocessing.Queue()), and so is IPCDEV_UNLIMITED.
	 */
	fd = q_new(0, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, q_stat(fd, &st));
	EXPECT_EQ(IPCDEV_UNLIMITED, st.maxsize);
	EXPECT_EQ(msgsize, st.msgsize_max);
	EXPECT_EQ(IPCDEV_UNLIMITED, st.bytes_max);
	close(fd);
	fd = q_new(IPCDEV_UNLIMITED, IPCDEV_UNLIMITED, IPCDEV_UNLIMITED);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, q_stat(fd, &st));
	EXPECT_EQ(IPCDEV_UNLIMITED, st.maxsize);
	EXPECT_EQ(IPCDEV_UNLIMITED, st.msgsize_max);
	EXPECT_EQ(IPCDEV_UNLIMITED, st.bytes_max);
	close(fd);
	/* A creator may raise msgsize_max past the module default. */
	fd = q_new(0, msgsize * 4 + 1, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, q_stat(fd, &st));
	EXPECT_EQ(msgsize * 4 + 1, st.msgsize_max);
	close(fd);
}

/*
 * maxsize 0 is no count bound at all (it used to be the msgs_max
 * parameter): STAT reports IPCDEV_UNLIMITED, for explicit and implicit
 * creation alike, and more than msgs_max messages go in without a get.
 */
TEST(stat_maxsize_zero_is_unbounded)
{
	unsigned long long msgs_max = read_param("msgs_max");
	struct ipcdev_queue_stat st;
	int fd = q_new(0, 0, 0);

	ASSERT_LT(0ULL, msgs_max);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, q_stat(fd, &st));
	EXPECT_EQ(IPCDEV_UNLIMITED, st.maxsize);
	ASSERT_EQ(0, write_param("msgs_max", 3));
	for (int i = 0; i < 5; i++) {
		EXPECT_EQ(0, q_put_nb(fd, "m", 1)) TH_LOG("put %d", i);
	}
	ASSERT_EQ(0, write_param("msgs_max", msgs_max));
	ASSERT_EQ(0, q_stat(fd, &st));
	EXPECT_EQ(5, st.count);
	EXPECT_EQ(0, st.full);
	close(fd);
	fd = dev_open_anon(DEV, O_RDWR, IPCDEV_IOC_QUEUE_OPEN);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, q_stat(fd, &st));
	EXPECT_EQ(IPCDEV_UNLIMITED, st.maxsize);
	close(fd);
}

TEST(two_opens_two_queues)
{
	struct ipcdev_queue_stat sa, sb;
	char buf[8];
	__u64 len = sizeof(buf);
	int a = dev_open_anon(DEV, O_RDWR, IPCDEV_IOC_QUEUE_OPEN);
	int b = dev_open_anon(DEV, O_RDWR, IPCDEV_IOC_QUEUE_OPEN);

	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	ASSERT_EQ(0, q_puts(a, "A"));
	EXPECT_EQ(-EAGAIN, q_get_nb(b, buf, &len));
	ASSERT_EQ(0, q_stat(a, &sa));
	ASSERT_EQ(0, q_stat(b, &sb));
	EXPECT_EQ(1, sa.count);
	EXPECT_EQ(0, sb.count);
	EXPECT_NE(sa.id, sb.id);
	close(a);
	close(b);
}

FIXTURE(q) {
	int fd;
};

FIXTURE_SETUP(q)
{
	self->fd = q_new(0, 0, 0);
	ASSERT_LE(0, self->fd) TH_LOG("%s: %s", DEV, strerror(-self->fd));
}

FIXTURE_TEARDOWN(q)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(q, fork_shares_queue)
{
	char buf[32];
	__u64 len = sizeof(buf);
	pid_t pid;

	ASSERT_EQ(0, q_puts(self->fd, "from-parent"));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char b[32];
		__u64 l = sizeof(b);
		int r = q_get_nb(self->fd, b, &l);

		if (r)
			_exit(-r);
		if (l != 11)
			_exit(CHILD_BADLEN);
		if (memcmp(b, "from-parent", 11))
			_exit(CHILD_BADDATA);
		_exit(-q_puts(self->fd, "from-child"));
	}
	ASSERT_EQ(0, wait_child(pid, 20000));
	ASSERT_EQ(0, q_get_nb(self->fd, buf, &len));
	ASSERT_EQ(10, len);
	EXPECT_EQ(0, memcmp(buf, "from-child", 10));
	EXPECT_EQ(0, q_count(self->fd));
}

TEST_F(q, scm_rights_shares_queue)
{
	struct ipcdev_queue_stat s1, s2;
	char buf[32];
	__u64 len;
	int sv[2], fd2;
	pid_t pid;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));

	/* Within one process. */
	ASSERT_EQ(0, send_fd(sv[0], self->fd));
	fd2 = recv_fd(sv[1]);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, q_puts(fd2, "via-scm"));
	ASSERT_EQ(0, q_stat(self->fd, &s1));
	ASSERT_EQ(0, q_stat(fd2, &s2));
	EXPECT_EQ(s1.id, s2.id);
	EXPECT_EQ(1, s1.count);
	len = sizeof(buf);
	ASSERT_EQ(0, q_get_nb(self->fd, buf, &len));
	ASSERT_EQ(7, len);
	EXPECT_EQ(0, memcmp(buf, "via-scm", 7));
	close(fd2);

	/*
	 * Across processes: a child makes its own queue, puts a message,
	 * passes the handle and exits; the queue outlives the child.
	 */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd = dev_open_anon(DEV, O_RDWR, IPCDEV_IOC_QUEUE_OPEN);

		if (fd < 0)
			_exit(CHILD_DEVOPEN);
		if (q_puts(fd, "from-child"))
			_exit(CHILD_OTHER);
		_exit(send_fd(sv[0], fd) ? CHILD_OTHER : 0);
	}
	ASSERT_EQ(0, wait_child(pid, 20000));
	fd2 = recv_fd(sv[1]);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, q_stat(fd2, &s2));
	EXPECT_NE(s1.id, s2.id);
	EXPECT_EQ(1, s2.count);
	len = sizeof(buf);
	ASSERT_EQ(0, q_get_nb(fd2, buf, &len));
	ASSERT_EQ(10, len);
	EXPECT_EQ(0, memcmp(buf, "from-child", 10));
	close(fd2);
	close(sv[0]);
	close(sv[1]);
}

/* ------------------------------------------------------------------ */
/* put/get                                                            */
/* ------------------------------------------------------------------ */

TEST_F(q, fifo_order_and_counts)
{
	struct ipcdev_queue_stat st;
	unsigned char in[600], out[600];
	__u64 total = 0, len;
	int i;

	for (i = 0; i < 20; i++) {
		size_t l = (size_t)i * 31 % 577 + 1;

		fill(in, l, i);
		ASSERT_EQ(0, q_put_nb(self->fd, in, l));
		total += l;
		ASSERT_EQ(0, q_stat(self->fd, &st));
		EXPECT_EQ(i + 1, st.count);
		EXPECT_EQ(total, st.bytes);
	}
	for (i = 0; i < 20; i++) {
		size_t l = (size_t)i * 31 % 577 + 1;

		memset(out, 0, sizeof(out));
		len = sizeof(out);
		ASSERT_EQ(0, q_get_nb(self->fd, out, &len));
		ASSERT_EQ(l, len);
		EXPECT_TRUE(check_fill(out, l, i)) TH_LOG("message %d", i);
		total -= l;
		ASSERT_EQ(0, q_stat(self->fd, &st));
		EXPECT_EQ(19 - i, st.count);
		EXPECT_EQ(total, st.bytes);
	}
	len = sizeof(out);
	EXPECT_EQ(-EAGAIN, q_get_nb(self->fd, out, &len));
}

TEST_F(q, get_emsgsize_keeps_message)
{
	struct ipcdev_queue_stat st;
	unsigned char in[100], out[200];
	__u64 len;

	fill(in, sizeof(in), 7);
	ASSERT_EQ(0, q_put_nb(self->fd, in, sizeof(in)));
	ASSERT_EQ(0, q_puts(self->fd, "second"));

	memset(out, 0x5a, sizeof(out));
	len = 10;
	EXPECT_EQ(-EMSGSIZE, q_get_nb(self->fd, out, &len));
	EXPECT_EQ(100, len);
	len = 99;
	EXPECT_EQ(-EMSGSIZE, q_get_nb(self->fd, out, &len));
	EXPECT_EQ(100, len);
	len = 0;
	EXPECT_EQ(-EMSGSIZE, q_get_nb(self->fd, NULL, &len));
	EXPECT_EQ(100, len);
	ASSERT_EQ(0, q_stat(self->fd, &st));
	EXPECT_EQ(2, st.count);
	EXPECT_EQ(106, st.bytes);

	len = 100;	/* exactly big enough */
	ASSERT_EQ(0, q_get_nb(self->fd, out, &len));
	ASSERT_EQ(100, len);
	EXPECT_TRUE(check_fill(out, 100, 7));
	EXPECT_EQ(0x5a, out[100]);	/* nothing written past the message */

	len = sizeof(out);
	ASSERT_EQ(0, q_get_nb(self->fd, out, &len));
	ASSERT_EQ(6, len);
	EXPECT_EQ(0, memcmp(out, "second", 6));
	EXPECT_EQ(0, q_count(self->fd));
}

TEST_F(q, zero_length_messages)
{
	struct ipcdev_queue_stat st;
	char out[16];
	__u64 len;

	ASSERT_EQ(0, q_put_nb(self->fd, NULL, 0));
	ASSERT_EQ(0, q_stat(self->fd, &st));
	EXPECT_EQ(1, st.count);
	EXPECT_EQ(0, st.bytes);
	ASSERT_EQ(0, q_puts(self->fd, "hello"));
	ASSERT_EQ(0, q_put_nb(self->fd, out, 0));

	len = 0;	/* buf 0, len 0 receives a zero-length message */
	ASSERT_EQ(0, q_get_nb(self->fd, NULL, &len));
	EXPECT_EQ(0, len);
	/* A zero-sized buffer is too small for the next one. */
	len = 0;
	EXPECT_EQ(-EMSGSIZE, q_get_nb(self->fd, NULL, &len));
	EXPECT_EQ(5, len);
	len = sizeof(out);
	ASSERT_EQ(0, q_get_nb(self->fd, out, &len));
	ASSERT_EQ(5, len);
	EXPECT_EQ(0, memcmp(out, "hello", 5));
	len = sizeof(out);
	ASSERT_EQ(0, q_get_nb(self->fd, out, &len));
	EXPECT_EQ(0, len);
	ASSERT_EQ(0, q_stat(self->fd, &st));
	EXPECT_EQ(0, st.count);
	EXPECT_EQ(0, st.bytes);
	len = sizeof(out);
	EXPECT_EQ(-EAGAIN, q_get_nb(self->fd, out, &len));
}

TEST(put_longer_than_msgsize_max)
{
	struct ipcdev_queue_stat st;
	unsigned char buf[200];
	__u64 len;
	int fd = q_new(0, 64, 0);

	ASSERT_LE(0, fd);
	fill(buf, sizeof(buf), 1);
	ASSERT_EQ(0, q_put_nb(fd, buf, 10));
	EXPECT_EQ(-EMSGSIZE, q_put_nb(fd, buf, 65));
	EXPECT_EQ(-EMSGSIZE, q_put(fd, buf, 200, 0, 0));	/* even blocking */
	ASSERT_EQ(0, q_stat(fd, &st));
	EXPECT_EQ(1, st.count);
	EXPECT_EQ(10, st.bytes);
	EXPECT_EQ(64, st.msgsize_max);
	EXPECT_EQ(0, q_put_nb(fd, buf, 64));
	ASSERT_EQ(0, q_stat(fd, &st));
	EXPECT_EQ(2, st.count);
	EXPECT_EQ(74, st.bytes);
	len = sizeof(buf);
	ASSERT_EQ(0, q_get_nb(fd, buf, &len));
	EXPECT_EQ(10, len);
	len = sizeof(buf);
	ASSERT_EQ(0, q_get_nb(fd, buf, &len));
	EXPECT_EQ(64, len);
	close(fd);
}

TEST(maxsize_full)
{
	struct ipcdev_queue_stat st;
	char buf[8];
	__u64 len;
	int fd = q_new(3, 0, 0);

	ASSERT_LE(0, fd);
	for (int i = 0; i < 3; i++) {
		ASSERT_EQ(0, q_stat(fd, &st));
		EXPECT_EQ(0, st.full);
		ASSERT_EQ(0, q_put_nb(fd, "m", 1));
	}
	EXPECT_EQ(-EAGAIN, q_put_nb(fd, "m", 1));
	EXPECT_EQ(-EAGAIN, q_put_nb(fd, NULL, 0));
	ASSERT_EQ(0, q_stat(fd, &st));
	EXPECT_EQ(3, st.count);
	EXPECT_EQ(3, st.bytes);
	EXPECT_EQ(1, st.full);
	EXPECT_EQ(3, st.maxsize);
	len = sizeof(buf);
	ASSERT_EQ(0, q_get_nb(fd, buf, &len));
	ASSERT_EQ(0, q_stat(fd, &st));
	EXPECT_EQ(2, st.count);
	EXPECT_EQ(0, st.full);
	EXPECT_EQ(0, q_put_nb(fd, "n", 1));
	EXPECT_EQ(-EAGAIN, q_put_nb(fd, "o", 1));
	close(fd);
}

TEST(failed_put_uses_no_slot)
{
	unsigned char big[100];
	int fd = q_new(2, 50, 0);

	ASSERT_LE(0, fd);
	memset(big, 1, sizeof(big));
	ASSERT_EQ(0, q_put_nb(fd, "a", 1));
	EXPECT_EQ(-EMSGSIZE, q_put_nb(fd, big, sizeof(big)));
	EXPECT_EQ(-EFAULT, q_put_nb(fd, NULL, 10));
	EXPECT_EQ(-EFAULT, q_put_nb(fd, unmapped_addr(), 10));
	EXPECT_EQ(1, q_count(fd));
	EXPECT_EQ(0, q_put_nb(fd, "b", 1));	/* the second slot is free */
	EXPECT_EQ(-EAGAIN, q_put_nb(fd, "c", 1));
	EXPECT_EQ(2, q_count(fd));
	close(fd);
}

TEST_F(q, get_empty_nonblock)
{
	char buf[8];
	__u64 t0, len = sizeof(buf);

	t0 = now_ns();
	EXPECT_EQ(-EAGAIN, q_get_nb(self->fd, buf, &len));
	EXPECT_GT(t0 + SEC, now_ns());
	EXPECT_EQ(0, q_count(self->fd));
}

TEST(file_o_nonblock)
{
	char buf[8];
	__u64 len = sizeof(buf);
	int fl, fd = open(DEV, O_RDWR | O_NONBLOCK);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, q_bind(fd, NULL, 0, 0, 1, 0, 0));
	EXPECT_EQ(-EAGAIN, q_get(fd, buf, &len, 0, 0));
	ASSERT_EQ(0, q_put(fd, "a", 1, 0, 0));
	EXPECT_EQ(-EAGAIN, q_put(fd, "b", 1, 0, 0));
	EXPECT_EQ(1, q_count(fd));
	close(fd);

	/* Set later with fcntl. */
	fd = q_new(1, 0, 0);
	ASSERT_LE(0, fd);
	fl = fcntl(fd, F_GETFL);
	ASSERT_EQ(0, fcntl(fd, F_SETFL, fl | O_NONBLOCK));
	len = sizeof(buf);
	EXPECT_EQ(-EAGAIN, q_get(fd, buf, &len, 0, 0));
	ASSERT_EQ(0, q_put(fd, "a", 1, 0, 0));
	EXPECT_EQ(-EAGAIN, q_put(fd, "b", 1, 0, 0));
	close(fd);
}

TEST_F(q, deadline_get_times_out)
{
	char buf[8];
	__u64 len = sizeof(buf), t0, dl, t1;

	t0 = now_ns();
	dl = t0 + 100 * MS;
	EXPECT_EQ(-ETIMEDOUT, q_get(self->fd, buf, &len, IPCDEV_WAIT_DEADLINE, dl));
	t1 = now_ns();
	EXPECT_LE(dl, t1) TH_LOG("returned %llu ns early",
				 (unsigned long long)(dl - t1));
	EXPECT_GT(t0 + 2 * SEC, t1) TH_LOG("took %llu ms",
					   (unsigned long long)((t1 - t0) / MS));
	EXPECT_EQ(0, q_count(self->fd));
	EXPECT_EQ(0, wait_getters(self->fd, 0));
}

TEST(deadline_put_times_out)
{
	__u64 t0, dl, t1;
	int fd = q_new(1, 0, 0);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, q_put_nb(fd, "a", 1));
	t0 = now_ns();
	dl = t0 + 100 * MS;
	EXPECT_EQ(-ETIMEDOUT, q_put(fd, "b", 1, IPCDEV_WAIT_DEADLINE, dl));
	t1 = now_ns();
	EXPECT_LE(dl, t1);
	EXPECT_GT(t0 + 2 * SEC, t1);
	EXPECT_EQ(1, q_count(fd));
	EXPECT_EQ(0, wait_putters(fd, 0));
	close(fd);
}

TEST_F(q, deadline_in_the_past)
{
	char buf[8];
	__u64 len, t0, t1;

	t0 = now_ns();
	len = sizeof(buf);
	EXPECT_EQ(-ETIMEDOUT, q_get(self->fd, buf, &len, IPCDEV_WAIT_DEADLINE,
				    t0 - SEC));
	len = sizeof(buf);
	EXPECT_EQ(-ETIMEDOUT, q_get(self->fd, buf, &len, IPCDEV_WAIT_DEADLINE, 1));
	t1 = now_ns();
	EXPECT_GT(t0 + 500 * MS, t1) TH_LOG("took %llu ms",
					    (unsigned long long)((t1 - t0) / MS));
	/* A past deadline only bounds waiting: a ready message is taken. */
	ASSERT_EQ(0, q_put(self->fd, "ok", 2, IPCDEV_WAIT_DEADLINE, 1));
	len = sizeof(buf);
	ASSERT_EQ(0, q_get(self->fd, buf, &len, IPCDEV_WAIT_DEADLINE, 1));
	EXPECT_EQ(2, len);
	EXPECT_EQ(0, q_count(self->fd));
}

TEST(bytes_max_admission)
{
	struct ipcdev_queue_stat st;
	unsigned char buf[1000];
	__u64 len;
	int fd = q_new(0, 1000, 100);

	ASSERT_LE(0, fd);
	memset(buf, 'x', sizeof(buf));
	/* Empty queue: admitted although longer than bytes_max. */
	ASSERT_EQ(0, q_put_nb(fd, buf, 500));
	ASSERT_EQ(0, q_stat(fd, &st));
	EXPECT_EQ(1, st.count);
	EXPECT_EQ(500, st.bytes);
	EXPECT_EQ(100, st.bytes_max);
	EXPECT_EQ(1, st.full);
	EXPECT_EQ(-EAGAIN, q_put_nb(fd, buf, 1));
	EXPECT_EQ(-EAGAIN, q_put_nb(fd, NULL, 0));
	EXPECT_EQ(-EMSGSIZE, q_put_nb(fd, buf, 1000 + 1));
	len = sizeof(buf);
	ASSERT_EQ(0, q_get_nb(fd, buf, &len));
	EXPECT_EQ(500, len);

	/* Non-empty: bytes + len must fit. */
	ASSERT_EQ(0, q_put_nb(fd, buf, 60));
	EXPECT_EQ(-EAGAIN, q_put_nb(fd, buf, 41));
	ASSERT_EQ(0, q_put_nb(fd, buf, 40));
	ASSERT_EQ(0, q_stat(fd, &st));
	EXPECT_EQ(2, st.count);
	EXPECT_EQ(100, st.bytes);
	EXPECT_EQ(0, st.full);	/* a zero-length message still fits */
	EXPECT_EQ(-EAGAIN, q_put_nb(fd, buf, 1));
	ASSERT_EQ(0, q_put_nb(fd, NULL, 0));
	ASSERT_EQ(0, q_stat(fd, &st));
	EXPECT_EQ(3, st.count);
	EXPECT_EQ(100, st.bytes);
	close(fd);
}

/* ------------------------------------------------------------------ */
/* read/write, poll, epoll, fasync                                    */
/* ------------------------------------------------------------------ */

TEST(read_write)
{
	struct ipcdev_queue_stat st;
	char buf[64];
	int fd = q_new(2, 0, 0);

	ASSERT_LE(0, fd);
	EXPECT_EQ(5, write(fd, "first", 5));
	EXPECT_EQ(12, write(fd, "second-write", 12));
	ASSERT_EQ(0, q_stat(fd, &st));
	EXPECT_EQ(2, st.count);
	EXPECT_EQ(17, st.bytes);

	EXPECT_EQ(-1, read(fd, buf, 3));
	EXPECT_EQ(EMSGSIZE, errno);
	EXPECT_EQ(2, q_count(fd));
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(5, read(fd, buf, sizeof(buf)));	/* one whole message */
	EXPECT_EQ(0, memcmp(buf, "first", 5));
	EXPECT_EQ(0, buf[5]);
	EXPECT_EQ(12, read(fd, buf, 12));
	EXPECT_EQ(0, memcmp(buf, "second-write", 12));
	EXPECT_EQ(0, q_count(fd));

	/* ioctl and read/write are the same queue. */
	ASSERT_EQ(0, q_puts(fd, "ioctl"));
	EXPECT_EQ(5, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "ioctl", 5));
	close(fd);
}

TEST(read_write_nonblock)
{
	char buf[8];
	int fd = open(DEV, O_RDWR | O_NONBLOCK);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, q_bind(fd, NULL, 0, 0, 1, 0, 0));
	EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(1, write(fd, "a", 1));
	EXPECT_EQ(-1, write(fd, "b", 1));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(1, q_count(fd));
	EXPECT_EQ(1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ('a', buf[0]);
	close(fd);
}

TEST(poll_in_out)
{
	char buf[8], big[32];
	__u64 len;
	int fd = q_new(1, 0, 0);

	ASSERT_LE(0, fd);
	EXPECT_EQ(POLLOUT, poll_events(fd, POLLIN | POLLOUT));
	ASSERT_EQ(0, q_puts(fd, "a"));
	EXPECT_EQ(POLLIN, poll_events(fd, POLLIN | POLLOUT));	/* full: no POLLOUT */
	len = sizeof(buf);
	ASSERT_EQ(0, q_get_nb(fd, buf, &len));
	EXPECT_EQ(POLLOUT, poll_events(fd, POLLIN | POLLOUT));
	close(fd);

	/* bytes-bounded: POLLOUT iff a (zero-length) put would fit */
	fd = q_new(0, 0, 10);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, q_put_nb(fd, "0123456789", 10));	/* exactly bytes_max */
	EXPECT_EQ(POLLIN | POLLOUT, poll_events(fd, POLLIN | POLLOUT));
	len = sizeof(big);
	ASSERT_EQ(0, q_get_nb(fd, big, &len));
	/* Over bytes_max (admitted into the empty queue): full. */
	ASSERT_EQ(0, q_put_nb(fd, "0123456789abcdef", 16));
	EXPECT_EQ(POLLIN, poll_events(fd, POLLIN | POLLOUT));
	len = sizeof(buf);
	EXPECT_EQ(-EMSGSIZE, q_get_nb(fd, buf, &len));
	EXPECT_EQ(16, len);
	len = sizeof(big);
	ASSERT_EQ(0, q_get_nb(fd, big, &len));
	EXPECT_EQ(POLLOUT, poll_events(fd, POLLIN | POLLOUT));
	close(fd);
}

TEST(poll_blocking_wakeup)
{
	struct pollfd p;
	pid_t pid;
	__u64 t0;
	int fd = q_new(0, 0, 0);

	ASSERT_LE(0, fd);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		sleep_ms(200);
		_exit(-q_puts(fd, "wake"));
	}
	p.fd = fd;
	p.events = POLLIN;
	p.revents = 0;
	t0 = now_ns();
	EXPECT_EQ(1, poll(&p, 1, 20000));
	EXPECT_EQ(POLLIN, p.revents);
	EXPECT_GT(t0 + 15 * SEC, now_ns());
	EXPECT_EQ(0, wait_child(pid, 20000));
	close(fd);
}

TEST(epoll)
{
	struct epoll_event ev = { .events = EPOLLIN }, out[2];
	char buf[8];
	__u64 len;
	pid_t pid;
	int ep, fd = q_new(1, 0, 0);

	ASSERT_LE(0, fd);
	ep = epoll_create1(0);
	ASSERT_LE(0, ep);
	ev.data.u32 = 42;
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
	EXPECT_EQ(0, epoll_wait(ep, out, 2, 0));
	ASSERT_EQ(0, q_puts(fd, "a"));
	ASSERT_EQ(1, epoll_wait(ep, out, 2, 0));
	EXPECT_EQ(EPOLLIN, out[0].events);
	EXPECT_EQ(42, out[0].data.u32);
	len = sizeof(buf);
	ASSERT_EQ(0, q_get_nb(fd, buf, &len));
	EXPECT_EQ(0, epoll_wait(ep, out, 2, 0));

	/* Woken by a put from another process. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		sleep_ms(200);
		_exit(-q_puts(fd, "b"));
	}
	ASSERT_EQ(1, epoll_wait(ep, out, 2, 20000));
	EXPECT_EQ(EPOLLIN, out[0].events);
	EXPECT_EQ(0, wait_child(pid, 20000));

	/* EPOLLOUT on a full queue appears after a get. */
	ev.events = EPOLLOUT;
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev));
	EXPECT_EQ(0, epoll_wait(ep, out, 2, 0));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char b[8];
		__u64 l = sizeof(b);

		sleep_ms(200);
		_exit(-q_get_nb(fd, b, &l));
	}
	ASSERT_EQ(1, epoll_wait(ep, out, 2, 20000));
	EXPECT_EQ(EPOLLOUT, out[0].events);
	EXPECT_EQ(0, wait_child(pid, 20000));
	close(ep);
	close(fd);
}

TEST(fasync_sigio)
{
	struct timespec zero = { 0, 0 }, five = { 5, 0 }, short_ts = { 0, 200000000 };
	sigset_t set;
	siginfo_t si;
	int fd = q_new(0, 0, 0), fl;

	ASSERT_LE(0, fd);
	sigemptyset(&set);
	sigaddset(&set, SIGIO);
	ASSERT_EQ(0, sigprocmask(SIG_BLOCK, &set, NULL));
	ASSERT_EQ(0, fcntl(fd, F_SETOWN, getpid()));
	fl = fcntl(fd, F_GETFL);
	ASSERT_EQ(0, fcntl(fd, F_SETFL, fl | O_ASYNC));
	EXPECT_EQ(-1, sigtimedwait(&set, &si, &zero));	/* nothing yet */
	ASSERT_EQ(0, q_puts(fd, "io"));
	EXPECT_EQ(SIGIO, sigtimedwait(&set, &si, &five));

	/* Off again: no more SIGIO. */
	ASSERT_EQ(0, fcntl(fd, F_SETFL, fl & ~O_ASYNC));
	while (sigtimedwait(&set, &si, &zero) == SIGIO)
		;
	ASSERT_EQ(0, q_puts(fd, "io2"));
	EXPECT_EQ(-1, sigtimedwait(&set, &si, &short_ts));
	EXPECT_EQ(2, q_count(fd));
	close(fd);
}

/* ------------------------------------------------------------------ */
/* Wake-ups and blocked-task counts                                   */
/* ------------------------------------------------------------------ */

TEST_F(q, blocked_get_woken_by_put)
{
	struct ipcdev_queue_stat st;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		char b[64];
		__u64 l = sizeof(b);
		int r = q_get(self->fd, b, &l, 0, 0);

		if (r)
			_exit(-r);
		if (l != 13)
			_exit(CHILD_BADLEN);
		_exit(memcmp(b, "wake-the-getter", 13) ? CHILD_BADDATA : 0);
	}
	ASSERT_EQ(0, wait_getters(self->fd, 1)) TH_LOG("child never blocked");
	ASSERT_EQ(0, q_stat(self->fd, &st));
	EXPECT_EQ(1, st.getters);
	EXPECT_EQ(0, st.putters);
	EXPECT_EQ(0, st.count);
	ASSERT_EQ(0, q_put_nb(self->fd, "wake-the-getter", 13));
	EXPECT_EQ(0, wait_child(pid, 20000));
	ASSERT_EQ(0, q_stat(self->fd, &st));
	EXPECT_EQ(0, st.getters);
	EXPECT_EQ(0, st.count);
}

/*
 * A put into an empty queue hands its message straight to a sleeping
 * getter, which copies it out without the queue lock.  When that copy
 * faults, the message must go back to the head of the queue, before any
 * message put later.
 */
static int blocked_get_expect(int fd, struct ipcdev_msg *m, int want)
{
	int r = ioctl(fd, IPCDEV_IOC_QUEUE_GET, m) ? -errno : 0;

	return r == want ? 0 : (r ? -r : CHILD_OTHER);
}

/*
 * Fork a getter that blocks with @m and must fail with @want (and learn the
 * length, for -EMSGSIZE), then put a 100-byte message filled with @seed.
 */
static void put_to_blocked_getter(struct __test_metadata *_metadata, int fd,
				  struct ipcdev_msg *m, int want,
				  unsigned int seed)
{
	unsigned char msg[100];
	pid_t pid;

	fill(msg, sizeof(msg), seed);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int r = blocked_get_expect(fd, m, want);

		if (!r && want == -EMSGSIZE && m->len != sizeof(msg))
			r = CHILD_BADLEN;
		_exit(r);
	}
	ASSERT_EQ(0, wait_getters(fd, 1)) TH_LOG("child never blocked");
	ASSERT_EQ(0, q_put_nb(fd, msg, sizeof(msg)));
	EXPECT_EQ(0, wait_child(pid, 20000));
}

static void handed_message_stays(struct __test_metadata *_metadata, int fd,
				 struct ipcdev_msg *m)
{
	unsigned char out[100];
	__u64 len;

	put_to_blocked_getter(_metadata, fd, m, -EFAULT, 21);
	/* Back at the head: a later message queues behind it. */
	ASSERT_EQ(0, q_put_nb(fd, "later", 5));
	EXPECT_EQ(2, q_count(fd));
	len = sizeof(out);
	ASSERT_EQ(0, q_get_nb(fd, out, &len));
	ASSERT_EQ(100, len);
	EXPECT_TRUE(check_fill(out, 100, 21));
	len = sizeof(out);
	ASSERT_EQ(0, q_get_nb(fd, out, &len));
	ASSERT_EQ(5, len);
	EXPECT_EQ(0, memcmp(out, "later", 5));
	EXPECT_EQ(0, q_count(fd));
}

TEST_F(q, blocked_get_efault_keeps_handed_message)
{
	long ps = page_size();
	char *g = guarded_page();
	/* 50 bytes writable, then the guard page. */
	struct ipcdev_msg m = { .buf = ptr(g + ps - 50), .len = 100 };

	ASSERT_NE(NULL, g);
	handed_message_stays(_metadata, self->fd, &m);
	munmap(g, 2 * ps);
}

TEST_F(q, blocked_get_len_unwritable_keeps_handed_message)
{
	long ps = page_size();
	char buf[100];
	struct ipcdev_msg *m = mmap(NULL, ps, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, m);
	m->buf = ptr(buf);
	m->len = sizeof(buf);
	/* Readable for the call, but the length cannot be stored back. */
	ASSERT_EQ(0, mprotect(m, ps, PROT_READ));
	handed_message_stays(_metadata, self->fd, m);
	munmap(m, ps);
}

/*
 * A GET whose struct ipcdev_msg is readable but not writable: the message
 * is copied out, but its length cannot be stored back, so the call fails
 * with EFAULT and the message is back at the head, ahead of a later one.
 * @len: the message; @size: the buffer (below @len: EMSGSIZE's store).
 */
static void get_len_unwritable(struct __test_metadata *_metadata, int fd,
			       size_t len, size_t size, unsigned int seed)
{
	long ps = page_size();
	unsigned char *msg = malloc(len + 1), *out = malloc(len + 5);
	struct ipcdev_msg *m = mmap(NULL, ps, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	__u64 got;

	ASSERT_NE(NULL, msg);
	ASSERT_NE(NULL, out);
	ASSERT_NE(MAP_FAILED, m);
	fill(msg, len, seed);
	ASSERT_EQ(0, q_put_nb(fd, msg, len));
	ASSERT_EQ(0, q_put_nb(fd, "later", 5));
	m->buf = ptr(out);
	m->len = size;
	m->flags = IPCDEV_WAIT_NONBLOCK;
	ASSERT_EQ(0, mprotect(m, ps, PROT_READ));
	EXPECT_EQ(-1, ioctl(fd, IPCDEV_IOC_QUEUE_GET, m));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(size, m->len);	/* nothing stored */
	/* Twice: the first failure left everything as it was. */
	EXPECT_EQ(-1, ioctl(fd, IPCDEV_IOC_QUEUE_GET, m));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(2, q_count(fd));
	memset(out, 0, len + 1);
	got = len + 1;
	ASSERT_EQ(0, q_get_nb(fd, out, &got));
	ASSERT_EQ(len, got);
	EXPECT_TRUE(check_fill(out, len, seed));
	got = 5;
	ASSERT_EQ(0, q_get_nb(fd, out, &got));
	ASSERT_EQ(5, got);
	EXPECT_EQ(0, memcmp(out, "later", 5));
	EXPECT_EQ(0, q_count(fd));
	munmap(m, ps);
	free(msg);
	free(out);
}

/* Copied under the queue's lock, empty, and too long for the buffer. */
TEST_F(q, get_len_unwritable_keeps_small_message)
{
	get_len_unwritable(_metadata, self->fd, 100, 100, 31);
	get_len_unwritable(_metadata, self->fd, 0, 10, 32);
	get_len_unwritable(_metadata, self->fd, 100, 10, 33);
}

/* Above IPC_MSG_PAGES_MIN (64 KiB): taken off the list and copied without it. */
TEST_F(q, get_len_unwritable_keeps_large_message)
{
	get_len_unwritable(_metadata, self->fd, (64 << 10) + 1, (64 << 10) + 1,
			   34);
	get_len_unwritable(_metadata, self->fd, 1 << 20, 1 << 20, 35);
}

/* A sleeping getter whose buffer is too small is not handed the message. */
TEST_F(q, blocked_get_small_buffer_emsgsize)
{
	unsigned char out[100];
	struct ipcdev_msg m = { .buf = ptr(out), .len = 10 };
	__u64 len;

	put_to_blocked_getter(_metadata, self->fd, &m, -EMSGSIZE, 22);
	EXPECT_EQ(1, q_count(self->fd));
	len = sizeof(out);
	ASSERT_EQ(0, q_get_nb(self->fd, out, &len));
	ASSERT_EQ(100, len);
	EXPECT_TRUE(check_fill(out, 100, 22));
}

/*
 * A queue keeps its last message's memory to carry the next one: every
 * size, smaller or larger than the kept one (or less than half of it),
 * across the page boundary and the kmalloc/page split at 64 KiB, must
 * arrive whole.  Some pass one at a time, some while others are queued.
 */
TEST_F(q, sizes_through_recycled_messages)
{
	static const __u64 sizes[] = {
		64, 4096, 1, 4104, 4105, 0, 88, 89, 5000, 64, 65536, 3,
		4040, 4048, 4049, 8192, 128, 2, 65536, 40000, 20000, 65537,
		200000, 70000, 100000, 300000, 64,
	};
	static unsigned char in[300000], out[300000 + 1];
	unsigned int i, k;
	__u64 len;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		fill(in, sizes[i], 100 + i);
		ASSERT_EQ(0, q_put_nb(self->fd, in, sizes[i])) TH_LOG("%u", i);
		len = sizeof(out);
		memset(out, 0, sizes[i] + 1);
		ASSERT_EQ(0, q_get_nb(self->fd, out, &len)) TH_LOG("%u", i);
		ASSERT_EQ(sizes[i], len);
		EXPECT_TRUE(check_fill(out, len, 100 + i)) TH_LOG("size %llu",
			(unsigned long long)sizes[i]);
	}
	/* Three queued at a time, in a rolling window. */
	for (i = 0; i < ARRAY_SIZE(sizes) + 2; i++) {
		if (i < ARRAY_SIZE(sizes)) {
			fill(in, sizes[i], 200 + i);
			ASSERT_EQ(0, q_put_nb(self->fd, in, sizes[i]));
		}
		if (i < 2)
			continue;
		k = i - 2;
		len = sizeof(out);
		ASSERT_EQ(0, q_get_nb(self->fd, out, &len)) TH_LOG("%u", k);
		ASSERT_EQ(sizes[k], len);
		EXPECT_TRUE(check_fill(out, len, 200 + k)) TH_LOG("size %llu",
			(unsigned long long)sizes[k]);
	}
	EXPECT_EQ(0, q_count(self->fd));
}

TEST(blocked_put_woken_by_get)
{
	struct ipcdev_queue_stat st;
	char buf[16];
	__u64 len;
	pid_t pid;
	int fd = q_new(1, 0, 0);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, q_puts(fd, "first"));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(-q_put(fd, "second", 6, 0, 0));
	ASSERT_EQ(0, wait_putters(fd, 1)) TH_LOG("child never blocked");
	ASSERT_EQ(0, q_stat(fd, &st));
	EXPECT_EQ(1, st.putters);
	EXPECT_EQ(1, st.count);
	EXPECT_EQ(1, st.full);
	len = sizeof(buf);
	ASSERT_EQ(0, q_get_nb(fd, buf, &len));
	ASSERT_EQ(5, len);
	EXPECT_EQ(0, memcmp(buf, "first", 5));
	EXPECT_EQ(0, wait_child(pid, 20000));
	ASSERT_EQ(0, q_stat(fd, &st));
	EXPECT_EQ(0, st.putters);
	EXPECT_EQ(1, st.count);
	len = sizeof(buf);
	ASSERT_EQ(0, q_get_nb(fd, buf, &len));
	ASSERT_EQ(6, len);
	EXPECT_EQ(0, memcmp(buf, "second", 6));
	close(fd);
}

/* ------------------------------------------------------------------ */
/* Many producers, many consumers                                     */
/* ------------------------------------------------------------------ */

#define MP_PROD		4
#define MP_CONS		4
#define MP_PER		10000
#define MP_STOP		0xffffffffu

struct mp_msg {
	__u32 prod;
	__u32 seq;
	unsigned char payload[64];
};

struct mp_shared {
	__u32 seen[MP_PROD][MP_PER];
	__u32 got[MP_CONS];
};

static size_t mp_len(__u32 p, __u32 seq)
{
	return 8 + (seq * 7 + p * 3) % 57;
}

static int mp_producer(int fd, __u32 p)
{
	struct mp_msg m;

	for (__u32 s = 0; s < MP_PER; s++) {
		size_t l = mp_len(p, s);

		m.prod = p;
		m.seq = s;
		fill(m.payload, l - 8, p * MP_PER + s);
		if (q_put(fd, &m, l, IPCDEV_WAIT_DEADLINE, now_ns() + 300 * SEC))
			return CHILD_OTHER;
	}
	return 0;
}

static int mp_consumer(int fd, struct mp_shared *sh, int c)
{
	long long last[MP_PROD];
	struct mp_msg m;
	__u64 len;

	for (int p = 0; p < MP_PROD; p++)
		last[p] = -1;
	for (;;) {
		len = sizeof(m);
		if (q_get(fd, &m, &len, IPCDEV_WAIT_DEADLINE, now_ns() + 300 * SEC))
			return CHILD_OTHER;
		if (len == 8 && m.prod == MP_STOP)
			return 0;
		if (len < 8 || m.prod >= MP_PROD || m.seq >= MP_PER)
			return CHILD_BADDATA;
		if (len != mp_len(m.prod, m.seq))
			return CHILD_BADLEN;
		if (!check_fill(m.payload, len - 8, m.prod * MP_PER + m.seq))
			return CHILD_BADDATA;
		if ((long long)m.seq <= last[m.prod])
			return CHILD_ORDER;
		last[m.prod] = m.seq;
		__atomic_fetch_add(&sh->seen[m.prod][m.seq], 1, __ATOMIC_RELAXED);
		sh->got[c]++;
	}
}

FIXTURE(stress) {
	int unused;
};

FIXTURE_SETUP(stress)
{
}

FIXTURE_TEARDOWN(stress)
{
}

TEST_F_TIMEOUT(stress, mpmc_4x4, 900)
{
	struct mp_shared *sh;
	pid_t prod[MP_PROD], cons[MP_CONS];
	struct mp_msg stop = { .prod = MP_STOP, .seq = 0 };
	unsigned long missing = 0, dup = 0, total = 0;
	int fd = q_new(64, 0, 0);

	ASSERT_LE(0, fd);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	memset(sh, 0, sizeof(*sh));

	for (int c = 0; c < MP_CONS; c++) {
		cons[c] = fork();
		ASSERT_LE(0, cons[c]);
		if (cons[c] == 0)
			_exit(mp_consumer(fd, sh, c));
	}
	for (int p = 0; p < MP_PROD; p++) {
		prod[p] = fork();
		ASSERT_LE(0, prod[p]);
		if (prod[p] == 0)
			_exit(mp_producer(fd, p));
	}
	for (int p = 0; p < MP_PROD; p++) {
		EXPECT_EQ(0, wait_child(prod[p], 600000)) TH_LOG("producer %d", p);
	}
	for (int c = 0; c < MP_CONS; c++) {
		ASSERT_EQ(0, q_put(fd, &stop, 8, 0, 0));
	}
	for (int c = 0; c < MP_CONS; c++) {
		EXPECT_EQ(0, wait_child(cons[c], 600000)) TH_LOG("consumer %d", c);
	}

	for (int p = 0; p < MP_PROD; p++) {
		for (int s = 0; s < MP_PER; s++) {
			if (sh->seen[p][s] == 0)
				missing++;
			else if (sh->seen[p][s] > 1)
				dup++;
		}
	}
	for (int c = 0; c < MP_CONS; c++)
		total += sh->got[c];
	EXPECT_EQ(0, missing);
	EXPECT_EQ(0, dup);
	EXPECT_EQ(MP_PROD * MP_PER, total);
	EXPECT_EQ(0, q_count(fd));
	munmap(sh, sizeof(*sh));
	close(fd);
}

/* ------------------------------------------------------------------ */
/* Signals                                                            */
/* ------------------------------------------------------------------ */

/* Child: install the handler, block in get; report the outcome. */
static int sig_child(int fd, int pipe_wr, bool restart, bool deadline)
{
	char b[32];
	__u64 l = sizeof(b);
	int r;

	if (catch_usr1(pipe_wr, restart))
		return CHILD_OTHER;
	if (deadline)
		r = q_get(fd, b, &l, IPCDEV_WAIT_DEADLINE, now_ns() + 60 * SEC);
	else
		r = q_get(fd, b, &l, 0, 0);
	if (r)
		return -r;
	if (l != 9)
		return CHILD_BADLEN;
	return memcmp(b, "after-sig", 9) ? CHILD_BADDATA : 0;
}

static int signal_case(struct __test_metadata *_metadata, int fd,
		       bool restart, bool deadline)
{
	struct ipcdev_queue_stat st;
	int pfd[2], code;
	char c = 0;
	pid_t pid;

	if (pipe(pfd))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0)
		_exit(sig_child(fd, pfd[1], restart, deadline));
	if (wait_getters(fd, 1)) {
		TH_LOG("child never blocked in get");
		kill(pid, SIGKILL);
		wait_child(pid, 20000);
		return -1;
	}
	kill(pid, SIGUSR1);
	if (read(pfd[0], &c, 1) != 1 || c != SIGUSR1) {
		TH_LOG("handler did not run");
		kill(pid, SIGKILL);
		wait_child(pid, 20000);
		return -1;
	}
	if (restart) {
		/* Give it time to come back; the put is found either way. */
		if (wait_getters(fd, 1))
			TH_LOG("get was not restarted (getters != 1)");
		if (q_put_nb(fd, "after-sig", 9))
			TH_LOG("put failed");
	}
	code = wait_child(pid, 20000);
	if (q_stat(fd, &st) == 0) {
		EXPECT_EQ(0, st.getters);
		EXPECT_EQ(0, st.count);
	}
	close(pfd[0]);
	close(pfd[1]);
	return code;
}

TEST_F(q, signal_eintr)
{
	EXPECT_EQ(EINTR, signal_case(_metadata, self->fd, false, false));
	EXPECT_EQ(0, q_count(self->fd));
	/* The queue still works and nothing was consumed by the victim. */
	ASSERT_EQ(0, q_puts(self->fd, "x"));
	EXPECT_EQ(1, q_count(self->fd));
}

TEST_F(q, signal_eintr_with_deadline)
{
	EXPECT_EQ(EINTR, signal_case(_metadata, self->fd, false, true));
}

TEST_F(q, signal_sa_restart)
{
	EXPECT_EQ(0, signal_case(_metadata, self->fd, true, false));
	EXPECT_EQ(0, q_count(self->fd));
}

TEST_F(q, signal_sa_restart_with_deadline)
{
	EXPECT_EQ(0, signal_case(_metadata, self->fd, true, true));
	EXPECT_EQ(0, q_count(self->fd));
}

TEST_F(q, sigkill_blocked_get)
{
	struct ipcdev_queue_stat st;
	char buf[8];
	__u64 len, t0;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		char b[8];
		__u64 l = sizeof(b);

		_exit(-q_get(self->fd, b, &l, 0, 0));
	}
	ASSERT_EQ(0, wait_getters(self->fd, 1));
	t0 = now_ns();
	ASSERT_EQ(0, kill(pid, SIGKILL));
	EXPECT_EQ(1000 + SIGKILL, wait_child(pid, 5000));
	EXPECT_GT(t0 + 5 * SEC, now_ns());
	ASSERT_EQ(0, q_stat(self->fd, &st));
	EXPECT_EQ(0, st.getters);
	EXPECT_EQ(0, st.putters);
	EXPECT_EQ(0, st.count);
	ASSERT_EQ(0, q_puts(self->fd, "alive"));
	len = sizeof(buf);
	ASSERT_EQ(0, q_get_nb(self->fd, buf, &len));
	EXPECT_EQ(5, len);
	EXPECT_EQ(0, memcmp(buf, "alive", 5));
}

/*
 * A get holds the queue's lock while it copies the message out; that copy
 * can take as long as the fault on the destination does.  Here the fault
 * never ends (a userfaultfd page nobody serves).  A putter whose deadline
 * passes meanwhile must re-take the lock to leave, and SIGKILL must end it
 * at once, not leave it in uninterruptible sleep until the getter goes.
 */
static int uffd_get_forever(int fd)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	long uffd = syscall(SYS_userfaultfd, O_CLOEXEC);
	char *page;
	__u64 len = 4096;

	if (uffd < 0 || ioctl(uffd, UFFDIO_API, &api))
		return 10;
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED)
		return 11;
	reg.range.start = (unsigned long)page;
	reg.range.len = 4096;
	if (ioctl(uffd, UFFDIO_REGISTER, &reg))
		return 12;
	q_get(fd, page, &len, 0, 0);	/* blocks in the fault, lock held */
	return 13;
}

/* Can this kernel stall a copy to user space in a userfaultfd fault? */
static bool have_userfaultfd(void)
{
	long uffd = syscall(SYS_userfaultfd, O_CLOEXEC);

	if (uffd < 0)
		return false;
	close(uffd);
	return true;
}

TEST(sigkill_while_lock_held_by_slow_copy)
{
	bool uffd = have_userfaultfd();
	struct ipcdev_queue_stat st;
	pid_t putter, getter = -1, r;
	int status, fd = q_new(1, 0, 0);
	bool reaped = false;
	__u64 end;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, q_puts(fd, "full"));
	putter = fork();
	ASSERT_LE(0, putter);
	if (putter == 0)
		_exit(-q_put(fd, "x", 1, IPCDEV_WAIT_DEADLINE,
			     deadline_in_ms(1500)));
	ASSERT_EQ(0, wait_putters(fd, 1));
	if (!uffd) {
		/* No CONFIG_USERFAULTFD (the debug kernel): no stalled copy. */
		TH_LOG("no userfaultfd: checking only that the timed put ends");
		EXPECT_EQ(ETIMEDOUT, wait_child(putter, 10000));
		goto check_queue;
	}
	getter = fork();
	ASSERT_LE(0, getter);
	if (getter == 0)
		_exit(uffd_get_forever(fd));
	/* The putter's deadline passes while the getter holds the lock. */
	sleep_ms(2500);
	ASSERT_EQ(0, kill(putter, SIGKILL));
	for (end = now_ns() + 3 * SEC; now_ns() < end; sleep_ms(5)) {
		r = waitpid(putter, &status, WNOHANG);
		if (r == putter) {
			reaped = true;
			break;
		}
	}
	/* The getter must still be stuck in its fault, holding the lock. */
	EXPECT_EQ(0, waitpid(getter, NULL, WNOHANG));
	kill(getter, SIGKILL);
	waitpid(getter, NULL, 0);
	if (!reaped)
		waitpid(putter, &status, 0);
	EXPECT_TRUE(reaped) TH_LOG("SIGKILL did not end a task re-taking the lock");
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
check_queue:
	/* Nothing lost, no stale count: the queue works on. */
	ASSERT_EQ(0, q_stat(fd, &st));
	EXPECT_EQ(1, st.count);
	EXPECT_EQ(0, st.putters);
	EXPECT_EQ(0, st.getters);
	close(fd);
}

/*
 * A message a get copies out without the queue's lock (a large one taken
 * off the list, or one a put handed to a sleeping getter) is in flight: if
 * the copy fails it goes back to the head, so it must keep its room
 * meanwhile, or a putter takes it and the queue ends up holding maxsize + 1
 * messages.  The getter's copy is held open in a userfaultfd fault, a put
 * is tried, then the fault is made to fail (the page unmapped, the fault
 * woken): EFAULT, the message back at the head.
 */
struct inflight_fault {
	long uffd;
	char *page;
	long ps;
	int go;			/* read end: the parent says "f" (fail it) or "s" */
	char how;		/* what it said */
};

/* "f": the fault fails (the page unmapped); "s": it is served (a zero page). */
static void *inflight_fail(void *arg)
{
	struct inflight_fault *f = arg;
	struct uffdio_range wake = { .start = (unsigned long)f->page,
				     .len = f->ps };
	struct uffdio_zeropage zero = { .range = wake };

	if (read(f->go, &f->how, 1) != 1)
		return NULL;
	if (f->how == 's') {
		ioctl(f->uffd, UFFDIO_ZEROPAGE, &zero);
		return NULL;
	}
	munmap(f->page, f->ps);
	ioctl(f->uffd, UFFDIO_WAKE, &wake);
	return NULL;
}

/* The getter: a buffer of @size whose last page faults into userfaultfd. */
static int inflight_getter(int fd, __u64 size, int go)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	struct inflight_fault f = { .ps = sysconf(_SC_PAGESIZE), .go = go };
	size_t maplen = (size + f.ps - 1) / f.ps * f.ps;
	pthread_t t;
	char *buf;
	__u64 len = size;
	int r;

	f.uffd = syscall(SYS_userfaultfd, O_CLOEXEC);
	if (f.uffd < 0 || ioctl(f.uffd, UFFDIO_API, &api))
		return 10;
	buf = mmap(NULL, maplen, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return 11;
	f.page = buf + maplen - f.ps;
	reg.range.start = (unsigned long)f.page;
	reg.range.len = f.ps;
	if (ioctl(f.uffd, UFFDIO_REGISTER, &reg))
		return 12;
	if (pthread_create(&t, NULL, inflight_fail, &f))
		return 13;
	r = q_get(fd, buf + maplen - size, &len, 0, 0);
	pthread_join(t, NULL);
	if (f.how == 's')
		return r == 0 && len == size ? 0 : 21;
	return r == -EFAULT ? 0 : 20;
}

/*
 * Without userfaultfd (the debug kernel): the getter copies a message of
 * @size into fresh memory, a long copy under emulation, and then says so
 * on @done.  Its exit status is 0 when it got the whole message.
 */
static int slow_getter(int fd, __u64 size, int done)
{
	char *buf = mmap(NULL, size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	__u64 len = size;
	int r;

	if (buf == MAP_FAILED)
		return 11;
	r = q_get(fd, buf, &len, 0, 0);
	if (write(done, "d", 1) != 1)
		return 12;
	return r == 0 && len == size && buf[size - 1] == 'A' ? 0 : 20;
}

/* Whether the slow getter has finished its copy. */
static bool getter_done(int done)
{
	struct pollfd p = { .fd = done, .events = POLLIN };

	return poll(&p, 1, 0) == 1;
}

/*
 * Without userfaultfd the copy cannot be held open, only made long (a
 * 15 MiB message into pages never touched): the checks count only if the
 * getter was still copying after them, and are tried again, with the same
 * message size, if it was not.
 */
static void inflight_slow(struct __test_metadata *_metadata, bool large)
{
	const __u64 size = 15 << 20;
	char *msg = malloc(size);
	int tries;

	ASSERT_TRUE(msg != NULL);
	memset(msg, 'A', size);
	for (tries = 0; tries < 5; tries++) {
		struct ipcdev_queue_stat st;
		struct pollfd pfd;
		int fd = q_new(1, 0, 0), done[2], status, put, pollout;
		bool full, during;
		pid_t getter;

		ASSERT_LE(0, fd);
		ASSERT_EQ(0, pipe(done));
		if (large)
			ASSERT_EQ(0, q_put(fd, msg, size, 0, 0));
		getter = fork();
		ASSERT_LE(0, getter);
		if (!getter) {
			close(done[0]);
			_exit(slow_getter(fd, size, done[1]));
		}
		close(done[1]);
		if (large) {
			ASSERT_EQ(0, WAIT_STAT(fd, STAT_CMD,
					       struct ipcdev_queue_stat, count, 0));
		} else {
			ASSERT_EQ(0, wait_getters(fd, 1));
			ASSERT_EQ(0, q_put(fd, msg, size, 0, 0));
		}
		ASSERT_EQ(0, q_stat(fd, &st));
		full = st.full;
		pfd = (struct pollfd){ .fd = fd, .events = POLLOUT };
		pollout = poll(&pfd, 1, 0);
		put = q_put_nb(fd, "x", 1);
		during = !getter_done(done[0]);
		ASSERT_EQ(getter, waitpid(getter, &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
			TH_LOG("getter status %#x", status);
		close(done[0]);
		close(fd);
		if (!during) {
			TH_LOG("try %d: the copy ended before the checks", tries);
			continue;
		}
		EXPECT_TRUE(full) TH_LOG("the message in flight gave its room away");
		EXPECT_EQ(0, pollout) TH_LOG("POLLOUT with the room in flight");
		EXPECT_EQ(-EAGAIN, put)
			TH_LOG("a put took the room of the message in flight");
		break;
	}
	EXPECT_LT(tries, 5) TH_LOG("no try saw the copy in flight");
	free(msg);
}

/* @large: a 128 KiB message taken off the list; else one handed over. */
static void inflight_keeps_room(struct __test_metadata *_metadata, bool large)
{
	__u64 size = large ? 128 * 1024 : 64, len;
	struct ipcdev_queue_stat st;
	struct pollfd pfd;
	int fd = q_new(1, 0, 0), go[2], status;
	char *msg = malloc(size), *back = malloc(size);
	pid_t getter;

	ASSERT_LE(0, fd);
	ASSERT_TRUE(msg && back);
	memset(msg, 'A', size);
	ASSERT_EQ(0, pipe(go));
	if (large)
		ASSERT_EQ(0, q_put(fd, msg, size, 0, 0));
	getter = fork();
	ASSERT_LE(0, getter);
	if (!getter) {
		close(go[1]);
		_exit(inflight_getter(fd, size, go[0]));
	}
	close(go[0]);
	if (large) {
		/* Taken off the list: the copy is on its way to the fault. */
		ASSERT_EQ(0, WAIT_STAT(fd, STAT_CMD, struct ipcdev_queue_stat,
				       count, 0));
	} else {
		/* Asleep in get, then handed the message by our put. */
		ASSERT_EQ(0, wait_getters(fd, 1));
		ASSERT_EQ(0, q_put(fd, msg, size, 0, 0));
		ASSERT_EQ(0, wait_getters(fd, 0));
	}
	/* In flight: the room is still taken, and poll and STAT say so. */
	ASSERT_EQ(0, q_stat(fd, &st));
	EXPECT_EQ(0, st.count);
	EXPECT_EQ(1, st.full) TH_LOG("the message in flight gave its room away");
	pfd = (struct pollfd){ .fd = fd, .events = POLLOUT };
	EXPECT_EQ(0, poll(&pfd, 1, 0)) TH_LOG("POLLOUT with the room in flight");
	EXPECT_EQ(-EAGAIN, q_put_nb(fd, "x", 1))
		TH_LOG("a put took the room of the message in flight");
	/* The copy fails: the message goes back to the head. */
	ASSERT_EQ(1, write(go[1], "f", 1));
	ASSERT_EQ(getter, waitpid(getter, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("getter status %#x (10-13: no userfaultfd; 20: not EFAULT)",
		       status);
	ASSERT_EQ(0, q_stat(fd, &st));
	EXPECT_EQ(1, st.count) TH_LOG("%llu messages in a queue of maxsize 1",
				      (unsigned long long)st.count);
	len = size;
	memset(back, 0, size);
	ASSERT_EQ(0, q_get_nb(fd, back, &len));
	EXPECT_EQ(size, len);
	EXPECT_EQ(0, memcmp(back, msg, size)) TH_LOG("not the message in flight");
	/* Its room is back. */
	EXPECT_EQ(0, q_put_nb(fd, "y", 1));
	close(go[1]);
	free(msg);
	free(back);
	close(fd);
}

TEST(inflight_large_get_keeps_its_room)
{
	if (!have_userfaultfd())
		inflight_slow(_metadata, true);
	else
		inflight_keeps_room(_metadata, true);
}

TEST(inflight_handed_over_keeps_its_room)
{
	if (!have_userfaultfd())
		inflight_slow(_metadata, false);
	else
		inflight_keeps_room(_metadata, false);
}

/*
 * A putter asleep for the room of a message in flight is woken when the
 * getter's copy succeeds: the room comes back without the queue's lock
 * (ipc_chan_delivered()), which must still wake a counted putter.  The
 * getter is handed a message in a queue of maxsize 1 and its copy is held
 * open (a userfaultfd fault, served on our word; without userfaultfd, a
 * 15 MiB message into pages never touched, retried if the copy ends before
 * the putter sleeps); a put with a 10 s deadline (25 s for the long copy)
 * waits for the room.  A lost wake-up makes it time out.
 */
static int inflight_putter(int fd, int secs)
{
	return q_put(fd, "x", 1, 0, now_ns() + secs * SEC) == 0 ? 0 : 30;
}

TEST(inflight_delivered_wakes_blocked_putter)
{
	bool uffd = have_userfaultfd();
	__u64 size = uffd ? 64 : 15 << 20, len;
	char *msg = malloc(size), back[8];
	int tries, status;

	ASSERT_TRUE(msg != NULL);
	memset(msg, 'A', size);
	for (tries = 0; tries < 5; tries++) {
		int fd = q_new(1, 0, 0), go[2];
		pid_t getter, putter;
		bool during = true;

		ASSERT_LE(0, fd);
		ASSERT_EQ(0, pipe(go));
		getter = fork();
		ASSERT_LE(0, getter);
		if (!getter) {
			if (uffd) {
				close(go[1]);
				_exit(inflight_getter(fd, size, go[0]));
			}
			close(go[0]);
			_exit(slow_getter(fd, size, go[1]));
		}
		ASSERT_EQ(0, wait_getters(fd, 1));
		ASSERT_EQ(0, q_put(fd, msg, size, 0, 0));
		ASSERT_EQ(0, wait_getters(fd, 0));
		putter = fork();
		ASSERT_LE(0, putter);
		if (!putter)
			_exit(inflight_putter(fd, uffd ? 10 : 25));
		ASSERT_EQ(0, wait_putters(fd, 1));
		if (uffd) {
			ASSERT_EQ(1, write(go[1], "s", 1));
		} else {
			during = !getter_done(go[0]);
		}
		ASSERT_EQ(getter, waitpid(getter, &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
			TH_LOG("getter status %#x", status);
		ASSERT_EQ(putter, waitpid(putter, &status, 0));
		close(go[0]);
		close(go[1]);
		if (!during) {
			close(fd);
			TH_LOG("try %d: the copy ended before the putter slept",
			       tries);
			continue;
		}
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
			TH_LOG("putter status %#x (30: its put failed: not woken by the delivery)",
			       status);
		len = sizeof(back);
		EXPECT_EQ(0, q_get_nb(fd, back, &len));
		EXPECT_EQ(1, len);
		close(fd);
		break;
	}
	EXPECT_LT(tries, 5) TH_LOG("no try saw the putter asleep during the copy");
	free(msg);
}

TEST(sigkill_blocked_put)
{
	struct ipcdev_queue_stat st;
	char buf[16];
	__u64 len;
	pid_t pid;
	int fd = q_new(1, 0, 0);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, q_puts(fd, "kept"));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(-q_put(fd, "victim", 6, 0, 0));
	ASSERT_EQ(0, wait_putters(fd, 1));
	ASSERT_EQ(0, kill(pid, SIGKILL));
	EXPECT_EQ(1000 + SIGKILL, wait_child(pid, 5000));
	ASSERT_EQ(0, q_stat(fd, &st));
	EXPECT_EQ(0, st.putters);
	EXPECT_EQ(0, st.getters);
	EXPECT_EQ(1, st.count);
	EXPECT_EQ(4, st.bytes);
	len = sizeof(buf);
	ASSERT_EQ(0, q_get_nb(fd, buf, &len));
	ASSERT_EQ(4, len);
	EXPECT_EQ(0, memcmp(buf, "kept", 4));
	len = sizeof(buf);
	EXPECT_EQ(-EAGAIN, q_get_nb(fd, buf, &len));	/* victim not admitted */
	ASSERT_EQ(0, q_puts(fd, "next"));
	EXPECT_EQ(1, q_count(fd));
	close(fd);
}

/* ------------------------------------------------------------------ */
/* Bad input                                                          */
/* ------------------------------------------------------------------ */

TEST_F(q, efault_put)
{
	struct ipcdev_queue_stat before, after;
	long ps = page_size();
	char *none, *g;

	ASSERT_EQ(0, q_puts(self->fd, "base"));
	ASSERT_EQ(0, q_stat(self->fd, &before));
	none = mmap(NULL, ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, none);
	g = guarded_page();
	ASSERT_NE(NULL, g);
	memset(g, 'g', ps);

	EXPECT_EQ(-EFAULT, q_put_nb(self->fd, NULL, 10));
	EXPECT_EQ(-EFAULT, q_put_nb(self->fd, none, 10));
	EXPECT_EQ(-EFAULT, q_put_nb(self->fd, unmapped_addr(), 10));
	EXPECT_EQ(-EFAULT, q_put_nb(self->fd, g + ps - 5, 10));	/* crosses */
	EXPECT_EQ(-EFAULT, q_put(self->fd, none, 10, 0, 0));
	/* The struct itself unreadable. */
	EXPECT_EQ(-1, ioctl(self->fd, IPCDEV_IOC_QUEUE_PUT, none));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->fd, IPCDEV_IOC_QUEUE_PUT, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, write(self->fd, none, 10));
	EXPECT_EQ(EFAULT, errno);

	ASSERT_EQ(0, q_stat(self->fd, &after));
	ASSERT_STAT_SAME(before, after);
	EXPECT_EQ(0, q_put_nb(self->fd, g + ps - 5, 5));	/* just fits */
	EXPECT_EQ(2, q_count(self->fd));
	munmap(none, ps);
	munmap(g, 2 * ps);
}

TEST_F(q, efault_get_keeps_message)
{
	struct ipcdev_queue_stat before, after;
	unsigned char msg[100], out[100];
	long ps = page_size();
	char *none, *g;
	__u64 len;

	fill(msg, sizeof(msg), 3);
	ASSERT_EQ(0, q_put_nb(self->fd, msg, sizeof(msg)));
	ASSERT_EQ(0, q_stat(self->fd, &before));
	none = mmap(NULL, ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, none);
	g = guarded_page();
	ASSERT_NE(NULL, g);

	len = 100;
	EXPECT_EQ(-EFAULT, q_get_nb(self->fd, NULL, &len));
	len = 100;
	EXPECT_EQ(-EFAULT, q_get_nb(self->fd, none, &len));
	len = 100;
	EXPECT_EQ(-EFAULT, q_get_nb(self->fd, unmapped_addr(), &len));
	len = 100;	/* 50 bytes writable, then the guard page */
	EXPECT_EQ(-EFAULT, q_get_nb(self->fd, g + ps - 50, &len));
	len = 100;
	EXPECT_EQ(-EFAULT, q_get(self->fd, none, &len, 0, 0));
	EXPECT_EQ(-1, ioctl(self->fd, IPCDEV_IOC_QUEUE_GET, none));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->fd, IPCDEV_IOC_QUEUE_STAT, none));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, read(self->fd, none, 100));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, read(self->fd, g + ps - 50, 100));
	EXPECT_EQ(EFAULT, errno);

	ASSERT_EQ(0, q_stat(self->fd, &after));
	ASSERT_STAT_SAME(before, after);
	len = sizeof(out);
	ASSERT_EQ(0, q_get_nb(self->fd, out, &len));
	ASSERT_EQ(100, len);
	EXPECT_TRUE(check_fill(out, 100, 3));
	munmap(none, ps);
	munmap(g, 2 * ps);
}

TEST_F(q, huge_len)
{
	struct ipcdev_queue_stat before, after;
	char buf[16] = "abc";

	ASSERT_EQ(0, q_stat(self->fd, &before));
	EXPECT_EQ(-EMSGSIZE, q_put_nb(self->fd, buf, 1ULL << 62));
	EXPECT_EQ(-EMSGSIZE, q_put_nb(self->fd, buf, ~0ULL));
	EXPECT_EQ(-EMSGSIZE, q_put(self->fd, buf, 1ULL << 62, 0, 0));
	ASSERT_EQ(0, q_stat(self->fd, &after));
	ASSERT_STAT_SAME(before, after);
}

TEST_F(q, bad_ioctl_numbers)
{
	struct ipcdev_queue_stat before, after;
	char big[512];
	const unsigned long bad[] = {
		_IO(IPCDEV_IOC_MAGIC, 0x7f),
		_IOWR(IPCDEV_IOC_MAGIC, 0x14, struct ipcdev_msg),
		_IOWR('x', 0x11, struct ipcdev_msg),
		_IO(IPCDEV_IOC_MAGIC, 0x00),
		/* known numbers, wrong size */
		_IOC(_IOC_READ | _IOC_WRITE, IPCDEV_IOC_MAGIC, 0x11,
		     sizeof(struct ipcdev_msg) - 8),
		_IOC(_IOC_READ | _IOC_WRITE, IPCDEV_IOC_MAGIC, 0x11,
		     sizeof(struct ipcdev_msg) + 8),
		_IOC(_IOC_READ | _IOC_WRITE, IPCDEV_IOC_MAGIC, 0x12,
		     sizeof(struct ipcdev_msg) - 8),
		_IOC(_IOC_READ, IPCDEV_IOC_MAGIC, 0x13,
		     sizeof(struct ipcdev_queue_stat) - 8),
		_IOC(_IOC_READ, IPCDEV_IOC_MAGIC, 0x13,
		     sizeof(struct ipcdev_queue_stat) + 8),
		_IOC(_IOC_WRITE, IPCDEV_IOC_MAGIC, 0x10,
		     sizeof(struct ipcdev_queue_open) - 8),
		_IOC(_IOC_WRITE, IPCDEV_IOC_MAGIC, 0x01,
		     sizeof(struct ipcdev_unlink) + 8),
		_IOC(_IOC_READ | _IOC_WRITE, IPCDEV_IOC_MAGIC, 0x11, 0),
	};

	ASSERT_EQ(0, q_puts(self->fd, "keep"));
	ASSERT_EQ(0, q_stat(self->fd, &before));
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		memset(big, 0, sizeof(big));
		((struct ipcdev_msg *)big)->buf = ptr("zzzz");
		((struct ipcdev_msg *)big)->len = 4;
		EXPECT_EQ(-1, ioctl(self->fd, bad[i], big)) TH_LOG("cmd %#lx", bad[i]);
		EXPECT_EQ(ENOTTY, errno) TH_LOG("cmd %#lx", bad[i]);
	}
	ASSERT_EQ(0, q_stat(self->fd, &after));
	ASSERT_STAT_SAME(before, after);
}

TEST_F(q, reserved_and_flags_msg)
{
	struct ipcdev_queue_stat before, after;
	struct ipcdev_msg m;
	char buf[16];

	ASSERT_EQ(0, q_puts(self->fd, "keep"));
	ASSERT_EQ(0, q_stat(self->fd, &before));

	memset(&m, 0, sizeof(m));
	m.buf = ptr("abc");
	m.len = 3;
	m.reserved = 1;
	EXPECT_EQ(-1, ioctl(self->fd, IPCDEV_IOC_QUEUE_PUT, &m));
	EXPECT_EQ(EINVAL, errno);
	m.reserved = 0x80000000u;
	EXPECT_EQ(-1, ioctl(self->fd, IPCDEV_IOC_QUEUE_PUT, &m));
	EXPECT_EQ(EINVAL, errno);
	m.reserved = 0;
	m.flags = 1U << 2;
	EXPECT_EQ(-1, ioctl(self->fd, IPCDEV_IOC_QUEUE_PUT, &m));
	EXPECT_EQ(EINVAL, errno);
	m.flags = 1U << 31;
	EXPECT_EQ(-1, ioctl(self->fd, IPCDEV_IOC_QUEUE_PUT, &m));
	EXPECT_EQ(EINVAL, errno);

	memset(&m, 0, sizeof(m));
	m.buf = ptr(buf);
	m.len = sizeof(buf);
	m.reserved = 1;
	EXPECT_EQ(-1, ioctl(self->fd, IPCDEV_IOC_QUEUE_GET, &m));
	EXPECT_EQ(EINVAL, errno);
	m.reserved = 0;
	m.flags = IPCDEV_WAIT_NONBLOCK | (1U << 7);
	EXPECT_EQ(-1, ioctl(self->fd, IPCDEV_IOC_QUEUE_GET, &m));
	EXPECT_EQ(EINVAL, errno);

	ASSERT_EQ(0, q_stat(self->fd, &after));
	ASSERT_STAT_SAME(before, after);
}

/* Bad QUEUE_OPEN arguments on a device descriptor, which stays usable. */
static int open_bad(struct ipcdev_queue_open *o)
{
	int fd = open(DEV, O_RDWR), e = 0;

	if (fd < 0)
		return -1000;
	if (dev_open_in_place(fd, IPCDEV_IOC_QUEUE_OPEN, o))
		e = errno;
	/* Still a device descriptor: a good OPEN must succeed. */
	if (e && q_bind(fd, NULL, 0, 0, 0, 0, 0))
		e = -2000;
	close(fd);
	return e;
}

TEST(reserved_and_flags_open)
{
	struct ipcdev_queue_open o;
	char name[64];

	snprintf(name, sizeof(name), "ksft-resv-%d", getpid());
	for (int i = 0; i < 3; i++) {
		memset(&o, 0, sizeof(o));
		o.reserved[i] = 1;
		EXPECT_EQ(EINVAL, open_bad(&o)) TH_LOG("reserved[%d]", i);
		o.name = ptr(name);
		o.flags = IPCDEV_CREAT;
		o.mode = 0600;
		EXPECT_EQ(EINVAL, open_bad(&o)) TH_LOG("named reserved[%d]", i);
	}
	memset(&o, 0, sizeof(o));
	o.name = ptr(name);
	o.flags = IPCDEV_CREAT | (1U << 2);
	o.mode = 0600;
	EXPECT_EQ(EINVAL, open_bad(&o));
	o.flags = IPCDEV_CREAT | (1U << 31);
	EXPECT_EQ(EINVAL, open_bad(&o));
	memset(&o, 0, sizeof(o));
	o.flags = 1U << 9;
	EXPECT_EQ(EINVAL, open_bad(&o));
	/* None of these created the name. */
	EXPECT_EQ(-ENOENT, q_unlink(name));
}

TEST(bad_mode)
{
	struct ipcdev_queue_open o;
	char name[64];

	snprintf(name, sizeof(name), "ksft-mode-%d", getpid());
	memset(&o, 0, sizeof(o));
	o.name = ptr(name);
	o.flags = IPCDEV_CREAT;
	o.mode = 01000;
	EXPECT_EQ(EINVAL, open_bad(&o));
	o.mode = 04600;
	EXPECT_EQ(EINVAL, open_bad(&o));
	o.mode = 0x10000 | 0600;
	EXPECT_EQ(EINVAL, open_bad(&o));
	EXPECT_EQ(-ENOENT, q_unlink(name));
}

TEST(bad_names)
{
	struct ipcdev_queue_open o;
	struct ipcdev_unlink u;
	char longname[IPCDEV_NAME_MAX + 64];
	long ps = page_size();
	char *g;
	int fd;

	memset(&o, 0, sizeof(o));
	o.flags = IPCDEV_CREAT;
	o.mode = 0600;

	o.name = ptr("");
	EXPECT_EQ(EINVAL, open_bad(&o));
	o.name = ptr("a/b");
	EXPECT_EQ(EINVAL, open_bad(&o));
	o.name = ptr("/lead");
	EXPECT_EQ(EINVAL, open_bad(&o));

	/* 256 characters: too long. */
	memset(longname, 0, sizeof(longname));
	snprintf(longname, sizeof(longname), "ksft-long-%d-", getpid());
	memset(longname + strlen(longname), 'n',
	       IPCDEV_NAME_MAX + 1 - strlen(longname));
	ASSERT_EQ(IPCDEV_NAME_MAX + 1, strlen(longname));
	o.name = ptr(longname);
	EXPECT_EQ(ENAMETOOLONG, open_bad(&o));
	memset(&u, 0, sizeof(u));
	u.name = ptr(longname);
	fd = open(DEV, O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, ioctl(fd, IPCDEV_IOC_UNLINK, &u));
	EXPECT_EQ(ENAMETOOLONG, errno);

	/* Unmapped name pointer. */
	o.name = ptr(unmapped_addr());
	EXPECT_EQ(EFAULT, open_bad(&o));
	u.name = o.name;
	EXPECT_EQ(-1, ioctl(fd, IPCDEV_IOC_UNLINK, &u));
	EXPECT_EQ(EFAULT, errno);

	/* Not NUL-terminated before a PROT_NONE page. */
	g = guarded_page();
	ASSERT_NE(NULL, g);
	memset(g + ps - 10, 'q', 10);
	o.name = ptr(g + ps - 10);
	EXPECT_EQ(EFAULT, open_bad(&o));
	u.name = o.name;
	EXPECT_EQ(-1, ioctl(fd, IPCDEV_IOC_UNLINK, &u));
	EXPECT_EQ(EFAULT, errno);

	/* Bad names on unlink too. */
	u.name = ptr("");
	EXPECT_EQ(-1, ioctl(fd, IPCDEV_IOC_UNLINK, &u));
	EXPECT_EQ(EINVAL, errno);
	u.name = ptr("x/y");
	EXPECT_EQ(-1, ioctl(fd, IPCDEV_IOC_UNLINK, &u));
	EXPECT_EQ(EINVAL, errno);
	/* Unmapped struct. */
	EXPECT_EQ(-1, ioctl(fd, IPCDEV_IOC_UNLINK, unmapped_addr()));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(fd, IPCDEV_IOC_QUEUE_OPEN, unmapped_addr()));
	EXPECT_EQ(EFAULT, errno);
	/* ... which left the device descriptor as it was. */
	EXPECT_EQ(0, q_bind(fd, NULL, 0, 0, 0, 0, 0));
	close(fd);
	munmap(g, 2 * ps);
}

TEST(name_255_chars_ok)
{
	struct ipcdev_queue_stat st;
	char name[IPCDEV_NAME_MAX + 1];
	int fd, fd2;

	snprintf(name, sizeof(name), "ksft-255-%d-", getpid());
	memset(name + strlen(name), 'm', IPCDEV_NAME_MAX - strlen(name));
	name[IPCDEV_NAME_MAX] = 0;
	ASSERT_EQ(IPCDEV_NAME_MAX, strlen(name));
	fd = q_open_named(name, O_RDWR, IPCDEV_CREAT | IPCDEV_EXCL, 0600, 0);
	ASSERT_LE(0, fd) TH_LOG("%s", strerror(-fd));
	ASSERT_EQ(0, q_stat(fd, &st));
	EXPECT_EQ(IPCDEV_STAT_NAMED, st.flags & IPCDEV_STAT_NAMED);
	fd2 = q_open_named(name, O_RDWR, 0, 0, 0);
	EXPECT_LE(0, fd2);
	if (fd2 >= 0)
		close(fd2);
	EXPECT_EQ(0, q_unlink(name));
	EXPECT_EQ(-ENOENT, q_unlink(name));
	close(fd);
}

TEST(bad_reserved_unlink)
{
	struct ipcdev_unlink u;
	char name[64];
	int fd, qfd;

	snprintf(name, sizeof(name), "ksft-unl-%d", getpid());
	qfd = q_open_named(name, O_RDWR, IPCDEV_CREAT | IPCDEV_EXCL, 0600, 0);
	ASSERT_LE(0, qfd);
	fd = open(DEV, O_RDWR);
	ASSERT_LE(0, fd);
	memset(&u, 0, sizeof(u));
	u.name = ptr(name);
	u.reserved = 1;
	EXPECT_EQ(-1, ioctl(fd, IPCDEV_IOC_UNLINK, &u));
	EXPECT_EQ(EINVAL, errno);
	u.reserved = 0;
	u.flags = 1;
	EXPECT_EQ(-1, ioctl(fd, IPCDEV_IOC_UNLINK, &u));
	EXPECT_EQ(EINVAL, errno);
	/* The name survived the bad calls. */
	u.flags = 0;
	EXPECT_EQ(0, ioctl(fd, IPCDEV_IOC_UNLINK, &u));
	close(fd);
	close(qfd);
}

TEST(limits_above_ceilings)
{
	unsigned long long msgs_max = read_param("msgs_max");
	unsigned long long bytes_max = read_param("bytes_max");
	unsigned long long msgsize_max = read_param("msgsize_max");
	struct ipcdev_queue_open o;
	struct ipcdev_queue_stat st;
	int fd;

	ASSERT_NE(0, msgs_max);
	ASSERT_NE(0, bytes_max);
	ASSERT_NE(0, msgsize_max);

	memset(&o, 0, sizeof(o));
	o.maxsize = msgs_max + 1;
	EXPECT_EQ(EINVAL, open_bad(&o));
	memset(&o, 0, sizeof(o));
	o.bytes_max = bytes_max + 1;
	EXPECT_EQ(EINVAL, open_bad(&o));
	/*
	 * msgsize_max has no ceiling any more (the quota is), and
	 * IPCDEV_UNLIMITED is no bound; just below it is a finite value
	 * above the ceilings.
	 */
	memset(&o, 0, sizeof(o));
	o.maxsize = IPCDEV_UNLIMITED - 1;
	EXPECT_EQ(EINVAL, open_bad(&o));
	memset(&o, 0, sizeof(o));
	o.bytes_max = IPCDEV_UNLIMITED - 1;
	EXPECT_EQ(EINVAL, open_bad(&o));

	/* At the ceilings is fine. */
	fd = q_new(msgs_max, msgsize_max, bytes_max);
	ASSERT_LE(0, fd) TH_LOG("%s", strerror(-fd));
	ASSERT_EQ(0, q_stat(fd, &st));
	EXPECT_EQ(msgs_max, st.maxsize);
	EXPECT_EQ(msgsize_max, st.msgsize_max);
	EXPECT_EQ(bytes_max, st.bytes_max);
	close(fd);
}

/* ------------------------------------------------------------------ */
/* Named queues                                                       */
/* ------------------------------------------------------------------ */

FIXTURE(named) {
	char name[64];
	char name2[64];
};

FIXTURE_SETUP(named)
{
	snprintf(self->name, sizeof(self->name), "ksft-ipcq-%d", getpid());
	snprintf(self->name2, sizeof(self->name2), "ksft-ipcq2-%d", getpid());
	q_unlink(self->name);
	q_unlink(self->name2);
	umask(0);
}

FIXTURE_TEARDOWN(named)
{
	q_unlink(self->name);
	q_unlink(self->name2);
}

TEST_F(named, creat_excl_enoent)
{
	struct ipcdev_queue_stat s1, s2;
	char buf[16];
	__u64 len;
	int a, b, c;

	EXPECT_EQ(-ENOENT, q_open_named(self->name, O_RDWR, 0, 0, 0));
	a = q_open_named(self->name, O_RDWR, IPCDEV_CREAT, 0600, 0);
	ASSERT_LE(0, a) TH_LOG("%s", strerror(-a));
	EXPECT_EQ(-EEXIST, q_open_named(self->name, O_RDWR,
					IPCDEV_CREAT | IPCDEV_EXCL, 0600, 0));
	b = q_open_named(self->name, O_RDWR, IPCDEV_CREAT, 0600, 0);
	ASSERT_LE(0, b);
	c = q_open_named(self->name, O_RDWR, 0, 0, 0);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, q_stat(a, &s1));
	ASSERT_EQ(0, q_stat(c, &s2));
	EXPECT_EQ(s1.id, s2.id);
	EXPECT_EQ(IPCDEV_STAT_NAMED, s1.flags);
	ASSERT_EQ(0, q_puts(b, "shared"));
	len = sizeof(buf);
	ASSERT_EQ(0, q_get_nb(c, buf, &len));
	ASSERT_EQ(6, len);
	EXPECT_EQ(0, memcmp(buf, "shared", 6));
	/* An object descriptor: OPEN is ENOTTY, even by name. */
	EXPECT_EQ(-ENOTTY, q_bind(a, self->name, 0, 0, 0, 0, 0));
	/* CREAT|EXCL on a fresh name works. */
	b = q_open_named(self->name2, O_RDWR, IPCDEV_CREAT | IPCDEV_EXCL, 0600, 0);
	ASSERT_LE(0, b);
	ASSERT_EQ(0, q_stat(b, &s2));
	EXPECT_NE(s1.id, s2.id);
	close(a);
	close(b);
	close(c);
}

TEST_F(named, persists_without_handles)
{
	struct ipcdev_queue_stat st;
	char buf[32];
	__u64 len;
	__u32 id;
	int fd;

	fd = q_open_named(self->name, O_RDWR, IPCDEV_CREAT | IPCDEV_EXCL, 0600, 5);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, q_stat(fd, &st));
	id = st.id;
	ASSERT_EQ(0, q_puts(fd, "persistent"));
	close(fd);

	fd = q_open_named(self->name, O_RDWR, 0, 0, 0);
	ASSERT_LE(0, fd) TH_LOG("reopen: %s", strerror(-fd));
	ASSERT_EQ(0, q_stat(fd, &st));
	EXPECT_EQ(id, st.id);
	EXPECT_EQ(1, st.count);
	EXPECT_EQ(5, st.maxsize);
	len = sizeof(buf);
	ASSERT_EQ(0, q_get_nb(fd, buf, &len));
	ASSERT_EQ(10, len);
	EXPECT_EQ(0, memcmp(buf, "persistent", 10));
	close(fd);
}

TEST_F(named, limits_ignored_on_attach)
{
	struct ipcdev_queue_stat st;
	int a, b;

	a = q_open_named(self->name, O_RDWR, IPCDEV_CREAT, 0600, 3);
	ASSERT_LE(0, a);
	b = open(DEV, O_RDWR);
	ASSERT_LE(0, b);
	ASSERT_EQ(0, q_bind(b, self->name, IPCDEV_CREAT, 0666, 7, 99, 999));
	ASSERT_EQ(0, q_stat(b, &st));
	EXPECT_EQ(3, st.maxsize);
	EXPECT_NE(99, st.msgsize_max);
	EXPECT_NE(999, st.bytes_max);
	EXPECT_EQ(0600, st.mode);
	close(a);
	close(b);
}

TEST_F(named, unlink)
{
	struct ipcdev_queue_stat st;
	struct ipcdev_unlink u;
	char buf[16];
	__u64 len;
	__u32 id;
	int fd, ufd, fd2;

	fd = q_open_named(self->name, O_RDWR, IPCDEV_CREAT, 0600, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, q_stat(fd, &st));
	id = st.id;
	EXPECT_EQ(IPCDEV_STAT_NAMED, st.flags);

	/* Unlink through a bound handle of another queue. */
	ufd = q_new(0, 0, 0);
	ASSERT_LE(0, ufd);
	memset(&u, 0, sizeof(u));
	u.name = ptr(self->name);
	ASSERT_EQ(0, ioctl(ufd, IPCDEV_IOC_UNLINK, &u));
	EXPECT_EQ(-1, ioctl(ufd, IPCDEV_IOC_UNLINK, &u));
	EXPECT_EQ(ENOENT, errno);
	close(ufd);

	EXPECT_EQ(-ENOENT, q_open_named(self->name, O_RDWR, 0, 0, 0));
	/* The open handle keeps working. */
	ASSERT_EQ(0, q_puts(fd, "still"));
	len = sizeof(buf);
	ASSERT_EQ(0, q_get_nb(fd, buf, &len));
	EXPECT_EQ(5, len);
	ASSERT_EQ(0, q_stat(fd, &st));
	EXPECT_EQ(IPCDEV_STAT_NAMED | IPCDEV_STAT_UNLINKED, st.flags);

	/* The name can be created again: a different, empty queue. */
	ASSERT_EQ(0, q_puts(fd, "old"));
	fd2 = q_open_named(self->name, O_RDWR, IPCDEV_CREAT | IPCDEV_EXCL, 0600, 0);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, q_stat(fd2, &st));
	EXPECT_NE(id, st.id);
	EXPECT_EQ(0, st.count);
	EXPECT_EQ(IPCDEV_STAT_NAMED, st.flags);
	EXPECT_EQ(1, q_count(fd));
	close(fd2);
	close(fd);
	EXPECT_EQ(0, q_unlink(self->name));
	EXPECT_EQ(-ENOENT, q_unlink(self->name));
}

TEST_F(named, stat_owner_mode)
{
	struct ipcdev_queue_stat st;
	int fd;

	umask(022);
	fd = q_open_named(self->name, O_RDWR, IPCDEV_CREAT, 0666, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, q_stat(fd, &st));
	EXPECT_EQ(0644, st.mode);
	EXPECT_EQ(getuid(), st.uid);
	EXPECT_EQ(getgid(), st.gid);
	EXPECT_EQ(IPCDEV_STAT_NAMED, st.flags);
	close(fd);

	umask(027);
	fd = q_open_named(self->name2, O_RDWR, IPCDEV_CREAT, 0666, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, q_stat(fd, &st));
	EXPECT_EQ(0640, st.mode);
	close(fd);
}

/* The queue nobody creates: owner nobody/nobody. */
static int child_create_and_stat(void *arg)
{
	struct ipcdev_queue_stat st;
	int r, fd = open(DEV, O_RDWR);

	if (fd < 0)
		return CHILD_DEVOPEN;
	r = q_bind(fd, arg, IPCDEV_CREAT | IPCDEV_EXCL, 0600, 0, 0, 0);
	if (r)
		return -r;
	if (q_stat(fd, &st))
		return CHILD_OTHER;
	if (st.uid != NOBODY || st.gid != NOBODY || st.mode != 0600)
		return CHILD_BADDATA;
	return 0;
}

TEST_F(named, permissions_other)
{
	int fd = q_open_named(self->name, O_RDWR, IPCDEV_CREAT, 0644, 0);

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, open_as(NOBODY, NOBODY, self->name, O_RDONLY, 0, 0));
	EXPECT_EQ(EACCES, open_as(NOBODY, NOBODY, self->name, O_WRONLY, 0, 0));
	EXPECT_EQ(EACCES, open_as(NOBODY, NOBODY, self->name, O_RDWR, 0, 0));
	/* CREAT of an existing name is an attach: still checked. */
	EXPECT_EQ(EACCES, open_as(NOBODY, NOBODY, self->name, O_RDWR,
				  IPCDEV_CREAT, 0666));
	close(fd);

	fd = q_open_named(self->name2, O_RDWR, IPCDEV_CREAT, 0602, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, open_as(NOBODY, NOBODY, self->name2, O_WRONLY, 0, 0));
	EXPECT_EQ(EACCES, open_as(NOBODY, NOBODY, self->name2, O_RDONLY, 0, 0));
	EXPECT_EQ(EACCES, open_as(NOBODY, NOBODY, self->name2, O_RDWR, 0, 0));
	close(fd);
	ASSERT_EQ(0, q_unlink(self->name2));

	fd = q_open_named(self->name2, O_RDWR, IPCDEV_CREAT, 0666, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, open_as(NOBODY, NOBODY, self->name2, O_RDWR, 0, 0));
	close(fd);
}

TEST_F(named, permissions_none_and_root_bypass)
{
	int fd = q_open_named(self->name, O_RDWR, IPCDEV_CREAT, 0600, 0);

	ASSERT_LE(0, fd);
	EXPECT_EQ(EACCES, open_as(NOBODY, NOBODY, self->name, O_RDONLY, 0, 0));
	EXPECT_EQ(EACCES, open_as(NOBODY, NOBODY, self->name, O_WRONLY, 0, 0));
	close(fd);

	/* Mode 0: only CAP_IPC_OWNER gets in. */
	fd = q_open_named(self->name2, O_RDWR, IPCDEV_CREAT, 0, 0);
	ASSERT_LE(0, fd);
	close(fd);
	fd = q_open_named(self->name2, O_RDWR, 0, 0, 0);
	EXPECT_LE(0, fd) TH_LOG("root was refused: %s", strerror(-fd));
	if (fd >= 0)
		close(fd);
	EXPECT_EQ(EACCES, open_as(NOBODY, NOBODY, self->name2, O_RDONLY, 0, 0));
}

TEST_F(named, permissions_group)
{
	int fd = q_open_named(self->name, O_RDWR, IPCDEV_CREAT, 0060, 0);

	ASSERT_LE(0, fd);
	/* Not the owner, in the group (gid 0): rw granted by group bits. */
	EXPECT_EQ(0, open_as(NOBODY, 0, self->name, O_RDWR, 0, 0));
	/* Neither owner nor group. */
	EXPECT_EQ(EACCES, open_as(NOBODY, NOBODY, self->name, O_RDONLY, 0, 0));
	close(fd);

	fd = q_open_named(self->name2, O_RDWR, IPCDEV_CREAT, 0640, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, open_as(NOBODY, 0, self->name2, O_RDONLY, 0, 0));
	EXPECT_EQ(EACCES, open_as(NOBODY, 0, self->name2, O_WRONLY, 0, 0));
	EXPECT_EQ(EACCES, open_as(NOBODY, NOBODY, self->name2, O_RDONLY, 0, 0));
	close(fd);
}

TEST_F(named, permissions_umask)
{
	struct ipcdev_queue_stat st;
	int fd;

	umask(077);
	fd = q_open_named(self->name, O_RDWR, IPCDEV_CREAT, 0666, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, q_stat(fd, &st));
	EXPECT_EQ(0600, st.mode);
	EXPECT_EQ(EACCES, open_as(NOBODY, NOBODY, self->name, O_RDONLY, 0, 0));
	EXPECT_EQ(EACCES, open_as(NOBODY, 0, self->name, O_RDONLY, 0, 0));
	close(fd);
}

TEST_F(named, permissions_owner)
{
	/* nobody creates; nobody as owner gets in, another uid does not. */
	EXPECT_EQ(0, as_user(NOBODY, NOBODY, child_create_and_stat, self->name));
	EXPECT_EQ(0, open_as(NOBODY, NOBODY, self->name, O_RDWR, 0, 0));
	EXPECT_EQ(EACCES, open_as(NOBODY - 1, NOBODY - 1, self->name, O_RDONLY, 0, 0));
	/* The owner may unlink it. */
	EXPECT_EQ(0, as_user(NOBODY, NOBODY, child_unlink, self->name));
	EXPECT_EQ(-ENOENT, q_unlink(self->name));
}

TEST_F(named, unlink_by_non_owner)
{
	int fd = q_open_named(self->name, O_RDWR, IPCDEV_CREAT, 0666, 0);

	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(EPERM, as_user(NOBODY, NOBODY, child_unlink, self->name));
	/* Still there. */
	fd = q_open_named(self->name, O_RDWR, 0, 0, 0);
	EXPECT_LE(0, fd);
	if (fd >= 0)
		close(fd);
	EXPECT_EQ(ENOENT, as_user(NOBODY, NOBODY, child_unlink, self->name2));
	EXPECT_EQ(0, q_unlink(self->name));
}

/* ------------------------------------------------------------------ */
/* Object accounting and module lifetime (keep these last)            */
/* ------------------------------------------------------------------ */

/*
 * Declared last, so that these run after every other test (the harness runs
 * plain TEST()s first, then fixtures in declaration order).
 */
FIXTURE(zz_lifetime) {
	int unused;
};

FIXTURE_SETUP(zz_lifetime)
{
}

FIXTURE_TEARDOWN(zz_lifetime)
{
}

TEST_F_TIMEOUT(zz_lifetime, accounting_open_close_cycles, 900)
{
	long long objects0, handles0, bytes0, named0, v;
	int fails = 0;

	objects0 = read_proc_stat("objects");
	handles0 = read_proc_stat("handles");
	bytes0 = read_proc_stat("bytes");
	named0 = read_proc_stat("named");
	ASSERT_LE(0, objects0) TH_LOG("no 'objects' in %s", PROC_STATS);
	ASSERT_LE(0, handles0);
	ASSERT_LE(0, bytes0);
	ASSERT_LE(0, named0);

	for (int i = 0; i < 10000; i++) {
		int fd = open(DEV, O_RDWR);

		if (fd < 0 || q_bind(fd, NULL, 0, 0, 0, 0, 0) ||
		    q_put_nb(fd, "cycle", 5))
			fails++;
		if (i == 0) {
			EXPECT_EQ(objects0 + 1, read_proc_stat("objects"));
			EXPECT_EQ(handles0 + 1, read_proc_stat("handles"));
		}
		if (fd >= 0)
			close(fd);
	}
	EXPECT_EQ(0, fails);
	v = wait_proc_stat("objects", objects0);
	EXPECT_EQ(objects0, v);
	v = wait_proc_stat("handles", handles0);
	EXPECT_EQ(handles0, v);
	v = wait_proc_stat("bytes", bytes0);
	EXPECT_EQ(bytes0, v);
	EXPECT_EQ(named0, read_proc_stat("named"));
}

TEST_F(zz_lifetime, accounting_named)
{
	long long objects0 = read_proc_stat("objects");
	long long named0 = read_proc_stat("named");
	char name[64];
	int fd;

	ASSERT_LE(0, objects0);
	ASSERT_LE(0, named0);
	snprintf(name, sizeof(name), "ksft-acct-%d", getpid());
	fd = q_open_named(name, O_RDWR, IPCDEV_CREAT | IPCDEV_EXCL, 0600, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, q_puts(fd, "x"));
	close(fd);
	/* Persists with no handle. */
	EXPECT_EQ(objects0 + 1, wait_proc_stat("objects", objects0 + 1));
	EXPECT_EQ(named0 + 1, read_proc_stat("named"));
	ASSERT_EQ(0, q_unlink(name));
	EXPECT_EQ(objects0, wait_proc_stat("objects", objects0));
	EXPECT_EQ(named0, wait_proc_stat("named", named0));
}

TEST_F(zz_lifetime, rmmod_refused_while_open)
{
	int fd = q_new(0, 0, 0);
	long r;

	ASSERT_LE(0, fd);
	r = syscall(__NR_delete_module, "ipcdev", O_NONBLOCK);
	if (r == 0)
		TH_LOG("!!! the ipcdev module was UNLOADED with a handle open !!!");
	ASSERT_EQ(-1, r);
	EXPECT_EQ(EWOULDBLOCK, errno);
	/* And the handle is still good. */
	EXPECT_EQ(0, q_puts(fd, "alive"));
	EXPECT_EQ(1, q_count(fd));
	close(fd);
}

TEST_HARNESS_MAIN
