// Tests of the PromQL test-script runner's engine-free parts: the script
// parser (tests/promql/promqltest/script.h), result comparison (compare.h),
// the @-modifier rewrite and selector matching (query_util.h) and the test
// storage (storage.h).
#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <variant>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/promql/promqltest/compare.h"
#include "tests/promql/promqltest/query_util.h"
#include "tests/promql/promqltest/script.h"
#include "tests/promql/promqltest/storage.h"

namespace strata::promqltest {
namespace {

using ::testing::HasSubstr;

std::vector<double> Values(const std::vector<SequenceValue>& vals) {
  std::vector<double> out;
  for (const SequenceValue& v : vals) out.push_back(v.omitted ? -999 : v.value);
  return out;
}

TEST(PromqlTestSequence, ExpandsNotation) {
  auto v = ParseSequence("1+2x3 5-1x2 7x2 _ _x2 -1 +Inf");
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(Values(*v), (std::vector<double>{1, 3, 5, 7, 5, 4, 3, 7, 7, 7, -999, -999, -999, -1,
                                             std::numeric_limits<double>::infinity()}));
}

TEST(PromqlTestSequence, StaleNaNAndExponents) {
  auto v = ParseSequence("stale NaN 1e3 1.5e-3x1 -2.5E+2");
  ASSERT_TRUE(v.ok()) << v.status();
  ASSERT_EQ(v->size(), 6u);
  EXPECT_TRUE(IsStaleNaN((*v)[0].value));
  EXPECT_TRUE(std::isnan((*v)[1].value));
  EXPECT_FALSE(IsStaleNaN((*v)[1].value));
  EXPECT_EQ((*v)[2].value, 1000);
  EXPECT_EQ((*v)[3].value, 0.0015);
  EXPECT_EQ((*v)[4].value, 0.0015);
  EXPECT_EQ((*v)[5].value, -250);
}

// In series descriptions `0x3` is zero repeated, never hexadecimal.
TEST(PromqlTestSequence, NoHexInSeries) {
  auto v = ParseSequence("0x3");
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(Values(*v), (std::vector<double>{0, 0, 0, 0}));
}

// native_histograms.test: `{{schema:0 sum:5 count:4 buckets:[1 2 1]}}x2`.
TEST(PromqlTestSequence, HistogramsAreMarked) {
  auto v = ParseSequence("{{schema:0 sum:5 buckets:[1 2 1]}}x2 1 {{count:1}}+{{count:2}}x1");
  ASSERT_TRUE(v.ok()) << v.status();
  ASSERT_EQ(v->size(), 6u);
  EXPECT_TRUE((*v)[0].histogram && (*v)[2].histogram);
  EXPECT_FALSE((*v)[3].histogram);
  EXPECT_TRUE((*v)[4].histogram && (*v)[5].histogram);
}

TEST(PromqlTestSequence, RejectsGarbage) {
  EXPECT_FALSE(ParseSequence("abc").ok());
  EXPECT_FALSE(ParseSequence("1+2").ok());
  EXPECT_FALSE(ParseSequence("1x").ok());
}

TEST(PromqlTestSeriesDesc, ParsesLabels) {
  auto d = ParseSeriesDesc(R"(http_requests{job="api server", group="a b"} 1 2)");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->metric, Labels::FromStrings(
                           {"__name__", "http_requests", "group", "a b", "job", "api server"}));
  EXPECT_EQ(Values(d->values), (std::vector<double>{1, 2}));
  auto empty = ParseSeriesDesc("{} 3");
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_TRUE(empty->metric.empty());
  auto quoted = ParseSeriesDesc(R"({"my.metric", a="}"} 4)");
  ASSERT_TRUE(quoted.ok()) << quoted.status();
  EXPECT_EQ(quoted->metric, Labels::FromStrings({"__name__", "my.metric", "a", "}"}));
  EXPECT_FALSE(ParseSeriesDesc(R"(foo{a!="b"} 1)").ok());
}

