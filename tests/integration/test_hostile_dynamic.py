"""Hostile tenant, issue 15: SQL built at run time.

`PREPARE s FROM @v`, `EXECUTE IMMEDIATE @v` and `EXECUTE IMMEDIATE CONCAT(...)` make the server
run a text Tessera never saw as a literal. Tessera reads that text on the backend connection the
statement then runs on and applies every check the literal form gets: KILL (which would reach
backend thread n), the variables Tessera manages, black_sql, read-only users and read-only
namespaces. Each probe worked before (the KILL interrupted a bystander, the black_sql DELETE
and the SET sql_log_bin ran). After each, the victim's rows are read on the primary, the
bystander's query must have survived and a fresh session of another namespace is served.

Legitimate dynamic SQL (reads, a read-only user's prepared read, texts in other character sets)
gives the same answers as MariaDB itself (TESSERA_IT_MODE=direct runs those parts only).

Namespaces: it (user app, sbtest), guard (black_sql ["DELETE FROM black"]; users guard and
guard_ro, rw_flag=1), guard_ro_ns (read_only; user ns_ro): config/it_guard*.json.in.
"""

import os
import subprocess
import threading
import time
import unittest

import pymysql

import itlib
from itlib import PROXY

DB = "hostile_ro"
ROWS = [(1, "one"), (2, "two"), (3, "three")]
PASSWORDS = {"guard": "guard_pw", "guard_ro": "guard_ro_pw", "ns_ro": "ns_ro_pw"}
MULTI = pymysql.constants.CLIENT.MULTI_STATEMENTS


def backend(sql):
    return itlib.backend_sql(0, sql)


def restore_rows():
    backend(f"CREATE DATABASE IF NOT EXISTS {DB}; "
            f"CREATE TABLE IF NOT EXISTS {DB}.t (id INT PRIMARY KEY, v VARCHAR(20)); "
            f"CREATE TABLE IF NOT EXISTS {DB}.black (id INT PRIMARY KEY, v VARCHAR(20)); "
            f"REPLACE INTO {DB}.t VALUES " + ", ".join(f"({i}, '{v}')" for i, v in ROWS) + "; "
            f"REPLACE INTO {DB}.black VALUES " + ", ".join(f"({i}, '{v}')" for i, v in ROWS))


def guard_connect(user, multi=False):
    if not PROXY:
        return itlib.connect("app", database=DB, autocommit=True,
                             client_flag=MULTI if multi else 0)
    return pymysql.connect(host=itlib.HOST, port=itlib.PORT, user=user,
                           password=PASSWORDS[user], database=DB, autocommit=True,
                           client_flag=MULTI if multi else 0, connect_timeout=10,
                           read_timeout=30)


def code_of(exc):
    return exc.args[0] if exc.args else None


def run_all(cur, sql):
    cur.execute(sql)
    out = [cur.fetchall()]
    while cur.nextset():
        out.append(cur.fetchall())
    return out


