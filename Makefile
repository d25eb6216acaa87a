# Makefile - builds the v4l2loopback kernel module (default target) and runs
# the project's targets: deps, test, shell, demo, bench.
#
#   make [KERNELRELEASE=<release>]   build kmod/v4l2loopback.ko (default: running kernel)
#   make clean                       remove build products
#   make install                     install the module (modules_install + depmod)
#   make deps                        install everything the project needs (Debian 12, root)
#   make test                        unit tests + guest tests on Debian 6.1 and 6.12 kernels
#   make shell [KERNEL=6.12]         interactive shell in a sandbox guest with the module loaded
#   make demo                        the end-to-end demo (see README)

KERNELRELEASE ?= $(shell uname -r)
KERNEL ?= 6.1
PARAMS ?=

.PHONY: all modules clean install deps deps-build test shell demo

all modules: deps-build
	$(MAKE) -C kmod KERNELRELEASE=$(KERNELRELEASE)

deps-build:
	@scripts/deps.sh build

deps:
	@scripts/deps.sh

install: all
	$(MAKE) -C kmod KERNELRELEASE=$(KERNELRELEASE) install

clean:
	$(MAKE) -C kmod clean
	rm -rf out build dist

test: deps
	@scripts/test.sh

shell: deps
	sandbox/run --shell --kernel $(KERNEL) --params "$(PARAMS)"

demo: deps
	@echo "make demo: the demo lands with the CLI (issue: v4l2loopback-ctl and the one-command demo); not available yet" >&2
	@exit 1
