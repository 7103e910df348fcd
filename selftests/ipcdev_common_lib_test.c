// SPDX-License-Identifier: GPL-2.0
/*
 * Selftests of libipcdev's calls on any kind (userspace/lib/ipcdev.h, "Any
 * kind"): ipc_stat() on a handle of each kind and its size argument,
 * ipc_open() and ipc_unlink() by kind and name, ipc_setattr() by name and
 * ipc_fsetattr() by handle, and the ABI's facts as data: ipc_check_name(),
 * ipc_typecode_size(), ipc_typecodes(), ipc_constants().  Run as root with
 * the ipcdev module loaded.
 */
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/stat.h>

#include "ipcdev_lib_test.h"

/* A name of this process's own: "common-<pid>-<tag>". */
static const char *uname_of(char *buf, size_t n, const char *tag)
{
	snprintf(buf, n, "common-%d-%s", (int)getpid(), tag);
	return buf;
}

TEST(stat_each_kind)
{
	struct ipcdev_queue_stat qs;
	struct ipcdev_pipe_stat ps;
	struct ipcdev_event_stat es;
	struct ipcdev_shm_stat ss;
	struct ipc_stat st;
	struct ipc_array a;
	int q, ev, ends[2];

	q = ipc_queue_create(NULL);
	ASSERT_LE(0, q);
	ASSERT_EQ(0, ipc_queue_put(q, "abc", 3, 1, IPC_FOREVER));
	memset(&st, 0xa5, sizeof(st));
	ASSERT_EQ(0, ipc_stat(q, &st, sizeof(st)));
	ASSERT_EQ(0, ipc_queue_stat(q, &qs));
	EXPECT_EQ(IPC_KIND_QUEUE, st.kind);
	EXPECT_EQ(0, st.flags);
	EXPECT_EQ(qs.id, st.id);
	EXPECT_EQ(qs.mode, st.mode);
	EXPECT_EQ(qs.uid, st.uid);
	EXPECT_EQ(qs.gid, st.gid);
	EXPECT_EQ(1, st.u.queue.count);
	EXPECT_EQ(3, st.u.queue.bytes);
	ipc_queue_close(q);

	ASSERT_EQ(0, ipc_pipe(1, ends));
	ASSERT_EQ(0, ipc_stat(ends[1], &st, sizeof(st)));
	ASSERT_EQ(0, ipc_pipe_stat(ends[1], &ps));
	EXPECT_EQ(IPC_KIND_PIPE, st.kind);
	EXPECT_EQ(0, st.flags);
	EXPECT_EQ(ps.id, st.id);
	EXPECT_EQ(1, st.u.pipe.end);
	EXPECT_NE(0, st.u.pipe.flags & IPCDEV_PIPE_DUPLEX);
	ipc_pipe_close(ends[0]);
	ipc_pipe_close(ends[1]);

	ev = ipc_event_create(1);
	ASSERT_LE(0, ev);
	ASSERT_EQ(0, ipc_stat(ev, &st, sizeof(st)));
	ASSERT_EQ(0, ipc_event_stat(ev, &es));
	EXPECT_EQ(IPC_KIND_EVENT, st.kind);
	EXPECT_EQ(es.id, st.id);
	EXPECT_EQ(1, st.u.event.set);
	ipc_event_close(ev);

	ASSERT_EQ(0, ipc_array_create(&a, 'h', 10, NULL));
	ASSERT_EQ(0, ipc_stat(a.fd, &st, sizeof(st)));
	ASSERT_EQ(0, ipc_array_stat(&a, &ss));
	EXPECT_EQ(IPC_KIND_SHM, st.kind);
	EXPECT_EQ(ss.id, st.id);
	EXPECT_EQ('h', st.u.shm.type);
	EXPECT_EQ(10, st.u.shm.count);
	EXPECT_EQ(20, st.u.shm.size);
	ipc_array_close(&a);
}