TEST(PromqlTestScript, LoadClearAndEvals) {
  auto s = ParseScript(R"(# comment
load 5m
  http_requests{job="api"} 0+10x2
  http_requests{job="api"} 1 2
  other 1

clear

eval instant at 50m sum(http_requests)
  expect no_warn
  {} 30

eval range from 0 to 10m step 5m http_requests
  http_requests{job="api"} 0 10 _
)");
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->commands.size(), 4u);
  const auto& load = std::get<LoadCmd>(s->commands[0]);
  EXPECT_EQ(load.line, 2);
  EXPECT_EQ(load.interval_ms, 300000);
  ASSERT_EQ(load.series.size(), 2u);  // the second line for the same series replaced the first
  EXPECT_EQ(Values(load.series[0].values), (std::vector<double>{1, 2}));
  EXPECT_EQ(std::get<ClearCmd>(s->commands[1]).line, 7);
  const auto& inst = std::get<EvalCmd>(s->commands[2]);
  EXPECT_FALSE(inst.is_range);
  EXPECT_EQ(inst.line, 9);
  EXPECT_EQ(inst.expr, "sum(http_requests)");
  EXPECT_EQ(inst.eval_ms, 3000000);
  EXPECT_EQ(inst.Expects(ExpectKind::kNoWarn).size(), 1u);
  ASSERT_EQ(inst.expected.size(), 1u);
  EXPECT_EQ(inst.expected[0].pos, 1);  // expect lines do not count
  const auto& range = std::get<EvalCmd>(s->commands[3]);
  EXPECT_TRUE(range.is_range);
  EXPECT_EQ(range.start_ms, 0);
  EXPECT_EQ(range.end_ms, 600000);
  EXPECT_EQ(range.step_ms, 300000);
  EXPECT_EQ(range.expr, "http_requests");
}

TEST(PromqlTestScript, ExpectLinesAndOldSpellings) {
  auto s = ParseScript(R"(eval_fail instant at 0 foo
  expected_fail_message some error

eval instant at 1m bar
  expect fail msg:vector cannot contain metrics with the same labelset

eval instant at 0 baz
  expect fail regex: conflicting label

eval_ordered instant at 0 sort(x)
  x{a="1"} 1
  expect info
  x{a="2"} 2

eval instant at 0 y
  expect warn msg: PromQL warning: something (1:1)
  expect warn
)");
  ASSERT_TRUE(s.ok()) << s.status();
  const auto& e0 = std::get<EvalCmd>(s->commands[0]);
  EXPECT_TRUE(e0.fail && e0.IsFail());
  EXPECT_EQ(e0.expected_fail_message, "some error");
  const auto& e1 = std::get<EvalCmd>(s->commands[1]);
  ASSERT_EQ(e1.Expects(ExpectKind::kFail).size(), 1u);
  EXPECT_EQ(e1.Expects(ExpectKind::kFail)[0].message,
            "vector cannot contain metrics with the same labelset");
  const auto& e2 = std::get<EvalCmd>(s->commands[2]);
  EXPECT_TRUE(e2.Expects(ExpectKind::kFail)[0].Matches("found conflicting label set"));
  EXPECT_FALSE(e2.Expects(ExpectKind::kFail)[0].Matches("other"));
  const auto& e3 = std::get<EvalCmd>(s->commands[3]);
  EXPECT_TRUE(e3.IsOrdered());
  ASSERT_EQ(e3.expected.size(), 2u);
  EXPECT_EQ(e3.expected[0].pos, 1);
  EXPECT_EQ(e3.expected[1].pos, 2);  // the expect line between does not count
  const auto& e4 = std::get<EvalCmd>(s->commands[4]);
  ASSERT_EQ(e4.Expects(ExpectKind::kWarn).size(), 2u);
  EXPECT_EQ(e4.Expects(ExpectKind::kWarn)[0].message, "PromQL warning: something (1:1)");
  EXPECT_TRUE(e4.Expects(ExpectKind::kWarn)[1].Matches("anything"));
}

