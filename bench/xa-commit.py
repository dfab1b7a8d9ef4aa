#!/usr/bin/env python3
"""Benchmark (not a test): what XA costs. Latency and throughput of transactions that write to
one, two and three slices through Tessera, in an `xa` namespace and in a `best_effort` one
(plain BEGIN/COMMIT per slice), plus the same single-slice transaction straight to MariaDB.

  bench/xa-commit.py                          # build/src/app/tessera, 10 s per case
  SECONDS_PER_CASE=5 CLIENTS="1 8" bench/xa-commit.py

Starts its own 3-slice cluster without replicas (scripts/cluster.sh, primaries on BASE_PORT,
+10, +20; default 29406) and one Tessera on PORT (default 19406) with two namespaces over the
same servers: user `xa` (transaction_mode xa) and user `be` (best_effort). Each transaction is
  BEGIN; UPDATE account SET balance = balance + 1 WHERE id = <a> (one per slice); COMMIT
with accounts chosen on 1, 2 or 3 distinct slices; every client works on its own accounts (no
lock waits). Also an autocommit global-table INSERT (all three slices, one statement). Prints,
per case and client count: transactions/s, mean / p50 / p99 latency in ms, and the backend
statements per transaction (Questions counted on the three servers, so XA END; XA PREPARE sent
as one multi-statement query counts 2 statements but is one round trip).
Env: TESSERA_BIN, BASE_PORT, PORT, CLIENTS ("1 8"), SECONDS_PER_CASE (10), OUT_DIR
(./.demo/xa-commit), KEEP_RUNNING=1 leaves cluster and Tessera up.
"""

import itertools
import json
import os
import statistics
import subprocess
import sys
import threading
import time

import pymysql

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
TESSERA = os.environ.get("TESSERA_BIN", os.path.join(ROOT, "build", "src", "app", "tessera"))
BASE_PORT = int(os.environ.get("BASE_PORT", "29406"))
PORT = int(os.environ.get("PORT", "19406"))
CLIENTS = [int(x) for x in os.environ.get("CLIENTS", "1 8").split()]
SECONDS = float(os.environ.get("SECONDS_PER_CASE", "10"))
OUT = os.environ.get("OUT_DIR", os.path.join(ROOT, ".demo", "xa-commit"))
CLUSTER = os.path.join(OUT, "cluster")
SLICES = 3
ACCOUNTS_PER_CLIENT = 3  # one per slice
CASE_IDS = itertools.count(1)


def backend(i, db=None):
    return pymysql.connect(host="127.0.0.1", port=BASE_PORT + 10 * i, user="tessera",
                           password="tessera", database=db, autocommit=True)


def bq(i, sql):
    c = backend(i)
    with c.cursor() as cur:
        cur.execute(sql)
        rows = cur.fetchall()
    c.close()
    return rows


def questions():
    return sum(int(bq(i, "SHOW GLOBAL STATUS LIKE 'Questions'")[0][1]) for i in range(SLICES))


def namespace(name, user, mode):
    slices = [{"name": f"slice-{i + 1}", "user_name": "tessera", "password": "tessera",
               "master": f"127.0.0.1:{BASE_PORT + 10 * i}", "slaves": [], "statistic_slaves": [],
               "capacity": 32, "max_capacity": 64, "idle_timeout": 60} for i in range(SLICES)]
    names = [s["name"] for s in slices]
    return {"name": name, "online": True, "read_only": False, "allowed_dbs": {"db_bench": True},
            "default_slice": "slice-1", "slices": slices, "transaction_mode": mode,
            "shard_rules": [
                {"db": "db_bench", "table": "account", "type": "hash", "key": "id",
                 "locations": [1, 1, 1], "slices": names},
                {"db": "db_bench", "table": "g", "type": "global", "locations": [1, 1, 1],
                 "slices": names}],
            "users": [{"user_name": user, "password": user + "_pw", "namespace": name,
                       "rw_flag": 2, "rw_split": 0, "other_property": 0}]}


