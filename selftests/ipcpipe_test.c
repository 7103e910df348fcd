// SPDX-License-Identifier: GPL-2.0
/*
 * Selftests of /dev/ipcpipe, the raw ioctl/read/write/poll ABI of the pipe
 * in uapi/linux/ipcdev.h.  Run as root with the ipcdev module loaded.
 *
 * Conventions (as ipcqueue_test.c): helpers return 0 or -errno; helper
 * processes forked by a test never use ASSERT_* but report through their
 * exit code: 0 = success, otherwise an errno value or one of the CHILD_*
 * codes below (never 255, which the harness reads as SKIP).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
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
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include <linux/ipcdev.h>

#include "ipcdev_test.h"

/* See ipcqueue_test.c: harness artefacts under -Wextra. */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"

#define DEV		"/dev/ipcpipe"
#define QDEV		"/dev/ipcqueue"
#define MiB		(1024 * 1024)

/* ------------------------------------------------------------------ */
/* Helpers                                                            */
/* ------------------------------------------------------------------ */

/* IPCDEV_IOC_PIPE_OPEN on @fd; *fd1 gets the new end 1 of an anonymous pair. */
static int p_bind(int fd, const char *name, __u32 flags, __u32 mode,
		  __u64 capacity, __u32 end, int *fd1)
{
	struct ipcdev_pipe_open o = {
		.name = ptr(name), .flags = flags, .mode = mode,
		.capacity = capacity, .end = end, .fd = -1,
	};

	if (dev_open_in_place(fd, IPCDEV_IOC_PIPE_OPEN, &o))
		return -errno;
	if (fd1)
		*fd1 = o.fd;
	return 0;
}

/* A new anonymous pair: ends[0], ends[1]; 0 or -errno. */
static int p_pair(__u32 flags, __u64 capacity, int ends[2])
{
	int fd = open(DEV, O_RDWR | O_CLOEXEC), r;

	if (fd < 0)
		return -errno;
	r = p_bind(fd, NULL, flags, 0, capacity, 0, &ends[1]);
	if (r) {
		close(fd);
		return r;
	}
	ends[0] = fd;
	return 0;
}

/* A handle on end @end of the named pipe; the fd or -errno. */
static int p_named(const char *name, int oflags, __u32 flags, __u32 mode,
		   __u64 capacity, __u32 end)
{
	int fd = open(DEV, oflags | O_CLOEXEC), r;

	if (fd < 0)
		return -errno;
	r = p_bind(fd, name, flags, mode, capacity, end, NULL);
	if (r) {
		close(fd);
		return r;
	}
	return fd;
}

static int p_send(int fd, const void *buf, __u64 len, __u32 flags,
		  __u64 deadline)
{
	struct ipcdev_msg m = {
		.buf = ptr(buf), .len = len, .deadline_ns = deadline,
		.flags = flags,
	};

	return ioctl(fd, IPCDEV_IOC_PIPE_SEND, &m) ? -errno : 0;
}

static int p_send_nb(int fd, const void *buf, __u64 len)
{
	return p_send(fd, buf, len, IPCDEV_WAIT_NONBLOCK, 0);
}

static int p_sends(int fd, const char *s)
{
	return p_send(fd, s, strlen(s), IPCDEV_WAIT_NONBLOCK, 0);
}

/* *len: in, size of buf; out, message length (also on EMSGSIZE). */
static int p_recv(int fd, void *buf, __u64 *len, __u32 flags, __u64 deadline)
{
	struct ipcdev_msg m = {
		.buf = ptr(buf), .len = *len, .deadline_ns = deadline,
		.flags = flags,
	};
	int r = ioctl(fd, IPCDEV_IOC_PIPE_RECV, &m) ? -errno : 0;

	*len = m.len;
	return r;
}

static int p_recv_nb(int fd, void *buf, __u64 *len)
{
	return p_recv(fd, buf, len, IPCDEV_WAIT_NONBLOCK, 0);
}

/* Receive without waiting and compare with the string @s. */
static int p_expect(int fd, const char *s)
{
	char buf[256];
	__u64 len = sizeof(buf);
	int r = p_recv_nb(fd, buf, &len);

	if (r)
		return r;
	if (len != strlen(s))
		return -CHILD_BADLEN;
	return memcmp(buf, s, len) ? -CHILD_BADDATA : 0;
}

static int p_stat(int fd, struct ipcdev_pipe_stat *st)
{
	memset(st, 0xa5, sizeof(*st));
	return ioctl(fd, IPCDEV_IOC_PIPE_STAT, st) ? -errno : 0;
}

/* Messages waiting for this end, or (__u64)-1 if STAT fails. */
static __u64 p_in_count(int fd)
{
	struct ipcdev_pipe_stat st;

	return p_stat(fd, &st) ? (__u64)-1 : st.in_count;
}

static int p_unlink(const char *name)
{
	return dev_unlink(DEV, name);
}

#define STAT_CMD	IPCDEV_IOC_PIPE_STAT
#define wait_receivers(fd, n)	WAIT_STAT(fd, STAT_CMD, struct ipcdev_pipe_stat, receivers, n)
#define wait_senders(fd, n)	WAIT_STAT(fd, STAT_CMD, struct ipcdev_pipe_stat, senders, n)

/* Fast pseudo-random contents and a checksum, for the big messages. */
static __u64 xorshift(__u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void fill_random(unsigned char *buf, size_t len, __u64 seed)
{
	__u64 s = seed | 1, v;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		v = xorshift(&s);
		memcpy(buf + i, &v, 8);
	}
	v = xorshift(&s);
	memcpy(buf + i, &v, len - i);
}

static __u64 checksum(const unsigned char *buf, size_t len)
{
	__u64 h = 0xcbf29ce484222325ULL ^ len, v;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&v, buf + i, 8);
		h = (h ^ v) * 0x100000001b3ULL;
		h ^= h >> 29;
	}
	for (; i < len; i++)
		h = (h ^ buf[i]) * 0x100000001b3ULL;
	return h;
}

/*
 * A self-checking message: this header, then len payload bytes whose
 * checksum is sum.
 */
#define HDR_MAGIC	0x50495045u	/* "PIPE" */

struct hdr {
	__u32 magic;
	__u32 writer;
	__u32 seq;
	__u32 len;
	__u64 sum;
};

/* Fill @buf with a message of @len payload bytes; returns its total size. */
static size_t make_msg(unsigned char *buf, __u32 writer, __u32 seq,
		       size_t len, __u64 seed)
{
	struct hdr h = { HDR_MAGIC, writer, seq, (__u32)len, 0 };

	fill_random(buf + sizeof(h), len, seed);
	h.sum = checksum(buf + sizeof(h), len);
	memcpy(buf, &h, sizeof(h));
	return sizeof(h) + len;
}

/* Check a received message of @total bytes; 0 or a CHILD_* code. */
static int check_msg(const unsigned char *buf, size_t total, struct hdr *out)
{
	struct hdr h;

	if (total < sizeof(h))
		return CHILD_BADLEN;
	memcpy(&h, buf, sizeof(h));
	if (h.magic != HDR_MAGIC || h.len != total - sizeof(h))
		return CHILD_BADLEN;
	if (checksum(buf + sizeof(h), h.len) != h.sum)
		return CHILD_BADDATA;
	if (out)
		*out = h;
	return 0;
}

