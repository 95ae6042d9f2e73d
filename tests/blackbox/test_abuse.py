"""Connection abuse (issue 5): caps on connections and status WebSockets per
client address and in total, slowloris clients, idle keep-alive connections,
CORS only for listed origins, WebSockets from other sites refused.
Client addresses 127.0.0.2-9 are added to lo in this test's namespace, so one
machine plays several clients."""
import http.client
import socket
import subprocess
import threading
import time
import unittest

from harness import SECRET, BINARY, Server, wait_for
from wsclient import Closed, WebSocket

ADDRESSES = [f"127.0.0.{i}" for i in range(2, 10)]


def setUpModule():
    for address in ADDRESSES:
        subprocess.run(["ip", "addr", "add", f"{address}/32", "dev", "lo"], check=True, capture_output=True)


def connect(server, source="127.0.0.1"):
    return socket.create_connection(("127.0.0.1", server.port), timeout=10, source_address=(source, 0))


def get(server, path="/users/me", source="127.0.0.1", headers=None, method="GET"):
    """One request on a fresh connection from `source`: (status, headers, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10, source_address=(source, 0))
    try:
        conn.request(method, path, headers=headers or {})
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read().decode()
    finally:
        conn.close()


def served(server, source="127.0.0.1"):
    return get(server, source=source)[0] == 401  # the API answered (no token): not refused


class ConnectionCaps(unittest.TestCase):
    def test_per_address_and_total(self):
        with Server(args=("--max-connections-per-address", "3", "--max-connections", "5")) as server:
            held = [connect(server) for _ in range(3)]
            wait_for(lambda: not served(server))  # the held ones are counted once accepted
            status, headers, body = get(server)
            self.assertEqual(status, 503, body)
            self.assertEqual(headers.get("retry-after"), "5")
            self.assertIn("Too many connections", body)
            self.assertTrue(served(server, source=ADDRESSES[0]), "another address is not affected")

            held += [connect(server, ADDRESSES[1]) for _ in range(2)]  # 5 in all now
            wait_for(lambda: get(server, source=ADDRESSES[2])[0] == 503)

            for s in held:
                s.close()
            wait_for(lambda: served(server))  # the places come back
            self.assertTrue(server.alive())

    def test_status_sockets_per_address_and_total(self):
        with Server(args=("--max-websockets-per-address", "2", "--max-websockets", "3")) as server:
            self.assertEqual(server.register("admin").status, 201)
            token = server.token("admin")
            opened = [WebSocket(server.port, query_token=token) for _ in range(2)]
            for ws in opened:
                self.assertEqual(ws.status, 101)
                ws.recv_json()
            third = WebSocket(server.port, query_token=token)
            with self.assertRaises(Closed) as closed:
                third.recv_json()
            third.close()
            self.assertEqual(closed.exception.code, 1013)

            opened.append(WebSocket(server.port, query_token=token, source=ADDRESSES[0]))
            opened[-1].recv_json()
            over_total = WebSocket(server.port, query_token=token, source=ADDRESSES[1])
            with self.assertRaises(Closed) as closed:
                over_total.recv_json()
            over_total.close()
            self.assertEqual(closed.exception.code, 1013)

            opened.pop(0).close()
            def another_fits():
                ws = WebSocket(server.port, query_token=token)
                try:
                    ws.recv_json()
                    return True
                except Closed:
                    return False
                finally:
                    ws.close()
            wait_for(another_fits)
            for ws in opened:
                ws.close()


class Slowloris(unittest.TestCase):
    def test_trickling_clients_are_capped_and_dropped_while_others_are_served(self):
        clients, cap = 300, 100
        with Server(args=("--request-timeout", "2", "--max-connections-per-address", str(cap))) as server:
            socks, refused, stop = [], [0], threading.Event()
            for i in range(clients):
                s = connect(server, ADDRESSES[i % 2])  # two attacking addresses
                s.sendall(b"GET /users/me HTTP/1.1\r\n")
                socks.append(s)

            def trickle():  # one header byte per connection every 0.3 s
                while not stop.is_set():
                    for s in list(socks):
                        try:
                            s.sendall(b"X")
                        except OSError:
                            pass
                    time.sleep(0.3)
            threading.Thread(target=trickle, daemon=True).start()

            try:
                for _ in range(20):  # a normal client meanwhile, from its own address
                    self.assertTrue(served(server), "a normal request was not served")
                # Each trickling connection ends: refused (503) past the cap, else dropped at the request timeout.
                for s in socks:
                    s.settimeout(30)
                    data = b""
                    try:
                        while chunk := s.recv(4096):
                            data += chunk
                    except ConnectionResetError:
                        pass
                    if data.startswith(b"HTTP/1.1 503"):
                        refused[0] += 1
                    else:
                        self.assertNotIn(b"HTTP/1.1 401", data, "a trickled request was served")
                self.assertGreaterEqual(refused[0], clients - 2 * cap)
            finally:
                stop.set()
                for s in socks:
                    s.close()
            self.assertTrue(served(server))


class IdleKeepAlive(unittest.TestCase):
    def test_an_idle_connection_is_closed_after_the_idle_timeout(self):
        with Server(args=("--idle-timeout", "1",)) as server:
            s = connect(server)
            s.sendall(b"GET /users/me HTTP/1.1\r\nHost: localhost:%d\r\n\r\n" % server.port)
            s.settimeout(30)
            first = s.recv(4096)
            self.assertTrue(first.startswith(b"HTTP/1.1 401"), first)
            started = time.monotonic()
            self.assertEqual(s.recv(4096), b"", "the server should close an idle keep-alive connection")
            self.assertLess(time.monotonic() - started, 29)
            s.close()


class Cors(unittest.TestCase):
    def test_no_cross_origin_access_by_default(self):
        with Server() as server:
            status, headers, _ = get(server, headers={"Origin": "https://ops.example"})
            self.assertEqual(status, 401)
            self.assertNotIn("access-control-allow-origin", headers)
            status, headers, _ = get(server, method="OPTIONS", path="/rooms/",
                                     headers={"Origin": "https://ops.example", "Access-Control-Request-Method": "GET"})
            self.assertEqual(status, 405)
            self.assertNotIn("access-control-allow-origin", headers)

    def test_listed_origins_only(self):
        with Server(args=("--cors-origins", "https://ops.example, http://wall.example:8080")) as server:
            status, headers, _ = get(server, method="OPTIONS", path="/rooms/",
                                     headers={"Origin": "https://ops.example", "Access-Control-Request-Method": "POST",
                                              "Access-Control-Request-Headers": "authorization, content-type"})
            self.assertEqual(status, 204)
            self.assertEqual(headers["access-control-allow-origin"], "https://ops.example")
            self.assertIn("POST", headers["access-control-allow-methods"])
            self.assertIn("Authorization", headers["access-control-allow-headers"])
            status, headers, _ = get(server, headers={"Origin": "http://wall.example:8080"})
            self.assertEqual((status, headers["access-control-allow-origin"], headers["vary"]),
                             (401, "http://wall.example:8080", "Origin"))
            status, headers, _ = get(server, headers={"Origin": "https://evil.example"})
            self.assertNotIn("access-control-allow-origin", headers)

    def test_a_bad_origin_list_is_fatal(self):
        run = subprocess.run([BINARY, "serve", "--port", "0", "--data-dir", "/tmp/gw-never-created",
                              "--cors-origins", "*"], capture_output=True, text=True, timeout=30,
                             env={"GATEWATCH_SECRET_KEY": SECRET})
        self.assertNotEqual(run.returncode, 0)
        self.assertIn("cors_origins", run.stderr)

    def test_status_socket_from_another_site_is_refused(self):
        with Server(args=("--cors-origins", "https://ops.example")) as server:
            self.assertEqual(server.register("admin").status, 201)
            token = server.token("admin")
            foreign = WebSocket(server.port, query_token=token, origin="https://evil.example")
            foreign.close()
            self.assertEqual(foreign.status, 403)
            for origin in (None, "https://ops.example", f"http://127.0.0.1:{server.port}"):
                ws = WebSocket(server.port, query_token=token, origin=origin)
                self.assertEqual(ws.status, 101, origin)
                ws.close()


if __name__ == "__main__":
    unittest.main()
