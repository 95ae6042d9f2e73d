#!/usr/bin/env bash
# Notifications benchmark (issue 11): N devices (default 1,000) on the
# namespace's lo vanish at once; a webhook notifier sends each one's
# device.down to a receiver on 127.0.0.1 (Python, in the namespace). Prints
# how long after the addresses went the last delivery arrived, and each
# delivery's delay after its status change was decided (the probe interval
# and timeout are the detection's share; the rest is the outbox and sender).
# Usage: bench/notifications.sh [devices]   (root)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
bin=${GATEWATCH_BIN:-build/release/src/gatewatch}
[ -x "$bin" ] || scripts/build.sh release >/dev/null

source bench/netns.sh
bench_netns gwnotify loopback-only
data=$work/data
mkdir -p "$data"

ips() { for i in $(seq 1 "$n"); do echo "127.1.$((i / 250)).$((i % 250 + 1))"; done; }
"$bin" user list --data-dir "$data" >/dev/null  # the schema
ips | awk '{printf "INSERT INTO devices (name, ip) VALUES (\"device %d\", \"%s\");\n", NR, $1}' |
  (echo "BEGIN;"; cat; echo "COMMIT;") | sqlite3 "$data/gatewatch.db"
ips | awk '{print "address add " $1 "/32 dev lo"}' | in_ns ip -batch -

# The receiver: one line per delivery, "<arrival ms> <status change ms>".
cat > "$work/receiver.py" <<'PY'
import datetime, http.server, json, sys, time
out = open(sys.argv[2], "a", buffering=1)
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        now = time.time() * 1000
        if body["event"] == "device.down":
            at = datetime.datetime.fromisoformat(body["at"].replace("Z", "+00:00")).timestamp() * 1000
            out.write(f"{now:.0f} {at:.0f}\n")
        self.send_response(204)
        self.end_headers()
    def log_message(self, *a):
        pass
http.server.ThreadingHTTPServer.request_queue_size = 1024  # the sender opens up to 64 connections at once
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
in_ns /usr/bin/python3 "$work/receiver.py" 18502 "$work/arrivals" &

port=18501
GATEWATCH_SECRET_KEY=$(head -c 32 /dev/urandom | base64) in_ns "$bin" serve --port $port --data-dir "$data" \
  --log-level warn --probe-interval 1 --probe-timeout 0.5 --down-after 1 --up-after 1 &
server=$!
sleep 1
base=http://127.0.0.1:$port
token=$(bench_account "$base" bench bench-password)
api() { in_ns curl -sf -H "Authorization: Bearer $token" -H 'content-type: application/json' "$@"; }
api -X POST "$base/notifiers/" -d '{"name":"bench","type":"webhook","url":"http://127.0.0.1:18502/","secret":"s"}' >/dev/null
connected() { api "$base/device_status/" | /usr/bin/python3 -c "import json,sys; print(sum(v == 'connected' for v in json.load(sys.stdin).values()))"; }
for _ in $(seq 60); do [ "$(connected)" = "$n" ] && break; sleep 1; done
echo "== notifications: $n devices connected; probe interval 1 s, timeout 0.5 s, down after 1 failed round"
: > "$work/arrivals"
t0=$(date +%s%3N)
ips | awk '{print "address del " $1 "/32 dev lo"}' | in_ns ip -batch -
for _ in $(seq 60); do [ "$(wc -l < "$work/arrivals")" -ge "$n" ] && break; sleep 0.2; done
/usr/bin/python3 - "$work/arrivals" "$t0" "$n" <<'PY'
import statistics, sys
rows = [tuple(map(int, line.split())) for line in open(sys.argv[1])]
t0, n = int(sys.argv[2]), int(sys.argv[3])
if not rows:
    sys.exit("no delivery arrived")
delays = sorted(arrival - at for arrival, at in rows)
changes = sorted(at - t0 for _, at in rows)
q = lambda xs, p: xs[min(len(xs) - 1, int(p * len(xs)))]
print(f"deliveries arrived: {len(rows)} of {n}")
print(f"last delivery after the addresses went: {(max(a for a, _ in rows) - t0) / 1000:.2f} s")
print(f"status changes decided after the addresses went: p50 {q(changes, .5) / 1000:.2f} s, max {changes[-1] / 1000:.2f} s (detection)")
print(f"delivery after its status change: p50 {q(delays, .5)} ms, p99 {q(delays, .99)} ms, max {delays[-1]} ms")
PY
