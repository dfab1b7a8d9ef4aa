"""Read/write splitting on the shared fixture (issue 5), user `rw` (rw_split=1, replicas of
slice-0 weighted 1:2) and `ro` (rw_flag=1). Every claim is checked on the servers themselves:
Com_select counters for the read distribution, the general log of each server for where
transactions, locking reads, hints, temporary tables and LAST_INSERT_ID() ran.
"""

import sys
import uuid

import pymysql

import itlib
from itlib import BASE_PORT, log
from rwlib import com_select, direct, wait_replicas_caught_up

PRIMARY = BASE_PORT
REPLICAS = [BASE_PORT + 1, BASE_PORT + 2]  # weights 1 and 2 (config/it.json.in)
SERVERS = [PRIMARY] + REPLICAS
READS = 1500
failures = []


def check(cond, what):
    log(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def rw(**kw):
    kw.setdefault("autocommit", True)
    return itlib.connect("rw", "rw_pw", database="sbtest", **kw)


def setup():
    c = direct(PRIMARY)
    with c.cursor() as cur:
        cur.execute("CREATE TABLE IF NOT EXISTS sbtest.rw_t (id INT PRIMARY KEY, v VARCHAR(32))")
        cur.execute("REPLACE INTO sbtest.rw_t VALUES (1, 'one')")
        cur.execute("CREATE TABLE IF NOT EXISTS sbtest.rw_ai "
                    "(id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(32))")
    c.close()
    wait_replicas_caught_up(PRIMARY, REPLICAS)


def test_distribution():
    before = [com_select(p) for p in SERVERS]
    c = rw()
    with c.cursor() as cur:
        for _ in range(READS):
            cur.execute("SELECT v FROM rw_t WHERE id = 1")
            assert cur.fetchone() == ("one",)
    c.close()
    d = [com_select(p) - b for p, b in zip(SERVERS, before)]
    total = sum(d)
    log(f"Com_select deltas for {READS} autocommit reads: primary {d[0]}, replica-1 {d[1]}, "
        f"replica-2 {d[2]}")
    check(total >= READS, f"the servers counted the reads ({total} >= {READS})")
    replica_share = (d[1] + d[2]) / max(total, 1)
    check(replica_share >= 0.95, f"{replica_share:.1%} of reads went to replicas (>= 95%)")
    ratio = d[2] / max(d[1], 1)
    check(abs(ratio - 2.0) <= 0.2, f"replica-2/replica-1 = {ratio:.3f} (weights 1:2, +-10%)")


def general_logs(on):
    for i, port in enumerate(SERVERS):
        if on:
            itlib.backend_sql(0, "SET GLOBAL log_output = 'TABLE'; SET GLOBAL general_log = ON",
                              replica=i)
        else:
            # Not binlogged: on a replica, a TRUNCATE of its own (its server_id, the slice's
            # domain) breaks replication under gtid_strict_mode at the primary's next write.
            itlib.backend_sql(0, "SET GLOBAL general_log = OFF; SET SESSION sql_log_bin = 0;"
                              " TRUNCATE mysql.general_log", replica=i)


def servers_that_ran(marker):
    """Indexes of the servers (0 primary, 1, 2 replicas) whose general log has `marker`."""
    where = []
    for i in range(len(SERVERS)):
        rows = itlib.backend_sql(
            0, "SELECT COUNT(*) FROM mysql.general_log WHERE command_type = 'Query' AND "
            f"argument LIKE '%{marker}%' AND argument NOT LIKE '%general_log%'", replica=i)
        if int(rows[0][0]) > 0:
            where.append(i)
    return where


def test_primary_routing():
    run = uuid.uuid4().hex[:8]
    mk = lambda name: f"mk{run}{name}"  # noqa: E731
    cases = {}

    def case(name, statements, expect, conn_kw=None):
        c = rw(**(conn_kw or {}))
        out = None
        with c.cursor() as cur:
            for s in statements:
                cur.execute(s.replace("@MK@", mk(name)))
                out = (cur.fetchall(), cur.lastrowid)
        c.close()
        cases[name] = expect
        return out

    # Control: a plain read reaches a replica (shows the log check can fail).
    case("plain", ["SELECT '@MK@'"], "replica")
    case("txn", ["BEGIN", "SELECT v, '@MK@' FROM rw_t WHERE id = 1", "COMMIT"], "primary")
    case("begin_select", ["START TRANSACTION", "SELECT '@MK@'", "ROLLBACK"], "primary")
    case("for_update", ["SELECT v, '@MK@' FROM rw_t WHERE id = 1 FOR UPDATE"], "primary")
    case("share_mode", ["SELECT v, '@MK@' FROM rw_t WHERE id = 1 LOCK IN SHARE MODE"], "primary")
    case("hint_master", ["/*master*/ SELECT '@MK@'"], "primary")
    case("hint_optimizer", ["/*+ master */ SELECT '@MK@'"], "primary")
    case("hint_slave", ["/*slave*/ SELECT '@MK@'"], "replica")
    rows, _ = case("temp_table", ["CREATE TEMPORARY TABLE tt (a INT)", "INSERT INTO tt VALUES (7)",
                                  "SELECT a, '@MK@' FROM tt"], "primary")
    check(rows[0][0] == 7, "the temporary table's row is read back (it lives on the primary)")
    c = rw()
    with c.cursor() as cur:
        cur.execute("INSERT INTO rw_ai (v) VALUES ('x')")
        inserted = cur.lastrowid
        cur.execute(f"SELECT LAST_INSERT_ID(), '{mk('lii')}'")
        lii = cur.fetchone()[0]
        cur.execute(f"SELECT SQL_CALC_FOUND_ROWS v, '{mk('calc')}' FROM rw_t LIMIT 1")
        cur.fetchall()
        cur.execute(f"SELECT FOUND_ROWS(), '{mk('found')}'")
        found = cur.fetchone()[0]
    c.close()
    cases.update(lii="primary", calc="primary", found="primary")
    check(lii == inserted, f"LAST_INSERT_ID() = {lii}, the id just inserted ({inserted})")
    check(found == 1, f"FOUND_ROWS() = {found} after SQL_CALC_FOUND_ROWS")
    case("uservar", ["SELECT @v := 5, '@MK@'"], "primary")
    case("autocommit_off", ["SELECT '@MK@'", "ROLLBACK"], "primary", {"autocommit": False})
    # START TRANSACTION READ ONLY: the whole transaction on one replica.
    c = rw()
    with c.cursor() as cur:
        cur.execute("START TRANSACTION READ ONLY")
        for k in range(4):
            cur.execute(f"SELECT '{mk('ro')}{k}'")
        cur.execute("COMMIT")
    c.close()

    for name, expect in cases.items():
        where = servers_that_ran(mk(name))
        if expect == "primary":
            check(where == [0], f"{name}: ran on {where} (expected the primary only)")
        else:
            check(len(where) == 1 and where[0] in (1, 2),
                  f"{name}: ran on {where} (expected one replica)")
    ro_where = [servers_that_ran(f"{mk('ro')}{k}") for k in range(4)]
    check(all(len(w) == 1 and w[0] in (1, 2) for w in ro_where) and
          len({w[0] for w in ro_where}) == 1,
          f"READ ONLY transaction: every statement on the same replica ({ro_where})")


def test_read_only_user():
    c = itlib.connect("ro", "ro_pw", database="sbtest", autocommit=True)
    with c.cursor() as cur:
        cur.execute("SELECT v FROM rw_t WHERE id = 1")
        check(cur.fetchone() == ("one",), "rw_flag=1 user reads")
        for stmt in ["INSERT INTO rw_t VALUES (99, 'no')", "UPDATE rw_t SET v = 'no'",
                     "DELETE FROM rw_t", "CREATE TABLE ro_nope (a INT)", "DROP TABLE rw_t"]:
            try:
                cur.execute(stmt)
                check(False, f"rw_flag=1 user: {stmt} was accepted")
            except pymysql.err.MySQLError as e:
                code, msg = e.args[0], e.args[1]
                check(code == 1290 and "'ro'" in msg and "read-only" in msg,
                      f"rw_flag=1 user: {stmt} -> {code} {msg}")
        cur.execute("SET NAMES utf8mb4")
    c.close()
    rows = direct(PRIMARY).cursor()
    rows.execute("SELECT COUNT(*) FROM sbtest.rw_t WHERE id = 99")
    check(rows.fetchone()[0] == 0, "nothing the rw_flag=1 user tried reached the primary")


def test_consistency_variable():
    c = rw()
    with c.cursor() as cur:
        cur.execute("SELECT @@tessera_read_consistency")
        check(cur.fetchone()[0] == "EVENTUAL", "default consistency is EVENTUAL")
        for stmt, want in [("SET SESSION tessera_read_consistency = 'SESSION'", "SESSION"),
                           ("SET tessera_read_consistency = 'global'", "GLOBAL"),
                           ("SET @@session.tessera_read_consistency = 'EVENTUAL'", "EVENTUAL"),
                           ("SET @@tessera_read_consistency := 'SESSION'", "SESSION")]:
            cur.execute(stmt)
            cur.execute("SELECT @@session.tessera_read_consistency")
            got = cur.fetchone()[0]
            check(got == want, f"{stmt} -> {got}")
        try:
            cur.execute("SET tessera_read_consistency = 'STRONG'")
            check(False, "a bad consistency level was accepted")
        except pymysql.err.MySQLError as e:
            check(e.args[0] == 1231 and "STRONG" in e.args[1], f"bad level -> {e.args}")
        # SESSION reads see the session's writes (healthy replicas: they usually have them).
        stale = 0
        for i in range(300):
            cur.execute("REPLACE INTO rw_t VALUES (%s, %s)", (1000 + i, f"w{i}"))
            cur.execute("SELECT v FROM rw_t WHERE id = %s", (1000 + i,))
            if cur.fetchone() != (f"w{i}",):
                stale += 1
        check(stale == 0, f"SESSION mode: {stale} stale reads in 300 write-then-read iterations")
        cur.execute("DELETE FROM rw_t WHERE id >= 1000")
    c.close()


def main():
    if not itlib.PROXY:
        log("direct mode: no Tessera, nothing to split")
        return 0
    setup()
    test_distribution()
    general_logs(True)
    try:
        test_primary_routing()
    finally:
        general_logs(False)
    test_read_only_user()
    test_consistency_variable()
    log(f"{len(failures)} failed" if failures else "all checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
