#!/usr/bin/env bash
# The metrics file read by the real reader: `reconcile --metrics-file` runs on a
# scratch host (a tmpfs in a private mount namespace: a stacked orphan bind, an
# overlay to mount, a refused instance), Debian's prometheus-node-exporter serves
# the file through its textfile collector on 127.0.0.1, curl scrapes it, and every
# reconcile_* series must be there with node_textfile_scrape_error 0. `promtool check
# metrics` must find nothing to say about the file.
# Usage (root): tests/metrics/node-exporter.sh RECONCILE_BINARY
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
reconcile=$(realpath "$1")
if [[ ${RECONCILE_METRICS_NAMESPACE:-} != "$(readlink /proc/self/ns/mnt)" ]]; then
  exec unshare --mount --propagation private -- sh -c \
    'RECONCILE_METRICS_NAMESPACE=$(readlink /proc/self/ns/mnt) exec "$0" "$@"' "$0" "$reconcile"
fi
exporter=/usr/bin/prometheus-node-exporter
for tool in "$exporter" promtool curl /usr/bin/python3; do
  command -v "$tool" >/dev/null || { echo "metrics: FAILED: $tool is missing (make deps installs it)"; exit 1; }
done
fail() { echo "metrics: FAILED: $*"; exit 1; }

scratch=$(mktemp -d /tmp/reconcile-metrics.XXXXXX)
trap 'kill "$exporter_pid" 2>/dev/null; umount -R -l "$scratch"; rmdir "$scratch"' EXIT
exporter_pid=
mount -t tmpfs -o mode=0755 reconcile-metrics "$scratch"
root=$scratch/root
mkdir -p "$root/layers/a" "$root/layers/b" "$root/runtime/stack" "$scratch/etc/instances.d" "$scratch/textfile"
echo game > "$root/layers/a/file"
cat > "$scratch/etc/site.yaml" <<YAML
root: $root
instances: instances.d
lowerdir-roots: [layers]
managed: [runtime]
YAML
cat > "$scratch/etc/instances.d/1.yaml" <<'YAML'
mounts:
  - {type: overlay, target: runtime/1/merged, lowerdirs: [layers/a, layers/b]}
YAML
printf 'mounts: []\nenable: true\n' > "$scratch/etc/instances.d/2.yaml"   # refused: unknown key
# A leaked bind stacked three times below the managed tree.
for _ in 1 2 3; do mount --bind "$root/layers/a" "$root/runtime/stack"; done

prom=$scratch/textfile/reconcile.prom
status=0
"$reconcile" --config "$scratch/etc/site.yaml" --metrics-file "$prom" > "$scratch/run.txt" 2>&1 || status=$?
[[ $status == 1 ]] || fail "reconcile exited $status, expected 1 (instance 2 refused): $(cat "$scratch/run.txt")"
[[ -s $prom ]] || fail "no metrics file at $prom"

checked=$(promtool check metrics < "$prom" 2>&1) || fail "promtool check metrics: $checked"
[[ -z $checked ]] || fail "promtool check metrics has something to say: $checked"
echo "metrics: promtool check metrics: nothing to report on $(grep -vc '^#' "$prom") samples"

# The exporter with only the textfile collector, on a socket listen.py already listens on.
exec {ports}< <(exec /usr/bin/python3 "$here/listen.py" "$exporter" --web.systemd-socket \
  --collector.disable-defaults --collector.textfile --collector.textfile.directory="$scratch/textfile" \
  2> "$scratch/exporter.log")
exporter_pid=$!
read -r port <&"$ports" || fail "the exporter never listened: $(cat "$scratch/exporter.log")"
curl -fsS --max-time 60 "http://127.0.0.1:$port/metrics" > "$scratch/scrape.txt" \
  || fail "scrape of 127.0.0.1:$port failed: $(cat "$scratch/exporter.log")"

grep -qx 'node_textfile_scrape_error 0' "$scratch/scrape.txt" \
  || fail "node_textfile_scrape_error is not 0: $(grep node_textfile "$scratch/scrape.txt")"
missing=0
while read -r series _; do
  grep -qF -- "$series " "$scratch/scrape.txt" || { echo "metrics: not served: $series"; missing=$((missing + 1)); }
done < <(grep '^reconcile_' "$prom")
((missing == 0)) || fail "$missing series of the file not served by node_exporter"
expect() {
  grep -qx -- "$1" "$scratch/scrape.txt" || fail "expected '$1' in the scrape; got: $(grep "^${1%%[{ ]*}" "$scratch/scrape.txt"); the run: $(cat "$scratch/run.txt")"
}
expect 'reconcile_deepest_stack{observation="before"} 3'
expect 'reconcile_deepest_stack{observation="after"} 1'
expect 'reconcile_managed_mounts{observation="before"} 3'
expect 'reconcile_managed_mounts{observation="after"} 1'
expect 'reconcile_instance_up{instance="1"} 1'
expect 'reconcile_instance_up{instance="2"} 0'
expect 'reconcile_last_run_exit_code 1'
echo "metrics: node_exporter $("$exporter" --version 2>&1 | head -1 | awk '{print $3}') on 127.0.0.1:$port served all $(grep -c '^reconcile_' "$prom") reconcile_* series, node_textfile_scrape_error 0"
