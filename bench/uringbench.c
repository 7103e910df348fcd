// SPDX-License-Identifier: GPL-2.0
/*
 * uringbench: io_uring reads and writes of whole messages on an ipcpipe
 * against pipe(2), in the same run (issue 18, item 2).
 *
 *   uringbench [--iters N] [--depth D] [--shape inline|2proc] [--size 64|4096]
 *              [--mech ipcpipe|pipe|pipe-nb]
 * --shape, --size and --mech run only that part (for a profile); the
 * mechanisms left out print 0.
 *
 * Two shapes, for 64 B and 4 KiB messages, DEPTH (default 8) in flight:
 *
 *   inline   one task, one ring: each round submits DEPTH WRITEs to the
 *            sending end and DEPTH READs from the receiving end in one
 *            io_uring_enter(), and reaps the 2*DEPTH completions.  Every
 *            request completes inline (nothing waits).
 *   2proc    a writer process and a reader process, each with its own
 *            ring, DEPTH requests per submit: READs that find nothing
 *            wait (poll armed, or an io-wq worker if the file cannot do
 *            IOCB_NOWAIT), WRITEs that find no room likewise.
 *
 * Mechanisms: ipcpipe (a one-way pipe, capacity 64 KiB, blocking
 * handles), pipe(2) (blocking: on 6.1 a pipe is not FMODE_NOWAIT, so
 * io_uring hands every request that would wait to io-wq) and pipe(2)
 * with O_NONBLOCK (io_uring then polls it).  A pipe(2) write of up to
 * PIPE_BUF bytes is atomic and a read of one message's size returns one
 * message's bytes, so the same loop serves both.  Output: messages per
 * second, and ipcpipe's ratio to each pipe(2).  Run under QEMU --icount
 * for figures that do not depend on the host's load.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <liburing.h>

#include <linux/ipcdev.h>

#define MAX_DEPTH	64

enum { M_IPCPIPE, M_PIPE, M_PIPE_NB, NR_MECH };
static const char *const mech_name[NR_MECH] = {
	"ipcpipe", "pipe(2)", "pipe(2) O_NONBLOCK",
};

static long opt_iters = 20000;
static unsigned int opt_depth = 8;
static int opt_shape = -1, opt_mech = -1;
static long opt_size = -1;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "uringbench: %s: %s\n", what, strerror(err));
	exit(1);
}

/* fds[0] receives, fds[1] sends. */
static void mech_open(int m, int fds[2])
{
	struct ipcdev_pipe_open o = { .capacity = 64 * 1024 };
	int dfd, fd;

	if (m == M_PIPE || m == M_PIPE_NB) {
		if (pipe2(fds, m == M_PIPE_NB ? O_NONBLOCK : 0))
			die("pipe2", errno);
		return;
	}
	dfd = open("/dev/ipcpipe", O_RDWR);
	if (dfd < 0)
		die("/dev/ipcpipe", errno);
	fd = ioctl(dfd, IPCDEV_IOC_PIPE_OPEN, &o);
	if (fd < 0)
		die("IPCDEV_IOC_PIPE_OPEN", errno);
	close(dfd);
	fds[0] = fd;
	fds[1] = o.fd;
}

/* Reap @n completions; each must carry @len bytes. */
static void reap(struct io_uring *ring, unsigned int n, size_t len)
{
	struct io_uring_cqe *cqe;
	int ret;

	while (n--) {
		ret = io_uring_wait_cqe(ring, &cqe);
		if (ret)
			die("io_uring_wait_cqe", -ret);
		if (cqe->res != (int)len) {
			fprintf(stderr, "uringbench: completion %d, want %zu\n",
				cqe->res, len);
			exit(1);
		}
		io_uring_cqe_seen(ring, cqe);
	}
}

/* Queue @n READs (@rd) or WRITEs of @len bytes on @fd and submit them. */
static void queue_rw(struct io_uring *ring, int fd, char *buf, size_t len,
		     unsigned int n, int rd)
{
	struct io_uring_sqe *sqe;

	for (unsigned int i = 0; i < n; i++) {
		sqe = io_uring_get_sqe(ring);
		if (!sqe)
			die("io_uring_get_sqe", EBUSY);
		if (rd)
			io_uring_prep_read(sqe, fd, buf + i * len, len, -1);
		else
			io_uring_prep_write(sqe, fd, buf + i * len, len, -1);
	}
}

static void ring_init(struct io_uring *ring)
{
	int ret = io_uring_queue_init(4 * MAX_DEPTH, ring, 0);

	if (ret)
		die("io_uring_queue_init", -ret);
}

