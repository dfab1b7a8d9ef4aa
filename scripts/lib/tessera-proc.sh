# Helpers for starting and stopping a Tessera process in the background (sourced by
# scripts/demo.sh, scripts/soak.sh and the benchmarks under bench/).

# tessera_running PIDFILE -> 0 if the pid in PIDFILE is a live tessera process
tessera_running() {
  local pid
  [[ -s $1 ]] || return 1
  pid=$(cat "$1")
  kill -0 "$pid" 2>/dev/null && grep -qa tessera "/proc/$pid/cmdline" 2>/dev/null &&
    [[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) != Z ]]
}

# tessera_start BIN CONFIG LOGFILE PIDFILE HOST PORT USER PASSWORD
# Starts BIN --config CONFIG detached, waits until USER can run SELECT 1 on HOST:PORT.
tessera_start() {
  local bin=$1 config=$2 logf=$3 pidf=$4 host=$5 port=$6 user=$7 pass=$8
  if tessera_running "$pidf"; then
    echo "tessera: already running (pid $(cat "$pidf"))"; return 0
  fi
  [[ -x $bin ]] || { echo "tessera: binary $bin not found (run scripts/build.sh)" >&2; return 1; }
  if (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then
    echo "tessera: $host:$port is already in use by another process" >&2; return 1
  fi
  mkdir -p "$(dirname "$logf")" "$(dirname "$pidf")"
  setsid "$bin" --config "$config" </dev/null >>"$logf" 2>&1 &
  local pid=$!
  echo "$pid" >"$pidf"
  local deadline=$((SECONDS + 30))
  until mariadb --no-defaults --protocol=tcp -h"$host" -P"$port" -u"$user" -p"$pass" \
      --connect-timeout=2 -N -B -e 'SELECT 1' >/dev/null 2>&1; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "tessera: exited during startup; last lines of $logf:" >&2; tail -n 30 "$logf" >&2
      rm -f "$pidf"; return 1
    fi
    if ((SECONDS > deadline)); then
      echo "tessera: not serving on $host:$port after 30s; last lines of $logf:" >&2
      tail -n 30 "$logf" >&2; tessera_stop "$pidf"; return 1
    fi
    sleep 0.2
  done
  echo "tessera: running (pid $pid) on $host:$port, log $logf"
}

# tessera_stop PIDFILE  (SIGTERM, then SIGKILL after 10 s)
tessera_stop() {
  local pidf=$1 pid
  [[ -s $pidf ]] || return 0
  pid=$(cat "$pidf")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "tessera: pid $pid ignored SIGTERM for 10s, killing" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
    echo "tessera: stopped (pid $pid)"
  fi
  rm -f "$pidf"
}

# tessera_run_config CONFIG RUNDIR -> prints the path of the configuration to start with.
# A configuration whose [txn] decision_log is "" keeps its XA decision log beside itself; for a
# checked-in example that is the source tree. This writes RUNDIR/tessera.toml, a copy whose
# decision log is RUNDIR/xa-decisions.log and whose namespaces_dir is absolute (relative paths
# resolve against the copy's directory), so everything a run writes stays under RUNDIR.
tessera_run_config() {
  local config=$1 rundir=$2 src_dir ns_dir
  src_dir=$(cd "$(dirname "$config")" && pwd)
  ns_dir=$(sed -n 's/^namespaces_dir *= *"\([^"]*\)".*/\1/p' "$config" | head -1)
  [[ -n $ns_dir && $ns_dir != /* ]] && ns_dir=$src_dir/$ns_dir
  mkdir -p "$rundir"
  sed -e "s|^decision_log *= *\"\"|decision_log = \"$rundir/xa-decisions.log\"|" \
      -e "s|^namespaces_dir *= *\"[^\"]*\"|namespaces_dir = \"$ns_dir\"|" \
      "$config" >"$rundir/tessera.toml"
  echo "$rundir/tessera.toml"
}

# demo_up ROOT DEMO_DIR
# Starts the demo cluster and its Tessera (ROOT/scripts/demo.sh, which honours SKIP_DEPS and
# SKIP_BUILD) unless both run already. Sets DEMO_STARTED=1 when it started them, so that a
# benchmark stops only what it started.
demo_up() {
  local root=$1 demo_dir=$2
  DEMO_STARTED=0
  if tessera_running "$demo_dir/tessera.pid" &&
    "$root/scripts/cluster.sh" status --dir "$demo_dir/cluster" >/dev/null 2>&1; then
    return 0
  fi
  echo "bench: starting the demo cluster and Tessera (scripts/demo.sh)"
  "$root/scripts/demo.sh" start >/dev/null
  DEMO_STARTED=1
}
