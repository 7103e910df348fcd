// SPDX-License-Identifier: GPL-2.0
/*
 * Waiting, the one way every ipcdev call sleeps: never, until an absolute
 * CLOCK_MONOTONIC deadline, or as long as needed; always interruptible, so a
 * signal ends the wait (restarting the call under SA_RESTART) and SIGKILL
 * ends it at once.
 */
#include <linux/hrtimer.h>
#include <linux/sched/signal.h>
#include "wait.h"

/* Timer slack of a timed wait, as for a SCHED_OTHER task's default. */
#define IPCDEV_WAIT_SLACK_NS	50000

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

/*
 * Leave @wq without the sleepers' lock (a fatal signal): true when a waker
 * served @waiter first.  A waker takes the waiter off @wq, then sets
 * @handed and wakes it, all under @wq's lock (ipcdev_waiter_served()),
 * so an entry already off @wq does not mean that @handed is final:
 * finish_wait() skips the lock for such an entry, and a waiter that read
 * @handed after it could miss the mark, and lose what it was handed (a
 * message).  Under @wq's lock, the waker has finished with @waiter.
 */
static bool ipcdev_waiter_leave(wait_queue_head_t *wq,
				struct ipcdev_waiter *waiter)
{
	unsigned long flags;
	bool handed;

	__set_current_state(TASK_RUNNING);
	spin_lock_irqsave(&wq->lock, flags);
	list_del_init(&waiter->wait.entry);
	handed = waiter->handed;
	spin_unlock_irqrestore(&wq->lock, flags);
	return handed;
}

/**
 * ipcdev_wait_sleep() - the sleeping part of ipcdev_wait_locked()
 * @wq:		as for ipcdev_wait_locked()
 * @lock:	as for ipcdev_wait_locked()
 * @check:	as for ipcdev_wait_locked(); just found false under @lock
 * @arg:	for @check
 * @w:		how long; not non-blocking
 * @how:	as for ipcdev_wait_locked()
 * @nr_waiting:	as for ipcdev_wait_locked()
 * @waiter:	as for ipcdev_wait_locked()
 * Return: as ipcdev_wait_locked().
 */
int ipcdev_wait_sleep(wait_queue_head_t *wq, struct mutex *lock,
		      int (*check)(void *arg), void *arg,
		      const struct ipcdev_wait *w, unsigned int how,
		      atomic_t *nr_waiting, struct ipcdev_waiter *waiter)
{
	bool exclusive = how & IPCDEV_WQ_EXCLUSIVE;
	struct ipcdev_waiter own;
	bool woken = false;
	int ret;

	lockdep_assert_held(lock);
	if (!waiter)
		waiter = &own;
	init_wait(&waiter->wait);
	waiter->handed = 0;
	if (nr_waiting)
		atomic_inc(nr_waiting);
	if (nr_waiting && (how & IPCDEV_WQ_RECHECK)) {
		/*
		 * Counted, then checked again: a waker that changes the state
		 * without @lock and then reads the count (ipc_chan_delivered())
		 * either sees us counted, and wakes us under @lock, or its
		 * change is seen here.
		 */
		smp_mb__after_atomic();
		ret = check(arg);
		if (ret) {
			atomic_dec(nr_waiting);
			return ret < 0 ? ret : 0;
		}
	}
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
			bool handed = ipcdev_waiter_leave(wq, waiter);

			if (nr_waiting)
				atomic_dec(nr_waiting);
			if (handed)
				return IPCDEV_WAIT_HANDED;
			/* The condition cannot be checked: pass on blindly. */
			if (exclusive)
				wake_up(wq);
			return -EINTR;
		}
		lockdep_assert_held(lock);
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
