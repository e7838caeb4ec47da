// Tests of the binary operators (promql/binop.h) on hand-built vectors. The
// expected values, labels and errors come from Prometheus 3: the cases cite
// the promqltest scripts (operators.test, collision.test,
// name_label_dropping.test) they are taken from, or engine.go where no
// script covers the case.
#include "promql/binop.h"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "fmt/format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace strata::promql {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr int64_t kTs = 3000000;

Sample S(std::initializer_list<std::string_view> labels, double f, bool drop_name = false) {
  return Sample{Labels::FromStrings(labels), 1, f, drop_name};
}

// One result sample as text: labels, value (shortest round-trip form), and
// "drop" when flagged for delayed name removal. Also checks the timestamp.
std::vector<std::string> Render(const Vector& v) {
  std::vector<std::string> out;
  for (const Sample& s : v) {
    EXPECT_EQ(s.t, kTs) << s.metric.ToString();
    // NaN's sign is not observable in Prometheus (0/0 is -nan on x86).
    double f = std::isnan(s.f) ? kNaN : s.f;
    out.push_back(fmt::format("{} {}{}", s.metric.ToString(), f, s.drop_name ? " drop" : ""));
  }
  return out;
}

BinaryExpr Expr(TokenKind op, Cardinality card = Cardinality::kOneToOne,
                std::vector<std::string> matching = {}, bool on = false,
                std::vector<std::string> include = {}, bool return_bool = false) {
  BinaryExpr e;
  e.op = op;
  e.return_bool = return_bool;
  e.matching.emplace();
  e.matching->card = card;
  e.matching->matching_labels = std::move(matching);
  e.matching->on = on;
  e.matching->include = std::move(include);
  return e;
}

BinaryExpr SetExpr(TokenKind op, std::vector<std::string> matching = {}, bool on = false) {
  return Expr(op, Cardinality::kManyToMany, std::move(matching), on);
}

BinaryExpr Bool(TokenKind op) {
  return Expr(op, Cardinality::kOneToOne, {}, false, {}, /*return_bool=*/true);
}

absl::Status Run(const BinaryExpr& e, const Vector& lhs, const Vector& rhs, Vector* out) {
  auto scratch = NewBinopScratch();
  Annotations annos;
  absl::Status st = VectorVectorBinop(e, lhs, rhs, kTs, scratch.get(), &annos, out);
  EXPECT_TRUE(annos.empty());
  return st;
}

std::vector<std::string> VV(const BinaryExpr& e, const Vector& lhs, const Vector& rhs) {
  Vector out;
  absl::Status st = Run(e, lhs, rhs, &out);
  EXPECT_TRUE(st.ok()) << st;
  return Render(out);
}

std::string VVError(const BinaryExpr& e, const Vector& lhs, const Vector& rhs) {
  Vector out;
  absl::Status st = Run(e, lhs, rhs, &out);
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition) << st;
  return std::string(st.message());
}

std::vector<std::string> VS(const BinaryExpr& e, const Vector& v, double scalar,
                            bool scalar_on_left) {
  Vector out;
  Annotations annos;
  absl::Status st = VectorScalarBinop(e, v, scalar, scalar_on_left, kTs, &annos, &out);
  EXPECT_TRUE(st.ok()) << st;
  return Render(out);
}

// ---- Scalars ----

TEST(BinopScalarTest, Arithmetic) {
  EXPECT_EQ(ScalarBinop(TokenKind::kAdd, 1, 2), 3);
  EXPECT_EQ(ScalarBinop(TokenKind::kSub, 1, 2), -1);
  EXPECT_EQ(ScalarBinop(TokenKind::kMul, 3, 2), 6);
  EXPECT_EQ(ScalarBinop(TokenKind::kDiv, 3, 2), 1.5);
  // operators.test: `-2^---1*3` is -1.5 and `2/-2^---1*3+2` is -10.
  EXPECT_EQ(-ScalarBinop(TokenKind::kPow, 2, -1) * 3, -1.5);
  // Division by zero: ±Inf, or NaN for 0/0 (operators.test `/ 0` cases).
  EXPECT_EQ(ScalarBinop(TokenKind::kDiv, 1000, 0), kInf);
  EXPECT_EQ(ScalarBinop(TokenKind::kDiv, -1000, 0), -kInf);
  EXPECT_TRUE(std::isnan(ScalarBinop(TokenKind::kDiv, 0, 0)));
}

