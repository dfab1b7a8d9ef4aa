#!/usr/bin/env python3
"""Hostile and broken clients over raw sockets. Every case must end in an ERR packet or a
closed connection within a few seconds (never a hang), and afterwards a fresh, normal session
must still work."""
import itlib
import socket
import struct
import time
import unittest
from itlib import RawConn, ErrPacket, expect_err_or_close, assert_serving


def half_close(conn):
    try:
        conn.sock.shutdown(socket.SHUT_WR)
    except OSError:
        pass


class BeforeLogin(unittest.TestCase):
    def tearDown(self):
        assert_serving(self.id().rsplit(".", 1)[-1])

    def test_greeting_is_sane(self):
        c = RawConn()
        try:
            g = c.read_greeting()
            self.assertTrue(g["version"])
            self.assertEqual(len(g["salt"]), 20)
            self.assertTrue(g["caps"] & itlib.CLIENT_PROTOCOL_41)
        finally:
            c.close()

    def test_close_right_after_greeting(self):
        for _ in range(50):
            c = RawConn()
            c.read_greeting()
            c.close()
        for _ in range(20):  # and without even reading it
            RawConn().close()

    def test_garbage_instead_of_handshake_response(self):
        c = RawConn()
        try:
            c.read_greeting()
            c.send_raw(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            half_close(c)
            expect_err_or_close(c, "HTTP request instead of handshake response")
        finally:
            c.close()

    def test_garbage_left_open_does_not_block_others(self):
        c = RawConn()
        try:
            c.read_greeting()
            c.send_raw(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\xaa" * 50)  # TLS hello
            assert_serving("TLS hello garbage pending")
        finally:
            c.close()

    def test_truncated_handshake_response(self):
        c = RawConn()
        try:
            c.read_greeting()
            c.send_raw((100).to_bytes(3, "little") + b"\x01" + b"\x00" * 10)  # says 100, sends 10
            half_close(c)
            expect_err_or_close(c, "truncated packet")
        finally:
            c.close()

    def test_16mib_header_then_close(self):
        c = RawConn()
        c.read_greeting()
        c.send_raw(b"\xff\xff\xff\x01" + b"x" * 1000)  # claims a 16 MiB payload
        c.close()
        time.sleep(0.2)

    def test_short_handshake_response(self):
        c = RawConn()
        try:
            c.read_greeting()
            c.send_packet(b"\x85\xa6\x0f", seq=1)  # 3 bytes: not even the capability flags
            err = expect_err_or_close(c, "3-byte handshake response")
            if err:
                itlib.log(f"  short response -> {err}")
        finally:
            c.close()

    def test_unterminated_user_name(self):
        c = RawConn()
        try:
            c.read_greeting()
            payload = struct.pack("<IIB23x", itlib.BASE_CAPS, 1 << 24, 45) + b"app"  # no NUL
            c.send_packet(payload, seq=1)
            err = expect_err_or_close(c, "user name without NUL")
            self.assertFalse(err is not None and err.code == 0, err)
        finally:
            c.close()

    def test_auth_length_beyond_packet(self):
        c = RawConn()
        try:
            c.read_greeting()
            payload = struct.pack("<IIB23x", itlib.BASE_CAPS, 1 << 24, 45) + b"app\0" + b"\xfa" + b"x"
            c.send_packet(payload, seq=1)
            expect_err_or_close(c, "auth response length beyond the packet")
        finally:
            c.close()

    def test_wrong_sequence_id_in_handshake(self):
        c = RawConn()
        try:
            c.read_greeting()
            c.send_packet(c.handshake_response("app", "app_pw"), seq=7)
            p = None
            c.sock.settimeout(15)
            try:
                p = c.read_packet()
            except (itlib.Closed, ConnectionResetError):
                pass
            except socket.timeout:
                self.fail("no answer to a handshake response with a wrong sequence id")
            # Either refused (ERR / close) or tolerated (OK); never silence.
            if p is not None and p[0] == 0x00:
                itlib.log("  wrong handshake seq tolerated (login OK)")
            elif p is not None:
                self.assertEqual(p[0], 0xFF, p[:20])
        finally:
            c.close()

    def test_unknown_user(self):
        c = RawConn()
        try:
            with self.assertRaises(ErrPacket) as cm:
                c.login("nobody_here", "x")
            self.assertEqual((cm.exception.code, cm.exception.state), (1045, "28000"))
        finally:
            c.close()

    def test_unknown_database_at_login(self):
        c = RawConn()
        try:
            with self.assertRaises(ErrPacket) as cm:
                c.login("app", db="no_such_db_at_login")
            self.assertIn(cm.exception.code, (1049, 1044), cm.exception)
        finally:
            c.close()


class AfterLogin(unittest.TestCase):
    def setUp(self):
        self.c = RawConn()
        self.c.login("app")

    def tearDown(self):
        self.c.close()
        assert_serving(self.id().rsplit(".", 1)[-1])

    def test_query_works(self):
        self.assertEqual(self.c.query("SELECT 'raw', 1+1"), ("rows", [["raw", "2"]]))

    def test_unknown_command(self):
        for cmd in (0xEE, 0x7F):
            p = self.c.command(bytes([cmd]) + b"junk")
            self.assertEqual(p[0], 0xFF, p[:20])
            err = itlib.parse_err(p)
            self.assertEqual((err.code, err.state), (1047, "08S01"), err)
        # the session survives
        self.assertEqual(self.c.query("SELECT 5"), ("rows", [["5"]]))

    def test_init_db_unknown(self):
        p = self.c.command(b"\x02no_such_db_initdb")
        self.assertEqual(p[0], 0xFF, p[:20])
        err = itlib.parse_err(p)
        # 1049 unknown database, or 1044 when Tessera refuses a db outside allowed_dbs
        self.assertIn((err.code, err.state), ((1049, "42000"), (1044, "42000")), err)
        p = self.c.command(b"\x02demo")
        self.assertEqual(p[0], 0x00, p[:20])
        self.assertEqual(self.c.query("SELECT DATABASE()"), ("rows", [["demo"]]))

    def test_empty_query(self):
        p = self.c.command(b"\x03")
        self.assertEqual(p[0], 0xFF, p[:20])
        self.assertEqual(itlib.parse_err(p).code, 1065)  # Query was empty
        self.assertEqual(self.c.query("SELECT 6"), ("rows", [["6"]]))

    def test_ping(self):
        p = self.c.command(b"\x0e")
        self.assertEqual(p[0], 0x00)

    def test_zero_length_packet(self):
        self.c.send_packet(b"", seq=0)
        expect_err_or_close(self.c, "zero-length command packet")

    def test_wrong_sequence_id_command(self):
        self.c.send_packet(b"\x03SELECT 1", seq=3)
        c = self.c
        c.sock.settimeout(15)
        try:
            p = c.read_packet()
        except (itlib.Closed, ConnectionResetError):
            return
        except socket.timeout:
            self.fail("no answer to a command with sequence id 3")
        # tolerated (result set) or refused (ERR); either way an answer came
        self.assertIn(p[0], (0x01, 0xFF), p[:20])

    def test_truncated_command_then_close(self):
        self.c.send_raw((1000).to_bytes(3, "little") + b"\x00" + b"\x03SELECT ")
        half_close(self.c)
        expect_err_or_close(self.c, "truncated COM_QUERY")

    def test_16mib_header_then_close(self):
        self.c.send_raw(b"\xff\xff\xff\x00\x03SELECT '" + b"a" * 100000)
        self.c.close()
        time.sleep(0.2)

    def test_quit(self):
        self.c.send_packet(b"\x01", seq=0)
        self.assertIsNone(expect_err_or_close(self.c, "COM_QUIT"))

    def test_query_after_error(self):
        with self.assertRaises(ErrPacket) as cm:
            self.c.query("SELECT * FROM demo.nope_nope")
        self.assertEqual((cm.exception.code, cm.exception.state), (1146, "42S02"))
        self.assertEqual(self.c.query("SELECT 8"), ("rows", [["8"]]))


@unittest.skipUnless(itlib.PROXY, "needs Tessera: a namespace whose backend is down")
class BackendDown(unittest.TestCase):
    # ERR codes that say "could not reach the server" (client-style 2002/2003, 1105 unknown,
    # 1040 too many connections, 1158-1161 network errors, 1429 foreign data source).
    ACCEPTED = {1105, 2002, 2003, 2013, 1040, 1158, 1159, 1160, 1161, 1429}

    def tearDown(self):
        assert_serving("backend down")

    def test_dead_backend_gives_err(self):
        c = RawConn(timeout=20)
        t0 = time.time()
        try:
            try:
                c.login(itlib.BROKEN_USER, itlib.BROKEN_PASSWORD)
                err = None
                try:
                    c.query("SELECT 1")
                except ErrPacket as e:
                    err = e
                self.assertIsNotNone(err, "query on a namespace whose backend is down succeeded")
            except ErrPacket as e:  # refusing the login is fine too
                err = e
            except (itlib.Closed, ConnectionResetError):
                self.fail("connection closed without an ERR packet")
            except socket.timeout:
                self.fail("no answer within 20s (hang)")
            itlib.log(f"  dead backend -> {err} after {time.time() - t0:.1f}s")
            self.assertIn(err.code, self.ACCEPTED, err)
            self.assertTrue(err.message)
            # the same session can still ask again and gets another clean error
            if c.greeting and err.code != 1045:
                try:
                    c.query("SELECT 2")
                except ErrPacket as e2:
                    self.assertIn(e2.code, self.ACCEPTED, e2)
                except (itlib.Closed, ConnectionResetError):
                    pass  # a refused login closes the connection
        finally:
            c.close()


if __name__ == "__main__":
    itlib.main_unittest()
