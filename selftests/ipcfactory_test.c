// SPDX-License-Identifier: GPL-2.0
/*
 * Selftests of the factory ABI, the same for every kind: a device
 * descriptor (open() of /dev/ipcqueue, /dev/ipcpipe, /dev/ipcshm,
 * /dev/ipcevent) is never an object; its OPEN ioctl returns a new object
 * descriptor, which is its object from birth (no OPEN on it, ENOTTY), with
 * the device descriptor's access mode and O_NONBLOCK, close-on-exec with
 * IPCDEV_CLOEXEC.  Also the regular ABI facts: the same STAT bits in every
 * STAT struct, _IOW for both senders.
 *
 * Run as root with the ipcdev module loaded.  Conventions: ipcdev_test.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <linux/ipcdev.h>

#include "ipcdev_test.h"

/* See ipcqueue_test.c: harness artefacts under -Wextra. */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"

enum { K_QUEUE, K_PIPE, K_SHM, K_EVENT, K_NR };

static const char *const kdev[K_NR] = {
	"/dev/ipcqueue", "/dev/ipcpipe", "/dev/ipcshm", "/dev/ipcevent",
};

static const unsigned long kopen[K_NR] = {
	IPCDEV_IOC_QUEUE_OPEN, IPCDEV_IOC_PIPE_OPEN, IPCDEV_IOC_SHM_OPEN,
	IPCDEV_IOC_EVENT_OPEN,
};

static const unsigned long kstat[K_NR] = {
	IPCDEV_IOC_QUEUE_STAT, IPCDEV_IOC_PIPE_STAT, IPCDEV_IOC_SHM_STAT,
	IPCDEV_IOC_EVENT_STAT,
};

/* Every object command of each kind (all but OPEN). */
static const unsigned long kcmds[K_NR][10] = {
	{ IPCDEV_IOC_QUEUE_PUT, IPCDEV_IOC_QUEUE_GET, IPCDEV_IOC_QUEUE_STAT },
	{ IPCDEV_IOC_PIPE_SEND, IPCDEV_IOC_PIPE_RECV, IPCDEV_IOC_PIPE_STAT },
	{ IPCDEV_IOC_SHM_STAT, IPCDEV_IOC_SHM_LOCK, IPCDEV_IOC_SHM_UNLOCK,
	  IPCDEV_IOC_SHM_PUBLISH, IPCDEV_IOC_SHM_WAIT_CHANGE,
	  IPCDEV_IOC_SHM_READ, IPCDEV_IOC_SHM_WRITE, IPCDEV_IOC_SHM_LOCKER },
	{ IPCDEV_IOC_EVENT_SET, IPCDEV_IOC_EVENT_CLEAR, IPCDEV_IOC_EVENT_WAIT,
	  IPCDEV_IOC_EVENT_STAT },
};

/* The identity part of each STAT struct: id and flags. */
struct ident {
	__u32 id;
	__u32 flags;
};

/* An OPEN argument for kind @k: anonymous (@name NULL) or named. */
static void open_arg(int k, const char *name, __u32 flags, void *arg)
{
	struct ipcdev_open_head *h = arg;

	memset(arg, 0, 128);
	h->name = ptr(name);
	h->flags = flags;
	h->mode = 0600;
	if (k == K_SHM)
		((struct ipcdev_shm_open *)arg)->size = 64;
}

/* OPEN on the device descriptor @dfd: the new descriptor or -errno. */
static int obj_open(int k, int dfd, const char *name, __u32 flags)
{
	__u64 arg[16];
	int fd;

	open_arg(k, name, flags, arg);
	fd = ioctl(dfd, kopen[k], arg);
	if (fd < 0)
		return -errno;
	/* An anonymous pipe is a pair: drop end 1. */
	if (k == K_PIPE && !name)
		close(((struct ipcdev_pipe_open *)arg)->fd);
	return fd;
}

