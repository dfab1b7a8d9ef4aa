#!/usr/bin/env python3
"""Atomic multi-slice writes through Tessera (issue 7), on the shared fixture as user `shard`
(namespace `shard`, transaction_mode xa by default; seed 000's db_ks rules).

1. Seed 000's inconsistency reversed: with id=4 already in tbl_global on slice-1 only (inserted
   there directly), `INSERT INTO tbl_global (id) VALUES (4)` through Tessera fails with the
   duplicate-key error (1062, naming the slice) and slices 2 and 3 get no id=4. The same with
   the duplicate on the last slice (slice-3), where a slice-by-slice write would already have
   written slices 1 and 2.
2. A multi-row INSERT split over shards with one duplicate key writes none of its rows.
3. An explicit transaction over three slices: invisible to other sessions until COMMIT, then on
   every slice; ROLLBACK leaves nothing; a duplicate key inside it, then COMMIT, commits the rest.
4. A deadlock on one slice rolls the victim's whole transaction back on every slice.
5. A scatter UPDATE that fails on one slice changes nothing anywhere.
6. XA RECOVER lists nothing afterwards on any slice.
"""

import sys
import threading
import time
import traceback

import pymysql

import itlib
import shardlib as sl

failures = []


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)


def step(fn):
    itlib.log(f"== {fn.__doc__.strip().splitlines()[0]}")
    try:
        fn()
        itlib.log("   ok")
    except Exception:  # noqa: BLE001 - keep going, report all
        traceback.print_exc()
        failures.append(fn.__name__)


def global_ids(slice_index):
    return sorted(r[0] for r in sl.backend_query(slice_index, "SELECT id FROM db_ks.tbl_global"))


def ks_ids(slice_index):
    return sorted(r[0] for r in sl.backend_query(
        slice_index, f"SELECT id FROM db_ks.tbl_ks_{slice_index:04d}"))


def expect_error(conn, sql, code, *mentions):
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
    except pymysql.err.MySQLError as e:
        itlib.log(f"    refused: {e.args}")
        check(e.args[0] == code, f"{sql}: expected error {code}, got {e.args}")
        for m in mentions:
            check(m in e.args[1], f"{sql}: the error should mention {m!r}: {e.args[1]}")
        return
    raise AssertionError(f"{sql}: accepted, expected error {code}")


def setup():
    """schema: db_ks with tbl_ks (hash on id over 3 slices) and tbl_global, made through Tessera"""
    sl.drop_database_everywhere("db_ks")
    c = sl.tessera()
    with c.cursor() as cur:
        cur.execute("CREATE DATABASE db_ks")
        cur.execute("USE db_ks")
        cur.execute("CREATE TABLE tbl_ks (id INT UNSIGNED NOT NULL PRIMARY KEY, "
                    "col1 VARCHAR(100) NOT NULL, v INT NOT NULL DEFAULT 0, "
                    "CHECK (v < 1000)) ENGINE=InnoDB")
        cur.execute("CREATE TABLE tbl_global (id INT UNSIGNED AUTO_INCREMENT PRIMARY KEY) "
                    "ENGINE=InnoDB")
        cur.execute("INSERT INTO tbl_global (id) VALUES (1), (2), (3)")
    c.close()
    for i in range(3):
        check(global_ids(i) == [1, 2, 3], f"slice-{i + 1} tbl_global: {global_ids(i)}")


def seed_000_reversed():
    """seed 000 reversed: id=4 on slice-1 only, then INSERT id=4 through Tessera"""
    sl.backend_query(0, "INSERT INTO db_ks.tbl_global VALUES (4)")
    c = sl.tessera("db_ks")
    expect_error(c, "INSERT INTO tbl_global (id) VALUES (4)", 1062, "Duplicate entry", "slice-1")
    c.close()
    check(global_ids(1) == [1, 2, 3], f"slice-2 got id=4: {global_ids(1)}")
    check(global_ids(2) == [1, 2, 3], f"slice-3 got id=4: {global_ids(2)}")
    sl.backend_query(0, "DELETE FROM db_ks.tbl_global WHERE id = 4")


