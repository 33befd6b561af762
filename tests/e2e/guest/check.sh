#!/bin/sh
# Runs in the booted guest. Writes what it saw to /e2e/, and PASS or FAIL lines to
# /e2e/result, which the host reads after the guest powers off.
R=/var/lib/left4me
out=/e2e
fail() { echo "FAIL $*" >> $out/result; }
pass() { echo "PASS $*" >> $out/result; }
depth() { awk -v t="$1" '$5 == t' /proc/self/mountinfo | wc -l; }
: > $out/result

# 1. The timer alone converges the host: no reconcile is run here but dry runs.
converged=no
for i in $(seq 1 90); do
  if /usr/local/sbin/reconcile --dry-run > $out/dry-run.txt 2>&1; then converged=yes; break; fi
  sleep 2
done
[ $converged = yes ] && pass "timer converged the host within $((i * 2)) s" || fail "not converged after 180 s: $(cat $out/dry-run.txt)"
[ "$(depth $R/runtime/2/idmap/overlays_9)" = 0 ] && pass "stacked idmap binds removed" || fail "idmap binds left: $(depth $R/runtime/2/idmap/overlays_9)"
[ "$(depth $R/tmp/sandbox-idmap-9)" = 0 ] && pass "leaked staging bind removed" || fail "staging bind left"
[ "$(depth $R/runtime/1/merged)" = 1 ] && pass "instance 1 mounted once" || fail "instance 1 depth $(depth $R/runtime/1/merged)"
[ "$(stat -c %U $R/overlays/12/built.cfg)" = left4me ] && pass "migration ran: overlays/12 owned by left4me" || fail "overlays/12 owned by $(stat -c %U $R/overlays/12/built.cfg)"
grep -q '"outcome" : "converged"' $R/.reconcile/status.json && pass "status.json says converged" || fail "status.json: $(cat $R/.reconcile/status.json)"
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
grep -qi ebusy $out/server-journal.txt $out/reconcile-journal.txt && fail "EBUSY in the journal" || pass "no EBUSY in the journal"
/usr/local/sbin/reconcile --dry-run > $out/final-dry-run.txt 2>&1 && pass "final dry run plans nothing" || fail "final dry run: $(cat $out/final-dry-run.txt)"
echo done >> $out/result
