// Tests of histogram_quantile(s) and histogram_fraction over classic histograms
// (promql/functions_histogram.cc), with cases from Prometheus's
// histograms.test.
#include <cmath>
#include <iterator>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gtest/gtest.h"
#include "promql/function_impls.h"
#include "promql/functions.h"
#include "promql/parser.h"
#include "tests/promql/function_test_util.h"

namespace strata::promql {
namespace {

using ::strata::promql::testing::FindImpl;
using ::strata::promql::testing::kInf;
using ::strata::promql::testing::kNaN;
using ::strata::promql::testing::S;
using ::strata::promql::testing::ScalarArg;
using ::strata::promql::testing::VectorArg;

const FunctionImpl& Impl(std::string_view name) { return FindImpl(HistogramFunctionImpls(), name); }

// Runs the call `query` (parsed for annotation positions) with the given
// scalars and, last, the vector.
struct Result {
  Vector out;
  Annotations annotations;
};

Result Eval(std::string_view query, std::vector<double> scalars, const Vector& in) {
  auto expr = ParseExpr(query);
  EXPECT_TRUE(expr.ok()) << expr.status();
  const Call* call = static_cast<const Call*>(expr->get());
  Result r;
  std::vector<FunctionArg> args;
  for (double s : scalars) args.push_back(ScalarArg(s));
  args.push_back(VectorArg(&in));
  FunctionContext ctx;
  ctx.call = call;
  ctx.query = query;
  ctx.annotations = &r.annotations;
  EXPECT_TRUE(Impl(call->func->name).fn(args, ctx, &r.out).ok());
  return r;
}

// histograms.test "testhistogram3_bucket" at 50m: one histogram with only
// positive buckets, one whose lowest bucket is negative.
Vector TestHistogram() {
  const std::string_view n = "testhistogram3_bucket";
  return {S({"__name__", n, "le", "0", "start", "positive"}, 0),
          S({"__name__", n, "le", "0.1", "start", "positive"}, 50),
          S({"__name__", n, "le", ".2", "start", "positive"}, 70),
          S({"__name__", n, "le", "1e0", "start", "positive"}, 110),
          S({"__name__", n, "le", "+Inf", "start", "positive"}, 110),
          S({"__name__", n, "le", "-.25", "start", "negative"}, 0),
          S({"__name__", n, "le", "-.2", "start", "negative"}, 10),
          S({"__name__", n, "le", "-0.1", "start", "negative"}, 20),
          S({"__name__", n, "le", "0.3", "start", "negative"}, 20),
          S({"__name__", n, "le", "+Inf", "start", "negative"}, 20)};
}

double ValueOf(const Vector& v, std::string_view label, std::string_view value) {
  for (const Sample& s : v) {
    if (s.metric.Get(label) == value) return s.f;
  }
  ADD_FAILURE() << "no sample with " << label << "=" << value;
  return kNaN;
}

TEST(FunctionsHistogramTest, QuantileGroupsByLabelsWithoutLe) {
  const Vector in = TestHistogram();
  Result r = Eval("histogram_quantile(0.5, testhistogram3_bucket)", {0.5}, in);
  ASSERT_EQ(r.out.size(), 2u);
  EXPECT_DOUBLE_EQ(ValueOf(r.out, "start", "positive"), 0.125);
  EXPECT_DOUBLE_EQ(ValueOf(r.out, "start", "negative"), -0.2);
  // The name stays until the evaluator removes it; `le` is gone.
  EXPECT_EQ(r.out[0].metric,
            Labels::FromStrings({"__name__", "testhistogram3_bucket", "start", "positive"}));
  EXPECT_TRUE(r.out[0].drop_name);
  EXPECT_TRUE(r.annotations.empty());
  struct Case {
    double q, positive, negative;
  };
  for (const Case& c :
       {Case{0.25, 0.055, -0.225}, Case{0.75, 0.45, -0.15}, Case{1, 1, -0.1}, Case{0, 0, -0.25}}) {
    r = Eval("histogram_quantile(0.5, x)", {c.q}, in);
    EXPECT_DOUBLE_EQ(ValueOf(r.out, "start", "positive"), c.positive) << c.q;
    EXPECT_DOUBLE_EQ(ValueOf(r.out, "start", "negative"), c.negative) << c.q;
  }
}

TEST(FunctionsHistogramTest, InvalidQuantileWarns) {
  const Vector in = TestHistogram();
  Result r = Eval("histogram_quantile(-0.1, x)", {-0.1}, in);
  EXPECT_EQ(ValueOf(r.out, "start", "positive"), -kInf);
  ASSERT_EQ(r.annotations.warnings().size(), 1u);
  EXPECT_EQ(r.annotations.warnings()[0],
            "PromQL warning: quantile value should be between 0 and 1, got -0.1 (1:20)");
  r = Eval("histogram_quantile(1.01, x)", {1.01}, in);
  EXPECT_EQ(ValueOf(r.out, "start", "negative"), kInf);
  EXPECT_EQ(r.annotations.warnings()[0],
            "PromQL warning: quantile value should be between 0 and 1, got 1.01 (1:20)");
  // Warned even without input.
  r = Eval("histogram_quantile(NaN, non_existent)", {kNaN}, Vector{});
  EXPECT_TRUE(r.out.empty());
  EXPECT_EQ(r.annotations.warnings()[0],
            "PromQL warning: quantile value should be between 0 and 1, got NaN (1:20)");
  r = Eval("histogram_quantile(1e6, x)", {1e6}, Vector{});
  EXPECT_EQ(r.annotations.warnings()[0],
            "PromQL warning: quantile value should be between 0 and 1, got 1e+06 (1:20)");
  r = Eval("histogram_quantile(-0.00001, x)", {-0.00001}, Vector{});
  EXPECT_EQ(r.annotations.warnings()[0],
            "PromQL warning: quantile value should be between 0 and 1, got -1e-05 (1:20)");
  r = Eval("histogram_quantile(-123456, x)", {-123456}, Vector{});
  EXPECT_EQ(r.annotations.warnings()[0],
            "PromQL warning: quantile value should be between 0 and 1, got -123456 (1:20)");
}

// histograms.test "A histogram with nonmonotonic bucket counts" at 50m.
TEST(FunctionsHistogramTest, NonMonotonicBucketsAreFixedWithInfo) {
  const Vector in = {S({"__name__", "nonmonotonic_bucket", "le", "0.1"}, 20),
                     S({"__name__", "nonmonotonic_bucket", "le", "1"}, 10),
                     S({"__name__", "nonmonotonic_bucket", "le", "10"}, 50),
                     S({"__name__", "nonmonotonic_bucket", "le", "100"}, 40),
                     S({"__name__", "nonmonotonic_bucket", "le", "1000"}, 90),
                     S({"__name__", "nonmonotonic_bucket", "le", "+Inf"}, 80)};
  Result r = Eval("histogram_quantile(0.01, nonmonotonic_bucket)", {0.01}, in);
  ASSERT_EQ(r.out.size(), 1u);
  EXPECT_DOUBLE_EQ(r.out[0].f, 0.0045);
  ASSERT_EQ(r.annotations.infos().size(), 1u);
  EXPECT_EQ(r.annotations.infos()[0],
            "PromQL info: input to histogram_quantile needed to be fixed for monotonicity (see "
            "https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile) "
            "for metric name \"nonmonotonic_bucket\" (1:26)");
  EXPECT_DOUBLE_EQ(Eval("histogram_quantile(0.5, x)", {0.5}, in).out[0].f, 8.5);
  EXPECT_DOUBLE_EQ(Eval("histogram_quantile(0.99, x)", {0.99}, in).out[0].f, 979.75);
}

// Differences below 1e-12 (relative) are float noise: fixed silently.
TEST(FunctionsHistogramTest, TinyDecreasesAreIgnoredSilently) {
  const Vector in = {S({"le", "1"}, 10), S({"le", "2"}, 10 - 1e-14), S({"le", "+Inf"}, 20)};
  Result r = Eval("histogram_quantile(0.25, x)", {0.25}, in);
  EXPECT_DOUBLE_EQ(r.out[0].f, 0.5);
  EXPECT_TRUE(r.annotations.empty());
}

TEST(FunctionsHistogramTest, SpecialBucketLayouts) {
  // No +Inf bucket: NaN.
  Result r =
      Eval("histogram_quantile(0.5, x)", {0.5}, Vector{S({"le", "1"}, 1), S({"le", "2"}, 2)});
  EXPECT_TRUE(std::isnan(r.out[0].f));
  // Only the +Inf bucket: NaN.
  r = Eval("histogram_quantile(0.5, x)", {0.5}, Vector{S({"le", "+Inf"}, 2)});
  EXPECT_TRUE(std::isnan(r.out[0].f));
  // No observations: NaN.
  r = Eval("histogram_quantile(0.5, x)", {0.5}, Vector{S({"le", "1"}, 0), S({"le", "+Inf"}, 0)});
  EXPECT_TRUE(std::isnan(r.out[0].f));
  // In the +Inf bucket: the second highest bound.
  r = Eval("histogram_quantile(0.9, x)", {0.9}, Vector{S({"le", "1"}, 1), S({"le", "+Inf"}, 10)});
  EXPECT_EQ(r.out[0].f, 1);
  // Equal bounds written differently are merged ("1", "1.0", "1e0").
  r = Eval("histogram_quantile(0.5, x)", {0.5},
           Vector{S({"le", "1", "a", "x"}, 1), S({"le", "1.0", "a", "x"}, 1),
                  S({"le", "+Inf", "a", "x"}, 4)});
  ASSERT_EQ(r.out.size(), 1u);
  EXPECT_EQ(r.out[0].f, 1);  // rank 2 reaches the merged count 2 at le=1
}

// histograms.test: warnings about a missing or malformed `le`.
TEST(FunctionsHistogramTest, BadBucketLabelWarns) {
  Result r = Eval("histogram_quantile(0.8, series)", {0.8},
                  Vector{S({"__name__", "series", "ale", "0.1"}, 2)});
  EXPECT_TRUE(r.out.empty());
  EXPECT_TRUE(r.annotations.infos().empty());
  ASSERT_EQ(r.annotations.warnings().size(), 1u);
  EXPECT_EQ(r.annotations.warnings()[0],
            "PromQL warning: bucket label \"le\" is missing or has a malformed value of \"\" for "
            "metric name \"series\" (1:25)");
  r = Eval("histogram_fraction(-Inf, 1, series)", {-kInf, 1},
           Vector{S({"__name__", "series", "le", "Hello World"}, 2)});
  EXPECT_TRUE(r.out.empty());
  EXPECT_EQ(r.annotations.warnings()[0],
            "PromQL warning: bucket label \"le\" is missing or has a malformed value of \"Hello "
            "World\" for metric name \"series\" (1:29)");
  // Without a name, no "for metric name".
  r = Eval("histogram_quantile(0.8, x)", {0.8}, Vector{S({"le", "0x10"}, 2)});
  EXPECT_EQ(r.annotations.warnings()[0],
            "PromQL warning: bucket label \"le\" is missing or has a malformed value of \"0x10\" "
            "(1:25)");
  for (std::string_view bad : {"1_0", "1e", ".", "+", "1e999", "inf1", "--1"}) {
    r = Eval("histogram_quantile(0.8, x)", {0.8}, Vector{S({"le", bad}, 2)});
    EXPECT_EQ(r.annotations.warnings().size(), 1u) << bad;
  }
  for (std::string_view good : {"+Inf", "inf", "Infinity", "-1", "1.", "1E-3", "0x1p-2", "NaN"}) {
    r = Eval("histogram_quantile(0.8, x)", {0.8}, Vector{S({"le", good}, 2)});
    EXPECT_TRUE(r.annotations.warnings().empty()) << good;
  }
}

// The grouping key keeps __name__: two metrics give two results.
TEST(FunctionsHistogramTest, GroupsPerMetricName) {
  const Vector in = {
      S({"__name__", "a_bucket", "le", "1"}, 1), S({"__name__", "b_bucket", "le", "1"}, 3),
      S({"__name__", "a_bucket", "le", "+Inf"}, 2), S({"__name__", "b_bucket", "le", "+Inf"}, 4)};
  Result r = Eval("histogram_quantile(0.5, x)", {0.5}, in);
  ASSERT_EQ(r.out.size(), 2u);
  EXPECT_EQ(ValueOf(r.out, "__name__", "a_bucket"), 1);
  EXPECT_DOUBLE_EQ(ValueOf(r.out, "__name__", "b_bucket"), 2.0 / 3);
}

// histograms.test "Test histogram_fraction" on testhistogram2_bucket at 50m.
TEST(FunctionsHistogramTest, Fraction) {
  const Vector in = {
      S({"__name__", "h_bucket", "le", "0"}, 0), S({"__name__", "h_bucket", "le", "2"}, 10),
      S({"__name__", "h_bucket", "le", "4"}, 20), S({"__name__", "h_bucket", "le", "6"}, 30),
      S({"__name__", "h_bucket", "le", "+Inf"}, 30)};
  EXPECT_DOUBLE_EQ(Eval("histogram_fraction(0, 4, x)", {0, 4}, in).out[0].f, 0.6666666666666666);
  EXPECT_DOUBLE_EQ(Eval("histogram_fraction(0, 6, x)", {0, 6}, in).out[0].f, 1);
  EXPECT_DOUBLE_EQ(Eval("histogram_fraction(0, 3.5, x)", {0, 3.5}, in).out[0].f,
                   0.5833333333333334);
  EXPECT_EQ(Eval("histogram_fraction(4, 2, x)", {4, 2}, in).out[0].f, 0);
  EXPECT_TRUE(std::isnan(Eval("histogram_fraction(NaN, 2, x)", {kNaN, 2}, in).out[0].f));
  EXPECT_DOUBLE_EQ(Eval("histogram_fraction(-Inf, +Inf, x)", {-kInf, kInf}, in).out[0].f, 1);
  Result r = Eval("histogram_fraction(0, 4, x)", {0, 4}, in);
  EXPECT_TRUE(r.out[0].drop_name);
  EXPECT_FALSE(r.out[0].metric.Has("le"));
  // A first bucket at or below 0 starts at -Inf: it is never interpolated,
  // all of it counts as below `lower`.
  const Vector neg = {S({"le", "-1"}, 10), S({"le", "1"}, 20), S({"le", "+Inf"}, 20)};
  EXPECT_DOUBLE_EQ(Eval("histogram_fraction(-2, 0, x)", {-2, 0}, neg).out[0].f, 0.25);
}

TEST(FunctionsHistogramTest, NativeOnlyFunctionsIgnoreFloats) {
  const Vector in = TestHistogram();
  for (std::string_view name : {"histogram_count", "histogram_sum", "histogram_avg",
                                "histogram_stddev", "histogram_stdvar"}) {
    Result r = Eval(std::string(name) + "(x)", {}, in);
    EXPECT_TRUE(r.out.empty()) << name;
    EXPECT_TRUE(r.annotations.empty()) << name;
  }
}

// --- histogram_quantiles ------------------------------------------------------

// Runs histogram_quantiles `query` with the vector `in`, the label `label`
// and the quantiles `qs` (the evaluator's arguments for that call).
Result EvalQuantiles(std::string_view query, const Vector& in, std::string_view label,
                     std::vector<double> qs) {
  auto expr = ParseExpr(query);
  EXPECT_TRUE(expr.ok()) << expr.status();
  const Call* call = static_cast<const Call*>(expr->get());
  Result r;
  std::vector<FunctionArg> args = {VectorArg(&in), FunctionArg{}};
  args[1].string = label;
  for (double q : qs) args.push_back(ScalarArg(q));
  FunctionContext ctx;
  ctx.call = call;
  ctx.query = query;
  ctx.annotations = &r.annotations;
  EXPECT_TRUE(Impl("histogram_quantiles").fn(args, ctx, &r.out).ok());
  return r;
}

// histograms.test:614, histogram_quantiles(testhistogram3_bucket, "q", 0,
// 0.25, 0.5, 0.75, 1): the values of histogram_quantile, one series per
// quantile and histogram, quantile-major, labelled as FormatOpenMetricsFloat
// prints the quantile.
TEST(FunctionsHistogramTest, QuantilesLabelEachQuantile) {
  const Vector in = TestHistogram();
  Result r =
      EvalQuantiles(R"(histogram_quantiles(testhistogram3_bucket, "q", 0, 0.25, 0.5, 0.75, 1))", in,
                    "q", {0, 0.25, 0.5, 0.75, 1});
  EXPECT_TRUE(r.annotations.empty());
  struct Want {
    std::string_view q, start;
    double v;
  };
  const Want want[] = {{"0.0", "positive", 0},      {"0.0", "negative", -0.25},
                       {"0.25", "positive", 0.055}, {"0.25", "negative", -0.225},
                       {"0.5", "positive", 0.125},  {"0.5", "negative", -0.2},
                       {"0.75", "positive", 0.45},  {"0.75", "negative", -0.15},
                       {"1.0", "positive", 1},      {"1.0", "negative", -0.1}};
  ASSERT_EQ(r.out.size(), std::size(want));
  for (size_t i = 0; i < r.out.size(); ++i) {
    const Sample& s = r.out[i];
    EXPECT_EQ(s.metric, Labels::FromStrings({"__name__", "testhistogram3_bucket", "q", want[i].q,
                                             "start", want[i].start}))
        << i;
    EXPECT_NEAR(s.f, want[i].v, 1e-12) << i;
    EXPECT_TRUE(s.drop_name) << i;
  }
}

TEST(FunctionsHistogramTest, QuantilesFormatTheQuantileLabel) {
  const Vector in = {S({"le", "1"}, 1), S({"le", "+Inf"}, 2)};
  struct Case {
    double q;
    std::string_view label;
  };
  for (const Case& c :
       {Case{0.01, "0.01"}, Case{1e-5, "1e-05"}, Case{-0.1, "-0.1"}, Case{1.01, "1.01"},
        Case{2, "2.0"}, Case{-1, "-1.0"}, Case{-0.0, "0.0"}, Case{1e6, "1e+06"},
        Case{123456, "123456.0"}, Case{kNaN, "NaN"}, Case{kInf, "+Inf"}, Case{-kInf, "-Inf"}}) {
    Result r = EvalQuantiles(R"(histogram_quantiles(x, "q", 0.5))", in, "q", {c.q});
    ASSERT_EQ(r.out.size(), 1u);
    EXPECT_EQ(r.out[0].metric.Get("q"), c.label) << c.q;
  }
}

// histograms.test:647-704: out-of-range quantiles give -Inf/+Inf/NaN and one
// warning each, at that quantile's position, even without input.
TEST(FunctionsHistogramTest, QuantilesWarnPerInvalidQuantile) {
  const Vector in = TestHistogram();
  Result r =
      EvalQuantiles(R"(histogram_quantiles(x, "q", -0.1, 0.5, 1.01))", in, "q", {-0.1, 0.5, 1.01});
  ASSERT_EQ(r.out.size(), 6u);
  EXPECT_EQ(r.out[0].metric.Get("q"), "-0.1");
  EXPECT_EQ(r.out[0].f, -kInf);
  EXPECT_EQ(r.out[1].f, -kInf);
  EXPECT_EQ(r.out[4].metric.Get("q"), "1.01");
  EXPECT_EQ(r.out[4].f, kInf);
  EXPECT_EQ(r.out[5].f, kInf);
  EXPECT_EQ(r.annotations.warnings(),
            (std::vector<std::string>{
                "PromQL warning: quantile value should be between 0 and 1, got -0.1 (1:29)",
                "PromQL warning: quantile value should be between 0 and 1, got 1.01 (1:40)"}));
  r = EvalQuantiles(R"(histogram_quantiles(non_existent, "q", NaN))", Vector{}, "q", {kNaN});
  EXPECT_TRUE(r.out.empty());
  EXPECT_EQ(r.annotations.warnings(),
            (std::vector<std::string>{
                "PromQL warning: quantile value should be between 0 and 1, got NaN (1:40)"}));
  r = EvalQuantiles(R"(histogram_quantiles(x, "q", NaN))", in, "q", {kNaN});
  ASSERT_EQ(r.out.size(), 2u);
  EXPECT_EQ(r.out[0].metric.Get("q"), "NaN");
  EXPECT_TRUE(std::isnan(r.out[0].f));
}

// histograms.test:1037: the monotonicity info (once) and the bad-`le` warning
// (histograms.test:1184, 1205) point at the vector, argument 0.
TEST(FunctionsHistogramTest, QuantilesAnnotateAtTheVector) {
  const Vector in = {S({"__name__", "nonmonotonic_bucket", "le", "0.1"}, 20),
                     S({"__name__", "nonmonotonic_bucket", "le", "1"}, 10),
                     S({"__name__", "nonmonotonic_bucket", "le", "10"}, 50),
                     S({"__name__", "nonmonotonic_bucket", "le", "100"}, 40),
                     S({"__name__", "nonmonotonic_bucket", "le", "1000"}, 90),
                     S({"__name__", "nonmonotonic_bucket", "le", "+Inf"}, 80)};
  Result r = EvalQuantiles(R"(histogram_quantiles(nonmonotonic_bucket, "q", 0.01, 0.5, 0.99))", in,
                           "q", {0.01, 0.5, 0.99});
  ASSERT_EQ(r.out.size(), 3u);
  EXPECT_DOUBLE_EQ(r.out[0].f, 0.0045);
  EXPECT_DOUBLE_EQ(r.out[1].f, 8.5);
  EXPECT_DOUBLE_EQ(r.out[2].f, 979.75);
  EXPECT_EQ(r.out[2].metric, Labels::FromStrings({"__name__", "nonmonotonic_bucket", "q", "0.99"}));
  EXPECT_TRUE(r.annotations.warnings().empty());
  EXPECT_EQ(r.annotations.infos(),
            (std::vector<std::string>{
                "PromQL info: input to histogram_quantile needed to be fixed for monotonicity "
                "(see https://prometheus.io/docs/prometheus/latest/querying/functions/"
                "#histogram_quantile) for metric name \"nonmonotonic_bucket\" (1:21)"}));

  r = EvalQuantiles(R"(histogram_quantiles(series, "q", 0.1, 0.2))",
                    Vector{S({"__name__", "series", "le", "Hello World"}, 2)}, "q", {0.1, 0.2});
  EXPECT_TRUE(r.out.empty());
  EXPECT_TRUE(r.annotations.infos().empty());
  EXPECT_EQ(r.annotations.warnings(),
            (std::vector<std::string>{
                "PromQL warning: bucket label \"le\" is missing or has a malformed value of "
                "\"Hello World\" for metric name \"series\" (1:21)"}));
}

// As Prometheus, the label overwrites an existing one; the duplicates this
// makes (histograms.test:632, "start") are the evaluator's error.
TEST(FunctionsHistogramTest, QuantilesOverwriteAnExistingLabel) {
  Result r =
      EvalQuantiles(R"(histogram_quantiles(x, "start", 0.5))", TestHistogram(), "start", {0.5});
  ASSERT_EQ(r.out.size(), 2u);
  EXPECT_EQ(r.out[0].metric,
            Labels::FromStrings({"__name__", "testhistogram3_bucket", "start", "0.5"}));
  EXPECT_EQ(r.out[0].metric, r.out[1].metric);
  EXPECT_DOUBLE_EQ(r.out[0].f, 0.125);
  EXPECT_DOUBLE_EQ(r.out[1].f, -0.2);
}

// Prometheus reuses one bucket slice for all quantiles, and merging equal
// bounds leaves stale copies past the merged prefix, which the next quantile
// sorts and merges again: le="0.1" and le="1e-1" (1 + 2) with +Inf 5 give
// +Inf 5 for the first quantile but 10 for the second.
TEST(FunctionsHistogramTest, QuantilesReuseMergedBucketsAsPrometheus) {
  const Vector in = {S({"le", "0.1"}, 1), S({"le", "1e-1"}, 2), S({"le", "+Inf"}, 5)};
  Result r = EvalQuantiles(R"(histogram_quantiles(x, "q", 0.5, 0.25))", in, "q", {0.5, 0.25});
  ASSERT_EQ(r.out.size(), 2u);
  EXPECT_DOUBLE_EQ(r.out[0].f, 0.1 * 2.5 / 3);  // rank 0.5 * 5 in (0, 0.1] of 3
  EXPECT_DOUBLE_EQ(r.out[1].f, 0.1 * 2.5 / 3);  // rank 0.25 * 10, not 0.25 * 5
  // histogram_quantile sees each bucket once.
  EXPECT_DOUBLE_EQ(Eval("histogram_quantile(0.25, x)", {0.25}, in).out[0].f, 0.1 * 1.25 / 3);
}

}  // namespace
}  // namespace strata::promql
