#!/usr/bin/env bash
# Abuse benchmark (account safety): prints figures, asserts nothing.
#   1. RSS before and after 100,000 failed logins, each with a distinct valid
#      name of the maximum length (32 characters), from 8 client addresses
#      (127.0.0.2-9) over 64 keep-alive connections at once (most are
#      answered 429 once an address's bucket is full: the point is the
#      throttle's tables, which must stay bounded);
#   2. RSS after 200 more logins whose username is 1,000,000 characters
#      (the body just under the 1 MiB limit; aim: growth under 20 MB);
#   3. a second server started under a low descriptor limit (nofile 1024):
#      3x the limit of idle connections attempted at once and held, with
#      the server's CPU share and log lines per second meanwhile, how a new
#      client fares while they are held, and how soon one is served once
#      they are closed.
# Usage: bench/abuse.sh [logins, default 100000] [seconds held, default 10]   (root)
set -euo pipefail
cd "$(dirname "$0")/.."
logins=${1:-100000}
hold=${2:-10}
nofile=1024
bin=build/release/src/gatewatch
[ -x "$bin" ] || scripts/build.sh release >/dev/null
ulimit -n "$(ulimit -Hn)"

source bench/netns.sh
bench_netns gwabuse loopback-only
for i in 2 3 4 5 6 7 8 9; do in_ns ip addr add 127.0.0.$i/32 dev lo; done

# The pid of the gatewatch process inside the namespace that listens on $1.
server_pid() {
  for p in $(ip netns pids "$ns"); do
    if [ "$(cat /proc/$p/comm 2>/dev/null)" = gatewatch ] &&
       tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null | grep -q -- "--port $1 "; then
      echo "$p"; return
    fi
  done
}
wait_served() { for _ in $(seq 200); do in_ns /usr/bin/curl -s -o /dev/null "http://127.0.0.1:$1/users/me" && return; sleep 0.05; done; }

cat > "$work/abuse.py" <<'PY'
"""The load: phase logins|huge|fds PORT PID [...]; prints figures."""
import asyncio, os, resource, socket, sys, threading, time, urllib.parse, http.client
from collections import Counter

phase, port, pid = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
sources = [f"127.0.0.{i}" for i in range(2, 10)]

def rss_mb():
    with open(f"/proc/{pid}/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmRSS:")) / 1024

def cpu_s():
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

