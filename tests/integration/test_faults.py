#!/usr/bin/env python3
"""Fault injection (issue 9) on a private 2-slice cluster and a private Tessera (robustlib):
user `fa` lives on slice 0 (the victim), user `fb` on slice 1 (a bystander that queries all
along and must see no error). In order:

  1. backend refused at start-up: Tessera starts before any server, clients get a clear error,
     and it recovers once the servers are up;
  2. huge length claims (a 16 MiB frame header with no data, lenenc bombs in the handshake and
     in COM_STMT_EXECUTE): a clear error or close, no big allocation (RSS checked);
  3. slowloris: a handshake and a command packet trickled byte by byte, and an idle client,
     are closed after handshake_timeout_ms / net_read_timeout_ms / client_idle_timeout_s;
  4. a client that disconnects during SELECT SLEEP(): the backend query is killed (the
     server's processlist shows it gone), its backend connection is closed rather than
     pooled, and later sessions work;
  5. the backend stalled with SIGSTOP: the statement fails after backend_query_timeout_ms with
     a clear error, new sessions fail fast, everything works again after SIGCONT;
  6. the backend killed (SIGKILL) in the middle of a large result set: the client's result
     ends with ERR 2013 naming the backend, then the connection closes; after a restart
     committed data is intact and the uncommitted transaction is gone.
"""
import os
import signal
import socket
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itlib  # noqa: E402
import robustlib  # noqa: E402
from itlib import RawConn, log  # noqa: E402

HANDSHAKE_MS, NET_READ_MS, IDLE_S, BACKEND_MS = 3000, 2000, 5, 3000
ROWS = 1000  # committed rows in demo.fa_data


def pymysql_connect(port, user, password, **kw):
    import pymysql

    kw.setdefault("connect_timeout", 10)
    kw.setdefault("read_timeout", 30)
    return pymysql.connect(host="127.0.0.1", port=port, user=user, password=password, **kw)


