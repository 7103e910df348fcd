// SPDX-License-Identifier: GPL-2.0
/*
 * Selftests of ipcdev descriptors under io_uring (liburing) and of their
 * read_iter()/write_iter(): readv(2), writev(2), preadv2(2) with
 * RWF_NOWAIT.  Run as root with the ipcdev module loaded.
 *
 * Every object descriptor is FMODE_NOWAIT and its read_iter()/write_iter()
 * honour IOCB_NOWAIT, so io_uring tries a read or write inline and, when
 * it would wait (-EAGAIN), arms poll on the descriptor and tries again
 * when it is woken, instead of handing the request to an io-wq worker
 * thread.  A punted request shows as a thread "iou-wrk-<tid>" of the
 * submitting process (io-wq workers are threads of their task since Linux
 * 5.12): the tests that leave a request pending check that there is none,
 * and async_punt_is_seen checks that this detection works (IOSQE_ASYNC
 * forces a worker).  The harness forks every test, so each starts with no
 * worker.
 *
 * io_uring must work on the kernels this runs on: a ring that cannot be
 * made fails the test, but for ENOSYS (a kernel built without
 * CONFIG_IO_URING), which skips it.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <liburing.h>

#include <linux/ipcdev.h>

#include "ipcdev_test.h"

#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"

#define DEV_Q		"/dev/ipcqueue"
#define DEV_P		"/dev/ipcpipe"
#define DEV_E		"/dev/ipcevent"
#define DEV_S		"/dev/ipcshm"

#ifndef RWF_NOWAIT
#define RWF_NOWAIT	0x00000008
#endif

/* A bound on waiting for a completion that must come (not a timing test). */
#define CQE_WAIT_SEC	20

/* ------------------------------------------------------------------ */
/* Objects                                                            */
/* ------------------------------------------------------------------ */

static int q_new(__u64 maxsize, __u64 msgsize_max)
{
	struct ipcdev_queue_open o = { .maxsize = maxsize,
				       .msgsize_max = msgsize_max };

	return dev_open_bind(DEV_Q, O_RDWR, IPCDEV_IOC_QUEUE_OPEN, &o);
}

/* A queue's message count, or -1. */
static long long q_count(int fd)
{
	struct ipcdev_queue_stat st = {};

	if (ioctl(fd, IPCDEV_IOC_QUEUE_STAT, &st))
		return -1;
	return st.count;
}

/* An anonymous one-way pipe: *rx receives (end 0), *tx sends (end 1). */
static int p_new(int *rx, int *tx)
{
	struct ipcdev_pipe_open o = {};
	int fd = dev_open_bind(DEV_P, O_RDWR, IPCDEV_IOC_PIPE_OPEN, &o);

	if (fd < 0)
		return fd;
	*rx = fd;
	*tx = o.fd;
	return 0;
}

static int e_new(void)
{
	struct ipcdev_event_open o = {};

	return dev_open_bind(DEV_E, O_RDWR, IPCDEV_IOC_EVENT_OPEN, &o);
}

static int s_new(__u64 size)
{
	struct ipcdev_shm_open o = { .type = IPCDEV_SHM_RAW, .size = size };

	return dev_open_bind(DEV_S, O_RDWR, IPCDEV_IOC_SHM_OPEN, &o);
}

/* io-wq worker threads of this process ("iou-wrk-<tid>"). */
static int nr_iou_workers(void)
{
	char path[300], comm[32];
	struct dirent *d;
	int n = 0;
	DIR *dir;
	FILE *f;

	dir = opendir("/proc/self/task");
	if (!dir)
		return -1;
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm",
			 d->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) && !strncmp(comm, "iou-wrk", 7))
			n++;
		fclose(f);
	}
	closedir(dir);
	return n;
}

/* ------------------------------------------------------------------ */
/* Rings                                                              */
/* ------------------------------------------------------------------ */

#define RING_INIT(ring)							\
	do {								\
		int __r = io_uring_queue_init(16, (ring), 0);		\
		if (__r == -ENOSYS)					\
			SKIP(return, "io_uring: kernel built without CONFIG_IO_URING"); \
		ASSERT_EQ(0, __r)					\
			TH_LOG("io_uring_setup: %s (kernel.io_uring_disabled?)", \
			       strerror(-__r));				\
	} while (0)

