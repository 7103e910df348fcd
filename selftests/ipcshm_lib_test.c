// SPDX-License-Identifier: GPL-2.0
/*
 * Selftests of libipcdev's shared memory API (multiprocessing.Value and
 * Array) on top of /dev/ipcshm: typecodes, element and slice access,
 * sharing across fork, by name and by descriptor, the process-owned lock
 * (with EOWNERDEAD after its holder is killed), the change counter and
 * snapshots (userspace/lib/ipcdev.h).  Run as root with the ipcdev module
 * loaded.  Helper processes report through their exit code (0 = success).
 */
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "ipcdev_lib_test.h"

/* Every typecode: its element size, and one value that fills it. */
static const struct {
	char type;
	size_t size;
	union {
		char c;
		signed char b;
		unsigned char B;
		short h;
		unsigned short H;
		int i;
		unsigned int I;
		int64_t l;
		uint64_t L;
		long long q;
		unsigned long long Q;
		float f;
		double d;
	} v;
} types[] = {
	{ 'c', 1, { .c = 'Z' } },
	{ 'b', 1, { .b = -100 } },
	{ 'B', 1, { .B = 250 } },
	{ 'h', 2, { .h = -30000 } },
	{ 'H', 2, { .H = 65000 } },
	{ 'i', 4, { .i = -2000000000 } },
	{ 'I', 4, { .I = 4000000000u } },
	{ 'l', 8, { .l = -9000000000000000000LL } },
	{ 'L', 8, { .L = 18000000000000000000ULL } },
	{ 'q', 8, { .q = -1234567890123456789LL } },
	{ 'Q', 8, { .Q = 0xfedcba9876543210ULL } },
	{ 'f', 4, { .f = 3.25f } },
	{ 'd', 8, { .d = -2.0e300 } },
};

TEST(every_typecode_round_trips)
{
	struct ipcdev_shm_stat st;
	struct ipc_array v, a;
	unsigned char out[8], zero[8] = { 0 };

	for (size_t k = 0; k < sizeof(types) / sizeof(types[0]); k++) {
		char t = types[k].type;

		ASSERT_EQ(0, ipc_value_create(&v, t, &types[k].v))
			TH_LOG("typecode %c", t);
		EXPECT_EQ(t, v.type);
		EXPECT_EQ(types[k].size, v.elem_size);
		EXPECT_EQ(1, v.count);
		EXPECT_EQ(types[k].size, v.size);
		EXPECT_EQ(PROT_READ | PROT_WRITE, v.prot);
		EXPECT_EQ(FD_CLOEXEC, fcntl(v.fd, F_GETFD) & FD_CLOEXEC);
		memset(out, 0xaa, sizeof(out));
		EXPECT_EQ(0, ipc_value_get(&v, out));
		EXPECT_EQ(0, memcmp(out, &types[k].v, types[k].size))
			TH_LOG("typecode %c", t);
		ASSERT_EQ(0, ipc_array_stat(&v, &st));
		EXPECT_EQ((unsigned int)t, st.type);
		EXPECT_EQ(types[k].size, st.elem_size);
		EXPECT_EQ(0, ipc_value_set(&v, zero));
		EXPECT_EQ(0, ipc_value_get(&v, out));
		EXPECT_EQ(0, memcmp(out, zero, types[k].size));
		EXPECT_EQ(0, ipc_value_set(&v, &types[k].v));
		EXPECT_EQ(0, memcmp(v.addr, &types[k].v, types[k].size));
		EXPECT_EQ(0, ipc_array_close(&v));
		EXPECT_EQ(-1, v.fd);
		EXPECT_EQ(NULL, v.addr);

		/* An array of 3, zero-filled without init. */
		ASSERT_EQ(0, ipc_array_create(&a, t, 3, NULL));
		EXPECT_EQ(3 * types[k].size, a.size);
		EXPECT_EQ(0, ipc_array_set(&a, 2, &types[k].v));
		EXPECT_EQ(0, ipc_array_get(&a, 0, out));
		EXPECT_EQ(0, memcmp(out, zero, types[k].size));
		EXPECT_EQ(0, ipc_array_get(&a, 2, out));
		EXPECT_EQ(0, memcmp(out, &types[k].v, types[k].size));
		ipc_array_close(&a);
	}
	/* Unknown typecodes and bad counts, checked by the library. */
	EXPECT_EQ(-EINVAL, ipc_value_create(&v, 'x', NULL));
	EXPECT_EQ(-1, v.fd);
	EXPECT_EQ(NULL, v.addr);
	EXPECT_EQ(-EINVAL, ipc_array_create(&a, 'u', 4, NULL));
	EXPECT_EQ(-EINVAL, ipc_array_create(&a, 'i', 0, NULL));
	EXPECT_EQ(-EOVERFLOW, ipc_array_create(&a, 'd', SIZE_MAX / 4, NULL));
	EXPECT_EQ(-EINVAL, ipc_raw_create(&a, 0));
	EXPECT_EQ(-EBADF, ipc_array_close(&a));
	/* Raw bytes. */
	ASSERT_EQ(0, ipc_raw_create(&a, 10000));
	EXPECT_EQ(0, a.type);
	EXPECT_EQ(1, a.elem_size);
	EXPECT_EQ(10000, a.count);
	EXPECT_EQ(10000, a.size);
	EXPECT_EQ(0, ((unsigned char *)a.addr)[9999]);
	ipc_array_close(&a);
}

