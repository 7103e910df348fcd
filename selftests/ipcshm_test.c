// SPDX-License-Identifier: GPL-2.0
/*
 * Selftests of /dev/ipcshm, the raw ioctl/read/write/mmap/poll ABI of the
 * shared memory segment in uapi/linux/ipcdev.h (multiprocessing's Value and
 * Array).  Run as root with the ipcdev module loaded.
 *
 * Conventions: see ipcdev_test.h (helpers return 0 or -errno; forked
 * helper processes report through their exit code).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <linux/ipcdev.h>
#include <linux/mempolicy.h>

#include "ipcdev_test.h"

/* See ipcqueue_test.c: harness artefacts under -Wextra. */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"

#define DEV		"/dev/ipcshm"

/* ------------------------------------------------------------------ */
/* Helpers                                                            */
/* ------------------------------------------------------------------ */

/* A handle on a segment: anonymous (@name NULL) or named; fd or -errno. */
static int s_open(const char *name, int oflags, __u32 flags, __u32 mode,
		  __u32 type, __u64 count, __u64 size)
{
	struct ipcdev_shm_open o = {
		.name = ptr(name), .flags = flags, .mode = mode,
		.type = type, .count = count, .size = size,
	};

	return dev_open_bind(DEV, oflags, IPCDEV_IOC_SHM_OPEN, &o);
}

/* A new anonymous segment; fd or -errno. */
static int s_new(__u32 type, __u64 count, __u64 size)
{
	return s_open(NULL, O_RDWR, 0, 0, type, count, size);
}

/* A new raw anonymous segment of @size bytes. */
static int s_raw(__u64 size)
{
	return s_new(IPCDEV_SHM_RAW, 0, size);
}

static int s_stat(int fd, struct ipcdev_shm_stat *st)
{
	return stat_ioc(fd, IPCDEV_IOC_SHM_STAT, st, sizeof(*st));
}

/* The change counter, or (__u64)-1 if STAT fails. */
static __u64 s_seq(int fd)
{
	struct ipcdev_shm_stat st;

	return s_stat(fd, &st) ? (__u64)-1 : st.seq;
}

static int s_lock(int fd, __u32 flags, __u64 deadline)
{
	struct ipcdev_shm_lock l = { .deadline_ns = deadline, .flags = flags };

	return ioctl(fd, IPCDEV_IOC_SHM_LOCK, &l) ? -errno : 0;
}

static int s_unlock(int fd)
{
	return ioctl(fd, IPCDEV_IOC_SHM_UNLOCK, 0) ? -errno : 0;
}

static int s_publish(int fd)
{
	return ioctl(fd, IPCDEV_IOC_SHM_PUBLISH, 0) ? -errno : 0;
}

/* WAIT_CHANGE past @seen; *seq gets the counter on return. */
static int s_wait_change(int fd, __u64 seen, __u32 flags, __u64 deadline,
			 __u64 *seq)
{
	struct ipcdev_shm_change c = {
		.seen = seen, .deadline_ns = deadline, .flags = flags,
		.seq = 0xdeadbeef,
	};
	int r = ioctl(fd, IPCDEV_IOC_SHM_WAIT_CHANGE, &c) ? -errno : 0;

	if (seq)
		*seq = c.seq;
	return r;
}

/* IPCDEV_IOC_SHM_READ or _WRITE (@cmd); *seq gets the counter. */
static int s_io(int fd, unsigned long cmd, void *buf, __u64 len, __u64 off,
		__u64 *seq)
{
	struct ipcdev_shm_io io = {
		.buf = ptr(buf), .len = len, .offset = off, .seq = 0xdeadbeef,
	};
	int r = ioctl(fd, cmd, &io) ? -errno : 0;

	if (seq)
		*seq = io.seq;
	return r;
}

static int s_unlink(const char *name)
{
	return dev_unlink(DEV, name);
}

static int s_lock_owner(int fd)
{
	struct ipcdev_shm_stat st;

	return s_stat(fd, &st) ? -1 : st.lock_owner;
}

#define STAT_CMD		IPCDEV_IOC_SHM_STAT
#define SHM_STAT		struct ipcdev_shm_stat
#define wait_lock_waiters(fd, n) \
	WAIT_STAT(fd, STAT_CMD, SHM_STAT, lock_waiters, n)
#define wait_change_waiters(fd, n) \
	WAIT_STAT(fd, STAT_CMD, SHM_STAT, change_waiters, n)

/* Is every byte of @p[0..len) equal to @c? */
static bool all_bytes(const void *p, size_t len, unsigned char c)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < len; i++)
		if (b[i] != c)
			return false;
	return true;
}

/* One "Key:   N kB" line of /proc/meminfo, in kB; -1 if absent. */
static long long meminfo_kb(const char *key)
{
	char line[256];
	size_t kl = strlen(key);
	long long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, kl) && line[kl] == ':') {
			v = atoll(line + kl + 1);
			break;
		}
	}
	fclose(f);
	return v;
}

/* A fixture: one anonymous raw segment of two pages, rw. */
FIXTURE(seg) {
	int fd;
	long ps;
};

FIXTURE_SETUP(seg)
{
	self->ps = page_size();
	self->fd = s_raw(2 * self->ps);
	ASSERT_LE(0, self->fd) TH_LOG("%s: %s", DEV, strerror(-self->fd));
}

FIXTURE_TEARDOWN(seg)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* ------------------------------------------------------------------ */
/* Creation and geometry                                              */
/* ------------------------------------------------------------------ */

static const struct {
	char type;
	__u32 elem;
} typecodes[] = {
	{ 'c', 1 }, { 'b', 1 }, { 'B', 1 }, { 'h', 2 }, { 'H', 2 },
	{ 'i', 4 }, { 'I', 4 }, { 'f', 4 }, { 'l', 8 }, { 'L', 8 },
	{ 'q', 8 }, { 'Q', 8 }, { 'd', 8 },
};

TEST(create_each_typecode)
{
	struct ipcdev_shm_stat st;

	for (size_t i = 0; i < sizeof(typecodes) / sizeof(typecodes[0]); i++) {
		__u32 t = (unsigned char)typecodes[i].type, e = typecodes[i].elem;
		int fd = s_new(t, 7, 0);

		ASSERT_LE(0, fd) TH_LOG("type '%c': %s", t, strerror(-fd));
		ASSERT_EQ(0, s_stat(fd, &st));
		EXPECT_EQ(t, st.type) TH_LOG("type '%c'", t);
		EXPECT_EQ(e, st.elem_size) TH_LOG("type '%c'", t);
		EXPECT_EQ(7, st.count) TH_LOG("type '%c'", t);
		EXPECT_EQ(7 * e, st.size) TH_LOG("type '%c'", t);
		EXPECT_EQ(0, st.seq);
		EXPECT_EQ(0, st.mappings);
		EXPECT_EQ(0, st.lock_owner);
		EXPECT_EQ(0, st.flags);
		EXPECT_EQ(0600, st.mode);
		close(fd);

		/* The size, when given, must be exactly count * elem_size. */
		fd = s_new(t, 3, 3 * e);
		ASSERT_LE(0, fd) TH_LOG("type '%c' with size: %s", t, strerror(-fd));
		ASSERT_EQ(0, s_stat(fd, &st));
		EXPECT_EQ(3, st.count);
		EXPECT_EQ(3 * e, st.size);
		close(fd);
	}

	/* Raw bytes: count is the size, elem_size 1. */
	for (int with_count = 0; with_count < 2; with_count++) {
		int fd = s_new(IPCDEV_SHM_RAW, with_count ? 1000 : 0, 1000);

		ASSERT_LE(0, fd) TH_LOG("raw: %s", strerror(-fd));
		ASSERT_EQ(0, s_stat(fd, &st));
		EXPECT_EQ(IPCDEV_SHM_RAW, st.type);
		EXPECT_EQ(1, st.elem_size);
		EXPECT_EQ(1000, st.count);
		EXPECT_EQ(1000, st.size);
		close(fd);
	}
}

TEST(create_bad_geometry)
{
	unsigned long long shm_max = read_param("shm_max");
	const __u32 bad_types[] = { 'x', 'u', 'z', 'D', 1, 0x100 | 'i' };

	for (size_t i = 0; i < sizeof(bad_types) / sizeof(bad_types[0]); i++) {
		EXPECT_EQ(-EINVAL, s_new(bad_types[i], 1, 0))
			TH_LOG("type %#x", bad_types[i]);
	}
	EXPECT_EQ(-EINVAL, s_new('i', 0, 0));		/* count 0 */
	EXPECT_EQ(-EINVAL, s_new('i', 0, 4));
	EXPECT_EQ(-EINVAL, s_new(IPCDEV_SHM_RAW, 0, 0));	/* size 0 */
	EXPECT_EQ(-EINVAL, s_new('i', 4, 15));		/* size mismatch */
	EXPECT_EQ(-EINVAL, s_new('i', 4, 17));
	EXPECT_EQ(-EINVAL, s_new('d', 2, 8));
	EXPECT_EQ(-EINVAL, s_new(IPCDEV_SHM_RAW, 9, 10));	/* raw count != size */
	EXPECT_EQ(-EOVERFLOW, s_new('d', 1ULL << 61, 0));	/* 2^64 bytes */
	EXPECT_EQ(-EOVERFLOW, s_new('h', ~0ULL, 0));
	EXPECT_EQ(-EOVERFLOW, s_new('i', ~0ULL / 2, 0));

	ASSERT_NE(0, shm_max) TH_LOG("no " PARAMS "shm_max");
	EXPECT_EQ(-EINVAL, s_new(IPCDEV_SHM_RAW, 0, shm_max + 1));
	EXPECT_EQ(-EINVAL, s_new('B', shm_max + 1, 0));
	if (shm_max % 8 == 0)
		EXPECT_EQ(-EINVAL, s_new('q', shm_max / 8 + 1, 0));
}

TEST(bad_open_arguments)
{
	struct ipcdev_shm_open o = { .type = 'i', .count = 1 };
	int fd;

	o.reserved0 = 1;
	EXPECT_EQ(-EINVAL, dev_open_bind(DEV, O_RDWR, IPCDEV_IOC_SHM_OPEN, &o));
	o.reserved0 = 0;
	o.reserved[1] = 1;
	EXPECT_EQ(-EINVAL, dev_open_bind(DEV, O_RDWR, IPCDEV_IOC_SHM_OPEN, &o));
	o.reserved[1] = 0;
	o.flags = 0x80;
	EXPECT_EQ(-EINVAL, dev_open_bind(DEV, O_RDWR, IPCDEV_IOC_SHM_OPEN, &o));
	o.flags = IPCDEV_CREAT;		/* CREAT without a name */
	EXPECT_EQ(-EINVAL, dev_open_bind(DEV, O_RDWR, IPCDEV_IOC_SHM_OPEN, &o));
	o.flags = 0;
	o.name = ptr(unmapped_addr());
	EXPECT_EQ(-EFAULT, dev_open_bind(DEV, O_RDWR, IPCDEV_IOC_SHM_OPEN, &o));
	EXPECT_EQ(-EFAULT, dev_open_bind(DEV, O_RDWR, IPCDEV_IOC_SHM_OPEN,
					 unmapped_addr()));

	/* A bound handle cannot be bound again. */
	o.name = 0;
	fd = dev_open_bind(DEV, O_RDWR, IPCDEV_IOC_SHM_OPEN, &o);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-ENOTTY, ioc(fd, IPCDEV_IOC_SHM_OPEN, &o));
	close(fd);
}

