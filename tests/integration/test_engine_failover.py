"""Issue 17: failover retry, deadlock retry and replica reads for sharded statements (single-shard
and scatter) and for prepared statements, as they work for unsharded ones (it.failover,
it.multi_writer, it.rwsplit_consistency).

A private cluster (failoverlib: base port + 600, Tessera on proxy port + 60): two slices, each a
primary and one replica. Namespace `fo`: db_ks.eng_h (hash on id) and db_ks.eng_m (mod on id),
each split into a sub-table per slice (even ids on slice-0, odd ids on slice-1), and the global
table db_ks.eng_g on both; user `app` (no splitting) and `rw` (rw_split=1). Statements go through
Tessera as text (pymysql) and as prepared statements (COM_STMT_PREPARE/EXECUTE, itlib.RawConn).

The reference for every answer is one MariaDB server holding all rows: demo.ref_h, ref_m and
ref_g on slice-0's primary, reached directly (never failed over; its session has sql_log_off so
the general-log checks below do not see it). Every statement that succeeds through Tessera runs
there too; answers, affected rows and table contents (the sub-tables of every slice's current
primary, every copy of the global table) must equal the reference.

1. Replica reads (user rw; every server's general log, markers in the statements): single-shard
   reads and scatter reads (ORDER BY + LIMIT merge, an aggregate), text and prepared, go to the
   replicas and none to a primary. With tessera_read_consistency=SESSION and the replicas held
   behind (FLUSH TABLES WITH READ LOCK on each replica stalls its applier until released 0.5 s
   later), a read after the session's own write (single-shard and scatter) sees the write and is
   still served by a replica (the GTID fence waits); EVENTUAL reads stale there at that moment.
2. Deadlock retry (user app): a session directly on slice-1's primary locks many rows, the
   statement through Tessera locks one row and waits for another, the direct session closes the
   cycle: InnoDB rolls back Tessera's statement (Innodb_deadlocks rises). An autocommit statement
   (single-shard and scatter, text and prepared) succeeds (retried; [proxy] deadlock_retries);
   inside an explicit transaction the client gets 1213.
3. Failover with the old primary made read-only (user app): slice-1's primary is set read-only,
   the statement is sent at once (it meets the read-only server: its general log shows it) and the
   replica is promoted 0.5 s later; a single-shard write, a scatter write and a global-table
   write, text and prepared, each over its own promotion (slice-1 goes back and forth), must
   succeed and leave exactly the reference's rows: a statement refused on one slice is sent
   again there, and not again where it already ran.
4. Failover with the old primary killed (user app): four sessions that each read slice-1 before
   (single-shard and scatter, text and prepared) read again right after SIGKILL, the replica
   promoted 0.5 s later: each gets the reference's answer.

Prints which checks fail and exits 1 if any did; the checks of each case are independent (the
shards are put back to the reference's rows after a case that left them different).
"""

import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
import pymysql  # noqa: E402

from failoverlib import HOST, PROXY_PORT, PrivateSetup, log, namespace_json, now  # noqa: E402
from failoverlib import slice_json  # noqa: E402
from itlib import ErrPacket, RawConn  # noqa: E402

HOLD_MS = 6000
PROMOTE_AFTER_S = 0.5
DB = "db_ks"
SLICE_NAMES = ["slice-0", "slice-1"]
# table placeholders in statement templates: through Tessera, and on the reference server
TESSERA_NAMES = {"h": "eng_h", "m": "eng_m", "g": "eng_g"}
REF_NAMES = {"h": "ref_h", "m": "ref_m", "g": "ref_g"}
USERS = {"app": "app_pw", "rw": "rw_pw"}
failures = []


def check(cond, what):
    log(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)
    return cond


