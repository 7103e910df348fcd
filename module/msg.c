// SPDX-License-Identifier: GPL-2.0
/*
 * The message allocator of the channels: a message of any size built from
 * user memory as a chain of pieces, charged to its sender, copied out
 * piece by piece, and kept as its channel's spare once taken (msg.h).
 */
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/uio.h>
#include "msg.h"

/*
 * No OOM kill for a message: killing its sender frees none of the memory
 * already queued, so a put that finds none (in its memory cgroup, or at
 * all) fails with ENOMEM instead.
 */
#define IPC_MSG_GFP		(GFP_KERNEL_ACCOUNT | __GFP_NOWARN | \
				 __GFP_RETRY_MAYFAIL)

/*
 * Messages of any size: a large one is a chain of single pages, charged to
 * the sender's memory cgroup (__GFP_ACCOUNT) and to its byte quota before
 * the first page is taken, so that the quota bounds what a sender can make
 * the kernel hold and EDQUOT comes at once.  Its pages may fail rather than
 * invoke the OOM killer (__GFP_RETRY_MAYFAIL: -ENOMEM).  Building and
 * copying it happen without the channel's lock, in chunks of IPC_MSG_CHUNK pieces
 * between which a fatal signal ends the call (and rescheduling may
 * happen); nothing is visible to anybody until the message is linked.
 */
#define IPC_MSG_PAGE_GFP	(IPC_MSG_GFP | __GFP_RETRY_MAYFAIL)
#define IPC_MSG_CHUNK		256

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
void ipc_msg_release(struct ipc_msg *msg)
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

/*
 * Fill @n bytes at @dst from @from, an iterator, or, when it is NULL, from
 * the user memory at @buf.  Return: 0 or -EFAULT.
 */
static __always_inline int ipc_piece_in(void *dst, const char __user *buf,
					struct iov_iter *from, size_t n)
{
	if (from)
		return copy_from_iter(dst, n, from) == n ? 0 : -EFAULT;
	return copy_from_user(dst, buf, n) ? -EFAULT : 0;
}

/* As ipc_piece_in(), out of @src into @to or @buf. */
static __always_inline int ipc_piece_out(char __user *buf, struct iov_iter *to,
					 const void *src, size_t n)
{
	if (to)
		return copy_to_iter(src, n, to) == n ? 0 : -EFAULT;
	return copy_to_user(buf, src, n) ? -EFAULT : 0;
}

/*
 * A message of @len bytes filled from @from, or from @buf when @from is
 * NULL, charged to nobody.  Each piece is filled as soon as it is
 * obtained, so that a bad buffer fails before more memory is taken than
 * it proved to hold.  @cap counts all that the pieces obtained can hold,
 * so that a spare can carry any message up to @cap.  Return: the message,
 * ERR_PTR(-ENOMEM), ERR_PTR(-EFAULT), or ERR_PTR(-EINTR) when a fatal
 * signal came.
 */
static __always_inline struct ipc_msg *
__ipc_msg_alloc(u64 len, const char __user *buf, struct iov_iter *from)
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
	if (ipc_piece_in(msg->data, buf, from, n))
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
		if (ipc_piece_in(seg->data, buf, from, n))
			goto out_fault;
	}
	return msg;

out_fault:
	ret = -EFAULT;
out_release:
	ipc_msg_release(msg);
	return ERR_PTR(ret);
}

/* A message of @len bytes from the user memory at @buf. */
struct ipc_msg *ipc_msg_alloc(u64 len, const char __user *buf)
{
	return __ipc_msg_alloc(len, buf, NULL);
}

/* A message of @len bytes from @from (read(2)'s iterator, any kind). */
struct ipc_msg *ipc_msg_alloc_iter(u64 len, struct iov_iter *from)
{
	return __ipc_msg_alloc(len, NULL, from);
}

/* Take a large spare's bytes out of (@add false) or into the budget. */
bool ipc_msg_spare_budget(struct ipc_msg *msg, bool add)
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

/*
 * Fill @msg from @from, or from @buf when @from is NULL, piece by piece.
 * Return: 0, -EFAULT, or -EINTR (a fatal signal between two chunks).
 */
static __always_inline int __ipc_msg_copy_in(struct ipc_msg *msg,
					     const char __user *buf,
					     struct iov_iter *from)
{
	size_t n = min_t(u64, msg->len, IPC_MSG_HEAD_DATA);
	u64 left = msg->len - n;
	struct ipc_msg_seg *seg;
	unsigned long piece = 0;

	if (ipc_piece_in(msg->data, buf, from, n))
		return -EFAULT;
	for (seg = msg->next; seg; seg = seg->next) {
		if (ipc_msg_chunk_killed(++piece))
			return -EINTR;
		buf += n;
		n = min_t(u64, left, IPC_MSG_SEG_DATA);
		if (ipc_piece_in(seg->data, buf, from, n))
			return -EFAULT;
		left -= n;
	}
	return 0;
}

/*
 * Copy @msg out to @to, or to @buf when @to is NULL, piece by piece.
 * Return: 0, -EFAULT, or -EINTR (a fatal signal between two chunks).
 */
static __always_inline int __ipc_msg_copy_out(const struct ipc_msg *msg,
					      char __user *buf,
					      struct iov_iter *to)
{
	size_t n = min_t(u64, msg->len, IPC_MSG_HEAD_DATA);
	u64 left = msg->len - n;
	struct ipc_msg_seg *seg;
	unsigned long piece = 0;

	if (ipc_piece_out(buf, to, msg->data, n))
		return -EFAULT;
	for (seg = msg->next; seg; seg = seg->next) {
		if (ipc_msg_chunk_killed(++piece))
			return -EINTR;
		buf += n;
		n = min_t(u64, left, IPC_MSG_SEG_DATA);
		if (ipc_piece_out(buf, to, seg->data, n))
			return -EFAULT;
		left -= n;
	}
	return 0;
}

/* Fill @msg from user memory: ipc_msg_copy_in()'s slow path. */
int ipc_msg_copy_in_pieces(struct ipc_msg *msg, const char __user *buf)
{
	return __ipc_msg_copy_in(msg, buf, NULL);
}

/* Copy @msg out to user memory: ipc_msg_copy_out()'s slow path. */
int ipc_msg_copy_out_pieces(const struct ipc_msg *msg, char __user *buf)
{
	return __ipc_msg_copy_out(msg, buf, NULL);
}

/*
 * Fill @msg from @from, which holds at least msg->len bytes: a user
 * iterator of any number of segments (writev(2) gathers), or a kernel one
 * (io_uring's registered buffers).  Return: as __ipc_msg_copy_in().
 */
int ipc_msg_copy_from_iter(struct ipc_msg *msg, struct iov_iter *from)
{
	return __ipc_msg_copy_in(msg, NULL, from);
}

/* Copy @msg out to @to (readv(2) scatters); as ipc_msg_copy_from_iter(). */
int ipc_msg_copy_to_iter(const struct ipc_msg *msg, struct iov_iter *to)
{
	return __ipc_msg_copy_out(msg, NULL, to);
}

/* Free the message in the spare slot *@spare, if any; nobody else uses it. */
void ipc_msg_drop_spare(struct ipc_msg **spare)
{
	struct ipc_msg *msg = *spare;

	*spare = NULL;
	if (!msg)
		return;
	if (msg->cap > IPC_MSG_SPARE_SMALL)
		ipc_msg_spare_budget(msg, false);
	ipc_msg_release(msg);
}