// A bare number line is a scalar and ends the eval (test.go breaks there).
TEST(PromqlTestScript, ScalarAndStringAndRangeVector) {
  auto s = ParseScript(R"(eval instant at 0 1 + 2
  3

eval instant at 50m ("Foo")
	expect string `Foo`

eval instant at 1m some_metric[1m]
  expect range vector from 10s to 1m step 10s
  some_metric{env="a"} 2 3 4 5 6
)");
  ASSERT_TRUE(s.ok()) << s.status();
  const auto& e0 = std::get<EvalCmd>(s->commands[0]);
  EXPECT_TRUE(e0.expect_scalar);
  EXPECT_EQ(e0.expected[0].values[0].value, 3);
  const auto& e1 = std::get<EvalCmd>(s->commands[1]);
  EXPECT_EQ(e1.expected_string, "Foo");
  EXPECT_TRUE(e1.exclude_from_range_query);
  const auto& e2 = std::get<EvalCmd>(s->commands[2]);
  EXPECT_TRUE(e2.expect_range_vector);
  EXPECT_EQ(e2.start_ms, 10000);
  EXPECT_EQ(e2.end_ms, 60000);
  EXPECT_EQ(e2.step_ms, 10000);
  EXPECT_EQ(e2.eval_ms, 60000);  // the query runs at the range's end
}

TEST(PromqlTestScript, Errors) {
  EXPECT_THAT(ParseScript("bogus").status().message(), HasSubstr("line 1: invalid command"));
  EXPECT_THAT(ParseScript("eval instant at 0 x\n  x 1 2\n").status().message(),
              HasSubstr("expecting multiple values in instant evaluation not allowed"));
  EXPECT_THAT(
      ParseScript("eval instant at 0 x\n  expect warn\n  expect no_warn\n").status().message(),
      HasSubstr("warn and no_warn cannot be used together"));
  EXPECT_THAT(ParseScript("eval range from 5m to 1m step 1m x\n").status().message(),
              HasSubstr("end timestamp (1m) is before start timestamp (5m)"));
  EXPECT_THAT(ParseScript("load 1x\n").status().message(), HasSubstr("invalid step definition"));
  // After a scalar the eval is over: a following expect line is a command.
  EXPECT_FALSE(ParseScript("eval instant at 0 1\n  1\n  expect no_warn\n").ok());
}

TEST(PromqlTestScript, NativeHistogramAndStartTimestampLoads) {
  auto s = ParseScript(R"(load_with_nhcb 5m
  foo_bucket{le="1"} 1 2

load 1m
  cumulative{type="a"}@st _ -30s-1mx2
  cumulative{type="a"} 1 2 3
  h {{schema:0 sum:1 count:1}}
)");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_TRUE(std::get<LoadCmd>(s->commands[0]).with_nhcb);
  const auto& l = std::get<LoadCmd>(s->commands[1]);
  EXPECT_TRUE(l.has_start_timestamps);
  ASSERT_EQ(l.series.size(), 2u);
  EXPECT_TRUE(l.series[1].values[0].histogram);
}

TEST(PromqlTestCompare, AlmostEqual) {
  const double nan = std::nan("");
  EXPECT_TRUE(AlmostEqual(nan, nan, kDefaultEpsilon));
  EXPECT_TRUE(AlmostEqual(StaleNaN(), nan, kDefaultEpsilon));
  EXPECT_FALSE(AlmostEqual(nan, 1, kDefaultEpsilon));
  EXPECT_TRUE(AlmostEqual(1, 1 + 1e-7, kDefaultEpsilon));
  EXPECT_FALSE(AlmostEqual(1, 1 + 1e-5, kDefaultEpsilon));
  EXPECT_TRUE(AlmostEqual(0.0333333333, 0.03333333333333333, kDefaultEpsilon));
  EXPECT_FALSE(AlmostEqual(0, 1e-300, kDefaultEpsilon));  // near zero: absolute
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_TRUE(AlmostEqual(inf, inf, kDefaultEpsilon));
  EXPECT_FALSE(AlmostEqual(inf, -inf, kDefaultEpsilon));
}

