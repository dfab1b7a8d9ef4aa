#!/usr/bin/env bash
# Benchmark (not a test): sysbench straight to slice-0's MariaDB primary vs through Tessera vs
# through a pure TCP relay (haproxy from Debian in TCP mode, one thread, started here).
#
#   bench/tessera-vs-direct.sh
#
# Uses the demo cluster (./.demo/cluster, primaries 23306..) and Tessera on 127.0.0.1:13306
# with examples/tessera.toml, starting them with scripts/demo.sh if they are not running
# (and stopping them again at the end only if this script started them).
# Runs are interleaved (direct, tessera, tessera, direct, ...) so drift hits both sides.
#
# Env: ROUNDS (3), DURATION (20 s per run), THREADS (8),
#      TESTS ("oltp_point_select oltp_read_only oltp_read_write"),
#      PS_MODES ("disable auto": text, then prepared statements, sysbench --db-ps-mode),
#      RELAY (1 when haproxy is installed: also run through it; RELAY_PORT 13308),
#      TABLES (4), TABLE_SIZE (10000), SKIP_DEPS / SKIP_BUILD (passed to demo.sh),
#      TESSERA_HOST/PORT (127.0.0.1:13306), DIRECT_PORT (23306), OUT_DIR (./.demo/bench),
#      COMPRESS=1: every sysbench connection uses the compressed protocol (--mysql-compression),
#      directly and through Tessera (Tessera compresses towards the client only),
#      EXACT_STATUS=ab: a third mode, "exact": Tessera with the namespace's exact_session_status
#      switched on (modes "tessera" then run with it off), switched between runs through the admin
#      API (ADMIN 127.0.0.1:13307, ADMIN_USER/ADMIN_PASSWORD admin/admin) from NS_FILE
#      (examples/namespaces/demo.json); the namespace file is put back in force at the end.
#      Results also give, per query, the server's SHOW STATUS readings (its global
#      Com_show_status; sysbench sends none) and Tessera's pool resets (hand-offs between sessions).
#      Per proxy (Tessera, the relay): CPU us/query (utime+stime, and utime alone as "user"),
#      system calls per query (perf's
#      raw_syscalls:sys_enter tracepoint, in a PERF_SECONDS (4) run of its own after each run:
#      counting costs the proxy CPU) and user-space instructions per
#      query (perf's instructions:u; "-" on machines without hardware counters, such as most VMs:
#      bench/instructions-per-query.sh counts them with callgrind instead).
#      ALT_BIN: a second Tessera binary (another build, e.g. -DTESSERA_IO_URING=ON, or an older
#      tree) started here with the demo's configuration on ALT_PORT (13309; no admin API, its own
#      XA decision log) and measured interleaved with the others as mode ALT_NAME ("alt").
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../scripts/lib/tessera-proc.sh
. "$ROOT/scripts/lib/tessera-proc.sh"

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-20}
THREADS=${THREADS:-8}
TESTS=${TESTS:-"oltp_point_select oltp_read_only oltp_read_write"}
PS_MODES=${PS_MODES:-"disable auto"}
RELAY=${RELAY:-$(command -v haproxy >/dev/null && echo 1 || echo 0)}
RELAY_PORT=${RELAY_PORT:-13308}
ALT_BIN=${ALT_BIN:-}
ALT_PORT=${ALT_PORT:-13309}
ALT_NAME=${ALT_NAME:-alt}
PERF_SECONDS=${PERF_SECONDS:-4}
TABLES=${TABLES:-4}
TABLE_SIZE=${TABLE_SIZE:-10000}
HOST=${TESSERA_HOST:-127.0.0.1}
TPORT=${TESSERA_PORT:-13306}
DPORT=${DIRECT_PORT:-23306}
DEMO_DIR=${DEMO_DIR:-$ROOT/.demo}
EXACT_STATUS=${EXACT_STATUS:-}
ADMIN=${ADMIN:-127.0.0.1:13307}
NS_FILE=${NS_FILE:-$ROOT/examples/namespaces/demo.json}
OUT_DIR=${OUT_DIR:-$DEMO_DIR/bench}
PY=/usr/bin/python3
CLK_TCK=$(getconf CLK_TCK)
mkdir -p "$OUT_DIR"
RESULTS=$OUT_DIR/results.tsv

demo_up "$ROOT" "$DEMO_DIR"
RELAY_PID=""
ALT_PID=""
finish() {
  if [[ -n $RELAY_PID ]]; then kill "$RELAY_PID" 2>/dev/null || true; fi
  if [[ -n $ALT_PID ]]; then tessera_stop "$OUT_DIR/alt.pid" >/dev/null || true; fi
  if ((DEMO_STARTED)) && [[ ${KEEP_RUNNING:-0} != 1 ]]; then
    echo "bench: stopping what it started"; "$ROOT/scripts/demo.sh" stop >/dev/null || true
  fi
}
trap finish EXIT
if [[ $EXACT_STATUS == ab ]]; then
  trap 'set_exact 0 || true; finish' EXIT  # (the file's own setting when it has none)
