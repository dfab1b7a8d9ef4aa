"""Issue 16: a raw MySQL/MariaDB protocol client that decodes every packet of a reply into plain
Python values (dicts, lists, bytes, numbers), so that two replies - one from MariaDB directly and
one through Tessera - can be compared field by field.

It extends itlib.RawConn (framing, scramble, lenenc helpers) with:
  - a handshake with chosen capabilities (incl. MariaDB's extended capabilities), collation,
    connect attributes and database; the greeting and the login OK are decoded and kept
  - COM_QUERY / COM_STMT_PREPARE / COM_STMT_EXECUTE (every parameter type) / COM_INIT_DB /
    COM_PING / COM_RESET_CONNECTION / COM_FIELD_LIST / COM_STMT_RESET replies read completely,
    through every result of a multi-result reply
  - OK (affected rows, insert id, status, warnings, info, session-state-change entries), EOF,
    ERR (code, SQLSTATE, message), column definitions (every field, MariaDB's extended type
    info), text rows and binary rows (every column type, NULL bitmap checked)
  - the compressed protocol (CLIENT_COMPRESS, zlib) when asked for: packets are wrapped and
    unwrapped as Connector/C does, and the compressed sequence ids of every reply are checked
    (each command restarts them at 0; a reply continues after the last id sent)
"""
import datetime
import decimal
import os
import struct
import sys
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import itlib  # noqa: E402
from itlib import lenenc_int, read_lenenc_bytes  # noqa: E402

# capability flags (lower 32 bits) and MariaDB's extended ones (the greeting's/handshake's filler)
CLIENT_LONG_PASSWORD = 0x1
CLIENT_FOUND_ROWS = 0x2
CLIENT_LONG_FLAG = 0x4
CLIENT_CONNECT_WITH_DB = 0x8
CLIENT_NO_SCHEMA = 0x10
CLIENT_COMPRESS = 0x20
CLIENT_LOCAL_FILES = 0x80
CLIENT_IGNORE_SPACE = 0x100
CLIENT_PROTOCOL_41 = 0x200
CLIENT_INTERACTIVE = 0x400
CLIENT_TRANSACTIONS = 0x2000
CLIENT_SECURE_CONNECTION = 0x8000
CLIENT_MULTI_STATEMENTS = 0x10000
CLIENT_MULTI_RESULTS = 0x20000
CLIENT_PS_MULTI_RESULTS = 0x40000
CLIENT_PLUGIN_AUTH = 0x80000
CLIENT_CONNECT_ATTRS = 0x100000
CLIENT_PLUGIN_AUTH_LENENC = 0x200000
CLIENT_SESSION_TRACK = 0x800000
CLIENT_DEPRECATE_EOF = 0x1000000
MARIADB_CLIENT_PROGRESS = 1 << 0  # extended (bit 32 + n)
MARIADB_CLIENT_STMT_BULK_OPERATIONS = 1 << 2
MARIADB_CLIENT_EXTENDED_TYPE_INFO = 1 << 3
MARIADB_CLIENT_CACHE_METADATA = 1 << 4

SERVER_MORE_RESULTS_EXISTS = 0x0008
SERVER_SESSION_STATE_CHANGED = 0x4000

# column types
TYPES = {0x00: "DECIMAL", 0x01: "TINY", 0x02: "SHORT", 0x03: "LONG", 0x04: "FLOAT",
         0x05: "DOUBLE", 0x06: "NULL", 0x07: "TIMESTAMP", 0x08: "LONGLONG", 0x09: "INT24",
         0x0A: "DATE", 0x0B: "TIME", 0x0C: "DATETIME", 0x0D: "YEAR", 0x0E: "NEWDATE",
         0x0F: "VARCHAR", 0x10: "BIT", 0x11: "TIMESTAMP2", 0x12: "DATETIME2", 0x13: "TIME2",
         0xF5: "JSON", 0xF6: "NEWDECIMAL", 0xF7: "ENUM", 0xF8: "SET", 0xF9: "TINY_BLOB",
         0xFA: "MEDIUM_BLOB", 0xFB: "LONG_BLOB", 0xFC: "BLOB", 0xFD: "VAR_STRING",
         0xFE: "STRING", 0xFF: "GEOMETRY"}
