#!/usr/bin/env python3
"""Issue 16: MariaDB's own test suite, directly and through Tessera.

Debian's mariadb-test package (mysqltest and the `main` suite under
/usr/share/mysql/mysql-test) runs every test listed in mysqltest_main.list, in the text protocol
and with --ps-protocol, once straight against a MariaDB server and once through Tessera in
front of that same server. Each run ends passed (0), skipped (62) or failed; the two outcome
lists must be equal, except for the tests mysqltest_differences.txt lists (with the reason).

The server is private (a one-server cluster on TESSERA_IT_BASE_PORT + 800: tests change global
variables, create users and databases, which must not reach the shared cluster), set up the
way mysql-test-run.pl sets up its own (latin1 server character set, the `test` database,
log_bin_trust_function_creators). Tessera is private too (TESSERA_IT_PORT + 83, admin + 88) with
one namespace, `mtr`: every database allowed (mysqltest's tests create and drop their own),
front user root without password, backend account root@127.0.0.1 - the same account the direct
run uses, so CURRENT_USER(), grants and privileges are identical on both paths. Between tests
the databases a test left behind are dropped and `test` recreated, so one failure does not
cascade into the next test.

mysqltest is run per test, like mysql-test-run.pl --extern does, with --protocol=tcp (every
`connect` of a test goes to the same host and port).

  python3 test_mysqltest.py                      the whole list, both protocols
  python3 test_mysqltest.py --every 5            every 5th test of the list (CI: it.compat_mysqltest)
  python3 test_mysqltest.py --list FILE          another list (one test name per line)
  python3 test_mysqltest.py --select CANDIDATES  run candidates directly only, print passing ones
  TESSERA_MYSQLTEST_KEEP=1                       leave the server and Tessera running
"""
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import hostilelib  # noqa: E402
import itlib  # noqa: E402
import robustlib  # noqa: E402

SUITE = "/usr/share/mysql/mysql-test/"
MYSQLTEST = "/usr/bin/mysqltest"
LIST = os.path.join(HERE, "mysqltest_main.list")
DIFFERENCES = os.path.join(HERE, "mysqltest_differences.txt")
TEST_TIMEOUT = 60
KEEP_DBS = ("mysql", "information_schema", "performance_schema", "sys")

NAMESPACE = """{
  "name": "mtr", "online": true, "read_only": false, "exact_session_status": true,
  "allowed_dbs": {},
  "default_slice": "slice-0",
  "slices": [{"name": "slice-0", "user_name": "root", "password": "",
     "master": "127.0.0.1:%d", "slaves": [], "statistic_slaves": [],
     "capacity": 2, "max_capacity": 50, "idle_timeout": 60}],
  "shard_rules": [],
  "users": [{"user_name": "root", "password": "", "namespace": "mtr",
             "rw_flag": 2, "rw_split": 0, "other_property": 0}]
}
"""


def read_list(path):
    with open(path) as f:
        return [line.split("#")[0].strip() for line in f
                if line.split("#")[0].strip()]


def read_differences(path=DIFFERENCES):
    """{(test, protocol): reason} from lines `test protocol reason...` (protocol text|ps|both)."""
    out = {}
    if not os.path.exists(path):
        return out
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            test, proto, reason = line.split(None, 2)
            for p in (("text", "ps") if proto == "both" else (proto,)):
                out[(test, p)] = reason
    return out


class Server:
    def __init__(self):
        self.cluster = hostilelib.PrivateCluster("mtr", offset=800)
        self.port = self.cluster.port

    def start(self):
        self.cluster.start()
        self.cluster.sql(
            "CREATE USER IF NOT EXISTS root@'127.0.0.1';"
            "GRANT ALL ON *.* TO root@'127.0.0.1' WITH GRANT OPTION;"
            # as mysql-test-run.pl's default server configuration
            "SET GLOBAL log_bin_trust_function_creators=1, GLOBAL character_set_server=latin1,"
            " GLOBAL collation_server=latin1_swedish_ci;")
        self.clean()

    def clean(self):
        dbs = [r[0] for r in self.cluster.sql("SHOW DATABASES") if r[0] not in KEEP_DBS]
        try:
            self.cluster.sql(";".join([f"DROP DATABASE IF EXISTS `{d}`" for d in dbs]
                                      + ["CREATE DATABASE test"]))
        except subprocess.CalledProcessError:
            # a file a test wrote into its database's directory (SELECT ... INTO OUTFILE with a
            # relative name) keeps DROP DATABASE from removing the directory
            data = os.path.join(self.cluster.dir, "slice-0", "primary", "data")
            for d in dbs:
                shutil.rmtree(os.path.join(data, d), ignore_errors=True)
            self.cluster.sql(";".join([f"DROP DATABASE IF EXISTS `{d}`" for d in dbs]
                                      + ["CREATE DATABASE IF NOT EXISTS test"]))

    def stop(self):
        self.cluster.stop()


