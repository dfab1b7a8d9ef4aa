"""Private cluster + private Tessera for the failover tests (issue 6).

These tests promote, kill and restart servers, so they never touch the shared fixture cluster:
each starts its own cluster on TESSERA_IT_BASE_PORT + 600 (scripts/cluster.sh, under the build
tree) and its own Tessera on TESSERA_IT_PROXY_PORT + 60 (admin + 61), and stops both when done,
also on failure (use `with PrivateSetup(...) as s:`).
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CLUSTER_SH = os.path.join(ROOT, "scripts", "cluster.sh")
HOST = "127.0.0.1"
BASE_PORT = int(os.environ.get("TESSERA_IT_BASE_PORT", "24306")) + 600
PROXY_PORT = int(os.environ.get("TESSERA_IT_PROXY_PORT", "14306")) + 60
ADMIN_PORT = PROXY_PORT + 1
TESSERA_BIN = os.environ.get("TESSERA_BIN", "")
RUN_DIR = os.environ.get("TESSERA_IT_RUN_DIR", "/tmp")
# The cluster's least-privilege data account (scripts/cluster.sh: sbtest, demo, db_ks only):
# no READ_ONLY ADMIN, so a demoted primary refuses its writes (1290), and nothing else Tessera
# does here needs more. The monitor and binlog followers use tessera_monitor and repl.
BACKEND_USER = "demo_rw"
BACKEND_PASSWORD = "demo_rw"


def log(*args):
    print(*args, flush=True)


def now():
    return time.time()


class PrivateSetup:
    """A cluster of `slices` x (1 + `replicas`) servers and a Tessera in front of it.

    `namespace(ports)` returns the namespace dict given the cluster's port function."""

    def __init__(self, name, slices, replicas, namespace, hold_ms=10000, deadlock_retries=3,
                 log_level="info"):
        self.name = name
        self.dir = os.path.join(RUN_DIR, "failover", name)
        self.cluster_dir = os.path.join(self.dir, "cluster")
        self.slices = slices
        self.replicas = replicas
        self.namespace = namespace
        self.hold_ms = hold_ms
        self.deadlock_retries = deadlock_retries
        self.log_level = log_level
        self.proc = None
        self.log_path = os.path.join(self.dir, "tessera.log")

    @staticmethod
    def port(i, j=0):
        return BASE_PORT + 10 * i + j

    # -- cluster --------------------------------------------------------------------------
    def cluster(self, *args, check=True):
        out = subprocess.run([CLUSTER_SH, *args, "--dir", self.cluster_dir], capture_output=True,
                             text=True, timeout=180)
        if check and out.returncode != 0:
            raise RuntimeError(f"cluster.sh {' '.join(args)} failed:\n{out.stdout}{out.stderr}")
        return out.stdout

    def sql(self, i, j, query):
        """Runs SQL as root on server i:j over its socket; returns rows of strings."""
        role = "primary" if j == 0 else f"replica-{j}"
        sock = os.path.join(self.cluster_dir, f"slice-{i}", role, "mysqld.sock")
        out = subprocess.run(["mariadb", "--no-defaults", "-S", sock, "-uroot", "-N", "-B", "-e",
                              query], check=True, capture_output=True, text=True, timeout=30)
        return [line.split("\t") for line in out.stdout.splitlines()]

    def promote(self, i, j, old="readonly"):
        """Fails slice i over to its server j; returns (started_at, completed_at) in seconds."""
        started = now()
        out = self.cluster("promote", "--slice", str(i), "--replica", str(j), "--old", old)
        done_ms = int(out.strip().rsplit("completed_at_ms=", 1)[1])
        log("  " + out.strip())
        return started, done_ms / 1000.0

    # -- tessera --------------------------------------------------------------------------
    def start_tessera(self):
        if not TESSERA_BIN or not os.access(TESSERA_BIN, os.X_OK):
            raise RuntimeError("TESSERA_BIN is not set to the tessera binary")
        ns_dir = os.path.join(self.dir, "namespaces")
        os.makedirs(ns_dir, exist_ok=True)
        with open(os.path.join(ns_dir, "ns.json"), "w") as f:
            json.dump(self.namespace(self.port), f, indent=1)
        toml = os.path.join(self.dir, "tessera.toml")
        with open(toml, "w") as f:
            f.write(f"""[proxy]
listen = "{HOST}:{PROXY_PORT}"
worker_threads = 2
default_auth_plugin = "mysql_native_password"
namespaces_dir = "namespaces"
pool_acquire_timeout_ms = 5000
backend_connect_timeout_ms = 1000
failover_hold_ms = {self.hold_ms}
deadlock_retries = {self.deadlock_retries}
[topology]
monitor_user = "tessera_monitor"
monitor_password = "tessera_monitor"
repl_user = "repl"
repl_password = "repl"
[admin]
listen = "{HOST}:{ADMIN_PORT}"
user = "admin"
password = "admin"
[log]
level = "{self.log_level}"
""")
        with socket.socket() as s:
            if s.connect_ex((HOST, PROXY_PORT)) == 0:
                raise RuntimeError(f"port {PROXY_PORT} is already in use")
        self.logf = open(self.log_path, "w")
        self.proc = subprocess.Popen([TESSERA_BIN, "--config", toml], stdout=self.logf,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     start_new_session=True)
        deadline = now() + 30
        while True:
            try:
                self.connect().close()
                break
            except Exception:
                if self.proc.poll() is not None or now() > deadline:
                    raise RuntimeError("tessera did not start:\n" + self.tessera_log()[-3000:])
                time.sleep(0.1)

    def tessera_log(self):
        try:
            with open(self.log_path) as f:
                return f.read()
        except OSError:
            return ""

    def connect(self, user="app", password="app_pw", **kw):
        import pymysql

        kw.setdefault("connect_timeout", 10)
        kw.setdefault("read_timeout", 60)
        kw.setdefault("write_timeout", 60)
        kw.setdefault("autocommit", True)
        return pymysql.connect(host=HOST, port=PROXY_PORT, user=user, password=password, **kw)

    def topology(self, conn):
        with conn.cursor() as c:
            c.execute("SHOW TESSERA TOPOLOGY")
            cols = [d[0] for d in c.description]
            return [dict(zip(cols, r)) for r in c.fetchall()]

    def wait_topology(self, conn, predicate, timeout=10.0, poll=0.01):
        """Polls SHOW TESSERA TOPOLOGY until predicate(rows) holds; returns the time it did."""
        deadline = now() + timeout
        while True:
            rows = self.topology(conn)
            if predicate(rows):
                return now()
            if now() > deadline:
                raise AssertionError(f"topology never matched; last: {rows}")
            time.sleep(poll)

    def count_log(self, needle):
        return self.tessera_log().count(needle)

    # -- lifetime -------------------------------------------------------------------------
    def __enter__(self):
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        try:
            self.cluster("start", "--slices", str(self.slices), "--replicas", str(self.replicas),
                         "--base-port", str(BASE_PORT))
        except Exception:
            # A server that failed to start must not leave its siblings running (they would
            # hold the ports of the next test).
            self.cluster("stop", check=False)
            raise
        return self

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        crashed = self.proc is not None and self.proc.returncode not in (0, -15, None)
        try:
            self.cluster("stop", check=False)
        finally:
            if self.proc:
                self.logf.close()
        if crashed and exc[0] is None:
            raise AssertionError(f"tessera exited with {self.proc.returncode}:\n"
                                 + self.tessera_log()[-3000:])
        if exc[0] is not None:
            log("---- last lines of the tessera log ----")
            log(self.tessera_log()[-4000:])
        return False


