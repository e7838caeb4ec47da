// The *_over_time aggregations of a window's float values, as Prometheus 3's
// functions.go computes them (compensated sums, its mean with overflow
// fallback, its NaN handling in min/max, quantile.go's interpolation).
#include <cmath>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "promql/function_impls.h"
#include "promql/functions_range_internal.h"

namespace strata::promql::range_internal {
namespace {

// Prometheus's avg_over_time: the direct mean sum/count with a compensated
// sum, which is the more accurate one in practice, until the running sum
// would overflow; from then on the incremental mean, which cannot overflow.
double Mean(std::span<const FPoint> points) {
  double sum = points[0].f, count = 1, mean = 0, c = 0;
  bool incremental = false;
  for (size_t i = 1; i < points.size(); ++i) {
    const double f = points[i].f;
    count = static_cast<double>(i + 1);
    if (!incremental) {
      double new_sum = sum, new_c = c;
      KahanInc(f, &new_sum, &new_c);
      if (!std::isinf(new_sum)) {
        sum = new_sum;
        c = new_c;
        continue;
      }
      incremental = true;
      mean = sum / (count - 1);
      c /= count - 1;
    }
    const double q = (count - 1) / count;
    mean *= q;
    c *= q;
    KahanInc(f / count, &mean, &c);
  }
  if (incremental) return mean + c;
  return sum / count + c / count;
}

// Prometheus's varianceOverTime: Welford's algorithm with compensated sums.
double Variance(std::span<const FPoint> points) {
  double count = 0, mean = 0, c_mean = 0, aux = 0, c_aux = 0;
  for (const FPoint& p : points) {
    count++;
    const double delta = p.f - (mean + c_mean);
    KahanInc(delta / count, &mean, &c_mean);
    KahanInc(delta * (p.f - (mean + c_mean)), &aux, &c_aux);
  }
  return (aux + c_aux) / count;
}

// Prometheus's compareOverTime: the first sample wins unless a later one
// compares better; a NaN is replaced by any later value, so NaN only comes
// out when every value is NaN (or for ts_of_*, which prefer later ties).
template <typename Better>
const FPoint& Select(std::span<const FPoint> points, Better better) {
  const FPoint* best = &points[0];
  for (const FPoint& p : points) {
    if (better(p.f, best->f) || std::isnan(best->f)) best = &p;
  }
  return *best;
}

// min_over_time and max_over_time's value, as Select computes it but in a
// loop without a pointer chase, which the compiler turns into one min/max
// instruction per point: the extreme non-NaN value (of equal ones such as 0
// and -0 the first), or the last value when every one is NaN.
template <bool kMax>
double ExtremeValue(std::span<const FPoint> points) {
  size_t i = 0;
  while (i < points.size() && std::isnan(points[i].f)) ++i;
  if (i == points.size()) return points.back().f;
  double best = points[i].f;
  for (++i; i < points.size(); ++i) {
    const double f = points[i].f;
    best = (kMax ? f > best : f < best) ? f : best;  // false for a NaN f
  }
  return best;
}

double Seconds(int64_t ms) { return static_cast<double>(ms) / 1000; }

// Runs `fn(points)` and appends its value when the window has samples.
template <typename Fn>
absl::Status Aggregate(std::span<const FunctionArg> args, FunctionContext& ctx, Vector* out,
                       Fn fn) {
  const std::span<const FPoint> points = args[0].points;
  if (!points.empty()) AppendFloat(ctx, fn(points), out);
  return absl::OkStatus();
}

}  // namespace

absl::Status AvgOverTime(std::span<const FunctionArg> args, FunctionContext& ctx, Vector* out) {
  return Aggregate(args, ctx, out, Mean);
}

absl::Status SumOverTime(std::span<const FunctionArg> args, FunctionContext& ctx, Vector* out) {
  return Aggregate(args, ctx, out, [](std::span<const FPoint> points) {
    double sum = 0, c = 0;
    for (const FPoint& p : points) KahanInc(p.f, &sum, &c);
    return std::isinf(sum) ? sum : sum + c;
  });
}

absl::Status CountOverTime(std::span<const FunctionArg> args, FunctionContext& ctx, Vector* out) {
  return Aggregate(args, ctx, out, [](std::span<const FPoint> points) {
    return static_cast<double>(points.size());
  });
}

absl::Status MinOverTime(std::span<const FunctionArg> args, FunctionContext& ctx, Vector* out) {
  return Aggregate(args, ctx, out, ExtremeValue</*kMax=*/false>);
}

absl::Status MaxOverTime(std::span<const FunctionArg> args, FunctionContext& ctx, Vector* out) {
  return Aggregate(args, ctx, out, ExtremeValue</*kMax=*/true>);
}

absl::Status TsOfMinOverTime(std::span<const FunctionArg> args, FunctionContext& ctx, Vector* out) {
  // <= rather than <: the last of equal minima, as Prometheus.
  return Aggregate(args, ctx, out, [](std::span<const FPoint> points) {
    return Seconds(Select(points, [](double cur, double best) { return cur <= best; }).t);
  });
}

absl::Status TsOfMaxOverTime(std::span<const FunctionArg> args, FunctionContext& ctx, Vector* out) {
  return Aggregate(args, ctx, out, [](std::span<const FPoint> points) {
    return Seconds(Select(points, [](double cur, double best) { return cur >= best; }).t);
  });
}

absl::Status StdvarOverTime(std::span<const FunctionArg> args, FunctionContext& ctx, Vector* out) {
  return Aggregate(args, ctx, out, Variance);
}

absl::Status StddevOverTime(std::span<const FunctionArg> args, FunctionContext& ctx, Vector* out) {
  return Aggregate(args, ctx, out,
                   [](std::span<const FPoint> points) { return std::sqrt(Variance(points)); });
}

absl::Status LastOverTime(std::span<const FunctionArg> args, FunctionContext& ctx, Vector* out) {
  return Aggregate(args, ctx, out, [](std::span<const FPoint> points) { return points.back().f; });
}

absl::Status FirstOverTime(std::span<const FunctionArg> args, FunctionContext& ctx, Vector* out) {
  return Aggregate(args, ctx, out, [](std::span<const FPoint> points) { return points[0].f; });
}

absl::Status TsOfLastOverTime(std::span<const FunctionArg> args, FunctionContext& ctx,
                              Vector* out) {
  return Aggregate(args, ctx, out,
                   [](std::span<const FPoint> points) { return Seconds(points.back().t); });
}

absl::Status TsOfFirstOverTime(std::span<const FunctionArg> args, FunctionContext& ctx,
                               Vector* out) {
  return Aggregate(args, ctx, out,
                   [](std::span<const FPoint> points) { return Seconds(points[0].t); });
}

absl::Status PresentOverTime(std::span<const FunctionArg> args, FunctionContext& ctx, Vector* out) {
  return Aggregate(args, ctx, out, [](std::span<const FPoint>) { return 1.0; });
}

absl::Status QuantileOverTime(std::span<const FunctionArg> args, FunctionContext& ctx,
                              Vector* out) {
  const double q = args[0].scalar;
  const std::span<const FPoint> points = args[1].points;
  if (points.empty()) return absl::OkStatus();
  if ((std::isnan(q) || q < 0 || q > 1) && ctx.annotations != nullptr) {
    ctx.annotations->AddWarning(WithPosition(
        "PromQL warning: quantile value should be between 0 and 1, got " + GoFormatG(q), ctx, 0));
  }
  std::vector<double>* values = ScratchValues();
  for (const FPoint& p : points) values->push_back(p.f);
  AppendFloat(ctx, Quantile(q, values), out);
  return absl::OkStatus();
}

absl::Status MadOverTime(std::span<const FunctionArg> args, FunctionContext& ctx, Vector* out) {
  const std::span<const FPoint> points = args[0].points;
  if (points.empty()) return absl::OkStatus();
  std::vector<double>* values = ScratchValues();
  for (const FPoint& p : points) {
    // A NaN makes the median, and so the deviation, undefined (Prometheus
    // 3.14; older versions sorted it first and went on).
    if (std::isnan(p.f)) {
      AppendFloat(ctx, p.f, out);
      return absl::OkStatus();
    }
    values->push_back(p.f);
  }
  const double median = Quantile(0.5, values);
  // The deviations in the samples' order; Quantile sorts them anyway.
  for (size_t i = 0; i < points.size(); ++i) (*values)[i] = std::fabs(points[i].f - median);
  AppendFloat(ctx, Quantile(0.5, values), out);
  return absl::OkStatus();
}

}  // namespace strata::promql::range_internal
