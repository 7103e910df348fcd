// SPDX-License-Identifier: GPL-2.0
/*
 * The robust lock of a /dev/ipcshm segment: the lock word in a page of its
 * own that user space may map, the table of locker ids, the LOCK, UNLOCK
 * and LOCKER ioctls, and the reaping of a holder that died.
 *
 * The lock belongs to a process (its thread-group pid).  It is a word in a
 * page of its own, made at the first LOCK or LOCKER, which user space may
 * map to lock and unlock with compare-and-swap (struct ipcdev_shm_locker);
 * the word names the holder by a locker id, which @lockers maps to its pid.
 * The kernel is entered when the swap fails: to sleep, after setting
 * IPCDEV_SHM_LOCK_WAITERS so that the holder's unlock comes here to wake
 * it.  A holder that dies is noticed when it unmaps the lock page or closes
 * its descriptors on the way out (vm close, flush) or, failing both, by
 * waiters re-checking the holder every IPCSHM_RECHECK_MS: the word becomes
 * IPCDEV_SHM_LOCK_DIED, which no swap from 0 can take, and the next LOCK
 * takes it and gets EOWNERDEAD.
 */
#include <linux/err.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "shm.h"
#include "wait.h"

/*
 * Can no thread of @owner run user code any more?  Only then may its lock
 * be taken from it.  A fatal signal is not enough: until a thread reaches
 * do_exit() (PF_EXITING) it may still be running its critical section on
 * another CPU.
 */
static bool ipcshm_owner_dead(struct pid *owner)
{
	struct task_struct *leader, *t;
	bool dead = true;

	rcu_read_lock();
	leader = pid_task(owner, PIDTYPE_TGID);
	if (leader) {
		for_each_thread(leader, t) {
			if (!t->exit_state && !(t->flags & PF_EXITING)) {
				dead = false;
				break;
			}
		}
	}
	rcu_read_unlock();
	return dead;
}

/* Make the lock word's page, once. */
static int ipcshm_word_alloc(struct ipcshm *shm)
	__must_hold(&shm->lock)
{
	lockdep_assert_held(&shm->lock);
	if (shm->word)
		return 0;
	shm->lock_page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!shm->lock_page)
		return -ENOMEM;
	shm->word = page_address(shm->lock_page);
	return 0;
}

/* The lock word, 0 (free) before the first locker. */
static u32 ipcshm_word(struct ipcshm *shm)
	__must_hold(&shm->lock)
{
	lockdep_assert_held(&shm->lock);
	return shm->word ? READ_ONCE(*shm->word) : 0;
}

/* The process with locker id @id, or NULL. */
static struct pid *ipcshm_locker(struct ipcshm *shm, u32 id)
	__must_hold(&shm->lock)
{
	lockdep_assert_held(&shm->lock);
	return id && id <= shm->nr_slots ? shm->lockers[id - 1] : NULL;
}

/* Drop the locker ids of exited processes, but the holder's. */
static void ipcshm_sweep(struct ipcshm *shm)
	__must_hold(&shm->lock)
{
	u32 held = IPCSHM_LOCK_ID(ipcshm_word(shm)), i;

	lockdep_assert_held(&shm->lock);

	for (i = 0; i < shm->nr_slots; i++) {
		if (!shm->lockers[i] || i + 1 == held ||
		    !ipcshm_owner_dead(shm->lockers[i]))
			continue;
		put_pid(shm->lockers[i]);
		shm->lockers[i] = NULL;
		shm->nr_lockers--;
	}
	shm->sweep_at = max_t(u32, IPCSHM_SWEEP_MIN, 2 * shm->nr_lockers);
}

/* A free slot for a new locker, growing @lockers: its index or -errno. */
static int ipcshm_free_slot(struct ipcshm *shm)
	__must_hold(&shm->lock)
{
	u32 i, n = shm->nr_slots;
	struct pid **grown;

	lockdep_assert_held(&shm->lock);

	if (shm->nr_lockers >= shm->sweep_at)
		ipcshm_sweep(shm);
	for (i = 0; i < n; i++)
		if (!shm->lockers[i])
			return i;
	if (n >= IPCDEV_SHM_LOCK_ID_MASK)
		return -ENOSPC;
	n = min_t(u32, max_t(u32, 4, 2 * n), IPCDEV_SHM_LOCK_ID_MASK);
	grown = krealloc_array(shm->lockers, n, sizeof(*grown),
			       GFP_KERNEL_ACCOUNT);
	if (!grown)
		return -ENOMEM;
	memset(grown + shm->nr_slots, 0,
	       (n - shm->nr_slots) * sizeof(*grown));
	shm->lockers = grown;
	i = shm->nr_slots;
	shm->nr_slots = n;
	return i;
}

/*
 * The locker id of the calling process, given out now if it has none and
 * @create: an id, 0 (none) or a negative errno.  An id is never given out
 * again while its process lives or holds the lock.
 */
