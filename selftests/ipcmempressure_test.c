// SPDX-License-Identifier: GPL-2.0
/*
 * Memory pressure: a filler process in a cgroup v2 with a small
 * memory.max fills a queue, a pipe and a segment until its memory runs
 * out.  The test runner stays outside the group.
 *
 *   queue, pipe: the put (send) that finds no memory fails with ENOMEM, as
 *       ipcdev(4) documents; the filler is not OOM-killed, and every
 *       message it had queued is still there, in order, whole, for the
 *       runner to drain.
 *   segment: the page faults and the pwrite(2) that find no memory are
 *       the memory cgroup's business, as for any shmem file: the filler is
 *       OOM-killed (SIGKILL, memory.events oom_kill counts it), no one
 *       else; every page it wrote before keeps its bytes, and the segment
 *       stays usable.
 *
 * cgroup2 is mounted at /sys/fs/cgroup when nothing is (the test VM), or
 * under /run when a v1 hierarchy holds that place.
 *
 * A kernel without CONFIG_MEMCG but with fault injection (the faults
 * kernel) gets the same budget another way: failslab and fail_page_alloc
 * with "space" set to MEM_MAX, for the filler only (make-it-fail, with
 * task-filter): its allocations succeed until it has asked for MEM_MAX,
 * and then fail, as in a full group but with no OOM killer.  There the
 * segment's pages are written from the kernel (read(2) from /dev/zero
 * into the mapping) rather than by user stores, whose failed faults would
 * only be retried: the read fails with EFAULT, pwrite(2) with ENOMEM, and
 * the filler lives.  Run as root with the module loaded.  Conventions:
 * ipcdev_test.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>

#include <linux/ipcdev.h>

#include "ipcdev_test.h"
#include "ipcfault.h"

/* See ipcqueue_test.c: harness artefacts under -Wextra. */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC	0x63677270
#endif

#define MEM_MAX		25165824	/* the group's memory.max: 24 MiB */
#define CAPACITY	(64 << 20)	/* more than the group may hold */
#define CHUNK		(64 << 10)	/* one message */
#define SEG_PAGES	(CAPACITY / 4096)
#define MEM_PAGES	6144		/* MEM_MAX in pages */

/* What the filler tells the runner, in memory shared before the fork. */
struct progress {
	volatile long done;	/* messages queued (pages written) so far */
	volatile int err;	/* the errno that stopped it, 0 if none */
	volatile int ready;
};

/* ------------------------------------------------------------------ */
/* The budget of a kernel without memory cgroups                      */
/* ------------------------------------------------------------------ */

#define STR_(x)	#x
#define STR(x)	STR_(x)

static const char *const budget_knobs[][2] = {
	{ "failslab/task-filter", "Y" },
	{ "failslab/verbose", "0" },
	{ "failslab/interval", "1" },
	{ "failslab/times", "-1" },
	{ "failslab/ignore-gfp-wait", "N" },
	{ "failslab/space", STR(MEM_MAX) },		/* bytes */
	{ "failslab/probability", "100" },
	{ "fail_page_alloc/task-filter", "Y" },
	{ "fail_page_alloc/verbose", "0" },
	{ "fail_page_alloc/interval", "1" },
	{ "fail_page_alloc/times", "-1" },
	{ "fail_page_alloc/ignore-gfp-wait", "N" },
	{ "fail_page_alloc/ignore-gfp-highmem", "N" },
	{ "fail_page_alloc/min-order", "0" },
	{ "fail_page_alloc/space", STR(MEM_PAGES) },	/* pages */
	{ "fail_page_alloc/probability", "100" },
};
#define NBUDGET	(sizeof(budget_knobs) / sizeof(budget_knobs[0]))

static bool budget_mode;
static char budget_saved[NBUDGET][32];

/* Set the knobs, task-filter first and probability last; 0 or -errno. */
static int budget_setup(void)
{
	char path[128];
	size_t i;
	int r;

	for (i = 0; i < NBUDGET; i++) {
		snprintf(path, sizeof(path), FI_DEBUGFS "%s",
			 budget_knobs[i][0]);
		r = fi_read_file(path, budget_saved[i],
				 sizeof(budget_saved[i]));
		if (!r)
			r = fi_write_file(path, budget_knobs[i][1]);
		if (r)
			return r;
	}
	return 0;
}

