// SPDX-License-Identifier: GPL-2.0
/*
 * queue-demo: a tour of the ipcdev queue through libipcdev.
 *
 *  1. The parent creates the named queue "ipcdev-demo" and puts a "ping";
 *     an unrelated program (this one, fork+exec'ed with "attach", sharing
 *     no descriptor) attaches by name, gets it and puts a "pong" back.
 *  2. An anonymous queue of maxsize 4 is shared by fork(): a 200 ms get on
 *     the empty queue times out, a too-small buffer gets EMSGSIZE and the
 *     message stays queued, an empty message is a real message.
 *  3. Two producers fill the queue and block; the parent sees it full and
 *     gets EAGAIN/ETIMEDOUT for its own puts; two consumers drain it and
 *     report what they got (every message exactly once, FIFO per producer)
 *     on a third queue; empty messages tell the consumers to stop.
 *  4. The name is unlinked: attaching fails, the open handle still works.
 *
 * Every line is prefixed with the role and pid of the process printing it.
 * Exit status 0 when every result was the expected one, 1 otherwise.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <ipcdev.h>

#define DEMO_NAME	"ipcdev-demo"
#define MAXSIZE		4
#define NPROD		2
#define NCONS		2
#define PER_PROD	10
#define MS		1000000LL
#define CHILD_TIMEOUT	(10000 * MS)	/* children never wait forever */
#define WATCHDOG_S	60		/* the whole demo */

/* One message from a producer; only the used part of text is sent. */
struct item {
	uint32_t producer;
	uint32_t seq;
	char text[32];
};

/* A consumer's report to the parent. */
struct report {
	uint32_t consumer;
	uint32_t count;
	uint32_t in_order;	/* FIFO order held for each producer */
	uint32_t duplicates;
	uint64_t seen;		/* bit producer * PER_PROD + seq */
};

struct ctx {
	int q;			/* the bounded queue */
	int reports;		/* consumers -> parent */
	unsigned int idx;
};

static const char *role = "parent";
static int failures;

static void say(const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* One printf per line: lines of several processes never mix. */
	printf("[%s %d] %s\n", role, (int)getpid(), line);
}

/* "-EAGAIN" for -EAGAIN, the number otherwise. */
static const char *ret_str(long r, char *buf, size_t size)
{
	const char *name = r < 0 ? strerrorname_np((int)-r) : NULL;

	if (name)
		snprintf(buf, size, "-%s", name);
	else
		snprintf(buf, size, "%ld", r);
	return buf;
}

static void expect_ret(long got, long want, const char *what)
{
	char g[32], w[32];

	if (got == want) {
		say("%s -> %s (as expected)", what, ret_str(got, g, sizeof(g)));
		return;
	}
	say("UNEXPECTED: %s -> %s, expected %s", what,
	    ret_str(got, g, sizeof(g)), ret_str(want, w, sizeof(w)));
	failures++;
}

static void expect_true(int cond, const char *what)
{
	if (cond) {
		say("%s: ok", what);
		return;
	}
	say("UNEXPECTED: %s is false", what);
	failures++;
}

