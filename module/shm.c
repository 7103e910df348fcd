// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/ipcshm: multiprocessing.Value and Array as a kernel object.
 *
 * The memory is a shmem file (shmem_file_setup(), as memfd and ashmem do):
 * mmap() hands the mapping to it (vma_set_file() and the shmem file's own
 * mmap), so every process maps the same page cache, futexes inside it
 * work, and the mapping is shmem's in every respect (its vm_operations,
 * NUMA policy included).  A mapping holds the shmem file only: it keeps
 * the memory, not the ipcdev object, its handle or the module, none of
 * whose code or memory it refers to.  The segment, its quota charge and
 * its /proc line go with its last handle (and name), as a memfd's file
 * does; its mappings stay valid, and the module may be unloaded under
 * them.  The mapping count is read from the shmem file's i_mmap tree.
 *
 * The segment's robust lock is shmlock.c's.
 */
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/lockdep.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/pid.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/uio.h>
#include "ipcdev.h"
#include "shm.h"

static void ipcshm_free(struct ipcdev_obj *obj)
{
	struct ipcshm *shm = to_shm(obj);

	ipcshm_lock_free(shm);
	fput(shm->shmem);
	mutex_destroy(&shm->lock);
	mutex_destroy(&shm->io_lock);
	ipcdev_obj_fini(&shm->obj);
	kfree(shm);
}

/*
 * The live mappings of the segment's memory: the VMAs of its shmem file,
 * every one of which is in the file's i_mmap tree (shared and private
 * ones, through any handle, in any process).  Takes the i_mmap lock, so it
 * may sleep; not under ipcshm.lock.
 */
static u32 ipcshm_mappings(struct ipcshm *shm)
{
	struct address_space *mapping = shm->shmem->f_mapping;
	struct rb_node *node;
	u32 n = 0;

	i_mmap_lock_read(mapping);
	for (node = rb_first(&mapping->i_mmap.rb_root); node;
	     node = rb_next(node))
		n++;
	i_mmap_unlock_read(mapping);
	return n;
}

static void ipcshm_row(struct ipcdev_obj *obj, struct ipcdev_row *row)
{
	struct ipcshm *shm = to_shm(obj);

	row->size = shm->size;
	row->count = shm->count;
	row->bytes = shm->size;
	row->waiters = atomic_read(&shm->lock_waiters) +
		       atomic_read(&shm->change_waiters);
	row->mappings = ipcshm_mappings(shm);
}

static const struct ipcdev_kind ipcshm_kind;

/* Bytes per element of a typecode (the uapi table), or -EINVAL. */
static int ipcshm_elem_size(u32 type)
{
	unsigned int n = ipcdev_shm_elem_size(type);

	return n ? n : -EINVAL;
}

struct ipcshm_geometry {
	u64 size;
	u64 count;
	u32 type;
	u32 elem_size;
};

/* Check and complete the geometry asked for at creation. */
static int ipcshm_geometry(const struct ipcdev_shm_open *arg,
			   struct ipcshm_geometry *g)
{
	int elem = ipcshm_elem_size(arg->type);
	u64 max = ipcdev_limit(READ_ONCE(ipcdev_shm_max), IPCDEV_SHM_HARD_MAX);

	if (elem < 0)
		return elem;
	g->type = arg->type;
	g->elem_size = elem;
	if (arg->type == IPCDEV_SHM_RAW) {
		if (arg->count && arg->count != arg->size)
			return -EINVAL;
		g->size = arg->size;
	} else {
		if (!arg->count)
			return -EINVAL;
		if (check_mul_overflow(arg->count, (u64)elem, &g->size))
			return -EOVERFLOW;
		if (arg->size && arg->size != g->size)
			return -EINVAL;
	}
	if (!g->size || g->size > max)
		return -EINVAL;
	g->count = g->size / elem;
	return 0;
}

/* Create a segment (an ipcdev_create_fn); @arg is the geometry. */
static struct ipcdev_obj *ipcshm_create(void *arg, char *name, umode_t mode)
{
	const struct ipcshm_geometry *g = arg;
	struct ipcshm *shm;
	int ret;

