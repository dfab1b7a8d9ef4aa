"""Shared helpers for Tessera's integration tests.

Everything is configured through environment variables (set by ctest, see CMakeLists.txt):
  TESSERA_IT_MODE        "proxy" (through Tessera) or "direct" (straight to MariaDB)
  TESSERA_IT_HOST/PORT   where the tests connect (Tessera, or slice-0's primary in direct mode)
  TESSERA_IT_CLUSTER_DIR the cluster started by scripts/cluster.sh
  TESSERA_IT_BASE_PORT   the cluster's base port (slice i primary = base + 10*i)
  TESSERA_IT_BROKEN_USER a front user whose namespace points at a closed port (proxy mode)

Run one file by hand against a running cluster, e.g.
  TESSERA_IT_MODE=direct TESSERA_IT_PORT=24306 TESSERA_IT_CLUSTER_DIR=build/it-cluster \
      /usr/bin/python3 tests/integration/test_auth.py
"""

import hashlib
import os
import socket
import struct
import subprocess
import sys
import time

MODE = os.environ.get("TESSERA_IT_MODE", "proxy")
HOST = os.environ.get("TESSERA_IT_HOST", "127.0.0.1")
PORT = int(os.environ.get("TESSERA_IT_PORT", "14306"))
BASE_PORT = int(os.environ.get("TESSERA_IT_BASE_PORT", "24306"))
CLUSTER_DIR = os.environ.get("TESSERA_IT_CLUSTER_DIR", "")
BROKEN_USER = os.environ.get("TESSERA_IT_BROKEN_USER", "broken")
BROKEN_PASSWORD = os.environ.get("TESSERA_IT_BROKEN_PASSWORD", "broken_pw")
PROXY = MODE == "proxy"

USERS = {
    "app": "app_pw",
    "sbtest": "sbtest",
    "sha2user": "sha2_pw",
    "shard": "shard_pw",  # the sharded namespace (config/it_shard.json.in)
}


def log(*args):
    print(*args, flush=True)


def connect(user="app", password=None, **kw):
    import pymysql

    if password is None:
        password = USERS[user]
    kw.setdefault("connect_timeout", 10)
    kw.setdefault("read_timeout", 60)
    kw.setdefault("write_timeout", 60)
    return pymysql.connect(host=HOST, port=PORT, user=user, password=password, **kw)


def backend_sql(slice_index, sql, replica=0):
    """Runs SQL as root on a backend over its unix socket (bypassing Tessera)."""
    role = "primary" if replica == 0 else f"replica-{replica}"
    sock = os.path.join(CLUSTER_DIR, f"slice-{slice_index}", role, "mysqld.sock")
    out = subprocess.run(
        ["mariadb", "--no-defaults", "-S", sock, "-uroot", "-N", "-B", "-e", sql],
        check=True, capture_output=True, text=True, timeout=30)
    return [line.split("\t") for line in out.stdout.splitlines()]


# --------------------------------------------------------------------------------------------
# A small raw MySQL protocol client, for sending what a well-behaved driver never would.

CLIENT_LONG_PASSWORD = 0x1
CLIENT_FOUND_ROWS = 0x2
CLIENT_LONG_FLAG = 0x4
CLIENT_CONNECT_WITH_DB = 0x8
CLIENT_PROTOCOL_41 = 0x200
CLIENT_TRANSACTIONS = 0x2000
CLIENT_SECURE_CONNECTION = 0x8000
CLIENT_MULTI_STATEMENTS = 0x10000
CLIENT_MULTI_RESULTS = 0x20000
CLIENT_PLUGIN_AUTH = 0x80000
CLIENT_DEPRECATE_EOF = 0x1000000

BASE_CAPS = (CLIENT_LONG_PASSWORD | CLIENT_LONG_FLAG | CLIENT_PROTOCOL_41 | CLIENT_TRANSACTIONS
             | CLIENT_SECURE_CONNECTION | CLIENT_MULTI_RESULTS | CLIENT_PLUGIN_AUTH)


class Closed(Exception):
    """The server closed the connection."""


class ErrPacket(Exception):
    def __init__(self, code, state, message):
        super().__init__(f"ERR {code} ({state}): {message}")
        self.code, self.state, self.message = code, state, message


def parse_err(payload):
    code = struct.unpack_from("<H", payload, 1)[0]
    if len(payload) >= 9 and payload[3:4] == b"#":
        return ErrPacket(code, payload[4:9].decode(), payload[9:].decode(errors="replace"))
    return ErrPacket(code, "", payload[3:].decode(errors="replace"))


def native_scramble(password, salt):
    if not password:
        return b""
    p1 = hashlib.sha1(password.encode()).digest()
    p2 = hashlib.sha1(p1).digest()
    p3 = hashlib.sha1(salt + p2).digest()
    return bytes(a ^ b for a, b in zip(p1, p3))


