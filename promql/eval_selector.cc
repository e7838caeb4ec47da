// Vector and matrix selectors: reading series from storage.
#include <algorithm>

#include "promql/evaluator.h"
#include "tsdb/base/status_macros.h"

namespace strata::promql {
absl::StatusOr<std::vector<Evaluator::LoadedSeries>> Evaluator::LoadSeries(
    const VectorSelector& sel, int64_t lo, int64_t hi, bool keep_stale) {
  std::vector<LoadedSeries> result;
  if (hi <= lo) return result;
  std::unique_ptr<SeriesSet> set = ctx_->querier->Select(sel.matchers);
  while (set->Next()) {
    RETURN_IF_ERROR(ctx_->CheckLimits());
    LoadedSeries s;
    s.labels = set->labels();
    std::unique_ptr<SampleIterator> it = set->Iterator();
    for (bool ok = it->Seek(lo + 1); ok && it->t() <= hi; ok = it->Next()) {
      const double v = it->v();
      if (!keep_stale && IsStaleNaN(v)) continue;
      RETURN_IF_ERROR(ctx_->AddSamples(1));
      s.points.push_back(FPoint{it->t(), v});
    }
    RETURN_IF_ERROR(it->status());
    ctx_->total_samples += static_cast<int64_t>(s.points.size());
    if (!s.points.empty()) result.push_back(std::move(s));
  }
  RETURN_IF_ERROR(set->status());
  return result;
}

absl::StatusOr<Value> Evaluator::EvalVectorSelector(const VectorSelector& e) {
  const int64_t lookback = ctx_->lookback_ms;
  const int64_t first = SelectorTime(start_, e.timestamp, e.start_or_end, e.original_offset);
  const int64_t last = SelectorTime(end_, e.timestamp, e.start_or_end, e.original_offset);
  ASSIGN_OR_RETURN(std::vector<LoadedSeries> loaded,
                   LoadSeries(e, std::min(first, last) - lookback, std::max(first, last),
                              /*keep_stale=*/true));
  Matrix out;
  out.reserve(loaded.size());
  for (LoadedSeries& s : loaded) {
    RETURN_IF_ERROR(ctx_->CheckLimits());
    Series series;
    size_t next = 0;  // first point after the previous step's time
    for (int64_t ts = start_; ts <= end_; ts += interval_) {
      const int64_t t = SelectorTime(ts, e.timestamp, e.start_or_end, e.original_offset);
      if (next > 0 && s.points[next - 1].t > t) next = 0;  // @ times need not increase
      while (next < s.points.size() && s.points[next].t <= t) ++next;
      if (next == 0) continue;
      const FPoint& p = s.points[next - 1];
      if (p.t <= t - lookback || IsStaleNaN(p.f)) continue;
      series.floats.push_back(FPoint{ts, p.f});
    }
    ctx_->ReleaseSamples(static_cast<int64_t>(s.points.size()));
    if (series.floats.empty()) continue;
    RETURN_IF_ERROR(ctx_->AddSamples(static_cast<int64_t>(series.floats.size())));
    series.metric = std::move(s.labels);
    out.push_back(std::move(series));
  }
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
