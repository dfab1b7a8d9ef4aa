#!/usr/bin/env python3
"""Issue 18 items 2-6 ("exact answers"), differential: the same statements through Tessera (user
`exact`, config/it_exact.json.in) and against one unsharded MariaDB database (`ref_exact` on the
slice-0 primary) holding the same rows; every answer must be the same.

  db_ex.t_h    hash on BIGINT id, 6 tables     db_ex.t_hu  hash on BIGINT UNSIGNED id, 3 tables
  db_ex.t_m    mod on BIGINT k                 db_ex.t_r   range on id (1000 per table)
  db_ex.t_dy   date_year on dt                 db_ex.t_g   global
  db_my.t_mm   mycat_mod on id, databases db_my_0..2
  db_my.t_ms   mycat_string on code (utf8mb4_general_ci, key_collation set), db_myc_0..2
  db_my.t_mg   global (in the logical db db_my)

Statements: keys quoted and unquoted over the whole BIGINT / BIGINT UNSIGNED range (boundaries,
+-1, 19-20 digit values, leading zeros, spaces, '+', exponents, fractions, trailing garbage,
out of range), outer joins with the global table on either side (with WHERE ... IS NULL),
mycat_string keys in other case and with trailing spaces, joins and subqueries of db_my tables
with db_my's global table, UPDATE/DELETE/INSERT by those keys (affected rows compared, table
contents compared after every seed and on every global copy).

The only refusal accepted is error 1235 for an outer join that keeps a global table's rows over
several shards (the plan that would repeat them per shard); every other difference fails.

  TESSERA_EXACT_SEEDS=1,2,3     seeds to run (default: a fixed list)
  TESSERA_EXACT_BUDGET_S=45     seconds of random statements over all seeds (default 45)
Exit status 1 on any difference; the seed and the statement are printed with it.
"""

import os
import random
import sys
import time

import pymysql

import itlib
import shardlib as sl

USER, PASSWORD = "exact", "exact_pw"
REF_DB = "ref_exact"
PHYSICAL_DBS = ["db_ex", "db_my", "db_my_0", "db_my_1", "db_my_2", "db_myc_0", "db_myc_1",
                "db_myc_2"]
OPTS = "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci"
TABLES = {  # table -> (logical db, DDL columns, key column, unique column)
    "t_h": ("db_ex", "id BIGINT NOT NULL, grp INT NULL, v INT NULL, PRIMARY KEY (id)", "id"),
    "t_hu": ("db_ex", "id BIGINT UNSIGNED NOT NULL, grp INT NULL, v INT NULL, PRIMARY KEY (id)",
             "id"),
    "t_m": ("db_ex", "id INT NOT NULL, k BIGINT NOT NULL, grp INT NULL, v INT NULL, "
                     "PRIMARY KEY (id)", "k"),
    "t_r": ("db_ex", "id BIGINT NOT NULL, grp INT NULL, v INT NULL, PRIMARY KEY (id)", "id"),
    "t_dy": ("db_ex", "id INT NOT NULL, dt DATE NOT NULL, grp INT NULL, v INT NULL, "
                      "PRIMARY KEY (id)", "dt"),
    "t_g": ("db_ex", "gid INT NOT NULL, name VARCHAR(20) NULL, v INT NULL, PRIMARY KEY (gid)",
            None),
    "t_mm": ("db_my", "id BIGINT NOT NULL, gid INT NULL, v INT NULL, PRIMARY KEY (id)", "id"),
    "t_ms": ("db_my", "code VARCHAR(20) NOT NULL, gid INT NULL, v INT NULL, PRIMARY KEY (code)",
             "code"),
    "t_mg": ("db_my", "gid INT NOT NULL, name VARCHAR(20) NULL, v INT NULL, PRIMARY KEY (gid)",
             None),
}
SHARDED_INT = ["t_h", "t_hu", "t_m", "t_r", "t_mm"]
I64_MIN, I64_MAX, U64_MAX = -(1 << 63), (1 << 63) - 1, (1 << 64) - 1
FIXED_SEEDS = [18, 1802, 180203]
REFUSAL = 1235
GROUPS = 14  # grp/gid values 0..13; the global tables hold 0..9, so some have no match
NAMES = ["dave", "alice", "bob", "carol", "erin", "frank", "zoë", "andré", "mallory", "x", "ab c",
         "trent", "peggy", "victor", "walter"]


