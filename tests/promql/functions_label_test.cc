// Tests of label_replace, label_join, sort_by_label and sort_by_label_desc
// (promql/functions_label.cc), with cases from Prometheus's functions.test
// and name_label_dropping.test.
#include <string>
#include <string_view>
#include <vector>

#include "gtest/gtest.h"
#include "promql/function_impls.h"
#include "tests/promql/function_test_util.h"

namespace strata::promql {
namespace {

using ::strata::promql::testing::FindImpl;
using ::strata::promql::testing::S;
using ::strata::promql::testing::VectorArg;

const FunctionImpl& Impl(std::string_view name) { return FindImpl(LabelFunctionImpls(), name); }

FunctionArg StringArg(std::string_view s) {
  FunctionArg a;
  a.string = s;
  return a;
}

absl::Status Eval(std::string_view name, const Vector& in, std::vector<std::string_view> strings,
                  Vector* out) {
  std::vector<FunctionArg> args;
  args.push_back(VectorArg(&in));
  for (std::string_view s : strings) args.push_back(StringArg(s));
  FunctionContext ctx;
  return Impl(name).fn(args, ctx, out);
}

Vector Call(std::string_view name, const Vector& in, std::vector<std::string_view> strings) {
  Vector out;
  absl::Status st = Eval(name, in, strings, &out);
  EXPECT_TRUE(st.ok()) << st;
  return out;
}

const Vector& TestMetric() {
  static const Vector* v = new Vector{
      S({"__name__", "testmetric", "src", "source-value-10", "dst", "original-destination-value"},
        0),
      S({"__name__", "testmetric", "src", "source-value-20", "dst", "original-destination-value"},
        1)};
  return *v;
}

// functions.test "Tests for label_replace".
TEST(FunctionsLabelTest, LabelReplace) {
  const Vector& in = TestMetric();
  Vector out =
      Call("label_replace", in, {"dst", "destination-value-$1", "src", "source-value-(.*)"});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].metric.Get("dst"), "destination-value-10");
  EXPECT_EQ(out[1].metric.Get("dst"), "destination-value-20");
  EXPECT_EQ(out[0].metric.Get("__name__"), "testmetric");
  EXPECT_FALSE(out[0].drop_name);
  // Full-string match only.
  out = Call("label_replace", in, {"dst", "destination-value-$1", "src", "value-(.*)"});
  EXPECT_EQ(out[0].metric.Get("dst"), "original-destination-value");
  // Several groups.
  out = Call("label_replace", in, {"dst", "$1-value-$2", "src", "(.*)-value-(.*)"});
  EXPECT_EQ(out[1].metric.Get("dst"), "source-value-20");
  // A missing source label is the empty string: no match here, a match with (.*).
  out = Call("label_replace", in, {"dst", "value-$1", "nonexistent-src", "source-value-(.*)"});
  EXPECT_EQ(out[0].metric.Get("dst"), "original-destination-value");
  out = Call("label_replace", in, {"dst", "value-$1", "nonexistent-src", "(.*)"});
  EXPECT_EQ(out[0].metric.Get("dst"), "value-");
  // Setting a label to "" removes it.
  out = Call("label_replace", in, {"dst", "", "dst", ".*"});
  EXPECT_FALSE(out[0].metric.Has("dst"));
  EXPECT_EQ(out[0].metric.size(), 2u);
}

TEST(FunctionsLabelTest, LabelReplaceErrors) {
  Vector out;
  absl::Status st = Eval("label_replace", TestMetric(), {"dst", "value-$1", "src", "(.*"}, &out);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(), "invalid regular expression in label_replace(): (.*");
  st = Eval("label_replace", TestMetric(), {"\xff", "", "src", "(.*)"}, &out);
  EXPECT_EQ(st.message(), "invalid destination label name in label_replace(): \xff");
  st = Eval("label_replace", TestMetric(), {"", "", "src", "(.*)"}, &out);
  EXPECT_EQ(st.message(), "invalid destination label name in label_replace(): ");
  // Arguments are checked even for an empty vector.
  st = Eval("label_replace", Vector{}, {"dst", "", "src", "("}, &out);
  EXPECT_FALSE(st.ok());
  // Removing the only distinguishing label: "vector cannot contain metrics
  // with the same labelset".
  out.clear();
  st = Eval("label_replace", TestMetric(), {"src", "", "", ""}, &out);
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(st.message(), "vector cannot contain metrics with the same labelset");
}

