#!/usr/bin/env bash
# Runs every test. Privileged tests need root and run inside a private mount
# namespace (unshare -m --propagation private), so the host's mount table is never
# touched. Without root they skip, and this script says how many and why. Under
# CI=true as root, a skipped test fails the run.
set -uo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests 2>&1 | grep -Ev '^\[[0-9]+/[0-9]+\] (Compiling|Emitting|Write|Linking|Applying)'
[[ ${PIPESTATUS[0]} -eq 0 ]] || { echo "build failed" >&2; exit 1; }
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if [[ $(id -u) -eq 0 ]]; then
  echo "Running all tests as root inside a private mount namespace."
  # The tests mount only inside the namespace recorded here.
  unshare --mount --propagation private -- sh -c \
    'RECONCILE_TEST_MOUNT_NAMESPACE=$(readlink /proc/self/ns/mnt) exec swift test --skip-build' 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
else
  echo "Not root: privileged integration tests will be skipped (they mount for real)."
  swift test --skip-build 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
fi
# XCTest prints a total line per suite and one for all; the last one counts.
skipped=$(grep -Eo 'with [0-9]+ tests? skipped' "$log" | tail -n 1 | awk '{ print $2 + 0 }')
skipped=${skipped:-0}
if [[ "$skipped" != 0 ]]; then
  echo "*** $skipped privileged test(s) SKIPPED: $(grep -m1 -Eo 'Skipped: .*|skipped: .*' "$log" || echo 'see above') ***"
  if [[ "${CI:-}" == "true" && $(id -u) -eq 0 ]]; then
    echo "*** under CI=true as root a skip is a failure ***"
    exit 1
  fi
fi
[[ $status -eq 0 ]] || exit "$status"

# Deployment: what `make install` produces, its units verified by systemd, then the
# end-to-end test against a real systemd (root only).
if [[ $(id -u) -eq 0 ]]; then
  dest=$(mktemp -d /tmp/reconcile-install.XXXXXX)
  chmod 0755 "$dest"
  trap 'rm -f "$log" "$dest.log" "$dest.deb.log"; rm -rf "$dest"' EXIT
  echo "make install DESTDIR=$dest"
  make --no-print-directory install DESTDIR="$dest" PREFIX=/usr/local >"$dest.log" 2>&1 || { tail -20 "$dest.log"; exit 1; }
  scripts/check-install.sh "$dest" || exit 1
  # The metrics file, read by Debian's node_exporter and checked by promtool.
  tests/metrics/node-exporter.sh .build/debug/reconcile || exit 1
  scripts/verify-units.sh "$dest" || exit 1
  if ! command -v debootstrap >/dev/null || ! command -v systemd-nspawn >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap systemd-container >/dev/null 2>&1 \
      || { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap systemd-container >/dev/null 2>&1; }
  fi
  # The Debian package: lintian must find no error and no warning; the e2e installs it.
  make --no-print-directory deb > "$dest.deb.log" 2>&1 || { tail -20 "$dest.deb.log"; exit 1; }
  deb=$(ls .build-deb/reconcile_*_amd64.deb)
  echo "make deb: $deb ($(du -k "$deb" | cut -f1) KiB)"
  lint=$(lintian --fail-on error,warning "$deb" 2>&1) || { echo "$lint"; echo "lintian: FAILED on $deb"; exit 1; }
  echo "lintian: no error, no warning"
  if command -v debootstrap >/dev/null && command -v systemd-nspawn >/dev/null && command -v script >/dev/null; then
    tests/e2e/run.sh "$deb" || exit 1
  else
    echo "*** e2e SKIPPED: debootstrap and systemd-nspawn (systemd-container) could not be installed ***"
    if [[ "${CI:-}" == "true" ]]; then
      echo "*** under CI=true as root a skip is a failure ***"
      exit 1
    fi
  fi
  scripts/kernel-test.sh --skip-build || exit 1
else
  echo "*** install, unit verification and e2e SKIPPED: they need root ***"
fi
exit 0