	shm = kzalloc(sizeof(*shm), GFP_KERNEL_ACCOUNT);
	if (!shm)
		return ERR_PTR(-ENOMEM);
	/* Like memfd: pages are charged to whoever faults them in. */
	shm->shmem = shmem_file_setup("ipcshm", g->size, VM_NORESERVE);
	if (IS_ERR(shm->shmem)) {
		ret = PTR_ERR(shm->shmem);
		/*
		 * The internal shmem mount has no size or inode limit: its
		 * ENOSPC is an inode that could not be allocated.
		 */
		if (ret == -ENOSPC)
			ret = -ENOMEM;
		goto out_free;
	}
	shm->size = g->size;
	shm->count = g->count;
	shm->type = g->type;
	shm->elem_size = g->elem_size;
	mutex_init(&shm->lock);
	shm->sweep_at = IPCSHM_SWEEP_MIN;
	mutex_init(&shm->io_lock);
	init_waitqueue_head(&shm->lockq);
	init_waitqueue_head(&shm->changeq);
	ret = ipcdev_obj_init(&shm->obj, &ipcshm_kind, name, mode, g->size);
	if (ret)
		goto out_fput;
	return &shm->obj;

out_fput:
	fput(shm->shmem);
out_free:
	kfree(shm);
	return ERR_PTR(ret);
}

/*
 * SHM_OPEN's own fields; @out gets the geometry of a segment the call may
 * create.  Attaching by name alone ignores type, count and size.
 */
static int ipcshm_parse(const void *uarg, struct ipcdev_open_req *req,
			void *out)
{
	const struct ipcdev_shm_open *arg = uarg;

	BUILD_BUG_ON(sizeof(struct ipcshm_geometry) > IPCDEV_OPEN_MAX);
	if (arg->reserved0 || arg->reserved[0] || arg->reserved[1])
		return -EINVAL;
	if (arg->name && !(arg->flags & IPCDEV_CREAT))
		return 0;
	return ipcshm_geometry(arg, out);
}

/* Bump the change counter and wake whoever waits for it. */
static u64 ipcshm_changed(struct ipcshm *shm)
{
	u64 seq;

	mutex_lock(&shm->lock);
	seq = shm->seq + 1;
	WRITE_ONCE(shm->seq, seq);
	/* Pairs with the barrier after poll_wait() in ipcshm_poll(). */
	if (wq_has_sleeper(&shm->changeq))
		wake_up_all(&shm->changeq);
	kill_fasync(&shm->fasync, SIGIO, POLL_IN);
	mutex_unlock(&shm->lock);
	return seq;
}

struct ipcshm_change_cond {
	struct ipcshm *shm;
	u64 seen;
};

static int ipcshm_change_check(void *arg)
{
	struct ipcshm_change_cond *c = arg;

	lockdep_assert_held(&c->shm->lock);
	return c->shm->seq != c->seen;
}

static long ipcshm_ioctl_wait_change(struct file *file, struct ipcshm *shm,
				     void __user *uarg)
{
	struct ipcdev_shm_change __user *uch = uarg;
	struct ipcdev_handle *h = ipcdev_handle(file);
	struct ipcshm_change_cond c = { .shm = shm };
	struct ipcdev_shm_change arg;
	struct ipcdev_wait w;
	u64 seq;
	int ret;

	if (copy_from_user(&arg, uch, sizeof(arg)))
		return -EFAULT;
	if (arg.reserved)
		return -EINVAL;
	ret = ipcdev_wait_init(&w, file, arg.flags, arg.deadline_ns);
	if (ret)
		return ret;
	c.seen = arg.seen;
	ret = mutex_lock_killable(&shm->lock);
	if (ret)
		return ret;
	ret = ipcdev_wait_locked(&shm->changeq, &shm->lock,
				 ipcshm_change_check, &c, &w, 0,
				 &shm->change_waiters, NULL);
	if (ret == -EINTR)
		return ret;		/* killed; shm->lock was not re-taken */
	seq = shm->seq;
	WRITE_ONCE(h->seen, seq);
	mutex_unlock(&shm->lock);
	if (put_user(seq, &uch->seq))
		return -EFAULT;
	return ret;
}

/*
 * Read or write at @pos through the shmem file, serialised with every
 * other read and write of this path.  Writes bump the change counter.
 */
