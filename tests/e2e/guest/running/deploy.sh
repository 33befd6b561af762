#!/bin/sh
# The deploy onto a running host, in the booted guest. Before the deploy the host
# runs the old helpers (old-left4me-overlay, old-left4me-server@.service): server 2
# runs on an overlay whose top layer is an idmapped bind stacked three times, and
# server 3 is stopped with one bind left behind. The deploy is the README's recipe:
# install, write the manifests, run the migration, enable the timer. The running
# server must keep running, the timer must defer its busy overlay (exit 75, no
# error) while it removes the stacked binds, and the restart must converge the host.
. /usr/local/libexec/e2e/lib.sh
: > "$out/result"
: > "$out/timeline"
helper=$hooks/left4me-overlay
sandbox=$hooks/left4me-script-sandbox
bind2="$R/runtime/2/idmap/overlays_9"
bind3="$R/runtime/3/idmap/overlays_9"
prop() { systemctl show -p "$1" --value "$2"; }
# The overlay's options at $1 (the mount's super options, where lowerdir= is). The
# optional fields (shared:N, master:N) vary in number; the type follows the "-".
overlay_options() {
  awk -v t="$1" '$5 == t { for (i = 7; i < NF; i++) if ($i == "-") break; if ($(i + 1) == "overlay") print $(i + 3) }' \
    /proc/self/mountinfo
}
# The top lower layer of the overlay at $1: the first of "lowerdir=A:B:C" (mount(2),
# as the old helper's mount(8) made it) or of "lowerdir+=A,lowerdir+=B" (fsconfig).
top_layer() {
  overlay_options "$1" | tr , '\n' | sed -n 's/^lowerdir+\{0,1\}=//p' | head -n 1 | cut -d: -f1
}
# A run of reconcile.service ended after the one that ended at monotonic time $1.
timer_ran_after() {
  [ "$(prop ExecMainExitTimestampMonotonic reconcile.service)" != "$1" ] \
    && [ "$(prop ActiveState reconcile.service)" != activating ]
}
binds_gone() { [ "$(depth "$bind2")$(depth "$bind3")" = 00 ]; }
below() { awk -v r="$1/" 'index($5, r) == 1 { print $5 }' /proc/self/mountinfo | sort; }
new_shape() {  # runtime/2/merged is one overlay, straight on overlays/9
  [ "$(depth "$R/runtime/2/merged")" = 1 ] && [ "$(top_layer "$R/runtime/2/merged")" = "$R/overlays/9" ]
}
no_manifest() { for n in "$@"; do [ ! -e /etc/reconcile/instances.d/"$n.yaml" ] || return 1; done; }
status_says() {  # FILE OUTCOME DRIFT_PENDING: the full run's
  [ "$(status "$1" outcome):$(status "$1" drift_pending)" = "$2:$3" ]
}
server_reads() {  # as left4me, through the server's own working directory
  [ "$(setpriv --reuid=980 --regid=980 --clear-groups cat "/proc/$1/cwd/left4dead2/cfg/server.cfg" 2>&1)" = cfg ]
}

# 0. The old host: its helper started and stopped server 2 twice and server 3 once,
# and server 2 runs now (its third start).
for n in 2 2 3; do
  systemctl start left4me-server@"$n" && systemctl stop left4me-server@"$n" \
    || fail "old helper: start and stop of server $n: $(systemctl status left4me-server@"$n" --no-pager 2>&1 | tail -5)"
done
systemctl start left4me-server@2 || fail "old helper: server 2 did not start"
pid=$(prop MainPID left4me-server@2)
check "old host: server 2 runs (pid $pid)" [ "$pid" -gt 0 ]
check "old host: idmapped bind stacked 3 times at runtime/2/idmap/overlays_9" [ "$(depth "$bind2")" = 3 ]
check "old host: 1 bind left at runtime/3/idmap/overlays_9 by the stopped server 3" [ "$(depth "$bind3")" = 1 ]
check "old host: runtime/2/merged is an overlay on the idmap bind" [ "$(top_layer "$R/runtime/2/merged")" = "$bind2" ]
check "old host: overlays/9 is l4d2-sandbox's on disk and left4me's through the bind" \
  [ "$(stat -c %U "$R/overlays/9/left4dead2/cfg/server.cfg"):$(stat -c %U "$R/runtime/2/merged/left4dead2/cfg/server.cfg")" = l4d2-sandbox:left4me ]
grep " $R/" /proc/self/mountinfo > "$out/mounts-before-deploy.txt"
mark "old host: server 2 runs on the old helper's overlay (pid $pid, $(depth "$bind2") stacked binds)"

# 1. The deploy, as the README gives it.
mark "deploy: install, write manifests, migrate, enable the timer"
# The package, its timer held back the Debian way (policy-rc.d refuses every start
# during the install): the manifests and the migration come before the timer.
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
chmod 0755 /usr/sbin/policy-rc.d
dpkg -i /e2e/reconcile.deb > "$out/dpkg.txt" 2>&1 && pass "dpkg -i reconcile.deb under the running server" \
  || fail "dpkg -i: $(cat "$out/dpkg.txt")"
