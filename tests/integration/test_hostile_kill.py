"""Hostile tenants (issue 15, defect 6; issue 16, difference 5): connection ids and KILL.

The id a client learns from the handshake is the one CONNECTION_ID() reports, and
`KILL [QUERY] n` acts on that session only: never on a backend thread that happens to have
id n (another tenant's connection, a replication thread), and only for the same user.
Each check runs the same statements directly against MariaDB (TESSERA_IT_MODE=direct) and
through Tessera; where the answer must be Tessera's own (another user's session) it says so.
"""

import os
import subprocess
import threading
import time
import unittest

import pymysql

import itlib
from itlib import PROXY, connect, log


def error_code(exc):
    return exc.args[0] if exc.args else None


class ConnectionIds(unittest.TestCase):
    def test_handshake_id_is_connection_id(self):
        for _ in range(5):
            c = connect("app", database="demo")
            try:
                with c.cursor() as cur:
                    cur.execute("SELECT CONNECTION_ID()")
                    (cid,) = cur.fetchone()
                    self.assertEqual(cid, c.thread_id(), "CONNECTION_ID() vs handshake id")
                    # ... also in a statement that does more than that, and after other work
                    cur.execute("SELECT 1")
                    cur.execute("SELECT CONNECTION_ID() + 0, 'x'")
                    self.assertEqual(cur.fetchone()[0], c.thread_id())
            finally:
                c.close()

    def test_clients_cannot_set_pseudo_thread_id_or_tracking(self):
        if not PROXY:
            self.skipTest("Tessera's own rule: these variables belong to the proxy")
        c = connect("app", database="demo")
        try:
            with c.cursor() as cur:
                for stmt in (
                    "SET pseudo_thread_id = 1",
                    "SET sql_log_bin = 0",
                    "SET session_track_state_change = OFF, session_track_system_variables = ''",
                    "SET @@session.session_track_schema = OFF",
                    "SET STATEMENT sql_log_bin = 0 FOR SELECT 1",
                    "EXECUTE IMMEDIATE 'SET sql_log_bin=0'",
                ):
                    with self.assertRaises(pymysql.err.OperationalError, msg=stmt) as cm:
                        cur.execute(stmt)
                    self.assertEqual(error_code(cm.exception), 1227, stmt)
                cur.execute("SELECT @@sql_log_bin, @@session_track_state_change")
                self.assertEqual(cur.fetchone(), (1, 1))
        finally:
            c.close()


