#!/usr/bin/env bash
# Remote-write ingestion, side by side: Strata, Prometheus and VictoriaMetrics
# each get the same strata-loadgen stream on a fresh data directory, one after
# the other, on 127.0.0.1. Prints a markdown report on stdout (progress goes to
# stderr): samples/s, server CPU seconds per million samples, peak RSS, bytes
# on disk, and Strata/peer ratios.
#
# Usage: bench/compare/ingest.sh [BUILD_DIR] [--targets N] [--scrapes N]
#            [--connections N] [--batch N] [--interval D] [--protocol v1|v2]
#            [--duration-limit D] [--settle D] [--systems strata,prometheus,victoriametrics]
#            [--strata-flags "FLAGS"] [--repeat N] [--keep]
#   BUILD_DIR  holds `strata` and `strata-loadgen` (default: build/ in the repo).
# The same settings can come from the environment: TARGETS SCRAPES CONNECTIONS
# BATCH INTERVAL PROTOCOL DURATION_LIMIT SETTLE SYSTEMS STRATA_FLAGS REPEAT KEEP=1.
# With --repeat N every system runs N times (round robin, each on a fresh
# data directory) and is reported by its median run by samples/s: on a
# shared machine throughput varies from run to run.
#
# Bytes on disk: Strata's data directory after a clean stop (WAL; no blocks
# yet); Prometheus's snapshot with its head (POST .../admin/tsdb/snapshot
# ?skip_head=false: the head written as one block); VictoriaMetrics' data
# directory after /internal/force_flush and /internal/force_merge.
# The peers installed here (Prometheus 2.42, VictoriaMetrics 1.79) speak only
# remote write 1.0, so they always get --protocol v1.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

COMMAND_LINE="bench/compare/ingest.sh $*"

BUILD_DIR="$REPO/build"
TARGETS="${TARGETS:-200}"
SCRAPES="${SCRAPES:-20}"
CONNECTIONS="${CONNECTIONS:-8}"
BATCH="${BATCH:-2000}"
INTERVAL="${INTERVAL:-15s}"
PROTOCOL="${PROTOCOL:-v1}"
DURATION_LIMIT="${DURATION_LIMIT:-240s}"
SETTLE="${SETTLE:-5s}"
SYSTEMS="${SYSTEMS:-strata,prometheus,victoriametrics}"
STRATA_FLAGS="${STRATA_FLAGS:-}"
KEEP="${KEEP:-0}"
REPEAT="${REPEAT:-1}"

while [ $# -gt 0 ]; do
  case "$1" in
    --targets) TARGETS="$2"; shift 2 ;;
    --scrapes) SCRAPES="$2"; shift 2 ;;
    --connections) CONNECTIONS="$2"; shift 2 ;;
    --batch) BATCH="$2"; shift 2 ;;
    --interval) INTERVAL="$2"; shift 2 ;;
    --protocol) PROTOCOL="$2"; shift 2 ;;
    --duration-limit) DURATION_LIMIT="$2"; shift 2 ;;
    --settle) SETTLE="$2"; shift 2 ;;
    --systems) SYSTEMS="$2"; shift 2 ;;
    --strata-flags) STRATA_FLAGS="$2"; shift 2 ;;
    --repeat) REPEAT="$2"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) usage ;;
    -*) log "unknown option $1"; usage ;;
    *) BUILD_DIR="$1"; shift ;;
  esac
done
resolve_build_dir
LOADGEN="$BUILD_DIR/strata-loadgen"
STRATA="$BUILD_DIR/strata"
require_built "$LOADGEN"
require_tools prometheus victoria-metrics curl jq

SERVER_PID=""

# shellcheck disable=SC2317  # invoked by cleanup, from the EXIT trap
stop_servers() {
  if [ -n "$SERVER_PID" ]; then
    stop_server "$SERVER_PID"
    SERVER_PID=""
  fi
}
make_work strata-ingest

dir_bytes() { du -sb "$1" | cut -f1; }

declare -A RESULT DISK NOTE STATUS LOADAVG

