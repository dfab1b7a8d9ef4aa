"""Helpers of the operations tests (issue 8): the admin HTTP API, Prometheus text parsing,
private Tessera instances (ports TESSERA_IT_PROXY_PORT + 30..39) and a private etcd.

Every process started here is stopped by stop_all() (call it in a finally block)."""

import base64
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

from itlib import HOST, log, wait_for_port

ADMIN_PORT = int(os.environ.get("TESSERA_IT_ADMIN_PORT", "14307"))
PROXY_PORT = int(os.environ.get("TESSERA_IT_PORT", "14306"))
RUN_DIR = os.environ.get("TESSERA_IT_RUN_DIR", "")
TESSERA_BIN = os.environ.get("TESSERA_BIN", "")
# Private instances: proxy port + 30 .. 39 (the ops block of the port plan).
OPS_PORT_BASE = PROXY_PORT + 30
ETCD_CLIENT_PORT = int(os.environ.get("TESSERA_IT_ETCD_PORT", "40379"))

_started = []  # (Popen, description)


def admin_request(method, path, body=None, port=ADMIN_PORT, user="admin", password="admin",
                  timeout=10):
    """Returns (status, text)."""
    req = urllib.request.Request(f"http://{HOST}:{port}{path}", method=method,
                                 data=body.encode() if isinstance(body, str) else body)
    if user is not None:
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        req.add_header("Authorization", "Basic " + token)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def admin_json(method, path, body=None, port=ADMIN_PORT, expect=200):
    status, text = admin_request(method, path, body, port=port)
    assert status == expect, f"{method} {path}: HTTP {status}: {text}"
    return json.loads(text)


_SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_prometheus(text):
    """{(name, frozenset(labels.items())): value}; checks every line is well formed."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            assert line == "" or line.startswith("# HELP ") or line.startswith("# TYPE "), line
            continue
        m = _SAMPLE.match(line)
        assert m, f"malformed sample line: {line!r}"
        labels = dict(_LABEL.findall(m.group(3) or ""))
        out[(m.group(1), frozenset(labels.items()))] = float(m.group(4))
    return out


def metric(samples, name, **labels):
    """Sum of the samples of `name` whose labels include `labels`."""
    total = 0.0
    for (n, ls), v in samples.items():
        if n == name and set(labels.items()) <= set(ls):
            total += v
    return total


def scrape(port=ADMIN_PORT):
    status, text = admin_request("GET", "/metrics", port=port)
    assert status == 200, f"/metrics: HTTP {status}"
    return parse_prometheus(text)


def free_port(port):
    try:
        socket.create_connection((HOST, port), timeout=0.5).close()
        return False
    except OSError:
        return True


class Tessera:
    """A private Tessera instance with its own TOML file (and namespaces directory)."""

    def __init__(self, index, toml_extra="", namespaces=None, name=None):
        assert 0 <= index < 5
        self.port = OPS_PORT_BASE + 2 * index
        self.admin_port = self.port + 1
        self.dir = tempfile.mkdtemp(prefix=f"tessera-ops-{index}-")
        self.name = name or f"ops-{index}"
        ns_dir = os.path.join(self.dir, "namespaces")
        os.makedirs(ns_dir)
        for fname, text in (namespaces or {}).items():
            with open(os.path.join(ns_dir, fname), "w") as f:
                f.write(text)
        self.toml = os.path.join(self.dir, "tessera.toml")
        with open(self.toml, "w") as f:
            f.write(f"""[proxy]
listen = "{HOST}:{self.port}"
worker_threads = 2
default_auth_plugin = "mysql_native_password"
namespaces_dir = "namespaces"
proxy_instance_id = "{self.name}"

[admin]
listen = "{HOST}:{self.admin_port}"
user = "admin"
password = "admin"

