#!/usr/bin/env python3
"""Differential test of Tessera's sharding: the same random queries through Tessera (user
`shard`, database db_diff, sharded by config/it_shard.json.in) and against identical unsharded
tables in `diff_ref` straight on the slice-0 primary; the results must be identical.

  db_diff.t_hash   hash on id, locations [2,2,2] (t_hash_0000..0005, two per slice)
  db_diff.t_mod    mod on k, [1,1,1]
  db_diff.t_range  range on id, table_row_limit 100, [2,1,1] (ids 0..399)
  db_diff.t_child  linked to t_hash on id
  db_diff.t_glob   global (a full copy on every slice)
  db_diff.t_text   hash on id, [1,1,1]: Unicode text in columns of several collations (issue 18)

The text phase (after the main run) reloads t_text with new random text for each of
--text-seeds seeds (derived from the seed) and runs --text-queries statements per seed:
ORDER BY (also with COLLATE and over CONCATs of mixed collations, which MariaDB compares as
_bin), GROUP BY, DISTINCT, COUNT(DISTINCT), MIN/MAX, HAVING and WHERE comparisons on columns
in utf8mb4_general_ci, unicode_ci, unicode_520_ci, unicode_520_nopad_ci, _bin and
latin1_swedish_ci (native tables), and cp1251_general_ci, latin2_general_ci, uca1400_ai_ci,
uca1400_as_cs and uca1400_nopad_ai_ci (when the server has them), which the merge compares by
the shards' WEIGHT_STRING(). Then the client-charset phases: both sides reconnect with a
cp1251, latin1 and utf8mb3 handshake and run --client-queries statements each over rows all
charsets involved can hold.

Usage (environment as for every integration test, see itlib.py):
  test_sharding_differential.py [--seed N] [--queries N] [--dml N] [--keep] [--categories a,b]
                                [--text-queries N] [--text-seeds N] [--client-queries N]
  test_sharding_differential.py --self-check   # no Tessera: diff_ref vs diff_ref2 (Aria tables,
                                               # rows inserted in another order) on MariaDB
The seed comes from --seed, else TESSERA_DIFF_SEED, else is random; it is printed first and with
every mismatch, so `TESSERA_DIFF_SEED=<seed>` replays a run exactly. Exit status 1 on any
mismatch (or any query one side answers and the other refuses).

Comparison: rows as multisets, or in order when the ORDER BY makes the order total (the
generator always appends a unique column). Values compare as Python values (Decimal('1.50') ==
Decimal('1.5') == 1.5 ...), column names must match. Where a case-insensitive collation lets
MariaDB itself return any member of an equivalence class (DISTINCT s, GROUP BY s, MIN(s),
MAX(s); collation utf8mb4_general_ci, PAD SPACE), that column is compared as UPPER(RTRIM(s)).
In the text phase such columns are compared by the server's WEIGHT_STRING of the value under
the column's collation (trailing spaces removed for PAD SPACE ones), asked of the reference.
"""

import argparse
import collections
import datetime
import decimal
import os
import random
import sys
import time
import zlib

import pymysql

import itlib
import shardlib as sl

D = decimal.Decimal
TABLE_OPTS = "DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci"

# table -> (columns DDL, shard key or None, unique column)
SCHEMA = {
    "t_hash": ("id INT NOT NULL, a INT NULL, b INT NULL, s VARCHAR(24) NULL, "
               "d DECIMAL(10,2) NULL, dt DATE NULL, PRIMARY KEY (id)", "id", "id"),
    "t_mod": ("id INT NOT NULL, k INT NOT NULL, a INT NULL, b INT NULL, s VARCHAR(24) NULL, "
              "d DECIMAL(10,2) NULL, dt DATE NULL, PRIMARY KEY (id)", "k", "id"),
    "t_range": ("id INT NOT NULL, a INT NULL, b INT NULL, s VARCHAR(24) NULL, "
                "d DECIMAL(10,2) NULL, dt DATE NULL, PRIMARY KEY (id)", "id", "id"),
    "t_child": ("cid INT NOT NULL, id INT NOT NULL, c INT NULL, s VARCHAR(24) NULL, "
                "PRIMARY KEY (cid)", "id", "cid"),
    "t_glob": ("id INT NOT NULL, g INT NULL, name VARCHAR(24) NULL, PRIMARY KEY (id)", None, "id"),
}
COLUMNS = {
    "t_hash": ["id", "a", "b", "s", "d", "dt"],
    "t_mod": ["id", "k", "a", "b", "s", "d", "dt"],
    "t_range": ["id", "a", "b", "s", "d", "dt"],
    "t_child": ["cid", "id", "c", "s"],
    "t_glob": ["id", "g", "name"],
}
INT_COLS = {"t_hash": ["id", "a", "b"], "t_mod": ["id", "k", "a", "b"],
            "t_range": ["id", "a", "b"], "t_child": ["cid", "id", "c"], "t_glob": ["id", "g"]}
STR_COL = {"t_hash": "s", "t_mod": "s", "t_range": "s", "t_child": "s", "t_glob": "name"}
# physical layout (Gaea): sub-tables per slice
LAYOUT = {"t_hash": [2, 2, 2], "t_mod": [1, 1, 1], "t_range": [2, 1, 1], "t_child": [2, 2, 2]}
SINGLE = ["t_hash", "t_mod", "t_range", "t_child", "t_glob"]
WORDS = ["alpha", "beta", "gamma", "delta", "omega", "zeta9", "kappa", "x", "mu", "a1"]

# ---------------------------------------------------------------------------------- text
# t_text: one column per collation under test; the latin1 column gets latin1-only text.
TEXT_COLS = {
    "s_gen": "utf8mb4_general_ci",
    "s_uni": "utf8mb4_unicode_ci",
    "s_520": "utf8mb4_unicode_520_ci",
    "s_np": "utf8mb4_unicode_520_nopad_ci",
    "s_bin": "utf8mb4_bin",
    "s_lat": "latin1_swedish_ci",
    # Collations the merge has no tables for: compared by the shards' WEIGHT_STRING().
    "s_cyr": "cp1251_general_ci",
    "s_l2": "latin2_general_ci",
}
# Used when the server has them (MariaDB >= 10.10): PAD SPACE one- and three-level, NO PAD.
TEXT_UCA1400 = {
    "s_uca": "utf8mb4_uca1400_ai_ci",
    "s_ucs": "utf8mb4_uca1400_as_cs",
    "s_ucn": "utf8mb4_uca1400_nopad_ai_ci",
}
# Client character sets of the client-charset phases (issue 16 item 6): the cells reach the
# merge in these, not in UTF-8.
# (pymysql 1.0 calls utf8mb3 "utf8": handshake collation 33, utf8mb3_general_ci.)
CLIENT_CHARSETS = ["cp1251", "latin1", "utf8"]
PY_CODEC = {"utf8mb4": "utf-8", "utf8mb3": "utf-8", "utf8": "utf-8", "latin1": "cp1252", "cp1251": "cp1251",
            "latin2": "iso8859-2"}


def charset_of(coll):
    return coll.split("_")[0]


def text_schema(cols):
    ddl = ["id INT NOT NULL", "g INT NULL"]
    for c, coll in cols.items():
        ddl.append(f"{c} VARCHAR(20) CHARACTER SET {charset_of(coll)} COLLATE {coll} NULL")
    return ", ".join(ddl) + ", PRIMARY KEY (id)"


# Words that collide or differ depending on the collation: ß = s (general) / ss (unicode);
# Ø is O under general_ci but a letter of its own under UCA; '_' and '%' sort before letters
# under UCA and after them under general_ci; supplementary characters are all U+FFFD to
# general_ci and unicode_ci; Cyrillic/Greek case pairs; final sigma; CJK; trailing spaces.
TEXT_WORDS = ["a_b", "a%b", "A_B", "straße", "strasse", "strase", "STRASSE", "Øre", "ore", "ØRE",
              "öre", "Åsa", "asa", "Ära", "ara", "Zeta", "zeta", "жук", "Жук", "ЖУК", "ёж", "еж",
              "σοφία", "ΣΟΦΊΑ", "σοφια", "λόγος", "ΛΌΓΟΣ", "中文", "日本", "中", "😀a", "🍺b",
              "😀b", "🍺", "😀", "𝔸x", "x", "X", "-a", "a-", "a'b", "é", "e", "E", "è", "ẞ",
              "ss", "Ss", "ǆ", "dž", "ĳ", "ij", "æ", "ae", "œuvre", "oeuvre", "naïve", "naive",
              "Ÿ", "y", "", "1", "10", "9", "a b", "ab", "a.b", "a,b", "Ёлка", "ёлка", "елка",
              "Ґ", "ґ", "Її", "їжак", "Ўсё", "Łódź", "lodz", "Źle", "žena", "Zena", "ő", "Ő"]
LATIN1_WORDS = ["a_b", "a%b", "A_B", "straße", "strasse", "strase", "Øre", "ore", "öre", "Åsa",
                "asa", "Ära", "ara", "Zeta", "zeta", "y", "ÿ", "Ÿ", "ü", "u", "y", "é", "e", "E",
                "è", "æ", "ae", "Æ", "Ð", "d", "Þ", "th", "ñ", "n", "€", "Š", "s", "-a", "a-",
                "a'b", "", "1", "10", "9", "a b", "ab"]


def representable(w, charsets):
    """`w` without the characters one of `charsets` cannot hold (the server would store '?')."""
    for cs in charsets:
        codec = PY_CODEC.get(cs, "utf-8")
        w = "".join(ch for ch in w if ch.encode(codec, "ignore"))
        if cs in ("utf8mb3", "utf8"):
            w = "".join(ch for ch in w if ord(ch) < 0x10000)
    return w


def rand_text(rng, latin1=False, charsets=()):
    if rng.random() < 0.08:
        return None
    words = LATIN1_WORDS if latin1 else TEXT_WORDS
    w = rng.choice(words)
    r = rng.random()
    if r < 0.2:
        w = w.upper()
    elif r < 0.35:
        w = w.lower()
    if rng.random() < 0.25:
        w += rng.choice(words)
    if rng.random() < 0.2:
        w += " " * rng.randint(1, 2)
    if latin1:
        # what latin1 cannot hold (ẞ upper-cases to itself, Ÿ's lower case) is left out
        w = "".join(ch for ch in w if ch.encode("cp1252", "ignore"))
    return representable(w, charsets)[:20]


def generate_text(rng, cols, n=240, client=None):
    """Rows for t_text; each value only holds characters its column's charset (and the client
    charset, when given) can hold, so neither side sees '?' substitutes."""
    ids = rng.sample(range(1, 5000), n)
    rows = []
    for i in ids:
        row = [i, rand_int(rng, 0, 5)]
        for coll in cols.values():
            cs = [charset_of(coll)] + ([client] if client else [])
            row.append(rand_text(rng, coll.startswith("latin1"), cs))
        rows.append(tuple(row))
    return rows


class QueryError(Exception):
    def __init__(self, message, code=None):
        super().__init__(message)
        self.code = code


class Abort(Exception):
    """The side under test stopped answering; no point in thousands more queries."""


CONNECTION_ERRORS = (2003, 2006, 2013, 2014)
DEADLINE_S = 200  # stop the main phase well before ctest's timeout (420 s with the text phase)
TEXT_DEADLINE_S = 390  # the text phase runs after the main one; ctest allows 420 s


# ---------------------------------------------------------------------------------- targets
class Side:
    """One database to run statements on."""

    def __init__(self, name, connect):
        self.name, self._connect = name, connect
        self.conn = None

    def c(self):
        if self.conn is None or not self.conn.open:
            self.conn = self._connect()
        return self.conn

    def run(self, sql):
        """Returns (column names, rows, rowcount) or raises QueryError."""
        try:
            with self.c().cursor() as cur:
                n = cur.execute(sql)
                names = [d[0] for d in cur.description] if cur.description else None
                self.types = [(d[1], d[3], d[5], d[6]) for d in cur.description] \
                    if cur.description else None
                rows = list(cur.fetchall())
                return names, rows, n
        except pymysql.err.MySQLError as e:
            code = e.args[0] if e.args else None
            if isinstance(e, pymysql.err.OperationalError) and code in CONNECTION_ERRORS:
                try:
                    self.conn.close()
                except Exception:
                    pass
                self.conn = None
            raise QueryError(f"({code if code is not None else '?'}) "
                             f"{e.args[1] if len(e.args) > 1 else e}", code) from None

    def close(self):
        if self.conn is not None:
            try:
                self.conn.close()
            except Exception:
                pass
            self.conn = None


# ---------------------------------------------------------------------------------- data
def rand_str(rng):
    if rng.random() < 0.1:
        return None
    w = rng.choice(WORDS)
    r = rng.random()
    if r < 0.3:
        w = w.upper()
    elif r < 0.5:
        w = w.capitalize()
    elif r < 0.6:
        w = "".join(ch.upper() if rng.random() < 0.5 else ch for ch in w)
    if rng.random() < 0.25:
        w += " " * rng.randint(1, 2)
    if rng.random() < 0.03:
        w = rng.choice(["", " "])
    return w


def rand_int(rng, lo, hi, null=0.1):
    return None if rng.random() < null else rng.randint(lo, hi)


def rand_dec(rng):
    return None if rng.random() < 0.1 else D(rng.randint(-99999, 99999)) / 100


def rand_date(rng):
    if rng.random() < 0.1:
        return None
    return datetime.date(2020, 1, 1) + datetime.timedelta(days=rng.randint(0, 1500))


def lit(v):
    if v is None:
        return "NULL"
    if isinstance(v, str):
        return "'" + v.replace("\\", "\\\\").replace("'", "''") + "'"
    if isinstance(v, datetime.date):
        return f"'{v.isoformat()}'"
    return str(v)


def generate_data(rng):
    data = {}
    hash_ids = rng.sample(range(-300, 1200), 300)
    data["t_hash"] = [(i, rand_int(rng, -50, 50), rand_int(rng, 0, 7), rand_str(rng),
                       rand_dec(rng), rand_date(rng)) for i in hash_ids]
    data["t_mod"] = [(i, rng.randint(0, 60), rand_int(rng, -50, 50), rand_int(rng, 0, 7),
                      rand_str(rng), rand_dec(rng), rand_date(rng))
                     for i in rng.sample(range(1, 2000), 250)]
    data["t_range"] = [(i, rand_int(rng, -50, 50), rand_int(rng, 0, 7), rand_str(rng),
                        rand_dec(rng), rand_date(rng)) for i in rng.sample(range(0, 400), 250)]
    data["t_child"] = [(cid, rng.choice(hash_ids) if rng.random() < 0.85
                        else rng.randint(-300, 1200), rand_int(rng, -20, 20), rand_str(rng))
                       for cid in range(1, 301)]
    glob_ids = set(rng.sample(hash_ids, 40)) | set(rng.sample(range(-300, 1200), 40))
    data["t_glob"] = [(i, rand_int(rng, 0, 9), rand_str(rng)) for i in sorted(glob_ids)]
    return data


# ---------------------------------------------------------------------------------- queries
class Q:
    def __init__(self, category, sql, ordered=False, ci=(), kind="select", factor=1, coll=None,
                 types=False, exact=False, tol=(), shape=None):
        self.category, self.sql, self.ordered, self.ci = category, sql, ordered, set(ci)
        # window category: the shape a statement was generated as, tallied with its plan
        self.shape = shape
        # compare DECIMALs by their text (scale included: 1.50 is not 1.5)
        self.exact = exact
        # columns of doubles computed from STDDEV/VARIANCE partials: compared to 12 significant
        # digits (the server accumulates them in double in row order, Tessera exactly from
        # per-shard sums, so a shortest-form double may differ in its last digits; columns shown
        # with fixed decimals are compared exactly like the others)
        self.tol = set(tol)
        # compare the result's column types too (type code, length, decimals, nullability)
        self.types = types
        # column index -> collation: values compared by their weights under it (text phase)
        self.coll = coll or {}
        self.kind = kind        # select | dml
        self.factor = factor    # dml: expected rowcount ratio (global table writes count 3x)


