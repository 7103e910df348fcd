/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fault injection helpers shared by ipcfault_test.c (raw ABI) and
 * ipcfault_lib_test.c (libipcdev): the per-task fail-nth file, the
 * debugfs knobs of failslab, fail_page_alloc and fail_usercopy, an
 * outcome histogram, and a kmemleak scan.  Self-contained (no harness
 * macro, none of the MS/SEC of the other helper headers), so that both
 * kinds of test can include it.
 *
 * The method is syzkaller's: write N to /proc/thread-self/fail-nth and
 * the N-th failable site (slab allocation, page allocation, user copy)
 * this thread reaches fails; reading it back gives 0 once the fault was
 * injected.  The read and the write of fail-nth are themselves user
 * copies, hence fi_disarm()'s care.  Needs a kernel with
 * CONFIG_FAULT_INJECTION and the three fault attributes (the faults
 * kernel, see ../shared/kernels/README.md).
 */
#ifndef IPCFAULT_H
#define IPCFAULT_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FI_NTH		"/proc/thread-self/fail-nth"
#define FI_DEBUGFS	"/sys/kernel/debug/"
#define FI_KMEMLEAK	FI_DEBUGFS "kmemleak"

/* A debugfs (or any) file's first line into @val; 0 or -errno. */
static inline int fi_read_file(const char *path, char *val, size_t size)
{
	int fd = open(path, O_RDONLY), e;
	ssize_t r;

	if (fd < 0)
		return -errno;
	r = read(fd, val, size - 1);
	e = errno;
	close(fd);
	if (r < 0)
		return -e;
	val[r] = 0;
	val[strcspn(val, "\n")] = 0;
	return 0;
}

static inline int fi_write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), e = 0;
	size_t len = strlen(val);

	if (fd < 0)
		return -errno;
	if (write(fd, val, len) != (ssize_t)len)
		e = -errno;
	close(fd);
	return e;
}

/*
 * The knobs the run sets, and their values: every site of the three
 * attributes may fail (probability 100, no limit on times, sleeping and
 * order-0 allocations included), but only for a task that asked, through
 * fail-nth (task-filter: no task has make-it-fail), and silently.
 */
static const char *const fi_knobs[][2] = {
	/* task-filter first, probability last: never a moment in which
	 * every task's allocations or copies fail. */
	{ "failslab/task-filter", "Y" },
	{ "failslab/verbose", "0" },
	{ "failslab/interval", "1" },
	{ "failslab/times", "-1" },
	{ "failslab/ignore-gfp-wait", "N" },
	{ "failslab/probability", "100" },
	{ "fail_page_alloc/task-filter", "Y" },
	{ "fail_page_alloc/verbose", "0" },
	{ "fail_page_alloc/interval", "1" },
	{ "fail_page_alloc/times", "-1" },
	{ "fail_page_alloc/ignore-gfp-wait", "N" },
	{ "fail_page_alloc/ignore-gfp-highmem", "N" },
	{ "fail_page_alloc/min-order", "0" },
	{ "fail_page_alloc/probability", "100" },
	{ "fail_usercopy/task-filter", "Y" },
	{ "fail_usercopy/verbose", "0" },
	{ "fail_usercopy/interval", "1" },
	{ "fail_usercopy/times", "-1" },
	{ "fail_usercopy/probability", "100" },
};
#define FI_NKNOBS	(sizeof(fi_knobs) / sizeof(fi_knobs[0]))

struct fi_saved {
	char val[FI_NKNOBS][32];
};

/*
 * Set the knobs (saving the old values in @s), make sure this task does
 * not fail by itself (make-it-fail 0).  0, or -errno with *@what naming
 * the knob that could not be set.
 */
static inline int fi_setup(struct fi_saved *s, const char **what)
{
	char path[128];
	size_t i;
	int r;

	*what = FI_NTH;
	if (access(FI_NTH, R_OK | W_OK))
		return -errno;
	*what = "/proc/self/make-it-fail";
	r = fi_write_file("/proc/self/make-it-fail", "0");
	if (r)
		return r;
	for (i = 0; i < FI_NKNOBS; i++) {
		snprintf(path, sizeof(path), FI_DEBUGFS "%s", fi_knobs[i][0]);
		*what = fi_knobs[i][0];
		r = fi_read_file(path, s->val[i], sizeof(s->val[i]));
		if (!r)
			r = fi_write_file(path, fi_knobs[i][1]);
		if (r) {
			while (i-- > 0) {	/* undo what was set */
				snprintf(path, sizeof(path), FI_DEBUGFS "%s",
					 fi_knobs[i][0]);
				fi_write_file(path, s->val[i]);
			}
			return r;
		}
	}
	return 0;
}

