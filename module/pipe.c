// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/ipcpipe: multiprocessing.Pipe(duplex) as a kernel object.  A pipe is
 * two message channels (channel.c), ch[e] carrying the messages for end e,
 * plus an object in the registry (registry.c).  A one-way pipe uses ch[0]
 * only: end 1 sends, end 0 receives.
 */
#include <linux/anon_inodes.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/lockdep.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/uio.h>
#include "ipcdev.h"

/**
 * struct ipcpipe - a pipe
 * @obj:	registry part; @obj.ref counts handles and the name
 * @duplex:	both ends send and receive; immutable
 * @ch:		ch[e] holds the messages for end e; each its own lock
 * @fasync:	fasync[e]: the O_ASYNC handles of end e; fasync_helper()'s
 *		own locking
 * @ends_lock:	guards @handles and @attached; taken before a channel lock
 * @handles:	open files bound to each end
 * @attached:	each end has had a handle, so a count of 0 means "gone"
 */
struct ipcpipe {
	struct ipcdev_obj obj;
	bool duplex;
	struct ipc_chan ch[2];
	struct fasync_struct *fasync[2];
	struct mutex ends_lock;	/* see above */
	unsigned int handles[2];
	bool attached[2];
};

static struct ipcpipe *to_pipe(struct ipcdev_obj *obj)
{
	return container_of(obj, struct ipcpipe, obj);
}

static bool ipcpipe_can_recv(struct ipcpipe *p, u32 end)
{
	return p->duplex || end == 0;
}

static bool ipcpipe_can_send(struct ipcpipe *p, u32 end)
{
	return p->duplex || end == 1;
}

/* The channel end @end receives from, and the one it sends into. */
static struct ipc_chan *ipcpipe_in(struct ipcpipe *p, u32 end)
{
	return &p->ch[end];
}

static struct ipc_chan *ipcpipe_out(struct ipcpipe *p, u32 end)
{
	return p->duplex ? &p->ch[!end] : &p->ch[0];
}

static bool ipcpipe_gone(struct ipcpipe *p, u32 end)
	__must_hold(&p->ends_lock)
{
	lockdep_assert_held(&p->ends_lock);
	return p->attached[end] && !p->handles[end];
}

/* Tell each channel whether its receiver and its sender are still there. */
static void ipcpipe_update_hangup(struct ipcpipe *p)
	__must_hold(&p->ends_lock)
{
	lockdep_assert_held(&p->ends_lock);
	ipc_chan_hangup(&p->ch[0], ipcpipe_gone(p, 0), ipcpipe_gone(p, 1));
	if (p->duplex)
		ipc_chan_hangup(&p->ch[1], ipcpipe_gone(p, 1),
				ipcpipe_gone(p, 0));
}

static void ipcpipe_attach(struct ipcdev_obj *obj, u32 end)
{
	struct ipcpipe *p = to_pipe(obj);

	mutex_lock(&p->ends_lock);
	p->attached[end] = true;
	if (!p->handles[end]++)
		ipcpipe_update_hangup(p);
	mutex_unlock(&p->ends_lock);
}

static void ipcpipe_detach(struct ipcdev_obj *obj, u32 end)
{
	struct ipcpipe *p = to_pipe(obj);

	mutex_lock(&p->ends_lock);
	if (!--p->handles[end])
		ipcpipe_update_hangup(p);
	mutex_unlock(&p->ends_lock);
}

static void ipcpipe_free(struct ipcdev_obj *obj)
{
	struct ipcpipe *p = to_pipe(obj);

	ipc_chan_destroy(&p->ch[0]);
	ipc_chan_destroy(&p->ch[1]);
	mutex_destroy(&p->ends_lock);
	ipcdev_obj_fini(&p->obj);
	kfree(p);
}

static void ipcpipe_row(struct ipcdev_obj *obj, struct ipcdev_row *row)
{
	struct ipcpipe *p = to_pipe(obj);
	struct ipcdev_row r1 = {};

	ipc_chan_row(&p->ch[0], row);
	ipc_chan_row(&p->ch[1], &r1);
	row->count += r1.count;
	row->bytes += r1.bytes;
	row->waiters += r1.waiters;
}