def lenenc_int(data, pos):
    b = data[pos]
    if b < 0xFB:
        return b, pos + 1
    if b == 0xFC:
        return struct.unpack_from("<H", data, pos + 1)[0], pos + 3
    if b == 0xFD:
        return int.from_bytes(data[pos + 1:pos + 4], "little"), pos + 4
    if b == 0xFE:
        return struct.unpack_from("<Q", data, pos + 1)[0], pos + 9
    return None, pos + 1  # 0xFB = NULL


class RawConn:
    def __init__(self, host=HOST, port=PORT, timeout=15):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.seq = 0
        self.greeting = None

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    # framing
    def recv_exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise Closed(f"connection closed after {len(buf)} of {n} bytes")
            buf += chunk
        return buf

    def read_packet(self):
        payload = b""
        while True:
            hdr = self.recv_exact(4)
            length = int.from_bytes(hdr[:3], "little")
            self.seq = (hdr[3] + 1) & 0xFF
            payload += self.recv_exact(length)
            if length < 0xFFFFFF:
                return payload

    def send_raw(self, data):
        self.sock.sendall(data)

    def send_packet(self, payload, seq=None):
        if seq is None:
            seq = self.seq
        self.sock.sendall(len(payload).to_bytes(3, "little") + bytes([seq & 0xFF]) + payload)
        self.seq = (seq + 1) & 0xFF

    def read_greeting(self):
        p = self.read_packet()
        if p[0] == 0xFF:
            raise parse_err(p)
        assert p[0] == 10, f"unexpected protocol version {p[0]}"
        pos = p.index(b"\0", 1)
        version = p[1:pos].decode()
        pos += 1
        conn_id = struct.unpack_from("<I", p, pos)[0]
        pos += 4
        salt1 = p[pos:pos + 8]
        pos += 9
        caps = struct.unpack_from("<H", p, pos)[0]
        pos += 2
        plugin = "mysql_native_password"
        salt2 = b""
        if len(p) > pos:
            pos += 1  # charset
            pos += 2  # status
            caps |= struct.unpack_from("<H", p, pos)[0] << 16
            pos += 2
            auth_len = p[pos]
            pos += 1 + 10
            n = max(13, auth_len - 8)
            salt2 = p[pos:pos + n].rstrip(b"\0")
            pos += n
            if caps & CLIENT_PLUGIN_AUTH:
                plugin = p[pos:].split(b"\0")[0].decode()
        self.greeting = dict(version=version, conn_id=conn_id, caps=caps,
                             salt=salt1 + salt2, plugin=plugin)
        return self.greeting

    def handshake_response(self, user, password, db=None, extra_caps=0, seq=None):
        g = self.greeting
        caps = BASE_CAPS | extra_caps | (CLIENT_CONNECT_WITH_DB if db else 0)
        auth = native_scramble(password, g["salt"][:20])
        payload = struct.pack("<IIB23x", caps, 16 * 1024 * 1024, 45)
        payload += user.encode() + b"\0" + bytes([len(auth)]) + auth
        if db:
            payload += db.encode() + b"\0"
        payload += b"mysql_native_password\0"
        return payload

    def login(self, user="app", password=None, db=None, extra_caps=0):
        """Full login with mysql_native_password (following an auth switch if asked).
        Raises ErrPacket when the server refuses."""
        if password is None:
            password = USERS[user]
        self.read_greeting()
        self.send_packet(self.handshake_response(user, password, db, extra_caps))
        while True:
            p = self.read_packet()
            if p[0] == 0x00:
                self.seq = 0
                return p
            if p[0] == 0xFF:
                raise parse_err(p)
            if p[0] == 0xFE:  # auth switch request
                end = p.index(b"\0", 1)
                plugin = p[1:end].decode()
                salt = p[end + 1:].rstrip(b"\0")
                if plugin != "mysql_native_password":
                    raise AssertionError(f"server asked for auth plugin {plugin}")
                self.send_packet(native_scramble(password, salt[:20]))
                continue
            if p[0] == 0x01:  # auth more data (caching_sha2 fast path result etc.)
                continue
            raise AssertionError(f"unexpected packet during login: {p[:16]!r}")

    def command(self, payload):
        """Sends one command packet (seq 0) and returns the first response packet."""
        self.send_packet(payload, seq=0)
        return self.read_packet()

    def query(self, sql):
        """COM_QUERY; returns ("ok", packet) or ("rows", [[values...]]); raises ErrPacket."""
        first = self.command(b"\x03" + sql.encode())
        if first[0] == 0xFF:
            raise parse_err(first)
        if first[0] == 0x00:
            return "ok", first
        ncols, _ = lenenc_int(first, 0)
        for _ in range(ncols):
            self.read_packet()
        p = self.read_packet()  # EOF after column definitions (no CLIENT_DEPRECATE_EOF)
        assert p[0] == 0xFE, p
        rows = []
        while True:
            p = self.read_packet()
            if p[0] == 0xFE and len(p) < 9:
                return "rows", rows
            if p[0] == 0xFF:
                raise parse_err(p)
            row, pos = [], 0
            while pos < len(p):
                n, pos = lenenc_int(p, pos)
                if n is None:
                    row.append(None)
                else:
                    row.append(p[pos:pos + n].decode())
                    pos += n
            rows.append(row)


