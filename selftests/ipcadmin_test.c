// SPDX-License-Identifier: GPL-2.0
/*
 * Selftests of ipcdev administration (issue 7): permissions of named objects
 * (mode bits, groups, umask, CAP_IPC_OWNER), unlink and SETATTR by owner and
 * non-owner, per-user quotas, IPC namespaces, /proc/ipcdev/objects, fdinfo,
 * and the ipcctl(1) tool.  Run as root with the ipcdev module loaded;
 * unprivileged users are taken on in forked children (uids 1000, 1001,
 * 2001.., 65534).
 *
 * Conventions (as ipcqueue_test.c): helpers return 0 or -errno; helper
 * processes forked by a test never use ASSERT_* but report through their
 * exit code: 0 = success, otherwise an errno value or one of the CHILD_*
 * codes of ipcdev_test.h (never 255, which the harness reads as SKIP).
 *
 * ipcctl is run from ../userspace/tools/ipcctl relative to this binary
 * (build/selftests/ipcadmin_test), and JSON is checked with
 * /usr/bin/python3.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
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
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <linux/capability.h>
#include <linux/ipcdev.h>

#include "ipcdev_test.h"

/* See ipcqueue_test.c: harness artefacts under -Wextra. */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"

/*
 * The ipcctl tests run a dozen ipcctl commands and python3 each: under
 * software emulation on a busy host that took more than the harness's
 * 30 s (seen in the RT and faults lanes and once on 6.1), and
 * ipcctl_queue_verbs more than 180 s on 6.1-rt beside three other guests
 * on two cores (load 6-7).  Only a bound against a hang: check.sh's
 * limit for the whole program is 1500 s.
 */
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 480
/*
 * How long a child (ipcctl, python3) may run or stay silent: only a bound
 * against a hung child, inside the harness's own timeout.  Under emulation
 * on a loaded host a python3 start alone took over 20 s, the old bound.
 */
#define CHILD_LIMIT_MS 150000

#define PROC_OBJECTS	"/proc/ipcdev/objects"
#define PYTHON		"/usr/bin/python3"

enum { K_QUEUE, K_PIPE, K_EVENT, K_SHM, K_NR };

static const char *const kind_name[K_NR] = { "queue", "pipe", "event", "shm" };
static const char *const kind_dev[K_NR] = {
	"/dev/ipcqueue", "/dev/ipcpipe", "/dev/ipcevent", "/dev/ipcshm",
};

/* ------------------------------------------------------------------ */
/* Objects                                                             */
/* ------------------------------------------------------------------ */

/* A name unique to this test process. */
static const char *uname_(char *buf, size_t size, const char *tag)
{
	snprintf(buf, size, "adm%d.%s", (int)getpid(), tag);
	return buf;
}
#define NAME(var, tag) char var[96]; uname_(var, sizeof(var), tag)

/*
 * Open a handle on the named object @name of kind @k with @oflags, issuing
 * the OPEN ioctl with @flags (IPCDEV_CREAT ...) and @mode.  Pipes: end 0;
 * segments created as 4 'i' elements.  The fd or -errno.
 */
static int obj_open(int k, const char *name, int oflags, __u32 flags,
		    __u32 mode)
{
	struct ipcdev_queue_open q = { .name = ptr(name), .flags = flags,
				       .mode = mode };
	struct ipcdev_pipe_open p = { .name = ptr(name), .flags = flags,
				      .mode = mode, .end = 0, .fd = -1 };
	struct ipcdev_event_open e = { .name = ptr(name), .flags = flags,
				       .mode = mode };
	struct ipcdev_shm_open s = { .name = ptr(name), .flags = flags,
				     .mode = mode, .type = 'i', .count = 4 };

	oflags |= O_CLOEXEC;
	switch (k) {
	case K_QUEUE:
		return dev_open_bind(kind_dev[k], oflags, IPCDEV_IOC_QUEUE_OPEN, &q);
	case K_PIPE:
		return dev_open_bind(kind_dev[k], oflags, IPCDEV_IOC_PIPE_OPEN, &p);
	case K_EVENT:
		return dev_open_bind(kind_dev[k], oflags, IPCDEV_IOC_EVENT_OPEN, &e);
	default:
		return dev_open_bind(kind_dev[k], oflags, IPCDEV_IOC_SHM_OPEN, &s);
	}
}

static int obj_create(int k, const char *name, __u32 mode)
{
	int fd = obj_open(k, name, O_RDWR, IPCDEV_CREAT | IPCDEV_EXCL, mode);

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

struct ids {
	__u32 id, mode, uid, gid, flags;
};

/* The identity fields of the STAT of handle @fd of kind @k. */
static int obj_ids(int k, int fd, struct ids *ids)
{
	struct ipcdev_queue_stat q;
	struct ipcdev_pipe_stat p;
	struct ipcdev_event_stat e;
	struct ipcdev_shm_stat s;

	switch (k) {
	case K_QUEUE:
		if (ioctl(fd, IPCDEV_IOC_QUEUE_STAT, &q))
			return -errno;
		*ids = (struct ids){ q.id, q.mode, q.uid, q.gid, q.flags };
		return 0;
	case K_PIPE:
		if (ioctl(fd, IPCDEV_IOC_PIPE_STAT, &p))
			return -errno;
		*ids = (struct ids){ p.id, p.mode, p.uid, p.gid, p.flags };
		return 0;
	case K_EVENT:
		if (ioctl(fd, IPCDEV_IOC_EVENT_STAT, &e))
			return -errno;
		*ids = (struct ids){ e.id, e.mode, e.uid, e.gid, e.flags };
		return 0;
	default:
		if (ioctl(fd, IPCDEV_IOC_SHM_STAT, &s))
			return -errno;
		*ids = (struct ids){ s.id, s.mode, s.uid, s.gid, s.flags };
		return 0;
	}
}

/* STAT of the named object, attached read-only (as root). */
static int name_ids(int k, const char *name, struct ids *ids)
{
	int fd = obj_open(k, name, O_RDONLY, 0, 0), r;

	if (fd < 0)
		return fd;
	r = obj_ids(k, fd, ids);
	close(fd);
	return r;
}

static int obj_setattr_fd(int fd, const char *name, __u32 flags, __u32 mode,
			  __u32 uid, __u32 gid)
{
	struct ipcdev_setattr sa = {
		.name = ptr(name), .flags = flags, .mode = mode, .uid = uid,
		.gid = gid,
	};

	return ioctl(fd, IPCDEV_IOC_SETATTR, &sa) ? -errno : 0;
}

/* SETATTR by name through a new device descriptor. */
static int obj_setattr(int k, const char *name, __u32 flags, __u32 mode,
		       __u32 uid, __u32 gid)
{
	int fd = open(kind_dev[k], O_RDONLY | O_CLOEXEC), r;

	if (fd < 0)
		return -errno;
	r = obj_setattr_fd(fd, name, flags, mode, uid, gid);
	close(fd);
	return r;
}

static int q_put(int fd, const void *buf, size_t len, __u32 wflags)
{
	struct ipcdev_msg m = { .buf = ptr(buf), .len = len, .flags = wflags };

	return ioctl(fd, IPCDEV_IOC_QUEUE_PUT, &m) ? -errno : 0;
}

/* A nonblocking get; the length or -errno. */
static long q_get(int fd, void *buf, size_t size)
{
	struct ipcdev_msg m = { .buf = ptr(buf), .len = size,
				.flags = IPCDEV_WAIT_NONBLOCK };

	return ioctl(fd, IPCDEV_IOC_QUEUE_GET, &m) ? -errno : (long)m.len;
}

/* ------------------------------------------------------------------ */
/* Users                                                               */
/* ------------------------------------------------------------------ */

struct cred {
	uid_t uid;
	gid_t gid;
	int ngroups;
	gid_t groups[4];
	int umask;		/* -1: leave it */
};

static int become(const struct cred *c)
{
	if (c->umask >= 0)
		umask((mode_t)c->umask);
	if (setgroups((size_t)c->ngroups, c->groups))
		return -1;
	if (setresgid(c->gid, c->gid, c->gid))
		return -1;
	if (setresuid(c->uid, c->uid, c->uid))
		return -1;
	return 0;
}

/* Run fn(arg) in a child as @c; its exit code (see wait_child()). */
static int as_cred(const struct cred *c, int (*fn)(void *), void *arg)
{
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (become(c))
			_exit(CHILD_DROP);
		_exit(fn(arg));
	}
	return wait_child(pid, CHILD_LIMIT_MS);
}

static const struct cred U1000 = { 1000, 1000, 0, { 0 }, -1 };
static const struct cred U1001 = { 1001, 1001, 0, { 0 }, -1 };
/* 1001 with the supplementary group 1000. */
static const struct cred U1001_G1000 = { 1001, 1001, 1, { 1000 }, -1 };
static const struct cred NOBODY_C = { NOBODY, NOBODY, 0, { 0 }, -1 };

/* One operation for a child: exit code 0 or the errno. */
struct op {
	int k;
	const char *name;
	int oflags;
	__u32 flags, mode;
	__u32 sa_flags, sa_mode, sa_uid, sa_gid;
};

static int op_open(void *a)
{
	struct op *o = a;
	int fd = obj_open(o->k, o->name, o->oflags, o->flags, o->mode);

	if (fd < 0)
		return -fd;
	close(fd);
	return 0;
}

static int op_unlink(void *a)
{
	struct op *o = a;

	return -dev_unlink(kind_dev[o->k], o->name);
}

static int op_setattr(void *a)
{
	struct op *o = a;

	return -obj_setattr(o->k, o->name, o->sa_flags, o->sa_mode, o->sa_uid,
			    o->sa_gid);
}

static int open_as(const struct cred *c, int k, const char *name, int oflags)
{
	struct op o = { .k = k, .name = name, .oflags = oflags };

	return as_cred(c, op_open, &o);
}

static int create_as(const struct cred *c, int k, const char *name,
		     __u32 mode)
{
	struct op o = { .k = k, .name = name, .oflags = O_RDWR,
			.flags = IPCDEV_CREAT | IPCDEV_EXCL, .mode = mode };

	return as_cred(c, op_open, &o);
}

static int unlink_as(const struct cred *c, int k, const char *name)
{
	struct op o = { .k = k, .name = name };

	return as_cred(c, op_unlink, &o);
}

static int setattr_as(const struct cred *c, int k, const char *name,
		      __u32 flags, __u32 mode, __u32 uid, __u32 gid)
{
	struct op o = { .k = k, .name = name, .sa_flags = flags,
			.sa_mode = mode, .sa_uid = uid, .sa_gid = gid };

	return as_cred(c, op_setattr, &o);
}

/* ------------------------------------------------------------------ */
/* /proc/ipcdev/objects                                                */
/* ------------------------------------------------------------------ */