TEST(BinopScalarTest, ModAsGoMathMod) {
  // operators.test: SUM BY (job) % 3 / % 0.3 give 1 and 0.1 for 1000.
  EXPECT_EQ(ScalarBinop(TokenKind::kMod, 1000, 3), 1);
  EXPECT_EQ(ScalarBinop(TokenKind::kMod, 1000, 0.3), std::fmod(1000, 0.3));
  EXPECT_NEAR(ScalarBinop(TokenKind::kMod, 1000, 0.3), 0.1, 1e-12);
  EXPECT_EQ(ScalarBinop(TokenKind::kMod, -7, 3), -1);  // sign of the dividend
  EXPECT_EQ(ScalarBinop(TokenKind::kMod, 7, -3), 1);
  EXPECT_TRUE(std::isnan(ScalarBinop(TokenKind::kMod, 0, 0)));  // `0 * x % 0`
  EXPECT_TRUE(std::isnan(ScalarBinop(TokenKind::kMod, kInf, 2)));
  EXPECT_EQ(ScalarBinop(TokenKind::kMod, 5, kInf), 5);
}

TEST(BinopScalarTest, PowAsGoMathPow) {
  EXPECT_EQ(ScalarBinop(TokenKind::kPow, 1000, 2), 1000000);
  EXPECT_EQ(ScalarBinop(TokenKind::kPow, 2, 9), 512);  // % 2 ^ 3 ^ 2 (right assoc.)
  EXPECT_EQ(ScalarBinop(TokenKind::kPow, 4, 4), 256);
  EXPECT_EQ(ScalarBinop(TokenKind::kPow, 10, 3), 1000);
  EXPECT_EQ(ScalarBinop(TokenKind::kPow, 1000, -1), 0.001);
  EXPECT_EQ(ScalarBinop(TokenKind::kPow, 16, 0.5), 4);
  EXPECT_EQ(ScalarBinop(TokenKind::kPow, 16, -0.5), 0.25);
  EXPECT_NEAR(ScalarBinop(TokenKind::kPow, 2, 0.3), std::pow(2, 0.3), 1e-15);
  EXPECT_NEAR(ScalarBinop(TokenKind::kPow, 1.5, 10.75), std::pow(1.5, 10.75), 1e-12);
  // Go's special cases.
  EXPECT_EQ(ScalarBinop(TokenKind::kPow, kNaN, 0), 1);
  EXPECT_EQ(ScalarBinop(TokenKind::kPow, 1, kNaN), 1);
  EXPECT_TRUE(std::isnan(ScalarBinop(TokenKind::kPow, kNaN, 2)));
  EXPECT_TRUE(std::isnan(ScalarBinop(TokenKind::kPow, -8, 1.0 / 3)));
  EXPECT_EQ(ScalarBinop(TokenKind::kPow, -2, 3), -8);
  EXPECT_EQ(ScalarBinop(TokenKind::kPow, 0, -1), kInf);
  EXPECT_EQ(ScalarBinop(TokenKind::kPow, -0.0, -3), -kInf);
  EXPECT_EQ(ScalarBinop(TokenKind::kPow, -1, kInf), 1);
  EXPECT_EQ(ScalarBinop(TokenKind::kPow, 0.5, kInf), 0);
  EXPECT_EQ(ScalarBinop(TokenKind::kPow, 2, -kInf), 0);
  EXPECT_EQ(ScalarBinop(TokenKind::kPow, -kInf, 3), -kInf);
  EXPECT_EQ(ScalarBinop(TokenKind::kPow, -kInf, -3), 0);
  EXPECT_TRUE(std::signbit(ScalarBinop(TokenKind::kPow, -kInf, -3)));
  EXPECT_FALSE(std::signbit(ScalarBinop(TokenKind::kPow, -kInf, -2)));
  EXPECT_EQ(ScalarBinop(TokenKind::kPow, 10, 400), kInf);
  EXPECT_EQ(ScalarBinop(TokenKind::kPow, 10, -400), 0);
  EXPECT_EQ(ScalarBinop(TokenKind::kPow, 2, 1e19), kInf);  // exponent beyond int64
}

TEST(BinopScalarTest, Atan2AsGoMathAtan2) {
  // operators.test: `10 atan2 20` and `10 atan2 NaN`.
  EXPECT_EQ(ScalarBinop(TokenKind::kAtan2, 10, 20), 0.4636476090008061);
  EXPECT_TRUE(std::isnan(ScalarBinop(TokenKind::kAtan2, 10, kNaN)));
  EXPECT_EQ(ScalarBinop(TokenKind::kAtan2, 1, -1), 3 * M_PI / 4);
  EXPECT_EQ(ScalarBinop(TokenKind::kAtan2, -1, -1), -3 * M_PI / 4);
  EXPECT_EQ(ScalarBinop(TokenKind::kAtan2, 0, -1), M_PI);
  EXPECT_EQ(ScalarBinop(TokenKind::kAtan2, 5, 0), M_PI / 2);
  EXPECT_EQ(ScalarBinop(TokenKind::kAtan2, kInf, -kInf), 2.35619449019234492884698253745962716);
  EXPECT_EQ(ScalarBinop(TokenKind::kAtan2, 3, kInf), 0);
  for (double y : {0.1, 0.7, 1.0, 2.0, 3.5, 100.0}) {
    EXPECT_NEAR(ScalarBinop(TokenKind::kAtan2, y, 1), std::atan2(y, 1), 4e-16) << y;
  }
}

