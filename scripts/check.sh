#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/check.sh: the test suite (`make check` and its lanes), on the host.
#
#   0. snapshot what the machine boots (scripts/boot-state.sh), then
#      scripts/deps.sh: packages (headers only, never a kernel image) and the
#      test kernels, unpacked into $IPCDEV_CACHE/kernels (IPCDEV_NO_DEPS=1
#      skips it)
#   1. make userspace selftests, once
#   2. for each kernel: build the module (W=1), boot the kernel in a VM
#      (scripts/vm-run) and run scripts/guest-check.sh there, which loads the
#      module, runs the selftests and checks the kernel log and the unload;
#      then, on the host, scan the saved console log (scripts/log-scan.sh):
#      the boot before the module (1 test) and everything after it (1 test),
#      which finds a report the ring buffer lost
#   3. compare what the machine boots with the snapshot of step 0 (1 test):
#      /boot, the boot loader's configuration and the installed linux-image
#      packages must be as they were
#
# Kernels: IPCDEV_KERNELS="6.1 6.12-rt ..." (releases, aliases of
# $IPCDEV_CACHE/kernels/aliases, or the test kernels of ../shared/kernels:
# `debug` = KASAN + lockdep + kmemleak, `faults` = KCSAN + fault injection +
# kmemleak), default: the four Debian kernels 6.1, 6.12, 6.1-rt, 6.12-rt.
# `make check` chooses 6.1 and 6.12, `make check-rt` the two RT ones,
# `make check-debug` and `make check-faults` the test kernels.
#
# Lanes: each kernel's lane (IPCDEV_LANE in the guest) is `debug`, `faults`,
# `rt` (a PREEMPT_RT release) or `stock`.  The expected test programs are
# derived from the sources (selftests/*_test.c, plus bench_smoke_test): one
# that was not built counts as failed.  ipcfault*_test is expected and run
# on the faults lane only.
#
# Broken boots are retried, up to IPCDEV_BOOT_TRIES boots in all (default
# 4), on every lane; nothing of ipcdev has run in them:
#   - a boot whose only report is the debug kernel's known early-boot KASAN
#     report (its README; log-scan.sh --known-early): guest-check stops
#     before loading the module (IPCDEV_BOOT_RETRY=1, exit 75);
#   - a hung boot: the guest did not start guest-check within
#     IPCDEV_BOOT_TIMEOUT seconds (default 480; vm-run --boot-timeout,
#     exit 126).
# A boot that reports anything else fails, as does the last of the tries.
#
# Other knobs: IPCDEV_SHARED (the shared/ directory of the test kernels;
# default ../shared beside the checkout, or beside the main checkout of a
# git worktree), IPCDEV_VM_TIMEOUT (wall-clock limit of one VM, seconds),
# IPCDEV_TEST_TIMEOUT (one test program, seconds), IPCDEV_PYTEST (the path
# for the python step in the guest; default userspace/python/tests, the
# ipcdev Python package's tests, on the stock lane; set it empty to skip
# the step, or to a path to run it on the rt, debug and faults lanes too:
# `IPCDEV_PYTEST=$PWD/userspace/python/tests make check-rt`),
# IPCDEV_VM_APPEND (extra kernel command line arguments for every boot),
# IPCDEV_CHECK_TAG (a name: this run's own files in build/check, summary-TAG,
# boot-state.before-TAG, userspace-TAG.log, so that .ci/run can run several
# lanes at once; their kernels' directories differ already).
#
# Logs and results: build/check/<kernel>/ (build.log, console.log, dmesg.log,
# counts, expected-tests; run1-console.log etc. for a retried first run).  The
# last line printed is `N passed, N failed` (also in build/check/summary, or
# summary-TAG), summed over all kernels (a
# build that fails counts as 1 failed test, and so does a VM that times out
# or dies); exit status 1 when anything failed.
set -eu

cd "$(dirname "$(readlink -f "$0")")/.."
TOP=$PWD
BUILD=${BUILD:-$TOP/build}
IPCDEV_CACHE=${IPCDEV_CACHE:-/var/cache/ipcdev}
KCACHE=$IPCDEV_CACHE/kernels
LOGS=$BUILD/check
# ../shared beside the checkout; in a git worktree, beside the main one.
SHARED=${IPCDEV_SHARED:-$TOP/../shared}
if [ -z "${IPCDEV_SHARED:-}" ] && [ ! -d "$SHARED" ]; then
	common=$(git -C "$TOP" rev-parse --path-format=absolute --git-common-dir 2>/dev/null || true)
	[ -n "$common" ] && [ -d "$common/../../shared" ] && SHARED=$(cd "$common/../../shared" && pwd)
