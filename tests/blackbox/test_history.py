"""History and uptime (contract: "History and uptime"), with real ICMP in the
test's own network namespace: lo holds only 127.0.0.1/32, so 127.0.0.66
answers only while a test adds it to lo."""
import datetime
import shutil
import subprocess
import time
import unittest

from harness import Server, ServerTestCase, wait_for

FAST = ("--probe-interval", "1", "--probe-timeout", "0.5", "--probe-spacing", "0.1",
        "--up-after", "1", "--down-after", "1", "--history-flush-interval", "1")
GONE = "127.0.0.66"


def sh(*cmd):
    subprocess.run(cmd, check=True, capture_output=True)


def setUpModule():
    sh("sysctl", "-q", "-w", "net.ipv4.ping_group_range=0 2147483647")


def rfc3339(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).isoformat().replace("+00:00", "Z")


def parse(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


class Flip(ServerTestCase):
    """127.0.0.66 answers, stops, answers again: the events, the points and the uptime say so."""
    server_args = FAST

    def get(self, path):
        r = self.server.get(path, token=self.viewer)
        self.assertEqual(r.status, 200, r)
        return r.json()

    def test_a_flip_is_in_the_events_the_history_and_the_uptime(self):
        started = time.time()
        sh("ip", "addr", "add", f"{GONE}/32", "dev", "lo")
        try:
            r = self.server.post("/devices/", {"name": "flipper", "ip": GONE}, token=self.admin)
            self.assertEqual(r.status, 201, r)
            device = r.json()["id"]
            self.addCleanup(self.server.delete, f"/devices/{device}", token=self.admin)
            events = f"/devices/{device}/events"
            self.assertTrue(wait_for(lambda: [e["status"] for e in self.get(events)] == ["connected"]),
                            self.get(events))
            time.sleep(3)  # a few answered rounds
        finally:
            sh("ip", "addr", "del", f"{GONE}/32", "dev", "lo")
        self.assertTrue(wait_for(lambda: self.get(events)[0]["status"] == "disconnected"), self.get(events))
        time.sleep(3)  # a few lost rounds
        sh("ip", "addr", "add", f"{GONE}/32", "dev", "lo")
        try:
            self.assertTrue(wait_for(lambda: self.get(events)[0]["status"] == "connected"), self.get(events))
        finally:
            sh("ip", "addr", "del", f"{GONE}/32", "dev", "lo")

        got = self.get(events)
        self.assertEqual([(e["status"], e["previous"]) for e in got],
                         [("connected", "disconnected"), ("disconnected", "connected"), ("connected", "unknown")])
        for e in got:
            self.assertEqual((e["unreachable_via"], e["muted"]), (None, False), e)
            self.assertGreaterEqual(parse(e["at"]), started - 1)
        self.assertEqual(len(self.get(events + "?limit=1")), 1)
        self.assertEqual(self.get(events + "?to=" + rfc3339(started - 60)), [])

        # Every round, at one-second steps: answered and lost ones both recorded.
        def points():
            h = self.get(f"/devices/{device}/history?step=1&from={rfc3339(started - 5)}")
            return h if any(p["up"] == 0 for p in h["points"]) and h["points"][-1]["up"] == 1 else None
        h = wait_for(points, deadline=20)
        self.assertTrue(h, self.get(f"/devices/{device}/history?step=1&from={rfc3339(started - 5)}"))
        self.assertEqual((h["device_id"], h["step_s"]), (device, 1))
        up = [p for p in h["points"] if p["up"] == 1]
        down = [p for p in h["points"] if p["up"] == 0]
        self.assertGreaterEqual(len(up), 3, h)
        self.assertGreaterEqual(len(down), 2, h)
        for p in up:
            self.assertGreater(p["rtt_ms"], 0, p)
            self.assertGreaterEqual(p["rtt_ms_max"], p["rtt_ms"], p)
            self.assertEqual(p["loss"], 0, p)
        for p in down:
            self.assertEqual((p["rtt_ms"], p["rtt_ms_max"], p["loss"]), (None, None, 1), p)
        times = [parse(p["at"]) for p in h["points"]]
        self.assertEqual(times, sorted(times))

        # The default range and step: the last 24 h in steps a chart can draw.
        default = self.get(f"/devices/{device}/history")
        self.assertGreaterEqual(default["step_s"], 60)
        self.assertTrue(default["points"], default)
        self.assertTrue(0 < default["points"][-1]["up"] < 1, default)

        # Uptime: connected most of the recorded time, down a few seconds of it.
        uptime = self.get(f"/devices/{device}/uptime")
        self.assertEqual(set(uptime), {"24h", "7d", "30d", "365d"})
        self.assertTrue(0.3 < uptime["24h"] < 1, uptime)
        self.assertEqual(uptime["24h"], uptime["365d"])
        everyone = self.get("/uptime/?window=7d")
        self.assertAlmostEqual(everyone[GONE], uptime["7d"], places=2)

    def test_a_device_never_probed_has_no_uptime_and_no_points(self):
        r = self.server.post("/devices/", {"name": "quiet", "ip": "127.0.0.99", "monitored": False},
                             token=self.admin)
        device = r.json()["id"]
        self.addCleanup(self.server.delete, f"/devices/{device}", token=self.admin)
        self.assertEqual(self.get(f"/devices/{device}/uptime"), {"24h": None, "7d": None, "30d": None, "365d": None})
        self.assertEqual(self.get(f"/devices/{device}/history")["points"], [])
        self.assertEqual(self.get(f"/devices/{device}/events"), [])
        self.assertNotIn("127.0.0.99", self.get("/uptime/"))
        # Nor seen from any location (several nodes keep those; one node has none).
        self.assertEqual(self.get(f"/devices/{device}/history?location=east")["points"], [])
        self.assertEqual(self.get(f"/devices/{device}/events?location=east"), [])
        self.assertEqual(self.get(f"/devices/{device}/uptime?location=east")["24h"], None)

    def test_bad_queries_are_422_and_unknown_devices_404(self):
        r = self.server.post("/devices/", {"name": "one", "ip": "127.0.0.98"}, token=self.admin)
        d = f"/devices/{r.json()['id']}"
        self.addCleanup(self.server.delete, d, token=self.admin)
        # As FastAPI: the query is validated before the device is looked up.
        for path, loc in [(d + "/events?limit=0", "limit"), (d + "/events?limit=1001", "limit"),
                          (d + "/events?limit=x", "limit"), (d + "/history?step=0", "step"),
                          (d + "/history?from=yesterday", "from"),
                          (d + "/history?from=2026-02-30T00:00:00Z", "from"),
                          (d + "/history?to=2026-01-01T00:00:00", "to"),
                          (d + "/events?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", "from"),
                          ("/devices/999999/events?limit=0", "limit"),
                          ("/uptime/?window=2d", "window"),
                          (d + "/history?location=", "location"), (d + "/events?location=a%20b", "location"),
                          (d + "/uptime?location=" + "x" * 65, "location"),
                          (d + "/history?location=%2A", "location")]:
            self.assertValidation(self.server.get(path, token=self.viewer), ("query", loc))
        for path in ["/devices/999999/events", "/devices/999999/history", "/devices/999999/uptime"]:
            self.assertError(self.server.get(path, token=self.viewer), 404, "Device not found")
        for path in [d + "/events", d + "/history", d + "/uptime", "/uptime/"]:
            self.assertError(self.server.get(path), 401, "Not authenticated")


class Restart(unittest.TestCase):
    """The history outlives the process: a clean stop records `unknown` (down
    time is not counted), and the rounds before it are still there after."""

    def test_history_survives_a_restart(self):
        with Server(args=FAST) as first:
            first.register("admin")
            token = first.token("admin")
            device = first.post("/devices/", {"name": "lo", "ip": "127.0.0.1"}, token=token).json()["id"]
            self.assertTrue(wait_for(lambda: first.get(f"/devices/{device}/events", token=token).json()))
            time.sleep(2.5)
            data_dir = first.data_dir
            first.own_dir = False
            self.addCleanup(shutil.rmtree, data_dir, True)
            self.assertEqual(first.stop(), 0)
        with Server(data_dir=data_dir, args=FAST) as second:
            token = second.token("admin")
            got = wait_for(lambda: len(second.get(f"/devices/{device}/events", token=token).json()) >= 3 and
                           second.get(f"/devices/{device}/events", token=token).json())
            self.assertEqual([(e["status"], e["previous"]) for e in got[:3]],
                             [("connected", "unknown"), ("unknown", "connected"), ("connected", "unknown")], got)
            h = second.get(f"/devices/{device}/history?step=1&from={rfc3339(time.time() - 120)}", token=token).json()
            self.assertGreaterEqual(sum(1 for p in h["points"] if p["up"] == 1), 2, h)


if __name__ == "__main__":
    unittest.main()
