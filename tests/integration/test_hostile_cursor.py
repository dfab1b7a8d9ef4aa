#!/usr/bin/env python3
"""Server-side cursors (COM_STMT_EXECUTE with CURSOR_TYPE_READ_ONLY + COM_STMT_FETCH) through
Tessera (issue 15, item 7).

  flags   every packet of the execute and fetch replies, with its status flags
          (SERVER_STATUS_CURSOR_EXISTS, SERVER_STATUS_LAST_ROW_SENT, ...), is compared with the
          same exchange straight against MariaDB (slice 0's primary, the backend account):
          clients with and without CLIENT_DEPRECATE_EOF, results that end inside a fetch, at a
          fetch's end, empty results, fetch after the end, COM_STMT_RESET, a fetch of a
          statement that never opened a cursor
  limit   max_sql_result_size (the namespace's row limit) counts the cursor's whole result:
          fetching in chunks gets the same error the text protocol gives at the same row, the
          cursor is closed, and the session and its backend connection stay usable

A private Tessera (robustlib.Tessera, port TESSERA_IT_PORT + 76) with one namespace whose
max_sql_result_size is 50, in front of the shared fixture's slice 0.
"""
import json
import os
import re
import struct
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itlib  # noqa: E402
import robustlib  # noqa: E402
from itlib import RawConn, lenenc_int, log, parse_err  # noqa: E402

K = 26
USER, PASSWORD, DB = "hc", "hc_pw", "hc_db"
MAX_ROWS = 50
DEPRECATE_EOF = 0x01000000
CURSOR_EXISTS, LAST_ROW_SENT = 0x0040, 0x0080
T = None


def setUpModule():
    global T
    itlib.require_target_alive()
    itlib.backend_sql(0, f"CREATE DATABASE IF NOT EXISTS {DB}; DROP TABLE IF EXISTS {DB}.t;"
                         f" CREATE TABLE {DB}.t (id INT PRIMARY KEY, v VARCHAR(20));"
                         f" INSERT INTO {DB}.t SELECT seq, CONCAT('v', seq) FROM {DB}.seq_1_to_200;"
                         # robustlib's namespaces run as the least-privilege account demo_rw
                         f" GRANT ALL ON {DB}.* TO 'demo_rw'@'127.0.0.1'")
    if not itlib.PROXY:
        return
    ns = json.loads(robustlib.namespace_json("hostile_cursor", USER, PASSWORD, itlib.BASE_PORT))
    ns["allowed_dbs"] = {DB: True}
    ns["max_sql_result_size"] = MAX_ROWS
    T = robustlib.Tessera("hostile-cursor", {"hc.json": json.dumps(ns)}, k=K)
    T.start()


def tearDownModule():
    if T is not None:
        T.stop()
    itlib.backend_sql(0, f"DROP DATABASE IF EXISTS {DB}")


def connect(direct, deof):
    """A raw session: straight to slice 0 as the backend account, or through the Tessera."""
    if direct:
        c = RawConn(port=itlib.BASE_PORT)
        c.login("tessera", "tessera", DB, extra_caps=DEPRECATE_EOF if deof else 0)
    else:
        c = RawConn(port=T.port)
        c.login(USER, PASSWORD, DB, extra_caps=DEPRECATE_EOF if deof else 0)
    c.deof = deof
    return c


def describe(p):
    """One reply packet that is not a row, with the fields that matter (status flags in full);
    None for anything else."""
    if p[0] == 0xFF:
        e = parse_err(p)
        # statement ids are the server's own directly and Tessera's (per session) through it
        return f"ERR {e.code} " + re.sub(r"(statement|handler) \(\d+\)", r"\1 (ID)", e.message)
    if p[0] == 0xFE and len(p) < 9:
        warnings, status = struct.unpack_from("<HH", p, 1)
        return f"EOF status=0x{status:04x} warnings={warnings}"
    if p[0] == 0xFE:  # CLIENT_DEPRECATE_EOF: an OK packet with the 0xFE header
        aff, pos = lenenc_int(p, 1)
        lid, pos = lenenc_int(p, pos)
        status, warnings = struct.unpack_from("<HH", p, pos)
        return f"OK(fe) status=0x{status:04x} warnings={warnings}"
    return None


