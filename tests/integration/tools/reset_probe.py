#!/usr/bin/python3
"""Probe: what does COM_RESET_CONNECTION (0x1f) reset on the MariaDB server it talks to?

Talks the raw protocol to one MariaDB server (never Tessera) and prints one line per fact:
  RESET   <what>: <before> -> <after>       (the reset changed it back)
  KEPT    <what>: <before> -> <after>       (it survived the reset)
  ...plus a few free-form lines (errors, OK-packet contents).

  /usr/bin/python3 tests/integration/tools/reset_probe.py --port 24306 [--user tessera --password tessera]

Used to decide what Tessera must replay after resetting a pooled backend connection (issue 15).
"""

import argparse
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import itlib  # noqa: E402

CLIENT_SESSION_TRACK = 0x800000
SERVER_MORE_RESULTS_EXISTS = 0x0008
SERVER_SESSION_STATE_CHANGED = 0x4000


def parse_ok(p):
    aff, pos = itlib.lenenc_int(p, 1)
    lid, pos = itlib.lenenc_int(p, pos)
    status, warnings = struct.unpack_from("<HH", p, pos)
    pos += 4
    info, track = b"", b""
    if pos < len(p):
        n, pos = itlib.lenenc_int(p, pos)
        info = p[pos:pos + n]
        pos += n
        if status & SERVER_SESSION_STATE_CHANGED and pos < len(p):
            n, pos = itlib.lenenc_int(p, pos)
            track = p[pos:pos + n]
    return dict(affected=aff, last_id=lid, status=status, warnings=warnings, info=info,
                track=track)


