/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ipcdev internal interfaces: the object registry, handles, waiting and the
 * message-channel core shared by the queue and pipe devices.
 */
#ifndef _IPCDEV_INTERNAL_H
#define _IPCDEV_INTERNAL_H

#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/sizes.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/poll.h>
#include <linux/wait.h>
#include <linux/ktime.h>
#include <linux/ipcdev.h>

/* Hard limits no module parameter can raise. */
#define IPCDEV_MSG_HARD_MAX	SZ_256M
#define IPCDEV_BYTES_HARD_MAX	SZ_1G
#define IPCDEV_MSGS_HARD_MAX	SZ_16M
#define IPCDEV_SHM_HARD_MAX	(16ULL * SZ_1G)

/* Module parameters (main.c); read with READ_ONCE, root may change them. */
extern unsigned long ipcdev_msgsize_max;
extern unsigned long ipcdev_bytes_default;
extern unsigned long ipcdev_bytes_max;
extern unsigned long ipcdev_msgs_max;
extern unsigned long ipcdev_named_max;
extern unsigned long ipcdev_shm_max;
extern unsigned long ipcdev_user_objects_max;
extern unsigned long ipcdev_user_bytes_max;

/* Module-wide counters, shown in /proc/ipcdev/stats. */
extern atomic_long_t ipcdev_nr_objects;
extern atomic_long_t ipcdev_nr_handles;
extern atomic_long_t ipcdev_nr_bytes;

unsigned long ipcdev_limit(unsigned long param, unsigned long hard);

struct ipcdev_obj;
struct ipcdev_user;
struct ipc_namespace;
struct seq_file;

/**
 * struct ipcdev_row - one object's line in /proc/ipcdev/objects, read
 * without locks (a snapshot that may be a moment old)
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
 * @row:	fills the object's line of /proc/ipcdev/objects; no locks
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
int ipcdev_objects_show(struct seq_file *m, void *v);
long ipcdev_ioctl_setattr(const struct ipcdev_kind *kind, struct file *file,
			  void __user *uarg);

/* Namespaces (ns.c) and quotas (quota.c). */
struct ipc_namespace *ipcdev_current_ns(void);
unsigned int ipcdev_ns_inum(struct ipc_namespace *ns);
int ipcdev_ns_pin(struct ipcdev_obj *obj);
void ipcdev_ns_unpin(struct ipcdev_obj *obj);
int ipcdev_charge(kuid_t uid, long objects, long bytes,
		  struct ipcdev_user **out);
void ipcdev_uncharge(struct ipcdev_user *u, long objects, long bytes);
int ipcdev_charge_msg(struct ipcdev_user **cache, long bytes,
		      struct ipcdev_user **out);
void ipcdev_user_put(struct ipcdev_user *u);

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
struct ipcdev_obj *ipcdev_handle_get_obj(struct ipcdev_handle *h,
					 struct ipcdev_obj *(*create)(void));

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

long ipcdev_common_ioctl(const struct ipcdev_kind *kind, struct file *file,
			 unsigned int cmd, void __user *uarg);
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

int ipcdev_handle_attach(struct ipcdev_handle *h, struct ipcdev_obj *obj,
			 u32 role);
int ipcdev_open_named(struct ipcdev_handle *h, const struct ipcdev_kind *kind,
		      u64 uname, u32 flags, umode_t mode,
		      ipcdev_create_fn create, void *arg, u32 role);

/**
 * struct ipcdev_wait - how long a call may wait
 * @nonblock:	never wait: -EAGAIN
 * @timed:	@deadline is valid
 * @deadline:	absolute CLOCK_MONOTONIC time
 * @recheck_ms:	if not 0, wake up at least this often to re-check the
 *		condition (for states no wake-up announces, like a lock
 *		holder's death)
 */
struct ipcdev_wait {
	bool nonblock;
	bool timed;
	ktime_t deadline;
	u32 recheck_ms;
};

/**
 * struct ipcdev_waiter - a sleeper in ipcdev_wait_locked() that a waker
 * may serve directly (ipcdev_waiter_hand()), as POSIX mq's pipelined
 * send does, instead of waking it to re-check
 * @wait:	on the wait queue; taken off by the waker under its lock
 * @handed:	set with release by the waker that served it; read with
 *		acquire by the sleeper, or under the waiters' lock
 */
struct ipcdev_waiter {
	struct wait_queue_entry wait;
	int handed;
};

/* ipcdev_wait_locked(): a waker served the waiter; the lock is not held. */
#define IPCDEV_WAIT_HANDED	1

