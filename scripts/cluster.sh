#!/usr/bin/env bash
# Local MariaDB cluster for Tessera development and tests.
#
#   scripts/cluster.sh start  --dir DIR [--slices N] [--replicas R] [--base-port P]
#   scripts/cluster.sh stop   --dir DIR
#   scripts/cluster.sh status --dir DIR
#   scripts/cluster.sh env    --dir DIR      # prints shell variables describing the cluster
#   scripts/cluster.sh promote --dir DIR --slice I --replica J [--old readonly|kill]
#       fails slice I over to its replica J (see do_promote); prints the completion time
#   scripts/cluster.sh kill-server  --dir DIR --server I:J   # SIGKILL (J=0: the first primary)
#   scripts/cluster.sh start-server --dir DIR --server I:J   # start it again, wait until ready
#   scripts/cluster.sh link --dir DIR --slice I --from K     # slice I's primary replicates
#       from slice K's primary (twice, crossed: a two-writer pair for multi-writer tests)
#   scripts/cluster.sh grant --dir DIR --account NAME --dbs DB[,DB...] [--read-only]
#       creates NAME@127.0.0.1 (password NAME) on every slice's writable server: a data
#       account on those databases only, or with --read-only one that may only SELECT
#
# N slices (default 3), each one primary + R replicas (default 1), all on 127.0.0.1.
# Ports: slice i (0-based) primary = P + 10*i, its replica j (1-based) = P + 10*i + j
# (P defaults to 23306). Everything lives under DIR/slice-i/{primary,replica-j}: datadir,
# socket, pid file, error log, my.cnf. Nothing outside DIR is touched.
#
# Users (created on each primary, replicated; password = user name unless noted):
#   tessera@127.0.0.1 and tessera@localhost: ALL WITH GRANT OPTION -- the test harness's admin
#     account (direct comparisons, setup); Tessera itself should not use it
#   demo_rw@127.0.0.1: data account of the demo namespace (sbtest, demo, db_ks only)
#   demo_ro@127.0.0.1: SELECT on the same databases (the demo's read-only users)
#   tessera_monitor@127.0.0.1: SLAVE MONITOR only ([topology] monitor_user)
#   repl@127.0.0.1: replication ([topology] repl_user)
# Databases sbtest and demo. root@localhost has no password and is reachable through the
# socket only. `grant` creates more accounts of the same kinds (README "Least-privilege
# backend accounts" lists the statements).
#
# start is idempotent: a running cluster is left alone, a stopped one is restarted without
# re-initialising. Slice/replica/port numbers are remembered in DIR/cluster.env on first start.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CMD=${1:-}
[[ $# -gt 0 ]] && shift
DIR="$ROOT/.cluster"
SLICES=""
REPLICAS=""
BASE_PORT=""
SLICE_ARG="" REPLICA_ARG="" OLD_MODE=readonly SERVER_ARG="" FROM_ARG=""
ACCOUNT_ARG="" DBS_ARG="" READ_ONLY_ARG=0
START_TIMEOUT=${CLUSTER_START_TIMEOUT:-90}

usage() { sed -n '2,36p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
die() { echo "cluster: $*" >&2; exit 1; }
log() { echo "cluster: $*"; }

while [[ $# -gt 0 ]]; do
  case $1 in
    --dir) DIR=$2; shift 2 ;;
    --dir=*) DIR=${1#*=}; shift ;;
    --slices) SLICES=$2; shift 2 ;;
    --slices=*) SLICES=${1#*=}; shift ;;
    --replicas) REPLICAS=$2; shift 2 ;;
    --replicas=*) REPLICAS=${1#*=}; shift ;;
    --base-port) BASE_PORT=$2; shift 2 ;;
    --base-port=*) BASE_PORT=${1#*=}; shift ;;
    --slice) SLICE_ARG=$2; shift 2 ;;
    --replica) REPLICA_ARG=$2; shift 2 ;;
    --old) OLD_MODE=$2; shift 2 ;;
    --server) SERVER_ARG=$2; shift 2 ;;
    --from) FROM_ARG=$2; shift 2 ;;
    --account) ACCOUNT_ARG=$2; shift 2 ;;
    --dbs) DBS_ARG=$2; shift 2 ;;
    --read-only) READ_ONLY_ARG=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done
