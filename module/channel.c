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
 * puts it back at the head if the copy fails.  Sleepers use exclusive waits on getq and
 * putq (ipcdev_wait_locked()), so each new message wakes one getter and each
 * freed room one putter, served in arrival order; poll uses the separate
 * pollq.  A put into an empty channel hands its message directly to the
 * first sleeping getter whose buffer holds it; that getter copies it out
 * without ch->lock, and puts it back at the head if the copy faults.
 */
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "ipcdev.h"

/*
 * A message is stored as POSIX mq stores one: its first bytes in the same
 * allocation as its header, the rest in a chain of segments, each at most a
 * page, so that no message needs a high-order allocation or vmalloc.
 * Pieces come from kmalloc, whose per-CPU slabs recycle them cheaply, but
 * those of a message larger than IPC_MSG_PAGES_MIN are whole pages from the
 * page allocator: so many would churn the slabs, their order-3 pages being
 * zeroed on allocation and each object again (init_on_alloc).
 */
struct ipc_msg_seg {
	struct ipc_msg_seg *next;
	u32 size;			/* allocated */
	u32 page;			/* from the page allocator */
	char data[];
};

struct ipc_msg {
	struct list_head link;
	u64 len;
	u64 cap;			/* the most the pieces can hold */
	struct ipcdev_user *user;	/* charged for @len bytes, or NULL */
	struct ipc_msg_seg *next;	/* the bytes after the first piece */
	u32 size;			/* allocated, as a segment's */
	u32 page;			/* as a segment's */
	char data[];
};

#define IPC_MSG_HEAD_DATA	(PAGE_SIZE - sizeof(struct ipc_msg))
#define IPC_MSG_SEG_DATA	(PAGE_SIZE - sizeof(struct ipc_msg_seg))
/*
 * No OOM kill for a message: killing its sender frees none of the memory
 * already queued, so a put that finds none (in its memory cgroup, or at
 * all) fails with ENOMEM instead.
 */
#define IPC_MSG_GFP		(GFP_KERNEL_ACCOUNT | __GFP_NOWARN | \
				 __GFP_RETRY_MAYFAIL)
#define IPC_MSG_PAGES_MIN	SZ_64K

/*
 * Messages of any size: a large one is a chain of single pages, charged to
 * the sender's memory cgroup (__GFP_ACCOUNT) and to its byte quota before
 * the first page is taken, so that the quota bounds what a sender can make
 * the kernel hold and EDQUOT comes at once.  Its pages may fail rather than
 * invoke the OOM killer (__GFP_RETRY_MAYFAIL: -ENOMEM).  Building and
 * copying it happen without ch->lock, in chunks of IPC_MSG_CHUNK pieces
 * between which a fatal signal ends the call (and rescheduling may
 * happen); nothing is visible to anybody until the message is linked.
 */
#define IPC_MSG_PAGE_GFP	(IPC_MSG_GFP | __GFP_RETRY_MAYFAIL)
#define IPC_MSG_CHUNK		256

/*
 * A channel keeps the last message taken to carry the next one, as pipe(2)
 * keeps a spare page, so that a steady exchange allocates (and zeroes)
 * nothing.  Up to this size (one page and a small tail: a 4 KiB message)
 * always; a larger one while all large spares together stay within the
 * spare_max parameter (ipcdev_nr_spare counts them).  A spare carries a
 * message that fills more than half of it.
 */
#define IPC_MSG_SPARE_SMALL	(IPC_MSG_HEAD_DATA + 256)

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

/*
 * A piece of at least @size bytes: with @pages, a page if @size is above
 * half a page; else a kmalloc object of its bucket's size.  *@alloc: the
 * size obtained; *@page: whether it is a page.
 */
static void *ipc_piece_alloc(size_t size, bool pages, u32 *alloc, u32 *page)
{
	*page = pages && size > PAGE_SIZE / 2;
	if (*page) {
		*alloc = PAGE_SIZE;
		return (void *)__get_free_page(IPC_MSG_PAGE_GFP);
	}
	/* A full piece is a kmalloc bucket already: spare the lookup. */
	*alloc = size == PAGE_SIZE ? size : kmalloc_size_roundup(size);
	return kmalloc(*alloc, IPC_MSG_GFP);
}

static void ipc_piece_free(void *piece, u32 page)
{
	if (page)
		free_page((unsigned long)piece);
	else
		kfree(piece);
}