class Gen:
    def __init__(self, rng, data, global_factor):
        self.rng = rng
        self.global_factor = global_factor
        self.ids = {t: set(r[0] for r in rows) for t, rows in data.items()}
        self.next_cid = max(self.ids["t_child"]) + 1

    # --- values
    def key_value(self, t):
        rng = self.rng
        if t == "t_mod":
            return rng.randint(-2, 62)
        if t == "t_range":
            return rng.randint(0, 399)
        if t == "t_child" or t == "t_hash":
            pool = self.ids["t_hash"]
        else:
            pool = self.ids[t]
        if pool and rng.random() < 0.75:
            return rng.choice(sorted(pool))
        return rng.randint(-320, 1220)

    def col_value(self, t, col):
        rng = self.rng
        if col in ("id", "k", "cid"):
            return self.key_value(t) if col == SCHEMA[t][1] else (
                rng.choice(sorted(self.ids[t])) if col == SCHEMA[t][2] and self.ids[t]
                else rng.randint(-300, 1500))
        if col == "a":
            return rng.randint(-50, 50)
        if col in ("b",):
            return rng.randint(0, 7)
        if col == "c":
            return rng.randint(-20, 20)
        if col == "g":
            return rng.randint(0, 9)
        if col in ("s", "name"):
            v = rand_str(rng)
            return v if v is not None else "alpha"
        if col == "d":
            return D(rng.randint(-99999, 99999)) / 100
        if col == "dt":
            return rand_date(rng) or datetime.date(2021, 6, 1)
        raise ValueError(col)

    # --- predicates
    def key_atom(self, t, p=""):
        rng, key = self.rng, SCHEMA[t][1]
        k = p + key
        r = rng.random()
        v = self.key_value(t)
        if r < 0.35:
            return f"{k} = {v}"
        if r < 0.55:
            vs = sorted({self.key_value(t) for _ in range(rng.randint(1, 6))})
            return f"{k} IN ({', '.join(map(str, vs))})"
        if r < 0.7:
            span = rng.choice([3, 20, 120, 400])
            return f"{k} BETWEEN {v} AND {v + rng.randint(0, span)}"
        if r < 0.8:
            return f"{k} {rng.choice(['<', '<=', '>', '>='])} {v}"
        if r < 0.9:
            return f"({k} = {v} OR {k} = {self.key_value(t)})"
        if r < 0.95:
            return f"{k} <> {v}"
        return f"{k} NOT IN ({v}, {self.key_value(t)})"

    def other_atom(self, t, p=""):
        rng = self.rng
        cols = [c for c in COLUMNS[t] if c != SCHEMA[t][1]]
        col = rng.choice(cols)
        v = self.col_value(t, col)
        r = rng.random()
        if col in ("s", "name"):
            if r < 0.4:
                return f"{p}{col} = {lit(v)}"
            if r < 0.6:
                return f"{p}{col} LIKE {lit(v.strip()[:2] + '%')}"
            if r < 0.8:
                return f"{p}{col} IS {rng.choice(['', 'NOT '])}NULL"
            return f"{p}{col} > {lit(v)}"
        if r < 0.15:
            return f"{p}{col} IS {rng.choice(['', 'NOT '])}NULL"
        if r < 0.35:
            vs = [lit(self.col_value(t, col)) for _ in range(rng.randint(1, 4))]
            return f"{p}{col} IN ({', '.join(vs)})"
        if r < 0.55 and col != "dt":
            return f"{p}{col} BETWEEN {lit(v)} AND {lit(v + abs(self.col_value(t, col)))}"
        return f"{p}{col} {rng.choice(['=', '<', '>', '<=', '>=', '<>'])} {lit(v)}"

    def pred(self, t, p="", key_bias=0.5):
        rng = self.rng
        atoms = []
        for _ in range(rng.choice([1, 1, 1, 2, 2, 3])):
            if SCHEMA[t][1] and rng.random() < key_bias:
                atoms.append(self.key_atom(t, p))
            else:
                atoms.append(self.other_atom(t, p))
        out = atoms[0]
        for a in atoms[1:]:
            out = f"{out} {rng.choice(['AND', 'AND', 'OR'])} {a}"
            if rng.random() < 0.3:
                out = f"({out})"
        return out

    def where(self, t, p="", prob=0.7, key_bias=0.5):
        return f" WHERE {self.pred(t, p, key_bias)}" if self.rng.random() < prob else ""

    def limit(self, prob=0.5):
        rng = self.rng
        if rng.random() >= prob:
            return ""
        n = rng.choice([1, 2, 3, 5, 10, 25, 100])
        r = rng.random()
        if r < 0.5:
            return f" LIMIT {n}"
        off = rng.choice([0, 1, 3, 10, 50, 290])
        return f" LIMIT {n} OFFSET {off}" if r < 0.8 else f" LIMIT {off}, {n}"

    def order_terms(self, cols, unique, prefix=""):
        """ORDER BY over some of `cols`, made total by appending `unique`."""
        rng = self.rng
        terms = []
        for c in rng.sample(cols, rng.randint(0, min(2, len(cols)))):
            if c == unique:
                continue
            terms.append(f"{prefix}{c}{rng.choice(['', ' DESC', ' ASC'])}")
        terms.append(f"{prefix}{unique}{rng.choice(['', ' DESC'])}")
        return ", ".join(terms)

    # --- categories
    def q_filter(self):
        rng = self.rng
        t = rng.choice(SINGLE)
        cols = "*" if rng.random() < 0.4 else ", ".join(
            rng.sample(COLUMNS[t], rng.randint(1, len(COLUMNS[t]))))
        return Q("filter", f"SELECT {cols} FROM {t}{self.where(t, prob=0.9, key_bias=0.6)}")

    def q_order(self):
        rng = self.rng
        t = rng.choice(SINGLE)
        unique = SCHEMA[t][2]
        sel = rng.sample(COLUMNS[t], rng.randint(1, len(COLUMNS[t])))
        extra = ""
        if rng.random() < 0.2 and "a" in COLUMNS[t]:
            extra = ", a * 2 - 1 AS x"
        order = self.order_terms(COLUMNS[t] + (["x"] if extra else []), unique)
        return Q("order_limit", f"SELECT {', '.join(sel)}{extra} FROM {t}"
                                f"{self.where(t, prob=0.5)} ORDER BY {order}{self.limit(0.7)}",
                 ordered=True)

    def agg_exprs(self, t, p=""):
        rng = self.rng
        s = STR_COL[t]
        ints = [c for c in INT_COLS[t]]
        pool = [("COUNT(*)", False), (f"COUNT({p}{rng.choice(COLUMNS[t])})", False)]
        for c in ints:
            pool += [(f"SUM({p}{c})", False), (f"MIN({p}{c})", False), (f"MAX({p}{c})", False),
                     (f"AVG({p}{c})", False), (f"COUNT(DISTINCT {p}{c})", False)]
        if "d" in COLUMNS[t]:
            pool += [(f"SUM({p}d)", False), (f"AVG({p}d)", False), (f"MIN({p}d)", False),
                     (f"MAX({p}d)", False)]
        if "dt" in COLUMNS[t]:
            pool += [(f"MIN({p}dt)", False), (f"MAX({p}dt)", False),
                     (f"COUNT(DISTINCT {p}dt)", False)]
        pool += [(f"MIN({p}{s})", True), (f"MAX({p}{s})", True),
                 (f"COUNT(DISTINCT {p}{s})", False)]
        if rng.random() < 0.2 and len(ints) >= 2:
            pool.append((f"COUNT(DISTINCT {p}{ints[-1]}, {p}{ints[-2]})", False))
        if rng.random() < 0.2:
            pool.append((f"SUM({p}{ints[-1]}) + COUNT(*)", False))
        return rng.sample(pool, rng.randint(1, min(5, len(pool))))

    def q_aggregate(self):
        t = self.rng.choice(SINGLE)
        aggs = self.agg_exprs(t)
        ci = [i for i, (_, isci) in enumerate(aggs) if isci]
        return Q("aggregate", f"SELECT {', '.join(a for a, _ in aggs)} FROM {t}"
                              f"{self.where(t, prob=0.7)}", ci=ci)

    def q_count_distinct(self):
        rng = self.rng
        t = rng.choice(SINGLE)
        c = rng.choice(COLUMNS[t])
        return Q("count_distinct", f"SELECT COUNT(DISTINCT {c}), COUNT(*) FROM {t}"
                                   f"{self.where(t, prob=0.5)}")

    def group_keys(self, t):
        rng = self.rng
        options = [("b", False), ("a", False), (STR_COL[t], True)]
        if "dt" in COLUMNS[t]:
            options += [("dt", False), ("YEAR(dt)", False)]
        if t == "t_mod":
            options.append(("k", False))
        if t == "t_child":
            options.append(("id", False))
        if t == "t_glob":
            options = [("g", False), ("name", True)]
        options = [o for o in options if o[0] in COLUMNS[t] or "(" in o[0]]
        return rng.sample(options, 1 if rng.random() < 0.75 else min(2, len(options)))

    def q_group(self):
        rng = self.rng
        t = rng.choice(SINGLE)
        if rng.random() < 0.08:
            # An aggregate aliased as a column's name: GROUP BY means the column, ORDER BY the
            # alias (the shards' sort for the merge must follow the column).
            c = rng.choice([x for x in INT_COLS[t] if x != SCHEMA[t][2]] or INT_COLS[t])
            return Q("group_by", f"SELECT {c} AS gk, COUNT(*) AS {c} FROM {t}"
                                 f"{self.where(t, prob=0.4)} GROUP BY {c}")
        keys = self.group_keys(t)
        aggs = self.agg_exprs(t)
        sel = [k for k, _ in keys] + [a for a, _ in aggs]
        ci = [i for i, (_, isci) in enumerate(keys) if isci]
        ci += [len(keys) + i for i, (_, isci) in enumerate(aggs) if isci]
        sql = f"SELECT {', '.join(sel)} FROM {t}{self.where(t, prob=0.5)} " \
              f"GROUP BY {', '.join(k for k, _ in keys)}"
        if rng.random() < 0.4:
            h = rng.choice(["COUNT(*) > 1", "COUNT(*) >= 3", f"SUM({INT_COLS[t][-1]}) > 0",
                            f"MAX({INT_COLS[t][0]}) < 500", f"MIN({STR_COL[t]}) > 'c'",
                            "COUNT(*) < 40 AND COUNT(*) > 2"])
            sql += f" HAVING {h}"
        ordered = False
        if rng.random() < 0.5:
            ordered = True
            terms = [f"{k}{rng.choice(['', ' DESC'])}" for k, _ in keys]
            if rng.random() < 0.35:
                terms.insert(0, f"COUNT(*){rng.choice(['', ' DESC'])}")
            sql += " ORDER BY " + ", ".join(terms) + self.limit(0.5)
        return Q("group_by", sql, ordered=ordered, ci=ci)

    def q_distinct(self):
        rng = self.rng
        t = rng.choice(SINGLE)
        opts = [c for c in COLUMNS[t] if c != SCHEMA[t][2]]
        cols = rng.sample(opts, rng.randint(1, min(2, len(opts))))
        ci = [i for i, c in enumerate(cols) if c == STR_COL[t]]
        sql = f"SELECT DISTINCT {', '.join(cols)} FROM {t}{self.where(t, prob=0.5)}"
        ordered = rng.random() < 0.5
        if ordered:
            sql += " ORDER BY " + ", ".join(f"{c}{rng.choice(['', ' DESC'])}" for c in cols)
            sql += self.limit(0.6)
        return Q("distinct", sql, ordered=ordered, ci=ci)

    def q_group_concat(self):
        rng = self.rng
        t = rng.choice(["t_hash", "t_mod", "t_range", "t_child"])
        u = SCHEMA[t][2]
        s = STR_COL[t]
        expr = rng.choice([
            f"GROUP_CONCAT({u} ORDER BY {u})",
            f"GROUP_CONCAT({u} ORDER BY {u} DESC SEPARATOR '|')",
            f"GROUP_CONCAT({s} ORDER BY {s}, {u} SEPARATOR '|')",
            f"GROUP_CONCAT(DISTINCT {INT_COLS[t][-1]} ORDER BY {INT_COLS[t][-1]})",
            f"GROUP_CONCAT({u}, ':', IFNULL({s}, '-') ORDER BY {u})",
        ])
        if rng.random() < 0.6:
            key = rng.choice([k for k in ("b", "c", "k") if k in COLUMNS[t]])
            sql = f"SELECT {key}, {expr}, COUNT(*) FROM {t}{self.where(t, prob=0.4)} GROUP BY {key}"
            ordered = rng.random() < 0.5
            if ordered:
                sql += f" ORDER BY {key}"
            return Q("group_concat", sql, ordered=ordered)
        return Q("group_concat", f"SELECT {expr} FROM {t} WHERE {self.pred(t, key_bias=0.8)}")

    def q_join_glob(self):
        rng = self.rng
        t = rng.choice(["t_hash", "t_hash", "t_mod", "t_range"])
        join = rng.choice(["JOIN", "JOIN", "LEFT JOIN"])
        on = rng.choice(["x.id = g.id", "g.id = x.id"])
        wh = ""
        if rng.random() < 0.7:
            wh = " WHERE " + (self.pred(t, "x.") if rng.random() < 0.7 else
                              self.pred("t_glob", "g."))
            if join == "LEFT JOIN" and "g." in wh:
                wh = " WHERE " + self.pred(t, "x.")
        base = f"FROM {t} x {join} t_glob g ON {on}{wh}"
        r = rng.random()
        if r < 0.45:
            sql = f"SELECT x.id, x.a, g.g, g.name {base}"
            return Q("join_global", sql)
        if r < 0.75:
            sql = f"SELECT x.id, x.s, g.name, g.g {base} ORDER BY " \
                  f"{self.order_terms(['x.a', 'g.g', 'x.d'], 'x.id')}{self.limit(0.6)}"
            return Q("join_global", sql, ordered=True)
        key = rng.choice(["g.g", "x.b"])
        sql = f"SELECT {key}, COUNT(*), SUM(x.a), MAX(x.d) {base} GROUP BY {key}"
        ordered = rng.random() < 0.5
        if ordered:
            sql += f" ORDER BY {key}{self.limit(0.4)}"
        return Q("join_global", sql, ordered=ordered)

    def q_join_child(self):
        rng = self.rng
        join = rng.choice(["JOIN", "JOIN", "LEFT JOIN"])
        left = rng.random() < 0.8  # t_hash on the left (else t_child LEFT JOIN t_hash)
        frm = (f"FROM t_hash h {join} t_child c ON h.id = c.id" if left else
               f"FROM t_child c {join} t_hash h ON c.id = h.id")
        if rng.random() < 0.2:
            frm += " JOIN t_glob g ON g.id = " + ("h.id" if left or join == "JOIN" else "c.id")
        wh = ""
        if rng.random() < 0.7:
            side = "h." if (left or join == "JOIN") else "c."
            wh = " WHERE " + (self.pred("t_hash", side) if side == "h." else
                              self.pred("t_child", side))
        r = rng.random()
        if r < 0.4:
            return Q("join_child", f"SELECT h.id, h.b, c.cid, c.c, c.s {frm}{wh}")
        if r < 0.7:
            uniq = "c.cid" if (join == "JOIN" or not left) else None
            order = (self.order_terms(["h.a", "c.c", "h.s"], uniq) if uniq else
                     f"h.id{rng.choice(['', ' DESC'])}, c.cid{rng.choice(['', ' DESC'])}")
            return Q("join_child", f"SELECT h.id, h.a, c.cid, c.c {frm}{wh} ORDER BY {order}"
                                   f"{self.limit(0.6)}", ordered=True)
        key = rng.choice(["h.b", "c.c", "h.id"])
        sql = f"SELECT {key}, COUNT(*), COUNT(c.cid), SUM(c.c), MIN(h.d) {frm}{wh} GROUP BY {key}"
        ordered = rng.random() < 0.5
        if ordered:
            sql += f" ORDER BY {key}{rng.choice(['', ' DESC'])}{self.limit(0.4)}"
        return Q("join_child", sql, ordered=ordered)

    def q_cross_join(self):
        """Half of the cross-shard joins (by the text's CRC, so the seed's stream is the same)
        carry `/*+ HASH_JOIN */`: where the shape allows, Tessera reads both tables and joins
        them itself (exec/engine/hash_join_read.h); MariaDB reads the hint as a comment."""
        q = self.q_cross_join_as_written()
        if zlib.crc32(q.sql.encode()) % 2 == 0:
            q.sql = q.sql.replace("SELECT ", "SELECT /*+ HASH_JOIN */ ", 1)
        return q

    def q_cross_join_as_written(self):
        """Joins of tables not placed alike (issue 19: exec/engine/lookup_join.h): different
        rules, a self-join off the key, conditions off the keys; inner, LEFT and comma joins,
        with conditions on either side or both, ORDER BY ... LIMIT, GROUP BY, DISTINCT,
        aggregates, expressions over both sides and SELECT *."""
        rng = self.rng
        x, y = rng.choice([("t_hash", "t_mod"), ("t_mod", "t_range"), ("t_range", "t_hash"),
                           ("t_child", "t_mod"), ("t_hash", "t_hash"), ("t_mod", "t_mod"),
                           ("t_hash", "t_child"), ("t_glob", "t_mod"), ("t_mod", "t_glob")])
        xi, yi = ("t_glob" in (x, y)) and ("g", "g") or ("a", "a"), None
        def common(col_kind):
            cx = [c for c in COLUMNS[x] if c in col_kind]
            cy = [c for c in COLUMNS[y] if c in col_kind]
            return cx, cy
        ints_x = [c for c in INT_COLS[x] if c not in ("id", "cid", "k")] or INT_COLS[x]
        ints_y = [c for c in INT_COLS[y] if c not in ("id", "cid", "k")] or INT_COLS[y]
        r = rng.random()
        if r < 0.45:
            on = f"p.{rng.choice(ints_x)} = q.{rng.choice(ints_y)}"
        elif r < 0.6 and "s" in COLUMNS[x] and "s" in COLUMNS[y]:
            on = "p.s = q.s"
        elif r < 0.7 and "dt" in COLUMNS[x] and "dt" in COLUMNS[y]:
            on = "p.dt = q.dt"
        elif r < 0.8:
            on = f"p.{rng.choice(ints_x)} = q.{rng.choice(ints_y)} AND " \
                 f"p.{rng.choice(INT_COLS[x])} < q.{rng.choice(INT_COLS[y])}"
        else:
            on = f"q.{SCHEMA[y][2]} = p.{rng.choice(INT_COLS[x])}"
        join = rng.choice(["JOIN", "JOIN", "LEFT JOIN", ","])
        frm = f"FROM {x} p , {y} q" if join == "," else f"FROM {x} p {join} {y} q ON {on}"
        third = join == "JOIN" and y != "t_glob" and rng.random() < 0.25
        if third:
            # A third table placed with the second (a global copy beside every shard).
            frm += f" JOIN t_glob g3 ON g3.g = q.{rng.choice(ints_y)}"
        conds = []
        if join == ",":
            conds.append(on)
        if rng.random() < 0.8:
            # Mostly selective on the driving side, so the results stay small.
            conds.append(self.pred(x, "p.", key_bias=0.8))
        if rng.random() < 0.3 and join != "LEFT JOIN":
            conds.append(self.pred(y, "q."))
        elif rng.random() < 0.15 and join == "LEFT JOIN":
            conds.append(f"q.{SCHEMA[y][2]} IS NULL")
        wh = (" WHERE " + " AND ".join(f"({c})" for c in conds)) if conds else ""
        ux, uy = f"p.{SCHEMA[x][2]}", f"q.{SCHEMA[y][2]}"
        sx = "s" if "s" in COLUMNS[x] else "name"
        sy = "s" if "s" in COLUMNS[y] else "name"
        r = rng.random()
        if r < 0.25:
            cols = [ux, uy] + rng.sample([f"p.{c}" for c in COLUMNS[x]] +
                                         [f"q.{c}" for c in COLUMNS[y]], 2)
            return Q("cross_join", types=True, sql=f"SELECT {', '.join(cols)} {frm}{wh}")
        if r < 0.45:
            sel = f"{ux}, {uy}, p.{sx}, q.{sy}, p.{INT_COLS[x][-1]} + q.{INT_COLS[y][-1]}"
            if rng.random() < 0.3:
                sel = "*"
            order = f"{ux}{rng.choice(['', ' DESC'])}, {uy}{rng.choice(['', ' DESC'])}"
            if third:
                order += ", g3.id"
            return Q("cross_join", types=True, sql=f"SELECT {sel} {frm}{wh} ORDER BY {order}{self.limit(0.7)}",
                     ordered=True)
        if r < 0.7:
            key = rng.choice([f"p.{rng.choice(ints_x)}", f"q.{rng.choice(ints_y)}"])
            sql = f"SELECT {key}, COUNT(*), COUNT({uy}), SUM(q.{INT_COLS[y][-1]}), " \
                  f"MAX(p.{INT_COLS[x][0]}) {frm}{wh} GROUP BY {key}"
            ordered = rng.random() < 0.5
            if ordered:
                sql += f" ORDER BY {key}{rng.choice(['', ' DESC'])}{self.limit(0.4)}"
            return Q("cross_join", types=True, sql=sql, ordered=ordered)
        if r < 0.85:
            return Q("cross_join", types=True, sql=f"SELECT COUNT(*), SUM(p.{INT_COLS[x][-1]}), "
                                   f"MIN(q.{INT_COLS[y][0]}), AVG(q.{INT_COLS[y][-1]}) {frm}{wh}")
        if rng.random() < 0.3:
            # `*` de-duplicated or ordered by position: each table's columns from the catalog
            star = rng.choice(["*", "p.*, q.*", "q.*, p.*", f"*, {ux}"])
            if rng.random() < 0.5:
                return Q("cross_join", types=True, sql=f"SELECT DISTINCT {star} {frm}{wh}")
            # (compared as multisets: ties past the positions leave the order open)
            return Q("cross_join", types=True, sql=f"SELECT {star} {frm}{wh} ORDER BY 1, 2, 3")
        cols = [f"p.{rng.choice(ints_x)}", f"q.{rng.choice(ints_y)}"]
        return Q("cross_join", types=True, sql=f"SELECT DISTINCT {', '.join(cols)} {frm}{wh}")

    def q_subquery(self):
        """Uncorrelated subqueries and derived tables over sharded tables (issue 19: run first,
        their whole result shipped as a CTE into the statement): IN / NOT IN (with NULLs),
        EXISTS, scalar subqueries in WHERE and the select list, derived tables alone and joined
        with a sharded table, with GROUP BY, aggregates, ORDER BY and LIMIT inside."""
        rng = self.rng
        x = rng.choice(["t_hash", "t_mod", "t_range", "t_child", "t_glob"])
        y = rng.choice(["t_hash", "t_mod", "t_range", "t_child"])
        ux = SCHEMA[x][2]
        ix = [c for c in INT_COLS[x] if c != ux] or INT_COLS[x]
        iy = INT_COLS[y]
        wy = self.where(y, prob=0.6)
        r = rng.random()
        wx = self.pred(x, key_bias=0.6) if rng.random() < 0.5 else None
        def where(cond):
            return f" WHERE {cond}" + (f" AND ({wx})" if wx else "")
        if r < 0.3:
            neg = rng.choice(["", "", "NOT "])
            inner = f"SELECT {rng.choice(iy)} FROM {y}{wy}"
            if rng.random() < 0.3:
                inner = f"SELECT MAX({rng.choice(iy)}) FROM {y}{wy} GROUP BY {rng.choice(iy)}"
            sql = f"SELECT {ux}, {rng.choice(ix)} FROM {x}" + \
                  where(f"{rng.choice(ix)} {neg}IN ({inner})")
            return Q("subquery", types=True, sql=sql + f" ORDER BY {ux} LIMIT 50", ordered=True)
        if r < 0.45:
            neg = rng.choice(["", "NOT "])
            sql = f"SELECT COUNT(*), SUM({rng.choice(ix)}) FROM {x}" + \
                  where(f"{neg}EXISTS (SELECT 1 FROM {y}{self.where(y, prob=0.9)})")
            return Q("subquery", types=True, sql=sql)
        if r < 0.6:
            agg = rng.choice(["AVG", "MIN", "MAX", "SUM", "COUNT"])
            op = rng.choice(["<", ">", "=", ">="])
            sql = f"SELECT {ux}, {rng.choice(ix)} FROM {x}" + \
                  where(f"{rng.choice(ix)} {op} (SELECT {agg}({rng.choice(iy)}) FROM {y}{wy})")
            return Q("subquery", types=True, sql=sql + f" ORDER BY {ux} LIMIT 20", ordered=True)
        if r < 0.7:
            sql = f"SELECT {ux}, (SELECT MAX({rng.choice(iy)}) FROM {y}{wy}) AS m FROM {x}" + \
                  (f" WHERE {wx}" if wx else "")
            return Q("subquery", types=True, sql=sql + f" ORDER BY {ux} LIMIT 10", ordered=True)
        k = rng.choice([c for c in iy if c not in ("id", "cid")] or iy)
        # (aliases no table has as a column: GROUP BY resolves a name to a column first)
        derived = f"(SELECT {k} AS gk, COUNT(*) AS cnt, SUM({iy[0]}) AS tot FROM {y}{wy} " \
                  f"GROUP BY {k})"
        if r < 0.85:
            sql = f"SELECT d.gk, d.cnt, d.tot FROM {derived} AS d WHERE d.cnt > {rng.randint(0, 3)}"
            return Q("subquery", types=True, sql=sql + " ORDER BY d.gk", ordered=True)
        sql = f"SELECT p.{ux}, d.cnt FROM {x} p JOIN {derived} d ON d.gk = p.{rng.choice(ix)}" + \
              (f" WHERE {self.key_atom(x, 'p.') if SCHEMA[x][1] else self.other_atom(x, 'p.')}"
               if rng.random() < 0.6 else "")
        return Q("subquery", types=True, sql=sql)

    def q_multi_subquery(self):
        """Several uncorrelated cross-shard subqueries in one statement (issue 19: each run
        first and shipped under its own CTE, `__tj`, `__tj2`, ...): 2-3 of mixed kinds (scalar
        in the select list and HAVING, IN / NOT IN with NULLs, EXISTS / NOT EXISTS, a derived
        table joined, IN in an ON condition, an IN nested in another IN over tables of other
        rules) over tables of different rules."""
        rng = self.rng
        x = rng.choice(["t_hash", "t_mod", "t_range", "t_child", "t_glob"])
        ux = SCHEMA[x][2]
        ix = [c for c in INT_COLS[x] if c != ux] or INT_COLS[x]
        sharded = ["t_hash", "t_mod", "t_range", "t_child"]

        def sub(kind, alias):
            y = rng.choice(sharded)
            iy = INT_COLS[y]
            wy = self.where(y, f"{alias}.", prob=0.6)
            c = rng.choice(iy)
            if kind == "scalar":
                agg = rng.choice(["MAX", "MIN", "SUM", "COUNT", "AVG"])
                return f"(SELECT {agg}({alias}.{c}) FROM {y} {alias}{wy})"
            if kind == "in":
                inner = f"SELECT {alias}.{c} FROM {y} {alias}{wy}"
                if rng.random() < 0.25:
                    # nested: an IN over a third table inside it
                    z = rng.choice(sharded)
                    inner += (" AND " if wy else " WHERE ") + \
                        f"{alias}.{rng.choice(iy)} IN (SELECT {alias}z.{rng.choice(INT_COLS[z])} " \
                        f"FROM {z} {alias}z{self.where(z, f'{alias}z.', prob=0.5)})"
                return f"{rng.choice(ix)} {rng.choice(['', '', 'NOT '])}IN ({inner})"
            return f"{rng.choice(['', 'NOT '])}EXISTS (SELECT 1 FROM {y} {alias}" \
                   f"{self.where(y, f'{alias}.', prob=0.9)})"

        n = rng.choice([2, 2, 3])
        r = rng.random()
        if r < 0.55:
            kinds = [rng.choice(["scalar", "in", "in", "exists"]) for _ in range(n)]
            items = [ux, rng.choice(ix)]
            conds = []
            for i, k in enumerate(kinds):
                text = sub(k, f"q{i}")
                if k == "scalar" and rng.random() < 0.6:
                    items.append(f"{text} AS m{i}")
                elif k == "scalar":
                    conds.append(f"{rng.choice(ix)} {rng.choice(['<', '>', '>='])} {text}")
                else:
                    conds.append(text)
            if rng.random() < 0.4:
                conds.append(self.pred(x, key_bias=0.6))
            sql = f"SELECT {', '.join(items)} FROM {x}"
            if conds:
                sql += " WHERE " + f" {rng.choice(['AND', 'AND', 'OR'])} ".join(conds)
            return Q("multi_subquery", types=True, sql=sql + f" ORDER BY {ux} LIMIT 30",
                     ordered=True)
        if r < 0.75:
            # grouped, a scalar subquery in HAVING and one in the select list
            g = rng.choice(ix)
            sql = f"SELECT {g}, COUNT(*) AS n, {sub('scalar', 'q0')} AS m FROM {x}" + \
                  f" WHERE {sub(rng.choice(['in', 'exists']), 'q1')} GROUP BY {g}" + \
                  f" HAVING COUNT(*) {rng.choice(['<=', '>='])} {sub('scalar', 'q2')} / 50"
            return Q("multi_subquery", types=True, sql=sql + f" ORDER BY {g}", ordered=True)
        # a derived table joined, IN in the ON condition or WHERE
        y = rng.choice(sharded)
        iy = INT_COLS[y]
        k = rng.choice([c for c in iy if c not in ("id", "cid")] or iy)
        derived = f"(SELECT {k} AS gk, COUNT(*) AS cnt FROM {y}{self.where(y, prob=0.5)} " \
                  f"GROUP BY {k})"
        on = f"d.gk = p.{rng.choice(ix)}"
        extra = sub(rng.choice(["in", "exists"]), "q1")
        if rng.random() < 0.5:
            on += f" AND p.{rng.choice(ix)} IN (SELECT q2.{rng.choice(INT_COLS['t_hash'])} " \
                  f"FROM t_hash q2{self.where('t_hash', 'q2.', prob=0.6)})"
        sql = f"SELECT p.{ux}, d.cnt, {sub('scalar', 'q0')} AS m FROM {x} p " \
              f"{rng.choice(['JOIN', 'LEFT JOIN'])} {derived} d ON {on}"
        if rng.random() < 0.7:
            sql += f" WHERE {extra}"
        return Q("multi_subquery", types=True, sql=sql + f" ORDER BY p.{ux}, d.cnt", ordered=True)

    def q_correlated(self):
        """Correlated subqueries (issue 19). Over tables placed alike, correlated on the shard
        key (t_child is linked to t_hash by id; a table with itself): any form runs per shard
        (EXISTS, NOT EXISTS, scalar in the select list and WHERE, IN, under OR). Over tables
        placed differently, correlated by equalities: EXISTS as a semi-join, NOT EXISTS as an
        anti-join, a correlated IN as a row IN, a scalar aggregate as a grouped derived table
        LEFT JOINed (router/planner/decorrelate.h)."""
        rng = self.rng
        r = rng.random()
        if r < 0.45:
            x, y = rng.choice([("t_hash", "t_child"), ("t_child", "t_hash"), ("t_hash", "t_hash"),
                               ("t_child", "t_child"), ("t_mod", "t_mod"), ("t_range", "t_range")])
            kx, ky = SCHEMA[x][1], SCHEMA[y][1]
            corr = f"q.{ky} = p.{kx}" if rng.random() < 0.8 else f"p.{kx} = q.{ky}"
        else:
            x = rng.choice(["t_hash", "t_mod", "t_range", "t_child", "t_glob"])
            y = rng.choice([t for t in ["t_hash", "t_mod", "t_range", "t_child"] if t != x])
            if rng.random() < 0.2 and x != "t_glob" and y != "t_glob":
                corr = f"q.{STR_COL[y]} = p.{STR_COL[x]}"
            else:
                corr = f"q.{rng.choice(INT_COLS[y])} = p.{rng.choice(INT_COLS[x])}"
                if rng.random() < 0.25:
                    corr += f" AND p.{rng.choice(INT_COLS[x])} = q.{rng.choice(INT_COLS[y])}"
        ux = SCHEMA[x][2]
        ix, iy = INT_COLS[x], INT_COLS[y]
        inner_where = corr
        if rng.random() < 0.5:
            inner_where += f" AND ({self.pred(y, 'q.', key_bias=0.3)})"
        outer_pred = f" AND ({self.pred(x, 'p.', key_bias=0.5)})" if rng.random() < 0.4 else ""
        form = rng.random()
        if form < 0.35:
            neg = rng.choice(["", "NOT "])
            sql = f"SELECT COUNT(*), SUM(p.{rng.choice(ix)}) FROM {x} p WHERE {neg}EXISTS " \
                  f"(SELECT 1 FROM {y} q WHERE {inner_where}){outer_pred}"
            return Q("correlated", types=True, sql=sql)
        if form < 0.6:
            neg = rng.choice(["", "NOT "])
            sql = f"SELECT p.{ux}, p.{rng.choice(ix)} FROM {x} p WHERE {neg}EXISTS " \
                  f"(SELECT * FROM {y} q WHERE {inner_where}){outer_pred} ORDER BY p.{ux} LIMIT 40"
            return Q("correlated", types=True, sql=sql, ordered=True)
        if form < 0.75:
            sql = f"SELECT p.{ux} FROM {x} p WHERE p.{rng.choice(ix)} IN " \
                  f"(SELECT q.{rng.choice(iy)} FROM {y} q WHERE {inner_where}){outer_pred} " \
                  f"ORDER BY p.{ux} LIMIT 40"
            return Q("correlated", types=True, sql=sql, ordered=True)
        agg = rng.choice(["MAX", "MIN", "SUM", "COUNT"])
        sub = f"(SELECT {agg}(q.{rng.choice(iy)}) FROM {y} q WHERE {inner_where})"
        if form < 0.9:
            sql = f"SELECT p.{ux}, {sub} AS m FROM {x} p" + \
                  (f" WHERE {self.pred(x, 'p.')}" if rng.random() < 0.5 else "") + \
                  f" ORDER BY p.{ux} LIMIT 30"
            return Q("correlated", types=True, sql=sql, ordered=True)
        sql = f"SELECT COUNT(*) FROM {x} p WHERE p.{rng.choice(ix)} {rng.choice(['<', '>=', '='])} " \
              f"{sub} OR p.{rng.choice(ix)} IS NULL"
        return Q("correlated", types=True, sql=sql)

    def q_item_names(self):
        """Column names (issue 19's exact answers; the server names an unaliased expression by
        its text as written): items spaced and cased as people type them, with subqueries
        naming sharded tables, through a route, a scatter merge and a shipped subquery."""
        rng = self.rng
        x = rng.choice(["t_hash", "t_mod", "t_range", "t_child"])
        y = rng.choice(["t_hash", "t_mod", "t_range", "t_child", "t_glob"])
        ux = SCHEMA[x][2]
        c = rng.choice([i for i in INT_COLS[x] if i != ux] or INT_COLS[x])
        pool = [f"{c}+1", f"{c}  *  2", f"IFNULL({c},0)", f"ifnull( {c} , -1 )", f"{ux}-{c}",
                f"CONCAT({STR_COL[x]},'x')", f"{c} IS NULL", f"({c}+{ux})",
                f"(SELECT COUNT(*) FROM {y})", f"(select max({INT_COLS[y][0]}) from {y} q "
                f"where q.{INT_COLS[y][0]} < 5)"]
        items = rng.sample(pool, rng.randint(1, 3))
        shape = rng.random()
        if shape < 0.4:
            sql = f"SELECT {ux}, {', '.join(items)} FROM {x} WHERE {self.key_atom(x)} " \
                  f"ORDER BY {ux} LIMIT 5"
        elif shape < 0.8:
            sql = f"SELECT {ux}, {', '.join(items)} FROM {x} ORDER BY {ux} LIMIT 5"
        else:
            aggs = rng.sample([f"count(*)", f"avg({c})", f"sum({c})+1", f"MAX({c}) - MIN({c})"],
                              2)
            sql = f"SELECT {', '.join(aggs)} FROM {x}{self.where(x, prob=0.5)}"
            return Q("item_names", types=True, sql=sql)
        return Q("item_names", types=True, sql=sql, ordered=True)

    def q_cte(self):
        """Non-recursive WITH over sharded tables (issue 19: written as derived tables, which
        run first and ship their rows): a CTE read alone or joined with a sharded table, with a
        column list, and an aggregate over a CTE; two CTEs the second reading the first, a CTE
        read in an IN subquery, a CTE read twice (a derived table nested in another or in a
        subquery runs first; the same one twice runs once); WITH RECURSIVE over one table."""
        rng = self.rng
        x = rng.choice(["t_hash", "t_mod", "t_range", "t_child", "t_glob"])
        y = rng.choice(["t_hash", "t_mod", "t_range", "t_child"])
        ux = SCHEMA[x][2]
        ix = [c for c in INT_COLS[x] if c != ux] or INT_COLS[x]
        iy = INT_COLS[y]
        wy = self.where(y, prob=0.6)
        k = rng.choice([c for c in iy if c not in ("id", "cid")] or iy)
        grouped = f"SELECT {k} AS gk, COUNT(*) AS cnt, SUM({iy[0]}) AS tot FROM {y}{wy} GROUP BY {k}"
        r = rng.random()
        if r < 0.3:
            sql = f"WITH c AS ({grouped}) SELECT c.gk, c.cnt, c.tot FROM c " \
                  f"WHERE c.cnt > {rng.randint(0, 3)} ORDER BY c.gk"
            return Q("cte", types=True, sql=sql, ordered=True)
        if r < 0.6:
            sql = f"WITH c (gk, cnt) AS (SELECT {k}, COUNT(*) FROM {y}{wy} GROUP BY {k}) " \
                  f"SELECT p.{ux}, c.cnt FROM {x} p JOIN c ON c.gk = p.{rng.choice(ix)}"
            if rng.random() < 0.5:
                sql += f" ORDER BY p.{ux} LIMIT 30"
                return Q("cte", types=True, sql=sql, ordered=True)
            return Q("cte", types=True, sql=sql)
        if r < 0.85:
            sql = f"WITH c AS (SELECT {rng.choice(iy)} AS m, {iy[0]} AS w FROM {y}{wy}) " \
                  f"SELECT COUNT(*), SUM(m), MIN(w), MAX(w) FROM c"
            return Q("cte", types=True, sql=sql)
        if r < 0.9:
            sql = f"WITH a AS (SELECT {ux} AS u, {rng.choice(ix)} AS v FROM {x}" \
                  f"{self.where(x, prob=0.5)}), b AS (SELECT v, COUNT(*) AS n FROM a GROUP BY v) " \
                  f"SELECT v, n FROM b ORDER BY v"
            return Q("cte", types=True, sql=sql, ordered=True)
        if r < 0.95:
            neg = rng.choice(["", "NOT "])
            sql = f"WITH c AS (SELECT {rng.choice(iy)} AS m FROM {y}{wy}) " \
                  f"SELECT {ux}, {rng.choice(ix)} FROM {x} WHERE {rng.choice(ix)} {neg}IN " \
                  f"(SELECT m FROM c WHERE m IS NOT NULL) ORDER BY {ux} LIMIT 40"
            return Q("cte", types=True, sql=sql, ordered=True)
        if r < 0.97:
            sql = f"WITH c AS ({grouped}) SELECT c1.gk, c1.cnt, c2.tot FROM c c1 JOIN c c2 " \
                  f"ON c2.gk = c1.gk ORDER BY c1.gk"
            return Q("cte", types=True, sql=sql, ordered=True)
        # WITH RECURSIVE over one sharded table: edges a -> b walked from some rows (the table
        # shipped to one server, which iterates)
        a, b = rng.sample([c for c in iy if c not in ("id", "cid")] or iy, 2) \
            if len([c for c in iy if c not in ("id", "cid")]) >= 2 else (iy[0], iy[-1])
        union = rng.choice(["UNION", "UNION ALL"])
        sql = f"WITH RECURSIVE r (v, d) AS (SELECT {a}, 0 FROM {y}{wy} {union} " \
              f"SELECT t.{b}, r.d + 1 FROM {y} t JOIN r ON t.{a} = r.v WHERE r.d < " \
              f"{rng.randint(1, 3)}) SELECT v, MIN(d), COUNT(*) FROM r GROUP BY v ORDER BY v"
        return Q("cte", types=True, sql=sql, ordered=True)

    def q_recursive(self):
        """WITH RECURSIVE over one sharded table, walked across the shards (the anchor, then
        the step over each new CTE row) so that only the rows the recursion reads are shipped
        to the server that answers (exec/engine/recursive_walk.h): integer edges with UNION
        (cycles) and UNION ALL (depth-bounded), a constant anchor, a path string built in the
        step, a walk joined on the string column under its _ci collation, a DECIMAL walk,
        comma joins, and final queries with aggregates, DISTINCT, ORDER BY/LIMIT, the CTE read
        twice; and the table read again outside the CTE (shipped whole: the walk's fallback)."""
        rng = self.rng
        y = rng.choice(["t_hash", "t_mod", "t_range", "t_child"])
        iy = INT_COLS[y]
        uy = SCHEMA[y][2]
        sy = STR_COL[y]
        free = [c for c in iy if c not in ("id", "cid")] or iy
        a, b = (rng.sample(free, 2) if len(free) >= 2 else (free[0], uy))
        union = rng.choice(["UNION", "UNION ALL"])
        wy = self.where(y, prob=0.7)
        # (UNION ALL keeps every path: a few levels of ~7 matches per row are already many)
        depth = rng.randint(1, 4 if union == "UNION" else 2)
        join = rng.choice(["JOIN r ON {c}", "JOIN r ON {c} AND r.d < {n}", ", r WHERE {c} AND"])
        def step(items, cond, more=""):
            j = join.format(c=cond, n=depth)
            if j.startswith(", r WHERE"):
                return f"SELECT {items} FROM {y} t {j} r.d < {depth}{more}"
            if "AND r.d" in j:
                return f"SELECT {items} FROM {y} t {j}{(' WHERE ' + more[5:]) if more else ''}"
            return f"SELECT {items} FROM {y} t {j} WHERE r.d < {depth}{more}"
        r = rng.random()
        if r < 0.3:
            body = f"SELECT {a}, 0 FROM {y}{wy} {union} " + step(f"t.{b}, r.d + 1", f"t.{a} = r.v")
            finals = ["SELECT v, MIN(d), COUNT(*) FROM r GROUP BY v ORDER BY v",
                      "SELECT v, d FROM r ORDER BY v, d",
                      "SELECT COUNT(*), COUNT(DISTINCT v), SUM(d), MAX(v) FROM r",
                      "SELECT DISTINCT v FROM r ORDER BY v LIMIT 7"]
            if union == "UNION":  # (UNION ALL's CTE joined to itself: seconds on one server)
                finals.append("SELECT r1.v, COUNT(*) FROM r r1 JOIN r r2 ON r2.v = r1.v "
                              "GROUP BY r1.v ORDER BY r1.v")
            final = rng.choice(finals)
            return Q("recursive", types=True, ordered="ORDER BY" in final,
                     sql=f"WITH RECURSIVE r (v, d) AS ({body}) {final}")
        if r < 0.45:
            start = rng.randint(-5, 40)
            body = f"SELECT {start}, 0 {union} " + step(f"t.{b}, r.d + 1", f"t.{a} = r.v")
            return Q("recursive", types=True, ordered=True,
                     sql=f"WITH RECURSIVE r (v, d) AS ({body}) SELECT v, d FROM r ORDER BY v, d")
        if r < 0.65:
            body = (f"SELECT {uy}, {a}, CAST({sy} AS CHAR(160)), 0 FROM {y}{wy} UNION ALL "
                    + step(f"t.{uy}, t.{b}, CONCAT(r.p, '>', COALESCE(t.{sy}, '~')), r.d + 1",
                           f"t.{uy} = r.v"))
            return Q("recursive", types=True, ordered=True,
                     sql=f"WITH RECURSIVE r (u, v, p, d) AS ({body}) SELECT u, p, d FROM r "
                         f"ORDER BY u, d, p, CAST(p AS BINARY) LIMIT 60")
        if r < 0.8:
            # Equal strings under the column's _ci collation join ('Alpha' = 'alpha ').
            # (UNION: equal strings are many, so UNION ALL's rows grow by a power of depth)
            body = (f"SELECT {sy}, 0 FROM {y}{wy} UNION "
                    + step(f"t.{sy}, r.d + 1", f"t.{sy} = r.v AND t.{a} > r.d * 3"))
            return Q("recursive", types=True, ci=(0,),
                     sql=f"WITH RECURSIVE r (v, d) AS ({body}) SELECT v, COUNT(*), MAX(d) FROM r "
                         f"GROUP BY v")
        if r < 0.9 and y != "t_child":
            body = (f"SELECT d, 0 FROM {y}{wy} {union} "
                    + step("t.d * 2, r.d + 1", f"t.{a} = r.d + 1 AND t.d > r.v"))
            return Q("recursive", types=True, exact=True,
                     sql=f"WITH RECURSIVE r (v, d) AS ({body}) SELECT v, d FROM r ORDER BY v, d",
                     ordered=True)
        # The table read outside the CTE too: the walk does not take it (shipped whole).
        body = f"SELECT {uy}, {a}, 0 FROM {y}{wy} {union} " + \
            step(f"t.{uy}, t.{b}, r.d + 1", f"t.{a} = r.v")
        return Q("recursive", types=True, ordered=True,
                 sql=f"WITH RECURSIVE r (u, v, d) AS ({body}) SELECT r.u, r.d, x.{sy} FROM r "
                     f"JOIN {y} x ON x.{uy} = r.u ORDER BY r.u, r.d, x.{sy}", ci=(2,))

    # Window frames the merge evaluates (exec/window.h); RANGE with an offset is left out
    # (refused there: the table shipped to one server).
    WINDOW_FRAMES = ["ROWS BETWEEN 1 PRECEDING AND CURRENT ROW", "ROWS 2 PRECEDING",
                     "ROWS BETWEEN CURRENT ROW AND 2 FOLLOWING",
                     "ROWS BETWEEN UNBOUNDED PRECEDING AND 1 FOLLOWING",
                     "ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING",
                     "ROWS BETWEEN 3 PRECEDING AND 1 PRECEDING",
                     "ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING",
                     "RANGE BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING",
                     "RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING",
                     "RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW"]

    def q_window(self):
        """Window functions over one sharded table (issue 19): partitioned by the shard key (each
        shard computes them), or off it (the merge sorts every row by PARTITION BY / ORDER BY and
        computes them: exec/window.h); every ranking, value and aggregate function, default and
        explicit ROWS / RANGE frames, named windows, expressions over window results, NULLs,
        DECIMAL and DATE values, partitions and orders by a _ci string column. Only shapes whose
        result the server itself makes deterministic: an order-sensitive function (ROW_NUMBER,
        NTILE, LAG/LEAD, FIRST/LAST/NTH_VALUE, ROWS frames) orders by a unique column last;
        ranks and RANGE frames (peers) over any order. Also WITH ROLLUP (category rollup's shapes)."""
        rng = self.rng
        t = rng.choice(["t_hash", "t_mod", "t_range", "t_child"])
        k, u = SCHEMA[t][1], SCHEMA[t][2]
        ints = [c for c in INT_COLS[t] if c != u] or INT_COLS[t]
        a, b = rng.choice(ints), rng.choice(ints)
        cols = COLUMNS[t]
        wh = self.where(t, prob=0.5)
        if rng.random() < 0.08:
            return Q("window", types=True,
                     sql=f"SELECT {b}, COUNT(*), SUM({a}) FROM {t}{wh} GROUP BY {b} WITH ROLLUP")
        nums = [a] + (["d"] if "d" in cols else [])
        values = [a, "s"] + [c for c in ("d", "dt") if c in cols]
        keys = [b, "s"] + [c for c in ("dt", "d") if c in cols]
        r0 = rng.random()
        if r0 < 0.2:
            return self.q_window_chained(t, k, u, a, b, nums, values, keys, wh)
        if r0 < 0.4:
            return self.q_window_grouped(t, k, u, a, b, nums, wh)
        if r0 < 0.55:
            return self.q_window_range(t, k, u, a, b, nums, values, wh)
        if r0 < 0.6:
            # `*` with windows: the table's columns from the schema catalog, then the merge
            star = rng.choice(["*", "x.*"])
            return Q("window", types=True, ordered=True, shape="* with windows",
                     sql=f"SELECT {star}, ROW_NUMBER() OVER (PARTITION BY {b} ORDER BY {u}) AS w0, "
                         f"COUNT(*) OVER (PARTITION BY s) AS w1 FROM {t} x{wh} "
                         f"ORDER BY {u}{self.limit(0.3)}")
        part = rng.choice([f"PARTITION BY {k}", f"PARTITION BY {k}", f"PARTITION BY {b}, {k}",
                           f"PARTITION BY {rng.choice(keys)}", f"PARTITION BY {rng.choice(keys)}",
                           ""])

        def desc():
            return rng.choice(["", "", " DESC", " ASC"])

        def any_order():
            return rng.choice(["", f"ORDER BY {rng.choice(keys)}{desc()}",
                               f"ORDER BY {rng.choice(keys)}{desc()}, {rng.choice(keys)}{desc()}"])

        def unique_order():
            return rng.choice([f"ORDER BY {u}{desc()}",
                               f"ORDER BY {rng.choice(keys)}{desc()}, {u}{desc()}"])

        def spec(order, frame=""):
            return " ".join(p for p in (part, order, frame) if p)

        x, n = rng.choice(values), rng.choice(nums)
        kind = rng.random()
        if kind < 0.3:
            # ranks: peers, any order (MariaDB wants one)
            fn = rng.choice(["RANK()", "DENSE_RANK()", "PERCENT_RANK()", "CUME_DIST()"])
            order = any_order() or f"ORDER BY {rng.choice(keys)}{desc()}"
        elif kind < 0.5:
            # (MariaDB 10.11 has no LAG / LEAD default argument)
            fn = rng.choice(["ROW_NUMBER()", f"NTILE({rng.choice([1, 2, 3, 7])})", f"LAG({x})",
                             f"LAG({x}, 2)", f"LEAD({x})", f"LEAD({n}, {rng.choice([1, 3])})"])
            order = unique_order()
        elif kind < 0.65:
            fn = rng.choice([f"FIRST_VALUE({x})", f"LAST_VALUE({x})", f"NTH_VALUE({x}, 2)"])
            order = unique_order()
            if rng.random() < 0.5:
                order += " " + rng.choice(self.WINDOW_FRAMES)
        else:
            fn = rng.choice(["COUNT(*)", f"COUNT({x})", f"SUM({n})", f"AVG({n})",
                             f"MIN({rng.choice([a, 'd', 'dt'] if 'd' in cols else [a])})",
                             f"MAX({rng.choice([a, 'd', 'dt'] if 'd' in cols else [a])})"])
            r = rng.random()
            if r < 0.4:
                order = any_order()  # the default frame: RANGE .. CURRENT ROW, with peers
            elif r < 0.8:
                order = unique_order() + " " + rng.choice(self.WINDOW_FRAMES)
            else:
                order = any_order()
                if order:
                    order += " " + rng.choice(self.WINDOW_FRAMES[7:])
        named = rng.random() < 0.25
        over = "OVER w" if named else f"OVER ({spec(order)})"
        window = f" WINDOW w AS ({spec(order)})" if named else ""
        items = [f"{fn} {over} AS w1"]
        r = rng.random()
        if r < 0.15 and "d" in cols:
            items.append(f"ROUND(AVG(d) {over}, 1) AS w2")
        elif r < 0.3:
            items.append(f"SUM({a}) {over} / COUNT(*) {over} AS w2")
        elif r < 0.4:
            items.append(f"COUNT(*) {over} + 1 AS w2")
        elif r < 0.5 and "ORDER BY" in order and " ROWS " not in order and " RANGE " not in order:
            # a second function over the same window
            items.append(f"DENSE_RANK() {over} AS w2")
        final = rng.choice([f" ORDER BY {u}", f" ORDER BY {u}", f" ORDER BY w1, {u}",
                            f" ORDER BY w1 DESC, {u} DESC"])
        sql = (f"SELECT {u}, {x}, {', '.join(items)} FROM {t}{wh}{window}{final}"
               f"{self.limit(0.3)}")
        return Q("window", types=True, sql=sql, ordered=True)

    def q_window_chained(self, t, k, u, a, b, nums, values, keys, wh):
        """Several window specifications in one statement (issue 19): the merge runs one sort
        and window pass per distinct PARTITION BY / ORDER BY, each over the rows the one before
        it filled; expressions over results of different windows. Deterministic calls only."""
        rng = self.rng

        def d():
            return rng.choice(["", "", " DESC"])

        # Each call its own PARTITION BY: MariaDB 10.11 computes windows that share one (or
        # none) with different ORDER BYs over a sort not their own (`RANK() OVER (PARTITION BY
        # a ORDER BY d DESC)` next to `CUME_DIST() OVER (PARTITION BY a ORDER BY s)` ranks
        # other rows first; `LAG(s) OVER (PARTITION BY d ORDER BY id), COUNT(*) OVER (),
        # COUNT(dt) OVER (ORDER BY b)` counts other rows than the last window alone does).
        parts = list(dict.fromkeys(["", f"PARTITION BY {b} ", "PARTITION BY s ",
                                    f"PARTITION BY {k} ", f"PARTITION BY {a} ",
                                    f"PARTITION BY {b}, s "] +
                                   [f"PARTITION BY {c} " for c in keys]))
        rng.shuffle(parts)

        def call():
            p = parts.pop()
            x, n, key = rng.choice(values), rng.choice(nums), rng.choice(keys)
            return rng.choice([
                f"ROW_NUMBER() OVER ({p}ORDER BY {key}{d()}, {u}{d()})",
                f"RANK() OVER ({p}ORDER BY {key}{d()})",
                f"DENSE_RANK() OVER ({p}ORDER BY {key}{d()})",
                f"COUNT(*) OVER ({p.strip()})",
                f"SUM({n}) OVER ({p}ORDER BY {key}{d()})",
                f"MAX({a}) OVER ({p}ORDER BY {u}{d()} ROWS 2 PRECEDING)",
                f"LAG({x}) OVER ({p}ORDER BY {u}{d()})",
                f"CUME_DIST() OVER ({p}ORDER BY {key}{d()})",
                f"NTILE(3) OVER ({p}ORDER BY {key}{d()}, {u})",
                f"COUNT({x}) OVER ({p}ORDER BY {a}{d()} RANGE BETWEEN 2 PRECEDING "
                f"AND 1 FOLLOWING)"])
        items = [f"{call()} AS w{i}" for i in range(rng.choice([2, 2, 3]))]
        if rng.random() < 0.3 and len(parts) >= 2:
            items.append(f"{call()} - {call()} AS wd")
        named = ""
        if rng.random() < 0.2:
            named = f" WINDOW w AS (PARTITION BY {b}, {u} ORDER BY {u})"
            items.append("ROW_NUMBER() OVER w AS wn")
        final = rng.choice([f" ORDER BY {u}", f" ORDER BY {u} DESC", f" ORDER BY w0, {u}"])
        return Q("window", types=True, ordered=True, shape="several windows",
                 sql=f"SELECT {u}, {', '.join(items)} FROM {t}{wh}{named}{final}"
                     f"{self.limit(0.3)}")

    def q_window_grouped(self, t, k, u, a, b, nums, wh):
        """Windows over GROUP BY results (issue 19): the merge groups first (HAVING too), then
        the windows run over the merged group rows: ranks ordered by aggregates, aggregates of
        aggregates (SUM(SUM(x)) OVER ...), LAG of an aggregate, expressions over both."""
        rng = self.rng
        cols = COLUMNS[t]
        g = rng.choice([b, b, "s"] + (["dt"] if "dt" in cols else []) + [k])
        n = rng.choice(nums)
        aggs = ["COUNT(*)", f"SUM({n})", f"MIN({a})", f"MAX({a})", f"COUNT({a})"]
        if "d" in cols:
            aggs += ["SUM(d)", "MAX(d)"]
        agg = rng.choice(aggs)
        d = rng.choice(["", " DESC"])
        wins = [f"RANK() OVER (ORDER BY {agg}{d})",
                f"DENSE_RANK() OVER (ORDER BY {agg}{d})",
                f"ROW_NUMBER() OVER (ORDER BY {agg}{d}, {g}{d})",
                f"SUM({agg}) OVER (ORDER BY {g}{d})",
                f"SUM({agg}) OVER ()",
                f"COUNT(*) OVER ()",
                f"LAG({agg}) OVER (ORDER BY {g})",
                f"MAX({agg}) OVER (ORDER BY {g} ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING)",
                f"CUME_DIST() OVER (ORDER BY {agg})",
                f"COUNT({agg}) OVER (ORDER BY {agg} RANGE BETWEEN 3 PRECEDING AND CURRENT ROW)"]
        items = [g, f"{agg} AS ag"] + [f"{w} AS w{i}" for i, w in
                                       enumerate(rng.sample(wins, rng.choice([1, 1, 2, 3])))]
        if rng.random() < 0.25:
            items.append(rng.choice([f"{agg} + COUNT(*) OVER () AS wd",
                                     f"{agg} - LAG({agg}) OVER (ORDER BY {g}) AS wd"]))
        having = rng.choice(["", "", " HAVING COUNT(*) > 1", f" HAVING {agg} > 2",
                             f" HAVING MAX({a}) IS NOT NULL"])
        final = rng.choice([f" ORDER BY {g}", f" ORDER BY {g} DESC", f" ORDER BY w0, {g}"])
        # (MariaDB 10.11 returns a grouped statement with windows in its last window's order,
        # whatever its ORDER BY says: compared as a multiset, without LIMIT.)
        return Q("window", types=True, shape="windows over GROUP BY",
                 ci=(0,) if g == "s" else (),
                 sql=f"SELECT {', '.join(items)} FROM {t}{wh} GROUP BY {g}{having}{final}")

    def q_window_range(self, t, k, u, a, b, nums, values, wh):
        """RANGE frames with an offset (issue 19) over an integer or DECIMAL key, ASC and DESC,
        NULL keys (their own peer group), duplicates; integer and fractional offsets. (MariaDB
        10.11 takes no INTERVAL and no temporal key in a RANGE frame.)"""
        rng = self.rng
        cols = COLUMNS[t]
        key = rng.choice([a, b] + (["d", "d"] if "d" in cols else []) + ([k] if k != u else []))
        if key == "d":
            n, m = rng.choice(["0.5", "25", "100.25", "300", "0"]), rng.choice(["1.5", "50", "0"])
        else:
            n, m = rng.choice(["0", "1", "2", "3", "10", "1.5"]), rng.choice(["0", "1", "4"])
        lo, hi = sorted([n, m], key=lambda v: float(v))
        frame = rng.choice([f"RANGE BETWEEN {n} PRECEDING AND CURRENT ROW", f"RANGE {n} PRECEDING",
                            f"RANGE BETWEEN CURRENT ROW AND {n} FOLLOWING",
                            f"RANGE BETWEEN {n} PRECEDING AND {m} FOLLOWING",
                            f"RANGE BETWEEN UNBOUNDED PRECEDING AND {n} PRECEDING",
                            f"RANGE BETWEEN {n} FOLLOWING AND UNBOUNDED FOLLOWING",
                            f"RANGE BETWEEN {n} PRECEDING AND UNBOUNDED FOLLOWING",
                            f"RANGE BETWEEN {hi} PRECEDING AND {lo} PRECEDING",
                            f"RANGE BETWEEN {lo} FOLLOWING AND {hi} FOLLOWING"])
        x = rng.choice(values)
        fn = rng.choice(["COUNT(*)", f"COUNT({x})", f"SUM({rng.choice(nums)})",
                         f"AVG({rng.choice(nums)})", f"MIN({a})", f"MAX({rng.choice(nums)})",
                         f"FIRST_VALUE({key})", f"LAST_VALUE({key})"])
        part = rng.choice(["", "", f"PARTITION BY {b} ", "PARTITION BY s ", f"PARTITION BY {k} "])
        d = rng.choice(["", "", " DESC"])
        items = [f"{fn} OVER ({part}ORDER BY {key}{d} {frame}) AS w0"]
        if rng.random() < 0.3:
            items.append(f"RANK() OVER (ORDER BY {key}) AS w1")
        final = rng.choice([f" ORDER BY {u}", f" ORDER BY w0, {u}"])
        return Q("window", types=True, ordered=True, shape="RANGE offsets",
                 sql=f"SELECT {u}, {key}, {', '.join(items)} FROM {t}{wh}{final}"
                     f"{self.limit(0.3)}")

    def q_key_forms(self):
        rng = self.rng
        t = rng.choice(["t_hash", "t_range", "t_child", "t_mod"])
        k = SCHEMA[t][1]
        v = self.key_value(t)
        w = self.key_value(t)
        cond = rng.choice([f"{k} = '{v}'", f"{k} = {v}.0", f"{v} = {k}", f"({k}) = {v}",
                           f"{k} IN ('{v}', {w})", f"{k} = {v} AND {k} = {w}",
                           f"{k} = {v} OR {INT_COLS[t][-1]} IS NULL", f"{k} IN ({v}) AND {k} BETWEEN {v} AND {w}",
                           f"{k} IS NULL", f"{k} = {v} + 0"])
        return Q("key_forms", f"SELECT * FROM {t} WHERE {cond}")

    # --- set operations (issue 19): UNION [ALL|DISTINCT], INTERSECT [ALL], EXCEPT [ALL] over
    # branches on every rule type, global and literal branches, parenthesised branches with
    # their own ORDER BY / LIMIT / DISTINCT / GROUP BY, outer ORDER BY / LIMIT, NULLs and
    # duplicates; slots whose type differs between branches (INT and DECIMAL, INT and string,
    # DATE and string) check the result's column types too.
    SET_OPS = ["UNION", "UNION ALL", "UNION DISTINCT", "INTERSECT", "INTERSECT ALL", "EXCEPT",
               "EXCEPT ALL"]

    def set_cell(self, t, kind):
        rng = self.rng
        if rng.random() < 0.06:
            return "NULL"
        if kind == "i":
            if rng.random() < 0.05:
                return str(rng.randint(0, 3))
            return rng.choice([c for c in INT_COLS[t] if c != SCHEMA[t][2]] or INT_COLS[t])
        if kind == "s":
            return STR_COL[t] if rng.random() > 0.05 else lit(rng.choice(WORDS))
        if kind == "d":
            return "d" if "d" in COLUMNS[t] else "1.25"
        return "dt" if "dt" in COLUMNS[t] else "DATE '2021-06-01'"

    def set_branch(self, kinds, tables):
        rng = self.rng
        t = rng.choice(tables)
        # named c1, c2...: a set operation's columns must have distinct names
        cells = [f"{self.set_cell(t, k)} AS c{i + 1}" for i, k in enumerate(kinds)]
        r = rng.random()
        if r < 0.1 and kinds[0] == "i":
            # a grouped branch: its own merge across shards
            key = rng.choice(INT_COLS[t])
            rest = [("COUNT(*)" if k == "i" else f"MIN({self.set_cell(t, k)})") + f" AS c{i + 2}"
                    for i, k in enumerate(kinds[1:])]
            body = f"SELECT {', '.join([key + ' AS c1'] + rest)} FROM {t}" \
                   f"{self.where(t, prob=0.4)} " \
                   f"GROUP BY {key}"
            return f"({body})" if rng.random() < 0.5 else body
        distinct = "DISTINCT " if r < 0.2 else ""
        body = f"SELECT {distinct}{', '.join(cells)} FROM {t}{self.where(t, prob=0.6)}"
        if rng.random() < 0.2:
            # parenthesised, with an ORDER BY that makes its LIMIT deterministic
            order = ", ".join(f"{i + 1}" for i in range(len(kinds)))
            if not distinct:
                order += f", {SCHEMA[t][2]}"
            if any(k == "s" for k in kinds):
                order = None  # _ci ties: any member of a class may be cut
            if order:
                # (no OFFSET after DISTINCT: MariaDB 10.11 ignores it for a constant select
                # list, `SELECT DISTINCT NULL FROM t LIMIT 3, 25` returns the row)
                lim = f" LIMIT {rng.choice([1, 2, 5, 25])}" if distinct else self.limit(0.8)
                return f"({body} ORDER BY {order}{lim})"
        return f"({body})" if rng.random() < 0.15 else body

    def q_set_op(self):
        rng = self.rng
        width = rng.randint(1, 3)
        base = [rng.choice(["i", "i", "s", "d", "t"]) for _ in range(width)]
        n = rng.choice([2, 2, 2, 3, 3, 4])
        # a third of them over co-located tables only, which a plain UNION [ALL] runs whole
        # on each shard
        tables = SINGLE if rng.random() < 0.66 else rng.choice(
            [["t_hash", "t_child"], ["t_mod"], ["t_range"]])
        branches = []
        for _ in range(n):
            kinds = list(base)
            for i, k in enumerate(kinds):
                if rng.random() < 0.15:
                    kinds[i] = {"i": rng.choice(["d", "s"]), "d": "i", "s": "i", "t": "s"}[k]
            branches.append(self.set_branch(kinds, tables))
        sql = branches[0]
        for b in branches[1:]:
            op = rng.choice(self.SET_OPS)
            # (a parenthesised INTERSECT ALL on an operator's left: MariaDB 10.11 drops its
            # duplicates, `((SELECT 1 UNION ALL SELECT 1) INTERSECT ALL (SELECT 1 UNION ALL
            # SELECT 1)) UNION ALL SELECT 2` answers 1, 2)
            if rng.random() < 0.15 and not sql.startswith("(") and "INTERSECT ALL" not in sql:
                sql = f"({sql})"
            sql = f"{sql} {op} {b}"
        if "INTERSECT ALL" in sql and "EXCEPT ALL" in sql:
            # MariaDB 10.11 never finishes `a INTERSECT ALL b EXCEPT ALL c` (it ignores KILL
            # too): the reference could not answer
            sql = sql.replace("EXCEPT ALL", "EXCEPT")
        ordered = False
        if rng.random() < 0.4:
            order = ", ".join(f"{i + 1}{rng.choice(['', ' DESC'])}" for i in range(width))
            sql += f" ORDER BY {order}{self.limit(0.6)}"
            ordered = True
        # strings: the _ci classes' members may stand for each other (DISTINCT keeps any)
        ci = range(width)
        return Q("set_op", sql, ordered=ordered, ci=ci, types=True)

    # --- expressions over aggregates, and the aggregates merged from partials (issue 19)
    def expr_pool(self, t):
        """(expression, ci, double from STDDEV/VARIANCE partials) over table t's aggregates."""
        rng = self.rng
        ints = INT_COLS[t]
        x = rng.choice(ints)
        y = rng.choice(ints)
        s = STR_COL[t]
        n = rng.choice([0, 1, 2, 3])
        pool = [
            (f"ROUND(AVG({x}), {n})", False, False),
            (f"TRUNCATE(AVG({x}), {n})", False, False),
            (f"SUM({x}) / COUNT(*)", False, False),
            (f"SUM({x}) / COUNT({y}) * 3", False, False),
            (f"CAST(SUM({x}) AS SIGNED)", False, False),
            (f"CAST(AVG({x}) AS DECIMAL(12,{n}))", False, False),
            (f"CAST(SUM({x}) AS CHAR)", False, False),
            (f"CAST(MIN({x}) - 1000 AS UNSIGNED)", False, False),
            (f"COALESCE(MAX({x}), 0)", False, False),
            (f"IFNULL(SUM({x}), -1)", False, False),
            (f"NULLIF(COUNT({x}), 0)", False, False),
            (f"IF(COUNT(*) > 3, SUM({x}), MIN({y}))", False, False),
            (f"CASE WHEN SUM({x}) > 0 THEN 'pos' WHEN SUM({x}) < 0 THEN 'neg' ELSE 'zero' END",
             False, False),
            (f"CASE COUNT(*) WHEN 1 THEN MAX({x}) ELSE AVG({y}) END", False, False),
            (f"MAX({x}) - MIN({x})", False, False),
            (f"SUM({x}) DIV 3", False, False),
            (f"SUM({x}) % 7", False, False),
            (f"MOD(SUM({y}), 4)", False, False),
            (f"-SUM({x})", False, False),
            (f"ABS(SUM({x})) + SIGN(MIN({x}))", False, False),
            (f"FLOOR(AVG({x}))", False, False),
            (f"CEIL(AVG({x}) * 2)", False, False),
            (f"GREATEST(MAX({x}), 0)", False, False),
            (f"LEAST(MIN({x}), SUM({y}))", False, False),
            (f"CONCAT(MIN({s}), '-', MAX({s}))", True, False),
            (f"CONCAT_WS('/', COUNT(*), SUM({x}), MAX({x}))", False, False),
            (f"LENGTH(SUM({x}) / 7)", False, False),
            (f"UPPER(MAX({s}))", True, False),
            (f"LOWER(MIN({s}))", True, False),
            (f"SUM({x}) / COUNT(*) = ROUND(AVG({x}), 4)", False, False),
            (f"BIT_AND({x})", False, False),
            (f"BIT_OR({x})", False, False),
            (f"BIT_XOR({y})", False, False),
            (f"STDDEV({x})", False, True),
            (f"VAR_SAMP({x})", False, True),
            (f"VARIANCE({y})", False, True),
            (f"STDDEV_SAMP({x})", False, True),
            (f"ROUND(STDDEV_POP({x}), 2)", False, True),
            (f"COUNT(DISTINCT {x}, {y})", False, False),
            (f"COUNT(DISTINCT {s}, {y})", False, False),
            (f"CAST(SUM({x}) / COUNT(*) AS DOUBLE)", False, False),
            (f"ROUND(STDDEV({x}) * 2, 3)", False, True),
            (f"GREATEST(MIN({s}), MAX({s}))", True, False),
            (f"-(MIN({x}) DIV 2)", False, False),
            (f"SUM({x}) DIV -3", False, False),
            (f"MOD(MIN({x}), -3)", False, False),
            (f"ROUND(SUM({x}), -1)", False, False),
            (f"SUM({x}) * 1e0 / 7", False, False),
        ]
        if "d" in COLUMNS[t]:
            pool += [(f"ROUND(AVG(d), {n})", False, False), ("SUM(d) / COUNT(d)", False, False),
                     ("CAST(AVG(d) AS DECIMAL(10,3))", False, False),
                     ("COALESCE(MIN(d), -1)", False, False), ("MAX(d) - MIN(d)", False, False),
                     ("SUM(d) * 2 / 3", False, False), ("STDDEV(d)", False, True),
                     ("VAR_POP(d)", False, True), ("TRUNCATE(SUM(d) / 3, 3)", False, False),
                     ("TRUNCATE(SUM(d), -2)", False, False), ("LEAST(MIN(d), 0)", False, False),
                     ("CONCAT(COUNT(*), ':', ROUND(AVG(d), 1))", False, False),
                     ("SUM(d) * 1e0 / 3", False, False)]
        return pool

    def q_agg_expr(self):
        rng = self.rng
        t = rng.choice(SINGLE)
        pool = self.expr_pool(t)
        exprs = rng.sample(pool, rng.randint(1, 3))
        keys = self.group_keys(t) if rng.random() < 0.6 else []
        sel = [k for k, _ in keys] + [e for e, _, _ in exprs]
        ci = [i for i, (_, isci) in enumerate(keys) if isci]
        ci += [len(keys) + i for i, (_, isci, _) in enumerate(exprs) if isci]
        tol = [len(keys) + i for i, (_, _, dbl) in enumerate(exprs) if dbl]
        # g * 2 + SUM(x): a group column inside the expression
        if keys and keys[0][0] in ("a", "b", "k", "g", "id") and rng.random() < 0.3:
            sel.append(f"{keys[0][0]} * 2 + SUM({INT_COLS[t][-1]})")
        sql = f"SELECT {', '.join(sel)} FROM {t}{self.where(t, prob=0.5)}"
        if keys:
            sql += f" GROUP BY {', '.join(k for k, _ in keys)}"
        ordered = False
        if keys and not any(isci for _, isci in keys) and rng.random() < 0.6:
            # ORDER BY an expression over aggregates, made total by the group keys
            e = rng.choice([p for p in pool if not p[1] and not p[2]])[0]
            terms = [f"{e}{rng.choice(['', ' DESC'])}"] + \
                [f"{k}{rng.choice(['', ' DESC'])}" for k, _ in keys]
            sql += " ORDER BY " + ", ".join(terms) + self.limit(0.4)
            ordered = True
        # Column types are compared too, except with a DISTINCT aggregate: shards then also group
        # by its arguments, and MariaDB reports another length for YEAR(dt) computed through
        # that plan (4 instead of 5), a difference of the existing DISTINCT merge, not of the
        # computed columns.
        types = "DISTINCT" not in sql
        return Q("agg_expr", sql, ordered=ordered, ci=ci, types=types, exact=True, tol=tol)

    def q_rollup(self):
        """GROUP BY ... WITH ROLLUP over one sharded table (issue 19): the shards group, the merge
        adds the super-aggregate rows (exec/group_merge.h) as the keys change, innermost first,
        keys beyond each prefix NULL; 1-3 keys (ints, the _ci string, dates, YEAR(dt), ASC or
        DESC), every mergeable aggregate, expressions over aggregates and keys, HAVING on keys
        and aggregates (rollup rows included), LIMIT. Shapes the server defines by data order
        (a column outside the keys, GROUP_CONCAT with DISTINCT or ORDER BY) are shipped to one
        server; they are generated too, rarely."""
        rng = self.rng
        t = rng.choice(["t_hash", "t_mod", "t_range", "t_child", "t_hash", "t_mod"])
        s = STR_COL[t]
        ints = [c for c in INT_COLS[t] if c != SCHEMA[t][2]]
        options = [(c, False) for c in ints] + [(s, True)]
        if "dt" in COLUMNS[t]:
            options += [("dt", False), ("YEAR(dt)", False)]
        keys = rng.sample(options, rng.choice([1, 1, 2, 2, 3]) if len(options) >= 3 else 1)
        aggs = self.agg_exprs(t)
        a = rng.choice(ints)
        extra = [(f"ROUND(AVG({a}), 1)", False), (f"SUM({a}) / COUNT(*)", False),
                 (f"CAST(SUM({a}) AS CHAR)", False), (f"COUNT(*) - COUNT({a})", False),
                 (f"CONCAT({keys[0][0]}, ':', COUNT(*))", keys[0][1]),
                 # (over a plain key: MariaDB's super-aggregate rows treat an expression key
                 # inside another expression by how it read the rows)
                 (f"IFNULL({keys[-1][0] if '(' not in keys[-1][0] else 'NULL'}, -1) + "
                  "COUNT(*)", False),
                 (f"STDDEV_POP({a})", False), (f"BIT_OR({a})", False)]
        if rng.random() < 0.5:
            aggs = aggs + [rng.choice(extra)]
        if rng.random() < 0.05:
            # shipped: defined by the order rows were read in
            aggs = aggs + [(f"GROUP_CONCAT(DISTINCT {a} ORDER BY {a})", False)]
        names = []
        for k, _ in keys:
            names.append(k if rng.random() < 0.7 or "(" in k else f"{k} AS k_{len(names)}")
        sel = names + [x for x, _ in aggs]
        if rng.random() < 0.15 and len(keys) > 1:
            sel = sel[1:]  # the first key grouped by, not selected
            keys_sel = keys[1:]
        else:
            keys_sel = keys
        ci = [i for i, (_, isci) in enumerate(keys_sel) if isci]
        ci += [len(keys_sel) + i for i, (_, isci) in enumerate(aggs) if isci]
        # (STDDEV: the server sums doubles in row order, Tessera exactly: 12 digits.)
        tol = [i for i, x in enumerate(sel) if x.startswith("STDDEV")]
        group_by = ", ".join(f"{k}{rng.choice(['', '', ' DESC', ' ASC'])}" for k, _ in keys)
        sql = f"SELECT {', '.join(sel)} FROM {t}{self.where(t, prob=0.5)} GROUP BY {group_by} " \
              f"WITH ROLLUP"
        if rng.random() < 0.3:
            plain = [k for k, _ in keys if "(" not in k]
            h = rng.choice(["COUNT(*) > 2", f"SUM({a}) > 0"] + ([
                f"{plain[-1]} IS NULL", f"{plain[0]} IS NOT NULL AND COUNT(*) < 20",
                f"{plain[0]} IS NULL OR COUNT(*) > 5"] if plain else []))
            sql += f" HAVING {h}"
        sql += self.limit(0.3)
        return Q("rollup", sql, ci=ci, types=True, exact=True, tol=tol)

    CATEGORIES = [("filter", 20), ("order_limit", 20), ("aggregate", 10), ("count_distinct", 4),
                  ("group_by", 14), ("distinct", 7), ("group_concat", 6), ("join_global", 9),
                  ("join_child", 9), ("key_forms", 3), ("set_op", 14),
                  ("cross_join", 12), ("subquery", 8), ("multi_subquery", 5), ("window", 5),
                  ("agg_expr", 6), ("cte", 4), ("correlated", 6),
                  ("item_names", 3), ("recursive", 3), ("rollup", 4)]

    categories = CATEGORIES

    def query(self):
        names = [c for c, _ in self.categories]
        weights = [w for _, w in self.categories]
        cat = self.rng.choices(names, weights)[0]
        return {"filter": self.q_filter, "order_limit": self.q_order,
                "aggregate": self.q_aggregate, "count_distinct": self.q_count_distinct,
                "group_by": self.q_group, "distinct": self.q_distinct,
                "group_concat": self.q_group_concat, "join_global": self.q_join_glob,
                "join_child": self.q_join_child, "key_forms": self.q_key_forms,
                "set_op": self.q_set_op, "cross_join": self.q_cross_join,
                "subquery": self.q_subquery, "multi_subquery": self.q_multi_subquery,
                "window": self.q_window,
                "agg_expr": self.q_agg_expr, "cte": self.q_cte,
                "correlated": self.q_correlated, "item_names": self.q_item_names,
                "recursive": self.q_recursive, "rollup": self.q_rollup}[cat]()

    # --- writes
    def new_row(self, t):
        rng = self.rng
        if t == "t_range":
            free = sorted(set(range(400)) - self.ids[t])
            if not free:
                return None
            i = rng.choice(free)
        elif t == "t_child":
            i = self.next_cid
            self.next_cid += 1
        else:
            i = rng.randint(-300, 3000)
            while i in self.ids[t]:
                i = rng.randint(-300, 3000)
        self.ids[t].add(i)
        if t in ("t_hash", "t_range"):
            return (i, rand_int(rng, -50, 50), rand_int(rng, 0, 7), rand_str(rng), rand_dec(rng),
                    rand_date(rng))
        if t == "t_mod":
            return (i, rng.randint(0, 60), rand_int(rng, -50, 50), rand_int(rng, 0, 7),
                    rand_str(rng), rand_dec(rng), rand_date(rng))
        if t == "t_child":
            parent = rng.choice(sorted(self.ids["t_hash"])) if self.ids["t_hash"] else 1
            return (i, parent, rand_int(rng, -20, 20), rand_str(rng))
        return (i, rand_int(rng, 0, 9), rand_str(rng))

    def dml(self):
        rng = self.rng
        t = rng.choice(SINGLE)
        f = self.global_factor if t == "t_glob" else 1
        key, uniq = SCHEMA[t][1], SCHEMA[t][2]
        r = rng.random()
        settable = [c for c in COLUMNS[t] if c not in (key, uniq)]
        if r < 0.3:
            rows = [x for x in (self.new_row(t) for _ in range(rng.choice([1, 1, 2, 4])))
                    if x is not None]
            if not rows:
                return None
            vals = ", ".join("(" + ", ".join(lit(v) for v in row) + ")" for row in rows)
            return Q("dml_insert", f"INSERT INTO {t} ({', '.join(COLUMNS[t])}) VALUES {vals}",
                     kind="dml", factor=f)
        if r < 0.6:
            sets = []
            for c in rng.sample(settable, rng.randint(1, min(2, len(settable)))):
                if c in ("a", "c", "g") and rng.random() < 0.5:
                    sets.append(f"{c} = {c} + 1")
                else:
                    sets.append(f"{c} = {lit(self.col_value(t, c))}")
            cond = self.key_atom(t) if key and rng.random() < 0.6 else self.other_atom(t)
            return Q("dml_update", f"UPDATE {t} SET {', '.join(sets)} WHERE {cond}", kind="dml",
                     factor=f)
        if r < 0.8 and key:
            v = self.key_value(t)
            return Q("dml_delete", f"DELETE FROM {t} WHERE {key} = {v}", kind="dml", factor=f)
        c = rng.choice(settable)
        return Q("dml_delete", f"DELETE FROM {t} WHERE {c} = {lit(self.col_value(t, c))}",
                 kind="dml", factor=f)


