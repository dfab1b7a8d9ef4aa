"""Admin API of the shared Tessera (issue 8): basic auth (401 without valid credentials),
ping, SQL fingerprint statistics that match the statements sent, reset, and /metrics counters
that move with the traffic."""

import json
import time
import unittest

import itlib
from itlib import connect, log
from opslib import admin_json, admin_request, metric, scrape


class AdminAuth(unittest.TestCase):
    def test_refuses_requests_without_valid_credentials(self):
        for path in ("/api/proxy/ping", "/metrics", "/api/proxy/stats/sessionsql/it",
                     "/api/proxy/config/fingerprint"):
            status, _ = admin_request("GET", path, user=None)
            self.assertEqual(status, 401, f"{path} without credentials")
            status, _ = admin_request("GET", path, user="admin", password="wrong")
            self.assertEqual(status, 401, f"{path} with a wrong password")
            status, _ = admin_request("GET", path, user="nobody", password="admin")
            self.assertEqual(status, 401, f"{path} with a wrong user")
        status, _ = admin_request("PUT", "/api/proxy/config/commit/it", user=None)
        self.assertEqual(status, 401)
        status, _ = admin_request("DELETE", "/api/proxy/namespace/delete/it", user=None)
        self.assertEqual(status, 401)
        status, text = admin_request("GET", "/api/proxy/ping")
        self.assertEqual((status, text.strip()), (200, "OK"))

    def test_fingerprint_is_stable(self):
        a = admin_json("GET", "/api/proxy/config/fingerprint")
        b = admin_json("GET", "/api/proxy/config/fingerprint")
        self.assertEqual(a, b)
        self.assertEqual(len(a["fingerprint"]), 64)


def find(sql_stats, marker):
    hits = [e for e in sql_stats if marker in e["fingerprint"]]
    return hits


class FingerprintStats(unittest.TestCase):
    def test_stats_match_the_statements_sent(self):
        for side in ("sessionsql", "backendsql"):
            admin_json("DELETE", f"/api/proxy/stats/{side}/it")
        conn = connect("app", database="sbtest")
        try:
            cur = conn.cursor()
            for i in range(7):
                cur.execute(f"SELECT {i} AS ops_marker_a, 'x{i}' AS b")
                self.assertEqual(len(cur.fetchall()), 1)
            for i in range(3):
                with self.assertRaises(Exception):
                    cur.execute(f"SELECT * FROM ops_missing_table WHERE id = {i}")
            cur.execute("CREATE TEMPORARY TABLE ops_tmp (id INT)")
            cur.execute("INSERT INTO ops_tmp VALUES (1), (2), (3), (4)")
            cur.execute("SELECT id AS ops_marker_c FROM ops_tmp")
            self.assertEqual(len(cur.fetchall()), 4)
        finally:
            conn.close()

        session = admin_json("GET", "/api/proxy/stats/sessionsql/it")
        self.assertEqual(session["namespace"], "it")
        sql = session["sql"]
        log(json.dumps(sql[:4], indent=1))
        a = find(sql, "ops_marker_a")
        self.assertEqual(len(a), 1, f"one fingerprint for 7 literals: {a}")
        self.assertEqual((a[0]["count"], a[0]["errors"], a[0]["rows"]), (7, 0, 7))
        self.assertNotIn("x3", a[0]["fingerprint"])  # literals are gone
        lat = a[0]["latency_us"]
        self.assertTrue(0 < lat["p50"] <= lat["p95"] <= lat["p99"] <= lat["max"], lat)
        missing = find(sql, "ops_missing_table")
        self.assertEqual(len(missing), 1)
        self.assertEqual((missing[0]["count"], missing[0]["errors"]), (3, 3))
        insert = find(sql, "INSERT INTO ops_tmp")
        self.assertEqual((insert[0]["count"], insert[0]["rows"]), (1, 4))
        c = find(sql, "ops_marker_c")
        self.assertEqual((c[0]["count"], c[0]["rows"]), (1, 4))

        backend = admin_json("GET", "/api/proxy/stats/backendsql/it")["sql"]
        b = find(backend, "ops_marker_a")
        self.assertEqual((b[0]["count"], b[0]["errors"]), (7, 0))
        self.assertEqual(find(backend, "ops_missing_table")[0]["errors"], 3)

        admin_json("DELETE", "/api/proxy/stats/sessionsql/it")
        after = admin_json("GET", "/api/proxy/stats/sessionsql/it")["sql"]
        self.assertEqual(find(after, "ops_marker_a"), [])
        # the backend side was not reset
        self.assertEqual(len(find(admin_json("GET", "/api/proxy/stats/backendsql/it")["sql"],
                                  "ops_marker_a")), 1)


