"""TLS between Tessera and its MySQL servers (issue 8). The test makes a CA and a server
certificate with openssl, starts a private MariaDB (port TESSERA_IT_BASE_PORT + 300, the ops
block) with that certificate and an account that REQUIRES SSL, and a private Tessera (proxy
port + 36) whose slices use it:
  - "tls": "required" and "verify_ca" (CA from [tls] backend_ca) log in as the SSL-only account,
    the backend session reports a TLS cipher, and max_sql_execute_time still kills a statement
    (the KILL QUERY connection goes over TLS too);
  - a slice without "tls" (proxy default off) is refused by the SSL-only account;
  - "required" against a server without TLS (the shared cluster) fails with a clear error;
  - a second Tessera whose backend_ca is another CA refuses the server's certificate, and its
    [tls] backend = "required" default applies to slices without "tls";
  - a reload naming a backend CA that cannot be read is rejected and the old one stays.
"""

import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest

import itlib
from itlib import BASE_PORT, HOST, log
from opslib import Tessera, _started, stop_all

TLS_PORT = BASE_PORT + 300


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def make_ca(d, name):
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
            f"/CN={name}", "-keyout", f"{name}-key.pem", "-out", f"{name}.pem", cwd=d)
    return os.path.join(d, f"{name}.pem")


def make_server_cert(d, ca):
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout",
            "server-key.pem", "-out", "server.csr", cwd=d)
    openssl("x509", "-req", "-in", "server.csr", "-CA", f"{ca}.pem", "-CAkey", f"{ca}-key.pem",
            "-CAcreateserial", "-days", "2", "-out", "server.pem", cwd=d)


class TlsMariaDB:
    """One MariaDB with ssl-ca/cert/key, its data in a temp dir, stopped by stop_all()."""

    def __init__(self, d, port):
        self.dir, self.port = d, port
        self.sock = os.path.join(d, "mysqld.sock")

    def sql(self, text):
        out = subprocess.run(["mariadb", "--no-defaults", "-S", self.sock, "-uroot", "-N", "-B",
                              "-e", text], capture_output=True, text=True, timeout=30)
        if out.returncode != 0:
            raise AssertionError(f"mariadb: {out.stderr}")
        return out.stdout

    def start(self):
        data = os.path.join(self.dir, "data")
        subprocess.run(["mariadb-install-db", "--no-defaults", f"--datadir={data}", "--user=root",
                        "--auth-root-authentication-method=normal", "--skip-test-db",
                        "--skip-name-resolve"], check=True, capture_output=True, timeout=120)
        self.logf = open(os.path.join(self.dir, "stdout.log"), "w")
        proc = subprocess.Popen(
            ["mariadbd", "--no-defaults", f"--datadir={data}", f"--socket={self.sock}",
             f"--port={self.port}", "--bind-address=127.0.0.1", "--user=root",
             f"--pid-file={self.dir}/mysqld.pid", f"--log-error={self.dir}/error.log",
             "--skip-name-resolve", "--innodb-buffer-pool-size=16M", "--performance-schema=OFF",
             f"--ssl-ca={self.dir}/ca.pem", f"--ssl-cert={self.dir}/server.pem",
             f"--ssl-key={self.dir}/server-key.pem"],
            stdout=self.logf, stderr=subprocess.STDOUT)
        _started.append((proc, "TLS MariaDB"))
        deadline = time.time() + 60
        while time.time() < deadline:
            if proc.poll() is not None:
                raise AssertionError("TLS MariaDB exited: " + self.error_log())
            try:
                self.sql("SELECT 1")
                break
            except AssertionError:
                time.sleep(0.2)
        else:
            raise AssertionError("TLS MariaDB did not start: " + self.error_log())
        log(f"  started TLS MariaDB (pid {proc.pid}) on {self.port}")
        self.sql("CREATE USER 'tls_only'@'127.0.0.1' IDENTIFIED BY 'tls_pw' REQUIRE SSL;"
                 "GRANT ALL ON *.* TO 'tls_only'@'127.0.0.1';"
                 "CREATE DATABASE demo;")
        self.check_have_ssl()

    def check_have_ssl(self):
        have = self.sql("SELECT @@have_ssl").strip()
        if have != "YES":
            raise AssertionError(f"MariaDB has no TLS (have_ssl={have}): " + self.error_log())

    def error_log(self):
        try:
            with open(os.path.join(self.dir, "error.log")) as f:
                return f.read()[-3000:]
        except OSError:
            return ""


def namespace(name, port, tls=None, limit_ms=0):
    s = {"name": "slice-0", "user_name": "tls_only", "password": "tls_pw",
         "master": f"127.0.0.1:{port}", "slaves": [], "statistic_slaves": [],
         "capacity": 2, "max_capacity": 10, "idle_timeout": 60}
    if tls is not None:
        s["tls"] = tls
    return json.dumps({
        "name": name, "online": True, "read_only": False, "allowed_dbs": {"demo": True},
        "default_slice": "slice-0", "max_sql_execute_time": limit_ms, "slices": [s],
        "shard_rules": [],
        "users": [{"user_name": f"u_{name}", "password": "pw", "namespace": name, "rw_flag": 2,
                   "rw_split": 0, "other_property": 0}]})


