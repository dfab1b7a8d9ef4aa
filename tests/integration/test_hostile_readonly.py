"""Hostile tenant, issue 15 defect 4: read-only users, read-only namespaces, black_sql and
the refusal of multi-statements hold for every statement the server will run.

Namespaces (config/it_guard.json.in, config/it_guard_ro.json.in), database hostile_ro on
slice 0 (primary + 2 replicas):
  guard        black_sql ["DELETE FROM black"]; users guard (read-write), guard_split
               (read-write, rw_split=1), guard_ro (rw_flag=1, rw_split=1)
  guard_ro_ns  "read_only": true; user ns_ro (rw_flag=2)

Each probe is one bypass that worked before the fix. After each, the rows are read on the
backends directly (primary and replicas) and a fresh session of another namespace is served.
Where it matters the same bytes are sent straight to MariaDB to show what the server does
(without CLIENT_MULTI_STATEMENTS it answers 1064 and runs nothing).
"""

import os
import socket
import struct
import time
import unittest

import pymysql

import itlib

DB = "hostile_ro"
ROWS = [(1, "one"), (2, "two"), (3, "three")]
PASSWORDS = {"guard": "guard_pw", "guard_split": "guard_split_pw", "guard_ro": "guard_ro_pw",
             "ns_ro": "ns_ro_pw"}
SERVER_MORE_RESULTS_EXISTS = 0x0008
OUTFILE = f"/tmp/tessera_hostile_ro_{os.getpid()}.txt"


def backend(sql, replica=0):
    return itlib.backend_sql(0, sql, replica=replica)


def restore_rows():
    backend(f"CREATE DATABASE IF NOT EXISTS {DB}; "
            f"CREATE TABLE IF NOT EXISTS {DB}.t (id INT PRIMARY KEY, v VARCHAR(20)); "
            f"CREATE TABLE IF NOT EXISTS {DB}.black (id INT PRIMARY KEY, v VARCHAR(20)); "
            f"REPLACE INTO {DB}.t VALUES " + ", ".join(f"({i}, '{v}')" for i, v in ROWS) + "; "
            f"REPLACE INTO {DB}.black VALUES " + ", ".join(f"({i}, '{v}')" for i, v in ROWS))
    wait_replicas()


def wait_replicas():
    want = [[str(i), v] for i, v in ROWS]
    deadline = time.time() + 10
    for replica in (1, 2):
        while backend(f"SELECT id, v FROM {DB}.t ORDER BY id", replica) != want:
            if time.time() > deadline:
                raise AssertionError(f"replica {replica} did not catch up")
            time.sleep(0.05)


def connect(user, multi=True, **kw):
    flags = pymysql.constants.CLIENT.MULTI_STATEMENTS if multi else 0
    return pymysql.connect(host=itlib.HOST, port=itlib.PORT, user=user, password=PASSWORDS[user],
                           database=DB, autocommit=True, client_flag=flags, connect_timeout=10,
                           read_timeout=30, **kw)


def raw_login(user, multi=False, port=None, password=None):
    c = itlib.RawConn(port=port or itlib.PORT)
    c.login(user, password or PASSWORDS[user], db=DB,
            extra_caps=itlib.CLIENT_MULTI_STATEMENTS if multi else 0)
    return c


def raw_results(c, payload):
    """Sends COM_QUERY `payload` (bytes) and reads every result the server sends for it.
    Returns a list of ("ok" | "rows" | "err", detail); afterwards checks nothing more arrives."""
    c.send_packet(b"\x03" + payload, seq=0)
    out = []
    while True:
        p = c.read_packet()
        if p[0] == 0xFF:
            out.append(("err", itlib.parse_err(p)))
            break
        if p[0] == 0x00:
            _, pos = itlib.lenenc_int(p, 1)
            _, pos = itlib.lenenc_int(p, pos)
            status = struct.unpack_from("<H", p, pos)[0]
            out.append(("ok", status))
        else:
            ncols, _ = itlib.lenenc_int(p, 0)
            for _ in range(ncols):
                c.read_packet()
            c.read_packet()  # EOF after the columns
            while True:
                r = c.read_packet()
                if r[0] == 0xFE and len(r) < 9:
                    status = struct.unpack_from("<H", r, 3)[0]
                    break
                if r[0] == 0xFF:
                    out.append(("err", itlib.parse_err(r)))
                    return out
            out.append(("rows", status))
        if not status & SERVER_MORE_RESULTS_EXISTS:
            break
    c.sock.settimeout(0.5)
    try:
        extra = c.sock.recv(1)
        raise AssertionError(f"bytes after the last result: {extra!r}")
    except socket.timeout:
        pass
    finally:
        c.sock.settimeout(15)
    return out