struct orow {
	char kind[16];
	unsigned int id;
	char name[4 * IPCDEV_NAME_MAX + 8];	/* as shown (escaped) */
	unsigned long ns;
	unsigned int uid, gid, mode;
	int handles;
	unsigned long long size, count, bytes;
	unsigned int waiters, mappings;
	long creator;
	int unlinked;
};

/*
 * Read /proc/ipcdev/objects into @rows (at most @max); the number of rows,
 * or -1 if the file or its header is wrong.
 */
static int read_objects(struct orow *rows, int max)
{
	char line[2048];
	int n = 0;
	FILE *f = fopen(PROC_OBJECTS, "r");

	if (!f)
		return -1;
	if (!fgets(line, sizeof(line), f) ||
	    strcmp(line, "kind       id name ns uid gid mode handles size count bytes waiters mappings creator unlinked\n")) {
		fclose(f);
		return -1;
	}
	while (n < max && fgets(line, sizeof(line), f)) {
		struct orow *r = &rows[n];

		if (sscanf(line, "%15s %u %1027s %lu %u %u %o %d %llu %llu %llu %u %u %ld %d",
			   r->kind, &r->id, r->name, &r->ns, &r->uid, &r->gid,
			   &r->mode, &r->handles, &r->size, &r->count,
			   &r->bytes, &r->waiters, &r->mappings, &r->creator,
			   &r->unlinked) != 15) {
			fclose(f);
			return -1;
		}
		n++;
	}
	fclose(f);
	return n;
}

#define MAXROWS 512

/* The rows of kind @kind named @shown; how many, the first in *out. */
static int find_rows(const struct orow *rows, int n, const char *kind,
		     const char *shown, struct orow *out)
{
	int found = 0;

	for (int i = 0; i < n; i++) {
		if (strcmp(rows[i].kind, kind) || strcmp(rows[i].name, shown))
			continue;
		if (!found++ && out)
			*out = rows[i];
	}
	return found;
}

/* Child: read the objects; exit 0 iff @name (a queue) is listed, else 1. */
static int op_sees_queue(void *a)
{
	static struct orow rows[MAXROWS];
	int n = read_objects(rows, MAXROWS);

	if (n < 0)
		return CHILD_OTHER;
	return find_rows(rows, n, "queue", a, NULL) ? 0 : 1;
}

/* ------------------------------------------------------------------ */
/* ipcctl                                                              */
/* ------------------------------------------------------------------ */

struct run {
	int rc;
	char out[65536];
	size_t outlen;
	char err[8192];
	size_t errlen;
};

static const char *ipcctl_path(void)
{
	static char path[PATH_MAX + 64];
	char exe[PATH_MAX];
	ssize_t n;
	char *slash;

	if (path[0])
		return path;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return "ipcctl";
	exe[n] = 0;
	slash = strrchr(exe, '/');
	if (slash)
		*slash = 0;
	snprintf(path, sizeof(path), "%s/../userspace/tools/ipcctl", exe);
	return path;
}

/*
 * Run argv (argv[0] a path) with @in on stdin, as @c (NULL: root),
 * capturing stdout and stderr (NUL-terminated).  0, or -1 if it could not
 * be run or did not end within 20 s.
 */
static int run_cmd(struct run *r, const struct cred *c, const char *in,
		   const char *const argv[])
{
	int pin[2], pout[2], perr[2];
	pid_t pid;

	memset(r, 0, sizeof(*r));
	r->rc = -1;
	if (pipe2(pin, O_CLOEXEC) || pipe2(pout, O_CLOEXEC) ||
	    pipe2(perr, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(pin[0], 0);
		dup2(pout[1], 1);
		dup2(perr[1], 2);
		if (c && become(c))
			_exit(CHILD_DROP);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(pin[0]);
	close(pout[1]);
	close(perr[1]);
	if (in && *in) {
		signal(SIGPIPE, SIG_IGN);
		ssize_t w = write(pin[1], in, strlen(in));

		(void)w;
	}
	close(pin[1]);
	for (;;) {
		struct pollfd p[2] = {
			{ .fd = pout[0], .events = POLLIN },
			{ .fd = perr[0], .events = POLLIN },
		};
		int open_fds = 0;

		if (p[0].fd >= 0)
			open_fds++;
		if (p[1].fd >= 0)
			open_fds++;
		if (!open_fds)
			break;
		if (poll(p, 2, CHILD_LIMIT_MS) <= 0)
			break;
		for (int i = 0; i < 2; i++) {
			char *buf = i ? r->err : r->out;
			size_t *len = i ? &r->errlen : &r->outlen;
			size_t cap = (i ? sizeof(r->err) : sizeof(r->out)) - 1;
			int *fd = i ? &perr[0] : &pout[0];
			char junk[4096];
			ssize_t k;

			if (*fd < 0 || !(p[i].revents & (POLLIN | POLLHUP)))
				continue;
			if (*len < cap)
				k = read(*fd, buf + *len, cap - *len);
			else
				k = read(*fd, junk, sizeof(junk));
			if (k <= 0) {
				close(*fd);
				*fd = -1;
				if (i)
					perr[0] = -1;
				else
					pout[0] = -1;
			} else if (*len < cap) {
				*len += (size_t)k;
			}
		}
	}
	if (pout[0] >= 0)
		close(pout[0]);
	if (perr[0] >= 0)
		close(perr[0]);
	r->out[r->outlen] = 0;
	r->err[r->errlen] = 0;
	r->rc = wait_child(pid, CHILD_LIMIT_MS);
	return r->rc < 0 ? -1 : 0;
}

static int run_ipcctl(struct run *r, const struct cred *c, const char *in,
		      const char *const args[])
{
	const char *argv[32];
	int n = 0;

	argv[n++] = ipcctl_path();
	while (*args && n < 31)
		argv[n++] = *args++;
	argv[n] = NULL;
	return run_cmd(r, c, in, argv);
}

#define IPCCTL(r, c, in, ...) \
	run_ipcctl((r), (c), (in), (const char *const []){ __VA_ARGS__, NULL })

/*
 * Whether @json parses and the Python expression @expr (over d, the parsed
 * document) is true: 0, or the interpreter's exit code (1: false).
 */
static int py_check(const char *json, const char *expr)
{
	static struct run pr;
	char code[4096];

	snprintf(code, sizeof(code),
		 "import json, sys\nd = json.load(sys.stdin)\n"
		 "sys.exit(0 if (%s) else 1)\n", expr);
	if (run_cmd(&pr, NULL, json,
		    (const char *const []){ PYTHON, "-c", code, NULL }))
		return -1;
	if (pr.rc)
		fprintf(stderr, "# python3 check failed (%d): %s\n%s", pr.rc,
			expr, pr.err);
	return pr.rc;
}

/* ------------------------------------------------------------------ */
/* Permissions                                                         */
/* ------------------------------------------------------------------ */

/* Owner, group and other bits, for the access the handle is opened for. */
TEST(mode_owner_group_other)
{
	NAME(n, "perm");

	/* Owned by 1000:1000, rw-r-----. */
	ASSERT_EQ(0, create_as(&U1000, K_QUEUE, n, 0640));
	/* A stranger: neither read nor write. */
	EXPECT_EQ(EACCES, open_as(&U1001, K_QUEUE, n, O_RDONLY));
	EXPECT_EQ(EACCES, open_as(&U1001, K_QUEUE, n, O_WRONLY));
	EXPECT_EQ(EACCES, open_as(&U1001, K_QUEUE, n, O_RDWR));
	/* A member of group 1000 (supplementary): read only. */
	EXPECT_EQ(0, open_as(&U1001_G1000, K_QUEUE, n, O_RDONLY));
	EXPECT_EQ(EACCES, open_as(&U1001_G1000, K_QUEUE, n, O_WRONLY));
	EXPECT_EQ(EACCES, open_as(&U1001_G1000, K_QUEUE, n, O_RDWR));
	/* The owner: both. */
	EXPECT_EQ(0, open_as(&U1000, K_QUEUE, n, O_RDWR));

	/* rw----r--: other may read; the group class (no bits) does not. */
	ASSERT_EQ(0, obj_setattr(K_QUEUE, n, IPCDEV_SETATTR_MODE, 0604, 0, 0));
	EXPECT_EQ(0, open_as(&U1001, K_QUEUE, n, O_RDONLY));
	EXPECT_EQ(EACCES, open_as(&U1001, K_QUEUE, n, O_WRONLY));
	EXPECT_EQ(EACCES, open_as(&U1001_G1000, K_QUEUE, n, O_RDONLY));
	/* -w--w----: the group may write only. */
	ASSERT_EQ(0, obj_setattr(K_QUEUE, n, IPCDEV_SETATTR_MODE, 0220, 0, 0));
	EXPECT_EQ(0, open_as(&U1001_G1000, K_QUEUE, n, O_WRONLY));
	EXPECT_EQ(EACCES, open_as(&U1001_G1000, K_QUEUE, n, O_RDONLY));
	EXPECT_EQ(EACCES, open_as(&U1000, K_QUEUE, n, O_RDONLY));
	EXPECT_EQ(0, dev_unlink(kind_dev[K_QUEUE], n));
}

/* The same checks hold for every kind. */
TEST(mode_every_kind)
{
	for (int k = 0; k < K_NR; k++) {
		NAME(n, kind_name[k]);

		TH_LOG("%s", kind_name[k]);
		ASSERT_EQ(0, create_as(&U1000, k, n, 0640));
		EXPECT_EQ(EACCES, open_as(&U1001, k, n, O_RDONLY));
		EXPECT_EQ(0, open_as(&U1001_G1000, k, n, O_RDONLY));
		EXPECT_EQ(EACCES, open_as(&U1001_G1000, k, n, O_RDWR));
		ASSERT_EQ(0, obj_setattr(k, n, IPCDEV_SETATTR_MODE, 0606, 0, 0));
		EXPECT_EQ(0, open_as(&U1001, k, n, O_RDWR));
		EXPECT_EQ(0, dev_unlink(kind_dev[k], n));
	}
}

static int op_umask_create(void *a)
{
	struct op *o = a;
	struct ids ids = { 0 };
	int fd = obj_open(o->k, o->name, O_RDWR, IPCDEV_CREAT | IPCDEV_EXCL,
			  0666);

	if (fd < 0)
		return -fd;
	if (obj_ids(o->k, fd, &ids))
		return CHILD_OTHER;
	close(fd);
	return ids.mode == o->mode ? 0 : CHILD_BADDATA;
}

TEST(umask_applied_at_creation)
{
	struct cred c = U1000;

	for (int k = 0; k < K_NR; k++) {
		NAME(n, kind_name[k]);
		struct op o = { .k = k, .name = n, .mode = 0640 };
		struct ids ids = { 0 };

		TH_LOG("%s", kind_name[k]);
		c.umask = 027;
		ASSERT_EQ(0, as_cred(&c, op_umask_create, &o));
		ASSERT_EQ(0, name_ids(k, n, &ids));
		EXPECT_EQ(0640, ids.mode);
		EXPECT_EQ(1000, ids.uid);
		EXPECT_EQ(1000, ids.gid);
		EXPECT_EQ(0, dev_unlink(kind_dev[k], n));
		/* umask 0: the mode as given. */
		c.umask = 0;
		o.mode = 0666;
		ASSERT_EQ(0, as_cred(&c, op_umask_create, &o));
		EXPECT_EQ(0, dev_unlink(kind_dev[k], n));
	}
}

/* A child as 1001 that keeps only CAP_IPC_OWNER (capset), or none. */
static int op_capowner(void *a)
{
	struct op *o = a;
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	int fd, r;

	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) || setgroups(0, NULL) ||
	    setresgid(1001, 1001, 1001) || setresuid(1001, 1001, 1001))
		return CHILD_DROP;
	memset(d, 0, sizeof(d));
	if (o->flags) {
		d[0].permitted = d[0].effective = 1U << CAP_IPC_OWNER;
	}
	if (syscall(SYS_capset, &h, d))
		return CHILD_DROP;
	memset(d, 0xff, sizeof(d));
	if (syscall(SYS_capget, &h, d) ||
	    d[0].effective != (o->flags ? 1U << CAP_IPC_OWNER : 0) ||
	    d[1].effective)
		return CHILD_DROP;
	fd = obj_open(o->k, o->name, O_RDWR, 0, 0);
	if (fd < 0)
		return -fd;
	close(fd);
	/* The owner's rights: SETATTR, then unlink. */
	r = obj_setattr(o->k, o->name, IPCDEV_SETATTR_MODE, 0, 0, 0);
	if (r)
		return -r;
	return -dev_unlink(kind_dev[o->k], o->name);
}