TYPE_CODES = {v.lower(): k for k, v in TYPES.items()}


class ProtocolError(AssertionError):
    """A reply that does not parse (a bug on whichever side sent it)."""


# --- packet decoders (pure functions of the payload) -----------------------------------------

def decode_greeting(p):
    if p[0] == 0xFF:
        return {"kind": "err", **decode_err(p, True)}
    pos = p.index(b"\0", 1)
    g = {"protocol": p[0], "version": p[1:pos].decode(errors="replace")}
    pos += 1
    g["connection_id"] = struct.unpack_from("<I", p, pos)[0]
    pos += 4
    salt1 = p[pos:pos + 8]
    pos += 8
    g["filler"] = p[pos]
    pos += 1
    caps = struct.unpack_from("<H", p, pos)[0]
    pos += 2
    g["charset"], g["status"], hi = struct.unpack_from("<BHH", p, pos)
    pos += 5
    caps |= hi << 16
    g["capabilities"] = caps
    auth_len = p[pos]
    pos += 1
    g["reserved"] = p[pos:pos + 6].hex()
    pos += 6
    # MariaDB: when CLIENT_LONG_PASSWORD is off (it is, for a MariaDB server) the last 4 filler
    # bytes hold the extended capabilities
    g["ext_capabilities"] = struct.unpack_from("<I", p, pos)[0]
    pos += 4
    n = max(13, auth_len - 8)
    salt2 = p[pos:pos + n]
    pos += n
    g["auth_data_len"] = auth_len
    g["scramble"] = salt1 + salt2.rstrip(b"\0")
    g["auth_plugin"] = p[pos:].split(b"\0")[0].decode() if caps & CLIENT_PLUGIN_AUTH else None
    return g


def decode_err(p, caps41=True):
    code = struct.unpack_from("<H", p, 1)[0]
    if code == 0xFFFF:  # progress report
        return {"code": code, "progress": p[3:].hex()}
    if len(p) >= 9 and p[3:4] == b"#":
        return {"code": code, "sqlstate": p[4:9].decode(errors="replace"),
                "message": p[9:].decode(errors="replace")}
    return {"code": code, "sqlstate": None, "message": p[3:].decode(errors="replace")}


def decode_session_state(data):
    """The session-state-change block of an OK: a list of [type, decoded entry]."""
    out, pos = [], 0
    while pos < len(data):
        t = data[pos]
        body, pos = read_lenenc_bytes(data, pos + 1)
        if t == 0:  # SESSION_TRACK_SYSTEM_VARIABLES: name, value
            name, q = read_lenenc_bytes(body, 0)
            value, q = read_lenenc_bytes(body, q)
            out.append(["system_variable", name.decode(errors="replace"),
                        value.decode(errors="replace")])
        elif t == 1:  # SESSION_TRACK_SCHEMA
            name, _ = read_lenenc_bytes(body, 0)
            out.append(["schema", name.decode(errors="replace")])
        elif t == 2:  # SESSION_TRACK_STATE_CHANGE
            v, _ = read_lenenc_bytes(body, 0)
            out.append(["state_change", v.decode(errors="replace")])
        elif t == 3:  # SESSION_TRACK_GTIDS
            out.append(["gtids", body.hex()])
        elif t == 4:  # SESSION_TRACK_TRANSACTION_CHARACTERISTICS
            v, _ = read_lenenc_bytes(body, 0)
            out.append(["trx_characteristics", v.decode(errors="replace")])
        elif t == 5:  # SESSION_TRACK_TRANSACTION_STATE
            v, _ = read_lenenc_bytes(body, 0)
            out.append(["trx_state", v.decode(errors="replace")])
        else:
            out.append(["type_%d" % t, body.hex()])
    return out


