#!/usr/bin/env python3
"""Hostile tenants against pooled backend connections (issue 15, defects 1 and 3).

A private Tessera (hostilelib: worker_threads 1, max_capacity 1) serves two tenants, tenant_a
(namespace hp_a) and tenant_b (namespace hp_b), from ONE backend connection to the shared
fixture's slice 0. Whatever the attacker leaves on that connection, the victim meets.

Defect 1 (results delivered to the wrong client): the attacker sends multi-result replies
(LOAD DATA LOCAL with a file / an empty file followed by more statements, other
multi-statement shapes, CALL of a procedure with several results, text and binary protocol,
a client that disconnects mid-reply) while a victim of the other tenant runs many quick
queries, each with its own marker. The attacker must get all its results, in order, and the
victim only ever its own markers.

Defect 3 (pooled connections poisoned): the attacker changes session state (tracking off,
autocommit=0, sql_log_bin=0, sql_mode, USE, HANDLER, GET_LOCK in EXECUTE IMMEDIATE,
LAST_INSERT_ID, FOUND_ROWS, ROW_COUNT, warnings, user variables, temporary tables, prepared
statements, open transactions, XA, LOCK TABLES) and leaves; the victim on the same backend
connection must see exactly what a fresh session sees (reference: a fresh DIRECT MariaDB
session for server state, a fresh session through the same Tessera for the session_track_*
variables Tessera sets itself), its writes must be committed and replicated, and DDL from
another client must not wait. Clients may not change session_track_*, sql_log_bin or
pseudo_thread_id (refused with an ERR, the session keeps working).

Every socket has a timeout, every lock wait a short lock_wait_timeout: nothing here can hang.

Direct mode (TESSERA_IT_MODE=direct or TESSERA_HOSTILE_DIRECT=1) runs the same checks straight
against MariaDB (each session a fresh server connection) to check the checks; the refusal
tests are skipped there (MariaDB allows those SETs).

  TESSERA_IT_MODE=proxy TESSERA_IT_PORT=... TESSERA_IT_BASE_PORT=... TESSERA_IT_CLUSTER_DIR=...
  TESSERA_IT_RUN_DIR=... TESSERA_BIN=build/src/app/tessera /usr/bin/python3 test_hostile_pool.py -v
"""
import os
import socket
import sys
import threading
import time
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hostilelib as hl  # noqa: E402
import itlib  # noqa: E402
from hostilelib import DIRECT, ErrPacket, direct_sql, log, wait_until  # noqa: E402

P = None  # the hostilelib.Proxy of this run

# What a victim reads first thing in its session. Values that Tessera sets on its own backend
# connections (the session_track_* variables) are compared with a fresh session through the
# same Tessera; everything else with a fresh direct MariaDB session.
SNAPSHOT = ("SELECT @@autocommit, @@sql_mode, @@sql_log_bin, DATABASE(), LAST_INSERT_ID(),"
            " ROW_COUNT(), @a, IS_USED_LOCK('hp_lock'), @@in_transaction, @@time_zone,"
            " @@character_set_client, @@collation_connection, @@tx_isolation,"
            " @@foreign_key_checks, @@sql_select_limit, @@pseudo_thread_id = CONNECTION_ID()")
SNAPSHOT_TRACK = ("SELECT @@session_track_state_change, @@session_track_system_variables,"
                  " @@session_track_schema, @@session_track_transaction_info")