TEST(cap_ipc_owner_overrides)
{
	NAME(n, "cap");
	struct op o = { .k = K_EVENT, .name = n };
	struct ids ids = { 0 };
	pid_t pid;
	int fd;

	ASSERT_EQ(0, create_as(&U1000, K_EVENT, n, 0));
	/* Root (CAP_IPC_OWNER) opens a mode-000 object of another user. */
	fd = obj_open(K_EVENT, n, O_RDWR, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, obj_ids(K_EVENT, fd, &ids));
	EXPECT_EQ(0, ids.mode);
	EXPECT_EQ(1000, ids.uid);
	close(fd);
	/* 1001 without capabilities: refused. */
	o.flags = 0;
	EXPECT_EQ(EACCES, as_cred(&NOBODY_C, op_open, &o));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(op_capowner(&o));
	EXPECT_EQ(EACCES, wait_child(pid, CHILD_LIMIT_MS));
	/* 1001 with only CAP_IPC_OWNER: open, SETATTR and unlink. */
	o.flags = 1;
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(op_capowner(&o));
	EXPECT_EQ(0, wait_child(pid, CHILD_LIMIT_MS));
	EXPECT_EQ(-ENOENT, name_ids(K_EVENT, n, &ids));
	dev_unlink(kind_dev[K_EVENT], n);
}

TEST(unlink_by_non_owner_eperm)
{
	for (int k = 0; k < K_NR; k++) {
		NAME(n, kind_name[k]);
		struct ids ids = { 0 };

		TH_LOG("%s", kind_name[k]);
		ASSERT_EQ(0, create_as(&U1000, k, n, 0666));
		EXPECT_EQ(EPERM, unlink_as(&U1001, k, n));
		EXPECT_EQ(EPERM, unlink_as(&U1001_G1000, k, n));
		EXPECT_EQ(0, name_ids(k, n, &ids));
		EXPECT_EQ(0, ids.flags & IPCDEV_STAT_UNLINKED);
		EXPECT_EQ(0, unlink_as(&U1000, k, n));
		EXPECT_EQ(-ENOENT, name_ids(k, n, &ids));
		EXPECT_EQ(ENOENT, unlink_as(&U1000, k, n));
	}
}

TEST(setattr_owner_and_non_owner)
{
	NAME(n, "sa");
	struct ids ids = { 0 };
	int fd;

	ASSERT_EQ(0, create_as(&U1000, K_QUEUE, n, 0600));
	EXPECT_EQ(EACCES, open_as(&U1001, K_QUEUE, n, O_RDONLY));
	/* A non-owner may not change anything. */
	EXPECT_EQ(EPERM, setattr_as(&U1001, K_QUEUE, n, IPCDEV_SETATTR_MODE,
				    0666, 0, 0));
	EXPECT_EQ(EPERM, setattr_as(&U1001, K_QUEUE, n, IPCDEV_SETATTR_UID,
				    0, 1001, 0));
	ASSERT_EQ(0, name_ids(K_QUEUE, n, &ids));
	EXPECT_EQ(0600, ids.mode);
	EXPECT_EQ(1000, ids.uid);
	/* The owner opens it up: now 1001 may read. */
	EXPECT_EQ(0, setattr_as(&U1000, K_QUEUE, n, IPCDEV_SETATTR_MODE,
				0644, 0, 0));
	EXPECT_EQ(0, open_as(&U1001, K_QUEUE, n, O_RDONLY));
	EXPECT_EQ(EACCES, open_as(&U1001, K_QUEUE, n, O_WRONLY));
	/* Group change by the owner to a group: 1001 in group 1002 writes. */
	EXPECT_EQ(0, setattr_as(&U1000, K_QUEUE, n,
				IPCDEV_SETATTR_GID | IPCDEV_SETATTR_MODE,
				0660, 0, 1002));
	{
		struct cred c = { 1001, 1001, 1, { 1002 }, -1 };

		EXPECT_EQ(0, open_as(&c, K_QUEUE, n, O_RDWR));
	}
	/* Give it away: the old owner loses the owner's rights. */
	EXPECT_EQ(0, setattr_as(&U1000, K_QUEUE, n, IPCDEV_SETATTR_UID, 0,
				1001, 0));
	ASSERT_EQ(0, name_ids(K_QUEUE, n, &ids));
	EXPECT_EQ(1001, ids.uid);
	EXPECT_EQ(1002, ids.gid);
	EXPECT_EQ(0660, ids.mode);
	EXPECT_EQ(EPERM, setattr_as(&U1000, K_QUEUE, n, IPCDEV_SETATTR_MODE,
				    0600, 0, 0));
	EXPECT_EQ(EPERM, unlink_as(&U1000, K_QUEUE, n));

	/* Bad arguments (as root, who could otherwise do it). */
	fd = open(kind_dev[K_QUEUE], O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, obj_setattr_fd(fd, n, 0, 0600, 0, 0));
	EXPECT_EQ(-EINVAL, obj_setattr_fd(fd, n, 0x8, 0600, 0, 0));
	EXPECT_EQ(-EINVAL, obj_setattr_fd(fd, n, IPCDEV_SETATTR_MODE | 0x10,
					  0600, 0, 0));
	EXPECT_EQ(-EINVAL, obj_setattr_fd(fd, n, IPCDEV_SETATTR_MODE, 01000,
					  0, 0));
	EXPECT_EQ(-EINVAL, obj_setattr_fd(fd, n, IPCDEV_SETATTR_MODE, 04644,
					  0, 0));
	EXPECT_EQ(-EINVAL, obj_setattr_fd(fd, n, IPCDEV_SETATTR_UID, 0,
					  (__u32)-1, 0));
	{
		struct ipcdev_setattr sa = {
			.name = ptr(n), .flags = IPCDEV_SETATTR_MODE,
			.mode = 0600, .reserved = { 0, 1 },
		};

		EXPECT_EQ(-1, ioctl(fd, IPCDEV_IOC_SETATTR, &sa));
		EXPECT_EQ(EINVAL, errno);
		sa.reserved[0] = 1;
		sa.reserved[1] = 0;
		EXPECT_EQ(-1, ioctl(fd, IPCDEV_IOC_SETATTR, &sa));
		EXPECT_EQ(EINVAL, errno);
	}
	/* No name on a device descriptor (no object of its own); an unknown name. */
	EXPECT_EQ(-EINVAL, obj_setattr_fd(fd, NULL, IPCDEV_SETATTR_MODE,
					    0600, 0, 0));
	EXPECT_EQ(-ENOENT, obj_setattr_fd(fd, "adm-no-such-name",
					  IPCDEV_SETATTR_MODE, 0600, 0, 0));
	ASSERT_EQ(0, name_ids(K_QUEUE, n, &ids));
	EXPECT_EQ(0660, ids.mode);
	close(fd);

	/* SETATTR on the handle's own object (name 0). */
	fd = obj_open(K_QUEUE, n, O_RDONLY, 0, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, obj_setattr_fd(fd, NULL, IPCDEV_SETATTR_MODE, 0400, 0, 0));
	ASSERT_EQ(0, obj_ids(K_QUEUE, fd, &ids));
	EXPECT_EQ(0400, ids.mode);
	close(fd);
	EXPECT_EQ(0, unlink_as(&U1001, K_QUEUE, n));
}

/* Child for rights_fixed_at_open: opens, waits for the chmod, uses it. */
static int op_fixed_rights(void *a)
{
	int *sync = a;	/* [0]: read end from parent, [1]: write end to it */
	const char *name = (const char *)(sync + 2);
	char c = 'o', buf[8];
	int fd, r;

	fd = obj_open(K_QUEUE, name, O_RDWR, 0, 0);
	if (fd < 0)
		return -fd;
	if (write(sync[1], &c, 1) != 1 || read(sync[0], &c, 1) != 1)
		return CHILD_OTHER;
	/* Mode is 000 now: a new open is refused... */
	r = obj_open(K_QUEUE, name, O_RDONLY, 0, 0);
	if (r >= 0)
		return CHILD_ORDER;
	if (r != -EACCES)
		return -r;
	/* ...but the open handle keeps its read and write rights. */
	r = q_put(fd, "abc", 3, IPCDEV_WAIT_NONBLOCK);
	if (r)
		return -r;
	if (q_get(fd, buf, sizeof(buf)) != 3 || memcmp(buf, "abc", 3))
		return CHILD_BADDATA;
	close(fd);
	return 0;
}