TEST_F(seg, new_memory_reads_zero)
{
	size_t size = 3 * self->ps + 100;
	unsigned char *buf = malloc(size), *p;
	int fd = s_raw(size);

	ASSERT_NE(NULL, buf);
	ASSERT_LE(0, fd);
	memset(buf, 0x5a, size);
	ASSERT_EQ(size, pread(fd, buf, size, 0));
	EXPECT_TRUE(all_bytes(buf, size, 0));
	memset(buf, 0x5a, size);
	ASSERT_EQ(0, s_io(fd, IPCDEV_IOC_SHM_READ, buf, size, 0, NULL));
	EXPECT_TRUE(all_bytes(buf, size, 0));
	/* The mapping covers whole pages; the tail of the last reads 0 too. */
	p = mmap(NULL, 4 * self->ps, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_TRUE(all_bytes(p, 4 * self->ps, 0));
	munmap(p, 4 * self->ps);
	free(buf);
	close(fd);
}

/* ------------------------------------------------------------------ */
/* Sharing between processes                                          */
/* ------------------------------------------------------------------ */

TEST_F(seg, child_writes_seen_through_mmap)
{
	size_t size = 2 * self->ps;
	unsigned char *p, *buf = malloc(size);
	pid_t pid;

	ASSERT_NE(NULL, buf);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* Its own mapping, and the one inherited. */
		unsigned char *c = mmap(NULL, size, PROT_READ | PROT_WRITE,
					MAP_SHARED, self->fd, 0);

		if (c == MAP_FAILED)
			_exit(CHILD_NOMEM);
		fill(c, self->ps, 1);
		fill(p + self->ps, self->ps, 2);
		_exit(0);
	}
	ASSERT_EQ(0, wait_child(pid, 20000));
	EXPECT_TRUE(check_fill(p, self->ps, 1));
	EXPECT_TRUE(check_fill(p + self->ps, self->ps, 2));
	/* And without mmap. */
	ASSERT_EQ(size, pread(self->fd, buf, size, 0));
	EXPECT_TRUE(check_fill(buf, self->ps, 1));
	EXPECT_TRUE(check_fill(buf + self->ps, self->ps, 2));
	munmap(p, size);
	free(buf);
}

TEST_F(seg, child_writes_seen_without_mmap)
{
	size_t size = 2 * self->ps;
	unsigned char *buf = malloc(size), *p;
	pid_t pid;

	ASSERT_NE(NULL, buf);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		unsigned char *b = malloc(size);

		if (!b)
			_exit(CHILD_NOMEM);
		fill(b, size, 3);
		if (pwrite(self->fd, b, self->ps, 0) != self->ps)
			_exit(CHILD_BADLEN);
		_exit(-s_io(self->fd, IPCDEV_IOC_SHM_WRITE, b + self->ps,
			    self->ps, self->ps, NULL));
	}
	ASSERT_EQ(0, wait_child(pid, 20000));
	memset(buf, 0, size);
	ASSERT_EQ(size, pread(self->fd, buf, size, 0));
	EXPECT_TRUE(check_fill(buf, size, 3));
	memset(buf, 0, size);
	ASSERT_EQ(0, s_io(self->fd, IPCDEV_IOC_SHM_READ, buf, size, 0, NULL));
	EXPECT_TRUE(check_fill(buf, size, 3));
	p = mmap(NULL, size, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_TRUE(check_fill(p, size, 3));
	munmap(p, size);
	free(buf);
}

/* ------------------------------------------------------------------ */
/* mmap                                                               */
/* ------------------------------------------------------------------ */

TEST_F(seg, mmap_bounds)
{
	long ps = self->ps;
	int fd = s_raw(2 * ps + 1);	/* three pages */
	void *p;

	ASSERT_LE(0, fd);
	p = mmap(NULL, 3 * ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	munmap(p, 3 * ps);
	p = mmap(NULL, ps, PROT_READ, MAP_SHARED, fd, 2 * ps);
	ASSERT_NE(MAP_FAILED, p);
	munmap(p, ps);

	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4 * ps, PROT_READ, MAP_SHARED, fd, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 2 * ps, PROT_READ, MAP_SHARED, fd, 2 * ps));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, ps, PROT_READ, MAP_SHARED, fd, 3 * ps));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, ps, PROT_READ, MAP_PRIVATE, fd, 8 * ps));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
}

TEST_F(seg, map_private_is_copy_on_write)
{
	long ps = self->ps;
	unsigned char *shared, *priv, c = 0;
	pid_t pid;

	ASSERT_EQ(1, pwrite(self->fd, "A", 1, 0));
	shared = mmap(NULL, 2 * ps, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, shared);
	priv = mmap(NULL, 2 * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE, self->fd, 0);
	ASSERT_NE(MAP_FAILED, priv);
	EXPECT_EQ('A', priv[0]);
	priv[0] = 'P';
	priv[ps] = 'Q';
	EXPECT_EQ('A', shared[0]);
	EXPECT_EQ(0, shared[ps]);
	ASSERT_EQ(1, pread(self->fd, &c, 1, 0));
	EXPECT_EQ('A', c);
	/* Another process does not see the private writes either. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		unsigned char b[2];

		if (pread(self->fd, &b[0], 1, 0) != 1 ||
		    pread(self->fd, &b[1], 1, ps) != 1)
			_exit(CHILD_BADLEN);
		_exit(b[0] == 'A' && b[1] == 0 ? 0 : CHILD_BADDATA);
	}
	EXPECT_EQ(0, wait_child(pid, 20000));
	/* A later shared write does not reach the private copy. */
	shared[0] = 'S';
	EXPECT_EQ('P', priv[0]);
	munmap(priv, 2 * ps);
	munmap(shared, 2 * ps);
}

static sigjmp_buf sigbus_jmp;

static void on_sigbus(int sig)
{
	siglongjmp(sigbus_jmp, sig);
}

/* Touch @p (write 1 if @write); the signal it raised, or 0. */
static int touch(volatile unsigned char *p, bool write)
{
	struct sigaction sa = { .sa_handler = on_sigbus }, old;
	int sig;

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, &old))
		return -1;
	sig = sigsetjmp(sigbus_jmp, 1);
	if (!sig) {
		if (write)
			*p = 1;
		else
			(void)*p;
	}
	sigaction(SIGBUS, &old, NULL);
	return sig;
}

TEST_F(seg, sigbus_past_the_end_after_mremap)
{
	long ps = self->ps;
	unsigned char *p;
	void *m;
	int fd = s_raw(ps);

	ASSERT_LE(0, fd);
	m = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	m = mremap(m, ps, 2 * ps, MREMAP_MAYMOVE);
	ASSERT_NE(MAP_FAILED, m) TH_LOG("mremap: %s", strerror(errno));
	p = m;
	EXPECT_EQ(0, touch(p, true));
	EXPECT_EQ(0, touch(p + ps - 1, true));
	EXPECT_EQ(SIGBUS, touch(p + ps, true))
		TH_LOG("writing past the end did not SIGBUS");
	EXPECT_EQ(SIGBUS, touch(p + 2 * ps - 1, false))
		TH_LOG("reading past the end did not SIGBUS");
	EXPECT_EQ(1, p[0]);
	munmap(m, 2 * ps);
	close(fd);
}

TEST(mapping_outlives_handle)
{
	char name[64];
	struct ipcdev_shm_stat st;
	long ps = page_size();
	long long objects0 = read_proc_stat("objects");
	unsigned char *p, c;
	int fd, other, status;
	pid_t pid;

	ASSERT_LE(0, objects0) TH_LOG("no 'objects' in %s", PROC_STATS);
	/*
	 * Anonymous: the memory lives on with the mapping alone, which is the
	 * shmem file's own; the segment goes with its last handle, as a
	 * memfd's file does.
	 */
	fd = s_raw(ps);
	ASSERT_LE(0, fd);
	p = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	fill(p, ps, 9);
	EXPECT_EQ(objects0 + 1, read_proc_stat("objects"));
	ASSERT_EQ(0, close(fd));
	EXPECT_EQ(objects0, wait_proc_stat("objects", objects0))
		TH_LOG("the mapping kept the segment (its handle) alive");
	EXPECT_TRUE(check_fill(p, ps, 9));
	/* Still shared memory: a child's stores are seen. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		p[1] = 0x5a;
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0x5a, p[1]);
	munmap(p, ps);

	/* Named: the mapping counts in STAT through another handle. */
	snprintf(name, sizeof(name), "ksft-ipcshm-outlive-%d", getpid());
	s_unlink(name);
	fd = s_open(name, O_RDWR, IPCDEV_CREAT | IPCDEV_EXCL, 0600,
		    IPCDEV_SHM_RAW, 0, ps);
	ASSERT_LE(0, fd);
	other = s_open(name, O_RDWR, 0, 0, 0, 0, 0);
	ASSERT_LE(0, other);
	ASSERT_EQ(0, s_unlink(name));
	p = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, s_stat(other, &st));
	EXPECT_EQ(1, st.mappings);
	close(fd);
	ASSERT_EQ(0, s_stat(other, &st));
	EXPECT_EQ(1, st.mappings);
	p[7] = 'M';
	ASSERT_EQ(1, pread(other, &c, 1, 7));
	EXPECT_EQ('M', c);
	munmap(p, ps);
	ASSERT_EQ(0, s_stat(other, &st));
	EXPECT_EQ(0, st.mappings);
	close(other);
	EXPECT_EQ(objects0, wait_proc_stat("objects", objects0));
}

/*
 * The mapping count is the number of VMAs of the segment's memory: in
 * every process, shared and private, split ones counted apart.
 */
