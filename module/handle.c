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
