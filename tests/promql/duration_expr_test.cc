// Tests for Prometheus 3.14's experimental syntax: the query-context
// functions step(), range(), start() and end() as expressions, and duration
// expressions in ranges, subqueries and offsets (parsing, printing, errors,
// and their resolution per query). Expected forms follow Prometheus's
// printer.go and parse_test.go; the queries are those of
// ../shared/promqltest/duration_expression.test and functions.test where
// cited.
#include "promql/duration_expr.h"

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "promql/functions.h"
#include "promql/parser.h"

namespace strata::promql {
namespace {

std::unique_ptr<Expr> MustParse(const std::string& q) {
  absl::StatusOr<std::unique_ptr<Expr>> e = ParseExpr(q);
  EXPECT_TRUE(e.ok()) << q << ": " << e.status();
  return e.ok() ? *std::move(e) : nullptr;
}

std::string ParseError(const std::string& q) {
  absl::StatusOr<std::unique_ptr<Expr>> e = ParseExpr(q);
  if (e.ok()) return "parsed as " + (*e)->ToString();
  EXPECT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument) << q;
  return std::string(e.status().message());
}

// Parses, resolves for a query [start, end] with `step` (ms), and returns the
// resolved tree; the error message when resolution fails.
absl::StatusOr<std::unique_ptr<Expr>> Resolve(const std::string& q, int64_t start, int64_t end,
                                              int64_t step) {
  std::unique_ptr<Expr> e = MustParse(q);
  if (e == nullptr) return absl::InternalError("no parse");
  absl::Status s = ResolveDurationExpressions(e.get(), start, end, step);
  if (!s.ok()) return s;
  return e;
}

TEST(QueryContextFunctionTest, ParseAsScalarCalls) {
  // functions.test: `step()`, `vector(range())`, `metric * step()`,
  // `end() - start()`, `(end() + start()) / 2`, `start() + range()`.
  for (const char* name : {"step", "range", "start", "end"}) {
    std::unique_ptr<Expr> e = MustParse(std::string(name) + "()");
    ASSERT_NE(e, nullptr);
    ASSERT_EQ(e->kind(), NodeKind::kCall) << name;
    EXPECT_EQ(e->As<Call>().func->name, name);
    EXPECT_TRUE(e->As<Call>().args.empty());
    EXPECT_EQ(e->type(), ValueType::kScalar);
    EXPECT_EQ(e->ToString(), std::string(name) + "()");
  }
  const std::vector<std::string> round_trips = {
      "vector(range())", "vector(step())",        "metric * step()",          "metric + range()",
      "end() - start()", "(end() + start()) / 2", "start() + range()",        "end() - range()",
      "vector(start())", "step() > bool step()",  "clamp(m, start(), end())",
  };
  for (const std::string& q : round_trips) {
    std::unique_ptr<Expr> e = MustParse(q);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->ToString(), q);
  }
  std::unique_ptr<Expr> e = MustParse("metric * step()");
  EXPECT_EQ(e->type(), ValueType::kVector);
  EXPECT_EQ(e->As<BinaryExpr>().rhs->kind(), NodeKind::kCall);
}

TEST(QueryContextFunctionTest, KeywordsStayMetricAndLabelNames) {
  // Prometheus's metric_identifier and maybe_label include START, END,
  // STEP and RANGE: only a following '(' makes a call.
  for (const char* name : {"step", "range", "start", "end"}) {
    std::unique_ptr<Expr> e = MustParse(name);
    ASSERT_EQ(e->kind(), NodeKind::kVectorSelector) << name;
    EXPECT_EQ(e->As<VectorSelector>().name, name);
  }
  EXPECT_EQ(MustParse(R"(step{a="b"} offset 5m)")->ToString(), R"(step{a="b"} offset 5m)");
  EXPECT_EQ(MustParse("sum by (step, range, start, end) (end)")->ToString(),
            "sum by (step, range, start, end) (end)");
  EXPECT_EQ(MustParse("range[5m]")->ToString(), "range[5m]");
  EXPECT_EQ(MustParse("start + end")->ToString(), "start + end");
  EXPECT_EQ(MustParse("min_of + max_of")->ToString(), "min_of + max_of");
  // `@ start()` / `@ end()` stay @ modifiers.
  std::unique_ptr<Expr> at = MustParse("metric_for_at @ start()");
  ASSERT_EQ(at->kind(), NodeKind::kVectorSelector);
  EXPECT_EQ(at->As<VectorSelector>().start_or_end, AtModifier::kStart);
  EXPECT_EQ(MustParse("foo[5m] @ end()")->ToString(), "foo[5m] @ end()");
  EXPECT_EQ(MustParse("step @ end()")->ToString(), "step @ end()");
}

