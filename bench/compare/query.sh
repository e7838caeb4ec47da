#!/usr/bin/env bash
# PromQL query latency, side by side: Strata and Prometheus hold the same
# data (strata-querybench's node-exporter-like dataset ending now) and
# answer the same dashboard queries through their HTTP APIs in one run,
# alternately. Prints a markdown report on stdout (progress goes to stderr)
# and writes it to bench/compare/last-query-run.md: per query the median and
# p90 latencies, Strata's median over Prometheus's, whether that meets the
# target (≤ ½), and whether the answers are equal. Exits 1 when an answer
# differs or a query fails, 2 for bad usage.
#
# Usage: bench/compare/query.sh [BUILD_DIR] [--targets N] [--span D] [--interval D]
#            [--reps N] [--warmup N] [--filter NAME,...] [--connections N]
#            [--strata-flags "FLAGS"] [--time-limit SECONDS] [--no-record] [--keep]
#   BUILD_DIR  holds `strata` and `strata-querybench` (default: build/ in the repo).
#   --targets  100 series each (default 20: 2,000 series); --span 24h; --interval 15s.
# The same settings can come from the environment: TARGETS SPAN INTERVAL REPS
# WARMUP FILTER CONNECTIONS STRATA_FLAGS TIME_LIMIT KEEP=1.
#
# How each system gets the data:
# - Prometheus 2.42: `strata-querybench openmetrics` writes the dataset as
#   OpenMetrics text, `promtool tsdb create-blocks-from openmetrics` turns it
#   into blocks of up to 18h (--max-block-duration=24h rounds down to the
#   18h compaction range) in a fresh data directory, then Prometheus starts
#   on it. Retention 15d keeps the day; min/max block duration 2h/18h are
#   Prometheus's defaults for that retention, written out so that no
#   compaction of the loaded blocks starts in the middle of the timing (the
#   planner merges only several blocks of one range window; each 18h window
#   holds one). The script checks that Prometheus loaded every block.
# - Strata: a fresh data directory; `strata-querybench write` remote-writes
#   the same samples (1.0, keep-alive connections, 30-minute windows).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
COMMAND_LINE="bench/compare/query.sh${*:+ $*}"

BUILD_DIR="$REPO/build"
TARGETS="${TARGETS:-20}"
SPAN="${SPAN:-24h}"
INTERVAL="${INTERVAL:-15s}"
REPS="${REPS:-15}"
WARMUP="${WARMUP:-1}"
FILTER="${FILTER:-}"
CONNECTIONS="${CONNECTIONS:-4}"
STRATA_FLAGS="${STRATA_FLAGS:-}"
TIME_LIMIT="${TIME_LIMIT:-3600}"
KEEP="${KEEP:-0}"
RECORD=1

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//' >&2
  exit 2
}

while [ $# -gt 0 ]; do
  case "$1" in
    --targets) TARGETS="$2"; shift 2 ;;
    --span) SPAN="$2"; shift 2 ;;
    --interval) INTERVAL="$2"; shift 2 ;;
    --reps) REPS="$2"; shift 2 ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    --filter) FILTER="$2"; shift 2 ;;
    --connections) CONNECTIONS="$2"; shift 2 ;;
    --strata-flags) STRATA_FLAGS="$2"; shift 2 ;;
    --time-limit) TIME_LIMIT="$2"; shift 2 ;;
    --no-record) RECORD=0; shift ;;
    --keep) KEEP=1; shift ;;
    -h|--help) usage ;;
    -*) echo "query.sh: unknown option $1" >&2; usage ;;
    *) BUILD_DIR="$1"; shift ;;
  esac
done
BUILD_DIR="$(cd "$BUILD_DIR" 2>/dev/null && pwd)" || {
  echo "query.sh: no build directory $BUILD_DIR" >&2
  exit 2
}
QB="$BUILD_DIR/strata-querybench"
STRATA="$BUILD_DIR/strata"
for bin in "$QB" "$STRATA"; do
  if [ ! -x "$bin" ]; then
    echo "query.sh: $bin missing; build it:" \
      "cmake --build $BUILD_DIR --target $(basename "$bin")" >&2
    exit 2
  fi
done

log() { echo "query.sh: $*" >&2; }

if ! command -v prometheus >/dev/null || ! command -v promtool >/dev/null \
  || ! command -v curl >/dev/null; then
  log "installing missing peers"
  "$REPO/scripts/install-deps.sh"
