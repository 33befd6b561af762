#!/usr/bin/env bash
# Benchmarks reconcile against what an operator would otherwise run, in one private
# mount namespace on a tmpfs (the host's mount table is never touched). Needs root.
# Usage: bench/run.sh [path/to/reconcile [--only chown|--only watch]]   (default: .build/release/reconcile;
# the ownership migration needs ownership-walk-tool built beside it)
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-.build/release/reconcile}
[[ $(id -u) -eq 0 ]] || { echo "bench needs root (it mounts in a private namespace)" >&2; exit 1; }
# `--only watch`: bench/watch_bench.py alone; with no option it follows bench.py.
if [[ ${*:2} == "--only watch" ]]; then
  exec unshare --mount --propagation private -- python3 bench/watch_bench.py "$binary"
fi
unshare --mount --propagation private -- python3 bench/bench.py "$binary" "${@:2}"
[[ -n ${2:-} ]] || exec unshare --mount --propagation private -- python3 bench/watch_bench.py "$binary"
