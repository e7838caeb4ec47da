// The PromQL evaluator (internal to the engine).
//
// Model (Prometheus's): an Evaluator evaluates an expression at every step
// start, start+interval, …, end at once. Every instant-vector or scalar
// expression evaluates to a Matrix of "step series": one point per step at
// which the series has a value, at the step's timestamp. A scalar is one
// series with empty labels and a point at every step. String expressions
// give a String. Range-vector expressions (selectors and subqueries) are
// only evaluated whole at the top of an instant query; as function
// arguments they are consumed window by window (eval_call.cc) without being
// materialised for every step.
//
// One Eval* function per AST node kind, spread over:
//   evaluator.cc      dispatch, literals, parentheses, unary and binary
//                     operators, aggregations, the per-step driver RangeEval
//   eval_selector.cc  vector and matrix selectors, loading series
//   eval_call.cc      function calls
//   eval_info.cc      info(), the join with info metrics
//   eval_subquery.cc  subqueries
//
// Thread safety: one Evaluator per query (and per subquery), one thread.
#ifndef STRATA_PROMQL_EVALUATOR_H_
#define STRATA_PROMQL_EVALUATOR_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <span>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "promql/ast.h"
#include "promql/value.h"
#include "tsdb/storage.h"

namespace strata::promql {

// Bit pattern of the staleness marker (a NaN); compare bits, not values.
inline constexpr uint64_t kStaleNaNBits = 0x7ff0000000000002ULL;
bool IsStaleNaN(double v);

// State shared by the evaluators of one query (the query's own and those of
// its subqueries).
struct EvalContext {
  Querier* querier = nullptr;
  std::string_view query;
  int64_t query_start = 0;    // for `@ start()`
  int64_t query_end = 0;      // for `@ end()`
  int64_t query_step_ms = 0;  // a range query's step (step())
  int64_t lookback_ms = 5 * 60 * 1000;
  int64_t default_subquery_step_ms = 60 * 1000;
  int64_t max_samples = 0;
  absl::Time deadline = absl::InfiniteFuture();
  const std::atomic<bool>* cancel = nullptr;

  int64_t current_samples = 0;
  int64_t peak_samples = 0;
  int64_t total_samples = 0;  // read from storage
  Annotations annotations;
  int64_t checks = 0;  // counts CheckLimits calls between clock reads

  // Accounts `n` more samples held in memory; ResourceExhausted beyond
  // max_samples (before the caller allocates them).
  absl::Status AddSamples(int64_t n);
  void ReleaseSamples(int64_t n) { current_samples -= n; }
  // DeadlineExceeded or Cancelled when the query must stop. Cheap: reads the
  // clock only every few hundred calls.
  absl::Status CheckLimits();
};

class Evaluator {
 public:
  Evaluator(EvalContext* ctx, int64_t start, int64_t end, int64_t interval)
      : ctx_(ctx), start_(start), end_(end), interval_(interval) {}

  // Evaluates `e` at every step; see the file comment for the shape.
  absl::StatusOr<Value> Eval(const Expr& e);

  int64_t start() const { return start_; }
  int64_t end() const { return end_; }
  int64_t interval() const { return interval_; }
  int64_t num_steps() const { return (end_ - start_) / interval_ + 1; }
  EvalContext* ctx() const { return ctx_; }

  // The time a selector or subquery reads at for step time `ts`: its @ time
  // if any, else ts; minus its offset. Milliseconds.
  int64_t SelectorTime(int64_t ts, const std::optional<int64_t>& at, AtModifier start_or_end,
                       absl::Duration offset) const;

 private:
  // A step-invariant subtree of a range evaluation, evaluated once.
  absl::StatusOr<Value> EvalStepInvariant(const Expr& e);
  // One per node kind.
  absl::StatusOr<Value> EvalNumberLiteral(const NumberLiteral& e);
  absl::StatusOr<Value> EvalStringLiteral(const StringLiteral& e);
  absl::StatusOr<Value> EvalUnary(const UnaryExpr& e);
  absl::StatusOr<Value> EvalBinary(const BinaryExpr& e);
  absl::StatusOr<Value> EvalAggregate(const AggregateExpr& e);
  absl::StatusOr<Value> EvalCall(const Call& e);
  absl::StatusOr<Value> EvalVectorSelector(const VectorSelector& e);
  absl::StatusOr<Value> EvalMatrixSelector(const MatrixSelector& e);
  absl::StatusOr<Value> EvalSubquery(const SubqueryExpr& e);