def prepare(c, sql):
    c.send_packet(b"\x16" + sql.encode(), seq=0)
    p = c.read_packet()
    if p[0] == 0xFF:
        raise parse_err(p)
    stmt_id = struct.unpack_from("<I", p, 1)[0]
    ncols, nparams = struct.unpack_from("<HH", p, 5)
    n = nparams + ncols
    if not c.deof:
        n += (1 if nparams else 0) + (1 if ncols else 0)
    for _ in range(n):
        c.read_packet()
    return stmt_id


def execute(c, stmt_id, cursor=True):
    """COM_STMT_EXECUTE; the reply as a list of strings (rows as 'row <n bytes>')."""
    c.send_packet(b"\x17" + struct.pack("<IBI", stmt_id, 1 if cursor else 0, 1), seq=0)
    out = []
    p = c.read_packet()
    if p[0] == 0xFF:
        return [describe(p)]
    if p[0] == 0x00:
        aff, pos = lenenc_int(p, 1)
        lid, pos = lenenc_int(p, pos)
        status, warnings = struct.unpack_from("<HH", p, pos)
        return [f"OK status=0x{status:04x} affected={aff}"]
    ncols, _ = lenenc_int(p, 0)
    out.append(f"columns {ncols}")
    for _ in range(ncols):
        c.read_packet()
    # metadata end (EOF unless CLIENT_DEPRECATE_EOF), then rows or nothing (a cursor)
    metadata_eof = None
    if not c.deof:
        p = c.read_packet()
        metadata_eof = describe(p)
        out.append("meta " + metadata_eof)
        status = struct.unpack_from("<H", p, 3)[0]
        if status & CURSOR_EXISTS:
            return out
    rows = 0
    while True:
        p = c.read_packet()
        if p[0] in (0xFE, 0xFF):
            # (with CLIENT_DEPRECATE_EOF a cursor's metadata ends with this packet, carrying
            # SERVER_STATUS_CURSOR_EXISTS, if the server sends one)
            out.append(f"rows {rows}")
            out.append("end " + describe(p))
            return out
        rows += 1


def fetch(c, stmt_id, n):
    c.send_packet(b"\x1c" + struct.pack("<II", stmt_id, n), seq=0)
    rows = 0
    while True:
        p = c.read_packet()
        if p[0] in (0xFE, 0xFF):
            return [f"fetch {n}: rows {rows}", describe(p)]
        rows += 1


def reset(c, stmt_id):
    c.send_packet(b"\x1a" + struct.pack("<I", stmt_id), seq=0)
    p = c.read_packet()
    return describe(p) or ("OK" if p[0] == 0x00 else repr(p[:8]))


def text_rows(c, sql):
    """COM_QUERY with the text protocol: (rows, final packet description)."""
    c.send_packet(b"\x03" + sql.encode(), seq=0)
    p = c.read_packet()
    if p[0] == 0xFF:
        return 0, describe(p)
    ncols, _ = lenenc_int(p, 0)
    for _ in range(ncols):
        c.read_packet()
    if not c.deof:
        c.read_packet()
    rows = 0
    while True:
        p = c.read_packet()
        if p[0] == 0xFF or (p[0] == 0xFE and len(p) < 9):
            return rows, describe(p)
        rows += 1


def scenario(direct, deof, sql, fetches, after_reset=False):
    """Runs prepare, cursor execute and the fetches; returns every reply described."""
    c = connect(direct, deof)
    try:
        out = []
        stmt_id = prepare(c, sql)
        out += execute(c, stmt_id)
        for n in fetches:
            got = fetch(c, stmt_id, n)
            out += got
        if after_reset:
            out.append("reset " + reset(c, stmt_id))
            got = fetch(c, stmt_id, 1)
            out += got
        # the session (and its backend connection) answers its next statement, nothing else
        out.append(str(text_rows(c, "SELECT 'after'")))
        return out
    finally:
        c.close()


