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
#include <linux/uio.h>
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

static const struct ipcdev_kind ipcq_kind;

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

/* The queue of an object descriptor. */
static struct ipcq *ipcq_of(struct file *file)
{
	return container_of(ipcdev_file_obj(file), struct ipcq, obj);
}

/* QUEUE_OPEN's own fields; @out gets the resolved limits. */
static int ipcq_parse(const void *uarg, struct ipcdev_open_req *req,
		      void *out)
{
	const struct ipcdev_queue_open *arg = uarg;
	struct ipc_chan_limits *lim = out;

	if (arg->reserved[0] || arg->reserved[1] || arg->reserved[2])
		return -EINVAL;
	lim->maxsize = arg->maxsize;
	lim->msgsize_max = arg->msgsize_max;
	lim->bytes_max = arg->bytes_max;
	return ipc_chan_limits_resolve(lim, false);
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

static long ipcq_ioctl_put(struct file *file, struct ipcdev_obj *obj,
			   void __user *uarg)
{
	return ipcdev_put_ioctl(&ipcq_of(file)->ch, uarg, file);
}

static long ipcq_ioctl_get(struct file *file, struct ipcdev_obj *obj,
			   void __user *uarg)
{
	return ipcdev_get_ioctl(&ipcq_of(file)->ch, uarg, file);
}

static long ipcq_ioctl_put_many(struct file *file, struct ipcdev_obj *obj,
				void __user *uarg)
{
	return ipcdev_put_many_ioctl(&ipcq_of(file)->ch, uarg, file);
}

static long ipcq_ioctl_get_many(struct file *file, struct ipcdev_obj *obj,
				void __user *uarg)
{
	return ipcdev_get_many_ioctl(&ipcq_of(file)->ch, uarg, file);
}

static long ipcq_ioctl_stat_obj(struct file *file, struct ipcdev_obj *obj,
				void __user *uarg)
{
	return ipcq_ioctl_stat(ipcq_of(file), uarg);
}

static const struct ipcdev_ioctl ipcq_ioctls[] = {
	{ IPCDEV_IOC_QUEUE_PUT,		FMODE_WRITE,	ipcq_ioctl_put },
	{ IPCDEV_IOC_QUEUE_GET,		FMODE_READ,	ipcq_ioctl_get },
	{ IPCDEV_IOC_QUEUE_STAT,	0,		ipcq_ioctl_stat_obj },
	{ IPCDEV_IOC_QUEUE_PUT_MANY,	FMODE_WRITE,	ipcq_ioctl_put_many },
	{ IPCDEV_IOC_QUEUE_GET_MANY,	FMODE_READ,	ipcq_ioctl_get_many },
};

static ssize_t ipcq_read(struct file *file, char __user *buf, size_t size,
			 loff_t *ppos)
{
	struct ipcdev_wait w = {};
	struct ipcq *q = ipcq_of(file);
	u64 len;
	int ret;

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

	if (ipcdev_write_maybe_cut(len))
		return -EMSGSIZE;
	ipcdev_wait_init(&w, file, 0, 0);
	ret = ipc_chan_put(&q->ch, buf, len, &w, &ipcdev_handle(file)->quser);
	return ret ? ret : len;
}

/*
 * read_iter() and write_iter(): readv(2), writev(2), preadv2(2) with
 * RWF_NOWAIT, io_uring and aio; read(2) and write(2) keep the direct
 * path above.  One whole message per call, as read(2) and write(2): the
 * vector's segments are gathered into one message, and one message is
 * scattered over them.
 */
static ssize_t ipcq_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct ipcq *q = ipcq_of(iocb->ki_filp);
	struct ipcdev_wait w;
	u64 len;
	int ret;

	ipcdev_wait_init_iocb(&w, iocb);
	ret = ipc_chan_get_iter(&q->ch, to, &w, &len);
	return ret ? ret : len;
}

static ssize_t ipcq_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct file *file = iocb->ki_filp;
	size_t len = iov_iter_count(from);
	struct ipcq *q = ipcq_of(file);
	struct ipcdev_wait w;
	int ret;

	if (ipcdev_write_maybe_cut(len))
		return -EMSGSIZE;
	ipcdev_wait_init_iocb(&w, iocb);
	ret = ipc_chan_put_iter(&q->ch, from, &w, &ipcdev_handle(file)->quser,
				iocb->ki_flags & IOCB_NOWAIT);
	return ret ? ret : len;
}

static __poll_t ipcq_poll(struct file *file, poll_table *pt)
{
	return ipc_chan_poll(&ipcq_of(file)->ch, file, pt);
}

static int ipcq_fasync(int fd, struct file *file, int on)
{
	return fasync_helper(fd, file, on, &ipcq_of(file)->fasync);
}

static void ipcq_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct ipcq *q = ipcq_of(file);

	ipcdev_show_fdinfo(m, &ipcq_kind, file);
	seq_printf(m, "ipcdev-count:\t%llu\nipcdev-bytes:\t%llu\n",
		   (unsigned long long)READ_ONCE(q->ch.count),
		   (unsigned long long)READ_ONCE(q->ch.bytes));
	seq_printf(m, "ipcdev-maxsize:\t%llu\nipcdev-bytes-max:\t%llu\n",
		   (unsigned long long)q->ch.maxsize,
		   (unsigned long long)q->ch.bytes_max);
}

/* A queue descriptor. */
static const struct file_operations ipcq_fops = {
	.owner		= THIS_MODULE,
	.release	= ipcdev_fop_release,
	.read		= ipcq_read,
	.write		= ipcq_write,
	.read_iter	= ipcq_read_iter,
	.write_iter	= ipcq_write_iter,
	.poll		= ipcq_poll,
	.fasync		= ipcq_fasync,
	.unlocked_ioctl	= ipcdev_obj_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.show_fdinfo	= ipcq_show_fdinfo,
};

static const struct ipcdev_kind ipcq_kind = {
	.name		= "queue",
	.anon_name	= "[ipcqueue]",
	.fops		= &ipcq_fops,
	.stream		= true,
	.ioctls		= ipcq_ioctls,
	.nr_ioctls	= ARRAY_SIZE(ipcq_ioctls),
	.open_cmd	= IPCDEV_IOC_QUEUE_OPEN,
	.open_size	= sizeof(struct ipcdev_queue_open),
	.parse		= ipcq_parse,
	.create		= ipcq_create,
	.free		= ipcq_free,
	.row		= ipcq_row,
};

/* /dev/ipcqueue: a factory of queue descriptors. */
IPCDEV_DEV_FOPS(ipcq_dev_fops, ipcq_kind);

struct miscdevice ipcq_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "ipcqueue",
	.fops	= &ipcq_dev_fops,
	.mode	= 0666,
};
