#!/usr/bin/env python3
"""XA branches belong to their namespace (issue 15, found while closing it).

On MariaDB 10.11 any account sees every prepared XA branch in XA RECOVER and may XA COMMIT or
XA ROLLBACK it, whoever prepared it (checked with a SELECT-only account): through a shared
server one tenant could finish another tenant's two-phase commit. Through Tessera a client's
xids are scoped to its namespace (session/xa_scope.h). Here tenant_a prepares a branch and
disconnects; tenant_b must neither see it in XA RECOVER nor finish it, by its name or by the
name Tessera gives it on the server; tenant_a finds it again and commits it, and its row lands.
The XA statements a client sends are answered as the server answers them (the same statement
sequence directly, as one server account, and through Tessera); XA where Tessera cannot
scope it (prepared, PREPARE/EXECUTE IMMEDIATE texts, multi-statements) is refused.

Private Tessera from hostilelib (two namespaces on slice 0's primary, one backend account).
Tessera only: directly, both tenants are the same server account and the server does not
separate them (that is the finding).
"""
import unittest

import hostilelib as hl
import itlib
from hostilelib import DIRECT, ErrPacket, direct_sql, log

P = None


def finish_leftovers():
    """Rolls back branches this test (or an earlier failed run) left prepared: they hold row
    locks that would stop DROP DATABASE."""
    for row in direct_sql("XA RECOVER"):
        gtrid_length, data = int(row[1]), row[3].encode()
        if b"victim" in data or data[gtrid_length - 2:gtrid_length] in (b"d1", b"d2"):
            log(f"  left over on the server, rolled back: {row!r}")
            direct_sql(f"XA ROLLBACK X'{data[:gtrid_length].hex()}',"
                       f" X'{data[gtrid_length:].hex()}', {row[0]}")


def setUpModule():
    global P
    itlib.require_target_alive()
    finish_leftovers()
    P = hl.Proxy("hostile_xa", max_capacity=2, k=28)
    c = P.direct(db=None)
    for sql in ("CREATE DATABASE IF NOT EXISTS hp_a", "CREATE DATABASE IF NOT EXISTS hp_b",
                "DROP TABLE IF EXISTS hp_a.xa_t",
                "CREATE TABLE hp_a.xa_t (id INT PRIMARY KEY) ENGINE=InnoDB"):
        c.q(sql)
    c.quit()
    P.start()


def tearDownModule():
    finish_leftovers()
    if P is not None:
        P.stop()
    direct_sql("DROP DATABASE IF EXISTS hp_a; DROP DATABASE IF EXISTS hp_b")


def recover_data(conn):
    return sorted(row[3] for row in conn.rows("XA RECOVER"))


class XaBelongsToItsNamespace(unittest.TestCase):
    def setUp(self):
        if DIRECT:
            self.skipTest("directly both tenants are one server account (nothing separates them)")

    def test_other_tenant_cannot_see_or_finish_a_prepared_branch(self):
        a = P.login("tenant_a")
        for sql in ("XA START 'victim'", "INSERT INTO xa_t VALUES (1)", "XA END 'victim'",
                    "XA PREPARE 'victim'"):
            a.q(sql)
        a.quit()
        on_server = [r for r in direct_sql("XA RECOVER") if r[3].endswith("victim")]
        self.assertEqual(len(on_server), 1, "the prepared branch is on the server")
        server_gtrid = on_server[0][3]
        log(f"  tenant_a's branch on the server: {server_gtrid!r}")

        b = P.login("tenant_b")
        self.assertNotIn("victim", " ".join(recover_data(b)), "tenant_b sees tenant_a's branch")
        for attack in ("XA ROLLBACK 'victim'", "XA COMMIT 'victim'",
                       f"XA ROLLBACK X'{server_gtrid.encode().hex()}'",
                       f"XA COMMIT '{server_gtrid}'"):
            self.assertEqual(b.try_sql(attack), [("err", 1397)], attack)  # XAER_NOTA
        for attack, code in (("PREPARE s FROM 'XA ROLLBACK ''victim'''", 1235),
                             ("EXECUTE IMMEDIATE 'XA ROLLBACK ''victim'''", 1235),
                             ("XA RECOVER FORMAT='SQL'", 1235)):
            self.assertEqual(b.try_sql(attack), [("err", code)], attack)
        with self.assertRaises(ErrPacket) as prepared:
            b.prepare_id("XA ROLLBACK 'victim'")
        self.assertEqual(prepared.exception.code, 1235)
        b.quit()
        self.assertEqual(len([r for r in direct_sql("XA RECOVER") if r[3] == server_gtrid]), 1,
                         "tenant_a's branch was finished by tenant_b")

        a = P.login("tenant_a")
        self.assertEqual(a.rows("XA RECOVER"), [["1", "6", "0", "victim"]])
        a.q("XA COMMIT 'victim'")
        self.assertEqual(a.rows("SELECT id FROM xa_t"), [["1"]])
        self.assertEqual(recover_data(a), [])
        a.quit()
        P.check_alive()

    def test_xa_statements_answer_as_the_server_does(self):
        script = [
            "XA START 'd1'", "INSERT INTO xa_t VALUES (11)", "XA END 'd1'", "XA PREPARE 'd1'",
            "XA RECOVER", "XA COMMIT 'd1'",
            "XA START 'd2', 'br', 7", "INSERT INTO xa_t VALUES (12)", "XA END 'd2', 'br', 7",
            "XA PREPARE 'd2', 'br', 7", "XA RECOVER", "XA RECOVER FORMAT='RAW'",
            "XA ROLLBACK 'd2'", "XA ROLLBACK 'd2', 'br', 7",
            "XA BEGIN X'6433'", "XA END 0x6433", "XA COMMIT 'd3' ONE PHASE",
            "XA START 'd4'", "XA START 'd5'", "XA END 'd4'", "XA ROLLBACK 'd4'",
            "XA START ''", "XA END 'nope'", "XA COMMIT 'nope'", "XA RECOVER",
            "SELECT id FROM xa_t WHERE id > 10 ORDER BY id", "DELETE FROM xa_t WHERE id > 10",
        ]
        direct = P.direct(db="hp_a")
        want = [direct.try_sql(s) for s in script]
        direct.quit()
        a = P.login("tenant_a")
        got = [a.try_sql(s) for s in script]
        a.quit()
        for sql, w, g in zip(script, want, got):
            self.assertEqual(g, w, sql)
        log(f"  {len(script)} XA statements answered as the server answers them")
        P.check_alive()


if __name__ == "__main__":
    itlib.main_unittest()
