#!/usr/bin/env bash
# History benchmark (issue 11): N devices over D simulated days through the
# real recorder and store (bench/history.cpp says how the days are simulated),
# then 30-day reads of random devices while recording goes on.
# Usage: bench/history.sh [devices] [days]   (defaults 10000 400; needs ~2 GB in /tmp)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x build/release/bench/history_bench ] || scripts/build.sh release >/dev/null
work=$(mktemp -d /tmp/gw-history-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT
build/release/bench/history_bench "$work" "${1:-10000}" "${2:-400}"
