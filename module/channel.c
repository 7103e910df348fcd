// SPDX-License-Identifier: GPL-2.0
/*
 * The message-channel core: a FIFO of whole messages with blocking,
 * non-blocking and timed put and get.  A queue is one channel; a pipe is
 * one channel per direction.
 *
 * Locking: ch->lock (a mutex) guards the message list and the counters.
 * A message is charged, allocated and filled from user space before the
 * lock is taken; a get copies a small message out under the lock, so a get
 * that faults leaves the message where it was, and takes a large one (above
 * IPC_MSG_PAGES_MIN) off the list first, copies it without the lock, and
 * puts it back at the head if the copy fails.  Sleepers use exclusive waits
 * on getq and putq (ipcdev_wait_locked()), so each new message wakes one
 * getter and each freed room one putter, served in arrival order; poll uses
 * the separate pollq.  A put into an empty channel hands its message
 * directly to the first sleeping getter whose buffer holds it; that getter
 * copies it out without ch->lock, and puts it back at the head if the copy
 * faults.  A message copied out without the lock is in flight: off the
 * list, but it keeps its room (ch->inflight) until the getter has it, so
 * that no putter takes its place and putting it back never makes the
 * channel hold more than maxsize messages or bytes_max bytes; delivered,
 * it gives its room back without the lock (ipc_chan_delivered()).  The core
 * touches no user memory but the message data: a get that must still
 * store something after the copy (the GET ioctl's length, stored by its
 * edge, ipcdev_get_ioctl()) asks for the copied message to stay in flight
 * and settles it with ipc_chan_get_end().
 */
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/uio.h>
#include "channel.h"
#include "handle.h"
#include "msg.h"

/* A finite limit must be within its module ceiling; IPCDEV_UNLIMITED is. */
static bool ipc_limit_ok(u64 val, unsigned long param, unsigned long hard)
{
	return val == IPCDEV_UNLIMITED || val <= ipcdev_limit(param, hard);
}

/**
 * ipc_chan_limits_resolve() - apply defaults and check against the ceilings
 * @lim:	limits from user space, 0 meaning "default"; resolved in place
 * @bounded:	the defaults of a pipe direction (maxsize 0: msgs_max,
 *		bytes_max 0: bytes_default), else those of a queue, which
 *		multiprocessing.Queue() makes unbounded (maxsize 0 and
 *		bytes_max 0: no bound, IPCDEV_UNLIMITED)
 *
 * msgsize_max 0 is the msgsize_max parameter; a creator may set any other
 * value, IPCDEV_UNLIMITED included: the sender's byte quota bounds the
 * memory a message holds.  A finite maxsize or bytes_max must be within
 * the msgs_max or bytes_max ceiling; IPCDEV_UNLIMITED always is.
 * Return: 0, or -EINVAL when a finite limit is above its module ceiling.
 */
int ipc_chan_limits_resolve(struct ipc_chan_limits *lim, bool bounded)
{
	unsigned long msgs = READ_ONCE(ipcdev_msgs_max);
	unsigned long bytes = READ_ONCE(ipcdev_bytes_max);

	if (!ipc_limit_ok(lim->maxsize, msgs, IPCDEV_MSGS_HARD_MAX) ||
	    !ipc_limit_ok(lim->bytes_max, bytes, IPCDEV_BYTES_HARD_MAX))
		return -EINVAL;
	if (!lim->maxsize)
		lim->maxsize = bounded ? ipcdev_limit(msgs, IPCDEV_MSGS_HARD_MAX)
				       : IPCDEV_UNLIMITED;
	if (!lim->msgsize_max)
		lim->msgsize_max = READ_ONCE(ipcdev_msgsize_max);
	if (!lim->bytes_max && bounded)
		lim->bytes_max = min_t(u64, READ_ONCE(ipcdev_bytes_default),
				       ipcdev_limit(bytes,
						    IPCDEV_BYTES_HARD_MAX));
	if (!lim->bytes_max)
		lim->bytes_max = bounded ? 1 : IPCDEV_UNLIMITED;
	if (!lim->maxsize)
		lim->maxsize = 1;
	if (!lim->msgsize_max)
		lim->msgsize_max = IPCDEV_UNLIMITED;
	return 0;
}

