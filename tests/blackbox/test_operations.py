"""Operations (contract: "Operations"): /healthz, /readyz and /metrics. The
metrics are parsed by promtool (Debian's prometheus package) and followed
through a flip of 127.0.0.66, which answers only while the test adds it to
the namespace's lo."""
import re
import subprocess
import unittest

from harness import Server, ServerTestCase, wait_for

FAST = ("--probe-interval", "1", "--probe-timeout", "0.5", "--probe-spacing", "0.1",
        "--up-after", "1", "--down-after", "1")
GATEWAY = "127.0.0.66"
PROMTOOL = "/usr/bin/promtool"


def setUpModule():
    subprocess.run(["sysctl", "-q", "-w", "net.ipv4.ping_group_range=0 2147483647"], check=True)


def on_lo(present):
    subprocess.run(["ip", "addr", "add" if present else "del", f"{GATEWAY}/32", "dev", "lo"], capture_output=True)


def samples(text, name):
    """{labels text: value} of one metric."""
    out = {}
    for line in text.splitlines():
        m = re.match(rf"^{re.escape(name)}(\{{[^}}]*\}})? (\S+)$", line)
        if m:
            out[m.group(1) or ""] = float(m.group(2))
    return out


class Operations(ServerTestCase):
    server_args = FAST

    def metrics(self):
        r = self.server.get("/metrics", token=self.admin)
        self.assertEqual(r.status, 200, r)
        return r

    def test_health_and_readiness(self):
        r = self.server.get("/healthz")
        self.assertEqual((r.status, r.json()), (200, {"status": "ok"}))
        r = self.server.get("/readyz")
        self.assertEqual(r.status, 200, r)
        body = r.json()
        self.assertEqual((body["status"], body["store"], body["monitor"]), ("ok", "ok", "running"))
        self.assertIn(body["probe_method"], ("datagram", "raw", "ping"))

    def test_metrics_need_an_admin(self):
        self.assertError(self.server.get("/metrics"), 401, "Not authenticated")
        self.assertEqual(self.server.get("/metrics").header("www-authenticate"), "Bearer")
        self.assertError(self.server.get("/metrics", token=self.viewer), 403)
        self.assertError(self.server.get("/metrics", token="not-a-token"), 401)
        r = self.metrics()
        self.assertEqual(r.header("content-type"), "text/plain; version=0.0.4; charset=utf-8")

    def test_promtool_accepts_them_and_they_follow_a_flip(self):
        room = self.server.post("/rooms/", {"name": 'lab "north"\\2'}, token=self.admin).json()
        self.addCleanup(self.server.delete, f"/rooms/{room['id']}", token=self.admin)
        device = self.server.post("/devices/", {"name": "gate\nway", "ip": GATEWAY, "room_id": room["id"]},
                                  token=self.admin).json()
        self.addCleanup(self.server.delete, f"/devices/{device['id']}", token=self.admin)
        labels = (f'{{device_id="{device["id"]}",name="gate\\nway",ip="{GATEWAY}",room="lab \\"north\\"\\\\2"}}')
        self.assertNotIn(labels, samples(self.metrics().body, "gatewatch_device_up"))  # absent while unknown
        try:
            on_lo(True)
            self.assertTrue(wait_for(lambda: samples(self.metrics().body, "gatewatch_device_up").get(labels) == 1,
                                     deadline=20), self.metrics().body[:3000])
            body = self.metrics().body
            self.assertGreater(samples(body, "gatewatch_device_rtt_seconds")[labels], 0)
            self.assertLess(samples(body, "gatewatch_device_loss_ratio")[labels], 1)  # it answered
        finally:
            on_lo(False)
        self.assertTrue(wait_for(lambda: samples(self.metrics().body, "gatewatch_device_up").get(labels) == 0,
                                 deadline=20))
        body = self.metrics().body
        self.assertNotIn(labels, samples(body, "gatewatch_device_rtt_seconds"))
        self.assertEqual(samples(body, "gatewatch_device_loss_ratio")[labels], 1)
        probes = samples(body, "gatewatch_probes_total")
        self.assertTrue(any('result="answered"' in k and v > 0 for k, v in probes.items()), probes)
        self.assertTrue(any('result="lost"' in k and v > 0 for k, v in probes.items()), probes)
        requests = samples(body, "gatewatch_http_requests_total")
        self.assertGreater(requests.get('{route="/metrics",code="200"}', 0), 2, requests)
        self.assertGreater(requests.get('{route="/devices",code="201"}', 0), 0, requests)
        self.assertIn('{route="/metrics",le="+Inf"}', samples(body, "gatewatch_http_request_duration_seconds_bucket"))
        self.assertEqual(list(samples(body, "gatewatch_build_info").values()), [1])
        self.assertGreater(samples(body, "process_resident_memory_bytes")[""], 1e6)
        self.assertGreater(samples(body, "process_open_fds")[""], 3)
        self.assertGreater(samples(body, "process_start_time_seconds")[""], 1.7e9)
        check = subprocess.run([PROMTOOL, "check", "metrics"], input=body, capture_output=True, text=True)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)
        # a renamed room relabels its devices; a deleted device leaves
        self.server.put(f"/rooms/{room['id']}", {"name": "south"}, token=self.admin)
        self.assertIn('room="south"', self.metrics().body)
        self.server.delete(f"/devices/{device['id']}", token=self.admin)
        self.assertNotIn(f'device_id="{device["id"]}"', self.metrics().body)

    def test_websocket_clients_are_counted(self):
        from wsclient import WebSocket
        ws = WebSocket(self.server.port, query_token=self.viewer)
        try:
            ws.recv_json()
            self.assertEqual(samples(self.metrics().body, "gatewatch_websocket_clients")[""], 1)
        finally:
            ws.close()
        self.assertTrue(wait_for(lambda: samples(self.metrics().body, "gatewatch_websocket_clients")[""] == 0))


class JsonLogs(unittest.TestCase):
    def test_every_line_is_one_json_object(self):
        import json
        with Server(args=("--log-format", "json")) as s:
            s.get('/rooms/?name="quoted"\\')  # a path with quotes and a backslash reaches the access log
            s.register("admin")
        lines = [line for line in s.log if line.strip()]
        self.assertGreater(len(lines), 3)
        for line in lines:
            entry = json.loads(line)
            self.assertEqual(set(entry), {"time", "level", "message"}, line)
            self.assertRegex(entry["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        self.assertTrue(any("listening on http://" in json.loads(line)["message"] for line in lines))

    def test_an_unknown_format_is_a_configuration_error(self):
        r = subprocess.run([__import__("harness").BINARY, "serve", "--log-format", "xml"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("log_format", r.stderr)


class PublicMetrics(unittest.TestCase):
    def test_metrics_public_needs_no_token(self):
        with Server(args=("--metrics-public", "true")) as s:
            r = s.get("/metrics")
            self.assertEqual(r.status, 200, r)
            self.assertIn("gatewatch_build_info", r.body)


if __name__ == "__main__":
    unittest.main()