TEST(QueryContextFunctionTest, Errors) {
  EXPECT_EQ(ParseError("step(1)"),
            R"(1:1: parse error: expected 0 argument(s) in call to "step", got 1)");
  EXPECT_EQ(ParseError("start(foo)"),
            R"(1:1: parse error: expected 0 argument(s) in call to "start", got 1)");
  // Functions are looked up by the name as written (keywords are not).
  EXPECT_EQ(ParseError("STEP()"), R"(1:1: parse error: unknown function with name "STEP")");
  // Preprocessor tokens are described by their text, as in Prometheus.
  EXPECT_EQ(ParseError("foo @ step()"),
            R"(1:7: parse error: unexpected "step" in @, expected timestamp)");
}

struct PrintCase {
  std::string input;
  std::string want;  // "" means the input itself
};

TEST(DurationExprParseTest, PrintsAsPrometheus) {
  const std::vector<PrintCase> cases = {
      // duration_expression.test.
      {"changes(http_requests[26m+4m])", "changes(http_requests[26m + 4m])"},
      {"changes(http_requests[30m+0s])", "changes(http_requests[30m + 0s])"},
      {"changes(http_requests[60*30])", "changes(http_requests[60 * 30])"},
      {"changes(http_requests[2m*15])", "changes(http_requests[2m * 15])"},
      {"changes(http_requests[2m*(10+5)])", "changes(http_requests[2m * (10 + 5)])"},
      {"changes(http_requests[24m+((1.5*2m)+2m)])",
       "changes(http_requests[24m + ((1.5 * 2m) + 2m)])"},
      {"changes(http_requests[-5m+35m])", "changes(http_requests[-5m + 35m])"},
      {"changes(http_requests[1h/2])", "changes(http_requests[1h / 2])"},
      {"changes(http_requests[1h30m % 1h])", "changes(http_requests[1h30m % 1h])"},
      {"changes(http_requests[30m1s-30m1s % 1m])", "changes(http_requests[30m1s - 30m1s % 1m])"},
      {"changes(http_requests[(9m30s+30s)*3])", "changes(http_requests[(9m30s + 30s) * 3])"},
      {"sum_over_time(metric1_total[29s+1s:5s+5s])",
       "sum_over_time(metric1_total[29s + 1s:5s + 5s])"},
      {"sum_over_time(m[29s+1s:20*500ms] offset -(20*(((((8 - 2) / 3) * 7s) % 4) + 8000ms)))",
       "sum_over_time(m[29s + 1s:20 * 500ms] offset -(20 * (((((8 - 2) / 3) * 7s) % 4) + 8s)))"},
      {"metric1_total offset (100 + 2)", ""},
      {"metric1_total offset (2 ^ 2)", ""},
      {"metric1_total offset (-2 * 2)", ""},
      {"metric1_total offset (-2 ^ 2)", ""},
      {"count_over_time(m[step()])", ""},
      {"count_over_time(m[step()+1ms])", "count_over_time(m[step() + 1ms])"},
      {"count_over_time(m[(step())+1])", "count_over_time(m[(step()) + 1])"},
      {"count_over_time(m[1+(STep()-5)*2])", "count_over_time(m[1 + (step() - 5) * 2])"},
      {"count_over_time(m[min_of(step()+1,1h)])", "count_over_time(m[min_of(step() + 1, 1h)])"},
      {"count_over_time(m[max_of(min_of(step()+1,1h),1ms)])",
       "count_over_time(m[max_of(min_of(step() + 1, 1h), 1ms)])"},
      {"count_over_time(m[((max_of(min_of((step()+1),((1h))),1ms)))])",
       "count_over_time(m[(max_of(min_of((step() + 1), (1h)), 1ms))])"},
      {"count_over_time(m[range()])", ""},
      {"m offset STEP()", "m offset step()"},
      {"m offset (-step()*2)", "m offset (-step() * 2)"},
      {"m offset (STEP()/10)", "m offset (step() / 10)"},
      {"m offset (step())", ""},
      {"m offset min_of(step(), 1s)", ""},
      {"m offset -min_of(step(), 1s)", ""},
      {"m offset +min_of(step(), 1s)", "m offset min_of(step(), 1s)"},
      {"m offset min_of(range(), 8s)", ""},
      {"m offset -step()", ""},
      {"m offset +step()", "m offset step()"},
      // Subqueries, and modifiers on range selectors.
      {"m[5m:step()]", ""},
      {"m[1m+step():]", "m[1m + step():]"},
      {"rate(m[step()])[5m:step() * 2] offset step() @ 100",
       "rate(m[step()])[5m:step() * 2] @ 100.000 offset step()"},
      {"m[step()] offset (1m) @ start()", "m[step()] @ start() offset (1m)"},
      // Parenthesised literals keep their parentheses (Prometheus PR 19403).
      {"m offset (5)", ""},
      {"m offset -(5m)", ""},
      {"m offset +(5)", "m offset (5)"},
      {"m[(5m)]", ""},
      {"m[((5m))]", "m[(5m)]"},
      {"m[-(-5m)]", ""},
      // Plain literals stay literals.
      {"m[- -5m]", "m[5m]"},
      {"m offset -5m", ""},
      {"m[5m:1m] offset 1m", ""},
  };
  for (const PrintCase& c : cases) {
    std::unique_ptr<Expr> e = MustParse(c.input);
    if (e == nullptr) continue;
    const std::string want = c.want.empty() ? c.input : c.want;
    EXPECT_EQ(e->ToString(), want) << c.input;
    // The printed form parses back to the same form.
    std::unique_ptr<Expr> again = MustParse(want);
    if (again != nullptr) {
      EXPECT_EQ(again->ToString(), want) << c.input;
    }
    EXPECT_EQ(e->Clone()->ToString(), want) << c.input;
  }
}

