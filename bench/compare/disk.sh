#!/usr/bin/env bash
# Bytes per sample on disk, side by side: the same OpenMetrics data goes into
# Strata (imported, then compacted to its top level: the cold encoding),
# Prometheus (promtool's blocks) and VictoriaMetrics (imported over HTTP, then
# flushed and force-merged), one after the other, in one run, on 127.0.0.1.
# Prints a markdown report on stdout (progress goes to stderr) and writes it
# to bench/compare/NAME.md (--record-name, default last-disk-run): per system
# samples, series, bytes/sample of the data files and of the whole directory,
# Strata's ratios against the targets (≤ ½ of VictoriaMetrics, ≤ ¼ of
# Prometheus), Strata's bytes per compaction level and its compaction
# throughput. Exits 1 when a system could not be measured or holds a wrong
# number of samples, 2 for bad usage.
#
# Usage: bench/compare/disk.sh [BUILD_DIR] [--targets N] [--span D] [--input FILE]
#            [--import-block-duration D] [--systems strata,prometheus,victoriametrics]
#            [--vm-chunk-lines N] [--record-name NAME] [--no-record] [--keep]
#   BUILD_DIR  holds `tsdb-tool` and `strata-querybench` (default: build/ in the repo).
#   --targets  synthetic data: node-exporter-like targets of 100 series (default 20);
#   --span     its length (default 26h; 15 s scrapes), starting at a UTC midnight.
#   --input    a real capture in OpenMetrics (bench/compare/capture.sh) instead.
#   --import-block-duration  Strata's level-1 blocks (default: 2h, or for a
#              --input shorter than 12h the largest divisor of 2h giving >= 4 blocks).
# The same settings can come from the environment: TARGETS SPAN INPUT
# IMPORT_BLOCK_DURATION SYSTEMS VM_CHUNK_LINES RECORD_NAME KEEP=1.
#
# How each system gets the data:
# - Strata: `tsdb-tool import openmetrics` writes level-1 blocks (XOR chunks),
#   measured as they are; then one sample of a separate sentinel series is
#   imported at the next UTC midnight after the data (a server that kept
#   running would have cut such a block: it completes every window of the
#   data for the planner, which never compacts the newest block), and
#   `tsdb-tool compact` runs until it changes nothing (timed: compaction
#   throughput). Level 2 (6h windows) is measured on a copy of the first 6h
#   window's level-1 blocks compacted alone. The sentinel's block is left out
#   of every figure.
# - Prometheus 2.42: `promtool tsdb create-blocks-from openmetrics
#   --max-block-duration=24h` (blocks of up to 18h, its top compaction range
#   for the default retention).
# - VictoriaMetrics 1.79: fresh -storageDataPath; the file converted to the
#   Prometheus text format with millisecond timestamps (the seconds' decimals
#   truncated to the millisecond, as promtool and Strata read them) and POSTed
#   to /api/v1/import/prometheus in chunks; then /internal/force_flush, a
#   check of the stored row count (vm_rows), /internal/force_merge (all
#   partitions), a wait until vm_active_merges stays 0, a clean stop; bytes of
#   data/ and indexdb/.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

COMMAND_LINE="bench/compare/disk.sh${*:+ $*}"

BUILD_DIR="$REPO/build"
TARGETS="${TARGETS:-20}"
SPAN="${SPAN:-26h}"
INPUT="${INPUT:-}"
IMPORT_BLOCK_DURATION="${IMPORT_BLOCK_DURATION:-}"
SYSTEMS="${SYSTEMS:-strata,prometheus,victoriametrics}"
VM_CHUNK_LINES="${VM_CHUNK_LINES:-500000}"
RECORD_NAME="${RECORD_NAME:-last-disk-run}"
KEEP="${KEEP:-0}"
RECORD=1