/**
 * ipc_chan_init() - set up an empty channel
 * @ch:		the channel
 * @lim:	resolved limits (ipc_chan_limits_resolve())
 */
void ipc_chan_init(struct ipc_chan *ch, const struct ipc_chan_limits *lim)
{
	mutex_init(&ch->lock);
	INIT_LIST_HEAD(&ch->msgs);
	ch->count = 0;
	ch->bytes = 0;
	atomic_set(&ch->inflight, 0);
	atomic64_set(&ch->inflight_bytes, 0);
	atomic_set(&ch->getters, 0);
	atomic_set(&ch->putters, 0);
	ch->maxsize = lim->maxsize;
	ch->msgsize_max = lim->msgsize_max;
	ch->bytes_max = lim->bytes_max;
	init_waitqueue_head(&ch->getq);
	init_waitqueue_head(&ch->putq);
	init_waitqueue_head(&ch->pollq);
	ch->fasync_in = NULL;
	ch->fasync_out = NULL;
	ch->spare = NULL;
	ch->no_getters = false;
	ch->no_putters = false;
}

/**
 * ipc_chan_destroy() - free every queued message
 * @ch:		a channel nobody else can reach any more
 */
void ipc_chan_destroy(struct ipc_chan *ch)
{
	struct ipc_msg *msg, *tmp;

	list_for_each_entry_safe(msg, tmp, &ch->msgs, link) {
		atomic_long_sub(msg->len, &ipcdev_nr_bytes);
		ipc_msg_free(msg);
	}
	INIT_LIST_HEAD(&ch->msgs);
	ipc_msg_drop_spare(&ch->spare);
	mutex_destroy(&ch->lock);
}

/*
 * Would a message of @len bytes be admitted now?  An empty channel takes any
 * message up to msgsize_max, so a message larger than the capacity waits
 * for the channel to drain instead of being refused.  IPCDEV_UNLIMITED
 * (maxsize, bytes_max) is no bound: only the sender's quota is.  Messages
 * in flight to a getter hold their room: a failed copy puts them back.
 */
static bool ipc_chan_fits(const struct ipc_chan *ch, u64 len)
{
	u64 count = READ_ONCE(ch->count) + atomic_read(&ch->inflight);
	u64 bytes = READ_ONCE(ch->bytes) + atomic64_read(&ch->inflight_bytes);

	if (count >= ch->maxsize)
		return false;
	return !count || ch->bytes_max == IPCDEV_UNLIMITED ||
	       bytes + len <= ch->bytes_max;
}

bool ipc_chan_full(struct ipc_chan *ch)
{
	return !ipc_chan_fits(ch, 0);
}

/* A put's wait condition: room for @len bytes. */
struct ipc_chan_cond {
	struct ipc_chan *ch;
	u64 len;
};

/*
 * Exclusive wait for @check on @wq; called with ch->lock held, returns with
 * it held but for -EINTR and IPCDEV_WAIT_HANDED (see ipcdev_wait_locked()).
 * Putters check again once counted (IPCDEV_WQ_RECHECK): a delivered
 * message gives its room back without ch->lock (ipc_chan_delivered()).
 * Getters need not: messages are only ever queued under ch->lock.
 */
static __always_inline int
ipc_chan_wait(struct ipc_chan *ch, wait_queue_head_t *wq, atomic_t *nr_waiting,
	      int (*check)(void *), void *arg, const struct ipcdev_wait *w,
	      struct ipcdev_waiter *waiter)
	__must_hold(&ch->lock)
{
	unsigned int how = IPCDEV_WQ_EXCLUSIVE;

	lockdep_assert_held(&ch->lock);
	if (wq == &ch->putq)
		how |= IPCDEV_WQ_RECHECK;
	return ipcdev_wait_locked(wq, &ch->lock, check, arg, w, how,
				  nr_waiting, waiter);
}