static int ident(int k, int fd, struct ident *id)
{
	union {
		struct ipcdev_queue_stat q;
		struct ipcdev_pipe_stat p;
		struct ipcdev_shm_stat s;
		struct ipcdev_event_stat e;
	} st;

	if (ioctl(fd, kstat[k], &st))
		return -errno;
	switch (k) {
	case K_QUEUE:
		id->id = st.q.id;
		id->flags = st.q.flags;
		break;
	case K_PIPE:
		id->id = st.p.id;
		id->flags = st.p.flags;
		break;
	case K_SHM:
		id->id = st.s.id;
		id->flags = st.s.flags;
		break;
	default:
		id->id = st.e.id;
		id->flags = st.e.flags;
	}
	return 0;
}

/* A write-side call of kind @k on @fd: 0 or -errno. */
static int do_write(int k, int fd)
{
	struct ipcdev_msg m = { .buf = ptr("w"), .len = 1,
				.flags = IPCDEV_WAIT_NONBLOCK };
	struct ipcdev_shm_io io = { .buf = ptr("w"), .len = 1 };

	switch (k) {
	case K_QUEUE:
		return ioc(fd, IPCDEV_IOC_QUEUE_PUT, &m);
	case K_PIPE:
		return ioc(fd, IPCDEV_IOC_PIPE_SEND, &m);
	case K_SHM:
		return ioc(fd, IPCDEV_IOC_SHM_WRITE, &io);
	default:
		return ioc(fd, IPCDEV_IOC_EVENT_SET, NULL);
	}
}

/*
 * A read-side call of kind @k on @fd: 0 or -errno.  EAGAIN (nothing to
 * read) and EPIPE (the pipe's peer end was closed) count as 0: the call
 * was allowed.
 */
static int do_read(int k, int fd)
{
	char buf[8];
	struct ipcdev_msg m = { .buf = ptr(buf), .len = sizeof(buf),
				.flags = IPCDEV_WAIT_NONBLOCK };
	struct ipcdev_shm_io io = { .buf = ptr(buf), .len = 1 };
	struct ipcdev_event_wait w = { .flags = IPCDEV_WAIT_NONBLOCK };
	int r;

	switch (k) {
	case K_QUEUE:
		r = ioc(fd, IPCDEV_IOC_QUEUE_GET, &m);
		break;
	case K_PIPE:
		r = ioc(fd, IPCDEV_IOC_PIPE_RECV, &m);
		break;
	case K_SHM:
		r = ioc(fd, IPCDEV_IOC_SHM_READ, &io);
		break;
	default:
		r = ioc(fd, IPCDEV_IOC_EVENT_WAIT, &w);
	}
	return r == -EAGAIN || r == -EPIPE ? 0 : r;
}

/* A device descriptor refuses every object call: it is no object. */
TEST(device_descriptor_is_no_object)
{
	char buf[64], v[32];

	for (int k = 0; k < K_NR; k++) {
		int dfd = open(kdev[k], O_RDWR);

		ASSERT_LE(0, dfd) TH_LOG("%s: %s", kdev[k], strerror(errno));
		memset(buf, 0, sizeof(buf));
		for (int i = 0; kcmds[k][i]; i++) {
			EXPECT_EQ(-1, ioctl(dfd, kcmds[k][i], buf));
			EXPECT_EQ(ENOTTY, errno) TH_LOG("%s cmd %#lx", kdev[k],
						       kcmds[k][i]);
		}
		/* Not a message, not a segment: a misc device without them. */
		EXPECT_EQ(-1, read(dfd, buf, sizeof(buf)));
		EXPECT_EQ(EINVAL, errno) TH_LOG("%s", kdev[k]);
		EXPECT_EQ(-1, write(dfd, buf, 8));
		EXPECT_EQ(EINVAL, errno) TH_LOG("%s", kdev[k]);
		EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_SHARED,
					   dfd, 0));
		EXPECT_EQ(ENODEV, errno) TH_LOG("%s", kdev[k]);
		/* The default poll of a file without a poll method. */
		EXPECT_EQ(POLLIN | POLLOUT, poll_events(dfd, POLLIN | POLLOUT))
			TH_LOG("%s", kdev[k]);
		EXPECT_EQ(-1, fdinfo(dfd, "ipcdev-kind", v, sizeof(v)));
		/* Another kind's OPEN is unknown here. */
		EXPECT_EQ(-1, ioctl(dfd, kopen[(k + 1) % K_NR], buf));
		EXPECT_EQ(ENOTTY, errno);
		close(dfd);
	}
}

