"""Hostile tenant, issue 15 item 5: least-privilege backend accounts.

A private Tessera (robustlib.Tessera, port TESSERA_IT_PORT + 90, admin + 95) in front of the
shared fixture's slice 0 (primary and replicas), configured the way the demo is: every
namespace reaches the servers through its own data account, read-only users through a
SELECT-only account (users[].backend_user_name), the topology monitor through
`tessera_monitor` (SLAVE MONITOR only). The accounts are made by `scripts/cluster.sh grant`,
the code that makes the demo's demo_rw / demo_ro.

Two tenants: `lpvictim` (database lp_victim) and `lpattack` (lp_attack). Differential: each
attack runs through Tessera as the attacker and directly against slice 0's primary as the
backend account Tessera uses for that user; both must give the same answer (the same error
code and message, or the same rows). A control run as the cluster's all-privileges harness
account shows each probe would have succeeded with the account the tests used before, so a
probe that "passes" because it is broken is caught. After everything, the victim's rows and
the attacker's counter are compared with what they were.

  grants     mysql.user, LOAD_FILE, INTO OUTFILE, LOAD DATA INFILE, CREATE USER, GRANT, SET
             GLOBAL, DEFINER=, BINLOG, SHOW SLAVE STATUS, another tenant's tables by
             qualified name (read, write, drop)
  processlist  the victim's running statement is not seen through SHOW FULL PROCESSLIST or
             information_schema.PROCESSLIST
  readonly   a read-only user with a SELECT-only backend account calling a stored function
             that writes is refused by the server (1370), as that account is directly; its
             statements run as that account (CURRENT_USER()); the counter is unchanged
  monitor    the monitor's own account sees replication state (SHOW TESSERA TOPOLOGY)
"""
import json
import os
import subprocess
import threading
import time
import unittest
import uuid

import pymysql

import itlib
import robustlib
from itlib import log

K = 40  # robustlib instance number: port = TESSERA_IT_PORT + 50 + K
CLUSTER_SH = robustlib.CLUSTER_SH
PRIMARY = itlib.BASE_PORT  # slice 0's primary
REPLICAS = [itlib.BASE_PORT + 1, itlib.BASE_PORT + 2]

VICTIM_DB, ATTACK_DB = "lp_victim", "lp_attack"
# backend accounts (cluster.sh grant: password = name)
VICTIM_RW, ATTACK_RW, ATTACK_RO = "lp_victim_rw", "lp_attack_rw", "lp_attack_ro"
# front users
VICTIM = ("victim", "victim_pw")
ATTACKER = ("attacker", "attacker_pw")
ATTACKER_RO = ("attacker_ro", "attacker_ro_pw")
# a read-only user without its own backend account (the namespace's data account)
ATTACKER_RO_SHARED = ("attacker_ro_shared", "attacker_ro_shared_pw")
OUTFILE = f"/tmp/lp-outfile-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def namespace(name, db, account, users):
    return json.dumps({
        "name": name, "online": True, "read_only": False,
        "allowed_dbs": {db: True}, "default_slice": "slice-0",
        "slices": [{"name": "slice-0", "user_name": account, "password": account,
                    "master": f"127.0.0.1:{PRIMARY}",
                    "slaves": [f"127.0.0.1:{p}" for p in REPLICAS], "statistic_slaves": [],
                    "capacity": 2, "max_capacity": 20, "idle_timeout": 60}],
        "shard_rules": [],
        "users": users,
    })


def user(name_pw, ns, rw_flag=2, backend=None):
    u = {"user_name": name_pw[0], "password": name_pw[1], "namespace": ns, "rw_flag": rw_flag,
         "rw_split": 0, "other_property": 0}
    if backend:
        u["backend_user_name"] = backend
        u["backend_password"] = backend
    return u


def grant(account, db, read_only=False):
    cmd = [CLUSTER_SH, "grant", "--dir", itlib.CLUSTER_DIR, "--account", account, "--dbs", db]
    if read_only:
        cmd.append("--read-only")
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, timeout=60)


def direct(account, db=None, port=PRIMARY):
    """A connection straight to a backend as one of the backend accounts."""
    return pymysql.connect(host="127.0.0.1", port=port, user=account, password=account,
                           database=db, connect_timeout=10, read_timeout=30)


