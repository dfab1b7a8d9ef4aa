#!/usr/bin/python3
"""Records the server's UPPER()/LOWER() case maps of every utf8mb3, utf8mb4 and latin1
collation (src/exec/case_map*).

MariaDB maps case one character at a time through a per-collation table ("unicase": general_ci
and unicode_ci share one, unicode_520_ci has its own, uca1400 another, the Turkish and
Azerbaijani tailorings map i/I to dotted/dotless forms, latin1 uses its own 256-byte maps). For
each collation it asks the server for UPPER() and LOWER() of every code point (all 17 planes
for utf8mb4, the BMP for utf8mb3, surrogates excluded; the 256 bytes of latin1) and keeps only
the characters that change, then groups the collations whose maps are the same into families:

  src/exec/collation_tables/case_maps.inc
      kMaps: the distinct one-direction maps, run-length encoded: records of four int32
        [first, count, stride, delta]: the code points first + k * stride (k < count) map to
        themselves + delta; every other code point maps to itself
      kFamilies: (upper map, lower map, 8-bit) per family
      kCollations: every collation name, sorted, with its family
  tests/unit/exec/collation_data/case_maps.pairs
      random strings (the characters the differential test uses, mixed) with the server's
      UPPER() and LOWER() of them, per family, so the unit test checks whole strings too

A utf8mb3 collation joins the utf8mb4 family whose map agrees with it on the BMP (its strings
hold no other characters). The script fails if any character maps to more or fewer than one
character (the compiled maps are one to one).

  scripts/record-case-maps.py --socket /path/mysqld.sock   (or --host/--port/--user)
"""
import argparse
import os
import random
import sys

import pymysql

CHARSETS = ("utf8mb4", "utf8mb3", "latin1")

ALPHABET = (
    list("aAbBzZ09 _%-.,'!~iIıİ") + ["\t", "  "] + list("éÉèàÀâäÄåÅöÖøØæÆœßẞçÇñÑüÜÿŸµ") +
    list("жЖяЯёЁйЙиІїΣσςΩωάΆ") + list("中文字日本語한국") + ["😀", "🍺", "𝔸", "𠀀", "𐐀", "𐐨"] +
    list("ǅǆǄĳﬁŉΐ\u00ad\u0301\u00a0ⱥȺɐⱯꞫɜ")
)
LATIN1_ALPHABET = [chr(b) for b in range(0x20, 0x7f)] + list("éÉèàÀâäÄåÅöÖøØæÆßçÇñÑüÜÿŸµŠšŽžŒœ€")


def one_code_point(hexed, charset):
    raw = bytes.fromhex(hexed)
    if charset == "latin1":
        if len(raw) != 1:
            sys.exit(f"latin1 case map to {hexed}: not one byte")
        return raw[0]
    s = raw.decode("utf-8", "surrogatepass")
    if len(s) != 1:
        sys.exit(f"case map to {hexed}: not one character")
    return ord(s)


def record(cur, coll, charset):
    """{code point (latin1: byte): (upper, lower)} for the characters UPPER or LOWER change."""
    if charset == "latin1":
        src = f"SELECT seq, CHAR(seq USING latin1) COLLATE {coll} AS x FROM seq_0_to_255"
    else:
        top = 0x10FFFF if charset == "utf8mb4" else 0xFFFF
        src = (f"SELECT seq, CONVERT(CHAR(seq USING utf32) USING {charset}) COLLATE {coll} AS x "
               f"FROM seq_0_to_{top} WHERE seq < 55296 OR seq > 57343")
    cur.execute(f"SELECT seq, HEX(UPPER(x)), HEX(LOWER(x)) FROM ({src}) a "
                "WHERE BINARY UPPER(x) <> BINARY x OR BINARY LOWER(x) <> BINARY x")
    out = {}
    for cp, up, low in cur.fetchall():
        out[int(cp)] = (one_code_point(up, charset), one_code_point(low, charset))
    return out


def direction(changes, k):
    return {cp: m[k] for cp, m in changes.items() if m[k] != cp}


def encode(m):
    """Records [first, count, stride, delta] over the sorted code points of map `m`."""
    cps = sorted(m)
    out = []
    i = 0
    while i < len(cps):
        first = cps[i]
        delta = m[first] - first
        best = (1, 1)  # count, stride
        for stride in (1, 2):
            n = 1
            while True:
                nxt = first + n * stride
                if m.get(nxt, None) != nxt + delta:
                    break
                # stride 2: the code point skipped must map to itself (records never overlap)
                if stride == 2 and (nxt - 1) in m:
                    break
                n += 1
            if n > best[0]:
                best = (n, stride)
        n, stride = best
        out.append((first, n, stride, delta))
        i += n if stride == 1 else 1
        if stride == 2:
            covered = {first + k * 2 for k in range(n)}
            while i < len(cps) and cps[i] in covered:
                i += 1
    # The records' spans are disjoint and sorted by first code point.
    return out


def apply(records, cp):
    for first, n, stride, delta in records:
        if first <= cp < first + n * stride and (cp - first) % stride == 0:
            return cp + delta
    return cp


