"""Hostile conditions, issue 15: a server that stops answering in the middle of a login.

In a namespace with "backend_accounts": true a client's login is relayed to the server: Tessera
sends the server's auth switch to the client and the client's answer to the server. Here the
server (the test's own one-server cluster, so nothing else is disturbed) is stopped with
SIGSTOP right after it asked for the password: the client must get a clear error (2003, "did
not answer") within backend_connect_timeout_ms and a little scheduling slack, not wait
forever; after SIGCONT, the stalled server connection is gone from the server's processlist,
Tessera holds no client connection for it, and logins work again. The same stop before the
greeting is bounded as well (that part was already).

Ports: private cluster TESSERA_IT_BASE_PORT + 740, private Tessera TESSERA_IT_PORT + 76
(admin + 81). The namespace's slice account is demo_rw, the cluster's least-privilege data
account; the server account stall_acct may SELECT on demo only.
"""

import json
import os
import signal
import time
import unittest

import pymysql

import hostilelib as hl
import itlib
import opslib
import robustlib
from itlib import log

ACCOUNT, PASSWORD = "stall_acct", "stall_pw"
TIMEOUT_MS = 1500
SLACK_S = 3.0  # scheduling on a loaded machine


def namespace(port):
    return json.dumps({
        "name": "stall", "online": True, "read_only": False, "allowed_dbs": {},
        "default_slice": "slice-0", "backend_accounts": True,
        "slices": [{"name": "slice-0", "user_name": "demo_rw", "password": "demo_rw",
                    "master": f"127.0.0.1:{port}", "slaves": [], "statistic_slaves": [],
                    "capacity": 1, "max_capacity": 10, "idle_timeout": 60}],
        "shard_rules": [], "users": []})


@unittest.skipUnless(itlib.PROXY, "Tessera's own relay: nothing to stall in direct mode")
class StalledServer(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cluster = hl.PrivateCluster("hostile_stall", offset=740)
        cls.cluster.start()
        cls.cluster.sql(f"CREATE USER IF NOT EXISTS '{ACCOUNT}'@'%' IDENTIFIED BY '{PASSWORD}';"
                        f"GRANT SELECT ON demo.* TO '{ACCOUNT}'@'%'")
        cls.tessera = robustlib.Tessera(
            "hostile_stall", {"stall.json": namespace(cls.cluster.port)}, k=26,
            proxy_extra=f"backend_connect_timeout_ms = {TIMEOUT_MS}\n")
        cls.tessera.start()

    @classmethod
    def tearDownClass(cls):
        try:
            os.kill(cls.pid(), signal.SIGCONT)
        except Exception:
            pass
        if getattr(cls, "tessera", None):
            cls.tessera.stop()
        cls.cluster.stop()

    @classmethod
    def pid(cls):
        with open(os.path.join(cls.cluster.dir, "slice-0", "primary", "mysqld.pid")) as f:
            return int(f.read().strip())

    def server_sessions(self):
        return int(self.cluster.sql("SELECT COUNT(*) FROM information_schema.PROCESSLIST "
                                    f"WHERE USER = '{ACCOUNT}'")[0][0])

    def active_clients(self):
        return opslib.metric(opslib.scrape(self.tessera.admin_port), "tessera_connections_active")

    def login_works(self):
        c = pymysql.connect(host="127.0.0.1", port=self.tessera.port, user=ACCOUNT,
                            password=PASSWORD, connect_timeout=10, read_timeout=10)
        try:
            with c.cursor() as cur:
                cur.execute("SELECT CURRENT_USER()")
                self.assertEqual(cur.fetchone()[0], f"{ACCOUNT}@%")
        finally:
            c.close()

    def settle(self):
        """After SIGCONT: the server ends the connection Tessera closed, Tessera holds no
        client connection, and a login works."""
        deadline = time.time() + 15
        while self.server_sessions() != 0 and time.time() < deadline:
            time.sleep(0.2)
        self.assertEqual(self.server_sessions(), 0, "the stalled connection stayed open")
        deadline = time.time() + 10
        while self.active_clients() != 0 and time.time() < deadline:
            time.sleep(0.2)
        self.assertEqual(self.active_clients(), 0, "Tessera still holds the client connection")
        # The topology monitor saw the stopped server as down: logins work once it sees it up.
        deadline = time.time() + 20
        while True:
            try:
                self.login_works()
                break
            except pymysql.err.OperationalError as e:
                if time.time() > deadline:
                    raise
                log(f"  waiting for the server to be seen up again: {e}")
                time.sleep(0.5)

    def test_stop_after_the_auth_switch(self):
        self.login_works()
        c = itlib.RawConn(port=self.tessera.port)
        stopped = False
        try:
            c.read_greeting()
            c.send_packet(c.handshake_response(ACCOUNT, PASSWORD))
            switch = c.read_packet()
            self.assertEqual(switch[0], 0xFE, f"expected the server's auth switch: {switch[:20]!r}")
            end = switch.index(b"\0", 1)
            salt = switch[end + 1:].rstrip(b"\0")
            os.kill(self.pid(), signal.SIGSTOP)
            stopped = True
            t0 = time.monotonic()
            c.send_packet(itlib.native_scramble(PASSWORD, salt[:20]))
            err = itlib.expect_err_or_close(c, "login while the server is stopped",
                                            timeout=TIMEOUT_MS / 1000 + 12)
            elapsed = time.monotonic() - t0
            log(f"  answer after {elapsed:.2f}s: {err}")
            self.assertIsNotNone(err, "closed without an error")
            self.assertEqual(err.code, 2003, err)
            self.assertIn("did not answer the login", err.message)
            self.assertLess(elapsed, TIMEOUT_MS / 1000 + SLACK_S)
        finally:
            c.close()
            if stopped:
                os.kill(self.pid(), signal.SIGCONT)
        self.settle()

    def test_stop_before_the_greeting(self):
        os.kill(self.pid(), signal.SIGSTOP)
        try:
            t0 = time.monotonic()
            with self.assertRaises(pymysql.err.MySQLError) as cm:
                pymysql.connect(host="127.0.0.1", port=self.tessera.port, user=ACCOUNT,
                                password=PASSWORD, connect_timeout=10, read_timeout=15)
            elapsed = time.monotonic() - t0
            log(f"  answer after {elapsed:.2f}s: {cm.exception}")
            self.assertEqual(cm.exception.args[0], 2003, cm.exception)
            self.assertLess(elapsed, TIMEOUT_MS / 1000 + SLACK_S)
        finally:
            os.kill(self.pid(), signal.SIGCONT)
        self.settle()


if __name__ == "__main__":
    itlib.main_unittest()
