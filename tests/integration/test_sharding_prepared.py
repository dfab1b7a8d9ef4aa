#!/usr/bin/env python3
"""Prepared statements (binary protocol, raw client in itlib) on a sharded table: the bound
key routes each EXECUTE; several shards give a merged result in binary rows; writes by key and
scattered writes; refusals come back as errors."""
import itlib
import shardlib as sl
import unittest
from itlib import RawConn, ErrPacket, assert_serving


class ShardedPrepared(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        sl.require_proxy("sharded prepared statements")
        c = sl.tessera()
        sl.query(c, "CREATE DATABASE IF NOT EXISTS db_ks")
        sl.query(c, "USE db_ks")
        sl.query(c, "DROP TABLE IF EXISTS tbl_ks")
        sl.query(c, "CREATE TABLE tbl_ks (id BIGINT PRIMARY KEY, name VARCHAR(20), v INT)")
        c.close()

    @classmethod
    def tearDownClass(cls):
        c = sl.tessera("db_ks")
        sl.query(c, "DROP TABLE IF EXISTS tbl_ks")
        c.close()

    def setUp(self):
        self.c = RawConn()
        self.c.login("shard", db="db_ks")

    def tearDown(self):
        self.c.close()

    def test_prepared_routing_merge_and_writes(self):
        ins = self.c.prepare("INSERT INTO tbl_ks (id, name, v) VALUES (?, ?, ?)")
        self.assertEqual(len(ins.params), 3)
        for i in range(1, 13):
            self.assertEqual(self.c.execute(ins, (i, f"n{i}", i * 10)), ("ok", 1))
        # every row sits on the physical table Gaea's hash picks (id % 3)
        for i in range(1, 13):
            rows = sl.backend_query(i % 3, f"SELECT name FROM tbl_ks_{i % 3:04d} WHERE id = {i}",
                                    "db_ks")
            self.assertEqual(len(rows), 1, f"id {i} not on tbl_ks_{i % 3:04d}")

        point = self.c.prepare("SELECT name, v FROM tbl_ks WHERE id = ?")
        self.assertEqual([c["name"] for c in point.columns], ["name", "v"])
        for i in (1, 5, 9):
            self.assertEqual(self.c.execute(point, (i,)), ("rows", [[f"n{i}".encode(), i * 10]]))
        self.assertEqual(self.c.execute(point, (999,)), ("rows", []))
        # a string parameter that spells the key routes as the number
        self.assertEqual(self.c.execute(point, ("7",)), ("rows", [[b"n7", 70]]))

        scatter = self.c.prepare("SELECT id, v FROM tbl_ks WHERE v > ? ORDER BY id DESC LIMIT 4")
        self.assertEqual(self.c.execute(scatter, (25,)),
                         ("rows", [[12, 120], [11, 110], [10, 100], [9, 90]]))
        agg = self.c.prepare("SELECT COUNT(*), MIN(v), MAX(name) FROM tbl_ks WHERE id IN (?, ?, ?)")
        self.assertEqual(self.c.execute(agg, (2, 3, 4)), ("rows", [[3, 20, b"n4"]]))

        # a set operation across shards (issue 19): prepared on one slice for its parameters
        # and columns, executed branch by branch, binary rows of the union's types
        union = self.c.prepare("SELECT id, v FROM tbl_ks WHERE v > ? UNION "
                               "SELECT id, v FROM tbl_ks WHERE id < ? ORDER BY 1 DESC LIMIT 3")
        self.assertEqual(len(union.params), 2)
        self.assertEqual(self.c.execute(union, (105, 3)),
                         ("rows", [[12, 120], [11, 110], [2, 20]]))
        inter = self.c.prepare("SELECT v FROM tbl_ks WHERE id <= ? INTERSECT "
                               "SELECT v FROM tbl_ks WHERE id >= ? ORDER BY v")
        self.assertEqual(self.c.execute(inter, (5, 4)), ("rows", [[40], [50]]))

        upd = self.c.prepare("UPDATE tbl_ks SET v = v + 1 WHERE id = ?")
        self.assertEqual(self.c.execute(upd, (4,)), ("ok", 1))
        self.assertEqual(self.c.execute(point, (4,)), ("rows", [[b"n4", 41]]))
        dele = self.c.prepare("DELETE FROM tbl_ks WHERE v >= ?")
        self.assertEqual(self.c.execute(dele, (100,)), ("ok", 3))
        self.assertEqual(self.c.query("SELECT COUNT(*) FROM tbl_ks"), ("rows", [["9"]]))

        # issue 19: an UPDATE of the shard key moves the row to the sub-table its bound new key
        # routes to (and back); ORDER BY / LIMIT over several shards takes the first rows of all
        key = self.c.prepare("UPDATE tbl_ks SET id = ?, v = v + ? WHERE id = ?")
        self.assertEqual(self.c.execute(key, (1001, 1, 4)), ("ok", 1))  # tbl_ks_0001 -> _0002
        self.assertEqual(self.c.execute(point, (1001,)), ("rows", [[b"n4", 42]]))
        self.assertEqual(sl.backend_query(2, "SELECT v FROM tbl_ks_0002 WHERE id = 1001", "db_ks"),
                         ((42,),))
        self.assertEqual(self.c.execute(point, (4,)), ("rows", []))
        self.assertEqual(self.c.execute(key, (4, -1, 1001)), ("ok", 1))
        self.assertEqual(self.c.execute(point, (4,)), ("rows", [[b"n4", 41]]))
        # (LIMIT ? over several shards is refused as a SELECT's is: the merge needs the count)
        first = self.c.prepare("UPDATE tbl_ks SET v = v * ? ORDER BY v DESC, id LIMIT 2")
        self.assertEqual(self.c.execute(first, (10,)), ("ok", 2))
        self.assertEqual(self.c.query("SELECT id FROM tbl_ks WHERE v >= 100 ORDER BY id"),
                         ("rows", [["8"], ["9"]]))

    def test_transaction_spans_slices(self):
        # Statements inside BEGIN ... COMMIT/ROLLBACK reach every slice they touch, and the
        # end of the transaction reaches them all (not atomically yet: that is XA, issue 7).
        c = sl.tessera("db_ks")
        sl.query(c, "DELETE FROM tbl_ks WHERE id >= 100")
        sl.query(c, "BEGIN")
        sl.query(c, "INSERT INTO tbl_ks (id, name, v) VALUES (100, 'r', 1), (101, 'r', 1), (102, 'r', 1)")
        self.assertEqual(sl.query(c, "SELECT COUNT(*) FROM tbl_ks WHERE id >= 100")[0][0], 3)
        other = sl.tessera("db_ks")  # another session does not see uncommitted rows
        self.assertEqual(sl.query(other, "SELECT COUNT(*) FROM tbl_ks WHERE id >= 100")[0][0], 0)
        sl.query(c, "ROLLBACK")
        self.assertEqual(sl.query(other, "SELECT COUNT(*) FROM tbl_ks WHERE id >= 100")[0][0], 0)
        sl.query(c, "BEGIN")
        sl.query(c, "INSERT INTO tbl_ks (id, name, v) VALUES (100, 'c', 1), (101, 'c', 1), (102, 'c', 1)")
        sl.query(c, "COMMIT")
        self.assertEqual(sl.query(other, "SELECT COUNT(*) FROM tbl_ks WHERE id >= 100")[0][0], 3)
        sl.query(c, "DELETE FROM tbl_ks WHERE id >= 100")
        c.close()
        other.close()

    def test_insert_select_between_colocated_tables(self):
        c = sl.tessera("db_ks")
        sl.query(c, "DROP TABLE IF EXISTS tbl_ks2")
        sl.query(c, "CREATE TABLE tbl_ks2 (id BIGINT PRIMARY KEY, v INT)")
        sl.query(c, "DELETE FROM tbl_ks WHERE id >= 200")
        sl.query(c, "INSERT INTO tbl_ks (id, name, v) VALUES " +
                 ", ".join(f"({i}, 'x', {i})" for i in range(200, 212)))
        with c.cursor() as cur:
            n = cur.execute("INSERT INTO tbl_ks2 (id, v) SELECT id, v * 2 FROM tbl_ks WHERE id >= 200")
        self.assertEqual(n, 12)
        for s in range(3):  # every copied row sits beside its parent
            ids = sl.backend_query(s, f"SELECT id FROM tbl_ks2_{s:04d} ORDER BY id", "db_ks")
            self.assertEqual([r[0] for r in ids], [i for i in range(200, 212) if i % 3 == s])
        self.assertEqual(sl.query(c, "SELECT SUM(v) FROM tbl_ks2")[0][0], sum(range(200, 212)) * 2)
        with self.assertRaises(Exception) as e:
            sl.query(c, "INSERT INTO tbl_ks2 (id, v) SELECT v, id FROM tbl_ks")
        self.assertIn("1235", str(e.exception))
        # `SELECT *` and no column list (issue 19, schema tracking): both tables' columns come
        # from the backends; tbl_ks2 made again with tbl_ks's columns, filled per shard.
        sl.query(c, "DROP TABLE tbl_ks2")
        sl.query(c, "CREATE TABLE tbl_ks2 (id BIGINT PRIMARY KEY, name VARCHAR(20), v INT)")
        with c.cursor() as cur:
            n = cur.execute("INSERT INTO tbl_ks2 SELECT * FROM tbl_ks WHERE id >= 200")
        self.assertEqual(n, 12)
        for s in range(3):
            ids = sl.backend_query(s, f"SELECT id FROM tbl_ks2_{s:04d} ORDER BY id", "db_ks")
            self.assertEqual([r[0] for r in ids], [i for i in range(200, 212) if i % 3 == s])
        self.assertEqual(sl.query(c, "SELECT SUM(v) FROM tbl_ks2")[0][0], sum(range(200, 212)))
        # The same prepared (its metadata plan reads the columns too), after DDL through
        # Tessera made them unknown again.
        sl.query(c, "TRUNCATE TABLE tbl_ks2")
        st = self.c.prepare("INSERT INTO db_ks.tbl_ks2 SELECT * FROM db_ks.tbl_ks WHERE id >= ?")
        self.assertEqual(self.c.execute(st, (206,)), ("ok", 6))
        self.assertEqual(sl.query(c, "SELECT COUNT(*), SUM(v) FROM tbl_ks2")[0],
                         (6, sum(range(206, 212))))
        sl.query(c, "DROP TABLE tbl_ks2")
        sl.query(c, "DELETE FROM tbl_ks WHERE id >= 200")
        c.close()

    def test_global_sequence_refills(self):
        """INSERTs that take their ids from db_diff.t_seq's global sequence, whose reservations
        hold 4 ids (max_limit in it_shard.json): prepared and as text, across several
        reservations (exec/engine/sequence_fetch.h: reserve, then plan the statement again);
        a statement that needs more ids than one reservation holds is refused, nothing
        written."""
        c = self.c
        c.query("CREATE DATABASE IF NOT EXISTS db_diff")
        c.query("CREATE TABLE IF NOT EXISTS db_diff.t_seq (id BIGINT NOT NULL PRIMARY KEY, "
                "v VARCHAR(20))")
        try:
            c.query("DELETE FROM db_diff.t_seq")
            ins = c.prepare("INSERT INTO db_diff.t_seq (v) VALUES (?)")
            two = c.prepare("INSERT INTO db_diff.t_seq (v) VALUES (?), (?)")
            ids = []
            for k in range(9):
                self.assertEqual(c.execute(ins, (f"p{k}",)), ("ok", 1), f"EXECUTE {k}")
                ids.append(int(c.query("SELECT LAST_INSERT_ID()")[1][0][0]))
            # One connection, one worker: its ids come from consecutive reservations, so a
            # prepared INSERT takes the next id, none skipped.
            self.assertEqual(ids, list(range(ids[0], ids[0] + len(ids))), f"gaps: {ids}")
            for k in range(3):  # two rows: several targets, the values as literals
                self.assertEqual(c.execute(two, (f"q{k}a", f"q{k}b")), ("ok", 2), f"two {k}")
            for k in range(3):
                kind, _ = c.query(f"INSERT INTO db_diff.t_seq (v) VALUES ('t{k}a'), ('t{k}b'), "
                                  f"('t{k}c')")
                self.assertEqual(kind, "ok")
                ids.append(int(c.query("SELECT LAST_INSERT_ID()")[1][0][0]))
            self.assertEqual(ids, sorted(set(ids)), f"ids not increasing: {ids}")
            with self.assertRaises(ErrPacket) as e:
                c.query("INSERT INTO db_diff.t_seq (v) VALUES ('x1'), ('x2'), ('x3'), ('x4'), "
                        "('x5')")
            self.assertEqual(e.exception.code, 1105)
            self.assertIn("global sequence", e.exception.message)
            rows = c.query("SELECT id, v FROM db_diff.t_seq ORDER BY id")[1]
            self.assertEqual(len(rows), 9 + 6 + 9, rows)
            self.assertFalse([r for r in rows if str(r[1]).startswith("x")], rows)
            got = sorted(int(r[0]) for r in rows)
            self.assertEqual(len(set(got)), len(got), f"an id handed out twice: {got}")
            # every row sits on the sub-table its id hashes to
            for s in range(3):
                there = sorted(int(r[0]) for r in sl.backend_query(
                    s, f"SELECT id FROM db_diff.t_seq_{s:04d}"))
                self.assertEqual(there, [i for i in got if sl.gaea_hash_index(i, 3) == s])
            assert_serving("after global sequence refills")
        finally:
            c.query("DROP TABLE IF EXISTS db_diff.t_seq")

    def test_insert_without_column_list(self):
        """INSERT without a column list (issue 19, schema tracking), prepared and as text: the
        key's position comes from the table's columns as the backends have them (read when
        first needed: exec/engine/schema_fetch.h), NULL / DEFAULT keys take global-sequence
        ids; ALTER TABLE through Tessera makes the next INSERT read the columns again."""
        c = self.c
        B = 10 ** 12  # given keys: far from the sequence's ids, which restart low in a fixture
        c.query("CREATE DATABASE IF NOT EXISTS db_diff")
        c.query("DROP TABLE IF EXISTS db_diff.t_seq")
        c.query("CREATE TABLE db_diff.t_seq (v VARCHAR(20), id BIGINT NOT NULL PRIMARY KEY)")
        try:
            ins = c.prepare("INSERT INTO db_diff.t_seq VALUES (?, ?)")
            self.assertEqual(c.execute(ins, ("given", B + 7)), ("ok", 1))
            self.assertEqual(c.execute(ins, ("auto", None)), ("ok", 1))
            auto_id = int(c.query("SELECT LAST_INSERT_ID()")[1][0][0])
            kind, _ = c.query(f"INSERT INTO db_diff.t_seq VALUES ('t1', {B + 8}), "
                              "('t2', DEFAULT), ('t3', NULL)")
            self.assertEqual(kind, "ok")
            first = int(c.query("SELECT LAST_INSERT_ID()")[1][0][0])
            self.assertGreater(first, auto_id)
            with self.assertRaises(ErrPacket) as e:
                c.query("INSERT INTO db_diff.t_seq VALUES ('short')")
            self.assertEqual((e.exception.code, e.exception.message),
                             (1136, "Column count doesn't match value count at row 1"))
            c.query("ALTER TABLE db_diff.t_seq ADD COLUMN w INT NULL FIRST")
            kind, _ = c.query(f"INSERT INTO db_diff.t_seq VALUES (5, 'after alter', {B + 9})")
            self.assertEqual(kind, "ok")
            three = c.prepare("INSERT INTO db_diff.t_seq VALUES (?, ?, ?)")
            self.assertEqual(c.execute(three, (6, "prepared", B + 10)), ("ok", 1))
            rows = c.query("SELECT id, v, w FROM db_diff.t_seq ORDER BY id")[1]
            got = {int(r[0]): (r[1], r[2]) for r in rows}
            self.assertEqual(got[B + 7], ("given", None))
            self.assertEqual(got[B + 8], ("t1", None))
            self.assertEqual(got[B + 9], ("after alter", "5"))
            self.assertEqual(got[B + 10], ("prepared", "6"))
            self.assertEqual(got[auto_id], ("auto", None))
            self.assertEqual(got[first], ("t2", None))
            self.assertEqual(got[first + 1], ("t3", None))
            self.assertEqual(len(rows), 7, rows)
            for s in range(3):  # every row sits on the sub-table its id hashes to
                there = sorted(int(r[0]) for r in sl.backend_query(
                    s, f"SELECT id FROM db_diff.t_seq_{s:04d}"))
                self.assertEqual(there, sorted(i for i in got if sl.gaea_hash_index(i, 3) == s))
            assert_serving("after INSERTs without a column list")
        finally:
            c.query("DROP TABLE IF EXISTS db_diff.t_seq")

    def test_correlated_subqueries_and_column_names(self):
        """Issue 19: a correlated subquery prepared (parameters and columns of the text as
        written, on one slice) and executed (off the shard key: a grouped derived table run
        first; on it: per shard); expression columns named as MariaDB names them, `?` kept."""
        ins = self.c.prepare("INSERT INTO tbl_ks (id, name, v) VALUES (?, ?, ?)")
        rows = [(201, "a", 7), (202, "b", 7), (203, "c", 8), (204, "d", None), (205, "e", 8),
                (206, "f", 9)]
        try:
            for r in rows:
                self.c.execute(ins, r)
            off_key = self.c.prepare(
                "SELECT a.id, (SELECT COUNT(*) FROM tbl_ks b WHERE b.v = a.v AND b.id <> ?) "
                "FROM tbl_ks a WHERE a.id BETWEEN ? AND ? ORDER BY a.id")
            self.assertEqual([c["name"] for c in off_key.columns],
                             ["id", "(SELECT COUNT(*) FROM tbl_ks b WHERE b.v = a.v AND b.id <> ?)"])
            self.assertEqual(self.c.execute(off_key, (0, 201, 206)),
                             ("rows", [[201, 2], [202, 2], [203, 2], [204, 0], [205, 2], [206, 1]]))
            on_key = self.c.prepare(
                "SELECT a.id FROM tbl_ks a WHERE a.id BETWEEN ? AND ? AND NOT EXISTS "
                "(SELECT 1 FROM tbl_ks b WHERE b.id = a.id AND b.v > ?) ORDER BY a.id")
            self.assertEqual(self.c.execute(on_key, (201, 206, 7)), ("rows", [[201], [202], [204]]))
            # Three uncorrelated subqueries over every shard in one statement routed to one:
            # each run first and shipped under its own CTE, parameters bound in each.
            several = self.c.prepare(
                "SELECT a.id, (SELECT COUNT(*) FROM tbl_ks b WHERE b.v = ? AND b.id BETWEEN 201 "
                "AND 206), (SELECT MAX(c.v) FROM tbl_ks c WHERE c.id BETWEEN ? AND ?) FROM tbl_ks "
                "a WHERE a.id = ? AND a.v IN (SELECT d.v FROM tbl_ks d WHERE d.name IN (?, ?))")
            self.assertEqual(len(several.columns), 3)
            self.assertEqual(self.c.execute(several, (7, 203, 205, 203, "c", "f")),
                             ("rows", [[203, 2, 8]]))
            self.assertEqual(self.c.execute(several, (8, 201, 206, 206, "c", "f")),
                             ("rows", [[206, 2, 9]]))
            self.assertEqual(self.c.execute(several, (8, 201, 206, 206, "c", "d")),
                             ("rows", []))
            semi = self.c.prepare(
                "SELECT a.id FROM tbl_ks a WHERE a.id BETWEEN 201 AND 206 AND EXISTS "
                "(SELECT 1 FROM tbl_ks b WHERE b.v = a.v AND b.id <> a.id + ?) ORDER BY a.id")
            # (`b.id <> a.id + ?` correlates otherwise than by an equality: refused, named)
            with self.assertRaises(ErrPacket) as e:
                self.c.execute(semi, (0,))
            self.assertEqual(e.exception.code, 1235)
            names = self.c.prepare("SELECT id, v+?, IFNULL(v,?) FROM tbl_ks WHERE id > ? ORDER BY id "
                                   "LIMIT 2")
            self.assertEqual([c["name"] for c in names.columns], ["id", "v+?", "IFNULL(v,?)"])
            status, got = self.c.execute(names, (1, -1, 200))
            self.assertEqual(got, [[201, 8, 7], [202, 8, 7]])
        finally:
            sl.query(sl.tessera("db_ks"), "DELETE FROM tbl_ks WHERE id BETWEEN 201 AND 206")

    def test_refusals(self):
        with self.assertRaises(ErrPacket) as e:
            st = self.c.prepare("INSERT INTO tbl_ks (name) VALUES (?)")
            self.c.execute(st, ("x",))
        self.assertIn("shard key", e.exception.message)
        upd = self.c.prepare("SELECT 1")  # the connection still works
        self.assertEqual(self.c.execute(upd), ("rows", [[1]]))
        assert_serving("after sharded prepared statements")


if __name__ == "__main__":
    itlib.main_unittest()
