#!/usr/bin/env python3
"""Server-side prepared statements over the binary protocol (raw client in itlib):
COM_STMT_PREPARE / EXECUTE / SEND_LONG_DATA / RESET / CLOSE, binary result rows, errors."""
import hashlib
import itlib
import os
import unittest
from itlib import RawConn, ErrPacket, assert_serving


class Prepared(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        c = RawConn()
        c.login("app", db="demo")
        c.query("DROP TABLE IF EXISTS it_ps")
        c.query("CREATE TABLE it_ps (id BIGINT PRIMARY KEY, name VARCHAR(100), score DOUBLE, "
                "small SMALLINT, big BIGINT UNSIGNED, born DATE, at DATETIME(6), data LONGBLOB)")
        c.close()

    def setUp(self):
        self.c = RawConn()
        self.c.login("app", db="demo")

    def tearDown(self):
        self.c.close()

    def test_insert_and_select_types(self):
        ins = self.c.prepare("INSERT INTO it_ps (id, name, score, small, big, born, at) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?)")
        self.assertEqual(len(ins.params), 7)
        self.assertEqual(len(ins.columns), 0)
        rows = [
            (1, "alice", 1.5, -3, 18446744073709551615, "2024-02-29", "2024-02-29 23:59:58.123456"),
            (2, "bob 'quoted' \\ back", -0.25, 32767, 0, "1999-12-31", "2000-01-01 00:00:00.000001"),
            (3, None, None, None, None, None, None),
        ]
        for r in rows:
            self.assertEqual(self.c.execute(ins, r), ("ok", 1))
        sel = self.c.prepare("SELECT id, name, score, small, big, born, at FROM it_ps "
                             "WHERE id BETWEEN ? AND ? ORDER BY id")
        self.assertEqual([col["name"] for col in sel.columns],
                         ["id", "name", "score", "small", "big", "born", "at"])
        kind, got = self.c.execute(sel, (1, 3))
        self.assertEqual(kind, "rows")
        self.assertEqual(got[0], [1, b"alice", 1.5, -3, 18446744073709551615, "2024-02-29",
                                  "2024-02-29 23:59:58.123456"])
        self.assertEqual(got[1][:5], [2, b"bob 'quoted' \\ back", -0.25, 32767, 0])
        self.assertEqual(got[2], [3, None, None, None, None, None, None])
        # re-execute the same statement with other parameters
        self.assertEqual(self.c.execute(sel, (2, 2))[1][0][0], 2)
        self.assertEqual(self.c.execute(sel, (100, 200)), ("rows", []))
        self.c.stmt_close(sel)
        self.c.stmt_close(ins)
        self.assertEqual(self.c.query("SELECT 1"), ("rows", [["1"]]))

    def test_expressions_and_no_params(self):
        st = self.c.prepare("SELECT ? + 1, CONCAT('x', ?), ? IS NULL")
        self.assertEqual(self.c.execute(st, (41, "yz", None))[1], [[42, b"xyz", 1]])
        st2 = self.c.prepare("SELECT 'constant', 7")
        self.assertEqual(self.c.execute(st2)[1], [[b"constant", 7]])

    def test_two_statements_interleaved(self):
        a = self.c.prepare("SELECT ? * 2")
        b = self.c.prepare("SELECT CONCAT(?, '!')")
        self.assertNotEqual(a.id, b.id)
        for i in range(20):
            self.assertEqual(self.c.execute(a, (i,))[1], [[i * 2]])
            self.assertEqual(self.c.execute(b, (str(i),))[1], [[f"{i}!".encode()]])

    def test_long_data(self):
        blob = os.urandom(3 * 1024 * 1024)
        ins = self.c.prepare("INSERT INTO it_ps (id, data) VALUES (?, ?) "
                             "ON DUPLICATE KEY UPDATE data = VALUES(data)")
        for off in range(0, len(blob), 1 << 20):  # three 1 MiB chunks
            self.c.send_long_data(ins, 1, blob[off:off + (1 << 20)])
        self.assertEqual(self.c.execute(ins, (10, None), long_data=(1,))[0], "ok")
        sel = self.c.prepare("SELECT data, SHA1(data) FROM it_ps WHERE id = ?")
        (data, sha), = self.c.execute(sel, (10,))[1]
        self.assertEqual(len(data), len(blob))
        self.assertEqual(sha.decode(), hashlib.sha1(blob).hexdigest())
        self.assertEqual(data, blob)

    def test_reset(self):
        st = self.c.prepare("SELECT ?")
        self.c.stmt_reset(st)
        self.assertEqual(self.c.execute(st, (5,))[1], [[5]])

    def test_errors(self):
        with self.assertRaises(ErrPacket) as cm:
            self.c.prepare("SELECT * FROM no_such_table_ps WHERE id = ?")
        self.assertEqual((cm.exception.code, cm.exception.state), (1146, "42S02"))
        with self.assertRaises(ErrPacket) as cm:
            self.c.prepare("SELEKT ?")
        self.assertEqual(cm.exception.code, 1064)
        # executing an id that was never prepared
        st = self.c.prepare("SELECT ?")
        with self.assertRaises(ErrPacket) as cm:
            self.c.execute(st, (1,), stmt_id=st.id + 1000)
        self.assertEqual(cm.exception.code, 1243)  # Unknown prepared statement handler
        # executing a closed statement
        self.c.stmt_close(st)
        with self.assertRaises(ErrPacket) as cm:
            self.c.execute(st, (1,))
        self.assertEqual(cm.exception.code, 1243)
        # an execution error (duplicate key) leaves the statement usable
        ins = self.c.prepare("INSERT INTO it_ps (id) VALUES (?)")
        self.c.execute(ins, (500,))
        with self.assertRaises(ErrPacket) as cm:
            self.c.execute(ins, (500,))
        self.assertEqual((cm.exception.code, cm.exception.state), (1062, "23000"))
        self.assertEqual(self.c.execute(ins, (501,)), ("ok", 1))
        self.assertEqual(self.c.query("SELECT 'alive'"), ("rows", [["alive"]]))

    def test_ids_are_per_session(self):
        st = self.c.prepare("SELECT 'mine'")
        other = RawConn()
        try:
            other.login("app", db="demo")
            mine = other.prepare("SELECT 'theirs'")
            # the other session's own statement works; using ours there must not reach ours
            self.assertEqual(other.execute(mine)[1], [[b"theirs"]])
            try:
                kind, rows = other.execute(st, stmt_id=st.id if st.id != mine.id else st.id + 77)
                self.assertNotEqual(rows, [[b"mine"]], "a session executed another's statement")
            except ErrPacket as e:
                self.assertEqual(e.code, 1243)
        finally:
            other.close()
        self.assertEqual(self.c.execute(st)[1], [[b"mine"]])

    def test_many_statements(self):
        stmts = [self.c.prepare(f"SELECT ? + {i}") for i in range(200)]
        self.assertEqual(len({s.id for s in stmts}), 200)
        for i, s in enumerate(stmts):
            if i % 20 == 0:
                self.assertEqual(self.c.execute(s, (1,))[1], [[1 + i]])
        for s in stmts:
            self.c.stmt_close(s)
        self.assertEqual(self.c.query("SELECT 2"), ("rows", [["2"]]))

    @classmethod
    def tearDownClass(cls):
        assert_serving("prepared statements")


if __name__ == "__main__":
    itlib.main_unittest()
