/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ipcdev internal interfaces: the devices' view.  The layers, bottom up,
 * each with its header and its files:
 *
 *   params.h	 hard limits, module parameters, counters	main.c
 *   quota.h	 per-user quotas of objects and bytes		quota.c
 *   registry.h	 objects: ids, names, permissions, namespaces	registry.c ns.c
 *   handle.h	 object descriptors; the devices' factory	handle.c factory.c
 *   wait.h	 blocking, timed and non-blocking waits		wait.c
 *   msg.h	 messages: allocation, copies, spares		msg.c
 *   channel.h	 the message FIFO of queues and pipes		channel.c
 *   shm.h	 the segment, shared by shm.c and its lock	shm.c shmlock.c
 *
 * and, on top, the devices (queue.c, pipe.c, event.c, shm.c) and /proc
 * (proc.c).  A header includes the ones below it that it needs.
 */
/*
 * Locking.  Every lock of the module, what it guards, and what may be taken
 * inside it; "->" reads "is taken before (outside)".  The functions that
 * need a lock held say so with lockdep_assert_held().
 *
 * Mutexes (sleeping allowed inside, unless said):
 *
 *   ipcdev_registry_lock (registry.c): the name list, every object's name
 *	link (@node, @linked), @uid, @gid, @mode, the named count, and an
 *	object's leaving the id array, so that the walk of /proc/ipcdev/objects
 *	(ipcdev_registry_walk(), kind->row() inside, without the object's
 *	locks) never meets an object being torn down.  Taken with no other
 *	ipcdev lock held: a reference is dropped (ipcdev_obj_put(), whose last
 *	put takes it) only after it is released.  Inside: the id array's
 *	xa_lock, a segment's shmem i_mmap lock (its mapping count).
 *   ipcpipe.ends_lock (pipe.c): a pipe's handle counts per end.
 *	ends_lock -> ipc_chan.lock (ipc_chan_hangup()).
 *   ipc_chan.lock (channel.c): a channel's message list, counters, and its
 *	hang-up flags.  Innermost of the mutexes; held while a message of up to
 *	64 KiB is copied to user space (it may fault, and sleep); never taken
 *	under mmap_lock (no channel is mapped).  No other user memory is
 *	written under it: the GET ioctl's length is stored by the edge
 *	(ipcdev_get_ioctl()) after the core has released it, the message held
 *	in flight until then (ipc_chan_get_end()).  Inside: the wait queue
 *	locks, the fasync lock.
 *   ipcevent.lock (event.c): an event's flag and SET count.  Inside: the
 *	wait queue locks, the fasync lock.
 *   ipcshm.io_lock (shm.c): serialises reads and writes of a segment's
 *	bytes through the file and the READ/WRITE ioctls; user memory is
 *	copied under it.  io_lock -> the shmem inode's locks, mmap_lock (the
 *	copy faulting), ipcshm.lock (the change counter).
 *   ipcshm.lock (shm.c, shmlock.c): the lock word's page, the locker table,
 *	the change counter, every handle's @seen (but a READ's store of the
 *	counter it read, which at worst makes poll report a change again), the
 *	kernel's changes of the lock word.  Taken under mmap_lock (mmap() of the lock page, its
 *	vm close), so it never touches user memory: ioctls copy in before it
 *	and out after it.  Inside: the wait queue locks, the fasync lock;
 *	page allocations.
 *
 * Spinlocks (no sleeping inside):
 *
 *   ipcdev_users_lock (quota.c): the quota records' hash, @objects, and
 *	their freeing.  Innermost; taken with no other lock of ours held (a
 *	message's quota is settled once the channel's lock is released), or
 *	under rcu_read_lock() (ipcdev_uncharge_msg()).
 *   wait_queue_head.lock of every wait queue (wait.c, wait.h): its
 *	entries; ipcdev_waiter_hand() and ipcdev_waiter_hand_all() run their
 *	@take (ipc_getter_take(), ipcevent_serve()) under it, so those must not
 *	sleep.  Taken alone (poll_wait(), a sleeper queueing itself or
 *	leaving) or inside the object's mutex that guards the state a waker
 *	changed: ipc_chan.lock, ipcevent.lock, ipcshm.lock.
 *
 * Lockless, by design: the counts polled (@count, @bytes, @seq, @set:
 * WRITE_ONCE() under their lock, READ_ONCE() outside), the waiter counts
 * (atomic), a channel's in-flight counts (atomic: a delivered message
 * gives its room back without ipc_chan.lock, ipc_chan_delivered(), which
 * takes it only to wake a counted putter), a channel's spare message slot
 * (xchg()/cmpxchg(): the spare cache has no lock; ipcdev_nr_spare, its
 * global budget, is atomic), a handle's quota record (cmpxchg()), a
 * user's @bytes (atomic, records freed after RCU).
 *
 * A sleeper in ipcdev_wait_locked() drops its object's mutex while asleep
 * and re-takes it killably: a task killed there returns without it.
 */

#ifndef _IPCDEV_INTERNAL_H
#define _IPCDEV_INTERNAL_H

#include <linux/init.h>
#include "params.h"
#include "quota.h"
#include "registry.h"
#include "handle.h"
#include "wait.h"
#include "channel.h"

/* The devices (queue.c, pipe.c, event.c, shm.c), registered by main.c. */
struct miscdevice;
extern struct miscdevice ipcq_misc;
extern struct miscdevice ipcpipe_misc;
extern struct miscdevice ipcevent_misc;
extern struct miscdevice ipcshm_misc;

/* /proc/ipcdev (proc.c). */
int __init ipcdev_proc_init(void);
void ipcdev_proc_exit(void);

#endif /* _IPCDEV_INTERNAL_H */
