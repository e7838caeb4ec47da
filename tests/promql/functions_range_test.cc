// Range-vector functions (rate, irate, deriv, *_over_time, …) called
// directly on hand-built windows, with the values, annotations and errors of
// Prometheus 3. Most cases replay a case of the conformance scripts in
// ../shared/promqltest (cited as file:line): the series is "loaded" as the
// script does and the window (t - range, t] is cut from it as the evaluator
// would.
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "promql/ast.h"
#include "promql/function_impls.h"
#include "promql/parser.h"
#include "promql/value.h"
#include "tsdb/labels/labels.h"

namespace strata::promql {
namespace {

constexpr int64_t kSec = 1000;
constexpr int64_t kMin = 60 * kSec;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// The points of a `load <interval>` line: value i at i * interval; NaN
// entries of `gaps` mark `_` (no sample).
std::vector<FPoint> Load(int64_t interval, const std::vector<double>& values,
                         const std::vector<size_t>& gaps = {}) {
  std::vector<FPoint> points;
  for (size_t i = 0; i < values.size(); ++i) {
    bool gap = false;
    for (size_t g : gaps) gap = gap || g == i;
    if (!gap) points.push_back({static_cast<int64_t>(i) * interval, values[i]});
  }
  return points;
}

// `start+stepxN` of the test scripts: N+1 values.
std::vector<double> Seq(double start, double step, int n) {
  std::vector<double> v;
  for (int i = 0; i <= n; ++i) v.push_back(start + step * i);
  return v;
}

std::vector<double> Concat(std::vector<double> a, const std::vector<double>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

const FunctionImpl& Impl(std::string_view name) {
  for (const FunctionImpl& f : RangeFunctionImpls()) {
    if (f.name == name) return f;
  }
  ADD_FAILURE() << "no range function " << name;
  static const FunctionImpl kNone;
  return kNone;
}

struct Result {
  absl::Status status;
  Vector out;
  Annotations annotations;
};

struct Options {
  std::vector<double> scalars;  // the call's scalar arguments, in order
  Labels labels;                // the series' labels
  std::string query;            // the query text, for annotation positions
  int64_t ts = -1;              // the step time; default: the window end
};

FunctionArg ScalarArg(double v) {
  FunctionArg a;
  a.scalar = v;
  return a;
}

Options Scalars(std::vector<double> scalars) {
  Options o;
  o.scalars = std::move(scalars);
  return o;
}

Options WithQuery(Options o, std::string query) {
  o.query = std::move(query);
  return o;
}

Options AtStep(int64_t ts) {
  Options o;
  o.ts = ts;
  return o;
}

// Calls `name` at window end `end` over `range` ms of `series`, as the
// evaluator does for one (series, step).
Result Eval(std::string_view name, const std::vector<FPoint>& series, int64_t end, int64_t range,
            const Options& opt = {}) {
  std::vector<FPoint> window;
  for (const FPoint& p : series) {
    if (p.t > end - range && p.t <= end) window.push_back(p);
  }
  FunctionArg range_arg;
  range_arg.points = window;
  range_arg.labels = &opt.labels;
  std::vector<FunctionArg> args;
  // quantile_over_time(q, range) takes its scalar first; the others after.
  if (name == "quantile_over_time") {
    args.push_back(ScalarArg(opt.scalars.at(0)));
    args.push_back(range_arg);
  } else {
    args.push_back(range_arg);
    for (double s : opt.scalars) args.push_back(ScalarArg(s));
  }
  Result r;
  std::unique_ptr<Expr> expr;
  FunctionContext ctx;
  ctx.ts = opt.ts >= 0 ? opt.ts : end;
  ctx.range_start = end - range;
  ctx.range_end = end;
  ctx.annotations = &r.annotations;
  if (!opt.query.empty()) {
    auto parsed = ParseExpr(opt.query);
    EXPECT_TRUE(parsed.ok()) << parsed.status();
    if (parsed.ok()) {
      expr = *std::move(parsed);
      ctx.call = expr->DynCast<Call>();
      ctx.query = opt.query;
    }
  }
  r.status = Impl(name).fn(args, ctx, &r.out);
  return r;
}

// The single output value; fails the test when there is none.
double Value(const Result& r) {
  EXPECT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.out.size(), 1u);
  return r.out.empty() ? kNaN : r.out[0].f;
}

// --- rate, increase, delta -------------------------------------------------

TEST(RangeRateTest, CounterResetsAddTheValueBeforeTheDrop) {
  // functions.test:120: 0 1 2 3 2 3 4 reads as 0 1 2 3 0(+2) 3 4 → 7.
  const auto s = Load(5 * kMin, {0, 1, 2, 3, 2, 3, 4});
  EXPECT_DOUBLE_EQ(Value(Eval("increase", s, 30 * kMin, 30 * kMin)), 7);
  // functions.test:135: a reset in the middle of the range.
  const auto m = Load(5 * kMin, Concat(Seq(0, 27, 4), Seq(0, 27, 5)));
  EXPECT_DOUBLE_EQ(Value(Eval("rate", m, 50 * kMin, 50 * kMin)), 0.08);
}

TEST(RangeRateTest, ExtrapolationStopsAtZeroForCounters) {
  // functions.test:109-113 (increase over 100m at 50m).
  const auto foo = Load(5 * kMin, Seq(0, 10, 10));
  const auto bar = Load(5 * kMin, Concat(Seq(0, 18, 5), Seq(0, 18, 5)));
  const auto dings = Load(5 * kMin, Seq(10, 10, 10));
  const auto bumms = Load(5 * kMin, Seq(1, 10, 10));
  EXPECT_DOUBLE_EQ(Value(Eval("increase", foo, 50 * kMin, 100 * kMin)), 100);
  EXPECT_DOUBLE_EQ(Value(Eval("increase", bar, 50 * kMin, 100 * kMin)), 162);
  EXPECT_DOUBLE_EQ(Value(Eval("increase", dings, 50 * kMin, 100 * kMin)), 105);
  EXPECT_DOUBLE_EQ(Value(Eval("increase", bumms, 50 * kMin, 100 * kMin)), 101);
  // Over exactly the sampled span nothing is extrapolated (functions.test:101).
  EXPECT_DOUBLE_EQ(Value(Eval("increase", bar, 50 * kMin, 50 * kMin)), 160);
}

TEST(RangeRateTest, ZeroCutoffUntilHalfAnInterval) {
  // functions.test:178-198: load 4m, rate over 20m at 10m and at 50m.
  const double want_at_10m[] = {0.5, 0.55, 0.6, 0.6, 0.6, 0.6};
  for (int start = 0; start < 6; ++start) {
    const auto s = Load(4 * kMin, Seq(60 * start, 240, 10));
    EXPECT_DOUBLE_EQ(Value(Eval("rate", s, 10 * kMin, 20 * kMin)), want_at_10m[start]) << start;
    EXPECT_DOUBLE_EQ(Value(Eval("rate", s, 50 * kMin, 20 * kMin)), 0.6) << start;
  }
}

TEST(RangeRateTest, PerSecondAndOffsetWindows) {
  // functions.test:163-170.
  const auto window = Load(5 * kMin, Seq(0, 80, 10));
  EXPECT_DOUBLE_EQ(Value(Eval("rate", window, 50 * kMin, 50 * kMin)), 0.26666666666666666);
  // `[10m] offset 5m` at 50m: the window ends at 45m.
  const auto a = Load(5 * kMin, Seq(0, 10, 10));
  EXPECT_DOUBLE_EQ(Value(Eval("rate", a, 45 * kMin, 10 * kMin, AtStep(50 * kMin))),
                   0.03333333333333333);
}

TEST(RangeRateTest, SubqueryWindowWithFractionalSecondsRange) {
  // subquery.test:119-124: the subquery's points [2@20 5@30 8@40 21@50 34@60
  // 89@70 144@80] over 1m500ms (extrapolated to the start) and 1m1s
  // (extrapolated to the zero point).
  const std::vector<FPoint> sub = {{20 * kSec, 2},  {30 * kSec, 5},  {40 * kSec, 8},
                                   {50 * kSec, 21}, {60 * kSec, 34}, {70 * kSec, 89},
                                   {80 * kSec, 144}};
  EXPECT_DOUBLE_EQ(Value(Eval("rate", sub, 80 * kSec, 60500)), 2.3666666666666667);
  EXPECT_DOUBLE_EQ(Value(Eval("rate", sub, 80 * kSec, 61 * kSec)), 2.360655737704918);
}

TEST(RangeRateTest, FewerThanTwoPointsGiveNothing) {
  // functions.test:143-147: the reset at the end leaves one point in 5m, and
  // 6m sees 90 → 0, a reset with zero increase.
  const auto s = Load(5 * kMin, Concat(Seq(0, 10, 9), {0, 10}));
  for (const char* fn : {"rate", "increase", "delta", "irate", "idelta", "deriv"}) {
    const Result r = Eval(fn, s, 50 * kMin, 5 * kMin);
    EXPECT_TRUE(r.status.ok());
    EXPECT_TRUE(r.out.empty()) << fn;
  }
  EXPECT_EQ(Value(Eval("rate", s, 50 * kMin, 6 * kMin)), 0);
}

TEST(RangeRateTest, DeltaExtrapolatesGaugesBothWays) {
  // functions.test:285-288.
  const auto foo = Load(5 * kMin, {0, 50, 100, 150, 200});
  const auto bar = Load(5 * kMin, {200, 150, 100, 50, 0});
  EXPECT_DOUBLE_EQ(Value(Eval("delta", foo, 20 * kMin, 20 * kMin)), 200);
  EXPECT_DOUBLE_EQ(Value(Eval("delta", bar, 20 * kMin, 20 * kMin)), -200);
  // Points at 100s and 160s in (0, 200s]: the start is 100s away, beyond
  // 1.1 intervals (66s), so only half an interval (30s) is added there; the
  // end is 40s away and extrapolated fully: factor (60 + 30 + 40) / 60.
  const std::vector<FPoint> g = {{100 * kSec, 10}, {160 * kSec, 16}};
  EXPECT_DOUBLE_EQ(Value(Eval("delta", g, 200 * kSec, 200 * kSec)), 13);
  // As a counter the zero point (100s before the first sample) is farther
  // than 30s, so the same.
  EXPECT_DOUBLE_EQ(Value(Eval("increase", g, 200 * kSec, 200 * kSec)), 13);
  // Starting at 1, the counter would be zero 10s before the first sample:
  // 6 * (60 + 10 + 40) / 60. A gauge goes on below zero.
  const std::vector<FPoint> low = {{100 * kSec, 1}, {160 * kSec, 7}};
  EXPECT_DOUBLE_EQ(Value(Eval("increase", low, 200 * kSec, 200 * kSec)), 11);
  EXPECT_DOUBLE_EQ(Value(Eval("delta", low, 200 * kSec, 200 * kSec)), 13);
  // A negative first value is never clamped.
  const std::vector<FPoint> neg = {{100 * kSec, -1}, {160 * kSec, 5}};
  EXPECT_DOUBLE_EQ(Value(Eval("increase", neg, 200 * kSec, 200 * kSec)), 13);
}

TEST(RangeRateTest, NaNAndInfPropagate) {
  // A NaN in the middle compares false both ways and drops out: 2 * 1.5 / 30.
  const std::vector<FPoint> mid = {{10 * kSec, 1}, {20 * kSec, kNaN}, {30 * kSec, 3}};
  EXPECT_DOUBLE_EQ(Value(Eval("rate", mid, 30 * kSec, 30 * kSec)), 0.1);
  const std::vector<FPoint> last = {{10 * kSec, 1}, {20 * kSec, 2}, {30 * kSec, kNaN}};
  EXPECT_TRUE(std::isnan(Value(Eval("rate", last, 30 * kSec, 30 * kSec))));
  const std::vector<FPoint> inf = {{10 * kSec, 1}, {20 * kSec, kInf}};
  EXPECT_EQ(Value(Eval("delta", inf, 20 * kSec, 20 * kSec)), kInf);
}

TEST(RangeRateTest, NotACounterInfoForRateAndIncrease) {
  const auto s = Load(5 * kMin, Seq(0, 10, 10));
  Options opt;
  opt.labels = Labels::FromStrings({"__name__", "foo", "job", "a"});
  opt.query = "rate(foo[50m])";
  const Result r = Eval("rate", s, 50 * kMin, 50 * kMin, opt);
  ASSERT_EQ(r.annotations.infos().size(), 1u);
  EXPECT_EQ(r.annotations.infos()[0],
            "PromQL info: metric might not be a counter, name does not end in "
            "_total/_sum/_count/_bucket: \"foo\" (1:6)");
  EXPECT_TRUE(r.annotations.warnings().empty());
  opt.query = "increase(foo[50m])";
  EXPECT_EQ(Eval("increase", s, 50 * kMin, 50 * kMin, opt).annotations.infos().size(), 1u);

  // Counter-like names, unnamed series, other functions, and windows that
  // produce no sample give no info.
  for (const char* name : {"x_total", "x_sum", "x_count", "x_bucket"}) {
    opt.labels = Labels::FromStrings({"__name__", name});
    EXPECT_TRUE(Eval("rate", s, 50 * kMin, 50 * kMin, opt).annotations.empty()) << name;
  }
  opt.labels = Labels::FromStrings({"job", "a"});
  EXPECT_TRUE(Eval("rate", s, 50 * kMin, 50 * kMin, opt).annotations.empty());
  opt.labels = Labels::FromStrings({"__name__", "foo"});
  opt.query = "delta(foo[50m])";
  EXPECT_TRUE(Eval("delta", s, 50 * kMin, 50 * kMin, opt).annotations.empty());
  opt.query = "irate(foo[50m])";
  EXPECT_TRUE(Eval("irate", s, 50 * kMin, 50 * kMin, opt).annotations.empty());
  opt.query = "rate(foo[5m])";
  const Result one = Eval("rate", s, 50 * kMin, 5 * kMin, opt);
  EXPECT_TRUE(one.out.empty());
  EXPECT_TRUE(one.annotations.empty());
}

// --- irate, idelta -------------------------------------------------------

TEST(RangeInstantTest, IrateUsesTheLastTwoPoints) {
  // functions.test:232-242.
  const auto foo = Load(5 * kMin, Seq(0, 10, 10));
  const auto bar = Load(5 * kMin, Concat(Seq(0, 10, 5), Seq(0, 10, 5)));
  EXPECT_DOUBLE_EQ(Value(Eval("irate", foo, 50 * kMin, 50 * kMin)), 0.03333333333333333);
  EXPECT_DOUBLE_EQ(Value(Eval("irate", bar, 50 * kMin, 50 * kMin)), 0.03333333333333333);
  // At 30m bar has just reset to 0: the increase is the new value, 0.
  EXPECT_DOUBLE_EQ(Value(Eval("irate", bar, 30 * kMin, 50 * kMin)), 0);
  // A reset to a positive value counts that value: 50 → 20 in 10s = 2/s.
  const std::vector<FPoint> reset = {{0, 50}, {10 * kSec, 20}};
  EXPECT_DOUBLE_EQ(Value(Eval("irate", reset, 10 * kSec, 20 * kSec)), 2);
  EXPECT_DOUBLE_EQ(Value(Eval("idelta", reset, 10 * kSec, 20 * kSec)), -30);
}

TEST(RangeInstantTest, NaNSteps) {
  // functions.test:244 and :318: 1 NaN NaN 5 11 over 15m1s, range 0..20m.
  const auto s = Load(5 * kMin, {1, kNaN, kNaN, 5, 11});
  const int64_t range = 15 * kMin + kSec;
  EXPECT_TRUE(Eval("irate", s, 0, range).out.empty());
  for (int64_t t : {5 * kMin, 10 * kMin, 15 * kMin}) {
    EXPECT_TRUE(std::isnan(Value(Eval("irate", s, t, range)))) << t;
    EXPECT_TRUE(std::isnan(Value(Eval("idelta", s, t, range)))) << t;
  }
  EXPECT_DOUBLE_EQ(Value(Eval("irate", s, 20 * kMin, range)), 0.02);
  EXPECT_DOUBLE_EQ(Value(Eval("idelta", s, 20 * kMin, range)), 6);
}

TEST(RangeInstantTest, IdeltaIsTheLastDifference) {
  // functions.test:313-316.
  EXPECT_EQ(Value(Eval("idelta", Load(5 * kMin, {0, 50, 100, 150}), 20 * kMin, 20 * kMin)), 50);
  EXPECT_EQ(Value(Eval("idelta", Load(5 * kMin, {0, 50, 100, 50}), 20 * kMin, 20 * kMin)), -50);
}

// --- deriv, predict_linear ----------------------------------------------

TEST(RangeRegressionTest, DerivAndPredictLinear) {
  // functions.test:359-434.
  const auto reset_middle = Load(5 * kMin, Concat(Seq(0, 10, 4), Seq(0, 10, 5)));
  const auto requests = Load(5 * kMin, Seq(0, 80, 10));
  EXPECT_DOUBLE_EQ(Value(Eval("deriv", requests, 50 * kMin, 50 * kMin)), 0.26666666666666666);
  EXPECT_DOUBLE_EQ(Value(Eval("deriv", reset_middle, 50 * kMin, 100 * kMin)), 0.010606060606060607);
  const Options hour = Scalars({3600});
  EXPECT_DOUBLE_EQ(Value(Eval("predict_linear", reset_middle, 50 * kMin, 50 * kMin, hour)), 70);
  // `[55m] @ 3000`: the window ends at 3000s but the intercept is taken at
  // the step time.
  Options at = hour;
  at.ts = 50 * kMin;
  EXPECT_DOUBLE_EQ(Value(Eval("predict_linear", reset_middle, 3000 * kSec, 55 * kMin, at)),
                   76.81818181818181);
  at.ts = 10 * kMin;
  EXPECT_DOUBLE_EQ(Value(Eval("predict_linear", reset_middle, 3000 * kSec, 55 * kMin, at)),
                   51.36363636363637);
  at.ts = 70 * kMin;
  EXPECT_DOUBLE_EQ(Value(Eval("predict_linear", reset_middle, 3000 * kSec, 55 * kMin, at)),
                   89.54545454545455);
}

TEST(RangeRegressionTest, InfiniteAndConstantSeries) {
  // functions.test:392 and :429: -Inf 0+80x10 Inf gives NaN.
  const auto inf = Load(5 * kMin, Concat(Concat({-kInf}, Seq(0, 80, 10)), {kInf}));
  EXPECT_TRUE(std::isnan(Value(Eval("deriv", inf, 100 * kMin, 100 * kMin))));
  EXPECT_TRUE(
      std::isnan(Value(Eval("predict_linear", inf, 100 * kMin, 100 * kMin, Scalars({6000})))));
  // A constant series has slope exactly 0 and predicts its value; a constant
  // infinite one gives NaN.
  const auto flat = Load(10 * kSec, {1.5990505637277868, 1.5990505637277868, 1.5990505637277868});
  EXPECT_EQ(Value(Eval("deriv", flat, 30 * kSec, kMin)), 0);
  EXPECT_EQ(Value(Eval("predict_linear", flat, 30 * kSec, kMin, Scalars({100}))),
            1.5990505637277868);
  const auto inf_flat = Load(10 * kSec, {kInf, kInf});
  EXPECT_TRUE(std::isnan(Value(Eval("deriv", inf_flat, 10 * kSec, kMin))));
}

// --- double_exponential_smoothing ------------------------------------------

TEST(RangeSmoothingTest, FollowsTheTrend) {
  // functions.test:898 (load 10s; 0+10x1000 etc. at 8000s over 1m).
  const struct {
    double step;
    double want;
  } cases[] = {{10, 8000}, {20, 16000}, {30, 24000}, {40, 32000}, {-20, -16000}};
  for (const auto& c : cases) {
    const auto s = Load(10 * kSec, Seq(0, c.step, 1000));
    const double got =
        Value(Eval("double_exponential_smoothing", s, 8000 * kSec, kMin, Scalars({0.01, 0.1})));
    EXPECT_NEAR(got, c.want, 1e-9 * std::fabs(c.want)) << c.step;
  }
  // Two points: s1 = sf*x1 + (1-sf)*(x0 + (x1-x0)) = x1.
  const std::vector<FPoint> two = {{0, 1}, {10 * kSec, 3}};
  EXPECT_DOUBLE_EQ(
      Value(Eval("double_exponential_smoothing", two, 10 * kSec, kMin, Scalars({0.5, 0.5}))), 3);
  // Three points 1 3 4, sf=tf=0.5: b=2; i=1: s1=0.5*3+0.5*(1+2)=3; i=2:
  // b=0.5*(3-1)+0.5*2=2, s1=0.5*4+0.5*(3+2)=4.5.
  const std::vector<FPoint> three = {{0, 1}, {10 * kSec, 3}, {20 * kSec, 4}};
  EXPECT_DOUBLE_EQ(
      Value(Eval("double_exponential_smoothing", three, 20 * kSec, kMin, Scalars({0.5, 0.5}))),
      4.5);
  const std::vector<FPoint> one = {{0, 1}};
  EXPECT_TRUE(Eval("double_exponential_smoothing", one, 0, kMin, Scalars({0.5, 0.5})).out.empty());
}

TEST(RangeSmoothingTest, InvalidFactorsFail) {
  const std::vector<FPoint> one = {{0, 1}};
  const struct {
    double sf, tf;
    const char* msg;
  } cases[] = {
      {0, 0.5, "invalid smoothing factor. Expected: 0 < sf < 1, got: 0.000000"},
      {1, 0.5, "invalid smoothing factor. Expected: 0 < sf < 1, got: 1.000000"},
      {-2.5, 0.5, "invalid smoothing factor. Expected: 0 < sf < 1, got: -2.500000"},
      {kInf, 0.5, "invalid smoothing factor. Expected: 0 < sf < 1, got: +Inf"},
      {0.5, 1, "invalid trend factor. Expected: 0 < tf < 1, got: 1.000000"},
      {0.5, -kInf, "invalid trend factor. Expected: 0 < tf < 1, got: -Inf"},
      {0, 0, "invalid smoothing factor. Expected: 0 < sf < 1, got: 0.000000"},
  };
  for (const auto& c : cases) {
    // Checked even when the window is too short to smooth, as Prometheus.
    const Result r = Eval("double_exponential_smoothing", one, 0, kMin, Scalars({c.sf, c.tf}));
    EXPECT_EQ(r.status.code(), absl::StatusCode::kFailedPrecondition) << c.msg;
    EXPECT_EQ(r.status.message(), c.msg);
    EXPECT_TRUE(r.out.empty());
  }
  // NaN compares false both ways and is not rejected.
  const std::vector<FPoint> two = {{0, 1}, {10 * kSec, 3}};
  const Result r = Eval("double_exponential_smoothing", two, 10 * kSec, kMin, Scalars({kNaN, 0.5}));
  EXPECT_TRUE(std::isnan(Value(r)));
}

// --- changes, resets -----------------------------------------------------

TEST(RangeChangesTest, ChangesAndResets) {
  // functions.test:2-88.
  const auto foo = Load(5 * kMin, {1, 2, 3, 0, 1, 0, 0, 1, 2, 0});
  const auto bar = Load(5 * kMin, {1, 2, 3, 4, 5, 1, 2, 3, 4, 5});
  const auto biz = Load(5 * kMin, {0, 0, 0, 0, 0, 1, 1, 1, 1, 1});
  EXPECT_EQ(Value(Eval("resets", foo, 50 * kMin, 50 * kMin)), 3);
  EXPECT_EQ(Value(Eval("resets", bar, 50 * kMin, 50 * kMin)), 1);
  EXPECT_EQ(Value(Eval("resets", foo, 50 * kMin, 20 * kMin)), 1);
  EXPECT_EQ(Value(Eval("resets", foo, 50 * kMin, 32 * kMin)), 2);
  EXPECT_EQ(Value(Eval("changes", foo, 50 * kMin, 50 * kMin)), 7);
  EXPECT_EQ(Value(Eval("changes", bar, 50 * kMin, 50 * kMin)), 8);
  EXPECT_EQ(Value(Eval("changes", biz, 50 * kMin, 50 * kMin)), 1);
  EXPECT_EQ(Value(Eval("changes", foo, 50 * kMin, 30 * kMin)), 3);
  // One point: zero, not nothing (functions.test:13, :58).
  EXPECT_EQ(Value(Eval("resets", foo, 50 * kMin, 10 * kMin)), 0);
  EXPECT_EQ(Value(Eval("changes", foo, 50 * kMin, 6 * kMin)), 0);
}

TEST(RangeChangesTest, NaN) {
  // functions.test:99-105: NaN to NaN is no change, NaN to a number is.
  EXPECT_EQ(Value(Eval("changes", Load(5 * kMin, {kNaN, kNaN, kNaN}), 15 * kMin, 20 * kMin)), 0);
  EXPECT_EQ(Value(Eval("changes", Load(5 * kMin, {0, kNaN, 0}), 15 * kMin, 20 * kMin)), 2);
  EXPECT_EQ(Value(Eval("resets", Load(5 * kMin, {3, kNaN, 1}), 15 * kMin, 20 * kMin)), 0);
}

// --- *_over_time -----------------------------------------------------------

TEST(RangeOverTimeTest, AvgOverTimeInfAndNaN) {
  // functions.test:954-1058, load 10s, evaluated at 55s over 1m.
  const struct {
    std::vector<double> values;
    double want;
  } cases[] = {
      {{1, 2, 3, 4, 5}, 3},
      {{1, 2, 3, 4, kInf}, kInf},
      {{1, 2, 3, 4, -kInf}, -kInf},
      {{1, 2, 3, kInf, -kInf}, kNaN},
      {{kInf, 0, kInf}, kInf},
      {{kInf, kInf, kInf, -kInf}, kNaN},
      {{1, 2, 3, -kInf, -kInf}, -kInf},
      {{-kInf, 0, -kInf}, -kInf},
      {{1, 2, -kInf, -kInf, kInf}, kNaN},
      {{9.988465674311579e+307, 9.988465674311579e+307}, 9.988465674311579e+307},
      {{-9.988465674311579e+307, -9.988465674311579e+307, -9.988465674311579e+307},
       -9.988465674311579e+307},
      {{-9.988465674311579e+307, 9.988465674311579e+307}, 0},
      {{1, 2, 3, kNaN, kNaN}, kNaN},
  };
  for (const auto& c : cases) {
    const double got = Value(Eval("avg_over_time", Load(10 * kSec, c.values), 55 * kSec, kMin));
    if (std::isnan(c.want)) {
      EXPECT_TRUE(std::isnan(got)) << got;
    } else {
      EXPECT_DOUBLE_EQ(got, c.want);
    }
  }
  // No sample in (45s, 55s] is no call in the evaluator; one sample is itself.
  EXPECT_TRUE(
      Eval("avg_over_time", Load(10 * kSec, {1, 2, 3, 4, 5}), 55 * kSec, 10 * kSec).out.empty());
  EXPECT_EQ(Value(Eval("avg_over_time", Load(10 * kSec, {1, 2, 3, 4, 5}), 55 * kSec, 20 * kSec)),
            5);
}

TEST(RangeOverTimeTest, AvgOverTimeAccuracy) {
  // functions.test:1084-1148 (load 10s / 5s).
  EXPECT_EQ(Value(Eval("sum_over_time", Load(10 * kSec, {1, 1e100, 1, -1e100}), kMin, 2 * kMin)),
            2);
  EXPECT_EQ(Value(Eval("avg_over_time", Load(10 * kSec, {1, 1e100, 1, -1e100}), kMin, 2 * kMin)),
            0.5);
  const struct {
    std::vector<double> values;
    double want;
  } cases[] = {
      {{1e10, 1e-6, 1e-6, 1e-6, 1e-6, 1e-6}, 1.6666666666666675e+09},
      {{5.30921651659898, 0.961118537914768, 1.62091361305318, 0.865089463758091, 0.323055185914577,
        0.951811357687154},
       1.67186744582113},
      {{1.78264e50, 0.76342771, 1.9592258, 7.69805412, 458.90154}, 3.56528E+49},
      {{1.78264E+50, 0.76342771, 1.9592258, 2.258E+220, 7.69805412, 458.90154},
       3.76333333333333E+219},
      {{-1.78264E+215, 0.76342771, 1.9592258, 2.258E+220, 7.69805412, -458.90154},
       3.76330362266667E+219},
      {{-1.78264E+215, 0.76342771, 1.9592258, 2.258E+220, 7.69805412, 1.78264E+215, -458.90154},
       3.225714285714286e+219},
      {{-1.78264E+219, 0.76342771, 1.9592258, 2.3757689E+217, -2.3757689E+217, 2.258E+220,
        7.69805412, 1.78264E+219, -458.90154},
       2.5088888888888888e+219},
      // Kahan summation cannot recover this one; Prometheus gives 0 too.
      {{-2.258E+220, -1.78264E+219, 0.76342771, 1.9592258, 2.3757689E+217, -2.3757689E+217,
        2.258E+220, 7.69805412, 1.78264E+219, -458.90154},
       0},
  };
  for (const auto& c : cases) {
    const double got = Value(Eval("avg_over_time", Load(5 * kSec, c.values), 55 * kSec, kMin));
    // The scripts' tolerance is relative 1e-6 for the values printed with
    // 15 digits; the others must match to the last bits.
    EXPECT_NEAR(got, c.want, std::fabs(c.want) * 1e-12) << c.want;
  }
  // functions.test:1180: exactly 52, not 52 ± 1 ulp, for a constant series.
  const auto foo = Load(10 * kSec, Seq(52, 0, 100));
  for (int64_t range : {100 * kSec, 110 * kSec, 120 * kSec, 130 * kSec}) {
    EXPECT_EQ(Value(Eval("avg_over_time", foo, 10 * kMin, range)), 52) << range;
  }
}

TEST(RangeOverTimeTest, SumOverTimeDenseAndOverflow) {
  // functions.test:1197-1230: load 1ms, 1+0x4000.
  const auto dense = Load(1, Seq(1, 0, 4000));
  for (int64_t range : {1000, 1001, 2003, 3003}) {
    EXPECT_EQ(Value(Eval("sum_over_time", dense, 4 * kSec, range)), range);
    EXPECT_EQ(Value(Eval("count_over_time", dense, 4 * kSec, range)), range);
  }
  // functions.test:1031: the sum overflows to +Inf (the average does not).
  const auto big = Load(10 * kSec, {9.988465674311579e+307, 9.988465674311579e+307});
  EXPECT_EQ(Value(Eval("sum_over_time", big, 55 * kSec, kMin)), kInf);
  // range_queries.test:32 (load 15s; 5 17 42 2 7 905 51) at 30s over 30s.
  EXPECT_EQ(Value(Eval("sum_over_time", Load(15 * kSec, {5, 17, 42, 2, 7, 905, 51}), 30 * kSec,
                       30 * kSec)),
            59);
}

TEST(RangeOverTimeTest, MinMaxSkipNaN) {
  // functions.test:1585-1622: load 10s, at 1m over 2m.
  const struct {
    std::vector<double> values;
    double min, max;
  } cases[] = {
      {{2, 0, 3}, 0, 3},
      {{2, 0, kNaN}, 0, 2},
      {{2, kNaN, 1}, 1, 2},
      {{kNaN, 0, 1}, 0, 1},
  };
  for (const auto& c : cases) {
    const auto s = Load(10 * kSec, c.values);
    EXPECT_EQ(Value(Eval("min_over_time", s, kMin, 2 * kMin)), c.min);
    EXPECT_EQ(Value(Eval("max_over_time", s, kMin, 2 * kMin)), c.max);
  }
  const auto nan = Load(10 * kSec, {kNaN, kNaN, kNaN});
  EXPECT_TRUE(std::isnan(Value(Eval("min_over_time", nan, kMin, 2 * kMin))));
  EXPECT_TRUE(std::isnan(Value(Eval("max_over_time", nan, kMin, 2 * kMin))));
  // data_sparse: _ 5 2 _ 4 _.
  const auto sparse = Load(10 * kSec, {0, 5, 2, 0, 4}, {0, 3});
  EXPECT_EQ(Value(Eval("min_over_time", sparse, kMin, 2 * kMin)), 2);
  EXPECT_EQ(Value(Eval("max_over_time", sparse, kMin, 2 * kMin)), 5);
  EXPECT_EQ(Value(Eval("count_over_time", sparse, kMin, 2 * kMin)), 3);
  // Of equal extremes (0 and -0) the first wins, as in Prometheus's
  // compareOverTime; NaN anywhere is passed over.
  for (const auto& [values, negative] : {std::pair{std::vector<double>{0.0, -0.0, kNaN}, false},
                                         std::pair{std::vector<double>{kNaN, -0.0, 0.0}, true}}) {
    const auto zeros = Load(10 * kSec, values);
    EXPECT_EQ(std::signbit(Value(Eval("max_over_time", zeros, kMin, 2 * kMin))), negative);
    EXPECT_EQ(std::signbit(Value(Eval("min_over_time", zeros, kMin, 2 * kMin))), negative);
  }
}

TEST(RangeOverTimeTest, FirstLastAndTheirNames) {
  // functions.test:1625-1647.
  const auto some_nan = Load(10 * kSec, {2, 0, kNaN});
  EXPECT_EQ(Value(Eval("first_over_time", some_nan, kMin, 2 * kMin)), 2);
  EXPECT_TRUE(std::isnan(Value(Eval("last_over_time", some_nan, kMin, 2 * kMin))));
  const auto sparse = Load(10 * kSec, {0, 5, 2, 0, 4}, {0, 3});
  EXPECT_EQ(Value(Eval("first_over_time", sparse, kMin, 2 * kMin)), 5);
  EXPECT_EQ(Value(Eval("last_over_time", sparse, kMin, 2 * kMin)), 4);
  // name_label_dropping.test:42-51: only these two keep __name__.
  for (const FunctionImpl& f : RangeFunctionImpls()) {
    const bool keeps = f.name == "last_over_time" || f.name == "first_over_time";
    EXPECT_EQ(f.keeps_name, keeps) << f.name;
  }
}

TEST(RangeOverTimeTest, TimestampsOfFirstLastMinMax) {
  // functions.test:1319-1362: load 10s53ms.
  const int64_t step = 10 * kSec + 53;
  const auto s = Load(step, {1, 2, 3, 0, 5, 6, 2, 1, 4});
  EXPECT_DOUBLE_EQ(Value(Eval("ts_of_min_over_time", s, 90 * kSec, 90 * kSec)), 30.159);
  EXPECT_DOUBLE_EQ(Value(Eval("ts_of_max_over_time", s, 90 * kSec, 90 * kSec)), 50.265);
  const auto last = Load(step, {1, 2, 3});
  EXPECT_DOUBLE_EQ(Value(Eval("ts_of_last_over_time", last, 95 * kSec, 90 * kSec)), 20.106);
  const auto first = Load(step, {0, 0, 1, 2, 3}, {0, 1});
  EXPECT_DOUBLE_EQ(Value(Eval("ts_of_first_over_time", first, 90 * kSec, 90 * kSec)), 20.106);
  // Ties: ts_of_max/min take the last of equal extremes; min/max the value.
  const std::vector<FPoint> ties = {{1000, 1}, {2000, 7}, {3000, 7}, {4000, 1}};
  EXPECT_EQ(Value(Eval("ts_of_max_over_time", ties, 4000, 4000)), 3);
  EXPECT_EQ(Value(Eval("ts_of_min_over_time", ties, 4000, 4000)), 4);
  // A leading NaN is replaced by the next value.
  const std::vector<FPoint> nan = {{1000, kNaN}, {2000, 3}, {3000, 2}};
  EXPECT_EQ(Value(Eval("ts_of_max_over_time", nan, 3000, 3000)), 2);
  EXPECT_EQ(Value(Eval("ts_of_min_over_time", nan, 3000, 3000)), 3);
}

TEST(RangeOverTimeTest, StddevStdvar) {
  // functions.test:1240-1275.
  const auto s = Load(10 * kSec, {0, 8, 8, 2, 3});
  EXPECT_DOUBLE_EQ(Value(Eval("stdvar_over_time", s, kMin, 2 * kMin)), 10.56);
  EXPECT_NEAR(Value(Eval("stddev_over_time", s, kMin, 2 * kMin)), 3.249615, 1e-6);
  // Issue 4927: identical values give exactly 0.
  const auto same = Load(10 * kSec, {1.5990505637277868, 1.5990505637277868, 1.5990505637277868});
  EXPECT_EQ(Value(Eval("stdvar_over_time", same, 55 * kSec, kMin)), 0);
  EXPECT_EQ(Value(Eval("stddev_over_time", same, 55 * kSec, kMin)), 0);
}

TEST(RangeOverTimeTest, MadOverTime) {
  // functions.test:1276-1309.
  EXPECT_EQ(
      Value(Eval("mad_over_time", Load(10 * kSec, {4, 6, 2, 1, 999, 1, 2}), 70 * kSec, 70 * kSec)),
      1);
  EXPECT_EQ(Value(Eval("mad_over_time", Load(10 * kSec, {1, 2, 3, 4, 5}), 40 * kSec, 50 * kSec)),
            1);
  EXPECT_EQ(Value(Eval("mad_over_time", Load(10 * kSec, {7, 7, 7, 7, 7}), 40 * kSec, 50 * kSec)),
            0);
  EXPECT_EQ(Value(Eval("mad_over_time", Load(10 * kSec, {5}), 0, 10 * kSec)), 0);
  EXPECT_TRUE(std::isnan(
      Value(Eval("mad_over_time", Load(10 * kSec, {1, 2, kNaN, 4}), 30 * kSec, 40 * kSec))));
}

TEST(RangeOverTimeTest, QuantileOverTime) {
  // functions.test:1373-1435: load 10s, at 1m over 2m.
  const auto two = Load(10 * kSec, {0, 1});
  const auto three = Load(10 * kSec, {0, 1, 2});
  const auto uneven = Load(10 * kSec, {0, 1, 4});
  const struct {
    double q, two, three, uneven;
  } cases[] = {
      {0, 0, 0, 0}, {0.5, 0.5, 1, 1},          {0.75, 0.75, 1.5, 2.5}, {0.8, 0.8, 1.6, 2.8},
      {1, 1, 2, 4}, {-1, -kInf, -kInf, -kInf}, {2, kInf, kInf, kInf},
  };
  for (const auto& c : cases) {
    const Options opt = Scalars({c.q});
    const Result r2 = Eval("quantile_over_time", two, kMin, 2 * kMin, opt);
    EXPECT_DOUBLE_EQ(Value(r2), c.two) << c.q;
    EXPECT_DOUBLE_EQ(Value(Eval("quantile_over_time", three, kMin, 2 * kMin, opt)), c.three);
    EXPECT_DOUBLE_EQ(Value(Eval("quantile_over_time", uneven, kMin, 2 * kMin, opt)), c.uneven);
    EXPECT_EQ(r2.annotations.warnings().size(), (c.q < 0 || c.q > 1) ? 1u : 0u) << c.q;
    EXPECT_TRUE(r2.annotations.infos().empty());
  }
  // NaN q: NaN result and the warning; NaN values sort first.
  const Result nan_q = Eval("quantile_over_time", three, kMin, 2 * kMin, Scalars({kNaN}));
  EXPECT_TRUE(std::isnan(Value(nan_q)));
  EXPECT_EQ(nan_q.annotations.warnings().size(), 1u);
  const auto with_nan = Load(10 * kSec, {3, kNaN, 1});
  EXPECT_TRUE(
      std::isnan(Value(Eval("quantile_over_time", with_nan, kMin, 2 * kMin, Scalars({0})))));
  EXPECT_EQ(Value(Eval("quantile_over_time", with_nan, kMin, 2 * kMin, Scalars({1}))), 3);
}

TEST(RangeOverTimeTest, QuantileWarningText) {
  const auto s = Load(10 * kSec, {0, 1, 2});
  const struct {
    double q;
    const char* got;
  } cases[] = {{2, "2"},       {-0.5, "-0.5"},    {1.0000001, "1.0000001"},
               {1e6, "1e+06"}, {-1e-5, "-1e-05"}, {123456, "123456"},
               {kNaN, "NaN"},  {kInf, "+Inf"},    {-kInf, "-Inf"}};
  for (const auto& c : cases) {
    const Result r = Eval("quantile_over_time", s, kMin, 2 * kMin,
                          WithQuery(Scalars({c.q}), "quantile_over_time(2, data[2m])"));
    ASSERT_EQ(r.annotations.warnings().size(), 1u) << c.got;
    EXPECT_EQ(r.annotations.warnings()[0],
              std::string("PromQL warning: quantile value should be between 0 and 1, got ") +
                  c.got + " (1:20)");
  }
}

TEST(RangeOverTimeTest, PresentAndCount) {
  // functions.test:1877 and staleness.test:24.
  const auto s = Load(kMin, Seq(1, 1, 10));
  EXPECT_EQ(Value(Eval("present_over_time", s, 5 * kMin, 5 * kMin)), 1);
  EXPECT_EQ(Value(Eval("count_over_time", s, 5 * kMin, 5 * kMin)), 5);
  EXPECT_EQ(Value(Eval("present_over_time", Load(kMin, {kNaN}), 0, 30 * kSec)), 1);
  EXPECT_TRUE(Eval("present_over_time", s, 16 * kMin, 5 * kMin).out.empty());
}

TEST(RangeOverTimeTest, SamplesCarryTheStepTime) {
  const auto s = Load(10 * kSec, {1, 2, 3});
  const Result r = Eval("sum_over_time", s, 20 * kSec, kMin, AtStep(25 * kSec));
  ASSERT_EQ(r.out.size(), 1u);
  EXPECT_EQ(r.out[0].t, 25 * kSec);
  EXPECT_EQ(r.out[0].f, 6);
}

}  // namespace
}  // namespace strata::promql
