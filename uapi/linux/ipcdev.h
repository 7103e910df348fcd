/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ipcdev: kernel-backed inter-process communication objects as character
 * devices.  This is the one ABI header, shared by the module, libipcdev and
 * the selftests.
 *
 * Layout rules: every structure uses fixed-width fields only, user pointers
 * are carried as __u64, there is no implicit padding, so the layout is the
 * same for 32-bit and 64-bit callers.  Every "reserved" field and every
 * unknown flag bit must be zero, or the call fails with EINVAL; a later
 * version gives them a meaning behind a new flag bit.
 *
 * Devices and objects
 * -------------------
 * A device node is a factory: a file opened on /dev/ipcqueue, /dev/ipcpipe,
 * /dev/ipcshm or /dev/ipcevent (a device descriptor) is never an object.
 * Its ioctls are the kind's OPEN, which makes or finds an object and
 * returns a NEW descriptor for it (an object descriptor, one per call), and
 * the name-level commands IPCDEV_IOC_UNLINK and IPCDEV_IOC_SETATTR (by
 * name).  Every other ioctl on a device descriptor fails with ENOTTY;
 * read() and write() fail with EINVAL, mmap() with ENODEV, poll() reports
 * the default (readable and writable, as for any file without a poll
 * method) and O_ASYNC signals nothing.
 *
 * An object descriptor is its object from birth to close: every operation
 * of the kind works on it at once, and an OPEN ioctl on it fails with
 * ENOTTY.  It inherits the device descriptor's access mode (a device
 * opened O_RDONLY gives read-only objects: the object's mode bits are
 * checked against that access) and its O_NONBLOCK; it is close-on-exec
 * when the OPEN call has IPCDEV_CLOEXEC.  The OPEN ioctl returns the new
 * descriptor (a non-negative number) or -1 with errno set; the device
 * descriptor can be closed at once or kept to open more objects.
 *
 * Anonymous objects live while a descriptor refers to them (share them by
 * fork() or SCM_RIGHTS).  Named objects live in a per-kind namespace and
 * persist with no descriptor open until unlinked (IPCDEV_IOC_UNLINK) or
 * until the module is unloaded.
 *
 * Waiting
 * -------
 * Every call that may wait takes IPCDEV_WAIT_* flags and a deadline:
 *  - no flag: wait as long as needed;
 *  - IPCDEV_WAIT_NONBLOCK: never wait, fail with EAGAIN (O_NONBLOCK on the
 *    file has the same effect);
 *  - IPCDEV_WAIT_DEADLINE: wait until deadline_ns, an absolute time on
 *    CLOCK_MONOTONIC in nanoseconds, then fail with ETIMEDOUT.  Being
 *    absolute, a call restarted after a signal never waits longer.
 * A signal ends a wait with EINTR, or restarts the call if the handler was
 * installed with SA_RESTART; SIGKILL always ends it at once.
 */
#ifndef _UAPI_LINUX_IPCDEV_H
#define _UAPI_LINUX_IPCDEV_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define IPCDEV_IOC_MAGIC	0xB9

/* Longest name, not counting the terminating NUL. */
#define IPCDEV_NAME_MAX		255

/* Flags of the OPEN ioctls (struct ipcdev_queue_open.flags ...). */
#define IPCDEV_CREAT		0x1U		/* create the name if absent */
#define IPCDEV_EXCL		0x2U		/* with CREAT: fail if present */
#define IPCDEV_CLOEXEC		0x8U		/* new descriptors O_CLOEXEC */

/*
 * A limit of a queue or pipe (maxsize, msgsize_max, bytes_max, capacity)
 * that is no bound at all: what is left is the sender's byte quota (the
 * module's user_bytes_max parameter; EDQUOT beyond it).  STAT reports an
 * unbounded limit as this value.
 */
#define IPCDEV_UNLIMITED	(~(__u64)0)

/**
 * struct ipcdev_open_head - how every OPEN argument begins
 * @name:	user pointer to a NUL-terminated name, or 0: anonymous
 * @flags:	IPCDEV_CREAT, IPCDEV_EXCL (named only), IPCDEV_CLOEXEC, and
 *		the kind's own bits
 * @mode:	permission bits (0777 mask) of an object the call creates,
 *		less the caller's umask
 *
 * struct ipcdev_queue_open, ipcdev_pipe_open, ipcdev_shm_open and
 * ipcdev_event_open start with these three fields, which the module checks
 * the same way for every kind.
 */
struct ipcdev_open_head {
	__u64 name;
	__u32 flags;
	__u32 mode;
};

/* Flags of every call that may wait. */
#define IPCDEV_WAIT_NONBLOCK	0x1U		/* never wait: EAGAIN */
#define IPCDEV_WAIT_DEADLINE	0x2U		/* deadline_ns is valid */