TEST(DurationExprParseTest, LiteralsAndExpressionsAreStoredApart) {
  std::unique_ptr<Expr> e = MustParse("m[5m]");
  EXPECT_EQ(e->As<MatrixSelector>().range, absl::Minutes(5));
  EXPECT_EQ(e->As<MatrixSelector>().range_expr, nullptr);
  e = MustParse("m[5m+1m]");
  EXPECT_EQ(e->As<MatrixSelector>().range, absl::ZeroDuration());
  ASSERT_NE(e->As<MatrixSelector>().range_expr, nullptr);
  EXPECT_EQ(e->As<MatrixSelector>().range_expr->op, TokenKind::kAdd);
  e = MustParse("m[5m:step()] offset -1m");
  const auto& sq = e->As<SubqueryExpr>();
  EXPECT_EQ(sq.range, absl::Minutes(5));
  EXPECT_EQ(sq.range_expr, nullptr);
  ASSERT_NE(sq.step_expr, nullptr);
  EXPECT_EQ(sq.step_expr->op, TokenKind::kStep);
  EXPECT_EQ(sq.original_offset, absl::Minutes(-1));
  EXPECT_EQ(sq.original_offset_expr, nullptr);
  e = MustParse("m offset -step()");
  const auto& vs = e->As<VectorSelector>();
  ASSERT_NE(vs.original_offset_expr, nullptr);
  EXPECT_EQ(vs.original_offset_expr->op, TokenKind::kSub);
  EXPECT_EQ(vs.original_offset_expr->lhs, nullptr);
  // The selector's span covers the offset expression.
  EXPECT_EQ(vs.pos.end, 16);
  EXPECT_EQ(MustParse("m offset (1m + 2m)")->position_range().end, 18);
}

