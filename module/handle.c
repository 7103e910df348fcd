// SPDX-License-Identifier: GPL-2.0
/*
 * Handles: the private data of every open ipcdev file, bound to at most
 * one object, and the edge where a channel's PUT and GET ioctl arguments
 * are copied in from user space.
 */
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include "channel.h"
#include "handle.h"
#include "quota.h"
#include "wait.h"

/* Serialises ipcdev_handle_bind(), so that @obj and @role are set together. */
static DEFINE_SPINLOCK(ipcdev_bind_lock);

/**
 * ipcdev_handle_alloc() - a new unbound handle
 * @fmode:	the access of the file it will belong to
 * Return: the handle, or NULL.
 */
struct ipcdev_handle *ipcdev_handle_alloc(fmode_t fmode)
{
	struct ipcdev_handle *h;

	h = kzalloc(sizeof(*h), GFP_KERNEL_ACCOUNT);
	if (!h)
		return NULL;
	h->fmode = fmode & (FMODE_READ | FMODE_WRITE);
	atomic_long_inc(&ipcdev_nr_handles);
	return h;
}

/**
 * ipcdev_handle_free() - release a handle and its object reference
 * @h:		the handle; the object's kind sees it go first (unbind)
 */
void ipcdev_handle_free(struct ipcdev_handle *h)
{
	struct ipcdev_obj *obj = ipcdev_handle_obj(h);

	if (obj) {
		if (obj->kind->detach)
			obj->kind->detach(obj, h->role);
		atomic_dec(&obj->handles);
		ipcdev_obj_put(obj);
	}
	ipcdev_user_put(h->quser);
	kfree(h);
	atomic_long_dec(&ipcdev_nr_handles);
}

/**
 * ipcdev_handle_open() - the open() of every ipcdev device
 * @file:	the new file; gets an unbound handle
 * Return: 0 or -ENOMEM.
 */
int ipcdev_handle_open(struct file *file)
{
	struct ipcdev_handle *h = ipcdev_handle_alloc(file->f_mode);

	if (!h)
		return -ENOMEM;
	file->private_data = h;
	return 0;
}

/**
 * ipcdev_handle_release() - the release() of every ipcdev device
 * @file:	the file being closed
 */
void ipcdev_handle_release(struct file *file)
{
	ipcdev_handle_free(ipcdev_handle(file));
}

static int ipcdev_handle_bind(struct ipcdev_handle *h,
			      struct ipcdev_obj *obj, u32 role)
{
	int ret = 0;

	spin_lock(&ipcdev_bind_lock);
	if (h->obj) {
		ret = -EBUSY;
	} else {
		h->role = role;
		atomic_inc(&obj->handles);
		/* Pairs with smp_load_acquire() in ipcdev_handle_obj(). */
		smp_store_release(&h->obj, obj);
	}
	spin_unlock(&ipcdev_bind_lock);
	return ret;
}

/**
 * ipcdev_handle_attach() - bind an object to a handle, once
 * @h:		the handle
 * @obj:	the object; the caller's reference passes to the handle, or
 *		is dropped on failure
 * @role:	kind-specific role of the handle (a pipe's end)
 *
 * The kind's attach hook runs before the handle is visible as bound, and
 * its detach hook undoes it if the handle was bound already.
 * Return: 0, or -EBUSY if the handle is already bound.
 */
int ipcdev_handle_attach(struct ipcdev_handle *h, struct ipcdev_obj *obj,
			 u32 role)
{
	int ret;

	if (obj->kind->attach)
		obj->kind->attach(obj, role);
	ret = ipcdev_handle_bind(h, obj, role);
	if (ret) {
		if (obj->kind->detach)
			obj->kind->detach(obj, role);
		ipcdev_obj_put(obj);
	}
	return ret;
}

/**
 * ipcdev_open_named() - the named case of every kind's OPEN ioctl
 * @h:		an unbound handle
 * @kind:	the namespace
 * @uname:	user pointer to the name
 * @flags:	IPCDEV_CREAT, IPCDEV_EXCL (other bits are ignored here)
 * @mode:	permission bits of a new object, umask applied
 * @create:	makes a new object of @kind with @arg
 * @arg:	for @create
 * @role:	the handle's role
 * Return: 0, or the errors of ipcdev_name_from_user(),
 * ipcdev_registry_open() and ipcdev_handle_attach().
 */
int ipcdev_open_named(struct ipcdev_handle *h, const struct ipcdev_kind *kind,
		      u64 uname, u32 flags, umode_t mode,
		      ipcdev_create_fn create, void *arg, u32 role)
{
	struct ipcdev_obj *obj;
	char *name;
	int ret;

	name = ipcdev_name_from_user(uname);
	if (IS_ERR(name))
		return PTR_ERR(name);
	flags &= IPCDEV_CREAT | IPCDEV_EXCL;
	ret = ipcdev_registry_open(kind, name, flags, mode, h->fmode, create,
				   arg, &obj);
	if (ret)
		return ret;
	return ipcdev_handle_attach(h, obj, role);
}

/**
 * ipcdev_handle_bind_new() - bind an unbound handle to a new object
 * @h:		the handle
 * @create:	makes a new anonymous object with default settings
 *
 * The slow path of ipcdev_handle_get_obj(): another thread may bind the
 * handle at the same moment; that binding wins and ours is thrown away.
 * Return: the object (the handle's reference), or an ERR_PTR from @create.
 */
struct ipcdev_obj *ipcdev_handle_bind_new(struct ipcdev_handle *h,
					  struct ipcdev_obj *(*create)(void))
{
	struct ipcdev_obj *obj;
	int ret;

	obj = create();
	if (IS_ERR(obj))
		return obj;
	ret = ipcdev_handle_attach(h, obj, 0);
	if (ret && ret != -EBUSY)
		return ERR_PTR(ret);
	return ipcdev_handle_obj(h);
}

/**
 * ipcdev_fop_open() - the open() of every ipcdev device
 * @inode:	the device inode
 * @file:	the new file; gets an unbound handle
 * Return: 0 or -ENOMEM.
 */
int ipcdev_fop_open(struct inode *inode, struct file *file)
{
	stream_open(inode, file);
	return ipcdev_handle_open(file);
}

/**
 * ipcdev_fop_release() - the release() of every ipcdev file
 * @inode:	its inode
 * @file:	the file
 * Return: 0.
 */
int ipcdev_fop_release(struct inode *inode, struct file *file)
{
	ipcdev_handle_release(file);
	return 0;
}

/**
 * ipcdev_msg_ioctl() - a PUT or GET ioctl (struct ipcdev_msg) on a channel
 * @ch:		the channel
 * @uarg:	struct ipcdev_msg in user memory
 * @put:	put, else get
 * @file:	the handle's file (O_NONBLOCK)
 *
 * A get writes the message length back to @uarg->len on success and on
 * -EMSGSIZE, before the message is taken: if @uarg cannot be written, the
 * call fails with -EFAULT and the message stays queued.
 * Return: 0 or a negative errno (see ipc_chan_put(), ipc_chan_get()),
 * -EINVAL for unknown flags or non-zero reserved fields.
 */
long ipcdev_msg_ioctl(struct ipc_chan *ch, void __user *uarg, bool put,
		      struct file *file)
{
	struct ipcdev_msg __user *umsg = uarg;
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
	return ipc_chan_get(ch, u64_to_user_ptr(m.buf), m.len, &w, &len,
			    &umsg->len);
}
