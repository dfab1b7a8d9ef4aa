"""A private cluster and a private Tessera for tests that kill, stall or starve servers
(issue 9), so the shared fixture and other tests are never disturbed.

Ports (from the build's integration ports): cluster base = TESSERA_IT_BASE_PORT + 500
(slice i primary = base + 10*i), Tessera = TESSERA_IT_PORT + 50 (+ k for a second instance),
its admin port = that + 5. Everything lives under TESSERA_IT_RUN_DIR/../robust-<name>/ and is
stopped by stop() (call it from a finally / tearDownClass).
"""
import os
import shutil
import signal
import subprocess
import time

import itlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CLUSTER_SH = os.path.join(ROOT, "scripts", "cluster.sh")
ROBUST_BASE = itlib.BASE_PORT + 500
ROBUST_PROXY = int(os.environ.get("TESSERA_IT_PORT", "14306")) + 50
TESSERA_BIN = os.environ.get("TESSERA_BIN", "")


def run_dir(name):
    base = os.environ.get("TESSERA_IT_RUN_DIR") or "/tmp"
    d = os.path.join(os.path.dirname(os.path.abspath(base)), f"robust-{name}")
    os.makedirs(d, exist_ok=True)
    return d


class Cluster:
    def __init__(self, name, slices=2):
        self.dir = os.path.join(run_dir(name), "cluster")
        self.slices = slices

    def start(self):
        # The ports lie in Linux's ephemeral range (32768-60999): on a busy machine an outgoing
        # connection can hold one for a moment and mysqld's bind fails. `cluster.sh start` is
        # idempotent, so a failed start is retried.
        for attempt in range(3):
            done = subprocess.run([CLUSTER_SH, "start", "--dir", self.dir, "--slices",
                                   str(self.slices), "--replicas", "0", "--base-port",
                                   str(ROBUST_BASE)], stdout=subprocess.DEVNULL, timeout=240)
            if done.returncode == 0:
                return
            itlib.log(f"cluster start failed (attempt {attempt + 1}); retrying")
            time.sleep(5)
        raise AssertionError(f"private cluster {self.dir} did not start")

    def stop(self):
        if os.path.exists(os.path.join(self.dir, "cluster.env")):
            subprocess.run([CLUSTER_SH, "stop", "--dir", self.dir], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=120)

    def port(self, i):
        return ROBUST_BASE + 10 * i

    def pid(self, i):
        with open(os.path.join(self.dir, f"slice-{i}", "primary", "mysqld.pid")) as f:
            return int(f.read().strip())

    def signal(self, i, sig):
        os.kill(self.pid(i), sig)

    def kill(self, i):
        pid = self.pid(i)
        os.kill(pid, signal.SIGKILL)
        deadline = time.time() + 20
        while time.time() < deadline and os.path.exists(f"/proc/{pid}"):
            time.sleep(0.1)

    def sql(self, i, sql):
        sock = os.path.join(self.dir, f"slice-{i}", "primary", "mysqld.sock")
        out = subprocess.run(["mariadb", "--no-defaults", "-S", sock, "-uroot", "-N", "-B", "-e", sql],
                             capture_output=True, text=True, timeout=30)
        if out.returncode != 0:
            raise AssertionError(f"slice {i}: {sql!r} failed: {out.stderr.strip()}")
        return [line.split("\t") for line in out.stdout.splitlines()]


def namespace_json(name, user, password, port, capacity=4, max_capacity=50):
    # demo_rw: the least-privilege data account scripts/cluster.sh makes for sbtest and demo
    return f"""{{
  "name": "{name}", "online": true, "read_only": false,
  "allowed_dbs": {{"sbtest": true, "demo": true}},
  "default_slice": "slice-0",
  "slices": [{{"name": "slice-0", "user_name": "demo_rw", "password": "demo_rw",
     "master": "127.0.0.1:{port}", "slaves": [], "statistic_slaves": [],
     "capacity": {capacity}, "max_capacity": {max_capacity}, "idle_timeout": 60}}],
  "shard_rules": [],
  "users": [{{"user_name": "{user}", "password": "{password}", "namespace": "{name}",
             "rw_flag": 2, "rw_split": 0, "other_property": 0}}]
}}
"""


class Tessera:
    """A private Tessera; `proxy_extra` lines go into [proxy], `namespaces` maps file name to
    JSON text."""

    def __init__(self, name, namespaces, proxy_extra="", k=0):
        self.dir = os.path.join(run_dir(name), f"tessera-{k}")
        self.port = ROBUST_PROXY + k
        self.admin_port = self.port + 5
        self.proc = None
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(os.path.join(self.dir, "namespaces"))
        for fname, text in namespaces.items():
            with open(os.path.join(self.dir, "namespaces", fname), "w") as f:
                f.write(text)
        self.config = os.path.join(self.dir, "tessera.toml")
        # defaults, unless proxy_extra sets the key (TOML refuses a key defined twice)
        overridden = {line.split("=")[0].strip() for line in proxy_extra.splitlines() if "=" in line}
        defaults = "".join(f"{k} = {v}\n" for k, v in (("pool_acquire_timeout_ms", 5000),
                                                       ("backend_connect_timeout_ms", 1500))
                           if k not in overridden)
        with open(self.config, "w") as f:
            f.write(f"""[proxy]
listen = "127.0.0.1:{self.port}"
worker_threads = 2
default_auth_plugin = "mysql_native_password"
namespaces_dir = "namespaces"
{defaults}{proxy_extra}
[admin]
listen = "127.0.0.1:{self.admin_port}"
user = "admin"
password = "admin"
[log]
level = "info"
""")
        self.log_path = os.path.join(self.dir, "tessera.log")

    def start(self):
        assert TESSERA_BIN, "TESSERA_BIN not set"
        self.log_file = open(self.log_path, "w")
        self.proc = subprocess.Popen([TESSERA_BIN, "--config", self.config], stdin=subprocess.DEVNULL,
                                     stdout=self.log_file, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        if not itlib.wait_for_port("127.0.0.1", self.port, 30):
            raise AssertionError("private tessera did not listen; log:\n" + self.log_tail())
        # The admin API starts on its own thread, possibly after the MySQL listener: a test
        # that talks to it first must not race it.
        if not itlib.wait_for_port("127.0.0.1", self.admin_port, 30):
            raise AssertionError("private tessera's admin API did not listen; log:\n" + self.log_tail())

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def rss_kib(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def log_tail(self, n=40):
        try:
            with open(self.log_path) as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""

    def stop(self):
        if not self.alive():
            return
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