def random_string(rng, alphabet):
    n = rng.choice([1, 2, 3, 4, 6, 9])
    s = "".join(rng.choice(alphabet) for _ in range(n))
    if rng.random() < 0.2:
        s += rng.choice([" ", "  "])
    return s


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--socket")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=3306)
    ap.add_argument("--user", default="root")
    ap.add_argument("--password", default="")
    ap.add_argument("--pairs", type=int, default=60, help="random strings per family")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--root", default=root)
    args = ap.parse_args()
    kw = dict(user=args.user, password=args.password, charset="utf8mb4", database="mysql")
    if args.socket:
        kw["unix_socket"] = args.socket
    else:
        kw.update(host=args.host, port=args.port)
    conn = pymysql.connect(**kw)
    version = conn.get_server_info().replace("5.5.5-", "")
    cur = conn.cursor()
    cur.execute("SELECT FULL_COLLATION_NAME, CHARACTER_SET_NAME FROM "
                "information_schema.COLLATION_CHARACTER_SET_APPLICABILITY WHERE "
                f"CHARACTER_SET_NAME IN ({', '.join(repr(c) for c in CHARSETS)}) "
                "ORDER BY CHARACTER_SET_NAME DESC, ID")
    collations = cur.fetchall()
    # families: (charset kind, upper map, lower map) -> index; utf8mb3 ones matched on the BMP
    families = []  # [kind, upper dict, lower dict, first collation]
    members = {}
    for coll, charset in collations:
        changes = record(cur, coll, charset)
        up, low = direction(changes, 0), direction(changes, 1)
        kind = "latin1" if charset == "latin1" else "unicode"
        found = None
        for f, (fkind, fup, flow, _) in enumerate(families):
            if fkind != kind:
                continue
            if charset == "utf8mb3":
                same = ({c: v for c, v in fup.items() if c < 0x10000} == up and
                        {c: v for c, v in flow.items() if c < 0x10000} == low)
            else:
                same = fup == up and flow == low
            if same:
                found = f
                break
        if found is None:
            if charset == "utf8mb3":
                sys.exit(f"{coll}: no utf8mb4 family has its map (record utf8mb4 first)")
            families.append([kind, up, low, coll])
            found = len(families) - 1
            print(f"family {found}: {coll} ({len(up)} upper, {len(low)} lower)", file=sys.stderr)
        members[coll] = found
    maps = []  # distinct encoded maps
    fam_rows = []
    for kind, up, low, _ in families:
        idx = []
        for m in (up, low):
            enc = encode(m)
            for cp, to in m.items():
                assert apply(enc, cp) == to
            if enc not in maps:
                maps.append(enc)
            idx.append(maps.index(enc))
        fam_rows.append((idx[0], idx[1], kind == "latin1"))
    path = os.path.join(args.root, "src/exec/collation_tables/case_maps.inc")
    with open(path, "w") as f:
        f.write(f"// Generated by scripts/record-case-maps.py from {version}: UPPER()/LOWER()\n")
        f.write(f"// of every utf8mb3, utf8mb4 and latin1 collation, {len(families)} families. "
                "Do not edit.\n")
        for i, enc in enumerate(maps):
            f.write(f"static constexpr int32_t kMap{i}[{4 * len(enc)}] = {{\n")
            for r in range(0, len(enc), 3):
                f.write("    " + " ".join(f"{a:#x}, {b}, {c}, {d}," for a, b, c, d in enc[r:r + 3])
                        + "\n")
            f.write("};\n")
        f.write("static constexpr std::span<const int32_t> kMaps[] = {"
                + ", ".join(f"kMap{i}" for i in range(len(maps))) + "};\n")
        f.write("// upper map, lower map, 8-bit (latin1 bytes; otherwise Unicode code points); "
                "first member\n")
        f.write("static constexpr FamilyRecord kFamilies[] = {\n")
        for (u, l, eight), fam in zip(fam_rows, families):
            f.write(f"    {{{u}, {l}, {'true' if eight else 'false'}}},  // {fam[3]}\n")
        f.write("};\n")
        f.write("static constexpr CollationRecord kCollations[] = {\n")
        for name in sorted(members):
            f.write(f"    {{\"{name}\", {members[name]}}},\n")
        f.write("};\n")
    # Whole strings, per family, under its first member.
    data = os.path.join(args.root, "tests/unit/exec/collation_data/case_maps.pairs")
    rng = random.Random(19)
    with open(data, "w") as f:
        f.write(f"# {version}: collation, utf8 hex s, utf8 hex UPPER(s), utf8 hex LOWER(s)\n")
        for kind, _, _, coll in families:
            charset = coll.split("_")[0]
            alphabet = LATIN1_ALPHABET if kind == "latin1" else ALPHABET
            if charset == "utf8mb3":
                alphabet = [c for c in alphabet if ord(c) < 0x10000]
            for _ in range(args.pairs):
                s = random_string(rng, alphabet)
                cur.execute(f"SELECT HEX(CONVERT(UPPER(x) USING utf8mb4)), "
                            f"HEX(CONVERT(LOWER(x) USING utf8mb4)) FROM (SELECT "
                            f"CONVERT(%s USING {charset}) COLLATE {coll} AS x) a", (s,))
                up, low = cur.fetchone()
                f.write(f"{coll} {s.encode().hex()} {up.lower()} {low.lower()}\n")
    print(f"{len(collations)} collations, {len(families)} families, {len(maps)} maps, "
          f"{sum(len(m) for m in maps)} records", file=sys.stderr)


if __name__ == "__main__":
    main()