static int ipcshm_my_id(struct ipcshm *shm, bool create)
	__must_hold(&shm->lock)
{
	struct pid *me = task_tgid(current);
	int slot;
	u32 i;

	lockdep_assert_held(&shm->lock);

	for (i = 0; i < shm->nr_slots; i++)
		if (shm->lockers[i] == me)
			return i + 1;
	if (!create)
		return 0;
	slot = ipcshm_free_slot(shm);
	if (slot < 0)
		return slot;
	shm->lockers[slot] = get_pid(me);
	shm->nr_lockers++;
	return slot + 1;
}

/*
 * If the word @w names a holder that is gone (or an id never given out),
 * make it IPCDEV_SHM_LOCK_DIED, so that the next LOCK is told, and wake a
 * waiter.  Returns the word as it is now.
 */
static u32 ipcshm_reap(struct ipcshm *shm, u32 w)
	__must_hold(&shm->lock)
{
	struct pid *pid;

	lockdep_assert_held(&shm->lock);

	if (!IPCSHM_LOCK_ID(w))
		return w;
	pid = ipcshm_locker(shm, IPCSHM_LOCK_ID(w));
	if (pid && !ipcshm_owner_dead(pid))
		return w;
	if (cmpxchg(shm->word, w, IPCDEV_SHM_LOCK_DIED) != w)
		return READ_ONCE(*shm->word);
	wake_up(&shm->lockq);
	return IPCDEV_SHM_LOCK_DIED;
}

/* The holder's pid, after reaping a dead one; NULL when free. */
struct pid *ipcshm_holder(struct ipcshm *shm)
	__must_hold(&shm->lock)
{
	u32 w = ipcshm_word(shm);

	lockdep_assert_held(&shm->lock);

	if (w)
		w = ipcshm_reap(shm, w);
	return ipcshm_locker(shm, IPCSHM_LOCK_ID(w));
}

/* Tries at a word that keeps changing before waiting for a wake-up. */
#define IPCSHM_CAS_TRIES	16

struct ipcshm_lock_cond {
	struct ipcshm *shm;
	bool nonblock;
};

/*
 * The wait condition of LOCK: 1 when the lock is free (or its holder died),
 * else 0 once IPCDEV_SHM_LOCK_WAITERS is set (unless we will not wait), so
 * that the holder's unlock comes to the kernel and wakes us.  Taking it is
 * ipcshm_take()'s.
 */
static int ipcshm_lock_check(void *arg)
{
	struct ipcshm_lock_cond *c = arg;
	struct ipcshm *shm = c->shm;
	u32 w = READ_ONCE(*shm->word), old;
	int i;

	lockdep_assert_held(&shm->lock);
	for (i = 0; i < IPCSHM_CAS_TRIES; i++) {
		w = ipcshm_reap(shm, w);
		if (!IPCSHM_LOCK_ID(w))
			return 1;
		if (c->nonblock || w & IPCDEV_SHM_LOCK_WAITERS)
			return 0;
		old = cmpxchg(shm->word, w, w | IPCDEV_SHM_LOCK_WAITERS);
		if (old == w)
			return 0;
		w = old;
	}
	return 0;
}

/*
 * Take the free lock for @id, keeping IPCDEV_SHM_LOCK_WAITERS while others
 * sleep.  Returns 1 (taken), -EOWNERDEAD (taken from a dead holder), or 0
 * when user space took it first.
 */
static int ipcshm_take(struct ipcshm *shm, u32 id)
	__must_hold(&shm->lock)
{
	u32 w = READ_ONCE(*shm->word), new = id;

	lockdep_assert_held(&shm->lock);

	if (IPCSHM_LOCK_ID(w))
		return 0;
	if (atomic_read(&shm->lock_waiters))
		new |= IPCDEV_SHM_LOCK_WAITERS;
	/* Acquire, as the user-space swap: the critical section follows. */
	if (cmpxchg_acquire(shm->word, w, new) != w)
		return 0;
	return w & IPCDEV_SHM_LOCK_DIED ? -EOWNERDEAD : 1;
}

long ipcshm_ioctl_lock(struct file *file, struct ipcshm *shm,
		       void __user *uarg)
{
	struct ipcshm_lock_cond c = { .shm = shm };
	struct ipcdev_shm_lock arg;
	struct ipcdev_wait w;
	int ret, id;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.reserved)
		return -EINVAL;
	ret = ipcdev_wait_init(&w, file, arg.flags, arg.deadline_ns);
	if (ret)
		return ret;
	w.recheck_ms = IPCSHM_RECHECK_MS;
	c.nonblock = w.nonblock;
	ret = mutex_lock_killable(&shm->lock);
	if (ret)
		return ret;
	ret = ipcshm_word_alloc(shm);
	if (ret)
		goto out;
	id = ipcshm_my_id(shm, true);
	if (id < 0) {
		ret = id;
		goto out;
	}
	if (IPCSHM_LOCK_ID(READ_ONCE(*shm->word)) == id) {
		ret = -EDEADLK;
		goto out;
	}
	for (;;) {
		ret = ipcdev_wait_locked(&shm->lockq, &shm->lock,
					 ipcshm_lock_check, &c, &w,
					 IPCDEV_WQ_EXCLUSIVE,
					 &shm->lock_waiters, NULL);
		if (ret == -EINTR)
			return ret;	/* killed; shm->lock was not re-taken */
		if (ret)
			goto out;
		ret = ipcshm_take(shm, id);
		if (ret)
			break;
		/* A user-space swap got in first: wait again. */
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			goto out;
		}
		cond_resched();
	}
	if (ret > 0)
		ret = 0;