fi
export IPCDEV_CACHE
unset MAKELEVEL MAKEFLAGS MFLAGS || true
PYTEST_SET=${IPCDEV_PYTEST+set}
PYTEST=${IPCDEV_PYTEST-$TOP/userspace/python/tests}

BOOT_TRIES=${IPCDEV_BOOT_TRIES:-4}
BOOT_TIMEOUT=${IPCDEV_BOOT_TIMEOUT:-480}

start=$(date +%s)
total_pass=0
total_fail=0
mkdir -p "$LOGS"
TAG=${IPCDEV_CHECK_TAG:+-$IPCDEV_CHECK_TAG}
SUMMARY=$LOGS/summary$TAG
BOOTSTATE=$LOGS/boot-state.before$TAG
rm -f "$SUMMARY"

say() { echo "check: $*"; }

# show_tail FILE: the end of a failed build's log.
show_tail() { tail -n 40 "$1" | sed 's/^/  | /'; }

# test_result PASS|FAIL NAME: one test of this script.
test_result() {
	if [ "$1" = PASS ]; then
		total_pass=$((total_pass + 1))
	else
		total_fail=$((total_fail + 1))
	fi
	say "[$1] $2"
}

# --- 0. what the machine boots, then the dependencies ------------------------------
scripts/boot-state.sh snapshot "$BOOTSTATE"
if [ -z "${IPCDEV_NO_DEPS:-}" ] && ! scripts/deps.sh; then
	say "FAILED: scripts/deps.sh"
	total_fail=$((total_fail + 1))
fi

# --- which kernels ---------------------------------------------------------
kernels=${IPCDEV_KERNELS:-$(awk '{ print $1 }' "$KCACHE/aliases" 2>/dev/null || true)}
kernels=$(echo $kernels)
if [ -z "$kernels" ]; then
	say "no kernel to test: $KCACHE/aliases is missing (scripts/deps.sh)"
	echo "0 passed, $((total_fail + 1)) failed" | tee "$SUMMARY"
	exit 1
fi
say "kernels: $kernels"

# unpack_kdir NAME: unpack ../shared/kernels/NAME-6.1.tar.xz once (keyed by
# the tarball's hash) into $IPCDEV_CACHE/NAME and print its build tree.
unpack_kdir() {
	local name=$1 tarball dir=$IPCDEV_CACHE/$1 sum
	tarball=$SHARED/kernels/$name-6.1.tar.xz
	[ "$name" = debug ] && tarball=${IPCDEV_DEBUG_TARBALL:-$tarball}
	[ "$name" = faults ] && tarball=${IPCDEV_FAULTS_TARBALL:-$tarball}
	if [ ! -r "$tarball" ]; then
		if [ "$name" != debug ]; then
			echo "no $name kernel tarball $tarball" >&2
			return 1
		fi
		# No ready build: make the same kernel from linux-source-6.1.
		echo "no debug kernel tarball $tarball: building it" >&2
		"$TOP/scripts/build-debug-kernel.sh" "$IPCDEV_CACHE/debug-built" >&2 || return 1
		echo "$IPCDEV_CACHE/debug-built/kdir-debug"
		return 0
	fi
	sum=$(sha256sum "$tarball" | cut -c1-64)
	if [ "$(cat "$dir/.stamp" 2>/dev/null)" != "$sum" ]; then
		rm -rf "$dir"
		mkdir -p "$dir"
		tar -xJf "$tarball" -C "$dir"
		echo "$sum" >"$dir/.stamp"
	fi
	echo "$dir/kdir-$name"
}

