#!/usr/bin/env python3
"""Session state that lives on one backend connection keeps the client on it (the pins of
commit 250259d, issue 15 defect 3, issue 16 item 12), differentially.

A private Tessera (hostilelib, worker_threads 1) with a pool of POOL backend connections to
the shared fixture's slice 0; LOAD_SESSIONS sessions of tenant_b run quick queries without
pause, so a connection released between two statements of tenant_a is at once taken (and
reset) by someone else, and tenant_a's next statement usually lands on another connection.
Each sequence below runs once on a fresh direct MariaDB session (the reference) and once as
tenant_a through Tessera; the results (rows, OK, error codes) must be identical:

* CALL p(@v) of a procedure with an OUT parameter, then SELECT @v (text and COM_STMT_*);
* LOCK TABLES prepared (PREPARE/EXECUTE/DEALLOCATE and COM_STMT_PREPARE/EXECUTE/CLOSE): the
  next statements see the lock (a table not locked answers 1100) until UNLOCK TABLES;
* EXECUTE of SELECT @v := ... (text and binary), then SELECT @v;
* HANDLER t OPEN prepared (both ways), then HANDLER t READ (text and prepared) and CLOSE.

Each sequence is run ROUNDS times through Tessera. Without the pins (250259d^) the CALL and
COM_STMT sequences differ (NULL for @v, no 1100, 1109 "Unknown table in HANDLER"): the
statement was not seen to leave state that needs its connection, so the connection went back
to the pool after it (and was reset, as anything after CALL/EXECUTE is). The PREPARE/EXECUTE
variants passed already (a text PREPARE pins the session for good); they are kept as the text
protocol's side of the comparison.
"""
import os
import struct
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hostilelib as hl  # noqa: E402
import itlib  # noqa: E402
from hostilelib import DIRECT, direct_sql, log  # noqa: E402

POOL = 4
LOAD_SESSIONS = 3
ROUNDS = 5
P = None


def setUpModule():
    global P
    itlib.require_target_alive()
    P = hl.Proxy("hostile_pins", max_capacity=POOL, k=30)  # port + 80, admin + 85
    direct_sql("CREATE DATABASE IF NOT EXISTS hp_a; CREATE DATABASE IF NOT EXISTS hp_b;"
               " DROP TABLE IF EXISTS hp_a.pin_t, hp_a.pin_other, hp_b.t;"
               " CREATE TABLE hp_a.pin_t (id INT PRIMARY KEY, v VARCHAR(16)) ENGINE=InnoDB;"
               " INSERT INTO hp_a.pin_t VALUES (1, 'one'), (2, 'two'), (3, 'three');"
               " CREATE TABLE hp_a.pin_other (id INT) ENGINE=InnoDB;"
               " CREATE TABLE hp_b.t (id INT) ENGINE=InnoDB; INSERT INTO hp_b.t VALUES (1);"
               " DROP PROCEDURE IF EXISTS hp_a.p_out;"
               " CREATE PROCEDURE hp_a.p_out(IN a INT, OUT x INT) SET x = a * 6;")
    P.start()


def tearDownModule():
    if P is not None:
        P.stop()
    direct_sql("DROP DATABASE IF EXISTS hp_a; DROP DATABASE IF EXISTS hp_b")


def brief(results):
    return [r.brief() for r in results]


def stmt_close(c, stmt_id):
    c.send_packet(b"\x19" + struct.pack("<I", stmt_id), seq=0)  # no reply


def binary(c, sql):
    """COM_STMT_PREPARE + COM_STMT_EXECUTE (no parameters) + COM_STMT_CLOSE: the briefs."""
    try:
        stmt_id, _ = c.prepare_id(sql)
    except itlib.ErrPacket as e:
        return [("prepare err", e.code)]
    out = brief(c.execute_id(stmt_id))
    stmt_close(c, stmt_id)
    return out


