#!/usr/bin/env python3
"""Write-then-read loop through Tessera: primary-only vs EVENTUAL vs SESSION vs GLOBAL.

Starts a private one-slice cluster (primary + 2 replicas, weights 1:2) and a private Tessera
(tests/integration/rwlib.py PrivateStack: cluster at TESSERA_IT_BASE_PORT + 100, Tessera at
TESSERA_IT_PROXY_PORT + 10), runs CLIENTS threads each doing ITERATIONS of
"INSERT a row; SELECT it back" per mode, prints statements per second and the p50/p95 latency
of one write+read pair, and the fraction of reads that were stale. Stops everything it started.

  TESSERA_BIN=build/src/app/tessera TESSERA_IT_BASE_PORT=32306 TESSERA_IT_PROXY_PORT=19306 \
      bench/read-consistency.py [--clients 4] [--iterations 2000]
"""

import argparse
import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "integration"))
from rwlib import PrivateStack, direct, wait_replicas_caught_up  # noqa: E402

MODES = [
    ("primary-only", "app", None),
    ("EVENTUAL", "rw", "EVENTUAL"),
    ("SESSION", "rw", "SESSION"),
    ("GLOBAL", "rw", "GLOBAL"),
]


def run_mode(stack, user, level, clients, iterations, id_base):
    lat = []
    stale = [0]
    lock = threading.Lock()

    def worker(k):
        c = stack.connect(user, database="sbtest")
        cur = c.cursor()
        if level:
            cur.execute(f"SET SESSION tessera_read_consistency = '{level}'")
        mine = []
        my_stale = 0
        first = id_base + k * iterations
        for i in range(first, first + iterations):
            t0 = time.perf_counter()
            cur.execute("INSERT INTO bench_t (id, v) VALUES (%s, 'x')", (i,))
            cur.execute("SELECT v FROM bench_t WHERE id = %s", (i,))
            row = cur.fetchone()
            mine.append(time.perf_counter() - t0)
            if row is None:
                my_stale += 1
        c.close()
        with lock:
            lat.extend(mine)
            stale[0] += my_stale

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    lat.sort()
    n = len(lat)
    return {
        "qps": 2 * n / elapsed,
        "p50": lat[n // 2] * 1000,
        "p95": lat[int(n * 0.95)] * 1000,
        "stale": stale[0] / n,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--iterations", type=int, default=2000, help="per client and mode")
    args = ap.parse_args()
    stack = PrivateStack("rwsplit-bench")
    try:
        stack.start()
        p = direct(stack.primary)
        with p.cursor() as cur:
            cur.execute("DROP TABLE IF EXISTS sbtest.bench_t")
            cur.execute("CREATE TABLE sbtest.bench_t (id INT PRIMARY KEY, v CHAR(1))")
        p.close()
        wait_replicas_caught_up(stack.primary, stack.replicas)
        print(f"write-then-read loop, {args.clients} clients x {args.iterations} iterations per "
              "mode (1 INSERT + 1 SELECT of that row), replicas weighted 1:2, all healthy")
        print(f"{'mode':<14}{'stmts/s':>10}{'p50 ms':>10}{'p95 ms':>10}{'stale':>9}")
        base = 1
        for name, user, level in MODES:
            r = run_mode(stack, user, level, args.clients, args.iterations, base)
            base += args.clients * args.iterations
            print(f"{name:<14}{r['qps']:>10.0f}{r['p50']:>10.2f}{r['p95']:>10.2f}"
                  f"{r['stale']:>9.2%}", flush=True)
    finally:
        stack.stop()


if __name__ == "__main__":
    main()
