#!/bin/sh
# The watcher's host, in the booted guest: reconcile installed, reconcile-watch.service
# enabled and reconcile.timer disabled before the boot. Drift made here must be
# repaired within a second, by the watcher alone.
. /usr/local/libexec/e2e/lib.sh
: > $out/result

# Type=notify: active means READY=1 came, after its first full run.
active() { [ "$(systemctl show -p ActiveState --value reconcile-watch.service)" = active ]; }
check "reconcile-watch.service is active (READY=1 after its first run)" until_deadline 120 active
check "the timer is not what converges here" test "$(systemctl is-enabled reconcile.timer 2>&1)" != enabled
check "instance 1 mounted by the watcher's first run" test "$(depth $R/runtime/1/merged)" = 1
check "the service says what it did (STATUS=)" sh -c 'systemctl show -p StatusText --value reconcile-watch.service | grep -q "^run "'
check "the watchdog is armed" test "$(systemctl show -p WatchdogUSec --value reconcile-watch.service)" != 0

# repaired WHAT CONDITION...: seconds (to a hundredth) until CONDITION holds, polled every
# 10 ms, at most 5 s; FAIL unless it took under a second.
repaired() {
  what=$1; shift
  t0=$(date +%s%N)
  n=500
  while ! "$@" && [ $n -gt 0 ]; do sleep 0.01; n=$((n - 1)); done
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  if "$@" && [ $ms -lt 1000 ]; then pass "$what: repaired in $ms ms"; else fail "$what: not repaired within 1 s ($ms ms)"; fi
}
gone() { [ "$(depth "$1")" = 0 ]; }
once() { [ "$(depth "$1")" = 1 ]; }

mkdir -p $R/runtime/stray
mount --bind $R/installation $R/runtime/stray
repaired "a stray bind below runtime/" gone $R/runtime/stray
umount $R/runtime/1/merged
repaired "instance 1's overlay unmounted by hand" once $R/runtime/1/merged
cp $examples/instances.d/1.yaml /etc/reconcile/.3.yaml.new
sed -i 's|runtime/1/|runtime/3/|g; s|^instance: .*||' /etc/reconcile/.3.yaml.new
mv /etc/reconcile/.3.yaml.new /etc/reconcile/instances.d/3.yaml
repaired "a manifest renamed into place" once $R/runtime/3/merged

journalctl -u reconcile-watch.service --no-pager -o short-monotonic > $out/watch-journal.txt 2>&1
cp $R/.reconcile/status.json $out/status.json
check "status.json records the watcher's runs" grep -q '"runs_triggered"' $R/.reconcile/status.json
check "status.json says converged" test "$(status $R/.reconcile/status.json outcome)" = converged
systemctl stop reconcile-watch.service
check "SIGTERM stops it cleanly (unit result success)" test "$(systemctl show -p Result --value reconcile-watch.service)" = success
echo done >> $out/result
