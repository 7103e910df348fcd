#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/run.sh: the benchmark suite on the host (`make bench`).
#
# For each kernel of BENCH_KERNELS (default: 6.1, an alias): build the
# module, then
#   1. boot it under QEMU's deterministic mode (scripts/vm-run --icount:
#      -icount shift=0,sleep=off, one vCPU; guest time counts guest
#      instructions) and run build/bench/ipcbench: the primary figures;
#      then bench/uringbench (io_uring on ipcpipe and pipe(2)) at depths 8
#      and 2;
#   2. boot it again as a normal TCG guest with two vCPUs and run ipcbench
#      --pin (every process pinned to CPU 0): wall-clock figures; then, in
#      the same boot, ipcbench --spread: the contended lock and the 4+4
#      queue with their processes pinned to CPU 0 and CPU 1;
#   3. bench/pybench.py, the Python package against multiprocessing, in a
#      normal TCG guest with 2 vCPUs and again with 1 (wall clock);
#   4. when the guest's perf works (the host's linux-perf matches the 6.1
#      kernel only), profile the 64 B round trips under --icount with
#      perf record -e cpu-clock -a -g.
# Each run's tables are printed as it ends.  Then write docs/performance.md:
# machine, method, the tables, the profile and bench/notes.md (the
# analysis, hand-written from earlier runs).  A run that is skipped leaves
# a "skipped" file saying why, which the report shows.
#
# Knobs: BENCH_KERNELS, BENCH_ROUNDS (icount rounds, default 5),
# BENCH_WALL_ROUNDS (default 3), BENCH_SCALE (iteration scale, default 1),
# BENCH_WALL=0 (skip the wall-clock boot), BENCH_PY=0 (skip the Python
# runs), BENCH_PY_ROUNDS (default 3), BENCH_PY_SCALE (default BENCH_SCALE), BENCH_PROFILE=0 (skip perf),
# BENCH_OUT (default docs/performance.md), BENCH_TIMEOUT (per VM, s).
set -eu