TEST(array_init_get_set_slices)
{
	int init[8] = { 10, 11, 12, 13, 14, 15, 16, 17 }, out[8], x;
	int repl[3] = { -1, -2, -3 };
	struct ipc_array a;

	ASSERT_EQ(0, ipc_array_create(&a, 'i', 8, init));
	EXPECT_EQ(8, a.count);
	EXPECT_EQ(0, memcmp(a.addr, init, sizeof(init)));
	EXPECT_EQ(0, ipc_array_get(&a, 7, &x));
	EXPECT_EQ(17, x);
	x = 99;
	EXPECT_EQ(0, ipc_array_set(&a, 0, &x));
	EXPECT_EQ(99, ((int *)a.addr)[0]);
	EXPECT_EQ(0, ipc_value_get(&a, &x));
	EXPECT_EQ(99, x);
	EXPECT_EQ(0, ipc_array_set_slice(&a, 2, 3, repl));
	memset(out, 0, sizeof(out));
	EXPECT_EQ(0, ipc_array_get_slice(&a, 1, 5, out));
	EXPECT_EQ(11, out[0]);
	EXPECT_EQ(-1, out[1]);
	EXPECT_EQ(-2, out[2]);
	EXPECT_EQ(-3, out[3]);
	EXPECT_EQ(15, out[4]);
	EXPECT_EQ(0, ipc_array_get_slice(&a, 0, 8, out));
	EXPECT_EQ(17, out[7]);
	/* Empty slices, at any index up to the count. */
	EXPECT_EQ(0, ipc_array_get_slice(&a, 8, 0, out));
	EXPECT_EQ(0, ipc_array_set_slice(&a, 0, 0, NULL));
	/* Out of range. */
	EXPECT_EQ(-EINVAL, ipc_array_get(&a, 8, &x));
	EXPECT_EQ(-EINVAL, ipc_array_set(&a, 8, &x));
	EXPECT_EQ(-EINVAL, ipc_array_get(&a, SIZE_MAX, &x));
	EXPECT_EQ(-EINVAL, ipc_array_get_slice(&a, 6, 3, out));
	EXPECT_EQ(-EINVAL, ipc_array_set_slice(&a, 9, 0, repl));
	EXPECT_EQ(-EINVAL, ipc_array_get_slice(&a, 1, SIZE_MAX, out));
	EXPECT_EQ(-EINVAL, ipc_array_set_slice(&a, SIZE_MAX, 2, repl));
	EXPECT_EQ(17, ((int *)a.addr)[7]);
	ipc_array_close(&a);
	/* Calls on a closed array. */
	EXPECT_EQ(-EINVAL, ipc_array_get(&a, 0, &x));
	EXPECT_EQ(-EBADF, ipc_array_lock(&a, 0, 0));
}

