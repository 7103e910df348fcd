/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ipcdev's bottom layer: hard limits, the module parameters and the
 * module-wide counters (all defined in main.c).
 */
#ifndef _IPCDEV_PARAMS_H
#define _IPCDEV_PARAMS_H

#include <linux/atomic.h>
#include <linux/sizes.h>
#include <linux/types.h>

/*
 * Hard limits no module parameter can raise.  A message has none: its
 * ceilings are its channel's msgsize_max and the sender's byte quota.
 */
#define IPCDEV_BYTES_HARD_MAX	SZ_1G
#define IPCDEV_MSGS_HARD_MAX	SZ_16M
#define IPCDEV_SHM_HARD_MAX	(16ULL * SZ_1G)

/* Module parameters (main.c); read with READ_ONCE, root may change them. */
extern unsigned long ipcdev_msgsize_max;
extern unsigned long ipcdev_bytes_default;
extern unsigned long ipcdev_bytes_max;
extern unsigned long ipcdev_msgs_max;
extern unsigned long ipcdev_named_max;
extern unsigned long ipcdev_shm_max;
extern unsigned long ipcdev_user_objects_max;
extern unsigned long ipcdev_user_bytes_max;
extern unsigned long ipcdev_spare_max;

/* Module-wide counters, shown in /proc/ipcdev/stats. */
extern atomic_long_t ipcdev_nr_objects;
extern atomic_long_t ipcdev_nr_handles;
extern atomic_long_t ipcdev_nr_bytes;
extern atomic_long_t ipcdev_nr_spare;	/* bytes held in large spares */
extern atomic_long_t ipcdev_nr_sending;	/* large messages being put */

unsigned long ipcdev_limit(unsigned long param, unsigned long hard);

#endif /* _IPCDEV_PARAMS_H */
