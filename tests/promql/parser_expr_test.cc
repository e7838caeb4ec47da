// Parser tests for the expression grammar: literals, operators, vector
// matching, aggregations, calls, subqueries, and Prometheus's type checks.
// Printed forms and error messages are Prometheus 3's (printer_test.go,
// parse_test.go); positions are line:col.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "promql/functions.h"
#include "promql/parser.h"

namespace strata::promql {
namespace {

struct PrintCase {
  std::string input;
  std::string want;  // "" means the input itself
};

TEST(ParseExprPrintTest, RoundTrips) {
  const std::vector<PrintCase> cases = {
      // printer_test.go's TestExprString.
      {R"(sum by() (task:errors:rate10s{job="s"}))", R"(sum(task:errors:rate10s{job="s"}))"},
      {R"(sum by(code) (task:errors:rate10s{job="s"}))",
       R"(sum by (code) (task:errors:rate10s{job="s"}))"},
      {R"(sum without() (task:errors:rate10s{job="s"}))",
       R"(sum without () (task:errors:rate10s{job="s"}))"},
      {R"(sum without(instance) (task:errors:rate10s{job="s"}))",
       R"(sum without (instance) (task:errors:rate10s{job="s"}))"},
      {R"(topk(5, task:errors:rate10s{job="s"}))", ""},
      {R"(count_values("value", task:errors:rate10s{job="s"}))", ""},
      {"a - on() c", "a - on () c"},
      {"a - on(b) c", "a - on (b) c"},
      {"a - on(b) group_left(x) c", "a - on (b) group_left (x) c"},
      {"a - on(b) group_left(x, y) c", "a - on (b) group_left (x, y) c"},
      {"a - on(b) group_left c", "a - on (b) group_left () c"},
      {"a - on(b) group_left() (c)", "a - on (b) group_left () (c)"},
      {"a - ignoring(b) c", "a - ignoring (b) c"},
      {"a - ignoring() c", "a - c"},
      {"up > bool 0", ""},
      {"a offset 1m", ""},
      {"a offset -7m", ""},
      {R"(a{c="d"}[5m] offset 1m)", ""},
      {"a[5m] offset 1m", ""},
      {"a[12m] offset -3m", ""},
      {"a[1h:5m] offset 1m", ""},
      {R"({__name__="a"})", ""},
      {"a @ 10", "a @ 10.000"},
      {"a[1m] @ 10", "a[1m] @ 10.000"},
      {"a @ start()", ""},
      {"a[1m] @ end()", ""},
      // Numbers.
      {"1", ""},
      {"1.5", ""},
      {".5", "0.5"},
      {"5.", "5"},
      {"0x1f", "31"},
      {"0X1F", "31"},
      {"1e3", "1000"},
      {"1e-3", "0.001"},
      {"1_000", "1000"},
      {"Inf", "+Inf"},
      {"+Inf", "+Inf"},
      {"-Inf", "-Inf"},
      {"inf", "+Inf"},
      {"NaN", "NaN"},
      {"-nan", "NaN"},
      {"-1", ""},
      {"+1", "1"},
      {"- - 1", "1"},
      {"-0x10", "-16"},
      // Durations used as numbers print as durations (Prometheus 3).
      {"5m", ""},
      {"-5m", ""},
      {"1h30m", ""},
      {"90s", "1m30s"},
      // Strings.
      {R"("foo")", ""},
      {"'foo'", R"("foo")"},
      {"`a\\b`", R"("a\\b")"},
      {R"("a\nb\t\"")", ""},
      // Parentheses and unary operators.
      {"(foo)", ""},
      {"((1))", ""},
      {"-foo", ""},
      {"+foo", ""},
      {"-(1)", ""},
      {"- -foo", "--foo"},
      {"-foo offset 5m", ""},
      // Binary operators and precedence (the tree prints flat; see the
      // structure tests).
      {"1 + 2", ""},
      {"1 + 2 * 3", ""},
      {"foo * bar", ""},
      {"foo atan2 bar", ""},
      {"foo ^ 2", ""},
      {"foo % 2", ""},
      {"1 == bool 1", ""},
      {"foo != bar", ""},
      {"foo >= bool 2", ""},
      {"foo < 1", ""},
      {"foo and bar", ""},
      {"foo or bar unless baz", ""},
      {"foo == bool on(a) bar", "foo == bool on (a) bar"},
      {"foo * ignoring(a, b) group_right(c) bar", "foo * ignoring (a, b) group_right (c) bar"},
      {"foo and on(a,) bar", "foo and on (a) bar"},
      {"foo + on(\"a.b\") bar", R"(foo + on ("a.b") bar)"},
      {"1 + -2", ""},
      // As in Prometheus, a literal +Inf under ^ prints ambiguously: the
      // text parses back as +(Inf ^ 2).
      {"Inf ^ 2", "+Inf ^ 2"},
      {"2 ^ -1", ""},
      // Aggregations.
      {"sum(foo)", ""},
      {"SUM(foo)", "sum(foo)"},
      {"sum(foo) by (a, b)", "sum by (a, b) (foo)"},
      {"sum by (a,) (foo)", "sum by (a) (foo)"},
      {"avg without (job) (foo)", "avg without (job) (foo)"},
      {"count(foo)", ""},
      {"min(foo)", ""},
      {"max(foo)", ""},
      {"group(foo)", ""},
      {"stddev(foo)", ""},
      {"stdvar(foo)", ""},
      {"bottomk(3, foo)", ""},
      {"quantile(0.9, foo)", ""},
      {"limitk(2, foo)", ""},
      {"limit_ratio(0.5, foo)", ""},
      {"topk by (a) (5, foo)", ""},
      {"topk(5, foo) without (a)", "topk without (a) (5, foo)"},
      {"sum without(and, by, avg, count, alert, annotations)(some_metric)",
       "sum without (and, by, avg, count, alert, annotations) (some_metric)"},
      {"sum by (\"foo.bar\") (x)", R"x(sum by ("foo.bar") (x))x"},
      {"sum(sum)", ""},
      {"sum(foo) + on (a) group_left sum(bar)", "sum(foo) + on (a) group_left () sum(bar)"},
      // Calls.
      {"rate(foo[5m])", ""},
      {"time()", ""},
      {"pi()", ""},
      {"round(foo)", ""},
      {"round(foo, 5)", ""},
      {"hour()", ""},
      {"clamp(foo, 0, 1)", ""},
      {"histogram_quantile(0.9, sum by (le) (rate(foo[5m])))", ""},
      {R"x(label_replace(foo, "dst", "$1", "src", "(.*)"))x", ""},
      {R"(label_join(foo, "dst", ",", "a", "b", "c"))", ""},
      {R"(label_join(foo, "dst", ","))", ""},
      {"quantile_over_time(0.5, foo[5m])", ""},
      {"predict_linear(foo[5m], 60)", ""},
      {"absent_over_time(foo[5m])", ""},
      {"double_exponential_smoothing(foo[5m], 0.5, 0.5)", ""},
      {R"(sort_by_label(foo, "a", "b"))", ""},
      {"vector(1)", ""},
      {R"(info(foo, {job="x"}))", ""},
      {R"(info(foo, {a=""}))", ""},
      {"info(foo)", ""},
      {"scalar(foo) + 1", ""},
      {"rate((foo[5m]))", ""},
      // Subqueries and their modifiers.
      {"foo[5m:]", ""},
      {"foo[5m:1m]", ""},
      {"rate(foo[5m])[1h:5m]", ""},
      {"(foo + bar)[5m:1m] offset 10m", ""},
      {"foo[5m:1m] @ 100", "foo[5m:1m] @ 100.000"},
      {"foo[5m:1m] offset 1m @ start()", "foo[5m:1m] @ start() offset 1m"},
      {"foo[5m:] offset -1m", ""},
      {R"(min_over_time(rate(foo{bar="baz"}[2s])[5m:] @ 1603775091)[4m:3s])",
       R"(min_over_time(rate(foo{bar="baz"}[2s])[5m:] @ 1603775091.000)[4m:3s])"},
      {"foo offset 5m [10m:1m]", "foo offset 5m[10m:1m]"},
      // Keywords stay metric names where no construct starts.
      {"sum + by", ""},
      {"offset offset 5m", ""},
      {"rate", ""},
      // Comments and white space.
      {"sum(foo) # total\n + 1", "sum(foo) + 1"},
      {"foo\n*\nbar", "foo * bar"},
  };
  for (const PrintCase& c : cases) {
    absl::StatusOr<std::unique_ptr<Expr>> got = ParseExpr(c.input);
    ASSERT_TRUE(got.ok()) << c.input << ": " << got.status();
    const std::string want = c.want.empty() ? c.input : c.want;
    EXPECT_EQ((*got)->ToString(), want) << c.input;
    // The printed form parses back (to itself, but for the +Inf case).
    absl::StatusOr<std::unique_ptr<Expr>> again = ParseExpr((*got)->ToString());
    ASSERT_TRUE(again.ok()) << want << ": " << again.status();
    if (c.input != "Inf ^ 2") {
      EXPECT_EQ((*again)->ToString(), want);
    }
    // Clone() copies the whole tree.
    EXPECT_EQ((*got)->Clone()->ToString(), want);
  }
}

// The tree's shape: parenthesised by precedence.
std::string Shape(const Expr& e) {
  switch (e.kind()) {
    case NodeKind::kBinaryExpr: {
      const auto& b = e.As<BinaryExpr>();
      return "(" + Shape(*b.lhs) + " " + std::string(OperatorString(b.op)) + " " + Shape(*b.rhs) +
             ")";
    }
    case NodeKind::kUnaryExpr: {
      const auto& u = e.As<UnaryExpr>();
      return "{" + std::string(OperatorString(u.op)) + Shape(*u.expr) + "}";
    }
    case NodeKind::kParenExpr:
      return "[" + Shape(*e.As<ParenExpr>().expr) + "]";
    default:
      return e.ToString();
  }
}

TEST(ParseExprStructureTest, Precedence) {
  const std::vector<PrintCase> cases = {
      {"1 + 2 * 3", "(1 + (2 * 3))"},
      {"1 * 2 + 3", "((1 * 2) + 3)"},
      {"1 - 2 - 3", "((1 - 2) - 3)"},
      {"2 ^ 3 ^ 2", "(2 ^ (3 ^ 2))"},
      {"a or b and c", "(a or (b and c))"},
      {"a and b unless c", "((a and b) unless c)"},
      {"a unless b or c", "((a unless b) or c)"},
      {"a > b + c", "(a > (b + c))"},
      {"a == b and c", "((a == b) and c)"},
      {"a + b % c atan2 d", "(a + ((b % c) atan2 d))"},
      {"a * b ^ c", "(a * (b ^ c))"},
      {"-a ^ b", "{-(a ^ b)}"},
      {"-a * b", "({-a} * b)"},
      {"-1 ^ 2", "{-(1 ^ 2)}"},
      {"-1 * 2", "(-1 * 2)"},
      {"2 ^ -1 ^ 2", "(2 ^ {-(1 ^ 2)})"},
      {"(a + b) * c", "([(a + b)] * c)"},
      {"a - -b", "(a - {-b})"},
      {"a + b == bool c or d * e", "(((a + b) == c) or (d * e))"},
  };
  for (const PrintCase& c : cases) {
    absl::StatusOr<std::unique_ptr<Expr>> got = ParseExpr(c.input);
    if (!got.ok()) {
      // `or` between scalars is a type error; check shape without it.
      ADD_FAILURE() << c.input << ": " << got.status();
      continue;
    }
    EXPECT_EQ(Shape(**got), c.want) << c.input;
  }
}

TEST(ParseExprStructureTest, NodeFields) {
  {
    auto e = ParseExpr("foo * on(a, b) group_left(c) bar");
    ASSERT_TRUE(e.ok()) << e.status();
    const auto* be = (*e)->DynCast<BinaryExpr>();
    ASSERT_NE(be, nullptr);
    EXPECT_EQ(be->op, TokenKind::kMul);
    ASSERT_TRUE(be->matching.has_value());
    EXPECT_EQ(be->matching->card, Cardinality::kManyToOne);
    EXPECT_TRUE(be->matching->on);
    EXPECT_THAT(be->matching->matching_labels, ::testing::ElementsAre("a", "b"));
    EXPECT_THAT(be->matching->include, ::testing::ElementsAre("c"));
    EXPECT_EQ(be->type(), ValueType::kVector);
    EXPECT_EQ(be->position_range(), (PositionRange{0, 32}));
  }
  {
    auto e = ParseExpr("foo and bar");
    ASSERT_TRUE(e.ok());
    const auto& be = (*e)->As<BinaryExpr>();
    ASSERT_TRUE(be.matching.has_value());
    EXPECT_EQ(be.matching->card, Cardinality::kManyToMany);
  }
  {
    // Vector matching is dropped when a side is a scalar, as in Prometheus.
    auto e = ParseExpr("foo + 1");
    ASSERT_TRUE(e.ok());
    EXPECT_FALSE((*e)->As<BinaryExpr>().matching.has_value());
    EXPECT_EQ((*e)->type(), ValueType::kVector);
  }
  {
    auto e = ParseExpr("1 + 2");
    ASSERT_TRUE(e.ok());
    EXPECT_EQ((*e)->type(), ValueType::kScalar);
  }
  {
    auto e = ParseExpr("-5");
    ASSERT_TRUE(e.ok());
    const auto* nl = (*e)->DynCast<NumberLiteral>();
    ASSERT_NE(nl, nullptr);
    EXPECT_EQ(nl->val, -5);
    EXPECT_EQ(nl->position_range(), (PositionRange{0, 2}));
  }
  {
    auto e = ParseExpr("5m");
    ASSERT_TRUE(e.ok());
    EXPECT_EQ((*e)->As<NumberLiteral>().val, 300);
    EXPECT_TRUE((*e)->As<NumberLiteral>().duration);
  }
  {
    auto e = ParseExpr("topk by (a) (5, foo) ");
    ASSERT_TRUE(e.ok()) << e.status();
    const auto& agg = (*e)->As<AggregateExpr>();
    EXPECT_EQ(agg.op, TokenKind::kTopk);
    EXPECT_FALSE(agg.without);
    EXPECT_THAT(agg.grouping, ::testing::ElementsAre("a"));
    ASSERT_NE(agg.param, nullptr);
    EXPECT_EQ(agg.param->ToString(), "5");
    EXPECT_EQ(agg.position_range(), (PositionRange{0, 20}));
  }
  {
    auto e = ParseExpr("sum(foo) without (a)");
    ASSERT_TRUE(e.ok());
    EXPECT_EQ((*e)->position_range(), (PositionRange{0, 20}));
    EXPECT_TRUE((*e)->As<AggregateExpr>().without);
  }
  {
    auto e = ParseExpr("rate(foo[5m])");
    ASSERT_TRUE(e.ok());
    const auto& call = (*e)->As<Call>();
    ASSERT_NE(call.func, nullptr);
    EXPECT_EQ(call.func->name, "rate");
    EXPECT_EQ(call.args.size(), 1u);
    EXPECT_EQ(call.type(), ValueType::kVector);
    EXPECT_EQ(call.position_range(), (PositionRange{0, 13}));
  }
  {
    auto e = ParseExpr("foo[1h:5m] offset 1m @ 10");
    ASSERT_TRUE(e.ok());
    const auto& sq = (*e)->As<SubqueryExpr>();
    EXPECT_EQ(sq.range, absl::Hours(1));
    EXPECT_EQ(sq.step, absl::Minutes(5));
    EXPECT_EQ(sq.original_offset, absl::Minutes(1));
    EXPECT_EQ(sq.timestamp, 10000);
    EXPECT_EQ(sq.type(), ValueType::kMatrix);
    EXPECT_EQ(sq.position_range(), (PositionRange{0, 25}));
  }
  {
    auto e = ParseExpr("(foo)");
    ASSERT_TRUE(e.ok());
    EXPECT_EQ((*e)->position_range(), (PositionRange{0, 5}));
    EXPECT_EQ((*e)->type(), ValueType::kVector);
  }
  {
    auto e = ParseExpr(R"("a")");
    ASSERT_TRUE(e.ok());
    EXPECT_EQ((*e)->type(), ValueType::kString);
    EXPECT_EQ((*e)->As<StringLiteral>().val, "a");
  }
}

struct ErrorCase {
  std::string input;
  std::string want;
};

TEST(ParseExprErrorTest, Messages) {
  const std::vector<ErrorCase> cases = {
      // Scalars, sets and bool.
      {"1 == 1", "1:3: parse error: comparisons between scalars must use BOOL modifier"},
      {"1 and 1",
       R"(1:1: parse error: set operator "and" not allowed in binary scalar expression)"},
      {"1 or 1", R"(1:1: parse error: set operator "or" not allowed in binary scalar expression)"},
      {"1 unless 1",
       R"(1:1: parse error: set operator "unless" not allowed in binary scalar expression)"},
      {"foo and 1",
       R"(1:1: parse error: set operator "and" not allowed in binary scalar expression)"},
      {"1 and foo",
       R"(1:1: parse error: set operator "and" not allowed in binary scalar expression)"},
      {"foo + bool bar",
       "1:5: parse error: bool modifier can only be used on comparison operators"},
      {"foo + bool 10", "1:5: parse error: bool modifier can only be used on comparison operators"},
      {"foo and bool 10",
       "1:5: parse error: bool modifier can only be used on comparison operators"},
      {"foo and on(bar) group_left(baz) bar",
       R"(1:1: parse error: no grouping allowed for "and" operation)"},
      {"foo and on(bar) group_right(baz) bar",
       R"(1:1: parse error: no grouping allowed for "and" operation)"},
      {"foo or on(bar) group_left(baz) bar",
       R"(1:1: parse error: no grouping allowed for "or" operation)"},
      {"foo unless on(bar) group_left(baz) bar",
       R"(1:1: parse error: no grouping allowed for "unless" operation)"},
      {R"(http_requests{group="production"} + on(instance) group_left(job,instance) cpu_count{type="smp"})",
       R"(1:35: parse error: label "instance" must not occur in ON and GROUP clause at once)"},
      {"foo + on(a) 1", "1:1: parse error: vector matching only allowed between instant vectors"},
      {"a - on(b) ignoring(c) d", "1:11: parse error: unexpected <ignoring>"},
      // Types.
      {R"("a" + 1)",
       "1:1: parse error: binary expression must contain only scalar and instant vector types"},
      {"1 + foo[5m]",
       "1:5: parse error: binary expression must contain only scalar and instant vector types"},
      {R"(-"string")",
       R"(1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got "string")"},
      {"-test[5m]",
       R"(1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got "range vector")"},
      {"*test", "1:1: parse error: unexpected <op:*>"},
      {"1 offset 1d",
       "1:1: parse error: offset modifier must be preceded by an instant vector selector or range "
       "vector selector or a subquery"},
      {"(foo) offset 1d",
       "1:1: parse error: offset modifier must be preceded by an instant vector selector or range "
       "vector selector or a subquery"},
      {"(foo) @ 1",
       "1:1: parse error: @ modifier must be preceded by an instant vector selector or range "
       "vector selector or a subquery"},
      {"foo[5m:] offset 1m offset 1m", "1:1: parse error: offset may not be set multiple times"},
      {"foo[5m:] @ 1 @ end()", "1:1: parse error: @ <timestamp> may not be set multiple times"},
      // Calls.
      {"rate(some_metric)",
       R"(1:6: parse error: expected type range vector in call to function "rate", got instant vector)"},
      {"floor()", R"(1:1: parse error: expected 1 argument(s) in call to "floor", got 0)"},
      {"floor(some_metric, other_metric)",
       R"(1:1: parse error: expected 1 argument(s) in call to "floor", got 2)"},
      {"floor(1)",
       R"(1:7: parse error: expected type instant vector in call to function "floor", got scalar)"},
      {"hour(some_metric, some_metric, some_metric)",
       R"(1:1: parse error: expected at most 1 argument(s) in call to "hour", got 3)"},
      {"time(some_metric)", R"(1:1: parse error: expected 0 argument(s) in call to "time", got 1)"},
      {"label_join(foo)",
       R"(1:1: parse error: expected at least 3 argument(s) in call to "label_join", got 1)"},
      {"label_join(foo, 1, 2)",
       R"(1:17: parse error: expected type string in call to function "label_join", got scalar)"},
      {"non_existent_function_far_bar()",
       R"(1:1: parse error: unknown function with name "non_existent_function_far_bar")"},
      {"rate(foo[5m],)", "1:13: parse error: trailing commas not allowed in function call args"},
      {"rate(foo[5m]", "1:13: parse error: unclosed left parenthesis"},
      {"abs(rate(foo))",
       R"(1:10: parse error: expected type range vector in call to function "rate", got instant vector)"},
      // Aggregations.
      {"topk(some_metric)",
       "1:1: parse error: wrong number of arguments for aggregate expression provided, expected 2, "
       "got 1"},
      {"sum(a, b)",
       "1:1: parse error: wrong number of arguments for aggregate expression provided, expected 1, "
       "got 2"},
      {"topk(some_metric, other_metric)",
       "1:6: parse error: expected type scalar in aggregation parameter, got instant vector"},
      {"count_values(5, other_metric)",
       "1:14: parse error: expected type string in aggregation parameter, got scalar"},
      {"sum(1)",
       "1:5: parse error: expected type instant vector in aggregation expression, got scalar"},
      {"sum(foo[5m])",
       "1:5: parse error: expected type instant vector in aggregation expression, got range "
       "vector"},
      {"sum () by (test)", "1:1: parse error: no arguments for aggregate expression provided"},
      {"sum without(==)(some_metric)",
       "1:13: parse error: unexpected <op:==> in grouping opts, expected label"},
      {"sum without (label1 label2)(some_metric)",
       R"x(1:21: parse error: unexpected identifier "label2" in grouping opts, expected "," or ")")x"},
      {"sum (some_metric) by test",
       R"(1:22: parse error: unexpected identifier "test" in grouping opts, expected "(")"},
      {"MIN (some_metric) keep_common",
       R"(1:19: parse error: unexpected identifier "keep_common")"},
      {"sum by (a) foo", R"(1:12: parse error: unexpected identifier "foo" in aggregation)"},
      {R"(sum by ("") (foo))", R"(1:9: parse error: invalid label name for grouping: "")"},
      // Ranges and subqueries.
      {"sum(foo)[5m]", "1:9: parse error: ranges only allowed for vector selectors"},
      {"(foo)[5m]", "1:6: parse error: ranges only allowed for vector selectors"},
      {"rate(food[1m])[1h] offset 1h",
       "1:15: parse error: ranges only allowed for vector selectors"},
      {"foo[5m][5m:1m]",
       "1:1: parse error: subquery is only allowed on instant vector, got matrix instead"},
      {"1[5m:1m]",
       "1:1: parse error: subquery is only allowed on instant vector, got scalar instead"},
      {"foo[5m:0s]", "1:8: parse error: duration must be greater than 0"},
      {"foo[5m:1m", "1:10: parse error: unclosed left bracket"},
      {"foo[5m:1m 1m]",
       R"(1:11: parse error: unexpected duration "1m" in subquery selector, expected "]")"},
      {"foo[5m:,]",
       R"(1:8: parse error: unexpected "," in subquery selector, expected number, duration, step(), range(), or "]")"},
      // info() takes label selectors only, which may match everything.
      {"info(foo, bar)",
       "1:11: parse error: expected label selectors only, got vector selector instead"},
      {"info(foo, 1)",
       R"(1:1: parse error: expected type instant vector in call to function "info", got scalar)"},
      {"info(foo, -bar)", "1:11: parse error: expected label selectors only"},
      {"foo + fill(0) bar",
       "1:1: parse error: binop fill modifiers are experimental and not enabled"},
      {"foo + on(a) fill_left(1) bar",
       "1:1: parse error: binop fill modifiers are experimental and not enabled"},
      {"foo[5m:x]", "1:8: parse error: unexpected character: 'x', expected ':'"},
      // Syntax.
      {"(foo", "1:5: parse error: unclosed left parenthesis"},
      {"foo)", "1:5: parse error: unexpected right parenthesis ')'"},
      {"()", "1:2: parse error: unexpected \")\""},
      {"foo +", "1:6: parse error: unexpected end of input"},
      {"1 +", "1:4: parse error: unexpected end of input"},
      {"foo + * bar", "1:7: parse error: unexpected <op:*>"},
      {"sum(foo) sum(bar)", "1:10: parse error: unexpected <aggr:sum>"},
  };
  for (const ErrorCase& c : cases) {
    absl::StatusOr<std::unique_ptr<Expr>> got = ParseExpr(c.input);
    ASSERT_FALSE(got.ok()) << c.input << " parsed as " << (*got)->ToString();
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument) << c.input;
    EXPECT_EQ(std::string(got.status().message()), c.want) << c.input;
  }
}

