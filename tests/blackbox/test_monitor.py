"""The monitor with real ICMP, inside the test's own network namespace (in_netns.sh):
lo holds only 127.0.0.1/32 and ::1, so 127.0.0.66 does not answer until a test
adds it to lo; 127.0.0.77 is on lo but an nftables rule drops the echo
requests sent to it, so its probes time out."""
import socket
import subprocess
import time
import unittest

from harness import Server, ServerTestCase, forge_token, session_token, wait_for
from wsclient import Closed, WebSocket

FAST = ("--probe-interval", "1", "--probe-timeout", "0.5", "--probe-spacing", "0.1",
        "--up-after", "1", "--down-after", "1", "--push-interval", "1")
SILENT = "127.0.0.77"
GONE = "127.0.0.66"


def sh(*cmd):
    subprocess.run(cmd, check=True, capture_output=True)


def setUpModule():
    # Datagram ICMP sockets for root's group, in this namespace only.
    sh("sysctl", "-q", "-w", "net.ipv4.ping_group_range=0 2147483647")
    sh("ip", "addr", "add", f"{SILENT}/32", "dev", "lo")
    sh("nft", "add", "table", "inet", "gwtest")
    sh("nft", "add", "chain", "inet", "gwtest", "out", "{ type filter hook output priority 0; }")
    sh("nft", "add", "rule", "inet", "gwtest", "out", "ip", "daddr", SILENT, "icmp", "type", "echo-request", "drop")


def statuses(server, token):
    return server.get("/device_status/", token=token).json()


def add_devices(test, server, token, *ips, **extra):
    """Creates a device per ip; on the class's shared server each is deleted again when the test ends."""
    ids = {}
    for ip in ips:
        r = server.post("/devices/", {"name": f"dev {ip}", "ip": ip, **extra}, token=token)
        test.assertEqual(r.status, 201, r)
        ids[ip] = r.json()["id"]
        if server is getattr(test, "server", None):
            test.addCleanup(server.delete, f"/devices/{ids[ip]}", token=token)
    return ids


class ProbeMethods(unittest.TestCase):
    """Each method tells reachable, unreachable and silent targets apart."""

    def check_method(self, method):
        with Server(args=[*FAST, "--probe-method", method]) as s:
            s.register("admin")
            token = s.token("admin")
            ids = add_devices(self, s, token, "127.0.0.1", "::1", GONE, SILENT)
            expected = {"127.0.0.1": "connected", "::1": "connected", GONE: "disconnected", SILENT: "disconnected"}
            got = wait_for(lambda: statuses(s, token) == expected and statuses(s, token), deadline=30)
            self.assertEqual(got, expected, statuses(s, token))
            self.assertTrue(any(f"probing with {method}" in line for line in s.log), "".join(s.log))
            up = s.get(f"/devices/{ids['127.0.0.1']}/status", token=token).json()
            self.assertEqual((up["status"], up["loss"]), ("connected", 0))
            self.assertGreater(up["rtt_ms"], 0)
            self.assertTrue(up["since"].endswith("Z") and up["last_probe"].endswith("Z"), up)
            down = s.get(f"/devices/{ids[SILENT]}/status", token=token).json()
            self.assertEqual((down["status"], down["rtt_ms"], down["loss"]), ("disconnected", None, 1))

    def test_datagram_socket(self):
        self.check_method("datagram")

    def test_raw_socket(self):
        self.check_method("raw")

    def test_system_ping(self):
        self.check_method("ping")

    def test_a_forced_method_that_is_unavailable_stops_the_start(self):
        # Without datagram permission for our group, a forced datagram method must refuse to start.
        sh("sysctl", "-q", "-w", "net.ipv4.ping_group_range=1 0")
        try:
            s = Server(args=["--probe-method", "datagram"])
            with self.assertRaises(RuntimeError) as raised:
                s.start()
            s.cleanup()
            self.assertIn("ping_group_range", str(raised.exception))
        finally:
            sh("sysctl", "-q", "-w", "net.ipv4.ping_group_range=0 2147483647")


