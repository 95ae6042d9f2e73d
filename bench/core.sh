#!/usr/bin/env bash
# Core API benchmark (issues 2 and 13): prints figures, asserts nothing.
# The same runs on each backend, one after the other, side by side:
#   1. GET /rooms/ with 100 rooms            (wrk, requests/s and latency: the read cache)
#   2. GET /rooms/{id}                        (a store read per request)
#   3. POST /rooms/                           (a store write per request: one transaction)
#   4. POST /token                            (wrk, logins/s: argon2id)
#   5. GET /users/me while a login burst runs (wrk --latency, p50/p99)
# Backends: SQLite (the default) and PostgreSQL (a private server from
# Debian's postgresql-15 on a Unix socket, tests/postgres.sh). Everything runs
# on loopback in a network namespace of the script's own; the server is the
# release build on its defaults (access log on).
# Usage: bench/core.sh [seconds per run, default 10] [backends, default "sqlite postgresql"]   (root)
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10}
backends=${2:-sqlite postgresql}
bin=${GATEWATCH_BIN:-build/release/src/gatewatch}  # another build to compare: GATEWATCH_BIN=...
[ -x "$bin" ] || scripts/build.sh release >/dev/null
command -v wrk >/dev/null || scripts/install-deps.sh

source bench/netns.sh
bench_netns gwcore
pg=""
cleanup() {
  [ -n "$pg" ] && tests/postgres.sh stop "$pg"
  bench_cleanup
}
trap cleanup EXIT
curl() { in_ns /usr/bin/curl "$@"; }
wrk() { in_ns /usr/bin/wrk "$@"; }

cat > "$work/login.lua" <<'LUA'
wrk.method = "POST"
wrk.body   = "username=bench&password=bench-password"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
LUA
cat > "$work/room.lua" <<'LUA'
wrk.method = "POST"
wrk.body   = '{"name":"written by wrk","description":"one store write a request"}'
wrk.headers["Content-Type"] = "application/json"
LUA

# The suite against a fresh server; $1 names the backend, the rest is its environment.
suite() {
  local backend=$1 data=$work/$1 port=18300
  shift
  mkdir -p "$data"
  env GATEWATCH_SECRET_KEY="$(head -c 32 /dev/urandom | base64)" "$@" \
    ip netns exec "$ns" "$bin" serve --port "$port" --data-dir "$data" 2>"$data/server.log" &
  server=$!
  local base=http://127.0.0.1:$port
  for _ in $(seq 100); do curl -s "$base/users/me" -o /dev/null -w '%{http_code}' | grep -q 401 && break; sleep 0.1; done
  local token
  token=$(bench_account "$base" bench bench-password)
  for i in $(seq 100); do
    curl -sf -X POST "$base/rooms/" -H "Authorization: Bearer $token" -H 'content-type: application/json' \
         -d "{\"name\":\"Room $i\",\"description\":\"Benchmark room number $i\"}" >/dev/null
  done

  echo "== $backend: $(nproc) cores, ${duration}s per run, wrk on the same cores"
  echo "-- GET /rooms/ (100 rooms), wrk -t2 -c64"
  wrk -t2 -c64 -d"${duration}s" --latency -H "Authorization: Bearer $token" "$base/rooms/" | grep -E 'Requests/sec|Latency|99%|50%|Non-2xx|Socket errors'
  echo "-- GET /rooms/50 (a store read), wrk -t2 -c64"
  wrk -t2 -c64 -d"${duration}s" --latency -H "Authorization: Bearer $token" "$base/rooms/50" | grep -E 'Requests/sec|Latency|99%|50%|Non-2xx|Socket errors'
  echo "-- POST /rooms/ (a store write), wrk -t2 -c16"
  wrk -t2 -c16 -d"${duration}s" --latency -s "$work/room.lua" -H "Authorization: Bearer $token" "$base/rooms/" | grep -E 'Requests/sec|Latency|99%|50%|Non-2xx|Socket errors'

  echo "-- POST /token, wrk -t1 -c16"
  wrk -t1 -c16 -d"${duration}s" -s "$work/login.lua" "$base/token" | grep -E 'Requests/sec|Latency|Non-2xx'

  echo "-- GET /users/me, wrk -t1 -c4, while a login burst (wrk -t1 -c32 POST /token) runs"
  wrk -t1 -c32 -d"$((duration + 2))s" -s "$work/login.lua" "$base/token" > "$data/burst.txt" &
  local burst=$!
  sleep 1
  wrk -t1 -c4 -d"${duration}s" --latency -H "Authorization: Bearer $token" "$base/users/me" | grep -E 'Requests/sec|Latency|50%|99%|Non-2xx'
  wait $burst
  echo "   the burst meanwhile: $(grep -E 'Requests/sec' "$data/burst.txt" | xargs), $(grep -E 'Non-2xx' "$data/burst.txt" | xargs)"
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
}

for backend in $backends; do
  case $backend in
    sqlite) suite sqlite ;;
    postgresql)
      pg=$(mktemp -d /tmp/gw-bench-pg-XXXXXX)  # beside $work: the postgres user cannot enter $work (0700)
      url=$(tests/postgres.sh start "$pg")
      psql -q "$url" -c "CREATE DATABASE gwcore"
      suite postgresql GATEWATCH_DATABASE="$(echo "$url" | sed 's|/postgres?|/gwcore?|')"
      ;;
    *) echo "unknown backend $backend (sqlite, postgresql)" >&2; exit 2 ;;
  esac
done
