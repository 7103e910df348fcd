// SPDX-License-Identifier: GPL-2.0
/*
 * Unload loops: 50 cycles of load the module, create objects of every kind
 * (anonymous and named), use them, check that rmmod is refused while a
 * handle is open (delete_module(O_NONBLOCK): EWOULDBLOCK), while only an
 * anonymous pipe's second end is open, and while only a mapping of a
 * segment's lock page is alive (its file is the handle), then succeeds
 * once they are gone, with a mapping of the segment's memory still alive:
 * that mapping is the shmem file's own, with nothing of the module in it,
 * and it still works after the unload.  Named objects left behind are
 * freed by rmmod, so after loading again the names are gone and
 * /proc/ipcdev/stats starts from zero.  On the debug kernel the runner's
 * kmemleak scans check that nothing leaked.
 *
 * Run as root with the module loaded; the path of the .ko comes from
 * IPCDEV_KO (exported by scripts/guest-check.sh).  The module is left
 * loaded at the end.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
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

#include <linux/ipcdev.h>

#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"
#include "ipcdev_test.h"

#define CYCLES	50
#define NAME	"ipcunload-named"

static const char *ko_path(void)
{
	const char *p = getenv("IPCDEV_KO");

	return p && *p ? p : NULL;
}

static int load(void)
{
	int fd = open(ko_path(), O_RDONLY | O_CLOEXEC), r;

	if (fd < 0)
		return -errno;
	r = syscall(SYS_finit_module, fd, "", 0) ? -errno : 0;
	close(fd);
	if (r)
		return r;
	/* devtmpfs creates the nodes at misc_register(); wait for them anyway. */
	for (int i = 0; i < 200; i++) {
		if (!access("/dev/ipcqueue", F_OK) && !access("/dev/ipcpipe", F_OK) &&
		    !access("/dev/ipcshm", F_OK) && !access("/dev/ipcevent", F_OK))
			return 0;
		usleep(10000);
	}
	return -ENODEV;
}

static int unload(void)
{
	return syscall(SYS_delete_module, "ipcdev", O_NONBLOCK) ? -errno : 0;
}



struct objs {
	int q, qn, p0, p1, pn, s, sn, e, en;
	char *map;
	char *lockmap;
};

