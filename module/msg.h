/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Messages (msg.c): how a channel's message is stored, allocated, filled,
 * copied out, and kept as a spare to carry the next one.
 */
#ifndef _IPCDEV_MSG_H
#define _IPCDEV_MSG_H

#include <linux/atomic.h>
#include <linux/err.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/sizes.h>
#include <linux/types.h>
#include <linux/uaccess.h>
#include "params.h"
#include "quota.h"

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

/*
 * A message belongs to whoever holds it: its sender while it is built, the
 * channel's list (under the channel's lock) while queued, the getter that
 * took it off the list or was handed it, or a channel's spare slot.
 */
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
 * Above this size a message's pieces are whole pages, and a get copies it
 * out without the channel's lock (channel.c).
 */
#define IPC_MSG_PAGES_MIN	SZ_64K

/*
 * A channel keeps the last message taken to carry the next one, as pipe(2)
 * keeps a spare page, so that a steady exchange allocates (and zeroes)
 * nothing.  Up to this size (one page and a small tail: a 4 KiB message)
 * always; a larger one while all large spares together stay within the
 * spare_max parameter (ipcdev_nr_spare counts them).  A spare carries a
 * message that fills more than half of it.  The spare slot (a channel's
 * @spare) is taken and given back with xchg()/cmpxchg(), without a lock.
 */
#define IPC_MSG_SPARE_SMALL	(IPC_MSG_HEAD_DATA + 256)
/* The most a channel's batch spare slots keep (a kmalloc-512 piece). */
#define IPC_MSG_SPARE_BATCH	(512 - sizeof(struct ipc_msg))

void ipc_msg_release(struct ipc_msg *msg);
bool ipc_msg_spare_budget(struct ipc_msg *msg, bool add);
int ipc_msg_copy_in_pieces(struct ipc_msg *msg, const char __user *buf);
int ipc_msg_copy_out_pieces(const struct ipc_msg *msg, char __user *buf);
struct ipc_msg *ipc_msg_alloc(u64 len, const char __user *buf);
struct iov_iter;
int ipc_msg_copy_from_iter(struct ipc_msg *msg, struct iov_iter *from);
int ipc_msg_copy_to_iter(const struct ipc_msg *msg, struct iov_iter *to);
struct ipc_msg *ipc_msg_alloc_iter(u64 len, struct iov_iter *from);
void ipc_msg_drop_spare(struct ipc_msg **spare);

/* Give back a message's bytes to its sender's quota and its memory. */
static inline void ipc_msg_free(struct ipc_msg *msg)
{
	ipcdev_uncharge_msg(msg->user, msg->len);
	ipc_msg_release(msg);
}

/* Keep @msg in the slot *@spare if it is empty and @msg may be kept. */
static __always_inline void ipc_msg_keep_spare(struct ipc_msg **spare,
					       struct ipc_msg *msg)
{
	bool large = msg->cap > IPC_MSG_SPARE_SMALL;

	if (large && !ipc_msg_spare_budget(msg, true))
		goto release;
	if (!cmpxchg(spare, NULL, msg))
		return;
	if (large)
		ipc_msg_spare_budget(msg, false);
release:
	ipc_msg_release(msg);
}

/*
 * The spare in *@spare, for a message of @len bytes, when it is large
 * enough (its pieces, filled in order, hold any @len up to its @cap) and
 * not twice too large; else NULL: the caller makes a new one.
 */
static __always_inline struct ipc_msg *ipc_msg_take_spare(struct ipc_msg **spare,
							  u64 len)
{
	struct ipc_msg *msg = READ_ONCE(*spare) ? xchg(spare, NULL) : NULL;

	if (msg) {
		if (len <= msg->cap && (msg->cap <= IPC_MSG_SPARE_SMALL ||
					len > msg->cap / 2)) {
			if (msg->cap > IPC_MSG_SPARE_SMALL)
				ipc_msg_spare_budget(msg, false);
			msg->len = len;
			return msg;
		}
		/* Back, for a later message; ours is new. */
		if (cmpxchg(spare, NULL, msg)) {
			if (msg->cap > IPC_MSG_SPARE_SMALL)
				ipc_msg_spare_budget(msg, false);
			ipc_msg_release(msg);
		}
	}
	return NULL;
}

/* A message was taken: settle the quota, keep the memory as a spare. */
static __always_inline void ipc_msg_done(struct ipc_msg **spare,
					 struct ipc_msg *msg)
{
	ipcdev_uncharge_msg(msg->user, msg->len);
	msg->user = NULL;
	ipc_msg_keep_spare(spare, msg);
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

/*
 * Copy @msg out to @to, an iterator, or, when it is NULL, to the user
 * memory at @buf: read_iter() gives an iterator, read(2) and the ioctls a
 * pointer.  With a constant NULL @to the iterator's path folds away.
 */
static __always_inline int ipc_msg_copy_out_any(const struct ipc_msg *msg,
						char __user *buf,
						struct iov_iter *to)
{
	return to ? ipc_msg_copy_to_iter(msg, to) : ipc_msg_copy_out(msg, buf);
}

/*
 * The message of @len bytes at @buf (or in @from, if not NULL), charged to
 * the sender.  The quota is charged first, so that a message the sender
 * may not hold fails with -EDQUOT before any memory is taken, and no
 * message can make the kernel hold more than the machine's memory.
 * Nothing is visible to others.  Inline: every put's path.
 */
static __always_inline struct ipc_msg *
__ipc_msg_build(struct ipc_msg **spare, const void __user *buf,
		struct iov_iter *from, u64 len, struct ipcdev_user **quser)
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
	msg = ipc_msg_take_spare(spare, len);
	if (msg) {
		ret = 0;
		if (len)
			ret = from ? ipc_msg_copy_from_iter(msg, from) :
				     ipc_msg_copy_in(msg, buf);
		if (ret) {
			ipc_msg_keep_spare(spare, msg);
			goto out_uncharge;
		}
	} else {
		msg = from ? ipc_msg_alloc_iter(len, from) :
			     ipc_msg_alloc(len, buf);
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

/* The message of @len bytes at @buf (the PUT ioctl's, write(2)'s). */
static __always_inline struct ipc_msg *
ipc_msg_from_user(struct ipc_msg **spare, const void __user *buf, u64 len,
		  struct ipcdev_user **quser)
{
	return __ipc_msg_build(spare, buf, NULL, len, quser);
}

#endif /* _IPCDEV_MSG_H */