/*
 * A getter asleep on an empty channel.  A put hands its message straight
 * to the first one (ipc_chan_hand_over()): the message never enters the
 * list, and the getter copies it out without re-taking ch->lock.
 */
struct ipc_getter {
	struct ipcdev_waiter waiter;
	u64 size;		/* its buffer; a longer message is queued */
	struct ipc_msg *msg;	/* handed over; the getter owns it */
};

static bool ipc_getter_take(struct ipcdev_waiter *waiter, void *arg)
{
	struct ipc_getter *g = container_of(waiter, struct ipc_getter, waiter);
	struct ipc_msg *msg = arg;

	if (msg->len > g->size)
		return false;
	g->msg = msg;
	return true;
}

/*
 * Give @msg to the first sleeping getter, if the channel is empty (so that
 * no older message is overtaken) and its buffer is large enough.  It is
 * counted in flight (it keeps its room, ipc_chan_deliver()) before it is
 * handed: the getter may run, deliver and free it at once, without
 * ch->lock (ipc_chan_delivered()), so @msg is not touched after the hand.
 * Not handed, it is uncounted and then queued: its room is taken either
 * way.
 */
static __always_inline bool ipc_chan_hand_over(struct ipc_chan *ch,
					       struct ipc_msg *msg)
	__must_hold(&ch->lock)
{
	u64 len = msg->len;

	lockdep_assert_held(&ch->lock);
	if (ch->count || !atomic_read(&ch->getters))
		return false;
	atomic_inc(&ch->inflight);
	atomic64_add(len, &ch->inflight_bytes);
	atomic_long_add(len, &ipcdev_nr_bytes);
	if (ipcdev_waiter_hand(&ch->getq, ipc_getter_take, msg))
		return true;
	atomic_long_sub(len, &ipcdev_nr_bytes);
	atomic64_sub(len, &ch->inflight_bytes);
	atomic_dec(&ch->inflight);
	return false;
}

static int ipc_chan_put_check(void *arg)
{
	struct ipc_chan_cond *c = arg;

	lockdep_assert_held(&c->ch->lock);
	if (c->ch->no_getters)
		return -EPIPE;
	return ipc_chan_fits(c->ch, c->len);
}

static int ipc_chan_get_check(void *arg)
{
	struct ipc_chan *ch = arg;

	lockdep_assert_held(&ch->lock);
	if (READ_ONCE(ch->count))
		return 1;
	return ch->no_putters ? -EPIPE : 0;
}

/*
 * Wake one sleeper of @wq, the pollers, and the O_ASYNC handles.  The wait
 * queues are only touched when someone is on them: blocked getters and
 * putters are counted before they check under ch->lock (@nr_waiting),
 * pollers are seen by
 * wq_has_sleeper(), whose barrier pairs with the one after poll_wait().
 */
static __always_inline void
ipc_chan_notify(struct ipc_chan *ch, wait_queue_head_t *wq,
		atomic_t *nr_waiting, struct fasync_struct **fa,
		__poll_t events, int band)
	__must_hold(&ch->lock)
{
	lockdep_assert_held(&ch->lock);
	if (atomic_read(nr_waiting))
		wake_up(wq);
	if (wq_has_sleeper(&ch->pollq))
		wake_up_poll(&ch->pollq, events);
	/* kill_fasync() reads *fa locklessly too; spare the call. */
	if (fa && READ_ONCE(*fa))
		kill_fasync(fa, SIGIO, band);
}

/* Link @msg at the tail (or back at the head) and tell the readers. */
static __always_inline void ipc_chan_enqueue(struct ipc_chan *ch,
					     struct ipc_msg *msg, bool head)
	__must_hold(&ch->lock)
{
	lockdep_assert_held(&ch->lock);
	if (head)
		list_add(&msg->link, &ch->msgs);
	else
		list_add_tail(&msg->link, &ch->msgs);
	WRITE_ONCE(ch->count, ch->count + 1);
	WRITE_ONCE(ch->bytes, ch->bytes + msg->len);
	atomic_long_add(msg->len, &ipcdev_nr_bytes);
	ipc_chan_notify(ch, &ch->getq, &ch->getters, ch->fasync_in,
			EPOLLIN | EPOLLRDNORM, POLL_IN);
}