while [ $# -gt 0 ]; do
  case "$1" in
    --targets) TARGETS="$2"; shift 2 ;;
    --span) SPAN="$2"; shift 2 ;;
    --input) INPUT="$2"; shift 2 ;;
    --import-block-duration) IMPORT_BLOCK_DURATION="$2"; shift 2 ;;
    --systems) SYSTEMS="$2"; shift 2 ;;
    --vm-chunk-lines) VM_CHUNK_LINES="$2"; shift 2 ;;
    --record-name) RECORD_NAME="$2"; shift 2 ;;
    --no-record) RECORD=0; shift ;;
    --keep) KEEP=1; shift ;;
    -h|--help) usage ;;
    -*) log "unknown option $1"; usage ;;
    *) BUILD_DIR="$1"; shift ;;
  esac
done
resolve_build_dir
TOOL="$BUILD_DIR/tsdb-tool"
QB="$BUILD_DIR/strata-querybench"
require_built "$TOOL"
[ -n "$INPUT" ] || require_built "$QB"
require_tools promtool victoria-metrics curl jq
if [ -n "$INPUT" ] && [ ! -r "$INPUT" ]; then
  log "cannot read --input $INPUT"
  exit 2
fi
case "$RECORD_NAME" in
  */* | "") log "--record-name is a file name without .md"; exit 2 ;;
esac

DAY_MS=86400000
SIX_H_MS=21600000

# A duration (90s, 30m, 26h, 2d) in milliseconds, or exit 2.
duration_ms() {
  local d="$1" n unit
  n="${d%[smhd]}"
  unit="${d#"$n"}"
  if ! [[ "$n" =~ ^[0-9]+$ ]] || [ -z "$unit" ]; then
    log "bad duration $d (want e.g. 90s, 30m, 26h, 2d)"
    exit 2
  fi
  case "$unit" in
    s) echo $((n * 1000)) ;;
    m) echo $((n * 60000)) ;;
    h) echo $((n * 3600000)) ;;
    d) echo $((n * DAY_MS)) ;;
  esac
}

SPAN_MS="$(duration_ms "$SPAN")"
[ -z "$IMPORT_BLOCK_DURATION" ] || duration_ms "$IMPORT_BLOCK_DURATION" >/dev/null
[[ "$VM_CHUNK_LINES" =~ ^[1-9][0-9]*$ ]] || { log "bad --vm-chunk-lines"; exit 2; }

VM_PID=""
# shellcheck disable=SC2317  # invoked by cleanup, from the EXIT trap
stop_servers() {
  if [ -n "$VM_PID" ]; then stop_server "$VM_PID"; fi
  return 0
}
make_work strata-disk

now_s() { date +%s.%N; }
# Formats a number with a fixed precision, or "n/a".
num() { if [ -n "$1" ]; then LC_ALL=C printf "%.${2}f" "$1"; else echo "n/a"; fi; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.4f", a / b }'; }
# Bytes of the regular files under the paths (apparent sizes; directories'
# own entries, 4 KiB each, would weigh on small inputs and on
# VictoriaMetrics' many part directories).
bytes_of() { find "$@" -type f -printf '%s\n' 2>/dev/null | awk '{ s += $1 } END { print s + 0 }'; }

# ---- the input ----
START_SECONDS=$SECONDS
DATE="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
if [ -n "$INPUT" ]; then
  DATA="$INPUT"
  DATASET="input \`$INPUT\` ($(du -h "$INPUT" | cut -f1)B of OpenMetrics)"
else
  # The data starts at the UTC midnight at least SPAN before now.
  NOW_MS="$(($(date +%s) * 1000))"
  END_MS="$(((NOW_MS - SPAN_MS) / DAY_MS * DAY_MS + SPAN_MS))"
  DATA="$WORK/data.om"
  DATASET_FLAGS=(--end-ms "$END_MS" --targets "$TARGETS" --span "$SPAN")
  DATASET="$("$QB" info "${DATASET_FLAGS[@]}" 2>&1 >/dev/null)" || {
    log "$DATASET"
    exit 2
  }
  DATASET="synthetic: ${DATASET#dataset: }; \`strata-querybench openmetrics ${DATASET_FLAGS[*]}\`"
  log "writing $DATA"
  "$QB" openmetrics "${DATASET_FLAGS[@]}" --quiet --out "$DATA"
fi
FILE_SAMPLES="$(grep -vc '^#' "$DATA" || true)"
# VictoriaMetrics' text import drops NaN values (Prometheus' stale markers
# too, which the text cannot tell apart): it is expected to hold the rest.
FILE_NANS="$(awk '!/^#/ && $(NF - 1) == "NaN" { n++ } END { print n + 0 }' "$DATA")"
log "$FILE_SAMPLES samples in the input, $FILE_NANS of them NaN"

# ---- Strata ----
# Per-block facts of a data directory, one line each:
#   ulid level min_time max_time samples series chunk_bytes index_bytes dir_bytes
strata_blocks() {
  local meta b
  for meta in "$1"/*/meta.json; do
    [ -e "$meta" ] || continue
    b="$(dirname "$meta")"
    printf '%s %s %s %s\n' \
      "$(jq -r '[.ulid, .compaction.level, .minTime, .maxTime, .stats.numSamples,
                 .stats.numSeries] | map(tostring) | join(" ")' "$meta")" \
      "$(bytes_of "$b/chunks")" "$(stat -c %s "$b/index")" "$(bytes_of "$b")"
  done
}