class TextGen:
    """Statements over t_text whose answers depend on the columns' collations."""

    def __init__(self, rng, cols, client=None):
        self.rng, self.cols, self.client = rng, cols, client

    def bin_of(self, c):
        return charset_of(self.cols[c]) + "_bin"

    def literal(self, c):
        cs = [charset_of(self.cols[c])] + ([self.client] if self.client else [])
        return lit(rand_text(self.rng, self.cols[c].startswith("latin1"), cs) or "m")

    def sort_expr(self, c):
        """A column, or an expression whose collation MariaDB derives from it."""
        rng = self.rng
        r = rng.random()
        utf8 = [x for x in self.cols if self.cols[x].startswith("utf8mb4")]
        if r < 0.6:
            return c, self.cols[c]
        if r < 0.75:
            return f"{c} COLLATE {self.bin_of(c)}", self.bin_of(c)
        if r < 0.9 and c in utf8:
            # two columns of different collations: MariaDB compares the CONCAT as _bin
            o = rng.choice([x for x in utf8 if x != c])
            same = self.cols[o] == self.cols[c]
            return f"CONCAT({c}, {o})", self.cols[c] if same else "utf8mb4_bin"
        if r < 0.95:
            return f"UPPER({c})", self.cols[c]
        return f"CONCAT({c}, '-', g)", self.cols[c]

    def where(self, prob=0.4):
        rng = self.rng
        if rng.random() >= prob:
            return ""
        c = rng.choice(list(self.cols))
        r = rng.random()
        if r < 0.3:
            return f" WHERE {c} = {self.literal(c)}"
        if r < 0.6:
            return f" WHERE {c} {rng.choice(['<', '>', '<=', '>='])} {self.literal(c)}"
        if r < 0.8:
            return f" WHERE g {rng.choice(['=', '<>', '<'])} {rng.randint(0, 5)}"
        return f" WHERE {c} BETWEEN {self.literal(c)} AND {self.literal(c)}"

    def limit(self):
        rng = self.rng
        if rng.random() < 0.5:
            return ""
        return f" LIMIT {rng.choice([1, 3, 10, 50])}" + (
            f" OFFSET {rng.choice([1, 5, 40])}" if rng.random() < 0.3 else "")

    def total_order(self, e, coll):
        """Whether the server's ORDER BY e follows e's collation exactly: MariaDB 10.11 cuts
        the sort key of an expression (not of a column) in a multi-level uca1400 collation
        short, so its case variants ('Жук-1', 'жук-1') come in either order."""
        multi = "uca1400" in coll and ("_as_" in coll or coll.endswith("_cs"))
        return not multi or e in self.cols

    # Collations the merge compares natively (Collation::from_name); the others (uca1400) it
    # compares by the weight strings each branch's rows carry.
    SET_OP_COLLATIONS = ("utf8mb4_general_ci", "utf8mb4_unicode_ci", "utf8mb4_unicode_520_ci",
                         "utf8mb4_unicode_520_nopad_ci", "utf8mb4_bin", "latin1_swedish_ci")

    def window(self, c, d):
        """A window partitioned or ordered by a text column (off the shard key: the merge sorts
        by it under its collation, or by the shards' weights where it lacks the collation, and
        computes the window: exec/window.h). Numbers only, ordered by the unique id."""
        fn = self.rng.choice([f"RANK() OVER (ORDER BY {c}{d})", f"DENSE_RANK() OVER (ORDER BY {c})",
                              f"COUNT(*) OVER (PARTITION BY {c})",
                              f"ROW_NUMBER() OVER (PARTITION BY {c} ORDER BY id{d})",
                              f"SUM(g) OVER (PARTITION BY {c} ORDER BY id ROWS 1 PRECEDING)",
                              f"CUME_DIST() OVER (PARTITION BY g ORDER BY {c}{d})"])
        return Q("text_window", f"SELECT id, {fn} AS w FROM t_text{self.where()} ORDER BY id",
                 ordered=True, types=True)

    def set_op(self, rng):
        """UNION / INTERSECT / EXCEPT [ALL] of one text column across shards: rows compared
        under its collation (ß, case and trailing spaces under _ci and _unicode_ci)."""
        cols = [x for x in self.cols if self.cols[x] in self.SET_OP_COLLATIONS]
        uca = [x for x in self.cols if "uca1400" in self.cols[x]]
        if uca and rng.random() < 0.4:
            # MariaDB names a uca1400 column's collation by utf8mb4_unicode_ci's id (the
            # names query says which): compared by the server's weights (ß = ss, case, accents
            # under _ai_ci, three levels under _as_cs, trailing spaces under NO PAD).
            cols = uca
        c = rng.choice(cols)
        coll = self.cols[c]
        sql = f"SELECT {c} AS k FROM t_text{self.where(0.6)}"
        for _ in range(rng.choice([1, 1, 2])):
            op = rng.choice(["UNION", "UNION ALL", "INTERSECT", "INTERSECT ALL", "EXCEPT",
                             "EXCEPT ALL"])
            sql += f" {op} SELECT {c} AS k FROM t_text{self.where(0.6)}"
        if "INTERSECT ALL" in sql and "EXCEPT ALL" in sql:
            sql = sql.replace("EXCEPT ALL", "EXCEPT")  # never finishes on MariaDB 10.11
        ordered = rng.random() < 0.4 and self.total_order(c, coll)
        if ordered:
            sql += f" ORDER BY k{rng.choice(['', ' DESC'])}{self.limit()}"
        return Q("text_set_op", sql, ordered=ordered, coll={0: coll}, types=True)

    def join(self, rng, c):
        """A self-join on a text column (not the shard key, so a lookup join: the driving rows'
        text is shipped as literals in the column's own character set and collation), equal
        under the collation (ß, case, trailing spaces), inner or LEFT."""
        coll = self.cols[c]
        if rng.random() < 0.3:
            # The same as a subquery (run first, its result shipped): IN / NOT IN by collation.
            neg = rng.choice(["", "NOT "])
            if rng.random() < 0.4:
                # Two of them, each shipped under its own CTE (issue 19), and a scalar one.
                others = [x for x in self.cols if x != c and
                          self.cols[x].split("_")[0] == coll.split("_")[0]]
                c2 = rng.choice(others) if others else c
                neg2 = rng.choice(["", "NOT "])
                return Q("text_join", f"SELECT id, {c}, (SELECT COUNT(DISTINCT {c2}) FROM t_text "
                                      f"WHERE g = {rng.randint(0, 5)}) AS n FROM t_text WHERE {c} "
                                      f"{neg}IN (SELECT {c} FROM t_text WHERE g = "
                                      f"{rng.randint(0, 5)}) AND {c2} {neg2}IN (SELECT {c2} FROM "
                                      f"t_text WHERE g = {rng.randint(0, 5)})")
            return Q("text_join", f"SELECT id, {c} FROM t_text WHERE {c} {neg}IN (SELECT {c} "
                                  f"FROM t_text WHERE g = {rng.randint(0, 5)})")
        kind = rng.choice(["JOIN", "LEFT JOIN"])
        on = f"a.{c} = b.{c}"
        if rng.random() < 0.3:
            on += f" AND a.id <> b.id"
        drive = f" WHERE a.g = {rng.randint(0, 5)}" if rng.random() < 0.7 else \
            f" WHERE a.{c} {rng.choice(['<', '>'])} {self.literal(c)}"
        frm = f"FROM t_text a {kind} t_text b ON {on}{drive}"
        r = rng.random()
        if r < 0.12 and self.client is None and coll.startswith(("utf8mb4", "latin1")):
            # case maps over values merged after the cross-shard join
            return Q("text_join", f"SELECT a.g, UPPER(MAX(b.{c})) AS u, LOWER(MIN(a.{c})) AS l "
                                  f"{frm} GROUP BY a.g", coll={1: coll, 2: coll})
        if r < 0.5:
            return Q("text_join", f"SELECT a.id, b.id, a.{c}, b.{c} {frm}")
        if r < 0.75:
            return Q("text_join", f"SELECT a.id, b.id, b.{c} {frm} ORDER BY a.id, b.id"
                                  f"{self.limit()}", ordered=True)
        return Q("text_join", f"SELECT a.{c} AS k, COUNT(*), COUNT(b.id) {frm} GROUP BY a.{c}",
                 coll={0: coll})

    def recursive(self, c, coll):
        """WITH RECURSIVE joined on a text column (category `recursive`, issue 19): walked
        across the shards with the CTE's rows shipped as literals in the anchor's collation,
        which the walk asks the server when the column definition's id may stand for another
        (utf8mb4_unicode_ci's 224 for the uca1400 ones), so strings equal under it join."""
        rng = self.rng
        union = rng.choice(["UNION", "UNION", "UNION ALL"])
        depth = rng.randint(1, 3) if union == "UNION" else 1
        body = (f"SELECT {c}, 0 FROM t_text WHERE g = {rng.randint(0, 5)} {union} SELECT t.{c}, "
                f"r.d + 1 FROM t_text t JOIN r ON t.{c} = r.v AND t.g > r.d WHERE r.d < {depth}")
        return Q("recursive", f"WITH RECURSIVE r (v, d) AS ({body}) SELECT v, COUNT(*), MAX(d) "
                              f"FROM r GROUP BY v", coll={0: coll})

    def expr(self, c, coll):
        """Expressions over text aggregates, computed after the merge (issue 19): the value is
        some member of an equivalence class, compared by its weights."""
        rng = self.rng
        grouped = rng.random() < 0.6
        shapes = [f"COALESCE(MAX({c}), 'none')", f"IF(COUNT({c}) > 2, MIN({c}), MAX({c}))",
                  f"CASE WHEN COUNT(*) > 3 THEN MAX({c}) END", f"NULLIF(MIN({c}), 'm')"]
        if self.client is None and coll in self.SET_OP_COLLATIONS:
            shapes.append(f"GREATEST(MIN({c}), MAX({c}))")  # compared under c's collation
        if self.client is None and coll.startswith(("utf8mb4", "latin1")):
            # the collation's own case map (ß stays, ǆ, final sigma, Cyrillic ...), over a
            # value merged from several shards
            # (alone: MIN/MAX may be any member of its class, 'a' or 'a ', so only a trailing
            # space may differ, which the comparison by weights ignores)
            shapes += [f"UPPER(MAX({c}))", f"LOWER(MIN({c}))", f"UPPER(MIN({c}))",
                       f"LOWER(MAX({c}))"]
            if rng.random() < 0.5:
                shapes = shapes[-4:]
            if rng.random() < 0.3:
                # of a GROUP_CONCAT merged across shards (its collation asked of the shards)
                # (not DISTINCT: which of 'a' and 'a ' it keeps is the plan's)
                shapes = [f"UPPER(GROUP_CONCAT({c} ORDER BY id))",
                          f"LOWER(GROUP_CONCAT({c} ORDER BY id SEPARATOR '|'))"]
        e = rng.choice(shapes)
        sql = f"SELECT {'g, ' if grouped else ''}{e}, COUNT({c}) * 2 - SUM(g) AS n " \
              f"FROM t_text{self.where()}"
        base = 1 if grouped else 0
        ordered = False
        if grouped:
            sql += " GROUP BY g"
            if rng.random() < 0.5:
                sql += f" ORDER BY COUNT({c}) * 2 - SUM(g){rng.choice(['', ' DESC'])}, g"
                ordered = True
        return Q("text_expr", sql, ordered=ordered, coll={base: coll})

    def query(self):
        rng = self.rng
        c = rng.choice(list(self.cols))
        coll = self.cols[c]
        d = rng.choice(["", " DESC"])
        r = rng.random()
        if r < 0.025 and self.client is None:
            return self.recursive(c, coll)
        if r < 0.06:
            return self.expr(c, coll)
        if r < 0.1:
            return self.window(c, d)
        if r < 0.22:
            e, ecoll = self.sort_expr(c)
            lim = self.limit()
            total = self.total_order(e, ecoll)
            return Q("text_order", f"SELECT id, {c} FROM t_text{self.where()} ORDER BY {e}{d}, "
                                   f"id{lim if total else ''}", ordered=total)
        if r < 0.42:
            e, ecoll = self.sort_expr(c)
            aggs = rng.sample(["COUNT(*)", "MIN(id)", "SUM(g)", f"COUNT({c})"],
                              rng.randint(1, 2))
            sql = f"SELECT {e} AS k, {', '.join(aggs)} FROM t_text{self.where()} GROUP BY {e}"
            if rng.random() < 0.2:
                sql += f" HAVING COUNT(*) > {rng.randint(1, 3)}"
            ordered = rng.random() < 0.6
            if ordered:
                sql += f" ORDER BY k{d}"
                if rng.random() < 0.5 and self.total_order(e, ecoll):
                    sql += self.limit()
            return Q("text_group", sql, ordered=ordered and self.total_order(e, ecoll),
                     coll={0: ecoll})
        if r < 0.55:
            e, ecoll = self.sort_expr(c)
            sql = f"SELECT DISTINCT {e} AS k FROM t_text{self.where()}"
            ordered = rng.random() < 0.5
            if ordered:
                sql += f" ORDER BY k{d}{self.limit() if self.total_order(e, ecoll) else ''}"
            return Q("text_distinct", sql, ordered=ordered and self.total_order(e, ecoll),
                     coll={0: ecoll})
        if r < 0.68:
            if rng.random() < 0.5:
                return Q("text_count_distinct", f"SELECT COUNT(DISTINCT {c}), COUNT(*) FROM "
                                                f"t_text{self.where()}")
            sql = f"SELECT g, COUNT(DISTINCT {c}) FROM t_text{self.where()} GROUP BY g"
            return Q("text_count_distinct", sql)
        if r < 0.85:
            grouped = rng.random() < 0.5
            sql = f"SELECT {'g, ' if grouped else ''}MIN({c}), MAX({c}) FROM t_text{self.where()}"
            base = 1 if grouped else 0
            if grouped:
                sql += " GROUP BY g"
                if rng.random() < 0.3:
                    sql += f" HAVING MAX({c}) > {self.literal(c)}"
            return Q("text_min_max", sql, coll={base: coll, base + 1: coll})
        if r < 0.93 and self.client is None:
            return self.set_op(rng)
        if r < 0.98:
            return self.join(rng, c)
        # two collations in one GROUP BY
        o = rng.choice([x for x in self.cols if x != c])
        sql = f"SELECT {c}, {o}, COUNT(*) FROM t_text{self.where()} GROUP BY {c}, {o}"
        ordered = rng.random() < 0.5
        if ordered:
            sql += f" ORDER BY {c}{d}, {o}"
        return Q("text_group2", sql, ordered=ordered, coll={0: coll, 1: self.cols[o]})