def run_one(test, port, ps, tmp):
    args = [MYSQLTEST, "--no-defaults", "--host=127.0.0.1", f"--port={port}", "--user=root",
            "--protocol=tcp", "--database=test", f"--basedir={SUITE}", f"--tmpdir={tmp}",
            f"--logdir={tmp}", f"--test-file=main/{test}.test",
            f"--result-file=main/{test}.result", "--silent", "--tail-lines=20",
            "--max-connect-retries=3"]
    if ps:
        args.append("--ps-protocol")
    env = dict(os.environ, MYSQL_TEST_DIR=SUITE.rstrip("/"), MYSQLTEST_VARDIR=tmp,
               MYSQL_TMP_DIR=tmp, MASTER_MYPORT=str(port))
    started = time.monotonic()
    try:
        r = subprocess.run(args, cwd=SUITE, env=env, capture_output=True, text=True,
                           timeout=TEST_TIMEOUT, errors="replace")
        code, out = r.returncode, (r.stdout + r.stderr)
    except subprocess.TimeoutExpired:
        code, out = -1, "timeout"
    outcome = {0: "pass", 62: "skip"}.get(code, "fail")
    return outcome, out, time.monotonic() - started


def run_all(tests, targets, server, protocols, tmp, progress=None):
    """{(test, protocol, target): (outcome, output)}"""
    results = {}
    for test in tests:
        for proto in protocols:
            for name, port in targets:
                outcome, out, secs = run_one(test, port, proto == "ps", tmp)
                results[(test, proto, name)] = (outcome, out)
                if progress:
                    progress.write(f"{test} {proto} {name} {outcome} {secs:.1f}\n")
                    progress.flush()
                if outcome != "pass":
                    # a passing test leaves nothing behind (the suite's own rule, which
                    # mysql-test-run.pl checks); a failed one may have
                    server.clean()
    return results


def main():
    args = sys.argv[1:]
    select = args[args.index("--select") + 1] if "--select" in args else None
    list_path = args[args.index("--list") + 1] if "--list" in args else LIST
    if not os.path.exists(MYSQLTEST) or not os.path.isdir(SUITE + "main"):
        sys.exit("mysqltest or the main suite missing: apt-get install mariadb-test")
    tests = read_list(select or list_path)
    if "--every" in args:
        tests = tests[::int(args[args.index("--every") + 1])]
    tmp = os.path.join(robustlib.run_dir("mtr"), "tmp")
    os.makedirs(tmp, exist_ok=True)
    server = Server()
    tessera = None
    started = time.monotonic()
    try:
        server.start()
        targets = [("direct", server.port)]
        if itlib.PROXY and not select:
            tessera = robustlib.Tessera("mtr", {"mtr.json": NAMESPACE % server.port}, k=33)
            tessera.start()
            targets.append(("tessera", tessera.port))
        protocols = ("text", "ps")
        if "--text-only" in args:  # (for --select: a quicker first cut)
            protocols = ("text",)
        itlib.log(f"[mysqltest] {len(tests)} tests x {protocols} on {targets}")
        with open(os.path.join(tmp, "..", "progress.txt"), "w") as progress:
            results = run_all(tests, targets, server, protocols, tmp, progress)
        if select:
            for test in tests:
                if all(results[(test, p, "direct")][0] == "pass" for p in protocols):
                    print(test)
            return
        check(tests, results, protocols, targets, started, tessera)
    finally:
        if os.environ.get("TESSERA_MYSQLTEST_KEEP") != "1":
            if tessera:
                tessera.stop()
            server.stop()


def check(tests, results, protocols, targets, started, tessera):
    accepted = read_differences()
    failures, used = [], set()
    counts = {}
    for proto in protocols:
        for name, _ in targets:
            outcomes = [results[(t, proto, name)][0] for t in tests]
            counts[(proto, name)] = {o: outcomes.count(o) for o in ("pass", "skip", "fail")}
            itlib.log(f"[mysqltest] {proto:4} {name:8} " + "  ".join(
                f"{o} {n}" for o, n in counts[(proto, name)].items()))
    if len(targets) == 1:
        itlib.log("[mysqltest] direct mode: no Tessera to compare with")
        return
    for test in tests:
        for proto in protocols:
            d, t = results[(test, proto, "direct")], results[(test, proto, "tessera")]
            if d[0] == t[0]:
                continue
            if (test, proto) in accepted:
                used.add((test, proto))
                itlib.log(f"  accepted: {test} ({proto}) direct {d[0]}, tessera {t[0]}: "
                          f"{accepted[(test, proto)]}")
                continue
            failures.append((test, proto, d, t))
    for key in sorted(k for k in set(accepted) - used if k[0] in tests):
        itlib.log(f"  stale entry in mysqltest_differences.txt: {key[0]} ({key[1]}) "
                  f"now has the same outcome both ways")
    itlib.log(f"[mysqltest] {len(tests)} tests, {len(protocols)} protocols, "
              f"{time.monotonic() - started:.0f}s")
    if tessera and not tessera.alive():
        failures.append(("tessera", "-", ("alive", ""), ("died", tessera.log_tail())))
    for test, proto, d, t in failures:
        itlib.log(f"DIFFERENT {test} ({proto}): direct {d[0]}, through Tessera {t[0]}")
        itlib.log("  direct:\n    " + d[1].strip().replace("\n", "\n    ")[-1500:])
        itlib.log("  tessera:\n    " + t[1].strip().replace("\n", "\n    ")[-1500:])
    if failures:
        sys.exit(f"[mysqltest] {len(failures)} outcomes differ")
    itlib.log("[mysqltest] same outcomes directly and through Tessera")


if __name__ == "__main__":
    main()