class Failed(Exception):
    pass


def log(msg):
    print(msg, flush=True)


# ------------------------------------------------------------------------------------ sides
class Side:
    def __init__(self, name, connect):
        self.name, self._connect, self.conn = name, connect, None

    def run(self, sql):
        """(rows or None, affected rows, error code or None, error message)."""
        if self.conn is None or not self.conn.open:
            self.conn = self._connect()
        try:
            with self.conn.cursor() as cur:
                n = cur.execute(sql)
                rows = list(cur.fetchall()) if cur.description else None
                return rows, n, None, None
        except pymysql.err.MySQLError as e:
            code = e.args[0] if e.args else None
            if code in (2003, 2006, 2013, 2014):
                raise Failed(f"{self.name}: connection lost on `{sql}`: {e}")
            return None, None, code, str(e.args[1] if len(e.args) > 1 else e)

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def tessera(db):
    return Side(f"tessera/{db}", lambda: itlib.connect(USER, PASSWORD, database=db,
                                                       autocommit=True, read_timeout=60))


def reference():
    return Side("reference", lambda: sl.backend(0, REF_DB))


# ------------------------------------------------------------------------------------ values
def int_pool(rng, unsigned):
    if unsigned:
        base = [0, 1, 2, 9, 10, 999, (1 << 53) - 1, 1 << 53, (1 << 53) + 1, I64_MAX - 1, I64_MAX,
                I64_MAX + 1, I64_MAX + 2, I64_MAX + 1000, U64_MAX - 1, U64_MAX,
                10 ** 19, 10 ** 19 + 1, 12345678901234567890, 18000000000000000000]
        base += [rng.randrange(0, U64_MAX + 1) for _ in range(12)]
        base += [rng.randrange(10 ** 18, 10 ** 19) for _ in range(6)]
    else:
        base = [I64_MIN, I64_MIN + 1, I64_MIN + 2, -1, 0, 1, 2, I64_MAX - 1, I64_MAX,
                -1000000000000000002, 1000000000000000002, -(10 ** 18), 10 ** 18,
                -(1 << 53), (1 << 53) + 1, -999, 7, 42]
        base += [rng.randrange(I64_MIN, I64_MAX + 1) for _ in range(12)]
        base += [rng.choice([-1, 1]) * rng.randrange(10 ** 18, I64_MAX) for _ in range(6)]
    return sorted(set(base))


def quoted_forms(rng, v):
    """Ways to spell the integer v that the server reads as exactly v."""
    s = str(abs(v))
    sign = "-" if v < 0 else rng.choice(["", "", "+"])
    forms = [f"'{sign}{s}'", f"' {sign}{s}'", f"'{sign}{s}  '", f"'{sign}000{s}'",
             f"'\t{sign}{s}'", f"'{sign}{s}.0'", f"'{sign}{s}.000'", f"'{sign}{s}e0'"]
    if s.endswith("000") and len(s) > 3:
        forms.append(f"'{sign}{s[:-3]}e3'")
    if len(s) > 2:
        forms.append(f"'{sign}{s[:-2]}.{s[-2:]}e2'")
    return forms


def key_literal(rng, v):
    """v unquoted or in one of its quoted spellings."""
    if rng.random() < 0.3:
        return str(v)
    return rng.choice(quoted_forms(rng, v))


def odd_literal(rng, pool):
    """Text the server does not read as an exact integer: fractions, garbage, out of range."""
    v = rng.choice(pool)
    return rng.choice([
        f"'{v}.5'", f"'{v}.4'", f"'{v}abc'", f"'{v} x'", "'abc'", "''", "' '",
        f"'{v}0000'", f"'{I64_MAX + 1}'", f"'{I64_MIN - 1}'", f"'{U64_MAX + 1}'",
        f"'-{U64_MAX}'", f"'{rng.randrange(1, 99)}e{rng.randrange(15, 25)}'", "'0x10'",
        f"'{rng.randrange(0, 50)}.{rng.randrange(0, 99):02d}'", f"{v}.5", f"{v}e0",
        f"{rng.randrange(0, 30)}e0", f"'{v}e-2'", f"'{v}.'", f"'.{rng.randrange(0, 9)}'",
    ])