TEST(BinopScalarTest, ComparisonsGiveZeroOrOne) {
  // operators.test: `0 == bool 1` is 0, `1 == bool 1` is 1.
  EXPECT_EQ(ScalarBinop(TokenKind::kEqlc, 0, 1), 0);
  EXPECT_EQ(ScalarBinop(TokenKind::kEqlc, 1, 1), 1);
  EXPECT_EQ(ScalarBinop(TokenKind::kNeq, 1, 2), 1);
  EXPECT_EQ(ScalarBinop(TokenKind::kGtr, 1, 2), 0);
  EXPECT_EQ(ScalarBinop(TokenKind::kLss, 1, 2), 1);
  EXPECT_EQ(ScalarBinop(TokenKind::kGte, 2, 2), 1);
  EXPECT_EQ(ScalarBinop(TokenKind::kLte, 3, 2), 0);
  EXPECT_EQ(ScalarBinop(TokenKind::kEqlc, kNaN, kNaN), 0);
  EXPECT_EQ(ScalarBinop(TokenKind::kNeq, kNaN, kNaN), 1);
}

// ---- Vector and scalar ----

Vector JobSums() { return {S({"job", "api-server"}, 1000), S({"job", "app-server"}, 2600)}; }

TEST(BinopVectorScalarTest, ArithmeticFlagsNameForRemoval) {
  // operators.test: `SUM(...) BY (job) - 2` and `2 - SUM(...) BY (job)`.
  EXPECT_THAT(VS(Expr(TokenKind::kSub), JobSums(), 2, false),
              ElementsAre(R"({job="api-server"} 998 drop)", R"({job="app-server"} 2598 drop)"));
  EXPECT_THAT(VS(Expr(TokenKind::kSub), JobSums(), 2, true),
              ElementsAre(R"({job="api-server"} -998 drop)", R"({job="app-server"} -2598 drop)"));
  // name_label_dropping.test: `metric_total * 2` drops the name (delayed).
  EXPECT_THAT(
      VS(Expr(TokenKind::kMul), {S({"__name__", "metric_total", "env", "1"}, 120)}, 2, false),
      ElementsAre(R"(metric_total{env="1"} 240 drop)"));
  // `1000 / SUM BY (job)`.
  EXPECT_THAT(VS(Expr(TokenKind::kDiv), JobSums(), 1000, true),
              ElementsAre(R"({job="api-server"} 1 drop)",
                          R"({job="app-server"} 0.38461538461538464 drop)"));
}

TEST(BinopVectorScalarTest, FilterKeepsVectorValueOnEitherSide) {
  // operators.test: `SUM BY (job) > 1000` and `1000 < SUM BY (job)` both
  // give the vector's 2600.
  EXPECT_THAT(VS(Expr(TokenKind::kGtr), JobSums(), 1000, false),
              ElementsAre(R"({job="app-server"} 2600)"));
  EXPECT_THAT(VS(Expr(TokenKind::kLss), JobSums(), 1000, true),
              ElementsAre(R"({job="app-server"} 2600)"));
  // `3 >= left_floats` keeps samples <= 3 with their own values.
  Vector v = {S({"__name__", "left_floats"}, 1), S({"__name__", "left_floats"}, 3),
              S({"__name__", "left_floats"}, 4)};
  EXPECT_THAT(VS(Expr(TokenKind::kGte), v, 3, true), ElementsAre("left_floats 1", "left_floats 3"));
  // `left_floats != 3` keeps NaN; `== NaN` keeps nothing.
  Vector with_nan = {S({"__name__", "left_floats"}, kNaN), S({"__name__", "left_floats"}, 3)};
  EXPECT_THAT(VS(Expr(TokenKind::kNeq), with_nan, 3, false), ElementsAre("left_floats nan"));
  EXPECT_THAT(VS(Expr(TokenKind::kEqlc), with_nan, kNaN, true), IsEmpty());
}

TEST(BinopVectorScalarTest, FilterKeepsInputDropNameFlag) {
  // engine.go VectorscalarBinop copies the input sample: `rate(x[5m]) > 0`
  // still drops the name at the end.
  Vector v = {S({"__name__", "x", "a", "1"}, 5, /*drop_name=*/true),
              S({"__name__", "y", "a", "2"}, 5)};
  EXPECT_THAT(VS(Expr(TokenKind::kGtr), v, 0, false),
              ElementsAre(R"(x{a="1"} 5 drop)", R"(y{a="2"} 5)"));
}