class Bystander(threading.Thread):
    """Queries slice 1 through Tessera every 20 ms; any error is a failure of the test."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.port, self.stop, self.queries, self.errors = port, threading.Event(), 0, []

    def run(self):
        conn = pymysql_connect(self.port, "fb", "fb_pw")
        while not self.stop.is_set():
            try:
                with conn.cursor() as cur:
                    cur.execute("SELECT COUNT(*), SUM(v) FROM demo.fb_data")
                    if cur.fetchone() != (100, 5050):
                        self.errors.append("wrong fb_data contents")
                self.queries += 1
            except Exception as e:  # noqa: BLE001 - every failure counts
                self.errors.append(repr(e))
                try:
                    conn = pymysql_connect(self.port, "fb", "fb_pw")
                except Exception as e2:  # noqa: BLE001
                    self.errors.append(repr(e2))
                    time.sleep(0.2)
            time.sleep(0.02)
        conn.close()


def closed_within(conn, seconds, trickle=None):
    """Waits for the server to close `conn` (EOF, reset or an ERR then EOF); sends one byte of
    `trickle` every 0.5 s meanwhile. Returns the seconds it took, or None if still open."""
    t0 = time.time()
    conn.sock.settimeout(0.5)
    sent = 0
    while time.time() - t0 < seconds:
        try:
            data = conn.sock.recv(65536)
            if not data:
                return time.time() - t0
            continue  # an ERR packet before the close
        except socket.timeout:
            pass
        except OSError:
            return time.time() - t0
        if trickle is not None and sent < len(trickle):
            try:
                conn.sock.send(trickle[sent:sent + 1])
                sent += 1
            except OSError:
                return time.time() - t0
    return None


def query_until_ok(port, user, password, sql, timeout):
    deadline, last = time.time() + timeout, None
    while time.time() < deadline:
        try:
            c = pymysql_connect(port, user, password, connect_timeout=3, read_timeout=10)
            try:
                with c.cursor() as cur:
                    cur.execute(sql)
                    return cur.fetchall()
            finally:
                c.close()
        except Exception as e:  # noqa: BLE001
            last = e
            time.sleep(0.5)
    raise AssertionError(f"{sql!r} never succeeded within {timeout}s; last error {last!r}")


def check_fa_data(tessera):
    rows = query_until_ok(tessera.port, "fa", "fa_pw",
                          "SELECT COUNT(*), SUM(v), SUM(id > 5000) FROM demo.fa_data", 30)
    assert tuple(int(x) for x in rows[0]) == (ROWS, ROWS * (ROWS + 1) // 2, 0), rows
    log("  fa_data intact:", rows[0])


def step_refused_at_startup(cluster, tessera):
    log("1. backend refused at start-up")
    tessera.start()
    import pymysql

    t0 = time.time()
    try:
        # pymysql sets autocommit while connecting: that first statement needs the backend
        c = pymysql_connect(tessera.port, "fa", "fa_pw")
        try:
            with c.cursor() as cur:
                cur.execute("SELECT 1")
        finally:
            c.close()
        raise AssertionError("a query succeeded with no backend running")
    except pymysql.err.MySQLError as e:
        took = time.time() - t0
        log(f"  client got after {took:.1f}s: {e}")
        assert e.args[0] == 2003 and "127.0.0.1:%d" % cluster.port(0) in str(e), repr(e)
        assert took < 5, took
    assert tessera.alive()
    cluster.start()
    query_until_ok(tessera.port, "fa", "fa_pw", "SELECT 1", 30)
    # The bystander (slice 1) measures the steady state after this step: its slice must
    # answer too before it starts (its server may come up, or be seen up, a moment later).
    query_until_ok(tessera.port, "fb", "fb_pw", "SELECT 1", 30)
    log("  recovered once the servers were up")
    for i, (table, n) in enumerate((("fa_data", ROWS), ("fb_data", 100))):
        cluster.sql(i, f"CREATE OR REPLACE TABLE demo.{table} (id INT PRIMARY KEY, v INT) ENGINE=InnoDB;"
                       f"INSERT INTO demo.{table} SELECT seq, seq FROM demo.seq_1_to_{n}")


def step_huge_lengths(tessera):
    log("2. huge length claims")
    rss0 = tessera.rss_kib()
    conns = []
    for _ in range(100):
        c = RawConn(port=tessera.port)
        c.login("fa", "fa_pw")
        # a 16 MiB - 1 frame (the largest a header can claim) with 7 bytes of it sent
        c.send_raw(b"\xff\xff\xff\x00\x03SELECT")
        conns.append(c)
    time.sleep(0.3)
    grown = tessera.rss_kib() - rss0
    log(f"  RSS grew {grown} KiB with 100 clients each claiming a 16 MiB packet")
    assert grown < 40 * 1024, f"RSS grew {grown} KiB: buffers sized by the claimed length"
    for c in conns:
        took = closed_within(c, NET_READ_MS / 1000 + 3)
        assert took is not None, "a half-sent 16 MiB packet was not timed out"
        c.close()
    # before authentication nothing may exceed 64 KiB: refused at once
    c = RawConn(port=tessera.port)
    c.read_greeting()
    c.send_raw(b"\xff\xff\xff\x01" + b"\x00" * 100)
    err = itlib.expect_err_or_close(c, "16 MiB handshake response", timeout=5)
    log("  oversized handshake response:", err)
    c.close()
    # lenenc bomb in the handshake response's auth data (CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA)
    c = RawConn(port=tessera.port)
    c.read_greeting()
    caps = itlib.BASE_CAPS | 0x200000
    payload = struct.pack("<IIB23x", caps, 1 << 24, 45) + b"fa\0" + b"\xfe" + (1 << 62).to_bytes(
        8, "little") + b"xx"
    c.send_packet(payload, seq=1)
    err = itlib.expect_err_or_close(c, "lenenc bomb in handshake", timeout=5)
    assert err is not None and err.code in (1043, 1045), err
    log("  lenenc bomb in handshake:", err)
    c.close()
    # lenenc bomb in a COM_STMT_EXECUTE string parameter
    c = RawConn(port=tessera.port)
    c.login("fa", "fa_pw")
    stmt = c.prepare("SELECT CONCAT(?, 'x')")
    payload = (b"\x17" + struct.pack("<IBI", stmt.id, 0, 1) + b"\x00\x01" + b"\xfd\x00" +
               b"\xfe" + (1 << 62).to_bytes(8, "little") + b"abc")
    p = c.command(payload)
    assert p[0] == 0xFF, p[:20]
    log("  lenenc bomb in COM_STMT_EXECUTE:", itlib.parse_err(p))
    kind, rows = c.query("SELECT 6 * 7")
    assert rows == [["42"]]
    c.close()
    assert tessera.alive()


def step_slowloris(tessera):
    log("3. slowloris and idle clients")
    c = RawConn(port=tessera.port)
    c.read_greeting()
    response = c.handshake_response("fa", "fa_pw")
    frame = len(response).to_bytes(3, "little") + b"\x01" + response
    took = closed_within(c, HANDSHAKE_MS / 1000 + 3, trickle=frame)
    assert took is not None, "a handshake trickled byte by byte was not timed out"
    log(f"  trickled handshake closed after {took:.1f}s")
    c.close()
    c = RawConn(port=tessera.port)
    c.login("fa", "fa_pw")
    sql = b"\x03SELECT 'one byte per half second, for a minute' " + b" " * 100
    frame = len(sql).to_bytes(3, "little") + b"\x00" + sql
    took = closed_within(c, NET_READ_MS / 1000 + 3, trickle=frame)
    assert took is not None, "a command trickled byte by byte was not timed out"
    log(f"  trickled command closed after {took:.1f}s")
    c.close()
    c = RawConn(port=tessera.port)
    c.login("fa", "fa_pw")
    took = closed_within(c, IDLE_S + 3)
    assert took is not None and took >= IDLE_S - 0.5, took
    log(f"  idle client closed after {took:.1f}s (client_idle_timeout_s = {IDLE_S})")
    c.close()
    query_until_ok(tessera.port, "fa", "fa_pw", "SELECT 1", 5)


def step_client_disconnect(cluster, tessera):
    log("4. client disconnects during a statement")
    marker = "robust_disconnect_marker"
    c = RawConn(port=tessera.port)
    c.login("fa", "fa_pw")
    c.send_packet(f"\x03SELECT SLEEP(20) AS {marker}".encode(), seq=0)
    time.sleep(0.5)
    running = cluster.sql(0, f"SELECT id FROM information_schema.processlist "
                             f"WHERE info LIKE '%{marker}%' AND info NOT LIKE '%processlist%'")
    assert len(running) == 1, f"the query did not reach the server: {running}"
    backend_id = int(running[0][0])
    c.close()
    t0 = time.time()
    gone = None
    while time.time() - t0 < 2.5:  # below backend_query_timeout_ms: the kill, not the timeout
        left = cluster.sql(0, f"SELECT COUNT(*) FROM information_schema.processlist "
                              f"WHERE info LIKE '%{marker}%' AND info NOT LIKE '%processlist%'")
        if left == [["0"]]:
            gone = time.time() - t0
            break
        time.sleep(0.1)
    assert gone is not None, "the backend query kept running after its client left"
    log(f"  backend query killed {gone:.1f}s after the client left")
    # its connection is closed, not handed back to the pool (a half-killed statement may have
    # left it in any state)
    t0 = time.time()
    while cluster.sql(0, f"SELECT COUNT(*) FROM information_schema.processlist "
                         f"WHERE id = {backend_id}") != [["0"]]:
        assert time.time() - t0 < 5, f"backend connection {backend_id} is still open (pooled?)"
        time.sleep(0.1)
    log(f"  backend connection {backend_id} closed {time.time() - t0:.1f}s later, not pooled")
    # the next sessions work, and none gets a killed or half-read connection
    for _ in range(10):
        rows = query_until_ok(tessera.port, "fa", "fa_pw", "SELECT COUNT(*) FROM demo.fa_data", 5)
        assert int(rows[0][0]) == ROWS, rows


def step_sigstop(cluster, tessera):
    log("5. backend stalled with SIGSTOP")
    c = pymysql_connect(tessera.port, "fa", "fa_pw", read_timeout=30)
    with c.cursor() as cur:
        cur.execute("SELECT 1")  # a pooled connection to slice 0 exists
    cluster.signal(0, signal.SIGSTOP)
    try:
        t0 = time.time()
        try:
            with c.cursor() as cur:
                cur.execute("SELECT COUNT(*) FROM demo.fa_data")
            raise AssertionError("a query on a stopped server succeeded")
        except Exception as e:  # noqa: BLE001
            took = time.time() - t0
            log(f"  after {took:.1f}s: {e}")
            assert "backend_query_timeout" in str(e), repr(e)
            assert BACKEND_MS / 1000 - 0.2 <= took < BACKEND_MS / 1000 + 3, took
        t0 = time.time()
        try:
            query_once = pymysql_connect(tessera.port, "fa", "fa_pw", read_timeout=30)
            with query_once.cursor() as cur:
                cur.execute("SELECT 1")
            raise AssertionError("a new session reached a stopped server")
        except Exception as e:  # noqa: BLE001
            took = time.time() - t0
            log(f"  new session after {took:.1f}s: {e}")
            assert took < 8, took
    finally:
        cluster.signal(0, signal.SIGCONT)
    c.close()
    check_fa_data(tessera)


def step_kill_mid_result(cluster, tessera):
    log("6. backend killed in the middle of a large result set")
    writer = pymysql_connect(tessera.port, "fa", "fa_pw", autocommit=False)
    with writer.cursor() as cur:
        cur.execute("INSERT INTO demo.fa_data VALUES (5001, 1), (5002, 2)")  # never committed
    c = RawConn(port=tessera.port, timeout=30)
    c.login("fa", "fa_pw")
    c.send_packet(b"\x03SELECT seq, REPEAT('x', 200) FROM demo.seq_1_to_3000000", seq=0)
    rows, ended, packets = 0, None, 0

    def read_in_sequence():
        # every reply packet, the closing ERR included, must carry the next sequence id
        nonlocal packets
        p = c.read_packet()
        packets += 1
        assert c.seq == (packets + 1) & 0xFF, f"packet {packets} has sequence id {c.seq - 1}"
        return p

    try:
        first = read_in_sequence()
        assert first[0] not in (0x00, 0xFF), first[:40]
        ncols, _ = itlib.lenenc_int(first, 0)
        for _ in range(ncols + 1):  # column definitions, EOF (no CLIENT_DEPRECATE_EOF)
            read_in_sequence()
        while True:
            p = read_in_sequence()
            if p[0] == 0xFF:
                ended = "error: " + str(itlib.parse_err(p))
                break
            if p[0] == 0xFE and len(p) < 9:
                ended = "complete"
                break
            rows += 1
            if rows == 2000:
                cluster.kill(0)
    except (itlib.Closed, ConnectionResetError):
        ended = "closed"
    except socket.timeout:
        ended = "hang"
    log(f"  client saw {rows} rows, then {ended}")
    # an ERR in place of the next row says why, then the connection closes
    assert ended.startswith("error: ERR 2013") and "in the middle of a result" in ended, ended
    try:
        extra = c.read_packet()
        raise AssertionError(f"the connection stayed open after the ERR: {extra[:20]!r}")
    except (itlib.Closed, ConnectionResetError, socket.timeout):
        pass
    assert rows < 3000000
    c.close()
    writer.close()
    assert tessera.alive()
    cluster.start()  # restarts the killed server (crash recovery)
    check_fa_data(tessera)


def main():
    if not robustlib.TESSERA_BIN:
        log("test_faults: proxy mode only (needs the tessera binary)")
        return 0
    cluster = robustlib.Cluster("faults", slices=2)
    cluster.stop()
    namespaces = {
        "fa.json": robustlib.namespace_json("fa", "fa", "fa_pw", cluster.port(0)),
        "fb.json": robustlib.namespace_json("fb", "fb", "fb_pw", cluster.port(1)),
    }
    tessera = robustlib.Tessera("faults", namespaces, proxy_extra=(
        f"handshake_timeout_ms = {HANDSHAKE_MS}\nnet_read_timeout_ms = {NET_READ_MS}\n"
        f"client_idle_timeout_s = {IDLE_S}\nbackend_query_timeout_ms = {BACKEND_MS}\n"))
    bystander = None
    try:
        step_refused_at_startup(cluster, tessera)
        bystander = Bystander(tessera.port)
        bystander.start()
        step_huge_lengths(tessera)
        step_slowloris(tessera)
        step_client_disconnect(cluster, tessera)
        step_sigstop(cluster, tessera)
        step_kill_mid_result(cluster, tessera)
        bystander.stop.set()
        bystander.join(30)
        log(f"bystander on slice 1: {bystander.queries} queries, {len(bystander.errors)} errors")
        assert bystander.queries > 100 and not bystander.errors, bystander.errors[:5]
        assert tessera.alive(), "tessera died"
        log("all fault steps passed")
        return 0
    except BaseException:
        log("--- private tessera log ---\n" + tessera.log_tail(60))
        raise
    finally:
        if bystander:
            bystander.stop.set()
        try:
            cluster.signal(0, signal.SIGCONT)
        except (OSError, ValueError):
            pass
        tessera.stop()
        cluster.stop()


if __name__ == "__main__":
    sys.exit(main())
