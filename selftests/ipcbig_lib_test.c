// SPDX-License-Identifier: GPL-2.0
/*
 * Selftests of messages of any size and of the unbounded queue, through
 * libipcdev (issue 15): 17 MiB, 100 MiB and 1 GiB messages round-trip
 * byte-identical through a queue and a pipe, queued and handed straight to
 * a waiting receiver; Queue() takes 100,000 small messages before any get;
 * the byte quota fails a put with EDQUOT exactly at the limit, at once, and
 * leaves the queue intact; a sender killed in the middle of a 100 MiB put
 * leaves no message, no charged byte and nothing in /proc/ipcdev/stats.
 *
 * Built twice: ipcbig_lib_test has every test but the two of 1 GiB, which
 * ipcbig_gib_lib_test (-DIPCBIG_GIB) holds; the runner runs the latter on
 * the first stock kernel only (each 1 GiB round trip takes a minute or more
 * under software emulation, longer under KASAN or KCSAN).
 *
 * Run as root with the ipcdev module loaded.  The 1 GiB tests need about
 * 2.2 GiB of free memory (sender's buffer, the queued message, the
 * receiver's buffer, freeing the sender's first): vm-run --mem 4G.  They
 * are skipped, saying so, when MemAvailable is lower.
 */
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "ipcdev_lib_test.h"

/* Each of the two builds leaves some of the helpers below unused. */
#pragma GCC diagnostic ignored "-Wunused-function"

#define KiB		1024ULL
#define MiB		(1024 * KiB)
#define GiB		(1024 * MiB)
#define PARAMS		"/sys/module/ipcdev/parameters/"
#define BIG_UID		2150

/* ------------------------------------------------------------------ */
/* Helpers                                                            */
/* ------------------------------------------------------------------ */