TEST(BinopVectorScalarTest, BoolGivesZeroOrOneAndFlagsName) {
  // operators.test: `SUM BY (job) == bool 1000`, and
  // `http_requests_total{...} == bool 100` (name dropped).
  EXPECT_THAT(VS(Bool(TokenKind::kEqlc), JobSums(), 1000, false),
              ElementsAre(R"({job="api-server"} 1 drop)", R"({job="app-server"} 0 drop)"));
  EXPECT_THAT(VS(Bool(TokenKind::kEqlc), {S({"__name__", "m", "job", "a"}, 100)}, 100, true),
              ElementsAre(R"(m{job="a"} 1 drop)"));
  EXPECT_THAT(VS(Bool(TokenKind::kEqlc), {S({"job", "a"}, kNaN)}, kNaN, false),
              ElementsAre(R"({job="a"} 0 drop)"));
}

// ---- Vector and vector: arithmetic and comparisons ----

TEST(BinopVectorTest, ArithmeticRemovesNameImmediately) {
  // name_label_dropping.test: `metric_total + another_metric_total`.
  // resultMetric deletes __name__ (and __type__/__unit__) at once, so the
  // result is not flagged.
  EXPECT_THAT(VV(Expr(TokenKind::kAdd), {S({"__name__", "metric_total", "env", "1"}, 120)},
                 {S({"__name__", "another_metric_total", "env", "1"}, 180)}),
              ElementsAre(R"({env="1"} 300)"));
  // type_and_unit.test: arithmetic drops the schema labels too (they take
  // part in matching: only __name__ is ignored).
  EXPECT_THAT(VV(Expr(TokenKind::kSub),
                 {S({"__name__", "a", "__type__", "counter", "__unit__", "req", "job", "x"}, 5)},
                 {S({"__name__", "b", "__type__", "counter", "__unit__", "req", "job", "x"}, 1)}),
              ElementsAre(R"({job="x"} 4)"));
  EXPECT_THAT(
      VV(Expr(TokenKind::kSub), {S({"__type__", "counter", "job", "x"}, 5)}, {S({"job", "x"}, 1)}),
      IsEmpty());
}

TEST(BinopVectorTest, ComparisonKeepsLeftLabelsAndValue) {
  // operators.test: `test_total > test_smaller`, `test_total < test_smaller`.
  Vector l = {S({"__name__", "test_total", "instance", "localhost"}, 50)};
  Vector r = {S({"__name__", "test_smaller", "instance", "localhost"}, 10)};
  EXPECT_THAT(VV(Expr(TokenKind::kGtr), l, r),
              ElementsAre(R"(test_total{instance="localhost"} 50)"));
  EXPECT_THAT(VV(Expr(TokenKind::kLss), l, r), IsEmpty());
  // `test_total > bool test_smaller`: 1, name flagged (delayed removal).
  EXPECT_THAT(VV(Bool(TokenKind::kGtr), l, r),
              ElementsAre(R"(test_total{instance="localhost"} 1 drop)"));
  EXPECT_THAT(VV(Bool(TokenKind::kLss), l, r),
              ElementsAre(R"(test_total{instance="localhost"} 0 drop)"));
}

TEST(BinopVectorTest, InputDropNameIsNotCarried) {
  // engine.go VectorBinop builds new samples with DropName = returnBool.
  Vector l = {S({"__name__", "x", "a", "1"}, 5, /*drop_name=*/true)};
  Vector r = {S({"__name__", "y", "a", "1"}, 1, /*drop_name=*/true)};
  EXPECT_THAT(VV(Expr(TokenKind::kGtr), l, r), ElementsAre(R"(x{a="1"} 5)"));
}

TEST(BinopVectorTest, OnKeepsOnlyOnLabelsInOneToOne) {
  // operators.test: canary / on(instance,job) production, and the same
  // with ignoring(group).
  Vector canary = {S({"__name__", "h", "group", "canary", "instance", "0", "job", "api"}, 300),
                   S({"__name__", "h", "group", "canary", "instance", "1", "job", "api"}, 400)};
  Vector prod = {S({"__name__", "h", "group", "production", "instance", "0", "job", "api"}, 100),
                 S({"__name__", "h", "group", "production", "instance", "1", "job", "api"}, 200)};
  EXPECT_THAT(
      VV(Expr(TokenKind::kDiv, Cardinality::kOneToOne, {"instance", "job"}, true), canary, prod),
      ElementsAre(R"({instance="0", job="api"} 3)", R"({instance="1", job="api"} 2)"));
  EXPECT_THAT(VV(Expr(TokenKind::kDiv, Cardinality::kOneToOne, {"group"}), canary, prod),
              ElementsAre(R"({instance="0", job="api"} 3)", R"({instance="1", job="api"} 2)"));
  // A filtering comparison with on(...) also keeps only the on labels
  // (__name__ included only when listed).
  EXPECT_THAT(VV(Expr(TokenKind::kGtr, Cardinality::kOneToOne, {"instance"}, true), canary, prod),
              ElementsAre(R"({instance="0"} 300)", R"({instance="1"} 400)"));
  EXPECT_THAT(VV(Expr(TokenKind::kGtr, Cardinality::kOneToOne, {"instance", "__name__"}, true),
                 canary, prod),
              ElementsAre(R"(h{instance="0"} 300)", R"(h{instance="1"} 400)"));
}

