// Tests of the instant-vector math functions (promql/functions_math.cc),
// with expected values from Prometheus's promqltest scripts where they exist.
#include <cmath>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gtest/gtest.h"
#include "promql/function_impls.h"
#include "tests/promql/function_test_util.h"

namespace strata::promql {
namespace {

using ::strata::promql::testing::FindImpl;
using ::strata::promql::testing::kInf;
using ::strata::promql::testing::kNaN;
using ::strata::promql::testing::S;
using ::strata::promql::testing::ScalarArg;
using ::strata::promql::testing::VectorArg;

const FunctionImpl& Impl(std::string_view name) { return FindImpl(MathFunctionImpls(), name); }

// Calls `name` with the vector `in` and then the scalars.
Vector Call(std::string_view name, const Vector* in, std::vector<double> scalars = {},
            int64_t ts = 0) {
  std::vector<FunctionArg> args;
  if (in != nullptr) args.push_back(VectorArg(in));
  for (double s : scalars) args.push_back(ScalarArg(s));
  FunctionContext ctx;
  ctx.ts = ts;
  Vector out;
  EXPECT_TRUE(Impl(name).fn(args, ctx, &out).ok());
  return out;
}

// functions.test "Test for abs, ceil(), floor(), round()".
TEST(FunctionsMathTest, RoundingAndAbs) {
  const Vector data = {S({"type", "positive"}, 2.5), S({"type", "negative"}, -2.5),
                       S({"type", "nzero"}, -0.0), S({"type", "ninf"}, -kInf),
                       S({"type", "nan"}, kNaN)};
  Vector abs = Call("abs", &data);
  ASSERT_EQ(abs.size(), 5u);
  EXPECT_EQ(abs[1].f, 2.5);
  EXPECT_EQ(abs[3].f, kInf);
  EXPECT_TRUE(std::isnan(abs[4].f));
  EXPECT_EQ(Call("ceil", &data)[1].f, -2);
  EXPECT_EQ(Call("floor", &data)[1].f, -3);
  Vector round = Call("round", &data);
  EXPECT_EQ(round[0].f, 3);   // ties round up
  EXPECT_EQ(round[1].f, -2);  // -2.5 rounds up too
  EXPECT_EQ(round[2].f, 0);
  EXPECT_FALSE(std::signbit(round[2].f));  // floor(-0 + 0.5) is +0
  EXPECT_EQ(round[3].f, -kInf);
  EXPECT_TRUE(std::isnan(round[4].f));
}

// aggregators.test: round(..., 0.1) and round(..., 5).
TEST(FunctionsMathTest, RoundToNearest) {
  const Vector in = {S({}, 0.05), S({}, 2.15), S({}, 12.5), S({}, -0.04)};
  Vector out = Call("round", &in, {0.1});
  EXPECT_EQ(out[0].f, 0.1);
  EXPECT_DOUBLE_EQ(out[1].f, 2.2);
  EXPECT_EQ(Call("round", &in, {5})[2].f, 15);
  EXPECT_EQ(out[3].f, 0);
  EXPECT_FALSE(std::signbit(out[3].f));  // floor(-0.4 + 0.5) / 10 is +0, never -0
}

TEST(FunctionsMathTest, DropsNameAndKeepsLabels) {
  const Vector in = {S({"__name__", "m", "a", "b"}, 4)};
  Vector out = Call("sqrt", &in);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].f, 2);
  EXPECT_TRUE(out[0].drop_name);
  EXPECT_EQ(out[0].metric, in[0].metric);  // the evaluator removes the name later
  EXPECT_TRUE(Call("exp", nullptr).empty());
}

// functions.test "Test cases for sgn".
TEST(FunctionsMathTest, Sgn) {
  const Vector in = {S({}, -kInf), S({}, kInf), S({}, kNaN), S({}, -50), S({}, -0.0), S({}, 100)};
  Vector out = Call("sgn", &in);
  EXPECT_EQ(out[0].f, -1);
  EXPECT_EQ(out[1].f, 1);
  EXPECT_TRUE(std::isnan(out[2].f));
  EXPECT_EQ(out[3].f, -1);
  EXPECT_TRUE(std::signbit(out[4].f));
  EXPECT_EQ(out[5].f, 1);
}