# --- binary protocol (server-side prepared statements) ---------------------------------------

T_TINY, T_SHORT, T_LONG, T_FLOAT, T_DOUBLE, T_NULL = 0x01, 0x02, 0x03, 0x04, 0x05, 0x06
T_LONGLONG, T_INT24, T_YEAR = 0x08, 0x09, 0x0D
T_DATE, T_TIME, T_DATETIME, T_TIMESTAMP = 0x0A, 0x0B, 0x0C, 0x07
T_VAR_STRING, T_STRING, T_BLOB = 0xFD, 0xFE, 0xFC


def read_lenenc_bytes(data, pos):
    n, pos = lenenc_int(data, pos)
    if n is None:
        return None, pos
    return data[pos:pos + n], pos + n


def parse_column_def(p):
    pos = 0
    fields = []
    for _ in range(6):  # catalog, schema, table, org_table, name, org_name
        v, pos = read_lenenc_bytes(p, pos)
        fields.append(v)
    _, pos = lenenc_int(p, pos)  # length of fixed fields (0x0c)
    charset, length, ctype, flags, decimals = struct.unpack_from("<HIBHB", p, pos)
    return dict(name=fields[4].decode(), type=ctype, flags=flags, charset=charset)


def encode_param(value):
    """Returns (type byte, unsigned flag, bytes) for COM_STMT_EXECUTE."""
    if value is None:
        return T_NULL, 0, b""
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, int):
        if value >= 1 << 63:
            return T_LONGLONG, 0x80, struct.pack("<Q", value)  # unsigned flag
        return T_LONGLONG, 0, struct.pack("<q", value)
    if isinstance(value, float):
        return T_DOUBLE, 0, struct.pack("<d", value)
    if isinstance(value, str):
        value = value.encode()
    n = len(value)
    if n < 0xFB:
        head = bytes([n])
    elif n < 1 << 16:
        head = b"\xfc" + struct.pack("<H", n)
    elif n < 1 << 24:
        head = b"\xfd" + n.to_bytes(3, "little")
    else:
        head = b"\xfe" + struct.pack("<Q", n)
    return T_VAR_STRING, 0, head + value


def decode_binary_value(ctype, flags, p, pos):
    unsigned = bool(flags & 0x20)
    fixed = {T_TINY: ("b", 1), T_SHORT: ("h", 2), T_YEAR: ("h", 2), T_LONG: ("i", 4),
             T_INT24: ("i", 4), T_LONGLONG: ("q", 8), T_FLOAT: ("f", 4), T_DOUBLE: ("d", 8)}
    if ctype in fixed:
        fmt, size = fixed[ctype]
        if unsigned and fmt in "bhiq":
            fmt = fmt.upper()
        return struct.unpack_from("<" + fmt, p, pos)[0], pos + size
    if ctype in (T_DATE, T_DATETIME, T_TIMESTAMP):
        n = p[pos]
        b = p[pos + 1:pos + 1 + n]
        pos += 1 + n
        if n == 0:
            return "0000-00-00", pos
        y, mo, d = struct.unpack_from("<HBB", b, 0)
        s = f"{y:04d}-{mo:02d}-{d:02d}"
        if n >= 7:
            h, mi, se = b[4], b[5], b[6]
            s += f" {h:02d}:{mi:02d}:{se:02d}"
        if n == 11:
            s += f".{struct.unpack_from('<I', b, 7)[0]:06d}"
        return s, pos
    if ctype == T_TIME:
        n = p[pos]
        b = p[pos + 1:pos + 1 + n]
        pos += 1 + n
        if n == 0:
            return "00:00:00", pos
        neg, days, h, mi, se = struct.unpack_from("<BIBBB", b, 0)
        return f"{'-' if neg else ''}{days * 24 + h:02d}:{mi:02d}:{se:02d}", pos
    v, pos = read_lenenc_bytes(p, pos)
    return v, pos


class Stmt:
    def __init__(self, conn, stmt_id, params, columns):
        self.conn, self.id, self.params, self.columns = conn, stmt_id, params, columns