def duplicate_on_last_slice():
    """the duplicate on slice-3: slices 1 and 2 stay untouched too"""
    sl.backend_query(2, "INSERT INTO db_ks.tbl_global VALUES (5)")
    c = sl.tessera("db_ks")
    expect_error(c, "INSERT INTO tbl_global (id) VALUES (5)", 1062, "slice-3")
    c.close()
    check(global_ids(0) == [1, 2, 3], f"slice-1 got id=5: {global_ids(0)}")
    check(global_ids(1) == [1, 2, 3], f"slice-2 got id=5: {global_ids(1)}")
    sl.backend_query(2, "DELETE FROM db_ks.tbl_global WHERE id = 5")
    c = sl.tessera("db_ks")
    with c.cursor() as cur:
        n = cur.execute("INSERT INTO tbl_global (id) VALUES (6)")
    c.close()
    check(n == 3, f"a global insert reports one row per slice (3), got {n}")
    check(all(6 in global_ids(i) for i in range(3)), "id=6 should be on every slice")


def split_insert():
    """a multi-row INSERT over three shards with a duplicate on one writes none of its rows"""
    c = sl.tessera("db_ks")
    with c.cursor() as cur:
        cur.execute("INSERT INTO tbl_ks (id, col1) VALUES (10, 'a')")  # on slice (10 % 3) = 1
    expect_error(c, "INSERT INTO tbl_ks (id, col1) VALUES (9, 'x'), (10, 'dup'), (11, 'y')", 1062,
                 "slice-2")
    c.close()
    check(ks_ids(0) == [], f"slice-1 got rows: {ks_ids(0)}")
    check(ks_ids(1) == [10], f"slice-2: {ks_ids(1)}")
    check(ks_ids(2) == [], f"slice-3 got rows: {ks_ids(2)}")


def explicit_transaction():
    """an explicit transaction over three slices: all or nothing, invisible until COMMIT"""
    a = sl.tessera("db_ks", autocommit=False)
    b = sl.tessera("db_ks")
    with a.cursor() as cur:
        cur.execute("BEGIN")
        cur.execute("INSERT INTO tbl_ks (id, col1) VALUES (21, 'x')")  # slice-1
        cur.execute("INSERT INTO tbl_ks (id, col1) VALUES (22, 'x')")  # slice-2
        cur.execute("INSERT INTO tbl_ks (id, col1) VALUES (23, 'x')")  # slice-3
        cur.execute("SELECT COUNT(*) FROM tbl_ks WHERE id IN (21, 22, 23)")
        check(cur.fetchone()[0] == 3, "the transaction should see its own rows")
    with b.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM tbl_ks WHERE id IN (21, 22, 23)")
        check(cur.fetchone()[0] == 0, "another session saw uncommitted rows")
    with a.cursor() as cur:
        cur.execute("COMMIT")
    check(21 in ks_ids(0) and 22 in ks_ids(1) and 23 in ks_ids(2), "COMMIT: rows missing")

    with a.cursor() as cur:
        cur.execute("BEGIN")
        cur.execute("UPDATE tbl_ks SET v = 1 WHERE id IN (21, 22, 23)")
        cur.execute("ROLLBACK")
    for i in range(3):
        vs = sl.backend_query(i, f"SELECT v FROM db_ks.tbl_ks_{i:04d} WHERE id >= 21")
        check(all(v[0] == 0 for v in vs), f"ROLLBACK left changes on slice-{i + 1}: {vs}")

    # A failed statement inside the transaction is undone alone (as on one server).
    with a.cursor() as cur:
        cur.execute("BEGIN")
        cur.execute("INSERT INTO tbl_ks (id, col1) VALUES (24, 'x')")  # slice-1
    expect_error(a, "INSERT INTO tbl_ks (id, col1) VALUES (22, 'dup')", 1062, "slice-2")
    with a.cursor() as cur:
        cur.execute("INSERT INTO tbl_ks (id, col1) VALUES (26, 'x')")  # slice-3
        cur.execute("COMMIT")
    check(24 in ks_ids(0) and 26 in ks_ids(2), "rows of the committed transaction missing")
    a.close()
    b.close()


