// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libipcdev: the pipe API over /dev/ipcpipe.  See ipcdev.h and ipc_pipe(3).
 * No state of its own: an end is the file descriptor.  The message helpers
 * it shares with the queue are in message.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "internal.h"

#define IPC_PIPE_OPEN_FLAGS	(IPC_OPEN_FLAGS | IPC_PIPE_DUPLEX)

int ipc_pipe2(int duplex, const struct ipc_pipe_attr *attr, int ends[2])
{
	struct ipcdev_pipe_open op = { 0 };
	int fd;

	if (!ends)
		return -EFAULT;
	op.flags = IPCDEV_PIPE_CLOEXEC | (duplex ? IPCDEV_PIPE_DUPLEX : 0);
	if (attr) {
		op.capacity = attr->capacity;
		op.msgsize_max = attr->msgsize_max;
	}
	fd = ipcdev_lib_open_bound(IPC_PIPE_DEVICE, O_RDWR, IPCDEV_IOC_PIPE_OPEN,
				   &op);
	if (fd < 0)
		return fd;
	ends[0] = fd;
	ends[1] = op.fd;
	return 0;
}

int ipc_pipe(int duplex, int ends[2])
{
	return ipc_pipe2(duplex, NULL, ends);
}

int ipc_pipe_open(const char *name, int end, int flags, mode_t mode,
		  const struct ipc_pipe_attr *attr)
{
	struct ipcdev_pipe_open op = { 0 };
	int accmode, err;

	err = ipcdev_lib_check_open(name, flags, IPC_PIPE_OPEN_FLAGS, mode,
				    &accmode, &op.flags);
	if (err)
		return err;
	if (end != 0 && end != 1)
		return -EINVAL;
	if (flags & IPC_PIPE_DUPLEX)
		op.flags |= IPCDEV_PIPE_DUPLEX;
	op.name = ptr_to_u64(name);
	op.mode = (uint32_t)mode;
	op.end = (uint32_t)end;
	if (attr) {
		op.capacity = attr->capacity;
		op.msgsize_max = attr->msgsize_max;
	}
	return ipcdev_lib_open_bound(IPC_PIPE_DEVICE, accmode,
				     IPCDEV_IOC_PIPE_OPEN, &op);
}

int ipc_pipe_send(int end, const void *msg, size_t len, int block,
		  int64_t timeout_ns)
{
	return ipcdev_lib_put_msg(end, IPCDEV_IOC_PIPE_SEND, msg, len, block, timeout_ns);
}

ssize_t ipc_pipe_recv(int end, void *buf, size_t size, size_t *needed,
		      int block, int64_t timeout_ns)
{
	return ipcdev_lib_get_msg(end, IPCDEV_IOC_PIPE_RECV, buf, size, needed, block,
		       timeout_ns);
}

ssize_t ipc_pipe_recv_alloc(int end, void **bufp, int block,
			    int64_t timeout_ns)
{
	return ipcdev_lib_get_msg_alloc(end, IPCDEV_IOC_PIPE_RECV, bufp, block,
			     timeout_ns);
}

ssize_t ipc_pipe_send_many(int end, const struct iovec *msgs,
			   unsigned int count, int block, int64_t timeout_ns)
{
	return ipcdev_lib_put_many(end, IPCDEV_IOC_PIPE_SEND_MANY, msgs, count,
				   block, timeout_ns);
}

ssize_t ipc_pipe_recv_many(int end, const struct iovec *bufs, size_t *lens,
			   unsigned int count, int block, int64_t timeout_ns)
{
	return ipcdev_lib_get_many(end, IPCDEV_IOC_PIPE_RECV_MANY, bufs, lens,
				   count, block, timeout_ns);
}

int ipc_pipe_stat(int end, struct ipcdev_pipe_stat *st)
{
	return ipcdev_lib_ioctl(end, IPCDEV_IOC_PIPE_STAT, st);
}

/* May @end receive: its pipe's direction, and the descriptor's access. */
static int check_can_recv(int end)
{
	struct ipcdev_pipe_stat st;
	int fl, err;

	err = ipc_pipe_stat(end, &st);
	if (err)
		return err;
	if (!(st.flags & IPCDEV_PIPE_DUPLEX) && st.end != 0)
		return -EBADF;
	fl = fcntl(end, F_GETFL);
	if (fl < 0)
		return -errno;
	return (fl & O_ACCMODE) == O_WRONLY ? -EBADF : 0;
}

int ipc_pipe_poll(int end, int timeout_ms)
{
	struct pollfd p = { .fd = end, .events = POLLIN };
	int err, n;

	err = check_can_recv(end);
	if (err)
		return err;
	n = poll(&p, 1, timeout_ms < 0 ? -1 : timeout_ms);
	if (n < 0)
		return -errno;
	if (p.revents & POLLNVAL)
		return -EBADF;	/* closed meanwhile by another thread */
	/* POLLHUP without POLLIN: end of file, which recv reports at once. */
	return n > 0 && (p.revents & (POLLIN | POLLHUP | POLLERR));
}

int ipc_pipe_close(int end)
{
	return ipcdev_lib_close(end);
}

int ipc_pipe_unlink(const char *name)
{
	return ipcdev_lib_unlink(IPC_PIPE_DEVICE, name);
}
