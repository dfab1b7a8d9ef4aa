#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan, libstdc++ assertions, leak checking on)
# and runs each for a chosen time, one after the other.
#
#   scripts/fuzz.sh                      # every target, 30 s each
#   scripts/fuzz.sh 600                  # every target, 10 minutes each
#   scripts/fuzz.sh 60 fuzz_handshake    # chosen targets
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
#      FUZZ_NICE (default 10). Exit status: 0 clean, 1 a target found a problem, 77 no clang.
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
CC=clang CXX=clang++ cmake -S "$ROOT" -B "$BUILD" -G Ninja -DTESSERA_FUZZ=ON \
  -DTESSERA_TESTS=OFF -DTESSERA_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS=-D_GLIBCXX_ASSERTIONS "${launcher[@]}" >/dev/null
mapfile -t all < <(ninja -C "$BUILD" -t targets all | sed -n 's/^\([a-z0-9_]*\): .*/\1/p' |
                   grep -v '^cmake_' | grep -E '^(fuzz_[a-z0-9_]+|[a-z0-9_]+_fuzzer)$' | sort -u)
if [[ $LIST_ONLY == 1 ]]; then printf '%s\n' "${all[@]}"; exit 0; fi
targets=("$@")
[[ ${#targets[@]} -eq 0 ]] && targets=("${all[@]}")
ninja -C "$BUILD" -j"${JOBS:-2}" "${targets[@]}" >/dev/null

status=0
passed=0
failed=0
for target in "${targets[@]}"; do
  bin=$(find "$BUILD/fuzz" -type f -name "$target" -perm -u+x | head -1)
  if [[ -z $bin ]]; then echo "fuzz.sh: no binary for $target"; status=1; continue; fi
  work=$ROOT/fuzz/corpus-work/$target
  mkdir -p "$work"
  seeds=("$ROOT/fuzz/corpus/$target")
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
    printf 'fuzz.sh: %-24s ok  %4ds %10s runs  %s  peak %s MB  corpus %s\n' "$target" \
      $((SECONDS - t0)) "${execs:-?}" "${cov:-}" "${peak:-?}" "$(ls "$work" | wc -l)"
    passed=$((passed + 1))
  else
    echo "fuzz.sh: $target FAILED after $((SECONDS - t0))s; see $work.log"
    grep -E 'ERROR|SUMMARY|artifact|runtime error' "$work.log" | head -10 || true
    status=1
    failed=$((failed + 1))
  fi
done
echo "fuzz: $passed passed, $failed failed"
exit $status
