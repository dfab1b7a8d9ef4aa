#!/usr/bin/env python3
"""Cross-shard reads inside a transaction see the transaction's own writes, as one server does.

db_diff.t_hash has two sub-tables on each slice (locations [2, 2, 2]), so a scatter read puts
two parts on one slice. Differential: the same statements run in a transaction through Tessera
and on one MariaDB server holding all rows (a reference table on slice-1's primary, reached
directly), and every read's answer is compared; after ROLLBACK both sides are back to the
committed rows. Explicit BEGIN, and autocommit=0.
"""
import itlib
import shardlib as sl
import unittest

REF_DB = "txn_reads_ref"
COLUMNS = ("id BIGINT NOT NULL PRIMARY KEY, a INT, "
           "s VARCHAR(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
COMMITTED = [(i, i % 7, f"c{i}") for i in range(1, 25)]
# Text beyond Latin-1 and trailing spaces, merged under the table's collation.
WORDS = ["straße", "STRASSE", "Øre", "øre ", "Ёж", "ёж", "漢字", "🙂", "b ", "B", "a", "Ä"]
UNCOMMITTED = [(100 + i, i % 5, WORDS[i % len(WORDS)]) for i in range(1, 19)]
READS = [
    "SELECT COUNT(*), SUM(a) FROM {t}",
    "SELECT id, a, s FROM {t} ORDER BY id",
    "SELECT id FROM {t} ORDER BY id DESC LIMIT 5",
    "SELECT a, COUNT(*) FROM {t} GROUP BY a ORDER BY a",
    "SELECT s FROM {t} WHERE a = 3 ORDER BY s",
    "SELECT id, s FROM {t} ORDER BY s, id",
    "SELECT id FROM {t} WHERE s = 'strasse' ORDER BY id",
]


def values(rows):
    return ", ".join(f"({i}, {a}, '{s}')" for i, a, s in rows)


class TxnReads(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        sl.require_proxy("cross-shard reads in a transaction")
        c = sl.tessera()
        sl.query(c, "CREATE DATABASE IF NOT EXISTS db_diff")
        sl.query(c, "DROP TABLE IF EXISTS db_diff.t_hash")
        sl.query(c, f"CREATE TABLE db_diff.t_hash ({COLUMNS})")
        sl.query(c, f"INSERT INTO db_diff.t_hash (id, a, s) VALUES {values(COMMITTED)}")
        c.close()
        r = sl.backend(0)
        sl.query(r, f"DROP DATABASE IF EXISTS {REF_DB}")
        sl.query(r, f"CREATE DATABASE {REF_DB}")
        sl.query(r, f"CREATE TABLE {REF_DB}.t ({COLUMNS})")
        sl.query(r, f"INSERT INTO {REF_DB}.t (id, a, s) VALUES {values(COMMITTED)}")
        r.close()

    @classmethod
    def tearDownClass(cls):
        c = sl.tessera()
        sl.query(c, "DROP TABLE IF EXISTS db_diff.t_hash")
        c.close()
        r = sl.backend(0)
        sl.query(r, f"DROP DATABASE IF EXISTS {REF_DB}")
        r.close()

    def sides(self):
        return {"direct": (sl.backend(0, autocommit=True), f"{REF_DB}.t"),
                "tessera": (sl.tessera(), "db_diff.t_hash")}

    def reads(self, sides, label):
        got = {}
        for name, (conn, table) in sides.items():
            got[name] = [sl.query(conn, q.format(t=table)) for q in READS]
        for q, d, t in zip(READS, got["direct"], got["tessera"]):
            self.assertEqual(list(map(tuple, t)), list(map(tuple, d)), f"{label}: {q}")
        return got["direct"]

    def transaction(self, begin):
        sides = self.sides()
        try:
            for name, (conn, table) in sides.items():
                for stmt in begin:
                    sl.query(conn, stmt)
                sl.query(conn, f"INSERT INTO {table} (id, a, s) VALUES {values(UNCOMMITTED)}")
                sl.query(conn, f"UPDATE {table} SET a = a + 10 WHERE id IN (3, 4, 5, 6)")
                sl.query(conn, f"DELETE FROM {table} WHERE id IN (7, 8)")
            inside = self.reads(sides, f"{begin}: inside the transaction")
            self.assertEqual(inside[0][0][0], len(COMMITTED) + len(UNCOMMITTED) - 2)
            for name, (conn, table) in sides.items():
                sl.query(conn, "ROLLBACK")
            after = self.reads(sides, f"{begin}: after ROLLBACK")
            self.assertEqual(after[0][0][0], len(COMMITTED))
            itlib.log(f"  {begin}: {len(READS)} reads inside and after, as the server")
        finally:
            for conn, _ in sides.values():
                conn.close()

    def test_multi_statement_commit(self):
        """COMMIT at the head of a multi-statement ends the transaction on every slice it
        touched, as the server ends its one transaction; another session then sees the rows."""
        from pymysql.constants import CLIENT
        sides = {"direct": (sl.backend(0, client_flag=CLIENT.MULTI_STATEMENTS), f"{REF_DB}.t"),
                 "tessera": (sl.tessera(client_flag=CLIENT.MULTI_STATEMENTS), "db_diff.t_hash")}
        seen = {}
        try:
            for name, (conn, table) in sides.items():
                sl.query(conn, "BEGIN")
                sl.query(conn, f"INSERT INTO {table} (id, a, s) VALUES {values(UNCOMMITTED)}")
                with conn.cursor() as cur:
                    cur.execute("COMMIT; SELECT 1")
                    while cur.nextset():
                        pass
                other = sl.backend(0) if name == "direct" else sl.tessera()
                try:
                    seen[name] = sl.query(other, f"SELECT COUNT(*) FROM {table}")[0][0]
                    sl.query(other, f"DELETE FROM {table} WHERE id > 100")
                finally:
                    other.close()
        finally:
            for conn, _ in sides.values():
                conn.close()
        self.assertEqual(seen["tessera"], seen["direct"], seen)
        self.assertEqual(seen["direct"], len(COMMITTED) + len(UNCOMMITTED))

    def test_begin(self):
        self.transaction(["BEGIN"])

    def test_autocommit_off(self):
        self.transaction(["SET autocommit = 0"])


if __name__ == "__main__":
    itlib.main_unittest()
