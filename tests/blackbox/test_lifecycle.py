"""Start, restart, shutdown, the secret, the admin command line and --help."""
import http.client
import os
import signal
import socket
import stat
import subprocess
import tempfile
import threading
import time
import unittest

from harness import BINARY, POSTGRES, SECRET, Server, wait_for


class Restart(unittest.TestCase):
    def test_everything_survives_a_restart_on_the_same_data_directory(self):
        first = Server(secret=None)  # the generated secret must carry tokens over
        with first:
            first.register("admin")
            first.register("viewer")
            token = first.token("viewer")
            room = first.post("/rooms/", {"name": "Lab", "description": "d"}, token=first.token("admin")).json()
            device = first.post("/devices/", {"name": "gw", "ip": "::1", "room_id": room["id"]},
                                token=first.token("admin")).json()
            self.assertEqual(first.stop(), 0)
            if not POSTGRES:  # there the generated secret is in the database, shared by the nodes
                mode = os.stat(os.path.join(first.data_dir, "secret.key")).st_mode
                self.assertEqual(stat.S_IMODE(mode), 0o600)

            second = Server(data_dir=first.data_dir, secret=None).start()
            try:
                self.assertEqual(second.get("/users/me", token=token).json()["username"], "viewer")
                self.assertEqual(second.get(f"/rooms/{room['id']}", token=token).json(), room)
                self.assertEqual(second.get(f"/devices/{device['id']}", token=token).json(), device)
                self.assertEqual(second.login("admin").status, 200)
                self.assertEqual(second.register("Viewer").status, 409)
            finally:
                second.stop()

    def test_a_restart_with_another_secret_refuses_old_tokens(self):
        with Server() as first:
            first.register("alice")
            token = first.token("alice")
            first.stop()
            with Server(data_dir=first.data_dir, secret="x" * 32) as second:
                self.assertEqual(second.get("/users/me", token=token).status, 401)
                self.assertEqual(second.login("alice").status, 200)


class Secret(unittest.TestCase):
    def run_serve(self, env):
        full_env = {k: v for k, v in os.environ.items() if k != "GATEWATCH_SECRET_KEY"}
        full_env.update(env)
        with tempfile.TemporaryDirectory(prefix="gw-secret-") as data:
            return subprocess.run([BINARY, "serve", "--port", "0", "--data-dir", data], env=full_env,
                                  capture_output=True, text=True, timeout=30)

    def test_empty_or_short_secret_refuses_to_start(self):
        for value, word in (("", "empty"), ("too-short", "shorter than 32 bytes")):
            r = self.run_serve({"GATEWATCH_SECRET_KEY": value})
            self.assertNotEqual(r.returncode, 0)
            self.assertIn(word, r.stderr)
            self.assertNotIn("listening", r.stderr)

    def test_the_secret_is_never_logged(self):
        s = Server()
        with s:
            s.register("alice")
            s.token("alice")
        self.assertNotIn(SECRET, "".join(s.log))
        self.assertNotIn("password123", "".join(s.log))


