// SPDX-License-Identifier: GPL-2.0
/*
 * The object registry: ids and names of every ipcdev object, handles, and
 * the permission checks, shared by every device.
 *
 * Lifetimes: an object is reference counted (struct kref).  A bound handle
 * holds one reference; a linked name holds one more, so a named object
 * persists with no handle open until it is unlinked or the module goes.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/err.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/user_namespace.h>
#include <linux/xarray.h>
#include <linux/pid_namespace.h>
#include <linux/seq_file.h>
#include "ipcdev.h"

/*
 * ipcdev_registry_lock guards ipcdev_names, every object's @node, @linked,
 * @uid, @gid and @mode (SETATTR), and ipcdev_nr_named.  Object ids live in
 * ipcdev_ids, which has its own lock; an object also leaves ipcdev_ids under
 * ipcdev_registry_lock, so that /proc/ipcdev/objects, which walks the ids
 * under it, never meets an object being torn down.
 */
static DEFINE_MUTEX(ipcdev_registry_lock);
static LIST_HEAD(ipcdev_names);
static long ipcdev_nr_named;
static DEFINE_XARRAY_ALLOC(ipcdev_ids);

/**
 * ipcdev_obj_init() - set up the common part of a new object
 * @obj:	the object, zeroed by the caller
 * @kind:	its kind
 * @name:	kmalloc'ed name, or NULL; owned by the object from here on
 * @mode:	permission bits
 * @bytes:	bytes the object holds for its whole life (a segment's size),
 *		charged to the creator's quota with the object itself
 *
 * The caller is the owner: fsuid and fsgid of the current task; the object
 * belongs to the current IPC namespace.
 * Return: 0, or -EDQUOT, -ENOSPC, -ENOMEM (then @name is still the caller's).
 */
int ipcdev_obj_init(struct ipcdev_obj *obj, const struct ipcdev_kind *kind,
		    char *name, umode_t mode, u64 bytes)
{
	int ret;

	ret = ipcdev_charge(current_fsuid(), 1, bytes, &obj->user);
	if (ret)
		return ret;
	kref_init(&obj->ref);
	INIT_LIST_HEAD(&obj->node);
	atomic_set(&obj->handles, 0);
	obj->kind = kind;
	obj->uid = current_fsuid();
	obj->gid = current_fsgid();
	obj->mode = mode;
	obj->ns = ipcdev_current_ns();
	obj->ns_inum = ipcdev_ns_inum(obj->ns);
	obj->charged = bytes;
	ret = xa_alloc(&ipcdev_ids, &obj->id, obj, xa_limit_31b,
		       GFP_KERNEL_ACCOUNT);
	if (ret) {
		ipcdev_uncharge(obj->user, 1, bytes);
		return ret == -EBUSY ? -ENOSPC : ret;
	}
	obj->creator = get_pid(task_tgid(current));
	obj->name = name;
	atomic_long_inc(&ipcdev_nr_objects);
	return 0;
}

/**
 * ipcdev_obj_fini() - undo ipcdev_obj_init(); called by a kind's free
 * @obj:	an object whose last reference is gone (and so is its id)
 */
void ipcdev_obj_fini(struct ipcdev_obj *obj)
{
	ipcdev_ns_unpin(obj);
	ipcdev_uncharge(obj->user, 1, obj->charged);
	put_pid(obj->creator);
	kfree(obj->name);
	atomic_long_dec(&ipcdev_nr_objects);
}

void ipcdev_obj_get(struct ipcdev_obj *obj)
{
	kref_get(&obj->ref);
}

static void ipcdev_obj_release(struct kref *ref)
{
	struct ipcdev_obj *obj = container_of(ref, struct ipcdev_obj, ref);

	/* Out of the listing before any of it is torn down. */
	mutex_lock(&ipcdev_registry_lock);
	xa_erase(&ipcdev_ids, obj->id);
	mutex_unlock(&ipcdev_registry_lock);
	obj->kind->free(obj);
}