/*
 * Unlink the oldest message @msg and tell the writers; or, @inflight, keep
 * its room (the getter copies it out without the lock, ipc_chan_deliver()).
 */
static __always_inline void ipc_chan_dequeue(struct ipc_chan *ch,
					     struct ipc_msg *msg, bool inflight)
	__must_hold(&ch->lock)
{
	lockdep_assert_held(&ch->lock);
	list_del(&msg->link);
	WRITE_ONCE(ch->count, ch->count - 1);
	WRITE_ONCE(ch->bytes, ch->bytes - msg->len);
	if (inflight) {
		atomic_inc(&ch->inflight);
		atomic64_add(msg->len, &ch->inflight_bytes);
	} else {
		atomic_long_sub(msg->len, &ipcdev_nr_bytes);
		ipc_chan_notify(ch, &ch->putq, &ch->putters, ch->fasync_out,
				EPOLLOUT | EPOLLWRNORM, POLL_OUT);
	}
	/* A getter that overtook a woken one leaves it a message: wake it. */
	if (atomic_read(&ch->getters) && ch->count)
		wake_up(&ch->getq);
}

static __always_inline int
ipc_chan_put_msg(struct ipc_chan *ch, const void __user *buf,
		 struct iov_iter *from, u64 len, const struct ipcdev_wait *w,
		 struct ipcdev_user **quser)
{
	struct ipc_chan_cond c = { .ch = ch, .len = len };
	struct ipc_msg *msg;
	int ret;

	msg = __ipc_msg_build(&ch->spare, buf, from, len, quser);
	if (IS_ERR(msg))
		return PTR_ERR(msg);

	ret = mutex_lock_killable(&ch->lock);
	if (ret)
		goto out_free;
	ret = ipc_chan_wait(ch, &ch->putq, &ch->putters, ipc_chan_put_check,
			    &c, w, NULL);
	if (ret == -EINTR)
		goto out_free;		/* killed; ch->lock was not re-taken */
	if (ret)
		goto out_unlock;
	if (!ipc_chan_hand_over(ch, msg))
		ipc_chan_enqueue(ch, msg, false);
	/* One get may free room for several smaller messages: pass it on. */
	if (atomic_read(&ch->putters) && ipc_chan_fits(ch, 0))
		wake_up(&ch->putq);
	mutex_unlock(&ch->lock);
	return 0;

out_unlock:
	mutex_unlock(&ch->lock);
out_free:
	ipc_msg_done(&ch->spare, msg);
	return ret;
}

/**
 * __ipc_chan_put() - append one message (ipc_chan_put() out of line)
 * @ch:		the channel
 * @buf:	user memory holding the message, unless @from
 * @from:	NULL, or the iterator holding it (write_iter(): a user
 *		iterator of any number of segments, which are gathered into
 *		one message, or a kernel one)
 * @len:	its length; may be 0
 * @w:		how long to wait for room
 * @quser:	the sending handle's quota cache (ipcdev_charge_msg())
 *
 * The message is charged to the sender's quota and read from user space
 * before anything changes, without ch->lock, so a put that fails (or whose
 * sender is killed) leaves the channel and the quota as they were.  A
 * message above IPC_MSG_PAGES_MIN counts in ipcdev_nr_sending for the
 * whole call (built, or waiting for room).
 * Return: 0, -EMSGSIZE (longer than the channel's msgsize_max), -EFAULT,
 * -ENOMEM (no memory, or longer than the machine's memory), -EDQUOT (the
 * sender's byte quota), -EPIPE (no receiver any more), -EAGAIN,
 * -ETIMEDOUT, -ERESTARTSYS, -EINTR (fatal signal).
 */
