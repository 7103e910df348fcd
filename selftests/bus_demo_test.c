// SPDX-License-Identifier: GPL-2.0
/*
 * Selftests of the bus demo (userspace/demo/bus.c, 售票员和司机的故事): the
 * demo is started in a session of its own (setsid) by a small "shell" that
 * leads the session and runs the demo as a job in its own process group (on
 * a pseudo-terminal: the foreground job), its output read line by line
 * through a pipe or the terminal, and the signals of the exercise sent to
 * its process group, by kill(2) or as keystrokes on the terminal:
 *
 *   SIGINT  -> exactly one driver line "老司机开车了", both processes live on;
 *   SIGQUIT -> exactly one driver line "系好安全带，小心甩出去";
 *   SIGTSTP -> the conductor's line "到站了，下车吧", the conductor exits 0
 *              first, then the driver exits 0, and the group is empty.
 *
 * Run as root with the ipcdev module loaded.  The demo binary is found at
 * ../userspace/demo/bus relative to this test's own directory (the build
 * tree's layout), or at $IPCDEV_BUS_DEMO.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <libgen.h>
#include <sys/ioctl.h>
#include <sys/types.h>
#include <sys/wait.h>

/* See ipcqueue_test.c: harness artefacts under -Wextra. */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"

/* The demo's lines (userspace/demo/bus.c). */
#define DRIVER		"司机"
#define CONDUCTOR	"售票员"
#define SAY_DRIVE	"老司机开车了"
#define SAY_BELT	"系好安全带，小心甩出去"
#define SAY_STATION	"到站了，下车吧"
#define READY		"已上车，发车"		/* driver: the bus is ready */
#define BOARDED		"上车了"			/* conductor: "[售票员 pid] 上车了" */
#define OFF		"下车 (exit 0)"		/* both, last line of each */

#define LINE_MAX_	256
#define LINES_MAX	1024
#define WAIT_MS		10000	/* for an expected line (slow VMs) */
#define QUIET_MS	300	/* no further line may come meanwhile */

/* A running demo: its process group, its output, every line read so far. */
struct run {
	pid_t shell;		/* session leader, parent of the driver */
	pid_t pid;		/* the driver, leader of the job's group */
	int fd;			/* pipe read end or pty master */
	int report;		/* from the shell: struct report */
	bool eof;
	char part[4096];	/* the unfinished line */
	size_t plen;
	char lines[LINES_MAX][LINE_MAX_];
	int n;
};