/**
 * ipcdev_obj_put() - drop a reference; the last one frees the object
 * @obj:	the object; may sleep
 */
void ipcdev_obj_put(struct ipcdev_obj *obj)
{
	kref_put(&obj->ref, ipcdev_obj_release);
}

/**
 * ipcdev_name_from_user() - copy and check an object name
 * @uname:	user pointer, as carried in the ABI
 *
 * Return: a kmalloc'ed name, or ERR_PTR(-EFAULT) (unreadable before its
 * NUL), -ENAMETOOLONG (no NUL in IPCDEV_NAME_MAX + 1 bytes), -EINVAL (empty
 * or containing '/'), -ENOMEM.
 */
char *ipcdev_name_from_user(u64 uname)
{
	char *name;
	long len;

	name = kmalloc(IPCDEV_NAME_MAX + 1, GFP_KERNEL_ACCOUNT);
	if (!name)
		return ERR_PTR(-ENOMEM);
	len = strncpy_from_user(name, u64_to_user_ptr(uname),
				IPCDEV_NAME_MAX + 1);
	if (len < 0)
		goto fail;
	if (len > IPCDEV_NAME_MAX) {
		len = -ENAMETOOLONG;
		goto fail;
	}
	if (len == 0 || strchr(name, '/')) {
		len = -EINVAL;
		goto fail;
	}
	return name;
fail:
	kfree(name);
	return ERR_PTR(len);
}

/**
 * ipcdev_check_mode() - validate permission bits and apply the umask
 * @mode:	from user space
 * @out:	the mode a new object gets
 * Return: 0, or -EINVAL for bits outside 0777.
 */
int ipcdev_check_mode(u32 mode, umode_t *out)
{
	if (mode & ~0777U)
		return -EINVAL;
	*out = mode & ~current_umask() & 0777;
	return 0;
}

/* May the current task open @obj for @fmode?  System V style: CAP_IPC_OWNER. */
static int ipcdev_obj_permission(struct ipcdev_obj *obj, fmode_t fmode)
{
	unsigned int granted = obj->mode;
	unsigned int want = 0;

	if (fmode & FMODE_READ)
		want |= 4;
	if (fmode & FMODE_WRITE)
		want |= 2;
	if (uid_eq(current_fsuid(), obj->uid))
		granted >>= 6;
	else if (in_group_p(obj->gid))
		granted >>= 3;
	if (!(want & ~granted & 7))
		return 0;
	return capable(CAP_IPC_OWNER) ? 0 : -EACCES;
}

static struct ipcdev_obj *ipcdev_lookup(const struct ipcdev_kind *kind,
					const char *name)
	__must_hold(&ipcdev_registry_lock)
{
	struct ipcdev_obj *obj;

	struct ipc_namespace *ns = ipcdev_current_ns();

	list_for_each_entry(obj, &ipcdev_names, node)
		if (obj->kind == kind && obj->ns == ns &&
		    !strcmp(obj->name, name))
			return obj;
	return NULL;
}

/* Attach to an existing object; takes a reference. */
static int ipcdev_attach(struct ipcdev_obj *obj, u32 flags, fmode_t fmode)
	__must_hold(&ipcdev_registry_lock)
{
	int ret;

	if ((flags & IPCDEV_CREAT) && (flags & IPCDEV_EXCL))
		return -EEXIST;
	ret = ipcdev_obj_permission(obj, fmode);
	if (ret)
		return ret;
	ipcdev_obj_get(obj);
	return 0;
}

/**
 * ipcdev_registry_open() - find or create a named object
 * @kind:	the namespace
 * @name:	kmalloc'ed name; always consumed
 * @flags:	IPCDEV_CREAT, IPCDEV_EXCL
 * @mode:	permission bits of a new object (umask applied)
 * @fmode:	the access wanted, checked against an existing object's mode
 * @create:	makes a new object (allocates, may sleep); takes the name
 * @arg:	for @create
 * @out:	the object, with a reference for the caller
 *
 * A new object is allocated before the registry lock is taken and thrown
 * away if the name turns out to exist.
 * Return: 0, -EEXIST, -ENOENT, -EACCES, -ENOSPC (named_max reached),
 * -EDQUOT, -EOPNOTSUPP (see ns.c), -ENOMEM.
 */
