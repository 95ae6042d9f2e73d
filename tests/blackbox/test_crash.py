"""Crash safety (issue 5): concurrent writers (registrations, room and device
creates, updates, deletes) while gatewatch is killed with SIGKILL at a random
moment; then it restarts on the same data directory, and:
  - every write that got a 2xx is there, as acknowledged;
  - a write in flight at the kill is either wholly there or wholly absent
    (each entity matches exactly one of its two possible states);
  - nothing appears that no one wrote;
  - SQLite's PRAGMA integrity_check says ok.
GATEWATCH_CRASH_CYCLES sets the number of kills (3 here; bench/crash_loop.sh
runs 50). Prints a line of figures per run."""
import http.client
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import unittest

from harness import POSTGRES, Server

CYCLES = int(os.environ.get("GATEWATCH_CRASH_CYCLES", "3"))
WORKERS = 6
ABSENT = None  # the state of an entity that does not exist


def call(port, method, path, body=None, token=None, form=None):
    """(status, json) or raises OSError/HTTPException when the server dies mid-call."""
    headers = {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None
    if body is not None:
        data = json.dumps(body)
        headers["Content-Type"] = "application/json"
    if form is not None:
        data = "&".join(f"{k}={v}" for k, v in form.items())
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, body=data, headers=headers)
        r = conn.getresponse()
        raw = r.read()
        return r.status, (json.loads(raw) if raw else None)
    finally:
        conn.close()


class Ledger:
    """What the clients know: per entity, the acknowledged state, and the
    state a write in flight would leave if it committed."""

    def __init__(self):
        self.lock = threading.Lock()
        self.confirmed = {}  # key -> state (dict) or ABSENT
        self.pending = {}    # key -> state the unacknowledged write would leave
        self.acknowledged = 0

    def begin(self, key, state):
        with self.lock:
            self.pending[key] = state

    def ack(self, key, state):
        with self.lock:
            self.confirmed[key] = state
            self.pending.pop(key, None)
            self.acknowledged += 1

    def refused(self, key):  # a 4xx: nothing changed
        with self.lock:
            self.pending.pop(key, None)


class Worker(threading.Thread):
    """Writes its own rooms, devices and accounts, one request at a time, until the server dies."""

    def __init__(self, index, port, token, ledger, state, rng):
        super().__init__(daemon=True)
        self.index, self.port, self.token, self.ledger, self.state, self.rng = index, port, token, ledger, state, rng

    def run(self):
        try:
            while True:
                self.step()
        except (OSError, http.client.HTTPException):
            pass  # the kill

    def step(self):
        s, rng, w = self.state, self.rng, self.index
        s["n"] += 1
        n = s["n"]
        rooms = [k for k, v in self.ledger.confirmed.items() if k[0] == "room" and k[1] == w and v]
        devices = [k for k, v in self.ledger.confirmed.items() if k[0] == "device" and k[1] == w and v]
        choice = rng.random()
        if choice < 0.1:
            key = ("user", w, f"u{w}x{n}")
            self.write(key, {}, "POST", "/users/", {"username": key[2], "password": "crash-test-password"}, 201)
        elif choice < 0.3 or not rooms:
            name = f"room {w}.{n}"
            state = {"name": name, "description": f"made by worker {w}"}
            self.write(("room", w, name), state, "POST", "/rooms/", state, 201, keep_id=True)
        elif choice < 0.6 or not devices:
            ip = f"127.{100 + w}.{n // 256 % 256}.{n % 256}"  # loopback: probes stay in the test's namespace
            room = self.ledger.confirmed[rng.choice(rooms)]
            state = {"name": f"device {w}.{n}", "ip": ip, "room_id": room["id"], "monitored": rng.random() < 0.5}
            self.write(("device", w, ip), state, "POST", "/devices/", state, 201, keep_id=True)
        elif choice < 0.8:
            key = rng.choice(devices)
            old = self.ledger.confirmed[key]
            state = {**old, "name": f"renamed {w}.{n}", "monitored": not old["monitored"]}
            self.write(key, state, "PUT", f"/devices/{old['id']}", {"name": state["name"], "monitored": state["monitored"]}, 200)
        elif choice < 0.9:
            key = rng.choice(devices)
            self.write(key, ABSENT, "DELETE", f"/devices/{self.ledger.confirmed[key]['id']}", None, 204)
        else:
            key = rng.choice(rooms)
            old = self.ledger.confirmed[key]
            in_use = any(v and v.get("room_id") == old["id"] for k, v in self.ledger.confirmed.items() if k[0] == "device")
            if in_use:
                state = {**old, "description": f"edited {w}.{n}"}
                self.write(key, state, "PUT", f"/rooms/{old['id']}", {"description": state["description"]}, 200)
            else:
                self.write(key, ABSENT, "DELETE", f"/rooms/{old['id']}", None, 204)

    def write(self, key, state, method, path, body, success, keep_id=False):
        self.ledger.begin(key, state)
        status, answer = call(self.port, method, path, body=body, token=self.token)
        if status == success:
            if keep_id:
                state = {**state, "id": answer["id"]}
            self.ledger.ack(key, state)
        else:
            self.ledger.refused(key)


