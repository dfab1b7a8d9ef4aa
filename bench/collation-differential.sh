#!/usr/bin/env bash
# Benchmark-style long run (not a CI test) of issue 18's collation differential: repeats
# it.sharding_differential (tests/integration/test_sharding_differential.py) RUNS times, each
# with a new random seed, with the generic phase cut down and the text phase -- Unicode text in
# general_ci, unicode_ci, unicode_520_ci, unicode_520_nopad_ci, _bin, latin1_swedish_ci,
# cp1251_general_ci, latin2_general_ci and uca1400 (ai_ci, as_cs, nopad_ai_ci) columns, ordered,
# grouped, de-duplicated and compared through Tessera and directly, then as cp1251, latin1 and
# utf8mb3 clients -- made longer. Stops at the first run with a wrong result; its log names the seed to replay
# (TESSERA_DIFF_SEED=<seed>).
#
#   bench/collation-differential.sh                 # 10 runs x 4 text seeds x 2,500 statements
#   RUNS=50 TEXT_SEEDS=3 TEXT_QUERIES=2000 BUILD=build bench/collation-differential.sh
#
# Env: RUNS (10), TEXT_SEEDS (4), CLIENT_QUERIES (1000 per client charset), TEXT_QUERIES
# (2500 per text seed; the test stops itself at
# 390 s, inside ctest's 420 s timeout), QUERIES (generic SELECTs per run, 200), BUILD (build:
# a configured build directory with the integration tests).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=${RUNS:-10}
BUILD=${BUILD:-$ROOT/build}
export TESSERA_DIFF_TEXT_SEEDS=${TEXT_SEEDS:-4}
export TESSERA_DIFF_TEXT_QUERIES=${TEXT_QUERIES:-2500}
export TESSERA_DIFF_CLIENT_QUERIES=${CLIENT_QUERIES:-1000}
export TESSERA_DIFF_QUERIES=${QUERIES:-200}
unset TESSERA_DIFF_SEED
log=$(mktemp /tmp/collation-differential.XXXXXX.log)
echo "collation differential: $RUNS runs of $TESSERA_DIFF_TEXT_SEEDS x $TESSERA_DIFF_TEXT_QUERIES" \
  "text statements; log $log"
start=$SECONDS
if ctest --test-dir "$BUILD" -R 'it.sharding_differential$' --repeat "until-fail:$RUNS" \
  --output-on-failure -V >"$log" 2>&1; then
  status=ok
else
  status=FAILED
fi
grep -E "^\[sharding differential\] seed=|statements compared|MISMATCH" "$log" || true
echo "collation differential: $status after $((SECONDS - start)) s (log $log)"
[[ $status == ok ]]