static const char *demo_path(void)
{
	static char path[PATH_MAX];
	char self[PATH_MAX];
	const char *env = getenv("IPCDEV_BUS_DEMO");
	ssize_t n;

	if (env && *env)
		return env;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return "../userspace/demo/bus";
	self[n] = '\0';
	snprintf(path, sizeof(path), "%s/../userspace/demo/bus", dirname(self));
	return path;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* In the demo's process: a clean signal state, then the demo with @argv. */
static void exec_demo(char *const argv[])
{
	sigset_t none;
	int sig;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	execv(demo_path(), argv);
	_exit(127);
}

/* What the shell reports on r->report: the job's wait status and the tty. */
struct report {
	int status;		/* from waitpid(WUNTRACED): may be a stop */
	int prompt;		/* the shell got the terminal back */
};

/*
 * The "shell": a new session (setsid) whose leader starts the demo as a job
 * in a process group of its own, as an interactive shell does (on a pty:
 * the session's controlling terminal, the job in the foreground).  The
 * shell stays in the session, so the job's process group is not orphaned
 * and a stop signal would really stop it (the kernel drops SIGTSTP's stop
 * in an orphaned process group: a demo started by a bare setsid could not
 * show that bug).  It reports the job's pid (its group id), then its wait
 * status taken with WUNTRACED, as a shell's job control sees it, and
 * whether it could take the terminal back; then exits.
 */
static void shell(char *const argv[], const char *slave, int out, int rep)
{
	struct report rp = { 0, 1 };
	int tty = -1, null;
	pid_t job;

	if (setsid() < 0)
		_exit(126);
	/* As a shell: keyboard signals and job control are for the job. */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGTSTP, SIG_IGN);
	signal(SIGTTIN, SIG_IGN);
	signal(SIGTTOU, SIG_IGN);
	if (slave) {
		tty = open(slave, O_RDWR | O_CLOEXEC);	/* the ctty */
		if (tty < 0 || ioctl(tty, TIOCSCTTY, 0))
			_exit(126);
	}
	job = fork();
	if (job < 0)
		_exit(126);
	if (job == 0) {
		setpgid(0, 0);
		if (slave) {
			tcsetpgrp(tty, getpid());
			dup2(tty, STDIN_FILENO);
			dup2(tty, STDOUT_FILENO);
			dup2(tty, STDERR_FILENO);
		} else {
			null = open("/dev/null", O_RDONLY);
			dup2(null, STDIN_FILENO);
			dup2(out, STDOUT_FILENO);
			dup2(out, STDERR_FILENO);
		}
		exec_demo(argv);
	}
	setpgid(job, job);	/* both sides, as shells do */
	if (slave)
		tcsetpgrp(tty, job);
	if (out >= 0)
		close(out);	/* the reader sees EOF when the job ends */
	if (write(rep, &job, sizeof(job)) != sizeof(job))
		_exit(126);
	while (waitpid(job, &rp.status, WUNTRACED) < 0)
		if (errno != EINTR)
			_exit(126);
	if (WIFSTOPPED(rp.status)) {
		rp.prompt = 0;
		if (write(rep, &rp, sizeof(rp)) != sizeof(rp))
			_exit(126);
		kill(-job, SIGKILL);
		kill(-job, SIGCONT);
		waitpid(job, NULL, 0);
		_exit(0);
	}
	if (slave)	/* the prompt comes back: the shell is in front again */
		rp.prompt = !tcsetpgrp(tty, getpgrp()) &&
			    tcgetpgrp(tty) == getpgrp();
	if (write(rep, &rp, sizeof(rp)) != sizeof(rp))
		_exit(126);
	_exit(0);
}

/* Read @len bytes from @fd within @ms milliseconds: 0 or -1. */
static int read_in(int fd, void *buf, size_t len, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t n;

	if (poll(&pfd, 1, ms) != 1)
		return -1;
	n = read(fd, buf, len);
	return n == (ssize_t)len ? 0 : -1;
}

/*
 * Start the demo with @argv under a shell (above) in a session of its own,
 * its stdout and stderr on a pipe (@pty false) or on a fresh pseudo-
 * terminal (@pty true: r->fd is the master, where keystrokes are written).
 * r->pid is the demo's (the driver's) pid and process group id.
 */
static int start(struct run *r, char *const argv[], bool pty)
{
	const char *slave = NULL;
	int p[2] = { -1, -1 }, rep[2];

	memset(r, 0, sizeof(*r));
	r->fd = r->report = -1;
	if (pipe2(rep, O_CLOEXEC))
		return -errno;
	if (pty) {
		p[0] = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (p[0] < 0 || grantpt(p[0]) || unlockpt(p[0]) ||
		    !(slave = ptsname(p[0])))
			return -errno;
	} else if (pipe2(p, O_CLOEXEC)) {
		return -errno;
	}
	r->fd = p[0];
	r->report = rep[0];
	r->shell = fork();
	if (r->shell < 0)
		return -errno;
	if (r->shell == 0)
		shell(argv, slave, p[1], rep[1]);
	close(rep[1]);
	if (p[1] >= 0)
		close(p[1]);
	if (read_in(r->report, &r->pid, sizeof(r->pid), WAIT_MS))
		return -EIO;
	return 0;
}