TEST(rights_fixed_at_open)
{
	NAME(n, "fixed");
	int to_child[2], to_parent[2];
	int arg[2 + 32];
	pid_t pid;
	char c;

	umask(0);
	ASSERT_EQ(0, create_as(&U1000, K_QUEUE, n, 0666));
	ASSERT_EQ(0, pipe(to_child));
	ASSERT_EQ(0, pipe(to_parent));
	arg[0] = to_child[0];
	arg[1] = to_parent[1];
	ASSERT_LT(strlen(n), sizeof(arg) - 2 * sizeof(int));
	strcpy((char *)(arg + 2), n);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (become(&U1001))
			_exit(CHILD_DROP);
		_exit(op_fixed_rights(arg));
	}
	close(to_parent[1]);
	close(to_child[0]);
	ASSERT_EQ(1, read(to_parent[0], &c, 1)) {
		TH_LOG("child ended early: %d", wait_child(pid, 1000));
	}
	/* The owner takes every right away. */
	ASSERT_EQ(0, setattr_as(&U1000, K_QUEUE, n, IPCDEV_SETATTR_MODE, 0,
				0, 0));
	ASSERT_EQ(1, write(to_child[1], &c, 1));
	EXPECT_EQ(0, wait_child(pid, CHILD_LIMIT_MS));
	EXPECT_EQ(EACCES, open_as(&U1000, K_QUEUE, n, O_RDONLY));
	EXPECT_EQ(0, dev_unlink(kind_dev[K_QUEUE], n));
}

/*
 * Large spare messages (above 4 KiB) are kept only within spare_max, all
 * channels together, and given back when their channel goes.
 */
static int q_exchange(int fd, size_t len)
{
	static char buf[256 * 1024];

	if (q_put(fd, buf, len, IPCDEV_WAIT_NONBLOCK))
		return -1;
	return q_get(fd, buf, sizeof(buf)) == (long)len ? 0 : -1;
}

FIXTURE(spare) {
	unsigned long long max;
};

FIXTURE_SETUP(spare)
{
	self->max = read_param("spare_max");
	ASSERT_NE(0, self->max);
}

/* Even when the test stops at a failed ASSERT. */
FIXTURE_TEARDOWN(spare)
{
	write_param("spare_max", self->max);
}

TEST_F(spare, budget)
{
	struct ipcdev_queue_open qo = { .bytes_max = 1 << 20 };
	long long base = read_proc_stat("spare"), kept;
	int a, b;

	ASSERT_LE(0, base);
	a = dev_open_bind(kind_dev[K_QUEUE], O_RDWR, IPCDEV_IOC_QUEUE_OPEN, &qo);
	b = dev_open_bind(kind_dev[K_QUEUE], O_RDWR, IPCDEV_IOC_QUEUE_OPEN, &qo);
	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	/* A 200 KiB message leaves a spare of at least that. */
	ASSERT_EQ(0, q_exchange(a, 200 * 1024));
	kept = read_proc_stat("spare") - base;
	EXPECT_LE(200 * 1024, kept);
	EXPECT_GT(256 * 1024, kept);
	/* A 4 KiB one is kept outside the budget. */
	ASSERT_EQ(0, q_exchange(b, 4096));
	EXPECT_EQ(base + kept, read_proc_stat("spare"));
	/* No budget left: b's large message is freed, not kept. */
	ASSERT_EQ(0, write_param("spare_max", base + kept));
	ASSERT_EQ(0, q_exchange(b, 100 * 1024));
	EXPECT_EQ(base + kept, read_proc_stat("spare"));
	/* a reuses its spare and keeps it again. */
	ASSERT_EQ(0, q_exchange(a, 150 * 1024));
	EXPECT_EQ(base + kept, read_proc_stat("spare"));
	ASSERT_EQ(0, write_param("spare_max", self->max));
	close(a);
	EXPECT_EQ(base, read_proc_stat("spare"));
	close(b);
	EXPECT_EQ(base, read_proc_stat("spare"));
}

/* ------------------------------------------------------------------ */
/* Quotas                                                              */
/* ------------------------------------------------------------------ */

#define QOBJS	5
#define QBYTES	(64 * 1024)

FIXTURE(quota) {
	unsigned long long objs, bytes;
};

FIXTURE_SETUP(quota)
{
	self->objs = read_param("user_objects_max");
	self->bytes = read_param("user_bytes_max");
	ASSERT_NE(0, self->objs);
	ASSERT_NE(0, self->bytes);
	ASSERT_EQ(0, write_param("user_objects_max", QOBJS));
	ASSERT_EQ(0, write_param("user_bytes_max", QBYTES));
}

FIXTURE_TEARDOWN(quota)
{
	char n[96];

	write_param("user_objects_max", self->objs);
	write_param("user_bytes_max", self->bytes);
	for (int i = 0; i <= QOBJS + 1; i++) {
		snprintf(n, sizeof(n), "adm%d.o%d", (int)getpid(), i);
		for (int k = 0; k < K_NR; k++)
			dev_unlink(kind_dev[k], n);
	}
	for (int i = 0; i < 2; i++) {
		snprintf(n, sizeof(n), "adm%d.b%d", (int)getpid(), i);
		dev_unlink(kind_dev[K_QUEUE], n);
	}
}

/* Child as a fresh user: create up to the limit, then EDQUOT. */
static int op_quota_objects(void *a)
{
	const char *prefix = a;
	char n[96];
	long long objs, named, handles, bytes;
	int fd, r;

	for (int i = 0; i < QOBJS; i++) {
		snprintf(n, sizeof(n), "%s.o%d", prefix, i);
		r = obj_create(i % K_NR, n, 0600);
		if (r)
			return 100 + i;
	}
	objs = read_proc_stat("objects");
	named = read_proc_stat("named");
	handles = read_proc_stat("handles");
	bytes = read_proc_stat("bytes");
	snprintf(n, sizeof(n), "%s.o%d", prefix, QOBJS);
	for (int k = 0; k < K_NR; k++) {
		r = obj_create(k, n, 0600);
		if (r != -EDQUOT)
			return r ? 110 + k : CHILD_ORDER;
	}
	/* Anonymous objects count too. */
	fd = obj_open(K_QUEUE, NULL, O_RDWR, 0, 0);
	if (fd != -EDQUOT)
		return fd >= 0 ? 120 : 121;
	/* Nothing changed, and the name does not exist. */
	if (read_proc_stat("objects") != objs ||
	    read_proc_stat("named") != named ||
	    read_proc_stat("handles") != handles ||
	    read_proc_stat("bytes") != bytes)
		return 130;
	for (int k = 0; k < K_NR; k++)
		if (obj_open(k, n, O_RDONLY, 0, 0) != -ENOENT)
			return 140 + k;
	return 0;
}

TEST_F(quota, objects_edquot_at_limit)
{
	struct cred c = { 2001, 2001, 0, { 0 }, -1 };
	char prefix[64], n[96];
	struct ids ids = { 0 };

	snprintf(prefix, sizeof(prefix), "adm%d", (int)getpid());
	EXPECT_EQ(0, as_cred(&c, op_quota_objects, prefix));
	for (int i = 0; i < QOBJS; i++) {
		snprintf(n, sizeof(n), "%s.o%d", prefix, i);
		EXPECT_EQ(0, name_ids(i % K_NR, n, &ids));
		EXPECT_EQ(2001, ids.uid);
	}
	snprintf(n, sizeof(n), "%s.o%d", prefix, QOBJS);
	for (int k = 0; k < K_NR; k++)
		EXPECT_EQ(-ENOENT, name_ids(k, n, &ids));
	/* Removing one gives the user room for exactly one more. */
	snprintf(n, sizeof(n), "%s.o0", prefix);
	EXPECT_EQ(0, dev_unlink(kind_dev[K_QUEUE], n));
	EXPECT_EQ(0, create_as(&c, K_QUEUE, n, 0600));
	snprintf(n, sizeof(n), "%s.o%d", prefix, QOBJS);
	EXPECT_EQ(EDQUOT, create_as(&c, K_EVENT, n, 0600));
}

TEST_F(quota, root_not_limited)
{
	struct cred c = { 2004, 2004, 0, { 0 }, -1 };
	NAME(n1, "o0");
	NAME(n2, "o1");
	int fds[QOBJS + 3];

	ASSERT_EQ(0, write_param("user_objects_max", 1));
	ASSERT_EQ(0, write_param("user_bytes_max", 4096));
	/* The limit is in force for others... */
	ASSERT_EQ(0, create_as(&c, K_EVENT, n1, 0600));
	EXPECT_EQ(EDQUOT, create_as(&c, K_EVENT, n2, 0600));
	/* ...but root (CAP_SYS_RESOURCE) goes past it, objects and bytes. */
	for (int i = 0; i < QOBJS + 3; i++) {
		fds[i] = obj_open(K_QUEUE, NULL, O_RDWR, 0, 0);
		EXPECT_LE(0, fds[i]);
	}
	{
		static char big[16384];
		struct ipcdev_shm_open s = { .type = IPCDEV_SHM_RAW,
					     .size = 1 << 20 };
		int fd;

		EXPECT_EQ(0, q_put(fds[0], big, sizeof(big),
				   IPCDEV_WAIT_NONBLOCK));
		fd = dev_open_bind(kind_dev[K_SHM], O_RDWR, IPCDEV_IOC_SHM_OPEN,
				   &s);
		EXPECT_LE(0, fd);
		close(fd);
	}
	for (int i = 0; i < QOBJS + 3; i++)
		close(fds[i]);
}

/* Child: put 4 KiB messages into queue @a until it fails; exit code. */
struct fill_arg {
	const char *name;
	int expect_ok;
};

/*
 * Put 4 KiB messages into @fd until a put fails: 0 when exactly @expect_ok
 * went in and the next failed with EDQUOT, else a child exit code.
 */
static int fill_to_edquot(int fd, int expect_ok)
{
	static char msg[4096];
	int r = 0, ok = 0;

	while (ok <= QBYTES / 4096 + 2) {
		r = q_put(fd, msg, sizeof(msg), IPCDEV_WAIT_NONBLOCK);
		if (r)
			break;
		ok++;
	}
	if (ok != expect_ok)
		return 100 + ok;
	return r == -EDQUOT ? 0 : (r ? -r : CHILD_ORDER);
}

static int op_fill_bytes(void *a)
{
	struct fill_arg *f = a;
	int fd = obj_open(K_QUEUE, f->name, O_WRONLY, 0, 0), r;

	if (fd < 0)
		return -fd;
	r = fill_to_edquot(fd, f->expect_ok);
	if (r)
		return r;
	/* Zero-length messages hold no bytes: still admitted. */
	if (q_put(fd, NULL, 0, IPCDEV_WAIT_NONBLOCK))
		return 99;
	close(fd);
	return 0;
}

/* Child: put and get one message on queue @a. */
static int op_put_get(void *a)
{
	char buf[16];
	int fd = obj_open(K_QUEUE, a, O_RDWR, 0, 0), r;

	if (fd < 0)
		return -fd;
	r = q_put(fd, "other", 5, IPCDEV_WAIT_NONBLOCK);
	if (r)
		return -r;
	if (q_get(fd, buf, sizeof(buf)) != 5 || memcmp(buf, "other", 5))
		return CHILD_BADDATA;
	close(fd);
	return 0;
}

static int op_put_one(void *a)
{
	int fd = obj_open(K_QUEUE, a, O_WRONLY, 0, 0), r;

	if (fd < 0)
		return -fd;
	r = q_put(fd, "x", 1, IPCDEV_WAIT_NONBLOCK);
	close(fd);
	return -r;
}

