# reconcile: build, test, demo, install. Works as root on a fresh Debian machine:
# `make deps` installs the Debian packages it needs when they are missing.
SWIFT ?= swift
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR ?= $(PREFIX)/sbin
LIBEXECDIR ?= $(PREFIX)/libexec
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
SYSCONFDIR ?= /etc
UNITDIR ?= $(SYSCONFDIR)/systemd/system
RELEASE_BIN = .build/release/reconcile
MANUAL = .build/plugins/GenerateManual/outputs/reconcile/reconcile.8
SUBST = sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@LIBEXECDIR@|$(LIBEXECDIR)|g'

.PHONY: all deps build test demo bench clean install uninstall e2e kernel-test format format-check

all: build

deps:
	@scripts/ensure-deps.sh

# The Swift runtime and Foundation are linked in: the binary needs only glibc,
# libstdc++ (which apt itself needs, so every Debian has it), libmount and libyaml.
build: deps
	$(SWIFT) build -c release --product reconcile --static-swift-stdlib

# The manual comes from the argument parser. Its plugin relinks the release binary
# dynamically, so it runs before the static build, never after.
$(MANUAL): Sources/reconcile/*.swift Sources/reconcile/*/*.swift | deps
	$(SWIFT) package generate-manual --section 8 --authors "reconcile maintainers" >/dev/null

# make install DESTDIR=/path/to/root PREFIX=/usr/local
install: $(MANUAL) build
	install -D -m 0755 -s $(RELEASE_BIN) $(DESTDIR)$(BINDIR)/reconcile
	install -D -m 0644 $(MANUAL) $(DESTDIR)$(MANDIR)/man8/reconcile.8
	install -d $(DESTDIR)$(DATADIR)/bash-completion/completions $(DESTDIR)$(DATADIR)/zsh/site-functions \
	  $(DESTDIR)$(DATADIR)/fish/vendor_completions.d
	$(RELEASE_BIN) --generate-completion-script bash > $(DESTDIR)$(DATADIR)/bash-completion/completions/reconcile
	$(RELEASE_BIN) --generate-completion-script zsh > $(DESTDIR)$(DATADIR)/zsh/site-functions/_reconcile
	$(RELEASE_BIN) --generate-completion-script fish > $(DESTDIR)$(DATADIR)/fish/vendor_completions.d/reconcile.fish
	install -d $(DESTDIR)$(UNITDIR)
	$(SUBST) deploy/systemd/reconcile.service.in > $(DESTDIR)$(UNITDIR)/reconcile.service
	$(SUBST) deploy/systemd/reconcile-watch.service.in > $(DESTDIR)$(UNITDIR)/reconcile-watch.service
	install -m 0644 deploy/systemd/reconcile.timer $(DESTDIR)$(UNITDIR)/reconcile.timer
	$(SUBST) deploy/left4me/left4me-server@.service.in > $(DESTDIR)$(UNITDIR)/left4me-server@.service
	install -d $(DESTDIR)$(LIBEXECDIR)/left4me
	$(SUBST) deploy/left4me/left4me-overlay.in > $(DESTDIR)$(LIBEXECDIR)/left4me/left4me-overlay
	$(SUBST) deploy/left4me/left4me-script-sandbox.in > $(DESTDIR)$(LIBEXECDIR)/left4me/left4me-script-sandbox
	chmod 0755 $(DESTDIR)$(LIBEXECDIR)/left4me/left4me-overlay $(DESTDIR)$(LIBEXECDIR)/left4me/left4me-script-sandbox
	install -d $(DESTDIR)$(DATADIR)/reconcile/examples/instances.d
	$(SUBST) deploy/left4me/sudoers.in > $(DESTDIR)$(DATADIR)/reconcile/examples/sudoers.left4me
	install -m 0644 manifests/site.yaml $(DESTDIR)$(DATADIR)/reconcile/examples/site.yaml
	install -m 0644 manifests/instances.d/*.yaml $(DESTDIR)$(DATADIR)/reconcile/examples/instances.d/
	# The config is the operator's: installed once, never overwritten.
	install -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/reconcile/instances.d
	[ -e $(DESTDIR)$(SYSCONFDIR)/reconcile/site.yaml ] || \
	  install -m 0644 manifests/site.yaml $(DESTDIR)$(SYSCONFDIR)/reconcile/site.yaml

# Removes what install put there; the config only if it is still the example.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/reconcile $(DESTDIR)$(MANDIR)/man8/reconcile.8
	rm -f $(DESTDIR)$(DATADIR)/bash-completion/completions/reconcile \
	  $(DESTDIR)$(DATADIR)/zsh/site-functions/_reconcile $(DESTDIR)$(DATADIR)/fish/vendor_completions.d/reconcile.fish
	rm -f $(DESTDIR)$(UNITDIR)/reconcile.service $(DESTDIR)$(UNITDIR)/reconcile.timer \
	  $(DESTDIR)$(UNITDIR)/reconcile-watch.service \
	  $(DESTDIR)$(UNITDIR)/left4me-server@.service
	rm -rf $(DESTDIR)$(LIBEXECDIR)/left4me $(DESTDIR)$(DATADIR)/reconcile
	if cmp -s manifests/site.yaml $(DESTDIR)$(SYSCONFDIR)/reconcile/site.yaml; then \
	  rm -f $(DESTDIR)$(SYSCONFDIR)/reconcile/site.yaml; \
	  rmdir $(DESTDIR)$(SYSCONFDIR)/reconcile/instances.d $(DESTDIR)$(SYSCONFDIR)/reconcile 2>/dev/null || true; \
	fi

# Unit tests, then every privileged integration test inside a private mount
# namespace. As non-root the privileged ones are skipped and counted; under
# CI=true as root a skip is a failure.
test: deps format-check
	@scripts/run-tests.sh

# swift-format (the toolchain's) with the project's .swift-format; make test checks it.
SWIFT_FORMAT ?= swift-format
FORMATTED = Sources Tests Package.swift
format:
	$(SWIFT_FORMAT) format -i -r --configuration .swift-format $(FORMATTED)

format-check:
	@$(SWIFT_FORMAT) lint --strict --configuration .swift-format -r $(FORMATTED) \
	  || { echo "swift-format: the code above is not formatted; run make format" >&2; exit 1; }
	@echo "swift-format: formatted"

# The privileged tests on Debian's own kernels (bookworm's 6.1, trixie's 6.12), booted
# with this machine's userspace under qemu; root. KERNELS=trixie runs one of them.
kernel-test: deps
	scripts/kernel-test.sh $(KERNELS)

# The end-to-end test alone: install into a scratch root, boot it with systemd-nspawn.
e2e: deps
	rm -rf .build-e2e-dest && $(MAKE) --no-print-directory install DESTDIR=$(CURDIR)/.build-e2e-dest
	scripts/verify-units.sh .build-e2e-dest && tests/e2e/run.sh .build-e2e-dest

demo: build
	$(RELEASE_BIN) demo

bench: build
	$(SWIFT) build -c release --product ownership-walk-tool --static-swift-stdlib
	bench/run.sh

clean:
	rm -rf .build