class Kill(unittest.TestCase):
    def sleeper(self, conn, seconds, out):
        t0 = time.monotonic()
        try:
            with conn.cursor() as cur:
                cur.execute(f"SELECT SLEEP({seconds})")
                out["result"] = cur.fetchone()
        except pymysql.err.MySQLError as e:
            out["error"] = error_code(e)
        out["elapsed"] = time.monotonic() - t0

    def test_kill_query_of_own_session_stops_it(self):
        victim = connect("app", database="demo")
        killer = connect("app", database="demo")
        try:
            out = {}
            th = threading.Thread(target=self.sleeper, args=(victim, 20, out))
            th.start()
            time.sleep(0.5)
            with killer.cursor() as cur:
                cur.execute(f"KILL QUERY {victim.thread_id()}")
            th.join(15)
            self.assertFalse(th.is_alive(), "the killed statement did not return")
            log(f"KILL QUERY: {out}")
            self.assertLess(out["elapsed"], 5.0)
            # MariaDB ends a killed SLEEP() with 1 (or 1317); either way the session lives on.
            self.assertTrue(out.get("result") == (1,) or out.get("error") == 1317, out)
            with victim.cursor() as cur:
                cur.execute("SELECT 42")
                self.assertEqual(cur.fetchone(), (42,))
        finally:
            victim.close()
            killer.close()

    def test_kill_connection_of_own_session(self):
        victim = connect("app", database="demo")
        killer = connect("app", database="demo")
        try:
            with killer.cursor() as cur:
                cur.execute(f"KILL {victim.thread_id()}")
            time.sleep(0.3)
            with self.assertRaises(pymysql.err.MySQLError) as cm:
                with victim.cursor() as cur:
                    cur.execute("SELECT 1")
                    cur.fetchall()
            self.assertIn(error_code(cm.exception), (2013, 2006, 1927, 0, None), cm.exception)
        finally:
            killer.close()
            try:
                victim.close()
            except Exception:
                pass

    def test_kill_unknown_id(self):
        c = connect("app", database="demo")
        try:
            with c.cursor() as cur:
                with self.assertRaises(pymysql.err.MySQLError) as cm:
                    cur.execute("KILL QUERY 4000000000")
                self.assertEqual(error_code(cm.exception), 1094)
        finally:
            c.close()

    def test_kill_never_reaches_a_backend_thread(self):
        """A backend thread's id (here a root connection on slice-0's primary) is not a
        Tessera session: KILL of it must not touch that thread."""
        if not PROXY:
            self.skipTest("direct mode: the ids are the server's own")
        sock = os.path.join(itlib.CLUSTER_DIR, "slice-0", "primary", "mysqld.sock")
        bystander = subprocess.Popen(
            ["mariadb", "--no-defaults", "-S", sock, "-uroot", "-N", "-B", "-e",
             "SELECT CONNECTION_ID(); SELECT SLEEP(6); SELECT 'alive';"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            time.sleep(0.5)
            out = itlib.backend_sql(
                0, "SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT SLEEP(6)%'")
            ids = [int(row[0]) for row in out]
            self.assertTrue(ids, "bystander not found in the processlist")
            c = connect("app", database="demo")
            try:
                with c.cursor() as cur:
                    for tid in ids:
                        try:
                            cur.execute(f"KILL QUERY {tid}")
                        except pymysql.err.MySQLError as e:
                            self.assertIn(error_code(e), (1094, 1095))
            finally:
                c.close()
            # Nor inside a multi-statement (mysql2's pool test sends `kill ?; select sleep(0.05)`),
            # which Tessera would otherwise pass to the backend as it is.
            c = connect("app", database="demo",
                        client_flag=pymysql.constants.CLIENT.MULTI_STATEMENTS)
            try:
                with c.cursor() as cur:
                    for tid in ids:
                        try:
                            cur.execute(f"KILL QUERY {tid}; SELECT 1")
                            while cur.nextset():
                                pass
                        except pymysql.err.MySQLError as e:
                            self.assertIn(error_code(e), (1094, 1095, 1235))
            finally:
                c.close()
            # Nor as the text of a prepared statement or inside a stored program being created:
            # each is refused (1235) before anything reaches the backend.
            c = connect("app", database="demo")
            try:
                with c.cursor() as cur:
                    for tid in ids:
                        for text in (f"PREPARE hk FROM 'KILL QUERY {tid}'",
                                     f"EXECUTE IMMEDIATE 'KILL QUERY {tid}'",
                                     f"EXECUTE IMMEDIATE 'EXECUTE IMMEDIATE ''KILL {tid}'''",
                                     f"CREATE PROCEDURE hk_p() BEGIN KILL QUERY {tid}; END",
                                     f"CREATE PROCEDURE hk_p() kill query {tid}"):
                            with self.assertRaises(pymysql.err.MySQLError, msg=text) as cm:
                                cur.execute(text)
                            self.assertEqual(error_code(cm.exception), 1235, text)
                    cur.execute("SELECT 'kill', 1")  # the word alone is not refused
            finally:
                c.close()
            stdout, stderr = bystander.communicate(timeout=20)
            self.assertIn("alive", stdout, stderr)
            self.assertIn("0", stdout.split()[1:2], "the bystander's SLEEP was interrupted")
        finally:
            if bystander.poll() is None:
                bystander.kill()

    def test_kill_of_another_users_session_is_refused(self):
        if not PROXY:
            self.skipTest("direct mode: the test account may kill anything")
        victim = connect("sbtest", database="sbtest")
        other = connect("app", database="demo")
        try:
            out = {}
            th = threading.Thread(target=self.sleeper, args=(victim, 2, out))
            th.start()
            time.sleep(0.3)
            with other.cursor() as cur:
                for stmt in (f"KILL QUERY {victim.thread_id()}", f"KILL {victim.thread_id()}"):
                    with self.assertRaises(pymysql.err.MySQLError) as cm:
                        cur.execute(stmt)
                    self.assertEqual(error_code(cm.exception), 1095, stmt)
            th.join(10)
            self.assertEqual(out.get("result"), (0,), out)
        finally:
            victim.close()
            other.close()


if __name__ == "__main__":
    itlib.main_unittest()
