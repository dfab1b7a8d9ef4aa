#!/usr/bin/env bash
# Soak run (issue 9; not part of CI): sysbench oltp_read_write through Tessera for a long time
# (default 30 minutes), printing once a minute Tessera's RSS, its open file descriptors and
# sysbench's throughput and error rate, then the totals. Fails on any sysbench error or
# reconnect, on Tessera dying, or when the sbtest tables do not check out afterwards.
#
#   scripts/soak.sh                 # 30 minutes, 16 threads
#   MINUTES=5 THREADS=32 scripts/soak.sh
#
# Starts its own 1-slice cluster (no replicas) under ./.soak/cluster and a Tessera on its own
# ports, both stopped at the end. Env: MINUTES (30), THREADS (16), TABLES (4), TABLE_SIZE
# (10000), PS_MODE (disable; auto = server-side prepared statements), SOAK_BASE_PORT (26306,
# MariaDB), SOAK_PORT (16306, Tessera; admin on the next port), SOAK_DIR (./.soak),
# TESSERA_BIN (./build/src/app/tessera).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib/tessera-proc.sh
. "$ROOT/scripts/lib/tessera-proc.sh"

MINUTES=${MINUTES:-30}
THREADS=${THREADS:-16}
TABLES=${TABLES:-4}
TABLE_SIZE=${TABLE_SIZE:-10000}
PS_MODE=${PS_MODE:-disable}
BASE_PORT=${SOAK_BASE_PORT:-26306}
PORT=${SOAK_PORT:-16306}
DIR=${SOAK_DIR:-$ROOT/.soak}
BIN=${TESSERA_BIN:-$ROOT/build/src/app/tessera}
HOST=127.0.0.1

mkdir -p "$DIR/namespaces"
PIDF=$DIR/tessera.pid
LOG=$DIR/tessera.log
SB_OUT=$DIR/sysbench.txt

finish() {
  local rc=$?
  tessera_stop "$PIDF" >/dev/null || true
  "$ROOT/scripts/cluster.sh" stop --dir "$DIR/cluster" >/dev/null 2>&1 || true
  exit $rc
}
trap finish EXIT
trap 'exit 130' INT TERM

cat >"$DIR/tessera.toml" <<EOF
[proxy]
listen = "$HOST:$PORT"
default_auth_plugin = "mysql_native_password"
namespaces_dir = "namespaces"
[admin]
listen = "$HOST:$((PORT + 1))"
user = "admin"
password = "admin"
[log]
level = "info"
EOF
cat >"$DIR/namespaces/soak.json" <<EOF
{
  "name": "soak", "online": true, "read_only": false,
  "allowed_dbs": {"sbtest": true},
  "default_slice": "slice-0",
  "slices": [{"name": "slice-0", "user_name": "tessera", "password": "tessera",
     "master": "$HOST:$BASE_PORT", "slaves": [], "statistic_slaves": [],
     "capacity": 16, "max_capacity": $((THREADS + 16)), "idle_timeout": 60}],
  "shard_rules": [],
  "users": [{"user_name": "sbtest", "password": "sbtest", "namespace": "soak",
             "rw_flag": 2, "rw_split": 0, "other_property": 0}]
}
EOF

echo "soak: cluster on $HOST:$BASE_PORT, Tessera on $HOST:$PORT, $MINUTES min, $THREADS threads"
"$ROOT/scripts/cluster.sh" start --dir "$DIR/cluster" --slices 1 --replicas 0 \
  --base-port "$BASE_PORT" >/dev/null
: >"$LOG"
tessera_start "$BIN" "$DIR/tessera.toml" "$LOG" "$PIDF" "$HOST" "$PORT" sbtest sbtest
TPID=$(cat "$PIDF")

SB=(sysbench oltp_read_write --db-driver=mysql --mysql-host="$HOST" --mysql-port="$PORT"
    --mysql-user=sbtest --mysql-password=sbtest --mysql-db=sbtest --mysql-ssl=off
    --tables="$TABLES" --table-size="$TABLE_SIZE" --rand-type=uniform --db-ps-mode="$PS_MODE"
    --mysql-ignore-errors=all)