class WeightKeys:
    """Equivalence-class keys of text values under a collation, from the reference server:
    HEX(WEIGHT_STRING(v)) (after RTRIM for PAD SPACE collations, which ignore trailing spaces;
    the generated text has no other character weighing as a space)."""

    def __init__(self, side):
        self.side, self.cache = side, {}

    def key(self, value, coll):
        if value is None or not isinstance(value, str):
            return value
        k = (value, coll)
        if k not in self.cache:
            cs = charset_of(coll)
            v = value if "nopad" in coll else value.rstrip(" ")
            _, rows, _ = self.side.run(
                f"SELECT HEX(WEIGHT_STRING(CONVERT({lit(v)} USING {cs}) COLLATE {coll}))")
            self.cache[k] = ("w", rows[0][0])
        return self.cache[k]


# ---------------------------------------------------------------------------------- compare
def norm_row(row, ci, coll=None, keys=None, exact=False, tol=()):
    out = []
    for i, v in enumerate(row):
        if coll and i in coll:
            v = keys.key(v, coll[i])
        elif i in ci and isinstance(v, str):
            v = v.rstrip(" ").upper()
            if exact:  # a CONCAT of ci values: any member of each class, spaces included
                v = v.replace(" ", "")
        elif exact and isinstance(v, D):
            v = ("decimal", str(v))
        elif i in tol and isinstance(v, float):
            v = float(f"{v:.12g}")
        elif isinstance(v, (bytes, bytearray)):
            v = bytes(v)
        out.append(v)
    return tuple(out)


