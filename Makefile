# Crosswire: the two commands of the README are `make` (the main job) and `make test`.

SWIFT       ?= swift
CONFIG      ?= release
BIN          = .build/$(CONFIG)/crosswire
SCENARIOS    = $(sort $(wildcard pcaps/*/plan.yaml))

.PHONY: all run deps deps-test build build-debug test asan-check alloc-check deb-check fuzz pcaps reports man completions install uninstall deb bench bench-compare bench-scaling clean

## The main job: install what is missing, build, verify every bundled capture, write reports/.
all: run
run: deps build reports

deps:
	@scripts/install-deps.sh

deps-test:
	@scripts/install-deps.sh test

# The release binary carries the Swift runtime (--static-swift-stdlib): it runs on hosts
# without Swift, needing only Debian libraries (libpcap, libc, libstdc++).
build: deps
	$(SWIFT) build -c $(CONFIG) --static-swift-stdlib --product crosswire

build-debug: deps
	$(SWIFT) build

## Every test: unit, corpus conformance and robustness, lab captures, reports, live capture (root).
test: deps-test
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	scripts/asan-check.sh
	scripts/alloc-check.sh
	$(MAKE) deb-check

## Every capture decoded and verified by an AddressSanitizer build (bounded: a timeout per run).
asan-check: deps-test
	scripts/asan-check.sh

## Heap allocations of verify and decode (release build) must not grow with packet count.
alloc-check: deps-test
	scripts/alloc-check.sh

## libFuzzer over the decoder and the BGP/OSPF stream path, FUZZ_SECONDS (default 60) each.
FUZZ_SECONDS ?= 60
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh

## Rebuild the lab's captures, plans and expected verdicts (root; network namespaces).
pcaps:
	@scripts/install-deps.sh lab
	lab/make-pcaps.sh

## Regenerate reports/ from every scenario in pcaps/.
reports: build
	scripts/make-reports.sh $(BIN)

## Man pages (docs/man, one per subcommand) from the command line's own definitions
## (swift-argument-parser's generate-manual plugin); a test keeps them in step with the options.
MAN_DATE ?= $(shell git log -1 --format=%cs 2>/dev/null || date +%F)
man: build
	rm -rf docs/man && mkdir -p docs/man
	$(SWIFT) package --disable-sandbox --allow-writing-to-package-directory generate-manual --multi-page \
		--date $(MAN_DATE) --authors "The Crosswire developers" --output-directory docs/man
	scripts/man-fixup.py "$$($(BIN) --version)" docs/man/*.1

## Shell completions (docs/completions) for bash, zsh and fish; a test holds them equal to the binary's.
completions: build
	mkdir -p docs/completions
	$(BIN) --generate-completion-script bash > docs/completions/crosswire.bash
	$(BIN) --generate-completion-script zsh > docs/completions/_crosswire
	$(BIN) --generate-completion-script fish > docs/completions/crosswire.fish

## Install as a system tool: the binary, man pages, bash/zsh/fish completions, example plans,
## the plan schema, alert rules and the systemd unit (scripts/install.sh has the list).
PREFIX  ?= /usr/local
DESTDIR ?=
install: build
	PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) BIN=$(BIN) scripts/install.sh install

## Remove exactly what make install installed (same PREFIX and DESTDIR).
uninstall:
	PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) scripts/install.sh uninstall

## The Debian package out/crosswire_VERSION_ARCH.deb (dpkg-deb; Depends from dpkg-shlibdeps).
deb: build
	scripts/make-deb.sh $(BIN)

## The package installed for real (root): lintian, dpkg -i, verify from outside the repo, purge.
deb-check: deps-test build
	scripts/deb-check.sh $$(scripts/make-deb.sh $(BIN))

## Side by side on a 1M-packet capture: libpcap floor, crosswire, tcpdump, tshark (docs/PERFORMANCE.md).
bench-compare: build
	scripts/bench-compare.sh

## Time and peak memory of verify at 10k, 100k, 1M and 10M packets (linear time, flat memory).
bench-scaling: build
	scripts/bench-scaling.sh

## The package-benchmark suite (a separate package under Benchmarks/): per-packet decode time and mallocs.
bench:
	cd Benchmarks && $(SWIFT) package --disable-sandbox benchmark

clean:
	rm -rf .build out
