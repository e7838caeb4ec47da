// Private to the range-vector function family (functions_range.cc,
// functions_range_rate.cc, functions_over_time.cc): the implementations that
// RangeFunctionImpls() lists, and the numeric helpers they share, written to
// give bit-for-bit the results of Prometheus 3's functions.go, quantile.go and
// util/kahansum.
//
// Every implementation follows FunctionFn (promql/function_impls.h): called
// once per (series, step) with the window's points, it appends at most one
// sample whose labels the evaluator replaces.
//
// Thread safety: stateless functions (the quantile helpers use a thread-local
// scratch buffer).
#ifndef STRATA_PROMQL_FUNCTIONS_RANGE_INTERNAL_H_
#define STRATA_PROMQL_FUNCTIONS_RANGE_INTERNAL_H_

#include <cmath>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "promql/function_impls.h"
#include "promql/value.h"

namespace strata::promql::range_internal {

// Prometheus's kahansum.Inc: adds `inc` to `*sum`, keeping the rounding error
// in `*c` (Neumaier's variant). An infinite sum resets the compensation so
// that Inf + c never turns into NaN.
inline void KahanInc(double inc, double* sum, double* c) {
  const double t = *sum + inc;
  if (std::isinf(t)) {
    *c = 0;
  } else if (std::fabs(*sum) >= std::fabs(inc)) {
    *c += (*sum - t) + inc;
  } else {
    *c += (inc - t) + *sum;
  }
  *sum = t;
}

// Prometheus's quantile(): NaN for an empty input or q = NaN, -Inf for q < 0,
// +Inf for q > 1, otherwise the linear interpolation between the two closest
// ranks. Sorts `values` (NaN first, as Go's vectorByValueHeap).
double Quantile(double q, std::vector<double>* values);

// A per-thread buffer for the values a quantile sorts, so that the hot path
// does not allocate once it has grown to the window size.
std::vector<double>* ScratchValues();

// Go's fmt "%g" (shortest representation; exponent form below 1e-4 and from
// 1e6 on; "+Inf", "-Inf", "NaN").
std::string GoFormatG(double v);

// Appends a float sample at the step time; the evaluator sets the labels.
inline void AppendFloat(const FunctionContext& ctx, double f, Vector* out) {
  Sample s;
  s.t = ctx.ts;
  s.f = f;
  out->push_back(std::move(s));
}

// `msg` followed by " (<line:col>)" of argument `arg`, as Prometheus's
// annotations print their position (omitted when there is no query text).
std::string WithPosition(std::string msg, const FunctionContext& ctx, int arg);

// functions_range_rate.cc: counters, gauges and their derivatives.
absl::Status Rate(std::span<const FunctionArg> args, FunctionContext& ctx, Vector* out);
absl::Status Increase(std::span<const FunctionArg> args, FunctionContext& ctx, Vector* out);
absl::Status Delta(std::span<const FunctionArg> args, FunctionContext& ctx, Vector* out);
absl::Status Irate(std::span<const FunctionArg> args, FunctionContext& ctx, Vector* out);
absl::Status Idelta(std::span<const FunctionArg> args, FunctionContext& ctx, Vector* out);
absl::Status Deriv(std::span<const FunctionArg> args, FunctionContext& ctx, Vector* out);
absl::Status PredictLinear(std::span<const FunctionArg> args, FunctionContext& ctx, Vector* out);
absl::Status DoubleExponentialSmoothing(std::span<const FunctionArg> args, FunctionContext& ctx,
                                        Vector* out);
absl::Status Changes(std::span<const FunctionArg> args, FunctionContext& ctx, Vector* out);
absl::Status Resets(std::span<const FunctionArg> args, FunctionContext& ctx, Vector* out);

// functions_over_time.cc: aggregations of a window's values.
absl::Status AvgOverTime(std::span<const FunctionArg> args, FunctionContext& ctx, Vector* out);
absl::Status MinOverTime(std::span<const FunctionArg> args, FunctionContext& ctx, Vector* out);
absl::Status MaxOverTime(std::span<const FunctionArg> args, FunctionContext& ctx, Vector* out);
absl::Status SumOverTime(std::span<const FunctionArg> args, FunctionContext& ctx, Vector* out);
absl::Status CountOverTime(std::span<const FunctionArg> args, FunctionContext& ctx, Vector* out);
absl::Status QuantileOverTime(std::span<const FunctionArg> args, FunctionContext& ctx, Vector* out);
absl::Status StddevOverTime(std::span<const FunctionArg> args, FunctionContext& ctx, Vector* out);
absl::Status StdvarOverTime(std::span<const FunctionArg> args, FunctionContext& ctx, Vector* out);
absl::Status LastOverTime(std::span<const FunctionArg> args, FunctionContext& ctx, Vector* out);
absl::Status FirstOverTime(std::span<const FunctionArg> args, FunctionContext& ctx, Vector* out);
absl::Status PresentOverTime(std::span<const FunctionArg> args, FunctionContext& ctx, Vector* out);
absl::Status MadOverTime(std::span<const FunctionArg> args, FunctionContext& ctx, Vector* out);
absl::Status TsOfFirstOverTime(std::span<const FunctionArg> args, FunctionContext& ctx,
                               Vector* out);
absl::Status TsOfLastOverTime(std::span<const FunctionArg> args, FunctionContext& ctx, Vector* out);
absl::Status TsOfMinOverTime(std::span<const FunctionArg> args, FunctionContext& ctx, Vector* out);
absl::Status TsOfMaxOverTime(std::span<const FunctionArg> args, FunctionContext& ctx, Vector* out);

}  // namespace strata::promql::range_internal

#endif  // STRATA_PROMQL_FUNCTIONS_RANGE_INTERNAL_H_
