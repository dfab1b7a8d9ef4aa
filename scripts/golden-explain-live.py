#!/usr/bin/python3
"""Compares the EXPLAIN sections of the golden plan files (tests/unit/router/golden/) with what a
running Tessera answers: every statement of the named .test files planned over the integration
tests' `shard` namespace, or over the demo's rules (which that namespace repeats in db_ks, on
slices named one higher), is sent as `EXPLAIN <statement>` as user `shard`; rows and errors
must equal the .result file's. Statements in other databases, statements EXPLAIN does not take
and statements the default slice answers are skipped. A manual check, not a ctest test:

  ctest --test-dir build -R '^it\\.sharding_walkthrough$' -FC tessera_it   # cluster stays up
  scripts/golden-explain-live.py demo_keys demo_scatter it_shard ...        # PORT=<proxy port>
  ctest --test-dir build -R '^it\\.cleanup$'

Global-sequence ids differ by design (the golden test hands out 1000, the cluster its own), and
so do statements that need a table's columns (INSERT without a column list, `*` the merge
compares): the golden files plan them with no columns known (a SchemaFetch: no EXPLAIN rows) or
with the columns a `--schema` directive gives, not the cluster's tables' own."""
import os
import sys

import pymysql

GOLDEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "unit",
                      "router", "golden")
PORT = int(os.environ.get("PORT", "14306"))
IT_SHARD = "tests/integration/config/it_shard.json.in"
DEMO = "examples/namespaces/demo.json"
DEMO_SLICE = {"slice-0": "slice-1", "slice-1": "slice-2", "slice-2": "slice-3"}
HEADER = "type\tslice\tdb\tsql"


def one_line(s):
    return s.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")


def statements(path):
    """(namespace, database, text) per statement, read as golden_plan_test.cc reads them."""
    ns, db, cur, out = None, "", None, []
    for line in open(path, encoding="utf-8").read().split("\n"):
        if cur is None:
            t = line.strip()
            if not t or t.startswith("#"):
                continue
            if t.startswith("--"):
                name, _, arg = t[2:].partition(" ")
                if name == "namespace":
                    ns = arg.strip()
                elif name == "use":
                    db = arg.strip()
                continue
            cur = []
        cur.append(line)
        if line.strip().endswith(";"):
            out.append((ns, db, "\n".join(cur)))
            cur = None
    return out


def explain_sections(path, stmts):
    """Each statement's EXPLAIN lines: after its echo, up to the indented plan."""
    lines = open(path, encoding="utf-8").read().split("\n")
    i, sections = 0, []
    for _, _, text in stmts:
        echo = text.split("\n")
        while lines[i:i + len(echo)] != echo:
            i += 1
        i += len(echo)
        section = []
        while i < len(lines) and not lines[i].startswith("  "):
            section.append(lines[i])
            i += 1
        sections.append(section)
    return sections


def main(names):
    compared, differences, skipped, conns = 0, [], 0, {}
    for name in names:
        stmts = statements(os.path.join(GOLDEN, name + ".test"))
        for (ns, db, text), want in zip(stmts, explain_sections(
                os.path.join(GOLDEN, name + ".result"), stmts)):
            if ns not in (IT_SHARD, DEMO) or db not in ("db_ks", "db_diff") or \
                    want[0].startswith("("):
                skipped += 1
                continue
            if ns == DEMO:
                want = [w if w == HEADER or w.startswith("ERROR") else
                        "\t".join(DEMO_SLICE.get(c, c) for c in w.split("\t")) for w in want]
            if db not in conns:
                conns[db] = pymysql.connect(host="127.0.0.1", port=PORT, user="shard",
                                            password="shard_pw", database=db, autocommit=True)
            sql = text.strip()[:-1]
            try:
                with conns[db].cursor() as cur:
                    cur.execute("EXPLAIN " + sql)
                    got = [HEADER] + ["\t".join(one_line(str(c)) for c in row)
                                      for row in cur.fetchall()]
            except pymysql.err.MySQLError as e:
                got = [f"ERROR {e.args[0]}: {one_line(e.args[1])}"]
                # PyMySQL does not hand over the SQLSTATE: compare code and message.
                if want[0].startswith("ERROR"):
                    code, _, rest = want[0][len("ERROR "):].partition(" (")
                    want = [f"ERROR {code}: {rest.partition('): ')[2]}"]
            compared += 1
            if got != want:
                differences.append((name, sql, want, got))
    print(f"{compared} statements compared, {compared - len(differences)} identical, "
          f"{len(differences)} different, {skipped} skipped")
    for name, sql, want, got in differences:
        print(f"--- {name}: {sql}\n  golden:  {want}\n  tessera: {got}")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
