# SPDX-License-Identifier: GPL-2.0
#
# ipcdev top-level Makefile.
#
#   make                 module (for KVER), library, tools, demo (no root, no
#                        linux-source: only the kernel headers and a compiler)
#   make KVER=6.12.x     module for another installed kernel
#   make selftests       the kselftest programs (needs linux-source-6.1)
#   make install         module into /lib/modules/$(KVER)/updates + depmod,
#                        udev rule, modules-load.d entry, library, header,
#                        ipcctl, man pages (PREFIX=/usr/local); uninstall
#   make deb             the Debian packages, into build/deb/
#   make check           the test suite in VMs on the Debian kernels 6.1 and
#                        6.12 (unpacked into a cache, never installed)
#   make check-rt        the same on the two PREEMPT_RT kernels, 6.1-rt and
#                        6.12-rt
#   make check-debug     the test suite on the debug kernel (KASAN, lockdep, ...)
#   make check-faults    the test suite on the faults kernel (KCSAN, fail-nth, ...)
#   make check-install   the packages installed, used and purged in a VM
#   make demo            the demo in a throwaway VM
#   make lint            sparse (C=2) and checkpatch --strict on the module
#   make bench           benchmark suite in VMs -> docs/performance.md
#
# Build products go under build/: build/<kver>/ipcdev.ko per kernel, and
# build/userspace, build/selftests for the kernel-independent parts.

TOP      := $(CURDIR)
BUILD    := $(TOP)/build
# The one version number (VERSION): modinfo, library, ipcctl, Python, man
# pages, the Debian packages and dkms.conf all take it from there.
VERSION  := $(strip $(file <$(TOP)/VERSION))
# The running kernel's build dir when it has one, else the newest installed
# kernel that has one (announced: the module is then not for this kernel).
ifeq ($(origin KVER),undefined)
KVER_RUNNING := $(shell uname -r)
ifneq ($(wildcard /lib/modules/$(KVER_RUNNING)/build),)
KVER     := $(KVER_RUNNING)
else
KVER     := $(shell for d in $$(ls -1 /lib/modules 2>/dev/null | sort -V -r); do \
              [ -d /lib/modules/$$d/build ] && { echo $$d; break; }; done)
KVER_NOTE := note: no headers for the running kernel $(KVER_RUNNING) \
	(install linux-headers-$(KVER_RUNNING)): the module is built for \
	$(if $(KVER),$(KVER) (build/$(KVER)/ipcdev.ko) instead,no kernel); \
	KVER=<release> picks another
endif
endif
# Cache of the test kernels (scripts/deps.sh) and of files extracted from
# Debian's linux-source (kselftest, checkpatch).
IPCDEV_CACHE ?= /var/cache/ipcdev
# The installed headers, else those deps.sh unpacked into the cache (Debian's
# 6.12 headers cannot be installed without their kernel image).
KDIR     ?= $(if $(wildcard /lib/modules/$(KVER)/build),/lib/modules/$(KVER)/build,$(or \
	    $(wildcard $(IPCDEV_CACHE)/kernels/$(KVER)/build),/lib/modules/$(KVER)/build))
MODDIR   := $(BUILD)/$(KVER)
KSFT_DIR := $(IPCDEV_CACHE)/ksft
export IPCDEV_CACHE KSFT_DIR BUILD VERSION

# Where `make install` puts things (the userspace Makefile has the rest).
PREFIX   ?= /usr/local
DESTDIR  ?=
UDEVDIR  ?= /etc/udev/rules.d
MODLOADDIR ?= /etc/modules-load.d
export PREFIX DESTDIR