def describe_rows(rows, limit=15):
    lines = [f"      {r!r}" for r in rows[:limit]]
    if len(rows) > limit:
        lines.append(f"      ... {len(rows) - limit} more")
    return "\n".join(lines) if lines else "      (no rows)"


class Runner:
    def __init__(self, seed, test, ref, label_test, label_ref, max_report=25):
        self.seed, self.test, self.ref = seed, test, ref
        self.lt, self.lr = label_test, label_ref
        # category -> [run, mismatches, of which the side under test refused with 1235]
        self.stats = collections.defaultdict(lambda: [0, 0, 0])
        self.errors = collections.Counter()                    # first words of test-side errors
        self.refusal_classes = collections.Counter()           # 1235 refusals by message
        self.mismatches = 0
        self.refused = 0
        self.max_report = max_report
        self.reported = 0
        self.lost = 0  # consecutive connection-level failures of the side under test
        self.keys = WeightKeys(ref)
        # window category: how Tessera plans each statement (EXPLAIN's type column), so the run
        # shows the merge's window operator and the per-shard push-down were both exercised
        self.explain_windows = False
        self.window_paths = collections.Counter()

    def report(self, q, why, details):
        self.mismatches += 1
        self.stats[q.category][1] += 1
        if self.reported >= self.max_report:
            return
        self.reported += 1
        itlib.log(f"\nMISMATCH #{self.mismatches} [{q.category}] seed={self.seed}: {why}\n"
                  f"  query: {q.sql}\n{details}")
        if self.reported == self.max_report:
            itlib.log(f"\n(further mismatches are counted, not printed)")

    def compare(self, q):
        self.stats[q.category][0] += 1
        if q.category in ("window", "rollup") and self.explain_windows:
            try:
                plan = self.test.run("EXPLAIN " + q.sql)[1] or []
                kind = plan[0][0] if plan else "?"
                if any("`__tj`" in (r[3] or "") for r in plan):
                    kind = "table shipped to one server"
                elif kind == "shard" and len(plan) == 1:
                    kind = "one shard"
                self.window_paths[kind] += 1
                if q.shape:
                    self.window_paths[f"{q.shape}: {kind}"] += 1
            except QueryError as e:
                self.window_paths[f"EXPLAIN failed: {str(e)[:60]}"] += 1
        t_res = r_res = t_err = r_err = t_e = None
        try:
            t_res = self.test.run(q.sql)
            self.lost = 0
        except QueryError as e:
            t_err, t_e = str(e), e
            self.lost = self.lost + 1 if e.code in CONNECTION_ERRORS else 0
            if self.lost >= 10:
                self.report(q, f"{self.lt} fails", f"  {self.lt}: {t_err}")
                raise Abort(f"{self.lt}: {self.lost} connection failures in a row, last: {t_err}")
        try:
            r_res = self.ref.run(q.sql)
        except QueryError as e:
            r_err = str(e)
        if t_err or r_err:
            if t_err and r_err:
                self.report(q, "both sides fail (generator bug?)",
                            f"  {self.lt}: {t_err}\n  {self.lr}: {r_err}")
            elif t_err:
                self.errors[t_err[:100]] += 1
                if t_e.code == 1235 and r_res is not None:
                    # ER_NOT_SUPPORTED_YET: a deliberate refusal of a shape the merge cannot
                    # answer exactly (issue 4: refuse, never answer wrongly). Counted, not a
                    # mismatch; main() bounds how many there may be.
                    self.stats[q.category][2] += 1
                    self.refused += 1
                    self.refusal_classes[t_err.split(" (tables:")[0][:110]] += 1
                    if os.environ.get("TESSERA_DIFF_SHOW_REFUSED"):
                        itlib.log(f"refused: {q.sql}\n  {t_err}")
                    return False
                self.report(q, f"{self.lt} fails, {self.lr} answers",
                            f"  {self.lt}: {t_err}\n  {self.lr}: "
                            f"{len(r_res[1]) if r_res[1] else 0} rows, affected {r_res[2]}")
            else:
                self.report(q, f"{self.lr} fails, {self.lt} answers",
                            f"  {self.lr}: {r_err}")
            return False
        t_names, t_rows, t_n = t_res
        r_names, r_rows, r_n = r_res
        if q.kind == "dml":
            if t_n != r_n * q.factor:
                self.report(q, "affected rows differ",
                            f"  {self.lt}: {t_n} rows affected\n  {self.lr}: {r_n} rows affected"
                            f" (x{q.factor} expected)")
                return False
            return True
        if t_names != r_names:
            self.report(q, "column names differ", f"  {self.lt}: {t_names}\n  {self.lr}: {r_names}")
            return False
        t_types, r_types = self.test.types, self.ref.types
        upper = q.sql.upper()
        if q.types and t_types != r_types and t_types and r_types and (
                " LEFT JOIN " in upper or " RIGHT JOIN " in upper or " WITH ROLLUP" in upper):
            # MariaDB reports an outer join's inner columns (and ROLLUP's) as NOT NULL when it
            # read their table as a const table (`p.id = 335 ... ON q.cid = p.b` with a row
            # that matches, or none at all), and as nullable for the same statement over other
            # rows: it depends on the data, not on the statement. Tessera's types (the
            # statement with LIMIT 0 on one slice) say nullable. The rest must agree.
            t_types = [t[:3] for t in t_types]
            r_types = [t[:3] for t in r_types]
        if q.types and t_types != r_types and q.category == "rollup" and t_names == r_names:
            # The shards' statement has no ROLLUP, and MariaDB's metadata for the same column
            # then differs in two ways that are not data: a string aggregate's "decimals" (39,
            # not fixed, or 0 where the server propagated a constant) and YEAR()'s length (4
            # or 5, as in agg_expr's DISTINCT plans). Type codes must agree.
            def loose(types):
                return [(t[0], 0 if "YEAR(" in n.upper() else t[1],
                         0 if t[0] in (15, 252, 253, 254) else t[2]) + tuple(t[3:])
                        for t, n in zip(types, t_names)]
            t_types, r_types = loose(t_types), loose(r_types)
        if q.types and t_types != r_types:
            self.report(q, "column types differ (type, length, decimals, nullable)",
                        f"  {self.lt}: {self.test.types}\n  {self.lr}: {self.ref.types}")
            return False
        try:
            a = [norm_row(r, q.ci, q.coll, self.keys, q.exact, q.tol) for r in t_rows]
            b = [norm_row(r, q.ci, q.coll, self.keys, q.exact, q.tol) for r in r_rows]
        except QueryError as e:
            self.report(q, "WEIGHT_STRING of a value failed", f"  {self.lr}: {e}")
            return False
        if q.ordered:
            if a == b:
                return True
            first = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
            self.report(q, f"ordered results differ (first difference at row {first}; "
                           f"{len(a)} vs {len(b)} rows)",
                        f"  {self.lt}:\n{describe_rows(t_rows)}\n  {self.lr}:\n"
                        f"{describe_rows(r_rows)}")
            return False
        ca, cb = collections.Counter(a), collections.Counter(b)
        if ca == cb:
            return True
        only_t = list((ca - cb).elements())
        only_r = list((cb - ca).elements())
        self.report(q, f"row multisets differ ({len(a)} vs {len(b)} rows)",
                    f"  only in {self.lt} ({len(only_t)}):\n{describe_rows(only_t)}\n"
                    f"  only in {self.lr} ({len(only_r)}):\n{describe_rows(only_r)}")
        return False

    def compare_tables(self, label):
        for t in SINGLE:
            cols = ", ".join(COLUMNS[t])
            self.compare(Q(f"table_{label}", f"SELECT {cols} FROM {t}"))
            self.compare(Q(f"table_{label}", f"SELECT {cols} FROM {t} ORDER BY {SCHEMA[t][2]}",
                           ordered=True))

    def summary(self):
        itlib.log(f"\nper category: statements run, mismatches (wrong results or errors), and "
                  f"how many of those were refusals (1235 not supported) by {self.lt}")
        itlib.log(f"  {'category':<22} {'run':>6} {'mismatch':>9} {'refused':>8}")
        total = refused = 0
        for cat in sorted(self.stats):
            n, m, r = self.stats[cat]
            total += n
            refused += r
            itlib.log(f"  {cat:<22} {n:6d} {m:9d} {r:8d}")
        itlib.log(f"  {'total':<22} {total:6d} {self.mismatches:9d} {refused:8d}")
        if self.window_paths:
            itlib.log(f"\nwindow statements by plan (EXPLAIN):")
            for kind, n in self.window_paths.most_common():
                itlib.log(f"  {n:5d}  {kind}")
        if self.refusal_classes:
            itlib.log(f"\nrefusals (1235) by class:")
            for msg, n in self.refusal_classes.most_common(20):
                itlib.log(f"  {n:5d}  {msg}")
        if self.errors:
            itlib.log(f"\nerrors from {self.lt} (most common first):")
            for msg, n in self.errors.most_common(15):
                itlib.log(f"  {n:5d}  {msg}")
        return total


