"""Issue 6 / seed 003: a multi-writer slice.

Two MariaDB primaries replicating from each other (scripts/cluster.sh link, both ways; each
has its own GTID domain, so the pair is consistent as long as no row is written on both, which
is exactly what table pinning guarantees) form one slice with "writers": [A, B]. Through a
private Tessera:
  - every table is written through one writer only (rows record @@server_id of the server that
    executed the INSERT) and the tables are spread over both writers;
  - writer A is killed under a write load: its tables' writes resume on B within 1 s, the
    other tables are not interrupted; writes in flight at the kill may report an unknown
    outcome, nothing else;
  - a deadlock forced between two sessions: the autocommit statement chosen as the victim is
    retried by Tessera and succeeds (the client sees no error).
Prints the resume time per table, the detection time and the retries.
"""

import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from failoverlib import (Loop, PrivateSetup, check, log, namespace_json, now, run,  # noqa: E402
                         slice_json)

TABLES = [f"mw_{i}" for i in range(8)]


def namespace(port):
    return namespace_json([slice_json("pair", writers=[f"127.0.0.1:{port(0)}",
                                                       f"127.0.0.1:{port(1)}"])])


def server_ids(s):
    return {i: int(s.sql(i, 0, "SELECT @@server_id")[0][0]) for i in (0, 1)}


def pinning(s, ids):
    """table -> set of server ids that executed its inserts (read on writer B)."""
    out = {}
    for t in TABLES:
        rows = s.sql(1, 0, f"SELECT DISTINCT sid FROM demo.{t}")
        out[t] = {int(r[0]) for r in rows}
    return out


def deadlock_retry(s):
    import pymysql

    conn = s.connect()
    with conn.cursor() as c:
        c.execute("DROP TABLE IF EXISTS demo.mw_dead")
        c.execute("CREATE TABLE demo.mw_dead (id INT PRIMARY KEY, v INT) ENGINE=InnoDB")
        c.execute("INSERT INTO demo.mw_dead VALUES " + ",".join(f"({i},0)" for i in range(1, 201)))
    retries0 = s.count_log("deadlock on")
    heavy = s.connect(autocommit=False)
    victim_result = {}

    def victim():
        v = s.connect()
        try:
            with v.cursor() as c:
                # locks id 2, then waits for id 1 (held by the heavy transaction)
                n = c.execute("UPDATE demo.mw_dead SET v = v + 1 WHERE id IN (1, 2) "
                              "ORDER BY id DESC")
            victim_result["rows"] = n
        except pymysql.MySQLError as e:
            victim_result["error"] = str(e)
        v.close()

    with heavy.cursor() as c:
        # many row locks make this transaction the heavier one: InnoDB rolls back the other
        c.execute("UPDATE demo.mw_dead SET v = v + 1 WHERE id >= 10")
        c.execute("UPDATE demo.mw_dead SET v = v + 1 WHERE id = 1")
        t = threading.Thread(target=victim)
        t.start()
        time.sleep(0.5)
        c.execute("UPDATE demo.mw_dead SET v = v + 1 WHERE id = 2")  # closes the cycle
    time.sleep(0.3)
    heavy.commit()
    t.join(30)
    heavy.close()
    retries = s.count_log("deadlock on") - retries0
    log(f"  deadlock: victim result {victim_result}; Tessera deadlock retries: {retries}")
    check(victim_result.get("rows") == 2 and "error" not in victim_result,
          "the autocommit statement chosen as deadlock victim succeeded after Tessera's retry")
    check(retries >= 1, f"Tessera retried it ({retries} retries)")
    with conn.cursor() as c:
        c.execute("SELECT v FROM demo.mw_dead WHERE id IN (1, 2) ORDER BY id")
        check([r[0] for r in c.fetchall()] == [2, 2], "both sessions' updates are in")
    conn.close()


