#!/usr/bin/env bash
# Runs the SQL front-end libFuzzer targets (parse+print+reparse, fingerprint+classify) for a
# chosen time each, with AddressSanitizer and UndefinedBehaviorSanitizer (leak checking on).
#
#   scripts/fuzz-sql.sh            # 60 s per target
#   scripts/fuzz-sql.sh 600        # 10 minutes per target
#
# Env: FUZZ_BUILD_DIR (default ./build-sql-fuzz), JOBS (build parallelism, default 2).
# The working corpus grows in fuzz/corpus-work/<target> (ignored by git); seeds come from
# fuzz/sql/corpus. Crash inputs are written next to the working corpus as crash-*.
# Exit status: 0 clean, 1 a target found a problem, 77 clang is not installed.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SECS=${1:-60}
BUILD=${FUZZ_BUILD_DIR:-$ROOT/build-sql-fuzz}
if ! command -v clang++ >/dev/null 2>&1; then
  echo "fuzz-sql.sh: clang++ not found (libFuzzer needs clang); skipping"
  exit 77
fi
CC=clang CXX=clang++ cmake -S "$ROOT" -B "$BUILD" -G Ninja -DTESSERA_FUZZ=ON \
  -DTESSERA_TESTS=OFF -DTESSERA_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C "$BUILD" -j"${JOBS:-2}" fuzz_sql_parse fuzz_sql_fingerprint
status=0
for target in fuzz_sql_parse fuzz_sql_fingerprint; do
  work=$ROOT/fuzz/corpus-work/$target
  mkdir -p "$work"
  echo "fuzz-sql.sh: running $target for ${SECS}s"
  if ! "$BUILD/fuzz/sql/$target" "$work" "$ROOT/fuzz/sql/corpus" \
      -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
      -print_final_stats=1 -artifact_prefix="$work/" 2>"$work.log"; then
    echo "fuzz-sql.sh: $target FAILED; see $work.log"
    tail -30 "$work.log"
    status=1
  else
    grep -E "stat::number_of_executed_units|Done" "$work.log" | tail -2 || true
  fi
done
exit $status
