/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The object registry (registry.c): what every object kind embeds, ids,
 * names, permissions, the IPC namespace an object belongs to (ns.c), and
 * the walk that /proc/ipcdev/objects makes (proc.c).
 */
#ifndef _IPCDEV_REGISTRY_H
#define _IPCDEV_REGISTRY_H

#include <linux/atomic.h>
#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/ipcdev.h>
#include "params.h"

struct ipcdev_obj;
struct ipcdev_user;
struct ipc_namespace;

/**
 * struct ipcdev_row - one object's line in /proc/ipcdev/objects, read
 * without the object's locks (a snapshot that may be a moment old)
 * @size:	capacity (queue, pipe) or size (shm) in bytes
 * @count:	messages queued, elements (shm), or the flag (event)
 * @bytes:	bytes queued (queue, pipe) or held (shm)
 * @waiters:	tasks blocked on the object
 * @mappings:	live mappings (shm)
 */
struct ipcdev_row {
	u64 size;
	u64 count;
	u64 bytes;
	u32 waiters;
	u32 mappings;
};

struct ipcdev_open_req;

typedef struct ipcdev_obj *(*ipcdev_create_fn)(void *arg, char *name,
					       umode_t mode);

/* Room for the largest OPEN argument and for a kind's parsed form of it. */
#define IPCDEV_OPEN_MAX		64

/**
 * struct ipcdev_ioctl - one command of an object descriptor
 * @cmd:	the ioctl number
 * @need:	FMODE_READ and/or FMODE_WRITE the descriptor must have
 *		(-EBADF otherwise), or 0: any access
 * @fn:		the handler; the object exists, the access was checked
 */
struct ipcdev_ioctl {
	unsigned int cmd;
	fmode_t need;
	long (*fn)(struct file *file, struct ipcdev_obj *obj,
		   void __user *uarg);
};

/**
 * struct ipcdev_kind - what the registry knows of an object kind
 * @name:	"queue", "pipe", ...: names live in one namespace per kind
 * @anon_name:	the anonymous inode's name of an object descriptor
 * @fops:	an object descriptor's file operations: they may assume
 *		that the handle has its object
 * @stream:	object descriptors are streams (stream_open()), else they
 *		are positional (pread, pwrite, lseek)
 * @ioctls:	the object descriptor's commands but UNLINK and SETATTR,
 *		which every kind has (ipcdev_obj_ioctl())
 * @nr_ioctls:	their number
 * @open_cmd:	the kind's OPEN ioctl on a device descriptor
 * @open_size:	its argument's size (at most IPCDEV_OPEN_MAX); it begins
 *		with struct ipcdev_open_head
 * @open_flags:	the kind's own OPEN flag bits, beside IPCDEV_CREAT,
 *		IPCDEV_EXCL and IPCDEV_CLOEXEC
 * @parse:	checks the kind's fields of the OPEN argument @arg (the
 *		common ones are checked) and writes what @create needs into
 *		@out (IPCDEV_OPEN_MAX bytes) and the handle's role into
 *		@req; may not sleep long, takes no lock
 * @create:	makes a new object from @parse's @out
 * @open_anon:	optional: installs the descriptors of a new anonymous
 *		object (the pipe's pair) instead of the one of the common
 *		path; consumes the object reference
 * @free:	frees the object embedding @obj once its last reference is gone
 * @attach:	optional: a handle with this role is being bound
 * @detach:	optional: undoes @attach when the handle goes
 * @row:	fills the object's line of /proc/ipcdev/objects, under the
 *		registry lock, without the object's (it may sleep)
 */
struct ipcdev_kind {
	const char *name;
	const char *anon_name;
	const struct file_operations *fops;
	bool stream;
	const struct ipcdev_ioctl *ioctls;
	unsigned int nr_ioctls;
	unsigned int open_cmd;
	size_t open_size;
	u32 open_flags;
	int (*parse)(const void *arg, struct ipcdev_open_req *req, void *out);
	ipcdev_create_fn create;
	long (*open_anon)(struct ipcdev_obj *obj,
			  const struct ipcdev_open_req *req, void __user *uarg);
	void (*free)(struct ipcdev_obj *obj);
	void (*row)(struct ipcdev_obj *obj, struct ipcdev_row *row);
	void (*attach)(struct ipcdev_obj *obj, u32 role);
	void (*detach)(struct ipcdev_obj *obj, u32 role);
};

