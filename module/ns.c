// SPDX-License-Identifier: GPL-2.0
/*
 * IPC namespaces.  Names live in the IPC namespace of the task that creates
 * them, as POSIX message queues do, and a named object keeps its namespace
 * alive while it is linked.
 *
 * A module cannot always hold a reference the usual way: put_ipc_ns() is
 * exported only by newer kernels (6.12 here, not 6.1; Kbuild tests for it
 * and defines IPCDEV_HAVE_PUT_IPC_NS).  Without it, the initial
 * namespace needs no reference (it never goes away), and any other one is
 * pinned by holding its nsfs file (/proc/thread-self/ns/ipc) open; when that
 * file cannot be opened (no /proc in the caller's mount namespace) creating
 * a name in such a namespace fails with EOPNOTSUPP.
 */
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/ipc_namespace.h>
#include <linux/nsproxy.h>
#include <linux/proc_ns.h>
#include <linux/sched.h>
#include "registry.h"

/**
 * ipcdev_current_ns() - the IPC namespace of the current task
 * Return: the namespace; valid while the task runs, used only to compare.
 */
struct ipc_namespace *ipcdev_current_ns(void)
{
	return current->nsproxy->ipc_ns;
}

/**
 * ipcdev_ns_inum() - a namespace's inode number, as /proc/PID/ns/ipc shows
 * @ns:		a live namespace
 * Return: the number.
 */
unsigned int ipcdev_ns_inum(struct ipc_namespace *ns)
{
	return ns->ns.inum;
}

/**
 * ipcdev_ns_pin() - keep the current IPC namespace alive for @obj
 * @obj:	a named object being created in the current namespace
 * Return: 0, or -EOPNOTSUPP (see above).
 */
int ipcdev_ns_pin(struct ipcdev_obj *obj)
{
	struct ipc_namespace *ns = obj->ns;
#ifdef IPCDEV_HAVE_PUT_IPC_NS
	obj->ns_ref = get_ipc_ns(ns);
	return 0;
#else
	struct file *f;

	if (ns->ns.inum == PROC_IPC_INIT_INO)
		return 0;
	f = filp_open("/proc/thread-self/ns/ipc", O_RDONLY, 0);
	if (IS_ERR(f))
		return -EOPNOTSUPP;
	if (file_inode(f)->i_ino != ns->ns.inum) {
		fput(f);
		return -EOPNOTSUPP;
	}
	obj->ns_file = f;
	return 0;
#endif
}

/**
 * ipcdev_ns_unpin() - drop what ipcdev_ns_pin() took
 * @obj:	the object; may sleep
 */
void ipcdev_ns_unpin(struct ipcdev_obj *obj)
{
#ifdef IPCDEV_HAVE_PUT_IPC_NS
	if (obj->ns_ref)
		put_ipc_ns(obj->ns_ref);
	obj->ns_ref = NULL;
#else
	if (obj->ns_file)
		fput(obj->ns_file);
	obj->ns_file = NULL;
#endif
}
