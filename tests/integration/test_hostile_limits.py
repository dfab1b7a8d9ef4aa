"""Hostile tenant, issue 15 defects 7 and 8: resource exhaustion and login/admin defences.

Each group runs a private Tessera (robustlib.Tessera, port TESSERA_IT_PORT + 57, admin + 62) in
front of the shared fixture's slice 0, with the limits it probes set small so the probes stay
cheap; RSS is read from /proc/<pid>/status of that Tessera.

  packets   a client packet above max_allowed_packet: ERR 1153 (08S01) before it is read,
            COM_STMT_SEND_LONG_DATA past it: not buffered, EXECUTE answers 1105 as MariaDB; a
            compressed packet announcing more: 1153 from its header alone
  admin     unauthenticated bodies never read, authenticated ones capped (413), slow clients
            cut at request_timeout_ms and unable to starve the API
  login     unknown users answered like wrong passwords (same packets, error and time),
            brute force throttled (1129), connection caps (1040 in place of the greeting),
            silent sockets do not delay other logins, a stalled COM_CHANGE_USER times out
  infile    LOAD DATA LOCAL refused with 4166 to clients without CLIENT_LOCAL_FILES (backend
            connection stays usable), a client that never sends its file is timed out, and so
            is a compressed packet that stops half way
  genlog    passwords masked in the general log, log files created 0600
"""
import http.client
import json
import os
import socket
import stat
import struct
import threading
import time
import unittest
import zlib

import hostilelib as hl
import itlib
import robustlib
from itlib import Closed, ErrPacket, RawConn, log

K = 7  # robustlib instance number: port = TESSERA_IT_PORT + 50 + K
USER, PASSWORD = "hl", "hl_pw"
CLIENT_LOCAL_FILES = 0x80
CLIENT_COMPRESS = 0x20


def namespace(general_log=False):
    ns = json.loads(robustlib.namespace_json("hostile_limits", USER, PASSWORD, itlib.BASE_PORT,
                                             capacity=2, max_capacity=20))
    ns["open_general_log"] = general_log
    return json.dumps(ns)


def start_tessera(proxy_extra="", log_extra="", admin_extra="", general_log=False):
    t = robustlib.Tessera("hostile-limits", {"hl.json": namespace(general_log)},
                          proxy_extra=proxy_extra, k=K)
    with open(t.config) as f:
        text = f.read()
    # robustlib's [admin] has the default password, which this file never uses
    text = text.replace('password = "admin"\n', 'password = "s3cret-admin"\n' + admin_extra)
    text += log_extra  # [log] is the last table
    with open(t.config, "w") as f:
        f.write(text)
    t.start()
    return t


def login(t, user=USER, password=PASSWORD, extra_caps=0):
    c = RawConn(port=t.port)
    c.login(user, password, extra_caps=extra_caps)
    return c


def serving(t):
    c = login(t)
    try:
        assert c.query("SELECT 40 + 2") == ("rows", [["42"]])
    finally:
        c.close()


def closed_within(conn, seconds):
    """Seconds until the server closed `conn` (an ERR before the close is fine), None if not."""
    start = time.time()
    conn.sock.settimeout(seconds)
    try:
        while True:
            conn.read_packet()
    except (Closed, ConnectionResetError, BrokenPipeError):
        return time.time() - start
    except socket.timeout:
        return None