# expected_tests LANE: the test programs that must exist in build/selftests.
expected_tests() {
	local f n
	for f in "$TOP"/selftests/*_test.c; do
		n=$(basename "$f" .c)
		case $n in
		ipcfault*_test) [ "$1" = faults ] || continue ;;
		# Memory pressure needs a memory cgroup (or, on the faults
		# kernel, fail-nth); the debug kernel has neither.
		ipcmempressure_test) [ "$1" = debug ] && continue ;;
		esac
		echo "$n"
	done
	# The 1 GiB round trips (built from ipcbig_lib_test.c): the first
	# stock kernel only ($2 = 1).
	[ "${2:-0}" = 1 ] && echo ipcbig_gib_lib_test
	# bench/Makefile writes this TAP wrapper into build/selftests: every
	# benchmark row runs.  On the Debian kernels only: on the test kernels
	# it took 130-170 s of the hour and checks nothing about the module
	# that the selftests do not.
	case $1 in
	stock|rt) [ -f "$TOP/bench/ipcbench.c" ] && echo bench_smoke_test ;;
	esac
	return 0
}

# scan_console RESULTS: the host side of the log check, on the console log
# of the last run.  Counts the test of the part after guest-check's start
# mark, and sets boot_verdict for the part before it: clean, early-known
# (only the debug kernel's known early-boot report), early-bad, or no-mark
# (the suite did not start: counted as failed here).
boot_verdict=
scan_console() {
	local res=$1 con=$1/console.log line
	boot_verdict=no-mark
	if [ ! -f "$con" ] || ! line=$(grep -n -m1 'guest-check: start' "$con" | cut -d: -f1) ||
	   [ -z "$line" ]; then
		say "no guest-check start mark in $con: the suite did not start"
		test_result FAIL "console log: the suite started and its log is clean"
		return 0
	fi
	head -n "$((line - 1))" "$con" | scripts/log-scan.sh --boot >"$res/boot-reports" || true
	if [ ! -s "$res/boot-reports" ]; then
		boot_verdict=clean
	elif scripts/log-scan.sh --known-early "$res/boot-reports"; then
		boot_verdict=early-known
	else
		boot_verdict=early-bad
	fi
	if tail -n "+$line" "$con" | scripts/log-scan.sh --ignored "$res/console-ignored" \
		>"$res/console-reports"; then
		test_result PASS "console log clean after the module was loaded"
	else
		say "console log reports ($con):"
		sed 's/^/  | /' "$res/console-reports"
		test_result FAIL "console log clean after the module was loaded"
	fi
}

# --- userspace and selftests, once -------------------------------------------
say "building userspace and selftests"
if ! make userspace selftests >"$LOGS/userspace$TAG.log" 2>&1; then
	say "FAILED: make userspace selftests (log: $LOGS/userspace$TAG.log)"
	show_tail "$LOGS/userspace$TAG.log"
	total_fail=$((total_fail + 1))
fi

# --- each kernel ---------------------------------------------------------------
# run_kernel K: everything of one kernel (module build, VM, console scan);
# its counts are added to total_pass and total_fail (in a subshell when
# kernels run side by side: the caller adds them up from $LOGS/.kresult-K).
run_kernel() {
	local k=$1
	kstart=$(date +%s)
	kpass0=$total_pass
	kfail0=$total_fail
	echo
	say "===== kernel $k ====="

	timeout=${IPCDEV_VM_TIMEOUT:-3000}
	case $k in
	debug|faults)
		lane=$k
		name=$k
		res=$LOGS/$name
		rm -rf "$res"; mkdir -p "$res"
		if ! kdir=$(unpack_kdir "$k" 2>"$res/build.log"); then
			say "FAILED: $k kernel unavailable"; show_tail "$res/build.log"
			total_fail=$((total_fail + 1)); return 0
		fi
		vmkernel=$kdir/bzImage
		kver=$k
		buildargs="KVER=$k KDIR=$kdir"
		timeout=${IPCDEV_VM_TIMEOUT:-4500}	# KASAN/KCSAN beside 2 other lanes: 3600 s ran out once (pytest, load 8-9)
		;;
	*)
		rel=$(awk -v a="$k" '$1 == a { print $2 }' "$KCACHE/aliases" 2>/dev/null || true)
		[ -n "$rel" ] || rel=$k
		name=$rel
		res=$LOGS/$name
		rm -rf "$res"; mkdir -p "$res"
		case $rel in
		*-rt-*) lane=rt ;;
		*) lane=stock ;;
		esac
		vmkernel=$rel
		kver=$rel
		buildargs="KVER=$rel"
		;;
	esac
	ko=$BUILD/$kver/ipcdev.ko
	say "lane $lane, kernel $vmkernel"

	# shellcheck disable=SC2086
	if ! make module $buildargs >"$res/build.log" 2>&1; then
		say "FAILED: make module $buildargs (log: $res/build.log)"
		show_tail "$res/build.log"
		total_fail=$((total_fail + 1))
		return 0
	fi

	# The 1 GiB tests (minutes each under emulation) run once, on the
	# first stock kernel: the code they test is the same on every kernel.
	gib=0
	[ "$k" = "$gib_kernel" ] && gib=1
	expected_tests "$lane" "$gib" >"$res/expected-tests"
	# One program may take 25 min, a bound against a hang only
	# (ipcbig_lib_test took 846 s on the faults kernel beside three other
	# guests on two cores; the 1 GiB round trips under TCG; each half of
	# the fault injection on the faults kernel).
	vmenv=(--mem "${IPCDEV_VM_MEM:-6G}" --env "IPCDEV_PYTEST_GIB=${IPCDEV_PYTEST_GIB:-0}"
	       --env "IPCDEV_TEST_TIMEOUT=${IPCDEV_TEST_TIMEOUT:-1500}"
	       --env "IPCDEV_PYTEST_TIMEOUT=${IPCDEV_PYTEST_TIMEOUT:-1500}"
	       --env "IPCDEV_LANE=$lane" --env "IPCDEV_GIB=$gib" --env IPCDEV_BOOT_RETRY=1
	       --env "IPCDEV_EXPECTED_TESTS=$res/expected-tests")
	# The Python package's tests drive the module through the same library
	# calls as the selftests, which reach every ioctl directly: they run on
	# the stock lane (6.1 and 6.12), not elsewhere unless IPCDEV_PYTEST is
	# set.  Under KASAN or KCSAN and TCG they take longer than all the
	# selftests together (debug: more than 1300 s beside two other lanes,
	# which ran the VM out of its hour); on the RT kernels 450 s each, and
	# .ci/run's five lanes did not fit the hour with them (72 min here).
	pytest=$PYTEST
	case $lane in
	stock) ;;
	rt)
		# The Python 1 GiB round trips (test_bigobjects.py -m gib, many
		# minutes under TCG) run once, alone, on the first RT kernel:
		# the rt lane runs no other Python tests, and on the stock lane
		# they would push make check past 30 minutes.  What they test
		# (the package's pickling and copies) is the same on every
		# kernel; ipcbig_gib_lib_test covers the kernel side on stock.
		if [ -z "$PYTEST_SET" ]; then
			pytest=
			if [ "$k" = "$py_gib_kernel" ]; then
				pytest=$PYTEST/test_bigobjects.py
				vmenv+=(--env IPCDEV_PYTEST_MARK=gib)
			fi
		fi
		;;
	*) [ -z "$PYTEST_SET" ] && pytest= ;;
	esac
	[ -n "$pytest" ] && vmenv+=(--env "IPCDEV_PYTEST=$pytest")
	[ -n "${IPCDEV_VM_APPEND:-}" ] && vmenv+=(--append "$IPCDEV_VM_APPEND")
	run=1
	while :; do
		rc=0
		rm -f "$res/counts" "$res/broken-boot"
		scripts/vm-run --kernel "$vmkernel" --timeout "$timeout" --results "$res" \
			--boot-timeout "$BOOT_TIMEOUT" \
			"${vmenv[@]}" -- scripts/guest-check.sh "$ko" "$BUILD/selftests" || rc=$?

		# A broken boot, before anything of ipcdev ran: boot again.
		why=
		if [ "$rc" = 126 ] && [ -e "$res/.vm/boot-hung" ]; then
			why="a hung boot: guest-check did not start within ${BOOT_TIMEOUT}s"
		elif [ "$rc" = 75 ] && [ -f "$res/broken-boot" ] &&
		     scripts/log-scan.sh --known-early "$res/broken-boot"; then
			why="a broken boot: the test kernel's known early report, before the module"
		fi
		if [ -n "$why" ] && [ "$run" -lt "$BOOT_TRIES" ]; then
			say "boot $run of $BOOT_TRIES: $why; booting again"
			[ -f "$res/broken-boot" ] && sed 's/^/  | /' "$res/broken-boot"
			[ "$rc" = 126 ] && [ -f "$res/console.log" ] &&
				tail -n 5 "$res/console.log" | sed 's/^/  | /'
			for x in console.log dmesg.log broken-boot; do
				[ -f "$res/$x" ] && mv "$res/$x" "$res/boot$run-$x"
			done
			run=$((run + 1))
			continue
		fi
		[ -n "$why" ] && say "FAILED: boot $run of $BOOT_TRIES, the last: $why"

		p=0 f=0
		if [ -f "$res/counts" ]; then
			p=$(awk '$1 == "passed" { print $2 }' "$res/counts")
			f=$(awk '$1 == "failed" { print $2 }' "$res/counts")
		fi
		case $rc in
		0) ;;
		124) say "FAILED: the VM hit its time limit (${timeout}s)"; f=$((f + 1)) ;;
		125) say "FAILED: the guest died (panic?), see $res/console.log"; f=$((f + 1)) ;;
		*) [ "$f" -gt 0 ] || f=1 ;;
		esac

		# The console log, host side: its own tests.
		pass_before=$total_pass fail_before=$total_fail
		scan_console "$res"
		f=$((f + total_fail - fail_before)) p=$((p + total_pass - pass_before))
		total_pass=$pass_before total_fail=$fail_before

		# The known early report that guest-check did not see (its ring
		# buffer lost it): the run's failures are kept, its passes not.
		if [ "$boot_verdict" = early-known ] && [ "$run" -lt "$BOOT_TRIES" ]; then
			say "run $run: the debug kernel's known early-boot report, before the module:"
			sed 's/^/  | /' "$res/boot-reports"
			say "broken boot (lockdep is off after a KASAN report): retrying;" \
				"the run's $f failure(s) are kept, its $p passes dropped"
			total_fail=$((total_fail + f))
			for x in console.log dmesg.log counts boot-reports console-reports; do
				[ -f "$res/$x" ] && mv "$res/$x" "$res/run$run-$x"
			done
			run=$((run + 1))
			continue
		fi
		break
	done
	case $boot_verdict in
	clean) p=$((p + 1)); say "[PASS] boot log clean before the module was loaded" ;;
	no-mark) ;;	# counted by scan_console
	*)
		say "the kernel reported problems during boot, before the module was loaded:"
		sed 's/^/  | /' "$res/boot-reports"
		f=$((f + 1)); say "[FAIL] boot log clean before the module was loaded"
		;;
	esac

	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	say "kernel $k ($lane): $((total_pass - kpass0)) passed, $((total_fail - kfail0)) failed" \
		"($(( $(date +%s) - kstart )) s)"
}

# The 1 GiB tests (minutes each under emulation) run once, on the first
# stock kernel: the code they test is the same on every kernel.
gib_kernel=
for k in $kernels; do
	case $k in debug|faults) continue ;; esac
	rel=$(awk -v a="$k" '$1 == a { print $2 }' "$KCACHE/aliases" 2>/dev/null || true)
	case ${rel:-$k} in *-rt-*) continue ;; esac
	gib_kernel=$k
	break
done
# ... and the Python ones on the first RT kernel (the rt lane; see above).
py_gib_kernel=
for k in $kernels; do
	rel=$(awk -v a="$k" '$1 == a { print $2 }' "$KCACHE/aliases" 2>/dev/null || true)
	case ${rel:-$k} in *-rt-*) py_gib_kernel=$k; break ;; esac
done

# IPCDEV_JOBS=N: up to N kernels at once, each in its own VM (default 1, one
# after the other, output live).  Side by side, each kernel's output goes
# to $LOGS/<kernel>.out and is printed in one piece when it ends; its counts
# come back in a file: a kernel whose run left none counts as 1 failed.
JOBS=${IPCDEV_JOBS:-1}
if [ "$JOBS" -le 1 ]; then
	for k in $kernels; do
		run_kernel "$k"
	done
else
	kpids=()
	for k in $kernels; do
		while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do sleep 2; done
		kf=$LOGS/.kresult-${k//\//_}
		rm -f "$kf"
		say "kernel $k: starting (output in $LOGS/${k//\//_}.out)"
		(
			total_pass=0 total_fail=0
			run_kernel "$k"
			echo "$total_pass $total_fail" >"$kf"
		) >"$LOGS/${k//\//_}.out" 2>&1 &
		kpids+=($!)
	done
	i=0
	for k in $kernels; do
		wait "${kpids[$i]}" || true
		i=$((i + 1))
		kf=$LOGS/.kresult-${k//\//_}
		cat "$LOGS/${k//\//_}.out"
		if read -r kp kf2 <"$kf" 2>/dev/null; then
			total_pass=$((total_pass + kp))
			total_fail=$((total_fail + kf2))
		else
			say "kernel $k: its run ended without counts: 1 failed"
			total_fail=$((total_fail + 1))
		fi
	done
fi

# --- 3. what the machine boots, unchanged? -------------------------------------------
echo
if scripts/boot-state.sh compare "$BOOTSTATE" >"$LOGS/boot-state$TAG.diff"; then
	test_result PASS "what the machine boots is unchanged (/boot, boot loader, linux-image packages)"
else
	sed 's/^/  | /' "$LOGS/boot-state$TAG.diff"
	test_result FAIL "what the machine boots is unchanged (/boot, boot loader, linux-image packages)"
fi

say "wall time $(( $(date +%s) - start )) s"
echo "$total_pass passed, $total_fail failed" | tee "$SUMMARY"
[ "$total_fail" = 0 ]