/* A child that holds what it inherited until its stdin-like pipe closes. */
static pid_t hold_until_closed(int *ctl_wr)
{
	int ctl[2];
	pid_t pid;
	char c;

	if (pipe(ctl))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(ctl[1]);
		while (read(ctl[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(ctl[0]);
	*ctl_wr = ctl[1];
	return pid;
}

static void close_pair(int ends[2])
{
	if (ends[0] >= 0)
		close(ends[0]);
	if (ends[1] >= 0)
		close(ends[1]);
	ends[0] = ends[1] = -1;
}

/* ------------------------------------------------------------------ */
/* Creation, directions, message boundaries                           */
/* ------------------------------------------------------------------ */

FIXTURE(dx) {
	int e[2];
};

FIXTURE_SETUP(dx)
{
	int r = p_pair(IPCDEV_PIPE_DUPLEX | IPCDEV_PIPE_CLOEXEC, 0, self->e);

	ASSERT_EQ(0, r) TH_LOG("%s: PIPE_OPEN: %s", DEV, strerror(-r));
}

FIXTURE_TEARDOWN(dx)
{
	close_pair(self->e);
}

FIXTURE(ow) {
	int e[2];
};

FIXTURE_SETUP(ow)
{
	int r = p_pair(IPCDEV_PIPE_CLOEXEC, 0, self->e);

	ASSERT_EQ(0, r) TH_LOG("%s: PIPE_OPEN: %s", DEV, strerror(-r));
}

FIXTURE_TEARDOWN(ow)
{
	close_pair(self->e);
}

TEST(pair_stat_and_cloexec)
{
	unsigned long long msgsize = read_param("msgsize_max");
	unsigned long long bytes_def = read_param("bytes_default");
	struct ipcdev_pipe_stat s0, s1;
	int e[2], fd1;

	ASSERT_NE(0, msgsize);
	ASSERT_NE(0, bytes_def);
	ASSERT_EQ(0, p_pair(IPCDEV_PIPE_DUPLEX | IPCDEV_PIPE_CLOEXEC, 0, e));
	EXPECT_NE(e[0], e[1]);
	EXPECT_EQ(FD_CLOEXEC, fcntl(e[1], F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(O_RDWR, fcntl(e[1], F_GETFL) & O_ACCMODE);
	ASSERT_EQ(0, p_stat(e[0], &s0));
	ASSERT_EQ(0, p_stat(e[1], &s1));
	EXPECT_EQ(0, s0.end);
	EXPECT_EQ(1, s1.end);
	EXPECT_EQ(IPCDEV_PIPE_DUPLEX, s0.flags);
	EXPECT_EQ(IPCDEV_PIPE_DUPLEX, s1.flags);
	EXPECT_EQ(s0.id, s1.id);
	EXPECT_EQ(1, s0.handles[0]);
	EXPECT_EQ(1, s0.handles[1]);
	EXPECT_EQ(bytes_def, s0.capacity);
	EXPECT_EQ(msgsize, s0.msgsize_max);
	EXPECT_EQ(0, s0.in_count);
	EXPECT_EQ(0, s0.out_count);
	EXPECT_EQ(0, s0.receivers);
	EXPECT_EQ(0, s0.senders);
	EXPECT_EQ(0, s0.reserved[0]);
	EXPECT_EQ(0, s0.reserved[1]);
	close_pair(e);

	/* One-way, without IPCDEV_PIPE_CLOEXEC: end 1 is not close-on-exec. */
	ASSERT_EQ(0, p_pair(0, 0, e));
	EXPECT_EQ(0, fcntl(e[1], F_GETFD) & FD_CLOEXEC);
	ASSERT_EQ(0, p_stat(e[0], &s0));
	ASSERT_EQ(0, p_stat(e[1], &s1));
	EXPECT_EQ(0, s0.flags);
	EXPECT_EQ(0, s1.flags);
	EXPECT_NE(s0.id, 0xa5a5a5a5);
	/* OPEN on an object descriptor: ENOTTY, no new descriptor. */
	fd1 = -1;
	EXPECT_EQ(-ENOTTY, p_bind(e[0], NULL, 0, 0, 0, 0, &fd1));
	EXPECT_EQ(-1, fd1);
	EXPECT_EQ(-ENOTTY, p_bind(e[1], NULL, 0, 0, 0, 0, NULL));
	close_pair(e);
}

TEST_F(dx, both_ends_send_and_receive)
{
	struct ipcdev_pipe_stat s0, s1;

	ASSERT_EQ(0, p_sends(self->e[0], "zero-to-one"));
	ASSERT_EQ(0, p_sends(self->e[1], "one-to-zero"));
	ASSERT_EQ(0, p_sends(self->e[1], "again"));
	ASSERT_EQ(0, p_stat(self->e[0], &s0));
	ASSERT_EQ(0, p_stat(self->e[1], &s1));
	EXPECT_EQ(2, s0.in_count);
	EXPECT_EQ(16, s0.in_bytes);
	EXPECT_EQ(1, s0.out_count);
	EXPECT_EQ(11, s0.out_bytes);
	EXPECT_EQ(1, s1.in_count);
	EXPECT_EQ(2, s1.out_count);
	EXPECT_EQ(0, p_expect(self->e[1], "zero-to-one"));
	EXPECT_EQ(0, p_expect(self->e[0], "one-to-zero"));
	EXPECT_EQ(0, p_expect(self->e[0], "again"));
	/* Nothing leaks into the sender's own direction. */
	EXPECT_EQ(-EAGAIN, p_expect(self->e[0], ""));
	EXPECT_EQ(-EAGAIN, p_expect(self->e[1], ""));
	/* read/write too */
	EXPECT_EQ(3, write(self->e[0], "abc", 3));
	EXPECT_EQ(2, write(self->e[1], "de", 2));
	EXPECT_EQ(0, p_expect(self->e[1], "abc"));
	EXPECT_EQ(0, p_expect(self->e[0], "de"));
}

TEST_F(ow, wrong_direction_ebadf)
{
	struct ipcdev_pipe_stat st;
	char buf[16];
	__u64 len;

	EXPECT_EQ(-EBADF, p_sends(self->e[0], "no"));
	EXPECT_EQ(-EBADF, p_send(self->e[0], "no", 2, 0, 0));	/* blocking too */
	len = sizeof(buf);
	EXPECT_EQ(-EBADF, p_recv_nb(self->e[1], buf, &len));
	len = sizeof(buf);
	EXPECT_EQ(-EBADF, p_recv(self->e[1], buf, &len, 0, 0));
	EXPECT_EQ(-1, write(self->e[0], "no", 2));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(-1, read(self->e[1], buf, sizeof(buf)));
	EXPECT_EQ(EBADF, errno);
	ASSERT_EQ(0, p_stat(self->e[1], &st));
	EXPECT_EQ(0, st.out_count);
	EXPECT_EQ(0, st.in_count);
	/* The right directions work. */
	ASSERT_EQ(0, p_sends(self->e[1], "yes"));
	EXPECT_EQ(0, p_expect(self->e[0], "yes"));
	EXPECT_EQ(3, write(self->e[1], "yes", 3));
	EXPECT_EQ(3, read(self->e[0], buf, sizeof(buf)));
	/* poll: end 0 never POLLOUT, end 1 never POLLIN. */
	EXPECT_EQ(0, poll_events(self->e[0], POLLIN | POLLOUT));
	EXPECT_EQ(POLLOUT, poll_events(self->e[1], POLLIN | POLLOUT));
}

/*
 * The access mode of the device descriptor limits a duplex end too: both
 * ends of an anonymous pair get it.
 */
TEST(access_mode_ebadf)
{
	struct ipcdev_pipe_open o = { .flags = IPCDEV_PIPE_DUPLEX };
	char buf[8];
	__u64 len = sizeof(buf);
	int fd = open(DEV, O_RDONLY);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, dev_open_in_place(fd, IPCDEV_IOC_PIPE_OPEN, &o));
	EXPECT_EQ(O_RDONLY, fcntl(o.fd, F_GETFL) & O_ACCMODE);
	EXPECT_EQ(-EBADF, p_sends(fd, "x"));
	EXPECT_EQ(-EBADF, p_sends(o.fd, "y"));
	EXPECT_EQ(-EAGAIN, p_recv_nb(fd, buf, &len));
	EXPECT_EQ(-EAGAIN, p_recv_nb(o.fd, buf, &len));
	close(o.fd);
	close(fd);

	fd = open(DEV, O_WRONLY);
	ASSERT_LE(0, fd);
	o.fd = -1;
	ASSERT_EQ(0, dev_open_in_place(fd, IPCDEV_IOC_PIPE_OPEN, &o));
	EXPECT_EQ(O_WRONLY, fcntl(o.fd, F_GETFL) & O_ACCMODE);
	ASSERT_EQ(0, p_sends(o.fd, "z"));
	EXPECT_EQ(-EBADF, p_recv_nb(fd, buf, &len));
	EXPECT_EQ(0, p_sends(fd, "w"));
	EXPECT_EQ(-EBADF, p_recv_nb(o.fd, buf, &len));
	close(o.fd);
	close(fd);
}

TEST_F(ow, one_recv_one_send)
{
	static unsigned char in[3][5000], out[8192];
	const size_t sizes[3] = { 10, 4321, 1 };
	__u64 len;

	for (int i = 0; i < 3; i++) {
		fill(in[i], sizes[i], i + 1);
		ASSERT_EQ(0, p_send_nb(self->e[1], in[i], sizes[i]));
	}
	for (int i = 0; i < 3; i++) {
		memset(out, 0, sizeof(out));
		len = sizeof(out);
		ASSERT_EQ(0, p_recv_nb(self->e[0], out, &len));
		EXPECT_EQ(sizes[i], len);
		EXPECT_TRUE(check_fill(out, sizes[i], i + 1));
		EXPECT_EQ(0, out[sizes[i]]);
	}
	/* The same with write() and read(). */
	for (int i = 0; i < 3; i++)
		ASSERT_EQ(sizes[i], write(self->e[1], in[i], sizes[i]));
	for (int i = 0; i < 3; i++) {
		EXPECT_EQ(sizes[i], read(self->e[0], out, sizeof(out)));
		EXPECT_TRUE(check_fill(out, sizes[i], i + 1));
	}
	EXPECT_EQ(0, p_in_count(self->e[0]));
}

TEST_F(ow, zero_length_messages)
{
	struct ipcdev_pipe_stat st;
	char buf[16];
	__u64 len;

	ASSERT_EQ(0, p_send_nb(self->e[1], NULL, 0));
	ASSERT_EQ(0, p_sends(self->e[1], "x"));
	ASSERT_EQ(0, p_send_nb(self->e[1], buf, 0));
	ASSERT_EQ(0, write(self->e[1], buf, 0));
	ASSERT_EQ(0, p_stat(self->e[0], &st));
	EXPECT_EQ(4, st.in_count);
	EXPECT_EQ(1, st.in_bytes);
	len = 0;
	EXPECT_EQ(0, p_recv_nb(self->e[0], NULL, &len));	/* not EPIPE */
	EXPECT_EQ(0, len);
	len = sizeof(buf);
	EXPECT_EQ(0, p_recv_nb(self->e[0], buf, &len));
	EXPECT_EQ(1, len);
	len = sizeof(buf);
	EXPECT_EQ(0, p_recv(self->e[0], buf, &len, 0, 0));
	EXPECT_EQ(0, len);
	EXPECT_EQ(0, read(self->e[0], buf, sizeof(buf)));	/* the 4th */
	EXPECT_EQ(0, p_in_count(self->e[0]));
	/* Not end of file: the next read waits (here: EAGAIN). */
	len = sizeof(buf);
	EXPECT_EQ(-EAGAIN, p_recv_nb(self->e[0], buf, &len));
}

TEST_F(ow, emsgsize_keeps_message)
{
	struct ipcdev_pipe_stat st;
	unsigned char in[100], out[200];
	__u64 len;

	fill(in, sizeof(in), 9);
	ASSERT_EQ(0, p_send_nb(self->e[1], in, sizeof(in)));
	ASSERT_EQ(0, p_sends(self->e[1], "next"));
	len = 99;
	EXPECT_EQ(-EMSGSIZE, p_recv_nb(self->e[0], out, &len));
	EXPECT_EQ(100, len);
	len = 0;
	EXPECT_EQ(-EMSGSIZE, p_recv(self->e[0], NULL, &len, 0, 0));
	EXPECT_EQ(100, len);
	EXPECT_EQ(-1, read(self->e[0], out, 50));
	EXPECT_EQ(EMSGSIZE, errno);
	ASSERT_EQ(0, p_stat(self->e[0], &st));
	EXPECT_EQ(2, st.in_count);
	EXPECT_EQ(104, st.in_bytes);
	memset(out, 0x5a, sizeof(out));
	len = 100;
	ASSERT_EQ(0, p_recv_nb(self->e[0], out, &len));
	EXPECT_EQ(100, len);
	EXPECT_TRUE(check_fill(out, 100, 9));
	EXPECT_EQ(0x5a, out[100]);
	EXPECT_EQ(0, p_expect(self->e[0], "next"));
}

TEST_F(ow, longer_than_msgsize_max)
{
	unsigned long long msgsize = read_param("msgsize_max");
	char buf[8] = "abc";

	ASSERT_NE(0, msgsize);
	EXPECT_EQ(-EMSGSIZE, p_send_nb(self->e[1], buf, msgsize + 1));
	EXPECT_EQ(-EMSGSIZE, p_send(self->e[1], buf, 1ULL << 62, 0, 0));
	EXPECT_EQ(-EMSGSIZE, p_send(self->e[1], buf, ~0ULL, 0, 0));
	EXPECT_EQ(-1, write(self->e[1], buf, msgsize + 1));
	EXPECT_EQ(EMSGSIZE, errno);
	EXPECT_EQ(0, p_in_count(self->e[0]));
}

/* ------------------------------------------------------------------ */
/* End of file, EPIPE, SIGPIPE                                        */
/* ------------------------------------------------------------------ */

TEST_F(ow, eof_after_draining)
{
	struct ipcdev_pipe_stat st;
	char buf[16];
	__u64 len;

	ASSERT_EQ(0, p_sends(self->e[1], "one"));
	ASSERT_EQ(0, p_send_nb(self->e[1], NULL, 0));
	ASSERT_EQ(0, p_sends(self->e[1], "three"));
	ASSERT_EQ(0, p_stat(self->e[0], &st));
	EXPECT_EQ(0, st.flags & IPCDEV_PIPE_STAT_HUP);
	close(self->e[1]);
	self->e[1] = -1;

	ASSERT_EQ(0, p_stat(self->e[0], &st));
	EXPECT_EQ(IPCDEV_PIPE_STAT_HUP, st.flags & IPCDEV_PIPE_STAT_HUP);
	EXPECT_EQ(0, st.handles[1]);
	EXPECT_EQ(3, st.in_count);
	EXPECT_EQ(POLLIN | POLLHUP, poll_events(self->e[0], POLLIN));
	EXPECT_EQ(0, p_expect(self->e[0], "one"));
	len = sizeof(buf);
	EXPECT_EQ(0, p_recv(self->e[0], buf, &len, 0, 0));	/* blocking */
	EXPECT_EQ(0, len);
	EXPECT_EQ(5, read(self->e[0], buf, sizeof(buf)));
	/* Drained: end of file, again and again, in every mode. */
	EXPECT_EQ(POLLHUP, poll_events(self->e[0], POLLIN));
	len = sizeof(buf);
	EXPECT_EQ(-EPIPE, p_recv_nb(self->e[0], buf, &len));
	len = sizeof(buf);
	EXPECT_EQ(-EPIPE, p_recv(self->e[0], buf, &len, 0, 0));
	len = sizeof(buf);
	EXPECT_EQ(-EPIPE, p_recv(self->e[0], buf, &len, IPCDEV_WAIT_DEADLINE,
				 now_ns() + SEC));
	EXPECT_EQ(0, read(self->e[0], buf, sizeof(buf)));
	EXPECT_EQ(0, read(self->e[0], buf, sizeof(buf)));
}

TEST_F(dx, eof_duplex_both_directions)
{
	char buf[16];
	__u64 len;

	ASSERT_EQ(0, p_sends(self->e[1], "last"));
	close(self->e[1]);
	self->e[1] = -1;
	EXPECT_EQ(-EPIPE, p_sends(self->e[0], "x"));
	EXPECT_EQ(-EPIPE, p_send(self->e[0], "x", 1, 0, 0));
	EXPECT_EQ(0, p_expect(self->e[0], "last"));
	len = sizeof(buf);
	EXPECT_EQ(-EPIPE, p_recv(self->e[0], buf, &len, 0, 0));
	EXPECT_EQ(POLLHUP | POLLERR, poll_events(self->e[0], POLLIN | POLLOUT));
}

/* EOF needs every handle of the peer closed, a forked copy included. */
TEST_F(ow, eof_waits_for_forked_copy)
{
	struct ipcdev_pipe_stat st;
	char buf[16];
	__u64 len;
	int ctl;
	pid_t pid = hold_until_closed(&ctl);

	ASSERT_LE(0, pid);
	close(self->e[1]);
	self->e[1] = -1;
	/* The child's copy of end 1 is still open: no EOF, no HUP. */
	len = sizeof(buf);
	EXPECT_EQ(-EAGAIN, p_recv_nb(self->e[0], buf, &len));
	EXPECT_EQ(0, poll_events(self->e[0], POLLIN));
	ASSERT_EQ(0, p_stat(self->e[0], &st));
	EXPECT_EQ(0, st.flags & IPCDEV_PIPE_STAT_HUP);
	EXPECT_EQ(1, st.handles[1]);
	close(ctl);
	EXPECT_EQ(0, wait_child(pid, 20000));
	len = sizeof(buf);
	EXPECT_EQ(-EPIPE, p_recv_nb(self->e[0], buf, &len));
	EXPECT_EQ(0, read(self->e[0], buf, sizeof(buf)));
}

TEST_F(ow, send_to_gone_peer)
{
	int r;
	pid_t pid;

	/* A forked copy of end 0 keeps the receiver alive. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(self->e[1]);
		sleep_ms(300);
		_exit(0);
	}
	close(self->e[0]);
	self->e[0] = -1;
	EXPECT_EQ(0, p_sends(self->e[1], "still-there"));
	EXPECT_EQ(0, wait_child(pid, 20000));
	EXPECT_EQ(-EPIPE, p_sends(self->e[1], "gone"));
	EXPECT_EQ(-EPIPE, p_send(self->e[1], "gone", 4, 0, 0));
	EXPECT_EQ(POLLHUP | POLLERR, poll_events(self->e[1], POLLOUT));

	/* The SEND ioctl raises no SIGPIPE, even with the default action. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		_exit(-p_sends(self->e[1], "x"));
	}
	EXPECT_EQ(EPIPE, wait_child(pid, 20000));

	/* write(): EPIPE with SIGPIPE ignored ... */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		signal(SIGPIPE, SIG_IGN);
		r = write(self->e[1], "x", 1);
		_exit(r == -1 ? errno : CHILD_OTHER);
	}
	EXPECT_EQ(EPIPE, wait_child(pid, 20000));
	/* ... and death by SIGPIPE with the default action. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		r = write(self->e[1], "x", 1);
		_exit(CHILD_ALIVE);
	}
	EXPECT_EQ(1000 + SIGPIPE, wait_child(pid, 20000));
	/* A zero-length write is a message too: same treatment. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		r = write(self->e[1], "", 0);
		_exit(CHILD_ALIVE);
	}
	EXPECT_EQ(1000 + SIGPIPE, wait_child(pid, 20000));
}

/* Blocked receiver and blocked sender both wake at once on hang-up. */
TEST(hangup_wakes_blocked)
{
	struct ipcdev_pipe_stat st;
	pid_t rx, tx;
	__u64 t0, t;
	int e[2], rrx, rtx;

	ASSERT_EQ(0, p_pair(IPCDEV_PIPE_DUPLEX, 16, e));
	ASSERT_EQ(0, p_send_nb(e[0], "0123456789abcdef", 16));	/* full */
	rx = fork();
	ASSERT_LE(0, rx);
	if (rx == 0) {
		char b[64];
		__u64 l = sizeof(b);

		close(e[1]);
		_exit(-p_recv(e[0], b, &l, 0, 0));
	}
	tx = fork();
	ASSERT_LE(0, tx);
	if (tx == 0) {
		close(e[1]);
		_exit(-p_send(e[0], "more", 4, 0, 0));
	}
	ASSERT_EQ(0, wait_receivers(e[0], 1)) TH_LOG("receiver never blocked");
	ASSERT_EQ(0, wait_senders(e[0], 1)) TH_LOG("sender never blocked");
	sleep_ms(100);
	t0 = now_ns();
	close(e[1]);	/* the last handle of end 1 */
	rrx = wait_child(rx, 20000);
	rtx = wait_child(tx, 20000);
	t = now_ns() - t0;
	EXPECT_EQ(EPIPE, rrx);
	EXPECT_EQ(EPIPE, rtx);
	EXPECT_GT(2 * SEC, t) TH_LOG("woke after %llu ms",
				     (unsigned long long)(t / MS));
	ASSERT_EQ(0, p_stat(e[0], &st));
	EXPECT_EQ(0, st.receivers);
	EXPECT_EQ(0, st.senders);
	close(e[0]);

	/* One-way: a sender blocked on a full pipe when end 0 goes. */
	ASSERT_EQ(0, p_pair(0, 16, e));
	ASSERT_EQ(0, p_send_nb(e[1], "0123456789abcdef", 16));
	tx = fork();
	ASSERT_LE(0, tx);
	if (tx == 0) {
		close(e[0]);
		_exit(-p_send(e[1], "more", 4, IPCDEV_WAIT_DEADLINE,
			      now_ns() + 60 * SEC));
	}
	ASSERT_EQ(0, wait_senders(e[1], 1));
	t0 = now_ns();
	close(e[0]);
	EXPECT_EQ(EPIPE, wait_child(tx, 20000));
	EXPECT_GT(t0 + 2 * SEC, now_ns());
	close(e[1]);
}

/* poll/epoll waiters wake on hang-up too. */
TEST(hangup_wakes_poll)
{
	struct epoll_event ev = { .events = EPOLLIN }, out;
	struct pollfd p;
	pid_t pid;
	int e[2], ep;

	ASSERT_EQ(0, p_pair(0, 0, e));
	ep = epoll_create1(0);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, e[0], &ev));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(e[0]);
		sleep_ms(200);
		_exit(0);	/* closes the last end 1 */
	}
	close(e[1]);
	p.fd = e[0];
	p.events = POLLIN;
	p.revents = 0;
	EXPECT_EQ(1, poll(&p, 1, 20000));
	EXPECT_EQ(POLLHUP, p.revents);
	EXPECT_EQ(1, epoll_wait(ep, &out, 1, 0));
	EXPECT_EQ(EPOLLHUP, out.events);
	EXPECT_EQ(0, wait_child(pid, 20000));
	close(ep);
	close(e[0]);
}

/* ------------------------------------------------------------------ */
/* Capacity and big messages                                          */
/* ------------------------------------------------------------------ */

TEST(capacity_per_direction)
{
	unsigned long long bytes_def = read_param("bytes_default");
	unsigned long long bytes_max = read_param("bytes_max");
	struct ipcdev_pipe_stat st;
	unsigned char buf[600];
	__u64 len;
	pid_t pid;
	int e[2];

	ASSERT_NE(0, bytes_def);
	ASSERT_NE(0, bytes_max);
	ASSERT_EQ(0, p_pair(IPCDEV_PIPE_DUPLEX, 100, e));
	ASSERT_EQ(0, p_stat(e[0], &st));
	EXPECT_EQ(100, st.capacity);
	ASSERT_EQ(0, p_stat(e[1], &st));
	EXPECT_EQ(100, st.capacity);
	memset(buf, 'c', sizeof(buf));

	/* Direction 0 -> 1 */
	ASSERT_EQ(0, p_send_nb(e[0], buf, 60));
	EXPECT_EQ(-EAGAIN, p_send_nb(e[0], buf, 41));
	EXPECT_EQ(POLLOUT, poll_events(e[0], POLLOUT));	/* 0 bytes fit */
	ASSERT_EQ(0, p_send_nb(e[0], buf, 40));
	EXPECT_EQ(-EAGAIN, p_send_nb(e[0], buf, 1));
	/* Direction 1 -> 0 has its own capacity. */
	ASSERT_EQ(0, p_send_nb(e[1], buf, 100));
	EXPECT_EQ(-EAGAIN, p_send_nb(e[1], buf, 1));
	len = sizeof(buf);
	ASSERT_EQ(0, p_recv_nb(e[0], buf, &len));
	EXPECT_EQ(100, len);

	/* A message larger than the free space waits until it fits. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(-p_send(e[0], buf, 50, 0, 0));
	ASSERT_EQ(0, wait_senders(e[0], 1));
	ASSERT_EQ(0, p_stat(e[1], &st));
	EXPECT_EQ(2, st.in_count);
	EXPECT_EQ(100, st.in_bytes);
	len = sizeof(buf);
	ASSERT_EQ(0, p_recv_nb(e[1], buf, &len));
	EXPECT_EQ(60, len);
	EXPECT_EQ(0, wait_child(pid, 20000));
	ASSERT_EQ(0, p_stat(e[1], &st));
	EXPECT_EQ(2, st.in_count);
	EXPECT_EQ(90, st.in_bytes);

	/* Larger than the capacity: waits for an empty direction. */
	EXPECT_EQ(-EAGAIN, p_send_nb(e[0], buf, 500));
	len = sizeof(buf);
	ASSERT_EQ(0, p_recv_nb(e[1], buf, &len));
	EXPECT_EQ(-EAGAIN, p_send_nb(e[0], buf, 500));
	len = sizeof(buf);
	ASSERT_EQ(0, p_recv_nb(e[1], buf, &len));
	ASSERT_EQ(0, p_send_nb(e[0], buf, 500));
	EXPECT_EQ(-EAGAIN, p_send_nb(e[0], NULL, 0));
	len = sizeof(buf);
	ASSERT_EQ(0, p_recv_nb(e[1], buf, &len));
	EXPECT_EQ(500, len);
	close_pair(e);

	/* 0: the default; above the ceiling: EINVAL. */
	ASSERT_EQ(0, p_pair(0, 0, e));
	ASSERT_EQ(0, p_stat(e[1], &st));
	EXPECT_EQ(bytes_def, st.capacity);
	close_pair(e);
	ASSERT_EQ(0, p_pair(0, bytes_max, e));
	close_pair(e);
	EXPECT_EQ(-EINVAL, p_pair(0, bytes_max + 1, e));
}

/* Tests that need more than the harness's default 30 s. */
FIXTURE(slow) {
	int unused;
};

FIXTURE_SETUP(slow)
{
}

FIXTURE_TEARDOWN(slow)
{
}

/* A direction also holds at most msgs_max messages, as of its creation. */
TEST(message_count_limit)
{
	unsigned long long msgs = read_param("msgs_max");
	char buf[8];
	__u64 len;
	int e[2], r;

	ASSERT_NE(0, msgs);
	ASSERT_EQ(0, write_param("msgs_max", 3));
	r = p_pair(IPCDEV_PIPE_DUPLEX, 0, e);
	ASSERT_EQ(0, write_param("msgs_max", msgs));
	ASSERT_EQ(0, r);
	for (int i = 0; i < 3; i++)
		ASSERT_EQ(0, p_send_nb(e[1], NULL, 0));
	EXPECT_EQ(-EAGAIN, p_send_nb(e[1], NULL, 0));
	EXPECT_EQ(0, poll_events(e[1], POLLOUT));
	EXPECT_EQ(0, p_send_nb(e[0], "other way", 9));
	len = sizeof(buf);
	ASSERT_EQ(0, p_recv_nb(e[0], buf, &len));
	EXPECT_EQ(0, len);
	EXPECT_EQ(0, p_send_nb(e[1], "x", 1));
	EXPECT_EQ(-EAGAIN, p_send_nb(e[1], NULL, 0));
	close_pair(e);
}

/* An echo child: receive a message, send it back; stops at end of file. */
static int echo_child(int end)
{
	size_t size = 16 * MiB;
	unsigned char *buf = malloc(size);
	__u64 len;
	int r;

	if (!buf)
		return CHILD_NOMEM;
	for (;;) {
		len = size;
		r = p_recv(end, buf, &len, 0, 0);
		if (r == -EPIPE)
			return 0;
		if (r)
			return -r;
		r = p_send(end, buf, len, 0, 0);
		if (r)
			return -r;
	}
}

TEST_F_TIMEOUT(slow, echo_round_trips, 300)
{
	const size_t sizes[] = { 0, 1, 4096, MiB, 16 * MiB, 3, 16 * MiB - 1 };
	unsigned char *out = malloc(16 * MiB), *in = malloc(16 * MiB + 1);
	__u64 len;
	pid_t pid;
	int e[2];

	ASSERT_NE(NULL, out);
	ASSERT_NE(NULL, in);
	ASSERT_EQ(0, p_pair(IPCDEV_PIPE_DUPLEX, 0, e));	/* 1 MiB default */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(e[0]);
		_exit(echo_child(e[1]));
	}
	close(e[1]);
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		fill_random(out, sizes[i], i + 77);
		ASSERT_EQ(0, p_send(e[0], out, sizes[i], 0, 0))
			TH_LOG("size %zu", sizes[i]);
		memset(in, 0, sizes[i] + 1);
		len = 16 * MiB + 1;
		ASSERT_EQ(0, p_recv(e[0], in, &len, IPCDEV_WAIT_DEADLINE,
				    now_ns() + 120 * SEC));
		EXPECT_EQ(sizes[i], len);
		EXPECT_EQ(0, memcmp(in, out, sizes[i])) TH_LOG("size %zu", sizes[i]);
	}
	close(e[0]);
	EXPECT_EQ(0, wait_child(pid, 60000));
	free(out);
	free(in);
}