def namespace(port):
    def one(name, i):
        s = slice_json(name, master=f"127.0.0.1:{port(i, 0)}", slaves=[f"127.0.0.1:{port(i, 1)}"])
        # a SESSION read waits for the replica held behind for 0.5 s
        s["consistent_read_timeout"] = 5000
        s["max_replication_lag"] = 30
        return s

    ns = namespace_json([one(SLICE_NAMES[0], 0), one(SLICE_NAMES[1], 1)])
    ns["allowed_dbs"] = {DB: True}
    both = {"locations": [1, 1], "slices": SLICE_NAMES}
    ns["shard_rules"] = [
        {"db": DB, "table": "eng_h", "type": "hash", "key": "id", **both},
        {"db": DB, "table": "eng_m", "type": "mod", "key": "id", **both},
        {"db": DB, "table": "eng_g", "type": "global", **both},
    ]
    ns["users"].append({"user_name": "rw", "password": USERS["rw"], "namespace": "fo",
                        "rw_flag": 2, "rw_split": 1, "other_property": 0})
    return ns


def norm(rows):
    """Rows as tuples of text, whatever protocol decoded them."""
    out = []
    for r in rows:
        out.append(tuple(None if v is None else
                         v.decode() if isinstance(v, (bytes, bytearray)) else str(v) for v in r))
    return out


def direct(port, db=None, **kw):
    kw.setdefault("autocommit", True)
    return pymysql.connect(host=HOST, port=port, user="tessera", password="tessera", database=db,
                           connect_timeout=10, read_timeout=60, **kw)


def error_text(e):
    if isinstance(e, ErrPacket):
        return e.code, str(e)
    if isinstance(e, pymysql.MySQLError) and e.args and isinstance(e.args[0], int):
        return e.args[0], f"{e.args[0]}: {e.args[1] if len(e.args) > 1 else ''}"
    return None, f"{type(e).__name__}: {e}"


class Reference:
    """One MariaDB server holding all rows (slice-0's primary, database demo)."""

    def __init__(self, port):
        self.conn = direct(port, "demo")
        with self.conn.cursor() as c:
            c.execute("SET SESSION sql_log_off = 1")

    def run(self, template, args=()):
        sql = template.format(**REF_NAMES).replace("?", "%s")
        with self.conn.cursor() as c:
            n = c.execute(sql, tuple(args) or None)
            if c.description:
                return "rows", norm(c.fetchall())
            return "ok", n


class TextClient:
    def __init__(self, s, user):
        self.conn = s.connect(user=user, password=USERS[user], database=DB)

    def run(self, template, args=()):
        sql = template.format(**TESSERA_NAMES).replace("?", "%s")
        with self.conn.cursor() as c:
            n = c.execute(sql, tuple(args) or None)
            if c.description:
                return "rows", norm(c.fetchall())
            return "ok", n

    def close(self):
        self.conn.close()


class PreparedClient:
    """COM_STMT_PREPARE once per text, COM_STMT_EXECUTE per run (binary protocol)."""

    def __init__(self, user):
        self.raw = RawConn(HOST, PROXY_PORT, timeout=60)
        self.raw.login(user, USERS[user], db=DB)
        self.stmts = {}

    def prepare(self, template):
        sql = template.format(**TESSERA_NAMES)
        if sql not in self.stmts:
            self.stmts[sql] = self.raw.prepare(sql)
        return self.stmts[sql]

    def run(self, template, args=()):
        kind, value = self.raw.execute(self.prepare(template), tuple(args))
        return (kind, norm(value)) if kind == "rows" else (kind, value)

    def query(self, sql):
        return self.raw.query(sql)

    def close(self):
        self.raw.close()


def attempt(fn):
    """(result, None) or (None, (code, text))."""
    try:
        return fn(), None
    except Exception as e:  # every client-visible failure is a result here
        return None, error_text(e)