def case_variant(rng, name):
    forms = [name, name.upper(), name.capitalize(), name + " ", name + "   ",
             name.upper() + " ", "".join(c.upper() if rng.random() < 0.5 else c for c in name)]
    if "ë" in name or "é" in name:
        forms.append(name.replace("ë", "e").replace("é", "E"))
    return rng.choice(forms)


def sql_text(s):
    return "'" + s.replace("\\", "\\\\").replace("'", "''") + "'"


# ------------------------------------------------------------------------------------ setup
def ddl(table):
    return f"CREATE TABLE {table} ({TABLES[table][1]}) {OPTS}"


def setup(ref):
    for db in PHYSICAL_DBS:
        sl.drop_database_everywhere(db)
    sl.drop_database_everywhere(REF_DB)
    admin = sl.backend(0)
    sl.query(admin, f"CREATE DATABASE {REF_DB}")
    admin.close()
    t = tessera(None)
    for db in ("db_ex", "db_my"):
        run_ok(t, f"CREATE DATABASE {db}")
    for table, (db, _, _) in TABLES.items():
        run_ok(t, f"CREATE TABLE {db}.{table} ({TABLES[table][1]}) {OPTS}")
        run_ok(ref, ddl(table))
    t.close()


def run_ok(side, sql):
    rows, n, code, msg = side.run(sql)
    if code is not None:
        raise Failed(f"{side.name}: `{sql}` failed: ({code}) {msg}")
    return rows, n


def load_rows(rng, sides, ref, pools):
    """The same rows through Tessera (keys spelt in random ways) and into the reference."""
    for g in ("t_g", "t_mg"):
        db = TABLES[g][0]
        values = ", ".join(f"({i}, 'g{i}', {i * 10})" for i in range(10))
        for side in (sides[db], ref):
            run_ok(side, f"INSERT INTO {g} VALUES {values}")
    for table in ("t_h", "t_hu", "t_r", "t_mm"):
        db = TABLES[table][0]
        pool = pools[table]
        cols = "id, grp, v" if table != "t_mm" else "id, gid, v"
        for v in pool:
            g, val = rng.randrange(GROUPS), rng.randrange(1000)
            tess = f"INSERT INTO {table} ({cols}) VALUES ({key_literal(rng, v)}, {g}, {val})"
            refq = f"INSERT INTO {table} ({cols}) VALUES ({v}, {g}, {val})"
            compare_write(sides[db], ref, tess, refq, "load")
    for i, k in enumerate(pools["t_m"]):
        g = rng.randrange(GROUPS)
        compare_write(sides["db_ex"], ref,
                      f"INSERT INTO t_m (id, k, grp, v) VALUES ({i}, {key_literal(rng, k)}, {g}, 0)",
                      f"INSERT INTO t_m (id, k, grp, v) VALUES ({i}, {k}, {g}, 0)", "load")
    for i in range(40):
        dt = f"{rng.randrange(2014, 2020)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
        q = f"INSERT INTO t_dy (id, dt, grp, v) VALUES ({i}, '{dt}', {rng.randrange(GROUPS)}, 0)"
        compare_write(sides["db_ex"], ref, q, q, "load")
    for name in NAMES:
        q = (f"INSERT INTO t_ms (code, gid, v) VALUES ({sql_text(name)}, {rng.randrange(GROUPS)}, "
             f"{rng.randrange(100)})")
        compare_write(sides["db_my"], ref, q, q, "load")


# ------------------------------------------------------------------------------------ compare
class Stats:
    def __init__(self):
        self.statements = 0
        self.refused = 0
        self.errors_both = 0
        self.by_category = {}


STATS = Stats()


def canon(rows):
    return sorted((tuple(repr(v) for v in r) for r in rows or []))


def mismatch(category, tess_sql, ref_sql, t, r):
    raise Failed(f"[{category}] difference\n  tessera:   {tess_sql}\n  reference: {ref_sql}\n"
                 f"  tessera answered   {describe(t)}\n  reference answered {describe(r)}")


