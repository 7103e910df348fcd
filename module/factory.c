// SPDX-License-Identifier: GPL-2.0
/*
 * The device nodes are factories.  A file opened on /dev/ipcqueue (and the
 * others) is a device descriptor: no object, no handle.  Its OPEN ioctl
 * checks the argument once for every kind, finds or makes the object, and
 * returns a new object descriptor (an anonymous inode whose private data is
 * the handle), as drivers/misc/ntsync.c does.  An object descriptor is its
 * object from birth: its file operations never meet a handle without one.
 * Its ioctls go through the kind's table (ipcdev_obj_ioctl()), where the
 * access each command needs is checked in one place.
 */
#include <linux/anon_inodes.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "ipcdev.h"

/* The open(2) flags that give a new file the access @fmode. */
static int ipcdev_fmode_oflags(fmode_t fmode)
{
	switch (fmode & (FMODE_READ | FMODE_WRITE)) {
	case FMODE_READ | FMODE_WRITE:
		return O_RDWR;
	case FMODE_WRITE:
		return O_WRONLY;
	default:
		return O_RDONLY;
	}
}

/**
 * ipcdev_obj_file() - a new object descriptor's file, not yet installed
 * @obj:	the object; the caller's reference passes to the file (and
 *		is dropped on failure)
 * @role:	the handle's role (a pipe's end)
 * @req:	the OPEN call: the access and O_NONBLOCK the file gets
 *
 * Return: the file (fput() releases the handle), or an ERR_PTR.
 */
struct file *ipcdev_obj_file(struct ipcdev_obj *obj, u32 role,
			     const struct ipcdev_open_req *req)
{
	const struct ipcdev_kind *kind = obj->kind;
	struct ipcdev_handle *h;
	struct file *file;

	h = ipcdev_handle_alloc(obj, role, req->fmode);
	if (!h)
		return ERR_PTR(-ENOMEM);
	file = anon_inode_getfile(kind->anon_name, kind->fops, h,
				  ipcdev_fmode_oflags(req->fmode) |
				  (req->oflags & O_NONBLOCK));
	if (IS_ERR(file)) {
		ipcdev_handle_free(h);
		return file;
	}
	/*
	 * Every kind's read_iter() and write_iter() honour IOCB_NOWAIT
	 * (-EAGAIN instead of waiting; a segment's never wait for another
	 * task), so io_uring may try them inline and, on -EAGAIN, arm poll
	 * instead of handing each request to a worker thread; as eventfd's.
	 */
	file->f_mode |= FMODE_NOWAIT;
	if (kind->stream) {
		stream_open(file_inode(file), file);
	} else {
		/* A pseudo file gets none of them; a segment has offsets. */
		file->f_mode |= FMODE_PREAD | FMODE_PWRITE;
#ifdef FMODE_LSEEK
		file->f_mode |= FMODE_LSEEK;
#endif
	}
	return file;
}

/* Install a new object descriptor of @obj (consumed): the fd or -errno. */
static long ipcdev_obj_install(struct ipcdev_obj *obj,
			       const struct ipcdev_open_req *req)
{
	struct file *file;
	int fd;

	fd = get_unused_fd_flags(req->oflags & O_CLOEXEC);
	if (fd < 0) {
		ipcdev_obj_put(obj);
		return fd;
	}
	file = ipcdev_obj_file(obj, req->role, req);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		return PTR_ERR(file);
	}
	fd_install(fd, file);
	return fd;
}

/*
 * Open or create the object @name (consumed) and return a new descriptor of
 * it.  The descriptor number is reserved first; if the file cannot be made
 * after this call created the object, the creation is undone, so that a
 * failed OPEN leaves no name, object or quota charge behind.
 */
static long ipcdev_open_named(const struct ipcdev_kind *kind, char *name,
			      const struct ipcdev_open_req *req, void *parsed)
{
	struct ipcdev_obj *obj;
	struct file *file;
	bool created;
	int fd, ret;

	fd = get_unused_fd_flags(req->oflags & O_CLOEXEC);
	if (fd < 0) {
		kfree(name);
		return fd;
	}
	ret = ipcdev_registry_open(kind, name, req->flags &
				   (IPCDEV_CREAT | IPCDEV_EXCL), req->mode,
				   req->fmode, kind->create, parsed, &obj,
				   &created);
	if (ret)
		goto out_fd;
	if (created)
		ipcdev_obj_get(obj);	/* for ipcdev_registry_abandon() */
	file = ipcdev_obj_file(obj, req->role, req);	/* takes one ref */
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		if (created) {
			ipcdev_registry_abandon(obj);
			ipcdev_obj_put(obj);
		}
		goto out_fd;
	}
	if (created)
		ipcdev_obj_put(obj);
	fd_install(fd, file);
	return fd;

