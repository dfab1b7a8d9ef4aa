#!/usr/bin/env bash
# Benchmark (not a test): merges over 2 x 1M rows beyond a 64 MiB per-statement memory budget
# spill to disk with flat memory (issue 19, "Memory"), against the same statements with no
# budget (everything held in memory) and on one MariaDB holding every row.
#
#   bench/hash-join-spill.sh
#   ROUNDS=1 ROWS=1000000 bench/hash-join-spill.sh
#
# The hash join (exec/engine/hash_join_read.h over exec/hash_join.h): t_a JOIN t_b on a column
# that is not t_a's shard key is a lookup join whose driving side (t_a, 1M rows) passes the
# namespace's hash_join_rows (100000 by default) and its budget, so the engine switches to
# reading both tables whole and joining them in Tessera: t_b (1M rows) is the build side, held
# within the budget and beyond it split into grace hash partitions on disk. Besides it, the
# operators a statement over two 1M-row tables spills through: the external sort, UNION's
# DISTINCT and EXCEPT ALL's counted entries.
#
# Starts its own 3-slice MariaDB cluster without replicas (scripts/cluster.sh, primaries on
# 29506, 29516, 29526) and two Tessera processes (build-bench/src/app/tessera, else build/),
# each with one namespace over the same tables db_hj.t_a and t_b (hash on id, one sub-table per
# slice): on 127.0.0.1:19506 user `spill` with merge_memory_bytes 64 MiB (spilling to the
# default spill_dir), on 19508 user `mem` with merge_memory_bytes 0 (no budget: held in
# memory); one process per mode so that each one's peak RSS is its own. Loads ROWS rows into each
# (id, k = id * 7 % ROWS, v = 24 hex characters, utf8mb4_general_ci) straight into the physical
# tables, and the same rows unsharded in db_ref on slice-1's server (the reference). Queries:
#   sort_2m      SELECT id, k, v FROM t_a UNION ALL SELECT id, k, v FROM t_b ORDER BY v, id
#                (an external sort of 2M rows)
#   distinct_2m  SELECT k, v FROM t_a UNION SELECT k, v FROM t_b   (2M distinct keys)
#   except_all   SELECT k FROM t_a EXCEPT ALL SELECT id FROM t_b    (counted entries)
#   hash_join    SELECT COUNT(*), SUM(t_b.k), MAX(t_a.v) FROM t_a JOIN t_b ON t_a.k = t_b.id
#                (1M joined rows aggregated: the join alone)
#   hash_join_rows  SELECT t_a.id, t_b.v FROM t_a JOIN t_b ON t_a.k = t_b.id   (1M rows out)
# Rounds interleave reference, spill and mem. Per run: wall time, rows/s, Tessera's CPU time
# (/proc/PID/stat), its peak RSS (VmHWM after clear_refs) and growth over VmRSS before, and the
# bytes spilled (tessera_spill_bytes_total from /metrics). The warm-up compares both users'
# answers with the reference's (sorted).
#
# Env: ROWS (1000000), ROUNDS (1), QUERIES, OUT_DIR (./.demo/hash-join-spill), TESSERA_BIN,
#      QUERY_TIMEOUT (900 s), CLEAN=1, KEEP_RUNNING=1
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../scripts/lib/tessera-proc.sh
. "$ROOT/scripts/lib/tessera-proc.sh"

ROWS=${ROWS:-1000000}
ROUNDS=${ROUNDS:-1}
QUERIES=${QUERIES:-"sort_2m distinct_2m except_all hash_join hash_join_rows"}
OUT_DIR=${OUT_DIR:-$ROOT/.demo/hash-join-spill}
TESSERA_BIN=${TESSERA_BIN:-$ROOT/build-bench/src/app/tessera}
[[ -x $TESSERA_BIN ]] || TESSERA_BIN=$ROOT/build/src/app/tessera
QUERY_TIMEOUT=${QUERY_TIMEOUT:-900}
BASE_PORT=29506
HOST=127.0.0.1
TPORT=19506
APORT=19507
MPORT=19508
MAPORT=19509
TUSER=spill
TPASS=spill_pw
MUSER=mem
MPASS=mem_pw
SLICES=3
CLK_TCK=$(getconf CLK_TCK)
CLUSTER_DIR=$OUT_DIR/cluster
CONF_DIR=$OUT_DIR/tessera
RESULTS=$OUT_DIR/results.tsv
mkdir -p "$OUT_DIR" "$CONF_DIR"