# Imports FILE into DIR with level-1 blocks of the given duration.
strata_import() {
  "$TOOL" import openmetrics "$1" "$2" --block-duration "$3" --quiet
}

# One sample of the sentinel series at MS (a multiple of 1000) into DIR.
strata_sentinel() {
  printf 'strata_disk_bench_sentinel 1 %d.000\n# EOF\n' "$(($2 / 1000))" >"$WORK/sentinel.om"
  strata_import "$WORK/sentinel.om" "$1" 2h
}

# Runs `tsdb-tool compact DIR` until it adds no block; prints the passes.
strata_compact_all() {
  local passes=0
  while :; do
    "$TOOL" compact "$1" >"$WORK/compact.txt"
    passes=$((passes + 1))
    grep -q '^added:' "$WORK/compact.txt" || break
    cat "$WORK/compact.txt" >>"$WORK/compact-all.txt"
  done
  echo "$passes"
}

# Sums block lines (strata_blocks) on stdin, those with min_time < LIMIT_MS,
# grouped by level: level blocks samples max_series chunk_bytes index_bytes
# dir_bytes duration_ms (of one block)
sum_by_level() {
  awk -v limit="$1" '$3 < limit {
    l = $2; n[l]++; s[l] += $5; if ($6 > se[l]) se[l] = $6; c[l] += $7; i[l] += $8; d[l] += $9
    dur[l] = $4 - $3
  } END { for (l in n) print l, n[l], s[l], se[l], c[l], i[l], d[l], dur[l] }' | sort -n
}

