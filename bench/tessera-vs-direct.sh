#!/usr/bin/env bash
# Benchmark (not a test): sysbench straight to slice-0's MariaDB primary vs through Tessera.
#
#   bench/tessera-vs-direct.sh
#
# Uses the demo cluster (./.demo/cluster, primaries 23306..) and Tessera on 127.0.0.1:13306
# with examples/tessera.toml, starting them with scripts/demo.sh if they are not running
# (and stopping them again at the end only if this script started them).
# Runs are interleaved (direct, tessera, tessera, direct, ...) so drift hits both sides.
#
# Env: ROUNDS (3), DURATION (20 s per run), THREADS (8), TESTS ("oltp_point_select oltp_read_only"),
#      TABLES (4), TABLE_SIZE (10000), SKIP_DEPS / SKIP_BUILD (passed to demo.sh),
#      TESSERA_HOST/PORT (127.0.0.1:13306), DIRECT_PORT (23306), OUT_DIR (./.demo/bench),
#      COMPRESS=1: every sysbench connection uses the compressed protocol (--mysql-compression),
#      directly and through Tessera (Tessera compresses towards the client only)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../scripts/lib/tessera-proc.sh
. "$ROOT/scripts/lib/tessera-proc.sh"

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-20}
THREADS=${THREADS:-8}
TESTS=${TESTS:-"oltp_point_select oltp_read_only"}
TABLES=${TABLES:-4}
TABLE_SIZE=${TABLE_SIZE:-10000}
HOST=${TESSERA_HOST:-127.0.0.1}
TPORT=${TESSERA_PORT:-13306}
DPORT=${DIRECT_PORT:-23306}
DEMO_DIR=${DEMO_DIR:-$ROOT/.demo}
OUT_DIR=${OUT_DIR:-$DEMO_DIR/bench}
PY=/usr/bin/python3
CLK_TCK=$(getconf CLK_TCK)
mkdir -p "$OUT_DIR"
RESULTS=$OUT_DIR/results.tsv

started_here=0
if ! tessera_running "$DEMO_DIR/tessera.pid" || \
   ! "$ROOT/scripts/cluster.sh" status --dir "$DEMO_DIR/cluster" >/dev/null 2>&1; then
  echo "bench: starting the demo cluster and Tessera (scripts/demo.sh)"
  "$ROOT/scripts/demo.sh" start >/dev/null
  started_here=1
fi
finish() {
  if ((started_here)) && [[ ${KEEP_RUNNING:-0} != 1 ]]; then
    echo "bench: stopping what it started"; "$ROOT/scripts/demo.sh" stop >/dev/null || true
  fi
}
trap finish EXIT

TESSERA_PID=$(cat "$DEMO_DIR/tessera.pid")
MARIADB_PID=$(cat "$DEMO_DIR/cluster/slice-0/primary/mysqld.pid")

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }  # utime + stime, clock ticks
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

sb() { # sb MODE TEST COMMAND...
  local mode=$1 test=$2; shift 2
  local port=$DPORT user=tessera pass=tessera
  if [[ $mode == tessera ]]; then port=$TPORT user=sbtest pass=sbtest; fi
  sysbench "$test" --db-driver=mysql --mysql-host="$HOST" --mysql-port="$port" \
    --mysql-user="$user" --mysql-password="$pass" --mysql-db=sbtest --mysql-ssl=off \
    --tables="$TABLES" --table-size="$TABLE_SIZE" --rand-type=uniform \
    --mysql-compression="$([[ ${COMPRESS:-0} == 1 ]] && echo on || echo off)" "$@"
}

echo "bench: preparing sbtest ($TABLES tables x $TABLE_SIZE rows) directly on 127.0.0.1:$DPORT"
sb direct oltp_read_only cleanup >/dev/null 2>&1 || true
sb direct oltp_read_only prepare >/dev/null
# warm both paths (buffer pool, Tessera's pools) so round 1 is not special
sb direct oltp_point_select --threads="$THREADS" --time=3 run >/dev/null
sb tessera oltp_point_select --threads="$THREADS" --time=3 run >/dev/null

RSS_START=$(rss_kb "$TESSERA_PID")
printf 'test\tround\tmode\tqps\tp95_ms\tqueries\ttessera_us_per_q\tmariadb_us_per_q\ttessera_rss_kb\n' >"$RESULTS"

