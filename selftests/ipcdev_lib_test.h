/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Preamble and small helpers shared by the libipcdev selftests
 * (*_lib_test.c).  Kept apart from ipcdev_test.h, which serves the raw-ABI
 * tests with its own (unsigned) MS/SEC and now_ns().
 */
#ifndef IPCDEV_LIB_TEST_H
#define IPCDEV_LIB_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "ipcdev.h"

/* See ipcqueue_test.c: harness artefacts under -Wextra. */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"

#define MS	1000000LL
#define SEC	1000000000LL

static inline int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * SEC + ts.tv_nsec;
}

static inline void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Wait for @pid: its exit code, 1000 + signal if killed, -1 on error. */
static inline int reap(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1000 + WTERMSIG(status);
}

/* Set to the signal number by on_usr1(). */
static volatile sig_atomic_t got_usr1;

static inline void on_usr1(int sig)
{
	got_usr1 = sig;
}

/* Catch SIGUSR1 with on_usr1() and sa_flags @flags. */
static inline void install_usr1(int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
}

#endif /* IPCDEV_LIB_TEST_H */
