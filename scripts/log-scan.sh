#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/log-scan.sh [--boot] [--ignored FILE] [LOG]: the kernel-log check
# of the test suite, in one place.  Used by scripts/guest-check.sh in the
# guest (dmesg since its start mark) and by scripts/check.sh on the host
# (the saved console log, which keeps what the ring buffer may have lost).
#
# Reads LOG (default stdin) and prints every report line that fails the
# run; exit status 1 when there is one, 0 when the log is clean.
#
#   default   any line matching REPORTS below (the log of the test run)
#   --boot    only real reports (BOOT_REPORTS below): the boot's own banners
#             ("kmemleak: Kernel memory leak detector initialized", lockdep's
#             copyright...) are not reports
#   --ignored FILE   append the KCSAN reports ignored (and why) to FILE
#   --known-early    LOG is a list of boot reports (the output of --boot):
#             exit 0 when every line is the debug kernel's known early-boot
#             report (KNOWN_EARLY_BOOT below: a broken boot, to retry), 1 when
#             LOG is empty or holds any other report
#
# KCSAN reports ("BUG: KCSAN: data-race in A / B" up to the closing
# "=====" line) are judged as a whole:
#   - a report with a frame of the module ("... [ipcdev]") fails;
#   - else a report whose title matches KNOWN_KCSAN is ignored (the core
#     kernel's own, each listed below with the reason);
#   - else it fails too (unknown: look at it, and list it if it is not ours).
set -eu

REPORTS='BUG|WARNING|Oops|general protection|sleeping function called|scheduling while atomic|possible circular locking|possible recursive locking|inconsistent lock state|INFO: task|lockdep|KASAN|kmemleak|unreferenced object|Kernel panic'
BOOT_REPORTS='BUG:|WARNING:|Oops|general protection|sleeping function called|scheduling while atomic|possible circular locking|possible recursive locking|inconsistent lock state|INFO: task .* blocked|KASAN:|unreferenced object|Kernel panic'

# The core kernel's known KCSAN reports: an ERE on the title (what follows
# "data-race in "), a tab, and why it is not a bug of ipcdev.
KNOWN_KCSAN="\
^virtqueue_get_buf_ctx_(split|packed)	race at unknown origin: the virtio device (QEMU, outside the kernel) advances the used ring's index that the driver polls; there is no kernel writer to race with (virtio-serial console and 9p traffic)
^(do_nanosleep / hrtimer_wakeup|hrtimer_wakeup / do_nanosleep)	hrtimer_wakeup() clears the sleeper's hrtimer_sleeper.task from the timer interrupt while do_nanosleep() polls it in its loop, a plain access on both sides by design (kernel/time/hrtimer.c; the sleeper re-checks under set_current_state); seen here from a test's nanosleep(), no ipcdev frame
^release_task	release_task() (wait4() reaping a child) reads the dead task's CPU-time accounting while the scheduler, which KCSAN does not instrument (kernel/sched/Makefile: KCSAN_SANITIZE := n), may still update it from another CPU: a race at unknown origin in the core kernel; seen from ipckill_test's wait4() on the faults kernel, no ipcdev frame
^(complete_signal / do_group_exit|do_group_exit / complete_signal)	do_group_exit() reads signal->flags (SIGNAL_GROUP_EXIT) without siglock and checks again under it, while a kill() of the same process group sets it in complete_signal() under siglock: a lockless read by design (kernel/exit.c, kernel/signal.c); seen from ipckill_test's killed children on the faults kernel, no ipcdev frame
^_find_next_and_bit	the scheduler's load balancer (trigger_load_balance() from the timer tick, kernel/sched/fair.c) scans the nohz idle-CPU mask locklessly by design while other CPUs set and clear their bits entering and leaving idle, in code KCSAN does not instrument (kernel/sched/Makefile: KCSAN_SANITIZE := n): a race at unknown origin in the core kernel; seen once during ipcfault_test's page fault (filemap_map_pages) on the faults kernel, no ipcdev frame
^tick_	the tick code updates its per-CPU tick_sched state from the timer interrupt while the idle loop of the same CPU reads it, and reads tick_do_timer_cpu of other CPUs, without locks by design (kernel/time/tick-sched.c; seen here: tick_irq_enter / tick_nohz_idle_got_tick)"

# The debug kernel's known early-boot report (its README): an interrupt
# (handle_edge_irq) during start_kernel, long before any module.  KASAN
# turns lockdep off after it, so such a boot is retried, never used.
KNOWN_EARLY_BOOT='BUG: KASAN: wild-memory-access in do_raw_spin_lock'

boot=
ignored=/dev/null
while [ $# -gt 0 ]; do
	case $1 in
	--boot) boot=1; shift ;;
	--ignored) ignored=$2; shift 2 ;;
	--known-early)
		shift
		reports=$(cat "$@")
		[ -n "$reports" ] || exit 1
		! printf '%s\n' "$reports" | grep -v -F "$KNOWN_EARLY_BOOT" | grep -q .
		exit
		;;
	--) shift; break ;;
	-*) echo "log-scan.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done

pat=$REPORTS
[ -n "$boot" ] && pat=$BOOT_REPORTS

awk -v pat="$pat" -v known="$KNOWN_KCSAN" -v ignored="$ignored" '
BEGIN {
	n = split(known, lines, "\n")
	for (i = 1; i <= n; i++) {
		split(lines[i], f, "\t")
		kre[i] = f[1]; kwhy[i] = f[2]
	}
	nk = n; bad = 0; inrep = 0
}
# The log line without its "[  12.345678] " time stamp.
function text(s) {
	sub(/\r$/, "", s)	# the serial console ends lines with \r\n
	sub(/^<[0-9]+>/, "", s)
	sub(/^\[ *[0-9]+\.[0-9]+\] ?/, "", s)
	return s
}
function report(s) { print s; bad = 1 }
function endrep(   i, t) {
	inrep = 0
	if (mod != "") {
		report(title)
		report("  module frames:" mod)
		return
	}
	t = title
	sub(/^.*data-race in /, "", t)
	for (i = 1; i <= nk; i++)
		if (t ~ kre[i]) {
			print "ignored: " title " -- " kwhy[i] >> ignored
			return
		}
	report(title " (unknown KCSAN report: not in log-scan.sh KNOWN_KCSAN)")
}
{
	s = text($0)
	if (inrep) {
		if (s ~ /\[ipcdev\]/) { mod = mod " " s }
		if (s ~ /^=====+$/) { endrep(); next }
		if (s !~ /BUG: KCSAN:/) {
			# Not swallowed by an unterminated KCSAN report.
			if (s ~ pat) report($0)
			next
		}
		endrep()	# a new report before the end line
	}
	if (s ~ /BUG: KCSAN:/) {
		inrep = 1; title = s; mod = ""
		next
	}
	if (s ~ pat) report($0)
}
END {
	if (inrep) endrep()
	exit bad
}' "$@"
