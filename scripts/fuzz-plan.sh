#!/usr/bin/env bash
# Runs the sharding-planner libFuzzer target (parse + plan against a sharded namespace + check
# every plan + re-parse every rewritten shard statement) for a chosen time, with AddressSanitizer
# and UndefinedBehaviorSanitizer (leak checking on) and libstdc++ assertions (empty optional,
# out-of-range operator[]).
#
#   scripts/fuzz-plan.sh            # 60 s
#   scripts/fuzz-plan.sh 600        # 10 minutes
#
# Env: FUZZ_BUILD_DIR (default ./build-plan-fuzz), JOBS (build parallelism, default 2).
# The working corpus grows in fuzz/corpus-work/plan_fuzzer (ignored by git); seeds come from
# fuzz/router/corpus and fuzz/sql/corpus. Crash inputs are written next to it as crash-*; add
# each one to kFuzzRegressions in tests/unit/router/plan_robustness_test.cc once fixed.
# Exit status: 0 clean, 1 the target found a problem, 77 clang is not installed.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SECS=${1:-60}
BUILD=${FUZZ_BUILD_DIR:-$ROOT/build-plan-fuzz}
if ! command -v clang++ >/dev/null 2>&1; then
  echo "fuzz-plan.sh: clang++ not found (libFuzzer needs clang); skipping"
  exit 77
fi
CC=clang CXX=clang++ cmake -S "$ROOT" -B "$BUILD" -G Ninja -DTESSERA_FUZZ=ON \
  -DTESSERA_TESTS=OFF -DTESSERA_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS=-D_GLIBCXX_ASSERTIONS \
  -DTESSERA_SKIP_MODULES="backend;topology;txn;exec;session;frontend;admin;app" >/dev/null
ninja -C "$BUILD" -j"${JOBS:-2}" plan_fuzzer
target=plan_fuzzer
work=$ROOT/fuzz/corpus-work/$target
mkdir -p "$work"
echo "fuzz-plan.sh: running $target for ${SECS}s"
if ! "$BUILD/fuzz/router/$target" "$work" "$ROOT/fuzz/router/corpus" "$ROOT/fuzz/sql/corpus" \
    -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
    -print_final_stats=1 -artifact_prefix="$work/" 2>"$work.log"; then
  echo "fuzz-plan.sh: $target FAILED; see $work.log"
  tail -40 "$work.log"
  exit 1
fi
grep -E "stat::number_of_executed_units|stat::average_exec_per_sec|Done" "$work.log" | tail -3 || true