# Runs system $1 end to end as repetition $2 (key "$1/$2"): records its
# loadgen JSON, disk bytes, a note and a status under the key. Returns
# non-zero when the system could not be measured.
run_system() {
  local sys="$1" key="$2" port dir protocol="$PROTOCOL" ready_path rc=0 snap
  dir="$WORK/$key"
  mkdir -p "$dir/data"
  port="$(free_port)" || { log "no free port"; return 1; }
  case "$sys" in
    strata)
      if [ ! -x "$STRATA" ]; then
        STATUS[$key]="not built ($STRATA missing)"
        return 1
      fi
      start_strata "$port" "$dir"
      ready_path=/-/ready
      ;;
    prometheus)
      start_prometheus "$port" "$dir" --web.enable-remote-write-receiver --web.enable-admin-api
      ready_path=/-/ready
      protocol=v1
      ;;
    victoriametrics)
      victoria-metrics -httpListenAddr="127.0.0.1:$port" -storageDataPath="$dir/data" \
        -retentionPeriod=100y >"$dir/server.log" 2>&1 &
      ready_path=/health
      protocol=v1
      ;;
    *)
      log "unknown system $sys"
      return 1
      ;;
  esac
  SERVER_PID=$!
  log "$key: pid $SERVER_PID on 127.0.0.1:$port, data in $dir/data"
  if ! wait_ready "$port" "$ready_path" "$SERVER_PID" "$dir/server.log" 60; then
    STATUS[$key]="did not start (see its log)"
    stop_server "$SERVER_PID"
    SERVER_PID=""
    return 1
  fi

  # Other work on the machine skews throughput: the report shows the load.
  LOADAVG[$key]="$(cut -d' ' -f1 /proc/loadavg)"
  log "$key: loading (load average ${LOADAVG[$key]})"
  "$LOADGEN" --url "http://127.0.0.1:$port/api/v1/write" --targets "$TARGETS" \
    --scrapes "$SCRAPES" --interval "$INTERVAL" --connections "$CONNECTIONS" --batch "$BATCH" \
    --protocol "$protocol" --duration-limit "$DURATION_LIMIT" --pid "$SERVER_PID" \
    --settle "$SETTLE" --json >"$dir/result.json" 2>"$dir/loadgen.txt" &
  # In the background so that a signal to this script runs the cleanup trap
  # at once instead of after the load generator finishes.
  wait_child $! || rc=$?
  cat "$dir/loadgen.txt" >&2
  if [ ! -s "$dir/result.json" ]; then
    STATUS[$key]="loadgen failed (exit $rc)"
    stop_server "$SERVER_PID"
    SERVER_PID=""
    return 1
  fi
  RESULT[$key]="$(cat "$dir/result.json")"
  STATUS[$key]="ok"
  [ "$rc" -eq 0 ] || STATUS[$key]="not every sample acknowledged (loadgen exit $rc)"

  case "$sys" in
    prometheus)
      snap="$(curl -fsS --max-time 300 -XPOST \
        "http://127.0.0.1:$port/api/v1/admin/tsdb/snapshot?skip_head=false" \
        | jq -r '.data.name')" || snap=""
      ;;
    victoriametrics)
      curl -fsS --max-time 300 -o /dev/null "http://127.0.0.1:$port/internal/force_flush" || true
      curl -fsS --max-time 300 -o /dev/null "http://127.0.0.1:$port/internal/force_merge" || true
      wait_vm_merges "$port" 120
      ;;
  esac
  log "$key: stopping"
  stop_server "$SERVER_PID"
  SERVER_PID=""

  case "$sys" in
    strata)
      DISK[$key]="$(dir_bytes "$dir/data")"
      NOTE[$key]="data dir after SIGTERM (WAL, no blocks)"
      ;;
    prometheus)
      if [ -n "$snap" ] && [ -d "$dir/data/snapshots/$snap" ]; then
        DISK[$key]="$(dir_bytes "$dir/data/snapshots/$snap")"
        NOTE[$key]="snapshot incl. head; WAL was $(dir_bytes "$dir/data/wal") B"
      else
        NOTE[$key]="snapshot failed"
      fi
      ;;
    victoriametrics)
      DISK[$key]="$(dir_bytes "$dir/data")"
      NOTE[$key]="data dir after force_flush + force_merge"
      ;;
  esac
}