/*
 * Each OPEN returns a new descriptor of a new object, usable at once and
 * never re-opened (ENOTTY); the device descriptor stays a factory.
 */
TEST(open_returns_object_descriptors)
{
	__u64 arg[16];
	char v[32];

	for (int k = 0; k < K_NR; k++) {
		struct ident ia, ib;
		int dfd = open(kdev[k], O_RDWR), a, b;

		ASSERT_LE(0, dfd);
		a = obj_open(k, dfd, NULL, 0);
		b = obj_open(k, dfd, NULL, 0);
		ASSERT_LE(0, a) TH_LOG("%s: %s", kdev[k], strerror(-a));
		ASSERT_LE(0, b);
		EXPECT_NE(dfd, a);
		EXPECT_NE(a, b);
		ASSERT_EQ(0, ident(k, a, &ia));
		ASSERT_EQ(0, ident(k, b, &ib));
		EXPECT_NE(ia.id, ib.id);
		EXPECT_EQ(0, fdinfo(a, "ipcdev-kind", v, sizeof(v)));
		/* OPEN on an object descriptor, anonymous or named. */
		open_arg(k, NULL, 0, arg);
		EXPECT_EQ(-1, ioctl(a, kopen[k], arg));
		EXPECT_EQ(ENOTTY, errno);
		open_arg(k, "ksft-factory-none", IPCDEV_CREAT, arg);
		EXPECT_EQ(-1, ioctl(a, kopen[k], arg));
		EXPECT_EQ(ENOTTY, errno);
		EXPECT_EQ(-ENOENT, dev_unlink(kdev[k], "ksft-factory-none"));
		/* Closing the factory leaves its objects alone. */
		close(dfd);
		EXPECT_EQ(0, ident(k, a, &ia));
		if (k != K_PIPE) {
			/* (A one-way pipe's end 0 only receives.) */
			EXPECT_EQ(0, do_write(k, a)) TH_LOG("%s", kdev[k]);
		}
		close(a);
		close(b);
	}
}

/* Object descriptors inherit the device descriptor's access mode. */
TEST(object_access_follows_device_mode)
{
	for (int k = 0; k < K_NR; k++) {
		int ro = open(kdev[k], O_RDONLY), wo = open(kdev[k], O_WRONLY);
		int r, w;

		ASSERT_LE(0, ro);
		ASSERT_LE(0, wo);
		r = obj_open(k, ro, NULL, 0);
		w = obj_open(k, wo, NULL, 0);
		ASSERT_LE(0, r) TH_LOG("%s: %s", kdev[k], strerror(-r));
		ASSERT_LE(0, w);
		EXPECT_EQ(O_RDONLY, fcntl(r, F_GETFL) & O_ACCMODE);
		EXPECT_EQ(O_WRONLY, fcntl(w, F_GETFL) & O_ACCMODE);
		EXPECT_EQ(-EBADF, do_write(k, r)) TH_LOG("%s", kdev[k]);
		EXPECT_EQ(0, do_read(k, r)) TH_LOG("%s", kdev[k]);
		if (k != K_PIPE) {
			/* (A pipe's end 0 only receives: not a write test.) */
			EXPECT_EQ(0, do_write(k, w)) TH_LOG("%s", kdev[k]);
		}
		EXPECT_EQ(-EBADF, do_read(k, w)) TH_LOG("%s", kdev[k]);
		close(r);
		close(w);
		close(ro);
		close(wo);
	}
}

