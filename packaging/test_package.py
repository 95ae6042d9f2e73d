"""The Debian package, built by CPack from the current build.

Builds gatewatch_<version>_amd64.deb from GATEWATCH_BUILD_DIR into a
temporary folder and checks: its files and control fields (dpkg-deb -c, -I),
lintian (any E: line fails), the unit (systemd-analyze verify against the
package's own tree, unpacked), the conffile against `gatewatch serve --help`
(every setting listed, and all of them uncommented still accepted), and the
packaged binary run as the unit runs it: a user of its own with CAP_NET_RAW
and nothing else, no new privileges, the shipped configuration, serving the
dashboard from the package's share/gatewatch/dashboard.

Nothing is installed and no service is started: the package is unpacked into
the temporary folder, and the system's /etc is not touched. Needs root (the
user switch, and in_netns.sh, which gives it a network namespace of its own).
"""
import glob
import gzip
import os
import re
import shutil
import subprocess
import tempfile
import threading
import unittest
import urllib.request

BUILD_DIR = os.environ["GATEWATCH_BUILD_DIR"]
VERSION = os.environ["GATEWATCH_VERSION"]
CPACK = os.environ.get("GATEWATCH_CPACK", "cpack")
SERVICE_UID = 64_123  # not a user of this machine: as the unit's DynamicUser

# Settings the conffile does not list as `# key = value`: the unit's flag sets
# data_dir, and no example secret is shipped (it is described in words).
NOT_LISTED = {"data_dir", "secret_key"}


def run(*command, check=True, **kwargs):
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(command)} exited {result.returncode}:\n{result.stdout}{result.stderr}")
    return result