static inline void fi_restore(const struct fi_saved *s)
{
	char path[128];
	size_t i;

	/* In reverse: probability first, task-filter last. */
	for (i = FI_NKNOBS; i-- > 0;) {
		snprintf(path, sizeof(path), FI_DEBUGFS "%s", fi_knobs[i][0]);
		fi_write_file(path, s->val[i]);
	}
}

/* This thread's fail-nth file, kept open: opening it is not free of sites. */
static inline int fi_open(void)
{
	int fd = open(FI_NTH, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/* Fail the @n-th failable site from now on; 0 or -errno. */
static inline int fi_arm(int fd, unsigned int n)
{
	char b[16];
	int len = snprintf(b, sizeof(b), "%u", n);

	return pwrite(fd, b, len, 0) == len ? 0 : -errno;
}

/*
 * Stop injecting; 1 if the fault was injected since fi_arm(), else 0.
 * fail-nth reads 0 once injected.  A read that fails (EFAULT) took the
 * fault itself, in its own copy out: nothing was injected before it.  The
 * first write of 0 may take it too, in its copy in; the counter is 0 after
 * it either way, the second write checks that.
 */
static inline int fi_disarm(int fd)
{
	char b[16];
	ssize_t r = pread(fd, b, sizeof(b) - 1, 0);
	int injected = 0;

	if (r > 0) {
		b[r] = 0;
		injected = strtoul(b, NULL, 10) == 0;
	}
	if (pwrite(fd, "0", 1, 0) != 1)
		(void)!pwrite(fd, "0", 1, 0);
	return injected;
}

/* ------------------------------------------------------------------ */
/* Outcomes                                                           */
/* ------------------------------------------------------------------ */

#define FI_MAX_ERRNO	256

/* Per kind: sites injected, and how the operation ended. */
struct fi_hist {
	unsigned int sites;		/* n at which a fault was injected */
	unsigned int ok;		/* success (with a fault injected) */
	unsigned int err[FI_MAX_ERRNO];	/* failed with errno e */
	unsigned int other;		/* anything else */
};

static inline void fi_count(struct fi_hist *h, int ret)
{
	if (ret >= 0)
		h->ok++;
	else if (-ret < FI_MAX_ERRNO)
		h->err[-ret]++;
	else
		h->other++;
}

/* "ok=3 ENOMEM=5 EFAULT=2" into @buf. */
static inline const char *fi_hist_str(const struct fi_hist *h, char *buf,
				      size_t size)
{
	size_t off;
	int e;

	off = snprintf(buf, size, "ok=%u", h->ok);
	for (e = 1; e < FI_MAX_ERRNO && off < size; e++)
		if (h->err[e])
			off += snprintf(buf + off, size - off, " %s=%u",
					strerrorname_np(e) ?: "E?", h->err[e]);
	if (h->other && off < size)
		snprintf(buf + off, size - off, " other=%u", h->other);
	return buf;
}

/* ------------------------------------------------------------------ */
/* kmemleak                                                           */
/* ------------------------------------------------------------------ */

/*
 * Scan for leaks (objects younger than 5 s are not reported: wait first)
 * and count the reports whose backtrace names the module (*@ours) and the
 * others (*@theirs); the reports are printed to stdout, '#'-prefixed.
 * 0, or -errno when there is no kmemleak.
 */
static inline int fi_kmemleak(unsigned int *ours, unsigned int *theirs)
{
	char line[512];
	int in = 0, mine = 0;
	FILE *f;
	int r;

	*ours = *theirs = 0;
	if (access(FI_KMEMLEAK, W_OK))
		return -errno;
	sleep(6);
	r = fi_write_file(FI_KMEMLEAK, "scan");
	if (r)
		return r;
	f = fopen(FI_KMEMLEAK, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "unreferenced object", 19)) {
			if (in)
				(*(mine ? ours : theirs))++;
			in = 1;
			mine = 0;
		}
		if (strstr(line, "[ipcdev]"))
			mine = 1;
		printf("# kmemleak: %s", line);
	}
	if (in)
		(*(mine ? ours : theirs))++;
	fclose(f);
	return 0;
}

#endif /* IPCFAULT_H */