/**
 * struct ipcdev_unlink - remove a name (IPCDEV_IOC_UNLINK)
 * @name:	user pointer to the NUL-terminated name
 * @flags:	must be zero
 * @reserved:	must be zero
 *
 * Issued on a device descriptor of the kind whose namespace holds the
 * name, or on any object descriptor of that kind.  The object lives on
 * until its last descriptor is closed.
 * Errors: ENOENT no such name, EPERM caller is neither owner nor has
 * CAP_IPC_OWNER, EINVAL/ENAMETOOLONG/EFAULT bad name.
 */
struct ipcdev_unlink {
	__u64 name;
	__u32 flags;
	__u32 reserved;
};

/* Fields of struct ipcdev_setattr to change. */
#define IPCDEV_SETATTR_MODE	0x1U
#define IPCDEV_SETATTR_UID	0x2U
#define IPCDEV_SETATTR_GID	0x4U

/**
 * struct ipcdev_setattr - change owner, group or mode (IPCDEV_IOC_SETATTR)
 * @name:	user pointer to a name; or 0, on an object descriptor, for
 *		its own object (on a device descriptor: EINVAL)
 * @flags:	IPCDEV_SETATTR_* bits: which of the fields below to set
 *		(at least one)
 * @mode:	new permission bits (0777 mask; no umask)
 * @uid:	new owner, in the caller's user namespace
 * @gid:	new group, in the caller's user namespace
 * @reserved:	must be zero
 *
 * Only the owner or a task with CAP_IPC_OWNER may change them (EPERM).
 * Handles already open keep the access they were opened with.  Quota stays
 * charged to the creator.
 */
struct ipcdev_setattr {
	__u64 name;
	__u32 flags;
	__u32 mode;
	__u32 uid;
	__u32 gid;
	__u64 reserved[2];
};

/**
 * struct ipcdev_msg - one message in or out (PUT/GET, SEND/RECV)
 * @buf:	user pointer to the message (put) or receive buffer (get);
 *		may be 0 when @len is 0
 * @len:	put: the message length.  get: in, the size of @buf; out, the
 *		length of the message received, or on EMSGSIZE the length
 *		of the next message, which stays queued
 * @deadline_ns: absolute CLOCK_MONOTONIC deadline, with IPCDEV_WAIT_DEADLINE
 * @flags:	IPCDEV_WAIT_* flags
 * @reserved:	must be zero
 */
struct ipcdev_msg {
	__u64 buf;
	__u64 len;
	__u64 deadline_ns;
	__u32 flags;
	__u32 reserved;
};

/*
 * Most messages one PUT_MANY/GET_MANY (SEND_MANY/RECV_MANY) call carries:
 * a larger struct ipcdev_msgvec.count fails with EINVAL.
 */
#define IPCDEV_MSGVEC_MAX	64

/**
 * struct ipcdev_msgvec - several messages in or out in one call
 *	(QUEUE_PUT_MANY/GET_MANY, PIPE_SEND_MANY/RECV_MANY), as
 *	sendmmsg(2)/recvmmsg(2) do
 * @msgs:	user pointer to an array of @count struct ipcdev_msg.  Each
 *		element is one whole message, as for PUT/GET: @buf and @len
 *		as there (get: @len is written back, the length received, or
 *		on EMSGSIZE the length of the next message, which stays
 *		queued); its @flags, @deadline_ns and @reserved must be zero
 *		(the wait is the vector's), else EINVAL before anything is
 *		done
 * @count:	elements, 1 to IPCDEV_MSGVEC_MAX (else EINVAL)
 * @flags:	IPCDEV_WAIT_* flags, as struct ipcdev_msg's
 * @deadline_ns: absolute CLOCK_MONOTONIC deadline, with IPCDEV_WAIT_DEADLINE
 * @done:	out: messages transferred, the call's return value when it
 *		succeeds (0 when it fails)
 * @error:	out: 0 when all @count were transferred, else the positive
 *		errno that stopped the batch at element @done (EAGAIN: no
 *		more was ready without waiting)
 * @reserved:	must be zero
 *
 * Blocking: the call waits (per @flags, O_NONBLOCK and the deadline) for
 * the FIRST message only, as a single PUT or GET would; the rest are only
 * what fits (put) or is queued (get) without sleeping.  The elements are
 * taken in order, each whole and atomic as a single call's message, and
 * each fails as the single call would (EMSGSIZE, EFAULT, EDQUOT, ENOMEM,
 * EPIPE...): the batch stops at the first element that fails, which and
 * every later one are not transferred (a put leaves them unsent; a get
 * leaves their messages queued, in order).  Messages of one batch keep
 * their order, between themselves and with other calls of the caller.
 *
 * Return: the number of messages transferred (1 to @count), with @done
 * and @error written back; or -1 with errno set when none was (then
 * nothing changed): the errno the single call gives for the first element,
 * or EFAULT (the vector or its array cannot be read, or, for a get, the
 * lengths or @done and @error cannot be written back: the messages stay
 * queued), EINVAL (as above).  A put checks that @done and @error can be
 * written before it sends anything; the return value is authoritative.
 */
