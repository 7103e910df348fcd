// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/ipcqueue: multiprocessing.Queue as a kernel object.  A queue is one
 * message channel (channel.c) plus an object in the registry (registry.c).
 */
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "ipcdev.h"

/**
 * struct ipcq - a queue
 * @obj:	registry part; @obj.ref counts handles and the name
 * @ch:		the messages; its own lock
 * @fasync:	handles with O_ASYNC; fasync_helper()'s own locking
 */
struct ipcq {
	struct ipcdev_obj obj;
	struct ipc_chan ch;
	struct fasync_struct *fasync;
};

static void ipcq_free(struct ipcdev_obj *obj)
{
	struct ipcq *q = container_of(obj, struct ipcq, obj);

	ipc_chan_destroy(&q->ch);
	ipcdev_obj_fini(&q->obj);
	kfree(q);
}

static void ipcq_row(struct ipcdev_obj *obj, struct ipcdev_row *row)
{
	struct ipcq *q = container_of(obj, struct ipcq, obj);

	ipc_chan_row(&q->ch, row);
}

static const struct ipcdev_kind ipcq_kind = {
	.name = "queue",
	.free = ipcq_free,
	.row = ipcq_row,
};

/* Create a queue with resolved limits (an ipcdev_create_fn). */
static struct ipcdev_obj *ipcq_create(void *arg, char *name, umode_t mode)
{
	const struct ipc_chan_limits *lim = arg;
	struct ipcq *q;
	int ret;

	q = kzalloc(sizeof(*q), GFP_KERNEL_ACCOUNT);
	if (!q)
		return ERR_PTR(-ENOMEM);
	ipc_chan_init(&q->ch, lim);
	q->ch.fasync_in = &q->fasync;
	q->ch.fasync_out = &q->fasync;
	ret = ipcdev_obj_init(&q->obj, &ipcq_kind, name, mode, 0);
	if (ret) {
		kfree(q);
		return ERR_PTR(ret);
	}
	return &q->obj;
}

static int ipcq_bind_new(struct ipcdev_handle *h, struct ipc_chan_limits *lim)
{
	struct ipcdev_obj *obj;

	obj = ipcq_create(lim, NULL, 0600);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	return ipcdev_handle_attach(h, obj, 0);
}

static struct ipcdev_obj *ipcq_create_default(void)
{
	struct ipc_chan_limits lim = {};
	int ret;

	ret = ipc_chan_limits_resolve(&lim, false);
	if (ret)
		return ERR_PTR(ret);
	return ipcq_create(&lim, NULL, 0600);
}

/* The handle's queue; an unbound handle gets a new anonymous one. */
static struct ipcq *ipcq_of(struct file *file)
{
	struct ipcdev_obj *obj;

	obj = ipcdev_handle_get_obj(ipcdev_handle(file), ipcq_create_default);
	if (IS_ERR(obj))
		return ERR_CAST(obj);
	return container_of(obj, struct ipcq, obj);
}

static long ipcq_ioctl_open(struct file *file, void __user *uarg)
{
	struct ipcdev_handle *h = ipcdev_handle(file);
	struct ipcdev_queue_open arg;
	struct ipc_chan_limits lim;
	umode_t mode;
	int ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.reserved[0] || arg.reserved[1] || arg.reserved[2] ||
	    arg.flags & ~(IPCDEV_CREAT | IPCDEV_EXCL))
		return -EINVAL;
	ret = ipcdev_check_mode(arg.mode, &mode);
	if (ret)
		return ret;
	lim.maxsize = arg.maxsize;
	lim.msgsize_max = arg.msgsize_max;
	lim.bytes_max = arg.bytes_max;
	ret = ipc_chan_limits_resolve(&lim, false);
	if (ret)
		return ret;
	if (ipcdev_handle_obj(h))
		return -EBUSY;
	if (!arg.name)
		return arg.flags ? -EINVAL : ipcq_bind_new(h, &lim);
	return ipcdev_open_named(h, &ipcq_kind, arg.name, arg.flags, mode,
				 ipcq_create, &lim, 0);
}

static long ipcq_ioctl_stat(struct ipcq *q, void __user *uarg)
{
	struct ipcdev_queue_stat st = {};
	struct ipc_chan *ch = &q->ch;

	/* Killable: the lock may be held across a slow copy to user space. */
	if (mutex_lock_killable(&ch->lock))
		return -EINTR;
	st.count = ch->count;
	st.bytes = ch->bytes;
	st.full = ipc_chan_full(ch);
	mutex_unlock(&ch->lock);
	ipc_chan_waiters(ch, &st.getters, &st.putters);
	st.maxsize = ch->maxsize;
	st.msgsize_max = ch->msgsize_max;
	st.bytes_max = ch->bytes_max;
	IPCDEV_STAT_IDS(&st, &q->obj);
	st.flags = ipcdev_obj_flags(&q->obj);
	return copy_to_user(uarg, &st, sizeof(st)) ? -EFAULT : 0;
}

