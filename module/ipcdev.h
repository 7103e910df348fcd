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
#include <linux/cred.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/uaccess.h>
#include <linux/ipcdev.h>

/*
 * Hard limits no module parameter can raise.  A message has none: its
 * ceilings are its channel's msgsize_max and the sender's byte quota.
 */
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
extern unsigned long ipcdev_spare_max;

/* Module-wide counters, shown in /proc/ipcdev/stats. */
extern atomic_long_t ipcdev_nr_objects;
extern atomic_long_t ipcdev_nr_handles;
extern atomic_long_t ipcdev_nr_bytes;
extern atomic_long_t ipcdev_nr_spare;	/* bytes held in large spares */
extern atomic_long_t ipcdev_nr_sending;	/* large messages being put */

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
int ipcdev_charge_msg_slow(struct ipcdev_user **cache, long bytes,
			   struct ipcdev_user **out);
void ipcdev_user_release(struct ipcdev_user *u);
void ipcdev_user_put(struct ipcdev_user *u);

/**
 * struct ipcdev_user - what one user holds
 * @node:	in ipcdev_users; ipcdev_users_lock
 * @rcu:	frees the record after the lockless readers of @bytes
 * @uid:	immutable
 * @refs:	handles that cache the record (ipcdev_charge_msg())
 * @objects:	objects created and still alive; ipcdev_users_lock
 * @bytes:	bytes held; changed atomically, without the lock
 *
 * A record lives while any count is not zero; it is freed, under
 * ipcdev_users_lock, by whoever brings the last one to zero.  Only a
 * holder of one of them charges it without the lock (a cached handle, a
 * message for its own bytes), so a record seen at zero everywhere under the
 * lock stays so.  Lockless uncharges read it under RCU.
 */
struct ipcdev_user {
	struct hlist_node node;
	struct rcu_head rcu;
	kuid_t uid;
	atomic_t refs;
	long objects;
	atomic_long_t bytes;
};

/*
 * Add @bytes to @u if the quota allows (or @unlimited).  Exact under
 * concurrent charges: a charge never fails for another's passing one.
 */
static inline bool ipcdev_user_add_bytes(struct ipcdev_user *u, long bytes,
					 bool unlimited)
{
	long max = READ_ONCE(ipcdev_user_bytes_max);
	long old = atomic_long_read(&u->bytes);

	do {
		if (!unlimited && bytes && old + bytes > max)
			return false;
	} while (!atomic_long_try_cmpxchg(&u->bytes, &old, old + bytes));
	return true;
}

/**
 * ipcdev_charge_msg() - charge a message's bytes to the current user
 * @cache:	the sending handle's cached record (the first user to send
 *		through it); other users of the handle take the locked path
 * @bytes:	the message's length
 * @out:	the user's record, for ipcdev_uncharge_msg()
 *
 * Inline and lockless when the handle caches the sender's record: the
 * handle's reference keeps it alive.
 * Return: 0, -EDQUOT (quota exceeded and no CAP_SYS_RESOURCE), -ENOMEM.
 */
static inline int ipcdev_charge_msg(struct ipcdev_user **cache, long bytes,
				    struct ipcdev_user **out)
{
	struct ipcdev_user *u = READ_ONCE(*cache);

	if (likely(u && uid_eq(u->uid, current_fsuid()) &&
		   ipcdev_user_add_bytes(u, bytes, false))) {
		*out = u;
		return 0;
	}
	return ipcdev_charge_msg_slow(cache, bytes, out);
}

/**
 * ipcdev_uncharge_msg() - give back a message's bytes
 * @u:		the record ipcdev_charge_msg() charged, or NULL
 * @bytes:	the message's length
 *
 * Lockless; the record is read under RCU, since whoever brings its last
 * count to zero frees it.
 */
static inline void ipcdev_uncharge_msg(struct ipcdev_user *u, long bytes)
{
	if (!u)
		return;
	rcu_read_lock();
	if (!atomic_long_sub_return(bytes, &u->bytes) &&
	    !atomic_read(&u->refs))
		ipcdev_user_release(u);
	rcu_read_unlock();
}

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

/**
 * ipcdev_wait_init() - decode the IPCDEV_WAIT_* flags of a call
 * @w:		filled in
 * @file:	O_NONBLOCK on the file also means never wait
 * @flags:	IPCDEV_WAIT_* from user space
 * @deadline_ns: absolute CLOCK_MONOTONIC, with IPCDEV_WAIT_DEADLINE
 * Return: 0, or -EINVAL for unknown flags.
 */
static inline int ipcdev_wait_init(struct ipcdev_wait *w, struct file *file,
				   u32 flags, u64 deadline_ns)
{
	if (flags & ~(IPCDEV_WAIT_NONBLOCK | IPCDEV_WAIT_DEADLINE))
		return -EINVAL;
	w->nonblock = (flags & IPCDEV_WAIT_NONBLOCK) ||
		      (file->f_flags & O_NONBLOCK);
	w->timed = flags & IPCDEV_WAIT_DEADLINE;
	/* ktime_t is signed: clamp far deadlines instead of wrapping. */
	w->deadline = deadline_ns > KTIME_MAX ? KTIME_MAX : (ktime_t)deadline_ns;
	w->recheck_ms = 0;
	return 0;
}

int ipcdev_wait_sleep(wait_queue_head_t *wq, struct mutex *lock,
		      int (*check)(void *arg), void *arg,
		      const struct ipcdev_wait *w, bool exclusive,
		      atomic_t *nr_waiting, struct ipcdev_waiter *waiter);

