#!/usr/bin/env bash
# WebSocket fan-out benchmark (issue 3): N clients (default 10,000) of the
# project's own Asio load client on /ws/status/, inside a network namespace
# whose lo holds only 127.0.0.1/32; then 127.0.0.66 is added to lo and the
# time from the server's state change to each client receiving it is measured
# (p50, p99), with the server's memory per connection.
# Usage: bench/ws_fanout.sh [clients]   (root)
set -euo pipefail
cd "$(dirname "$0")/.."
clients=${1:-10000}
bin=${GATEWATCH_BIN:-build/release/src/gatewatch}  # another build to compare: GATEWATCH_BIN=...
[ -x build/release/bench/ws_fanout ] || scripts/build.sh release >/dev/null
ulimit -n "$(ulimit -Hn)"  # 10,000 clients and as many server sockets

source bench/netns.sh
bench_netns gwfan loopback-only
data=$work

port=18500
GATEWATCH_SECRET_KEY=$(head -c 32 /dev/urandom | base64) in_ns "$bin" serve --port $port --data-dir "$data" \
  --log-level warn --probe-interval 1 --up-after 1 --down-after 1 \
  --max-connections 20000 --max-connections-per-address 20000 --max-websockets 20000 --max-websockets-per-address 20000 &
server=$!
sleep 1
pid=$(pgrep -f -- "--port $port --data-dir $data" | head -1)
base=http://127.0.0.1:$port
token=$(bench_account "$base" bench bench-password)
device=$(in_ns curl -sf -X POST "$base/devices/" -H "Authorization: Bearer $token" -H 'content-type: application/json' -d '{"name":"gw","ip":"127.0.0.66"}' | sed 's/.*"id":\([0-9]*\).*/\1/')
sleep 3  # it is disconnected now
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$pid/status"; }
before=$(rss_kb)

echo "== fan-out: $clients WebSocket clients"
in_ns build/release/bench/ws_fanout "$port" "$token" "$clients" "$device" 127.0.0.66 connected > "$work/client.out" &
client=$!
for _ in $(seq 1200); do grep -q '^ready' "$work/client.out" && break; sleep 0.1; done  # 2 minutes at most
after=$(rss_kb)
echo "   $(head -1 "$work/client.out"); server RSS $((before / 1024)) MB -> $((after / 1024)) MB: $(( (after - before) / clients )) KB per connection"
in_ns ip addr add 127.0.0.66/32 dev lo
wait "$client" || true
tail -n +2 "$work/client.out" | sed 's/^/   /'