struct ipcdev_msgvec {
	__u64 msgs;
	__u32 count;
	__u32 flags;
	__u64 deadline_ns;
	__u32 done;
	__s32 error;
	__u64 reserved[2];
};

/*
 * Queue: /dev/ipcqueue, multiprocessing.Queue.
 *
 * A FIFO of whole messages shared by any number of producers and consumers.
 * A message is admitted when the queue holds fewer than maxsize messages
 * and either the queue is empty or its bytes plus the message's length fit
 * in bytes_max: a message larger than the capacity is never impossible, it
 * waits for an empty queue.  A queue created with maxsize 0 and bytes_max 0
 * is unbounded, as multiprocessing.Queue() is: a put never waits for room.
 * Whatever the limits, every queued byte is charged to its sender's quota
 * (user_bytes_max) until it is taken: a put beyond the quota fails at once
 * with EDQUOT, never waits, and leaves the queue as it was.  A message
 * longer than msgsize_max is refused with EMSGSIZE; msgsize_max 0 is the
 * module's msgsize_max parameter (16 MiB), and the creator may set any
 * value, IPCDEV_UNLIMITED for messages of any size (up to the quota and the
 * machine's memory: ENOMEM beyond).  A message of any size is one atomic
 * message: a sender killed while putting it leaves nothing behind.  A get
 * whose buffer is smaller than the next message fails with EMSGSIZE,
 * reports the length and leaves the message queued.  Zero-length messages
 * are real messages (they hold no quota).
 */

/**
 * struct ipcdev_queue_open - open a queue (IPCDEV_IOC_QUEUE_OPEN)
 * @name:	user pointer to a NUL-terminated name, or 0 for a new
 *		anonymous queue
 * @flags:	IPCDEV_CREAT, IPCDEV_EXCL (named only), IPCDEV_CLOEXEC
 * @mode:	permission bits (0777 mask) of a queue this call creates, less
 *		the caller's umask; checked like a file's against the
 *		caller's fsuid/fsgid
 * @maxsize:	most messages held; 0 or IPCDEV_UNLIMITED: no count bound;
 *		else at most the msgs_max parameter
 * @msgsize_max: longest message; 0: the module default (msgsize_max param);
 *		IPCDEV_UNLIMITED: none
 * @bytes_max:	capacity in bytes; 0 or IPCDEV_UNLIMITED: no byte bound but
 *		the quota; else at most the bytes_max parameter
 * @reserved:	must be zero
 *
 * The limits apply only when the call creates the queue; attaching to an
 * existing one ignores them (read them back with IPCDEV_IOC_QUEUE_STAT).
 * Returns the new object descriptor.
 * Errors: ENOTTY (issued on an object descriptor), EEXIST (CREAT|EXCL and
 * the name exists), ENOENT (no CREAT and no such name), EACCES (mode bits
 * refuse the access the device descriptor was opened for), EINVAL (bad
 * flags, reserved non-zero, limits above the module ceilings, empty name
 * or one containing '/'), ENAMETOOLONG, EFAULT, ENOMEM, ENOSPC (too many
 * named objects), EMFILE/ENFILE (no descriptor).
 */
struct ipcdev_queue_open {
	__u64 name;
	__u32 flags;
	__u32 mode;
	__u64 maxsize;
	__u64 msgsize_max;
	__u64 bytes_max;
	__u64 reserved[3];
};

/**
 * struct ipcdev_queue_stat - state of a queue (IPCDEV_IOC_QUEUE_STAT)
 * @count:	messages queued (qsize)
 * @bytes:	bytes queued
 * @maxsize:	most messages; IPCDEV_UNLIMITED when created with 0
 * @msgsize_max: longest message accepted; IPCDEV_UNLIMITED: any
 * @bytes_max:	capacity in bytes; IPCDEV_UNLIMITED when created with 0
 * @getters:	tasks blocked in get
 * @putters:	tasks blocked in put
 * @id:		object id (unique while the module is loaded)
 * @mode:	permission bits
 * @uid:	owner (in the caller's user namespace)
 * @gid:	group (in the caller's user namespace)
 * @flags:	IPCDEV_STAT_* bits
 * @full:	1 when a zero-length put would wait
 * @reserved:	zero
 */
struct ipcdev_queue_stat {
	__u64 count;
	__u64 bytes;
	__u64 maxsize;
	__u64 msgsize_max;
	__u64 bytes_max;
	__u32 getters;
	__u32 putters;
	__u32 id;
	__u32 mode;
	__u32 uid;
	__u32 gid;
	__u32 flags;
	__u32 full;
	__u64 reserved[4];
};

#define IPCDEV_STAT_NAMED	0x1U		/* object has (or had) a name */
#define IPCDEV_STAT_UNLINKED	0x2U		/* the name was removed */

