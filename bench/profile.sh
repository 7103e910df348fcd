#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# bench/profile.sh OUT: profile ipcdev against its anchors, INSIDE the
# benchmark VM (module loaded), with perf record -e cpu-clock -a -g (the
# only event a TCG guest offers: no PMU).  For each pair below, one
# ipcbench pass of that test and mechanism alone, then the top kernel and
# user symbols (self time, no children).  Appends to OUT; never fails.
out=${1:-/dev/stdout}
bin=build/bench/ipcbench
tmp=$(mktemp -d)
if ! command -v perf >/dev/null 2>&1; then
	echo "perf: not installed in the guest" >>"$out"
	exit 0
fi
# record TITLE COMMAND...: profile COMMAND, append its top symbols as TITLE.
record() {
	echo "#### $1" >>"$out"
	echo >>"$out"
	shift
	if ! perf record -q -e cpu-clock -F 20000 -a -g -o "$tmp/p.data" -- \
		"$@" >/dev/null 2>"$tmp/err"; then
		echo "perf record failed: $(tail -n 3 "$tmp/err")" >>"$out"
		echo >>"$out"
		return
	fi
	echo '```' >>"$out"
	perf report -i "$tmp/p.data" --stdio --no-children --sort sym -g none \
		--percent-limit 1.2 2>/dev/null | grep -v '^#' | grep -v '^$' |
		head -n 28 >>"$out"
	echo '```' >>"$out"
	echo >>"$out"
}
prof() {
	record "$1: $2" "$bin" --only "$1" --mech "$2" --rounds 1 --no-mem
}
prof rtt ipcqueue
prof rtt "POSIX mq"
prof rtt ipcpipe
prof rtt "pipe(2)"
prof stream ipcqueue
prof stream "POSIX mq"
prof batch ipcqueue
prof batch ipcpipe
prof wake ipcevent
prof wake eventfd
prof lock "ipcshm lock"
# io_uring, two processes, 4 KiB (bench/uringbench): ipcpipe, pipe(2) O_NONBLOCK
for m in ipcpipe pipe-nb; do
	record "uring 2proc 4096 B: $m" build/bench/uringbench --iters 4000 \
		--shape 2proc --size 4096 --mech "$m"
done
rm -rf "$tmp"
exit 0
