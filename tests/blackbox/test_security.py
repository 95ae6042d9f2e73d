"""Account safety and abuse hardening: username syntax and memory at /token,
the throttle's buckets (registration counted, success clearing only its own),
the hashing queue's fair share per address, trusted proxies, token uid/iat and
revocation (password change, logout-all, re-created account, open sockets),
a status socket that never reads, allowed Host names, Content-Type, running
out of file descriptors, the first account's setup code, and the secret.

Addresses 127.0.0.2-5 and 192.0.2.10 (a non-loopback address, reached only
inside this test's own namespace) are added to lo, so one machine plays
several clients, one of them not on loopback."""
import http.client
import json
import os
import re
import resource
import socket
import stat
import struct
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.parse

from harness import SANITIZED, SECRET, Server, ServerTestCase, claims, forge_token, session_token, sqlite_only, wait_for
from wsclient import Closed, WebSocket

OTHERS = [f"127.0.0.{i}" for i in range(2, 6)]
REMOTE = "192.0.2.10"  # TEST-NET-1, on this namespace's lo only: not loopback to the server


def setUpModule():
    for address in OTHERS + [REMOTE]:
        subprocess.run(["ip", "addr", "add", f"{address}/32", "dev", "lo"], check=True, capture_output=True)


def call(server, method, path, **kw):
    """One request on a fresh connection (harness.Server.request: source, dest,
    content_type and headers as given, Host included)."""
    return server.request(method, path, **kw)


def login(server, username, password="password123", **kw):
    return call(server, "POST", "/token", form={"username": username, "password": password}, **kw)


def register(server, username, password="password123", **kw):
    return call(server, "POST", "/users/", json_body={"username": username, "password": password}, **kw)


def outcome(r):
    """(status, detail) of a reply, the body in place of a detail it lacks."""
    try:
        return r.status, r.json()["detail"]
    except (ValueError, KeyError, TypeError):
        return r.status, r.body


def created(r):
    """(status, role) of a registration's reply; role None when refused."""
    try:
        return r.status, r.json().get("role")
    except (ValueError, AttributeError):
        return r.status, None


def first_429(attempts):
    """Runs the callables in turn; the 1-based index of the first 429 (its reply), or (None, None)."""
    for i, attempt in enumerate(attempts, 1):
        r = attempt()
        if r.status == 429:
            return i, r
    return None, None


def expect_refused_token(test, server, token, path="/users/me"):
    r = server.get(path, token=token)
    test.assertEqual(r.status, 401, r)
    test.assertEqual(r.detail, "Could not validate credentials")
    test.assertEqual(r.header("WWW-Authenticate"), "Bearer")