/* IPC_STAT_NAMED and IPC_STAT_UNLINKED, the same bits for every kind. */
TEST(stat_named_unlinked)
{
	static const int kinds[] = {
		IPC_KIND_QUEUE, IPC_KIND_PIPE, IPC_KIND_EVENT, IPC_KIND_SHM,
	};
	struct ipc_stat st;
	struct ipc_array a;
	char name[64];
	int fd;

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		int k = kinds[i];

		uname_of(name, sizeof(name), "named");
		if (k == IPC_KIND_SHM) {
			ASSERT_EQ(0, ipc_array_open(&a, name, O_RDWR | IPC_CREAT |
						    IPC_EXCL, 0600, 'i', 4));
			fd = ipc_open(k, name, 0, O_RDONLY, 0);
			ipc_array_close(&a);
		} else {
			fd = ipc_open(k, name, 0, O_RDWR | IPC_CREAT | IPC_EXCL,
				      0640);
		}
		ASSERT_LE(0, fd) TH_LOG("kind %d: %s", k, ipc_strerror(fd));
		ASSERT_EQ(0, ipc_stat(fd, &st, sizeof(st)));
		EXPECT_EQ(k, st.kind);
		EXPECT_EQ(IPC_STAT_NAMED, st.flags) TH_LOG("kind %d", k);
		EXPECT_EQ(k == IPC_KIND_SHM ? 0600 : 0640, st.mode);
		EXPECT_EQ(getuid(), st.uid);
		ASSERT_EQ(0, ipc_unlink(k, name));
		EXPECT_EQ(-ENOENT, ipc_unlink(k, name));
		ASSERT_EQ(0, ipc_stat(fd, &st, sizeof(st)));
		EXPECT_EQ(IPC_STAT_NAMED | IPC_STAT_UNLINKED, st.flags)
			TH_LOG("kind %d", k);
		close(fd);
	}
}

/* @size: too small, the common part only, larger than the library's. */
TEST(stat_size)
{
	struct {
		struct ipc_stat st;
		unsigned char tail[64];
	} big;
	struct ipc_stat st;
	int ev = ipc_event_create(0);
	size_t common = offsetof(struct ipc_stat, u);

	ASSERT_LE(0, ev);
	EXPECT_EQ(-EINVAL, ipc_stat(ev, &st, common - 1));
	EXPECT_EQ(-EINVAL, ipc_stat(ev, &st, 0));
	EXPECT_EQ(-EFAULT, ipc_stat(ev, NULL, sizeof(st)));

	memset(&st, 0xa5, sizeof(st));
	ASSERT_EQ(0, ipc_stat(ev, &st, common));
	EXPECT_EQ(IPC_KIND_EVENT, st.kind);
	/* Nothing written past @size. */
	for (size_t i = 0; i < sizeof(st.u); i++) {
		ASSERT_EQ(0xa5, ((unsigned char *)&st.u)[i]) TH_LOG("byte %zu", i);
	}

	memset(&big, 0xa5, sizeof(big));
	ASSERT_EQ(0, ipc_stat(ev, &big.st, sizeof(big)));
	EXPECT_EQ(IPC_KIND_EVENT, big.st.kind);
	for (size_t i = 0; i < sizeof(big.tail); i++) {
		ASSERT_EQ(0, big.tail[i]) TH_LOG("tail byte %zu", i);
	}
	ipc_event_close(ev);
}

TEST(stat_not_a_handle)
{
	struct ipc_stat st;
	int p[2];

	ASSERT_EQ(0, pipe(p));
	EXPECT_EQ(-ENOTTY, ipc_stat(p[0], &st, sizeof(st)));
	close(p[0]);
	close(p[1]);
	EXPECT_EQ(-EBADF, ipc_stat(p[0], &st, sizeof(st)));
	EXPECT_EQ(-EBADF, ipc_stat(-1, &st, sizeof(st)));
}

