// SPDX-License-Identifier: GPL-2.0
/*
 * Selftests of the batch ioctls (struct ipcdev_msgvec): QUEUE_PUT_MANY,
 * QUEUE_GET_MANY, PIPE_SEND_MANY and PIPE_RECV_MANY.  Run as root with the
 * ipcdev module loaded.  Helper processes report through their exit code
 * (0, an errno value or a CHILD_* code), as in ipcqueue_test.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include <linux/ipcdev.h>

#include "ipcdev_test.h"

#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"

#define QDEV		"/dev/ipcqueue"
#define PDEV		"/dev/ipcpipe"

static int q_new(__u64 maxsize, __u64 msgsize_max, __u64 bytes_max)
{
	struct ipcdev_queue_open o = {
		.maxsize = maxsize, .msgsize_max = msgsize_max,
		.bytes_max = bytes_max,
	};

	return dev_open_bind(QDEV, O_RDWR, IPCDEV_IOC_QUEUE_OPEN, &o);
}

static int p_pair(__u32 flags, int ends[2])
{
	struct ipcdev_pipe_open o = { .flags = flags };
	int fd = dev_open_bind(PDEV, O_RDWR, IPCDEV_IOC_PIPE_OPEN, &o);

	if (fd < 0)
		return fd;
	ends[0] = fd;
	ends[1] = o.fd;
	return 0;
}

/*
 * One batch call: the count it returns, or -errno; *@out (if not NULL)
 * the vector as the kernel left it.
 */
static int vec(int fd, unsigned long cmd, struct ipcdev_msg *m, __u32 n,
	       __u32 flags, __u64 deadline, struct ipcdev_msgvec *out)
{
	struct ipcdev_msgvec v = {
		.msgs = ptr(m), .count = n, .flags = flags,
		.deadline_ns = deadline, .done = 0xdead, .error = 0x5a5a,
	};
	int r = ioctl(fd, cmd, &v);

	if (out)
		*out = v;
	return r < 0 ? -errno : r;
}

static int q_put(int fd, const void *buf, __u64 len)
{
	struct ipcdev_msg m = { .buf = ptr(buf), .len = len,
				.flags = IPCDEV_WAIT_NONBLOCK };

	return ioc(fd, IPCDEV_IOC_QUEUE_PUT, &m);
}

static int q_get(int fd, void *buf, __u64 *len)
{
	struct ipcdev_msg m = { .buf = ptr(buf), .len = *len,
				.flags = IPCDEV_WAIT_NONBLOCK };
	int r = ioc(fd, IPCDEV_IOC_QUEUE_GET, &m);

	*len = m.len;
	return r;
}

static __u64 q_count(int fd)
{
	struct ipcdev_queue_stat st;

	if (ioctl(fd, IPCDEV_IOC_QUEUE_STAT, &st))
		return ~0ULL;
	return st.count;
}

/* Elements @m[0 .. n-1] over the strings @s (put) or buffers (get). */
static void set_put(struct ipcdev_msg *m, const char *const *s, int n)
{
	for (int i = 0; i < n; i++) {
		memset(&m[i], 0, sizeof(m[i]));
		m[i].buf = ptr(s[i]);
		m[i].len = strlen(s[i]);
	}
}

static char gbuf[64][256];

static void set_get(struct ipcdev_msg *m, int n, __u64 size)
{
	memset(gbuf, 0, sizeof(gbuf));
	for (int i = 0; i < n; i++) {
		memset(&m[i], 0, sizeof(m[i]));
		m[i].buf = ptr(gbuf[i]);
		m[i].len = size;
	}
}

/* Element @i got the string @s. */
static bool got(const struct ipcdev_msg *m, int i, const char *s)
{
	return m[i].len == strlen(s) && !memcmp(gbuf[i], s, m[i].len);
}

/* Get one message, non-blocking, and compare it with @s. */
static bool next_is(int fd, const char *s)
{
	char b[256];
	__u64 l = sizeof(b);

	return !q_get(fd, b, &l) && l == strlen(s) && !memcmp(b, s, l);
}

static const char *const ABC[] = {
	"alpha", "", "gamma", "delta-delta", "e", "phi", "", "omega",
};

#define PUT_MANY	IPCDEV_IOC_QUEUE_PUT_MANY
#define GET_MANY	IPCDEV_IOC_QUEUE_GET_MANY
#define NB		IPCDEV_WAIT_NONBLOCK

FIXTURE(q) {
	int fd;
};

