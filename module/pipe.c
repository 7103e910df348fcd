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

static const struct ipcdev_kind ipcpipe_kind = {
	.name = "pipe",
	.free = ipcpipe_free,
	.row = ipcpipe_row,
	.attach = ipcpipe_attach,
	.detach = ipcpipe_detach,
};

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

static const struct file_operations ipcpipe_fops;

/*
 * A new anonymous pair: the calling handle becomes end 0, a new file end 1.
 * The new descriptor is published last, when nothing can fail any more.
 */
static int ipcpipe_open_pair(struct file *file, struct ipcpipe_args *a,
			     u32 flags, s32 __user *ufd)
{
	struct ipcdev_handle *h = ipcdev_handle(file), *h1;
	struct ipcdev_obj *obj;
	struct file *f1;
	int fd, ret;

	obj = ipcpipe_create(a, NULL, 0600);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	h1 = ipcdev_handle_alloc(FMODE_READ | FMODE_WRITE);
	if (!h1) {
		ret = -ENOMEM;
		goto out_put;
	}
	ipcdev_obj_get(obj);
	ret = ipcdev_handle_attach(h1, obj, 1);
	if (ret)
		goto out_free_h1;
	fd = get_unused_fd_flags(O_RDWR |
				 (flags & IPCDEV_PIPE_CLOEXEC ? O_CLOEXEC : 0));
	if (fd < 0) {
		ret = fd;
		goto out_free_h1;
	}
	f1 = anon_inode_getfile("[ipcpipe]", &ipcpipe_fops, h1, O_RDWR);
	if (IS_ERR(f1)) {
		ret = PTR_ERR(f1);
		goto out_fd;
	}
	stream_open(file_inode(f1), f1);
	/* From here on, fput(f1) releases h1. */
	if (put_user(fd, ufd)) {
		ret = -EFAULT;
		goto out_file;
	}
	ipcdev_obj_get(obj);
	ret = ipcdev_handle_attach(h, obj, 0);
	if (ret)
		goto out_file;
	fd_install(fd, f1);
	ipcdev_obj_put(obj);
	return 0;

out_file:
	fput(f1);
	put_unused_fd(fd);
	goto out_put;
out_fd:
	put_unused_fd(fd);
out_free_h1:
	ipcdev_handle_free(h1);
out_put:
	ipcdev_obj_put(obj);
	return ret;
}

static long ipcpipe_ioctl_open(struct file *file, void __user *uarg)
{
	struct ipcdev_pipe_open __user *uopen = uarg;
	struct ipcdev_handle *h = ipcdev_handle(file);
	struct ipcdev_pipe_open arg;
	struct ipcpipe_args a = {};
	umode_t mode;
	int ret;

	if (copy_from_user(&arg, uopen, sizeof(arg)))
		return -EFAULT;
	if (arg.reserved[0] || arg.end > 1 ||
	    arg.flags & ~(IPCDEV_CREAT | IPCDEV_EXCL | IPCDEV_PIPE_DUPLEX |
			  IPCDEV_PIPE_CLOEXEC))
		return -EINVAL;
	ret = ipcdev_check_mode(arg.mode, &mode);
	if (ret)
		return ret;
	a.lim.bytes_max = arg.capacity;
	a.lim.msgsize_max = arg.msgsize_max;
	ret = ipc_chan_limits_resolve(&a.lim, true);
	if (ret)
		return ret;
	a.duplex = arg.flags & IPCDEV_PIPE_DUPLEX;
	if (ipcdev_handle_obj(h))
		return -EBUSY;
	if (!arg.name) {
		if (arg.end || arg.flags & (IPCDEV_CREAT | IPCDEV_EXCL))
			return -EINVAL;
		return ipcpipe_open_pair(file, &a, arg.flags, &uopen->fd);
	}
	if (arg.flags & IPCDEV_PIPE_CLOEXEC)
		return -EINVAL;
	return ipcdev_open_named(h, &ipcpipe_kind, arg.name, arg.flags, mode,
				 ipcpipe_create, &a, arg.end);
}

/* The handle's pipe and end; -ENOTCONN until IPCDEV_IOC_PIPE_OPEN. */
static struct ipcpipe *ipcpipe_of(struct file *file, u32 *end)
{
	struct ipcdev_handle *h = ipcdev_handle(file);
	struct ipcdev_obj *obj = ipcdev_handle_obj(h);

	if (!obj)
		return ERR_PTR(-ENOTCONN);
	*end = h->role;
	return to_pipe(obj);
}