rm -f /usr/sbin/policy-rc.d
check "the package enabled reconcile.timer and did not start it" \
  [ "$(systemctl is-enabled reconcile.timer):$(systemctl is-active reconcile.timer)" = enabled:inactive ]
# The old helper's unit in /etc would shadow the package's in /usr/lib/systemd/system.
rm -f /etc/systemd/system/left4me-server@.service
systemctl daemon-reload
visudo -cf "$examples/sudoers.left4me" > "$out/visudo.txt" 2>&1 \
  && install -m 0440 "$examples/sudoers.left4me" /etc/sudoers.d/left4me-reconcile \
  || fail "the sudoers snippet: $(cat "$out/visudo.txt")"
before=$(grep " $R/" /proc/self/mountinfo)
"$helper" write-manifests > "$out/write-manifests.txt" 2>&1 && pass "write-manifests exits 0" \
  || fail "write-manifests: $(cat "$out/write-manifests.txt")"
check "write-manifests mounted and unmounted nothing" [ "$(grep " $R/" /proc/self/mountinfo)" = "$before" ]
check "2.yaml: enabled (server 2 runs)" grep -qx 'enabled: true' /etc/reconcile/instances.d/2.yaml
check "3.yaml: disabled (server 3 is stopped)" grep -qx 'enabled: false' /etc/reconcile/instances.d/3.yaml
"$reconcile" migrate > "$out/migrate.txt" 2>&1 && pass "reconcile migrate exits 0" || fail "migrate: $(cat "$out/migrate.txt")"
check "the migration gave overlays/9 to left4me" [ "$(stat -c %U:%G "$R/overlays/9/left4dead2/cfg/server.cfg")" = left4me:left4me ]
systemctl enable --now reconcile.timer > "$out/enable.txt" 2>&1 || fail "enable the timer: $(cat "$out/enable.txt")"
mark "deploy done"

# 2. The timer's first run: the stacked binds are orphans and go; server 2's overlay
# differs from its manifest but is busy, so remaking it waits for the next start.
if until_deadline 60 binds_gone; then
  mark "stacked binds gone"
  pass "the stacked idmap binds are gone (runtime/2 and runtime/3)"
else
  fail "binds left: runtime/2 $(depth "$bind2"), runtime/3 $(depth "$bind3")"
fi
if until_deadline 60 timer_ran_after 0; then
  first=$(prop ExecMainExitTimestampMonotonic reconcile.service)
  code=$(prop ExecMainStatus reconcile.service)
  mark "first timer run: exit $code"
  cp "$R/.reconcile/status.json" "$out/status-first-run.json"
  journalctl -u reconcile.service --no-pager -o short-monotonic > "$out/first-run-journal.txt" 2>&1
  check "first timer run exits 75 (busy drift deferred)" [ "$code" = 75 ]
  check "first timer run: unit result success" [ "$(prop Result reconcile.service)" = success ]
  check "first timer run: nothing at error priority in its journal" \
    [ -z "$(journalctl -u reconcile.service -p err -q --no-pager)" ]
  check "status.json: outcome deferred" [ "$(status "$out/status-first-run.json" outcome)" = deferred ]
  check "status.json: drift_pending counts the busy overlay" [ "$(status "$out/status-first-run.json" drift_pending)" -gt 0 ]
  check "status.json: no step failed" [ "$(status "$out/status-first-run.json" steps_failed)" = 0 ]
  check "the journal names server 2's process as the holder" grep -qw "pid $pid" "$out/first-run-journal.txt"
  # The migration ran at the deploy: a verdict blaming a build's lease would send the
  # operator looking for a build that does not exist.
  check "first timer run: its verdict does not blame a build's lease (no migration is pending)" \
    sh -c "! grep -q 'Migration deferred' '$out/first-run-journal.txt'"
else
  first=0
  fail "the timer did not run within 60 s of the deploy"
fi
check "runtime/3/merged stays unmounted (server 3 is stopped)" [ "$(depth "$R/runtime/3/merged")" = 0 ]
check "server 2 keeps running: same pid, unit active" \
  [ "$(prop MainPID left4me-server@2):$(prop ActiveState left4me-server@2)" = "$pid:active" ]
check "server 2 still reads its game files through its overlay" server_reads "$pid"
check "runtime/2/merged is still the old overlay" [ "$(top_layer "$R/runtime/2/merged")" = "$bind2" ]