def direct_port():
    return itlib.BASE_PORT  # slice 0 primary


class HostileReadOnly(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        restore_rows()

    def setUp(self):
        restore_rows()

    def tearDown(self):
        # The victim's data is intact on the primary and on both replicas, and Tessera serves.
        want = [[str(i), v] for i, v in ROWS]
        for table in ("t", "black"):
            got = backend(f"SELECT id, v FROM {DB}.{table} ORDER BY id")
            self.assertEqual(got, want, f"primary {table} changed: {got}")
        time.sleep(0.2)
        for replica in (1, 2):
            got = backend(f"SELECT id, v FROM {DB}.t ORDER BY id", replica)
            self.assertEqual(got, want, f"replica {replica} changed: {got}")
        itlib.assert_serving(self.id().split(".")[-1])

    # --- helpers ---------------------------------------------------------------------------

    def refused(self, cur, sql, code=1290, needle="read-only"):
        with self.assertRaises(pymysql.err.MySQLError, msg=sql) as ctx:
            cur.execute(sql)
            cur.fetchall()
            while cur.nextset():
                cur.fetchall()
        err_code, msg = ctx.exception.args[0], ctx.exception.args[1]
        self.assertEqual(err_code, code, f"{sql}: {err_code} {msg}")
        self.assertIn(needle, msg, sql)
        itlib.log(f"  refused: {sql[:70]!r} -> {err_code} {msg[:110]}")
        return msg

    def read_only_refuses(self, statements, user="guard_ro", setup=()):
        c = connect(user)
        try:
            with c.cursor() as cur:
                for s in setup:
                    cur.execute(s)
                for sql in statements:
                    self.refused(cur, sql)
                cur.execute(f"SELECT COUNT(*) FROM {DB}.t")  # the session still works
                self.assertEqual(cur.fetchone()[0], len(ROWS))
        finally:
            c.close()

    # --- rw_flag=1 user ----------------------------------------------------------------------

    def test_ro_multi_statement(self):
        self.read_only_refuses(["SELECT 1; DELETE FROM t", "select 1;delete from t;",
                                "SELECT 1; SELECT 2; UPDATE t SET v = 'x'"])

    def test_ro_prepare_execute(self):
        self.read_only_refuses(["PREPARE s FROM 'DELETE FROM t'", "EXECUTE s",
                                "PREPARE s2 FROM @q", "EXECUTE s2",
                                "PREPARE s3 FROM 'SELECT 1; DELETE FROM t'"],
                               setup=["SET @q = 'DELETE FROM t'"])

    def test_ro_prepare_of_a_read_still_runs(self):
        c = connect("guard_ro")
        try:
            with c.cursor() as cur:
                cur.execute("PREPARE s FROM 'SELECT COUNT(*) FROM t'")
                cur.execute("EXECUTE s")
                self.assertEqual(cur.fetchone()[0], len(ROWS))
                cur.execute("EXECUTE IMMEDIATE 'SELECT v FROM t WHERE id = 1'")
                self.assertEqual(cur.fetchone()[0], "one")
        finally:
            c.close()

    def test_ro_execute_immediate(self):
        self.read_only_refuses(["EXECUTE IMMEDIATE 'DELETE FROM t'",
                                "EXECUTE IMMEDIATE CONCAT('DELETE ', 'FROM t')"])

    def test_ro_compound_statement(self):
        self.read_only_refuses(["BEGIN NOT ATOMIC DELETE FROM t; END"])
        # A top-level IF is split at its ';' (Tessera tracks BEGIN ... END blocks only): in this
        # black_sql namespace that text is refused before the read-only check, as uncheckable.
        c = connect("guard_ro")
        try:
            with c.cursor() as cur:
                with self.assertRaises(pymysql.err.MySQLError) as ctx:
                    cur.execute("IF 1 THEN DELETE FROM t; END IF")
                self.assertIn(ctx.exception.args[0], (1290, 1227))
        finally:
            c.close()

    def test_ro_grant_and_accounts(self):
        self.read_only_refuses(["GRANT SELECT ON hostile_ro.* TO 'hostile_x'@'localhost' "
                                "IDENTIFIED BY 'x'",
                                "CREATE USER 'hostile_y'@'localhost'"])
        users = backend("SELECT COUNT(*) FROM mysql.user WHERE user IN ('hostile_x','hostile_y')")
        if users != [["0"]]:
            backend("DROP USER IF EXISTS 'hostile_x'@'localhost', 'hostile_y'@'localhost'")
        self.assertEqual(users, [["0"]], "an account was created by a read-only user")

    def test_ro_into_outfile(self):
        self.read_only_refuses([f"SELECT * FROM t INTO OUTFILE '{OUTFILE}'",
                                f"SELECT v FROM t LIMIT 1 INTO DUMPFILE '{OUTFILE}.d'"])
        for path in (OUTFILE, OUTFILE + ".d"):
            self.assertFalse(os.path.exists(path), f"{path} was written")

    def test_ro_set_global(self):
        before = backend("SELECT @@global.max_connections")[0][0]
        try:
            self.read_only_refuses([f"SET GLOBAL max_connections = {int(before) + 1}",
                                    f"SET @@global.max_connections = {int(before) + 2}"])
        finally:
            after = backend("SELECT @@global.max_connections")[0][0]
            if after != before:
                backend(f"SET GLOBAL max_connections = {before}")
        self.assertEqual(after, before, "SET GLOBAL reached the server")

    def test_ro_call_load_analyze_set_statement_locks(self):
        backend(f"CREATE OR REPLACE PROCEDURE {DB}.wipe() DELETE FROM {DB}.t")
        self.read_only_refuses(["CALL wipe()", "ANALYZE DELETE FROM t",
                                "SET STATEMENT max_statement_time=10 FOR DELETE FROM t",
                                "LOAD DATA LOCAL INFILE '/dev/null' INTO TABLE t",
                                "DO GET_LOCK('hostile', 0)", "LOCK TABLES t WRITE"])

    def test_ro_reads_still_work(self):
        c = connect("guard_ro")
        try:
            with c.cursor() as cur:
                for sql in ["SELECT v FROM t WHERE id = 2", "SHOW TABLES", "DESCRIBE t",
                            "EXPLAIN SELECT * FROM t", "SET NAMES utf8mb4", "SET @x = 1",
                            "START TRANSACTION READ ONLY", "COMMIT", "SELECT 1; SELECT 2"]:
                    cur.execute(sql)
                    while cur.nextset():
                        pass
        finally:
            c.close()

    def test_ro_no_backslash_escapes(self):
        self.read_only_refuses(["SELECT '\\'; DELETE FROM t; -- '"],
                               setup=["SET sql_mode = 'NO_BACKSLASH_ESCAPES'"])

    def test_ro_ansi_quotes(self):
        self.read_only_refuses(['SELECT "\\"; DELETE FROM t; -- "'],
                               setup=["SET sql_mode = 'ANSI_QUOTES'"])

    def test_ro_gbk_second_byte_backslash(self):
        c = raw_login("guard_ro", multi=True)
        try:
            raw_results(c, b"SET NAMES gbk")
            res = raw_results(c, b"SELECT '\xbf\\'; DELETE FROM t; -- '")
            self.assertEqual(len(res), 1, res)
            self.assertEqual(res[0][0], "err", res)
            self.assertEqual(res[0][1].code, 1290, res)
        finally:
            c.close()

    def test_ro_version_dependent_comment(self):
        # MariaDB skips /*!50701 ... */ (a MySQL 5.7 version): it runs DELETE FROM t.
        self.read_only_refuses(["/*!50701 SELECT 1 FROM (*/ DELETE FROM t",
                                "SELECT 1 /*!999999 '*/; DELETE FROM t; -- '"])

    # --- read_only namespace -----------------------------------------------------------------

    def test_read_only_namespace(self):
        c = connect("ns_ro")
        try:
            with c.cursor() as cur:
                cur.execute("SELECT COUNT(*) FROM t")
                self.assertEqual(cur.fetchone()[0], len(ROWS))
                for sql in ["DELETE FROM t", "INSERT INTO t VALUES (9, 'nine')",
                            "UPDATE t SET v = 'x'", "SELECT 1; DELETE FROM t",
                            "DROP TABLE black"]:
                    msg = self.refused(cur, sql)
                    self.assertIn("Namespace 'guard_ro_ns'", msg)
        finally:
            c.close()

    # --- black_sql ---------------------------------------------------------------------------

    def test_black_sql_variants(self):
        c = connect("guard")
        try:
            with c.cursor() as cur:
                for sql in ["DELETE FROM black", "DELETE FROM hostile_ro.black",
                            "DELETE FROM `hostile_ro`.`black`", "DELETE FROM black WHERE 1",
                            "delete from black where 1=1", "SELECT 1; DELETE FROM black",
                            "EXECUTE IMMEDIATE 'DELETE FROM black'",
                            "PREPARE s FROM 'DELETE FROM black'",
                            "BEGIN NOT ATOMIC DELETE FROM black; END"]:
                    self.refused(cur, sql, code=1227, needle="black_sql")
                # Not on the list: runs (and is undone by restore_rows for the next test).
                cur.execute("SELECT COUNT(*) FROM black WHERE id = 1")
                self.assertEqual(cur.fetchone()[0], 1)
        finally:
            c.close()

    def test_black_sql_no_backslash_escapes(self):
        c = connect("guard")
        try:
            with c.cursor() as cur:
                cur.execute("SET sql_mode = 'NO_BACKSLASH_ESCAPES'")
                self.refused(cur, "SELECT '\\'; DELETE FROM black; -- '", code=1227,
                             needle="black_sql")
        finally:
            c.close()

    # --- clients without CLIENT_MULTI_STATEMENTS ---------------------------------------------

    def one_error(self, user, setup, payload, compare_direct=True):
        """`payload` after `setup` gets exactly one result, ERR 1064, through Tessera, as it
        does from MariaDB itself."""
        c = raw_login(user)
        try:
            for s in setup:
                raw_results(c, s)
            res = raw_results(c, payload)
            itlib.log(f"  tessera: {payload[:60]!r} -> {res}")
            self.assertEqual(len(res), 1, f"{payload!r}: {res}")
            self.assertEqual(res[0][0], "err", f"{payload!r}: {res}")
            self.assertEqual(res[0][1].code, 1064, f"{payload!r}: {res}")
            self.assertEqual(raw_results(c, b"SELECT 1")[0][0], "rows")
        finally:
            c.close()
        if compare_direct:
            d = raw_login("tessera", port=direct_port(), password="tessera")
            try:
                for s in setup:
                    raw_results(d, s)
                res = raw_results(d, payload)
                itlib.log(f"  mariadb: {payload[:60]!r} -> {res}")
                self.assertEqual([r[0] for r in res], ["err"])
                self.assertEqual(res[0][1].code, 1064)
            finally:
                d.close()

    def test_no_multi_plain(self):
        self.one_error("guard", [], b"SELECT 1; DELETE FROM t")

    def test_no_multi_no_backslash_escapes(self):
        self.one_error("guard", [b"SET sql_mode = 'NO_BACKSLASH_ESCAPES'"],
                       b"SELECT '\\'; DELETE FROM t; -- '")

    def test_no_multi_ansi_quotes(self):
        self.one_error("guard", [b"SET sql_mode = 'ANSI_QUOTES'"],
                       b'SELECT "\\"; DELETE FROM t; -- "')

    def test_no_multi_gbk(self):
        self.one_error("guard", [b"SET NAMES gbk"], b"SELECT '\xbf\\'; DELETE FROM t; -- '")

    def test_no_multi_sjis(self):
        self.one_error("guard", [b"SET NAMES sjis"], b"SELECT '\x81\\'; DELETE FROM t; -- '")

    def test_no_multi_big5_backtick(self):
        self.one_error("guard", [b"SET NAMES big5"], b"SELECT `\xa1``; DELETE FROM t; -- `")

    def test_no_multi_versioned_comment(self):
        self.one_error("guard", [], b"SELECT 1 /*!999999 '*/; DELETE FROM t; -- '")

    def test_no_multi_rw_split_write_to_replica(self):
        # Before: Tessera saw one SELECT and sent the text to a replica, which ran the DELETE
        # (the backend account may write on a read_only replica) and stopped replicating.
        self.one_error("guard_split", [b"SET sql_mode = 'NO_BACKSLASH_ESCAPES'"],
                       b"SELECT '\\'; DELETE FROM t; -- '", compare_direct=False)

    def test_multi_rw_split_goes_to_primary(self):
        # With multi-statements on, the same text is a write: the primary runs it (and the
        # replicas get it by replication), not a replica alone.
        c = connect("guard_split")
        try:
            with c.cursor() as cur:
                cur.execute("SET sql_mode = 'NO_BACKSLASH_ESCAPES'")
                cur.execute("SELECT '\\'; INSERT INTO t VALUES (99, 'split'); -- '")
                while cur.nextset():
                    pass
            on_primary = backend(f"SELECT COUNT(*) FROM {DB}.t WHERE id = 99")
        finally:
            c.close()
            backend(f"DELETE FROM {DB}.t WHERE id = 99")
        self.assertEqual(on_primary, [["1"]], "the write did not run on the primary")
        wait_replicas()

if __name__ == "__main__":
    itlib.main_unittest()