static struct io_uring_sqe *sqe_of(struct io_uring *ring, __u64 tag)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	if (sqe)
		sqe->user_data = tag;
	return sqe;
}

static int submit_read(struct io_uring *ring, int fd, void *buf, size_t len,
		       __u64 tag, unsigned int flags)
{
	struct io_uring_sqe *sqe = sqe_of(ring, tag);

	if (!sqe)
		return -ENOMEM;
	io_uring_prep_read(sqe, fd, buf, len, -1);
	sqe->user_data = tag;
	sqe->flags |= flags;
	return io_uring_submit(ring) == 1 ? 0 : -EIO;
}

static int submit_write(struct io_uring *ring, int fd, const void *buf,
			size_t len, __u64 tag)
{
	struct io_uring_sqe *sqe = sqe_of(ring, tag);

	if (!sqe)
		return -ENOMEM;
	io_uring_prep_write(sqe, fd, buf, len, -1);
	sqe->user_data = tag;
	return io_uring_submit(ring) == 1 ? 0 : -EIO;
}

static int submit_poll(struct io_uring *ring, int fd, unsigned int mask,
		       __u64 tag)
{
	struct io_uring_sqe *sqe = sqe_of(ring, tag);

	if (!sqe)
		return -ENOMEM;
	io_uring_prep_poll_add(sqe, fd, mask);
	sqe->user_data = tag;
	return io_uring_submit(ring) == 1 ? 0 : -EIO;
}

/* No completion is ready. */
static bool no_cqe(struct io_uring *ring)
{
	struct io_uring_cqe *cqe;

	return io_uring_peek_cqe(ring, &cqe) == -EAGAIN;
}

/* The next completion: its tag in *tag, its result returned (or -ETIME). */
static int reap(struct io_uring *ring, __u64 *tag)
{
	struct __kernel_timespec ts = { .tv_sec = CQE_WAIT_SEC };
	struct io_uring_cqe *cqe;
	int ret;

	ret = io_uring_wait_cqe_timeout(ring, &cqe, &ts);
	if (ret)
		return ret == -ETIME ? -ETIME : -EIO;
	*tag = cqe->user_data;
	ret = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	return ret;
}

/* The next completion must be @want_tag's: its result, else -EPROTO. */
static int reap_tag(struct io_uring *ring, __u64 want_tag)
{
	__u64 tag = 0;
	int ret = reap(ring, &tag);

	if (ret == -ETIME)
		return ret;
	return tag == want_tag ? ret : -EPROTO;
}

/* ------------------------------------------------------------------ */
/* io_uring READ and WRITE on every kind                              */
/* ------------------------------------------------------------------ */

/* A READ submitted on an empty queue completes at the put, inline. */
TEST(queue_read_before_put)
{
	char buf[64] = {}, msg[] = "hello, ring";
	struct io_uring ring;
	int fd;

	RING_INIT(&ring);
	fd = q_new(0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, submit_read(&ring, fd, buf, sizeof(buf), 1, 0));
	EXPECT_TRUE(no_cqe(&ring));
	EXPECT_EQ(0, nr_iou_workers()) TH_LOG("the READ went to io-wq");
	ASSERT_EQ(sizeof(msg), write(fd, msg, sizeof(msg)));
	ASSERT_EQ(sizeof(msg), reap_tag(&ring, 1));
	EXPECT_EQ(0, memcmp(buf, msg, sizeof(msg)));
	EXPECT_EQ(0, q_count(fd));
	EXPECT_EQ(0, nr_iou_workers());
	close(fd);
	io_uring_queue_exit(&ring);
}

/* The detection above works: IOSQE_ASYNC hands the READ to a worker. */
TEST(async_punt_is_seen)
{
	char buf[64], msg[] = "punted";
	struct io_uring ring;
	int fd;

	RING_INIT(&ring);
	fd = q_new(0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, submit_read(&ring, fd, buf, sizeof(buf), 1, IOSQE_ASYNC));
	ASSERT_EQ(sizeof(msg), write(fd, msg, sizeof(msg)));
	ASSERT_EQ(sizeof(msg), reap_tag(&ring, 1));
	EXPECT_EQ(0, memcmp(buf, msg, sizeof(msg)));
	EXPECT_LT(0, nr_iou_workers());
	close(fd);
	io_uring_queue_exit(&ring);
}