TEST(BinopVectorTest, OnEmptyAndIgnoringEmpty) {
  // operators.test: `random + on() metricA` and `metricA + ignoring() metricB`.
  EXPECT_THAT(VV(Expr(TokenKind::kAdd, Cardinality::kOneToOne, {}, true),
                 {S({"__name__", "random", "foo", "bar"}, 2)},
                 {S({"__name__", "metricA", "baz", "meh"}, 3)}),
              ElementsAre("{} 5"));
  EXPECT_THAT(VV(Expr(TokenKind::kAdd), {S({"__name__", "metricA", "baz", "meh"}, 3)},
                 {S({"__name__", "metricB", "baz", "meh"}, 4)}),
              ElementsAre(R"({baz="meh"} 7)"));
  // No match: no output.
  EXPECT_THAT(VV(Expr(TokenKind::kAdd), {S({"a", "1"}, 3)}, {S({"a", "2"}, 4)}), IsEmpty());
}

TEST(BinopVectorTest, Atan2AndDivisionByZero) {
  // operators.test: `trigy atan2 trigx`, `trigy atan2 trigNaN`.
  EXPECT_THAT(
      VV(Expr(TokenKind::kAtan2), {S({"__name__", "trigy"}, 10)}, {S({"__name__", "trigx"}, 20)}),
      ElementsAre("{} 0.4636476090008061"));
  EXPECT_THAT(VV(Expr(TokenKind::kAtan2), {S({"__name__", "trigy"}, 10)},
                 {S({"__name__", "trigNaN"}, kNaN)}),
              ElementsAre("{} nan"));
  EXPECT_THAT(VV(Expr(TokenKind::kDiv), {S({"job", "a"}, -1), S({"job", "b"}, 0)},
                 {S({"job", "a"}, 0), S({"job", "b"}, 0)}),
              ElementsAre(R"({job="a"} -inf)", R"({job="b"} nan)"));
}

// ---- group_left / group_right ----

TEST(BinopVectorTest, GroupLeftCopiesIncludeLabelsFromOneSide) {
  // operators.test: node_var * on (instance) group_left (role) node_role,
  // and node_cpu * ignoring (role, mode) group_left (role) node_role.
  Vector node_var = {S({"__name__", "node_var", "instance", "abc", "job", "node"}, 2)};
  Vector node_role = {
      S({"__name__", "node_role", "instance", "abc", "job", "node", "role", "prometheus"}, 1)};
  EXPECT_THAT(VV(Expr(TokenKind::kMul, Cardinality::kManyToOne, {"instance"}, true, {"role"}),
                 node_var, node_role),
              ElementsAre(R"({instance="abc", job="node", role="prometheus"} 2)"));
  Vector node_cpu = {
      S({"__name__", "node_cpu", "instance", "abc", "job", "node", "mode", "idle"}, 3),
      S({"__name__", "node_cpu", "instance", "abc", "job", "node", "mode", "user"}, 1),
      S({"__name__", "node_cpu", "instance", "def", "job", "node", "mode", "idle"}, 8)};
  EXPECT_THAT(VV(Expr(TokenKind::kMul, Cardinality::kManyToOne, {"role", "mode"}, false, {"role"}),
                 node_cpu, node_role),
              ElementsAre(R"({instance="abc", job="node", mode="idle", role="prometheus"} 3)",
                          R"({instance="abc", job="node", mode="user", role="prometheus"} 1)"));
  // group_left(dummy): absent on the one side, so not added.
  EXPECT_THAT(
      VV(Expr(TokenKind::kDiv, Cardinality::kManyToOne, {"mode"}, false, {"dummy"}), node_cpu,
         {S({"instance", "abc", "job", "node"}, 4), S({"instance", "def", "job", "node"}, 10)}),
      ElementsAre(R"({instance="abc", job="node", mode="idle"} 0.75)",
                  R"({instance="abc", job="node", mode="user"} 0.25)",
                  R"({instance="def", job="node", mode="idle"} 0.8)"));
}

