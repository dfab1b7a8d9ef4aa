"""Hot reload under load (issue 8): a private Tessera serves sysbench oltp_read_write while its
configuration is reloaded by SIGHUP (twice, once with a changed file) and by the admin API
(prepare + commit of a changed namespace), and while bad changes (an invalid namespace by API,
a broken file by SIGHUP) are rejected. sysbench must see 0 errors and 0 reconnects; a
transaction open across the reloads commits; the committed change is in force afterwards."""

import json
import os
import re
import subprocess
import tempfile
import threading
import time
import unittest

import itlib
from itlib import HOST, log
from opslib import RUN_DIR, Tessera, admin_json, stop_all

SB_TIME = int(os.environ.get("TESSERA_IT_RELOAD_SYSBENCH_TIME", "12"))


def sysbench(port, *args):
    return ["sysbench", "oltp_read_write", "--db-driver=mysql", f"--mysql-host={HOST}",
            f"--mysql-port={port}", "--mysql-user=sbtest", "--mysql-password=sbtest",
            "--mysql-db=sbtest", "--mysql-ssl=off", "--tables=2", "--table-size=2000",
            "--rand-type=uniform", "--db-ps-mode=disable", *args]


class ReloadUnderLoad(unittest.TestCase):
    def test_reload_during_sysbench(self):
        with open(os.path.join(RUN_DIR, "namespaces", "it.json")) as f:
            it_json = f.read()
        t = Tessera(0, namespaces={"it.json": it_json})
        try:
            t.start()
            self.run_scenario(t, it_json)
        finally:
            subprocess.run(sysbench(t.port, "cleanup"), capture_output=True)
            stop_all()

    def run_scenario(self, t, it_json):
        subprocess.run(sysbench(t.port, "cleanup"), capture_output=True)
        subprocess.run(sysbench(t.port, "prepare"), check=True, capture_output=True)
        gen0 = t.generation()
        out = tempfile.NamedTemporaryFile(mode="w+", suffix=".sysbench")
        sb = subprocess.Popen(sysbench(t.port, "--threads=4", f"--time={SB_TIME}",
                                       "--report-interval=0", "run"),
                              stdout=out, stderr=subprocess.STDOUT)
        # A transaction held open across every reload.
        import pymysql
        txn = pymysql.connect(host=HOST, port=t.port, user="sbtest", password="sbtest",
                              database="sbtest", autocommit=False)
        cur = txn.cursor()
        cur.execute("CREATE TABLE IF NOT EXISTS ops_reload_txn (id INT PRIMARY KEY)")
        cur.execute("DELETE FROM ops_reload_txn")
        txn.commit()
        cur.execute("INSERT INTO ops_reload_txn VALUES (1)")

        time.sleep(2)
        log("  SIGHUP (unchanged files)")
        t.sighup()
        time.sleep(1.5)

        changed = json.loads(it_json)
        for s in changed["slices"]:
            s["capacity"] = 3
        with open(os.path.join(t.dir, "namespaces", "it.json"), "w") as f:
            json.dump(changed, f)
        log("  SIGHUP (slice capacity changed in the file)")
        t.sighup()
        time.sleep(1.5)

        cur.execute("INSERT INTO ops_reload_txn VALUES (2)")

        api = json.loads(it_json)
        for u in api["users"]:
            if u["user_name"] == "app":
                u["password"] = "app_pw_2"
        log("  API prepare + commit (user app gets a new password)")
        r = admin_json("PUT", "/api/proxy/config/prepare/it", json.dumps(api), port=t.admin_port)
        self.assertTrue(r["ok"], r)
        r = admin_json("PUT", "/api/proxy/config/commit/it", port=t.admin_port)
        self.assertTrue(r["ok"], r)
        gen_after_commit = t.generation()
        time.sleep(1)

        log("  API prepare of an invalid namespace (must be refused)")
        bad = json.loads(it_json)
        bad["default_slice"] = "no-such-slice"
        r = admin_json("PUT", "/api/proxy/config/prepare/it", json.dumps(bad),
                       port=t.admin_port, expect=400)
        self.assertFalse(r["ok"])
        self.assertIn("no-such-slice", r["message"])
        r = admin_json("PUT", "/api/proxy/config/commit/it", port=t.admin_port, expect=400)
        self.assertIn("nothing prepared", r["message"])
        r = admin_json("PUT", "/api/proxy/config/prepare/other", "{not json",
                       port=t.admin_port, expect=400)

        log("  SIGHUP with a broken namespace file (must be refused)")
        with open(os.path.join(t.dir, "namespaces", "it.json"), "w") as f:
            f.write('{"name": "it", "slices": [')
        t.sighup()
        time.sleep(1)
        self.assertEqual(t.generation(), gen_after_commit, "a rejected reload changed nothing")

        cur.execute("INSERT INTO ops_reload_txn VALUES (3)")
        txn.commit()
        cur.execute("SELECT COUNT(*) FROM ops_reload_txn")
        self.assertEqual(cur.fetchone()[0], 3)
        cur.execute("DROP TABLE ops_reload_txn")
        txn.close()

        sb.wait(SB_TIME + 60)
        out.seek(0)
        report = out.read()
        log(report[-1200:])
        errors = int(re.search(r"ignored errors:\s+(\d+)", report).group(1))
        reconnects = int(re.search(r"reconnects:\s+(\d+)", report).group(1))
        txns = int(re.search(r"transactions:\s+(\d+)", report).group(1))
        log(f"  sysbench: transactions={txns} errors={errors} reconnects={reconnects}")
        self.assertEqual(sb.returncode, 0)
        self.assertEqual(errors, 0)
        self.assertEqual(reconnects, 0)
        self.assertGreater(txns, 0)

        # generation: +1 per applied change (2 SIGHUPs, 1 commit)
        self.assertEqual(gen_after_commit, gen0 + 3)
        logtext = t.log()
        self.assertIn("rejected, keeping configuration generation", logtext)
        # The committed password is in force; the old one is refused.
        c = pymysql.connect(host=HOST, port=t.port, user="app", password="app_pw_2")
        c.close()
        with self.assertRaises(pymysql.err.OperationalError):
            pymysql.connect(host=HOST, port=t.port, user="app", password="app_pw")
        # DELETE of a namespace, then sessions of its users are refused at login.
        subprocess.run(sysbench(t.port, "cleanup"), capture_output=True)
        r = admin_json("DELETE", "/api/proxy/namespace/delete/it", port=t.admin_port)
        self.assertTrue(r["ok"], r)
        with self.assertRaises(pymysql.err.OperationalError):
            pymysql.connect(host=HOST, port=t.port, user="sbtest", password="sbtest")


if __name__ == "__main__":
    itlib.main_unittest()