TEST(mapping_count_is_every_vma)
{
	struct ipcdev_shm_stat st;
	long ps = page_size();
	char *a, *b, v[32];
	int fd = s_raw(4 * ps), status;
	pid_t pid;

	ASSERT_LE(0, fd);
	a = mmap(NULL, 4 * ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, a);
	ASSERT_EQ(0, s_stat(fd, &st));
	EXPECT_EQ(1, st.mappings);
	/* Splitting a mapping in three makes three VMAs. */
	ASSERT_EQ(0, mprotect(a + ps, ps, PROT_READ));
	ASSERT_EQ(0, s_stat(fd, &st));
	EXPECT_EQ(3, st.mappings);
	b = mmap(NULL, ps, PROT_READ, MAP_PRIVATE, fd, 2 * ps);
	ASSERT_NE(MAP_FAILED, b);
	ASSERT_EQ(0, s_stat(fd, &st));
	EXPECT_EQ(4, st.mappings);
	ASSERT_EQ(0, fdinfo(fd, "ipcdev-mappings", v, sizeof(v)));
	EXPECT_STREQ("4", v);
	/* A child's copies count while it lives. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(s_stat(fd, &st) ? 100 : st.mappings == 8 ? 0 : st.mappings);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status))
		TH_LOG("the child saw %d mappings, not 8", WEXITSTATUS(status));
	ASSERT_EQ(0, s_stat(fd, &st));
	EXPECT_EQ(4, st.mappings);
	ASSERT_EQ(0, munmap(a, 4 * ps));
	ASSERT_EQ(0, s_stat(fd, &st));
	EXPECT_EQ(1, st.mappings);
	ASSERT_EQ(0, munmap(b, ps));
	ASSERT_EQ(0, s_stat(fd, &st));
	EXPECT_EQ(0, st.mappings);
	close(fd);
}

/*
 * The mapping is shmem's own: a NUMA policy set through one mapping is the
 * segment's (shmem's shared policy), seen through every other mapping of
 * it.  Borrowed vm_operations without set_policy made it the one VMA's.
 */
TEST(numa_policy_is_the_segments)
{
	unsigned long node0 = 1;
	long ps = page_size();
	int fd = s_raw(ps), mode = -1;
	char *a, *b, *c;
	long r;

	ASSERT_LE(0, fd);
	a = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, a);
	b = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, b);
	r = syscall(SYS_mbind, a, ps, MPOL_BIND, &node0, 8 * sizeof(node0), 0);
	if (r && errno == ENOSYS)
		SKIP(return, "no NUMA support in this kernel");
	ASSERT_EQ(0, r) TH_LOG("mbind: %s", strerror(errno));
	ASSERT_EQ(0, syscall(SYS_get_mempolicy, &mode, NULL, 0, b, MPOL_F_ADDR));
	EXPECT_EQ(MPOL_BIND, mode)
		TH_LOG("a policy set through one mapping is not the segment's");
	/* A mapping made later has it too. */
	c = mmap(NULL, ps, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, c);
	mode = -1;
	ASSERT_EQ(0, syscall(SYS_get_mempolicy, &mode, NULL, 0, c, MPOL_F_ADDR));
	EXPECT_EQ(MPOL_BIND, mode);
	a[0] = 1;
	EXPECT_EQ(1, c[0]);
	munmap(a, ps);
	munmap(b, ps);
	munmap(c, ps);
	close(fd);
}

/* ------------------------------------------------------------------ */
/* The lock                                                           */
/* ------------------------------------------------------------------ */

#define INCR_PROCS	4
#define INCR_EACH	10000

/* Child: INCR_EACH unprotected read-modify-writes, each under the lock. */
static int incr_under_ioctl_lock(int fd, volatile __u64 *ctr)
{
	for (int i = 0; i < INCR_EACH; i++) {
		__u64 v;
		int r = s_lock(fd, 0, 0);

		if (r)
			return -r;
		v = *ctr;
		if ((i & 63) == 0)
			sched_yield();
		*ctr = v + 1;
		r = s_unlock(fd);
		if (r)
			return -r;
	}
	return 0;
}

struct mutex_seg {
	pthread_mutex_t m;
	volatile __u64 ctr;
};

static int incr_under_pthread_mutex(int fd, struct mutex_seg *seg)
{
	for (int i = 0; i < INCR_EACH; i++) {
		__u64 v;

		if (pthread_mutex_lock(&seg->m))
			return CHILD_OTHER;
		v = seg->ctr;
		if ((i & 63) == 0)
			sched_yield();
		seg->ctr = v + 1;
		if (pthread_mutex_unlock(&seg->m))
			return CHILD_OTHER;
	}
	return 0;
}

/* Run INCR_PROCS children of @fn on @fd and @seg; 0 if all exited 0. */
static int run_incrementers(int fd, void *seg, bool pthread)
{
	pid_t pids[INCR_PROCS];
	int bad = 0;

	for (int i = 0; i < INCR_PROCS; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			return -1;
		if (pids[i] == 0)
			_exit(pthread ? incr_under_pthread_mutex(fd, seg)
				      : incr_under_ioctl_lock(fd, seg));
	}
	for (int i = 0; i < INCR_PROCS; i++)
		if (wait_child(pids[i], 600000))
			bad++;
	return bad;
}

TEST_F_TIMEOUT(seg, lock_4x10000_increments, 900)
{
	volatile __u64 *ctr;

	ctr = mmap(NULL, self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, ctr);
	EXPECT_EQ(0, run_incrementers(self->fd, (void *)ctr, false));
	EXPECT_EQ(INCR_PROCS * INCR_EACH, *ctr);
	EXPECT_EQ(0, s_lock_owner(self->fd));
	munmap((void *)ctr, self->ps);
}

TEST_F_TIMEOUT(seg, pthread_mutex_in_segment_4x10000, 900)
{
	pthread_mutexattr_t a;
	struct mutex_seg *seg;

	seg = mmap(NULL, self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, seg);
	ASSERT_EQ(0, pthread_mutexattr_init(&a));
	ASSERT_EQ(0, pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED));
	ASSERT_EQ(0, pthread_mutex_init(&seg->m, &a));
	pthread_mutexattr_destroy(&a);
	EXPECT_EQ(0, run_incrementers(self->fd, seg, true));
	EXPECT_EQ(INCR_PROCS * INCR_EACH, seg->ctr);
	munmap(seg, self->ps);
}

/* Run @fn(fd) in a child and return its exit code. */
static int in_child(int fd, int (*fn)(int fd))
{
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0)
		_exit(fn(fd));
	return wait_child(pid, 20000);
}

static int child_trylock(int fd)
{
	return -s_lock(fd, IPCDEV_WAIT_NONBLOCK, 0);
}

static int child_unlock(int fd)
{
	return -s_unlock(fd);
}

/*
 * Timed LOCKs of a held lock: a past deadline fails at once, one 300 ms
 * ahead with ETIMEDOUT, no sooner than the deadline.
 */
static int child_timed_lock(int fd)
{
	__u64 dl = now_ns() - SEC;
	int r = s_lock(fd, IPCDEV_WAIT_DEADLINE, dl);

	if (r != -ETIMEDOUT)
		return r ? -r : CHILD_OTHER;
	if (now_ns() > dl + 5 * SEC)
		return CHILD_ALIVE;
	dl = deadline_in_ms(300);
	r = s_lock(fd, IPCDEV_WAIT_DEADLINE, dl);

	if (r != -ETIMEDOUT)
		return r ? -r : CHILD_OTHER;
	if (now_ns() < dl)
		return CHILD_ORDER;
	return now_ns() > dl + 10 * SEC ? CHILD_ALIVE : 0;
}

TEST_F(seg, trylock_timed_eperm_edeadlk)
{
	int fl;

	EXPECT_EQ(0, in_child(self->fd, child_trylock));	/* free: taken */
	/* That child died holding it: the next locker is told. */
	EXPECT_EQ(-EOWNERDEAD, s_lock(self->fd, IPCDEV_WAIT_NONBLOCK, 0));
	EXPECT_EQ(getpid(), s_lock_owner(self->fd));
	EXPECT_EQ(-EDEADLK, s_lock(self->fd, 0, 0));
	EXPECT_EQ(-EDEADLK, s_lock(self->fd, IPCDEV_WAIT_NONBLOCK, 0));
	EXPECT_EQ(EAGAIN, in_child(self->fd, child_trylock));
	EXPECT_EQ(0, in_child(self->fd, child_timed_lock));
	EXPECT_EQ(EPERM, in_child(self->fd, child_unlock));
	/* O_NONBLOCK on the file is a trylock too. */
	fl = fcntl(self->fd, F_GETFL);
	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, fl | O_NONBLOCK));
	EXPECT_EQ(EAGAIN, in_child(self->fd, child_timed_lock));
	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, fl));
	EXPECT_EQ(getpid(), s_lock_owner(self->fd));
	EXPECT_EQ(0, s_unlock(self->fd));
	EXPECT_EQ(0, s_lock_owner(self->fd));
	EXPECT_EQ(-EPERM, s_unlock(self->fd));		/* not held at all */
	EXPECT_EQ(0, s_lock(self->fd, IPCDEV_WAIT_NONBLOCK, 0));
	EXPECT_EQ(0, s_unlock(self->fd));
}

/* IPCDEV_IOC_SHM_LOCKER; the outputs of *@lk are poisoned first. */
static int s_locker(int fd, struct ipcdev_shm_locker *lk)
{
	memset(lk, 0, sizeof(*lk));
	lk->id = 0xa5a5a5a5;
	lk->offset = 0xa5a5a5a5a5a5a5a5ULL;
	return ioc(fd, IPCDEV_IOC_SHM_LOCKER, lk);
}

/* The calling process's locker id, or 0 if LOCKER fails. */
static __u32 s_locker_id(int fd)
{
	struct ipcdev_shm_locker lk;

	return s_locker(fd, &lk) ? 0 : lk.id;
}

/* Compare-and-swap @old to @new with @order: true if it was @old. */
static bool word_cas(__u32 *w, __u32 old, __u32 new, int order)
{
	return __atomic_compare_exchange_n(w, &old, new, false, order,
					   __ATOMIC_RELAXED);
}

/*
 * A child that takes the lock (with @w: by a swap of the word with its own
 * id; else by LOCK), closes @fd if @close_fd, reports on a pipe, then
 * sleeps until killed (@stay) or exits.  Its pid, or -1 if it could not
 * take the lock.
 */
static pid_t spawn_holder(int fd, __u32 *w, bool close_fd, bool stay)
{
	int pfd[2];
	char c = 0;
	pid_t pid;

	if (pipe(pfd))
		return -1;
	pid = fork();
	if (pid == 0) {
		__u32 id = w ? s_locker_id(fd) : 0;

		if (w)
			c = id && word_cas(w, 0, id, __ATOMIC_ACQUIRE) ? 'L' : 'E';
		else
			c = s_lock(fd, 0, 0) ? 'E' : 'L';
		if (close_fd)
			close(fd);
		if (write(pfd[1], &c, 1) != 1)
			_exit(CHILD_OTHER);
		while (stay)
			pause();
		_exit(0);
	}
	close(pfd[1]);
	if (pid > 0 && (read(pfd[0], &c, 1) != 1 || c != 'L')) {
		kill(pid, SIGKILL);
		wait_child(pid, 20000);
		pid = -1;
	}
	close(pfd[0]);
	return pid;
}

/* Child: LOCK must fail with EOWNERDEAD and leave the caller holding it. */
static int child_lock_owner_dead(int fd)
{
	int r = s_lock(fd, 0, 0);

	if (r != -EOWNERDEAD)
		return r ? -r : CHILD_OTHER;
	if (s_lock_owner(fd) != getpid())
		return CHILD_BADDATA;
	return -s_unlock(fd);
}