def setUpModule():
    global P
    itlib.require_target_alive()
    P = hl.Proxy("hostile_pool", max_capacity=1, k=20)
    sqls = [
        "CREATE DATABASE IF NOT EXISTS hp_a", "CREATE DATABASE IF NOT EXISTS hp_b",
        "DROP TABLE IF EXISTS hp_a.ld, hp_a.ai, hp_a.secret, hp_b.t",
        "CREATE TABLE hp_a.ld (id INT) ENGINE=InnoDB",
        "CREATE TABLE hp_a.ai (id INT AUTO_INCREMENT PRIMARY KEY, v INT) ENGINE=InnoDB"
        " AUTO_INCREMENT=7000",
        "INSERT INTO hp_a.ai (v) SELECT seq FROM hp_a.seq_1_to_37",
        "CREATE TABLE hp_a.secret (id INT PRIMARY KEY, s VARCHAR(64)) ENGINE=InnoDB",
        "INSERT INTO hp_a.secret VALUES (1, 'SECRET-OF-A')",
        "CREATE TABLE hp_b.t (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(64)) ENGINE=InnoDB",
        "INSERT INTO hp_b.t (v) VALUES ('b-row')",
        "DROP PROCEDURE IF EXISTS hp_a.multi",
        "CREATE PROCEDURE hp_a.multi() BEGIN SELECT 'P1'; SELECT SLEEP(0.5), 'FORGED'; END",
    ]
    c = P.direct(db=None)
    for sql in sqls:
        c.q(sql)
    c.quit()
    P.start()


def tearDownModule():
    if P is not None:
        P.stop()
    # leaked sql_log_bin=0 leaves rows on the primary only: drop them (DROP DATABASE replicates
    # whatever the rows) so the shared cluster's replicas stay in step for the other tests
    direct_sql("DROP DATABASE IF EXISTS hp_a; DROP DATABASE IF EXISTS hp_b")
    for r in (1, 2):
        running = direct_sql("SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS"
                             " WHERE VARIABLE_NAME = 'Slaves_running'", replica=r)
        gone = wait_until(lambda: direct_sql("SHOW DATABASES LIKE 'hp_a'", replica=r) == [], 10)
        if running != [["1"]] or not gone:
            raise AssertionError(f"slice 0 replica {r}: replication broken after the test"
                                 f" (Slaves_running {running}, hp_a dropped there: {gone})")


def fresh_reference(sql_list, db="hp_b", through_proxy=False):
    """What a fresh session gives for the statements (briefs), directly or via Tessera."""
    c = P.login("tenant_b", db) if through_proxy else P.direct(db)
    try:
        return [c.try_sql(s) for s in sql_list]
    finally:
        c.quit()


# ---------------------------------------------------------------------------------------------
# Defect 1: results delivered to the wrong client


class Victims:
    """Threads of tenant_b (and of tenant_a's other sessions) running quick marker queries."""

    def __init__(self, users=("tenant_b", "tenant_b", "tenant_a")):
        self.stop = threading.Event()
        self.anomalies, self.count = [], 0
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.run, args=(u, i), daemon=True)
                        for i, u in enumerate(users)]

    def run(self, user, idx):
        try:
            c = P.login(user, timeout=10)
        except (ErrPacket, OSError, itlib.Closed) as e:
            with self.lock:
                self.anomalies.append(f"{user}#{idx} login: {e!r}")
            return
        n, give_up = 0, time.time() + 60  # bounded even if the attacker never returns
        try:
            while not self.stop.is_set() and time.time() < give_up:
                marker = f"V{idx}-{uuid.uuid4().hex[:12]}-{n}"
                try:
                    got = [r.brief() for r in c.results(f"SELECT '{marker}'")]
                except (OSError, itlib.Closed, AssertionError) as e:
                    with self.lock:
                        self.anomalies.append(f"{user}#{idx} query {n}: {e!r}")
                    return
                if got != [("rows", [[marker]])]:
                    with self.lock:
                        self.anomalies.append(f"{user}#{idx} sent {marker!r}, got {got!r}")
                    return
                n += 1
                with self.lock:
                    self.count += 1
        finally:
            c.close()

    def __enter__(self):
        for t in self.threads:
            t.start()
        time.sleep(0.3)  # they are running (and queueing on the one backend connection)
        return self

    def __exit__(self, *exc):
        time.sleep(0.7)  # keep them running past the attack's end (a late result lands here)
        self.stop.set()
        for t in self.threads:
            t.join(30)
            if t.is_alive():
                self.anomalies.append("a victim thread hung")
        return False


def briefs(results):
    return [r.brief() for r in results]


