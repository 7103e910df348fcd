// SPDX-License-Identifier: GPL-2.0
/*
 * Handles: the private data of every object descriptor, its object's from
 * birth, and the edge where a channel's PUT and GET ioctl arguments are
 * copied in from user space.
 */
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "channel.h"
#include "handle.h"
#include "quota.h"
#include "wait.h"

/**
 * ipcdev_handle_alloc() - a new handle of an object
 * @obj:	the object; the caller's reference passes to the handle
 *		(and is dropped if this fails)
 * @role:	kind-specific role of the handle (a pipe's end)
 * @fmode:	the access of the file it will belong to
 *
 * The kind's attach hook runs here, its detach hook when the handle goes.
 * Return: the handle, or NULL (out of memory).
 */
struct ipcdev_handle *ipcdev_handle_alloc(struct ipcdev_obj *obj, u32 role,
					  fmode_t fmode)
{
	struct ipcdev_handle *h;

	h = kzalloc(sizeof(*h), GFP_KERNEL_ACCOUNT);
	if (!h) {
		ipcdev_obj_put(obj);
		return NULL;
	}
	h->fmode = fmode & (FMODE_READ | FMODE_WRITE);
	h->role = role;
	h->obj = obj;
	if (obj->kind->attach)
		obj->kind->attach(obj, role);
	atomic_inc(&obj->handles);
	atomic_long_inc(&ipcdev_nr_handles);
	return h;
}

/**
 * ipcdev_handle_free() - release a handle and its object reference
 * @h:		the handle; the object's kind sees it go first (detach)
 */
void ipcdev_handle_free(struct ipcdev_handle *h)
{
	struct ipcdev_obj *obj = h->obj;

	if (obj->kind->detach)
		obj->kind->detach(obj, h->role);
	atomic_dec(&obj->handles);
	ipcdev_obj_put(obj);
	ipcdev_user_put(h->quser);
	kfree(h);
	atomic_long_dec(&ipcdev_nr_handles);
}

/**
 * ipcdev_fop_release() - the release() of every object descriptor
 * @inode:	its inode
 * @file:	the file
 * Return: 0.
 */
int ipcdev_fop_release(struct inode *inode, struct file *file)
{
	ipcdev_handle_free(ipcdev_handle(file));
	return 0;
}

/**
 * ipcdev_msg_ioctl() - a PUT or GET ioctl (struct ipcdev_msg) on a channel
 * @ch:		the channel
 * @uarg:	struct ipcdev_msg in user memory
 * @put:	put, else get
 * @file:	the handle's file (O_NONBLOCK)
 *
 * The edge copies the arguments in and the length out; the channel core
 * works on kernel values (and the data buffer).  A get writes the message
 * length back to @uarg->len on success and on -EMSGSIZE.  If @uarg cannot
 * be written, the call fails with -EFAULT and the message stays queued:
 * on -EMSGSIZE it never left the queue; on success the core leaves the
 * copied message in flight (keeping its room) until the length is stored,
 * and ipc_chan_get_end() then frees it or puts it back at the head.
 * Return: 0 or a negative errno (see ipc_chan_put(), ipc_chan_get()),
 * -EINVAL for unknown flags or non-zero reserved fields.
 */
long ipcdev_msg_ioctl(struct ipc_chan *ch, void __user *uarg, bool put,
		      struct file *file)
{
	struct ipcdev_msg __user *umsg = uarg;
	struct ipc_msg *msg = NULL;
	struct ipcdev_msg m;
	struct ipcdev_wait w;
	u64 len = 0;
	int ret;

	if (copy_from_user(&m, umsg, sizeof(m)))
		return -EFAULT;
	if (m.reserved)
		return -EINVAL;
	ret = ipcdev_wait_init(&w, file, m.flags, m.deadline_ns);
	if (ret)
		return ret;
	if (put)
		return ipc_chan_put(ch, u64_to_user_ptr(m.buf), m.len, &w,
				    &ipcdev_handle(file)->quser);
	ret = ipc_chan_get(ch, u64_to_user_ptr(m.buf), m.len, &w, &len, &msg);
	if (ret && ret != -EMSGSIZE)
		return ret;
	if (put_user(len, &umsg->len)) {
		if (!ret)
			ipc_chan_get_end(ch, msg, -EFAULT);
		return -EFAULT;
	}
	if (!ret)
		ipc_chan_get_end(ch, msg, 0);
	return ret;
}
