#!/usr/bin/env python3
"""Issue 16, differential with Debian's PyMySQL: every check runs once directly against
slice-0's MariaDB primary (account tessera) and once through Tessera (user app), and the two
results must be the same. Accepted difference: Tessera appends "-Tessera" to the version.

  identity      get_server_info(): the server's family and version (MariaDB's "5.5.5-" kept)
  time limit    PyMySQL's own suite picks the statement time limit by vendor from that string:
                MariaDB's max_statement_time, or MySQL's MAX_EXECUTION_TIME hint (which MariaDB
                ignores, so the limit silently vanished while Tessera said 8.0.36)
  json          a JSON column's value
"""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import itlib  # noqa: E402
import pymysql  # noqa: E402

SUFFIX = "-Tessera"


def targets():
    direct = dict(host=itlib.HOST, port=itlib.BASE_PORT, user="tessera", password="tessera")
    if not itlib.PROXY:
        return {"direct": direct}
    return {"direct": direct,
            "tessera": dict(host=itlib.HOST, port=itlib.PORT, user="app",
                            password=itlib.USERS["app"])}


def connect(target, **kw):
    return pymysql.connect(database="demo", connect_timeout=10, read_timeout=60, **target, **kw)


def run_everywhere(check):
    """{target name: check(connection)} for every target."""
    out = {}
    for name, target in targets().items():
        conn = connect(target)
        try:
            out[name] = check(conn)
        finally:
            conn.close()
    return out


class PyMySQLCompat(unittest.TestCase):
    def assertSame(self, results):
        itlib.log(results)
        values = list(results.values())
        for v in values[1:]:
            self.assertEqual(v, values[0], results)

    def test_identity(self):
        def identity(conn):
            info = conn.get_server_info()
            return {"version": info[:-len(SUFFIX)] if info.endswith(SUFFIX) else info,
                    "mariadb": "mariadb" in info.lower(),
                    "major": int(info.split(".", 1)[0])}
        self.assertSame(run_everywhere(identity))

    def test_statement_time_limit_by_vendor(self):
        def limited(conn):
            # As PyMySQL's test suite (test_execution_time_limit) does it.
            if "mariadb" in conn.get_server_info().lower():
                sql = "SET STATEMENT max_statement_time=0.2 FOR SELECT SLEEP(3)"
            else:
                sql = "SELECT /*+ MAX_EXECUTION_TIME(200) */ SLEEP(3)"
            started = time.monotonic()
            try:
                with conn.cursor() as cur:
                    cur.execute(sql)
                    outcome = ("rows", cur.fetchall())
            except pymysql.MySQLError as e:
                outcome = ("error", e.args[0])
            return {"outcome": outcome, "stopped_early": time.monotonic() - started < 2}
        self.assertSame(run_everywhere(limited))

    def test_json_column(self):
        with connect(targets()["direct"]) as conn, conn.cursor() as cur:
            cur.execute("DROP TABLE IF EXISTS compat_json_py")
            cur.execute("CREATE TABLE compat_json_py (id INT PRIMARY KEY, j JSON)")
            cur.execute("""INSERT INTO compat_json_py VALUES (1, '{"a": 1, "b": [1, 2]}')""")
            conn.commit()

        def read(conn):
            with conn.cursor() as cur:
                cur.execute("SELECT id, j FROM compat_json_py ORDER BY id")
                return {"rows": cur.fetchall(),
                        "types": [d[1] for d in cur.description]}
        self.assertSame(run_everywhere(read))


if __name__ == "__main__":
    unittest.main(verbosity=2)