/* Store one complete line (without "\r\n"). */
static void add_line(struct run *r, const char *s, size_t len)
{
	while (len && (s[len - 1] == '\r' || s[len - 1] == '\n'))
		len--;
	if (r->n >= LINES_MAX)
		return;
	if (len >= LINE_MAX_)
		len = LINE_MAX_ - 1;
	memcpy(r->lines[r->n], s, len);
	r->lines[r->n][len] = '\0';
	r->n++;
}

/*
 * Read what is available within @ms milliseconds (or until end of file),
 * splitting it into lines.  Returns the number of new lines, 0 on timeout,
 * -1 at end of file (a pty master reads EIO once every slave is closed).
 */
static int pump(struct run *r, int ms)
{
	struct pollfd pfd = { .fd = r->fd, .events = POLLIN };
	char buf[1024];
	int before = r->n;
	ssize_t n;
	size_t i;

	if (r->eof)
		return -1;
	if (poll(&pfd, 1, ms) <= 0)
		return 0;
	n = read(r->fd, buf, sizeof(buf));
	if (n <= 0) {
		if (n < 0 && errno == EINTR)
			return 0;
		if (r->plen)
			add_line(r, r->part, r->plen);
		r->plen = 0;
		r->eof = true;
		return r->n > before ? r->n - before : -1;
	}
	for (i = 0; i < (size_t)n; i++) {
		if (buf[i] == '\n') {
			add_line(r, r->part, r->plen);
			r->plen = 0;
		} else if (r->plen < sizeof(r->part)) {
			r->part[r->plen++] = buf[i];
		}
	}
	return r->n - before;
}

/*
 * Whether @line is "[@role <pid>] @text", possibly after terminal echo such
 * as "^C" (pass @text NULL to accept any text; @contains: a substring will
 * do).  Stores the pid in @pid if not NULL.
 */
static bool said(const char *line, const char *role, const char *text,
		 bool contains, pid_t *pid)
{
	char head[64];
	const char *p, *q;

	snprintf(head, sizeof(head), "[%s ", role);
	p = strstr(line, head);
	if (!p)
		return false;
	q = strstr(p, "] ");
	if (!q)
		return false;
	if (pid)
		*pid = atoi(p + strlen(head));
	if (!text)
		return true;
	return contains ? strstr(q + 2, text) != NULL : !strcmp(q + 2, text);
}

/* Index of the first line from @from on that matches, or -1. */
static int find(const struct run *r, int from, const char *role,
		const char *text, bool contains)
{
	int i;

	for (i = from; i < r->n; i++)
		if (said(r->lines[i], role, text, contains, NULL))
			return i;
	return -1;
}

static int count(const struct run *r, const char *role, const char *text)
{
	int i, c = 0;

	for (i = 0; i < r->n; i++)
		c += said(r->lines[i], role, text, false, NULL);
	return c;
}

/* Read until a matching line arrives (from line @from on): its index or -1. */
static int wait_line(struct run *r, int from, const char *role,
		     const char *text, bool contains, int ms)
{
	int64_t stop = now_ms() + ms;
	int i;

	for (;;) {
		i = find(r, from, role, text, contains);
		if (i >= 0)
			return i;
		if (now_ms() >= stop || pump(r, (int)(stop - now_ms())) < 0)
			return find(r, from, role, text, contains);
	}
}

/* Keep reading for @ms milliseconds (or to end of file). */
static void quiet(struct run *r, int ms)
{
	int64_t stop = now_ms() + ms;

	while (now_ms() < stop && pump(r, (int)(stop - now_ms())) >= 0)
		;
}

/* Read to end of file, at most @ms milliseconds; 0 or -1 (timeout). */
static int drain(struct run *r, int ms)
{
	int64_t stop = now_ms() + ms;

	while (!r->eof) {
		if (now_ms() >= stop)
			return -1;
		pump(r, (int)(stop - now_ms()));
	}
	return 0;
}

static void dump(struct __test_metadata *_metadata, const struct run *r)
{
	int i;

	for (i = 0; i < r->n; i++)
		TH_LOG("out %2d: %s", i, r->lines[i]);
}