def observe(server, token):
    """The entities as the restarted server shows them, keyed as the ledger keys them."""
    seen = {}
    status, rooms = call(server.port, "GET", "/rooms/", token=token)
    assert status == 200, status
    for room in rooms:
        if room["name"].startswith("room "):
            w = int(room["name"].split()[1].split(".")[0])
            seen[("room", w, room["name"])] = {"name": room["name"], "description": room["description"], "id": room["id"]}
    status, devices = call(server.port, "GET", "/devices/", token=token)
    assert status == 200, status
    for d in devices:
        w = int(d["ip"].split(".")[1]) - 100
        seen[("device", w, d["ip"])] = {k: d[k] for k in ("name", "ip", "room_id", "monitored", "id")}
    listing = server.cli("list").stdout
    for line in listing.splitlines():  # id, username, role
        fields = line.split("\t")
        name = fields[1] if len(fields) > 1 else ""
        if name.startswith("u") and "x" in name:
            w = int(name[1:name.index("x")])
            seen[("user", w, name)] = {}
    return seen


def matches(actual, expected):
    """An entity's observed state equals a ledger state (ids of unacknowledged creates are unknown)."""
    if expected is ABSENT or actual is ABSENT:
        return expected is actual
    return all(actual.get(k) == v for k, v in expected.items())


def integrity(db):
    out = subprocess.run(["sqlite3", db, "PRAGMA integrity_check;"], capture_output=True, text=True, timeout=60)
    return out.stdout.strip()


class CrashLoop(unittest.TestCase):
    def test_acknowledged_writes_survive_sigkill(self):
        rng = random.Random(int(os.environ.get("GATEWATCH_CRASH_SEED", time.time_ns())))
        ledger = Ledger()
        states = [{"n": 0} for _ in range(WORKERS)]
        server = Server(args=("--hash-queue", "1024")).start()
        data_dir = server.data_dir
        self.assertEqual(server.register("admin").status, 201)
        token = server.token("admin")
        in_flight_total = 0
        try:
            for cycle in range(CYCLES):
                workers = [Worker(i, server.port, token, ledger, states[i], random.Random(rng.random()))
                           for i in range(WORKERS)]
                for w in workers:
                    w.start()
                time.sleep(rng.uniform(0.3, 1.5))
                server.process.send_signal(signal.SIGKILL)
                server.wait()
                for w in workers:
                    w.join(30)
                if not POSTGRES:  # PostgreSQL checks its own pages; a SQLite file is checked here
                    self.assertEqual(integrity(os.path.join(data_dir, "gatewatch.db")), "ok", f"cycle {cycle}")

                server = Server(data_dir=data_dir, args=("--hash-queue", "1024")).start()
                seen = observe(server, token)
                keys = set(ledger.confirmed) | set(ledger.pending) | set(seen)
                in_flight_total += len(ledger.pending)
                for key in keys:
                    actual = seen.get(key, ABSENT)
                    possible = [ledger.confirmed.get(key, ABSENT)]
                    if key in ledger.pending:
                        possible.append(ledger.pending[key])
                    self.assertTrue(any(matches(actual, p) for p in possible),
                                    f"cycle {cycle}: {key} is {actual}, expected one of {possible}")
                    # What is observed is now what the clients know.
                    ledger.confirmed[key] = actual if actual is ABSENT else {**actual}
                ledger.pending.clear()
            print(f"\ncrash loop: {CYCLES} SIGKILLs, {ledger.acknowledged} acknowledged writes all found, "
                  f"{in_flight_total} writes in flight at a kill each wholly there or wholly absent, "
                  f"integrity_check ok every time", file=sys.stderr)
        finally:
            server.cleanup()
            import shutil
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