/**
 * struct ipcdev_open_req - an OPEN call, as the registry checked it
 * @uname:	user pointer to the name, 0: anonymous
 * @flags:	all flag bits of the call
 * @mode:	permission bits of a new named object, umask applied
 * @role:	the new handle's role (a pipe's end); set by the kind's parse
 * @fmode:	the device descriptor's access, the new descriptors'
 * @oflags:	O_NONBLOCK (the device descriptor's), O_CLOEXEC (asked for)
 */
struct ipcdev_open_req {
	u64 uname;
	u32 flags;
	umode_t mode;
	u32 role;
	fmode_t fmode;
	unsigned int oflags;
};

/**
 * struct ipcdev_obj - what every object kind embeds
 * @ref:	references: one per bound handle, one held by the registry
 *		while the name is linked, and short-lived lookups
 * @kind:	immutable
 * @id:		immutable; index in the registry's id array
 * @name:	immutable; NULL for an anonymous object
 * @uid:	owner; written under the registry lock (SETATTR), read
 *		under it or with READ_ONCE()
 * @gid:	group; as @uid
 * @mode:	permission bits (0777 mask); as @uid
 * @creator:	immutable; the creating process
 * @ns:		immutable; the IPC namespace it was created in (compared,
 *		never dereferenced unless pinned)
 * @ns_inum:	immutable; that namespace's inode number
 * @ns_ref:	named objects, kernels exporting put_ipc_ns(): a reference
 * @ns_file:	named objects, other kernels: the pinning nsfs file
 * @user:	immutable; the creator's quota record
 * @charged:	immutable; bytes charged to @user at creation
 * @handles:	handles bound to the object
 * @node:	link in the registry's name list; registry lock
 * @linked:	the name is in the registry; registry lock
 */
struct ipcdev_obj {
	struct kref ref;
	const struct ipcdev_kind *kind;
	u32 id;
	char *name;
	kuid_t uid;
	kgid_t gid;
	umode_t mode;
	struct pid *creator;
	struct ipc_namespace *ns;
	unsigned int ns_inum;
	struct ipc_namespace *ns_ref;
	struct file *ns_file;
	struct ipcdev_user *user;
	u64 charged;
	atomic_t handles;
	struct list_head node;
	bool linked;
};

int ipcdev_obj_init(struct ipcdev_obj *obj, const struct ipcdev_kind *kind,
		    char *name, umode_t mode, u64 bytes);
void ipcdev_obj_get(struct ipcdev_obj *obj);
void ipcdev_obj_put(struct ipcdev_obj *obj);
void ipcdev_obj_fini(struct ipcdev_obj *obj);

char *ipcdev_name_from_user(u64 uname);
int ipcdev_check_mode(u32 mode, umode_t *out);

int ipcdev_registry_open(const struct ipcdev_kind *kind, char *name,
			 u32 flags, umode_t mode, fmode_t fmode,
			 ipcdev_create_fn create, void *arg,
			 struct ipcdev_obj **out, bool *created);
void ipcdev_registry_abandon(struct ipcdev_obj *obj);
int ipcdev_registry_unlink(const struct ipcdev_kind *kind, const char *name);
long ipcdev_ioctl_unlink(const struct ipcdev_kind *kind, void __user *uarg);
void ipcdev_registry_exit(void);
long ipcdev_registry_named(void);
long ipcdev_ioctl_setattr(const struct ipcdev_kind *kind,
			  struct ipcdev_obj *obj, void __user *uarg);

/* Namespaces (ns.c). */
struct ipc_namespace *ipcdev_current_ns(void);
unsigned int ipcdev_ns_inum(struct ipc_namespace *ns);
int ipcdev_ns_pin(struct ipcdev_obj *obj);
void ipcdev_ns_unpin(struct ipcdev_obj *obj);

/* The identity part of every STAT ioctl. */
struct ipcdev_ids {
	u32 id;
	u32 mode;
	u32 uid;
	u32 gid;
};

u32 ipcdev_obj_flags(const struct ipcdev_obj *obj);

void ipcdev_obj_ids(const struct ipcdev_obj *obj, struct ipcdev_ids *ids);

/* Fill the identity fields that a STAT struct names id, mode, uid, gid. */
#define IPCDEV_STAT_IDS(st, obj)					\
	do {								\
		typeof(st) __st = (st);					\
		struct ipcdev_ids __ids;				\
									\
		ipcdev_obj_ids(obj, &__ids);				\
		__st->id = __ids.id;					\
		__st->mode = __ids.mode;				\
		__st->uid = __ids.uid;					\
		__st->gid = __ids.gid;					\
	} while (0)

void ipcdev_registry_walk(void (*fn)(struct ipcdev_obj *obj, void *arg),
			  void *arg);

#endif /* _IPCDEV_REGISTRY_H */