FIXTURE_SETUP(q)
{
	self->fd = q_new(0, 0, 0);
	ASSERT_LE(0, self->fd) TH_LOG("%s: %s", QDEV, strerror(-self->fd));
}

FIXTURE_TEARDOWN(q)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(q, full_batch)
{
	struct ipcdev_msg m[8];
	struct ipcdev_msgvec v;

	set_put(m, ABC, 8);
	ASSERT_EQ(8, vec(self->fd, PUT_MANY, m, 8, 0, 0, &v));
	EXPECT_EQ(8, v.done);
	EXPECT_EQ(0, v.error);
	EXPECT_EQ(8, q_count(self->fd));
	set_get(m, 8, 256);
	ASSERT_EQ(8, vec(self->fd, GET_MANY, m, 8, 0, 0, &v));
	EXPECT_EQ(8, v.done);
	EXPECT_EQ(0, v.error);
	for (int i = 0; i < 8; i++) {
		EXPECT_TRUE(got(m, i, ABC[i])) TH_LOG("element %d", i);
	}
	EXPECT_EQ(0, q_count(self->fd));
}

TEST_F(q, max_count)
{
	static struct ipcdev_msg m[IPCDEV_MSGVEC_MAX + 1];
	char c = 'x';
	struct ipcdev_msgvec v;

	for (int i = 0; i <= IPCDEV_MSGVEC_MAX; i++)
		m[i] = (struct ipcdev_msg){ .buf = ptr(&c), .len = 1 };
	EXPECT_EQ(-EINVAL, vec(self->fd, PUT_MANY, m, IPCDEV_MSGVEC_MAX + 1,
			       0, 0, NULL));
	EXPECT_EQ(-EINVAL, vec(self->fd, PUT_MANY, m, 0, 0, 0, NULL));
	EXPECT_EQ(0, q_count(self->fd));
	EXPECT_EQ(IPCDEV_MSGVEC_MAX, vec(self->fd, PUT_MANY, m,
					 IPCDEV_MSGVEC_MAX, 0, 0, &v));
	EXPECT_EQ(IPCDEV_MSGVEC_MAX, q_count(self->fd));
	set_get(m, IPCDEV_MSGVEC_MAX, 1);
	EXPECT_EQ(-EINVAL, vec(self->fd, GET_MANY, m, IPCDEV_MSGVEC_MAX + 1,
			       0, 0, NULL));
	EXPECT_EQ(-EINVAL, vec(self->fd, GET_MANY, m, 0, 0, 0, NULL));
	EXPECT_EQ(IPCDEV_MSGVEC_MAX, vec(self->fd, GET_MANY, m,
					 IPCDEV_MSGVEC_MAX, 0, 0, &v));
	EXPECT_EQ(0, q_count(self->fd));
}

TEST_F(q, reserved_and_flags_einval)
{
	struct ipcdev_msg m[3];
	struct ipcdev_msgvec v = { .msgs = ptr(m), .count = 3 };
	unsigned long cmds[2] = { PUT_MANY, GET_MANY };

	set_put(m, ABC, 3);
	ASSERT_EQ(0, q_put(self->fd, "keep", 4));
	for (int c = 0; c < 2; c++) {
		v.reserved[1] = 1;
		EXPECT_EQ(-EINVAL, ioc(self->fd, cmds[c], &v));
		v.reserved[1] = 0;
		v.reserved[0] = 1;
		EXPECT_EQ(-EINVAL, ioc(self->fd, cmds[c], &v));
		v.reserved[0] = 0;
		v.flags = 0x80;
		EXPECT_EQ(-EINVAL, ioc(self->fd, cmds[c], &v));
		v.flags = 0;
		m[2].reserved = 1;
		EXPECT_EQ(-EINVAL, ioc(self->fd, cmds[c], &v));
		m[2].reserved = 0;
		m[1].flags = NB;
		EXPECT_EQ(-EINVAL, ioc(self->fd, cmds[c], &v));
		m[1].flags = 0;
		m[0].deadline_ns = 1;
		EXPECT_EQ(-EINVAL, ioc(self->fd, cmds[c], &v));
		m[0].deadline_ns = 0;
	}
	EXPECT_EQ(1, q_count(self->fd));
	EXPECT_TRUE(next_is(self->fd, "keep"));
}

