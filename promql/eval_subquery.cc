// Subqueries: `expr[range:step] offset d @ t`.
#include <algorithm>

#include "promql/evaluator.h"
#include "tsdb/base/status_macros.h"

namespace strata::promql {

absl::StatusOr<Matrix> Evaluator::EvalSubqueryInner(const SubqueryExpr& e) {
  const int64_t step =
      e.step == absl::ZeroDuration() ? ctx_->default_subquery_step_ms : DurationMs(e.step);
  const int64_t range = DurationMs(e.range);
  const int64_t first = SelectorTime(start_, e.timestamp, e.start_or_end, e.original_offset);
  const int64_t last = SelectorTime(end_, e.timestamp, e.start_or_end, e.original_offset);
  // The first multiple of the step after the earliest window's start: the
  // inner steps are absolute, so they do not move with the outer query's
  // start, and the window (t - range, t] is open on the left.
  const int64_t lo = std::min(first, last) - range;
  int64_t inner_start = step * (lo / step);
  if (inner_start <= lo) inner_start += step;
  const int64_t inner_end = std::max(first, last);
  if (inner_start > inner_end) return Matrix();
  Evaluator inner(ctx_, inner_start, inner_end, step);
  ASSIGN_OR_RETURN(Value v, inner.Eval(*e.expr));
  return std::move(std::get<Matrix>(v));
}

absl::StatusOr<Value> Evaluator::EvalSubquery(const SubqueryExpr& e) {
  // Only reached at the top of an instant query: the window at start_.
  ASSIGN_OR_RETURN(Matrix inner, EvalSubqueryInner(e));
  const int64_t t = SelectorTime(start_, e.timestamp, e.start_or_end, e.original_offset);
  const int64_t lo = t - DurationMs(e.range);
  Matrix out;
  for (Series& s : inner) {
    std::erase_if(s.floats, [&](const FPoint& p) { return p.t <= lo || p.t > t; });
    if (!s.floats.empty()) out.push_back(std::move(s));
  }
  return Value(std::move(out));
}

}  // namespace strata::promql