/* ------------------------------------------------------------------ */
/* Many writers, one reader                                           */
/* ------------------------------------------------------------------ */

#define W_WRITERS	4
#define W_PER		1000
#define W_PAYLOAD_MAX	(64 * 1024)

static int writer(int end, __u32 w)
{
	unsigned char *buf = malloc(sizeof(struct hdr) + W_PAYLOAD_MAX);
	__u64 rnd = 0x9e3779b97f4a7c15ULL * (w + 1);
	size_t total;

	if (!buf)
		return CHILD_NOMEM;
	for (__u32 s = 0; s < W_PER; s++) {
		size_t len = xorshift(&rnd) % (W_PAYLOAD_MAX + 1);

		total = make_msg(buf, w, s, len, rnd);
		if (p_send(end, buf, total, IPCDEV_WAIT_DEADLINE,
			   now_ns() + 300 * SEC))
			return CHILD_OTHER;
	}
	free(buf);
	return 0;
}

TEST_F_TIMEOUT(slow, writers_4x1000_one_reader, 600)
{
	size_t size = sizeof(struct hdr) + W_PAYLOAD_MAX;
	unsigned char *buf = malloc(size);
	long long next[W_WRITERS] = { 0 };
	unsigned long got = 0, bad = 0, order = 0;
	pid_t pid[W_WRITERS];
	struct hdr h;
	__u64 len;
	int e[2], r;

	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, p_pair(0, 0, e));
	for (int w = 0; w < W_WRITERS; w++) {
		pid[w] = fork();
		ASSERT_LE(0, pid[w]);
		if (pid[w] == 0) {
			close(e[0]);
			_exit(writer(e[1], w));
		}
	}
	close(e[1]);
	for (;;) {
		len = size;
		r = p_recv(e[0], buf, &len, IPCDEV_WAIT_DEADLINE,
			   now_ns() + 300 * SEC);
		if (r == -EPIPE)
			break;
		ASSERT_EQ(0, r) TH_LOG("recv: %s", strerror(-r));
		if (check_msg(buf, len, &h) || h.writer >= W_WRITERS) {
			bad++;
			continue;
		}
		if (h.seq != next[h.writer])
			order++;
		next[h.writer] = h.seq + 1;
		got++;
	}
	/* EOF only once every writer is gone and everything was read. */
	for (int w = 0; w < W_WRITERS; w++) {
		EXPECT_EQ(0, wait_child(pid[w], 60000)) TH_LOG("writer %d", w);
		EXPECT_EQ(W_PER, next[w]) TH_LOG("writer %d", w);
	}
	EXPECT_EQ(0, bad);
	EXPECT_EQ(0, order);
	EXPECT_EQ(W_WRITERS * W_PER, got);
	EXPECT_EQ(0, p_in_count(e[0]));
	close(e[0]);
	free(buf);
}

