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
 *
 * @lock is re-taken killably after each sleep: the holder may be copying
 * to or from user memory that takes long to fault in, and SIGKILL must
 * still end the wait at once.  A task killed there returns -EINTR WITHOUT
 * @lock; it passes on any wake-up it may have consumed.
 *
 * Return: 0 when @check said go on, its errno, -EAGAIN (non-blocking),
 * -ETIMEDOUT, -ERESTARTSYS (a signal: restarts under SA_RESTART, EINTR
 * otherwise; the deadline being absolute, a restart never waits longer);
 * all with @lock held; or -EINTR with @lock released (fatal signal).
 */
int ipcdev_wait_locked(wait_queue_head_t *wq, struct mutex *lock,
		       int (*check)(void *arg), void *arg,
		       const struct ipcdev_wait *w, bool exclusive,
		       atomic_t *nr_waiting)
{
	DEFINE_WAIT(wait);
	bool woken = false;
	int ret;

	ret = check(arg);
	if (ret)
		return ret < 0 ? ret : 0;
	if (w->nonblock)
		return -EAGAIN;

	if (nr_waiting)
		atomic_inc(nr_waiting);
	for (;;) {
		ipcdev_prepare_wait(wq, &wait, exclusive, woken);
		ret = check(arg);
		if (ret)
			break;
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
		if (mutex_lock_killable(lock)) {
			finish_wait(wq, &wait);
			if (nr_waiting)
				atomic_dec(nr_waiting);
			/* The condition cannot be checked: pass on blindly. */
			if (exclusive)
				wake_up(wq);
			return -EINTR;
		}
	}
	finish_wait(wq, &wait);
	if (nr_waiting)
		atomic_dec(nr_waiting);
	if (ret > 0)
		return 0;
	/* Leaving while the condition holds: hand any wake-up on. */
	if (exclusive && check(arg) > 0)
		wake_up(wq);
	return ret;
}
