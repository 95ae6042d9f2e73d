#!/usr/bin/env bash
# Ceiling benchmark (issue 10): GET /rooms/ (100 rooms, with a token) from
# gatewatch against nginx (Debian's nginx-light, 2 workers, access log off)
# serving the very same bytes as a static file: the same wrk settings, in the
# same run, in a network namespace of the script's own. Prints both rates and
# their ratio; asserts nothing. gatewatch runs on its defaults (access log on).
# Usage: bench/ceiling.sh [seconds per run, default 10]   (root)
#        GATEWATCH_BIN=path/to/gatewatch bench/ceiling.sh   (another build)
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10}
bin=${GATEWATCH_BIN:-build/release/src/gatewatch}
[ -x "$bin" ] || scripts/build.sh release >/dev/null
command -v wrk >/dev/null && [ -x /usr/sbin/nginx ] || scripts/install-deps.sh

source bench/netns.sh
bench_netns gwceiling
port=18700
nginx_port=18701
GATEWATCH_SECRET_KEY=$(head -c 32 /dev/urandom | base64) in_ns "$bin" serve --port "$port" --data-dir "$work/data" \
  2>"$work/server.log" &
server=$!
base=http://127.0.0.1:$port
for _ in $(seq 100); do in_ns curl -s "$base/users/me" -o /dev/null -w '%{http_code}' | grep -q 401 && break; sleep 0.1; done
token=$(bench_account "$base" bench bench-password)
for i in $(seq 100); do
  in_ns curl -sf -X POST "$base/rooms/" -H "Authorization: Bearer $token" -H 'content-type: application/json' \
    -d "{\"name\":\"Room $i\",\"description\":\"Benchmark room number $i\"}" >/dev/null
done

mkdir -p "$work/www"
in_ns curl -sf "$base/rooms/" -H "Authorization: Bearer $token" -o "$work/www/rooms"
cat > "$work/nginx.conf" <<CONF
user root;  # the scratch folder is private to root
worker_processes 2;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx.err warn;
events { worker_connections 4096; }
http {
  access_log off;
  default_type application/json;
  server {
    listen 127.0.0.1:$nginx_port;
    root $work/www;
  }
}
CONF
in_ns /usr/sbin/nginx -c "$work/nginx.conf" -p "$work" &
for _ in $(seq 50); do in_ns curl -sf "http://127.0.0.1:$nginx_port/rooms" -o /dev/null && break; sleep 0.1; done
cmp -s <(in_ns curl -sf "http://127.0.0.1:$nginx_port/rooms") <(in_ns curl -sf "$base/rooms/" -H "Authorization: Bearer $token") \
  || { echo "ceiling: nginx does not serve the same bytes" >&2; exit 1; }

rate() { sed -n 's/^Requests\/sec: *//p'; }
echo "== ceiling: GET /rooms/ ($(stat -c %s "$work/www/rooms") bytes), wrk -t2 -c64 -d${duration}s, $(nproc) cores"
g=$(in_ns wrk -t2 -c64 -d"${duration}s" -H "Authorization: Bearer $token" "$base/rooms/" | rate)
n=$(in_ns wrk -t2 -c64 -d"${duration}s" -H "Authorization: Bearer $token" "http://127.0.0.1:$nginx_port/rooms" | rate)
/usr/bin/python3 -c "print(f'   gatewatch {float(\"$g\"):,.0f} req/s, nginx {float(\"$n\"):,.0f} req/s: {float(\"$g\") / float(\"$n\"):.2f}x')"
