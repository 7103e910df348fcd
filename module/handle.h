/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Handles (handle.c): one per open file of an ipcdev device, bound to one
 * object; the ioctls every device shares, and the edge where a channel's
 * PUT and GET arguments are copied in from user space.
 */
#ifndef _IPCDEV_HANDLE_H
#define _IPCDEV_HANDLE_H

#include <linux/fs.h>
#include <linux/types.h>
#include "registry.h"

struct ipc_chan;
struct seq_file;

/**
 * struct ipcdev_handle - one open file of an ipcdev device
 * @obj:	the object, bound at most once (ipcdev_handle_bind()) and
 *		then constant until release; read with ipcdev_handle_obj()
 * @fmode:	the access the file was opened for; immutable
 * @role:	kind-specific (a pipe's end); set with @obj, then immutable
 * @seen:	shm: the change counter this handle saw last; the segment's
 *		lock, read locklessly by poll
 * @quser:	the quota record of the first user to send through the
 *		handle: set once (cmpxchg), a reference held until release
 */
struct ipcdev_handle {
	struct ipcdev_obj *obj;
	fmode_t fmode;
	u32 role;
	u64 seen;
	struct ipcdev_user *quser;
};

struct ipcdev_handle *ipcdev_handle_alloc(fmode_t fmode);
void ipcdev_handle_free(struct ipcdev_handle *h);
int ipcdev_handle_open(struct file *file);
void ipcdev_handle_release(struct file *file);
int ipcdev_fop_open(struct inode *inode, struct file *file);
int ipcdev_fop_release(struct inode *inode, struct file *file);
struct ipcdev_obj *ipcdev_handle_bind_new(struct ipcdev_handle *h,
					  struct ipcdev_obj *(*create)(void));

/**
 * ipcdev_common_ioctl() - the commands every device has
 * @kind:	the device's kind
 * @file:	the handle
 * @cmd:	the command
 * @uarg:	its argument
 * Return: the command's result, or -ENOIOCTLCMD when @cmd is not common.
 */
static inline long ipcdev_common_ioctl(const struct ipcdev_kind *kind,
				       struct file *file, unsigned int cmd,
				       void __user *uarg)
{
	switch (cmd) {
	case IPCDEV_IOC_UNLINK:
		return ipcdev_ioctl_unlink(kind, uarg);
	case IPCDEV_IOC_SETATTR:
		return ipcdev_ioctl_setattr(kind, file, uarg);
	}
	return -ENOIOCTLCMD;
}

void ipcdev_show_fdinfo(struct seq_file *m, const struct ipcdev_kind *kind,
			struct file *file);

static inline struct ipcdev_handle *ipcdev_handle(struct file *file)
{
	return file->private_data;
}

static inline struct ipcdev_obj *ipcdev_handle_obj(struct ipcdev_handle *h)
{
	/* Pairs with the cmpxchg_release() in ipcdev_handle_bind(). */
	return smp_load_acquire(&h->obj);
}

/**
 * ipcdev_handle_get_obj() - the handle's object, bound on first use
 * @h:		the handle
 * @create:	makes a new anonymous object with default settings
 *
 * An unbound handle gets a new object ("a new object per open").
 * Return: the object (the handle's reference), or an ERR_PTR from @create.
 */
static inline struct ipcdev_obj *
ipcdev_handle_get_obj(struct ipcdev_handle *h,
		      struct ipcdev_obj *(*create)(void))
{
	struct ipcdev_obj *obj = ipcdev_handle_obj(h);

	return obj ? obj : ipcdev_handle_bind_new(h, create);
}

int ipcdev_handle_attach(struct ipcdev_handle *h, struct ipcdev_obj *obj,
			 u32 role);
int ipcdev_open_named(struct ipcdev_handle *h, const struct ipcdev_kind *kind,
		      u64 uname, u32 flags, umode_t mode,
		      ipcdev_create_fn create, void *arg, u32 role);

/* The PUT and GET ioctls of a channel (handle.c). */
long ipcdev_msg_ioctl(struct ipc_chan *ch, void __user *uarg, bool put,
		      struct file *file);

#endif /* _IPCDEV_HANDLE_H */