  // Calls that need more than a FunctionImpl (eval_call.cc).
  absl::StatusOr<Value> EvalRangeFunction(const Call& e, size_t matrix_arg);
  absl::StatusOr<Value> EvalTimestamp(const Call& e);
  absl::StatusOr<Value> EvalAbsent(const Call& e);
  absl::StatusOr<Value> EvalAbsentOverTime(const Call& e);
  absl::StatusOr<Value> EvalScalarFunction(const Call& e);
  absl::StatusOr<Value> EvalMinMaxOf(const Call& e, bool min);
  absl::StatusOr<Value> EvalInfo(const Call& e);  // eval_info.cc
  absl::StatusOr<Value> ScalarSeries(const std::function<double(int64_t ts)>& value_at);

  // A range-vector argument (matrix selector or subquery): its range, @ and
  // offset.
  struct RangeArg {
    int64_t range_ms = 0;
    const std::optional<int64_t>* at = nullptr;
    AtModifier start_or_end = AtModifier::kNone;
    absl::Duration offset;
  };
  static RangeArg RangeArgOf(const Expr& arg);
  // Calls fn(labels, points, drop_name) for every series of a range-vector
  // argument with every point any step's window needs, in time order:
  // streamed from storage for a selector, from the evaluated inner
  // expression for a subquery.
  absl::Status ForEachRangeSeries(
      const Expr& arg, const RangeArg& ra,
      const std::function<absl::Status(const Labels&, const std::vector<FPoint>&, bool)>& fn);

 public:
  // Evaluates each of `args` (instant vectors, scalars: Matrix) and then
  // calls `step_fn` once per step with the vectors of that step (a scalar
  // argument becomes a one-sample vector with empty labels), collecting the
  // samples it appends into step series. Prometheus's rangeEval: a label
  // set produced twice for one step is an error; for an instant evaluation
  // the output keeps step_fn's order. The arguments' points are released
  // from the max-samples account (callers drop them afterwards).
  using StepFn = std::function<absl::Status(int64_t ts, std::span<const Vector> in, Vector* out)>;
  absl::StatusOr<Matrix> RangeEval(std::span<const Matrix* const> args, const StepFn& step_fn);

  // Points of every series matched by `sel` in the window (lo, hi] of
  // storage time (stale markers dropped unless `keep_stale`), with the
  // series' labels. Accounts the points with AddSamples (the caller releases
  // them).
  struct LoadedSeries {
    Labels labels;
    std::vector<FPoint> points;
  };
  absl::StatusOr<std::vector<LoadedSeries>> LoadSeries(const VectorSelector& sel, int64_t lo,
                                                       int64_t hi, bool keep_stale);
  // Like LoadSeries, but one series at a time: `fn` gets each series (with
  // at least one point) and may move from it; its points are accounted only
  // during the call. Nothing is materialised beyond one series.
  absl::Status ForEachSeries(const VectorSelector& sel, int64_t lo, int64_t hi, bool keep_stale,
                             const std::function<absl::Status(LoadedSeries&)>& fn);
  // An instant-vector selector at every step; with `sample_timestamps` the
  // value is the sample's own timestamp in seconds (timestamp()).
  absl::StatusOr<Value> EvalInstantSelector(const VectorSelector& e, bool sample_timestamps);

  // Evaluates a subquery's inner expression over the steps its windows need
  // (eval_subquery.cc); each series' points are in time order.
  absl::StatusOr<Matrix> EvalSubqueryInner(const SubqueryExpr& e);

 private:
  EvalContext* const ctx_;
  const int64_t start_;
  const int64_t end_;
  const int64_t interval_;
};

// Points of `all` (sorted by t) inside (lo, hi]. The cursor, kept across
// the windows of one series, makes a sequence of windows whose bounds do
// not decrease cost O(points) in all, however much they overlap; a window
// that moves backwards (possible with @) is found by a scan from the start.
struct WindowCursor {
  size_t begin = 0;  // the previous window, as indexes into `all`
  size_t end = 0;
};
std::span<const FPoint> WindowOf(const std::vector<FPoint>& all, int64_t lo, int64_t hi,
                                 WindowCursor* cursor);

int64_t DurationMs(absl::Duration d);

// Number of points in `m` (what it holds against the max-samples limit).
int64_t PointsOf(const Matrix& m);

// Whether `e` has the same value at every step (Prometheus's
// preprocessing: selectors and subqueries with @, literals, and operators
// and calls built only from those, except calls that read the step's time).
bool IsStepInvariant(const Expr& e);

// `e` without enclosing parentheses.
const Expr& Unparen(const Expr& e);

}  // namespace strata::promql

#endif  // STRATA_PROMQL_EVALUATOR_H_