TEST(BinopVectorTest, GroupRightSwapsSides) {
  // operators.test: node_role * on (instance) group_right (role) node_var.
  Vector node_var = {S({"__name__", "node_var", "instance", "abc", "job", "node"}, 2)};
  Vector node_role = {
      S({"__name__", "node_role", "instance", "abc", "job", "node", "role", "prometheus"}, 1)};
  EXPECT_THAT(VV(Expr(TokenKind::kMul, Cardinality::kOneToMany, {"instance"}, true, {"role"}),
                 node_role, node_var),
              ElementsAre(R"({instance="abc", job="node", role="prometheus"} 2)"));
  // The operands keep their order: 10 - {many} with group_right.
  EXPECT_THAT(VV(Expr(TokenKind::kSub, Cardinality::kOneToMany, {"a"}, true), {S({"a", "1"}, 10)},
                 {S({"a", "1", "b", "x"}, 3), S({"a", "1", "b", "y"}, 4)}),
              ElementsAre(R"({a="1", b="x"} 7)", R"({a="1", b="y"} 6)"));
  // A comparison with group_right keeps the one (left) side's value and the
  // many side's labels.
  EXPECT_THAT(VV(Expr(TokenKind::kGtr, Cardinality::kOneToMany, {"a"}, true),
                 {S({"__name__", "one", "a", "1"}, 10)},
                 {S({"__name__", "many", "a", "1", "b", "x"}, 3),
                  S({"__name__", "many", "a", "1", "b", "y"}, 40)}),
              ElementsAre(R"(many{a="1", b="x"} 10)"));
}

TEST(BinopVectorTest, GroupLeftFilterAddsOrRemovesTarget) {
  // operators.test: node_cpu > on(job, instance) group_left(target)
  // (threshold or on (job, instance) (sum by (job, instance)(node_cpu) * 0 + 1)):
  // the one side without `target` removes it.
  Vector node_cpu = {
      S({"__name__", "node_cpu", "instance", "abc", "job", "node", "mode", "idle"}, 3),
      S({"__name__", "node_cpu", "instance", "def", "job", "node", "mode", "idle", "target",
         "stale"},
        8)};
  Vector thresholds = {
      S({"__name__", "threshold", "instance", "abc", "job", "node", "target", "a@b.com"}, 0),
      S({"instance", "def", "job", "node"}, 1)};
  EXPECT_THAT(
      VV(Expr(TokenKind::kGtr, Cardinality::kManyToOne, {"job", "instance"}, true, {"target"}),
         node_cpu, thresholds),
      ElementsAre(R"(node_cpu{instance="abc", job="node", mode="idle", target="a@b.com"} 3)",
                  R"(node_cpu{instance="def", job="node", mode="idle"} 8)"));
}

TEST(BinopVectorTest, CollisionScriptGroupLeft) {
  // collision.test: count by(namespace, pod, cpu) (...) * on(namespace, pod)
  // group_left(node) node_namespace_pod:kube_pod_info:{...}.
  Vector counts = {S({"cpu", "10", "namespace", "observability", "pod", "ne"}, 1),
                   S({"cpu", "35", "namespace", "observability", "pod", "ne"}, 1),
                   S({"cpu", "89", "namespace", "observability", "pod", "ne"}, 1)};
  Vector info = {S({"__name__", "node_namespace_pod:kube_pod_info:", "namespace", "observability",
                    "node", "gke-1", "pod", "ne"},
                   1)};
  EXPECT_THAT(
      VV(Expr(TokenKind::kMul, Cardinality::kManyToOne, {"namespace", "pod"}, true, {"node"}),
         counts, info),
      ElementsAre(R"({cpu="10", namespace="observability", node="gke-1", pod="ne"} 1)",
                  R"({cpu="35", namespace="observability", node="gke-1", pod="ne"} 1)",
                  R"({cpu="89", namespace="observability", node="gke-1", pod="ne"} 1)"));
}

// ---- Matching errors ----

TEST(BinopVectorTest, DuplicateOnRightSide) {
  // engine.go: the error names the current and the earlier duplicate, in
  // Go's labels.String() form.
  EXPECT_EQ(
      VVError(Expr(TokenKind::kAdd, Cardinality::kOneToOne, {"job"}, true), {S({"job", "test"}, 1)},
              {S({"__name__", "one", "job", "test", "x", "1"}, 1),
               S({"__name__", "one", "job", "test", "x", "2"}, 2)}),
      R"(found duplicate series for the match group {job="test"} on the right hand-side )"
      R"(of the operation: [{__name__="one", job="test", x="2"}, )"
      R"({__name__="one", job="test", x="1"}];many-to-many matching not allowed: )"
      R"(matching labels must be unique on one side)");
}