/* Create and use one object of every kind, anonymous and named; 0 or -line. */
static int make_and_use(struct objs *o, int cycle)
{
	struct ipcdev_queue_open qo = { .maxsize = 4 };
	struct ipcdev_queue_open qno = { .name = ptr(NAME), .flags = IPCDEV_CREAT,
					 .mode = 0600 };
	struct ipcdev_pipe_open po = { .flags = IPCDEV_PIPE_DUPLEX, .fd = -1 };
	struct ipcdev_pipe_open pno = { .name = ptr(NAME), .flags = IPCDEV_CREAT,
					.mode = 0600, .end = 1 };
	struct ipcdev_shm_open so = { .type = 'q', .count = 1000 };
	struct ipcdev_shm_open sno = { .name = ptr(NAME), .flags = IPCDEV_CREAT,
				       .mode = 0600, .size = 5000 };
	struct ipcdev_event_open eo = { .flags = IPCDEV_EVENT_INIT_SET };
	struct ipcdev_event_open eno = { .name = ptr(NAME), .flags = IPCDEV_CREAT,
					 .mode = 0600 };
	struct ipcdev_event_wait ew = { .flags = IPCDEV_WAIT_NONBLOCK };
	struct ipcdev_shm_lock sl = { .flags = IPCDEV_WAIT_NONBLOCK };
	char buf[64], in[64];
	struct ipcdev_msg m = { .buf = ptr(buf), .len = 10 };
	struct ipcdev_msg g = { .buf = ptr(in), .len = sizeof(in),
				.flags = IPCDEV_WAIT_NONBLOCK };
	struct ipcdev_shm_io io = { .buf = ptr(buf), .len = 8, .offset = 4992 };

	snprintf(buf, sizeof(buf), "cycle%04d", cycle);
	o->q = open("/dev/ipcqueue", O_RDWR);
	o->qn = open("/dev/ipcqueue", O_RDWR);
	o->p0 = open("/dev/ipcpipe", O_RDWR);
	o->pn = open("/dev/ipcpipe", O_RDWR);
	o->s = open("/dev/ipcshm", O_RDWR);
	o->sn = open("/dev/ipcshm", O_RDWR);
	o->e = open("/dev/ipcevent", O_RDWR);
	o->en = open("/dev/ipcevent", O_RDWR);
	if (o->q < 0 || o->qn < 0 || o->p0 < 0 || o->pn < 0 || o->s < 0 ||
	    o->sn < 0 || o->e < 0 || o->en < 0)
		return -__LINE__;
	if (dev_open_in_place(o->q, IPCDEV_IOC_QUEUE_OPEN, &qo) ||
	    dev_open_in_place(o->qn, IPCDEV_IOC_QUEUE_OPEN, &qno) ||
	    dev_open_in_place(o->p0, IPCDEV_IOC_PIPE_OPEN, &po) ||
	    dev_open_in_place(o->pn, IPCDEV_IOC_PIPE_OPEN, &pno) ||
	    dev_open_in_place(o->s, IPCDEV_IOC_SHM_OPEN, &so) ||
	    dev_open_in_place(o->sn, IPCDEV_IOC_SHM_OPEN, &sno) ||
	    dev_open_in_place(o->e, IPCDEV_IOC_EVENT_OPEN, &eo) ||
	    dev_open_in_place(o->en, IPCDEV_IOC_EVENT_OPEN, &eno))
		return -__LINE__;
	o->p1 = po.fd;
	/* Queue: a message in, one out, one left behind in the named one. */
	if (ioctl(o->q, IPCDEV_IOC_QUEUE_PUT, &m) || ioctl(o->q, IPCDEV_IOC_QUEUE_GET, &g) ||
	    g.len != 10 || memcmp(in, buf, 10))
		return -__LINE__;
	if (ioctl(o->q, IPCDEV_IOC_QUEUE_PUT, &m) || ioctl(o->qn, IPCDEV_IOC_QUEUE_PUT, &m))
		return -__LINE__;
	/* Pipe: both directions; a message left queued in each. */
	if (ioctl(o->p0, IPCDEV_IOC_PIPE_SEND, &m) || ioctl(o->p1, IPCDEV_IOC_PIPE_SEND, &m))
		return -__LINE__;
	g.len = sizeof(in);
	if (ioctl(o->p1, IPCDEV_IOC_PIPE_RECV, &g) || g.len != 10)
		return -__LINE__;
	if (ioctl(o->p0, IPCDEV_IOC_PIPE_SEND, &m) || ioctl(o->pn, IPCDEV_IOC_PIPE_SEND, &m))
		return -__LINE__;
	/* Shm: map, store, read back through the ioctl; the lock held at unload. */
	o->map = mmap(NULL, 8000, PROT_READ | PROT_WRITE, MAP_SHARED, o->s, 0);
	if (o->map == MAP_FAILED) {
		o->map = NULL;
		return -__LINE__;
	}
	memcpy(o->map + 100, buf, 10);
	io.offset = 100;
	io.buf = ptr(in);
	io.len = 10;
	if (ioctl(o->s, IPCDEV_IOC_SHM_READ, &io) || memcmp(in, buf, 10))
		return -__LINE__;
	io.offset = 4990;
	io.buf = ptr(buf);
	if (ioctl(o->sn, IPCDEV_IOC_SHM_WRITE, &io) || pwrite(o->sn, buf, 10, 0) != 10)
		return -__LINE__;
	if (ioctl(o->s, IPCDEV_IOC_SHM_LOCK, &sl) || ioctl(o->sn, IPCDEV_IOC_SHM_LOCK, &sl))
		return -__LINE__;
	o->lockmap = mmap(NULL, sysconf(_SC_PAGESIZE), PROT_READ | PROT_WRITE,
			  MAP_SHARED, o->s, IPCDEV_SHM_LOCK_OFFSET);
	if (o->lockmap == MAP_FAILED) {
		o->lockmap = NULL;
		return -__LINE__;
	}
	/* Event: raised at creation, set, O_ASYNC (SIGIO ignored), poll. */
	if (ioctl(o->e, IPCDEV_IOC_EVENT_WAIT, &ew) || ioctl(o->en, IPCDEV_IOC_EVENT_SET, 0))
		return -__LINE__;
	if (fcntl(o->en, F_SETOWN, getpid()) ||
	    fcntl(o->en, F_SETFL, fcntl(o->en, F_GETFL) | O_ASYNC) ||
	    fcntl(o->p0, F_SETFL, fcntl(o->p0, F_GETFL) | O_ASYNC))
		return -__LINE__;
	{
		struct pollfd pf[3] = { { o->e, POLLIN, 0 }, { o->p1, POLLIN, 0 },
					{ o->s, POLLIN, 0 } };

		if (poll(pf, 3, 0) < 1)
			return -__LINE__;
	}
	return 0;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void close_all_but(struct objs *o, int *keep)
{
	int *all[] = { &o->q, &o->qn, &o->p0, &o->p1, &o->pn, &o->s, &o->sn, &o->e, &o->en };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (all[i] != keep)
			close_fd(all[i]);
}

FIXTURE(ul) {
	int unused;
};

FIXTURE_SETUP(ul)
{
	if (!ko_path())
		SKIP(return, "IPCDEV_KO is not set (scripts/guest-check.sh exports it)");
	if (access(ko_path(), R_OK))
		SKIP(return, "cannot read %s", ko_path());
	signal(SIGIO, SIG_IGN);
}

FIXTURE_TEARDOWN(ul)
{
	/* Whatever happened, leave the module loaded for the tests after us. */
	if (ko_path() && access("/proc/ipcdev/stats", F_OK))
		load();
}

TEST_F_TIMEOUT(ul, load_use_unload_cycles, 280)
{
	int refused_handle = 0, refused_pipe_end = 0, refused_lock_map = 0;
	int unloaded_map = 0;
	struct ipcdev_queue_open qno = { .name = ptr(NAME) };

	/* Start from an unloaded module: nothing else may hold it now. */
	ASSERT_EQ(0, unload()) TH_LOG("rmmod before the cycles: %s", strerror(errno));
	for (int c = 0; c < CYCLES; c++) {
		struct objs o = { -1, -1, -1, -1, -1, -1, -1, -1, -1, NULL, NULL };
		int fd, r;

		ASSERT_EQ(0, load()) TH_LOG("cycle %d: load", c);
		/* A fresh module: the names of the previous cycle are gone. */
		ASSERT_EQ(0, read_proc_stat("objects"));
		ASSERT_EQ(0, read_proc_stat("named"));
		ASSERT_EQ(0, read_proc_stat("handles"));
		fd = open("/dev/ipcqueue", O_RDWR);
		ASSERT_LE(0, fd);
		r = dev_open_in_place(fd, IPCDEV_IOC_QUEUE_OPEN, &qno) ? errno : 0;
		close(fd);
		ASSERT_EQ(ENOENT, r) TH_LOG("cycle %d: the named queue survived rmmod", c);

		r = make_and_use(&o, c);
		ASSERT_EQ(0, r) TH_LOG("cycle %d: make_and_use failed at line %d, errno %d",
				       c, -r, errno);
		ASSERT_EQ(4, read_proc_stat("named"));

		/* Handles open: refused. */
		r = unload();
		EXPECT_EQ(-EWOULDBLOCK, r) TH_LOG("cycle %d: rmmod with handles open", c);
		refused_handle += r == -EWOULDBLOCK;
		/* Only an anonymous pipe's second end (an anon-inode file): refused. */
		close_all_but(&o, &o.p1);
		if (c % 2) {
			r = unload();
			EXPECT_EQ(-EWOULDBLOCK, r) TH_LOG("cycle %d: rmmod with a pipe end open", c);
			refused_pipe_end += r == -EWOULDBLOCK;
		}
		close_fd(&o.p1);
		/* Only mappings, their descriptor closed; the lock page's: refused. */
		EXPECT_LT(4, read_proc_stat("objects"));
		r = unload();
		EXPECT_EQ(-EWOULDBLOCK, r) TH_LOG("cycle %d: rmmod with the lock page mapped", c);
		refused_lock_map += r == -EWOULDBLOCK;
		if (r == 0) {
			/* The lock page's mapping outlived the module: do not touch it. */
			ASSERT_EQ(0, load());
			ASSERT_TRUE(false) TH_LOG("cycle %d: rmmod succeeded with the lock page mapped", c);
		}
		ASSERT_EQ(0, munmap(o.lockmap, sysconf(_SC_PAGESIZE)));
		/*
		 * Only the memory's mapping: the anonymous segment is gone with
		 * its last handle, only named objects are left (4: one per
		 * kind), and rmmod succeeds under the mapping.
		 */
		EXPECT_EQ(4, wait_proc_stat("objects", 4));
		EXPECT_EQ(4, read_proc_stat("named"));
		EXPECT_EQ(0, read_proc_stat("handles"));
		r = unload();
		ASSERT_EQ(0, r) TH_LOG("cycle %d: rmmod with only names and a mapping left: %s",
				       c, strerror(-r));
		unloaded_map++;
		ASSERT_NE(0, access("/proc/ipcdev/stats", F_OK));
		/* The mapping outlives the module and still works. */
		EXPECT_EQ(0, memcmp(o.map + 100, "cycle", 5));
		o.map[200] = 1;
		EXPECT_EQ(1, o.map[200]);
		ASSERT_EQ(0, munmap(o.map, 8000));
	}
	/* Leave it loaded, and check the last cycle's names are gone too. */
	ASSERT_EQ(0, load());
	EXPECT_EQ(0, read_proc_stat("objects"));
	EXPECT_EQ(0, read_proc_stat("named"));
	printf("# %d cycles: rmmod refused %d times with handles, %d with a pipe end, %d with the lock page mapped; done %d times under a mapping\n",
	       CYCLES, refused_handle, refused_pipe_end, refused_lock_map, unloaded_map);
}

TEST_HARNESS_MAIN
