#!/usr/bin/env bash
# What `make install DESTDIR=` left, and that install keeps an operator's config and
# uninstall takes everything else away again. Usage: scripts/check-install.sh DESTDIR
set -euo pipefail
dest=$1
fail() { echo "install check: FAILED: $*"; exit 1; }
for f in usr/local/sbin/reconcile usr/local/share/man/man8/reconcile.8 \
  usr/local/share/bash-completion/completions/reconcile usr/local/share/zsh/site-functions/_reconcile \
  etc/systemd/system/reconcile.service etc/systemd/system/reconcile.timer \
  etc/systemd/system/reconcile-watch.service \
  etc/systemd/system/left4me-server@.service usr/local/libexec/left4me/left4me-overlay \
  usr/local/libexec/left4me/left4me-script-sandbox etc/reconcile/site.yaml \
  usr/local/share/reconcile/examples/sudoers.left4me; do
  [[ -s $dest/$f ]] || fail "$f missing or empty"
done
if ldd "$dest/usr/local/sbin/reconcile" | grep -q swift; then fail "the binary links the Swift runtime dynamically"; fi
# The sudoers snippet must parse, or sudo refuses every rule in the file it lands in.
if ! command -v visudo >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends sudo >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends sudo >/dev/null 2>&1; } \
    || fail "visudo is missing and sudo could not be installed"
fi
sudoers=$dest/usr/local/share/reconcile/examples/sudoers.left4me
visudo -cf "$sudoers" >/dev/null || fail "visudo -cf rejects $sudoers: $(visudo -cf "$sudoers" 2>&1)"
for helper in left4me-overlay left4me-script-sandbox; do
  grep -q "^[^#]*/usr/local/libexec/left4me/$helper " "$sudoers" || fail "the sudoers snippet does not allow $helper"
done
grep -q "reconcile --mount-namespace /proc/1/ns/mnt" "$dest/etc/systemd/system/reconcile.service" || fail "unit ExecStart"
grep -q "reconcile watch --mount-namespace /proc/1/ns/mnt" "$dest/etc/systemd/system/reconcile-watch.service" \
  || fail "watch unit ExecStart"
# An operator's config survives a second install, and uninstall.
copy=$(mktemp -d /tmp/reconcile-install-check.XXXXXX)
trap 'rm -rf "$copy"' EXIT
cp -a "$dest/." "$copy/"
echo "# edited by the operator" >> "$copy/etc/reconcile/site.yaml"
make --no-print-directory install DESTDIR="$copy" >/dev/null
grep -q "edited by the operator" "$copy/etc/reconcile/site.yaml" || fail "install overwrote the config"
make --no-print-directory uninstall DESTDIR="$copy" >/dev/null
left=$(cd "$copy" && find . -type f | sort)
[[ $left == "./etc/reconcile/site.yaml" ]] || fail "uninstall left: $left"
echo "install check: files in place, binary without the Swift runtime, sudoers snippet accepted by visudo, config kept, uninstall clean"
