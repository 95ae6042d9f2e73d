"""The contract's room and device rows, every error row included."""
import unittest

from harness import ServerTestCase

BAD_IDS = ["abc", "0", "-1", "1.5", "99999999999999999999", "1e3"]


class Rooms(ServerTestCase):
    def create(self, **body):
        r = self.server.post("/rooms/", body, token=self.admin)
        self.assertEqual(r.status, 201, r)
        return r.json()

    def test_crud(self):
        room = self.create(name="Lab")
        self.assertEqual(room, {"id": room["id"], "name": "Lab", "description": None})
        other = self.create(name="Office", description="2nd floor")
        self.assertEqual(other["description"], "2nd floor")
        listed = self.server.get("/rooms/", token=self.viewer).json()
        self.assertIn(room, listed)
        self.assertIn(other, listed)
        self.assertEqual(self.server.get(f"/rooms/{room['id']}", token=self.viewer).json(), room)
        self.assertEqual(self.server.get(f"/rooms/{room['id']}/", token=self.viewer).json(), room)

        r = self.server.put(f"/rooms/{room['id']}", {"description": "ground floor"}, token=self.admin)
        self.assertEqual(r.json(), {"id": room["id"], "name": "Lab", "description": "ground floor"})
        r = self.server.put(f"/rooms/{room['id']}", {"name": "Lab 2"}, token=self.admin)
        self.assertEqual(r.json()["description"], "ground floor")
        r = self.server.put(f"/rooms/{room['id']}", {"description": None}, token=self.admin)
        self.assertIsNone(r.json()["description"])
        self.assertEqual(self.server.get(f"/rooms/{room['id']}", token=self.viewer).json()["name"], "Lab 2")

        self.assertEqual(self.server.delete(f"/rooms/{room['id']}", token=self.admin).status, 204)
        self.assertError(self.server.get(f"/rooms/{room['id']}", token=self.viewer), 404, "Room not found")
        self.assertError(self.server.delete(f"/rooms/{room['id']}", token=self.admin), 404, "Room not found")
        self.assertError(self.server.put(f"/rooms/{room['id']}", {"name": "x"}, token=self.admin), 404, "Room not found")

    def test_validation(self):
        for body, loc in [({}, "name"), ({"name": ""}, "name"), ({"name": "n" * 101}, "name"),
                          ({"name": 3}, "name"), ({"name": "ok", "description": "d" * 501}, "description"),
                          ({"name": "ok", "description": 7}, "description")]:
            self.assertValidation(self.server.post("/rooms/", body, token=self.admin), ("body", loc))
        self.create(name="n" * 100, description="d" * 500)
        self.create(name="ü" * 100)  # characters, not bytes
        room = self.create(name="Keep")
        self.assertValidation(self.server.put(f"/rooms/{room['id']}", {"name": None}, token=self.admin), ("body", "name"))
        self.assertValidation(self.server.put(f"/rooms/{room['id']}", {"name": ""}, token=self.admin), ("body", "name"))
        self.assertEqual(self.server.get(f"/rooms/{room['id']}", token=self.viewer).json()["name"], "Keep")

    def test_room_with_devices_cannot_be_deleted(self):
        room = self.create(name="Busy")
        device = self.server.post("/devices/", {"name": "d", "ip": "127.0.10.1", "room_id": room["id"]}, token=self.admin)
        self.assertEqual(device.status, 201, device)
        self.assertError(self.server.delete(f"/rooms/{room['id']}", token=self.admin), 409)
        self.assertEqual(self.server.get(f"/rooms/{room['id']}", token=self.viewer).status, 200)
        self.server.delete(f"/devices/{device.json()['id']}", token=self.admin)
        self.assertEqual(self.server.delete(f"/rooms/{room['id']}", token=self.admin).status, 204)

    def test_viewer_cannot_write(self):
        room = self.create(name="Mine")
        for method, path, body in [("POST", "/rooms/", {"name": "x"}), ("PUT", f"/rooms/{room['id']}", {"name": "x"}),
                                   ("DELETE", f"/rooms/{room['id']}", None)]:
            self.assertError(self.server.request(method, path, json_body=body, token=self.viewer), 403,
                             "Not enough permissions")
        self.assertEqual(self.server.get(f"/rooms/{room['id']}", token=self.viewer).json()["name"], "Mine")

    def test_bad_ids_are_422(self):
        for bad in BAD_IDS:
            for method in ("GET", "PUT", "DELETE"):
                r = self.server.request(method, f"/rooms/{bad}", json_body={"name": "x"}, token=self.admin)
                self.assertValidation(r, ("path", "room_id"))
        self.assertTrue(self.server.alive())


