// SPDX-License-Identifier: GPL-2.0
/*
 * ipcdev: kernel-backed inter-process communication objects as character
 * devices, after Python's multiprocessing.  Module parameters, counters,
 * and the registrations of the devices and of /proc/ipcdev (proc.c).
 */
#include <linux/init.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include "ipcdev.h"

unsigned long ipcdev_msgsize_max = 16UL << 20;
module_param_named(msgsize_max, ipcdev_msgsize_max, ulong, 0644);
MODULE_PARM_DESC(msgsize_max,
		 "Default longest message of a new queue or pipe (bytes; 0: no limit)");

unsigned long ipcdev_bytes_default = 1UL << 20;
module_param_named(bytes_default, ipcdev_bytes_default, ulong, 0644);
MODULE_PARM_DESC(bytes_default,
		 "Default capacity of a pipe direction (bytes; a queue's is unbounded)");

unsigned long ipcdev_bytes_max = 64UL << 20;
module_param_named(bytes_max, ipcdev_bytes_max, ulong, 0644);
MODULE_PARM_DESC(bytes_max,
		 "Ceiling of a finite queue or pipe capacity (bytes; hard cap 1 GiB)");

unsigned long ipcdev_msgs_max = 65536;
module_param_named(msgs_max, ipcdev_msgs_max, ulong, 0644);
MODULE_PARM_DESC(msgs_max,
		 "Ceiling of a finite queue maxsize, and a pipe direction's bound");

unsigned long ipcdev_named_max = 4096;
module_param_named(named_max, ipcdev_named_max, ulong, 0644);
MODULE_PARM_DESC(named_max, "Most named objects at once (ENOSPC beyond)");

unsigned long ipcdev_shm_max = SZ_1G;
module_param_named(shm_max, ipcdev_shm_max, ulong, 0644);
MODULE_PARM_DESC(shm_max, "Largest shared memory segment (bytes; hard cap 16 GiB)");

unsigned long ipcdev_user_objects_max = 4096;
module_param_named(user_objects_max, ipcdev_user_objects_max, ulong, 0644);
MODULE_PARM_DESC(user_objects_max,
		 "Objects one user may hold (EDQUOT beyond; CAP_SYS_RESOURCE lifts it)");

unsigned long ipcdev_user_bytes_max = SZ_1G;
module_param_named(user_bytes_max, ipcdev_user_bytes_max, ulong, 0644);
MODULE_PARM_DESC(user_bytes_max,
		 "Bytes one user may hold: queued messages it sent, segments it made");

unsigned long ipcdev_spare_max = SZ_16M;
module_param_named(spare_max, ipcdev_spare_max, ulong, 0644);
MODULE_PARM_DESC(spare_max,
		 "Bytes all channels may keep in spare messages above 4 KiB");

atomic_long_t ipcdev_nr_objects = ATOMIC_LONG_INIT(0);
atomic_long_t ipcdev_nr_spare = ATOMIC_LONG_INIT(0);
atomic_long_t ipcdev_nr_handles = ATOMIC_LONG_INIT(0);
atomic_long_t ipcdev_nr_bytes = ATOMIC_LONG_INIT(0);
atomic_long_t ipcdev_nr_sending = ATOMIC_LONG_INIT(0);

/**
 * ipcdev_limit() - a module parameter, capped by a hard limit
 * @param:	the parameter's current value
 * @hard:	what no setting may exceed
 * Return: the smaller of the two.
 */
unsigned long ipcdev_limit(unsigned long param, unsigned long hard)
{
	return min(param, hard);
}

static struct miscdevice *ipcdev_miscs[] = {
	&ipcq_misc,
	&ipcpipe_misc,
	&ipcevent_misc,
	&ipcshm_misc,
};

/*
 * The ABI's own checks: every command encodes the size of its struct, and
 * every struct is a multiple of 8 bytes with only fixed-width fields, so it
 * has the same layout for 32-bit and 64-bit callers (compat_ptr_ioctl).
 */
#define IPCDEV_CHECK_IOC(cmd, type)					\
	do {								\
		BUILD_BUG_ON(_IOC_SIZE(cmd) != sizeof(type));		\
		BUILD_BUG_ON(sizeof(type) % 8);				\
	} while (0)

