# shellcheck shell=bash
# The phases of bench/compare/run, which sources this file after lib.sh and
# its flags: building the stream, running one system through ingestion,
# memory, queries, restart and disk, and the scaling loop. Every figure goes
# into the associative array R under "KEY.FIELD", where KEY is the system
# (full run) or "TARGETS/system" (scaling); run_report.sh turns R into the
# report.

declare -A R
FAILED=0

# Decimal seconds since the epoch.
now_s() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
bytes_of() { du -scb "$@" 2>/dev/null | tail -1 | cut -f1; }
# A /proc/PID/status field in bytes (VmRSS, VmHWM), or empty.
proc_bytes() { awk -v f="$2:" '$1 == f { print $2 * 1024 }' "/proc/$1/status" 2>/dev/null; }

# The dataset flags of strata-querybench for TARGETS targets: the stream and
# the query suite must be built from the same ones.
dataset_flags() {
  local span_s
  span_s="$(awk -v h="$HOURS" 'BEGIN { printf "%d", h * 3600 }')"
  DATASET_FLAGS=(--end-ms "$END_MS" --targets "$1" --span "${span_s}s" --interval "$INTERVAL"
    --profile "$PROFILE")
  if awk -v c="$CHURN_SHARE" 'BEGIN { exit !(c > 0) }'; then
    DATASET_FLAGS+=(--churn-share "$CHURN_SHARE" --churn-every "$CHURN_EVERY")
  fi
}

# Encodes the stream every system gets into $1 (dataset or --input); its
# summary (JSON) into $1.json.
make_stream() {
  local out="$1" t0
  t0="$(now_s)"
  if [ -n "$INPUT" ]; then
    "$QB" stream --input "$INPUT" --out "$out" --connections "$CONNECTIONS" --batch "$BATCH" \
      --json >"$out.json"
  else
    "$QB" stream "${DATASET_FLAGS[@]}" --out "$out" --connections "$CONNECTIONS" \
      --batch "$BATCH" --json >"$out.json"
  fi
  log "stream: $(jq -c . "$out.json") in $(elapsed "$t0" "$(now_s)") s"
}

# Starts system $1 on port $2 with data in $3/data; sets SERVER_PID and
# READY_PATH. Returns 1 when it does not become ready within $4 seconds.
start_system() {
  local sys="$1" port="$2" dir="$3" wait_s="${4:-120}"
  mkdir -p "$dir/data"
  case "$sys" in
    strata)
      start_strata "$port" "$dir"
      READY_PATH=/-/ready
      ;;
    prometheus)
      start_prometheus "$port" "$dir" --web.enable-remote-write-receiver --web.enable-admin-api
      READY_PATH=/-/ready
      ;;
    victoriametrics)
      # shellcheck disable=SC2086  # VM_FLAGS is a list of flags
      victoria-metrics -httpListenAddr="127.0.0.1:$port" -storageDataPath="$dir/data" \
        -retentionPeriod=100y ${VM_FLAGS:-} >>"$dir/server.log" 2>&1 &
      READY_PATH=/health
      ;;
    *) log "unknown system $sys"; return 1 ;;
  esac
  SERVER_PID=$!
  wait_ready "$port" "$READY_PATH" "$SERVER_PID" "$dir/server.log" "$wait_s"
}

# Waits (at most $2 seconds) until process $1 has used under 5% of a core
# over 5 s: the background work ingestion left (head cuts, compaction,
# merges) is done before memory is read and queries are timed, for every
# system alike. Prints the seconds waited.
wait_idle() {
  local pid="$1" limit="$2" start=$SECONDS ticks before after hz
  hz="$(getconf CLK_TCK)"
  while [ $((SECONDS - start)) -lt "$limit" ]; do
    before="$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null)" || break
    sleep 5
    after="$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null)" || break
    ticks=$((after - before))
    [ "$ticks" -lt $((hz * 5 / 20)) ] && break
  done
  echo $((SECONDS - start))
}