static int op_shm_size(void *a)
{
	struct ipcdev_shm_open s = { .type = IPCDEV_SHM_RAW,
				     .size = *(__u64 *)a };
	int fd = dev_open_bind(kind_dev[K_SHM], O_RDWR, IPCDEV_IOC_SHM_OPEN, &s);

	if (fd < 0)
		return -fd;
	close(fd);
	return 0;
}

TEST_F(quota, bytes_edquot_per_user)
{
	struct cred c1 = { 2002, 2002, 0, { 0 }, -1 };
	struct cred c2 = { 2003, 2003, 0, { 0 }, -1 };
	struct ipcdev_queue_open qo = { .flags = IPCDEV_CREAT | IPCDEV_EXCL,
					.mode = 0666, .bytes_max = 1 << 20 };
	NAME(a, "b0");
	NAME(b, "b1");
	struct fill_arg f = { a, QBYTES / 4096 };
	struct ipcdev_queue_stat st;
	__u64 size;
	char buf[4096];
	int fa, fb;

	umask(0);
	/* A segment larger than the byte quota; one of exactly the quota. */
	size = QBYTES + 1;
	EXPECT_EQ(EDQUOT, as_cred(&c1, op_shm_size, &size));
	size = QBYTES;
	EXPECT_EQ(0, as_cred(&c1, op_shm_size, &size));

	qo.name = ptr(a);
	fa = dev_open_bind(kind_dev[K_QUEUE], O_RDWR, IPCDEV_IOC_QUEUE_OPEN, &qo);
	ASSERT_LE(0, fa);
	qo.name = ptr(b);
	fb = dev_open_bind(kind_dev[K_QUEUE], O_RDWR, IPCDEV_IOC_QUEUE_OPEN, &qo);
	ASSERT_LE(0, fb);

	/* 2002 fills its quota: exactly 16 messages of 4 KiB, then EDQUOT. */
	EXPECT_EQ(0, as_cred(&c1, op_fill_bytes, &f));
	ASSERT_EQ(0, ioctl(fa, IPCDEV_IOC_QUEUE_STAT, &st));
	EXPECT_EQ(QBYTES / 4096 + 1, st.count);
	EXPECT_EQ(QBYTES, st.bytes);
	/* Its quota is full even for a segment of one byte. */
	size = 1;
	EXPECT_EQ(EDQUOT, as_cred(&c1, op_shm_size, &size));
	/* Another user's queue, and this one, still work for 2003. */
	EXPECT_EQ(0, as_cred(&c2, op_put_get, b));
	EXPECT_EQ(0, as_cred(&c2, op_put_one, a));
	/* Taking one of 2002's messages gives its bytes back. */
	EXPECT_EQ(4096, q_get(fa, buf, sizeof(buf)));
	EXPECT_EQ(0, as_cred(&c1, op_put_one, a));
	/* 4 KiB more would pass the quota again (one byte is held). */
	f.expect_ok = 0;
	EXPECT_EQ(0, as_cred(&c1, op_fill_bytes, &f));
	close(fa);
	close(fb);
}

/* Child: put 4 KiB messages through the inherited handle *a until it fails. */
struct shared_fill {
	int fd;
	int expect_ok;
};

static int op_fill_fd(void *a)
{
	struct shared_fill *f = a;

	return fill_to_edquot(f->fd, f->expect_ok);
}

/*
 * A message is charged to the user who sends it, not to the user a handle
 * first sent for (the handle caches that user's record): one handle, three
 * users.
 */
TEST_F(quota, bytes_charged_to_each_sender_of_one_handle)
{
	struct cred c1 = { 2004, 2004, 0, { 0 }, -1 };
	struct cred c2 = { 2005, 2005, 0, { 0 }, -1 };
	struct ipcdev_queue_open qo = { .bytes_max = 1 << 20 };
	struct shared_fill f = { -1, QBYTES / 4096 };
	static char buf[4096];
	int n = 0;

	f.fd = dev_open_bind(kind_dev[K_QUEUE], O_RDWR, IPCDEV_IOC_QUEUE_OPEN,
			     &qo);
	ASSERT_LE(0, f.fd);
	/* Root sends first (and has CAP_SYS_RESOURCE: no quota). */
	ASSERT_EQ(0, q_put(f.fd, buf, sizeof(buf), IPCDEV_WAIT_NONBLOCK));
	/* 2004 fills exactly its own quota through the same handle. */
	EXPECT_EQ(0, as_cred(&c1, op_fill_fd, &f));
	/* 2005 has its own, whole. */
	EXPECT_EQ(0, as_cred(&c2, op_fill_fd, &f)) TH_LOG("2005 charged wrongly");
	/* Taking the messages gives 2004 its bytes back. */
	while (q_get(f.fd, buf, sizeof(buf)) == sizeof(buf))
		n++;
	EXPECT_EQ(1 + 2 * (QBYTES / 4096), n);
	EXPECT_EQ(0, as_cred(&c1, op_fill_fd, &f));
	close(f.fd);
}

/* ------------------------------------------------------------------ */
/* Namespaces                                                          */
/* ------------------------------------------------------------------ */

struct ns_arg {
	char out[96], in[96], same[96];
	int rd, wr;		/* from and to the parent */
};

static int ns_inode(unsigned long *ino)
{
	struct stat st;

	if (stat("/proc/self/ns/ipc", &st))
		return -errno;
	*ino = st.st_ino;
	return 0;
}

/* Child (root) in a new IPC namespace. */
static int op_ns_child(void *a)
{
	struct ns_arg *n = a;
	char c = 'r', buf[16];
	struct ipcdev_queue_stat st;
	int fd, fs;

	if (unshare(CLONE_NEWIPC))
		return CHILD_DROP;
	/* Names from outside are not visible. */
	fd = obj_open(K_QUEUE, n->out, O_RDONLY, 0, 0);
	if (fd != -ENOENT)
		return fd >= 0 ? 100 : 101;
	if (obj_open(K_EVENT, n->out, O_RDONLY, 0, 0) != -ENOENT)
		return 102;
	if (obj_create(K_QUEUE, n->in, 0600))
		return 103;
	/* The same name again: a separate object. */
	fs = obj_open(K_QUEUE, n->same, O_RDWR, IPCDEV_CREAT | IPCDEV_EXCL,
		      0600);
	if (fs < 0)
		return 104;
	if (q_put(fs, "inside", 6, IPCDEV_WAIT_NONBLOCK))
		return 105;
	if (write(n->wr, &c, 1) != 1 || read(n->rd, &c, 1) != 1)
		return CHILD_OTHER;
	if (ioctl(fs, IPCDEV_IOC_QUEUE_STAT, &st) || st.count != 1)
		return 106;
	if (q_get(fs, buf, sizeof(buf)) != 6 || memcmp(buf, "inside", 6))
		return CHILD_BADDATA;
	close(fs);
	if (dev_unlink(kind_dev[K_QUEUE], n->same) ||
	    dev_unlink(kind_dev[K_QUEUE], n->in))
		return 107;
	/* Gone here; the outside one is still there. */
	if (obj_open(K_QUEUE, n->same, O_RDONLY, 0, 0) != -ENOENT)
		return 108;
	return 0;
}

TEST(ipc_namespaces)
{
	struct ns_arg n;
	struct ipcdev_queue_stat st;
	int p2c[2], c2p[2], fo, fs;
	struct orow row;
	static struct orow rows[MAXROWS];
	int nr;
	pid_t pid;
	char c, buf[16];

	uname_(n.out, sizeof(n.out), "out");
	uname_(n.in, sizeof(n.in), "in");
	uname_(n.same, sizeof(n.same), "same");
	fo = obj_open(K_QUEUE, n.out, O_RDWR, IPCDEV_CREAT | IPCDEV_EXCL, 0644);
	ASSERT_LE(0, fo);
	ASSERT_EQ(0, obj_create(K_EVENT, n.out, 0644));
	fs = obj_open(K_QUEUE, n.same, O_RDWR, IPCDEV_CREAT | IPCDEV_EXCL,
		      0644);
	ASSERT_LE(0, fs);
	ASSERT_EQ(0, q_put(fs, "outside", 7, 0));
	ASSERT_EQ(0, pipe(p2c));
	ASSERT_EQ(0, pipe(c2p));
	n.rd = p2c[0];
	n.wr = c2p[1];
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(op_ns_child(&n));
	close(c2p[1]);
	close(p2c[0]);
	ASSERT_EQ(1, read(c2p[0], &c, 1)) {
		TH_LOG("child exited early: %d", wait_child(pid, 1000));
	}
	/* The name created inside is not visible outside. */
	EXPECT_EQ(-ENOENT, obj_open(K_QUEUE, n.in, O_RDONLY, 0, 0));
	/* The outside "same" is untouched by the inside one. */
	ASSERT_EQ(0, ioctl(fs, IPCDEV_IOC_QUEUE_STAT, &st));
	EXPECT_EQ(1, st.count);
	EXPECT_EQ(7, st.bytes);
	/* Root (CAP_SYS_ADMIN) lists both, in two namespaces. */
	nr = read_objects(rows, MAXROWS);
	ASSERT_LE(0, nr);
	EXPECT_EQ(2, find_rows(rows, nr, "queue", n.same, NULL));
	EXPECT_EQ(1, find_rows(rows, nr, "queue", n.in, &row));
	/* An unprivileged reader outside sees only the outside objects. */
	EXPECT_EQ(0, as_cred(&NOBODY_C, op_sees_queue, n.same));
	EXPECT_EQ(1, as_cred(&NOBODY_C, op_sees_queue, n.in));
	ASSERT_EQ(1, write(p2c[1], &c, 1));
	EXPECT_EQ(0, wait_child(pid, CHILD_LIMIT_MS));
	EXPECT_EQ(7, q_get(fs, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "outside", 7));
	close(fs);
	close(fo);
	EXPECT_EQ(0, dev_unlink(kind_dev[K_QUEUE], n.same));
	EXPECT_EQ(0, dev_unlink(kind_dev[K_QUEUE], n.out));
	EXPECT_EQ(0, dev_unlink(kind_dev[K_EVENT], n.out));
}