def harness(db=None):
    """The cluster's all-privileges account: setup and controls only, never Tessera's."""
    return pymysql.connect(host="127.0.0.1", port=PRIMARY, user="tessera", password="tessera",
                           database=db, connect_timeout=10, read_timeout=30, autocommit=True)


def outcome(conn, sql):
    """('ok', rows) or ('err', code, message): what a client sees of one statement."""
    try:
        with conn.cursor() as c:
            c.execute(sql)
            rows = [tuple(r) for r in c.fetchall()] if c.description else []
        conn.commit()
        return ("ok", rows)
    except pymysql.err.MySQLError as e:
        if not e.args or not isinstance(e.args[0], int):
            raise
        return ("err", e.args[0], e.args[1])


class LeastPrivilege(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        itlib.require_target_alive()
        # Setup as the harness (root through the socket for the accounts, the admin account
        # for the data): nothing here goes through the accounts under test.
        grant(VICTIM_RW, VICTIM_DB)
        grant(ATTACK_RW, ATTACK_DB)
        grant(ATTACK_RO, ATTACK_DB, read_only=True)
        with harness() as h, h.cursor() as c:
            for db in (VICTIM_DB, ATTACK_DB):
                c.execute(f"DROP DATABASE IF EXISTS {db}")
                c.execute(f"CREATE DATABASE {db}")
            c.execute(f"CREATE TABLE {VICTIM_DB}.secrets (id INT PRIMARY KEY, v VARCHAR(64))")
            c.execute(f"INSERT INTO {VICTIM_DB}.secrets VALUES (1, 'victim-secret-1'), "
                      f"(2, 'victim-secret-2')")
            c.execute(f"CREATE TABLE {ATTACK_DB}.counter (n INT NOT NULL)")
            c.execute(f"INSERT INTO {ATTACK_DB}.counter VALUES (0)")
            c.execute(f"CREATE TABLE {ATTACK_DB}.loaded (l TEXT)")
        cls.victim_rows = cls.victim_data()
        t = robustlib.Tessera("hostile-grants", {
            "lpvictim.json": namespace("lpvictim", VICTIM_DB, VICTIM_RW, [user(VICTIM, "lpvictim")]),
            "lpattack.json": namespace("lpattack", ATTACK_DB, ATTACK_RW, [
                user(ATTACKER, "lpattack"),
                user(ATTACKER_RO, "lpattack", rw_flag=1, backend=ATTACK_RO),
                user(ATTACKER_RO_SHARED, "lpattack", rw_flag=1),
            ]),
        }, k=K)
        with open(t.config) as f:
            text = f.read()
        text = text.replace('password = "admin"\n', 'password = "grants-admin"\n')
        text += ('[topology]\nmonitor_user = "tessera_monitor"\n'
                 'monitor_password = "tessera_monitor"\nrepl_user = "repl"\n'
                 'repl_password = "repl"\nmonitor_interval_ms = 200\n')
        with open(t.config, "w") as f:
            f.write(text)
        t.start()
        cls.t = t

    @classmethod
    def tearDownClass(cls):
        t = getattr(cls, "t", None)
        if t is not None:
            alive = t.alive()
            t.stop()
            if not alive:
                raise AssertionError("private Tessera died; log:\n" + t.log_tail())
        if os.path.exists(OUTFILE):
            os.unlink(OUTFILE)

    @staticmethod
    def victim_data():
        with harness() as h, h.cursor() as c:
            c.execute(f"SELECT id, v FROM {VICTIM_DB}.secrets ORDER BY id")
            return c.fetchall()

    def proxy(self, who, db=ATTACK_DB):
        return pymysql.connect(host="127.0.0.1", port=self.t.port, user=who[0], password=who[1],
                               database=db, connect_timeout=10, read_timeout=30)

    def tearDown(self):
        self.assertTrue(self.t.alive(), "private Tessera died; log:\n" + self.t.log_tail())
        self.assertEqual(self.victim_data(), self.victim_rows, "the victim's rows changed")

    def compare(self, who, account, sql, db=ATTACK_DB):
        """The statement through Tessera as `who` and directly as `account`: same answer."""
        with self.proxy(who, db) as p:
            through = outcome(p, sql)
        with direct(account, db) as d:
            straight = outcome(d, sql)
        log(f"  {sql[:70]!r}: through Tessera {through[:2]}, directly as {account} {straight[:2]}")
        self.assertEqual(through, straight, sql)
        return through

    def test_grants(self):
        # (statement, refused, control): refused = must be an error for the data account;
        # control = the all-privileges account gets no error (so the probe is a real one).
        probes = [
            ("SELECT User, Host FROM mysql.user", True),
            ("SELECT LOAD_FILE('/etc/passwd')", False),  # no FILE: NULL, as directly
            (f"SELECT 'leak' INTO OUTFILE '{OUTFILE}'", True),
            ("LOAD DATA INFILE '/etc/passwd' INTO TABLE loaded", True),
            ("CREATE USER 'lp_evil'@'%' IDENTIFIED BY 'evil'", True),
            (f"GRANT ALL PRIVILEGES ON *.* TO '{ATTACK_RW}'@'127.0.0.1'", True),
            (f"GRANT SELECT ON {VICTIM_DB}.* TO '{ATTACK_RW}'@'127.0.0.1'", True),
            ("SET GLOBAL max_connections = 7", True),
            ("SET GLOBAL read_only = 1", True),
            ("CREATE DEFINER='tessera'@'127.0.0.1' PROCEDURE lp_attack.p() SELECT 1", True),
            ("BINLOG 'AAAA'", True),
            ("SHOW SLAVE STATUS", False),  # no privilege: an error, or nothing (as directly)
            ("SHOW GRANTS FOR 'tessera'@'127.0.0.1'", True),
            (f"SELECT * FROM {VICTIM_DB}.secrets", True),
            (f"INSERT INTO {VICTIM_DB}.secrets VALUES (3, 'planted')", True),
            (f"DROP TABLE {VICTIM_DB}.secrets", True),
            (f"DROP DATABASE {VICTIM_DB}", True),
            ("SHOW DATABASES", False),
        ]
        for sql, refused in probes:
            with self.subTest(sql=sql):
                got = self.compare(ATTACKER, ATTACK_RW, sql)
                if refused:
                    self.assertEqual(got[0], "err", f"{sql}: not refused: {got}")
        # What the data account may see of the server is its own database.
        with self.proxy(ATTACKER) as p:
            dbs = {r[0] for r in outcome(p, "SHOW DATABASES")[1]}
            self.assertEqual(dbs, {"information_schema", ATTACK_DB})
            self.assertEqual(outcome(p, "SELECT LOAD_FILE('/etc/passwd')")[1], [(None,)])
        self.assertFalse(os.path.exists(OUTFILE), "INTO OUTFILE wrote a file")
        with harness() as h:
            self.assertEqual(outcome(h, "SELECT COUNT(*) FROM mysql.user WHERE User='lp_evil'"),
                             ("ok", [(0,)]))
            self.assertNotEqual(outcome(h, "SELECT @@global.max_connections")[1], [(7,)])
            # Controls: with all privileges (the account the demo and the tests used to give
            # Tessera) the same probes succeed.
            self.assertEqual(outcome(h, "SELECT COUNT(*) > 0 FROM mysql.user"), ("ok", [(1,)]))
            self.assertNotEqual(outcome(h, "SELECT LOAD_FILE('/etc/passwd')")[1], [(None,)])
            self.assertEqual(outcome(h, f"SELECT COUNT(*) FROM {VICTIM_DB}.secrets"),
                             ("ok", [(2,)]))

    def test_processlist(self):
        marker = f"lp-victim-running-{uuid.uuid4().hex[:12]}"
        sql = f"SELECT SLEEP(4), '{marker}'"
        started = threading.Event()

        def victim():
            with self.proxy(VICTIM, VICTIM_DB) as v, v.cursor() as c:
                started.set()
                c.execute(sql)

        th = threading.Thread(target=victim)
        th.start()
        started.wait(10)
        try:
            with harness() as h:  # control: the statement is there to be seen
                deadline = time.time() + 3
                while time.time() < deadline:
                    rows = outcome(h, "SELECT INFO FROM information_schema.PROCESSLIST")[1]
                    if any(marker in (r[0] or "") for r in rows):
                        break
                    time.sleep(0.05)
                else:
                    self.fail("the victim's statement never showed in the processlist")
            for probe in ("SHOW FULL PROCESSLIST",
                          "SELECT INFO FROM information_schema.PROCESSLIST"):
                with self.subTest(probe=probe):
                    with self.proxy(ATTACKER) as p:
                        through = outcome(p, probe)
                    with direct(ATTACK_RW, ATTACK_DB) as d:
                        straight = outcome(d, probe)
                    self.assertEqual(through[0], "ok", through)
                    self.assertEqual(straight[0], "ok", straight)
                    seen = [marker in repr(r) for r in through[1]]
                    seen_direct = [marker in repr(r) for r in straight[1]]
                    log(f"  {probe}: {len(through[1])} rows through Tessera, "
                        f"{len(straight[1])} directly; victim seen: {any(seen)}/{any(seen_direct)}")
                    self.assertFalse(any(seen), "the attacker saw the victim's statement")
                    self.assertFalse(any(seen_direct))
        finally:
            th.join(20)

    def counter(self):
        with harness() as h:
            return outcome(h, f"SELECT n FROM {ATTACK_DB}.counter")[1]

    def test_readonly_user_backend_account(self):
        # The tenant's own read-write user makes a function that writes (definer: the
        # namespace's data account, which may write).
        with self.proxy(ATTACKER) as p:
            self.assertEqual(outcome(p, "DROP FUNCTION IF EXISTS bump")[0], "ok")
            made = outcome(p, "CREATE FUNCTION bump() RETURNS INT MODIFIES SQL DATA "
                              "BEGIN UPDATE counter SET n = n + 1; RETURN 1; END")
            self.assertEqual(made, ("ok", []))
        before = self.counter()
        # Reading still works for the read-only user, as for its account directly.
        got = self.compare(ATTACKER_RO, ATTACK_RO, "SELECT n FROM counter")
        self.assertEqual(got, ("ok", before))
        for sql in ("SELECT bump()", "SELECT n, bump() FROM counter",
                    "SELECT 1 FROM DUAL WHERE bump() = 1"):
            with self.subTest(sql=sql):
                got = self.compare(ATTACKER_RO, ATTACK_RO, sql)
                self.assertEqual(got[:2], ("err", 1370), got)
                self.assertEqual(self.counter(), before, f"{sql} wrote through the read-only user")
        # Its statements run as its own account, not the namespace's.
        got = self.compare(ATTACKER_RO, ATTACK_RO, "SELECT CURRENT_USER()")
        self.assertEqual(got, ("ok", [(f"{ATTACK_RO}@127.0.0.1",)]))
        with self.proxy(ATTACKER) as p:
            self.assertEqual(outcome(p, "SELECT CURRENT_USER()"),
                             ("ok", [(f"{ATTACK_RW}@127.0.0.1",)]))
        # What the account closes: a read-only user on the namespace's data account reaches the
        # function (the statement checks cannot see inside it). Reported, not required.
        with self.proxy(ATTACKER_RO_SHARED) as p:
            shared = outcome(p, "SELECT bump()")
        after = self.counter()
        log(f"  read-only user on the shared data account: SELECT bump() -> {shared[:2]}, "
            f"counter {before} -> {after}")
        with harness() as h:
            outcome(h, f"UPDATE {ATTACK_DB}.counter SET n = 0")

    def test_monitor_account(self):
        # tessera_monitor (SLAVE MONITOR only) sees the replicas replicating.
        deadline = time.time() + 15
        while True:
            with self.proxy(ATTACKER) as p, p.cursor() as c:
                c.execute("SHOW TESSERA TOPOLOGY")
                cols = [d[0] for d in c.description]
                rows = [dict(zip(cols, r)) for r in c.fetchall()]
            replicas = [r for r in rows if r["role"] == "replica"]
            if replicas and all(str(r["replicating"]) in ("1", "yes", "Yes") for r in replicas):
                break
            if time.time() > deadline:
                self.fail(f"replication state not seen by the monitor's account: {rows}")
            time.sleep(0.3)
        log(f"  topology through the monitor account: {[(r['instance'], r['role'], r['replicating'], r['lag_seconds']) for r in rows]}")
        with harness() as h:
            users = {r[0] for r in outcome(h, "SELECT USER FROM information_schema.PROCESSLIST")[1]}
        self.assertIn("tessera_monitor", users)


if __name__ == "__main__":
    if not itlib.PROXY:
        raise SystemExit("it.hostile_grants needs Tessera (proxy mode)")
    itlib.main_unittest()