/* WRITEs: one message each; a WRITE into a full queue waits for room. */
TEST(queue_write_full)
{
	char a[100], b[7] = "second", buf[128];
	struct io_uring ring;
	int fd;

	memset(a, 'a', sizeof(a));
	RING_INIT(&ring);
	fd = q_new(1, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, submit_write(&ring, fd, a, sizeof(a), 1));
	ASSERT_EQ(sizeof(a), reap_tag(&ring, 1));
	EXPECT_EQ(1, q_count(fd));
	ASSERT_EQ(0, submit_write(&ring, fd, b, sizeof(b), 2));
	EXPECT_TRUE(no_cqe(&ring));
	EXPECT_EQ(0, nr_iou_workers());
	ASSERT_EQ(sizeof(a), read(fd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, a, sizeof(a)));
	ASSERT_EQ(sizeof(b), reap_tag(&ring, 2));
	ASSERT_EQ(sizeof(b), read(fd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, b, sizeof(b)));
	close(fd);
	io_uring_queue_exit(&ring);
}

/* A too-small buffer: -EMSGSIZE, and the message stays for a larger one. */
TEST(queue_read_emsgsize)
{
	char msg[100], buf[100];
	struct io_uring ring;
	int fd;

	memset(msg, 'm', sizeof(msg));
	RING_INIT(&ring);
	fd = q_new(0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(sizeof(msg), write(fd, msg, sizeof(msg)));
	ASSERT_EQ(0, submit_read(&ring, fd, buf, 10, 1, 0));
	EXPECT_EQ(-EMSGSIZE, reap_tag(&ring, 1));
	EXPECT_EQ(1, q_count(fd));
	ASSERT_EQ(0, submit_read(&ring, fd, buf, sizeof(buf), 2, 0));
	EXPECT_EQ(sizeof(msg), reap_tag(&ring, 2));
	EXPECT_EQ(0, memcmp(buf, msg, sizeof(msg)));
	EXPECT_EQ(0, q_count(fd));
	close(fd);
	io_uring_queue_exit(&ring);
}

/* Pipe: READ pending until a send, WRITE and READ through the ring. */
TEST(pipe_read_write)
{
	char buf[4096], msg[4096];
	struct io_uring ring;
	int rx, tx;

	memset(msg, 'p', sizeof(msg));
	RING_INIT(&ring);
	ASSERT_EQ(0, p_new(&rx, &tx));
	ASSERT_EQ(0, submit_read(&ring, rx, buf, sizeof(buf), 1, 0));
	EXPECT_TRUE(no_cqe(&ring));
	EXPECT_EQ(0, nr_iou_workers());
	ASSERT_EQ(0, submit_write(&ring, tx, msg, sizeof(msg), 2));
	/* Both complete: the WRITE's and the READ's, in either order. */
	for (int i = 0; i < 2; i++) {
		__u64 tag = 0;

		EXPECT_EQ(sizeof(msg), reap(&ring, &tag));
		EXPECT_TRUE(tag == 1 || tag == 2);
	}
	EXPECT_EQ(0, memcmp(buf, msg, sizeof(msg)));
	/* A READ on the wrong end of a one-way pipe: EBADF. */
	ASSERT_EQ(0, submit_read(&ring, tx, buf, sizeof(buf), 3, 0));
	EXPECT_EQ(-EBADF, reap_tag(&ring, 3));
	EXPECT_EQ(0, nr_iou_workers());
	close(rx);
	close(tx);
	io_uring_queue_exit(&ring);
}

/* A pending READ on a pipe whose sender goes: end of file (0). */
TEST(pipe_read_pending_eof)
{
	struct io_uring ring;
	char buf[64];
	int rx, tx;

	RING_INIT(&ring);
	ASSERT_EQ(0, p_new(&rx, &tx));
	ASSERT_EQ(0, submit_read(&ring, rx, buf, sizeof(buf), 1, 0));
	EXPECT_TRUE(no_cqe(&ring));
	close(tx);
	EXPECT_EQ(0, reap_tag(&ring, 1));
	close(rx);
	io_uring_queue_exit(&ring);
}

/* Event: READ waits for a SET and clears it; WRITE sets. */
TEST(event_read_write)
{
	__u64 val = 0, one = 1;
	struct io_uring ring;
	int fd;

	RING_INIT(&ring);
	fd = e_new();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, submit_read(&ring, fd, &val, sizeof(val), 1, 0));
	EXPECT_TRUE(no_cqe(&ring));
	EXPECT_EQ(0, nr_iou_workers());
	ASSERT_EQ(0, submit_write(&ring, fd, &one, sizeof(one), 2));
	for (int i = 0; i < 2; i++) {
		__u64 tag = 0;

		EXPECT_EQ(sizeof(__u64), reap(&ring, &tag));
	}
	EXPECT_EQ(1, val);	/* the SET count */
	/* Cleared by the READ: a second one waits again. */
	ASSERT_EQ(0, submit_read(&ring, fd, &val, sizeof(val), 3, 0));
	EXPECT_TRUE(no_cqe(&ring));
	ASSERT_EQ(sizeof(one), write(fd, &one, sizeof(one)));
	EXPECT_EQ(sizeof(__u64), reap_tag(&ring, 3));
	EXPECT_EQ(2, val);
	/* A short buffer: EINVAL, as read(2). */
	ASSERT_EQ(0, submit_read(&ring, fd, &val, 4, 4, 0));
	EXPECT_EQ(-EINVAL, reap_tag(&ring, 4));
	EXPECT_EQ(0, nr_iou_workers());
	close(fd);
	io_uring_queue_exit(&ring);
}

