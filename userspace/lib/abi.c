// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libipcdev: the ABI's facts as data, for the library itself and for
 * bindings (the Python package) that must not retype them: the name rule,
 * the typecodes and their sizes (IPCDEV_SHM_TYPECODES and
 * ipcdev_shm_elem_size() of <linux/ipcdev.h>),
 * and the constants by name.  See ipc_check_name(3), ipc_typecode_size(3)
 * and ipc_constants(3).
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>

#include "internal.h"

int ipc_check_name(const char *name)
{
	return ipcdev_lib_check_name(name);
}

int ipc_typecode_size(int typecode)
{
	unsigned int n = 0;

	if (typecode >= 0 && typecode <= UCHAR_MAX)
		n = ipcdev_shm_elem_size((__u32)typecode);
	return n ? (int)n : -EINVAL;
}

/* The typecodes of IPCDEV_SHM_TYPECODES, without their sizes. */
static char typecodes[sizeof(IPCDEV_SHM_TYPECODES) / 2 + 1];

const char *ipc_typecodes(void)
{
	static const char table[] = IPCDEV_SHM_TYPECODES;
	size_t i;

	/*
	 * Filled on each call with the same bytes, so that racing callers
	 * (threads, signal handlers) only ever store what is already there.
	 */
	for (i = 0; i + 1 < sizeof(table) && table[i]; i += 2)
		__atomic_store_n(&typecodes[i / 2], table[i], __ATOMIC_RELAXED);
	return typecodes;
}

#define C(name)	{ #name, (uint64_t)(name) }

static const struct ipc_constant constants[] = {
	/* this library's flags and values (ipcdev.h) */
	C(IPC_CREAT), C(IPC_EXCL), C(IPC_PIPE_DUPLEX), C(IPC_EVENT_INIT_SET),
	C(IPC_UNLIMITED), C(IPC_FOREVER),
	C(IPC_KIND_QUEUE), C(IPC_KIND_PIPE), C(IPC_KIND_EVENT),
	C(IPC_KIND_SHM),
	C(IPC_STAT_NAMED), C(IPC_STAT_UNLINKED),
	C(IPC_SETATTR_MODE), C(IPC_SETATTR_UID), C(IPC_SETATTR_GID),
	C(IPC_ARRAY_SIZE),
	/* the raw ABI's (<linux/ipcdev.h>) */
	C(IPCDEV_NAME_MAX), C(IPCDEV_UNLIMITED), C(IPCDEV_MSGVEC_MAX),
	C(IPCDEV_CREAT), C(IPCDEV_EXCL), C(IPCDEV_CLOEXEC),
	C(IPCDEV_WAIT_NONBLOCK), C(IPCDEV_WAIT_DEADLINE),
	C(IPCDEV_STAT_NAMED), C(IPCDEV_STAT_UNLINKED),
	C(IPCDEV_PIPE_DUPLEX), C(IPCDEV_PIPE_CLOEXEC),
	C(IPCDEV_PIPE_STAT_HUP),
	C(IPCDEV_EVENT_INIT_SET), C(IPCDEV_EVENT_WAIT_CLEAR),
	C(IPCDEV_SHM_RAW),
	C(IPCDEV_SHM_LOCK_ID_MASK), C(IPCDEV_SHM_LOCK_DIED),
	C(IPCDEV_SHM_LOCK_WAITERS), C(IPCDEV_SHM_LOCK_OFFSET),
	{ NULL, 0 }
};

#undef C

const struct ipc_constant *ipc_constants(void)
{
	return constants;
}
