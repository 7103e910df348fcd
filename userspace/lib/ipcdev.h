/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libipcdev: Python multiprocessing's IPC objects for C, backed by the
 * ipcdev kernel module.  Only the queue (multiprocessing.Queue, device
 * /dev/ipcqueue) exists so far.
 *
 * Conventions shared by every function:
 *
 *  - A handle is a plain file descriptor (int).  It is opened with
 *    O_CLOEXEC.  It is inherited by fork(), can be passed to another
 *    process with SCM_RIGHTS, and works with poll(2)/select(2)/epoll(7)
 *    (POLLIN: a message waits; POLLOUT: a message fits).  The library keeps
 *    no state of its own, so every call is thread-safe, and async-signal-safe
 *    except ipc_queue_get_alloc() (malloc) and ipc_strerror().
 *
 *  - Errors are returned as a negative errno value (-EAGAIN, ...).  errno is
 *    never the way an error is reported; its value after a call is
 *    unspecified.  Besides the errors listed per function, any call taking a
 *    handle can fail with -EBADF (not an open file descriptor) or -ENOTTY
 *    (not an ipcdev queue handle), and any call can fail with -EINVAL if the
 *    module refuses its arguments.
 *
 *  - Calls that may wait take (block, timeout_ns), as in Python:
 *      block == 0                    never wait: -EAGAIN if the call would;
 *      block != 0, timeout_ns < 0    (IPC_FOREVER) wait as long as needed;
 *      block != 0, timeout_ns >= 0   wait at most timeout_ns nanoseconds,
 *                                    then -ETIMEDOUT (0: do not wait, but
 *                                    report -ETIMEDOUT rather than -EAGAIN).
 *    The timeout is turned once into an absolute CLOCK_MONOTONIC deadline,
 *    so a call restarted after a signal handler installed with SA_RESTART
 *    never waits longer in total.  A handler installed without SA_RESTART
 *    ends the wait with -EINTR (nothing was put or got).  If O_NONBLOCK was
 *    set on the descriptor (fcntl(2)), every call behaves as block == 0.
 */
#ifndef IPCDEV_H
#define IPCDEV_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/ipcdev.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Path of the queue device. */
#define IPC_QUEUE_DEVICE	"/dev/ipcqueue"

/* timeout_ns value: wait as long as needed. */
#define IPC_FOREVER		((int64_t)-1)

/*
 * ipc_queue_open() flags, or'ed with one of O_RDONLY, O_WRONLY, O_RDWR.
 * Same values as <sys/ipc.h>, so both headers can be included.
 */
#ifndef IPC_CREAT
#define IPC_CREAT		01000	/* create the queue if absent */
#endif
#ifndef IPC_EXCL
#define IPC_EXCL		02000	/* with IPC_CREAT: fail if present */
#endif

/*
 * Limits of a queue being created; a field left 0 takes the module default.
 *  maxsize:     most messages held (multiprocessing.Queue(maxsize)); 0: no
 *               count limit but bytes_max and the module parameter msgs_max
 *               (65536), which is also the ceiling, and which
 *               ipc_queue_stat() then reports as the maxsize;
 *  msgsize_max: longest message accepted (default and ceiling: the module
 *               parameter msgsize_max, 16 MiB);
 *  bytes_max:   capacity in bytes (default: module parameter bytes_default,
 *               1 MiB; ceiling: bytes_max, 64 MiB).  A message larger than
 *               bytes_max is still admitted into an empty queue.
 */
struct ipc_queue_attr {
	uint64_t maxsize;
	uint64_t msgsize_max;
	uint64_t bytes_max;
};

/*
 * ipc_queue_create - create a new anonymous queue.
 * @attr: its limits, or NULL for the module defaults.
 *
 * The queue has no name; it lives while a handle refers to it (share it
 * with fork() or SCM_RIGHTS).  The handle is opened for reading and writing.
 *
 * Returns the new handle (>= 0), or:
 *  -EINVAL  a limit exceeds the module's ceiling;
 *  -ENOMEM  out of memory;
 *  -ENOENT  /dev/ipcqueue is missing (module not loaded);
 *  -EACCES  no read/write permission on /dev/ipcqueue;
 *  -EMFILE, -ENFILE  too many open files.
 */
int ipc_queue_create(const struct ipc_queue_attr *attr);

/*
 * ipc_queue_open - attach to, or create, a named queue.
 * @name:  1 to IPCDEV_NAME_MAX (255) bytes, no '/'; a namespace of its own,
 *         shared by the whole system (not a file system path).
 * @flags: O_RDONLY (get only), O_WRONLY (put only) or O_RDWR, or'ed with
 *         IPC_CREAT (create the queue if absent) and IPC_EXCL (with
 *         IPC_CREAT: fail if it exists).
 * @mode:  permission bits (at most 0777) of a queue this call creates,
 *         less the process's umask, as for open(2); checked like a file's
 *         (owner, group, other: read for get, write for put) when another
 *         call attaches, CAP_IPC_OWNER overriding them.  The creating call
 *         gets the access it asks for.  Ignored when attaching.
 * @attr:  limits of a queue this call creates, or NULL for the defaults;
 *         ignored when attaching (read the actual ones with ipc_queue_stat).
 *
 * A named queue persists, even with no handle open, until ipc_queue_unlink()
 * or until the module is unloaded.
 *
 * Returns the new handle (>= 0), or:
 *  -EINVAL       name NULL or empty or containing '/', unknown flag bits,
 *                an invalid access mode, mode above 0777, or a limit above
 *                the module's ceiling;
 *  -ENAMETOOLONG name longer than IPCDEV_NAME_MAX;
 *  -ENOENT       no such queue and no IPC_CREAT (or module not loaded);
 *  -EEXIST       IPC_CREAT|IPC_EXCL and the queue exists;
 *  -EACCES       the queue exists and its mode refuses the access asked
 *                for in @flags, or no permission on /dev/ipcqueue;
 *  -ENOSPC       the module's named_max named objects already exist;
 *  -ENOMEM, -EMFILE, -ENFILE.
 */