EvalCmd ParseOneEval(const std::string& text) {
  auto s = ParseScript(text);
  EXPECT_TRUE(s.ok()) << s.status();
  return std::get<EvalCmd>(s->commands.at(0));
}

Labels L(std::initializer_list<std::string_view> kv) { return Labels::FromStrings(kv); }

TEST(PromqlTestCompare, Vector) {
  EvalCmd cmd = ParseOneEval("eval instant at 0 x\n  x{a=\"1\"} 1\n  x{a=\"2\"} NaN\n");
  promql::Vector v = {{L({"__name__", "x", "a", "2"}), 0, std::nan("")},
                      {L({"__name__", "x", "a", "1"}), 0, 1.0000001}};
  EXPECT_TRUE(CompareResult(cmd, v).ok());  // order does not matter without `ordered`
  v[1].f = 2;
  EXPECT_THAT(CompareResult(cmd, v).message(), HasSubstr("expected 1 for x{a=\"1\"} but got 2"));
  v.pop_back();
  EXPECT_THAT(CompareResult(cmd, v).message(), HasSubstr("not found"));
  v.push_back({L({"__name__", "x", "a", "1"}), 0, 1});
  v.push_back({L({"__name__", "y"}), 0, 1});
  EXPECT_THAT(CompareResult(cmd, v).message(), HasSubstr("unexpected metric y"));
  EXPECT_THAT(CompareResult(cmd, promql::Scalar{0, 1}).message(),
              HasSubstr("expected vector or matrix result"));
}

TEST(PromqlTestCompare, OrderedVector) {
  EvalCmd cmd = ParseOneEval(
      "eval instant at 0 sort(x)\n  expect ordered\n  x{a=\"1\"} 1\n"
      "  x{a=\"2\"} 2\n");
  promql::Vector v = {{L({"__name__", "x", "a", "1"}), 0, 1},
                      {L({"__name__", "x", "a", "2"}), 0, 2}};
  EXPECT_TRUE(CompareResult(cmd, v).ok());
  std::swap(v[0], v[1]);
  EXPECT_THAT(CompareResult(cmd, v).message(), HasSubstr("at position 2 but was at 1"));
  // An ordered expectation never matches a matrix.
  EXPECT_THAT(CompareResult(cmd, promql::Matrix{}).message(),
              HasSubstr("expected ordered result, but query returned a matrix"));
}

TEST(PromqlTestCompare, Matrix) {
  EvalCmd cmd = ParseOneEval("eval range from 0 to 2m step 1m x\n  x 1 _ 3\n  y 1+1x2\n");
  promql::Matrix m = {{L({"__name__", "x"}), {{0, 1}, {120000, 3}}},
                      {L({"__name__", "y"}), {{0, 1}, {60000, 2}, {120000, 3}}}};
  EXPECT_TRUE(CompareResult(cmd, m).ok());
  m[0].floats[1].t = 60000;
  EXPECT_THAT(CompareResult(cmd, m).message(), HasSubstr("to have timestamp 120000"));
  m[0].floats.pop_back();
  EXPECT_THAT(CompareResult(cmd, m).message(), HasSubstr("expected 2 float points"));
  std::swap(m[0], m[1]);
  EXPECT_THAT(CompareResult(cmd, m).message(), HasSubstr("not sorted"));
  EvalCmd too_many = ParseOneEval("eval range from 0 to 1m step 1m x\n  x 1 2 3\n");
  EXPECT_THAT(CompareResult(too_many, promql::Matrix{{L({"__name__", "x"}), {{0, 1}}}}).message(),
              HasSubstr("cannot return this many points"));
}

TEST(PromqlTestCompare, ScalarAndString) {
  EvalCmd cmd = ParseOneEval("eval instant at 0 1\n  1\n");
  EXPECT_TRUE(CompareResult(cmd, promql::Scalar{0, 1}).ok());
  EXPECT_THAT(CompareResult(cmd, promql::Scalar{0, 2}).message(),
              HasSubstr("expected scalar 1 but got 2"));
  EXPECT_THAT(CompareResult(cmd, promql::Vector{}).message(), HasSubstr("expected scalar result"));
  EvalCmd str = ParseOneEval("eval instant at 0 \"a\"\n  expect string \"a\"\n");
  EXPECT_TRUE(CompareResult(str, promql::String{0, "a"}).ok());
  EXPECT_FALSE(CompareResult(str, promql::String{0, "b"}).ok());
}

