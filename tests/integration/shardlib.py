"""Helpers shared by the sharding integration tests (test_sharding_*.py).

The `shard` namespace (config/it_shard.json.in) maps Tessera's slice-1..slice-3 onto the test
cluster's slice-0..slice-2 primaries, so "slice-N" in Tessera's terms is the backend primary at
TESSERA_IT_BASE_PORT + 10*(N-1). The tests look at those backends directly (as tessera/tessera,
bypassing Tessera) to check where rows and tables really are.
"""

import os
import sys

import itlib

SHARD_USER = "shard"
SHARD_PASSWORD = "shard_pw"
SLICES = ["slice-1", "slice-2", "slice-3"]
BACKEND_USER = "tessera"
BACKEND_PASSWORD = "tessera"


def backend_port(slice_index):
    """Port of the primary behind Tessera's slice-(slice_index+1)."""
    return itlib.BASE_PORT + 10 * slice_index


def backend(slice_index, database=None, **kw):
    """A pymysql connection straight to a backend primary (autocommit)."""
    import pymysql

    kw.setdefault("connect_timeout", 10)
    kw.setdefault("read_timeout", 60)
    kw.setdefault("write_timeout", 60)
    kw.setdefault("autocommit", True)
    return pymysql.connect(host="127.0.0.1", port=backend_port(slice_index), user=BACKEND_USER,
                           password=BACKEND_PASSWORD, database=database, **kw)


def tessera(database=None, **kw):
    """A pymysql connection through Tessera as the sharded namespace's user."""
    kw.setdefault("autocommit", True)
    return itlib.connect(SHARD_USER, SHARD_PASSWORD, database=database, **kw)


def query(conn, sql, args=None):
    with conn.cursor() as cur:
        cur.execute(sql, args)
        return cur.fetchall()


def backend_query(slice_index, sql, database=None):
    c = backend(slice_index, database)
    try:
        return query(c, sql)
    finally:
        c.close()


def backend_tables(slice_index, database):
    """Table names in `database` on a backend primary, or None if the database is missing."""
    c = backend(slice_index)
    try:
        if not query(c, "SHOW DATABASES LIKE %s", (database,)):
            return None
        return sorted(r[0] for r in query(c, f"SHOW TABLES FROM `{database}`"))
    finally:
        c.close()


def drop_database_everywhere(database):
    """Removes a database from every backend primary directly (pre-clean / safety net)."""
    for i in range(len(SLICES)):
        c = backend(i)
        try:
            query(c, f"DROP DATABASE IF EXISTS `{database}`")
        finally:
            c.close()


def require_proxy(what):
    """These tests are about Tessera's sharding: against MariaDB alone they mean nothing, so they
    refuse loudly instead of passing."""
    if not itlib.PROXY:
        print(f"{what}: needs Tessera (TESSERA_IT_MODE=proxy); mode is {itlib.MODE}. "
              "Not skipping silently: failing.", flush=True)
        sys.exit(1)
    itlib.require_target_alive()


def gaea_hash_index(key, tables):
    """Gaea/kingshard `hash` rule on an integer key: uint64(key) % number of tables."""
    return (key % (1 << 64)) % tables


def slice_of_table(index, locations):
    """Which slice (0-based) holds sub-table `index`, given a rule's locations list."""
    for s, n in enumerate(locations):
        if index < n:
            return s
        index -= n
    raise ValueError("table index beyond the rule's locations")


def env_flag(name):
    return os.environ.get(name, "") not in ("", "0", "no", "false")