MODULE_SRC := Kbuild VERSION $(wildcard module/*.c module/*.h) uapi/linux/ipcdev.h

.PHONY: all module kver-note userspace selftests check check-rt check-debug \
	check-faults demo lint \
	deps ksft clean bench install uninstall install-module uninstall-module \
	deb check-install version

all: module userspace

kver-note:
	@$(if $(KVER_NOTE),echo "$(strip $(KVER_NOTE))" >&2,:)

# Build in a per-kernel copy so that several kernels can be built side by side.
module: kver-note $(MODDIR)/ipcdev.ko
$(MODDIR)/ipcdev.ko: $(MODULE_SRC)
	@test -n "$(KVER)" -a -d "$(KDIR)" || { echo "no kernel build dir $(KDIR): install linux-headers-$(or $(KVER),$(KVER_RUNNING)) (or run make deps)"; exit 1; }
	mkdir -p $(MODDIR)
	cp -r --preserve=timestamps Kbuild VERSION module uapi $(MODDIR)/
	$(MAKE) -C $(KDIR) M=$(MODDIR) W=1 modules

version:
	@echo $(VERSION)

# The module into /lib/modules/$(KVER)/updates (found before the kernel's
# own modules, kept out of the kernel package's files), depmod, the udev rule
# (device access: 0666, or a group: see the file) and the modules-load.d
# entry that loads ipcdev at boot.  The library, header, ipcctl and man
# pages: userspace/Makefile install.  (DKMS and the Debian packages do the
# same without this rule: dkms.conf, debian/.)
install: install-module
	$(MAKE) -C userspace BUILD=$(BUILD) install

install-module: module
	$(MAKE) -C $(KDIR) M=$(MODDIR) INSTALL_MOD_DIR=updates \
		$(if $(DESTDIR),INSTALL_MOD_PATH=$(DESTDIR)) modules_install
	$(if $(DESTDIR),depmod -b $(DESTDIR) $(KVER),depmod $(KVER))
	install -D -m 0644 dist/60-ipcdev.rules $(DESTDIR)$(UDEVDIR)/60-ipcdev.rules
	install -D -m 0644 dist/modules-load-ipcdev.conf $(DESTDIR)$(MODLOADDIR)/ipcdev.conf
	@$(if $(DESTDIR),:,command -v udevadm >/dev/null && udevadm control --reload || :)

uninstall: uninstall-module
	$(MAKE) -C userspace BUILD=$(BUILD) uninstall

uninstall-module:
	rm -f $(foreach z,.ko .ko.xz .ko.zst .ko.gz,$(DESTDIR)/lib/modules/$(KVER)/updates/ipcdev$(z)) \
	      $(DESTDIR)$(UDEVDIR)/60-ipcdev.rules $(DESTDIR)$(MODLOADDIR)/ipcdev.conf
	$(if $(DESTDIR),depmod -b $(DESTDIR) $(KVER),depmod $(KVER))

# The Debian packages (debian/), built offline from a copy of the tree under
# build/deb/ (dpkg-buildpackage writes its results into the parent of the
# source directory): ipcdev-dkms, libipcdev2, libipcdev-dev, ipcdev-tools,
# python3-ipcdev.  PATH is Debian's own, so that a Python of pyenv or a
# virtualenv does not stand in for /usr/bin/python3.
DEBSRC := $(BUILD)/deb/ipcdev-$(VERSION)
deb:
	@v=$$(dpkg-parsechangelog -l debian/changelog -S Version); \
	[ "$$v" = "$(VERSION)" ] || { echo "debian/changelog is at $$v, VERSION at $(VERSION): add a changelog entry (dch -v $(VERSION))" >&2; exit 1; }
	rm -rf $(BUILD)/deb
	mkdir -p $(DEBSRC)
	tar -c --exclude=./build --exclude=./.git --exclude='__pycache__' . | tar -x -C $(DEBSRC)
	cd $(DEBSRC) && env PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		dpkg-buildpackage -us -uc -b --no-sign
	@ls -1 $(BUILD)/deb/*.deb

# The real-install lane: `make deb`, then in a VM dpkg -i, DKMS, modprobe,
# smoke tests of the installed copies, udev permissions, purge.
check-install:
	scripts/install-check.sh

userspace:
	$(MAKE) -C userspace BUILD=$(BUILD)
	$(MAKE) -C userspace/python BUILD=$(BUILD)

selftests: userspace ksft
	$(MAKE) -C selftests BUILD=$(BUILD) KSFT_DIR=$(KSFT_DIR)
	$(MAKE) -C bench BUILD=$(BUILD)

ksft:
	scripts/ksft-cache.sh $(KSFT_DIR)

deps:
	scripts/deps.sh

# The lanes (scripts/check.sh runs scripts/deps.sh itself, after taking the
# snapshot of what the machine boots that it compares at the end).
check:
	IPCDEV_KERNELS="$(or $(IPCDEV_KERNELS),6.1 6.12)" scripts/check.sh

check-rt:
	IPCDEV_KERNELS="6.1-rt 6.12-rt" scripts/check.sh

# The same suite on the KASAN/lockdep/kmemleak kernel of ../shared/kernels.
check-debug:
	IPCDEV_KERNELS=debug scripts/check.sh

# ... and on its KCSAN/fault-injection/kmemleak kernel.
check-faults:
	IPCDEV_KERNELS=faults scripts/check.sh

# The benchmark suite (issue 8) in VMs; writes docs/performance.md.
# BENCH_KERNELS="6.1 6.12" for both kernels (aliases of the cached Debian kernels).
bench:
	BENCH_KERNELS="$(BENCH_KERNELS)" bench/run.sh

demo:
	scripts/demo.sh

lint: ksft
	scripts/lint.sh $(KDIR)

clean:
	rm -rf $(BUILD)
	$(MAKE) -C userspace BUILD=$(BUILD) clean || true
	$(MAKE) -C selftests BUILD=$(BUILD) clean || true
