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

/**
 * struct ipcdev_kind - what the registry knows of an object kind
 * @name:	"queue", "pipe", ...: names live in one namespace per kind
 * @free:	frees the object embedding @obj once its last reference is gone
 * @attach:	optional: a handle with this role is being bound
 * @detach:	optional: undoes @attach when the handle goes
 * @row:	fills the object's line of /proc/ipcdev/objects, under the
 *		registry lock, without the object's (it may sleep)
 */
struct ipcdev_kind {
	const char *name;
	void (*free)(struct ipcdev_obj *obj);
	void (*row)(struct ipcdev_obj *obj, struct ipcdev_row *row);
	void (*attach)(struct ipcdev_obj *obj, u32 role);
	void (*detach)(struct ipcdev_obj *obj, u32 role);
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

typedef struct ipcdev_obj *(*ipcdev_create_fn)(void *arg, char *name,
					       umode_t mode);
int ipcdev_registry_open(const struct ipcdev_kind *kind, char *name,
			 u32 flags, umode_t mode, fmode_t fmode,
			 ipcdev_create_fn create, void *arg,
			 struct ipcdev_obj **out);
int ipcdev_registry_unlink(const struct ipcdev_kind *kind, const char *name);
long ipcdev_ioctl_unlink(const struct ipcdev_kind *kind, void __user *uarg);
void ipcdev_registry_exit(void);
long ipcdev_registry_named(void);
long ipcdev_ioctl_setattr(const struct ipcdev_kind *kind, struct file *file,
			  void __user *uarg);

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