def describe(res):
    rows, n, code, msg = res
    if code is not None:
        return f"error ({code}) {msg}"
    if rows is None:
        return f"OK, {n} rows affected"
    return f"{len(rows)} rows: {canon(rows)[:8]}"


def compare(side, ref, tess_sql, ref_sql, category, ordered=False, may_refuse=False):
    STATS.statements += 1
    STATS.by_category[category] = STATS.by_category.get(category, 0) + 1
    t = side.run(tess_sql)
    r = ref.run(ref_sql)
    if t[2] is not None or r[2] is not None:
        if t[2] is not None and r[2] is not None:
            if t[2] != r[2]:
                mismatch(category, tess_sql, ref_sql, t, r)
            STATS.errors_both += 1
            return t, r
        if may_refuse and t[2] == REFUSAL and r[2] is None:
            STATS.refused += 1
            if "global" not in t[3]:
                raise Failed(f"[{category}] refusal does not name the shape: {t[3]}")
            return t, r
        mismatch(category, tess_sql, ref_sql, t, r)
    if t[0] is None and r[0] is None:
        if t[1] != r[1]:
            mismatch(category, tess_sql, ref_sql, t, r)
        return t, r
    if (t[0] is None) != (r[0] is None):
        mismatch(category, tess_sql, ref_sql, t, r)
    same = ([tuple(map(repr, x)) for x in t[0]] == [tuple(map(repr, x)) for x in r[0]]
            if ordered else canon(t[0]) == canon(r[0]))
    if not same:
        mismatch(category, tess_sql, ref_sql, t, r)
    return t, r


def compare_write(side, ref, tess_sql, ref_sql, category):
    return compare(side, ref, tess_sql, ref_sql, category)


def compare_contents(sides, ref):
    for table, (db, _, _) in TABLES.items():
        compare(sides[db], ref, f"SELECT * FROM {table}", f"SELECT * FROM {table}", "contents")
    # Every copy of a global table holds what the reference holds.
    for g, phys in (("t_g", "db_ex"), ("t_mg", "db_my")):
        want = canon(ref.run(f"SELECT * FROM {g}")[0])
        for i in range(len(sl.SLICES)):
            got = canon(sl.backend_query(i, f"SELECT * FROM {phys}.{g}"))
            if got != want:
                raise Failed(f"global table {phys}.{g} on slice-{i + 1} differs from the "
                             f"reference: {got[:5]} vs {want[:5]}")