/*
 * The members of process group @pgid: how many, and how many of them are
 * stopped (state T or t in /proc/<pid>/stat).
 */
static int members(pid_t pgid, int *stopped)
{
	char path[300], buf[512], *p;
	struct dirent *d;
	int n = 0, fd, pgrp, ppid;
	char state;
	ssize_t len;
	DIR *dir;

	*stopped = 0;
	dir = opendir("/proc");
	if (!dir)
		return -1;
	while ((d = readdir(dir))) {
		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", d->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (len <= 0)
			continue;
		buf[len] = '\0';
		p = strrchr(buf, ')');
		if (!p || sscanf(p + 1, " %c %d %d", &state, &ppid, &pgrp) != 3)
			continue;
		if (pgrp != pgid)
			continue;
		n++;
		if (state == 'T' || state == 't')
			(*stopped)++;
	}
	closedir(dir);
	return n;
}

/* Whether the signals the demo blocks first are blocked in @pid. */
static bool signals_blocked(pid_t pid)
{
	unsigned long long blk = 0, want;
	char path[64], line[256];
	bool found = false;
	FILE *f;

	want = (1ULL << (SIGINT - 1)) | (1ULL << (SIGQUIT - 1)) |
	       (1ULL << (SIGTSTP - 1));
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "SigBlk: %llx", &blk) == 1) {
			found = true;
			break;
		}
	fclose(f);
	return found && (blk & want) == want;
}

/*
 * Wait for the job (the driver) to end, as its shell saw it: @status is its
 * wait status (a stop is not an end: WIFSTOPPED then), @prompt whether the
 * shell got the terminal back.  0, or -1 when no report came in time.
 */
static int wait_driver(struct run *r, int *status, int *prompt, int ms)
{
	struct report rp;

	if (read_in(r->report, &rp, sizeof(rp), ms))
		return -1;
	*status = rp.status;
	if (prompt)
		*prompt = rp.prompt;
	waitpid(r->shell, NULL, 0);
	r->shell = 0;
	r->pid = 0;
	return 0;
}

static bool group_gone(pid_t pgid)
{
	return kill(-pgid, 0) < 0 && errno == ESRCH;
}

FIXTURE(bus) {
	struct run r;
	pid_t pgid;
};

/*
 * Skip the test unless the module and the demo are there (a SKIP in
 * FIXTURE_SETUP does not stop the test body with every harness version).
 */
#define NEED_BUS()							\
	do {								\
		if (access("/dev/ipcqueue", F_OK) ||			\
		    access("/dev/ipcevent", F_OK) ||			\
		    access("/dev/ipcshm", F_OK))			\
			SKIP(return, "the ipcdev module is not loaded"); \
		if (access(demo_path(), X_OK))				\
			SKIP(return, "no demo binary at %s (IPCDEV_BUS_DEMO)", \
			     demo_path());				\
	} while (0)

FIXTURE_SETUP(bus)
{
	self->r.fd = -1;
}

FIXTURE_TEARDOWN(bus)
{
	if (self->r.pid > 0)
		kill(-self->r.pid, SIGKILL);
	if (self->pgid > 0)
		kill(-self->pgid, SIGKILL);
	if (self->r.shell > 0) {
		kill(self->r.shell, SIGKILL);
		waitpid(self->r.shell, NULL, 0);
	}
	if (self->r.fd >= 0)
		close(self->r.fd);
	if (self->r.report >= 0)
		close(self->r.report);
}

/*
 * Send @sig to the group (or @key to the terminal) and expect exactly one
 * new line @text from @role, with both processes alive and none stopped
 * afterwards.
 */
