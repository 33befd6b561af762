# reconcile: build, test, demo, install. Works as root on a fresh Debian machine:
# `make deps` installs the Debian packages it needs when they are missing.
SWIFT ?= swift
PREFIX ?= /usr/local
DESTDIR ?=
RELEASE_BIN = .build/release/reconcile

.PHONY: all deps build test demo bench clean

all: build

deps:
	@scripts/ensure-deps.sh

build: deps
	$(SWIFT) build -c release --product reconcile --static-swift-stdlib

# Unit tests, then every privileged integration test inside a private mount
# namespace. As non-root the privileged ones are skipped and counted; under
# CI=true as root a skip is a failure.
test: deps
	@scripts/run-tests.sh

demo: build
	$(RELEASE_BIN) demo

bench: build
	$(SWIFT) build -c release --product ownership-walk-tool --static-swift-stdlib
	bench/run.sh

clean:
	rm -rf .build