/**
 * ipcdev_wait_locked() - sleep on @wq until @check(@arg) is non-zero
 * @wq:		the wait queue; wakers change the state under @lock, then
 *		wake it
 * @lock:	held on entry and on return, dropped while asleep
 * @check:	1: go on; 0: wait; negative errno: end the call with it.
 *		Called under @lock, must not sleep
 * @arg:	for @check
 * @w:		how long
 * @exclusive:	wake-one waiters (they pass an unused wake-up on when they
 *		leave), else every waiter is woken
 * @nr_waiting:	optional count of sleepers
 * @waiter:	optional: the caller's queue entry, through which a waker
 *		may do the caller's work for it (ipcdev_waiter_hand());
 *		NULL: an entry of our own, never handed anything
 *
 * @lock is re-taken killably after each sleep: the holder may be copying
 * to or from user memory that takes long to fault in, and SIGKILL must
 * still end the wait at once.  A task killed there returns -EINTR WITHOUT
 * @lock; it passes on any wake-up it may have consumed.
 *
 * Return: 0 when @check said go on, its errno, -EAGAIN (non-blocking),
 * -ETIMEDOUT, -ERESTARTSYS (a signal: restarts under SA_RESTART, EINTR
 * otherwise; the deadline being absolute, a restart never waits longer);
 * all with @lock held; or, with @lock released: -EINTR (fatal signal) or
 * IPCDEV_WAIT_HANDED (a waker served @waiter, even if a signal came).
 */
static inline int ipcdev_wait_locked(wait_queue_head_t *wq, struct mutex *lock,
				     int (*check)(void *arg), void *arg,
				     const struct ipcdev_wait *w,
				     bool exclusive, atomic_t *nr_waiting,
				     struct ipcdev_waiter *waiter)
{
	/* Inline, so that the usual call that need not wait costs no call. */
	int ret = check(arg);

	if (ret)
		return ret < 0 ? ret : 0;
	if (w->nonblock)
		return -EAGAIN;
	return ipcdev_wait_sleep(wq, lock, check, arg, w, exclusive,
				 nr_waiting, waiter);
}

/* Take @waiter off its queue (whose lock is held), wake it, mark it. */
static inline void ipcdev_waiter_served(struct ipcdev_waiter *waiter)
{
	list_del_init(&waiter->wait.entry);
	wake_up_process(waiter->wait.private);
	/* Release: the waker's work is done before the waiter sees it. */
	smp_store_release(&waiter->handed, 1);
}

/**
 * ipcdev_waiter_hand() - serve the first sleeper of @wq directly
 * @wq:		an exclusive wait queue whose entries are all embedded in
 *		struct ipcdev_waiter
 * @take:	called under @wq's lock with the first waiter: true when it
 *		did that waiter's work (it must not sleep)
 * @arg:	for @take
 *
 * The caller holds the lock the sleepers re-check under (the @lock of
 * ipcdev_wait_locked()).  The served waiter is taken off @wq, woken, and
 * then marked handed: it returns IPCDEV_WAIT_HANDED without re-taking
 * that lock.  It is woken before it is marked, so that it cannot have
 * returned (and freed its entry and maybe exited) while we wake it; woken
 * early, it finds the mark under the lock we hold.
 *
 * Return: true when a waiter was served.
 */
static inline bool
ipcdev_waiter_hand(wait_queue_head_t *wq,
		   bool (*take)(struct ipcdev_waiter *waiter, void *arg), void *arg)
{
	struct ipcdev_waiter *waiter;
	bool served = false;

	spin_lock_irq(&wq->lock);
	waiter = list_first_entry_or_null(&wq->head, struct ipcdev_waiter,
					  wait.entry);
	if (waiter && take(waiter, arg)) {
		ipcdev_waiter_served(waiter);
		served = true;
	}
	spin_unlock_irq(&wq->lock);
	return served;
}

/**
 * ipcdev_waiter_hand_all() - serve every sleeper of @wq directly
 * @wq:		a wait queue whose entries are all embedded in struct
 *		ipcdev_waiter
 * @take:	called under @wq's lock for each waiter, in order; does its
 *		work (must not sleep)
 * @arg:	for @take
 *
 * As ipcdev_waiter_hand(), for every waiter.
 */
static inline void
ipcdev_waiter_hand_all(wait_queue_head_t *wq,
		       void (*take)(struct ipcdev_waiter *waiter, void *arg),
		       void *arg)
{
	struct ipcdev_waiter *waiter, *next;

	spin_lock_irq(&wq->lock);
	list_for_each_entry_safe(waiter, next, &wq->head, wait.entry) {
		take(waiter, arg);
		ipcdev_waiter_served(waiter);
	}
	spin_unlock_irq(&wq->lock);
}

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
 * @maxsize:	most messages (never 0: resolved at init; IPCDEV_UNLIMITED:
 *		no bound); immutable
 * @msgsize_max: longest message (IPCDEV_UNLIMITED: no bound); immutable
 * @bytes_max:	capacity in bytes (IPCDEV_UNLIMITED: no bound); immutable
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

int ipc_chan_limits_resolve(struct ipc_chan_limits *lim, bool bounded);
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

/*
 * The VFS cuts a write(2) to MAX_RW_COUNT bytes before the device sees it,
 * so a write of that many bytes may be the head of a longer buffer.  A
 * message is never cut: write(2) refuses it (-EMSGSIZE); the PUT and SEND
 * ioctls carry any length.
 */
static inline bool ipcdev_write_maybe_cut(size_t len)
{
	return len >= MAX_RW_COUNT;
}

struct miscdevice;
extern struct miscdevice ipcq_misc;
extern struct miscdevice ipcpipe_misc;
extern struct miscdevice ipcevent_misc;
extern struct miscdevice ipcshm_misc;

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
static inline long ipcdev_msg_ioctl(struct ipc_chan *ch, void __user *uarg,
				    bool put, struct file *file)
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

#endif /* _IPCDEV_INTERNAL_H */
