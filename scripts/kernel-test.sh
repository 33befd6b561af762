#!/usr/bin/env bash
# Boots Debian's own kernels (bookworm's 6.1, trixie's 6.12) with this machine's
# userspace under qemu (virtme-ng, TCG) and runs the privileged tests inside each, in a
# private mount namespace of the guest, with CI=true semantics (a skip is a failure).
#
#   scripts/kernel-test.sh [--skip-build] [bookworm|trixie]...     (root; both by default)
#
# Installs what it needs (qemu-system-x86, kmod, udev, busybox-static, e2fsprogs from
# Debian; virtme-ng from PyPI into a venv), caches the kernel packages and their
# extracted trees under $RECONCILE_KERNEL_CACHE (/var/cache/reconcile-kernels), and
# links each kernel's modules at /lib/modules/VERSION, where virtme-ng looks for them.
# KVM is never used: on these machines it fails ("failed to set MSR 0x10a").
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd -P)
cache=${RECONCILE_KERNEL_CACHE:-/var/cache/reconcile-kernels}
vng_version=1.42
# A guest takes 6 to 8 min under TCG on 2 quiet cores; with builds beside it, 6.1's
# passed its 80 XCTest tests in 505 s and was cut at 600 s. 20 min keeps CI within 90.
guest_timeout=${RECONCILE_KERNEL_TEST_TIMEOUT:-1200}

skip_build=false
suites=()
for argument in "$@"; do
  case $argument in
    --skip-build) skip_build=true ;;
    bookworm | trixie) suites+=("$argument") ;;
    *) echo "usage: $0 [--skip-build] [bookworm|trixie]..." >&2; exit 64 ;;
  esac