/* A call that must succeed to go on: exit 1 if it did not. */
static long must(long r, const char *what)
{
	char s[32];

	if (r < 0) {
		say("FATAL: %s -> %s (%s)", what, ret_str(r, s, sizeof(s)),
		    ipc_strerror((int)r));
		exit(1);
	}
	return r;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void show(int q, const char *when)
{
	struct ipcdev_queue_stat st;

	must(ipc_queue_stat(q, &st), "ipc_queue_stat");
	say("%s: qsize=%zd empty=%d full=%d bytes=%" PRIu64
	    " blocked putters=%u getters=%u", when, ipc_queue_qsize(q),
	    ipc_queue_empty(q), ipc_queue_full(q), (uint64_t)st.bytes,
	    st.putters, st.getters);
}

/* ---- children ------------------------------------------------------- */

/* Run @fn(@c) in a child named @r; it dies with the parent. */
static pid_t spawn(const char *r, int (*fn)(const struct ctx *),
		   const struct ctx *c)
{
	pid_t parent = getpid();
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		must(-errno, "fork");
	if (pid > 0)
		return pid;
	role = r;
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		exit(1);
	exit(fn(c));
}

static int wait_child(pid_t pid, const char *what)
{
	int status;

	if (waitpid(pid, &status, 0) < 0) {
		must(-errno, "waitpid");
		return -1;
	}
	if (WIFEXITED(status)) {
		expect_ret(WEXITSTATUS(status), 0, what);
		return WEXITSTATUS(status);
	}
	say("UNEXPECTED: %s: killed by signal %d", what, WTERMSIG(status));
	failures++;
	return -1;
}

static int producer(const struct ctx *c)
{
	struct item it = { .producer = c->idx };
	size_t len;
	int r;

	for (it.seq = 0; it.seq < PER_PROD; it.seq++) {
		snprintf(it.text, sizeof(it.text), "P%u #%u", it.producer,
			 it.seq);
		len = offsetof(struct item, text) + strlen(it.text) + 1;
		r = ipc_queue_put(c->q, &it, len, 1, CHILD_TIMEOUT);
		if (r < 0) {
			expect_ret(r, 0, "put");
			return 1;
		}
		say("put \"%s\" (%zu bytes)", it.text, len);
	}
	say("done: %u messages put", PER_PROD);
	return 0;
}

/* Check one item and account for it in @rep; 0 if well-formed. */
static int account(struct report *rep, int last_seq[NPROD],
		   const struct item *it, ssize_t n)
{
	unsigned int bit;

	if (n <= (ssize_t)offsetof(struct item, text) ||
	    it->text[n - offsetof(struct item, text) - 1] != '\0' ||
	    it->producer >= NPROD || it->seq >= PER_PROD) {
		say("UNEXPECTED: malformed message of %zd bytes", n);
		return -1;
	}
	bit = it->producer * PER_PROD + it->seq;
	if (rep->seen & (1ULL << bit))
		rep->duplicates++;
	rep->seen |= 1ULL << bit;
	if ((int)it->seq <= last_seq[it->producer])
		rep->in_order = 0;
	last_seq[it->producer] = (int)it->seq;
	rep->count++;
	return 0;
}

static int consumer(const struct ctx *c)
{
	struct report rep = { .consumer = c->idx, .in_order = 1 };
	int last_seq[NPROD];
	struct item it;
	ssize_t n;
	int i;

	for (i = 0; i < NPROD; i++)
		last_seq[i] = -1;
	for (;;) {
		n = ipc_queue_get(c->q, &it, sizeof(it), NULL, 1,
				  CHILD_TIMEOUT);
		if (n == 0)
			break;		/* the parent's empty stop message */
		if (n < 0) {
			expect_ret(n, 0, "get");
			return 1;
		}
		if (account(&rep, last_seq, &it, n) < 0)
			return 1;
		say("got \"%s\"", it.text);
	}
	say("stop message (0 bytes) received after %u messages", rep.count);
	n = ipc_queue_put(c->reports, &rep, sizeof(rep), 1, CHILD_TIMEOUT);
	if (n < 0) {
		expect_ret(n, 0, "put report");
		return 1;
	}
	return 0;
}

/* ---- the unrelated process: "queue-demo attach FD" -------------------- */

static int attacher(const char *parent_fd)
{
	struct ipcdev_queue_stat st;
	char reply[64];
	void *msg;
	ssize_t n;
	int q;

	role = "attacher";
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* O_CLOEXEC: the parent's handle did not survive exec. */
	expect_true(fcntl(atoi(parent_fd), F_GETFD) < 0 && errno == EBADF,
		    "parent's handle not inherited across exec");
	q = (int)must(ipc_queue_open(DEMO_NAME, O_RDWR, 0, NULL),
		      "ipc_queue_open(\"" DEMO_NAME "\", O_RDWR)");
	say("attached to \"%s\" by name", DEMO_NAME);
	must(ipc_queue_stat(q, &st), "ipc_queue_stat");
	expect_true(st.flags & IPCDEV_STAT_NAMED, "queue flagged named");
	n = must(ipc_queue_get_alloc(q, &msg, 1, 5000 * MS), "get_alloc");
	say("got \"%.*s\" (%zd bytes)", (int)n, (char *)msg, n);
	free(msg);
	n = snprintf(reply, sizeof(reply), "pong from attacher %d",
		     (int)getpid());
	expect_ret(ipc_queue_put(q, reply, (size_t)n, 1, 5000 * MS), 0,
		   "put pong");
	expect_ret(ipc_queue_close(q), 0, "close");
	return failures ? 1 : 0;
}

/* ---- parent ----------------------------------------------------------- */

/* Part 1: the named queue, attached by an unrelated process. */
static int named_part(const char *self)
{
	struct ipcdev_queue_stat st;
	char fdstr[16], ping[64], buf[64];
	ssize_t n;
	pid_t pid;
	int named;
	int r;

	r = ipc_queue_unlink(DEMO_NAME);
	if (r == 0)
		say("removed \"%s\" left by an earlier run", DEMO_NAME);
	else if (r != -ENOENT)
		expect_ret(r, -ENOENT, "unlink leftover");
	named = (int)must(ipc_queue_open(DEMO_NAME, O_RDWR | IPC_CREAT |
					 IPC_EXCL, 0600, NULL),
			  "ipc_queue_open(\"" DEMO_NAME "\", IPC_CREAT|IPC_EXCL)");
	must(ipc_queue_stat(named, &st), "ipc_queue_stat");
	say("created named queue \"%s\": id=%u mode=%04o msgsize_max=%" PRIu64
	    " bytes_max=%" PRIu64, DEMO_NAME, st.id, st.mode,
	    (uint64_t)st.msgsize_max, (uint64_t)st.bytes_max);
	expect_true(st.flags & IPCDEV_STAT_NAMED, "queue flagged named");
	expect_ret(ipc_queue_open(DEMO_NAME, O_RDWR | IPC_CREAT | IPC_EXCL,
				  0600, NULL), -EEXIST,
		   "create it again with IPC_EXCL");

	n = snprintf(ping, sizeof(ping), "ping from parent %d", (int)getpid());
	expect_ret(ipc_queue_put(named, ping, (size_t)n, 0, 0), 0, "put ping");
	snprintf(fdstr, sizeof(fdstr), "%d", named);
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		must(-errno, "fork");
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		execl(self, self, "attach", fdstr, (char *)NULL);
		_exit(127);
	}
	wait_child(pid, "attacher exit status");
	n = ipc_queue_get(named, buf, sizeof(buf) - 1, NULL, 1, 1000 * MS);
	if (n < 0) {
		expect_ret(n, 0, "get pong");
	} else {
		buf[n] = '\0';
		say("got \"%s\"", buf);
		expect_true(!strncmp(buf, "pong", 4), "reply is a pong");
	}
	return named;
}