TEST(partial_put_queue_fills)
{
	int fd = q_new(4, 0, 0);
	struct ipcdev_msg m[8];
	struct ipcdev_msgvec v;

	ASSERT_LE(0, fd);
	set_put(m, ABC, 8);
	EXPECT_EQ(4, vec(fd, PUT_MANY, m, 8, NB, 0, &v));
	EXPECT_EQ(4, v.done);
	EXPECT_EQ(EAGAIN, v.error);
	EXPECT_EQ(4, q_count(fd));
	/* Full: none is put. */
	EXPECT_EQ(-EAGAIN, vec(fd, PUT_MANY, m + 4, 4, NB, 0, NULL));
	EXPECT_EQ(-ETIMEDOUT, vec(fd, PUT_MANY, m + 4, 4, IPCDEV_WAIT_DEADLINE,
				  deadline_in_ms(20), NULL));
	/* Room for one: a blocking batch puts it and does not wait on. */
	EXPECT_TRUE(next_is(fd, "alpha"));
	EXPECT_EQ(1, vec(fd, PUT_MANY, m + 4, 4, 0, 0, &v));
	EXPECT_EQ(EAGAIN, v.error);
	for (int i = 1; i < 5; i++) {
		EXPECT_TRUE(next_is(fd, ABC[i])) TH_LOG("message %d", i);
	}
	EXPECT_EQ(0, q_count(fd));
	close(fd);
}

TEST(partial_get_nonblock)
{
	int fd = q_new(0, 0, 0);
	struct ipcdev_msg m[8];
	struct ipcdev_msgvec v;

	ASSERT_LE(0, fd);
	set_get(m, 8, 256);
	EXPECT_EQ(-EAGAIN, vec(fd, GET_MANY, m, 8, NB, 0, NULL));
	EXPECT_EQ(-ETIMEDOUT, vec(fd, GET_MANY, m, 8, IPCDEV_WAIT_DEADLINE,
				  deadline_in_ms(20), NULL));
	set_put(m, ABC, 3);
	ASSERT_EQ(3, vec(fd, PUT_MANY, m, 3, 0, 0, NULL));
	set_get(m, 8, 256);
	/* Blocking: waits for the first only. */
	EXPECT_EQ(3, vec(fd, GET_MANY, m, 8, 0, 0, &v));
	EXPECT_EQ(3, v.done);
	EXPECT_EQ(EAGAIN, v.error);
	for (int i = 0; i < 3; i++) {
		EXPECT_TRUE(got(m, i, ABC[i]));
	}
	EXPECT_EQ(256, m[3].len);	/* not written */
	close(fd);
}

TEST(emsgsize_mid_batch)
{
	int fd = q_new(0, 16, 0);
	const char *const s[4] = { "short", "fits-16", "longer than sixteen", "x" };
	struct ipcdev_msg m[4];
	struct ipcdev_msgvec v;

	ASSERT_LE(0, fd);
	set_put(m, s, 4);
	EXPECT_EQ(2, vec(fd, PUT_MANY, m, 4, 0, 0, &v));
	EXPECT_EQ(2, v.done);
	EXPECT_EQ(EMSGSIZE, v.error);
	EXPECT_EQ(2, q_count(fd));
	EXPECT_EQ(-EMSGSIZE, vec(fd, PUT_MANY, m + 2, 2, 0, 0, NULL));
	EXPECT_EQ(2, q_count(fd));
	EXPECT_TRUE(next_is(fd, "short"));
	EXPECT_TRUE(next_is(fd, "fits-16"));
	EXPECT_EQ(0, q_count(fd));
	close(fd);
}

TEST_F(q, get_short_element)
{
	const char *const s[3] = { "tiny", "this one is longer", "end" };
	struct ipcdev_msg m[3];
	struct ipcdev_msgvec v;

	set_put(m, s, 3);
	ASSERT_EQ(3, vec(self->fd, PUT_MANY, m, 3, 0, 0, NULL));
	set_get(m, 3, 8);
	EXPECT_EQ(1, vec(self->fd, GET_MANY, m, 3, 0, 0, &v));
	EXPECT_EQ(1, v.done);
	EXPECT_EQ(EMSGSIZE, v.error);
	EXPECT_TRUE(got(m, 0, "tiny"));
	EXPECT_EQ(strlen(s[1]), m[1].len);	/* the next length */
	EXPECT_EQ(8, m[2].len);
	EXPECT_EQ(2, q_count(self->fd));
	/* First element short: nothing got, its length reported. */
	set_get(m, 3, 8);
	EXPECT_EQ(-EMSGSIZE, vec(self->fd, GET_MANY, m, 3, 0, 0, NULL));
	EXPECT_EQ(strlen(s[1]), m[0].len);
	EXPECT_EQ(2, q_count(self->fd));
	EXPECT_TRUE(next_is(self->fd, s[1]));
	EXPECT_TRUE(next_is(self->fd, s[2]));
}

