#!/usr/bin/env bash
# sysbench oltp_read_write prepare / run / cleanup through the target with zero errors and
# zero reconnects. Argument: the --db-ps-mode (disable = text protocol, auto = server-side
# prepared statements).
set -euo pipefail
[[ -z ${TESSERA_IT_RUN_DIR:-} ]] || bash "$(dirname "$0")/fixture.sh" check || exit 1
PS_MODE=${1:-disable}
HOST=${TESSERA_IT_HOST:-127.0.0.1}
PORT=${TESSERA_IT_PORT:-14306}
TIME=${TESSERA_IT_SYSBENCH_TIME:-10}
THREADS=${TESSERA_IT_SYSBENCH_THREADS:-4}
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT

SB=(sysbench oltp_read_write --db-driver=mysql --mysql-host="$HOST" --mysql-port="$PORT"
    --mysql-user=sbtest --mysql-password=sbtest --mysql-db=sbtest --mysql-ssl=off
    --tables=4 --table-size=10000 --rand-type=uniform --db-ps-mode="$PS_MODE")

echo "== sysbench oltp_read_write, db-ps-mode=$PS_MODE, $THREADS threads, ${TIME}s, target $HOST:$PORT"
"${SB[@]}" cleanup >/dev/null 2>&1 || true
"${SB[@]}" prepare
"${SB[@]}" --threads="$THREADS" --time="$TIME" --report-interval=0 run | tee "$OUT"
"${SB[@]}" cleanup

errors=$(awk '/^ *ignored errors:/ {print $3; exit}' "$OUT")
reconnects=$(awk '/^ *reconnects:/ {print $2; exit}' "$OUT")
txns=$(awk '/^ *transactions:/ {print $2; exit}' "$OUT")
queries=$(awk '/^ *queries:/ {print $2; exit}' "$OUT")
echo "== transactions=$txns queries=$queries errors=$errors reconnects=$reconnects"
rc=0
[[ $errors == 0 ]] || { echo "FAIL: $errors errors"; rc=1; }
[[ $reconnects == 0 ]] || { echo "FAIL: $reconnects reconnects"; rc=1; }
[[ -n $txns && $txns -gt 0 ]] || { echo "FAIL: no transactions completed"; rc=1; }
# every transaction of oltp_read_write is 18 queries (14 reads, 4 writes) + BEGIN/COMMIT
[[ -n $queries && $queries -ge $((txns * 18)) ]] || { echo "FAIL: queries ($queries) < 18 x transactions"; rc=1; }
exit $rc