static unsigned long long param_read(const char *name)
{
	char path[128];
	unsigned long long v = 0;
	FILE *f;

	snprintf(path, sizeof(path), PARAMS "%s", name);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%llu", &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

static int param_write(const char *name, unsigned long long v)
{
	char path[128];
	FILE *f;
	int r;

	snprintf(path, sizeof(path), PARAMS "%s", name);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	r = fprintf(f, "%llu\n", v) < 0 ? -EIO : 0;
	if (fclose(f))
		r = -errno;
	return r;
}

/* A value of /proc/ipcdev/stats, or -1. */
static long long proc_stat(const char *key)
{
	char k[32];
	long long v, r = -1;
	FILE *f = fopen("/proc/ipcdev/stats", "r");

	if (!f)
		return -1;
	while (fscanf(f, "%31s %lld", k, &v) == 2)
		if (!strcmp(k, key))
			r = v;
	fclose(f);
	return r;
}

/* MemAvailable in bytes. */
static unsigned long long mem_available(void)
{
	char line[128];
	unsigned long long kb = 0;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return kb * 1024;
}

/* A buffer; huge pages where the kernel has them (fewer faults in TCG). */
static void *map(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	madvise(p, len, MADV_HUGEPAGE);
	return p;
}

/* A pattern that differs in every 8-byte word and with every @seed. */
static inline uint64_t pat(size_t i, uint64_t seed)
{
	return (i + 1) * 0x9e3779b97f4a7c15ULL ^ seed;
}

static void pat_fill(void *buf, size_t len, uint64_t seed)
{
	uint64_t *w = buf;
	size_t i, n = len / 8;

	for (i = 0; i < n; i++)
		w[i] = pat(i, seed);
	for (i = n * 8; i < len; i++)
		((unsigned char *)buf)[i] = (unsigned char)(seed + i);
}

/* The first byte offset that differs from the pattern, or -1. */
static long long pat_check(const void *buf, size_t len, uint64_t seed)
{
	const uint64_t *w = buf;
	size_t i, n = len / 8;

	for (i = 0; i < n; i++)
		if (w[i] != pat(i, seed))
			return (long long)i * 8;
	for (i = n * 8; i < len; i++)
		if (((const unsigned char *)buf)[i] != (unsigned char)(seed + i))
			return (long long)i;
	return -1;
}

/* A queue, or a pipe (@e[0] receives, @e[1] sends), for any size. */
static int chan_new(bool pipe, int e[2])
{
	struct ipc_queue_attr qa = { .msgsize_max = IPC_UNLIMITED };
	struct ipc_pipe_attr pa = { .msgsize_max = IPC_UNLIMITED };
	int r;

	if (pipe)
		return ipc_pipe2(0, &pa, e);
	r = ipc_queue_create(&qa);
	if (r < 0)
		return r;
	e[0] = e[1] = r;
	return 0;
}

static void chan_close(bool pipe, int e[2])
{
	if (pipe) {
		ipc_pipe_close(e[0]);
		ipc_pipe_close(e[1]);
	} else {
		ipc_queue_close(e[0]);
	}
}

static int chan_send(bool pipe, int fd, const void *buf, size_t len)
{
	return pipe ? ipc_pipe_send(fd, buf, len, 1, 60 * SEC) :
		      ipc_queue_put(fd, buf, len, 1, 60 * SEC);
}

static ssize_t chan_recv(bool pipe, int fd, void *buf, size_t size)
{
	return pipe ? ipc_pipe_recv(fd, buf, size, NULL, 1, 600 * SEC) :
		      ipc_queue_get(fd, buf, size, NULL, 1, 600 * SEC);
}

/* Drop root (and so CAP_SYS_RESOURCE): the quota applies. */
static int become(uid_t uid)
{
	if (setresgid(uid, uid, uid) || setresuid(uid, uid, uid))
		return -errno;
	return 0;
}

/*
 * Send @len bytes and receive them back in one process: the message is
 * queued, the sender's buffer freed, then it is taken.  0 or an error
 * code for the caller's log (negative errno of a call, or 1: data).
 */
static int roundtrip_queued(bool pipe, size_t len, uint64_t seed,
			    long long *bad)
{
	unsigned char *buf;
	ssize_t n;
	int e[2], r;

	*bad = -1;
	r = chan_new(pipe, e);
	if (r)
		return r;
	buf = map(len);
	if (!buf) {
		r = -ENOMEM;
		goto out;
	}
	pat_fill(buf, len, seed);
	r = chan_send(pipe, e[1], buf, len);
	munmap(buf, len);
	if (r)
		goto out;
	buf = map(len);
	if (!buf) {
		r = -ENOMEM;
		goto out;
	}
	n = chan_recv(pipe, e[0], buf, len);
	if (n != (ssize_t)len) {
		r = n < 0 ? (int)n : -EPROTO;
	} else {
		*bad = pat_check(buf, len, seed);
		r = *bad < 0 ? 0 : 1;
	}
	munmap(buf, len);
out:
	chan_close(pipe, e);
	return r;
}

/*
 * Send @len bytes to a receiver already asleep in another process: the
 * message is handed over (one copy into the kernel, one out).  The child
 * exits 0 when it received the pattern.
 */
static int roundtrip_handed(bool pipe, size_t len, uint64_t seed)
{
	struct ipcdev_queue_stat qs;
	struct ipcdev_pipe_stat ps;
	unsigned char *buf;
	int e[2], r, i;
	pid_t pid;

	r = chan_new(pipe, e);
	if (r)
		return r;
	pid = fork();
	if (pid == 0) {
		unsigned char *in = map(len);

		if (!in)
			_exit(2);
		if (chan_recv(pipe, e[0], in, len) != (ssize_t)len)
			_exit(3);
		_exit(pat_check(in, len, seed) < 0 ? 0 : 4);
	}
	buf = map(len);
	if (pid < 0 || !buf) {
		r = -ENOMEM;
		goto out;
	}
	pat_fill(buf, len, seed);
	/* Wait until the receiver sleeps, so that the put hands over. */
	for (i = 0; i < 2000; i++) {
		if (pipe ? ipc_pipe_stat(e[0], &ps) : ipc_queue_stat(e[0], &qs))
			break;
		if ((pipe ? ps.receivers : qs.getters) == 1)
			break;
		sleep_ms(5);
	}
	r = chan_send(pipe, e[1], buf, len);
	munmap(buf, len);
	if (r) {
		kill(pid, SIGKILL);
		reap(pid);
		goto out;
	}
	r = reap(pid);
	r = r ? 100 + r : 0;
out:
	chan_close(pipe, e);
	return r;
}

/* ------------------------------------------------------------------ */
/* Round trips                                                        */
/* ------------------------------------------------------------------ */

FIXTURE(big) {
	unsigned long long quota;
};

FIXTURE_SETUP(big)
{
	self->quota = param_read("user_bytes_max");
	ASSERT_NE(0, self->quota) TH_LOG("is the ipcdev module loaded?");
}

FIXTURE_TEARDOWN(big)
{
	param_write("user_bytes_max", self->quota);
}

#define NEED_MEM(b)							\
	do {								\
		if (mem_available() < (b))				\
			SKIP(return, "needs %llu MiB free, has %llu (vm-run --mem 4G)", \
			     (b) >> 20, mem_available() >> 20);	\
	} while (0)

/* Beyond the old 16 MiB msgsize_max, and the old 256 MiB hard cap. */
#ifndef IPCBIG_GIB
TEST_F_TIMEOUT(big, queue_17m_100m_queued, 300)
{
	long long bad;

	EXPECT_EQ(0, roundtrip_queued(false, 17 * MiB, 1, &bad))
		TH_LOG("17 MiB: first bad byte %lld", bad);
	EXPECT_EQ(0, roundtrip_queued(false, 100 * MiB + 3, 2, &bad))
		TH_LOG("100 MiB: first bad byte %lld", bad);
}

TEST_F_TIMEOUT(big, pipe_17m_100m_queued, 300)
{
	long long bad;

	EXPECT_EQ(0, roundtrip_queued(true, 17 * MiB, 3, &bad))
		TH_LOG("17 MiB: first bad byte %lld", bad);
	EXPECT_EQ(0, roundtrip_queued(true, 100 * MiB + 5, 4, &bad))
		TH_LOG("100 MiB: first bad byte %lld", bad);
}

TEST_F_TIMEOUT(big, queue_and_pipe_100m_handed_over, 600)
{
	EXPECT_EQ(0, roundtrip_handed(false, 17 * MiB + 1, 5));
	EXPECT_EQ(0, roundtrip_handed(false, 100 * MiB, 6));
	EXPECT_EQ(0, roundtrip_handed(true, 17 * MiB + 1, 7));
	EXPECT_EQ(0, roundtrip_handed(true, 100 * MiB, 8));
}

#else /* IPCBIG_GIB: the 1 GiB tests, ipcbig_gib_lib_test */
/* 1 GiB as root: CAP_SYS_RESOURCE passes a quota far below it. */
TEST_F_TIMEOUT(big, gib_root_past_quota, 900)
{
	long long bad;
	int64_t t0;

	NEED_MEM(2 * GiB + 256 * MiB);
	ASSERT_EQ(0, param_write("user_bytes_max", 16 * MiB));
	t0 = now_ns();
	EXPECT_EQ(0, roundtrip_queued(false, GiB, 9, &bad))
		TH_LOG("queue: first bad byte %lld", bad);
	TH_LOG("queue 1 GiB round trip: %lld ms", (now_ns() - t0) / MS);
	t0 = now_ns();
	EXPECT_EQ(0, roundtrip_queued(true, GiB, 10, &bad))
		TH_LOG("pipe: first bad byte %lld", bad);
	TH_LOG("pipe 1 GiB round trip: %lld ms", (now_ns() - t0) / MS);
	EXPECT_EQ(0, proc_stat("sending"));
}

/*
 * 1 GiB as an ordinary user, within the quota: exactly 1 GiB (the
 * default) holds the message; one byte more is EDQUOT.  (The pipe takes
 * the same path into the channel; gib_root_past_quota covers its 1 GiB.)
 */
TEST_F_TIMEOUT(big, gib_user_within_quota, 900)
{
	pid_t pid;

	NEED_MEM(2 * GiB + 256 * MiB);
	ASSERT_EQ(0, param_write("user_bytes_max", GiB));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		long long bad;
		int e[2];

		if (become(BIG_UID))
			_exit(10);
		/* Over the quota: refused before any memory is taken. */
		if (chan_new(false, e))
			_exit(11);
		if (ipc_queue_put(e[0], "", GiB + 1, 1, IPC_FOREVER) != -EDQUOT)
			_exit(12);
		chan_close(false, e);
		if (roundtrip_queued(false, GiB, 11, &bad))
			_exit(13);
		_exit(0);
	}
	EXPECT_EQ(0, reap(pid));
}

