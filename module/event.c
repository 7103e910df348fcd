// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/ipcevent: multiprocessing.Event as a kernel object.
 *
 * A flag and a generation count.  SET raises the flag, bumps the generation
 * and wakes every waiter; a waiter goes on when the flag is raised or the
 * generation moved since it started waiting, so a SET that is cleared again
 * at once still releases everyone who was waiting at the SET.  A SET serves
 * its sleeping waiters directly (ipcdev_waiter_hand_all()): each gets the
 * generation and, for a WAIT_CLEAR, the flag is lowered at once, so that
 * they need not re-take the lock.
 */
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/lockdep.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/uio.h>
#include "ipcdev.h"

/**
 * struct ipcevent - an event
 * @obj:	registry part
 * @lock:	guards @set and @sets; @waiters is raised under it
 * @set:	the flag; also read locklessly by poll
 * @sets:	SETs that raised the flag: the generation
 * @waiters:	tasks sleeping in WAIT
 * @wq:		sleeping WAITs, each a struct ipcevent_waiter, all served
 *		by a SET
 * @pollq:	poll/epoll waiters, woken by a SET
 * @fasync:	handles with O_ASYNC; fasync_helper()'s own locking
 */
struct ipcevent {
	struct ipcdev_obj obj;
	struct mutex lock;	/* see above */
	bool set;
	u64 sets;
	atomic_t waiters;
	wait_queue_head_t wq;
	wait_queue_head_t pollq;
	struct fasync_struct *fasync;
};

/* A WAIT asleep; a SET fills it in (ipcevent_serve()). */
struct ipcevent_waiter {
	struct ipcdev_waiter waiter;
	bool clear;		/* WAIT_CLEAR: the SET lowers the flag */
	u64 sets;		/* the generation at the SET */
};

static struct ipcevent *to_event(struct ipcdev_obj *obj)
{
	return container_of(obj, struct ipcevent, obj);
}

static void ipcevent_free(struct ipcdev_obj *obj)
{
	struct ipcevent *ev = to_event(obj);

	mutex_destroy(&ev->lock);
	ipcdev_obj_fini(&ev->obj);
	kfree(ev);
}

static void ipcevent_row(struct ipcdev_obj *obj, struct ipcdev_row *row)
{
	struct ipcevent *ev = to_event(obj);

	row->count = READ_ONCE(ev->set);
	row->waiters = atomic_read(&ev->waiters);
}

static const struct ipcdev_kind ipcevent_kind;

/* Create an event (an ipcdev_create_fn); @arg points to the initial flag. */
static struct ipcdev_obj *ipcevent_create(void *arg, char *name, umode_t mode)
{
	struct ipcevent *ev;
	int ret;

	ev = kzalloc(sizeof(*ev), GFP_KERNEL_ACCOUNT);
	if (!ev)
		return ERR_PTR(-ENOMEM);
	mutex_init(&ev->lock);
	init_waitqueue_head(&ev->wq);
	init_waitqueue_head(&ev->pollq);
	ev->set = *(bool *)arg;
	ret = ipcdev_obj_init(&ev->obj, &ipcevent_kind, name, mode, 0);
	if (ret) {
		kfree(ev);
		return ERR_PTR(ret);
	}
	return &ev->obj;
}

/* The event of an object descriptor. */
static struct ipcevent *ipcevent_of(struct file *file)
{
	return to_event(ipcdev_file_obj(file));
}

/* EVENT_OPEN's own fields; @out gets the initial flag. */
static int ipcevent_parse(const void *uarg, struct ipcdev_open_req *req,
			  void *out)
{
	const struct ipcdev_event_open *arg = uarg;

	if (arg->reserved[0] || arg->reserved[1])
		return -EINVAL;
	*(bool *)out = arg->flags & IPCDEV_EVENT_INIT_SET;
	return 0;
}

/* Release one sleeping WAIT at a SET; under ev->lock and ev->wq's lock. */
static void ipcevent_serve(struct ipcdev_waiter *waiter, void *arg)
{
	struct ipcevent_waiter *ew = container_of(waiter,
						  struct ipcevent_waiter,
						  waiter);
	struct ipcevent *ev = arg;

	lockdep_assert_held(&ev->lock);
	lockdep_assert_held(&ev->wq.lock);
	ew->sets = ev->sets;
	if (ew->clear)
		WRITE_ONCE(ev->set, false);
}

static void ipcevent_set(struct ipcevent *ev)
{
	mutex_lock(&ev->lock);
	if (!ev->set) {
		WRITE_ONCE(ev->set, true);
		ev->sets++;
		/* Waiters sleep in TASK_INTERRUPTIBLE on wq, queued under lock. */
		if (atomic_read(&ev->waiters))
			ipcdev_waiter_hand_all(&ev->wq, ipcevent_serve, ev);
		/* Pairs with the barrier after poll_wait() in ipcevent_poll(). */
		if (wq_has_sleeper(&ev->pollq))
			wake_up_all(&ev->pollq);
		if (READ_ONCE(ev->fasync))
			kill_fasync(&ev->fasync, SIGIO, POLL_IN);
	}
	mutex_unlock(&ev->lock);
}

