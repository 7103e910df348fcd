// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libipcdev: the queue API over /dev/ipcqueue and the pipe API over
 * /dev/ipcpipe.  See ipcdev.h, ipc_queue(3) and ipc_pipe(3).  No state of its
 * own: a handle is the file descriptor.  The helpers shared with the event
 * and shared memory code (event.c, shm.c) are in common.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <stdbool.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "internal.h"

#define IPC_ENOENT_NODEV_TEXT \
	"No such file or directory (no /dev/ipcqueue, /dev/ipcpipe, ...: " \
	"is the ipcdev module loaded? (modprobe ipcdev))"

/* First buffer size tried by ipc_queue_get_alloc(), ipc_pipe_recv_alloc(). */
#define GET_ALLOC_FIRST		4096

#define IPC_PIPE_OPEN_FLAGS	(IPC_OPEN_FLAGS | IPC_PIPE_DUPLEX)

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

/* One PUT/SEND ioctl @req of the @len bytes at @msg. */
static int put_msg(int fd, unsigned long req, const void *msg, size_t len,
		   int block, int64_t timeout_ns)
{
	struct ipcdev_msg m = { 0 };
	int err;

	err = ipcdev_lib_wait_args(block, timeout_ns, &m.flags, &m.deadline_ns);
	if (err)
		return err;
	m.buf = ptr_to_u64(msg);
	m.len = len;
	return ipcdev_lib_ioctl(fd, req, &m);
}

/*
 * One GET/RECV ioctl @req; *len: in, the size of @buf; out, the message
 * length.
 */
static int get_once(int fd, unsigned long req, void *buf, uint64_t *len,
		    const struct ipcdev_lib_wait *w)
{
	struct ipcdev_msg m = { 0 };
	int err;

	m.buf = ptr_to_u64(buf);
	m.len = *len;
	m.flags = w->flags;
	m.deadline_ns = w->deadline_ns;
	err = ipcdev_lib_ioctl(fd, req, &m);
	if (!err || err == -EMSGSIZE)
		*len = m.len;
	return err;
}

/* The length the kernel reported, checked to fit the return type. */
static ssize_t checked_len(uint64_t len)
{
	return len > (uint64_t)SSIZE_MAX ? -EOVERFLOW : (ssize_t)len;
}

/* ipc_queue_get() and ipc_pipe_recv(), with the GET/RECV ioctl @req. */
static ssize_t get_msg(int fd, unsigned long req, void *buf, size_t size,
		       size_t *needed, int block, int64_t timeout_ns)
{
	uint64_t len = size;
	struct ipcdev_lib_wait w;
	int err;

	err = ipcdev_lib_wait_init(&w, block, timeout_ns);
	if (err)
		return err;
	err = get_once(fd, req, buf, &len, &w);
	if (err && err != -EMSGSIZE)
		return err;
	if (needed)
		*needed = (size_t)len;
	return err ? err : checked_len(len);
}

/* ipc_queue_get_alloc() and ipc_pipe_recv_alloc(). */
static ssize_t get_msg_alloc(int fd, unsigned long req, void **bufp,
			     int block, int64_t timeout_ns)
{
	size_t cap = GET_ALLOC_FIRST;
	void *buf, *bigger;
	uint64_t len;
	struct ipcdev_lib_wait w;
	int err;

	*bufp = NULL;
	err = ipcdev_lib_wait_init(&w, block, timeout_ns);
	if (err)
		return err;
	buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		len = cap;
		err = get_once(fd, req, buf, &len, &w);
		/* Retry only when the kernel asks for more room than we had. */
		if (err != -EMSGSIZE || len <= cap || len > SIZE_MAX)
			break;
		bigger = realloc(buf, (size_t)len);
		if (!bigger) {
			err = -ENOMEM;
			break;
		}
		buf = bigger;
		cap = (size_t)len;
	}
	if (err) {
		free(buf);
		return err;
	}
	*bufp = buf;
	return checked_len(len);
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
	return put_msg(q, IPCDEV_IOC_QUEUE_PUT, msg, len, block, timeout_ns);
}

ssize_t ipc_queue_get(int q, void *buf, size_t size, size_t *needed,
		      int block, int64_t timeout_ns)
{
	ssize_t n;

	if (plain_call(block, timeout_ns, size) && !needed) {
		n = read(q, buf, size);
		return n < 0 ? -errno : n;
	}
	return get_msg(q, IPCDEV_IOC_QUEUE_GET, buf, size, needed, block,
		       timeout_ns);
}

ssize_t ipc_queue_get_alloc(int q, void **bufp, int block, int64_t timeout_ns)
{
	return get_msg_alloc(q, IPCDEV_IOC_QUEUE_GET, bufp, block, timeout_ns);
}

int ipc_queue_stat(int q, struct ipcdev_queue_stat *st)
{
	return ipcdev_lib_ioctl(q, IPCDEV_IOC_QUEUE_STAT, st);
}

ssize_t ipc_queue_qsize(int q)
{
	struct ipcdev_queue_stat st;
	int err = ipc_queue_stat(q, &st);

	return err ? err : checked_len(st.count);
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

/* ------------------------------------------------------------------ */
/* Pipe                                                               */
/* ------------------------------------------------------------------ */

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
	return put_msg(end, IPCDEV_IOC_PIPE_SEND, msg, len, block, timeout_ns);
}

ssize_t ipc_pipe_recv(int end, void *buf, size_t size, size_t *needed,
		      int block, int64_t timeout_ns)
{
	return get_msg(end, IPCDEV_IOC_PIPE_RECV, buf, size, needed, block,
		       timeout_ns);
}

ssize_t ipc_pipe_recv_alloc(int end, void **bufp, int block,
			    int64_t timeout_ns)
{
	return get_msg_alloc(end, IPCDEV_IOC_PIPE_RECV, bufp, block,
			     timeout_ns);
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

/*
 * A missing device node gives ENOENT, the same code as a missing name: when
 * a device node is absent, say so.  Checked at call time (stat, no state),
 * so the text is right for whichever of the two it was.
 */
static bool ipcdev_devices_present(void)
{
	static const char *const devs[] = {
		IPC_QUEUE_DEVICE, IPC_PIPE_DEVICE, IPC_EVENT_DEVICE,
		IPC_SHM_DEVICE,
	};
	struct stat st;
	size_t i;

	for (i = 0; i < sizeof(devs) / sizeof(devs[0]); i++)
		if (stat(devs[i], &st) < 0 || !S_ISCHR(st.st_mode))
			return false;
	return true;
}

const char *ipc_strerror(int err)
{
	const char *s;

	if (err < 0)
		err = -err;
	if (err == ENOENT && !ipcdev_devices_present())
		return IPC_ENOENT_NODEV_TEXT;
	s = strerrordesc_np(err);
	return s ? s : "Unknown error";
}

const char *ipc_version(void)
{
	return IPCDEV_LIB_VERSION;
}
