#!/usr/bin/env bash
# Installs dependencies, builds, and runs every test (unit + integration) with ctest.
# The integration fixture starts and stops its own cluster and Tessera; if this script is
# interrupted, the trap below stops whatever the fixture left running.
#
#   scripts/test.sh                 # everything
#   scripts/test.sh -L integration  # extra arguments go to ctest
#   scripts/test.sh -R it.blob
#
# Env: SKIP_DEPS=1, SKIP_BUILD=1, BUILD_DIR (default ./build), CTEST_JOBS (default nproc)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
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
[[ ${SKIP_BUILD:-0} == 1 ]] || "$ROOT/scripts/build.sh"
echo "test.sh: build ready after $((SECONDS - t0))s; running ctest"
ctest --test-dir "$BUILD_DIR" --output-on-failure --no-tests=error \
  -j"${CTEST_JOBS:-$(nproc)}" "$@"
echo "test.sh: all tests passed in $((SECONDS - t0))s"
