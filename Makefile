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
# Every unit in deploy/systemd (NAME.in is substituted into NAME): install, uninstall
# and the Debian package take them from here.
UNITS = $(sort $(patsubst %.in,%,$(notdir $(wildcard deploy/systemd/*))))
SUBST = sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@LIBEXECDIR@|$(LIBEXECDIR)|g'

.PHONY: all deps build test demo bench clean install uninstall e2e kernel-test format format-check deb

all: build

deps:
	@scripts/ensure-deps.sh

# The Swift runtime, FoundationEssentials, libstdc++ and libgcc are linked in: the binary
# needs only glibc (2.36 or later, for its packed relocations), libmount and libyaml. Linked
# for start-up speed (docs/decisions.md, "Start-up"): lld with DT_RELR, no $ORIGIN rpath, no
# exported symbols, libstdc++ from its archive (a directory that holds only the .a comes
# first in the search) and libgcc from its own; generic types are instantiated through
# their metadata accessors, not by demangling their names at run time.
STATIC_LIBS = .build/static-libs
RELEASE_FLAGS = -c release --static-swift-stdlib --disable-local-rpath -Xswiftc -use-ld=lld \
  -Xlinker -z -Xlinker pack-relative-relocs -Xlinker -L$(CURDIR)/$(STATIC_LIBS) \
  -Xlinker --no-export-dynamic -Xswiftc -Xclang-linker -Xswiftc -static-libgcc \
  -Xswiftc -Xfrontend -Xswiftc -disable-concrete-type-metadata-mangled-name-accessors

$(STATIC_LIBS)/libstdc++.a:
	@archive=$$($(CXX) -print-file-name=libstdc++.a) && [ -f "$$archive" ] \
	  || { echo "reconcile: libstdc++.a not found (install g++)" >&2; exit 1; }; \
	  mkdir -p $(STATIC_LIBS) && ln -sf "$$archive" $@

build: deps $(STATIC_LIBS)/libstdc++.a
	$(SWIFT) build $(RELEASE_FLAGS) --product reconcile

# The manual comes from the argument parser. Its plugin relinks the release binary
# dynamically, so it runs before the static build, never after.
$(MANUAL): Sources/reconcile/*.swift Sources/reconcile/*/*.swift | deps
	$(SWIFT) package generate-manual --section 8 --authors "reconcile maintainers" >/dev/null

# make install DESTDIR=/path/to/root PREFIX=/usr/local
install: $(MANUAL) build
	install -D -m 0755 -s $(RELEASE_BIN) $(DESTDIR)$(BINDIR)/reconcile
	# mdoc wants .Pp, not the empty line the generator leaves between paragraphs.
	install -d $(DESTDIR)$(MANDIR)/man8
	sed 's/^$$/.Pp/' $(MANUAL) > $(DESTDIR)$(MANDIR)/man8/reconcile.8
	install -d $(DESTDIR)$(DATADIR)/bash-completion/completions $(DESTDIR)$(DATADIR)/zsh/site-functions \
	  $(DESTDIR)$(DATADIR)/fish/vendor_completions.d
	# A completion is sourced, not run: no #! line.
	$(RELEASE_BIN) --generate-completion-script bash | sed '1{/^#!/d}' > $(DESTDIR)$(DATADIR)/bash-completion/completions/reconcile
	$(RELEASE_BIN) --generate-completion-script zsh > $(DESTDIR)$(DATADIR)/zsh/site-functions/_reconcile
	$(RELEASE_BIN) --generate-completion-script fish > $(DESTDIR)$(DATADIR)/fish/vendor_completions.d/reconcile.fish
	install -d $(DESTDIR)$(UNITDIR)
	for unit in $(UNITS); do \
	  if [ -e deploy/systemd/$$unit.in ]; then $(SUBST) deploy/systemd/$$unit.in > $(DESTDIR)$(UNITDIR)/$$unit; \
	  else install -m 0644 deploy/systemd/$$unit $(DESTDIR)$(UNITDIR)/$$unit; fi; \
	done
	$(SUBST) deploy/left4me/left4me-server@.service.in > $(DESTDIR)$(UNITDIR)/left4me-server@.service
	install -d $(DESTDIR)$(LIBEXECDIR)/left4me
	$(SUBST) deploy/left4me/left4me-overlay.in > $(DESTDIR)$(LIBEXECDIR)/left4me/left4me-overlay
	$(SUBST) deploy/left4me/left4me-script-sandbox.in > $(DESTDIR)$(LIBEXECDIR)/left4me/left4me-script-sandbox
	chmod 0755 $(DESTDIR)$(LIBEXECDIR)/left4me/left4me-overlay $(DESTDIR)$(LIBEXECDIR)/left4me/left4me-script-sandbox
	install -d $(DESTDIR)$(DATADIR)/reconcile/examples/instances.d
	$(SUBST) deploy/left4me/sudoers.in > $(DESTDIR)$(DATADIR)/reconcile/examples/sudoers.left4me
	install -m 0644 manifests/site.yaml $(DESTDIR)$(DATADIR)/reconcile/examples/site.yaml
	install -m 0644 manifests/instances.d/*.yaml $(DESTDIR)$(DATADIR)/reconcile/examples/instances.d/
	install -d $(DESTDIR)$(DATADIR)/reconcile/schema
	install -m 0644 schema/*.schema.json $(DESTDIR)$(DATADIR)/reconcile/schema/
	# The config is the operator's: installed once, never overwritten.
	install -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/reconcile/instances.d
	[ -e $(DESTDIR)$(SYSCONFDIR)/reconcile/site.yaml ] || \
	  install -m 0644 manifests/site.yaml $(DESTDIR)$(SYSCONFDIR)/reconcile/site.yaml

# Removes what install put there; the config only if it is still the example.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/reconcile $(DESTDIR)$(MANDIR)/man8/reconcile.8
	rm -f $(DESTDIR)$(DATADIR)/bash-completion/completions/reconcile \
	  $(DESTDIR)$(DATADIR)/zsh/site-functions/_reconcile $(DESTDIR)$(DATADIR)/fish/vendor_completions.d/reconcile.fish
	rm -f $(addprefix $(DESTDIR)$(UNITDIR)/,$(UNITS)) $(DESTDIR)$(UNITDIR)/left4me-server@.service
	rm -rf $(DESTDIR)$(LIBEXECDIR)/left4me $(DESTDIR)$(DATADIR)/reconcile
	if cmp -s manifests/site.yaml $(DESTDIR)$(SYSCONFDIR)/reconcile/site.yaml; then \
	  rm -f $(DESTDIR)$(SYSCONFDIR)/reconcile/site.yaml; \
	  rmdir $(DESTDIR)$(SYSCONFDIR)/reconcile/instances.d $(DESTDIR)$(SYSCONFDIR)/reconcile 2>/dev/null || true; \
	fi

# The Debian package, built by debhelper from the install step above (PREFIX=/usr,
# the units in /usr/lib/systemd/system); as root, in a fresh clone too.
DEB_OUT = .build-deb
deb: deps
	rm -rf $(DEB_OUT) debian/reconcile debian/.debhelper debian/files debian/*.substvars \
	  debian/debhelper-build-stamp debian/*.debhelper debian/*.debhelper.log
	debian/rules binary
	@echo "make deb: $$(ls $(CURDIR)/$(DEB_OUT)/*.deb)"

# Unit tests, then every privileged integration test inside a private mount
# namespace. As non-root the privileged ones are skipped and counted; under
# CI=true as root a skip is a failure.
test: deps format-check
	@scripts/run-tests.sh

# swift-format (the toolchain's) with the project's .swift-format; make test checks it.
SWIFT_FORMAT ?= swift-format
FORMATTED = Sources Tests Package.swift bench/StartupFloor
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

# The end-to-end test alone: the package installed with dpkg in bookworm and trixie
# roots booted with systemd-nspawn (SUITES=trixie for one of them).
e2e: deb
	tests/e2e/run.sh $(DEB_OUT)/reconcile_*_amd64.deb $(SUITES)

demo: build
	$(RELEASE_BIN) demo

bench: build
	$(SWIFT) build $(RELEASE_FLAGS) --product ownership-walk-tool
	$(SWIFT) build $(RELEASE_FLAGS) --product startup-floor-runtime
	$(SWIFT) build $(RELEASE_FLAGS) --product startup-floor-parser
	bench/run.sh

clean:
	rm -rf .build
