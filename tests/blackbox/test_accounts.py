"""The contract's account and token rows, and every 401 case it lists."""
import crypt
import http.client
import subprocess
import os
import statistics
import time
import unittest

from harness import SECRET, Server, ServerTestCase, forge_token, wait_for, session_token, stored_value


def expect_401(test, r, detail):
    test.assertEqual(r.status, 401, r)
    test.assertEqual(r.detail, detail)
    test.assertEqual(r.header("WWW-Authenticate"), "Bearer")


class Registration(unittest.TestCase):
    def test_first_account_is_admin_then_viewers(self):
        with Server() as s:
            r = s.register("alice")
            self.assertEqual(r.status, 201, r)
            self.assertEqual({k: r.json()[k] for k in ("id", "username", "role", "disabled")},
                             {"id": r.json()["id"], "username": "alice", "role": "admin", "disabled": False})
            r = s.register("bob")
            self.assertEqual((r.status, r.json()["role"]), (201, "viewer"))

    def test_username_taken_without_regard_to_case(self):
        with Server() as s:
            s.register("Alice")
            r = s.register("aLiCe")
            self.assertEqual((r.status, r.detail), (409, "Username already registered"))
            self.assertEqual(s.get("/users/me", token=s.token("ALICE")).json()["username"], "Alice")

    def test_field_rules(self):
        with Server() as s:
            for body, loc in [
                ({"username": "ab", "password": "password123"}, "username"),
                ({"username": "a" * 33, "password": "password123"}, "username"),
                ({"username": "bad name", "password": "password123"}, "username"),
                ({"username": "bob", "password": "short"}, "password"),
                ({"username": "bob", "password": "p" * 129}, "password"),
                ({"password": "password123"}, "username"),
                ({"username": "bob"}, "password"),
                ({"username": 5, "password": "password123"}, "username"),
            ]:
                r = s.post("/users/", body)
                self.assertEqual(r.status, 422, (body, r))
                self.assertIn(["body", loc], [e["loc"] for e in r.detail], (body, r))
            self.assertEqual(s.register("b.o_b-9", "p" * 128).status, 201)
            self.assertEqual(s.register("x" * 32, "p" * 8).status, 201)

    def test_closed_registration(self):
        with Server(args=["--registration-open", "false"]) as s:
            r = s.register("first")
            self.assertEqual((r.status, r.detail), (403, "Registration is closed"))
            # the first admin comes from the command line
            self.assertEqual(s.cli("add", "root", "--role", "admin", stdin="rootpassword\n").returncode, 0)
            root = s.token("root", "rootpassword")
            r = s.register("second", token=s.token("root", "rootpassword"))
            self.assertEqual((r.status, r.json()["role"]), (201, "viewer"))
            viewer = s.token("second")
            r = s.register("third", token=viewer)
            self.assertEqual((r.status, r.detail), (403, "Registration is closed"))
            r = s.post("/users/", {"username": "boss", "password": "password123", "role": "admin"}, token=root)
            self.assertEqual((r.status, r.json()["role"]), (201, "admin"))

    def test_only_an_admin_sets_the_role(self):
        with Server() as s:
            s.register("admin")
            s.register("viewer")
            body = {"username": "mallory", "password": "password123", "role": "admin"}
            r = s.post("/users/", body)
            self.assertEqual((r.status, r.detail), (403, "Not enough permissions"))
            r = s.post("/users/", body, token=s.token("viewer"))
            self.assertEqual((r.status, r.detail), (403, "Not enough permissions"))
            self.assertEqual(s.login("mallory").status, 401)
            r = s.post("/users/", body, token=s.token("admin"))
            self.assertEqual((r.status, r.json()["role"]), (201, "admin"))
            r = s.post("/users/", {"username": "eve", "password": "password123", "role": "root"}, token=s.token("admin"))
            self.assertEqual(r.status, 422)