class Engine:
    """The test's view of the cluster: current primaries, contents, counters."""

    def __init__(self, s):
        self.s = s
        self.primary = {0: 0, 1: 0}  # slice -> server index of its writable primary

    def port(self, i, j=None):
        return self.s.port(i, self.primary[i] if j is None else j)

    def replica(self, i):
        return 1 - self.primary[i]

    def sharded_rows(self, table, lo, hi):
        rows = []
        for i in (0, 1):
            c = direct(self.port(i), DB)
            with c.cursor() as cur:
                cur.execute(f"SELECT id, v FROM {table}_{i:04d} WHERE id BETWEEN %s AND %s",
                            (lo, hi))
                rows += norm(cur.fetchall())
            c.close()
        return sorted(rows, key=lambda r: int(r[0]))

    def global_copies(self):
        out = []
        for i in (0, 1):
            c = direct(self.port(i), DB)
            with c.cursor() as cur:
                cur.execute("SELECT id, v FROM eng_g ORDER BY id")
                out.append(norm(cur.fetchall()))
            c.close()
        return out

    def status(self, i, j, names):
        rows = self.s.sql(i, j, "SHOW GLOBAL STATUS WHERE Variable_name IN (" +
                          ",".join(f"'{n}'" for n in names) + ")")
        return sum(int(r[1]) for r in rows)

    def logged(self, i, j, marker):
        """Statements carrying `marker` that server i:j ran (its general log)."""
        rows = self.s.sql(i, j, "SET SESSION sql_log_off = 1; SELECT COUNT(*) FROM "
                                "mysql.general_log WHERE command_type IN ('Query', 'Execute') "
                                f"AND argument LIKE '%{marker}%'")
        return int(rows[0][0])

    def writes_logged(self, i, j):
        """INSERT/UPDATE statements server i:j received (its general log; a statement refused
        for read_only is logged there but counted in no Com_ variable)."""
        rows = self.s.sql(i, j, "SET SESSION sql_log_off = 1; SELECT COUNT(*) FROM "
                                "mysql.general_log WHERE command_type IN ('Query', 'Execute') "
                                "AND (argument LIKE 'INSERT%' OR argument LIKE 'UPDATE%')")
        return int(rows[0][0])

    def where_logged(self, marker):
        """{(slice, 'primary'|'replica'): count}"""
        out = {}
        for i in (0, 1):
            out[(i, "primary")] = self.logged(i, self.primary[i], marker)
            out[(i, "replica")] = self.logged(i, self.replica(i), marker)
        return out

    def caught_up(self):
        for i in (0, 1):
            pos = self.s.sql(i, self.primary[i], "SELECT @@gtid_binlog_pos")[0][0]
            r = self.s.sql(i, self.replica(i), f"SELECT MASTER_GTID_WAIT('{pos}', 30)")[0][0]
            if r != "0":
                raise RuntimeError(f"replica of slice {i} did not reach {pos}")

    def resync(self, ref, table, lo, hi):
        """Puts the reference's rows lo..hi into the sub-tables (after a case left a difference,
        so the next case starts equal)."""
        kind, rows = ref.run(f"SELECT id, v FROM {{{table}}} WHERE id BETWEEN ? AND ?", (lo, hi))
        for i in (0, 1):
            c = direct(self.port(i), DB)
            with c.cursor() as cur:
                phys = f"eng_{table}_{i:04d}"
                cur.execute(f"DELETE FROM {phys} WHERE id BETWEEN %s AND %s", (lo, hi))
                mine = [r for r in rows if int(r[0]) % 2 == i]
                if mine:
                    cur.executemany(f"INSERT INTO {phys} (id, v) VALUES (%s, %s)", mine)
            c.close()

    def resync_global(self, ref):
        kind, rows = ref.run("SELECT id, v FROM {g}")
        for i in (0, 1):
            c = direct(self.port(i), DB)
            with c.cursor() as cur:
                cur.execute("DELETE FROM eng_g")
                if rows:
                    cur.executemany("INSERT INTO eng_g (id, v) VALUES (%s, %s)", rows)
            c.close()