static void owner_dead_case(struct __test_metadata *_metadata, int fd,
			    bool close_fd)
{
	pid_t holder, waiter;
	__u64 t0;

	/* A locker already blocked when the holder dies. */
	holder = spawn_holder(fd, NULL, close_fd, true);
	ASSERT_LT(0, holder);
	EXPECT_EQ(holder, s_lock_owner(fd));
	waiter = fork();
	ASSERT_LE(0, waiter);
	if (waiter == 0)
		_exit(child_lock_owner_dead(fd));
	ASSERT_EQ(0, wait_lock_waiters(fd, 1));
	t0 = now_ns();
	ASSERT_EQ(0, kill(holder, SIGKILL));
	EXPECT_EQ(1000 + SIGKILL, wait_child(holder, 20000));
	EXPECT_EQ(0, wait_child(waiter, 20000));
	EXPECT_GT(t0 + 5 * SEC, now_ns());
	EXPECT_EQ(0, s_lock_owner(fd));

	/* A fresh locker after the holder died. */
	holder = spawn_holder(fd, NULL, close_fd, true);
	ASSERT_LT(0, holder);
	ASSERT_EQ(0, kill(holder, SIGKILL));
	EXPECT_EQ(1000 + SIGKILL, wait_child(holder, 20000));
	EXPECT_EQ(-EOWNERDEAD, s_lock(fd, 0, 0));
	EXPECT_EQ(getpid(), s_lock_owner(fd));
	EXPECT_EQ(-EDEADLK, s_lock(fd, 0, 0));
	EXPECT_EQ(0, s_unlock(fd));
	/* Told once: the next LOCK is a plain one. */
	EXPECT_EQ(0, s_lock(fd, 0, 0));
	EXPECT_EQ(0, s_unlock(fd));
}

TEST_F(seg, holder_killed_eownerdead)
{
	owner_dead_case(_metadata, self->fd, false);
}

TEST_F(seg, holder_closed_fd_then_killed_eownerdead)
{
	owner_dead_case(_metadata, self->fd, true);
}

/*
 * The lock belongs to the process, which lives as long as any of its
 * threads: its main thread exiting (a zombie leader) must not free it.
 * Regression: the dead-holder check once took a zombie leader, or a
 * fatal signal not yet acted on, for a dead process, and handed the lock
 * to another locker while a thread of the holder still ran.
 */
static int leader_pfd = -1;

static char leader_state(pid_t pid)
{
	char path[64], buf[256], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

/* The holder's second thread: reports once the main thread is a zombie. */
static void *holder_thread(void *arg)
{
	pid_t pid = getpid();
	char c = 'L';

	(void)arg;
	while (leader_state(pid) != 'Z')
		sleep_ms(5);
	if (write(leader_pfd, &c, 1) != 1)
		_exit(CHILD_OTHER);
	for (;;)
		pause();
	return NULL;
}

TEST_F(seg, holder_leader_exited_thread_alive_keeps_lock)
{
	int pfd[2];
	pthread_t t;
	pid_t holder;
	char c = 0;

	ASSERT_EQ(0, pipe(pfd));
	holder = fork();
	ASSERT_LE(0, holder);
	if (holder == 0) {
		close(pfd[0]);
		leader_pfd = pfd[1];
		if (s_lock(self->fd, 0, 0) ||
		    pthread_create(&t, NULL, holder_thread, NULL))
			_exit(CHILD_OTHER);
		pthread_exit(NULL);
	}
	close(pfd[1]);
	ASSERT_EQ(1, read(pfd[0], &c, 1));
	close(pfd[0]);
	/* STAT and a timed LOCK both check the holder: it is alive. */
	EXPECT_EQ(holder, s_lock_owner(self->fd));
	EXPECT_EQ(-ETIMEDOUT, s_lock(self->fd, IPCDEV_WAIT_DEADLINE,
				     deadline_in_ms(300)));
	EXPECT_EQ(holder, s_lock_owner(self->fd));
	/* Now the whole process dies. */
	ASSERT_EQ(0, kill(holder, SIGKILL));
	EXPECT_EQ(1000 + SIGKILL, wait_child(holder, 20000));
	EXPECT_EQ(-EOWNERDEAD, s_lock(self->fd, 0, 0));
	EXPECT_EQ(0, s_unlock(self->fd));
}

/* The blocked call: a LOCK that must end holding the lock. */
static int lock_call(void *arg)
{
	int fd = *(int *)arg, r = s_lock(fd, 0, 0);

	if (r)
		return -r;
	if (s_lock_owner(fd) != getpid())
		return CHILD_BADDATA;
	return -s_unlock(fd);
}

static int lock_asleep(void *arg)
{
	return wait_lock_waiters(*(int *)arg, 1);
}

static int lock_release(void *arg)
{
	sleep_ms(50);
	return s_unlock(*(int *)arg);
}

/* The parent holds the lock; a child blocked in LOCK gets SIGUSR1. */
static int lock_signal_case(struct __test_metadata *_metadata, int fd,
			    bool restart)
{
	struct sig_case c = { lock_call, lock_asleep, lock_release, &fd };
	const char *why;
	int code;

	if (s_lock(fd, 0, 0))
		return -1;
	code = signal_blocked_call(&c, restart, &why);
	if (why)
		TH_LOG("%s", why);
	if (!restart)
		s_unlock(fd);
	return code;
}

TEST_F(seg, lock_signal_eintr)
{
	EXPECT_EQ(EINTR, lock_signal_case(_metadata, self->fd, false));
	EXPECT_EQ(0, s_lock_owner(self->fd));
}

TEST_F(seg, lock_signal_sa_restart)
{
	EXPECT_EQ(0, lock_signal_case(_metadata, self->fd, true));
	EXPECT_EQ(0, s_lock_owner(self->fd));
}

/* ------------------------------------------------------------------ */
/* The lock word: locking in user space (struct ipcdev_shm_locker)    */
/* ------------------------------------------------------------------ */

/* The lock page mapped shared with @prot: the word, or MAP_FAILED. */
static __u32 *map_word(int fd, int prot)
{
	return mmap(NULL, page_size(), prot, MAP_SHARED, fd,
		    IPCDEV_SHM_LOCK_OFFSET);
}

/* mmap() of @len bytes at the lock page's offset: 0 (unmapped) or errno. */
static int try_map_word(int fd, size_t len, int prot, int flags)
{
	void *p = mmap(NULL, len, prot, flags, fd, IPCDEV_SHM_LOCK_OFFSET);

	if (p == MAP_FAILED)
		return errno;
	munmap(p, len);
	return 0;
}

static __u32 word_get(__u32 *w)
{
	return __atomic_load_n(w, __ATOMIC_ACQUIRE);
}

/* A plain store, as a misbehaving process would make. */
static void word_set(__u32 *w, __u32 v)
{
	__atomic_store_n(w, v, __ATOMIC_RELEASE);
}

/* Wait up to 10 s for the word to be @want: 0 or -ETIMEDOUT. */
static int wait_word(__u32 *w, __u32 want)
{
	__u64 end = now_ns() + 10 * SEC;

	while (word_get(w) != want) {
		if (now_ns() >= end)
			return -ETIMEDOUT;
		sleep_ms(1);
	}
	return 0;
}

/* The protocol's lock: swap 0 to @id, else LOCK.  0, 1 (LOCK) or -errno. */
static int fast_lock(int fd, __u32 *w, __u32 id)
{
	int r;

	if (word_cas(w, 0, id, __ATOMIC_ACQUIRE))
		return 0;
	r = s_lock(fd, 0, 0);
	return r ? r : 1;
}

/* The protocol's unlock: swap @id to 0, else UNLOCK.  0, 1 or -errno. */
static int fast_unlock(int fd, __u32 *w, __u32 id)
{
	int r;

	if (word_cas(w, id, 0, __ATOMIC_RELEASE))
		return 0;
	r = s_unlock(fd);
	return r ? r : 1;
}

static int child_lock(int fd)
{
	return -s_lock(fd, 0, 0);
}

/* A forked child's locker id on @fd, sent through a pipe; 0 on failure. */
static __u32 child_locker_id(int fd)
{
	__u32 id = 0;
	int pfd[2];
	pid_t pid;

	if (pipe(pfd))
		return 0;
	pid = fork();
	if (pid == 0) {
		id = s_locker_id(fd);
		_exit(write(pfd[1], &id, sizeof(id)) == sizeof(id) ? 0 : CHILD_OTHER);
	}
	close(pfd[1]);
	if (pid < 0 || read(pfd[0], &id, sizeof(id)) != sizeof(id))
		id = 0;
	close(pfd[0]);
	if (pid > 0 && wait_child(pid, 20000))
		id = 0;
	return id;
}

/*
 * Two handles on one new named segment, whose name is removed at once:
 * *@rw opened O_RDWR, *@other with @oflags.  0 or -errno.
 */
static int two_handles(int *rw, int *other, int oflags)
{
	char name[64];

	snprintf(name, sizeof(name), "ksft-ipcshm-word-%d", getpid());
	s_unlink(name);
	*rw = s_open(name, O_RDWR, IPCDEV_CREAT | IPCDEV_EXCL, 0600,
		     IPCDEV_SHM_RAW, 0, 64);
	if (*rw < 0)
		return *rw;
	*other = s_open(name, oflags, 0, 0, 0, 0, 0);
	s_unlink(name);
	if (*other < 0) {
		close(*rw);
		return *other;
	}
	return 0;
}

TEST(lock_word_locker_ioctl)
{
	struct ipcdev_shm_locker lk;
	__u32 id, child;
	int a, b, r;

	r = two_handles(&a, &b, O_RDWR);
	ASSERT_EQ(0, r) TH_LOG("%s", strerror(-r));
	r = s_locker(a, &lk);
	ASSERT_EQ(0, r) TH_LOG("LOCKER: %s", strerror(-r));
	id = lk.id;
	EXPECT_LT(0, id);
	EXPECT_EQ(0, id & ~IPCDEV_SHM_LOCK_ID_MASK) TH_LOG("id %#x", id);
	EXPECT_EQ(IPCDEV_SHM_LOCK_OFFSET, lk.offset);
	/* The same id again, and through another handle of the segment. */
	EXPECT_EQ(id, s_locker_id(a));
	EXPECT_EQ(id, s_locker_id(b));
	/* A child has an id of its own; ours stays. */
	child = child_locker_id(b);
	EXPECT_LT(0, child);
	EXPECT_NE(id, child);
	EXPECT_EQ(0, child & ~IPCDEV_SHM_LOCK_ID_MASK) TH_LOG("id %#x", child);
	EXPECT_EQ(id, s_locker_id(a));

	memset(&lk, 0, sizeof(lk));
	lk.flags = 1;
	EXPECT_EQ(-EINVAL, ioc(a, IPCDEV_IOC_SHM_LOCKER, &lk));
	lk.flags = 0;
	lk.reserved[0] = 1;
	EXPECT_EQ(-EINVAL, ioc(a, IPCDEV_IOC_SHM_LOCKER, &lk));
	lk.reserved[0] = 0;
	lk.reserved[1] = 1;
	EXPECT_EQ(-EINVAL, ioc(a, IPCDEV_IOC_SHM_LOCKER, &lk));
	EXPECT_EQ(-EFAULT, ioc(a, IPCDEV_IOC_SHM_LOCKER, unmapped_addr()));
	close(b);
	close(a);
}

TEST_F(seg, lock_word_mmap_rules)
{
	const int rw_prot = PROT_READ | PROT_WRITE;
	long ps = self->ps;
	__u32 *w;

	/* One shared page, never executable. */
	EXPECT_EQ(EINVAL, try_map_word(self->fd, ps, rw_prot, MAP_PRIVATE));
	EXPECT_EQ(EINVAL, try_map_word(self->fd, ps, PROT_READ, MAP_PRIVATE));
	EXPECT_EQ(EINVAL, try_map_word(self->fd, 2 * ps, rw_prot, MAP_SHARED));
	EXPECT_EQ(EINVAL, try_map_word(self->fd, 2 * ps, PROT_READ, MAP_SHARED));
	EXPECT_EQ(EPERM, try_map_word(self->fd, ps, PROT_READ | PROT_EXEC, MAP_SHARED));
	EXPECT_EQ(EPERM, try_map_word(self->fd, ps, rw_prot | PROT_EXEC, MAP_SHARED));
	/* Its neighbours are past the segment. */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, ps, PROT_READ, MAP_SHARED, self->fd,
				   IPCDEV_SHM_LOCK_OFFSET + ps));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, ps, PROT_READ, MAP_SHARED, self->fd,
				   IPCDEV_SHM_LOCK_OFFSET - ps));
	EXPECT_EQ(EINVAL, errno);
	w = map_word(self->fd, rw_prot);
	ASSERT_NE(MAP_FAILED, w) TH_LOG("mmap: %s", strerror(errno));
	EXPECT_EQ(0, word_get(w));
	EXPECT_EQ(-1, mprotect(w, ps, PROT_READ | PROT_EXEC));
	EXPECT_EQ(EACCES, errno);
	munmap(w, ps);
}