# Each step: ("text", sql) or ("binary", sql). The results of all steps are compared.
SEQUENCES = {
    "CALL OUT text": [("text", "CALL p_out(7, @v)"), ("text", "SELECT @v"),
                      ("text", "SELECT @v + 1")],
    "CALL OUT binary": [("binary", "CALL p_out(5, @w)"), ("text", "SELECT @w"),
                        ("binary", "SELECT @w")],
    "LOCK TABLES PREPARE/EXECUTE": [
        ("text", "PREPARE s FROM 'LOCK TABLES pin_t READ'"), ("text", "EXECUTE s"),
        ("text", "DEALLOCATE PREPARE s"), ("text", "SELECT COUNT(*) FROM pin_t"),
        ("text", "SELECT COUNT(*) FROM pin_other"), ("text", "UNLOCK TABLES"),
        ("text", "SELECT COUNT(*) FROM pin_other")],
    "LOCK TABLES COM_STMT": [
        ("binary", "LOCK TABLES pin_t READ"), ("text", "SELECT COUNT(*) FROM pin_t"),
        ("text", "SELECT COUNT(*) FROM pin_other"), ("binary", "SELECT COUNT(*) FROM pin_other"),
        ("binary", "UNLOCK TABLES"), ("text", "SELECT COUNT(*) FROM pin_other")],
    "EXECUTE @v := text": [
        ("text", "PREPARE s FROM 'SELECT @u := 41 + 1'"), ("text", "EXECUTE s"),
        ("text", "DEALLOCATE PREPARE s"), ("text", "SELECT @u")],
    "EXECUTE @v := binary": [("binary", "SELECT @z := 'zed'"), ("text", "SELECT @z"),
                             ("binary", "SELECT @z")],
    "HANDLER PREPARE/EXECUTE": [
        ("text", "PREPARE h FROM 'HANDLER pin_t OPEN'"), ("text", "EXECUTE h"),
        ("text", "DEALLOCATE PREPARE h"), ("text", "HANDLER pin_t READ `PRIMARY` FIRST"),
        ("text", "HANDLER pin_t READ `PRIMARY` NEXT"), ("text", "HANDLER pin_t CLOSE")],
    "HANDLER COM_STMT": [
        ("binary", "HANDLER pin_t OPEN"), ("binary", "HANDLER pin_t READ `PRIMARY` FIRST"),
        ("text", "HANDLER pin_t READ `PRIMARY` NEXT"),
        ("binary", "HANDLER pin_t READ `PRIMARY` NEXT"), ("binary", "HANDLER pin_t CLOSE"),
        ("text", "HANDLER pin_t READ `PRIMARY` FIRST")],
}


def run_sequence(c, steps):
    out = []
    for kind, sql in steps:
        out.append((sql, c.try_sql(sql) if kind == "text" else binary(c, sql)))
        # time for the load sessions to take a connection released after this statement
        time.sleep(0.02)
    return out


class Load:
    """tenant_b sessions that keep every pooled connection busy between tenant_a's steps."""

    def __init__(self):
        self.stop = threading.Event()
        self.count = 0
        self.errors = []
        self.threads = [threading.Thread(target=self.run, daemon=True)
                        for _ in range(LOAD_SESSIONS)]

    def run(self):
        try:
            c = P.login("tenant_b")
            while not self.stop.is_set():
                assert c.rows("SELECT id FROM t") == [["1"]]
                self.count += 1
            c.quit()
        except Exception as e:  # reported by the test
            self.errors.append(repr(e))

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join(10)


class Pins(unittest.TestCase):
    def test_state_keeps_its_connection(self):
        reference = {}
        for name, steps in SEQUENCES.items():
            c = P.direct("hp_a")
            reference[name] = run_sequence(c, steps)
            c.quit()
        # the reference itself shows the state (otherwise the comparison proves nothing)
        flat = {name: [r for _, r in res] for name, res in reference.items()}
        self.assertEqual(flat["CALL OUT text"][1], [("rows", [["42"]])])
        self.assertEqual(flat["LOCK TABLES COM_STMT"][2], [("err", 1100)])
        self.assertEqual(flat["LOCK TABLES PREPARE/EXECUTE"][4], [("err", 1100)])
        self.assertEqual(flat["EXECUTE @v := binary"][1], [("rows", [["zed"]])])
        self.assertEqual(flat["HANDLER COM_STMT"][2], [("rows", [["2", "two"]])])
        self.assertEqual(flat["HANDLER PREPARE/EXECUTE"][4], [("rows", [["2", "two"]])])
        if DIRECT:
            return
        differences = []
        with Load() as load:
            for rnd in range(ROUNDS):
                for name, steps in SEQUENCES.items():
                    c = P.login("tenant_a")
                    got = run_sequence(c, steps)
                    c.quit()
                    if got != reference[name]:
                        differences.append((rnd, name, got))
            loaded = load.count
        self.assertEqual(load.errors, [], "the load sessions failed")
        log(f"  {ROUNDS} rounds x {len(SEQUENCES)} sequences through Tessera (pool {POOL},"
            f" {LOAD_SESSIONS} load sessions, {loaded} load queries):"
            f" {len(differences)} differences")
        for rnd, name, got in differences[:10]:
            log(f"  round {rnd} {name}:\n    direct  {reference[name]}\n    tessera {got}")
        self.assertEqual(differences, [], "Tessera differs from a direct session")
        P.check_alive()


if __name__ == "__main__":
    itlib.main_unittest()