class WrongClient(unittest.TestCase):
    """The attacker's multi-result replies; victims only ever see their own markers."""

    def setUp(self):
        P.restart()  # every case starts on a new backend connection, whatever came before

    def attack(self, name, send, expected, after_check=True):
        """send(conn) -> list of Result (or None when the attacker hangs up on purpose)."""
        got, err = None, None
        with Victims() as v:
            a = P.login("tenant_a", timeout=8)
            try:
                got = send(a)
                if after_check and got is not None:
                    mark = f"A-{uuid.uuid4().hex[:12]}"
                    after = briefs(a.results(f"SELECT '{mark}'"))
                    if after != [("rows", [[mark]])]:
                        err = f"attacker's next statement got {after!r}"
            except (OSError, itlib.Closed, AssertionError) as e:
                err = f"attacker: {e!r}"
            finally:
                a.close()
        log(f"  {name}: attacker got {got!r}; victims ran {v.count} queries")
        self.assertEqual(v.anomalies, [], f"{name}: a victim saw what was not its own")
        self.assertIsNone(err, name)
        if expected is not None:
            self.assertEqual(briefs(got), expected, f"{name}: attacker's results")
        P.check_alive()
        # still serving, and the pooled connection is clean
        c = P.login("tenant_b")
        self.assertEqual(c.rows("SELECT 'still-serving'"), [["still-serving"]])
        c.quit()

    def test_load_local_file_then_select(self):
        self.attack("LOAD DATA LOCAL (file) ; SELECT SLEEP, FORGED",
                    lambda a: a.results("LOAD DATA LOCAL INFILE 'x' INTO TABLE hp_a.ld;"
                                        " SELECT SLEEP(0.5), 'FORGED'", infile=b"1\n2\n"),
                    [("ok", 2), ("rows", [["0", "FORGED"]])])

    def test_load_local_refused_then_select(self):
        self.attack("LOAD DATA LOCAL (client sends nothing) ; SELECT SLEEP, FORGED",
                    lambda a: a.results("LOAD DATA LOCAL INFILE 'x' INTO TABLE hp_a.ld;"
                                        " SELECT SLEEP(0.5), 'FORGED'", infile=b""),
                    [("ok", 0), ("rows", [["0", "FORGED"]])])

    def test_load_local_then_two_statements(self):
        self.attack("LOAD DATA LOCAL ; SELECT SLEEP ; SELECT",
                    lambda a: a.results("LOAD DATA LOCAL INFILE 'x' INTO TABLE hp_a.ld;"
                                        " SELECT SLEEP(0.3), 'F1'; SELECT 'F2'",
                                        infile=b"3\n"),
                    [("ok", 1), ("rows", [["0", "F1"]]), ("rows", [["F2"]])])

    def test_select_then_select(self):
        self.attack("SELECT ; SELECT SLEEP, FORGED",
                    lambda a: a.results("SELECT 'A1'; SELECT SLEEP(0.5), 'FORGED'"),
                    [("rows", [["A1"]]), ("rows", [["0", "FORGED"]])])

    def test_insert_then_select(self):
        self.attack("INSERT ; SELECT SLEEP, FORGED",
                    lambda a: a.results("INSERT INTO hp_a.ld VALUES (9);"
                                        " SELECT SLEEP(0.5), 'FORGED'"),
                    [("ok", 1), ("rows", [["0", "FORGED"]])])

    def test_set_do_then_select(self):
        self.attack("SET ; DO ; SELECT SLEEP, FORGED",
                    lambda a: a.results("SET @x = 1; DO 1; SELECT SLEEP(0.5), 'FORGED'"),
                    [("ok", 0), ("ok", 0), ("rows", [["0", "FORGED"]])])

    def test_error_ends_multi_statement(self):
        self.attack("SELECT ; error ; SELECT (never runs)",
                    lambda a: a.results("SELECT SLEEP(0.2), 'A1'; SELECT * FROM hp_a.nope;"
                                        " SELECT 'NEVER'"),
                    [("rows", [["0", "A1"]]), ("err", 1146)])

    def test_call_text_protocol(self):
        self.attack("CALL (2 result sets) text protocol",
                    lambda a: a.results("CALL hp_a.multi()"),
                    [("rows", [["P1"]]), ("rows", [["0", "FORGED"]]), ("ok", 0)])

    def test_call_binary_protocol(self):
        def send(a):
            stmt_id, _ = a.prepare_id("CALL hp_a.multi()")
            return a.execute_id(stmt_id)
        self.attack("CALL (2 result sets) via COM_STMT_EXECUTE", send,
                    [("rows", [["P1"]]), ("rows", [["0", "FORGED"]]), ("ok", 0)])

    def test_client_hangs_up_mid_multi_result(self):
        def send(a):
            a.send_packet(b"\x03SELECT 'A1'; SELECT SLEEP(1), 'FORGED'", seq=0)
            first = a.read_results(limit=1)
            assert briefs(first) == [("rows", [["A1"]])], first
            a.abort()
            return None
        self.attack("client gone after the first of two results", send, None)

    def test_client_hangs_up_on_load_local_request(self):
        def send(a):
            a.send_packet(b"\x03LOAD DATA LOCAL INFILE 'x' INTO TABLE hp_a.ld;"
                          b" SELECT SLEEP(0.5), 'FORGED'", seq=0)
            p = a.read_packet()
            assert p[0] == 0xFB, p
            a.abort()
            return None
        self.attack("client gone instead of sending the LOCAL file", send, None)