/* ------------------------------------------------------------------ */
/* SIGKILL                                                            */
/* ------------------------------------------------------------------ */

TEST(sigkill_holder_of_one_end)
{
	struct ipcdev_pipe_stat st;
	char buf[16];
	__u64 len;
	pid_t pid;
	int e[2];

	/* Duplex: the child holds end 1 alone, blocked in recv. */
	ASSERT_EQ(0, p_pair(IPCDEV_PIPE_DUPLEX, 0, e));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char b[16];
		__u64 l = sizeof(b);

		close(e[0]);
		_exit(-p_recv(e[1], b, &l, 0, 0));
	}
	ASSERT_EQ(0, wait_receivers(e[1], 1)) TH_LOG("child never blocked");
	close(e[1]);
	/* The child's copy keeps end 1 alive. */
	len = sizeof(buf);
	EXPECT_EQ(-EAGAIN, p_recv_nb(e[0], buf, &len));
	ASSERT_EQ(0, p_stat(e[0], &st));
	EXPECT_EQ(1, st.handles[1]);
	EXPECT_EQ(0, st.flags & IPCDEV_PIPE_STAT_HUP);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	EXPECT_EQ(1000 + SIGKILL, wait_child(pid, 5000));
	ASSERT_EQ(0, p_stat(e[0], &st));
	EXPECT_EQ(0, st.handles[1]);
	EXPECT_EQ(IPCDEV_PIPE_STAT_HUP, st.flags & IPCDEV_PIPE_STAT_HUP);
	len = sizeof(buf);
	EXPECT_EQ(-EPIPE, p_recv(e[0], buf, &len, 0, 0));
	EXPECT_EQ(-EPIPE, p_sends(e[0], "x"));
	close(e[0]);

	/* One-way: the child holds end 0, blocked in recv; then EPIPE. */
	ASSERT_EQ(0, p_pair(0, 0, e));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char b[16];
		__u64 l = sizeof(b);

		close(e[1]);
		_exit(-p_recv(e[0], b, &l, 0, 0));
	}
	ASSERT_EQ(0, wait_receivers(e[0], 1));
	close(e[0]);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	EXPECT_EQ(1000 + SIGKILL, wait_child(pid, 5000));
	EXPECT_EQ(-EPIPE, p_sends(e[1], "x"));
	close(e[1]);

	/* One-way: the child holds end 1, blocked in send on a full pipe. */
	ASSERT_EQ(0, p_pair(0, 4, e));
	ASSERT_EQ(0, p_send_nb(e[1], "full", 4));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(e[0]);
		_exit(-p_send(e[1], "victim", 6, 0, 0));
	}
	ASSERT_EQ(0, wait_senders(e[1], 1));
	close(e[1]);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	EXPECT_EQ(1000 + SIGKILL, wait_child(pid, 5000));
	EXPECT_EQ(0, p_expect(e[0], "full"));
	len = sizeof(buf);
	EXPECT_EQ(-EPIPE, p_recv(e[0], buf, &len, 0, 0));	/* no victim */
	close(e[0]);
}

/* A writer killed mid-send never leaves a partial message. */
TEST_F_TIMEOUT(slow, writer_killed_mid_send, 600)
{
	size_t size = 16 * MiB;
	unsigned char *buf = malloc(size);
	unsigned int seed = (unsigned int)getpid() ^ (unsigned int)now_ns();
	unsigned long total = 0;

	ASSERT_NE(NULL, buf);
	TH_LOG("seed %u", seed);
	srand(seed);
	for (int round = 0; round < 6; round++) {
		unsigned int delay = (unsigned int)(rand() % 600);
		pid_t wr, killer;
		__u64 len;
		int e[2], r, bad = 0, n = 0;

		ASSERT_EQ(0, p_pair(0, 0, e));
		wr = fork();
		ASSERT_LE(0, wr);
		if (wr == 0) {
			__u64 rnd = round * 1000 + 17;

			close(e[0]);
			for (__u32 s = 0;; s++) {
				size_t l = size - sizeof(struct hdr) -
					   xorshift(&rnd) % (4 * MiB);

				make_msg(buf, 0, s, l, rnd);
				if (p_send(e[1], buf, sizeof(struct hdr) + l,
					   0, 0))
					_exit(CHILD_OTHER);
			}
		}
		close(e[1]);
		killer = fork();
		ASSERT_LE(0, killer);
		if (killer == 0) {
			close(e[0]);
			sleep_ms(delay);
			_exit(kill(wr, SIGKILL) ? CHILD_OTHER : 0);
		}
		for (;;) {
			len = size;
			r = p_recv(e[0], buf, &len, IPCDEV_WAIT_DEADLINE,
				   now_ns() + 120 * SEC);
			if (r)
				break;
			if (check_msg(buf, len, NULL))
				bad++;
			n++;
		}
		EXPECT_EQ(-EPIPE, r) TH_LOG("round %d: %s", round, strerror(-r));
		EXPECT_EQ(0, bad) TH_LOG("round %d: %d bad messages", round, bad);
		EXPECT_EQ(0, wait_child(killer, 20000));
		EXPECT_EQ(1000 + SIGKILL, wait_child(wr, 20000));
		total += n;
		close(e[0]);
	}
	TH_LOG("%lu whole messages received", total);
	free(buf);
}

/* ------------------------------------------------------------------ */
/* Waiting modes and signals                                          */
/* ------------------------------------------------------------------ */

TEST_F(ow, nonblock_and_deadline)
{
	char buf[16];
	__u64 len, t0, dl, t1;
	int e[2], fl;

	len = sizeof(buf);
	t0 = now_ns();
	EXPECT_EQ(-EAGAIN, p_recv_nb(self->e[0], buf, &len));
	EXPECT_GT(t0 + SEC, now_ns());
	dl = now_ns() + 100 * MS;
	len = sizeof(buf);
	EXPECT_EQ(-ETIMEDOUT, p_recv(self->e[0], buf, &len,
				     IPCDEV_WAIT_DEADLINE, dl));
	t1 = now_ns();
	EXPECT_LE(dl, t1);
	EXPECT_GT(dl + 2 * SEC, t1);
	/* A past deadline only bounds waiting. */
	len = sizeof(buf);
	EXPECT_EQ(-ETIMEDOUT, p_recv(self->e[0], buf, &len,
				     IPCDEV_WAIT_DEADLINE, 1));
	ASSERT_EQ(0, p_send(self->e[1], "ok", 2, IPCDEV_WAIT_DEADLINE, 1));
	len = sizeof(buf);
	EXPECT_EQ(0, p_recv(self->e[0], buf, &len, IPCDEV_WAIT_DEADLINE, 1));
	EXPECT_EQ(2, len);

	/* Send deadline on a full pipe. */
	ASSERT_EQ(0, p_pair(0, 4, e));
	ASSERT_EQ(0, p_send_nb(e[1], "full", 4));
	EXPECT_EQ(-EAGAIN, p_send_nb(e[1], "x", 1));
	dl = now_ns() + 100 * MS;
	EXPECT_EQ(-ETIMEDOUT, p_send(e[1], "x", 1, IPCDEV_WAIT_DEADLINE, dl));
	t1 = now_ns();
	EXPECT_LE(dl, t1);
	EXPECT_GT(dl + 2 * SEC, t1);
	EXPECT_EQ(1, p_in_count(e[0]));

	/* O_NONBLOCK on the file: ioctl, read and write never wait. */
	fl = fcntl(e[1], F_GETFL);
	ASSERT_EQ(0, fcntl(e[1], F_SETFL, fl | O_NONBLOCK));
	EXPECT_EQ(-EAGAIN, p_send(e[1], "x", 1, 0, 0));
	EXPECT_EQ(-1, write(e[1], "x", 1));
	EXPECT_EQ(EAGAIN, errno);
	fl = fcntl(e[0], F_GETFL);
	ASSERT_EQ(0, fcntl(e[0], F_SETFL, fl | O_NONBLOCK));
	EXPECT_EQ(4, read(e[0], buf, sizeof(buf)));
	EXPECT_EQ(-1, read(e[0], buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	len = sizeof(buf);
	EXPECT_EQ(-EAGAIN, p_recv(e[0], buf, &len, 0, 0));
	close_pair(e);
}

TEST_F(ow, blocked_recv_woken_by_send)
{
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		char b[32];
		__u64 l = sizeof(b);
		int r = p_recv(self->e[0], b, &l, 0, 0);

		if (r)
			_exit(-r);
		_exit(l == 4 && !memcmp(b, "wake", 4) ? 0 : CHILD_BADDATA);
	}
	ASSERT_EQ(0, wait_receivers(self->e[0], 1));
	ASSERT_EQ(0, p_sends(self->e[1], "wake"));
	EXPECT_EQ(0, wait_child(pid, 20000));
	EXPECT_EQ(0, wait_receivers(self->e[0], 0));
}

/* Child: install the handler, block in recv or send; report the outcome. */
static int sig_child(int end, int pipe_wr, bool restart, bool deadline,
		     bool send)
{
	__u64 dl = deadline ? now_ns() + 60 * SEC : 0;
	__u32 fl = deadline ? IPCDEV_WAIT_DEADLINE : 0;
	char b[32];
	__u64 l = sizeof(b);
	int r;

	if (catch_usr1(pipe_wr, restart))
		return CHILD_OTHER;
	if (send)
		return -p_send(end, "after-sig", 9, fl, dl);
	r = p_recv(end, b, &l, fl, dl);
	if (r)
		return -r;
	if (l != 9)
		return CHILD_BADLEN;
	return memcmp(b, "after-sig", 9) ? CHILD_BADDATA : 0;
}

/*
 * Block a child in recv on e[0] (or in send on e[1], the pipe being full),
 * signal it, and, with SA_RESTART, unblock it.  Returns its exit code.
 */
static int signal_case(struct __test_metadata *_metadata, int e[2],
		       bool restart, bool deadline, bool send)
{
	int watch = send ? e[1] : e[0], pfd[2], code;
	char c = 0, b[32];
	__u64 l = sizeof(b);
	pid_t pid;

	if (pipe(pfd))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0)
		_exit(sig_child(watch, pfd[1], restart, deadline, send));
	if (send ? wait_senders(watch, 1) : wait_receivers(watch, 1)) {
		TH_LOG("child never blocked");
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
		if (send ? wait_senders(watch, 1) : wait_receivers(watch, 1))
			TH_LOG("call was not restarted");
		if (send ? p_recv_nb(e[0], b, &l) : p_sends(e[1], "after-sig"))
			TH_LOG("unblocking failed");
	}
	code = wait_child(pid, 20000);
	close(pfd[0]);
	close(pfd[1]);
	return code;
}