/*
 * Between two chunks of a long loop over pieces: give the CPU up if need
 * be, and stop for a fatal signal.  Return: true when the caller was
 * killed.
 */
static bool ipc_msg_chunk_killed(unsigned long piece)
{
	if (piece % IPC_MSG_CHUNK)
		return false;
	cond_resched();
	return fatal_signal_pending(current);
}

/* Give the memory back; the quota was settled before. */
static void ipc_msg_release(struct ipc_msg *msg)
{
	struct ipc_msg_seg *seg = msg->next, *next;
	unsigned long i = 0;

	ipc_piece_free(msg, msg->page);
	for (; seg; seg = next) {
		next = seg->next;
		ipc_piece_free(seg, seg->page);
		if (!(++i % IPC_MSG_CHUNK))
			cond_resched();
	}
}

static void ipc_msg_free(struct ipc_msg *msg)
{
	ipcdev_uncharge_msg(msg->user, msg->len);
	ipc_msg_release(msg);
}

/*
 * A message of @len bytes filled from @buf, charged to nobody.  Each piece
 * is filled as soon as it is obtained, so that a bad buffer fails before
 * more memory is taken than it proved to hold.  @cap counts all that the
 * pieces obtained can hold, so that a spare can carry any message up to
 * @cap.  Return: the message, ERR_PTR(-ENOMEM), ERR_PTR(-EFAULT), or
 * ERR_PTR(-EINTR) when a fatal signal came.
 */
static struct ipc_msg *ipc_msg_alloc(u64 len, const char __user *buf)
{
	unsigned long piece = 0;
	size_t n = min_t(u64, len, IPC_MSG_HEAD_DATA);
	int ret = -ENOMEM;
	bool pages = len > IPC_MSG_PAGES_MIN;
	struct ipc_msg_seg **pseg, *seg;
	struct ipc_msg *msg;
	u32 size, page;

	msg = ipc_piece_alloc(sizeof(*msg) + n, pages, &size, &page);
	if (!msg)
		return ERR_PTR(-ENOMEM);
	msg->len = len;
	msg->size = size;
	msg->page = page;
	msg->cap = min_t(size_t, size - sizeof(*msg), IPC_MSG_HEAD_DATA);
	msg->user = NULL;
	msg->next = NULL;
	if (copy_from_user(msg->data, buf, n))
		goto out_fault;
	pseg = &msg->next;
	for (len -= n; len; len -= n) {
		buf += n;
		n = min_t(u64, len, IPC_MSG_SEG_DATA);
		if (ipc_msg_chunk_killed(++piece)) {
			ret = -EINTR;
			goto out_release;
		}
		seg = ipc_piece_alloc(sizeof(*seg) + n, pages, &size, &page);
		if (!seg)
			goto out_release;
		seg->size = size;
		seg->page = page;
		msg->cap += min_t(size_t, size - sizeof(*seg),
				  IPC_MSG_SEG_DATA);
		seg->next = NULL;
		*pseg = seg;
		pseg = &seg->next;
		if (copy_from_user(seg->data, buf, n))
			goto out_fault;
	}
	return msg;

out_fault:
	ret = -EFAULT;
out_release:
	ipc_msg_release(msg);
	return ERR_PTR(ret);
}

/* Take a large spare's bytes out of (@add false) or into the budget. */
static bool ipc_spare_budget(struct ipc_msg *msg, bool add)
{
	long cap = msg->cap;

	if (!add) {
		atomic_long_sub(cap, &ipcdev_nr_spare);
		return true;
	}
	if (atomic_long_add_return(cap, &ipcdev_nr_spare) <=
	    (long)READ_ONCE(ipcdev_spare_max))
		return true;
	atomic_long_sub(cap, &ipcdev_nr_spare);
	return false;
}

/* Keep @msg as @ch's spare if there is none yet and it may be kept. */
static __always_inline void ipc_chan_keep_spare(struct ipc_chan *ch,
						struct ipc_msg *msg)
{
	bool large = msg->cap > IPC_MSG_SPARE_SMALL;

	if (large && !ipc_spare_budget(msg, true))
		goto release;
	if (!cmpxchg(&ch->spare, NULL, msg))
		return;
	if (large)
		ipc_spare_budget(msg, false);
release:
	ipc_msg_release(msg);
}

/*
 * The channel's spare, for a message of @len bytes, when it is large
 * enough (its pieces, filled in order, hold any @len up to its @cap) and
 * not twice too large; else NULL: the caller makes a new one.
 */