int ipc_queue_open(const char *name, int flags, mode_t mode,
		   const struct ipc_queue_attr *attr);

/*
 * ipc_queue_put - append one message (multiprocessing.Queue.put).
 * @q:   handle opened for writing.
 * @msg: the message's bytes (may be NULL when @len is 0).
 * @len: its length; 0 is a real, empty message.
 * @block, @timeout_ns: see the conventions above.
 *
 * Waits while the queue is full: it already holds maxsize messages, or it
 * is not empty and @len more bytes would exceed its bytes_max.
 *
 * Returns 0, or:
 *  -EAGAIN    full and block == 0 (or O_NONBLOCK set);
 *  -ETIMEDOUT still full when the timeout expired;
 *  -EINTR     a signal handler ran (see the conventions above);
 *  -EMSGSIZE  @len exceeds the queue's msgsize_max;
 *  -EBADF     @q was opened read-only (or is not a descriptor);
 *  -EFAULT    @msg is not readable;
 *  -ENOMEM    out of memory.
 */
int ipc_queue_put(int q, const void *msg, size_t len, int block,
		  int64_t timeout_ns);

/*
 * ipc_queue_get - remove and return the oldest message
 *                 (multiprocessing.Queue.get).
 * @q:      handle opened for reading.
 * @buf:    receive buffer (may be NULL when @size is 0).
 * @size:   its size.
 * @needed: if not NULL, receives the message's length on success and on
 *          -EMSGSIZE (the size @buf must have); left alone on other errors.
 * @block, @timeout_ns: see the conventions above.
 *
 * Returns the length of the message received (0 for an empty message), or:
 *  -EMSGSIZE  the oldest message is longer than @size; it stays queued and
 *             its length is stored in *@needed (another consumer may take
 *             it before a retry: retry with the new *@needed, or use
 *             ipc_queue_get_alloc);
 *  -EAGAIN    empty and block == 0 (or O_NONBLOCK set);
 *  -ETIMEDOUT still empty when the timeout expired;
 *  -EINTR     a signal handler ran (see the conventions above);
 *  -EBADF     @q was opened write-only (or is not a descriptor);
 *  -EFAULT    @buf is not writable.
 */
ssize_t ipc_queue_get(int q, void *buf, size_t size, size_t *needed,
		      int block, int64_t timeout_ns);

/*
 * ipc_queue_get_alloc - ipc_queue_get into a buffer of the right size.
 * @q:    handle opened for reading.
 * @bufp: receives a buffer allocated with malloc(3) holding the message
 *        (at least 1 byte even for an empty message; free it with free(3)),
 *        or NULL on error.
 * @block, @timeout_ns: see the conventions above; a single deadline covers
 *        the whole call, however many attempts it takes.
 *
 * Returns the message length, or -ENOMEM or any error of ipc_queue_get()
 * but -EMSGSIZE.
 */
ssize_t ipc_queue_get_alloc(int q, void **bufp, int block, int64_t timeout_ns);

/*
 * ipc_queue_stat - read the state and limits of the queue (count, bytes,
 *                  maxsize, msgsize_max, bytes_max, blocked getters and
 *                  putters, id, mode, owner, IPCDEV_STAT_* flags, full).
 * @q:  any handle of the queue (any access mode).
 * @st: receives the state.
 *
 * The values are a snapshot, stale as soon as other processes use the queue.
 * Returns 0, or -EBADF, -ENOTTY, -EFAULT.
 */
int ipc_queue_stat(int q, struct ipcdev_queue_stat *st);

/*
 * ipc_queue_qsize - number of messages queued (multiprocessing.Queue.qsize).
 * Returns it (>= 0), or an error of ipc_queue_stat().
 */
ssize_t ipc_queue_qsize(int q);

/*
 * ipc_queue_empty - whether no message is queued (Queue.empty).
 * Returns 1 or 0, or an error of ipc_queue_stat().
 */
int ipc_queue_empty(int q);

/*
 * ipc_queue_full - whether a put, even of an empty message, would wait now
 *                  (Queue.full).
 * Returns 1 or 0, or an error of ipc_queue_stat().
 */
int ipc_queue_full(int q);

/*
 * ipc_queue_close - close a handle (close(2)).  The queue itself lives on
 * while other handles refer to it, or while it has a name.
 * Returns 0, or -EBADF; -EINTR or -EIO are reported as close(2) does, the
 * descriptor being closed anyway (never retry).
 */
int ipc_queue_close(int q);

/*
 * ipc_queue_unlink - remove a queue's name (the name can be reused at once;
 * the queue lives on while handles refer to it, flagged
 * IPCDEV_STAT_UNLINKED).
 * Returns 0, or:
 *  -ENOENT       no such name (or module not loaded);
 *  -EPERM        the caller neither owns the queue nor has CAP_IPC_OWNER;
 *  -EINVAL       name NULL, empty or containing '/';
 *  -ENAMETOOLONG name longer than IPCDEV_NAME_MAX;
 *  -EACCES, -EMFILE, -ENFILE  cannot open /dev/ipcqueue.
 */
int ipc_queue_unlink(const char *name);

/*
 * ipc_strerror - text describing an error code, negative (as returned by
 * this library) or positive.  Never NULL, never to be freed, thread-safe.
 */
const char *ipc_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif /* IPCDEV_H */
