#!/usr/bin/env bash
# Parses every SQL statement of MariaDB's test suite (Debian package mariadb-test) and prints the
# parse / round-trip share per statement kind; failures go to a file for triage.
#
#   scripts/sql-corpus.sh                       # default suite dir, failures in the build dir
#   scripts/sql-corpus.sh --dir=/path/to/main   # another mysql-test directory
#
# Env: BUILD_DIR (default ./build-sql), JOBS (default 2). Extra arguments go to the test binary
# (--failures=FILE, --dml-target=98, --all-target=90). Exit 77 if the suite is not installed.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD_DIR:-$ROOT/build-sql}
[[ -f $BUILD/build.ninja ]] || cmake -S "$ROOT" -B "$BUILD" -G Ninja >/dev/null
ninja -C "$BUILD" -j"${JOBS:-2}" tessera_sql_corpus
exec "$BUILD/tests/unit/sql/tessera_sql_corpus" \
  --failures="$BUILD/tests/unit/sql/sql-corpus-failures.txt" "$@"