declare -A STATUS
STRATA_LEVELS=""
STRATA_L2=""
COMPACT_SECONDS=""
COMPACT_SAMPLES=""
run_strata() {
  local dir="$WORK/strata" blocks span_ms first last sentinel_ms block_dur t0 t1 passes
  local probe="$WORK/strata-l2" w ulid
  if [ -n "$IMPORT_BLOCK_DURATION" ]; then
    block_dur="$IMPORT_BLOCK_DURATION"
  elif [ -z "$INPUT" ]; then
    block_dur=2h
  fi
  log "strata: import"
  if [ -z "${block_dur:-}" ]; then
    # The data's span, from the file's timestamps (seconds).
    span_ms="$(awk '!/^#/ { t = $NF + 0; if (n++ == 0 || t < lo) lo = t; if (t > hi) hi = t }
      END { printf "%d", (hi - lo) * 1000 }' "$DATA")"
    block_dur=2h
    if [ "$span_ms" -lt $((12 * 3600000)) ]; then
      for m in 60 40 30 24 20 15 12 10 8 6 5 4 3 2 1; do
        block_dur="${m}m"
        [ $((span_ms / (m * 60000))) -ge 4 ] && break
      done
    fi
  fi
  IMPORT_BLOCKS_USED="$block_dur"
  t0="$(now_s)"
  strata_import "$DATA" "$dir" "$block_dur"
  t1="$(now_s)"
  IMPORT_SECONDS="$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')"
  blocks="$(strata_blocks "$dir")"
  STRATA_L1="$(sum_by_level 9223372036854775807 <<<"$blocks")"
  last="$(awk '$4 > m { m = $4 } END { print m }' <<<"$blocks")"
  first="$(awk 'NR == 1 || $3 < m { m = $3 } END { print m }' <<<"$blocks")"
  sentinel_ms=$(((last - 1) / DAY_MS * DAY_MS + DAY_MS))
  # Level 2 alone: the first 6h window's level-1 blocks, hard-linked (the
  # compaction only deletes its sources' links), and a sentinel after it.
  w=$((first / SIX_H_MS * SIX_H_MS))
  mkdir -p "$probe"
  awk -v lo="$w" -v hi="$((w + SIX_H_MS))" '$3 >= lo && $4 <= hi { print $1 }' <<<"$blocks" \
    | while read -r ulid; do cp -al "$dir/$ulid" "$probe/$ulid"; done
  strata_sentinel "$dir" "$sentinel_ms"
  log "strata: compact (sentinel at $sentinel_ms)"
  t0="$(now_s)"
  passes="$(strata_compact_all "$dir")"
  t1="$(now_s)"
  COMPACT_SECONDS="$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')"
  COMPACT_PASSES="$passes"
  blocks="$(strata_blocks "$dir")"
  STRATA_LEVELS="$(sum_by_level "$sentinel_ms" <<<"$blocks")"
  COMPACT_SAMPLES="$(awk '$1 >= 2 { s += $3 } END { print s + 0 }' <<<"$STRATA_LEVELS")"
  # The whole directory but the sentinel's block.
  ulid="$(awk -v s="$sentinel_ms" '$3 >= s { print $1 }' <<<"$blocks")"
  STRATA_DIR_BYTES=$(($(bytes_of "$dir") - $(bytes_of "$dir/$ulid")))
  if [ "$(find "$probe" -mindepth 1 -maxdepth 1 -type d | wc -l)" -ge 2 ]; then
    strata_sentinel "$probe" $((w + SIX_H_MS))
    strata_compact_all "$probe" >/dev/null
    STRATA_L2="$(strata_blocks "$probe" | sum_by_level $((w + SIX_H_MS)) | awk '$1 == 2')"
  fi
  rm -rf "$probe"
  log "strata: compacted in $COMPACT_SECONDS s ($passes passes)"
  STATUS[strata]=ok
}