# ------------------------------------------------------------------------------------ statements
def gen_statement(rng, pools):
    """(category, db, tessera sql, reference sql, ordered, may_refuse)."""
    kind = rng.choice(["point", "point", "point", "odd", "in", "update", "delete_insert",
                       "outer", "outer", "ms", "ms_write", "my_join", "global_write",
                       "mod_range_date", "key_move"])
    if kind in ("point", "odd", "in"):
        table = rng.choice(SHARDED_INT)
        key = TABLES[table][2]
        db = TABLES[table][0]
        pool = pools[table]
        if kind == "point":
            v = rng.choice(pool) if rng.random() < 0.8 else rng.choice(pool) + rng.choice([-1, 1])
            if table == "t_hu":
                v = min(max(v, 0), U64_MAX)
            elif table != "t_hu":
                v = min(max(v, I64_MIN), I64_MAX)
            lit = key_literal(rng, v)
        elif kind == "odd":
            lit = odd_literal(rng, pool)
        else:
            lit = ", ".join(key_literal(rng, rng.choice(pool)) for _ in range(rng.randrange(1, 5)))
            q = f"SELECT * FROM {table} WHERE {key} IN ({lit})"
            return "in", db, q, q, False, False
        q = f"SELECT * FROM {table} WHERE {key} = {lit}"
        if rng.random() < 0.2:
            q = f"SELECT * FROM {table} WHERE {lit} = {key}"
        return kind, db, q, q, False, False
    if kind == "update":
        table = rng.choice(SHARDED_INT)
        key, db = TABLES[table][2], TABLES[table][0]
        lit = key_literal(rng, rng.choice(pools[table])) if rng.random() < 0.8 else \
            odd_literal(rng, pools[table])
        q = f"UPDATE {table} SET v = v + 1 WHERE {key} = {lit}"
        return "update", db, q, q, False, False
    if kind == "delete_insert":
        table = rng.choice(["t_h", "t_hu", "t_r", "t_mm"])
        key, db = TABLES[table][2], TABLES[table][0]
        v = rng.choice(pools[table])
        if rng.random() < 0.5:
            q = f"DELETE FROM {table} WHERE {key} = {key_literal(rng, v)}"
            return "delete", db, q, q, False, False
        other = "grp" if table != "t_mm" else "gid"
        tq = f"INSERT INTO {table} ({key}, {other}, v) VALUES ({key_literal(rng, v)}, 1, 5)"
        rq = f"INSERT INTO {table} ({key}, {other}, v) VALUES ({v}, 1, 5)"
        return "insert", db, tq, rq, False, False
    if kind == "outer":
        table = rng.choice(["t_h", "t_hu", "t_m", "t_r"])
        key = TABLES[table][2]
        shape = rng.randrange(4)
        where = rng.choice(["", f" WHERE s.{key} IS NULL", f" WHERE s.{key} IS NOT NULL",
                            f" WHERE g.gid < {rng.randrange(12)}",
                            f" WHERE s.{key} = {key_literal(rng, rng.choice(pools[table]))}"])
        cols = f"g.gid, g.name, s.{key}, s.v"
        if shape == 0:
            q = f"SELECT {cols} FROM t_g g LEFT JOIN {table} s ON s.grp = g.gid{where}"
        elif shape == 1:
            q = f"SELECT {cols} FROM {table} s RIGHT JOIN t_g g ON s.grp = g.gid{where}"
        elif shape == 2:
            q = f"SELECT {cols} FROM {table} s LEFT JOIN t_g g ON s.grp = g.gid{where}"
        else:
            q = f"SELECT {cols} FROM t_g g RIGHT JOIN {table} s ON s.grp = g.gid{where}"
        if rng.random() < 0.3:  # merged aggregates over the same join
            q = "SELECT COUNT(*), COUNT(s.v), SUM(g.v) FROM" + q.split(" FROM", 1)[1]
        return "outer", "db_ex", q, q, False, shape < 2
    if kind == "ms":
        name = case_variant(rng, rng.choice(NAMES))
        form = rng.randrange(3)
        if form == 0:
            q = f"SELECT code, gid, v FROM t_ms WHERE code = {sql_text(name)}"
        elif form == 1:
            other = case_variant(rng, rng.choice(NAMES))
            q = f"SELECT code, gid, v FROM t_ms WHERE code IN ({sql_text(name)}, {sql_text(other)})"
        else:
            q = f"SELECT UPPER(code), v FROM t_ms WHERE {sql_text(name)} = code"
        return "ms", "db_my", q, q, False, False
    if kind == "ms_write":
        name = case_variant(rng, rng.choice(NAMES))
        op = rng.randrange(3)
        if op == 0:
            q = f"UPDATE t_ms SET v = v + 1 WHERE code = {sql_text(name)}"
        elif op == 1:
            # a case variant of a stored key: the server answers 1062, so must Tessera
            q = f"INSERT INTO t_ms (code, gid, v) VALUES ({sql_text(name)}, 1, 1)"
        else:
            q = f"DELETE FROM t_ms WHERE code = {sql_text(name)}"
        return "ms_write", "db_my", q, q, False, False
    if kind == "my_join":
        form = rng.randrange(5)
        lit = key_literal(rng, rng.choice(pools["t_mm"]))
        if form == 0:
            q = "SELECT m.id, g.name FROM t_mm m JOIN t_mg g ON g.gid = m.gid"
        elif form == 1:
            q = f"SELECT m.id, g.name FROM t_mm m JOIN t_mg g ON g.gid = m.gid WHERE m.id = {lit}"
        elif form == 2:
            q = (f"SELECT id, v FROM t_mm WHERE gid IN (SELECT gid FROM t_mg WHERE v < "
                 f"{rng.randrange(100)})")
        elif form == 3:
            q = "SELECT s.code, g.name FROM t_ms s LEFT JOIN t_mg g ON g.gid = s.gid"
        else:
            name = case_variant(rng, rng.choice(NAMES))
            q = (f"SELECT s.code, g.name FROM t_ms s JOIN t_mg g ON g.gid = s.gid "
                 f"WHERE s.code = {sql_text(name)}")
        return "my_join", "db_my", q, q, False, False
    if kind == "global_write":
        g = rng.choice(["t_g", "t_mg"])
        db = TABLES[g][0]
        op = rng.randrange(4)
        if op == 0:
            q = f"UPDATE {g} SET v = v + 1 WHERE gid < {rng.randrange(12)}"
        elif op == 1:
            gid = rng.randrange(10, 30)
            q = f"INSERT INTO {g} (gid, name, v) VALUES ({gid}, 'n{gid}', {gid})"
        elif op == 2:
            q = f"DELETE FROM {g} WHERE gid >= {rng.randrange(10, 30)}"
        else:
            q = f"UPDATE {g} SET v = v WHERE gid = {rng.randrange(12)}"  # matched, unchanged
        return "global_write", db, q, q, False, False
    if kind == "key_move":
        # Shard-key UPDATEs (issue 19) on the date_year, mod and mycat rules: rows move to the
        # sub-table their new key routes to (contents compared every 500 statements and at the
        # end); an overflow or a duplicate is the server's error on both sides.
        op = rng.randrange(4)
        if op == 0:
            y = rng.randrange(2014, 2019)
            up = rng.random() < 0.5
            y = y if up else y + 1
            q = (f"UPDATE t_dy SET dt = dt {'+' if up else '-'} INTERVAL 1 YEAR, "
                 f"v = COALESCE(v, 0) + 1 WHERE dt BETWEEN '{y}-01-01' AND '{y}-06-30'")
            return "key_move", "db_ex", q, q, False, False
        if op == 1:
            v = rng.choice(pools["t_m"])
            q = f"UPDATE t_m SET k = k + {rng.randrange(1, 7)} WHERE k = {key_literal(rng, v)}"
            return "key_move", "db_ex", q, q, False, False
        if op == 2:
            # One row (several would meet a duplicate or an overflow in an order the server
            # chooses), its key moved within the BIGINT range mycat_mod places.
            v = rng.choice(pools["t_mm"])
            d = 1000003 if v <= I64_MAX - 1000003 else -1000003
            q = f"UPDATE t_mm SET id = id + ({d}), v = 7 WHERE id = {v}"
            return "key_move", "db_my", q, q, False, False
        # A fresh suffix: no new code meets an old one (the server would fail on the first row
        # it reaches whose new code another row still holds; Tessera moves the rows apart
        # first, so such a statement is not compared).
        tag = "".join(rng.choice("qwxyz") for _ in range(3))
        q = f"UPDATE t_ms SET code = CONCAT(code, '{tag}') WHERE gid = {rng.randrange(12)}"
        return "key_move", "db_my", q, q, False, False
    # mod_range_date: other rule types by quoted keys
    table = rng.choice(["t_m", "t_r", "t_dy"])
    if table == "t_dy":
        y = rng.randrange(2014, 2020)
        dt = f"{y}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
        q = rng.choice([f"SELECT * FROM t_dy WHERE dt = '{dt}'",
                        f"SELECT id FROM t_dy WHERE dt BETWEEN '{y}-01-01' AND '{y}-12-31'"])
        return "date", "db_ex", q, q, False, False
    key = TABLES[table][2]
    v = rng.choice(pools[table])
    q = rng.choice([f"SELECT * FROM {table} WHERE {key} = {key_literal(rng, v)}",
                    f"SELECT * FROM {table} WHERE {key} BETWEEN {key_literal(rng, v)} AND "
                    f"{key_literal(rng, v + rng.randrange(0, 3000))}",
                    f"SELECT * FROM {table} WHERE {key} >= {key_literal(rng, v)}"])
    return "mod_range", "db_ex", q, q, False, False


