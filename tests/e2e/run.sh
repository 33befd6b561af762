#!/usr/bin/env bash
# End-to-end against a real systemd: a minimal Debian bookworm root from debootstrap
# (cached in /var/cache/reconcile-e2e), a left4me tree in it, booted with
# systemd-nspawn, twice:
#
#   fresh    `make install DESTDIR=` in the root, the timer enabled with `systemctl
#            --root`, the seeds' broken state made at boot. The timer alone must
#            converge it; then a game-server unit with a private namespace is started
#            and stopped three times, and script builds run through the sandbox.
#   running  the host before reconcile: the old helper runs server 2 on an overlay
#            over stacked idmapped binds. The guest deploys reconcile under it (the
#            README's recipe), and the server keeps running until its restart picks
#            up the new shape. The guest's timeline is printed.
#   watch    installed like fresh, with reconcile-watch.service enabled instead of the
#            timer: drift made in the guest is repaired within a second.
#
# Usage (root): tests/e2e/run.sh DESTDIR     (DESTDIR: a finished `make install DESTDIR=`)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dest=$(cd "$1" && pwd)
cache=/var/cache/reconcile-e2e
packages=systemd,systemd-sysv,dbus,libmount1,libyaml-0-2,sudo
# The cache is keyed by the package list, so adding a package rebuilds it.
base=$cache/bookworm-minbase-$(printf '%s' "$packages" | md5sum | cut -c1-8)
started=$SECONDS

if [[ ! -x $base/lib/systemd/systemd ]]; then
  echo "e2e: building the cached Debian root (debootstrap, once per machine)"
  rm -rf "$base.tmp"
  mkdir -p "$cache"
  # Debian's default mirror, as configured in debootstrap itself.
  debootstrap --variant=minbase --include="$packages" \
    bookworm "$base.tmp" >"$cache/debootstrap.log" 2>&1 || { tail -20 "$cache/debootstrap.log"; exit 1; }
  mv "$base.tmp" "$base"
fi

work=$(mktemp -d /var/tmp/reconcile-e2e.XXXXXX)
trap 'rm -rf "$work"' EXIT
[[ -n ${KEEP_E2E:-} ]] && trap 'echo "e2e: kept $work"' EXIT

# The install tree into a guest root without touching its existing directories:
# `cp -a DEST/.` would give the guest's / the install directory's mode (mktemp's
# 0700), and no user but root could reach anything.
install_into() { tar -C "$dest" -cf - . | tar -C "$1" -xf - --no-overwrite-dir; }

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

# --- fresh: installed before the boot, the broken state made at boot ---
fresh=$work/fresh
make_root "$fresh"
install_into "$fresh"
# The guest has no Swift toolchain; the installed binary must run on its own.
if [[ -e $fresh/opt/swift ]] || chroot "$fresh" sh -c 'command -v swift' >/dev/null 2>&1; then
  echo "e2e: the guest root has a Swift toolchain; it must not"; exit 1
fi
systemd-nspawn -q -D "$fresh" --register=no --keep-unit /usr/local/sbin/reconcile --version > "$work/version.txt" 2>/dev/null
echo "e2e: installed binary runs in the guest without a Swift toolchain: reconcile $(tr -d '\r' < "$work/version.txt")"
# Without /proc (a bare chroot) it must refuse, not run with its arguments lost.
if chroot "$fresh" /usr/local/sbin/reconcile --dry-run >/dev/null 2>&1 || [[ $? -ne 64 ]]; then
  echo "e2e: without /proc the binary did not refuse with 64"; exit 1
fi
cp "$fresh/usr/local/share/reconcile/examples/instances.d/1.yaml" "$fresh/etc/reconcile/instances.d/1.yaml"
install -m 0755 "$here/guest/fresh/break.sh" "$here/guest/fresh/check.sh" "$fresh/usr/local/libexec/e2e/"
install -m 0644 "$here/guest/fresh/e2e-break.service" "$here/guest/fresh/e2e-check.service" "$fresh/etc/systemd/system/"
systemctl --root="$fresh" enable reconcile.timer e2e-break.service e2e-check.service >/dev/null 2>&1