static __always_inline int
__ipc_chan_put(struct ipc_chan *ch, const void __user *buf,
	       struct iov_iter *from, u64 len, const struct ipcdev_wait *w,
	       struct ipcdev_user **quser)
{
	bool large = len > IPC_MSG_PAGES_MIN;
	int ret;

	if (len > ch->msgsize_max)
		return -EMSGSIZE;
	if (likely(!large))
		return ipc_chan_put_msg(ch, buf, from, len, w, quser);
	atomic_long_add(len, &ipcdev_nr_sending);
	ret = ipc_chan_put_msg(ch, buf, from, len, w, quser);
	atomic_long_sub(len, &ipcdev_nr_sending);
	return ret;
}

/* The core of write(2); the PUT and SEND ioctls inline it (their edge). */
int ipc_chan_put(struct ipc_chan *ch, const void __user *buf, u64 len,
		 const struct ipcdev_wait *w, struct ipcdev_user **quser)
{
	return __ipc_chan_put(ch, buf, NULL, len, w, quser);
}

/*
 * The core of write_iter(): one message of all the bytes of @from (see
 * __ipc_chan_put()).
 */
int ipc_chan_put_iter(struct ipc_chan *ch, struct iov_iter *from,
		      const struct ipcdev_wait *w, struct ipcdev_user **quser)
{
	return __ipc_chan_put(ch, NULL, from, iov_iter_count(from), w, quser);
}

/* A message in flight gives its room back (and its bytes to the count). */
static __always_inline void ipc_chan_unflight(struct ipc_chan *ch,
					      struct ipc_msg *msg)
{
	atomic64_sub(msg->len, &ch->inflight_bytes);
	atomic_dec(&ch->inflight);
	atomic_long_sub(msg->len, &ipcdev_nr_bytes);
}

/*
 * A message in flight was delivered: its room is free, and the putters,
 * pollers and O_ASYNC handles are told; without ch->lock, so that a get
 * that copied without the lock (a hand-over, a large message, the GET
 * ioctl's held message) takes it only once.  A putter sleeps for room only
 * after it was counted in ch->putters and then checked again
 * (ipcdev_wait_sleep()): so either it sees the room, or we see it counted
 * and wake it under ch->lock, which it holds until it is queued.  Pollers
 * pair with ipc_chan_poll_wait()'s barrier through wq_has_sleeper().
 */
static __always_inline void ipc_chan_delivered(struct ipc_chan *ch,
					       struct ipc_msg *msg)
{
	ipc_chan_unflight(ch, msg);
	/* The room is back before the putters are read. */
	smp_mb__after_atomic();
	if (atomic_read(&ch->putters)) {
		mutex_lock(&ch->lock);
		if (atomic_read(&ch->putters))
			wake_up(&ch->putq);
		mutex_unlock(&ch->lock);
	}
	if (wq_has_sleeper(&ch->pollq))
		wake_up_poll(&ch->pollq, EPOLLOUT | EPOLLWRNORM);
	if (ch->fasync_out && READ_ONCE(*ch->fasync_out))
		kill_fasync(ch->fasync_out, SIGIO, POLL_OUT);
}

/**
 * ipc_chan_get_end() - finish a get that kept its message (@held)
 * @ch:		the channel
 * @msg:	the message ipc_chan_get() left in *@held
 * @err:	0: the caller has finished, the message is gone and its room
 *		freed; else it goes back to the head of the channel, as if
 *		never taken
 *
 * A message put back takes ch->lock with mutex_lock(), not killable: it
 * must not be lost; a delivered one gives its room back without the lock
 * (ipc_chan_delivered()).
 */
static __always_inline void ipc_chan_get_end(struct ipc_chan *ch,
					     struct ipc_msg *msg, int err)
{
	if (!err) {
		ipc_chan_delivered(ch, msg);
		ipc_msg_done(&ch->spare, msg);
		return;
	}
	mutex_lock(&ch->lock);
	ipc_chan_unflight(ch, msg);
	ipc_chan_enqueue(ch, msg, true);
	mutex_unlock(&ch->lock);
}

