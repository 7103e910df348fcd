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
#include <linux/lockdep.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/user_namespace.h>
#include <linux/xarray.h>
#include "handle.h"
#include "quota.h"
#include "registry.h"

/*
 * ipcdev_registry_lock guards ipcdev_names, every object's @node, @linked,
 * @uid, @gid and @mode (SETATTR), and ipcdev_nr_named.  Object ids live in
 * ipcdev_ids, which has its own lock; an object also leaves ipcdev_ids under
 * ipcdev_registry_lock, so that /proc/ipcdev/objects, which walks the ids
 * under it (ipcdev_registry_walk()), never meets an object being torn down.
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
	struct ipc_namespace *ns = ipcdev_current_ns();
	struct ipcdev_obj *obj;

	lockdep_assert_held(&ipcdev_registry_lock);
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

	lockdep_assert_held(&ipcdev_registry_lock);

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
 * @created:	set to whether this call created it (and linked its name)
 *
 * A new object is allocated before the registry lock is taken and thrown
 * away if the name turns out to exist.
 * Return: 0, -EEXIST, -ENOENT, -EACCES, -ENOSPC (named_max reached),
 * -EDQUOT, -EOPNOTSUPP (see ns.c), -ENOMEM.
 */
int ipcdev_registry_open(const struct ipcdev_kind *kind, char *name,
			 u32 flags, umode_t mode, fmode_t fmode,
			 ipcdev_create_fn create, void *arg,
			 struct ipcdev_obj **out, bool *created)
{
	struct ipcdev_obj *obj, *new = NULL;
	char *dup;
	int ret;

	*created = false;
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
		*created = true;
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
	lockdep_assert_held(&ipcdev_registry_lock);
	list_del_init(&obj->node);
	obj->linked = false;
	ipcdev_nr_named--;
}

/**
 * ipcdev_registry_abandon() - undo the creation of a named object
 * @obj:	an object ipcdev_registry_open() has just created and linked,
 *		for which no descriptor could be made
 *
 * Removes its name if it is still linked, so that a failed OPEN leaves the
 * namespace, the counts and the quota as they were (but for a task that
 * found the name in between: it keeps the object, now unlinked, as after an
 * unlink).  The caller still holds, and drops, its own reference.
 */
void ipcdev_registry_abandon(struct ipcdev_obj *obj)
{
	bool unlinked = false;

	mutex_lock(&ipcdev_registry_lock);
	if (obj->linked) {
		ipcdev_unlink_locked(obj);
		unlinked = true;
	}
	mutex_unlock(&ipcdev_registry_lock);
	if (unlinked)
		ipcdev_obj_put(obj);	/* the registry's reference */
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
 * ipcdev_registry_walk() - call @fn for every live object, by id
 * @fn:		called under the registry lock (it may sleep, not take it,
 *		nor drop the object's last reference)
 * @arg:	for @fn
 */
void ipcdev_registry_walk(void (*fn)(struct ipcdev_obj *obj, void *arg),
			  void *arg)
{
	struct ipcdev_obj *obj;
	unsigned long id;

	mutex_lock(&ipcdev_registry_lock);
	xa_for_each(&ipcdev_ids, id, obj)
		fn(obj, arg);
	mutex_unlock(&ipcdev_registry_lock);
}

/* May the current task change @obj's attributes or remove its name? */
static bool ipcdev_obj_owner(struct ipcdev_obj *obj)
	__must_hold(&ipcdev_registry_lock)
{
	lockdep_assert_held(&ipcdev_registry_lock);
	return uid_eq(current_fsuid(), obj->uid) || capable(CAP_IPC_OWNER);
}

static int ipcdev_setattr(struct ipcdev_obj *obj,
			  const struct ipcdev_setattr *arg)
	__must_hold(&ipcdev_registry_lock)
{
	kuid_t uid = make_kuid(current_user_ns(), arg->uid);
	kgid_t gid = make_kgid(current_user_ns(), arg->gid);

	lockdep_assert_held(&ipcdev_registry_lock);

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
 * @obj:	an object descriptor's object, the one changed when no name
 *		is given; NULL on a device descriptor
 * @uarg:	struct ipcdev_setattr
 * Return: 0, -EPERM (neither owner nor CAP_IPC_OWNER), -ENOENT, -EINVAL
 * (also: no name on a device descriptor), -EFAULT, or a name error.
 */
long ipcdev_ioctl_setattr(const struct ipcdev_kind *kind,
			  struct ipcdev_obj *obj, void __user *uarg)
{
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
		return -EINVAL;
	}
	mutex_lock(&ipcdev_registry_lock);
	if (name)
		obj = ipcdev_lookup(kind, name);
	ret = obj ? ipcdev_setattr(obj, &arg) : -ENOENT;
	mutex_unlock(&ipcdev_registry_lock);
	kfree(name);
	return ret;
}