def decode_ok(p, caps):
    d = {"header": p[0]}
    d["affected_rows"], pos = lenenc_int(p, 1)
    d["last_insert_id"], pos = lenenc_int(p, pos)
    d["status"], d["warnings"] = struct.unpack_from("<HH", p, pos)
    pos += 4
    if caps & CLIENT_SESSION_TRACK:
        if pos < len(p):
            info, pos = read_lenenc_bytes(p, pos)
            d["info"] = info.decode(errors="replace")
            if d["status"] & SERVER_SESSION_STATE_CHANGED:
                state, pos = read_lenenc_bytes(p, pos)
                d["session_state"] = decode_session_state(state)
        else:
            d["info"] = ""
    else:
        d["info"] = p[pos:].decode(errors="replace")
        pos = len(p)
    if pos != len(p):
        d["trailing"] = p[pos:].hex()
    return d


def decode_eof(p):
    if len(p) >= 5:
        w, s = struct.unpack_from("<HH", p, 1)
        return {"warnings": w, "status": s}
    return {"short_eof": p.hex()}


def decode_column(p, ext_caps):
    names = ["catalog", "schema", "table", "org_table", "name", "org_name"]
    c, pos = {}, 0
    for n in names:
        v, pos = read_lenenc_bytes(p, pos)
        c[n] = v.decode(errors="replace") if v is not None else None
    if ext_caps & MARIADB_CLIENT_EXTENDED_TYPE_INFO:
        ext, pos = read_lenenc_bytes(p, pos)
        meta, q = {}, 0
        while q < len(ext):
            t = ext[q]
            v, q = read_lenenc_bytes(ext, q + 1)
            meta[{0: "type_name", 1: "format_name"}.get(t, "ext_%d" % t)] = v.decode(errors="replace")
        c["extended"] = meta
    c["fixed_len"], pos = lenenc_int(p, pos)
    c["charset"], c["length"], t, c["flags"], c["decimals"] = struct.unpack_from("<HIBHB", p, pos)
    c["type"] = TYPES.get(t, "0x%02x" % t)
    c["type_code"] = t
    pos += 10
    c["filler"] = p[pos:pos + 2].hex()
    pos += 2
    if pos < len(p):  # COM_FIELD_LIST: default value
        c["default"] = p[pos:].hex()
    return c


def decode_text_row(p, ncols):
    row, pos = [], 0
    for _ in range(ncols):
        v, pos = read_lenenc_bytes(p, pos)
        row.append(v)
    if pos != len(p):
        raise ProtocolError(f"text row: {len(p) - pos} bytes left after {ncols} columns")
    return row


def _temporal(b, with_time):
    n = len(b)
    if n == 0:
        return "0000-00-00" + (" 00:00:00" if with_time else "")
    y, mo, d = struct.unpack_from("<HBB", b, 0)
    s = f"{y:04d}-{mo:02d}-{d:02d}"
    if n >= 7:
        s += f" {b[4]:02d}:{b[5]:02d}:{b[6]:02d}"
    if n == 11:
        s += f".{struct.unpack_from('<I', b, 7)[0]:06d}"
    return f"[{n}]{s}"  # the length is part of the value: it says which fields were sent


def _time(b):
    n = len(b)
    if n == 0:
        return "[0]00:00:00"
    neg, days, h, mi, se = struct.unpack_from("<BIBBB", b, 0)
    s = f"{'-' if neg else ''}{days}d {h:02d}:{mi:02d}:{se:02d}"
    if n == 12:
        s += f".{struct.unpack_from('<I', b, 8)[0]:06d}"
    return f"[{n}]{s}"


