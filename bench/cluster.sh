#!/usr/bin/env bash
# Several nodes on one PostgreSQL (issue 13): three nodes and N devices
# (default 30,000) in a network namespace of the bench's own, whose lo holds
# 127.0.0.1/32 and 127.1.0.0/16 (every device answers) while 127.0.0.66
# answers only when the bench adds it; PostgreSQL from Debian's postgresql-15
# in the scratch folder, on a Unix socket (tests/postgres.sh). Prints
# PostgreSQL's load at steady state, how fast a change probed by one node
# reaches another node's socket, and how long SIGTERM and SIGKILL of a node
# leave its devices unowned (bench/cluster.py).
# Usage: bench/cluster.sh [devices]   (root)
set -euo pipefail
cd "$(dirname "$0")/.."
devices=${1:-30000}
bin=${GATEWATCH_BIN:-build/release/src/gatewatch}
[ -x "$bin" ] || scripts/build.sh release >/dev/null

source bench/netns.sh
bench_netns gwcluster loopback-only
in_ns ip addr add 127.1.0.0/16 dev lo
in_ns sysctl -q -w net.ipv4.ping_group_range="0 2147483647"
pg=$(mktemp -d /tmp/gw-bench-pg-XXXXXX)  # beside $work: the postgres user cannot enter $work (0700)
url=$(tests/postgres.sh start "$pg")
trap 'tests/postgres.sh stop "$pg"; bench_cleanup' EXIT
psql -q "$url" -c "CREATE DATABASE gwbench"
in_ns /usr/bin/python3 bench/cluster.py "$bin" "$(echo "$url" | sed 's|/postgres?|/gwbench?|')" "$work" "$devices"