"${SB[@]}" cleanup >/dev/null 2>&1 || true
"${SB[@]}" prepare >/dev/null

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
fds() { find "/proc/$1/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }

rss0=$(rss_kib "$TPID")
echo "soak: Tessera RSS before the run: $rss0 KiB"
# --mysql-ignore-errors=all: an error is counted (and reported) instead of ending the run
"${SB[@]}" --threads="$THREADS" --time=$((MINUTES * 60)) --report-interval=60 run >"$SB_OUT" 2>&1 &
SB_PID=$!
printf '%-8s %10s %6s %10s %10s %8s\n' minute rss_kib fds tps qps err/s
minute=0
sleep 2  # sample just after sysbench prints its per-minute line
while kill -0 "$SB_PID" 2>/dev/null; do
  sleep 60 &
  wait $! || true
  kill -0 "$TPID" 2>/dev/null || { echo "soak: FAIL: tessera died"; tail -30 "$LOG"; exit 1; }
  minute=$((minute + 1))
  # sysbench's interval line: "[ 60s ] thds: 16 tps: 512.3 qps: 10246.1 (r/w/o: ...) ... err/s: 0.00 reconn/s: 0.00"
  line=$(grep -E '^\[ *[0-9]+s \]' "$SB_OUT" | tail -1 || true)
  tps=$(sed -n 's/.* tps: \([0-9.]*\).*/\1/p' <<<"$line")
  qps=$(sed -n 's/.* qps: \([0-9.]*\).*/\1/p' <<<"$line")
  errs=$(sed -n 's/.* err\/s: \([0-9.]*\).*/\1/p' <<<"$line")
  printf '%-8s %10s %6s %10s %10s %8s\n' "$minute" "$(rss_kib "$TPID")" "$(fds "$TPID")" \
    "${tps:--}" "${qps:--}" "${errs:--}"
done
wait "$SB_PID" || { echo "soak: FAIL: sysbench failed"; tail -20 "$SB_OUT"; exit 1; }

errors=$(awk '/^ *ignored errors:/ {print $3; exit}' "$SB_OUT")
reconnects=$(awk '/^ *reconnects:/ {print $2; exit}' "$SB_OUT")
txns=$(awk '/^ *transactions:/ {print $2; exit}' "$SB_OUT")
rss1=$(rss_kib "$TPID")
echo "soak: transactions=$txns errors=$errors reconnects=$reconnects;" \
     "Tessera RSS $rss0 KiB before, $rss1 KiB after"
rc=0
[[ $errors == 0 ]] || { echo "soak: FAIL: $errors errors"; grep -m5 -i error "$SB_OUT"; rc=1; }
[[ $reconnects == 0 ]] || { echo "soak: FAIL: $reconnects reconnects"; rc=1; }
[[ -n $txns && $txns -gt 0 ]] || { echo "soak: FAIL: no transactions"; rc=1; }
# the data afterwards: every table still has its rows, and CHECK TABLE is clean
for i in $(seq 1 "$TABLES"); do
  read -r n status < <(mariadb --no-defaults --protocol=tcp -h"$HOST" -P"$PORT" -usbtest \
    -psbtest -N -B -e "SELECT COUNT(*) FROM sbtest.sbtest$i; CHECK TABLE sbtest.sbtest$i" |
    awk 'NR == 1 {n = $1} NR > 1 {s = $NF} END {print n, s}')
  # oltp_read_write deletes and re-inserts the same id: the row count never changes
  if [[ $n != "$TABLE_SIZE" || $status != OK ]]; then
    echo "soak: FAIL: sbtest$i has $n rows (want $TABLE_SIZE), CHECK TABLE $status"; rc=1
  fi
done
((rc == 0)) && echo "soak: passed"
exit $rc
