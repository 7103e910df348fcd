// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libipcdev: ipc_strerror() and ipc_version().
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"

#define IPC_ENOENT_NODEV_TEXT \
	"No such file or directory (no /dev/ipcqueue, /dev/ipcpipe, ...: " \
	"is the ipcdev module loaded? (modprobe ipcdev))"

/*
 * A missing device node gives ENOENT, the same code as a missing name: when
 * a device node is absent, say so.  Checked at call time (stat, no state),
 * so the text is right for whichever of the two it was.
 */
static bool ipcdev_devices_present(void)
{
	static const char *const devs[] = {
		IPC_QUEUE_DEVICE, IPC_PIPE_DEVICE, IPC_EVENT_DEVICE,
		IPC_SHM_DEVICE,
	};
	struct stat st;
	size_t i;

	for (i = 0; i < sizeof(devs) / sizeof(devs[0]); i++)
		if (stat(devs[i], &st) < 0 || !S_ISCHR(st.st_mode))
			return false;
	return true;
}

const char *ipc_strerror(int err)
{
	const char *s;

	if (err < 0)
		err = -err;
	if (err == ENOENT && !ipcdev_devices_present())
		return IPC_ENOENT_NODEV_TEXT;
	s = strerrordesc_np(err);
	return s ? s : "Unknown error";
}

const char *ipc_version(void)
{
	return IPCDEV_LIB_VERSION;
}
