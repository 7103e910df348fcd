/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libipcdev: Python multiprocessing's IPC objects for C, backed by the
 * ipcdev kernel module: the queue (multiprocessing.Queue, device
 * /dev/ipcqueue) and the pipe (multiprocessing.Pipe, device /dev/ipcpipe).
 *
 * Conventions shared by every function:
 *
 *  - A handle is a plain file descriptor (int).  It is opened with
 *    O_CLOEXEC.  It is inherited by fork(), can be passed to another
 *    process with SCM_RIGHTS, and works with poll(2)/select(2)/epoll(7)
 *    (POLLIN: a message waits; POLLOUT: a message fits; for a pipe also
 *    POLLHUP: the peer end is gone).  The library keeps no state of its
 *    own, so every call is thread-safe, and async-signal-safe except
 *    ipc_queue_get_alloc(), ipc_pipe_recv_alloc() (malloc) and
 *    ipc_strerror().
 *
 *  - Errors are returned as a negative errno value (-EAGAIN, ...).  errno is
 *    never the way an error is reported; its value after a call is
 *    unspecified.  Besides the errors listed per function, any call taking a
 *    handle can fail with -EBADF (not an open file descriptor) or -ENOTTY
 *    (not a handle of the right device: a queue call on a pipe end, ...),
 *    and any call can fail with -EINVAL if the module refuses its
 *    arguments.
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
 *    ends the wait with -EINTR (nothing was put or got, sent or
 *    received).  If O_NONBLOCK was set on the descriptor (fcntl(2)), every
 *    call behaves as block == 0.
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

/* ------------------------------------------------------------------ */
/* Pipe: multiprocessing.Pipe(duplex), device /dev/ipcpipe             */
/* ------------------------------------------------------------------ */

/*
 * A pipe is a pair of ends, 0 and 1, each reached through handles (file
 * descriptors) as above.  Duplex: both ends send and receive, one channel
 * per direction.  One-way: end 0 only receives and end 1 only sends (as
 * multiprocessing.Pipe(duplex=False) returns (receiver, sender)); the wrong
 * direction fails with -EBADF.  One receive returns exactly one send:
 * messages never merge or split, and a zero-length message is a message.
 *
 * Each direction holds up to capacity bytes (default: module parameter
 * bytes_default, 1 MiB; ceiling: bytes_max, 64 MiB), and at most msgs_max
 * (65536) messages whatever their size.  A message waits while
 * it does not fit in the free space of its direction; a message longer than
 * the capacity (up to the module parameter msgsize_max, 16 MiB) waits
 * until its direction is empty and then goes through.  Longer messages are
 * refused with -EMSGSIZE.
 *
 * End of file: when every handle of the peer end is closed (every copy, in
 * every process, including those made by fork() and SCM_RIGHTS, and when
 * the processes holding them die), ipc_pipe_recv() returns the messages
 * still queued and then fails with -EPIPE; ipc_pipe_send() fails with
 * -EPIPE at once (and raises no SIGPIPE; write(2) does); callers waiting on
 * either side wake at once; poll(2) reports POLLHUP.  For a named pipe, an
 * end that was never attached is not gone: its peer waits for it, and
 * attaching a gone end again revives the pipe.
 */

/* Path of the pipe device. */
#define IPC_PIPE_DEVICE		"/dev/ipcpipe"

/* ipc_pipe_open() flag, beside IPC_CREAT and IPC_EXCL: a duplex pipe. */
#define IPC_PIPE_DUPLEX		010000

/*
 * Limits of a pipe being created; a field left 0 takes the module default.
 *  capacity: bytes each direction holds (default: module parameter
 *            bytes_default, 1 MiB; ceiling: bytes_max, 64 MiB).
 */
struct ipc_pipe_attr {
	uint64_t capacity;
};

/*
 * ipc_pipe - create a new anonymous pipe (multiprocessing.Pipe(duplex)).
 * @duplex: non-zero: both ends send and receive; 0: ends[0] only receives
 *          and ends[1] only sends.
 * @ends:   receives the handles of end 0 and end 1, both O_CLOEXEC; left
 *          alone on error.
 *
 * Same as ipc_pipe2(duplex, NULL, ends).  The pipe lives while a handle
 * refers to it; hand the ends to other processes with fork() or SCM_RIGHTS.
 *
 * Returns 0, or:
 *  -ENOMEM  out of memory;
 *  -ENOENT  /dev/ipcpipe is missing (module not loaded);
 *  -EACCES  no read/write permission on /dev/ipcpipe;
 *  -EMFILE, -ENFILE  too many open files;
 *  -EFAULT  @ends is NULL.
 */