def setup_tables(s, e, ref, app):
    for t in ("h", "m", "g"):
        app.run(f"DROP TABLE IF EXISTS {{{t}}}")
        app.run(f"CREATE TABLE {{{t}}} (id BIGINT PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB")
        ref.run(f"DROP TABLE IF EXISTS {{{t}}}")
        ref.run(f"CREATE TABLE {{{t}}} (id BIGINT PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB")
    # block 1..40 of eng_h: replica reads; 1000..1019: failovers; eng_m 1..400: deadlocks
    seeds = [("h", [(i, (i * 37) % 101) for i in range(1, 41)]),
             ("h", [(i, i % 7) for i in range(1000, 1020)]),
             ("m", [(i, 0) for i in range(1, 401)]),
             ("g", [(i, i) for i in range(1, 11)])]
    for t, rows in seeds:
        values = ", ".join(f"({a}, {b})" for a, b in rows)
        app.run(f"INSERT INTO {{{t}}} (id, v) VALUES {values}")
        ref.run(f"INSERT INTO {{{t}}} (id, v) VALUES {values}")
    c = direct(e.port(1), DB)
    with c.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM eng_h_0001 WHERE id = 3")
        placed = cur.fetchone()[0] == 1
    c.close()
    if not placed:
        raise RuntimeError("id 3 of eng_h is not in eng_h_0001 on slice-1: the test's layout "
                           "assumptions (id % 2) do not hold")
    check(e.sharded_rows("eng_h", 1, 40) == ref.run("SELECT id, v FROM {h} WHERE id <= 40 "
                                                    "ORDER BY id")[1],
          "setup: eng_h through Tessera holds the reference's rows")


# --- 1. replica reads ------------------------------------------------------------------------

READS = [
    # (label, template with {mk}, args, slices it reads)
    ("single-shard", "SELECT id, v FROM {h} WHERE id = ? AND '{mk}' = '{mk}'", (3,), [1]),
    ("scatter ORDER BY+LIMIT",
     "SELECT id, v FROM {h} WHERE id <= ? AND '{mk}' = '{mk}' ORDER BY v DESC, id LIMIT 5",
     (40,), [0, 1]),
    ("scatter aggregate",
     "SELECT COUNT(*), SUM(v), MAX(id) FROM {h} WHERE id <= ? AND '{mk}' = '{mk}'", (40,),
     [0, 1]),
]


def fill(template, mk):
    # {mk} is filled now; the table placeholders stay for the client or the reference
    return template.replace("{mk}", mk)


def replica_reads(s, e, ref):
    log("== 1. replica reads (user rw) ==")
    for i in (0, 1):
        for j in (0, 1):
            s.sql(i, j, "SET GLOBAL log_output = 'TABLE'; SET GLOBAL general_log = ON")
    e.caught_up()
    text, prep = TextClient(s, "rw"), PreparedClient("rw")
    n = 10
    for form, client in (("text", text), ("prepared", prep)):
        for label, template, args, slices in READS:
            mk = f"mk_ev_{form}_{label.split()[-1].replace('+', '_')}"
            sql = fill(template, mk)
            want = ref.run(sql, args)
            wrong, errors = 0, []
            for _ in range(n):
                got, err = attempt(lambda: client.run(sql, args))
                if err:
                    errors.append(err[1])
                elif got != want:
                    wrong += 1
            where = e.where_logged(mk)
            check(not errors and wrong == 0,
                  f"{form} {label} read x{n} (EVENTUAL): the reference's answer each time "
                  f"({wrong} wrong, errors: {errors[:2]})")
            on_replicas = sum(where[(i, "replica")] for i in slices)
            on_primaries = sum(where[(i, "primary")] for i in (0, 1))
            check(on_replicas == n * len(slices) and on_primaries == 0,
                  f"{form} {label}: served by the replicas ({on_replicas} of {n * len(slices)} "
                  f"slice reads on replicas, {on_primaries} on primaries; {where})")
    session_reads(s, e, ref, text, prep)
    text.close()
    prep.close()


class HeldReplicas:
    """Every replica's applier held back (FLUSH TABLES WITH READ LOCK) until release()."""

    def __init__(self, e):
        self.conns = []
        for i in (0, 1):
            c = direct(e.s.port(i, e.replica(i)))
            with c.cursor() as cur:
                cur.execute("FLUSH TABLES WITH READ LOCK")
            self.conns.append(c)

    def release(self):
        for c in self.conns:
            try:
                with c.cursor() as cur:
                    cur.execute("UNLOCK TABLES")
            finally:
                c.close()
        self.conns = []

    def release_later(self, seconds):
        t = threading.Timer(seconds, self.release)
        t.start()
        return t