/* Segment: READ and WRITE at offsets, through the ring. */
TEST(shm_read_write)
{
	char buf[256], msg[256];
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	int fd;

	memset(msg, 's', sizeof(msg));
	RING_INIT(&ring);
	fd = s_new(8192);
	ASSERT_LE(0, fd);
	sqe = sqe_of(&ring, 1);
	ASSERT_NE(NULL, sqe);
	io_uring_prep_write(sqe, fd, msg, sizeof(msg), 4000);
	sqe->user_data = 1;
	ASSERT_EQ(1, io_uring_submit(&ring));
	EXPECT_EQ(sizeof(msg), reap_tag(&ring, 1));
	sqe = sqe_of(&ring, 2);
	io_uring_prep_read(sqe, fd, buf, sizeof(buf), 4000);
	sqe->user_data = 2;
	ASSERT_EQ(1, io_uring_submit(&ring));
	EXPECT_EQ(sizeof(buf), reap_tag(&ring, 2));
	EXPECT_EQ(0, memcmp(buf, msg, sizeof(msg)));
	/* At the end of the segment: a short read, then none. */
	sqe = sqe_of(&ring, 3);
	io_uring_prep_read(sqe, fd, buf, sizeof(buf), 8192 - 16);
	sqe->user_data = 3;
	ASSERT_EQ(1, io_uring_submit(&ring));
	EXPECT_EQ(16, reap_tag(&ring, 3));
	EXPECT_EQ(0, nr_iou_workers());
	close(fd);
	io_uring_queue_exit(&ring);
}

/* Registered buffers (kernel bvec iterators) on a queue and a pipe. */
TEST(fixed_buffers)
{
	size_t big = 300 * 1024;	/* above the 64 KiB of the chained path */
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	struct iovec iov[2];
	char *in, *out;
	int fd, rx, tx;

	in = malloc(big);
	out = malloc(big);
	ASSERT_NE(NULL, in);
	ASSERT_NE(NULL, out);
	for (size_t i = 0; i < big; i++)
		out[i] = (char)(i * 7 + 3);
	memset(in, 0, big);
	RING_INIT(&ring);
	iov[0] = (struct iovec){ out, big };
	iov[1] = (struct iovec){ in, big };
	ASSERT_EQ(0, io_uring_register_buffers(&ring, iov, 2));
	fd = q_new(0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, p_new(&rx, &tx));

	/* 64 B and a large message, each way, queue then pipe. */
	for (int k = 0; k < 4; k++) {
		size_t len = k & 1 ? big : 64;
		int wfd = k < 2 ? fd : tx, rfd = k < 2 ? fd : rx;

		memset(in, 0, big);
		sqe = sqe_of(&ring, 1);
		io_uring_prep_write_fixed(sqe, wfd, out, len, -1, 0);
		sqe->user_data = 1;
		ASSERT_EQ(1, io_uring_submit(&ring));
		ASSERT_EQ(len, reap_tag(&ring, 1));
		sqe = sqe_of(&ring, 2);
		io_uring_prep_read_fixed(sqe, rfd, in, big, -1, 1);
		sqe->user_data = 2;
		ASSERT_EQ(1, io_uring_submit(&ring));
		ASSERT_EQ(len, reap_tag(&ring, 2));
		EXPECT_EQ(0, memcmp(in, out, len));
	}
	/* A fixed buffer too small: EMSGSIZE, the message stays. */
	ASSERT_EQ(64, write(fd, out, 64));
	sqe = sqe_of(&ring, 3);
	io_uring_prep_read_fixed(sqe, fd, in, 8, -1, 1);
	sqe->user_data = 3;
	ASSERT_EQ(1, io_uring_submit(&ring));
	EXPECT_EQ(-EMSGSIZE, reap_tag(&ring, 3));
	EXPECT_EQ(1, q_count(fd));
	EXPECT_EQ(0, nr_iou_workers());
	close(fd);
	close(rx);
	close(tx);
	io_uring_queue_exit(&ring);
	free(in);
	free(out);
}

