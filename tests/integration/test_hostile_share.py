#!/usr/bin/env python3
"""A tenant cannot take every connection of a pool it shares with others (issue 15, item 7).

A private Tessera (hostilelib: worker_threads 1, max_capacity 4, pool_acquire_timeout_ms 3000,
the default pool_namespace_share_percent 50) serves tenant_a (namespace hp_a) and tenant_b
(namespace hp_b) from one pool: the same instance (the shared fixture's slice 0) and backend
account. tenant_a parks one session after another in an open transaction or in an unanswered
LOAD DATA LOCAL file request, as many as the pool has connections. The rule (README
"Security"): a namespace holds at most its share (here 2 of 4); its next session waits for one
of its own connections and, when none comes back within pool_acquire_timeout_ms, gets ERR 1203
naming the namespace and its share. tenant_b meanwhile logs in and runs queries and a
transaction at normal latency. Without the share, tenant_a parks all 4 connections and
tenant_b's first query waits 3 s for ERR 1205.

Direct mode (TESSERA_IT_MODE=direct or TESSERA_HOSTILE_DIRECT=1): the same sessions straight
against MariaDB (no pool: every park succeeds and tenant_b is not slowed), to check the checks
of tenant_b's side; the share itself is Tessera's and is checked only through it.
"""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hostilelib as hl  # noqa: E402
import itlib  # noqa: E402
from hostilelib import DIRECT, ErrPacket, direct_sql, log  # noqa: E402

P = None
MAX_CAPACITY = 4
SHARE = 2  # 50 % of 4
ACQUIRE_TIMEOUT_S = 3.0
# A victim statement through Tessera on an otherwise idle machine takes milliseconds; a
# victim starved by the attacker waits ACQUIRE_TIMEOUT_S and then fails.
NORMAL_LATENCY_S = 1.0


def setUpModule():
    global P
    itlib.require_target_alive()
    P = hl.Proxy("hostile_share", max_capacity=MAX_CAPACITY, k=24,
                 acquire_timeout_ms=int(ACQUIRE_TIMEOUT_S * 1000))
    direct_sql("CREATE DATABASE IF NOT EXISTS hp_a; CREATE DATABASE IF NOT EXISTS hp_b;"
               " DROP TABLE IF EXISTS hp_a.park, hp_a.ld, hp_b.t;"
               " CREATE TABLE hp_a.park (id INT PRIMARY KEY) ENGINE=InnoDB;"
               " CREATE TABLE hp_a.ld (id INT) ENGINE=InnoDB;"
               " CREATE TABLE hp_b.t (id INT AUTO_INCREMENT PRIMARY KEY, v INT) ENGINE=InnoDB")
    P.start()


def tearDownModule():
    if P is not None:
        P.stop()
    direct_sql("DROP DATABASE IF EXISTS hp_a; DROP DATABASE IF EXISTS hp_b")


def park_in_transaction(n):
    """A tenant_a session with an open transaction that wrote a row: (conn, None) once parked,
    (conn, ErrPacket) when the INSERT was refused."""
    try:
        a = P.login("tenant_a", timeout=ACQUIRE_TIMEOUT_S + 10)
    except ErrPacket as e:  # (logging in with a database checks it on a backend connection)
        return None, e
    try:
        a.q("START TRANSACTION")
        a.q(f"INSERT INTO hp_a.park VALUES ({n})")
    except ErrPacket as e:
        return a, e
    return a, None


def park_in_load_local(n):
    """A tenant_a session whose LOAD DATA LOCAL file request is never answered."""
    try:
        a = P.login("tenant_a", timeout=ACQUIRE_TIMEOUT_S + 10)
    except ErrPacket as e:
        return None, e
    a.send_packet(b"\x03LOAD DATA LOCAL INFILE 'park%d' INTO TABLE hp_a.ld" % n, seq=0)
    p = a.read_packet()
    if p[0] == 0xFB:
        return a, None
    if p[0] == 0xFF:
        return a, itlib.parse_err(p)
    raise AssertionError(f"LOAD DATA LOCAL: unexpected reply {p[:16]!r}")