def session_reads(s, e, ref, text, prep):
    """SESSION consistency: the session's own write, then its read, replicas held behind."""
    for client in (text, prep):
        if client is text:
            client.run("SET SESSION tessera_read_consistency = 'SESSION'")
        else:
            client.query("SET SESSION tessera_read_consistency = 'SESSION'")
    # Control: at EVENTUAL the held replica answers without the write (the check can fail).
    e.caught_up()
    ctl = TextClient(s, "rw")
    held = HeldReplicas(e)
    try:
        ctl.run("UPDATE {h} SET v = v + 1 WHERE id = ?", (5,))
        ref.run("UPDATE {h} SET v = v + 1 WHERE id = ?", (5,))
        stale = ctl.run("SELECT v FROM {h} WHERE id = ?", (5,)) != ref.run(
            "SELECT v FROM {h} WHERE id = ?", (5,))
    finally:
        held.release()
        ctl.close()
    check(stale, "control: at EVENTUAL a read of slice-1 right after a write is stale while the "
                 "replica is held (so the SESSION checks below can fail)")

    cases = [
        # (label, write template, write args, read template, read args, slices read)
        ("single-shard", "UPDATE {h} SET v = v + 1 WHERE id = ?", (7,),
         "SELECT id, v FROM {h} WHERE id = ? AND '{mk}' = '{mk}'", (7,), [1]),
        ("scatter ORDER BY+LIMIT", "UPDATE {h} SET v = v + 100 WHERE id IN (?, ?)", (8, 9),
         "SELECT id, v FROM {h} WHERE id <= ? AND '{mk}' = '{mk}' ORDER BY v DESC, id LIMIT 3",
         (40,), [0, 1]),
        ("scatter aggregate", "UPDATE {h} SET v = v + 1 WHERE id IN (?, ?)", (10, 11),
         "SELECT COUNT(*), SUM(v) FROM {h} WHERE id <= ? AND '{mk}' = '{mk}'", (40,), [0, 1]),
    ]
    for form, client in (("text", text), ("prepared", prep)):
        for label, wsql, wargs, rsql, rargs, slices in cases:
            mk = f"mk_se_{form}_{label.split()[-1].replace('+', '_')}"
            rsql = fill(rsql, mk)
            e.caught_up()
            held = HeldReplicas(e)
            timer = None
            try:
                _, werr = attempt(lambda: client.run(wsql, wargs))
                if not werr:
                    ref.run(wsql, wargs)
                timer = held.release_later(0.5)
                t0 = now()
                got, err = attempt(lambda: client.run(rsql, rargs))
                took = now() - t0
            finally:
                if timer:
                    timer.join()
                held.release()
            want = ref.run(rsql, rargs)
            where = e.where_logged(mk)
            check(werr is None and err is None and got == want,
                  f"SESSION {form} {label}: the read right after the session's write sees it "
                  f"({took:.2f} s; write error {werr}, read error {err}; got {got}, "
                  f"reference {want})")
            on_replicas = sum(where[(i, "replica")] for i in slices)
            on_primaries = sum(where[(i, "primary")] for i in (0, 1))
            check(on_replicas == len(slices) and on_primaries == 0,
                  f"SESSION {form} {label}: served by the replicas after the GTID fence "
                  f"({where})")


# --- 2. deadlock retry -----------------------------------------------------------------------

def wait_for_lock_wait(e, timeout=5.0):
    """Waits until a transaction on slice-1's primary waits for a row lock (Tessera's)."""
    c = direct(e.port(1))
    deadline = now() + timeout
    try:
        while now() < deadline:
            with c.cursor() as cur:
                cur.execute("SELECT trx_state FROM information_schema.INNODB_TRX")
                if any(r[0] == "LOCK WAIT" for r in cur.fetchall()):
                    return True
            # InnoDB refreshes what INNODB_TRX shows only when nobody read it for 100 ms:
            # polling faster keeps showing the table as it was at the first read
            time.sleep(0.15)
        return False
    finally:
        c.close()