static void budget_restore(void)
{
	char path[128];

	for (size_t i = NBUDGET; i-- > 0;) {
		snprintf(path, sizeof(path), FI_DEBUGFS "%s",
			 budget_knobs[i][0]);
		fi_write_file(path, budget_saved[i]);
	}
}

/* ------------------------------------------------------------------ */
/* cgroup v2                                                          */
/* ------------------------------------------------------------------ */

static int cg_write(const char *dir, const char *file, const char *val)
{
	char path[512];
	int fd, r = 0;
	ssize_t len = strlen(val);

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	if (write(fd, val, len) != len)
		r = -errno;
	close(fd);
	return r;
}

/* The value of "key N" in dir/file, -1 if absent. */
static long long cg_key(const char *dir, const char *file, const char *key)
{
	char path[512], k[64];
	long long v, found = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fscanf(f, "%63s %lld", k, &v) == 2)
		if (!strcmp(k, key)) {
			found = v;
			break;
		}
	fclose(f);
	return found;
}

static bool is_cgroup2(const char *dir)
{
	struct statfs sf;

	return !statfs(dir, &sf) && sf.f_type == CGROUP2_SUPER_MAGIC;
}

/*
 * A cgroup2 root with the memory controller on for its children, into
 * @root; 0, or -errno with *@why.
 */
static int cg_root(char *root, size_t size, const char **why)
{
	static const char *const where[] = { "/sys/fs/cgroup",
					     "/run/ipcdev-cgroup2" };
	char path[512], ctl[256] = "";
	int fd;
	ssize_t n;

	for (int i = 0; i < 2; i++) {
		mkdir(where[i], 0755);
		if (!is_cgroup2(where[i]) &&
		    mount("none", where[i], "cgroup2", 0, NULL))
			continue;
		if (!is_cgroup2(where[i]))
			continue;
		snprintf(root, size, "%s", where[i]);
		snprintf(path, sizeof(path), "%s/cgroup.controllers", root);
		fd = open(path, O_RDONLY);
		n = fd < 0 ? -1 : read(fd, ctl, sizeof(ctl) - 1);
		if (fd >= 0)
			close(fd);
		ctl[n > 0 ? n : 0] = 0;
		if (!strstr(ctl, "memory")) {
			*why = "no memory controller in cgroup v2";
			return -ENOENT;
		}
		if (cg_write(root, "cgroup.subtree_control", "+memory")) {
			*why = "cannot enable the memory controller";
			return -errno;
		}
		return 0;
	}
	*why = "cannot mount cgroup2";
	return -ENODEV;
}

/* A new child group of @root limited to MEM_MAX, into @dir. */
static int cg_make(const char *root, const char *tag, char *dir, size_t size)
{
	char val[32];

	snprintf(dir, size, "%s/ipcmem-%s-%d", root, tag, getpid());
	rmdir(dir);
	if (mkdir(dir, 0755))
		return -errno;
	snprintf(val, sizeof(val), "%d", MEM_MAX);
	if (cg_write(dir, "memory.max", val))
		return -errno;
	cg_write(dir, "memory.swap.max", "0");	/* absent without swap */
	return 0;
}

static void cg_remove(const char *dir)
{
	for (int i = 0; i < 100 && rmdir(dir) && errno == EBUSY; i++)
		sleep_ms(20);
}

/*
 * Fork the filler: it joins @dir, then runs @fill(@arg, @p).  Returns the
 * child's pid after it joined, or -errno.
 */
static pid_t start_filler(const char *dir, int (*fill)(void *, struct progress *),
			  void *arg, struct progress *p)
{
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if (budget_mode ?
		    fi_write_file("/proc/self/make-it-fail", "1") :
		    cg_write(dir, "cgroup.procs", "0"))
			_exit(CHILD_OTHER);
		p->ready = 1;
		_exit(fill(arg, p));
	}
	for (int i = 0; i < 5000 && !p->ready; i++)
		sleep_ms(1);
	return pid;
}

/* ------------------------------------------------------------------ */
/* Fillers                                                            */
/* ------------------------------------------------------------------ */

