/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the raw-ABI selftests (ipcqueue_test.c, ipcpipe_test.c,
 * ipcshm_test.c, ipcevent_test.c, ipcfasync_test.c): time, child processes,
 * privileges, module parameters and /proc/ipcdev/stats, fdinfo, memory
 * that faults, descriptor passing and signals.
 *
 * Conventions: helpers return 0 or -errno unless said otherwise; helper
 * processes forked by a test never use ASSERT_* (that would run the fixture
 * teardown in the child) but report through their exit code: 0 = success,
 * otherwise an errno value or one of the CHILD_* codes below (never 255,
 * which the harness reads as SKIP).
 *
 * Everything here is static inline, so that a test that does not use a
 * helper builds cleanly under -Wall -Werror.  Include it before
 * kselftest_harness.h (it uses no harness macro).
 */
#ifndef IPCDEV_TEST_H
#define IPCDEV_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
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
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include <linux/ipcdev.h>

#define PARAMS		"/sys/module/ipcdev/parameters/"
#define PROC_STATS	"/proc/ipcdev/stats"
#define NOBODY		65534
#define MS		1000000ULL
#define SEC		1000000000ULL

/* Exit codes of helper processes beyond errno values. */
#define CHILD_DROP	240	/* could not drop privileges */
#define CHILD_DEVOPEN	241	/* could not open the device */
#define CHILD_BADLEN	242	/* wrong length received */
#define CHILD_BADDATA	243	/* wrong bytes received */
#define CHILD_ORDER	244	/* order violated */
#define CHILD_NOSIG	245	/* signal handler did not run */
#define CHILD_OTHER	246
#define CHILD_NOMEM	247
#define CHILD_ALIVE	248	/* survived what should have killed it */

/* ------------------------------------------------------------------ */
/* Time                                                               */
/* ------------------------------------------------------------------ */

static inline __u64 ptr(const void *p)
{
	return (__u64)(uintptr_t)p;
}

/* CLOCK_MONOTONIC in nanoseconds, the clock of every ipcdev deadline. */
static inline __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * SEC + (__u64)ts.tv_nsec;
}

/* An absolute deadline @ms milliseconds from now. */
static inline __u64 deadline_in_ms(unsigned int ms)
{
	return now_ns() + ms * MS;
}

static inline void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* ------------------------------------------------------------------ */
/* Objects: open + bind, unlink, STAT polling                         */
/* ------------------------------------------------------------------ */

/*
 * The device node is a factory: its OPEN ioctl @cmd returns a new object
 * descriptor.  Open @dev with @oflags, issue OPEN with @arg and close the
 * device descriptor: the object descriptor, or -errno.
 */
static inline int dev_open_bind(const char *dev, int oflags,
				unsigned long cmd, void *arg)
{
	int dfd = open(dev, oflags), fd;

	if (dfd < 0)
		return -errno;
	fd = ioctl(dfd, cmd, arg);
	if (fd < 0)
		fd = -errno;
	close(dfd);
	return fd;
}

/*
 * Issue OPEN ioctl @cmd with @arg on the device descriptor @fd and put the
 * new object descriptor in @fd's place (dup2), so that a caller keeps its
 * number: 0 or -errno (@fd unchanged).  On an object descriptor the OPEN
 * fails with ENOTTY.
 */
static inline int dev_open_in_place(int fd, unsigned long cmd, void *arg)
{
	int nfd = ioctl(fd, cmd, arg), e;

	if (nfd < 0)
		return -errno;
	if (dup2(nfd, fd) < 0) {
		e = errno;
		close(nfd);
		return -e;
	}
	close(nfd);
	return 0;
}

/*
 * A new anonymous object with the default settings (an all-zero OPEN
 * argument of @size bytes) on @dev opened with @oflags: the object
 * descriptor, or -1 with errno set (as open()).
 */
static inline int dev_open_anon(const char *dev, int oflags,
				unsigned long cmd)
{
	__u64 arg[16] = { 0 };
	int fd = dev_open_bind(dev, oflags, cmd, arg);

	if (fd < 0) {
		errno = -fd;
		return -1;
	}
	return fd;
}