def deadlock_case(s, e, ref, label, client, template, args, in_txn):
    """Forces a deadlock between Tessera's statement (the light transaction: InnoDB's victim)
    and a heavy transaction straight on slice-1's primary; returns Tessera's outcome."""
    deadlocks0 = e.status(1, e.primary[1], ["Innodb_deadlocks"])
    heavy = direct(e.port(1), DB, autocommit=False)
    outcome = {}

    def victim():
        outcome["result"], outcome["error"] = attempt(lambda: client.run(template, args))

    heavy_error = None
    waiting = False
    t = threading.Thread(target=victim)
    try:
        with heavy.cursor() as c:
            # many row locks make this transaction the heavier one; odd ids live on slice-1
            c.execute("UPDATE eng_m_0001 SET v = v + 1 WHERE id >= 11")
            c.execute("UPDATE eng_m_0001 SET v = v + 1 WHERE id = 3")
            if in_txn:
                if isinstance(client, TextClient):
                    client.run("BEGIN")
                else:
                    client.query("BEGIN")
            t.start()
            # Tessera's statement locked id 1 and waits for id 3
            waiting = wait_for_lock_wait(e)
            c.execute("UPDATE eng_m_0001 SET v = v + 1 WHERE id = 1")  # closes the cycle
        time.sleep(0.3)
        heavy.commit()
    except pymysql.MySQLError as ex:
        heavy_error = error_text(ex)
        heavy.rollback()
    if t.is_alive() or t.ident is not None:
        t.join(60)
    heavy.close()
    if heavy_error is None:
        ref.run("UPDATE {m} SET v = v + 1 WHERE id >= 11 AND id % 2 = 1")
        ref.run("UPDATE {m} SET v = v + 1 WHERE id IN (1, 3)")
    if in_txn:
        attempt(lambda: client.run("ROLLBACK") if isinstance(client, TextClient)
                else client.query("ROLLBACK"))
    deadlocks = e.status(1, e.primary[1], ["Innodb_deadlocks"]) - deadlocks0
    log(f"  {label}: Tessera's statement waited for the lock: {waiting}; deadlocks on slice-1's "
        f"primary: {deadlocks}; heavy transaction error: {heavy_error}; Tessera's outcome "
        f"{outcome}")
    # InnoDB counted a deadlock and the direct session was not its victim: Tessera's was
    valid = check(deadlocks >= 1 and heavy_error is None,
                  f"{label}: a real deadlock on slice-1 with Tessera's statement as the victim")
    return valid, outcome


def deadlocks(s, e, ref):
    log("== 2. deadlock retry (user app) ==")
    text, prep = TextClient(s, "app"), PreparedClient("app")
    cases = [
        ("single-shard", "UPDATE {m} SET v = v + 1 WHERE id IN (1, 3)", ()),
        ("scatter", "UPDATE {m} SET v = v + 1 WHERE id IN (1, 2, 3)", ()),
    ]
    prepared = [
        ("single-shard", "UPDATE {m} SET v = v + ? WHERE id IN (?, ?)", (1, 1, 3)),
        ("scatter", "UPDATE {m} SET v = v + ? WHERE id IN (?, ?, ?)", (1, 1, 2, 3)),
    ]
    for form, client, list_ in (("text", text, cases), ("prepared", prep, prepared)):
        for label, template, args in list_:
            name = f"autocommit {form} {label}"
            valid, out = deadlock_case(s, e, ref, name, client, template, args, in_txn=False)
            if out.get("error") is None and out.get("result") is not None:
                want = ref.run(template, args)
                check(out["result"] == want, f"{name}: succeeded after Tessera's retry with the "
                                             f"reference's affected rows ({out['result']} vs "
                                             f"{want})")
            else:
                check(False, f"{name}: succeeded after Tessera's retry (got {out.get('error')})")
            same = e.sharded_rows("eng_m", 1, 400) == ref.run(
                "SELECT id, v FROM {m} WHERE id <= 400 ORDER BY id")[1]
            check(same, f"{name}: eng_m equals the reference (the statement applied once)")
            if not same:
                e.resync(ref, "m", 1, 400)
        name = f"{form} statement inside BEGIN"
        template, args = list_[0][1], list_[0][2]
        valid, out = deadlock_case(s, e, ref, name, client, template, args, in_txn=True)
        code = out.get("error")[0] if out.get("error") else None
        check(code == 1213, f"{name}: the client gets 1213, not retried (got "
                            f"{out.get('error') or out.get('result')})")
        same = e.sharded_rows("eng_m", 1, 400) == ref.run(
            "SELECT id, v FROM {m} WHERE id <= 400 ORDER BY id")[1]
        check(same, f"{name}: eng_m equals the reference (the transaction's statement rolled "
                    f"back)")
        if not same:
            e.resync(ref, "m", 1, 400)
    text.close()
    prep.close()