def proc_status(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def raw_exchange(port, request, source=None, dest="127.0.0.1"):
    """Sends raw request bytes; returns the status code of the answer (0 if none)."""
    s = socket.create_connection((dest, port), timeout=30, source_address=(source, 0) if source else None)
    try:
        s.sendall(request)
        head = b""
        while b"\r\n" not in head:
            chunk = s.recv(4096)
            if not chunk:
                break
            head += chunk
        line = head.split(b"\r\n", 1)[0].split()
        return int(line[1]) if len(line) > 1 else 0
    finally:
        s.close()


# --- 1. username syntax and memory at /token -------------------------------------

class UsernameSyntax(unittest.TestCase):
    BAD_NAMES = ["ab", "x" * 33, "bad name", "ali'ce", "al/ce", "j\u00f6rg", "a\u200bb", "tab\there", "semi;colon",
                 "x" * 1000, ""]

    def test_bad_usernames_at_token_are_401_before_any_throttle_state(self):
        with Server() as s:
            self.assertEqual(s.register("alice").status, 201)
            # far more than the 20 failures an address may have: none of these count
            for i in range(30):
                name = self.BAD_NAMES[i % len(self.BAD_NAMES)]
                r = login(s, name, "wrong-password")
                self.assertEqual(r.status, 401, (name, r))
                self.assertEqual(r.detail, "Incorrect username or password")
                self.assertEqual(r.headers.get("www-authenticate"), "Bearer")
            self.assertEqual(login(s, "alice").status, 200, "bad usernames filled the address's bucket")
            # the same names are refused at registration
            for name in self.BAD_NAMES:
                r = register(s, name)
                self.assertEqual(r.status, 422, (name, r))
            self.assertEqual(login(s, "alice").status, 200)

    def test_a_password_over_128_characters_is_a_failed_login(self):
        with Server() as s:
            self.assertEqual(s.register("alice").status, 201)
            for _ in range(5):
                r = login(s, "alice", "p" * 129)
                self.assertEqual(outcome(r), (401, "Incorrect username or password"))
            r = login(s, "alice")  # five failures for this account from here: throttled
            self.assertEqual(r.status, 429, r)
            self.assertGreaterEqual(int(r.headers["retry-after"]), 1)

    def test_huge_usernames_do_not_grow_memory(self):
        # Used to grow RSS 16 -> 384 MB: each 1 MB name became a throttle key.
        name = "a" * 1_000_000
        body = urllib.parse.urlencode({"username": name, "password": "wrong-password"})
        self.assertLess(len(body), 1 << 20)
        with Server() as s:
            self.assertEqual(s.register("alice").status, 201)
            login(s, "alice", "wrong-password")  # warm up the login path once
            before = proc_status(s.process.pid, "VmRSS")
            statuses = set()
            for i in range(190):
                r = call(s, "POST", "/token", body=body, content_type="application/x-www-form-urlencoded",
                         source=OTHERS[i % len(OTHERS)])
                statuses.add(r.status)
            after = proc_status(s.process.pid, "VmRSS")
            if not SANITIZED:  # ASan's quarantine holds every freed body for a while
                self.assertLess(after - before, 50 * 1024, f"RSS {before} -> {after} kB")
            self.assertEqual(statuses, {401}, "a 1 MB username is simply not a valid username")
            self.assertTrue(s.alive())


# --- 2. login throttling ----------------------------------------------------------

class Throttling(unittest.TestCase):
    def test_a_success_clears_only_its_own_account_and_address_bucket(self):
        with Server() as s:
            # the attacker's own account, registered elsewhere (a registration counts too)
            self.assertEqual(register(s, "mallory", source=OTHERS[1]).status, 201)
            for i in range(19):  # one guess each at 19 other accounts
                r = login(s, f"victim{i:02}", "guess")
                self.assertEqual(r.status, 401, r)
            self.assertEqual(login(s, "mallory").status, 200)
            # the address's bucket still holds the 19: it fills within a few more guesses
            index, r = first_429([lambda i=i: login(s, f"other{i:02}", "guess") for i in range(6)])
            self.assertIsNotNone(index, "a successful login emptied the address's bucket")
            self.assertGreaterEqual(int(r.headers["retry-after"]), 1)
            # another address is not affected
            self.assertEqual(login(s, "mallory", source=OTHERS[0]).status, 200)

    def test_anonymous_registration_counts_per_address_but_not_an_admins(self):
        with Server() as s:
            r = register(s, "boss")
            self.assertEqual(created(r), (201, "admin"))
            admin = s.token("boss")
            results = [register(s, f"user{i:02}") for i in range(24)]
            statuses = [r.status for r in results]
            self.assertEqual(statuses[:18], [201] * 18, statuses)
            self.assertIn(429, statuses, "registrations from one address are not throttled")
            refused = results[statuses.index(429)]
            self.assertGreaterEqual(int(refused.headers["retry-after"]), 1)
            self.assertEqual(set(statuses[statuses.index(429):]), {429}, statuses)
            # another address is not affected
            self.assertEqual(register(s, "newcomer", source=OTHERS[0]).status, 201)
            self.assertEqual(login(s, "user00", source=OTHERS[0]).status, 200)
            # an admin's token is not throttled; a taken name is 409
            for i in range(5):
                r = register(s, f"staff{i}", token=admin)
                self.assertEqual(r.status, 201, r)
            r = register(s, "USER00", token=admin)
            self.assertEqual(outcome(r), (409, "Username already registered"))


    def test_registrations_and_logins_are_counted_apart(self):
        # Registrations fill a per-address bucket of their own: creating accounts
        # does not lock their owners out of logging in, nor failed logins registration.
        with Server() as s:
            for i in range(15):
                self.assertEqual(login(s, f"guess{i:02}", "wrong-password").status, 401)
            for i in range(5):
                self.assertEqual(register(s, f"user{i:02}").status, 201)
            index, r = first_429([lambda i=i: register(s, f"more{i:02}") for i in range(20)])
            self.assertIsNotNone(index, "anonymous registrations from one address are never refused")
            self.assertEqual(login(s, "user00").status, 200, "registering used up the login budget")


# --- 3. hashing queue: a fair share per address ----------------------------------------

class HashQueueFairShare(unittest.TestCase):
    def test_one_address_cannot_fill_the_queue(self):
        queue = 8  # one address may hold max(1, 8 / 4) = 2 waiting requests
        with Server(args=("--hash-threads", "1", "--hash-queue", str(queue))) as s:
            self.assertEqual(s.register("alice").status, 201)
            stop = threading.Event()
            flood = {"ok": 0, "busy": []}
            lock = threading.Lock()

            def flooder():  # correct logins: they fill no throttle bucket, only the hashing queue
                while not stop.is_set():
                    r = login(s, "alice")
                    with lock:
                        if r.status == 200:
                            flood["ok"] += 1
                        else:
                            flood["busy"].append(r)

            threads = [threading.Thread(target=flooder, daemon=True) for _ in range(16)]
            for t in threads:
                t.start()
            try:
                wait_for(lambda: flood["busy"], deadline=20)
                others = [login(s, "alice", source=OTHERS[i % 2]) for i in range(12)]
            finally:
                stop.set()
                for t in threads:
                    t.join(60)
            self.assertTrue(flood["busy"], "16 concurrent logins from one address were never refused")
            for r in flood["busy"]:
                self.assertEqual(r.status, 503, r)
                self.assertEqual(r.headers.get("retry-after"), "1", r)
                self.assertIsInstance(r.detail, str)
            self.assertEqual([r.status for r in others], [200] * len(others),
                             "another address was refused while one address flooded the queue")


# --- 4. trusted proxies ----------------------------------------------------------------

class TrustedProxies(unittest.TestCase):
    def guesses(self, s, headers_for, count=30, name_for=lambda i: f"guess{i:02}"):
        """`count` failed logins, the i-th with headers_for(i); the index of the first 429."""
        return first_429([lambda i=i: login(s, name_for(i), "wrong-password", headers=headers_for(i))
                          for i in range(count)])[0]

    def test_without_the_setting_forwarding_headers_change_nothing(self):
        with Server() as s:
            index = self.guesses(s, lambda i: {"X-Forwarded-For": f"198.51.100.{i}"})
            self.assertIsNotNone(index, "X-Forwarded-For from an untrusted peer chose the bucket")
            self.assertLessEqual(index, 25)
        with Server() as s:
            index = self.guesses(s, lambda i: {"Forwarded": f"for=198.51.100.{i}"})
            self.assertIsNotNone(index, "Forwarded from an untrusted peer chose the bucket")

    def test_a_peer_outside_the_trusted_proxies_is_not_believed(self):
        with Server(args=("--trusted-proxies", "10.0.0.0/8")) as s:
            self.assertIsNotNone(self.guesses(s, lambda i: {"X-Forwarded-For": f"198.51.100.{i}"}))

    def test_behind_a_trusted_proxy_the_forwarded_address_decides(self):
        with Server(args=("--trusted-proxies", "127.0.0.1/32")) as s:
            self.assertEqual(s.register("alice").status, 201)
            # 30 addresses behind the proxy, each one failure: separate buckets
            self.assertIsNone(self.guesses(s, lambda i: {"X-Forwarded-For": f"198.51.100.{i}"}, count=30))
            self.assertIsNone(self.guesses(s, lambda i: {"Forwarded": f"for=203.0.113.{i}"}, count=30,
                                           name_for=lambda i: f"fwd{i:02}"))
            # the same account from 30 addresses: 30 per-(account, address) buckets, none full
            self.assertIsNone(self.guesses(s, lambda i: {"X-Forwarded-For": f"198.18.0.{i}"}, count=30,
                                           name_for=lambda i: "alice"))
            # but one forwarded address guessing at one account is throttled after 5
            index = self.guesses(s, lambda i: {"X-Forwarded-For": "198.18.1.1"}, count=8, name_for=lambda i: "alice")
            self.assertIsNotNone(index)
            self.assertLessEqual(index, 6)
            # ... and only that address: alice logs in through the proxy from elsewhere
            r = login(s, "alice", headers={"X-Forwarded-For": "198.18.1.2"})
            self.assertEqual(r.status, 200, r)

    def test_the_rightmost_untrusted_address_counts_not_what_the_client_prepends(self):
        with Server(args=("--trusted-proxies", "127.0.0.1/32")) as s:
            # the client varies the leftmost entries; the proxy appended 198.51.100.9 (and the
            # trusted 127.0.0.1 hop after it): all one client, one bucket
            index = self.guesses(s, lambda i: {"X-Forwarded-For": f"10.9.{i}.1, 198.51.100.9, 127.0.0.1"})
            self.assertIsNotNone(index, "the client's own X-Forwarded-For entries chose the bucket")
            self.assertLessEqual(index, 25)

    def test_ipv6_clients_are_grouped_by_64(self):
        with Server(args=("--trusted-proxies", "127.0.0.1/32")) as s:
            index = self.guesses(s, lambda i: {"X-Forwarded-For": f"2001:db8:1:2::{i + 1:x}"})
            self.assertIsNotNone(index, "addresses of one /64 got separate buckets")
            self.assertLessEqual(index, 25)
            self.assertIsNone(self.guesses(s, lambda i: {"X-Forwarded-For": f"2001:db8:{i + 1:x}::1"},
                                           name_for=lambda i: f"v6net{i:02}"))


# --- 5. tokens: uid, iat, revocation -----------------------------------------------------

class TokenClaims(ServerTestCase):
    def user_id(self, token):
        r = self.server.get("/users/me", token=token)
        self.assertEqual(r.status, 200, r)
        return r.json()["id"]

    def account(self, name, password="password123"):
        """An account made with the admin's token (not throttled), and a token of it."""
        r = self.server.register(name, password, token=self.admin)
        self.assertEqual(r.status, 201, r)
        return r.json()["id"], self.server.token(name, password)

    def test_a_login_token_carries_uid_and_iat(self):
        before = time.time()
        token = self.server.token("viewer")
        after = time.time()
        c = claims(token)
        self.assertEqual(c["uid"], self.user_id(self.viewer))
        self.assertIsInstance(c["iat"], (int, float))
        self.assertTrue(before - 1 <= c["iat"] <= after + 1, (before, c, after))
        self.assertEqual(c["sub"], "viewer")

    def test_a_token_without_uid_or_with_another_uid_is_refused(self):
        uid = self.user_id(self.viewer)
        now = time.time()
        expect_refused_token(self, self.server, forge_token({"sub": "viewer", "iat": now, "exp": int(now) + 600}))
        expect_refused_token(self, self.server, session_token("viewer", uid + 1000))
        expect_refused_token(self, self.server, session_token("viewer", self.user_id(self.admin)))
        expect_refused_token(self, self.server, session_token("viewer", str(uid)))
        self.assertEqual(self.server.get("/users/me", token=session_token("viewer", uid)).status, 200)

    def test_the_token_of_a_deleted_and_recreated_account_is_refused(self):
        _, old = self.account("alice")
        self.assertEqual(self.server.cli("delete", "alice").returncode, 0)
        run = self.server.cli("add", "Alice", "--role", "admin", stdin="another-password\n")
        self.assertEqual(run.returncode, 0, run.stderr)
        expect_refused_token(self, self.server, old)
        expect_refused_token(self, self.server, old, path="/rooms/")
        fresh = self.server.token("Alice", "another-password")
        r = self.server.get("/users/me", token=fresh)
        self.assertEqual((r.status, r.json()["username"], r.json()["role"]), (200, "Alice", "admin"))

    def test_a_password_change_revokes_every_older_token(self):
        uid, first = self.account("bob")
        second = self.server.token("bob")
        change = lambda body, token=first: self.server.post("/users/me/password", body, token=token)
        r = change({"current_password": "wrong-password", "new_password": "new-password-1"})
        self.assertEqual(outcome(r), (400, "Incorrect password"))
        for bad in ("short77", "p" * 129):
            r = change({"current_password": "password123", "new_password": bad})
            self.assertEqual(r.status, 422, (bad, r))
        self.assertEqual(self.server.get("/users/me", token=first).status, 200, "a refused change revoked nothing")
        self.assertEqual(change({"current_password": "password123"}).status, 422)

        r = change({"current_password": "password123", "new_password": "new-password-1"})
        self.assertEqual(r.status, 204, r)
        for token in (first, second):
            expect_refused_token(self, self.server, token)
        expect_refused_token(self, self.server, session_token("bob", uid, iat=time.time() - 60))
        self.assertEqual(self.server.login("bob").status, 401)
        fresh = self.server.token("bob", "new-password-1")
        self.assertEqual(self.server.get("/users/me", token=fresh).json()["username"], "bob")
        # revocation goes by the account's token generation, not by a list of tokens: any token
        # of the current generation is accepted, one of an older generation is not
        generation = claims(fresh)["gen"]
        self.assertEqual(self.server.get("/users/me", token=session_token("bob", uid, gen=generation)).status, 200)
        expect_refused_token(self, self.server, session_token("bob", uid, gen=generation - 1))
        self.assertEqual(self.server.get("/users/me", token=self.viewer).status, 200, "another account's token")

    def test_a_password_change_needs_a_token(self):
        r = self.server.post("/users/me/password", {"current_password": "password123", "new_password": "x" * 12})
        self.assertEqual(r.status, 401, r)

    def test_passwd_on_the_command_line_revokes_too(self):
        _, old = self.account("carol")
        run = self.server.cli("passwd", "carol", stdin="carol-new-password\n")
        self.assertEqual(run.returncode, 0, run.stderr)
        expect_refused_token(self, self.server, old)
        self.assertEqual(self.server.login("carol").status, 401)
        fresh = self.server.token("carol", "carol-new-password")
        self.assertEqual(self.server.get("/users/me", token=fresh).status, 200)

    def test_logout_all(self):
        _, first = self.account("dave")
        second = self.server.token("dave")
        r = self.server.post("/users/me/logout-all", token=first)
        self.assertEqual(r.status, 204, r)
        for token in (first, second):
            expect_refused_token(self, self.server, token)
        self.assertEqual(self.server.post("/users/me/logout-all").status, 401)
        fresh = self.server.token("dave")  # the password is unchanged
        self.assertEqual(self.server.get("/users/me", token=fresh).status, 200)
        self.assertEqual(self.server.get("/users/me", token=self.admin).status, 200, "another account's token")

    def assertClosed1008(self, ws, deadline=10.0):
        end = time.monotonic() + deadline
        with self.assertRaises(Closed) as closed:
            while time.monotonic() < end:
                ws.recv_json(timeout=max(0.1, end - time.monotonic()))
            self.fail(f"the socket stayed open {deadline} s after its token was revoked")
        self.assertEqual(closed.exception.code, 1008, closed.exception)

    def test_an_open_status_socket_closes_when_its_token_is_revoked(self):
        _, token = self.account("erin")
        ws = WebSocket(self.server.port, query_token=token)
        try:
            self.assertEqual(ws.status, 101)
            ws.recv_json()
            self.assertEqual(self.server.post("/users/me/logout-all", token=token).status, 204)
            self.assertClosed1008(ws)
        except TimeoutError:
            self.fail("the socket stayed open after its token was revoked")
        finally:
            ws.close()

        _, token = self.account("frank")
        ws = WebSocket(self.server.port, token=token)
        try:
            self.assertEqual(ws.status, 101)
            ws.recv_json()
            r = self.server.post("/users/me/password", {"current_password": "password123",
                                                        "new_password": "frank-new-password"}, token=token)
            self.assertEqual(r.status, 204, r)
            self.assertClosed1008(ws)
        except TimeoutError:
            self.fail("the socket stayed open after its token was revoked")
        finally:
            ws.close()


def tcp_state(local_port, remote):
    """The state (hex, '01' = ESTABLISHED) of the IPv4 socket 127.0.0.1:local_port <-> remote
    as /proc/net/tcp shows it in this namespace, or None once it is gone."""
    def parse(field):
        ip, port = field.split(":")
        return socket.inet_ntoa(struct.pack("<I", int(ip, 16))), int(port, 16)
    with open("/proc/net/tcp") as f:
        next(f)
        for line in f:
            fields = line.split()
            if parse(fields[1]) == ("127.0.0.1", local_port) and parse(fields[2]) == remote:
                return fields[3]
    return None


def first_frame_opcode_after_upgrade(sock, deadline=30):
    """The opcode (1 text, 8 close) of the first WebSocket frame after the 101, seen with MSG_PEEK (nothing
    is consumed)."""
    sock.settimeout(deadline)
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        seen = sock.recv(4096, socket.MSG_PEEK)
        if not seen:
            return None
        head, separator, rest = seen.partition(b"\r\n\r\n")
        if separator:
            if not head.startswith(b"HTTP/1.1 101"):
                return None
            if rest:
                return rest[0] & 0x0F
        time.sleep(0.05)
    return None


class StatusSocketThatNeverReads(unittest.TestCase):
    def test_the_server_drops_it_anyway(self):
        # One status socket per address: while the silent one holds its place, that address's
        # next socket is refused (1013); once the server has let it go, it is served again.
        args = ("--max-websockets-per-address", "1", "--push-interval", "0.1", "--probe-interval", "60")
        with Server(args=args) as s:
            self.assertEqual(s.register("admin").status, 201)
            admin = s.token("admin")
            uid = s.get("/users/me", token=admin).json()["id"]
            # devices make each message bigger, so the connection's buffers fill within seconds
            conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=30)
            for i in range(400):
                conn.request("POST", "/devices/", body=json.dumps({"name": f"d{i}", "ip": f"127.1.{i // 250}.{i % 250 + 1}"}),
                             headers={"Content-Type": "application/json", "Authorization": f"Bearer {admin}"})
                r = conn.getresponse()
                r.read()
                self.assertEqual(r.status, 201)
            conn.close()

            def another_socket_is_served():
                ws = WebSocket(s.port, query_token=admin, source=OTHERS[0])
                try:
                    ws.recv_json()
                    return True
                except Closed as closed:
                    self.assertEqual(closed.code, 1013)
                    return False
                finally:
                    ws.close()

            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.bind((OTHERS[0], 0))
            sock.connect(("127.0.0.1", s.port))
            token = session_token("admin", uid, seconds=20)  # expires in 19-20 s
            sock.sendall((f"GET /ws/status/?detail=true&token={token} HTTP/1.1\r\nHost: 127.0.0.1:{s.port}\r\n"
                          "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
            try:
                # never read from it: only peek until the server has admitted it (a text frame, not a
                # close, follows the 101); a probing socket served first would take the only place and
                # the silent one get 1013 (seen under the sanitizers, where upgrades are answered slowly)
                self.assertEqual(first_frame_opcode_after_upgrade(sock), 1, "the silent socket was not admitted")
                self.assertEqual(tcp_state(s.port, sock.getsockname()), "01")
                # the token's 20 s leave room for a loaded machine: it must not expire first
                self.assertTrue(wait_for(lambda: not another_socket_is_served(), deadline=15, interval=0.1),
                                "the silent socket does not hold its place")
                gone = wait_for(lambda: tcp_state(s.port, sock.getsockname()) != "01", deadline=60, interval=0.5)
                self.assertTrue(gone, "the server still holds, 60 s on, a status socket whose client never reads")
                self.assertTrue(wait_for(another_socket_is_served, deadline=15, interval=0.5),
                                "the silent socket's place was not given back")
            finally:
                sock.close()
            self.assertTrue(s.alive())


# --- 6. allowed Host names -------------------------------------------------------------

def with_host(host, path="/users/me", method="GET"):
    return lambda s: call(s, method, path, headers={"Host": host})


class AllowedHosts(unittest.TestCase):
    def test_defaults(self):
        with Server() as s:
            for host in (f"127.0.0.1:{s.port}", f"localhost:{s.port}", f"[::1]:{s.port}"):
                self.assertEqual(with_host(host)(s).status, 401, host)
            for host in (f"evil.example:{s.port}", "evil.example", f"localhost:{s.port + 1 if s.port < 65535 else 1}",
                         f"127.0.0.2:{s.port}", f"localhost.evil.example:{s.port}"):
                r = with_host(host)(s)
                self.assertEqual(outcome(r), (421, "Misdirected request"), host)

            r = call(s, "POST", "/users/", json_body={"username": "mallory", "password": "password123"},
                     headers={"Host": f"evil.example:{s.port}"})
            self.assertEqual(outcome(r), (421, "Misdirected request"))
            self.assertEqual(s.login("mallory").status, 401)
            r = s.register("mallory")
            self.assertEqual(created(r), (201, "admin"), "the refused registration created it")

            r = call(s, "GET", "/", headers={"Host": f"evil.example:{s.port}"})
            self.assertEqual(r.status, 421, r)

            token = s.token("mallory")
            handshake = (f"GET /ws/status/?token={token} HTTP/1.1\r\nHost: evil.example:{s.port}\r\n"
                         f"Origin: http://evil.example:{s.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
            self.assertEqual(raw_exchange(s.port, handshake.encode()), 421)
            ws = WebSocket(s.port, query_token=token)  # Host 127.0.0.1:port
            self.assertEqual(ws.status, 101)
            ws.close()

    def test_configured_names(self):
        with Server(args=("--allowed-hosts", "monitor.example, wall.example:8443")) as s:
            for host in (f"monitor.example:{s.port}", "monitor.example:443", "monitor.example",
                         "wall.example:8443", f"127.0.0.1:{s.port}", f"localhost:{s.port}"):
                self.assertEqual(with_host(host)(s).status, 401, host)
            for host in (f"wall.example:{s.port}", "wall.example", f"evil.example:{s.port}"):
                self.assertEqual(with_host(host)(s).status, 421, host)
            r = call(s, "POST", "/users/", json_body={"username": "alice", "password": "password123"},
                     headers={"Host": f"monitor.example:{s.port}"})
            self.assertEqual(r.status, 201, r)

    def test_star_allows_any_host(self):
        with Server(args=("--allowed-hosts", "*")) as s:
            # Host header values only: every packet goes to 127.0.0.1.
            for host in (f"evil.example:{s.port}", "anything", f"10.1.2.3:{s.port}"):
                self.assertEqual(with_host(host)(s).status, 401, host)

    def test_listening_on_every_address_allows_ip_literals(self):
        with Server(args=("--host", "0.0.0.0")) as s:
            for host in (f"10.1.2.3:{s.port}", f"{REMOTE}:{s.port}", f"127.0.0.1:{s.port}", f"localhost:{s.port}"):
                self.assertEqual(with_host(host)(s).status, 401, host)
            r = with_host(f"evil.example:{s.port}")(s)
            self.assertEqual(outcome(r), (421, "Misdirected request"))


# --- 7. Content-Type ---------------------------------------------------------------------

class ContentTypes(ServerTestCase):
    def assertUnsupported(self, r, what):
        self.assertEqual(r.status, 415, (what, r))
        self.assertEqual(r.detail, "Unsupported media type", what)

    def test_json_bodies_need_application_json(self):
        body = {"username": "typed", "password": "password123"}
        for content_type in ("text/plain", "application/x-www-form-urlencoded", "application/jsonx",
                             "application/json-patch+json", "text/json", "multipart/form-data; boundary=x"):
            r = call(self.server, "POST", "/users/", json_body=body, content_type=content_type, token=self.admin)
            self.assertUnsupported(r, content_type)
        r = call(self.server, "POST", "/users/", body=json.dumps(body), token=self.admin)  # no Content-Type
        self.assertUnsupported(r, "no Content-Type")
        self.assertEqual(self.server.login("typed").status, 401, "a refused body created the account")

        r = call(self.server, "POST", "/rooms/", json_body={"name": "Lab"}, content_type="text/plain", token=self.admin)
        self.assertUnsupported(r, "text/plain")
        for i, content_type in enumerate(("application/json", "application/json; charset=utf-8",
                                          "Application/JSON; Charset=UTF-8", "application/json;charset=UTF-8")):
            r = call(self.server, "POST", "/rooms/", json_body={"name": f"Room {i}"}, content_type=content_type,
                     token=self.admin)
            self.assertEqual(r.status, 201, (content_type, r))
        r = call(self.server, "POST", "/users/", json_body=body, content_type="application/json; charset=utf-8",
                 token=self.admin)
        self.assertEqual(r.status, 201, r)

    def test_token_needs_a_form(self):
        form = {"username": "viewer", "password": "password123"}
        r = call(self.server, "POST", "/token", json_body=form)
        self.assertUnsupported(r, "a JSON body")
        for content_type in ("text/plain", "application/json", "multipart/form-data; boundary=x",
                             "application/x-www-form-urlencodedx"):
            r = call(self.server, "POST", "/token", form=form, content_type=content_type)
            self.assertUnsupported(r, content_type)
        r = call(self.server, "POST", "/token", body=urllib.parse.urlencode(form))  # no Content-Type
        self.assertUnsupported(r, "no Content-Type")
        for content_type in ("application/x-www-form-urlencoded", "Application/X-WWW-Form-URLEncoded",
                             "application/x-www-form-urlencoded; charset=utf-8"):
            r = call(self.server, "POST", "/token", form=form, content_type=content_type)
            self.assertEqual(r.status, 200, (content_type, r))

    def test_an_empty_body_is_still_422(self):
        self.assertValidation(self.server.request("POST", "/token", body=""), ("body", "username"))
        r = call(self.server, "POST", "/users/", body="", token=self.admin)
        self.assertEqual(r.status, 422, r)
        r = call(self.server, "POST", "/rooms/", body="", token=self.admin)
        self.assertEqual(r.status, 422, r)


# --- 8. file descriptors -------------------------------------------------------------------

class FileDescriptors(unittest.TestCase):
    ACCEPT_LINES = re.compile(r"accept|descriptor|too many open files|EMFILE|ENFILE", re.IGNORECASE)

    def test_the_soft_limit_is_raised_to_the_hard_limit(self):
        with Server(nofile=(256, 2048)) as s:
            with open(f"/proc/{s.process.pid}/limits") as f:
                line = next(l for l in f if l.startswith("Max open files"))
            self.assertEqual(line.split()[3:5], ["2048", "2048"], line)
            self.assertTrue(s.alive())

    # UBSan checks a vptr by writing memory into a pipe(); out of descriptors
    # that fails and it reports a false "invalid vptr" (no suppression helps
    # with -fno-sanitize-recover). The release run of this test covers it.
    @unittest.skipIf(SANITIZED, "the sanitizers' own probes need spare descriptors")
    def test_running_out_of_descriptors_neither_spins_nor_floods_the_log(self):
        limit = 256
        own_soft, own_hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(own_soft, min(own_hard, 8 * limit)), own_hard))
        try:
            with Server(nofile=(limit, limit)) as s:
                self.assertTrue(s.alive())
                start_lines = "".join(s.log)
                log_start = len(s.log)
                pid = s.process.pid
                socks = []
                cpu0, wall0 = cpu_seconds(pid), time.monotonic()
                for i in range(3 * limit):
                    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                    sock.setblocking(False)
                    sock.bind((OTHERS[i % len(OTHERS)], 0))
                    sock.connect_ex(("127.0.0.1", s.port))
                    socks.append(sock)
                time.sleep(6)  # the episode: everything idle, the server short of descriptors
                cpu = cpu_seconds(pid) - cpu0
                wall = time.monotonic() - wall0
                episode = s.log[log_start:]
                noisy = [l for l in episode if self.ACCEPT_LINES.search(l)]
                self.assertLess(cpu, 0.5 * wall, f"{cpu:.2f} s of CPU in {wall:.2f} s: the server spins")
                self.assertLessEqual(len(noisy), 40, f"{len(noisy)} lines, e.g. {noisy[:3]}")
                for sock in socks:
                    sock.close()
                self.assertTrue(wait_for(lambda: call(s, "GET", "/users/me").status == 401, deadline=30),
                                "no new client served once descriptors were free again")
                self.assertEqual(s.process.poll(), None)
                self.assertRegex(start_lines, r"(?i)max_connections|descriptor|nofile|open files",
                                 "the clamp of max_connections to the descriptor limit is not logged at start")
        finally:
            resource.setrlimit(resource.RLIMIT_NOFILE, (own_soft, own_hard))


# --- 9. the first account's setup code ------------------------------------------------------

SETUP_LINE = re.compile(r"setup code for the first account: (\S+)")


def setup_code(server):
    found = wait_for(lambda: next((m.group(1) for m in map(SETUP_LINE.search, list(server.log)) if m), None),
                     deadline=10)
    return found


class FirstAccountSetupCode(unittest.TestCase):
    def remote_register(self, s, body, **kw):
        return call(s, "POST", "/users/", json_body=body, source=REMOTE, dest=REMOTE, **kw)

    def test_a_remote_first_registration_needs_the_logged_code(self):
        with Server(args=("--host", "0.0.0.0")) as s:
            code = setup_code(s)
            self.assertTrue(code, "no setup code logged while no account exists")
            body = {"username": "root", "password": "password123"}
            r = self.remote_register(s, body)
            self.assertEqual(outcome(r), (403, "Setup code required"))
            r = self.remote_register(s, {**body, "setup_code": code + "x"})
            self.assertEqual(outcome(r), (403, "Invalid setup code"))
            r = self.remote_register(s, {**body, "setup_code": ""})
            self.assertEqual(r.status, 403, r)
            self.assertEqual(s.login("root").status, 401, "a refused registration created the account")
            r = self.remote_register(s, {**body, "setup_code": code})
            self.assertEqual(created(r), (201, "admin"), r)
            # once an account exists, nobody needs a code
            r = self.remote_register(s, {"username": "later", "password": "password123"})
            self.assertEqual(created(r), (201, "viewer"), r)
            r = register(s, "proxied", headers={"X-Forwarded-For": "198.51.100.1"})
            self.assertEqual(r.status, 201, r)

    def test_forwarding_headers_on_loopback_need_the_code_too(self):
        for headers in ({"X-Forwarded-For": "198.51.100.1"}, {"Forwarded": "for=198.51.100.1"},
                        {"X-Forwarded-For": "127.0.0.1"}):
            with Server() as s:
                code = setup_code(s)
                self.assertTrue(code)
                r = register(s, "root", headers=headers)
                self.assertEqual(outcome(r), (403, "Setup code required"), headers)
                r = call(s, "POST", "/users/", json_body={"username": "root", "password": "password123",
                                                          "setup_code": "wrong"}, headers=headers)
                self.assertEqual(outcome(r), (403, "Invalid setup code"), headers)
                r = call(s, "POST", "/users/", json_body={"username": "root", "password": "password123",
                                                          "setup_code": code}, headers=headers)
                self.assertEqual(created(r), (201, "admin"), headers)

    def test_trusted_proxy_headers_need_the_code_as_well(self):
        with Server(args=("--trusted-proxies", "127.0.0.1/32")) as s:
            r = register(s, "root", headers={"X-Forwarded-For": "127.0.0.1"})
            self.assertEqual(outcome(r), (403, "Setup code required"))

    def test_loopback_without_forwarding_headers_needs_no_code(self):
        with Server(args=("--host", "0.0.0.0")) as s:
            self.assertTrue(setup_code(s))
            r = register(s, "root")
            self.assertEqual(created(r), (201, "admin"), r)
        with Server() as s:
            r = register(s, "root", source=OTHERS[0])  # all of 127.0.0.0/8 is loopback
            self.assertEqual(created(r), (201, "admin"), r)


# --- 10. the secret and the data directory ----------------------------------------------------

def mode(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


class SecretsAndDataDir(unittest.TestCase):
    def test_the_secret_leaves_the_environment(self):
        with Server(env={"GATEWATCH_SECRET_KEY": SECRET}) as s:
            self.assertEqual(s.register("alice").status, 201)
            with open(f"/proc/{s.process.pid}/environ", "rb") as f:
                environ = f.read()
            self.assertNotIn(SECRET.encode(), environ, "the secret is still readable in /proc/PID/environ")
            self.assertEqual([e for e in environ.split(b"\0") if e.startswith(b"GATEWATCH_SECRET_KEY")], [])
            self.assertEqual(s.get("/users/me", token=s.token("alice")).status, 200, "the secret still signs")

    @sqlite_only
    def test_an_existing_data_dir_keeps_its_mode(self):
        parent = tempfile.mkdtemp(prefix="gw-security-")
        try:
            data = os.path.join(parent, "data")
            os.mkdir(data)
            os.chmod(data, 0o755)
            with Server(data_dir=data, secret=None) as s:
                self.assertEqual(s.register("alice").status, 201)
                self.assertEqual(mode(data), 0o755, "the server changed the mode of a directory it did not create")
                self.assertEqual(mode(os.path.join(data, "secret.key")), 0o600)
        finally:
            subprocess.run(["rm", "-rf", parent], check=False)

    @sqlite_only
    def test_a_fresh_data_dir_is_private(self):
        parent = tempfile.mkdtemp(prefix="gw-security-")
        try:
            data = os.path.join(parent, "data")
            with Server(data_dir=data, secret=None) as s:
                self.assertEqual(s.register("alice").status, 201)
                self.assertEqual(mode(data), 0o700)
                self.assertEqual(mode(os.path.join(data, "secret.key")), 0o600)
        finally:
            subprocess.run(["rm", "-rf", parent], check=False)

    @sqlite_only
    def test_a_planted_temporary_secret_symlink_is_not_followed(self):
        parent = tempfile.mkdtemp(prefix="gw-security-")
        try:
            data, elsewhere = os.path.join(parent, "data"), os.path.join(parent, "elsewhere")
            os.mkdir(data, 0o700)
            os.mkdir(elsewhere)
            victim = os.path.join(elsewhere, "victim.conf")
            with open(victim, "w") as f:
                f.write("precious\n")
            os.chmod(victim, 0o644)
            before = os.stat(victim)
            os.symlink(victim, os.path.join(data, "secret.key.tmp"))
            server = Server(data_dir=data, secret=None)
            try:
                server.start()
                started = True
            except RuntimeError:
                started = False
            try:
                if started:
                    self.assertEqual(server.register("alice").status, 201)
                    self.assertEqual(server.get("/users/me", token=server.token("alice")).status, 200)
                    key = os.path.join(data, "secret.key")
                    self.assertFalse(os.path.islink(key), "secret.key is a symbolic link")
                    self.assertEqual(mode(key), 0o600)
                else:
                    message = "".join(server.log)
                    self.assertRegex(message, r"(?i)secret", "a refusal to start should say why")
            finally:
                server.cleanup()
            with open(victim, "rb") as f:
                self.assertEqual(f.read(), b"precious\n", "the file behind the symlink was written")
            after = os.stat(victim)
            self.assertEqual((stat.S_IMODE(after.st_mode), after.st_size, after.st_mtime_ns),
                             (stat.S_IMODE(before.st_mode), before.st_size, before.st_mtime_ns))
        finally:
            subprocess.run(["rm", "-rf", parent], check=False)


if __name__ == "__main__":
    unittest.main()


# --- found by an outside review (each reproduced against the code before its fix) ----------

def raw_request(server, data, read_timeout=20):
    """Sends raw bytes on one connection and returns what came back before it closed."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=read_timeout) as sock:
        try:
            sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except (ConnectionResetError, socket.timeout):
            pass
        return answer


class ReviewFindings(unittest.TestCase):
    def test_an_endless_chunk_extension_is_cut_off(self):
        # Beast's body limit counts body bytes only: a chunk line that never ends grew the
        # read buffer without bound (three connections took RSS from 13 to 340 MB).
        with Server() as s:
            before = proc_status(s.process.pid, "VmRSS")
            head = (f"POST /token HTTP/1.1\r\nHost: 127.0.0.1:{s.port}\r\n"
                    "Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n1;e=").encode()
            answers = [raw_request(s, head + b"a" * (20 << 20)) for _ in range(3)]
            after = proc_status(s.process.pid, "VmRSS")
            for answer in answers:
                self.assertTrue(answer == b"" or answer.startswith(b"HTTP/1.1 400"), answer[:100])
            if not SANITIZED:
                self.assertLess(after - before, 30 * 1024, f"RSS {before} -> {after} kB")
            self.assertTrue(s.alive())

    def test_a_second_forwarding_line_counts_for_the_setup_code(self):
        # HAProxy adds its own X-Forwarded-For line: an empty first line must not hide it.
        # (192.0.2.55 is only header text; the request goes to 127.0.0.1.)
        with Server() as s:
            body = json.dumps({"username": "mallory", "password": "password123"}).encode()
            answer = raw_request(s, (f"POST /users/ HTTP/1.1\r\nHost: 127.0.0.1:{s.port}\r\nConnection: close\r\n"
                                     f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
                                     "X-Forwarded-For: \r\nX-Forwarded-For: 192.0.2.55\r\n\r\n").encode() + body)
            self.assertTrue(answer.startswith(b"HTTP/1.1 403"), answer[:300])
            self.assertIn(b"Setup code required", answer)

    def test_a_second_revocation_in_the_same_second_revokes_what_came_between(self):
        with Server() as s:
            s.register("admin")
            s.register("erin")
            for _ in range(3):
                first = s.token("erin")
                self.assertEqual(s.post("/users/me/logout-all", token=first).status, 204)
                between = s.token("erin")
                self.assertEqual(s.get("/users/me", token=between).status, 200)
                self.assertEqual(s.post("/users/me/logout-all", token=between).status, 204)
                expect_refused_token(self, s, between)

    def test_two_host_headers_are_refused(self):
        with Server() as s:
            answer = raw_request(s, f"GET /users/me HTTP/1.1\r\nHost: 127.0.0.1:{s.port}\r\nHost: evil.example\r\n"
                                    "Connection: close\r\n\r\n".encode())
            self.assertTrue(answer.startswith(b"HTTP/1.1 400"), answer[:100])