int ipcdev_wait_init(struct ipcdev_wait *w, struct file *file, u32 flags,
		     u64 deadline_ns);
int ipcdev_wait_locked(wait_queue_head_t *wq, struct mutex *lock,
		       int (*check)(void *arg), void *arg,
		       const struct ipcdev_wait *w, bool exclusive,
		       atomic_t *nr_waiting, struct ipcdev_waiter *waiter);
bool ipcdev_waiter_hand(wait_queue_head_t *wq,
			bool (*take)(struct ipcdev_waiter *waiter, void *arg),
			void *arg);

/* The message-channel core (channel.c). */
struct ipc_msg;

/**
 * struct ipc_chan - a FIFO of whole messages with blocking put and get
 * @lock:	guards every field below but the wait queues, which have
 *		their own lock; messages are copied to user space under it
 * @msgs:	queued struct ipc_msg, oldest first
 * @count:	messages queued; written under @lock, read locklessly by poll
 * @bytes:	payload bytes queued; as @count
 * @getters:	tasks sleeping in get: raised under @lock, lowered under it
 *		except by a task killed while re-taking it (see wait.c)
 * @putters:	tasks sleeping in put; as @getters
 * @maxsize:	most messages (never 0: resolved at init); immutable
 * @msgsize_max: longest message; immutable
 * @bytes_max:	capacity in bytes; immutable
 * @getq:	sleeping getters, exclusive waits, one woken per message
 * @putq:	sleeping putters, exclusive waits, one woken per freed room
 * @pollq:	poll/epoll waiters, woken with the ready events as key
 * @fasync_in:	where to signal readability (owner's list); may be NULL
 * @fasync_out:	where to signal writability; may be NULL
 * @no_getters:	the receiving side is gone: puts fail with -EPIPE; @lock
 * @no_putters:	the sending side is gone: an empty channel is at end of
 *		file; @lock
 * @spare:	a small message taken earlier, kept to carry the next one;
 *		taken and given back with xchg()/cmpxchg(), without @lock
 *
 * Every entry of @getq is a getter's struct ipcdev_waiter: a put may hand
 * its message straight to the first one.
 */
struct ipc_chan {
	struct mutex lock;	/* see above: guards the channel */
	struct list_head msgs;
	u64 count;
	u64 bytes;
	atomic_t getters;
	atomic_t putters;
	u64 maxsize;
	u64 msgsize_max;
	u64 bytes_max;
	wait_queue_head_t getq;
	wait_queue_head_t putq;
	wait_queue_head_t pollq;
	struct fasync_struct **fasync_in;
	struct fasync_struct **fasync_out;
	bool no_getters;
	bool no_putters;
	struct ipc_msg *spare;
};

struct ipc_chan_limits {
	u64 maxsize;
	u64 msgsize_max;
	u64 bytes_max;
};

int ipc_chan_limits_resolve(struct ipc_chan_limits *lim);
void ipc_chan_init(struct ipc_chan *ch, const struct ipc_chan_limits *lim);
void ipc_chan_destroy(struct ipc_chan *ch);
int ipc_chan_put(struct ipc_chan *ch, const void __user *buf, u64 len,
		 const struct ipcdev_wait *w, struct ipcdev_user **quser);
int ipc_chan_get(struct ipc_chan *ch, void __user *buf, u64 size,
		 const struct ipcdev_wait *w, u64 *msglen, u64 __user *ulen);
__poll_t ipc_chan_poll(struct ipc_chan *ch, struct file *file,
		       poll_table *pt);
bool ipc_chan_full(struct ipc_chan *ch);
void ipc_chan_poll_wait(struct ipc_chan *ch, struct file *file,
			poll_table *pt);
void ipc_chan_waiters(struct ipc_chan *ch, u32 *getters, u32 *putters);
void ipc_chan_hangup(struct ipc_chan *ch, bool getters_gone,
		     bool putters_gone);
bool ipc_chan_readable(const struct ipc_chan *ch);
bool ipc_chan_writable(const struct ipc_chan *ch);
void ipc_chan_row(struct ipc_chan *ch, struct ipcdev_row *row);

struct miscdevice;
extern struct miscdevice ipcq_misc;
extern struct miscdevice ipcpipe_misc;
extern struct miscdevice ipcevent_misc;
extern struct miscdevice ipcshm_misc;

long ipcdev_msg_ioctl(struct ipc_chan *ch, void __user *uarg, bool put,
		      struct file *file);

#endif /* _IPCDEV_INTERNAL_H */
