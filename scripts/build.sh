#!/usr/bin/env bash
# Configure and build Tessera (RelWithDebInfo, Ninja) into ./build.
# Usage: scripts/build.sh [extra cmake -D options...]
# Env: BUILD_DIR (default <repo>/build), BUILD_TYPE (default RelWithDebInfo), JOBS (default nproc)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo}
JOBS=${JOBS:-$(nproc)}
cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="$BUILD_TYPE" "$@"
ninja -C "$BUILD_DIR" -j"$JOBS"
