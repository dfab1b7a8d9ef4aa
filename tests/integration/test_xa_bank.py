#!/usr/bin/env python3
"""The bank invariant under fire (issue 7).

8 clients move money between accounts on different slices for TESSERA_XA_BANK_SECONDS (60 s)
through Tessera, each transfer one explicit transaction over three slices (debit, credit, and a
ledger row in `transfer`), while a killer kill -9s Tessera or a backend at random and restarts
it. Afterwards, read straight from the backends:
  - XA RECOVER lists nothing of ours on any slice;
  - the total balance is unchanged;
  - every transfer whose COMMIT was acknowledged is in the ledger;
  - every account's balance equals its opening balance plus the ledger's transfers in and out
    (so no transfer was applied in part, acknowledged or not).
Private cluster (fixture tessera_xa), Tessera on TESSERA_IT_PROXY_PORT + 41.
"""

import os
import random
import sys
import threading
import time

import pymysql

import xalib as xl
from xalib import log

CLIENTS = 8
ACCOUNTS = 30
OPENING = 1000
SECONDS = int(os.environ.get("TESSERA_XA_BANK_SECONDS", "60"))
OUR = "tsr:xa-bank:"


class Client(threading.Thread):
    def __init__(self, n, t, stop):
        super().__init__(daemon=True)
        self.n, self.t, self.stop = n, t, stop
        self.rng = random.Random(1000 + n)
        self.acked = []  # (tid, src, dst, amount)
        self.failed = 0
        self.seq = 0

    def run(self):
        conn = None
        while not self.stop.is_set():
            try:
                if conn is None:
                    conn = self.t.connect(autocommit=False, read_timeout=20, write_timeout=20)
                src = self.rng.randrange(ACCOUNTS)
                dst = self.rng.randrange(ACCOUNTS)
                if src % xl.SLICES == dst % xl.SLICES:
                    continue
                amount = self.rng.randint(1, 50)
                self.seq += 1
                tid = self.n * 10_000_000 + self.seq
                with conn.cursor() as cur:
                    cur.execute("BEGIN")
                    # lower id first: fewer deadlocks between clients
                    for acct, delta in sorted([(src, -amount), (dst, amount)]):
                        cur.execute("UPDATE account SET balance = balance + %s WHERE id = %s",
                                    (delta, acct))
                    cur.execute("INSERT INTO transfer (id, src, dst, amount) VALUES (%s,%s,%s,%s)",
                                (tid, src, dst, amount))
                    cur.execute("COMMIT")
                self.acked.append((tid, src, dst, amount))
            except pymysql.err.MySQLError:
                self.failed += 1
                try:
                    if conn is not None:
                        conn.close()
                except Exception:  # noqa: BLE001
                    pass
                conn = None
                time.sleep(0.05)
        if conn is not None:
            conn.close()


def killer(t, stop, events):
    rng = random.Random(7)
    while not stop.wait(rng.uniform(3, 6)):
        if rng.random() < 0.5:
            t.kill9()
            events.append("tessera")
            log("killer: kill -9 tessera")
            time.sleep(rng.uniform(0.1, 0.5))
            t.start(wait=False)
        else:
            i = rng.randrange(xl.SLICES)
            xl.kill_backend(i)
            events.append(f"backend-{i}")
            time.sleep(rng.uniform(0.1, 1.0))
            xl.start_backends()
            log(f"killer: backend slice-{i} back")


def main():
    log(f"bank: {CLIENTS} clients, {ACCOUNTS} accounts, {SECONDS} s; cluster {xl.CLUSTER_DIR}")
    xl.start_backends()
    xl.setup_bank_schema(ACCOUNTS, OPENING)
    t = xl.Tessera("bank", k=1, instance_id="xa-bank")
    t.start()
    stop, stop_killer = threading.Event(), threading.Event()
    events = []
    clients = [Client(n, t, stop) for n in range(CLIENTS)]
    for c in clients:
        c.start()
    k = threading.Thread(target=killer, args=(t, stop_killer, events), daemon=True)
    k.start()
    try:
        time.sleep(SECONDS)
        stop_killer.set()
        k.join(120)
        stop.set()
        for c in clients:
            c.join(60)
        xl.start_backends()
        if not t.alive():
            t.start()
        else:
            t.wait_ready()
        xl.settle_prepared(OUR, timeout=60)

        acked = [a for c in clients for a in c.acked]
        failed = sum(c.failed for c in clients)
        log(f"acknowledged transfers: {len(acked)}, failed attempts: {failed}, kills: {events}")
        problems = []
        balances, ledger = {}, {}
        for i in range(xl.SLICES):
            for acct, bal in xl.backend_query(i, f"SELECT id, balance FROM db_bank.account_{i:04d}"):
                balances[acct] = bal
            for tid, src, dst, amount in xl.backend_query(
                    i, f"SELECT id, src, dst, amount FROM db_bank.transfer_{i:04d}"):
                ledger[tid] = (src, dst, amount)
        total = sum(balances.values())
        if total != ACCOUNTS * OPENING:
            problems.append(f"total balance {total}, expected {ACCOUNTS * OPENING}")
        missing = [a for a in acked if a[0] not in ledger]
        if missing:
            problems.append(f"{len(missing)} acknowledged transfers missing from the ledger, "
                            f"e.g. {missing[:5]}")
        expected = {a: OPENING for a in range(ACCOUNTS)}
        for src, dst, amount in ledger.values():
            expected[src] -= amount
            expected[dst] += amount
        wrong = {a: (balances.get(a), expected[a]) for a in expected if balances.get(a) != expected[a]}
        if wrong:
            problems.append(f"balances differ from opening + ledger (partly applied transfers): "
                            f"{dict(list(wrong.items())[:5])}")
        if len(acked) < 50:
            problems.append(f"only {len(acked)} transfers acknowledged: the run proves little")
        if "tessera" not in events or not any(e.startswith("backend") for e in events):
            problems.append(f"the killer did not kill both Tessera and a backend: {events}")
        log(f"ledger rows: {len(ledger)} (acknowledged {len(acked)}; the rest committed without "
            "an answer reaching the client)")
        if problems:
            for p in problems:
                log("FAIL:", p)
            log(f"tessera log tail:\n{t.tail(40)}")
            sys.exit(1)
        log("bank invariant holds")
    finally:
        stop_killer.set()
        stop.set()
        t.stop()
        xl.start_backends()


if __name__ == "__main__":
    main()
