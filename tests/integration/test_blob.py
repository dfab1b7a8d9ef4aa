#!/usr/bin/env python3
"""A 20 MiB BLOB in and out (packets larger than 16 MiB are split on the wire), checked with
SHA1 on both sides."""
import hashlib
import itlib
import os
import unittest

SIZE = 20 * 1024 * 1024


class Blob(unittest.TestCase):
    def test_20mib_round_trip(self):
        data = os.urandom(SIZE)  # every byte value, so escaping is exercised too
        want = hashlib.sha1(data).hexdigest()
        c = itlib.connect("app", database="demo", autocommit=True,
                          max_allowed_packet=64 * 1024 * 1024, read_timeout=120, write_timeout=120)
        try:
            with c.cursor() as cur:
                cur.execute("DROP TABLE IF EXISTS it_blob")
                cur.execute("CREATE TABLE it_blob (id INT PRIMARY KEY, b LONGBLOB) ENGINE=InnoDB")
                cur.execute("INSERT INTO it_blob VALUES (%s, %s)", (1, data))
                self.assertEqual(cur.rowcount, 1)
                cur.execute("SELECT LENGTH(b), SHA1(b) FROM it_blob WHERE id = 1")
                self.assertEqual(cur.fetchone(), (SIZE, want))
                cur.execute("SELECT b FROM it_blob WHERE id = 1")
                got = cur.fetchone()[0]
                self.assertEqual(len(got), SIZE)
                self.assertEqual(hashlib.sha1(got).hexdigest(), want)
                # Exactly at the 16 MiB packet boundary (payload 0xFFFFFF needs an empty trailer).
                for n in (0xFFFFFF - 4, 0xFFFFFF - 3, 0xFFFFFF, 0xFFFFFF + 1):
                    cur.execute("SELECT REPEAT('a', %s)", (n,))
                    got = cur.fetchone()[0]
                    self.assertEqual(len(got), n, f"REPEAT length {n}")
                # The session is still in sync afterwards.
                cur.execute("SELECT 'ok'")
                self.assertEqual(cur.fetchone(), ("ok",))
                cur.execute("DROP TABLE it_blob")
        finally:
            c.close()
        itlib.assert_serving("20 MiB blob")


if __name__ == "__main__":
    itlib.main_unittest()