static ssize_t ipcshm_io(struct ipcshm *shm, struct iov_iter *iter,
			 loff_t pos, bool write, u64 *seq)
{
	ssize_t ret;

	if (pos < 0)
		return -EINVAL;
	if (pos >= shm->size)
		return write ? -ENOSPC : 0;
	iov_iter_truncate(iter, shm->size - pos);
	ret = mutex_lock_killable(&shm->io_lock);
	if (ret)
		return ret;
	if (write)
		ret = vfs_iter_write(shm->shmem, iter, &pos, 0);
	else
		ret = vfs_iter_read(shm->shmem, iter, &pos, 0);
	if (write && ret > 0)
		*seq = ipcshm_changed(shm);
	else
		*seq = READ_ONCE(shm->seq);
	mutex_unlock(&shm->io_lock);
	return ret;
}

/*
 * Allocate the pages of [@pos, @pos + @len) before a WRITE, so that
 * running out of memory fails it before any byte changes rather than
 * half-way, leaving a torn write behind (a WRITE is all or nothing).  A
 * page made here and then not written reads as zeros, as the hole it
 * fills did.
 */
static int ipcshm_populate(struct ipcshm *shm, u64 pos, u64 len)
{
	struct address_space *mapping = shm->shmem->f_mapping;
	pgoff_t idx, last = (pos + len - 1) >> PAGE_SHIFT;
	struct page *page;

	for (idx = pos >> PAGE_SHIFT; idx <= last; idx++) {
		page = shmem_read_mapping_page(mapping, idx);
		if (IS_ERR(page))
			return PTR_ERR(page);
		put_page(page);
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	return 0;
}

static long ipcshm_ioctl_io(struct file *file, struct ipcshm *shm,
			    void __user *uarg, bool write)
{
	struct ipcdev_shm_io __user *uio = uarg;
	struct ipcdev_shm_io arg;
	struct iov_iter iter;
	struct iovec iov;
	ssize_t ret;
	u64 seq;

	if (copy_from_user(&arg, uio, sizeof(arg)))
		return -EFAULT;
	if (arg.flags || arg.reserved)
		return -EINVAL;
	if (arg.offset > shm->size || arg.len > shm->size - arg.offset)
		return -EINVAL;
	/* Fail before anything changes if the result cannot be stored. */
	if (put_user(arg.seq, &uio->seq))
		return -EFAULT;
	iov.iov_base = u64_to_user_ptr(arg.buf);
	iov.iov_len = arg.len;
	if (!access_ok(iov.iov_base, iov.iov_len))
		return -EFAULT;
	iov_iter_init(&iter, write ? ITER_SOURCE : ITER_DEST, &iov, 1,
		      arg.len);
	/* A write from a buffer that is not all readable changes nothing. */
	if (write && fault_in_iov_iter_readable(&iter, arg.len))
		return -EFAULT;
	/* Nor one that runs out of memory: it would stop half-way. */
	if (write && arg.len) {
		ret = ipcshm_populate(shm, arg.offset, arg.len);
		if (ret)
			return ret;
	}
	if (!arg.len) {
		seq = write ? ipcshm_changed(shm) : READ_ONCE(shm->seq);
		ret = 0;
	} else {
		ret = ipcshm_io(shm, &iter, arg.offset, write, &seq);
	}
	if (ret < 0)
		return ret;
	if (ret != arg.len)
		return -EFAULT;
	if (!write)
		WRITE_ONCE(ipcdev_handle(file)->seen, seq);
	return put_user(seq, &uio->seq) ? -EFAULT : 0;
}

static long ipcshm_ioctl_stat(struct file *file, struct ipcshm *shm,
			      void __user *uarg)
{
	struct ipcdev_shm_stat st = {};
	struct pid *holder;

	st.size = shm->size;
	st.count = shm->count;
	st.type = shm->type;
	st.elem_size = shm->elem_size;
	st.mappings = ipcshm_mappings(shm);
	mutex_lock(&shm->lock);
	holder = ipcshm_holder(shm);
	st.seq = shm->seq;
	st.lock_owner = holder ? pid_vnr(holder) : 0;
	st.lock_waiters = atomic_read(&shm->lock_waiters);
	st.change_waiters = atomic_read(&shm->change_waiters);
	mutex_unlock(&shm->lock);
	IPCDEV_STAT_IDS(&st, &shm->obj);
	st.flags = ipcdev_obj_flags(&shm->obj);
	if (copy_to_user(uarg, &st, sizeof(st)))
		return -EFAULT;
	/* Seen only once the caller has it: a failed STAT changes nothing. */
	mutex_lock(&shm->lock);
	WRITE_ONCE(ipcdev_handle(file)->seen, st.seq);
	mutex_unlock(&shm->lock);
	return 0;
}

static long ipcshm_ioctl_stat_obj(struct file *file, struct ipcdev_obj *obj,
				  void __user *uarg)
{
	return ipcshm_ioctl_stat(file, to_shm(obj), uarg);
}

static long ipcshm_ioctl_lock_obj(struct file *file, struct ipcdev_obj *obj,
				  void __user *uarg)
{
	return ipcshm_ioctl_lock(file, to_shm(obj), uarg);
}

static long ipcshm_ioctl_unlock(struct file *file, struct ipcdev_obj *obj,
				void __user *uarg)
{
	if (uarg)
		return -EINVAL;
	return ipcshm_unlock(to_shm(obj));
}

static long ipcshm_ioctl_locker_obj(struct file *file, struct ipcdev_obj *obj,
				    void __user *uarg)
{
	return ipcshm_ioctl_locker(to_shm(obj), uarg);
}

static long ipcshm_ioctl_publish(struct file *file, struct ipcdev_obj *obj,
				 void __user *uarg)
{
	if (uarg)
		return -EINVAL;
	ipcshm_changed(to_shm(obj));
	return 0;
}

static long ipcshm_ioctl_wait_change_obj(struct file *file,
					 struct ipcdev_obj *obj,
					 void __user *uarg)
{
	return ipcshm_ioctl_wait_change(file, to_shm(obj), uarg);
}

static long ipcshm_ioctl_read(struct file *file, struct ipcdev_obj *obj,
			      void __user *uarg)
{
	return ipcshm_ioctl_io(file, to_shm(obj), uarg, false);
}

static long ipcshm_ioctl_write(struct file *file, struct ipcdev_obj *obj,
			       void __user *uarg)
{
	return ipcshm_ioctl_io(file, to_shm(obj), uarg, true);
}

/*
 * The lock (LOCK, UNLOCK, LOCKER) takes any access: readers take it to
 * read consistently, as writers do to write; its fast path needs a
 * writable mapping of the lock page, which mmap() checks.
 */
static const struct ipcdev_ioctl ipcshm_ioctls[] = {
	{ IPCDEV_IOC_SHM_STAT,		0,		ipcshm_ioctl_stat_obj },
	{ IPCDEV_IOC_SHM_LOCK,		0,		ipcshm_ioctl_lock_obj },
	{ IPCDEV_IOC_SHM_UNLOCK,	0,		ipcshm_ioctl_unlock },
	{ IPCDEV_IOC_SHM_LOCKER,	0,		ipcshm_ioctl_locker_obj },
	{ IPCDEV_IOC_SHM_PUBLISH,	FMODE_WRITE,	ipcshm_ioctl_publish },
	{ IPCDEV_IOC_SHM_WAIT_CHANGE,	0,		ipcshm_ioctl_wait_change_obj },
	{ IPCDEV_IOC_SHM_READ,		FMODE_READ,	ipcshm_ioctl_read },
	{ IPCDEV_IOC_SHM_WRITE,		FMODE_WRITE,	ipcshm_ioctl_write },
};

static ssize_t ipcshm_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct ipcshm *shm = ipcshm_of(iocb->ki_filp);
	ssize_t ret;
	u64 seq;

	ret = ipcshm_io(shm, to, iocb->ki_pos, false, &seq);
	if (ret > 0)
		iocb->ki_pos += ret;
	return ret;
}

