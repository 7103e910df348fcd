// SPDX-License-Identifier: GPL-2.0
/*
 * The second half of ipcfault_test.c's kinds (the hand-over, poll, epoll,
 * O_ASYNC, STAT, /proc, names, shared memory and events), as a program of
 * its own so that each stays under the runner's time limit on the faults
 * kernel.  See ipcfault_test.c.
 */
#define IPCFAULT_PART 2
#include "ipcfault_test.c"
