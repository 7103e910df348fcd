/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-user quotas (quota.c): objects and bytes each user holds, charged
 * at creation and by every message.
 */
#ifndef _IPCDEV_QUOTA_H
#define _IPCDEV_QUOTA_H

#include <linux/atomic.h>
#include <linux/cred.h>
#include <linux/list.h>
#include <linux/rcupdate.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include "params.h"

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

int ipcdev_charge(kuid_t uid, long objects, long bytes,
		  struct ipcdev_user **out);
void ipcdev_uncharge(struct ipcdev_user *u, long objects, long bytes);
int ipcdev_charge_msg_slow(struct ipcdev_user **cache, long bytes,
			   struct ipcdev_user **out);
void ipcdev_user_release(struct ipcdev_user *u);
void ipcdev_user_put(struct ipcdev_user *u);

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

#endif /* _IPCDEV_QUOTA_H */
