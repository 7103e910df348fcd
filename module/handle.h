/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Handles (handle.c): one per object descriptor, its object's from birth;
 * the factory (factory.c): the device descriptors' OPEN, which makes the
 * object descriptors, and the ioctl dispatch of object descriptors; and
 * the edge where a channel's PUT and GET arguments are copied in from user
 * space.
 */
#ifndef _IPCDEV_HANDLE_H
#define _IPCDEV_HANDLE_H

#include <linux/fs.h>
#include <linux/types.h>
#include "registry.h"

struct ipc_chan;
struct seq_file;

/**
 * struct ipcdev_handle - one object descriptor
 * @obj:	the object, from the handle's birth to its release; immutable
 * @fmode:	the access the file was opened for; immutable
 * @role:	kind-specific (a pipe's end); immutable
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

struct ipcdev_handle *ipcdev_handle_alloc(struct ipcdev_obj *obj, u32 role,
					  fmode_t fmode);
void ipcdev_handle_free(struct ipcdev_handle *h);
int ipcdev_fop_release(struct inode *inode, struct file *file);

void ipcdev_show_fdinfo(struct seq_file *m, const struct ipcdev_kind *kind,
			struct file *file);

static inline struct ipcdev_handle *ipcdev_handle(struct file *file)
{
	return file->private_data;
}

/* The object of an object descriptor. */
static inline struct ipcdev_obj *ipcdev_file_obj(struct file *file)
{
	return ipcdev_handle(file)->obj;
}

/* The device descriptor's file operations of @kind (factory.c). */
long ipcdev_dev_ioctl(const struct ipcdev_kind *kind, struct file *file,
		      unsigned int cmd, unsigned long arg);
struct file *ipcdev_obj_file(struct ipcdev_obj *obj, u32 role,
			     const struct ipcdev_open_req *req);
long ipcdev_obj_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

/* The device's file operations: a misc device whose only calls are ioctls. */
#define IPCDEV_DEV_FOPS(fops, kind)					\
	static long fops##_ioctl(struct file *file, unsigned int cmd,	\
				 unsigned long arg)			\
	{								\
		return ipcdev_dev_ioctl(&(kind), file, cmd, arg);	\
	}								\
	static const struct file_operations fops = {			\
		.owner		= THIS_MODULE,				\
		.unlocked_ioctl	= fops##_ioctl,				\
		.compat_ioctl	= compat_ptr_ioctl,			\
		.llseek		= noop_llseek,				\
	}

#endif /* _IPCDEV_HANDLE_H */