/* The mode bits of a named object are checked against that access. */
TEST(named_open_checks_device_mode)
{
	__u64 arg[16];
	char name[64];

	for (int k = 0; k < K_NR; k++) {
		int dfd, fd, ro;

		snprintf(name, sizeof(name), "ksft-factory-mode-%d-%d",
			 getpid(), k);
		dfd = open(kdev[k], O_RDWR);
		ASSERT_LE(0, dfd);
		fd = obj_open(k, dfd, name, IPCDEV_CREAT | IPCDEV_EXCL);
		ASSERT_LE(0, fd) TH_LOG("%s: %s", kdev[k], strerror(-fd));
		close(dfd);
		ro = open(kdev[k], O_RDONLY);
		ASSERT_LE(0, ro);
		/* 0600 for root: allowed; then as nobody: refused. */
		fd = obj_open(k, ro, name, 0);
		EXPECT_LE(0, fd);
		if (fd >= 0)
			close(fd);
		open_arg(k, name, 0, arg);
		EXPECT_EQ(EACCES, bind_as(NOBODY, NOBODY, kdev[k], O_RDONLY,
					  kopen[k], arg));
		close(ro);
		EXPECT_EQ(0, dev_unlink(kdev[k], name));
	}
}

/* O_NONBLOCK of the device descriptor goes to the object descriptor. */
TEST(object_inherits_nonblock)
{
	for (int k = 0; k < K_NR; k++) {
		int nb = open(kdev[k], O_RDWR | O_NONBLOCK), bl = open(kdev[k], O_RDWR);
		int a, b;

		ASSERT_LE(0, nb);
		ASSERT_LE(0, bl);
		a = obj_open(k, nb, NULL, 0);
		b = obj_open(k, bl, NULL, 0);
		ASSERT_LE(0, a);
		ASSERT_LE(0, b);
		EXPECT_EQ(O_NONBLOCK, fcntl(a, F_GETFL) & O_NONBLOCK);
		EXPECT_EQ(0, fcntl(b, F_GETFL) & O_NONBLOCK);
		close(a);
		close(b);
		close(nb);
		close(bl);
	}
}

/* IPCDEV_CLOEXEC makes every new descriptor close-on-exec; else none. */
TEST(cloexec_flag)
{
	for (int k = 0; k < K_NR; k++) {
		int dfd = open(kdev[k], O_RDWR | O_CLOEXEC), a, b;

		ASSERT_LE(0, dfd);
		a = obj_open(k, dfd, NULL, IPCDEV_CLOEXEC);
		b = obj_open(k, dfd, NULL, 0);
		ASSERT_LE(0, a);
		ASSERT_LE(0, b);
		EXPECT_EQ(FD_CLOEXEC, fcntl(a, F_GETFD) & FD_CLOEXEC)
			TH_LOG("%s", kdev[k]);
		/* The device descriptor's own FD_CLOEXEC is not inherited. */
		EXPECT_EQ(0, fcntl(b, F_GETFD) & FD_CLOEXEC) TH_LOG("%s", kdev[k]);
		close(a);
		close(b);
		close(dfd);
	}
}

