"""Read-your-writes with a lagging replica (issue 5), on a PRIVATE cluster and Tessera
(rwlib.PrivateStack: cluster at base port + 100, Tessera at proxy port + 10).

replica-2 (weight 2 of 1:2) has its SQL thread stopped for the whole test, so it never applies
new writes. Then:
  - SESSION: INSERT then at once SELECT that row, ITERATIONS times: 0 stale reads allowed;
  - EVENTUAL: the same loop must count stale reads (the check can fail);
  - GLOBAL: another session writes, this one reads: 0 stale reads allowed.
The servers' Com_select counters show where the reads went (replicas, not just the primary).
RWSPLIT_ITERATIONS overrides the iteration count (default 10000).
"""

import os
import sys
import time

from itlib import log
from rwlib import PrivateStack, com_select, direct

ITERATIONS = int(os.environ.get("RWSPLIT_ITERATIONS", "10000"))
EVENTUAL_ITERATIONS = min(ITERATIONS, 2000)
failures = []


def check(cond, what):
    log(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def loop(stack, writer, reader, first_id, n):
    """n iterations: writer inserts a row, reader selects it at once. Returns stale reads."""
    stale = 0
    wc, rc = writer.cursor(), reader.cursor()
    for i in range(first_id, first_id + n):
        wc.execute("INSERT INTO t (id, v) VALUES (%s, 'x')", (i,))
        rc.execute("SELECT v FROM t WHERE id = %s", (i,))
        if rc.fetchone() is None:
            stale += 1
    return stale


def counted(stack, fn):
    servers = [stack.primary] + stack.replicas
    before = [com_select(p) for p in servers]
    t0 = time.monotonic()
    out = fn()
    elapsed = time.monotonic() - t0
    d = [com_select(p) - b for p, b in zip(servers, before)]
    return out, d, elapsed


def main():
    stack = PrivateStack("rwsplit-consistency")
    try:
        stack.start()
        p = direct(stack.primary)
        with p.cursor() as cur:
            cur.execute("DROP TABLE IF EXISTS sbtest.t")
            cur.execute("CREATE TABLE sbtest.t (id INT PRIMARY KEY, v CHAR(1))")
        p.close()
        from rwlib import wait_replicas_caught_up
        wait_replicas_caught_up(stack.primary, stack.replicas)
        stack.replica_sql(2, "STOP SLAVE SQL_THREAD")
        log("replica-2 (weight 2) stopped applying: it lags from now on")

        # SESSION: the session's own writes.
        c = stack.connect("rw", database="sbtest")
        with c.cursor() as cur:
            cur.execute("SET SESSION tessera_read_consistency = 'SESSION'")
        stale, d, secs = counted(stack, lambda: loop(stack, c, c, 1, ITERATIONS))
        log(f"SESSION: {ITERATIONS} iterations in {secs:.1f}s, Com_select primary {d[0]}, "
            f"replica-1 {d[1]}, replica-2 {d[2]}")
        check(stale == 0, f"SESSION: {stale} stale reads of {ITERATIONS}")
        check(d[1] >= ITERATIONS * 0.9,
              f"SESSION: replica-1 served the reads ({d[1]} selects incl. GTID waits)")

        # EVENTUAL: same loop; replica-2 gets 2/3 of the reads and has none of the rows.
        with c.cursor() as cur:
            cur.execute("SET SESSION tessera_read_consistency = 'EVENTUAL'")
        base = ITERATIONS + 1
        stale_e, d, secs = counted(stack, lambda: loop(stack, c, c, base, EVENTUAL_ITERATIONS))
        log(f"EVENTUAL: {EVENTUAL_ITERATIONS} iterations in {secs:.1f}s, Com_select primary "
            f"{d[0]}, replica-1 {d[1]}, replica-2 {d[2]}")
        check(stale_e > 0, f"EVENTUAL: {stale_e} stale reads of {EVENTUAL_ITERATIONS} (> 0: the "
                           "check can fail)")
        c.close()

        # GLOBAL: another session's writes.
        writer = stack.connect("app", database="sbtest")
        reader = stack.connect("rwg", database="sbtest")
        base = ITERATIONS + EVENTUAL_ITERATIONS + 1
        stale_g, d, secs = counted(stack, lambda: loop(stack, writer, reader, base, ITERATIONS))
        log(f"GLOBAL: {ITERATIONS} iterations in {secs:.1f}s, Com_select primary {d[0]}, "
            f"replica-1 {d[1]}, replica-2 {d[2]}")
        check(stale_g == 0, f"GLOBAL: {stale_g} stale reads of {ITERATIONS} (writes by another "
                            "session)")
        check(d[1] >= ITERATIONS * 0.9, f"GLOBAL: replica-1 served the reads ({d[1]} selects)")
        # The same cross-session loop at EVENTUAL shows it would be stale without GLOBAL.
        with reader.cursor() as cur:
            cur.execute("SET SESSION tessera_read_consistency = 'EVENTUAL'")
        base += ITERATIONS
        stale_ge = loop(stack, writer, reader, base, EVENTUAL_ITERATIONS)
        check(stale_ge > 0, f"cross-session EVENTUAL: {stale_ge} stale reads of "
                            f"{EVENTUAL_ITERATIONS} (> 0)")
        writer.close()
        reader.close()
        stack.replica_sql(2, "START SLAVE SQL_THREAD")
    finally:
        stack.stop()
    log(f"{len(failures)} failed" if failures else "all checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
