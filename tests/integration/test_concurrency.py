#!/usr/bin/env python3
"""500 concurrent client sessions against a namespace whose slices allow at most
max_capacity (20) backend connections per instance: every session succeeds, and Tessera never
opens more than max_capacity (+ a little slack for its monitor) connections to the primary."""
import itlib
import os
import threading
import time
import unittest

CLIENTS = int(os.environ.get("TESSERA_IT_CLIENTS", "500"))
MAX_CAPACITY = int(os.environ.get("TESSERA_IT_MAX_CAPACITY", "20"))
MONITOR_SLACK = 4  # health checks / topology probes may hold a few extra connections


class BackendWatcher(threading.Thread):
    """Samples how many client connections slice-0's primary has over TCP, leaving out root
    (our own sampler uses the socket), replication threads and system threads. Through Tessera
    these are Tessera's pooled connections (user `tessera`), whoever the front users are."""

    def __init__(self):
        super().__init__(daemon=True)
        self.stop = threading.Event()
        self.samples = []

    def run(self):
        while not self.stop.is_set():
            try:
                rows = itlib.backend_sql(
                    0, "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE HOST LIKE "
                       "'127.0.0.1:%' AND USER NOT IN ('root', 'repl', 'system user')")
                self.samples.append(int(rows[0][0]))
            except Exception as e:  # a failed sample is not a test failure
                itlib.log("watcher:", e)
            self.stop.wait(0.05)


class Concurrency(unittest.TestCase):
    def test_500_clients(self):
        setup = itlib.connect("app", database="demo", autocommit=True)
        with setup.cursor() as cur:
            cur.execute("DROP TABLE IF EXISTS it_conc")
            cur.execute("CREATE TABLE it_conc (client INT, step INT, PRIMARY KEY (client, step))")
        setup.close()

        threading.stack_size(512 * 1024)
        barrier = threading.Barrier(CLIENTS, timeout=120)
        errors = []
        done = []
        lock = threading.Lock()

        def client(n):
            conn = None
            try:
                conn = itlib.connect("app", database="demo", autocommit=True,
                                     connect_timeout=60, read_timeout=120)
                barrier.wait()  # everyone is connected at the same time
                with conn.cursor() as cur:
                    cur.execute("SELECT %s + 1", (n,))
                    assert cur.fetchone()[0] == n + 1
                    cur.execute("INSERT INTO it_conc VALUES (%s, 1)", (n,))
                    cur.execute("SELECT SLEEP(0.02), %s", (n,))
                    assert cur.fetchone()[1] == n
                    cur.execute("INSERT INTO it_conc VALUES (%s, 2)", (n,))
                    cur.execute("SELECT COUNT(*) FROM it_conc WHERE client = %s", (n,))
                    assert cur.fetchone()[0] == 2
                with lock:
                    done.append(n)
            except Exception as e:
                with lock:
                    errors.append(f"client {n}: {type(e).__name__}: {e}")
                try:
                    barrier.abort()
                except Exception:
                    pass
            finally:
                if conn:
                    conn.close()

        watcher = BackendWatcher()
        watcher.start()
        t0 = time.time()
        threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
        elapsed = time.time() - t0
        watcher.stop.set()
        watcher.join()
        itlib.log(f"{len(done)}/{CLIENTS} clients finished in {elapsed:.1f}s; "
                  f"TCP client connections on the primary: max {max(watcher.samples, default=-1)} "
                  f"over {len(watcher.samples)} samples")
        self.assertEqual(errors[:10], [])
        self.assertEqual(len(done), CLIENTS)

        check = itlib.connect("app", database="demo")
        with check.cursor() as cur:
            cur.execute("SELECT COUNT(*), COUNT(DISTINCT client) FROM it_conc")
            self.assertEqual(cur.fetchone(), (2 * CLIENTS, CLIENTS))
            cur.execute("DROP TABLE it_conc")
        check.close()

        if itlib.PROXY:
            self.assertGreater(len(watcher.samples), 0, "could not sample the backend")
            self.assertGreater(max(watcher.samples), 0, "saw no connection from Tessera at all")
            self.assertLessEqual(max(watcher.samples), MAX_CAPACITY + MONITOR_SLACK,
                                 f"Tessera opened more than max_capacity={MAX_CAPACITY} "
                                 f"(+{MONITOR_SLACK}) connections to the primary")
        itlib.assert_serving("500 concurrent clients")


if __name__ == "__main__":
    itlib.main_unittest()
