/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libipcdev: Python multiprocessing's IPC objects for C, backed by the
 * ipcdev kernel module: the queue (multiprocessing.Queue, device
 * /dev/ipcqueue), the pipe (multiprocessing.Pipe, device /dev/ipcpipe), the
 * event (multiprocessing.Event, device /dev/ipcevent) and shared memory
 * (multiprocessing.Value and Array, device /dev/ipcshm).
 *
 * Conventions shared by every function:
 *
 *  - A handle is a plain file descriptor (int).  It is opened with
 *    O_CLOEXEC.  It is inherited by fork(), can be passed to another
 *    process with SCM_RIGHTS, and works with poll(2)/select(2)/epoll(7)
 *    (POLLIN: a message waits, an event is set, a segment's change
 *    counter moved; POLLOUT: a message fits; for a pipe also POLLHUP: the
 *    peer end is gone).  A shared memory segment is used through a struct
 *    ipc_array, which the caller owns, holding the descriptor and a
 *    mapping.  The library keeps no state of its own, so every call is
 *    thread-safe, and async-signal-safe except ipc_queue_get_alloc(),
 *    ipc_pipe_recv_alloc() (malloc) and ipc_strerror().
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
#include <sys/uio.h>
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
 * A limit that is no bound (struct ipc_queue_attr, struct ipc_pipe_attr,
 * and as reported by ipc_queue_stat() and ipc_pipe_stat()): what is left is
 * the sender's byte quota, the module parameter user_bytes_max (1 GiB per
 * user; CAP_SYS_RESOURCE lifts it).
 */
#define IPC_UNLIMITED		IPCDEV_UNLIMITED

/*
 * Limits of a queue being created.  A queue created with all three 0 is
 * unbounded, as multiprocessing.Queue() is: a put never waits for room;
 * only the sender's byte quota bounds it (-EDQUOT at once beyond it).
 *  maxsize:     most messages held (multiprocessing.Queue(maxsize)); 0 or
 *               IPC_UNLIMITED: no count bound; else at most the module
 *               parameter msgs_max (65536);
 *  msgsize_max: longest message accepted; 0: the module parameter
 *               msgsize_max (16 MiB); any other value may be set,
 *               IPC_UNLIMITED for messages of any size;
 *  bytes_max:   capacity in bytes; 0 or IPC_UNLIMITED: no byte bound but
 *               the quota; else at most the module parameter bytes_max
 *               (64 MiB).  A message larger than bytes_max is still
 *               admitted into an empty queue.
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
 *  -EDQUOT    the sender's byte quota (user_bytes_max) cannot hold @len
 *             more bytes: at once, never after a wait; the queue is
 *             unchanged;
 *  -EBADF     @q was opened read-only (or is not a descriptor);
 *  -EFAULT    @msg is not readable;
 *  -ENOMEM    out of memory (or @len exceeds the machine's memory).
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
 * ipc_queue_put_many - append several messages in one system call, as
 *                      sendmmsg(2) (added in 0.4.0).
 * @q:     handle opened for writing.
 * @msgs:  the messages, each one whole message (iov_base may be NULL when
 *         iov_len is 0); at most IPCDEV_MSGVEC_MAX are sent per call, the
 *         rest ignored.
 * @count: their number.
 * @block, @timeout_ns: see the conventions above; they apply to the FIRST
 *         message only: the others are put only if they fit at once.
 *
 * The messages are put in order, each atomically, as by ipc_queue_put().
 * The call does not loop: it returns after one batch, which may be short
 * (the queue filled, or a message failed); call again with the rest, and
 * the first of them then reports why (-EAGAIN, -EMSGSIZE, ...).
 * Returns the number of messages put (1 to @count; 0 when @count is 0),
 * or, when none was, any error of ipc_queue_put().
 */
ssize_t ipc_queue_put_many(int q, const struct iovec *msgs, unsigned int count,
			   int block, int64_t timeout_ns);

/*
 * ipc_queue_get_many - remove several messages in one system call, as
 *                      recvmmsg(2) (added in 0.4.0).
 * @q:     handle opened for reading.
 * @bufs:  receive buffers, one per message (iov_len: its size); at most
 *         IPCDEV_MSGVEC_MAX are filled per call.
 * @lens:  receives each message's length; on a batch stopped by -EMSGSIZE,
 *         lens[n] (n the number returned, or 0) is the length of the next
 *         message, which stays queued.
 * @count: the number of buffers.
 * @block, @timeout_ns: apply to the FIRST message only; the others are
 *         what is queued at once.
 *
 * Returns the number of messages received (1 to @count; 0 when @count is
 * 0), in order, or, when none was, any error of ipc_queue_get().  A
 * message that could not be stored (a short buffer, a fault) stays queued.
 */