TEST(DurationExprParseTest, OffsetEndsAfterItsFirstTerm) {
  // duration_expression.test: `offset 100 + 2` is `(m offset 100) + 2`,
  // `offset -2 ^ 2` is `(m offset -2) ^ 2`, `offset step()*0` and
  // `offset min_of(step(), 1s)+8000` end the offset before the operator.
  const std::vector<PrintCase> cases = {
      {"m offset 100 + 2", "m offset 1m40s + 2"},
      {"m offset 2 ^ 2", "m offset 2s ^ 2"},
      {"m offset -2 ^ 2", "m offset -2s ^ 2"},
      {"m offset -2 * 2", "m offset -2s * 2"},
      {"m offset step()*0", "m offset step() * 0"},
      {"m offset -step()*2", "m offset -step() * 2"},
      {"m offset step()^0", "m offset step() ^ 0"},
      {"m offset min_of(step(), 1s)+8000", "m offset min_of(step(), 1s) + 8000"},
      {"m offset -min_of(step(), 1s)+8000", "m offset -min_of(step(), 1s) + 8000"},
      {"m offset -(min_of(step(), 1s))+8000", "m offset -(min_of(step(), 1s)) + 8000"},
      {"m offset -(min_of(step(), 2s)-5)+8000", "m offset -(min_of(step(), 2s) - 5) + 8000"},
      {"m offset max_of(3s,min_of(step(), 1s))+8000",
       "m offset max_of(3s, min_of(step(), 1s)) + 8000"},
  };
  for (const PrintCase& c : cases) {
    std::unique_ptr<Expr> e = MustParse(c.input);
    ASSERT_NE(e, nullptr);
    ASSERT_EQ(e->kind(), NodeKind::kBinaryExpr) << c.input;
    EXPECT_EQ(e->As<BinaryExpr>().lhs->kind(), NodeKind::kVectorSelector) << c.input;
    EXPECT_EQ(e->ToString(), c.want) << c.input;
  }
  // An unsigned parenthesised offset goes on with binary operators, as
  // Prometheus's parser shifts there.
  std::unique_ptr<Expr> e = MustParse("m offset (1m) + 1m");
  ASSERT_EQ(e->kind(), NodeKind::kVectorSelector);
  EXPECT_EQ(e->ToString(), "m offset (1m) + 1m");
}

TEST(DurationExprParseTest, Errors) {
  const std::vector<PrintCase> cases = {
      {"m[1m/0]", "1:5: parse error: division by zero"},
      {"m[1m%0]", "1:5: parse error: modulo by zero"},
      {"m[1m/-0]", "1:5: parse error: division by zero"},
      {"m offset (1m/0)", "1:13: parse error: division by zero"},
      {"m[5m:0]", "1:6: parse error: duration must be greater than 0"},
      {"m[5m:-1m]", "1:6: parse error: duration must be greater than 0"},
      {"m[-5m]", "1:3: parse error: duration must be greater than 0"},
      {"m[9999999999 + 1]", "1:3: parse error: duration out of range"},
      {"m offset -9999999999 * 2", "1:10: parse error: duration out of range"},
      {"m[1m +]",
       R"(1:7: parse error: unexpected "]" in subquery or range selector, expected number, duration, step(), or range())"},
      {"m[5m:1m +]",
       R"(1:10: parse error: unexpected "]" in subquery selector, expected number, duration, step(), range(), or "]")"},
      {"m[5m:1m 2]",
       R"(1:9: parse error: unexpected number "2" in subquery selector, expected "]")"},
      {"m[5m 2]",
       R"(1:6: parse error: unexpected number "2" in subquery or range, expected ":" or "]")"},
      {"m[step(1)]",
       R"(1:8: parse error: unexpected number "1" in subquery or range selector, expected number, duration, step(), or range())"},
      {"m[max(1m, 2m)]",
       "1:3: parse error: unexpected <aggr:max> in subquery or range selector, expected number, "
       "duration, step(), or range()"},
      {"m offset min_of(1m)",
       R"x(1:19: parse error: unexpected ")" in offset, expected number, duration, step(), or range())x"},
      {"m offset bar",
       R"(1:10: parse error: unexpected identifier "bar" in offset, expected number, duration, step(), or range())"},
      {"m offset (1m", "1:13: parse error: unclosed left parenthesis"},
      {"m offset step() offset 1m", "1:1: parse error: offset may not be set multiple times"},
      {"m offset 1m offset step()", "1:1: parse error: offset may not be set multiple times"},
      {"sum(m) offset step()",
       "1:1: parse error: offset modifier must be preceded by an instant vector selector or range "
       "vector selector or a subquery"},
      {"(m)[step()]", "1:4: parse error: ranges only allowed for vector selectors"},
      // Prometheus's lexer: ':' needs a number or duration before it, and
      // after one only step/min/max words (not range) are lexed.
      {"m[step():]", "1:10: parse error: unexpected colon before duration in duration expression"},
      {"m[5m+range()]", "1:6: parse error: unexpected character: 'r', expected ':'"},
  };
  for (const PrintCase& c : cases) EXPECT_EQ(ParseError(c.input), c.want) << c.input;
}

