"""Configuration as code (contract: "Configuration as code"): `gatewatch
export` / `gatewatch apply FILE [--dry-run] [--prune]` against a running
server's database, and GET/PUT /config. Export -> apply changes nothing; an
edited file's dry run prints the diff and changes nothing; apply changes it
in one transaction, which the running server sees; a bad file changes
nothing."""
import json
import os
import subprocess
import tempfile
import unittest

import yaml

from harness import BINARY, ServerTestCase, wait_for


class Configured(ServerTestCase):
    """A server with a room, devices (a parent, a TCP check, one unmonitored),
    a signed webhook notifier and a maintenance window, made through the API."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        admin = cls.admin
        cls.lab = cls.server.post("/rooms/", {"name": "Lab", "description": "second floor"}, token=admin).json()
        cls.gw = cls.server.post("/devices/", {"name": "gw", "ip": "127.20.0.1", "room_id": cls.lab["id"]},
                                 token=admin).json()
        cls.nas = cls.server.post("/devices/", {"name": "nas", "ip": "127.20.0.2", "room_id": cls.lab["id"],
                                                "parent_id": cls.gw["id"], "check": {"type": "tcp", "port": 445},
                                                "monitored": False}, token=admin).json()
        cls.old = cls.server.post("/devices/", {"name": "old", "ip": "127.20.0.3"}, token=admin).json()
        r = cls.server.post("/notifiers/", {"name": "ops", "type": "webhook", "url": "http://127.0.0.1:9/hook",
                                            "secret": "s3cret", "events": ["down"], "room_id": cls.lab["id"]},
                            token=admin)
        assert r.status == 201, r
        r = cls.server.post("/maintenance/", {"name": "firmware", "start": "2030-01-01T10:00:00Z",
                                              "end": "2030-01-01T12:00:00Z", "device_ids": [cls.nas["id"]]},
                            token=admin)
        assert r.status == 201, r

    def run_cli(self, *args, env=None, stdin=None):
        environment = dict(os.environ if self.server.env is None else self.server.env)
        environment.update(env or {})
        return subprocess.run([BINARY, *args, "--data-dir", self.server.data_dir], input=stdin, capture_output=True,
                              text=True, env=environment, timeout=120)

    def export(self):
        r = self.run_cli("export")
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout

    def write(self, text):
        f = tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False)
        f.write(text if isinstance(text, str) else yaml.safe_dump(text, sort_keys=False))
        f.close()
        self.addCleanup(os.unlink, f.name)
        return f.name

    def devices(self):
        return {d["ip"]: d for d in self.server.get("/devices/", token=self.admin).json()}

    def rooms(self):
        return {r["name"]: r for r in self.server.get("/rooms/", token=self.admin).json()}

    def snapshot(self):
        """Everything config as code manages, as the API shows it."""
        get = lambda path: self.server.get(path, token=self.admin).json()  # noqa: E731
        return get("/rooms/"), get("/devices/"), get("/notifiers/"), get("/maintenance/")


class CommandLine(Configured):
    def test_a_export_then_apply_changes_nothing(self):
        text = self.export()
        document = yaml.safe_load(text)
        self.assertEqual(document["version"], 1)
        self.assertEqual(document["rooms"], [{"name": "Lab", "description": "second floor"}])
        nas = next(d for d in document["devices"] if d["ip"] == "127.20.0.2")
        self.assertEqual(nas, {"name": "nas", "ip": "127.20.0.2", "room": "Lab", "monitored": False,
                               "check": {"type": "tcp", "port": 445}, "parent": "127.20.0.1"})
        ops = document["notifiers"][0]
        self.assertEqual(ops["secret"], "${GATEWATCH_NOTIFIER_OPS_SECRET}")  # never the secret itself
        self.assertNotIn("s3cret", text)
        self.assertEqual((ops["url"], ops["events"], ops["room"]), ("http://127.0.0.1:9/hook", ["down"], "Lab"))
        self.assertEqual(document["maintenance"][0]["devices"], ["127.20.0.2"])

        before = self.snapshot()
        path = self.write(text)
        for flags in ((), ("--dry-run",), ("--prune",)):
            r = self.run_cli("apply", path, *flags)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(r.stdout, f"no changes: the store already matches {path}\n")
        self.assertEqual(self.snapshot(), before)

    def test_b_an_edited_file_is_a_diff_then_a_change_then_a_prune(self):
        document = yaml.safe_load(self.export())
        document["rooms"] = [{"name": "Lab 2", "description": "second floor"}]  # Lab renamed: a new room
        for d in document["devices"]:
            if d.get("room") == "Lab":
                d["room"] = "Lab 2"
        document["notifiers"][0]["room"] = "Lab 2"
        gw = next(d for d in document["devices"] if d["ip"] == "127.20.0.1")
        gw["name"] = "gateway"
        document["devices"] = [d for d in document["devices"] if d["ip"] != "127.20.0.3"]  # old: left out
        document["devices"].append({"name": "camera", "ip": "127.20.0.4", "parent": "127.20.0.1"})
        path = self.write(document)

        before = self.snapshot()
        r = self.run_cli("apply", path, "--dry-run")
        self.assertEqual(r.returncode, 0, r.stderr)
        out = r.stdout.splitlines()
        for line in ('+ room "Lab 2"', '~ device 127.20.0.1: name "gw" -> "gateway"',
                     '~ device 127.20.0.1: room "Lab" -> "Lab 2"', '+ device 127.20.0.4 "camera"',
                     '~ notifier "ops": room "Lab" -> "Lab 2"'):
            self.assertIn(line, out, r.stdout)
        self.assertFalse([l for l in out if l.startswith("-")], r.stdout)  # no --prune: nothing deleted
        self.assertEqual(out[-1], "dry run: 2 to create, 3 to change, 0 to delete (nothing written)")
        self.assertEqual(self.snapshot(), before)

        r = self.run_cli("apply", path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.splitlines()[-1], "applied: 2 to create, 3 to change, 0 to delete")
        # the server learns of it through the change feed (within a second), and reloads
        self.assertTrue(wait_for(lambda: self.devices()["127.20.0.1"]["name"] == "gateway", deadline=30))
        devices, rooms = self.devices(), self.rooms()
        self.assertEqual(devices["127.20.0.1"]["name"], "gateway")
        self.assertEqual(devices["127.20.0.1"]["room_id"], rooms["Lab 2"]["id"])
        self.assertEqual(devices["127.20.0.4"]["parent_id"], devices["127.20.0.1"]["id"])
        self.assertIn("127.20.0.3", devices)  # left out, but no --prune
        self.assertIn("Lab", rooms)
        self.assertEqual(self.run_cli("apply", path).stdout, f"no changes: the store already matches {path}\n")

        r = self.run_cli("apply", path, "--prune")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.splitlines(), ['- device 127.20.0.3 "old"', '- room "Lab"',
                                                 "applied: 0 to create, 0 to change, 2 to delete"])
        self.assertTrue(wait_for(lambda: "127.20.0.3" not in self.devices(), deadline=30))
        self.assertNotIn("Lab", self.rooms())
        # the secret was kept across all of it: GATEWATCH_NOTIFIER_OPS_SECRET was never set
        self.assertTrue(self.server.get("/notifiers/", token=self.admin).json()[0]["has_secret"])

    def test_c_a_bad_file_changes_nothing(self):
        before = self.snapshot()
        good = yaml.safe_load(self.export())
        cases = {
            "unknown field": ("devices:\n  - name: x\n    ip: 127.20.9.1\n    monitord: false\n",
                              'line 4, column 5: devices[0].monitord: unknown field "monitord"'),
            "duplicate ip": ("devices:\n  - {name: x, ip: 127.20.9.1}\n  - {name: y, ip: 127.20.9.1}\n",
                             "line 3, column 5: devices[1].ip: a device with this ip is already at line 2"),
            "wrong type": ("devices:\n  - {name: x, ip: 127.20.9.1, check: {type: tcp, port: '22'}}\n",
                           "line 2, column 56: devices[0].check.port: Input should be a port number"),
            "circle": ("devices:\n  - {name: x, ip: 127.20.9.1, parent: 127.20.9.2}\n"
                       "  - {name: y, ip: 127.20.9.2, parent: 127.20.9.1}\n",
                       "parents go round in a circle: 127.20.9.1 -> 127.20.9.2 -> 127.20.9.1"),
            "not yaml": ("devices: [{name: x\n", "invalid YAML"),
            # every entry commented out: with --prune this would delete every device
            "empty section": ("devices:\n#  - {name: x, ip: 127.20.9.1}\n",
                              "devices: Input should be a list: write [] to manage an empty section"),
            "secret not set": ("notifiers:\n  - {name: new, type: webhook, url: 'http://127.0.0.1:9/', "
                               "secret: '${GATEWATCH_TEST_UNSET}'}\n",
                               "environment variable GATEWATCH_TEST_UNSET is not set"),
        }
        for name, (text, expected) in cases.items():
            with self.subTest(name):
                path = self.write(text)
                r = self.run_cli("apply", path, "--prune")
                self.assertNotEqual(r.returncode, 0)
                self.assertIn(expected, r.stderr)
                self.assertIn(f"{path}: ", r.stderr)
                self.assertIn("nothing changed", r.stderr)
                self.assertEqual(r.stdout, "")
                self.assertEqual(self.snapshot(), before)
        # one bad device among good ones: the good ones are not written either
        good["devices"].append({"name": "bad", "ip": "127.20.9.300"})
        good["devices"].append({"name": "fine", "ip": "127.20.9.5"})
        r = self.run_cli("apply", self.write(good))
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("value is not a valid IPv4 or IPv6 address", r.stderr)
        self.assertEqual(self.snapshot(), before)
        # a set variable is read from the environment
        path = self.write(cases["secret not set"][0])
        r = self.run_cli("apply", path, env={"GATEWATCH_TEST_UNSET": "from-env"})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(wait_for(lambda: [n for n in self.server.get("/notifiers/", token=self.admin).json()
                                          if n["name"] == "new" and n["has_secret"]], deadline=30))

    def test_d_the_running_server_sees_an_apply(self):
        document = yaml.safe_load(self.export())
        document["devices"].append({"name": "live", "ip": "127.0.0.1"})  # loopback answers in the namespace
        r = self.run_cli("apply", self.write(document))
        self.assertEqual(r.returncode, 0, r.stderr)
        # the change feed reloads the server: the list, and the monitor, which probes it
        self.assertTrue(wait_for(lambda: "127.0.0.1" in self.devices(), deadline=30))
        self.assertTrue(wait_for(lambda: self.server.get("/device_status/", token=self.admin).json()
                                 .get("127.0.0.1") == "connected", deadline=60))


class Http(Configured):
    def test_get_config_as_yaml_and_json(self):
        r = self.server.get("/config", token=self.admin)
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.header("content-type").startswith("application/yaml"), r)
        document = yaml.safe_load(r.body)
        r = self.server.get("/config/", token=self.admin, headers={"Accept": "application/json"})
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.header("content-type").startswith("application/json"), r)
        self.assertEqual(r.json(), {**document, "rooms": [{"description": "second floor", "name": "Lab"}],
                                    "devices": [{"room": None, "parent": None, "locations": None, "quorum": 1, **d}
                                                for d in document["devices"]],
                                    "notifiers": [{"room": None, **n} for n in document["notifiers"]],
                                    "maintenance": [{"room": None, **w} for w in document["maintenance"]]})
        self.assertError(self.server.get("/config", token=self.viewer), 403)
        self.assertError(self.server.get("/config"), 401)

    def put(self, body, query="", token=None, content_type="application/yaml"):
        return self.server.request("PUT", "/config" + query, body=body.encode(), token=token or self.admin,
                                   content_type=content_type)

    def test_put_config_plans_applies_and_refuses(self):
        before = self.snapshot()
        document = yaml.safe_load(self.server.get("/config", token=self.admin).body)
        document["devices"].append({"name": "printer", "ip": "127.20.0.9"})
        text = yaml.safe_dump(document)

        r = self.put(text, "?dry_run=true")
        self.assertEqual(r.status, 200, r)
        plan = r.json()
        self.assertEqual((plan["dry_run"], plan["prune"]), (True, False))
        self.assertEqual(plan["create"], [{"kind": "device", "key": "127.20.0.9",
                                           "line": '+ device 127.20.0.9 "printer"'}])
        self.assertEqual((plan["change"], plan["delete"]), ([], []))
        self.assertEqual(self.snapshot(), before)

        self.assertError(self.put(text, token=self.viewer), 403)
        self.assertError(self.put(text, content_type="text/plain"), 415)
        r = self.put("devices:\n  - {name: x, ip: 127.20.0.9, colour: red}\n", "?prune=true")
        self.assertValidation(r, ("body", "devices", 0, "colour"))
        self.assertEqual(r.json()["detail"][0]["ctx"], {"line": 2, "column": 31})
        self.assertValidation(self.put(text, "?dry_run=maybe"), ("query", "dry_run"))
        # bytes that are not UTF-8 would make every later JSON answer invalid
        r = self.server.request("PUT", "/config", body=b'rooms:\n  - name: "La\xffb"\n', token=self.admin,
                                content_type="application/yaml")
        self.assertValidation(r, ("body", "rooms", 0, "name"))
        self.assertEqual(self.snapshot(), before)

        r = self.put(json.dumps(document), content_type="application/json")  # JSON too
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["summary"], "1 to create, 0 to change, 0 to delete")
        self.assertIn("127.20.0.9", self.devices())  # read your writes: the server reloaded at once
        self.assertEqual(self.put(text).json()["summary"], "no changes")

        # a secret reference is never read from the server's environment: the stored one is kept
        r = self.put(text, "?prune=true", content_type="text/yaml")
        self.assertEqual(r.status, 200, r)
        self.assertTrue(self.server.get("/notifiers/", token=self.admin).json()[0]["has_secret"])


if __name__ == "__main__":
    unittest.main()