/*
 * Pipe: /dev/ipcpipe, multiprocessing.Pipe(duplex).
 *
 * A pair of ends.  Duplex: both ends send and receive, one channel per
 * direction.  One-way: end 0 only receives, end 1 only sends; the wrong
 * direction fails with EBADF.  One recv returns exactly one send; a
 * zero-length message is a message.  Each direction holds up to capacity
 * bytes and msgs_max messages; a message longer than the capacity waits
 * until the direction is empty and then goes through.  A message longer
 * than the pipe's msgsize_max fails with EMSGSIZE; the creator may set
 * IPCDEV_UNLIMITED for messages of any size.  As on a queue, queued bytes
 * are charged to their sender's quota (EDQUOT at once beyond it), and a
 * message of any size is one atomic message.
 *
 * When every handle on the peer end is closed (across fork and SCM_RIGHTS
 * copies), recv returns what is queued and then fails with EPIPE (end of
 * file; read() returns 0), send fails with EPIPE (write() also raises
 * SIGPIPE, as on a pipe; the SEND ioctl does not), sleepers on either side
 * wake at once and poll reports POLLHUP.  For a named pipe, an end that was
 * never attached is not "gone": its peer waits for it; attaching a gone end
 * again revives the pipe, as a new writer revives a FIFO.
 */

/*
 * Flag of struct ipcdev_pipe_open, beside IPCDEV_CREAT, IPCDEV_EXCL and
 * IPCDEV_CLOEXEC; struct ipcdev_pipe_stat reports it too.
 */
#define IPCDEV_PIPE_DUPLEX	0x4U		/* both ends send and receive */
#define IPCDEV_PIPE_CLOEXEC	IPCDEV_CLOEXEC	/* old name of IPCDEV_CLOEXEC */

/**
 * struct ipcdev_pipe_open - open a pipe end (IPCDEV_IOC_PIPE_OPEN)
 * @name:	0: make a new anonymous pair: the call returns the
 *		descriptor of end 0 and @fd that of end 1.  Else a user
 *		pointer to a NUL-terminated name: the call returns a
 *		descriptor of end @end of that named pipe (IPCDEV_CREAT,
 *		IPCDEV_EXCL as for queues)
 * @flags:	IPCDEV_CREAT, IPCDEV_EXCL, IPCDEV_PIPE_DUPLEX (at creation),
 *		IPCDEV_CLOEXEC (every descriptor the call makes)
 * @mode:	permission bits of a pipe this call creates
 * @capacity:	bytes per direction; 0: the bytes_default parameter;
 *		IPCDEV_UNLIMITED: no bound but the quota; else at most
 *		the bytes_max parameter
 * @end:	named: 0 or 1.  Anonymous: must be 0
 * @fd:		out, anonymous: the descriptor of end 1 (ignored on input)
 * @msgsize_max: longest message; 0: the msgsize_max parameter;
 *		IPCDEV_UNLIMITED: none (kernels before it: reserved, so
 *		EINVAL when not 0)
 * @reserved:	must be zero
 *
 * Errors: as struct ipcdev_queue_open; EINVAL for an anonymous pair with
 * @end not 0.
 */
struct ipcdev_pipe_open {
	__u64 name;
	__u32 flags;
	__u32 mode;
	__u64 capacity;
	__u32 end;
	__s32 fd;
	__u64 msgsize_max;
	__u64 reserved[1];
};

/**
 * struct ipcdev_pipe_stat - state of a pipe end (IPCDEV_IOC_PIPE_STAT)
 * @end:	0 or 1
 * @flags:	IPCDEV_STAT_NAMED, IPCDEV_STAT_UNLINKED, IPCDEV_PIPE_DUPLEX,
 *		IPCDEV_PIPE_STAT_HUP
 * @in_count:	messages waiting for this end
 * @in_bytes:	their bytes
 * @out_count:	messages this end sent that the peer has not received
 * @out_bytes:	their bytes
 * @capacity:	bytes per direction (IPCDEV_UNLIMITED: no bound)
 * @msgsize_max: longest message (IPCDEV_UNLIMITED: any)
 * @handles:	open files on end 0 and end 1
 * @id:		object id
 * @mode:	permission bits
 * @uid:	owner
 * @gid:	group
 * @receivers:	tasks blocked in recv on this end
 * @senders:	tasks blocked in send on this end
 * @reserved:	zero
 */
struct ipcdev_pipe_stat {
	__u32 end;
	__u32 flags;
	__u64 in_count;
	__u64 in_bytes;
	__u64 out_count;
	__u64 out_bytes;
	__u64 capacity;
	__u64 msgsize_max;
	__u32 handles[2];
	__u32 id;
	__u32 mode;
	__u32 uid;
	__u32 gid;
	__u32 receivers;
	__u32 senders;
	__u64 reserved[2];
};

#define IPCDEV_PIPE_STAT_HUP	0x10U		/* the peer end is gone */

