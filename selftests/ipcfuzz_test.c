// SPDX-License-Identifier: GPL-2.0
/*
 * The bounded kselftest pass of ipcfuzz (ipcfuzz.c, included here), and the
 * regression tests of what it found, each with its seed.
 *
 * The pass: IPCFUZZ_OPS operations (default 30000) over 4 worker processes
 * with seed IPCFUZZ_SEED (default: fixed, so CI is reproducible).  See
 * ipcfuzz.c for what "pass" means; the dmesg scan of the runner catches
 * kernel reports.
 */
#define IPCFUZZ_NO_MAIN
#include "ipcfuzz.c"

#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"

static long env_long(const char *name, long def)
{
	const char *v = getenv(name);

	return v && *v ? strtol(v, NULL, 0) : def;
}

FIXTURE(fz) {
	int unused;
};

FIXTURE_SETUP(fz)
{
	if (access("/proc/ipcdev/stats", R_OK))
		SKIP(return, "ipcdev module not loaded");
}

FIXTURE_TEARDOWN(fz)
{
}

/* The CI pass: a few thousand calls, reproducible. */
TEST_F_TIMEOUT(fz, bounded_pass, 240)
{
	struct fz_opts o = {
		.seed = (unsigned long long)env_long("IPCFUZZ_SEED", 20240601),
		.ops = env_long("IPCFUZZ_OPS", 30000),
		.procs = (int)env_long("IPCFUZZ_PROCS", 4),
		.timeout = 200,
	};
	struct fz_result res;

	ASSERT_EQ(0, ipcfuzz_run(&o, &res));
	EXPECT_GT(res.calls, 0);
	TH_LOG("%ld calls, %ld forks, %ld kills", res.calls, res.forks, res.kills);
}

/* A second seed, fewer processes: more depth per process. */
TEST_F_TIMEOUT(fz, second_seed_two_procs, 240)
{
	struct fz_opts o = {
		.seed = 7, .ops = env_long("IPCFUZZ_OPS", 30000) / 2, .procs = 2,
		.timeout = 200,
	};
	struct fz_result res;

	ASSERT_EQ(0, ipcfuzz_run(&o, &res));
}

/*
 * Regression: a GET (RECV) whose struct ipcdev_msg is readable but not
 * writable.  The module dequeues the message and copies it into the
 * buffer, then fails to store the length back (put_user() in
 * ipcdev_msg_ioctl()) and returns EFAULT: the caller is told the call
 * failed, yet the message is gone.  channel.c documents EFAULT from a get
 * as "the message stays queued".  Found while auditing the fuzzer's
 * read-only argument placement (ipcfuzz: P_RO on QUEUE_GET/PIPE_RECV,
 * e.g. --seed 20240601); reproduced on 6.1.0-56-amd64 and the debug kernel.
 */
static struct ipcdev_msg *ro_msg(void *buf, __u64 len)
{
	struct ipcdev_msg *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED)
		return NULL;
	m->buf = (uintptr_t)buf;
	m->len = len;
	m->flags = IPCDEV_WAIT_NONBLOCK;
	if (mprotect(m, 4096, PROT_READ)) {
		munmap(m, 4096);
		return NULL;
	}
	return m;
}

TEST(queue_get_efault_keeps_message)
{
	char out[8] = "hello", in[16];
	struct ipcdev_msg put = { .buf = (uintptr_t)out, .len = 5 };
	struct ipcdev_queue_stat st;
	struct ipcdev_msg *ro = ro_msg(in, sizeof(in));
	int fd = open("/dev/ipcqueue", O_RDWR), r;

	ASSERT_NE(NULL, ro);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, IPCDEV_IOC_QUEUE_PUT, &put));
	r = ioctl(fd, IPCDEV_IOC_QUEUE_GET, ro) ? errno : 0;
	ASSERT_EQ(0, ioctl(fd, IPCDEV_IOC_QUEUE_STAT, &st));
	/* Either the get succeeds, or it fails and the message is still there. */
	if (r) {
		EXPECT_EQ(EFAULT, r);
		EXPECT_EQ(1, st.count) TH_LOG("GET failed with %s but dequeued the message",
					      strerror(r));
	}
	close(fd);
	munmap(ro, 4096);
}

TEST(pipe_recv_efault_keeps_message)
{
	char out[8] = "hello", in[16];
	struct ipcdev_msg put = { .buf = (uintptr_t)out, .len = 5 };
	struct ipcdev_pipe_open po = { .fd = -1 };
	struct ipcdev_pipe_stat st;
	struct ipcdev_msg *ro = ro_msg(in, sizeof(in));
	int fd = open("/dev/ipcpipe", O_RDWR), r;

	ASSERT_NE(NULL, ro);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, IPCDEV_IOC_PIPE_OPEN, &po));
	ASSERT_EQ(0, ioctl(po.fd, IPCDEV_IOC_PIPE_SEND, &put));
	r = ioctl(fd, IPCDEV_IOC_PIPE_RECV, ro) ? errno : 0;
	ASSERT_EQ(0, ioctl(fd, IPCDEV_IOC_PIPE_STAT, &st));
	if (r) {
		EXPECT_EQ(EFAULT, r);
		EXPECT_EQ(1, st.in_count) TH_LOG("RECV failed with %s but dequeued the message",
						 strerror(r));
	}
	close(po.fd);
	close(fd);
	munmap(ro, 4096);
}

TEST_HARNESS_MAIN
