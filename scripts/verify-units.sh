#!/usr/bin/env bash
# systemd-analyze verify on every unit `make install` produced, inside a scratch
# root (the installed tree plus this host's systemd units), so ExecStart= paths are
# checked where they will live. --man=no: the man page check would need man-db.
# Usage: scripts/verify-units.sh DESTDIR
set -euo pipefail
dest=$1
root=$(mktemp -d /tmp/reconcile-verify.XXXXXX)
trap 'rm -rf "$root"' EXIT
cp -a "$dest/." "$root/"
mkdir -p "$root/lib/systemd"
cp -a /lib/systemd/system "$root/lib/systemd/"
# The game server's binary lives in its merged overlay, which exists only when mounted.
mkdir -p "$root/var/lib/left4me/runtime/2/merged"
printf '#!/bin/sh\n' > "$root/var/lib/left4me/runtime/2/merged/srcds_run"
chmod +x "$root/var/lib/left4me/runtime/2/merged/srcds_run"
units=(reconcile.service reconcile.timer reconcile-watch.service left4me-server@2.service)
for unit in "${units[@]}"; do
  if ! out=$(cd "$root" && systemd-analyze verify --root="$root" --man=no "$unit" 2>&1) || [[ -n $out ]]; then
    echo "systemd-analyze verify $unit: FAILED"
    echo "$out"
    exit 1
  fi
  echo "systemd-analyze verify $unit: ok"
done