class Tokens(ServerTestCase):
    def test_login_returns_a_bearer_hs256_token_with_sub_and_exp(self):
        before = int(time.time())
        r = self.server.login("admin")
        self.assertEqual(r.status, 200, r)
        body = r.json()
        self.assertEqual(body["token_type"], "bearer")
        import base64, json
        header, claims, _ = body["access_token"].split(".")
        pad = lambda s: s + "=" * (-len(s) % 4)
        self.assertEqual(json.loads(base64.urlsafe_b64decode(pad(header))), {"alg": "HS256", "typ": "JWT"})
        claims = json.loads(base64.urlsafe_b64decode(pad(claims)))
        self.assertEqual(claims["sub"], "admin")
        self.assertTrue(before + 30 * 60 <= claims["exp"] <= int(time.time()) + 30 * 60 + 1, claims)

    def test_grant_type_is_optional_but_must_be_password(self):
        form = {"username": "admin", "password": "password123"}
        self.assertEqual(self.server.request("POST", "/token", form={**form, "grant_type": "password"}).status, 200)
        r = self.server.request("POST", "/token", form={**form, "grant_type": "client_credentials"})
        self.assertValidation(r, ("body", "grant_type"))

    def test_missing_fields_are_422(self):
        self.assertValidation(self.server.request("POST", "/token", form={"password": "x"}), ("body", "username"))
        self.assertValidation(self.server.request("POST", "/token", form={"username": "x"}), ("body", "password"))
        self.assertValidation(self.server.request("POST", "/token", body=""), ("body", "username"), ("body", "password"))

    def test_wrong_password_and_unknown_user_get_the_same_answer(self):
        wrong = self.server.login("admin", "wrong-password")
        unknown = self.server.login("nobody-here", "wrong-password")
        for r in (wrong, unknown):
            expect_401(self, r, "Incorrect username or password")
        self.assertEqual(wrong.body, unknown.body)

    def test_wrong_password_and_unknown_user_take_about_the_same_time(self):
        # Not a speed test: the two must be alike, or usernames can be enumerated.
        # Four tries each: the fifth failure for an account would be throttled (429).
        self.server.register("timing")
        def median(user):
            times = []
            for _ in range(4):
                start = time.perf_counter()
                self.server.login(user, "wrong-password")
                times.append(time.perf_counter() - start)
            return statistics.median(times)
        wrong, unknown = median("timing"), median("nobody-here")
        self.assertGreater(unknown, wrong * 0.3, (wrong, unknown))
        self.assertGreater(wrong, unknown * 0.3, (wrong, unknown))

    def test_protected_paths(self):
        r = self.server.get("/users/me", token=self.viewer)
        self.assertEqual({k: r.json()[k] for k in ("id", "username", "role", "disabled")},
                         {"id": r.json()["id"], "username": "viewer", "role": "viewer", "disabled": False})
        r = self.server.get("/protected-data/", token=self.viewer)
        self.assertEqual(r.json(), {"message": "Hello viewer, this is protected data!"})
        self.assertEqual(self.server.get("/protected-data", token=self.viewer).status, 200)

    def test_every_401_case(self):
        now = int(time.time())
        cases = {
            "garbage": "garbage",
            "three garbage parts": "abc.def.ghi",
            "alg none": forge_token({"sub": "admin", "exp": now + 600}, alg="none"),
            "alg none, signed": forge_token({"sub": "admin", "exp": now + 600}, header={"alg": "none"}) + "c2ln",
            "another key": forge_token({"sub": "admin", "exp": now + 600}, key="another-key-of-32-bytes-or-more!!"),
            "HS384 with our key": forge_token({"sub": "admin", "exp": now + 600}, alg="HS384"),
            "HS512 with our key": forge_token({"sub": "admin", "exp": now + 600}, alg="HS512"),
            "expired": forge_token({"sub": "admin", "exp": now - 1}),
            "no exp": forge_token({"sub": "admin"}),
            "no sub": forge_token({"exp": now + 600}),
            "unknown user": forge_token({"sub": "ghost", "exp": now + 600}),
        }
        for path in ("/users/me", "/protected-data/", "/rooms/", "/devices/"):
            expect_401(self, self.server.get(path), "Not authenticated")
            expect_401(self, self.server.get(path, headers={"Authorization": "Basic YWRtaW46eA=="}), "Not authenticated")
            for name, token in cases.items():
                with self.subTest(path=path, case=name):
                    expect_401(self, self.server.get(path, token=token), "Could not validate credentials")
        # the same claims, made right (with the account's id and an issue time), pass:
        # the refusals above are about what each case breaks
        uid = self.server.get("/users/me", token=self.admin).json()["id"]
        self.assertEqual(self.server.get("/users/me", token=session_token("admin", uid)).status, 200)

    def test_token_lifetime_is_configurable(self):
        with Server(args=["--token-minutes", "1"]) as s:
            s.register("alice")
            import base64, json
            claims = s.token("alice").split(".")[1]
            claims = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))
            self.assertLessEqual(claims["exp"] - int(time.time()), 61)