def decode_binary_row(p, cols):
    if p[0] != 0x00:
        raise ProtocolError(f"binary row header 0x{p[0]:02x}")
    ncols = len(cols)
    nb = (ncols + 7 + 2) // 8
    bitmap, pos = p[1:1 + nb], 1 + nb
    row = []
    for i, c in enumerate(cols):
        bit = i + 2
        if bitmap[bit // 8] & (1 << (bit % 8)):
            row.append(None)
            continue
        t, unsigned = c["type_code"], bool(c["flags"] & 0x20)
        fixed = {0x01: "b", 0x02: "h", 0x0D: "h", 0x03: "i", 0x09: "i", 0x08: "q",
                 0x04: "f", 0x05: "d"}
        if t in fixed:
            fmt = fixed[t]
            if unsigned and fmt in "bhiq":
                fmt = fmt.upper()
            v = struct.unpack_from("<" + fmt, p, pos)[0]
            pos += struct.calcsize("<" + fmt)
            row.append(repr(v) if isinstance(v, float) else v)
        elif t in (0x0A, 0x0C, 0x07, 0x0E, 0x11, 0x12):
            n = p[pos]
            row.append(_temporal(p[pos + 1:pos + 1 + n], t != 0x0A))
            pos += 1 + n
        elif t in (0x0B, 0x13):
            n = p[pos]
            row.append(_time(p[pos + 1:pos + 1 + n]))
            pos += 1 + n
        else:
            v, pos = read_lenenc_bytes(p, pos)
            row.append(v)
    # the two reserved bitmap bits must be zero, and nothing may follow the last value
    if nb and bitmap[0] & 0x03:
        raise ProtocolError("binary row: reserved NULL-bitmap bits set")
    if pos != len(p):
        raise ProtocolError(f"binary row: {len(p) - pos} bytes left after {ncols} columns")
    return row


# --- parameters for COM_STMT_EXECUTE ---------------------------------------------------------

def _lenenc_str(b):
    n = len(b)
    if n < 0xFB:
        return bytes([n]) + b
    if n < 1 << 16:
        return b"\xfc" + struct.pack("<H", n) + b
    if n < 1 << 24:
        return b"\xfd" + n.to_bytes(3, "little") + b
    return b"\xfe" + struct.pack("<Q", n) + b


def _bytes_of(v):
    if isinstance(v, str) and v.startswith("hex:"):
        return bytes.fromhex(v[4:])
    return v.encode() if isinstance(v, str) else bytes(v)


def encode_param(kind, value):
    """(type code, flag byte, value bytes) for one typed parameter of the corpus: kind is a
    type name (tiny, short, long, longlong, float, double, decimal, string, blob, date,
    datetime, timestamp, time, year, null, json, bit, ...), prefixed with 'u' for unsigned."""
    unsigned = 0
    if kind.startswith("u") and kind[1:] in ("tiny", "short", "long", "longlong", "int24"):
        unsigned, kind = 0x80, kind[1:]
    if value is None or kind == "null":
        return TYPE_CODES["null"] if kind == "null" else TYPE_CODES.get(kind, 0x06), unsigned, None
    ints = {"tiny": "b", "short": "h", "year": "h", "long": "i", "int24": "i", "longlong": "q"}
    if kind in ints:
        fmt = ints[kind].upper() if unsigned else ints[kind]
        return TYPE_CODES[kind], unsigned, struct.pack("<" + fmt, value)
    if kind == "float":
        return TYPE_CODES["float"], 0, struct.pack("<f", value)
    if kind == "double":
        return TYPE_CODES["double"], 0, struct.pack("<d", value)
    if kind in ("date", "datetime", "timestamp"):
        dt = datetime.datetime.fromisoformat(value) if " " in value or "T" in value else \
            datetime.datetime.fromisoformat(value + " 00:00:00")
        if kind == "date":
            b = struct.pack("<HBB", dt.year, dt.month, dt.day)
        elif dt.microsecond:
            b = struct.pack("<HBBBBBI", dt.year, dt.month, dt.day, dt.hour, dt.minute,
                            dt.second, dt.microsecond)
        else:
            b = struct.pack("<HBBBBB", dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second)
        return TYPE_CODES[kind], 0, bytes([len(b)]) + b
    if kind == "time":
        neg = value.startswith("-")
        hms, _, frac = value.lstrip("-").partition(".")
        h, mi, se = (int(x) for x in hms.split(":"))
        micro = int((frac + "000000")[:6]) if frac else 0
        days, h = divmod(h, 24)
        b = struct.pack("<BIBBB", neg, days, h, mi, se)
        if micro:
            b += struct.pack("<I", micro)
        return TYPE_CODES["time"], 0, bytes([len(b)]) + b
    code = {"decimal": 0xF6, "string": 0xFE, "varchar": 0x0F, "var_string": 0xFD,
            "blob": 0xFC, "tiny_blob": 0xF9, "medium_blob": 0xFA, "long_blob": 0xFB,
            "json": 0xF5, "bit": 0x10, "enum": 0xF7, "set": 0xF8, "geometry": 0xFF}[kind]
    if isinstance(value, (int, float, decimal.Decimal)):
        value = str(value)
    return code, 0, _lenenc_str(_bytes_of(value))


# --- the connection --------------------------------------------------------------------------

class Wire(itlib.RawConn):
    def __init__(self, host, port, timeout=20):
        super().__init__(host=host, port=port, timeout=timeout)
        self.caps = 0
        self.ext_caps = 0
        self.greeting_decoded = None
        self.login_reply = None
        self.compressed = False
        self.cseq = 0
        self._inflated = bytearray()
        self.compressed_packets = 0  # received
        self.stored_packets = 0  # received with the payload not deflated

    # --- the compressed protocol (on once the login OK has been read) ----------------------
    def recv_exact(self, n):
        if not self.compressed:
            return super().recv_exact(n)
        while len(self._inflated) < n:
            self._read_compressed()
        out = bytes(self._inflated[:n])
        del self._inflated[:n]
        return out

    def _read_compressed(self):
        h = super().recv_exact(7)
        clen, cseq, ulen = int.from_bytes(h[:3], "little"), h[3], int.from_bytes(h[4:], "little")
        if cseq != self.cseq:
            raise ProtocolError(f"compressed sequence id {cseq}, expected {self.cseq}")
        self.cseq = (cseq + 1) & 0xFF
        body = super().recv_exact(clen)
        if ulen:
            body = zlib.decompress(body)
            if len(body) != ulen:
                raise ProtocolError(f"compressed packet inflates to {len(body)}, header says {ulen}")
        self.compressed_packets += 1
        self.stored_packets += not ulen
        self._inflated += body

    def send_compressed(self, data):
        """`data` (frames) as compressed packets of at most 16 MiB - 1 bytes each."""
        out = b""
        while True:
            part, data = data[:0xFFFFFF], data[0xFFFFFF:]
            z = zlib.compress(part) if len(part) >= 50 else part
            stored = len(z) >= len(part)
            body = part if stored else z
            out += (len(body).to_bytes(3, "little") + bytes([self.cseq])
                    + (0 if stored else len(part)).to_bytes(3, "little") + body)
            self.cseq = (self.cseq + 1) & 0xFF
            if not data:
                break
        self.send_raw(out)

    def send_packet(self, payload, seq=None):
        if not self.compressed:
            return super().send_packet(payload, seq)
        if seq is None:
            seq = self.seq
        if seq == 0:
            self.cseq = 0  # a new command restarts both sequences
        frames = b""
        while True:
            chunk, payload = payload[:0xFFFFFF], payload[0xFFFFFF:]
            frames += len(chunk).to_bytes(3, "little") + bytes([seq & 0xFF]) + chunk
            seq += 1
            if len(chunk) < 0xFFFFFF:
                break
        self.seq = seq & 0xFF
        self.send_compressed(frames)

    def connect(self, user, password, db=None, caps=0, ext_caps=0, collation=45, attrs=None):
        """Reads the greeting and logs in with exactly `caps` (+ PROTOCOL_41, SECURE_CONNECTION,
        PLUGIN_AUTH, CONNECT_WITH_DB if db). Returns the login reply (decoded OK or ERR)."""
        raw = self.read_packet()
        g = decode_greeting(raw)
        self.greeting_decoded = g
        if "code" in g:
            self.login_reply = {"kind": "err", **g}
            return self.login_reply
        caps |= CLIENT_PROTOCOL_41 | CLIENT_SECURE_CONNECTION | CLIENT_PLUGIN_AUTH
        if db:
            caps |= CLIENT_CONNECT_WITH_DB
        if attrs is not None:
            caps |= CLIENT_CONNECT_ATTRS
        caps &= g["capabilities"] | CLIENT_LONG_PASSWORD  # never more than the server offers
        ext_caps &= g["ext_capabilities"]
        if ext_caps:
            # MariaDB reads the extended capabilities only from a client that clears bit 0
            # (CLIENT_LONG_PASSWORD doubles as "CLIENT_MYSQL"), as Connector/C does
            caps &= ~CLIENT_LONG_PASSWORD
        self.caps, self.ext_caps = caps, ext_caps
        auth = itlib.native_scramble(password, g["scramble"][:20])
        payload = struct.pack("<IIB19xI", caps, 16 * 1024 * 1024, collation, ext_caps)
        payload += user.encode() + b"\0" + bytes([len(auth)]) + auth
        if db:
            payload += db.encode() + b"\0"
        payload += b"mysql_native_password\0"
        if attrs is not None:
            kv = b"".join(_lenenc_str(k.encode()) + _lenenc_str(v.encode()) for k, v in attrs)
            payload += _lenenc_str(kv)
        self.send_packet(payload)
        while True:
            p = self.read_packet()
            if p[0] == 0xFE and len(p) > 1:  # auth switch
                end = p.index(b"\0", 1)
                salt = p[end + 1:].rstrip(b"\0")
                self.send_packet(itlib.native_scramble(password, salt[:20]))
                continue
            if p[0] == 0x01:
                continue
            self.seq = 0
            if p[0] == 0xFF:
                self.login_reply = {"kind": "err", **decode_err(p)}
            else:
                self.login_reply = {"kind": "ok", **decode_ok(p, caps)}
                # the OK itself comes uncompressed; everything after it is compressed
                self.compressed = bool(caps & CLIENT_COMPRESS)
            return self.login_reply

    # a reply: a list of results, each a dict
    def _result_set(self, first, binary):
        ncols, pos = lenenc_int(first, 0)
        res = {"kind": "rows", "column_count": ncols}
        if pos != len(first):
            res["column_count_trailing"] = first[pos:].hex()
        cols = [decode_column(self.read_packet(), self.ext_caps) for _ in range(ncols)]
        res["columns"] = cols
        if not self.caps & CLIENT_DEPRECATE_EOF:
            p = self.read_packet()
            if p[0] != 0xFE:
                raise ProtocolError(f"no EOF after column definitions: {p[:16]!r}")
            res["columns_eof"] = decode_eof(p)
        rows = []
        while True:
            p = self.read_packet()
            if p[0] == 0xFF:
                res["rows"] = rows
                res["error"] = decode_err(p)
                return res
            # a row starting with 0xFE would carry a value of >= 16 MiB (a full-size packet)
            if p[0] == 0xFE and len(p) < 0xFFFFFF and (
                    len(p) < 9 or self.caps & CLIENT_DEPRECATE_EOF):
                res["rows"] = rows
                if self.caps & CLIENT_DEPRECATE_EOF:
                    res["end"] = decode_ok(p, self.caps)
                else:
                    res["end"] = decode_eof(p)
                return res
            if binary:
                rows.append(decode_binary_row(p, cols))
            else:
                rows.append(decode_text_row(p, ncols))

    def read_reply(self, binary=False):
        out = []
        while True:
            p = self.read_packet()
            if p[0] == 0xFF:
                out.append({"kind": "err", **decode_err(p)})
                return out
            if p[0] == 0x00:
                r = {"kind": "ok", **decode_ok(p, self.caps)}
                status = r["status"]
            elif p[0] == 0xFB:  # LOCAL INFILE request: we send an empty file
                out.append({"kind": "local_infile", "file": p[1:].decode(errors="replace")})
                self.send_packet(b"")
                continue
            else:
                r = self._result_set(p, binary)
                if "error" in r:
                    out.append(r)
                    return out
                status = r["end"].get("status", 0)
            out.append(r)
            if not status & SERVER_MORE_RESULTS_EXISTS:
                return out

    def query(self, sql):
        self.send_packet(b"\x03" + sql.encode(), seq=0)
        return self.read_reply()

    def simple(self, cmd, arg=b""):
        self.send_packet(bytes([cmd]) + arg, seq=0)
        return self.read_reply()

    def field_list(self, table):
        self.send_packet(b"\x04" + table.encode() + b"\0", seq=0)
        cols = []
        while True:
            p = self.read_packet()
            if p[0] == 0xFF:
                return [{"kind": "err", **decode_err(p)}]
            if p[0] == 0xFE and len(p) < 9:
                return [{"kind": "field_list", "columns": cols, "end": decode_eof(p)}]
            if p[0] == 0x00 and self.caps & CLIENT_DEPRECATE_EOF:
                return [{"kind": "field_list", "columns": cols, "end": decode_ok(p, self.caps)}]
            cols.append(decode_column(p, self.ext_caps))

    def prepare(self, sql):
        """COM_STMT_PREPARE: (decoded reply, statement id or None)."""
        self.send_packet(b"\x16" + sql.encode(), seq=0)
        p = self.read_packet()
        if p[0] == 0xFF:
            return {"kind": "err", **decode_err(p)}, None, []
        if p[0] != 0x00:
            raise ProtocolError(f"prepare reply 0x{p[0]:02x}")
        stmt_id, ncols, nparams, filler, warnings = struct.unpack_from("<IHHBH", p, 1)
        r = {"kind": "prepared", "statement_id": stmt_id, "columns": ncols, "params": nparams,
             "filler": filler, "warnings": warnings}
        if len(p) != 12:
            r["length"] = len(p)
        for what, n in (("param_defs", nparams), ("column_defs", ncols)):
            if n:
                r[what] = [decode_column(self.read_packet(), self.ext_caps) for _ in range(n)]
                if not self.caps & CLIENT_DEPRECATE_EOF:
                    r[what + "_eof"] = decode_eof(self.read_packet())
        return r, stmt_id, r.get("param_defs", [])

    def execute(self, stmt_id, params, cursor=0):
        payload = b"\x17" + struct.pack("<IBI", stmt_id, cursor, 1)
        if params:
            nulls = bytearray((len(params) + 7) // 8)
            types, values = b"", b""
            for i, (kind, value) in enumerate(params):
                t, flag, v = encode_param(kind, value)
                if v is None:
                    nulls[i // 8] |= 1 << (i % 8)
                    v = b""
                types += bytes([t, flag])
                values += v
            payload += bytes(nulls) + b"\x01" + types + values
        self.send_packet(payload, seq=0)
        return self.read_reply(binary=True)

    def stmt_close(self, stmt_id):
        self.send_packet(b"\x19" + struct.pack("<I", stmt_id), seq=0)


__all__ = ["Wire", "ProtocolError", "decode_greeting", "decode_ok", "decode_err",
           "decode_column", "encode_param"]
