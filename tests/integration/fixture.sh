#!/usr/bin/env bash
# ctest fixture for the integration tests: `setup` starts the test cluster (scripts/cluster.sh)
# and, in proxy mode, Tessera with the generated config; `cleanup` stops both.
#
# Environment (set by tests/integration/CMakeLists.txt):
#   TESSERA_IT_MODE         proxy | direct
#   TESSERA_IT_CLUSTER_DIR  cluster directory (under the build tree)
#   TESSERA_IT_BASE_PORT    cluster base port
#   TESSERA_IT_HOST/PORT    where tests connect (Tessera's listen address in proxy mode)
#   TESSERA_IT_CONFIG       generated tessera.toml (proxy mode)
#   TESSERA_BIN             the tessera binary (proxy mode)
#   TESSERA_IT_RUN_DIR      where the pid file and tessera.log go
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
MODE=${TESSERA_IT_MODE:-proxy}
CLUSTER_DIR=${TESSERA_IT_CLUSTER_DIR:?}
BASE_PORT=${TESSERA_IT_BASE_PORT:-24306}
HOST=${TESSERA_IT_HOST:-127.0.0.1}
PORT=${TESSERA_IT_PORT:-14306}
RUN_DIR=${TESSERA_IT_RUN_DIR:-$CLUSTER_DIR/..}
PID_FILE=$RUN_DIR/tessera.pid
LOG_FILE=$RUN_DIR/tessera.log
mkdir -p "$RUN_DIR"

say() { echo "fixture: $*"; }
# alive PID: running and not a zombie
alive() { [[ -n ${1:-} ]] && kill -0 "$1" 2>/dev/null && [[ $(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) != Z ]]; }

front_users_direct() {
  # Direct mode: the front users the tests log in with must exist on the MariaDB server itself.
  # MariaDB has no caching_sha2_password server plugin, so sha2user is a native user there.
  mariadb --no-defaults -S "$CLUSTER_DIR/slice-0/primary/mysqld.sock" -uroot -e "
    CREATE USER IF NOT EXISTS 'app'@'127.0.0.1' IDENTIFIED BY 'app_pw';
    CREATE USER IF NOT EXISTS 'sbtest'@'127.0.0.1' IDENTIFIED BY 'sbtest';
    CREATE USER IF NOT EXISTS 'sha2user'@'127.0.0.1' IDENTIFIED BY 'sha2_pw';
    GRANT ALL ON *.* TO 'app'@'127.0.0.1';
    GRANT ALL ON *.* TO 'sbtest'@'127.0.0.1';
    GRANT ALL ON *.* TO 'sha2user'@'127.0.0.1';"
}

stop_tessera() {
  [[ -f $PID_FILE ]] || return 0
  local pid
  pid=$(cat "$PID_FILE")
  if alive "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do alive "$pid" || break; sleep 0.1; done
    if alive "$pid"; then
      say "tessera (pid $pid) ignored SIGTERM for 10s; killing"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    say "stopped tessera (pid $pid)"
  fi
  rm -f "$PID_FILE"
}

