"""Accounts that live on the server (issue 16 item 9): a namespace with "backend_accounts": true
takes every login whose name is in no namespace's users[], has the server authenticate it
(relayed, auth switches included) and runs the session under that account.

Differential: accounts are made on slice-0's primary (mysql_native_password, ed25519 after
INSTALL SONAME 'auth_ed25519', SELECT-only grants, ACCOUNT LOCK, MAX_USER_CONNECTIONS 1), and
every check runs directly against that server and through a private Tessera (opslib index 2:
proxy port + 34, admin + 35) with the same client; the results must be identical:
  - pymysql: CURRENT_USER()/USER(), a grant refusal (1142), a wrong password (1045), a locked
    account (4151), max_user_connections (1226, and a login once the first session is gone),
    ed25519 (python3-nacl);
  - the mariadb CLI (libmariadb's client_ed25519): native and ed25519 logins, wrong password;
  - the npm mysql2 and mariadb drivers (compat/backend_accounts.js): login, changeUser to an
    account with fewer grants and back, a failed changeUser, ed25519 (mariadb);
and, through Tessera only, checked on the server: two accounts' sessions never share a backend
connection (CONNECTION_ID() against the processlist's user), a native session's reconnect after
its connection is killed logs in again as the same account (SHA1(password) learned at login),
and an ed25519 session, which leaves nothing to log in with, gets a clear error instead.
"""

import json
import os
import shutil
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import itlib  # noqa: E402
from itlib import BASE_PORT, HOST, log  # noqa: E402
from opslib import Tessera, stop_all  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DIRECT = BASE_PORT  # slice-0's primary

ACCOUNTS = {
    "ba_native": "native_pw",
    "ba_limited": "limited_pw",
    "ba_ed": "ed_pw",
    "ba_locked": "locked_pw",
    "ba_one": "one_pw",
}


def root(sql):
    return itlib.backend_sql(0, sql)


def make_accounts():
    # Accounts only on the primary (sql_log_bin=0): the replicas need no ed25519 plugin, and the
    # namespace's sessions use the primary only.
    if not root("SELECT COUNT(*) FROM information_schema.PLUGINS "
                "WHERE PLUGIN_NAME = 'ed25519' AND PLUGIN_STATUS = 'ACTIVE'")[0][0] == "1":
        root("SET sql_log_bin = 0; INSTALL SONAME 'auth_ed25519'")
    drops = "".join(f"DROP USER IF EXISTS '{u}'@'%';" for u in ACCOUNTS)
    root("SET sql_log_bin = 0;" + drops +
         "CREATE USER 'ba_native'@'%' IDENTIFIED BY 'native_pw';"
         "CREATE USER 'ba_limited'@'%' IDENTIFIED BY 'limited_pw';"
         "CREATE USER 'ba_ed'@'%' IDENTIFIED VIA ed25519 USING PASSWORD('ed_pw');"
         "CREATE USER 'ba_locked'@'%' IDENTIFIED BY 'locked_pw' ACCOUNT LOCK;"
         "CREATE USER 'ba_one'@'%' IDENTIFIED BY 'one_pw' WITH MAX_USER_CONNECTIONS 1;"
         "GRANT ALL ON ba_db.* TO 'ba_native'@'%';"
         "GRANT SELECT ON ba_db.* TO 'ba_limited'@'%';"
         "GRANT SELECT ON ba_db.* TO 'ba_ed'@'%';"
         "GRANT SELECT ON ba_db.* TO 'ba_one'@'%';")
    # The database replicates as usual (writes through Tessera reach the replicas).
    root("CREATE DATABASE IF NOT EXISTS ba_db;"
         "CREATE TABLE IF NOT EXISTS ba_db.t (id INT PRIMARY KEY); DELETE FROM ba_db.t")


def drop_accounts():
    root("SET sql_log_bin = 0;" + "".join(f"DROP USER IF EXISTS '{u}'@'%';" for u in ACCOUNTS))
    root("DROP DATABASE IF EXISTS ba_db")