async def worker(source, bodies, counts):
    reader = writer = None
    while bodies:
        body = bodies.pop()
        if writer is None:
            reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0), limit=1 << 16)
        writer.write(b"POST /token HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                     b"Content-Length: %d\r\n\r\n" % (port, len(body)) + body)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            headers = {k.lower(): v.strip() for k, _, v in (l.partition(":") for l in lines[1:] if l)}
            await reader.readexactly(int(headers.get("content-length", 0)))
            counts[lines[0].split()[1]] += 1
            if headers.get("connection", "").lower() == "close":
                writer.close(); writer = None
        except (asyncio.IncompleteReadError, ConnectionError):
            counts["dropped"] += 1
            writer.close(); writer = None
    if writer is not None:
        writer.close()

async def run(bodies, connections):
    counts = Counter()
    started = time.monotonic()
    await asyncio.gather(*(worker(sources[i % len(sources)], bodies, counts) for i in range(connections)))
    return counts, time.monotonic() - started

if phase == "logins":
    n = int(sys.argv[4])
    # distinct valid names of 32 characters: a-z0-9 only, numbered
    bodies = [f"username=u{i:031d}&password=wrong-password-{i % 97}".encode() for i in range(n)]
    before = rss_mb()
    counts, took = asyncio.run(run(bodies, 64))
    after = rss_mb()
    print(f"-- {n:,} failed logins, distinct 32-character names, 8 addresses x 8 connections: {took:.1f} s "
          f"({n / took:,.0f}/s), answers {dict(counts)}")
    print(f"   RSS {before:.1f} -> {after:.1f} MB ({after - before:+.1f} MB)")
elif phase == "huge":
    body = urllib.parse.urlencode({"username": "a" * 1_000_000, "password": "wrong-password"}).encode()
    before = rss_mb()
    counts, took = asyncio.run(run([body] * 200, 8))
    after = rss_mb()
    print(f"-- 200 logins with a 1,000,000-character username ({len(body):,}-byte bodies): {took:.1f} s, "
          f"answers {dict(counts)}")
    print(f"   RSS {before:.1f} -> {after:.1f} MB ({after - before:+.1f} MB; aim: under +20 MB)")
elif phase == "fds":
    limit, hold, log = int(sys.argv[4]), float(sys.argv[5]), sys.argv[6]
    lines = lambda: open(log, errors="replace").read().splitlines()
    log0 = len(lines())
    resource.setrlimit(resource.RLIMIT_NOFILE, resource.getrlimit(resource.RLIMIT_NOFILE)[1:] * 2)
    probe = {}
    def probe_while_full():
        t = time.monotonic()
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=60, source_address=("127.0.0.1", 0))
            c.request("GET", "/users/me"); probe["status"] = c.getresponse().status
        except OSError as e:
            probe["status"] = type(e).__name__
        probe["took"] = time.monotonic() - t
    socks, failed = [], 0
    c0, t0 = cpu_s(), time.monotonic()
    for i in range(3 * limit):
        s = socket.socket(); s.setblocking(False)
        s.bind((sources[i % len(sources)], 0))
        if s.connect_ex(("127.0.0.1", port)) not in (0, 115):  # EINPROGRESS
            failed += 1
        socks.append(s)
    time.sleep(1)
    prober = threading.Thread(target=probe_while_full, daemon=True); prober.start()
    time.sleep(max(0.0, hold - (time.monotonic() - t0)))
    cpu, wall = cpu_s() - c0, time.monotonic() - t0
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    during = lines()[log0:]
    noisy = [l for l in during if any(w in l.lower() for w in ("accept", "descriptor", "open files"))]
    print(f"-- {3 * limit} idle connections attempted at once (descriptor limit {limit}; {failed} connects failed "
          f"at once) and held {wall:.1f} s")
    print(f"   server CPU {cpu:.2f} s = {100 * cpu / wall:.1f}% of one core; its open descriptors {fds}")
    print(f"   log: {len(during)} lines ({len(during) / wall:.1f}/s), {len(noisy)} about accept/descriptors "
          f"({len(noisy) / wall:.1f}/s)")
    if noisy:
        print(f"   e.g. {noisy[-1][:160]}")
    prober.join(60)
    print(f"   a new client meanwhile (sent 1 s in): {probe.get('status', 'no answer')} "
          f"after {probe.get('took', float('nan')):.2f} s")
    for s in socks:
        s.close()
    t = time.monotonic()
    while True:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", "/users/me")
            if c.getresponse().status == 401:  # answered by the API (no token), not refused
                break
        except OSError:
            pass
        if time.monotonic() - t > 60:
            print("   once closed: no new client served within 60 s")
            sys.exit(0)
        time.sleep(0.02)
    print(f"   once closed: a new client served after {time.monotonic() - t:.2f} s")
PY

port=18900
GATEWATCH_SECRET_KEY=$(head -c 32 /dev/urandom | base64) in_ns "$bin" serve --port $port --data-dir "$work" \
  2>"$work/server.log" &
server=$!
wait_served $port
pid=$(server_pid $port)
echo "== gatewatch abuse benchmark: $(nproc) cores; server pid $pid, RSS at start $(awk '/VmRSS/ {printf "%.1f MB", $2 / 1024}' /proc/$pid/status)"
in_ns /usr/bin/python3 "$work/abuse.py" logins $port "$pid" "$logins"
in_ns /usr/bin/python3 "$work/abuse.py" huge $port "$pid"
kill "$pid"; wait "$server" 2>/dev/null || true

port=18901
mkdir -p "$work/fds"
GATEWATCH_SECRET_KEY=$(head -c 32 /dev/urandom | base64) in_ns prlimit --nofile=$nofile:$nofile "$bin" serve \
  --port $port --data-dir "$work/fds" 2>"$work/fds.log" &
server=$!
wait_served $port
pid=$(server_pid $port)
echo "-- a second server under nofile $nofile; at start it logged: $(grep -i -m1 'max_connections\|connections capped' "$work/fds.log" | cut -d' ' -f3- | cut -c1-120)"
in_ns /usr/bin/python3 "$work/abuse.py" fds $port "$pid" $nofile "$hold" "$work/fds.log"