# ---- Prometheus ----
run_prometheus() {
  local dir="$WORK/prometheus" t0 t1 meta
  log "prometheus: promtool tsdb create-blocks-from openmetrics"
  t0="$(now_s)"
  promtool tsdb create-blocks-from openmetrics --max-block-duration=24h -q "$DATA" "$dir" \
    >"$WORK/promtool.txt" 2>&1 || {
    tail -5 "$WORK/promtool.txt" >&2
    STATUS[prometheus]="promtool failed"
    return 1
  }
  t1="$(now_s)"
  PROM_SECONDS="$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')"
  PROM_BLOCKS=0 PROM_SAMPLES=0 PROM_SERIES_MAX=0 PROM_DATA=0
  for meta in "$dir"/*/meta.json; do
    PROM_BLOCKS=$((PROM_BLOCKS + 1))
    PROM_SAMPLES=$((PROM_SAMPLES + $(jq .stats.numSamples "$meta")))
    PROM_SERIES_MAX="$(jq --argjson m "$PROM_SERIES_MAX" '[.stats.numSeries, $m] | max' "$meta")"
    PROM_DATA=$((PROM_DATA + $(bytes_of "$(dirname "$meta")/chunks" "$(dirname "$meta")/index")))
  done
  PROM_TOTAL="$(bytes_of "$dir")"
  PROM_DURATION_MS="$(jq -s 'map(.maxTime - .minTime) | max' "$dir"/*/meta.json)"
  STATUS[prometheus]=ok
  [ "$PROM_SAMPLES" = "$FILE_SAMPLES" ] || STATUS[prometheus]="holds $PROM_SAMPLES samples"
}

# ---- VictoriaMetrics ----
vm_metric() {
  curl -fsS --max-time 10 "http://127.0.0.1:$VM_PORT/metrics" | awk -v re="$1" '$0 ~ re { s += $NF }
    END { printf "%.0f\n", s }'
}

run_vm() {
  local dir="$WORK/vm" part rows t0 t1
  mkdir -p "$dir"
  VM_PORT="$(free_port)"
  victoria-metrics -httpListenAddr="127.0.0.1:$VM_PORT" -storageDataPath="$dir/storage" \
    -retentionPeriod=100y >"$dir/server.log" 2>&1 &
  VM_PID=$!
  wait_ready "$VM_PORT" /health "$VM_PID" "$dir/server.log" 60
  log "victoriametrics: pid $VM_PID on 127.0.0.1:$VM_PORT; importing"
  # `name{labels} value seconds.frac` -> `name{labels} value milliseconds`:
  # the timestamp is the text after the last space (label values may hold
  # spaces); its decimals are padded or truncated to 3 digits, no float.
  awk '
    /^#/ { next }
    {
      match($0, / [^ ]+$/)
      ts = substr($0, RSTART + 1)
      dot = index(ts, ".")
      if (dot == 0) { secs = ts; frac = "" } else { secs = substr(ts, 1, dot - 1); frac = substr(ts, dot + 1) }
      frac = substr(frac "000", 1, 3)
      ms = secs frac
      sub(/^0+/, "", ms)
      if (ms == "") ms = "0"
      print substr($0, 1, RSTART) ms
    }' "$DATA" | split -l "$VM_CHUNK_LINES" - "$dir/part."
  t0="$(now_s)"
  for part in "$dir"/part.*; do
    curl -fsS --max-time 600 -XPOST --data-binary "@$part" \
      "http://127.0.0.1:$VM_PORT/api/v1/import/prometheus" || {
      STATUS[victoriametrics]="import failed"
      return 1
    }
    rm -f "$part"
  done
  curl -fsS --max-time 600 -o /dev/null "http://127.0.0.1:$VM_PORT/internal/force_flush"
  t1="$(now_s)"
  VM_IMPORT_SECONDS="$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')"
  wait_vm_merges "$VM_PORT" 600
  rows="$(vm_metric '^vm_rows\\{type="storage/(small|big)"\\}')"
  # /api/v1/series/count counts per-day index entries (a series spanning two
  # days may count twice); listing the series is exact.
  VM_SERIES="$(curl -fsS --max-time 300 "http://127.0.0.1:$VM_PORT/api/v1/series" \
    --data-urlencode 'match[]={__name__=~".+"}' --data-urlencode start=0 \
    | jq -r '.data | length')"
  log "victoriametrics: $rows rows, ${VM_SERIES:-?} series; force_merge"
  curl -fsS --max-time 600 -o /dev/null "http://127.0.0.1:$VM_PORT/internal/force_merge"
  sleep 2
  wait_vm_merges "$VM_PORT" 600
  VM_ROWS="$(vm_metric '^vm_rows\\{type="storage/(small|big)"\\}')"
  VM_PARTS="$(vm_metric '^vm_parts\\{type="storage/(small|big)"\\}')"
  stop_server "$VM_PID"
  VM_PID=""
  VM_DATA="$(bytes_of "$dir/storage/data")"
  VM_INDEX="$(bytes_of "$dir/storage/indexdb")"
  VM_TOTAL="$(bytes_of "$dir/storage")"
  STATUS[victoriametrics]=ok
  [ "$VM_ROWS" = $((FILE_SAMPLES - FILE_NANS)) ] \
    || STATUS[victoriametrics]="holds $VM_ROWS samples, want $((FILE_SAMPLES - FILE_NANS))"
}

