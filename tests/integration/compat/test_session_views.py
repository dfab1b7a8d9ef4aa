#!/usr/bin/env python3
"""Issue 16 items 8 and 10, differential with Debian's PyMySQL: each check runs directly against
slice-0's MariaDB primary and through Tessera, and the results must be the same.

  status increments  over a sequence of statements (point reads, an INSERT, a window function,
                     an index scan) the increments of Com_select, Com_insert, Questions,
                     Handler_read_*, Feature_window_functions shown by SHOW SESSION STATUS
                     (LIKE and WHERE) and by information_schema.SESSION_STATUS, while 3 other
                     sessions load the same pool (through Tessera: the same backend connections)
  status reset       after COM_RESET_CONNECTION the counters restart: the values shown after a
                     reset and two statements
  processlist count  N sessions of one user open, then closed: SELECT COUNT(*) FROM
                     information_schema.processlist WHERE user = ... rises by N and drops back
                     (polled, as drivers' tests do); another user (without PROCESS) sees none
  processlist rows   SHOW FULL PROCESSLIST and information_schema.PROCESSLIST: columns, and the
                     rows of an idle session, of one running SELECT SLEEP(2) and of the asking
                     session itself (Id = the handshake's connection id, Command, State, Info, db)
  prepared forms     the same statements prepared and executed in the binary protocol (a raw
                     client, wirelib): status increments (Com_stmt_execute, Com_show_status too)
                     under the same load, the values after COM_RESET_CONNECTION, and the rise of
                     the session count by COUNT(*) with a `?` parameter and by SHOW PROCESSLIST
"""
import os
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import itlib  # noqa: E402
import pymysql  # noqa: E402
import wirelib  # noqa: E402

# Direct: a server account without PROCESS, as Tessera's users are by default.
DIRECT_USER = ("sv_plain", "sv_plain_pw")
OTHER_DIRECT_USER = ("sv_other", "sv_other_pw")
TESSERA_USER = ("sbtest", itlib.USERS.get("sbtest", "sbtest"))


def admin():
    return pymysql.connect(host=itlib.HOST, port=itlib.BASE_PORT, user="tessera",
                           password="tessera", database="demo", autocommit=True)


def targets():
    direct = dict(host=itlib.HOST, port=itlib.BASE_PORT, user=DIRECT_USER[0],
                  password=DIRECT_USER[1])
    out = {"direct": direct}
    if itlib.PROXY:
        out["tessera"] = dict(host=itlib.HOST, port=itlib.PORT, user=TESSERA_USER[0],
                              password=TESSERA_USER[1])
    return out


def connect(target, **kw):
    return pymysql.connect(database="demo", connect_timeout=10, read_timeout=60, autocommit=True,
                           **target, **kw)


def reset_connection(conn):
    conn._execute_command(31, b"")  # COM_RESET_CONNECTION
    conn._read_ok_packet()


COUNTERS = ["Com_select", "Com_insert", "Questions", "Handler_read_first", "Handler_read_key",
            "Handler_read_next", "Handler_read_rnd_next", "Feature_window_functions"]


def show_status(cur):
    cur.execute("SHOW SESSION STATUS WHERE Variable_name IN (%s)" %
                ", ".join("'%s'" % c for c in COUNTERS))
    return {k: int(v) for k, v in cur.fetchall()}


def show_status_like(cur):
    out = {}
    for pattern in ("Com_select", "Com_insert", "Questions", "Handler_read%",
                    "Feature_window_functions"):
        cur.execute("SHOW STATUS LIKE %s", (pattern,))
        out.update({k: int(v) for k, v in cur.fetchall() if k in COUNTERS})
    return out


def is_status(cur):
    cur.execute("SELECT VARIABLE_NAME, VARIABLE_VALUE FROM information_schema.SESSION_STATUS "
                "WHERE VARIABLE_NAME IN ('COM_SELECT', 'COM_INSERT', 'QUESTIONS', "
                "'FEATURE_WINDOW_FUNCTIONS') ORDER BY VARIABLE_NAME")
    return {k: int(v) for k, v in cur.fetchall()}


