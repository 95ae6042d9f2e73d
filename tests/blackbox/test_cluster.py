"""Several nodes on one PostgreSQL (contract: "Several nodes (PostgreSQL)"):
three gatewatch processes on the test's private PostgreSQL, probing loopback
targets inside the test's namespace. Each device is probed by exactly one
live node; a node killed with SIGKILL or stopped with SIGTERM hands its
devices to the others; a socket on one node sees a change that another node
probed; a flip notifies once, whichever node probed it; a device probed
from two locations with quorum 2 is down only when both see it down.

Runs on the PostgreSQL backend only (SQLite stays single-node). Devices
vanish by leaving the namespace's lo: 127.0.0.66 answers only while the test
adds it."""
import os
import signal
import subprocess
import tempfile
import time
import unittest

import harness
from harness import Server, postgres_server, wait_for
from test_notifications import Receiver
from wsclient import WebSocket

FAST = ("--probe-interval", "1", "--probe-timeout", "0.5", "--probe-spacing", "0.1",
        "--up-after", "1", "--down-after", "1", "--history-flush-interval", "1",
        "--notification-retry", "0.5", "--metrics-public", "true")
GONE = "127.0.0.66"
TARGETS = [f"127.0.1.{i}" for i in range(1, 31)]  # 30 devices that never answer
NODES = ("node-a", "node-b", "node-c")


def sh(*cmd):
    subprocess.run(cmd, check=True, capture_output=True)


def on_lo(present, ip=GONE):
    subprocess.run(["ip", "addr", "add" if present else "del", f"{ip}/32", "dev", "lo"], capture_output=True)


def ip_of(body):
    return (body.get("device") or {}).get("ip")


def setUpModule():
    if not harness.POSTGRES:
        raise unittest.SkipTest("several nodes need PostgreSQL (GATEWATCH_TEST_BACKEND=postgresql)")
    sh("sysctl", "-q", "-w", "net.ipv4.ping_group_range=0 2147483647")


