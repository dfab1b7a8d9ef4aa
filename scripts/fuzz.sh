#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan, libstdc++ assertions, leak checking on)
# and runs each for a chosen time, one after the other.
#
#   scripts/fuzz.sh                      # every target, 30 s each
#   scripts/fuzz.sh 600                  # every target, 10 minutes each
#   scripts/fuzz.sh 60 fuzz_handshake    # chosen targets
#   scripts/fuzz.sh 60 fuzz_gtid_set fuzz_binlog_event   # the topology work's two targets
#   scripts/fuzz.sh --list               # the targets this tree builds
#
# Targets are every executable named fuzz_* or *_fuzzer under fuzz/ (including ones other
# modules add, e.g. GTID sets and binlog events). Seeds: fuzz/corpus/<target>/ (committed;
# fuzz/make_seeds.py writes the protocol and config ones). The working corpus grows in
# fuzz/corpus-work/<target>/ (ignored by git); a crash, hang (-timeout), leak or sanitizer
# report is saved there as crash-*/timeout-*/leak-* and the script fails. Reproduce one with
#   build-fuzz/fuzz/<module>/<target> fuzz/corpus-work/<target>/crash-...
# then add it to fuzz/corpus/<target>/ and a unit test once fixed.
#
# Env: FUZZ_BUILD_DIR (default ./build-fuzz), JOBS (build parallelism, default 2),
#      FUZZ_NICE (default 10), FUZZ_PARALLEL (targets run at once, default 1),
#      FUZZ_OPT (optimisation flags, default "-O1 -gline-tables-only": builds fast and keeps
#      file:line in reports), FUZZ_REUSE_BUILD=1 (see below). Exit status: 0 clean, 1 a target found a problem, 77 no clang.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${FUZZ_BUILD_DIR:-$ROOT/build-fuzz}
LIST_ONLY=0
if [[ ${1:-} == --list ]]; then LIST_ONLY=1; shift; fi
SECS=${1:-30}
[[ $# -gt 0 ]] && shift
if ! command -v clang++ >/dev/null 2>&1; then
  echo "fuzz.sh: clang++ not found (libFuzzer needs clang); skipping"
  exit 77
fi
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
# FUZZ_REUSE_BUILD=1: $BUILD is an existing clang build with TESSERA_FUZZ=ON (CI's ASan build):
# only the targets are brought up to date.
[[ ${FUZZ_REUSE_BUILD:-0} == 1 ]] ||
CC=clang CXX=clang++ cmake -S "$ROOT" -B "$BUILD" -G Ninja -DTESSERA_FUZZ=ON \
  -DTESSERA_TESTS=OFF -DTESSERA_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=${FUZZ_OPT:--O1 -gline-tables-only} -DNDEBUG" \
  -DCMAKE_CXX_FLAGS=-D_GLIBCXX_ASSERTIONS "${launcher[@]}" >/dev/null
mapfile -t all < <(ninja -C "$BUILD" -t targets all | sed -n 's/^\([a-z0-9_]*\): .*/\1/p' |
                   grep -v '^cmake_' | grep -E '^(fuzz_[a-z0-9_]+|[a-z0-9_]+_fuzzer)$' | sort -u)
if [[ $LIST_ONLY == 1 ]]; then printf '%s\n' "${all[@]}"; exit 0; fi
targets=("$@")
[[ ${#targets[@]} -eq 0 ]] && targets=("${all[@]}")
ninja -C "$BUILD" -j"${JOBS:-2}" "${targets[@]}" >/dev/null

# One target's run; its verdict goes to $work.verdict ("ok ..." or "FAILED ...").
run_target() {
  local target=$1 bin work t0 execs peak cov
  work=$ROOT/fuzz/corpus-work/$target
  mkdir -p "$work"
  rm -f "$work.verdict"
  bin=$(find "$BUILD/fuzz" -type f -name "$target" -perm -u+x | head -1)
  if [[ -z $bin ]]; then echo "FAILED: no binary for $target" >"$work.verdict"; return; fi
  local seeds=("$ROOT/fuzz/corpus/$target")
  # the planner starts from SQL statements too
  [[ $target == plan_fuzzer ]] && seeds+=("$ROOT/fuzz/corpus/fuzz_sql_parse")
  for d in "${seeds[@]}"; do [[ -d $d ]] || mkdir -p "$d"; done
  t0=$SECONDS
  if nice -n "${FUZZ_NICE:-10}" timeout $((SECS + 120)) "$bin" "$work" "${seeds[@]}" \
      -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048 \
      -max_len=8192 -print_final_stats=1 -artifact_prefix="$work/" >"$work.log" 2>&1; then
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work.log" | tail -1)
    peak=$(sed -n 's/^stat::peak_rss_mb: *//p' "$work.log" | tail -1)
    cov=$(grep -oE 'cov: [0-9]+' "$work.log" | tail -1)
    printf 'ok  %4ds %10s runs  %s  peak %s MB  corpus %s\n' $((SECONDS - t0)) \
      "${execs:-?}" "${cov:-}" "${peak:-?}" "$(ls "$work" | wc -l)" >"$work.verdict"
  else
    echo "FAILED after $((SECONDS - t0))s; see $work.log" >"$work.verdict"
  fi
}

# FUZZ_PARALLEL targets at a time (each libFuzzer process uses one core).
running=0
for target in "${targets[@]}"; do
  if ((running >= ${FUZZ_PARALLEL:-1})); then wait -n || true; running=$((running - 1)); fi
  run_target "$target" &
  running=$((running + 1))
done
wait || true

status=0
passed=0
failed=0
for target in "${targets[@]}"; do
  work=$ROOT/fuzz/corpus-work/$target
  verdict=$(cat "$work.verdict" 2>/dev/null || echo "FAILED: no verdict")
  printf 'fuzz.sh: %-24s %s\n' "$target" "$verdict"
  if [[ $verdict == ok* ]]; then
    passed=$((passed + 1))
  else
    grep -E 'ERROR|SUMMARY|artifact|runtime error' "$work.log" 2>/dev/null | head -10 || true
    status=1
    failed=$((failed + 1))
  fi
done
echo "fuzz: $passed passed, $failed failed"
exit $status