#endif

#ifndef IPCBIG_GIB
/*
 * write(2) is cut by the VFS to MAX_RW_COUNT (2 GiB - 4 KiB) before the
 * device sees it: a longer write must fail whole (EMSGSIZE), never put a
 * truncated message, even with no message size limit.
 */
TEST_F_TIMEOUT(big, write_never_truncates, 120)
{
	size_t len = 3 * GiB;
	void *buf = mmap(NULL, len, PROT_READ,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	int e[2];

	ASSERT_NE(MAP_FAILED, buf);
	for (int p = 0; p < 2; p++) {
		ASSERT_EQ(0, chan_new(p, e));
		errno = 0;
		EXPECT_EQ(-1, write(e[1], buf, len)) TH_LOG("%s", p ? "pipe" : "queue");
		EXPECT_EQ(EMSGSIZE, errno);
		if (p) {
			EXPECT_EQ(-EAGAIN, ipc_pipe_recv(e[0], NULL, 0, NULL, 0, 0));
		} else {
			EXPECT_EQ(0, ipc_queue_qsize(e[0]));
		}
		EXPECT_EQ(0, proc_stat("sending"));
		chan_close(p, e);
	}
	munmap(buf, len);
}

/* ------------------------------------------------------------------ */
/* The unbounded queue                                                */
/* ------------------------------------------------------------------ */

struct item {
	uint32_t index;
	unsigned char pad[96];
};

/*
 * Queue() (all limits 0): 100,000 messages of 100 bytes go in before any
 * get, never waiting (the old defaults stopped at 1 MiB or 65,536), and
 * come out in order.
 */
TEST_F_TIMEOUT(big, unbounded_queue_100000_before_get, 300)
{
	struct ipcdev_queue_stat st;
	struct item it;
	int q = ipc_queue_create(NULL), i, bad = -1;

	ASSERT_LE(0, q);
	memset(&it, 0x5a, sizeof(it));
	for (i = 0; i < 100000; i++) {
		it.index = i;
		/* block == 0: a bound would show as -EAGAIN, not as a hang. */
		if (ipc_queue_put(q, &it, sizeof(it) - 4, 0, 0))
			break;
	}
	EXPECT_EQ(100000, i);
	ASSERT_EQ(0, ipc_queue_stat(q, &st));
	EXPECT_EQ(100000, st.count);
	EXPECT_EQ(100000ULL * (sizeof(it) - 4), st.bytes);
	EXPECT_EQ(0, st.full);
	EXPECT_EQ(IPC_UNLIMITED, st.maxsize);
	EXPECT_EQ(IPC_UNLIMITED, st.bytes_max);
	for (i = 0; i < 100000; i++) {
		memset(&it, 0, sizeof(it));
		if (ipc_queue_get(q, &it, sizeof(it), NULL, 0, 0) !=
		    (ssize_t)sizeof(it) - 4 || it.index != (uint32_t)i ||
		    it.pad[90] != 0x5a) {
			bad = i;
			break;
		}
	}
	EXPECT_EQ(-1, bad);
	EXPECT_EQ(1, ipc_queue_empty(q));
	ipc_queue_close(q);
}

/* ------------------------------------------------------------------ */
/* The quota                                                          */
/* ------------------------------------------------------------------ */

#define QUOTA	(1 * MiB)

static void alarm_exit(int sig)
{
	(void)sig;
	_exit(99);		/* a put waited instead of failing */
}

/*
 * As an ordinary user with a 1 MiB quota: 256 messages of 4 KiB fill it,
 * the next put fails with EDQUOT at once (even a blocking one without a
 * timeout), and every message queued before is still there, in order.
 * Then the exact rest of the quota: QUOTA - 10 bytes held, 11 refused,
 * 10 taken.
 */
static int quota_child(bool pipe)
{
	static unsigned char msg[4096], in[4096];
	int e[2], i, n = QUOTA / sizeof(msg);

	if (become(BIG_UID + 1))
		return 10;
	if (chan_new(pipe, e))
		return 11;
	signal(SIGALRM, alarm_exit);
	for (i = 0; i < n; i++) {
		memset(msg, i, sizeof(msg));
		if (chan_send(pipe, e[1], msg, sizeof(msg)))
			return 12;
	}
	alarm(5);
	if ((pipe ? ipc_pipe_send(e[1], msg, 1, 1, IPC_FOREVER) :
		    ipc_queue_put(e[1], msg, 1, 1, IPC_FOREVER)) != -EDQUOT)
		return 13;
	alarm(0);
	/* A zero-length message holds no bytes: still admitted. */
	if (chan_send(pipe, e[1], NULL, 0))
		return 14;
	for (i = 0; i < n; i++) {
		memset(msg, i, sizeof(msg));
		if (chan_recv(pipe, e[0], in, sizeof(in)) != sizeof(in) ||
		    memcmp(in, msg, sizeof(in)))
			return 15;
	}
	if (chan_recv(pipe, e[0], in, sizeof(in)) != 0)
		return 16;
	/* Exact: QUOTA - 10 fits, then 11 more bytes do not, 10 do. */
	{
		unsigned char *big = map(QUOTA);

		if (!big)
			return 17;
		if (chan_send(pipe, e[1], big, QUOTA - 10))
			return 18;
		if (chan_send(pipe, e[1], big, 11) != -EDQUOT)
			return 19;
		if (chan_send(pipe, e[1], big, 10))
			return 20;
		munmap(big, QUOTA);
	}
	chan_close(pipe, e);
	return 0;
}

TEST_F_TIMEOUT(big, quota_edquot_exact_queue_intact, 120)
{
	pid_t pid;

	ASSERT_EQ(0, param_write("user_bytes_max", QUOTA));
	for (int p = 0; p < 2; p++) {
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0)
			_exit(quota_child(p));
		EXPECT_EQ(0, reap(pid)) TH_LOG("%s", p ? "pipe" : "queue");
	}
}