struct chan {
	int put_fd, get_fd;
	unsigned long put_cmd, get_cmd;
};

static int fill_chan(void *arg, struct progress *p)
{
	struct chan *c = arg;
	unsigned char *buf = malloc(CHUNK);
	struct ipcdev_msg m = { .buf = ptr(buf), .len = CHUNK,
				.flags = IPCDEV_WAIT_NONBLOCK };

	if (!buf)
		return CHILD_NOMEM;
	for (;;) {
		fill(buf, CHUNK, (unsigned int)p->done);
		if (ioctl(c->put_fd, c->put_cmd, &m)) {
			p->err = errno;
			return 0;
		}
		p->done++;
	}
}

/* Write a page-sized pattern to each page of the mapping, in order. */
static int fill_map(void *arg, struct progress *p)
{
	unsigned char *map = arg;

	for (long i = 0; i < SEG_PAGES; i++) {
		fill(map + i * 4096, 4096, (unsigned int)i);
		p->done = i + 1;
	}
	p->err = 0;
	return CHILD_ALIVE;	/* it should not have fit */
}

/* Budget mode: each page written by the kernel first, then filled. */
static int fill_map_kernel(void *arg, struct progress *p)
{
	unsigned char *map = arg;
	int zero = open("/dev/zero", O_RDONLY);

	if (zero < 0)
		return CHILD_OTHER;
	for (long i = 0; i < SEG_PAGES; i++) {
		if (read(zero, map + i * 4096, 4096) != 4096) {
			p->err = errno;
			return 0;
		}
		fill(map + i * 4096, 4096, (unsigned int)i);
		p->done = i + 1;
	}
	return CHILD_ALIVE;
}

/* pwrite(2) page after page. */
static int fill_pwrite(void *arg, struct progress *p)
{
	int fd = *(int *)arg;
	unsigned char buf[4096];

	for (long i = 0; i < SEG_PAGES; i++) {
		fill(buf, sizeof(buf), (unsigned int)i);
		if (pwrite(fd, buf, sizeof(buf), i * 4096) != sizeof(buf)) {
			p->err = errno;
			return 0;
		}
		p->done = i + 1;
	}
	return CHILD_ALIVE;
}

/* ------------------------------------------------------------------ */
/* Tests                                                              */
/* ------------------------------------------------------------------ */

FIXTURE(mem) {
	char root[256];
	char dir[512];
	struct progress *p;
	unsigned char *buf;
};

FIXTURE_SETUP(mem)
{
	const char *why = NULL;
	int r;

	self->dir[0] = 0;
	self->buf = NULL;
	self->p = mmap(NULL, sizeof(*self->p), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->p);
	self->buf = malloc(CHUNK);
	ASSERT_NE(NULL, self->buf);
	ASSERT_EQ(0, access("/dev/ipcqueue", R_OK | W_OK))
		TH_LOG("module not loaded");
	budget_mode = false;
	r = cg_root(self->root, sizeof(self->root), &why);
	/* No CONFIG_MEMCG: a fault injection budget, if there is one. */
	if (r == -ENOENT && !access(FI_DEBUGFS "failslab/space", W_OK) &&
	    !access(FI_DEBUGFS "fail_page_alloc/space", W_OK)) {
		r = budget_setup();
		if (r)
			budget_restore();
		ASSERT_EQ(0, r) TH_LOG("fault injection knobs: %s",
				       strerror(-r));
		budget_mode = true;
		snprintf(self->dir, sizeof(self->dir), "(budget)");
		return;
	}
	if (r == -ENOENT)
		SKIP(return, "%s, and no fault injection", why);
	ASSERT_EQ(0, r) TH_LOG("%s: %s", why, strerror(-r));
	r = cg_make(self->root, "fill", self->dir, sizeof(self->dir));
	ASSERT_EQ(0, r) TH_LOG("cgroup %s: %s", self->dir, strerror(-r));
}

FIXTURE_TEARDOWN(mem)
{
	if (budget_mode)
		budget_restore();
	else if (self->dir[0])
		cg_remove(self->dir);
	free(self->buf);
}

/*
 * The runner drains @fd (GET/RECV @cmd): exactly @n CHUNK messages with
 * seeds 0..n-1; then nothing.  0, or the index of the first bad one + 1.
 */