TEST(child_set_seen_by_parent)
{
	double d = 1.5, got = 0;
	struct ipc_array v;
	pid_t pid;

	ASSERT_EQ(0, ipc_value_create(&v, 'd', &d));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		double x;

		/* The struct and its mapping are inherited. */
		if (ipc_value_get(&v, &x) || x != 1.5)
			_exit(1);
		x = 42.25;
		_exit(ipc_value_set(&v, &x) ? 2 : 0);
	}
	EXPECT_EQ(0, reap(pid));
	EXPECT_EQ(0, ipc_value_get(&v, &got));
	EXPECT_EQ(42.25, got);
	ipc_array_close(&v);
}

TEST(named_open_from_another_process)
{
	double init[5] = { 0.5, 1.5, 2.5, 3.5, 4.5 }, x;
	struct ipcdev_shm_stat st;
	struct ipc_array a, b;
	char name[64];
	pid_t pid;

	snprintf(name, sizeof(name), "ksft-lib-shm-%d", getpid());
	ipc_array_unlink(name);
	EXPECT_EQ(-ENOENT, ipc_array_open(&a, name, O_RDWR, 0, 'd', 5));
	EXPECT_EQ(-1, a.fd);
	EXPECT_EQ(-EINVAL, ipc_array_open(&a, name, O_RDWR | IPC_CREAT, 0600,
					  'z', 5));
	EXPECT_EQ(-EINVAL, ipc_array_open(&a, name, O_RDWR | IPC_CREAT, 0600,
					  'd', 0));
	EXPECT_EQ(-EINVAL, ipc_array_open(&a, name, O_WRONLY | IPC_CREAT, 0600,
					  'd', 5));
	EXPECT_EQ(-EINVAL, ipc_array_open(&a, name, O_RDWR | IPC_CREAT, 01600,
					  'd', 5));
	EXPECT_EQ(-EINVAL, ipc_array_open(&a, NULL, O_RDWR | IPC_CREAT, 0600,
					  'd', 5));
	EXPECT_EQ(-EINVAL, ipc_array_open(&a, "a/b", O_RDWR | IPC_CREAT, 0600,
					  'd', 5));
	ASSERT_EQ(0, ipc_array_open(&a, name, O_RDWR | IPC_CREAT | IPC_EXCL,
				    0600, 'd', 5));
	EXPECT_EQ(FD_CLOEXEC, fcntl(a.fd, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(0, ipc_array_set_slice(&a, 0, 5, init));
	EXPECT_EQ(-EEXIST, ipc_array_open(&b, name, O_RDWR | IPC_CREAT | IPC_EXCL,
					  0600, 'd', 5));
	ASSERT_EQ(0, ipc_array_stat(&a, &st));
	EXPECT_EQ(IPCDEV_STAT_NAMED, st.flags);

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct ipc_array c;
		double y;

		ipc_array_close(&a);
		/* typecode and count ignored: read back from the kernel. */
		if (ipc_array_open(&c, name, O_RDWR, 0, 0, 0))
			_exit(1);
		if (c.type != 'd' || c.count != 5 || c.elem_size != 8 ||
		    c.size != 40)
			_exit(2);
		if (ipc_array_get(&c, 4, &y) || y != 4.5)
			_exit(3);
		y = -7.0;
		if (ipc_array_set(&c, 1, &y))
			_exit(4);
		_exit(ipc_array_close(&c) ? 5 : 0);
	}
	EXPECT_EQ(0, reap(pid));
	EXPECT_EQ(0, ipc_array_get(&a, 1, &x));
	EXPECT_EQ(-7.0, x);

	/* Read-only: a read-only mapping, no set, no publish. */
	ASSERT_EQ(0, ipc_array_open(&b, name, O_RDONLY, 0, 'i', 1));
	EXPECT_EQ('d', b.type);
	EXPECT_EQ(5, b.count);
	EXPECT_EQ(PROT_READ, b.prot);
	EXPECT_EQ(0, ipc_array_get(&b, 1, &x));
	EXPECT_EQ(-7.0, x);
	EXPECT_EQ(-EBADF, ipc_array_set(&b, 1, &x));
	EXPECT_EQ(-EBADF, ipc_array_set_slice(&b, 0, 1, &x));
	EXPECT_EQ(-EBADF, ipc_array_publish(&b));
	ipc_array_close(&b);

	/* The contents persist with no handle open, until unlinked. */
	ipc_array_close(&a);
	ASSERT_EQ(0, ipc_array_open(&a, name, O_RDWR | IPC_CREAT, 0600, 'd', 5));
	EXPECT_EQ(0, ipc_array_get(&a, 4, &x));
	EXPECT_EQ(4.5, x);
	EXPECT_EQ(0, ipc_array_unlink(name));
	EXPECT_EQ(-ENOENT, ipc_array_unlink(name));
	EXPECT_EQ(-EINVAL, ipc_array_unlink(""));
	EXPECT_EQ(0, ipc_array_stat(&a, &st));
	EXPECT_EQ(IPCDEV_STAT_NAMED | IPCDEV_STAT_UNLINKED, st.flags);
	ipc_array_close(&a);
}

TEST(attach_by_fd_over_fork)
{
	short init[4] = { 1, 2, 3, 4 }, x;
	struct ipc_array a, b;
	pid_t pid;
	int ro;

	ASSERT_EQ(0, ipc_array_create(&a, 'h', 4, init));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct ipc_array c;
		short y = 40;
		int fd = a.fd;

		/* As a receiver of SCM_RIGHTS would: only the descriptor. */
		if (munmap(a.addr, a.size))
			_exit(1);
		if (ipc_array_attach(&c, fd))
			_exit(2);
		if (c.fd == fd || c.type != 'h' || c.count != 4 ||
		    c.elem_size != 2 || c.prot != (PROT_READ | PROT_WRITE))
			_exit(3);
		if (!(fcntl(c.fd, F_GETFD) & FD_CLOEXEC))
			_exit(4);
		if (ipc_array_get(&c, 2, &y) || y != 3)
			_exit(5);
		y = 40;
		if (ipc_array_set(&c, 3, &y))
			_exit(6);
		if (ipc_array_close(&c))
			_exit(7);
		/* The caller's descriptor stays open. */
		_exit(fcntl(fd, F_GETFD) < 0 ? 8 : 0);
	}
	EXPECT_EQ(0, reap(pid));
	EXPECT_EQ(0, ipc_array_get(&a, 3, &x));
	EXPECT_EQ(40, x);

	/* Attached twice in one process: a second mapping of the same memory. */
	ASSERT_EQ(0, ipc_array_attach(&b, a.fd));
	EXPECT_NE(a.addr, b.addr);
	x = 41;
	EXPECT_EQ(0, ipc_array_set(&b, 0, &x));
	EXPECT_EQ(41, ((short *)a.addr)[0]);
	EXPECT_EQ(PROT_READ | PROT_WRITE, b.prot);
	ipc_array_close(&b);
	/* Errors: not a descriptor, not a segment, a device descriptor. */
	EXPECT_EQ(-EBADF, ipc_array_attach(&b, -1));
	EXPECT_EQ(-1, b.fd);
	ro = ipc_event_create(0);
	ASSERT_LE(0, ro);
	EXPECT_EQ(-ENOTTY, ipc_array_attach(&b, ro));
	close(ro);
	ro = open(IPC_SHM_DEVICE, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, ro);
	EXPECT_EQ(-ENOTTY, ipc_array_attach(&b, ro));
	close(ro);
	ro = open(IPC_SHM_DEVICE, O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, ro);
	EXPECT_EQ(-EACCES, ipc_array_attach(&b, ro));
	close(ro);
	ipc_array_close(&a);
}