FAILED=0
IFS=',' read -r -a SYSTEM_LIST <<<"$SYSTEMS"
for sys in "${SYSTEM_LIST[@]}"; do
  case "$sys" in
    strata) run_strata || FAILED=1 ;;
    prometheus) run_prometheus || FAILED=1 ;;
    victoriametrics) run_vm || FAILED=1 ;;
    *) log "unknown system $sys"; exit 2 ;;
  esac
  if [ "${STATUS[$sys]:-}" != ok ]; then
    FAILED=1
    log "$sys: ${STATUS[$sys]:-failed}"
  fi
done

# ---- report ----
# Bytes per sample: a/b with 3 decimals, or n/a.
bps() { if [ -n "$1" ] && [ -n "$2" ] && [ "$2" -gt 0 ] 2>/dev/null; then num "$(div "$1" "$2")" 3; else echo n/a; fi; }
# "0.42× ✅ met" / "0.61× ❌ missed (by 22%)" for Strata's figure A over a
# peer's B against TARGET.
verdict() {
  awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN {
    if (a == "" || b == "" || b + 0 <= 0) { print "n/a|n/a"; exit }
    r = a / b
    if (r <= t) printf "%.2f×|met\n", r
    else printf "%.2f×|missed: %.0f%% over the target\n", r, (r / t - 1) * 100
  }'
}
hours() { awk -v ms="$1" 'BEGIN { h = ms / 3600000; printf (h == int(h) ? "%dh" : "%.2fh"), h }'; }

GIT_REV="$(git_rev --untracked-files=no)"
PROM_VERSION="$(promtool --version 2>&1 | head -1)"
VM_VERSION="$(victoria-metrics -version 2>&1 | head -1)"
[ -n "$VM_VERSION" ] || VM_VERSION="victoria-metrics $(dpkg-query -W -f='${Version}' \
  victoria-metrics 2>/dev/null || echo unknown) (Debian package)"

TOP="" TOP_BPS="" TOP_DIR_BPS="" ALL_SAMPLES="" ALL_DATA=""
if [ -n "$STRATA_LEVELS" ]; then
  TOP="$(tail -1 <<<"$STRATA_LEVELS")"
  read -r TOP_LEVEL TOP_BLOCKS TOP_SAMPLES TOP_SERIES TOP_CHUNKS TOP_INDEX TOP_DIR TOP_DUR <<<"$TOP"
  TOP_BPS="$(div $((TOP_CHUNKS + TOP_INDEX)) "$TOP_SAMPLES")"
  TOP_DIR_BPS="$(div "$TOP_DIR" "$TOP_SAMPLES")"
  read -r ALL_SAMPLES ALL_DATA ALL_SERIES <<<"$(awk '{ s += $3; d += $5 + $6;
    if ($4 > m) m = $4 } END { print s, d, m }' <<<"$STRATA_LEVELS")"
  ALL_BPS="$(div "$ALL_DATA" "$ALL_SAMPLES")"
  ALL_DIR_BPS="$(div "$STRATA_DIR_BYTES" "$ALL_SAMPLES")"
  [ "$ALL_SAMPLES" = "$FILE_SAMPLES" ] || STATUS[strata]="holds $ALL_SAMPLES samples"
