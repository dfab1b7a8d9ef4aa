#!/usr/bin/env python3
"""Issue 8 limits, logs and client TLS, against a Tessera instance of this test's own (port
TESSERA_IT_PORT + 38, so the shared instance's configuration stays untouched) in front of the
shared test cluster:
  - max_sql_execute_time: SELECT SLEEP(5) stopped at 1 s (COM_QUERY, COM_STMT_EXECUTE, in a
    transaction, and a scatter query over three slices); the client gets ERR 3024 after ~1 s,
    the same session keeps working and no backend still runs the statement;
  - max_sql_result_size: a result cut with an error, the session (and its backend) usable after;
  - users[].max_connections: the next login is refused with ERR 1203;
  - black_sql: statements with a listed fingerprint are refused (ERR 1227), others pass;
  - allowed_ip: a namespace that does not list 127.0.0.1 refuses the login;
  - general and slow logs: contents, size-based rotation, reopen on SIGUSR1;
  - TLS: `mariadb --ssl` and pymysql with ssl connect through TLS (cipher reported); with
    `--compress` as well, the session is compressed inside TLS and its rows equal direct.
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import itlib
from itlib import RawConn, ErrPacket

HOST = itlib.HOST
PORT = itlib.PORT + 38
ADMIN_PORT = itlib.PORT + 39
BASE = itlib.BASE_PORT
LIMIT_MS = 1000
MAX_ROWS = 100
SLOW_MS = 300

NAMESPACES = {
    "limits": f"""{{
  "name": "limits", "online": true, "read_only": false,
  "allowed_dbs": {{}}, "default_slice": "slice-0",
  "slow_sql_time": {SLOW_MS}, "open_general_log": true,
  "max_sql_execute_time": {LIMIT_MS}, "max_sql_result_size": {MAX_ROWS},
  "black_sql": ["SELECT * FROM lim_black WHERE id = 5", "delete from lim_black"],
  "allowed_ip": ["127.0.0.0/8"],
  "slices": [{{"name": "slice-0", "user_name": "limits_rw", "password": "limits_rw",
     "master": "127.0.0.1:{BASE}", "slaves": [], "statistic_slaves": [],
     "capacity": 2, "max_capacity": 20, "idle_timeout": 60}}],
  "shard_rules": [],
  "users": [
    {{"user_name": "limited", "password": "lim_pw", "namespace": "limits", "rw_flag": 2,
      "rw_split": 0, "other_property": 0, "max_connections": 3}},
    {{"user_name": "limfree", "password": "lim_pw", "namespace": "limits", "rw_flag": 2,
      "rw_split": 0, "other_property": 0}}
  ]
}}""",
    "limits_shard": f"""{{
  "name": "limits_shard", "online": true, "read_only": false,
  "allowed_dbs": {{"db_lim": true}}, "default_slice": "s0",
  "slow_sql_time": {SLOW_MS}, "open_general_log": false,
  "max_sql_execute_time": {LIMIT_MS}, "max_sql_result_size": {MAX_ROWS},
  "slices": [
    {{"name": "s0", "user_name": "limits_rw", "password": "limits_rw", "master": "127.0.0.1:{BASE}",
      "slaves": [], "statistic_slaves": [], "capacity": 2, "max_capacity": 20, "idle_timeout": 60}},
    {{"name": "s1", "user_name": "limits_rw", "password": "limits_rw", "master": "127.0.0.1:{BASE + 10}",
      "slaves": [], "statistic_slaves": [], "capacity": 2, "max_capacity": 20, "idle_timeout": 60}},
    {{"name": "s2", "user_name": "limits_rw", "password": "limits_rw", "master": "127.0.0.1:{BASE + 20}",
      "slaves": [], "statistic_slaves": [], "capacity": 2, "max_capacity": 20, "idle_timeout": 60}}
  ],
  "shard_rules": [
    {{"db": "db_lim", "table": "t_lim", "type": "hash", "key": "id",
      "locations": [1, 1, 1], "slices": ["s0", "s1", "s2"]}}
  ],
  "users": [
    {{"user_name": "limshard", "password": "lim_pw", "namespace": "limits_shard", "rw_flag": 2,
      "rw_split": 0, "other_property": 0}}
  ]
}}""",
    "limits_ip": f"""{{
  "name": "limits_ip", "online": true, "read_only": false,
  "allowed_dbs": {{}}, "default_slice": "slice-0",
  "allowed_ip": ["10.254.1.0/24", "192.0.2.7"],
  "slices": [{{"name": "slice-0", "user_name": "limits_rw", "password": "limits_rw",
     "master": "127.0.0.1:{BASE}", "slaves": [], "statistic_slaves": [],
     "capacity": 2, "max_capacity": 20, "idle_timeout": 60}}],
  "shard_rules": [],
  "users": [
    {{"user_name": "ipfenced", "password": "lim_pw", "namespace": "limits_ip", "rw_flag": 2,
      "rw_split": 0, "other_property": 0}}
  ]
}}""",
}


class Instance:
    """This test's own Tessera: config, TLS certificate, log files in a temporary directory."""

    def __init__(self):
        run_dir = os.environ.get("TESSERA_IT_RUN_DIR", tempfile.gettempdir())
        self.dir = tempfile.mkdtemp(prefix="limits-", dir=run_dir)
        ns_dir = os.path.join(self.dir, "namespaces")
        os.makedirs(ns_dir)
        for name, text in NAMESPACES.items():
            with open(os.path.join(ns_dir, name + ".json"), "w") as f:
                f.write(text)
        self.cert = os.path.join(self.dir, "server.pem")
        self.key = os.path.join(self.dir, "server-key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", "/CN=tessera-limits-test", "-keyout", self.key, "-out",
                        self.cert], check=True, capture_output=True, timeout=60)
        self.general = os.path.join(self.dir, "general.log")
        self.slow = os.path.join(self.dir, "slow.log")
        self.error_log = os.path.join(self.dir, "tessera.log")
        with open(os.path.join(self.dir, "tessera.toml"), "w") as f:
            f.write(f"""[proxy]
listen = "{HOST}:{PORT}"
worker_threads = 2
namespaces_dir = "namespaces"
[admin]
listen = "{HOST}:{ADMIN_PORT}"
[log]
level = "info"
file = "tessera.log"
general_log_file = "general.log"
slow_log_file = "slow.log"
max_size_mb = 1
max_files = 2
[tls]
cert = "server.pem"
key = "server-key.pem"
""")
        self.proc = None

    def start(self):
        binary = os.environ.get("TESSERA_BIN")
        if not binary:
            raise unittest.SkipTest("TESSERA_BIN not set (direct mode)")
        self.proc = subprocess.Popen([binary, "--config", os.path.join(self.dir, "tessera.toml")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        if not itlib.wait_for_port(HOST, PORT, 30):
            self.stop()
            raise RuntimeError("the limits Tessera did not start; see " + self.error_log)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def signal(self, sig):
        self.proc.send_signal(sig)


INSTANCE = None


def connect(user="limited", password="lim_pw", wait_for_slot=True, **kw):
    """A session of `user`. `wait_for_slot`: a 1203 (the user's max_connections) is retried
    for 5 s, since sessions the previous test closed end asynchronously on a busy machine; a
    test of the limit itself passes False."""
    import pymysql
    kw.setdefault("connect_timeout", 10)
    kw.setdefault("read_timeout", 30)
    deadline = time.time() + 5
    while True:
        try:
            return pymysql.connect(host=HOST, port=PORT, user=user, password=password, **kw)
        except pymysql.err.OperationalError as e:
            if not wait_for_slot or e.args[0] != 1203 or time.time() > deadline:
                raise
            time.sleep(0.05)


def raw_login(user="limited", db=None):
    c = RawConn(port=PORT)
    c.login(user, "lim_pw", db=db)
    return c


def running_statements(slice_index, like):
    rows = itlib.backend_sql(
        slice_index, "SELECT COUNT(*) FROM information_schema.PROCESSLIST "
        f"WHERE COMMAND = 'Query' AND ID <> CONNECTION_ID() AND INFO LIKE '{like}'")
    return int(rows[0][0])


def wait_no_running(slice_index, like, seconds=3.0):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if running_statements(slice_index, like) == 0:
            return 0
        time.sleep(0.1)
    return running_statements(slice_index, like)


class ExecutionTime(unittest.TestCase):
    def assert_timeout(self, err, started):
        elapsed = time.time() - started
        self.assertEqual(err.args[0] if not isinstance(err, ErrPacket) else err.code, 3024, err)
        self.assertIn("max_sql_execute_time", str(err))
        self.assertGreater(elapsed, LIMIT_MS / 1000 * 0.9)
        self.assertLess(elapsed, LIMIT_MS / 1000 + 1.5, "the error came too late")
        return elapsed

    def test_query_killed_and_session_healthy(self):
        import pymysql
        c = connect()
        try:
            cur = c.cursor()
            started = time.time()
            with self.assertRaises(pymysql.err.OperationalError) as ctx:
                cur.execute("SELECT SLEEP(5)")
            elapsed = self.assert_timeout(ctx.exception, started)
            itlib.log(f"  COM_QUERY SELECT SLEEP(5) stopped after {elapsed * 1000:.0f} ms")
            # the same session goes on; no statement left running on the server
            cur.execute("SELECT 6 * 7")
            self.assertEqual(cur.fetchall(), ((42,),))
            self.assertEqual(wait_no_running(0, "SELECT SLEEP(5)%"), 0)
            # many rounds: the pooled connections stay clean (a stale KILL would fail these)
            for i in range(3):
                with self.assertRaises(pymysql.err.OperationalError):
                    cur.execute(f"SELECT SLEEP(5) + {i}")
                for _ in range(5):
                    cur.execute("SELECT 1")
                    self.assertEqual(cur.fetchall(), ((1,),))
            # fast statements are untouched by the limit
            cur.execute("SELECT SLEEP(0.2)")
            self.assertEqual(cur.fetchall(), ((0,),))
        finally:
            c.close()

    def test_transaction_survives_the_kill(self):
        import pymysql
        c = connect()
        try:
            cur = c.cursor()
            cur.execute("CREATE DATABASE IF NOT EXISTS demo")
            cur.execute("CREATE TABLE IF NOT EXISTS demo.lim_txn (id INT PRIMARY KEY)")
            cur.execute("DELETE FROM demo.lim_txn")
            cur.execute("BEGIN")
            cur.execute("INSERT INTO demo.lim_txn VALUES (1)")
            started = time.time()
            with self.assertRaises(pymysql.err.OperationalError) as ctx:
                cur.execute("SELECT SLEEP(5)")
            self.assert_timeout(ctx.exception, started)
            # KILL QUERY ends the statement, not the transaction
            cur.execute("INSERT INTO demo.lim_txn VALUES (2)")
            cur.execute("COMMIT")
            cur.execute("SELECT id FROM demo.lim_txn ORDER BY id")
            self.assertEqual(cur.fetchall(), ((1,), (2,)))
        finally:
            c.close()

    def test_prepared_statement_killed(self):
        c = raw_login()
        try:
            stmt = c.prepare("SELECT SLEEP(?)")
            started = time.time()
            with self.assertRaises(ErrPacket) as ctx:
                c.execute(stmt, (5,))
            elapsed = self.assert_timeout(ctx.exception, started)
            itlib.log(f"  COM_STMT_EXECUTE SLEEP(5) stopped after {elapsed * 1000:.0f} ms")
            cols, rows = c.execute(stmt, (0,))
            self.assertEqual(len(rows), 1)
            kind, rows = c.query("SELECT 40 + 2")
            self.assertEqual(rows, [["42"]])
            self.assertEqual(wait_no_running(0, "SELECT SLEEP(%"), 0)
        finally:
            c.close()


class ShardedLimits(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        for i in range(3):
            itlib.backend_sql(i, "CREATE DATABASE IF NOT EXISTS db_lim; "
                              f"DROP TABLE IF EXISTS db_lim.t_lim_{i:04d}; "
                              f"CREATE TABLE db_lim.t_lim_{i:04d} (id INT PRIMARY KEY, v INT)")
        c = connect("limshard", database="db_lim", autocommit=True)
        cur = c.cursor()
        for start in range(0, 150, 50):
            values = ", ".join(f"({i}, {i * 10})" for i in range(start, start + 50))
            cur.execute(f"INSERT INTO t_lim (id, v) VALUES {values}")
        c.close()

    def test_scatter_query_killed_on_every_slice(self):
        import pymysql
        c = connect("limshard", database="db_lim")
        try:
            cur = c.cursor()
            started = time.time()
            with self.assertRaises(pymysql.err.OperationalError) as ctx:
                # one row per shard sleeps 3 s: every slice is busy past the limit
                cur.execute("SELECT id, SLEEP(3) FROM t_lim WHERE id IN (0, 1, 2, 3, 4, 5)")
            elapsed = time.time() - started
            self.assertEqual(ctx.exception.args[0], 3024, ctx.exception)
            self.assertLess(elapsed, LIMIT_MS / 1000 + 1.5)
            itlib.log(f"  scatter SELECT ... SLEEP(3) over 3 slices stopped after "
                      f"{elapsed * 1000:.0f} ms")
            for i in range(3):
                self.assertEqual(wait_no_running(i, "SELECT%SLEEP(3)%"), 0, f"slice {i}")
            cur.execute("SELECT COUNT(*) FROM t_lim")
            self.assertEqual(cur.fetchall(), ((150,),))
        finally:
            c.close()

    def test_merged_result_too_large(self):
        import pymysql
        c = connect("limshard", database="db_lim")
        try:
            cur = c.cursor()
            with self.assertRaises(pymysql.err.MySQLError) as ctx:
                cur.execute("SELECT id, v FROM t_lim ORDER BY id")
                cur.fetchall()
            self.assertIn("max_sql_result_size", str(ctx.exception))
            cur.execute("SELECT id FROM t_lim ORDER BY id LIMIT 5")
            self.assertEqual([r[0] for r in cur.fetchall()], [0, 1, 2, 3, 4])
        finally:
            c.close()


class ResultSize(unittest.TestCase):
    def test_result_cut_and_connection_usable(self):
        import pymysql
        c = connect(database="demo")  # seq_1_to_N tables need a current database
        try:
            cur = c.cursor()
            cur.execute(f"SELECT seq FROM seq_1_to_{MAX_ROWS}")
            self.assertEqual(len(cur.fetchall()), MAX_ROWS)
            for n in (MAX_ROWS + 1, 200000):
                with self.assertRaises(pymysql.err.MySQLError) as ctx:
                    cur.execute(f"SELECT seq, REPEAT('x', 100) FROM seq_1_to_{n}")
                    cur.fetchall()
                self.assertEqual(ctx.exception.args[0], 1105, ctx.exception)
                self.assertIn(f"more rows than {MAX_ROWS}", str(ctx.exception))
                cur.execute("SELECT 'still here'")
                self.assertEqual(cur.fetchall(), (("still here",),))
            self.assertEqual(wait_no_running(0, "SELECT seq, REPEAT%"), 0)
        finally:
            c.close()

    def test_binary_result_cut(self):
        c = raw_login(db="demo")
        try:
            stmt = c.prepare(f"SELECT seq FROM seq_1_to_{MAX_ROWS * 3} WHERE seq > ?")
            with self.assertRaises(ErrPacket) as ctx:
                c.execute(stmt, (0,))
            self.assertIn("max_sql_result_size", ctx.exception.message)
            cols, rows = c.execute(stmt, (MAX_ROWS * 3 - 2,))
            self.assertEqual(len(rows), 2)
        finally:
            c.close()


class UserConnections(unittest.TestCase):
    def test_max_connections_per_user(self):
        import pymysql
        held = [connect() for _ in range(3)]
        try:
            with self.assertRaises(pymysql.err.OperationalError) as ctx:
                connect(wait_for_slot=False)
            self.assertEqual(ctx.exception.args[0], 1203, ctx.exception)
            self.assertIn("limited", str(ctx.exception))
            # another user of the same namespace is not limited
            other = [connect("limfree") for _ in range(5)]
            for o in other:
                o.close()
            # a slot comes back when a session ends
            held.pop().close()
            deadline = time.time() + 5
            while True:
                try:
                    held.append(connect(wait_for_slot=False))
                    break
                except pymysql.err.OperationalError as e:
                    if e.args[0] != 1203 or time.time() > deadline:
                        raise
                    time.sleep(0.05)
        finally:
            for h in held:
                h.close()


class BlackList(unittest.TestCase):
    def test_blacklisted_fingerprints_refused(self):
        import pymysql
        c = connect(database="demo")
        try:
            cur = c.cursor()
            cur.execute("CREATE TABLE IF NOT EXISTS lim_black (id INT PRIMARY KEY)")
            cur.execute("DELETE FROM lim_black WHERE id > 100")  # differs from the listed one
            for sql in ("select *  from lim_black where id=77",
                        "SELECT * FROM lim_black /* any comment */ WHERE id = 'x'",
                        "DELETE FROM lim_black"):
                with self.assertRaises(pymysql.err.MySQLError) as ctx:
                    cur.execute(sql)
                self.assertEqual(ctx.exception.args[0], 1227, sql)
                self.assertIn("black_sql", str(ctx.exception))
            cur.execute("SELECT * FROM lim_black WHERE id > 5")
            cur.fetchall()
        finally:
            c.close()
        r = raw_login(db="demo")
        try:
            with self.assertRaises(ErrPacket) as ctx:
                r.prepare("SELECT * FROM lim_black WHERE id = ?")
            self.assertEqual(ctx.exception.code, 1227)
            kind, rows = r.query("SELECT 1")
            self.assertEqual(rows, [["1"]])
        finally:
            r.close()


class AllowedIp(unittest.TestCase):
    def test_client_ip_not_allowed(self):
        import pymysql
        with self.assertRaises(pymysql.err.OperationalError) as ctx:
            connect("ipfenced")
        self.assertEqual(ctx.exception.args[0], 1045)
        self.assertIn("not allowed to connect to namespace 'limits_ip'", str(ctx.exception))
        # the namespace that lists 127.0.0.0/8 lets us in
        connect().close()


class Tls(unittest.TestCase):
    def test_mariadb_cli_ssl(self):
        base = ["mariadb", "--no-defaults", "-h", HOST, "-P", str(PORT), "-ulimited", "-plim_pw"]
        out = subprocess.run(base + ["--ssl", "-e", "\\s"], capture_output=True, text=True,
                             timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        ssl_line = [l for l in out.stdout.splitlines() if l.startswith("SSL:")]
        self.assertTrue(ssl_line and "Cipher in use is" in ssl_line[0], out.stdout)
        itlib.log("  mariadb --ssl: " + ssl_line[0].split("\t")[-1])
        out = subprocess.run(base + ["--ssl", "-N", "-B", "-e", "SELECT 6 * 7"],
                             capture_output=True, text=True, timeout=30)
        self.assertEqual(out.stdout.strip(), "42", out.stderr)
        plain = subprocess.run(base + ["--skip-ssl", "-e", "\\s"], capture_output=True, text=True,
                               timeout=30)
        self.assertIn("Not in use", [l for l in plain.stdout.splitlines()
                                     if l.startswith("SSL:")][0])

    def test_mariadb_cli_ssl_compressed(self):
        # Issue 16 item 14: the compressed protocol inside TLS. `status` says both, and the
        # rows of a compressed TLS session equal those of a compressed session straight to the
        # server (over 16 MiB included).
        base = ["mariadb", "--no-defaults", "-h", HOST, "-P", str(PORT), "-ulimited", "-plim_pw"]
        out = subprocess.run(base + ["--ssl", "--compress", "-e", "\\s"], capture_output=True,
                             text=True, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        lines = out.stdout.splitlines()
        self.assertTrue(any(l.startswith("SSL:") and "Cipher in use is" in l for l in lines),
                        out.stdout)
        self.assertIn("Compressed", [l.split(":", 1)[1].strip() for l in lines
                                     if l.startswith("Protocol:")], out.stdout)
        sql = ("SELECT seq, REPEAT('t', seq % 50) FROM seq_1_to_90; "
               "SELECT MD5(REPEAT('b', 17000000)), LENGTH(REPEAT('b', 17000000)); "
               "SHOW SESSION STATUS LIKE 'Compression'")
        through = subprocess.run(base + ["--ssl", "--compress", "--max-allowed-packet=64M", "-N",
                                         "-B", "-e", sql, "demo"], capture_output=True,
                                 text=True, timeout=60)
        direct = subprocess.run(["mariadb", "--no-defaults", "--protocol=tcp", "-h", HOST, "-P",
                                 str(itlib.BASE_PORT), "-utessera", "-ptessera", "--compress",
                                 "--max-allowed-packet=64M", "-N", "-B", "-e", sql, "demo"],
                                capture_output=True, text=True, timeout=60)
        self.assertEqual(through.returncode, 0, through.stderr)
        self.assertEqual(through.stdout, direct.stdout)
        self.assertIn("Compression\tON", through.stdout)

    def test_pymysql_ssl(self):
        import ssl
        ctx = ssl.create_default_context(cafile=INSTANCE.cert)
        ctx.check_hostname = False  # the certificate names no host
        c = connect(ssl=ctx)
        try:
            cipher = c._sock.cipher()
            self.assertIsNotNone(cipher)
            itlib.log(f"  pymysql over TLS: {cipher[1]} {cipher[0]}")
            cur = c.cursor()
            cur.execute("SELECT 'over tls'")
            self.assertEqual(cur.fetchall(), (("over tls",),))
        finally:
            c.close()


def read_text(path):
    with open(path) as f:
        return f.read()


class ZLogs(unittest.TestCase):
    """Runs last (classes run in name order): reads what the other tests left in the logs, then rotates and reopens."""

    def test_general_slow_rotation_reopen(self):
        c = connect(database="demo")
        cur = c.cursor()
        cur.execute("SELECT 7 AS general_log_marker")
        cur.execute("SELECT SLEEP(0.5) AS slow_log_marker")
        conn_id = c.thread_id()
        c.close()
        time.sleep(0.2)
        general = read_text(INSTANCE.general)
        line = [l for l in general.splitlines() if "general_log_marker" in l]
        self.assertEqual(len(line), 1, general[-2000:])
        self.assertIn(f"conn={conn_id} user=limited ns=limits db=demo duration_ms=", line[0])
        self.assertTrue(line[0].endswith("sql=SELECT 7 AS general_log_marker"), line[0])
        # namespace limits_shard has open_general_log false
        self.assertNotIn("ns=limits_shard", general)
        slow = read_text(INSTANCE.slow)
        sl = [l for l in slow.splitlines() if "slow_log_marker" in l]
        self.assertEqual(len(sl), 1, slow)
        self.assertIn("fingerprint=SELECT SLEEP(?) AS slow_log_marker", sl[0])
        ms = float(sl[0].split("duration_ms=")[1].split()[0])
        self.assertGreaterEqual(ms, 500)
        self.assertNotIn("general_log_marker", slow)
        # the killed statements are slow too
        self.assertIn("sql=SELECT SLEEP(5)", slow)

        # size-based rotation at max_size_mb = 1
        c = connect()
        cur = c.cursor()
        filler = "x" * 4000
        for i in range(300):
            cur.execute(f"SELECT {i} /* {filler} */")
        c.close()
        self.assertTrue(os.path.exists(INSTANCE.general + ".1"))
        self.assertLessEqual(os.path.getsize(INSTANCE.general), 1024 * 1024)
        self.assertFalse(os.path.exists(INSTANCE.general + ".3"))  # max_files = 2

        # logrotate style: move the file away, SIGUSR1, the next line goes to a new file
        moved = INSTANCE.general + ".moved"
        os.rename(INSTANCE.general, moved)
        INSTANCE.signal(signal.SIGUSR1)
        time.sleep(0.5)
        c = connect()
        c.cursor().execute("SELECT 'after reopen'")
        c.close()
        time.sleep(0.2)
        self.assertIn("after reopen", read_text(INSTANCE.general))
        self.assertNotIn("after reopen", read_text(moved))
        # The error log is flushed periodically, not per line: give it a few seconds.
        deadline = time.monotonic() + 5
        while ("log files reopened" not in read_text(INSTANCE.error_log)
               and time.monotonic() < deadline):
            time.sleep(0.2)
        self.assertIn("log files reopened", read_text(INSTANCE.error_log))


def setUpModule():
    global INSTANCE
    INSTANCE = Instance()
    INSTANCE.start()


def tearDownModule():
    if INSTANCE:
        INSTANCE.stop()
        if os.environ.get("TESSERA_IT_KEEP") is None:
            shutil.rmtree(INSTANCE.dir, ignore_errors=True)


if __name__ == "__main__":
    if not itlib.PROXY:
        print("limits: proxy mode only")
        sys.exit(0)
    itlib.main_unittest()