static long ipcpipe_ioctl_stat(struct ipcpipe *p, u32 end, void __user *uarg)
{
	struct ipc_chan *in = ipcpipe_in(p, end), *out = ipcpipe_out(p, end);
	struct ipcdev_pipe_stat st = {};
	u32 unused;

	st.end = end;
	if (p->duplex)
		st.flags |= IPCDEV_PIPE_DUPLEX;
	if (p->obj.name)
		st.flags |= IPCDEV_PIPE_STAT_NAMED;
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

static long ipcpipe_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	struct ipcpipe *p;
	u32 end;
	long ret;

	ret = ipcdev_common_ioctl(&ipcpipe_kind, file, cmd, uarg);
	if (ret != -ENOIOCTLCMD)
		return ret;
	switch (cmd) {
	case IPCDEV_IOC_PIPE_OPEN:
		return ipcpipe_ioctl_open(file, uarg);
	case IPCDEV_IOC_PIPE_SEND:
	case IPCDEV_IOC_PIPE_RECV:
	case IPCDEV_IOC_PIPE_STAT:
		break;
	default:
		return -ENOTTY;
	}

	p = ipcpipe_of(file, &end);
	if (IS_ERR(p))
		return PTR_ERR(p);
	if (cmd == IPCDEV_IOC_PIPE_STAT)
		return ipcpipe_ioctl_stat(p, end, uarg);
	ret = ipcpipe_check(file, p, end, cmd == IPCDEV_IOC_PIPE_SEND);
	if (ret)
		return ret;
	if (cmd == IPCDEV_IOC_PIPE_SEND)
		return ipcdev_msg_ioctl(ipcpipe_out(p, end), uarg, true, file);
	return ipcdev_msg_ioctl(ipcpipe_in(p, end), uarg, false, file);
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
	if (IS_ERR(p))
		return PTR_ERR(p);
	ret = ipcpipe_check(file, p, end, false);
	if (ret)
		return ret;
	ipcdev_wait_init(&w, file, 0, 0);
	ret = ipc_chan_get(ipcpipe_in(p, end), buf, size, &w, &len, NULL);
	if (ret == -EPIPE)
		return 0;	/* end of file, as on a pipe */
	return ret ? ret : len;
}

static ssize_t ipcpipe_write(struct file *file, const char __user *buf,
			     size_t len, loff_t *ppos)
{
	struct ipcdev_wait w = {};
	struct ipcpipe *p;
	u32 end;
	int ret;

	p = ipcpipe_of(file, &end);
	if (IS_ERR(p))
		return PTR_ERR(p);
	ret = ipcpipe_check(file, p, end, true);
	if (ret)
		return ret;
	if (ipcdev_write_maybe_cut(len))
		return -EMSGSIZE;
	ipcdev_wait_init(&w, file, 0, 0);
	ret = ipc_chan_put(ipcpipe_out(p, end), buf, len, &w,
			   &ipcdev_handle(file)->quser);
	if (ret == -EPIPE)
		send_sig(SIGPIPE, current, 0);
	return ret ? ret : len;
}

static __poll_t ipcpipe_poll(struct file *file, poll_table *pt)
{
	struct ipc_chan *in, *out;
	struct ipcpipe *p;
	__poll_t mask = 0;
	u32 end;

	p = ipcpipe_of(file, &end);
	if (IS_ERR(p))
		return EPOLLERR;
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
	if (IS_ERR(p))
		return on ? PTR_ERR(p) : 0;
	return fasync_helper(fd, file, on, &p->fasync[end]);
}

static void ipcpipe_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct ipc_chan *in, *out;
	struct ipcpipe *p;
	u32 end;

	ipcdev_show_fdinfo(m, &ipcpipe_kind, file);
	p = ipcpipe_of(file, &end);
	if (IS_ERR(p))
		return;
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

static const struct file_operations ipcpipe_fops = {
	.owner		= THIS_MODULE,
	.open		= ipcdev_fop_open,
	.release	= ipcdev_fop_release,
	.read		= ipcpipe_read,
	.write		= ipcpipe_write,
	.poll		= ipcpipe_poll,
	.fasync		= ipcpipe_fasync,
	.unlocked_ioctl	= ipcpipe_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.show_fdinfo	= ipcpipe_show_fdinfo,
};

struct miscdevice ipcpipe_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "ipcpipe",
	.fops	= &ipcpipe_fops,
	.mode	= 0666,
};
