#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/deps.sh: what the build, the lint and the VM tests need, without
# ever changing what the machine boots.
#
#   scripts/deps.sh                  packages + the four test kernels
#   scripts/deps.sh kernel RELEASE   fetch one kernel into the cache
#                                    (RELEASE as in `uname -r`, or an alias:
#                                    6.1, 6.12, 6.1-rt, 6.12-rt)
#
# 1. Packages: apt-get installs the missing ones (build tools, QEMU, the
#    headers of the test kernels, linux-source-6.1, and what the packaging
#    and the other lanes use).  The install is simulated first and refused
#    when it would bring in a kernel image or touch the boot loader or the
#    initramfs generator (linux-image-*, grub*, initramfs-tools, dracut,
#    systemd-boot, shim*): headers never touch /boot, images would.
# 2. Kernels: the images of the test kernels are NOT installed.  Each
#    metapackage (linux-image-amd64, linux-image-6.12-amd64,
#    linux-image-rt-amd64, linux-image-6.12-rt-amd64) is resolved to its
#    versioned package with apt-cache depends, which is fetched with
#    `apt-get download` (or taken from /var/cache/apt/archives when a copy
#    with the archive's SHA256 is there) and unpacked with `dpkg-deb -x` into
#
#      $IPCDEV_CACHE/kernels/<release>/vmlinuz         the kernel
#      $IPCDEV_CACHE/kernels/<release>/config          its .config
#      $IPCDEV_CACHE/kernels/<release>/lib/modules/<release>/  its modules,
#                                                      with modules.dep
#      $IPCDEV_CACHE/kernels/<release>/stamp           package and version
#      $IPCDEV_CACHE/kernels/aliases                   `6.1 <release>` ...
#
#    scripts/vm-run boots them from there (it never reads /boot or
#    /lib/modules/<release>/kernel); scripts/check.sh tests the releases of
#    `aliases`.  Fetching and unpacking need no root, only a writable cache.
# 3. Headers: a kernel's linux-headers-<release> is installed with apt when
#    it can be on its own (6.1's).  Debian's 6.12 headers depend on their
#    kernel image, so installing them would install a kernel: those are
#    fetched with their -common and linux-kbuild packages and unpacked the
#    same way, into
#
#      $IPCDEV_CACHE/kernels/<release>/headers/       the packages' files
#      $IPCDEV_CACHE/kernels/<release>/build          -> .../linux-headers-<release>
#      $IPCDEV_CACHE/kernels/<release>/headers.stamp  packages and versions
#
#    with the Makefile's include of the -common tree pointed at the cache.
#    The Makefile's KDIR and vm-run take that build link when
#    /lib/modules/<release>/build is not there.
#
# IPCDEV_DEPS_EXTRA="pkg ...": more packages (for a new lane), same rules.
# Idempotent and quiet: prints nothing when everything is there already;
# `apt-get update` runs only when a package or a kernel is missing.
set -eu

CACHE=${IPCDEV_CACHE:-/var/cache/ipcdev}
KCACHE=$CACHE/kernels
ARCHIVES=/var/cache/apt/archives

# alias:metapackage of the kernels that `make check` tests.
KERNEL_METAS="
	6.1:linux-image-amd64
	6.12:linux-image-6.12-amd64
	6.1-rt:linux-image-rt-amd64
	6.12-rt:linux-image-6.12-rt-amd64
"

PKGS="
	build-essential make gcc gcc-multilib kmod cpio xz-utils zstd perl
	busybox-static qemu-system-x86
	sparse dwarves bc flex bison libelf-dev libssl-dev
	python3 python3-pytest python3-dev
	linux-headers-amd64 linux-headers-rt-amd64
	linux-source-6.1
	dkms dh-dkms lintian debhelper devscripts dh-python pybuild-plugin-pyproject
	python3-setuptools python3-all gcc-multilib liburing-dev udev linux-perf
	${IPCDEV_DEPS_EXTRA:-}