def _raw_prepare(self, sql):
    p = self.command(b"\x16" + sql.encode())
    if p[0] == 0xFF:
        raise parse_err(p)
    assert p[0] == 0x00, p[:20]
    stmt_id, ncols, nparams = struct.unpack_from("<IHH", p, 1)
    params, columns = [], []
    if nparams:
        params = [parse_column_def(self.read_packet()) for _ in range(nparams)]
        assert self.read_packet()[0] == 0xFE
    if ncols:
        columns = [parse_column_def(self.read_packet()) for _ in range(ncols)]
        assert self.read_packet()[0] == 0xFE
    return Stmt(self, stmt_id, params, columns)


def _raw_execute(self, stmt, args=(), stmt_id=None, long_data=()):
    """COM_STMT_EXECUTE. Returns ("ok", affected_rows) or ("rows", [[...]]); raises ErrPacket.
    `long_data`: indexes of params already sent with COM_STMT_SEND_LONG_DATA."""
    sid = stmt.id if stmt_id is None else stmt_id
    payload = b"\x17" + struct.pack("<IBI", sid, 0, 1)
    if args:
        nulls = bytearray((len(args) + 7) // 8)
        types, values = b"", b""
        for i, a in enumerate(args):
            if i in long_data:
                types += bytes([T_BLOB, 0])
                continue
            t, u, v = encode_param(a)
            if a is None:
                nulls[i // 8] |= 1 << (i % 8)
            types += bytes([t, u])
            values += v
        payload += bytes(nulls) + b"\x01" + types + values
    p = self.command(payload)
    if p[0] == 0xFF:
        raise parse_err(p)
    if p[0] == 0x00:
        affected, _ = lenenc_int(p, 1)
        return "ok", affected
    ncols, _ = lenenc_int(p, 0)
    cols = [parse_column_def(self.read_packet()) for _ in range(ncols)]
    assert self.read_packet()[0] == 0xFE
    rows = []
    while True:
        p = self.read_packet()
        if p[0] == 0xFE and len(p) < 9:
            return "rows", rows
        if p[0] == 0xFF:
            raise parse_err(p)
        assert p[0] == 0x00, p[:20]
        nbytes = (ncols + 7 + 2) // 8
        bitmap = p[1:1 + nbytes]
        pos = 1 + nbytes
        row = []
        for i, c in enumerate(cols):
            bit = i + 2
            if bitmap[bit // 8] & (1 << (bit % 8)):
                row.append(None)
                continue
            v, pos = decode_binary_value(c["type"], c["flags"], p, pos)
            row.append(v)
        rows.append(row)


def _raw_send_long_data(self, stmt, param, data):
    self.send_packet(b"\x18" + struct.pack("<IH", stmt.id, param) + data, seq=0)  # no response


def _raw_stmt_close(self, stmt_or_id):
    sid = stmt_or_id.id if isinstance(stmt_or_id, Stmt) else stmt_or_id
    self.send_packet(b"\x19" + struct.pack("<I", sid), seq=0)  # no response


def _raw_stmt_reset(self, stmt):
    p = self.command(b"\x1a" + struct.pack("<I", stmt.id))
    if p[0] == 0xFF:
        raise parse_err(p)
    return p


RawConn.prepare = _raw_prepare
RawConn.execute = _raw_execute
RawConn.send_long_data = _raw_send_long_data
RawConn.stmt_close = _raw_stmt_close
RawConn.stmt_reset = _raw_stmt_reset


def expect_err_or_close(conn, what, timeout=15):
    """Reads until an ERR packet or a close. Returns the ErrPacket or None (closed).
    Fails (AssertionError) if the server neither answers nor closes within `timeout`."""
    conn.sock.settimeout(timeout)
    try:
        while True:
            p = conn.read_packet()
            if p and p[0] == 0xFF:
                return parse_err(p)
    except Closed:
        return None
    except ConnectionResetError:
        return None
    except socket.timeout:
        raise AssertionError(f"{what}: no ERR and no close within {timeout}s (hang)")


def assert_serving(label=""):
    """A fresh normal session still works."""
    c = RawConn()
    try:
        c.login("app")
        kind, rows = c.query("SELECT 40 + 2")
        assert rows == [["42"]], rows
    finally:
        c.close()
    if label:
        log(f"  still serving after: {label}")


def wait_for_port(host, port, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            socket.create_connection((host, port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.2)
    return False


def require_target_alive():
    """In proxy mode, exit at once (with Tessera's last log lines) if it is not running, so a
    crash in an earlier test does not show up as a wall of 'connection refused' here."""
    here = os.path.dirname(os.path.abspath(__file__))
    if PROXY and os.environ.get("TESSERA_IT_RUN_DIR"):
        r = subprocess.run(["bash", os.path.join(here, "fixture.sh"), "check"])
        if r.returncode != 0:
            sys.exit(1)


def main_unittest():
    import unittest

    require_target_alive()
    log(f"[itlib] mode={MODE} target={HOST}:{PORT}")
    unittest.main(verbosity=2)


if __name__ == "__main__":
    sys.exit("itlib is a library")