# ---------------------------------------------------------------------------------------------
# Defect 3: pooled connections poisoned


# Session tracking off first (PoisonedTrackingOff): Tessera then learns nothing of what the
# attacker changes. Once fixed, Tessera refuses this SET and the rest runs as usual.
TRACKING_OFF = ("SET session_track_state_change=OFF, session_track_system_variables='',"
                " session_track_schema=OFF")
ATTACK_PREFIX = []


def attacker_session(statements, end="quit", user="tenant_a"):
    """Runs the statements (errors are recorded, not fatal) and ends the session: "quit"
    (COM_QUIT), "abort" (socket reset) or "stay" (returns the open connection)."""
    a = P.login(user)
    errors = []
    for s in ATTACK_PREFIX + list(statements):
        if callable(s):
            s(a)
            continue
        for r in a.results(s):
            if r.kind == "err":
                errors.append((s, r.err.code))
    if errors:
        log(f"    attacker's statements refused: {errors}")
    if end == "stay":
        return a
    a.quit() if end == "quit" else a.abort()
    time.sleep(0.1)  # the server and Tessera see the end of the session
    return None


class Poisoned(unittest.TestCase):
    """After the attacker's session, a victim on the same backend connection sees a fresh
    session's state."""

    @classmethod
    def setUpClass(cls):
        cls.ref_direct = fresh_reference([SNAPSHOT])[0]
        cls.ref_track = fresh_reference([SNAPSHOT_TRACK], through_proxy=not DIRECT)[0]
        log(f"  fresh direct session: {cls.ref_direct}")
        log(f"  fresh session via Tessera, session_track_*: {cls.ref_track}")

    TRACK_OFF = False

    def setUp(self):
        P.restart()  # every case starts on a new backend connection, whatever came before
        ATTACK_PREFIX[:] = [TRACKING_OFF] if self.TRACK_OFF else []

    def tearDown(self):
        P.check_alive()

    # --- helpers --------------------------------------------------------------------------
    def victim_snapshot(self, what, user="tenant_b", db=""):
        v = P.login(user, db)
        try:
            got = v.try_sql(SNAPSHOT)
            track = v.try_sql(SNAPSHOT_TRACK)
        finally:
            v.quit()
        ref = self.ref_direct if user == "tenant_b" and db == "" else \
            fresh_reference([SNAPSHOT], db=(TENANT_DB[user] if db == "" else db))[0]
        self.assertEqual(got, ref, f"{what}: victim's session state differs from a fresh one")
        self.assertEqual(track, self.ref_track, f"{what}: victim's session_track_* differ")

    def victim_first(self, what, statements, user="tenant_b", db=""):
        """The victim's first statements give what they give in a fresh direct session."""
        v = P.login(user, db)
        try:
            got = [v.try_sql(s) for s in statements]
        finally:
            v.quit()
        ref = fresh_reference(statements, db=(TENANT_DB[user] if db == "" else db))
        self.assertEqual(got, ref, f"{what}: victim's {statements} differ from a fresh session")

    def victim_write_lands(self, what, replicated=True):
        marker = f"W-{uuid.uuid4().hex[:12]}"
        v = P.login("tenant_b")
        try:
            self.assertEqual(v.try_sql(f"INSERT INTO t (v) VALUES ('{marker}')"), [("ok", 1)])
        finally:
            v.quit()
        where = f"SELECT COUNT(*) FROM hp_b.t WHERE v = '{marker}'"
        on_primary = wait_until(lambda: direct_sql(where) == [["1"]], 3)
        self.assertTrue(on_primary, f"{what}: victim's acknowledged INSERT not committed")
        if replicated:
            on_replica = wait_until(lambda: direct_sql(where, replica=1) == [["1"]], 10)
            self.assertTrue(on_replica, f"{what}: victim's INSERT never reached the replica")

    # --- the shapes ---------------------------------------------------------------
    def test_tracking_off_then_autocommit_binlog_sqlmode(self):
        attacker_session(["SET session_track_state_change=OFF, session_track_system_variables=''",
                          "SET autocommit=0, sql_log_bin=0, sql_mode='ANSI'"])
        self.victim_snapshot("tracking off + autocommit/sql_log_bin/sql_mode")
        attacker_session(["SET session_track_state_change=OFF, session_track_system_variables=''",
                          "SET autocommit=0, sql_log_bin=0, sql_mode='ANSI'"])
        self.victim_write_lands("tracking off + autocommit=0, sql_log_bin=0")

    def test_tracking_off_then_each_separately(self):
        attacker_session(["SET session_track_state_change=OFF",
                          "SET session_track_system_variables=''",
                          "SET session_track_schema=OFF",
                          "SET autocommit=0", "SET sql_log_bin=0", "SET sql_mode='ANSI'",
                          "SET time_zone='+05:00'", "SET tx_isolation='SERIALIZABLE'",
                          "SET foreign_key_checks=0", "SET sql_select_limit=1"])
        self.victim_snapshot("tracking off, then one SET each")
        attacker_session(["SET session_track_state_change=OFF",
                          "SET session_track_system_variables=''", "SET autocommit=0"])
        self.victim_write_lands("tracking off + autocommit=0 (separate SETs)",
                                replicated=False)

    def test_tracking_off_then_use_other_db(self):
        attacker_session(["SET session_track_state_change=OFF, session_track_schema=OFF,"
                          " session_track_system_variables=''", "USE hp_a"])
        self.victim_snapshot("tracking off + USE hp_a")
        attacker_session(["SET session_track_state_change=OFF, session_track_schema=OFF",
                          "USE hp_a"])
        # the victim's unqualified read and write stay in its own database
        self.victim_first("tracking off + USE hp_a",
                          ["SELECT v FROM t ORDER BY id LIMIT 1", "SELECT DATABASE()"])
        self.victim_write_lands("tracking off + USE hp_a", replicated=False)

    def test_attacker_still_connected(self):
        # No disconnect: the attacker's session stays open (idle) while the victim runs. Only
        # state that does not tie the attacker to the one backend connection (user variables,
        # autocommit=0 may), else the victim rightly waits for the pool.
        a = attacker_session(["SET session_track_state_change=OFF,"
                              " session_track_system_variables='', session_track_schema=OFF",
                              "SET sql_mode='ANSI', time_zone='+05:00'", "SET sql_log_bin=0",
                              "USE hp_a"], end="stay")
        try:
            self.victim_snapshot("attacker still connected")
            self.victim_write_lands("attacker still connected")
            # and the attacker, in turn, does not get the victim's state or results
            self.assertEqual(a.try_sql("SELECT 'mine'"), [("rows", [["mine"]])])
        finally:
            a.quit()

    def test_plain_session_variables(self):
        attacker_session(["SET NAMES latin1", "SET time_zone='+05:00', sql_mode='ANSI'",
                          "SET autocommit=0", "SET foreign_key_checks=0",
                          "SET tx_isolation='READ-UNCOMMITTED'", "SET sql_select_limit=2"])
        self.victim_snapshot("plain SETs (tracked variables)")

    def test_prepared_bare_session_variables(self):
        # SET @@name = v without a scope, as prepared statements: the server reports nothing
        # for the bare form, so Tessera prepares it as SET @@session.name; either way the next
        # session on that backend connection must not meet the values.
        def prepared(sql):
            def run(a):
                stmt_id, _ = a.prepare_id(sql)
                a.execute_id(stmt_id)
            return run
        attacker_session([prepared("SET @@sql_select_limit = 2"),
                          prepared("SET @@time_zone = '+05:00', @@sql_mode = 'ANSI'"),
                          prepared("SET @@foreign_key_checks = 0")])
        self.victim_snapshot("prepared SET @@name (no scope)")
        attacker_session([prepared("SET @@sql_select_limit = 2")], end="abort")
        self.victim_snapshot("prepared SET @@name (no scope), attacker disconnected")

    def test_profiling_history(self):
        # MariaDB keeps the profiling history (statement texts) past COM_RESET_CONNECTION: a
        # victim switching profiling on must not list the attacker's statements.
        attacker_session(["SET profiling = 1", "SELECT 'FORGED-profile'", "SET profiling = 0"])
        v = P.login("tenant_b")
        try:
            v.q("SET profiling = 1")
            got = v.rows("SHOW PROFILES")
        finally:
            v.quit()
        log(f"    victim's SHOW PROFILES: {got}")
        self.assertFalse(any("FORGED" in str(r) for r in got), got)
        self.assertEqual(len(got), 0, got)

    # --- things that survived in the pool -------------------------------------------------
    def test_handler_left_open(self):
        attacker_session(["HANDLER hp_a.secret OPEN AS h", "HANDLER h READ FIRST"])
        self.victim_first("HANDLER left open", ["HANDLER h READ FIRST"])
        attacker_session(["HANDLER hp_a.secret OPEN AS h", "HANDLER h READ FIRST"])
        self.victim_first("HANDLER left open (same tenant)", ["HANDLER h READ FIRST"],
                          user="tenant_a")
        attacker_session(["HANDLER hp_a.secret OPEN AS h2"], end="abort")
        self.ddl_not_blocked("HANDLER of a client that disconnected", "hp_a.secret")

    def test_get_lock_in_execute_immediate(self):
        attacker_session(["EXECUTE IMMEDIATE 'SELECT GET_LOCK(''hp_lock'', 0)'"])
        free = wait_until(lambda: direct_sql("SELECT IS_USED_LOCK('hp_lock')") == [["NULL"]], 3)
        self.assertTrue(free, "GET_LOCK (EXECUTE IMMEDIATE) of a gone session still held")
        self.victim_first("GET_LOCK in EXECUTE IMMEDIATE", ["SELECT IS_USED_LOCK('hp_lock')"])
        attacker_session(["SELECT GET_LOCK('hp_lock', 0)"], end="abort")
        free = wait_until(lambda: direct_sql("SELECT IS_USED_LOCK('hp_lock')") == [["NULL"]], 3)
        self.assertTrue(free, "GET_LOCK of a disconnected session still held")

    def test_last_insert_id(self):
        attacker_session(["INSERT INTO hp_a.ai (v) VALUES (1)"])
        self.victim_first("LAST_INSERT_ID", ["SELECT LAST_INSERT_ID()"])
        attacker_session(["INSERT INTO hp_a.ai (v) VALUES (1)"])
        self.victim_first("LAST_INSERT_ID (same tenant)", ["SELECT LAST_INSERT_ID()"],
                          user="tenant_a")

    def test_found_rows(self):
        # A fresh MariaDB session's first FOUND_ROWS() is not defined: measured on 10.11, it
        # shows what an earlier, closed connection left (an uninitialised THD field). So the
        # check is that the attacker's distinctive count (4321) does not show up; in direct
        # mode the server itself may show it, so there only the reference is printed.
        attacker_session(["SELECT SQL_CALC_FOUND_ROWS * FROM seq_1_to_4321 LIMIT 1"])
        v = P.login("tenant_b")
        got = v.value("SELECT FOUND_ROWS()")
        v.quit()
        log(f"    victim's first FOUND_ROWS() = {got}")
        if not DIRECT:
            self.assertNotEqual(got, "4321", "FOUND_ROWS() of the previous session")

    def test_row_count(self):
        # only the setup's rows (replicated for sure): a row another test wrote with a leaked
        # sql_log_bin=0 is missing on the replicas, and updating it would stop replication
        attacker_session(["UPDATE hp_a.ai SET v = v + 1 WHERE id < 7037"])
        self.victim_first("ROW_COUNT", ["SELECT ROW_COUNT()"])

    def test_warnings(self):
        attacker_session(["SELECT CAST('hp' AS INT), CAST('hq' AS INT)"])
        self.victim_first("warnings", ["SHOW WARNINGS", "SELECT @@warning_count"])
        attacker_session(["SELECT CAST('hp' AS INT)"])
        self.victim_first("warning_count", ["SELECT @@warning_count"])

    def test_user_variables(self):
        attacker_session(["SET @a = 'FORGED', @hp_b = 'x'"])
        self.victim_first("user variables", ["SELECT @a, @hp_b"])
        attacker_session(["SET @a = 'FORGED'"])
        self.victim_first("user variables (same tenant)", ["SELECT @a"], user="tenant_a")

    def test_temporary_tables(self):
        attacker_session(["CREATE TEMPORARY TABLE hp_a.tmp_secret (x INT)",
                          "INSERT INTO hp_a.tmp_secret VALUES (42)"])
        self.victim_first("temporary table (same tenant)", ["SELECT * FROM tmp_secret"],
                          user="tenant_a")
        # a temporary table shadowing the victim's own table (may be refused: other tenant's db)
        attacker_session(["CREATE TEMPORARY TABLE hp_b.t (id INT, v VARCHAR(64))",
                          "INSERT INTO hp_b.t VALUES (1, 'FORGED')"])
        self.victim_first("temporary table shadowing the victim's table",
                          ["SELECT v FROM t ORDER BY id LIMIT 1"])

    def test_prepared_statements(self):
        attacker_session(["PREPARE hp_s FROM 'SELECT ''FORGED'''"])
        self.victim_first("PREPARE (text)", ["EXECUTE hp_s"])
        attacker_session(["PREPARE hp_s FROM 'SELECT ''FORGED'''"])
        self.victim_first("PREPARE (text, same tenant)", ["EXECUTE hp_s"], user="tenant_a")
        ids = []
        attacker_session([lambda a: ids.append(a.prepare_id("SELECT 'FORGED'")[0])],
                         end="abort")
        v = P.login("tenant_b")
        try:
            for stmt_id in sorted(set(ids + [1, 2, 3])):
                got = briefs(v.execute_id(stmt_id))
                self.assertEqual(got[0][0], "err",
                                 f"COM_STMT_EXECUTE of id {stmt_id} (attacker's {ids}): {got}")
        finally:
            v.quit()

    def test_open_transaction_of_gone_client(self):
        for end in ("quit", "abort"):
            attacker_session(["BEGIN", "INSERT INTO hp_a.ai (v) VALUES (-1)"], end=end)
            self.victim_first(f"open transaction ({end})", ["SELECT @@in_transaction"])
            self.victim_write_lands(f"open transaction ({end})", replicated=False)
            time.sleep(0.2)
            self.assertEqual(direct_sql("SELECT COUNT(*) FROM hp_a.ai WHERE v = -1"), [["0"]],
                             f"{end}: the gone client's uncommitted INSERT was committed")

    def test_xa_active_of_gone_client(self):
        attacker_session(["XA START 'hpx'", "INSERT INTO hp_a.ai (v) VALUES (-2)"])
        self.victim_first("XA ACTIVE left behind", ["SELECT @@in_transaction"])
        self.victim_write_lands("XA ACTIVE left behind", replicated=False)
        time.sleep(0.2)
        self.assertEqual(direct_sql("SELECT COUNT(*) FROM hp_a.ai WHERE v = -2"), [["0"]])
        self.assertEqual(direct_sql("XA RECOVER"), [], "an XA transaction left behind")

    def test_lock_tables_of_gone_client(self):
        for end in ("abort", "quit"):
            attacker_session(["LOCK TABLES hp_a.ai WRITE, hp_a.secret READ"], end=end)
            self.ddl_not_blocked(f"LOCK TABLES of a client that left ({end})", "hp_a.ai")
            # a table outside the LOCK TABLES list answers 1100 on a connection that holds it
            self.victim_first(f"LOCK TABLES left behind ({end})",
                              ["SELECT COUNT(*) FROM ld", "SELECT COUNT(*) FROM ai"],
                              user="tenant_a")

    def ddl_not_blocked(self, what, table):
        """DDL on `table` from other clients (directly, and through Tessera) does not wait."""
        out = direct_sql(f"SET SESSION lock_wait_timeout=5; ALTER TABLE {table} COMMENT 'hp';"
                         " SELECT 'done'")
        self.assertEqual(out, [["done"]], f"{what}: direct ALTER")
        c = P.login("tenant_a")
        try:
            got = c.try_sql(f"SET SESSION lock_wait_timeout=5; ALTER TABLE {table} COMMENT 'hq'")
            self.assertEqual(got, [("ok", 0), ("ok", 0)], f"{what}: ALTER through Tessera")
        finally:
            c.quit()