class Packets(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.t = start_tessera("max_allowed_packet = 1048576\nnet_read_timeout_ms = 30000\n")

    @classmethod
    def tearDownClass(cls):
        cls.t.stop()

    def test_packet_above_max_allowed_packet_refused_before_read(self):
        c = login(self.t)
        # A 2 MiB COM_QUERY: only its header and 7 bytes are sent. The server-like answer
        # comes at once; before the fix Tessera waited for the 2 MiB (up to 1 GiB accepted).
        start = time.time()
        c.send_raw((2 * 1024 * 1024).to_bytes(3, "little") + b"\x00\x03SELECT ")
        err = itlib.expect_err_or_close(c, "2 MiB packet", timeout=5)
        took = time.time() - start
        log(f"  2 MiB packet over a 1 MiB max_allowed_packet: {err} after {took:.3f} s")
        self.assertIsNotNone(err, "closed without ER_NET_PACKET_TOO_LARGE")
        self.assertEqual((err.code, err.state), (1153, "08S01"))
        self.assertIn("max_allowed_packet", err.message)
        self.assertIsNotNone(closed_within(c, 3), "connection left open after 1153")
        c.close()
        # multi-frame: 16 MiB frames streamed at full speed, refused at the first frame header
        rss0 = self.t.rss_kib()
        c = login(self.t)
        frame = b"\xff\xff\xff\x00\x03" + b"x" * (0xFFFFFF - 1)
        sent = 0
        try:
            c.sock.settimeout(10)
            for i in range(4):
                c.sock.sendall(frame if i == 0 else b"\xff\xff\xff" + bytes([i]) + b"y" * 0xFFFFFF)
                sent += 1
        except (BrokenPipeError, ConnectionResetError, socket.timeout):
            pass
        grown = self.t.rss_kib() - rss0
        log(f"  64 MiB multi-frame packet: {sent} frame(s) accepted by the socket, RSS +{grown} KiB")
        self.assertLess(grown, 20 * 1024, "the oversized packet was buffered")
        c.close()
        # a packet just below the limit still works
        c = login(self.t)
        kind, rows = c.query("SELECT LENGTH('" + "a" * (1024 * 1024 - 64) + "')")
        self.assertEqual(rows, [[str(1024 * 1024 - 64)]])
        c.close()
        serving(self.t)

    def test_compressed_header_above_max_allowed_packet_refused(self):
        # Issue 16 item 14: a compressed packet announcing 2 MiB (over the 1 MiB limit) gets
        # 1153 from its 7-byte header alone, in a compressed reply, then the close.
        c = login(self.t, extra_caps=CLIENT_COMPRESS)
        c.send_raw((100).to_bytes(3, "little") + b"\x00" + (2 * 1024 * 1024).to_bytes(3, "little")
                   + b"x" * 10)
        c.sock.settimeout(5)
        h = c.recv_exact(7)
        body = c.recv_exact(int.from_bytes(h[:3], "little"))
        if int.from_bytes(h[4:], "little"):
            body = zlib.decompress(body)
        err = itlib.parse_err(body[4:])
        log(f"  compressed header announcing 2 MiB: {err}")
        self.assertEqual((err.code, err.state), (1153, "08S01"))
        self.assertEqual(h[3], 1, "the reply continues the compressed sequence")
        self.assertIsNotNone(closed_within(c, 3), "connection left open after 1153")
        c.close()
        serving(self.t)

    def test_long_data_bounded_and_reported_at_execute(self):
        c = login(self.t)
        stmt = c.prepare("SELECT LENGTH(?)")
        rss0 = self.t.rss_kib()
        chunk = b"z" * (512 * 1024)  # each packet under the limit, their sum far above it
        for _ in range(96):  # 48 MiB against a 1 MiB max_allowed_packet
            c.send_long_data(stmt, 0, chunk)
        c.query("DO 1")  # every chunk has been read once this answers
        grown = self.t.rss_kib() - rss0
        log(f"  48 MiB of COM_STMT_SEND_LONG_DATA: RSS +{grown} KiB")
        self.assertLess(grown, 16 * 1024, "long data buffered past max_allowed_packet")
        with self.assertRaises(ErrPacket) as cm:
            c.execute(stmt, [b"x"], long_data=(0,))
        log(f"  EXECUTE after it: {cm.exception}")
        self.assertEqual(cm.exception.code, 1105)
        self.assertIn("max_allowed_packet", cm.exception.message)
        # as MariaDB: the error stays (new data ignored) until COM_STMT_RESET
        c.send_long_data(stmt, 0, b"abc")
        with self.assertRaises(ErrPacket) as cm:
            c.execute(stmt, [b"x"], long_data=(0,))
        self.assertEqual(cm.exception.code, 1105)
        c.stmt_reset(stmt)
        c.send_long_data(stmt, 0, b"abc")
        self.assertEqual(c.execute(stmt, [b"x"], long_data=(0,)), ("rows", [[3]]))
        c.close()
        serving(self.t)


def admin_request(t, method, path, body=None, auth=True, timeout=10):
    conn = http.client.HTTPConnection("127.0.0.1", t.admin_port, timeout=timeout)
    headers = {}
    if auth:
        import base64
        headers["Authorization"] = "Basic " + base64.b64encode(b"admin:s3cret-admin").decode()
    conn.request(method, path, body=body, headers=headers)
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, data


class Admin(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.t = start_tessera(admin_extra="request_timeout_ms = 2000\nthreads = 16\n")

    @classmethod
    def tearDownClass(cls):
        cls.t.stop()

    def test_unauthenticated_body_never_read(self):
        rss0 = self.t.rss_kib()
        s = socket.create_connection(("127.0.0.1", self.t.admin_port), timeout=10)
        s.sendall(b"PUT /api/proxy/config/prepare/x HTTP/1.1\r\nHost: x\r\n"
                  b"Content-Length: 209715200\r\n\r\n")
        sent = 0
        chunk = b"{" * (1 << 20)
        start = time.time()
        try:
            for _ in range(100):  # up to 100 MiB, as fast as the socket takes it
                s.sendall(chunk)
                sent += 1
        except (BrokenPipeError, ConnectionResetError, socket.timeout):
            pass
        reply = b""
        try:
            reply = s.recv(4096)
        except OSError:
            pass
        s.close()
        grown = self.t.rss_kib() - rss0
        log(f"  unauthenticated 200 MiB PUT: {sent} MiB taken in {time.time() - start:.2f} s, "
            f"RSS +{grown} KiB, reply {reply[:12]!r}")
        self.assertLess(grown, 16 * 1024, "an unauthenticated body was buffered")
        self.assertLess(sent, 20, "the unauthenticated body was read")

    def test_authenticated_body_capped(self):
        status, _ = admin_request(self.t, "PUT", "/api/proxy/config/prepare/big",
                                  body=b"{" * (2 * 1024 * 1024))
        log(f"  authenticated 2 MiB body: HTTP {status}")
        self.assertEqual(status, 413)
        status, body = admin_request(self.t, "GET", "/api/proxy/ping")
        self.assertEqual((status, body), (200, b"OK\n"))
        status, _ = admin_request(self.t, "GET", "/api/proxy/ping", auth=False)
        self.assertEqual(status, 401)

    def test_slow_clients_cut_and_cannot_starve(self):
        slow = []
        for _ in range(12):
            s = socket.create_connection(("127.0.0.1", self.t.admin_port), timeout=10)
            s.sendall(b"GET /api/proxy/ping HTTP/1.1\r\n")
            slow.append(s)
        stop = threading.Event()

        def trickle():
            while not stop.is_set():
                for s in slow:
                    try:
                        s.sendall(b"X")
                    except OSError:
                        pass
                time.sleep(0.5)

        th = threading.Thread(target=trickle, daemon=True)
        th.start()
        try:
            time.sleep(0.3)
            start = time.time()
            status, _ = admin_request(self.t, "GET", "/api/proxy/ping", timeout=10)
            took = time.time() - start
            log(f"  with 12 slow clients trickling headers: ping answered in {took:.3f} s")
            self.assertEqual(status, 200)
            self.assertLess(took, 1.0)
            # each slow client is cut at request_timeout_ms (2 s)
            time.sleep(2.5)
            cut = 0
            for s in slow:
                s.settimeout(1)
                try:
                    data = s.recv(4096)
                    while data:
                        data = s.recv(4096)
                    cut += 1
                except (ConnectionResetError, BrokenPipeError):
                    cut += 1
                except socket.timeout:
                    pass
            log(f"  slow clients closed after request_timeout_ms: {cut}/12")
            self.assertEqual(cut, 12)
        finally:
            stop.set()
            th.join()
            for s in slow:
                s.close()


class Login(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.t = start_tessera("login_failure_limit = 5\nlogin_block_ms = 3000\n"
                              "handshake_timeout_ms = 2000\nmax_connections = 400\n"
                              "max_connections_per_ip = 300\n")

    @classmethod
    def tearDownClass(cls):
        cls.t.stop()

    def attempt(self, user, password, plugin="mysql_native_password"):
        """One login; returns (packets received before the ERR/OK, ErrPacket or None, secs)."""
        c = RawConn(port=self.t.port)
        start = time.time()
        try:
            g = c.read_greeting()
            payload = c.handshake_response(user, password)
            if plugin != "mysql_native_password":
                payload = payload.replace(b"mysql_native_password\0", plugin.encode() + b"\0")
            c.send_packet(payload)
            shapes = []
            while True:
                p = c.read_packet()
                if p[0] == 0xFF:
                    return shapes, itlib.parse_err(p), time.time() - start
                if p[0] == 0x00:
                    return shapes, None, time.time() - start
                shapes.append(p[0])
                if p[0] == 0xFE:
                    end = p.index(b"\0", 1)
                    salt = p[end + 1:].rstrip(b"\0")
                    c.send_packet(itlib.native_scramble(password, salt[:20]))
                else:
                    raise AssertionError(f"unexpected packet {p[:8]!r}")
        finally:
            c.close()

    def test_unknown_user_indistinguishable(self):
        # plugin the server does not want: both must go through the same auth switch
        for plugin in ("mysql_native_password", "sha256_password"):
            known = self.attempt(USER, "wrong-" + plugin, plugin)
            unknown = self.attempt("nobody_" + plugin[:6], "wrong", plugin)
            log(f"  {plugin}: known user {known[0]} {known[1]}; unknown {unknown[0]} {unknown[1]}")
            self.assertEqual(known[0], unknown[0], "different exchanges")
            self.assertEqual((known[1].code, known[1].state), (unknown[1].code, unknown[1].state))
            self.assertEqual(known[1].message.replace(USER, "X"),
                             unknown[1].message.replace("nobody_" + plugin[:6], "X"))
        # time: medians over distinct names (the throttle counts per name)
        tk, tu = [], []
        for i in range(3):  # with the two above: 5 failures, the last one starts a block
            tk.append(self.attempt(USER, f"bad{i}")[2])
            tu.append(self.attempt(f"ghost{i}", f"bad{i}")[2])
        tk.sort()
        tu.sort()
        log(f"  login failure time, known {tk[1] * 1000:.2f} ms, unknown {tu[1] * 1000:.2f} ms")
        self.assertLess(abs(tk[1] - tu[1]), 0.05)
        time.sleep(3.2)  # the pair USER@127.0.0.1 may be blocked now: let it expire

    def test_brute_force_throttled(self):
        time.sleep(3.2)
        start = time.time()
        codes = []
        for i in range(20):
            _, err, _ = self.attempt("hl", f"guess{i}")
            codes.append(err.code)
        rate = 20 / (time.time() - start)
        log(f"  20 guesses: {codes}; {rate:.0f} attempts/s, "
            f"{codes.count(1045)} of them checked the password")
        self.assertEqual(codes[:5], [1045] * 5)
        self.assertTrue(all(c == 1129 for c in codes[5:]), codes)
        # the right password is refused too while blocked (a block confirms nothing)
        _, err, _ = self.attempt(USER, PASSWORD)
        self.assertEqual(err.code, 1129)
        # other users and the same user elsewhere are unaffected; after the block it works
        time.sleep(3.2)
        _, err, _ = self.attempt(USER, PASSWORD)
        self.assertIsNone(err)

    def test_connection_caps(self):
        held = []
        try:
            for _ in range(300):
                c = RawConn(port=self.t.port)
                c.read_greeting()
                held.append(c)
            c = RawConn(port=self.t.port)
            p = c.read_packet()
            c.close()
            self.assertEqual(p[0], 0xFF, p[:16])
            err = itlib.parse_err(p)
            log(f"  301st connection from one IP: {err}")
            self.assertEqual(err.code, 1040)
            self.assertIn("Too many connections", err.message)
        finally:
            for c in held:
                c.close()
        time.sleep(0.5)
        serving(self.t)

    def test_silent_sockets_do_not_stall_logins(self):
        silent = [socket.create_connection(("127.0.0.1", self.t.port)) for _ in range(250)]
        try:
            time.sleep(0.2)
            worst = 0
            for _ in range(5):
                start = time.time()
                serving(self.t)
                worst = max(worst, time.time() - start)
            log(f"  with 250 silent sockets: slowest of 5 logins + query {worst * 1000:.1f} ms")
            self.assertLess(worst, 1.0)
            # and they are closed at handshake_timeout_ms (2 s)
            time.sleep(2.6)
            closed = 0
            for s in silent:
                s.settimeout(0.5)
                try:
                    while s.recv(4096):
                        pass
                    closed += 1
                except ConnectionResetError:
                    closed += 1
                except socket.timeout:
                    pass
            log(f"  silent sockets closed after handshake_timeout_ms: {closed}/250")
            self.assertEqual(closed, 250)
        finally:
            for s in silent:
                s.close()

    def test_change_user_auth_switch_times_out(self):
        c = login(self.t)
        # COM_CHANGE_USER naming a plugin Tessera does not use: it answers with an auth switch,
        # which this client never answers.
        payload = (b"\x11" + USER.encode() + b"\0" + b"\x00" + b"\0" + struct.pack("<H", 45)
                   + b"unknown_plugin\0")
        c.send_packet(payload, seq=0)
        p = c.read_packet()
        self.assertEqual(p[0], 0xFE, p[:16])
        took = closed_within(c, 6)
        log(f"  stalled COM_CHANGE_USER auth switch closed after {took}")
        self.assertIsNotNone(took, "a stalled COM_CHANGE_USER was never timed out")
        self.assertLess(took, 4.5)
        c.close()


class Infile(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.t = start_tessera("net_read_timeout_ms = 2000\n")
        c = login(cls.t)
        c.query("CREATE TABLE IF NOT EXISTS sbtest.hl_load (a VARCHAR(200))")
        c.query("TRUNCATE TABLE sbtest.hl_load")
        c.close()

    @classmethod
    def tearDownClass(cls):
        try:
            c = login(cls.t)
            c.query("DROP TABLE IF EXISTS sbtest.hl_load")
            c.close()
        finally:
            cls.t.stop()

    def test_refused_without_client_local_files(self):
        c = login(self.t)  # RawConn does not set CLIENT_LOCAL_FILES
        for _ in range(3):  # more times than the pool has connections
            first = c.command(b"\x03LOAD DATA LOCAL INFILE '/etc/passwd' INTO TABLE sbtest.hl_load")
            self.assertEqual(first[0], 0xFF, f"file request relayed: {first[:16]!r}")
            err = itlib.parse_err(first)
            self.assertEqual(err.code, 4166, err)
            self.assertIn("local infile", err.message)
            # the session and its backend connection are in sync afterwards
            self.assertEqual(c.query("SELECT COUNT(*) FROM sbtest.hl_load"), ("rows", [["0"]]))
        log(f"  LOAD DATA LOCAL without CLIENT_LOCAL_FILES: {err}")
        c.close()
        serving(self.t)

    def test_multi_statement_after_refusal_as_the_server(self):
        """LOAD DATA LOCAL refused (no CLIENT_LOCAL_FILES) inside a multi-statement and an open
        transaction: the replies, what ran after the LOAD and the transaction are compared
        with the same session straight against MariaDB (slice 0's primary, backend account)."""
        load = ("LOAD DATA LOCAL INFILE '/etc/passwd' INTO TABLE sbtest.hl_load;"
                " INSERT INTO sbtest.hl_load VALUES ('ran-after-load'); SELECT 'after'")

        def run(direct):
            c = hl.Raw(itlib.BASE_PORT if direct else self.t.port)
            if direct:
                c.login_as("tessera", "tessera", "sbtest", 0, local_files=False)
            else:
                c.login_as(USER, PASSWORD, "sbtest", 0, local_files=False)
            out = []
            try:
                # autocommit: the LOAD alone, then with statements after it
                out.append(c.try_sql(load))
                out.append(c.try_sql("SELECT 'next', @@in_transaction"))
                # in an open transaction
                out.append(c.try_sql("START TRANSACTION"))
                out.append(c.try_sql("INSERT INTO sbtest.hl_load VALUES ('in-transaction')"))
                out.append(c.try_sql(load))
                out.append(c.try_sql("SELECT 'next', @@in_transaction"))
                out.append(c.try_sql("COMMIT"))
                # another session gets its own answers
                other = hl.Raw(itlib.BASE_PORT if direct else self.t.port)
                if direct:
                    other.login_as("tessera", "tessera", "sbtest", 0, local_files=False)
                else:
                    other.login_as(USER, PASSWORD, "sbtest", 0, local_files=False)
                out.append(other.try_sql("SELECT 'other'"))
                other.quit()
            finally:
                c.quit()
            out.append(itlib.backend_sql(0, "SELECT a FROM sbtest.hl_load ORDER BY a"))
            itlib.backend_sql(0, "TRUNCATE TABLE sbtest.hl_load")
            return out

        want = run(direct=True)
        got = run(direct=False)
        log(f"  LOAD DATA LOCAL refused in a multi-statement: MariaDB {want}, Tessera {got}")
        self.assertEqual(want[0], [("err", 4166)])  # the check checks what it should
        self.assertEqual(got, want)
        serving(self.t)

    def test_client_that_never_sends_its_file_times_out(self):
        c = login(self.t, extra_caps=CLIENT_LOCAL_FILES)
        first = c.command(b"\x03LOAD DATA LOCAL INFILE 'x.csv' INTO TABLE sbtest.hl_load")
        self.assertEqual(first[0], 0xFB, first[:16])
        took = closed_within(c, 6)
        log(f"  file request never answered: client closed after {took}")
        self.assertIsNotNone(took, "an unanswered LOAD DATA LOCAL was never timed out")
        self.assertLess(took, 4.5)
        c.close()
        # the backend connection was discarded: the table is usable, nothing waits on the load
        other = login(self.t)
        other.query("INSERT INTO sbtest.hl_load VALUES ('after')")
        self.assertEqual(other.query("SELECT COUNT(*) FROM sbtest.hl_load"), ("rows", [["1"]]))
        other.query("TRUNCATE TABLE sbtest.hl_load")
        other.close()
        deadline = time.time() + 5
        while time.time() < deadline:
            rows = itlib.backend_sql(0, "SELECT COUNT(*) FROM information_schema.processlist "
                                        "WHERE info LIKE 'LOAD DATA LOCAL%hl_load%'")
            if rows == [["0"]]:
                break
            time.sleep(0.2)
        self.assertEqual(rows, [["0"]], "the backend LOAD is still waiting")


    def test_compressed_packet_stalled_midway_times_out(self):
        # A compressed packet whose payload stops half way counts against net_read_timeout_ms
        # (2 s here) like any other packet.
        c = login(self.t, extra_caps=CLIENT_COMPRESS)
        c.send_raw((1000).to_bytes(3, "little") + b"\x00" + (0).to_bytes(3, "little") + b"y" * 10)
        took = closed_within(c, 6)
        log(f"  compressed packet stalled after 10 of 1000 bytes: closed after {took}")
        self.assertIsNotNone(took, "a stalled compressed packet was never timed out")
        self.assertLess(took, 4.5)
        c.close()


class GeneralLog(unittest.TestCase):
    def test_passwords_masked_and_files_private(self):
        old = os.umask(0o022)
        try:
            t = start_tessera(log_extra='general_log_file = "general.log"\n'
                                       'slow_log_file = "slow.log"\n',
                              general_log=True)
        finally:
            os.umask(old)
        try:
            c = login(t)
            c.query("SELECT PASSWORD('hunter2-a')")
            for sql in ("ALTER USER 'nobody_hl'@'%' IDENTIFIED BY 'hunter2-b'",
                        "SET PASSWORD FOR 'nobody_hl'@'%' = PASSWORD('hunter2-c')"):
                try:
                    c.query(sql)
                except ErrPacket:
                    pass  # no such account: refused by the server, logged all the same
            c.query("SELECT 'visible-literal'")
            c.close()
            path = os.path.join(t.dir, "general.log")
            deadline = time.time() + 3
            text = ""
            while time.time() < deadline and "visible-literal" not in text:
                time.sleep(0.1)
                with open(path) as f:
                    text = f.read()
            log("  general log:\n    " + "\n    ".join(text.strip().splitlines()[-4:]))
            self.assertIn("visible-literal", text)
            self.assertIn("IDENTIFIED BY '***'", text)
            self.assertNotIn("hunter2", text)
            for name in ("general.log", "slow.log"):
                mode = stat.S_IMODE(os.stat(os.path.join(t.dir, name)).st_mode)
                log(f"  {name}: mode {mode:o}")
                self.assertEqual(mode & 0o077, 0, f"{name} is readable by others")
        finally:
            t.stop()


if __name__ == "__main__":
    itlib.main_unittest()