TEST(open_by_kind)
{
	struct ipc_stat st;
	struct ipc_array a;
	char name[64], c = 0;
	int fd, fd2;

	uname_of(name, sizeof(name), "open");
	EXPECT_EQ(-EINVAL, ipc_open(0, name, 0, O_RDWR | IPC_CREAT, 0600));
	EXPECT_EQ(-EINVAL, ipc_open(5, name, 0, O_RDWR | IPC_CREAT, 0600));
	EXPECT_EQ(-EINVAL, ipc_open(IPC_KIND_QUEUE, name, 1, O_RDWR | IPC_CREAT,
				    0600));
	EXPECT_EQ(-EINVAL, ipc_open(IPC_KIND_PIPE, name, 2, O_RDWR | IPC_CREAT,
				    0600));
	EXPECT_EQ(-ENOENT, ipc_open(IPC_KIND_QUEUE, name, 0, O_RDWR, 0));
	EXPECT_EQ(-EINVAL, ipc_open(IPC_KIND_QUEUE, "a/b", 0, O_RDWR, 0));
	/* A segment needs its geometry: no creation through ipc_open(). */
	EXPECT_EQ(-EINVAL, ipc_open(IPC_KIND_SHM, name, 0, O_RDWR | IPC_CREAT,
				    0600));
	EXPECT_EQ(-ENOENT, ipc_open(IPC_KIND_SHM, name, 0, O_RDWR, 0));
	/* The kind's own flags, for that kind only. */
	EXPECT_EQ(-EINVAL, ipc_open(IPC_KIND_QUEUE, name, 0, O_RDWR | IPC_CREAT |
				    IPC_EVENT_INIT_SET, 0600));

	/* Pipe: the end chosen, duplex at creation. */
	fd = ipc_open(IPC_KIND_PIPE, name, 1, O_RDWR | IPC_CREAT | IPC_EXCL |
		      IPC_PIPE_DUPLEX, 0600);
	ASSERT_LE(0, fd);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	fd2 = ipc_open(IPC_KIND_PIPE, name, 0, O_RDWR, 0);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, ipc_pipe_send(fd, "x", 1, 1, IPC_FOREVER));
	EXPECT_EQ(1, ipc_pipe_recv(fd2, &c, 1, NULL, 1, IPC_FOREVER));
	EXPECT_EQ('x', c);
	ASSERT_EQ(0, ipc_stat(fd, &st, sizeof(st)));
	EXPECT_EQ(1, st.u.pipe.end);
	EXPECT_NE(0, st.u.pipe.flags & IPCDEV_PIPE_DUPLEX);
	close(fd);
	close(fd2);
	/* Namespaces are per kind. */
	EXPECT_EQ(-ENOENT, ipc_unlink(IPC_KIND_QUEUE, name));
	EXPECT_EQ(0, ipc_unlink(IPC_KIND_PIPE, name));

	/* Event: IPC_EVENT_INIT_SET at creation. */
	fd = ipc_open(IPC_KIND_EVENT, name, 0, O_RDWR | IPC_CREAT |
		      IPC_EVENT_INIT_SET, 0600);
	ASSERT_LE(0, fd);
	EXPECT_EQ(1, ipc_event_is_set(fd));
	close(fd);
	EXPECT_EQ(0, ipc_unlink(IPC_KIND_EVENT, name));

	/* Segment: a plain handle, which ipc_array_attach() maps. */
	ASSERT_EQ(0, ipc_array_open(&a, name, O_RDWR | IPC_CREAT | IPC_EXCL,
				    0600, 'd', 3));
	fd = ipc_open(IPC_KIND_SHM, name, 0, O_RDONLY, 0);
	ASSERT_LE(0, fd);
	ipc_array_close(&a);
	ASSERT_EQ(0, ipc_array_attach(&a, fd));
	EXPECT_EQ(3, a.count);
	EXPECT_EQ('d', a.type);
	ipc_array_close(&a);
	close(fd);
	EXPECT_EQ(0, ipc_unlink(IPC_KIND_SHM, name));
	EXPECT_EQ(-EINVAL, ipc_unlink(0, name));
	EXPECT_EQ(-EINVAL, ipc_unlink(IPC_KIND_SHM, ""));
}

