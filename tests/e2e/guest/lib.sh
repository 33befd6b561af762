# Sourced by the guest scripts. What they find goes to /e2e/, and PASS or FAIL lines
# to /e2e/result, which the host reads after the guest powers off.
R=/var/lib/left4me
# Where the package (make deb, installed with dpkg) puts reconcile and the left4me hooks.
reconcile=/usr/sbin/reconcile
hooks=/usr/libexec/left4me
examples=/usr/share/reconcile/examples
out=/e2e
fail() { echo "FAIL $*" >> $out/result; }
pass() { echo "PASS $*" >> $out/result; }
# check DESCRIPTION COMMAND...: PASS if the command succeeds, else FAIL.
check() { what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
# How many mounts sit on the mount point $1 (a stack counts each layer).
depth() { awk -v t="$1" '$5 == t' /proc/self/mountinfo | wc -l; }
# Seconds since this container booted (its PID 1 started), to a tenth.
boot0=$(awk -v hz="$(getconf CLK_TCK)" '{ print $22 / hz }' /proc/1/stat)
now() { awk -v b="$boot0" '{ printf "%.1f", $1 - b }' /proc/uptime; }
# A line of the timeline the host prints: "SECONDS what happened".
mark() { echo "$(now) $*" >> $out/timeline; }
# until_deadline SECONDS COMMAND...: polls COMMAND every 0.2 s until it succeeds or
# SECONDS have passed; returns its last status. COMMAND runs anew each time, so it
# must be a command or function, not a test whose $(...) the caller expanded once.
until_deadline() {
  limit=$(( $1 * 5 )); shift
  while ! "$@"; do
    limit=$((limit - 1))
    [ $limit -gt 0 ] || return 1
    sleep 0.2
  done
}
# status FILE KEY: a top-level number or word of a status.json, the full run's
# (the hooks' and migrate's runs nest under last_instance_run and last_migrate_run).
status() { sed -n "s/^  \"$2\" : \"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}\$/\1/p" "$1"; }
