# shellcheck shell=bash
# The report of bench/compare/run (sourced by run_lib.sh): markdown built from
# the figures in R, written to stdout and bench/compare/runs/NAME.md, and
# with --record into bench/RESULTS.md between the markers of its kind.

# Formats $1 with $2 decimals, or "n/a".
num() { if [ -n "${1:-}" ]; then LC_ALL=C printf "%.${2}f" "$1"; else echo "n/a"; fi; }
# $1 / $2 with $3 decimals (default 2), or empty.
div() {
  if [ -n "${1:-}" ] && [ -n "${2:-}" ] && awk -v b="$2" 'BEGIN { exit !(b > 0) }'; then
    awk -v a="$1" -v b="$2" -v d="${3:-2}" 'BEGIN { printf "%.*f", d, a / b }'
  fi
}
mib() { div "${1:-}" 1048576 1; }
# "met" when $1 OP $2 holds (OP: le or ge), "missed" otherwise, "n/a" without $1.
verdict() {
  [ -n "${1:-}" ] || { echo "n/a"; return; }
  if awk -v a="$1" -v b="$2" -v op="$3" 'BEGIN { exit !(op == "le" ? a <= b : a >= b) }'; then
    echo "**met**"
  else
    echo "**missed**"
  fi
}

# Per query of a saved run (strata-querybench query --save), its median
# latency: "name median_ms".
medians() {
  local file="$1/latencies.tsv"
  [ -r "$file" ] || return 0
  awk -F'\t' '!/^#/ && NF >= 2 {
    n = 0
    for (i = 2; i <= NF; i++) {
      if ($i !~ /^[0-9][0-9.eE+-]*$/) continue
      # Insertion sort: a few timed rounds per query (POSIX awk has no sort).
      x = $i + 0
      for (j = n++; j > 0 && v[j - 1] > x; j--) v[j] = v[j - 1]
      v[j] = x
    }
    if (n == 0) next
    printf "%s %.3f\n", $1, (n % 2 ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2)
  }' "$file"
}

# Geometric mean of the medians of system $1's saved run.
geomean_ms() {
  medians "$WORK/answers/$1" | awk '{ s += log($2); n++ } END { if (n) printf "%.2f", exp(s / n) }'
}

# Strata's medians over $1's, per query: "queries met(≤ $2) geomean_ratio".
query_ratios() {
  join <(medians "$WORK/answers/strata" | sort) <(medians "$WORK/answers/$1" | sort) \
    | awk -v t="$2" '$3 > 0 { r = $2 / $3; n++; s += log(r); if (r <= t) m++ }
      END { if (n) printf "%d %d %.3f", n, m + 0, exp(s / n) }'
}

report_header() {
  local prom_version vm_version
  prom_version="$(prometheus --version 2>&1 | head -1)"
  # The Debian build of VictoriaMetrics prints an empty -version.
  vm_version="$(victoria-metrics -version 2>&1 | head -1)"
  [ -n "$vm_version" ] || vm_version="victoria-metrics $(dpkg-query -W -f='${Version}' \
    victoria-metrics 2>/dev/null || echo unknown) (Debian package)"
  echo "- command: \`$COMMAND_LINE\` (started $DATE, took $(((SECONDS + 59) / 60)) min)"
  echo "- machine: $(machine_summary); the load generator shares the cores with the server"
  echo "- versions: strata $(git_rev --untracked-files=no); $prom_version; $vm_version"
  echo "- settings: defaults, plus Prometheus \`--web.enable-remote-write-receiver" \
    "--web.enable-admin-api\`, VictoriaMetrics \`-retentionPeriod=100y\`, Strata" \
    "\`--web.enable-admin-api\`; Strata fsyncs its WAL before acknowledging, the peers do not"
}

# "data" of a stream summary, e.g. "200 targets x 1000 series ...".
stream_line() {
  jq -r '"\(.samples) samples of \(.series) series in \(.requests) requests, \(.connections) connections,
    \(.bytes / 1048576 | floor) MiB encoded"' "$1.json" 2>/dev/null | tr -s ' \n' ' '
}

