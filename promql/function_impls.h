// Implementations of PromQL functions (the names and signatures of
// promql/functions.h), one step at a time, as Prometheus 3's functions.go.
//
// The evaluator calls an implementation once per output step:
//  - functions of instant vectors and scalars get, per argument, that
//    argument's value at the step (a scalar argument as `scalar`);
//  - functions of a range vector (rate, *_over_time, …) are called once per
//    (series, step) with the points of that series inside the window
//    (range_start, range_end] — stale markers already removed — and must
//    append at most one sample; its labels are ignored: the evaluator uses
//    the series' labels (and marks __name__ for removal unless the function
//    keeps it: FunctionImpl::keeps_name).
//
// Functions that need the evaluator itself (time, pi, scalar, timestamp,
// absent, absent_over_time, info) are not here: FindFunctionImpl returns
// nullptr for them and the evaluator handles them.
//
// Annotations: messages use Prometheus's text, including the position
// suffix, e.g. `PromQL info: metric might not be a counter, name does not
// end in _total/_sum/_count/_bucket: "foo" (1:6)`; FunctionContext::Position
// formats the position of an argument.
//
// Thread safety: implementations are stateless functions.
#ifndef STRATA_PROMQL_FUNCTION_IMPLS_H_
#define STRATA_PROMQL_FUNCTION_IMPLS_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "promql/ast.h"
#include "promql/value.h"

namespace strata::promql {

// One argument of a call, at the current step.
struct FunctionArg {
  // Instant-vector arguments (and scalar arguments, as a one-sample vector
  // with empty labels, as Prometheus passes them).
  const Vector* vector = nullptr;
  // Scalar arguments: the value at this step.
  double scalar = 0;
  // String arguments (label_replace, label_join, sort_by_label, …).
  std::string_view string;
  // The range-vector argument: the points of one series inside the window,
  // oldest first, and that series' labels.
  std::span<const FPoint> points;
  const Labels* labels = nullptr;
};

struct FunctionContext {
  int64_t ts = 0;  // evaluation time of this step, ms
  const Call* call = nullptr;
  std::string_view query;  // the whole query text (annotation positions)
  // The range-vector argument's window (range_start, range_end], ms: the
  // step time minus the offset (or the @ time minus the offset), and that
  // minus the range. Only set for range-vector functions.
  int64_t range_start = 0;
  int64_t range_end = 0;
  // True when the range-vector argument is a subquery, not a selector.
  bool range_is_subquery = false;
  Annotations* annotations = nullptr;
  // Range-vector functions: changes with every input series (the evaluator
  // counts them), so a per-series check runs once per series, not per step.
  uint64_t series_seq = 0;
  uint64_t counter_name_checked_seq = ~uint64_t{0};  // rate/increase's name check

  // "1:6"-style position of argument `i` of the call (or of the call itself
  // when i < 0), as Prometheus's annotations print it.
  std::string Position(int i = 0) const;
};

// Appends the step's output samples to `out` (at most one for range-vector
// functions). Errors are evaluation errors (FailedPrecondition) or bad
// arguments (InvalidArgument), with Prometheus's message.
using FunctionFn = absl::Status (*)(std::span<const FunctionArg> args, FunctionContext& ctx,
                                    Vector* out);

struct FunctionImpl {
  std::string_view name;
  FunctionFn fn = nullptr;
  // Range-vector functions only: the output keeps the input's __name__
  // (last_over_time, first_over_time); every other one drops it.
  bool keeps_name = false;
};

// nullptr for unknown names and for the functions the evaluator handles.
const FunctionImpl* FindFunctionImpl(std::string_view name);

// The per-file tables FindFunctionImpl merges (one file per family).
std::span<const FunctionImpl> MathFunctionImpls();       // functions_math.cc
std::span<const FunctionImpl> RangeFunctionImpls();      // functions_range.cc
std::span<const FunctionImpl> LabelFunctionImpls();      // functions_label.cc
std::span<const FunctionImpl> HistogramFunctionImpls();  // functions_histogram.cc

}  // namespace strata::promql

#endif  // STRATA_PROMQL_FUNCTION_IMPLS_H_