/* ------------------------------------------------------------------ */
/* A sender killed in the middle of a 100 MiB put                     */
/* ------------------------------------------------------------------ */

#define KILL_LEN	(100 * MiB)
#define KILL_QUOTA	(150 * MiB)

struct put_arg {
	int q;
	void *buf;
};

static void *put_thread(void *a)
{
	struct put_arg *p = a;

	ipc_queue_put(p->q, p->buf, KILL_LEN, 1, IPC_FOREVER);
	return NULL;
}

/*
 * The sender: its buffer's last page is missing under userfaultfd, so the
 * put stops there, with every earlier page copied in.  It says so on @wr
 * and waits to be killed.  The userfaultfd is made while still root (a
 * kernel-mode fault needs it), then the sender becomes an ordinary user.
 */
static int killed_sender(int q, int wr)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg;
	struct uffd_msg m;
	struct put_arg a = { .q = q };
	long ps = sysconf(_SC_PAGESIZE);
	struct pollfd pfd;
	pthread_t t;
	int uffd;

	uffd = syscall(SYS_userfaultfd, O_CLOEXEC);
	if (uffd < 0 || ioctl(uffd, UFFDIO_API, &api))
		return 20;
	a.buf = map(KILL_LEN);
	if (!a.buf)
		return 21;
	memset(&reg, 0, sizeof(reg));
	reg.range.start = (uintptr_t)a.buf + KILL_LEN - ps;
	reg.range.len = ps;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	if (ioctl(uffd, UFFDIO_REGISTER, &reg))
		return 22;
	pat_fill(a.buf, KILL_LEN - ps, 13);
	if (become(BIG_UID + 2))
		return 23;
	if (pthread_create(&t, NULL, put_thread, &a))
		return 24;
	pfd.fd = uffd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 120000) != 1 || read(uffd, &m, sizeof(m)) != sizeof(m) ||
	    m.event != UFFD_EVENT_PAGEFAULT)
		return 25;
	if (write(wr, "x", 1) != 1)
		return 26;
	for (;;)
		pause();
}