# ---------------------------------------------------------------------------- no column list
UNICODE_WORDS = ["Grüße", "straße", "北京市", "🙂 ok", "Ωμέγα", "naïve café", "ß", "Ĳssel"]


def same_error(runner, category, sql):
    """Both sides must refuse `sql` with the same error (code and message)."""
    runner.stats[category][0] += 1
    answers = []
    for side in (runner.test, runner.ref):
        try:
            side.run(sql)
            answers.append("answered")
        except QueryError as e:
            answers.append(str(e))
    if answers[0] != answers[1] or answers[1] == "answered":
        runner.report(Q(category, sql), "errors differ",
                      f"  {runner.lt}: {answers[0]}\n  {runner.lr}: {answers[1]}")


def noclist_phase(gen, runner, test, ref, factor):
    """INSERT / INSERT IGNORE / REPLACE without a column list over every rule type (issue 19,
    schema tracking): Tessera takes the columns from the backends (information_schema) and
    routes by the key's position. Values with NULL, DEFAULT and Unicode text; INSERT ... SELECT
    into a linked table; the server's 1136 for a wrong value count; then the columns changed
    through Tessera (ALTER TABLE: BIGINT values in the added column) and behind its back on the
    backends (a stale catalog: the server refuses, Tessera reads the columns again, never shifts
    a value). The tables' contents are compared afterwards (compare_tables, check_layout)."""
    rng = gen.rng
    cat = "noclist"

    def values(t, row):
        key, uniq = SCHEMA[t][1], SCHEMA[t][2]
        cells = []
        for col, v in zip(COLUMNS[t], row):
            if col not in (key, uniq) and rng.random() < 0.15:
                cells.append("DEFAULT")  # every such column is NULL DEFAULT NULL
            elif col == STR_COL[t] and v is not None and rng.random() < 0.4:
                cells.append(lit(rng.choice(UNICODE_WORDS)))
            else:
                cells.append(lit(v))
        return "(" + ", ".join(cells) + ")"

    for t in SINGLE:
        f = factor if t == "t_glob" else 1
        for verb in ("INSERT", "INSERT IGNORE", "REPLACE", "INSERT"):
            rows = [r for r in (gen.new_row(t) for _ in range(rng.choice([1, 2, 3, 5])))
                    if r is not None]
            if not rows:
                continue
            word = "VALUE" if rng.random() < 0.2 else "VALUES"
            runner.compare(Q(cat, f"{verb} INTO {t} {word} " +
                             ", ".join(values(t, r) for r in rows), kind="dml", factor=f))
        # REPLACE of an existing row (a delete and an insert: 2 affected rows per copy)
        old = rng.choice(sorted(gen.ids[t])) if gen.ids[t] else None
        if old is not None and t not in ("t_mod", "t_child"):
            row = list(gen.new_row(t))
            gen.ids[t].discard(row[0])
            row[0] = old
            runner.compare(Q(cat, f"REPLACE INTO {t} VALUES {values(t, row)}", kind="dml",
                             factor=f))
        same_error(runner, cat, f"INSERT INTO {t} VALUES (1)")
        n = len(COLUMNS[t])
        same_error(runner, cat, f"INSERT INTO {t} VALUES ({', '.join(['NULL'] * n)}), "
                                f"({', '.join(['NULL'] * (n + 1))})")
    # INSERT ... SELECT without a column list into the linked table: per shard, the key column
    # of t_hash in t_child's key position.
    runner.compare(Q(cat, "INSERT INTO t_child SELECT id + 5000, id, a, s FROM t_hash "
                          "WHERE id BETWEEN -100 AND 200", kind="dml"))
    gen.next_cid = max(gen.next_cid, 9000)

    # Columns changed through Tessera: ALTER TABLE forgets what Tessera learned of the table.
    big = "noclist_ddl"
    for sql in ("ALTER TABLE t_hash ADD COLUMN big BIGINT NULL",):
        runner.compare(Q(big, sql, kind="dml"))
    rows = [gen.new_row("t_hash") for _ in range(4)]
    bigs = [9223372036854775807, -9223372036854775808, None, 0]
    runner.compare(Q(big, "INSERT INTO t_hash VALUES " + ", ".join(
        "(" + ", ".join(lit(v) for v in r + (b,)) + ")" for r, b in zip(rows, bigs)),
        kind="dml"))
    same_error(runner, big, "INSERT INTO t_hash VALUES (1, 2, 3, 'x', 1.5, NULL)")
    runner.compare(Q(big, "SELECT id, big FROM t_hash WHERE big IS NOT NULL OR id IN (" +
                     ", ".join(str(r[0]) for r in rows) + ")"))
    runner.compare(Q(big, "ALTER TABLE t_hash DROP COLUMN big", kind="dml"))
    r = gen.new_row("t_hash")
    runner.compare(Q(big, f"INSERT INTO t_hash VALUES {values('t_hash', r)}", kind="dml"))
    # An INVISIBLE column is not among the values; a generated one takes DEFAULT.
    runner.compare(Q(big, "ALTER TABLE t_range ADD COLUMN hid INT INVISIBLE DEFAULT 7, "
                          "ADD COLUMN gen INT AS (id * 2) VIRTUAL", kind="dml"))
    rows = [r for r in (gen.new_row("t_range") for _ in range(3)) if r is not None]
    if rows:
        runner.compare(Q(big, "INSERT INTO t_range VALUES " + ", ".join(
            "(" + ", ".join(lit(v) for v in r) + ", DEFAULT)" for r in rows), kind="dml"))
        same_error(runner, big, "INSERT INTO t_range VALUES (" +
                   ", ".join(lit(v) for v in rows[0]) + ", DEFAULT, DEFAULT)")
        runner.compare(Q(big, "SELECT id, hid, gen FROM t_range WHERE id IN (" +
                         ", ".join(str(r[0]) for r in rows) + ")"))
    runner.compare(Q(big, "ALTER TABLE t_range DROP COLUMN hid, DROP COLUMN gen", kind="dml"))

    # Columns changed on the backends directly: Tessera's catalog is stale. The old shape is
    # refused by the servers (1136, as by the reference); the new shape makes Tessera read the
    # columns again; after the column is dropped again, likewise.
    stale = "noclist_stale"
    physical = [(s, f"t_mod_{s:04d}") for s in range(3)]

    def alter_behind(sql_tail):
        for s, table in physical:
            sl.backend_query(s, f"ALTER TABLE db_diff.{table} {sql_tail}")
        ref.run(f"ALTER TABLE t_mod {sql_tail}")

    alter_behind("ADD COLUMN extra INT NULL")
    row = gen.new_row("t_mod")
    gen.ids["t_mod"].discard(row[0])
    same_error(runner, stale, f"INSERT INTO t_mod VALUES ({', '.join(lit(v) for v in row)})")
    rows = [gen.new_row("t_mod") for _ in range(3)]
    runner.compare(Q(stale, "INSERT INTO t_mod VALUES " + ", ".join(
        "(" + ", ".join(lit(v) for v in r + (rng.randint(-9, 9),)) + ")" for r in rows),
        kind="dml"))
    runner.compare(Q(stale, "SELECT id, k, extra FROM t_mod WHERE extra IS NOT NULL"))
    alter_behind("DROP COLUMN extra")
    rows = [gen.new_row("t_mod") for _ in range(3)]
    runner.compare(Q(stale, "INSERT INTO t_mod VALUES " + ", ".join(
        values("t_mod", r) for r in rows), kind="dml"))

    # `*` the merge compares (DISTINCT, ORDER BY a position) over string columns: Tessera names
    # the table's columns from the catalog (they used to be refused with 1235).
    star = "star_names"
    for t in ("t_hash", "t_mod", "t_range", "t_child", "t_glob"):
        n = len(COLUMNS[t])
        pos = COLUMNS[t].index(STR_COL[t]) + 1
        runner.compare(Q(star, f"SELECT DISTINCT * FROM {t}"))
        runner.compare(Q(star, f"SELECT * FROM {t} ORDER BY {pos}, 1 LIMIT 25", ordered=True))
        runner.compare(Q(star, f"SELECT DISTINCT p.* FROM {t} p ORDER BY {n}, 1", ordered=True))
    if runner.stats[star][2]:
        runner.report(Q(star, "(above)"), f"{runner.stats[star][2]} refused with 1235",
                      "  `*` over string columns must be answered")