/*
 * Copy out a message a put handed over (ipc_chan_hand_over()) or a large
 * one taken off the list (ipc_chan_get()), without ch->lock.  If that
 * fails (a fault, or a fatal signal between two chunks of a large one),
 * the message goes back to the head of the channel, as if never taken.
 * Copied, it is settled here, or, @held, left in flight for the caller
 * (ipc_chan_get_end()).
 */
static __always_inline int
ipc_chan_deliver(struct ipc_chan *ch, struct ipc_msg *msg, void __user *buf,
		 struct iov_iter *to, u64 *msglen, struct ipc_msg **held)
{
	int ret = 0;

	*msglen = msg->len;
	if (msg->len)
		ret = ipc_msg_copy_out_any(msg, buf, to);
	if (!ret && held) {
		*held = msg;
		return 0;
	}
	/*
	 * The message kept its room while in flight, so no putter took it:
	 * back at the head, the channel holds no more than its maxsize and
	 * bytes_max.
	 */
	ipc_chan_get_end(ch, msg, ret);
	return ret;
}

/**
 * __ipc_chan_get() - take the oldest message (ipc_chan_get() out of line)
 * @ch:		the channel
 * @buf:	user buffer, unless @to
 * @to:		NULL, or the iterator to copy the message to (read_iter():
 *		a user iterator of any number of segments, which the
 *		message is scattered over, or a kernel one)
 * @size:	the size of @buf, or of @to
 * @w:		how long to wait for a message
 * @msglen:	set to the message's length on success and on -EMSGSIZE
 * @held:	if not NULL, on success the copied message is left in flight
 *		in *@held (off the list, keeping its room) until the caller
 *		calls ipc_chan_get_end(), which frees it or puts it back at
 *		the head: so that the caller can still fail the get (it could
 *		not store the length) with nothing lost
 *
 * The core reads and writes no user memory but @buf (or @to's).  A message above
 * IPC_MSG_PAGES_MIN is taken off the list and copied out without
 * ch->lock, so that a long copy does not hold up the other users of the
 * channel; if the copy fails it goes back to the head.  A smaller one is
 * copied under the lock.
 *
 * Return: 0; -EMSGSIZE when @size is smaller than the next message, which
 * stays queued; -EFAULT, the message stays queued; -EPIPE, empty and no
 * sender any more (end of file); -EAGAIN, -ETIMEDOUT, -ERESTARTSYS;
 * -EINTR (fatal signal), the message stays queued.
 */
static __always_inline int
__ipc_chan_get(struct ipc_chan *ch, void __user *buf, struct iov_iter *to,
	       u64 size, const struct ipcdev_wait *w, u64 *msglen,
	       struct ipc_msg **held)
{
	struct ipc_getter g = { .size = size };
	struct ipc_msg *msg;
	int ret;

	ret = mutex_lock_killable(&ch->lock);
	if (ret)
		return ret;
	ret = ipc_chan_wait(ch, &ch->getq, &ch->getters, ipc_chan_get_check,
			    ch, w, &g.waiter);
	if (ret == IPCDEV_WAIT_HANDED)
		return ipc_chan_deliver(ch, g.msg, buf, to, msglen, held);
	if (ret == -EINTR)
		return ret;		/* killed; ch->lock was not re-taken */
	if (ret)
		goto out_unlock;
	msg = list_first_entry(&ch->msgs, struct ipc_msg, link);
	*msglen = msg->len;
	if (msg->len > size) {
		ret = -EMSGSIZE;
		goto out_pass;
	}
	if (msg->len > IPC_MSG_PAGES_MIN) {
		ipc_chan_dequeue(ch, msg, true);
		mutex_unlock(&ch->lock);
		return ipc_chan_deliver(ch, msg, buf, to, msglen, held);
	}
	if (msg->len && ipc_msg_copy_out_any(msg, buf, to)) {
		ret = -EFAULT;
		goto out_pass;
	}
	/* Held: in flight, its room kept, until ipc_chan_get_end(). */
	ipc_chan_dequeue(ch, msg, !!held);
	mutex_unlock(&ch->lock);
	if (held)
		*held = msg;
	else
		ipc_msg_done(&ch->spare, msg);
	return 0;

out_pass:
	/* The message stays: another getter may take it. */
	if (atomic_read(&ch->getters))
		wake_up(&ch->getq);
out_unlock:
	mutex_unlock(&ch->lock);
	return ret;
}