/*
 * The sender where there is no userfaultfd (the debug kernel): it says it
 * starts on @wr, then puts the whole buffer; the test kills it once
 * /proc/ipcdev/stats counts the put as being sent (a 100 MiB copy takes
 * seconds under emulation).  Exit code 30: the put ended before the kill.
 */
static int killed_sender_plain(int q, int wr)
{
	void *buf = map(KILL_LEN);

	if (!buf)
		return 21;
	pat_fill(buf, KILL_LEN, 13);
	if (become(BIG_UID + 2))
		return 23;
	if (write(wr, "x", 1) != 1)
		return 26;
	ipc_queue_put(q, buf, KILL_LEN, 1, IPC_FOREVER);
	return 30;
}

static bool have_userfaultfd(void)
{
	int fd = syscall(SYS_userfaultfd, O_CLOEXEC);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/*
 * A put of @len from the quota's user, from an inaccessible page: EDQUOT
 * if the quota cannot hold @len more bytes (charged before anything is
 * read), else EFAULT.  The child's exit code is the errno.
 */
static int probe(int q, size_t len)
{
	pid_t pid = fork();

	if (pid == 0) {
		void *none = mmap(NULL, 4096, PROT_NONE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (none == MAP_FAILED || become(BIG_UID + 2))
			_exit(200);
		_exit(-ipc_queue_put(q, none, len, 0, 0));
	}
	return pid < 0 ? -1 : reap(pid);
}

TEST_F_TIMEOUT(big, sender_killed_mid_put_leaves_nothing, 300)
{
	long long bytes0 = proc_stat("bytes"), sending0 = proc_stat("sending");
	struct ipcdev_queue_stat st;
	bool uffd;
	int q, p[2];
	pid_t pid;
	char c;

	ASSERT_LE(0, bytes0);
	ASSERT_LE(0, sending0);
	ASSERT_EQ(0, param_write("user_bytes_max", KILL_QUOTA));
	ASSERT_EQ(0, chan_new(false, p));
	q = p[0];
	/* Control: the whole quota is free, 1 byte more is not. */
	EXPECT_EQ(EFAULT, probe(q, KILL_QUOTA));
	EXPECT_EQ(EDQUOT, probe(q, KILL_QUOTA + 1));
	uffd = have_userfaultfd();
	if (!uffd)
		TH_LOG("no userfaultfd: the sender is killed while its put copies");
	ASSERT_EQ(0, pipe(p));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(p[0]);
		_exit(uffd ? killed_sender(q, p[1]) : killed_sender_plain(q, p[1]));
	}
	close(p[1]);
	ASSERT_EQ(1, read(p[0], &c, 1)) TH_LOG("sender: %d", reap(pid));
	/* Without userfaultfd: wait until the put is under way. */
	for (int i = 0; !uffd && i < 600000; i++) {
		if (proc_stat("sending") == sending0 + (long long)KILL_LEN)
			break;
		usleep(100);
	}
	/* Mid-put: charged and counted, but nothing visible in the queue. */
	EXPECT_EQ(sending0 + (long long)KILL_LEN, proc_stat("sending"));
	EXPECT_EQ(bytes0, proc_stat("bytes"));
	ASSERT_EQ(0, ipc_queue_stat(q, &st));
	EXPECT_EQ(0, st.count);
	EXPECT_EQ(0, st.bytes);
	EXPECT_EQ(EDQUOT, probe(q, KILL_QUOTA - KILL_LEN + 1));
	EXPECT_EQ(EFAULT, probe(q, KILL_QUOTA - KILL_LEN));
	kill(pid, SIGKILL);
	EXPECT_EQ(1000 + SIGKILL, reap(pid));
	close(p[0]);
	/* Nothing left: no message, no charge, counters as before. */
	ASSERT_EQ(0, ipc_queue_stat(q, &st));
	EXPECT_EQ(0, st.count);
	EXPECT_EQ(0, st.bytes);
	EXPECT_EQ(-EAGAIN, ipc_queue_get(q, &c, 1, NULL, 0, 0));
	EXPECT_EQ(sending0, proc_stat("sending"));
	EXPECT_EQ(bytes0, proc_stat("bytes"));
	EXPECT_EQ(EFAULT, probe(q, KILL_QUOTA));
	EXPECT_EQ(EDQUOT, probe(q, KILL_QUOTA + 1));
	ipc_queue_close(q);
}

#endif

TEST_HARNESS_MAIN