TEST(PromqlTestCompare, Annotations) {
  EvalCmd cmd =
      ParseOneEval("eval instant at 0 x\n  expect info msg: PromQL info: i\n  expect no_warn\n");
  promql::Annotations a;
  EXPECT_THAT(CheckAnnotations(cmd, "x", a).message(),
              HasSubstr("expected info annotations but none were found"));
  // The engine's position suffix is not part of the compared text.
  a.AddInfo("PromQL info: i (1:1)");
  EXPECT_TRUE(CheckAnnotations(cmd, "x", a).ok());
  a.AddInfo("PromQL info: other");
  EXPECT_THAT(CheckAnnotations(cmd, "x", a).message(), HasSubstr("unexpected info annotation"));
  promql::Annotations w;
  w.AddInfo("PromQL info: i (1:1)");
  w.AddWarning("PromQL warning: w");
  EXPECT_THAT(CheckAnnotations(cmd, "x", w).message(), HasSubstr("unexpected warning annotations"));
  // Without expect lines annotations are not checked.
  EvalCmd plain = ParseOneEval("eval instant at 0 x\n");
  EXPECT_TRUE(CheckAnnotations(plain, "x", w).ok());
  EvalCmd old_warn = ParseOneEval("eval_warn instant at 0 x\n");
  EXPECT_THAT(CheckAnnotations(old_warn, "x", promql::Annotations()).message(),
              HasSubstr("expected warnings"));
}

TEST(PromqlTestCompare, ExpectedFailure) {
  EvalCmd any = ParseOneEval("eval instant at 0 x\n  expect fail\n");
  EXPECT_TRUE(CheckExpectedFailure(any, "whatever").ok());
  EvalCmd msg = ParseOneEval("eval instant at 0 x\n  expect fail msg: Parameter value is NaN\n");
  EXPECT_TRUE(CheckExpectedFailure(msg, "Parameter value is NaN").ok());
  EXPECT_FALSE(CheckExpectedFailure(msg, "Parameter value is NaN!").ok());
  EvalCmd old = ParseOneEval("eval_fail instant at 0 x\n  expected_fail_regexp a+b\n");
  EXPECT_TRUE(CheckExpectedFailure(old, "xaaab").ok());
  EXPECT_FALSE(CheckExpectedFailure(old, "xb").ok());
}

TEST(PromqlTestCompare, VectorAt) {
  promql::Matrix m = {{L({"a", "1"}), {{0, 1}, {60000, 2}}}, {L({"a", "2"}), {{0, 5}}}};
  promql::Vector v = VectorAt(m, 60000);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].f, 2);
  EXPECT_EQ(v[0].metric, L({"a", "1"}));
}

TEST(PromqlTestQuery, AtModifierCases) {
  auto c = AtModifierCases("sum(rate(foo[5m])) + bar", 100000);
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->size(), 5u);
  EXPECT_EQ((*c)[0].eval_ms, -1000000);
  EXPECT_EQ((*c)[2].eval_ms, 20000);
  EXPECT_EQ((*c)[4].eval_ms, 1000000);
  EXPECT_THAT((*c)[0].expr, HasSubstr("foo[5m] @ 100.000"));
  EXPECT_THAT((*c)[0].expr, HasSubstr("bar @ 100.000"));
  auto zero = AtModifierCases("foo", 0);
  ASSERT_TRUE(zero.ok());
  ASSERT_EQ(zero->size(), 3u);
  EXPECT_EQ((*zero)[0].eval_ms, -1000);
  // Explicit @ stays; selectors inside a subquery are left alone.
  auto sub = AtModifierCases("foo @ 50 + max_over_time(bar[5m:1m])", 60000);
  ASSERT_TRUE(sub.ok());
  EXPECT_THAT((*sub)[0].expr, HasSubstr("foo @ 50.000"));
  EXPECT_THAT((*sub)[0].expr, HasSubstr("bar[5m:1m] @ 60.000"));
  EXPECT_THAT((*sub)[0].expr, Not(HasSubstr("bar @")));
  // time() and timestamp() depend on the evaluation time: no variants.
  EXPECT_TRUE(AtModifierCases("timestamp(foo)", 60000)->empty());
  EXPECT_TRUE(AtModifierCases("foo + time()", 60000)->empty());
  // ... unless they sit inside a subquery, which test.go does not look into.
  EXPECT_EQ(AtModifierCases("max_over_time((foo + time())[5m:1m])", 60000)->size(), 5u);
  EXPECT_FALSE(AtModifierCases("foo(", 0).ok());
}

