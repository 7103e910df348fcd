/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ipcdev internal interfaces: the devices' view.  The layers, bottom up,
 * each with its header and its files:
 *
 *   params.h	 hard limits, module parameters, counters	main.c
 *   quota.h	 per-user quotas of objects and bytes		quota.c
 *   registry.h	 objects: ids, names, permissions, namespaces	registry.c ns.c
 *   handle.h	 object descriptors; the devices' factory	handle.c factory.c
 *   wait.h	 blocking, timed and non-blocking waits		wait.c
 *   msg.h	 messages: allocation, copies, spares		msg.c
 *   channel.h	 the message FIFO of queues and pipes		channel.c
 *   shm.h	 the segment, shared by shm.c and its lock	shm.c shmlock.c
 *
 * and, on top, the devices (queue.c, pipe.c, event.c, shm.c) and /proc
 * (proc.c).  A header includes the ones below it that it needs.
 */
#ifndef _IPCDEV_INTERNAL_H
#define _IPCDEV_INTERNAL_H

#include <linux/init.h>
#include "params.h"
#include "quota.h"
#include "registry.h"
#include "handle.h"
#include "wait.h"
#include "channel.h"

/* The devices (queue.c, pipe.c, event.c, shm.c), registered by main.c. */
struct miscdevice;
extern struct miscdevice ipcq_misc;
extern struct miscdevice ipcpipe_misc;
extern struct miscdevice ipcevent_misc;
extern struct miscdevice ipcshm_misc;

/* /proc/ipcdev (proc.c). */
int __init ipcdev_proc_init(void);
void ipcdev_proc_exit(void);

#endif /* _IPCDEV_INTERNAL_H */