# Replays the stream $2 into system $1 (KEY $3, directory $4, port $5):
# ingestion and memory figures into R.
ingest_phase() {
  local sys="$1" stream="$2" key="$3" dir="$4" port="$5" rc=0
  R[$key.load_before]="$(cut -d' ' -f1 /proc/loadavg)"
  log "$key: replaying the stream (load average ${R[$key.load_before]})"
  "$LOADGEN" --stream "$stream" --url "http://127.0.0.1:$port/api/v1/write" \
    --duration-limit 4h --pid "$SERVER_PID" --settle "$SETTLE" \
    --json >"$dir/ingest.json" 2>"$dir/loadgen.txt" &
  wait_child $! || rc=$?
  tail -n 3 "$dir/loadgen.txt" >&2
  if [ ! -s "$dir/ingest.json" ]; then
    R[$key.status]="load generator failed (exit $rc)"
    return 1
  fi
  local f
  for f in samples_ok samples_per_second server_cpu_seconds_per_million \
    server_cpu_seconds_per_million_settled server_peak_rss_bytes wall_seconds; do
    R[$key.$f]="$(jq -r ".$f // empty" "$dir/ingest.json")"
  done
  if [ "$rc" -ne 0 ]; then
    R[$key.status]="not every sample acknowledged (loadgen exit $rc)"
    return 1
  fi
  R[$key.idle_wait_s]="$(wait_idle "$SERVER_PID" "${IDLE_LIMIT:-900}")"
  log "$key: idle after ${R[$key.idle_wait_s]} s; steady state in $STEADY"
  sleep "$STEADY"
  R[$key.rss_steady]="$(proc_bytes "$SERVER_PID" VmRSS)"
  # RSS counts file pages mapped and touched (blocks read by compaction),
  # which the kernel may reclaim; the anonymous part is the process's own.
  R[$key.rss_anon]="$(proc_bytes "$SERVER_PID" RssAnon)"
  R[$key.rss_peak]="$(proc_bytes "$SERVER_PID" VmHWM)"
  R[$key.status]=ok
}

# The dashboard suite against system $1 alone; answers saved for the
# comparison. $2 = KEY, $3 = directory, $4 = port, $5 = save directory,
# $6 = optional --filter.
query_phase() {
  local sys="$1" key="$2" dir="$3" port="$4" save="$5" filter="${6:-}" rc=0
  local args=("${DATASET_FLAGS[@]}" --system "$sys=http://127.0.0.1:$port" --save "$save"
    --warmup 1 --quiet --out "$dir/$(basename "$(dirname "$save")").md")
  if [ -n "$filter" ]; then args+=(--filter "$filter" --reps 1); else args+=(--reps "$REPS"); fi
  log "$key: queries${filter:+ ($filter)}"
  "$QB" query "${args[@]}" &
  wait_child $! || rc=$?
  return "$rc"
}

# kill -9, then times the start until ready (WAL replayed); checks a few
# answers against those given before the kill.
restart_phase() {
  local sys="$1" key="$2" dir="$3" port="$4" t0 t1
  case "$sys" in
    strata | prometheus) R[$key.wal_bytes]="$(bytes_of "$dir/data/wal")" ;;
  esac
  log "$key: kill -9 and restart"
  kill -KILL "$SERVER_PID"
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
  t0="$(now_s)"
  if ! start_system "$sys" "$port" "$dir" 900; then
    R[$key.status]="did not restart"
    return 1
  fi
  t1="$(now_s)"
  R[$key.restart_s]="$(elapsed "$t0" "$t1")"
  log "$key: ready after ${R[$key.restart_s]} s"
  if [ -z "$INPUT" ]; then
    query_phase "$sys" "$key" "$dir" "$port" "$WORK/answers-restart/$sys" \
      selector,rate,r_selector || true
    if "$QB" compare "${DATASET_FLAGS[@]}" --filter selector,rate,r_selector \
      --saved "after=$WORK/answers-restart/$sys" --saved "before=$WORK/answers/$sys" \
      --out "$dir/restart-compare.md" >/dev/null 2>&1; then
      R[$key.restart_answers]="equal"
    else
      # Reported, not fatal: a peer that loses acknowledged samples on a
      # crash is a finding. Strata must not, so it fails the run.
      R[$key.restart_answers]="**differ** ($(sed -n '/^Failures/,$p' "$dir/restart-compare.md" | grep -m1 '^- ' | cut -c3-))"
      [ "$sys" != strata ] || FAILED=1
    fi
  fi
}

