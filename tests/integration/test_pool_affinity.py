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
import time
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

    def kill_own_backend(self, c):
        """Kills, on the server, the backend connection session `c` used last (CONNECTION_ID()
        names it), and waits until the server no longer lists it: its close has reached the
        socket Tessera holds idle."""
        cur = c.cursor()
        cur.execute("SELECT CONNECTION_ID()")
        backend_id = int(cur.fetchone()[0])
        itlib.backend_sql(0, f"KILL CONNECTION {backend_id}")
        for _ in range(100):
            left = itlib.backend_sql(
                0, f"SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = {backend_id}")
            if left[0][0] == "0":
                return backend_id
            time.sleep(0.05)
        self.fail(f"backend connection {backend_id} still listed after KILL")

    def test_connection_closed_by_the_server_while_idle(self):
        # The pool does not peek at an idle connection before an autocommit read (the read runs
        # again on a fresh connection when it turns out closed); writes are checked first. Each
        # statement below follows a KILL of the connection its session used last, and must
        # answer as if nothing happened: no error, the write applied exactly once.
        # Not a failover either: no retry through the topology monitor (which holds the
        # statement until the monitor has looked at the slice, about two seconds).
        retries_before = opslib.metric(opslib.scrape(port=self.t.admin_port),
                                       "tessera_failover_retries_total")
        c = self.connect()
        try:
            cur = c.cursor()
            cur.execute("CREATE TABLE IF NOT EXISTS pa_killed (id INT PRIMARY KEY, v INT)")
            cur.execute("DELETE FROM pa_killed")
            for i in range(3):
                killed = self.kill_own_backend(c)
                cur.execute("SELECT 40 + 2")
                self.assertEqual(cur.fetchone()[0], 42)
                cur.execute("SELECT CONNECTION_ID()")
                self.assertNotEqual(int(cur.fetchone()[0]), killed)
                self.kill_own_backend(c)
                cur.execute("INSERT INTO pa_killed VALUES (%s, %s)", (i, i * 10))
                self.assertEqual(cur.rowcount, 1)
                self.kill_own_backend(c)
                cur.execute("SELECT COUNT(*), SUM(v) FROM pa_killed")
                self.assertEqual(tuple(int(x) for x in cur.fetchone()),
                                 (i + 1, sum(k * 10 for k in range(i + 1))))
            cur.execute("DROP TABLE pa_killed")
        finally:
            c.close()
        retries = opslib.metric(opslib.scrape(port=self.t.admin_port),
                                "tessera_failover_retries_total") - retries_before
        self.assertEqual(retries, 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