TEST_F(q, order_across_batch_and_single)
{
	const char *const s[3] = { "B", "C", "D" };
	struct ipcdev_msg m[8];
	struct ipcdev_msgvec v;

	ASSERT_EQ(0, q_put(self->fd, "A", 1));
	set_put(m, s, 3);
	ASSERT_EQ(3, vec(self->fd, PUT_MANY, m, 3, 0, 0, NULL));
	ASSERT_EQ(0, q_put(self->fd, "E", 1));
	set_get(m, 2, 256);
	ASSERT_EQ(2, vec(self->fd, GET_MANY, m, 2, 0, 0, NULL));
	EXPECT_TRUE(got(m, 0, "A"));
	EXPECT_TRUE(got(m, 1, "B"));
	EXPECT_TRUE(next_is(self->fd, "C"));
	set_get(m, 8, 256);
	ASSERT_EQ(2, vec(self->fd, GET_MANY, m, 8, NB, 0, &v));
	EXPECT_TRUE(got(m, 0, "D"));
	EXPECT_TRUE(got(m, 1, "E"));
	EXPECT_EQ(EAGAIN, v.error);
}

TEST_F(q, bad_vector_efault)
{
	void *bad = unmapped_addr();
	struct ipcdev_msg m[4];
	struct ipcdev_msgvec v = { .msgs = ptr(bad), .count = 4 };

	ASSERT_NE(NULL, bad);
	ASSERT_EQ(0, q_put(self->fd, "keep", 4));
	EXPECT_EQ(-EFAULT, ioc(self->fd, PUT_MANY, &v));
	EXPECT_EQ(-EFAULT, ioc(self->fd, GET_MANY, &v));
	EXPECT_EQ(-EFAULT, ioc(self->fd, PUT_MANY, bad));
	EXPECT_EQ(-EFAULT, ioc(self->fd, GET_MANY, bad));
	EXPECT_EQ(1, q_count(self->fd));
	/* The array's end is unreadable: nothing is done. */
	set_put(m, ABC, 4);
	v.msgs = ptr(m);
	v.count = 4;
	char *g = guarded_page();

	ASSERT_NE(NULL, g);
	memcpy(g + page_size() - 2 * sizeof(m[0]), m, 2 * sizeof(m[0]));
	v.msgs = ptr(g + page_size() - 2 * sizeof(m[0]));
	EXPECT_EQ(-EFAULT, ioc(self->fd, PUT_MANY, &v));
	EXPECT_EQ(-EFAULT, ioc(self->fd, GET_MANY, &v));
	EXPECT_EQ(1, q_count(self->fd));
	EXPECT_TRUE(next_is(self->fd, "keep"));
	munmap(g, 2 * page_size());
}

/* A read-only vector: a put sends nothing, a get loses nothing. */
TEST_F(q, readonly_vector_efault)
{
	long ps = page_size();
	struct ipcdev_msg m[2];
	struct ipcdev_msgvec *v;
	char *p = mmap(NULL, ps, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, q_put(self->fd, "keep", 4));
	set_put(m, ABC, 2);
	v = (struct ipcdev_msgvec *)p;
	memset(v, 0, sizeof(*v));
	v->msgs = ptr(m);
	v->count = 2;
	ASSERT_EQ(0, mprotect(p, ps, PROT_READ));
	EXPECT_EQ(-EFAULT, ioc(self->fd, PUT_MANY, v));
	EXPECT_EQ(1, q_count(self->fd));
	set_get(m, 2, 256);
	ASSERT_EQ(0, mprotect(p, ps, PROT_READ | PROT_WRITE));
	v->msgs = ptr(m);
	ASSERT_EQ(0, mprotect(p, ps, PROT_READ));
	EXPECT_EQ(-EFAULT, ioc(self->fd, GET_MANY, v));
	EXPECT_EQ(1, q_count(self->fd));
	EXPECT_TRUE(next_is(self->fd, "keep"));
	munmap(p, ps);
}