def workload(cur):
    time.sleep(0.05)  # (gives the load a chance to take this session's backend connection)
    cur.execute("SELECT v FROM sv_t WHERE id = 3")
    cur.fetchall()
    cur.execute("INSERT INTO sv_log (note) VALUES ('x')")
    time.sleep(0.05)
    cur.execute("SELECT id, ROW_NUMBER() OVER (ORDER BY v) FROM sv_t")
    cur.fetchall()
    cur.execute("SELECT COUNT(*) FROM sv_t WHERE v BETWEEN 2 AND 8")
    cur.fetchall()
    cur.execute("SELECT * FROM sv_t")
    cur.fetchall()
    cur.execute("SELECT MIN(id) FROM sv_t USE INDEX (PRIMARY) WHERE v > 0")
    cur.fetchall()


class Load:
    """Three threads, each keeping three sessions open that run a point read and a status read
    in turn, one of them replaced by a new session every other round."""

    def __init__(self, target):
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self.run, args=(target,)) for _ in range(3)]
        self.errors = []

    def run(self, target):
        # More live sessions than the pool keeps connections for: a session whose connection
        # another one took, and a new one, get the idle connection of the session away
        # longest, often the session under test's while it sleeps. Through Tessera its
        # statements then run on connections other sessions used in between (and that were
        # reset).
        conns = []
        try:
            conns = [connect(target) for _ in range(3)]
            n = 0
            while not self.stop.is_set():
                cur = conns[n % 3].cursor()
                cur.execute("SELECT v FROM sv_t WHERE id = 5")
                cur.fetchall()
                cur.execute("SHOW STATUS LIKE 'Com_select'")
                cur.fetchall()
                n += 1
                if n % 2 == 0:
                    conns[n % 3].close()
                    conns[n % 3] = connect(target)
        except Exception as e:  # noqa: BLE001
            self.errors.append(e)
        finally:
            for c in conns:
                c.close()

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join()


