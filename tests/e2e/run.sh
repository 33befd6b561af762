#!/usr/bin/env bash
# End-to-end against a real systemd: a minimal Debian bookworm root from debootstrap
# (cached in /var/cache/reconcile-e2e), `make install DESTDIR=` into a copy of it, the
# timer enabled with `systemctl --root`, a left4me tree whose broken state is made at
# boot, booted with systemd-nspawn. The timer alone must converge it; then a
# game-server unit with a private namespace is started and stopped three times.
# Usage (root): tests/e2e/run.sh DESTDIR     (DESTDIR: a finished `make install DESTDIR=`)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dest=$(cd "$1" && pwd)
cache=/var/cache/reconcile-e2e
base=$cache/bookworm-minbase

if [[ ! -x $base/lib/systemd/systemd ]]; then
  echo "e2e: building the cached Debian root (debootstrap, once per machine)"
  rm -rf "$base.tmp"
  mkdir -p "$cache"
  # Debian's default mirror, as configured in debootstrap itself.
  debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,libmount1,libyaml-0-2 \
    bookworm "$base.tmp" >"$cache/debootstrap.log" 2>&1 || { tail -20 "$cache/debootstrap.log"; exit 1; }
  mv "$base.tmp" "$base"
fi

work=$(mktemp -d /var/tmp/reconcile-e2e.XXXXXX)
trap 'rm -rf "$work"' EXIT
[[ -n ${KEEP_E2E:-} ]] && trap 'echo "e2e: kept $work"' EXIT
root=$work/root
cp -a "$base" "$root"
# Into the guest without touching its existing directories: `cp -a DEST/.` would give
# the guest's / the install directory's mode (mktemp's 0700), and no user but root
# could reach anything.
tar -C "$dest" -cf - . | tar -C "$root" -xf - --no-overwrite-dir

# The guest has no Swift toolchain; the installed binary must run on its own.
if [[ -e $root/opt/swift ]] || chroot "$root" sh -c 'command -v swift' >/dev/null 2>&1; then
  echo "e2e: the guest root has a Swift toolchain; it must not"; exit 1
fi
systemd-nspawn -q -D "$root" --register=no --keep-unit /usr/local/sbin/reconcile --version > "$work/version.txt" 2>/dev/null
echo "e2e: installed binary runs in the guest without a Swift toolchain: reconcile $(tr -d '\r' < "$work/version.txt")"
# Without /proc (a bare chroot) it must refuse, not run with its arguments lost.
if chroot "$root" /usr/local/sbin/reconcile --dry-run >/dev/null 2>&1 || [[ $? -ne 64 ]]; then
  echo "e2e: without /proc the binary did not refuse with 64"; exit 1
fi

chroot "$root" groupadd -g 980 left4me
chroot "$root" useradd -u 980 -g 980 -M -d /var/lib/left4me -s /usr/sbin/nologin left4me
chroot "$root" groupadd -g 981 l4d2-sandbox
chroot "$root" useradd -u 981 -g 981 -M -d /nonexistent -s /usr/sbin/nologin l4d2-sandbox

L=$root/var/lib/left4me
mkdir -p "$L/installation/left4dead2" "$L/overlays/4/left4dead2/addons" "$L/overlays/9/left4dead2/cfg" \
  "$L/overlays/12" "$L/global_overlay_cache" "$L/workshop_cache" "$L/runtime" "$L/tmp" "$L/instances/2"
printf '#!/bin/sh\nexec sleep infinity\n' > "$L/installation/srcds_run"
chmod 0755 "$L/installation/srcds_run"
echo '"GameInfo" {}' > "$L/installation/left4dead2/gameinfo.txt"
echo map > "$L/overlays/4/left4dead2/addons/map.vpk"
echo cfg > "$L/overlays/9/left4dead2/cfg/server.cfg"
echo built > "$L/overlays/12/built.cfg"
chown -R 980:980 "$L/overlays/4" "$L/overlays/9"
chown -R 981:981 "$L/overlays/12"
echo 'L4D2_LOWERDIRS="overlays/9:overlays/4:installation"' > "$L/instances/2/instance.env"
cp "$root/usr/local/share/reconcile/examples/instances.d/1.yaml" "$root/etc/reconcile/instances.d/1.yaml"

install -D -m 0755 "$here/guest/break.sh" "$root/usr/local/libexec/e2e/break.sh"
install -D -m 0755 "$here/guest/check.sh" "$root/usr/local/libexec/e2e/check.sh"
install -m 0644 "$here/guest/e2e-break.service" "$here/guest/e2e-check.service" "$root/etc/systemd/system/"
mkdir -p "$root/e2e"
systemctl --root="$root" enable reconcile.timer e2e-break.service e2e-check.service >/dev/null 2>&1
systemctl --root="$root" mask apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer \
  systemd-logind.service console-getty.service >/dev/null 2>&1 || true

echo "e2e: booting the guest with systemd-nspawn (the timer converges it; up to 5 minutes)"
# nspawn wants a terminal for the guest's console; script(1) gives it one.
timeout 300 script -qfec "systemd-nspawn -q -D '$root' --boot --register=no --keep-unit" "$work/console.log" \
  >/dev/null 2>&1 || true

if [[ ! -s $root/e2e/result ]]; then
  echo "e2e: FAILED, the guest wrote no result. Console:"
  tr -d '\r' < "$work/console.log" | tail -40
  exit 1
fi
echo "e2e: broken state at boot: $(cat "$root/e2e/mounts-at-boot" 2>/dev/null || echo '?') mounts below /var/lib/left4me"
sed 's/^/  /' "$root/e2e/result"
echo "e2e: how the timer's runs went (journal of reconcile.service):"
grep -E "reconcile\[|Finished|Failed" "$root/e2e/reconcile-journal.txt" | head -12 | sed 's/^/  /' || true
if grep -q '^FAIL' "$root/e2e/result" || ! grep -q '^done' "$root/e2e/result"; then
  rm -rf "$cache/last-failure" && cp -a "$root/e2e" "$cache/last-failure"
  echo "e2e: the game server's journal:"
  tail -25 "$root/e2e/server-journal.txt" | sed 's/^/  /'
  echo "e2e: FAILED (the guest's findings are kept in $cache/last-failure)"
  exit 1
fi
echo "e2e: $(grep -c '^PASS' "$root/e2e/result") passed, 0 failed"
