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
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

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
    -*) log "unknown option $1"; usage ;;
    *) BUILD_DIR="$1"; shift ;;
  esac
done
resolve_build_dir
QB="$BUILD_DIR/strata-querybench"
STRATA="$BUILD_DIR/strata"
require_built "$QB" "$STRATA"
require_tools prometheus promtool curl

STRATA_PID=""
PROM_PID=""
START_SECONDS=$SECONDS

# shellcheck disable=SC2317  # invoked by cleanup, from the EXIT trap
stop_servers() {
  if [ -n "$STRATA_PID" ]; then stop_server "$STRATA_PID"; fi
  if [ -n "$PROM_PID" ]; then stop_server "$PROM_PID"; fi
}
make_work strata-query

# Seconds left of --time-limit (at least 1, so `timeout` still runs).
left() {
  local l=$((TIME_LIMIT - (SECONDS - START_SECONDS)))
  [ "$l" -ge 1 ] && echo "$l" || echo 1
}

# Runs a command in the background under the time limit and waits for it,
# so that a signal to this script runs the cleanup trap at once.
run_bounded() {
  timeout "$(left)" "$@" &
  local rc=0
  wait_child $! || rc=$?
  if [ "$rc" = 124 ]; then log "time limit (${TIME_LIMIT} s) reached during: $*"; fi
  return "$rc"
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
start_prometheus "$PROM_PORT" "$WORK/prometheus" --storage.tsdb.retention.time=15d \
  --storage.tsdb.min-block-duration=2h --storage.tsdb.max-block-duration=18h
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
start_strata "$STRATA_PORT" "$WORK/strata"
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
# Prometheus serves blocks; Strata is queried too in the state its data
# settles in: the head cut into blocks, the blocks compacted (cold chunks).
log "strata: waiting for maintenance to cut and compact blocks"
t0=$SECONDS
wait_strata_settled "$STRATA_PORT" "$(left)" || {
  log "strata did not finish a maintenance round in time"
  exit 1
}
STRATA_BLOCKS="$(scrape_metric "$STRATA_PORT" strata_tsdb_blocks_loaded)"
log "strata: $STRATA_BLOCKS blocks after $((SECONDS - t0)) s"

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
GIT_REV="$(git_rev --untracked-files=no)"
PROM_VERSION="$(prometheus --version 2>&1 | head -1)"
REPORT="$WORK/report.md"
{
  echo "# PromQL query latency: Strata vs Prometheus"
  echo
  echo "- command: \`$COMMAND_LINE\`"
  echo "- started: $(date -u -d "@$((END_MS / 1000))" +%Y-%m-%dT%H:%M:%SZ)"
  echo "- machine: $(machine_summary); the benchmark client" \
    "shares the cores with both servers (both run throughout; queries alternate)"
  echo "- versions: strata $GIT_REV; $PROM_VERSION"
  echo "- ${DATASET#dataset: }"
  echo "- Prometheus: $BLOCKS blocks from promtool (\`--max-block-duration=24h\`)," \
    "loaded at start;" \
    "flags \`--storage.tsdb.retention.time=15d --storage.tsdb.min-block-duration=2h" \
    "--storage.tsdb.max-block-duration=18h\`"
  echo "- Strata: flags \`${STRATA_FLAGS:-(defaults)}\`; ${WRITE_SUMMARY}; queried after" \
    "a maintenance round: $STRATA_BLOCKS blocks (cut from the head, compacted) and the head"
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
