#!/usr/bin/env python3
"""pymysql through the target: parameters, types, multi-statements, transactions, errors."""
import decimal
import itlib
import pymysql
import unittest
from pymysql.constants import CLIENT


class Queries(unittest.TestCase):
    def setUp(self):
        self.c = itlib.connect("app", database="demo", autocommit=True)

    def tearDown(self):
        self.c.close()

    def q(self, sql, args=None):
        with self.c.cursor() as cur:
            cur.execute(sql, args)
            return cur.fetchall()

    def test_types(self):
        row = self.q("SELECT 1, -2.5, 'x', NULL, CAST(12345678901234 AS SIGNED), "
                     "CAST('2024-02-29' AS DATE), X'00FF', 1e3")[0]
        self.assertEqual(row[0], 1)
        self.assertEqual(row[1], decimal.Decimal("-2.5"))
        self.assertEqual(row[2], "x")
        self.assertIsNone(row[3])
        self.assertEqual(row[4], 12345678901234)
        self.assertEqual(str(row[5]), "2024-02-29")
        self.assertEqual(row[6], b"\x00\xff")
        self.assertEqual(row[7], 1000.0)

    def test_insert_select_update_delete(self):
        self.q("DROP TABLE IF EXISTS it_q_rows")
        self.q("CREATE TABLE it_q_rows (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(50))")
        with self.c.cursor() as cur:
            cur.executemany("INSERT INTO it_q_rows (name) VALUES (%s)", ["a", "b'quote", "c\\slash"])
            self.assertEqual(cur.rowcount, 3)
            cur.execute("INSERT INTO it_q_rows (name) VALUES ('d')")
            self.assertEqual(cur.lastrowid, 4)
            cur.execute("UPDATE it_q_rows SET name = CONCAT(name, '!') WHERE id <= 2")
            self.assertEqual(cur.rowcount, 2)
            cur.execute("DELETE FROM it_q_rows WHERE id = 4")
            self.assertEqual(cur.rowcount, 1)
        rows = self.q("SELECT id, name FROM it_q_rows ORDER BY id")
        self.assertEqual(rows, ((1, "a!"), (2, "b'quote!"), (3, "c\\slash")))

    def test_error_keeps_session(self):
        with self.assertRaises(pymysql.err.ProgrammingError) as cm:
            self.q("SELECT * FROM no_such_table_q")
        self.assertEqual(cm.exception.args[0], 1146)
        self.assertEqual(self.q("SELECT DATABASE()"), (("demo",),))

    def test_pooled_connection_does_not_leak_the_previous_database(self):
        # A client without a database must not inherit the one an earlier client selected
        # on the pooled backend connection (MySQL cannot unselect a database). Several
        # rounds, so every worker's pool is exercised.
        for _ in range(8):
            with itlib.connect("app", database="demo", autocommit=True) as c:
                with c.cursor() as cur:
                    cur.execute("SELECT DATABASE()")
                    self.assertEqual(cur.fetchall(), (("demo",),))
            with itlib.connect("app", autocommit=True) as c:
                with c.cursor() as cur:
                    cur.execute("SELECT DATABASE()")
                    self.assertEqual(cur.fetchall(), ((None,),))
                    with self.assertRaises(pymysql.err.MySQLError) as cm:
                        cur.execute("SELECT * FROM it_q_rows")
                    self.assertEqual(cm.exception.args[0], 1046)  # no database selected

    def test_transaction(self):
        self.q("DROP TABLE IF EXISTS it_q_txn")
        self.q("CREATE TABLE it_q_txn (id INT PRIMARY KEY) ENGINE=InnoDB")
        self.c.begin()
        self.q("INSERT INTO it_q_txn VALUES (1)")
        self.c.rollback()
        self.c.begin()
        self.q("INSERT INTO it_q_txn VALUES (2)")
        self.c.commit()
        self.assertEqual(self.q("SELECT id FROM it_q_txn"), ((2,),))

    def test_multi_statements(self):
        c = itlib.connect("app", database="demo", client_flag=CLIENT.MULTI_STATEMENTS)
        try:
            with c.cursor() as cur:
                cur.execute("SELECT 1; SELECT 'two', 2; DO 0; SELECT 3")
                sets = [cur.fetchall()]
                while cur.nextset():
                    sets.append(cur.fetchall())
            # DO produces an OK packet in the middle (no rows)
            self.assertEqual([s for s in sets if s], [((1,),), (("two", 2),), ((3,),)])
            self.assertEqual(len(sets), 4)
            with c.cursor() as cur:
                cur.execute("SELECT 'still' ")
                self.assertEqual(cur.fetchall(), (("still",),))
        finally:
            c.close()

    def test_use_and_init_db(self):
        self.c.select_db("sbtest")
        self.assertEqual(self.q("SELECT DATABASE()"), (("sbtest",),))
        with self.assertRaises(pymysql.err.OperationalError) as cm:
            self.c.select_db("no_such_db_q")
        # 1049 unknown database (MariaDB), or 1044 when Tessera refuses a db outside allowed_dbs
        self.assertIn(cm.exception.args[0], (1049, 1044))
        self.assertEqual(self.q("SELECT DATABASE()"), (("sbtest",),))

    def test_ping_and_reconnect(self):
        self.c.ping(reconnect=False)
        self.assertEqual(self.q("SELECT 7"), ((7,),))

    def test_many_sessions_sequential(self):
        for i in range(50):
            c = itlib.connect("app")
            with c.cursor() as cur:
                cur.execute("SELECT %s", (i,))
                self.assertEqual(cur.fetchone()[0], i)
            c.close()


if __name__ == "__main__":
    itlib.main_unittest()