[log]
level = "info"
{toml_extra}
""")
        self.log_path = os.path.join(self.dir, "tessera.log")
        self.proc = None

    def start(self):
        assert TESSERA_BIN, "TESSERA_BIN not set"
        for p in (self.port, self.admin_port):
            assert free_port(p), f"port {p} is taken"
        self.logf = open(self.log_path, "w")
        self.proc = subprocess.Popen([TESSERA_BIN, "--config", self.toml], stdout=self.logf,
                                     stderr=subprocess.STDOUT)
        _started.append((self.proc, f"tessera {self.name}"))
        if not wait_for_port(HOST, self.admin_port, 20):
            raise AssertionError(f"{self.name} did not start; log:\n{self.log()}")
        log(f"  started {self.name} (pid {self.proc.pid}) on {self.port}, admin {self.admin_port}")
        return self

    def sighup(self):
        self.proc.send_signal(signal.SIGHUP)

    def log(self):
        try:
            with open(self.log_path) as f:
                return f.read()
        except OSError:
            return ""

    def admin(self, method, path, body=None):
        return admin_request(method, path, body, port=self.admin_port)

    def generation(self):
        return admin_json("GET", "/api/proxy/config/fingerprint", port=self.admin_port)["generation"]


class Etcd:
    """etcd (Debian's etcd-server) on loopback ports, data in a temp dir."""

    def __init__(self, client_port=ETCD_CLIENT_PORT, tls=None, extra_args=()):
        """tls: {"cert", "key", "ca"} PEM files: https on the client port, client certificates
        signed by "ca" required (etcd's --client-cert-auth). extra_args: more etcd flags."""
        self.client_port = client_port
        self.peer_port = client_port + 1
        self.tls = tls
        self.extra_args = list(extra_args)
        self.root_password = None  # set by enable_auth()
        self.dir = tempfile.mkdtemp(prefix="tessera-etcd-")

    @property
    def url(self):
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.client_port}"

    def start(self):
        exe = shutil.which("etcd")
        assert exe, "etcd not installed (scripts/install-deps.sh installs etcd-server)"
        for p in (self.client_port, self.peer_port):
            assert free_port(p), f"port {p} is taken"
        url = self.url
        peer = f"http://127.0.0.1:{self.peer_port}"
        tls_args = []
        if self.tls:
            tls_args = ["--cert-file", self.tls["cert"], "--key-file", self.tls["key"],
                        "--client-cert-auth", "--trusted-ca-file", self.tls["ca"]]
        self.logf = open(os.path.join(self.dir, "etcd.log"), "w")
        self.proc = subprocess.Popen(
            [exe, "--name", "ops", "--data-dir", os.path.join(self.dir, "data"),
             "--listen-client-urls", url, "--advertise-client-urls", url,
             "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
             "--initial-cluster", f"ops={peer}", "--log-level", "warn"] + tls_args +
            self.extra_args,
            stdout=self.logf, stderr=subprocess.STDOUT)
        _started.append((self.proc, "etcd"))
        # (60 s: under a sanitizer build's test run on two cores etcd's first fsyncs can take
        # longer than 20 s: a full ASan run saw one such start.)
        deadline = time.time() + 60
        while time.time() < deadline and self.proc.poll() is None:
            try:
                self.range("/")
                log(f"  started etcd (pid {self.proc.pid}) on {self.client_port}")
                return self
            except Exception:
                time.sleep(0.2)
        self.logf.flush()
        with open(os.path.join(self.dir, "etcd.log"), errors="replace") as f:
            tail = f.read()[-2000:]
        raise AssertionError(f"etcd did not start (exit code {self.proc.poll()}); its log:\n{tail}")

    def restart(self):
        """Stops etcd and starts it again on the same data (simple auth tokens are forgotten)."""
        self.proc.terminate()
        self.proc.wait(20)
        self.logf.close()
        time.sleep(0.5)
        return self.start()

    def _post(self, path, body):
        if self.tls or self.root_password:
            return self._post_ctl(path, body)
        req = urllib.request.Request(f"http://127.0.0.1:{self.client_port}{path}",
                                     data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=5) as r:
            return json.loads(r.read())

    def _post_ctl(self, path, body):
        """The same requests as root (after enable_auth) over https with a client certificate."""
        import ssl

        ctx = None
        if self.tls:
            ctx = ssl.create_default_context(cafile=self.tls["ca"])
            ctx.load_cert_chain(self.tls["client_cert"], self.tls["client_key"])
        headers = {"Content-Type": "application/json"}
        if self.root_password:
            req = urllib.request.Request(
                self.url + "/v3/auth/authenticate", method="POST", headers=headers,
                data=json.dumps({"name": "root", "password": self.root_password}).encode())
            with urllib.request.urlopen(req, timeout=5, context=ctx) as r:
                headers["Authorization"] = json.loads(r.read())["token"]
        req = urllib.request.Request(self.url + path, data=json.dumps(body).encode(),
                                     method="POST", headers=headers)
        with urllib.request.urlopen(req, timeout=5, context=ctx) as r:
            return json.loads(r.read())

    def ctl(self, *args):
        """etcdctl against this etcd (as root once auth is enabled); returns its output."""
        cmd = ["etcdctl", "--endpoints", self.url, "--dial-timeout", "5s"]
        if self.tls:
            cmd += ["--cacert", self.tls["ca"], "--cert", self.tls["client_cert"],
                    "--key", self.tls["client_key"]]
        if self.root_password:
            cmd += ["--user", f"root:{self.root_password}"]
        out = subprocess.run(cmd + list(args), capture_output=True, text=True, timeout=30,
                             env=dict(os.environ, ETCDCTL_API="3"))
        assert out.returncode == 0, f"etcdctl {' '.join(args)}: {out.stdout}{out.stderr}"
        return out.stdout

    def enable_auth(self, root_password):
        self.ctl("user", "add", f"root:{root_password}")
        self.ctl("auth", "enable")
        self.root_password = root_password

    @staticmethod
    def _b64(s):
        return base64.b64encode(s.encode()).decode()

    def put(self, key, value):
        self._post("/v3/kv/put", {"key": self._b64(key), "value": self._b64(value)})

    def delete(self, key):
        self._post("/v3/kv/deleterange", {"key": self._b64(key)})

    def range(self, key):
        return self._post("/v3/kv/range", {"key": self._b64(key)})