/* The core of read(2); the GET and RECV ioctls inline it (their edge). */
int ipc_chan_get(struct ipc_chan *ch, void __user *buf, u64 size,
		 const struct ipcdev_wait *w, u64 *msglen,
		 struct ipc_msg **held)
{
	return __ipc_chan_get(ch, buf, NULL, size, w, msglen, held);
}

/*
 * The core of read_iter(): the oldest message, copied to @to, which must
 * hold it all (see __ipc_chan_get()).
 */
int ipc_chan_get_iter(struct ipc_chan *ch, struct iov_iter *to,
		      const struct ipcdev_wait *w, u64 *msglen)
{
	return __ipc_chan_get(ch, NULL, to, iov_iter_count(to), w, msglen,
			      NULL);
}

/*
 * The channel's ioctl edge, here beside its core (ipc/mqueue.c's shape:
 * the system calls and their do_* cores in one file), so that the core
 * inlines into it: the edge copies struct ipcdev_msg in and the length
 * out; the core works on kernel values (and the data buffer).
 */
static __always_inline int ipcdev_msg_in(struct ipcdev_msg *m,
					 struct ipcdev_wait *w,
					 const void __user *uarg,
					 struct file *file)
{
	if (copy_from_user(m, uarg, sizeof(*m)))
		return -EFAULT;
	if (m->reserved)
		return -EINVAL;
	return ipcdev_wait_init(w, file, m->flags, m->deadline_ns);
}

/**
 * ipcdev_put_ioctl() - a PUT or SEND ioctl (struct ipcdev_msg) on a channel
 * @ch:		the channel
 * @uarg:	struct ipcdev_msg in user memory
 * @file:	the handle's file (O_NONBLOCK, the sender's quota)
 * Return: 0 or a negative errno (see ipc_chan_put()), -EFAULT when @uarg
 * cannot be read, -EINVAL for unknown flags or non-zero reserved fields.
 */
long ipcdev_put_ioctl(struct ipc_chan *ch, const void __user *uarg,
		      struct file *file)
{
	struct ipcdev_wait w;
	struct ipcdev_msg m;
	int ret;

	ret = ipcdev_msg_in(&m, &w, uarg, file);
	if (ret)
		return ret;
	return __ipc_chan_put(ch, u64_to_user_ptr(m.buf), NULL, m.len, &w,
			      &ipcdev_handle(file)->quser);
}

/**
 * ipcdev_get_ioctl() - a GET or RECV ioctl (struct ipcdev_msg) on a channel
 * @ch:		the channel
 * @uarg:	struct ipcdev_msg in user memory
 * @file:	the handle's file (O_NONBLOCK)
 *
 * The message length is written back to @uarg->len on success and on
 * -EMSGSIZE.  If @uarg cannot be written, the call fails with -EFAULT and
 * the message stays queued: on -EMSGSIZE it never left the queue; on
 * success the core leaves the copied message in flight (keeping its room)
 * until the length is stored, and ipc_chan_get_end() then frees it or puts
 * it back at the head.
 * Return: 0 or a negative errno (see ipc_chan_get()), -EFAULT, -EINVAL as
 * ipcdev_put_ioctl().
 */
long ipcdev_get_ioctl(struct ipc_chan *ch, void __user *uarg,
		      struct file *file)
{
	struct ipcdev_msg __user *umsg = uarg;
	struct ipc_msg *msg = NULL;
	struct ipcdev_wait w;
	struct ipcdev_msg m;
	u64 len = 0;
	int ret;

