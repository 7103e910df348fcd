/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The shared-memory segment of /dev/ipcshm, shared by shm.c (the segment,
 * its mappings, the change counter, pread/pwrite) and shmlock.c (the
 * segment's robust lock and its locker table).
 */
#ifndef _IPCDEV_SHM_H
#define _IPCDEV_SHM_H

#include <linux/atomic.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/wait.h>
#include "handle.h"
#include "registry.h"

#define IPCSHM_RECHECK_MS	100
/* Sweep the locker ids of exited processes when there are this many. */
#define IPCSHM_SWEEP_MIN	64
#define IPCSHM_LOCK_PGOFF	(IPCDEV_SHM_LOCK_OFFSET >> PAGE_SHIFT)
#define IPCSHM_LOCK_ID(w)	((w) & IPCDEV_SHM_LOCK_ID_MASK)

/**
 * struct ipcshm - a segment
 * @obj:	registry part; @obj.ref counts handles (a lock page's mappings
 *		hold one) and the name
 * @shmem:	the memory; immutable
 * @size:	bytes; immutable
 * @count:	elements; immutable
 * @type:	typecode or IPCDEV_SHM_RAW; immutable
 * @elem_size:	bytes per element; immutable
 * @lock:	guards @lock_page, @lockers, @nr_lockers, @sweep_at, @seq,
 *		every handle's @seen, and the kernel's changes of @word; the
 *		waiter counts are raised under it
 * @lock_page:	the page of the lock word, or NULL until the first locker;
 *		set once, freed with the segment
 * @word:	the lock word, at the start of @lock_page; user space changes
 *		it too (only with compare-and-swap, unless it misbehaves), so
 *		the kernel changes it with cmpxchg() and trusts nothing in it
 * @lockers:	slot id - 1: the struct pid (a reference) of each process
 *		that took the lock or asked for its id, or NULL; a plain
 *		array, as there are few and the slow path searches it
 * @nr_slots:	size of @lockers
 * @nr_lockers:	slots in use
 * @sweep_at:	@nr_lockers at which those of exited processes are dropped
 * @lock_waiters: tasks waiting for the segment lock
 * @change_waiters: tasks in WAIT_CHANGE
 * @seq:	the change counter; also read locklessly by poll
 * @lockq:	lockers, exclusive waits
 * @changeq:	change waiters and pollers, all woken by a change
 * @io_lock:	serialises reads and writes through the file and ioctls
 * @fasync:	handles with O_ASYNC; fasync_helper()'s own locking
 */
struct ipcshm {
	struct ipcdev_obj obj;
	struct file *shmem;
	u64 size;
	u64 count;
	u32 type;
	u32 elem_size;
	struct mutex lock;	/* see above */
	struct page *lock_page;
	u32 *word;
	struct pid **lockers;
	u32 nr_slots;
	u32 nr_lockers;
	u32 sweep_at;
	atomic_t lock_waiters;
	atomic_t change_waiters;
	u64 seq;
	wait_queue_head_t lockq;
	wait_queue_head_t changeq;
	struct mutex io_lock;	/* see above */
	struct fasync_struct *fasync;
};

/* Set and clear flags of a VMA being mmap()ed: vm_flags_mod() from 6.3. */
static inline void ipcdev_vm_flags_mod(struct vm_area_struct *vma, vm_flags_t set,
				       vm_flags_t clear)
{
#ifdef IPCDEV_HAVE_VM_FLAGS_MOD
	vm_flags_mod(vma, set, clear);
#else
	vma->vm_flags = (vma->vm_flags | set) & ~clear;
#endif
}

static inline struct ipcshm *to_shm(struct ipcdev_obj *obj)
{
	return container_of(obj, struct ipcshm, obj);
}

/* The segment of an object descriptor. */
static inline struct ipcshm *ipcshm_of(struct file *file)
{
	return to_shm(ipcdev_file_obj(file));
}

/* The lock (shmlock.c); the callers hold no lock unless said. */
long ipcshm_ioctl_lock(struct file *file, struct ipcshm *shm,
		       void __user *uarg);
long ipcshm_unlock(struct ipcshm *shm);
long ipcshm_ioctl_locker(struct ipcshm *shm, void __user *uarg);
struct pid *ipcshm_holder(struct ipcshm *shm);	/* under @shm->lock */
int ipcshm_mmap_lock(struct file *file, struct ipcshm *shm,
		     struct vm_area_struct *vma);
void ipcshm_lock_free(struct ipcshm *shm);

#endif /* _IPCDEV_SHM_H */