ssize_t ipc_queue_get_many(int q, const struct iovec *bufs, size_t *lens,
			   unsigned int count, int block, int64_t timeout_ns);

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
 * the capacity waits until its direction is empty and then goes through.
 * Messages longer than the pipe's msgsize_max (default: module parameter
 * msgsize_max, 16 MiB; IPC_UNLIMITED: any size) are refused with
 * -EMSGSIZE.  Queued bytes are charged to their sender's quota, as on a
 * queue (-EDQUOT at once beyond it).
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
 *  capacity:    bytes each direction holds (default: module parameter
 *               bytes_default, 1 MiB; ceiling: bytes_max, 64 MiB;
 *               IPC_UNLIMITED: no bound but the quota);
 *  msgsize_max: longest message (default: module parameter msgsize_max,
 *               16 MiB; any other value may be set, IPC_UNLIMITED for
 *               messages of any size).
 */
struct ipc_pipe_attr {
	uint64_t capacity;
	uint64_t msgsize_max;
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
 *  -EMSGSIZE  @len exceeds the pipe's msgsize_max;
 *  -EDQUOT    the sender's byte quota (user_bytes_max) cannot hold @len
 *             more bytes: at once, never after a wait;
 *  -EBADF     @end cannot send (receive-only end, or opened O_RDONLY);
 *  -ENOTTY    @end is no pipe end (e.g. a /dev/ipcpipe device descriptor);
 *  -EFAULT    @msg is not readable;
 *  -ENOMEM    out of memory (or @len exceeds the machine's memory).
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
 *  -ENOTTY    @end is no pipe end (e.g. a /dev/ipcpipe device descriptor);
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
 * ipc_pipe_send_many, ipc_pipe_recv_many - several messages in one system
 *         call (added in 0.4.0): as ipc_queue_put_many() and
 *         ipc_queue_get_many(), on a pipe end that may send (receive), with
 *         the errors of ipc_pipe_send() (ipc_pipe_recv()): -EBADF for the
 *         wrong direction, -EPIPE when the peer is gone (recv: after the
 *         queued messages).
 */
ssize_t ipc_pipe_send_many(int end, const struct iovec *msgs,
			   unsigned int count, int block, int64_t timeout_ns);
ssize_t ipc_pipe_recv_many(int end, const struct iovec *bufs, size_t *lens,
			   unsigned int count, int block, int64_t timeout_ns);

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
 *  -ENOTTY    @end is no pipe end (e.g. a /dev/ipcpipe device descriptor);
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
 * Returns 0, or -EBADF, -ENOTTY, -EFAULT.
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

/* ------------------------------------------------------------------ */
/* Event: multiprocessing.Event, device /dev/ipcevent                  */
/* ------------------------------------------------------------------ */

/*
 * An event is a flag, set or clear, shared by processes through handles
 * (file descriptors) as above.  ipc_event_set() raises it and wakes every
 * waiter; ipc_event_clear() lowers it; ipc_event_wait() returns at once while
 * it is raised, else waits for the next set.  A waiter is released by the
 * set itself, not by finding the flag raised later: a set followed at once
 * by a clear still releases everyone who was waiting.  poll(2) reports
 * POLLIN while the flag is raised; ipc_notify() asks for a signal at each
 * set that raises it.  Waiting needs read access, setting and clearing need
 * write access (-EBADF otherwise).
 */

/* Path of the event device. */
#define IPC_EVENT_DEVICE	"/dev/ipcevent"

/* ipc_event_open() flag, beside IPC_CREAT and IPC_EXCL: starts set. */
#define IPC_EVENT_INIT_SET	020000

/*
 * ipc_event_create - create a new anonymous event (multiprocessing.Event()).
 * @initially_set: non-zero: the event starts set; 0: clear.
 *
 * The event lives while a handle refers to it (share it with fork() or
 * SCM_RIGHTS).  The handle is opened for reading and writing, O_CLOEXEC.
 *
 * Returns the new handle (>= 0), or:
 *  -ENOMEM  out of memory;
 *  -ENOENT  /dev/ipcevent is missing (module not loaded);
 *  -EACCES  no read/write permission on /dev/ipcevent;
 *  -EMFILE, -ENFILE  too many open files.
 */
int ipc_event_create(int initially_set);

/*
 * ipc_event_open - attach to, or create, a named event.
 * @name:  as for ipc_queue_open(), in a namespace of events of its own.
 * @flags: O_RDONLY (wait only), O_WRONLY (set and clear only) or O_RDWR,
 *         or'ed with IPC_CREAT (create the event if absent), IPC_EXCL (with
 *         IPC_CREAT: fail if it exists) and IPC_EVENT_INIT_SET (an event this
 *         call creates starts set; ignored when attaching).
 * @mode:  permission bits (at most 0777, less the umask) of an event this
 *         call creates, checked as for ipc_queue_open() (read to wait,
 *         write to set and clear) when another call attaches.
 *
 * A named event persists, set or clear, even with no handle open, until
 * ipc_event_unlink() or until the module is unloaded.
 *
 * Returns the new handle (>= 0), or the errors of ipc_queue_open() (about
 * events and /dev/ipcevent; there are no limits).
 */
int ipc_event_open(const char *name, int flags, mode_t mode);

/*
 * ipc_event_set - raise the flag and wake every waiter (Event.set).  Setting
 * a set event does nothing (it wakes nobody and sends no signal).
 * @ev: handle opened for writing.
 * Returns 0, or -EBADF (@ev opened read-only, or not a descriptor).
 */
int ipc_event_set(int ev);

/*
 * ipc_event_clear - lower the flag (Event.clear).
 * @ev: handle opened for writing.
 * Returns 0, or -EBADF (@ev opened read-only, or not a descriptor).
 */
int ipc_event_clear(int ev);

/*
 * ipc_event_is_set - whether the flag is raised now (Event.is_set).
 * @ev: any handle of the event (any access mode).
 * Returns 1 or 0, or an error of ipc_event_stat().
 */
int ipc_event_is_set(int ev);

/*
 * ipc_event_wait - wait until the flag is raised (Event.wait).
 * @ev: handle opened for reading.
 * @block, @timeout_ns: see the conventions above; here not waiting is not
 *       an error: block == 0 (or O_NONBLOCK set) only tests the flag, and a
 *       timeout returns 0.
 *
 * Returns 1 when the flag was raised on entry or an ipc_event_set() raised
 * it while waiting (even if it was cleared again since: Python's True),
 * 0 when it is lowered and block == 0, or still lowered when the timeout
 * expired (Python's False), or:
 *  -EINTR  a signal handler ran (see the conventions above);
 *  -EBADF  @ev was opened write-only (or is not a descriptor).
 */
int ipc_event_wait(int ev, int block, int64_t timeout_ns);

/*
 * ipc_event_stat - read the state of the event (flag, tasks waiting, count
 *                  of sets that raised it, id, mode, owner, IPCDEV_STAT_*
 *                  flags; see struct ipcdev_event_stat).
 * @ev: any handle of the event (any access mode).
 * @st: receives the state, a snapshot.
 * Returns 0, or -EBADF, -ENOTTY, -EFAULT.
 */
int ipc_event_stat(int ev, struct ipcdev_event_stat *st);

/*
 * ipc_event_close - close a handle (close(2)); the event lives on while
 * other handles refer to it, or while it has a name.
 * Returns 0, or -EBADF; -EINTR or -EIO as close(2) does, the descriptor being
 * closed anyway (never retry).
 */
int ipc_event_close(int ev);

/*
 * ipc_event_unlink - remove a named event's name (the name can be reused at
 * once; the event lives on while handles refer to it).
 * Returns 0, or the errors of ipc_queue_unlink() (about events and
 * /dev/ipcevent).
 */
int ipc_event_unlink(const char *name);

/* ------------------------------------------------------------------ */
/* Shared memory: multiprocessing.Value and Array, device /dev/ipcshm  */
/* ------------------------------------------------------------------ */

/*
 * A segment is a fixed-size block of memory shared by processes, optionally
 * typed: a multiprocessing typecode and an element count, fixed at creation
 * and read back by whoever attaches.  Typecodes and element sizes:
 *   'c' char, 'b' signed char, 'B' unsigned char   1 byte
 *   'h' short, 'H' unsigned short                  2 bytes
 *   'i' int, 'I' unsigned int, 'f' float           4 bytes
 *   'l', 'L', 'q', 'Q' (64-bit integers), 'd'      8 bytes
 * ('l' and 'L' are 64-bit in every process, 32-bit or 64-bit), or 0 for raw
 * bytes (elem_size 1).  The memory starts zero-filled.
 *
 * Unlike the other objects, a segment is used through a struct ipc_array
 * that the caller owns: the handle (fd, O_CLOEXEC) and a MAP_SHARED mapping
 * of the whole segment (addr), which the caller may also use directly, as
 * a (type *)a.addr array of a.count elements.  The struct and its mapping
 * are inherited by fork(); to pass a segment through SCM_RIGHTS, send a.fd
 * and call ipc_array_attach() on the descriptor received.  One struct
 * ipc_array must not be closed while another thread uses it.
 *
 * ipc_array_get() and ipc_array_set() copy one element; an element of 1, 2,
 * 4 or (in 64-bit processes) 8 bytes is loaded and stored whole, never torn.
 * Nothing else is atomic: as with multiprocessing's Value, a
 * read-modify-write (v += 1) needs the segment's lock, ipc_array_lock(),
 * which belongs to the calling process (not thread) and is released when
 * its holder dies, the next locker being told (-EOWNERDEAD).
 *
 * The change counter is a number the module bumps at each
 * ipc_array_publish() (and each write through write(2)/pwrite(2) or
 * IPCDEV_IOC_SHM_WRITE; stores through the mapping, ipc_array_set()
 * included, do not bump it): ipc_array_wait_change() sleeps until it moves,
 * poll(2) reports POLLIN on a handle while it differs from the last value
 * that handle saw, and ipc_notify() asks for a signal at each change.
 */

/* Path of the shared memory device. */
#define IPC_SHM_DEVICE		"/dev/ipcshm"

/*
 * A segment as its user sees it; fill it with ipc_array_create(),
 * ipc_value_create(), ipc_raw_create(), ipc_array_open() or
 * ipc_array_attach(), release it with ipc_array_close().  The fields are
 * read-only for the caller.
 *  fd:        the handle (-1 once closed or after a failed create or open);
 *  addr:      the MAP_SHARED mapping of the whole segment (NULL likewise);
 *             writable when prot has PROT_WRITE;
 *  size:      bytes (count * elem_size);
 *  count:     elements (bytes for a raw segment);
 *  elem_size: bytes per element (1 for raw);
 *  type:      the typecode, or 0 for raw bytes;
 *  prot:      PROT_READ, or PROT_READ | PROT_WRITE: the mapping's protection.
 *  lock_word, locker: libipcdev's own (the mapped lock word, and this
 *             process's locker id in it): see ipc_array_lock();
 *  reserved:  libipcdev's room to grow: every call that fills the struct
 *             zeroes it, and a later version may keep state there without
 *             changing the struct's size (IPC_ARRAY_SIZE) or the soname.
 *             Not for the caller, who must neither read nor write it.
 * Callers allocate the struct (on the stack, in their own structs), so its
 * size is part of the ABI: sizeof(struct ipc_array) is IPC_ARRAY_SIZE, 128
 * bytes in 64-bit processes and 104 in 32-bit ones, checked when the
 * library is built, and stays so (see ipc_array(3)).
 */
struct ipc_array {
	int fd;
	void *addr;
	size_t size;
	size_t count;
	size_t elem_size;
	char type;
	int prot;
	uint32_t *lock_word;
	uint64_t locker;
	uint64_t reserved[8];
};

/* sizeof(struct ipc_array), fixed for the life of the soname. */
#define IPC_ARRAY_SIZE		(sizeof(void *) == 8 ? 128 : 104)

/*
 * ipc_array_create - create a new anonymous typed segment
 *                    (multiprocessing.Array(typecode, count)).
 * @a:        receives the segment: handle (read/write, O_CLOEXEC) and
 *            writable mapping; on error a->fd is -1 and a->addr NULL.
 * @typecode: one of the typecodes above, or 0 for raw bytes.
 * @count:    elements, at least 1.
 * @init:     @count elements to start with, or NULL for zeros.
 *
 * The segment lives while a handle or a mapping refers to it.
 *
 * Returns 0, or:
 *  -EINVAL    unknown typecode, @count 0, or a size above the module
 *             parameter shm_max (1 GiB by default);
 *  -EOVERFLOW @count times the element size overflows;
 *  -ENOMEM    out of memory (or of address space);
 *  -ENOENT    /dev/ipcshm is missing (module not loaded);
 *  -EACCES    no read/write permission on /dev/ipcshm;
 *  -EMFILE, -ENFILE  too many open files.
 */
int ipc_array_create(struct ipc_array *a, char typecode, size_t count,
		     const void *init);

/*
 * ipc_value_create - create a new anonymous one-element segment
 *                    (multiprocessing.Value(typecode)).
 * @v:        receives the segment, as for ipc_array_create().
 * @typecode: one of the typecodes above (0: a single raw byte).
 * @init:     the element to start with, or NULL for zero.
 * Returns 0, or the errors of ipc_array_create().
 */
int ipc_value_create(struct ipc_array *v, char typecode, const void *init);

/*
 * ipc_raw_create - create a new anonymous untyped segment of @size bytes
 *                  (multiprocessing.shared_memory-like raw bytes, typecode
 *                  0); same as ipc_array_create(a, 0, size, NULL).
 * Returns 0, or the errors of ipc_array_create() (-EINVAL for @size 0).
 */
int ipc_raw_create(struct ipc_array *a, size_t size);

/*
 * ipc_array_open - attach to, or create, a named segment, and map it.
 * @a:        receives the segment, as for ipc_array_create().
 * @name:     as for ipc_queue_open(), in a namespace of segments of its own.
 * @flags:    O_RDONLY (a read-only mapping: the set calls fail with -EBADF)
 *            or O_RDWR, or'ed with IPC_CREAT (create the segment if absent)
 *            and IPC_EXCL (with IPC_CREAT: fail if it exists).  O_WRONLY is
 *            refused (-EINVAL): a mapping needs read access.
 * @mode:     permission bits (at most 0777, less the umask) of a segment
 *            this call creates, checked as for ipc_queue_open() when
 *            another call attaches.
 * @typecode, @count: the geometry of a segment this call creates, checked
 *            (as by ipc_array_create()) only with IPC_CREAT; ignored when
 *            attaching: the segment's own are read back into @a.
 *
 * A named segment persists, with its contents, even with no handle open,
 * until ipc_array_unlink() or until the module is unloaded.
 *
 * Returns 0, or the errors of ipc_queue_open() and ipc_array_create().
 */
int ipc_array_open(struct ipc_array *a, const char *name, int flags,
		   mode_t mode, char typecode, size_t count);

/*
 * ipc_array_attach - wrap a handle of a segment received by fork() or
 *                    SCM_RIGHTS: dup() it (O_CLOEXEC; @fd stays the
 *                    caller's), read the type and count, map the segment
 *                    (writable when @fd was opened for writing).
 * @a:  receives the segment, as for ipc_array_create().
 * @fd: a bound /dev/ipcshm descriptor, opened for reading.
 *
 * Returns 0, or:
 *  -EBADF     @fd is not an open descriptor;
 *  -ENOTTY    @fd is not a /dev/ipcshm descriptor;
 *  -ENOTTY    @fd is no segment (e.g. a /dev/ipcshm device descriptor);
 *  -EACCES    @fd was opened write-only;
 *  -EOVERFLOW the segment is larger than the address space;
 *  -ENOMEM, -EMFILE.
 */
int ipc_array_attach(struct ipc_array *a, int fd);

/*
 * ipc_array_get - copy element @i (elem_size bytes) to @out.
 * Returns 0, or -EINVAL (@i >= count).
 */
int ipc_array_get(const struct ipc_array *a, size_t i, void *out);

/*
 * ipc_array_set - store elem_size bytes from @in as element @i; the change
 * counter does not move (see ipc_array_publish()).
 * Returns 0, or -EINVAL (@i >= count) or -EBADF (read-only mapping).
 */
int ipc_array_set(struct ipc_array *a, size_t i, const void *in);

/*
 * ipc_array_get_slice - copy elements @start to @start + @n - 1 to @out
 *                       (a[start:start + n]); @n may be 0.
 * Returns 0, or -EINVAL (@start + @n > count).
 */
int ipc_array_get_slice(const struct ipc_array *a, size_t start, size_t n,
			void *out);

/*
 * ipc_array_set_slice - store @n elements from @in at @start
 *                       (a[start:start + n] = in); @n may be 0.
 * Returns 0, or -EINVAL (@start + @n > count) or -EBADF (read-only mapping).
 */
int ipc_array_set_slice(struct ipc_array *a, size_t start, size_t n,
			const void *in);

/*
 * ipc_value_get - ipc_array_get(v, 0, out): Value.value.
 * ipc_value_set - ipc_array_set(v, 0, in): Value.value = x.
 */
int ipc_value_get(const struct ipc_array *v, void *out);
int ipc_value_set(struct ipc_array *v, const void *in);

/*
 * ipc_array_lock - take the segment's lock (get_lock().acquire()).
 * @a: any handle of the segment (any access mode).
 * @block, @timeout_ns: see the conventions above; block == 0 is a trylock.
 *
 * The lock belongs to the calling process (every thread of it), is not
 * recursive, and is freed when its holder dies.  Taking a free lock, and
 * releasing one no task waits for, do not enter the kernel: a
 * compare-and-swap of the lock word, a page of the module's (struct
 * ipcdev_shm_locker) mapped at the first lock, as a futex-based mutex
 * does.  Only segments mapped writable use it (read-only ones make the
 * ioctls); a child made by fork() asks the module for its own locker id
 * at its first lock.
 *
 * Returns 0 (the caller holds the lock), or:
 *  -EOWNERDEAD the previous holder died holding it: the caller holds the
 *              lock now, and should check what the dead holder may have
 *              left half-done;
 *  -EAGAIN     held by another process and block == 0 (or O_NONBLOCK);
 *  -ETIMEDOUT  still held when the timeout expired;
 *  -EDEADLK    the calling process holds it already;
 *  -EINTR      a signal handler ran (see the conventions above);
 *  -ENOMEM     out of memory for the lock word or the process's locker id
 *              (a process's first lock of the segment only).
 */
int ipc_array_lock(struct ipc_array *a, int block, int64_t timeout_ns);

/*
 * ipc_array_unlock - release the lock (get_lock().release()), waking the
 * next process waiting for it.
 * Returns 0, or -EPERM (the calling process does not hold it).
 */
int ipc_array_unlock(struct ipc_array *a);

/*
 * ipc_array_publish - bump the change counter: wake ipc_array_wait_change()
 * callers, make poll(2) report POLLIN, signal ipc_notify() handles.  Call
 * it after storing through the mapping.
 * Returns 0, or -EBADF (@a's handle was opened read-only).
 */
int ipc_array_publish(struct ipc_array *a);

/*
 * ipc_array_wait_change - wait until the change counter differs from @seen.
 * @seen: a counter value the caller has seen (from @seq of an earlier call,
 *        ipc_array_snapshot() or ipc_array_stat()).
 * @seq:  if not NULL, receives the counter when the call returns 1 or 0.
 * @block, @timeout_ns: see the conventions above; not waiting is not an
 *        error here: block == 0 only tests, a timeout returns 0.
 *
 * Returns 1 when the counter differs from @seen, 0 when it did not move
 * (block == 0, or the timeout expired), or:
 *  -EINTR     a signal handler ran (see the conventions above).
 */
int ipc_array_wait_change(struct ipc_array *a, uint64_t seen, uint64_t *seq,
			  int block, int64_t timeout_ns);

/*
 * ipc_array_snapshot - copy the whole segment (size bytes) to @out with one
 * IPCDEV_IOC_SHM_READ: consistent with respect to writes made through
 * write(2), pwrite(2) and IPCDEV_IOC_SHM_WRITE (not with stores through a
 * mapping: hold the lock for those).
 * @seq: if not NULL, receives the change counter the copy belongs to.
 * Returns 0, or -EBADF (@a's handle was opened write-only), -EFAULT.
 */
int ipc_array_snapshot(struct ipc_array *a, void *out, uint64_t *seq);

/*
 * ipc_array_stat - read the state of the segment (size, count, type,
 *                  elem_size, change counter, mappings, lock holder and
 *                  waiters, id, mode, owner, IPCDEV_STAT_* flags; see
 *                  struct ipcdev_shm_stat).
 * Returns 0, or -EBADF, -ENOTTY, -EFAULT.
 */
int ipc_array_stat(const struct ipc_array *a, struct ipcdev_shm_stat *st);

/*
 * ipc_array_close - unmap and close (a->fd = -1, a->addr = NULL); the
 * segment lives on while other handles or mappings refer to it, or while
 * it has a name.  Closing does not release the lock (the process's death
 * does; call ipc_array_unlock()).
 * Returns 0, or -EBADF (already closed); -EINTR or -EIO as close(2) does.
 */
int ipc_array_close(struct ipc_array *a);

/*
 * ipc_array_unlink - remove a named segment's name (the name can be reused
 * at once; the segment lives on while handles or mappings refer to it).
 * Returns 0, or the errors of ipc_queue_unlink() (about segments and
 * /dev/ipcshm).
 */
int ipc_array_unlink(const char *name);

/* ------------------------------------------------------------------ */
/* Signals                                                             */
/* ------------------------------------------------------------------ */

/*
 * ipc_notify - ask for a signal when a handle becomes ready (O_ASYNC).
 * @fd:    any ipcdev handle: a queue (a message arrives or is removed), a
 *         pipe end (a message arrives, room is freed, the peer goes), an
 *         event (a set raises it), a segment (the change counter moves).
 * @signo: > 0: send @signo to the calling process: F_SETOWN(getpid()),
 *         F_SETSIG(@signo) (a queued signal with si_fd = @fd and si_code
 *         POLL_IN, POLL_OUT or POLL_HUP; SIGIO means a plain SIGIO, without
 *         that information), then O_ASYNC on.  0: O_ASYNC off (no more
 *         signals).
 *
 * The owner and the signal belong to the open file, shared with every
 * duplicate of the descriptor (dup(), fork(), SCM_RIGHTS).  Block the
 * signal and collect it with sigtimedwait(2) or signalfd(2), or install a
 * handler (SA_SIGINFO for si_fd).
 *
 * Returns 0, or:
 *  -EINVAL    @signo negative or not a signal;
 *  -EBADF     @fd is not an open descriptor.
 * On a device descriptor (no object) it succeeds and signals nothing.
 */
int ipc_notify(int fd, int signo);

/*
 * ipc_strerror - text describing an error code, negative (as returned by
 * this library) or positive.  Never NULL, never to be freed, thread-safe.
 * For ENOENT while an ipcdev device node is missing, the text also asks
 * whether the ipcdev module is loaded (modprobe ipcdev).
 */
const char *ipc_strerror(int err);

/*
 * ipc_version - the version of the library, "MAJOR.MINOR.PATCH" (the
 * project's version: the same as modinfo ipcdev and ipcctl --version show).
 * Never NULL, never to be freed.
 */
const char *ipc_version(void);

/* ------------------------------------------------------------------ */
/* Any kind (added in 0.3.0)                                           */
/* ------------------------------------------------------------------ */

/*
 * The kinds of object, for the calls below that work on any of them.
 */
#define IPC_KIND_QUEUE		1	/* /dev/ipcqueue, ipc_queue(3) */
#define IPC_KIND_PIPE		2	/* /dev/ipcpipe, ipc_pipe(3) */
#define IPC_KIND_EVENT		3	/* /dev/ipcevent, ipc_event(3) */
#define IPC_KIND_SHM		4	/* /dev/ipcshm, ipc_array(3) */

/* struct ipc_stat.flags (every kind, the pipe's own bit translated). */
#define IPC_STAT_NAMED		0x1U	/* the object has (or had) a name */
#define IPC_STAT_UNLINKED	0x2U	/* its name was removed */

/*
 * What ipc_stat() reports about a handle of any kind: the fields every
 * kind has, then the kind's own STAT, in the member of @u that @kind names
 * (queue, pipe, event or shm).  The union is sized (reserved) so that a
 * later kind or a longer STAT does not change the size of the struct; and
 * ipc_stat() takes the caller's size, so a program built against an older,
 * shorter struct ipc_stat keeps working.
 */
struct ipc_stat {
	uint32_t kind;		/* IPC_KIND_* */
	uint32_t flags;		/* IPC_STAT_* */
	uint32_t id;		/* object id, unique while the module is loaded */
	uint32_t mode;		/* permission bits */
	uint32_t uid;		/* owner, in the caller's user namespace */
	uint32_t gid;		/* group, in the caller's user namespace */
	union {
		struct ipcdev_queue_stat queue;
		struct ipcdev_pipe_stat pipe;
		struct ipcdev_event_stat event;
		struct ipcdev_shm_stat shm;
		uint64_t reserved[32];
	} u;
};

/*
 * ipc_stat - the state of a handle, whatever its kind (see ipc_stat(3)).
 * @fd:   a handle: a queue, a pipe end, an event or a segment (a.fd).
 * @st:   receives the state; the caller's struct ipc_stat.
 * @size: sizeof(*st) as the caller knows it; at least the common part
 *        (offsetof(struct ipc_stat, u)).  Bytes past what this library
 *        fills are zeroed.
 *
 * Returns 0, or -EINVAL (@size too small), -EFAULT (@st NULL), -EBADF,
 * -ENOTTY (not an ipcdev handle).
 */
int ipc_stat(int fd, struct ipc_stat *st, size_t size);

/*
 * ipc_open - attach to (or create) the named object @name of @kind and
 * return a plain handle (see ipc_open(3)).
 * @kind:  IPC_KIND_*.
 * @end:   pipes: the end, 0 or 1; the other kinds: 0.
 * @flags: O_RDONLY, O_WRONLY or O_RDWR, or'ed with IPC_CREAT, IPC_EXCL, and
 *         the kind's own (IPC_PIPE_DUPLEX, IPC_EVENT_INIT_SET).  A segment
 *         needs a type and a size to be created: IPC_CREAT with
 *         IPC_KIND_SHM is -EINVAL (use ipc_array_open(3)).
 * @mode:  permission bits of an object this call creates (umask applied).
 *
 * The handle is the one the kind's own open returns (O_CLOEXEC); a segment's
 * is not mapped (ipc_array_attach(3) maps it).  Returns it (>= 0), or the
 * errors of ipc_queue_open(3), ipc_pipe_open(3), ipc_event_open(3) or
 * ipc_array_open(3); -EINVAL for an unknown @kind.
 */
int ipc_open(int kind, const char *name, int end, int flags, mode_t mode);

/*
 * ipc_unlink - remove the name @name of @kind (see ipc_unlink(3)); the same
 * as ipc_queue_unlink(), ipc_pipe_unlink(), ... for that kind.
 */
int ipc_unlink(int kind, const char *name);

/* Which fields ipc_setattr() and ipc_fsetattr() change (or'ed). */
#define IPC_SETATTR_MODE	IPCDEV_SETATTR_MODE
#define IPC_SETATTR_UID		IPCDEV_SETATTR_UID
#define IPC_SETATTR_GID		IPCDEV_SETATTR_GID

/*
 * ipc_setattr - change the permission bits, owner or group of the named
 * object @name of @kind; ipc_fsetattr - the same for the object of the
 * handle @fd (see ipc_setattr(3)).
 * @which: IPC_SETATTR_* bits, at least one: the values to set; the others
 *         are ignored.
 * @mode:  new permission bits (at most 0777; no umask).
 * @uid, @gid: new owner and group, in the caller's user namespace.
 *
 * Only the owner or a task with CAP_IPC_OWNER may change them.  Handles
 * already open keep the access they were opened with.
 * Returns 0, or -EPERM, -ENOENT (no such name), -EINVAL (bad @kind, @which
 * or @mode, an id with no mapping), or a bad name's error.
 */
int ipc_setattr(int kind, const char *name, unsigned int which, mode_t mode,
		uid_t uid, gid_t gid);
int ipc_fsetattr(int fd, unsigned int which, mode_t mode, uid_t uid,
		 gid_t gid);

/*
 * ipc_check_name - whether @name is a valid object name (the module's rule:
 * 1 to IPCDEV_NAME_MAX bytes, no '/'), see ipc_check_name(3).
 * Returns 0, -EINVAL (NULL, empty or containing '/') or -ENAMETOOLONG.
 */
int ipc_check_name(const char *name);

/*
 * ipc_typecode_size - bytes per element of a segment typecode (the list
 * IPCDEV_SHM_TYPECODES of <linux/ipcdev.h>); 0 (raw) is 1 byte.
 * ipc_typecodes - every typecode, as a NUL-terminated string ("cbB...").
 * See ipc_typecode_size(3).  Returns the size, or -EINVAL for an unknown
 * typecode.
 */
int ipc_typecode_size(int typecode);
const char *ipc_typecodes(void);

/*
 * ipc_constants - the ABI's and this library's constants by name, for
 * bindings that must not retype them (see ipc_constants(3)): an array
 * ended by an entry whose name is NULL.  Never to be freed.
 */
struct ipc_constant {
	const char *name;	/* the macro's name: "IPC_CREAT", ... */
	uint64_t value;
};

const struct ipc_constant *ipc_constants(void);

#ifdef __cplusplus
}
#endif

#endif /* IPCDEV_H */
