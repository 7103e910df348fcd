// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libipcdev: the queue API over /dev/ipcqueue.  See ipcdev.h and
 * ipc_queue(3).  No state of its own: a handle is the file descriptor.  The
 * message helpers it shares with the pipe (put, get, get with allocation)
 * are in message.c.
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

static void set_limits(struct ipcdev_queue_open *op,
		       const struct ipc_queue_attr *attr)
{
	if (!attr)
		return;
	op->maxsize = attr->maxsize;
	op->msgsize_max = attr->msgsize_max;
	op->bytes_max = attr->bytes_max;
}

int ipc_queue_create(const struct ipc_queue_attr *attr)
{
	struct ipcdev_queue_open op = { 0 };

	set_limits(&op, attr);
	return ipcdev_lib_open_bound(IPC_QUEUE_DEVICE, O_RDWR,
				     IPCDEV_IOC_QUEUE_OPEN, &op);
}

int ipc_queue_open(const char *name, int flags, mode_t mode,
		   const struct ipc_queue_attr *attr)
{
	struct ipcdev_queue_open op = { 0 };
	int accmode, err;

	err = ipcdev_lib_check_open(name, flags, IPC_OPEN_FLAGS, mode,
				    &accmode, &op.flags);
	if (err)
		return err;
	op.name = ptr_to_u64(name);
	op.mode = (uint32_t)mode;
	set_limits(&op, attr);
	return ipcdev_lib_open_bound(IPC_QUEUE_DEVICE, accmode,
				     IPCDEV_IOC_QUEUE_OPEN, &op);
}

/*
 * A blocking put or get with no timeout is the queue's write() or read():
 * the same call, without the ioctl's entry cost (see ipcdev(4)).  A get
 * that must report the length of a message too long for @buf, and every
 * timed or non-blocking call, uses the ioctl.
 */
static int plain_call(int block, int64_t timeout_ns, size_t len)
{
	/* Far below the kernel's MAX_RW_COUNT, which would truncate. */
	return block && timeout_ns < 0 && len <= (size_t)1 << 30;
}

int ipc_queue_put(int q, const void *msg, size_t len, int block,
		  int64_t timeout_ns)
{
	if (plain_call(block, timeout_ns, len))
		return write(q, msg, len) < 0 ? -errno : 0;
	return ipcdev_lib_put_msg(q, IPCDEV_IOC_QUEUE_PUT, msg, len, block, timeout_ns);
}

ssize_t ipc_queue_get(int q, void *buf, size_t size, size_t *needed,
		      int block, int64_t timeout_ns)
{
	ssize_t n;

	if (plain_call(block, timeout_ns, size) && !needed) {
		n = read(q, buf, size);
		return n < 0 ? -errno : n;
	}
	return ipcdev_lib_get_msg(q, IPCDEV_IOC_QUEUE_GET, buf, size, needed, block,
		       timeout_ns);
}

ssize_t ipc_queue_get_alloc(int q, void **bufp, int block, int64_t timeout_ns)
{
	return ipcdev_lib_get_msg_alloc(q, IPCDEV_IOC_QUEUE_GET, bufp, block, timeout_ns);
}

ssize_t ipc_queue_put_many(int q, const struct iovec *msgs, unsigned int count,
			   int block, int64_t timeout_ns)
{
	return ipcdev_lib_put_many(q, IPCDEV_IOC_QUEUE_PUT_MANY, msgs, count,
				   block, timeout_ns);
}

ssize_t ipc_queue_get_many(int q, const struct iovec *bufs, size_t *lens,
			   unsigned int count, int block, int64_t timeout_ns)
{
	return ipcdev_lib_get_many(q, IPCDEV_IOC_QUEUE_GET_MANY, bufs, lens,
				   count, block, timeout_ns);
}

int ipc_queue_stat(int q, struct ipcdev_queue_stat *st)
{
	return ipcdev_lib_ioctl(q, IPCDEV_IOC_QUEUE_STAT, st);
}

ssize_t ipc_queue_qsize(int q)
{
	struct ipcdev_queue_stat st;
	int err = ipc_queue_stat(q, &st);

	return err ? err : ipcdev_lib_checked_len(st.count);
}

int ipc_queue_empty(int q)
{
	struct ipcdev_queue_stat st;
	int err = ipc_queue_stat(q, &st);

	return err ? err : st.count == 0;
}

int ipc_queue_full(int q)
{
	struct ipcdev_queue_stat st;
	int err = ipc_queue_stat(q, &st);

	return err ? err : st.full != 0;
}

int ipc_queue_close(int q)
{
	return ipcdev_lib_close(q);
}

int ipc_queue_unlink(const char *name)
{
	return ipcdev_lib_unlink(IPC_QUEUE_DEVICE, name);
}