TEST_F(ow, signal_eintr)
{
	EXPECT_EQ(EINTR, signal_case(_metadata, self->e, false, false, false));
	EXPECT_EQ(EINTR, signal_case(_metadata, self->e, false, true, false));
	EXPECT_EQ(0, p_in_count(self->e[0]));
	/* Nothing was consumed or lost: the pipe still works. */
	ASSERT_EQ(0, p_sends(self->e[1], "x"));
	EXPECT_EQ(0, p_expect(self->e[0], "x"));
}

TEST_F(ow, signal_sa_restart)
{
	EXPECT_EQ(0, signal_case(_metadata, self->e, true, false, false));
	EXPECT_EQ(0, signal_case(_metadata, self->e, true, true, false));
	EXPECT_EQ(0, p_in_count(self->e[0]));
}

TEST(signal_blocked_send)
{
	struct ipcdev_pipe_stat st;
	char b[32];
	__u64 l;
	int e[2];

	ASSERT_EQ(0, p_pair(0, 8, e));
	ASSERT_EQ(0, p_send_nb(e[1], "12345678", 8));
	EXPECT_EQ(EINTR, signal_case(_metadata, e, false, false, true));
	ASSERT_EQ(0, p_stat(e[0], &st));
	EXPECT_EQ(1, st.in_count);	/* the interrupted send added nothing */
	EXPECT_EQ(0, signal_case(_metadata, e, true, true, true));
	l = sizeof(b);
	ASSERT_EQ(0, p_recv_nb(e[0], b, &l));
	EXPECT_EQ(9, l);
	EXPECT_EQ(0, memcmp(b, "after-sig", 9));
	EXPECT_EQ(0, p_in_count(e[0]));
	close_pair(e);
}

/* ------------------------------------------------------------------ */
/* poll, epoll, fasync                                                */
/* ------------------------------------------------------------------ */

TEST(poll_in_out)
{
	char buf[8];
	__u64 len;
	int e[2];

	ASSERT_EQ(0, p_pair(IPCDEV_PIPE_DUPLEX, 4, e));
	EXPECT_EQ(POLLOUT, poll_events(e[0], POLLIN | POLLOUT));
	EXPECT_EQ(POLLOUT, poll_events(e[1], POLLIN | POLLOUT));
	ASSERT_EQ(0, p_send_nb(e[0], "abcd", 4));	/* exactly the capacity */
	EXPECT_EQ(POLLOUT, poll_events(e[0], POLLIN | POLLOUT)); /* 0 fits */
	EXPECT_EQ(POLLIN | POLLOUT, poll_events(e[1], POLLIN | POLLOUT));
	len = sizeof(buf);
	ASSERT_EQ(0, p_recv_nb(e[1], buf, &len));
	ASSERT_EQ(0, p_send_nb(e[0], "abcde", 5));	/* over: full */
	EXPECT_EQ(0, poll_events(e[0], POLLIN | POLLOUT));
	EXPECT_EQ(POLLIN | POLLOUT, poll_events(e[1], POLLIN | POLLOUT));
	len = sizeof(buf);
	ASSERT_EQ(0, p_recv_nb(e[1], buf, &len));
	EXPECT_EQ(POLLOUT, poll_events(e[0], POLLIN | POLLOUT));
	EXPECT_EQ(POLLOUT, poll_events(e[1], POLLIN | POLLOUT));
	close_pair(e);
}

TEST(epoll_in_out_hup)
{
	struct epoll_event ev = { .events = EPOLLIN }, out[2];
	pid_t pid;
	int ep, e[2];

	ASSERT_EQ(0, p_pair(0, 2, e));
	ep = epoll_create1(0);
	ASSERT_LE(0, ep);
	ev.data.u32 = 42;
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, e[0], &ev));
	EXPECT_EQ(0, epoll_wait(ep, out, 2, 0));
	/* Woken by a send from another process. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		sleep_ms(200);
		_exit(-p_sends(e[1], "abc"));	/* over the capacity of 2 */
	}
	ASSERT_EQ(1, epoll_wait(ep, out, 2, 20000));
	EXPECT_EQ(EPOLLIN, out[0].events);
	EXPECT_EQ(42, out[0].data.u32);
	EXPECT_EQ(0, wait_child(pid, 20000));

	/* EPOLLOUT on the full sending end appears after a recv. */
	ev.events = EPOLLOUT;
	ev.data.u32 = 7;
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, e[1], &ev));
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_DEL, e[0], NULL));
	EXPECT_EQ(0, epoll_wait(ep, out, 2, 0));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char b[8];
		__u64 l = sizeof(b);

		sleep_ms(200);
		_exit(-p_recv_nb(e[0], b, &l));
	}
	ASSERT_EQ(1, epoll_wait(ep, out, 2, 20000));
	EXPECT_EQ(EPOLLOUT, out[0].events);
	EXPECT_EQ(7, out[0].data.u32);
	EXPECT_EQ(0, wait_child(pid, 20000));

	/* EPOLLHUP | EPOLLERR on the sending end when the receiver goes. */
	close(e[0]);
	ASSERT_EQ(1, epoll_wait(ep, out, 2, 20000));
	EXPECT_EQ(EPOLLHUP | EPOLLERR, out[0].events);
	close(ep);
	close(e[1]);
}

TEST(fasync_sigio)
{
	struct timespec zero = { 0, 0 }, five = { 5, 0 }, short_ts = { 0, 200000000 };
	sigset_t set;
	siginfo_t si;
	int e[2], fl;

	ASSERT_EQ(0, p_pair(0, 0, e));
	sigemptyset(&set);
	sigaddset(&set, SIGIO);
	ASSERT_EQ(0, sigprocmask(SIG_BLOCK, &set, NULL));
	ASSERT_EQ(0, fcntl(e[0], F_SETOWN, getpid()));
	ASSERT_EQ(0, fcntl(e[0], F_SETSIG, SIGIO));	/* with siginfo */
	fl = fcntl(e[0], F_GETFL);
	ASSERT_EQ(0, fcntl(e[0], F_SETFL, fl | O_ASYNC));
	EXPECT_EQ(-1, sigtimedwait(&set, &si, &zero));	/* nothing yet */
	ASSERT_EQ(0, p_sends(e[1], "io"));
	ASSERT_EQ(SIGIO, sigtimedwait(&set, &si, &five));
	EXPECT_EQ(POLL_IN, si.si_code);
	EXPECT_EQ(e[0], si.si_fd);
	/* A message sent by another process signals the owner too. */
	if (fork() == 0)
		_exit(-p_sends(e[1], "io2"));
	ASSERT_EQ(SIGIO, sigtimedwait(&set, &si, &five));
	EXPECT_EQ(POLL_IN, si.si_code);
	wait(NULL);
	/* Hang-up is signalled too. */
	close(e[1]);
	ASSERT_EQ(SIGIO, sigtimedwait(&set, &si, &five));
	EXPECT_EQ(POLL_HUP, si.si_code);

	/* Off again: no more SIGIO. */
	close(e[0]);
	ASSERT_EQ(0, p_pair(0, 0, e));
	ASSERT_EQ(0, fcntl(e[0], F_SETOWN, getpid()));
	fl = fcntl(e[0], F_GETFL);
	ASSERT_EQ(0, fcntl(e[0], F_SETFL, fl | O_ASYNC));
	ASSERT_EQ(0, fcntl(e[0], F_SETFL, fl & ~O_ASYNC));
	while (sigtimedwait(&set, &si, &zero) == SIGIO)
		;
	ASSERT_EQ(0, p_sends(e[1], "quiet"));
	EXPECT_EQ(-1, sigtimedwait(&set, &si, &short_ts));
	EXPECT_EQ(1, p_in_count(e[0]));
	close_pair(e);
}

/* The sender's end gets SIGIO (POLL_OUT) when the receiver frees room. */
TEST(fasync_sigio_room)
{
	struct timespec five = { 5, 0 };
	sigset_t set;
	siginfo_t si;
	char buf[8];
	__u64 len = sizeof(buf);
	int e[2], fl;

	ASSERT_EQ(0, p_pair(0, 4, e));
	ASSERT_EQ(0, p_send_nb(e[1], "full", 4));
	sigemptyset(&set);
	sigaddset(&set, SIGIO);
	ASSERT_EQ(0, sigprocmask(SIG_BLOCK, &set, NULL));
	ASSERT_EQ(0, fcntl(e[1], F_SETOWN, getpid()));
	ASSERT_EQ(0, fcntl(e[1], F_SETSIG, SIGIO));
	fl = fcntl(e[1], F_GETFL);
	ASSERT_EQ(0, fcntl(e[1], F_SETFL, fl | O_ASYNC));
	ASSERT_EQ(0, p_recv_nb(e[0], buf, &len));
	ASSERT_EQ(SIGIO, sigtimedwait(&set, &si, &five));
	EXPECT_EQ(POLL_OUT, si.si_code);
	EXPECT_EQ(e[1], si.si_fd);
	close_pair(e);
}

/* ------------------------------------------------------------------ */
/* Sharing ends: fork, SCM_RIGHTS                                     */
/* ------------------------------------------------------------------ */

TEST_F(dx, ends_over_fork)
{
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		int r;

		close(self->e[0]);
		r = p_send(self->e[1], "from-child", 10, 0, 0);
		if (r)
			_exit(-r);
		/* Wait for the parent's reply. */
		char b[16];
		__u64 l = sizeof(b);

		r = p_recv(self->e[1], b, &l, IPCDEV_WAIT_DEADLINE,
			   now_ns() + 20 * SEC);
		if (r)
			_exit(-r);
		_exit(l == 12 && !memcmp(b, "from-parent!", 12) ? 0 : CHILD_BADDATA);
	}
	close(self->e[1]);
	self->e[1] = -1;
	char buf[16];
	__u64 len = sizeof(buf);

	ASSERT_EQ(0, p_recv(self->e[0], buf, &len, IPCDEV_WAIT_DEADLINE,
			    now_ns() + 20 * SEC));
	EXPECT_EQ(10, len);
	EXPECT_EQ(0, memcmp(buf, "from-child", 10));
	ASSERT_EQ(0, p_sends(self->e[0], "from-parent!"));
	EXPECT_EQ(0, wait_child(pid, 20000));
	/* The child held the last end 1. */
	len = sizeof(buf);
	EXPECT_EQ(-EPIPE, p_recv_nb(self->e[0], buf, &len));
}