	ret = ipcdev_msg_in(&m, &w, uarg, file);
	if (ret)
		return ret;
	ret = __ipc_chan_get(ch, u64_to_user_ptr(m.buf), NULL, m.len, &w, &len,
			     &msg);
	if (ret && ret != -EMSGSIZE)
		return ret;
	if (put_user(len, &umsg->len)) {
		if (!ret)
			ipc_chan_get_end(ch, msg, -EFAULT);
		return -EFAULT;
	}
	if (!ret)
		ipc_chan_get_end(ch, msg, 0);
	return ret;
}

/**
 * ipc_chan_poll_wait() - poll_wait() on a channel
 * @ch:		the channel
 * @file:	the polling file
 * @pt:		the poll table
 *
 * The barrier orders the poller's queueing before its reading of the
 * channel state, against ipc_chan_notify()'s wq_has_sleeper().
 */
void ipc_chan_poll_wait(struct ipc_chan *ch, struct file *file,
			poll_table *pt)
{
	poll_wait(file, &ch->pollq, pt);
	/* Queued before reading the state: pairs with wq_has_sleeper(). */
	smp_mb();
}

/**
 * ipc_chan_poll() - readiness of a channel, for poll/select/epoll
 * @ch:		the channel
 * @file:	the polling file
 * @pt:		the poll table
 * Return: EPOLLIN when a message waits, EPOLLOUT when one more fits.
 */
__poll_t ipc_chan_poll(struct ipc_chan *ch, struct file *file,
		       poll_table *pt)
{
	__poll_t mask = 0;

	ipc_chan_poll_wait(ch, file, pt);
	if (READ_ONCE(ch->count))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (ipc_chan_fits(ch, 0))
		mask |= EPOLLOUT | EPOLLWRNORM;
	return mask;
}

/**
 * ipc_chan_waiters() - how many tasks sleep in get and put
 * @ch:		the channel
 * @getters:	set
 * @putters:	set
 */
void ipc_chan_waiters(struct ipc_chan *ch, u32 *getters, u32 *putters)
{
	*getters = atomic_read(&ch->getters);
	*putters = atomic_read(&ch->putters);
}

/**
 * ipc_chan_hangup() - one side of a channel has gone (or come back)
 * @ch:		the channel
 * @getters_gone: nobody can receive: puts fail with -EPIPE
 * @putters_gone: nobody can send: gets drain, then fail with -EPIPE
 *
 * Wakes every sleeper so that each sees the new state at once.
 */
void ipc_chan_hangup(struct ipc_chan *ch, bool getters_gone,
		     bool putters_gone)
{
	mutex_lock(&ch->lock);
	ch->no_getters = getters_gone;
	ch->no_putters = putters_gone;
	wake_up_all(&ch->getq);
	wake_up_all(&ch->putq);
	wake_up_poll(&ch->pollq, EPOLLHUP | EPOLLIN | EPOLLOUT);
	if (ch->fasync_in && putters_gone)
		kill_fasync(ch->fasync_in, SIGIO, POLL_HUP);
	if (ch->fasync_out && getters_gone)
		kill_fasync(ch->fasync_out, SIGIO, POLL_HUP);
	mutex_unlock(&ch->lock);
}

/**
 * ipc_chan_readable() - does a message wait?  Lockless, for poll.
 * @ch:		the channel
 * Return: true when a get would not wait for a message.
 */
bool ipc_chan_readable(const struct ipc_chan *ch)
{
	return READ_ONCE(ch->count) != 0;
}

/**
 * ipc_chan_writable() - would one more message fit?  Lockless, for poll.
 * @ch:		the channel
 * Return: true when a zero-length put would not wait.
 */
bool ipc_chan_writable(const struct ipc_chan *ch)
{
	return ipc_chan_fits(ch, 0);
}

/**
 * ipc_chan_row() - a channel's part of a /proc/ipcdev/objects line
 * @ch:		the channel
 * @row:	filled in without locks
 */
void ipc_chan_row(struct ipc_chan *ch, struct ipcdev_row *row)
{
	row->size = ch->bytes_max;
	row->count = READ_ONCE(ch->count);
	row->bytes = READ_ONCE(ch->bytes);
	row->waiters = atomic_read(&ch->getters) + atomic_read(&ch->putters);
}