class Cluster(unittest.TestCase):
    ARGS = FAST  # with LISTEN/NOTIFY (the default)

    @classmethod
    def setUpClass(cls):
        cls.shared = tempfile.mkdtemp(prefix="gw-cluster-")
        cls.url = harness.database_for(cls.shared)
        cls.nodes = {name: cls.start_node(name) for name in NODES}
        first = cls.nodes[NODES[0]]
        assert first.register("admin").status == 201
        cls.admin = first.token("admin")
        cls.ids = {}
        for ip in TARGETS + [GONE]:
            r = first.post("/devices/", {"name": f"dev {ip}", "ip": ip}, token=cls.admin)
            assert r.status == 201, r
            cls.ids[ip] = r.json()["id"]

    @classmethod
    def start_node(cls, name):
        return Server(args=cls.ARGS, env={"GATEWATCH_DATABASE": cls.url, "GATEWATCH_NODE_NAME": name}).start()

    @classmethod
    def tearDownClass(cls):
        for server in cls.nodes.values():
            server.cleanup()

    def live(self):
        return {name: s for name, s in self.nodes.items() if s.process.poll() is None}

    def listed(self, server):
        r = server.get("/nodes/", token=self.admin)
        self.assertEqual(r.status, 200, r)
        return {n["name"]: n for n in r.json()}

    def balanced(self, server, names):
        """True when exactly `names` are live and between them probe every device once."""
        if server.get("/nodes/", token=self.admin).status != 200:
            return False  # e.g. the database is still out of reach
        nodes = self.listed(server)
        live = {n for n, row in nodes.items() if row["live"]}
        return live == set(names) and sum(nodes[n]["devices"] for n in names) == len(self.ids)

    def test_1_each_device_is_probed_by_exactly_one_live_node(self):
        some = next(iter(self.live().values()))

        def shared_by_all():  # 31 devices over 3 nodes: each gets some once the first node let go
            return self.balanced(some, NODES) and all(n["devices"] > 0 for n in self.listed(some).values())

        self.assertTrue(wait_for(shared_by_all, deadline=30), self.listed(some))
        nodes = self.listed(some)
        for name in NODES:
            self.assertEqual(nodes[name]["location"], "default")
            self.assertIn(nodes[name]["probe_method"], ("datagram", "raw", "ping"))
        # Every node shows every device's status, whichever node probes it.
        for server in self.live().values():
            self.assertTrue(wait_for(lambda: all(
                v == "disconnected" for v in server.get("/device_status/", token=self.admin).json().values()),
                deadline=30))
            self.assertEqual(server.get("/readyz").json()["cluster"], "ok")
        # Each node listens for the others' notifications, or (without) reads every 0.25 s.
        for server in self.live().values():
            listening = any("listening for the other nodes' notifications" in line for line in server.log)
            self.assertEqual(listening, "--cluster-notify" not in self.ARGS, "".join(server.log[-20:]))
        # Viewers may not list nodes.
        some.register("viewer")
        self.assertEqual(some.get("/nodes/", token=some.token("viewer")).status, 403)

    def test_2_a_socket_on_every_node_sees_a_change_probed_by_one(self):
        self.sees_a_flip_everywhere()  # at least two of the three sockets are not on its prober

    def test_3_one_webhook_delivery_for_a_flip(self):
        receiver = Receiver()
        self.addCleanup(receiver.close)
        first = self.nodes[NODES[0]]
        r = first.post("/notifiers/", {"name": "ops", "type": "webhook", "url": receiver.url}, token=self.admin)
        self.assertEqual(r.status, 201, r)
        self.addCleanup(first.delete, f"/notifiers/{r.json()['id']}", token=self.admin)
        time.sleep(1)  # every node's dispatcher knows the notifier

        def flips():
            return [b["event"] for b in receiver.bodies() if ip_of(b) == GONE]

        def status():
            return first.get("/device_status/", token=self.admin).json().get(GONE)

        # Up first: a notice, or none, as the device's earlier flips (before
        # the notifier existed) decide. Then down, up, down: three notices.
        on_lo(True)
        try:
            self.assertTrue(wait_for(lambda: status() == "connected", deadline=30))
            time.sleep(2)
            base = flips()
        finally:
            on_lo(False)
        self.assertTrue(wait_for(lambda: flips() == base + ["device.down"], deadline=30), flips())
        on_lo(True)
        try:
            self.assertTrue(wait_for(lambda: flips() == base + ["device.down", "device.up"], deadline=30), flips())
        finally:
            on_lo(False)
        self.assertTrue(wait_for(lambda: len(flips()) >= len(base) + 3, deadline=30), flips())
        time.sleep(3)  # a duplicate, had any other node sent one, has arrived by now
        self.assertEqual(flips(), base + ["device.down", "device.up", "device.down"])

    def takeover(self, sig):
        """Stops the node probing most devices with `sig`; returns the seconds
        until the other two probe every device between them."""
        some = next(iter(self.live().values()))
        self.assertTrue(wait_for(lambda: self.balanced(some, self.live()), deadline=30), self.listed(some))
        nodes = self.listed(some)
        victim = max(self.live(), key=lambda n: nodes[n]["devices"])
        others = [n for n in self.live() if n != victim]
        watcher = self.nodes[others[0]]
        began = time.monotonic()
        stopped = self.nodes[victim]
        stopped.stop(sig)
        self.assertTrue(wait_for(lambda: self.balanced(watcher, others), deadline=40), self.listed(watcher))
        gap = time.monotonic() - began
        print(f"\n{signal.Signals(sig).name}: the other nodes probe all {len(self.ids)} devices after {gap:.1f} s",
              flush=True)
        # Its devices are probed again: statuses keep moving on the survivors.
        for name in others:
            server = self.nodes[name]
            self.assertTrue(wait_for(lambda: server.get("/device_status/", token=self.admin).json().get(GONE)
                                     == "disconnected", deadline=10))
        # Their history goes on: each device's newest recorded change is the
        # status its new prober sees, never the `unknown` the stopped node
        # left (recorded from when it stopped probing, before the handover).
        def newest(ip):
            changes = watcher.get(f"/devices/{self.ids[ip]}/events?limit=2", token=self.admin).json()
            return [c["status"] for c in changes]
        self.assertTrue(wait_for(lambda: all(newest(ip)[:1] == ["disconnected"] for ip in TARGETS), deadline=15),
                        {ip: newest(ip) for ip in TARGETS})
        if sig == signal.SIGTERM:  # and before it, the stopped node's `unknown`
            self.assertTrue(wait_for(lambda: any(newest(ip) == ["disconnected", "unknown"] for ip in TARGETS),
                                     deadline=15), {ip: newest(ip) for ip in TARGETS})
        stopped.cleanup()
        self.nodes[victim] = self.start_node(victim)  # it comes back and takes its share again
        self.assertTrue(wait_for(lambda: self.balanced(watcher, NODES), deadline=30), self.listed(watcher))
        return gap

    def test_4_a_stopped_node_hands_its_devices_over(self):
        self.takeover(signal.SIGTERM)

    def test_5_a_killed_node_s_devices_move_to_the_others(self):
        self.takeover(signal.SIGKILL)
        # The killed node is listed, not live, until it came back.
        self.assertEqual(set(self.listed(self.nodes[NODES[0]])), set(NODES))

    def probes_sent(self, server):
        """Probes the node has sent so far (answered and lost), from its /metrics."""
        total = 0
        for line in server.get("/metrics").body.splitlines():
            if line.startswith("gatewatch_probes_total{"):
                total += float(line.rsplit(" ", 1)[1])
        return total

    def sees_a_flip_everywhere(self):
        sockets = [WebSocket(s.port, query_token=self.admin) for s in self.live().values()]
        try:
            for ws in sockets:
                ws.wait_for(lambda m: m.get(GONE) == "disconnected")
            on_lo(True)
            try:
                for ws in sockets:
                    ws.wait_for(lambda m: m.get(GONE) == "connected")
            finally:
                on_lo(False)
            for ws in sockets:
                ws.wait_for(lambda m: m.get(GONE) == "disconnected")
        finally:
            for ws in sockets:
                ws.close()

    def test_6_without_the_database_nodes_stop_probing_and_catch_up_after(self):
        some = self.nodes[NODES[0]]
        self.assertTrue(wait_for(lambda: self.balanced(some, NODES), deadline=30), self.listed(some))
        postgres_server("halt")
        try:
            for server in self.nodes.values():
                self.assertTrue(wait_for(lambda: server.get("/readyz").json().get("cluster", "ok") != "ok",
                                         deadline=30))
                r = server.get("/readyz")
                self.assertEqual(r.status, 503, r)
                self.assertTrue(r.json()["cluster"].startswith("database unreachable"), r)
            # Once their leases lapse (6 s after the last renewal) no node probes anything.
            time.sleep(7)
            sent = {name: self.probes_sent(s) for name, s in self.nodes.items()}
            time.sleep(3)
            self.assertEqual({name: self.probes_sent(s) for name, s in self.nodes.items()}, sent)
        finally:
            postgres_server("start")
        self.assertTrue(wait_for(lambda: self.balanced(some, NODES), deadline=60), self.listed(some))
        for server in self.nodes.values():
            self.assertTrue(wait_for(lambda: server.get("/readyz").status == 200, deadline=30))
        self.sees_a_flip_everywhere()

    def test_7_sessions_the_server_ends_are_replaced(self):
        some = self.nodes[NODES[0]]
        self.assertTrue(wait_for(lambda: self.balanced(some, NODES), deadline=30), self.listed(some))
        killed = subprocess.run(
            ["psql", "-tA", self.url, "-c", "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
             " WHERE datname = current_database() AND pid <> pg_backend_pid()"],
            check=True, capture_output=True, text=True).stdout.strip()
        self.assertGreaterEqual(int(killed), 3)  # at least one session of each node
        self.assertTrue(wait_for(lambda: self.balanced(some, NODES), deadline=30), self.listed(some))
        for server in self.nodes.values():
            self.assertTrue(wait_for(lambda: server.get("/readyz").status == 200, deadline=30))
        self.sees_a_flip_everywhere()

    def test_7b_a_second_node_with_a_name_in_use_waits_and_probes_nothing(self):
        some = self.nodes[NODES[1]]
        self.assertTrue(wait_for(lambda: self.balanced(some, NODES), deadline=30), self.listed(some))
        twin = self.start_node(NODES[0])
        self.addCleanup(twin.cleanup)
        self.assertTrue(wait_for(lambda: "in use by another live node" in twin.get("/readyz").json().get("cluster", ""),
                                 deadline=30), twin.get("/readyz").json())
        self.assertEqual(twin.get("/readyz").status, 503)
        time.sleep(3)  # the first keeps its lease and its devices: nothing moves
        self.assertTrue(self.balanced(some, NODES), self.listed(some))
        self.assertEqual(self.probes_sent(twin), 0)
        self.assertIn("in use by another live node", twin.get("/readyz").json()["cluster"])

    def test_8_two_locations_with_quorum_2_agree_before_down(self):
        """Two more nodes: `east` in this namespace, `west` in a network
        namespace of its own (its lo holds 127.0.0.1/32 only, so it never
        reaches ELSEWHERE). The device lists both; with quorum 2 it is down
        only once east loses it too, with quorum 1 as soon as west does."""
        elsewhere = "127.0.0.67"
        isolated = ["unshare", "--net", "sh", "-c",
                    "ip link set lo up && ip addr del 127.0.0.1/8 dev lo && ip addr add 127.0.0.1/32 dev lo"
                    ' && exec "$0" "$@"']
        east = Server(args=self.ARGS, env={"GATEWATCH_DATABASE": self.url, "GATEWATCH_NODE_NAME": "east-1",
                                      "GATEWATCH_LOCATION": "east"}).start()
        self.addCleanup(east.cleanup)
        west = Server(args=self.ARGS, env={"GATEWATCH_DATABASE": self.url, "GATEWATCH_NODE_NAME": "west-1",
                                      "GATEWATCH_LOCATION": "west"}, prefix=isolated).start()
        self.addCleanup(west.cleanup)
        some = self.nodes[NODES[0]]  # probes neither location: it shows what the others wrote
        receiver = Receiver()
        self.addCleanup(receiver.close)
        r = some.post("/notifiers/", {"name": "branch", "type": "webhook", "url": receiver.url}, token=self.admin)
        self.assertEqual(r.status, 201, r)
        notifier = r.json()["id"]
        self.addCleanup(some.delete, f"/notifiers/{notifier}", token=self.admin)
        r = some.post("/devices/", {"name": "branch router", "ip": elsewhere, "locations": ["east", "west"],
                                    "quorum": 2}, token=self.admin)
        self.assertEqual(r.status, 201, r)
        device = r.json()
        self.addCleanup(some.delete, f"/devices/{device['id']}", token=self.admin)
        self.assertEqual((device["locations"], device["quorum"]), (["east", "west"], 2))

        def detail():
            return some.get(f"/devices/{device['id']}/status", token=self.admin).json()

        def seen(status, east_view, west_view):
            d = detail()
            views = d["locations"]
            return (d["status"], views["east"]["status"], views["west"]["status"]) == (status, east_view, west_view)

        on_lo(True, elsewhere)
        try:
            # West cannot reach it, east can: one location down is not enough.
            self.assertTrue(wait_for(lambda: seen("connected", "connected", "disconnected"), deadline=30), detail())
            views = detail()["locations"]
            self.assertEqual((views["east"]["node"], views["west"]["node"]), ("east-1", "west-1"))
            self.assertIsNotNone(views["east"]["rtt_ms"])
            self.assertEqual(set(views), {"east", "west"})
            # Each (device, location) is probed once: east-1 and west-1 each count it.
            self.assertTrue(wait_for(lambda: sum(n["devices"] for n in self.listed(some).values() if n["live"])
                                     == len(self.ids) + 2, deadline=30), self.listed(some))
            time.sleep(3)  # and it stays up while only west sees it down
            self.assertEqual(detail()["status"], "connected")
        finally:
            on_lo(False, elsewhere)
        self.assertTrue(wait_for(lambda: seen("disconnected", "disconnected", "disconnected"), deadline=30), detail())
        # Quorum 1: west alone is enough, even while east reaches it.
        on_lo(True, elsewhere)
        try:
            self.assertTrue(wait_for(lambda: seen("connected", "connected", "disconnected"), deadline=30), detail())
            r = some.put(f"/devices/{device['id']}", {"quorum": 1}, token=self.admin)
            self.assertEqual(r.status, 200, r)
            self.assertTrue(wait_for(lambda: seen("disconnected", "connected", "disconnected"), deadline=30),
                            detail())
        finally:
            on_lo(False, elsewhere)
        # History per location: each location's view is kept beside the
        # device's own; west never reached it, east did.
        base = f"/devices/{device['id']}"

        def statuses(location):
            changes = [e["status"] for e in some.get(f"{base}/events?location={location}", token=self.admin).json()]
            # One node records each location's view: never the same status twice in a row.
            self.assertFalse(any(a == b for a, b in zip(changes, changes[1:])), (location, changes))
            return set(changes)

        def ups(location):
            r = some.get(f"{base}/history?location={location}&step=1", token=self.admin)
            self.assertEqual(r.status, 200, r)
            return [p["up"] for p in r.json()["points"]]

        self.assertTrue(wait_for(lambda: statuses("west") == {"disconnected"} and
                                 {"connected", "disconnected"} <= statuses("east"), deadline=30),
                        (statuses("west"), statuses("east")))
        self.assertTrue(wait_for(lambda: ups("west") and any(ups("east")), deadline=30), (ups("west"), ups("east")))
        self.assertFalse(any(ups("west")))
        self.assertEqual(some.get(f"{base}/uptime?location=west", token=self.admin).json()["24h"], 0)
        self.assertGreater(some.get(f"{base}/uptime?location=east", token=self.admin).json()["24h"], 0)
        self.assertEqual(some.get(f"{base}/history?location=north", token=self.admin).json()["points"], [])
        self.assertEqual(some.get(f"{base}/events?location=no%20such", token=self.admin).status, 422)
        # One notice for each change of the device's own status, from the node
        # that decides it, none from the location that only reports its view.
        def flips():
            return [b["event"] for b in receiver.bodies() if ip_of(b) == elsewhere]
        self.assertTrue(wait_for(lambda: len(flips()) >= 3, deadline=30),
                        (flips(), some.get(f"/devices/{device['id']}/events", token=self.admin).json(),
                         some.get(f"/notifiers/{notifier}/deliveries", token=self.admin).json(),
                         "".join(east.log[-30:])))
        time.sleep(3)  # a duplicate, had any node sent one, has arrived by now
        self.assertEqual(flips()[-3:], ["device.down", "device.up", "device.down"])
        self.assertLessEqual(len(flips()), 4, flips())  # and at most the first "up" before them
        # East stops: west decides now. With quorum 2, west alone seeing it down
        # is not enough, and east (no live node) sees nothing: unknown.
        self.assertEqual(some.put(f"/devices/{device['id']}", {"quorum": 2}, token=self.admin).status, 200)
        east.stop()
        self.assertTrue(wait_for(lambda: detail()["status"] == "unknown", deadline=30), detail())


class ClusterWithoutNotify(Cluster):
    """The same, for PostgreSQL-protocol databases without LISTEN/NOTIFY
    (CockroachDB): every node reads what the others wrote every 0.25 s."""
    ARGS = FAST + ("--cluster-notify", "false")


if __name__ == "__main__":
    unittest.main()