done
((${#suites[@]})) || suites=(bookworm trixie)

say() { echo "kernel-test: $*" >&2; }
die() { say "$*"; exit 1; }
[[ $(id -u) -eq 0 ]] || die "needs root (it installs packages and links /lib/modules/VERSION)"
[[ $(uname -m) == x86_64 ]] || die "Debian's amd64 kernels need an x86_64 host, this is $(uname -m)"

# --- tools -------------------------------------------------------------------------
# udev: without udevd the guest has no /dev/virtio-ports links and virtme-ng cannot
# hand the script its stdio or exit code. busybox: virtme-ng builds its initramfs on it.
missing=()
command -v qemu-system-x86_64 >/dev/null || missing+=(qemu-system-x86)
command -v modprobe >/dev/null || missing+=(kmod)
command -v depmod >/dev/null || missing+=(kmod)
[[ -x /lib/systemd/systemd-udevd ]] || missing+=(udev)
command -v busybox >/dev/null || missing+=(busybox-static)
command -v mkfs.ext4 >/dev/null || missing+=(e2fsprogs)
command -v losetup >/dev/null || missing+=(mount)
if ((${#missing[@]})); then
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
    || { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
fi

mkdir -p "$cache"
venv=$cache/vng-venv
if [[ "$("$venv/bin/vng" --version 2>/dev/null)" != *"$vng_version"* ]]; then
  say "installing virtme-ng $vng_version into $venv"
  rm -rf "$venv"
  # Debian's own python3 keeps venv in a package of its own.
  python3 -m venv "$venv" 2>/dev/null || {
    rm -rf "$venv"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
    python3 -m venv "$venv"
  } || die "python3 -m venv failed"
  "$venv/bin/pip" install -q --disable-pip-version-check "virtme-ng==$vng_version" >/dev/null
fi
# vng runs virtme-run by name.
export PATH=$venv/bin:$PATH

# --- kernels -----------------------------------------------------------------------
# bookworm's comes through the machine's own apt sources. trixie's through a separate
# configuration for the trixie suite of the same archive, so the machine's own sources,
# lists and package cache are never changed.
archive=$(apt-get indextargets --format '$(REPO_URI) $(CODENAME)' 2>/dev/null | awk '$2 == "bookworm" { print $1; exit }')
archive=${archive:-http://deb.debian.org/debian/}
trixie_apt=$cache/apt-trixie
trixie_opts=(-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$trixie_apt/sources.list.d"
  -o "Dir::State::Lists=$trixie_apt/lists" -o "Dir::Cache=$trixie_apt/cache" -o "Dir::State::status=/dev/null")

apt_for() { if [[ $1 == trixie ]]; then echo "${trixie_opts[@]}"; fi; }

update_lists() {
  local suite=$1
  if [[ $suite == trixie ]]; then
    mkdir -p "$trixie_apt/sources.list.d" "$trixie_apt/lists/partial" "$trixie_apt/cache/archives/partial"
    printf 'Types: deb\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      "$archive" >"$trixie_apt/sources.list.d/trixie.sources"
    apt-get "${trixie_opts[@]}" update -qq >/dev/null
  else
    apt-get update -qq >/dev/null
  fi
}

# The package linux-image-amd64 depends on now, e.g. linux-image-6.1.0-57-amd64.
kernel_package() {
  local suite=$1 options
  read -ra options <<<"$(apt_for "$suite")"
  apt-cache "${options[@]}" depends linux-image-amd64 2>/dev/null |
    awk '/Depends: linux-image-[0-9]/ { print $2; exit }'
}

# Prints the extracted tree of the suite's kernel: boot/vmlinuz-VERSION and
# lib/modules/VERSION (trixie's package keeps them under usr/lib/modules).
fetch_kernel() {
  local suite=$1 package options deb tree version
  read -ra options <<<"$(apt_for "$suite")"
  if [[ $suite == trixie && ! -d $trixie_apt/lists ]]; then update_lists trixie; fi
  package=$(kernel_package "$suite")
  [[ -n $package ]] || { update_lists "$suite"; package=$(kernel_package "$suite"); }
  [[ -n $package ]] || die "no linux-image-amd64 in $suite's package lists"
  deb=$(ls "$cache/$package"_*_amd64.deb 2>/dev/null | tail -n 1 || true)
  if [[ -z $deb ]]; then
    say "downloading $package ($suite)"
    (cd "$cache" && apt-get "${options[@]}" download "$package" >/dev/null 2>&1) \
      || { update_lists "$suite"; (cd "$cache" && apt-get "${options[@]}" download "$package" >/dev/null 2>&1); } \
      || die "apt-get download $package failed"
    deb=$(ls "$cache/$package"_*_amd64.deb | tail -n 1)
    # Older kernels of the same suite are superseded: keep the cache to one per suite.
    for old in "$cache"/linux-image-*.deb; do
      [[ $old == "$deb" ]] && continue
      case $suite:$(basename "$old") in
        bookworm:linux-image-6.1.*|trixie:linux-image-6.12.*) rm -rf "$old" "${old%.deb}.tree" ;;
      esac
    done
  fi
  tree=${deb%.deb}.tree
  if [[ ! -e $tree/.complete ]]; then
    rm -rf "$tree" && mkdir -p "$tree"
    dpkg-deb -x "$deb" "$tree"
    version=$(ls "$tree/boot" | sed -n 's/^vmlinuz-//p')
    if [[ -d $tree/usr/lib/modules/$version ]]; then
      mkdir -p "$tree/lib/modules" && mv "$tree/usr/lib/modules/$version" "$tree/lib/modules/"
    fi
    # Debian runs depmod in the package's postinst; modprobe needs its output.
    depmod -b "$tree" "$version"
    touch "$tree/.complete"
  fi
  echo "$tree"
}

# The guest covers /tmp, /var/tmp and /var/cache with filesystems of its own, and the
# test build knows its sources by absolute path: a checkout there (CI may clone into
# /tmp) is copied to a place the guest sees, with ../shared beside it, and tested from
# there, building anew.
case $repo/ in
  /tmp/* | /var/tmp/* | /var/cache/* | /run/*)
    relocated=${RECONCILE_KERNEL_TEST_CHECKOUT:-/var/lib/reconcile-kernel-test}
    say "the guest would hide $repo; testing a copy in $relocated/checkout"
    rm -rf "$relocated" && mkdir -p "$relocated/checkout"
    git -C "$repo" ls-files -z --cached --others --exclude-standard \
      | (cd "$repo" && tar --null -T - -cf -) | tar -C "$relocated/checkout" -xf -
    if [[ -d $repo/../shared ]]; then cp -a "$repo/../shared" "$relocated/shared"; fi
    args=()
    for argument in "$@"; do [[ $argument == --skip-build ]] || args+=("$argument"); done
    exec "$relocated/checkout/scripts/kernel-test.sh" "${args[@]}"
    ;;
esac
shares=(--rodir "$cache" --rodir /opt/swift --rodir "$repo")
# The peer corpus beside the checkout, which the parser tests read when it is there.
if [[ -d $repo/../shared ]]; then shares+=(--rodir "$(cd "$repo/../shared" && pwd -P)"); fi

# --- build ---------------------------------------------------------------------------
if ! $skip_build; then
  say "building the tests"
  build_log=$(mktemp)
  swift build --build-tests >"$build_log" 2>&1 || { tail -n 60 "$build_log"; die "build failed"; }
  rm -f "$build_log"
fi
bin=$(swift build --show-bin-path)
[[ -x $bin/reconcilePackageTests.xctest && -x $bin/reconcile ]] || die "no test build in $bin (run without --skip-build)"

# --- boot and test -------------------------------------------------------------------
failed=()
for suite in "${suites[@]}"; do
  tree=$(fetch_kernel "$suite")
  version=$(ls "$tree/boot" | sed -n 's/^vmlinuz-//p')
  # virtme-ng finds a kernel's modules only at /lib/modules/VERSION of the host. The
  # guest has a tmpfs on /var/cache, so the cache is shared into it as well (--rodir).
  mkdir -p /lib/modules
  ln -sfn "$tree/lib/modules/$version" "/lib/modules/$version"
  # Not below /tmp, which the guest covers with its scratch filesystem.
  out=$(mktemp -d /var/tmp/reconcile-kernel-test.XXXXXX)
  say "$suite: booting $version under TCG (2 CPUs, 4 GiB) and running the privileged tests"
  started=$(date +%s)
  # A guest whose script never started (no guest.txt, its first line) within two
  # minutes never ran a test: virtme-ng once exited 255 after 39 s with nothing written,
  # and the same kernel passed when booted again. That is retried once, loudly; a guest
  # whose script started is never retried.
  for attempt in 1 2; do
    status=0
    timeout --kill-after=10 "$guest_timeout" vng --cwd / --run "$tree/boot/vmlinuz-$version" --disable-kvm \
      --cpus 2 --memory 4G --rwdir "$out" "${shares[@]}" \
      --exec "$repo/scripts/kernel-test-guest.sh $out $repo $bin" </dev/null >"$out/console.log" 2>&1 || status=$?
    [[ $attempt -eq 1 && $status -ne 0 && ! -e $out/guest.txt ]] || break
    (($(date +%s) - started < 120)) || break
    say "$suite: the guest's script never started (vng exit $status); booting it once more"
  done
  seconds=$(($(date +%s) - started))
  result=$(cat "$out/result" 2>/dev/null || echo "no result (the guest did not finish: exit $status)")
  if [[ $status -eq 0 && $result == passed* ]]; then
    echo "kernel-test: $suite $version: PASSED in ${seconds}s ($result)"
    rm -rf "$out"
  else
    echo "kernel-test: $suite $version: FAILED in ${seconds}s: $result"
    # The output of what failed, less the lines of tests that started or passed.
    case $result in
      *XCTest*) logs=(xctest.log) ;;
      *"Swift Testing"*) logs=(swift-testing.log) ;;
      *) logs=(guest.txt console.log) ;;
    esac
    [[ $result == *XCTest* && $result == *"Swift Testing"* ]] && logs=(xctest.log swift-testing.log)
    for log in "${logs[@]}"; do
      [[ -s $out/$log ]] || continue
      echo "----- $suite $version: $log -----"
      if [[ $log == swift-testing.log ]]; then
        # An issue's lines follow its ✘ line up to the next event line.
        awk '/^✘/ { on = 1 } /^(◇|✔|↳)/ { on = 0 } on' "$out/$log" | tail -n 400
      else
        grep -a -Ev "^(Test Case .* (started|passed)|Test Suite .* (started|passed))" "$out/$log" | tail -n 400
      fi
    done
    echo "----- the guest's full logs are in $out -----"
    failed+=("$suite")
  fi
done
if ((${#failed[@]})); then
  echo "kernel-test: FAILED on ${failed[*]}"
  exit 1
fi
echo "kernel-test: passed on ${suites[*]}"