def namespace():
    return json.dumps({
        "name": "server_accounts", "online": True, "read_only": False, "allowed_dbs": {},
        "default_slice": "slice-0", "backend_accounts": True,
        "slices": [{"name": "slice-0", "user_name": "tessera", "password": "tessera",
                    "master": f"{HOST}:{DIRECT}", "slaves": [], "statistic_slaves": [],
                    "capacity": 2, "max_capacity": 10, "idle_timeout": 60}],
        "shard_rules": [],
        # A namespace user next to the server accounts: still Tessera's own login.
        "users": [{"user_name": "ba_nsuser", "password": "ns_pw", "namespace": "server_accounts",
                   "rw_flag": 2, "rw_split": 0, "other_property": 0}]})


def outcome(fn):
    """What a call gave: ('ok', value) or ('error', code, message)."""
    import pymysql
    try:
        return ("ok", fn())
    except pymysql.err.MySQLError as e:
        return ("error", e.args[0], e.args[1] if len(e.args) > 1 else "")


class BackendAccounts(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        make_accounts()
        cls.tessera = Tessera(2, name="backend-accounts",
                              namespaces={"server_accounts.json": namespace()}).start()
        cls.targets = {"direct": DIRECT, "tessera": cls.tessera.port}

    @classmethod
    def tearDownClass(cls):
        stop_all()
        drop_accounts()

    def connect(self, port, user, password=None, **kw):
        import pymysql
        kw.setdefault("connect_timeout", 10)
        kw.setdefault("read_timeout", 30)
        return pymysql.connect(host=HOST, port=port, user=user,
                               password=ACCOUNTS.get(user, "") if password is None else password,
                               **kw)

    def both(self, check):
        """check(port) on both targets; asserts the results are equal and returns one."""
        got = {name: check(port) for name, port in self.targets.items()}
        self.assertEqual(got["direct"], got["tessera"], f"direct vs Tessera: {got}")
        return got["direct"]

    def query(self, conn, sql):
        cur = conn.cursor()
        cur.execute(sql)
        return cur.fetchall()

    def session_result(self, port, user, password, sql):
        def run():
            c = self.connect(port, user, password)
            try:
                return self.query(c, sql)
            finally:
                c.close()
        return outcome(run)

    # ---------------------------------------------------------------------------------------
    def test_logins_grants_and_refusals(self):
        who = "SELECT CURRENT_USER(), USER()"
        for user in ("ba_native", "ba_limited"):
            r = self.both(lambda p: self.session_result(p, user, None, who))
            self.assertEqual(r[0], "ok", r)
            log(f"  {user}: {r[1]}")
        r = self.both(lambda p: self.session_result(p, "ba_limited", None,
                                                    "INSERT INTO ba_db.t VALUES (7)"))
        self.assertEqual(r[:2], ("error", 1142), r)
        log(f"  grant enforced: {r[1]} {r[2]}")
        r = self.both(lambda p: self.session_result(p, "ba_native", "wrong", "SELECT 1"))
        self.assertEqual(r[:2], ("error", 1045), r)
        log(f"  wrong password: {r[1]} {r[2]}")
        r = self.both(lambda p: self.session_result(p, "ba_locked", None, "SELECT 1"))
        self.assertEqual(r[0], "error", r)
        log(f"  locked account: {r[1]} {r[2]}")
        r = self.both(lambda p: self.session_result(p, "ba_nobody", "x", "SELECT 1"))
        self.assertEqual(r[:2], ("error", 1045), r)
        # The namespace's own user still logs in with Tessera's password, not the server's.
        c = self.connect(self.tessera.port, "ba_nsuser", "ns_pw")
        try:
            self.assertTrue(self.query(c, "SELECT CURRENT_USER()")[0][0].startswith("tessera@"))
        finally:
            c.close()

    def test_max_user_connections(self):
        def first_session(port):
            # The server counts a closed session until its thread has gone (the previous
            # target's last login may still hold the account's one connection for a moment).
            deadline = time.time() + 5
            while True:
                try:
                    return self.connect(port, "ba_one")
                except Exception as e:  # pymysql.err.OperationalError
                    if getattr(e, "args", (0,))[0] != 1226 or time.time() > deadline:
                        raise
                    time.sleep(0.1)

        def check(port):
            first = first_session(port)
            try:
                self.query(first, "SELECT 1")
                second = self.session_result(port, "ba_one", None, "SELECT 1")
            finally:
                first.close()
            # Once the first session is gone the server takes the account again.
            deadline = time.time() + 5
            while True:
                third = self.session_result(port, "ba_one", None, "SELECT CURRENT_USER()")
                if third[0] == "ok" or time.time() > deadline:
                    break
                time.sleep(0.1)
            return second, third
        second, third = self.both(check)
        self.assertEqual(second[:2], ("error", 1226), second)
        self.assertEqual(third[0], "ok", third)
        log(f"  max_user_connections=1: {second[1]} {second[2]}; later login {third[1]}")

    def test_ed25519_pymysql(self):
        try:
            import nacl  # noqa: F401  (pymysql's ed25519 needs it: Debian's python3-nacl)
        except ImportError:
            self.skipTest("python3-nacl not installed")
        r = self.both(lambda p: self.session_result(p, "ba_ed", None,
                                                    "SELECT CURRENT_USER(), USER()"))
        self.assertEqual(r[0], "ok", r)
        r = self.both(lambda p: self.session_result(p, "ba_ed", "wrong", "SELECT 1"))
        self.assertEqual(r[:2], ("error", 1045), r)
        log(f"  pymysql ed25519: login and wrong password ({r[2]}) as the server")

    def test_sessions_never_share_connections(self):
        port = self.tessera.port
        a = self.connect(port, "ba_native")
        b = self.connect(port, "ba_limited")
        try:
            ids = {"ba_native": set(), "ba_limited": set()}
            for _ in range(10):
                for conn, user in ((a, "ba_native"), (b, "ba_limited")):
                    cid, cu = self.query(conn, "SELECT CONNECTION_ID(), CURRENT_USER()")[0]
                    self.assertEqual(cu, f"{user}@%")
                    ids[user].add(int(cid))
            self.assertFalse(ids["ba_native"] & ids["ba_limited"], ids)
            listed = {int(i): u for i, u in root(
                "SELECT ID, USER FROM information_schema.PROCESSLIST "
                "WHERE USER IN ('ba_native', 'ba_limited')")}
            for user, seen in ids.items():
                for cid in seen:
                    self.assertEqual(listed.get(cid), user,
                                     f"backend connection {cid} of {user}: {listed}")
            log(f"  backend connections on the server: {ids}, processlist {listed}")
        finally:
            a.close()
            b.close()

    def test_reconnect_after_kill(self):
        # Through Tessera only: the session's backend connection is killed on the server while
        # idle; the next statement needs a new connection in the account's name.
        port = self.tessera.port
        c = self.connect(port, "ba_native")
        try:
            before = self.query(c, "SELECT CONNECTION_ID(), CURRENT_USER()")[0]
            root(f"KILL {int(before[0])}")
            time.sleep(0.3)
            after = self.query(c, "SELECT CONNECTION_ID(), CURRENT_USER()")[0]
            self.assertNotEqual(before[0], after[0])
            self.assertEqual(after[1], "ba_native@%")
            log(f"  native: backend connection {before[0]} killed, the session went on as "
                f"{after[1]} on {after[0]} (logged in with SHA1(password))")
        finally:
            c.close()
        try:
            import nacl  # noqa: F401
        except ImportError:
            return
        import pymysql
        c = self.connect(port, "ba_ed")
        try:
            before = self.query(c, "SELECT CONNECTION_ID()")[0]
            root(f"KILL {int(before[0])}")
            time.sleep(0.3)
            with self.assertRaises(pymysql.err.MySQLError) as ctx:
                self.query(c, "SELECT 1")
            self.assertEqual(ctx.exception.args[0], 1251, ctx.exception)
            self.assertIn("ed25519", ctx.exception.args[1])
            log(f"  ed25519: after the kill: {ctx.exception.args[0]} {ctx.exception.args[1]}")
        finally:
            c.close()

    def test_mariadb_cli(self):
        def cli(port, user, password, sql="SELECT CURRENT_USER(), USER()"):
            out = subprocess.run(["mariadb", "--no-defaults", "-h", HOST, "-P", str(port), "-u",
                                  user, f"-p{password}", "-N", "-B", "-e", sql],
                                 capture_output=True, text=True, timeout=30)
            return out.returncode, out.stdout, out.stderr
        for user in ("ba_native", "ba_ed"):
            r = self.both(lambda p: cli(p, user, ACCOUNTS[user]))
            self.assertEqual(r[0], 0, r)
            log(f"  mariadb CLI {user}: {r[1].strip()}")
        r = self.both(lambda p: cli(p, "ba_ed", "wrong"))
        self.assertNotEqual(r[0], 0, r)
        log(f"  mariadb CLI wrong ed25519 password: {r[2].strip()}")

    def test_expired_password(self):
        """An account whose password has expired: a client that says it can handle that
        (CLIENT_CAN_HANDLE_EXPIRED_PASSWORDS, the npm mariadb connector's
        permitConnectionWhenExpired) logs in to the server's sandbox (1820 until SET PASSWORD,
        then normal); one that does not gets 1862. Directly and through Tessera."""
        from pymysql.constants import CLIENT
        root("SET GLOBAL disconnect_on_expired_password = ON")
        try:
            def run(port, permit):
                # replicated (not sql_log_bin = 0): the session's SET PASSWORD replicates
                root("DROP USER IF EXISTS 'ba_expired'@'%';"
                     "CREATE USER 'ba_expired'@'%' IDENTIFIED BY 'old_pw' PASSWORD EXPIRE;"
                     "GRANT SELECT ON ba_db.* TO 'ba_expired'@'%'")
                seen = []
                try:
                    c = self.connect(port, "ba_expired", "old_pw", database="ba_db",
                                     client_flag=CLIENT.HANDLE_EXPIRED_PASSWORDS if permit else 0)
                except Exception as e:  # noqa: BLE001 - the refusal is the result
                    return [("login", e.args[0], e.args[1] if len(e.args) > 1 else "")]
                try:
                    for sql in ("SELECT CURRENT_USER()", "SET PASSWORD = PASSWORD('new_pw')",
                                "SELECT CURRENT_USER(), DATABASE()"):
                        seen.append((sql, outcome(lambda: self.query(c, sql))))
                finally:
                    c.close()
                seen.append(("new password", self.session_result(port, "ba_expired", "new_pw",
                                                                 "SELECT CURRENT_USER()")))
                return seen
            for permit in (True, False):
                r = self.both(lambda p: run(p, permit))
                log(f"  expired password, {'permitted' if permit else 'not permitted'}: {r}")
                if permit:
                    self.assertEqual(r[0][1][1], 1820, r)
                    self.assertEqual(r[2][1][0], "ok", r)
                else:
                    self.assertEqual(r[0][1], 1862, r)
        finally:
            root("SET GLOBAL disconnect_on_expired_password = OFF;"
                 "DROP USER IF EXISTS 'ba_expired'@'%'")

    def test_change_user_packet_layouts(self):
        """COM_CHANGE_USER as clients write it, read as MariaDB reads it: the database always a
        C string, the 2-byte collation only when two bytes follow it, an unknown collation
        meaning the server's default, a wide one refused (1231) and a packet ending before its
        database refused (1047). Raw packets, one connection each, directly and through
        Tessera: the final reply and then the session's character set, database and user."""
        from wirelib import Wire, decode_err

        def change_user(port, tail, login_collation=8):
            w = Wire(HOST, port)
            try:
                login = w.connect("ba_native", "native_pw", db="ba_db", collation=login_collation)
                self.assertEqual(login["kind"], "ok", login)
                auth = itlib.native_scramble("native_pw", w.greeting_decoded["scramble"][:20])
                body = b"ba_limited\0"
                if tail is not None:
                    # the password is ba_limited's: re-scrambled on an auth switch below
                    auth = itlib.native_scramble("limited_pw",
                                                 w.greeting_decoded["scramble"][:20])
                    body += bytes([len(auth)]) + auth + tail
                w.send_packet(b"\x11" + body, seq=0)
                while True:
                    p = w.read_packet()
                    if p[0] == 0xFE and len(p) > 1:  # auth switch (Tessera relays the server's)
                        end = p.index(b"\0", 1)
                        salt = p[end + 1:].rstrip(b"\0")
                        w.send_packet(itlib.native_scramble("limited_pw", salt[:20]))
                        continue
                    break
                if p[0] == 0xFF:
                    e = decode_err(p)
                    return ("error", e["code"], e["sqlstate"], e["message"])
                w.seq = 0
                r = w.query("SELECT @@character_set_client, @@collation_connection, "
                            "@@character_set_results, DATABASE(), CURRENT_USER()")
                return ("ok", r[0].get("rows"))
            finally:
                w.close()

        native = b"mysql_native_password\0"
        cases = {
            "database, no collation": b"ba_db\0",
            "database, one stray byte": b"ba_db\0\x07",
            "database, koi8r, plugin": b"ba_db\0\x07\x00" + native,
            "empty database, latin1, plugin": b"\0\x08\x00" + native,
            "database, unknown collation 250": b"ba_db\0\xfa\x00" + native,
            "database, id above 255 unknown to MariaDB": b"ba_db\0\x00\x7f" + native,
            # the npm mariadb connector without a database: collation, then the plugin
            "no database (npm mariadb)": b"\xe0\x00" + native,
            "database, utf16": b"ba_db\0\x36\x00" + native,
            "database, ucs2": b"ba_db\0\x23\x00" + native,
        }
        runs = {name: (lambda p, tail=tail: change_user(p, tail)) for name, tail in cases.items()}
        # from a koi8r login, a change naming no collation (one byte after the database: an
        # empty plugin name) goes to the default, not koi8r
        runs["no collation after a koi8r login"] = \
            lambda p: change_user(p, b"ba_db\0\0", login_collation=7)
        # a packet ending after the user name
        runs["truncated after the user"] = lambda p: change_user(p, None)
        got = {way: {name: run(port) for name, run in runs.items()}
               for way, port in self.targets.items()}
        for name in runs:
            log(f"  COM_CHANGE_USER {name}: direct {got['direct'][name]}"
                + ("" if got["tessera"][name] == got["direct"][name]
                   else f"; Tessera {got['tessera'][name]}"))
        self.assertEqual(got["direct"], got["tessera"])
        results = got["direct"]
        self.assertEqual(results["database, koi8r, plugin"][1][0][0], b"koi8r")
        self.assertEqual(results["database, utf16"][1], 1231)
        self.assertEqual(results["truncated after the user"][1], 1047)

    def test_node_drivers(self):
        node, npm = shutil.which("node"), shutil.which("npm")
        if not node or not npm:
            self.skipTest("no node/npm")
        if not os.path.isdir(os.path.join(HERE, "node_modules", "mysql2")) or \
                not os.path.isdir(os.path.join(HERE, "node_modules", "mariadb")):
            subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=HERE,
                           check=True, timeout=240)

        def run(port):
            root("DELETE FROM ba_db.t")
            out = subprocess.run([node, "backend_accounts.js", HOST, str(port)], cwd=HERE,
                                 capture_output=True, text=True, timeout=120)
            self.assertEqual(out.returncode, 0, out.stderr)
            return json.loads(out.stdout)
        r = self.both(run)
        for driver, seen in r.items():
            self.assertNotIn("failed", seen, seen)
            log(f"  {driver}: {json.dumps(seen)}")
        self.assertEqual(r["mysql2"]["denied"]["error"]["errno"], 1142)


if __name__ == "__main__":
    unittest.main(verbosity=2)