fi
PROM_BPS="" PROM_DIR_BPS="" VM_BPS="" VM_DIR_BPS=""
if [ "${STATUS[prometheus]:-}" = ok ]; then
  PROM_BPS="$(div "$PROM_DATA" "$PROM_SAMPLES")"
  PROM_DIR_BPS="$(div "$PROM_TOTAL" "$PROM_SAMPLES")"
fi
if [ -n "${VM_ROWS:-}" ] && [ "$VM_ROWS" -gt 0 ]; then
  VM_BPS="$(div $((VM_DATA + VM_INDEX)) "$VM_ROWS")"
  VM_DIR_BPS="$(div "$VM_TOTAL" "$VM_ROWS")"
fi

REPORT="$WORK/report.md"
{
  echo "# Bytes per sample on disk: Strata vs Prometheus vs VictoriaMetrics"
  echo
  echo "- command: \`$COMMAND_LINE\`"
  echo "- started: $DATE; took $((SECONDS - START_SECONDS)) s"
  echo "- machine: $(machine_summary)"
  echo "- versions: strata $GIT_REV; $PROM_VERSION; $VM_VERSION"
  echo "- data: $DATASET; $FILE_SAMPLES samples, $FILE_NANS of them NaN" \
    "(VictoriaMetrics' import drops NaN samples)"
  echo
  echo "| system | measured | samples | series | B/sample (data files) | B/sample (whole dir)" \
    "| Strata top level ÷ it | target | verdict |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---|"
  if [ -n "$TOP" ]; then
    echo "| Strata | top level ($TOP_LEVEL, cold chunks): $TOP_BLOCKS block(s) of $(hours "$TOP_DUR");" \
      "chunks + index | $TOP_SAMPLES | $TOP_SERIES | $(num "$TOP_BPS" 3) | $(num "$TOP_DIR_BPS" 3)" \
      "| | | |"
    echo "| Strata | whole directory after compaction (every level, sentinel excluded)" \
      "| $ALL_SAMPLES | $ALL_SERIES | $(num "$ALL_BPS" 3) | $(num "$ALL_DIR_BPS" 3) | | | |"
  fi
  if [ -n "$PROM_BPS" ]; then
    echo "| Prometheus | $PROM_BLOCKS promtool block(s) of up to $(hours "$PROM_DURATION_MS"); chunks + index" \
      "| $PROM_SAMPLES | $PROM_SERIES_MAX | $(num "$PROM_BPS" 3) | $(num "$PROM_DIR_BPS" 3)" \
      "| $(verdict "$TOP_BPS" "$PROM_BPS" 0.25 | cut -d'|' -f1) | ≤ 0.25× |" \
      "$(verdict "$TOP_BPS" "$PROM_BPS" 0.25 | cut -d'|' -f2) |"
  fi
  if [ -n "$VM_BPS" ]; then
    echo "| VictoriaMetrics | data/ + indexdb/ after force_merge ($VM_PARTS part(s)); data $VM_DATA B," \
      "indexdb $VM_INDEX B | $VM_ROWS | ${VM_SERIES:-n/a} | $(num "$VM_BPS" 3)" \
      "| $(num "$VM_DIR_BPS" 3) | $(verdict "$TOP_BPS" "$VM_BPS" 0.5 | cut -d'|' -f1) | ≤ 0.5× |" \
      "$(verdict "$TOP_BPS" "$VM_BPS" 0.5 | cut -d'|' -f2) |"
  fi
  echo
  if [ -n "$TOP" ]; then
    echo "Whole directory against whole directory: Strata ÷ Prometheus" \
      "$(verdict "$ALL_DIR_BPS" "$PROM_DIR_BPS" 0.25 | tr '|' ' ')," \
      "Strata ÷ VictoriaMetrics $(verdict "$ALL_DIR_BPS" "$VM_DIR_BPS" 0.5 | tr '|' ' ')."
    echo
    echo "Strata by level (level 1: \`tsdb-tool import\` blocks of $IMPORT_BLOCKS_USED, XOR chunks;" \
      "level 2: the first 6h window compacted alone; the rest: after \`tsdb-tool compact\`):"
    echo
    echo "| level | blocks | block length | samples | chunks B/sample | index B/sample" \
      "| chunks + index B/sample | block dir B/sample |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
    {
      awk '{ print "import", $0 }' <<<"$STRATA_L1"
      # The probe only adds a figure when compaction went beyond level 2.
      [ -z "$STRATA_L2" ] || [ "$TOP_LEVEL" -le 2 ] || awk '{ print "probe", $0 }' <<<"$STRATA_L2"
      awk '{ print "final", $0 }' <<<"$STRATA_LEVELS"
    } | while read -r src l n s _ c i d dur; do
      [ -n "$l" ] || continue
      case "$src" in
        import) note=" (as imported)" ;;
        probe) note=" (first 6h window alone)" ;;
        *) note=" (final)" ;;
      esac
      echo "| $l$note | $n | $(hours "$dur") | $s | $(bps "$c" "$s") | $(bps "$i" "$s")" \
        "| $(bps $((c + i)) "$s") | $(bps "$d" "$s") |"
    done
    echo
    echo "- compaction: \`tsdb-tool compact\` until nothing changes: $COMPACT_PASSES pass(es)," \
      "$COMPACT_SECONDS s wall for $COMPACT_SAMPLES samples now in blocks of level ≥ 2 =" \
      "**$(num "$(div "$COMPACT_SAMPLES" "$COMPACT_SECONDS")" 0) samples/s** (each sample" \
      "read and re-encoded once per level it climbed; includes opening the DB)"
    echo "- import: \`tsdb-tool import openmetrics\` took $IMPORT_SECONDS s" \
      "($(num "$(div "$FILE_SAMPLES" "$IMPORT_SECONDS")" 0) samples/s, parsing included)"
  fi
  [ -z "${PROM_SECONDS:-}" ] || echo "- promtool create-blocks-from openmetrics took $PROM_SECONDS s"
  [ -z "${VM_IMPORT_SECONDS:-}" ] || echo "- VictoriaMetrics import + force_flush took" \
    "$VM_IMPORT_SECONDS s (the awk conversion not included)"
  echo "- status: $(for s in "${SYSTEM_LIST[@]}"; do printf '%s %s; ' "$s" "${STATUS[$s]:-not run}"; done)"
  echo
  echo "How to read this: \"data files\" are what holds samples and the series index —"
  echo "Strata's and Prometheus's block \`chunks/\` + \`index\`, VictoriaMetrics' \`data/\` +"
  echo "\`indexdb/\`; \"whole dir\" adds metadata, tombstones, lock files and empty WAL"
  echo "directories. Bytes are the sizes of the regular files (directory entries not counted)."
  echo "Samples are those each system reports holding (meta.json stats, vm_rows)."
  echo "Strata's top level is what the cold encoding achieves; its whole directory also"
  echo "holds the newest level-1 (XOR) block, which the planner never compacts."
  echo "VictoriaMetrics stores values as decimal mantissa + exponent (lossy beyond about"
  echo "15 significant digits); Strata and Prometheus keep float64 bits exactly."
} >"$REPORT"
cat "$REPORT"
if [ "$RECORD" = 1 ]; then
  cp "$REPORT" "$REPO/bench/compare/$RECORD_NAME.md"
  log "report written to bench/compare/$RECORD_NAME.md"
fi
for sys in "${SYSTEM_LIST[@]}"; do [ "${STATUS[$sys]:-}" = ok ] || FAILED=1; done
log "done in $((SECONDS - START_SECONDS)) s"
exit "$FAILED"