fi

TESSERA_PID=$(cat "$DEMO_DIR/tessera.pid")
if [[ $RELAY == 1 ]]; then
  # A byte relay: one thread, TCP mode, to the same primary; the floor a proxy is measured by.
  cat >"$OUT_DIR/haproxy.cfg" <<CFG
global
  nbthread 1
  maxconn 4096
defaults
  mode tcp
  timeout connect 5s
  timeout client 1h
  timeout server 1h
listen mysql
  bind $HOST:$RELAY_PORT
  server primary $HOST:$DPORT
CFG
  haproxy -db -f "$OUT_DIR/haproxy.cfg" >"$OUT_DIR/haproxy.log" 2>&1 &
  RELAY_PID=$!
  for _ in $(seq 50); do
    mariadb --no-defaults --protocol=tcp -h"$HOST" -P"$RELAY_PORT" -utessera -ptessera -e 'SELECT 1' \
      >/dev/null 2>&1 && break
    sleep 0.1
  done
fi
if [[ -n $ALT_BIN ]]; then
  # The demo's configuration, listening on ALT_PORT, without the admin API, with its own XA
  # identity and decision log.
  config=$(ps -o args= -p "$TESSERA_PID" | sed -n 's/.*--config \([^ ]*\).*/\1/p')
  sed -e "s|^listen = \"[^\"]*:$TPORT\"|listen = \"$HOST:$ALT_PORT\"|" \
    -e '/^\[admin\]/,/^\[/ s|^listen = .*|listen = ""|' \
    -e 's|^proxy_instance_id = .*|proxy_instance_id = "tessera-bench-alt"|' \
    -e "s|^decision_log = .*|decision_log = \"$OUT_DIR/xa-decisions-alt.log\"|" \
    "$config" >"$OUT_DIR/alt.toml"
  grep -q "^listen = \"$HOST:$ALT_PORT\"" "$OUT_DIR/alt.toml" ||
    { echo "bench: could not set ALT_PORT in a copy of $config" >&2; exit 2; }
  rm -f "$OUT_DIR/alt.pid"
  tessera_start "$ALT_BIN" "$OUT_DIR/alt.toml" "$OUT_DIR/alt.log" "$OUT_DIR/alt.pid" \
    "$HOST" "$ALT_PORT" sbtest sbtest
  ALT_PID=$(cat "$OUT_DIR/alt.pid")
fi
MARIADB_PID=$(cat "$DEMO_DIR/cluster/slice-0/primary/mysqld.pid")

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }  # utime + stime, clock ticks
user_ticks() { awk '{print $14}' "/proc/$1/stat"; }       # utime alone
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

# The namespace of NS_FILE with exact_session_status on (1) or off (0), put in force.
set_exact() {
  local body ns
  ns=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["name"])' "$NS_FILE")
  body=$("$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); d["exact_session_status"]=sys.argv[2]=="1"; print(json.dumps(d))' "$NS_FILE" "$1")
  curl -sf -u "${ADMIN_USER:-admin}:${ADMIN_PASSWORD:-admin}" -X PUT --data-binary "$body" \
    "http://$ADMIN/api/proxy/config/prepare/$ns" >/dev/null
  curl -sf -u "${ADMIN_USER:-admin}:${ADMIN_PASSWORD:-admin}" -X PUT -d "" \
    "http://$ADMIN/api/proxy/config/commit/$ns" >/dev/null
}
resets_total() { # Tessera's pool resets so far (0 without the admin API)
  curl -sf -u "${ADMIN_USER:-admin}:${ADMIN_PASSWORD:-admin}" "http://$ADMIN/metrics" 2>/dev/null |
    awk '/^tessera_pool_resets_total/ {n += $2} END {printf "%d", n}'
}
show_status_total() { # the server's SHOW STATUS statements so far
  mariadb --no-defaults --protocol=tcp -h"$HOST" -P"$DPORT" -utessera -ptessera -N -B \
    -e "SHOW GLOBAL STATUS LIKE 'Com_show_status'" | awk '{print $2}'
}