TEST(pipe_pair_cloexec_both_ends)
{
	struct ipcdev_pipe_open o = { .flags = IPCDEV_CLOEXEC, .fd = -1 };
	struct ipcdev_msg m = { .buf = ptr("hi"), .len = 2 };
	struct ipcdev_pipe_stat st;
	char buf[4];
	struct ipcdev_msg g = { .buf = ptr(buf), .len = sizeof(buf),
				.flags = IPCDEV_WAIT_NONBLOCK };
	int dfd = open("/dev/ipcpipe", O_RDWR), e0;

	ASSERT_LE(0, dfd);
	e0 = ioctl(dfd, IPCDEV_IOC_PIPE_OPEN, &o);
	ASSERT_LE(0, e0);
	ASSERT_LE(0, o.fd);
	EXPECT_NE(e0, o.fd);
	EXPECT_EQ(FD_CLOEXEC, fcntl(e0, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(FD_CLOEXEC, fcntl(o.fd, F_GETFD) & FD_CLOEXEC);
	/* The returned descriptor is end 0 (receives), o.fd end 1 (sends). */
	ASSERT_EQ(0, ioc(e0, IPCDEV_IOC_PIPE_STAT, &st));
	EXPECT_EQ(0, st.end);
	ASSERT_EQ(0, ioc(o.fd, IPCDEV_IOC_PIPE_STAT, &st));
	EXPECT_EQ(1, st.end);
	ASSERT_EQ(0, ioc(o.fd, IPCDEV_IOC_PIPE_SEND, &m));
	ASSERT_EQ(0, ioc(e0, IPCDEV_IOC_PIPE_RECV, &g));
	EXPECT_EQ(2, g.len);
	close(e0);
	close(o.fd);
	close(dfd);
}

/* A named PIPE_OPEN returns the descriptor of the end asked for. */
TEST(named_pipe_open_returns_the_end)
{
	struct ipcdev_pipe_open o = { .flags = IPCDEV_CREAT | IPCDEV_EXCL,
				      .mode = 0600, .fd = -1 };
	struct ipcdev_pipe_stat st;
	char name[64];
	int dfd = open("/dev/ipcpipe", O_RDWR), e0, e1;

	ASSERT_LE(0, dfd);
	snprintf(name, sizeof(name), "ksft-factory-pipe-%d", getpid());
	o.name = ptr(name);
	o.end = 1;
	e1 = ioctl(dfd, IPCDEV_IOC_PIPE_OPEN, &o);
	ASSERT_LE(0, e1);
	EXPECT_EQ(-1, o.fd);	/* no second descriptor */
	o.flags = 0;
	o.end = 0;
	e0 = ioctl(dfd, IPCDEV_IOC_PIPE_OPEN, &o);
	ASSERT_LE(0, e0);
	ASSERT_EQ(0, ioc(e1, IPCDEV_IOC_PIPE_STAT, &st));
	EXPECT_EQ(1, st.end);
	ASSERT_EQ(0, ioc(e0, IPCDEV_IOC_PIPE_STAT, &st));
	EXPECT_EQ(0, st.end);
	EXPECT_EQ(1, st.handles[0]);
	EXPECT_EQ(1, st.handles[1]);
	close(e0);
	close(e1);
	EXPECT_EQ(0, dev_unlink("/dev/ipcpipe", name));
	close(dfd);
}

/* IPCDEV_STAT_NAMED and IPCDEV_STAT_UNLINKED mean the same in every STAT. */
TEST(stat_bits_regular)
{
	char name[64];

	EXPECT_EQ(0x1, IPCDEV_STAT_NAMED);
	EXPECT_EQ(0x2, IPCDEV_STAT_UNLINKED);
	for (int k = 0; k < K_NR; k++) {
		struct ident id;
		int dfd = open(kdev[k], O_RDWR), fd, anon;

		ASSERT_LE(0, dfd);
		snprintf(name, sizeof(name), "ksft-factory-bits-%d-%d",
			 getpid(), k);
		fd = obj_open(k, dfd, name, IPCDEV_CREAT | IPCDEV_EXCL);
		ASSERT_LE(0, fd);
		anon = obj_open(k, dfd, NULL, 0);
		ASSERT_LE(0, anon);
		ASSERT_EQ(0, ident(k, fd, &id));
		EXPECT_EQ(IPCDEV_STAT_NAMED, id.flags &
			  (IPCDEV_STAT_NAMED | IPCDEV_STAT_UNLINKED))
			TH_LOG("%s flags %#x", kdev[k], id.flags);
		ASSERT_EQ(0, dev_unlink(kdev[k], name));
		ASSERT_EQ(0, ident(k, fd, &id));
		EXPECT_EQ(IPCDEV_STAT_NAMED | IPCDEV_STAT_UNLINKED, id.flags &
			  (IPCDEV_STAT_NAMED | IPCDEV_STAT_UNLINKED))
			TH_LOG("%s flags %#x", kdev[k], id.flags);
		ASSERT_EQ(0, ident(k, anon, &id));
		EXPECT_EQ(0, id.flags & (IPCDEV_STAT_NAMED | IPCDEV_STAT_UNLINKED))
			TH_LOG("%s flags %#x", kdev[k], id.flags);
		close(fd);
		close(anon);
		close(dfd);
	}
}

/* Both senders only read their struct ipcdev_msg: _IOW, like each other. */
TEST(senders_are_iow)
{
	EXPECT_EQ(_IOC_WRITE, _IOC_DIR(IPCDEV_IOC_QUEUE_PUT));
	EXPECT_EQ(_IOC_WRITE, _IOC_DIR(IPCDEV_IOC_PIPE_SEND));
	EXPECT_EQ(_IOC_READ | _IOC_WRITE, _IOC_DIR(IPCDEV_IOC_QUEUE_GET));
	EXPECT_EQ(_IOC_READ | _IOC_WRITE, _IOC_DIR(IPCDEV_IOC_PIPE_RECV));
}

/*
 * read, write and poll on a fresh object descriptor of every kind, with no
 * call before them (the object exists from birth).
 */
TEST(fresh_object_read_write_poll)
{
	char buf[16];
	__u64 v;

	for (int k = 0; k < K_NR; k++) {
		struct ipcdev_pipe_open po = { .flags = IPCDEV_PIPE_DUPLEX, .fd = -1 };
		__u64 arg[16];
		int dfd = open(kdev[k], O_RDWR | O_NONBLOCK), fd;

		ASSERT_LE(0, dfd);
		if (k == K_PIPE) {
			fd = ioctl(dfd, IPCDEV_IOC_PIPE_OPEN, &po);
		} else {
			open_arg(k, NULL, 0, arg);
			fd = ioctl(dfd, kopen[k], arg);
		}
		ASSERT_LE(0, fd) TH_LOG("%s: %s", kdev[k], strerror(errno));
		switch (k) {
		case K_QUEUE:
			EXPECT_EQ(POLLOUT, poll_events(fd, POLLIN | POLLOUT));
			EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
			EXPECT_EQ(EAGAIN, errno);
			EXPECT_EQ(3, write(fd, "abc", 3));
			EXPECT_EQ(POLLIN | POLLOUT, poll_events(fd, POLLIN | POLLOUT));
			EXPECT_EQ(3, read(fd, buf, sizeof(buf)));
			break;
		case K_PIPE:
			EXPECT_EQ(POLLOUT, poll_events(fd, POLLIN | POLLOUT));
			EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
			EXPECT_EQ(EAGAIN, errno);
			EXPECT_EQ(3, write(po.fd, "abc", 3));
			EXPECT_EQ(POLLIN | POLLOUT, poll_events(fd, POLLIN | POLLOUT));
			EXPECT_EQ(3, read(fd, buf, sizeof(buf)));
			close(po.fd);
			break;
		case K_SHM:
			EXPECT_EQ(3, pwrite(fd, "abc", 3, 10));
			EXPECT_EQ(3, pread(fd, buf, 3, 10));
			EXPECT_EQ(0, memcmp(buf, "abc", 3));
			EXPECT_EQ(2, lseek(fd, 2, SEEK_SET));
			EXPECT_EQ(POLLOUT, poll_events(fd, POLLOUT));
			break;
		default:
			EXPECT_EQ(0, poll_events(fd, POLLIN | POLLOUT));
			v = 1;
			EXPECT_EQ(8, write(fd, &v, 8));	/* SET */
			EXPECT_EQ(POLLIN, poll_events(fd, POLLIN | POLLOUT));
			EXPECT_EQ(8, read(fd, &v, 8));	/* WAIT_CLEAR */
			EXPECT_EQ(0, poll_events(fd, POLLIN | POLLOUT));
		}
		close(fd);
		close(dfd);
	}
}

/* A device descriptor is no handle: /proc/ipcdev/stats counts objects' only. */
TEST(device_descriptor_is_no_handle)
{
	long long h0 = read_proc_stat("handles");
	int dfd, fd;

	ASSERT_LE(0, h0);
	dfd = open("/dev/ipcqueue", O_RDWR);
	ASSERT_LE(0, dfd);
	EXPECT_EQ(h0, read_proc_stat("handles"));
	fd = obj_open(K_QUEUE, dfd, NULL, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(h0 + 1, read_proc_stat("handles"));
	close(fd);
	EXPECT_EQ(h0, wait_proc_stat("handles", h0));
	close(dfd);
}

TEST_HARNESS_MAIN
