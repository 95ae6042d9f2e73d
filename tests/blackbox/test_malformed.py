"""Malformed input: each gets its documented error and the server goes on serving."""
import socket
import time
import unittest

from harness import ServerTestCase, wait_for


def raw_exchange(port, data, read_timeout=10.0):
    """Sends raw bytes and returns everything the server answers until it closes or goes quiet."""
    with socket.create_connection(("127.0.0.1", port), timeout=read_timeout) as sock:
        sock.sendall(data)
        chunks = []
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        except socket.timeout:
            pass
        return b"".join(chunks)


class Malformed(ServerTestCase):
    server_args = ("--request-timeout", "2")

    def tearDown(self):
        self.assertTrue(self.server.alive(), "the server stopped serving")

    def post_raw(self, body, path="/rooms/"):
        return self.server.request("POST", path, body=body, token=self.admin,
                                   headers={"Content-Type": "application/json"})

    def test_bad_json(self):
        for body in [b"{", b"{'name': 'x'}", b"name=x", b"{\"name\": \"x\",}", b"{\"name\": \"x\"} trailing",
                     b"[" * 10000 + b"]" * 10000, b"\x00\x01\x02"]:
            r = self.post_raw(body)
            self.assertEqual(r.status, 422, (body[:40], r))
            self.assertEqual(r.json()["detail"][0]["type"], "json_invalid", r)

    def test_invalid_utf8(self):
        r = self.post_raw(b'{"name": "\xff\xfe"}')
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.json()["detail"][0]["type"], "json_invalid")

    def test_not_an_object_and_empty(self):
        for body in [b"[]", b"42", b"\"text\"", b"null"]:
            r = self.post_raw(body)
            self.assertEqual((r.status, r.json()["detail"][0]["type"]), (422, "model_attributes_type"), (body, r))
        r = self.post_raw(b"")
        self.assertValidation(r, ("body",))

    def test_wrong_types_and_missing_fields(self):
        self.assertValidation(self.server.post("/rooms/", {"name": ["a"]}, token=self.admin), ("body", "name"))
        self.assertValidation(self.server.post("/rooms/", {"name": {"a": 1}}, token=self.admin), ("body", "name"))
        self.assertValidation(self.server.post("/rooms/", {"description": "d"}, token=self.admin), ("body", "name"))
        self.assertValidation(self.server.post("/devices/", {"name": True, "ip": 1}, token=self.admin),
                              ("body", "name"), ("body", "ip"))
        self.assertValidation(self.server.post("/devices/", {"name": "x", "ip": "127.0.30.1", "room_id": 1.5},
                                               token=self.admin), ("body", "room_id"))
        self.assertValidation(self.server.post("/devices/", {"name": "x", "ip": "127.0.30.1",
                                                             "room_id": 99999999999999999999}, token=self.admin),
                              ("body", "room_id"))

    def test_unknown_fields_are_ignored_and_not_stored(self):
        r = self.server.post("/rooms/", {"name": "Lab", "colour": "red", "id": 424242}, token=self.admin)
        self.assertEqual(r.status, 201, r)
        self.assertEqual(set(r.json()), {"id", "name", "description"})
        self.assertNotEqual(r.json()["id"], 424242)

    def test_ten_mebibyte_body_is_413(self):
        body = b'{"name": "' + b"x" * (10 * 1024 * 1024) + b'"}'
        try:
            r = self.post_raw(body)
            self.assertEqual(r.status, 413, r)
            self.assertIn("detail", r.json())
        except (ConnectionResetError, BrokenPipeError):
            pass  # the server may close before the client has sent it all; then it answered 413 first
        self.assertEqual(self.server.get("/rooms/", token=self.viewer).status, 200)

    def test_413_is_answered_before_the_body_is_read(self):
        head = (b"POST /rooms/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Content-Length: 10485760\r\nAuthorization: Bearer " + self.admin.encode() + b"\r\n\r\n")
        answer = raw_exchange(self.server.port, head)
        self.assertTrue(answer.startswith(b"HTTP/1.1 413"), answer[:200])

    def test_header_block_over_16_kib_is_431(self):
        request = b"GET /users/me HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (17 * 1024) + b"\r\n\r\n"
        answer = raw_exchange(self.server.port, request)
        self.assertTrue(answer.startswith(b"HTTP/1.1 431"), answer[:200])
        self.assertIn(b'"detail"', answer)

    def test_garbage_request_line_is_400(self):
        answer = raw_exchange(self.server.port, b"HELLO THERE\r\n\r\n")
        self.assertTrue(answer.startswith(b"HTTP/1.1 400"), answer[:200])

    def test_slow_client_is_dropped(self):
        # The request timeout is 2 s here: a client that trickles its header is cut off.
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=15) as sock:
            sock.sendall(b"GET /users/me HTTP/1.1\r\n")
            start = time.monotonic()
            closed = False
            try:
                while time.monotonic() - start < 12:
                    sock.sendall(b"X-A: b\r\n")
                    time.sleep(0.5)
            except (BrokenPipeError, ConnectionResetError):
                closed = True
            if not closed:
                sock.settimeout(5)
                try:
                    closed = sock.recv(1) == b""
                except ConnectionResetError:
                    closed = True
            self.assertTrue(closed, "a trickling client was never dropped")

    def test_absurd_ids_and_paths(self):
        for path in ["/devices/" + "9" * 500, "/rooms/%00", "/rooms/%ZZ", "/devices/1/2/3", "//rooms", "/rooms/../users/me"]:
            r = self.server.get(path, token=self.admin)
            self.assertIn(r.status, (400, 404, 422), (path, r))
            self.assertIn("detail", r.json())

    def test_unknown_path_and_wrong_method(self):
        self.assertError(self.server.get("/nope"), 404, "Not Found")
        self.assertError(self.server.get("/no-such-page"), 404, "Not Found")
        r = self.server.request("PATCH", "/devices/1", token=self.admin)
        self.assertError(r, 405, "Method Not Allowed")
        self.assertEqual(r.header("Allow"), "GET, PUT, DELETE")
        self.assertError(self.server.request("DELETE", "/rooms/", token=self.admin), 405, "Method Not Allowed")
        self.assertError(self.server.get("/token"), 405, "Method Not Allowed")

    def test_browser_facing_headers_and_no_cors(self):
        for r in (self.server.get("/users/me", token=self.viewer), self.server.get("/nope"),
                  self.server.get("/rooms/", token=self.viewer, headers={"Origin": "http://evil.example"})):
            self.assertEqual(r.header("X-Content-Type-Options"), "nosniff", r.headers)
            self.assertEqual(r.header("Referrer-Policy"), "no-referrer")
            self.assertIn("frame-ancestors 'none'", r.header("Content-Security-Policy"))
            self.assertIsNone(r.header("Access-Control-Allow-Origin"))
        self.assertEqual(self.server.login("admin").header("Cache-Control"), "no-store")

    def test_keep_alive_serves_many_requests_on_one_connection(self):
        import http.client
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
        for _ in range(20):
            conn.request("GET", "/users/me", headers={"Authorization": f"Bearer {self.viewer}"})
            r = conn.getresponse()
            r.read()
            self.assertEqual(r.status, 200)
        conn.close()


if __name__ == "__main__":
    unittest.main()