sb() { # sb MODE TEST COMMAND...
  local mode=$1 test=$2; shift 2
  local port=$DPORT user=tessera pass=tessera
  if [[ $mode == relay ]]; then port=$RELAY_PORT; fi
  if [[ $mode == tessera || $mode == exact ]]; then port=$TPORT user=sbtest pass=sbtest; fi
  if [[ $mode == "$ALT_NAME" && -n $ALT_BIN ]]; then port=$ALT_PORT user=sbtest pass=sbtest; fi
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
[[ -z $ALT_BIN ]] || sb "$ALT_NAME" oltp_point_select --threads="$THREADS" --time=3 run >/dev/null

RSS_START=$(rss_kb "$TESSERA_PID")
printf 'test\tps\tround\tmode\tqps\tp95_ms\tqueries\tproxy_us_per_q\tmariadb_us_per_q\tproxy_rss_kb\tstatus_reads_per_q\tresets_per_q\tsyscalls_per_q\tinstructions_per_q\tproxy_user_us_per_q\n' >"$RESULTS"

# perf stat on PID for SECONDS: "<syscalls> <user instructions or ->" ("- -" without perf).
perf_counts() {
  local pid=$1 secs=$2 out=$3
  if ! command -v perf >/dev/null; then echo "- -" >"$out"; return; fi
  perf stat -x, -e raw_syscalls:sys_enter,instructions:u -p "$pid" -o "$out.raw" -- sleep "$secs" \
    >/dev/null 2>&1 || true
  awk -F, '/raw_syscalls:sys_enter/ {s = $1} /instructions:u/ {i = $1}
    END {if (s !~ /^[0-9]+$/) s = "-"; if (i !~ /^[0-9]+$/) i = "-"; print s, i}' "$out.raw" >"$out"
}

run_one() { # run_one TEST PS ROUND MODE
  local test=$1 ps=$2 round=$3 mode=$4 out=$OUT_DIR/$1-$2-$3-$4.txt
  local t0 m0 t1 m1 s0 s1 r0 r1 u0 u1 proxy=""
  case $mode in tessera) [[ $EXACT_STATUS != ab ]] || set_exact 0 ;; exact) set_exact 1 ;; esac
  case $mode in tessera | exact) proxy=$TESSERA_PID ;; relay) proxy=$RELAY_PID ;; esac
  [[ $mode != "$ALT_NAME" || -z $ALT_PID ]] || proxy=$ALT_PID
  s0=$(show_status_total); r0=$(resets_total)
  t0=0; u0=0; [[ -z $proxy ]] || { t0=$(cpu_ticks "$proxy"); u0=$(user_ticks "$proxy"); }
  m0=$(cpu_ticks "$MARIADB_PID")
  sb "$mode" "$test" --threads="$THREADS" --time="$DURATION" --report-interval=0 \
    --percentile=95 --db-ps-mode="$ps" run >"$out"
  t1=0; u1=0; [[ -z $proxy ]] || { t1=$(cpu_ticks "$proxy"); u1=$(user_ticks "$proxy"); }
  m1=$(cpu_ticks "$MARIADB_PID")
  s1=$(show_status_total); r1=$(resets_total)
  local perf_queries=0
  if [[ -n $proxy ]]; then
    # Counted in a run of their own: counting every system call costs the proxy CPU, which must
    # not land in the figures above.
    perf_counts "$proxy" "$((PERF_SECONDS - 1))" "$out.perf" &
    local perf_pid=$!
    perf_queries=$(sb "$mode" "$test" --threads="$THREADS" --time="$PERF_SECONDS" \
      --report-interval=0 --db-ps-mode="$ps" run | awk '/^ *queries:/ {print $2; exit}')
    wait "$perf_pid"
  fi
  local queries qps p95 errors
  queries=$(awk '/^ *queries:/ {print $2; exit}' "$out")
  qps=$(awk '/^ *queries:/ {gsub(/\(/, "", $3); print $3; exit}' "$out")
  p95=$(awk '/95th percentile:/ {print $3; exit}' "$out")
  errors=$(awk '/ignored errors:/ {print $3; exit}' "$out")
  [[ ${errors:-0} == 0 ]] || echo "bench: warning: $errors errors in $out" >&2
  local tus mus uus
  tus=$(awk -v d=$((t1 - t0)) -v q="$queries" -v hz="$CLK_TCK" 'BEGIN {printf "%.2f", d / hz * 1e6 / q}')
  uus=$(awk -v d=$((u1 - u0)) -v q="$queries" -v hz="$CLK_TCK" 'BEGIN {printf "%.2f", d / hz * 1e6 / q}')
  mus=$(awk -v d=$((m1 - m0)) -v q="$queries" -v hz="$CLK_TCK" 'BEGIN {printf "%.2f", d / hz * 1e6 / q}')
  local reads resets sys="-" ins="-" rss="-"
  reads=$(awk -v d=$((s1 - s0 - 1)) -v q="$queries" 'BEGIN {printf "%.3f", d / q}')
  resets=$(awk -v d=$((r1 - r0)) -v q="$queries" 'BEGIN {printf "%.3f", d / q}')
  if [[ -n $proxy ]]; then
    # (perf counted for PERF_SECONDS-1 s of that PERF_SECONDS s run: scaled to all of it.)
    read -r sys ins <"$out.perf"
    local f=$PERF_SECONDS c=$((PERF_SECONDS - 1))
    [[ $sys == - ]] || sys=$(awk -v n="$sys" -v q="$perf_queries" -v f="$f" -v c="$c" 'BEGIN {printf "%.2f", n * f / c / q}')
    [[ $ins == - ]] || ins=$(awk -v n="$ins" -v q="$perf_queries" -v f="$f" -v c="$c" 'BEGIN {printf "%.0f", n * f / c / q}')
    rss=$(rss_kb "$proxy")
  else
    tus="-" uus="-"
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$test" "$ps" "$round" "$mode" "$qps" \
    "$p95" "$queries" "$tus" "$mus" "$rss" "$reads" "$resets" "$sys" "$ins" "$uus" >>"$RESULTS"
  printf '  %-18s %-7s round %s %-8s %9s qps  p95 %7s ms  proxy %6s us/q (user %6s)  mariadb %6s us/q  syscalls %5s/q  instr %6s/q\n' \
    "$test" "$ps" "$round" "$mode" "$qps" "$p95" "$tus" "$uus" "$mus" "$sys" "$ins"
}

