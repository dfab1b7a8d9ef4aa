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
        def check(port):
            first = self.connect(port, "ba_one")
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
