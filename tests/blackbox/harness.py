"""Starts the real gatewatch binary and speaks HTTP to it.

Each Server gets a fresh data directory and a free loopback port (gatewatch
binds port 0 and logs the port it got). Only the standard library is used,
so the tests run on Debian's /usr/bin/python3 with nothing else installed.
"""
import base64
import hashlib
import hmac
import http.client
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.parse

BINARY = os.environ.get("GATEWATCH_BIN", "build/release/src/gatewatch")
SECRET = "black-box-test-secret-0123456789abcdef"  # 38 bytes
# The binary is the ASan + UBSan build: memory figures mean little there (ASan
# keeps freed memory in quarantine), and its checks need spare descriptors.
SANITIZED = os.environ.get("GATEWATCH_SANITIZED") == "1"
START_DEADLINE = 30.0
# "postgresql": every Server keeps its data in a database of a private
# PostgreSQL that this test process starts (tests/postgres.sh, a Unix socket
# in /tmp: it works inside the test's network namespace), one database per
# data directory, so a restart on the same directory finds its data again.
BACKEND = os.environ.get("GATEWATCH_TEST_BACKEND", "sqlite")
POSTGRES = BACKEND == "postgresql"
POSTGRES_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "postgres.sh")
_postgres = {}  # "dir", "url" of the cluster; "databases": the ones made


def database_for(data_dir):
    """The GATEWATCH_DATABASE of a data directory: None on SQLite (the
    directory's own files), else its database on the private PostgreSQL."""
    if not POSTGRES:
        return None
    if "url" not in _postgres:
        import atexit
        cluster = tempfile.mkdtemp(prefix="gw-pg-blackbox-")
        url = subprocess.run([POSTGRES_SCRIPT, "start", cluster], check=True, capture_output=True,
                             text=True).stdout.strip()
        atexit.register(lambda: subprocess.run([POSTGRES_SCRIPT, "stop", cluster], capture_output=True))
        _postgres.update(dir=cluster, url=url, databases=set())
    name = "gw_" + hashlib.sha256(os.path.abspath(data_dir).encode()).hexdigest()[:16]
    if name not in _postgres["databases"]:
        subprocess.run(["psql", "-q", _postgres["url"], "-c", f"CREATE DATABASE {name}"], check=True,
                       capture_output=True)
        _postgres["databases"].add(name)
    return _postgres["url"].replace("/postgres?", f"/{name}?")


def postgres_server(command):
    """Halts (`halt`: the data stays) or starts again (`start`) this test
    process's private PostgreSQL: an outage for the cluster tests."""
    subprocess.run([POSTGRES_SCRIPT, command, _postgres["dir"]], check=True, capture_output=True)


def backend_env(data_dir):
    """What a gatewatch process on `data_dir` needs in its environment to find its data."""
    url = database_for(data_dir)
    return {"GATEWATCH_DATABASE": url} if url else {}


def stored_value(data_dir, sql):
    """One value that the server on `data_dir` stored, read from its main
    database behind its back, whichever backend holds it."""
    url = database_for(data_dir)
    if url:
        return subprocess.run(["psql", "-tA", url, "-c", sql], check=True, capture_output=True,
                              text=True).stdout.strip()
    import sqlite3
    with sqlite3.connect(os.path.join(data_dir, "gatewatch.db")) as db:
        return db.execute(sql).fetchone()[0]


sqlite_only = unittest.skipIf(POSTGRES, "reads the SQLite files or the data directory's secret file")


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)

    @property
    def detail(self):
        return self.json()["detail"]

    def header(self, name):
        return self.headers.get(name.lower())

    def __repr__(self):
        return f"<{self.status} {self.body[:300]!r}>"