TEST(BinopVectorTest, DuplicateOnLeftSideWithGroupRight) {
  // With ignoring, the match group omits __name__ and the ignored labels;
  // non-legacy label names are quoted.
  EXPECT_EQ(VVError(Expr(TokenKind::kAdd, Cardinality::kOneToMany, {"x"}, false),
                    {S({"__name__", "a", "a.b", "1", "x", "1"}, 1),
                     S({"__name__", "a", "a.b", "1", "x", "2"}, 1)},
                    {S({"a.b", "1"}, 1)}),
            R"(found duplicate series for the match group {"a.b"="1"} on the left hand-side )"
            R"(of the operation: [{__name__="a", "a.b"="1", x="2"}, )"
            R"({__name__="a", "a.b"="1", x="1"}];many-to-many matching not allowed: )"
            R"(matching labels must be unique on one side)");
}

TEST(BinopVectorTest, ManyToOneMustBeExplicitEvenWhenFiltered) {
  // operators.test: many_side > on(job) one_side fails although no sample
  // survives the filter (and likewise >= and <=).
  Vector many = {S({"__name__", "many_side", "job", "test", "label", "foo"}, 0),
                 S({"__name__", "many_side", "job", "test", "label", "bar"}, 1)};
  Vector one = {S({"__name__", "one_side", "job", "test"}, 1)};
  const std::string want =
      "multiple matches for labels: many-to-one matching must be explicit "
      "(group_left/group_right)";
  for (TokenKind op : {TokenKind::kGtr, TokenKind::kGte, TokenKind::kLte}) {
    EXPECT_EQ(VVError(Expr(op, Cardinality::kOneToOne, {"job"}, true), many, one), want);
  }
  // The same data with group_left is fine.
  EXPECT_THAT(VV(Expr(TokenKind::kLte, Cardinality::kManyToOne, {"job"}, true), many, one),
              ElementsAre(R"(many_side{job="test", label="foo"} 0)",
                          R"(many_side{job="test", label="bar"} 1)"));
}

TEST(BinopVectorTest, GroupingLabelsMustEnsureUniqueMatches) {
  // Arithmetic removes the names, so both left samples give {a="1"}.
  Vector many = {S({"__name__", "m1", "a", "1"}, 1), S({"__name__", "m2", "a", "1"}, 2)};
  Vector one = {S({"a", "1"}, 1)};
  EXPECT_EQ(VVError(Expr(TokenKind::kAdd, Cardinality::kManyToOne, {"a"}, true), many, one),
            "multiple matches for labels: grouping labels must ensure unique matches");
  // A comparison keeps the names: no clash.
  EXPECT_THAT(VV(Expr(TokenKind::kGte, Cardinality::kManyToOne, {"a"}, true), many, one),
              ElementsAre(R"(m1{a="1"} 1)", R"(m2{a="1"} 2)"));
}

TEST(BinopVectorTest, EmptySideShortCircuitsBeforeErrors) {
  // Duplicates on the one side are not reported when the other side is
  // empty (engine.go returns before building the map).
  Vector dup = {S({"a", "1", "x", "1"}, 1), S({"a", "1", "x", "2"}, 1)};
  EXPECT_THAT(VV(Expr(TokenKind::kAdd, Cardinality::kOneToOne, {"a"}, true), {}, dup), IsEmpty());
}

// ---- Set operators ----

Vector Http() {
  return {S({"__name__", "h", "group", "canary", "instance", "0", "job", "api"}, 300),
          S({"__name__", "h", "group", "canary", "instance", "1", "job", "api"}, 400),
          S({"__name__", "h", "group", "production", "instance", "0", "job", "api"}, 100),
          S({"__name__", "h", "group", "production", "instance", "1", "job", "api"}, 200)};
}

Vector Select(const Vector& v, std::string_view name, std::string_view value) {
  Vector out;
  for (const Sample& s : v) {
    if (s.metric.Get(name) == value) out.push_back(s);
  }
  return out;
}

TEST(BinopSetTest, And) {
  // operators.test: h{group="canary"} and h{instance="0"}.
  EXPECT_THAT(VV(SetExpr(TokenKind::kLand), Select(Http(), "group", "canary"),
                 Select(Http(), "instance", "0")),
              ElementsAre(R"(h{group="canary", instance="0", job="api"} 300)"));
  // and on(instance) / ignoring(group) match across groups.
  EXPECT_THAT(VV(SetExpr(TokenKind::kLand, {"instance"}, true), Select(Http(), "group", "canary"),
                 Select(Select(Http(), "instance", "0"), "group", "production")),
              ElementsAre(R"(h{group="canary", instance="0", job="api"} 300)"));
  EXPECT_THAT(VV(SetExpr(TokenKind::kLand, {"group"}), Select(Http(), "group", "canary"),
                 Select(Select(Http(), "instance", "0"), "group", "production")),
              ElementsAre(R"(h{group="canary", instance="0", job="api"} 300)"));
  // http_requests_total AND ON (dummy) vector(1): everything.
  EXPECT_EQ(VV(SetExpr(TokenKind::kLand, {"dummy"}, true), Http(), {S({}, 1)}).size(), 4u);
  // Empty side: nothing.
  EXPECT_THAT(VV(SetExpr(TokenKind::kLand), Http(), {}), IsEmpty());
}