static const struct ipcdev_kind ipcpipe_kind;

struct ipcpipe_args {
	struct ipc_chan_limits lim;
	bool duplex;
};

/* Create a pipe (an ipcdev_create_fn). */
static struct ipcdev_obj *ipcpipe_create(void *arg, char *name, umode_t mode)
{
	const struct ipcpipe_args *a = arg;
	struct ipcpipe *p;
	int e, ret;

	p = kzalloc(sizeof(*p), GFP_KERNEL_ACCOUNT);
	if (!p)
		return ERR_PTR(-ENOMEM);
	p->duplex = a->duplex;
	mutex_init(&p->ends_lock);
	for (e = 0; e < 2; e++) {
		ipc_chan_init(&p->ch[e], &a->lim);
		p->ch[e].fasync_in = &p->fasync[e];
		p->ch[e].fasync_out = &p->fasync[p->duplex ? !e : 1];
	}
	ret = ipcdev_obj_init(&p->obj, &ipcpipe_kind, name, mode, 0);
	if (ret) {
		kfree(p);
		return ERR_PTR(ret);
	}
	return &p->obj;
}

/*
 * A new anonymous pair: the call returns the descriptor of end 0 and
 * writes that of end 1 into the argument.  Both are installed last, when
 * nothing can fail any more.
 */
static long ipcpipe_open_pair(struct ipcdev_obj *obj,
			      const struct ipcdev_open_req *req,
			      void __user *uarg)
{
	struct ipcdev_pipe_open __user *uopen = uarg;
	struct file *f0, *f1;
	int fd0, fd1;
	long ret;

	fd0 = get_unused_fd_flags(req->oflags & O_CLOEXEC);
	if (fd0 < 0) {
		ret = fd0;
		goto out_put;
	}
	fd1 = get_unused_fd_flags(req->oflags & O_CLOEXEC);
	if (fd1 < 0) {
		ret = fd1;
		goto out_fd0;
	}
	ipcdev_obj_get(obj);
	f1 = ipcdev_obj_file(obj, 1, req);
	if (IS_ERR(f1)) {
		ret = PTR_ERR(f1);
		goto out_fd1;
	}
	/* From here on, fput() releases each file's handle. */
	f0 = ipcdev_obj_file(obj, 0, req);
	if (IS_ERR(f0)) {
		ret = PTR_ERR(f0);
		fput(f1);
		goto out_fd1_noput;
	}
	if (put_user(fd1, &uopen->fd)) {
		ret = -EFAULT;
		fput(f0);
		fput(f1);
		goto out_fd1_noput;
	}
	fd_install(fd1, f1);
	fd_install(fd0, f0);
	return fd0;

out_fd1:
	put_unused_fd(fd1);
out_fd0:
	put_unused_fd(fd0);
out_put:
	ipcdev_obj_put(obj);
	return ret;
out_fd1_noput:
	put_unused_fd(fd1);
	put_unused_fd(fd0);
	return ret;
}

/* PIPE_OPEN's own fields; @out gets the pipe's settings, @req the end. */
static int ipcpipe_parse(const void *uarg, struct ipcdev_open_req *req,
			 void *out)
{
	const struct ipcdev_pipe_open *arg = uarg;
	struct ipcpipe_args *a = out;

	if (arg->reserved[0] || arg->end > 1 || (!arg->name && arg->end))
		return -EINVAL;
	a->lim.bytes_max = arg->capacity;
	a->lim.msgsize_max = arg->msgsize_max;
	a->duplex = arg->flags & IPCDEV_PIPE_DUPLEX;
	req->role = arg->end;
	return ipc_chan_limits_resolve(&a->lim, true);
}

/* The pipe of an object descriptor, and its end. */
static struct ipcpipe *ipcpipe_of(struct file *file, u32 *end)
{
	struct ipcdev_handle *h = ipcdev_handle(file);

	*end = h->role;
	return to_pipe(h->obj);
}

