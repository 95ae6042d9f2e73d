#!/usr/bin/env bash
# Core API benchmark (issue 2): prints figures, asserts nothing.
#   1. GET /rooms/ with 100 rooms            (wrk, requests/s and latency)
#   2. POST /token                            (wrk, logins/s)
#   3. GET /users/me while a login burst runs (wrk --latency, p50/p99)
# Everything runs on loopback in a network namespace of the script's own; the
# server is the release build on its defaults (access log on).
# Usage: bench/core.sh [seconds per run, default 10]   (root)
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10}
bin=${GATEWATCH_BIN:-build/release/src/gatewatch}  # another build to compare: GATEWATCH_BIN=...
[ -x "$bin" ] || scripts/build.sh release >/dev/null
command -v wrk >/dev/null || scripts/install-deps.sh

source bench/netns.sh
bench_netns gwcore
data=$work
port=18300
GATEWATCH_SECRET_KEY=$(head -c 32 /dev/urandom | base64) in_ns "$bin" serve --port "$port" --data-dir "$data" 2>"$data/server.log" &
server=$!
base=http://127.0.0.1:$port
curl() { in_ns /usr/bin/curl "$@"; }
wrk() { in_ns /usr/bin/wrk "$@"; }
for _ in $(seq 100); do curl -s "$base/users/me" -o /dev/null -w '%{http_code}' | grep -q 401 && break; sleep 0.1; done

token=$(bench_account "$base" bench bench-password)
for i in $(seq 100); do
  curl -sf -X POST "$base/rooms/" -H "Authorization: Bearer $token" -H 'content-type: application/json' \
       -d "{\"name\":\"Room $i\",\"description\":\"Benchmark room number $i\"}" >/dev/null
done

cat > "$data/login.lua" <<'LUA'
wrk.method = "POST"
wrk.body   = "username=bench&password=bench-password"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
LUA

echo "== gatewatch core benchmark: $(nproc) cores, ${duration}s per run, wrk on the same cores"
echo "-- GET /rooms/ (100 rooms), wrk -t2 -c64"
wrk -t2 -c64 -d"${duration}s" --latency -H "Authorization: Bearer $token" "$base/rooms/" | grep -E 'Requests/sec|Latency|99%|50%|Non-2xx|Socket errors'

echo "-- POST /token, wrk -t1 -c16"
wrk -t1 -c16 -d"${duration}s" -s "$data/login.lua" "$base/token" | grep -E 'Requests/sec|Latency|Non-2xx'

echo "-- GET /users/me, wrk -t1 -c4, while a login burst (wrk -t1 -c32 POST /token) runs"
wrk -t1 -c32 -d"$((duration + 2))s" -s "$data/login.lua" "$base/token" > "$data/burst.txt" &
burst=$!
sleep 1
wrk -t1 -c4 -d"${duration}s" --latency -H "Authorization: Bearer $token" "$base/users/me" | grep -E 'Requests/sec|Latency|50%|99%|Non-2xx'
wait $burst
echo "   the burst meanwhile: $(grep -E 'Requests/sec' "$data/burst.txt" | xargs), $(grep -E 'Non-2xx' "$data/burst.txt" | xargs)"