"

# Packages that change what the machine boots: never installed from here.
BOOT_PKGS='^(linux-image-|linux-signed-|grub|initramfs-tools|dracut|systemd-boot|shim|u-boot)'

say() { echo "deps.sh: $*" >&2; }
die() { say "$*"; exit 1; }

is_root() { [ "$(id -u)" = 0 ]; }

updated=
apt_update() {	# once per run, only when something is missing
	[ -z "$updated" ] || return 0
	is_root || return 1
	say "apt-get update"
	apt-get update -q >"$log" 2>&1 || { cat "$log" >&2; die "apt-get update failed"; }
	updated=1
}

log=$(mktemp)
tmpd=
trap 'rm -f "$log"; [ -z "$tmpd" ] || rm -rf "$tmpd"' EXIT

# resolve META...: "META linux-image-<release>" for each META, from one
# apt-cache call (apt-cache is slow: about a second per call).
resolve() {
	apt-cache depends --no-recommends --no-suggests --no-conflicts \
		--no-breaks --no-replaces --no-enhances "$@" 2>/dev/null |
		awk '/^[^ ]/ { m = $1 }
		     $1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ && !seen[m]++ { print m, $2 }'
}

# candidates PKG...: "PKG VERSION SHA256" of the candidate version of each.
candidates() {
	apt-cache show --no-all-versions "$@" 2>/dev/null |
		awk '/^Package: / { p = $2 } /^Version: / { v = $2 }
		     /^SHA256: / { print p, v, $2 }'
}

installed() {
	[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" = installed ]
}

# --- the test kernels' releases ----------------------------------------------
# releases: "alias release" lines for KERNEL_METAS, in their order.
releases() {
	local am metas='' r out='' p
	for am in $KERNEL_METAS; do metas="$metas ${am#*:}"; done
	# shellcheck disable=SC2086
	r=$(resolve $metas)
	for am in $KERNEL_METAS; do
		p=$(echo "$r" | awk -v m="${am#*:}" '$1 == m { print $2 }')
		[ -n "$p" ] || return 1
		out="$out${am%%:*} ${p#linux-image-}
"
	done
	printf %s "$out"
}

# --- kernels into the cache ---------------------------------------------------
# fetch_kernels RELEASE...: download and unpack each linux-image-RELEASE
# whose candidate version the cache does not hold yet.
fetch_kernels() {
	local rel pkgs='' cand ver sum
	for rel in "$@"; do pkgs="$pkgs linux-image-$rel"; done
	# shellcheck disable=SC2086
	cand=$(candidates $pkgs)
	for rel in "$@"; do
		if ! echo "$cand" | grep -q "^linux-image-$rel "; then
			apt_update || true
			# shellcheck disable=SC2086
			cand=$(candidates $pkgs)
		fi
		read -r ver sum <<<"$(echo "$cand" |
			awk -v p="linux-image-$rel" '$1 == p { print $2, $3; exit }')"
		[ -n "$sum" ] || die "no package linux-image-$rel in the apt lists"
		fetch_kernel "$rel" "$ver" "$sum"
	done
}

