// Range-vector functions about how a series moves inside its window, as
// Prometheus 3's functions.go computes them over float samples: rate,
// increase and delta (extrapolatedRate), irate and idelta (instantValue),
// deriv and predict_linear (linearRegression), double_exponential_smoothing,
// changes and resets.
#include <cmath>
#include <cstdio>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "promql/function_impls.h"
#include "promql/functions_range_internal.h"

namespace strata::promql::range_internal {
namespace {

// Prometheus's extrapolatedRate for float samples. The result covers the
// whole window (range_start, range_end]: the increase seen between the first
// and last sample is scaled up to the window boundaries, unless a boundary is
// further from its nearest sample than 1.1 average sample intervals (then the
// series is assumed to start or end there, and only half an interval is
// added), and a counter is never extrapolated below zero.
void ExtrapolatedRate(std::span<const FPoint> points, const FunctionContext& ctx, bool is_counter,
                      bool is_rate, Vector* out) {
  if (points.size() < 2) return;  // Prometheus gives nothing, without a warning
  const FPoint& first = points.front();
  const FPoint& last = points.back();
  double result = last.f - first.f;
  if (is_counter) {
    // A drop is a counter reset: the counter restarted from zero, so the
    // value before the drop was gained as well.
    for (size_t i = 1; i < points.size(); ++i) {
      if (points[i].f < points[i - 1].f) result += points[i - 1].f;
    }
  }
  double duration_to_start = static_cast<double>(first.t - ctx.range_start) / 1000;
  double duration_to_end = static_cast<double>(ctx.range_end - last.t) / 1000;
  const double sampled_interval = static_cast<double>(last.t - first.t) / 1000;
  const double average_interval = sampled_interval / static_cast<double>(points.size() - 1);
  const double threshold = average_interval * 1.1;
  if (duration_to_start >= threshold) duration_to_start = average_interval / 2;
  if (is_counter) {
    // Where the extrapolated line would cross zero, if that comes first.
    double duration_to_zero = duration_to_start;
    if (result > 0 && first.f >= 0) duration_to_zero = sampled_interval * (first.f / result);
    if (duration_to_zero < duration_to_start) duration_to_start = duration_to_zero;
  }
  if (duration_to_end >= threshold) duration_to_end = average_interval / 2;
  double factor = (sampled_interval + duration_to_start + duration_to_end) / sampled_interval;
  if (is_rate) factor /= static_cast<double>(ctx.range_end - ctx.range_start) / 1000;
  AppendFloat(ctx, result * factor, out);
}

// The engine's hint that rate() or increase() was applied to something that
// is not named like a counter. Prometheus adds it per series that produced at
// least one sample: checked at a series' first output sample, once.
void MaybeAddNotCounterInfo(const FunctionArg& range, FunctionContext& ctx) {
  if (range.labels == nullptr || ctx.annotations == nullptr) return;
  if (ctx.counter_name_checked_seq == ctx.series_seq) return;  // checked at an earlier step
  ctx.counter_name_checked_seq = ctx.series_seq;
  const std::string_view name = range.labels->Get("__name__");
  if (name.empty()) return;
  for (std::string_view suffix : {"_total", "_sum", "_count", "_bucket"}) {
    if (name.ends_with(suffix)) return;
  }
  std::string msg =
      "PromQL info: metric might not be a counter, name does not end in "
      "_total/_sum/_count/_bucket: \"";
  msg.append(name);
  msg.push_back('"');
  ctx.annotations->AddInfo(WithPosition(std::move(msg), ctx, 0));
}

absl::Status CounterRate(std::span<const FunctionArg> args, FunctionContext& ctx, bool is_rate,
                         Vector* out) {
  const size_t before = out->size();
  ExtrapolatedRate(args[0].points, ctx, /*is_counter=*/true, is_rate, out);
  if (out->size() > before) MaybeAddNotCounterInfo(args[0], ctx);
  return absl::OkStatus();
}

// Prometheus's instantValue: the last two samples of the window.
void InstantValue(std::span<const FPoint> points, const FunctionContext& ctx, bool is_rate,
                  Vector* out) {
  if (points.size() < 2) return;
  const FPoint& prev = points[points.size() - 2];
  const FPoint& last = points.back();
  const int64_t interval = last.t - prev.t;
  if (interval == 0) return;
  // After a counter reset the counter restarted from zero, so the last value
  // is the increase; a NaN compares false and gives NaN.
  double result = last.f;
  if (!is_rate || !(last.f < prev.f)) result = last.f - prev.f;
  if (is_rate) result /= static_cast<double>(interval) / 1000;
  AppendFloat(ctx, result, out);
}

struct Regression {
  double slope;
  double intercept;
};

// Prometheus's linearRegression: least squares over (seconds since
// intercept_time, value), with compensated sums; a constant series has slope
// 0 exactly (NaN when the constant is infinite).
Regression LinearRegression(std::span<const FPoint> points, int64_t intercept_time) {
  double n = 0;
  double sum_x = 0, c_x = 0, sum_y = 0, c_y = 0;
  double sum_xy = 0, c_xy = 0, sum_x2 = 0, c_x2 = 0;
  const double init_y = points[0].f;
  bool const_y = true;
  for (size_t i = 0; i < points.size(); ++i) {
    const FPoint& p = points[i];
    if (const_y && i > 0 && p.f != init_y) const_y = false;
    n += 1.0;
    const double x = static_cast<double>(p.t - intercept_time) / 1e3;
    KahanInc(x, &sum_x, &c_x);
    KahanInc(p.f, &sum_y, &c_y);
    KahanInc(x * p.f, &sum_xy, &c_xy);
    KahanInc(x * x, &sum_x2, &c_x2);
  }
  if (const_y) {
    if (std::isinf(init_y)) return {std::nan(""), std::nan("")};
    return {0, init_y};
  }
  sum_x += c_x;
  sum_y += c_y;
  sum_xy += c_xy;
  sum_x2 += c_x2;
  const double cov_xy = sum_xy - sum_x * sum_y / n;
  const double var_x = sum_x2 - sum_x * sum_x / n;
  const double slope = cov_xy / var_x;
  return {slope, sum_y / n - slope * sum_x / n};
}

// Go's "%f": six decimals, with Go's spelling of infinities.
std::string GoFormatF(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[400];  // enough for the largest finite double with six decimals
  std::snprintf(buf, sizeof(buf), "%f", v);
  return buf;
}

// Prometheus's calcTrendValue: the trend after step i.
double TrendValue(int i, double tf, double s0, double s1, double b) {
  if (i == 0) return b;
  return tf * (s1 - s0) + (1 - tf) * b;
}

}  // namespace

absl::Status Rate(std::span<const FunctionArg> args, FunctionContext& ctx, Vector* out) {
  return CounterRate(args, ctx, /*is_rate=*/true, out);
}

absl::Status Increase(std::span<const FunctionArg> args, FunctionContext& ctx, Vector* out) {
  return CounterRate(args, ctx, /*is_rate=*/false, out);
}

absl::Status Delta(std::span<const FunctionArg> args, FunctionContext& ctx, Vector* out) {
  ExtrapolatedRate(args[0].points, ctx, /*is_counter=*/false, /*is_rate=*/false, out);
  return absl::OkStatus();
}

absl::Status Irate(std::span<const FunctionArg> args, FunctionContext& ctx, Vector* out) {
  InstantValue(args[0].points, ctx, /*is_rate=*/true, out);
  return absl::OkStatus();
}

absl::Status Idelta(std::span<const FunctionArg> args, FunctionContext& ctx, Vector* out) {
  InstantValue(args[0].points, ctx, /*is_rate=*/false, out);
  return absl::OkStatus();
}

absl::Status Deriv(std::span<const FunctionArg> args, FunctionContext& ctx, Vector* out) {
  const std::span<const FPoint> points = args[0].points;
  if (points.size() < 2) return absl::OkStatus();
  // Relative to the first sample, to keep the x values small (Prometheus
  // issue 2674).
  AppendFloat(ctx, LinearRegression(points, points[0].t).slope, out);
  return absl::OkStatus();
}

absl::Status PredictLinear(std::span<const FunctionArg> args, FunctionContext& ctx, Vector* out) {
  const std::span<const FPoint> points = args[0].points;
  if (points.size() < 2) return absl::OkStatus();
  // The intercept is at the step time (not the window end), so with `@` the
  // prediction still moves with the evaluation time, as in Prometheus.
  const Regression r = LinearRegression(points, ctx.ts);
  AppendFloat(ctx, r.slope * args[1].scalar + r.intercept, out);
  return absl::OkStatus();
}

absl::Status DoubleExponentialSmoothing(std::span<const FunctionArg> args, FunctionContext& ctx,
                                        Vector* out) {
  const double sf = args[1].scalar;
  const double tf = args[2].scalar;
  // Checked before the sample count, and NaN passes, as in Prometheus.
  if (sf <= 0 || sf >= 1) {
    return absl::FailedPreconditionError(
        absl::StrCat("invalid smoothing factor. Expected: 0 < sf < 1, got: ", GoFormatF(sf)));
  }
  if (tf <= 0 || tf >= 1) {
    return absl::FailedPreconditionError(
        absl::StrCat("invalid trend factor. Expected: 0 < tf < 1, got: ", GoFormatF(tf)));
  }
  const std::span<const FPoint> points = args[0].points;
  if (points.size() < 2) return absl::OkStatus();
  double s0 = 0;
  double s1 = points[0].f;
  double b = points[1].f - points[0].f;
  for (size_t i = 1; i < points.size(); ++i) {
    const double x = sf * points[i].f;
    b = TrendValue(static_cast<int>(i) - 1, tf, s0, s1, b);
    const double y = (1 - sf) * (s1 + b);
    s0 = s1;
    s1 = x + y;
  }
  AppendFloat(ctx, s1, out);
  return absl::OkStatus();
}

absl::Status Changes(std::span<const FunctionArg> args, FunctionContext& ctx, Vector* out) {
  const std::span<const FPoint> points = args[0].points;
  if (points.empty()) return absl::OkStatus();
  int changes = 0;
  for (size_t i = 1; i < points.size(); ++i) {
    const double prev = points[i - 1].f, cur = points[i].f;
    // NaN to NaN is no change; NaN to a number (or back) is one.
    if (cur != prev && !(std::isnan(cur) && std::isnan(prev))) ++changes;
  }
  AppendFloat(ctx, changes, out);
  return absl::OkStatus();
}

absl::Status Resets(std::span<const FunctionArg> args, FunctionContext& ctx, Vector* out) {
  const std::span<const FPoint> points = args[0].points;
  if (points.empty()) return absl::OkStatus();
  int resets = 0;
  for (size_t i = 1; i < points.size(); ++i) {
    if (points[i].f < points[i - 1].f) ++resets;
  }
  AppendFloat(ctx, resets, out);
  return absl::OkStatus();
}

}  // namespace strata::promql::range_internal