int ipcdev_registry_open(const struct ipcdev_kind *kind, char *name,
			 u32 flags, umode_t mode, fmode_t fmode,
			 ipcdev_create_fn create, void *arg,
			 struct ipcdev_obj **out)
{
	struct ipcdev_obj *obj, *new = NULL;
	char *dup;
	int ret;

	if (flags & IPCDEV_CREAT) {
		dup = kstrdup(name, GFP_KERNEL_ACCOUNT);
		if (!dup) {
			ret = -ENOMEM;
			goto out_name;
		}
		new = create(arg, dup, mode);
		if (IS_ERR(new)) {
			kfree(dup);
			ret = PTR_ERR(new);
			goto out_name;
		}
		ret = ipcdev_ns_pin(new);
		if (ret) {
			ipcdev_obj_put(new);
			goto out_name;
		}
	}

	mutex_lock(&ipcdev_registry_lock);
	obj = ipcdev_lookup(kind, name);
	if (obj) {
		ret = ipcdev_attach(obj, flags, fmode);
	} else if (!new) {
		ret = -ENOENT;
	} else if (ipcdev_nr_named >= READ_ONCE(ipcdev_named_max)) {
		ret = -ENOSPC;
	} else {
		/* The creator gets the access it asked for, like open(2). */
		ipcdev_obj_get(new);
		new->linked = true;
		list_add_tail(&new->node, &ipcdev_names);
		ipcdev_nr_named++;
		obj = new;
		new = NULL;
		ret = 0;
	}
	mutex_unlock(&ipcdev_registry_lock);

	if (new)
		ipcdev_obj_put(new);
	if (!ret)
		*out = obj;
out_name:
	kfree(name);
	return ret;
}

/* Remove @obj's name; the caller then drops the registry's reference. */
static void ipcdev_unlink_locked(struct ipcdev_obj *obj)
	__must_hold(&ipcdev_registry_lock)
{
	list_del_init(&obj->node);
	obj->linked = false;
	ipcdev_nr_named--;
}

/**
 * ipcdev_registry_unlink() - remove a name
 * @kind:	the namespace
 * @name:	the name
 *
 * Only the owner or a task with CAP_IPC_OWNER may unlink.
 * Return: 0, -ENOENT, -EPERM.
 */
int ipcdev_registry_unlink(const struct ipcdev_kind *kind, const char *name)
{
	struct ipcdev_obj *obj;
	int ret = 0;

	mutex_lock(&ipcdev_registry_lock);
	obj = ipcdev_lookup(kind, name);
	if (!obj)
		ret = -ENOENT;
	else if (!uid_eq(current_fsuid(), obj->uid) &&
		 !capable(CAP_IPC_OWNER))
		ret = -EPERM;
	else
		ipcdev_unlink_locked(obj);
	mutex_unlock(&ipcdev_registry_lock);
	if (!ret)
		ipcdev_obj_put(obj);
	return ret;
}

/**
 * ipcdev_ioctl_unlink() - IPCDEV_IOC_UNLINK for any device
 * @kind:	the device's namespace
 * @uarg:	struct ipcdev_unlink
 * Return: 0 or a negative errno, see ipcdev_registry_unlink().
 */
long ipcdev_ioctl_unlink(const struct ipcdev_kind *kind, void __user *uarg)
{
	struct ipcdev_unlink arg;
	char *name;
	int ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.flags || arg.reserved)
		return -EINVAL;
	name = ipcdev_name_from_user(arg.name);
	if (IS_ERR(name))
		return PTR_ERR(name);
	ret = ipcdev_registry_unlink(kind, name);
	kfree(name);
	return ret;
}

/**
 * ipcdev_registry_exit() - at module unload, drop every name
 *
 * No handle can be open (each holds a module reference), so this frees
 * every remaining object.
 */
