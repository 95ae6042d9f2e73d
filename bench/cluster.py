"""Several nodes on one PostgreSQL (issue 13), driven by bench/cluster.sh
inside its network namespace: three nodes, N devices over 127.1.0.0/16
(all answer), and 127.0.0.66, which answers only while the bench adds it to
lo. Prints:
  - PostgreSQL's load at steady state: transactions a second, WAL bytes a
    second and per device per day;
  - a change probed by node B reaching a socket on node A: the delay after
    B's own socket saw it (p50, p99 over the flips), with LISTEN/NOTIFY and
    again with the nodes restarted without it (polling only);
  - SIGTERM and SIGKILL of the node holding most devices: seconds until the
    other two hold every device (handed-over devices are first probed within
    one second after their claim: monitor.cpp, assign()).
Usage: /usr/bin/python3 bench/cluster.py BINARY POSTGRES_URL WORKDIR DEVICES
"""
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "blackbox"))
from wsclient import WebSocket  # noqa: E402

BINARY, URL, WORK, DEVICES = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
GONE = "127.0.0.66"
SECRET = os.urandom(24).hex()
NAMES = ("node-a", "node-b", "node-c")
PORTS = dict(zip(NAMES, (18601, 18602, 18603)))


def sql(query):
    return subprocess.run(["psql", "-tA", URL, "-c", query], check=True, capture_output=True,
                          text=True).stdout.strip()


def http(method, name, path, body=None, token=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"http://127.0.0.1:{PORTS[name]}{path}", data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=120) as r:
        return json.loads(r.read() or b"null")


def start(name, notify=True):
    env = dict(os.environ, GATEWATCH_DATABASE=URL, GATEWATCH_SECRET_KEY=SECRET, GATEWATCH_NODE_NAME=name,
               GATEWATCH_CLUSTER_NOTIFY="true" if notify else "false")
    process = subprocess.Popen([BINARY, "serve", "--port", str(PORTS[name]), "--data-dir", f"{WORK}/{name}",
                                "--log-level", "warn"], env=env, stdout=subprocess.DEVNULL,
                               stderr=open(f"{WORK}/{name}.log", "a"))
    for _ in range(300):
        try:
            http("GET", name, "/healthz")
            return process
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{name} did not start")


def holders():
    """{node: devices held} counted in the database, live holders only."""
    rows = sql("SELECT o.node, count(*) FROM device_owners o JOIN nodes n ON n.name = o.node AND n.epoch = o.epoch"
               " WHERE n.stopped = 0 AND n.heartbeat_ms > (extract(epoch FROM clock_timestamp()) * 1000)::bigint"
               " - 10000 GROUP BY o.node")
    return {line.split("|")[0]: int(line.split("|")[1]) for line in rows.splitlines() if line}


def table_writes():
    """{table: rows inserted, updated and deleted so far}."""
    time.sleep(1)  # backends report their counts about once a second
    rows = sql("SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_user_tables")
    return {line.split("|")[0]: int(line.split("|")[1]) for line in rows.splitlines() if line}


def wait_balanced(names, deadline=120):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        held = holders()
        if set(held) == set(names) and sum(held.values()) == DEVICES + 1:
            return time.monotonic()
        time.sleep(0.05)
    raise RuntimeError(f"not balanced over {names}: {holders()}")


def wait_settled(names, quiet=3.0, deadline=120):
    """Waits until `names` hold every device and nobody's share moved for
    `quiet` seconds; returns when that share was first reached."""
    wait_balanced(names, deadline)
    end = time.monotonic() + deadline
    last, since = holders(), time.monotonic()
    while time.monotonic() < end:
        time.sleep(0.1)
        now = holders()
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return since
    raise RuntimeError(f"shares still moving: {holders()}")


class Watcher(threading.Thread):
    """A status socket that records when 127.0.0.66 changes."""

    def __init__(self, name, token):
        super().__init__(daemon=True)
        self.ws = WebSocket(PORTS[name], query_token=token, timeout=60)
        self.changes = []  # (monotonic time, status)
        self.last = None
        self.start()

    def run(self):
        try:
            while True:
                status = self.ws.recv_json(timeout=3600).get(GONE)
                if status != self.last:
                    self.last = status
                    self.changes.append((time.monotonic(), status))
        except Exception:
            pass

    def when(self, status, after, deadline=30):
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            for t, s in list(self.changes):
                if s == status and t >= after:
                    return t
            time.sleep(0.005)
        raise RuntimeError(f"no {status} after {after}")