# ------------------------------------------------------------------------------------ direct checks
def check_item3(ex, my, ref):
    """item 3: a quoted 19-digit negative key (hash on BIGINT) is read as the number it spells"""
    k = -1000000000000000002
    compare(ex, ref, f"INSERT INTO t_h (id, grp, v) VALUES ('{k - 1}', 3, 1)",
            f"INSERT INTO t_h (id, grp, v) VALUES ({k - 1}, 3, 1)", "regression")
    t, _ = compare(ex, ref, f"SELECT id FROM t_h WHERE id = '{k}'",
                   f"SELECT id FROM t_h WHERE id = {k}", "regression")
    if len(t[0]) != 1:
        raise Failed(f"item 3: WHERE id = '{k}' found {t[0]}, expected the row")
    t, _ = compare(ex, ref, f"UPDATE t_h SET v = v + 1 WHERE id = '{k}'",
                   f"UPDATE t_h SET v = v + 1 WHERE id = {k}", "regression")
    if t[1] != 1:
        raise Failed(f"item 3: UPDATE by '{k}' affected {t[1]} rows, expected 1")
    # the INSERTed row sits in the physical table the unquoted key routes to (Gaea's hash)
    idx = sl.gaea_hash_index(k - 1, 6)
    where = sl.slice_of_table(idx, [2, 2, 2])
    got = sl.backend_query(where, f"SELECT id FROM db_ex.t_h_{idx:04d} WHERE id = {k - 1}")
    if len(got) != 1:
        raise Failed(f"item 3: INSERT of '{k - 1}' is not in t_h_{idx:04d} on slice-{where + 1}")
    log("  item 3: quoted 19-digit negative key found, updated, inserted in the right table")