void ipcdev_registry_exit(void)
{
	struct ipcdev_obj *obj, *tmp;
	LIST_HEAD(dead);

	mutex_lock(&ipcdev_registry_lock);
	list_for_each_entry_safe(obj, tmp, &ipcdev_names, node) {
		ipcdev_unlink_locked(obj);
		list_add_tail(&obj->node, &dead);
	}
	mutex_unlock(&ipcdev_registry_lock);

	list_for_each_entry_safe(obj, tmp, &dead, node) {
		list_del_init(&obj->node);
		ipcdev_obj_put(obj);
	}
	xa_destroy(&ipcdev_ids);
}

long ipcdev_registry_named(void)
{
	long n;

	mutex_lock(&ipcdev_registry_lock);
	n = ipcdev_nr_named;
	mutex_unlock(&ipcdev_registry_lock);
	return n;
}

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
 * ipcdev_obj_ids() - the identity fields every STAT ioctl returns
 * @obj:	the object
 * @ids:	filled in, ids in the caller's user namespace
 */
void ipcdev_obj_ids(const struct ipcdev_obj *obj, struct ipcdev_ids *ids)
{
	ids->id = obj->id;
	ids->mode = READ_ONCE(obj->mode);
	ids->uid = from_kuid_munged(current_user_ns(), READ_ONCE(obj->uid));
	ids->gid = from_kgid_munged(current_user_ns(), READ_ONCE(obj->gid));
}

/**
 * ipcdev_obj_flags() - the IPCDEV_STAT_* bits of an object
 * @obj:	the object
 * Return: IPCDEV_STAT_NAMED, IPCDEV_STAT_UNLINKED.
 */
u32 ipcdev_obj_flags(const struct ipcdev_obj *obj)
{
	u32 flags = 0;

	if (obj->name)
		flags |= IPCDEV_STAT_NAMED;
	if (obj->name && !READ_ONCE(obj->linked))
		flags |= IPCDEV_STAT_UNLINKED;
	return flags;
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

/* May the current task change @obj's attributes or remove its name? */
static bool ipcdev_obj_owner(struct ipcdev_obj *obj)
	__must_hold(&ipcdev_registry_lock)
{
	return uid_eq(current_fsuid(), obj->uid) || capable(CAP_IPC_OWNER);
}

static int ipcdev_setattr(struct ipcdev_obj *obj,
			  const struct ipcdev_setattr *arg)
	__must_hold(&ipcdev_registry_lock)
{
	kuid_t uid = make_kuid(current_user_ns(), arg->uid);
	kgid_t gid = make_kgid(current_user_ns(), arg->gid);

	if ((arg->flags & IPCDEV_SETATTR_UID && !uid_valid(uid)) ||
	    (arg->flags & IPCDEV_SETATTR_GID && !gid_valid(gid)))
		return -EINVAL;
	if (!ipcdev_obj_owner(obj))
		return -EPERM;
	if (arg->flags & IPCDEV_SETATTR_MODE)
		WRITE_ONCE(obj->mode, arg->mode);
	if (arg->flags & IPCDEV_SETATTR_UID)
		WRITE_ONCE(obj->uid, uid);
	if (arg->flags & IPCDEV_SETATTR_GID)
		WRITE_ONCE(obj->gid, gid);
	return 0;
}

/**
 * ipcdev_ioctl_setattr() - IPCDEV_IOC_SETATTR for any device
 * @kind:	the device's namespace
 * @file:	the handle; its object when no name is given
 * @uarg:	struct ipcdev_setattr
 * Return: 0, -EPERM (neither owner nor CAP_IPC_OWNER), -ENOENT, -ENOTCONN
 * (no name and an unbound handle), -EINVAL, -EFAULT, or a name error.
 */
long ipcdev_ioctl_setattr(const struct ipcdev_kind *kind, struct file *file,
			  void __user *uarg)
{
	struct ipcdev_obj *obj = ipcdev_handle_obj(ipcdev_handle(file));
	struct ipcdev_setattr arg;
	char *name = NULL;
	int ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.reserved[0] || arg.reserved[1] || !arg.flags ||
	    arg.flags & ~(IPCDEV_SETATTR_MODE | IPCDEV_SETATTR_UID |
			  IPCDEV_SETATTR_GID) ||
	    arg.mode & ~0777U)
		return -EINVAL;
	if (arg.name) {
		name = ipcdev_name_from_user(arg.name);
		if (IS_ERR(name))
			return PTR_ERR(name);
	} else if (!obj) {
		return -ENOTCONN;
	}
	mutex_lock(&ipcdev_registry_lock);
	if (name)
		obj = ipcdev_lookup(kind, name);
	ret = obj ? ipcdev_setattr(obj, &arg) : -ENOENT;
	mutex_unlock(&ipcdev_registry_lock);
	kfree(name);
	return ret;
}

