"""Accounts administration and API tokens (contract: "Accounts
administration"): roles, disabled accounts, the last admin, and opaque
API tokens that work wherever a JWT does until they are revoked."""
import re
import time
import unittest

from harness import ServerTestCase, wait_for
from wsclient import Closed, WebSocket


class Users(ServerTestCase):
    def users(self):
        r = self.server.get("/users/", token=self.admin)
        self.assertEqual(r.status, 200, r)
        return {u["username"]: u for u in r.json()}

    def test_listing_is_for_admins(self):
        users = self.users()
        self.assertEqual(set(users["admin"]), {"id", "username", "role", "disabled", "created"})
        self.assertEqual((users["admin"]["role"], users["admin"]["disabled"]), ("admin", False))
        self.assertRegex(users["viewer"]["created"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertError(self.server.get("/users/", token=self.viewer), 403)
        self.assertError(self.server.get("/users/"), 401)

    def test_roles_and_disabled_accounts(self):
        self.assertEqual(self.server.register("carol").status, 201)
        carol_token = self.server.token("carol")
        carol = self.users()["carol"]
        r = self.server.put(f"/users/{carol['id']}", {"role": "admin"}, token=self.admin)
        self.assertEqual((r.status, r.json()["role"]), (200, "admin"), r)
        r = self.server.put(f"/users/{carol['id']}", {"disabled": True}, token=self.admin)
        self.assertEqual((r.status, r.json()["disabled"]), (200, True), r)
        self.assertError(self.server.get("/users/me", token=carol_token), 401, "Could not validate credentials")
        self.assertError(self.server.login("carol"), 403, "This account is disabled")
        self.assertError(self.server.login("carol", "wrong-password"), 401, "Incorrect username or password")
        r = self.server.put(f"/users/{carol['id']}", {"disabled": False}, token=self.admin)
        self.assertEqual(r.json()["disabled"], False)
        self.assertError(self.server.get("/users/me", token=carol_token), 401)  # stays revoked
        self.assertEqual(self.server.get("/users/me", token=self.server.token("carol")).status, 200)
        self.assertValidation(self.server.put(f"/users/{carol['id']}", {"role": "root"}, token=self.admin),
                              ("body", "role"))
        self.assertValidation(self.server.put(f"/users/{carol['id']}", {"disabled": "sometimes"}, token=self.admin),
                              ("body", "disabled"))
        self.assertError(self.server.put("/users/999999", {"role": "admin"}, token=self.admin), 404, "User not found")
        self.assertError(self.server.put(f"/users/{carol['id']}", {"role": "admin"}, token=self.viewer), 403)
        self.assertEqual(self.server.delete(f"/users/{carol['id']}", token=self.admin).status, 204)
        self.assertError(self.server.delete(f"/users/{carol['id']}", token=self.admin), 404, "User not found")

    def test_the_last_admin_stays(self):
        me = self.users()["admin"]
        self.assertError(self.server.put(f"/users/{me['id']}", {"role": "viewer"}, token=self.admin), 409,
                         "The last admin cannot be demoted or disabled")
        self.assertError(self.server.put(f"/users/{me['id']}", {"disabled": True}, token=self.admin), 409,
                         "The last admin cannot be demoted or disabled")
        self.assertError(self.server.delete(f"/users/{me['id']}", token=self.admin), 409,
                         "The last admin cannot be deleted")
        self.assertEqual(self.users()["admin"]["role"], "admin")
        self.assertEqual(self.server.get("/users/me", token=self.admin).status, 200)


class ApiTokens(ServerTestCase):
    def create(self, **body):
        r = self.server.post("/api-tokens/", body, token=self.admin)
        self.assertEqual(r.status, 201, r)
        return r.json()

    def test_a_token_is_shown_once_and_works_like_a_jwt_for_its_role(self):
        t = self.create(name="prometheus", role="viewer", expires_days=30)
        self.assertRegex(t["token"], r"^gw_[A-Za-z0-9_-]{43}$")
        self.assertEqual((t["name"], t["role"]), ("prometheus", "viewer"))
        self.assertIsNotNone(t["expires"])
        listed = self.server.get("/api-tokens/", token=self.admin)
        self.assertEqual(listed.status, 200)
        self.assertNotIn(t["token"], listed.body)
        self.assertEqual([x["name"] for x in listed.json() if x["id"] == t["id"]], ["prometheus"])
        self.assertEqual(self.server.get("/rooms/", token=t["token"]).status, 200)
        self.assertError(self.server.post("/rooms/", {"name": "x"}, token=t["token"]), 403)
        self.assertEqual(self.server.get("/metrics", token=t["token"]).status, 200)  # any API token
        self.assertError(self.server.post("/users/me/password", {"current_password": "x", "new_password": "y" * 8},
                                          token=t["token"]), 403, "Not available with an API token")
        used = [x for x in self.server.get("/api-tokens/", token=self.admin).json() if x["id"] == t["id"]][0]
        self.assertIsNotNone(used["last_used"])
        admin_token = self.create(name="automation", role="admin")
        self.assertIsNone(admin_token["expires"])
        r = self.server.post("/rooms/", {"name": "by a script"}, token=admin_token["token"])
        self.assertEqual(r.status, 201, r)
        self.server.delete(f"/rooms/{r.json()['id']}", token=self.admin)
        self.assertError(self.server.get("/api-tokens/", token=t["token"]), 403)  # admin only

    def test_revoking_takes_effect_at_once_sockets_included(self):
        t = self.create(name="short-lived", role="viewer")
        ws = WebSocket(self.server.port, query_token=t["token"])
        try:
            ws.recv_json()
            self.assertEqual(self.server.delete(f"/api-tokens/{t['id']}", token=self.admin).status, 204)
            self.assertError(self.server.get("/rooms/", token=t["token"]), 401, "Could not validate credentials")
            with self.assertRaises(Closed) as closed:
                deadline = time.monotonic() + 10
                while time.monotonic() < deadline:
                    ws.recv_json(deadline - time.monotonic())
            self.assertEqual(closed.exception.code, 1008)
        finally:
            ws.close()
        self.assertError(self.server.delete(f"/api-tokens/{t['id']}", token=self.admin), 404, "API token not found")
        forged = "gw_" + "A" * 43
        self.assertError(self.server.get("/rooms/", token=forged), 401, "Could not validate credentials")

    def test_validation(self):
        post = lambda body: self.server.post("/api-tokens/", body, token=self.admin)  # noqa: E731
        self.assertValidation(post({"role": "viewer"}), ("body", "name"))
        self.assertValidation(post({"name": "x"}), ("body", "role"))
        self.assertValidation(post({"name": "x", "role": "owner"}), ("body", "role"))
        self.assertValidation(post({"name": "x", "role": "viewer", "expires_days": 0}), ("body", "expires_days"))
        self.assertValidation(post({"name": "x", "role": "viewer", "expires_days": 100000}), ("body", "expires_days"))
        self.assertValidation(post({"name": "x" * 101, "role": "viewer"}), ("body", "name"))
        self.assertError(self.server.post("/api-tokens/", {"name": "x", "role": "viewer"}, token=self.viewer), 403)


if __name__ == "__main__":
    unittest.main()