/*
 * Fork a child that takes @v's lock and then sleeps until killed; return
 * its pid once it holds the lock, or -1.
 */
static pid_t fork_holder(struct ipc_array *v)
{
	int sync[2];
	pid_t pid;
	char c = 0;

	if (pipe(sync))
		return -1;
	pid = fork();
	if (pid == 0) {
		c = ipc_array_lock(v, 1, IPC_FOREVER) ? 'E' : 'L';
		if (write(sync[1], &c, 1) != 1)
			_exit(1);
		pause();
		_exit(2);
	}
	if (pid > 0 && (read(sync[0], &c, 1) != 1 || c != 'L')) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		pid = -1;
	}
	close(sync[0]);
	close(sync[1]);
	return pid;
}

TEST(lock_trylock_owner_dead)
{
	struct ipcdev_shm_stat st;
	struct ipc_array v;
	int64_t t0;
	pid_t pid;

	ASSERT_EQ(0, ipc_value_create(&v, 'i', NULL));
	EXPECT_EQ(-EPERM, ipc_array_unlock(&v));
	EXPECT_EQ(0, ipc_array_lock(&v, 1, IPC_FOREVER));
	EXPECT_EQ(-EDEADLK, ipc_array_lock(&v, 1, IPC_FOREVER));
	ASSERT_EQ(0, ipc_array_stat(&v, &st));
	EXPECT_EQ(getpid(), st.lock_owner);
	EXPECT_EQ(0, ipc_array_unlock(&v));
	EXPECT_EQ(-EPERM, ipc_array_unlock(&v));

	/* A child takes it and is killed holding it. */
	pid = fork_holder(&v);
	ASSERT_LT(0, pid);
	EXPECT_EQ(-EPERM, ipc_array_unlock(&v));
	EXPECT_EQ(-EAGAIN, ipc_array_lock(&v, 0, 0));
	EXPECT_EQ(-ETIMEDOUT, ipc_array_lock(&v, 1, 0));
	t0 = now_ns();
	EXPECT_EQ(-ETIMEDOUT, ipc_array_lock(&v, 1, 100 * MS));
	EXPECT_LE(t0 + 100 * MS, now_ns());
	ASSERT_EQ(0, ipc_array_stat(&v, &st));
	EXPECT_EQ(pid, st.lock_owner);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	EXPECT_EQ(1000 + SIGKILL, reap(pid));
	/* The next locker gets it, told the holder died; then it is normal. */
	EXPECT_EQ(-EOWNERDEAD, ipc_array_lock(&v, 1, 5 * SEC));
	ASSERT_EQ(0, ipc_array_stat(&v, &st));
	EXPECT_EQ(getpid(), st.lock_owner);
	EXPECT_EQ(0, ipc_array_unlock(&v));
	EXPECT_EQ(0, ipc_array_lock(&v, 0, 0));
	EXPECT_EQ(0, ipc_array_unlock(&v));

	/* A waiter blocked on the lock is handed it when the holder dies. */
	pid = fork_holder(&v);
	ASSERT_LT(0, pid);
	pid_t killer = fork();

	ASSERT_LE(0, killer);
	if (killer == 0) {
		sleep_ms(200);
		_exit(kill(pid, SIGKILL) ? 1 : 0);
	}
	EXPECT_EQ(-EOWNERDEAD, ipc_array_lock(&v, 1, 10 * SEC));
	EXPECT_EQ(0, ipc_array_unlock(&v));
	EXPECT_EQ(0, reap(killer));
	EXPECT_EQ(1000 + SIGKILL, reap(pid));
	ipc_array_close(&v);
}