def check_item2(ex, my, ref):
    """item 2: global LEFT JOIN sharded (and sharded RIGHT JOIN global): the right rows or a
    clear refusal, never repeated rows"""
    k = -1000000000000000002
    for q in ["SELECT g.gid, s.id FROM t_g g LEFT JOIN t_h s ON s.grp = g.gid",
              "SELECT g.gid, s.id FROM t_g g LEFT JOIN t_h s ON s.grp = g.gid WHERE s.id IS NULL",
              "SELECT g.gid, s.id FROM t_h s RIGHT JOIN t_g g ON s.grp = g.gid"]:
        t, _ = compare(ex, ref, q, q, "regression", may_refuse=True)
        if t[2] is not None:
            log(f"  item 2: refused as expected: ({t[2]}) {t[3]}")
    # the global table on the non-preserved side, and a key that pins one shard, are answered
    for q in ["SELECT g.gid, s.id FROM t_h s LEFT JOIN t_g g ON s.grp = g.gid",
              f"SELECT g.gid, s.id FROM t_g g LEFT JOIN t_h s ON s.grp = g.gid WHERE s.id = {k}"]:
        t, _ = compare(ex, ref, q, q, "regression")
    log("  item 2: sharded LEFT JOIN global and single-shard global LEFT JOIN answered exactly")


def check_item4(ex, my, ref):
    """item 4: mycat_string keys in a case-insensitive column (key_collation)"""
    compare(my, ref, "DELETE FROM t_ms WHERE code = 'dave'", "DELETE FROM t_ms WHERE code = 'dave'",
            "regression")
    compare(my, ref, "INSERT INTO t_ms (code, gid, v) VALUES ('dave', 1, 1)",
            "INSERT INTO t_ms (code, gid, v) VALUES ('dave', 1, 1)", "regression")
    for variant in ("Dave", "dave ", "DAVE  "):
        t, _ = compare(my, ref, f"SELECT code FROM t_ms WHERE code = '{variant}'",
                       f"SELECT code FROM t_ms WHERE code = '{variant}'", "regression")
        if len(t[0]) != 1:
            raise Failed(f"item 4: WHERE code = '{variant}' found {t[0]}")
    t, _ = compare(my, ref, "INSERT INTO t_ms (code, gid, v) VALUES ('Dave', 2, 2)",
                   "INSERT INTO t_ms (code, gid, v) VALUES ('Dave', 2, 2)", "regression")
    if t[2] != 1062:
        raise Failed(f"item 4: INSERT 'Dave' beside 'dave' gave {describe(t)}, expected 1062")
    log("  item 4: 'Dave' and 'dave ' find 'dave'; INSERT 'Dave' is a duplicate key (1062)")


