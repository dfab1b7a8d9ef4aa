#!/usr/bin/env python3
"""Load (issue 9): 10,000 concurrent client connections to a private Tessera (in front of the
shared fixture cluster's slice 0), 500 of them running queries while the rest sit idle.
Prints Tessera's RSS per idle client connection (target <= 32 KiB) and fails on any error.

Env: TESSERA_LOAD_IDLE (default 10000), TESSERA_LOAD_ACTIVE (default 500),
     TESSERA_LOAD_QUERIES (per active connection, default 20), TESSERA_LOAD_MAX_KIB (default 32).
"""
import os
import resource
import socket
import struct
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itlib  # noqa: E402
import robustlib  # noqa: E402
from itlib import RawConn, log  # noqa: E402

IDLE = int(os.environ.get("TESSERA_LOAD_IDLE", "10000"))
ACTIVE = int(os.environ.get("TESSERA_LOAD_ACTIVE", "500"))
QUERIES = int(os.environ.get("TESSERA_LOAD_QUERIES", "20"))
MAX_KIB = float(os.environ.get("TESSERA_LOAD_MAX_KIB", "32"))
# ASan's redzones and quarantine inflate every allocation: the figure is printed, the target
# is checked on builds without sanitizers.
SANITIZED = os.environ.get("TESSERA_IT_SANITIZED", "0") == "1"


def close_without_time_wait(sock):
    """Closes with a reset (SO_LINGER 0): a normal close by the client leaves a TIME_WAIT
    socket on its ephemeral port for a minute, and 10,000 of them can block other servers on
    this machine from binding ports in that range (mysqld: "Address already in use")."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    sock.close()


def raise_fd_limit(need):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else need
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < need:
        sys.exit(f"test_load: need {need} file descriptors, the hard limit allows {soft}")


def open_idle(port, n, errors):
    conns, lock = [], threading.Lock()

    def worker(count):
        mine = []
        for _ in range(count):
            try:
                c = RawConn(port=port, timeout=60)
                c.login("app", "app_pw")
                mine.append(c)
            except Exception as e:  # noqa: BLE001
                errors.append("idle login: " + repr(e))
        with lock:
            conns.extend(mine)

    threads = [threading.Thread(target=worker, args=(n // 8 + (1 if i < n % 8 else 0),))
               for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return conns


def run_active(port, errors):
    import pymysql

    def one(i):
        try:
            c = pymysql.connect(host="127.0.0.1", port=port, user="app", password="app_pw",
                                connect_timeout=30, read_timeout=60)
            with c.cursor() as cur:
                for q in range(QUERIES):
                    cur.execute("SELECT %s + %s", (i, q))
                    if cur.fetchone()[0] != i + q:
                        errors.append(f"active {i}: wrong result")
            # pymysql keeps no public handle on its socket; its close() sends COM_QUIT first
            c._sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            c.close()
        except Exception as e:  # noqa: BLE001
            errors.append(f"active {i}: {e!r}")

    with ThreadPoolExecutor(max_workers=ACTIVE) as pool:
        list(pool.map(one, range(ACTIVE)))


def main():
    if not robustlib.TESSERA_BIN:
        log("test_load: proxy mode only (needs the tessera binary)")
        return 0
    raise_fd_limit(IDLE + ACTIVE + 200)
    ns = robustlib.namespace_json("load", "app", "app_pw", itlib.BASE_PORT, capacity=8,
                                  max_capacity=300)
    tessera = robustlib.Tessera("load", {"load.json": ns}, k=1,
                                proxy_extra="pool_acquire_timeout_ms = 30000\n")
    errors = []
    idle = []
    try:
        tessera.start()
        # warm up: pools, worker buffers, allocator arenas
        run_active_small = [RawConn(port=tessera.port) for _ in range(50)]
        for c in run_active_small:
            c.login("app", "app_pw")
            c.query("SELECT 1")
        for c in run_active_small:
            close_without_time_wait(c.sock)
        time.sleep(1)
        rss0 = tessera.rss_kib()
        t0 = time.time()
        idle = open_idle(tessera.port, IDLE, errors)
        opened = time.time() - t0
        time.sleep(1)
        rss1 = tessera.rss_kib()
        per_conn = (rss1 - rss0) / max(1, len(idle))
        log(f"opened {len(idle)} idle logged-in connections in {opened:.1f}s")
        log(f"Tessera RSS: {rss0} KiB before, {rss1} KiB after: "
            f"{per_conn:.1f} KiB per idle client connection (target <= {MAX_KIB:.0f})")
        t0 = time.time()
        run_active(tessera.port, errors)
        log(f"{ACTIVE} active connections x {QUERIES} queries in {time.time() - t0:.1f}s "
            f"beside {len(idle)} idle ones; RSS now {tessera.rss_kib()} KiB")
        # every idle connection is still there and answers
        t0 = time.time()
        for c in idle:
            try:
                p = c.command(b"\x0e")  # COM_PING
                if p[0] != 0x00:
                    errors.append("ping: not OK")
            except Exception as e:  # noqa: BLE001
                errors.append("ping: " + repr(e))
        log(f"pinged {len(idle)} idle connections in {time.time() - t0:.1f}s")
        log(f"errors: {len(errors)}")
        for e in errors[:10]:
            log("  ", e)
        assert tessera.alive(), "tessera died"
        assert len(idle) == IDLE and not errors, f"{len(errors)} errors"
        if SANITIZED:
            log("sanitizer build: RSS target not checked")
        else:
            assert per_conn <= MAX_KIB, f"{per_conn:.1f} KiB per idle connection > {MAX_KIB}"
        return 0
    except BaseException:
        log("--- private tessera log ---\n" + tessera.log_tail(30))
        raise
    finally:
        for c in idle:
            close_without_time_wait(c.sock)
        tessera.stop()


if __name__ == "__main__":
    sys.exit(main())
