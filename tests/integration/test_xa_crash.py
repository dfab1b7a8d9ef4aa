#!/usr/bin/env python3
"""XA crash recovery (issue 7): kill -9 Tessera at each step of a two-phase commit, and a
backend between PREPARE and COMMIT; after recovery every slice agrees and XA RECOVER lists
nothing of ours.

Private cluster (fixture tessera_xa) and the failpoint build of Tessera (tessera_failpoints):
TESSERA_FAILPOINT=after_prepare:N / after_decision:N / after_commit:N make the process SIGKILL
itself at that point; pause_after_decision:MS holds every commit between its durable decision
and its first XA COMMIT.
"""

import sys
import threading
import time
import traceback

import pymysql

import xalib as xl
from xalib import log

OUR = "tsr:xa-test-1:"  # gtrid prefix of this test's Tessera (proxy_instance_id xa-test-1)


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)


def ours_prepared():
    return {i: [x for x in xl.xa_recover(i) if x[1].startswith(OUR)] for i in range(xl.SLICES)}


def g_rows(gid, slices=range(xl.SLICES)):
    """Which slices (0-based) hold db_bank.g row gid."""
    return [i for i in slices
            if xl.backend_query(i, "SELECT id FROM db_bank.g WHERE id = %s", (gid,))]


def balance(acct):
    i = acct % xl.SLICES
    return xl.backend_query(i, f"SELECT balance FROM db_bank.account_{i:04d} WHERE id = %s",
                            (acct,))[0][0]


def transfer_rows(tid):
    return [i for i in range(xl.SLICES)
            if xl.backend_query(i, f"SELECT id FROM db_bank.transfer_{i:04d} WHERE id = %s",
                                (tid,))]


def expect_death(t, what, fn):
    """Runs fn (which should make Tessera kill itself) and waits for the process to end."""
    try:
        fn()
        raise AssertionError(f"{what}: the statement succeeded; the failpoint should have killed "
                             "Tessera first")
    except pymysql.err.MySQLError as e:
        log(f"  client saw: {e}")
    rc = t.wait_exit()
    check(rc == -9, f"{what}: Tessera should have died of SIGKILL, exit status {rc}")
    log(f"  tessera died (status {rc}); prepared branches now: {ours_prepared()}")


def global_insert(t, gid):
    c = t.connect()
    try:
        with c.cursor() as cur:
            cur.execute("INSERT INTO g (id, v) VALUES (%s, 'x')", (gid,))
    finally:
        c.close()


def transfer(t, tid, src, dst, amount):
    c = t.connect(autocommit=False)
    try:
        with c.cursor() as cur:
            cur.execute("BEGIN")
            cur.execute("UPDATE account SET balance = balance - %s WHERE id = %s", (amount, src))
            cur.execute("UPDATE account SET balance = balance + %s WHERE id = %s", (amount, dst))
            cur.execute("INSERT INTO transfer (id, src, dst, amount) VALUES (%s, %s, %s, %s)",
                        (tid, src, dst, amount))
            cur.execute("COMMIT")
    finally:
        c.close()


def scenario_after_prepare(t):
    """killed after the first XA PREPARE: nothing decided, recovery rolls every branch back"""
    t.start(failpoint="after_prepare:1")
    expect_death(t, "after_prepare", lambda: global_insert(t, 1))
    check(any(ours_prepared().values()), "after_prepare: no branch was left prepared "
          "(the failpoint fired before any PREPARE?)")
    t.start()
    check(not any(ours_prepared().values()),
          f"after restart: still prepared {ours_prepared()}")
    check(g_rows(1) == [], f"after_prepare: g id=1 should be rolled back everywhere, on {g_rows(1)}")


def scenario_after_decision(t):
    """killed once the decision is durable, before any XA COMMIT: recovery commits all"""
    t.start(failpoint="after_decision:1")
    expect_death(t, "after_decision", lambda: global_insert(t, 2))
    prepared = ours_prepared()
    check(all(len(prepared[i]) == 1 for i in range(xl.SLICES)),
          f"after_decision: every slice should hold one prepared branch: {prepared}")
    t.start()
    check(not any(ours_prepared().values()), f"after restart: still prepared {ours_prepared()}")
    check(g_rows(2) == [0, 1, 2], f"after_decision: g id=2 should be committed everywhere, "
                                  f"on {g_rows(2)}")


