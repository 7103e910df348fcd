// SPDX-License-Identifier: GPL-2.0
/*
 * The bounded kselftest pass of ipcfuzz (ipcfuzz.c, included here), and the
 * regression tests of what it found, each with its seed.
 *
 * Each pass runs the three phases of ipcfuzz.c: chaos (survival and the
 * errno table, processes that fork and SIGKILL children), model (every
 * result compared with a model of each object; threads of several
 * processes sharing descriptors, one actor per object at a time) and race
 * (threads sharing descriptors with no fuzzer lock; conservation checks).
 * The fixed seeds keep CI reproducible; runtime_seed draws one seed per run
 * and prints it (replay: IPCFUZZ_SEED=S, or ipcfuzz --seed S).  compat32
 * runs the same with the -m32 build (ipcfuzz32), through the module's
 * compat_ioctl.  IPCFUZZ_OPS scales every pass (see fz_ops()); each pass
 * logs its calls, model checks and kills.
 */
#define IPCFUZZ_NO_MAIN
#include "ipcfuzz.c"

#include <libgen.h>
#include <sys/random.h>
#include <sys/utsname.h>

#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"

static long env_long(const char *name, long def)
{
	const char *v = getenv(name);

	return v && *v ? strtol(v, NULL, 0) : def;
}

/*
 * Calls per phase: IPCFUZZ_OPS, else 6000 on Debian's own kernels (release
 * "*-amd64") and 1000 on the others, the KASAN and KCSAN test kernels,
 * which run ten to twenty times slower under QEMU: about 2 minutes either way.
 */
static long fz_ops(long div)
{
	struct utsname u;
	size_t n;
	long def = 1000;

	if (!uname(&u) && (n = strlen(u.release)) > 6 && !strcmp(u.release + n - 6, "-amd64"))
		def = 6000;
	return env_long("IPCFUZZ_OPS", def) / div;
}

/* The seed of runtime_seed and compat32's second run, drawn once. */
static unsigned long long draw_seed(void)
{
	static unsigned long long seed;

	if (!seed) {
		seed = (unsigned long long)env_long("IPCFUZZ_SEED", 0);
		if (!seed && getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
			seed = (unsigned long long)now_ns();
		seed = seed % 1000000000ULL + 1;
	}
	return seed;
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

static int fz_pass(struct __test_metadata *_metadata, struct fz_opts *o)
{
	struct fz_result res;
	int r;

	o->timeout = 100;
	o->counts = true;
	r = ipcfuzz_run(o, &res);
	TH_LOG("seed %llu: %ld calls, %ld model checks, %ld kills, %ld forks, %ld failures",
	       o->seed, res.calls, res.checks, res.kills, res.forks, res.failures);
	EXPECT_GT(res.calls, 0);
	if (!o->phases || (o->phases & FZ_MODEL))
		EXPECT_GT(res.checks, 0);
	return r;
}

/* The CI pass: processes and threads, every phase, a fixed seed. */
TEST_F_TIMEOUT(fz, bounded_pass, 300)
{
	struct fz_opts o = {
		.seed = 20240601, .ops = fz_ops(1), .procs = 3, .threads = 2,
	};

	ASSERT_EQ(0, fz_pass(_metadata, &o));
}

/* A second fixed seed: processes only (one actor per process). */
TEST_F_TIMEOUT(fz, second_seed_procs, 300)
{
	struct fz_opts o = { .seed = 7, .ops = fz_ops(2), .procs = 4, .threads = 1 };

	ASSERT_EQ(0, fz_pass(_metadata, &o));
}

/* A third: one process of four threads sharing every descriptor. */
TEST_F_TIMEOUT(fz, third_seed_threads, 300)
{
	struct fz_opts o = {
		.seed = 424242, .ops = fz_ops(2), .procs = 1, .threads = 4,
		.phases = FZ_MODEL | FZ_RACE,
	};

	ASSERT_EQ(0, fz_pass(_metadata, &o));
}

/* A seed drawn now, printed so that a failure can be replayed. */
TEST_F_TIMEOUT(fz, runtime_seed, 300)
{
	struct fz_opts o = {
		.seed = draw_seed(), .ops = fz_ops(2), .procs = 2, .threads = 2,
	};

	TH_LOG("runtime seed %llu: replay with IPCFUZZ_SEED=%llu or ipcfuzz --seed %llu",
	       o.seed, o.seed, o.seed);
	ASSERT_EQ(0, fz_pass(_metadata, &o));
}

/*
 * The 32-bit build, the fixed seed and the runtime one: every ioctl goes
 * through compat_ioctl (without it, each is ENOTTY and the model fails).
 */
static void fz_run32(struct __test_metadata *_metadata, unsigned long long seed, long ops)
{
	char self[PATH_MAX], prog[PATH_MAX + 16], seedarg[32], opsarg[32];
	const char *env = getenv("IPCFUZZ32");
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	int st;
	pid_t pid;

	ASSERT_LT(0, n);
	self[n] = 0;
	snprintf(prog, sizeof(prog), "%s/ipcfuzz32", dirname(self));
	if (env && *env)
		snprintf(prog, sizeof(prog), "%s", env);
	ASSERT_EQ(0, access(prog, X_OK)) TH_LOG("%s: not built (make selftests)", prog);
	snprintf(seedarg, sizeof(seedarg), "%llu", seed);
	snprintf(opsarg, sizeof(opsarg), "%ld", ops);
	TH_LOG("%s --seed %s --ops %s --procs 2 --threads 2", prog, seedarg, opsarg);
	fflush(NULL);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		execl(prog, prog, "--seed", seedarg, "--ops", opsarg, "--procs", "2",
		      "--threads", "2", "--timeout", "100", (char *)NULL);
		_exit(127);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0)
		TH_LOG("ipcfuzz32 --seed %s: status 0x%x", seedarg, st);
}

TEST_F_TIMEOUT(fz, compat32, 300)
{
	fz_run32(_metadata, 20240601, fz_ops(2));
	fz_run32(_metadata, draw_seed(), fz_ops(4));
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
	struct ipcdev_queue_open qo = { 0 };
	int fd = open("/dev/ipcqueue", O_RDWR), r;

	ASSERT_NE(NULL, ro);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fz_open_in_place(fd, IPCDEV_IOC_QUEUE_OPEN, &qo));
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
	ASSERT_EQ(0, fz_open_in_place(fd, IPCDEV_IOC_PIPE_OPEN, &po));
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