/*
 * Event: /dev/ipcevent, multiprocessing.Event.
 *
 * A flag.  SET raises it and wakes every waiter; CLEAR lowers it; WAIT
 * returns at once while it is raised, else sleeps until the next SET.  A
 * waiter is released by the SET itself, not by finding the flag raised
 * later, so a SET followed at once by a CLEAR still releases everyone who
 * was waiting.  poll reports POLLIN while the flag is raised; O_ASYNC
 * handles get a signal at each SET.
 */

/* Flags of struct ipcdev_event_open, beside IPCDEV_CREAT and IPCDEV_EXCL. */
#define IPCDEV_EVENT_INIT_SET	0x10U		/* a new event starts raised */

/*
 * Flag of struct ipcdev_event_wait, beside IPCDEV_WAIT_*: a wait that
 * succeeds also lowers the flag, in the same step (an auto-reset event:
 * one round of a hand-off is SET by one side, WAIT_CLEAR by the other).
 * Every waiter released by the same SET still returns 0.  Needs a handle
 * opened for writing (EBADF).
 */
#define IPCDEV_EVENT_WAIT_CLEAR	0x100U

/**
 * struct ipcdev_event_open - open an event (IPCDEV_IOC_EVENT_OPEN)
 * @name:	0: a new anonymous event; else a user pointer to a name
 * @flags:	IPCDEV_CREAT, IPCDEV_EXCL (named), IPCDEV_EVENT_INIT_SET,
 *		IPCDEV_CLOEXEC
 * @mode:	permission bits of an event this call creates (umask applied)
 * @reserved:	must be zero
 *
 * Access: waiting needs read access, SET and CLEAR need write access.
 * Errors: as struct ipcdev_queue_open.
 */
struct ipcdev_event_open {
	__u64 name;
	__u32 flags;
	__u32 mode;
	__u64 reserved[2];
};

/**
 * struct ipcdev_event_wait - wait for an event (IPCDEV_IOC_EVENT_WAIT)
 * @deadline_ns: absolute CLOCK_MONOTONIC deadline, with IPCDEV_WAIT_DEADLINE
 * @flags:	IPCDEV_WAIT_* flags, IPCDEV_EVENT_WAIT_CLEAR
 * @reserved:	must be zero
 *
 * Returns 0 when the flag was raised on entry or a SET happened while
 * waiting (multiprocessing's True); ETIMEDOUT when the deadline passed and
 * EAGAIN under IPCDEV_WAIT_NONBLOCK when it is lowered (False).
 */
struct ipcdev_event_wait {
	__u64 deadline_ns;
	__u32 flags;
	__u32 reserved;
};

/**
 * struct ipcdev_event_stat - state of an event (IPCDEV_IOC_EVENT_STAT)
 * @set:	1 while the flag is raised (is_set)
 * @waiters:	tasks sleeping in WAIT
 * @sets:	SET calls that raised the flag since creation
 * @id:		object id
 * @mode:	permission bits
 * @uid:	owner
 * @gid:	group
 * @flags:	IPCDEV_STAT_NAMED, IPCDEV_STAT_UNLINKED
 * @reserved:	zero
 */
struct ipcdev_event_stat {
	__u32 set;
	__u32 waiters;
	__u64 sets;
	__u32 id;
	__u32 mode;
	__u32 uid;
	__u32 gid;
	__u32 flags;
	__u32 reserved0;
	__u64 reserved[2];
};

/*
 * Shared memory: /dev/ipcshm, multiprocessing.Value and Array.
 *
 * A segment of fixed size, optionally typed: a multiprocessing typecode and
 * an element count, fixed at creation and readable by anyone who attaches.
 * The memory is a shmem file, as for memfd: zero-filled, mapped with
 * mmap(MAP_SHARED) by any number of processes (every store is seen by all;
 * futex-based process-shared mutexes inside it work), MAP_PRIVATE mappings
 * are copy-on-write.  A mapping may not extend past the segment (EINVAL);
 * a writable shared mapping needs a handle opened for writing (EACCES);
 * touching beyond the last page (after mremap) raises SIGBUS.  A mapping
 * outlives its handle; the memory goes with the last mapping and handle.
 *
 * pread/pwrite (and READ/WRITE ioctls) access it without mmap, bounds-
 * checked: a write at or past the end fails with ENOSPC, one that crosses
 * it is cut short.  Each write through these paths, and each PUBLISH, bumps
 * the change counter; WAIT_CHANGE sleeps until it moves past a value seen,
 * and poll reports POLLIN while it differs from the last value this handle
 * saw (set by WAIT_CHANGE, READ and STAT).
 *
 * The lock is multiprocessing's get_lock(): owned by a process; LOCK, LOCK
 * with IPCDEV_WAIT_NONBLOCK (trylock: EAGAIN), LOCK with a deadline
 * (ETIMEDOUT), UNLOCK (EPERM unless the caller's process holds it).  Not
 * recursive: LOCK by the holder fails with EDEADLK.  When the holding
 * process dies, the next LOCK gets the lock and fails with EOWNERDEAD (the
 * caller holds the lock then, as with a robust pthread mutex).  LOCK,
 * UNLOCK and LOCKER take a handle of any access mode: a reader takes the
 * lock to read consistently (the lock page's writable mapping needs write
 * access, which mmap() checks); PUBLISH and WRITE need write access, READ
 * read access.  An ioctl checks the access it needs before its argument.
 *
 * The lock is a word in a page of its own, which a process may map to lock
 * and unlock without entering the kernel, as a futex-based mutex does (see
 * struct ipcdev_shm_locker).  LOCK and UNLOCK work on the same word, with or
 * without a mapping of it.
 */

