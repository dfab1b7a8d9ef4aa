"""Issue 6: a replica that fails leaves the read pool and returns when healthy again.

A private cluster (1 primary + 2 replicas) behind a private Tessera with read/write splitting
(rw_split=1). Four clients run autocommit SELECTs every 10 ms while replica 1 is killed
(SIGKILL), left down for 2 s and started again. Checks: 0 client errors for the reads, the
topology reports the replica down and then up, and after its return the replica serves reads
again (its Com_select grows). Prints the detection times and the reads served.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from failoverlib import (Loop, PrivateSetup, check, log, namespace_json, now, run,  # noqa: E402
                         slice_json)


def namespace(port):
    return namespace_json([slice_json("slice-0", master=f"127.0.0.1:{port(0, 0)}",
                                      slaves=[f"127.0.0.1:{port(0, 1)}",
                                              f"127.0.0.1:{port(0, 2)}"])], rw_split=1)


def com_select(s, j):
    return int(s.sql(0, j, "SHOW GLOBAL STATUS LIKE 'Com_select'")[0][1])


def main():
    with PrivateSetup("replica", 1, 2, namespace) as s:
        s.start_tessera()
        conn = s.connect()
        with conn.cursor() as c:
            c.execute("CREATE TABLE demo.rf (id INT PRIMARY KEY, v INT)")
            c.execute("INSERT INTO demo.rf VALUES (1, 1), (2, 2)")
        replica1 = f"127.0.0.1:{s.port(0, 1)}"

        def status_of(rows):
            return next(r["status"] for r in rows if r["instance"] == replica1)

        s.wait_topology(conn, lambda rows: status_of(rows) == "up")
        time.sleep(1.0)  # replication of the table

        def read(conn, n):
            with conn.cursor() as c:
                c.execute("SELECT v FROM demo.rf WHERE id = 1")
                if c.fetchone() != (1,):
                    raise AssertionError("wrong result")

        readers = [Loop(s, f"reader{k}", read, 0.01) for k in range(4)]
        for r in readers:
            r.start()
        time.sleep(1.0)
        killed = now()
        s.cluster("kill-server", "--server", "0:1")
        down_at = s.wait_topology(conn, lambda rows: status_of(rows) == "down")
        time.sleep(2.0)
        restarted = now()
        s.cluster("start-server", "--server", "0:1")
        up_at = s.wait_topology(conn, lambda rows: status_of(rows) == "up", timeout=30)
        before = com_select(s, 1)
        time.sleep(2.0)
        served_after = com_select(s, 1) - before
        for r in readers:
            r.stop()
        reads = sum(len(r.ok()) for r in readers)
        errors = [e for r in readers for e in r.errors()]
        log(f"  replica killed: marked down after {(down_at - killed) * 1000:.0f} ms; started "
            f"again: marked up {(up_at - restarted) * 1000:.0f} ms after the start command "
            f"returned; {reads} reads, {len(errors)} client errors; replica 1 served "
            f"{served_after} SELECTs in the 2 s after its return; Tessera failover log lines: "
            f"{s.count_log('failover: ')}")
        for e in errors[:10]:
            log(f"    client error at +{e[0] - killed:.3f}s: {e[3]}")
        check(not errors, "0 client errors for autocommit reads while a replica failed and came "
                          "back")
        check(served_after > 0, "the returned replica serves reads again")
        conn.close()


if __name__ == "__main__":
    run(main)