report_full() {
  local s peers=() active samples
  for s in prometheus victoriametrics; do
    [[ ",$SYSTEMS," == *",$s,"* ]] && peers+=("$s")
  done
  active="$(jq -r '.active_series // .series' "$STREAM.json")"
  samples="$(jq -r .samples "$STREAM.json")"
  echo "### Latest full run — ${DATE%%T*}"
  echo
  report_header
  if [ -n "$INPUT" ]; then
    echo "- workload: the real capture \`$INPUT\` replayed: $(stream_line "$STREAM")"
  else
    echo "- workload: \`strata-querybench stream ${DATASET_FLAGS[*]}\` (end = start of the run):" \
      "$(stream_line "$STREAM"); $active active series; remote write 1.0, requests of" \
      "$BATCH samples encoded before timing"
  fi
  echo
  echo "| | $(printf '%s | ' "${SYSTEM_LIST[@]}")"
  echo "|---|$(printf -- '---:|%.0s' "${SYSTEM_LIST[@]}")"
  row() {
    local label="$1" f="$2" out
    out="| $label |"
    for s in "${SYSTEM_LIST[@]}"; do out+=" $("$f" "$s") |"; done
    echo "$out"
  }
  f_rate() { num "${R[$1.samples_per_second]:-}" 0; }
  f_cpu() { num "${R[$1.server_cpu_seconds_per_million_settled]:-}" 3; }
  f_rss() { num "$(mib "${R[$1.rss_steady]:-}")" 1; }
  f_rss_series() { num "$(div "${R[$1.rss_steady]:-}" "$active")" 0; }
  f_anon_series() { num "$(div "${R[$1.rss_anon]:-}" "$active")" 0; }
  f_peak() { num "$(mib "${R[$1.rss_peak]:-}")" 1; }
  f_data() { num "$(div "${R[$1.data_bytes]:-}" "$samples" 3)" 3; }
  f_dir() { num "$(div "${R[$1.dir_bytes]:-}" "$samples" 3)" 3; }
  f_snap() {
    [ -n "${R[$1.snap_chunks]:-}" ] || { echo "n/a"; return; }
    num "$(div "$((${R[$1.snap_chunks]} + ${R[$1.snap_index]}))" "$samples" 3)" 3
  }
  f_restart() { num "${R[$1.restart_s]:-}" 2; }
  f_wal() { num "$(mib "${R[$1.wal_bytes]:-}")" 1; }
  f_query() { num "$(geomean_ms "$1")" 2; }
  f_status() { echo "${R[$1.status]:-not run}${R[$1.query_status]:+; ${R[$1.query_status]}}"; }
  row "ingestion, samples/s" f_rate
  row "server CPU s per million samples (incl. $SETTLE settle)" f_cpu
  row "RSS at steady state, MiB" f_rss
  row "RSS per active series, B" f_rss_series
  row "anonymous RSS per active series (no mapped files), B" f_anon_series
  row "peak RSS, MiB" f_peak
  row "disk: chunks + index, B/sample" f_data
  row "disk: whole directory, B/sample" f_dir
  row "disk: snapshot with the head as taken, B/sample" f_snap
  f_idle() { num "${R[$1.idle_wait_s]:-}" 0; }
  row "background work after the replay (waited for before measuring), s" f_idle
  row "restart after kill -9 to ready, s" f_restart
  row "WAL at the kill, MiB" f_wal
  [ -n "$INPUT" ] || row "query median latency, geometric mean over the suite, ms" f_query
  row "status" f_status
  echo
  [[ ",$SYSTEMS," == *",strata,"* ]] || return 0
  echo "| target (DESIGN.md quality bar) | Strata / peer | status |"
  echo "|---|---:|---|"
  local r
  for s in "${peers[@]}"; do
    case "$s" in
      prometheus)
        r="$(div "${R[strata.samples_per_second]:-}" "${R[prometheus.samples_per_second]:-}" 4)"
        echo "| ingestion ≥ 3× Prometheus | $(num "$r" 2)× | $(verdict "$r" 3 ge) |"
        ;;
      victoriametrics)
        r="$(div "${R[strata.samples_per_second]:-}" "${R[victoriametrics.samples_per_second]:-}" 4)"
        echo "| ingestion ≥ 1.5× VictoriaMetrics | $(num "$r" 2)× | $(verdict "$r" 1.5 ge) |"
        r="$(div "${R[strata.server_cpu_seconds_per_million_settled]:-}" \
          "${R[victoriametrics.server_cpu_seconds_per_million_settled]:-}" 4)"
        echo "| CPU per million samples ≤ ⅓ of VictoriaMetrics' | $(num "$r" 3)× |" \
          "$(verdict "$r" 0.33334 le) |"
        r="$(div "${R[strata.data_bytes]:-}" "${R[victoriametrics.data_bytes]:-}" 4)"
        echo "| bytes per sample on disk ≤ ½ of VictoriaMetrics' | $(num "$r" 2)× |" \
          "$(verdict "$r" 0.5 le) |"
        r="$(div "${R[strata.rss_steady]:-}" "${R[victoriametrics.rss_steady]:-}" 4)"
        echo "| memory per active series ≤ ½ of VictoriaMetrics' | $(num "$r" 2)× |" \
          "$(verdict "$r" 0.5 le) |"
        ;;
    esac
  done
  r="$(div "${R[strata.rss_steady]:-}" "$active" 0)"
  echo "| memory per active series ≤ 512 B | ${r:-n/a} B | $(verdict "$r" 512 le) |"
  if [ -z "$INPUT" ]; then
    local n m g
    for s in "${peers[@]}"; do
      read -r n m g <<<"$(query_ratios "$s" "$([ "$s" = prometheus ] && echo 0.5 || echo 1)")"
      [ -n "${n:-}" ] || continue
      if [ "$s" = prometheus ]; then
        echo "| query latency ≤ ½ of Prometheus's (per query) | geometric mean ${g}×;" \
          "$m of $n within ½ | $( [ "$m" = "$n" ] && echo "**met**" || echo "**missed**") |"
      else
        echo "| query latency below VictoriaMetrics' (per query) | geometric mean ${g}×;" \
          "$m of $n below | $( [ "$m" = "$n" ] && echo "**met**" || echo "**missed**") |"
      fi
    done
    echo "| answers equal Prometheus's | ${R[answers]:-not compared} |" \
      "$( [ "${R[answers]:-}" = equal ] && echo "**met**" || echo "**missed**") |"
  fi
  echo
  echo "Restart: the answers of \`selector\`, \`rate\` and \`r_selector\` after the restart" \
    "against those before: $(for s in "${SYSTEM_LIST[@]}"; do printf '%s %s; ' "$s" \
      "${R[$s.restart_answers]:-n/a}"; done)"
  echo
  if [ -z "$INPUT" ]; then
    echo "Known differences (bench/compare/README.md): Prometheus 3 made range selectors and" \
      "the lookback left-open; every evaluation time here is 5 mod 10 ms and no sample" \
      "timestamp is, so Prometheus 2.42's answers are Prometheus 3's. VictoriaMetrics'" \
      "MetricsQL differs by design (no extrapolation in \`rate\`/\`increase\`, the sample" \
      "before the window used, \`__name__\` kept by \`*_over_time\`): its answers are shown," \
      "not required to match. The per-query table marks ≤ ½ against both peers; the" \
      "target against VictoriaMetrics is \"below\", as in the summary above."
    echo
  fi
  if [ -s "$WORK/queries.md" ]; then
    echo "#### Queries (each system alone; Strata's answers checked against Prometheus's)"
    echo
    sed 's/^#/####/' "$WORK/queries.md"
    echo
  fi
}

