#!/usr/bin/env python3
"""Hostile statement shapes (issue 15, defect 2): one statement must not crash the proxy.

Through Tessera, against the sharded namespace (user `shard`, db_ks.tbl_ks hashed on id over
three slices, config/it_shard.json.in) and the unsharded one (user `app`, database demo):
  - a 100,000-term `id = 1+1+...+1` (200 KB),
  - a 60,000-term `id = 1 OR id = 2 OR ...` (what ORMs send for findAll(ids)),
  - a 100,000-item `id IN (...)` list,
  - deep unary minus and NOT chains, and the sum as a prepared statement.
Each answer must be either what MariaDB gives for the same statement directly (rows compared;
for the sharded table, the union over its physical tables on the backends) or the clear MySQL
error (1436, SQLSTATE HY000, "too deeply nested"); the OR chain and the IN list must work (the
OR chain also still narrows to the right shard, checked with EXPLAIN). After every statement
Tessera must still serve other clients.
"""
import unittest

import pymysql

import itlib
import shardlib as sl

ROWS = 30
KS_DDL = ("CREATE TABLE IF NOT EXISTS tbl_ks(id INT UNSIGNED AUTO_INCREMENT, "
          "col1 VARCHAR(100) NOT NULL, col2 VARCHAR(40) NOT NULL, col_date DATE, "
          "PRIMARY KEY (id)) ENGINE=InnoDB DEFAULT CHARSET=utf8")
APP_TABLE = "hostile_chains"


def plus_chain(n):
    return "+".join(["1"] * n)


def or_chain(ids, col="id"):
    return " OR ".join(f"{col} = {i}" for i in ids)


def in_list(ids):
    return ",".join(str(i) for i in ids)


def run(conn, sql):
    """("rows", sorted rows) or ("error", code, message)."""
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            return ("rows", sorted(tuple(r) for r in cur.fetchall()))
    except pymysql.err.MySQLError as e:
        if isinstance(e, (pymysql.err.OperationalError, pymysql.err.InterfaceError)) and \
                e.args and e.args[0] in (2006, 2013, 0):
            raise AssertionError(f"connection lost: {e}")  # Tessera died or dropped us
        return ("error", e.args[0], e.args[1] if len(e.args) > 1 else str(e))


def is_clear_error(answer):
    return (answer[0] == "error" and answer[1] == 1436 and
            "too deeply nested" in str(answer[2]))


def direct_sharded(where):
    """MariaDB's answer for `SELECT id FROM tbl_ks WHERE <where>`, from the physical tables."""
    rows = []
    for s in range(3):
        c = sl.backend(s, database="db_ks", read_timeout=120)
        try:
            a = run(c, f"SELECT id FROM tbl_ks_{s:04d} WHERE {where}")
        finally:
            c.close()
        if a[0] == "error":
            return a
        rows.extend(a[1])
    return ("rows", sorted(rows))


def direct_app(sql):
    c = sl.backend(0, database="demo", read_timeout=120)
    try:
        return run(c, sql)
    finally:
        c.close()