// Go's Regexp.Expand rules.
TEST(FunctionsLabelTest, LabelReplaceExpansion) {
  const Vector in = {S({"src", "ab-cd"}, 1)};
  auto dst = [&](std::string_view repl, std::string_view regex) {
    Vector out = Call("label_replace", in, {"dst", repl, "src", regex});
    return std::string(out[0].metric.Get("dst"));
  };
  EXPECT_EQ(dst("${1}x", "(.*)-(.*)"), "abx");
  EXPECT_EQ(dst("$1x", "(.*)-(.*)"), "");  // the group named "1x" does not exist
  EXPECT_EQ(dst("$$1", "(.*)-(.*)"), "$1");
  EXPECT_EQ(dst("a$", "(.*)-(.*)"), "a$");    // malformed: kept
  EXPECT_EQ(dst("${1", "(.*)-(.*)"), "${1");  // missing brace: kept
  EXPECT_EQ(dst("$first/$2", "(?P<first>.*)-(.*)"), "ab/cd");
  EXPECT_EQ(dst("[$3]", "(.*)-(.*)"), "[]");      // no such group
  EXPECT_EQ(dst("[$2]", "(.*)-(x)?(.*)"), "[]");  // group that did not participate
  EXPECT_EQ(dst("$01", "(.*)-(.*)"), "");         // leading zero: a name, not a number
  // `.` matches newlines: Prometheus wraps the regex in (?s:...).
  const Vector nl = {S({"src", "a\nb"}, 1)};
  EXPECT_EQ(Call("label_replace", nl, {"dst", "$1", "src", "(.*)"})[0].metric.Get("dst"), "a\nb");
}

// name_label_dropping.test: relabeling a name that is to be dropped keeps the
// pending removal, unless __name__ itself is written.
TEST(FunctionsLabelTest, LabelReplaceAndDelayedNameRemoval) {
  Vector in = {S({"__name__", "metric_total", "env", "1"}, 1)};
  in[0].drop_name = true;
  Vector out = Call("label_replace", in, {"my_name", "rate_$1", "__name__", "(.+)"});
  EXPECT_EQ(out[0].metric.Get("my_name"), "rate_metric_total");
  EXPECT_TRUE(out[0].drop_name);
  out = Call("label_replace", in, {"__name__", "rate_$1", "__name__", "(.+)"});
  EXPECT_EQ(out[0].metric.Get("__name__"), "rate_metric_total");
  EXPECT_FALSE(out[0].drop_name);
  // No match: the sample is untouched, including its pending removal.
  out = Call("label_replace", in, {"__name__", "x", "__name__", "nomatch"});
  EXPECT_TRUE(out[0].drop_name);
  EXPECT_EQ(out[0].metric, in[0].metric);
}

// functions.test "Tests for label_join".
TEST(FunctionsLabelTest, LabelJoin) {
  const Vector in = {
      S({"__name__", "testmetric", "src", "a", "src1", "b", "src2", "c", "dst", "orig"}, 0),
      S({"__name__", "testmetric", "src", "d", "src1", "e", "src2", "f", "dst", "orig"}, 1)};
  Vector out = Call("label_join", in, {"dst", "-", "src", "src1", "src2"});
  EXPECT_EQ(out[0].metric.Get("dst"), "a-b-c");
  EXPECT_EQ(out[1].metric.Get("dst"), "d-e-f");
  out = Call("label_join", in, {"dst", "-", "src", "src3", "src1"});
  EXPECT_EQ(out[0].metric.Get("dst"), "a--b");
  out = Call("label_join", in, {"dst", "", "emptysrc", "emptysrc1", "emptysrc2"});
  EXPECT_FALSE(out[0].metric.Has("dst"));
  out = Call("label_join", in, {"dst", ", "});  // no source labels
  EXPECT_FALSE(out[1].metric.Has("dst"));

  Vector dropped = {S({"__name__", "m", "env", "1"}, 1)};
  dropped[0].drop_name = true;
  out = Call("label_join", dropped, {"my_name", "_", "__name__"});
  EXPECT_EQ(out[0].metric.Get("my_name"), "m");
  EXPECT_TRUE(out[0].drop_name);
  out = Call("label_join", dropped, {"__name__", "_", "__name__", "env"});
  EXPECT_EQ(out[0].metric.Get("__name__"), "m_1");
  EXPECT_FALSE(out[0].drop_name);
}