TENANT_DB = {u: db for u, (_, db) in hl.TENANTS.items()}


class PoisonedTrackingOff(Poisoned):
    """The same cases, the attacker first switching session tracking off."""
    TRACK_OFF = True


@unittest.skipIf(DIRECT, "MariaDB itself lets a session change these")
class ProtectedVariables(unittest.TestCase):
    """Clients may not change what Tessera relies on; the session keeps working."""

    REFUSED = [
        "SET session_track_state_change=OFF",
        "SET SESSION session_track_system_variables=''",
        "SET @@session.session_track_schema=OFF",
        "SET LOCAL session_track_transaction_info='STATE'",
        "set Session_Track_State_Change = 0",
        "SET sql_log_bin=0",
        "SET @@sql_log_bin=OFF",
        "SET autocommit=1, sql_log_bin=0",
        "SET pseudo_thread_id=4242",
        "SET @@session.pseudo_thread_id=1",
        "SET STATEMENT sql_log_bin=0 FOR INSERT INTO hp_a.ld VALUES (77)",
    ]
    PROTECTED = ("SELECT @@session_track_state_change, @@session_track_system_variables,"
                 " @@session_track_schema, @@session_track_transaction_info, @@sql_log_bin,"
                 " @@pseudo_thread_id = CONNECTION_ID()")

    def test_refused_and_session_keeps_working(self):
        c = P.login("tenant_a")
        try:
            before = c.try_sql(self.PROTECTED)
            for sql in self.REFUSED:
                got = c.try_sql(sql)
                self.assertEqual(got[0][0], "err", f"{sql!r} was accepted: {got}")
                self.assertEqual(c.try_sql("SELECT 'alive'"), [("rows", [["alive"]])], sql)
                self.assertEqual(c.try_sql(self.PROTECTED), before, f"after {sql!r}")
        finally:
            c.quit()
        self.assertEqual(direct_sql("SELECT COUNT(*) FROM hp_a.ld WHERE id = 77"), [["0"]],
                         "SET STATEMENT sql_log_bin=0 FOR INSERT ran")

    def test_indirect_forms_do_not_stick(self):
        """EXECUTE IMMEDIATE / PREPARE of such a SET: refused, or at least without effect."""
        c = P.login("tenant_a")
        try:
            before = c.try_sql(self.PROTECTED)
            for sql in ["EXECUTE IMMEDIATE 'SET sql_log_bin=0'",
                        "EXECUTE IMMEDIATE 'SET session_track_state_change=OFF'",
                        "PREPARE hp_p FROM 'SET sql_log_bin=0'; EXECUTE hp_p"]:
                c.try_sql(sql)
                self.assertEqual(c.try_sql("SELECT 'alive'"), [("rows", [["alive"]])], sql)
                self.assertEqual(c.try_sql(self.PROTECTED), before, f"after {sql!r}")
        finally:
            c.quit()


if __name__ == "__main__":
    itlib.log(f"[hostile_pool] mode={'direct' if DIRECT else 'proxy'}")
    unittest.main(verbosity=2)