/* A read-only handle maps the word read-only (only), and sees it. */
TEST(lock_word_mmap_read_only_handle)
{
	const int rw_prot = PROT_READ | PROT_WRITE;
	long ps = page_size();
	__u32 *w;
	int rw, ro, r;

	r = two_handles(&rw, &ro, O_RDONLY);
	ASSERT_EQ(0, r) TH_LOG("%s", strerror(-r));
	EXPECT_EQ(EACCES, try_map_word(ro, ps, rw_prot, MAP_SHARED));
	EXPECT_EQ(EACCES, try_map_word(ro, ps, PROT_WRITE, MAP_SHARED));
	EXPECT_EQ(EPERM, try_map_word(ro, ps, PROT_READ | PROT_EXEC, MAP_SHARED));
	w = map_word(ro, PROT_READ);
	ASSERT_NE(MAP_FAILED, w) TH_LOG("mmap: %s", strerror(errno));
	EXPECT_EQ(-1, mprotect(w, ps, rw_prot));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(0, word_get(w));
	ASSERT_EQ(0, s_lock(rw, 0, 0));
	EXPECT_EQ(s_locker_id(rw), word_get(w));
	EXPECT_NE(0, word_get(w));
	ASSERT_EQ(0, s_unlock(rw));
	EXPECT_EQ(0, word_get(w));
	munmap(w, ps);
	close(ro);
	close(rw);
}

/* A fixture: a segment, our locker id in it, and its word mapped. */
FIXTURE(word) {
	int fd;
	long ps;
	__u32 id;
	__u32 *w;
};

FIXTURE_SETUP(word)
{
	self->w = MAP_FAILED;
	self->ps = page_size();
	self->fd = s_raw(2 * self->ps);
	ASSERT_LE(0, self->fd) TH_LOG("%s: %s", DEV, strerror(-self->fd));
	self->id = s_locker_id(self->fd);
	ASSERT_LT(0, self->id);
	self->w = map_word(self->fd, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, self->w) TH_LOG("mmap: %s", strerror(errno));
}

FIXTURE_TEARDOWN(word)
{
	if (self->w != MAP_FAILED)
		munmap(self->w, self->ps);
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(seg, lock_word_follows_ioctls)
{
	__u32 *w, id;

	/* LOCK before any LOCKER or mapping: the word names us. */
	ASSERT_EQ(0, s_lock(self->fd, 0, 0));
	w = map_word(self->fd, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, w) TH_LOG("mmap: %s", strerror(errno));
	id = s_locker_id(self->fd);
	ASSERT_LT(0, id);
	EXPECT_EQ(id, word_get(w));
	ASSERT_EQ(0, s_unlock(self->fd));
	EXPECT_EQ(0, word_get(w));
	ASSERT_EQ(0, s_lock(self->fd, IPCDEV_WAIT_NONBLOCK, 0));
	EXPECT_EQ(id, word_get(w));
	ASSERT_EQ(0, s_unlock(self->fd));
	EXPECT_EQ(0, word_get(w));

	/* Taken by a swap: the ioctls know who holds it. */
	ASSERT_TRUE(word_cas(w, 0, id, __ATOMIC_ACQUIRE));
	EXPECT_EQ(getpid(), s_lock_owner(self->fd));
	EXPECT_EQ(-EDEADLK, s_lock(self->fd, 0, 0));
	EXPECT_EQ(-EDEADLK, s_lock(self->fd, IPCDEV_WAIT_NONBLOCK, 0));
	EXPECT_EQ(EPERM, in_child(self->fd, child_unlock));
	EXPECT_EQ(id, word_get(w));
	/* A live holder's unmapping frees nothing. */
	munmap(w, self->ps);
	EXPECT_EQ(getpid(), s_lock_owner(self->fd));
	w = map_word(self->fd, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, w);
	EXPECT_EQ(id, word_get(w));
	EXPECT_EQ(0, s_unlock(self->fd));
	EXPECT_EQ(0, word_get(w));
	EXPECT_EQ(0, s_lock_owner(self->fd));

	/* Taken by LOCK, released by a swap. */
	ASSERT_EQ(0, s_lock(self->fd, 0, 0));
	EXPECT_TRUE(word_cas(w, id, 0, __ATOMIC_RELEASE));
	EXPECT_EQ(0, s_lock_owner(self->fd));
	EXPECT_EQ(-EPERM, s_unlock(self->fd));
	EXPECT_EQ(0, word_get(w));
	munmap(w, self->ps);
}

/*
 * Child: with its own id, a LOCK that sleeps; woken, it must hold the lock
 * with exactly its id in the word (no one else waits), so that its swap
 * back to 0 succeeds.
 */
static int child_lock_word(int fd, __u32 *w, __u32 parent_id)
{
	__u32 id = s_locker_id(fd);
	int r;

	if (!id || id == parent_id)
		return CHILD_OTHER;
	r = s_lock(fd, 0, 0);
	if (r)
		return -r;
	if (word_get(w) != id)
		return CHILD_BADDATA;
	if (s_lock_owner(fd) != getpid())
		return CHILD_ORDER;
	return word_cas(w, id, 0, __ATOMIC_RELEASE) ? 0 : CHILD_BADLEN;
}

TEST_F(word, lock_word_waiter_wakes)
{
	const __u32 waiters = IPCDEV_SHM_LOCK_WAITERS;
	__u32 *w = self->w, id = self->id;
	pid_t pid;

	ASSERT_TRUE(word_cas(w, 0, id, __ATOMIC_ACQUIRE));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(child_lock_word(self->fd, w, id));
	/* The sleeper marks the word: our swap back to 0 must fail. */
	ASSERT_EQ(0, wait_lock_waiters(self->fd, 1));
	EXPECT_EQ(0, wait_word(w, id | waiters)) TH_LOG("word %#x", word_get(w));
	EXPECT_FALSE(word_cas(w, id, 0, __ATOMIC_RELEASE));
	EXPECT_EQ(id | waiters, word_get(w));
	sleep_ms(50);
	EXPECT_EQ(0, waitpid(pid, NULL, WNOHANG));	/* still asleep */
	EXPECT_EQ(getpid(), s_lock_owner(self->fd));
	/* So UNLOCK, which wakes it. */
	EXPECT_EQ(0, s_unlock(self->fd));
	EXPECT_EQ(0, wait_child(pid, 20000));
	EXPECT_EQ(0, word_get(w));
	EXPECT_EQ(0, s_lock_owner(self->fd));
	EXPECT_EQ(0, wait_lock_waiters(self->fd, 0));
}

TEST_F(word, lock_word_nonblock_no_waiters_bit)
{
	struct ipcdev_shm_stat st;
	__u32 *w = self->w, id = self->id;
	int fl;

	ASSERT_TRUE(word_cas(w, 0, id, __ATOMIC_ACQUIRE));
	EXPECT_EQ(EAGAIN, in_child(self->fd, child_trylock));
	EXPECT_EQ(id, word_get(w)) TH_LOG("word %#x", word_get(w));
	/* O_NONBLOCK on the file: the same. */
	fl = fcntl(self->fd, F_GETFL);
	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, fl | O_NONBLOCK));
	EXPECT_EQ(EAGAIN, in_child(self->fd, child_lock));
	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, fl));
	EXPECT_EQ(id, word_get(w)) TH_LOG("word %#x", word_get(w));
	ASSERT_EQ(0, s_stat(self->fd, &st));
	EXPECT_EQ(0, st.lock_waiters);
	EXPECT_EQ(getpid(), st.lock_owner);
	/* No waiter marked: the swap back to 0 needs no ioctl. */
	EXPECT_TRUE(word_cas(w, id, 0, __ATOMIC_RELEASE));
	EXPECT_EQ(0, s_lock_owner(self->fd));
}

/*
 * After the holder died: the word says so (before anything looks at the
 * holder), and LOCK takes it with EOWNERDEAD.  @id is ours.
 */
static void word_holder_died(struct __test_metadata *_metadata, int fd,
			     __u32 *w, __u32 id)
{
	EXPECT_EQ(IPCDEV_SHM_LOCK_DIED, word_get(w)) TH_LOG("word %#x", word_get(w));
	EXPECT_EQ(0, s_lock_owner(fd));
	EXPECT_EQ(-EOWNERDEAD, s_lock(fd, IPCDEV_WAIT_DEADLINE, deadline_in_ms(5000)));
	EXPECT_EQ(id, word_get(w));
	EXPECT_EQ(getpid(), s_lock_owner(fd));
	EXPECT_TRUE(word_cas(w, id, 0, __ATOMIC_RELEASE));
	EXPECT_EQ(0, s_lock_owner(fd));
}

TEST_F(word, lock_word_holder_exits)
{
	__u32 *w = self->w, id = self->id;
	pid_t holder;

	/* With no handle left, only its mapping of the word. */
	holder = spawn_holder(self->fd, w, true, false);
	ASSERT_LT(0, holder);
	EXPECT_EQ(0, wait_child(holder, 20000));
	word_holder_died(_metadata, self->fd, w, id);
	/* And with its handle. */
	holder = spawn_holder(self->fd, w, false, false);
	ASSERT_LT(0, holder);
	EXPECT_EQ(0, wait_child(holder, 20000));
	word_holder_died(_metadata, self->fd, w, id);
}

TEST_F(word, lock_word_holder_killed)
{
	__u32 *w = self->w, id = self->id;
	pid_t holder, waiter;

	for (int close_fd = 0; close_fd < 2; close_fd++) {
		holder = spawn_holder(self->fd, w, close_fd, true);
		ASSERT_LT(0, holder);
		EXPECT_EQ(holder, s_lock_owner(self->fd));
		ASSERT_EQ(0, kill(holder, SIGKILL));
		EXPECT_EQ(1000 + SIGKILL, wait_child(holder, 20000));
		word_holder_died(_metadata, self->fd, w, id);
	}

	/* Killed while a LOCK sleeps: that LOCK gets EOWNERDEAD. */
	holder = spawn_holder(self->fd, w, false, true);
	ASSERT_LT(0, holder);
	waiter = fork();
	ASSERT_LE(0, waiter);
	if (waiter == 0)
		_exit(child_lock_owner_dead(self->fd));
	ASSERT_EQ(0, wait_lock_waiters(self->fd, 1));
	EXPECT_NE(0, word_get(w) & IPCDEV_SHM_LOCK_WAITERS);
	ASSERT_EQ(0, kill(holder, SIGKILL));
	EXPECT_EQ(1000 + SIGKILL, wait_child(holder, 20000));
	EXPECT_EQ(0, wait_child(waiter, 20000));
	EXPECT_EQ(0, word_get(w));
	EXPECT_EQ(0, s_lock_owner(self->fd));
}