/* One task: DEPTH writes then DEPTH reads per submit.  Messages per s. */
static double run_inline(int m, size_t len)
{
	struct io_uring ring;
	uint64_t t0, t1;
	char *wbuf, *rbuf;
	int fds[2];

	mech_open(m, fds);
	ring_init(&ring);
	wbuf = calloc(opt_depth, len);
	rbuf = calloc(opt_depth, len);
	if (!wbuf || !rbuf)
		die("calloc", ENOMEM);
	t0 = now_ns();
	for (long i = 0; i < opt_iters; i += opt_depth) {
		queue_rw(&ring, fds[1], wbuf, len, opt_depth, 0);
		queue_rw(&ring, fds[0], rbuf, len, opt_depth, 1);
		if (io_uring_submit(&ring) != (int)(2 * opt_depth))
			die("io_uring_submit", EIO);
		reap(&ring, 2 * opt_depth, len);
	}
	t1 = now_ns();
	io_uring_queue_exit(&ring);
	close(fds[0]);
	close(fds[1]);
	free(wbuf);
	free(rbuf);
	return (double)opt_iters * 1e9 / (double)(t1 - t0);
}

/* The writer or reader of run_2proc(), in its own process. */
static void side(int fd, size_t len, int rd)
{
	struct io_uring ring;
	char *buf;

	ring_init(&ring);
	buf = calloc(opt_depth, len);
	if (!buf)
		die("calloc", ENOMEM);
	for (long i = 0; i < opt_iters; i += opt_depth) {
		queue_rw(&ring, fd, buf, len, opt_depth, rd);
		if (io_uring_submit(&ring) != (int)opt_depth)
			die("io_uring_submit", EIO);
		reap(&ring, opt_depth, len);
	}
	io_uring_queue_exit(&ring);
	_exit(0);
}

/* Two processes, each DEPTH requests per submit.  Messages per second. */
static double run_2proc(int m, size_t len)
{
	uint64_t t0, t1;
	int fds[2], st, bad = 0;
	pid_t rd, wr;

	mech_open(m, fds);
	t0 = now_ns();
	rd = fork();
	if (!rd)
		side(fds[0], len, 1);
	wr = fork();
	if (!wr)
		side(fds[1], len, 0);
	if (rd < 0 || wr < 0)
		die("fork", errno);
	for (int i = 0; i < 2; i++)
		if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
			bad = 1;
	t1 = now_ns();
	close(fds[0]);
	close(fds[1]);
	if (bad) {
		fprintf(stderr, "uringbench: a %s side failed\n", mech_name[m]);
		return 0;
	}
	return (double)opt_iters * 1e9 / (double)(t1 - t0);
}

int main(int argc, char **argv)
{
	static const size_t sizes[] = { 64, 4096 };
	double r[NR_MECH];

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--iters") && i + 1 < argc)
			opt_iters = atol(argv[++i]);
		else if (!strcmp(argv[i], "--depth") && i + 1 < argc)
			opt_depth = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--shape") && i + 1 < argc)
			opt_shape = !strcmp(argv[++i], "2proc");
		else if (!strcmp(argv[i], "--size") && i + 1 < argc)
			opt_size = atol(argv[++i]);
		else if (!strcmp(argv[i], "--mech") && i + 1 < argc) {
			i++;
			opt_mech = !strcmp(argv[i], "ipcpipe") ? M_IPCPIPE :
				   !strcmp(argv[i], "pipe") ? M_PIPE :
				   !strcmp(argv[i], "pipe-nb") ? M_PIPE_NB : -2;
		} else {
			opt_mech = -2;
		}
		if (opt_mech == -2) {
			fprintf(stderr, "usage: uringbench [--iters N] [--depth D] [--shape inline|2proc] [--size BYTES] [--mech ipcpipe|pipe|pipe-nb]\n");
			return 2;
		}
	}
	if (!opt_depth || opt_depth > MAX_DEPTH || opt_iters < opt_depth) {
		fprintf(stderr, "uringbench: depth 1..%d, iters >= depth\n",
			MAX_DEPTH);
		return 2;
	}
	opt_iters -= opt_iters % opt_depth;
	printf("# uringbench: io_uring READ+WRITE, %ld messages, depth %u\n",
	       opt_iters, opt_depth);
	printf("# %-7s %6s %12s %12s %12s %9s %9s\n", "shape", "size",
	       mech_name[0], "pipe(2)", "pipe2(NB)", "vs pipe", "vs NB");
	for (int shape = 0; shape < 2; shape++) {
		if (opt_shape >= 0 && shape != opt_shape)
			continue;
		for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			if (opt_size >= 0 && (size_t)opt_size != sizes[s])
				continue;
			for (int m = 0; m < NR_MECH; m++)
				r[m] = opt_mech >= 0 && m != opt_mech ? 0 :
				       shape ? run_2proc(m, sizes[s]) :
					       run_inline(m, sizes[s]);
			printf("  %-7s %6zu %12.0f %12.0f %12.0f %8.2fx %8.2fx\n",
			       shape ? "2proc" : "inline", sizes[s], r[0], r[1],
			       r[2], r[1] ? r[0] / r[1] : 0,
			       r[2] ? r[0] / r[2] : 0);
			fflush(stdout);
		}
	}
	return 0;
}
