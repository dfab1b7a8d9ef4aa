"""Helpers for the hostile-tenant pool tests (issue 15): a private Tessera with a tiny pool in
front of the shared fixture cluster's slice 0, two tenants (namespaces) sharing that backend,
and a raw protocol client that shows every packet of multi-result replies.

Tenants: user tenant_a (namespace hp_a, database hp_a) and tenant_b (namespace hp_b, database
hp_b); both namespaces use slice 0's primary with the same backend account, so with
worker_threads = 1 and max_capacity = 1 every session of either tenant runs on ONE backend
connection: whatever one leaves on it, the next one finds.

Ports: the private Tessera listens on TESSERA_IT_PORT + 70 + k (admin + 5), see robustlib.

Direct mode (TESSERA_IT_MODE=direct, or TESSERA_HOSTILE_DIRECT=1): no Tessera; "tenants" connect
straight to slice 0's primary as the backend account, every session on a fresh server
connection. The same checks must pass there: that is how the tests themselves are checked.

Backend account: the harness's all-privileges `tessera`, not a least-privilege data account,
because of direct mode: there the tenants ARE the backend account and send `SET sql_log_bin=0`,
`SET pseudo_thread_id=...`, `SET gtid_domain_id=...` (the pool hygiene generator, the pool
tests' attacks) so that the checks are seen to catch what such state leaks; a data account gets
1227 for each (SUPER, BINLOG ADMIN or BINLOG REPLAY needed; checked on MariaDB 10.11).
"""
import os
import socket
import struct
import subprocess
import time

import itlib
import robustlib
from itlib import ErrPacket, lenenc_int, log, parse_err

DIRECT = (not itlib.PROXY) or os.environ.get("TESSERA_HOSTILE_DIRECT") == "1"
SLICE0 = itlib.BASE_PORT
TENANTS = {"tenant_a": ("tenant_a_pw", "hp_a"), "tenant_b": ("tenant_b_pw", "hp_b")}
# the pool hygiene test's checker: a third namespace on the same backend, allowed both databases
CHECKER = ("tenant_c", "tenant_c_pw", "hp_c", ("hp_a", "hp_b"))

CLIENT_LOCAL_FILES = 0x80
CLIENT_SESSION_TRACK = 0x800000
MORE_RESULTS = 0x0008


def namespace_json(name, user, password, dbs, max_capacity, port):
    allowed = ", ".join(f'"{db}": true' for db in dbs)
    return f"""{{
  "name": "{name}", "online": true, "read_only": false,
  "allowed_dbs": {{{allowed}}},
  "default_slice": "slice-0",
  "slices": [{{"name": "slice-0", "user_name": "tessera", "password": "tessera",
     "master": "127.0.0.1:{port}", "slaves": [], "statistic_slaves": [],
     "capacity": 1, "max_capacity": {max_capacity}, "idle_timeout": 60}}],
  "shard_rules": [],
  "users": [{{"user_name": "{user}", "password": "{password}", "namespace": "{name}",
             "rw_flag": 2, "rw_split": 0, "other_property": 0}}]
}}
"""


class Backend:
    """The MariaDB server behind the tenants: the shared fixture's slice 0 by default."""

    def __init__(self, port=SLICE0, socket_path=None):
        self.port = port
        self.socket_path = socket_path

    def sql(self, sql, replica=0):
        if self.socket_path is None:
            return itlib.backend_sql(0, sql, replica=replica)
        assert replica == 0
        out = subprocess.run(["mariadb", "--no-defaults", "-S", self.socket_path, "-uroot", "-N",
                              "-B", "-e", sql], check=True, capture_output=True, text=True,
                             timeout=30)
        return [line.split("\t") for line in out.stdout.splitlines()]