/* Words the module never wrote: ids it did not give out, stray bits. */
static const __u32 garbage_words[] = {
	0x3fffffff,
	12345,
	IPCDEV_SHM_LOCK_WAITERS | IPCDEV_SHM_LOCK_DIED | 5,
	IPCDEV_SHM_LOCK_WAITERS | 0x3fffffff,
	IPCDEV_SHM_LOCK_DIED | 77,
	IPCDEV_SHM_LOCK_WAITERS | IPCDEV_SHM_LOCK_DIED,
};

/* Garbage @g in the word: a dead holder, for UNLOCK, STAT and LOCK. */
static void garbage_case(struct __test_metadata *_metadata, int fd,
			 __u32 *w, __u32 id, __u32 g)
{
	struct ipcdev_shm_stat st;

	/* LOCK as the first call to see it. */
	word_set(w, g);
	EXPECT_EQ(-EOWNERDEAD, s_lock(fd, IPCDEV_WAIT_DEADLINE, deadline_in_ms(5000)))
		TH_LOG("word %#x", g);
	EXPECT_EQ(id, word_get(w)) TH_LOG("word %#x", g);
	EXPECT_EQ(0, s_unlock(fd));
	EXPECT_EQ(0, word_get(w));
	/* UNLOCK and STAT first. */
	word_set(w, g);
	EXPECT_EQ(-EPERM, s_unlock(fd)) TH_LOG("word %#x", g);
	ASSERT_EQ(0, s_stat(fd, &st));
	EXPECT_EQ(0, st.lock_owner) TH_LOG("word %#x", g);
	EXPECT_EQ(-EOWNERDEAD, s_lock(fd, IPCDEV_WAIT_NONBLOCK, 0)) TH_LOG("word %#x", g);
	EXPECT_EQ(id, word_get(w));
	EXPECT_EQ(getpid(), s_lock_owner(fd));
	EXPECT_TRUE(word_cas(w, id, 0, __ATOMIC_RELEASE));
}

TEST_F(word, lock_word_garbage)
{
	struct ipcdev_shm_stat st;
	__u32 *w = self->w, id = self->id;
	pid_t waiter;

	for (size_t i = 0; i < ARRAY_SIZE(garbage_words); i++) {
		ASSERT_NE(id, garbage_words[i] & IPCDEV_SHM_LOCK_ID_MASK);
		garbage_case(_metadata, self->fd, w, id, garbage_words[i]);
	}

	/* Garbage while a LOCK sleeps: it wakes holding the lock. */
	ASSERT_TRUE(word_cas(w, 0, id, __ATOMIC_ACQUIRE));
	waiter = fork();
	ASSERT_LE(0, waiter);
	if (waiter == 0)
		_exit(child_lock_owner_dead(self->fd));
	ASSERT_EQ(0, wait_lock_waiters(self->fd, 1));
	word_set(w, IPCDEV_SHM_LOCK_WAITERS | 12345);
	EXPECT_EQ(0, wait_child(waiter, 20000));
	EXPECT_EQ(0, word_get(w));
	EXPECT_EQ(-EPERM, s_unlock(self->fd));

	/* Sane again. */
	ASSERT_EQ(0, s_stat(self->fd, &st));
	EXPECT_EQ(0, st.lock_owner);
	EXPECT_EQ(0, st.lock_waiters);
	EXPECT_EQ(0, s_lock(self->fd, 0, 0));
	EXPECT_EQ(id, word_get(w));
	EXPECT_EQ(0, s_unlock(self->fd));
	EXPECT_EQ(0, word_get(w));
}

#define MIXED_PROCS	4
#define MIXED_EACH	5000

/* The data page of the mixed test. */
struct mixed_seg {
	__u64 ctr;
	int go;				/* all children forked */
	__u32 slow_lock[MIXED_PROCS];	/* word locks that needed LOCK */
	__u32 slow_unlock[MIXED_PROCS];	/* word unlocks that needed UNLOCK */
};

/*
 * Child @n: MIXED_EACH unprotected increments, each under the lock, taken
 * and released by the word's protocol (@fast) or by the ioctls alone.
 */
static int incr_mixed(int fd, __u32 *w, struct mixed_seg *seg, int n, bool fast)
{
	__u32 id = fast ? s_locker_id(fd) : 0, slow_lock = 0, slow_unlock = 0;

	if (fast && !id)
		return CHILD_OTHER;
	while (!__atomic_load_n(&seg->go, __ATOMIC_ACQUIRE))
		sched_yield();
	for (int i = 0; i < MIXED_EACH; i++) {
		int r = fast ? fast_lock(fd, w, id) : s_lock(fd, 0, 0);
		__u64 v;

		if (r < 0)
			return -r;
		slow_lock += r;
		v = seg->ctr;
		if ((i & 15) == 0)
			sched_yield();
		/*
		 * Now and then hold the lock across a sleep, so that the
		 * others surely meet it held, even when a loaded host runs
		 * the processes one after another (the check below).
		 */
		if ((i & 255) == 0)
			usleep(500);
		__asm__ __volatile__("" ::: "memory");
		seg->ctr = v + 1;
		r = fast ? fast_unlock(fd, w, id) : s_unlock(fd);
		if (r < 0)
			return -r;
		slow_unlock += r;
	}
	seg->slow_lock[n] = slow_lock;
	seg->slow_unlock[n] = slow_unlock;
	return 0;
}

TEST_F_TIMEOUT(seg, lock_word_mixed_counter, 900)
{
	__u32 slow_lock = 0, slow_unlock = 0;
	pid_t pids[MIXED_PROCS];
	struct mixed_seg *seg;
	__u32 *w;

	seg = mmap(NULL, self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, seg);
	w = map_word(self->fd, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, w) TH_LOG("mmap: %s", strerror(errno));
	for (int i = 0; i < MIXED_PROCS; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0)
			_exit(incr_mixed(self->fd, w, seg, i, i % 2 == 0));
	}
	__atomic_store_n(&seg->go, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < MIXED_PROCS; i++) {
		EXPECT_EQ(0, wait_child(pids[i], 600000))
			TH_LOG("child %d (%s)", i, i % 2 ? "ioctls" : "word");
		slow_lock += seg->slow_lock[i];
		slow_unlock += seg->slow_unlock[i];
	}
	EXPECT_EQ(MIXED_PROCS * MIXED_EACH, seg->ctr);
	EXPECT_EQ(0, word_get(w));
	EXPECT_EQ(0, s_lock_owner(self->fd));
	/* The word's users met the others: some unlocks had a waiter to wake. */
	TH_LOG("of %d word locks, %u needed LOCK, %u unlocks UNLOCK",
	       MIXED_PROCS / 2 * MIXED_EACH, slow_lock, slow_unlock);
	EXPECT_LT(0, slow_unlock);
	munmap(w, self->ps);
	munmap(seg, self->ps);
}

/* ------------------------------------------------------------------ */
/* The change counter                                                 */
/* ------------------------------------------------------------------ */

TEST_F(seg, change_counter_bumps)
{
	char buf[16] = "0123456789";
	__u64 seq, s0 = s_seq(self->fd);

	ASSERT_EQ(0, s0);
	ASSERT_EQ(4, pwrite(self->fd, buf, 4, 0));
	EXPECT_EQ(1, s_seq(self->fd));
	ASSERT_EQ(0, s_io(self->fd, IPCDEV_IOC_SHM_WRITE, buf, 8, 100, &seq));
	EXPECT_EQ(2, seq);
	EXPECT_EQ(2, s_seq(self->fd));
	ASSERT_EQ(0, s_publish(self->fd));
	EXPECT_EQ(3, s_seq(self->fd));
	/* Reads do not. */
	ASSERT_EQ(4, pread(self->fd, buf, 4, 0));
	ASSERT_EQ(0, s_io(self->fd, IPCDEV_IOC_SHM_READ, buf, 8, 0, &seq));
	EXPECT_EQ(3, seq);
	EXPECT_EQ(3, s_seq(self->fd));
	/* A failed write does not either. */
	EXPECT_EQ(-1, pwrite(self->fd, buf, 1, 2 * self->ps));
	EXPECT_EQ(3, s_seq(self->fd));
}

static int child_wait_change(int fd)
{
	__u64 seq;
	int r = s_wait_change(fd, 5, 0, 0, &seq);

	if (r)
		return -r;
	return seq == 6 ? 0 : CHILD_BADDATA;
}

TEST_F(seg, wait_change)
{
	__u64 seq, t0, dl;
	pid_t pid;

	for (int i = 0; i < 5; i++)
		ASSERT_EQ(0, s_publish(self->fd));
	/* Stale: at once. */
	t0 = now_ns();
	EXPECT_EQ(0, s_wait_change(self->fd, 2, 0, 0, &seq));
	EXPECT_EQ(5, seq);
	EXPECT_GT(t0 + 2 * SEC, now_ns());
	/* Current: EAGAIN without waiting, ETIMEDOUT at the deadline. */
	EXPECT_EQ(-EAGAIN, s_wait_change(self->fd, 5, IPCDEV_WAIT_NONBLOCK, 0, &seq));
	EXPECT_EQ(5, seq);
	dl = deadline_in_ms(300);
	EXPECT_EQ(-ETIMEDOUT, s_wait_change(self->fd, 5, IPCDEV_WAIT_DEADLINE, dl, &seq));
	EXPECT_EQ(5, seq);
	EXPECT_LE(dl, now_ns());
	EXPECT_GT(dl + 10 * SEC, now_ns());

	/* Current: blocks until another process publishes. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(child_wait_change(self->fd));
	ASSERT_EQ(0, wait_change_waiters(self->fd, 1));
	sleep_ms(50);
	EXPECT_EQ(0, waitpid(pid, NULL, WNOHANG));	/* still waiting */
	ASSERT_EQ(0, s_publish(self->fd));
	EXPECT_EQ(0, wait_child(pid, 20000));
	EXPECT_EQ(0, wait_change_waiters(self->fd, 0));
}