# jq field of a system's loadgen result, or empty.
field() {
  if [ -n "${RESULT[$1]:-}" ]; then jq -r ".$2 // empty" <<<"${RESULT[$1]}"; fi
}

# Formats a number with a fixed precision, or "n/a".
num() { if [ -n "$1" ]; then LC_ALL=C printf "%.${2}f" "$1"; else echo "n/a"; fi; }

# Strata's figure divided by a peer's, or "n/a".
ratio() {
  if [ -n "$1" ] && [ -n "$2" ] && awk -v b="$2" 'BEGIN { exit !(b > 0) }'; then
    awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f×", a / b }'
  else
    echo "n/a"
  fi
}

DATE="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
FAILED=0
IFS=',' read -r -a SYSTEM_LIST <<<"$SYSTEMS"
# Repetitions go round the systems, so a change in the machine's load hits
# all of them alike.
for rep in $(seq 1 "$REPEAT"); do
  for sys in "${SYSTEM_LIST[@]}"; do
    if ! run_system "$sys" "$sys/$rep"; then
      FAILED=1
      log "$sys/$rep: ${STATUS[$sys/$rep]:-failed}"
    fi
  done
done

# Each system is reported by its median repetition by samples/s (a whole
# repetition, so its figures belong together); RANGE keeps the spread.
declare -A RANGE MEDIAN_KEY
for sys in "${SYSTEM_LIST[@]}"; do
  runs=""
  for rep in $(seq 1 "$REPEAT"); do
    rate=""
    if [ -n "${RESULT[$sys/$rep]:-}" ]; then
      rate="$(jq -r '.samples_per_second' <<<"${RESULT[$sys/$rep]}")"
    fi
    [ -n "$rate" ] && runs+="$rate $rep"$'\n'
  done
  if [ -z "$runs" ]; then
    STATUS[$sys]="${STATUS[$sys/1]:-not run}"
    continue
  fi
  sorted="$(sort -n <<<"${runs%$'\n'}")"
  count="$(wc -l <<<"$sorted")"
  median_rep="$(sed -n "$(((count + 1) / 2))p" <<<"$sorted" | cut -d' ' -f2)"
  key="$sys/$median_rep"
  MEDIAN_KEY[$sys]="$key"
  RANGE[$sys]="$(awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.0f–%.0f", lo, hi }' \
    <<<"$sorted") ($count runs)"
  RESULT[$sys]="${RESULT[$key]:-}"
  DISK[$sys]="${DISK[$key]:-}"
  NOTE[$sys]="${NOTE[$key]:-}"
  STATUS[$sys]="${STATUS[$key]:-}"
  LOADAVG[$sys]="${LOADAVG[$key]:-}"
done

# ---- report ----
GIT_REV="$(git_rev --untracked-files=normal)"
PROM_VERSION="$(prometheus --version 2>&1 | head -1)"
# The Debian build of VictoriaMetrics prints an empty -version; the package
# version says which release it is.
VM_VERSION="$(victoria-metrics -version 2>&1 | head -1)"
[ -n "$VM_VERSION" ] || VM_VERSION="victoria-metrics $(dpkg-query -W -f='${Version}' \
  victoria-metrics 2>/dev/null || echo unknown) (Debian package)"

echo "# Remote-write ingestion: Strata, Prometheus, VictoriaMetrics"
echo
echo "- command: \`$COMMAND_LINE\`"
echo "- load: \`strata-loadgen --targets $TARGETS --scrapes $SCRAPES --interval $INTERVAL" \
  "--connections $CONNECTIONS --batch $BATCH --protocol $PROTOCOL" \
  "--duration-limit $DURATION_LIMIT --settle $SETTLE\` ($((TARGETS * 1000)) series," \
  "$((TARGETS * 1000 * SCRAPES)) samples; peers always get v1); $REPEAT run(s) per system," \
  "each on a fresh data directory, reported by the median run by samples/s"
echo "- started: $DATE"
echo "- machine: $(machine_summary); the load generator shares" \
  "the cores with the server"
