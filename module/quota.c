// SPDX-License-Identifier: GPL-2.0
/*
 * Per-user quotas: the objects a user has created and the bytes it holds
 * (queued messages it sent, pipe buffers, shared memory segments it
 * created).  Exceeding a quota fails with EDQUOT and changes nothing;
 * CAP_SYS_RESOURCE lifts the quotas, as for pipe buffers.  Users are
 * identified by kuid, so the same uid in different user namespaces mapped to
 * different kuids counts separately.
 *
 * Messages are charged on every put and given back on every get, so that
 * path takes no lock: a handle caches the record of the user who sends
 * through it (ipcdev_charge_msg() in ipcdev.h), and bytes are an atomic
 * counter.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/hashtable.h>
#include <linux/lockdep.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include "quota.h"

static DEFINE_SPINLOCK(ipcdev_users_lock);
static DEFINE_HASHTABLE(ipcdev_users, 6);

static struct ipcdev_user *ipcdev_user_find(kuid_t uid)
	__must_hold(&ipcdev_users_lock)
{
	struct ipcdev_user *u;

	lockdep_assert_held(&ipcdev_users_lock);

	hash_for_each_possible(ipcdev_users, u, node, __kuid_val(uid))
		if (uid_eq(u->uid, uid))
			return u;
	return NULL;
}

/* Free @u if nothing holds it any more (and nobody freed it yet). */
static void ipcdev_user_maybe_free(struct ipcdev_user *u)
	__must_hold(&ipcdev_users_lock)
{
	lockdep_assert_held(&ipcdev_users_lock);
	if (hlist_unhashed(&u->node) || atomic_read(&u->refs) || u->objects ||
	    atomic_long_read(&u->bytes))
		return;
	hash_del(&u->node);
	kfree_rcu(u, rcu);
}

/**
 * ipcdev_user_release() - free @u if nothing holds it any more
 * @u:		a record whose bytes just fell to zero with no handle
 *		holding it; the caller is in an RCU read-side section
 */
void ipcdev_user_release(struct ipcdev_user *u)
{
	spin_lock(&ipcdev_users_lock);
	ipcdev_user_maybe_free(u);
	spin_unlock(&ipcdev_users_lock);
}

/*
 * One attempt: find (or add, from @spare) @uid's record and charge it if the
 * quota allows (or @unlimited); with @ref, also take a handle's reference.
 * @spare is a preallocated record, consumed when the user has none yet.
 */
static int ipcdev_try_charge(kuid_t uid, long objects, long bytes,
			     bool unlimited, bool ref,
			     struct ipcdev_user **spare,
			     struct ipcdev_user **out)
{
	struct ipcdev_user *u;
	int ret = 0;

	spin_lock(&ipcdev_users_lock);
	u = ipcdev_user_find(uid);
	if (!u) {
		u = *spare;
		if (!u) {
			ret = -EAGAIN;
			goto out;
		}
		*spare = NULL;
		u->uid = uid;
		hash_add(ipcdev_users, &u->node, __kuid_val(uid));
	}
	if (!unlimited && objects &&
	    u->objects + objects > (long)READ_ONCE(ipcdev_user_objects_max)) {
		ret = -EDQUOT;
	} else if (!ipcdev_user_add_bytes(u, bytes, unlimited)) {
		ret = -EDQUOT;
	} else {
		u->objects += objects;
		if (ref)
			atomic_inc(&u->refs);
		*out = u;
	}
	/* A record we just added for a charge that failed. */
	ipcdev_user_maybe_free(u);
out:
	spin_unlock(&ipcdev_users_lock);
	return ret;
}

static int ipcdev_charge_ref(kuid_t uid, long objects, long bytes, bool ref,
			     struct ipcdev_user **out)
{
	struct ipcdev_user *spare = NULL;
	bool unlimited = false;
	int ret;

	for (;;) {
		ret = ipcdev_try_charge(uid, objects, bytes, unlimited, ref,
					&spare, out);
		if (ret == -EAGAIN) {
			spare = kzalloc(sizeof(*spare), GFP_KERNEL_ACCOUNT);
			if (!spare)
				return -ENOMEM;
			continue;
		}
		if (ret == -EDQUOT && !unlimited &&
		    capable(CAP_SYS_RESOURCE)) {
			unlimited = true;
			continue;
		}
		break;
	}
	kfree(spare);
	return ret;
}

/**
 * ipcdev_charge() - charge objects and bytes to a user
 * @uid:	the user
 * @objects:	objects to add
 * @bytes:	bytes to add
 * @out:	the user's record, for ipcdev_uncharge()
 * Return: 0, -EDQUOT (quota exceeded and no CAP_SYS_RESOURCE), -ENOMEM.
 */
int ipcdev_charge(kuid_t uid, long objects, long bytes,
		  struct ipcdev_user **out)
{
	return ipcdev_charge_ref(uid, objects, bytes, false, out);
}

/**
 * ipcdev_charge_msg_slow() - ipcdev_charge_msg() when the handle's cached
 * record is missing, another user's, or over its quota
 * @cache:	the sending handle's cached record (set here at first use,
 *		released by ipcdev_user_put())
 * @bytes:	the message's length
 * @out:	the user's record, for ipcdev_uncharge()
 * Return: 0, -EDQUOT (quota exceeded and no CAP_SYS_RESOURCE), -ENOMEM.
 */
int ipcdev_charge_msg_slow(struct ipcdev_user **cache, long bytes,
			   struct ipcdev_user **out)
{
	kuid_t uid = current_fsuid();
	struct ipcdev_user *u = READ_ONCE(*cache);
	int ret;

	if (!u) {
		ret = ipcdev_charge_ref(uid, 0, 0, true, &u);
		if (ret)
			return ret;
		if (cmpxchg(cache, NULL, u)) {
			ipcdev_user_put(u);
			u = READ_ONCE(*cache);
		}
	}
	if (!uid_eq(u->uid, uid))
		return ipcdev_charge(uid, 0, bytes, out);
	/* Our reference keeps @u alive and charged records stay hashed. */
	if (!ipcdev_user_add_bytes(u, bytes, false) &&
	    (!capable(CAP_SYS_RESOURCE) ||
	     !ipcdev_user_add_bytes(u, bytes, true)))
		return -EDQUOT;
	*out = u;
	return 0;
}

/**
 * ipcdev_user_put() - drop a handle's cached record (ipcdev_charge_msg())
 * @u:		the record, or NULL
 */
void ipcdev_user_put(struct ipcdev_user *u)
{
	/*
	 * atomic_dec_and_lock(), open-coded: PREEMPT_RT's spin_unlock() has
	 * no sparse annotation to balance that macro's __cond_lock().
	 */
	if (!u || atomic_add_unless(&u->refs, -1, 1))
		return;
	spin_lock(&ipcdev_users_lock);
	if (atomic_dec_and_test(&u->refs))
		ipcdev_user_maybe_free(u);
	spin_unlock(&ipcdev_users_lock);
}

/**
 * ipcdev_uncharge() - give back what ipcdev_charge() took
 * @u:		the user's record (NULL: nothing)
 * @objects:	objects to give back
 * @bytes:	bytes to give back
 */
void ipcdev_uncharge(struct ipcdev_user *u, long objects, long bytes)
{
	if (!u)
		return;
	spin_lock(&ipcdev_users_lock);
	u->objects -= objects;
	atomic_long_sub(bytes, &u->bytes);
	ipcdev_user_maybe_free(u);
	spin_unlock(&ipcdev_users_lock);
}