class DynamicSql(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        restore_rows()

    def tearDown(self):
        want = [[str(i), v] for i, v in ROWS]
        for table in ("t", "black"):
            got = backend(f"SELECT id, v FROM {DB}.{table} ORDER BY id")
            self.assertEqual(got, want, f"{table} changed: {got}")
        restore_rows()
        itlib.assert_serving(self.id().split(".")[-1])

    def refused(self, cur, sql, code, needle):
        with self.assertRaises(pymysql.err.MySQLError, msg=sql) as cm:
            run_all(cur, sql)
        self.assertEqual(code_of(cm.exception), code, f"{sql}: {cm.exception}")
        self.assertIn(needle, cm.exception.args[1], sql)
        itlib.log(f"  refused: {sql[:70]!r} -> {cm.exception.args[0]} "
                  f"{cm.exception.args[1][:100]}")

    # --- KILL ----------------------------------------------------------------------------------

    def kill_forms(self, tid):
        """(setup, statement, multi) for each way of running `KILL QUERY tid` built at run time."""
        k = f"KILL QUERY {tid}"
        hexed = k.encode().hex()
        return [
            ([f"SET @k = '{k}'"], "PREPARE hk FROM @k", False),
            ([f"SET @k = '{k}'"], "EXECUTE IMMEDIATE @k", False),
            ([f"SET @k = 'kill   query {tid}'"], "EXECUTE IMMEDIATE @`k`", False),
            ([], f"EXECUTE IMMEDIATE CONCAT('KILL QUERY ', {tid})", False),
            ([], f"PREPARE hk FROM CONCAT('KILL ', 'QUERY {tid}')", False),
            ([f"SET @k = 0x{hexed}"], "EXECUTE IMMEDIATE @k", False),
            ([f"SET @k = CONVERT('{k}' USING utf16)"], "EXECUTE IMMEDIATE @k", False),
            ([f"SET @k = '{k}'"], "EXECUTE IMMEDIATE @k USING 1", False),
            ([], f"SET @k = '{k}'; PREPARE hk FROM @k; EXECUTE hk", True),
            ([], f"SET @k = '{k}'; EXECUTE IMMEDIATE @k", True),
            ([f"SET @k = '{k}'"], "EXECUTE IMMEDIATE 'EXECUTE IMMEDIATE @k'", False),
        ]

    def run_kill_probes(self, tid):
        # The binary protocol: the server prepares KILL n (COM_STMT_PREPARE), and its
        # COM_STMT_EXECUTE would reach backend thread n.
        raw = itlib.RawConn()
        try:
            raw.login("app", db="demo")
            for text in (f"KILL QUERY {tid}", f"kill  query  {tid}"):
                try:
                    stmt = raw.prepare(text)
                    raw.execute(stmt)
                    self.fail(f"prepared and executed: {text}")
                except itlib.ErrPacket as e:
                    itlib.log(f"  refused (binary protocol): {text!r} -> {e}")
                    self.assertEqual(e.code, 1235, text)
            self.assertEqual(raw.query("SELECT 1")[1], [["1"]])
        finally:
            raw.close()
        for setup, stmt, multi in self.kill_forms(tid):
            c = itlib.connect("app", database="demo", autocommit=True,
                              client_flag=MULTI if multi else 0)
            try:
                with c.cursor() as cur:
                    for s in setup:
                        cur.execute(s)
                    self.refused(cur, stmt, 1235, "Tessera")
                    cur.execute("SELECT 1")  # the session goes on
                    self.assertEqual(cur.fetchone(), (1,))
            finally:
                c.close()

    def test_kill_of_a_backend_thread(self):
        """The bystander is a root connection to slice-0's primary: its thread id is one the
        shared backend account may KILL."""
        if not PROXY:
            self.skipTest("Tessera's own rule: a KILL names a Tessera session")
        sock = os.path.join(itlib.CLUSTER_DIR, "slice-0", "primary", "mysqld.sock")
        bystander = subprocess.Popen(
            ["mariadb", "--no-defaults", "-S", sock, "-uroot", "-N", "-B", "-e",
             "SELECT SLEEP(8), 'dyn-bystander'; SELECT 'alive';"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            tid = None
            deadline = time.time() + 5
            while tid is None and time.time() < deadline:
                rows = backend("SELECT ID FROM information_schema.PROCESSLIST "
                               "WHERE INFO LIKE 'SELECT SLEEP(8), ''dyn-bystander''%'")
                tid = int(rows[0][0]) if rows else None
                time.sleep(0.1)
            self.assertIsNotNone(tid, "bystander not in the processlist")
            self.run_kill_probes(tid)
            out, err = bystander.communicate(timeout=20)
            itlib.log(f"  bystander: {out.split()}")
            self.assertEqual(out.split()[:2], ["0", "dyn-bystander"],
                             f"the bystander's SLEEP was interrupted: {out!r} {err!r}")
        finally:
            if bystander.poll() is None:
                bystander.kill()

    def test_kill_of_another_sessions_pooled_connection(self):
        """The bystander is another Tessera session (user sbtest) on a pooled connection of the
        same backend account."""
        if not PROXY:
            self.skipTest("Tessera's own rule: a KILL names a Tessera session")
        out = {}

        def sleeper():
            c = itlib.connect("sbtest", database="sbtest")
            try:
                with c.cursor() as cur:
                    cur.execute("SELECT SLEEP(6), 'dyn-pooled'")
                    out["result"] = cur.fetchone()
            except pymysql.err.MySQLError as e:
                out["error"] = code_of(e)
            finally:
                c.close()

        th = threading.Thread(target=sleeper)
        th.start()
        try:
            tid = None
            deadline = time.time() + 5
            while tid is None and time.time() < deadline:
                rows = backend("SELECT ID FROM information_schema.PROCESSLIST "
                               "WHERE INFO LIKE 'SELECT SLEEP(6), ''dyn-pooled''%'")
                tid = int(rows[0][0]) if rows else None
                time.sleep(0.1)
            self.assertIsNotNone(tid, "bystander not in the processlist")
            self.run_kill_probes(tid)
        finally:
            th.join(20)
        itlib.log(f"  bystander: {out}")
        self.assertEqual(out.get("result"), (0, "dyn-pooled"), out)

    # --- variables Tessera manages -------------------------------------------------------------

    def test_protected_variables(self):
        if not PROXY:
            self.skipTest("Tessera's own rule: these variables belong to the proxy")
        c = itlib.connect("app", database="demo", autocommit=True)
        try:
            with c.cursor() as cur:
                cur.execute("SET @p = 'SET sql_log_bin = 0'")
                self.refused(cur, "EXECUTE IMMEDIATE @p", 1227, "managed by Tessera")
                self.refused(cur, "PREPARE p FROM @p", 1227, "managed by Tessera")
                self.refused(cur, "EXECUTE IMMEDIATE CONCAT('SET session_track_schema', '=OFF')",
                             1227, "managed by Tessera")
                cur.execute("SELECT @@sql_log_bin, @@session_track_schema")
                self.assertEqual(cur.fetchone(), (1, 1))
        finally:
            c.close()

    # --- black_sql -----------------------------------------------------------------------------

    def test_black_sql(self):
        if not PROXY:
            self.skipTest("Tessera's own rule: black_sql")
        c = guard_connect("guard")
        try:
            with c.cursor() as cur:
                cur.execute("SET @b = 'DELETE FROM black'")
                for sql in ["PREPARE s FROM @b", "EXECUTE IMMEDIATE @b",
                            "EXECUTE IMMEDIATE CONCAT('DELETE FROM ', 'black')",
                            "PREPARE s FROM CONCAT('delete from hostile_ro.black', ' where 1')",
                            "BEGIN NOT ATOMIC EXECUTE IMMEDIATE @b; END",
                            "CREATE PROCEDURE dyn_p() BEGIN EXECUTE IMMEDIATE @b; END"]:
                    self.refused(cur, sql, 1227, "black_sql")
                # Not on the list: runs, with the server's own answer.
                cur.execute("SET @r = 'SELECT COUNT(*) FROM black'")
                cur.execute("EXECUTE IMMEDIATE @r")
                self.assertEqual(cur.fetchone(), (3,))
        finally:
            c.close()

    # --- read-only users and namespaces --------------------------------------------------------

    def test_read_only_user(self):
        if not PROXY:
            self.skipTest("Tessera's own rule: rw_flag=1")
        c = guard_connect("guard_ro")
        try:
            with c.cursor() as cur:
                cur.execute("SET @q = 'DELETE FROM t'")
                for sql in ["PREPARE s FROM @q", "EXECUTE s", "EXECUTE IMMEDIATE @q",
                            "EXECUTE IMMEDIATE CONCAT('DELETE ', 'FROM t')",
                            "EXECUTE IMMEDIATE CONCAT('UPDATE t SET v = ', QUOTE('x'))"]:
                    self.refused(cur, sql, 1290, "read-only")
                # A read prepared from a variable runs, and so does its EXECUTE.
                cur.execute("SET @r = 'SELECT COUNT(*) FROM t WHERE id > ?'")
                cur.execute("PREPARE r FROM @r")
                cur.execute("SET @one = 1")
                cur.execute("EXECUTE r USING @one")
                self.assertEqual(cur.fetchone(), (2,))
                # The variable changed after the PREPARE: the prepared read stays what it was.
                cur.execute("SET @r = 'DELETE FROM t'")
                cur.execute("EXECUTE r USING @one")
                self.assertEqual(cur.fetchone(), (2,))
                self.refused(cur, "PREPARE r FROM @r", 1290, "read-only")
        finally:
            c.close()

    def test_read_only_namespace(self):
        if not PROXY:
            self.skipTest("Tessera's own rule: read_only namespaces")
        c = guard_connect("ns_ro")
        try:
            with c.cursor() as cur:
                cur.execute("SET @q = 'INSERT INTO t VALUES (9, ''nine'')'")
                for sql in ["PREPARE s FROM @q", "EXECUTE IMMEDIATE @q",
                            "EXECUTE IMMEDIATE CONCAT('DELETE ', 'FROM t')"]:
                    self.refused(cur, sql, 1290, "read-only")
                cur.execute("EXECUTE IMMEDIATE CONCAT('SELECT COUNT(*) ', 'FROM t')")
                self.assertEqual(cur.fetchone(), (3,))
        finally:
            c.close()

    # --- shard rules ----------------------------------------------------------------------------

    def test_sharded_table_named_at_run_time(self):
        """A text built at run time that names a sharded table is answered as the literal form
        is, not run on the default slice alone (which holds one shard)."""
        if not PROXY:
            self.skipTest("Tessera's own rule: shard routing")
        c = itlib.connect("shard", autocommit=True)  # db_ks may not exist yet: nothing runs
        try:
            with c.cursor() as cur:
                with self.assertRaises(pymysql.err.MySQLError) as literal:
                    cur.execute("EXECUTE IMMEDIATE 'SELECT COUNT(*) FROM db_ks.tbl_ks'")
                cur.execute("SET @q = 'SELECT COUNT(*) FROM db_ks.tbl_ks'")
                for sql in ("EXECUTE IMMEDIATE @q", "PREPARE q FROM @q",
                            "EXECUTE IMMEDIATE CONCAT('SELECT COUNT(*) FROM ', 'db_ks.tbl_ks')"):
                    with self.assertRaises(pymysql.err.MySQLError, msg=sql) as cm:
                        run_all(cur, sql)
                    itlib.log(f"  {sql!r} -> {cm.exception}")
                    self.assertEqual(code_of(cm.exception), code_of(literal.exception), sql)
                cur.execute("EXECUTE IMMEDIATE CONCAT('SELECT ', 1)")  # no table: runs
                self.assertEqual(cur.fetchone(), (1,))
        finally:
            c.close()

    # --- legitimate dynamic SQL: the server's answers ------------------------------------------

    def test_same_answers_as_the_server(self):
        """Each script runs on one session; every result and error is compared with a session
        straight to MariaDB."""
        scripts = [
            ["SET @s = 'SELECT ? + 1, ''a''''b'''", "PREPARE s FROM @s", "SET @x = 41",
             "EXECUTE s USING @x", "DEALLOCATE PREPARE s"],
            ["EXECUTE IMMEDIATE CONCAT('SELECT ', 6, ' * ', 7)",
             "SELECT @tessera_dynamic_sql"],
            ["EXECUTE IMMEDIATE CONCAT('SELECT ', ?)"],  # no placeholders here: the error
            ["EXECUTE IMMEDIATE @never_set"],  # NULL: the server's syntax error
            ["SET @n = 42", "EXECUTE IMMEDIATE @n"],  # a number
            ["SET @u = CONVERT('SELECT ''\u00e9t\u00e9'', 1' USING utf16)",
             "EXECUTE IMMEDIATE @u"],
            ["SET NAMES latin1", "SET @l = CONVERT('SELECT ''caf\u00e9''' USING utf8mb4)",
             "EXECUTE IMMEDIATE @l", "SET NAMES utf8mb4"],
            ["SET @b = X'53454C454354202762696E61727927'", "EXECUTE IMMEDIATE @b"],
            ["SET @q = 'SELECT v FROM hostile_ro.t WHERE id = ?'",
             "EXECUTE IMMEDIATE @q USING 2"],
            ["EXECUTE IMMEDIATE CONCAT('SELECT ', 'unknown_column')"],
            ["EXECUTE IMMEDIATE CONCAT('SELECT ', (SELECT COUNT(*) FROM hostile_ro.t))"],
            ["EXECUTE IMMEDIATE CONVERT('SELECT ''\u00e9t\u00e9'', 2' USING utf16)"],
            ["SET NAMES latin1",
             "EXECUTE IMMEDIATE CONVERT('SELECT ''caf\u00e9'', 3' USING utf8mb4)",
             "SET NAMES utf8mb4"],
            ["EXECUTE IMMEDIATE CONCAT(_binary'SELECT ', 0x27, 'x', 0x27)"],
            ["SET @a = 'SELECT 7'", "EXECUTE IMMEDIATE IF(@a IS NULL, 'SELECT 0', @a)"],
            ["CREATE FUNCTION IF NOT EXISTS demo.dyn_f() RETURNS VARCHAR(20) "
             "RETURN 'SELECT 8'", "EXECUTE IMMEDIATE demo.dyn_f()",
             "PREPARE f FROM demo.dyn_f()"],
            ["SET sql_mode = 'NO_BACKSLASH_ESCAPES'", "SET @e = 'SELECT ''a\\b'''",
             "EXECUTE IMMEDIATE @e", "SET sql_mode = DEFAULT"],
        ]
        direct = pymysql.connect(host=itlib.HOST, port=itlib.BASE_PORT, user="tessera",
                                 password="tessera", database="demo",
                                 autocommit=True) if PROXY else None
        try:
            for script in scripts:
                got = self.run_script(itlib.connect("app", database="demo", autocommit=True),
                                      script)
                if direct is None:
                    continue
                direct.close()
                direct = pymysql.connect(host=itlib.HOST, port=itlib.BASE_PORT, user="tessera",
                                         password="tessera", database="demo", autocommit=True)
                want = self.run_script(direct, script, close=False)
                itlib.log(f"  {script[-1][:60]!r}: {got[-1]}")
                self.assertEqual(got, want, script)
        finally:
            if direct is not None:
                direct.close()

    def run_script(self, conn, script, close=True):
        out = []
        try:
            with conn.cursor() as cur:
                for sql in script:
                    try:
                        out.append(("rows", run_all(cur, sql)))
                    except pymysql.err.MySQLError as e:
                        out.append(("err", code_of(e)))
        finally:
            if close:
                conn.close()
        return out


if __name__ == "__main__":
    itlib.main_unittest()