class LiveStatus(ServerTestCase):
    server_args = FAST

    def test_socket_sees_a_device_go_up_and_down(self):
        ids = add_devices(self, self.server, self.admin, "127.0.0.1", GONE)
        ws = WebSocket(self.server.port, query_token=self.viewer)
        try:
            self.assertEqual(ws.status, 101)
            first = ws.recv_json()
            self.assertIsInstance(first, dict)
            ws.wait_for(lambda m: m.get(GONE) == "disconnected" and m.get("127.0.0.1") == "connected")
            sh("ip", "addr", "add", f"{GONE}/32", "dev", "lo")
            try:
                ws.wait_for(lambda m: m.get(GONE) == "connected")
            finally:
                sh("ip", "addr", "del", f"{GONE}/32", "dev", "lo")
            ws.wait_for(lambda m: m.get(GONE) == "disconnected")
            detail = self.server.get(f"/devices/{ids[GONE]}/status", token=self.viewer).json()
            self.assertEqual(detail["status"], "disconnected")
        finally:
            ws.close()

    def test_devices_join_and_leave_without_a_restart(self):
        ws = WebSocket(self.server.port, token=self.viewer)  # the header works too
        try:
            ip = "::1"
            device = add_devices(self, self.server, self.admin, ip)[ip]
            ws.wait_for(lambda m: m.get(ip) == "connected")
            self.server.put(f"/devices/{device}", {"monitored": False}, token=self.admin)
            ws.wait_for(lambda m: ip not in m)
            self.server.put(f"/devices/{device}", {"monitored": True}, token=self.admin)
            ws.wait_for(lambda m: m.get(ip) in ("unknown", "connected"))
            self.assertEqual(self.server.delete(f"/devices/{device}", token=self.admin).status, 204)  # while probed
            ws.wait_for(lambda m: ip not in m)
            self.assertEqual(self.server.get(f"/devices/{device}/status", token=self.viewer).status, 404)
        finally:
            ws.close()

    def test_a_created_device_is_listed_at_once(self):
        # Read your writes: the 201 means GET /device_status/ lists it (unknown
        # until its first round), and every socket hears of it.
        ws = WebSocket(self.server.port, query_token=self.viewer)
        try:
            ws.recv_json()
            for i in range(20):
                ip = f"127.0.5.{i}"
                r = self.server.post("/devices/", {"name": f"ryw {i}", "ip": ip}, token=self.admin)
                self.assertEqual(r.status, 201, r)
                self.addCleanup(self.server.delete, f"/devices/{r.json()['id']}", token=self.admin)
                self.assertIn(ip, statuses(self.server, self.viewer), f"device {i} not listed right after its 201")
            ws.wait_for(lambda m: all(f"127.0.5.{i}" in m for i in range(20)), timeout=10)
            r = self.server.put(f"/devices/{r.json()['id']}", {"monitored": False}, token=self.admin)
            self.assertNotIn("127.0.5.19", statuses(self.server, self.viewer))
        finally:
            ws.close()

    def test_deltas_carry_a_snapshot_then_only_what_changed(self):
        ids = add_devices(self, self.server, self.admin, "127.0.0.1", GONE)
        ws = WebSocket(self.server.port, path="/ws/status/?detail=true&delta=true", query_token=self.viewer)
        try:
            first = ws.recv_json()
            self.assertEqual(set(first), {"snapshot"})
            self.assertIn("127.0.0.1", first["snapshot"])
            self.assertEqual(first["snapshot"]["127.0.0.1"]["device_id"], ids["127.0.0.1"])
            # Heartbeats are {} and changes name only what changed.
            view = dict(first["snapshot"])
            def apply(message):
                if "snapshot" in message:
                    view.clear()
                    view.update(message["snapshot"])
                view.update(message.get("changed", {}))
                for ip in message.get("removed", []):
                    view.pop(ip, None)
                return message
            ws.wait_for(lambda m: apply(m) == {} and view.get(GONE, {}).get("status") == "disconnected"
                        and view["127.0.0.1"]["status"] == "connected", timeout=30)
            sh("ip", "addr", "add", f"{GONE}/32", "dev", "lo")
            try:
                changed = ws.wait_for(lambda m: apply(m).get("changed", {}).get(GONE, {}).get("status") == "connected")
                self.assertNotIn("snapshot", changed)
            finally:
                sh("ip", "addr", "del", f"{GONE}/32", "dev", "lo")
            self.assertEqual(self.server.delete(f"/devices/{ids[GONE]}", token=self.admin).status, 204)
            gone = ws.wait_for(lambda m: GONE in apply(m).get("removed", []))
            self.assertNotIn(GONE, gone.get("changed", {}))
            self.assertEqual(view.keys(), statuses(self.server, self.viewer).keys())
        finally:
            ws.close()

    def test_heartbeat_without_changes(self):
        ws = WebSocket(self.server.port, query_token=self.viewer)
        try:
            ws.recv_json()
            ws.recv_json(timeout=10)  # push interval is 1 s here: another message comes without any change
            ws.recv_json(timeout=10)
        finally:
            ws.close()

    def test_tcp_check(self):
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        closed = socket.socket()
        closed.bind(("127.0.0.1", 0))
        closed_port = closed.getsockname()[1]
        closed.close()
        try:
            up = self.server.post("/devices/", {"name": "web", "ip": "127.0.0.2",
                                                "check": {"type": "tcp", "port": listener.getsockname()[1]}},
                                  token=self.admin)
            self.assertEqual(up.status, 201, up)
            # 127.0.0.2 is not on lo here, so connect to it fails; use the listener's own address instead
            self.server.put(f"/devices/{up.json()['id']}", {"ip": "127.0.0.1"}, token=self.admin)
            down = self.server.post("/devices/", {"name": "closed", "ip": "127.0.0.3",
                                                  "check": {"type": "tcp", "port": closed_port}}, token=self.admin)
            sh("ip", "addr", "add", "127.0.0.3/32", "dev", "lo")
            try:
                got = wait_for(lambda: statuses(self.server, self.viewer).get("127.0.0.3") == "disconnected"
                               and statuses(self.server, self.viewer).get("127.0.0.1") == "connected", deadline=30)
                self.assertTrue(got, statuses(self.server, self.viewer))
            finally:
                sh("ip", "addr", "del", "127.0.0.3/32", "dev", "lo")
                for d in (up, down):
                    self.server.delete(f"/devices/{d.json()['id']}", token=self.admin)
        finally:
            listener.close()

    def test_status_rows_of_the_contract(self):
        device = add_devices(self, self.server, self.admin, "127.0.0.1")["127.0.0.1"]
        self.assertEqual(self.server.get("/device_status").status, 401)
        self.assertEqual(self.server.get(f"/devices/{device}/status").status, 401)
        self.assertEqual(self.server.get("/devices/abc/status", token=self.viewer).status, 422)
        self.assertEqual(self.server.get("/devices/999999/status", token=self.viewer).detail, "Device not found")
        unmonitored = add_devices(self, self.server, self.admin, "127.0.0.9", monitored=False)["127.0.0.9"]
        r = self.server.get(f"/devices/{unmonitored}/status", token=self.viewer).json()
        self.assertEqual((r["status"], r["rtt_ms"], r["since"]), ("unknown", None, None))
        self.assertNotIn("127.0.0.9", statuses(self.server, self.viewer))
        self.assertEqual(set(self.server.get(f"/devices/{device}/status", token=self.viewer).json()),
                         {"device_id", "ip", "status", "rtt_ms", "loss", "since", "last_probe", "unreachable_via",
                          "locations"})
        # One node: its location's view, once it probed the device.
        self.assertTrue(wait_for(lambda: self.server.get(f"/devices/{device}/status", token=self.viewer).json()
                                 ["locations"].get("default", {}).get("status") == "connected"))
        view = self.server.get(f"/devices/{device}/status", token=self.viewer).json()["locations"]["default"]
        self.assertEqual(set(view), {"status", "rtt_ms", "loss", "node"})
        self.assertTrue(view["node"])
        self.assertEqual(self.server.get("/ws/status/", token=self.viewer).status, 426)

    def test_socket_refuses_bad_tokens(self):
        for kwargs in ({}, {"query_token": "garbage"}, {"token": "garbage"},
                       {"query_token": forge_token({"sub": "viewer", "exp": int(time.time()) + 60}, alg="none")},
                       {"query_token": forge_token({"sub": "viewer", "exp": int(time.time()) - 1})}):
            ws = WebSocket(self.server.port, **kwargs)
            self.assertEqual(ws.status, 401, kwargs)
            ws.close()
        self.assertTrue(self.server.alive())

    def test_socket_closes_1008_when_the_token_expires(self):
        uid = self.server.get("/users/me", token=self.viewer).json()["id"]
        token = session_token("viewer", uid, seconds=3)
        ws = WebSocket(self.server.port, query_token=token)
        try:
            self.assertEqual(ws.status, 101)
            with self.assertRaises(Closed) as closed:
                while True:
                    ws.recv_json(timeout=30)
            self.assertEqual(closed.exception.code, 1008)
        finally:
            ws.close()


if __name__ == "__main__":
    unittest.main()
