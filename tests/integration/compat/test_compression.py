#!/usr/bin/env python3
"""Issue 16 item 14: the compressed protocol (CLIENT_COMPRESS, zlib) on the client side.

Differential: every check runs directly against slice-0's MariaDB primary (account tessera)
and through Tessera (user app), and the two must agree.
  - the mariadb CLI with --compress: `status` reports "Protocol: Compressed" (and without it
    does not); a compressed session's results (a batch of statements: text, multi-results,
    a CALL, errors, values over 16 MiB both ways, the Compression status) equal direct
  - raw compressed connections (compat/wirelib.py) that break the rules: deflate data that is
    not zlib, a payload inflating to another length than announced, an empty deflated packet:
    Tessera answers 1157 (08S01) and closes, never hangs (the server closes without a word, or
    takes a shorter payload); two commands in one compressed packet are both answered (the
    server answers the first only); one command over two compressed packets as the server
The corpus under compression is test_protocol_diff.py's profile "compressed"; the node drivers
run compressed in it.compat_node_compressed.
"""
import os
import re
import socket
import subprocess
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, HERE)
import itlib  # noqa: E402
import wirelib as w  # noqa: E402

DIRECT = dict(port=itlib.BASE_PORT, user="tessera", password="tessera")
THROUGH = dict(port=itlib.PORT, user="app", password=itlib.USERS["app"])
TARGETS = {"direct": DIRECT, "tessera": THROUGH if itlib.PROXY else DIRECT}
FAILS = []


def check(name, ok, detail=""):
    itlib.log(("ok   " if ok else "FAIL ") + name + ("" if ok else f": {detail}"))
    if not ok:
        FAILS.append(name)


def cli(target, args, stdin=None):
    cmd = ["mariadb", "--no-defaults", "--protocol=tcp", "-h", itlib.HOST,
           "-P", str(target["port"]), "-u" + target["user"], "-p" + target["password"],
           "--connect-timeout=10", "--max-allowed-packet=64M", "demo"] + args
    r = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=120)
    return r.returncode, r.stdout, r.stderr


def protocol_line(target, compress):
    rc, out, err = cli(target, (["--compress"] if compress else []) + ["-e", "status"])
    m = re.search(r"^Protocol:\s*(.*)$", out, re.M)
    return rc, (m.group(1).strip() if m else None), err


BATCH = """
SELECT 1 AS a, 'x' AS b, NULL AS c, 2.5 AS d;
SELECT seq, REPEAT('r', seq % 13), seq * 1.5 FROM seq_1_to_2000;
SELECT 1; SELECT 2, 'two';
DROP PROCEDURE IF EXISTS cx_compress_p;
CREATE PROCEDURE cx_compress_p() BEGIN SELECT 'first'; SELECT 'second', 2; END;
CALL cx_compress_p();
DROP PROCEDURE cx_compress_p;
SELECT LENGTH(REPEAT('c', 17000000)) AS n, MD5(REPEAT('c', 17000000)) AS h;
SELECT MD5(x) FROM (SELECT REPEAT('z', 17000000) AS x) t;
SELECT LENGTH('{BIG}') AS sent;
SHOW SESSION STATUS LIKE 'Compression';
SELECT no_such_column FROM DUAL;
"""


def cli_checks():
    for compress, want in ((True, "Compressed"), (False, None)):
        seen = {}
        for name, t in TARGETS.items():
            rc, line, err = protocol_line(t, compress)
            seen[name] = (rc, line)
        label = "--compress" if compress else "no --compress"
        check(f"cli {label}: status Protocol line {seen['direct']} directly, "
              f"{seen['tessera']} through Tessera",
              seen["direct"] == seen["tessera"] and seen["direct"] == (0, want), seen)
    # One statement over 16 MiB travels from the client too.
    batch = BATCH.replace("{BIG}", "s" * 17000000)
    outs = {}
    for name, t in TARGETS.items():
        rc, out, err = cli(t, ["--compress", "--batch", "--force"], stdin=batch)
        outs[name] = (rc, out, re.sub(r"at line \d+", "", err).strip())
    d, t = outs["direct"], outs["tessera"]
    check("cli --compress batch: same exit status, output and errors",
          d == t, f"direct {d[0]} {d[1][-300:]!r} {d[2]!r} / tessera {t[0]} {t[1][-300:]!r} "
          f"{t[2]!r}")
    check("cli --compress batch: Compression ON in the output",
          "Compression\tON" in t[1], t[1][-200:])