static __always_inline struct ipc_msg *ipc_chan_take_spare(struct ipc_chan *ch,
							   u64 len)
{
	struct ipc_msg *msg = READ_ONCE(ch->spare) ? xchg(&ch->spare, NULL) :
						    NULL;

	if (msg) {
		if (len <= msg->cap && (msg->cap <= IPC_MSG_SPARE_SMALL ||
					len > msg->cap / 2)) {
			if (msg->cap > IPC_MSG_SPARE_SMALL)
				ipc_spare_budget(msg, false);
			msg->len = len;
			return msg;
		}
		/* Back, for a later message; ours is new. */
		if (cmpxchg(&ch->spare, NULL, msg)) {
			if (msg->cap > IPC_MSG_SPARE_SMALL)
				ipc_spare_budget(msg, false);
			ipc_msg_release(msg);
		}
	}
	return NULL;
}

/* A message was taken: settle the quota, keep the memory as a spare. */
static __always_inline void ipc_chan_msg_done(struct ipc_chan *ch,
					      struct ipc_msg *msg)
{
	ipcdev_uncharge_msg(msg->user, msg->len);
	msg->user = NULL;
	ipc_chan_keep_spare(ch, msg);
}

/*
 * Fill @msg from user memory, piece by piece.
 * Return: 0, -EFAULT, or -EINTR (a fatal signal between two chunks).
 */
static int ipc_msg_copy_in_pieces(struct ipc_msg *msg, const char __user *buf)
{
	size_t n = min_t(u64, msg->len, IPC_MSG_HEAD_DATA);
	u64 left = msg->len - n;
	struct ipc_msg_seg *seg;
	unsigned long piece = 0;

	if (copy_from_user(msg->data, buf, n))
		return -EFAULT;
	for (seg = msg->next; seg; seg = seg->next) {
		if (ipc_msg_chunk_killed(++piece))
			return -EINTR;
		buf += n;
		n = min_t(u64, left, IPC_MSG_SEG_DATA);
		if (copy_from_user(seg->data, buf, n))
			return -EFAULT;
		left -= n;
	}
	return 0;
}

/*
 * Copy @msg out to user memory, piece by piece.
 * Return: 0, -EFAULT, or -EINTR (a fatal signal between two chunks).
 */
static int ipc_msg_copy_out_pieces(const struct ipc_msg *msg,
				   char __user *buf)
{
	size_t n = min_t(u64, msg->len, IPC_MSG_HEAD_DATA);
	u64 left = msg->len - n;
	struct ipc_msg_seg *seg;
	unsigned long piece = 0;

	if (copy_to_user(buf, msg->data, n))
		return -EFAULT;
	for (seg = msg->next; seg; seg = seg->next) {
		if (ipc_msg_chunk_killed(++piece))
			return -EINTR;
		buf += n;
		n = min_t(u64, left, IPC_MSG_SEG_DATA);
		if (copy_to_user(buf, seg->data, n))
			return -EFAULT;
		left -= n;
	}
	return 0;
}

/* The usual message is one piece: no loop, no call. */
static __always_inline int ipc_msg_copy_in(struct ipc_msg *msg,
					   const char __user *buf)
{
	if (likely(!msg->next))
		return copy_from_user(msg->data, buf, msg->len) ? -EFAULT : 0;
	return ipc_msg_copy_in_pieces(msg, buf);
}

static __always_inline int ipc_msg_copy_out(const struct ipc_msg *msg,
					    char __user *buf)
{
	if (likely(!msg->next))
		return copy_to_user(buf, msg->data, msg->len) ? -EFAULT : 0;
	return ipc_msg_copy_out_pieces(msg, buf);
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
	if (ch->spare) {
		if (ch->spare->cap > IPC_MSG_SPARE_SMALL)
			ipc_spare_budget(ch->spare, false);
		ipc_msg_release(ch->spare);
	}
	ch->spare = NULL;
	mutex_destroy(&ch->lock);
}

/*
 * Would a message of @len bytes be admitted now?  An empty channel takes any
 * message up to msgsize_max, so a message larger than the capacity waits
 * for the channel to drain instead of being refused.  IPCDEV_UNLIMITED
 * (maxsize, bytes_max) is no bound: only the sender's quota is.
 */