cd "$(dirname "$(readlink -f "$0")")/.."
TOP=$PWD
BUILD=${BUILD:-$TOP/build}
KERNELS=${BENCH_KERNELS:-6.1}
# Aliases (6.1, 6.12, ...) name the cached Debian kernels (scripts/deps.sh).
KCACHE=${IPCDEV_CACHE:-/var/cache/ipcdev}/kernels
resolve() {
	local r
	r=$(awk -v a="$1" '$1 == a { print $2 }' "$KCACHE/aliases" 2>/dev/null)
	echo "${r:-$1}"
}
k_=
for k in $KERNELS; do k_="$k_ $(resolve "$k")"; done
KERNELS=${k_# }
ROUNDS=${BENCH_ROUNDS:-5}
WALL_ROUNDS=${BENCH_WALL_ROUNDS:-3}
SCALE=${BENCH_SCALE:-1}
OUT=${BENCH_OUT:-$TOP/docs/performance.md}
TIMEOUT=${BENCH_TIMEOUT:-5400}
RES=$BUILD/bench/results
unset MAKELEVEL MAKEFLAGS MFLAGS || true

say() { echo "bench: $*" >&2; }

# The tree measured is the one built now, whatever changes during the run.
BENCH_REV=$(git describe --always --dirty 2>/dev/null || echo unknown)
export BENCH_REV
make -C bench BUILD="$BUILD" >/dev/null
make userspace BUILD="$BUILD" >/dev/null	# the Python package's library and C helper
rm -rf "$RES"
mkdir -p "$RES"
t_all=$(date +%s)

# Print a run's tables (stdout: the make bench log), or that it has none.
show() {
	local f
	for f in "$@"; do
		[ -f "$f" ] || continue
		echo
		if [ -s "$f" ]; then cat "$f"; else echo "($f: no tables)"; fi
	done
}

for k in $KERNELS; do
	say "kernel $k: building the module"
	make module KVER="$k" >"$RES/build-$k.log" 2>&1 ||
		{ tail -n 30 "$RES/build-$k.log" >&2; exit 1; }
	ko=$BUILD/$k/ipcdev.ko
	d=$RES/$k
	mkdir -p "$d/icount" "$d/wall"

	prof=
	if [ "${BENCH_PROFILE:-1}" != 0 ]; then
		prof="sh bench/profile.sh /run/results/profile.txt"
	fi
	say "kernel $k: icount run ($ROUNDS rounds)"
	start=$(date +%s)
	scripts/vm-run --kernel "$k" --icount --timeout "$TIMEOUT" --results "$d/icount" -- \
		sh -c "insmod $ko && build/bench/ipcbench --rounds $ROUNDS --scale $SCALE \
			--title '$k, QEMU -icount shift=0 (virtual time), 1 vCPU' \
			>/run/results/tables.md; rc=\$?; \
			for dp in 8 2; do build/bench/uringbench --iters 8000 --depth \$dp \
				>/run/results/uring-\$dp.txt 2>&1 || echo FAILED >>/run/results/uring-\$dp.txt; done; \
			${prof:-true}; \
			cat /proc/cpuinfo | grep -m1 'model name' >/run/results/guest-cpu; exit \$rc" ||
		say "kernel $k: icount run failed (status $?), see $d/icount"
	echo $(( $(date +%s) - start )) >"$d/icount/seconds"
	show "$d/icount/tables.md"

	if [ "${BENCH_WALL:-1}" != 0 ]; then
		say "kernel $k: wall-clock run, pinned ($WALL_ROUNDS rounds)"
		start=$(date +%s)
		scripts/vm-run --kernel "$k" --smp 2 --timeout "$TIMEOUT" --results "$d/wall" -- \
			sh -c "insmod $ko || exit 1; build/bench/ipcbench --pin --no-mem --rounds $WALL_ROUNDS \
				--scale $SCALE \
				--title '$k, normal TCG guest, 2 vCPUs, all processes pinned to CPU 0 (wall clock)' \
				>/run/results/tables.md; rc=\$?; \
				s=\$(date +%s); \
				build/bench/ipcbench --spread --rounds $WALL_ROUNDS --scale $SCALE \
				--title '$k, normal TCG guest, 2 vCPUs, processes pinned to CPU 0 and CPU 1 (wall clock)' \
				>/run/results/spread.md || rc=1; \
				echo \$(( \$(date +%s) - s )) >/run/results/spread-seconds; exit \$rc" ||
			say "kernel $k: wall-clock run failed (status $?), see $d/wall"
		echo $(( $(date +%s) - start )) >"$d/wall/seconds"
		show "$d/wall/tables.md" "$d/wall/spread.md"
	else
		echo "BENCH_WALL=0" >"$d/wall/skipped"
	fi

	if [ "${BENCH_PY:-1}" != 0 ]; then
		for cpus in 2 1; do
			say "kernel $k: Python run, $cpus vCPU(s) (${BENCH_PY_ROUNDS:-3} rounds)"
			mkdir -p "$d/py$cpus"
			start=$(date +%s)
			scripts/vm-run --kernel "$k" --smp "$cpus" --timeout "$TIMEOUT" --results "$d/py$cpus" -- \
				sh -c "insmod $ko && /usr/bin/python3 bench/pybench.py \
					--rounds ${BENCH_PY_ROUNDS:-3} --scale ${BENCH_PY_SCALE:-$SCALE} \
					--title '$k, normal TCG guest, $cpus vCPU(s), wall clock' \
					>/run/results/tables.md" ||
				say "kernel $k: Python run on $cpus vCPU(s): status $?, FAILED tests or a failed run, see $d/py$cpus"
			echo $(( $(date +%s) - start )) >"$d/py$cpus/seconds"
			show "$d/py$cpus/tables.md"
		done
	else
		for cpus in 2 1; do
			mkdir -p "$d/py$cpus"
			echo "BENCH_PY=0" >"$d/py$cpus/skipped"
		done
	fi
	if [ "${BENCH_PROFILE:-1}" = 0 ]; then
		echo "BENCH_PROFILE=0" >"$d/icount/profile-skipped"
	fi
done
echo $(( $(date +%s) - t_all )) >"$RES/seconds"

bench/report.sh "$RES" "$KERNELS" >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
say "wrote $OUT ($(cat "$RES/seconds") s of runs for: $KERNELS)"
