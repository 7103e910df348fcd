/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libipcdev internals shared by the queue, pipe, event and shared memory
 * code (common.c).  Not installed; every symbol is hidden, so the shared
 * library exports the public ipc_* API only (see also libipcdev.map).
 */
#ifndef IPCDEV_INTERNAL_H
#define IPCDEV_INTERNAL_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <sys/types.h>

#include "ipcdev.h"

#define IPCDEV_HIDDEN		__attribute__((visibility("hidden")))

/* Flags every named open accepts: an access mode, IPC_CREAT, IPC_EXCL. */
#define IPC_OPEN_FLAGS		(O_ACCMODE | IPC_CREAT | IPC_EXCL)

/* A wait specification, computed once per call: IPCDEV_WAIT_* + deadline. */
struct ipcdev_lib_wait {
	uint32_t flags;
	uint64_t deadline_ns;
};

static inline uint64_t ptr_to_u64(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* ioctl(2) returning 0 or -errno. */
IPCDEV_HIDDEN int ipcdev_lib_ioctl(int fd, unsigned long req, void *arg);

/* (block, timeout_ns) as IPCDEV_WAIT_* flags and an absolute deadline. */
IPCDEV_HIDDEN int ipcdev_lib_wait_init(struct ipcdev_lib_wait *w, int block,
				       int64_t timeout_ns);

/* The same, stored in the flags and deadline_ns fields of an ioctl argument. */
IPCDEV_HIDDEN int ipcdev_lib_wait_args(int block, int64_t timeout_ns,
				       __u32 *flags, __u64 *deadline_ns);

/* The module's name rules: 0, -EINVAL or -ENAMETOOLONG. */
IPCDEV_HIDDEN int ipcdev_lib_check_name(const char *name);

/* open(2) of a device, O_CLOEXEC: the descriptor or -errno. */
IPCDEV_HIDDEN int ipcdev_lib_open_device(const char *dev, int accmode);

/* Open @dev, issue its OPEN ioctl @req with @op (IPCDEV_CLOEXEC added)
 * and close it: the new object descriptor or -errno. */
IPCDEV_HIDDEN int ipcdev_lib_open_bound(const char *dev, int accmode,
					unsigned long req, void *op);

/*
 * Check the name, flags (@allowed: the valid bits) and mode of a named
 * open; store the access mode and the IPCDEV_CREAT/IPCDEV_EXCL bits.
 */
IPCDEV_HIDDEN int ipcdev_lib_check_open(const char *name, int flags,
					int allowed, mode_t mode,
					int *accmode, uint32_t *ioc_flags);

/* close(2) returning 0 or -errno. */
IPCDEV_HIDDEN int ipcdev_lib_close(int fd);

/* Remove @name from the namespace of the device @dev. */
IPCDEV_HIDDEN int ipcdev_lib_unlink(const char *dev, const char *name);

/* The length the kernel reported, checked to fit the return type. */
static inline ssize_t ipcdev_lib_checked_len(uint64_t len)
{
	return len > (uint64_t)SSIZE_MAX ? -EOVERFLOW : (ssize_t)len;
}

/* message.c: batches (ipc_queue_put_many(3) ...); struct iovec. */
struct iovec;
IPCDEV_HIDDEN ssize_t ipcdev_lib_put_many(int fd, unsigned long req,
					  const struct iovec *msgs,
					  unsigned int count, int block,
					  int64_t timeout_ns);
IPCDEV_HIDDEN ssize_t ipcdev_lib_get_many(int fd, unsigned long req,
					  const struct iovec *bufs,
					  size_t *lens, unsigned int count,
					  int block, int64_t timeout_ns);

/* message.c: one PUT/SEND ioctl @req of the @len bytes at @msg. */
IPCDEV_HIDDEN int ipcdev_lib_put_msg(int fd, unsigned long req,
				     const void *msg, size_t len, int block,
				     int64_t timeout_ns);

/*
 * One GET/RECV ioctl @req into @buf (@size bytes); *@needed, if not NULL,
 * gets the length of the message, also on -EMSGSIZE (which leaves it queued).
 */
IPCDEV_HIDDEN ssize_t ipcdev_lib_get_msg(int fd, unsigned long req, void *buf,
					 size_t size, size_t *needed,
					 int block, int64_t timeout_ns);

/* The same into a malloc()ed buffer (*@bufp, to be freed) of the right size. */
IPCDEV_HIDDEN ssize_t ipcdev_lib_get_msg_alloc(int fd, unsigned long req,
					       void **bufp, int block,
					       int64_t timeout_ns);

#endif /* IPCDEV_INTERNAL_H */