# Per-block sums of a data directory's blocks with min_time < $2:
# "blocks chunk_bytes index_bytes dir_bytes".
blocks_of() {
  local meta b out_blocks=0 chunks=0 index=0 total=0
  for meta in "$1"/*/meta.json; do
    [ -e "$meta" ] || continue
    [ "$(jq .minTime "$meta")" -lt "$2" ] || continue
    b="$(dirname "$meta")"
    out_blocks=$((out_blocks + 1))
    chunks=$((chunks + $(bytes_of "$b/chunks")))
    index=$((index + $(stat -c %s "$b/index")))
    total=$((total + $(bytes_of "$b")))
  done
  echo "$out_blocks $chunks $index $total"
}

# Flushes and compacts system $1, then measures its bytes on disk; stops it.
disk_phase() {
  local sys="$1" key="$2" dir="$3" port="$4" snap sentinel_ms day_ms=86400000 chunks index total all_blocks
  log "$key: flush and compact for the disk figures"
  case "$sys" in
    strata | prometheus)
      snap="$(curl -fsS --max-time 1800 -XPOST \
        "http://127.0.0.1:$port/api/v1/admin/tsdb/snapshot?skip_head=false" \
        | jq -r '.data.name')" || snap=""
      stop_server "$SERVER_PID"
      SERVER_PID=""
      if [ -z "$snap" ] || [ ! -d "$dir/data/snapshots/$snap" ]; then
        R[$key.status]="snapshot failed"
        return 1
      fi
      snap="$dir/data/snapshots/$snap"
      read -r _ "R[$key.snap_chunks]" "R[$key.snap_index]" "R[$key.snap_dir]" \
        <<<"$(blocks_of "$snap" 9223372036854775807)"
      ;;
    victoriametrics)
      curl -fsS --max-time 1800 -o /dev/null "http://127.0.0.1:$port/internal/force_flush" || true
      curl -fsS --max-time 1800 -o /dev/null "http://127.0.0.1:$port/internal/force_merge" || true
      wait_vm_merges "$port" 300
      stop_server "$SERVER_PID"
      SERVER_PID=""
      R[$key.data_bytes]="$(bytes_of "$dir/data/data" "$dir/data/indexdb")"
      R[$key.dir_bytes]="$(bytes_of "$dir/data")"
      return 0
      ;;
  esac
  if [ "$sys" = prometheus ]; then
    R[$key.data_bytes]=$((${R[$key.snap_chunks]} + ${R[$key.snap_index]}))
    R[$key.dir_bytes]="${R[$key.snap_dir]}"
    return 0
  fi
  # Strata: what its own maintenance reaches once time moves on, offline on
  # its data directory: the whole head cut into aligned blocks, then a
  # sentinel block a day later so that every window of the data is closed,
  # then compaction until nothing changes.
  "$TOOL" compact --cut-head "$dir/data" >"$WORK/compact.txt"
  sentinel_ms="$(jq -s 'map(.maxTime) | max' "$dir/data"/*/meta.json)"
  sentinel_ms=$(((sentinel_ms - 1) / day_ms * day_ms + day_ms))
  printf 'strata_bench_sentinel 1 %d.000\n# EOF\n' $((sentinel_ms / 1000)) >"$WORK/sentinel.om"
  "$TOOL" import openmetrics "$WORK/sentinel.om" "$dir/data" --block-duration 2h --quiet
  while :; do
    "$TOOL" compact "$dir/data" >"$WORK/compact.txt"
    grep -q '^added:' "$WORK/compact.txt" || break
  done
  read -r _ chunks index total <<<"$(blocks_of "$dir/data" "$sentinel_ms")"
  read -r _ _ _ all_blocks <<<"$(blocks_of "$dir/data" 9223372036854775807)"
  R[$key.data_bytes]=$((chunks + index))
  # The directory as it stays: blocks and what else is there (WAL, lock),
  # without the snapshot and the sentinel's block.
  R[$key.dir_bytes]=$(($(bytes_of "$dir/data") - $(bytes_of "$dir/data/snapshots") \
    - all_blocks + total))
}