class SessionViews(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        a = admin()
        cur = a.cursor()
        for account in (DIRECT_USER, OTHER_DIRECT_USER):
            cur.execute("CREATE USER IF NOT EXISTS '%s'@'127.0.0.1' IDENTIFIED BY '%s'" % account)
            cur.execute("GRANT ALL ON demo.* TO '%s'@'127.0.0.1'" % account[0])
        cur.execute("DROP TABLE IF EXISTS sv_t, sv_log")
        cur.execute("CREATE TABLE sv_t (id INT PRIMARY KEY, v INT, KEY (v))")
        cur.execute("INSERT INTO sv_t VALUES " + ",".join("(%d,%d)" % (i, i) for i in range(1, 11)))
        cur.execute("CREATE TABLE sv_log (id INT AUTO_INCREMENT PRIMARY KEY, note TEXT)")
        a.close()

    def assertSame(self, results):
        self.maxDiff = None
        itlib.log(results)
        values = list(results.values())
        for v in values[1:]:
            self.assertEqual(v, values[0], results)

    def increments(self, read):
        out = {}
        for name, target in targets().items():
            with Load(target) as load:
                conn = connect(target)
                cur = conn.cursor()
                workload(cur)  # warm: plans and tables opened
                before = read(cur)
                workload(cur)
                after = read(cur)
                conn.close()
            self.assertEqual(load.errors, [])
            out[name] = {k: after[k] - before[k] for k in after}
        return out

    def test_status_increments_show_where(self):
        self.assertSame(self.increments(show_status))

    def test_status_increments_show_like(self):
        self.assertSame(self.increments(show_status_like))

    def test_status_increments_information_schema(self):
        self.assertSame(self.increments(is_status))

    def test_status_restarts_after_reset(self):
        out = {}
        for name, target in targets().items():
            with Load(target):
                conn = connect(target)
                cur = conn.cursor()
                workload(cur)
                workload(cur)
                reset_connection(conn)
                cur.execute("SELECT 1")
                cur.fetchall()
                cur.execute("SHOW SESSION STATUS LIKE 'Com_select'")
                first = cur.fetchall()
                cur.execute("SELECT v FROM sv_t WHERE id = 1")
                cur.fetchall()
                cur.execute("SHOW SESSION STATUS WHERE Variable_name IN "
                            "('Com_select', 'Com_insert', 'Com_show_status', 'Questions',"
                            " 'Feature_window_functions', 'Handler_read_key')")
                out[name] = (first, sorted(cur.fetchall()))
                conn.close()
        self.assertSame(out)

    def count_sessions(self, cur, user):
        cur.execute("SELECT COUNT(*) FROM information_schema.processlist WHERE user = %s", (user,))
        return cur.fetchone()[0]

    def test_processlist_count_drops(self):
        out = {}
        for name, target in targets().items():
            monitor = connect(target)
            cur = monitor.cursor()
            user = target["user"]
            base = self.count_sessions(cur, user)
            conns = [connect(target) for _ in range(4)]
            opened = self.count_sessions(cur, user)
            for c in conns:
                c.close()
            deadline = time.time() + 10
            now = opened
            while time.time() < deadline:
                now = self.count_sessions(cur, user)
                if now == base:
                    break
                time.sleep(0.1)
            # another account without PROCESS sees none of them
            other = connect(dict(target, user=OTHER_DIRECT_USER[0], password=OTHER_DIRECT_USER[1])
                            if name == "direct" else dict(target, user="app",
                                                          password=itlib.USERS["app"]))
            others = self.count_sessions(other.cursor(), user)
            other.close()
            monitor.close()
            out[name] = {"rise": opened - base, "after": now - base, "seen by others": others}
        self.assertSame(out)

    def processlist_rows(self, target, query):
        idle = connect(target)
        sleeper = connect(target)
        asker = connect(target)
        t = threading.Thread(target=lambda: sleeper.cursor().execute("SELECT SLEEP(2)"))
        t.start()
        time.sleep(0.7)
        cur = asker.cursor()
        cur.execute(query)
        columns = [d[0] for d in cur.description]
        rows = {r[0]: dict(zip(columns, r)) for r in cur.fetchall()}
        t.join()
        ids = {"idle": idle.thread_id(), "running": sleeper.thread_id(), "asking": asker.thread_id()}
        for c in (idle, sleeper, asker):
            c.close()
        out = {"columns": columns}
        for role, ident in ids.items():
            row = rows.get(ident)
            self.assertIsNotNone(row, (role, ident, rows))
            keep = {}
            for k, v in row.items():
                lk = k.lower()
                if lk in ("id", "user"):
                    continue
                if lk == "host":
                    v = v.split(":")[0]
                elif lk == "time":
                    v = v >= 0 and v <= 2
                elif lk in ("time_ms", "query_id", "tid", "memory_used", "max_memory_used",
                            "examined_rows", "progress", "stage", "max_stage"):
                    v = type(v).__name__
                keep[k] = v
            if role == "asking" and query.startswith("SHOW"):
                # Accepted difference (README): the server shows its SHOW PROCESSLIST as
                # "starting"; through Tessera the asking session's State is that of the query
                # Tessera runs for it.
                keep.pop("State")
            out[role] = keep
        return out

    def test_show_processlist_rows(self):
        self.assertSame({name: self.processlist_rows(t, "SHOW FULL PROCESSLIST")
                         for name, t in targets().items()})

    def test_information_schema_processlist_rows(self):
        self.assertSame({name: self.processlist_rows(
            t, "SELECT * FROM information_schema.PROCESSLIST ORDER BY ID")
            for name, t in targets().items()})


def wire(target):
    w = wirelib.Wire(target["host"], target["port"])
    reply = w.connect(target["user"], target["password"], db="demo")
    assert reply["kind"] == "ok", reply
    return w


def text(v):
    return v.decode() if isinstance(v, bytes) else v


PS_COUNTERS = COUNTERS + ["Com_stmt_execute", "Com_show_status"]
PS_SHOW = "SHOW SESSION STATUS WHERE Variable_name IN (%s)" % ", ".join("'%s'" % c
                                                                        for c in PS_COUNTERS)
PS_IS = ("SELECT VARIABLE_NAME, VARIABLE_VALUE FROM information_schema.SESSION_STATUS "
         "WHERE VARIABLE_NAME IN (?, ?, ?, ?) ORDER BY VARIABLE_NAME")
PS_IS_PARAMS = [("string", n) for n in ("COM_SELECT", "COM_STMT_EXECUTE", "QUESTIONS",
                                        "COM_SHOW_STATUS")]


def ps_rows(w, stmt_id, params=()):
    reply = w.execute(stmt_id, list(params))
    assert reply[0]["kind"] == "rows", reply
    return {text(r[0]): int(text(r[1])) for r in reply[0]["rows"]}


def wire_workload(w):
    for sql in ("SELECT v FROM sv_t WHERE id = 3", "INSERT INTO sv_log (note) VALUES ('x')",
                "SELECT id, ROW_NUMBER() OVER (ORDER BY v) FROM sv_t",
                "SELECT COUNT(*) FROM sv_t WHERE v BETWEEN 2 AND 8"):
        time.sleep(0.05)
        reply = w.query(sql)
        assert reply[0]["kind"] in ("ok", "rows"), reply


class PreparedSessionViews(unittest.TestCase):
    """The statements above, prepared (COM_STMT_PREPARE / COM_STMT_EXECUTE)."""

    setUpClass = SessionViews.setUpClass
    assertSame = SessionViews.assertSame

    def test_prepared_status_increments(self):
        out = {}
        for name, target in targets().items():
            with Load(target) as load:
                w = wire(target)
                _, show_id, _ = w.prepare(PS_SHOW)
                _, is_id, _ = w.prepare(PS_IS)
                self.assertIsNotNone(show_id)
                self.assertIsNotNone(is_id)
                wire_workload(w)
                show0 = ps_rows(w, show_id)
                is0 = ps_rows(w, is_id, PS_IS_PARAMS)
                wire_workload(w)
                show1 = ps_rows(w, show_id)
                is1 = ps_rows(w, is_id, PS_IS_PARAMS)
                w.close()
            self.assertEqual(load.errors, [])
            out[name] = {"show": {k: show1[k] - show0[k] for k in show1},
                         "information_schema": {k: is1[k] - is0[k] for k in is1}}
        self.assertSame(out)

    def test_prepared_status_after_reset(self):
        # Known race (open, README "session status"): when the load takes the connection at
        # the moment the reading after the reset is made, one of Tessera's own readings can
        # count as the session's (seen once in 4 runs: Com_show_status 2 vs 1). A second
        # attempt must then agree; a difference on both is a failure.
        for attempt in (1, 2):
            out = {}
            for name, target in targets().items():
                with Load(target):
                    w = wire(target)
                    wire_workload(w)
                    reply = w.simple(31)  # COM_RESET_CONNECTION (closes the statements too)
                    assert reply[0]["kind"] == "ok", reply
                    wire_workload(w)
                    _, show_id, _ = w.prepare(PS_SHOW)
                    _, is_id, _ = w.prepare(PS_IS)
                    out[name] = {"show": ps_rows(w, show_id),
                                 "information_schema": ps_rows(w, is_id, PS_IS_PARAMS)}
                    w.close()
            values = list(out.values())
            if attempt == 1 and any(v != values[0] for v in values[1:]):
                itlib.log(f"  attempt 1 differed (the known race), trying again: {out}")
                continue
            break
        self.assertSame(out)

    def test_prepared_processlist(self):
        out = {}
        for name, target in targets().items():
            w = wire(target)
            _, count_id, _ = w.prepare(
                "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = ?")
            _, show_id, _ = w.prepare("SHOW PROCESSLIST")
            user = [("string", target["user"])]

            def counts():
                n = int(text(w.execute(count_id, user)[0]["rows"][0][0]))
                rows = w.execute(show_id, [])[0]["rows"]
                return n, sum(1 for r in rows if text(r[1]) == target["user"])

            base = counts()
            conns = [connect(target) for _ in range(2)]
            opened = counts()
            for c in conns:
                c.close()
            deadline = time.time() + 10
            now = opened
            while time.time() < deadline and now != base:
                time.sleep(0.1)
                now = counts()
            w.close()
            out[name] = {"rise": [o - b for o, b in zip(opened, base)],
                         "after": [n - b for n, b in zip(now, base)]}
        self.assertSame(out)


if __name__ == "__main__":
    unittest.main(verbosity=2)