# ---------------------------------------------------------------------------------- setup
def refresh_ids(gen, ref):
    """gen.ids from the reference's rows (after writes that moved keys)."""
    for t in SINGLE:
        _, rows, _ = ref.run(f"SELECT {SCHEMA[t][2]} FROM {t}")
        gen.ids[t] = set(r[0] for r in rows)
    if gen.ids["t_child"]:
        gen.next_cid = max(gen.next_cid, max(gen.ids["t_child"]) + 1)


def same_failure(runner, category, sql, may_answer=False):
    """Both sides must refuse `sql` with the same error code, the server's message first
    (`may_answer`: or both answer, with the same affected rows)."""
    runner.stats[category][0] += 1
    answers = []
    for side in (runner.test, runner.ref):
        try:
            answers.append(side.run(sql)[2])
        except QueryError as e:
            answers.append(e)
    t, r = answers
    if may_answer and not isinstance(t, QueryError) and t == r:
        return
    if not isinstance(t, QueryError) or not isinstance(r, QueryError) or t.code != r.code or \
            not str(t).startswith(str(r)[:40]):
        runner.report(Q(category, sql), "errors differ",
                      f"  {runner.lt}: {t}\n  {runner.lr}: {r}")


def keymove_phase(gen, runner, n):
    """Shard-key UPDATEs and UPDATE/DELETE ... ORDER BY ... LIMIT over several shards (issue 19):
    rows moving between sub-tables and staying (t_hash: hash on the primary key, t_range: range
    on it, t_mod: mod on a non-unique column, t_child: linked to t_hash's rule), several rows at
    once, NULL keys, a duplicate primary key on the sub-table a row moves to (the server's 1062,
    nothing changed on either side), inside explicit transactions then COMMIT or ROLLBACK (a
    failed statement undone alone). Counts compare as affected rows and the OK's info
    ("Rows matched: N  Changed: M"); the tables afterwards by compare_tables and check_layout
    (every row in the sub-table its key routes to)."""
    rng = gen.rng
    test, ref = runner.test, runner.ref

    def free_id(t, lo, hi):
        for _ in range(200):
            v = rng.randint(lo, hi)
            if v not in gen.ids[t]:
                return v
        return None

    def info_of(side):
        res = getattr(side.conn, "_result", None)
        m = getattr(res, "message", None)
        return m.decode() if isinstance(m, bytes) else m

    def run(cat, sql, compare_info=True):
        ok = runner.compare(Q(cat, sql, kind="dml"))
        if ok and compare_info:
            ti, ri = info_of(test), info_of(ref)
            if (ti or "") != (ri or ""):
                runner.report(Q(cat, sql), "OK info differs", f"  {runner.lt}: {ti!r}\n"
                                                              f"  {runner.lr}: {ri!r}")
        refresh_ids(gen, ref)
        return ok

    def key_update():
        t = rng.choice(["t_hash", "t_range", "t_mod", "t_child", "t_hash", "t_mod"])
        r = rng.random()
        if t in ("t_hash", "t_range"):
            hi = 399 if t == "t_range" else 3000
            lo = 0 if t == "t_range" else -300
            if not gen.ids[t]:
                return None
            old = rng.choice(sorted(gen.ids[t]))
            if r < 0.15:
                # A duplicate primary key where the row would go.
                other = rng.choice(sorted(gen.ids[t]))
                if other == old:
                    return None
                if rng.random() < 0.5:
                    return ("dup", f"UPDATE {t} SET id = {other}, a = 7 WHERE id = {old}")
                # Atomicity: the first row (in key order, as the server goes) moves to a free
                # key, the second hits the duplicate: nothing changes anywhere.
                first, second = min(old, other), max(old, other)
                taken = rng.choice(sorted(gen.ids[t] - {first, second}) or [first])
                new = free_id(t, lo, hi)
                if new is None or taken in (first, second):
                    return None
                return ("dup", f"UPDATE {t} SET id = CASE id WHEN {first} THEN {new} ELSE {taken} "
                               f"END, a = 7 WHERE id IN ({first}, {second})")
            new = free_id(t, lo, hi)
            if new is None:
                return None
            extra = rng.choice(["", ", a = a + 1", ", s = 'moved'", ", b = NULL"])
            if r < 0.6:
                return ("one", f"UPDATE {t} SET id = {new}{extra} WHERE id = {old}")
            # Several rows, each to a free id: id + delta keeps them apart.
            olds = sorted(rng.sample(sorted(gen.ids[t]), min(len(gen.ids[t]), rng.randint(2, 5))))
            for _ in range(50):
                delta = rng.randint(-150, 150) if t == "t_range" else rng.randint(-2000, 2000)
                news = [o + delta for o in olds]
                if delta and all(lo <= v <= hi and v not in gen.ids[t] for v in news):
                    return ("many", f"UPDATE {t} SET id = id + ({delta}){extra} "
                                    f"WHERE id IN ({', '.join(map(str, olds))})")
            return None
        if t == "t_mod":
            if r < 0.1:
                return ("null", f"UPDATE t_mod SET k = NULL WHERE id = "
                                f"{rng.choice(sorted(gen.ids[t]))}")
            cond = rng.choice([f"k = {rng.randint(0, 60)}", f"a > {rng.randint(0, 50)}",
                               f"id IN ({', '.join(str(rng.choice(sorted(gen.ids[t]))) for _ in range(3))})",
                               f"b = {rng.randint(0, 7)}"])
            new = rng.choice(["k + 1", "k + 2", "(k * 2) % 61", str(rng.randint(0, 60)),
                              "COALESCE(a, 0) + 50", "COALESCE(b, 1)", "k"])
            extra = rng.choice(["", ", a = a + 1", ", s = CONCAT('m', id)", ", d = d * 2"])
            return ("mod", f"UPDATE t_mod SET k = {new}{extra} WHERE {cond}")
        # t_child: its key (id) is t_hash's, not unique here.
        # (t_child may have been emptied by the random writes)
        cond = rng.choice([f"cid = {rng.choice(sorted(gen.ids[t]) or [0])}",
                           f"c > {rng.randint(0, 20)}",
                           f"id = {gen.key_value('t_hash')}"])
        if r < 0.05:
            return ("null", f"UPDATE t_child SET id = c + 100 WHERE c IS NULL")
        new = rng.choice([str(gen.key_value("t_hash")), "id + 1", "COALESCE(c, 0) + 100"])
        return ("child", f"UPDATE t_child SET id = {new}, c = c - 1 WHERE {cond}")

    def order_limit():
        t = rng.choice(["t_hash", "t_mod", "t_range", "t_child"])
        key, pk = SCHEMA[t][1], SCHEMA[t][2]
        order_col = rng.choice([c for c in COLUMNS[t] if c not in (key, pk)] + [key])
        direction = rng.choice(["", " DESC"])
        order = f"{order_col}{direction}, {pk}{rng.choice(['', ' DESC'])}"
        cond = rng.choice(["", f" WHERE {INT_COLS[t][-1]} > {rng.randint(-10, 5)}",
                           f" WHERE {pk} > {rng.randint(0, 500)}"])
        n = rng.randint(1, 12)
        if rng.random() < 0.5:
            sets = rng.choice(["a = a + 1", "s = 'lim'", "b = 3, a = 0"]) if t != "t_child" \
                else rng.choice(["c = c + 1", "s = 'lim'"])
            if t == "t_mod" and rng.random() < 0.3:
                sets = "k = k + 1"  # a key move over the first n rows
            return ("order_update", f"UPDATE {t} SET {sets}{cond} ORDER BY {order} LIMIT {n}")
        return ("order_delete", f"DELETE FROM {t}{cond} ORDER BY {order} LIMIT {n}")

    for _ in range(n):
        g = key_update() if rng.random() < 0.6 else order_limit()
        if g is None:
            continue
        kind, sql = g
        if kind == "dup":
            same_failure(runner, "dml_key_dup", sql)
            t = sql.split()[1]
            runner.compare(Q("dml_key_dup", f"SELECT {', '.join(COLUMNS[t])} FROM {t}"))
            continue
        if kind == "null":
            same_failure(runner, "dml_key_update", sql, may_answer=True)  # (no row matched)
            continue
        if kind.startswith("order"):
            run(f"dml_{kind}", sql, compare_info=kind == "order_update")
            continue
        if rng.random() < 0.25:
            # Inside an explicit transaction: a duplicate undone alone, then COMMIT or ROLLBACK.
            end = rng.choice(["COMMIT", "ROLLBACK"])
            runner.compare(Q("dml_key_txn", "BEGIN", kind="dml"))
            run("dml_key_txn", sql)
            if gen.ids["t_hash"] and len(gen.ids["t_hash"]) > 2:
                a, b = rng.sample(sorted(gen.ids["t_hash"]), 2)
                same_failure(runner, "dml_key_txn", f"UPDATE t_hash SET id = {b} WHERE id = {a}")
            runner.compare(Q("dml_key_txn", f"SELECT {', '.join(COLUMNS['t_mod'])} FROM t_mod"))
            runner.compare(Q("dml_key_txn", end, kind="dml"))
            refresh_ids(gen, ref)
            continue
        run("dml_key_update", sql)

    # DELETE ... LIMIT without ORDER BY deletes any n rows: the counts compare, then the rest of
    # those rows goes on both sides so the tables agree again.
    for t in ("t_hash", "t_mod"):
        cond = f"b = {rng.randint(0, 7)}"
        runner.compare(Q("dml_delete_limit", f"DELETE FROM {t} WHERE {cond} LIMIT 2", kind="dml"))
        runner.compare(Q("dml_delete_limit", f"SELECT COUNT(*) FROM {t} WHERE {cond}"))
        runner.compare(Q("dml_delete_limit", f"DELETE FROM {t} WHERE {cond}", kind="dml"))
    refresh_ids(gen, ref)


def create_tables(side, engine, problems):
    for t in SINGLE:
        cols, _, _ = SCHEMA[t]
        for sql in (f"DROP TABLE IF EXISTS {t}",
                    f"CREATE TABLE {t} ({cols}) ENGINE={engine} {TABLE_OPTS}"):
            try:
                side.run(sql)
            except QueryError as e:
                problems.append(f"{side.name}: {sql}: {e}")