static long ipcpipe_ioctl_stat(struct ipcpipe *p, u32 end, void __user *uarg)
{
	struct ipc_chan *in = ipcpipe_in(p, end), *out = ipcpipe_out(p, end);
	struct ipcdev_pipe_stat st = {};
	u32 unused;

	st.end = end;
	if (p->duplex)
		st.flags |= IPCDEV_PIPE_DUPLEX;
	st.flags |= ipcdev_obj_flags(&p->obj);
	mutex_lock(&p->ends_lock);
	st.handles[0] = p->handles[0];
	st.handles[1] = p->handles[1];
	if (ipcpipe_gone(p, !end))
		st.flags |= IPCDEV_PIPE_STAT_HUP;
	mutex_unlock(&p->ends_lock);
	if (ipcpipe_can_recv(p, end)) {
		st.in_count = READ_ONCE(in->count);
		st.in_bytes = READ_ONCE(in->bytes);
		ipc_chan_waiters(in, &st.receivers, &unused);
	}
	if (ipcpipe_can_send(p, end)) {
		st.out_count = READ_ONCE(out->count);
		st.out_bytes = READ_ONCE(out->bytes);
		ipc_chan_waiters(out, &unused, &st.senders);
	}
	st.capacity = p->ch[0].bytes_max;
	st.msgsize_max = p->ch[0].msgsize_max;
	IPCDEV_STAT_IDS(&st, &p->obj);
	return copy_to_user(uarg, &st, sizeof(st)) ? -EFAULT : 0;
}

/* May this handle send (or receive)?  Direction and the file's access. */
static int ipcpipe_check(struct file *file, struct ipcpipe *p, u32 end,
			 bool send)
{
	fmode_t fmode = ipcdev_handle(file)->fmode;

	if (send)
		return ipcpipe_can_send(p, end) && (fmode & FMODE_WRITE) ?
		       0 : -EBADF;
	return ipcpipe_can_recv(p, end) && (fmode & FMODE_READ) ? 0 : -EBADF;
}

/* Inline: each of its four callers keeps only its own branch. */
static __always_inline long ipcpipe_ioctl_msg(struct file *file, bool send,
					      bool many, void __user *uarg)
{
	u32 end;
	struct ipcpipe *p = ipcpipe_of(file, &end);

	if (send ? !ipcpipe_can_send(p, end) : !ipcpipe_can_recv(p, end))
		return -EBADF;
	if (send && many)
		return ipcdev_put_many_ioctl(ipcpipe_out(p, end), uarg, file);
	if (send)
		return ipcdev_put_ioctl(ipcpipe_out(p, end), uarg, file);
	if (many)
		return ipcdev_get_many_ioctl(ipcpipe_in(p, end), uarg, file);
	return ipcdev_get_ioctl(ipcpipe_in(p, end), uarg, file);
}

static long ipcpipe_ioctl_send(struct file *file, struct ipcdev_obj *obj,
			       void __user *uarg)
{
	return ipcpipe_ioctl_msg(file, true, false, uarg);
}

static long ipcpipe_ioctl_recv(struct file *file, struct ipcdev_obj *obj,
			       void __user *uarg)
{
	return ipcpipe_ioctl_msg(file, false, false, uarg);
}

static long ipcpipe_ioctl_send_many(struct file *file, struct ipcdev_obj *obj,
				    void __user *uarg)
{
	return ipcpipe_ioctl_msg(file, true, true, uarg);
}

static long ipcpipe_ioctl_recv_many(struct file *file, struct ipcdev_obj *obj,
				    void __user *uarg)
{
	return ipcpipe_ioctl_msg(file, false, true, uarg);
}

static long ipcpipe_ioctl_stat_obj(struct file *file, struct ipcdev_obj *obj,
				   void __user *uarg)
{
	u32 end;
	struct ipcpipe *p = ipcpipe_of(file, &end);

	return ipcpipe_ioctl_stat(p, end, uarg);
}

