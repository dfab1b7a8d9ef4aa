#!/usr/bin/env bash
# One-command demo: installs dependencies, builds, starts a 3-slice MariaDB cluster under
# ./.demo/cluster (ports 23306..23327) and Tessera on 127.0.0.1:13306 with examples/tessera.toml.
# Tessera reaches the servers through least-privilege accounts scripts/cluster.sh creates
# (demo_rw, demo_ro, tessera_monitor, repl), never the cluster's all-privileges `tessera`.
#
#   scripts/demo.sh          # or: scripts/demo.sh start
#   scripts/demo.sh status
#   scripts/demo.sh stop
#
# Env: SKIP_DEPS=1 (no apt), SKIP_BUILD=1 (use the existing build/), DEMO_DIR (default ./.demo),
#      TESSERA_CONFIG (default examples/tessera.toml; run from a copy, DEMO_DIR/tessera.toml,
#      so the XA decision log is DEMO_DIR/xa-decisions.log), TESSERA_BIN
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib/tessera-proc.sh
. "$ROOT/scripts/lib/tessera-proc.sh"
DEMO_DIR=${DEMO_DIR:-$ROOT/.demo}
CLUSTER_DIR=$DEMO_DIR/cluster
PID_FILE=$DEMO_DIR/tessera.pid
LOG_FILE=$DEMO_DIR/tessera.log
CONFIG=${TESSERA_CONFIG:-$ROOT/examples/tessera.toml}
BIN=${TESSERA_BIN:-$ROOT/build/src/app/tessera}

case ${1:-start} in
  start)
    [[ ${SKIP_DEPS:-0} == 1 ]] || "$ROOT/scripts/install-deps.sh"
    [[ ${SKIP_BUILD:-0} == 1 ]] || "$ROOT/scripts/build.sh"
    "$ROOT/scripts/cluster.sh" start --dir "$CLUSTER_DIR" --slices 3 --replicas 1 --base-port 23306
    # The run's own copy of the configuration: the XA decision log lands in $DEMO_DIR, not
    # beside examples/tessera.toml.
    RUN_CONFIG=$(tessera_run_config "$CONFIG" "$DEMO_DIR")
    tessera_start "$BIN" "$RUN_CONFIG" "$LOG_FILE" "$PID_FILE" 127.0.0.1 13306 app app_pw
    cat <<MSG

Tessera is running on 127.0.0.1:13306 in front of 3 slices (primaries on 23306, 23316, 23326).
  connect:  mariadb -h127.0.0.1 -P13306 -uapp -papp_pw demo
  read-only: mariadb -h127.0.0.1 -P13306 -ureport -preport_pw demo   (backend account demo_ro: SELECT only)
  sysbench: sysbench oltp_read_only --mysql-host=127.0.0.1 --mysql-port=13306 --mysql-user=sbtest --mysql-password=sbtest --mysql-db=sbtest prepare|run
  backends: scripts/cluster.sh status --dir $CLUSTER_DIR
  log:      $LOG_FILE
  stop:     scripts/demo.sh stop
MSG
    ;;
  stop)
    tessera_stop "$PID_FILE"
    "$ROOT/scripts/cluster.sh" stop --dir "$CLUSTER_DIR"
    ;;
  status)
    if tessera_running "$PID_FILE"; then echo "tessera: running (pid $(cat "$PID_FILE")) on 127.0.0.1:13306"
    else echo "tessera: not running"; fi
    "$ROOT/scripts/cluster.sh" status --dir "$CLUSTER_DIR"
    ;;
  *) echo "usage: $0 [start|stop|status]" >&2; exit 2 ;;
esac
