// Function calls: the generic paths for instant-vector and range-vector
// functions, and the functions that need the evaluator (time, pi, scalar,
// timestamp, absent, absent_over_time; info in eval_info.cc).
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

// Go's math.Min and math.Max: NaN wins, and -0 is below +0.
double GoMin(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return NAN;
  if (a == 0 && b == 0) return std::signbit(a) ? a : b;
  return a < b ? a : b;
}
double GoMax(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return NAN;
  if (a == 0 && b == 0) return std::signbit(a) ? b : a;
  return a > b ? a : b;
}

}  // namespace

const Expr& Unparen(const Expr& e) {
  const Expr* p = &e;
  while (const auto* paren = p->DynCast<ParenExpr>()) p = paren->expr.get();
  return *p;
}

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
  if (name == "min_of" || name == "max_of") return EvalMinMaxOf(e, name == "min_of");
  if (name == "info") return EvalInfo(e);
  // The query's own step, range, start and end, in seconds (an instant
  // query has no step and an empty range).
  if (name == "step") {
    const double step = ctx_->query_start == ctx_->query_end ? 0 : ctx_->query_step_ms / 1000.0;
    return ScalarSeries([step](int64_t) { return step; });
  }
  if (name == "range") {
    const double range = (ctx_->query_end - ctx_->query_start) / 1000.0;
    return ScalarSeries([range](int64_t) { return range; });
  }
  if (name == "start" || name == "end") {
    const double t = (name == "start" ? ctx_->query_start : ctx_->query_end) / 1000.0;
    return ScalarSeries([t](int64_t) { return t; });
  }
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

  FunctionContext fctx;
  fctx.call = &e;
  fctx.query = ctx_->query;
  fctx.annotations = &ctx_->annotations;
  const Expr& arg = Unparen(*e.args[matrix_arg]);
  fctx.range_is_subquery = arg.kind() == NodeKind::kSubqueryExpr;
  const RangeArg ra = RangeArgOf(arg);
  Matrix out;
  Vector step_out;
  // Applies the function to every window of one series.
  auto apply = [&](const Labels& labels, const std::vector<FPoint>& points,
                   bool drop_name) -> absl::Status {
    Series result;
    WindowCursor cursor;
    int64_t step = 0;
    args[matrix_arg].labels = &labels;
    ++fctx.series_seq;
    for (int64_t ts = start_; ts <= end_; ts += interval_, ++step) {
      RETURN_IF_ERROR(ctx_->CheckLimits());
      const int64_t t = SelectorTime(ts, *ra.at, ra.start_or_end, ra.offset);
      args[matrix_arg].points = WindowOf(points, t - ra.range_ms, t, &cursor);
      for (size_t i = 0; i < args.size(); ++i) {
        if (const auto* m = std::get_if<Matrix>(&values[i]); m != nullptr && i != matrix_arg) {
          args[i].scalar = (*m)[0].floats[step].f;
        }
      }
      fctx.ts = ts;
      fctx.range_start = t - ra.range_ms;
      fctx.range_end = t;
      step_out.clear();
      RETURN_IF_ERROR(impl->fn(args, fctx, &step_out));
      if (!step_out.empty()) result.floats.push_back(FPoint{ts, step_out[0].f});
    }
    if (result.floats.empty()) return absl::OkStatus();
    RETURN_IF_ERROR(ctx_->AddSamples(static_cast<int64_t>(result.floats.size())));
    result.drop_name = drop_name || !impl->keeps_name;
    result.metric = labels;
    out.push_back(std::move(result));
    return absl::OkStatus();
  };
  RETURN_IF_ERROR(ForEachRangeSeries(
      arg, ra, [&](const Labels& l, const std::vector<FPoint>& p, bool drop_name) {
        return apply(l, p, drop_name);
      }));
  return Value(std::move(out));
}