class HostileChains(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.shard = sl.tessera(read_timeout=120, write_timeout=120)
        with cls.shard.cursor() as cur:
            cur.execute("CREATE DATABASE IF NOT EXISTS db_ks")
            cur.execute("USE db_ks")
            cur.execute(KS_DDL)
            values = ", ".join(f"({i}, 'name{i}', 'addr{i}', '2022-02-11')"
                               for i in range(1, ROWS + 1))
            cur.execute(f"INSERT IGNORE INTO tbl_ks (id, col1, col2, col_date) VALUES {values}")
        cls.app = itlib.connect("app", database="demo", autocommit=True, read_timeout=120,
                                write_timeout=120)
        with cls.app.cursor() as cur:
            cur.execute(f"CREATE TABLE IF NOT EXISTS {APP_TABLE} (id INT PRIMARY KEY)")
            cur.execute(f"INSERT IGNORE INTO {APP_TABLE} VALUES " +
                        ", ".join(f"({i})" for i in range(1, ROWS + 1)))

    @classmethod
    def tearDownClass(cls):
        try:
            with cls.app.cursor() as cur:
                cur.execute(f"DROP TABLE IF EXISTS {APP_TABLE}")
            with cls.shard.cursor() as cur:
                cur.execute("DROP DATABASE IF EXISTS db_ks")
        finally:
            cls.app.close()
            cls.shard.close()

    def tearDown(self):
        itlib.assert_serving(self.id().rsplit(".", 1)[-1])

    def same_or_clear(self, got, want, what, must_work=False):
        itlib.log(f"  {what}: Tessera {str(got)[:120]}; MariaDB {str(want)[:120]}")
        if is_clear_error(got) and not must_work:
            return
        self.assertEqual(got, want, what)

    # ---- sharded namespace
    def test_sharded_sum_chain(self):
        where = "id = " + plus_chain(100000)
        self.assertGreater(len(where), 200000)
        got = run(self.shard, "SELECT id FROM tbl_ks WHERE " + where)
        self.same_or_clear(got, direct_sharded(where), "100,000-term sum")
        if got[0] == "error":
            self.assertTrue(is_clear_error(got), got)

    def test_sharded_or_chain(self):
        ids = list(range(1, 60001))
        where = or_chain(ids)
        got = run(self.shard, "SELECT id FROM tbl_ks WHERE " + where)
        self.same_or_clear(got, direct_sharded(where), "60,000-term OR", must_work=True)
        self.assertEqual(got, ("rows", [(i,) for i in range(1, ROWS + 1)]))

    def test_sharded_or_chain_still_narrows(self):
        # Every id a multiple of 3: one sub-table (hash on id over 3 tables), as for a short OR.
        where = or_chain(range(3, 3 * 60000 + 1, 3))
        explained = run(self.shard, "EXPLAIN SELECT id FROM tbl_ks WHERE " + where)
        self.assertEqual(explained[0], "rows", explained)
        itlib.log(f"  EXPLAIN of a 60,000-term OR over one shard: {len(explained[1])} route(s)")
        self.assertEqual(len(explained[1]), 1, [r[:3] for r in explained[1]])
        got = run(self.shard, "SELECT id FROM tbl_ks WHERE " + where)
        self.assertEqual(got, ("rows", [(i,) for i in range(3, ROWS + 1, 3)]))

    def test_sharded_in_list(self):
        where = "id IN (" + in_list(range(1, 100001)) + ")"
        got = run(self.shard, "SELECT id FROM tbl_ks WHERE " + where)
        self.same_or_clear(got, direct_sharded(where), "100,000-item IN", must_work=True)

    def test_sharded_unary_chains(self):
        for what, where in (("100,000 unary minus", "id = " + "- " * 100000 + "1"),
                            ("100,000 NOT", "NOT " * 100000 + "id = 1"),
                            ("100,000 parentheses", "id = " + "(" * 100000 + "1" + ")" * 100000)):
            got = run(self.shard, "SELECT id FROM tbl_ks WHERE " + where)
            self.same_or_clear(got, direct_sharded(where), what)

    def test_sharded_prepared_sum_chain(self):
        c = itlib.RawConn(timeout=60)
        try:
            c.login(sl.SHARD_USER, sl.SHARD_PASSWORD, db="db_ks")
            try:
                c.prepare("SELECT id FROM tbl_ks WHERE id = " + plus_chain(100000) + " + ?")
                self.fail("a 100,000-term sum was prepared")
            except itlib.ErrPacket as e:
                itlib.log(f"  prepared 100,000-term sum: {e}")
                self.assertEqual((e.code, e.state), (1436, "HY000"))
                self.assertIn("too deeply nested", e.message)
            kind, rows = c.query("SELECT 40 + 2")  # the session goes on
            self.assertEqual(rows, [["42"]])
        finally:
            c.close()

    # ---- unsharded namespace
    def test_app_sum_chain(self):
        sql = f"SELECT id FROM {APP_TABLE} WHERE id = " + plus_chain(100000)
        self.same_or_clear(run(self.app, sql), direct_app(sql), "100,000-term sum (app)")
        sql = "SELECT " + plus_chain(100000)
        self.same_or_clear(run(self.app, sql), direct_app(sql), "100,000-term sum, no table")

    def test_app_or_chain(self):
        sql = f"SELECT id FROM {APP_TABLE} WHERE " + or_chain(range(1, 60001))
        self.same_or_clear(run(self.app, sql), direct_app(sql), "60,000-term OR (app)",
                           must_work=True)

    def test_app_in_list(self):
        sql = f"SELECT id FROM {APP_TABLE} WHERE id IN (" + in_list(range(1, 100001)) + ")"
        self.same_or_clear(run(self.app, sql), direct_app(sql), "100,000-item IN (app)",
                           must_work=True)


if __name__ == "__main__":
    itlib.main_unittest()