/* Typecodes of struct ipcdev_shm_open.type, as multiprocessing's. */
#define IPCDEV_SHM_RAW		0	/* bytes, no type */
/*
 * The other typecodes and their element sizes: IPCDEV_SHM_TYPECODES at the
 * end of this header, the one table ('l' and 'L' are 64-bit on every
 * caller, so 32-bit and 64-bit processes agree).
 */

/**
 * struct ipcdev_shm_open - open a segment (IPCDEV_IOC_SHM_OPEN)
 * @name:	0: a new anonymous segment; else a user pointer to a name
 * @flags:	IPCDEV_CREAT, IPCDEV_EXCL (named), IPCDEV_CLOEXEC
 * @mode:	permission bits of a segment this call creates (umask applied)
 * @type:	a typecode character, or IPCDEV_SHM_RAW
 * @reserved0:	must be zero
 * @count:	typed: the number of elements (at least 1)
 * @size:	raw: the size in bytes (at least 1); typed: 0 or exactly
 *		count times the element size
 * @reserved:	must be zero
 *
 * Creation only: attaching to an existing segment ignores @type, @count and
 * @size (read them with IPCDEV_IOC_SHM_STAT).
 * Errors: as struct ipcdev_queue_open; EINVAL for an unknown type, a zero
 * size, or a size above the shm_max parameter; EOVERFLOW when count times
 * the element size overflows.
 */
struct ipcdev_shm_open {
	__u64 name;
	__u32 flags;
	__u32 mode;
	__u32 type;
	__u32 reserved0;
	__u64 count;
	__u64 size;
	__u64 reserved[2];
};

/**
 * struct ipcdev_shm_stat - state of a segment (IPCDEV_IOC_SHM_STAT)
 * @size:	bytes
 * @count:	elements (size for raw segments)
 * @type:	typecode or IPCDEV_SHM_RAW
 * @elem_size:	bytes per element (1 for raw)
 * @seq:	the change counter
 * @mappings:	live mappings of the segment
 * @lock_owner:	pid (in the caller's namespace) of the lock holder, 0 if
 *		free or if the holder is outside the caller's namespace
 * @lock_waiters: tasks waiting for the lock
 * @change_waiters: tasks in WAIT_CHANGE
 * @id:		object id
 * @mode:	permission bits
 * @uid:	owner
 * @gid:	group
 * @flags:	IPCDEV_STAT_NAMED, IPCDEV_STAT_UNLINKED
 * @reserved0:	zero
 * @reserved:	zero
 */
struct ipcdev_shm_stat {
	__u64 size;
	__u64 count;
	__u32 type;
	__u32 elem_size;
	__u64 seq;
	__u32 mappings;
	__s32 lock_owner;
	__u32 lock_waiters;
	__u32 change_waiters;
	__u32 id;
	__u32 mode;
	__u32 uid;
	__u32 gid;
	__u32 flags;
	__u32 reserved0;
	__u64 reserved[2];
};

/**
 * struct ipcdev_shm_lock - take the lock (IPCDEV_IOC_SHM_LOCK)
 * @deadline_ns: absolute CLOCK_MONOTONIC deadline, with IPCDEV_WAIT_DEADLINE
 * @flags:	IPCDEV_WAIT_* flags (NONBLOCK: trylock)
 * @reserved:	must be zero
 */
struct ipcdev_shm_lock {
	__u64 deadline_ns;
	__u32 flags;
	__u32 reserved;
};

/**
 * struct ipcdev_shm_change - wait for a change (IPCDEV_IOC_SHM_WAIT_CHANGE)
 * @seen:	the counter value the caller has seen
 * @deadline_ns: absolute CLOCK_MONOTONIC deadline, with IPCDEV_WAIT_DEADLINE
 * @flags:	IPCDEV_WAIT_* flags
 * @reserved:	must be zero
 * @seq:	out: the counter when the call returned (also on ETIMEDOUT
 *		and EAGAIN)
 */
struct ipcdev_shm_change {
	__u64 seen;
	__u64 deadline_ns;
	__u32 flags;
	__u32 reserved;
	__u64 seq;
};