TEST_F(seg, poll_pollin_after_publish)
{
	struct pollfd p = { .fd = self->fd, .events = POLLIN };
	pid_t pid;

	EXPECT_EQ(POLLOUT, poll_events(self->fd, POLLIN | POLLOUT));
	ASSERT_EQ(0, s_publish(self->fd));
	EXPECT_EQ(POLLIN | POLLOUT, poll_events(self->fd, POLLIN | POLLOUT));
	s_seq(self->fd);			/* STAT: seen */
	EXPECT_EQ(0, poll_events(self->fd, POLLIN));

	/* A blocked poll is woken by another process's PUBLISH. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		sleep_ms(200);
		_exit(-s_publish(self->fd));
	}
	EXPECT_EQ(1, poll(&p, 1, 20000));
	EXPECT_EQ(POLLIN, p.revents);
	EXPECT_EQ(0, wait_child(pid, 20000));
	/* WAIT_CHANGE marks it seen too. */
	EXPECT_EQ(0, s_wait_change(self->fd, 0, 0, 0, NULL));
	EXPECT_EQ(0, poll_events(self->fd, POLLIN));
	/* And a pwrite is a change. */
	ASSERT_EQ(1, pwrite(self->fd, "w", 1, 0));
	EXPECT_EQ(POLLIN, poll_events(self->fd, POLLIN));
}

/* ------------------------------------------------------------------ */
/* READ and WRITE: snapshots and bounds                               */
/* ------------------------------------------------------------------ */

#define SNAP_SIZE	(64 * 1024)

TEST_F_TIMEOUT(seg, read_is_a_snapshot_of_writes, 300)
{
	unsigned char *buf = malloc(SNAP_SIZE);
	volatile int *stop;
	int fd = s_raw(SNAP_SIZE), mixed = 0, distinct = 0, last = -1;
	__u64 end;
	pid_t pid;

	ASSERT_NE(NULL, buf);
	ASSERT_LE(0, fd);
	stop = mmap(NULL, sizeof(*stop), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, stop);
	*stop = 0;
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		unsigned char *w = malloc(SNAP_SIZE);

		if (!w)
			_exit(CHILD_NOMEM);
		for (unsigned int k = 1; !*stop; k++) {
			memset(w, k & 0xff, SNAP_SIZE);
			if (s_io(fd, IPCDEV_IOC_SHM_WRITE, w, SNAP_SIZE, 0, NULL))
				_exit(CHILD_OTHER);
		}
		_exit(0);
	}
	end = now_ns() + 3 * SEC;
	for (int i = 0; i < 100000 && now_ns() < end; i++) {
		ASSERT_EQ(0, s_io(fd, IPCDEV_IOC_SHM_READ, buf, SNAP_SIZE, 0, NULL));
		if (!all_bytes(buf, SNAP_SIZE, buf[0]))
			mixed++;
		if (buf[0] != last)
			distinct++;
		last = buf[0];
	}
	*stop = 1;
	EXPECT_EQ(0, wait_child(pid, 60000));
	EXPECT_EQ(0, mixed) TH_LOG("%d reads saw a mix of two writes", mixed);
	/* The writer really ran while we read. */
	EXPECT_LE(3, distinct);
	munmap((void *)stop, sizeof(*stop));
	free(buf);
	close(fd);
}

TEST(bounds)
{
	unsigned char buf[64];
	__u64 seq;
	int fd = s_raw(100);
	struct ipcdev_shm_io io = { .buf = ptr(buf), .len = 4 };

	ASSERT_LE(0, fd);
	memset(buf, 'x', sizeof(buf));
	EXPECT_EQ(-1, pwrite(fd, buf, 1, 100));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(-1, pwrite(fd, buf, 1, 5000));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(10, pwrite(fd, buf, 20, 90));		/* cut short */
	EXPECT_EQ(0, pread(fd, buf, 1, 100));
	EXPECT_EQ(10, pread(fd, buf, 20, 90));
	EXPECT_TRUE(all_bytes(buf, 10, 'x'));
	seq = s_seq(fd);

	EXPECT_EQ(-EINVAL, s_io(fd, IPCDEV_IOC_SHM_WRITE, buf, 20, 90, NULL));
	EXPECT_EQ(-EINVAL, s_io(fd, IPCDEV_IOC_SHM_WRITE, buf, 1, 100, NULL));
	EXPECT_EQ(-EINVAL, s_io(fd, IPCDEV_IOC_SHM_WRITE, buf, 1, ~0ULL, NULL));
	EXPECT_EQ(-EINVAL, s_io(fd, IPCDEV_IOC_SHM_WRITE, buf, ~0ULL, 1, NULL));
	EXPECT_EQ(-EINVAL, s_io(fd, IPCDEV_IOC_SHM_READ, buf, 11, 90, NULL));
	EXPECT_EQ(-EINVAL, s_io(fd, IPCDEV_IOC_SHM_READ, buf, 1, 101, NULL));
	EXPECT_EQ(0, s_io(fd, IPCDEV_IOC_SHM_READ, buf, 10, 90, NULL));
	io.flags = 1;
	EXPECT_EQ(-EINVAL, ioc(fd, IPCDEV_IOC_SHM_WRITE, &io));
	EXPECT_EQ(-EINVAL, ioc(fd, IPCDEV_IOC_SHM_READ, &io));
	io.flags = 0;
	io.reserved = 1;
	EXPECT_EQ(-EINVAL, ioc(fd, IPCDEV_IOC_SHM_WRITE, &io));
	EXPECT_EQ(-EINVAL, ioc(fd, IPCDEV_IOC_SHM_READ, &io));
	EXPECT_EQ(seq, s_seq(fd));
	close(fd);
}

TEST(bad_reserved_and_flags)
{
	struct ipcdev_shm_lock l = { .reserved = 1 };
	struct ipcdev_shm_change c = { .reserved = 1 };
	int fd = s_raw(64);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, ioc(fd, IPCDEV_IOC_SHM_LOCK, &l));
	l.reserved = 0;
	l.flags = 0x4;
	EXPECT_EQ(-EINVAL, ioc(fd, IPCDEV_IOC_SHM_LOCK, &l));
	EXPECT_EQ(-EINVAL, ioc(fd, IPCDEV_IOC_SHM_WAIT_CHANGE, &c));
	c.reserved = 0;
	c.flags = 0x80;
	EXPECT_EQ(-EINVAL, ioc(fd, IPCDEV_IOC_SHM_WAIT_CHANGE, &c));
	EXPECT_EQ(-EINVAL, ioc(fd, IPCDEV_IOC_SHM_UNLOCK, (void *)1));
	EXPECT_EQ(-EINVAL, ioc(fd, IPCDEV_IOC_SHM_PUBLISH, (void *)1));
	EXPECT_EQ(0, s_seq(fd));
	EXPECT_EQ(0, s_lock_owner(fd));
	/* Structures at bad addresses. */
	EXPECT_EQ(-EFAULT, ioc(fd, IPCDEV_IOC_SHM_STAT, unmapped_addr()));
	EXPECT_EQ(-EFAULT, ioc(fd, IPCDEV_IOC_SHM_LOCK, unmapped_addr()));
	EXPECT_EQ(-EFAULT, ioc(fd, IPCDEV_IOC_SHM_READ, unmapped_addr()));
	close(fd);
}

TEST(write_efault_leaves_segment_unchanged)
{
	long ps = page_size();
	unsigned char *g = (unsigned char *)guarded_page(), buf[256];
	__u64 seq;
	int fd = s_raw(256);

	ASSERT_NE(NULL, g);
	ASSERT_LE(0, fd);
	memset(buf, 'A', sizeof(buf));
	ASSERT_EQ(0, s_io(fd, IPCDEV_IOC_SHM_WRITE, buf, 256, 0, NULL));
	seq = s_seq(fd);
	/* 128 readable bytes, then the PROT_NONE page. */
	memset(g + ps - 128, 'B', 128);
	EXPECT_EQ(-EFAULT, s_io(fd, IPCDEV_IOC_SHM_WRITE, g + ps - 128, 256, 0, NULL));
	EXPECT_EQ(-EFAULT, s_io(fd, IPCDEV_IOC_SHM_WRITE, unmapped_addr(), 16, 0, NULL));
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(256, pread(fd, buf, 256, 0));
	EXPECT_TRUE(all_bytes(buf, 256, 'A'));
	EXPECT_EQ(seq, s_seq(fd));
	/* Reading into it fails the same way. */
	EXPECT_EQ(-EFAULT, s_io(fd, IPCDEV_IOC_SHM_READ, g + ps - 128, 256, 0, NULL));
	munmap(g, 2 * ps);
	close(fd);
}

/* ------------------------------------------------------------------ */
/* fdinfo, device descriptors, unknown ioctls                         */
/* ------------------------------------------------------------------ */

TEST(fdinfo_fields)
{
	char v[64], want[32];
	void *p;
	int fd = s_new('d', 5, 0);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fdinfo(fd, "ipcdev-kind", v, sizeof(v)));
	EXPECT_STREQ("shm", v);
	ASSERT_EQ(0, fdinfo(fd, "ipcdev-type", v, sizeof(v)));
	EXPECT_STREQ("d", v);
	ASSERT_EQ(0, fdinfo(fd, "ipcdev-count", v, sizeof(v)));
	EXPECT_STREQ("5", v);
	ASSERT_EQ(0, fdinfo(fd, "ipcdev-size", v, sizeof(v)));
	EXPECT_STREQ("40", v);
	ASSERT_EQ(0, fdinfo(fd, "ipcdev-mappings", v, sizeof(v)));
	EXPECT_STREQ("0", v);
	ASSERT_EQ(0, fdinfo(fd, "ipcdev-lock-owner", v, sizeof(v)));
	EXPECT_STREQ("0", v);
	p = mmap(NULL, 40, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, s_lock(fd, 0, 0));
	ASSERT_EQ(0, fdinfo(fd, "ipcdev-mappings", v, sizeof(v)));
	EXPECT_STREQ("1", v);
	snprintf(want, sizeof(want), "%d", getpid());
	ASSERT_EQ(0, fdinfo(fd, "ipcdev-lock-owner", v, sizeof(v)));
	EXPECT_STREQ(want, v);
	ASSERT_EQ(0, s_unlock(fd));
	munmap(p, 40);
	ASSERT_EQ(0, fdinfo(fd, "ipcdev-mappings", v, sizeof(v)));
	EXPECT_STREQ("0", v);
	close(fd);

	fd = s_raw(10);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fdinfo(fd, "ipcdev-type", v, sizeof(v)));
	EXPECT_STREQ("-", v);
	ASSERT_EQ(0, fdinfo(fd, "ipcdev-count", v, sizeof(v)));
	EXPECT_STREQ("10", v);
	close(fd);
}

