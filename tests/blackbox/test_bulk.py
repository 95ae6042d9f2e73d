"""Bulk devices (contract: "Bulk devices"): JSON or CSV, all or nothing, every
bad row reported. The namespace's lo holds only 127.0.0.1, so the imported
addresses do not answer: once probed they are disconnected."""
import unittest

from harness import ServerTestCase, wait_for

FAST = ("--probe-interval", "1", "--probe-timeout", "0.3", "--probe-spacing", "0", "--pings-per-round", "1",
        "--down-after", "1")


class Bulk(ServerTestCase):
    server_args = FAST

    def csv(self, text, token=None):
        return self.server.request("POST", "/devices/bulk", body=text.encode(), token=token or self.admin,
                                   content_type="text/csv")

    def devices(self):
        return self.server.get("/devices/", token=self.admin).json()

    def cleanup_devices(self, created):
        for d in sorted(created, key=lambda d: -d["id"]):
            self.server.delete(f"/devices/{d['id']}", token=self.admin)

    def test_json_rows(self):
        room = self.server.post("/rooms/", {"name": "json room"}, token=self.admin).json()
        self.addCleanup(self.server.delete, f"/rooms/{room['id']}", token=self.admin)
        r = self.server.post("/devices/bulk", {"devices": [
            {"name": "a", "ip": "127.3.0.1", "room_id": room["id"]},
            {"name": "b", "ip": "127.3.0.2", "check": {"type": "tcp", "port": 22}, "monitored": False},
        ]}, token=self.admin)
        self.assertEqual(r.status, 201, r)
        body = r.json()
        self.addCleanup(self.cleanup_devices, body["devices"])
        self.assertEqual(body["created"], 2)
        self.assertEqual([(d["name"], d["room_id"], d["monitored"]) for d in body["devices"]],
                         [("a", room["id"], True), ("b", None, False)])
        self.assertEqual(body["devices"][1]["check"], {"type": "tcp", "port": 22})
        status = self.server.get("/device_status/", token=self.viewer).json()
        self.assertIn("127.3.0.1", status)  # listed at once
        self.assertNotIn("127.3.0.2", status)  # not monitored
        # every bad row, then nothing
        r = self.server.post("/devices/bulk", {"devices": [
            {"name": "ok", "ip": "127.3.0.9"},
            {"name": "", "ip": "127.3.0.10"},
            {"name": "c", "ip": "not an ip"},
            {"name": "d", "ip": "127.3.0.1"},
            {"name": "e", "ip": "127.3.0.11", "room_id": 999999},
            "not an object",
        ]}, token=self.admin)
        self.assertValidation(r, ("body", 1, "name"), ("body", 2, "ip"), ("body", 3, "ip"), ("body", 4, "room_id"),
                              ("body", 5))
        self.assertNotIn("127.3.0.9", [d["ip"] for d in self.devices()])
        self.assertValidation(self.server.post("/devices/bulk", {"devices": "x"}, token=self.admin), ("body", "devices"))
        self.assertValidation(self.server.post("/devices/bulk", {}, token=self.admin), ("body", "devices"))

    def test_csv_with_rooms_by_name_and_parents_by_ip(self):
        text = ("name,ip,room,monitored,check_port,parent_ip\r\n"
                '"switch, second floor",127.4.0.2,Lab,true,,127.4.0.1\r\n'
                'gateway,127.4.0.1,Lab,,,\r\n'
                '"printer ""big""",127.4.0.3,,false,9100,127.4.0.2\r\n')
        r = self.csv(text)
        self.assertEqual(r.status, 201, r)
        created = r.json()["devices"]
        self.addCleanup(self.cleanup_devices, created)
        by_ip = {d["ip"]: d for d in created}
        self.assertEqual(by_ip["127.4.0.2"]["name"], "switch, second floor")
        self.assertEqual(by_ip["127.4.0.3"]["name"], 'printer "big"')
        self.assertEqual(by_ip["127.4.0.2"]["parent_id"], by_ip["127.4.0.1"]["id"])
        self.assertEqual(by_ip["127.4.0.3"]["parent_id"], by_ip["127.4.0.2"]["id"])
        self.assertEqual(by_ip["127.4.0.3"]["check"], {"type": "tcp", "port": 9100})
        self.assertFalse(by_ip["127.4.0.3"]["monitored"])
        lab = [room for room in self.server.get("/rooms/", token=self.admin).json() if room["name"] == "Lab"]
        self.assertEqual(len(lab), 1)  # created once, used by both rows
        self.addCleanup(self.server.delete, f"/rooms/{lab[0]['id']}", token=self.admin)
        self.assertEqual(by_ip["127.4.0.1"]["room_id"], lab[0]["id"])

    def test_csv_errors(self):
        self.assertValidation(self.csv("name,address\nx,127.5.0.1\n"), ("body", "header", "address"),
                              ("body", "header", "ip"))
        self.assertValidation(self.csv('name,ip\n"unclosed,127.5.0.1\n'), ("body",))
        r = self.csv("name,ip,check_port,parent_ip,monitored\n"
                     "a,127.5.0.1,,127.5.0.2,\n"
                     "b,127.5.0.2,,127.5.0.1,\n"      # a circle with a
                     "c,127.5.0.3,70000,,\n"
                     "d,127.5.0.3,,,\n"               # the same ip twice
                     "e,127.5.0.4,,127.9.9.9,\n"      # no such parent
                     "f,127.5.0.5,,,perhaps\n"
                     "g,127.5.0.6\n")                  # too few fields
        self.assertValidation(r, ("body", 0, "parent_ip"), ("body", 1, "parent_ip"), ("body", 2, "check_port"),
                              ("body", 3, "ip"), ("body", 4, "parent_ip"), ("body", 5, "monitored"), ("body", 6))
        self.assertEqual([d for d in self.devices() if d["ip"].startswith("127.5.")], [])
        r = self.server.request("POST", "/devices/bulk", body=b"name,ip\nok,127.5.0.8\nLa\xffb,127.5.0.9\n",
                                token=self.admin, content_type="text/csv")  # not UTF-8: every later answer would break
        self.assertValidation(r, ("body",))
        self.assertIn("line 3", r.json()["detail"][0]["msg"])
        self.assertEqual([d for d in self.devices() if d["ip"].startswith("127.5.")], [])
        self.assertError(self.server.request("POST", "/devices/bulk", body=b"name,ip\nx,127.5.0.1\n", token=self.admin,
                                             content_type="text/plain"), 415)
        self.assertError(self.csv("name,ip\nx,127.5.0.1\n", token=self.viewer), 403)

    def test_ten_thousand_rows_all_or_nothing_then_all_probed(self):
        name = "n" * 90  # over 1 MiB in all: the bulk path's limit is 32 MiB
        rows = [f"{name}{i},127.6.{i // 250}.{i % 250 + 1}" for i in range(10_000)]
        bad = list(rows)
        bad[7_777] = f"{name},127.6.999.1"
        before = len(self.devices())
        r = self.csv("name,ip\n" + "\n".join(bad) + "\n")
        self.assertEqual(r.status, 422, r)
        self.assertEqual([tuple(e["loc"]) for e in r.json()["detail"]], [("body", 7_777, "ip")])
        self.assertEqual(len(self.devices()), before)
        text = "name,ip\n" + "\n".join(rows) + "\n"
        self.assertGreater(len(text), 1024 * 1024)
        r = self.csv(text)
        self.assertEqual(r.status, 201, r)
        self.addCleanup(self.cleanup_devices, r.json()["devices"])
        self.assertEqual(r.json()["created"], 10_000)

        def all_probed():
            status = self.server.get("/device_status/", token=self.viewer).json()
            return sum(1 for ip, s in status.items() if ip.startswith("127.6.") and s == "disconnected") == 10_000
        self.assertTrue(wait_for(all_probed, deadline=60, interval=1))


if __name__ == "__main__":
    unittest.main()