/* ioctl() as 0 or -errno. */
static inline int ioc(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

/* IPCDEV_IOC_UNLINK of @name through a new device descriptor of @dev. */
static inline int dev_unlink(const char *dev, const char *name)
{
	struct ipcdev_unlink u = { .name = ptr(name) };
	int fd = open(dev, O_RDWR), r;

	if (fd < 0)
		return -errno;
	r = ioctl(fd, IPCDEV_IOC_UNLINK, &u) ? -errno : 0;
	close(fd);
	return r;
}

/*
 * Wait up to @ms until the u32 at offset @off of the STAT structure that
 * ioctl @cmd fills equals @want; 0, -ETIMEDOUT or the ioctl's -errno.
 */
static inline int wait_stat_u32(int fd, unsigned long cmd, size_t off,
				__u32 want, unsigned int ms)
{
	__u64 end = now_ns() + ms * MS;
	unsigned char st[256];
	__u32 v;

	do {
		memset(st, 0xa5, sizeof(st));
		if (ioctl(fd, cmd, st))
			return -errno;
		memcpy(&v, st + off, sizeof(v));
		if (v == want)
			return 0;
		sleep_ms(1);
	} while (now_ns() < end);
	return -ETIMEDOUT;
}

/* Wait up to 10 s for the u32 @field of STAT (ioctl @cmd, struct @type). */
#define WAIT_STAT(fd, cmd, type, field, want)				\
	wait_stat_u32(fd, cmd, offsetof(type, field), want, 10000)

/* ------------------------------------------------------------------ */
/* Child processes and privileges                                     */
/* ------------------------------------------------------------------ */

/*
 * Reap a child within ms milliseconds.  Returns its exit code, 1000 + signal
 * if a signal killed it, or -1 if it did not end in time (it is then killed
 * and reaped).
 */
static inline int wait_child(pid_t pid, unsigned int ms)
{
	__u64 end = now_ns() + ms * MS;
	int status;
	pid_t r;

	for (;;) {
		r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return -2;
		if (now_ns() >= end) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -1;
		}
		sleep_ms(2);
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 1000 + WTERMSIG(status);
	return -3;
}

static inline int drop_privs(uid_t uid, gid_t gid)
{
	if (setgroups(0, NULL))
		return -1;
	if (setresgid(gid, gid, gid))
		return -1;
	if (setresuid(uid, uid, uid))
		return -1;
	return 0;
}

/* Run fn(arg) in a child as uid/gid; returns its result (exit code). */
static inline int as_user(uid_t uid, gid_t gid, int (*fn)(void *), void *arg)
{
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (drop_privs(uid, gid))
			_exit(CHILD_DROP);
		_exit(fn(arg));
	}
	return wait_child(pid, 20000);
}

struct bind_req {
	const char *dev;
	int oflags;
	unsigned long cmd;
	void *arg;
};

static inline int child_bind(void *arg)
{
	struct bind_req *r = arg;
	int fd = dev_open_bind(r->dev, r->oflags, r->cmd, r->arg);

	if (fd < 0)
		return -fd;
	close(fd);
	return 0;
}

/*
 * In a child running as uid/gid, open @dev with @oflags and issue the OPEN
 * ioctl @cmd with @arg: the child's exit code, 0 or an errno value.
 */
static inline int bind_as(uid_t uid, gid_t gid, const char *dev, int oflags,
			  unsigned long cmd, void *arg)
{
	struct bind_req r = { dev, oflags, cmd, arg };

	return as_user(uid, gid, child_bind, &r);
}

/* ------------------------------------------------------------------ */
/* Module parameters, /proc/ipcdev/stats, fdinfo                      */
/* ------------------------------------------------------------------ */

/* Read a module parameter; 0 on failure (callers assert non-zero). */
static inline unsigned long long read_param(const char *name)
{
	char path[256];
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

static inline int write_param(const char *name, unsigned long long v)
{
	char path[256];
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

/* One counter of /proc/ipcdev/stats; -1 if absent. */
static inline long long read_proc_stat(const char *key)
{
	char k[64];
	long long v, found = -1;
	FILE *f = fopen(PROC_STATS, "r");

	if (!f)
		return -1;
	while (fscanf(f, "%63s %lld", k, &v) == 2) {
		if (!strcmp(k, key)) {
			found = v;
			break;
		}
	}
	fclose(f);
	return found;
}

/* Wait up to 2 s for a /proc/ipcdev/stats counter to reach want. */
static inline long long wait_proc_stat(const char *key, long long want)
{
	__u64 end = now_ns() + 2 * SEC;
	long long v;

	for (;;) {
		v = read_proc_stat(key);
		if (v == want || now_ns() >= end)
			return v;
		sleep_ms(10);
	}
}

/* One "key:\tvalue" line of /proc/self/fdinfo/<fd>, into val; 0 or -1. */
static inline int fdinfo(int fd, const char *key, char *val, size_t size)
{
	char path[64], line[256];
	size_t kl = strlen(key);
	int r = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, kl) || line[kl] != ':')
			continue;
		snprintf(val, size, "%s", line + kl + 1 + strspn(line + kl + 1, " \t"));
		val[strcspn(val, "\n")] = 0;
		r = 0;
		break;
	}
	fclose(f);
	return r;
}

/* ------------------------------------------------------------------ */
/* Data and memory                                                    */
/* ------------------------------------------------------------------ */

static inline void fill(unsigned char *buf, size_t len, unsigned int seed)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (unsigned char)(seed * 131 + i * 7 + (i >> 8));
}

static inline bool check_fill(const unsigned char *buf, size_t len,
			      unsigned int seed)
{
	for (size_t i = 0; i < len; i++)
		if (buf[i] != (unsigned char)(seed * 131 + i * 7 + (i >> 8)))
			return false;
	return true;
}