/* Child: in a new namespace, an unprivileged reader sees only it. */
static int op_ns_reader(void *a)
{
	struct ns_arg *n = a;
	static struct orow rows[MAXROWS];
	unsigned long ino = 0;
	int nr, fd, found = 0;

	if (unshare(CLONE_NEWIPC) || ns_inode(&ino))
		return CHILD_DROP;
	fd = obj_open(K_QUEUE, n->in, O_RDWR, IPCDEV_CREAT | IPCDEV_EXCL, 0644);
	if (fd < 0)
		return 100;
	/* Hand it to nobody, who unlinks it at the end. */
	if (obj_setattr(K_QUEUE, n->in, IPCDEV_SETATTR_UID, 0, NOBODY, 0))
		return 101;
	if (become(&NOBODY_C))
		return CHILD_DROP;
	nr = read_objects(rows, MAXROWS);
	if (nr < 1)
		return 102;
	for (int i = 0; i < nr; i++) {
		if (rows[i].ns != ino)
			return 103;
		if (!strcmp(rows[i].name, n->out))
			return 104;
		if (!strcmp(rows[i].kind, "queue") &&
		    !strcmp(rows[i].name, n->in))
			found++;
	}
	if (found != 1)
		return 105;
	close(fd);
	return dev_unlink(kind_dev[K_QUEUE], n->in) ? 106 : 0;
}

TEST(objects_filtered_by_namespace)
{
	struct ns_arg n;
	pid_t pid;

	uname_(n.out, sizeof(n.out), "out");
	uname_(n.in, sizeof(n.in), "nsin");
	ASSERT_EQ(0, obj_create(K_QUEUE, n.out, 0644));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(op_ns_reader(&n));
	EXPECT_EQ(0, wait_child(pid, CHILD_LIMIT_MS));
	EXPECT_EQ(0, dev_unlink(kind_dev[K_QUEUE], n.out));
}

/* ------------------------------------------------------------------ */
/* /proc/ipcdev/objects and fdinfo                                     */
/* ------------------------------------------------------------------ */

struct seen_arg {
	const char *kind, *name;
	unsigned int id;
};

/* Child: the row of @a is listed with the right id. */
static int op_sees_row(void *a)
{
	struct seen_arg *s = a;
	static struct orow rows[MAXROWS];
	struct orow r;
	int n = read_objects(rows, MAXROWS);

	if (n < 0)
		return CHILD_OTHER;
	if (find_rows(rows, n, s->kind, s->name, &r) != 1)
		return 1;
	return r.id == s->id ? 0 : CHILD_BADDATA;
}

TEST(proc_objects_fields)
{
	NAME(qn, "pq");
	NAME(pn, "pp");
	NAME(en, "pe");
	NAME(sn, "ps");
	NAME(spn, "with space");
	struct ipcdev_queue_stat qs;
	struct ipcdev_pipe_stat ps;
	struct ipcdev_shm_stat ss;
	struct ipcdev_pipe_open po = { .name = ptr(pn), .end = 1, .fd = -1 };
	struct ipcdev_msg pm = { .buf = ptr("ping"), .len = 4 };
	struct seen_arg sa;
	struct ids eids = { 0 };
	struct orow r;
	static struct orow rows[MAXROWS];
	char shown[128];
	int qfd, p0, p1, efd, sfd, afd, nr;
	void *map;

	qfd = obj_open(K_QUEUE, qn, O_RDWR, IPCDEV_CREAT | IPCDEV_EXCL, 0600);
	ASSERT_LE(0, qfd);
	ASSERT_EQ(0, q_put(qfd, "abc", 3, 0));
	ASSERT_EQ(0, q_put(qfd, "defgh", 5, 0));
	p0 = obj_open(K_PIPE, pn, O_RDWR, IPCDEV_CREAT | IPCDEV_EXCL, 0600);
	ASSERT_LE(0, p0);
	p1 = dev_open_bind(kind_dev[K_PIPE], O_RDWR, IPCDEV_IOC_PIPE_OPEN,
			   &po);
	ASSERT_LE(0, p1);
	ASSERT_EQ(0, ioctl(p1, IPCDEV_IOC_PIPE_SEND, &pm));
	efd = obj_open(K_EVENT, en, O_RDWR, IPCDEV_CREAT | IPCDEV_EXCL, 0600);
	ASSERT_LE(0, efd);
	ASSERT_EQ(0, ioctl(efd, IPCDEV_IOC_EVENT_SET, 0));
	sfd = obj_open(K_SHM, sn, O_RDWR, IPCDEV_CREAT | IPCDEV_EXCL, 0600);
	ASSERT_LE(0, sfd);
	map = mmap(NULL, 16, PROT_READ | PROT_WRITE, MAP_SHARED, sfd, 0);
	ASSERT_NE(MAP_FAILED, map);
	afd = obj_open(K_QUEUE, spn, O_RDWR, IPCDEV_CREAT | IPCDEV_EXCL, 0600);
	ASSERT_LE(0, afd);
	ASSERT_EQ(0, dev_unlink(kind_dev[K_QUEUE], spn));
	/* Owner, group and mode as set by SETATTR. */
	for (int k = 0; k < K_NR; k++) {
		const char *nm = k == K_QUEUE ? qn : k == K_PIPE ? pn :
				 k == K_EVENT ? en : sn;

		ASSERT_EQ(0, obj_setattr(k, nm, IPCDEV_SETATTR_MODE |
					 IPCDEV_SETATTR_UID |
					 IPCDEV_SETATTR_GID, 0640, 1000, 1001));
	}
	ASSERT_EQ(0, ioctl(qfd, IPCDEV_IOC_QUEUE_STAT, &qs));
	ASSERT_EQ(0, ioctl(p0, IPCDEV_IOC_PIPE_STAT, &ps));
	ASSERT_EQ(0, obj_ids(K_EVENT, efd, &eids));
	ASSERT_EQ(0, ioctl(sfd, IPCDEV_IOC_SHM_STAT, &ss));

	nr = read_objects(rows, MAXROWS);
	ASSERT_LT(0, nr);

	ASSERT_EQ(1, find_rows(rows, nr, "queue", qn, &r));
	EXPECT_EQ(qs.id, r.id);
	EXPECT_EQ(1000, r.uid);
	EXPECT_EQ(1001, r.gid);
	EXPECT_EQ(0640, r.mode);
	EXPECT_EQ(1, r.handles);
	EXPECT_EQ(qs.bytes_max, r.size);
	EXPECT_EQ(2, r.count);
	EXPECT_EQ(8, r.bytes);
	EXPECT_EQ(0, r.waiters);
	EXPECT_EQ(0, r.mappings);
	EXPECT_EQ(getpid(), r.creator);
	EXPECT_EQ(0, r.unlinked);

	ASSERT_EQ(1, find_rows(rows, nr, "pipe", pn, &r));
	EXPECT_EQ(ps.id, r.id);
	EXPECT_EQ(1000, r.uid);
	EXPECT_EQ(1001, r.gid);
	EXPECT_EQ(0640, r.mode);
	EXPECT_EQ(2, r.handles);
	EXPECT_EQ(ps.capacity, r.size);
	EXPECT_EQ(1, r.count);
	EXPECT_EQ(4, r.bytes);
	EXPECT_EQ(0, r.unlinked);

	ASSERT_EQ(1, find_rows(rows, nr, "event", en, &r));
	EXPECT_EQ(eids.id, r.id);
	EXPECT_EQ(1000, r.uid);
	EXPECT_EQ(1001, r.gid);
	EXPECT_EQ(0640, r.mode);
	EXPECT_EQ(1, r.handles);
	EXPECT_EQ(1, r.count);
	EXPECT_EQ(0, r.bytes);

	ASSERT_EQ(1, find_rows(rows, nr, "shm", sn, &r));
	EXPECT_EQ(ss.id, r.id);
	EXPECT_EQ(1000, r.uid);
	EXPECT_EQ(1001, r.gid);
	EXPECT_EQ(0640, r.mode);
	EXPECT_EQ(1, r.handles);
	EXPECT_EQ(16, r.size);
	EXPECT_EQ(4, r.count);
	EXPECT_EQ(16, r.bytes);
	EXPECT_EQ(1, r.mappings);
	EXPECT_EQ(ss.mappings, r.mappings);

	/* An unlinked name with an open handle, escaped. */
	snprintf(shown, sizeof(shown), "adm%d.with\\040space", (int)getpid());
	ASSERT_EQ(1, find_rows(rows, nr, "queue", shown, &r));
	EXPECT_EQ(1, r.unlinked);

	/* An unprivileged reader in the initial namespace sees them too. */
	sa = (struct seen_arg){ "shm", sn, ss.id };
	EXPECT_EQ(0, as_cred(&NOBODY_C, op_sees_row, &sa));
	sa = (struct seen_arg){ "queue", qn, qs.id };
	EXPECT_EQ(0, as_cred(&NOBODY_C, op_sees_row, &sa));
	/* The mapping goes, the row follows. */
	munmap(map, 16);
	nr = read_objects(rows, MAXROWS);
	ASSERT_EQ(1, find_rows(rows, nr, "shm", sn, &r));
	EXPECT_EQ(0, r.mappings);

	close(qfd);
	close(p0);
	close(p1);
	close(efd);
	close(sfd);
	close(afd);
	/* Gone from the listing once the last handle closed. */
	nr = read_objects(rows, MAXROWS);
	EXPECT_EQ(0, find_rows(rows, nr, "queue", shown, NULL));
	EXPECT_EQ(0, dev_unlink(kind_dev[K_QUEUE], qn));
	EXPECT_EQ(0, dev_unlink(kind_dev[K_PIPE], pn));
	EXPECT_EQ(0, dev_unlink(kind_dev[K_EVENT], en));
	EXPECT_EQ(0, dev_unlink(kind_dev[K_SHM], sn));
}

TEST(fdinfo_every_kind)
{
	for (int k = 0; k < K_NR; k++) {
		NAME(n, kind_name[k]);
		struct ids ids = { 0 };
		char val[300], want[32];
		int fd, afd;

		TH_LOG("%s", kind_name[k]);
		fd = obj_open(k, n, O_RDWR, IPCDEV_CREAT | IPCDEV_EXCL, 0600);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, obj_ids(k, fd, &ids));
		ASSERT_EQ(0, fdinfo(fd, "ipcdev-kind", val, sizeof(val)));
		EXPECT_STREQ(kind_name[k], val);
		ASSERT_EQ(0, fdinfo(fd, "ipcdev-id", val, sizeof(val)));
		snprintf(want, sizeof(want), "%u", ids.id);
		EXPECT_STREQ(want, val);
		ASSERT_EQ(0, fdinfo(fd, "ipcdev-name", val, sizeof(val)));
		EXPECT_STREQ(n, val);
		close(fd);
		/* Anonymous: an empty name. */
		afd = obj_open(k, NULL, O_RDWR, 0, 0);
		if (k == K_PIPE) {
			struct ipcdev_pipe_open po = { .fd = -1 };

			afd = open(kind_dev[k], O_RDWR);
			ASSERT_LE(0, afd);
			ASSERT_EQ(0, dev_open_in_place(afd, IPCDEV_IOC_PIPE_OPEN, &po));
			close(po.fd);
		} else if (k == K_SHM) {
			struct ipcdev_shm_open so = { .type = 'B', .count = 8 };

			afd = dev_open_bind(kind_dev[k], O_RDWR,
					    IPCDEV_IOC_SHM_OPEN, &so);
		}
		ASSERT_LE(0, afd);
		ASSERT_EQ(0, fdinfo(afd, "ipcdev-kind", val, sizeof(val)));
		EXPECT_STREQ(kind_name[k], val);
		ASSERT_EQ(0, fdinfo(afd, "ipcdev-name", val, sizeof(val)));
		EXPECT_STREQ("", val);
		close(afd);
		EXPECT_EQ(0, dev_unlink(kind_dev[k], n));
	}
}

