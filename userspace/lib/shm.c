// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libipcdev: multiprocessing.Value and Array over /dev/ipcshm.  See ipcdev.h
 * and ipc_array(3).  A segment is a struct ipc_array owned by the caller:
 * the handle and a MAP_SHARED mapping of the whole segment.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "internal.h"

/* Fill the geometry of the OPEN ioctl from a typecode and a count. */
static int set_geometry(struct ipcdev_shm_open *op, char type, size_t count)
{
	int elem = ipc_typecode_size((unsigned char)type);

	if (elem < 0)
		return elem;
	if (!count)
		return -EINVAL;
	if (count > SIZE_MAX / (size_t)elem)
		return -EOVERFLOW;
	op->type = (unsigned char)type;
	op->count = count;
	op->size = (uint64_t)count * (uint64_t)elem;
	return 0;
}

/*
 * The struct's size is ABI (callers allocate it): a new field goes into
 * reserved[], never after it.
 */
_Static_assert(sizeof(struct ipc_array) == IPC_ARRAY_SIZE,
	       "struct ipc_array must keep its size: take room from reserved[]");

static void reset(struct ipc_array *a)
{
	memset(a, 0, sizeof(*a));
	a->fd = -1;
}

/*
 * The lock's fast path needs the calling process's locker id, which the
 * module gives per process.  a->locker caches it with a process
 * generation above it (generation << 32 | id).  The generation lives in a
 * MADV_WIPEONFORK page: a child made by fork(), however made, sees 0 there
 * and takes a new generation, larger than any its parent handed out before
 * the fork, so every id it inherited is stale.
 */
static uint32_t *fork_page;
static uint32_t generations;
static int no_fork_page;	/* MADV_WIPEONFORK refused: never ask again */

/*
 * The generation page, made at the first call; with no pthread_once(),
 * so that the lock calls stay async-signal-safe: a racing thread's (or
 * handler's) second page is dropped.  NULL when there is none.
 */