def raw_connect(target):
    conn = w.Wire(itlib.HOST, target["port"], timeout=20)
    login = conn.connect(target["user"], target["password"], "demo",
                         caps=w.CLIENT_LONG_PASSWORD | w.CLIENT_LONG_FLAG | w.CLIENT_TRANSACTIONS
                         | w.CLIENT_MULTI_RESULTS | w.CLIENT_COMPRESS)
    assert login["kind"] == "ok", login
    assert conn.compressed
    return conn


def header(clen, seq, ulen):
    return clen.to_bytes(3, "little") + bytes([seq]) + ulen.to_bytes(3, "little")


def frame(payload, seq=0):
    return len(payload).to_bytes(3, "little") + bytes([seq]) + payload


def read_reply(conn):
    try:
        reply = conn.read_reply()
    except itlib.Closed:
        return "closed"
    except (socket.timeout, TimeoutError):
        return "timeout (hang)"
    except w.ProtocolError as e:
        return f"protocol error: {e}"
    for r in reply:
        if isinstance(r, dict) and r.get("kind") == "err":
            r.pop("message", None)  # Tessera explains in its own words
    return reply


def outcome(conn, raw, replies):
    """What the target does with `raw` bytes (compressed packets): its replies (decoded) and
    whether it then closes."""
    pos = 0
    while pos < len(raw):  # the reply's compressed ids continue after the last one sent
        conn.cseq = (raw[pos + 3] + 1) & 0xFF
        pos += 7 + int.from_bytes(raw[pos:pos + 3], "little")
    conn.send_raw(raw)
    reply = [read_reply(conn) for _ in range(replies)]
    if any(isinstance(r, str) for r in reply):
        return {"reply": reply}
    try:
        conn.sock.settimeout(5)
        more = conn.sock.recv(1)
        after = "closed" if more == b"" else "more bytes"
    except (socket.timeout, TimeoutError):
        after = "open"
    except OSError:
        after = "closed"
    return {"reply": reply, "after": after}


UNCOMPRESS_ERROR = {"reply": [[{"kind": "err", "code": 1157, "sqlstate": "08S01"}]],
                    "after": "closed"}


def hostile_checks():
    """Each case: the bytes, the replies to read, and what Tessera must do: "same" as the server,
    or (documented where the server is silent or lenient) 1157 then close, or answer both
    pipelined commands."""
    query = frame(b"\x03SELECT 'compressed' AS c, 12345")
    zq = zlib.compress(frame(b"\x03SELECT REPEAT('a', 100)" + b" " * 200))
    cases = {
        # The server closes without a word; Tessera says why first (1157, as the server's
        # ER_NET_UNCOMPRESS_ERROR), then closes.
        "garbage deflate data": (header(80, 0, 400) + os.urandom(80), 1, "1157"),
        "deflated packet without payload": (header(0, 0, 10), 1, "1157"),
        "not zlib but a stored frame claimed deflated":
            (header(len(query), 0, len(query)) + query, 1, "1157"),
        # The server takes what inflates (shorter than announced); Tessera refuses a packet
        # that is not what its header says.
        "inflates shorter than announced": (header(len(zq), 0, len(zq) + 5000) + zq, 1, "1157"),
        # The server answers the first command of a compressed packet and loses the second
        # (it waits for more); Tessera answers both, in order.
        "two commands in one stored packet":
            (header(2 * len(query), 0, 0) + query + query, 2, "both"),
        "a command split over two packets": (header(3, 0, 0) + query[:3]
                                             + header(len(query) - 3, 1, 0) + query[3:], 1,
                                             "same"),
    }
    for name, (raw, replies, expect) in cases.items():
        results = {}
        for tname, t in TARGETS.items():
            conn = raw_connect(t)
            try:
                results[tname] = outcome(conn, raw, replies if tname == "tessera" else 1)
            finally:
                conn.close()
        d, t = results["direct"], results["tessera"]
        if expect == "same" or not itlib.PROXY:
            ok = d == t
        elif expect == "1157":
            ok = t == UNCOMPRESS_ERROR
        else:
            ok = (t.get("after") == "open" and len(t["reply"]) == 2
                  and t["reply"][0] == t["reply"][1] == d["reply"][0])
        check(f"raw compressed: {name} (expect {expect}): tessera {str(t)[:200]}; "
              f"direct {str(d)[:200]}", ok, f"direct {d} / tessera {t}")


def main():
    itlib.require_target_alive()
    cli_checks()
    hostile_checks()
    if FAILS:
        sys.exit(f"{len(FAILS)} check(s) failed")
    itlib.log("all checks passed")


if __name__ == "__main__":
    main()
