"""Dependencies (contract: "Dependencies"): a gateway 127.0.0.66 with five
devices behind it, all on the test namespace's lo only while the test adds
them, so they vanish together, as behind a real gateway."""
import subprocess
import unittest

from harness import ServerTestCase, wait_for

FAST = ("--probe-interval", "1", "--probe-timeout", "0.5", "--probe-spacing", "0.1",
        "--up-after", "1", "--down-after", "1", "--history-flush-interval", "1")
GATEWAY = "127.0.0.66"
BEHIND = [f"127.0.0.{i}" for i in range(67, 72)]


def sh(*cmd):
    subprocess.run(cmd, check=True, capture_output=True)


def setUpModule():
    sh("sysctl", "-q", "-w", "net.ipv4.ping_group_range=0 2147483647")


def on_lo(present):
    for ip in [GATEWAY, *BEHIND]:
        sh("ip", "addr", "add" if present else "del", f"{ip}/32", "dev", "lo")


class DependencyCase(ServerTestCase):
    def create(self, **fields):
        r = self.server.post("/devices/", fields, token=self.admin)
        self.assertEqual(r.status, 201, r)
        self.addCleanup(self.server.delete, f"/devices/{r.json()['id']}", token=self.admin)
        return r.json()

    def detail(self):
        return self.server.get("/device_status/?detail=true", token=self.viewer).json()

    def events(self, device):
        return self.server.get(f"/devices/{device['id']}/events", token=self.viewer).json()


class Dependencies(DependencyCase):
    server_args = FAST

    def test_devices_behind_a_failed_gateway_are_unreachable_via_it(self):
        on_lo(True)
        try:
            gateway = self.create(name="gateway", ip=GATEWAY)
            self.assertIsNone(gateway["parent_id"])
            behind = [self.create(name=f"behind {ip}", ip=ip, parent_id=gateway["id"]) for ip in BEHIND]
            self.assertTrue(all(d["parent_id"] == gateway["id"] for d in behind))
            self.assertTrue(wait_for(lambda: all(self.detail()[ip]["status"] == "connected"
                                                 for ip in [GATEWAY, *BEHIND])), self.detail())
            self.assertTrue(all(self.detail()[ip]["unreachable_via"] is None for ip in [GATEWAY, *BEHIND]))
        finally:
            on_lo(False)

        def all_behind_the_gateway():
            d = self.detail()
            return (d[GATEWAY]["status"] == "disconnected" and d[GATEWAY]["unreachable_via"] is None and
                    all(d[ip]["status"] == "disconnected" and d[ip]["unreachable_via"] == gateway["id"]
                        for ip in BEHIND))
        self.assertTrue(wait_for(all_behind_the_gateway, deadline=20), self.detail())
        # Still probed, history still kept: each has its own events.
        for device in behind:
            path = f"/devices/{device['id']}/events"
            self.assertTrue(wait_for(lambda: self.server.get(path, token=self.viewer).json()[0]["status"] ==
                                     "disconnected"), self.server.get(path, token=self.viewer).json())

        on_lo(True)
        try:
            self.assertTrue(wait_for(lambda: all(self.detail()[ip]["status"] == "connected" and
                                                 self.detail()[ip]["unreachable_via"] is None
                                                 for ip in [GATEWAY, *BEHIND]), deadline=20), self.detail())
        finally:
            on_lo(False)

    def test_parents_must_exist_and_never_form_a_cycle(self):
        a = self.create(name="a", ip="127.0.1.1")
        b = self.create(name="b", ip="127.0.1.2", parent_id=a["id"])
        c = self.create(name="c", ip="127.0.1.3", parent_id=b["id"])
        self.assertError(self.server.post("/devices/", {"name": "x", "ip": "127.0.1.9", "parent_id": 999999},
                                          token=self.admin), 404, "Parent device not found")
        self.assertError(self.server.put(f"/devices/{a['id']}", {"parent_id": 999999}, token=self.admin),
                         404, "Parent device not found")
        for parent in [a["id"], c["id"]]:  # itself, and a device behind it
            self.assertValidation(self.server.put(f"/devices/{a['id']}", {"parent_id": parent}, token=self.admin),
                                  ("body", "parent_id"))
        self.assertValidation(self.server.post("/devices/", {"name": "x", "ip": "127.0.1.9", "parent_id": "a"},
                                               token=self.admin), ("body", "parent_id"))
        self.assertIsNone(self.server.get(f"/devices/{a['id']}", token=self.viewer).json()["parent_id"])
        # Moving a device within the tree, and off it.
        self.assertEqual(self.server.put(f"/devices/{c['id']}", {"parent_id": a["id"]},
                                         token=self.admin).json()["parent_id"], a["id"])
        self.assertIsNone(self.server.put(f"/devices/{c['id']}", {"parent_id": None},
                                          token=self.admin).json()["parent_id"])
        # Deleting a parent leaves the devices behind it without one.
        self.assertEqual(self.server.delete(f"/devices/{a['id']}", token=self.admin).status, 204)
        self.assertIsNone(self.server.get(f"/devices/{b['id']}", token=self.viewer).json()["parent_id"])


class AFailingDeviceHasItsGatewayProbedAtOnce(DependencyCase):
    # A round a minute: without that check the gateway would be found down only a minute on.
    server_args = ("--probe-interval", "60", "--probe-timeout", "0.5", "--up-after", "1", "--down-after", "1",
                   "--history-flush-interval", "1")

    def test_the_device_is_called_down_behind_its_gateway_not_on_its_own(self):
        sh("ip", "addr", "add", f"{GATEWAY}/32", "dev", "lo")
        try:
            gateway = self.create(name="gateway", ip=GATEWAY)
            self.assertTrue(wait_for(lambda: self.detail()[GATEWAY]["status"] == "connected"), self.detail())
        finally:
            sh("ip", "addr", "del", f"{GATEWAY}/32", "dev", "lo")
        # The gateway is gone, and its next round is a minute away; a device created behind it now
        # fails its first round at once.
        device = self.create(name="behind", ip=BEHIND[0], parent_id=gateway["id"])
        self.assertTrue(wait_for(lambda: self.detail()[BEHIND[0]]["status"] == "disconnected", deadline=20),
                        self.detail())
        status = self.detail()
        self.assertEqual((status[GATEWAY]["status"], status[BEHIND[0]]["unreachable_via"]),
                         ("disconnected", gateway["id"]), status)
        self.assertTrue(wait_for(lambda: self.events(device)), "no event recorded")
        self.assertEqual([(e["status"], e["unreachable_via"]) for e in self.events(device)],
                         [("disconnected", gateway["id"])])


if __name__ == "__main__":
    unittest.main()