# 3. The next start picks up the new shape.
mark "systemctl restart left4me-server@2"
systemctl restart left4me-server@2 || fail "restart: $(systemctl status left4me-server@2 --no-pager 2>&1 | tail -5)"
newpid=$(prop MainPID left4me-server@2)
check "restart: server 2 runs again (pid $newpid)" [ "$newpid" -gt 0 -a "$newpid" != "$pid" ]
check "restart: runtime/2/merged mounted once, on overlays/9 itself" new_shape
# The seeds' checklist, step 4: findmnt --task 1 | grep runtime/2 shows only merged.
check "checklist 4: the only mount below runtime/2 is runtime/2/merged" [ "$(below "$R/runtime/2")" = "$R/runtime/2/merged" ]
if until_deadline 10 "$reconcile" --dry-run > "$out/dry-run-after-restart.txt" 2>&1; then
  mark "converged: reconcile --dry-run exits 0"
  pass "after the restart the host is converged (dry run exits 0)"
else
  fail "not converged after the restart: $(cat "$out/dry-run-after-restart.txt")"
fi
# Checklist step 7: as left4me, a file written through the merged tree into a
# directory left4me owns (SourceMod's logs).
if setpriv --reuid=980 --regid=980 --clear-groups \
  touch "$R/runtime/2/merged/left4dead2/addons/sourcemod/logs/test.log" 2> "$out/step7.txt"; then
  pass "checklist 7: left4me writes addons/sourcemod/logs/test.log through runtime/2/merged"
  check "checklist 7: it landed in the upperdir as left4me's" \
    [ "$(stat -c %U:%G "$R/runtime/2/upper/left4dead2/addons/sourcemod/logs/test.log")" = left4me:left4me ]
else
  fail "checklist 7: left4me cannot write through runtime/2/merged: $(cat "$out/step7.txt")"
fi
# Checklist step 6: the web UI's rebuild runs the sandbox through sudo, as left4me.
if runuser -u left4me -- sudo -n "$sandbox" 12 /bin/sh -c 'id -u > /overlay/rebuilt-by-uid' > "$out/sudo-sandbox.txt" 2>&1; then
  pass "checklist 6: left4me rebuilds overlay 12 through sudo left4me-script-sandbox"
  check "checklist 6: the build ran as l4d2-sandbox, its file is left4me's" \
    [ "$(cat "$R/overlays/12/rebuilt-by-uid"):$(stat -c %U "$R/overlays/12/rebuilt-by-uid")" = 981:left4me ]
else
  fail "sudo left4me-script-sandbox as left4me: $(cat "$out/sudo-sandbox.txt")"
fi
check "sudo refuses left4me a full reconcile run" \
  sh -c "! runuser -u left4me -- sudo -n $reconcile >/dev/null 2>&1"

# 4. The timer's next run finds nothing to do.
if until_deadline 90 timer_ran_after "$first"; then
  code=$(prop ExecMainStatus reconcile.service)
  mark "next timer run: exit $code"
  check "next timer run exits 0" [ "$code" = 0 ]
  cp "$R/.reconcile/status.json" "$out/status-next-run.json"
  check "status.json: outcome converged, nothing pending" status_says "$out/status-next-run.json" converged 0
else
  fail "the timer did not run again within 90 s"
fi
systemctl stop left4me-server@2
check "stop: unit result success" [ "$(prop Result left4me-server@2)" = success ]
check "stop: runtime/2/merged unmounted" [ "$(depth "$R/runtime/2/merged")" = 0 ]
journalctl --no-pager -o short-monotonic -u reconcile.service -u 'left4me-server@*' > "$out/journal.txt" 2>&1
check "nothing at error priority from reconcile or the servers, before or after the deploy" \
  [ -z "$(journalctl -u reconcile.service -u 'left4me-server@*' -p err -q --no-pager)" ]

# 5. write-manifests refuses what it must not read or write: a symlinked instance.env,
# a FIFO, and a value that would inject YAML. The others are still written.
mkdir -p "$R/instances/5" "$R/instances/6" "$R/instances/7"
ln -s /etc/shadow "$R/instances/5/instance.env"
mkfifo "$R/instances/6/instance.env"
echo "L4D2_LOWERDIRS='overlays/4\"], upperdir: \"/etc'" > "$R/instances/7/instance.env"
if "$helper" write-manifests > "$out/write-manifests-refusals.txt" 2>&1; then
  fail "write-manifests exited 0 with bad instance.env files"
else
  check "write-manifests refuses instances 5, 6 and 7 and exits 1" \
    [ "$(grep -c 'instance [567]: no manifest written' "$out/write-manifests-refusals.txt")" = 3 ]
fi
check "no manifest for 5, 6 or 7" no_manifest 5 6 7
check "2 and 3 still written (both stopped now: unchanged, disabled)" \
  [ "$(grep -c 'unchanged, enabled: false' "$out/write-manifests-refusals.txt")" = 2 ]
rm -rf "$R/instances/5" "$R/instances/6" "$R/instances/7"
"$reconcile" --dry-run > "$out/final-dry-run.txt" 2>&1 && pass "final dry run plans nothing" || fail "final dry run: $(cat "$out/final-dry-run.txt")"
echo "done" >> "$out/result"