static void ipcevent_clear(struct ipcevent *ev)
{
	mutex_lock(&ev->lock);
	WRITE_ONCE(ev->set, false);
	mutex_unlock(&ev->lock);
}

struct ipcevent_cond {
	struct ipcevent *ev;
	u64 gen;
};

static int ipcevent_check(void *arg)
{
	struct ipcevent_cond *c = arg;

	lockdep_assert_held(&c->ev->lock);
	return c->ev->set || c->ev->sets != c->gen;
}

/*
 * Wait for the event; with @clear, lower the flag in the same step.  @sets
 * gets the SET count when the wait succeeds.
 */
static int ipcevent_wait(struct ipcevent *ev, const struct ipcdev_wait *w,
			 bool clear, u64 *sets)
{
	struct ipcevent_cond c = { .ev = ev };
	struct ipcevent_waiter ew = { .clear = clear };
	int ret;

	ret = mutex_lock_killable(&ev->lock);
	if (ret)
		return ret;
	c.gen = ev->sets;
	ret = ipcdev_wait_locked(&ev->wq, &ev->lock, ipcevent_check, &c, w,
				 0, &ev->waiters, &ew.waiter);
	if (ret == IPCDEV_WAIT_HANDED) {
		*sets = ew.sets;	/* a SET served us, lowering if asked */
		return 0;
	}
	if (ret == -EINTR)
		return ret;		/* killed; ev->lock was not re-taken */
	if (!ret && clear)
		WRITE_ONCE(ev->set, false);
	*sets = ev->sets;
	mutex_unlock(&ev->lock);
	return ret;
}

static long ipcevent_ioctl_wait(struct file *file, struct ipcevent *ev,
				void __user *uarg)
{
	struct ipcdev_event_wait arg;
	struct ipcdev_wait w;
	bool clear;
	u64 sets;
	int ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.reserved)
		return -EINVAL;
	clear = arg.flags & IPCDEV_EVENT_WAIT_CLEAR;
	ret = ipcdev_wait_init(&w, file, arg.flags & ~IPCDEV_EVENT_WAIT_CLEAR,
			       arg.deadline_ns);
	if (ret)
		return ret;
	if (clear && !(ipcdev_handle(file)->fmode & FMODE_WRITE))
		return -EBADF;
	return ipcevent_wait(ev, &w, clear, &sets);
}

/*
 * read(): as eventfd's, a hand-off in one call: wait for the event (or
 * fail with EAGAIN under O_NONBLOCK), lower it, and return the number of
 * SETs so far as a native-endian __u64.  Lowering the flag needs a handle
 * opened for writing too (EBADF); a buffer under 8 bytes is EINVAL.
 */
static int ipcevent_read_sets(struct file *file, size_t count,
			      const struct ipcdev_wait *w, u64 *sets)
{
	if (count < sizeof(u64))
		return -EINVAL;
	if (!(ipcdev_handle(file)->fmode & FMODE_WRITE))
		return -EBADF;
	return ipcevent_wait(ipcevent_of(file), w, true, sets);
}

static ssize_t ipcevent_read(struct file *file, char __user *buf,
			     size_t count, loff_t *ppos)
{
	struct ipcdev_wait w;
	u64 sets;
	int ret;

	ipcdev_wait_init(&w, file, 0, 0);
	ret = ipcevent_read_sets(file, count, &w, &sets);
	if (ret)
		return ret;
	return put_user(sets, (u64 __user *)buf) ? -EFAULT : sizeof(u64);
}

/*
 * read_iter(), as read(): IOCB_NOWAIT (RWF_NOWAIT, io_uring) fails with
 * EAGAIN instead of waiting; the count may be scattered over a vector.
 */
static ssize_t ipcevent_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct ipcdev_wait w;
	u64 sets;
	int ret;

	ipcdev_wait_init_iocb(&w, iocb);
	ret = ipcevent_read_sets(iocb->ki_filp, iov_iter_count(to), &w, &sets);
	if (ret)
		return ret;
	if (copy_to_iter(&sets, sizeof(sets), to) != sizeof(sets))
		return -EFAULT;
	return sizeof(u64);
}

/* write(): SET, as an 8-byte write (its value is ignored). */
static ssize_t ipcevent_write(struct file *file, const char __user *buf,
			      size_t count, loff_t *ppos)
{
	struct ipcevent *ev = ipcevent_of(file);

	if (count != sizeof(u64))
		return -EINVAL;
	ipcevent_set(ev);
	return sizeof(u64);
}

