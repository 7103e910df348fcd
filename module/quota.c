// SPDX-License-Identifier: GPL-2.0
/*
 * Per-user quotas: the objects a user has created and the bytes it holds
 * (queued messages it sent, pipe buffers, shared memory segments it
 * created).  Exceeding a quota fails with EDQUOT and changes nothing;
 * CAP_SYS_RESOURCE lifts the quotas, as for pipe buffers.  Users are
 * identified by kuid, so the same uid in different user namespaces mapped to
 * different kuids counts separately.
 */
#include <linux/capability.h>
#include <linux/hashtable.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include "ipcdev.h"

/**
 * struct ipcdev_user - what one user holds
 * @node:	in ipcdev_users; ipcdev_users_lock
 * @uid:	immutable
 * @objects:	objects created and still alive; ipcdev_users_lock
 * @bytes:	bytes held; ipcdev_users_lock
 *
 * A record lives while either count is not zero.
 */
struct ipcdev_user {
	struct hlist_node node;
	kuid_t uid;
	long objects;
	long bytes;
};

static DEFINE_SPINLOCK(ipcdev_users_lock);
static DEFINE_HASHTABLE(ipcdev_users, 6);

static struct ipcdev_user *ipcdev_user_find(kuid_t uid)
	__must_hold(&ipcdev_users_lock)
{
	struct ipcdev_user *u;

	hash_for_each_possible(ipcdev_users, u, node, __kuid_val(uid))
		if (uid_eq(u->uid, uid))
			return u;
	return NULL;
}

static bool ipcdev_over_quota(struct ipcdev_user *u, long objects,
			      long bytes)
	__must_hold(&ipcdev_users_lock)
{
	return (objects && u->objects + objects >
			   (long)READ_ONCE(ipcdev_user_objects_max)) ||
	       (bytes && u->bytes + bytes >
			 (long)READ_ONCE(ipcdev_user_bytes_max));
}

/*
 * One attempt: charge if the quota allows (or @unlimited).  @spare is a
 * preallocated record, consumed when the user has none yet.
 */
static int ipcdev_try_charge(kuid_t uid, long objects, long bytes,
			     bool unlimited, struct ipcdev_user **spare,
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
	if (!unlimited && ipcdev_over_quota(u, objects, bytes)) {
		ret = -EDQUOT;
	} else {
		u->objects += objects;
		u->bytes += bytes;
		*out = u;
	}
	if (!u->objects && !u->bytes) {
		/* A record we just added for a charge that failed. */
		hash_del(&u->node);
		*spare = u;
	}
out:
	spin_unlock(&ipcdev_users_lock);
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
	struct ipcdev_user *spare = NULL;
	bool unlimited = false;
	int ret;

	for (;;) {
		ret = ipcdev_try_charge(uid, objects, bytes, unlimited, &spare,
					out);
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
 * ipcdev_uncharge() - give back what ipcdev_charge() took
 * @u:		the user's record (NULL: nothing)
 * @objects:	objects to give back
 * @bytes:	bytes to give back
 */
void ipcdev_uncharge(struct ipcdev_user *u, long objects, long bytes)
{
	bool last;

	if (!u)
		return;
	spin_lock(&ipcdev_users_lock);
	u->objects -= objects;
	u->bytes -= bytes;
	last = !u->objects && !u->bytes;
	if (last)
		hash_del(&u->node);
	spin_unlock(&ipcdev_users_lock);
	if (last)
		kfree(u);
}
