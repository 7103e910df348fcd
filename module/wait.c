// SPDX-License-Identifier: GPL-2.0
/*
 * Waiting, the one way every ipcdev call sleeps: never, until an absolute
 * CLOCK_MONOTONIC deadline, or as long as needed; always interruptible, so a
 * signal ends the wait (restarting the call under SA_RESTART) and SIGKILL
 * ends it at once.
 */
#include <linux/hrtimer.h>
#include <linux/sched/signal.h>
#include "ipcdev.h"

/* Timer slack of a timed wait, as for a SCHED_OTHER task's default. */
#define IPCDEV_WAIT_SLACK_NS	50000

/**
 * ipcdev_wait_init() - decode the IPCDEV_WAIT_* flags of a call
 * @w:		filled in
 * @file:	O_NONBLOCK on the file also means never wait
 * @flags:	IPCDEV_WAIT_* from user space
 * @deadline_ns: absolute CLOCK_MONOTONIC, with IPCDEV_WAIT_DEADLINE
 * Return: 0, or -EINVAL for unknown flags.
 */
int ipcdev_wait_init(struct ipcdev_wait *w, struct file *file, u32 flags,
		     u64 deadline_ns)
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

/*
 * Queue @wait on @wq.  An exclusive waiter that was woken but found nothing
 * for it (another task got there first) goes back to the head, so exclusive
 * waiters are served in arrival order.  Exclusive and poll waiters must not
 * share a queue: a head entry would stop a wake-one before the pollers.
 */
static void ipcdev_prepare_wait(wait_queue_head_t *wq,
				struct wait_queue_entry *wait, bool exclusive,
				bool head)
{
	unsigned long flags;

	if (exclusive)
		wait->flags |= WQ_FLAG_EXCLUSIVE;
	spin_lock_irqsave(&wq->lock, flags);
	if (list_empty(&wait->entry)) {
		if (exclusive && head)
			__add_wait_queue(wq, wait);
		else
			__add_wait_queue_entry_tail(wq, wait);
	}
	set_current_state(TASK_INTERRUPTIBLE);
	spin_unlock_irqrestore(&wq->lock, flags);
}

/* Sleep until woken, the deadline or the next re-check, or a signal. */
static void ipcdev_sleep(const struct ipcdev_wait *w)
{
	ktime_t expires = w->timed ? w->deadline : KTIME_MAX;

	if (w->recheck_ms)
		expires = min(expires, ktime_add_ms(ktime_get(), w->recheck_ms));
	if (expires == KTIME_MAX)
		schedule();
	else
		schedule_hrtimeout_range(&expires, IPCDEV_WAIT_SLACK_NS,
					 HRTIMER_MODE_ABS);
}

/**
 * ipcdev_wait_locked() - sleep on @wq until @check(@arg) is non-zero
 * @wq:		the wait queue; wakers change the state under @lock, then
 *		wake it
 * @lock:	held on entry and on return, dropped while asleep
 * @check:	1: go on; 0: wait; negative errno: end the call with it.
 *		Called under @lock, must not sleep
 * @arg:	for @check
 * @w:		how long
 * @exclusive:	wake-one waiters (they pass an unused wake-up on when they
 *		leave), else every waiter is woken
 * @nr_waiting:	optional count of sleepers
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
int ipcdev_wait_locked(wait_queue_head_t *wq, struct mutex *lock,
		       int (*check)(void *arg), void *arg,
		       const struct ipcdev_wait *w, bool exclusive,
		       atomic_t *nr_waiting, struct ipcdev_waiter *waiter)
{
	struct ipcdev_waiter own;
	bool woken = false;
	int ret;

	ret = check(arg);
	if (ret)
		return ret < 0 ? ret : 0;
	if (w->nonblock)
		return -EAGAIN;

	if (!waiter)
		waiter = &own;
	init_wait(&waiter->wait);
	waiter->handed = 0;
	if (nr_waiting)
		atomic_inc(nr_waiting);
	for (;;) {
		/*
		 * Queued and TASK_INTERRUPTIBLE before @lock is dropped: a
		 * waker changes the state under @lock, so no wake-up is lost.
		 * @check was false under this same hold of @lock.
		 */
		ipcdev_prepare_wait(wq, &waiter->wait, exclusive, woken);
		if (signal_pending(current)) {
			ret = -ERESTARTSYS;
			break;
		}
		if (w->timed && ktime_compare(ktime_get(), w->deadline) >= 0) {
			ret = -ETIMEDOUT;
			break;
		}
		mutex_unlock(lock);
		ipcdev_sleep(w);
		woken = true;
		/*
		 * Served while asleep: nothing to re-check, no lock needed.
		 * Acquire: pairs with ipcdev_waiter_hand()'s release, so
		 * what the waker did for us is visible.
		 */
		if (smp_load_acquire(&waiter->handed))
			goto handed;
		if (mutex_lock_killable(lock)) {
			/* Off @wq under its lock: @handed is final after this. */
			finish_wait(wq, &waiter->wait);
			if (nr_waiting)
				atomic_dec(nr_waiting);
			/* Acquire: as above. */
			if (smp_load_acquire(&waiter->handed))
				return IPCDEV_WAIT_HANDED;
			/* The condition cannot be checked: pass on blindly. */
			if (exclusive)
				wake_up(wq);
			return -EINTR;
		}
		if (waiter->handed) {
			mutex_unlock(lock);
			goto handed;
		}
		/*
		 * Usually woken for what we wait for, and already off @wq
		 * (autoremove): check before queueing again, so that the
		 * common wake-up costs no wait-queue locking at all.
		 */
		ret = check(arg);
		if (ret)
			break;
	}
	finish_wait(wq, &waiter->wait);
	if (nr_waiting)
		atomic_dec(nr_waiting);
	if (ret > 0)
		return 0;
	/* Leaving while the condition holds: hand any wake-up on. */
	if (exclusive && check(arg) > 0)
		wake_up(wq);
	return ret;

handed:
	/* The waker took us off @wq: this only sets TASK_RUNNING. */
	finish_wait(wq, &waiter->wait);
	if (nr_waiting)
		atomic_dec(nr_waiting);
	return IPCDEV_WAIT_HANDED;
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
 * ipcdev_wait_locked()).  The served waiter is taken off @wq, woken, and
 * then marked handed: it returns IPCDEV_WAIT_HANDED without re-taking
 * that lock.  It is woken before it is marked, so that it cannot have
 * returned (and freed its entry and maybe exited) while we wake it; woken
 * early, it finds the mark under the lock we hold.
 *
 * Return: true when a waiter was served.
 */
bool ipcdev_waiter_hand(wait_queue_head_t *wq,
			bool (*take)(struct ipcdev_waiter *waiter, void *arg),
			void *arg)
{
	struct ipcdev_waiter *waiter;
	bool served = false;

	spin_lock_irq(&wq->lock);
	waiter = list_first_entry_or_null(&wq->head, struct ipcdev_waiter,
					  wait.entry);
	if (waiter && take(waiter, arg)) {
		list_del_init(&waiter->wait.entry);
		wake_up_process(waiter->wait.private);
		/* Release: @take's work is done before the waiter sees it. */
		smp_store_release(&waiter->handed, 1);
		served = true;
	}
	spin_unlock_irq(&wq->lock);
	return served;
}