class Devices(ServerTestCase):
    def create(self, **body):
        r = self.server.post("/devices/", body, token=self.admin)
        self.assertEqual(r.status, 201, r)
        return r.json()

    def test_crud_and_defaults(self):
        device = self.create(name="gw", ip="127.0.20.1")
        self.assertEqual(device, {"id": device["id"], "name": "gw", "ip": "127.0.20.1", "room_id": None,
                                  "monitored": True, "check": {"type": "icmp"}, "parent_id": None,
                                  "locations": None, "quorum": 1})
        self.assertEqual(self.server.get(f"/devices/{device['id']}", token=self.viewer).json(), device)
        self.assertIn(device, self.server.get("/devices/", token=self.viewer).json())

        r = self.server.put(f"/devices/{device['id']}", {"monitored": False}, token=self.admin)
        self.assertEqual(r.json(), {**device, "monitored": False})
        r = self.server.put(f"/devices/{device['id']}", {"name": "gateway", "ip": "::1"}, token=self.admin)
        self.assertEqual((r.json()["name"], r.json()["ip"], r.json()["monitored"]), ("gateway", "::1", False))

        self.assertEqual(self.server.delete(f"/devices/{device['id']}", token=self.admin).status, 204)
        self.assertError(self.server.get(f"/devices/{device['id']}", token=self.viewer), 404, "Device not found")
        self.assertError(self.server.delete(f"/devices/{device['id']}", token=self.admin), 404, "Device not found")
        self.assertError(self.server.put(f"/devices/{device['id']}", {"name": "x"}, token=self.admin), 404,
                         "Device not found")

    def test_rooms_and_filter(self):
        a = self.server.post("/rooms/", {"name": "A"}, token=self.admin).json()
        b = self.server.post("/rooms/", {"name": "B"}, token=self.admin).json()
        d1 = self.create(name="a1", ip="127.0.21.1", room_id=a["id"])
        d2 = self.create(name="b1", ip="127.0.21.2", room_id=b["id"])
        self.assertEqual(self.server.get(f"/devices/?room_id={a['id']}", token=self.viewer).json(), [d1])
        self.assertEqual(self.server.get(f"/devices?room_id={b['id']}", token=self.viewer).json(), [d2])
        self.assertValidation(self.server.get("/devices/?room_id=abc", token=self.viewer), ("query", "room_id"))
        self.assertError(self.server.post("/devices/", {"name": "x", "ip": "127.0.21.3", "room_id": 999999},
                                          token=self.admin), 404, "Room not found")
        self.assertError(self.server.put(f"/devices/{d1['id']}", {"room_id": 999999}, token=self.admin), 404,
                         "Room not found")
        r = self.server.put(f"/devices/{d1['id']}", {"room_id": None}, token=self.admin)
        self.assertIsNone(r.json()["room_id"])
        r = self.server.put(f"/devices/{d1['id']}", {"room_id": b["id"]}, token=self.admin)
        self.assertEqual(r.json()["room_id"], b["id"])

    def test_ip_validation_and_canonical_form(self):
        for bad in ["", "localhost", "256.1.1.1", "1.2.3", "01.2.3.4", "1.2.3.4/32", " 127.0.0.1", "fe80::1%lo",
                    "2001:db8:::1", "gibberish", 12345, None]:
            self.assertValidation(self.server.post("/devices/", {"name": "x", "ip": bad}, token=self.admin),
                                  ("body", "ip"))
        self.assertEqual(self.create(name="v6", ip="2001:DB8:0:0:0:0:0:1")["ip"], "2001:db8::1")
        self.assertEqual(self.create(name="v6b", ip="2001:0db8:0:1:0:0:0:1")["ip"], "2001:db8:0:1::1")

    def test_ip_already_in_use(self):
        first = self.create(name="one", ip="2001:db8::10")
        self.assertError(self.server.post("/devices/", {"name": "two", "ip": "2001:DB8:0::10"}, token=self.admin),
                         409, "IP address already in use")
        other = self.create(name="three", ip="127.0.22.1")
        self.assertError(self.server.put(f"/devices/{other['id']}", {"ip": "2001:db8::10"}, token=self.admin),
                         409, "IP address already in use")
        self.assertEqual(self.server.get(f"/devices/{first['id']}", token=self.viewer).json(), first)
        self.assertEqual(self.server.get(f"/devices/{other['id']}", token=self.viewer).json(), other)

    def test_field_validation(self):
        for body, loc in [({"ip": "127.0.23.1"}, ("body", "name")), ({"name": "x"}, ("body", "ip")),
                          ({"name": "", "ip": "127.0.23.1"}, ("body", "name")),
                          ({"name": "n" * 101, "ip": "127.0.23.1"}, ("body", "name")),
                          ({"name": "x", "ip": "127.0.23.1", "monitored": "perhaps"}, ("body", "monitored")),
                          ({"name": "x", "ip": "127.0.23.1", "monitored": None}, ("body", "monitored")),
                          ({"name": "x", "ip": "127.0.23.1", "room_id": "one"}, ("body", "room_id")),
                          ({"name": "x", "ip": "127.0.23.1", "check": {"type": "udp"}}, ("body", "check", "type")),
                          ({"name": "x", "ip": "127.0.23.1", "check": {"type": "tcp"}}, ("body", "check", "port")),
                          ({"name": "x", "ip": "127.0.23.1", "check": {"type": "tcp", "port": 0}}, ("body", "check", "port")),
                          ({"name": "x", "ip": "127.0.23.1", "check": {"type": "tcp", "port": 65536}}, ("body", "check", "port")),
                          ({"name": "x", "ip": "127.0.23.1", "check": "tcp"}, ("body", "check"))]:
            self.assertValidation(self.server.post("/devices/", body, token=self.admin), loc)
        self.assertNotIn("127.0.23.1", [d["ip"] for d in self.server.get("/devices/", token=self.viewer).json()])
        both = self.server.post("/devices/", {"name": "", "ip": "nope"}, token=self.admin)
        self.assertValidation(both, ("body", "name"), ("body", "ip"))  # every problem at once

    def test_put_nulls_and_partial_updates(self):
        device = self.create(name="keep", ip="127.0.24.1")
        for field in ("name", "ip", "monitored"):
            self.assertValidation(self.server.put(f"/devices/{device['id']}", {field: None}, token=self.admin),
                                  ("body", field))
        self.assertValidation(self.server.put(f"/devices/{device['id']}", {"ip": "999.1.1.1"}, token=self.admin),
                              ("body", "ip"))
        self.assertEqual(self.server.get(f"/devices/{device['id']}", token=self.viewer).json(), device)
        r = self.server.put(f"/devices/{device['id']}", {"check": {"type": "tcp", "port": 22}}, token=self.admin)
        self.assertEqual(r.json()["check"], {"type": "tcp", "port": 22})
        self.assertEqual(r.json()["name"], "keep")

    def test_locations_and_quorum(self):
        """Several nodes' fields, stored on either backend: the locations that
        probe the device (null: any one node) and how many must agree it is down."""
        device = self.create(name="branch", ip="127.0.26.1", locations=["east", "west.2"], quorum=2)
        self.assertEqual((device["locations"], device["quorum"]), (["east", "west.2"], 2))
        self.assertEqual(self.server.get(f"/devices/{device['id']}", token=self.viewer).json(), device)
        path = f"/devices/{device['id']}"
        bad = [({"locations": []}, ("body", "locations")),
               ({"locations": "east"}, ("body", "locations")),
               ({"locations": ["east", "east"]}, ("body", "locations")),
               ({"locations": ["a b"]}, ("body", "locations", 0)),
               ({"locations": ["*"]}, ("body", "locations", 0)),
               ({"locations": ["x" * 65]}, ("body", "locations", 0)),
               ({"locations": [f"l{i}" for i in range(17)]}, ("body", "locations")),
               ({"locations": [7]}, ("body", "locations", 0)),
               ({"quorum": 0}, ("body", "quorum")),
               ({"quorum": "two"}, ("body", "quorum")),
               ({"quorum": 3}, ("body", "quorum")),  # more than its two locations
               ({"locations": None}, ("body", "quorum")),  # quorum 2 needs a list
               ({"locations": ["east"]}, ("body", "quorum"))]
        for body, loc in bad:
            self.assertValidation(self.server.put(path, body, token=self.admin), loc)
        self.assertEqual(self.server.get(path, token=self.viewer).json(), device)  # nothing was written
        self.assertValidation(self.server.post("/devices/", {"name": "x", "ip": "127.0.26.2", "quorum": 2},
                                               token=self.admin), ("body", "quorum"))
        r = self.server.post("/devices/bulk", {"devices": [{"name": "ok", "ip": "127.0.26.3"},
                                                           {"name": "x", "ip": "127.0.26.4", "locations": ["a"],
                                                            "quorum": 2}]}, token=self.admin)
        self.assertValidation(r, ("body", 1, "quorum"))
        # Both at once, and back to any one node.
        r = self.server.put(path, {"locations": None, "quorum": 1}, token=self.admin)
        self.assertEqual((r.json()["locations"], r.json()["quorum"]), (None, 1))
        # Its status detail lists the one node that probes it here (SQLite or PostgreSQL, one node).
        status = self.server.get(f"/devices/{device['id']}/status", token=self.viewer).json()
        self.assertIsInstance(status["locations"], dict)

    def test_viewer_cannot_write(self):
        device = self.create(name="mine", ip="127.0.25.1")
        for method, path, body in [("POST", "/devices/", {"name": "x", "ip": "127.0.25.2"}),
                                   ("PUT", f"/devices/{device['id']}", {"name": "x"}),
                                   ("DELETE", f"/devices/{device['id']}", None)]:
            self.assertError(self.server.request(method, path, json_body=body, token=self.viewer), 403,
                             "Not enough permissions")
        self.assertEqual(self.server.get(f"/devices/{device['id']}", token=self.viewer).json(), device)

    def test_bad_ids_are_422(self):
        for bad in BAD_IDS:
            for method in ("GET", "PUT", "DELETE"):
                r = self.server.request(method, f"/devices/{bad}", json_body={"name": "x"}, token=self.admin)
                self.assertValidation(r, ("path", "device_id"))


if __name__ == "__main__":
    unittest.main()