class Server:
    def __init__(self, data_dir=None, args=(), env=None, secret=SECRET, nofile=None, prefix=()):
        """nofile: (soft, hard) RLIMIT_NOFILE to start the server under;
        prefix: a command that runs the binary (e.g. in a namespace of its own)."""
        self.own_dir = data_dir is None
        self.prefix = list(prefix)
        self.nofile = nofile
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="gw-blackbox-")
        self.args = list(args)
        self.env = dict(os.environ)
        self.env.pop("GATEWATCH_SECRET_KEY", None)
        if secret is not None:
            self.env["GATEWATCH_SECRET_KEY"] = secret
        self.env.update(backend_env(self.data_dir))
        self.env.update(env or {})
        self.process = None
        self.port = None
        self.log = []

    def start(self):
        limit = self.nofile
        preexec = (lambda: resource.setrlimit(resource.RLIMIT_NOFILE, limit)) if limit else None
        self.process = subprocess.Popen(
            [*self.prefix, BINARY, "serve", "--port", "0", "--data-dir", self.data_dir, *self.args],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=self.env, preexec_fn=preexec)
        ready = threading.Event()

        def drain():
            for line in self.process.stderr:
                self.log.append(line)
                m = re.search(r"listening on http://[^ ]+:(\d+)", line)
                if m:
                    self.port = int(m.group(1))
                    ready.set()
            self.process.stderr.close()
            ready.set()

        self.reader = threading.Thread(target=drain, daemon=True)
        self.reader.start()
        ready.wait(START_DEADLINE)
        if self.port is None:
            self.process.kill()
            raise RuntimeError("gatewatch did not start:\n" + "".join(self.log))
        return self

    def wait(self, timeout=30):
        """Waits for the process to end and for its last log lines to be read."""
        code = self.process.wait(timeout)
        self.reader.join(timeout)
        return code

    def stop(self, sig=signal.SIGTERM):
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        if self.process:
            self.wait()
        return self.process.returncode

    def cleanup(self):
        self.stop()
        if self.own_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.cleanup()

    # --- HTTP ---------------------------------------------------------------
    def request(self, method, path, json_body=None, body=None, token=None, headers=None, form=None,
                source=None, dest="127.0.0.1", content_type=None):
        """One request on a fresh connection, from `source` (default: any) to
        `dest`; content_type overrides the body's own."""
        h = dict(headers or {})
        if json_body is not None:
            body = json.dumps(json_body)
            h.setdefault("Content-Type", "application/json")
        if form is not None:
            body = urllib.parse.urlencode(form)
            h.setdefault("Content-Type", "application/x-www-form-urlencoded")
        if content_type is not None:
            h["Content-Type"] = content_type
        if token is not None:
            h["Authorization"] = f"Bearer {token}"
        conn = http.client.HTTPConnection(dest, self.port, timeout=60,
                                          source_address=(source, 0) if source else None)
        try:
            conn.request(method, path, body=body, headers=h)
            r = conn.getresponse()
            return Response(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read().decode("utf-8", "replace"))
        finally:
            conn.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, json_body=None, **kw):
        return self.request("POST", path, json_body=json_body, **kw)

    def put(self, path, json_body=None, **kw):
        return self.request("PUT", path, json_body=json_body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    # --- accounts -------------------------------------------------------------
    def register(self, username, password="password123", **kw):
        return self.post("/users/", {"username": username, "password": password}, **kw)

    def login(self, username, password="password123"):
        return self.request("POST", "/token", form={"username": username, "password": password})

    def token(self, username, password="password123"):
        r = self.login(username, password)
        assert r.status == 200, r
        return r.json()["access_token"]

    def cli(self, *args, stdin=None):
        """Runs `gatewatch user ...` on this server's data directory."""
        return subprocess.run([BINARY, "user", *args, "--data-dir", self.data_dir], input=stdin,
                              capture_output=True, text=True, env=self.env, timeout=60)

    def alive(self):
        """True when the server still answers a plain request."""
        return self.get("/users/me").status == 401


def b64url(data):
    if isinstance(data, str):
        data = data.encode()
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forge_token(claims, alg="HS256", key=SECRET, header=None):
    """A JWT made by hand, as an attacker or another backend would make it."""
    header = header or {"alg": alg, "typ": "JWT"}
    signing_input = b64url(json.dumps(header)) + "." + b64url(json.dumps(claims))
    digests = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}
    if alg not in digests:
        return signing_input + "."
    sig = hmac.new(key.encode(), signing_input.encode(), digests[alg]).digest()
    return signing_input + "." + b64url(sig)


def claims(token):
    """The claims of a JWT, unverified."""
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def session_token(sub, uid, seconds=600, iat=None, key=SECRET, gen=None):
    """A forged token with the claims a login gives (sub, uid, iat, exp, and gen,
    the account's token generation, 0 when left out): valid while the account
    `sub` still has id `uid` and its tokens were not revoked since generation `gen`."""
    now = time.time()
    claims = {"sub": sub, "uid": uid, "iat": now if iat is None else iat, "exp": int(now) + seconds}
    if gen is not None:
        claims["gen"] = gen
    return forge_token(claims, key=key)


def wait_for(predicate, deadline=30.0, interval=0.05):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()


class ServerTestCase(unittest.TestCase):
    """One server for the whole class, with an admin and a viewer."""
    server_args = ()
    server_env = None

    @classmethod
    def setUpClass(cls):
        cls.server = Server(args=cls.server_args, env=cls.server_env).start()
        assert cls.server.register("admin").status == 201
        assert cls.server.register("viewer").status == 201
        cls.admin = cls.server.token("admin")
        cls.viewer = cls.server.token("viewer")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def assertError(self, r, status, detail=None):
        self.assertEqual(r.status, status, r)
        if detail is not None:
            self.assertEqual(r.detail, detail, r)

    def assertValidation(self, r, *locs):
        """A FastAPI-shaped 422 naming each of `locs` (tuples) among its errors."""
        self.assertEqual(r.status, 422, r)
        detail = r.json()["detail"]
        self.assertIsInstance(detail, list, r)
        for item in detail:
            self.assertEqual(set(item) >= {"loc", "msg", "type"}, True, item)
        got = [tuple(item["loc"]) for item in detail]
        for loc in locs:
            self.assertIn(tuple(loc), got, r)
