# shellcheck shell=bash
# Shell helpers shared by the bench/compare scripts (ingest.sh, query.sh),
# which source this file right after `set -euo pipefail`:
#   . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#
# Sets on sourcing:
#   REPO       the repository's top directory
#   NAME       the sourcing script's file name (prefix of every message)
#   CHILD_PID  "" (the command wait_child waits for)
#
# Provides:
#   usage                  prints the script's header comment, exits 2
#   log MSG...             "NAME: MSG" on stderr
#   resolve_build_dir      makes $BUILD_DIR absolute, or exits 2
#   require_built BIN...   exits 2, with how to build it, when a BIN is missing
#   require_tools TOOL...  runs scripts/install-deps.sh when a TOOL is missing,
#                          then exits 1 when one still is
#   make_work PREFIX       creates $WORK and sets the EXIT, INT and TERM traps
#   cleanup                the EXIT trap: stops $CHILD_PID, calls the script's
#                          stop_servers, removes $WORK (unless KEEP=1)
#   stop_server PID        SIGTERM, up to 60 s, then SIGKILL
#   wait_child PID         waits for a command the script started with `&`
#   free_port              a port on 127.0.0.1 that nothing listens on
#   wait_ready PORT PATH PID LOG_FILE SECONDS
#                          waits for http://127.0.0.1:PORT/PATH to answer 2xx
#   wait_vm_merges PORT SECONDS
#                          waits for VictoriaMetrics' background merges to end
#   start_strata PORT DIR  Strata on DIR/data, log in DIR/server.log
#   start_prometheus PORT DIR [FLAG...]
#                          Prometheus on DIR/data, log in DIR/server.log
#   machine_summary        "N cores (CPU), M GiB memory"
#   git_rev [STATUS_FLAG...]
#                          short HEAD, "+ uncommitted changes" when
#                          `git status --porcelain STATUS_FLAG...` lists any
#
# Expects from the sourcing script:
#   BUILD_DIR      (resolve_build_dir)
#   KEEP           1 keeps $WORK (cleanup)
#   stop_servers   a function that stops the script's servers (cleanup); it
#                  must return 0, the EXIT trap runs under `set -e`
#   STRATA, STRATA_FLAGS  the strata binary and its extra flags (start_strata)
# start_strata and start_prometheus start the server in the background: the
# caller takes its pid from $!.

# This file is sourced, so [0] is this file and [1] the script.
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
NAME="$(basename "${BASH_SOURCE[1]}")"
SCRIPT="${BASH_SOURCE[1]}"
CHILD_PID=""

# The script's header comment: from its line 2 to the line before `set -euo`.
usage() {
  sed -n '2,/^set -euo/p' "$SCRIPT" | sed '$d' | sed 's/^# \{0,1\}//' >&2
  exit 2
}

log() { echo "$NAME: $*" >&2; }

resolve_build_dir() {
  BUILD_DIR="$(cd "$BUILD_DIR" 2>/dev/null && pwd)" || {
    log "no build directory $BUILD_DIR"
    exit 2
  }
}

require_built() {
  local bin
  for bin in "$@"; do
    if [ ! -x "$bin" ]; then
      log "$bin missing; build it: cmake --build $BUILD_DIR --target $(basename "$bin")"
      exit 2
    fi
  done
}

require_tools() {
  local tool missing=0
  for tool in "$@"; do
    command -v "$tool" >/dev/null || missing=1
  done
  if [ "$missing" = 1 ]; then
    log "installing missing peers"
    "$REPO/scripts/install-deps.sh"
  fi
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { log "$tool is not installed"; exit 1; }
  done
}

# Stops one server we started: SIGTERM, then up to 60 s for a clean exit,
# then SIGKILL.
# shellcheck disable=SC2317  # invoked from the EXIT trap
stop_server() {
  local pid="$1"
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 600); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "pid $pid did not stop within 60 s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
  if [ -n "$CHILD_PID" ]; then
    kill -TERM "$CHILD_PID" 2>/dev/null || true
    wait "$CHILD_PID" 2>/dev/null || true
  fi
  stop_servers
  if [ "$KEEP" = 1 ]; then
    log "kept $WORK"
  else
    rm -rf "$WORK"
  fi
}

make_work() {
  WORK="$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")"
  trap cleanup EXIT
  trap 'exit 130' INT TERM
}

