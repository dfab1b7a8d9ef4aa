"""etcd with authentication and TLS (issue 15, defect 8: "etcd without auth or TLS options").

A private etcd (Debian's etcd-server) serving https only, with a certificate made here by
openssl (a test CA, the server certificate for 127.0.0.1, a client certificate: etcd requires
one, --client-cert-auth), auth enabled (root, and a user `tessera_cfg` whose role may only read
Tessera's prefix) and short-lived tokens (--auth-token-ttl 3). Private Tessera instances:

* with the right user, password, CA and client certificate: reads its namespaces at start,
  follows a change through the watch, reloads after its token expired, and after etcd was
  restarted (every token forgotten: 401, authenticates again) reads and watches again;
* at start, each of a wrong password, a user whose role does not cover the prefix and a wrong
  CA: Tessera does not start (exit code 2, the reason on stderr); no client certificate, and
  plain http to the https port (etcd just closes the connection, as a network failure would):
  Tessera waits for etcd serving no namespace, and logs the error with the likely cause every
  second;
* on reload (SIGHUP) with a wrong password or a wrong CA in the TOML file: the reload is
  refused and logged, the configuration in force stays (generation unchanged), logins work.
"""

import os
import subprocess
import tempfile
import time
import unittest

import itlib
from itlib import BASE_PORT, HOST, log
from opslib import ETCD_CLIENT_PORT, Etcd, Tessera, namespace_doc, stop_all
from test_etcd import can_login, wait_until

CLUSTER = "itsec"
KEY = f"/tessera/{CLUSTER}/namespace/"
ROOT_PW = "root-pw-7"
CFG_USER, CFG_PW = "tessera_cfg", "cfg-pw-3"
# etcd ports: two above the plain etcd test's (it.etcd), which never runs at the same time
SECURE_PORT = ETCD_CLIENT_PORT + 2


def openssl(*args):
    out = subprocess.run(["openssl", *args], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, f"openssl {' '.join(args)}: {out.stderr}"


def make_ca(d, name):
    key, cert = os.path.join(d, f"{name}.key"), os.path.join(d, f"{name}.pem")
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
            "-days", "2", "-subj", f"/CN=tessera test {name}")
    return key, cert


def make_cert(d, name, ca_key, ca_cert, subject, ext):
    key, csr, cert = (os.path.join(d, f"{name}.{x}") for x in ("key", "csr", "pem"))
    extfile = os.path.join(d, f"{name}.ext")
    with open(extfile, "w") as f:
        f.write(ext)
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr,
            "-subj", subject)
    openssl("x509", "-req", "-in", csr, "-CA", ca_cert, "-CAkey", ca_key, "-CAcreateserial",
            "-out", cert, "-days", "2", "-extfile", extfile)
    return cert, key


class Certs:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="tessera-etcd-tls-")
        ca_key, self.ca = make_ca(self.dir, "ca")
        _, self.other_ca = make_ca(self.dir, "other-ca")
        # etcd's gateway dials etcd itself with the server certificate: both usages
        self.server_cert, self.server_key = make_cert(
            self.dir, "server", ca_key, self.ca, "/CN=127.0.0.1",
            "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n")
        # no CommonName: etcd's HTTP gateway refuses client certificates that have one (400
        # "CommonName of client sending a request against gateway will be ignored")
        self.client_cert, self.client_key = make_cert(
            self.dir, "client", ca_key, self.ca, "/O=tessera test client",
            "extendedKeyUsage=clientAuth\n")


def etcd_toml(etcd_port, user=CFG_USER, password=CFG_PW, ca=None, cert=None, key=None,
              tls=True):
    lines = ["[etcd]", f'endpoints = ["127.0.0.1:{etcd_port}"]', f'cluster = "{CLUSTER}"',
             f'username = "{user}"', f'password = "{password}"']
    if tls:
        lines.append("tls = true")
        if ca:
            lines.append(f'tls_ca = "{ca}"')
        if cert:
            lines += [f'tls_cert = "{cert}"', f'tls_key = "{key}"']
    return "\n".join(lines) + "\n"


