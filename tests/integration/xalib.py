"""Helpers for the XA tests that kill things (test_xa_crash.py, test_xa_bank.py).

They run on a private cluster (fixture `tessera_xa`, xa_fixture.sh: 3 slices, no replicas, base
port TESSERA_IT_BASE_PORT + 400) and start their own Tessera instances on TESSERA_IT_PROXY_PORT
+ 40.. (never the shared fixture's). Tessera's slice-N is the private cluster's slice-(N-1).

Namespace `xa` (user xa / xa_pw), database db_bank:
  account  hash on id over slice-1..3, one table each (account_0000.._0002)
  transfer hash on id, same placement (the ledger: one row per applied transfer)
  g        global (a full copy on every slice)
"""

import json
import os
import signal
import subprocess
import time

import pymysql

BASE_PORT = int(os.environ.get("TESSERA_IT_BASE_PORT", "24306")) + 400
PROXY_PORT = int(os.environ.get("TESSERA_IT_PROXY_PORT", "14306")) + 40
CLUSTER_DIR = os.environ.get("TESSERA_XA_CLUSTER_DIR", "")
RUN_DIR = os.environ.get("TESSERA_XA_RUN_DIR", "/tmp/tessera-xa-run")
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CLUSTER_SH = os.path.join(ROOT, "scripts", "cluster.sh")
TESSERA = os.environ.get("TESSERA_BIN", "")
TESSERA_FP = os.environ.get("TESSERA_FAILPOINTS_BIN", "")
SLICES = 3
USER, PASSWORD = "xa", "xa_pw"


def log(*args):
    print(time.strftime("%H:%M:%S"), *args, flush=True)


def backend_port(i):
    return BASE_PORT + 10 * i


def backend(i, database=None, **kw):
    kw.setdefault("connect_timeout", 5)
    kw.setdefault("read_timeout", 30)
    kw.setdefault("write_timeout", 30)
    kw.setdefault("autocommit", True)
    return pymysql.connect(host="127.0.0.1", port=backend_port(i), user="tessera",
                           password="tessera", database=database, **kw)


def backend_query(i, sql, args=None, database=None):
    c = backend(i, database)
    try:
        with c.cursor() as cur:
            cur.execute(sql, args)
            return cur.fetchall()
    finally:
        c.close()


def xa_recover(i):
    """Prepared XA branches on slice i's server: [(formatID, gtrid, bqual)]."""
    rows = backend_query(i, "XA RECOVER")
    return [(r[0], r[3][:r[1]].decode(), r[3][r[1]:].decode()) for r in rows]


def namespace_json():
    # xa_rw: the least-privilege data account xa_fixture.sh makes (db_bank only); backend()
    # above is the harness's own all-privileges account, for setup and checks
    slices = [{"name": f"slice-{i + 1}", "user_name": "xa_rw", "password": "xa_rw",
               "master": f"127.0.0.1:{backend_port(i)}", "slaves": [], "statistic_slaves": [],
               "capacity": 4, "max_capacity": 64, "idle_timeout": 60} for i in range(SLICES)]
    names = [s["name"] for s in slices]
    return {
        "name": "xa", "online": True, "read_only": False,
        "allowed_dbs": {"db_bank": True},
        "default_slice": "slice-1",
        "slices": slices,
        "shard_rules": [
            {"db": "db_bank", "table": "account", "type": "hash", "key": "id",
             "locations": [1, 1, 1], "slices": names},
            {"db": "db_bank", "table": "transfer", "type": "hash", "key": "id",
             "locations": [1, 1, 1], "slices": names},
            {"db": "db_bank", "table": "g", "type": "global",
             "locations": [1, 1, 1], "slices": names},
        ],
        "users": [{"user_name": USER, "password": PASSWORD, "namespace": "xa", "rw_flag": 2,
                   "rw_split": 0, "other_property": 0}],
        "transaction_mode": "xa",
    }