fi
for tool in prometheus promtool curl; do
  command -v "$tool" >/dev/null || { log "$tool is not installed"; exit 1; }
done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/strata-query.XXXXXX")"
STRATA_PID=""
PROM_PID=""
CHILD_PID=""
START_SECONDS=$SECONDS

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
  [ -n "$STRATA_PID" ] && stop_server "$STRATA_PID"
  [ -n "$PROM_PID" ] && stop_server "$PROM_PID"
  if [ "$KEEP" = 1 ]; then
    log "kept $WORK"
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Seconds left of --time-limit (at least 1, so `timeout` still runs).
left() {
  local l=$((TIME_LIMIT - (SECONDS - START_SECONDS)))
  [ "$l" -ge 1 ] && echo "$l" || echo 1
}

# Runs a command in the background under the time limit and waits for it,
# so that a signal to this script runs the cleanup trap at once.
run_bounded() {
  timeout "$(left)" "$@" &
  CHILD_PID=$!
  local rc=0
  wait "$CHILD_PID" || rc=$?
  CHILD_PID=""
  if [ "$rc" = 124 ]; then log "time limit (${TIME_LIMIT} s) reached during: $*"; fi
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

# Polls http://127.0.0.1:PORT/PATH until it answers 2xx (WAIT seconds at
# most); fails early when server PID exits.
wait_ready() {
  local port="$1" path="$2" pid="$3" log_file="$4" wait_s="$5"
  for _ in $(seq 1 $((wait_s * 5))); do
    if curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$port$path" 2>/dev/null; then
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      log "server exited during start-up; last log lines:"
      tail -n 20 "$log_file" >&2
      return 1
    fi
    sleep 0.2
  done
  log "server not ready after $wait_s s; last log lines:"
  tail -n 20 "$log_file" >&2
  return 1
}

# The data ends at the last whole second: every step below must agree on it.
END_MS="$(($(date +%s) * 1000))"
DATASET_FLAGS=(--end-ms "$END_MS" --targets "$TARGETS" --span "$SPAN" --interval "$INTERVAL")
"$QB" info "${DATASET_FLAGS[@]}" >"$WORK/suite.txt" 2>"$WORK/dataset.txt" || {
  cat "$WORK/dataset.txt" >&2
  exit 2
}
DATASET="$(cat "$WORK/dataset.txt")"
log "$DATASET"

# ---- Prometheus: blocks from promtool, then start on them ----
mkdir -p "$WORK/prometheus/data"
log "prometheus: writing OpenMetrics"
run_bounded "$QB" openmetrics "${DATASET_FLAGS[@]}" --out "$WORK/data.om"
log "prometheus: promtool tsdb create-blocks-from openmetrics ($(du -h "$WORK/data.om" | cut -f1))"
t0=$SECONDS
run_bounded promtool tsdb create-blocks-from openmetrics --max-block-duration=24h -q \
  "$WORK/data.om" "$WORK/prometheus/data" >&2
rm -f "$WORK/data.om"
BLOCKS="$(find "$WORK/prometheus/data" -mindepth 2 -maxdepth 2 -name meta.json | wc -l)"
log "prometheus: $BLOCKS blocks in $((SECONDS - t0)) s"
PROM_PORT="$(free_port)"
printf 'global:\n  scrape_interval: 15s\n' >"$WORK/prometheus/prometheus.yml"
prometheus --config.file="$WORK/prometheus/prometheus.yml" \
  --storage.tsdb.path="$WORK/prometheus/data" --web.listen-address="127.0.0.1:$PROM_PORT" \
  --storage.tsdb.retention.time=15d --storage.tsdb.min-block-duration=2h \
  --storage.tsdb.max-block-duration=18h >"$WORK/prometheus/server.log" 2>&1 &
PROM_PID=$!
log "prometheus: pid $PROM_PID on 127.0.0.1:$PROM_PORT"
wait_ready "$PROM_PORT" /-/ready "$PROM_PID" "$WORK/prometheus/server.log" 120
LOADED="$(curl -fsS --max-time 10 "http://127.0.0.1:$PROM_PORT/metrics" \
  | awk '/^prometheus_tsdb_blocks_loaded / { print $2 }')"