def load(side, data, rng_order, problems, factor=1, batch=50):
    """Multi-row INSERTs; if one fails, that batch is retried row by row."""
    for t in SINGLE:
        rows = list(data[t])
        if rng_order is not None:
            rng_order.shuffle(rows)
        cols = ", ".join(COLUMNS[t])
        f = factor if t == "t_glob" else 1
        for i in range(0, len(rows), batch):
            chunk = rows[i:i + batch]
            vals = ", ".join("(" + ", ".join(lit(v) for v in r) + ")" for r in chunk)
            try:
                _, _, n = side.run(f"INSERT INTO {t} ({cols}) VALUES {vals}")
                if n != len(chunk) * f:
                    problems.append(f"{side.name}: multi-row INSERT INTO {t} of {len(chunk)} "
                                    f"rows: {n} affected, expected {len(chunk) * f}")
            except QueryError as e:
                problems.append(f"{side.name}: multi-row INSERT INTO {t} ({len(chunk)} rows) "
                                f"failed: {e}; retrying row by row")
                for r in chunk:
                    sql = f"INSERT INTO {t} ({cols}) VALUES ({', '.join(lit(v) for v in r)})"
                    try:
                        side.run(sql)
                    except QueryError as e2:
                        problems.append(f"{side.name}: {sql}: {e2}")


def check_layout(data_now, problems):
    """The sharded tables really are sharded, where Gaea puts them; t_glob is on every slice."""
    for s in range(3):
        tables = sl.backend_tables(s, "db_diff") or []
        for t, locs in LAYOUT.items():
            first = sum(locs[:s])
            want = [f"{t}_{first + j:04d}" for j in range(locs[s])]
            have = [x for x in tables if x == t or x.startswith(t + "_")]
            if have != want:
                problems.append(f"layout: slice-{s + 1} (port {sl.backend_port(s)}) has "
                                f"{have or 'no'} tables for {t}, expected {want}")
        if "t_glob" not in tables:
            problems.append(f"layout: slice-{s + 1} has no t_glob")
    if problems:
        return
    expect = {
        "t_hash": {(r[0],): sl.gaea_hash_index(r[0], 6) for r in data_now["t_hash"]},
        "t_child": {(r[0],): sl.gaea_hash_index(r[1], 6) for r in data_now["t_child"]},
        "t_mod": {(r[0],): r[1] % 3 for r in data_now["t_mod"]},
        "t_range": {(r[0],): r[0] // 100 for r in data_now["t_range"]},
    }
    for t, where in expect.items():
        locs = LAYOUT[t]
        found = {}
        for idx in range(sum(locs)):
            s = sl.slice_of_table(idx, locs)
            pk = SCHEMA[t][2]
            for (v,) in sl.backend_query(s, f"SELECT {pk} FROM db_diff.{t}_{idx:04d}"):
                if (v,) in found:
                    problems.append(f"layout: {t} row {pk}={v} in both {t}_{found[(v,)]:04d} and "
                                    f"{t}_{idx:04d}")
                found[(v,)] = idx
        wrong = [(k[0], found.get(k), i) for k, i in where.items() if found.get(k) != i]
        extra = [k[0] for k in found if k not in where]
        if wrong:
            problems.append(f"layout: {len(wrong)} {t} rows not in the Gaea sub-table, e.g. "
                            + ", ".join(f"{SCHEMA[t][2]}={k} in {f} (expected {i})"
                                        for k, f, i in wrong[:5]))
        if extra:
            problems.append(f"layout: {t} has unexpected rows {extra[:5]}")
    glob = sorted(data_now["t_glob"])
    for s in range(3):
        got = sorted(sl.backend_query(s, "SELECT id, g, name FROM db_diff.t_glob"))
        if [tuple(r) for r in got] != glob:
            problems.append(f"layout: t_glob on slice-{s + 1} has {len(got)} rows, not the "
                            f"{len(glob)} loaded")


def snapshot(side):
    """Current rows of every table (for the layout check after the writes)."""
    out = {}
    for t in SINGLE:
        _, rows, _ = side.run(f"SELECT {', '.join(COLUMNS[t])} FROM {t}")
        out[t] = [tuple(r) for r in rows]
    return out


def server_has_uca1400(ref):
    try:
        _, rows, _ = ref.run("SHOW COLLATION LIKE 'utf8mb4_uca1400_nopad_ai_ci'")
        return bool(rows)
    except QueryError:
        return False


# Character sets no client may use (issue 16 item 6): a handshake naming them makes the server
# fall back to its default; through Tessera the session must end up the same.
WIDE_HANDSHAKES = [(35, "ucs2"), (54, "utf16"), (56, "utf16le"), (60, "utf32")]


def wide_handshake_connect(connect, collation_id, name):
    """`connect(**kw)` with a handshake announcing collation `collation_id`, which PyMySQL has
    no codec for: its queries stay UTF-8."""
    from pymysql.charset import Charset, _charsets
    _charsets.add(Charset(collation_id, name, f"{name}_general_ci", "Yes"))
    conn = connect(charset="utf8mb4", defer_connect=True)
    conn.charset = name
    conn.connect()
    return conn


def wide_handshake_checks(runner, reconnect_raw):
    """MariaDB 10.11 refuses these handshakes (1231: character_set_client can't be set to
    'ucs2'); through Tessera the outcome must be the same: the same error, or the same
    session and rows."""
    for cid, name in WIDE_HANDSHAKES:
        outcome = {}

        def opener(connect, side):
            try:
                outcome[side] = wide_handshake_connect(connect, cid, name)
            except pymysql.err.MySQLError as e:
                outcome[side] = e.args[0] if e.args else "?"
            return outcome[side]

        reconnect_raw(lambda connect: opener(connect, "ref"), lambda connect: opener(connect, "test"))
        t, r = outcome["test"], outcome["ref"]
        q = Q("handshake_wide", f"handshake announcing collation {cid} ({name})")
        runner.stats[q.category][0] += 1
        if not isinstance(t, int) and not isinstance(r, int):
            t_side, r_side = Side(f"tessera/{name}", lambda: t), Side(f"diff_ref/{name}", lambda: r)
            runner.test, runner.ref = t_side, r_side
            runner.compare(Q("handshake_wide", "SELECT @@character_set_client, "
                             "@@character_set_connection, @@character_set_results, "
                             "@@collation_connection"))
            runner.compare(Q("handshake_wide", "SELECT id, HEX(s_gen), HEX(s_cyr) FROM t_text "
                             "ORDER BY s_uni, id LIMIT 30", ordered=True))
            t_side.close()
            r_side.close()
        elif t != r:
            runner.report(q, "handshake outcomes differ",
                          f"  {runner.lt}: {t if isinstance(t, int) else 'connected'}\n"
                          f"  {runner.lr}: {r if isinstance(r, int) else 'connected'}")
        else:
            for c in (t, r):
                if not isinstance(c, int):
                    c.close()


def load_text(side, names, rows):
    side.run("DELETE FROM t_text")
    for i in range(0, len(rows), 60):
        vals = ", ".join("(" + ", ".join(lit(v) for v in r) + ")" for r in rows[i:i + 60])
        side.run(f"INSERT INTO t_text ({', '.join(names)}) VALUES {vals}")


def text_phase(args, seed, runner, test, ref, engine_test, problems, t0, reconnect,
               reconnect_raw):
    """Issue 18: t_text reloaded per seed, TextGen statements compared; then the client-charset
    phases: both sides reconnected with another client charset (`reconnect(charset)` gives
    the pair of Sides), rows every charset involved can hold, TextGen statements again."""
    cols = dict(TEXT_COLS)
    if server_has_uca1400(ref):
        cols.update(TEXT_UCA1400)
    names = ["id", "g"] + list(cols)
    for side, engine in ((ref, "InnoDB"), (test, engine_test)):
        for sql in ("DROP TABLE IF EXISTS t_text",
                    f"CREATE TABLE t_text ({text_schema(cols)}) ENGINE={engine} "
                    "DEFAULT CHARSET=utf8mb4"):
            try:
                side.run(sql)
            except QueryError as e:
                problems.append(f"{side.name}: {sql}: {e}")
                return 0
    n = 0
    t_text = time.time()
    phases = [(None, k) for k in range(args.text_seeds)]
    phases += [(cs, 0) for cs in (CLIENT_CHARSETS if args.client_queries > 0 else [])]
    counts = collections.Counter()
    for client, k in phases:
        tseed = seed * 31 + k + 1 + (CLIENT_CHARSETS.index(client) + 1) * 1000 if client else \
            seed * 31 + k + 1
        rows = generate_text(random.Random(tseed), cols, client=client)
        t_side, r_side = (test, ref) if client is None else reconnect(client)
        runner.test, runner.ref = t_side, r_side
        runner.keys = WeightKeys(r_side)
        for side in (r_side, t_side):
            try:
                load_text(side, names, rows)
            except QueryError as e:
                problems.append(f"{side.name}: loading t_text (text seed {tseed}, client "
                                f"charset {client or 'utf8mb4'}): {e}")
                return n
        runner.compare(Q("text_table", f"SELECT {', '.join(names)} FROM t_text ORDER BY id",
                         ordered=True))
        gen = TextGen(random.Random(tseed * 7 + 1), cols, client)
        for _ in range(args.text_queries if client is None else args.client_queries):
            if time.time() - t0 > TEXT_DEADLINE_S:
                raise Abort(f"deadline of {TEXT_DEADLINE_S}s reached in the text phase")
            q = gen.query()
            if client:
                q.category = "client_" + q.category[len("text_"):]
            runner.compare(q)
            counts[client or "utf8mb4"] += 1
            n += 1
        if client is not None:
            t_side.close()
            r_side.close()
    if args.client_queries > 0:
        wide_handshake_checks(runner, reconnect_raw)
    runner.test, runner.ref, runner.keys = test, ref, WeightKeys(ref)
    itlib.log(f"text phase: {n} statements ({', '.join(f'{c} client: {k}' for c, k in counts.items())}) "
              f"over {args.text_seeds} text seeds ({', '.join(cols.values())}) in "
              f"{time.time() - t_text:.1f}s")
    return n


# ---------------------------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--self-check", action="store_true",
                    help="compare two reference databases on MariaDB (no Tessera)")
    ap.add_argument("--seed", type=int)
    env = os.environ.get
    ap.add_argument("--queries", type=int, default=int(env("TESSERA_DIFF_QUERIES", 2500)),
                    help="random SELECTs (default 2500, or TESSERA_DIFF_QUERIES)")
    ap.add_argument("--dml", type=int, default=300, help="random writes (default 300)")
    ap.add_argument("--keymove", type=int, default=150,
                    help="shard-key UPDATEs and ORDER BY/LIMIT writes (default 150)")
    ap.add_argument("--text-queries", type=int, default=int(env("TESSERA_DIFF_TEXT_QUERIES", 2000)),
                    help="statements per text seed in the collation phase (default 2000, or "
                         "TESSERA_DIFF_TEXT_QUERIES)")
    ap.add_argument("--text-seeds", type=int, default=int(env("TESSERA_DIFF_TEXT_SEEDS", 4)),
                    help="t_text reloads with new random text (default 4, or "
                         "TESSERA_DIFF_TEXT_SEEDS)")
    ap.add_argument("--client-queries", type=int,
                    default=int(env("TESSERA_DIFF_CLIENT_QUERIES", 600)),
                    help="statements per client charset (" + ", ".join(CLIENT_CHARSETS) +
                         ") after the text seeds (default 600, or TESSERA_DIFF_CLIENT_QUERIES)")
    ap.add_argument("--expr-queries", type=int,
                    default=int(env("TESSERA_DIFF_EXPR_QUERIES", 500)),
                    help="extra statements of category agg_expr (expressions over aggregates, "
                         "BIT_*, STDDEV/VARIANCE, COUNT(DISTINCT a, b)) after the random SELECTs "
                         "(default 500, or TESSERA_DIFF_EXPR_QUERIES)")
    ap.add_argument("--keep", action="store_true", help="leave the databases behind")
    ap.add_argument("--categories", help="comma-separated SELECT categories to generate "
                    f"(default all: {', '.join(c for c, _ in Gen.CATEGORIES)})")
    args = ap.parse_args()

    seed = args.seed
    if seed is None and os.environ.get("TESSERA_DIFF_SEED"):
        seed = int(os.environ["TESSERA_DIFF_SEED"])
    if seed is None:
        seed = random.SystemRandom().randrange(1, 2**31)
    mode = "self-check" if args.self_check else "tessera"
    itlib.log(f"[sharding differential] seed={seed} mode={mode}  "
              f"(replay: TESSERA_DIFF_SEED={seed}{' --self-check' if args.self_check else ''})")
    if not args.self_check:
        sl.require_proxy("test_sharding_differential")

    t0 = time.time()
    rng = random.Random(seed)
    data = generate_data(rng)
    problems = []

    for db in ("diff_ref", "diff_ref2") if args.self_check else ("diff_ref",):
        c = sl.backend(0)
        sl.query(c, f"DROP DATABASE IF EXISTS {db}")
        sl.query(c, f"CREATE DATABASE {db}")
        c.close()
    ref = Side("diff_ref", lambda: sl.backend(0, "diff_ref"))
    if args.self_check:
        test = Side("diff_ref2", lambda: sl.backend(0, "diff_ref2"))
        label_test, engine_test, factor = "diff_ref2", "Aria", 1
    else:
        sl.drop_database_everywhere("db_diff")
        boot = Side("tessera", lambda: sl.tessera())
        try:
            boot.run("CREATE DATABASE db_diff")
        except QueryError as e:
            problems.append(f"tessera: CREATE DATABASE db_diff: {e}")
        boot.close()
        for s in range(3):
            if sl.backend_tables(s, "db_diff") is None:
                problems.append(f"tessera: CREATE DATABASE db_diff did not reach slice-{s + 1}")
        test = Side("tessera", lambda: sl.tessera("db_diff", read_timeout=20))
        label_test, engine_test, factor = "tessera", "InnoDB", 3

    def reconnect(charset):
        """Both sides again, as clients whose handshake says `charset`."""
        r = Side(f"diff_ref/{charset}", lambda: sl.backend(0, "diff_ref", charset=charset))
        if args.self_check:
            t = Side(f"diff_ref2/{charset}", lambda: sl.backend(0, "diff_ref2", charset=charset))
        else:
            t = Side(f"tessera/{charset}",
                     lambda: sl.tessera("db_diff", read_timeout=20, charset=charset))
        return t, r

    def reconnect_raw(open_ref, open_test):
        """Connections made by open_ref(connect) / open_test(connect), connect(**kw) opening
        the reference / the side under test."""
        open_ref(lambda **kw: sl.backend(0, "diff_ref", **kw))
        if args.self_check:
            open_test(lambda **kw: sl.backend(0, "diff_ref2", **kw))
        else:
            open_test(lambda **kw: sl.tessera("db_diff", read_timeout=20, **kw))

    create_tables(ref, "InnoDB", problems)
    create_tables(test, engine_test, problems)
    load(ref, data, None, problems)
    # the other side gets the rows in another order: exposes order-dependent results
    load(test, data, random.Random(seed + 1), problems, factor=factor)
    if not args.self_check:
        check_layout(data, problems)
    itlib.log(f"loaded {sum(len(v) for v in data.values())} rows into "
              f"{', '.join(f'{t}={len(data[t])}' for t in SINGLE)} in {time.time() - t0:.1f}s")
    for p in problems:
        itlib.log(f"SETUP PROBLEM (seed={seed}): {p}")

    runner = Runner(seed, test, ref, label_test, "diff_ref")
    runner.explain_windows = not args.self_check
    gen = Gen(random.Random(seed * 7 + 3), data, factor)
    if args.categories:
        wanted = args.categories.split(",")
        unknown = set(wanted) - {c for c, _ in Gen.CATEGORIES}
        if unknown:
            sys.exit(f"unknown categories {sorted(unknown)}")
        gen.categories = [(c, w) for c, w in Gen.CATEGORIES if c in wanted]
        itlib.log(f"only categories {', '.join(wanted)}")
    before = int(args.queries * 0.8)
    dml_n = text_n = 0
    expr_s = 0.0
    t1 = time.time()
    aborted = None
    try:
        runner.compare_tables("initial")
        for _ in range(before):
            if time.time() - t0 > DEADLINE_S:
                raise Abort(f"deadline of {DEADLINE_S}s reached")
            runner.compare(gen.query())
        t1 = time.time()
        for _ in range(args.dml):
            q = gen.dml()
            if q is not None:
                runner.compare(q)
                dml_n += 1
        runner.compare_tables("after_dml")
        if not args.self_check:
            t_nc = time.time()
            noclist_phase(gen, runner, test, ref, factor)
            runner.compare_tables("after_noclist")
            itlib.log(f"INSERT without a column list: {time.time() - t_nc:.1f}s")
            t_km = time.time()
            keymove_phase(gen, runner, args.keymove)
            runner.compare_tables("after_keymove")
            itlib.log(f"shard-key UPDATEs, ORDER BY/LIMIT writes: {time.time() - t_km:.1f}s")
        for _ in range(args.queries - before):
            if time.time() - t0 > DEADLINE_S:
                raise Abort(f"deadline of {DEADLINE_S}s reached")
            runner.compare(gen.query())
        t2 = time.time()
        for _ in range(args.expr_queries):
            if time.time() - t0 > DEADLINE_S:
                raise Abort(f"deadline of {DEADLINE_S}s reached")
            runner.compare(gen.q_agg_expr())
        expr_s = time.time() - t2
        text_n = text_phase(args, seed, runner, test, ref, engine_test, problems, t0, reconnect,
                            reconnect_raw)
    except Abort as e:
        aborted = str(e)
        problems.append(f"aborted: {e}")
        itlib.log(f"\nABORTED (seed={seed}): {e}")
    if not args.self_check and not aborted:
        try:
            layout_problems = []
            check_layout(snapshot(ref), layout_problems)
            for p in layout_problems:
                problems.append(p + " (after the writes)")
                itlib.log(f"LAYOUT PROBLEM after the writes (seed={seed}): {p}")
        except QueryError as e:
            problems.append(f"snapshot failed: {e}")

    elapsed = time.time() - t0
    total = runner.summary()
    itlib.log(f"\n{total} statements compared ({args.queries} random SELECTs, {dml_n} writes, "
              f"{args.expr_queries} more over aggregates in {expr_s:.1f}s, "
              f"{text_n} text-phase statements) "
              f"in {elapsed:.1f}s (setup and the first {before} SELECTs: {t1 - t0:.1f}s); "
              f"{runner.mismatches} mismatches, {len(problems)} setup/layout problems; "
              f"seed={seed}")

    test.close()
    ref.close()
    if not args.keep:
        c = sl.backend(0)
        sl.query(c, "DROP DATABASE IF EXISTS diff_ref")
        sl.query(c, "DROP DATABASE IF EXISTS diff_ref2")
        c.close()
        if not args.self_check:
            try:
                Side("tessera", lambda: sl.tessera()).run("DROP DATABASE db_diff")
            except QueryError as e:
                itlib.log(f"tessera: DROP DATABASE db_diff: {e}")
            sl.drop_database_everywhere("db_diff")
    # Refusals are allowed for the few shapes Tessera cannot answer exactly yet (each class
    # named above), below 1% of the statements as issue 19 asks; more would mean a regression.
    # Window functions: both ways Tessera computes them were taken (issue 19), when the window
    # category ran enough statements to expect it.
    if runner.stats["window"][0] >= 40 and runner.explain_windows:
        for kind in ("shard, windows per shard", "shard, window functions in the merge",
                     "several windows: shard, window functions in the merge",
                     "windows over GROUP BY: shard, window functions in the merge",
                     "RANGE offsets: shard, window functions in the merge"):
            if runner.window_paths[kind] == 0:
                itlib.log(f"FAIL: no window statement planned as '{kind}'")
                problems.append(f"window plans: none '{kind}'")
    # WITH ROLLUP: the merge rolled up (group_merge.h) rather than shipping every statement.
    if runner.stats["rollup"][0] >= 40 and runner.explain_windows and \
            runner.window_paths["shard, ROLLUP in the merge"] == 0:
        itlib.log("FAIL: no WITH ROLLUP statement planned as 'shard, ROLLUP in the merge'")
        problems.append("rollup plans: none in the merge")
    refused_limit = max(1, (args.queries + text_n) // 100)
    if runner.refused > refused_limit:
        itlib.log(f"FAIL: {runner.refused} statements refused (limit {refused_limit})")
        return 1
    itlib.log(f"{runner.refused} statements refused with 1235 (limit {refused_limit})")
    return 1 if runner.mismatches or problems else 0


if __name__ == "__main__":
    sys.exit(main())