static ssize_t ipcshm_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct ipcshm *shm = ipcshm_of(iocb->ki_filp);
	ssize_t ret;
	u64 seq;

	if (!iov_iter_count(from))
		return 0;
	ret = ipcshm_io(shm, from, iocb->ki_pos, true, &seq);
	if (ret > 0)
		iocb->ki_pos += ret;
	return ret;
}

static loff_t ipcshm_llseek(struct file *file, loff_t offset, int whence)
{
	struct ipcshm *shm = ipcshm_of(file);

	return fixed_size_llseek(file, offset, whence, shm->size);
}

static int ipcshm_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct ipcshm *shm = ipcshm_of(file);
	unsigned long pages;

	if (vma->vm_pgoff == IPCSHM_LOCK_PGOFF)
		return ipcshm_mmap_lock(file, shm, vma);
	pages = DIV_ROUND_UP(shm->size, PAGE_SIZE);
	if (vma->vm_pgoff >= pages || vma_pages(vma) > pages - vma->vm_pgoff)
		return -EINVAL;
	if ((vma->vm_flags & VM_SHARED) && (vma->vm_flags & VM_WRITE) &&
	    !(ipcdev_handle(file)->fmode & FMODE_WRITE))
		return -EACCES;
	/*
	 * The mapping becomes the shmem file's own, as memfd and ashmem make
	 * theirs: shmem's vm_operations (faults, NUMA policy, ...), and a
	 * reference on the shmem file alone, so nothing of this module.
	 */
	vma_set_file(vma, shm->shmem);
	return call_mmap(shm->shmem, vma);
}