static void one_line(struct __test_metadata *_metadata, struct run *r,
		     pid_t cond, int sig, char key, const char *role,
		     const char *text)
{
	int before = count(r, role, text), n, stopped;

	if (key) {
		ASSERT_EQ(1, write(r->fd, &key, 1));
	} else {
		ASSERT_EQ(0, kill(-r->pid, sig));
	}
	if (wait_line(r, r->n, role, text, false, WAIT_MS) < 0)
		dump(_metadata, r);
	ASSERT_EQ(before + 1, count(r, role, text));
	quiet(r, QUIET_MS);
	if (count(r, role, text) != before + 1)
		dump(_metadata, r);
	EXPECT_EQ(before + 1, count(r, role, text)) TH_LOG("%s", text);
	EXPECT_EQ(0, kill(r->pid, 0)) TH_LOG("the driver is gone");
	EXPECT_EQ(0, kill(cond, 0)) TH_LOG("the conductor is gone");
	n = members(r->pid, &stopped);
	EXPECT_EQ(2, n);
	EXPECT_EQ(0, stopped);
}

/* Wait for the ready line; returns the conductor's pid. */
static pid_t wait_ready(struct __test_metadata *_metadata, struct run *r)
{
	pid_t cond = 0;
	int i;

	if (wait_line(r, 0, DRIVER, READY, true, WAIT_MS) < 0)
		dump(_metadata, r);
	i = find(r, 0, CONDUCTOR, BOARDED, true);
	if (i >= 0)
		said(r->lines[i], CONDUCTOR, NULL, false, &cond);
	return cond;
}

/*
 * The station: @sig or @key, the conductor's line, the conductor off first
 * with status 0, then the driver with 0, no core, nothing stopped, the
 * group gone.
 */
static void station(struct __test_metadata *_metadata, struct run *r,
		    pid_t cond, int sig, char key)
{
	pid_t pgid = r->pid;
	int status, prompt, c_off, d_off, d_saw, stopped;
	int64_t stop;
	char saw[64];

	if (key) {
		ASSERT_EQ(1, write(r->fd, &key, 1));
	} else {
		ASSERT_EQ(0, kill(-pgid, sig));
	}
	if (wait_line(r, 0, CONDUCTOR, SAY_STATION, false, WAIT_MS) < 0)
		dump(_metadata, r);
	ASSERT_LE(0, find(r, 0, CONDUCTOR, SAY_STATION, false));
	/* Until the end: nothing of the group may be stopped. */
	stop = now_ms() + WAIT_MS;
	while (!r->eof) {
		members(pgid, &stopped);
		ASSERT_EQ(0, stopped) dump(_metadata, r);
		ASSERT_LT(now_ms(), stop) dump(_metadata, r);
		pump(r, 50);
	}
	ASSERT_EQ(0, wait_driver(r, &status, &prompt, WAIT_MS))
		dump(_metadata, r);
	ASSERT_FALSE(WIFSTOPPED(status)) TH_LOG("the driver was stopped");
	ASSERT_TRUE(WIFEXITED(status)) {
		TH_LOG("driver killed by signal %d%s", WTERMSIG(status),
		       WCOREDUMP(status) ? " (core dumped)" : "");
	}
	EXPECT_TRUE(prompt) TH_LOG("the shell did not get the terminal back");
	EXPECT_EQ(0, WEXITSTATUS(status)) dump(_metadata, r);
	EXPECT_EQ(1, count(r, CONDUCTOR, SAY_STATION));

	/* Order: the conductor gets off, the driver sees it, then gets off. */
	snprintf(saw, sizeof(saw), "%s %d 已下车 (exit status 0)", CONDUCTOR,
		 (int)cond);
	c_off = find(r, 0, CONDUCTOR, OFF, true);
	d_saw = find(r, 0, DRIVER, saw, false);
	d_off = find(r, 0, DRIVER, "司机下车 (exit 0)", false);
	if (c_off < 0 || d_saw < 0 || d_off < 0 || c_off > d_saw ||
	    d_saw > d_off)
		dump(_metadata, r);
	ASSERT_LE(0, c_off);
	ASSERT_LT(c_off, d_saw);
	ASSERT_LT(d_saw, d_off);
	/* The conductor is gone (reaped by the driver), and so is the group. */
	EXPECT_NE(0, kill(cond, 0));
	EXPECT_TRUE(group_gone(pgid));
}