log() { echo "bench: $*"; }
die() { echo "bench: $*" >&2; exit 1; }
finish() {
  local rc=$?
  if [[ ${KEEP_RUNNING:-0} == 1 ]]; then
    log "KEEP_RUNNING=1: Tessera (127.0.0.1:$TPORT, user $TUSER/$TPASS) and the cluster stay up"
    exit $rc
  fi
  tessera_stop "$OUT_DIR/tessera-spill.pid" >/dev/null 2>&1 || true
  tessera_stop "$OUT_DIR/tessera-mem.pid" >/dev/null 2>&1 || true
  "$ROOT/scripts/cluster.sh" stop --dir "$CLUSTER_DIR" >/dev/null 2>&1 || true
  if [[ ${CLEAN:-0} == 1 ]]; then rm -rf "$CLUSTER_DIR"; fi
  log "stopped Tessera and the cluster"
  exit $rc
}
trap finish EXIT
trap 'exit 130' INT TERM
[[ -x $TESSERA_BIN ]] || die "no Tessera binary at $TESSERA_BIN"

log "starting a $SLICES-slice cluster without replicas on ports $BASE_PORT.. in $CLUSTER_DIR"
"$ROOT/scripts/cluster.sh" start --dir "$CLUSTER_DIR" --slices $SLICES --replicas 0 \
  --base-port $BASE_PORT >"$OUT_DIR/cluster.log" 2>&1 || { cat "$OUT_DIR/cluster.log" >&2; exit 1; }
sport() { echo $((BASE_PORT + 10 * $1)); }
direct() { local s=$1; shift; mariadb --no-defaults --protocol=tcp -h$HOST -P"$(sport "$s")" -utessera -ptessera "$@"; }
via() { mariadb --no-defaults --protocol=tcp -h$HOST -P$TPORT -u$TUSER -p$TPASS "$@"; }

