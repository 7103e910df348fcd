// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libipcdev: the event API over /dev/ipcevent (multiprocessing.Event), and
 * ipc_notify() for every kind of handle.  See ipcdev.h and ipc_event(3),
 * ipc_notify(3).  A handle is the file descriptor.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include "internal.h"

#define IPC_EVENT_OPEN_FLAGS	(IPC_OPEN_FLAGS | IPC_EVENT_INIT_SET)

int ipc_event_create(int initially_set)
{
	struct ipcdev_event_open op = { 0 };

	if (initially_set)
		op.flags = IPCDEV_EVENT_INIT_SET;
	return ipcdev_lib_open_bound(IPC_EVENT_DEVICE, O_RDWR,
				     IPCDEV_IOC_EVENT_OPEN, &op);
}

int ipc_event_open(const char *name, int flags, mode_t mode)
{
	struct ipcdev_event_open op = { 0 };
	int accmode, err;

	err = ipcdev_lib_check_open(name, flags, IPC_EVENT_OPEN_FLAGS, mode,
				    &accmode, &op.flags);
	if (err)
		return err;
	if (flags & IPC_EVENT_INIT_SET)
		op.flags |= IPCDEV_EVENT_INIT_SET;
	op.name = ptr_to_u64(name);
	op.mode = (uint32_t)mode;
	return ipcdev_lib_open_bound(IPC_EVENT_DEVICE, accmode,
				     IPCDEV_IOC_EVENT_OPEN, &op);
}

int ipc_event_set(int ev)
{
	return ipcdev_lib_ioctl(ev, IPCDEV_IOC_EVENT_SET, NULL);
}

int ipc_event_clear(int ev)
{
	return ipcdev_lib_ioctl(ev, IPCDEV_IOC_EVENT_CLEAR, NULL);
}

int ipc_event_stat(int ev, struct ipcdev_event_stat *st)
{
	return ipcdev_lib_ioctl(ev, IPCDEV_IOC_EVENT_STAT, st);
}

int ipc_event_is_set(int ev)
{
	struct ipcdev_event_stat st;
	int err = ipc_event_stat(ev, &st);

	return err ? err : st.set != 0;
}

int ipc_event_wait(int ev, int block, int64_t timeout_ns)
{
	struct ipcdev_event_wait arg = { 0 };
	int err;

	err = ipcdev_lib_wait_args(block, timeout_ns, &arg.flags,
				   &arg.deadline_ns);
	if (err)
		return err;
	err = ipcdev_lib_ioctl(ev, IPCDEV_IOC_EVENT_WAIT, &arg);
	if (err == -EAGAIN || err == -ETIMEDOUT)
		return 0;	/* False, not an error */
	return err ? err : 1;
}

int ipc_event_close(int ev)
{
	return ipcdev_lib_close(ev);
}

int ipc_event_unlink(const char *name)
{
	return ipcdev_lib_unlink(IPC_EVENT_DEVICE, name);
}

/* ------------------------------------------------------------------ */
/* Signals, for any handle                                            */
/* ------------------------------------------------------------------ */

/* Turn O_ASYNC on or off, leaving the other status flags alone. */
static int set_async(int fd, int on)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return -errno;
	fl = on ? fl | O_ASYNC : fl & ~O_ASYNC;
	return fcntl(fd, F_SETFL, fl) < 0 ? -errno : 0;
}

int ipc_notify(int fd, int signo)
{
	if (signo < 0 || signo >= NSIG)
		return -EINVAL;
	if (!signo)
		return set_async(fd, 0);
	if (fcntl(fd, F_SETOWN, getpid()) < 0)
		return -errno;
	/* F_SETSIG 0 is the plain SIGIO of the default. */
	if (fcntl(fd, F_SETSIG, signo == SIGIO ? 0 : signo) < 0)
		return -errno;
	return set_async(fd, 1);
}