/* Without the module the demo explains itself; --help needs nothing. */
TEST(help)
{
	char *argv[] = { "bus", "--help", NULL };
	char *bad[] = { "bus", "--no-such-option", NULL };
	struct run r;
	int status;

	if (access(demo_path(), X_OK))
		SKIP(return, "no demo binary at %s", demo_path());
	ASSERT_EQ(0, start(&r, argv, false));
	ASSERT_EQ(0, drain(&r, WAIT_MS));
	ASSERT_EQ(0, wait_driver(&r, &status, NULL, WAIT_MS));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	ASSERT_LE(1, r.n);
	EXPECT_EQ(0, strncmp(r.lines[0], "Usage: bus", 10));
	close(r.fd);
	close(r.report);

	ASSERT_EQ(0, start(&r, bad, false));
	ASSERT_EQ(0, drain(&r, WAIT_MS));
	ASSERT_EQ(0, wait_driver(&r, &status, NULL, WAIT_MS));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(64, WEXITSTATUS(status));
	close(r.fd);
	close(r.report);
}

/*
 * The whole story through a pipe, with kill(2) to the process group as a
 * terminal would send them: every line arrives while the demo still runs
 * (line by line, not at exit), one line per signal, twice over.
 */
TEST_F(bus, story_through_pipe)
{
	char *argv[] = { "bus", "--timeout", "60", NULL };
	struct run *r = &self->r;
	pid_t cond;
	int i;

	NEED_BUS();
	ASSERT_EQ(0, start(r, argv, false));
	cond = wait_ready(_metadata, r);
	ASSERT_LT(0, cond);
	ASSERT_NE(cond, r->pid);
	for (i = 0; i < 2; i++) {
		one_line(_metadata, r, cond, SIGINT, 0, DRIVER, SAY_DRIVE);
		one_line(_metadata, r, cond, SIGQUIT, 0, DRIVER, SAY_BELT);
	}
	/* Nobody else printed the announcements. */
	EXPECT_EQ(0, count(r, CONDUCTOR, SAY_DRIVE));
	EXPECT_EQ(0, count(r, CONDUCTOR, SAY_BELT));
	EXPECT_EQ(0, count(r, CONDUCTOR, SAY_STATION));
	station(_metadata, r, cond, SIGTSTP, 0);
	EXPECT_EQ(2, count(r, DRIVER, SAY_DRIVE));
	EXPECT_EQ(2, count(r, DRIVER, SAY_BELT));
}

/*
 * Signals sent to the group as soon as the demo runs (once it has blocked
 * them, its first act), and on and on while it forks the conductor and both
 * set up their handlers: neither process dies or stops; the story then
 * ends normally.
 */
TEST_F(bus, early_signals)
{
	char *argv[] = { "bus", "--timeout", "60", NULL };
	struct run *r = &self->r;
	int64_t stop;
	pid_t cond;
	int i, n, stopped;

	NEED_BUS();
	ASSERT_EQ(0, start(r, argv, false));
	stop = now_ms() + WAIT_MS;
	while (!signals_blocked(r->pid)) {
		ASSERT_LT(now_ms(), stop) TH_LOG("the demo never blocked its signals");
		usleep(100);
	}
	/* At once, then for a while every 2 ms: through fork and set-up. */
	for (i = 0; i < 100; i++) {
		ASSERT_EQ(0, kill(-r->pid, i % 2 ? SIGQUIT : SIGINT));
		if (i)
			sleep_ms(2);
	}
	cond = wait_ready(_metadata, r);
	ASSERT_LT(0, cond);
	quiet(r, QUIET_MS);
	EXPECT_EQ(0, kill(r->pid, 0));
	EXPECT_EQ(0, kill(cond, 0));
	n = members(r->pid, &stopped);
	EXPECT_EQ(2, n);
	EXPECT_EQ(0, stopped);
	/* The bus still works after that. */
	one_line(_metadata, r, cond, SIGQUIT, 0, DRIVER, SAY_BELT);
	station(_metadata, r, cond, SIGTSTP, 0);
}