/* ------------------------------------------------------------------ */
/* POLL_ADD                                                           */
/* ------------------------------------------------------------------ */

TEST(poll_add_readiness)
{
	char msg[8] = "x", buf[8];
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	__u64 one = 1;
	int q, ev, s, rx, tx;
	char sbuf[16] = "changed";

	RING_INIT(&ring);
	q = q_new(1, 0);
	ev = e_new();
	s = s_new(4096);
	ASSERT_LE(0, q);
	ASSERT_LE(0, ev);
	ASSERT_LE(0, s);
	ASSERT_EQ(0, p_new(&rx, &tx));

	/* Queue: POLLIN when a message comes, POLLOUT when room comes. */
	ASSERT_EQ(0, submit_poll(&ring, q, POLLIN, 1));
	EXPECT_TRUE(no_cqe(&ring));
	ASSERT_EQ(sizeof(msg), write(q, msg, sizeof(msg)));
	EXPECT_EQ(POLLIN, reap_tag(&ring, 1) & (POLLIN | POLLOUT));
	ASSERT_EQ(0, submit_poll(&ring, q, POLLOUT, 2));
	EXPECT_TRUE(no_cqe(&ring));
	ASSERT_EQ(sizeof(msg), read(q, buf, sizeof(buf)));
	EXPECT_EQ(POLLOUT, reap_tag(&ring, 2) & (POLLIN | POLLOUT));

	/* Pipe: POLLIN at a send, POLLHUP when the sender goes. */
	ASSERT_EQ(0, submit_poll(&ring, rx, POLLIN, 3));
	EXPECT_TRUE(no_cqe(&ring));
	ASSERT_EQ(sizeof(msg), write(tx, msg, sizeof(msg)));
	EXPECT_TRUE(reap_tag(&ring, 3) & POLLIN);
	ASSERT_EQ(sizeof(msg), read(rx, buf, sizeof(buf)));
	ASSERT_EQ(0, submit_poll(&ring, rx, POLLIN, 4));
	EXPECT_TRUE(no_cqe(&ring));
	close(tx);
	EXPECT_TRUE(reap_tag(&ring, 4) & POLLHUP);

	/* Event: POLLIN at a SET. */
	ASSERT_EQ(0, submit_poll(&ring, ev, POLLIN, 5));
	EXPECT_TRUE(no_cqe(&ring));
	ASSERT_EQ(sizeof(one), write(ev, &one, sizeof(one)));
	EXPECT_TRUE(reap_tag(&ring, 5) & POLLIN);

	/* Segment: POLLIN at a change (a WRITE through the ring). */
	ASSERT_EQ(0, submit_poll(&ring, s, POLLIN, 6));
	EXPECT_TRUE(no_cqe(&ring));
	sqe = sqe_of(&ring, 7);
	ASSERT_NE(NULL, sqe);
	io_uring_prep_write(sqe, s, sbuf, sizeof(sbuf), 0);
	sqe->user_data = 7;
	ASSERT_EQ(1, io_uring_submit(&ring));
	for (int i = 0; i < 2; i++) {
		__u64 tag = 0;
		int r = reap(&ring, &tag);

		if (tag == 6) {
			EXPECT_TRUE(r & POLLIN);
		} else {
			EXPECT_EQ(sizeof(sbuf), r);
		}
	}
	EXPECT_EQ(0, nr_iou_workers());
	close(q);
	close(ev);
	close(s);
	close(rx);
	io_uring_queue_exit(&ring);
}

