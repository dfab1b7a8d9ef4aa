"""Issue 6, seed 000's failover script as a test: writes keep flowing through Tessera while a
replica is promoted, with no restart and no configuration change.

One client updates a row every 100 ms, another inserts sequential ids every 50 ms, both through
a private Tessera in front of a private 1-primary + 2-replica cluster. The test promotes
replica 1 (scripts/cluster.sh promote: the old primary made read-only, or killed; STOP SLAVE /
RESET SLAVE ALL / read_only=0 on the new one; replica 2 and the old primary repointed), and
prints the write-unavailability window, the resume delay, the detection time (promotion done ->
SHOW TESSERA TOPOLOGY names the new primary) and Tessera's retries/holds. Checks:
  - writes resume <= 1.0 s after the promotion completes;
  - with the hold (failover_hold_ms) longer than the promotion, 0 client-visible errors for
    autocommit writes (read-only promotion);
  - every acknowledged write is on the new primary afterwards;
  - a transaction open across the promotion gets a clear error, not a silent loss;
  - with no writable primary for longer than the hold, a write fails with a clear error.
Then the same with the old primary killed (SIGKILL) instead of made read-only.
"""

import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from failoverlib import (ADMIN_PORT, Loop, PrivateSetup, check, log,  # noqa: E402
                         namespace_json, now, run, slice_json, window)
from opslib import metric, scrape  # noqa: E402

HOLD_MS = 3000


def namespace(port):
    return namespace_json([slice_json("slice-0", master=f"127.0.0.1:{port(0, 0)}",
                                      slaves=[f"127.0.0.1:{port(0, 1)}",
                                              f"127.0.0.1:{port(0, 2)}"])])


def primary_is(port):
    key = f"127.0.0.1:{port}"
    return lambda rows: any(r["instance"] == key and r["role"] == "primary" for r in rows)


def scenario(s, old_mode, new_index, current=0):
    """Runs the two writers across one promotion; returns the figures."""
    admin = s.connect()
    with admin.cursor() as c:
        c.execute("CREATE TABLE IF NOT EXISTS demo.fo_counter (id INT PRIMARY KEY, n INT)")
        c.execute("REPLACE INTO demo.fo_counter VALUES (1, 0)")
        c.execute("DROP TABLE IF EXISTS demo.fo_seq")
        c.execute("CREATE TABLE demo.fo_seq (id INT PRIMARY KEY, at DOUBLE)")
    s.wait_topology(admin, primary_is(s.port(0, current)))

    acked_updates = []

    def update(conn, n):
        with conn.cursor() as c:
            c.execute("UPDATE demo.fo_counter SET n = %s WHERE id = 1", (n,))
        acked_updates.append(n)

    def insert(conn, n):
        with conn.cursor() as c:
            c.execute("INSERT INTO demo.fo_seq VALUES (%s, %s)", (n, now()))

    updater = Loop(s, "updater", update, 0.100)
    inserter = Loop(s, "inserter", insert, 0.050)
    retries0 = s.count_log("failover: ")
    updater.start()
    inserter.start()
    time.sleep(1.5)

    detected = {}

    def watch():
        conn = s.connect()
        detected["at"] = s.wait_topology(conn, primary_is(s.port(0, new_index)), timeout=20)
        conn.close()

    started, completed = s.promote(0, new_index, old_mode)
    watcher = threading.Thread(target=watch)
    watcher.start()
    time.sleep(2.0)
    updater.stop()
    inserter.stop()
    watcher.join(30)

    win, resume = window([updater, inserter], started, completed)
    errors = updater.errors() + inserter.errors()
    detection = detected["at"] - completed
    retries = s.count_log("failover: ") - retries0
    log(f"  [{old_mode}] promotion took {completed - started:.3f} s; detection "
        f"{detection * 1000:.0f} ms after it completed; write-unavailability window "
        f"{win * 1000:.0f} ms; writes resumed {resume * 1000:.0f} ms after completion; "
        f"{len(updater.ok())} updates + {len(inserter.ok())} inserts acknowledged, "
        f"{len(errors)} client errors; Tessera failover log lines (retries/holds): {retries}")
    for e in errors:
        log(f"    client error at +{e[0] - started:.3f}s: {e[3]}")

    # every acknowledged insert is on the new primary, and the last acknowledged update
    acked_ids = [r[2] for r in inserter.ok()]
    rows = s.sql(0, new_index, "SELECT id FROM demo.fo_seq")
    present = {int(r[0]) for r in rows}
    lost = [i for i in acked_ids if i not in present]
    final = int(s.sql(0, new_index, "SELECT n FROM demo.fo_counter WHERE id = 1")[0][0])
    check(not lost, f"[{old_mode}] all {len(acked_ids)} acknowledged inserts are on the new "
                    f"primary (lost: {lost[:10]})")
    check(final == acked_updates[-1],
          f"[{old_mode}] the counter holds the last acknowledged update ({final})")
    check(resume <= 1.0, f"[{old_mode}] writes resumed {resume * 1000:.0f} ms <= 1000 ms after "
                         f"the promotion completed")
    admin.close()
    return errors, win, resume, detection