TEST(ends_over_scm_rights)
{
	struct ipcdev_pipe_stat st;
	int sv[2], e[2];
	char buf[16];
	__u64 len;
	pid_t pid;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	pid = fork();	/* before the pipe exists */
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd = recv_fd(sv[1]), r;

		if (fd < 0)
			_exit(CHILD_OTHER);
		r = p_sends(fd, "via-scm");
		if (!r)
			r = p_send_nb(fd, NULL, 0);
		_exit(-r);
	}
	ASSERT_EQ(0, p_pair(0, 0, e));
	ASSERT_EQ(0, send_fd(sv[0], e[1]));
	close(e[1]);	/* the child's copy is the only end 1 now */
	EXPECT_EQ(0, wait_child(pid, 20000));
	ASSERT_EQ(0, p_stat(e[0], &st));
	EXPECT_EQ(2, st.in_count);
	EXPECT_EQ(0, p_expect(e[0], "via-scm"));
	len = sizeof(buf);
	EXPECT_EQ(0, p_recv_nb(e[0], buf, &len));
	EXPECT_EQ(0, len);
	len = sizeof(buf);
	EXPECT_EQ(-EPIPE, p_recv_nb(e[0], buf, &len));

	/* Within one process: the received copy is the same end. */
	close(e[0]);
	ASSERT_EQ(0, p_pair(IPCDEV_PIPE_DUPLEX, 0, e));
	ASSERT_EQ(0, send_fd(sv[0], e[1]));
	close(e[1]);
	e[1] = recv_fd(sv[1]);
	ASSERT_LE(0, e[1]);
	ASSERT_EQ(0, p_stat(e[1], &st));
	EXPECT_EQ(1, st.end);
	EXPECT_EQ(1, st.handles[1]);
	ASSERT_EQ(0, p_sends(e[1], "same"));
	EXPECT_EQ(0, p_expect(e[0], "same"));
	close_pair(e);
	close(sv[0]);
	close(sv[1]);
}

/* ------------------------------------------------------------------ */
/* Named pipes                                                        */
/* ------------------------------------------------------------------ */

FIXTURE(named) {
	char name[64];
};

FIXTURE_SETUP(named)
{
	snprintf(self->name, sizeof(self->name), "ksft-pipe-%d", getpid());
	p_unlink(self->name);
	umask(0);	/* modes as given; the umask test sets its own */
}

FIXTURE_TEARDOWN(named)
{
	p_unlink(self->name);
}

TEST_F(named, create_attach_exchange)
{
	struct ipcdev_pipe_stat st;
	char buf[32];
	__u64 len;
	pid_t pid;
	int e0, e1;

	e0 = p_named(self->name, O_RDWR, IPCDEV_CREAT | IPCDEV_EXCL |
		     IPCDEV_PIPE_DUPLEX, 0600, 0, 0);
	ASSERT_LE(0, e0) TH_LOG("%s", strerror(-e0));
	ASSERT_EQ(0, p_stat(e0, &st));
	EXPECT_EQ(IPCDEV_PIPE_DUPLEX | IPCDEV_STAT_NAMED, st.flags);
	EXPECT_EQ(0, st.end);
	EXPECT_EQ(1, st.handles[0]);
	EXPECT_EQ(0, st.handles[1]);
	EXPECT_EQ(0600, st.mode & 0777);
	EXPECT_EQ(getuid(), st.uid);
	/* End 1 was never attached: not gone, recv waits. */
	len = sizeof(buf);
	EXPECT_EQ(-EAGAIN, p_recv_nb(e0, buf, &len));
	EXPECT_EQ(0, p_sends(e0, "hello-1"));

	/* Another process attaches end 1 by name. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd = p_named(self->name, O_RDWR, 0, 0, 0, 1), r;

		if (fd < 0)
			_exit(-fd);
		r = p_expect(fd, "hello-1");
		if (r)
			_exit(r < 0 ? -r : r);
		_exit(-p_sends(fd, "hello-0"));
	}
	EXPECT_EQ(0, wait_child(pid, 20000));
	len = sizeof(buf);
	ASSERT_EQ(0, p_recv(e0, buf, &len, IPCDEV_WAIT_DEADLINE,
			    now_ns() + 5 * SEC));
	EXPECT_EQ(7, len);
	EXPECT_EQ(0, memcmp(buf, "hello-0", 7));
	/* The child's end 1 is gone now: end of file ... */
	len = sizeof(buf);
	EXPECT_EQ(-EPIPE, p_recv_nb(e0, buf, &len));
	EXPECT_EQ(-EPIPE, p_sends(e0, "x"));
	/* ... until end 1 is attached again. */
	e1 = p_named(self->name, O_RDWR, IPCDEV_CREAT, 0600, 0, 1);
	ASSERT_LE(0, e1);
	ASSERT_EQ(0, p_stat(e1, &st));
	EXPECT_EQ(1, st.end);
	EXPECT_EQ(0, st.flags & IPCDEV_PIPE_STAT_HUP);
	EXPECT_EQ(0, p_sends(e0, "revived"));
	EXPECT_EQ(0, p_expect(e1, "revived"));
	/* Several handles on one end: all must go before the peer sees EOF. */
	int e1b = p_named(self->name, O_RDWR, 0, 0, 0, 1);

	ASSERT_LE(0, e1b);
	ASSERT_EQ(0, p_stat(e0, &st));
	EXPECT_EQ(2, st.handles[1]);
	close(e1);
	EXPECT_EQ(0, p_sends(e0, "to-e1b"));
	EXPECT_EQ(0, p_expect(e1b, "to-e1b"));
	close(e1b);
	EXPECT_EQ(-EPIPE, p_sends(e0, "x"));
	close(e0);
}

TEST_F(named, one_way_by_name)
{
	struct ipcdev_pipe_stat st;
	int rx, tx;

	rx = p_named(self->name, O_RDONLY, IPCDEV_CREAT, 0600, 64, 0);
	ASSERT_LE(0, rx);
	tx = p_named(self->name, O_WRONLY, 0, 0, 0, 1);
	ASSERT_LE(0, tx);
	ASSERT_EQ(0, p_stat(tx, &st));
	EXPECT_EQ(IPCDEV_STAT_NAMED, st.flags);
	EXPECT_EQ(64, st.capacity);
	ASSERT_EQ(0, p_sends(tx, "one-way"));
	EXPECT_EQ(-EBADF, p_sends(rx, "no"));
	EXPECT_EQ(0, p_expect(rx, "one-way"));
	/* A handle opened O_WRONLY on the receiving end can do nothing. */
	int w0 = p_named(self->name, O_WRONLY, 0, 0, 0, 0);

	ASSERT_LE(0, w0);
	EXPECT_EQ(-EBADF, p_sends(w0, "no"));
	EXPECT_EQ(-EBADF, p_expect(w0, ""));
	close(w0);
	close(tx);
	close(rx);
}

TEST_F(named, persists_with_messages)
{
	int fd;

	fd = p_named(self->name, O_RDWR, IPCDEV_CREAT, 0600, 0, 1);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, p_sends(fd, "kept"));	/* end 0 never attached */
	close(fd);
	fd = p_named(self->name, O_RDWR, 0, 0, 0, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, p_expect(fd, "kept"));
	/* End 1 is gone now (it was attached, then closed). */
	EXPECT_EQ(-EPIPE, p_expect(fd, ""));
	close(fd);
}

TEST_F(named, enoent_eexist_unlink)
{
	struct ipcdev_pipe_stat s1, s2;
	int a, b;

	EXPECT_EQ(-ENOENT, p_named(self->name, O_RDWR, 0, 0, 0, 0));
	EXPECT_EQ(-ENOENT, p_named(self->name, O_RDWR, IPCDEV_EXCL, 0, 0, 1));
	a = p_named(self->name, O_RDWR, IPCDEV_CREAT | IPCDEV_EXCL, 0600, 0, 0);
	ASSERT_LE(0, a);
	EXPECT_EQ(-EEXIST, p_named(self->name, O_RDWR,
				   IPCDEV_CREAT | IPCDEV_EXCL, 0600, 0, 1));
	b = p_named(self->name, O_RDWR, IPCDEV_CREAT, 0600, 0, 1);
	ASSERT_LE(0, b);
	ASSERT_EQ(0, p_stat(a, &s1));
	ASSERT_EQ(0, p_stat(b, &s2));
	EXPECT_EQ(s1.id, s2.id);
	/* Unlink: the name goes, the pipe lives on for its handles. */
	ASSERT_EQ(0, p_unlink(self->name));
	EXPECT_EQ(-ENOENT, p_unlink(self->name));
	EXPECT_EQ(-ENOENT, p_named(self->name, O_RDWR, 0, 0, 0, 1));
	ASSERT_EQ(0, p_sends(b, "after-unlink"));
	EXPECT_EQ(0, p_expect(a, "after-unlink"));
	/* The name can be reused at once, for a new pipe. */
	b = p_named(self->name, O_RDWR, IPCDEV_CREAT | IPCDEV_EXCL, 0600, 0, 1);
	ASSERT_LE(0, b);
	ASSERT_EQ(0, p_stat(b, &s2));
	EXPECT_NE(s1.id, s2.id);
	close(a);
	close(b);
	/* Pipe names and queue names are separate namespaces. */
	int q = open(QDEV, O_RDWR);
	struct ipcdev_queue_open qo = { .name = ptr(self->name) };

	if (q >= 0) {
		EXPECT_EQ(-1, ioctl(q, IPCDEV_IOC_QUEUE_OPEN, &qo));
		EXPECT_EQ(ENOENT, errno);
		close(q);
	}
}

static int child_attach(const char *name, int oflags, __u32 end)
{
	int fd = p_named(name, oflags, 0, 0, 0, end);

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	return -fd;
}

struct attach_req {
	const char *name;
	int oflags;
	__u32 end;
};

static int child_attach_req(void *arg)
{
	struct attach_req *r = arg;

	return child_attach(r->name, r->oflags, r->end);
}

/* Attach as nobody in a child; its exit code (0 or an errno value). */
static int attach_as_nobody(const char *name, int oflags, __u32 end)
{
	struct attach_req r = { name, oflags, end };

	return as_user(NOBODY, NOBODY, child_attach_req, &r);
}

