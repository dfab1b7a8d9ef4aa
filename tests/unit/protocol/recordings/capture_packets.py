#!/usr/bin/python3
"""Records raw MySQL-protocol packets from a live MariaDB for the protocol unit tests.

A minimal client of our own (handshake, mysql_native_password, COM_QUERY, COM_REGISTER_SLAVE,
COM_BINLOG_DUMP) that prints each interesting payload as a C++ string literal, so recorded
bytes can be pasted into tests. Not used by the build; rerun it to refresh recordings:

  capture_packets.py ok-last-gtid  --port P --user tessera --password tessera
  capture_packets.py binlog        --port P --user repl --password repl [--events N]
"""
import argparse
import hashlib
import socket
import struct
import sys

CLIENT_LONG_PASSWORD = 1
CLIENT_PROTOCOL_41 = 1 << 9
CLIENT_TRANSACTIONS = 1 << 13
CLIENT_SECURE_CONNECTION = 1 << 15
CLIENT_PLUGIN_AUTH = 1 << 19
CLIENT_SESSION_TRACK = 1 << 23


class Conn:
    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port), timeout=10)
        self.seq = 0

    def read_exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise EOFError("server closed the connection")
            buf += chunk
        return buf

    def read(self):
        header = self.read_exact(4)
        length = header[0] | header[1] << 8 | header[2] << 16
        self.seq = (header[3] + 1) & 0xFF
        return self.read_exact(length)

    def write(self, payload):
        self.sock.sendall(struct.pack("<I", len(payload))[:3] + bytes([self.seq]) + payload)
        self.seq = (self.seq + 1) & 0xFF

    def command(self, payload):
        self.seq = 0
        self.write(payload)


def native_scramble(password, salt):
    if not password:
        return b""
    h1 = hashlib.sha1(password.encode()).digest()
    h2 = hashlib.sha1(h1).digest()
    h3 = hashlib.sha1(salt + h2).digest()
    return bytes(a ^ b for a, b in zip(h1, h3))


def login(host, port, user, password):
    c = Conn(host, port)
    hs = c.read()
    pos = 1
    pos = hs.index(b"\0", pos) + 1  # server version
    pos += 4  # connection id
    salt = hs[pos:pos + 8]
    pos += 9
    pos += 2 + 1 + 2 + 2  # caps low, charset, status, caps high
    auth_len = hs[pos]
    pos += 1 + 10
    salt += hs[pos:pos + max(13, auth_len - 8) - 1]
    caps = (CLIENT_LONG_PASSWORD | CLIENT_PROTOCOL_41 | CLIENT_TRANSACTIONS
            | CLIENT_SECURE_CONNECTION | CLIENT_PLUGIN_AUTH | CLIENT_SESSION_TRACK)
    auth = native_scramble(password, salt)
    resp = struct.pack("<IIB23x", caps, 1 << 24, 45) + user.encode() + b"\0"
    resp += bytes([len(auth)]) + auth + b"mysql_native_password\0"
    c.write(resp)
    r = c.read()
    if r[0] == 0xFE:  # auth switch
        plugin_end = r.index(b"\0", 1)
        new_salt = r[plugin_end + 1:].rstrip(b"\0")
        c.write(native_scramble(password, new_salt))
        r = c.read()
    if r[0] != 0:
        raise RuntimeError("login failed: %r" % r)
    return c


def query(c, sql):
    """Runs a statement; returns the first response packet (OK/ERR) or None for result sets."""
    c.command(b"\x03" + sql.encode())
    first = c.read()
    if first[0] in (0x00, 0xFF):
        return first
    # Result set: column defs, EOF, rows, EOF (no DEPRECATE_EOF requested).
    eofs = 0
    rows = []
    while eofs < 2:
        p = c.read()
        if p[0] == 0xFE and len(p) < 9:
            eofs += 1
        elif eofs == 1:
            rows.append(p)
        if p[0] == 0xFF:
            raise RuntimeError(p)
    return rows


def literal(data):
    return '"' + "".join("\\x%02x" % b for b in data) + '"'


def show(name, data):
    print("// %s (%d bytes)" % (name, len(data)))
    for i in range(0, len(data), 24):
        print("  " + literal(data[i:i + 24]))


def first_column(rows):
    p = rows[0]
    n = p[0]
    return p[1:1 + n].decode()


def cmd_ok_last_gtid(a):
    c = login(a.host, a.port, a.user, a.password)
    query(c, "SET SESSION session_track_system_variables='last_gtid'")
    query(c, "CREATE DATABASE IF NOT EXISTS capture")
    query(c, "CREATE TABLE IF NOT EXISTS capture.t (a INT)")
    show("OK after INSERT with last_gtid tracked", query(c, "INSERT INTO capture.t VALUES (1)"))


def cmd_binlog(a):
    c = login(a.host, a.port, a.user, a.password)
    pos = first_column(query(c, "SELECT @@gtid_binlog_pos"))
    query(c, "SET @mariadb_slave_capability=4")
    query(c, "SET @master_binlog_checksum=@@global.binlog_checksum")
    query(c, "SET @slave_connect_state='%s'" % a.start_state if a.start_state is not None
          else "SET @slave_connect_state='%s'" % pos)
    query(c, "SET @master_heartbeat_period=%d" % int(a.heartbeat * 1e9))
    server_id = 4000 + (a.port % 1000)
    c.command(b"\x15" + struct.pack("<IB", server_id, 0) + b"\0\0" + struct.pack("<HII", 0, 0, 0))
    c.read()
    c.command(b"\x12" + struct.pack("<IHI", 4, 0, server_id) + b"")
    for i in range(a.events):
        p = c.read()
        if i == 4 and a.write_port:
            # The stream is positioned (fake ROTATE, FORMAT_DESCRIPTION, GTID_LIST went by):
            # commit a few transactions on the primary for the replica to stream to us.
            w = login(a.host, a.write_port, a.write_user, a.write_password)
            for sql in a.write:
                query(w, sql)
        show("binlog packet %d" % i, p)
        if p[0] != 0:
            break


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["ok-last-gtid", "binlog"])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--user", default="tessera")
    ap.add_argument("--password", default="tessera")
    ap.add_argument("--events", type=int, default=8)
    ap.add_argument("--heartbeat", type=float, default=1.0)
    ap.add_argument("--start-state", default=None)
    ap.add_argument("--write-port", type=int, default=0)
    ap.add_argument("--write-user", default="tessera")
    ap.add_argument("--write-password", default="tessera")
    ap.add_argument("--write", action="append", default=[])
    a = ap.parse_args()
    {"ok-last-gtid": cmd_ok_last_gtid, "binlog": cmd_binlog}[a.what](a)


if __name__ == "__main__":
    sys.exit(main())