# --- running: the old helpers' host; reconcile is deployed in the guest ---
running=$work/running
make_root "$running"
L=$running/var/lib/left4me
mkdir -p "$L/instances/3"
echo 'L4D2_LOWERDIRS="overlays/9:installation"' > "$L/instances/3/instance.env"
install -D -m 0755 "$here/guest/running/old-left4me-overlay" "$running/usr/local/libexec/left4me/left4me-overlay"
install -m 0644 "$here/guest/running/old-left4me-server@.service" "$running/etc/systemd/system/left4me-server@.service"
# What the deploy installs, and the old helper's scratch reconcile (its idmapped binds).
tar -C "$dest" -cf "$running/e2e/install.tar" .
mkdir -p "$running/e2e/old-helper/instances.d"
cp "$dest/usr/local/sbin/reconcile" "$running/e2e/old-helper/reconcile"
cat > "$running/e2e/old-helper/site.yaml" <<'EOF'
# The old helper's stand-in config: only for making its idmapped binds.
root: /var/lib/left4me
instances: instances.d
state: tmp/e2e-old-helper
lowerdir-roots: [overlays]
managed: [runtime]
EOF
install -m 0755 "$here/guest/running/deploy.sh" "$running/usr/local/libexec/e2e/"
install -m 0644 "$here/guest/running/e2e-deploy.service" "$running/etc/systemd/system/"
systemctl --root="$running" enable e2e-deploy.service >/dev/null 2>&1

# --- watch: reconcile-watch.service enabled, the timer not; drift made in the guest ---
watchroot=$work/watch
make_root "$watchroot"
install_into "$watchroot"
cp "$watchroot/usr/local/share/reconcile/examples/instances.d/1.yaml" "$watchroot/etc/reconcile/instances.d/1.yaml"
install -m 0755 "$here/guest/watch/check.sh" "$watchroot/usr/local/libexec/e2e/watch-check.sh"
install -m 0644 "$here/guest/watch/e2e-watch.service" "$watchroot/etc/systemd/system/"
systemctl --root="$watchroot" enable reconcile-watch.service e2e-watch.service >/dev/null 2>&1

status=0
echo "e2e fresh: booting the guest (the timer converges the seeds' broken state)"
boot "$fresh" fresh || status=1
echo "e2e fresh: broken state at boot: $(cat "$fresh/e2e/mounts-at-boot" 2>/dev/null || echo '?') mounts below /var/lib/left4me"
echo "e2e fresh: how the timer's runs went (journal of reconcile.service):"
grep -E "reconcile\[|Finished|Failed" "$fresh/e2e/reconcile-journal.txt" 2>/dev/null | head -12 | sed 's/^/  /' || true
if ((status)); then
  echo "e2e fresh: the game server's journal:"
  tail -25 "$fresh/e2e/server-journal.txt" 2>/dev/null | sed 's/^/  /' || true
fi

echo "e2e running: booting the guest (deploy under a running server; about 90 s)"
boot "$running" running || status=1
echo "e2e running: the timer's first run after the deploy (journal of reconcile.service):"
grep -E "reconcile\[" "$running/e2e/first-run-journal.txt" 2>/dev/null | head -25 | sed 's/^/  /' || true
echo "e2e running: timeline (seconds since the guest booted):"
sed 's/^/  /' "$running/e2e/timeline" 2>/dev/null || echo "  (none)"

echo "e2e watch: booting the guest (reconcile-watch.service repairs drift made there)"
boot "$watchroot" watch || status=1
grep -E "reconcile\[" "$watchroot/e2e/watch-journal.txt" 2>/dev/null | head -12 | sed 's/^/  /' || true

echo "e2e: $((SECONDS - started)) s in all"
((status == 0)) || { echo "e2e: FAILED"; exit 1; }