TEST_F(named, eacces_for_nobody)
{
	int fd = p_named(self->name, O_RDWR, IPCDEV_CREAT, 0600, 0, 0);

	ASSERT_LE(0, fd);
	EXPECT_EQ(EACCES, attach_as_nobody(self->name, O_RDWR, 1));
	EXPECT_EQ(EACCES, attach_as_nobody(self->name, O_RDONLY, 1));
	EXPECT_EQ(EACCES, attach_as_nobody(self->name, O_WRONLY, 0));
	close(fd);
	ASSERT_EQ(0, p_unlink(self->name));
	/* Control: 0666 lets nobody in; 0644 only to read. */
	fd = p_named(self->name, O_RDWR, IPCDEV_CREAT, 0666, 0, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, attach_as_nobody(self->name, O_RDWR, 1));
	close(fd);
	ASSERT_EQ(0, p_unlink(self->name));
	fd = p_named(self->name, O_RDWR, IPCDEV_CREAT, 0644, 0, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, attach_as_nobody(self->name, O_RDONLY, 1));
	EXPECT_EQ(EACCES, attach_as_nobody(self->name, O_WRONLY, 1));
	close(fd);
	ASSERT_EQ(0, p_unlink(self->name));
	/* The creator's umask applies to the mode. */
	umask(022);
	fd = p_named(self->name, O_RDWR, IPCDEV_CREAT, 0666, 0, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(EACCES, attach_as_nobody(self->name, O_RDWR, 1));
	EXPECT_EQ(0, attach_as_nobody(self->name, O_RDONLY, 1));
	close(fd);
}

/* ------------------------------------------------------------------ */
/* fdinfo                                                             */
/* ------------------------------------------------------------------ */

TEST(fdinfo_ends)
{
	char v[128];
	int e[2], fd;

	ASSERT_EQ(0, p_pair(0, 0, e));
	ASSERT_EQ(0, p_sends(e[1], "a"));
	ASSERT_EQ(0, p_sends(e[1], "bc"));
	ASSERT_EQ(0, fdinfo(e[0], "ipcdev-kind", v, sizeof(v)));
	EXPECT_STREQ("pipe", v);
	ASSERT_EQ(0, fdinfo(e[0], "ipcdev-end", v, sizeof(v)));
	EXPECT_STREQ("0", v);
	ASSERT_EQ(0, fdinfo(e[0], "ipcdev-direction", v, sizeof(v)));
	EXPECT_STREQ("recv-only", v);
	ASSERT_EQ(0, fdinfo(e[0], "ipcdev-in-count", v, sizeof(v)));
	EXPECT_STREQ("2", v);
	ASSERT_EQ(0, fdinfo(e[0], "ipcdev-in-bytes", v, sizeof(v)));
	EXPECT_STREQ("3", v);
	EXPECT_EQ(-1, fdinfo(e[0], "ipcdev-out-count", v, sizeof(v)));
	ASSERT_EQ(0, fdinfo(e[1], "ipcdev-end", v, sizeof(v)));
	EXPECT_STREQ("1", v);
	ASSERT_EQ(0, fdinfo(e[1], "ipcdev-direction", v, sizeof(v)));
	EXPECT_STREQ("send-only", v);
	ASSERT_EQ(0, fdinfo(e[1], "ipcdev-out-count", v, sizeof(v)));
	EXPECT_STREQ("2", v);
	EXPECT_EQ(-1, fdinfo(e[1], "ipcdev-in-count", v, sizeof(v)));
	close_pair(e);

	ASSERT_EQ(0, p_pair(IPCDEV_PIPE_DUPLEX, 1000, e));
	ASSERT_EQ(0, p_sends(e[0], "xyz"));
	ASSERT_EQ(0, fdinfo(e[1], "ipcdev-direction", v, sizeof(v)));
	EXPECT_STREQ("duplex", v);
	ASSERT_EQ(0, fdinfo(e[1], "ipcdev-in-count", v, sizeof(v)));
	EXPECT_STREQ("1", v);
	ASSERT_EQ(0, fdinfo(e[1], "ipcdev-out-count", v, sizeof(v)));
	EXPECT_STREQ("0", v);
	ASSERT_EQ(0, fdinfo(e[0], "ipcdev-out-bytes", v, sizeof(v)));
	EXPECT_STREQ("3", v);
	ASSERT_EQ(0, fdinfo(e[0], "ipcdev-capacity", v, sizeof(v)));
	EXPECT_STREQ("1000", v);
	close_pair(e);

	/* A device descriptor is no object: no ipcdev lines. */
	fd = open(DEV, O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, fdinfo(fd, "ipcdev-kind", v, sizeof(v)));
	close(fd);
}

/* ------------------------------------------------------------------ */
/* Bad input                                                          */
/* ------------------------------------------------------------------ */

#define ASSERT_STAT_SAME(a, b) do {					\
	EXPECT_EQ((a).in_count, (b).in_count);				\
	EXPECT_EQ((a).in_bytes, (b).in_bytes);				\
	EXPECT_EQ((a).out_count, (b).out_count);			\
	EXPECT_EQ((a).out_bytes, (b).out_bytes);			\
	ASSERT_EQ(0, memcmp(&(a), &(b), sizeof(a)));			\
} while (0)

TEST_F(dx, efault_send_nothing_lost)
{
	struct ipcdev_pipe_stat before, after;
	long ps = page_size();
	char *none, *g;

	ASSERT_EQ(0, p_sends(self->e[0], "base"));
	ASSERT_EQ(0, p_stat(self->e[1], &before));
	none = mmap(NULL, ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, none);
	g = guarded_page();
	ASSERT_NE(NULL, g);
	memset(g, 'g', ps);

	EXPECT_EQ(-EFAULT, p_send_nb(self->e[0], NULL, 10));
	EXPECT_EQ(-EFAULT, p_send_nb(self->e[0], none, 10));
	EXPECT_EQ(-EFAULT, p_send_nb(self->e[0], unmapped_addr(), 10));
	EXPECT_EQ(-EFAULT, p_send_nb(self->e[0], g + ps - 5, 10));
	EXPECT_EQ(-EFAULT, p_send(self->e[0], none, 10, 0, 0));
	EXPECT_EQ(-1, ioctl(self->e[0], IPCDEV_IOC_PIPE_SEND, none));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->e[0], IPCDEV_IOC_PIPE_SEND, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, write(self->e[0], none, 10));
	EXPECT_EQ(EFAULT, errno);
	ASSERT_EQ(0, p_stat(self->e[1], &after));
	ASSERT_STAT_SAME(before, after);
	EXPECT_EQ(0, p_send_nb(self->e[0], g + ps - 5, 5));	/* just fits */
	EXPECT_EQ(2, p_in_count(self->e[1]));
	munmap(none, ps);
	munmap(g, 2 * ps);
}

TEST_F(dx, efault_recv_keeps_message)
{
	struct ipcdev_pipe_stat before, after;
	unsigned char msg[100], out[100];
	long ps = page_size();
	char *none, *g;
	__u64 len;

	fill(msg, sizeof(msg), 5);
	ASSERT_EQ(0, p_send_nb(self->e[1], msg, sizeof(msg)));
	ASSERT_EQ(0, p_stat(self->e[0], &before));
	none = mmap(NULL, ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, none);
	g = guarded_page();
	ASSERT_NE(NULL, g);

	len = 100;
	EXPECT_EQ(-EFAULT, p_recv_nb(self->e[0], NULL, &len));
	len = 100;
	EXPECT_EQ(-EFAULT, p_recv_nb(self->e[0], none, &len));
	len = 100;
	EXPECT_EQ(-EFAULT, p_recv_nb(self->e[0], unmapped_addr(), &len));
	len = 100;
	EXPECT_EQ(-EFAULT, p_recv_nb(self->e[0], g + ps - 50, &len));
	len = 100;
	EXPECT_EQ(-EFAULT, p_recv(self->e[0], none, &len, 0, 0));
	EXPECT_EQ(-1, ioctl(self->e[0], IPCDEV_IOC_PIPE_RECV, none));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->e[0], IPCDEV_IOC_PIPE_STAT, none));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, read(self->e[0], none, 100));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, read(self->e[0], g + ps - 50, 100));
	EXPECT_EQ(EFAULT, errno);
	ASSERT_EQ(0, p_stat(self->e[0], &after));
	ASSERT_STAT_SAME(before, after);
	len = sizeof(out);
	ASSERT_EQ(0, p_recv_nb(self->e[0], out, &len));
	ASSERT_EQ(100, len);
	EXPECT_TRUE(check_fill(out, 100, 5));
	munmap(none, ps);
	munmap(g, 2 * ps);
}

/*
 * A RECV whose struct ipcdev_msg is readable but not writable: the length
 * cannot be stored back, so EFAULT, and the message is still there.
 */
static void recv_len_unwritable(struct __test_metadata *_metadata, int *e,
				size_t len, unsigned int seed)
{
	struct ipcdev_pipe_stat before, after;
	long ps = page_size();
	unsigned char *msg = malloc(len + 1), *out = malloc(len + 1);
	struct ipcdev_msg *m = mmap(NULL, ps, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	__u64 got;

	ASSERT_NE(NULL, msg);
	ASSERT_NE(NULL, out);
	ASSERT_NE(MAP_FAILED, m);
	fill(msg, len, seed);
	ASSERT_EQ(0, p_send_nb(e[1], msg, len));
	ASSERT_EQ(0, p_stat(e[0], &before));
	m->buf = ptr(out);
	m->len = len + 1;
	m->flags = IPCDEV_WAIT_NONBLOCK;
	ASSERT_EQ(0, mprotect(m, ps, PROT_READ));
	EXPECT_EQ(-1, ioctl(e[0], IPCDEV_IOC_PIPE_RECV, m));
	EXPECT_EQ(EFAULT, errno);
	ASSERT_EQ(0, p_stat(e[0], &after));
	ASSERT_STAT_SAME(before, after);
	memset(out, 0, len + 1);
	got = len + 1;
	ASSERT_EQ(0, p_recv_nb(e[0], out, &got));
	ASSERT_EQ(len, got);
	EXPECT_TRUE(check_fill(out, len, seed));
	munmap(m, ps);
	free(msg);
	free(out);
}

/* Small (copied under the lock) and above 64 KiB (copied without it). */
TEST_F(dx, recv_len_unwritable_keeps_message)
{
	recv_len_unwritable(_metadata, self->e, 100, 41);
	recv_len_unwritable(_metadata, self->e, (64 << 10) + 1, 42);
}

TEST_F(dx, reserved_and_flags_msg)
{
	struct ipcdev_pipe_stat before, after;
	struct ipcdev_msg m;
	char buf[16];

	ASSERT_EQ(0, p_sends(self->e[1], "keep"));
	ASSERT_EQ(0, p_stat(self->e[0], &before));
	memset(&m, 0, sizeof(m));
	m.buf = ptr("abc");
	m.len = 3;
	m.reserved = 1;
	EXPECT_EQ(-1, ioctl(self->e[0], IPCDEV_IOC_PIPE_SEND, &m));
	EXPECT_EQ(EINVAL, errno);
	m.reserved = 0;
	m.flags = 1U << 2;
	EXPECT_EQ(-1, ioctl(self->e[0], IPCDEV_IOC_PIPE_SEND, &m));
	EXPECT_EQ(EINVAL, errno);
	m.flags = 1U << 31;
	EXPECT_EQ(-1, ioctl(self->e[0], IPCDEV_IOC_PIPE_SEND, &m));
	EXPECT_EQ(EINVAL, errno);

	memset(&m, 0, sizeof(m));
	m.buf = ptr(buf);
	m.len = sizeof(buf);
	m.reserved = 0x80000000u;
	EXPECT_EQ(-1, ioctl(self->e[0], IPCDEV_IOC_PIPE_RECV, &m));
	EXPECT_EQ(EINVAL, errno);
	m.reserved = 0;
	m.flags = IPCDEV_WAIT_NONBLOCK | (1U << 7);
	EXPECT_EQ(-1, ioctl(self->e[0], IPCDEV_IOC_PIPE_RECV, &m));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, p_stat(self->e[0], &after));
	ASSERT_STAT_SAME(before, after);
	EXPECT_EQ(1, after.in_count);
	EXPECT_EQ(0, p_in_count(self->e[1]));
}

/* PIPE_OPEN with @o on a fresh device descriptor: errno (0 if it worked);
 * the device descriptor must still work after a failure. */
static int open_bad(struct ipcdev_pipe_open *o)
{
	int fd = open(DEV, O_RDWR), e = 0, fd1 = -1;

	if (fd < 0)
		return -1000;
	o->fd = -1;
	if (dev_open_in_place(fd, IPCDEV_IOC_PIPE_OPEN, o))
		e = errno;
	else if (!o->name)
		close(o->fd);
	if (e && (o->fd != -1 || p_bind(fd, NULL, 0, 0, 0, 0, &fd1)))
		e = -2000;	/* a descriptor leaked, or the device is broken */
	if (fd1 >= 0)
		close(fd1);
	close(fd);
	return e;
}