TEST(DurationExprResolveTest, EvaluatesPerQuery) {
  // A range query from 50s to 60s with step 5s (duration_expression.test).
  constexpr int64_t kStart = 50'000, kEnd = 60'000, kStep = 5'000;
  struct Case {
    std::string query;
    absl::Duration want;
  };
  const std::vector<Case> ranges = {
      {"m[step()]", absl::Seconds(5)},
      {"m[step()+1ms]", absl::Seconds(5) + absl::Milliseconds(1)},
      {"m[1+(STep()-5)*2]", absl::Seconds(1)},
      {"m[min_of(step()+1,1h)]", absl::Seconds(6)},
      {"m[max_of(min_of(step()+1,1h),1ms)]", absl::Seconds(6)},
      {"m[range()]", absl::Seconds(10)},
      {"m[26m+4m]", absl::Minutes(30)},
      {"m[30m1s-30m1s % 1m]", absl::Minutes(30)},
      {"m[24m+((1.5*2m)+2m)]", absl::Minutes(29)},
      {"m[2 ^ 3 ^ 2]", absl::Seconds(512)},  // ^ is right-associative
      {"m[-2 ^ 2 + 10]", absl::Seconds(6)},  // unary minus binds below ^
      {"m[(5m)]", absl::Minutes(5)},
      // Millisecond precision, truncated (calculateDuration).
      {"m[1.0019 * 1]", absl::Milliseconds(1001)},
  };
  for (const Case& c : ranges) {
    absl::StatusOr<std::unique_ptr<Expr>> e = Resolve(c.query, kStart, kEnd, kStep);
    ASSERT_TRUE(e.ok()) << c.query << ": " << e.status();
    EXPECT_EQ((*e)->As<MatrixSelector>().range, c.want) << c.query;
  }
  const std::vector<Case> offsets = {
      {"m offset step()", absl::Seconds(5)},
      {"m offset (-step()*2)", absl::Seconds(-10)},
      {"m offset (STEP()/10)", absl::Milliseconds(500)},
      {"m offset min_of(step(), 1s)", absl::Seconds(1)},
      {"m offset -(min_of(step(), 2s)-5)", absl::Seconds(3)},
      {"m offset range()", absl::Seconds(10)},
      {"m offset min_of(range(), 8s)", absl::Seconds(8)},
      {"m offset (100 + 2)", absl::Seconds(102)},
      {"m offset (-2 ^ 2)", absl::Seconds(-4)},
      {"m offset -(5)", absl::Seconds(-5)},
      {"m offset (20*(((((8 - 2) / 3) * 7s) % 4) + 8000ms))", absl::Seconds(200)},
  };
  for (const Case& c : offsets) {
    absl::StatusOr<std::unique_ptr<Expr>> e = Resolve(c.query, kStart, kEnd, kStep);
    ASSERT_TRUE(e.ok()) << c.query << ": " << e.status();
    EXPECT_EQ((*e)->As<VectorSelector>().original_offset, c.want) << c.query;
  }
}