class LoginThrottling(unittest.TestCase):
    def test_failed_logins_are_throttled_per_account_and_address(self):
        with Server() as s:
            s.register("alice")
            for _ in range(5):
                expect_401(self, s.login("alice", "wrong-password"), "Incorrect username or password")
            r = s.login("alice")  # even the right password waits now
            self.assertEqual(r.status, 429, r)
            self.assertGreaterEqual(int(r.header("Retry-After")), 1)
            self.assertIn("Too many failed logins", r.detail)
            # the real user at another address is not locked out, and success resets the count
            subprocess.run(["ip", "addr", "add", "127.0.0.2/32", "dev", "lo"], check=True)
            try:
                conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=30, source_address=("127.0.0.2", 0))
                conn.request("POST", "/token", body="username=alice&password=password123",
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
                self.assertEqual(conn.getresponse().status, 200)
                conn.close()
            finally:
                subprocess.run(["ip", "addr", "del", "127.0.0.2/32", "dev", "lo"], check=True)
            # the address that guessed stays throttled for this account
            self.assertEqual(s.login("alice").status, 429)

    def test_a_successful_login_resets_the_count(self):
        with Server() as s:
            s.register("bob")
            for _ in range(4):
                expect_401(self, s.login("bob", "wrong-password"), "Incorrect username or password")
            self.assertEqual(s.login("bob").status, 200)
            for _ in range(4):  # four more failures are allowed again: the count started over
                expect_401(self, s.login("bob", "wrong-password"), "Incorrect username or password")
            self.assertEqual(s.login("bob").status, 200)


class DeletedAndImportedAccounts(unittest.TestCase):
    def test_token_of_a_deleted_user_is_refused(self):
        with Server() as s:
            s.register("admin")
            s.register("leaver")
            token = s.token("leaver")
            self.assertEqual(s.get("/users/me", token=token).status, 200)
            self.assertEqual(s.cli("delete", "leaver").returncode, 0)
            # Another process's write reaches the server through the change feed (a fraction of a second).
            wait_for(lambda: s.get("/users/me", token=token).status == 401, deadline=10)
            expect_401(self, s.get("/users/me", token=token), "Could not validate credentials")
            expect_401(self, s.login("leaver"), "Incorrect username or password")

    def test_bcrypt_account_from_the_fastapi_app_logs_in_and_is_rehashed(self):
        with Server() as s:
            for prefix_method in (crypt.METHOD_BLOWFISH,):
                legacy_hash = crypt.crypt("old-app-password", crypt.mksalt(prefix_method, rounds=16))
                self.assertTrue(legacy_hash.startswith("$2"), legacy_hash)
                self.assertEqual(s.cli("add", "legacy", "--password-hash", legacy_hash).returncode, 0)
                expect_401(self, s.login("legacy", "wrong-password"), "Incorrect username or password")
                self.assertEqual(s.login("legacy", "old-app-password").status, 200)
                stored = stored_value(s.data_dir, "SELECT password_hash FROM users WHERE username = 'legacy'")
                self.assertTrue(stored.startswith("$argon2id$"), stored)
                self.assertEqual(s.login("legacy", "old-app-password").status, 200)


if __name__ == "__main__":
    unittest.main()