out_fd:
	put_unused_fd(fd);
	return ret;
}

/*
 * The OPEN ioctl of every kind: the argument's common head (name, flags,
 * mode) is checked here, the kind's own fields by its parse hook; then the
 * object is made (anonymous) or found or made by name, and a new
 * descriptor of it is returned.
 */
static long ipcdev_open_ioctl(const struct ipcdev_kind *kind,
			      struct file *file, void __user *uarg)
{
	u64 arg[IPCDEV_OPEN_MAX / sizeof(u64)];
	u64 parsed[IPCDEV_OPEN_MAX / sizeof(u64)] = {};
	const struct ipcdev_open_head *head = (const void *)arg;
	struct ipcdev_open_req req = {};
	struct ipcdev_obj *obj;
	char *name;
	long ret;

	if (WARN_ON_ONCE(kind->open_size > sizeof(arg)))
		return -ENOTTY;
	if (copy_from_user(arg, uarg, kind->open_size))
		return -EFAULT;
	if (head->flags & ~(IPCDEV_CREAT | IPCDEV_EXCL | IPCDEV_CLOEXEC |
			    kind->open_flags))
		return -EINVAL;
	ret = ipcdev_check_mode(head->mode, &req.mode);
	if (ret)
		return ret;
	req.uname = head->name;
	req.flags = head->flags;
	req.fmode = file->f_mode & (FMODE_READ | FMODE_WRITE);
	req.oflags = (file->f_flags & O_NONBLOCK) |
		     (head->flags & IPCDEV_CLOEXEC ? O_CLOEXEC : 0);
	ret = kind->parse(arg, &req, parsed);
	if (ret)
		return ret;

	if (!req.uname) {
		if (req.flags & (IPCDEV_CREAT | IPCDEV_EXCL))
			return -EINVAL;
		obj = kind->create(parsed, NULL, 0600);
		if (IS_ERR(obj))
			return PTR_ERR(obj);
		if (kind->open_anon)
			return kind->open_anon(obj, &req, uarg);
		return ipcdev_obj_install(obj, &req);
	}
	name = ipcdev_name_from_user(req.uname);
	if (IS_ERR(name))
		return PTR_ERR(name);
	return ipcdev_open_named(kind, name, &req, parsed);
}

/**
 * ipcdev_dev_ioctl() - the ioctls of a device descriptor of @kind
 * @kind:	the device's kind
 * @file:	the device descriptor
 * @cmd:	the command: the kind's OPEN, UNLINK or SETATTR (by name)
 * @arg:	its argument
 * Return: OPEN: the new descriptor; else 0 or a negative errno; -ENOTTY
 * for every other command.
 */
long ipcdev_dev_ioctl(const struct ipcdev_kind *kind, struct file *file,
		      unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case IPCDEV_IOC_UNLINK:
		return ipcdev_ioctl_unlink(kind, uarg);
	case IPCDEV_IOC_SETATTR:
		return ipcdev_ioctl_setattr(kind, NULL, uarg);
	}
	if (cmd != kind->open_cmd)
		return -ENOTTY;
	return ipcdev_open_ioctl(kind, file, uarg);
}

/**
 * ipcdev_obj_ioctl() - the ioctls of an object descriptor, of any kind
 * @file:	the object descriptor
 * @cmd:	the command
 * @arg:	its argument
 *
 * The kind's table, then UNLINK and SETATTR (by name, or of this object):
 * the one place where each command's access is checked.
 * Return: the handler's result, -EBADF (access), -ENOTTY (unknown, OPEN
 * included).
 */
long ipcdev_obj_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct ipcdev_handle *h = ipcdev_handle(file);
	const struct ipcdev_kind *kind = h->obj->kind;
	void __user *uarg = (void __user *)arg;
	const struct ipcdev_ioctl *ioc;

	/* The kind's own first: they are the hot ones (PUT, GET, SET...). */
	for (ioc = kind->ioctls; ioc < kind->ioctls + kind->nr_ioctls; ioc++) {
		if (ioc->cmd != cmd)
			continue;
		if (ioc->need & ~h->fmode)
			return -EBADF;
		return ioc->fn(file, h->obj, uarg);
	}
	switch (cmd) {
	case IPCDEV_IOC_UNLINK:
		return ipcdev_ioctl_unlink(kind, uarg);
	case IPCDEV_IOC_SETATTR:
		return ipcdev_ioctl_setattr(kind, h->obj, uarg);
	}
	return -ENOTTY;
}