static uint32_t *fork_page_get(void)
{
	uint32_t *none = NULL;
	void *p;

	if (__atomic_load_n(&no_fork_page, __ATOMIC_RELAXED))
		return NULL;
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	if (madvise(p, 4096, MADV_WIPEONFORK)) {
		munmap(p, 4096);	/* no way to notice fork: no fast path */
		__atomic_store_n(&no_fork_page, 1, __ATOMIC_RELAXED);
		return NULL;
	}
	if (__atomic_compare_exchange_n(&fork_page, &none, (uint32_t *)p, 0,
					__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return p;
	munmap(p, 4096);
	return none;
}

/* This process's generation, or 0 when there is no fast path. */
static uint32_t process_generation(void)
{
	uint32_t *page = __atomic_load_n(&fork_page, __ATOMIC_ACQUIRE);
	uint32_t gen, zero = 0;

	if (!page) {
		page = fork_page_get();
		if (!page)
			return 0;
	}
	gen = __atomic_load_n(page, __ATOMIC_RELAXED);
	if (gen)
		return gen;
	do
		gen = __atomic_add_fetch(&generations, 1, __ATOMIC_RELAXED);
	while (!gen);
	if (!__atomic_compare_exchange_n(page, &zero, gen, 0,
					 __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		gen = zero;		/* another thread's */
	return gen;
}

/* Set when the module has no lock word (ENOTTY): ask no more. */
static int no_lock_word;

/*
 * Map @a's lock word (the page at @offset) and publish it; 0 or -errno.
 * Two threads may race here: the second mapping is dropped.
 */
static int map_lock_word(struct ipc_array *a, uint64_t offset)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, a->fd,
		       (off_t)offset);
	uint32_t *none = NULL;

	if (p == MAP_FAILED)
		return -errno;
	if (!__atomic_compare_exchange_n(&a->lock_word, &none, p, 0,
					 __ATOMIC_RELEASE, __ATOMIC_RELAXED))
		munmap(p, 4096);
	return 0;
}

/*
 * The calling process's locker id, asked of the module, and the lock word
 * mapped at the first lock (a segment never locked costs no page); 0
 * when there is no fast path: a read-only segment, or no lock word.
 */
static __attribute__((noinline)) uint32_t locker_id_slow(struct ipc_array *a)
{
	struct ipcdev_shm_locker arg = { 0 };
	uint32_t gen;
	int err;

	if (!(a->prot & PROT_WRITE) ||
	    __atomic_load_n(&no_lock_word, __ATOMIC_RELAXED))
		return 0;
	gen = process_generation();
	if (!gen)
		return 0;
	err = ipcdev_lib_ioctl(a->fd, IPCDEV_IOC_SHM_LOCKER, &arg);
	if (err == -ENOTTY)
		__atomic_store_n(&no_lock_word, 1, __ATOMIC_RELAXED);
	if (err)
		return 0;
	if (!__atomic_load_n(&a->lock_word, __ATOMIC_ACQUIRE) &&
	    map_lock_word(a, arg.offset))
		return 0;
	/* Release: whoever sees the id sees the word mapped. */
	__atomic_store_n(&a->locker, (uint64_t)gen << 32 | arg.id,
			 __ATOMIC_RELEASE);
	return arg.id;
}

/*
 * The calling process's locker id in @a's lock word as cached, or 0 (not
 * cached for this process: see locker_id_slow()).  A cached id is only
 * there with a mapped lock word; with no generation yet, both are 0.
 */
static inline uint32_t locker_id_cached(const struct ipc_array *a)
{
	uint32_t *page = __atomic_load_n(&fork_page, __ATOMIC_ACQUIRE);
	uint64_t cached = __atomic_load_n(&a->locker, __ATOMIC_ACQUIRE);

	if (!page ||
	    (uint32_t)(cached >> 32) != __atomic_load_n(page, __ATOMIC_RELAXED))
		return 0;
	return (uint32_t)cached;
}

/* Compare-and-swap the lock word from @from to @to; 1 when it was @from. */
static inline int lock_word_swap(struct ipc_array *a, uint32_t from,
				 uint32_t to, int memorder)
{
	return __atomic_compare_exchange_n(a->lock_word, &from, to, 0,
					   memorder, __ATOMIC_RELAXED);
}

/*
 * Make @a the segment of the handle @fd (which @a then owns): read the
 * geometry back from the module, map the whole segment, writable when
 * @writable.  On error @fd is closed and @a reset.
 */
static int map_segment(struct ipc_array *a, int fd, int writable)
{
	struct ipcdev_shm_stat st;
	void *addr;
	int err, prot = PROT_READ | (writable ? PROT_WRITE : 0);

	err = ipcdev_lib_ioctl(fd, IPCDEV_IOC_SHM_STAT, &st);
	if (!err && (st.size > SIZE_MAX || !st.elem_size))
		err = -EOVERFLOW;
	if (!err) {
		addr = mmap(NULL, (size_t)st.size, prot, MAP_SHARED, fd, 0);
		if (addr == MAP_FAILED)
			err = -errno;
	}
	if (err) {
		close(fd);
		reset(a);
		return err;
	}
	a->fd = fd;
	a->addr = addr;
	a->size = (size_t)st.size;
	a->count = (size_t)st.count;
	a->elem_size = st.elem_size;
	a->type = (char)st.type;
	a->prot = prot;
	return 0;
}

int ipc_array_create(struct ipc_array *a, char typecode, size_t count,
		     const void *init)
{
	struct ipcdev_shm_open op = { 0 };
	int fd, err;

	reset(a);
	err = set_geometry(&op, typecode, count);
	if (err)
		return err;
	if (!typecode)
		op.count = 0;		/* raw: the size says it all */
	fd = ipcdev_lib_open_bound(IPC_SHM_DEVICE, O_RDWR,
				   IPCDEV_IOC_SHM_OPEN, &op);
	if (fd < 0)
		return fd;
	err = map_segment(a, fd, 1);
	if (err)
		return err;
	if (init)
		memcpy(a->addr, init, a->size);
	return 0;
}

int ipc_value_create(struct ipc_array *v, char typecode, const void *init)
{
	return ipc_array_create(v, typecode, 1, init);
}

int ipc_raw_create(struct ipc_array *a, size_t size)
{
	return ipc_array_create(a, 0, size, NULL);
}

int ipc_array_open(struct ipc_array *a, const char *name, int flags,
		   mode_t mode, char typecode, size_t count)
{
	struct ipcdev_shm_open op = { 0 };
	int accmode, fd, err;

	reset(a);
	err = ipcdev_lib_check_open(name, flags, IPC_OPEN_FLAGS, mode,
				    &accmode, &op.flags);
	if (err)
		return err;
	if (accmode == O_WRONLY)
		return -EINVAL;		/* no mapping without read access */
	if (flags & IPC_CREAT) {
		err = set_geometry(&op, typecode, count);
		if (err)
			return err;
		if (!typecode)
			op.count = 0;
	}
	op.name = ptr_to_u64(name);
	op.mode = (uint32_t)mode;
	fd = ipcdev_lib_open_bound(IPC_SHM_DEVICE, accmode,
				   IPCDEV_IOC_SHM_OPEN, &op);
	if (fd < 0)
		return fd;
	return map_segment(a, fd, accmode == O_RDWR);
}

int ipc_array_attach(struct ipc_array *a, int fd)
{
	int fl, copy;

	reset(a);
	fl = fcntl(fd, F_GETFL);
	if (fl < 0)
		return -errno;
	if ((fl & O_ACCMODE) == O_WRONLY)
		return -EACCES;
	copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (copy < 0)
		return -errno;
	return map_segment(a, copy, (fl & O_ACCMODE) == O_RDWR);
}

/*
 * Copy one element of @size bytes between the mapping and a caller's
 * buffer (of any alignment), as one load or store when the machine has one
 * of that size: the element is never torn.
 */
#define ELEM_COPY(type, dst, src, to_map)				\
	do {								\
		type v_;						\
		if (to_map) {						\
			memcpy(&v_, (src), sizeof(v_));			\
			__atomic_store_n((type *)(dst), v_,		\
					 __ATOMIC_RELAXED);		\
		} else {						\
			v_ = __atomic_load_n((const type *)(src),	\
					     __ATOMIC_RELAXED);		\
			memcpy((dst), &v_, sizeof(v_));			\
		}							\
	} while (0)

static void elem_copy(void *dst, const void *src, size_t size, int to_map)
{
	switch (size) {
	case 1:
		ELEM_COPY(uint8_t, dst, src, to_map);
		return;
	case 2:
		ELEM_COPY(uint16_t, dst, src, to_map);
		return;
	case 4:
		ELEM_COPY(uint32_t, dst, src, to_map);
		return;
#if UINTPTR_MAX == UINT64_MAX
	case 8:
		ELEM_COPY(uint64_t, dst, src, to_map);
		return;
#endif
	}
	memcpy(dst, src, size);
}

/* Is [@start, @start + @n) within the @a's elements? */
static int in_range(const struct ipc_array *a, size_t start, size_t n)
{
	return a->addr && start <= a->count && n <= a->count - start;
}

static int writable(const struct ipc_array *a)
{
	return a->prot & PROT_WRITE;
}

int ipc_array_get(const struct ipc_array *a, size_t i, void *out)
{
	if (!in_range(a, i, 1))
		return -EINVAL;
	elem_copy(out, (const char *)a->addr + i * a->elem_size,
		  a->elem_size, 0);
	return 0;
}

int ipc_array_set(struct ipc_array *a, size_t i, const void *in)
{
	if (!in_range(a, i, 1))
		return -EINVAL;
	if (!writable(a))
		return -EBADF;
	elem_copy((char *)a->addr + i * a->elem_size, in, a->elem_size, 1);
	return 0;
}

int ipc_array_get_slice(const struct ipc_array *a, size_t start, size_t n,
			void *out)
{
	if (!in_range(a, start, n))
		return -EINVAL;
	if (n)
		memcpy(out, (const char *)a->addr + start * a->elem_size,
		       n * a->elem_size);
	return 0;
}

int ipc_array_set_slice(struct ipc_array *a, size_t start, size_t n,
			const void *in)
{
	if (!in_range(a, start, n))
		return -EINVAL;
	if (!writable(a))
		return -EBADF;
	if (n)
		memcpy((char *)a->addr + start * a->elem_size, in,
		       n * a->elem_size);
	return 0;
}

int ipc_value_get(const struct ipc_array *v, void *out)
{
	return ipc_array_get(v, 0, out);
}

int ipc_value_set(struct ipc_array *v, const void *in)
{
	return ipc_array_set(v, 0, in);
}

/* LOCK through the module: the lock word was not free, or is not mapped. */
static __attribute__((noinline)) int lock_slow(struct ipc_array *a, int block,
					       int64_t timeout_ns)
{
	struct ipcdev_shm_lock arg = { 0 };
	int err;

	err = ipcdev_lib_wait_args(block, timeout_ns, &arg.flags,
				   &arg.deadline_ns);
	return err ? err : ipcdev_lib_ioctl(a->fd, IPCDEV_IOC_SHM_LOCK, &arg);
}

/* ipc_array_lock() with no id cached for this process. */
static __attribute__((noinline)) int lock_uncached(struct ipc_array *a,
						   int block,
						   int64_t timeout_ns)
{
	uint32_t id = locker_id_slow(a);

	if (id && lock_word_swap(a, 0, id, __ATOMIC_ACQUIRE))
		return 0;
	return lock_slow(a, block, timeout_ns);
}

/*
 * The fast path is a swap of the word, from 0 to our id (acquire: pairs
 * with the release of the unlock before it); every other case is a call.
 */
int ipc_array_lock(struct ipc_array *a, int block, int64_t timeout_ns)
{
	uint32_t id = locker_id_cached(a);

	if (!id)
		return lock_uncached(a, block, timeout_ns);
	if (lock_word_swap(a, 0, id, __ATOMIC_ACQUIRE))
		return 0;
	return lock_slow(a, block, timeout_ns);
}

/*
 * ipc_array_unlock() when the swap failed (@id: the word was not ours
 * alone, waiters or another holder) or no id was cached (@id 0).
 */
static __attribute__((noinline)) int unlock_slow(struct ipc_array *a,
						 uint32_t id)
{
	if (!id) {
		id = locker_id_slow(a);
		if (id && lock_word_swap(a, id, 0, __ATOMIC_RELEASE))
			return 0;
	}
	return ipcdev_lib_ioctl(a->fd, IPCDEV_IOC_SHM_UNLOCK, NULL);
}

/*
 * The fast path swaps the word from our id to 0 (release: the critical
 * section is done before the word shows it).
 */
int ipc_array_unlock(struct ipc_array *a)
{
	uint32_t id = locker_id_cached(a);

	if (id && lock_word_swap(a, id, 0, __ATOMIC_RELEASE))
		return 0;
	return unlock_slow(a, id);
}

int ipc_array_publish(struct ipc_array *a)
{
	return ipcdev_lib_ioctl(a->fd, IPCDEV_IOC_SHM_PUBLISH, NULL);
}

int ipc_array_wait_change(struct ipc_array *a, uint64_t seen, uint64_t *seq,
			  int block, int64_t timeout_ns)
{
	struct ipcdev_shm_change arg = { .seen = seen };
	int err;

	err = ipcdev_lib_wait_args(block, timeout_ns, &arg.flags,
				   &arg.deadline_ns);
	if (err)
		return err;
	err = ipcdev_lib_ioctl(a->fd, IPCDEV_IOC_SHM_WAIT_CHANGE, &arg);
	if (err && err != -EAGAIN && err != -ETIMEDOUT)
		return err;
	if (seq)
		*seq = arg.seq;
	return !err;
}

int ipc_array_snapshot(struct ipc_array *a, void *out, uint64_t *seq)
{
	struct ipcdev_shm_io io = { 0 };
	int err;

	io.buf = ptr_to_u64(out);
	io.len = a->size;
	err = ipcdev_lib_ioctl(a->fd, IPCDEV_IOC_SHM_READ, &io);
	if (!err && seq)
		*seq = io.seq;
	return err;
}

int ipc_array_stat(const struct ipc_array *a, struct ipcdev_shm_stat *st)
{
	return ipcdev_lib_ioctl(a->fd, IPCDEV_IOC_SHM_STAT, st);
}

int ipc_array_close(struct ipc_array *a)
{
	int err;

	if (a->addr)
		munmap(a->addr, a->size);
	if (a->lock_word)
		munmap(a->lock_word, 4096);
	err = a->fd >= 0 ? ipcdev_lib_close(a->fd) : -EBADF;
	reset(a);
	return err;
}

int ipc_array_unlink(const char *name)
{
	return ipcdev_lib_unlink(IPC_SHM_DEVICE, name);
}