int ipc_pipe(int duplex, int ends[2]);

/*
 * ipc_pipe2 - ipc_pipe() with limits.
 * @attr: the pipe's limits, or NULL for the module defaults.
 *
 * Returns 0, or an error of ipc_pipe(), or -EINVAL (capacity above the
 * module's ceiling).
 */
int ipc_pipe2(int duplex, const struct ipc_pipe_attr *attr, int ends[2]);

/*
 * ipc_pipe_open - attach to, or create, one end of a named pipe.
 * @name:  as for ipc_queue_open(), in a namespace of pipes of its own.
 * @end:   0 or 1: the end this handle becomes.  Any number of handles may
 *         be attached to each end.
 * @flags: O_RDONLY (receive only), O_WRONLY (send only) or O_RDWR, or'ed
 *         with IPC_CREAT (create the pipe if absent), IPC_EXCL (with
 *         IPC_CREAT: fail if it exists) and IPC_PIPE_DUPLEX (a pipe this
 *         call creates is duplex; else one-way: end 0 receives, end 1
 *         sends; ignored when attaching).  The access mode further limits
 *         what the handle may do (-EBADF).
 * @mode:  permission bits (at most 0777, less the umask) of a pipe this call
 *         creates, checked as for ipc_queue_open() (read to receive, write
 *         to send) when another call attaches; ignored when attaching.
 * @attr:  limits of a pipe this call creates, or NULL; ignored when
 *         attaching (read the actual ones with ipc_pipe_stat).
 *
 * A named pipe persists, with its queued messages, even with no handle
 * open, until ipc_pipe_unlink() or until the module is unloaded.  The peer
 * of an end never attached is not at end of file: it waits.  Once every
 * handle of an end is closed, its peer sees end of file (see above) until
 * a handle attaches to that end again.
 *
 * Returns the new handle (>= 0), or:
 *  -EINVAL       name NULL or empty or containing '/', @end not 0 or 1,
 *                unknown flag bits, an invalid access mode, mode above
 *                0777, or a capacity above the module's ceiling;
 *  -ENAMETOOLONG name longer than IPCDEV_NAME_MAX;
 *  -ENOENT       no such pipe and no IPC_CREAT (or module not loaded);
 *  -EEXIST       IPC_CREAT|IPC_EXCL and the pipe exists;
 *  -EACCES       the pipe exists and its mode refuses the access asked for
 *                in @flags, or no permission on /dev/ipcpipe;
 *  -ENOSPC       the module's named_max named objects already exist;
 *  -ENOMEM, -EMFILE, -ENFILE.
 */
int ipc_pipe_open(const char *name, int end, int flags, mode_t mode,
		  const struct ipc_pipe_attr *attr);

/*
 * ipc_pipe_send - send one message to the peer end (Connection.send_bytes).
 * @end: a handle that may send (duplex, or end 1 of a one-way pipe; not
 *       opened O_RDONLY).
 * @msg: the message's bytes (may be NULL when @len is 0).
 * @len: its length; 0 is a real, empty message.
 * @block, @timeout_ns: see the conventions above.
 *
 * Waits while the message does not fit in the free space of its direction
 * (a message longer than the capacity: until the direction is empty).
 *
 * Returns 0, or:
 *  -EPIPE     every handle of the peer end is closed (no SIGPIPE is raised);
 *  -EAGAIN    no room and block == 0 (or O_NONBLOCK set);
 *  -ETIMEDOUT still no room when the timeout expired;
 *  -EINTR     a signal handler ran (see the conventions above);
 *  -EMSGSIZE  @len exceeds the module parameter msgsize_max;
 *  -EBADF     @end cannot send (receive-only end, or opened O_RDONLY);
 *  -ENOTCONN  @end is a /dev/ipcpipe descriptor bound to no pipe;
 *  -EFAULT    @msg is not readable;
 *  -ENOMEM    out of memory.
 */
int ipc_pipe_send(int end, const void *msg, size_t len, int block,
		  int64_t timeout_ns);