TEST_F(q, bad_element_buffer_put)
{
	struct ipcdev_msg m[4];
	struct ipcdev_msgvec v;

	set_put(m, ABC, 4);
	m[2].buf = ptr(unmapped_addr());
	m[2].len = 5;
	EXPECT_EQ(2, vec(self->fd, PUT_MANY, m, 4, 0, 0, &v));
	EXPECT_EQ(EFAULT, v.error);
	EXPECT_EQ(2, q_count(self->fd));
	EXPECT_EQ(-EFAULT, vec(self->fd, PUT_MANY, m + 2, 2, 0, 0, NULL));
	EXPECT_EQ(2, q_count(self->fd));
	EXPECT_TRUE(next_is(self->fd, ABC[0]));
	EXPECT_TRUE(next_is(self->fd, ABC[1]));
}

TEST_F(q, bad_element_buffer_get)
{
	struct ipcdev_msg m[4];
	struct ipcdev_msgvec v;

	set_put(m, ABC, 4);
	ASSERT_EQ(4, vec(self->fd, PUT_MANY, m, 4, 0, 0, NULL));
	set_get(m, 4, 256);
	m[2].buf = ptr(unmapped_addr());
	EXPECT_EQ(2, vec(self->fd, GET_MANY, m, 4, NB, 0, &v));
	EXPECT_EQ(EFAULT, v.error);
	EXPECT_TRUE(got(m, 0, ABC[0]));
	EXPECT_TRUE(got(m, 1, ABC[1]));
	EXPECT_EQ(256, m[2].len);
	EXPECT_EQ(2, q_count(self->fd));
	set_get(m, 4, 256);
	m[0].buf = ptr(unmapped_addr());
	EXPECT_EQ(-EFAULT, vec(self->fd, GET_MANY, m, 4, NB, 0, NULL));
	EXPECT_EQ(2, q_count(self->fd));
	EXPECT_TRUE(next_is(self->fd, ABC[2]));
	EXPECT_TRUE(next_is(self->fd, ABC[3]));
}

/*
 * The lengths of elements 2 and 3 cannot be stored: 0 and 1 are got, the
 * messages of 2 and 3 stay queued, in order.
 */
TEST_F(q, get_len_unwritable_keeps_messages)
{
	long ps = page_size();
	struct ipcdev_msg *m;
	struct ipcdev_msgvec v;
	char *p = mmap(NULL, 2 * ps, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, p);
	m = (struct ipcdev_msg *)(p + ps - 2 * sizeof(*m));
	set_put(m, ABC + 2, 4);
	ASSERT_EQ(4, vec(self->fd, PUT_MANY, m, 4, 0, 0, NULL));
	set_get(m, 4, 256);
	ASSERT_EQ(0, mprotect(p + ps, ps, PROT_READ));
	EXPECT_EQ(2, vec(self->fd, GET_MANY, m, 4, 0, 0, &v));
	EXPECT_EQ(2, v.done);
	EXPECT_EQ(EFAULT, v.error);
	EXPECT_TRUE(got(m, 0, ABC[2]));
	EXPECT_TRUE(got(m, 1, ABC[3]));
	EXPECT_EQ(2, q_count(self->fd));
	/* Not even the first length: nothing is got. */
	m = (struct ipcdev_msg *)(p + ps);
	EXPECT_EQ(-EFAULT, vec(self->fd, GET_MANY, m, 2, 0, 0, NULL));
	EXPECT_EQ(2, q_count(self->fd));
	EXPECT_TRUE(next_is(self->fd, ABC[4]));
	EXPECT_TRUE(next_is(self->fd, ABC[5]));
	munmap(p, 2 * ps);
}

TEST(large_messages_in_batch)
{
	int fd = q_new(0, 0, 0);
	size_t big = 100 << 10;
	unsigned char *in = malloc(3 * big), *out = malloc(3 * big);
	struct ipcdev_msg m[5];
	__u64 lens[5] = { 7, big, 0, big, 3 };
	size_t off = 0;

	ASSERT_LE(0, fd);
	ASSERT_NE(NULL, in);
	ASSERT_NE(NULL, out);
	fill(in, 3 * big, 7);
	for (int i = 0; i < 5; i++) {
		m[i] = (struct ipcdev_msg){ .buf = ptr(in + off), .len = lens[i] };
		off += lens[i];
	}
	ASSERT_EQ(5, vec(fd, PUT_MANY, m, 5, 0, 0, NULL));
	off = 0;
	memset(out, 0, 3 * big);
	for (int i = 0; i < 5; i++) {
		m[i] = (struct ipcdev_msg){ .buf = ptr(out + off), .len = lens[i] };
		off += lens[i];
	}
	EXPECT_EQ(5, vec(fd, GET_MANY, m, 5, 0, 0, NULL));
	for (int i = 0; i < 5; i++) {
		EXPECT_EQ(lens[i], m[i].len);
	}
	EXPECT_EQ(0, memcmp(in, out, off));
	EXPECT_EQ(0, q_count(fd));
	free(in);
	free(out);
	close(fd);
}

