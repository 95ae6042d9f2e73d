"""The OpenAPI document (contract: "Operations"): GET /openapi.json names
every route of the contract's tables and nothing that the server does not
answer, and the rules it prints are the ones the server applies."""
import re
import unittest
from pathlib import Path

from harness import ServerTestCase

CONTRACT = Path(__file__).resolve().parents[3] / "shared" / "spec" / "api.md"


def normalised(path):
    """/rooms/{room_id}/ -> /rooms/{}: the contract and the table name ids differently."""
    path = path.split("?")[0].rstrip("/") or "/"
    return re.sub(r"\{[^}]*\}", "{}", path)


def contract_routes():
    """(method, path) of every row of the contract's tables."""
    routes = set()
    for line in CONTRACT.read_text().splitlines():
        m = re.match(r"^\|\s*([A-Z/]+|WebSocket)\s*\|\s*`?(/[^ |`]*)", line)
        if not m:
            continue
        methods = ["GET"] if m.group(1) == "WebSocket" else m.group(1).split("/")
        for method in methods:
            routes.add((method.lower(), normalised(m.group(2))))
    return routes


class OpenApi(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        r = cls.server.get("/openapi.json")
        assert r.status == 200, r
        cls.content_type = r.header("content-type")
        cls.doc = r.json()

    def operations(self):
        return {(method, path) for path, item in self.doc["paths"].items() for method in item}

    def test_a_json_document_of_openapi_3_1_without_a_token(self):
        self.assertTrue(self.content_type.startswith("application/json"), self.content_type)
        self.assertEqual(self.doc["openapi"], "3.1.0")
        flow = self.doc["components"]["securitySchemes"]["OAuth2PasswordBearer"]["flows"]["password"]
        self.assertEqual(flow["tokenUrl"], "/token")
        self.assertEqual(self.server.get("/openapi.json/").json(), self.doc)

    def test_every_route_of_the_contract_is_in_the_document(self):
        self.assertTrue(CONTRACT.is_file(), CONTRACT)
        documented = {(method, normalised(path)) for method, path in self.operations()}
        expected = contract_routes()
        self.assertGreater(len(expected), 30)  # the tables were read
        self.assertEqual(expected - documented, set(), "in the contract, not in the document")

    def test_every_operation_of_the_document_is_answered(self):
        """No 404 from the router (an unknown path) and no 405 for a documented operation."""
        for method, path in sorted(self.operations()):
            with self.subTest(method=method, path=path):
                r = self.server.request(method.upper(), re.sub(r"\{[^}]*\}", "1", path))
                self.assertNotEqual(r.status, 405, r)
                if r.status == 404:
                    self.assertNotEqual(r.detail, "Not Found", r)

    def test_the_printed_rules_are_the_applied_ones(self):
        schemas = self.doc["components"]["schemas"]
        longest = schemas["RoomCreate"]["properties"]["name"]["maxLength"]
        ok = self.server.post("/rooms/", {"name": "x" * longest}, token=self.admin)
        self.assertEqual(ok.status, 201, ok)
        r = self.server.post("/rooms/", {"name": "x" * (longest + 1)}, token=self.admin)
        self.assertValidation(r, ("body", "name"))
        self.assertIn(f"at most {longest} characters", r.json()["detail"][0]["msg"])

        for field in schemas["DeviceCreate"]["required"]:
            body = {"name": "d", "ip": "127.0.0.9"}
            del body[field]
            self.assertValidation(self.server.post("/devices/", body, token=self.admin), ("body", field))

        port = schemas["Check"]["properties"]["port"]
        r = self.server.post("/devices/", {"name": "d", "ip": "127.0.0.9",
                                           "check": {"type": "tcp", "port": port["maximum"] + 1}}, token=self.admin)
        self.assertValidation(r, ("body", "check", "port"))
        self.assertEqual(r.json()["detail"][0]["msg"], f"Input should be less than or equal to {port['maximum']}")

        roles = schemas["ApiTokenCreate"]["properties"]["role"]["enum"]
        r = self.server.post("/api-tokens/", {"name": "t", "role": "root"}, token=self.admin)
        self.assertValidation(r, ("body", "role"))
        for role in roles:
            self.assertIn(f"'{role}'", r.json()["detail"][0]["msg"])

    def test_the_errors_a_route_answers_are_declared(self):
        """Each answer below, provoked, is among its operation's documented responses."""
        room = self.server.post("/rooms/", {"name": "errors"}, token=self.admin).json()
        self.server.post("/devices/", {"name": "e", "ip": "127.0.0.11", "room_id": room["id"]}, token=self.admin)
        me = self.server.get("/users/me", token=self.admin).json()
        seen = [
            ("post", "/users", self.server.post("/users/", {"username": "admin", "password": "password-1"},
                                                token=self.admin)),
            ("post", "/token", self.server.request("POST", "/token", form={"username": "admin", "password": "wrong!!!"})),
            ("put", "/users/{user_id}", self.server.put(f"/users/{me['id']}", {"role": "viewer"}, token=self.admin)),
            ("delete", "/rooms/{room_id}", self.server.delete(f"/rooms/{room['id']}", token=self.admin)),
            ("post", "/devices", self.server.post("/devices/", {"name": "e", "ip": "127.0.0.11"}, token=self.admin)),
            ("post", "/devices", self.server.post("/devices/", {"name": "e", "ip": "127.0.0.12", "room_id": 999999},
                                                  token=self.admin)),
            ("get", "/ws/status", self.server.get("/ws/status/", token=self.admin)),
        ]
        for method, path, r in seen:
            with self.subTest(method=method, path=path, status=r.status):
                self.assertGreaterEqual(r.status, 400, r)
                self.assertIn(str(r.status), self.doc["paths"][path][method]["responses"], r)

    def test_what_a_route_answers_matches_its_declared_fields(self):
        """The documented response of a few reads lists exactly the fields the server sends."""
        schemas = self.doc["components"]["schemas"]
        room = self.server.post("/rooms/", {"name": "shape"}, token=self.admin).json()
        device = self.server.post("/devices/", {"name": "shape", "ip": "127.0.0.10", "room_id": room["id"]},
                                  token=self.admin).json()
        for name, value in (("Room", room), ("Device", device),
                            ("DeviceStatus", self.server.get(f"/devices/{device['id']}/status", token=self.admin).json()),
                            ("User", self.server.get("/users/me", token=self.admin).json()),
                            ("StatusDetail", self.server.get("/device_status/?detail=true",
                                                             token=self.admin).json()[device["ip"]])):
            with self.subTest(schema=name):
                self.assertEqual(set(value), set(schemas[name]["properties"]), value)
                self.assertEqual(set(schemas[name]["required"]), set(value))


if __name__ == "__main__":
    unittest.main()