/* Send and receive also need the end's direction (their handlers). */
static const struct ipcdev_ioctl ipcpipe_ioctls[] = {
	{ IPCDEV_IOC_PIPE_SEND,	FMODE_WRITE,	ipcpipe_ioctl_send },
	{ IPCDEV_IOC_PIPE_RECV,	FMODE_READ,	ipcpipe_ioctl_recv },
	{ IPCDEV_IOC_PIPE_STAT,	0,		ipcpipe_ioctl_stat_obj },
	{ IPCDEV_IOC_PIPE_SEND_MANY, FMODE_WRITE,	ipcpipe_ioctl_send_many },
	{ IPCDEV_IOC_PIPE_RECV_MANY, FMODE_READ,	ipcpipe_ioctl_recv_many },
};

/* A receive's result: -EPIPE is the end of file, as on a pipe. */
static ssize_t ipcpipe_read_ret(int ret, u64 len)
{
	if (ret == -EPIPE)
		return 0;
	return ret ? ret : len;
}

/* A send's result: -EPIPE also raises SIGPIPE, as on a pipe. */
static ssize_t ipcpipe_write_ret(int ret, size_t len)
{
	if (ret == -EPIPE)
		send_sig(SIGPIPE, current, 0);
	return ret ? ret : len;
}

static ssize_t ipcpipe_read(struct file *file, char __user *buf, size_t size,
			    loff_t *ppos)
{
	struct ipcdev_wait w = {};
	struct ipcpipe *p;
	u32 end;
	u64 len;
	int ret;

	p = ipcpipe_of(file, &end);
	ret = ipcpipe_check(file, p, end, false);
	if (ret)
		return ret;
	ipcdev_wait_init(&w, file, 0, 0);
	ret = ipc_chan_get(ipcpipe_in(p, end), buf, size, &w, &len, NULL);
	return ipcpipe_read_ret(ret, len);
}

static ssize_t ipcpipe_write(struct file *file, const char __user *buf,
			     size_t len, loff_t *ppos)
{
	struct ipcdev_wait w = {};
	struct ipcpipe *p;
	u32 end;
	int ret;

	p = ipcpipe_of(file, &end);
	ret = ipcpipe_check(file, p, end, true);
	if (ret)
		return ret;
	if (ipcdev_write_maybe_cut(len))
		return -EMSGSIZE;
	ipcdev_wait_init(&w, file, 0, 0);
	ret = ipc_chan_put(ipcpipe_out(p, end), buf, len, &w,
			   &ipcdev_handle(file)->quser);
	return ipcpipe_write_ret(ret, len);
}

/* read_iter() and write_iter(): as the queue's (queue.c). */
static ssize_t ipcpipe_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct file *file = iocb->ki_filp;
	struct ipcdev_wait w;
	struct ipcpipe *p;
	u32 end;
	u64 len;
	int ret;

	p = ipcpipe_of(file, &end);
	ret = ipcpipe_check(file, p, end, false);
	if (ret)
		return ret;
	ipcdev_wait_init_iocb(&w, iocb);
	ret = ipc_chan_get_iter(ipcpipe_in(p, end), to, &w, &len);
	return ipcpipe_read_ret(ret, len);
}

static ssize_t ipcpipe_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct file *file = iocb->ki_filp;
	size_t len = iov_iter_count(from);
	struct ipcdev_wait w;
	struct ipcpipe *p;
	u32 end;
	int ret;

	p = ipcpipe_of(file, &end);
	ret = ipcpipe_check(file, p, end, true);
	if (ret)
		return ret;
	if (ipcdev_write_maybe_cut(len))
		return -EMSGSIZE;
	ipcdev_wait_init_iocb(&w, iocb);
	ret = ipc_chan_put_iter(ipcpipe_out(p, end), from, &w,
				&ipcdev_handle(file)->quser,
				iocb->ki_flags & IOCB_NOWAIT);
	return ipcpipe_write_ret(ret, len);
}