def transaction_across_promotion(s, new_index):
    """A transaction open on the old primary cannot continue on the new one: clear error."""
    import pymysql

    conn = s.connect(autocommit=False)
    with conn.cursor() as c:
        c.execute("INSERT INTO demo.fo_seq VALUES (1000000, 0)")
    s.promote(0, new_index, "readonly")
    msg = ""
    try:
        with conn.cursor() as c:
            c.execute("INSERT INTO demo.fo_seq VALUES (1000001, 0)")
        conn.commit()
    except pymysql.MySQLError as e:
        msg = str(e)
    log(f"  transaction across the promotion: {msg}")
    check("transaction was rolled back" in msg or "outcome is unknown" in msg,
          "a transaction open across the promotion gets a clear error")
    conn.close()
    fresh = s.connect()
    with fresh.cursor() as c:
        c.execute("SELECT COUNT(*) FROM demo.fo_seq WHERE id >= 1000000")
        check(c.fetchone()[0] == 0, "nothing of that transaction was committed")
        c.execute("INSERT INTO demo.fo_seq VALUES (1000002, 0)")  # the session works again
    fresh.close()


def hold_runs_out(s, primary_index):
    """No writable primary for longer than the hold: a clear error after ~failover_hold_ms."""
    import pymysql

    s.sql(0, primary_index, "SET GLOBAL read_only=1")
    conn = s.connect()
    t0 = now()
    msg = ""
    try:
        with conn.cursor() as c:
            c.execute("INSERT INTO demo.fo_seq VALUES (2000000, 0)")
    except pymysql.MySQLError as e:
        msg = str(e)
    waited = now() - t0
    s.sql(0, primary_index, "SET GLOBAL read_only=0")
    log(f"  no primary: error after {waited:.2f} s: {msg}")
    check("has no writable primary" in msg and "was not executed" in msg,
          "the client hears that the slice has no writable primary")
    check(HOLD_MS / 1000 - 0.1 <= waited <= HOLD_MS / 1000 + 1.5,
          f"it came after the hold time ({waited:.2f} s for failover_hold_ms={HOLD_MS})")
    time.sleep(1.0)  # the monitor sees the primary writable again
    with conn.cursor() as c:
        c.execute("INSERT INTO demo.fo_seq VALUES (2000001, 0)")
    conn.close()


def main():
    with PrivateSetup("promote", 1, 2, namespace, hold_ms=HOLD_MS) as s:
        s.start_tessera()
        before = scrape(port=ADMIN_PORT)
        # 1. the old primary made read-only: replica 1 takes over
        errors, *_ = scenario(s, "readonly", 1)
        check(not errors, "0 client-visible errors for autocommit writes while the hold covers "
                          "the promotion")
        # 2. a transaction across a promotion (back to server 0, the old primary, now a replica)
        transaction_across_promotion(s, 0)
        # 3. the hold runs out
        hold_runs_out(s, 0)
        # 4. the primary killed: replica 2 takes over
        errors, *_ = scenario(s, "kill", 2)
        unknown = [e for e in errors if "outcome is unknown" not in e[3]]
        check(not unknown, "with the primary killed, the only client errors (if any) are writes "
                           "in flight whose outcome is unknown "
                           f"({len(errors)} such, {len(unknown)} others)")
        # 5. /metrics counted what happened (issue 17: these series were never exported)
        after = scrape(port=ADMIN_PORT)

        def moved(name, **labels):
            return metric(after, name, **labels) - metric(before, name, **labels)

        failovers = moved("tessera_failovers_total", namespace="fo", slice="slice-0")
        log(f"  /metrics moved: failovers {failovers:.0f}, retries "
            f"{moved('tessera_failover_retries_total'):.0f}, holds "
            f"{moved('tessera_failover_holds_total'):.0f}, hold timeouts "
            f"{moved('tessera_failover_hold_timeouts_total'):.0f}")
        check(failovers >= 3, f"tessera_failovers_total counted the 3 promotions ({failovers:.0f})")
        check(moved("tessera_failover_holds_total") >= 1, "tessera_failover_holds_total moved")
        check(moved("tessera_failover_hold_timeouts_total") >= 1,
              "tessera_failover_hold_timeouts_total counted the hold that ran out")
        check(metric(after, "tessera_backend_primary", namespace="fo", slice="slice-0",
                     instance=f"127.0.0.1:{s.port(0, 2)}") == 1,
              "tessera_backend_primary names the last promoted replica")


if __name__ == "__main__":
    run(main)
