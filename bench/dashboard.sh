#!/usr/bin/env bash
# Dashboard benchmark (issue 4): N devices (default 5,000) in 50 rooms, the
# dashboard in Debian's chromium. A tenth of the devices (127.2.0.0/24 and
# on) are unreachable; each flip makes 127.2.0.0/24 reachable or not again,
# i.e. ~250 devices change at once, and the page must keep up. Then the
# server's CPU with 0, 1 and 10 dashboards over the same window, the
# dashboards played by node (bench/dashboard_clients.mjs: a page's requests
# and its status socket; ten chromium pages are too heavy for 2 cores).
# Usage: bench/dashboard.sh [devices]   (root; needs the release build with its web/)
#   WINDOW                              seconds of each CPU window (30)
#   GATEWATCH_BIN, GATEWATCH_WEB_ROOT   another binary or built dashboard than
#                                       the release build's (e.g. to compare two)
set -euo pipefail
cd "$(dirname "$0")/.."
devices=${1:-5000}
bin=${GATEWATCH_BIN:-build/release/src/gatewatch}
web_root=${GATEWATCH_WEB_ROOT:-build/release/dashboard}
[ -f "$web_root/index.html" ] || [ -n "${GATEWATCH_WEB_ROOT:-}" ] || scripts/build.sh release >/dev/null
[ -f "$web_root/index.html" ] || { echo "no dashboard in $web_root" >&2; exit 1; }

source bench/netns.sh
bench_netns gwdash loopback-only
in_ns ip addr add 127.16.0.0/12 dev lo   # the reachable devices (room for a million)
port=18600
GATEWATCH_SECRET_KEY=$(head -c 32 /dev/urandom | base64) in_ns "$bin" serve --port $port --data-dir "$work" \
  --log-level warn --probe-interval 1 --probe-timeout 0.5 --up-after 1 --down-after 1 --push-interval 1 \
  --web-root "$web_root" &
server=$!
sleep 1
base=http://127.0.0.1:$port
token=$(bench_account "$base" bench bench-password)

# The figures are wall times on a shared machine: say how busy it was.
echo "== machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== creating 50 rooms and $devices devices"
in_ns node -e '
const [base, token, n] = process.argv.slice(1);
const h = { "Content-Type": "application/json", Authorization: `Bearer ${token}` };
const post = (p, b) => fetch(base + p, { method: "POST", headers: h, body: JSON.stringify(b) }).then(async (r) => {
  if (!r.ok) throw new Error(`POST ${p} ${JSON.stringify(b)}: ${r.status} ${await r.text()}`);
  return r.json();
});
(async () => {
  const rooms = [];
  for (let i = 0; i < 50; i++) rooms.push((await post("/rooms/", { name: `room ${String(i).padStart(2, "0")}` })).id);
  const unreachable = Math.floor(n / 10);
  for (let i = 0; i < n; i += 50) {
    await Promise.all(Array.from({ length: Math.min(50, n - i) }, (_, k) => {
      const j = i + k;
      const ip = j < unreachable ? `127.2.${j >> 8}.${j & 255}` : `127.${16 + (j >> 16)}.${(j >> 8) & 255}.${j & 255}`;
      return post("/devices/", { name: `device ${j}`, ip, room_id: rooms[j % 50] });
    }));
  }
})();' "$base" "$token" "$devices"
sleep 3
echo "== dashboard in chromium"
# Devices that each flip turns: those in 127.2.0.0/24, but for 127.2.0.255,
# its broadcast address, which does not answer pings (icmp_echo_ignore_broadcasts).
unreachable=$((devices / 10))
in_ns env ORIGIN="$base" TOKEN="$token" DEVICES="$devices" WATCH_IP=127.2.0.0 FLIPPED=$((unreachable < 256 ? unreachable : 255)) \
  FLIP_ON="ip addr add 127.2.0.0/24 dev lo" FLIP_OFF="ip addr del 127.2.0.0/24 dev lo" \
  node web/e2e/dashboard_5k.bench.mjs

echo "== the server with 0, 1 and 10 dashboards (load average $(cut -d' ' -f1-3 /proc/loadavg))"
pid=$(pgrep -f -- "serve --port $port --data-dir $work" | head -1)
in_ns env BASE="$base" TOKEN="$token" PID="$pid" HZ="$(getconf CLK_TCK)" WINDOW="${WINDOW:-30}" \
  FLIP_ON="ip addr add 127.2.0.0/24 dev lo" FLIP_OFF="ip addr del 127.2.0.0/24 dev lo" \
  node --experimental-websocket --no-warnings bench/dashboard_clients.mjs