static __poll_t ipcpipe_poll(struct file *file, poll_table *pt)
{
	struct ipc_chan *in, *out;
	struct ipcpipe *p;
	__poll_t mask = 0;
	u32 end;

	p = ipcpipe_of(file, &end);
	in = ipcpipe_in(p, end);
	out = ipcpipe_out(p, end);
	if (ipcpipe_can_recv(p, end)) {
		ipc_chan_poll_wait(in, file, pt);
		if (ipc_chan_readable(in))
			mask |= EPOLLIN | EPOLLRDNORM;
		if (READ_ONCE(in->no_putters))
			mask |= EPOLLHUP;
	}
	if (ipcpipe_can_send(p, end)) {
		ipc_chan_poll_wait(out, file, pt);
		if (READ_ONCE(out->no_getters))
			mask |= EPOLLHUP | EPOLLERR;
		else if (ipc_chan_writable(out))
			mask |= EPOLLOUT | EPOLLWRNORM;
	}
	return mask;
}

static int ipcpipe_fasync(int fd, struct file *file, int on)
{
	struct ipcpipe *p;
	u32 end;

	p = ipcpipe_of(file, &end);
	return fasync_helper(fd, file, on, &p->fasync[end]);
}

static void ipcpipe_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct ipc_chan *in, *out;
	struct ipcpipe *p;
	u32 end;

	ipcdev_show_fdinfo(m, &ipcpipe_kind, file);
	p = ipcpipe_of(file, &end);
	in = ipcpipe_in(p, end);
	out = ipcpipe_out(p, end);
	seq_printf(m, "ipcdev-end:\t%u\nipcdev-direction:\t%s\n", end,
		   p->duplex ? "duplex" : end ? "send-only" : "recv-only");
	if (ipcpipe_can_recv(p, end))
		seq_printf(m, "ipcdev-in-count:\t%llu\nipcdev-in-bytes:\t%llu\n",
			   (unsigned long long)READ_ONCE(in->count),
			   (unsigned long long)READ_ONCE(in->bytes));
	if (ipcpipe_can_send(p, end))
		seq_printf(m, "ipcdev-out-count:\t%llu\nipcdev-out-bytes:\t%llu\n",
			   (unsigned long long)READ_ONCE(out->count),
			   (unsigned long long)READ_ONCE(out->bytes));
	seq_printf(m, "ipcdev-capacity:\t%llu\n",
		   (unsigned long long)p->ch[0].bytes_max);
}

/* A pipe end's descriptor. */
static const struct file_operations ipcpipe_fops = {
	.owner		= THIS_MODULE,
	.release	= ipcdev_fop_release,
	.read		= ipcpipe_read,
	.write		= ipcpipe_write,
	.read_iter	= ipcpipe_read_iter,
	.write_iter	= ipcpipe_write_iter,
	.poll		= ipcpipe_poll,
	.fasync		= ipcpipe_fasync,
	.unlocked_ioctl	= ipcdev_obj_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.show_fdinfo	= ipcpipe_show_fdinfo,
};

static const struct ipcdev_kind ipcpipe_kind = {
	.name		= "pipe",
	.anon_name	= "[ipcpipe]",
	.fops		= &ipcpipe_fops,
	.stream		= true,
	.ioctls		= ipcpipe_ioctls,
	.nr_ioctls	= ARRAY_SIZE(ipcpipe_ioctls),
	.open_cmd	= IPCDEV_IOC_PIPE_OPEN,
	.open_size	= sizeof(struct ipcdev_pipe_open),
	.open_flags	= IPCDEV_PIPE_DUPLEX,
	.parse		= ipcpipe_parse,
	.create		= ipcpipe_create,
	.open_anon	= ipcpipe_open_pair,
	.free		= ipcpipe_free,
	.row		= ipcpipe_row,
	.attach		= ipcpipe_attach,
	.detach		= ipcpipe_detach,
};

/* /dev/ipcpipe: a factory of pipe end descriptors. */
IPCDEV_DEV_FOPS(ipcpipe_dev_fops, ipcpipe_kind);

struct miscdevice ipcpipe_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "ipcpipe",
	.fops	= &ipcpipe_dev_fops,
	.mode	= 0666,
};