/*
 * A channel keeps the messages of a batch as spares, one slot per element
 * (element i in slot i % 8), and a spare carries any later message that
 * fits it.  Batches of 1 to 20 elements (on the kernel's stack up to 8,
 * allocated above) of 0 to 5000 bytes, and single gets in between, must
 * come out with their own length and bytes, never a spare's old ones.
 */
TEST(spares_carry_any_size)
{
	enum { MAXN = 20, MAXLEN = 5000 };
	static unsigned char in[MAXN][MAXLEN], out[MAXN][MAXLEN];
	int fd = q_new(0, 0, 0);
	struct ipcdev_msg m[MAXN];
	__u64 lens[MAXN];
	unsigned int r = 12345;

	ASSERT_LE(0, fd);
	for (int round = 0; round < 60; round++) {
		int n = 1 + round % MAXN, from = 0;

		for (int i = 0; i < n; i++) {
			r = r * 1103515245u + 12345u;
			lens[i] = (r >> 8) % 4 ? (r >> 12) % 600 : (r >> 12) % MAXLEN;
			fill(in[i], lens[i], round * 31 + i);
			m[i] = (struct ipcdev_msg){ .buf = ptr(in[i]), .len = lens[i] };
		}
		ASSERT_EQ(n, vec(fd, PUT_MANY, m, n, 0, 0, NULL));
		memset(out, 0xee, sizeof(out));
		if (round % 3 == 1) {	/* the first through a single get */
			__u64 l = MAXLEN;

			ASSERT_EQ(0, q_get(fd, out[0], &l));
			ASSERT_EQ(lens[0], l);
			from = 1;
		}
		for (int i = from; i < n; i++)
			m[i - from] = (struct ipcdev_msg){ .buf = ptr(out[i]), .len = MAXLEN };
		if (n > from)
			ASSERT_EQ(n - from, vec(fd, GET_MANY, m, n - from, 0, 0, NULL));
		for (int i = 0; i < n; i++) {
			if (i >= from)
				ASSERT_EQ(lens[i], m[i - from].len);
			ASSERT_EQ(0, memcmp(in[i], out[i], lens[i])) TH_LOG("round %d element %d", round, i);
			if (lens[i] < MAXLEN)
				ASSERT_EQ(0xee, out[i][lens[i]]);
		}
		ASSERT_EQ(0, q_count(fd));
	}
	close(fd);
}

TEST(readonly_handle_ebadf)
{
	struct ipcdev_queue_open o = { 0 };
	int ro = dev_open_bind(QDEV, O_RDONLY, IPCDEV_IOC_QUEUE_OPEN, &o);
	int wo = dev_open_bind(QDEV, O_WRONLY, IPCDEV_IOC_QUEUE_OPEN, &o);
	struct ipcdev_msg m[2];

	ASSERT_LE(0, ro);
	ASSERT_LE(0, wo);
	set_put(m, ABC, 2);
	EXPECT_EQ(-EBADF, vec(ro, PUT_MANY, m, 2, 0, 0, NULL));
	set_get(m, 2, 256);
	EXPECT_EQ(-EBADF, vec(wo, GET_MANY, m, 2, NB, 0, NULL));
	close(ro);
	close(wo);
}

/* ------------------------------------------------------------------ */
/* Waiting: hand-over, signals, kills                                 */
/* ------------------------------------------------------------------ */

static int wait_getters(int fd, __u32 n)
{
	return WAIT_STAT(fd, IPCDEV_IOC_QUEUE_STAT, struct ipcdev_queue_stat,
			 getters, n);
}

static int wait_putters(int fd, __u32 n)
{
	return WAIT_STAT(fd, IPCDEV_IOC_QUEUE_STAT, struct ipcdev_queue_stat,
			 putters, n);
}