# One system through every phase of the full run.
run_system() {
  local sys="$1" stream="$2" dir="$WORK/$1" port
  port="$(free_port)" || { R[$sys.status]="no free port"; return 1; }
  log "$sys: starting on 127.0.0.1:$port, data in $dir/data"
  if ! start_system "$sys" "$port" "$dir" 120; then
    R[$sys.status]="did not start (see its log)"
    return 1
  fi
  ingest_phase "$sys" "$stream" "$sys" "$dir" "$port" || return 1
  if [ -z "$INPUT" ]; then
    query_phase "$sys" "$sys" "$dir" "$port" "$WORK/answers/$sys" \
      || R[$sys.query_status]="some queries failed"
  fi
  restart_phase "$sys" "$sys" "$dir" "$port" || return 1
  disk_phase "$sys" "$sys" "$dir" "$port" || return 1
  stop_servers
}

run_full() {
  END_MS="$(($(date +%s) * 1000))"
  dataset_flags "$TARGETS"
  STREAM="$WORK/stream.bin"
  make_stream "$STREAM"
  local sys
  for sys in "${SYSTEM_LIST[@]}"; do
    if ! run_system "$sys" "$STREAM"; then
      FAILED=1
      log "$sys: ${R[$sys.status]:-failed}"
    fi
    stop_servers
    [ "$KEEP" = 1 ] || rm -rf "${WORK:?}/$sys/data"
  done
  if [ -z "$INPUT" ] && [[ ",$SYSTEMS," == *",strata,"* && ",$SYSTEMS," == *",prometheus,"* ]]; then
    local saved=(--saved "strata=$WORK/answers/strata" --saved "prometheus=$WORK/answers/prometheus")
    [[ ",$SYSTEMS," != *",victoriametrics,"* ]] \
      || saved+=(--saved "victoriametrics=$WORK/answers/victoriametrics")
    if "$QB" compare "${DATASET_FLAGS[@]}" "${saved[@]}" --reference prometheus \
      --out "$WORK/queries.md"; then
      R[answers]="equal"
    else
      R[answers]="differ"
      FAILED=1
    fi
  fi
  write_report full
}

run_scaling() {
  local n sys stream dir port
  declare -A GAVE_UP
  IFS=',' read -r -a SCALE_LIST <<<"$SCALE"
  END_MS="$(($(date +%s) * 1000))"
  for n in "${SCALE_LIST[@]}"; do
    dataset_flags "$n"
    stream="$WORK/stream-$n.bin"
    make_stream "$stream"
    for sys in "${SYSTEM_LIST[@]}"; do
      if [ -n "${GAVE_UP[$sys]:-}" ]; then
        R[$n/$sys.status]="not run (failed at $((GAVE_UP[$sys])) targets)"
        continue
      fi
      dir="$WORK/$n/$sys"
      port="$(free_port)"
      log "$n/$sys: starting on 127.0.0.1:$port"
      if start_system "$sys" "$port" "$dir" 120 \
        && ingest_phase "$sys" "$stream" "$n/$sys" "$dir" "$port"; then
        :
      else
        R[$n/$sys.status]="${R[$n/$sys.status]:-did not start}"
        GAVE_UP[$sys]="$n"
        FAILED=1
      fi
      stop_servers
      rm -rf "${dir:?}/data"
    done
    rm -f "$stream"
  done
  write_report scaling
}

# shellcheck source=run_report.sh
. "$(dirname "${BASH_SOURCE[0]}")/run_report.sh"
