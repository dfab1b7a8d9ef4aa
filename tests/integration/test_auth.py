#!/usr/bin/env python3
"""Logging in: mysql_native_password, caching_sha2_password (full auth over RSA, then the fast
path), wrong passwords and unknown users."""
import itlib
import pymysql
import pymysql._auth as auth
import unittest


class RsaCounter:
    """Counts how often pymysql encrypts a password with the server's RSA key (= full auth)."""

    def __init__(self):
        self.calls = 0
        self.orig = auth.sha2_rsa_encrypt

    def __enter__(self):
        def wrapped(*a, **kw):
            self.calls += 1
            return self.orig(*a, **kw)
        auth.sha2_rsa_encrypt = wrapped
        return self

    def __exit__(self, *exc):
        auth.sha2_rsa_encrypt = self.orig


def whoami(conn):
    with conn.cursor() as cur:
        cur.execute("SELECT 'hello', 6 * 7")
        return cur.fetchone()


class Auth(unittest.TestCase):
    def test_native_password(self):
        c = itlib.connect("app")
        try:
            self.assertEqual(whoami(c), ("hello", 42))
        finally:
            c.close()

    def test_native_password_with_db(self):
        c = itlib.connect("app", database="sbtest")
        try:
            with c.cursor() as cur:
                cur.execute("SELECT DATABASE()")
                self.assertEqual(cur.fetchone()[0], "sbtest")
        finally:
            c.close()

    def test_wrong_password(self):
        for user in ("app", "sbtest", "sha2user"):
            with self.subTest(user=user):
                with self.assertRaises(pymysql.err.OperationalError) as cm:
                    itlib.connect(user, "definitely-wrong")
                self.assertEqual(cm.exception.args[0], 1045, cm.exception)
        # SQLSTATE 28000 is on the wire; pymysql drops it, so check it with the raw client.
        raw = itlib.RawConn()
        try:
            with self.assertRaises(itlib.ErrPacket) as cm:
                raw.login("app", "definitely-wrong")
            self.assertEqual((cm.exception.code, cm.exception.state), (1045, "28000"))
        finally:
            raw.close()

    def test_unknown_user(self):
        raw = itlib.RawConn()
        try:
            with self.assertRaises(itlib.ErrPacket) as cm:
                raw.login("no_such_user_xyz", "pw")
            self.assertEqual((cm.exception.code, cm.exception.state), (1045, "28000"))
        finally:
            raw.close()
        itlib.assert_serving("unknown user")

    def test_empty_password_refused(self):
        with self.assertRaises(pymysql.err.OperationalError) as cm:
            itlib.connect("app", "")
        self.assertEqual(cm.exception.args[0], 1045)

    @unittest.skipUnless(itlib.PROXY, "MariaDB has no caching_sha2_password server plugin")
    def test_caching_sha2_full_then_fast(self):
        # First login of this user since Tessera started: no cached hash, so the server must ask
        # for the full password; without TLS the client requests the RSA public key and sends
        # the password encrypted with it.
        with RsaCounter() as rsa:
            c = itlib.connect("sha2user")
            try:
                self.assertEqual(whoami(c), ("hello", 42))
            finally:
                c.close()
            self.assertEqual(rsa.calls, 1, "first caching_sha2 login should be a full (RSA) auth")
        # Second login: the fast path (scramble only; server answers 0x01 0x03 then OK).
        with RsaCounter() as rsa:
            c = itlib.connect("sha2user")
            try:
                self.assertEqual(whoami(c), ("hello", 42))
            finally:
                c.close()
            self.assertEqual(rsa.calls, 0, "second caching_sha2 login should use the fast path")
        # A wrong password after caching still fails, and does not poison the cache.
        with self.assertRaises(pymysql.err.OperationalError) as cm:
            itlib.connect("sha2user", "wrong")
        self.assertEqual(cm.exception.args[0], 1045)
        with RsaCounter() as rsa:
            itlib.connect("sha2user").close()
            self.assertEqual(rsa.calls, 0)

    def test_sha2user_plain_login(self):
        c = itlib.connect("sha2user")
        try:
            self.assertEqual(whoami(c), ("hello", 42))
        finally:
            c.close()


if __name__ == "__main__":
    itlib.main_unittest()