/* write_iter(), as write(): a SET never waits. */
static ssize_t ipcevent_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	if (iov_iter_count(from) != sizeof(u64))
		return -EINVAL;
	ipcevent_set(ipcevent_of(iocb->ki_filp));
	return sizeof(u64);
}

static long ipcevent_ioctl_stat(struct ipcevent *ev, void __user *uarg)
{
	struct ipcdev_event_stat st = {};

	mutex_lock(&ev->lock);
	st.set = ev->set;
	st.waiters = atomic_read(&ev->waiters);
	st.sets = ev->sets;
	mutex_unlock(&ev->lock);
	IPCDEV_STAT_IDS(&st, &ev->obj);
	st.flags = ipcdev_obj_flags(&ev->obj);
	return copy_to_user(uarg, &st, sizeof(st)) ? -EFAULT : 0;
}

static long ipcevent_ioctl_set(struct file *file, struct ipcdev_obj *obj,
			       void __user *uarg)
{
	if (uarg)
		return -EINVAL;
	ipcevent_set(to_event(obj));
	return 0;
}

static long ipcevent_ioctl_clear(struct file *file, struct ipcdev_obj *obj,
				 void __user *uarg)
{
	if (uarg)
		return -EINVAL;
	ipcevent_clear(to_event(obj));
	return 0;
}

static long ipcevent_ioctl_wait_obj(struct file *file, struct ipcdev_obj *obj,
				    void __user *uarg)
{
	return ipcevent_ioctl_wait(file, to_event(obj), uarg);
}

static long ipcevent_ioctl_stat_obj(struct file *file, struct ipcdev_obj *obj,
				    void __user *uarg)
{
	return ipcevent_ioctl_stat(to_event(obj), uarg);
}

/* WAIT with IPCDEV_EVENT_WAIT_CLEAR also needs write access (its handler). */
static const struct ipcdev_ioctl ipcevent_ioctls[] = {
	{ IPCDEV_IOC_EVENT_SET,		FMODE_WRITE,	ipcevent_ioctl_set },
	{ IPCDEV_IOC_EVENT_CLEAR,	FMODE_WRITE,	ipcevent_ioctl_clear },
	{ IPCDEV_IOC_EVENT_WAIT,	FMODE_READ,	ipcevent_ioctl_wait_obj },
	{ IPCDEV_IOC_EVENT_STAT,	0,		ipcevent_ioctl_stat_obj },
};

static __poll_t ipcevent_poll(struct file *file, poll_table *pt)
{
	struct ipcevent *ev = ipcevent_of(file);

	poll_wait(file, &ev->pollq, pt);
	/* Queued before reading the flag: pairs with wq_has_sleeper(). */
	smp_mb();
	return READ_ONCE(ev->set) ? EPOLLIN | EPOLLRDNORM : 0;
}

static int ipcevent_fasync(int fd, struct file *file, int on)
{
	return fasync_helper(fd, file, on, &ipcevent_of(file)->fasync);
}

static void ipcevent_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct ipcevent *ev = ipcevent_of(file);

	ipcdev_show_fdinfo(m, &ipcevent_kind, file);
	seq_printf(m, "ipcdev-set:\t%d\nipcdev-waiters:\t%u\n",
		   READ_ONCE(ev->set), atomic_read(&ev->waiters));
}

/* An event descriptor. */
static const struct file_operations ipcevent_fops = {
	.owner		= THIS_MODULE,
	.release	= ipcdev_fop_release,
	.read		= ipcevent_read,
	.write		= ipcevent_write,
	.read_iter	= ipcevent_read_iter,
	.write_iter	= ipcevent_write_iter,
	.poll		= ipcevent_poll,
	.fasync		= ipcevent_fasync,
	.unlocked_ioctl	= ipcdev_obj_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.show_fdinfo	= ipcevent_show_fdinfo,
};

static const struct ipcdev_kind ipcevent_kind = {
	.name		= "event",
	.anon_name	= "[ipcevent]",
	.fops		= &ipcevent_fops,
	.stream		= true,
	.ioctls		= ipcevent_ioctls,
	.nr_ioctls	= ARRAY_SIZE(ipcevent_ioctls),
	.open_cmd	= IPCDEV_IOC_EVENT_OPEN,
	.open_size	= sizeof(struct ipcdev_event_open),
	.open_flags	= IPCDEV_EVENT_INIT_SET,
	.parse		= ipcevent_parse,
	.create		= ipcevent_create,
	.free		= ipcevent_free,
	.row		= ipcevent_row,
};

/* /dev/ipcevent: a factory of event descriptors. */
IPCDEV_DEV_FOPS(ipcevent_dev_fops, ipcevent_kind);

struct miscdevice ipcevent_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "ipcevent",
	.fops	= &ipcevent_dev_fops,
	.mode	= 0666,
};
