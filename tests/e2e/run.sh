#!/usr/bin/env bash
# End-to-end against a real systemd, in two Debian roots: bookworm and trixie (what
# the seeds' host runs, systemd 257), each a minimal root from debootstrap (cached in
# /var/cache/reconcile-e2e) with a left4me tree in it, booted with systemd-nspawn. The
# package (make deb) is installed in each with dpkg, as an operator would; every
# scenario is one guest, its scripts in tests/e2e/guest/NAME:
#
#   fresh    the .deb installed with dpkg before the boot (its postinst enables the
#            timer), the seeds' broken state made at boot. The timer alone must
#            converge it; then a game-server unit with a private namespace is started
#            and stopped three times, script builds run through the sandbox, and the
#            package is purged: its units stopped and disabled, no file of it left.
#   running  the host before reconcile: the old helper runs server 2 on an overlay
#            over stacked idmapped binds. The guest installs the package under it (the
#            README's recipe), and the server keeps running until its restart picks
#            up the new shape. The guest's timeline is printed.
#   watch    the .deb installed, reconcile-watch.service enabled and the timer disabled
#            (the README's choice for the watcher); drift made in the booted guest must
#            be repaired by the watcher alone within a second.
#
# Usage (root): tests/e2e/run.sh DEB [SUITE...]   (SUITE: bookworm, trixie; default both)
# It takes /var/lock/reconcile-e2e.lock itself unless a caller (flock ... make test) holds it.
set -euo pipefail
lock=/var/lock/reconcile-e2e.lock
# Whether one of our ancestors (flock(1) running us, or running make) holds the lock.
lock_held_by_ancestor() {
  local inode holders p
  inode=$(stat -c %i "$lock" 2>/dev/null) || return 1
  holders=$(awk -v i="$inode" '$2 == "FLOCK" { n = split($6, d, ":"); if (d[n] == i) print $5 }' /proc/locks)
  p=$$
  while [[ -n $p && $p -gt 1 ]]; do
    for h in $holders; do [[ $h == "$p" ]] && return 0; done
    p=$(sed -n 's/^PPid:\t//p' "/proc/$p/status" 2>/dev/null)
  done
  return 1
}
if ! lock_held_by_ancestor; then
  echo "e2e: waiting for $lock"
  exec flock "$lock" "$0" "$@"
