#!/usr/bin/env bash
# Real data for the disk benchmarks: Debian's prometheus-node-exporter scraped
# by a real Prometheus (and Prometheus scraping itself) on 127.0.0.1 for a
# given time, then exported as OpenMetrics text with timestamps (the input of
# `tsdb-tool import openmetrics` and `promtool tsdb create-blocks-from
# openmetrics`). Prometheus 2.42's promtool has `tsdb dump` only; its
# `{labels} value ms` lines are converted to OpenMetrics (seconds, # EOF).
#
# Usage: bench/compare/capture.sh OUT_FILE [--duration D] [--interval D]
#   --duration  how long to scrape (default 3h; any `sleep` duration: 90m, 2h)
#   --interval  scrape interval (default 15s)
# The file holds every sample of the capture, series by series in time order.
# Progress goes to stderr.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ $# -ge 1 ] || usage
OUT="$1"
shift
DURATION=3h
INTERVAL=15s
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION="$2"; shift 2 ;;
    --interval) INTERVAL="$2"; shift 2 ;;
    *) usage ;;
  esac
done
KEEP="${KEEP:-0}"
require_tools prometheus promtool prometheus-node-exporter
make_work capture

NODE_PID=""
PROM_PID=""
stop_servers() {
  [ -z "$PROM_PID" ] || stop_server "$PROM_PID"
  [ -z "$NODE_PID" ] || stop_server "$NODE_PID"
  return 0
}

NODE_PORT="$(free_port)"
prometheus-node-exporter --web.listen-address="127.0.0.1:$NODE_PORT" \
  >"$WORK/node.log" 2>&1 &
NODE_PID=$!
PROM_PORT="$(free_port)"
cat >"$WORK/prometheus.yml" <<YAML
global:
  scrape_interval: $INTERVAL
scrape_configs:
  - job_name: node
    static_configs: [{targets: ['127.0.0.1:$NODE_PORT']}]
  - job_name: prometheus
    static_configs: [{targets: ['127.0.0.1:$PROM_PORT']}]
YAML
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/data" \
  --web.listen-address="127.0.0.1:$PROM_PORT" >"$WORK/prometheus.log" 2>&1 &
PROM_PID=$!
wait_ready "$PROM_PORT" "/-/ready" "$PROM_PID" "$WORK/prometheus.log" 60
log "scraping node-exporter :$NODE_PORT and prometheus :$PROM_PORT every $INTERVAL for $DURATION"
sleep "$DURATION"
stop_server "$PROM_PID"
PROM_PID=""
log "exporting"
# `promtool tsdb dump` prints `{__name__="x", a="b"} <value> <ms>` (Go %g
# values); OpenMetrics wants `x{a="b"} <value> <seconds>`.
promtool tsdb dump "$WORK/data" | awk '
  {
    ts = $NF; val = $(NF-1)
    labels = substr($0, 1, length($0) - length(ts) - length(val) - 2)
    match(labels, /__name__="[^"]*"/)
    name = substr(labels, RSTART + 10, RLENGTH - 11)
    rest = substr(labels, 2, length(labels) - 2)
    sub(/__name__="[^"]*"(, )?/, "", rest)
    gsub(/", /, "\",", rest)
    secs = sprintf("%d.%03d", int(ts / 1000), ts % 1000)
    if (rest == "") print name " " val " " secs; else print name "{" rest "} " val " " secs
  }
  END { print "# EOF" }' >"$OUT"
log "wrote $(wc -l <"$OUT") lines to $OUT"