def main():
    with PrivateSetup("multiwriter", 2, 0, namespace) as s:
        s.cluster("link", "--slice", "0", "--from", "1")
        s.cluster("link", "--slice", "1", "--from", "0")
        s.start_tessera()
        ids = server_ids(s)
        conn = s.connect()
        with conn.cursor() as c:
            for t in TABLES:
                c.execute(f"DROP TABLE IF EXISTS demo.{t}")
                c.execute(f"CREATE TABLE demo.{t} (id INT PRIMARY KEY, sid INT, at DOUBLE)")
        time.sleep(0.5)  # both writers have every table (replication both ways)

        deadlock_retry(s)

        loops = []
        for t in TABLES:
            def step(conn, n, t=t):
                with conn.cursor() as c:
                    c.execute(f"INSERT INTO demo.{t} VALUES (%s, @@server_id, %s)", (n, now()))
            loops.append(Loop(s, t, step, 0.05))
        for lp in loops:
            lp.start()
        time.sleep(1.5)
        time.sleep(0.3)  # replication both ways settles
        before = pinning(s, ids)
        log(f"  pinning before the kill (table -> writer server_id): {before}")
        check(all(len(v) == 1 for v in before.values()),
              "each table is written through exactly one writer")
        owners = {next(iter(v)) for v in before.values()}
        check(owners == set(ids.values()), "the tables are spread over both writers")
        a_tables = [t for t in TABLES if before[t] == {ids[0]}]

        killed_at = now()
        s.cluster("kill-server", "--server", "0:0")
        # The kill takes effect some time inside that command (a loaded machine: tens of ms);
        # rows stamped after it returns can only have been written by B.
        kill_returned = now()
        detected = s.wait_topology(conn, lambda rows: any(
            r["instance"].endswith(f":{s.port(0)}") and r["status"] == "down" for r in rows))
        time.sleep(2.0)
        for lp in loops:
            lp.stop()

        resumes = {}
        for lp in loops:
            after = [r for r in lp.ok() if r[0] >= killed_at]
            resumes[lp.name] = (after[0][1] - killed_at) if after else None
        gap_other = max(
            (b[1] - a[1]) for lp in loops if lp.name not in a_tables
            for a, b in zip(lp.ok(), lp.ok()[1:]) if b[1] >= killed_at and a[1] <= killed_at + 2)
        errors = [e for lp in loops for e in lp.errors()]
        log(f"  writer A killed: detection {(detected - killed_at) * 1000:.0f} ms; "
            f"resume per table of A (ms): "
            f"{ {t: round(resumes[t] * 1000) for t in a_tables if resumes[t] is not None} }; "
            f"largest gap on B's tables {gap_other * 1000:.0f} ms; {len(errors)} client errors; "
            f"Tessera failover log lines: {s.count_log('failover: ')}")
        for e in errors:
            log(f"    client error at +{e[0] - killed_at:.3f}s on {e}")
        check(all(resumes[t] is not None and resumes[t] <= 1.0 for t in a_tables),
              "writes of the killed writer's tables resumed on the other within 1 s")
        check(all("outcome is unknown" in e[3] for e in errors),
              "the only client errors (if any) are writes in flight whose outcome is unknown")
        rows = s.sql(1, 0, "SELECT DISTINCT sid FROM demo." + a_tables[0] + " WHERE at > "
                     f"{kill_returned}")
        check({int(r[0]) for r in rows} == {ids[1]}, "after the kill they are written on B")
        # every acknowledged insert is on B
        lost = 0
        for lp in loops:
            present = {int(r[0]) for r in s.sql(1, 0, f"SELECT id FROM demo.{lp.name}")}
            lost += sum(1 for r in lp.ok() if r[2] not in present)
        log(f"  acknowledged inserts missing on B: {lost} (asynchronous replication A->B)")
        check(lost == 0, "no acknowledged insert is missing on the surviving writer")
        conn.close()


if __name__ == "__main__":
    run(main)
