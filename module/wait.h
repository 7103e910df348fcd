/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Waiting (wait.c): the one way every ipcdev call sleeps, and direct
 * hand-over from a waker to a sleeper.
 */
#ifndef _IPCDEV_WAIT_H
#define _IPCDEV_WAIT_H

#include <linux/fs.h>
#include <linux/ktime.h>
#include <linux/lockdep.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/ipcdev.h>

/**
 * struct ipcdev_wait - how long a call may wait
 * @nonblock:	never wait: -EAGAIN
 * @timed:	@deadline is valid
 * @deadline:	absolute CLOCK_MONOTONIC time
 * @recheck_ms:	if not 0, wake up at least this often to re-check the
 *		condition (for states no wake-up announces, like a lock
 *		holder's death)
 */
struct ipcdev_wait {
	bool nonblock;
	bool timed;
	ktime_t deadline;
	u32 recheck_ms;
};

/**
 * struct ipcdev_waiter - a sleeper in ipcdev_wait_locked() that a waker
 * may serve directly (ipcdev_waiter_hand()), as POSIX mq's pipelined
 * send does, instead of waking it to re-check
 * @wait:	on the wait queue; taken off by the waker under its lock
 * @handed:	set with release by the waker that served it, under @wait's
 *		queue lock; read by the sleeper with acquire, under the lock
 *		the sleepers re-check under, or (leaving without that lock)
 *		under the queue lock: only that lock orders it after the
 *		waker's list_del_init() (ipcdev_waiter_leave())
 */
struct ipcdev_waiter {
	struct wait_queue_entry wait;
	int handed;
};

/* ipcdev_wait_locked(): a waker served the waiter; the lock is not held. */
#define IPCDEV_WAIT_HANDED	1

/*
 * ipcdev_wait_locked()'s @how.  IPCDEV_WQ_EXCLUSIVE: wake-one waiters (they
 * pass an unused wake-up on when they leave), else every waiter is woken.
 * IPCDEV_WQ_RECHECK: once counted in @nr_waiting, check again before the
 * first sleep, for a waker that changes the state WITHOUT @lock and then
 * reads the count (ipc_chan_delivered()); wakers that change the state
 * under @lock need no second check.
 */
#define IPCDEV_WQ_EXCLUSIVE	0x1
#define IPCDEV_WQ_RECHECK	0x2

/**
 * ipcdev_wait_init() - decode the IPCDEV_WAIT_* flags of a call
 * @w:		filled in
 * @file:	O_NONBLOCK on the file also means never wait
 * @flags:	IPCDEV_WAIT_* from user space
 * @deadline_ns: absolute CLOCK_MONOTONIC, with IPCDEV_WAIT_DEADLINE
 * Return: 0, or -EINVAL for unknown flags.
 */
static inline int ipcdev_wait_init(struct ipcdev_wait *w, struct file *file,
				   u32 flags, u64 deadline_ns)
{
	if (flags & ~(IPCDEV_WAIT_NONBLOCK | IPCDEV_WAIT_DEADLINE))
		return -EINVAL;
	w->nonblock = (flags & IPCDEV_WAIT_NONBLOCK) ||
		      (file->f_flags & O_NONBLOCK);
	w->timed = flags & IPCDEV_WAIT_DEADLINE;
	/* ktime_t is signed: clamp far deadlines instead of wrapping. */
	w->deadline = deadline_ns > KTIME_MAX ? KTIME_MAX : (ktime_t)deadline_ns;
	w->recheck_ms = 0;
	return 0;
}

/**
 * ipcdev_wait_init_iocb() - how long a read_iter() or write_iter() may wait
 * @w:		filled in
 * @iocb:	O_NONBLOCK on its file, or IOCB_NOWAIT (preadv2()'s
 *		RWF_NOWAIT, io_uring's first attempt, made inline: on
 *		-EAGAIN it waits for poll and tries again), means never wait
 */
static inline void ipcdev_wait_init_iocb(struct ipcdev_wait *w,
					 const struct kiocb *iocb)
{
	ipcdev_wait_init(w, iocb->ki_filp, iocb->ki_flags & IOCB_NOWAIT ?
			 IPCDEV_WAIT_NONBLOCK : 0, 0);
}

int ipcdev_wait_sleep(wait_queue_head_t *wq, struct mutex *lock,
		      int (*check)(void *arg), void *arg,
		      const struct ipcdev_wait *w, unsigned int how,
		      atomic_t *nr_waiting, struct ipcdev_waiter *waiter);

