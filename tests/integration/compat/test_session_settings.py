#!/usr/bin/env python3
"""Issue 16 (mysqltest leftovers): session settings a client makes must hold on whichever pooled
backend connection runs its next statement. Differential with Debian's PyMySQL: each check runs
once directly against slice-0's MariaDB primary (account tessera) and once through Tessera (user
app); the results must be the same.

Through Tessera a session moves between backend connections, and a connection is reset (and
the session's settings replayed from what the server reported) after statements that may
leave state behind: EXECUTE IMMEDIATE below, as in mysqltest's ctype_* tests.

  collation       SET NAMES <cs> COLLATE <collation> (MariaDB reports the three character set
                  variables but not collation_connection), SET CHARACTER SET, SET
                  collation_connection followed by SET character_set_connection: after the
                  move, the session's collation_connection, a comparison and a view's column
                  collation (mysqltest's ctype_*_casefold, ctype_*_ws)
  bare sysvar     SET @@name = v (no scope: MariaDB reports nothing), as text, in a
                  multi-statement, and after the move (mysqltest's stack)
  prepared        the same as a server-side prepared statement (COM_STMT_PREPARE of
                  SET @@name = ?, executed with a value): a raw binary-protocol client, since
                  PyMySQL and the mariadb CLI have no COM_STMT_PREPARE (the node drivers check
                  it too: test_drivers.js prepared_session_variables)
  profiling       SET profiling = 1 (mysqltest's show_profile): the session's profiling history
                  (information_schema.PROFILING / SHOW PROFILES) across a statement that resets
                  the connection, with a statement prepared and executed (binary protocol), and
                  without statements of an earlier session that profiled (MariaDB keeps the
                  history past COM_RESET_CONNECTION)
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itlib  # noqa: E402
import pymysql  # noqa: E402
import wirelib  # noqa: E402

# What makes Tessera reset the session's backend connection and replay its settings.
MOVE = "EXECUTE IMMEDIATE 'SELECT 1'"
READ = ("SELECT @@character_set_client, @@character_set_connection, @@character_set_results,"
        " @@collation_connection, 'i' = 'I', COLLATION('a')")


def targets():
    direct = dict(host=itlib.HOST, port=itlib.BASE_PORT, user="tessera", password="tessera")
    if not itlib.PROXY:
        return {"direct": direct}
    return {"direct": direct,
            "tessera": dict(host=itlib.HOST, port=itlib.PORT, user="app",
                            password=itlib.USERS["app"])}


def run_everywhere(statements):
    """{target: [rows of each statement]} for the statements run in one session per target."""
    out = {}
    for name, target in targets().items():
        conn = pymysql.connect(database="demo", connect_timeout=10, read_timeout=60,
                               client_flag=pymysql.constants.CLIENT.MULTI_STATEMENTS, **target)
        try:
            rows = []
            with conn.cursor() as cur:
                for s in statements:
                    cur.execute(s)
                    rows.append(cur.fetchall())
                    while cur.nextset():
                        rows.append(cur.fetchall())
            out[name] = rows
        finally:
            conn.close()
    return out


class SessionSettings(unittest.TestCase):
    def assertSame(self, results):
        itlib.log(results)
        values = list(results.values())
        for v in values[1:]:
            self.assertEqual(v, values[0], results)

    def test_set_names_collate(self):
        for collation in ("utf8mb4_turkish_ci", "utf8mb4_unicode_520_ci", "utf8mb4_bin",
                          "utf8mb3_general_mysql500_ci", "latin1_bin"):
            charset = collation.split("_")[0]
            with self.subTest(collation=collation):
                self.assertSame(run_everywhere(
                    [f"SET NAMES {charset} COLLATE {collation}", READ, MOVE, READ,
                     "SELECT 1", MOVE, READ]))

    def test_view_column_collation(self):
        # mysqltest's ctype_*_casefold: a view made under the session's collation
        setup = ["CREATE OR REPLACE VIEW demo.compat_coll_v AS SELECT 'x' AS c"]
        try:
            self.assertSame(run_everywhere(
                ["SET NAMES utf8mb4 COLLATE utf8mb4_turkish_ci", MOVE] + setup +
                ["SELECT COLLATION(c) FROM demo.compat_coll_v", MOVE,
                 "SELECT COLLATION(c) FROM demo.compat_coll_v",
                 "SELECT VIEW_DEFINITION, COLLATION_CONNECTION FROM information_schema.VIEWS"
                 " WHERE TABLE_SCHEMA = 'demo' AND TABLE_NAME = 'compat_coll_v'"]))
        finally:
            itlib.backend_sql(0, "DROP VIEW IF EXISTS demo.compat_coll_v")

    def test_other_charset_statements(self):
        for statements in (["SET CHARACTER SET utf8mb4"],
                           ["SET collation_connection = latin1_bin",
                            "SET character_set_connection = utf8mb4"],
                           ["SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci",
                            "SET collation_connection = utf8mb4_bin"],
                           ["SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci; SELECT 1"],
                           ["SET NAMES latin1 COLLATE latin1_german2_ci", "SET NAMES DEFAULT"]):
            with self.subTest(statements=statements):
                self.assertSame(run_everywhere(statements + [READ, MOVE, READ]))

    def test_bare_sysvar_text(self):
        read = "SELECT @@max_sp_recursion_depth, @@sql_select_limit, @@div_precision_increment"
        self.assertSame(run_everywhere(
            ["SET @@max_sp_recursion_depth = 7", "SET @@sql_select_limit = 5, @@local.div_precision_increment = 9",
             read, MOVE, read]))
        self.assertSame(run_everywhere(
            ["SET @@max_sp_recursion_depth = 6; SELECT @@max_sp_recursion_depth", MOVE, read]))

    def test_bare_sysvar_prepared(self):
        def session(target):
            c = wirelib.Wire(target["host"], target["port"])
            try:
                login = c.connect(target["user"], target["password"], db="demo",
                                  caps=wirelib.CLIENT_DEPRECATE_EOF | wirelib.CLIENT_TRANSACTIONS)
                self.assertEqual(login["kind"], "ok", login)
                out = []
                for sql, params in (("SET @@max_sp_recursion_depth = ?", [("long", 11)]),
                                    ("SET @@sql_select_limit = 4", []),
                                    ("SET @@div_precision_increment = ?, @@session.lock_wait_timeout = ?",
                                     [("long", 12), ("long", 40)])):
                    prep, stmt_id, _ = c.prepare(sql)
                    out.append({k: prep[k] for k in ("kind", "params", "columns") if k in prep})
                    out.append([(r["kind"], r.get("session_state")) for r in c.execute(stmt_id, params)])
                    c.stmt_close(stmt_id)
                read = ("SELECT @@max_sp_recursion_depth, @@sql_select_limit,"
                        " @@div_precision_increment, @@lock_wait_timeout")
                for sql in (read, MOVE, read):
                    out.append([r.get("rows") for r in c.query(sql)])
                return out
            finally:
                c.close()
        self.assertSame({name: session(t) for name, t in targets().items()})

    def test_profiling(self):
        # mysqltest's show_profile: SHOW PROFILES lists this session's statements, and only
        # those (MariaDB keeps the history past COM_RESET_CONNECTION: a pooled connection
        # another session profiled on must never come back)
        def session(target, statements):
            conn = pymysql.connect(database="demo", connect_timeout=10, read_timeout=60, **target)
            try:
                out = []
                with conn.cursor() as cur:
                    for s in statements:
                        cur.execute(s)
                        rows = cur.fetchall()
                        # SHOW PROFILES: Query_ID and Query (not the duration)
                        out.append([(r[0], r[2]) for r in rows] if s == "SHOW PROFILES" else rows)
                return out
            finally:
                conn.close()
        earlier = ["SET profiling = 1", "SELECT 'compat_profiled_earlier'", "SHOW PROFILES"]
        later = ["SET profiling = 1", "SELECT 1", MOVE, "SELECT 2", "SHOW PROFILES",
                 "SET profiling = 0", "SELECT 3", "SHOW PROFILES"]
        results = {}
        for name, target in targets().items():
            results[name] = [session(target, earlier), session(target, later)]
        self.assertSame(results)

    def test_profiling_prepared(self):
        def session(target):
            c = wirelib.Wire(target["host"], target["port"])
            try:
                c.connect(target["user"], target["password"], db="demo",
                          caps=wirelib.CLIENT_DEPRECATE_EOF | wirelib.CLIENT_TRANSACTIONS)
                c.query("SET profiling = 1")
                _, stmt_id, _ = c.prepare("SELECT 1")
                c.execute(stmt_id, [])
                c.stmt_close(stmt_id)
                r = c.query("SHOW PROFILES")
                return [[row[0], row[2]] for row in r[0]["rows"]]
            finally:
                c.close()
        self.assertSame({name: session(t) for name, t in targets().items()})


if __name__ == "__main__":
    unittest.main(verbosity=2)