/* From now on every ioctl(2) of this process fails with EPERM. */
static int forbid_ioctl(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_ioctl, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = ARRAY_SIZE(f),
				   .filter = f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

/*
 * Once the process has its locker id, a free lock is taken and released
 * without entering the kernel: with every ioctl failing, lock and unlock
 * still work, and only what needs the kernel (EDEADLK) fails.
 */
TEST(lock_fast_path_makes_no_ioctl)
{
	struct ipc_array v;
	pid_t pid;

	ASSERT_EQ(0, ipc_value_create(&v, 'i', NULL));
	/* The word is mapped at the first lock: never locked, no page. */
	EXPECT_EQ(NULL, v.lock_word);
	ASSERT_EQ(0, ipc_array_lock(&v, 1, IPC_FOREVER));
	ASSERT_EQ(0, ipc_array_unlock(&v));
	ASSERT_NE(NULL, v.lock_word);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (ipc_array_lock(&v, 1, IPC_FOREVER) ||
		    ipc_array_unlock(&v))
			_exit(1);
		if (forbid_ioctl())
			_exit(2);
		for (int i = 0; i < 1000; i++) {
			if (ipc_array_lock(&v, 1, IPC_FOREVER))
				_exit(3);
			/* The word names this process's id. */
			if (*v.lock_word != (uint32_t)v.locker)
				_exit(4);
			if (ipc_array_unlock(&v) || *v.lock_word)
				_exit(5);
		}
		if (ipc_array_lock(&v, 0, 0))
			_exit(6);
		/* Held: the check is the module's, refused here. */
		if (ipc_array_lock(&v, 0, 0) != -EPERM)
			_exit(7);
		_exit(ipc_array_unlock(&v) ? 8 : 0);
	}
	EXPECT_EQ(0, reap(pid));
	EXPECT_EQ(0, *v.lock_word);
	ipc_array_close(&v);
}

