#!/usr/bin/env bash
# Bulk import benchmark (issue 12): POST /devices/bulk with N CSV rows
# (default 100,000, addresses in 127.0.0.0/8 that all answer inside the
# script's namespace) against a fresh server at its defaults. Prints the
# request's size, the time until the 201, and until every device is
# connected (its first round probed), polling GET /device_status/.
# Usage: bench/bulk.sh [rows]   (root)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
bin=${GATEWATCH_BIN:-build/release/src/gatewatch}
[ -x "$bin" ] || scripts/build.sh release >/dev/null

source bench/netns.sh
bench_netns gwbulk
port=18600
GATEWATCH_SECRET_KEY=$(head -c 32 /dev/urandom | base64) in_ns "$bin" serve --port $port --data-dir "$work" --log-level warn &
server=$!
sleep 1
base=http://127.0.0.1:$port
token=$(bench_account "$base" bench bench-password)
/usr/bin/python3 - "$n" > "$work/devices.csv" <<'PY'
import sys
n = int(sys.argv[1])
print("name,ip,room")
for i in range(1, n + 1):
    print(f"device {i},127.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255},room {i // 1000}")
PY
echo "== bulk import: $n rows, $(stat -c %s "$work/devices.csv") bytes of CSV"
in_ns /usr/bin/python3 - "$base" "$token" "$work/devices.csv" "$n" <<'PY'
import http.client, json, sys, time
base, token, path, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
host, port = base.split("//")[1].split(":")
body = open(path, "rb").read()
conn = http.client.HTTPConnection(host, int(port), timeout=600)
t0 = time.monotonic()
conn.request("POST", "/devices/bulk", body=body, headers={"Authorization": f"Bearer {token}", "Content-Type": "text/csv"})
r = conn.getresponse()
answer = r.read()
t1 = time.monotonic()
print(f"201 after {t1 - t0:.2f} s" if r.status == 201 else f"status {r.status}: {answer[:300]!r}")
if r.status != 201:
    sys.exit(1)
print(f"created: {json.loads(answer)['created']}")
while True:
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    conn.request("GET", "/device_status/", headers={"Authorization": f"Bearer {token}"})
    status = json.loads(conn.getresponse().read())
    connected = sum(1 for s in status.values() if s == "connected")
    if connected >= n or time.monotonic() - t0 > 300:
        break
    time.sleep(0.25)
print(f"all {connected} connected after {time.monotonic() - t0:.2f} s (from the request's start)")
PY
