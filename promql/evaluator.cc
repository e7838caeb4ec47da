// Evaluator: dispatch, the per-step driver, literals, operators and
// aggregations. See evaluator.h for the model.
#include "promql/evaluator.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

#include "absl/container/flat_hash_map.h"
#include "fmt/format.h"
#include "promql/aggregate.h"
#include "promql/binop.h"
#include "promql/functions.h"
#include "tsdb/base/status_macros.h"

namespace strata::promql {

bool IsStaleNaN(double v) { return std::bit_cast<uint64_t>(v) == kStaleNaNBits; }

int64_t DurationMs(absl::Duration d) { return absl::ToInt64Milliseconds(d); }

int64_t PointsOf(const Matrix& m) {
  int64_t n = 0;
  for (const Series& s : m) n += static_cast<int64_t>(s.floats.size());
  return n;
}

absl::Status EvalContext::AddSamples(int64_t n) {
  if (max_samples > 0 && current_samples + n > max_samples) {
    return absl::ResourceExhaustedError(
        "query processing would load too many samples into memory in query execution");
  }
  current_samples += n;
  if (current_samples > peak_samples) peak_samples = current_samples;
  return absl::OkStatus();
}

absl::Status EvalContext::CheckLimits() {
  if ((++checks & 255) != 0) return absl::OkStatus();
  if (cancel != nullptr && cancel->load(std::memory_order_relaxed)) {
    return absl::CancelledError("query was canceled in query execution");
  }
  if (absl::Now() > deadline) {
    return absl::DeadlineExceededError("query timed out in query execution");
  }
  return absl::OkStatus();
}

std::span<const FPoint> WindowOf(const std::vector<FPoint>& all, int64_t lo, int64_t hi,
                                 WindowCursor* cursor) {
  size_t b = cursor->begin;
  if (b > all.size() || (b > 0 && all[b - 1].t > lo)) b = 0;  // moved backwards
  while (b < all.size() && all[b].t <= lo) ++b;
  size_t e = std::max(cursor->end, b);
  if (e > all.size() || (e > b && all[e - 1].t > hi)) e = b;  // moved backwards
  while (e < all.size() && all[e].t <= hi) ++e;
  cursor->begin = b;
  cursor->end = e;
  return std::span<const FPoint>(all.data() + b, e - b);
}

int64_t Evaluator::SelectorTime(int64_t ts, const std::optional<int64_t>& at,
                                AtModifier start_or_end, absl::Duration offset) const {
  int64_t base = ts;
  if (start_or_end == AtModifier::kStart) {
    base = ctx_->query_start;
  } else if (start_or_end == AtModifier::kEnd) {
    base = ctx_->query_end;
  } else if (at.has_value()) {
    base = *at;
  }
  return base - DurationMs(offset);
}

bool IsStepInvariant(const Expr& e) {
  switch (e.kind()) {
    case NodeKind::kVectorSelector: {
      const auto& vs = e.As<VectorSelector>();
      return vs.timestamp.has_value() || vs.start_or_end != AtModifier::kNone;
    }
    case NodeKind::kMatrixSelector:
      return IsStepInvariant(*e.As<MatrixSelector>().vector_selector);
    case NodeKind::kSubqueryExpr: {
      const auto& sq = e.As<SubqueryExpr>();
      return sq.timestamp.has_value() || sq.start_or_end != AtModifier::kNone;
    }
    case NodeKind::kNumberLiteral:
    case NodeKind::kStringLiteral:
      return true;
    case NodeKind::kParenExpr:
      return IsStepInvariant(*e.As<ParenExpr>().expr);
    case NodeKind::kUnaryExpr:
      return IsStepInvariant(*e.As<UnaryExpr>().expr);
    case NodeKind::kAggregateExpr:
      // As Prometheus: the parameter does not count.
      return IsStepInvariant(*e.As<AggregateExpr>().expr);
    case NodeKind::kBinaryExpr: {
      const auto& b = e.As<BinaryExpr>();
      return IsStepInvariant(*b.lhs) && IsStepInvariant(*b.rhs);
    }
    case NodeKind::kCall: {
      // Prometheus's AtModifierUnsafeFunctions depend on the step's time.
      static constexpr std::string_view kUnsafe[] = {
          "days_in_month", "day_of_month", "day_of_week",    "day_of_year", "hour",     "minute",
          "month",         "year",         "predict_linear", "time",        "timestamp"};
      const auto& c = e.As<Call>();
      bool invariant =
          std::find(std::begin(kUnsafe), std::end(kUnsafe), c.func->name) == std::end(kUnsafe);
      for (const auto& a : c.args) invariant = invariant && IsStepInvariant(*a);
      return invariant;
    }
    default:
      return false;
  }
}

namespace {

// Whether `e` reads storage through a selector or subquery with @ (a step-
// invariant tree of literals alone is cheap to evaluate at every step).
bool ReadsAtFixedTime(const Expr& e) {
  switch (e.kind()) {
    case NodeKind::kVectorSelector:
    case NodeKind::kMatrixSelector:
    case NodeKind::kSubqueryExpr:
      return true;  // only asked of step-invariant trees
    case NodeKind::kParenExpr:
      return ReadsAtFixedTime(*e.As<ParenExpr>().expr);
    case NodeKind::kUnaryExpr:
      return ReadsAtFixedTime(*e.As<UnaryExpr>().expr);
    case NodeKind::kAggregateExpr:
      return ReadsAtFixedTime(*e.As<AggregateExpr>().expr);
    case NodeKind::kBinaryExpr:
      return ReadsAtFixedTime(*e.As<BinaryExpr>().lhs) || ReadsAtFixedTime(*e.As<BinaryExpr>().rhs);
    case NodeKind::kCall:
      for (const auto& a : e.As<Call>().args) {
        if (ReadsAtFixedTime(*a)) return true;
      }
      return false;
    default:
      return false;
  }
}

}  // namespace

absl::StatusOr<Value> Evaluator::EvalStepInvariant(const Expr& e) {
  // Prometheus's StepInvariantExpr: evaluated once, at the first step, and
  // repeated at every step.
  Evaluator once(ctx_, start_, start_, interval_);
  ASSIGN_OR_RETURN(Value v, once.Eval(e));
  for (Series& s : std::get<Matrix>(v)) {
    RETURN_IF_ERROR(ctx_->AddSamples(num_steps() - 1));
    const double f = s.floats[0].f;
    s.floats.clear();
    s.floats.reserve(static_cast<size_t>(num_steps()));
    for (int64_t ts = start_; ts <= end_; ts += interval_) s.floats.push_back(FPoint{ts, f});
  }
  return v;
}

absl::StatusOr<Value> Evaluator::Eval(const Expr& e) {
  RETURN_IF_ERROR(ctx_->CheckLimits());
  if (start_ != end_ && (e.type() == ValueType::kVector || e.type() == ValueType::kScalar) &&
      IsStepInvariant(e) && ReadsAtFixedTime(e)) {
    return EvalStepInvariant(e);
  }
  switch (e.kind()) {
    case NodeKind::kNumberLiteral:
      return EvalNumberLiteral(e.As<NumberLiteral>());
    case NodeKind::kStringLiteral:
      return EvalStringLiteral(e.As<StringLiteral>());
    case NodeKind::kParenExpr:
      return Eval(*e.As<ParenExpr>().expr);
    case NodeKind::kUnaryExpr:
      return EvalUnary(e.As<UnaryExpr>());
    case NodeKind::kBinaryExpr:
      return EvalBinary(e.As<BinaryExpr>());
    case NodeKind::kAggregateExpr:
      return EvalAggregate(e.As<AggregateExpr>());
    case NodeKind::kCall:
      return EvalCall(e.As<Call>());
    case NodeKind::kVectorSelector:
      return EvalVectorSelector(e.As<VectorSelector>());
    case NodeKind::kMatrixSelector:
      return EvalMatrixSelector(e.As<MatrixSelector>());
    case NodeKind::kSubqueryExpr:
      return EvalSubquery(e.As<SubqueryExpr>());
    case NodeKind::kStepInvariantExpr:
    case NodeKind::kDurationExpr:
      break;
  }
  return absl::UnimplementedError(fmt::format("unhandled expression: {}", e.ToString()));
}

absl::StatusOr<Value> Evaluator::ScalarSeries(const std::function<double(int64_t ts)>& value_at) {
  const int64_t n = num_steps();
  RETURN_IF_ERROR(ctx_->AddSamples(n));
  Series s;
  s.floats.reserve(n);
  for (int64_t ts = start_; ts <= end_; ts += interval_) s.floats.push_back({ts, value_at(ts)});
  Matrix m;
  m.push_back(std::move(s));
  return Value(std::move(m));
}

absl::StatusOr<Value> Evaluator::EvalNumberLiteral(const NumberLiteral& e) {
  const double v = e.val;
  return ScalarSeries([v](int64_t) { return v; });
}

absl::StatusOr<Value> Evaluator::EvalStringLiteral(const StringLiteral& e) {
  return Value(String{start_, e.val});
}

absl::StatusOr<Value> Evaluator::EvalUnary(const UnaryExpr& e) {
  ASSIGN_OR_RETURN(Value v, Eval(*e.expr));
  if (e.op != TokenKind::kSub) return v;
  Matrix& m = std::get<Matrix>(v);
  const bool vector = e.expr->type() == ValueType::kVector;
  for (Series& s : m) {
    for (FPoint& p : s.floats) p.f = -p.f;
    if (vector) s.drop_name = true;
  }
  return v;
}

absl::StatusOr<Matrix> Evaluator::RangeEval(std::span<const Matrix* const> args,
                                            const StepFn& step_fn) {
  const size_t nargs = args.size();
  std::vector<Vector> in(nargs);
  // Per argument and series: index of the next point to take.
  std::vector<std::vector<size_t>> cursor(nargs);
  for (size_t i = 0; i < nargs; ++i) cursor[i].assign(args[i]->size(), 0);

  const bool instant = start_ == end_;
  Matrix out_series;
  // Output series by label hash; the step each was last written at; per
  // output position, the series it held at the previous step.
  absl::flat_hash_map<uint64_t, size_t> index;
  std::vector<int64_t> last_step;
  std::vector<size_t> guess;
  Vector out;
  for (int64_t ts = start_; ts <= end_; ts += interval_) {
    RETURN_IF_ERROR(ctx_->CheckLimits());
    for (size_t i = 0; i < nargs; ++i) {
      // Samples are updated in place from the previous step's: a slot that
      // held the same series keeps its labels, so a steady set of series
      // costs neither a copy nor an allocation per step.
      Vector& v = in[i];
      size_t n = 0;
      const Matrix& m = *args[i];
      for (size_t j = 0; j < m.size(); ++j) {
        const std::vector<FPoint>& pts = m[j].floats;
        size_t& c = cursor[i][j];
        if (c < pts.size() && pts[c].t == ts) {
          if (n == v.size()) v.emplace_back();
          Sample& s = v[n++];
          if (s.origin != static_cast<int32_t>(j)) {
            s.metric = m[j].metric;
            s.origin = static_cast<int32_t>(j);
          }
          s.t = ts;
          s.f = pts[c].f;
          s.drop_name = m[j].drop_name;
          ++c;
        }
      }
      v.resize(n);
    }
    out.clear();
    RETURN_IF_ERROR(step_fn(ts, in, &out));
    RETURN_IF_ERROR(ctx_->AddSamples(static_cast<int64_t>(out.size())));
    if (instant) {
      out_series.reserve(out.size());
      for (Sample& s : out) {
        Series series{std::move(s.metric), {FPoint{ts, s.f}}, s.drop_name};
        out_series.push_back(std::move(series));
      }
      break;
    }
    for (size_t k = 0; k < out.size(); ++k) {
      Sample& s = out[k];
      // Step functions tend to emit the same series in the same order at
      // every step: try the series this position had last step before
      // hashing the labels.
      size_t series_index;
      if (k < guess.size() && guess[k] < out_series.size() &&
          out_series[guess[k]].metric == s.metric) {
        series_index = guess[k];
      } else {
        auto [it, inserted] = index.try_emplace(s.metric.Hash(), out_series.size());
        if (inserted) {
          Series series;
          series.metric = std::move(s.metric);
          series.drop_name = s.drop_name;
          out_series.push_back(std::move(series));
          last_step.push_back(std::numeric_limits<int64_t>::min());
        }
        series_index = it->second;
      }
      if (last_step[series_index] == ts) {
        return absl::FailedPreconditionError(
            "vector cannot contain metrics with the same labelset");
      }
      last_step[series_index] = ts;
      if (k >= guess.size()) guess.resize(k + 1);
      guess[k] = series_index;
      out_series[series_index].floats.push_back(FPoint{ts, s.f});
    }
  }
  // The callers drop their arguments once this returns.
  for (const Matrix* m : args) ctx_->ReleaseSamples(PointsOf(*m));
  return out_series;
}

absl::StatusOr<Value> Evaluator::EvalBinary(const BinaryExpr& e) {
  const ValueType lt = e.lhs->type(), rt = e.rhs->type();
  ASSIGN_OR_RETURN(Value lv, Eval(*e.lhs));
  ASSIGN_OR_RETURN(Value rv, Eval(*e.rhs));
  const Matrix* args[2] = {&std::get<Matrix>(lv), &std::get<Matrix>(rv)};
  Annotations* annos = &ctx_->annotations;

  if (lt == ValueType::kScalar && rt == ValueType::kScalar) {
    const TokenKind op = e.op;
    ASSIGN_OR_RETURN(
        Matrix m, RangeEval(args, [op](int64_t ts, std::span<const Vector> in, Vector* out) {
          out->push_back(Sample{Labels(), ts, ScalarBinop(op, in[0][0].f, in[1][0].f)});
          return absl::OkStatus();
        }));
    return Value(std::move(m));
  }
  if (lt == ValueType::kVector && rt == ValueType::kVector) {
    auto scratch = NewBinopScratch();
    ASSIGN_OR_RETURN(Matrix m,
                     RangeEval(args, [&](int64_t ts, std::span<const Vector> in, Vector* out) {
                       return VectorVectorBinop(e, in[0], in[1], ts, scratch.get(), annos, out);
                     }));
    return Value(std::move(m));
  }
  const bool scalar_on_left = lt == ValueType::kScalar;
  ASSIGN_OR_RETURN(Matrix m,
                   RangeEval(args, [&](int64_t ts, std::span<const Vector> in, Vector* out) {
                     const Vector& v = scalar_on_left ? in[1] : in[0];
                     const double s = scalar_on_left ? in[0][0].f : in[1][0].f;
                     return VectorScalarBinop(e, v, s, scalar_on_left, ts, annos, out);
                   }));
  return Value(std::move(m));
}

absl::StatusOr<Value> Evaluator::EvalAggregate(const AggregateExpr& e) {
  std::string label;
  Value param_value;
  std::vector<const Matrix*> args;
  if (e.param != nullptr) {
    ASSIGN_OR_RETURN(param_value, Eval(*e.param));
    if (auto* s = std::get_if<String>(&param_value)) {
      label = s->v;
    } else {
      args.push_back(&std::get<Matrix>(param_value));
    }
  }
  ASSIGN_OR_RETURN(Value inner, Eval(*e.expr));
  args.push_back(&std::get<Matrix>(inner));
  const bool has_scalar_param = args.size() == 2;

  auto scratch = NewAggregateScratch();
  ASSIGN_OR_RETURN(Matrix m,
                   RangeEval(args, [&](int64_t ts, std::span<const Vector> in, Vector* out) {
                     AggregateStep step;
                     step.expr = &e;
                     step.ts = ts;
                     step.param = has_scalar_param ? in[0][0].f : 0;
                     step.label = label;
                     step.query = ctx_->query;
                     step.annotations = &ctx_->annotations;
                     return Aggregate(step, in[has_scalar_param ? 1 : 0], scratch.get(), out);
                   }));
  return Value(std::move(m));
}

}  // namespace strata::promql