fi
here=$(cd "$(dirname "$0")" && pwd)
deb=$(realpath "$1")
shift
if (($#)); then suites=("$@"); else suites=(bookworm trixie); fi
cache=/var/cache/reconcile-e2e
packages=systemd,systemd-sysv,dbus,libmount1,libyaml-0-2,sudo
started=$SECONDS
[[ -s $deb ]] || { echo "e2e: no package at $deb (make deb)"; exit 1; }

# The cached root of SUITE, built once per machine; keyed by the package list, so
# adding a package rebuilds it.
base_root() {
  local suite=$1 base
  base=$cache/$suite-minbase-$(printf '%s' "$packages" | md5sum | cut -c1-8)
  if [[ ! -x $base/lib/systemd/systemd ]]; then
    echo "e2e: building the cached Debian $suite root (debootstrap, once per machine)" >&2
    rm -rf "$base.tmp"
    mkdir -p "$cache"
    # Debian's default mirror, as configured in debootstrap itself.
    debootstrap --variant=minbase --include="$packages" \
      "$suite" "$base.tmp" >"$cache/debootstrap-$suite.log" 2>&1 || { tail -20 "$cache/debootstrap-$suite.log" >&2; return 1; }
    mv "$base.tmp" "$base"
  fi
  echo "$base"
}

work=$(mktemp -d /var/tmp/reconcile-e2e.XXXXXX)
trap 'rm -rf "$work"' EXIT
[[ -n ${KEEP_E2E:-} ]] && trap 'echo "e2e: kept $work"' EXIT

# guest ROOT COMMAND...: runs COMMAND in the root, not booted (dpkg, a version check).
guest() { local root=$1; shift; systemd-nspawn -q -D "$root" --register=no --keep-unit "$@"; }

# A copy of the cached root with the left4me users and tree: the installation,
# overlay 4 (workshop-built, left4me's), overlays 9 and 12 (script-built before the
# idmapped staging bind, so the sandbox uid's), instance 2 on 9, 4 and the game.
make_root() {
  local root=$1 L=$1/var/lib/left4me
  cp -a "$base" "$root"
  chroot "$root" groupadd -r -g 980 left4me
  chroot "$root" useradd -r -u 980 -g 980 -M -d /var/lib/left4me -s /usr/sbin/nologin left4me
  chroot "$root" groupadd -r -g 981 l4d2-sandbox
  chroot "$root" useradd -r -u 981 -g 981 -M -d /nonexistent -s /usr/sbin/nologin l4d2-sandbox
  mkdir -p "$L/installation/left4dead2" "$L/overlays/4/left4dead2/addons" \
    "$L/overlays/9/left4dead2/cfg" "$L/overlays/9/left4dead2/addons/sourcemod/logs" \
    "$L/overlays/12" "$L/global_overlay_cache" "$L/workshop_cache" "$L/runtime" "$L/tmp" "$L/instances/2"
  printf '#!/bin/sh\nexec sleep infinity\n' > "$L/installation/srcds_run"
  chmod 0755 "$L/installation/srcds_run"
  echo '"GameInfo" {}' > "$L/installation/left4dead2/gameinfo.txt"
  echo map > "$L/overlays/4/left4dead2/addons/map.vpk"
  echo cfg > "$L/overlays/9/left4dead2/cfg/server.cfg"
  echo built > "$L/overlays/12/built.cfg"
  chown -R 980:980 "$L/overlays/4"
  chown -R 981:981 "$L/overlays/9" "$L/overlays/12"
  echo 'L4D2_LOWERDIRS="overlays/9:overlays/4:installation"' > "$L/instances/2/instance.env"
  install -D -m 0644 "$here/guest/lib.sh" "$root/usr/local/libexec/e2e/lib.sh"
  mkdir -p "$root/e2e"
  cp "$deb" "$root/e2e/reconcile.deb"
  systemctl --root="$root" mask apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer \
    systemd-logind.service console-getty.service >/dev/null 2>&1 || true
}

# boot ROOT NAME: boots the guest until it powers off (at most 5 minutes) and says
# whether it passed; the guest's findings stay in ROOT/e2e.
boot() {
  local root=$1 name=$2 t0=$SECONDS
  # nspawn wants a terminal for the guest's console; script(1) gives it one.
  timeout 300 script -qfec "systemd-nspawn -q -D '$root' --boot --register=no --keep-unit" "$work/$name-console.log" \
    >/dev/null 2>&1 || true
  if [[ ! -s $root/e2e/result ]]; then
    echo "e2e $name: FAILED, the guest wrote no result. Console:"
    tr -d '\r' < "$work/$name-console.log" | tail -40
    return 1
  fi
  sed 's/^/  /' "$root/e2e/result"
  echo "e2e $name: the guest ran $((SECONDS - t0)) s"
  if grep -q '^FAIL' "$root/e2e/result" || ! grep -q '^done' "$root/e2e/result"; then
    rm -rf "$cache/last-failure-$name" && cp -a "$root/e2e" "$cache/last-failure-$name"
    echo "e2e $name: FAILED (the guest's findings are kept in $cache/last-failure-$name)"
    return 1
  fi
  echo "e2e $name: $(grep -c '^PASS' "$root/e2e/result") passed, 0 failed"
}

# --- fresh: the package installed before the boot, the broken state made at boot ---
scenario_fresh() {
  local fresh=$1 name=$2 status=0
  make_root "$fresh"
  guest "$fresh" dpkg -i /e2e/reconcile.deb > "$work/$name-dpkg.log" 2>&1 || { cat "$work/$name-dpkg.log"; return 1; }
  [[ -L $fresh/etc/systemd/system/timers.target.wants/reconcile.timer ]] \
    || { echo "e2e $name: dpkg -i did not enable reconcile.timer"; return 1; }
  # The guest has no Swift toolchain; the installed binary must run on its own.
  if [[ -e $fresh/opt/swift ]] || chroot "$fresh" sh -c 'command -v swift' >/dev/null 2>&1; then
    echo "e2e $name: the guest root has a Swift toolchain; it must not"; return 1
  fi
  guest "$fresh" /usr/sbin/reconcile --version > "$work/$name-version.txt" 2>/dev/null
  echo "e2e $name: dpkg -i $(basename "$deb"): timer enabled, binary runs without a Swift toolchain: reconcile $(tr -d '\r' < "$work/$name-version.txt")"
  # Without /proc (a bare chroot) it must refuse, not run with its arguments lost.
  if chroot "$fresh" /usr/sbin/reconcile --dry-run >/dev/null 2>&1 || [[ $? -ne 64 ]]; then
    echo "e2e $name: without /proc the binary did not refuse with 64"; return 1
  fi
  cp "$fresh/usr/share/reconcile/examples/instances.d/1.yaml" "$fresh/etc/reconcile/instances.d/1.yaml"
  install -m 0755 "$here/guest/fresh/break.sh" "$here/guest/fresh/check.sh" "$fresh/usr/local/libexec/e2e/"
  install -m 0644 "$here/guest/fresh/e2e-break.service" "$here/guest/fresh/e2e-check.service" "$fresh/etc/systemd/system/"
  systemctl --root="$fresh" enable e2e-break.service e2e-check.service >/dev/null 2>&1

  echo "e2e $name: booting the guest (the timer converges the seeds' broken state)"
  boot "$fresh" "$name" || status=1
  echo "e2e $name: broken state at boot: $(cat "$fresh/e2e/mounts-at-boot" 2>/dev/null || echo '?') mounts below /var/lib/left4me"
  echo "e2e $name: how the timer's runs went (journal of reconcile.service):"
  grep -E "reconcile\[|Finished|Failed" "$fresh/e2e/reconcile-journal.txt" 2>/dev/null | head -12 | sed 's/^/  /' || true
  if ((status)); then
    echo "e2e $name: the game server's journal:"
    tail -25 "$fresh/e2e/server-journal.txt" 2>/dev/null | sed 's/^/  /' || true
    return 1
  fi
  # The guest purged the package at its end: nothing of it may be left in the root.
  local left=() file
  while read -r file; do
    if [[ -f $fresh$file || -L $fresh$file ]]; then left+=("$file"); fi
  done < "$fresh/e2e/package-files.txt"
  while read -r file; do left+=("/$file"); done < <(cd "$fresh" && find etc/systemd var/lib/systemd/deb-systemd-helper-enabled \
    var/lib/systemd/deb-systemd-helper-masked -name 'reconcile*' 2>/dev/null)
  if ((${#left[@]})); then echo "e2e $name: FAILED, the purge left: ${left[*]}"; return 1; fi
  echo "e2e $name: dpkg --purge left none of the package's $(wc -l < "$fresh/e2e/package-files.txt") paths, no unit link"
}

# --- running: the old helpers' host; the package is deployed in the guest ---
scenario_running() {
  local running=$1 name=$2 status=0 L=$1/var/lib/left4me
  make_root "$running"
  mkdir -p "$L/instances/3"
  echo 'L4D2_LOWERDIRS="overlays/9:installation"' > "$L/instances/3/instance.env"
  install -D -m 0755 "$here/guest/running/old-left4me-overlay" "$running/usr/local/libexec/left4me/left4me-overlay"
  install -m 0644 "$here/guest/running/old-left4me-server@.service" "$running/etc/systemd/system/left4me-server@.service"
  # The old helper's scratch reconcile (for its idmapped binds) is the package's binary.
  mkdir -p "$running/e2e/old-helper/instances.d"
  dpkg-deb --fsys-tarfile "$deb" | tar -xOf - ./usr/sbin/reconcile > "$running/e2e/old-helper/reconcile"
  chmod 0755 "$running/e2e/old-helper/reconcile"
  printf '%s\n' "# The old helper's stand-in config: only for making its idmapped binds." \
    "root: /var/lib/left4me" "instances: instances.d" "state: tmp/e2e-old-helper" \
    "lowerdir-roots: [overlays]" "managed: [runtime]" > "$running/e2e/old-helper/site.yaml"
  install -m 0755 "$here/guest/running/deploy.sh" "$running/usr/local/libexec/e2e/"
  install -m 0644 "$here/guest/running/e2e-deploy.service" "$running/etc/systemd/system/"
  systemctl --root="$running" enable e2e-deploy.service >/dev/null 2>&1

  echo "e2e $name: booting the guest (deploy under a running server; about 90 s)"
  boot "$running" "$name" || status=1
  echo "e2e $name: the timer's first run after the deploy (journal of reconcile.service):"
  grep -E "reconcile\[" "$running/e2e/first-run-journal.txt" 2>/dev/null | head -25 | sed 's/^/  /' || true
  echo "e2e $name: timeline (seconds since the guest booted):"
  sed 's/^/  /' "$running/e2e/timeline" 2>/dev/null || echo "  (none)"
  return $status
}

# --- watch: reconcile-watch.service enabled, the timer not; drift made in the guest ---
scenario_watch() {
  local root=$1 name=$2 status=0
  make_root "$root"
  guest "$root" dpkg -i /e2e/reconcile.deb > "$work/$name-dpkg.log" 2>&1 || { cat "$work/$name-dpkg.log"; return 1; }
  # The operator's choice: the package ships the watcher disabled and the timer enabled.
  [[ ! -e $root/etc/systemd/system/multi-user.target.wants/reconcile-watch.service ]] \
    || { echo "e2e $name: dpkg -i enabled reconcile-watch.service; the operator must choose it"; return 1; }
  systemctl --root="$root" disable reconcile.timer >/dev/null 2>&1
  cp "$root/usr/share/reconcile/examples/instances.d/1.yaml" "$root/etc/reconcile/instances.d/1.yaml"
  install -m 0755 "$here/guest/watch/check.sh" "$root/usr/local/libexec/e2e/watch-check.sh"
  install -m 0644 "$here/guest/watch/e2e-watch.service" "$root/etc/systemd/system/"
  systemctl --root="$root" enable reconcile-watch.service e2e-watch.service >/dev/null 2>&1

  echo "e2e $name: booting the guest (reconcile-watch.service repairs drift made there)"
  boot "$root" "$name" || status=1
  grep -E "reconcile\[" "$root/e2e/watch-journal.txt" 2>/dev/null | head -12 | sed 's/^/  /' || true
  return $status
}

# Each scenario in each suite: a guest of its own, removed when it is done.
status=0
for suite in "${suites[@]}"; do
  t0=$SECONDS
  base=$(base_root "$suite") || { status=1; continue; }
  echo "e2e $suite: $(chroot "$base" dpkg-query -W -f '${Package} ${Version}' systemd)"
  for scenario in fresh running watch; do
    "scenario_$scenario" "$work/$suite-$scenario" "$suite-$scenario" || status=1
    [[ -n ${KEEP_E2E:-} ]] || rm -rf "${work:?}/$suite-$scenario"
  done
  echo "e2e $suite: $((SECONDS - t0)) s"
done

echo "e2e: $((SECONDS - started)) s in all"
((status == 0)) || { echo "e2e: FAILED"; exit 1; }