/* A getter blocked in GET_MANY is handed the first of a PUT_MANY. */
TEST_F(q, blocked_get_many_woken_by_put_many)
{
	struct ipcdev_msg m[8];
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct ipcdev_msg g[8];
		int n = 0, r;

		while (n < 8) {
			set_get(g, 8 - n, 256);
			r = vec(self->fd, GET_MANY, g, 8 - n, 0, 0, NULL);
			if (r < 0)
				_exit(-r);
			for (int i = 0; i < r; i++)
				if (!got(g, i, ABC[n + i]))
					_exit(CHILD_ORDER);
			n += r;
		}
		_exit(0);
	}
	ASSERT_EQ(0, wait_getters(self->fd, 1));
	set_put(m, ABC, 8);
	EXPECT_EQ(8, vec(self->fd, PUT_MANY, m, 8, 0, 0, NULL));
	EXPECT_EQ(0, wait_child(pid, 20000));
	EXPECT_EQ(0, q_count(self->fd));
}

struct bsig {
	int fd;
	bool put;
};

static int bsig_call(void *arg)
{
	struct bsig *b = arg;
	struct ipcdev_msg m[4];
	int r;

	if (b->put) {
		set_put(m, ABC, 4);
		r = vec(b->fd, PUT_MANY, m, 4, 0, 0, NULL);
	} else {
		set_get(m, 4, 256);
		r = vec(b->fd, GET_MANY, m, 4, 0, 0, NULL);
		if (r == 1 && !got(m, 0, "release"))
			return CHILD_BADDATA;
	}
	if (r < 0)
		return -r;
	return r == 1 ? 0 : CHILD_BADLEN;
}

static int bsig_asleep(void *arg)
{
	struct bsig *b = arg;

	return b->put ? wait_putters(b->fd, 1) : wait_getters(b->fd, 1);
}

static int bsig_release(void *arg)
{
	struct bsig *b = arg;
	char buf[256];
	__u64 l = sizeof(buf);

	if (b->put)
		return q_get(b->fd, buf, &l);
	return q_put(b->fd, "release", 7);
}

static void batch_signal(struct __test_metadata *_metadata, bool put,
			 bool restart)
{
	int fd = q_new(put ? 1 : 0, 0, 0);
	struct bsig b = { .fd = fd, .put = put };
	struct sig_case c = { bsig_call, bsig_asleep, bsig_release, &b };
	const char *why;
	int code;

	ASSERT_LE(0, fd);
	if (put)
		ASSERT_EQ(0, q_put(fd, "full", 4));
	code = signal_blocked_call(&c, restart, &why);
	EXPECT_EQ(NULL, why) TH_LOG("%s", why);
	EXPECT_EQ(restart ? 0 : EINTR, code);
	/* Interrupted: nothing put or got.  Restarted: one message moved. */
	if (put && !restart)
		EXPECT_TRUE(next_is(fd, "full"));
	if (put && restart)
		EXPECT_TRUE(next_is(fd, ABC[0]));
	EXPECT_EQ(0, q_count(fd));
	close(fd);
}

TEST(signal_get_many_eintr)
{
	batch_signal(_metadata, false, false);
}

TEST(signal_get_many_restart)
{
	batch_signal(_metadata, false, true);
}

TEST(signal_put_many_eintr)
{
	batch_signal(_metadata, true, false);
}

TEST(signal_put_many_restart)
{
	batch_signal(_metadata, true, true);
}

/* A sender killed while blocked in a batch leaves nothing behind. */
TEST(killed_sender_mid_batch)
{
	size_t big = 200 << 10;
	int fd = q_new(2, 0, 0);
	unsigned char *buf = malloc(big * 4), *out = malloc(big);
	__u64 l;
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_NE(NULL, buf);
	ASSERT_NE(NULL, out);
	fill(buf, big * 4, 3);
	ASSERT_EQ(0, q_put(fd, "one", 3));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct ipcdev_msg m[4];

		for (int i = 0; i < 4; i++)
			m[i] = (struct ipcdev_msg){ .buf = ptr(buf + i * big),
						    .len = big };
		_exit(vec(fd, PUT_MANY, m, 4, 0, 0, NULL) == 1 ? 0 : CHILD_BADLEN);
	}
	/* It fills the room left (one message) and stops: let it block. */
	ASSERT_EQ(0, wait_child(pid, 20000));
	EXPECT_EQ(2, q_count(fd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct ipcdev_msg m[4];

		for (int i = 0; i < 4; i++)
			m[i] = (struct ipcdev_msg){ .buf = ptr(buf + i * big),
						    .len = big };
		_exit(-vec(fd, PUT_MANY, m, 4, 0, 0, NULL));
	}
	ASSERT_EQ(0, wait_putters(fd, 1));
	kill(pid, SIGKILL);
	EXPECT_EQ(1000 + SIGKILL, wait_child(pid, 20000));
	EXPECT_EQ(0, wait_putters(fd, 0));
	EXPECT_EQ(2, q_count(fd));
	EXPECT_TRUE(next_is(fd, "one"));
	l = big;
	EXPECT_EQ(0, q_get(fd, out, &l));
	EXPECT_EQ(big, l);
	EXPECT_EQ(0, memcmp(out, buf, big));
	EXPECT_EQ(0, q_count(fd));
	free(out);
	free(buf);
	close(fd);
}