static __poll_t ipcshm_poll(struct file *file, poll_table *pt)
{
	struct ipcdev_handle *h = ipcdev_handle(file);
	struct ipcshm *shm = ipcshm_of(file);
	__poll_t mask = 0;

	poll_wait(file, &shm->changeq, pt);
	/* Queued before reading the counter: pairs with wq_has_sleeper(). */
	smp_mb();
	if (READ_ONCE(shm->seq) != READ_ONCE(h->seen))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (h->fmode & FMODE_WRITE)
		mask |= EPOLLOUT | EPOLLWRNORM;
	return mask;
}

static int ipcshm_fasync(int fd, struct file *file, int on)
{
	return fasync_helper(fd, file, on, &ipcshm_of(file)->fasync);
}

/* Every close(); on the way out of a dying holder, free its lock now. */
static int ipcshm_flush(struct file *file, fl_owner_t id)
{
	struct ipcshm *shm = ipcshm_of(file);

	if (!(current->flags & PF_EXITING))
		return 0;
	mutex_lock(&shm->lock);
	ipcshm_holder(shm);
	mutex_unlock(&shm->lock);
	return 0;
}

static void ipcshm_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct ipcshm *shm = ipcshm_of(file);
	struct pid *holder;
	pid_t owner;
	u32 mappings;

	ipcdev_show_fdinfo(m, &ipcshm_kind, file);
	seq_printf(m, "ipcdev-type:\t%c\nipcdev-count:\t%llu\nipcdev-size:\t%llu\n",
		   shm->type ? (char)shm->type : '-',
		   (unsigned long long)shm->count,
		   (unsigned long long)shm->size);
	mappings = ipcshm_mappings(shm);
	mutex_lock(&shm->lock);
	holder = ipcshm_holder(shm);
	owner = holder ? pid_vnr(holder) : 0;
	seq_printf(m, "ipcdev-mappings:\t%u\nipcdev-lock-owner:\t%d\n",
		   mappings, owner);
	seq_printf(m, "ipcdev-lock-waiters:\t%u\nipcdev-seq:\t%llu\n",
		   atomic_read(&shm->lock_waiters), (unsigned long long)shm->seq);
	mutex_unlock(&shm->lock);
}

/* A segment descriptor. */
static const struct file_operations ipcshm_fops = {
	.owner		= THIS_MODULE,
	.release	= ipcdev_fop_release,
	.flush		= ipcshm_flush,
	.llseek		= ipcshm_llseek,
	.read_iter	= ipcshm_read_iter,
	.write_iter	= ipcshm_write_iter,
	.mmap		= ipcshm_mmap,
	.poll		= ipcshm_poll,
	.fasync		= ipcshm_fasync,
	.unlocked_ioctl	= ipcdev_obj_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.show_fdinfo	= ipcshm_show_fdinfo,
};

static const struct ipcdev_kind ipcshm_kind = {
	.name		= "shm",
	.anon_name	= "[ipcshm]",
	.fops		= &ipcshm_fops,
	.stream		= false,
	.ioctls		= ipcshm_ioctls,
	.nr_ioctls	= ARRAY_SIZE(ipcshm_ioctls),
	.open_cmd	= IPCDEV_IOC_SHM_OPEN,
	.open_size	= sizeof(struct ipcdev_shm_open),
	.parse		= ipcshm_parse,
	.create		= ipcshm_create,
	.free		= ipcshm_free,
	.row		= ipcshm_row,
};

/* /dev/ipcshm: a factory of segment descriptors. */
IPCDEV_DEV_FOPS(ipcshm_dev_fops, ipcshm_kind);

struct miscdevice ipcshm_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "ipcshm",
	.fops	= &ipcshm_dev_fops,
	.mode	= 0666,
};