# --- 3. failover: old primary made read-only ---------------------------------------------------

def finish_promotion(s, i, old, new):
    """cluster.sh promote's read-only path for an old primary already made read-only (that
    script looks for the writable server to demote, and there is none then)."""
    t0 = now()
    pos = s.sql(i, old, "SELECT @@gtid_binlog_pos")[0][0]
    if pos and s.sql(i, new, f"SELECT MASTER_GTID_WAIT('{pos}', 30)")[0][0] != "0":
        raise RuntimeError(f"server {i}:{new} did not catch up with {pos}")
    s.sql(i, new, "STOP SLAVE; RESET SLAVE ALL; SET GLOBAL read_only = 0")
    done = now()
    s.sql(i, old, "SET GLOBAL gtid_slave_pos = @@gtid_binlog_pos; CHANGE MASTER TO "
                  f"MASTER_HOST='127.0.0.1', MASTER_PORT={s.port(i, new)}, MASTER_USER='repl', "
                  "MASTER_PASSWORD='repl', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1; "
                  "START SLAVE")
    return t0, done


def primary_is(port):
    key = f"127.0.0.1:{port}"
    return lambda rows: any(r["instance"] == key and r["role"] == "primary" for r in rows)


WRITES = [
    # (label, template, args, table checked: 'h' rows 1000..1099 or 'g')
    ("single-shard INSERT", "INSERT INTO {h} (id, v) VALUES (?, ?)", [(1001 + 2 * 20, 7),
                                                                       (1001 + 2 * 21, 8)], "h"),
    ("scatter UPDATE", "UPDATE {h} SET v = v + ? WHERE id BETWEEN ? AND ?",
     [(10, 1000, 1099), (100, 1000, 1099)], "h"),
    ("global-table INSERT", "INSERT INTO {g} (id, v) VALUES (?, ?)", [(101, 1), (102, 2)], "g"),
]


def readonly_failovers(s, e, ref, watcher):
    log("== 3. failover, old primary made read-only (user app) ==")
    text, prep = TextClient(s, "app"), PreparedClient("app")
    for k, (form, client) in enumerate((("text", text), ("prepared", prep))):
        for label, template, arglist, table in WRITES:
            args = arglist[k]
            name = f"{form} {label}"
            if client is prep:
                prep.prepare(template)  # prepared before the failover, as an application does
            old, new = e.primary[1], e.replica(1)
            e.caught_up()
            seen0 = e.writes_logged(1, old)
            s.sql(1, old, "SET GLOBAL read_only = 1")
            promoted = {}

            def promote():
                time.sleep(PROMOTE_AFTER_S)
                try:
                    promoted["at"] = finish_promotion(s, 1, old, new)
                except Exception as ex:  # reported below
                    promoted["error"] = str(ex)

            t = threading.Thread(target=promote)
            t.start()
            t0 = now()
            got, err = attempt(lambda: client.run(template, args))
            took = now() - t0
            t.join(60)
            if "error" in promoted:
                raise RuntimeError(f"promotion failed: {promoted['error']}")
            e.primary[1] = new
            s.wait_topology(watcher, primary_is(s.port(1, new)), timeout=20)
            met = e.writes_logged(1, old) - seen0
            if met == 0:
                log(f"  note: {name} did not reach the read-only primary (Tessera held it "
                    "before sending): this case proved nothing this time")
            want = ref.run(template, args) if err is None else None
            check(err is None and got == want,
                  f"{name} across a promotion of slice-1: succeeded ({took:.2f} s; got "
                  f"{got if err is None else err}, reference {want}; statements the read-only "
                  f"primary received: {met})")
            if table == "h":
                same = e.sharded_rows("eng_h", 1000, 1099) == ref.run(
                    "SELECT id, v FROM {h} WHERE id BETWEEN 1000 AND 1099 ORDER BY id")[1]
                check(same, f"{name}: eng_h on the primaries equals the reference (applied once "
                            "on every slice)")
                if not same:
                    e.resync(ref, "h", 1000, 1099)
            else:
                want_rows = ref.run("SELECT id, v FROM {g} ORDER BY id")[1]
                copies = e.global_copies()
                same = all(c == want_rows for c in copies)
                check(same, f"{name}: both copies of eng_g equal the reference")
                if not same:
                    e.resync_global(ref)
    text.close()
    prep.close()