TEST(setattr_by_name_and_handle)
{
	struct ipc_stat st;
	char name[64];
	int fd, status;
	pid_t pid;

	uname_of(name, sizeof(name), "attr");
	fd = ipc_open(IPC_KIND_QUEUE, name, 0, O_RDWR | IPC_CREAT | IPC_EXCL,
		      0600);
	ASSERT_LE(0, fd);

	ASSERT_EQ(0, ipc_setattr(IPC_KIND_QUEUE, name, IPC_SETATTR_MODE, 0644,
				 0, 0));
	ASSERT_EQ(0, ipc_stat(fd, &st, sizeof(st)));
	EXPECT_EQ(0644, st.mode);
	EXPECT_EQ(0, st.uid);

	/* Only the fields named in @which change. */
	ASSERT_EQ(0, ipc_fsetattr(fd, IPC_SETATTR_GID, 0777, 4242, 4343));
	ASSERT_EQ(0, ipc_stat(fd, &st, sizeof(st)));
	EXPECT_EQ(0644, st.mode);
	EXPECT_EQ(0, st.uid);
	EXPECT_EQ(4343, st.gid);

	/* Refused, nothing changed. */
	EXPECT_EQ(-EINVAL, ipc_fsetattr(fd, 0, 0600, 0, 0));
	EXPECT_EQ(-EINVAL, ipc_fsetattr(fd, IPC_SETATTR_MODE, 01777, 0, 0));
	EXPECT_EQ(-EINVAL, ipc_setattr(IPC_KIND_QUEUE, name, 0x80, 0, 0, 0));
	EXPECT_EQ(-EINVAL, ipc_setattr(0, name, IPC_SETATTR_MODE, 0600, 0, 0));
	EXPECT_EQ(-ENOENT, ipc_setattr(IPC_KIND_EVENT, name, IPC_SETATTR_MODE,
				       0600, 0, 0));
	EXPECT_EQ(-EINVAL, ipc_setattr(IPC_KIND_QUEUE, "", IPC_SETATTR_MODE,
				       0600, 0, 0));
	ASSERT_EQ(0, ipc_stat(fd, &st, sizeof(st)));
	EXPECT_EQ(0644, st.mode);

	/* Not the owner: EPERM, by name and by handle. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(10);
		if (ipc_setattr(IPC_KIND_QUEUE, name, IPC_SETATTR_MODE, 0666,
				0, 0) != -EPERM)
			_exit(11);
		if (ipc_fsetattr(fd, IPC_SETATTR_UID, 0, 65534, 0) != -EPERM)
			_exit(12);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));

	/* Owner change by name: then the new owner may change it. */
	ASSERT_EQ(0, ipc_setattr(IPC_KIND_QUEUE, name, IPC_SETATTR_UID, 0,
				 65534, 0));
	ASSERT_EQ(0, ipc_stat(fd, &st, sizeof(st)));
	EXPECT_EQ(65534, st.uid);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(10);
		_exit(ipc_setattr(IPC_KIND_QUEUE, name, IPC_SETATTR_MODE, 0604,
				  0, 0) ? 11 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(0, ipc_stat(fd, &st, sizeof(st)));
	EXPECT_EQ(0604, st.mode);
	close(fd);
	EXPECT_EQ(0, ipc_unlink(IPC_KIND_QUEUE, name));
}

TEST(check_name)
{
	char name[IPCDEV_NAME_MAX + 2];
	int fd;

	EXPECT_EQ(0, ipc_check_name("a"));
	EXPECT_EQ(0, ipc_check_name("with space.and-dots"));
	EXPECT_EQ(-EINVAL, ipc_check_name(NULL));
	EXPECT_EQ(-EINVAL, ipc_check_name(""));
	EXPECT_EQ(-EINVAL, ipc_check_name("a/b"));
	EXPECT_EQ(-EINVAL, ipc_check_name("/"));
	memset(name, 'n', sizeof(name));
	name[IPCDEV_NAME_MAX] = 0;
	EXPECT_EQ(0, ipc_check_name(name));
	name[IPCDEV_NAME_MAX] = 'n';
	name[IPCDEV_NAME_MAX + 1] = 0;
	EXPECT_EQ(-ENAMETOOLONG, ipc_check_name(name));
	/* The module accepts the longest name. */
	name[IPCDEV_NAME_MAX] = 0;
	name[0] = 'c';
	fd = ipc_open(IPC_KIND_EVENT, name, 0, O_RDWR | IPC_CREAT, 0600);
	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(0, ipc_unlink(IPC_KIND_EVENT, name));
	name[IPCDEV_NAME_MAX] = 'n';
	EXPECT_EQ(-ENAMETOOLONG, ipc_open(IPC_KIND_EVENT, name, 0,
					  O_RDWR | IPC_CREAT, 0600));
}

TEST(typecodes)
{
	/* The test's own expectations, as multiprocessing documents them. */
	static const struct { char code; int size; } want[] = {
		{ 'c', 1 }, { 'b', 1 }, { 'B', 1 }, { 'h', 2 }, { 'H', 2 },
		{ 'i', 4 }, { 'I', 4 }, { 'f', 4 }, { 'l', 8 }, { 'L', 8 },
		{ 'q', 8 }, { 'Q', 8 }, { 'd', 8 },
	};
	const char *codes = ipc_typecodes();
	struct ipc_array a;

	ASSERT_NE(NULL, codes);
	EXPECT_EQ(sizeof(want) / sizeof(want[0]), strlen(codes));
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		EXPECT_NE(NULL, strchr(codes, want[i].code));
		EXPECT_EQ(want[i].size, ipc_typecode_size(want[i].code))
			TH_LOG("typecode %c", want[i].code);
		/* And the module makes elements of that size. */
		ASSERT_EQ(0, ipc_array_create(&a, want[i].code, 3, NULL));
		EXPECT_EQ((size_t)want[i].size, a.elem_size);
		EXPECT_EQ(3 * (size_t)want[i].size, a.size);
		ipc_array_close(&a);
	}
	EXPECT_EQ(1, ipc_typecode_size(0));
	EXPECT_EQ(-EINVAL, ipc_typecode_size('x'));
	EXPECT_EQ(-EINVAL, ipc_typecode_size('u'));
	EXPECT_EQ(-EINVAL, ipc_typecode_size(256 + 'q'));
	EXPECT_EQ(-EINVAL, ipc_typecode_size(-1));
	/* An unknown typecode is refused by the library and by the module. */
	EXPECT_EQ(-EINVAL, ipc_array_create(&a, 'x', 3, NULL));
}