TEST(bad_open_arguments)
{
	unsigned long long bytes_max = read_param("bytes_max");
	struct ipcdev_pipe_open o;
	char name[64], longname[300];

	ASSERT_NE(0, bytes_max);
	snprintf(name, sizeof(name), "ksft-pipe-bad-%d", getpid());
	p_unlink(name);
	/* reserved[0] only: the second word became msgsize_max. */
	memset(&o, 0, sizeof(o));
	o.reserved[0] = 1;
	EXPECT_EQ(EINVAL, open_bad(&o));
	memset(&o, 0, sizeof(o));
	o.flags = 0x10;
	EXPECT_EQ(EINVAL, open_bad(&o));
	o.flags = 1U << 31;
	EXPECT_EQ(EINVAL, open_bad(&o));
	/* end > 1, anonymous and named */
	memset(&o, 0, sizeof(o));
	o.end = 2;
	EXPECT_EQ(EINVAL, open_bad(&o));
	o.end = 0xffffffff;
	EXPECT_EQ(EINVAL, open_bad(&o));
	o.name = ptr(name);
	o.flags = IPCDEV_CREAT;
	o.mode = 0600;
	o.end = 2;
	EXPECT_EQ(EINVAL, open_bad(&o));
	/* anonymous: end must be 0, no CREAT/EXCL */
	memset(&o, 0, sizeof(o));
	o.end = 1;
	EXPECT_EQ(EINVAL, open_bad(&o));
	o.end = 0;
	o.flags = IPCDEV_CREAT;
	EXPECT_EQ(EINVAL, open_bad(&o));
	o.flags = IPCDEV_EXCL;
	EXPECT_EQ(EINVAL, open_bad(&o));
	/* An unknown flag bit. */
	memset(&o, 0, sizeof(o));
	o.name = ptr(name);
	o.flags = IPCDEV_CREAT | 0x40;
	EXPECT_EQ(EINVAL, open_bad(&o));
	/* mode, capacity, names */
	memset(&o, 0, sizeof(o));
	o.mode = 01000;
	EXPECT_EQ(EINVAL, open_bad(&o));
	memset(&o, 0, sizeof(o));
	o.capacity = bytes_max + 1;
	EXPECT_EQ(EINVAL, open_bad(&o));
	o.capacity = IPCDEV_UNLIMITED - 1;
	EXPECT_EQ(EINVAL, open_bad(&o));
	memset(&o, 0, sizeof(o));
	o.flags = IPCDEV_CREAT;
	o.name = ptr("");
	EXPECT_EQ(EINVAL, open_bad(&o));
	o.name = ptr("a/b");
	EXPECT_EQ(EINVAL, open_bad(&o));
	memset(longname, 'n', sizeof(longname));
	longname[IPCDEV_NAME_MAX + 1] = 0;
	o.name = ptr(longname);
	EXPECT_EQ(ENAMETOOLONG, open_bad(&o));
	o.name = ptr(unmapped_addr());
	EXPECT_EQ(EFAULT, open_bad(&o));
	EXPECT_EQ(-1, ioctl(open(DEV, O_RDWR), IPCDEV_IOC_PIPE_OPEN, NULL));
	EXPECT_EQ(EFAULT, errno);
	/* Nothing was created by any of these. */
	EXPECT_EQ(-ENOENT, p_unlink(name));
	/* Control: the same arguments, corrected, work. */
	memset(&o, 0, sizeof(o));
	o.flags = IPCDEV_PIPE_DUPLEX | IPCDEV_PIPE_CLOEXEC;
	o.capacity = bytes_max;
	EXPECT_EQ(0, open_bad(&o));
}

/*
 * The creator sets a pipe's msgsize_max (0: the module's msgsize_max,
 * IPCDEV_UNLIMITED: any size) and may ask for an unbounded capacity; a
 * message above the module default then goes through, one above the
 * pipe's own limit does not.
 */
TEST(msgsize_max_per_pipe)
{
	unsigned long long msgsize = read_param("msgsize_max");
	struct ipcdev_pipe_open o = { .flags = IPCDEV_PIPE_DUPLEX, .fd = -1 };
	struct ipcdev_pipe_stat st;
	size_t big = 3 * 4096;
	unsigned char *buf;
	__u64 len;
	int fd, e[2];

	/* A small module default, so that "above it" is cheap to send. */
	ASSERT_NE(0, msgsize);
	ASSERT_EQ(0, write_param("msgsize_max", 8192));
	buf = malloc(big);
	ASSERT_NE(NULL, buf);
	fill(buf, big, 7);
	/* Larger than the module default, within the pipe's own limit. */
	fd = open(DEV, O_RDWR);
	ASSERT_LE(0, fd);
	o.msgsize_max = big;
	ASSERT_EQ(0, dev_open_in_place(fd, IPCDEV_IOC_PIPE_OPEN, &o));
	ASSERT_EQ(0, write_param("msgsize_max", msgsize));
	ASSERT_EQ(0, p_stat(fd, &st));
	EXPECT_EQ(big, st.msgsize_max);
	EXPECT_EQ(-EMSGSIZE, p_send_nb(fd, buf, big + 1));
	ASSERT_EQ(0, p_send_nb(fd, buf, big));
	memset(buf, 0, big);
	len = big;
	ASSERT_EQ(0, p_recv(o.fd, buf, &len, IPCDEV_WAIT_NONBLOCK, 0));
	EXPECT_EQ(big, len);
	EXPECT_TRUE(check_fill(buf, big, 7));
	close(o.fd);
	close(fd);
	/* The default (0) is the parameter's value at creation. */
	ASSERT_EQ(0, write_param("msgsize_max", 8192));
	ASSERT_EQ(0, p_pair(IPCDEV_PIPE_DUPLEX, 0, e));
	ASSERT_EQ(0, write_param("msgsize_max", msgsize));
	ASSERT_EQ(0, p_stat(e[0], &st));
	EXPECT_EQ(8192, st.msgsize_max);
	EXPECT_EQ(-EMSGSIZE, p_send_nb(e[0], buf, 8193));
	close_pair(e);
	/* Unlimited message size and capacity: reported as such. */
	fd = open(DEV, O_RDWR);
	ASSERT_LE(0, fd);
	o.fd = -1;
	o.msgsize_max = IPCDEV_UNLIMITED;
	o.capacity = IPCDEV_UNLIMITED;
	ASSERT_EQ(0, dev_open_in_place(fd, IPCDEV_IOC_PIPE_OPEN, &o));
	ASSERT_EQ(0, p_stat(o.fd, &st));
	EXPECT_EQ(IPCDEV_UNLIMITED, st.msgsize_max);
	EXPECT_EQ(IPCDEV_UNLIMITED, st.capacity);
	/* No capacity bound: two large messages queue without a reader. */
	fill(buf, big, 8);
	EXPECT_EQ(0, p_send_nb(fd, buf, big));
	EXPECT_EQ(0, p_send_nb(fd, buf, big));
	ASSERT_EQ(0, p_stat(o.fd, &st));
	EXPECT_EQ(2, st.in_count);
	EXPECT_EQ(2ULL * big, st.in_bytes);
	close(o.fd);
	close(fd);
	free(buf);
}

/* The descriptor of end 1 cannot be returned: nothing is left behind. */
TEST(open_efault_on_fd_out)
{
	long long objects0 = read_proc_stat("objects");
	long long handles0 = read_proc_stat("handles");
	struct ipcdev_pipe_open o = { .flags = IPCDEV_PIPE_DUPLEX };
	long ps = page_size();
	int fd, fd1 = -1, nextfd;
	void *ro;

	ASSERT_LE(0, objects0);
	ro = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		  -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	memcpy(ro, &o, sizeof(o));
	ASSERT_EQ(0, mprotect(ro, ps, PROT_READ));
	fd = open(DEV, O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, ioctl(fd, IPCDEV_IOC_PIPE_OPEN, ro));
	EXPECT_EQ(EFAULT, errno);
	/* No descriptor leaked: the next one is the lowest free. */
	nextfd = dup(0);
	EXPECT_EQ(fd + 1, nextfd);
	close(nextfd);
	EXPECT_EQ(objects0, wait_proc_stat("objects", objects0));
	/* A device descriptor is no handle. */
	EXPECT_EQ(handles0, wait_proc_stat("handles", handles0));
	/* The device descriptor still works. */
	EXPECT_EQ(0, p_bind(fd, NULL, 0, 0, 0, 0, &fd1));
	close(fd1);
	close(fd);
	munmap(ro, ps);
}

TEST_F(dx, bad_ioctl_numbers)
{
	struct ipcdev_pipe_stat before, after;
	char big[512];
	const unsigned long bad[] = {
		_IO(IPCDEV_IOC_MAGIC, 0x7f),
		_IOWR(IPCDEV_IOC_MAGIC, 0x24, struct ipcdev_msg),
		_IOWR('x', 0x21, struct ipcdev_msg),
		/* the queue's ioctls */
		IPCDEV_IOC_QUEUE_OPEN,
		IPCDEV_IOC_QUEUE_PUT,
		IPCDEV_IOC_QUEUE_GET,
		IPCDEV_IOC_QUEUE_STAT,
		/* known numbers, wrong size or direction */
		_IOC(_IOC_WRITE, IPCDEV_IOC_MAGIC, 0x21,
		     sizeof(struct ipcdev_msg) - 8),
		_IOC(_IOC_READ | _IOC_WRITE, IPCDEV_IOC_MAGIC, 0x22,
		     sizeof(struct ipcdev_msg) + 8),
		_IOC(_IOC_READ, IPCDEV_IOC_MAGIC, 0x23,
		     sizeof(struct ipcdev_pipe_stat) - 8),
		_IOC(_IOC_READ | _IOC_WRITE, IPCDEV_IOC_MAGIC, 0x20,
		     sizeof(struct ipcdev_pipe_open) + 8),
		_IOC(_IOC_READ | _IOC_WRITE, IPCDEV_IOC_MAGIC, 0x21,
		     sizeof(struct ipcdev_msg)),
	};

	ASSERT_EQ(0, p_sends(self->e[1], "keep"));
	ASSERT_EQ(0, p_stat(self->e[0], &before));
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		memset(big, 0, sizeof(big));
		((struct ipcdev_msg *)big)->buf = ptr(big + 256);
		((struct ipcdev_msg *)big)->len = 4;
		EXPECT_EQ(-1, ioctl(self->e[0], bad[i], big)) TH_LOG("cmd %#lx", bad[i]);
		EXPECT_EQ(ENOTTY, errno) TH_LOG("cmd %#lx", bad[i]);
	}
	ASSERT_EQ(0, p_stat(self->e[0], &after));
	ASSERT_STAT_SAME(before, after);
}

/* ------------------------------------------------------------------ */
/* Object accounting (keep last)                                      */
/* ------------------------------------------------------------------ */

FIXTURE(zz_lifetime) {
	int unused;
};

FIXTURE_SETUP(zz_lifetime)
{
}

FIXTURE_TEARDOWN(zz_lifetime)
{
}

TEST_F_TIMEOUT(zz_lifetime, create_close_cycles, 300)
{
	long long objects0, handles0, bytes0, named0;
	int e[2], fails = 0;

	objects0 = read_proc_stat("objects");
	handles0 = read_proc_stat("handles");
	bytes0 = read_proc_stat("bytes");
	named0 = read_proc_stat("named");
	ASSERT_LE(0, objects0) TH_LOG("no 'objects' in %s", PROC_STATS);
	ASSERT_LE(0, handles0);
	ASSERT_LE(0, bytes0);
	ASSERT_LE(0, named0);
	for (int i = 0; i < 1000; i++) {
		__u32 fl = i & 1 ? IPCDEV_PIPE_DUPLEX : 0;

		if (p_pair(fl, 0, e)) {
			fails++;
			continue;
		}
		if (p_sends(e[1], "cycle"))
			fails++;
		if (fl && p_sends(e[0], "back"))
			fails++;
		if (i == 0) {
			EXPECT_EQ(objects0 + 1, read_proc_stat("objects"));
			EXPECT_EQ(handles0 + 2, read_proc_stat("handles"));
			EXPECT_EQ(bytes0 + 5, read_proc_stat("bytes"));
		}
		/* Close in both orders. */
		if (i & 2) {
			close(e[0]);
			close(e[1]);
		} else {
			close(e[1]);
			close(e[0]);
		}
	}
	EXPECT_EQ(0, fails);
	EXPECT_EQ(objects0, wait_proc_stat("objects", objects0));
	EXPECT_EQ(handles0, wait_proc_stat("handles", handles0));
	EXPECT_EQ(bytes0, wait_proc_stat("bytes", bytes0));
	EXPECT_EQ(named0, read_proc_stat("named"));
}

TEST_F(zz_lifetime, named_accounting)
{
	long long objects0 = read_proc_stat("objects");
	long long named0 = read_proc_stat("named");
	char name[64];
	int fd;

	ASSERT_LE(0, objects0);
	snprintf(name, sizeof(name), "ksft-pipe-acct-%d", getpid());
	fd = p_named(name, O_RDWR, IPCDEV_CREAT | IPCDEV_EXCL, 0600, 0, 1);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, p_sends(fd, "x"));
	close(fd);
	EXPECT_EQ(objects0 + 1, wait_proc_stat("objects", objects0 + 1));
	EXPECT_EQ(named0 + 1, read_proc_stat("named"));
	ASSERT_EQ(0, p_unlink(name));
	EXPECT_EQ(objects0, wait_proc_stat("objects", objects0));
	EXPECT_EQ(named0, wait_proc_stat("named", named0));
}

TEST_HARNESS_MAIN