static long ipcq_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct ipcdev_handle *h = ipcdev_handle(file);
	void __user *uarg = (void __user *)arg;
	struct ipcq *q;
	long ret;

	ret = ipcdev_common_ioctl(&ipcq_kind, file, cmd, uarg);
	if (ret != -ENOIOCTLCMD)
		return ret;
	switch (cmd) {
	case IPCDEV_IOC_QUEUE_OPEN:
		return ipcq_ioctl_open(file, uarg);
	case IPCDEV_IOC_QUEUE_PUT:
	case IPCDEV_IOC_QUEUE_GET:
	case IPCDEV_IOC_QUEUE_STAT:
		break;
	default:
		return -ENOTTY;
	}

	q = ipcq_of(file);
	if (IS_ERR(q))
		return PTR_ERR(q);
	switch (cmd) {
	case IPCDEV_IOC_QUEUE_PUT:
		if (!(h->fmode & FMODE_WRITE))
			return -EBADF;
		return ipcdev_msg_ioctl(&q->ch, uarg, true, file);
	case IPCDEV_IOC_QUEUE_GET:
		if (!(h->fmode & FMODE_READ))
			return -EBADF;
		return ipcdev_msg_ioctl(&q->ch, uarg, false, file);
	default:
		return ipcq_ioctl_stat(q, uarg);
	}
}

static ssize_t ipcq_read(struct file *file, char __user *buf, size_t size,
			 loff_t *ppos)
{
	struct ipcdev_wait w = {};
	struct ipcq *q = ipcq_of(file);
	u64 len;
	int ret;

	if (IS_ERR(q))
		return PTR_ERR(q);
	ipcdev_wait_init(&w, file, 0, 0);
	ret = ipc_chan_get(&q->ch, buf, size, &w, &len, NULL);
	return ret ? ret : len;
}

static ssize_t ipcq_write(struct file *file, const char __user *buf,
			  size_t len, loff_t *ppos)
{
	struct ipcdev_wait w = {};
	struct ipcq *q = ipcq_of(file);
	int ret;

	if (IS_ERR(q))
		return PTR_ERR(q);
	if (ipcdev_write_maybe_cut(len))
		return -EMSGSIZE;
	ipcdev_wait_init(&w, file, 0, 0);
	ret = ipc_chan_put(&q->ch, buf, len, &w, &ipcdev_handle(file)->quser);
	return ret ? ret : len;
}

static __poll_t ipcq_poll(struct file *file, poll_table *pt)
{
	struct ipcq *q = ipcq_of(file);

	if (IS_ERR(q))
		return EPOLLERR;
	return ipc_chan_poll(&q->ch, file, pt);
}

static int ipcq_fasync(int fd, struct file *file, int on)
{
	struct ipcdev_handle *h = ipcdev_handle(file);
	struct ipcq *q;

	if (!on && !ipcdev_handle_obj(h))
		return 0;
	q = ipcq_of(file);
	if (IS_ERR(q))
		return PTR_ERR(q);
	return fasync_helper(fd, file, on, &q->fasync);
}

static void ipcq_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct ipcdev_obj *obj = ipcdev_handle_obj(ipcdev_handle(file));
	struct ipcq *q;

	ipcdev_show_fdinfo(m, &ipcq_kind, file);
	if (!obj)
		return;
	q = container_of(obj, struct ipcq, obj);
	seq_printf(m, "ipcdev-count:\t%llu\nipcdev-bytes:\t%llu\n",
		   (unsigned long long)READ_ONCE(q->ch.count),
		   (unsigned long long)READ_ONCE(q->ch.bytes));
	seq_printf(m, "ipcdev-maxsize:\t%llu\nipcdev-bytes-max:\t%llu\n",
		   (unsigned long long)q->ch.maxsize,
		   (unsigned long long)q->ch.bytes_max);
}

static const struct file_operations ipcq_fops = {
	.owner		= THIS_MODULE,
	.open		= ipcdev_fop_open,
	.release	= ipcdev_fop_release,
	.read		= ipcq_read,
	.write		= ipcq_write,
	.poll		= ipcq_poll,
	.fasync		= ipcq_fasync,
	.unlocked_ioctl	= ipcq_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.show_fdinfo	= ipcq_show_fdinfo,
};

struct miscdevice ipcq_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "ipcqueue",
	.fops	= &ipcq_fops,
	.mode	= 0666,
};
