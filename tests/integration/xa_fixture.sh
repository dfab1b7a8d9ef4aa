#!/usr/bin/env bash
# ctest fixture `tessera_xa`: the private 3-slice cluster (no replicas) the XA crash tests kill
# and restart, on TESSERA_IT_BASE_PORT + 400 (never the shared fixture's cluster).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DIR=${TESSERA_XA_CLUSTER_DIR:?}
PORT=$((${TESSERA_IT_BASE_PORT:?} + 400))
case ${1:-} in
  setup)
    "$ROOT/scripts/cluster.sh" start --dir "$DIR" --slices 3 --replicas 0 --base-port "$PORT"
    # The namespace's least-privilege data account (xalib.namespace_json): XA START .. PREPARE,
    # and recovery's XA RECOVER / XA COMMIT / XA ROLLBACK of another connection's prepared
    # branch, need no privilege beyond the data ones on MariaDB 10.11.
    "$ROOT/scripts/cluster.sh" grant --dir "$DIR" --account xa_rw --dbs db_bank
    ;;
  cleanup) "$ROOT/scripts/cluster.sh" stop --dir "$DIR" ;;
  *) echo "usage: $0 setup|cleanup" >&2; exit 2 ;;
esac