TEST(ParseExprErrorTest, NoCrash) {
  const std::vector<std::string> inputs = {
      "\x80\x80\x80",
      "foo{a=\"\x80\"}",
      "sum(",
      "sum by (",
      "rate(foo[5m])[",
      "foo[5m:",
      "-",
      "- -",
      "@",
      "foo @ start(",
      "(((",
      ")))",
      "1 + on(",
      "foo group_left bar",
      "label_replace(",
      "topk(,)",
      "#",
  };
  for (const std::string& in : inputs) {
    absl::StatusOr<std::unique_ptr<Expr>> got = ParseExpr(in);
    EXPECT_FALSE(got.ok()) << in;
  }
}

TEST(ParseExprErrorTest, DeepNestingIsAnError) {
  for (const std::string& in :
       {std::string(100000, '('), std::string(100000, '(') + "1" + std::string(100000, ')'),
        std::string(100000, '-') + "foo"}) {
    absl::StatusOr<std::unique_ptr<Expr>> got = ParseExpr(in);
    ASSERT_FALSE(got.ok());
    EXPECT_THAT(std::string(got.status().message()), ::testing::HasSubstr("nesting"));
  }
  // A long chain of binary operators nests the tree as deeply.
  std::string chain = "a";
  for (int i = 0; i < 100000; ++i) chain += " + a";
  EXPECT_FALSE(ParseExpr(chain).ok());
  std::string subqueries = "a";
  for (int i = 0; i < 100000; ++i) subqueries += "[1m:]";
  EXPECT_FALSE(ParseExpr(subqueries).ok());
  // Moderate nesting is fine.
  const std::string ok = std::string(200, '(') + "1" + std::string(200, ')');
  EXPECT_TRUE(ParseExpr(ok).ok());
  std::string ok_chain = "a";
  for (int i = 0; i < 500; ++i) ok_chain += " + a";
  EXPECT_TRUE(ParseExpr(ok_chain).ok());
}

TEST(FunctionsTest, Table) {
  const Function* rate = FindFunction("rate");
  ASSERT_NE(rate, nullptr);
  EXPECT_EQ(rate->arg_types, std::vector<ValueType>{ValueType::kMatrix});
  EXPECT_EQ(rate->return_type, ValueType::kVector);
  EXPECT_EQ(FindFunction("Rate"), nullptr);
  EXPECT_EQ(FindFunction("holt_winters"), nullptr);  // removed in Prometheus 3
  ASSERT_NE(FindFunction("time"), nullptr);
  EXPECT_EQ(FindFunction("time")->return_type, ValueType::kScalar);
  EXPECT_EQ(FindFunction("label_join")->variadic, -1);
  EXPECT_TRUE(FindFunction("mad_over_time")->experimental);
  for (const Function& f : AllFunctions()) {
    EXPECT_EQ(FindFunction(f.name), &f) << f.name;
  }
}

}  // namespace
}  // namespace strata::promql