/*
 * The same story as typed at a terminal: the demo is the foreground job of
 * a pseudo-terminal, Ctrl-C, Ctrl-\ and Ctrl-Z are written to the master
 * and the line discipline signals the whole foreground group.  No core, no
 * stopped process, the group gone at the end.
 */
TEST_F(bus, story_on_terminal)
{
	char *argv[] = { "bus", "--timeout", "60", NULL };
	struct run *r = &self->r;
	pid_t cond;
	int i;

	NEED_BUS();
	ASSERT_EQ(0, start(r, argv, true));
	cond = wait_ready(_metadata, r);
	ASSERT_LT(0, cond);
	/* The demo is the terminal's foreground job. */
	EXPECT_EQ(r->pid, tcgetpgrp(r->fd));
	for (i = 0; i < 2; i++) {
		one_line(_metadata, r, cond, 0, '\x03', DRIVER, SAY_DRIVE);
		one_line(_metadata, r, cond, 0, '\x1c', DRIVER, SAY_BELT);
	}
	station(_metadata, r, cond, 0, '\x1a');
	EXPECT_EQ(2, count(r, DRIVER, SAY_DRIVE));
	EXPECT_EQ(2, count(r, DRIVER, SAY_BELT));
}

/* --script tells the whole story unattended, in a process group of its own. */
TEST_F(bus, script)
{
	char *argv[] = { "bus", "--script", "--timeout", "60", NULL };
	struct run *r = &self->r;
	int status, i, c_off, d_off;
	pid_t pgid = 0;

	NEED_BUS();
	ASSERT_EQ(0, start(r, argv, false));
	if (drain(r, 60000))
		dump(_metadata, r);
	ASSERT_TRUE(r->eof);
	for (i = 0; i < r->n; i++)
		if (sscanf(r->lines[i], "[剧本 %*d] 公交车进程组 %d", &pgid) == 1)
			break;
	self->pgid = pgid;
	ASSERT_EQ(0, wait_driver(r, &status, NULL, WAIT_MS));
	ASSERT_TRUE(WIFEXITED(status));
	if (WEXITSTATUS(status))
		dump(_metadata, r);
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(2, count(r, DRIVER, SAY_DRIVE));
	EXPECT_EQ(2, count(r, DRIVER, SAY_BELT));
	EXPECT_EQ(1, count(r, CONDUCTOR, SAY_STATION));
	c_off = find(r, 0, CONDUCTOR, OFF, true);
	d_off = find(r, 0, DRIVER, "司机下车 (exit 0)", false);
	EXPECT_LE(0, c_off);
	EXPECT_LT(c_off, d_off);
	EXPECT_LE(0, find(r, 0, "剧本", "全剧终", true));
	ASSERT_LT(0, pgid);
	EXPECT_TRUE(group_gone(pgid));
	self->pgid = 0;
}

/* Nobody signals: the time limit ends both processes (exit 2), no stray. */
TEST_F(bus, timeout)
{
	char *argv[] = { "bus", "--timeout", "2", NULL };
	struct run *r = &self->r;
	pid_t pgid;
	int status;

	NEED_BUS();
	ASSERT_EQ(0, start(r, argv, false));
	pgid = r->pid;
	ASSERT_EQ(0, drain(r, WAIT_MS + 2000)) dump(_metadata, r);
	ASSERT_EQ(0, wait_driver(r, &status, NULL, WAIT_MS));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(2, WEXITSTATUS(status)) dump(_metadata, r);
	EXPECT_LE(0, find(r, 0, DRIVER, "超时", true));
	EXPECT_TRUE(group_gone(pgid));
}

TEST_HARNESS_MAIN
