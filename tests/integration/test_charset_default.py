"""Namespace `default_charset` (issue 17: Gaea's key was loaded and never used). A client whose
handshake names no character set Tessera and the server know (collation id 0, or an id no
collation has) starts its session in its namespace's default character set, as a server whose
character_set_server is that character set starts it. Reference: slice-0's primary, logged in
as the namespace's own backend account with the default's collation id named explicitly (a
client naming a collation gets the same session from either server default). A client that
names a collation Tessera knows keeps it.

User `charset_user` of namespace `charset_ns` (config/it_charset.json.in: default_charset
cp1251, backend account guard_rw on slice-0). Before the fix such sessions started in
utf8mb4 (id 0) or in whatever the backend server's default was (an unknown id)."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "compat"))
import itlib  # noqa: E402
import wirelib  # noqa: E402

CP1251_GENERAL_CI = 51
UTF8MB4_UNICODE_CI = 224
QUERIES = [
    "SELECT @@character_set_client, @@character_set_connection, @@character_set_results,"
    " @@collation_connection",
    # bytes the client sends are read in the session's character set and returned in it
    "SELECT 'caf\u00e9' AS v, HEX('caf\u00e9') AS h, CHARSET('x') AS c, COLLATION('x') AS k,"
    " 'i' = 'I' AS ci",
]


def session(port, user, password, collation):
    """What a session started with `collation` in its handshake answers: rows and the character
    set of every result column."""
    conn = wirelib.Wire(itlib.HOST, port)
    try:
        login = conn.connect(user, password, collation=collation)
        assert login["kind"] == "ok", login
        out = []
        for q in QUERIES:
            for r in conn.query(q):
                assert r["kind"] == "rows", r
                out.append((r["rows"], [c["charset"] for c in r["columns"]]))
        return out
    finally:
        conn.close()


@unittest.skipUnless(itlib.PROXY, "a namespace setting: only through Tessera")
class DefaultCharset(unittest.TestCase):
    def direct(self, collation):
        return session(itlib.BASE_PORT, "guard_rw", "guard_rw", collation)

    def tessera(self, collation):
        return session(itlib.PORT, "charset_user", "charset_pw", collation)

    def test_no_collation_named_starts_in_the_namespace_default(self):
        want = self.direct(CP1251_GENERAL_CI)
        self.assertEqual(want[0][0][0], [b"cp1251", b"cp1251", b"cp1251", b"cp1251_general_ci"])
        self.assertEqual(self.tessera(0), want)

    def test_unknown_collation_id_starts_in_the_namespace_default(self):
        # 250: no MariaDB 10.11 collation has it (MySQL 8's gb18030 range)
        self.assertEqual(self.tessera(250), self.direct(CP1251_GENERAL_CI))

    def test_a_named_collation_wins(self):
        got = self.tessera(UTF8MB4_UNICODE_CI)
        self.assertEqual(got, self.direct(UTF8MB4_UNICODE_CI))
        self.assertEqual(got[0][0][0][3], b"utf8mb4_unicode_ci")


if __name__ == "__main__":
    itlib.main_unittest()