Evaluator::RangeArg Evaluator::RangeArgOf(const Expr& wrapped) {
  const Expr& arg = Unparen(wrapped);
  RangeArg ra;
  if (const auto* ms = arg.DynCast<MatrixSelector>()) {
    const VectorSelector& vs = *ms->vector_selector;
    ra.range_ms = DurationMs(ms->range);
    ra.at = &vs.timestamp;
    ra.start_or_end = vs.start_or_end;
    ra.offset = vs.original_offset;
  } else {
    const auto& sq = arg.As<SubqueryExpr>();
    ra.range_ms = DurationMs(sq.range);
    ra.at = &sq.timestamp;
    ra.start_or_end = sq.start_or_end;
    ra.offset = sq.original_offset;
  }
  return ra;
}

absl::Status Evaluator::ForEachRangeSeries(
    const Expr& wrapped, const RangeArg& ra,
    const std::function<absl::Status(const Labels&, const std::vector<FPoint>&, bool)>& fn) {
  const Expr& arg = Unparen(wrapped);
  if (const auto* ms = arg.DynCast<MatrixSelector>()) {
    const int64_t first = SelectorTime(start_, *ra.at, ra.start_or_end, ra.offset);
    const int64_t last = SelectorTime(end_, *ra.at, ra.start_or_end, ra.offset);
    return ForEachSeries(*ms->vector_selector, std::min(first, last) - ra.range_ms,
                         std::max(first, last), /*keep_stale=*/false,
                         [&](LoadedSeries& s) { return fn(s.labels, s.points, false); });
  }
  ASSIGN_OR_RETURN(Matrix inner, EvalSubqueryInner(arg.As<SubqueryExpr>()));
  for (const Series& s : inner) RETURN_IF_ERROR(fn(s.metric, s.floats, s.drop_name));
  ctx_->ReleaseSamples(PointsOf(inner));
  return absl::OkStatus();
}

absl::StatusOr<Value> Evaluator::EvalTimestamp(const Call& e) {
  const Expr* arg = &Unparen(*e.args[0]);
  if (const auto* vs = arg->DynCast<VectorSelector>()) {
    return EvalInstantSelector(*vs, /*sample_timestamps=*/true);  // the samples' own times
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
  // Marks the steps at which some series has a point in its window; the
  // result is 1 at every other step.
  const Expr& arg = *e.args[0];
  const RangeArg ra = RangeArgOf(arg);
  std::vector<bool> present(static_cast<size_t>(num_steps()), false);
  RETURN_IF_ERROR(
      ForEachRangeSeries(arg, ra, [&](const Labels&, const std::vector<FPoint>& points, bool) {
        WindowCursor cursor;
        size_t step = 0;
        for (int64_t ts = start_; ts <= end_; ts += interval_, ++step) {
          RETURN_IF_ERROR(ctx_->CheckLimits());
          const int64_t t = SelectorTime(ts, *ra.at, ra.start_or_end, ra.offset);
          if (!WindowOf(points, t - ra.range_ms, t, &cursor).empty()) present[step] = true;
        }
        return absl::OkStatus();
      }));
  Series result;
  result.metric = LabelsForAbsent(arg);
  size_t step = 0;
  for (int64_t ts = start_; ts <= end_; ts += interval_, ++step) {
    if (!present[step]) result.floats.push_back(FPoint{ts, 1});
  }
  Matrix out;
  if (!result.floats.empty()) {
    RETURN_IF_ERROR(ctx_->AddSamples(static_cast<int64_t>(result.floats.size())));
    out.push_back(std::move(result));
  }
  return Value(std::move(out));
}

absl::StatusOr<Value> Evaluator::EvalMinMaxOf(const Call& e, bool min) {
  ASSIGN_OR_RETURN(Value a, Eval(*e.args[0]));
  ASSIGN_OR_RETURN(Value b, Eval(*e.args[1]));
  const Matrix* args[2] = {&std::get<Matrix>(a), &std::get<Matrix>(b)};
  ASSIGN_OR_RETURN(Matrix m,
                   RangeEval(args, [min](int64_t ts, std::span<const Vector> in, Vector* out) {
                     const double x = in[0][0].f, y = in[1][0].f;
                     out->push_back(Sample{Labels(), ts, min ? GoMin(x, y) : GoMax(x, y)});
                     return absl::OkStatus();
                   }));
  return Value(std::move(m));
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
