#!/usr/bin/env bash
# Benchmarks reconcile against what an operator would otherwise run, in one private
# mount namespace on a tmpfs (the host's mount table is never touched). Needs root.
# Usage: bench/run.sh [path/to/reconcile [--only chown]]   (default: .build/release/reconcile;
# the ownership migration needs ownership-walk-tool built beside it)
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-.build/release/reconcile}
[[ $(id -u) -eq 0 ]] || { echo "bench needs root (it mounts in a private namespace)" >&2; exit 1; }
exec unshare --mount --propagation private -- python3 bench/bench.py "$binary" "${@:2}"
