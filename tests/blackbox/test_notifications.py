"""Notifications (contract: "Notifications"): notifiers, deliveries, the
outbox across a receiver that is down and across a SIGKILL, email through a
loopback SMTP sink (Debian's python3-aiosmtpd), one notification for a
gateway and the devices behind it, and maintenance windows that mute.

Devices vanish by leaving the test namespace's lo (127.0.0.66 answers only
while the test adds it); every receiver listens on 127.0.0.1."""
import datetime
import hashlib
import hmac
import http.server
import json
import signal
import socket
import subprocess
import threading
import time
import unittest

from harness import Server, ServerTestCase, wait_for

FAST = ("--probe-interval", "1", "--probe-timeout", "0.5", "--probe-spacing", "0.1",
        "--up-after", "1", "--down-after", "1", "--history-flush-interval", "1",
        "--notification-retry", "0.5")
GATEWAY = "127.0.0.66"
BEHIND = [f"127.0.0.{i}" for i in range(67, 72)]
SECRET = "webhook-secret"


def sh(*cmd):
    subprocess.run(cmd, check=True, capture_output=True)


def setUpModule():
    sh("sysctl", "-q", "-w", "net.ipv4.ping_group_range=0 2147483647")


def on_lo(present, ips=(GATEWAY,)):
    for ip in ips:
        subprocess.run(["ip", "addr", "add" if present else "del", f"{ip}/32", "dev", "lo"], capture_output=True)


def iso(seconds_from_now):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds_from_now)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Receiver:
    """A webhook receiver on 127.0.0.1 that records every request; it can be
    closed (connection refused) and opened again on the same port."""

    def __init__(self):
        self.port = free_port()
        self.received = []  # (headers, body bytes)
        self.lock = threading.Lock()
        self.server = None
        self.open()

    def open(self):
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        http.server.ThreadingHTTPServer.allow_reuse_address = True
        http.server.ThreadingHTTPServer.request_queue_size = 256  # the sender connects up to 64 at once
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/hook"

    def bodies(self):
        with self.lock:
            return [json.loads(body) for _, body in self.received]

    def events(self, kind):
        return [b for b in self.bodies() if b["event"] == kind]


