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
	memset(ch->batch_spares, 0, sizeof(ch->batch_spares));
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
	unsigned int i;

	list_for_each_entry_safe(msg, tmp, &ch->msgs, link) {
		atomic_long_sub(msg->len, &ipcdev_nr_bytes);
		ipc_msg_free(msg);
	}
	INIT_LIST_HEAD(&ch->msgs);
	ipc_msg_drop_spare(&ch->spare);
	for (i = 0; i < ARRAY_SIZE(ch->batch_spares); i++)
		ipc_msg_drop_spare(&ch->batch_spares[i]);
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
	/* Getters queue under ch->lock, as in __ipc_chan_notify(). */
	if (!waitqueue_active(&ch->getq)) /* all woken, none queued */
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

/*
 * Inline: every put checks once before it may wait, and the waiting path
 * (ipcdev_wait_sleep()) takes its address.
 */
static __always_inline int ipc_chan_put_check(void *arg)
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
 * A sleeper counted in @nr_waiting is queued on @wq under the ch->lock
 * we hold, so an empty @wq means that every counted one was already woken
 * (taken off @wq) and has not run yet: a streaming putter that runs ahead
 * of its woken getter takes no wait-queue lock per message for it.
 */
static __always_inline void
__ipc_chan_notify(struct ipc_chan *ch, wait_queue_head_t *wq,
		  atomic_t *nr_waiting, struct fasync_struct **fa,
		  __poll_t events, int band, int nr)
	__must_hold(&ch->lock)
{
	lockdep_assert_held(&ch->lock);
	if (atomic_read(nr_waiting) &&
	    waitqueue_active(wq)) /* queued under ch->lock: see above */
		wake_up_nr(wq, nr);
	if (wq_has_sleeper(&ch->pollq))
		wake_up_poll(&ch->pollq, events);
	/* kill_fasync() reads *fa locklessly too; spare the call. */
	if (fa && READ_ONCE(*fa))
		kill_fasync(fa, SIGIO, band);
}

/* As __ipc_chan_notify(), for one message or one room. */
static __always_inline void
ipc_chan_notify(struct ipc_chan *ch, wait_queue_head_t *wq,
		atomic_t *nr_waiting, struct fasync_struct **fa,
		__poll_t events, int band)
	__must_hold(&ch->lock)
{
	__ipc_chan_notify(ch, wq, nr_waiting, fa, events, band, 1);
}

/* Link @msg at the tail (or back at the head), telling nobody yet. */
static __always_inline void ipc_chan_link(struct ipc_chan *ch,
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
}

/* @nr messages were linked: wake as many getters, tell the readers. */
static __always_inline void ipc_chan_linked(struct ipc_chan *ch, int nr)
	__must_hold(&ch->lock)
{
	__ipc_chan_notify(ch, &ch->getq, &ch->getters, ch->fasync_in,
			  EPOLLIN | EPOLLRDNORM, POLL_IN, nr);
}

/* Link @msg at the tail (or back at the head) and tell the readers. */
static __always_inline void ipc_chan_enqueue(struct ipc_chan *ch,
					     struct ipc_msg *msg, bool head)
	__must_hold(&ch->lock)
{
	ipc_chan_link(ch, msg, head);
	ipc_chan_linked(ch, 1);
}

/* @msg, off the list, keeps its room while a getter copies it out. */
static __always_inline void ipc_chan_inflight(struct ipc_chan *ch,
					      struct ipc_msg *msg)
{
	atomic_inc(&ch->inflight);
	atomic64_add(msg->len, &ch->inflight_bytes);
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
		ipc_chan_inflight(ch, msg);
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
 * __ipc_chan_put()); @nowait: the kiocb's IOCB_NOWAIT.
 */
