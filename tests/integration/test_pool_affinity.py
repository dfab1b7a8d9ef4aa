#!/usr/bin/env python3
"""Pool affinity: a session keeps its own backend connection while other live sessions take
turns (no COM_RESET_CONNECTION between their statements), as each would on its own server
connection.

A private Tessera (proxy port + 94, admin + 99; worker_threads 1, so one pool) in front of the
shared cluster's slice 0, pool capacity 3. Two sessions alternate statements. Before the pool
lent only the connection a session used last: the second session took the first one's idle
connection (most recently used first), the first then took it back, and every statement came
after a reset (tessera_pool_resets_total rose by about one per statement, and with
exact_session_status each hand-off costs two SHOW STATUS readings). Now a session whose own
connection is busy or gone takes one no live session calls its own, or a new one below
capacity: the resets counter must not move while the two alternate.
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itlib  # noqa: E402
import opslib  # noqa: E402
import robustlib  # noqa: E402

K = 44


def resets(t):
    return opslib.metric(opslib.scrape(port=t.admin_port), "tessera_pool_resets_total")


@unittest.skipUnless(itlib.PROXY, "Tessera only")
class PoolAffinity(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        ns = robustlib.namespace_json("pa", "pa_user", "pa_pw", itlib.BASE_PORT, capacity=3,
                                      max_capacity=3)
        cls.t = robustlib.Tessera("pool-affinity", {"pa.json": ns}, k=K)
        with open(cls.t.config) as f:
            text = f.read()
        with open(cls.t.config, "w") as f:
            f.write(text.replace("worker_threads = 2", "worker_threads = 1"))
        cls.t.start()

    @classmethod
    def tearDownClass(cls):
        cls.t.stop()

    def connect(self):
        import pymysql
        return pymysql.connect(host=itlib.HOST, port=self.t.port, user="pa_user",
                               password="pa_pw", database="demo", autocommit=True)

    def test_alternating_sessions_keep_their_connections(self):
        a, b = self.connect(), self.connect()
        try:
            for c in (a, b):  # each gets a connection of its own (the pool grows)
                c.cursor().execute("SELECT 1")
            before = resets(self.t)
            for _ in range(10):
                for c in (a, b):
                    cur = c.cursor()
                    cur.execute("SELECT CONNECTION_ID()")
                    cur.fetchall()
            after = resets(self.t)
        finally:
            a.close()
            b.close()
        itlib.log(f"resets while 2 sessions alternated 20 statements: {after - before:.0f}")
        self.assertEqual(after - before, 0)

    def test_new_session_takes_a_gone_sessions_connection(self):
        a = self.connect()
        try:
            a.cursor().execute("SELECT 1")
            gone = self.connect()
            gone.cursor().execute("SELECT 1")
            gone.close()
            # the new session gets the closed one's connection or a new one, not a's: a's next
            # statements need no reset
            c = self.connect()
            c.cursor().execute("SELECT 1")
            before = resets(self.t)
            for _ in range(5):
                a.cursor().execute("SELECT 1")
                c.cursor().execute("SELECT 1")
            after = resets(self.t)
            c.close()
        finally:
            a.close()
        self.assertEqual(after - before, 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
