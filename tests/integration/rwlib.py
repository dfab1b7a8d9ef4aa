"""Helpers for the read/write-splitting tests and benchmark.

PrivateStack: a private one-slice cluster (primary + 2 replicas, scripts/cluster.sh) and a
private Tessera in front of it, for tests that stall replicas. Ports: the cluster at
TESSERA_IT_BASE_PORT + 100 (rwsplit's offset), Tessera at TESSERA_IT_PROXY_PORT + 10 (admin
+11), so the shared fixture and other helpers' clusters are never touched. Everything started
is stopped by stop() (use it in finally).

Server-side evidence: com_select() reads a server's own Com_select counter, general_log_*()
read its general log; both bypass Tessera.
"""

import os
import subprocess
import time

import pymysql

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def direct(port, **kw):
    """A connection straight to a backend server (as the cluster's tessera account)."""
    kw.setdefault("connect_timeout", 10)
    kw.setdefault("autocommit", True)
    return pymysql.connect(host="127.0.0.1", port=port, user="tessera", password="tessera", **kw)


def com_select(port):
    c = direct(port)
    try:
        with c.cursor() as cur:
            cur.execute("SHOW GLOBAL STATUS LIKE 'Com_select'")
            return int(cur.fetchone()[1])
    finally:
        c.close()


def wait_replicas_caught_up(primary_port, replica_ports, timeout=30):
    """Waits until every replica has applied the primary's current binlog position."""
    p = direct(primary_port)
    with p.cursor() as cur:
        cur.execute("SELECT @@gtid_binlog_pos")
        pos = cur.fetchone()[0]
    p.close()
    for port in replica_ports:
        c = direct(port)
        with c.cursor() as cur:
            cur.execute("SELECT MASTER_GTID_WAIT(%s, %s)", (pos, timeout))
            if cur.fetchone()[0] != 0:
                raise RuntimeError(f"replica {port} did not reach {pos} within {timeout}s")
        c.close()