/* Locks in a child, reporting the lock's owner as the module sees it. */
static int child_lock_owner(struct ipc_array *v)
{
	struct ipcdev_shm_stat st;

	if (ipc_array_lock(v, 0, 0))
		return 1;
	if (ipc_array_stat(v, &st) || st.lock_owner != getpid())
		return 2;
	return ipc_array_unlock(v) ? 3 : 0;
}

/*
 * A child made by fork() inherits the struct, its mapping and the parent's
 * cached locker id; its lock must be its own, not the parent's.
 */
TEST(lock_after_fork_is_the_childs)
{
	struct ipc_array v;
	pid_t pid;

	ASSERT_EQ(0, ipc_value_create(&v, 'i', NULL));
	ASSERT_EQ(0, ipc_array_lock(&v, 1, IPC_FOREVER));
	ASSERT_EQ(0, ipc_array_unlock(&v));
	ASSERT_NE(0, (uint32_t)v.locker);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int ret = child_lock_owner(&v);

		/* And so is a grandchild's. */
		if (!ret) {
			pid_t gc = fork();

			if (gc == 0)
				_exit(child_lock_owner(&v));
			ret = gc < 0 ? 10 : reap(gc) ? 11 : 0;
		}
		_exit(ret);
	}
	EXPECT_EQ(0, reap(pid));
	/* The parent's id still works, and is still its own. */
	EXPECT_EQ(0, child_lock_owner(&v));
	ipc_array_close(&v);
}

struct thread_arg {
	struct ipc_array *v;
	int lock_ret;
	int unlock_ret;
};

static void *other_thread(void *p)
{
	struct thread_arg *t = p;

	t->lock_ret = ipc_array_lock(t->v, 1, IPC_FOREVER);
	t->unlock_ret = ipc_array_unlock(t->v);
	return NULL;
}

/* The lock is the process's: another thread gets EDEADLK, may release it. */
TEST(lock_belongs_to_the_process_not_the_thread)
{
	struct thread_arg t = { 0 };
	struct ipc_array v;
	pthread_t th;

	ASSERT_EQ(0, ipc_value_create(&v, 'i', NULL));
	t.v = &v;
	ASSERT_EQ(0, ipc_array_lock(&v, 1, IPC_FOREVER));
	ASSERT_EQ(0, pthread_create(&th, NULL, other_thread, &t));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(-EDEADLK, t.lock_ret);
	EXPECT_EQ(0, t.unlock_ret);
	EXPECT_EQ(-EPERM, ipc_array_unlock(&v));
	EXPECT_EQ(0, ipc_array_lock(&v, 0, 0));
	EXPECT_EQ(0, ipc_array_unlock(&v));
	ipc_array_close(&v);
}

/*
 * A read-only segment has no lock word mapped and locks through the
 * ioctls; it excludes, and is excluded by, a writer's fast path.
 */
