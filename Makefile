# Makefile - builds the v4l2loopback kernel module (default target) and runs
# the project's targets: deps, test, shell, demo, bench.
#
#   make [KERNELRELEASE=<release>]   build kmod/v4l2loopback.ko (default: running kernel);
#                                    needs only that kernel's headers and a compiler
#   make clean                       remove build products
#   make install                     install the module (modules_install + depmod)
#   make install-utils [PREFIX=/usr/local]  install the v4l2loopback-ctl CLI
#   make install-udev                 install the udev rule (group video may manage devices)
#   make dkms-install / dkms-uninstall   register the module with DKMS (rebuilt on kernel updates)
#   make sign [KBUILD_SIGN_KEY=.. KBUILD_SIGN_CERT=..]  sign the module for Secure Boot
#   make deps                        install everything the project needs (Debian 12, root),
#                                    including the external-kernel cache (out/kernels/)
#   make deps-build                  install what building the module needs (Debian, root)
#   make test                        unit tests, the compile matrix (5.10 .. 7.x, arm64,
#                                    armhf), guest tests on 6.1, 6.12, 7.x (and 5.10's subset)
#   make shell [KERNEL=6.12]         interactive shell in a sandbox guest with the module loaded
#   make demo                        the end-to-end demo (see README)
#   make torture [KERNEL=6.1|6.12|7.3|debug|debug-7.3] [TORTURE=short] [TORTURE_SEED=n]
#                                    full torture suite (default: 6.1 and 6.12)
#   make debug-kernel [KVER=7.3]     build the KASAN/lockdep/kmemleak sandbox kernel
#                                    (6.1, or the newest 7.x: KERNEL=debug-7.3)

KERNELRELEASE ?= $(shell uname -r)
KERNEL ?= 6.1
# `make torture` runs on both test kernels unless KERNEL is given.
TORTURE_KERNELS = $(if $(filter command line environment,$(origin KERNEL)),$(KERNEL))
PARAMS ?=
PREFIX ?= /usr/local
DESTDIR ?=
UDEV_RULES_DIR ?= /etc/udev/rules.d
DKMS_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
DKMS_SRC ?= /usr/src/v4l2loopback-$(DKMS_VERSION)
# DKMS's own MOK key pair (Debian), used to sign unless told otherwise.
KBUILD_SIGN_KEY ?= $(wildcard /var/lib/dkms/mok.key)
KBUILD_SIGN_CERT ?= $(wildcard /var/lib/dkms/mok.pub)
CLI_DIR = $(DESTDIR)$(PREFIX)/lib/v4l2loopback

.PHONY: torture debug-kernel all modules clean install install-utils install-udev dkms-add dkms-install dkms-uninstall sign deps deps-build test shell demo

all modules:
	$(MAKE) -C kmod KERNELRELEASE=$(KERNELRELEASE)

# In the npm package there is no scripts/: the build prerequisites are the user's (docs/install.md).
deps-build:
	@if [ -x scripts/deps.sh ]; then scripts/deps.sh build; fi

deps:
	@scripts/deps.sh

install: all
	$(MAKE) -C kmod KERNELRELEASE=$(KERNELRELEASE) install

install-utils:
	scripts/install-utils.sh "$(CLI_DIR)" "$(DESTDIR)$(PREFIX)/bin"

install-udev:
	install -D -m 0644 udev/60-v4l2loopback.rules $(DESTDIR)$(UDEV_RULES_DIR)/60-v4l2loopback.rules
	-[ -z "$(DESTDIR)" ] && udevadm control --reload && udevadm trigger --subsystem-match=misc --subsystem-match=video4linux

# DKMS_FLAGS may point dkms at other trees (--dkmstree, --sourcetree), as the tests do.
dkms-add:
	rm -rf $(DKMS_SRC)
	install -d $(DKMS_SRC)
	cp dkms.conf $(DKMS_SRC)/
	tar -cf - --exclude='*.o' --exclude='*.ko' --exclude='*.mod*' --exclude='.*.cmd' \
		--exclude=modules.order --exclude=Module.symvers kmod | tar -xf - -C $(DKMS_SRC)
	dkms add -m v4l2loopback -v $(DKMS_VERSION) $(DKMS_FLAGS)

dkms-install: dkms-add
	dkms build -m v4l2loopback -v $(DKMS_VERSION) -k $(KERNELRELEASE) $(DKMS_FLAGS)
	dkms install -m v4l2loopback -v $(DKMS_VERSION) -k $(KERNELRELEASE) $(DKMS_FLAGS)

dkms-uninstall:
	dkms remove -m v4l2loopback -v $(DKMS_VERSION) --all $(DKMS_FLAGS)
	rm -rf $(DKMS_SRC)

sign: all
	$(MAKE) -C kmod KERNELRELEASE=$(KERNELRELEASE) sign KBUILD_SIGN_KEY=$(KBUILD_SIGN_KEY) KBUILD_SIGN_CERT=$(KBUILD_SIGN_CERT)

# In the npm package only the module's build products go (dist/ is the library).
clean:
	$(MAKE) -C kmod clean
	$(if $(wildcard scripts/test.sh),rm -rf build dist prebuilds $(filter-out out/debug-kernel% out/kernels,$(wildcard out/*)))

# The kernel cache (the last part of deps) is made by test.sh itself, beside
# the guest runs on the host's kernels, which do not need it.
test:
	@scripts/deps.sh test
	@scripts/test.sh

shell: deps
	sandbox/run --shell --kernel $(KERNEL) --params "$(PARAMS)"

demo: deps
	@scripts/demo.sh

torture: deps
	@scripts/torture.sh $(TORTURE_KERNELS)

# Cached in out/debug-kernel/ or out/debug-kernel-<KVER>/ (kept by `make clean`, like the kernel cache
# out/kernels/; delete it to rebuild).
debug-kernel:
	@scripts/debug-kernel.sh $(KVER)

# Conversion benchmark on the host: our addon vs ffmpeg's swscale (bench/conversions.mjs).
.PHONY: bench-convert
bench-convert:
	npm run --silent bench:convert

# Loopback benchmark in the sandbox guest, on 6.1, 6.12 and the newest 7.x (bench/run.sh; not
# part of `make test`): throughput, latency and CPU per frame against memcpy,
# results in bench/results/bench.{md,json,png}.
#   make bench [QUICK=1] [MODULE=path/%k/other.ko] [BENCH_ARGS="--filter 1080 --seconds 2"]
#   make bench-other-ko   a second build of our module (-O1) to exercise MODULE=
#   make bench-classic-ko Debian 12's classic module (v4l2loopback-dkms 0.12.7) for MODULE=
.PHONY: bench bench-other-ko bench-classic-ko
bench: deps
	BENCH_COMMAND='make bench$(if $(QUICK), QUICK=$(QUICK))$(if $(MODULE), MODULE=$(MODULE))$(if $(BENCH_ARGS), BENCH_ARGS="$(BENCH_ARGS)")' \
		bench/run.sh $(if $(QUICK),--quick) $(if $(MODULE),--module $(MODULE)) $(BENCH_ARGS)

bench-other-ko:
	bench/build-other-ko.sh

bench-classic-ko:
	bench/build-classic-ko.sh
