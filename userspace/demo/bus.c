// SPDX-License-Identifier: GPL-2.0
/*
 * bus: the driver and the conductor (售票员和司机的故事), the signals exercise
 * of the course note, with the two processes also talking through ipcdev.
 *
 * The parent is the driver (司机), the child the conductor (售票员):
 *
 *   SIGINT  (Ctrl-C) to the conductor -> SIGUSR1 to the driver:
 *           the driver prints "老司机开车了";
 *   SIGQUIT (Ctrl-\) to the conductor -> SIGUSR2 to the driver:
 *           the driver prints "系好安全带，小心甩出去";
 *   SIGTSTP (Ctrl-Z) to the driver    -> SIGUSR1 to the conductor:
 *           the conductor prints "到站了，下车吧";
 *
 * and at the station the conductor gets off first (the child exits 0), then
 * the driver (it reaps the conductor and exits 0).  Keyboard signals reach
 * the whole foreground process group, so the driver ignores SIGINT and
 * SIGQUIT and the conductor ignores SIGTSTP: nothing is stopped, no core is
 * dumped, and the shell gets its prompt back.
 *
 * Through ipcdev (libipcdev), as a real program would:
 *   - a queue, the driver's log: the conductor puts a record of every signal
 *     it relayed and of its getting off; the driver prints and checks the
 *     log once the conductor is off;
 *   - two events: "boarded" (the conductor has set up its signals: the
 *     driver, and --script, wait for it before starting) and "arrived" (set
 *     by the driver at the station: the conductor waits for it before
 *     getting off);
 *   - a Value (typecode 'i'), the stop count: the driver increments it
 *     under the Value's lock at the station, the conductor reads it.
 *
 * Signals: every signal either process handles is blocked from the start of
 * main(), before fork(), and stays blocked except inside sigsuspend(2) in
 * each process's main loop.  The handlers only count deliveries in a
 * volatile sig_atomic_t array; all printing, kill(2) and ipcdev calls happen
 * in the main loops.  So a signal sent at any moment after start-up (even
 * while fork() runs) is never lost to a default action: it stays pending
 * until the process that receives it has its final dispositions.  Output is
 * write(2) of whole lines: it appears at once even through a pipe, and
 * lines of the two processes never mix.
 *
 * --script: a third process, the director (剧本), not in the bus's process
 * group, starts the bus in a process group of its own, waits until the
 * conductor has boarded, then sends SIGINT, SIGQUIT, SIGINT, SIGQUIT and
 * SIGTSTP to that group with pauses, as a terminal's Ctrl-C, Ctrl-\ and
 * Ctrl-Z would, and checks that the group is gone at the end.
 *
 * A timeout (alarm(2), --timeout) ends a run that hangs: the driver kills
 * the conductor and exits 2.
 *
 * Exit status: 0 when the story ran as told, 1 on an error (the module is
 * not loaded, the log is wrong, ...), 2 on the timeout, 64 on a bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <ipcdev.h>

#define MS			1000000LL
#define SEC			1000000000LL
#define TIMEOUT_INTERACTIVE	600	/* seconds, default without --script */
#define TIMEOUT_SCRIPT		30	/* seconds, default with --script */
#define PAUSE_MS		300	/* --script: between two signals */
#define BOARD_TIMEOUT		(10 * SEC)
#define ARRIVE_TIMEOUT		(10 * SEC)
#define LOG_MSG_MAX		128

/* The lines the exercise asks for. */
#define SAY_DRIVE		"老司机开车了"
#define SAY_BELT		"系好安全带，小心甩出去"
#define SAY_STATION		"到站了，下车吧"

/* Log records (conductor -> driver). */
#define LOG_INT			"SIGINT -> SIGUSR1"
#define LOG_QUIT		"SIGQUIT -> SIGUSR2"
#define LOG_USR1		"SIGUSR1: 到站"
#define LOG_OFF			"下车: 第"	/* "下车: 第 %d 站" */