TEST(DurationExprResolveTest, WalksTheWholeTree) {
  absl::StatusOr<std::unique_ptr<Expr>> e = Resolve(
      "sum(rate(m[step()*2])) + on() group_left() "
      "max_over_time(rate(n[range()] offset step())[range():step()] offset -step())",
      0, 60'000, 10'000);
  ASSERT_TRUE(e.ok()) << e.status();
  const auto& be = (*e)->As<BinaryExpr>();
  const auto& rate = be.lhs->As<AggregateExpr>().expr->As<Call>();
  EXPECT_EQ(rate.args[0]->As<MatrixSelector>().range, absl::Seconds(20));
  const auto& sq = be.rhs->As<Call>().args[0]->As<SubqueryExpr>();
  EXPECT_EQ(sq.range, absl::Seconds(60));
  EXPECT_EQ(sq.step, absl::Seconds(10));
  EXPECT_EQ(sq.original_offset, absl::Seconds(-10));
  const auto& inner = sq.expr->As<Call>().args[0]->As<MatrixSelector>();
  EXPECT_EQ(inner.range, absl::Seconds(60));
  EXPECT_EQ(inner.vector_selector->original_offset, absl::Seconds(10));
  // A resolved subquery step prints as its value, as in Prometheus.
  EXPECT_EQ(sq.ToString(), "rate(n[range()] offset step())[range():10s] offset -step()");
}

TEST(DurationExprResolveTest, InstantQueries) {
  // An instant query has step() == 0 and range() == 0.
  absl::StatusOr<std::unique_ptr<Expr>> e = Resolve("m offset range()", 50'000, 50'000, 0);
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ((*e)->As<VectorSelector>().original_offset, absl::ZeroDuration());
  e = Resolve("m[step()]", 50'000, 50'000, 0);
  EXPECT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(e.status().message(), "2:8: duration must be greater than 0");
  e = Resolve("m[5m:step()]", 50'000, 50'000, 0);
  EXPECT_EQ(e.status().message(), "5:11: duration must be greater than 0");
}

TEST(DurationExprResolveTest, Errors) {
  const int64_t step = 10'000;
  struct Case {
    std::string query;
    std::string want;
  };
  const std::vector<Case> cases = {
      {"m[1m/(step()-step())]", "2:19: division by zero"},
      {"m[1m%(step()-10)]", "2:15: modulo by zero"},
      {"m[5m-5m]", "2:7: duration must be greater than 0"},
      // Positions exclude parentheses, as Prometheus's DurationExpr ranges.
      {"m[-(5m)]", "2:6: duration must be greater than 0"},
      {"m[(0)]", "2:4: duration must be greater than 0"},
      {"m[1m:step()-10]", "5:14: duration must be greater than 0"},
      {"m[3e9 * 4e9]", "2:11: duration is out of range"},
      {"m offset (-3e9 * 4e9)", "10:20: duration is out of range"},
      // The first error in a pre-order walk: the outer subquery first.
      {"rate(m[step()-10])[1m:step()-10]", "22:31: duration must be greater than 0"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<std::unique_ptr<Expr>> e = Resolve(c.query, 0, 60'000, step);
    ASSERT_FALSE(e.ok()) << c.query;
    EXPECT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument) << c.query;
    EXPECT_EQ(e.status().message(), c.want) << c.query;
  }
  // Negative offsets are fine.
  EXPECT_TRUE(Resolve("m offset (5m-10m)", 0, 60'000, step).ok());
}

TEST(DurationExprResolveTest, EvaluateDurationExprFollowsGoMath) {
  auto eval = [](const std::string& q) {
    std::unique_ptr<Expr> e = MustParse("m[" + q + "]");
    return EvaluateDurationExpr(*e->As<MatrixSelector>().range_expr, 3, 7);
  };
  EXPECT_EQ(*eval("step() + range()"), 10);
  EXPECT_EQ(*eval("-7 % 3 + 0"), -1);  // fmod keeps the dividend's sign
  EXPECT_EQ(*eval("max_of(step(), range())"), 7);
  EXPECT_EQ(*eval("min_of(step(), range())"), 3);
  EXPECT_EQ(*eval("2 ^ 0.5 * 2"), 2 * std::sqrt(2.0));
}

}  // namespace
}  // namespace strata::promql