// trig_functions.test.
TEST(FunctionsMathTest, Trigonometry) {
  const Vector in = {S({"l", "x"}, 10), S({"l", "NaN"}, kNaN)};
  EXPECT_DOUBLE_EQ(Call("sin", &in)[0].f, -0.5440211108893699);
  EXPECT_DOUBLE_EQ(Call("cosh", &in)[0].f, 11013.232920103324);
  EXPECT_DOUBLE_EQ(Call("acosh", &in)[0].f, 2.993222846126381);
  EXPECT_DOUBLE_EQ(Call("rad", &in)[0].f, 0.17453292519943295);
  EXPECT_DOUBLE_EQ(Call("deg", &in)[0].f, 572.9577951308232);
  EXPECT_TRUE(std::isnan(Call("tan", &in)[1].f));
  const Vector out_of_domain = {S({}, 9.9)};
  EXPECT_TRUE(std::isnan(Call("asin", &out_of_domain)[0].f));
  EXPECT_TRUE(std::isnan(Call("atanh", &out_of_domain)[0].f));
}

TEST(FunctionsMathTest, Logarithms) {
  const Vector in = {S({}, 8), S({}, 1000), S({}, 0), S({}, -1)};
  Vector log2 = Call("log2", &in);
  EXPECT_EQ(log2[0].f, 3);
  EXPECT_EQ(log2[2].f, -kInf);
  EXPECT_TRUE(std::isnan(log2[3].f));
  EXPECT_NEAR(Call("log10", &in)[1].f, 3, 1e-15);
  EXPECT_EQ(Call("ln", &in)[2].f, -kInf);
}

// functions.test "Tests for clamp_max, clamp_min(), and clamp()".
TEST(FunctionsMathTest, Clamp) {
  const Vector in = {S({"src", "a"}, -50), S({"src", "b"}, 0), S({"src", "c"}, 100)};
  Vector out = Call("clamp", &in, {-25, 75});
  EXPECT_EQ(out[0].f, -25);
  EXPECT_EQ(out[1].f, 0);
  EXPECT_EQ(out[2].f, 75);
  EXPECT_EQ(Call("clamp_max", &in, {75})[2].f, 75);
  EXPECT_EQ(Call("clamp_min", &in, {-25})[0].f, -25);
  for (const Sample& s : Call("clamp", &in, {0, kNaN})) EXPECT_TRUE(std::isnan(s.f));
  for (const Sample& s : Call("clamp", &in, {kNaN, 0})) EXPECT_TRUE(std::isnan(s.f));
  EXPECT_TRUE(Call("clamp", &in, {5, -5}).empty());  // max < min: empty
  // Go's math.Max lets +Inf win over NaN.
  const Vector nan = {S({}, kNaN)};
  EXPECT_EQ(Call("clamp_min", &nan, {kInf})[0].f, kInf);
  EXPECT_TRUE(std::isnan(Call("clamp_min", &nan, {0})[0].f));
}

// functions.test "Tests for vector".
TEST(FunctionsMathTest, VectorOfScalar) {
  Vector out = Call("vector", nullptr, {5});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].metric.empty());
  EXPECT_EQ(out[0].f, 5);
  EXPECT_FALSE(out[0].drop_name);
}

