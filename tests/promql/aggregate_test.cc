// Aggregation operators over one step (promql/aggregate.h), against the
// values, labels, order, errors and annotations Prometheus 3 produces; cases
// are taken from ../shared/promqltest/aggregators.test and limit.test
// where they exist (cited per test).
#include "promql/aggregate.h"

#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "xxhash.h"

namespace strata::promql {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// A query text and the aggregation parsed from it by hand: the parameter is
// a number literal at `param_pos` (so annotation positions can be checked).
struct Agg {
  std::unique_ptr<AggregateExpr> expr;
  std::string query;
};

Agg MakeAgg(TokenKind op, std::vector<std::string> grouping = {}, bool without = false,
            std::string query = "", Pos param_pos = 0) {
  Agg a;
  a.expr = std::make_unique<AggregateExpr>();
  a.expr->op = op;
  a.expr->grouping = std::move(grouping);
  a.expr->without = without;
  auto param = std::make_unique<NumberLiteral>();
  param->pos = {param_pos, param_pos + 1};
  a.expr->param = std::move(param);
  a.query = std::move(query);
  return a;
}

Sample S(std::initializer_list<std::string_view> labels, double f, bool drop_name = false) {
  return Sample{.metric = Labels::FromStrings(labels), .t = 0, .f = f, .drop_name = drop_name};
}

struct Result {
  absl::Status status;
  Vector out;
  Annotations annos;
};

Result RunAgg(const Agg& a, const Vector& in, double param = 0, std::string_view label = "") {
  Result r;
  auto scratch = NewAggregateScratch();
  AggregateStep step{.expr = a.expr.get(),
                     .ts = 3000000,
                     .param = param,
                     .label = label,
                     .query = a.query,
                     .annotations = &r.annos};
  r.status = Aggregate(step, in, scratch.get(), &r.out);
  return r;
}

// "labels value" per output sample, in output order.
std::vector<std::string> Render(const Vector& v) {
  std::vector<std::string> s;
  for (const Sample& x : v) {
    char buf[64];
    snprintf(buf, sizeof(buf), "%.14g", x.f);
    s.push_back(x.metric.ToString() + " " + buf);
  }
  return s;
}

// http_requests at 50m in aggregators.test's first load block.
Vector HttpRequests() {
  return {
      S({"__name__", "http_requests", "group", "canary", "instance", "0", "job", "api-server"},
        300),
      S({"__name__", "http_requests", "group", "canary", "instance", "1", "job", "api-server"},
        400),
      S({"__name__", "http_requests", "group", "production", "instance", "0", "job", "api-server"},
        100),
      S({"__name__", "http_requests", "group", "production", "instance", "1", "job", "api-server"},
        200),
      S({"__name__", "http_requests", "group", "canary", "instance", "0", "job", "app-server"},
        700),
      S({"__name__", "http_requests", "group", "canary", "instance", "1", "job", "app-server"},
        800),
      S({"__name__", "http_requests", "group", "production", "instance", "0", "job", "app-server"},
        500),
      S({"__name__", "http_requests", "group", "production", "instance", "1", "job", "app-server"},
        600),
  };
}

// aggregators.test: "Simple sum" / avg / count, by (group).
TEST(AggregateTest, SumAvgCountByGroup) {
  Vector in = HttpRequests();
  in.resize(4);  // job="api-server"
  EXPECT_THAT(Render(RunAgg(MakeAgg(TokenKind::kSum, {"group"}), in).out),
              ElementsAre("{group=\"canary\"} 700", "{group=\"production\"} 300"));
  EXPECT_THAT(Render(RunAgg(MakeAgg(TokenKind::kAvg, {"group"}), in).out),
              ElementsAre("{group=\"canary\"} 350", "{group=\"production\"} 150"));
  EXPECT_THAT(Render(RunAgg(MakeAgg(TokenKind::kCount, {"group"}), in).out),
              ElementsAre("{group=\"canary\"} 2", "{group=\"production\"} 2"));
  Result r = RunAgg(MakeAgg(TokenKind::kSum), in);
  ASSERT_EQ(r.out.size(), 1u);
  EXPECT_EQ(r.out[0].t, 3000000);
  EXPECT_THAT(Render(r.out), ElementsAre("{} 1000"));
}

// aggregators.test: "Non-existent labels mentioned in BY-clauses shouldn't
// propagate", "Simple without", "Without with mismatched and missing labels".
TEST(AggregateTest, ByAndWithoutLabels) {
  const Vector in = HttpRequests();
  EXPECT_THAT(Render(RunAgg(MakeAgg(TokenKind::kSum, {"job", "nonexistent"}), in).out),
              ElementsAre("{job=\"api-server\"} 1000", "{job=\"app-server\"} 2600"));
  Vector api = in;
  api.resize(4);
  api.push_back(
      S({"__name__", "foo", "instance", "0", "job", "api-server", "region", "europe"}, 900));
  api.push_back(S({"__name__", "foo", "job", "api-server"}, 1000));
  EXPECT_THAT(
      Render(RunAgg(MakeAgg(TokenKind::kSum, {"instance"}, true), api).out),
      ElementsAre("{group=\"canary\", job=\"api-server\"} 700",
                  "{group=\"production\", job=\"api-server\"} 300",
                  "{job=\"api-server\", region=\"europe\"} 900", "{job=\"api-server\"} 1000"));
  // `by (__name__)` keeps the name; `without ()` drops it.
  EXPECT_THAT(Render(RunAgg(MakeAgg(TokenKind::kSum, {"__name__"}), api).out),
              ElementsAre("http_requests 1000", "foo 1900"));
  Vector two = {in[2], in[3]};
  EXPECT_THAT(Render(RunAgg(MakeAgg(TokenKind::kSum, {}, true), two).out),
              ElementsAre("{group=\"production\", instance=\"0\", job=\"api-server\"} 100",
                          "{group=\"production\", instance=\"1\", job=\"api-server\"} 200"));
}

// Delayed name removal: a group's drop_name is set when any member's is.
TEST(AggregateTest, DropNamePropagates) {
  const Vector in = {S({"__name__", "a", "g", "1"}, 1), S({"__name__", "b", "g", "1"}, 2, true),
                     S({"__name__", "c", "g", "2"}, 3)};
  Result r = RunAgg(MakeAgg(TokenKind::kMax, {"g"}), in);
  ASSERT_EQ(r.out.size(), 2u);
  EXPECT_TRUE(r.out[0].drop_name);
  EXPECT_FALSE(r.out[1].drop_name);
}

double AggOne(TokenKind op, const std::vector<double>& values) {
  Vector in;
  for (size_t i = 0; i < values.size(); ++i) {
    in.push_back(S({"point", std::to_string(i)}, values[i]));
  }
  Result r = RunAgg(MakeAgg(op), in);
  EXPECT_EQ(r.out.size(), 1u);
  return r.out.empty() ? -12345 : r.out[0].f;
}

// aggregators.test: "Tests for avg" and "Test summing and averaging extreme
// values" (series in storage order: sorted by labels).
TEST(AggregateTest, SumAndAvgExtremes) {
  const double big = 9.988465674311579e+307;
  EXPECT_EQ(AggOne(TokenKind::kAvg, {8, 10, 12}), 10);
  EXPECT_EQ(AggOne(TokenKind::kAvg, {0, kInf, 0, kInf}), kInf);           // test="inf"
  EXPECT_EQ(AggOne(TokenKind::kAvg, {kInf, 0, kInf}), kInf);              // test="inf2"
  EXPECT_TRUE(std::isnan(AggOne(TokenKind::kAvg, {kInf, kInf, -kInf})));  // test="inf3"
  EXPECT_EQ(AggOne(TokenKind::kAvg, {-kInf, -kInf, 0}), -kInf);
  EXPECT_TRUE(std::isnan(AggOne(TokenKind::kAvg, {-kInf, 0, kInf})));  // test="nan"
  EXPECT_EQ(AggOne(TokenKind::kAvg, {big, big, big, big}), big);
  EXPECT_EQ(AggOne(TokenKind::kAvg, {-big, -big, -big, -big}), -big);
  EXPECT_EQ(AggOne(TokenKind::kAvg, {-big, -big, big, big}), 0);  // test="bigzero"
  // Kahan summation keeps the small terms next to ±1e100.
  EXPECT_EQ(AggOne(TokenKind::kSum, {2, 8, 1e100, -1e100}), 10);
  EXPECT_EQ(AggOne(TokenKind::kAvg, {2, 8, 1e100, -1e100}), 2.5);
  EXPECT_EQ(AggOne(TokenKind::kSum, {kInf, 2}), kInf);
  EXPECT_EQ(AggOne(TokenKind::kSum, {2, -kInf}), -kInf);
  EXPECT_TRUE(std::isnan(AggOne(TokenKind::kSum, {kInf, -kInf})));
  EXPECT_TRUE(std::isnan(AggOne(TokenKind::kSum, {kNaN, 2})));
  EXPECT_TRUE(std::isnan(AggOne(TokenKind::kAvg, {2, kNaN})));
  // "Demonstrate robustness of direct mean calculation": avg of twelve 52s
  // is exactly 52.
  EXPECT_EQ(AggOne(TokenKind::kAvg, std::vector<double>(12, 52)), 52);
  EXPECT_EQ(AggOne(TokenKind::kAvg, std::vector<double>(8, 52)), 52);
}

// aggregators.test: "Tests for min/max" — NaN is replaced by any number.
TEST(AggregateTest, MinMaxNaN) {
  EXPECT_EQ(AggOne(TokenKind::kMax, {1, 2, kNaN, 3, 4}), 4);
  EXPECT_EQ(AggOne(TokenKind::kMin, {1, 2, kNaN, 3, 4}), 1);
  EXPECT_EQ(AggOne(TokenKind::kMax, {kNaN, 3}), 3);
  EXPECT_EQ(AggOne(TokenKind::kMin, {kNaN, 3}), 3);
  EXPECT_TRUE(std::isnan(AggOne(TokenKind::kMax, {kNaN})));
  EXPECT_EQ(AggOne(TokenKind::kMax, {-kInf, kNaN}), -kInf);
}

// aggregators.test: "Standard deviation and variance" and the NaN/Inf cases.
TEST(AggregateTest, StddevStdvar) {
  const std::vector<double> all = {100, 200, 300, 400, 500, 600, 700, 800};
  EXPECT_NEAR(AggOne(TokenKind::kStddev, all), 229.12878474779, 1e-9);
  EXPECT_EQ(AggOne(TokenKind::kStdvar, all), 52500);
  // "Float precision test": exactly zero for three equal values.
  EXPECT_EQ(AggOne(TokenKind::kStddev, {13.3, 13.3, 13.3}), 0);
  EXPECT_EQ(AggOne(TokenKind::kStdvar, {13.3, 13.3, 13.3}), 0);
  EXPECT_EQ(AggOne(TokenKind::kStddev, {1, 2}), 0.5);
  EXPECT_EQ(AggOne(TokenKind::kStdvar, {1, 2}), 0.25);
  EXPECT_TRUE(std::isnan(AggOne(TokenKind::kStddev, {1, 2, kNaN})));
  EXPECT_TRUE(std::isnan(AggOne(TokenKind::kStdvar, {kNaN, 1, 2})));
  EXPECT_TRUE(std::isnan(AggOne(TokenKind::kStddev, {1, 2, kInf})));
  EXPECT_TRUE(std::isnan(AggOne(TokenKind::kStdvar, {kInf, 1, 2})));
  EXPECT_TRUE(std::isnan(AggOne(TokenKind::kStddev, {kInf})));
  EXPECT_EQ(AggOne(TokenKind::kStddev, {7}), 0);
}

TEST(AggregateTest, CountAndGroup) {
  EXPECT_EQ(AggOne(TokenKind::kCount, {kNaN, 1, 2}), 3);
  EXPECT_EQ(AggOne(TokenKind::kGroup, {kNaN, 5, 2}), 1);
}

Vector QuantileData() {
  return {S({"__name__", "data", "point", "a", "test", "two samples"}, 0),
          S({"__name__", "data", "point", "b", "test", "two samples"}, 1),
          S({"__name__", "data", "point", "a", "test", "three samples"}, 0),
          S({"__name__", "data", "point", "b", "test", "three samples"}, 1),
          S({"__name__", "data", "point", "c", "test", "three samples"}, 2),
          S({"__name__", "data", "point", "a", "test", "uneven samples"}, 0),
          S({"__name__", "data", "point", "b", "test", "uneven samples"}, 1),
          S({"__name__", "data", "point", "c", "test", "uneven samples"}, 4),
          S({"__name__", "data", "point", "a", "test", "NaN sample"}, 0),
          S({"__name__", "data", "point", "b", "test", "NaN sample"}, 1),
          S({"__name__", "data", "point", "c", "test", "NaN sample"}, kNaN)};
}

// aggregators.test: "Tests for quantile".
TEST(AggregateTest, Quantile) {
  const std::string query = "quantile without(point)(0.8, data)";
  const Agg a = MakeAgg(TokenKind::kQuantile, {"point"}, true, query, 24);
  Result r = RunAgg(a, QuantileData(), 0.8);
  EXPECT_TRUE(r.annos.empty());
  EXPECT_THAT(Render(r.out),
              ElementsAre("{test=\"two samples\"} 0.8", "{test=\"three samples\"} 1.6",
                          "{test=\"uneven samples\"} 2.8", "{test=\"NaN sample\"} 0.6"));
  // "A quantile between NaN and 0 is interpolated as NaN."
  EXPECT_THAT(Render(RunAgg(a, QuantileData(), 0.2).out),
              ElementsAre("{test=\"two samples\"} 0.2", "{test=\"three samples\"} 0.4",
                          "{test=\"uneven samples\"} 0.4", "{test=\"NaN sample\"} nan"));
}

TEST(AggregateTest, QuantileOutOfRange) {
  const std::string query = "quantile without(point)(NaN, data)";
  const Agg a = MakeAgg(TokenKind::kQuantile, {"point"}, true, query, 24);
  Result r = RunAgg(a, QuantileData(), kNaN);
  ASSERT_EQ(r.out.size(), 4u);
  for (const Sample& s : r.out) EXPECT_TRUE(std::isnan(s.f));
  EXPECT_THAT(r.annos.warnings(),
              ElementsAre("PromQL warning: quantile value should be between 0 and 1, got NaN "
                          "(1:25)"));
  r = RunAgg(a, QuantileData(), 1e6);
  EXPECT_EQ(r.out[0].f, kInf);
  EXPECT_THAT(r.annos.warnings(), ElementsAre(HasSubstr("got 1e+06 (1:25)")));
  r = RunAgg(a, QuantileData(), -0.5);
  EXPECT_EQ(r.out[0].f, -kInf);
  EXPECT_THAT(r.annos.warnings(), ElementsAre(HasSubstr("got -0.5 (1:25)")));
  // Warned even without input, as Prometheus checks the parameter first.
  EXPECT_EQ(RunAgg(a, {}, 2).annos.warnings().size(), 1u);
  // Boundaries are valid.
  EXPECT_TRUE(RunAgg(a, QuantileData(), 1).annos.empty());
  EXPECT_TRUE(RunAgg(a, QuantileData(), 0).annos.empty());
}

// More than 12 values: quantile sorts with pdqsort's partitioning path.
TEST(AggregateTest, QuantileManyValues) {
  std::vector<double> v;
  for (int i = 0; i < 101; ++i) v.push_back((i * 37) % 101);  // a permutation of 0..100
  v.push_back(kNaN);
  Vector in;
  for (size_t i = 0; i < v.size(); ++i) in.push_back(S({"i", std::to_string(i)}, v[i]));
  const Agg a = MakeAgg(TokenKind::kQuantile);
  // Sorted: NaN, 0, 1, …, 100; rank q*(n-1) = q*101.
  EXPECT_EQ(RunAgg(a, in, 0.5).out[0].f, 49.5);
  EXPECT_EQ(RunAgg(a, in, 1).out[0].f, 100);
  EXPECT_TRUE(std::isnan(RunAgg(a, in, 0).out[0].f));
}

// aggregators.test: "Tests for topk/bottomk" (`expect ordered`).
TEST(AggregateTest, TopkBottomkOrdered) {
  const Agg top = MakeAgg(TokenKind::kTopk);
  const Agg bottom = MakeAgg(TokenKind::kBottomk);
  Vector in = HttpRequests();
  Result r = RunAgg(top, in, 3);
  ASSERT_TRUE(r.status.ok());
  EXPECT_THAT(
      Render(r.out),
      ElementsAre("http_requests{group=\"canary\", instance=\"1\", job=\"app-server\"} 800",
                  "http_requests{group=\"canary\", instance=\"0\", job=\"app-server\"} 700",
                  "http_requests{group=\"production\", instance=\"1\", job=\"app-server\"} 600"));
  EXPECT_EQ(r.out[0].t, 3000000);
  EXPECT_THAT(
      Render(RunAgg(bottom, in, 3).out),
      ElementsAre("http_requests{group=\"production\", instance=\"0\", job=\"api-server\"} 100",
                  "http_requests{group=\"production\", instance=\"1\", job=\"api-server\"} 200",
                  "http_requests{group=\"canary\", instance=\"0\", job=\"api-server\"} 300"));
  // topk by (group) (1, …): one per group, groups in first-seen order.
  EXPECT_THAT(
      Render(RunAgg(MakeAgg(TokenKind::kTopk, {"group"}), in, 1).out),
      ElementsAre("http_requests{group=\"canary\", instance=\"1\", job=\"app-server\"} 800",
                  "http_requests{group=\"production\", instance=\"1\", job=\"app-server\"} 600"));
  // k above the input size (9999999999) returns everything, ordered.
  EXPECT_EQ(RunAgg(bottom, in, 9999999999).out.size(), 8u);
}

// aggregators.test: "Test NaN is sorted away from the top/bottom."
TEST(AggregateTest, TopkNaN) {
  const Vector in = {S({"instance", "0"}, 100), S({"instance", "1"}, 200),
                     S({"instance", "2"}, kNaN)};
  EXPECT_THAT(Render(RunAgg(MakeAgg(TokenKind::kTopk), in, 3).out),
              ElementsAre("{instance=\"1\"} 200", "{instance=\"0\"} 100", "{instance=\"2\"} nan"));
  EXPECT_THAT(Render(RunAgg(MakeAgg(TokenKind::kBottomk), in, 3).out),
              ElementsAre("{instance=\"0\"} 100", "{instance=\"1\"} 200", "{instance=\"2\"} nan"));
  // A NaN on top of a full heap is replaced by any number.
  const Vector nan_first = {S({"i", "a"}, kNaN), S({"i", "b"}, 1), S({"i", "c"}, -5)};
  EXPECT_THAT(Render(RunAgg(MakeAgg(TokenKind::kTopk), nan_first, 1).out),
              ElementsAre("{i=\"b\"} 1"));
  EXPECT_THAT(Render(RunAgg(MakeAgg(TokenKind::kBottomk), nan_first, 1).out),
              ElementsAre("{i=\"c\"} -5"));
  // Heap traced by hand through Go's container/heap: [1] → [NaN 1] → 2
  // replaces NaN → [1 2] → reverse sort → 2, 1.
  const Vector mixed = {S({"i", "a"}, 1), S({"i", "b"}, kNaN), S({"i", "c"}, 2)};
  EXPECT_THAT(Render(RunAgg(MakeAgg(TokenKind::kTopk), mixed, 2).out),
              ElementsAre("{i=\"c\"} 2", "{i=\"a\"} 1"));
}

// Ties keep the earlier samples, in input order.
TEST(AggregateTest, TopkTies) {
  const Vector in = {S({"i", "a"}, 5), S({"i", "b"}, 5), S({"i", "c"}, 5)};
  EXPECT_THAT(Render(RunAgg(MakeAgg(TokenKind::kTopk), in, 2).out),
              ElementsAre("{i=\"a\"} 5", "{i=\"b\"} 5"));
  EXPECT_THAT(Render(RunAgg(MakeAgg(TokenKind::kBottomk), in, 2).out),
              ElementsAre("{i=\"a\"} 5", "{i=\"b\"} 5"));
}

// More than 12 results take pdqsort's partitioning path: still ordered, NaN
// last, and the samples are the k largest.
TEST(AggregateTest, TopkManyResults) {
  Vector in;
  for (int i = 0; i < 200; ++i) {
    in.push_back(S({"i", std::to_string(i)}, i % 7 == 0 ? kNaN : (i * 53) % 200));
  }
  Result r = RunAgg(MakeAgg(TokenKind::kTopk), in, 190);
  ASSERT_EQ(r.out.size(), 190u);
  for (size_t i = 1; i < r.out.size(); ++i) {
    if (std::isnan(r.out[i - 1].f)) {
      EXPECT_TRUE(std::isnan(r.out[i].f)) << i;
    } else if (!std::isnan(r.out[i].f)) {
      EXPECT_GE(r.out[i - 1].f, r.out[i].f) << i;
    }
  }
  // 200 - 29 NaNs = 171 numbers, all kept; 19 of the 29 NaNs fill the rest.
  EXPECT_TRUE(std::isnan(r.out[171].f));
  EXPECT_FALSE(std::isnan(r.out[170].f));
}

// aggregators.test: `topk(NaN, non_existent)` and friends; limit.test:
// limitk(0|-1, …) returns nothing.
TEST(AggregateTest, KParameter) {
  const Vector in = HttpRequests();
  for (TokenKind op : {TokenKind::kTopk, TokenKind::kBottomk, TokenKind::kLimitk}) {
    Result r = RunAgg(MakeAgg(op), {}, kNaN);
    EXPECT_EQ(r.status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status.message(), "Parameter value is NaN");
    r = RunAgg(MakeAgg(op), in, 1e20);
    EXPECT_EQ(r.status.message(), "Scalar value 1e+20 overflows int64");
    r = RunAgg(MakeAgg(op), in, 9223372036854774784.0);
    EXPECT_EQ(r.status.message(), "Scalar value 9.223372036854775e+18 overflows int64");
    EXPECT_EQ(RunAgg(MakeAgg(op), in, kInf).status.message(), "Scalar value +Inf overflows int64");
    for (double k : {0.0, -1.0, 0.99, -kInf, -1e30}) {
      r = RunAgg(MakeAgg(op), in, k);
      EXPECT_TRUE(r.status.ok()) << k;
      EXPECT_TRUE(r.out.empty()) << k;
    }
    // 1.9 truncates to 1.
    EXPECT_EQ(RunAgg(MakeAgg(op), in, 1.9).out.size(), 1u);
  }
  EXPECT_EQ(RunAgg(MakeAgg(TokenKind::kLimitRatio), {}, kNaN).status.message(),
            "Ratio value is NaN");
}

// limit.test: limitk keeps the first k series of each group; they come out
// in heap order (by value), as Prometheus pushes them onto a heap.
TEST(AggregateTest, Limitk) {
  const Vector in = {S({"g", "x", "i", "a"}, 5), S({"g", "y", "i", "b"}, 9),
                     S({"g", "x", "i", "c"}, 3), S({"g", "x", "i", "d"}, 1),
                     S({"g", "x", "i", "e"}, 0)};
  // Group x: [5] → push 3 → [3 5] → push 1 → [1 5 3]; e is past k.
  EXPECT_THAT(Render(RunAgg(MakeAgg(TokenKind::kLimitk, {"g"}), in, 3).out),
              ElementsAre("{g=\"x\", i=\"d\"} 1", "{g=\"x\", i=\"a\"} 5", "{g=\"x\", i=\"c\"} 3",
                          "{g=\"y\", i=\"b\"} 9"));
  EXPECT_THAT(Render(RunAgg(MakeAgg(TokenKind::kLimitk, {"g"}), in, 1).out),
              ElementsAre("{g=\"x\", i=\"a\"} 5", "{g=\"y\", i=\"b\"} 9"));
  // drop_name and the metric name are kept as they are.
  const Vector named = {S({"__name__", "m", "i", "a"}, 1, true)};
  Result r = RunAgg(MakeAgg(TokenKind::kLimitk), named, 100);
  ASSERT_EQ(r.out.size(), 1u);
  EXPECT_TRUE(r.out[0].drop_name);
  EXPECT_EQ(r.out[0].metric.ToString(), "m{i=\"a\"}");
}

// Prometheus 3's labels.Hash() (stringlabels build): xxHash64 of
// length-prefixed names and values.
double SampleOffset(const std::string& encoded) {
  return static_cast<double>(XXH64(encoded.data(), encoded.size(), 0)) /
         static_cast<double>(std::numeric_limits<uint64_t>::max());
}

TEST(AggregateTest, LimitRatioUsesPrometheusHash) {
  const Vector in = {S({"__name__", "up", "job", "x"}, 1)};
  const double offset = SampleOffset(std::string("\x08__name__\x02up\x03job\x01x", 18));
  const Agg a = MakeAgg(TokenKind::kLimitRatio);
  EXPECT_EQ(RunAgg(a, in, offset + 1e-9).out.size(), 1u);
  EXPECT_EQ(RunAgg(a, in, offset - 1e-9).out.size(), 0u);
  // Negative ratios select offsets >= 1 + r.
  EXPECT_EQ(RunAgg(a, in, -(1 - offset) - 1e-9).out.size(), 1u);
  EXPECT_EQ(RunAgg(a, in, -(1 - offset) + 1e-9).out.size(), 0u);
  // Names or values of 255+ bytes get a 4-byte length.
  const std::string long_value(300, 'v');
  const Vector long_in = {S({"a", long_value}, 1)};
  const double long_offset = SampleOffset(std::string("\x01"
                                                      "a"
                                                      "\xff\x2c\x01\x00",
                                                      6) +
                                          long_value);
  EXPECT_EQ(RunAgg(a, long_in, long_offset + 1e-9).out.size(), 1u);
  EXPECT_EQ(RunAgg(a, long_in, long_offset - 1e-9).out.size(), 0u);
}

// limit.test: limit_ratio(r) and limit_ratio(-(1-r)) are complements; ±1
// (and beyond, with a warning) keep everything; 0 keeps nothing.
TEST(AggregateTest, LimitRatio) {
  Vector in = HttpRequests();
  for (int i = 0; i < 40; ++i) in.push_back(S({"__name__", "x", "i", std::to_string(i)}, i));
  const Agg a = MakeAgg(TokenKind::kLimitRatio, {}, false, "limit_ratio(1.1, x)", 12);
  for (double r : {0.2, 0.5, 0.8, 3.0 / 17}) {
    Result pos = RunAgg(a, in, r), neg = RunAgg(a, in, -(1 - r));
    EXPECT_EQ(pos.out.size() + neg.out.size(), in.size()) << r;
    for (const Sample& p : pos.out) {
      for (const Sample& n : neg.out) EXPECT_NE(p.metric, n.metric) << r;
    }
  }
  EXPECT_EQ(RunAgg(a, in, 1).out.size(), in.size());
  EXPECT_EQ(RunAgg(a, in, -1).out.size(), in.size());
  EXPECT_TRUE(RunAgg(a, in, 0).out.empty());
  EXPECT_TRUE(RunAgg(a, in, 1).annos.empty());
  Result r = RunAgg(a, in, 1.1);
  EXPECT_EQ(r.out.size(), in.size());
  EXPECT_THAT(r.annos.warnings(),
              ElementsAre("PromQL warning: ratio value should be between -1 and 1, got 1.1, "
                          "capping to 1 (1:13)"));
  r = RunAgg(a, in, -1.1);
  EXPECT_EQ(r.out.size(), in.size());
  EXPECT_THAT(r.annos.warnings(), ElementsAre(HasSubstr("got -1.1, capping to -1 (1:13)")));
}

// limit.test's http_requests: 6 float series and 2 histogram series (only
// their labels matter to limit_ratio), values at step 1 (5m).
Vector LimitTestSeries() {
  Vector v;
  const char* floats[][2] = {{"0", "production"}, {"1", "production"}, {"0", "canary"},
                             {"1", "canary"},     {"2", "canary"},     {"3", "canary"}};
  double value = 10;
  for (const auto& [instance, group] : floats) {
    v.push_back(
        S({"__name__", "http_requests", "group", group, "instance", instance, "job", "api-server"},
          value));
    value += 10;
  }
  for (const char* h : {"histogram_1", "histogram_2"}) {
    v.push_back(
        S({"__name__", "http_requests", "group", "canary", "instance", h, "job", "api-server"}, 0));
  }
  return v;
}

// limit.test's checks that depend on the actual hashes: "Half~ish samples"
// (between 3 and 5 of the 8 series for r=0.5) and the "poor man's normality
// check" on the 6 float series (both halves non-empty, averages within one
// standard deviation).
TEST(AggregateTest, LimitRatioLimitTestHashes) {
  const Agg a = MakeAgg(TokenKind::kLimitRatio);
  const Vector all = LimitTestSeries();
  const size_t half = RunAgg(a, all, 0.5).out.size();
  EXPECT_GE(half, 3u);
  EXPECT_LE(half, 5u);
  const Vector floats(all.begin(), all.begin() + 6);
  const Vector pos = RunAgg(a, floats, 0.5).out, neg = RunAgg(a, floats, -0.5).out;
  ASSERT_FALSE(pos.empty());
  ASSERT_FALSE(neg.empty());
  const double avg_pos = RunAgg(MakeAgg(TokenKind::kAvg), pos).out.at(0).f;
  const double avg_neg = RunAgg(MakeAgg(TokenKind::kAvg), neg).out.at(0).f;
  const double stddev = RunAgg(MakeAgg(TokenKind::kStddev), floats).out.at(0).f;
  EXPECT_LE(std::fabs(avg_pos - avg_neg), stddev);
}

Vector Versions() {
  return {
      S({"__name__", "version", "group", "production", "instance", "0", "job", "api-server"}, 6),
      S({"__name__", "version", "group", "production", "instance", "1", "job", "api-server"}, 6),
      S({"__name__", "version", "group", "production", "instance", "2", "job", "api-server"}, 6),
      S({"__name__", "version", "group", "canary", "instance", "0", "job", "api-server"}, 8),
      S({"__name__", "version", "group", "canary", "instance", "1", "job", "api-server"}, 8),
      S({"__name__", "version", "group", "production", "instance", "0", "job", "app-server"}, 6),
      S({"__name__", "version", "group", "production", "instance", "1", "job", "app-server"}, 6),
      S({"__name__", "version", "group", "canary", "instance", "0", "job", "app-server"}, 7),
      S({"__name__", "version", "group", "canary", "instance", "1", "job", "app-server"}, 7)};
}

// aggregators.test: "Tests for count_values".
TEST(AggregateTest, CountValues) {
  const Agg plain = MakeAgg(TokenKind::kCountValues);
  EXPECT_THAT(Render(RunAgg(plain, Versions(), 0, "version").out),
              ElementsAre("{version=\"6\"} 5", "{version=\"8\"} 2", "{version=\"7\"} 2"));
  EXPECT_THAT(
      Render(RunAgg(MakeAgg(TokenKind::kCountValues, {"instance"}, true), Versions(), 0, "version")
                 .out),
      ElementsAre("{group=\"production\", job=\"api-server\", version=\"6\"} 3",
                  "{group=\"canary\", job=\"api-server\", version=\"8\"} 2",
                  "{group=\"production\", job=\"app-server\", version=\"6\"} 2",
                  "{group=\"canary\", job=\"app-server\", version=\"7\"} 2"));
  // "Overwrite label with output. Don't do this."
  EXPECT_THAT(
      Render(
          RunAgg(MakeAgg(TokenKind::kCountValues, {"instance"}, true), Versions(), 0, "job").out),
      ElementsAre("{group=\"production\", job=\"6\"} 5", "{group=\"canary\", job=\"8\"} 2",
                  "{group=\"canary\", job=\"7\"} 2"));
  EXPECT_THAT(
      Render(RunAgg(MakeAgg(TokenKind::kCountValues, {"job", "group"}), Versions(), 0, "job").out),
      ElementsAre("{group=\"production\", job=\"6\"} 5", "{group=\"canary\", job=\"8\"} 2",
                  "{group=\"canary\", job=\"7\"} 2"));
  // `without` listing the value label drops it too.
  EXPECT_THAT(Render(RunAgg(MakeAgg(TokenKind::kCountValues, {"version", "instance", "job"}, true),
                            Versions(), 0, "version")
                         .out),
              ElementsAre("{group=\"production\"} 5", "{group=\"canary\"} 4"));
}

// Values as strconv.FormatFloat(f, 'f', -1, 64).
TEST(AggregateTest, CountValuesFormatting) {
  const Vector in = {S({"i", "0"}, 0.1),   S({"i", "1"}, 1e21),        S({"i", "2"}, kNaN),
                     S({"i", "3"}, -kInf), S({"i", "4"}, -0.0),        S({"i", "5"}, 1.5e-7),
                     S({"i", "6"}, kInf),  S({"i", "7"}, 123456789.25)};
  EXPECT_THAT(Render(RunAgg(MakeAgg(TokenKind::kCountValues), in, 0, "v").out),
              ElementsAre("{v=\"0.1\"} 1", "{v=\"1000000000000000000000\"} 1", "{v=\"NaN\"} 1",
                          "{v=\"-Inf\"} 1", "{v=\"-0\"} 1", "{v=\"0.00000015\"} 1",
                          "{v=\"+Inf\"} 1", "{v=\"123456789.25\"} 1"));
}

// aggregators.test: "Test an invalid label value."
TEST(AggregateTest, CountValuesInvalidLabel) {
  Result r = RunAgg(MakeAgg(TokenKind::kCountValues), Versions(), 0, "a\xc5z");
  EXPECT_EQ(r.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status.message(), "invalid label name \"a\\xc5z\"");
  EXPECT_EQ(RunAgg(MakeAgg(TokenKind::kCountValues), {}, 0, "").status.message(),
            "invalid label name \"\"");
  // UTF-8 names are valid in Prometheus 3.
  EXPECT_TRUE(RunAgg(MakeAgg(TokenKind::kCountValues), Versions(), 0, "vérsion").status.ok());
}

// A scratch is reused across steps: nothing leaks from one step to the next.
TEST(AggregateTest, ScratchReuse) {
  auto scratch = NewAggregateScratch();
  const Agg q = MakeAgg(TokenKind::kQuantile, {"point"}, true);
  const Agg top = MakeAgg(TokenKind::kTopk, {"g"});
  Vector out;
  AggregateStep step;
  step.expr = q.expr.get();
  step.param = 0.5;
  ASSERT_TRUE(Aggregate(step, QuantileData(), scratch.get(), &out).ok());
  out.clear();
  const Vector small = {S({"point", "a", "test", "t"}, 10), S({"point", "b", "test", "t"}, 20)};
  ASSERT_TRUE(Aggregate(step, small, scratch.get(), &out).ok());
  EXPECT_THAT(Render(out), ElementsAre("{test=\"t\"} 15"));
  out.clear();
  step.expr = top.expr.get();
  step.param = 5;
  ASSERT_TRUE(Aggregate(step, HttpRequests(), scratch.get(), &out).ok());
  out.clear();
  ASSERT_TRUE(Aggregate(step, {S({"g", "1"}, 1), S({"g", "2"}, 2)}, scratch.get(), &out).ok());
  EXPECT_THAT(Render(out), ElementsAre("{g=\"1\"} 1", "{g=\"2\"} 2"));
}

}  // namespace
}  // namespace strata::promql
