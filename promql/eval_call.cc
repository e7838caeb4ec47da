// Function calls: the generic paths for instant-vector and range-vector
// functions, and the functions that need the evaluator (time, pi, scalar,
// timestamp, absent, absent_over_time).
#include <cmath>
#include <numbers>

#include "fmt/format.h"
#include "promql/evaluator.h"
#include "promql/function_impls.h"
#include "promql/functions.h"
#include "tsdb/base/status_macros.h"

namespace strata::promql {
namespace {

// Prometheus's createLabelsForAbsentFunction: the equality matchers of a
// selector argument, except __name__; a name matched twice, or by another
// kind of matcher, is left out.
Labels LabelsForAbsent(const Expr& arg) {
  const VectorSelector* vs = arg.DynCast<VectorSelector>();
  if (const auto* ms = arg.DynCast<MatrixSelector>()) vs = ms->vector_selector.get();
  if (vs == nullptr) return Labels();
  std::vector<std::pair<std::string, std::string>> kept;
  std::vector<std::string> seen;
  for (const Matcher& m : vs->matchers) {
    if (m.name() == kMetricNameLabel) continue;
    const bool has = std::find(seen.begin(), seen.end(), m.name()) != seen.end();
    std::erase_if(kept, [&](const auto& p) { return p.first == m.name(); });
    if (m.type() == MatchType::kEqual && !has) {
      if (!m.value().empty()) kept.emplace_back(m.name(), m.value());
      seen.push_back(m.name());
    }
  }
  Labels::Builder b;
  for (const auto& [n, v] : kept) b.Add(n, v);
  return b.Build();
}

}  // namespace

absl::StatusOr<Value> Evaluator::EvalCall(const Call& e) {
  const std::string_view name = e.func->name;
  if (name == "time") {
    return ScalarSeries([](int64_t ts) { return static_cast<double>(ts) / 1000; });
  }
  if (name == "pi") return ScalarSeries([](int64_t) { return std::numbers::pi; });
  if (name == "scalar") return EvalScalarFunction(e);
  if (name == "timestamp") return EvalTimestamp(e);
  if (name == "absent") return EvalAbsent(e);
  if (name == "absent_over_time") return EvalAbsentOverTime(e);
  for (size_t i = 0; i < e.args.size(); ++i) {
    if (e.args[i]->type() == ValueType::kMatrix) return EvalRangeFunction(e, i);
  }
  const FunctionImpl* impl = FindFunctionImpl(name);
  if (impl == nullptr) {
    return absl::UnimplementedError(fmt::format("function {}() is not supported", name));
  }

  // Evaluate the arguments; strings are constant, the rest vary by step.
  std::vector<Value> values(e.args.size());
  std::vector<const Matrix*> stepped;
  std::vector<int> stepped_index(e.args.size(), -1);
  for (size_t i = 0; i < e.args.size(); ++i) {
    ASSIGN_OR_RETURN(values[i], Eval(*e.args[i]));
    if (auto* m = std::get_if<Matrix>(&values[i])) {
      stepped_index[i] = static_cast<int>(stepped.size());
      stepped.push_back(m);
    }
  }
  std::vector<FunctionArg> args(e.args.size());
  for (size_t i = 0; i < e.args.size(); ++i) {
    if (auto* s = std::get_if<String>(&values[i])) args[i].string = s->v;
  }
  FunctionContext fctx;
  fctx.call = &e;
  fctx.query = ctx_->query;
  fctx.annotations = &ctx_->annotations;
  ASSIGN_OR_RETURN(Matrix m,
                   RangeEval(stepped, [&](int64_t ts, std::span<const Vector> in, Vector* out) {
                     for (size_t i = 0; i < args.size(); ++i) {
                       if (stepped_index[i] < 0) continue;
                       const Vector& v = in[stepped_index[i]];
                       args[i].vector = &v;
                       if (e.args[i]->type() == ValueType::kScalar) {
                         args[i].scalar = v.empty() ? NAN : v[0].f;
                       }
                     }
                     fctx.ts = ts;
                     return impl->fn(args, fctx, out);
                   }));
  return Value(std::move(m));
}

absl::StatusOr<Value> Evaluator::EvalRangeFunction(const Call& e, size_t matrix_arg) {
  const FunctionImpl* impl = FindFunctionImpl(e.func->name);
  if (impl == nullptr) {
    return absl::UnimplementedError(fmt::format("function {}() is not supported", e.func->name));
  }
  // Scalar (and string) arguments besides the range vector.
  std::vector<Value> values(e.args.size());
  std::vector<FunctionArg> args(e.args.size());
  for (size_t i = 0; i < e.args.size(); ++i) {
    if (i == matrix_arg) continue;
    ASSIGN_OR_RETURN(values[i], Eval(*e.args[i]));
    if (auto* s = std::get_if<String>(&values[i])) args[i].string = s->v;
  }

  // The range vector's series, with every point any window needs.
  const Expr& arg = *e.args[matrix_arg];
  Matrix series;
  int64_t range_ms = 0;
  const std::optional<int64_t>* at = nullptr;
  AtModifier start_or_end = AtModifier::kNone;
  absl::Duration offset;
  int64_t held = 0;  // samples accounted for `series`
  if (const auto* ms = arg.DynCast<MatrixSelector>()) {
    const VectorSelector& vs = *ms->vector_selector;
    range_ms = DurationMs(ms->range);
    at = &vs.timestamp;
    start_or_end = vs.start_or_end;
    offset = vs.original_offset;
    const int64_t first = SelectorTime(start_, vs.timestamp, vs.start_or_end, offset);
    const int64_t last = SelectorTime(end_, vs.timestamp, vs.start_or_end, offset);
    ASSIGN_OR_RETURN(std::vector<LoadedSeries> loaded,
                     LoadSeries(vs, std::min(first, last) - range_ms, std::max(first, last),
                                /*keep_stale=*/false));
    series.reserve(loaded.size());
    for (LoadedSeries& s : loaded) {
      held += static_cast<int64_t>(s.points.size());
      series.push_back(Series{std::move(s.labels), std::move(s.points), false});
    }
  } else {
    const auto& sq = arg.As<SubqueryExpr>();
    range_ms = DurationMs(sq.range);
    at = &sq.timestamp;
    start_or_end = sq.start_or_end;
    offset = sq.original_offset;
    ASSIGN_OR_RETURN(series, EvalSubqueryInner(sq));
    for (const Series& s : series) held += static_cast<int64_t>(s.floats.size());
  }

  FunctionContext fctx;
  fctx.call = &e;
  fctx.query = ctx_->query;
  fctx.annotations = &ctx_->annotations;
  fctx.range_is_subquery = arg.kind() == NodeKind::kSubqueryExpr;
  Matrix out;
  Vector step_out;
  for (Series& s : series) {
    Series result;
    size_t cursor = 0;
    int64_t step = 0;
    args[matrix_arg].labels = &s.metric;
    for (int64_t ts = start_; ts <= end_; ts += interval_, ++step) {
      RETURN_IF_ERROR(ctx_->CheckLimits());
      const int64_t t = SelectorTime(ts, *at, start_or_end, offset);
      if (cursor > 0 && cursor <= s.floats.size() && s.floats[cursor - 1].t > t - range_ms) {
        cursor = 0;  // the window moved backwards (only with @)
      }
      args[matrix_arg].points = WindowOf(s.floats, t - range_ms, t, &cursor);
      for (size_t i = 0; i < args.size(); ++i) {
        if (const auto* m = std::get_if<Matrix>(&values[i]); m != nullptr && i != matrix_arg) {
          args[i].scalar = (*m)[0].floats[step].f;
        }
      }
      fctx.ts = ts;
      fctx.range_start = t - range_ms;
      fctx.range_end = t;
      step_out.clear();
      RETURN_IF_ERROR(impl->fn(args, fctx, &step_out));
      if (!step_out.empty()) result.floats.push_back(FPoint{ts, step_out[0].f});
    }
    if (result.floats.empty()) continue;
    RETURN_IF_ERROR(ctx_->AddSamples(static_cast<int64_t>(result.floats.size())));
    result.drop_name = s.drop_name || !impl->keeps_name;
    result.metric = std::move(s.metric);
    out.push_back(std::move(result));
  }
  ctx_->ReleaseSamples(held);
  return Value(std::move(out));
}

absl::StatusOr<Value> Evaluator::EvalTimestamp(const Call& e) {
  const Expr* arg = e.args[0].get();
  if (const auto* vs = arg->DynCast<VectorSelector>()) {
    // The samples' own timestamps, not the step's.
    const int64_t lookback = ctx_->lookback_ms;
    const int64_t first = SelectorTime(start_, vs->timestamp, vs->start_or_end,
                                       vs->original_offset);
    const int64_t last = SelectorTime(end_, vs->timestamp, vs->start_or_end, vs->original_offset);
    ASSIGN_OR_RETURN(std::vector<LoadedSeries> loaded,
                     LoadSeries(*vs, std::min(first, last) - lookback, std::max(first, last),
                                /*keep_stale=*/true));
    Matrix out;
    for (LoadedSeries& s : loaded) {
      Series series;
      size_t next = 0;
      for (int64_t ts = start_; ts <= end_; ts += interval_) {
        const int64_t t = SelectorTime(ts, vs->timestamp, vs->start_or_end, vs->original_offset);
        if (next > 0 && s.points[next - 1].t > t) next = 0;
        while (next < s.points.size() && s.points[next].t <= t) ++next;
        if (next == 0) continue;
        const FPoint& p = s.points[next - 1];
        if (p.t <= t - lookback || IsStaleNaN(p.f)) continue;
        series.floats.push_back(FPoint{ts, static_cast<double>(p.t) / 1000});
      }
      ctx_->ReleaseSamples(static_cast<int64_t>(s.points.size()));
      if (series.floats.empty()) continue;
      RETURN_IF_ERROR(ctx_->AddSamples(static_cast<int64_t>(series.floats.size())));
      series.metric = std::move(s.labels);
      series.drop_name = true;
      out.push_back(std::move(series));
    }
    return Value(std::move(out));
  }
  ASSIGN_OR_RETURN(Value v, Eval(*arg));
  for (Series& s : std::get<Matrix>(v)) {
    for (FPoint& p : s.floats) p.f = static_cast<double>(p.t) / 1000;
    s.drop_name = true;
  }
  return v;
}

absl::StatusOr<Value> Evaluator::EvalAbsent(const Call& e) {
  ASSIGN_OR_RETURN(Value v, Eval(*e.args[0]));
  const Matrix* args[1] = {&std::get<Matrix>(v)};
  const Labels labels = LabelsForAbsent(*e.args[0]);
  ASSIGN_OR_RETURN(Matrix m,
                   RangeEval(args, [&](int64_t ts, std::span<const Vector> in, Vector* out) {
                     if (in[0].empty()) out->push_back(Sample{labels, ts, 1, false});
                     return absl::OkStatus();
                   }));
  return Value(std::move(m));
}

absl::StatusOr<Value> Evaluator::EvalAbsentOverTime(const Call& e) {
  // present_over_time per series, then absent where no series is present.
  const Expr& arg = *e.args[0];
  const MatrixSelector* ms = arg.DynCast<MatrixSelector>();
  const SubqueryExpr* sq = arg.DynCast<SubqueryExpr>();
  Matrix series;
  int64_t held = 0;
  int64_t range_ms;
  const std::optional<int64_t>* at;
  AtModifier start_or_end;
  absl::Duration offset;
  if (ms != nullptr) {
    const VectorSelector& vs = *ms->vector_selector;
    range_ms = DurationMs(ms->range);
    at = &vs.timestamp;
    start_or_end = vs.start_or_end;
    offset = vs.original_offset;
    const int64_t first = SelectorTime(start_, *at, start_or_end, offset);
    const int64_t last = SelectorTime(end_, *at, start_or_end, offset);
    ASSIGN_OR_RETURN(std::vector<LoadedSeries> loaded,
                     LoadSeries(vs, std::min(first, last) - range_ms, std::max(first, last),
                                /*keep_stale=*/false));
    for (LoadedSeries& s : loaded) {
      held += static_cast<int64_t>(s.points.size());
      series.push_back(Series{std::move(s.labels), std::move(s.points), false});
    }
  } else {
    range_ms = DurationMs(sq->range);
    at = &sq->timestamp;
    start_or_end = sq->start_or_end;
    offset = sq->original_offset;
    ASSIGN_OR_RETURN(series, EvalSubqueryInner(*sq));
    for (const Series& s : series) held += static_cast<int64_t>(s.floats.size());
  }
  std::vector<size_t> cursors(series.size(), 0);
  Series result;
  result.metric = LabelsForAbsent(arg);
  for (int64_t ts = start_; ts <= end_; ts += interval_) {
    RETURN_IF_ERROR(ctx_->CheckLimits());
    const int64_t t = SelectorTime(ts, *at, start_or_end, offset);
    bool present = false;
    for (size_t i = 0; i < series.size() && !present; ++i) {
      if (cursors[i] > 0 && cursors[i] <= series[i].floats.size() &&
          series[i].floats[cursors[i] - 1].t > t - range_ms) {
        cursors[i] = 0;
      }
      present = !WindowOf(series[i].floats, t - range_ms, t, &cursors[i]).empty();
    }
    if (!present) result.floats.push_back(FPoint{ts, 1});
  }
  ctx_->ReleaseSamples(held);
  Matrix out;
  if (!result.floats.empty()) {
    RETURN_IF_ERROR(ctx_->AddSamples(static_cast<int64_t>(result.floats.size())));
    out.push_back(std::move(result));
  }
  return Value(std::move(out));
}

absl::StatusOr<Value> Evaluator::EvalScalarFunction(const Call& e) {
  ASSIGN_OR_RETURN(Value v, Eval(*e.args[0]));
  const Matrix* args[1] = {&std::get<Matrix>(v)};
  ASSIGN_OR_RETURN(Matrix m,
                   RangeEval(args, [](int64_t ts, std::span<const Vector> in, Vector* out) {
                     out->push_back(Sample{Labels(), ts, in[0].size() == 1 ? in[0][0].f : NAN});
                     return absl::OkStatus();
                   }));
  return Value(std::move(m));
}

}  // namespace strata::promql
