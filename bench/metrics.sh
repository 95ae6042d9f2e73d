#!/usr/bin/env bash
# /metrics at scale (issue 12): the real server with N devices (default
# 100,000 over 127.0.0.0/8) at its default settings, in a network namespace
# of its own. After a warm-up, WINDOW seconds without scrapes, then WINDOW
# seconds with one scrape a second, twice: each scrape's time and size, and the
# process's and the engine thread's CPU in both windows; at the end, how many
# devices' last round is older than two intervals (a late engine shows here).
# Usage: bench/metrics.sh [devices] [window seconds]   (root)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
window=${2:-60}
bin=${GATEWATCH_BIN:-build/release/src/gatewatch}
[ -x "$bin" ] || scripts/build.sh release >/dev/null

source bench/netns.sh
bench_netns gwmetrics
data=$work

bench_devices "$bin" "$data" "$n"

port=18410
GATEWATCH_SECRET_KEY=$(head -c 32 /dev/urandom | base64) in_ns "$bin" serve --port $port --data-dir "$data" --log-level warn &
server=$!
sleep 1
pid=$(pgrep -f -- "--port $port --data-dir $data" | head -1)
base="http://127.0.0.1:$port"
token=$(bench_account "$base" bench bench-password)
hz=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
engine_ticks() {
  for task in /proc/$pid/task/*; do
    [ "$(cat "$task/comm" 2>/dev/null)" = gw-engine ] && { awk '{print $14 + $15}' "$task/stat"; return; }
  done
  echo 0
}
share() { /usr/bin/python3 -c "print(f'{100 * ($2 - $1) / $hz / $3:.1f}%')"; }

echo "== /metrics with $n devices (10 s interval, 3 probes a round); warm-up 20 s, then twice: ${window} s without scrapes, ${window} s with one a second"
sleep 20
timings=$work/scrapes
: >"$timings"
for pass in 1 2; do
  t0=$(cpu_ticks); e0=$(engine_ticks)
  sleep "$window"
  t1=$(cpu_ticks); e1=$(engine_ticks)
  echo "   pass $pass without scrapes: the process $(share "$t0" "$t1" "$window") of one core, the engine thread $(share "$e0" "$e1" "$window")"
  t0=$(cpu_ticks); e0=$(engine_ticks)
  for _ in $(seq "$window"); do
    start=$(date +%s.%N)
    in_ns curl -sf -o /dev/null -w '%{time_total} %{size_download}\n' "$base/metrics" \
      -H "Authorization: Bearer $token" >>"$timings"
    /usr/bin/python3 -c "import time; time.sleep(max(0, 1 - (time.time() - $start)))"  # one a second
  done
  t1=$(cpu_ticks); e1=$(engine_ticks)
  echo "   pass $pass with one scrape a second: the process $(share "$t0" "$t1" "$window") of one core, the engine thread $(share "$e0" "$e1" "$window")"
done
/usr/bin/python3 - "$timings" "$n" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1]) if line.strip()]
devices = int(sys.argv[2])
times = sorted(float(t) for t, _ in rows)
sizes = [int(s) for _, s in rows]
print(f"   {len(rows)} scrapes: time p50 {statistics.median(times):.3f} s, max {times[-1]:.3f} s; "
      f"size {statistics.median(sizes) / 1e6:.1f} MB ({statistics.median(sizes) / devices:.0f} bytes a device)")
PY
late=$(in_ns curl -sf "$base/device_status/?detail=true" -H "Authorization: Bearer $token" | /usr/bin/python3 -c "
import json, sys, datetime
now = datetime.datetime.now(datetime.timezone.utc)
d = json.load(sys.stdin)
late = sum(1 for v in d.values()
           if v['last_probe'] is None or (now - datetime.datetime.fromisoformat(v['last_probe'].replace('Z', '+00:00'))).total_seconds() > 20)
print(f'{late} of {len(d)}')")
echo "   devices whose last round ended more than 20 s ago: $late"