# fetch_kernel RELEASE VERSION SHA256
fetch_kernel() {
	local rel=$1 pkg=linux-image-$1 ver=$2 sum=$3 deb dir=$KCACHE/$1 st
	[ "$(cat "$dir/stamp" 2>/dev/null)" = "$pkg $ver" ] && return 0

	mkdir -p "$KCACHE"
	tmpd=$(mktemp -d "$KCACHE/.fetch-$rel.XXXXXX")
	deb=$ARCHIVES/${pkg}_${ver//:/%3a}_amd64.deb
	if [ -r "$deb" ] && [ -n "$sum" ] &&
	   [ "$(sha256sum <"$deb" | cut -c1-64)" = "$sum" ]; then
		say "kernel $rel: using $deb"
	else
		say "kernel $rel: apt-get download $pkg=$ver"
		chmod 0755 "$tmpd"
		if ! (cd "$tmpd" && apt-get download -q -o APT::Sandbox::User=root \
			"$pkg=$ver") >"$log" 2>&1; then
			cat "$log" >&2
			die "apt-get download $pkg=$ver failed"
		fi
		deb=$(ls "$tmpd"/*.deb)
	fi
	say "kernel $rel: unpacking into $dir"
	dpkg-deb -x "$deb" "$tmpd/x"
	st=$tmpd/x
	[ -f "$st/boot/vmlinuz-$rel" ] || die "$pkg has no /boot/vmlinuz-$rel"
	[ -d "$st/lib/modules/$rel" ] || die "$pkg has no /lib/modules/$rel"
	mkdir -p "$tmpd/k/lib/modules"
	mv "$st/boot/vmlinuz-$rel" "$tmpd/k/vmlinuz"
	[ -f "$st/boot/config-$rel" ] && mv "$st/boot/config-$rel" "$tmpd/k/config"
	[ -f "$st/boot/System.map-$rel" ] && mv "$st/boot/System.map-$rel" "$tmpd/k/System.map"
	mv "$st/lib/modules/$rel" "$tmpd/k/lib/modules/$rel"
	# What the package's postinst would have made: modules.dep & co.
	depmod -b "$tmpd/k" "$rel" || die "depmod -b $tmpd/k $rel failed"
	echo "$pkg $ver" >"$tmpd/k/stamp"
	rm -rf "$dir"
	mv "$tmpd/k" "$dir"
	rm -rf "$tmpd"
	tmpd=
}

# --- headers that apt cannot install without their kernel -------------------
# headers_need_image RELEASE: linux-headers-RELEASE depends on a kernel image.
headers_need_image() {
	apt-cache show --no-all-versions "linux-headers-$1" 2>/dev/null |
		grep -q '^Depends:.* linux-image-'
}

# header_pkgs RELEASE: linux-headers-RELEASE and the linux-headers-*/
# linux-kbuild-* packages it depends on.
header_pkgs() {
	echo "linux-headers-$1"
	apt-cache show --no-all-versions "linux-headers-$1" 2>/dev/null |
		sed -n 's/^Depends: //p' | tr ',|' '\n\n' |
		awk '$1 ~ /^linux-(headers|kbuild)-/ { print $1 }'
}

# fetch_headers RELEASE: unpack the headers into $KCACHE/RELEASE (see 3.).
fetch_headers() {
	local rel=$1 dir=$KCACHE/$1 pkgs cand want p ver sum deb mk
	pkgs=$(header_pkgs "$rel" | sort -u)
	# shellcheck disable=SC2086
	cand=$(candidates $pkgs)
	want=$(echo "$cand" | awk '{ print $1, $2 }' | sort)
	[ "$(echo "$want" | wc -l)" = "$(echo "$pkgs" | wc -l)" ] ||
		die "linux-headers-$rel: not every package is in the apt lists:" $pkgs
	[ "$(cat "$dir/headers.stamp" 2>/dev/null)" = "$want" ] && return 0
	tmpd=$(mktemp -d "$KCACHE/.headers-$rel.XXXXXX")
	chmod 0755 "$tmpd"
	while read -r p ver sum; do
		deb=$ARCHIVES/${p}_${ver//:/%3a}_$(dpkg --print-architecture).deb
		[ -r "$deb" ] || deb=$ARCHIVES/${p}_${ver//:/%3a}_all.deb
		if ! [ -r "$deb" ] ||
		   [ "$(sha256sum <"$deb" | cut -c1-64)" != "$sum" ]; then
			say "headers $rel: apt-get download $p=$ver"
			if ! (cd "$tmpd" && apt-get download -q \
				-o APT::Sandbox::User=root "$p=$ver") >"$log" 2>&1; then
				cat "$log" >&2
				die "apt-get download $p=$ver failed"
			fi
			deb=$(ls "$tmpd"/"${p}"_*.deb)
		fi
		dpkg-deb -x "$deb" "$tmpd/h"
	done <<<"$cand"
	mk=$tmpd/h/usr/src/linux-headers-$rel/Makefile
	[ -f "$mk" ] || die "linux-headers-$rel has no /usr/src/linux-headers-$rel/Makefile"
	# The package includes its -common tree by its installed path.
	sed -i "s|^include /usr/src/|include $dir/headers/usr/src/|" "$mk"
	say "headers $rel: unpacked into $dir/headers"
	rm -rf "$dir/headers" "$dir/build"
	mv "$tmpd/h" "$dir/headers"
	ln -s "$dir/headers/usr/src/linux-headers-$rel" "$dir/build"
	echo "$want" >"$dir/headers.stamp"
	rm -rf "$tmpd"
	tmpd=
}

# One deps.sh at a time changes the kernel cache.
lock_cache() {
	mkdir -p "$KCACHE"
	exec 9>"$KCACHE/.lock"
	flock 9
}

if [ "${1:-}" = kernel ]; then
	[ $# = 2 ] || die "usage: deps.sh kernel RELEASE"
	rel=$2
	lock_cache
	a=$(awk -v a="$rel" '$1 == a { print $2 }' "$KCACHE/aliases" 2>/dev/null || true)
	[ -n "$a" ] && rel=$a
	fetch_kernels "$rel"
	exit 0
fi
[ $# = 0 ] || die "usage: deps.sh [kernel RELEASE]"

# --- packages ----------------------------------------------------------------------
if ! rels=$(releases); then
	apt_update || die "cannot resolve the kernel metapackages (apt-get update as root)"
	rels=$(releases) || die "cannot resolve the kernel metapackages:$KERNEL_METAS"
fi

# The test kernels' headers: from apt, or into the cache (see 3.).
hdr_apt='' hdr_cache=''
for rel in $(echo "$rels" | awk '{ print $2 }'); do
	if installed "linux-headers-$rel"; then
		:
	elif headers_need_image "$rel"; then
		hdr_cache="$hdr_cache $rel"
	else
		hdr_apt="$hdr_apt linux-headers-$rel"
	fi
done

# shellcheck disable=SC2086
missing=$(echo $PKGS $hdr_apt |
	tr ' ' '\n' | while read -r p; do installed "$p" || printf ' %s' "$p"; done)
if [ -n "$missing" ]; then
	is_root || die "missing packages:$missing (run as root to install them)"
	apt_update
	export DEBIAN_FRONTEND=noninteractive
	# shellcheck disable=SC2086
	if ! apt-get install -s -q --no-install-recommends $missing >"$log" 2>&1; then
		cat "$log" >&2
		die "apt-get install (simulated) failed"
	fi
	bad=$(awk '$1 == "Inst" { print $2 }' "$log" | grep -E "$BOOT_PKGS" | tr '\n' ' ' || true)
	if [ -n "$bad" ]; then
		die "refusing to install packages that change what the machine boots:" \
			"$bad(wanted by:$missing)"
	fi
	say "installing:$missing"
	# Print apt's output only when it fails.
	# shellcheck disable=SC2086
	if ! apt-get install -y -q --no-install-recommends $missing >"$log" 2>&1; then
		cat "$log" >&2
		die "apt-get install failed"
	fi
fi

# --- kernels ---------------------------------------------------------------------------
lock_cache
# shellcheck disable=SC2046
fetch_kernels $(echo "$rels" | awk '{ print $2 }')
for rel in $hdr_cache; do fetch_headers "$rel"; done
if [ "$(cat "$KCACHE/aliases" 2>/dev/null || true)" != "$rels" ]; then
	echo "$rels" >"$KCACHE/aliases.tmp"
	mv "$KCACHE/aliases.tmp" "$KCACHE/aliases"
fi