class PrivateStack:
    def __init__(self, name, weights=(1, 2), consistent_read_timeout_ms=200,
                 max_replication_lag=10):
        base = int(os.environ.get("TESSERA_IT_BASE_PORT", "24306")) + 100
        proxy = int(os.environ.get("TESSERA_IT_PROXY_PORT",
                                   os.environ.get("TESSERA_IT_PORT", "14306"))) + 10
        self.base_port = base
        self.proxy_port = proxy
        self.admin_port = proxy + 1
        run_root = os.environ.get("TESSERA_IT_RUN_DIR") or os.path.join(ROOT, "build", "it-run")
        self.dir = os.path.join(os.path.dirname(os.path.abspath(run_root)), f"it-{name}")
        self.cluster_dir = os.path.join(self.dir, "cluster")
        self.bin = os.environ.get("TESSERA_BIN") or os.path.join(ROOT, "build", "src", "app",
                                                                  "tessera")
        self.weights = weights
        self.timeout_ms = consistent_read_timeout_ms
        self.max_lag = max_replication_lag
        self.proc = None
        self.log_path = os.path.join(self.dir, "tessera.log")

    @property
    def primary(self):
        return self.base_port

    @property
    def replicas(self):
        return [self.base_port + 1, self.base_port + 2]

    def cluster(self, *args):
        subprocess.run([os.path.join(ROOT, "scripts", "cluster.sh"), *args, "--dir",
                        self.cluster_dir], check=True, timeout=300)

    def start(self):
        os.makedirs(os.path.join(self.dir, "namespaces"), exist_ok=True)
        env_file = os.path.join(self.cluster_dir, "cluster.env")
        if os.path.exists(env_file) and f"CLUSTER_BASE_PORT={self.base_port}" not in open(
                env_file).read():
            self.cluster("stop")
            subprocess.run(["rm", "-rf", self.cluster_dir], check=True)
        self.cluster("start", "--slices", "1", "--replicas", "2", "--base-port",
                     str(self.base_port))
        with open(os.path.join(self.dir, "tessera.toml"), "w") as f:
            f.write(f"""[proxy]
listen = "127.0.0.1:{self.proxy_port}"
worker_threads = 2
default_auth_plugin = "mysql_native_password"
namespaces_dir = "namespaces"

[admin]
listen = "127.0.0.1:{self.admin_port}"
user = "admin"
password = "admin"

[log]
level = "info"

[topology]
# the cluster's own accounts for the probes (SLAVE MONITOR) and the binlog followers that learn
# replicas' GTID positions (REPLICATION SLAVE): the data account below has neither
monitor_user = "tessera_monitor"
monitor_password = "tessera_monitor"
repl_user = "repl"
repl_password = "repl"
""")
        w1, w2 = self.weights
        users = [
            ("rw", "rw_pw", 1, 2, "EVENTUAL"),
            ("rws", "rws_pw", 1, 2, "SESSION"),
            ("rwg", "rwg_pw", 1, 2, "GLOBAL"),
            ("app", "app_pw", 0, 2, "EVENTUAL"),
        ]
        user_json = ",\n    ".join(
            f'{{"user_name": "{u}", "password": "{p}", "namespace": "rw", "rw_flag": {flag}, '
            f'"rw_split": {split}, "other_property": 0, "read_consistency": "{level}"}}'
            for u, p, split, flag, level in users)
        # The data account is the least-privilege demo_rw scripts/cluster.sh makes (sbtest):
        # read/write splitting needs nothing server-wide on the data connections.
        with open(os.path.join(self.dir, "namespaces", "rw.json"), "w") as f:
            f.write(f"""{{
  "name": "rw", "online": true, "read_only": false,
  "allowed_dbs": {{"sbtest": true}},
  "default_slice": "slice-0",
  "slices": [
    {{"name": "slice-0", "user_name": "demo_rw", "password": "demo_rw",
     "master": "127.0.0.1:{self.primary}",
     "slaves": ["127.0.0.1:{self.replicas[0]}@{w1}", "127.0.0.1:{self.replicas[1]}@{w2}"],
     "statistic_slaves": [], "capacity": 4, "max_capacity": 32, "idle_timeout": 60,
     "max_replication_lag": {self.max_lag}, "consistent_read_timeout": {self.timeout_ms}}}
  ],
  "shard_rules": [],
  "users": [
    {user_json}
  ]
}}
""")
        log = open(self.log_path, "w")
        self.proc = subprocess.Popen([self.bin, "--config", os.path.join(self.dir,
                                                                         "tessera.toml")],
                                     stdin=subprocess.DEVNULL, stdout=log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.time() + 30
        while True:
            try:
                self.connect("app").close()
                break
            except pymysql.err.OperationalError:
                if self.proc.poll() is not None or time.time() > deadline:
                    raise RuntimeError("private tessera did not start; see " + self.log_path)
                time.sleep(0.2)

    def connect(self, user, **kw):
        passwords = {"rw": "rw_pw", "rws": "rws_pw", "rwg": "rwg_pw", "app": "app_pw"}
        kw.setdefault("connect_timeout", 10)
        kw.setdefault("autocommit", True)
        kw.setdefault("read_timeout", 60)
        return pymysql.connect(host="127.0.0.1", port=self.proxy_port, user=user,
                               password=passwords[user], **kw)

    def replica_sql(self, index, sql):
        """Runs SQL as root on replica index (1-based) over its socket."""
        sock = os.path.join(self.cluster_dir, "slice-0", f"replica-{index}", "mysqld.sock")
        subprocess.run(["mariadb", "--no-defaults", "-S", sock, "-uroot", "-e", sql], check=True,
                       timeout=60)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        try:
            self.cluster("stop")
        except Exception as e:  # keep going: the caller is cleaning up
            print("rwlib: cluster stop failed:", e, flush=True)