/* A getter killed while blocked in GET_MANY: the next message stays. */
TEST_F(q, killed_getter_loses_nothing)
{
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct ipcdev_msg m[4];

		set_get(m, 4, 256);
		_exit(-vec(self->fd, GET_MANY, m, 4, 0, 0, NULL));
	}
	ASSERT_EQ(0, wait_getters(self->fd, 1));
	kill(pid, SIGKILL);
	EXPECT_EQ(1000 + SIGKILL, wait_child(pid, 20000));
	ASSERT_EQ(0, wait_getters(self->fd, 0));
	ASSERT_EQ(0, q_put(self->fd, "after", 5));
	EXPECT_TRUE(next_is(self->fd, "after"));
}

/* ------------------------------------------------------------------ */
/* Pipes                                                              */
/* ------------------------------------------------------------------ */

#define SEND_MANY	IPCDEV_IOC_PIPE_SEND_MANY
#define RECV_MANY	IPCDEV_IOC_PIPE_RECV_MANY

static void pipe_roundtrip(struct __test_metadata *_metadata, int tx, int rx)
{
	struct ipcdev_msg m[8];
	struct ipcdev_msgvec v;

	set_put(m, ABC, 8);
	ASSERT_EQ(8, vec(tx, SEND_MANY, m, 8, 0, 0, NULL));
	set_get(m, 8, 256);
	ASSERT_EQ(8, vec(rx, RECV_MANY, m, 8, 0, 0, &v));
	EXPECT_EQ(0, v.error);
	for (int i = 0; i < 8; i++) {
		EXPECT_TRUE(got(m, i, ABC[i]));
	}
}

TEST(pipe_one_way)
{
	struct ipcdev_msg m[2];
	int e[2];

	ASSERT_EQ(0, p_pair(0, e));
	pipe_roundtrip(_metadata, e[1], e[0]);
	set_put(m, ABC, 2);
	EXPECT_EQ(-EBADF, vec(e[0], SEND_MANY, m, 2, 0, 0, NULL));
	set_get(m, 2, 256);
	EXPECT_EQ(-EBADF, vec(e[1], RECV_MANY, m, 2, NB, 0, NULL));
	/* The queue's commands are not the pipe's. */
	EXPECT_EQ(-ENOTTY, vec(e[1], PUT_MANY, m, 2, 0, 0, NULL));
	close(e[0]);
	close(e[1]);
}

TEST(pipe_duplex_both_directions)
{
	int e[2];

	ASSERT_EQ(0, p_pair(IPCDEV_PIPE_DUPLEX, e));
	pipe_roundtrip(_metadata, e[0], e[1]);
	pipe_roundtrip(_metadata, e[1], e[0]);
	close(e[0]);
	close(e[1]);
}

TEST(pipe_hangup_epipe)
{
	struct ipcdev_msg m[4];
	struct ipcdev_msgvec v;
	int e[2];

	ASSERT_EQ(0, p_pair(0, e));
	set_put(m, ABC, 2);
	ASSERT_EQ(2, vec(e[1], SEND_MANY, m, 2, 0, 0, NULL));
	close(e[1]);
	set_get(m, 4, 256);
	EXPECT_EQ(2, vec(e[0], RECV_MANY, m, 4, 0, 0, &v));
	EXPECT_EQ(EPIPE, v.error);
	EXPECT_EQ(-EPIPE, vec(e[0], RECV_MANY, m, 4, 0, 0, NULL));
	close(e[0]);

	ASSERT_EQ(0, p_pair(0, e));
	close(e[0]);
	set_put(m, ABC, 2);
	EXPECT_EQ(-EPIPE, vec(e[1], SEND_MANY, m, 2, 0, 0, NULL));
	close(e[1]);
}

TEST_HARNESS_MAIN