# Waits for command PID, which the caller started in the background (with
# its own redirections: a trap that runs in this function writes where the
# script does), so that a signal to the script runs the cleanup trap at once
# instead of after the command ends; the trap stops the command. Returns the
# command's exit status.
wait_child() {
  CHILD_PID="$1"
  local rc=0
  wait "$CHILD_PID" || rc=$?
  CHILD_PID=""
  return "$rc"
}

# A TCP port on 127.0.0.1 that nothing listens on right now.
free_port() {
  local port
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  return 1
}

# Polls http://127.0.0.1:PORT/PATH every 50 ms (so that start-up times can
# be read off it) until it answers 2xx (SECONDS at most); fails early when
# server PID exits.
wait_ready() {
  local port="$1" path="$2" pid="$3" log_file="$4" wait_s="$5" start=$SECONDS
  while [ $((SECONDS - start)) -lt "$wait_s" ]; do
    if curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$port$path" 2>/dev/null; then
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      log "server exited during start-up; last log lines:"
      tail -n 20 "$log_file" >&2
      return 1
    fi
    sleep 0.05
  done
  log "server not ready after $wait_s s; last log lines:"
  tail -n 20 "$log_file" >&2
  return 1
}

# VictoriaMetrics on 127.0.0.1:PORT merges in the background: waits (SECONDS
# at most) until its active merge gauges have read zero three times in a
# row, 0.5 s apart.
wait_vm_merges() {
  local port="$1" wait_s="$2" active quiet=0
  for _ in $(seq 1 $((wait_s * 2))); do
    active="$(curl -fsS --max-time 5 "http://127.0.0.1:$port/metrics" \
      | awk '/^vm_active_merges/ { s += $NF } END { print s + 0 }')" || active=1
    if [ "$active" = 0 ]; then
      quiet=$((quiet + 1))
      [ "$quiet" -ge 3 ] && return 0
    else
      quiet=0
    fi
    sleep 0.5
  done
  log "VictoriaMetrics still merging after $wait_s s; measuring anyway"
}

start_strata() {
  local port="$1" dir="$2"
  # shellcheck disable=SC2086  # STRATA_FLAGS is a list of flags
  "$STRATA" --listen-address "127.0.0.1:$port" --storage.path "$dir/data" $STRATA_FLAGS \
    >"$dir/server.log" 2>&1 &
}

start_prometheus() {
  local port="$1" dir="$2"
  shift 2
  printf 'global:\n  scrape_interval: 15s\n' >"$dir/prometheus.yml"
  prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/data" \
    --web.listen-address="127.0.0.1:$port" "$@" >"$dir/server.log" 2>&1 &
}

# Prints the value of an unlabelled metric of the server on 127.0.0.1:$1
# (empty when it is missing or the server does not answer).
scrape_metric() {
  curl -fsS --max-time 10 "http://127.0.0.1:$1/metrics" 2>/dev/null \
    | awk -v m="$2" '$1 == m { print $2 }'
}

# Waits (at most $2 seconds) until Strata on port $1 has completed a whole
# maintenance round that started after this call, so that the head has been
# cut into blocks and the blocks compacted: queries then read the data in
# the state it stays in. Returns 1 on timeout.
wait_strata_settled() {
  local port="$1" limit="$2" start=$SECONDS r0 r
  r0="$(scrape_metric "$port" strata_tsdb_maintenance_runs_total)"
  [ -n "$r0" ] || return 1
  # The round running now may have started before the call: wait for the
  # one after it.
  while [ $((SECONDS - start)) -lt "$limit" ]; do
    r="$(scrape_metric "$port" strata_tsdb_maintenance_runs_total)"
    if [ -n "$r" ] && [ "${r%.*}" -ge $((${r0%.*} + 2)) ]; then return 0; fi
    sleep 2
  done
  return 1
}

machine_summary() {
  local cpu mem
  cpu="$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
  mem="$(awk '/^MemTotal/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)"
  echo "$(nproc) cores ($cpu), $mem GiB memory"
}

git_rev() {
  local rev
  rev="$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  if [ -n "$(git -C "$REPO" status --porcelain "$@" 2>/dev/null | head -1)" ]; then
    rev="$rev + uncommitted changes"
  fi
  echo "$rev"
}