TEST(BinopSetTest, OrDropsRhsOnOverlap) {
  // operators.test: (h{group="canary"} + 1) or h{instance="1"}: the lhs
  // has no name, but ignoring() still ignores __name__ when matching.
  Vector lhs = {S({"group", "canary", "instance", "0", "job", "api"}, 301),
                S({"group", "canary", "instance", "1", "job", "api"}, 401)};
  EXPECT_THAT(VV(SetExpr(TokenKind::kLor), lhs, Select(Http(), "instance", "1")),
              ElementsAre(R"({group="canary", instance="0", job="api"} 301)",
                          R"({group="canary", instance="1", job="api"} 401)",
                          R"(h{group="production", instance="1", job="api"} 200)"));
  // or on(instance): rhs series without instance share the empty
  // signature and are all added.
  Vector rhs = Http();
  rhs.push_back(S({"__name__", "vector_matching_a", "l", "x"}, 10));
  rhs.push_back(S({"__name__", "vector_matching_a", "l", "y"}, 20));
  EXPECT_THAT(VV(SetExpr(TokenKind::kLor, {"instance"}, true), lhs, rhs),
              ElementsAre(R"({group="canary", instance="0", job="api"} 301)",
                          R"({group="canary", instance="1", job="api"} 401)",
                          R"(vector_matching_a{l="x"} 10)", R"(vector_matching_a{l="y"} 20)"));
}

TEST(BinopSetTest, OrKeepsDropNameFlags) {
  // name_label_dropping.test: metric_total{env="1"} or rate(...{env="2"}):
  // each sample keeps its own flag; with an empty side the other is copied.
  Vector a = {S({"__name__", "metric_total", "env", "1"}, 10)};
  Vector b = {S({"__name__", "metric_total", "env", "2"}, 0.05, /*drop_name=*/true)};
  EXPECT_THAT(VV(SetExpr(TokenKind::kLor), a, b),
              ElementsAre(R"(metric_total{env="1"} 10)", R"(metric_total{env="2"} 0.05 drop)"));
  EXPECT_THAT(VV(SetExpr(TokenKind::kLor), {}, b),
              ElementsAre(R"(metric_total{env="2"} 0.05 drop)"));
  EXPECT_THAT(VV(SetExpr(TokenKind::kLor), b, {}),
              ElementsAre(R"(metric_total{env="2"} 0.05 drop)"));
}

TEST(BinopSetTest, Unless) {
  // operators.test: canary unless h{instance="0"}; unless on(job) removes
  // everything; unless ignoring(group) keeps instance 1.
  Vector canary = Select(Http(), "group", "canary");
  Vector inst0 = Select(Http(), "instance", "0");
  EXPECT_THAT(VV(SetExpr(TokenKind::kLunless), canary, inst0),
              ElementsAre(R"(h{group="canary", instance="1", job="api"} 400)"));
  EXPECT_THAT(VV(SetExpr(TokenKind::kLunless, {"job"}, true), canary, inst0), IsEmpty());
  EXPECT_THAT(
      VV(SetExpr(TokenKind::kLunless, {"group"}), canary, Select(inst0, "group", "production")),
      ElementsAre(R"(h{group="canary", instance="1", job="api"} 400)"));
  EXPECT_THAT(VV(SetExpr(TokenKind::kLunless, {"group", "instance"}), canary, inst0), IsEmpty());
  // Empty rhs: the whole lhs.
  EXPECT_EQ(VV(SetExpr(TokenKind::kLunless), canary, {}).size(), 2u);
}

TEST(BinopSetTest, ScratchIsReusableAcrossSteps) {
  auto scratch = NewBinopScratch();
  Annotations annos;
  BinaryExpr e = Expr(TokenKind::kAdd, Cardinality::kManyToOne, {"a"}, true);
  Vector out;
  ASSERT_TRUE(VectorVectorBinop(e, {S({"a", "1", "b", "x"}, 1), S({"a", "2", "b", "y"}, 2)},
                                {S({"a", "1"}, 10), S({"a", "2"}, 20)}, kTs, scratch.get(), &annos,
                                &out)
                  .ok());
  // Second step: different series; stale state would mismatch or error.
  ASSERT_TRUE(VectorVectorBinop(e, {S({"a", "2", "b", "x"}, 3)}, {S({"a", "2"}, 30)}, kTs,
                                scratch.get(), &annos, &out)
                  .ok());
  EXPECT_THAT(Render(out),
              ElementsAre(R"({a="1", b="x"} 11)", R"({a="2", b="y"} 22)", R"({a="2", b="x"} 33)"));
}

}  // namespace
}  // namespace strata::promql