class Shutdown(unittest.TestCase):
    def test_sigterm_finishes_requests_in_flight_then_exits_cleanly(self):
        # One hashing thread: 12 logins take a while, so SIGTERM finds them in flight.
        s = Server(args=["--hash-threads", "1"]).start()
        try:
            s.register("alice")
            results = []
            sent = threading.Semaphore(0)

            def login():
                conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=30)
                try:
                    conn.request("POST", "/token", body="username=alice&password=password123",
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
                    sent.release()
                    results.append(conn.getresponse().status)
                except Exception as e:  # noqa: BLE001 - recorded as a failure below
                    results.append(repr(e))
                finally:
                    conn.close()
            threads = [threading.Thread(target=login) for _ in range(12)]
            for t in threads:
                t.start()
            for _ in threads:
                self.assertTrue(sent.acquire(timeout=30))
            time.sleep(0.05)  # let the server read them all
            s.process.send_signal(signal.SIGTERM)
            for t in threads:
                t.join(30)
            self.assertEqual(s.wait(30), 0, "".join(s.log))
            self.assertEqual(results, [200] * 12, "".join(s.log))
            self.assertTrue(any("stopping" in line for line in s.log))
            # and it no longer accepts
            with self.assertRaises(OSError):
                socket.create_connection(("127.0.0.1", s.port), timeout=5).close()
        finally:
            s.cleanup()


def children_of(pid):
    """The pids whose parent is `pid`, from /proc."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry))
    return found


class OrderedStop(unittest.TestCase):
    def test_sigterm_ends_running_ping_children_and_exits_0(self):
        # A silent device keeps a `ping` child waiting for its timeout when the signal comes:
        # 127.0.0.78 is on lo (in this test's namespace) and an nftables rule drops its echoes.
        silent = "127.0.0.78"
        for command in (["ip", "addr", "add", f"{silent}/32", "dev", "lo"],
                        ["nft", "add", "table", "inet", "gwstop"],
                        ["nft", "add", "chain", "inet", "gwstop", "out", "{ type filter hook output priority 0; }"],
                        ["nft", "add", "rule", "inet", "gwstop", "out", "ip", "daddr", silent, "icmp", "type",
                         "echo-request", "drop"]):
            subprocess.run(command, check=True, capture_output=True)
        s = Server(args=["--probe-method", "ping", "--probe-interval", "1", "--probe-timeout", "20"]).start()
        try:
            s.register("admin")
            token = s.token("admin")
            self.assertEqual(s.post("/devices/", {"name": "silent", "ip": silent}, token=token).status, 201)
            children = wait_for(lambda: children_of(s.process.pid), deadline=30)
            self.assertTrue(children, "no ping child started")
            s.process.send_signal(signal.SIGTERM)
            self.assertEqual(s.wait(30), 0, "".join(s.log))
            self.assertTrue(any("stopped" in line for line in s.log), "".join(s.log))
            for child in children:
                self.assertFalse(os.path.exists(f"/proc/{child}"), f"ping child {child} outlived gatewatch")
        finally:
            s.cleanup()


class HashingPool(unittest.TestCase):
    def test_a_login_burst_past_the_queue_gets_503_with_retry_after(self):
        with Server(args=["--hash-threads", "1", "--hash-queue", "1"]) as s:
            s.register("alice")
            token = s.token("alice")
            results = []
            lock = threading.Lock()

            def login():
                r = s.login("alice")
                with lock:
                    results.append((r.status, r.header("Retry-After"), r.body))
            threads = [threading.Thread(target=login) for _ in range(16)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(60)
            statuses = [status for status, _, _ in results]
            self.assertEqual(len(results), 16)
            self.assertIn(200, statuses)
            self.assertIn(503, statuses, statuses)
            self.assertTrue(all(status in (200, 503) for status in statuses), statuses)
            for status, retry_after, body in results:
                if status == 503:
                    self.assertEqual(retry_after, "1")
                    self.assertIn("detail", body)
            self.assertEqual(s.get("/users/me", token=token).status, 200)


class AdminCommands(unittest.TestCase):
    def test_user_commands_while_the_server_runs(self):
        with Server() as s:
            r = s.cli("add", "ops", "--role", "admin", stdin="ops-password\n")
            self.assertEqual(r.returncode, 0, r.stderr)
            token = s.token("ops", "ops-password")
            self.assertEqual(s.get("/users/me", token=token).json()["role"], "admin")

            self.assertNotEqual(s.cli("add", "ops", stdin="another-pass\n").returncode, 0)
            self.assertNotEqual(s.cli("add", "x", stdin="password123\n").returncode, 0)
            self.assertNotEqual(s.cli("add", "shorty", stdin="short\n").returncode, 0)
            self.assertNotEqual(s.cli("add", "roleless", "--role", "root", stdin="password123\n").returncode, 0)

            self.assertEqual(s.cli("passwd", "ops", stdin="new-password\n").returncode, 0)
            self.assertEqual(s.login("ops", "ops-password").status, 401)
            self.assertEqual(s.login("ops", "new-password").status, 200)
            self.assertNotEqual(s.cli("passwd", "nobody", stdin="new-password\n").returncode, 0)

            s.register("web-user")
            listing = s.cli("list").stdout.splitlines()
            self.assertEqual([line.split("\t")[1:] for line in listing], [["ops", "admin"], ["web-user", "viewer"]])

            self.assertEqual(s.cli("delete", "ops").returncode, 0)
            # The server learns of another process's write through its change feed.
            self.assertTrue(wait_for(lambda: s.get("/users/me", token=token).status == 401, deadline=10))
            self.assertNotEqual(s.cli("delete", "ops").returncode, 0)


class Help(unittest.TestCase):
    def test_help_describes_every_setting(self):
        out = subprocess.run([BINARY, "serve", "--help"], capture_output=True, text=True).stdout
        for flag in ["--config", "--host", "--port", "--data-dir", "--secret-key", "--token-minutes",
                     "--registration-open", "--io-threads", "--hash-threads", "--hash-queue", "--request-timeout",
                     "--idle-timeout", "--log-level"]:
            self.assertIn(flag, out)
            env = "GATEWATCH_" + flag[2:].upper().replace("-", "_")
            self.assertIn(env, out)
        top = subprocess.run([BINARY, "--help"], capture_output=True, text=True).stdout
        self.assertIn("serve", top)
        self.assertIn("user", top)

    def test_bad_configuration_is_fatal_with_a_message(self):
        r = subprocess.run([BINARY, "serve", "--token-minutes", "0", "--data-dir", "/tmp/gw-unused"],
                           capture_output=True, text=True, timeout=30)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("token_minutes", r.stderr)


if __name__ == "__main__":
    unittest.main()
