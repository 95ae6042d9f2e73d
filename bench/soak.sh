#!/usr/bin/env bash
# Soak benchmark (issue 5): MINUTES (default 10) of mixed load on one server:
# 10,000 probed devices (a tenth flipping reachability every 30 s), 1,000
# status WebSockets, HTTP reads (wrk: GET /rooms/, /devices/, /device_status/)
# and a login every 200 ms. Samples the server's RSS and open descriptors
# every 10 s; reports their growth after a 2-minute warm-up, and the errors.
# Usage: bench/soak.sh [minutes]   (root)
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-10}
seconds=$((minutes * 60))
bin=build/release/src/gatewatch
[ -x "$bin" ] || scripts/build.sh release >/dev/null
ulimit -n "$(ulimit -Hn)"

source bench/netns.sh
bench_netns gwsoak loopback-only
in_ns ip addr add 127.1.0.0/16 dev lo
port=18800
GATEWATCH_SECRET_KEY=$(head -c 32 /dev/urandom | base64) in_ns "$bin" serve --port $port --data-dir "$work" \
  --log-level warn --max-websockets-per-address 2000 --max-connections-per-address 4000 &
server=$!
sleep 1
pid=$(pgrep -f -- "--port $port --data-dir $work" | head -1)
base=http://127.0.0.1:$port
token=$(bench_account "$base" soak soak-password)

echo "== soak: $minutes minutes; creating 20 rooms and 10,000 devices"
in_ns node -e '
const [base, token] = process.argv.slice(1);
const h = { "Content-Type": "application/json", Authorization: `Bearer ${token}` };
const post = (p, b) => fetch(base + p, { method: "POST", headers: h, body: JSON.stringify(b) }).then((r) => r.json());
(async () => {
  const rooms = [];
  for (let i = 0; i < 20; i++) rooms.push((await post("/rooms/", { name: `room ${i}` })).id);
  for (let i = 0; i < 10000; i += 100) {
    await Promise.all(Array.from({ length: 100 }, (_, k) => {
      const j = i + k;
      const ip = j < 1000 ? `127.2.${j >> 8}.${j & 255}` : `127.1.${j >> 8}.${j & 255}`;
      return post("/devices/", { name: `device ${j}`, ip, room_id: rooms[j % 20] });
    }));
  }
})();' "$base" "$token"

cat > "$work/mixed.lua" <<LUA
local paths = {"/rooms/", "/devices/", "/device_status/", "/devices/?room_id=1"}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1], {["Authorization"] = "Bearer $token"})
end
LUA

in_ns env BASE="$base" TOKEN="$token" CLIENTS=1000 SECONDS=$seconds LOGIN_MS=200 \
  node --experimental-websocket --no-warnings bench/soak_clients.mjs > "$work/clients.txt" &
clients=$!
# Reads at a steady, moderate rate (wrk -R is not in Debian's wrk: 8 connections, a pause each).
in_ns wrk -t1 -c8 -d"${seconds}s" -s "$work/mixed.lua" "$base" > "$work/wrk.txt" &
load=$!
(
  up=0
  while kill -0 $load 2>/dev/null; do
    sleep 30
    if [ $up = 0 ]; then in_ns ip addr add 127.2.0.0/22 dev lo; up=1; else in_ns ip addr del 127.2.0.0/22 dev lo; up=0; fi
  done
) &
flipper=$!

samples=$work/samples.txt
for ((t = 0; t <= seconds; t += 10)); do
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  fds=$(ls "/proc/$pid/fd" | wc -l)
  echo "$t $rss $fds" >> "$samples"
  sleep 10
done
wait $load $clients || true
kill $flipper 2>/dev/null || true

echo "-- samples (s, RSS MB, fds), every minute:"
awk '$1 % 60 == 0 {printf "   %4d s  %6.1f MB  %5d fds\n", $1, $2 / 1024, $3}' "$samples"
# Growth: the median of the two minutes after the warm-up against the median
# of the last two minutes. RSS swings by tens of MB within a minute (response
# bodies of ~1 MB in flight), so single samples say little; medians of
# equal windows compare like with like. The whole range is printed too.
median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
warm=120
r0=$(awk -v a=$warm '$1 >= a && $1 < a + 120 {print $2}' "$samples" | median)
r1=$(awk -v e="$seconds" '$1 > e - 120 {print $2}' "$samples" | median)
f0=$(awk -v a=$warm '$1 >= a && $1 < a + 120 {print $3}' "$samples" | median)
f1=$(awk -v e="$seconds" '$1 > e - 120 && $1 < e {print $3}' "$samples" | median)
awk -v r0="$r0" -v r1="$r1" -v f0="$f0" -v f1="$f1" -v warm=$warm '
  $1 >= warm { if (min == "" || $2 < min) min = $2; if ($2 > max) max = $2 }
  END {printf "-- growth after the warm-up (%d s), medians of the first and last 2 minutes: RSS %.1f -> %.1f MB (%+.1f%%); fds %d -> %d (%+.1f%%); RSS range after warm-up %.1f..%.1f MB\n",
       warm, r0 / 1024, r1 / 1024, (r1 - r0) * 100 / r0, f0, f1, (f1 - f0) * 100 / f0, min / 1024, max / 1024}' "$samples"
echo "-- HTTP (wrk prints Non-2xx and socket errors only when there are some): $(grep -E 'requests in|Non-2xx|Socket errors' "$work/wrk.txt" | xargs)"
echo "-- $(cat "$work/clients.txt")"
echo "-- server still answering: $(in_ns curl -s -o /dev/null -w '%{http_code}' "$base/users/me") (401 expected)"