static inline long page_size(void)
{
	return sysconf(_SC_PAGESIZE);
}

/* Two pages, the second one PROT_NONE; returns the start of the first. */
static inline char *guarded_page(void)
{
	long ps = page_size();
	char *p = mmap(NULL, 2 * ps, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	if (mprotect(p + ps, ps, PROT_NONE)) {
		munmap(p, 2 * ps);
		return NULL;
	}
	return p;
}

/* An address that was mapped and is now unmapped. */
static inline void *unmapped_addr(void)
{
	long ps = page_size();
	void *p = mmap(NULL, ps, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	munmap(p, ps);
	return p;
}

/* ------------------------------------------------------------------ */
/* Descriptors, poll, signals                                         */
/* ------------------------------------------------------------------ */

static inline int send_fd(int sock, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	char c = 'F';
	struct iovec iov = { &c, 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;

	memset(cbuf, 0, sizeof(cbuf));
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &mh, 0) == 1 ? 0 : -errno;
}

static inline int recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	char c;
	struct iovec iov = { &c, 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(sock, &mh, 0) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&mh);
	if (!cm || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/* The revents of a zero-timeout poll() for @events; -1 on error. */
static inline short poll_events(int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };

	if (poll(&p, 1, 0) < 0)
		return -1;
	return p.revents;
}

/* Where on_usr1() reports that it ran: the signal number, one byte. */
static int sig_pipe_wr __attribute__((unused)) = -1;

static inline void on_usr1(int sig)
{
	char c = (char)sig;

	if (write(sig_pipe_wr, &c, 1) != 1)
		_exit(CHILD_OTHER);
}

/* Install on_usr1() for SIGUSR1, reporting on @pipe_wr; 0 or CHILD_OTHER. */
static inline int catch_usr1(int pipe_wr, bool restart)
{
	struct sigaction sa;

	sig_pipe_wr = pipe_wr;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sa.sa_flags = restart ? SA_RESTART : 0;
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGUSR1, &sa, NULL) ? CHILD_OTHER : 0;
}

/*
 * A call blocked in a child, interrupted by SIGUSR1: @call(@arg) runs in a
 * child with on_usr1() installed (SA_RESTART or not) and returns the
 * child's exit code; @asleep(@arg) returns 0 once the child sleeps in it;
 * @release(@arg) lets a restarted call finish.
 */
struct sig_case {
	int (*call)(void *arg);
	int (*asleep)(void *arg);
	int (*release)(void *arg);
	void *arg;
};

/*
 * Run @c: fork, wait until the child sleeps, signal it, check that the
 * handler ran, and with @restart release the restarted call.  Returns the
 * child's exit code (or < 0 if it could not be started); *why says what
 * went wrong on the way, NULL if nothing did.
 */
static inline int signal_blocked_call(const struct sig_case *c, bool restart,
				      const char **why)
{
	int pfd[2], code;
	char ch = 0;
	pid_t pid;

	*why = NULL;
	if (pipe(pfd))
		return -1;
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		if (catch_usr1(pfd[1], restart))
			_exit(CHILD_OTHER);
		_exit(c->call(c->arg));
	}
	if (c->asleep(c->arg)) {
		*why = "the child never blocked";
		kill(pid, SIGKILL);
	} else {
		kill(pid, SIGUSR1);
		if (read(pfd[0], &ch, 1) != 1 || ch != SIGUSR1)
			*why = "the handler did not run";
		else if (restart && c->asleep(c->arg))
			*why = "the call was not restarted";
		if (restart && c->release(c->arg))
			*why = "releasing the call failed";
	}
	code = wait_child(pid, 20000);
	close(pfd[0]);
	close(pfd[1]);
	return code;
}

/* An empty fixture: for TEST_F_TIMEOUT, and to order tests (run last). */
#define EMPTY_FIXTURE(name)						\
	FIXTURE(name) {							\
		int unused;						\
	};								\
	FIXTURE_SETUP(name)						\
	{								\
	}								\
	FIXTURE_TEARDOWN(name)						\
	{								\
	}

/*
 * A fixture for named objects: self->name is "<prefix>-<pid>", removed
 * with @unlink before and after each test; the umask is 0 for the test.
 */
#define NAMED_FIXTURE(fixture, prefix, unlink)				\
	FIXTURE(fixture) {						\
		char name[64];						\
	};								\
	FIXTURE_SETUP(fixture)						\
	{								\
		snprintf(self->name, sizeof(self->name), "%s-%d",	\
			 prefix, getpid());				\
		unlink(self->name);					\
		umask(0);						\
	}								\
	FIXTURE_TEARDOWN(fixture)					\
	{								\
		unlink(self->name);					\
	}

/* Fill *@st (of @size bytes, poisoned first) with the STAT ioctl @cmd. */
static inline int stat_ioc(int fd, unsigned long cmd, void *st, size_t size)
{
	memset(st, 0xa5, size);
	return ioc(fd, cmd, st);
}

#endif /* IPCDEV_TEST_H */
