// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libipcdev: the calls that work on an object of any kind: stat a handle,
 * open, unlink and change the attributes of a name.  See ipc_stat(3),
 * ipc_open(3), ipc_unlink(3) and ipc_setattr(3).  No state: thread-safe.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* The device of @kind, or NULL. */
static const char *kind_device(int kind)
{
	switch (kind) {
	case IPC_KIND_QUEUE:
		return IPC_QUEUE_DEVICE;
	case IPC_KIND_PIPE:
		return IPC_PIPE_DEVICE;
	case IPC_KIND_EVENT:
		return IPC_EVENT_DEVICE;
	case IPC_KIND_SHM:
		return IPC_SHM_DEVICE;
	}
	return NULL;
}

/*
 * Each kind's STAT, tried in turn: a handle of another kind refuses a
 * command that is not its own with -ENOTTY.
 */
static int stat_any(int fd, struct ipc_stat *st)
{
	int err;

	err = ipcdev_lib_ioctl(fd, IPCDEV_IOC_QUEUE_STAT, &st->u.queue);
	if (!err) {
		const struct ipcdev_queue_stat *q = &st->u.queue;

		st->kind = IPC_KIND_QUEUE;
		st->flags = q->flags & (IPC_STAT_NAMED | IPC_STAT_UNLINKED);
		st->id = q->id;
		st->mode = q->mode;
		st->uid = q->uid;
		st->gid = q->gid;
		return 0;
	}
	if (err != -ENOTTY)
		return err;
	err = ipcdev_lib_ioctl(fd, IPCDEV_IOC_PIPE_STAT, &st->u.pipe);
	if (!err) {
		const struct ipcdev_pipe_stat *p = &st->u.pipe;

		st->kind = IPC_KIND_PIPE;
		st->flags = p->flags & (IPC_STAT_NAMED | IPC_STAT_UNLINKED);
		st->id = p->id;
		st->mode = p->mode;
		st->uid = p->uid;
		st->gid = p->gid;
		return 0;
	}
	if (err != -ENOTTY)
		return err;
	err = ipcdev_lib_ioctl(fd, IPCDEV_IOC_EVENT_STAT, &st->u.event);
	if (!err) {
		const struct ipcdev_event_stat *e = &st->u.event;

		st->kind = IPC_KIND_EVENT;
		st->flags = e->flags & (IPC_STAT_NAMED | IPC_STAT_UNLINKED);
		st->id = e->id;
		st->mode = e->mode;
		st->uid = e->uid;
		st->gid = e->gid;
		return 0;
	}
	if (err != -ENOTTY)
		return err;
	err = ipcdev_lib_ioctl(fd, IPCDEV_IOC_SHM_STAT, &st->u.shm);
	if (!err) {
		const struct ipcdev_shm_stat *s = &st->u.shm;

		st->kind = IPC_KIND_SHM;
		st->flags = s->flags & (IPC_STAT_NAMED | IPC_STAT_UNLINKED);
		st->id = s->id;
		st->mode = s->mode;
		st->uid = s->uid;
		st->gid = s->gid;
	}
	return err;
}

int ipc_stat(int fd, struct ipc_stat *st, size_t size)
{
	struct ipc_stat full;
	int err;

	if (!st)
		return -EFAULT;
	if (size < offsetof(struct ipc_stat, u))
		return -EINVAL;
	memset(&full, 0, sizeof(full));
	err = stat_any(fd, &full);
	if (err)
		return err;
	if (size <= sizeof(full)) {
		memcpy(st, &full, size);
	} else {
		memcpy(st, &full, sizeof(full));
		memset((char *)st + sizeof(full), 0, size - sizeof(full));
	}
	return 0;
}

/* A plain handle on the existing segment @name (no mapping, no creation). */
static int shm_open_handle(const char *name, int flags, mode_t mode)
{
	struct ipcdev_shm_open op = { 0 };
	int accmode, err;

	err = ipcdev_lib_check_open(name, flags, IPC_OPEN_FLAGS, mode,
				    &accmode, &op.flags);
	if (err)
		return err;
	if (flags & IPC_CREAT)
		return -EINVAL;		/* a segment needs its geometry */
	op.name = ptr_to_u64(name);
	return ipcdev_lib_open_bound(IPC_SHM_DEVICE, accmode,
				     IPCDEV_IOC_SHM_OPEN, &op);
}

int ipc_open(int kind, const char *name, int end, int flags, mode_t mode)
{
	if (kind != IPC_KIND_PIPE && end != 0)
		return -EINVAL;
	switch (kind) {
	case IPC_KIND_QUEUE:
		return ipc_queue_open(name, flags, mode, NULL);
	case IPC_KIND_PIPE:
		return ipc_pipe_open(name, end, flags, mode, NULL);
	case IPC_KIND_EVENT:
		return ipc_event_open(name, flags, mode);
	case IPC_KIND_SHM:
		return shm_open_handle(name, flags, mode);
	}
	return -EINVAL;
}

int ipc_unlink(int kind, const char *name)
{
	const char *dev = kind_device(kind);

	return dev ? ipcdev_lib_unlink(dev, name) : -EINVAL;
}

/*
 * Fill @sa from the arguments of ipc_setattr() and ipc_fsetattr().  The
 * module checks them (flags, mode, ids), once, for every caller.
 */
static void setattr_args(struct ipcdev_setattr *sa, unsigned int which,
			 mode_t mode, uid_t uid, gid_t gid)
{
	memset(sa, 0, sizeof(*sa));
	sa->flags = which;
	sa->mode = (which & IPC_SETATTR_MODE) ? (uint32_t)mode : 0;
	sa->uid = (which & IPC_SETATTR_UID) ? (uint32_t)uid : 0;
	sa->gid = (which & IPC_SETATTR_GID) ? (uint32_t)gid : 0;
}

int ipc_setattr(int kind, const char *name, unsigned int which, mode_t mode,
		uid_t uid, gid_t gid)
{
	const char *dev = kind_device(kind);
	struct ipcdev_setattr sa;
	int fd, err;

	if (!dev)
		return -EINVAL;
	err = ipcdev_lib_check_name(name);
	if (err)
		return err;
	setattr_args(&sa, which, mode, uid, gid);
	sa.name = ptr_to_u64(name);
	fd = ipcdev_lib_open_device(dev, O_RDONLY);	/* any handle */
	if (fd < 0)
		return fd;
	err = ipcdev_lib_ioctl(fd, IPCDEV_IOC_SETATTR, &sa);
	close(fd);
	return err;
}

int ipc_fsetattr(int fd, unsigned int which, mode_t mode, uid_t uid,
		 gid_t gid)
{
	struct ipcdev_setattr sa;

	setattr_args(&sa, which, mode, uid, gid);
	return ipcdev_lib_ioctl(fd, IPCDEV_IOC_SETATTR, &sa);
}