class Notifiers(ServerTestCase):
    server_args = FAST

    def setUp(self):
        self.receiver = Receiver()
        self.addCleanup(self.receiver.close)

    def notifier(self, **fields):
        body = {"name": "ops", "type": "webhook", "url": self.receiver.url, "secret": SECRET, **fields}
        r = self.server.post("/notifiers/", body, token=self.admin)
        self.assertEqual(r.status, 201, r)
        self.addCleanup(self.server.delete, f"/notifiers/{r.json()['id']}", token=self.admin)
        return r.json()

    def device(self, ip=GATEWAY, **fields):
        r = self.server.post("/devices/", {"name": f"device {ip}", "ip": ip, **fields}, token=self.admin)
        self.assertEqual(r.status, 201, r)
        self.addCleanup(self.server.delete, f"/devices/{r.json()['id']}", token=self.admin)
        return r.json()

    def status(self, ip):
        return self.server.get("/device_status/?detail=true", token=self.viewer).json()[ip]["status"]

    def deliveries(self, notifier_id):
        r = self.server.get(f"/notifiers/{notifier_id}/deliveries", token=self.viewer)
        self.assertEqual(r.status, 200, r)
        return r.json()

    def flip(self, ips=(GATEWAY,)):
        """Up, then down, then up again; returns when each was seen."""
        on_lo(True, ips)
        self.assertTrue(wait_for(lambda: all(self.status(ip) == "connected" for ip in ips), deadline=20))
        on_lo(False, ips)
        self.assertTrue(wait_for(lambda: all(self.status(ip) == "disconnected" for ip in ips), deadline=20))

    def test_crud_and_validation(self):
        n = self.notifier(name="hook", format="slack", events=["down"])
        self.assertEqual({k: n[k] for k in ("name", "type", "url", "format", "to", "events", "room_id", "enabled",
                                            "has_secret")},
                         {"name": "hook", "type": "webhook", "url": self.receiver.url, "format": "slack", "to": [],
                          "events": ["down"], "room_id": None, "enabled": True, "has_secret": True})
        self.assertNotIn("secret", n)
        self.assertIn(n, self.server.get("/notifiers/", token=self.admin).json())
        listed = self.server.get("/notifiers/", token=self.viewer)
        self.assertEqual(listed.status, 200)
        # a webhook URL is often the credential (Slack, ntfy): viewers see its origin only
        redacted = {**n, "url": f"http://127.0.0.1:{self.receiver.port}/…"}
        self.assertIn(redacted, listed.json())
        self.assertNotIn(SECRET, listed.body)
        self.assertEqual(self.server.get(f"/notifiers/{n['id']}", token=self.viewer).json(), redacted)
        self.assertEqual(self.server.get(f"/notifiers/{n['id']}", token=self.admin).json(), n)
        # viewers list; only admins write
        self.assertError(self.server.post("/notifiers/", {"name": "x", "type": "webhook", "url": self.receiver.url},
                                          token=self.viewer), 403)
        self.assertError(self.server.post(f"/notifiers/{n['id']}/test", token=self.viewer), 403)
        self.assertError(self.server.delete(f"/notifiers/{n['id']}", token=self.viewer), 403)
        self.assertError(self.server.get("/notifiers/"), 401)

        post = lambda body: self.server.post("/notifiers/", body, token=self.admin)  # noqa: E731
        self.assertValidation(post({"type": "webhook", "url": self.receiver.url}), ("body", "name"))
        self.assertValidation(post({"name": "x", "type": "pager", "url": self.receiver.url}), ("body", "type"))
        self.assertValidation(post({"name": "x", "type": "webhook", "url": "ftp://127.0.0.1/x"}), ("body", "url"))
        self.assertValidation(post({"name": "x", "type": "webhook", "url": "not a url"}), ("body", "url"))
        self.assertValidation(post({"name": "x", "type": "webhook", "url": "h" * 3000}), ("body", "url"))
        self.assertValidation(post({"name": "x", "type": "webhook", "url": "http://127.0.0.1:99999/"}), ("body", "url"))
        self.assertValidation(post({"name": "x", "type": "webhook", "url": "http://a%0d%0ab/"}), ("body", "url"))
        self.assertValidation(post({"name": "x", "type": "webhook"}), ("body", "url"))
        self.assertValidation(post({"name": "x", "type": "webhook", "url": self.receiver.url, "format": "xml"}),
                              ("body", "format"))
        self.assertValidation(post({"name": "x", "type": "webhook", "url": self.receiver.url, "events": ["sideways"]}),
                              ("body", "events", 0))
        self.assertValidation(post({"name": "x", "type": "webhook", "url": self.receiver.url, "events": "down"}),
                              ("body", "events"))
        self.assertValidation(post({"name": "x", "type": "email"}), ("body", "to"))
        self.assertValidation(post({"name": "x", "type": "email", "to": ["ops@example.com", "a\r\nBcc: x@y.z"]}),
                              ("body", "to", 1))
        self.assertValidation(post({"name": "x", "type": "email", "to": ["a@b.c"] * 51}), ("body", "to"))
        self.assertValidation(post({"name": "x", "type": "webhook", "url": self.receiver.url, "enabled": "maybe"}),
                              ("body", "enabled"))
        self.assertValidation(self.server.post("/notifiers/", body="[", token=self.admin,
                                               content_type="application/json"), ("body", 1))
        self.assertError(post({"name": "x", "type": "webhook", "url": self.receiver.url, "room_id": 999999}),
                         404, "Room not found")

        # a partial update keeps the rest (the secret too); one that would leave it incomplete changes nothing
        r = self.server.put(f"/notifiers/{n['id']}", {"name": "renamed"}, token=self.admin)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), {**n, "name": "renamed"})
        self.assertValidation(self.server.put(f"/notifiers/{n['id']}", {"type": "email"}, token=self.admin),
                              ("body", "to"))
        self.assertEqual(self.server.get(f"/notifiers/{n['id']}", token=self.viewer).json()["type"], "webhook")
        r = self.server.put(f"/notifiers/{n['id']}", {"secret": None}, token=self.admin)
        self.assertFalse(r.json()["has_secret"])
        self.assertError(self.server.put("/notifiers/999999", {"name": "x"}, token=self.admin), 404,
                         "Notifier not found")
        self.assertError(self.server.post("/notifiers/999999/test", token=self.admin), 404, "Notifier not found")
        self.assertError(self.server.get("/notifiers/999999/deliveries", token=self.admin), 404, "Notifier not found")
        self.assertValidation(self.server.get(f"/notifiers/{n['id']}/deliveries?limit=0", token=self.admin),
                              ("query", "limit"))
        self.assertValidation(self.server.get(f"/notifiers/{n['id']}/deliveries?limit=1001", token=self.admin),
                              ("query", "limit"))
        self.assertEqual(self.server.delete(f"/notifiers/{n['id']}", token=self.admin).status, 204)
        self.assertError(self.server.delete(f"/notifiers/{n['id']}", token=self.admin), 404, "Notifier not found")

    def test_a_test_message_arrives_signed_and_is_logged_delivered(self):
        n = self.notifier()
        r = self.server.post(f"/notifiers/{n['id']}/test", token=self.admin)
        self.assertEqual(r.status, 202, r)
        self.assertTrue(wait_for(lambda: self.receiver.received, deadline=20))
        headers, body = self.receiver.received[0]
        self.assertEqual(headers["x-gatewatch-event"], "test")
        self.assertEqual(headers["x-gatewatch-signature"],
                         "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest())
        payload = json.loads(body)
        self.assertEqual(payload["event"], "test")
        self.assertEqual(str(payload["delivery_id"]), headers["x-gatewatch-delivery"])
        self.assertTrue(wait_for(lambda: self.deliveries(n["id"])[0]["status"] == "delivered"), self.deliveries(n["id"]))
        d = self.deliveries(n["id"])[0]
        self.assertEqual((d["id"], d["attempts"], d["last_error"], d["device_id"]), (payload["delivery_id"], 1, None, None))
        self.assertEqual(d["event"], payload)

    def test_a_flip_sends_one_down_and_one_up_signed(self):
        n = self.notifier()
        device = self.device()
        try:
            self.flip()
            on_lo(True)
            self.assertTrue(wait_for(lambda: self.receiver.events("device.up"), deadline=20), self.receiver.bodies())
        finally:
            on_lo(False)
        self.assertTrue(wait_for(lambda: self.status(GATEWAY) == "disconnected", deadline=20))
        self.assertTrue(wait_for(lambda: len(self.receiver.events("device.down")) == 2, deadline=20))
        # unknown -> connected sent nothing; each crossing sent exactly one
        kinds = [b["event"] for b in self.receiver.bodies()]
        self.assertEqual(kinds, ["device.down", "device.up", "device.down"], kinds)
        for headers, body in self.receiver.received:
            self.assertEqual(headers["x-gatewatch-signature"],
                             "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest())
            self.assertEqual(headers["content-type"], "application/json")
        down = self.receiver.events("device.down")[0]
        self.assertEqual(down["device"], device)
        self.assertEqual((down["status"], down["previous"], down["unreachable_children"]),
                         ("disconnected", "connected", 0))
        self.assertEqual(down["since"], down["at"])
        up = self.receiver.events("device.up")[0]
        self.assertEqual((up["status"], up["previous"]), ("connected", "disconnected"))
        self.assertIsInstance(up["rtt_ms"], (int, float))
        self.assertEqual(len({b["delivery_id"] for b in self.receiver.bodies()}), 3)
        self.assertTrue(wait_for(lambda: [d["status"] for d in self.deliveries(n["id"])] == ["delivered"] * 3))

    def test_events_and_rooms_choose_the_notifiers(self):
        room = self.server.post("/rooms/", {"name": "elsewhere"}, token=self.admin).json()
        self.addCleanup(self.server.delete, f"/rooms/{room['id']}", token=self.admin)
        only_up = self.notifier(events=["up"])
        other_room = self.notifier(room_id=room["id"])
        disabled = self.notifier(enabled=False)
        self.device()
        try:
            self.flip()
            on_lo(True)
            self.assertTrue(wait_for(lambda: self.receiver.events("device.up"), deadline=20))
            time.sleep(2)  # anything else would have come by now
        finally:
            on_lo(False)
        self.assertEqual([b["event"] for b in self.receiver.bodies()], ["device.up"])
        self.assertEqual(len(self.deliveries(only_up["id"])), 1)
        self.assertEqual(self.deliveries(other_room["id"]), [])
        self.assertEqual(self.deliveries(disabled["id"]), [])

    def test_a_receiver_that_was_down_gets_each_delivery_once(self):
        self.receiver.close()
        n = self.notifier()
        self.device()
        try:
            self.flip()
            self.assertEqual(self.server.post(f"/notifiers/{n['id']}/test", token=self.admin).status, 202)
            self.assertTrue(wait_for(lambda: len(self.deliveries(n["id"])) == 2 and
                                     all(d["attempts"] >= 2 for d in self.deliveries(n["id"])), deadline=30),
                            self.deliveries(n["id"]))
            pending = self.deliveries(n["id"])
            self.assertTrue(all(d["status"] == "pending" and d["last_error"] and d["next_attempt"] for d in pending),
                            pending)
            self.receiver.open()
            self.assertTrue(wait_for(lambda: all(d["status"] == "delivered" for d in self.deliveries(n["id"])),
                                     deadline=30), self.deliveries(n["id"]))
            time.sleep(2)
        finally:
            on_lo(False)
        ids = [b["delivery_id"] for b in self.receiver.bodies()]
        self.assertEqual(sorted(ids), sorted(d["id"] for d in self.deliveries(n["id"])))  # each once
        self.assertEqual(sorted(b["event"] for b in self.receiver.bodies()), ["device.down", "test"])

    def test_one_notification_for_a_gateway_and_the_devices_behind_it(self):
        n = self.notifier()
        gateway = self.device()
        behind = [self.device(ip, parent_id=gateway["id"]) for ip in BEHIND]
        everything = [GATEWAY, *BEHIND]
        try:
            self.flip(everything)
            self.assertTrue(wait_for(lambda: self.receiver.events("device.down"), deadline=20))
            time.sleep(3)  # the devices behind it would have been sent by now
            downs = self.receiver.events("device.down")
            self.assertEqual(len(downs), 1, self.receiver.bodies())
            self.assertEqual(downs[0]["device"]["id"], gateway["id"])
            self.assertEqual(downs[0]["unreachable_children"], 5)
            detail = self.server.get("/device_status/?detail=true", token=self.viewer).json()
            self.assertTrue(all(detail[ip]["unreachable_via"] == gateway["id"] for ip in BEHIND), detail)
            for d in behind:  # each one's own change is recorded, not sent
                events = self.server.get(f"/devices/{d['id']}/events", token=self.viewer).json()
                self.assertEqual((events[0]["status"], events[0]["unreachable_via"]), ("disconnected", gateway["id"]))
            on_lo(True, everything)
            self.assertTrue(wait_for(lambda: self.receiver.events("device.up"), deadline=20))
            time.sleep(3)
            self.assertEqual([b["device"]["id"] for b in self.receiver.events("device.up")], [gateway["id"]])
        finally:
            on_lo(False, everything)
        self.assertEqual(len(self.deliveries(n["id"])), 2)

    def test_a_maintenance_window_mutes(self):
        device = self.device()
        window = {"name": "firmware", "start": iso(-60), "end": iso(3600), "device_ids": [device["id"]]}
        r = self.server.post("/maintenance/", window, token=self.admin)
        self.assertEqual(r.status, 201, r)
        w = r.json()
        self.assertEqual((w["name"], w["device_ids"], w["room_id"], w["active"]), ("firmware", [device["id"]], None, True))
        self.assertIn(w, self.server.get("/maintenance/", token=self.viewer).json())
        n = self.notifier()
        try:
            self.flip()
            events = lambda: self.server.get(f"/devices/{device['id']}/events", token=self.viewer).json()  # noqa: E731
            self.assertTrue(wait_for(lambda: events() and events()[0]["status"] == "disconnected"), events())
            self.assertTrue(events()[0]["muted"], events())
            time.sleep(2)
            self.assertEqual(self.receiver.bodies(), [])
            self.assertEqual(self.deliveries(n["id"]), [])
            # the window ends (deleted): the next change is sent
            self.assertEqual(self.server.delete(f"/maintenance/{w['id']}", token=self.admin).status, 204)
            self.assertError(self.server.delete(f"/maintenance/{w['id']}", token=self.admin), 404,
                             "Maintenance window not found")
            on_lo(True)
            self.assertTrue(wait_for(lambda: self.status(GATEWAY) == "connected", deadline=20))
            on_lo(False)
            self.assertTrue(wait_for(lambda: self.receiver.events("device.down"), deadline=20), self.receiver.bodies())
            self.assertFalse(events()[0]["muted"])
            # the up after a muted down was not sent: no up without its down
            self.assertEqual(self.receiver.events("device.up"), [])
        finally:
            on_lo(False)

    def test_maintenance_validation(self):
        post = lambda body: self.server.post("/maintenance/", body, token=self.admin)  # noqa: E731
        self.assertValidation(post({"start": iso(0), "end": iso(60)}), ("body", "name"))
        self.assertValidation(post({"name": "x", "start": "yesterday", "end": iso(60)}), ("body", "start"))
        self.assertValidation(post({"name": "x", "start": iso(60), "end": iso(0)}), ("body", "end"))
        self.assertValidation(post({"name": "x", "start": iso(0), "end": iso(60), "device_ids": [1.5]}),
                              ("body", "device_ids", 0))
        self.assertValidation(post({"name": "x", "start": iso(0), "end": iso(60), "device_ids": list(range(10001))}),
                              ("body", "device_ids"))
        self.assertError(post({"name": "x", "start": iso(0), "end": iso(60), "device_ids": [999999]}), 404,
                         "Device not found")
        self.assertError(post({"name": "x", "start": iso(0), "end": iso(60), "room_id": 999999}), 404,
                         "Room not found")
        self.assertError(self.server.post("/maintenance/", {"name": "x", "start": iso(0), "end": iso(60)},
                                          token=self.viewer), 403)


class Receivers(ServerTestCase):
    """Receivers that misbehave: one that answers 200 and then never ends its
    body, one that never answers at all."""
    server_args = FAST

    def hanging_server(self, status_line):
        """Accepts, optionally sends `status_line` and headers, then holds the connection."""
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        held = []
        requests = []

        def serve():
            while True:
                try:
                    conn, _ = listener.accept()
                except OSError:
                    return
                held.append(conn)
                conn.settimeout(5)
                try:
                    requests.append(conn.recv(65536))
                    if status_line:
                        conn.sendall(status_line + b"\r\nContent-Length: 1000000\r\n\r\nstarted...")
                except OSError:
                    pass

        threading.Thread(target=serve, daemon=True).start()

        def close():
            listener.close()
            for c in held:
                c.close()
        self.addCleanup(close)
        return f"http://127.0.0.1:{listener.getsockname()[1]}/hook", requests

    def notifier(self, url):
        r = self.server.post("/notifiers/", {"name": "r", "type": "webhook", "url": url}, token=self.admin)
        self.assertEqual(r.status, 201, r)
        self.addCleanup(self.server.delete, f"/notifiers/{r.json()['id']}", token=self.admin)
        return r.json()

    def deliveries(self, n):
        return self.server.get(f"/notifiers/{n['id']}/deliveries", token=self.admin).json()

    def test_a_2xx_is_delivered_whatever_the_body_does_after(self):
        url, requests = self.hanging_server(b"HTTP/1.1 200 OK")
        n = self.notifier(url)
        self.assertEqual(self.server.post(f"/notifiers/{n['id']}/test", token=self.admin).status, 202)
        self.assertTrue(wait_for(lambda: self.deliveries(n) and self.deliveries(n)[0]["status"] == "delivered",
                                 deadline=30), self.deliveries(n))
        time.sleep(3)  # retries would be 0.5 s apart
        self.assertEqual(len(requests), 1)
        self.assertEqual(self.deliveries(n)[0]["attempts"], 1)

    def test_a_receiver_that_never_answers_does_not_hold_up_the_others(self):
        url, _ = self.hanging_server(None)
        stuck = self.notifier(url)
        for _ in range(30):
            self.server.post(f"/notifiers/{stuck['id']}/test", token=self.admin)
        receiver = Receiver()
        self.addCleanup(receiver.close)
        healthy = self.notifier(receiver.url)
        started = time.monotonic()
        self.assertEqual(self.server.post(f"/notifiers/{healthy['id']}/test", token=self.admin).status, 202)
        self.assertTrue(wait_for(lambda: receiver.received, deadline=30))
        # the stuck receiver's transfers time out after 10 s; the healthy one is not behind them
        self.assertLess(time.monotonic() - started, 8)


class Restart(unittest.TestCase):
    def test_deliveries_pending_at_a_sigkill_arrive_once_after_the_restart(self):
        receiver = Receiver()
        receiver.close()
        server = Server(args=FAST).start()
        try:
            self.assertEqual(server.register("admin").status, 201)
            admin = server.token("admin")
            n = server.post("/notifiers/", {"name": "ops", "type": "webhook", "url": receiver.url},
                            token=admin).json()
            for _ in range(3):
                self.assertEqual(server.post(f"/notifiers/{n['id']}/test", token=admin).status, 202)
            deliveries = lambda: server.get(f"/notifiers/{n['id']}/deliveries", token=admin).json()  # noqa: E731
            self.assertTrue(wait_for(lambda: len(deliveries()) == 3 and all(d["attempts"] >= 1 for d in deliveries())),
                            deliveries())
            server.process.send_signal(signal.SIGKILL)
            server.wait()
            receiver.open()
            restarted = Server(data_dir=server.data_dir, args=FAST).start()
            try:
                self.assertTrue(wait_for(lambda: len(receiver.received) >= 3, deadline=30), receiver.bodies())
                d = lambda: restarted.get(f"/notifiers/{n['id']}/deliveries", token=admin).json()  # noqa: E731
                self.assertTrue(wait_for(lambda: all(x["status"] == "delivered" for x in d())), d())
                time.sleep(2)
                self.assertEqual(sorted(b["delivery_id"] for b in receiver.bodies()), sorted(x["id"] for x in d()))
            finally:
                restarted.stop()
        finally:
            server.cleanup()
            receiver.close()


class Email(unittest.TestCase):
    def test_email_through_a_loopback_smtp_sink(self):
        from aiosmtpd.controller import Controller

        class Sink:
            def __init__(self):
                self.messages = []

            async def handle_DATA(self, server, session, envelope):
                self.messages.append(envelope)
                return "250 OK"

        sink = Sink()
        port = free_port()
        controller = Controller(sink, hostname="127.0.0.1", port=port)
        controller.start()
        args = (*FAST, "--smtp-host", "127.0.0.1", "--smtp-port", str(port), "--smtp-starttls", "false",
                "--smtp-from", "gatewatch@example.com")
        try:
            with Server(args=args) as server:
                self.assertEqual(server.register("admin").status, 201)
                admin = server.token("admin")
                r = server.post("/notifiers/", {"name": "mail", "type": "email",
                                                "to": ["ops@example.com", "oncall@example.com"]}, token=admin)
                self.assertEqual(r.status, 201, r)
                n = r.json()
                self.assertEqual((n["to"], n["url"], n["format"]), (["ops@example.com", "oncall@example.com"], None, None))
                device = server.post("/devices/", {"name": "gateway ü", "ip": GATEWAY}, token=admin).json()
                self.assertEqual(server.post(f"/notifiers/{n['id']}/test", token=admin).status, 202)
                self.assertTrue(wait_for(lambda: sink.messages, deadline=20))
                test = sink.messages[0]
                self.assertEqual(test.mail_from, "gatewatch@example.com")
                self.assertEqual(sorted(test.rcpt_tos), ["oncall@example.com", "ops@example.com"])
                self.assertIn(b"Subject: [gatewatch] Test message", test.content)
                try:
                    on_lo(True)
                    self.assertTrue(wait_for(lambda: server.get("/device_status/", token=admin).json()[GATEWAY] ==
                                             "connected", deadline=20))
                finally:
                    on_lo(False)
                self.assertTrue(wait_for(lambda: len(sink.messages) == 2, deadline=20))
                down = sink.messages[1].content.decode()
                self.assertIn("Subject: =?UTF-8?B?", down)  # the name is not ASCII
                self.assertIn(f"gateway ü ({GATEWAY}) is down", down)
                d = server.get(f"/notifiers/{n['id']}/deliveries", token=admin).json()
                self.assertTrue(wait_for(lambda: [x["status"] for x in server.get(
                    f"/notifiers/{n['id']}/deliveries", token=admin).json()] == ["delivered", "delivered"]), d)
                self.assertEqual(device["ip"], GATEWAY)
        finally:
            controller.stop()

    def test_email_without_an_smtp_server_fails_with_a_clear_error(self):
        with Server(args=FAST) as server:
            self.assertEqual(server.register("admin").status, 201)
            admin = server.token("admin")
            n = server.post("/notifiers/", {"name": "mail", "type": "email", "to": ["ops@example.com"]},
                            token=admin).json()
            self.assertEqual(server.post(f"/notifiers/{n['id']}/test", token=admin).status, 202)
            d = lambda: server.get(f"/notifiers/{n['id']}/deliveries", token=admin).json()  # noqa: E731
            self.assertTrue(wait_for(lambda: d()[0]["status"] == "failed"), d())
            self.assertIn("smtp_host", d()[0]["last_error"])


if __name__ == "__main__":
    unittest.main()