def start():
    subprocess.run([os.path.join(ROOT, "scripts", "cluster.sh"), "start", "--dir", CLUSTER,
                    "--slices", str(SLICES), "--replicas", "0", "--base-port", str(BASE_PORT)],
                   check=True, stdout=subprocess.DEVNULL)
    max_clients = max(CLIENTS)
    for i in range(SLICES):
        bq(i, "DROP DATABASE IF EXISTS db_bench")
        bq(i, "CREATE DATABASE db_bench")
        bq(i, f"CREATE TABLE db_bench.account_{i:04d} (id INT PRIMARY KEY, balance BIGINT) "
              "ENGINE=InnoDB")
        bq(i, "CREATE TABLE db_bench.g (id BIGINT PRIMARY KEY) ENGINE=InnoDB")
        ids = [a for a in range(max_clients * ACCOUNTS_PER_CLIENT) if a % SLICES == i]
        bq(i, f"INSERT INTO db_bench.account_{i:04d} VALUES " +
           ",".join(f"({a}, 0)" for a in ids))
    conf = os.path.join(OUT, "tessera")
    os.makedirs(os.path.join(conf, "namespaces"), exist_ok=True)
    for name, user, mode in (("bxa", "xa", "xa"), ("bbe", "be", "best_effort")):
        with open(os.path.join(conf, "namespaces", name + ".json"), "w") as f:
            json.dump(namespace(name, user, mode), f)
    with open(os.path.join(conf, "tessera.toml"), "w") as f:
        f.write(f'[proxy]\nlisten = "127.0.0.1:{PORT}"\nworker_threads = 2\n'
                f'namespaces_dir = "namespaces"\nproxy_instance_id = "bench"\n'
                f'[admin]\nlisten = ""\n[log]\nlevel = "warn"\nfile = "tessera.log"\n')
    proc = subprocess.Popen([TESSERA, "--config", os.path.join(conf, "tessera.toml")],
                            stdin=subprocess.DEVNULL, start_new_session=True)
    for _ in range(300):
        try:
            pymysql.connect(host="127.0.0.1", port=PORT, user="xa", password="xa_pw").close()
            return proc
        except pymysql.err.MySQLError:
            time.sleep(0.1)
    proc.kill()
    sys.exit("tessera did not start")


def connect(target):
    if target == "direct":
        return backend(0, "db_bench")
    return pymysql.connect(host="127.0.0.1", port=PORT, user=target, password=target + "_pw",
                           database="db_bench", autocommit=True)


def run_case(target, kind, nslices, clients):
    stop = threading.Event()
    lat = [[] for _ in range(clients)]
    errors = [0] * clients

    def worker(n):
        c = connect(target)
        cur = c.cursor()
        accounts = [n * ACCOUNTS_PER_CLIENT + k for k in range(ACCOUNTS_PER_CLIENT)]
        by_slice = sorted(accounts, key=lambda a: a % SLICES)[:nslices]
        if target == "direct":  # slice-1's physical table
            by_slice = [a for a in accounts if a % SLICES == 0]
        # global-table ids unique over every case and client (a reused id is a duplicate key)
        seq = (next(CASE_IDS) * 1000 + n) * 1_000_000
        while not stop.is_set():
            t0 = time.perf_counter()
            try:
                if kind == "txn":
                    cur.execute("BEGIN")
                    for a in by_slice:
                        table = "account_0000" if target == "direct" else "account"
                        cur.execute(f"UPDATE {table} SET balance = balance + 1 WHERE id = {a}")
                    cur.execute("COMMIT")
                else:
                    seq += 1
                    cur.execute(f"INSERT INTO g VALUES ({seq})")
            except pymysql.err.MySQLError:
                errors[n] += 1
                continue
            lat[n].append(time.perf_counter() - t0)
        c.close()

    q0 = questions()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    time.sleep(SECONDS)
    stop.set()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    q1 = questions()
    all_lat = sorted(x for l in lat for x in l)
    n = len(all_lat)
    if n == 0:
        return None
    return {"tps": n / elapsed, "mean": statistics.mean(all_lat) * 1000,
            "p50": all_lat[n // 2] * 1000, "p99": all_lat[min(n - 1, int(n * 0.99))] * 1000,
            "stmts": (q1 - q0 - 3) / n, "errors": sum(errors)}


def main():
    proc = start()
    try:
        print(f"{'case':<34} {'clients':>7} {'txn/s':>9} {'mean ms':>8} {'p50 ms':>8} "
              f"{'p99 ms':>8} {'stmts/txn':>9} {'errors':>6}")
        cases = [("direct", "txn", 1, "direct MariaDB, 1 slice")]
        for target, label in (("xa", "xa"), ("be", "best_effort")):
            for k in (1, 2, 3):
                cases.append((target, "txn", k, f"{label}, {k}-slice txn"))
            cases.append((target, "global", 3, f"{label}, global INSERT (3 slices)"))
        for target, kind, k, label in cases:
            for clients in CLIENTS:
                r = run_case(target, kind, k, clients)
                if r is None:
                    print(f"{label:<34} {clients:>7} (no transaction completed)")
                    continue
                print(f"{label:<34} {clients:>7} {r['tps']:>9.0f} {r['mean']:>8.2f} "
                      f"{r['p50']:>8.2f} {r['p99']:>8.2f} {r['stmts']:>9.1f} {r['errors']:>6}",
                      flush=True)
    finally:
        if os.environ.get("KEEP_RUNNING") != "1":
            proc.terminate()
            proc.wait(10)
            subprocess.run([os.path.join(ROOT, "scripts", "cluster.sh"), "stop", "--dir", CLUSTER],
                           stdout=subprocess.DEVNULL)


if __name__ == "__main__":
    main()