/*
 * ipc_pipe_recv - receive the oldest message sent by the peer end
 *                 (Connection.recv_bytes_into).
 * @end:    a handle that may receive (duplex, or end 0 of a one-way pipe;
 *          not opened O_WRONLY).
 * @buf:    receive buffer (may be NULL when @size is 0).
 * @size:   its size.
 * @needed: if not NULL, receives the message's length on success and on
 *          -EMSGSIZE; left alone on other errors.
 * @block, @timeout_ns: see the conventions above.
 *
 * Returns the length of the message received (0 for an empty message, which
 * is not end of file), or:
 *  -EPIPE     end of file: nothing queued and every handle of the peer end
 *             closed;
 *  -EMSGSIZE  the oldest message is longer than @size; it stays queued and
 *             its length is stored in *@needed;
 *  -EAGAIN    nothing queued and block == 0 (or O_NONBLOCK set);
 *  -ETIMEDOUT still nothing when the timeout expired;
 *  -EINTR     a signal handler ran (see the conventions above);
 *  -EBADF     @end cannot receive (send-only end, or opened O_WRONLY);
 *  -ENOTCONN  @end is bound to no pipe;
 *  -EFAULT    @buf is not writable; the message stays queued.
 */
ssize_t ipc_pipe_recv(int end, void *buf, size_t size, size_t *needed,
		      int block, int64_t timeout_ns);

/*
 * ipc_pipe_recv_alloc - ipc_pipe_recv into a buffer of the right size
 *                       (Connection.recv_bytes).
 * @end:  a handle that may receive.
 * @bufp: receives a buffer allocated with malloc(3) holding the message (at
 *        least 1 byte even for an empty message; free it with free(3)), or
 *        NULL on error.
 * @block, @timeout_ns: see the conventions above; one deadline covers the
 *        whole call.
 *
 * Returns the message length, or -ENOMEM (the message stays queued) or any
 * error of ipc_pipe_recv() but -EMSGSIZE (-EPIPE at end of file).
 */
ssize_t ipc_pipe_recv_alloc(int end, void **bufp, int block,
			    int64_t timeout_ns);

/*
 * ipc_pipe_poll - whether a receive would not wait (Connection.poll).
 * @end:        a handle that may receive.
 * @timeout_ms: wait at most this many milliseconds for a message (or end of
 *              file); 0: do not wait; < 0: wait as long as needed.
 *
 * Returns 1 when a message is queued or the pipe is at end of file (a
 * receive then returns at once, with the message or -EPIPE), 0 when the
 * timeout expired first, or:
 *  -EBADF     @end cannot receive (send-only end, or opened O_WRONLY);
 *  -ENOTCONN  @end is bound to no pipe;
 *  -EINTR     a signal handler ran, whether installed with SA_RESTART or
 *             not (as poll(2)): the caller decides whether to poll again;
 *  -ENOMEM.
 */
int ipc_pipe_poll(int end, int timeout_ms);

/*
 * ipc_pipe_stat - read the state of a pipe end (its end number, duplex and
 *                 hang-up flags, messages and bytes waiting for it and sent
 *                 by it, capacity, msgsize_max, open handles of each end,
 *                 tasks blocked in receive and send on it, id, mode, owner;
 *                 see struct ipcdev_pipe_stat).
 * @end: any handle of the pipe (any access mode).
 * @st:  receives the state.
 *
 * A snapshot, stale as soon as other processes use the pipe.
 * Returns 0, or -EBADF, -ENOTTY, -ENOTCONN, -EFAULT.
 */
int ipc_pipe_stat(int end, struct ipcdev_pipe_stat *st);

/*
 * ipc_pipe_close - close a handle (close(2)).  When it was the last handle
 * of its end, the peer sees end of file (see above).
 * Returns 0, or -EBADF; -EINTR or -EIO as close(2) does, the descriptor being
 * closed anyway (never retry).
 */
int ipc_pipe_close(int end);

/*
 * ipc_pipe_unlink - remove a named pipe's name (the name can be reused at
 * once; the pipe lives on while handles refer to it).
 * Returns 0, or the errors of ipc_queue_unlink() (about pipes and
 * /dev/ipcpipe).
 */
int ipc_pipe_unlink(const char *name);

/*
 * ipc_strerror - text describing an error code, negative (as returned by
 * this library) or positive.  Never NULL, never to be freed, thread-safe.
 */
const char *ipc_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif /* IPCDEV_H */