TEST(read_only_segment_shares_the_lock)
{
	struct ipc_array a, b;
	char name[64];
	pid_t pid;

	snprintf(name, sizeof(name), "ksft-lib-shm-ro-%d", getpid());
	ipc_array_unlink(name);
	ASSERT_EQ(0, ipc_array_open(&a, name, O_RDWR | IPC_CREAT | IPC_EXCL,
				    0600, 'i', 1));
	ASSERT_EQ(0, ipc_array_open(&b, name, O_RDONLY, 0, 0, 0));
	ASSERT_EQ(0, ipc_array_lock(&a, 0, 0));
	EXPECT_NE(NULL, a.lock_word);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(ipc_array_lock(&b, 0, 0) == -EAGAIN ? 0 : 1);
	EXPECT_EQ(0, reap(pid));
	EXPECT_EQ(0, ipc_array_unlock(&a));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (ipc_array_lock(&b, 0, 0))
			_exit(1);
		if (*a.lock_word == 0)	/* the ioctl took the same word */
			_exit(2);
		if (ipc_array_lock(&a, 0, 0) != -EDEADLK)
			_exit(3);
		_exit(ipc_array_unlock(&a) ? 4 : 0);
	}
	EXPECT_EQ(0, reap(pid));
	EXPECT_EQ(0, *a.lock_word);
	EXPECT_EQ(NULL, b.lock_word);
	ipc_array_close(&b);
	ipc_array_close(&a);
	EXPECT_EQ(0, ipc_array_unlink(name));
}

/* A waiter sleeps in the module; the holder's unlock must wake it. */
TEST(unlock_wakes_a_sleeping_waiter)
{
	struct ipcdev_shm_stat st = { 0 };
	struct ipc_array v;
	pid_t pid;

	ASSERT_EQ(0, ipc_value_create(&v, 'i', NULL));
	ASSERT_EQ(0, ipc_array_lock(&v, 1, IPC_FOREVER));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (ipc_array_lock(&v, 1, 30 * SEC))
			_exit(1);
		_exit(ipc_array_unlock(&v) ? 2 : 0);
	}
	for (int i = 0; i < 3000 && !st.lock_waiters; i++) {
		sleep_ms(10);
		ASSERT_EQ(0, ipc_array_stat(&v, &st));
	}
	EXPECT_EQ(1, st.lock_waiters);
	EXPECT_NE(0, *v.lock_word & IPCDEV_SHM_LOCK_WAITERS);
	EXPECT_EQ(0, ipc_array_unlock(&v));
	EXPECT_EQ(0, reap(pid));
	EXPECT_EQ(0, *v.lock_word);
	ipc_array_close(&v);
}

#define WORKERS		4
#define INCREMENTS	10000

TEST(four_processes_increment_under_lock)
{
	struct ipc_array v;
	pid_t pids[WORKERS];
	int64_t total = 0;

	ASSERT_EQ(0, ipc_value_create(&v, 'q', NULL));
	for (int w = 0; w < WORKERS; w++) {
		pids[w] = fork();
		ASSERT_LE(0, pids[w]);
		if (pids[w] == 0) {
			for (int n = 0; n < INCREMENTS; n++) {
				int64_t x;

				if (ipc_array_lock(&v, 1, IPC_FOREVER))
					_exit(1);
				if (ipc_value_get(&v, &x))
					_exit(2);
				x++;
				if (ipc_value_set(&v, &x))
					_exit(3);
				if (ipc_array_unlock(&v))
					_exit(4);
			}
			_exit(0);
		}
	}
	for (int w = 0; w < WORKERS; w++)
		EXPECT_EQ(0, reap(pids[w]));
	EXPECT_EQ(0, ipc_value_get(&v, &total));
	EXPECT_EQ(WORKERS * INCREMENTS, total);
	ipc_array_close(&v);
}