class Metrics(unittest.TestCase):
    def test_counters_move(self):
        before = scrape()
        conn = connect("app", database="sbtest")
        try:
            cur = conn.cursor()
            for i in range(5):
                cur.execute(f"SELECT {i}")
                cur.fetchall()
            for _ in range(2):
                with self.assertRaises(Exception):
                    cur.execute("SELECT * FROM ops_missing_table2")
            cur.execute("BEGIN")
            cur.execute("COMMIT")
        finally:
            conn.close()
        after = scrape()

        def moved(name, **labels):
            return metric(after, name, **labels) - metric(before, name, **labels)

        self.assertGreaterEqual(moved("tessera_connections_accepted_total"), 1)
        self.assertGreaterEqual(moved("tessera_queries_total"), 9)
        self.assertGreaterEqual(moved("tessera_statements_total", namespace="it", type="select"), 7)
        self.assertGreaterEqual(moved("tessera_statements_total", namespace="it", type="begin"), 1)
        self.assertGreaterEqual(moved("tessera_statements_total", namespace="it", type="commit"), 1)
        self.assertEqual(moved("tessera_statement_errors_total", namespace="it", code="1146"), 2)
        self.assertGreaterEqual(
            moved("tessera_statement_duration_seconds_count", namespace="it"), 9)
        self.assertGreaterEqual(
            moved("tessera_statement_duration_seconds_bucket", namespace="it", le="+Inf"), 9)
        # histogram buckets are cumulative
        prev = -1
        for le in ("0.0005", "0.001", "0.01", "0.1", "1", "10", "+Inf"):
            v = metric(after, "tessera_statement_duration_seconds_bucket", namespace="it", le=le)
            self.assertGreaterEqual(v, prev, le)
            prev = v
        self.assertGreater(metric(after, "tessera_pool_connections", state="open"), 0)
        self.assertGreaterEqual(metric(after, "tessera_config_generation"), 1)
        self.assertIn(("tessera_sessions_pinned", frozenset()), after)

    def test_topology_and_failover_series(self):
        """The topology monitor's view (every instance of namespace `it` up, each slice's primary)
        and the failover series are exported (issue 17: documented, never wired before)."""
        instances = {f"127.0.0.1:{itlib.BASE_PORT + 10 * i + j}": f"slice-{i}"
                     for i in range(3) for j in range(3)}
        deadline = time.time() + 15  # the monitor checks every instance within seconds
        while True:
            s = scrape()
            up = {dict(ls)["instance"]: v for (n, ls), v in s.items()
                  if n == "tessera_backend_up" and dict(ls).get("namespace") == "it"}
            if all(up.get(k) == 1 for k in instances) or time.time() > deadline:
                break
            time.sleep(0.5)
        self.assertEqual(set(up), set(instances))
        for instance, slice_name in instances.items():
            self.assertEqual(up[instance], 1, instance)
            primary = instance == f"127.0.0.1:{itlib.BASE_PORT + 10 * int(slice_name[-1])}"
            self.assertEqual(metric(s, "tessera_backend_primary", namespace="it", slice=slice_name,
                                    instance=instance), 1 if primary else 0, instance)
        for i in range(3):
            self.assertIn(("tessera_failovers_total",
                           frozenset({"namespace": "it", "slice": f"slice-{i}"}.items())), s)
        for name in ("tessera_failover_retries_total", "tessera_failover_holds_total",
                     "tessera_failover_hold_timeouts_total", "tessera_deadlock_retries_total"):
            self.assertIn((name, frozenset()), s)


if __name__ == "__main__":
    itlib.main_unittest()
