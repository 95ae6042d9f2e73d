"""The server side of the dashboard: its files at "/", their headers, the
API's precedence over them, the web_root setting, and the detail form of the
status (GET /device_status/?detail=true and /ws/status/?detail=true).
Uses a small folder of its own in place of the real build, so it runs
without node."""
import os
import shutil
import subprocess
import tempfile
import unittest

from harness import BINARY, SECRET, Server, ServerTestCase, wait_for
from wsclient import WebSocket

INDEX = "<!doctype html><title>gatewatch</title><script type=module src=/assets/app-3f2a9c.js></script>"
SCRIPT = "console.log('dashboard')"


def make_site():
    root = tempfile.mkdtemp(prefix="gw-site-")
    os.makedirs(os.path.join(root, "assets"))
    files = {"index.html": INDEX, "assets/app-3f2a9c.js": SCRIPT, "assets/app-77aa01.css": "body{}",
             "favicon.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
             # A file named like an API path: the API must still answer there.
             "rooms": "not the API"}
    for name, text in files.items():
        with open(os.path.join(root, name), "w") as f:
            f.write(text)
    secret_dir = tempfile.mkdtemp(prefix="gw-outside-")
    with open(os.path.join(secret_dir, "secret.txt"), "w") as f:
        f.write("outside the web root")
    os.symlink(os.path.join(secret_dir, "secret.txt"), os.path.join(root, "link.txt"))
    return root, secret_dir


class StaticFiles(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.site, cls.outside = make_site()
        cls.server_args = ("--web-root", cls.site, "--probe-interval", "1", "--probe-timeout", "0.5",
                           "--probe-spacing", "0.1", "--push-interval", "1")
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(cls.site, ignore_errors=True)
        shutil.rmtree(cls.outside, ignore_errors=True)

    def test_index_at_root_revalidated_with_a_strict_policy(self):
        for path in ("/", "/index.html"):
            r = self.server.get(path)
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.body, INDEX)
            self.assertEqual(r.header("content-type"), "text/html; charset=utf-8")
            self.assertEqual(r.header("cache-control"), "no-cache")
            policy = r.header("content-security-policy")
            self.assertIn("script-src 'self'", policy)
            self.assertIn("frame-ancestors 'none'", policy)
            self.assertNotIn("unsafe-inline", policy)
            self.assertNotIn("unsafe-eval", policy)
            self.assertEqual(r.header("x-content-type-options"), "nosniff")
            self.assertEqual(r.header("referrer-policy"), "no-referrer")
            self.assertIsNone(r.header("access-control-allow-origin"))

    def test_hashed_assets_cached_for_a_year_with_their_types(self):
        r = self.server.get("/assets/app-3f2a9c.js")
        self.assertEqual((r.status, r.body), (200, SCRIPT))
        self.assertEqual(r.header("content-type"), "text/javascript; charset=utf-8")
        self.assertEqual(r.header("cache-control"), "public, max-age=31536000, immutable")
        self.assertEqual(self.server.get("/assets/app-77aa01.css").header("content-type"), "text/css; charset=utf-8")
        favicon = self.server.get("/favicon.svg")
        self.assertEqual(favicon.header("content-type"), "image/svg+xml")
        self.assertEqual(favicon.header("cache-control"), "no-cache")

    def test_api_paths_win_over_files(self):
        self.assertError(self.server.get("/rooms"), 401, "Not authenticated")
        self.assertEqual(self.server.get("/rooms", token=self.viewer).json(), [])

    def test_nothing_outside_the_folder(self):
        for path in ("/link.txt", "/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt", "/nope",
                     "/assets/"):
            r = self.server.get(path)
            self.assertEqual(r.status, 404, (path, r))
            self.assertEqual(r.detail, "Not Found")

    def test_files_only_by_get(self):
        r = self.server.post("/", {"x": 1})
        self.assertError(r, 405, "Method Not Allowed")
        self.assertEqual(r.header("allow"), "GET")

    def test_status_detail(self):
        r = self.server.post("/devices/", {"name": "local", "ip": "127.0.0.1"}, token=self.admin)
        self.assertEqual(r.status, 201, r)
        device_id = r.json()["id"]
        self.addCleanup(self.server.delete, f"/devices/{device_id}", token=self.admin)

        def probed():
            detail = self.server.get("/device_status/?detail=true", token=self.viewer).json().get("127.0.0.1")
            return detail if detail and detail["status"] == "connected" else None

        detail = wait_for(probed)
        self.assertEqual(detail["device_id"], device_id)
        self.assertEqual(set(detail), {"device_id", "status", "rtt_ms", "loss", "since", "last_probe", "unreachable_via"})
        self.assertEqual(detail["loss"], 0)
        self.assertGreaterEqual(detail["rtt_ms"], 0)
        # The contract's form is unchanged, with or without ?detail=false.
        self.assertEqual(self.server.get("/device_status/", token=self.viewer).json(), {"127.0.0.1": "connected"})
        self.assertEqual(self.server.get("/device_status/?detail=false", token=self.viewer).json(),
                         {"127.0.0.1": "connected"})
        self.assertValidation(self.server.get("/device_status/?detail=maybe", token=self.viewer), ("query", "detail"))

        ws = WebSocket(self.server.port, path="/ws/status/?detail=true", query_token=self.viewer)
        try:
            self.assertEqual(ws.status, 101)
            message = ws.wait_for(lambda m: "127.0.0.1" in m)
            self.assertEqual(message["127.0.0.1"]["status"], "connected")
            self.assertEqual(message["127.0.0.1"]["device_id"], device_id)
        finally:
            ws.close()


class WebRootSetting(unittest.TestCase):
    def test_a_missing_folder_that_was_asked_for_is_fatal(self):
        data = tempfile.mkdtemp(prefix="gw-blackbox-")
        try:
            run = subprocess.run([BINARY, "serve", "--port", "0", "--data-dir", data, "--web-root", "/nonexistent/web"],
                                 capture_output=True, text=True, timeout=30, env={**os.environ, "GATEWATCH_SECRET_KEY": SECRET})
            self.assertNotEqual(run.returncode, 0)
            self.assertIn("web_root", run.stderr)
            self.assertIn("/nonexistent/web", run.stderr)
        finally:
            shutil.rmtree(data, ignore_errors=True)

    def test_none_serves_the_api_only(self):
        with Server(args=("--web-root", "none")) as server:
            r = server.get("/")
            self.assertEqual((r.status, r.detail), (404, "Not Found"))
            self.assertEqual(server.register("first").status, 201)


if __name__ == "__main__":
    unittest.main()