class Share(unittest.TestCase):
    def victim_round(self, label):
        """tenant_b logs in, runs queries and a transaction; returns the slowest step (s)."""
        slowest = 0.0
        t0 = time.time()
        try:
            b = P.login("tenant_b", timeout=ACQUIRE_TIMEOUT_S + 10)
        except ErrPacket as e:
            self.fail(f"{label}: tenant_b could not log in after {time.time() - t0:.1f}s: {e}")
        slowest = max(slowest, time.time() - t0)
        try:
            for i in range(5):
                t0 = time.time()
                got = b.results(f"SELECT '{label}-{i}'")
                slowest = max(slowest, time.time() - t0)
                self.assertEqual([r.brief() for r in got], [("rows", [[f"{label}-{i}"]])],
                                 f"{label}: victim query {i}")
            for sql in ("START TRANSACTION", "INSERT INTO hp_b.t (v) VALUES (1)", "COMMIT"):
                t0 = time.time()
                got = b.results(sql)
                slowest = max(slowest, time.time() - t0)
                self.assertEqual(got[0].kind, "ok", f"{label}: victim {sql}: {got!r}")
        finally:
            b.quit()
        return slowest

    def test_parked_sessions_cannot_starve_other_namespace(self):
        parked, refused, conns = [], [], []
        try:
            # Twice the share: transactions and LOAD DATA LOCAL requests alternate, up to the
            # pool's whole max_capacity.
            for n in range(MAX_CAPACITY):
                t0 = time.time()
                a, err = (park_in_transaction if n % 2 == 0 else park_in_load_local)(n)
                conns.append(a)
                took = time.time() - t0
                if err is None:
                    parked.append(n)
                else:
                    refused.append((n, err.code, err.message, took))
                    log(f"  tenant_a session {n}: ERR {err.code} after {took:.1f}s: {err.message}")
            log(f"  tenant_a parked {len(parked)} sessions, refused {len(refused)}")
            slowest = self.victim_round("while-parked")
            log(f"  tenant_b's slowest step while tenant_a is parked: {slowest:.3f}s")
            self.assertLess(slowest, NORMAL_LATENCY_S,
                            "tenant_b was slowed down by tenant_a's parked sessions")
            if DIRECT:
                self.assertEqual(parked, list(range(MAX_CAPACITY)))
                return
            # the namespace over its share got the documented error, after waiting for one of
            # its own connections (none came back)
            self.assertEqual(parked, list(range(SHARE)))
            self.assertEqual([r[:2] for r in refused],
                             [(n, 1203) for n in range(SHARE, MAX_CAPACITY)])
            for n, code, message, took in refused:
                self.assertIn("namespace 'hp_a'", message)
                self.assertIn("pool_namespace_share_percent", message)
                self.assertGreaterEqual(took, ACQUIRE_TIMEOUT_S - 0.5)
            # tenant_a is served again once one of its parked sessions ends its transaction
            conns[0].q("ROLLBACK")
            t0 = time.time()
            again = conns[SHARE] or P.login("tenant_a", timeout=ACQUIRE_TIMEOUT_S + 10)
            conns.append(again)
            self.assertEqual(again.rows("SELECT 'a-again'"), [["a-again"]])
            self.assertLess(time.time() - t0, NORMAL_LATENCY_S)
        finally:
            for c in conns:
                if c is not None:
                    c.abort()
        P.check_alive()
        # everything of tenant_a is gone: its share is free again, the pool is clean
        time.sleep(0.5)
        a, err = park_in_transaction(100)
        self.assertIsNone(err, f"tenant_a after its sessions left: {err}")
        a.q("ROLLBACK")
        a.quit()
        self.victim_round("after")

    def test_waiting_session_gets_own_namespaces_connection(self):
        """A tenant_a session over the share waits (no error) while one of tenant_a's own
        connections comes back within the acquire timeout."""
        # logged in first (a login with a database checks it on a backend connection)
        a2 = P.login("tenant_a", timeout=ACQUIRE_TIMEOUT_S + 10)
        a0, err = park_in_transaction(200)
        self.assertIsNone(err, str(err))
        a1, err = park_in_load_local(201)
        self.assertIsNone(err, str(err))
        try:
            a2.send_packet(b"\x03SELECT 'waited'", seq=0)
            time.sleep(1.0)
            # a victim is served at once even though a tenant_a session is waiting
            slowest = self.victim_round("queue")
            self.assertLess(slowest, NORMAL_LATENCY_S)
            a0.q("ROLLBACK")  # gives tenant_a's connection back: the waiting session gets it
            got = a2.read_results()
            self.assertEqual([r.brief() for r in got], [("rows", [["waited"]])])
        finally:
            for c in (a0, a1, a2):
                c.abort()
        P.check_alive()


if __name__ == "__main__":
    unittest.main(verbosity=2)