/* What the driver and the conductor share, created before fork(). */
struct bus {
	int log;		/* queue: conductor -> driver */
	int boarded;		/* event: the conductor is ready */
	int arrived;		/* event: the bus stands at the station */
	struct ipc_array stops;	/* Value 'i': stops made */
};

static const char *role = "司机";

/* Deliveries per signal, counted by on_signal(), taken by take(). */
static volatile sig_atomic_t hits[NSIG];

static void on_signal(int sig)
{
	if (sig > 0 && sig < NSIG)
		hits[sig]++;
}

/*
 * The deliveries of @sig since the last call.  Called with every handled
 * signal blocked (outside sigsuspend), so no handler runs meanwhile.
 */
static int take(int sig)
{
	int n = hits[sig];

	hits[sig] = 0;
	return n;
}

/* write(2) all of @buf to @fd. */
static void write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		buf += n;
		len -= (size_t)n;
	}
}

/* One line "[role pid] text" in one write(2). */
static void vline(int fd, const char *fmt, va_list ap)
{
	char line[512];
	int n = snprintf(line, sizeof(line), "[%s %d] ", role, (int)getpid());

	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	n = (int)strlen(line);
	if ((size_t)n > sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	write_all(fd, line, (size_t)n);
}

__attribute__((format(printf, 1, 2)))
static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(STDOUT_FILENO, fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 1, 2)))
static void complain(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(STDERR_FILENO, fmt, ap);
	va_end(ap);
}

/* A call that must succeed at set-up: exit 1 if it did not. */
static int must(int r, const char *what)
{
	if (r < 0) {
		complain("%s: %s%s", what, ipc_strerror(r),
			 r == -ENOENT ? " (is the ipcdev module loaded?)" : "");
		exit(1);
	}
	return r;
}

static void sigset_of(sigset_t *set, const int *sigs)
{
	sigemptyset(set);
	for (; *sigs; sigs++)
		sigaddset(set, *sigs);
}

/* @base with the signals of @sigs removed: the mask sigsuspend() waits in. */
static void wait_mask(sigset_t *mask, const sigset_t *base, const int *sigs)
{
	*mask = *base;
	for (; *sigs; sigs++)
		sigdelset(mask, *sigs);
}