/* Part 2: single-process behaviour of the bounded anonymous queue. */
static void basics_part(int q)
{
	char big[100], small[16];
	size_t needed = 0;
	int64_t t0, ms;
	void *msg;
	ssize_t n;

	show(q, "new queue");
	expect_true(ipc_queue_empty(q) == 1 && ipc_queue_full(q) == 0 &&
		    ipc_queue_qsize(q) == 0, "empty, not full, qsize 0");

	t0 = now_ns();
	n = ipc_queue_get(q, small, sizeof(small), NULL, 1, 200 * MS);
	ms = (now_ns() - t0) / MS;
	expect_ret(n, -ETIMEDOUT, "get, 200 ms timeout, empty queue");
	say("waited %" PRId64 " ms", ms);
	expect_true(ms >= 190 && ms < 2000, "waited about 200 ms");
	expect_ret(ipc_queue_get(q, small, sizeof(small), NULL, 0, 0),
		   -EAGAIN, "get, block=0, empty queue");

	memset(big, 'x', sizeof(big));
	expect_ret(ipc_queue_put(q, big, sizeof(big), 0, 0), 0,
		   "put 100 bytes");
	expect_ret(ipc_queue_get(q, small, sizeof(small), &needed, 0, 0),
		   -EMSGSIZE, "get into 16 bytes");
	expect_ret((long)needed, 100, "needed");
	expect_ret(ipc_queue_qsize(q), 1, "qsize (message still queued)");
	n = ipc_queue_get_alloc(q, &msg, 0, 0);
	expect_ret(n, 100, "get_alloc");
	if (n == 100)
		expect_true(!memcmp(msg, big, sizeof(big)), "contents intact");
	free(msg);

	expect_ret(ipc_queue_put(q, NULL, 0, 0, 0), 0, "put empty message");
	expect_ret(ipc_queue_qsize(q), 1, "qsize");
	expect_ret(ipc_queue_get(q, NULL, 0, NULL, 0, 0), 0,
		   "get empty message");
	show(q, "after the basics");
}

/* Wait (at most 3 s) until the producers fill the queue and block. */
static void wait_full(int q)
{
	struct ipcdev_queue_stat st;
	uint64_t last = UINT64_MAX;
	int i;

	for (i = 0; i < 300; i++) {
		must(ipc_queue_stat(q, &st), "ipc_queue_stat");
		if (st.count != last)
			show(q, "filling");
		last = st.count;
		if (st.full && st.putters == NPROD)
			break;
		sleep_ms(10);
	}
	show(q, "producers blocked");
	expect_true(ipc_queue_full(q) == 1 && ipc_queue_empty(q) == 0 &&
		    ipc_queue_qsize(q) == MAXSIZE, "full, not empty, qsize 4");
}