// functions.test "Test time-related functions".
TEST(FunctionsMathTest, DateFunctions) {
  const Vector t = {S({"__name__", "x"}, 1136239445)};  // 2006-01-02T22:04:05Z, a Monday
  EXPECT_EQ(Call("year", &t)[0].f, 2006);
  EXPECT_EQ(Call("month", &t)[0].f, 1);
  EXPECT_EQ(Call("day_of_month", &t)[0].f, 2);
  EXPECT_EQ(Call("day_of_year", &t)[0].f, 2);
  EXPECT_EQ(Call("day_of_week", &t)[0].f, 1);
  EXPECT_EQ(Call("hour", &t)[0].f, 22);
  EXPECT_EQ(Call("minute", &t)[0].f, 4);
  EXPECT_TRUE(Call("hour", &t)[0].drop_name);

  const Vector leap = {S({}, 1456790399), S({}, 1456790400), S({}, 1483191420),
                       S({}, 1672493820), S({}, 1454284800), S({}, 1485907200),
                       S({}, 1230767999), S({}, 1230768000), S({}, 1136239445.9)};
  Vector month = Call("month", &leap), dom = Call("day_of_month", &leap);
  EXPECT_EQ(month[0].f + dom[0].f / 100, 2.29);
  EXPECT_EQ(month[1].f + dom[1].f / 100, 3.01);
  Vector doy = Call("day_of_year", &leap);
  EXPECT_EQ(doy[2].f, 366);
  EXPECT_EQ(doy[3].f, 365);
  Vector dim = Call("days_in_month", &leap);
  EXPECT_EQ(dim[4].f, 29);
  EXPECT_EQ(dim[5].f, 28);
  Vector year = Call("year", &leap);
  EXPECT_EQ(year[6].f, 2008);
  EXPECT_EQ(year[7].f, 2009);
  EXPECT_EQ(Call("minute", &leap)[8].f, 4);  // the fraction is truncated

  const Vector before_epoch = {S({}, -1)};  // 1969-12-31T23:59:59Z, a Wednesday
  EXPECT_EQ(Call("year", &before_epoch)[0].f, 1969);
  EXPECT_EQ(Call("day_of_week", &before_epoch)[0].f, 3);
  EXPECT_EQ(Call("minute", &before_epoch)[0].f, 59);
}

// Without an argument the date functions use the evaluation time.
TEST(FunctionsMathTest, DateFunctionsWithoutArgument) {
  Vector out = Call("year", nullptr, {}, 0);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].f, 1970);
  EXPECT_TRUE(out[0].metric.empty());
  EXPECT_EQ(Call("day_of_week", nullptr, {}, 0)[0].f, 4);        // a Thursday
  EXPECT_EQ(Call("minute", nullptr, {}, 1500 * 1000)[0].f, 25);  // at_modifier.test
  EXPECT_EQ(Call("hour", nullptr, {}, 1136239445999)[0].f, 22);
}

// functions.test "Tests for sort/sort_desc": NaN sorts last both ways.
TEST(FunctionsMathTest, SortPutsNaNLast) {
  const Vector in = {S({"i", "a"}, 300), S({"i", "nan1"}, kNaN), S({"i", "b"}, 100),
                     S({"i", "c"}, 200), S({"i", "nan2"}, kNaN), S({"i", "d"}, 100)};
  Vector asc = Call("sort", &in);
  std::vector<std::string> order;
  for (const Sample& s : asc) order.emplace_back(s.metric.Get("i"));
  // Ties keep their input order; NaNs come out in reverse input order, as
  // Go's insertion sort leaves them.
  EXPECT_EQ(order, (std::vector<std::string>{"b", "d", "c", "a", "nan2", "nan1"}));
  Vector desc = Call("sort_desc", &in);
  order.clear();
  for (const Sample& s : desc) order.emplace_back(s.metric.Get("i"));
  EXPECT_EQ(order, (std::vector<std::string>{"a", "c", "b", "d", "nan2", "nan1"}));
}

TEST(FunctionsMathTest, SortKeepsSamplesUnchanged) {
  Vector in = {S({"__name__", "m", "i", "a"}, 2), S({"__name__", "m", "i", "b"}, 1)};
  in[0].drop_name = true;
  Vector out = Call("sort", &in);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].metric, in[1].metric);
  EXPECT_FALSE(out[0].drop_name);
  EXPECT_TRUE(out[1].drop_name);
  EXPECT_TRUE(Call("sort", nullptr).empty());
  const Vector empty;
  EXPECT_TRUE(Call("sort_desc", &empty).empty());
}

TEST(FunctionsMathTest, TableNamesEveryFunction) {
  for (std::string_view name :
       {"abs",         "ceil",          "floor", "exp",    "sqrt",         "ln",
        "log2",        "log10",         "sgn",   "round",  "clamp",        "clamp_min",
        "clamp_max",   "acos",          "acosh", "asin",   "asinh",        "atan",
        "atanh",       "cos",           "cosh",  "sin",    "sinh",         "tan",
        "tanh",        "deg",           "rad",   "vector", "day_of_month", "day_of_week",
        "day_of_year", "days_in_month", "hour",  "minute", "month",        "year",
        "sort",        "sort_desc"}) {
    EXPECT_NE(Impl(name).fn, nullptr) << name;
    EXPECT_FALSE(Impl(name).keeps_name) << name;
  }
}

}  // namespace
}  // namespace strata::promql