def encrypt_password(plain, key):
    """The "enc:" format of src/config/secret_box.h: base64(IV || AES-256-CBC(PKCS#7)),
    key = SHA-256(key text)."""
    import hashlib
    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    k = hashlib.sha256(key.encode()).digest()
    iv = os.urandom(16)
    padder = padding.PKCS7(128).padder()
    data = padder.update(plain.encode()) + padder.finalize()
    enc = Cipher(algorithms.AES(k), modes.CBC(iv)).encryptor()
    return "enc:" + base64.b64encode(iv + enc.update(data) + enc.finalize()).decode()


def stop_all():
    for proc, what in reversed(_started):
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log(f"  stopped {what}")
    _started.clear()


def namespace_doc(name, users, slice_port, db="sbtest", max_capacity=20):
    """A one-slice namespace on the shared cluster's slice-0 primary, with the least-privilege
    data account scripts/cluster.sh creates for sbtest and demo (demo_rw): the etcd tests only
    log in and read."""
    return json.dumps({
        "name": name, "online": True, "read_only": False,
        "allowed_dbs": {db: True, "demo": True},
        "default_slice": "slice-0",
        "slices": [{"name": "slice-0", "user_name": "demo_rw", "password": "demo_rw",
                    "master": f"127.0.0.1:{slice_port}", "slaves": [], "statistic_slaves": [],
                    "capacity": 4, "max_capacity": max_capacity, "idle_timeout": 60}],
        "shard_rules": [],
        "users": [{"user_name": u, "password": p, "namespace": name, "rw_flag": 2,
                   "rw_split": 0, "other_property": 0} for u, p in users],
    }, indent=1)