/* ------------------------------------------------------------------ */
/* ipcctl                                                              */
/* ------------------------------------------------------------------ */

static struct run R;

TEST(ipcctl_usage_and_help)
{
	ASSERT_EQ(0, access(ipcctl_path(), X_OK)) {
		TH_LOG("%s: %s", ipcctl_path(), strerror(errno));
	}
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "--help"));
	EXPECT_EQ(0, R.rc);
	EXPECT_NE(NULL, strstr(R.out, "Usage: ipcctl"));
	ASSERT_EQ(0, run_ipcctl(&R, NULL, NULL, (const char *const []){ NULL }));
	EXPECT_EQ(2, R.rc);
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "frobnicate"));
	EXPECT_EQ(2, R.rc);
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "ls", "--bogus"));
	EXPECT_EQ(2, R.rc);
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "stat", "queue"));
	EXPECT_EQ(2, R.rc);
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "stat", "widget", "x"));
	EXPECT_EQ(2, R.rc);
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "chmod", "queue", "x", "999"));
	EXPECT_EQ(2, R.rc);
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "queue", "get", "a/b"));
	EXPECT_EQ(2, R.rc);
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "queue", "get", "x", "--timeout",
			    "soon"));
	EXPECT_EQ(2, R.rc);
	/* Not found: 3, with the message format. */
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "stat", "queue", "adm-none"));
	EXPECT_EQ(3, R.rc);
	EXPECT_STREQ("ipcctl: stat: adm-none: No such file or directory\n",
		     R.err);
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "queue", "put", "adm-none", "x"));
	EXPECT_EQ(3, R.rc);
	EXPECT_STREQ("ipcctl: queue put: adm-none: No such file or directory\n",
		     R.err);
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "rm", "event", "adm-none"));
	EXPECT_EQ(3, R.rc);
}

TEST(ipcctl_queue_verbs)
{
	NAME(n, "cq");
	struct ipcdev_queue_stat st;
	struct ids ids = { 0 };
	char expr[512], want[160];
	__u64 t0;
	int fd;

	umask(022);
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "queue", "create", n, "--maxsize",
			    "3", "--mode", "0640"));
	ASSERT_EQ(0, R.rc) {
		TH_LOG("%s", R.err);
	}
	fd = obj_open(K_QUEUE, n, O_RDONLY, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, IPCDEV_IOC_QUEUE_STAT, &st));
	EXPECT_EQ(3, st.maxsize);
	EXPECT_EQ(0640, st.mode);
	/* Creating it again fails. */
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "queue", "create", n));
	EXPECT_EQ(5, R.rc);
	EXPECT_NE(NULL, strstr(R.err, "File exists"));

	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "queue", "put", n, "hello"));
	EXPECT_EQ(0, R.rc);
	ASSERT_EQ(0, IPCCTL(&R, NULL, "from stdin\n", "queue", "put", n, "-"));
	EXPECT_EQ(0, R.rc);
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "queue", "put", n, "-5"));
	EXPECT_EQ(0, R.rc);
	/* Full (maxsize 3): --nonblock and --timeout report 1. */
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "queue", "put", n, "x",
			    "--nonblock"));
	EXPECT_EQ(1, R.rc);
	ASSERT_EQ(0, ioctl(fd, IPCDEV_IOC_QUEUE_STAT, &st));
	EXPECT_EQ(3, st.count);
	EXPECT_EQ(5 + 11 + 2, st.bytes);

	/* stat: text and JSON. */
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "stat", "queue", n));
	EXPECT_EQ(0, R.rc);
	EXPECT_NE(NULL, strstr(R.out, "count"));
	EXPECT_NE(NULL, strstr(R.out, "bytes_max"));
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "stat", "queue", n, "--json"));
	EXPECT_EQ(0, R.rc);
	ASSERT_EQ(0, name_ids(K_QUEUE, n, &ids));
	snprintf(expr, sizeof(expr),
		 "d['kind'] == 'queue' and d['name'] == '%s' and d['id'] == %u"
		 " and d['count'] == 3 and d['bytes'] == 18 and "
		 "d['maxsize'] == 3 and d['mode'] == '%04o' and d['uid'] == 0"
		 " and d['named'] is True and d['unlinked'] is False and "
		 "d['full'] is True and d['bytes_max'] == %llu and "
		 "set(d) >= {'msgsize_max', 'getters', 'putters', 'gid', "
		 "'flags'}", n, ids.id, ids.mode,
		 (unsigned long long)st.bytes_max);
	EXPECT_EQ(0, py_check(R.out, expr)) TH_LOG("%s", R.out);

	/* get: exact bytes, in order. */
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "queue", "get", n));
	EXPECT_EQ(0, R.rc);
	EXPECT_STREQ("hello", R.out);
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "queue", "get", n, "--nonblock"));
	EXPECT_EQ(0, R.rc);
	EXPECT_STREQ("from stdin\n", R.out);
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "queue", "get", n));
	EXPECT_STREQ("-5", R.out);
	/* Empty: 1, at once with --nonblock, after the timeout otherwise. */
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "queue", "get", n, "--nonblock"));
	EXPECT_EQ(1, R.rc);
	EXPECT_STREQ("", R.out);
	t0 = now_ns();
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "queue", "get", n, "--timeout",
			    "0.3"));
	EXPECT_EQ(1, R.rc);
	EXPECT_LE(300 * MS, now_ns() - t0);
	EXPECT_NE(NULL, strstr(R.err, "timed out"));

	/* Permission: another user, mode 0640 owned by root. */
	ASSERT_EQ(0, IPCCTL(&R, &U1001, NULL, "queue", "get", n,
			    "--nonblock"));
	EXPECT_EQ(4, R.rc);
	snprintf(want, sizeof(want),
		 "ipcctl: queue get: %s: Permission denied\n", n);
	EXPECT_STREQ(want, R.err);
	ASSERT_EQ(0, IPCCTL(&R, &U1001, NULL, "stat", "queue", n));
	EXPECT_EQ(4, R.rc);
	ASSERT_EQ(0, IPCCTL(&R, &U1001, NULL, "rm", "queue", n));
	EXPECT_EQ(4, R.rc);
	ASSERT_EQ(0, IPCCTL(&R, &U1001, NULL, "chmod", "queue", n, "0666"));
	EXPECT_EQ(4, R.rc);

	/* rm: 0, then 3; several names, first failure's status. */
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "rm", "queue", n));
	EXPECT_EQ(0, R.rc);
	ASSERT_EQ(0, ioctl(fd, IPCDEV_IOC_QUEUE_STAT, &st));
	EXPECT_EQ(IPCDEV_STAT_UNLINKED, st.flags & IPCDEV_STAT_UNLINKED);
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "rm", "queue", n));
	EXPECT_EQ(3, R.rc);
	close(fd);
}

TEST(ipcctl_chmod_chown)
{
	NAME(n, "cc");
	struct ids ids = { 0 };

	ASSERT_EQ(0, obj_create(K_EVENT, n, 0600));
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "chmod", "event", n, "0604"));
	EXPECT_EQ(0, R.rc);
	ASSERT_EQ(0, name_ids(K_EVENT, n, &ids));
	EXPECT_EQ(0604, ids.mode);
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "chown", "event", n, "1000:1001"));
	EXPECT_EQ(0, R.rc);
	ASSERT_EQ(0, name_ids(K_EVENT, n, &ids));
	EXPECT_EQ(1000, ids.uid);
	EXPECT_EQ(1001, ids.gid);
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "chown", "event", n, ":1002"));
	EXPECT_EQ(0, R.rc);
	ASSERT_EQ(0, name_ids(K_EVENT, n, &ids));
	EXPECT_EQ(1000, ids.uid);
	EXPECT_EQ(1002, ids.gid);
	/* The new owner may chmod and remove; others may not. */
	ASSERT_EQ(0, IPCCTL(&R, &U1001, NULL, "chmod", "event", n, "0666"));
	EXPECT_EQ(4, R.rc);
	ASSERT_EQ(0, IPCCTL(&R, &U1000, NULL, "chmod", "event", n, "0660"));
	EXPECT_EQ(0, R.rc);
	ASSERT_EQ(0, name_ids(K_EVENT, n, &ids));
	EXPECT_EQ(0660, ids.mode);
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "chown", "event", n, "no-such-user-x"));
	EXPECT_EQ(2, R.rc);
	ASSERT_EQ(0, IPCCTL(&R, &U1000, NULL, "rm", "event", n));
	EXPECT_EQ(0, R.rc);
	EXPECT_EQ(-ENOENT, name_ids(K_EVENT, n, &ids));
}

TEST(ipcctl_pipe_verbs)
{
	NAME(n, "cp");
	NAME(d, "cpd");
	char expr[256];

	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "pipe", "create", n, "--capacity",
			    "8192"));
	ASSERT_EQ(0, R.rc) {
		TH_LOG("%s", R.err);
	}
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "pipe", "send", n, "1", "m1"));
	EXPECT_EQ(0, R.rc) {
		TH_LOG("%s", R.err);
	}
	ASSERT_EQ(0, IPCCTL(&R, NULL, "m2\n", "pipe", "send", n, "1", "-"));
	EXPECT_EQ(0, R.rc);
	/* One-way: end 0 cannot send (EBADF: 5). */
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "pipe", "send", n, "0", "x"));
	EXPECT_EQ(5, R.rc);
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "stat", "pipe", n, "--json"));
	EXPECT_EQ(0, R.rc);
	snprintf(expr, sizeof(expr),
		 "d['kind'] == 'pipe' and d['end'] == 0 and d['in_count'] == 2"
		 " and d['in_bytes'] == 5 and d['capacity'] == 8192 and "
		 "d['duplex'] is False and d['named'] is True");
	EXPECT_EQ(0, py_check(R.out, expr)) TH_LOG("%s", R.out);
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "pipe", "recv", n, "0"));
	EXPECT_EQ(0, R.rc);
	EXPECT_STREQ("m1", R.out);
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "pipe", "recv", n, "0",
			    "--timeout", "5"));
	EXPECT_EQ(0, R.rc);
	EXPECT_STREQ("m2\n", R.out);
	/* Every sender gone and nothing queued: end of file, 1. */
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "pipe", "recv", n, "0",
			    "--nonblock"));
	EXPECT_EQ(1, R.rc);
	EXPECT_NE(NULL, strstr(R.err, "Broken pipe"));
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "pipe", "recv", n, "2"));
	EXPECT_EQ(2, R.rc);

	/* Duplex. */
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "pipe", "create", d, "--duplex",
			    "--end", "0"));
	EXPECT_EQ(0, R.rc);
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "stat", "pipe", d, "--end", "1"));
	EXPECT_EQ(0, R.rc);
	EXPECT_NE(NULL, strstr(R.out, "duplex          yes"));
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "rm", "pipe", n, d));
	EXPECT_EQ(0, R.rc);
}