class PrivateCluster(Backend):
    """A one-server cluster of the test's own (no replicas) on TESSERA_IT_BASE_PORT + offset,
    for sessions that may change replication-related state (gtid_domain_id, sql_log_bin,
    skip_replication) without harming the shared cluster's replicas."""

    def __init__(self, name, offset=700):
        self.dir = os.path.join(robustlib.run_dir(name), "cluster")
        port = itlib.BASE_PORT + offset
        super().__init__(port, os.path.join(self.dir, "slice-0", "primary", "mysqld.sock"))

    def start(self):
        for attempt in range(3):
            done = subprocess.run([robustlib.CLUSTER_SH, "start", "--dir", self.dir, "--slices",
                                   "1", "--replicas", "0", "--base-port", str(self.port)],
                                  stdout=subprocess.DEVNULL, timeout=240)
            if done.returncode == 0:
                return
            log(f"private cluster start failed (attempt {attempt + 1}); retrying")
            time.sleep(5)
        raise AssertionError(f"private cluster {self.dir} did not start")

    def stop(self):
        if os.path.exists(os.path.join(self.dir, "cluster.env")):
            subprocess.run([robustlib.CLUSTER_SH, "stop", "--dir", self.dir],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)


class Proxy:
    """The private Tessera (or, in direct mode, nothing: connections go to the backend)."""

    def __init__(self, name, max_capacity=1, k=20, checker=None, backend=None,
                 acquire_timeout_ms=20000):
        self.name, self.max_capacity, self.k = name, max_capacity, k
        self.acquire_timeout_ms = acquire_timeout_ms
        self.with_checker = checker is not None
        self.backend = backend or Backend()
        self.tessera = None
        self.port = self.backend.port

    def start(self):
        for db in ("hp_a", "hp_b"):
            self.backend.sql(f"CREATE DATABASE IF NOT EXISTS {db}")
        if DIRECT:
            log(f"[{self.name}] direct mode: MariaDB at 127.0.0.1:{self.port}, no Tessera")
            return
        nss = {f"{db}.json": namespace_json(db, user, pw, [db], self.max_capacity,
                                            self.backend.port)
               for user, (pw, db) in TENANTS.items()}
        if self.with_checker:
            user, pw, ns, dbs = CHECKER
            nss[f"{ns}.json"] = namespace_json(ns, user, pw, dbs, self.max_capacity,
                                               self.backend.port)
        t = robustlib.Tessera(self.name, nss, k=self.k,
                              proxy_extra=f"pool_acquire_timeout_ms = {self.acquire_timeout_ms}\n")
        # one worker: one pool per backend, so max_capacity really is the number of backend
        # connections (each worker has its own pool)
        with open(t.config) as f:
            text = f.read()
        with open(t.config, "w") as f:
            f.write(text.replace("worker_threads = 2", "worker_threads = 1"))
        t.start()
        self.tessera = t
        self.port = t.port
        log(f"[{self.name}] private Tessera on 127.0.0.1:{t.port}, max_capacity"
            f" {self.max_capacity}, worker_threads 1")

    def stop(self):
        if self.tessera is not None:
            self.tessera.stop()

    def restart(self):
        """A new Tessera process: its backend connections are new (the server ends the old
        ones' transactions, locks and handlers when they close)."""
        if DIRECT:
            return
        self.tessera.stop()
        self.tessera.start()

    def alive(self):
        return DIRECT or self.tessera.alive()

    def check_alive(self):
        if not self.alive():
            raise AssertionError("private Tessera died; log:\n" + self.tessera.log_tail())

    def login(self, user, db="", timeout=10, extra_caps=0, collation=45):
        """A logged-in Raw connection as a tenant (db "" = the tenant's own, None = none)."""
        pw, own_db = TENANTS[user] if user in TENANTS else (CHECKER[1], None)
        if db == "":
            db = own_db
        c = Raw(self.port, timeout)
        if DIRECT:
            c.login_as("tessera", "tessera", db, extra_caps, collation)
        else:
            c.login_as(user, pw, db, extra_caps, collation)
        return c

    def direct(self, db="", timeout=10, collation=45):
        """A fresh connection straight to the backend (the reference session)."""
        c = Raw(self.backend.port, timeout)
        c.login_as("tessera", "tessera", db, 0, collation)
        return c