static long drain(int fd, unsigned long cmd, unsigned char *buf, long n,
		  int *last)
{
	struct ipcdev_msg m;

	for (long i = 0; i < n; i++) {
		memset(&m, 0, sizeof(m));
		m.buf = ptr(buf);
		m.len = CHUNK;
		m.flags = IPCDEV_WAIT_NONBLOCK;
		memset(buf, 0, CHUNK);
		*last = ioctl(fd, cmd, &m) ? errno : 0;
		if (*last || m.len != CHUNK ||
		    !check_fill(buf, CHUNK, (unsigned int)i))
			return i + 1;
	}
	memset(&m, 0, sizeof(m));
	m.buf = ptr(buf);
	m.len = CHUNK;
	m.flags = IPCDEV_WAIT_NONBLOCK;
	*last = ioctl(fd, cmd, &m) ? errno : 0;
	return *last == EAGAIN ? 0 : n + 1;
}

static void run_chan(struct __test_metadata *_metadata,
		     FIXTURE_DATA(mem) *self, struct chan *c)
{
	long long oom0 = cg_key(self->dir, "memory.events", "oom_kill");
	long bad;
	int code, last;
	pid_t pid;

	pid = start_filler(self->dir, fill_chan, c, self->p);
	ASSERT_LT(0, pid);
	ASSERT_EQ(1, self->p->ready);
	code = wait_child(pid, 120000);
	TH_LOG("filler: exit %d after %ld messages of %d KiB, errno %s; oom_kill %lld",
	       code, self->p->done, CHUNK >> 10,
	       strerrorname_np(self->p->err) ?: "0",
	       cg_key(self->dir, "memory.events", "oom_kill"));
	/* A clear error, no OOM kill. */
	EXPECT_EQ(0, code);
	EXPECT_EQ(ENOMEM, self->p->err);
	EXPECT_EQ(oom0, cg_key(self->dir, "memory.events", "oom_kill"));
	/* It ran out of memory, not out of room. */
	EXPECT_GT((long)CAPACITY / CHUNK, self->p->done);
	EXPECT_LT(0, self->p->done);
	/* Nothing queued is lost: the runner drains it all. */
	bad = drain(c->get_fd, c->get_cmd, self->buf, self->p->done, &last);
	EXPECT_EQ(0, bad) TH_LOG("drain: message %ld of %ld: %s", bad - 1,
				 self->p->done, strerror(last));
	/* Still usable. */
	self->p->done = 0;
	fill(self->buf, CHUNK, 0);
	{
		struct ipcdev_msg m = { .buf = ptr(self->buf), .len = CHUNK,
					.flags = IPCDEV_WAIT_NONBLOCK };

		EXPECT_EQ(0, ioctl(c->put_fd, c->put_cmd, &m));
	}
	EXPECT_EQ(0, drain(c->get_fd, c->get_cmd, self->buf, 1, &last));
}

TEST_F_TIMEOUT(mem, queue_fill, 180)
{
	if (!self->dir[0])
		return;		/* skipped by the setup */
	struct ipcdev_queue_open o = { .bytes_max = CAPACITY };
	struct chan c;
	unsigned long long bmax = read_param("bytes_max");
	int fd;

	ASSERT_LE((unsigned long long)CAPACITY, bmax);
	fd = dev_open_bind("/dev/ipcqueue", O_RDWR, IPCDEV_IOC_QUEUE_OPEN, &o);
	ASSERT_LE(0, fd);
	c = (struct chan){ fd, fd, IPCDEV_IOC_QUEUE_PUT, IPCDEV_IOC_QUEUE_GET };
	run_chan(_metadata, self, &c);
	close(fd);
}

TEST_F_TIMEOUT(mem, pipe_fill, 180)
{
	if (!self->dir[0])
		return;		/* skipped by the setup */
	struct ipcdev_pipe_open o = { .capacity = CAPACITY };
	struct chan c;
	int fd;

	fd = dev_open_bind("/dev/ipcpipe", O_RDWR, IPCDEV_IOC_PIPE_OPEN, &o);
	ASSERT_LE(0, fd);
	/* End 1 sends, end 0 receives. */
	c = (struct chan){ o.fd, fd, IPCDEV_IOC_PIPE_SEND, IPCDEV_IOC_PIPE_RECV };
	run_chan(_metadata, self, &c);
	close(fd);
	close(o.fd);
}