def connect(t, name):
    import pymysql
    return pymysql.connect(host=HOST, port=t.port, user=f"u_{name}", password="pw",
                           database="demo", connect_timeout=5, read_timeout=20)


def backend_cipher(t, name):
    c = connect(t, name)
    try:
        cur = c.cursor()
        cur.execute("SHOW SESSION STATUS LIKE 'Ssl_cipher'")
        return cur.fetchone()[1]
    finally:
        c.close()


def backend_error(t, name):
    """The error the first statement of a session gets (its backend connection fails)."""
    import pymysql
    try:
        c = connect(t, name)
    except pymysql.err.MySQLError as e:
        return e
    try:
        c.cursor().execute("SELECT 1")
    except pymysql.err.MySQLError as e:
        return e
    finally:
        c.close()
    return None


class BackendTls(unittest.TestCase):
    def test_backend_tls(self):
        d = tempfile.mkdtemp(prefix="tessera-tls-", dir=os.environ.get("TESSERA_IT_RUN_DIR"))
        try:
            make_ca(d, "ca")
            make_ca(d, "other-ca")
            make_server_cert(d, "ca")
            TlsMariaDB(d, TLS_PORT).start()
            self.with_right_ca(d)
            self.with_wrong_ca(d)
        finally:
            stop_all()
            shutil.rmtree(d, ignore_errors=True)

    def with_right_ca(self, d):
        import pymysql
        t = Tessera(3, name="tls-a", toml_extra=f'[tls]\nbackend_ca = "{d}/ca.pem"\n', namespaces={
            "req.json": namespace("req", TLS_PORT, "required", limit_ms=1000),
            "ver.json": namespace("ver", TLS_PORT, "verify_ca"),
            "off.json": namespace("off", TLS_PORT),
            "plainsrv.json": namespace("plainsrv", BASE_PORT, "required"),
        }).start()
        for name in ("req", "ver"):
            cipher = backend_cipher(t, name)
            log(f"  slice tls={'required' if name == 'req' else 'verify_ca'}: backend cipher "
                f"{cipher}")
            self.assertTrue(cipher, f"{name}: the backend session is not encrypted")

        # The execution time limit still works: KILL QUERY goes to the server over TLS too
        # (the account REQUIRES SSL), and the backend connection is healthy afterwards.
        c = connect(t, "req")
        try:
            cur = c.cursor()
            started = time.monotonic()
            with self.assertRaises(pymysql.err.OperationalError) as ctx:
                cur.execute("SELECT SLEEP(5)")
            elapsed = time.monotonic() - started
            self.assertEqual(ctx.exception.args[0], 3024, ctx.exception)
            self.assertLess(elapsed, 2.5)
            log(f"  SELECT SLEEP(5) over a TLS backend stopped after {elapsed * 1000:.0f} ms")
            cur.execute("SELECT 6 * 7")
            self.assertEqual(cur.fetchall(), ((42,),))
        finally:
            c.close()

        err = backend_error(t, "off")
        self.assertIsNotNone(err, "a plain connection must be refused by the SSL-only account")
        self.assertIn("Access denied", str(err))
        err = backend_error(t, "plainsrv")
        self.assertIsNotNone(err)
        self.assertIn("does not offer TLS", str(err))
        log(f"  tls=required against a server without TLS: {err}")

        # A reload whose backend CA cannot be read is rejected; the old configuration (and its
        # TLS connections) stays.
        before = t.generation()
        with open(t.toml) as f:
            toml = f.read()
        with open(t.toml, "w") as f:
            f.write(toml.replace(f"{d}/ca.pem", f"{d}/no-such-ca.pem"))
        t.sighup()
        deadline = time.time() + 10
        while "no-such-ca.pem" not in t.log() and time.time() < deadline:
            time.sleep(0.1)
        self.assertIn("rejected", t.log())
        self.assertIn("no-such-ca.pem", t.log())
        self.assertEqual(t.generation(), before)
        self.assertTrue(backend_cipher(t, "ver"), "verify_ca still works after the rejected reload")
        log("  reload with an unreadable backend CA: rejected, old configuration kept")
        stop_tessera(t)

    def with_wrong_ca(self, d):
        t = Tessera(3, name="tls-b",
                    toml_extra=f'[tls]\nbackend = "required"\nbackend_ca = "{d}/other-ca.pem"\n',
                    namespaces={"ver.json": namespace("ver", TLS_PORT, "verify_ca"),
                                "dflt.json": namespace("dflt", TLS_PORT)}).start()
        err = backend_error(t, "ver")
        self.assertIsNotNone(err, "a certificate from another CA must be refused")
        self.assertIn("certificate verify failed", str(err))
        log(f"  verify_ca with the wrong CA: {err}")
        self.assertTrue(backend_cipher(t, "dflt"), "[tls] backend = required is the default")
        stop_tessera(t)


def stop_tessera(t):
    """Stops one private Tessera (its port is reused by the next)."""
    t.proc.terminate()
    t.proc.wait(10)


if __name__ == "__main__":
    itlib.main_unittest()
