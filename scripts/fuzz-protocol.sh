#!/usr/bin/env bash
# Runs the GTID-set and binlog-event libFuzzer targets (fuzz/protocol) for a chosen time each,
# with AddressSanitizer and UndefinedBehaviorSanitizer. They need no Asio.
#
#   scripts/fuzz-protocol.sh            # 60 s per target
#   scripts/fuzz-protocol.sh 600        # 10 minutes per target
#
# Env: FUZZ_BUILD_DIR (default ./build-protocol-fuzz), JOBS (build parallelism, default 2).
# Seeds come from fuzz/corpus/<target>; the working corpus grows in fuzz/corpus-work/<target>
# (ignored by git), crash inputs land next to it as crash-*.
# Exit status: 0 clean, 1 a target found a problem, 77 clang is not installed.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SECS=${1:-60}
BUILD=${FUZZ_BUILD_DIR:-$ROOT/build-protocol-fuzz}
TARGETS=(fuzz_gtid_set fuzz_binlog_event)
if ! command -v clang++ >/dev/null 2>&1; then
  echo "fuzz-protocol.sh: clang++ not found (libFuzzer needs clang); skipping"
  exit 77
fi
CC=clang CXX=clang++ cmake -S "$ROOT" -B "$BUILD" -G Ninja -DTESSERA_FUZZ=ON \
  -DTESSERA_TESTS=OFF -DTESSERA_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C "$BUILD" -j"${JOBS:-2}" "${TARGETS[@]}"
status=0
for target in "${TARGETS[@]}"; do
  work=$ROOT/fuzz/corpus-work/$target
  mkdir -p "$work"
  echo "fuzz-protocol.sh: running $target for ${SECS}s"
  if ! "$BUILD/fuzz/protocol/$target" "$work" "$ROOT/fuzz/corpus/$target" \
      -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
      -print_final_stats=1 -artifact_prefix="$work/" 2>"$work.log"; then
    echo "fuzz-protocol.sh: $target FAILED; see $work.log"
    tail -30 "$work.log"
    status=1
  else
    grep -E "stat::number_of_executed_units|Done" "$work.log" | tail -2 || true
  fi
done
exit $status