/* The segment holds page i's pattern for i < n, and is still usable. */
static void check_segment(struct __test_metadata *_metadata, int fd, long n,
			  unsigned char *buf)
{
	struct ipcdev_shm_stat st;

	for (long i = 0; i < n; i++) {
		ASSERT_EQ(4096, pread(fd, buf, 4096, i * 4096));
		ASSERT_TRUE(check_fill(buf, 4096, (unsigned int)i))
			TH_LOG("page %ld of %ld lost its bytes", i, n);
	}
	ASSERT_EQ(0, ioctl(fd, IPCDEV_IOC_SHM_STAT, &st));
	fill(buf, 4096, 7);
	EXPECT_EQ(4096, pwrite(fd, buf, 4096, 0));
	EXPECT_EQ(4096, pread(fd, buf, 4096, 0));
	EXPECT_TRUE(check_fill(buf, 4096, 7));
}

static int new_segment(void)
{
	struct ipcdev_shm_open o = { .size = CAPACITY };

	return dev_open_bind("/dev/ipcshm", O_RDWR, IPCDEV_IOC_SHM_OPEN, &o);
}

TEST_F_TIMEOUT(mem, shm_fault_fill, 180)
{
	if (!self->dir[0])
		return;		/* skipped by the setup */
	long long oom0 = cg_key(self->dir, "memory.events", "oom_kill");
	unsigned char *map;
	int fd, code;
	pid_t pid;

	fd = new_segment();
	ASSERT_LE(0, fd);
	map = mmap(NULL, CAPACITY, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	pid = start_filler(self->dir, budget_mode ? fill_map_kernel : fill_map,
			   map, self->p);
	ASSERT_LT(0, pid);
	code = wait_child(pid, 120000);
	TH_LOG("filler: exit %d after %ld pages, errno %s; oom_kill %lld",
	       code, self->p->done, strerrorname_np(self->p->err) ?: "0",
	       cg_key(self->dir, "memory.events", "oom_kill"));
	if (budget_mode) {
		/* The kernel's fault fails: read(2) says EFAULT. */
		EXPECT_EQ(0, code);
		EXPECT_EQ(EFAULT, self->p->err);
	} else {
		/* The memory cgroup's OOM killer took the filler, only it. */
		EXPECT_EQ(1000 + SIGKILL, code);
		EXPECT_EQ(oom0 + 1,
			  cg_key(self->dir, "memory.events", "oom_kill"));
	}
	EXPECT_GT(SEG_PAGES, self->p->done);
	munmap(map, CAPACITY);
	check_segment(_metadata, fd, self->p->done, self->buf);
	close(fd);
}

TEST_F_TIMEOUT(mem, shm_pwrite_fill, 180)
{
	if (!self->dir[0])
		return;		/* skipped by the setup */
	long long oom0 = cg_key(self->dir, "memory.events", "oom_kill");
	int fd, code;
	pid_t pid;

	fd = new_segment();
	ASSERT_LE(0, fd);
	pid = start_filler(self->dir, fill_pwrite, &fd, self->p);
	ASSERT_LT(0, pid);
	code = wait_child(pid, 120000);
	TH_LOG("filler: exit %d after %ld pages, errno %s; oom_kill %lld",
	       code, self->p->done, strerrorname_np(self->p->err) ?: "0",
	       cg_key(self->dir, "memory.events", "oom_kill"));
	if (budget_mode) {
		EXPECT_EQ(0, code);
		EXPECT_EQ(ENOMEM, self->p->err);
	} else {
		/* As a shmem write: the memory cgroup's OOM killer. */
		EXPECT_EQ(1000 + SIGKILL, code);
		EXPECT_EQ(oom0 + 1,
			  cg_key(self->dir, "memory.events", "oom_kill"));
	}
	EXPECT_GT(SEG_PAGES, self->p->done);
	check_segment(_metadata, fd, self->p->done, self->buf);
	close(fd);
}

TEST_HARNESS_MAIN
