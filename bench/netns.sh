# Sourced by the benchmark scripts: a network namespace of the script's own,
# deleted (with the script's server and scratch folder) when the script exits.
#   bench_netns NAME [loopback-only]   creates "$NAME-$$" in $ns and brings lo up;
#       with loopback-only, lo holds just 127.0.0.1/32 (so 127.0.0.66 is unreachable)
#   in_ns CMD...                       runs CMD inside it
#   $work                              a scratch folder
#   $server                            set it to a background server's pid to have it stopped
#   bench_account BASE USER PASSWORD   registers USER and prints a token
#   bench_devices BIN DATA N           a database in DATA (its schema made by BIN) with N devices
#                                      over 127.0.0.0/8 (127.0.0.1, 127.0.0.2, ...), in one transaction
ns=
server=
work=$(mktemp -d /tmp/gw-bench-XXXXXX)
bench_cleanup() {
  # Everything inside the namespace goes: $server is only the wrapper's pid,
  # and a server left running would hold the caller's terminal or pipe open.
  if [ -n "$ns" ]; then
    ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true
    sleep 0.5
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
  fi
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi
  wait 2>/dev/null || true
  if [ -n "$ns" ]; then ip netns del "$ns" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap bench_cleanup EXIT
in_ns() { ip netns exec "$ns" "$@"; }
bench_netns() {
  ns="$1-$$"
  ip netns add "$ns"
  in_ns ip link set lo up
  if [ "${2:-}" = loopback-only ]; then
    in_ns ip addr del 127.0.0.1/8 dev lo
    in_ns ip addr add 127.0.0.1/32 dev lo
  fi
}
# Registers USER (the first account: admin) on the server at BASE, from inside
# the namespace, and prints a token for it.
#   token=$(bench_account "$base" bench bench-password)
bench_account() {
  in_ns /usr/bin/curl -sf -X POST "$1/users/" -H 'content-type: application/json' \
    -d "{\"username\":\"$2\",\"password\":\"$3\"}" >/dev/null
  in_ns /usr/bin/curl -sf -X POST "$1/token" -d "username=$2&password=$3" | sed 's/.*"access_token":"\([^"]*\)".*/\1/'
}

bench_devices() {
  "$1" user list --data-dir "$2" >/dev/null  # the schema comes from gatewatch itself
  sqlite3 "$2/gatewatch.db" "
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $3)
INSERT INTO devices (name, ip) SELECT 'device ' || i, '127.' || ((i >> 16) & 255) || '.' || ((i >> 8) & 255) || '.' || (i & 255) FROM n;"
}