class Tessera:
    """One Tessera process on PROXY_PORT + k with its own config directory and decision log."""

    def __init__(self, name, k=0, failpoints=False, instance_id="xa-test-1", recovery_ms=500):
        self.name, self.port = name, PROXY_PORT + k
        self.dir = os.path.join(RUN_DIR, name)
        self.bin = TESSERA_FP if failpoints else TESSERA
        self.instance_id = instance_id
        self.proc = None
        os.makedirs(os.path.join(self.dir, "namespaces"), exist_ok=True)
        with open(os.path.join(self.dir, "namespaces", "xa.json"), "w") as f:
            json.dump(namespace_json(), f, indent=1)
        with open(os.path.join(self.dir, "tessera.toml"), "w") as f:
            f.write(f"""[proxy]
listen = "127.0.0.1:{self.port}"
worker_threads = 2
namespaces_dir = "namespaces"
proxy_instance_id = "{instance_id}"
pool_acquire_timeout_ms = 5000
backend_connect_timeout_ms = 1000

[admin]
listen = ""

[log]
level = "info"
file = "tessera.log"

[txn]
recovery_interval_ms = {recovery_ms}
""")
        self.log_file = os.path.join(self.dir, "tessera.log")

    def start(self, failpoint=None, wait=True):
        if not self.bin or not os.access(self.bin, os.X_OK):
            raise RuntimeError(f"tessera binary {self.bin!r} not found")
        env = dict(os.environ)
        env.pop("TESSERA_FAILPOINT", None)
        if failpoint:
            env["TESSERA_FAILPOINT"] = failpoint
        self.proc = subprocess.Popen([self.bin, "--config", os.path.join(self.dir, "tessera.toml")],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=open(os.path.join(self.dir, "stderr.log"), "a"),
                                     env=env, start_new_session=True)
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name}: tessera exited with {self.proc.returncode}; "
                                   f"log tail:\n{self.tail()}")
            try:
                c = self.connect(connect_timeout=1)
                c.close()
                return
            except pymysql.err.MySQLError:
                time.sleep(0.1)
        raise RuntimeError(f"{self.name}: tessera not ready after {timeout}s:\n{self.tail()}")

    def tail(self, n=30):
        try:
            with open(self.log_file) as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return "(no log)"

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def wait_exit(self, timeout=15):
        self.proc.wait(timeout=timeout)
        return self.proc.returncode

    def kill9(self):
        if self.alive():
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self):
        if self.alive():
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill9()

    def connect(self, database="db_bank", **kw):
        kw.setdefault("connect_timeout", 5)
        kw.setdefault("read_timeout", 30)
        kw.setdefault("write_timeout", 30)
        kw.setdefault("autocommit", True)
        return pymysql.connect(host="127.0.0.1", port=self.port, user=USER, password=PASSWORD,
                               database=database, **kw)


def server_pid(i):
    try:
        with open(os.path.join(CLUSTER_DIR, f"slice-{i}", "primary", "mysqld.pid")) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def kill_backend(i):
    """kill -9 slice i's MariaDB (0-based, the private cluster's numbering)."""
    pid = server_pid(i)
    if pid:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        for _ in range(100):
            try:
                os.kill(pid, 0)
                time.sleep(0.05)
            except ProcessLookupError:
                break
    log(f"killed backend slice-{i} (pid {pid})")


def start_backends():
    """Restarts whatever servers of the private cluster are down (cluster.sh start is idempotent)."""
    subprocess.run([CLUSTER_SH, "start", "--dir", CLUSTER_DIR], check=True,
                   stdout=subprocess.DEVNULL, timeout=180)


def setup_bank_schema(accounts, balance):
    """db_bank with `accounts` accounts of `balance` each, created directly on the backends."""
    for i in range(SLICES):
        backend_query(i, "DROP DATABASE IF EXISTS db_bank")
        backend_query(i, "CREATE DATABASE db_bank")
        backend_query(i, f"CREATE TABLE db_bank.account_{i:04d} (id INT PRIMARY KEY, "
                         "balance BIGINT NOT NULL) ENGINE=InnoDB")
        backend_query(i, f"CREATE TABLE db_bank.transfer_{i:04d} (id BIGINT PRIMARY KEY, "
                         "src INT NOT NULL, dst INT NOT NULL, amount INT NOT NULL) ENGINE=InnoDB")
        backend_query(i, "CREATE TABLE db_bank.g (id INT PRIMARY KEY, v VARCHAR(20)) ENGINE=InnoDB")
        rows = [(a, balance) for a in range(accounts) if a % SLICES == i]
        if rows:
            c = backend(i, "db_bank")
            with c.cursor() as cur:
                cur.executemany(f"INSERT INTO account_{i:04d} VALUES (%s, %s)", rows)
            c.close()


def settle_prepared(tag_prefix="tsr:", timeout=30):
    """Waits until no slice lists a prepared branch whose gtrid starts with tag_prefix."""
    deadline = time.time() + timeout
    left = None
    while time.time() < deadline:
        left = {i: [x for x in xa_recover(i) if x[1].startswith(tag_prefix)] for i in range(SLICES)}
        if not any(left.values()):
            return
        time.sleep(0.25)
    raise AssertionError(f"prepared XA branches still listed after {timeout}s: {left}")