out:
	mutex_unlock(&shm->lock);
	return ret;
}

long ipcshm_unlock(struct ipcshm *shm)
{
	u32 w, old, id;
	int i, ret = -EPERM;
	bool wake = false;

	mutex_lock(&shm->lock);
	w = ipcshm_word(shm);
	id = IPCSHM_LOCK_ID(w);
	if (ipcshm_locker(shm, id) != task_tgid(current))
		id = 0;			/* not ours (or free) */
	for (i = 0; id && i < IPCSHM_CAS_TRIES; i++) {
		if (IPCSHM_LOCK_ID(w) != id)
			break;
		/* Release: the critical section is done before it shows. */
		old = cmpxchg_release(shm->word, w, 0);
		if (old == w) {
			wake = atomic_read(&shm->lock_waiters);
			ret = 0;
			break;
		}
		w = old;
	}
	mutex_unlock(&shm->lock);
	/*
	 * After the unlock: a woken locker re-takes shm->lock, which we would
	 * still hold.  A sleeper counted in lock_waiters was queued on lockq
	 * before it let shm->lock go, so the wake-up cannot miss it.
	 */
	if (wake)
		wake_up(&shm->lockq);
	return ret;
}

/* Give the calling process its locker id and the lock page's offset. */
long ipcshm_ioctl_locker(struct ipcshm *shm, void __user *uarg)
{
	struct ipcdev_shm_locker arg;
	int ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.flags || arg.reserved[0] || arg.reserved[1])
		return -EINVAL;
	ret = mutex_lock_killable(&shm->lock);
	if (ret)
		return ret;
	ret = ipcshm_word_alloc(shm);
	if (!ret)
		ret = ipcshm_my_id(shm, true);
	mutex_unlock(&shm->lock);
	if (ret < 0)
		return ret;
	arg.id = ret;
	arg.offset = IPCDEV_SHM_LOCK_OFFSET;
	return copy_to_user(uarg, &arg, sizeof(arg)) ? -EFAULT : 0;
}

/*
 * A mapping of the lock page: the page itself, inserted at mmap() time (as
 * kcov does), copied to a child by fork().  Its file stays the ipcdev
 * handle, whose reference keeps the segment.  Unmapping it, which exit
 * does, frees the lock of a holder that died.
 */
static void ipcshm_lock_vm_close(struct vm_area_struct *vma)
{
	struct ipcshm *shm = ipcshm_of(vma->vm_file);

	mutex_lock(&shm->lock);
	ipcshm_holder(shm);
	mutex_unlock(&shm->lock);
}

static const struct vm_operations_struct ipcshm_lock_vm_ops = {
	.close		= ipcshm_lock_vm_close,
};

int ipcshm_mmap_lock(struct file *file, struct ipcshm *shm,
		     struct vm_area_struct *vma)
{
	int ret;

	/* VM_MAYSHARE: a shared mapping of a read-only file lacks VM_SHARED. */
	if (vma_pages(vma) != 1 || !(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	if ((vma->vm_flags & VM_WRITE) &&
	    !(ipcdev_handle(file)->fmode & FMODE_WRITE))
		return -EACCES;
	if (vma->vm_flags & VM_EXEC)
		return -EPERM;
	ret = mutex_lock_killable(&shm->lock);
	if (ret)
		return ret;
	ret = ipcshm_word_alloc(shm);
	mutex_unlock(&shm->lock);
	if (ret)
		return ret;
	ipcdev_vm_flags_mod(vma, VM_DONTEXPAND | VM_DONTDUMP, VM_MAYEXEC);
	ret = vm_insert_page(vma, vma->vm_start, shm->lock_page);
	if (ret)
		return ret;
	vma->vm_ops = &ipcshm_lock_vm_ops;
	return 0;
}

/* Free the lock's page and locker table with the segment. */
void ipcshm_lock_free(struct ipcshm *shm)
{
	u32 i;

	for (i = 0; i < shm->nr_slots; i++)
		put_pid(shm->lockers[i]);
	kfree(shm->lockers);
	if (shm->lock_page)
		__free_page(shm->lock_page);
}