slices_json=""
for ((s = 0; s < SLICES; s++)); do
  [[ -n $slices_json ]] && slices_json+=","
  slices_json+="
    {\"name\": \"slice-$((s + 1))\", \"user_name\": \"tessera\", \"password\": \"tessera\",
     \"master\": \"$HOST:$(sport "$s")\", \"slaves\": [], \"statistic_slaves\": [],
     \"capacity\": 4, \"max_capacity\": 16, \"idle_timeout\": 60}"
done
rule() { echo "{\"db\": \"db_hj\", \"table\": \"$1\", \"type\": \"hash\", \"key\": \"id\", \"locations\": [1, 1, 1], \"slices\": [\"slice-1\", \"slice-2\", \"slice-3\"]}"; }
# One Tessera per mode, so each one's RSS is its own mode's (a heap grown by an in-memory run
# would hide a spilling run's flat memory): mode port admin-port user password budget
start_mode() {
  local mode=$1 port=$2 aport=$3 user=$4 pass=$5 budget=$6 dir=$CONF_DIR/$1
  mkdir -p "$dir/namespaces"
  cat >"$dir/tessera.toml" <<EOT
# generated by bench/hash-join-spill.sh
[proxy]
listen = "$HOST:$port"
worker_threads = 2
default_auth_plugin = "mysql_native_password"
namespaces_dir = "namespaces"
pool_acquire_timeout_ms = 10000
backend_connect_timeout_ms = 2000

[admin]
listen = "$HOST:$aport"
user = "admin"
password = "admin"

[log]
level = "info"
EOT
  cat >"$dir/namespaces/hj_$mode.json" <<EOT
{
  "name": "hj_$mode", "online": true, "read_only": false,
  "allowed_dbs": {"db_hj": true}, "default_slice": "slice-1",
  "merge_memory_bytes": $budget,
  "slices": [$slices_json
  ],
  "shard_rules": [$(rule t_a), $(rule t_b)],
  "users": [
    {"user_name": "$user", "password": "$pass", "namespace": "hj_$mode", "rw_flag": 2, "rw_split": 0, "other_property": 0}
  ]
}
EOT
  : >"$OUT_DIR/tessera-$mode.log"
  tessera_start "$TESSERA_BIN" "$dir/tessera.toml" "$OUT_DIR/tessera-$mode.log" \
    "$OUT_DIR/tessera-$mode.pid" $HOST "$port" "$user" "$pass" | sed 's/^/bench: /'
  tessera_running "$OUT_DIR/tessera-$mode.pid" || die "Tessera ($mode) did not start"
}
start_mode spill $TPORT $APORT "$TUSER" "$TPASS" $((64 * 1024 * 1024))
start_mode mem $MPORT $MAPORT "$MUSER" "$MPASS" 0
declare -A PID_OF PORT_OF APORT_OF
PID_OF[spill]=$(cat "$OUT_DIR/tessera-spill.pid") PID_OF[mem]=$(cat "$OUT_DIR/tessera-mem.pid")
PORT_OF[spill]=$TPORT PORT_OF[mem]=$MPORT APORT_OF[spill]=$APORT APORT_OF[mem]=$MAPORT
log "Tessera $(git -C "$ROOT" rev-parse --short HEAD) ($TESSERA_BIN): spill pid ${PID_OF[spill]}, mem pid ${PID_OF[mem]}"

# --- schema and data -------------------------------------------------------------------------
DDL="(id BIGINT PRIMARY KEY, k BIGINT, v VARCHAR(32) COLLATE utf8mb4_general_ci) DEFAULT CHARSET=utf8mb4"
via -e "CREATE DATABASE IF NOT EXISTS db_hj" || die "CREATE DATABASE through Tessera failed"
via db_hj -e "CREATE TABLE IF NOT EXISTS t_a $DDL; CREATE TABLE IF NOT EXISTS t_b $DDL" ||
  die "CREATE TABLE through Tessera failed"
direct 0 -e "CREATE DATABASE IF NOT EXISTS db_ref; USE db_ref;
  CREATE TABLE IF NOT EXISTS t_a $DDL; CREATE TABLE IF NOT EXISTS t_b $DDL"
# fill TABLE N VALUES-EXPR(seq): rows id = seq, on each slice those with id % 3 == slice (the
# hash rule's placement for 3 sub-tables), and all of them in db_ref.
fill() {
  local t=$1 n=$2 cols=$3 s pt
  local have; have=$(direct 0 -N -B -e "SELECT COUNT(*) FROM db_ref.$t")
  if [[ $have == "$n" ]]; then log "reusing $t ($n rows)"; return; fi
  log "loading $t: $n rows"
  direct 0 db_ref -e "SET SESSION sql_log_bin = 0; TRUNCATE $t; INSERT INTO $t SELECT $cols FROM seq_0_to_$((n - 1))"
  for ((s = 0; s < SLICES; s++)); do
    pt=$(printf '%s_%04d' "$t" "$s")
    direct "$s" db_hj -e "SET SESSION sql_log_bin = 0; TRUNCATE $pt;
      INSERT INTO $pt SELECT $cols FROM seq_0_to_$((n - 1)) WHERE seq % $SLICES = $s; ANALYZE TABLE $pt" >/dev/null
  done
  direct 0 db_ref -e "ANALYZE TABLE $t" >/dev/null
}
fill t_a "$ROWS" "seq, seq * 7 % $ROWS, LEFT(MD5(seq), 24)"
fill t_b "$ROWS" "seq, seq * 11 % $ROWS, LEFT(MD5(seq + 3), 24)"

sql_for() {
  case $1 in
    sort_2m) echo "SELECT id, k, v FROM t_a UNION ALL SELECT id, k, v FROM t_b ORDER BY v, id" ;;
    distinct_2m) echo "SELECT k, v FROM t_a UNION SELECT k, v FROM t_b" ;;
    except_all) echo "SELECT k FROM t_a EXCEPT ALL SELECT id FROM t_b WHERE id % 2 = 0" ;;
    hash_join) echo "SELECT COUNT(*), SUM(t_b.k), MAX(t_a.v) FROM t_a JOIN t_b ON t_a.k = t_b.id" ;;
    hash_join_rows) echo "SELECT t_a.id, t_b.v FROM t_a JOIN t_b ON t_a.k = t_b.id" ;;
    *) die "unknown query $1" ;;
  esac
}
spilled_bytes() {  # mode
  curl -s -u admin:admin "http://$HOST:${APORT_OF[$1]}/metrics" |
    awk '$1 == "tessera_spill_bytes_total" {print $2}'
}
status_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
HWM_RESET=1
echo 5 >"/proc/${PID_OF[spill]}/clear_refs" 2>/dev/null || HWM_RESET=0

log "warm-up: Tessera's answers against the reference's (sorted)"
for q in $QUERIES; do
  direct 0 --quick -N -B db_ref -e "$(sql_for "$q")" | LC_ALL=C sort >"$OUT_DIR/$q.ref"
  for u in "$TUSER:$TPASS:$TPORT" "$MUSER:$MPASS:$MPORT"; do
    IFS=: read -r wu wp wport <<<"$u"
    mariadb --no-defaults --protocol=tcp -h$HOST -P"$wport" -u"$wu" -p"$wp" --quick -N -B db_hj \
      -e "$(sql_for "$q")" 2>"$OUT_DIR/$q.err" | LC_ALL=C sort >"$OUT_DIR/$q.got" || true
    if cmp -s "$OUT_DIR/$q.ref" "$OUT_DIR/$q.got"; then
      log "  $q as $wu: same $(wc -l <"$OUT_DIR/$q.ref") rows"
    else
      log "  $q as $wu: DIFFERS ($(wc -l <"$OUT_DIR/$q.got") rows through Tessera, $(wc -l <"$OUT_DIR/$q.ref") on the reference) $(head -c 300 "$OUT_DIR/$q.err")"
    fi
  done
  rm -f "$OUT_DIR/$q.ref" "$OUT_DIR/$q.got" "$OUT_DIR/$q.err"
