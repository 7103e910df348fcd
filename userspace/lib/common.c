// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libipcdev: the helpers every object kind uses (internal.h): ioctls
 * returning -errno, deadlines, name and flag checks, opening, binding,
 * closing and unlinking.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "internal.h"

int ipcdev_lib_ioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) < 0 ? -errno : 0;
}

/*
 * Turn (block, timeout_ns) into IPCDEV_WAIT_* flags and an absolute
 * CLOCK_MONOTONIC deadline.  The deadline saturates at INT64_MAX so that the
 * kernel never sees a value that would be negative as a ktime_t.
 */
int ipcdev_lib_wait_init(struct ipcdev_lib_wait *w, int block,
			 int64_t timeout_ns)
{
	struct timespec now;
	uint64_t now_ns;

	w->flags = 0;
	w->deadline_ns = 0;
	if (!block) {
		w->flags = IPCDEV_WAIT_NONBLOCK;
		return 0;
	}
	if (timeout_ns < 0)
		return 0;
	if (clock_gettime(CLOCK_MONOTONIC, &now) < 0)
		return -errno;
	now_ns = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
	w->flags = IPCDEV_WAIT_DEADLINE;
	if ((uint64_t)timeout_ns > (uint64_t)INT64_MAX - now_ns)
		w->deadline_ns = INT64_MAX;
	else
		w->deadline_ns = now_ns + (uint64_t)timeout_ns;
	return 0;
}

int ipcdev_lib_wait_args(int block, int64_t timeout_ns, __u32 *flags,
			 __u64 *deadline_ns)
{
	struct ipcdev_lib_wait w;
	int err = ipcdev_lib_wait_init(&w, block, timeout_ns);

	*flags = w.flags;
	*deadline_ns = w.deadline_ns;
	return err;
}

/* Same check as the module's, so that a NULL name is never sent as "0". */
int ipcdev_lib_check_name(const char *name)
{
	if (!name || !name[0] || strchr(name, '/'))
		return -EINVAL;
	if (strnlen(name, IPCDEV_NAME_MAX + 1) > IPCDEV_NAME_MAX)
		return -ENAMETOOLONG;
	return 0;
}

int ipcdev_lib_open_device(const char *dev, int accmode)
{
	int fd = open(dev, accmode | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int ipcdev_lib_open_bound(const char *dev, int accmode, unsigned long req,
			  void *op)
{
	/* Every OPEN argument starts with struct ipcdev_open_head. */
	struct ipcdev_open_head *head = op;
	int dfd = ipcdev_lib_open_device(dev, accmode);
	int fd;

	if (dfd < 0)
		return dfd;
	/* The device is a factory: OPEN returns the object's descriptor. */
	head->flags |= IPCDEV_CLOEXEC;
	fd = ioctl(dfd, req, op);
	if (fd < 0)
		fd = -errno;
	close(dfd);
	return fd;
}

int ipcdev_lib_check_open(const char *name, int flags, int allowed,
			  mode_t mode, int *accmode, uint32_t *ioc_flags)
{
	int err = ipcdev_lib_check_name(name);

	if (err)
		return err;
	*accmode = flags & O_ACCMODE;
	if ((flags & ~allowed) || *accmode == O_ACCMODE ||
	    (mode & ~(mode_t)0777))
		return -EINVAL;
	*ioc_flags = 0;
	if (flags & IPC_CREAT)
		*ioc_flags |= IPCDEV_CREAT;
	if (flags & IPC_EXCL)
		*ioc_flags |= IPCDEV_EXCL;
	return 0;
}

int ipcdev_lib_close(int fd)
{
	return close(fd) < 0 ? -errno : 0;
}

int ipcdev_lib_unlink(const char *dev, const char *name)
{
	struct ipcdev_unlink u = { 0 };
	int fd, err;

	err = ipcdev_lib_check_name(name);
	if (err)
		return err;
	fd = ipcdev_lib_open_device(dev, O_RDONLY);	/* any handle */
	if (fd < 0)
		return fd;
	u.name = ptr_to_u64(name);
	err = ipcdev_lib_ioctl(fd, IPCDEV_IOC_UNLINK, &u);
	close(fd);
	return err;
}