echo "- versions: strata $GIT_REV; $PROM_VERSION; $VM_VERSION"
echo "- flags: strata \`${STRATA_FLAGS:-(defaults)}\`; Prometheus and VictoriaMetrics defaults" \
  "(see the script)"
echo
echo "| system | samples/s | CPU s / M samples | incl. $SETTLE settle | peak RSS MiB" \
  "| peak RSS B/series | bytes on disk | bytes/sample | samples acked | load avg before | samples/s of all runs | status |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
declare -A RATE CPUM CPUMS RSS
for sys in "${SYSTEM_LIST[@]}"; do
  RATE[$sys]="$(field "$sys" samples_per_second)"
  CPUM[$sys]="$(field "$sys" server_cpu_seconds_per_million)"
  CPUMS[$sys]="$(field "$sys" server_cpu_seconds_per_million_settled)"
  RSS[$sys]="$(field "$sys" server_peak_rss_bytes)"
  acked="$(field "$sys" samples_ok)"
  rss_mib="" rss_series="" bps=""
  if [ -n "${RSS[$sys]}" ]; then
    rss_mib="$(awk -v b="${RSS[$sys]}" 'BEGIN { print b / 1048576 }')"
    rss_series="$(awk -v b="${RSS[$sys]}" -v n="$((TARGETS * 1000))" 'BEGIN { print b / n }')"
  fi
  if [ -n "${DISK[$sys]:-}" ] && [ -n "$acked" ] && [ "$acked" -gt 0 ]; then
    bps="$(awk -v b="${DISK[$sys]}" -v n="$acked" 'BEGIN { print b / n }')"
  fi
  echo "| $sys | $(num "${RATE[$sys]}" 0) | $(num "${CPUM[$sys]}" 3) | $(num "${CPUMS[$sys]}" 3)" \
    "| $(num "$rss_mib" 1) | $(num "$rss_series" 0) | ${DISK[$sys]:-n/a} | $(num "$bps" 2) | ${acked:-n/a}" \
    "| ${LOADAVG[$sys]:-n/a} | ${RANGE[$sys]:-n/a} | ${STATUS[$sys]:-not run} |"
done
echo
if [[ ",$SYSTEMS," == *",strata,"* ]] \
  && [[ ",$SYSTEMS," == *",prometheus,"* || ",$SYSTEMS," == *",victoriametrics,"* ]]; then
  echo "| Strata / peer | samples/s (higher is better) | CPU s / M samples | peak RSS" \
    "| bytes on disk |"
  echo "|---|---:|---:|---:|---:|"
  for peer in prometheus victoriametrics; do
    [[ ",$SYSTEMS," == *",$peer,"* ]] || continue
    echo "| vs $peer | $(ratio "${RATE[strata]}" "${RATE[$peer]}")" \
      "| $(ratio "${CPUM[strata]}" "${CPUM[$peer]}") | $(ratio "${RSS[strata]}" "${RSS[$peer]}")" \
      "| $(ratio "${DISK[strata]:-}" "${DISK[$peer]:-}") |"
  done
  echo
fi
echo "Bytes on disk:"
for sys in "${SYSTEM_LIST[@]}"; do echo "- $sys: ${NOTE[$sys]:-n/a}"; done
echo
echo "How to read this: the stream is encoded before timing and replayed over keep-alive"
echo "connections (TCP_NODELAY), series sharded by target. Server CPU comes from"
echo "/proc/PID/stat during the replay (\"incl. settle\" adds the quiet period after it, for"
echo "work finished in the background); peak RSS is VmHWM. On a shared machine samples/s"
echo "moves with the load from other processes; CPU s per million samples is the steadier"
echo "figure. Strata's bytes are its WAL, not yet compacted blocks, so that ratio compares"
echo "a log with the peers' compressed storage."
echo
echo "## Load generator output"
for sys in "${SYSTEM_LIST[@]}"; do
  key="${MEDIAN_KEY[$sys]:-}"
  if [ -z "$key" ] || [ ! -s "$WORK/$key/loadgen.txt" ]; then continue; fi
  echo
  echo "### $sys (run ${key#*/}, the median)"
  echo
  echo '```'
  cat "$WORK/$key/loadgen.txt"
  echo '```'
done
exit "$FAILED"