static void ipcdev_show_obj(struct seq_file *m, struct ipcdev_obj *obj,
			    struct pid_namespace *pidns)
	__must_hold(&ipcdev_registry_lock)
{
	struct ipcdev_row row = {};

	obj->kind->row(obj, &row);
	seq_printf(m, "%-6s %6u ", obj->kind->name, obj->id);
	if (obj->name)
		seq_escape(m, obj->name, " \t\n\\");
	else
		seq_putc(m, '-');
	seq_printf(m, " %u %5u %5u %04o %3d %10llu %8llu %10llu %4u %4u %7d %u\n",
		   obj->ns_inum,
		   from_kuid_munged(seq_user_ns(m), obj->uid),
		   from_kgid_munged(seq_user_ns(m), obj->gid), obj->mode,
		   atomic_read(&obj->handles), row.size, row.count, row.bytes,
		   row.waiters, row.mappings, pid_nr_ns(obj->creator, pidns),
		   obj->linked || !obj->name ? 0 : 1);
}

/**
 * ipcdev_objects_show() - /proc/ipcdev/objects: every live object
 * @m:		the seq_file
 * @v:		unused
 *
 * Like /proc/sysvipc/msg: the objects of the reader's IPC namespace, or of
 * every namespace for a reader with CAP_SYS_ADMIN in the initial user
 * namespace.  The namespace pointer is only compared: a named object's
 * namespace is pinned, an anonymous object's namespace is the one of the
 * task that created it, compared by address and inode number.
 * Return: 0.
 */
int ipcdev_objects_show(struct seq_file *m, void *v)
{
	struct pid_namespace *pidns = task_active_pid_ns(current);
	struct ipc_namespace *ns = ipcdev_current_ns();
	bool all = ns_capable_noaudit(&init_user_ns, CAP_SYS_ADMIN);
	unsigned int inum = ipcdev_ns_inum(ns);
	struct ipcdev_obj *obj;
	unsigned long id;

	seq_puts(m, "kind       id name ns uid gid mode handles size count bytes waiters mappings creator unlinked\n");
	mutex_lock(&ipcdev_registry_lock);
	xa_for_each(&ipcdev_ids, id, obj)
		if (all || (obj->ns == ns && obj->ns_inum == inum))
			ipcdev_show_obj(m, obj, pidns);
	mutex_unlock(&ipcdev_registry_lock);
	return 0;
}

/**
 * ipcdev_show_fdinfo() - the lines every handle's fdinfo starts with
 * @m:		the seq_file
 * @kind:	the device's kind
 * @file:	the handle
 */
void ipcdev_show_fdinfo(struct seq_file *m, const struct ipcdev_kind *kind,
			struct file *file)
{
	struct ipcdev_obj *obj = ipcdev_handle_obj(ipcdev_handle(file));

	seq_printf(m, "ipcdev-kind:\t%s\n", kind->name);
	if (!obj) {
		seq_puts(m, "ipcdev-bound:\tno\n");
		return;
	}
	seq_printf(m, "ipcdev-id:\t%u\nipcdev-name:\t", obj->id);
	if (obj->name)
		seq_escape(m, obj->name, " \t\n\\");
	seq_putc(m, '\n');
}