class Result:
    """One result of a reply: kind "ok" (affected, last_id, status, warnings), "rows" (rows,
    status) or "err" (err)."""

    def __init__(self, kind, **kw):
        self.kind = kind
        self.rows = kw.get("rows")
        self.status = kw.get("status", 0)
        self.affected = kw.get("affected")
        self.last_id = kw.get("last_id")
        self.warnings = kw.get("warnings", 0)
        self.err = kw.get("err")

    def __repr__(self):
        if self.kind == "ok":
            return f"OK(affected={self.affected}, status=0x{self.status:04x})"
        if self.kind == "rows":
            return f"ROWS({self.rows!r})"
        return f"ERR({self.err.code})"

    def brief(self):
        """A comparable summary: ("rows", rows) / ("ok", affected) / ("err", code)."""
        if self.kind == "rows":
            return ("rows", self.rows)
        if self.kind == "ok":
            return ("ok", self.affected)
        return ("err", self.err.code)


class Raw(itlib.RawConn):
    """RawConn that reads whole multi-result replies and answers LOAD DATA LOCAL requests."""

    def __init__(self, port, timeout=10):
        super().__init__(port=port, timeout=timeout)
        self.caps = 0

    def login_as(self, user, password, db, extra_caps, collation=45, local_files=True):
        self.read_greeting()
        payload = bytearray(self.handshake_response(
            user, password, db, extra_caps | itlib.CLIENT_MULTI_STATEMENTS
            | (CLIENT_LOCAL_FILES if local_files else 0)))
        payload[8] = collation
        self.caps = struct.unpack_from("<I", payload, 0)[0]
        self.send_packet(bytes(payload))
        while True:
            p = self.read_packet()
            if p[0] == 0x00:
                self.seq = 0
                return
            if p[0] == 0xFF:
                raise parse_err(p)
            if p[0] == 0xFE:
                end = p.index(b"\0", 1)
                salt = p[end + 1:].rstrip(b"\0")
                self.send_packet(itlib.native_scramble(password, salt[:20]))
                continue
            if p[0] == 0x01:
                continue
            raise AssertionError(f"unexpected packet during login: {p[:16]!r}")

    # --- replies -------------------------------------------------------------------------
    def _ok(self, p):
        aff, pos = lenenc_int(p, 1)
        lid, pos = lenenc_int(p, pos)
        status, warnings = struct.unpack_from("<HH", p, pos)
        return Result("ok", affected=aff, last_id=lid, status=status, warnings=warnings)

    def _text_rows(self, first):
        ncols, _ = lenenc_int(first, 0)
        for _ in range(ncols):
            self.read_packet()
        p = self.read_packet()
        assert p[0] == 0xFE, f"no EOF after column definitions: {p[:16]!r}"
        rows = []
        while True:
            p = self.read_packet()
            if p[0] == 0xFF:
                return Result("err", err=parse_err(p))
            if p[0] == 0xFE and len(p) < 9:
                return Result("rows", rows=rows, status=struct.unpack_from("<H", p, 3)[0])
            row, pos = [], 0
            while pos < len(p):
                n, pos = lenenc_int(p, pos)
                if n is None:
                    row.append(None)
                else:
                    row.append(p[pos:pos + n].decode(errors="replace"))
                    pos += n
            rows.append(row)

    def _binary_rows(self, first):
        ncols, _ = lenenc_int(first, 0)
        cols = [itlib.parse_column_def(self.read_packet()) for _ in range(ncols)]
        p = self.read_packet()
        assert p[0] == 0xFE, f"no EOF after column definitions: {p[:16]!r}"
        rows = []
        while True:
            p = self.read_packet()
            if p[0] == 0xFF:
                return Result("err", err=parse_err(p))
            if p[0] == 0xFE and len(p) < 9:
                return Result("rows", rows=rows, status=struct.unpack_from("<H", p, 3)[0])
            nb = (ncols + 7 + 2) // 8
            bitmap, pos, row = p[1:1 + nb], 1 + nb, []
            for i, col in enumerate(cols):
                ctype, flags = col["type"], col["flags"]
                if bitmap[(i + 2) // 8] & (1 << ((i + 2) % 8)):
                    row.append(None)
                    continue
                v, pos = itlib.decode_binary_value(ctype, flags, p, pos)
                row.append(v.decode(errors="replace") if isinstance(v, bytes) else str(v))
            rows.append(row)

    def read_results(self, first=None, binary=False, infile=b"", limit=None):
        """Reads results until one without MORE_RESULTS (or `limit` results). A LOAD DATA
        LOCAL request is answered with `infile` (bytes; b"" = refuse/empty file)."""
        out = []
        p = first if first is not None else self.read_packet()
        while True:
            if p[0] == 0xFF:
                out.append(Result("err", err=parse_err(p)))
                return out
            if p[0] == 0x00:
                r = self._ok(p)
            elif p[0] == 0xFB:  # LOCAL INFILE request: file content, then an empty packet
                if infile:
                    self.send_packet(infile)
                self.send_packet(b"")
                p = self.read_packet()
                continue
            else:
                r = self._binary_rows(p) if binary else self._text_rows(p)
            out.append(r)
            if r.kind == "err" or not r.status & MORE_RESULTS:
                return out
            if limit is not None and len(out) >= limit:
                return out
            p = self.read_packet()

    def results(self, sql, infile=b""):
        self.send_packet(b"\x03" + sql.encode(), seq=0)
        return self.read_results(infile=infile)

    def q(self, sql):
        """Runs sql; raises ErrPacket on an error; returns the results."""
        res = self.results(sql)
        for r in res:
            if r.kind == "err":
                raise r.err
        return res

    def rows(self, sql):
        res = self.q(sql)
        assert len(res) == 1 and res[0].kind == "rows", (sql, res)
        return res[0].rows

    def value(self, sql):
        return self.rows(sql)[0][0]

    def try_sql(self, sql):
        """Brief of the first result that matters: rows / ok / ("err", code)."""
        res = self.results(sql)
        return [r.brief() for r in res]

    def prepare_id(self, sql):
        """COM_STMT_PREPARE; returns (statement id, number of params) or raises ErrPacket."""
        self.send_packet(b"\x16" + sql.encode(), seq=0)
        p = self.read_packet()
        if p[0] == 0xFF:
            raise parse_err(p)
        stmt_id = struct.unpack_from("<I", p, 1)[0]
        ncols, nparams = struct.unpack_from("<HH", p, 5)
        for _ in range(nparams + (1 if nparams else 0) + ncols + (1 if ncols else 0)):
            self.read_packet()
        return stmt_id, nparams

    def execute_id(self, stmt_id):
        """COM_STMT_EXECUTE without parameters; returns all results (binary rows)."""
        self.send_packet(b"\x17" + struct.pack("<IBI", stmt_id, 0, 1), seq=0)
        return self.read_results(binary=True)

    def quit(self):
        try:
            self.send_packet(b"\x01", seq=0)
        except OSError:
            pass
        self.close()

    def abort(self):
        """Closes with a reset, as a crashed client would."""
        try:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        self.close()


def wait_until(fn, timeout, step=0.1):
    deadline = time.time() + timeout
    while True:
        v = fn()
        if v or time.time() >= deadline:
            return v
        time.sleep(step)


def direct_sql(sql, replica=0):
    """Root on slice 0 over its socket (bypassing Tessera)."""
    return itlib.backend_sql(0, sql, replica=replica)


def tessera_backend_threads():
    """Ids of slice 0's server threads logged in as the backend account (not root)."""
    rows = direct_sql("SELECT ID FROM information_schema.PROCESSLIST WHERE USER='tessera'")
    return sorted(int(r[0]) for r in rows)


__all__ = ["DIRECT", "Proxy", "Raw", "Result", "ErrPacket", "wait_until", "direct_sql", "log",
           "tessera_backend_threads"]