/* A device descriptor is a factory, no segment: it refuses segment calls. */
TEST(device_descriptor_is_no_segment)
{
	struct ipcdev_shm_stat st;
	struct ipcdev_shm_lock l = {};
	struct ipcdev_shm_change c = {};
	struct ipcdev_shm_open o = { .size = 8 };
	char buf[8] = "", v[32];
	int fd = open(DEV, O_RDWR), sfd;

	ASSERT_LE(0, fd);
	EXPECT_EQ(-ENOTTY, s_stat(fd, &st));
	EXPECT_EQ(-ENOTTY, ioc(fd, IPCDEV_IOC_SHM_LOCK, &l));
	EXPECT_EQ(-ENOTTY, s_unlock(fd));
	EXPECT_EQ(-ENOTTY, s_publish(fd));
	EXPECT_EQ(-ENOTTY, ioc(fd, IPCDEV_IOC_SHM_WAIT_CHANGE, &c));
	EXPECT_EQ(-ENOTTY, s_io(fd, IPCDEV_IOC_SHM_READ, buf, 1, 0, NULL));
	EXPECT_EQ(-ENOTTY, s_io(fd, IPCDEV_IOC_SHM_WRITE, buf, 1, 0, NULL));
	EXPECT_EQ(-1, pread(fd, buf, 1, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, pwrite(fd, buf, 1, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(-1, fdinfo(fd, "ipcdev-kind", v, sizeof(v)));
	/* It opens segments, each a new descriptor, usable at once. */
	sfd = ioctl(fd, IPCDEV_IOC_SHM_OPEN, &o);
	ASSERT_LE(0, sfd);
	EXPECT_NE(fd, sfd);
	EXPECT_EQ(0, s_stat(sfd, &st));
	EXPECT_EQ(8, st.size);
	EXPECT_EQ(1, pwrite(sfd, "z", 1, 3));
	EXPECT_EQ(1, pread(sfd, buf, 1, 3));
	EXPECT_EQ('z', buf[0]);
	EXPECT_EQ(0, fdinfo(sfd, "ipcdev-kind", v, sizeof(v)));
	EXPECT_STREQ("shm", v);
	EXPECT_EQ(-ENOTTY, ioc(sfd, IPCDEV_IOC_SHM_OPEN, &o));
	close(sfd);
	close(fd);
}

TEST(unknown_ioctl_enotty)
{
	const unsigned long cmds[] = {
		_IO(IPCDEV_IOC_MAGIC, 0x3f), _IO(IPCDEV_IOC_MAGIC, 0x38),
		IPCDEV_IOC_QUEUE_STAT, IPCDEV_IOC_EVENT_SET, _IO('T', 1),
	};
	int bound = s_raw(8), unbound = open(DEV, O_RDWR);	/* a device fd */

	ASSERT_LE(0, bound);
	ASSERT_LE(0, unbound);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		EXPECT_EQ(-1, ioctl(bound, cmds[i], 0));
		EXPECT_EQ(ENOTTY, errno) TH_LOG("cmd %#lx", cmds[i]);
		EXPECT_EQ(-1, ioctl(unbound, cmds[i], 0));
		EXPECT_EQ(ENOTTY, errno) TH_LOG("cmd %#lx", cmds[i]);
	}
	close(bound);
	close(unbound);
}

/* ------------------------------------------------------------------ */
/* Named segments                                                     */
/* ------------------------------------------------------------------ */

NAMED_FIXTURE(named, "ksft-ipcshm", s_unlink);

/* Child: attach by name, check the geometry and the ints 100..109. */
static int child_attach_and_read(void *arg)
{
	struct ipcdev_shm_stat st;
	__s32 v[10], *p;
	int fd = s_open(arg, O_RDWR, 0, 0, 0, 0, 0);

	if (fd < 0)
		return -fd;
	if (s_stat(fd, &st))
		return CHILD_OTHER;
	if (st.type != 'i' || st.count != 10 || st.size != 40 ||
	    st.elem_size != 4 || !(st.flags & IPCDEV_STAT_NAMED))
		return CHILD_BADLEN;
	if (pread(fd, v, sizeof(v), 0) != sizeof(v))
		return CHILD_BADLEN;
	p = mmap(NULL, 40, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return CHILD_NOMEM;
	for (int i = 0; i < 10; i++)
		if (v[i] != 100 + i || p[i] != 100 + i)
			return CHILD_BADDATA;
	return 0;
}

TEST_F(named, create_attach_from_unrelated_process)
{
	__s32 v[10];
	pid_t pid;
	int fd;

	fd = s_open(self->name, O_RDWR, IPCDEV_CREAT | IPCDEV_EXCL, 0600,
		    'i', 10, 0);
	ASSERT_LE(0, fd) TH_LOG("%s", strerror(-fd));
	for (int i = 0; i < 10; i++)
		v[i] = 100 + i;
	ASSERT_EQ(sizeof(v), pwrite(fd, v, sizeof(v), 0));
	close(fd);		/* persists without a handle */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* Unrelated: inherits no handle, only the name. */
		_exit(child_attach_and_read(self->name));
	}
	EXPECT_EQ(0, wait_child(pid, 20000));
}

TEST_F(named, eexist_enoent_unlink)
{
	struct ipcdev_shm_stat s1, s2;
	char c = 0;
	int a, b;

	EXPECT_EQ(-ENOENT, s_open(self->name, O_RDWR, 0, 0, 0, 0, 0));
	a = s_open(self->name, O_RDWR, IPCDEV_CREAT | IPCDEV_EXCL, 0600,
		   IPCDEV_SHM_RAW, 0, 16);
	ASSERT_LE(0, a);
	EXPECT_EQ(-EEXIST, s_open(self->name, O_RDWR, IPCDEV_CREAT | IPCDEV_EXCL,
				  0600, IPCDEV_SHM_RAW, 0, 16));
	/* CREAT of an existing name attaches, ignoring the geometry. */
	b = s_open(self->name, O_RDWR, IPCDEV_CREAT, 0600, 'd', 3, 0);
	ASSERT_LE(0, b);
	ASSERT_EQ(0, s_stat(a, &s1));
	ASSERT_EQ(0, s_stat(b, &s2));
	EXPECT_EQ(s1.id, s2.id);
	EXPECT_EQ(16, s2.size);
	EXPECT_EQ(IPCDEV_SHM_RAW, s2.type);
	EXPECT_EQ(IPCDEV_STAT_NAMED, s2.flags);
	close(b);

	ASSERT_EQ(0, s_unlink(self->name));
	EXPECT_EQ(-ENOENT, s_unlink(self->name));
	EXPECT_EQ(-ENOENT, s_open(self->name, O_RDWR, 0, 0, 0, 0, 0));
	/* The object lives on with its handle. */
	ASSERT_EQ(0, s_stat(a, &s1));
	EXPECT_EQ(IPCDEV_STAT_NAMED | IPCDEV_STAT_UNLINKED, s1.flags);
	ASSERT_EQ(1, pwrite(a, "u", 1, 3));
	ASSERT_EQ(1, pread(a, &c, 1, 3));
	EXPECT_EQ('u', c);
	/* The name can be used again for a new segment. */
	b = s_open(self->name, O_RDWR, IPCDEV_CREAT | IPCDEV_EXCL, 0600,
		   IPCDEV_SHM_RAW, 0, 16);
	ASSERT_LE(0, b);
	ASSERT_EQ(0, s_stat(b, &s2));
	EXPECT_NE(s1.id, s2.id);
	close(a);
	close(b);
}

static int attach_as_nobody(const char *name, int oflags)
{
	struct ipcdev_shm_open o = { .name = ptr(name) };

	return bind_as(NOBODY, NOBODY, DEV, oflags, IPCDEV_IOC_SHM_OPEN, &o);
}

TEST_F(named, eacces_for_nobody)
{
	int fd = s_open(self->name, O_RDWR, IPCDEV_CREAT, 0600,
			IPCDEV_SHM_RAW, 0, 64);

	ASSERT_LE(0, fd);
	EXPECT_EQ(EACCES, attach_as_nobody(self->name, O_RDONLY));
	EXPECT_EQ(EACCES, attach_as_nobody(self->name, O_RDWR));
	EXPECT_EQ(EACCES, attach_as_nobody(self->name, O_WRONLY));
	close(fd);
	ASSERT_EQ(0, s_unlink(self->name));

	fd = s_open(self->name, O_RDWR, IPCDEV_CREAT, 0644,
		    IPCDEV_SHM_RAW, 0, 64);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, attach_as_nobody(self->name, O_RDONLY));
	EXPECT_EQ(EACCES, attach_as_nobody(self->name, O_RDWR));
	close(fd);
}

TEST_F(named, read_only_handle)
{
	long ps = page_size();
	unsigned char *p, c = 0;
	int rw, ro;

	rw = s_open(self->name, O_RDWR, IPCDEV_CREAT, 0644, IPCDEV_SHM_RAW, 0, ps);
	ASSERT_LE(0, rw);
	ASSERT_EQ(1, pwrite(rw, "R", 1, 0));
	ro = s_open(self->name, O_RDONLY, 0, 0, 0, 0, 0);
	ASSERT_LE(0, ro);

	EXPECT_EQ(MAP_FAILED, mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, ps, PROT_WRITE, MAP_SHARED, ro, 0));
	EXPECT_EQ(EACCES, errno);
	p = mmap(NULL, ps, PROT_READ, MAP_SHARED, ro, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ('R', p[0]);
	EXPECT_EQ(-1, mprotect(p, ps, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	munmap(p, ps);

	/* No writes through the other paths either. */
	EXPECT_EQ(-1, pwrite(ro, "x", 1, 0));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(-EBADF, s_io(ro, IPCDEV_IOC_SHM_WRITE, "x", 1, 0, NULL));
	EXPECT_EQ(-EBADF, s_publish(ro));
	EXPECT_EQ(0, poll_events(ro, POLLOUT));

	/* A private writable mapping is fine: nothing reaches the segment. */
	p = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0);
	ASSERT_NE(MAP_FAILED, p);
	p[0] = 'W';
	ASSERT_EQ(1, pread(rw, &c, 1, 0));
	EXPECT_EQ('R', c);
	munmap(p, ps);
	close(ro);
	close(rw);
}

/* ------------------------------------------------------------------ */
/* Object accounting (keep last)                                      */
/* ------------------------------------------------------------------ */

EMPTY_FIXTURE(zz_lifetime);

#define CYCLE_SIZE	(256 * 1024)

TEST_F_TIMEOUT(zz_lifetime, create_map_close_cycles, 900)
{
	long long objects0 = read_proc_stat("objects");
	long long handles0 = read_proc_stat("handles");
	long long shmem0 = meminfo_kb("Shmem"), avail0 = meminfo_kb("MemAvailable");
	long long shmem, avail;
	int fails = 0;

	ASSERT_LE(0, objects0) TH_LOG("no 'objects' in %s", PROC_STATS);
	ASSERT_LE(0, handles0);
	ASSERT_LE(0, shmem0);
	ASSERT_LE(0, avail0);
	for (int i = 0; i < 1000; i++) {
		int fd = s_raw(CYCLE_SIZE);
		unsigned char *p;

		if (fd < 0) {
			fails++;
			continue;
		}
		p = mmap(NULL, CYCLE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED) {
			fails++;
		} else {
			memset(p, i & 0xff, CYCLE_SIZE);	/* every page */
			munmap(p, CYCLE_SIZE);
		}
		if (i == 0)
			EXPECT_EQ(objects0 + 1, read_proc_stat("objects"));
		close(fd);
	}
	EXPECT_EQ(0, fails);
	EXPECT_EQ(objects0, wait_proc_stat("objects", objects0));
	EXPECT_EQ(handles0, wait_proc_stat("handles", handles0));
	/* 1000 leaked segments would hold 250 MiB. */
	shmem = meminfo_kb("Shmem");
	avail = meminfo_kb("MemAvailable");
	TH_LOG("Shmem %lld -> %lld kB, MemAvailable %lld -> %lld kB",
	       shmem0, shmem, avail0, avail);
	EXPECT_GT(shmem0 + 8 * 1024, shmem);
	EXPECT_LT(avail0 - 64 * 1024, avail);
}

TEST_HARNESS_MAIN
