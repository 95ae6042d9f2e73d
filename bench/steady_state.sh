#!/usr/bin/env bash
# Steady-state benchmark (issue 3): the real server with N devices (default
# 100,000 over 127.0.0.0/8) at its default settings (10 s interval, 3 probes a
# round), inside a network namespace of its own; after a warm-up round, CPU
# share and RSS over the measured window (default 120 s), and a check that
# every device ended connected. WRITES (room, device or none; default room)
# makes one write a second during the window: a room rename (unrelated to
# probing) or a device rename, and the engine thread's own CPU is printed
# beside the process's (the engine names its thread gw-engine), and the
# history recorder's (gw-history; its database is history.db in the data dir).
# Usage: bench/steady_state.sh [devices] [seconds] [writes]   (root)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
window=${2:-120}
writes=${3:-room}
bin=${GATEWATCH_BIN:-build/release/src/gatewatch}  # another build to compare: GATEWATCH_BIN=...
[ -x "$bin" ] || scripts/build.sh release >/dev/null

source bench/netns.sh
bench_netns gwsteady
data=$work

bench_devices "$bin" "$data" "$n"

port=18400
GATEWATCH_SECRET_KEY=$(head -c 32 /dev/urandom | base64) in_ns "$bin" serve --port $port --data-dir "$data" --log-level warn &
server=$!
sleep 1
pid=$(pgrep -f -- "--port $port --data-dir $data" | head -1)
api() { in_ns curl -sf "$@"; }
token=$(bench_account "http://127.0.0.1:$port" bench bench-password)

cpu_ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
thread_ticks() {  # one named thread alone (0 for a build that does not name it)
  for task in /proc/$pid/task/*; do
    [ "$(cat "$task/comm" 2>/dev/null)" = "$1" ] && { awk '{print $14 + $15}' "$task/stat"; return; }
  done
  echo 0
}
engine_ticks() { thread_ticks gw-engine; }
history_ticks() { thread_ticks gw-history; }  # the history's recorder (retention runs beside it, hourly)
room=$(api -X POST "http://127.0.0.1:$port/rooms/" -H "Authorization: Bearer $token" -H 'content-type: application/json' \
       -d '{"name":"renamed every second"}' | sed 's/.*"id":\([0-9]*\).*/\1/')
writer() {  # one write a second until killed
  local i=0
  while sleep 1; do
    i=$((i + 1))
    case "$writes" in
      room) api -X PUT "http://127.0.0.1:$port/rooms/$room" -H "Authorization: Bearer $token" \
              -H 'content-type: application/json' -d "{\"name\":\"room $i\"}" >/dev/null || true ;;
      device) api -X PUT "http://127.0.0.1:$port/devices/1" -H "Authorization: Bearer $token" \
              -H 'content-type: application/json' -d "{\"name\":\"device $i\"}" >/dev/null || true ;;
    esac
  done
}
rss_mb() { awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$pid/status"; }
hz=$(getconf CLK_TCK)

echo "== steady state: $n devices, 10 s interval, 3 probes a round; warm-up 15 s, then ${window} s; writes: $writes"
sleep 15
[ "$writes" = none ] || { writer & writer_pid=$!; }
t0=$(cpu_ticks); e0=$(engine_ticks); h0=$(history_ticks); s0=$(date +%s.%N); peak=$(rss_mb)
for _ in $(seq $((window / 10))); do
  sleep 10
  r=$(rss_mb); peak=$(/usr/bin/python3 -c "print(max($peak, $r))")
done
t1=$(cpu_ticks); e1=$(engine_ticks); h1=$(history_ticks); s1=$(date +%s.%N); rss_end=$(rss_mb)  # before our own 100,000-entry status request below
[ -z "${writer_pid:-}" ] || kill "$writer_pid" 2>/dev/null || true
counts=$(api "http://127.0.0.1:$port/device_status/" -H "Authorization: Bearer $token" | /usr/bin/python3 -c "
import json, sys, collections
print(dict(collections.Counter(json.load(sys.stdin).values())))")
/usr/bin/python3 -c "
cpu = ($t1 - $t0) / $hz
wall = $s1 - $s0
engine = ($e1 - $e0) / $hz
history = ($h1 - $h0) / $hz
print(f'   CPU {cpu:.1f} s over {wall:.0f} s = {100 * cpu / wall:.1f}% of one core (the engine thread {100 * engine / wall:.1f}%, the history thread {100 * history / wall:.1f}%); RSS at the end $rss_end MB, peak of the 10 s samples $peak MB')"
echo "   statuses at the end: $counts"
