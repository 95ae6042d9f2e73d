#!/usr/bin/env bash
# Slowloris benchmark (issue 5): latency of normal requests (wrk, GET
# /users/me, 4 connections) alone, then while 1,000 connections from four
# other addresses trickle header bytes (one byte each every second, reopened
# as soon as the server drops them), on the server's defaults (request
# timeout 10 s, 256 connections per address).
# Usage: bench/slowloris.sh [seconds per run, default 15]   (root)
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-15}
bin=build/release/src/gatewatch
[ -x "$bin" ] || scripts/build.sh release >/dev/null
ulimit -n "$(ulimit -Hn)"

source bench/netns.sh
bench_netns gwslow loopback-only
for i in 2 3 4 5; do in_ns ip addr add 127.0.0.$i/32 dev lo; done
port=18700
GATEWATCH_SECRET_KEY=$(head -c 32 /dev/urandom | base64) in_ns "$bin" serve --port $port --data-dir "$work" --log-level warn &
server=$!
sleep 1
base=http://127.0.0.1:$port
token=$(bench_account "$base" bench bench-password)
measure() { in_ns wrk -t1 -c4 -d"${duration}s" --latency -H "Authorization: Bearer $token" "$base/users/me" \
              | grep -E 'Requests/sec|50%|99%|Non-2xx|Socket errors' | xargs; }

echo "== alone: $(measure)"
cat > "$work/trickle.py" <<'PY'
import socket, sys, time
port, per_address = int(sys.argv[1]), int(sys.argv[2])
socks = {}
def open_one(key):
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(key[0], 0))
        s.setblocking(False)
        s.send(b"GET /users/me HTTP/1.1\r\n")
        socks[key] = s
    except OSError:
        socks.pop(key, None)
keys = [(f"127.0.0.{a}", i) for a in (2, 3, 4, 5) for i in range(per_address)]
for k in keys:
    open_one(k)
reopened = 0
while True:
    time.sleep(1)
    for k in keys:
        s = socks.get(k)
        try:
            if s is None:
                raise OSError
            s.send(b"X")
        except OSError:
            if s is not None:
                s.close()
            reopened += 1
            open_one(k)
    print(f"held {len(socks)} reopened {reopened}", flush=True)
PY
in_ns /usr/bin/python3 "$work/trickle.py" $port 250 > "$work/trickle.log" &
sleep 3
echo "== with 1,000 trickling connections: $(measure)"
echo "   trickler: $(tail -1 "$work/trickle.log") (reopened = dropped by the server's request timeout)"
