#!/usr/bin/env python3
"""Writes the seed corpus of the protocol and config fuzz targets into fuzz/corpus/<target>/.

The seeds are well-formed messages (the shapes MariaDB, MySQL 8 and common clients send), so
the fuzzer starts from inputs that get past the first length checks. Rerun after changing a
target's input layout; the files are committed.
"""
import os
import re
import struct
import sys
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "fuzz", "corpus")


def lenenc_int(n):
    if n < 251:
        return bytes([n])
    if n < 1 << 16:
        return b"\xfc" + struct.pack("<H", n)
    if n < 1 << 24:
        return b"\xfd" + struct.pack("<I", n)[:3]
    return b"\xfe" + struct.pack("<Q", n)


def lenenc_str(b):
    return lenenc_int(len(b)) + b


def write(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# --- client packets: [num_params][caps selector][payload with command byte] ---
def stmt_execute(stmt_id, types_values, bound=True, nulls=()):
    n = len(types_values)
    bitmap = bytearray((n + 7) // 8)
    for i in nulls:
        bitmap[i // 8] |= 1 << (i % 8)
    p = b"\x17" + struct.pack("<IBI", stmt_id, 0, 1)
    if n:
        p += bytes(bitmap) + (b"\x01" if bound else b"\x00")
        if bound:
            p += b"".join(struct.pack("<BB", t, f) for t, f, _ in types_values)
        p += b"".join(v for _, _, v in types_values if v is not None)
    return bytes([n, 1]) + p


write("fuzz_client_packets", "execute_ints", stmt_execute(1, [
    (0x01, 0, b"\x7f"), (0x02, 0, struct.pack("<h", -2)), (0x03, 0x80, struct.pack("<I", 7)),
    (0x08, 0, struct.pack("<q", -1))]))
write("fuzz_client_packets", "execute_reals", stmt_execute(2, [
    (0x04, 0, struct.pack("<f", 1.5)), (0x05, 0, struct.pack("<d", -2.25))]))
write("fuzz_client_packets", "execute_strings", stmt_execute(3, [
    (0xfd, 0, lenenc_str(b"hello")), (0xfc, 0, lenenc_str(b"\x00\xff'\\")),
    (0xf6, 0, lenenc_str(b"1.5e3")), (0x0f, 0, lenenc_str(b"x" * 300))]))
write("fuzz_client_packets", "execute_temporal", stmt_execute(4, [
    (0x0a, 0, b"\x04" + struct.pack("<HBB", 2024, 2, 29)),
    (0x0c, 0, b"\x0b" + struct.pack("<HBBBBBI", 2024, 2, 29, 23, 59, 58, 123456)),
    (0x0b, 0, b"\x0c" + struct.pack("<BIBBBI", 1, 3, 4, 5, 6, 7)),
    (0x07, 0, b"\x07" + struct.pack("<HBBBBB", 1999, 12, 31, 1, 2, 3))]))
write("fuzz_client_packets", "execute_nulls", stmt_execute(5, [
    (0x06, 0, None), (0xfd, 0, None), (0x03, 0, struct.pack("<i", 1))], nulls=(0, 1)))
write("fuzz_client_packets", "execute_unbound", stmt_execute(6, [
    (0xfd, 0, lenenc_str(b"a")), (0xfd, 0, lenenc_str(b"b"))], bound=False))
write("fuzz_client_packets", "execute_noparams", stmt_execute(7, []))
write("fuzz_client_packets", "stmt_close", b"\x00\x00\x19" + struct.pack("<I", 9))
write("fuzz_client_packets", "change_user", b"\x00\x01\x11" + b"bob\x00" + b"\x14" + b"s" * 20 +
      b"db1\x00" + struct.pack("<H", 45) + b"mysql_native_password\x00" +
      lenenc_str(lenenc_str(b"_client_name") + lenenc_str(b"pymysql")))

# --- handshake response ---
CAPS = 0x0000_0200 | 0x8000 | 0x80000 | 0x8 | 0x100000 | 0x200000 | 0x1 | 0x4 | 0x800000


def handshake_response(caps, user, auth, db=None, plugin=b"mysql_native_password", attrs=None):
    p = struct.pack("<IIB", caps, 1 << 24, 45) + b"\x00" * 23 + user + b"\x00"
    if caps & 0x200000:
        p += lenenc_str(auth)
    else:
        p += bytes([len(auth)]) + auth
    if db is not None:
        p += db + b"\x00"
    if caps & 0x80000:
        p += plugin + b"\x00"
    if caps & 0x100000:
        a = b"".join(lenenc_str(k) + lenenc_str(v) for k, v in (attrs or {}).items())
        p += lenenc_str(a)
    return p


write("fuzz_handshake", "native", handshake_response(CAPS | 0x8, b"root", b"\x11" * 20, b"test",
                                                       attrs={b"_os": b"Linux", b"_pid": b"42"}))
write("fuzz_handshake", "sha2", handshake_response(CAPS & ~0x8, b"app", b"\x22" * 32,
                                                     plugin=b"caching_sha2_password"))
write("fuzz_handshake", "old_auth_len", handshake_response(0x200 | 0x8000 | 0x80000, b"u", b"x" * 20))
write("fuzz_handshake", "empty_password", handshake_response(CAPS, b"nopw", b""))
write("fuzz_handshake", "ssl_request", struct.pack("<IIB", CAPS | 0x800, 1 << 24, 45) + b"\x00" * 23)
write("fuzz_handshake", "server_greeting",
      b"\x0a" + b"10.11.6-MariaDB\x00" + struct.pack("<I", 7) + b"abcdefgh\x00" +
      struct.pack("<HBHH", 0xf7fe, 45, 2, 0x81bf) + b"\x15" + b"\x00" * 6 +
      struct.pack("<I", 0x1d) + b"ijklmnopqrst\x00" + b"mysql_native_password\x00")
write("fuzz_handshake", "auth_switch", b"\xfe" + b"mysql_native_password\x00" + b"s" * 20 + b"\x00")

# --- backend packets: [caps selector][payload] ---
def ok(affected, insert_id, status, warnings, info=b"", state=None):
    p = b"\x00" + lenenc_int(affected) + lenenc_int(insert_id) + struct.pack("<HH", status, warnings)
    if state is None:
        return p + info
    return p + lenenc_str(info) + lenenc_str(state)


def entry(kind, data):
    return bytes([kind]) + lenenc_str(data)


state = (entry(0, lenenc_str(b"autocommit") + lenenc_str(b"OFF")) +
         entry(1, lenenc_str(b"shop")) + entry(2, lenenc_str(b"1")) +
         entry(3, b"\x00" + lenenc_str(b"0-1-42")) + entry(4, lenenc_str(b"T_______")) +
         entry(5, lenenc_str(b"START TRANSACTION READ ONLY;")))
write("fuzz_backend_packets", "ok_plain", b"\x01" + ok(3, 17, 0x0002, 1))
write("fuzz_backend_packets", "ok_session_state", b"\x01" + ok(0, 0, 0x4002, 0, b"", state))
write("fuzz_backend_packets", "ok_info_old_caps", b"\x00" + ok(1, 0, 2, 0, b"Rows matched: 1"))
write("fuzz_backend_packets", "ok_big_lenenc", b"\x01\x00\xfe" + struct.pack("<Q", 1 << 40) +
      b"\xfc\x01\x00" + struct.pack("<HH", 0x4000, 0) + b"\x00\xfd\xff\xff\xff")
write("fuzz_backend_packets", "err", b"\x01\xff" + struct.pack("<H", 1064) + b"#42000You have an error")
write("fuzz_backend_packets", "err_no_state", b"\x01\xff" + struct.pack("<H", 1040) + b"Too many")
write("fuzz_backend_packets", "eof", b"\x01\xfe" + struct.pack("<HH", 0, 0x22))
write("fuzz_backend_packets", "result_end_ok", b"\x01\xfe\x00\x00" + struct.pack("<HH", 0x22, 0))
write("fuzz_backend_packets", "prepare_ok", b"\x01\x00" + struct.pack("<IHHxH", 5, 2, 3, 0))


def coldef(name, ctype, flags=0, decimals=0, length=11, charset=63):
    return (lenenc_str(b"def") + lenenc_str(b"shop") + lenenc_str(b"t") + lenenc_str(b"t_0001") +
            lenenc_str(name) + lenenc_str(name) + b"\x0c" +
            struct.pack("<HIBHBxx", charset, length, ctype, flags, decimals))


write("fuzz_backend_packets", "coldef_int", b"\x01" + coldef(b"id", 0x03, 0x23))
write("fuzz_backend_packets", "coldef_varchar", b"\x01" + coldef(b"name", 0xfd, 0, 0, 400, 45))
write("fuzz_backend_packets", "coldef_decimal", b"\x01" + coldef(b"price", 0xf6, 0, 2, 12))

# --- result rows: [ncols-1][type flags decimals length]*n [row] ---
def cols(spec):
    return bytes([len(spec) - 1]) + b"".join(bytes(c) for c in spec)


def text_row(values):
    return b"".join(b"\xfb" if v is None else lenenc_str(v) for v in values)


def binary_row(n, nulls, values):
    bitmap = bytearray((n + 7 + 2) // 8)
    for i in nulls:
        bitmap[(i + 2) // 8] |= 1 << ((i + 2) % 8)
    return b"\x00" + bytes(bitmap) + values


write("fuzz_result_rows", "text_numbers",
      cols([(0x03, 0, 0, 11), (0x08, 0x20, 0, 20), (0x05, 0, 31, 22), (0xf6, 0, 2, 12)]) +
      text_row([b"-42", b"18446744073709551615", b"1.5e-7", b"123.45"]))
write("fuzz_result_rows", "text_temporal",
      cols([(0x0a, 0, 0, 10), (0x0c, 0, 6, 26), (0x0b, 0, 0, 10), (0x0d, 0, 0, 4), (0x07, 0, 0, 19)]) +
      text_row([b"2024-02-29", b"2024-02-29 23:59:58.123456", b"-838:59:59", b"2024",
                b"1999-12-31 01:02:03"]))
write("fuzz_result_rows", "text_strings_null",
      cols([(0xfd, 0, 0, 255), (0xfc, 0x80, 0, 255), (0xfe, 0, 0, 10), (0x10, 0x80, 0, 8)]) +
      text_row([b"hello", None, b"x" * 260, b"\x05"]))
write("fuzz_result_rows", "binary_mixed",
      cols([(0x03, 0, 0, 11), (0xfd, 0, 0, 255), (0x05, 0, 31, 22), (0x0c, 0, 0, 19)]) +
      binary_row(4, [1], struct.pack("<i", -7) + struct.pack("<d", 2.5) +
                 b"\x07" + struct.pack("<HBBBBB", 2020, 1, 2, 3, 4, 5)))
write("fuzz_result_rows", "binary_time",
      cols([(0x0b, 0, 3, 14), (0x01, 0x20, 0, 3), (0x02, 0, 0, 6)]) +
      binary_row(3, [], b"\x0c" + struct.pack("<BIBBBI", 1, 1, 2, 3, 4, 5000) + b"\xff" +
                 struct.pack("<h", -300)))

# --- response decoder: [command selector][caps selector][u16 length + packet]* ---
# command: 0 query, 1 execute, 2 fetch, 3 prepare, 4 field list, 5 statistics, 6 init db;
# caps: bit 0 DEPRECATE_EOF, bit 1 extended type info, bit 2 fed as frames.
def packets(*ps):
    return b"".join(struct.pack("<H", len(p)) + p for p in ps)


def end_ok(status):
    return b"\xfe" + ok(0, 0, status, 0)[1:]


def eof(status, warnings=0):
    return b"\xfe" + struct.pack("<HH", warnings, status)


two_cols = [coldef(b"id", 0x03), coldef(b"name", 0xfd, 0, 0, 400, 45)]
text_rows = [text_row([b"1", b"a"]), text_row([b"2", None])]
write("fuzz_response_decoder", "query_rows_deof",
      b"\x00\x01" + packets(b"\x02", *two_cols, *text_rows, end_ok(0x22)))
write("fuzz_response_decoder", "query_rows_eof",
      b"\x00\x04" + packets(b"\x02", *two_cols, eof(0x22), *text_rows, eof(0x22)))
write("fuzz_response_decoder", "query_multi",
      b"\x00\x01" + packets(b"\x02", *two_cols, text_rows[0], end_ok(0x2a), ok(1, 0, 0x2a, 0),
                            ok(0, 0, 0x22, 0)))
write("fuzz_response_decoder", "query_local_infile",
      b"\x00\x01" + packets(b"\xfb/tmp/x.csv", ok(3, 0, 0x22, 0)))
write("fuzz_response_decoder", "query_err_mid_rows",
      b"\x00\x01" + packets(b"\x02", *two_cols, text_rows[0],
                            b"\xff" + struct.pack("<H", 1317) + b"#70100interrupted"))
bin_row = binary_row(2, [], struct.pack("<i", 7) + lenenc_str(b"x"))
write("fuzz_response_decoder", "execute_rows",
      b"\x01\x01" + packets(b"\x02", *two_cols, bin_row, end_ok(0x22)))
write("fuzz_response_decoder", "execute_cursor",
      b"\x01\x01" + packets(b"\x02", *two_cols, eof(0x62)))
write("fuzz_response_decoder", "fetch",
      b"\x02\x01" + packets(bin_row, bin_row, end_ok(0xe2)))
write("fuzz_response_decoder", "prepare_eof",
      b"\x03\x00" + packets(b"\x00" + struct.pack("<IHHxH", 5, 2, 1, 0), two_cols[0], two_cols[0],
                            eof(2), two_cols[1], eof(2)))
write("fuzz_response_decoder", "field_list",
      b"\x04\x01" + packets(two_cols[0] + b"\xfb", two_cols[1] + b"\xfb", end_ok(2)))
write("fuzz_response_decoder", "statistics", b"\x05\x01" + packets(b"Uptime: 1"))
write("fuzz_response_decoder", "init_db", b"\x06\x01" + packets(ok(0, 0, 2, 0)))

# --- compressed frames: [limit selector][compressed packets] ---
def zpacket(plain, seq, stored=False):
    body = plain if stored else zlib.compress(plain)
    ulen = 0 if stored else len(plain)
    return struct.pack("<I", len(body))[:3] + bytes([seq]) + struct.pack("<I", ulen)[:3] + body


def mysql_frames(payload, seq=0):
    out = b""
    while True:
        chunk = payload[:0xFFFFFF]
        payload = payload[0xFFFFFF:]
        out += struct.pack("<I", len(chunk))[:3] + bytes([seq]) + chunk
        seq = (seq + 1) & 0xFF
        if len(chunk) < 0xFFFFFF:
            return out


query = mysql_frames(b"\x03SELECT * FROM t1 WHERE a = 1 AND b = 'some text to compress'")
write("fuzz_compressed_frames", "stored_query",
      b"\x0a" + zpacket(mysql_frames(b"\x03select 1"), 0, True))
write("fuzz_compressed_frames", "deflated_query", b"\x0a" + zpacket(query, 0))
write("fuzz_compressed_frames", "two_in_one", b"\x0a" + zpacket(query + mysql_frames(b"\x0e"), 0))
big = mysql_frames(b"\x03INSERT INTO t VALUES ('" + b"x" * 5000 + b"')")
write("fuzz_compressed_frames", "split_over_three",
      b"\x0a" + zpacket(big[:2], 0, True) + zpacket(big[2:3000], 1) + zpacket(big[3000:], 2))
write("fuzz_compressed_frames", "empty_packet", b"\x00" + zpacket(b"", 0, True))
write("fuzz_compressed_frames", "over_limit", b"\x00" + zpacket(b"y" * 4000, 0))
write("fuzz_compressed_frames", "wrong_length",
      b"\x0a" + struct.pack("<I", len(zlib.compress(b"z" * 300)))[:3] + b"\x00" +
      struct.pack("<I", 299)[:3] + zlib.compress(b"z" * 300))


# --- config files ---
def substitute(text):
    return re.sub(rb"@[A-Z0-9_]+@", lambda m: b"24306" if b"PORT" in m.group(0) or
                  b"SLICE" in m.group(0) else b"127.0.0.1", text)


def copy_config(target, src, name):
    with open(os.path.join(ROOT, src), "rb") as f:
        write(target, name, substitute(f.read()))


copy_config("fuzz_proxy_config", "examples/tessera.toml", "example.toml")
copy_config("fuzz_proxy_config", "tests/integration/config/tessera.toml.in", "it.toml")
write("fuzz_proxy_config", "minimal.toml", b'[proxy]\nlisten = "127.0.0.1:3306"\n')
write("fuzz_proxy_config", "types.toml",
      b'[proxy]\nworker_threads = 4\nnamespace_files = ["a.json", "b.json"]\n'
      b'client_idle_timeout = 60\n[admin]\nlisten = ""\n[log]\nlevel = "debug"\n')
copy_config("fuzz_namespace_config", "examples/namespaces/demo.json", "demo.json")
copy_config("fuzz_namespace_config", "tests/integration/config/it.json.in", "it.json")
copy_config("fuzz_namespace_config", "tests/integration/config/it_shard.json.in", "it_shard.json")
copy_config("fuzz_namespace_config", "tests/integration/config/broken.json.in", "broken.json")

# --- long chains, deep nesting, huge lists (fuzz/sql/chain_expander.h) ---
# 0xFF shape count_hi count_lo prefix [0x01 term [0x01 suffix]]; count = (lo + 1) << (hi % 10)
# (capped at 100,000) and the shape indexes kChainShapes there.
def chain(shape, count, prefix, term=None, suffix=None):
    shift = 0
    while -(-count // (1 << shift)) > 256:
        shift += 1
    lo = -(-count // (1 << shift)) - 1
    data = bytes([0xFF, shape, shift, lo]) + prefix
    if term is not None:
        data += b"\x01" + term
        if suffix is not None:
            data += b"\x01" + suffix
    return data


CHAIN_SEEDS = {
    "plus_100k": chain(0, 100000, b"SELECT * FROM t1 WHERE a = "),
    "or_60k": chain(18, 60000, b"SELECT * FROM t1 WHERE a = ", b"1"),
    "or_terms_60k": chain(1, 60000, b"SELECT * FROM t1 WHERE ", b"a = 7", b" ORDER BY a"),
    "and_60k": chain(2, 60000, b"DELETE FROM t1 WHERE ", b"a > 0"),
    "xor_2k": chain(3, 2000, b"SELECT ", b"a"),
    "in_100k": chain(17, 100000, b"SELECT * FROM t1 WHERE a IN (", b"42", b")"),
    "values_20k": chain(17, 20000, b"INSERT INTO t1 (a, b) VALUES ", b"(1, 2)"),
    "sub_1900": chain(6, 1900, b"SELECT "),
    "eq_3k": chain(12, 3000, b"UPDATE t1 SET b = ", b"a", b" WHERE a = 1"),
    "union_5k": chain(19, 5000, b"SELECT a FROM t1 WHERE a = 1", b"1"),
    "join_5k": chain(20, 5000, b"SELECT * FROM t1", b"1"),
    "collate_5k": chain(21, 5000, b"SELECT ", b"'x'"),
    "minus_100k": chain(22, 100000, b"SELECT "),
    "not_100k": chain(26, 100000, b"SELECT * FROM t1 WHERE ", b"a = 1"),
    "parens_100k": chain(28, 100000, b"SELECT * FROM t1 WHERE a = "),
    "calls_1k": chain(29, 1000, b"SELECT "),
    "subqueries_1k": chain(30, 1000, b"SELECT "),
    "in_subqueries_1k": chain(31, 1000, b"SELECT * FROM t1 WHERE ", b"1"),
    "case_1k": chain(32, 1000, b"SELECT "),
    "assign_1k": chain(33, 1000, b"SELECT "),
}
for target in ("fuzz_sql_parse", "fuzz_sql_fingerprint", "plan_fuzzer"):
    for name, data in CHAIN_SEEDS.items():
        write(target, f"chain_{name}", data)

print("seeds written to", OUT, file=sys.stderr)