run_one() { # run_one TEST ROUND MODE
  local test=$1 round=$2 mode=$3 out=$OUT_DIR/$1-$2-$3.txt
  local t0 m0 t1 m1
  t0=$(cpu_ticks "$TESSERA_PID"); m0=$(cpu_ticks "$MARIADB_PID")
  sb "$mode" "$test" --threads="$THREADS" --time="$DURATION" --report-interval=0 \
    --percentile=95 run >"$out"
  t1=$(cpu_ticks "$TESSERA_PID"); m1=$(cpu_ticks "$MARIADB_PID")
  local queries qps p95 errors
  queries=$(awk '/^ *queries:/ {print $2; exit}' "$out")
  qps=$(awk '/^ *queries:/ {gsub(/\(/, "", $3); print $3; exit}' "$out")
  p95=$(awk '/95th percentile:/ {print $3; exit}' "$out")
  errors=$(awk '/ignored errors:/ {print $3; exit}' "$out")
  [[ ${errors:-0} == 0 ]] || echo "bench: warning: $errors errors in $out" >&2
  local tus mus
  tus=$(awk -v d=$((t1 - t0)) -v q="$queries" -v hz="$CLK_TCK" 'BEGIN {printf "%.2f", d / hz * 1e6 / q}')
  mus=$(awk -v d=$((m1 - m0)) -v q="$queries" -v hz="$CLK_TCK" 'BEGIN {printf "%.2f", d / hz * 1e6 / q}')
  [[ $mode == direct ]] && tus="-"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$test" "$round" "$mode" "$qps" "$p95" "$queries" \
    "$tus" "$mus" "$(rss_kb "$TESSERA_PID")" >>"$RESULTS"
  printf '  %-18s round %s %-8s %10s qps  p95 %7s ms  tessera %7s us/q  mariadb %7s us/q\n' \
    "$test" "$round" "$mode" "$qps" "$p95" "$tus" "$mus"
}

echo "bench: $ROUNDS rounds x {${TESTS// /, }} x {direct, tessera}, ${DURATION}s each, $THREADS threads"
for ((r = 1; r <= ROUNDS; r++)); do
  for test in $TESTS; do
    if ((r % 2)); then order="direct tessera"; else order="tessera direct"; fi
    for mode in $order; do run_one "$test" "$r" "$mode"; done
  done
done
RSS_END=$(rss_kb "$TESSERA_PID")
sb direct oltp_read_only cleanup >/dev/null 2>&1 || true

"$PY" - "$RESULTS" "$RSS_START" "$RSS_END" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
rss0, rss1 = int(sys.argv[2]), int(sys.argv[3])
def f(v):
    return None if v in ("-", "", None) else float(v)
print()
print("Summary (mean over rounds; CPU = utime+stime per query from /proc/PID/stat)")
hdr = f"{'test':<18} {'direct qps':>11} {'tessera qps':>12} {'ratio':>6} {'p95 direct':>11} {'p95 tessera':>12} " \
      f"{'tessera us/q':>13} {'mariadb us/q direct':>20} {'mariadb us/q via tessera':>25}"
print(hdr)
print("-" * len(hdr))
for test in dict.fromkeys(r["test"] for r in rows):
    d = [r for r in rows if r["test"] == test and r["mode"] == "direct"]
    t = [r for r in rows if r["test"] == test and r["mode"] == "tessera"]
    mean = lambda rs, k: statistics.mean(f(r[k]) for r in rs)
    dq, tq = mean(d, "qps"), mean(t, "qps")
    print(f"{test:<18} {dq:>11.0f} {tq:>12.0f} {tq / dq:>6.2f} {mean(d, 'p95_ms'):>9.2f}ms "
          f"{mean(t, 'p95_ms'):>10.2f}ms {mean(t, 'tessera_us_per_q'):>13.1f} "
          f"{mean(d, 'mariadb_us_per_q'):>20.1f} {mean(t, 'mariadb_us_per_q'):>25.1f}")
print()
print(f"Tessera RSS: {rss0 / 1024:.1f} MiB before, {rss1 / 1024:.1f} MiB after "
      f"({(rss1 - rss0) / 1024:+.1f} MiB over the run)")
print(f"raw results: {sys.argv[1]}")
PY
