// SPDX-License-Identifier: GPL-2.0
/*
 * The uapi layouts are the same for 32-bit (i386) and 64-bit callers.
 *
 * Every field of uapi/linux/ipcdev.h is a fixed-width integer; the only
 * difference i386 makes is that a __u64 (or __s64) inside a struct is
 * aligned to 4 bytes instead of 8.  So this file sees each struct twice: as
 * x86_64 lays it out, and with __u64/__s64 aligned to 4 as i386 does.  With
 * 4-byte alignment and fields of 4 or 8 bytes there is never padding, so
 * equal sizes mean there is no padding in the 64-bit layout either, and the
 * offsets of every field agree.  It needs no 32-bit toolchain.
 */
#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>

#define IPCDEV_STRUCTS(X)						\
	X(ipcdev_open_head)						\
	X(ipcdev_unlink) X(ipcdev_setattr) X(ipcdev_msg)		\
	X(ipcdev_msgvec)							\
	X(ipcdev_queue_open) X(ipcdev_queue_stat)			\
	X(ipcdev_pipe_open) X(ipcdev_pipe_stat)				\
	X(ipcdev_shm_open) X(ipcdev_shm_stat) X(ipcdev_shm_lock)	\
	X(ipcdev_shm_change) X(ipcdev_shm_io) X(ipcdev_shm_locker)	\
	X(ipcdev_event_open) X(ipcdev_event_wait) X(ipcdev_event_stat)

/* The 64-bit layout. */
#include <linux/ipcdev.h>
#define SIZE64(s) static const unsigned long size64_##s = sizeof(struct s);
IPCDEV_STRUCTS(SIZE64)

/* The same header again, with i386's alignment of 64-bit fields. */
typedef __u64 __attribute__((aligned(4))) u64_i386;
typedef __s64 __attribute__((aligned(4))) s64_i386;
#undef _UAPI_LINUX_IPCDEV_H
#define __u64 u64_i386
#define __s64 s64_i386
#define ipcdev_open_head ipcdev_open_head_32
#define ipcdev_unlink ipcdev_unlink_32
#define ipcdev_setattr ipcdev_setattr_32
#define ipcdev_msg ipcdev_msg_32
#define ipcdev_msgvec ipcdev_msgvec_32
#define ipcdev_queue_open ipcdev_queue_open_32
#define ipcdev_queue_stat ipcdev_queue_stat_32
#define ipcdev_pipe_open ipcdev_pipe_open_32
#define ipcdev_pipe_stat ipcdev_pipe_stat_32
#define ipcdev_shm_open ipcdev_shm_open_32
#define ipcdev_shm_stat ipcdev_shm_stat_32
#define ipcdev_shm_lock ipcdev_shm_lock_32
#define ipcdev_shm_change ipcdev_shm_change_32
#define ipcdev_shm_io ipcdev_shm_io_32
#define ipcdev_shm_locker ipcdev_shm_locker_32
#define ipcdev_event_open ipcdev_event_open_32
#define ipcdev_event_wait ipcdev_event_wait_32
#define ipcdev_event_stat ipcdev_event_stat_32
#include <linux/ipcdev.h>
#undef ipcdev_open_head
#undef ipcdev_unlink
#undef ipcdev_setattr
#undef ipcdev_msg
#undef ipcdev_msgvec
#undef ipcdev_queue_open
#undef ipcdev_queue_stat
#undef ipcdev_pipe_open
#undef ipcdev_pipe_stat
#undef ipcdev_shm_open
#undef ipcdev_shm_stat
#undef ipcdev_shm_lock
#undef ipcdev_shm_change
#undef ipcdev_shm_io
#undef ipcdev_shm_locker
#undef ipcdev_event_open
#undef ipcdev_event_wait
#undef ipcdev_event_stat

static int n, failed;

static void check(const char *name, unsigned long s64, unsigned long s32)
{
	int ok = s64 == s32;

	printf("%sok %d %s: x86_64 %lu bytes, i386 %lu bytes\n",
	       ok ? "" : "not ", ++n, name, s64, s32);
	failed |= !ok;
}

#define CHECK(s) check(#s, size64_##s, sizeof(struct s##_32));

/* Every OPEN argument begins with struct ipcdev_open_head. */
#define HEAD_FIELD_AT(s, f)						\
	(offsetof(struct s, f) == offsetof(struct ipcdev_open_head, f) &&	\
	 sizeof(((struct s *)0)->f) == sizeof(((struct ipcdev_open_head *)0)->f))
#define CHECK_HEAD(s) do {						\
	int ok = HEAD_FIELD_AT(s, name) && HEAD_FIELD_AT(s, flags) &&	\
		 HEAD_FIELD_AT(s, mode);				\
									\
	printf("%sok %d %s begins with struct ipcdev_open_head\n",	\
	       ok ? "" : "not ", ++n, #s);				\
	failed |= !ok;							\
} while (0)

int main(void)
{
	printf("TAP version 13\n1..21\n");
	IPCDEV_STRUCTS(CHECK)
	CHECK_HEAD(ipcdev_queue_open);
	CHECK_HEAD(ipcdev_pipe_open);
	CHECK_HEAD(ipcdev_shm_open);
	CHECK_HEAD(ipcdev_event_open);
	return failed;
}