class Probe:
    def __init__(self, port, user, password, charset=45, db=None):
        self.c = itlib.RawConn(port=port, timeout=10)
        self.c.read_greeting()
        payload = bytearray(self.c.handshake_response(user, password, db,
                                                      CLIENT_SESSION_TRACK
                                                      | itlib.CLIENT_MULTI_STATEMENTS))
        payload[8] = charset
        self.c.send_packet(bytes(payload))
        p = self.c.read_packet()
        assert p[0] == 0x00, p

    def results(self, sql):
        """All results of a (multi-)statement: list of ("ok", dict) / ("rows", rows) /
        ("err", ErrPacket)."""
        out = []
        p = self.c.command(b"\x03" + sql.encode())
        while True:
            if p[0] == 0xFF:
                out.append(("err", itlib.parse_err(p)))
                return out
            if p[0] == 0x00:
                ok = parse_ok(p)
                out.append(("ok", ok))
                if not ok["status"] & SERVER_MORE_RESULTS_EXISTS:
                    return out
                p = self.c.read_packet()
                continue
            ncols, _ = itlib.lenenc_int(p, 0)
            for _ in range(ncols):
                self.c.read_packet()
            assert self.c.read_packet()[0] == 0xFE
            rows = []
            while True:
                p = self.c.read_packet()
                if p[0] == 0xFF:
                    out.append(("err", itlib.parse_err(p)))
                    return out
                if p[0] == 0xFE and len(p) < 9:
                    status = struct.unpack_from("<H", p, 3)[0]
                    break
                row, pos = [], 0
                while pos < len(p):
                    n, pos = itlib.lenenc_int(p, pos)
                    if n is None:
                        row.append(None)
                    else:
                        row.append(p[pos:pos + n].decode(errors="replace"))
                        pos += n
                rows.append(row)
            out.append(("rows", rows))
            if not status & SERVER_MORE_RESULTS_EXISTS:
                return out
            p = self.c.read_packet()

    def q(self, sql):
        res = self.results(sql)
        for kind, v in res:
            if kind == "err":
                raise v
        return res

    def val(self, sql):
        """First column of the first row, or 'ERR <code>'."""
        try:
            res = self.results(sql)
        except itlib.Closed:
            return "CLOSED"
        for kind, v in res:
            if kind == "err":
                return f"ERR {v.code}"
            if kind == "rows":
                return v[0][0] if v else "no rows"
        return "ok"

    def reset(self):
        p = self.c.command(b"\x1f")
        if p[0] == 0xFF:
            raise itlib.parse_err(p)
        return parse_ok(p)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--user", default="tessera")
    ap.add_argument("--password", default="tessera")
    a = ap.parse_args()

    def probe(**kw):
        return Probe(a.port, a.user, a.password, **kw)

    def other(sql):
        o = probe()
        try:
            return o.val(sql)
        finally:
            o.c.close()

    print("server:", probe().val("SELECT VERSION()"))
    setup = probe()
    setup.q("CREATE DATABASE IF NOT EXISTS rp_a")
    setup.q("CREATE DATABASE IF NOT EXISTS rp_b")
    setup.q("CREATE TABLE IF NOT EXISTS rp_a.t (id INT AUTO_INCREMENT PRIMARY KEY, v INT)"
            " ENGINE=InnoDB")
    setup.q("CREATE TABLE IF NOT EXISTS rp_a.m (id INT PRIMARY KEY) ENGINE=MyISAM")
    setup.q("INSERT IGNORE INTO rp_a.m VALUES (1),(2),(3)")
    setup.q("CREATE SEQUENCE IF NOT EXISTS rp_a.s")
    setup.q("DELETE FROM rp_a.t")

    def fact(what, before, after, fresh=None):
        tag = "RESET" if before != after else "KEPT "
        extra = f"   (fresh session: {fresh})" if fresh is not None else ""
        print(f"{tag} {what}: {before!r} -> {after!r}{extra}")

    # --- plain session variables, database, charset (login with charset 8 = latin1 and db rp_a)
    p = probe(charset=8, db="rp_a")
    fresh = probe(charset=8, db="rp_a")
    exprs = ["DATABASE()", "@@character_set_client", "@@character_set_connection",
             "@@character_set_results", "@@collation_connection", "@@autocommit", "@@sql_mode",
             "@@sql_log_bin", "@@time_zone", "@@session_track_state_change",
             "@@session_track_system_variables", "@@session_track_schema",
             "@@session_track_transaction_info", "@@pseudo_thread_id", "@@tx_isolation",
             "@@group_concat_max_len", "@@sql_select_limit", "@@foreign_key_checks",
             "@@max_statement_time", "@@lock_wait_timeout", "@@skip_replication",
             "@@gtid_domain_id", "@@server_id", "@@timestamp < 2000",
             "@@insert_id", "@@lc_time_names", "@@div_precision_increment",
             "@@sql_auto_is_null", "@@big_tables", "@@profiling", "@@wait_timeout",
             "@@net_write_timeout", "@@max_join_size", "@@default_storage_engine",
             "@@enforce_storage_engine", "@@check_constraint_checks", "@@in_transaction",
             "@@transaction_read_only", "@@sql_notes", "@@sql_warnings", "@@old_mode",
             "@@session_track_user_variables" ]
    fresh_vals = {e: fresh.val(f"SELECT {e}") for e in exprs}
    p.q("USE rp_b")
    p.q("SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci")
    # session_track_state_change is OFF globally on the test cluster: flip it ON to see the reset
    p.q("SET session_track_state_change=ON, session_track_system_variables='',"
        " session_track_schema=OFF, session_track_transaction_info=STATE")
    p.q("SET autocommit=0, sql_mode='ANSI', sql_log_bin=0, time_zone='+05:00',"
        " pseudo_thread_id=4242, tx_isolation='SERIALIZABLE', group_concat_max_len=77,"
        " sql_select_limit=3, foreign_key_checks=0, max_statement_time=9,"
        " lock_wait_timeout=7, skip_replication=1, gtid_domain_id=9, server_id=4242,"
        " timestamp=1000, insert_id=555, lc_time_names='de_DE', div_precision_increment=9,"
        " sql_auto_is_null=1, big_tables=1, profiling=1, wait_timeout=99,"
        " net_write_timeout=33, max_join_size=1000, default_storage_engine=MyISAM,"
        " check_constraint_checks=0, sql_notes=0, sql_warnings=1,"
        " old_mode='NO_PROGRESS_INFO'")
    before = {e: p.val(f"SELECT {e}") for e in exprs}
    ok = p.reset()
    print(f"reset OK packet: status=0x{ok['status']:04x} warnings={ok['warnings']}"
          f" session-track bytes={ok['track']!r}")
    after = {e: p.val(f"SELECT {e}") for e in exprs}
    for e in exprs:
        fact(e, before[e], after[e], fresh_vals[e])
    # does a statement after the reset report session-state changes? (tracking back on?)
    r = p.results("SET sql_mode='ANSI'")
    print("after reset, OK of SET sql_mode carries track bytes:", r[0][1]["track"])
    r = p.results("USE rp_a")
    print("after reset, OK of USE carries track bytes:", r[0][1]["track"])
    p.c.close()
    fresh.c.close()

    # --- charset of a session that logged in with utf8mb4 (45) and switched
    p = probe(charset=45)
    p.q("SET NAMES latin1")
    before = p.val("SELECT @@character_set_client")
    p.reset()
    fact("character_set_client (login utf8mb4, SET NAMES latin1)", before,
         p.val("SELECT @@character_set_client"))
    p.c.close()
    # login with a collation that is not the charset default
    p = probe(charset=224)  # utf8mb4_unicode_ci
    first = p.val("SELECT @@collation_connection")
    p.q("SET NAMES latin1")
    p.reset()
    fact("collation_connection (login 224 utf8mb4_unicode_ci, SET NAMES latin1)", first,
         p.val("SELECT @@collation_connection"))
    p.c.close()

    # --- LAST_INSERT_ID / FOUND_ROWS / ROW_COUNT / warnings / user vars
    p = probe(db="rp_a")
    p.q("INSERT INTO t (v) VALUES (1)")
    p.q("SET @a = 42, @b = 'x'")
    lid = p.val("SELECT LAST_INSERT_ID()")
    p.reset()
    fact("LAST_INSERT_ID()", lid, p.val("SELECT LAST_INSERT_ID()"))
    p.q("SELECT SQL_CALC_FOUND_ROWS * FROM m LIMIT 1")
    p.reset()
    fact("FOUND_ROWS() after SQL_CALC_FOUND_ROWS (3 rows, LIMIT 1)", "3",
         p.val("SELECT FOUND_ROWS()"))
    p.q("SELECT SQL_CALC_FOUND_ROWS * FROM m LIMIT 1")
    p.reset()
    p.q("SELECT 1 FROM DUAL WHERE 0")
    fact("FOUND_ROWS() after reset + SELECT 1 FROM DUAL WHERE 0", "3", p.val("SELECT FOUND_ROWS()"))
    p.q("UPDATE t SET v = v + 1")
    p.reset()
    fact("ROW_COUNT() after UPDATE of 1 row", "1", p.val("SELECT ROW_COUNT()"))
    p.q("SELECT CAST('abc' AS INT)")
    wc = p.val("SELECT @@warning_count")
    p.q("SELECT CAST('abc' AS INT)")
    p.reset()
    res = p.results("SHOW WARNINGS")
    fact("SHOW WARNINGS rows (after a statement with 1 warning)", f"1 (warning_count {wc})",
         len(res[0][1]))
    p.q("SET @a = 42")
    p.reset()
    fact("user variable @a", "42", p.val("SELECT @a"))
    p.q("SELECT NEXTVAL(s)")
    lv = p.val("SELECT LASTVAL(s)")
    p.reset()
    fact("sequence LASTVAL(s)", lv, p.val("SELECT LASTVAL(s)"))
    p.c.close()

    # --- temp tables, prepared statements, handlers
    p = probe(db="rp_a")
    p.q("CREATE TEMPORARY TABLE tmp1 (x INT)")
    p.q("CREATE TEMPORARY TABLE t (x INT)")  # shadows rp_a.t
    p.reset()
    fact("temporary table tmp1", "exists", p.val("SELECT COUNT(*) FROM tmp1"))
    fact("temporary table shadowing rp_a.t (cols)", "x",
         p.val("SELECT GROUP_CONCAT(COLUMN_NAME) FROM information_schema.COLUMNS"
               " WHERE TABLE_SCHEMA='rp_a' AND TABLE_NAME='t'"))
    p.q("PREPARE s1 FROM 'SELECT 1'")
    p.reset()
    fact("SQL PREPARE s1", "prepared", p.val("EXECUTE s1"))
    # COM_STMT_PREPARE
    p.c.send_packet(b"\x16SELECT 7", seq=0)
    resp = p.c.read_packet()
    stmt_id = struct.unpack_from("<I", resp, 1)[0]
    ncols, nparams = struct.unpack_from("<HH", resp, 5)
    for _ in range(ncols + (1 if ncols else 0) + nparams + (1 if nparams else 0)):
        p.c.read_packet()
    p.reset()
    p.c.send_packet(b"\x17" + struct.pack("<IBI", stmt_id, 0, 1), seq=0)
    resp = p.c.read_packet()
    fact("COM_STMT_PREPARE statement", "prepared",
         f"ERR {itlib.parse_err(resp).code}" if resp[0] == 0xFF else "still executes")
    if resp[0] != 0xFF:
        while not (resp[0] == 0xFE and len(resp) < 9 and p.c.seq > 3):
            resp = p.c.read_packet()
    p.q("HANDLER m OPEN AS h")
    p.q("HANDLER h READ FIRST")
    p.reset()
    fact("HANDLER h (open)", "open", p.val("HANDLER h READ NEXT"))
    # a handler keeps a metadata lock: does DDL from another session get through after reset?
    p.q("HANDLER m OPEN AS h2")
    p.reset()
    fact("HANDLER metadata lock: other session ALTER (lock_wait_timeout=2)", "blocked",
         _ddl(probe, "ALTER TABLE rp_a.m COMMENT 'x'"))
    p.c.close()

    # --- locks
    p = probe(db="rp_a")
    p.q("SELECT GET_LOCK('rp_lock', 0)")
    p.q("EXECUTE IMMEDIATE 'SELECT GET_LOCK(''rp_lock2'', 0)'")
    before = other("SELECT IS_USED_LOCK('rp_lock') IS NOT NULL")
    p.reset()
    fact("GET_LOCK('rp_lock') held (seen from another session)", before,
         other("SELECT IS_USED_LOCK('rp_lock') IS NOT NULL"))
    fact("GET_LOCK inside EXECUTE IMMEDIATE held", "1",
         other("SELECT IS_USED_LOCK('rp_lock2') IS NOT NULL"))
    p.q("LOCK TABLES m WRITE")
    p.reset()
    fact("LOCK TABLES m WRITE: other session ALTER (lock_wait_timeout=2)", "blocked",
         _ddl(probe, "ALTER TABLE rp_a.m COMMENT 'y'"))
    p.q("LOCK TABLES m READ")
    p.reset()
    fact("LOCK TABLES m READ: own INSERT into unlocked t afterwards", "ERR 1100",
         p.val("INSERT INTO t (v) VALUES (9)"))
    p.q("FLUSH TABLES WITH READ LOCK")
    p.reset()
    fact("FLUSH TABLES WITH READ LOCK: other session INSERT (lock_wait_timeout=2)", "blocked",
         _ddl(probe, "INSERT INTO rp_a.t (v) VALUES (10)"))
    p.q("BACKUP STAGE START")
    p.reset()
    fact("BACKUP STAGE START: new BACKUP STAGE START elsewhere", "blocked",
         _ddl(probe, "BACKUP STAGE START; BACKUP STAGE END"))
    p.c.close()

    # --- transactions
    p = probe(db="rp_a")
    p.q("DELETE FROM t")
    p.q("BEGIN")
    p.q("INSERT INTO t (v) VALUES (100)")
    p.reset()
    fact("open transaction (INSERT v=100 then reset): row visible elsewhere", "0",
         other("SELECT COUNT(*) FROM rp_a.t WHERE v=100"))
    fact("@@in_transaction after reset", "1", p.val("SELECT @@in_transaction"))
    p.q("SET autocommit=0")
    p.q("INSERT INTO t (v) VALUES (101)")
    p.reset()
    fact("autocommit=0 INSERT v=101 then reset: row visible elsewhere", "0",
         other("SELECT COUNT(*) FROM rp_a.t WHERE v=101"))
    p.q("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE")
    p.reset()
    p.q("BEGIN")
    fact("SET TRANSACTION (next-tx) isolation", "SERIALIZABLE",
         p.val("SELECT @@tx_isolation"))
    p.q("COMMIT")
    p.q("SET TRANSACTION READ ONLY")
    p.reset()
    p.q("BEGIN")
    fact("SET TRANSACTION READ ONLY (next tx): INSERT in next tx", "ERR 1792",
         p.val("INSERT INTO t (v) VALUES (102)"))
    p.q("ROLLBACK")
    # XA
    try:
        p.q("XA START 'rpx'")
        p.q("INSERT INTO t (v) VALUES (103)")
        try:
            p.reset()
            fact("XA ACTIVE then reset", "ACTIVE", "reset OK; XA RECOVER: "
                 + str(p.val("XA RECOVER")))
        except itlib.ErrPacket as e:
            print(f"ERR   reset in XA ACTIVE state -> {e}")
            p.q("XA END 'rpx'")
            p.q("XA ROLLBACK 'rpx'")
        fact("XA ACTIVE row v=103 visible elsewhere", "0",
             other("SELECT COUNT(*) FROM rp_a.t WHERE v=103"))
        p.q("XA START 'rpy'")
        p.q("INSERT INTO t (v) VALUES (104)")
        p.q("XA END 'rpy'")
        p.q("XA PREPARE 'rpy'")
        try:
            p.reset()
            fact("XA PREPARED then reset: XA RECOVER elsewhere lists rpy", "1",
                 other("SELECT 1") and _xa_listed(probe, "rpy"))
        except itlib.ErrPacket as e:
            print(f"ERR   reset in XA PREPARED state -> {e}")
        fact("connection after XA PREPARED reset usable", "1", p.val("SELECT 1"))
        # A prepared XID outlives the reset (and the connection). Resolving it from elsewhere while
        # the reset connection is still open answers OK but leaves an orphan InnoDB transaction with
        # its locks (MariaDB 10.11.19): close first, then resolve.
        p.c.close()
        p = probe(db="rp_a")
        fact("XA PREPARED after reset + close: XA ROLLBACK 'rpy' from another session",
             "pending", other("XA ROLLBACK 'rpy'"))
    except itlib.ErrPacket as e:
        print("XA probe error:", e)
    p.c.close()

    # --- ROLE, connection id
    p = probe()
    cid = p.val("SELECT CONNECTION_ID()")
    p.reset()
    fact("CONNECTION_ID()", cid, p.val("SELECT CONNECTION_ID()"))
    p.c.close()

    print("cleanup:", _ddl(probe, "DROP DATABASE rp_a; DROP DATABASE rp_b"))


def _ddl(probe, sql):
    """Runs sql in a fresh session with lock_wait_timeout=2: 'ok' or 'ERR n' (1205 = blocked)."""
    o = probe()
    try:
        o.q("SET lock_wait_timeout=2, innodb_lock_wait_timeout=2")
        res = o.results(sql)
        for kind, v in res:
            if kind == "err":
                return f"ERR {v.code}"
        return "ok"
    finally:
        o.c.close()


def _xa_listed(probe, xid):
    o = probe()
    try:
        res = o.results("XA RECOVER")
        return str(sum(1 for r in res[0][1] if r[3] == xid))
    finally:
        o.c.close()


if __name__ == "__main__":
    main()