int ipc_chan_put_iter(struct ipc_chan *ch, struct iov_iter *from,
		      const struct ipcdev_wait *w, struct ipcdev_user **quser,
		      bool nowait)
{
	u64 len = iov_iter_count(from);

	/*
	 * IOCB_NOWAIT (io_uring's inline attempt): a channel that looks full
	 * (locklessly, as poll looks) gets -EAGAIN before the message is
	 * built, so that io_uring's retries, one per poll wake-up, do not
	 * copy and free it each time.  Errors that do not wait still come
	 * first: too long, no receiver.
	 */
	if (nowait && len <= ch->msgsize_max && !READ_ONCE(ch->no_getters) &&
	    !ipc_chan_fits(ch, len))
		return -EAGAIN;
	return __ipc_chan_put(ch, NULL, from, len, w, quser);
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
 * @nr messages in flight were delivered (ipc_chan_unflight()): their room
 * is free, and the putters (up to @nr), pollers and O_ASYNC handles are
 * told once; without ch->lock, so that a get
 * that copied without the lock (a hand-over, a large message, the GET
 * ioctl's held message) takes it only once.  A putter sleeps for room only
 * after it was counted in ch->putters and then checked again
 * (ipcdev_wait_sleep()): so either it sees the room, or we see it counted
 * and wake it under ch->lock, which it holds until it is queued.  Pollers
 * pair with ipc_chan_poll_wait()'s barrier through wq_has_sleeper().
 */
static __always_inline void ipc_chan_room_back(struct ipc_chan *ch, int nr)
{
	/* The room is back before the putters are read. */
	smp_mb__after_atomic();
	if (atomic_read(&ch->putters)) {
		mutex_lock(&ch->lock);
		if (atomic_read(&ch->putters))
			wake_up_nr(&ch->putq, nr);
		mutex_unlock(&ch->lock);
	}
	if (wq_has_sleeper(&ch->pollq))
		wake_up_poll(&ch->pollq, EPOLLOUT | EPOLLWRNORM);
	if (ch->fasync_out && READ_ONCE(*ch->fasync_out))
		kill_fasync(ch->fasync_out, SIGIO, POLL_OUT);
}

static __always_inline void ipc_chan_delivered(struct ipc_chan *ch,
					       struct ipc_msg *msg)
{
	ipc_chan_unflight(ch, msg);
	ipc_chan_room_back(ch, 1);
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

/*
 * Batches: the PUT_MANY/SEND_MANY and GET_MANY/RECV_MANY ioctls (struct
 * ipcdev_msgvec).  The edge copies the vector and its elements in once,
 * into a bounded kernel array; a put builds (charges, allocates, fills)
 * the messages that look like they fit, without ch->lock, then takes the
 * lock once to queue as many as fit, and wakes and notifies once; a get
 * takes the lock once to copy out as many as are queued, holding each in
 * flight until the edge has stored its length, as the single GET does.
 * Only the first message may wait; the rest are what is ready.
 */
#define IPC_BATCH_STACK	8	/* elements a batch keeps on the stack */

struct ipc_batch {
	struct ipcdev_msg *m;	/* the elements, a kernel copy */
	struct ipc_msg **msg;	/* the messages built (put) or held (get) */
	u32 n;
	/* m and msg of a batch of IPC_BATCH_STACK or fewer: no allocation */
	struct ipcdev_msg m_stack[IPC_BATCH_STACK];
	struct ipc_msg *msg_stack[IPC_BATCH_STACK];
};

/*
 * The spare slot of element @i: a batch of small messages spreads them
 * over the channel's IPC_CHAN_SPARES slots, so that a steady stream of
 * batches, as of single messages, allocates and zeroes nothing.
 */
static struct ipc_msg **ipc_batch_slot(struct ipc_chan *ch, u32 i)
{
	i %= IPC_CHAN_SPARES;
	return i ? &ch->batch_spares[i - 1] : &ch->spare;
}

/* Element @i's message @msg was taken: settle it, keep it if it is small. */
static void ipc_batch_done(struct ipc_chan *ch, u32 i, struct ipc_msg *msg)
{
	if (i % IPC_CHAN_SPARES && msg->cap > IPC_MSG_SPARE_BATCH) {
		ipc_msg_free(msg);
		return;
	}
	ipc_msg_done(ipc_batch_slot(ch, i), msg);
}

/* A batch's later messages never wait. */
static const struct ipcdev_wait ipc_batch_nowait = { .nonblock = true };

/* The most bytes one round of a put builds before it takes ch->lock. */
#define IPC_BATCH_ROUND_BYTES	SZ_1M

/*
 * How many of the @n messages at @m look like they fit now (lockless, as
 * poll looks), at least one: a put builds no more before it takes
 * ch->lock, so that a full channel costs no messages built in vain.
 */
static u32 ipc_batch_room(const struct ipc_chan *ch,
			  const struct ipcdev_msg *m, u32 n)
{
	u64 count = READ_ONCE(ch->count) + atomic_read(&ch->inflight);
	u64 bytes = READ_ONCE(ch->bytes) + atomic64_read(&ch->inflight_bytes);
	u64 built = 0;
	u32 i;

	for (i = 0; i < n; i++) {
		if (count >= ch->maxsize || built > IPC_BATCH_ROUND_BYTES)
			break;
		if (count && ch->bytes_max != IPCDEV_UNLIMITED &&
		    (bytes + m[i].len < bytes || bytes + m[i].len > ch->bytes_max))
			break;
		count++;
		bytes += m[i].len;
		built += m[i].len;
	}
	return max(i, 1U);
}

/*
 * Build the messages of elements @from to @to - 1 into b->msg, without
 * ch->lock, as a single put builds its one (ipc_msg_from_user()).  Large
 * ones count in ipcdev_nr_sending, *@sending bytes, until the caller is
 * done with them.  Return: how many were built; *@err why it stopped.
 */
static u32 ipc_batch_build(struct ipc_chan *ch, struct ipc_batch *b,
			   u32 from, u32 to, struct ipcdev_user **quser,
			   long *sending, int *err)
{
	u32 i;

	for (i = from; i < to; i++) {
		const struct ipcdev_msg *m = &b->m[i];
		struct ipc_msg *msg;

		if (m->len > ch->msgsize_max) {
			*err = -EMSGSIZE;
			break;
		}
		if (m->len > IPC_MSG_PAGES_MIN) {
			atomic_long_add(m->len, &ipcdev_nr_sending);
			*sending += m->len;
		}
		msg = ipc_msg_from_user(ipc_batch_slot(ch, i),
					u64_to_user_ptr(m->buf), m->len, quser);
		if (IS_ERR(msg)) {
			*err = PTR_ERR(msg);
			break;
		}
		b->msg[i] = msg;
	}
	return i - from;
}

/*
 * Queue the @n messages built at @msgs under one ch->lock: wait (as @w
 * says) for room for the first, then take as many as fit without waiting;
 * each is handed to a sleeping getter where a single put would hand it
 * (ipc_chan_hand_over()), else linked; the getters and readers are told
 * once.  Return: how many were queued; the others are freed, and *@err
 * says why (-EAGAIN: no room, -EPIPE...).
 */
static u32 ipc_batch_queue(struct ipc_chan *ch, struct ipc_msg **msgs, u32 n,
			   const struct ipcdev_wait *w, int *err)
{
	struct ipc_chan_cond c = { .ch = ch, .len = msgs[0]->len };
	u32 i = 0, linked = 0;
	int ret;

	ret = mutex_lock_killable(&ch->lock);
	if (ret)
		goto out_free;
	ret = ipc_chan_wait(ch, &ch->putq, &ch->putters, ipc_chan_put_check,
			    &c, w, NULL);
	if (ret == -EINTR)
		goto out_free;		/* killed; ch->lock was not re-taken */
	if (ret)
		goto out_unlock;
	for (i = 0; i < n; i++) {
		if (i) {
			c.len = msgs[i]->len;
			ret = ipc_chan_put_check(&c);
			if (ret <= 0) {
				ret = ret ?: -EAGAIN;
				break;
			}
			ret = 0;
		}
		/* Handed, msgs[i] belongs to its getter: not touched again. */
		if (!ipc_chan_hand_over(ch, msgs[i])) {
			ipc_chan_link(ch, msgs[i], false);
			linked++;
		}
	}
	if (linked)
		ipc_chan_linked(ch, linked);
	/* One get may free room for several smaller messages: pass it on. */
	if (atomic_read(&ch->putters) && ipc_chan_fits(ch, 0))
		wake_up(&ch->putq);
out_unlock:
	mutex_unlock(&ch->lock);
out_free:
	if (i < n)
		*err = ret;
	for (linked = i; linked < n; linked++)
		ipc_msg_done(&ch->spare, msgs[linked]);
	return i;
}

/*
 * The core of PUT_MANY: rounds of build-then-queue until every element is
 * put or one fails.  Only the first round may wait, and only for its first
 * message.  Return: how many were put; *@err why it stopped (0: all).
 */
static u32 ipc_chan_put_many(struct ipc_chan *ch, struct ipc_batch *b,
			     const struct ipcdev_wait *w,
			     struct ipcdev_user **quser, int *err)
{
	u32 done = 0;
	int ret = 0;

	while (!ret && done < b->n) {
		u32 k = ipc_batch_room(ch, &b->m[done], b->n - done);
		long sending = 0;
		u32 built, put;
		int qret = 0;

		built = ipc_batch_build(ch, b, done, done + k, quser, &sending,
					&ret);
		if (built) {
			put = ipc_batch_queue(ch, &b->msg[done], built,
					      done ? &ipc_batch_nowait : w,
					      &qret);
			if (put < built)
				ret = qret;
			done += put;
		}
		if (sending)
			atomic_long_sub(sending, &ipcdev_nr_sending);
	}
	*err = ret;
	return done;
}

/* Copy out element @i's message @msg without ch->lock, and hold it. */
static int ipc_batch_deliver(struct ipc_chan *ch, struct ipc_batch *b, u32 i,
			     struct ipc_msg *msg)
{
	u64 len;
	int ret;

	ret = ipc_chan_deliver(ch, msg, u64_to_user_ptr(b->m[i].buf), NULL,
			       &len, &b->msg[i]);
	if (!ret)
		b->m[i].len = len;
	return ret;
}

/*
 * Under ch->lock, which it releases: copy the queued messages out into
 * the elements from @got on, each held in flight in b->msg, without
 * waiting.  A message that does not fit its element (-EMSGSIZE: its length
 * in the element) or whose copy faults (-EFAULT) stays queued.  A large
 * one ends the run: taken off the list into *@large (in flight), for the
 * caller to copy out without the lock.  Return: the new count of elements
 * got; *@err why it stopped, 0 with *@large or when all are got.
 */
static u32 ipc_batch_take(struct ipc_chan *ch, struct ipc_batch *b, u32 got,
			  struct ipc_msg **large, int *err)
{
	struct ipc_msg *msg;
	int ret = 0;

	lockdep_assert_held(&ch->lock);
	for (; got < b->n; got++) {
		struct ipcdev_msg *m = &b->m[got];

		if (!ch->count) {
			ret = ch->no_putters ? -EPIPE : -EAGAIN;
			break;
		}
		msg = list_first_entry(&ch->msgs, struct ipc_msg, link);
		if (msg->len > m->len) {
			m->len = msg->len;
			ret = -EMSGSIZE;
			break;
		}
		if (msg->len > IPC_MSG_PAGES_MIN) {
			ipc_chan_dequeue(ch, msg, true);
			*large = msg;
			break;
		}
		if (msg->len && ipc_msg_copy_out(msg, u64_to_user_ptr(m->buf))) {
			ret = -EFAULT;
			break;
		}
		m->len = msg->len;
		list_del(&msg->link);
		WRITE_ONCE(ch->count, ch->count - 1);
		WRITE_ONCE(ch->bytes, ch->bytes - msg->len);
		ipc_chan_inflight(ch, msg);
		b->msg[got] = msg;
	}
	/* Messages left, or one that stays: another getter may take them. */
	if (atomic_read(&ch->getters) && ch->count)
		wake_up(&ch->getq);
	mutex_unlock(&ch->lock);
	*err = ret;
	return got;
}

/*
 * The core of GET_MANY: wait (as @w says) for the first message, which a
 * put may hand over; then take what is queued, under ch->lock once (again
 * after a hand-over or a large message).  Every message got is held in
 * flight in b->msg[0 .. *@done - 1] for the edge (ipc_batch_settle()).
 * Return: 0 when all b->n were got, else the errno that stopped the batch
 * at element *@done (-EAGAIN: no more queued; -EPIPE: none and no sender).
 */
static int ipc_chan_get_many(struct ipc_chan *ch, struct ipc_batch *b,
			     const struct ipcdev_wait *w, u32 *done)
{
	struct ipc_getter g = { .size = b->m[0].len };
	bool locked = true;
	u32 got = 0;
	int ret;

	*done = 0;
	ret = mutex_lock_killable(&ch->lock);
	if (ret)
		return ret;
	ret = ipc_chan_wait(ch, &ch->getq, &ch->getters, ipc_chan_get_check,
			    ch, w, &g.waiter);
	if (ret == IPCDEV_WAIT_HANDED) {
		ret = ipc_batch_deliver(ch, b, 0, g.msg);
		if (ret)
			return ret;
		got = 1;
		locked = false;
	} else if (ret == -EINTR) {
		return ret;		/* killed; ch->lock was not re-taken */
	} else if (ret) {
		mutex_unlock(&ch->lock);
		return ret;
	}
	while (got < b->n) {
		struct ipc_msg *large = NULL;

		if (!locked) {
			if (!READ_ONCE(ch->count)) {
				ret = READ_ONCE(ch->no_putters) ? -EPIPE : -EAGAIN;
				break;
			}
			ret = mutex_lock_killable(&ch->lock);
			if (ret)
				break;
		}
		locked = false;
		got = ipc_batch_take(ch, b, got, &large, &ret);
		if (large) {
			ret = ipc_batch_deliver(ch, b, got, large);
			if (!ret)
				got++;
		}
		if (ret)
			break;
	}
	*done = got;
	return got == b->n ? 0 : ret;
}

/*
 * Settle a GET_MANY: messages 0 .. @delivered - 1 are delivered (their
 * room back once, ipc_chan_room_back()); the others held, up to @got, go
 * back to the head of the channel in their order, under ch->lock taken
 * with mutex_lock(), not killable: they must not be lost.
 */
static void ipc_batch_settle(struct ipc_chan *ch, struct ipc_batch *b,
			     u32 delivered, u32 got)
{
	u32 i;

	if (delivered < got) {
		mutex_lock(&ch->lock);
		for (i = got; i-- > delivered;) {
			ipc_chan_unflight(ch, b->msg[i]);
			ipc_chan_link(ch, b->msg[i], true);
		}
		ipc_chan_linked(ch, got - delivered);
		mutex_unlock(&ch->lock);
	}
	if (!delivered)
		return;
	for (i = 0; i < delivered; i++)
		ipc_chan_unflight(ch, b->msg[i]);
	ipc_chan_room_back(ch, delivered);
	for (i = 0; i < delivered; i++)
		ipc_batch_done(ch, i, b->msg[i]);
}

/*
 * The batch edge: struct ipcdev_msgvec and its elements in, checked, into
 * @b (freed by the caller with ipc_batch_free()).
 */
static int ipcdev_batch_in(struct ipc_batch *b, struct ipcdev_msgvec *v,
			   struct ipcdev_wait *w, const void __user *uarg,
			   struct file *file)
{
	u32 i;
	int ret;

	b->m = NULL;
	if (copy_from_user(v, uarg, sizeof(*v)))
		return -EFAULT;
	if (v->reserved[0] || v->reserved[1] || !v->count ||
	    v->count > IPCDEV_MSGVEC_MAX)
		return -EINVAL;
	ret = ipcdev_wait_init(w, file, v->flags, v->deadline_ns);
	if (ret)
		return ret;
	b->n = v->count;
	if (b->n <= IPC_BATCH_STACK) {
		b->m = b->m_stack;
		b->msg = b->msg_stack;
	} else {
		b->m = kmalloc_array(b->n, sizeof(*b->m) + sizeof(*b->msg),
				     GFP_KERNEL);
		if (!b->m)
			return -ENOMEM;
		b->msg = (struct ipc_msg **)(b->m + b->n);
	}
	if (copy_from_user(b->m, u64_to_user_ptr(v->msgs),
			   b->n * sizeof(*b->m)))
		return -EFAULT;
	/* An element's wait is its vector's. */
	for (i = 0; i < b->n; i++)
		if (b->m[i].flags || b->m[i].deadline_ns || b->m[i].reserved)
			return -EINVAL;
	return 0;
}

static void ipc_batch_free(struct ipc_batch *b)
{
	if (b->m != b->m_stack)
		kfree(b->m);
}

static int ipcdev_batch_out(struct ipcdev_msgvec __user *uvec, u32 done,
			    int err)
{
	if (put_user(done, &uvec->done) || put_user(-err, &uvec->error))
		return -EFAULT;
	return 0;
}

/**
 * ipcdev_put_many_ioctl() - a PUT_MANY or SEND_MANY ioctl on a channel
 * @ch:		the channel
 * @uarg:	struct ipcdev_msgvec in user memory
 * @file:	the handle's file (O_NONBLOCK, the sender's quota)
 *
 * @uarg's @done and @error are written (as 0) before anything is sent, so
 * that a vector that cannot be written fails with nothing done; written
 * again after, when messages were put, the return value being the count.
 * Return: the number of messages put (1 or more), or a negative errno
 * when none was: the first element's, as ipc_chan_put(); -EFAULT, -EINVAL
 * (struct ipcdev_msgvec), -ENOMEM (the kernel copy of the elements).
 */
long ipcdev_put_many_ioctl(struct ipc_chan *ch, void __user *uarg,
			   struct file *file)
{
	struct ipcdev_msgvec __user *uvec = uarg;
	struct ipcdev_msgvec v;
	struct ipcdev_wait w;
	struct ipc_batch b;
	u32 done;
	int ret;

	ret = ipcdev_batch_in(&b, &v, &w, uarg, file);
	if (ret)
		goto out;
	ret = ipcdev_batch_out(uvec, 0, 0);
	if (ret)
		goto out;
	done = ipc_chan_put_many(ch, &b, &w, &ipcdev_handle(file)->quser,
				 &ret);
	if (done) {
		/* Put: the count returned is the answer, even if this fails. */
		ipcdev_batch_out(uvec, done, ret);
		ret = done;
	}
out:
	ipc_batch_free(&b);
	return ret;
}

/**
 * ipcdev_get_many_ioctl() - a GET_MANY or RECV_MANY ioctl on a channel
 * @ch:		the channel
 * @uarg:	struct ipcdev_msgvec in user memory
 * @file:	the handle's file (O_NONBLOCK)
 *
 * The messages got are held in flight while the edge stores each
 * element's length (and, on -EMSGSIZE, the next message's length in the
 * element that stopped the batch) and then @done and @error: a message
 * whose length cannot be stored goes back to the head of the channel with
 * every later one, in order, and the batch ends before it (-EFAULT); if
 * @done and @error cannot be stored, every message goes back.
 * Return: the number of messages got (1 or more), or a negative errno
 * when none was: as ipc_chan_get(); -EFAULT, -EINVAL, -ENOMEM as
 * ipcdev_put_many_ioctl().
 */
long ipcdev_get_many_ioctl(struct ipc_chan *ch, void __user *uarg,
			   struct file *file)
{
	struct ipcdev_msgvec __user *uvec = uarg;
	struct ipcdev_msg __user *umsgs;
	struct ipcdev_msgvec v;
	struct ipcdev_wait w;
	struct ipc_batch b;
	u32 got, i, lens;
	int ret;

	ret = ipcdev_batch_in(&b, &v, &w, uarg, file);
	if (ret)
		goto out;
	umsgs = u64_to_user_ptr(v.msgs);
	ret = ipc_chan_get_many(ch, &b, &w, &got);
	lens = got + (ret == -EMSGSIZE);
	for (i = 0; i < lens; i++)
		if (put_user(b.m[i].len, &umsgs[i].len))
			break;
	if (i < lens) {
		ret = -EFAULT;
		/* Element i's message, held or not, stays queued. */
		i = min(i, got);
	} else {
		i = got;
	}
	if (i && ipcdev_batch_out(uvec, i, i < b.n ? ret : 0)) {
		ret = -EFAULT;
		i = 0;
	}
	ipc_batch_settle(ch, &b, i, got);
	if (i)
		ret = i;
out:
	ipc_batch_free(&b);
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