/* ------------------------------------------------------------------ */
/* Cancellation and teardown                                          */
/* ------------------------------------------------------------------ */

/* A cancelled pending READ takes nothing: the next message stays queued. */
TEST(cancel_pending_read)
{
	char buf[64], msg[] = "after cancel";
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	int fd;

	RING_INIT(&ring);
	fd = q_new(0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, submit_read(&ring, fd, buf, sizeof(buf), 1, 0));
	EXPECT_TRUE(no_cqe(&ring));
	sqe = sqe_of(&ring, 2);
	io_uring_prep_cancel64(sqe, 1, 0);
	sqe->user_data = 2;
	ASSERT_EQ(1, io_uring_submit(&ring));
	for (int i = 0; i < 2; i++) {
		__u64 tag = 0;
		int r = reap(&ring, &tag);

		if (tag == 1) {
			EXPECT_EQ(-ECANCELED, r);
		} else {
			EXPECT_EQ(0, r);
		}
	}
	ASSERT_EQ(sizeof(msg), write(fd, msg, sizeof(msg)));
	EXPECT_TRUE(no_cqe(&ring));
	EXPECT_EQ(1, q_count(fd));
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(sizeof(msg), read(fd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, msg, sizeof(msg)));
	close(fd);
	io_uring_queue_exit(&ring);
}

/* Closing a ring with requests pending takes nothing from the objects. */
TEST(ring_exit_pending)
{
	char buf[3][64], msg[] = "survives", rbuf[64];
	__u64 val;
	struct io_uring ring;
	int q, rx, tx, ev;

	RING_INIT(&ring);
	q = q_new(0, 0);
	ev = e_new();
	ASSERT_LE(0, q);
	ASSERT_LE(0, ev);
	ASSERT_EQ(0, p_new(&rx, &tx));
	ASSERT_EQ(0, submit_read(&ring, q, buf[0], sizeof(buf[0]), 1, 0));
	ASSERT_EQ(0, submit_read(&ring, rx, buf[1], sizeof(buf[1]), 2, 0));
	ASSERT_EQ(0, submit_read(&ring, ev, &val, sizeof(val), 3, 0));
	ASSERT_EQ(0, submit_poll(&ring, q, POLLIN, 4));
	EXPECT_TRUE(no_cqe(&ring));
	io_uring_queue_exit(&ring);

	ASSERT_EQ(sizeof(msg), write(q, msg, sizeof(msg)));
	ASSERT_EQ(sizeof(msg), write(tx, msg, sizeof(msg)));
	ASSERT_EQ(sizeof(val), write(ev, &val, sizeof(val)));
	EXPECT_EQ(sizeof(msg), read(q, rbuf, sizeof(rbuf)));
	EXPECT_EQ(sizeof(msg), read(rx, rbuf, sizeof(rbuf)));
	EXPECT_EQ(sizeof(val), read(ev, &val, sizeof(val)));
	close(q);
	close(rx);
	close(tx);
	close(ev);
}

/* ------------------------------------------------------------------ */
/* read_iter()/write_iter() without io_uring                          */
/* ------------------------------------------------------------------ */