/**
 * struct ipcdev_shm_io - read or write without mmap (IPCDEV_IOC_SHM_READ/WRITE)
 * @buf:	user pointer
 * @len:	bytes; @offset + @len must not pass the end (EINVAL)
 * @offset:	byte offset in the segment
 * @seq:	out: the change counter after the write, or the one the
 *		snapshot belongs to
 * @flags:	must be zero
 * @reserved:	must be zero
 *
 * Reads and writes through this path (and pread/pwrite) are serialised, so
 * a READ never sees half of a WRITE: a READ of the whole segment is a
 * consistent snapshot with respect to writers that use this path.  Stores
 * through a mapping are not serialised: writers that store through a
 * mapping should hold the lock, as with multiprocessing's Value.
 */
struct ipcdev_shm_io {
	__u64 buf;
	__u64 len;
	__u64 offset;
	__u64 seq;
	__u32 flags;
	__u32 reserved;
};

/**
 * struct ipcdev_shm_locker - the lock word's fast path (IPCDEV_IOC_SHM_LOCKER)
 * @flags:	must be zero
 * @id:		out: the calling process's locker id in this segment, the
 *		same for all its threads and handles of the segment
 * @offset:	out: the mmap() offset of the lock page,
 *		IPCDEV_SHM_LOCK_OFFSET
 * @reserved:	must be zero
 *
 * The first __u32 of the lock page is the lock word: 0 when free; a locker
 * id (IPCDEV_SHM_LOCK_ID_MASK bits) while that process holds the lock,
 * or'ed with IPCDEV_SHM_LOCK_WAITERS once a task sleeps in LOCK; or
 * IPCDEV_SHM_LOCK_DIED, free after its holder died.  Map the page with
 * mmap(NULL, page size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, @offset)
 * (a writable mapping needs a handle opened for writing: EACCES; other
 * offsets, sizes and private mappings: EINVAL).  Then:
 *  - lock: compare-and-swap 0 to @id (acquire); if the word was anything
 *    else, call LOCK, which sleeps, reports EDEADLK or EOWNERDEAD, and
 *    takes the lock for the process;
 *  - unlock: compare-and-swap @id to 0 (release); if the word was anything
 *    else, call UNLOCK, which wakes a waiter or fails with EPERM.
 * An id belongs to a process: a child made by fork() has its own and must
 * ask for it.  A 32-bit caller needs a 64-bit off_t (mmap64(), or
 * _FILE_OFFSET_BITS=64) to reach @offset.  The module never trusts the
 * word: an id it did not give out, or one of a process that has exited, is
 * a dead holder.
 */
struct ipcdev_shm_locker {
	__u32 flags;
	__u32 id;
	__u64 offset;
	__u64 reserved[2];
};

#define IPCDEV_SHM_LOCK_ID_MASK	0x3fffffffU	/* the holder's locker id */
#define IPCDEV_SHM_LOCK_DIED	0x40000000U	/* free; the holder died */
#define IPCDEV_SHM_LOCK_WAITERS	0x80000000U	/* held; a task sleeps in LOCK */
#define IPCDEV_SHM_LOCK_OFFSET	0x10000000000ULL /* mmap() offset: 1 TiB */

/*
 * Common to every device.  OPEN (one per kind) is a device descriptor's
 * only other command; every command below the OPEN of its kind is an
 * object descriptor's.  A sender (PUT, SEND) reads its struct ipcdev_msg,
 * a receiver (GET, RECV) writes @len back: _IOW and _IOWR.  The batch
 * calls (PUT_MANY ... RECV_MANY) write @done and @error back: _IOWR.
 */
#define IPCDEV_IOC_UNLINK	_IOW(IPCDEV_IOC_MAGIC, 0x01, struct ipcdev_unlink)
#define IPCDEV_IOC_SETATTR	_IOW(IPCDEV_IOC_MAGIC, 0x02, struct ipcdev_setattr)

/* Queue device. */
#define IPCDEV_IOC_QUEUE_OPEN	_IOW(IPCDEV_IOC_MAGIC, 0x10, struct ipcdev_queue_open)
#define IPCDEV_IOC_QUEUE_PUT	_IOW(IPCDEV_IOC_MAGIC, 0x11, struct ipcdev_msg)
#define IPCDEV_IOC_QUEUE_GET	_IOWR(IPCDEV_IOC_MAGIC, 0x12, struct ipcdev_msg)
#define IPCDEV_IOC_QUEUE_STAT	_IOR(IPCDEV_IOC_MAGIC, 0x13, struct ipcdev_queue_stat)
#define IPCDEV_IOC_QUEUE_PUT_MANY _IOWR(IPCDEV_IOC_MAGIC, 0x14, struct ipcdev_msgvec)
#define IPCDEV_IOC_QUEUE_GET_MANY _IOWR(IPCDEV_IOC_MAGIC, 0x15, struct ipcdev_msgvec)