case $CMD in start|stop|status|env|promote|kill-server|start-server|link|grant) ;; -h|--help|help) usage; exit 0 ;; *) usage >&2; exit 2 ;; esac

mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
ENV_FILE="$DIR/cluster.env"

if [[ -f $ENV_FILE ]]; then
  # shellcheck disable=SC1090
  saved_slices=$(. "$ENV_FILE"; echo "$CLUSTER_SLICES")
  saved_replicas=$(. "$ENV_FILE"; echo "$CLUSTER_REPLICAS")
  saved_port=$(. "$ENV_FILE"; echo "$CLUSTER_BASE_PORT")
  for pair in "SLICES:$saved_slices" "REPLICAS:$saved_replicas" "BASE_PORT:$saved_port"; do
    name=${pair%%:*} saved=${pair#*:}
    if [[ -n ${!name} && ${!name} != "$saved" ]]; then
      die "$DIR was created with ${name,,}=$saved (asked for ${!name}); stop it and remove the directory to change that"
    fi
    printf -v "$name" '%s' "$saved"
  done
elif [[ $CMD == start ]]; then
  SLICES=${SLICES:-3} REPLICAS=${REPLICAS:-1} BASE_PORT=${BASE_PORT:-23306}
  [[ $SLICES =~ ^[1-9][0-9]*$ && $REPLICAS =~ ^[0-9]$ && $BASE_PORT =~ ^[0-9]+$ ]] ||
    die "bad --slices/--replicas/--base-port (replicas must be 0..9)"
else
  if [[ $CMD == status ]]; then echo "cluster: no cluster in $DIR"; exit 3; fi
  if [[ $CMD != stop ]]; then die "no cluster in $DIR"; fi
  log "no cluster in $DIR (nothing to stop)"; exit 0
fi

# One start/stop at a time per cluster directory (e.g. a demo and a test run racing).
if [[ $CMD == start || $CMD == stop ]] && command -v flock >/dev/null; then
  exec 9>"$DIR/.lock"
  flock -w 300 9 || die "another cluster.sh holds $DIR/.lock"
fi

MARIADBD=$(command -v mariadbd || echo /usr/sbin/mariadbd)
[[ -x $MARIADBD ]] || die "mariadbd not found; run scripts/install-deps.sh"

# --- topology helpers ---------------------------------------------------------------------
# A server is named "i:j": slice i, j=0 primary, j>0 replica j.
servers() {
  local i j
  for ((i = 0; i < SLICES; i++)); do
    for ((j = 0; j <= REPLICAS; j++)); do echo "$i:$j"; done
  done
}
sdir() { local i=${1%%:*} j=${1#*:}; if ((j == 0)); then echo "$DIR/slice-$i/primary"; else echo "$DIR/slice-$i/replica-$j"; fi; }
sport() { local i=${1%%:*} j=${1#*:}; echo $((BASE_PORT + 10 * i + j)); }
sname() { local i=${1%%:*} j=${1#*:}; if ((j == 0)); then echo "slice-$i/primary"; else echo "slice-$i/replica-$j"; fi; }
ssock() { echo "$(sdir "$1")/mysqld.sock"; }
spid() {
  local f
  f="$(sdir "$1")/mysqld.pid"
  [[ -s $f ]] && cat "$f" 2>/dev/null || true
}
alive() {
  local pid
  pid=$(spid "$1")
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null && grep -qa mariadbd "/proc/$pid/cmdline" 2>/dev/null
}
sql() { # sql SERVER QUERY...  (as root over the socket)
  local s=$1; shift
  mariadb --no-defaults -S "$(ssock "$s")" -uroot -N -B --connect-timeout=5 -e "$*"
}
slave_status() { # vertical SHOW SLAVE STATUS (column names kept)
  mariadb --no-defaults -S "$(ssock "$1")" -uroot -B --connect-timeout=5 -e "SHOW SLAVE STATUS\G"
}
ping_ok() { mariadb-admin --no-defaults -S "$(ssock "$1")" -uroot --connect-timeout=2 ping >/dev/null 2>&1; }
tail_log() { local f; f="$(sdir "$1")/error.log"; [[ -f $f ]] && { echo "--- tail of $f:"; tail -n "${2:-25}" "$f"; } >&2 || true; }

write_cnf() {
  local s=$1 i=${1%%:*} j=${1#*:} d
  d=$(sdir "$s")
  mkdir -p "$d/tmp"
  cat >"$d/my.cnf" <<EOF
# generated by scripts/cluster.sh -- $(sname "$s")
[mysqld]
user=root
datadir=$d/data
socket=$d/mysqld.sock
pid-file=$d/mysqld.pid
log-error=$d/error.log
tmpdir=$d/tmp
port=$(sport "$s")
bind-address=127.0.0.1
skip-name-resolve
server_id=$((1000 * (i + 1) + j))
gtid_domain_id=$((i + 1))
log_bin=$d/data/binlog
log_slave_updates=ON
binlog_format=ROW
gtid_strict_mode=ON
# Tenants' data accounts have no SUPER: without this, binary logging refuses them CREATE
# FUNCTION and CREATE/DROP TRIGGER (1418/1419). Safe here: row-based binlog.
log_bin_trust_function_creators=ON
relay_log=$d/data/relay
$( ((j > 0)) && echo "read_only=ON" )
character-set-server=utf8mb4
collation-server=utf8mb4_general_ci
innodb_buffer_pool_size=32M
innodb_log_file_size=16M
innodb_flush_log_at_trx_commit=2
innodb_use_native_aio=0
sync_binlog=0
performance_schema=OFF
max_connections=1000
max_allowed_packet=64M
key_buffer_size=4M
aria_pagecache_buffer_size=8M
table_open_cache=1000
thread_cache_size=64
EOF
}

# --- lifecycle ------------------------------------------------------------------------------
install_one() {
  local s=$1 d
  d=$(sdir "$s")
  [[ -f $d/.installed ]] && return 0
  rm -rf "$d/data"
  if ! mariadb-install-db --defaults-file="$d/my.cnf" --user=root --auth-root-authentication-method=normal \
      --skip-test-db --skip-name-resolve >"$d/install.log" 2>&1; then
    echo "cluster: mariadb-install-db failed for $(sname "$s"):" >&2
    tail -n 30 "$d/install.log" >&2
    return 1
  fi
  touch "$d/.installed"
}

launch_one() {
  local s=$1 d
  d=$(sdir "$s")
  alive "$s" && return 0
  rm -f "$d/mysqld.pid" "$d/mysqld.sock"
  # setsid + closed fds: the server must outlive this script and not hold ctest's pipes open.
  setsid "$MARIADBD" --defaults-file="$d/my.cnf" --user=root </dev/null >>"$d/stdout.log" 2>&1 9>&- &
  echo $! >"$d/launch.pid"
}

wait_ready() {
  local s=$1 deadline=$((SECONDS + START_TIMEOUT))
  while ! ping_ok "$s"; do
    if ((SECONDS > deadline)); then
      echo "cluster: $(sname "$s") (port $(sport "$s")) did not become ready within ${START_TIMEOUT}s" >&2
      tail_log "$s"; return 1
    fi
    local lp; lp=$(cat "$(sdir "$s")/launch.pid" 2>/dev/null || true)
    if [[ -n $lp ]] && ! kill -0 "$lp" 2>/dev/null; then
      echo "cluster: $(sname "$s") (port $(sport "$s")) exited during startup" >&2
      tail_log "$s"; return 1
    fi
    sleep 0.2
  done
}

# The least-privilege roles (README "Least-privilege backend accounts" shows the same).
# A namespace's data account: what applications do on their own databases, and nothing
# server-wide -- no FILE, PROCESS, SUPER, CREATE USER, GRANT OPTION, BINLOG REPLAY (whose
# BINLOG statement applies row events to any table), nothing on mysql.*.
DATA_PRIVILEGES="SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, ALTER, INDEX, REFERENCES,
  CREATE TEMPORARY TABLES, LOCK TABLES, CREATE VIEW, SHOW VIEW, TRIGGER, EVENT,
  CREATE ROUTINE, ALTER ROUTINE, EXECUTE"
# grant_sql ACCOUNT DB,DB.. READ_ONLY(0|1): CREATE USER + GRANTs for one account. Read-only
# accounts get SELECT alone: not even EXECUTE, so a stored function that writes cannot run.
grant_sql() {
  local account=$1 dbs=$2 ro=$3 db privs
  [[ $account =~ ^[A-Za-z0-9_]+$ ]] || die "account names are letters, digits and _"
  privs=$DATA_PRIVILEGES
  ((ro)) && privs="SELECT"
  echo "CREATE USER IF NOT EXISTS '$account'@'127.0.0.1' IDENTIFIED BY '$account';"
  for db in ${dbs//,/ }; do
    [[ $db =~ ^[A-Za-z0-9_]+$ ]] || die "database names are letters, digits and _"
    # `_` is a wildcard in a database grant: escape it so the grant names this database only
    echo "GRANT $privs ON \`${db//_/\\_}\`.* TO '$account'@'127.0.0.1';"
  done
}

setup_primary() {
  local s=$1
  sql "$s" "
    SET SESSION sql_log_bin=1;
    -- mariadb-install-db also makes a password-less root for TCP from 127.0.0.1 and ::1:
    -- root is for the socket only (replicated: every replica has the same two)
    DROP USER IF EXISTS 'root'@'127.0.0.1', 'root'@'::1';
    CREATE USER IF NOT EXISTS 'tessera'@'127.0.0.1' IDENTIFIED BY 'tessera';
    CREATE USER IF NOT EXISTS 'tessera'@'localhost' IDENTIFIED BY 'tessera';
    GRANT ALL PRIVILEGES ON *.* TO 'tessera'@'127.0.0.1' WITH GRANT OPTION;
    GRANT ALL PRIVILEGES ON *.* TO 'tessera'@'localhost' WITH GRANT OPTION;
    CREATE USER IF NOT EXISTS 'repl'@'127.0.0.1' IDENTIFIED BY 'repl';
    GRANT REPLICATION SLAVE, REPLICATION CLIENT, REPLICATION SLAVE ADMIN, BINLOG MONITOR ON *.* TO 'repl'@'127.0.0.1';
    CREATE USER IF NOT EXISTS 'tessera_monitor'@'127.0.0.1' IDENTIFIED BY 'tessera_monitor';
    GRANT SLAVE MONITOR ON *.* TO 'tessera_monitor'@'127.0.0.1';
    $(grant_sql demo_rw sbtest,demo,db_ks 0)
    $(grant_sql demo_ro sbtest,demo,db_ks 1)
    CREATE DATABASE IF NOT EXISTS sbtest;
    CREATE DATABASE IF NOT EXISTS demo;"
}

setup_replica() {
  local s=$1 i=${1%%:*}
  sql "$s" "
    STOP SLAVE;
    CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=$(sport "$i:0"), MASTER_USER='repl',
      MASTER_PASSWORD='repl', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1;
    START SLAVE;"
}

slave_state() { # prints "IO SQL" for a replica
  slave_status "$1" 2>/dev/null | awk '
    /^ *Slave_IO_Running:/ {io=$2} /^ *Slave_SQL_Running:/ {sq=$2}
    END {printf "%s %s\n", (io==""?"-":io), (sq==""?"-":sq)}'
}

wait_replicating() {
  local s=$1 deadline=$((SECONDS + START_TIMEOUT)) st
  while true; do
    st=$(slave_state "$s")
    [[ $st == "Yes Yes" ]] && return 0
    if ((SECONDS > deadline)); then
      echo "cluster: replica $(sname "$s") (port $(sport "$s")) not replicating after ${START_TIMEOUT}s (IO/SQL: $st)" >&2
      slave_status "$s" 2>/dev/null | grep -E 'Last_(IO|SQL)_Error|Master_Port|Gtid_IO_Pos' >&2 || true
      tail_log "$s"; return 1
    fi
    sleep 0.2
  done
}

# Run "fn server" for each server in the list in parallel; fail if any fails.
parallel() {
  local fn=$1 s rc=0; shift
  local pids=()
  for s in "$@"; do "$fn" "$s" & pids+=($!); done
  for s in "${pids[@]}"; do wait "$s" || rc=1; done
  return $rc
}

do_start() {
  local t0=$SECONDS all primaries=() replicas=() s fresh=0
  mapfile -t all < <(servers)
  for s in "${all[@]}"; do if [[ ${s#*:} == 0 ]]; then primaries+=("$s"); else replicas+=("$s"); fi; done

  local running=0
  for s in "${all[@]}"; do alive "$s" && running=$((running + 1)); done
  if ((running == ${#all[@]})) && [[ -f $DIR/.setup-done ]]; then
    log "already running in $DIR (${#all[@]} servers)"
    return 0
  fi

  if [[ ! -f $ENV_FILE ]]; then
    printf 'CLUSTER_DIR=%q\nCLUSTER_SLICES=%s\nCLUSTER_REPLICAS=%s\nCLUSTER_BASE_PORT=%s\n' \
      "$DIR" "$SLICES" "$REPLICAS" "$BASE_PORT" >"$ENV_FILE"
  fi
  for s in "${all[@]}"; do
    local sock; sock=$(ssock "$s")
    ((${#sock} < 100)) || die "socket path too long (${#sock} chars): $sock; use a shorter --dir"
    if ! alive "$s"; then
      # refuse to start on a port someone else already listens on
      if (exec 3<>"/dev/tcp/127.0.0.1/$(sport "$s")") 2>/dev/null; then
        die "port $(sport "$s") for $(sname "$s") is already in use by another process"
      fi
    fi
    write_cnf "$s"
    [[ -f "$(sdir "$s")/.installed" ]] || fresh=1
  done

  ((fresh)) && log "initialising datadirs in $DIR"
  parallel install_one "${all[@]}" || die "initialisation failed"
  for s in "${all[@]}"; do launch_one "$s"; done
  parallel wait_ready "${all[@]}" || die "servers failed to start (see $DIR/slice-*/*/error.log)"

  if [[ ! -f $DIR/.setup-done ]]; then
    parallel setup_primary "${primaries[@]}" || die "creating users/databases on primaries failed"
    if ((${#replicas[@]})); then
      parallel setup_replica "${replicas[@]}" || die "configuring replication failed"
    fi
  elif [[ ! -f $DIR/.accounts-v2 ]]; then
    # A cluster made before the least-privilege accounts (demo_rw, demo_ro, tessera_monitor):
    # add them once, on the writable primaries only (a write on a read-only server would
    # break gtid_strict_mode replication); replicas get them through replication.
    for s in "${primaries[@]}"; do
      [[ $(sql "$s" "SELECT @@read_only") == 0 ]] && setup_primary "$s"
    done
  fi
  touch "$DIR/.accounts-v2"
  if ((${#replicas[@]})); then
    parallel wait_replicating "${replicas[@]}" || die "replication did not start"
  fi
  touch "$DIR/.setup-done"
  log "started ${#all[@]} servers ($SLICES slices x (1 primary + $REPLICAS replicas)) in $((SECONDS - t0))s;" \
    "primaries on ports$(for p in "${primaries[@]}"; do printf ' %s' "$(sport "$p")"; done)"
}

stop_one() {
  local s=$1 pid deadline
  pid=$(spid "$s")
  alive "$s" || { rm -f "$(sdir "$s")/mysqld.pid"; return 0; }
  mariadb-admin --no-defaults -S "$(ssock "$s")" -uroot --connect-timeout=5 --shutdown-timeout=60 shutdown >/dev/null 2>&1 || true
  deadline=$((SECONDS + 60))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    echo "cluster: $(sname "$s") did not shut down cleanly, sending SIGTERM" >&2
    kill -TERM "$pid" 2>/dev/null || true
    deadline=$((SECONDS + 20))
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; sleep 0.2; fi
  fi
}

do_stop() {
  local t0=$SECONDS all
  mapfile -t all < <(servers)
  parallel stop_one "${all[@]}"
  log "stopped $DIR in $((SECONDS - t0))s"
}

do_status() {
  local s all down=0 up=0 role state
  mapfile -t all < <(servers)
  printf '%-20s %-8s %-6s %-8s %s\n' SERVER ROLE PORT STATE REPLICATION
  for s in "${all[@]}"; do
    if [[ ${s#*:} == 0 ]]; then role=primary; else role=replica; fi
    if alive "$s" && ping_ok "$s"; then
      up=$((up + 1))
      if [[ $role == primary ]]; then
        state="gtid_binlog_pos=$(sql "$s" "SELECT @@gtid_binlog_pos" 2>/dev/null || echo '?')"
      else
        state=$(slave_status "$s" 2>/dev/null | awk '
          /^ *Slave_IO_Running:/ {io=$2} /^ *Slave_SQL_Running:/ {sq=$2}
          /^ *Seconds_Behind_Master:/ {lag=$2} /^ *Master_Port:/ {mp=$2}
          END {printf "io=%s sql=%s lag=%s master_port=%s", io, sq, lag, mp}')
        state="$state gtid_slave_pos=$(sql "$s" "SELECT @@gtid_slave_pos" 2>/dev/null || echo '?')"
      fi
      printf '%-20s %-8s %-6s %-8s %s\n' "$(sname "$s")" "$role" "$(sport "$s")" running "$state"
    else
      down=$((down + 1))
      printf '%-20s %-8s %-6s %-8s %s\n' "$(sname "$s")" "$role" "$(sport "$s")" stopped -
    fi
  done
  ((down == 0)) && return 0
  ((up == 0)) && return 3
  return 1
}

# --- failover helpers (issue 6) ------------------------------------------------------------
now_ms() { date +%s%3N; }
# The slice's writable server ("i:j"), if any: after a promotion it is no longer replica 0.
writable_of() {
  local i=$1 j
  for ((j = 0; j <= REPLICAS; j++)); do
    if alive "$i:$j" && [[ $(sql "$i:$j" "SELECT @@read_only" 2>/dev/null) == 0 ]]; then
      echo "$i:$j"; return 0
    fi
  done
  return 1
}
repoint() { # repoint SERVER NEW_PRIMARY: replicate from NEW_PRIMARY by GTID
  sql "$1" "STOP SLAVE; CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=$(sport "$2"),
    MASTER_USER='repl', MASTER_PASSWORD='repl', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1;
    START SLAVE;"
}

# The manual failover of seed 000 done the MariaDB way: the old primary is made read-only (or
# killed), the chosen replica applies what it already received, stops replicating and becomes
# writable, the other replicas (and a read-only old primary) replicate from it.
do_promote() {
  local i=$SLICE_ARG j=$REPLICA_ARG old new s t0 pos
  [[ $i =~ ^[0-9]+$ && $j =~ ^[0-9]$ ]] || die "promote needs --slice I and --replica J (0 = the first primary)"
  new="$i:$j"
  alive "$new" || die "$(sname "$new") is not running"
  old=$(writable_of "$i") || old=""
  [[ $old == "$new" ]] && die "$(sname "$new") is already the writable primary"
  t0=$(now_ms)
  if [[ -n $old ]]; then
    case $OLD_MODE in
      readonly)
        sql "$old" "SET GLOBAL read_only=1"
        pos=$(sql "$old" "SELECT @@gtid_binlog_pos")
        # everything the old primary committed must be on the new one before it takes writes
        [[ -z $pos ]] || [[ $(sql "$new" "SELECT MASTER_GTID_WAIT('$pos', 30)") == 0 ]] ||
          die "$(sname "$new") did not catch up with $pos within 30s"
        ;;
      kill)
        kill -KILL "$(spid "$old")" 2>/dev/null || true
        ;;
      *) die "--old must be readonly or kill" ;;
    esac
  fi
  if [[ $OLD_MODE == kill || -z $old ]]; then
    # apply the relay log already received (the IO thread can fetch nothing more)
    pos=$(slave_status "$new" | awk '/^ *Gtid_IO_Pos:/ {print $2}')
    sql "$new" "STOP SLAVE IO_THREAD"
    [[ -z $pos ]] || sql "$new" "SELECT MASTER_GTID_WAIT('$pos', 30)" >/dev/null
  fi
  sql "$new" "STOP SLAVE; RESET SLAVE ALL; SET GLOBAL read_only=0"
  local done_ms; done_ms=$(now_ms)
  for s in $(servers); do
    [[ ${s%%:*} == "$i" && $s != "$new" && $s != "$old" ]] || continue
    alive "$s" && repoint "$s" "$new"
  done
  if [[ -n $old && $OLD_MODE == readonly ]]; then
    # the old primary becomes a replica of the new one
    sql "$old" "SET GLOBAL gtid_slave_pos=@@gtid_binlog_pos"
    repoint "$old" "$new"
  fi
  echo "promoted $(sname "$new") (port $(sport "$new")) in slice $i; old primary" \
    "${old:+$(sname "$old") }(${OLD_MODE}); took $((done_ms - t0)) ms; completed_at_ms=$done_ms"
}

server_arg() {
  [[ $SERVER_ARG =~ ^[0-9]+:[0-9]$ ]] || die "--server I:J needed (slice I, J=0 primary, J>0 replica)"
  echo "$SERVER_ARG"
}

do_link() {
  local a="$SLICE_ARG:0" b="$FROM_ARG:0" pos
  [[ $SLICE_ARG =~ ^[0-9]+$ && $FROM_ARG =~ ^[0-9]+$ ]] || die "link needs --slice I --from K"
  # start from the source's current position: both already hold the users and databases
  pos=$(sql "$b" "SELECT @@gtid_binlog_pos")
  # MariaDB refuses a gtid_slave_pos that lacks a domain of the server's own binlog (error
  # 1948): keep the local domains the source does not have.
  local own g domains=",${pos//[^0-9,-]/},"
  own=$(sql "$a" "SELECT @@gtid_binlog_pos")
  for g in ${own//,/ }; do
    [[ $domains == *",${g%%-*}-"* ]] || pos=${pos:+$pos,}$g
  done
  sql "$a" "STOP SLAVE; SET GLOBAL gtid_slave_pos='$pos'"
  repoint "$a" "$b"
  wait_replicating "$a"
  log "$(sname "$a") replicates from $(sname "$b")"
}

do_grant() {
  local i s statements
  [[ -n $ACCOUNT_ARG && -n $DBS_ARG ]] || die "grant needs --account NAME --dbs DB[,DB...]"
  statements=$(grant_sql "$ACCOUNT_ARG" "$DBS_ARG" "$READ_ONLY_ARG")
  for ((i = 0; i < SLICES; i++)); do
    s=$(writable_of "$i") || die "slice $i has no writable server"
    sql "$s" "$statements"
  done
  log "account $ACCOUNT_ARG on $DBS_ARG$( ((READ_ONLY_ARG)) && echo " (SELECT only)")"
}

case $CMD in
  start) do_start ;;
  stop) do_stop ;;
  status) do_status ;;
  env) cat "$ENV_FILE" ;;
  promote) do_promote ;;
  kill-server) s=$(server_arg); kill -KILL "$(spid "$s")" 2>/dev/null || true; log "killed $(sname "$s")" ;;
  start-server) s=$(server_arg); write_cnf "$s"; launch_one "$s"; wait_ready "$s"; log "started $(sname "$s")" ;;
  link) do_link ;;
  grant) do_grant ;;
esac
