// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libipcdev: whole messages in and out of a queue or a pipe end (internal.h):
 * one PUT/SEND, one GET/RECV into the caller's buffer, or into one the
 * library allocates and grows to the message's length; and batches of
 * them, one PUT_MANY/SEND_MANY or GET_MANY/RECV_MANY.
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
#include <sys/uio.h>

#include "internal.h"

/* First buffer size tried by ipc_queue_get_alloc(), ipc_pipe_recv_alloc(). */
#define GET_ALLOC_FIRST		4096

/* One PUT/SEND ioctl @req of the @len bytes at @msg. */
int ipcdev_lib_put_msg(int fd, unsigned long req, const void *msg,
		       size_t len, int block, int64_t timeout_ns)
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

/* ipc_queue_get() and ipc_pipe_recv(), with the GET/RECV ioctl @req. */
ssize_t ipcdev_lib_get_msg(int fd, unsigned long req, void *buf, size_t size,
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
	return err ? err : ipcdev_lib_checked_len(len);
}

/* ipc_queue_get_alloc() and ipc_pipe_recv_alloc(). */
ssize_t ipcdev_lib_get_msg_alloc(int fd, unsigned long req, void **bufp,
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
	return ipcdev_lib_checked_len(len);
}

/*
 * One batch ioctl @req over @count elements (at most IPCDEV_MSGVEC_MAX):
 * the count it transferred, or -errno.
 */
static ssize_t batch_once(int fd, unsigned long req, struct ipcdev_msg *m,
			  unsigned int count, int block, int64_t timeout_ns)
{
	struct ipcdev_msgvec v = { 0 };
	int err, n;

	err = ipcdev_lib_wait_args(block, timeout_ns, &v.flags, &v.deadline_ns);
	if (err)
		return err;
	v.msgs = ptr_to_u64(m);
	v.count = count;
	n = ioctl(fd, req, &v);
	return n < 0 ? -errno : n;
}

/* ipc_queue_put_many() and ipc_pipe_send_many(). */
ssize_t ipcdev_lib_put_many(int fd, unsigned long req,
			    const struct iovec *msgs, unsigned int count,
			    int block, int64_t timeout_ns)
{
	struct ipcdev_msg m[IPCDEV_MSGVEC_MAX];
	unsigned int i;

	if (!count)
		return 0;
	if (!msgs)
		return -EFAULT;
	if (count > IPCDEV_MSGVEC_MAX)
		count = IPCDEV_MSGVEC_MAX;
	memset(m, 0, count * sizeof(m[0]));
	for (i = 0; i < count; i++) {
		m[i].buf = ptr_to_u64(msgs[i].iov_base);
		m[i].len = msgs[i].iov_len;
	}
	return batch_once(fd, req, m, count, block, timeout_ns);
}

/* ipc_queue_get_many() and ipc_pipe_recv_many(). */
ssize_t ipcdev_lib_get_many(int fd, unsigned long req,
			    const struct iovec *bufs, size_t *lens,
			    unsigned int count, int block, int64_t timeout_ns)
{
	struct ipcdev_msg m[IPCDEV_MSGVEC_MAX];
	unsigned int i, stored;
	ssize_t n;

	if (!count)
		return 0;
	if (!bufs || !lens)
		return -EFAULT;
	if (count > IPCDEV_MSGVEC_MAX)
		count = IPCDEV_MSGVEC_MAX;
	memset(m, 0, count * sizeof(m[0]));
	for (i = 0; i < count; i++) {
		m[i].buf = ptr_to_u64(bufs[i].iov_base);
		m[i].len = bufs[i].iov_len;
	}
	n = batch_once(fd, req, m, count, block, timeout_ns);
	/* The lengths got, and the one that stopped the batch on EMSGSIZE. */
	stored = n > 0 ? (unsigned int)n : 0;
	if (n == -EMSGSIZE || (stored && stored < count &&
			       m[stored].len > bufs[stored].iov_len))
		stored++;
	for (i = 0; i < stored && i < count; i++) {
		if (m[i].len > SIZE_MAX)
			return -EOVERFLOW;
		lens[i] = (size_t)m[i].len;
	}
	return n;
}