TEST(wait_change_and_publish)
{
	struct ipcdev_shm_stat st;
	uint64_t seen, seq = 77;
	struct ipc_array v;
	int64_t t0;
	pid_t pid;
	int x;

	ASSERT_EQ(0, ipc_value_create(&v, 'i', NULL));
	ASSERT_EQ(0, ipc_array_stat(&v, &st));
	seen = st.seq;
	/* Not moved: 0, in every mode, with the counter reported. */
	EXPECT_EQ(0, ipc_array_wait_change(&v, seen, &seq, 0, 0));
	EXPECT_EQ(seen, seq);
	EXPECT_EQ(0, ipc_array_wait_change(&v, seen, NULL, 1, 0));
	t0 = now_ns();
	EXPECT_EQ(0, ipc_array_wait_change(&v, seen, &seq, 1, 100 * MS));
	EXPECT_LE(t0 + 100 * MS, now_ns());
	EXPECT_GT(t0 + 2 * SEC, now_ns());
	/* A value other than the counter: changed at once. */
	EXPECT_EQ(1, ipc_array_wait_change(&v, seen + 5, &seq, 0, 0));
	EXPECT_EQ(seen, seq);

	/* Woken by another process's publish. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int y = 1234;

		sleep_ms(200);
		if (ipc_value_set(&v, &y))
			_exit(1);
		_exit(-ipc_array_publish(&v));
	}
	t0 = now_ns();
	EXPECT_EQ(1, ipc_array_wait_change(&v, seen, &seq, 1, 20 * SEC));
	EXPECT_LE(t0 + 100 * MS, now_ns());
	EXPECT_EQ(seen + 1, seq);
	EXPECT_EQ(0, ipc_value_get(&v, &x));
	EXPECT_EQ(1234, x);
	EXPECT_EQ(0, reap(pid));
	/* And by our own. */
	seen = seq;
	EXPECT_EQ(0, ipc_array_publish(&v));
	EXPECT_EQ(1, ipc_array_wait_change(&v, seen, &seq, 1, IPC_FOREVER));
	EXPECT_EQ(seen + 1, seq);
	ipc_array_close(&v);
}

TEST(snapshot)
{
	struct ipcdev_shm_stat st;
	uint16_t init[1000], out[1000];
	struct ipc_array a;
	uint64_t seq = 99;

	for (int i = 0; i < 1000; i++)
		init[i] = (uint16_t)(i * 31);
	ASSERT_EQ(0, ipc_array_create(&a, 'H', 1000, init));
	memset(out, 0, sizeof(out));
	EXPECT_EQ(0, ipc_array_snapshot(&a, out, &seq));
	EXPECT_EQ(0, memcmp(out, init, sizeof(out)));
	ASSERT_EQ(0, ipc_array_stat(&a, &st));
	EXPECT_EQ(st.seq, seq);
	/* A publish moves the counter the next snapshot reports. */
	((uint16_t *)a.addr)[999] = 7;
	EXPECT_EQ(0, ipc_array_publish(&a));
	EXPECT_EQ(0, ipc_array_snapshot(&a, out, &seq));
	EXPECT_EQ(st.seq + 1, seq);
	EXPECT_EQ(7, out[999]);
	EXPECT_EQ(0, ipc_array_snapshot(&a, out, NULL));
	EXPECT_EQ(-EFAULT, ipc_array_snapshot(&a, NULL, NULL));
	ipc_array_close(&a);
}

TEST(notify_on_publish)
{
	struct ipc_array v;
	siginfo_t si;
	sigset_t set;
	struct timespec ts = { 5, 0 };

	ASSERT_EQ(0, ipc_value_create(&v, 'i', NULL));
	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN + 1);
	ASSERT_EQ(0, sigprocmask(SIG_BLOCK, &set, NULL));
	ASSERT_EQ(0, ipc_notify(v.fd, SIGRTMIN + 1));
	EXPECT_EQ(0, ipc_array_publish(&v));
	ASSERT_EQ(SIGRTMIN + 1, sigtimedwait(&set, &si, &ts));
	EXPECT_EQ(v.fd, si.si_fd);
	EXPECT_EQ(POLL_IN, si.si_code);
	ASSERT_EQ(0, ipc_notify(v.fd, 0));
	EXPECT_EQ(0, ipc_array_publish(&v));
	ts.tv_sec = 0;
	ts.tv_nsec = 100 * MS;
	EXPECT_EQ(-1, sigtimedwait(&set, &si, &ts));
	ipc_array_close(&v);
}

TEST_HARNESS_MAIN
