#!/usr/bin/env bash
# Delay from a commit on the primary to Tessera's Topology knowing a replica applied it
# (p50/p99), pushed from the replica's binlog stream vs polled (issue 5). Starts a private
# 1-slice cluster (primary + 1 replica) on --base-port (default 30576) under a temporary
# directory, runs bench/topology/replica_position_delay against it, stops the cluster.
#
#   bench/replica-position-delay.sh [--build DIR] [--base-port P] [--commits N]
#                                   [--poll-interval-ms MS]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$ROOT/build
PORT=30576
COMMITS=200
POLL=500
while [[ $# -gt 0 ]]; do
  case $1 in
    --build) BUILD=$2; shift 2 ;;
    --base-port) PORT=$2; shift 2 ;;
    --commits) COMMITS=$2; shift 2 ;;
    --poll-interval-ms) POLL=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
BIN=$BUILD/bench/topology/replica_position_delay
[[ -x $BIN ]] || { echo "build $BIN first (ninja -C $BUILD replica_position_delay)" >&2; exit 2; }
DIR=$(mktemp -d /tmp/tessera-rpd.XXXXXX)
cleanup() { "$ROOT/scripts/cluster.sh" stop --dir "$DIR" >/dev/null 2>&1 || true; rm -rf "$DIR"; }
trap cleanup EXIT
"$ROOT/scripts/cluster.sh" start --dir "$DIR" --slices 1 --replicas 1 --base-port "$PORT"
"$BIN" --primary "127.0.0.1:$PORT" --replica "127.0.0.1:$((PORT + 1))" --commits "$COMMITS" \
  --poll-interval-ms "$POLL"
