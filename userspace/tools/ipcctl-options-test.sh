#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# userspace/tools/ipcctl-options-test.sh [IPCCTL]: ipcctl's option parsing
# (getopt_long), without the module: a usage error exits 2 before any
# device is opened, anything that parsed exits with something else (3, no
# such object, when the module is not loaded; 0 or 1 when it is).  TAP;
# the last line is `N passed, N failed`.  IPCCTL defaults to
# build/userspace/tools/ipcctl.
set -u
IPCCTL=${1:-$(dirname "$(readlink -f "$0")")/../../build/userspace/tools/ipcctl}
n=0 pass=0 fail=0

# t DESCRIPTION WANT ARGS...: WANT is an exit status, "!2" (parsed: not a
# usage error), or "out:TEXT" (status 0 and stdout TEXT); for usage errors
# a second word "err:TEXT" also wants TEXT in stderr.
t() {
	local desc=$1 want=$2 rc out err ok=1
	shift 2
	local errwant=
	case ${1:-} in err:*) errwant=${1#err:}; shift ;; esac
	out=$("$IPCCTL" "$@" 2>/tmp/ipcctl-opt.$$) && rc=0 || rc=$?
	err=$(cat /tmp/ipcctl-opt.$$)
	case $want in
	'!2') [ "$rc" != 2 ] || ok= ;;
	out:*) [ "$rc" = 0 ] && [ "$out" = "${want#out:}" ] || ok= ;;
	*) [ "$rc" = "$want" ] || ok= ;;
	esac
	if [ -n "$errwant" ] && [[ $err != *"$errwant"* ]]; then ok=; fi
	n=$((n + 1))
	if [ -n "$ok" ]; then
		pass=$((pass + 1)); echo "ok $n - $desc"
	else
		fail=$((fail + 1)); echo "not ok $n - $desc (exit $rc)"
		printf '#   stdout: %s\n#   stderr: %s\n' "$out" "$err"
	fi
}

v=$(cat "$(dirname "$(readlink -f "$0")")/../../VERSION")
t "--version prints the version" "out:ipcctl $v" --version
t "-V prints the version" "out:ipcctl $v" -V
t "--help exits 0" 0 --help
t "unknown long option" 2 err:"unknown option '--bogus'" ls --bogus
t "unknown short option in a bundle" 2 err:"unknown option '-x'" ls -jx
t "bundled short options -jn" '!2' ls -jn
t "-k takes a value: -kqueue" '!2' ls -kqueue
t "option needs a value" 2 err:"needs a value" queue get x -t
t "long option with =value" '!2' queue get x --timeout=0.1
t "abbreviated long option --time" '!2' queue get x --time 0.1
t "ambiguous abbreviation --m (maxsize, msgsize-max, mode)" 2 queue create x --m 1
t "option not allowed for the verb" 2 rm queue x --json
t "options after operands" '!2' stat queue x --json
t "-- ends the options: -x is an operand" 2 err:"unexpected argument" ls -- -x
t "negative number as an operand, without --" '!2' value set v -5
t "negative number as an operand, after --" '!2' value set v -- -5
t "negative option value (bad timeout, no option error)" 2 err:"bad timeout" queue get x -t -1
t "- is an operand (stdin)" '!2' queue put x - </dev/null
t "-h in a subcommand" 0 queue get -h
rm -f /tmp/ipcctl-opt.$$
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