report_scaling() {
  local n s active
  echo "### Scaling: ingestion and memory against series count — ${DATE%%T*}"
  echo
  report_header
  echo "- workload per size: \`strata-querybench stream\` with --hours $HOURS of $INTERVAL" \
    "scrapes, --profile $PROFILE; remote write 1.0"
  echo
  echo "| targets | active series | system | samples/s | CPU s / M samples | RSS steady MiB" \
    "| RSS B / active series | anonymous RSS B / active series | peak RSS MiB | status |"
  echo "|---:|---:|---|---:|---:|---:|---:|---:|---:|---|"
  for n in "${SCALE_LIST[@]}"; do
    active=$((n * $([ "$PROFILE" = node ] && echo 1000 || echo 100)))
    for s in "${SYSTEM_LIST[@]}"; do
      echo "| $n | $active | $s | $(num "${R[$n/$s.samples_per_second]:-}" 0)" \
        "| $(num "${R[$n/$s.server_cpu_seconds_per_million_settled]:-}" 3)" \
        "| $(num "$(mib "${R[$n/$s.rss_steady]:-}")" 1)" \
        "| $(num "$(div "${R[$n/$s.rss_steady]:-}" "$active")" 0)" \
        "| $(num "$(div "${R[$n/$s.rss_anon]:-}" "$active")" 0)" \
        "| $(num "$(mib "${R[$n/$s.rss_peak]:-}")" 1) | ${R[$n/$s.status]:-not run} |"
    done
  done
  echo
}

# Replaces the lines between "<!-- bench/compare/run KIND begin -->" and its
# end marker in bench/RESULTS.md with file $2, adding both at the end of the
# file when they are missing.
record_section() {
  local kind="$1" file="$2" results="$REPO/bench/RESULTS.md" begin end
  begin="<!-- bench/compare/run $kind begin -->"
  end="<!-- bench/compare/run $kind end -->"
  if ! grep -qF "$begin" "$results"; then
    printf '\n%s\n%s\n' "$begin" "$end" >>"$results"
  fi
  awk -v b="$begin" -v e="$end" -v f="$file" '
    $0 == b { print; while ((getline line < f) > 0) print line; skip = 1; next }
    $0 == e { skip = 0 }
    !skip { print }' "$results" >"$results.tmp"
  mv "$results.tmp" "$results"
  log "recorded in $results"
}

write_report() {
  local kind="$1" name out
  name="${NAME_ARG:-$kind-${DATE%%T*}-$([ "$kind" = full ] && echo "${TARGETS}t-${HOURS}h" \
    || echo "${SCALE//,/-}")}"
  mkdir -p "$REPO/bench/compare/runs"
  out="$REPO/bench/compare/runs/$name.md"
  if [ "$kind" = full ]; then report_full >"$out"; else report_scaling >"$out"; fi
  cat "$out"
  log "report in $out"
  [ "$RECORD" = 1 ] && record_section "$kind" "$out"
  return 0
}