# --- 4. failover: old primary killed ---------------------------------------------------------

KILL_READS = [
    ("text single-shard", "text", "SELECT id, v FROM {h} WHERE id = ?", (1003,)),
    ("text scatter ORDER BY+LIMIT", "text",
     "SELECT id, v FROM {h} WHERE id >= ? ORDER BY v DESC, id LIMIT 4", (1000,)),
    ("prepared single-shard", "prepared", "SELECT id, v FROM {h} WHERE id = ?", (1005,)),
    ("prepared scatter aggregate", "prepared",
     "SELECT COUNT(*), SUM(v), MIN(id) FROM {h} WHERE id >= ?", (1000,)),
]


def killed_primary(s, e, ref, watcher):
    log("== 4. failover, old primary killed: reads (user app) ==")
    e.caught_up()
    sessions = []
    for label, form, template, args in KILL_READS:
        client = TextClient(s, "app") if form == "text" else PreparedClient("app")
        want = ref.run(template, args)
        got, err = attempt(lambda: client.run(template, args))
        if not check(err is None and got == want, f"{label}: answers before the kill"):
            raise RuntimeError("the read fails before any failover")
        sessions.append((label, client, template, args, want))
    old, new = e.primary[1], e.replica(1)
    s.cluster("kill-server", "--server", f"1:{old}")
    promoted = {}

    def promote():
        time.sleep(PROMOTE_AFTER_S)
        try:
            promoted["at"] = s.promote(1, new, "kill")
        except Exception as ex:
            promoted["error"] = str(ex)

    t = threading.Thread(target=promote)
    t.start()
    results = {}

    def read(label, client, template, args):
        t0 = now()
        got, err = attempt(lambda: client.run(template, args))
        results[label] = (got, err, now() - t0)

    readers = [threading.Thread(target=read, args=(label, c, tpl, a))
               for label, c, tpl, a, _ in sessions]
    for r in readers:
        r.start()
    for r in readers:
        r.join(60)
    t.join(60)
    if "error" in promoted:
        raise RuntimeError(f"promotion failed: {promoted['error']}")
    e.primary[1] = new
    s.wait_topology(watcher, primary_is(s.port(1, new)), timeout=20)
    for label, client, template, args, want in sessions:
        got, err, took = results.get(label, (None, (None, "no answer"), 0))
        check(err is None and got == want,
              f"{label} right after slice-1's primary was killed: the reference's answer "
              f"({took:.2f} s; got {got if err is None else err})")
        client.close()


def main():
    with PrivateSetup("engine", 2, 1, namespace, hold_ms=HOLD_MS) as s:
        s.start_tessera()
        e = Engine(s)
        ref = Reference(s.port(0, 0))
        for i in (0, 1):
            s.sql(i, 0, f"CREATE DATABASE IF NOT EXISTS {DB}")
        app = TextClient(s, "app")
        setup_tables(s, e, ref, app)
        app.close()
        watcher = s.connect()
        t0 = now()
        replica_reads(s, e, ref)
        t1 = now()
        deadlocks(s, e, ref)
        t2 = now()
        readonly_failovers(s, e, ref, watcher)
        t3 = now()
        killed_primary(s, e, ref, watcher)
        t4 = now()
        log(f"durations: replica reads {t1 - t0:.1f} s, deadlocks {t2 - t1:.1f} s, read-only "
            f"failovers {t3 - t2:.1f} s, killed primary {t4 - t3:.1f} s")
        log(f"Tessera log: {s.count_log('failover: ')} failover lines, "
            f"{s.count_log('deadlock on')} deadlock retries")
        watcher.close()
    if failures:
        log(f"{len(failures)} checks failed:")
        for f in failures:
            log("  - " + f)
        return 1
    log("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
