#!/usr/bin/env bash
# A private PostgreSQL 15 for tests: Debian's postgresql-15 binaries, a
# cluster in DIR that listens on a Unix socket in DIR only (no TCP, so it
# needs no network and works inside a test's network namespace), trust
# authentication, fsync off (a test's data need not survive a power cut).
#   tests/postgres.sh start DIR   initdb (first time) and start; prints the URL
#   tests/postgres.sh halt DIR    stop the server, keep DIR (start again later)
#   tests/postgres.sh stop DIR    stop and remove DIR
#   tests/postgres.sh url DIR     the URL of its `postgres` database
# initdb and the server refuse to run as root: as root they run as the
# `postgres` user (made by the package), which then owns DIR.
set -euo pipefail
bin=/usr/lib/postgresql/15/bin
command=${1:?start, stop or url}
dir=${2:?the cluster directory}

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
url() { echo "postgresql:///postgres?host=${dir}&user=postgres"; }

case "$command" in
  start)
    [ -x "$bin/initdb" ] || { echo "postgres.sh: $bin/initdb is missing (apt install postgresql-15)" >&2; exit 1; }
    if [ -f "$dir/data/postmaster.pid" ]; then "$0" stop "$dir"; fi  # left by a run that was killed
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      as_owner "$bin/initdb" -D "$dir/data" -A trust -U postgres --no-sync -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log"
    fi
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-k $dir -c listen_addresses= -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
      start >/dev/null
    url
    ;;
  halt)  # stop the server, keep its data: `start` brings it back
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  url) url ;;
  *) echo "postgres.sh: unknown command $command" >&2; exit 2 ;;
esac