static void __init ipcdev_check_abi(void)
{
	IPCDEV_CHECK_IOC(IPCDEV_IOC_UNLINK, struct ipcdev_unlink);
	IPCDEV_CHECK_IOC(IPCDEV_IOC_SETATTR, struct ipcdev_setattr);
	IPCDEV_CHECK_IOC(IPCDEV_IOC_QUEUE_OPEN, struct ipcdev_queue_open);
	IPCDEV_CHECK_IOC(IPCDEV_IOC_QUEUE_PUT, struct ipcdev_msg);
	IPCDEV_CHECK_IOC(IPCDEV_IOC_QUEUE_GET, struct ipcdev_msg);
	IPCDEV_CHECK_IOC(IPCDEV_IOC_QUEUE_STAT, struct ipcdev_queue_stat);
	IPCDEV_CHECK_IOC(IPCDEV_IOC_QUEUE_PUT_MANY, struct ipcdev_msgvec);
	IPCDEV_CHECK_IOC(IPCDEV_IOC_QUEUE_GET_MANY, struct ipcdev_msgvec);
	IPCDEV_CHECK_IOC(IPCDEV_IOC_PIPE_OPEN, struct ipcdev_pipe_open);
	IPCDEV_CHECK_IOC(IPCDEV_IOC_PIPE_SEND, struct ipcdev_msg);
	IPCDEV_CHECK_IOC(IPCDEV_IOC_PIPE_RECV, struct ipcdev_msg);
	IPCDEV_CHECK_IOC(IPCDEV_IOC_PIPE_STAT, struct ipcdev_pipe_stat);
	IPCDEV_CHECK_IOC(IPCDEV_IOC_PIPE_SEND_MANY, struct ipcdev_msgvec);
	IPCDEV_CHECK_IOC(IPCDEV_IOC_PIPE_RECV_MANY, struct ipcdev_msgvec);
	BUILD_BUG_ON(sizeof(struct ipcdev_msg) % 8);
	IPCDEV_CHECK_IOC(IPCDEV_IOC_SHM_OPEN, struct ipcdev_shm_open);
	IPCDEV_CHECK_IOC(IPCDEV_IOC_SHM_STAT, struct ipcdev_shm_stat);
	IPCDEV_CHECK_IOC(IPCDEV_IOC_SHM_LOCK, struct ipcdev_shm_lock);
	IPCDEV_CHECK_IOC(IPCDEV_IOC_SHM_WAIT_CHANGE, struct ipcdev_shm_change);
	IPCDEV_CHECK_IOC(IPCDEV_IOC_SHM_READ, struct ipcdev_shm_io);
	IPCDEV_CHECK_IOC(IPCDEV_IOC_SHM_WRITE, struct ipcdev_shm_io);
	IPCDEV_CHECK_IOC(IPCDEV_IOC_EVENT_OPEN, struct ipcdev_event_open);
	IPCDEV_CHECK_IOC(IPCDEV_IOC_EVENT_WAIT, struct ipcdev_event_wait);
	IPCDEV_CHECK_IOC(IPCDEV_IOC_EVENT_STAT, struct ipcdev_event_stat);
	BUILD_BUG_ON(_IOC_SIZE(IPCDEV_IOC_SHM_UNLOCK) ||
		     _IOC_SIZE(IPCDEV_IOC_SHM_PUBLISH) ||
		     _IOC_SIZE(IPCDEV_IOC_EVENT_SET) ||
		     _IOC_SIZE(IPCDEV_IOC_EVENT_CLEAR));
}

static int __init ipcdev_init(void)
{
	int i, ret;

	ipcdev_check_abi();
	ret = ipcdev_proc_init();
	if (ret)
		return ret;
	for (i = 0; i < ARRAY_SIZE(ipcdev_miscs); i++) {
		ret = misc_register(ipcdev_miscs[i]);
		if (ret)
			goto out_misc;
	}
	return 0;

out_misc:
	while (--i >= 0)
		misc_deregister(ipcdev_miscs[i]);
	ipcdev_proc_exit();
	return ret;
}

static void __exit ipcdev_exit(void)
{
	int i;

	for (i = ARRAY_SIZE(ipcdev_miscs) - 1; i >= 0; i--)
		misc_deregister(ipcdev_miscs[i]);
	ipcdev_proc_exit();
	ipcdev_registry_exit();
}

module_init(ipcdev_init);
module_exit(ipcdev_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Kernel-backed IPC objects after Python's multiprocessing");
MODULE_AUTHOR("ipcdev developers");
MODULE_VERSION(IPCDEV_VERSION);
