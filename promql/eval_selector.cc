// Vector and matrix selectors: reading series from storage.
#include <algorithm>
#include <array>
#include <span>

#include "promql/evaluator.h"
#include "tsdb/base/status_macros.h"

namespace strata::promql {
absl::Status Evaluator::ForEachSeries(const VectorSelector& sel, int64_t lo, int64_t hi,
                                      bool keep_stale,
                                      const std::function<absl::Status(LoadedSeries&)>& fn) {
  if (hi <= lo) return absl::OkStatus();
  std::unique_ptr<SeriesSet> set = ctx_->querier->Select(sel.matchers);
  LoadedSeries s;
  std::array<TimedValue, 512> batch;
  while (set->Next()) {
    RETURN_IF_ERROR(ctx_->CheckLimits());
    s.labels = set->labels();
    s.points.clear();
    std::unique_ptr<SampleIterator> it = set->Iterator();
    // Batches through a fixed buffer: the samples are accounted before the
    // points vector grows to hold them.
    for (bool positioned = it->Seek(lo + 1); positioned;) {
      const size_t got = it->ReadBatch(hi, batch.data(), batch.size(), &positioned);
      if (got == 0) break;  // the next sample is past hi
      auto kept_end = batch.begin() + got;
      if (!keep_stale) {
        kept_end = std::remove_if(batch.begin(), kept_end,
                                  [](const TimedValue& p) { return IsStaleNaN(p.v); });
      }
      const std::span<const TimedValue> kept(batch.begin(), kept_end);
      if (absl::Status st = ctx_->AddSamples(static_cast<int64_t>(kept.size())); !st.ok()) {
        ctx_->ReleaseSamples(static_cast<int64_t>(s.points.size()));
        return st;
      }
      for (const TimedValue& p : kept) s.points.push_back(FPoint{p.t, p.v});
    }
    const int64_t n = static_cast<int64_t>(s.points.size());
    ctx_->total_samples += n;
    absl::Status st = it->status();
    if (st.ok() && n > 0) st = fn(s);
    ctx_->ReleaseSamples(n);
    RETURN_IF_ERROR(st);
  }
  return set->status();
}

absl::StatusOr<std::vector<Evaluator::LoadedSeries>> Evaluator::LoadSeries(
    const VectorSelector& sel, int64_t lo, int64_t hi, bool keep_stale) {
  std::vector<LoadedSeries> result;
  RETURN_IF_ERROR(ForEachSeries(sel, lo, hi, keep_stale, [&](LoadedSeries& s) {
    RETURN_IF_ERROR(ctx_->AddSamples(static_cast<int64_t>(s.points.size())));
    result.push_back(std::move(s));
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<Value> Evaluator::EvalVectorSelector(const VectorSelector& e) {
  return EvalInstantSelector(e, /*sample_timestamps=*/false);
}

absl::StatusOr<Value> Evaluator::EvalInstantSelector(const VectorSelector& e,
                                                     bool sample_timestamps) {
  const int64_t lookback = ctx_->lookback_ms;
  const int64_t first = SelectorTime(start_, e.timestamp, e.start_or_end, e.original_offset);
  const int64_t last = SelectorTime(end_, e.timestamp, e.start_or_end, e.original_offset);
  Matrix out;
  RETURN_IF_ERROR(ForEachSeries(
      e, std::min(first, last) - lookback, std::max(first, last), /*keep_stale=*/true,
      [&](LoadedSeries& s) {
        Series series;
        size_t next = 0;  // first point after the previous step's time
        for (int64_t ts = start_; ts <= end_; ts += interval_) {
          const int64_t t = SelectorTime(ts, e.timestamp, e.start_or_end, e.original_offset);
          if (next > 0 && s.points[next - 1].t > t) next = 0;  // @ times need not increase
          while (next < s.points.size() && s.points[next].t <= t) ++next;
          if (next == 0) continue;
          const FPoint& p = s.points[next - 1];
          if (p.t <= t - lookback || IsStaleNaN(p.f)) continue;
          series.floats.push_back(
              FPoint{ts, sample_timestamps ? static_cast<double>(p.t) / 1000 : p.f});
        }
        if (series.floats.empty()) return absl::OkStatus();
        RETURN_IF_ERROR(ctx_->AddSamples(static_cast<int64_t>(series.floats.size())));
        series.metric = std::move(s.labels);
        series.drop_name = sample_timestamps;
        out.push_back(std::move(series));
        return absl::OkStatus();
      }));
  return Value(std::move(out));
}

absl::StatusOr<Value> Evaluator::EvalMatrixSelector(const MatrixSelector& e) {
  const VectorSelector& vs = *e.vector_selector;
  const int64_t t = SelectorTime(start_, vs.timestamp, vs.start_or_end, vs.original_offset);
  ASSIGN_OR_RETURN(std::vector<LoadedSeries> loaded,
                   LoadSeries(vs, t - DurationMs(e.range), t, /*keep_stale=*/false));
  Matrix out;
  out.reserve(loaded.size());
  for (LoadedSeries& s : loaded) {
    out.push_back(Series{std::move(s.labels), std::move(s.points), false});
  }
  return Value(std::move(out));
}

}  // namespace strata::promql