start_tessera() {
  local bin=${TESSERA_BIN:?TESSERA_BIN not set} config=${TESSERA_IT_CONFIG:?}
  [[ -x $bin ]] || { say "tessera binary $bin not found"; exit 1; }
  stop_tessera
  local check
  if ! check=$(timeout 20 "$bin" --check --config "$config" 2>&1); then
    say "tessera --check rejects $config:"; echo "$check"; exit 1
  fi
  if (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null; then
    say "port $PORT is already in use by another process; cannot start the test instance"; exit 1
  fi
  : >"$LOG_FILE"
  setsid "$bin" --config "$config" </dev/null >>"$LOG_FILE" 2>&1 &
  local pid=$!
  echo "$pid" >"$PID_FILE"
  say "started tessera pid $pid ($bin --config $config), log $LOG_FILE"
  local deadline=$((SECONDS + 30))
  until mariadb --no-defaults -h"$HOST" -P"$PORT" -uapp -papp_pw --connect-timeout=2 -N -B \
      -e 'SELECT 1' >/dev/null 2>&1; do
    if ! alive "$pid"; then
      say "tessera exited during startup; log:"; tail -n 40 "$LOG_FILE"; rm -f "$PID_FILE"; exit 1
    fi
    if ((SECONDS > deadline)); then
      say "tessera not answering queries on $HOST:$PORT after 30s; log:"; tail -n 40 "$LOG_FILE"
      stop_tessera; exit 1
    fi
    sleep 0.2
  done
  say "tessera is serving on $HOST:$PORT"
}

case ${1:-} in
  setup)
    # Each slice: a primary and 2 replicas (read/write splitting). The cluster is always
    # created afresh: a directory left by an interrupted run (a promoted replica, a crash in
    # the middle of replication) cannot be trusted to replicate again.
    if [[ -f $CLUSTER_DIR/cluster.env ]]; then
      "$ROOT/scripts/cluster.sh" stop --dir "$CLUSTER_DIR" >/dev/null 2>&1 || true
    fi
    rm -rf "$CLUSTER_DIR"
    "$ROOT/scripts/cluster.sh" start --dir "$CLUSTER_DIR" --slices 3 --replicas 2 --base-port "$BASE_PORT"
    # Least-privilege data accounts of the namespaces that need nothing more (config/*.in).
    # Namespace `it` keeps the harness's all-privileges `tessera`: it.hostile_kill checks the
    # CONNECTION_ID() mapping, which needs BINLOG REPLAY (README "Least-privilege backend
    # accounts"), and it.concurrency counts `tessera`'s backend threads.
    "$ROOT/scripts/cluster.sh" grant --dir "$CLUSTER_DIR" --account shard_rw --dbs db_ks,db_diff,db_spill
    "$ROOT/scripts/cluster.sh" grant --dir "$CLUSTER_DIR" --account guard_rw --dbs hostile_ro
    "$ROOT/scripts/cluster.sh" grant --dir "$CLUSTER_DIR" --account exact_rw \
      --dbs db_ex,db_my,db_my_0,db_my_1,db_my_2,db_myc_0,db_myc_1,db_myc_2
    # test_limits.py's private Tessera (namespaces limits, limits_shard, limits_ip)
    "$ROOT/scripts/cluster.sh" grant --dir "$CLUSTER_DIR" --account limits_rw --dbs demo,db_lim
    if [[ $MODE == direct ]]; then
      front_users_direct
      say "direct mode: tests talk to MariaDB at $HOST:$PORT (no Tessera)"
    else
      start_tessera
    fi
    ;;
  check)
    # Used by the tests before they start: in proxy mode, is Tessera still alive?
    [[ $MODE == proxy ]] || exit 0
    if [[ -s $PID_FILE ]] && alive "$(cat "$PID_FILE")"; then exit 0; fi
    say "tessera is not running (it died during an earlier test?); last lines of $LOG_FILE:"
    tail -n 15 "$LOG_FILE" 2>/dev/null
    exit 1
    ;;
  cleanup)
    rc=0
    if [[ $MODE == proxy && -s $PID_FILE ]] && ! alive "$(cat "$PID_FILE")"; then
      say "tessera (pid $(cat "$PID_FILE")) died during the tests; last lines of $LOG_FILE:"
      tail -n 20 "$LOG_FILE"
      rc=1
    fi
    stop_tessera
    CRASH='AddressSanitizer|LeakSanitizer|runtime error:|terminate called|double free|free\(\): |malloc\(\): |corrupted|Segmentation fault|stack smashing'
    if [[ -f $LOG_FILE ]] && grep -qE "$CRASH" "$LOG_FILE"; then
      say "tessera log shows a crash or sanitizer report:"; grep -E -B3 -A20 "$CRASH" "$LOG_FILE" | head -60
      rc=1
    fi
    "$ROOT/scripts/cluster.sh" stop --dir "$CLUSTER_DIR"
    exit $rc
    ;;
  *) echo "usage: $0 setup|check|cleanup" >&2; exit 2 ;;
esac