def start_refused(toml_extra, index=4, wait=8):
    """Runs a private Tessera that must not start: (exit code, its output); exit code None
    when it was still running (waiting for etcd) after `wait` seconds (then stopped)."""
    t = Tessera(index, toml_extra=toml_extra, name="etcd-refused")
    proc = subprocess.Popen([os.environ["TESSERA_BIN"], "--config", t.toml],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        out, _ = proc.communicate(timeout=wait)
        return proc.returncode, out
    except subprocess.TimeoutExpired:
        proc.terminate()
        out, _ = proc.communicate(timeout=20)
        return None, out


class EtcdAuthTls(unittest.TestCase):
    def test_auth_and_tls(self):
        certs = Certs()
        tls = {"cert": certs.server_cert, "key": certs.server_key, "ca": certs.ca,
               "client_cert": certs.client_cert, "client_key": certs.client_key}
        etcd = Etcd(SECURE_PORT, tls=tls, extra_args=["--auth-token", "simple",
                                                       "--auth-token-ttl", "3"])
        try:
            etcd.start()
            etcd.enable_auth(ROOT_PW)
            # Tessera's user may read its own cluster's prefix, nothing else
            etcd.ctl("role", "add", "tessera_read")
            etcd.ctl("role", "grant-permission", "--prefix=true", "tessera_read", "read", KEY)
            etcd.ctl("user", "add", f"{CFG_USER}:{CFG_PW}")
            etcd.ctl("user", "grant-role", CFG_USER, "tessera_read")
            # a user whose role covers another prefix only
            etcd.ctl("role", "add", "elsewhere")
            etcd.ctl("role", "grant-permission", "--prefix=true", "elsewhere", "read", "/other/")
            etcd.ctl("user", "add", "wrong_role:wr-pw")
            etcd.ctl("user", "grant-role", "wrong_role", "elsewhere")
            etcd.put(KEY + "secboot", namespace_doc("secboot", [("sec_user", "sec_pw")],
                                                    BASE_PORT))

            good = etcd_toml(SECURE_PORT, ca=certs.ca, cert=certs.client_cert,
                             key=certs.client_key)
            self.refusals(certs, good)

            p = Tessera(3, toml_extra=good, name="etcd-secure").start()
            self.assertIsNotNone(wait_until(lambda: can_login(p.port, "sec_user", "sec_pw"), 10),
                                 "start-up read over https with a token")
            # the watch (authenticated) brings a new namespace
            etcd.put(KEY + "secnew", namespace_doc("secnew", [("secnew_user", "n_pw")],
                                                   BASE_PORT))
            self.assertIsNotNone(
                wait_until(lambda: can_login(p.port, "secnew_user", "n_pw"), 10),
                "watched change applied")

            # the token (3 s) expired: a reload re-authenticates and succeeds
            time.sleep(4)
            gen = p.generation()
            p.sighup()
            self.assertIsNotNone(wait_until(lambda: p.generation() > gen, 10),
                                 "reload after the token expired")
            self.assertIn("reload from etcd applied", p.log())
            # etcd restarted: it forgot every token, the watch breaks; Tessera's next request
            # with its old token gets 401, authenticates again, re-reads and watches again
            etcd.restart()
            etcd.delete(KEY + "secnew")
            self.assertIsNotNone(
                wait_until(lambda: not can_login(p.port, "secnew_user", "n_pw"), 20),
                "deletion seen after etcd forgot the token")
            etcd.put(KEY + "secnew2", namespace_doc("secnew2", [("secnew2_user", "n2_pw")],
                                                    BASE_PORT))
            self.assertIsNotNone(
                wait_until(lambda: can_login(p.port, "secnew2_user", "n2_pw"), 10),
                "the watch follows etcd again")

            self.bad_reloads(p, certs, good)
        finally:
            stop_all()

    def refusals(self, certs, good):
        """Each misconfiguration stops Tessera at start with the reason."""
        cases = [
            ("wrong password",
             good.replace(f'password = "{CFG_PW}"', 'password = "not-it"'),
             "authentication failed"),
            ("role without the prefix",
             good.replace(f'username = "{CFG_USER}"', 'username = "wrong_role"')
                 .replace(f'password = "{CFG_PW}"', 'password = "wr-pw"'),
             "permission denied"),
            ("wrong CA", good.replace(certs.ca, certs.other_ca), "SSLServerVerification"),
        ]
        for what, toml, reason in cases:
            with self.subTest(what):
                rc, out = start_refused(toml)
                log(f"  {what}: exit {rc}: {out.strip().splitlines()[-1] if out.strip() else ''}")
                self.assertEqual(rc, 2, f"{what}: {out}")
                self.assertIn("etcd refused Tessera", out)
                self.assertIn(reason, out, what)
        # etcd closes the connection without a reason (TLS 1.3 reports a missing client
        # certificate after the handshake; a TLS port spoken to in plain HTTP): no different
        # from a network failure, so Tessera waits for etcd, serving nothing, and logs why
        # every second
        for what, toml, hint in [
            ("no client certificate", etcd_toml(SECURE_PORT, ca=certs.ca),
             "does etcd require a client certificate"),
            ("plain http to https", etcd_toml(SECURE_PORT, tls=False),
             "if etcd serves https, set tls = true"),
        ]:
            with self.subTest(what):
                rc, out = start_refused(toml)
                errors = [line for line in out.splitlines()
                          if "cannot read namespaces from etcd" in line]
                log(f"  {what}: still waiting after 8 s, {len(errors)} errors logged:"
                    f" {errors[-1] if errors else ''}")
                self.assertIsNone(rc, f"{what}: {out}")
                self.assertGreaterEqual(len(errors), 3, out)
                self.assertIn(hint, errors[-1])
                self.assertIn("0 namespace(s)", out)

    def bad_reloads(self, p, certs, good):
        """A reload with bad credentials keeps the configuration in force and serving."""
        for what, toml in [
            ("wrong password", good.replace(f'password = "{CFG_PW}"', 'password = "not-it"')),
            ("wrong CA", good.replace(certs.ca, certs.other_ca)),
        ]:
            with self.subTest(what):
                with open(p.toml) as f:
                    text = f.read()
                start_len = len(p.log())
                with open(p.toml, "w") as f:
                    f.write(text.replace(good, toml))
                gen = p.generation()
                p.sighup()
                self.assertIsNotNone(
                    wait_until(lambda: "reload from etcd" in p.log()[start_len:], 10),
                    f"{what}: reload logged")
                time.sleep(0.3)
                tail = p.log()[start_len:]
                log(f"  reload with {what}: " + tail.strip().splitlines()[-1])
                self.assertIn("rejected, keeping configuration generation", tail)
                self.assertEqual(p.generation(), gen)
                self.assertTrue(can_login(p.port, "sec_user", "sec_pw"), f"{what}: serving")
                with open(p.toml, "w") as f:
                    f.write(text)


if __name__ == "__main__":
    itlib.main_unittest()