def scenario_after_commit(t):
    """killed after the first XA COMMIT of an explicit 3-slice transaction: recovery commits the
    rest"""
    before = (balance(3), balance(4))
    t.start(failpoint="after_commit:1")
    expect_death(t, "after_commit", lambda: transfer(t, 5, 3, 4, 7))
    committed = transfer_rows(5)
    prepared = ours_prepared()
    log(f"  transfer row on {committed}, balances {balance(3)}, {balance(4)}, prepared {prepared}")
    check(sum(len(v) for v in prepared.values()) >= 1,
          "after_commit: some branch should still be prepared")
    t.start()
    check(not any(ours_prepared().values()), f"after restart: still prepared {ours_prepared()}")
    check(transfer_rows(5) == [5 % 3], f"after_commit: transfer 5 on {transfer_rows(5)}")
    check((balance(3), balance(4)) == (before[0] - 7, before[1] + 7),
          f"after_commit: balances {before} -> {(balance(3), balance(4))}, expected a move of 7")


def scenario_backend_killed(t):
    """a backend killed between PREPARE and COMMIT: the client hears success, the other slices
    commit, and once the backend is back recovery commits its branch"""
    t.start(failpoint="pause_after_decision:4000")
    result = {}

    def run():
        try:
            global_insert(t, 3)
            result["ok"] = True
        except Exception as e:  # noqa: BLE001 - reported below
            result["error"] = e

    th = threading.Thread(target=run)
    th.start()
    deadline = time.time() + 20
    while time.time() < deadline and not all(ours_prepared().values()):
        time.sleep(0.05)
    check(all(ours_prepared().values()), f"branches never all prepared: {ours_prepared()}")
    xl.kill_backend(2)
    th.join(30)
    check(result.get("ok"), f"the client should hear success after the decision: {result}")
    check(g_rows(3, [0, 1]) == [0, 1], f"slices 1 and 2 should have committed g id=3: "
          f"{g_rows(3, [0, 1])}")
    check(t.alive(), "Tessera died")
    xl.start_backends()
    xl.settle_prepared(OUR, timeout=30)
    check(g_rows(3) == [0, 1, 2], f"after recovery g id=3 should be on every slice: {g_rows(3)}")
    t.stop()


def scenario_other_instance(t):
    """a prepared branch of another Tessera instance (another owner tag) is never touched"""
    foreign = "tsr:other-proxy:1:1"
    c = xl.backend(0, "db_bank")
    xid = f"X'{foreign.encode().hex()}',X'{b'slice-1'.hex()}',{0x545358}"
    with c.cursor() as cur:
        cur.execute(f"XA START {xid}")
        cur.execute("INSERT INTO g VALUES (99, 'foreign')")
        cur.execute(f"XA END {xid}")
        cur.execute(f"XA PREPARE {xid}")
    c.close()
    t.start()
    time.sleep(1.5)  # start-up pass plus a few periodic ones (every 500 ms)
    still = [x for x in xl.xa_recover(0) if x[1] == foreign]
    check(still, "another instance's prepared branch was finished by this instance")
    xl.backend_query(0, f"XA ROLLBACK {xid}")
    t.stop()


def main():
    log(f"private cluster {xl.CLUSTER_DIR} (base port {xl.BASE_PORT}), tessera port {xl.PROXY_PORT}")
    xl.start_backends()
    for i in range(xl.SLICES):  # leftovers of an earlier, interrupted run
        for x in xl.xa_recover(i):
            xl.backend_query(i, f"XA ROLLBACK X'{x[1].encode().hex()}',X'{x[2].encode().hex()}',"
                                f"{x[0]}")
    xl.setup_bank_schema(accounts=9, balance=100)
    t = xl.Tessera("crash", k=0, failpoints=True)
    failures = 0
    scenarios = [scenario_after_prepare, scenario_after_decision, scenario_after_commit,
                 scenario_backend_killed, scenario_other_instance]
    for s in scenarios:
        log(f"== {s.__name__}: {s.__doc__.splitlines()[0]}")
        try:
            s(t)
            log("   ok")
        except Exception:  # noqa: BLE001 - keep going, report all
            failures += 1
            traceback.print_exc()
            log(f"   tessera log tail:\n{t.tail()}")
        finally:
            t.stop()
            xl.start_backends()
    if failures:
        log(f"{failures} of {len(scenarios)} scenarios FAILED")
        sys.exit(1)
    log("all scenarios passed")


if __name__ == "__main__":
    main()