TEST(ipcctl_event_verbs)
{
	NAME(n, "ce");
	NAME(s, "ces");
	__u64 t0;

	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "event", "create", n));
	ASSERT_EQ(0, R.rc);
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "event", "is-set", n));
	EXPECT_EQ(1, R.rc);
	EXPECT_STREQ("clear\n", R.out);
	t0 = now_ns();
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "event", "wait", n, "--timeout",
			    "0.3"));
	EXPECT_EQ(1, R.rc);
	EXPECT_LE(300 * MS, now_ns() - t0);
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "event", "set", n));
	EXPECT_EQ(0, R.rc);
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "event", "is-set", n));
	EXPECT_EQ(0, R.rc);
	EXPECT_STREQ("set\n", R.out);
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "event", "wait", n));
	EXPECT_EQ(0, R.rc);
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "stat", "event", n, "--json"));
	EXPECT_EQ(0, R.rc);
	EXPECT_NE(NULL, strstr(R.out, "\"set\": true"));
	EXPECT_NE(NULL, strstr(R.out, "\"sets\": 1"));
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "event", "clear", n));
	EXPECT_EQ(0, R.rc);
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "event", "wait", n, "--timeout",
			    "0"));
	EXPECT_EQ(1, R.rc);
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "event", "create", s, "--set"));
	EXPECT_EQ(0, R.rc);
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "event", "is-set", s));
	EXPECT_EQ(0, R.rc);
	/* Default mode 0600: another user may not set it. */
	ASSERT_EQ(0, IPCCTL(&R, &U1001, NULL, "event", "set", n));
	EXPECT_EQ(4, R.rc);
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "event", "toggle", n));
	EXPECT_EQ(2, R.rc);
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "rm", "event", n, s));
	EXPECT_EQ(0, R.rc);
}

TEST(ipcctl_value_verbs)
{
	NAME(v, "cv");
	NAME(a, "ca");
	NAME(w, "cw");
	NAME(c, "cc");
	NAME(b, "cb");
	struct ipcdev_shm_open so = { 0 };
	struct ipcdev_shm_stat st;
	__s32 x = 0;
	int fd;

	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "value", "create", v, "i", "42"));
	ASSERT_EQ(0, R.rc) {
		TH_LOG("%s", R.err);
	}
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "value", "get", v));
	EXPECT_EQ(0, R.rc);
	EXPECT_STREQ("42\n", R.out);
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "value", "set", v, "-7"));
	EXPECT_EQ(0, R.rc);
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "value", "get", v, "0"));
	EXPECT_STREQ("-7\n", R.out);
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "value", "set", v, "1", "3"));
	EXPECT_EQ(2, R.rc);
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "value", "set", v, "4294967296"));
	EXPECT_EQ(2, R.rc);
	/* The store went through the mapping: check it raw. */
	so.name = ptr(v);
	fd = dev_open_bind(kind_dev[K_SHM], O_RDONLY, IPCDEV_IOC_SHM_OPEN, &so);
	ASSERT_LE(0, fd);
	EXPECT_EQ(4, pread(fd, &x, 4, 0));
	EXPECT_EQ(-7, x);
	ASSERT_EQ(0, ioctl(fd, IPCDEV_IOC_SHM_STAT, &st));
	EXPECT_EQ('i', st.type);
	EXPECT_EQ(1, st.count);
	EXPECT_LE(1, st.seq);	/* set published the change */
	close(fd);
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "value", "create", a, "d", "1.5",
			    "--count", "3"));
	EXPECT_EQ(0, R.rc);
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "value", "set", a, "1", "2.25"));
	EXPECT_EQ(0, R.rc);
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "value", "get", a));
	EXPECT_STREQ("1.5 2.25 1.5\n", R.out);
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "value", "get", a, "3"));
	EXPECT_EQ(2, R.rc);
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "stat", "shm", a, "--json"));
	EXPECT_EQ(0, R.rc);
	EXPECT_EQ(0, py_check(R.out, "d['kind'] == 'shm' and d['type'] == 'd'"
			      " and d['count'] == 3 and d['size'] == 24 and "
			      "d['elem_size'] == 8 and d['mappings'] == 0"));

	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "value", "create", w, "raw",
			    "--count", "4"));
	EXPECT_EQ(0, R.rc);
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "value", "get", w));
	EXPECT_STREQ("00000000\n", R.out);
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "value", "set", w, "1", "abCD"));
	EXPECT_EQ(0, R.rc);
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "value", "get", w));
	EXPECT_STREQ("00abcd00\n", R.out);
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "value", "get", w, "2"));
	EXPECT_STREQ("cd\n", R.out);
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "value", "set", w, "3", "0102"));
	EXPECT_EQ(5, R.rc);

	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "value", "create", c, "c", "x"));
	EXPECT_EQ(0, R.rc);
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "value", "get", c));
	EXPECT_STREQ("x\n", R.out);
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "value", "create", b, "B",
			    "256"));
	EXPECT_EQ(2, R.rc);
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "value", "create", b, "Z"));
	EXPECT_EQ(2, R.rc);
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "value", "create", b, "Q",
			    "18446744073709551615"));
	EXPECT_EQ(0, R.rc);
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "value", "get", b));
	EXPECT_STREQ("18446744073709551615\n", R.out);
	/* Another user: mode 0600. */
	ASSERT_EQ(0, IPCCTL(&R, &U1001, NULL, "value", "get", b));
	EXPECT_EQ(4, R.rc);
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "rm", "shm", v, a, w, c, b));
	EXPECT_EQ(0, R.rc);
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "value", "get", v));
	EXPECT_EQ(3, R.rc);
}

TEST(ipcctl_ls_table_and_json)
{
	NAME(qn, "lq");
	NAME(pn, "lp");
	NAME(en, "le");
	NAME(sn, "ls");
	NAME(spn, "l \"sp\"");
	struct ids qi = { 0 }, pi = { 0 }, ei = { 0 }, si = { 0 };
	char expr[2048], line[256], shown[128];
	int qfd;

	umask(022);
	qfd = obj_open(K_QUEUE, qn, O_RDWR, IPCDEV_CREAT | IPCDEV_EXCL, 0640);
	ASSERT_LE(0, qfd);
	ASSERT_EQ(0, q_put(qfd, "12345", 5, 0));
	ASSERT_EQ(0, obj_create(K_PIPE, pn, 0600));
	ASSERT_EQ(0, obj_create(K_EVENT, en, 0600));
	ASSERT_EQ(0, obj_create(K_SHM, sn, 0600));
	ASSERT_EQ(0, obj_create(K_EVENT, spn, 0600));
	ASSERT_EQ(0, obj_setattr(K_EVENT, en, IPCDEV_SETATTR_UID |
				 IPCDEV_SETATTR_GID, 0, 1000, 1001));
	ASSERT_EQ(0, name_ids(K_QUEUE, qn, &qi));
	ASSERT_EQ(0, name_ids(K_PIPE, pn, &pi));
	ASSERT_EQ(0, name_ids(K_EVENT, en, &ei));
	ASSERT_EQ(0, name_ids(K_SHM, sn, &si));

	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "ls", "--json"));
	ASSERT_EQ(0, R.rc);
	snprintf(expr, sizeof(expr),
		 "isinstance(d, list) and "
		 "[(o['kind'], o['id'], o['uid'], o['gid'], o['mode'], "
		 "o['handles'], o['count'], o['bytes'], o['unlinked']) "
		 "for o in d if o['name'] == '%s'] == "
		 "[('queue', %u, 0, 0, '0640', 1, 1, 5, False)] and "
		 "[(o['kind'], o['id']) for o in d if o['name'] == '%s'] == "
		 "[('pipe', %u)] and "
		 "[(o['kind'], o['id'], o['uid'], o['gid'], o['handles']) "
		 "for o in d if o['name'] == '%s'] == "
		 "[('event', %u, 1000, 1001, 0)] and "
		 "[(o['kind'], o['id'], o['size'], o['count']) "
		 "for o in d if o['name'] == '%s'] == [('shm', %u, 16, 4)] and "
		 "[o['kind'] for o in d if o['name'] == '%s'] == ['event'] "
		 "and all(set(o) >= {'ns', 'waiters', 'mappings', 'creator'} "
		 "for o in d)",
		 qn, qi.id, pn, pi.id, en, ei.id, sn, si.id, spn);
	EXPECT_EQ(0, py_check(R.out, expr)) {
		TH_LOG("%s", R.out);
	}
	/* -k: only that kind. */
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "ls", "-k", "event", "--json"));
	ASSERT_EQ(0, R.rc);
	EXPECT_NE(NULL, strstr(R.out, en));
	EXPECT_EQ(NULL, strstr(R.out, qn));
	EXPECT_EQ(NULL, strstr(R.out, "\"queue\""));

	/* The table: header and a row per object, names escaped. */
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "ls", "-n"));
	ASSERT_EQ(0, R.rc);
	EXPECT_EQ(0, strncmp(R.out, "KIND ", 5));
	EXPECT_NE(NULL, strstr(R.out, " NAME "));
	snprintf(line, sizeof(line), "queue %6u %s ", qi.id, qn);
	EXPECT_NE(NULL, strstr(R.out, line)) {
		TH_LOG("no '%s' in\n%s", line, R.out);
	}
	snprintf(line, sizeof(line), "event %6u %s ", ei.id, en);
	EXPECT_NE(NULL, strstr(R.out, line));
	snprintf(shown, sizeof(shown), "adm%d.l\\040\"sp\"", (int)getpid());
	EXPECT_NE(NULL, strstr(R.out, shown));
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "ls", "-k", "pipe"));
	ASSERT_EQ(0, R.rc);
	EXPECT_NE(NULL, strstr(R.out, pn));
	EXPECT_EQ(NULL, strstr(R.out, sn));
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "ls", "-k", "gadget"));
	EXPECT_EQ(2, R.rc);

	close(qfd);
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "rm", "queue", qn));
	EXPECT_EQ(0, R.rc);
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "rm", "pipe", pn));
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "rm", "event", en, spn));
	EXPECT_EQ(0, R.rc);
	ASSERT_EQ(0, IPCCTL(&R, NULL, NULL, "rm", "shm", sn));
	EXPECT_EQ(0, R.rc);
}

TEST_HARNESS_MAIN
