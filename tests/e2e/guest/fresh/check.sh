#!/bin/sh
# The fresh host, in the booted guest: reconcile was installed and its timer enabled
# before the boot, and break.sh made the seeds' broken state.
. /usr/local/libexec/e2e/lib.sh
: > $out/result

# 1. The timer alone converges the host: no reconcile is run here but dry runs.
converged=no
for i in $(seq 1 90); do
  if "$reconcile" --dry-run > $out/dry-run.txt 2>&1; then converged=yes; break; fi
  sleep 2
done
[ $converged = yes ] && pass "timer converged the host within $((i * 2)) s" || fail "not converged after 180 s: $(cat $out/dry-run.txt)"
[ "$(depth $R/runtime/2/idmap/overlays_9)" = 0 ] && pass "stacked idmap binds removed" || fail "idmap binds left: $(depth $R/runtime/2/idmap/overlays_9)"
[ "$(depth $R/tmp/sandbox-idmap-9)" = 0 ] && pass "leaked staging bind removed" || fail "staging bind left"
[ "$(depth $R/runtime/1/merged)" = 1 ] && pass "instance 1 mounted once" || fail "instance 1 depth $(depth $R/runtime/1/merged)"
[ "$(stat -c %U $R/overlays/12/built.cfg)" = left4me ] && pass "migration ran: overlays/12 owned by left4me" || fail "overlays/12 owned by $(stat -c %U $R/overlays/12/built.cfg)"
[ "$(status $R/.reconcile/status.json outcome)" = converged ] && pass "status.json says converged" || fail "status.json: $(cat $R/.reconcile/status.json)"
journalctl -u reconcile.service --no-pager -o short-monotonic > $out/reconcile-journal.txt 2>&1
grep " $R/" /proc/self/mountinfo > $out/converged-mounts.txt
covered=$(awk -v r="$R/overlays" 'index($5, r) == 1' /proc/self/mountinfo | wc -l)
[ "$covered" = 0 ] && pass "no mount left on a layer directory (propagated copies gone)" || fail "$covered mounts cover layer directories"
cp $R/.reconcile/status.json $out/status.json

# 2. A game server with a private namespace, started and stopped a few times:
# nothing stacks, nothing is EBUSY.
for round in 1 2 3; do
  if ! systemctl start left4me-server@2; then fail "start $round: $(systemctl status left4me-server@2 --no-pager 2>&1 | tail -5)"; continue; fi
  sleep 1
  [ "$(depth $R/runtime/2/merged)" = 1 ] && pass "start $round: runtime/2/merged mounted once" || fail "start $round: depth $(depth $R/runtime/2/merged)"
  pid=$(systemctl show -p MainPID --value left4me-server@2)
  [ "$pid" -gt 0 ] && [ -n "$(readlink /proc/$pid/ns/mnt)" ] && [ "$(readlink /proc/$pid/ns/mnt)" != "$(readlink /proc/1/ns/mnt)" ] && pass "start $round: the server runs in a private mount namespace" || fail "start $round: server shares PID 1's namespace"
  systemctl stop left4me-server@2
  result=$(systemctl show -p Result --value left4me-server@2)
  [ "$result" = success ] && pass "stop $round: unit result success" || fail "stop $round: result $result"
  [ "$(depth $R/runtime/2/merged)" = 0 ] && pass "stop $round: runtime/2/merged unmounted" || fail "stop $round: still mounted"
done
journalctl -u left4me-server@2 --no-pager -o short-monotonic > $out/server-journal.txt 2>&1

# 3. A script build through left4me-script-sandbox: it holds its lease, reconcile makes
# the idmapped staging bind, the build runs as l4d2-sandbox, files land as left4me.
sandbox=$hooks/left4me-script-sandbox
if $sandbox 12 /bin/sh -c 'id -u > /overlay/built-by-uid && echo x > /overlay/built-by-sandbox' > $out/sandbox.txt 2>&1; then
  [ "$(cat $R/overlays/12/built-by-uid)" = 981 ] && pass "sandbox build ran as l4d2-sandbox (981)" || fail "build ran as $(cat $R/overlays/12/built-by-uid)"
  [ "$(stat -c %U:%G $R/overlays/12/built-by-sandbox)" = left4me:left4me ] && pass "its files landed on disk as left4me" || fail "built file owned by $(stat -c %U:%G $R/overlays/12/built-by-sandbox)"
  [ "$(depth $R/tmp/sandbox-idmap-12)" = 0 ] && pass "staging bind gone after the build" || fail "staging bind left after the build"
  [ ! -e /etc/reconcile/instances.d/sandbox-12.yaml ] && pass "the build's manifest removed" || fail "sandbox-12.yaml left"
else
  fail "sandbox build: $(cat $out/sandbox.txt)"
fi
# A build SIGKILLed mid-way leaves its staging bind; its lease dies with it, so the
# next reconcile run removes the bind.
setsid $sandbox 12 /bin/sleep 60 > $out/killed-sandbox.txt 2>&1 &
for i in $(seq 1 50); do [ "$(depth $R/tmp/sandbox-idmap-12)" = 1 ] && break; sleep 0.2; done
[ "$(depth $R/tmp/sandbox-idmap-12)" = 1 ] && pass "killed build: staging bind was up" || fail "killed build: staging bind never came up: $(cat $out/killed-sandbox.txt)"
# setsid made the helper its own process group: kill it and systemd-run together.
kill -KILL -- "-$!"
systemctl kill --signal=KILL 'run-*.service' >/dev/null 2>&1 || true
sleep 1
"$reconcile" > $out/after-kill.txt 2>&1
[ "$(depth $R/tmp/sandbox-idmap-12)" = 0 ] && pass "killed build: the next run removed its staging bind" || fail "killed build: staging bind still there: $(cat $out/after-kill.txt)"
grep -qi ebusy $out/server-journal.txt $out/reconcile-journal.txt && fail "EBUSY in the journal" || pass "no EBUSY in the journal"
"$reconcile" --dry-run > $out/final-dry-run.txt 2>&1 && pass "final dry run plans nothing" || fail "final dry run: $(cat $out/final-dry-run.txt)"

# 4. The package comes off the Debian way: removal stops and disables its units, purge
# takes its conffile. The host checks that no file of it is left in the root.
dpkg-query -L reconcile > $out/package-files.txt
check "reconcile.timer active before the removal" systemctl -q is-active reconcile.timer
if dpkg --purge reconcile > $out/purge.txt 2>&1; then
  pass "dpkg --purge reconcile"
  check "the removal stopped reconcile.timer" sh -c '! systemctl -q is-active reconcile.timer'
  check "the purge disabled it: no reconcile unit link in /etc/systemd" \
    [ -z "$(find /etc/systemd -name 'reconcile*')" ]
  check "the purge removed the conffile /etc/reconcile/site.yaml" [ ! -e /etc/reconcile/site.yaml ]
else
  fail "dpkg --purge reconcile: $(cat $out/purge.txt)"
fi
echo done >> $out/result
