#!/usr/bin/env bash
# Installs dependencies, builds, and runs every test (unit + integration) with ctest.
# The integration fixture starts and stops its own cluster and Tessera; if this script is
# interrupted, the trap below stops whatever the fixture left running.
#
#   scripts/test.sh                 # everything
#   scripts/test.sh -L integration  # extra arguments go to ctest
#   scripts/test.sh -R it.blob
#
# Env: SKIP_DEPS=1, SKIP_BUILD=1, BUILD_DIR (default ./build), CTEST_JOBS (default nproc),
#      SANITIZE=1 (ASan+UBSan build in ./build-asan, no benchmarks, -O1 with line tables;
#      clang when installed (SANITIZE_CXX=g++ forces GCC): GCC 12 needs ~4x longer at -O2 on our
#      coroutine code, and the clang build also carries the libFuzzer targets, which
#      `FUZZ_BUILD_DIR=build-asan FUZZ_REUSE_BUILD=1 scripts/fuzz.sh` runs; its integration fixture
#      uses ports 15306/15307 and cluster base 25306 so it can run beside a normal build's
#      tests; ASAN_IT_PROXY_PORT, ASAN_IT_ADMIN_PORT, ASAN_IT_BASE_PORT override them;
#      ASAN_OPTIONS defaults to leak checking on and alloc_dealloc_mismatch off, a GCC 12
#      false positive on Asio's coroutine frames)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CMAKE_ARGS=()
if [[ ${SANITIZE:-0} == 1 ]]; then
  BUILD_DIR=${BUILD_DIR:-$ROOT/build-asan}
  CMAKE_ARGS+=(-DTESSERA_SANITIZE=ON -DTESSERA_BENCH=OFF
               -DTESSERA_IT_PROXY_PORT="${ASAN_IT_PROXY_PORT:-15306}"
               -DTESSERA_IT_ADMIN_PORT="${ASAN_IT_ADMIN_PORT:-15307}"
               -DTESSERA_IT_BASE_PORT="${ASAN_IT_BASE_PORT:-25306}")
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:alloc_dealloc_mismatch=0}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
fi
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
export BUILD_DIR

cleanup() {
  local rc=$?
  local pidf=$BUILD_DIR/it-run/tessera.pid
  if [[ -s $pidf ]] && kill -0 "$(cat "$pidf")" 2>/dev/null; then
    echo "test.sh: stopping leftover tessera (pid $(cat "$pidf"))"
    kill -TERM "$(cat "$pidf")" 2>/dev/null || true
    sleep 1
    kill -KILL "$(cat "$pidf")" 2>/dev/null || true
    rm -f "$pidf"
  fi
  if [[ -f $BUILD_DIR/it-cluster/cluster.env ]]; then
    "$ROOT/scripts/cluster.sh" stop --dir "$BUILD_DIR/it-cluster" >/dev/null 2>&1 || true
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

t0=$SECONDS
[[ ${SKIP_DEPS:-0} == 1 ]] || "$ROOT/scripts/install-deps.sh"
if [[ ${SANITIZE:-0} == 1 ]]; then
  # Decided after install-deps, which installs clang on a fresh machine.
  if [[ ${SANITIZE_CXX:-clang++} == clang++ ]] && command -v clang++ >/dev/null; then
    export CC=clang CXX=clang++
    CMAKE_ARGS+=(-DTESSERA_FUZZ=ON "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only -DNDEBUG"
                 -DCMAKE_CXX_FLAGS=-D_GLIBCXX_ASSERTIONS)
  else
    CMAKE_ARGS+=("-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG")
  fi
fi
[[ ${SKIP_BUILD:-0} == 1 ]] || "$ROOT/scripts/build.sh" "${CMAKE_ARGS[@]}"
echo "test.sh: build ready after $((SECONDS - t0))s; running ctest"
ctest --test-dir "$BUILD_DIR" --output-on-failure --no-tests=error \
  -j"${CTEST_JOBS:-$(nproc)}" "$@"
echo "test.sh: all tests passed in $((SECONDS - t0))s"