/**
 * ipcdev_wait_locked() - sleep on @wq until @check(@arg) is non-zero
 * @wq:		the wait queue; wakers change the state under @lock, then
 *		wake it
 * @lock:	held on entry and on return, dropped while asleep
 * @check:	1: go on; 0: wait; negative errno: end the call with it.
 *		Called under @lock, must not sleep
 * @arg:	for @check
 * @w:		how long
 * @how:	IPCDEV_WQ_EXCLUSIVE, IPCDEV_WQ_RECHECK (above), or 0
 * @nr_waiting:	optional count of sleepers; required by IPCDEV_WQ_RECHECK
 * @waiter:	optional: the caller's queue entry, through which a waker
 *		may do the caller's work for it (ipcdev_waiter_hand());
 *		NULL: an entry of our own, never handed anything
 *
 * @lock is re-taken killably after each sleep: the holder may be copying
 * to or from user memory that takes long to fault in, and SIGKILL must
 * still end the wait at once.  A task killed there returns -EINTR WITHOUT
 * @lock; it passes on any wake-up it may have consumed.
 *
 * Return: 0 when @check said go on, its errno, -EAGAIN (non-blocking),
 * -ETIMEDOUT, -ERESTARTSYS (a signal: restarts under SA_RESTART, EINTR
 * otherwise; the deadline being absolute, a restart never waits longer);
 * all with @lock held; or, with @lock released: -EINTR (fatal signal) or
 * IPCDEV_WAIT_HANDED (a waker served @waiter, even if a signal came).
 */
static inline int ipcdev_wait_locked(wait_queue_head_t *wq, struct mutex *lock,
				     int (*check)(void *arg), void *arg,
				     const struct ipcdev_wait *w,
				     unsigned int how, atomic_t *nr_waiting,
				     struct ipcdev_waiter *waiter)
{
	/* Inline, so that the usual call that need not wait costs no call. */
	int ret;

	lockdep_assert_held(lock);
	ret = check(arg);
	if (ret)
		return ret < 0 ? ret : 0;
	if (w->nonblock)
		return -EAGAIN;
	return ipcdev_wait_sleep(wq, lock, check, arg, w, how, nr_waiting,
				 waiter);
}

/*
 * Take @waiter off @wq, whose lock is held, mark it, wake it.  Marked
 * first, so that it wakes to find its work done and returns without the
 * lock the waker still holds (woken first, on another CPU, it would find
 * no mark and wait for that lock).  Once marked it may return, free its
 * entry and exit: its task is read before, and task_struct is freed only
 * after an RCU grace period (as rcuwait_wake_up() relies on).  @wq's lock,
 * taken with spin_lock_irq(), keeps that grace period off without
 * rcu_read_lock(): a region with interrupts disabled is an RCU read-side
 * critical section (see call_rcu()), and on PREEMPT_RT the lock itself
 * takes rcu_read_lock().
 */
static inline void ipcdev_waiter_served(wait_queue_head_t *wq,
					struct ipcdev_waiter *waiter)
	__must_hold(&wq->lock)
{
	struct task_struct *task = waiter->wait.private;

	lockdep_assert_held(&wq->lock);
	list_del_init(&waiter->wait.entry);
	/* Release: the waker's work is done before the waiter sees it. */
	smp_store_release(&waiter->handed, 1);
	wake_up_process(task);
}

/**
 * ipcdev_waiter_hand() - serve the first sleeper of @wq directly
 * @wq:		an exclusive wait queue whose entries are all embedded in
 *		struct ipcdev_waiter
 * @take:	called under @wq's lock with the first waiter: true when it
 *		did that waiter's work (it must not sleep)
 * @arg:	for @take
 *
 * The caller holds the lock the sleepers re-check under (the @lock of
 * ipcdev_wait_locked()).  The served waiter is taken off @wq, marked
 * handed and woken (ipcdev_waiter_served()): it returns
 * IPCDEV_WAIT_HANDED without re-taking that lock.  Woken early (a
 * signal), it finds the mark under the lock we hold.
 *
 * Return: true when a waiter was served.
 */
static inline bool
ipcdev_waiter_hand(wait_queue_head_t *wq,
		   bool (*take)(struct ipcdev_waiter *waiter, void *arg), void *arg)
{
	struct ipcdev_waiter *waiter;
	bool served = false;

	spin_lock_irq(&wq->lock);
	waiter = list_first_entry_or_null(&wq->head, struct ipcdev_waiter,
					  wait.entry);
	if (waiter && take(waiter, arg)) {
		ipcdev_waiter_served(wq, waiter);
		served = true;
	}
	spin_unlock_irq(&wq->lock);
	return served;
}

/**
 * ipcdev_waiter_hand_all() - serve every sleeper of @wq directly
 * @wq:		a wait queue whose entries are all embedded in struct
 *		ipcdev_waiter
 * @take:	called under @wq's lock for each waiter, in order; does its
 *		work (must not sleep)
 * @arg:	for @take
 *
 * As ipcdev_waiter_hand(), for every waiter.
 */
static inline void
ipcdev_waiter_hand_all(wait_queue_head_t *wq,
		       void (*take)(struct ipcdev_waiter *waiter, void *arg),
		       void *arg)
{
	struct ipcdev_waiter *waiter, *next;

	spin_lock_irq(&wq->lock);
	list_for_each_entry_safe(waiter, next, &wq->head, wait.entry) {
		take(waiter, arg);
		ipcdev_waiter_served(wq, waiter);
	}
	spin_unlock_irq(&wq->lock);
}

#endif /* _IPCDEV_WAIT_H */