TEST(PromqlTestQuery, UsesQueryContextFunction) {
  EXPECT_TRUE(UsesQueryContextFunction("foo @ start()"));
  EXPECT_TRUE(UsesQueryContextFunction("x[step()]"));
  EXPECT_FALSE(UsesQueryContextFunction("start_time"));
}

TEST(PromqlTestQuery, SelectsAnyOf) {
  std::vector<Labels> hist = {L({"__name__", "h", "job", "a"})};
  EXPECT_TRUE(*SelectsAnyOf("rate(h[5m])", hist));
  EXPECT_TRUE(*SelectsAnyOf("sum(x) + on() count({job=~\"a|b\"})", hist));
  EXPECT_FALSE(*SelectsAnyOf("h{job=\"b\"}", hist));
  EXPECT_FALSE(*SelectsAnyOf("x", hist));
  EXPECT_FALSE(*SelectsAnyOf("x", {}));
}

TEST(PromqlTestStorage, LoadsFloatsAndTracksHistograms) {
  auto s = ParseScript(R"(load 1m
  metric{a="1"} 1 _ stale 4
  h {{schema:0 sum:1 count:1}} 2

load_with_nhcb 1m
  foo_bucket{le="1", job="x"} 1
  foo_bucket{le="+Inf", job="x"} 2
  foo_count{job="x"} 2
)");
  ASSERT_TRUE(s.ok()) << s.status();
  TestStorage st;
  ASSERT_TRUE(st.Clear().ok());
  ASSERT_TRUE(st.Load(std::get<LoadCmd>(s->commands[0])).ok());
  ASSERT_TRUE(st.Load(std::get<LoadCmd>(s->commands[1])).ok());
  EXPECT_THAT(st.histogram_series(), ::testing::UnorderedElementsAre(
                                         L({"__name__", "h"}), L({"__name__", "foo", "job", "x"})));
  auto q = st.queryable()(0, 1000000);
  Matcher m = *Matcher::Create(MatchType::kEqual, "__name__", "metric");
  auto set = q->Select(std::span<const Matcher>(&m, 1));
  ASSERT_TRUE(set->Next());
  auto it = set->Iterator();
  std::vector<std::pair<int64_t, double>> got;
  while (it->Next()) got.push_back({it->t(), it->v()});
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0], (std::pair<int64_t, double>{0, 1}));
  EXPECT_EQ(got[1].first, 120000);
  EXPECT_TRUE(IsStaleNaN(got[1].second));  // the marker's bits survive storage
  EXPECT_EQ(got[2], (std::pair<int64_t, double>{180000, 4}));
  // The float point of the histogram series is stored too.
  Matcher mh = *Matcher::Create(MatchType::kEqual, "__name__", "h");
  EXPECT_TRUE(q->Select(std::span<const Matcher>(&mh, 1))->Next());
  q.reset();
  ASSERT_TRUE(st.Clear().ok());
  EXPECT_TRUE(st.histogram_series().empty());
  auto q2 = st.queryable()(0, 1000000);
  EXPECT_FALSE(q2->Select(std::span<const Matcher>(&m, 1))->Next());
}

}  // namespace
}  // namespace strata::promqltest