def deadlock():
    """a deadlock on one slice rolls the victim's transaction back on every slice"""
    a = sl.tessera("db_ks", autocommit=False)
    b = sl.tessera("db_ks", autocommit=False)
    with a.cursor() as cur:
        cur.execute("BEGIN")
        cur.execute("UPDATE tbl_ks SET v = 1 WHERE id = 22")  # slice-2
        cur.execute("UPDATE tbl_ks SET v = 1 WHERE id = 21")  # slice-1, locks 21
    with b.cursor() as cur:
        cur.execute("BEGIN")
        cur.execute("UPDATE tbl_ks SET v = 2 WHERE id = 26")  # slice-3
        cur.execute("UPDATE tbl_ks SET v = 2 WHERE id = 24")  # slice-1, locks 24
    outcome = {}

    def run(name, conn, sql):
        try:
            with conn.cursor() as cur:
                cur.execute(sql)
            outcome[name] = "ok"
        except pymysql.err.MySQLError as e:
            outcome[name] = e.args

    t = threading.Thread(target=run, args=("a", a, "UPDATE tbl_ks SET v = 1 WHERE id = 24"))
    t.start()
    time.sleep(0.5)  # a waits for b's lock on 24; b now asks for a's lock on 21
    run("b", b, "UPDATE tbl_ks SET v = 2 WHERE id = 21")
    t.join(60)
    itlib.log(f"    outcome: {outcome}")
    victims = [n for n in ("a", "b") if outcome.get(n) != "ok"]
    check(len(victims) == 1, f"expected one deadlock victim: {outcome}")
    victim = victims[0]
    winner = "b" if victim == "a" else "a"
    code, message = outcome[victim]
    check(code == 1213, f"victim's error: {outcome[victim]}")
    check("slice-1" in message and "rolled back on every slice" in message, message)
    conns = {"a": a, "b": b}
    with conns[winner].cursor() as cur:
        cur.execute("COMMIT")
    values = {r[0]: r[1] for i in range(3)
              for r in sl.backend_query(i, f"SELECT id, v FROM db_ks.tbl_ks_{i:04d}")}
    mark = {"a": 1, "b": 2}
    other_slice_row = {"a": 22, "b": 26}
    check(values[other_slice_row[victim]] == 0,
          f"the victim's write on another slice survived: {values}")
    check(values[other_slice_row[winner]] == mark[winner] and values[21] == mark[winner] and
          values[24] == mark[winner], f"the winner's writes are missing: {values}")
    # The victim's session goes on: a new transaction works.
    with conns[victim].cursor() as cur:
        cur.execute("BEGIN")
        cur.execute("SELECT COUNT(*) FROM tbl_ks")
        cur.execute("COMMIT")
    a.close()
    b.close()
    for i in range(3):
        sl.backend_query(i, f"UPDATE db_ks.tbl_ks_{i:04d} SET v = 0")


def scatter_update():
    """a scatter UPDATE refused by one slice (CHECK v < 1000 on one row) changes nothing"""
    sl.backend_query(2, "UPDATE db_ks.tbl_ks_0002 SET v = 998 WHERE id = 23")
    c = sl.tessera("db_ks")
    expect_error(c, "UPDATE tbl_ks SET v = v + 2 WHERE id >= 21", 4025, "slice-3")
    c.close()
    for i in range(3):
        vs = sorted(v[0] for v in sl.backend_query(i, f"SELECT v FROM db_ks.tbl_ks_{i:04d}"))
        check(all(v in (0, 998) for v in vs), f"slice-{i + 1} was updated: {vs}")


def nothing_prepared():
    """XA RECOVER lists nothing on any slice"""
    for i in range(3):
        rows = sl.backend_query(i, "XA RECOVER")
        check(rows == (), f"slice-{i + 1} XA RECOVER: {rows}")


def main():
    sl.require_proxy("test_xa_atomic")
    for fn in (setup, seed_000_reversed, duplicate_on_last_slice, split_insert,
               explicit_transaction, deadlock, scatter_update, nothing_prepared):
        step(fn)
    sl.drop_database_everywhere("db_ks")
    if failures:
        itlib.log(f"FAILED: {failures}")
        sys.exit(1)
    itlib.log("all steps passed")


if __name__ == "__main__":
    main()