done

printf 'query\tround\tmode\trows\tseconds\trows_per_s\ttessera_cpu_s\tpeak_rss_kb\tpeak_growth_kb\tspilled_bytes\n' >"$RESULTS"
run_one() {
  local q=$1 r=$2 mode=$3 port=$TPORT user=$TUSER pass=$TPASS db=db_hj rows c0=0 c1=0 rss0=0 hwm=0 s0=0
  [[ $mode == reference ]] && port=$(sport 0) user=tessera pass=tessera db=db_ref
  [[ $mode == mem ]] && user=$MUSER pass=$MPASS port=$MPORT
  local pid=${PID_OF[$mode]:-}
  if [[ $mode != reference ]]; then
    ((HWM_RESET)) && echo 5 >"/proc/$pid/clear_refs"
    rss0=$(status_kb "$pid" VmRSS); c0=$(cpu_ticks "$pid"); s0=$(spilled_bytes "$mode")
  fi
  local t0=$EPOCHREALTIME
  rows=$(timeout "$QUERY_TIMEOUT" mariadb --no-defaults --protocol=tcp -h$HOST -P"$port" -u"$user" \
    -p"$pass" --quick -N -B "$db" -e "$(sql_for "$q")" | wc -l)
  local t1=$EPOCHREALTIME cpu=- growth=- spilled=- peak=-
  if [[ $mode != reference ]]; then
    c1=$(cpu_ticks "$pid"); hwm=$(status_kb "$pid" VmHWM)
    cpu=$(awk -v d=$((c1 - c0)) -v hz="$CLK_TCK" 'BEGIN {printf "%.2f", d / hz}')
    growth=$((hwm - rss0)) peak=$hwm
    spilled=$(($(spilled_bytes "$mode") - s0))
  fi
  local secs rps
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}')
  rps=$(awk -v n="$rows" -v s="$secs" 'BEGIN {printf "%.0f", (s > 0) ? n / s : 0}')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$q" "$r" "$mode" "$rows" "$secs" "$rps" "$cpu" "$peak" "$growth" "$spilled" >>"$RESULTS"
  printf 'bench:   %-11s round %s %-9s %8s rows %8ss %10s rows/s  tessera cpu %5ss  peak RSS %s KiB (growth %s)  spilled %s B\n' \
    "$q" "$r" "$mode" "$rows" "$secs" "$rps" "$cpu" "$peak" "$growth" "$spilled"
}
for ((r = 1; r <= ROUNDS; r++)); do
  for q in $QUERIES; do
    if ((r % 2)); then order="reference spill mem"; else order="mem spill reference"; fi
    for mode in $order; do run_one "$q" "$r" "$mode"; done
  done
done
/usr/bin/python3 - "$RESULTS" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
med = lambda xs: statistics.median(xs) if xs else float("nan")
print()
print("Summary (median over rounds; spill = 64 MiB budget, mem = no budget, reference = one MariaDB)")
print(f"{'query':<12} {'mode':<9} {'rows':>8} {'seconds':>8} {'rows/s':>9} {'cpu s':>6} "
      f"{'peak RSS MiB':>13} {'growth MiB':>11} {'spilled MiB':>12}")
for q in dict.fromkeys(r["query"] for r in rows):
    for mode in ("spill", "mem", "reference"):
        t = [r for r in rows if r["query"] == q and r["mode"] == mode]
        if not t:
            continue
        f = lambda k: med([float(r[k]) for r in t if r[k] != "-"])
        cpu = f"{f('tessera_cpu_s'):6.2f}" if mode != "reference" else f"{'-':>6}"
        peak = (f"{f('peak_rss_kb') / 1024:13.1f} {f('peak_growth_kb') / 1024:11.1f}"
                if mode != "reference" else f"{'-':>13} {'-':>11}")
        sp = f"{f('spilled_bytes') / 2**20:12.1f}" if mode != "reference" else f"{'-':>12}"
        print(f"{q:<12} {mode:<9} {t[0]['rows']:>8} {f('seconds'):8.2f} {f('rows_per_s'):9.0f} "
              f"{cpu} {peak} {sp}")
PY