TEST(FunctionsLabelTest, LabelJoinErrors) {
  const Vector dup = {S({"__name__", "dup", "label", "a", "this", "a"}, 1),
                      S({"__name__", "dup", "label", "b", "this", "a"}, 1)};
  Vector out;
  absl::Status st = Eval("label_join", dup, {"label", "", "this"}, &out);
  EXPECT_EQ(st.message(), "vector cannot contain metrics with the same labelset");
  st = Eval("label_join", dup, {"dst", "", "ok", "\xff"}, &out);
  EXPECT_EQ(st.message(), "invalid source label name in label_join(): \xff");
  st = Eval("label_join", dup, {"", "", "\xfe"}, &out);  // sources are checked first
  EXPECT_EQ(st.message(), "invalid source label name in label_join(): \xfe");
  st = Eval("label_join", dup, {"", "", "x"}, &out);
  EXPECT_EQ(st.message(), "invalid destination label name in label_join(): ");
  // UTF-8 names are valid in Prometheus 3.
  out.clear();
  EXPECT_TRUE(Eval("label_join", dup, {"dst.ü", "", "label"}, &out).ok());
}

std::vector<std::string> Values(const Vector& v, std::string_view label) {
  std::vector<std::string> out;
  for (const Sample& s : v) out.emplace_back(s.metric.Get(label));
  return out;
}

// functions.test "Tests for sort_by_label/sort_by_label_desc".
TEST(FunctionsLabelTest, SortByLabelNatural) {
  Vector cpu;
  for (std::string_view c : {"10", "2", "100", "1", "21", "0", "3", "11", "20", "12"}) {
    cpu.push_back(S({"__name__", "cpu_time_total", "cpu", c, "job", "cpu"}, 100));
  }
  EXPECT_EQ(Values(Call("sort_by_label", cpu, {"cpu"}), "cpu"),
            (std::vector<std::string>{"0", "1", "2", "3", "10", "11", "12", "20", "21", "100"}));
  const Vector node = {S({"instance", "4m600", "release", "1.2.3"}, 1),
                       S({"instance", "4m5", "release", "1.11.3"}, 1),
                       S({"instance", "4m1000", "release", "1.111.3"}, 1)};
  EXPECT_EQ(Values(Call("sort_by_label", node, {"instance"}), "instance"),
            (std::vector<std::string>{"4m5", "4m600", "4m1000"}));
  EXPECT_EQ(Values(Call("sort_by_label", node, {"release"}), "release"),
            (std::vector<std::string>{"1.2.3", "1.11.3", "1.111.3"}));
}

TEST(FunctionsLabelTest, SortByLabelTiesUseWholeLabelSet) {
  const Vector in = {S({"group", "production", "instance", "1", "job", "api"}, 200),
                     S({"group", "canary", "instance", "1", "job", "app"}, 800),
                     S({"group", "canary", "instance", "0", "job", "api"}, 300),
                     S({"group", "production", "instance", "0", "job", "api"}, 100),
                     S({"group", "canary", "instance", "1", "job", "api"}, 400)};
  Vector out = Call("sort_by_label", in, {"instance"});
  std::vector<double> values;
  for (const Sample& s : out) values.push_back(s.f);
  EXPECT_EQ(values, (std::vector<double>{300, 100, 400, 800, 200}));
  out = Call("sort_by_label_desc", in, {"instance"});
  values.clear();
  for (const Sample& s : out) values.push_back(s.f);
  EXPECT_EQ(values, (std::vector<double>{200, 800, 400, 100, 300}));
  out = Call("sort_by_label", in, {"job", "instance", "group"});
  values.clear();
  for (const Sample& s : out) values.push_back(s.f);
  EXPECT_EQ(values, (std::vector<double>{300, 100, 400, 200, 800}));
}

// Prometheus's natural compare says false both ways for "" and "x", so with
// Go's insertion sort a sample without the label never moves past one with it.
TEST(FunctionsLabelTest, SortByLabelMissingLabelKeepsGoOrder) {
  const Vector in = {S({"i", "b", "x", "2"}, 1), S({"i", "a"}, 2), S({"i", "c", "x", "1"}, 3)};
  Vector out = Call("sort_by_label", in, {"x"});
  EXPECT_EQ(Values(out, "i"), (std::vector<std::string>{"b", "a", "c"}));
  EXPECT_TRUE(Call("sort_by_label", Vector{}, {"x"}).empty());
}

}  // namespace
}  // namespace strata::promql