/* Pipe device. */
#define IPCDEV_IOC_PIPE_OPEN	_IOWR(IPCDEV_IOC_MAGIC, 0x20, struct ipcdev_pipe_open)
#define IPCDEV_IOC_PIPE_SEND	_IOW(IPCDEV_IOC_MAGIC, 0x21, struct ipcdev_msg)
#define IPCDEV_IOC_PIPE_RECV	_IOWR(IPCDEV_IOC_MAGIC, 0x22, struct ipcdev_msg)
#define IPCDEV_IOC_PIPE_STAT	_IOR(IPCDEV_IOC_MAGIC, 0x23, struct ipcdev_pipe_stat)
#define IPCDEV_IOC_PIPE_SEND_MANY _IOWR(IPCDEV_IOC_MAGIC, 0x24, struct ipcdev_msgvec)
#define IPCDEV_IOC_PIPE_RECV_MANY _IOWR(IPCDEV_IOC_MAGIC, 0x25, struct ipcdev_msgvec)

/* Shared memory device.  UNLOCK and PUBLISH take no argument: it must be 0. */
#define IPCDEV_IOC_SHM_OPEN	_IOW(IPCDEV_IOC_MAGIC, 0x30, struct ipcdev_shm_open)
#define IPCDEV_IOC_SHM_STAT	_IOR(IPCDEV_IOC_MAGIC, 0x31, struct ipcdev_shm_stat)
#define IPCDEV_IOC_SHM_LOCK	_IOW(IPCDEV_IOC_MAGIC, 0x32, struct ipcdev_shm_lock)
#define IPCDEV_IOC_SHM_UNLOCK	_IO(IPCDEV_IOC_MAGIC, 0x33)
#define IPCDEV_IOC_SHM_PUBLISH	_IO(IPCDEV_IOC_MAGIC, 0x34)
#define IPCDEV_IOC_SHM_WAIT_CHANGE _IOWR(IPCDEV_IOC_MAGIC, 0x35, struct ipcdev_shm_change)
#define IPCDEV_IOC_SHM_READ	_IOWR(IPCDEV_IOC_MAGIC, 0x36, struct ipcdev_shm_io)
#define IPCDEV_IOC_SHM_WRITE	_IOWR(IPCDEV_IOC_MAGIC, 0x37, struct ipcdev_shm_io)
#define IPCDEV_IOC_SHM_LOCKER	_IOWR(IPCDEV_IOC_MAGIC, 0x38, struct ipcdev_shm_locker)

/* Event device.  SET and CLEAR take no argument: it must be 0. */
#define IPCDEV_IOC_EVENT_OPEN	_IOW(IPCDEV_IOC_MAGIC, 0x40, struct ipcdev_event_open)
#define IPCDEV_IOC_EVENT_SET	_IO(IPCDEV_IOC_MAGIC, 0x41)
#define IPCDEV_IOC_EVENT_CLEAR	_IO(IPCDEV_IOC_MAGIC, 0x42)
#define IPCDEV_IOC_EVENT_WAIT	_IOW(IPCDEV_IOC_MAGIC, 0x43, struct ipcdev_event_wait)
#define IPCDEV_IOC_EVENT_STAT	_IOR(IPCDEV_IOC_MAGIC, 0x44, struct ipcdev_event_stat)

/*
 * ABI facts as data, kept once, here, for every user of this header (the
 * module, libipcdev, ipcctl, the fuzzer; the Python package reads them from
 * libipcdev at import: ipc_typecode_size(3), ipc_constants(3)).
 *
 * IPCDEV_SHM_TYPECODES: each typecode that struct ipcdev_shm_open.type
 * accepts besides IPCDEV_SHM_RAW, as multiprocessing's, followed by its
 * element size in bytes as one digit.  'l' and 'L' are 8 bytes for every
 * caller, so that 32-bit and 64-bit processes agree.
 */
#define IPCDEV_SHM_TYPECODES	"c1b1B1h2H2i4I4f4l8L8q8Q8d8"

/*
 * ipcdev_shm_elem_size() - bytes per element of the typecode @type
 * (IPCDEV_SHM_RAW: 1), or 0 if @type is not one.  Under a guard of its
 * own: it holds no layout, and a reader that includes this header twice,
 * for another ABI's layout (selftests/abi_test.c), must define it once.
 */
#ifndef _UAPI_LINUX_IPCDEV_ELEM_SIZE
#define _UAPI_LINUX_IPCDEV_ELEM_SIZE
static inline unsigned int ipcdev_shm_elem_size(__u32 type)
{
	const char *p;

	if (type == IPCDEV_SHM_RAW)
		return 1;
	for (p = IPCDEV_SHM_TYPECODES; p[0] && p[1]; p += 2)
		if ((unsigned char)p[0] == type)
			return (unsigned int)(p[1] - '0');
	return 0;
}
#endif

#endif /* _UAPI_LINUX_IPCDEV_H */
