// SPDX-License-Identifier: GPL-2.0
/*
 * What ipcdev shows in /proc: /proc/ipcdev/stats (the module-wide
 * counters), /proc/ipcdev/objects (every live object, one line each) and
 * the lines every handle's /proc/<pid>/fdinfo/<fd> starts with.
 */
#include <linux/capability.h>
#include <linux/init.h>
#include <linux/pid_namespace.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/user_namespace.h>
#include "handle.h"
#include "ipcdev.h"
#include "params.h"
#include "registry.h"

static struct proc_dir_entry *ipcdev_proc;

static int ipcdev_stats_show(struct seq_file *m, void *v)
{
	seq_printf(m, "objects %ld\n", atomic_long_read(&ipcdev_nr_objects));
	seq_printf(m, "named %ld\n", ipcdev_registry_named());
	seq_printf(m, "bytes %ld\n", atomic_long_read(&ipcdev_nr_bytes));
	seq_printf(m, "handles %ld\n", atomic_long_read(&ipcdev_nr_handles));
	seq_printf(m, "spare %ld\n", atomic_long_read(&ipcdev_nr_spare));
	seq_printf(m, "sending %ld\n", atomic_long_read(&ipcdev_nr_sending));
	return 0;
}

/* What ipcdev_objects_show() walks the registry with. */
struct ipcdev_proc_walk {
	struct seq_file *m;
	struct pid_namespace *pidns;
	struct ipc_namespace *ns;
	unsigned int inum;
	bool all;
};

/* One object's line; called under the registry lock. */
static void ipcdev_show_obj(struct ipcdev_obj *obj, void *arg)
{
	struct ipcdev_proc_walk *pw = arg;
	struct seq_file *m = pw->m;
	struct ipcdev_row row = {};

	if (!pw->all && (obj->ns != pw->ns || obj->ns_inum != pw->inum))
		return;
	obj->kind->row(obj, &row);
	seq_printf(m, "%-6s %6u ", obj->kind->name, obj->id);
	if (obj->name)
		seq_escape(m, obj->name, " \t\n\\");
	else
		seq_putc(m, '-');
	seq_printf(m, " %u %5u %5u %04o %3d %10llu %8llu %10llu %4u %4u %7d %u\n",
		   obj->ns_inum,
		   from_kuid_munged(seq_user_ns(m), obj->uid),
		   from_kgid_munged(seq_user_ns(m), obj->gid), obj->mode,
		   atomic_read(&obj->handles), row.size, row.count, row.bytes,
		   row.waiters, row.mappings, pid_nr_ns(obj->creator, pw->pidns),
		   obj->linked || !obj->name ? 0 : 1);
}

/**
 * ipcdev_objects_show() - /proc/ipcdev/objects: every live object
 * @m:		the seq_file
 * @v:		unused
 *
 * Like /proc/sysvipc/msg: the objects of the reader's IPC namespace, or of
 * every namespace for a reader with CAP_SYS_ADMIN in the initial user
 * namespace.  The namespace pointer is only compared: a named object's
 * namespace is pinned, an anonymous object's namespace is the one of the
 * task that created it, compared by address and inode number.
 * Return: 0.
 */
static int ipcdev_objects_show(struct seq_file *m, void *v)
{
	struct ipcdev_proc_walk pw = {
		.m = m,
		.pidns = task_active_pid_ns(current),
		.ns = ipcdev_current_ns(),
		.all = ns_capable_noaudit(&init_user_ns, CAP_SYS_ADMIN),
	};

	pw.inum = ipcdev_ns_inum(pw.ns);
	seq_puts(m, "kind       id name ns uid gid mode handles size count bytes waiters mappings creator unlinked\n");
	ipcdev_registry_walk(ipcdev_show_obj, &pw);
	return 0;
}

/**
 * ipcdev_show_fdinfo() - the first fdinfo lines of an object descriptor
 * @m:		the seq_file
 * @kind:	the device's kind
 * @file:	the handle
 */
void ipcdev_show_fdinfo(struct seq_file *m, const struct ipcdev_kind *kind,
			struct file *file)
{
	struct ipcdev_obj *obj = ipcdev_file_obj(file);

	seq_printf(m, "ipcdev-kind:\t%s\n", kind->name);
	seq_printf(m, "ipcdev-id:\t%u\nipcdev-name:\t", obj->id);
	if (obj->name)
		seq_escape(m, obj->name, " \t\n\\");
	seq_putc(m, '\n');
}

/**
 * ipcdev_proc_init() - make /proc/ipcdev/{stats,objects}
 * Return: 0 or -ENOMEM.
 */
int __init ipcdev_proc_init(void)
{
	ipcdev_proc = proc_mkdir("ipcdev", NULL);
	if (!ipcdev_proc)
		return -ENOMEM;
	if (!proc_create_single("stats", 0444, ipcdev_proc,
				ipcdev_stats_show) ||
	    !proc_create_single("objects", 0444, ipcdev_proc,
				ipcdev_objects_show)) {
		proc_remove(ipcdev_proc);
		return -ENOMEM;
	}
	return 0;
}

/* ipcdev_proc_exit() - remove /proc/ipcdev */
void ipcdev_proc_exit(void)
{
	proc_remove(ipcdev_proc);
}