/* The value of the constant @name in ipc_constants(), or -1 if absent. */
static int64_t constant(const char *name)
{
	for (const struct ipc_constant *c = ipc_constants(); c->name; c++)
		if (!strcmp(c->name, name))
			return (int64_t)c->value;
	return -1;
}

TEST(constants)
{
	const struct ipc_constant *c, *d;
	size_t n = 0;

	for (c = ipc_constants(); c->name; c++) {
		n++;
		for (d = c + 1; d->name; d++) {
			EXPECT_NE(0, strcmp(c->name, d->name)) TH_LOG("%s twice",
								     c->name);
		}
	}
	EXPECT_LT(20, n);
	EXPECT_EQ(IPC_CREAT, constant("IPC_CREAT"));
	EXPECT_EQ(IPC_EXCL, constant("IPC_EXCL"));
	EXPECT_EQ(IPC_PIPE_DUPLEX, constant("IPC_PIPE_DUPLEX"));
	EXPECT_EQ(IPC_EVENT_INIT_SET, constant("IPC_EVENT_INIT_SET"));
	EXPECT_EQ(IPCDEV_NAME_MAX, constant("IPCDEV_NAME_MAX"));
	EXPECT_EQ(IPCDEV_PIPE_DUPLEX, constant("IPCDEV_PIPE_DUPLEX"));
	EXPECT_EQ(IPC_KIND_SHM, constant("IPC_KIND_SHM"));
	EXPECT_EQ(-1, constant("IPC_NO_SUCH_CONSTANT"));
	for (c = ipc_constants(); c->name; c++) {
		if (!strcmp(c->name, "IPCDEV_UNLIMITED")) {
			EXPECT_EQ(IPCDEV_UNLIMITED, c->value);
		}
	}
}

/* ipc_stat() from several threads at once, on handles of every kind. */
static void *stat_loop(void *arg)
{
	const int *fds = arg;
	struct ipc_stat st;

	for (int i = 0; i < 2000; i++) {
		int k = i % 4;

		if (ipc_stat(fds[k], &st, sizeof(st)) || st.kind != (uint32_t)k + 1)
			return (void *)1;
	}
	return NULL;
}

TEST(stat_threads)
{
	struct ipc_array a;
	pthread_t t[4];
	int fds[4], ends[2];
	void *ret;

	fds[0] = ipc_queue_create(NULL);
	ASSERT_EQ(0, ipc_pipe(0, ends));
	fds[1] = ends[0];
	fds[2] = ipc_event_create(0);
	ASSERT_EQ(0, ipc_raw_create(&a, 100));
	fds[3] = a.fd;
	ASSERT_LE(0, fds[0]);
	ASSERT_LE(0, fds[2]);
	for (int i = 0; i < 4; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, stat_loop, fds));
	for (int i = 0; i < 4; i++) {
		ASSERT_EQ(0, pthread_join(t[i], &ret));
		EXPECT_EQ(NULL, ret);
	}
	ipc_queue_close(fds[0]);
	ipc_pipe_close(ends[0]);
	ipc_pipe_close(ends[1]);
	ipc_event_close(fds[2]);
	ipc_array_close(&a);
}

TEST_HARNESS_MAIN