class Package(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="gatewatch-package-")
        os.chmod(cls.tmp, 0o755)  # the service's user runs the unpacked binary
        out = os.path.join(cls.tmp, "out")
        run(CPACK, "-G", "DEB", "--config", os.path.join(BUILD_DIR, "CPackConfig.cmake"), "-B", out)
        cls.deb = os.path.join(out, f"gatewatch_{VERSION}_amd64.deb")
        if not os.path.exists(cls.deb):
            raise AssertionError(f"no {os.path.basename(cls.deb)} in {os.listdir(out)}")
        print(f"\n{os.path.basename(cls.deb)}: {os.path.getsize(cls.deb):,} bytes", flush=True)
        cls.root = os.path.join(cls.tmp, "root")
        run("dpkg-deb", "-x", cls.deb, cls.root)
        cls.contents = run("dpkg-deb", "-c", cls.deb).stdout
        cls.info = run("dpkg-deb", "-I", cls.deb).stdout
        cls.binary = os.path.join(cls.root, "usr/bin/gatewatch")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def entries(self):
        """path -> (mode, owner) of every file in the package."""
        entries = {}
        for line in self.contents.splitlines():
            fields = line.split(None, 5)
            entries[fields[5].split(" -> ")[0]] = (fields[0], fields[1])
        return entries

    def test_files(self):
        entries = self.entries()
        expected = {
            "./usr/bin/gatewatch": "-rwxr-xr-x",
            "./usr/share/gatewatch/dashboard/index.html": "-rw-r--r--",
            "./lib/systemd/system/gatewatch.service": "-rw-r--r--",
            "./etc/gatewatch/gatewatch.toml": "-rw-r--r--",
            "./usr/share/man/man1/gatewatch.1.gz": "-rw-r--r--",
            "./usr/share/doc/gatewatch/copyright": "-rw-r--r--",
            "./usr/share/doc/gatewatch/changelog.gz": "-rw-r--r--",
        }
        for path, mode in expected.items():
            self.assertIn(path, entries, f"{path} missing from the package:\n{self.contents}")
            self.assertEqual(entries[path], (mode, "root/root"), path)
        self.assertTrue(any(p.startswith("./usr/share/gatewatch/dashboard/assets/") for p in entries))
        for path, (mode, owner) in entries.items():
            self.assertEqual(owner, "root/root", path)
            if mode.startswith("d"):
                self.assertEqual(mode, "drwxr-xr-x", path)
        # Every file of the built dashboard.
        dashboard = os.path.join(BUILD_DIR, "dashboard")
        for name in glob.glob("**", root_dir=dashboard, recursive=True):
            if os.path.isfile(os.path.join(dashboard, name)):
                self.assertIn(f"./usr/share/gatewatch/dashboard/{name}", entries)
        # The man page covers the settings.
        with gzip.open(os.path.join(self.root, "usr/share/man/man1/gatewatch.1.gz"), "rt") as page:
            text = page.read()
        self.assertIn(".TH GATEWATCH", text)
        self.assertIn(r"\-\-probe\-interval", text)
        self.assertIn("/etc/gatewatch/gatewatch.toml", text)

    def test_control(self):
        fields = dict(re.findall(r"^ ([A-Z][A-Za-z-]+): (.*)$", self.info, re.M))
        self.assertEqual(fields["Package"], "gatewatch")
        self.assertEqual(fields["Version"], VERSION)
        self.assertEqual(fields["Architecture"], "amd64")
        depends = fields["Depends"]
        for package in ("libc6", "libsqlite3-0", "libcurl4", "init-system-helpers"):
            self.assertIn(package, depends)
        for script in ("postinst", "prerm", "postrm", "conffiles", "md5sums"):
            self.assertRegex(self.info, rf"\n\s+\d+ bytes,\s+\d+ lines\s+\*?\s*{script}\b")
        conffiles = run("dpkg-deb", "-I", self.deb, "conffiles").stdout.split()
        self.assertEqual(conffiles, ["/etc/gatewatch/gatewatch.toml"])
        postinst = run("dpkg-deb", "-I", self.deb, "postinst").stdout
        self.assertIn("deb-systemd-helper enable 'gatewatch.service'", postinst)
        self.assertIn("deb-systemd-invoke $_action 'gatewatch.service'", postinst)

    def test_lintian(self):
        # --display-info: the I: tags are shown too; only E: fails.
        result = run("lintian", "--allow-root", "--display-info", "--fail-on", "none", self.deb, check=False)
        print(f"\nlintian:\n{result.stdout}{result.stderr}", flush=True)
        self.assertEqual(result.returncode, 0, "lintian did not run")
        errors = [line for line in result.stdout.splitlines() if line.startswith("E:")]
        self.assertEqual(errors, [])

    def test_unit_verifies(self):
        unit = os.path.join(self.root, "lib/systemd/system/gatewatch.service")
        with open(unit) as f:
            text = f.read()
        for line in ("DynamicUser=yes", "StateDirectory=gatewatch", "AmbientCapabilities=CAP_NET_RAW",
                     "CapabilityBoundingSet=CAP_NET_RAW", "NoNewPrivileges=yes", "ProtectSystem=strict",
                     "ProtectHome=yes", "PrivateTmp=yes", "LimitNOFILE=65536", "Restart=on-failure",
                     "ExecStart=/usr/bin/gatewatch serve --config /etc/gatewatch/gatewatch.toml "
                     "--data-dir /var/lib/gatewatch"):
            self.assertIn(f"\n{line}\n", text)
        # The unit as shipped, but for ExecStart's path, which names the
        # unpacked binary (verify checks that it exists and is executable);
        # man finds the packaged page for Documentation=.
        units = os.path.join(self.tmp, "units")
        os.mkdir(units)
        verified = os.path.join(units, "gatewatch.service")
        with open(verified, "w") as f:
            f.write(text.replace("\nExecStart=/usr/bin/gatewatch ", f"\nExecStart={self.binary} "))
        env = dict(os.environ, MANPATH=os.path.join(self.root, "usr/share/man"))
        result = run("systemd-analyze", "verify", verified, check=False, env=env)
        print(f"\nsystemd-analyze verify: exit {result.returncode}\n{result.stdout}{result.stderr}", flush=True)
        self.assertEqual(result.returncode, 0)
        self.assertEqual(result.stdout + result.stderr, "")
        security = run("systemd-analyze", "security", "--offline=yes", verified, check=False)
        overall = [line for line in security.stdout.splitlines() if "Overall exposure level" in line]
        print(f"systemd-analyze security: {overall or security.stderr}", flush=True)

    def test_conffile_lists_every_setting(self):
        help_text = run(self.binary, "serve", "--help").stdout
        keys = {flag.replace("-", "_") for flag in re.findall(r"^\s+(?:-\w,)?--([a-z][a-z-]*)", help_text, re.M)}
        keys -= {"help", "config"}
        self.assertIn("probe_interval", keys)
        with open(os.path.join(self.root, "etc/gatewatch/gatewatch.toml")) as f:
            conffile = f.read()
        listed = set(re.findall(r"^# (\w+) = ", conffile, re.M))
        self.assertEqual(sorted(keys - NOT_LISTED - listed), [],
                         "settings missing from packaging/gatewatch.toml (add a commented `# key = default` line)")
        self.assertEqual(sorted(listed - keys), [], "keys of packaging/gatewatch.toml that gatewatch does not know")
        for key in NOT_LISTED:
            self.assertIn(key, conffile)
        # Every example line, uncommented, is a value gatewatch accepts.
        uncommented = os.path.join(self.tmp, "uncommented.toml")
        with open(uncommented, "w") as f:
            f.write(re.sub(r"^# (\w+ = )", r"\1", conffile, flags=re.M))
        data = os.path.join(self.tmp, "check-data")
        run(self.binary, "user", "list", "--config", uncommented, "--data-dir", data)

    def test_packaged_binary_serves_its_dashboard(self):
        data = os.path.join(self.tmp, "state")
        os.mkdir(data, 0o700)
        os.chown(data, SERVICE_UID, SERVICE_UID)
        command = ["setpriv", f"--reuid={SERVICE_UID}", f"--regid={SERVICE_UID}", "--clear-groups",
                   "--inh-caps=-all,+net_raw", "--ambient-caps=-all,+net_raw", "--bounding-set=-all,+net_raw",
                   "--no-new-privs", "--",
                   self.binary, "serve", "--config", os.path.join(self.root, "etc/gatewatch/gatewatch.toml"),
                   "--data-dir", data, "--port", "0", "--probe-method", "raw"]
        env = {"PATH": "/usr/bin:/bin"}
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                   env=env, cwd="/")
        log, listening = [], threading.Event()
        port = []

        def drain():
            for line in process.stderr:
                log.append(line)
                m = re.search(r"listening on http://[^ ]+:(\d+)", line)
                if m:
                    port.append(int(m.group(1)))
                    listening.set()
            process.stderr.close()
            listening.set()

        reader = threading.Thread(target=drain, daemon=True)
        reader.start()
        try:
            listening.wait(60)
            self.assertTrue(port, "gatewatch did not start:\n" + "".join(log))
            base = f"http://127.0.0.1:{port[0]}"
            with urllib.request.urlopen(base + "/", timeout=10) as r:
                self.assertEqual(r.status, 200)
                self.assertIn("<!doctype html>", r.read().decode().lower())
            with urllib.request.urlopen(base + "/healthz", timeout=10) as r:
                self.assertEqual(r.status, 200)
        finally:
            process.terminate()
            code = process.wait(30)
            reader.join(10)
        text = "".join(log)
        self.assertEqual(code, 0, text)
        dashboard = os.path.join(self.root, "usr/share/gatewatch/dashboard")
        self.assertRegex(text, rf"dashboard: \d+ files from {re.escape(dashboard)}\n")
        self.assertIn("monitor: probing with raw", text)
        self.assertIn("setup code for the first account", text)
        self.assertTrue(os.path.exists(os.path.join(data, "gatewatch.db")))
        self.assertEqual(os.stat(os.path.join(data, "secret.key")).st_uid, SERVICE_UID)


if __name__ == "__main__":
    unittest.main()