MODES="direct tessera"
[[ $EXACT_STATUS == ab ]] && MODES="direct tessera exact"
[[ -n $ALT_BIN ]] && MODES="$MODES $ALT_NAME"
[[ $RELAY == 1 ]] && MODES="$MODES relay"
echo "bench: $ROUNDS rounds x {${TESTS// /, }} x ps {${PS_MODES// /, }} x {${MODES// /, }}, ${DURATION}s each, $THREADS threads"
for ((r = 1; r <= ROUNDS; r++)); do
  for test in $TESTS; do
    for ps in $PS_MODES; do
      order=$MODES
      if ! ((r % 2)); then order=$(echo "$MODES" | tr ' ' '\n' | tac | tr '\n' ' '); fi
      for mode in $order; do run_one "$test" "$ps" "$r" "$mode"; done
    done
  done
done
RSS_END=$(rss_kb "$TESSERA_PID")
sb direct oltp_read_only cleanup >/dev/null 2>&1 || true

"$PY" - "$RESULTS" "$RSS_START" "$RSS_END" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
rss0, rss1 = int(sys.argv[2]), int(sys.argv[3])
def med(rs, k):
    vals = [float(r[k]) for r in rs if r[k] not in ("-", "", None)]
    return statistics.median(vals) if vals else None
def fmt(v, spec):
    return format(v, spec) if v is not None else "-".rjust(len(format(0.0, spec)))
print()
print("Summary (medians over rounds; proxy CPU = its utime+stime per query from /proc/PID/stat,")
print("user = its utime alone;")
print("MariaDB CPU likewise; syscalls and user instructions of the proxy per query from perf stat)")
hdr = (f"{'test':<18} {'ps':<7} {'mode':<8} {'qps':>9} {'ratio':>6} {'p95 ms':>7} {'proxy us/q':>11} {'user':>6} "
       f"{'mariadb us/q':>13} {'syscalls/q':>11} {'instr/q':>8}")
print(hdr)
print("-" * len(hdr))
for test in dict.fromkeys(r["test"] for r in rows):
    for ps in dict.fromkeys(r["ps"] for r in rows):
        d = [r for r in rows if r["test"] == test and r["ps"] == ps and r["mode"] == "direct"]
        if not d:
            continue
        dq = med(d, "qps")
        for mode in dict.fromkeys(r["mode"] for r in rows):
            t = [r for r in rows if r["test"] == test and r["ps"] == ps and r["mode"] == mode]
            q = med(t, "qps")
            print(f"{test:<18} {ps:<7} {mode:<8} {q:>9.0f} {q / dq:>6.2f} {fmt(med(t, 'p95_ms'), '7.2f')} "
                  f"{fmt(med(t, 'proxy_us_per_q'), '11.1f')} {fmt(med(t, 'proxy_user_us_per_q'), '6.1f')} "
                  f"{fmt(med(t, 'mariadb_us_per_q'), '13.1f')} "
                  f"{fmt(med(t, 'syscalls_per_q'), '11.2f')} {fmt(med(t, 'instructions_per_q'), '8.0f')}"
                  + (f"   readings/q {med(t, 'status_reads_per_q'):.3f}  resets/q {med(t, 'resets_per_q'):.3f}"
                     if mode in ("tessera", "exact") else ""))
print()
print(f"Tessera RSS: {rss0 / 1024:.1f} MiB before, {rss1 / 1024:.1f} MiB after "
      f"({(rss1 - rss0) / 1024:+.1f} MiB over the run)")
print(f"raw results: {sys.argv[1]}")
PY