static void check_reports(int reports)
{
	uint64_t all = (1ULL << (NPROD * PER_PROD)) - 1, seen = 0;
	unsigned int total = 0;
	struct report rep;
	int i;

	for (i = 0; i < NCONS; i++) {
		ssize_t n = ipc_queue_get(reports, &rep, sizeof(rep), NULL,
					  0, 0);

		if (n != (ssize_t)sizeof(rep)) {
			expect_ret(n, sizeof(rep), "get report");
			continue;
		}
		say("consumer %u got %u messages, in order: %s, duplicates: %u",
		    rep.consumer, rep.count, rep.in_order ? "yes" : "NO",
		    rep.duplicates);
		expect_true(rep.in_order && !rep.duplicates && !(rep.seen & seen),
			    "FIFO per producer, no duplicate");
		seen |= rep.seen;
		total += rep.count;
	}
	expect_ret(total, NPROD * PER_PROD, "messages consumed");
	expect_true(seen == all, "every message received exactly once");
}

/* Part 3: producers and consumers sharing the queue by fork(). */
static void fork_part(int q)
{
	pid_t prod[NPROD], cons[NCONS];
	struct ctx c;
	int reports;
	unsigned int i;

	reports = (int)must(ipc_queue_create(NULL), "ipc_queue_create(NULL)");
	c.q = q;
	c.reports = reports;
	for (i = 0; i < NPROD; i++) {
		c.idx = i;
		prod[i] = spawn("producer", producer, &c);
	}
	wait_full(q);
	expect_ret(ipc_queue_put(q, "x", 1, 0, 0), -EAGAIN,
		   "put, block=0, full queue");
	expect_ret(ipc_queue_put(q, "x", 1, 1, 100 * MS), -ETIMEDOUT,
		   "put, 100 ms timeout, full queue");

	for (i = 0; i < NCONS; i++) {
		c.idx = i;
		cons[i] = spawn("consumer", consumer, &c);
	}
	for (i = 0; i < NPROD; i++)
		wait_child(prod[i], "producer exit status");
	show(q, "producers done");
	for (i = 0; i < NCONS; i++)
		expect_ret(ipc_queue_put(q, NULL, 0, 1, 5000 * MS), 0,
			   "put stop message");
	for (i = 0; i < NCONS; i++)
		wait_child(cons[i], "consumer exit status");
	check_reports(reports);
	show(q, "consumers done");
	expect_true(ipc_queue_empty(q) == 1, "queue empty at the end");
	expect_ret(ipc_queue_close(reports), 0, "close reports queue");
}

/* Part 4: remove the name; the handle keeps the queue alive. */
static void unlink_part(int named)
{
	struct ipcdev_queue_stat st;

	expect_ret(ipc_queue_unlink(DEMO_NAME), 0, "unlink \"" DEMO_NAME "\"");
	expect_ret(ipc_queue_open(DEMO_NAME, O_RDWR, 0, NULL), -ENOENT,
		   "attach after unlink");
	expect_ret(ipc_queue_put(named, "still here", 10, 0, 0), 0,
		   "put on the unlinked queue's handle");
	expect_ret(ipc_queue_stat(named, &st), 0, "stat");
	expect_true(st.flags & IPCDEV_STAT_UNLINKED, "queue flagged unlinked");
	expect_ret(ipc_queue_close(named), 0, "close named queue");
}

int main(int argc, char **argv)
{
	struct ipc_queue_attr attr = { .maxsize = MAXSIZE };
	int named, q;

	if (argc == 3 && !strcmp(argv[1], "attach"))
		return attacher(argv[2]);
	if (argc != 1) {
		fprintf(stderr, "usage: %s\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	alarm(WATCHDOG_S);		/* unattended: never hang */

	named = named_part("/proc/self/exe");

	q = (int)must(ipc_queue_create(&attr), "ipc_queue_create(maxsize 4)");
	say("created anonymous queue, maxsize %d", MAXSIZE);
	basics_part(q);
	fork_part(q);
	expect_ret(ipc_queue_close(q), 0, "close bounded queue");

	unlink_part(named);

	if (failures) {
		say("FAILED: %d unexpected results", failures);
		return 1;
	}
	say("all results as expected");
	return 0;
}
