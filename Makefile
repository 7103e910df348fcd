# SPDX-License-Identifier: GPL-2.0
#
# ipcdev top-level Makefile.
#
#   make                 module (for KVER), library, tools, demo, selftests
#   make KVER=6.12.x     module for another installed kernel
#   make check           the test suite in a VM on every Debian kernel installed
#   make check-debug     the test suite on the debug kernel (KASAN, lockdep, ...)
#   make demo            the demo in a throwaway VM
#   make lint            sparse (C=2) and checkpatch --strict on the module
#   make bench           benchmark suite in VMs -> docs/performance.md
#
# Build products go under build/: build/<kver>/ipcdev.ko per kernel, and
# build/userspace, build/selftests for the kernel-independent parts.

TOP      := $(CURDIR)
BUILD    := $(TOP)/build
# The running kernel's build dir when it has one, else the newest installed.
KVER     ?= $(shell if [ -d /lib/modules/$$(uname -r)/build ]; then uname -r; \
              else ls -1 /lib/modules 2>/dev/null | sort -V | tail -n 1; fi)
KDIR     ?= /lib/modules/$(KVER)/build
MODDIR   := $(BUILD)/$(KVER)
# Cache of files extracted from Debian's linux-source (kselftest, checkpatch).
IPCDEV_CACHE ?= /var/cache/ipcdev
KSFT_DIR := $(IPCDEV_CACHE)/ksft
export IPCDEV_CACHE KSFT_DIR BUILD

MODULE_SRC := Kbuild $(wildcard module/*.c module/*.h) uapi/linux/ipcdev.h

.PHONY: all module userspace selftests check check-debug demo lint deps ksft clean bench

all: module userspace selftests

# Build in a per-kernel copy so that several kernels can be built side by side.
module: $(MODDIR)/ipcdev.ko
$(MODDIR)/ipcdev.ko: $(MODULE_SRC)
	@test -d $(KDIR) || { echo "no kernel build dir $(KDIR): install linux-headers-$(KVER) (or run make deps)"; exit 1; }
	mkdir -p $(MODDIR)
	cp -r --preserve=timestamps Kbuild module uapi $(MODDIR)/
	$(MAKE) -C $(KDIR) M=$(MODDIR) W=1 modules

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

check:
	scripts/deps.sh
	scripts/check.sh

# The same suite on the KASAN/lockdep/kmemleak kernel of ../shared/kernels.
check-debug:
	scripts/deps.sh
	IPCDEV_KERNELS=debug scripts/check.sh

# The benchmark suite (issue 8) in VMs; writes docs/performance.md.
# BENCH_KERNELS="6.1.0-56-amd64 6.12.117+deb12-amd64" for both kernels.
bench:
	BENCH_KERNELS="$(BENCH_KERNELS)" bench/run.sh

demo:
	scripts/deps.sh
	scripts/demo.sh

lint: ksft
	scripts/lint.sh $(KDIR)

clean:
	rm -rf $(BUILD)
	$(MAKE) -C userspace BUILD=$(BUILD) clean || true
	$(MAKE) -C selftests BUILD=$(BUILD) clean || true
