"""etcd as the config center (issue 8): a real etcd (Debian's etcd-server) started here on
loopback ports, and two private Tessera instances configured with [etcd]. A namespace written
to etcd (with an encrypted password) must be usable on both instances within 1 s, a changed
user password likewise, and a deleted namespace must disappear; an invalid document is
rejected while the one in force stays. Prints the measured propagation delays."""

import json
import os
import time
import unittest

import itlib
from itlib import BASE_PORT, HOST, log
from opslib import Etcd, Tessera, encrypt_password, namespace_doc, stop_all

CLUSTER = "itcluster"
KEY = f"/tessera/{CLUSTER}/namespace/"
SECRET = "ops-test-key"
LIMIT = 1.0


def can_login(port, user, password):
    import pymysql

    try:
        c = pymysql.connect(host=HOST, port=port, user=user, password=password,
                            connect_timeout=2)
    except pymysql.err.OperationalError:
        return False
    try:
        cur = c.cursor()
        cur.execute("SELECT 1")
        return cur.fetchone()[0] == 1
    finally:
        c.close()


def wait_until(check, timeout=10.0):
    """Seconds until check() is true (polled every 10 ms), or None."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if check():
            return time.monotonic() - start
        time.sleep(0.01)
    return None


class EtcdConfigCenter(unittest.TestCase):
    def test_two_proxies_follow_etcd(self):
        etcd = Etcd()
        try:
            etcd.start()
            extra = f"""
[etcd]
endpoints = ["127.0.0.1:{etcd.client_port}"]
cluster = "{CLUSTER}"
encrypt_key = "{SECRET}"
"""
            proxies = [Tessera(i + 1, toml_extra=extra, name=f"etcd-{i}") for i in range(2)]
            # one namespace before start: read at start-up
            etcd.put(KEY + "boot", namespace_doc("boot", [("boot_user", "boot_pw")], BASE_PORT))
            for p in proxies:
                p.start()
            for p in proxies:
                self.assertIsNotNone(wait_until(lambda: can_login(p.port, "boot_user", "boot_pw"),
                                                10), f"{p.name}: start-up read from etcd")
            self.scenario(etcd, proxies)
        finally:
            stop_all()

    def measure(self, proxies, check, what):
        start = time.monotonic()
        delays = []
        for p in proxies:
            d = wait_until(lambda: check(p), 10)
            self.assertIsNotNone(d, f"{p.name}: {what} not seen within 10 s")
            delays.append(time.monotonic() - start)
        worst = max(delays)
        log(f"  etcd propagation, {what}: " +
            ", ".join(f"{p.name} {d * 1000:.0f} ms" for p, d in zip(proxies, delays)))
        self.assertLess(worst, LIMIT, f"{what}: {worst:.3f}s > {LIMIT}s")
        return worst

    def scenario(self, etcd, proxies):
        # a new namespace, its user's password encrypted
        doc = namespace_doc("etcdns", [("etcd_user", encrypt_password("pw_one", SECRET))],
                            BASE_PORT)
        for p in proxies:
            self.assertFalse(can_login(p.port, "etcd_user", "pw_one"))
        etcd.put(KEY + "etcdns", doc)
        self.measure(proxies, lambda p: can_login(p.port, "etcd_user", "pw_one"), "new namespace")

        # a changed user (new password)
        doc2 = namespace_doc("etcdns", [("etcd_user", encrypt_password("pw_two", SECRET))],
                             BASE_PORT)
        etcd.put(KEY + "etcdns", doc2)
        self.measure(proxies, lambda p: can_login(p.port, "etcd_user", "pw_two"), "changed user")
        for p in proxies:
            self.assertFalse(can_login(p.port, "etcd_user", "pw_one"), "old password refused")

        # an invalid document is rejected; the namespace in force stays
        gens = [p.generation() for p in proxies]
        bad = json.loads(doc2)
        bad["default_slice"] = "missing"
        etcd.put(KEY + "etcdns", json.dumps(bad))
        wrong_key = namespace_doc("etcdns", [("etcd_user", encrypt_password("x", "other-key"))],
                                  BASE_PORT)
        etcd.put(KEY + "etcdns", wrong_key)
        time.sleep(0.5)
        for p, g in zip(proxies, gens):
            self.assertEqual(p.generation(), g, f"{p.name}: bad documents changed nothing")
            self.assertTrue(can_login(p.port, "etcd_user", "pw_two"))
            self.assertIn("rejected, keeping configuration generation", p.log())

        # deletion
        etcd.delete(KEY + "etcdns")
        self.measure(proxies, lambda p: not can_login(p.port, "etcd_user", "pw_two"),
                     "deleted namespace")
        # the other namespace was untouched
        for p in proxies:
            self.assertTrue(can_login(p.port, "boot_user", "boot_pw"))


if __name__ == "__main__":
    itlib.main_unittest()