static void handle(int sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART | (sig == SIGCHLD ? SA_NOCLDSTOP : 0);
	sigfillset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static void set_disposition(int sig, void (*disp)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = disp;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

/* Every signal the driver, the conductor or the director acts on. */
static const int bus_signals[] = {
	SIGINT, SIGQUIT, SIGTSTP, SIGUSR1, SIGUSR2, SIGCHLD, SIGALRM,
	SIGTERM, SIGHUP, 0
};
/* Handled by the driver, and by the conductor. */
static const int driver_signals[] = {
	SIGUSR1, SIGUSR2, SIGTSTP, SIGCHLD, SIGALRM, 0
};
static const int conductor_signals[] = { SIGINT, SIGQUIT, SIGUSR1, SIGALRM, 0 };

/* The mask main() started with: what sigsuspend() goes back to. */
static sigset_t start_mask;

/* ---- the conductor ---------------------------------------------------- */

static void log_put(const struct bus *b, const char *fmt, ...)
{
	char msg[LOG_MSG_MAX];
	va_list ap;
	int r;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r = ipc_queue_put(b->log, msg, strlen(msg), 1, 5 * SEC);
	if (r < 0)
		complain("ipc_queue_put(log): %s", ipc_strerror(r));
}

/* The child: relays SIGINT and SIGQUIT, gets off at SIGUSR1. */
static int conductor(const struct bus *b, pid_t driver, unsigned int timeout)
{
	sigset_t mask;
	int32_t stop = 0;
	int r;

	role = "售票员";
	/* Signals meant for the driver: Ctrl-Z must not stop the conductor. */
	set_disposition(SIGTSTP, SIG_IGN);
	set_disposition(SIGUSR2, SIG_DFL);	/* nobody sends it */
	set_disposition(SIGCHLD, SIG_DFL);
	handle(SIGINT);
	handle(SIGQUIT);
	handle(SIGUSR1);
	handle(SIGALRM);
	/* Never outlive the driver, never wait forever. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != driver)
		return 1;
	alarm(timeout + 2);	/* the driver's alarm rings first */
	wait_mask(&mask, &start_mask, conductor_signals);

	say("上车了 (SIGINT/Ctrl-C: 开车, SIGQUIT/Ctrl-\\: 系安全带)");
	must(ipc_event_set(b->boarded), "ipc_event_set(boarded)");

	for (;;) {
		int n;

		sigsuspend(&mask);
		if (take(SIGALRM)) {
			complain("超时 (%u s)", timeout);
			return 2;
		}
		for (n = take(SIGINT); n > 0; n--) {
			say("SIGINT: 告诉司机开车 (SIGUSR1)");
			log_put(b, LOG_INT);
			kill(driver, SIGUSR1);
		}
		for (n = take(SIGQUIT); n > 0; n--) {
			say("SIGQUIT: 提醒司机 (SIGUSR2)");
			log_put(b, LOG_QUIT);
			kill(driver, SIGUSR2);
		}
		if (take(SIGUSR1))
			break;
	}

	say(SAY_STATION);
	log_put(b, LOG_USR1);
	/* Get off only once the bus stands still. */
	r = ipc_event_wait(b->arrived, 1, ARRIVE_TIMEOUT);
	if (r != 1) {
		complain("ipc_event_wait(arrived): %s",
			 r ? ipc_strerror(r) : "timed out");
		return 1;
	}
	r = ipc_value_get(&b->stops, &stop);
	if (r < 0) {
		complain("ipc_value_get(stops): %s", ipc_strerror(r));
		return 1;
	}
	log_put(b, LOG_OFF " %d 站", (int)stop);
	say("车停稳了 (第 %d 站)，售票员下车 (exit 0)", (int)stop);
	return 0;
}

/* ---- the driver -------------------------------------------------------- */

struct tally {
	int drive, belt;	/* lines the driver printed */
	int relay_int, relay_quit, usr1, off;	/* log records */
	int off_stop;
};

/* At the station: count the stop under the lock, tell the conductor. */
static int arrive(struct bus *b, pid_t cond)
{
	int32_t *stops = b->stops.addr;
	int32_t n;
	int r;

	r = ipc_array_lock(&b->stops, 1, 5 * SEC);
	if (r == -EOWNERDEAD)	/* a holder died; the count is a plain int */
		r = 0;
	if (r < 0) {
		complain("ipc_array_lock(stops): %s", ipc_strerror(r));
		return -1;
	}
	n = ++*stops;
	r = ipc_array_unlock(&b->stops);
	if (r < 0) {
		complain("ipc_array_unlock(stops): %s", ipc_strerror(r));
		return -1;
	}
	say("SIGTSTP: 第 %d 站到了，停车，告诉售票员 (SIGUSR1)", (int)n);
	kill(cond, SIGUSR1);
	r = ipc_event_set(b->arrived);
	if (r < 0) {
		complain("ipc_event_set(arrived): %s", ipc_strerror(r));
		return -1;
	}
	return 0;
}

/* Print the conductor's log and check it against what the driver saw. */
static int read_log(struct bus *b, struct tally *t)
{
	char msg[LOG_MSG_MAX + 1];
	int i = 0, bad = 0;
	ssize_t n;

	while ((n = ipc_queue_get(b->log, msg, LOG_MSG_MAX, NULL, 0, 0)) >= 0) {
		msg[n] = '\0';
		say("日志 %d: %s", ++i, msg);
		if (!strcmp(msg, LOG_INT))
			t->relay_int++;
		else if (!strcmp(msg, LOG_QUIT))
			t->relay_quit++;
		else if (!strcmp(msg, LOG_USR1))
			t->usr1++;
		else if (sscanf(msg, LOG_OFF " %d 站", &t->off_stop) == 1)
			t->off++;
		else
			bad++;
	}
	if (n != -EAGAIN) {
		complain("ipc_queue_get(log): %s", ipc_strerror((int)n));
		return -1;
	}
	return bad ? -1 : 0;
}

static int check(struct bus *b, struct tally *t)
{
	int32_t stops = -1;
	int ok = 1;

	if (read_log(b, t) < 0) {
		complain("日志有误");
		ok = 0;
	}
	must(ipc_value_get(&b->stops, &stops), "ipc_value_get(stops)");
	say("核对: 开车 %d 次 (售票员转发 %d 次)，安全带 %d 次 (转发 %d 次)，"
	    "停车 %d 站", t->drive, t->relay_int, t->belt, t->relay_quit,
	    (int)stops);
	/*
	 * Signals of one kind sent close together may merge into one
	 * delivery (standard signals are not queued): then the driver prints
	 * fewer lines than the conductor relayed.  Never more.
	 */
	if (t->drive > t->relay_int || t->belt > t->relay_quit) {
		complain("司机收到的信号比售票员转发的多");
		ok = 0;
	} else if (t->drive < t->relay_int || t->belt < t->relay_quit) {
		say("(有信号合并了: 同类的标准信号不排队)");
	}
	if (t->usr1 != 1 || t->off != 1 || t->off_stop != 1 || stops != 1) {
		complain("到站记录有误 (SIGUSR1 %d, 下车 %d 于第 %d 站, 停车 %d)",
			 t->usr1, t->off, t->off_stop, (int)stops);
		ok = 0;
	}
	return ok ? 0 : -1;
}

/* The parent: waits for the conductor to board, then drives. */
static int driver(struct bus *b, pid_t cond, unsigned int timeout,
		  const sigset_t *mask)
{
	struct tally t = { 0 };
	int arrived = 0, status, r;

	r = ipc_event_wait(b->boarded, 1, BOARD_TIMEOUT);
	if (r != 1) {
		complain("ipc_event_wait(boarded): %s",
			 r ? ipc_strerror(r) : "timed out");
		kill(cond, SIGKILL);
		waitpid(cond, NULL, 0);
		return 1;
	}
	say("售票员 %d 已上车，发车 (进程组 %d; SIGTSTP/Ctrl-Z: 到站)",
	    (int)cond, (int)getpgrp());

	for (;;) {
		int n;

		sigsuspend(mask);
		if (take(SIGALRM)) {
			complain("超时 (%u s): 结束售票员 %d", timeout,
				 (int)cond);
			kill(cond, SIGKILL);
			waitpid(cond, NULL, 0);
			return 2;
		}
		for (n = take(SIGUSR1); n > 0; n--, t.drive++)
			say(SAY_DRIVE);
		for (n = take(SIGUSR2); n > 0; n--, t.belt++)
			say(SAY_BELT);
		if (take(SIGTSTP)) {
			if (arrived) {
				say("SIGTSTP: 已经停在站上了");
			} else if (arrive(b, cond) < 0) {
				kill(cond, SIGKILL);
				waitpid(cond, NULL, 0);
				return 1;
			} else {
				arrived = 1;
			}
		}
		if (take(SIGCHLD) && waitpid(cond, &status, WNOHANG) == cond)
			break;
	}

	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		if (WIFSIGNALED(status))
			complain("售票员 %d 被信号 %d 终止", (int)cond,
				 WTERMSIG(status));
		else
			complain("售票员 %d exit status %d", (int)cond,
				 WEXITSTATUS(status));
		return 1;
	}
	if (!arrived) {
		complain("售票员没到站就下车了");
		return 1;
	}
	say("售票员 %d 已下车 (exit status 0)", (int)cond);
	if (check(b, &t) < 0)
		return 1;
	say("司机下车 (exit 0)");
	return 0;
}

/* Create the shared objects, fork the conductor, drive.  Returns the status. */
static int run_bus(struct bus *b, unsigned int timeout)
{
	sigset_t mask;
	pid_t me = getpid(), cond;
	int ret;

	/*
	 * The driver's dispositions, before fork(); the signals are still
	 * blocked (main()), so nothing is lost or acted on before each
	 * process has its own.
	 */
	set_disposition(SIGINT, SIG_IGN);	/* for the conductor */
	set_disposition(SIGQUIT, SIG_IGN);	/* for the conductor */
	handle(SIGUSR1);
	handle(SIGUSR2);
	handle(SIGTSTP);
	handle(SIGCHLD);
	handle(SIGALRM);
	alarm(timeout);

	cond = fork();
	if (cond < 0) {
		complain("fork: %s", strerror(errno));
		return 1;
	}
	if (cond == 0)
		_exit(conductor(b, me, timeout));

	wait_mask(&mask, &start_mask, driver_signals);
	ret = driver(b, cond, timeout, &mask);
	ipc_queue_close(b->log);
	ipc_event_close(b->boarded);
	ipc_event_close(b->arrived);
	ipc_array_close(&b->stops);
	return ret;
}

/* ---- --script: the director ------------------------------------------- */

/*
 * Wait @ms milliseconds for nothing: 0; or a signal of @set arrived
 * (returned: SIGCHLD when the bus ended early, or an abort).
 */
static int pause_ms(const sigset_t *set, long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	int sig;

	for (;;) {
		sig = sigtimedwait(set, NULL, &ts);
		if (sig >= 0)
			return sig;
		if (errno == EAGAIN)
			return 0;
		/* EINTR: a signal outside @set; keep waiting (approximately). */
	}
}

static void reap(pid_t pid)
{
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

static int director(struct bus *b, unsigned int timeout, long pause)
{
	static const struct { int sig; const char *key, *what; } steps[] = {
		{ SIGINT,  "Ctrl-C",  "开车" },
		{ SIGQUIT, "Ctrl-\\", "系安全带" },
		{ SIGINT,  "Ctrl-C",  "开车" },
		{ SIGQUIT, "Ctrl-\\", "系安全带" },
		{ SIGTSTP, "Ctrl-Z",  "到站" },
	};
	sigset_t waitset;
	pid_t bus;
	int status, r, sig = 0;
	size_t i;

	/*
	 * No handlers: the director keeps its signals blocked and takes them
	 * with sigtimedwait(): SIGCHLD (the bus ended), or SIGALRM, SIGINT,
	 * SIGTERM, SIGHUP (abort: the whole bus is killed).
	 */
	sigset_of(&waitset, (const int[]){ SIGCHLD, SIGALRM, SIGINT, SIGTERM,
					   SIGHUP, 0 });
	alarm(timeout + 5);

	bus = fork();
	if (bus < 0) {
		complain("fork: %s", strerror(errno));
		return 1;
	}
	if (bus == 0) {
		/* A process group of its own, as a shell gives a job. */
		setpgid(0, 0);
		role = "司机";
		alarm(0);
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
			_exit(1);
		_exit(run_bus(b, timeout));
	}
	setpgid(bus, bus);	/* both sides: no race with the first kill */
	say("公交车进程组 %d (司机 %d)", (int)bus, (int)bus);

	r = ipc_event_wait(b->boarded, 1, BOARD_TIMEOUT);
	if (r != 1) {
		complain("ipc_event_wait(boarded): %s",
			 r ? ipc_strerror(r) : "timed out");
		goto abort;
	}
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		sig = pause_ms(&waitset, pause);
		if (sig)
			break;
		say("%s: kill(-%d, SIG%s) (%s)", steps[i].key, (int)bus,
		    sigabbrev_np(steps[i].sig), steps[i].what);
		if (kill(-bus, steps[i].sig) < 0) {
			complain("kill(-%d): %s", (int)bus, strerror(errno));
			goto abort;
		}
	}
	/* Wait for the bus to end, still honouring the time limit. */
	for (;;) {
		if (sig && sig != SIGCHLD) {
			complain("SIG%s: 中止", sigabbrev_np(sig));
			goto abort;
		}
		r = waitpid(bus, &status, WNOHANG);
		if (r == bus)
			break;
		if (r < 0) {
			complain("waitpid: %s", strerror(errno));
			goto abort;
		}
		sig = pause_ms(&waitset, 1000);
	}
	/* The conductor has been reaped by the driver: the group is empty. */
	if (kill(-bus, 0) == 0 || errno != ESRCH) {
		complain("进程组 %d 还有进程", (int)bus);
		kill(-bus, SIGKILL);
		return 1;
	}
	if (WIFEXITED(status)) {
		say("全剧终: 司机 exit status %d，进程组 %d 已空",
		    WEXITSTATUS(status), (int)bus);
		return WEXITSTATUS(status);
	}
	complain("司机被信号 %d 终止", WTERMSIG(status));
	return 1;

abort:
	kill(-bus, SIGKILL);
	reap(bus);
	return sig == SIGALRM ? 2 : 1;
}

/* ---- main -------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
"Usage: bus [--script] [--timeout SEC] [--pause MS]\n"
"       bus --help\n"
"\n"
"售票员和司机的故事: the driver (parent) and the conductor (child).\n"
"  Ctrl-C  (SIGINT)  conductor -> SIGUSR1 -> driver: \"" SAY_DRIVE "\"\n"
"  Ctrl-\\  (SIGQUIT) conductor -> SIGUSR2 -> driver: \"" SAY_BELT "\"\n"
"  Ctrl-Z  (SIGTSTP) driver -> SIGUSR1 -> conductor: \"" SAY_STATION "\",\n"
"          then the conductor gets off (exits), then the driver.\n"
"The conductor logs what it relays in an ipcdev queue, waits for the\n"
"\"arrived\" ipcdev event before getting off; the stop count is an ipcdev\n"
"Value.  Needs the ipcdev module.\n"
"\n"
"  --script       run unattended: send the signals to the bus's process\n"
"                 group with pauses (also: IPCDEV_BUS_SCRIPT=1)\n"
"  --timeout SEC  give up after SEC seconds (default %d, %d with --script)\n"
"  --pause MS     --script: pause between signals (default %d)\n"
"  --help         this text\n"
"\n"
"Exit status: 0 the story ran as told, 1 error, 2 timeout, 64 usage.\n",
		TIMEOUT_INTERACTIVE, TIMEOUT_SCRIPT, PAUSE_MS);
}

static long number(const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		fprintf(stderr, "bus: bad number '%s'\n", s);
		usage(stderr);
		exit(64);
	}
	return v;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "script",  no_argument,       NULL, 's' },
		{ "timeout", required_argument, NULL, 't' },
		{ "pause",   required_argument, NULL, 'p' },
		{ "help",    no_argument,       NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *env = getenv("IPCDEV_BUS_SCRIPT");
	int script = env && *env && strcmp(env, "0");
	long timeout = -1, pause = PAUSE_MS;
	sigset_t block;
	struct bus b;
	int32_t zero = 0;
	int c;

	/* First of all: no signal of the story may act before its handler. */
	sigset_of(&block, bus_signals);
	sigprocmask(SIG_BLOCK, &block, &start_mask);

	while ((c = getopt_long(argc, argv, "st:p:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			script = 1;
			break;
		case 't':
			timeout = number(optarg, 1, 86400);
			break;
		case 'p':
			pause = number(optarg, 0, 60000);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 64;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 64;
	}
	if (timeout < 0)
		timeout = script ? TIMEOUT_SCRIPT : TIMEOUT_INTERACTIVE;

	if (script)
		role = "剧本";
	b.log = must(ipc_queue_create(NULL), "ipc_queue_create(log)");
	b.boarded = must(ipc_event_create(0), "ipc_event_create(boarded)");
	b.arrived = must(ipc_event_create(0), "ipc_event_create(arrived)");
	must(ipc_value_create(&b.stops, 'i', &zero), "ipc_value_create(stops)");

	if (script)
		return director(&b, (unsigned int)timeout, pause);
	return run_bus(&b, (unsigned int)timeout);
}