@unittest.skipUnless(itlib.PROXY, "compares Tessera with MariaDB")
class CursorFlags(unittest.TestCase):
    CASES = [
        ("ends inside a fetch", "SELECT id FROM t WHERE id <= 10 ORDER BY id", [4, 4, 4, 4]),
        ("ends at a fetch's end", "SELECT id, v FROM t WHERE id <= 8 ORDER BY id", [4, 4, 1]),
        ("empty result", "SELECT id FROM t WHERE id < 0", [5, 5]),
        ("one fetch takes all", "SELECT id FROM t WHERE id <= 3", [100]),
        ("no cursor: not a SELECT", "DO 1", [1]),
    ]

    def test_flags_as_the_server_sends_them(self):
        for deof in (False, True):
            for label, sql, fetches in self.CASES:
                with self.subTest(label=label, deprecate_eof=deof):
                    want = scenario(True, deof, sql, fetches)
                    got = scenario(False, deof, sql, fetches)
                    log(f"  {label} (deprecate_eof={deof}): {got}")
                    self.assertEqual(got, want)

    def test_reset_closes_the_cursor(self):
        for deof in (False, True):
            with self.subTest(deprecate_eof=deof):
                sql = "SELECT id FROM t WHERE id <= 10"
                want = scenario(True, deof, sql, [3], after_reset=True)
                got = scenario(False, deof, sql, [3], after_reset=True)
                self.assertEqual(got, want)

    def test_fetch_without_a_cursor(self):
        for deof in (False, True):
            with self.subTest(deprecate_eof=deof):
                res = []
                for direct in (True, False):
                    c = connect(direct, deof)
                    stmt_id = prepare(c, "SELECT id FROM t WHERE id <= 2")
                    got = fetch(c, stmt_id, 1)
                    res.append(got + [str(text_rows(c, "SELECT 'after'"))])
                    c.close()
                self.assertEqual(res[1], res[0])


@unittest.skipUnless(itlib.PROXY, "max_sql_result_size is Tessera's")
class CursorRowLimit(unittest.TestCase):
    def text_reference(self, deof):
        c = connect(False, deof)
        try:
            return text_rows(c, "SELECT id FROM t ORDER BY id")
        finally:
            c.close()

    def test_limit_counts_the_whole_cursor(self):
        for deof in (False, True):
            with self.subTest(deprecate_eof=deof):
                ref_rows, ref_end = self.text_reference(deof)
                self.assertEqual(ref_rows, MAX_ROWS)
                self.assertTrue(ref_end.startswith("ERR 1105 "), ref_end)
                self.assertIn("max_sql_result_size", ref_end)
                c = connect(False, deof)
                try:
                    stmt_id = prepare(c, "SELECT id FROM t ORDER BY id")
                    execute(c, stmt_id)
                    total, ends = 0, []
                    for _ in range(20):  # 200 rows in chunks of 15, far past the limit
                        got = fetch(c, stmt_id, 15)
                        total += int(got[0].split("rows ")[1])
                        ends.append(got[1])
                        if not got[1].startswith("EOF") and not got[1].startswith("OK"):
                            break
                    log(f"  deprecate_eof={deof}: {total} rows through the cursor, then"
                        f" {ends[-1]!r}")
                    # the same rows and the same error as the text protocol
                    self.assertEqual(total, MAX_ROWS)
                    self.assertEqual(ends[-1], ref_end)
                    # the cursor is gone (the server's answer for a statement without one)
                    got = fetch(c, stmt_id, 15)
                    self.assertTrue(got[1].startswith("ERR 1421 "), got)
                    # the statement can run again, and the session answers its own statements
                    execute(c, stmt_id)
                    got = fetch(c, stmt_id, 10)
                    self.assertEqual(got[0], "fetch 10: rows 10")
                    self.assertEqual(text_rows(c, "SELECT 'after'")[0], 1)
                finally:
                    c.close()
        self.assertTrue(T.alive())

    def test_under_the_limit_fetches_everything(self):
        c = connect(False, False)
        try:
            stmt_id = prepare(c, f"SELECT id FROM t WHERE id <= {MAX_ROWS} ORDER BY id")
            execute(c, stmt_id)
            total = 0
            for _ in range(10):
                got = fetch(c, stmt_id, 7)
                total += int(got[0].split("rows ")[1])
                status = int(got[1].split("status=0x")[1][:4], 16)
                if status & LAST_ROW_SENT:
                    break
            self.assertEqual(total, MAX_ROWS)
        finally:
            c.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
