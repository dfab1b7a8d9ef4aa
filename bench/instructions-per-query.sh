#!/usr/bin/env bash
# Benchmark (not a test): Tessera's user-space instructions per statement, counted by callgrind
# (exact and repeatable, unlike CPU time on a shared or virtual machine, and available where perf
# has no hardware counters). One sysbench client runs EVENTS transactions of each TEST through a
# Tessera started under valgrind; instrumentation is on only while they run.
#
#   bench/instructions-per-query.sh                 # oltp_point_select, text and prepared
#   TESTS="oltp_read_only" EVENTS=500 bench/instructions-per-query.sh
#
# Uses the demo cluster (scripts/demo.sh starts it if needed, and it is stopped again at the end;
# a demo already running has its Tessera stopped for the run and started again afterwards). Env: TESTS (oltp_point_select), PS_MODES
# ("disable auto"), EVENTS (4000 transactions), TABLES (4), TABLE_SIZE (10000), SKIP_DEPS /
# SKIP_BUILD (passed to demo.sh), OUT_DIR (./.demo/bench). Needs valgrind (apt-get install valgrind).
# Per statement: instructions over the run / sysbench's query count (a point select transaction
# is one query; read_only's are 14...). The profiles stay in OUT_DIR for callgrind_annotate.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../scripts/lib/tessera-proc.sh
. "$ROOT/scripts/lib/tessera-proc.sh"
TESTS=${TESTS:-oltp_point_select}
PS_MODES=${PS_MODES:-"disable auto"}
EVENTS=${EVENTS:-4000}
TABLES=${TABLES:-4}
TABLE_SIZE=${TABLE_SIZE:-10000}
DEMO_DIR=$ROOT/.demo
OUT_DIR=${OUT_DIR:-$DEMO_DIR/bench}
mkdir -p "$OUT_DIR"
command -v valgrind >/dev/null || { echo "bench: needs valgrind (apt-get install -y valgrind)" >&2; exit 2; }

demo_up "$ROOT" "$DEMO_DIR"
CONFIG=$(ps -o args= -p "$(cat "$DEMO_DIR/tessera.pid")" | sed -n 's/.*--config \([^ ]*\).*/\1/p')
BIN=${TESSERA_BIN:-$ROOT/build/src/app/tessera}
tessera_stop "$DEMO_DIR/tessera.pid"
VG_PID=""
cleanup() {
  if [[ -n $VG_PID ]]; then kill "$VG_PID" 2>/dev/null || true; wait "$VG_PID" 2>/dev/null || true; fi
  if ((DEMO_STARTED)); then
    "$ROOT/scripts/demo.sh" stop >/dev/null || true
  else  # the demo's Tessera as it was
    tessera_start "$BIN" "$CONFIG" "$DEMO_DIR/tessera.log" "$DEMO_DIR/tessera.pid" 127.0.0.1 13306 \
      app app_pw >/dev/null || true
  fi
}
trap cleanup EXIT

sb() { # sb PORT USER TEST PS ARGS...
  local port=$1 user=$2 test=$3 ps=$4; shift 4
  sysbench "$test" --db-driver=mysql --mysql-host=127.0.0.1 --mysql-port="$port" \
    --mysql-user="$user" --mysql-password="$user" --mysql-db=sbtest --mysql-ssl=off \
    --tables="$TABLES" --table-size="$TABLE_SIZE" --rand-type=uniform --db-ps-mode="$ps" "$@"
}
sb 23306 tessera oltp_read_only disable cleanup >/dev/null 2>&1 || true
sb 23306 tessera oltp_read_only disable prepare >/dev/null

for test in $TESTS; do
  for ps in $PS_MODES; do
    out=$OUT_DIR/callgrind-$test-$ps.out
    rm -f "$out"*
    valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$out" \
      "$BIN" --config "$CONFIG" >"$OUT_DIR/callgrind-$test-$ps.log" 2>&1 &
    VG_PID=$!
    for _ in $(seq 120); do
      mariadb --no-defaults --protocol=tcp -h127.0.0.1 -P13306 -usbtest -psbtest -e 'SELECT 1' \
        >/dev/null 2>&1 && break
      sleep 0.5
    done
    sb 13306 sbtest "$test" "$ps" --threads=1 --events=500 --time=0 run >/dev/null  # warm
    callgrind_control -i on "$VG_PID" >/dev/null 2>&1
    queries=$(sb 13306 sbtest "$test" "$ps" --threads=1 --events="$EVENTS" --time=0 run |
      awk '/^ *queries:/ {print $2; exit}')
    callgrind_control -i off "$VG_PID" >/dev/null 2>&1
    callgrind_control -d "$VG_PID" >/dev/null 2>&1
    kill "$VG_PID"; wait "$VG_PID" 2>/dev/null || true; VG_PID=""
    dump=$(ls -S "$out"* | head -1)
    total=$(callgrind_annotate "$dump" 2>/dev/null | awk '/PROGRAM TOTALS/ && !t {gsub(",", "", $1); t = $1} END {print t + 0}')
    printf '%-18s ps=%-7s %8s queries  %8d instructions/query  (%s)\n' "$test" "$ps" "$queries" \
      "$((total / queries))" "$dump"
  done
done
sb 23306 tessera oltp_read_only disable cleanup >/dev/null 2>&1 || true