/* RWF_NOWAIT (IOCB_NOWAIT) never waits: EAGAIN on every kind. */
TEST(rwf_nowait)
{
	char buf[64], msg[] = "now";
	struct iovec iov = { buf, sizeof(buf) };
	struct iovec wiov = { msg, sizeof(msg) };
	__u64 val = 1;
	struct iovec viov = { &val, sizeof(val) };
	int q, rx, tx, ev, s;

	q = q_new(1, 0);
	ev = e_new();
	s = s_new(4096);
	ASSERT_LE(0, q);
	ASSERT_LE(0, ev);
	ASSERT_LE(0, s);
	ASSERT_EQ(0, p_new(&rx, &tx));

	EXPECT_EQ(-1, preadv2(q, &iov, 1, -1, RWF_NOWAIT));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(sizeof(msg), pwritev2(q, &wiov, 1, -1, RWF_NOWAIT));
	/* Full (one message): a write would wait. */
	EXPECT_EQ(-1, pwritev2(q, &wiov, 1, -1, RWF_NOWAIT));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(sizeof(msg), preadv2(q, &iov, 1, -1, RWF_NOWAIT));
	EXPECT_EQ(0, memcmp(buf, msg, sizeof(msg)));

	EXPECT_EQ(-1, preadv2(rx, &iov, 1, -1, RWF_NOWAIT));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(sizeof(msg), pwritev2(tx, &wiov, 1, -1, RWF_NOWAIT));
	EXPECT_EQ(sizeof(msg), preadv2(rx, &iov, 1, -1, RWF_NOWAIT));

	EXPECT_EQ(-1, preadv2(ev, &viov, 1, -1, RWF_NOWAIT));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(sizeof(val), pwritev2(ev, &viov, 1, -1, RWF_NOWAIT));
	EXPECT_EQ(sizeof(val), preadv2(ev, &viov, 1, -1, RWF_NOWAIT));
	EXPECT_EQ(1, val);

	/* A segment never waits for another task: RWF_NOWAIT just works. */
	EXPECT_EQ(sizeof(msg), pwritev2(s, &wiov, 1, 100, RWF_NOWAIT));
	EXPECT_EQ(sizeof(buf), preadv2(s, &iov, 1, 100, RWF_NOWAIT));
	EXPECT_EQ(0, memcmp(buf, msg, sizeof(msg)));
	close(q);
	close(rx);
	close(tx);
	close(ev);
	close(s);
}

/* writev() gathers one message; readv() scatters one; too small: EMSGSIZE. */
TEST(queue_readv_writev)
{
	char a[] = "abc", b[] = "defgh", c[] = "ij";
	struct iovec w[3] = { { a, 3 }, { b, 5 }, { c, 2 } };
	char r0[4], r1[6], r2[16];
	struct iovec r[3] = { { r0, 4 }, { r1, 6 }, { r2, 16 } };
	struct iovec small[2] = { { r0, 4 }, { r1, 5 } };
	int fd;

	fd = q_new(0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(10, writev(fd, w, 3));
	ASSERT_EQ(10, writev(fd, w, 3));
	EXPECT_EQ(2, q_count(fd));
	/* 9 bytes of room for a 10-byte message: EMSGSIZE, it stays. */
	EXPECT_EQ(-1, readv(fd, small, 2));
	EXPECT_EQ(EMSGSIZE, errno);
	EXPECT_EQ(2, q_count(fd));
	ASSERT_EQ(10, readv(fd, r, 3));
	EXPECT_EQ(0, memcmp(r0, "abcd", 4));
	EXPECT_EQ(0, memcmp(r1, "efghij", 6));
	/* A plain read of the second: one message, ten bytes. */
	ASSERT_EQ(10, read(fd, r2, sizeof(r2)));
	EXPECT_EQ(0, memcmp(r2, "abcdefghij", 10));
	/* A vector over a bad address: EFAULT, and the message stays. */
	ASSERT_EQ(10, writev(fd, w, 3));
	r[1].iov_base = (void *)8;
	EXPECT_EQ(-1, readv(fd, r, 3));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(1, q_count(fd));
	w[1].iov_base = (void *)8;
	EXPECT_EQ(-1, writev(fd, w, 3));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(1, q_count(fd));
	close(fd);
}

/* A large message through vectors of many segments, on a pipe. */
TEST(pipe_readv_writev_large)
{
	size_t seg = 3000, n = 50;	/* 150000 bytes: chained, off-lock */
	struct iovec w[50], r[2];
	char *out, *in;
	int rx, tx;

	out = malloc(seg * n);
	in = calloc(1, seg * n);
	ASSERT_NE(NULL, out);
	ASSERT_NE(NULL, in);
	for (size_t i = 0; i < seg * n; i++)
		out[i] = (char)(i * 13 + 1);
	for (size_t i = 0; i < n; i++)
		w[i] = (struct iovec){ out + i * seg, seg };
	/* Other cuts on the way out: one byte, then the rest. */
	r[0] = (struct iovec){ in, 1 };
	r[1] = (struct iovec){ in + 1, seg * n - 1 };
	ASSERT_EQ(0, p_new(&rx, &tx));
	ASSERT_EQ(seg * n, writev(tx, w, n));
	ASSERT_EQ(seg * n, readv(rx, r, 2));
	EXPECT_EQ(0, memcmp(in, out, seg * n));
	close(rx);
	close(tx);
	free(in);
	free(out);
}

TEST_HARNESS_MAIN