def slice_json(name, master=None, slaves=(), writers=None, max_capacity=20):
    s = {"name": name, "user_name": BACKEND_USER, "password": BACKEND_PASSWORD,
         "slaves": list(slaves), "statistic_slaves": [], "capacity": 4,
         "max_capacity": max_capacity, "idle_timeout": 60}
    if writers:
        s["writers"] = list(writers)
    else:
        s["master"] = master
    return s


def namespace_json(slices, rw_split=0):
    return {
        "name": "fo", "online": True, "read_only": False,
        "allowed_dbs": {"demo": True, "sbtest": True},
        "default_slice": slices[0]["name"], "slices": slices, "shard_rules": [],
        "users": [{"user_name": "app", "password": "app_pw", "namespace": "fo", "rw_flag": 2,
                   "rw_split": rw_split, "other_property": 0}],
    }


class Loop(threading.Thread):
    """Runs `step(conn, n)` every `period` s on its own Tessera connection, recording
    (started, finished, n, error_text_or_None) per attempt. Reconnects after an error."""

    def __init__(self, setup, name, step, period):
        super().__init__(name=name, daemon=True)
        self.setup, self.step, self.period = setup, step, period
        self.records = []
        self.stop_flag = threading.Event()
        self.n = 0

    def run(self):
        conn = None
        while not self.stop_flag.is_set():
            t0 = now()
            self.n += 1
            err = None
            try:
                if conn is None:
                    conn = self.setup.connect()
                self.step(conn, self.n)
            except Exception as e:  # every client-visible failure is recorded
                err = f"{type(e).__name__}: {e}"
                try:
                    conn.close()
                except Exception:
                    pass
                conn = None
            self.records.append((t0, now(), self.n, err))
            left = self.period - (now() - t0)
            if left > 0:
                time.sleep(left)
        if conn:
            conn.close()

    def stop(self):
        self.stop_flag.set()
        self.join(30)

    def ok(self):
        return [r for r in self.records if r[3] is None]

    def errors(self):
        return [r for r in self.records if r[3] is not None]


def window(loops, started, completed):
    """Seconds: (window, resume). window: from the last write acknowledged before the
    promotion started to the first acknowledged after it completed; resume: from the completion
    to that first acknowledgement."""
    last_before = max(r[1] for lp in loops for r in lp.ok() if r[1] <= started)
    first_after = min(r[1] for lp in loops for r in lp.ok() if r[1] >= completed)
    return first_after - last_before, first_after - completed


def check(cond, message):
    if not cond:
        raise AssertionError(message)
    log("  ok: " + message)


def run(main):
    try:
        main()
    except Exception:
        import traceback

        traceback.print_exc()
        sys.exit(1)
    log("PASS")
