/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The message-channel core (channel.c): a FIFO of whole messages with
 * blocking put and get, shared by the queue and pipe devices.  Its
 * messages are msg.h's.
 */
#ifndef _IPCDEV_CHANNEL_H
#define _IPCDEV_CHANNEL_H

#include <linux/fs.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/types.h>
#include <linux/wait.h>
#include "registry.h"
#include "wait.h"

struct ipc_msg;
struct ipcdev_user;

/**
 * struct ipc_chan - a FIFO of whole messages with blocking put and get
 * @lock:	guards every field below but the wait queues, which have
 *		their own lock; messages are copied to user space under it
 * @msgs:	queued struct ipc_msg, oldest first
 * @count:	messages queued; written under @lock, read locklessly by poll
 * @bytes:	payload bytes queued; as @count
 * @inflight:	messages a getter is copying out without @lock (one handed
 *		over, or a large one taken off the list): no longer queued,
 *		but they keep their room until delivered, since a failed
 *		copy puts them back; atomic: raised under @lock, lowered
 *		under it when the message goes back, without it when it was
 *		delivered (ipc_chan_delivered())
 * @inflight_bytes: their payload bytes; as @inflight
 * @getters:	tasks sleeping in get: raised under @lock, lowered under it
 *		except by a task killed while re-taking it (see wait.c)
 * @putters:	tasks sleeping in put; as @getters
 * @maxsize:	most messages (never 0: resolved at init; IPCDEV_UNLIMITED:
 *		no bound); immutable
 * @msgsize_max: longest message (IPCDEV_UNLIMITED: no bound); immutable
 * @bytes_max:	capacity in bytes (IPCDEV_UNLIMITED: no bound); immutable
 * @getq:	sleeping getters, exclusive waits, one woken per message
 * @putq:	sleeping putters, exclusive waits, one woken per freed room
 * @pollq:	poll/epoll waiters, woken with the ready events as key
 * @fasync_in:	where to signal readability (owner's list); may be NULL
 * @fasync_out:	where to signal writability; may be NULL
 * @no_getters:	the receiving side is gone: puts fail with -EPIPE; @lock
 * @no_putters:	the sending side is gone: an empty channel is at end of
 *		file; @lock
 * @spare:	a small message taken earlier, kept to carry the next one;
 *		taken and given back with xchg()/cmpxchg(), without @lock
 * @batch_spares: as @spare, for a batch's elements 1 .. IPC_CHAN_SPARES - 1
 *		(element i uses slot i % IPC_CHAN_SPARES, slot 0 being
 *		@spare); they keep only messages of IPC_MSG_SPARE_BATCH bytes
 *		or less
 *
 * Every entry of @getq is a getter's struct ipcdev_waiter: a put may hand
 * its message straight to the first one.
 */
/* Spare slots of a channel: a batch of 8 small messages allocates nothing. */
#define IPC_CHAN_SPARES	8

struct ipc_chan {
	struct mutex lock;	/* see above: guards the channel */
	struct list_head msgs;
	u64 count;
	u64 bytes;
	atomic_t inflight;
	atomic64_t inflight_bytes;
	atomic_t getters;
	atomic_t putters;
	u64 maxsize;
	u64 msgsize_max;
	u64 bytes_max;
	wait_queue_head_t getq;
	wait_queue_head_t putq;
	wait_queue_head_t pollq;
	struct fasync_struct **fasync_in;
	struct fasync_struct **fasync_out;
	bool no_getters;
	bool no_putters;
	struct ipc_msg *spare;
	struct ipc_msg *batch_spares[IPC_CHAN_SPARES - 1];
};

struct ipc_chan_limits {
	u64 maxsize;
	u64 msgsize_max;
	u64 bytes_max;
};

int ipc_chan_limits_resolve(struct ipc_chan_limits *lim, bool bounded);
void ipc_chan_init(struct ipc_chan *ch, const struct ipc_chan_limits *lim);
void ipc_chan_destroy(struct ipc_chan *ch);
int ipc_chan_put(struct ipc_chan *ch, const void __user *buf, u64 len,
		 const struct ipcdev_wait *w, struct ipcdev_user **quser);
int ipc_chan_get(struct ipc_chan *ch, void __user *buf, u64 size,
		 const struct ipcdev_wait *w, u64 *msglen,
		 struct ipc_msg **held);
/* read_iter() and write_iter(): one whole message per call, as read(2). */
struct iov_iter;
int ipc_chan_put_iter(struct ipc_chan *ch, struct iov_iter *from,
		      const struct ipcdev_wait *w, struct ipcdev_user **quser,
		      bool nowait);
int ipc_chan_get_iter(struct ipc_chan *ch, struct iov_iter *to,
		      const struct ipcdev_wait *w, u64 *msglen);
/* The PUT/SEND and GET/RECV ioctls of a channel, its edge (channel.c). */
long ipcdev_put_ioctl(struct ipc_chan *ch, const void __user *uarg,
		      struct file *file);
long ipcdev_get_ioctl(struct ipc_chan *ch, void __user *uarg,
		      struct file *file);
/* Their batches, PUT_MANY/SEND_MANY and GET_MANY/RECV_MANY (channel.c). */
long ipcdev_put_many_ioctl(struct ipc_chan *ch, void __user *uarg,
			   struct file *file);
long ipcdev_get_many_ioctl(struct ipc_chan *ch, void __user *uarg,
			   struct file *file);
__poll_t ipc_chan_poll(struct ipc_chan *ch, struct file *file,
		       poll_table *pt);
bool ipc_chan_full(struct ipc_chan *ch);
void ipc_chan_poll_wait(struct ipc_chan *ch, struct file *file,
			poll_table *pt);
void ipc_chan_waiters(struct ipc_chan *ch, u32 *getters, u32 *putters);
void ipc_chan_hangup(struct ipc_chan *ch, bool getters_gone,
		     bool putters_gone);
bool ipc_chan_readable(const struct ipc_chan *ch);
bool ipc_chan_writable(const struct ipc_chan *ch);
void ipc_chan_row(struct ipc_chan *ch, struct ipcdev_row *row);

/*
 * The VFS cuts a write(2) to MAX_RW_COUNT bytes before the device sees it,
 * so a write of that many bytes may be the head of a longer buffer.  A
 * message is never cut: write(2) refuses it (-EMSGSIZE); the PUT and SEND
 * ioctls carry any length.
 */
static inline bool ipcdev_write_maybe_cut(size_t len)
{
	return len >= MAX_RW_COUNT;
}

#endif /* _IPCDEV_CHANNEL_H */