if [ "$LOADED" != "$BLOCKS" ]; then
  log "prometheus loaded ${LOADED:-?} of $BLOCKS blocks; see $WORK/prometheus/server.log"
  exit 1
fi

# ---- Strata: fresh directory, remote write ----
mkdir -p "$WORK/strata/data"
STRATA_PORT="$(free_port)"
# shellcheck disable=SC2086  # STRATA_FLAGS is a list of flags
"$STRATA" --listen-address "127.0.0.1:$STRATA_PORT" --storage.path "$WORK/strata/data" \
  $STRATA_FLAGS >"$WORK/strata/server.log" 2>&1 &
STRATA_PID=$!
log "strata: pid $STRATA_PID on 127.0.0.1:$STRATA_PORT"
wait_ready "$STRATA_PORT" /-/ready "$STRATA_PID" "$WORK/strata/server.log" 60
log "strata: remote write"
run_bounded "$QB" write "${DATASET_FLAGS[@]}" --connections "$CONNECTIONS" \
  --url "http://127.0.0.1:$STRATA_PORT/api/v1/write" 2>"$WORK/write.txt" || {
  cat "$WORK/write.txt" >&2
  log "strata did not acknowledge every sample"
  exit 1
}
WRITE_SUMMARY="$(grep '^remote write:' "$WORK/write.txt")"
log "$WRITE_SUMMARY"

# ---- the suite ----
LOADAVG="$(cut -d' ' -f1-3 /proc/loadavg)"
log "querying (load average $LOADAVG)"
QUERY_FLAGS=(--reps "$REPS" --warmup "$WARMUP")
[ -n "$FILTER" ] && QUERY_FLAGS+=(--filter "$FILTER")
QUERY_RC=0
run_bounded "$QB" query "${DATASET_FLAGS[@]}" "${QUERY_FLAGS[@]}" \
  --system "strata=http://127.0.0.1:$STRATA_PORT" \
  --system "prometheus=http://127.0.0.1:$PROM_PORT" --out "$WORK/table.md" || QUERY_RC=$?
if [ ! -s "$WORK/table.md" ]; then
  log "the query run produced no report (exit $QUERY_RC)"
  exit 1
fi

# ---- report ----
CPU_MODEL="$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
MEM_GIB="$(awk '/^MemTotal/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)"
GIT_REV="$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [ -n "$(git -C "$REPO" status --porcelain --untracked-files=no 2>/dev/null | head -1)" ]; then
  GIT_REV="$GIT_REV + uncommitted changes"
fi
PROM_VERSION="$(prometheus --version 2>&1 | head -1)"
REPORT="$WORK/report.md"
{
  echo "# PromQL query latency: Strata vs Prometheus"
  echo
  echo "- command: \`$COMMAND_LINE\`"
  echo "- started: $(date -u -d "@$((END_MS / 1000))" +%Y-%m-%dT%H:%M:%SZ)"
  echo "- machine: $(nproc) cores ($CPU_MODEL), $MEM_GIB GiB memory; the benchmark client" \
    "shares the cores with both servers (both run throughout; queries alternate)"
  echo "- versions: strata $GIT_REV; $PROM_VERSION"
  echo "- ${DATASET#dataset: }"
  echo "- Prometheus: $BLOCKS blocks from promtool (\`--max-block-duration=24h\`)," \
    "loaded at start;" \
    "flags \`--storage.tsdb.retention.time=15d --storage.tsdb.min-block-duration=2h" \
    "--storage.tsdb.max-block-duration=18h\`"
  echo "- Strata: flags \`${STRATA_FLAGS:-(defaults)}\`; ${WRITE_SUMMARY}"
  echo "- each query: $WARMUP untimed request(s) per system, then $REPS timed rounds (order" \
    "alternating); latency is the client's wall time to the last byte of the uncompressed" \
    "answer; load average before the queries: $LOADAVG"
  echo "- equal: same series (label sets), same timestamps, values within a relative 1e-6;" \
    "evaluation times fall between sample timestamps"
  echo
  cat "$WORK/table.md"
} >"$REPORT"
cat "$REPORT"
if [ "$RECORD" = 1 ]; then
  cp "$REPORT" "$REPO/bench/compare/last-query-run.md"
  log "report written to bench/compare/last-query-run.md"
fi
log "done in $((SECONDS - START_SECONDS)) s"
exit "$QUERY_RC"