def check_item5(ex, my, ref):
    """item 5: db_my's sharded tables with its global table, joined and in a subquery"""
    for q in ["SELECT m.id, g.name FROM t_mm m JOIN t_mg g ON g.gid = m.gid",
              "SELECT id FROM t_mm WHERE gid IN (SELECT gid FROM t_mg)",
              "SELECT s.code, g.name FROM t_ms s JOIN t_mg g ON g.gid = s.gid"]:
        t, _ = compare(my, ref, q, q, "regression")
        if not t[0]:
            raise Failed(f"item 5: `{q}` returned no rows")
    log("  item 5: mycat-db joins and subqueries with the global table answered")


def check_item6(ex, my, ref):
    """item 6: a global-table write reports what one server reports"""
    for q in ["INSERT INTO t_g (gid, name, v) VALUES (99, 'n99', 0)",
              "UPDATE t_g SET v = v + 1 WHERE gid IN (1, 2, 99)",
              "DELETE FROM t_g WHERE gid = 99"]:
        t, _ = compare(ex, ref, q, q, "regression")
    log(f"  item 6: global writes report {t[1]} row(s) affected, as the single server does")


def regression_checks(sides, ref):
    """One direct check per defect of issue 18 items 2-6 (each failed on main); all run, then
    any failure is reported."""
    failures = []
    for check in (check_item2, check_item3, check_item4, check_item5, check_item6):
        try:
            check(sides["db_ex"], sides["db_my"], ref)
        except Failed as e:
            log(f"  FAILED {check.__doc__.strip()}:\n    {e}")
            failures.append(check.__name__)
    if failures:
        raise Failed(f"direct checks failed: {', '.join(failures)}")


# ------------------------------------------------------------------------------------ main
def run_seed(seed, deadline):
    rng = random.Random(seed)
    ref = reference()
    sides = {"db_ex": tessera("db_ex"), "db_my": tessera("db_my")}
    try:
        setup(ref)
        pools = {"t_h": int_pool(rng, False), "t_hu": int_pool(rng, True),
                 # mod cannot place INT64_MIN (Gaea's Abs overflows; Tessera refuses it)
                 "t_m": [v for v in int_pool(rng, False) if v != I64_MIN], "t_mm": [v for v in int_pool(rng, False) if v >= 0],
                 "t_r": sorted(set(rng.randrange(0, 3000) for _ in range(40)))}
        load_rows(rng, sides, ref, pools)
        compare_contents(sides, ref)
        if seed == FIXED_SEEDS[0]:
            regression_checks(sides, ref)
        n = 0
        while time.monotonic() < deadline:
            category, db, tq, rq, ordered, may_refuse = gen_statement(rng, pools)
            compare(sides[db], ref, tq, rq, category, ordered, may_refuse)
            n += 1
            if n % 500 == 0:
                compare_contents(sides, ref)
        compare_contents(sides, ref)
        return n
    finally:
        ref.close()
        for s in sides.values():
            s.close()


def main():
    sl.require_proxy("test_exact_routing")
    seeds = [int(s) for s in os.environ.get("TESSERA_EXACT_SEEDS", "").split(",") if s.strip()]
    seeds = seeds or FIXED_SEEDS
    budget = float(os.environ.get("TESSERA_EXACT_BUDGET_S", "45"))
    start = time.monotonic()
    try:
        for i, seed in enumerate(seeds):
            # every seed gets an equal share of what is left of the budget
            share = (budget - (time.monotonic() - start)) / (len(seeds) - i)
            log(f"seed {seed} (TESSERA_EXACT_SEEDS={seed} replays it), {share:.0f} s")
            n = run_seed(seed, time.monotonic() + max(share, 1.0))
            log(f"  seed {seed}: {n} random statements, 0 differences")
    except Failed as e:
        log(f"FAIL (seed {seed}): {e}")
        return 1
    finally:
        for db in PHYSICAL_DBS + [REF_DB]:
            try:
                sl.drop_database_everywhere(db)
            except Exception:
                pass
    cats = ", ".join(f"{k} {v}" for k, v in sorted(STATS.by_category.items()))
    log(f"PASS: {STATS.statements} statements compared ({cats}); both sides refused "
        f"{STATS.errors_both}; Tessera refused {STATS.refused} global-preserved outer joins "
        f"(1235)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