static bool ipc_chan_fits(const struct ipc_chan *ch, u64 len)
{
	u64 count = READ_ONCE(ch->count);
	u64 bytes = READ_ONCE(ch->bytes);

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
 */
static int ipc_chan_wait(struct ipc_chan *ch, wait_queue_head_t *wq,
			 atomic_t *nr_waiting, int (*check)(void *), void *arg,
			 const struct ipcdev_wait *w, struct ipcdev_waiter *waiter)
	__must_hold(&ch->lock)
{
	return ipcdev_wait_locked(wq, &ch->lock, check, arg, w, true,
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
 * no older message is overtaken) and its buffer is large enough.
 */
static bool ipc_chan_hand_over(struct ipc_chan *ch, struct ipc_msg *msg)
	__must_hold(&ch->lock)
{
	if (ch->count || !atomic_read(&ch->getters))
		return false;
	return ipcdev_waiter_hand(&ch->getq, ipc_getter_take, msg);
}

static int ipc_chan_put_check(void *arg)
{
	struct ipc_chan_cond *c = arg;

	if (c->ch->no_getters)
		return -EPIPE;
	return ipc_chan_fits(c->ch, c->len);
}

static int ipc_chan_get_check(void *arg)
{
	const struct ipc_chan *ch = arg;

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
	if (atomic_read(nr_waiting))
		wake_up(wq);
	if (wq_has_sleeper(&ch->pollq))
		wake_up_poll(&ch->pollq, events);
	/* kill_fasync() reads *fa locklessly too; spare the call. */
	if (fa && READ_ONCE(*fa))
		kill_fasync(fa, SIGIO, band);
}

/*
 * The message of @len bytes at @buf, charged to the sender.  The quota is
 * charged first, so that a message the sender may not hold fails with
 * -EDQUOT before any memory is taken, and no message can make the kernel
 * hold more than the machine's memory.  Nothing is visible to others.
 */
static struct ipc_msg *ipc_msg_from_user(struct ipc_chan *ch,
					 const void __user *buf, u64 len,
					 struct ipcdev_user **quser)
{
	struct ipcdev_user *user = NULL;
	struct ipc_msg *msg;
	int ret;

	/* The sender's quota holds the bytes until the message is taken. */
	if (len) {
		if (len > LONG_MAX)
			return ERR_PTR(-ENOMEM);
		ret = ipcdev_charge_msg(quser, len, &user);
		if (ret)
			return ERR_PTR(ret);
		if (len > ((u64)totalram_pages() << PAGE_SHIFT)) {
			ret = -ENOMEM;
			goto out_uncharge;
		}
	}
	msg = ipc_chan_take_spare(ch, len);
	if (msg) {
		ret = len ? ipc_msg_copy_in(msg, buf) : 0;
		if (ret) {
			ipc_chan_keep_spare(ch, msg);
			goto out_uncharge;
		}
	} else {
		msg = ipc_msg_alloc(len, buf);
		if (IS_ERR(msg)) {
			ret = PTR_ERR(msg);
			goto out_uncharge;
		}
	}
	msg->user = user;
	return msg;

out_uncharge:
	ipcdev_uncharge_msg(user, len);
	return ERR_PTR(ret);
}

/* Link @msg at the tail (or back at the head) and tell the readers. */
static __always_inline void ipc_chan_enqueue(struct ipc_chan *ch,
					     struct ipc_msg *msg, bool head)
	__must_hold(&ch->lock)
{
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

/* Unlink the oldest message @msg and tell the writers. */
static __always_inline void ipc_chan_dequeue(struct ipc_chan *ch,
					     struct ipc_msg *msg)
	__must_hold(&ch->lock)
{
	list_del(&msg->link);
	WRITE_ONCE(ch->count, ch->count - 1);
	WRITE_ONCE(ch->bytes, ch->bytes - msg->len);
	atomic_long_sub(msg->len, &ipcdev_nr_bytes);
	ipc_chan_notify(ch, &ch->putq, &ch->putters, ch->fasync_out,
			EPOLLOUT | EPOLLWRNORM, POLL_OUT);
	/* A getter that overtook a woken one leaves it a message: wake it. */
	if (atomic_read(&ch->getters) && ch->count)
		wake_up(&ch->getq);
}

static int ipc_chan_put_msg(struct ipc_chan *ch, const void __user *buf,
			    u64 len, const struct ipcdev_wait *w,
			    struct ipcdev_user **quser)
{
	struct ipc_chan_cond c = { .ch = ch, .len = len };
	struct ipc_msg *msg;
	int ret;

	msg = ipc_msg_from_user(ch, buf, len, quser);
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
	ipc_chan_msg_done(ch, msg);
	return ret;
}

/**
 * ipc_chan_put() - append one message
 * @ch:		the channel
 * @buf:	user memory holding the message
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
int ipc_chan_put(struct ipc_chan *ch, const void __user *buf, u64 len,
		 const struct ipcdev_wait *w, struct ipcdev_user **quser)
{
	bool large = len > IPC_MSG_PAGES_MIN;
	int ret;

	if (len > ch->msgsize_max)
		return -EMSGSIZE;
	if (likely(!large))
		return ipc_chan_put_msg(ch, buf, len, w, quser);
	atomic_long_add(len, &ipcdev_nr_sending);
	ret = ipc_chan_put_msg(ch, buf, len, w, quser);
	atomic_long_sub(len, &ipcdev_nr_sending);
	return ret;
}

/*
 * Copy out a message a put handed over (ipc_chan_hand_over()) or a large
 * one taken off the list (ipc_chan_get()), without ch->lock.  If that
 * fails (a fault, or a fatal signal between two chunks of a large one),
 * the message goes back to the head of the channel, as if never taken.
 */
static int ipc_chan_deliver(struct ipc_chan *ch, struct ipc_msg *msg,
			    void __user *buf, u64 *msglen, u64 __user *ulen)
{
	int ret = 0;

	*msglen = msg->len;
	if (ulen && put_user(msg->len, ulen))
		ret = -EFAULT;
	else if (msg->len)
		ret = ipc_msg_copy_out(msg, buf);
	if (!ret) {
		ipc_chan_msg_done(ch, msg);
		return 0;
	}
	/*
	 * Not killable: the message must not be lost.  Only a get whose
	 * memory faults, or which is killed, comes here.
	 */
	mutex_lock(&ch->lock);
	ipc_chan_enqueue(ch, msg, true);
	mutex_unlock(&ch->lock);
	return ret;
}

/**
 * ipc_chan_get() - take the oldest message
 * @ch:		the channel
 * @buf:	user buffer
 * @size:	its size
 * @w:		how long to wait for a message
 * @msglen:	set to the message's length on success and on -EMSGSIZE
 * @ulen:	if not NULL, where the length is also stored in user memory,
 *		before the message is taken (or, for one handed over, put
 *		back), so that a failure to store it leaves the message
 *		queued
 *
 * A message above IPC_MSG_PAGES_MIN is taken off the list and copied out
 * without ch->lock, so that a long copy does not hold up the other users
 * of the channel; if the copy fails it goes back to the head.  A smaller
 * one is copied under the lock.
 *
 * Return: 0; -EMSGSIZE when @size is smaller than the next message, which
 * stays queued; -EFAULT, the message stays queued; -EPIPE, empty and no
 * sender any more (end of file); -EAGAIN, -ETIMEDOUT, -ERESTARTSYS;
 * -EINTR (fatal signal), the message stays queued.
 */
int ipc_chan_get(struct ipc_chan *ch, void __user *buf, u64 size,
		 const struct ipcdev_wait *w, u64 *msglen, u64 __user *ulen)
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
		return ipc_chan_deliver(ch, g.msg, buf, msglen, ulen);
	if (ret == -EINTR)
		return ret;		/* killed; ch->lock was not re-taken */
	if (ret)
		goto out_unlock;
	msg = list_first_entry(&ch->msgs, struct ipc_msg, link);
	*msglen = msg->len;
	if (ulen && put_user(msg->len, ulen)) {
		ret = -EFAULT;
		goto out_pass;
	}
	if (msg->len > size) {
		ret = -EMSGSIZE;
		goto out_pass;
	}
	if (msg->len > IPC_MSG_PAGES_MIN) {
		ipc_chan_dequeue(ch, msg);
		mutex_unlock(&ch->lock);
		return ipc_chan_deliver(ch, msg, buf, msglen, NULL);
	}
	if (msg->len && ipc_msg_copy_out(msg, buf)) {
		ret = -EFAULT;
		goto out_pass;
	}
	ipc_chan_dequeue(ch, msg);
	mutex_unlock(&ch->lock);
	ipc_chan_msg_done(ch, msg);
	return 0;

out_pass:
	/* The message stays: another getter may take it. */
	if (atomic_read(&ch->getters))
		wake_up(&ch->getq);
out_unlock:
	mutex_unlock(&ch->lock);
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