def lo(present):
    subprocess.run(["ip", "addr", "add" if present else "del", f"{GONE}/32", "dev", "lo"], check=True)


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def fanout(token, how, flips=10):
    """Flips 127.0.0.66; prints how much later a socket on another node sees
    each change than a socket on the node that probes it."""
    owner = sql(f"SELECT o.node FROM device_owners o JOIN devices d ON d.id = o.device_id WHERE d.ip = '{GONE}'")
    other = next(n for n in NAMES if n != owner)
    at_owner, at_other = Watcher(owner, token), Watcher(other, token)
    delays = []
    for i in range(flips):
        status = "connected" if i % 2 == 0 else "disconnected"
        t = time.monotonic()
        lo(status == "connected")
        seen_owner = at_owner.when(status, t)
        seen_other = at_other.when(status, t)
        delays.append(seen_other - seen_owner)
    if at_owner.last == "connected":
        lo(False)
    print(f"== {how}: a change probed by {owner} on a socket of {other}, after {owner}'s own socket ({flips} flips): "
          f"p50 {statistics.median(delays) * 1000:.0f} ms, p99 {percentile(delays, 99) * 1000:.0f} ms, "
          f"max {max(delays) * 1000:.0f} ms", flush=True)


def main():
    nodes = {name: start(name) for name in NAMES}
    http("POST", "node-a", "/users/", {"username": "bench", "password": "bench-password"})
    form = urllib.request.Request(f"http://127.0.0.1:{PORTS['node-a']}/token",
                                  data=b"username=bench&password=bench-password", method="POST")
    with urllib.request.urlopen(form) as r:
        token = json.loads(r.read())["access_token"]
    devices = [{"name": f"device {i}", "ip": f"127.1.{i >> 8}.{i & 255}"} for i in range(1, DEVICES + 1)]
    devices.append({"name": "flip", "ip": GONE})
    began = time.monotonic()
    http("POST", "node-a", "/devices/bulk", {"devices": devices}, token)
    settled = wait_settled(NAMES)
    print(f"== {DEVICES + 1} devices on 3 nodes: {holders()} (settled {settled - began:.1f} s after the bulk import "
          "began)", flush=True)

    print("== steady state (60 s)", flush=True)
    # Past the first history flush (60 s): it writes every device's first
    # status at once, which is not what a steady state writes.
    time.sleep(75)
    tx0 = int(sql("SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()"))
    wal0 = sql("SELECT pg_current_wal_lsn()")
    rows0 = table_writes()
    time.sleep(60)
    tx1 = int(sql("SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()"))
    wal = int(sql(f"SELECT pg_current_wal_lsn() - '{wal0}'::pg_lsn"))
    rows1 = table_writes()
    print(f"   PostgreSQL: {(tx1 - tx0) / 60:.1f} transactions/s, WAL {wal / 60 / 1024:.1f} KiB/s = "
          f"{wal / 60 * 86400 / (DEVICES + 1):.0f} bytes per device per day")
    written = {t: (rows1[t] - rows0.get(t, 0)) / 60 for t in rows1 if rows1[t] > rows0.get(t, 0)}
    print("   rows written a second, by table: " +
          ", ".join(f"{t} {n:.1f}" for t, n in sorted(written.items(), key=lambda kv: -kv[1])))

    fanout(token, "LISTEN/NOTIFY")
    # The same without NOTIFY (a database without it): every node reads every 0.25 s.
    for name in NAMES:
        nodes[name].terminate()
        nodes[name].wait()
        nodes[name] = start(name, notify=False)
    wait_balanced(NAMES)
    fanout(token, "polling only (cluster_notify = false)")
    for name in NAMES:
        nodes[name].terminate()
        nodes[name].wait()
        nodes[name] = start(name)

    for sig, rounds in (("SIGTERM", 3), ("SIGKILL", 5)):
        gaps = []
        for _ in range(rounds):
            wait_balanced(NAMES)
            time.sleep(2)
            held = holders()
            victim = max(held, key=held.get)
            t = time.monotonic()
            if sig == "SIGTERM":
                nodes[victim].terminate()
            else:
                nodes[victim].kill()
            gaps.append(wait_balanced([n for n in NAMES if n != victim]) - t)
            nodes[victim].wait()
            nodes[victim] = start(victim)
        print(f"== {sig} of the node with most devices ({rounds} times): the other two hold every device after "
              f"{', '.join(f'{g:.1f}' for g in gaps)} s (worst {max(gaps):.1f} s)", flush=True)

    for process in nodes.values():
        process.terminate()
        process.wait()


if __name__ == "__main__":
    main()
