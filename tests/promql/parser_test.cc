// Parser tests for the selector subset of PromQL. The cases and their exact
// error messages are adapted from Prometheus's promql/parser/parse_test.go
// (rewritten as tables); positions are Prometheus's line:col.
#include "promql/parser.h"

#include <cmath>
#include <string>
#include <vector>

#include "fmt/format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace strata::promql {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// The matchers as Prometheus prints them, in order: `__name__="up", job="x"`.
std::string Render(const std::vector<Matcher>& matchers) {
  std::vector<std::string> parts;
  for (const Matcher& m : matchers) parts.push_back(m.ToString());
  return fmt::format("{}", fmt::join(parts, ", "));
}

struct SelectorCase {
  std::string input;
  std::string want;  // Render() of the matchers
};

TEST(ParseMetricSelectorTest, Valid) {
  const std::vector<SelectorCase> cases = {
      {"up", R"(__name__="up")"},
      {R"(up{job="x"})", R"(__name__="up", job="x")"},
      {R"({__name__=~"a.+"})", R"(__name__=~"a.+")"},
      {R"({"my.metric", "a.b"="c"})", R"(__name__="my.metric", "a.b"="c")"},
      {R"(up{job="x",})", R"(__name__="up", job="x")"},
      {R"(foo:bar{a="bc"})", R"(__name__="foo:bar", a="bc")"},
      {":foo", R"(__name__=":foo")"},
      {R"({"foo"})", R"(__name__="foo")"},
      {R"({'foo\'bar', 'a\\dos\\path'='boo\\urns'})",
       R"(__name__="foo'bar", "a\\dos\\path"="boo\\urns")"},
      {R"({'foo\'bar', `a\dos\path`="boo"})", R"(__name__="foo'bar", "a\\dos\\path"="boo")"},
      {R"({"foo", a="bc"})", R"(__name__="foo", a="bc")"},
      {R"(foo{NaN='bc'})", R"(__name__="foo", NaN="bc")"},
      {R"(foo{bar='}'})", R"(__name__="foo", bar="}")"},
      {R"(foo{a="b", foo!="bar", test=~"test", bar!~"baz"})",
       R"(__name__="foo", a="b", foo!="bar", test=~"test", bar!~"baz")"},
      {R"(foo{a="b", foo!="bar", test=~"test", bar!~"baz",})",
       R"(__name__="foo", a="b", foo!="bar", test=~"test", bar!~"baz")"},
      // A quoted metric name may stand anywhere in the list.
      {R"({a="b", foo!="bar", "foo", test=~"test", bar!~"baz"})",
       R"(a="b", foo!="bar", __name__="foo", test=~"test", bar!~"baz")"},
      {R"({__name__=~"bar", __name__!~"baz"})", R"(__name__=~"bar", __name__!~"baz")"},
      {R"({__name__="bar", __name__="baz"})", R"(__name__="bar", __name__="baz")"},
      {R"({"bar", __name__="baz"})", R"(__name__="bar", __name__="baz")"},
      // Keywords are metric names outside braces and label names inside.
      {"sum", R"(__name__="sum")"},
      {"min", R"(__name__="min")"},
      {"by", R"(__name__="by")"},
      {"offset", R"(__name__="offset")"},
      {"and", R"(__name__="and")"},
      {"start", R"(__name__="start")"},
      {"anchored", R"(__name__="anchored")"},
      {R"(sum{on="x", by="y", and="z", offset="w"})",
       R"(__name__="sum", on="x", by="y", and="z", offset="w")"},
      // Comments and white space anywhere.
      {"foo # the metric", R"(__name__="foo")"},
      {"\n  foo {\n a = \"b\" # why\n}\n", R"(__name__="foo", a="b")"},
      // Values: raw strings, escapes, UTF-8.
      {R"(foo{a=`x\y`})", R"(__name__="foo", a="x\\y")"},
      {R"(foo{a="\u00e9\x41\101"})",
       "__name__=\"foo\", a=\"\xc3\xa9"
       "AA\""},
      {R"(foo{a="", b=~".*"})", R"(__name__="foo", a="", b=~".*")"},
      // Prometheus's ParseMetricSelector does not check meaning; the API does.
      {"{}", ""},
      {R"({a=""})", R"(a="")"},
      {R"(foo{__name__="bar"})", R"(__name__="foo", __name__="bar")"},
  };
  for (const SelectorCase& c : cases) {
    absl::StatusOr<std::vector<Matcher>> got = ParseMetricSelector(c.input);
    ASSERT_TRUE(got.ok()) << c.input << ": " << got.status();
    EXPECT_EQ(Render(*got), c.want) << c.input;
  }
}

TEST(ParseMetricSelectorTest, MatcherTypes) {
  absl::StatusOr<std::vector<Matcher>> got =
      ParseMetricSelector(R"(x{a="1", b!="2", c=~"3|4", d!~"5.*"})");
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ(got->size(), 5u);
  EXPECT_EQ((*got)[1].type(), MatchType::kEqual);
  EXPECT_EQ((*got)[2].type(), MatchType::kNotEqual);
  EXPECT_EQ((*got)[3].type(), MatchType::kRegexMatch);
  EXPECT_EQ((*got)[4].type(), MatchType::kRegexNoMatch);
  // Regexes are anchored.
  EXPECT_TRUE((*got)[3].Matches("3"));
  EXPECT_FALSE((*got)[3].Matches("34"));
  EXPECT_TRUE((*got)[4].Matches("x5"));
}

struct ErrorCase {
  std::string input;
  std::string want;  // the whole message
};

TEST(ParseMetricSelectorTest, Errors) {
  const std::vector<ErrorCase> cases = {
      {"", "unknown position: parse error: unexpected end of input"},
      {"   ", "1:4: parse error: unexpected end of input"},
      {"{", "1:2: parse error: unexpected end of input inside braces"},
      {"}", "1:1: parse error: unexpected character: '}'"},
      {"some{", "1:6: parse error: unexpected end of input inside braces"},
      {"some}", "1:5: parse error: unexpected character: '}'"},
      {"some_metric{a=b}",
       R"(1:15: parse error: unexpected identifier "b" in label matching, expected string)"},
      {R"(some_metric{a:b="b"})", "1:14: parse error: unexpected character inside braces: ':'"},
      {R"(foo{a*"b"})", "1:6: parse error: unexpected character inside braces: '*'"},
      {R"(foo{a>="b"})", "1:6: parse error: unexpected character inside braces: '>'"},
      {"some_metric{a=\"\xff\"}", "1:15: parse error: invalid UTF-8 rune"},
      {"foo{gibberish}",
       R"(1:14: parse error: unexpected "}" in label matching, expected label matching operator)"},
      {"foo{1}", "1:5: parse error: unexpected character inside braces: '1'"},
      {"foo{__name__= =}",
       R"(1:15: parse error: unexpected "=" in label matching, expected string)"},
      {"foo{,}",
       R"(1:5: parse error: unexpected "," in label matching, expected identifier or "}")"},
      {R"(foo{__name__ == "bar"})",
       R"(1:15: parse error: unexpected "=" in label matching, expected string)"},
      {R"(foo{__name__="bar" lol})",
       R"(1:20: parse error: unexpected identifier "lol" in label matching, expected "," or "}")"},
      {R"(foo{"a"=})", R"(1:9: parse error: unexpected "}" in label matching, expected string)"},
      {R"(foo{a="b",,})",
       R"(1:11: parse error: unexpected "," in label matching, expected identifier or "}")"},
      {R"({"a" "b"})",
       R"(1:6: parse error: unexpected string "\"b\"" in label matching, expected "," or "}")"},
      {R"({=~"a"})",
       R"(1:2: parse error: unexpected <op:=~> in label matching, expected identifier or "}")"},
      {R"(foo{a="\x"})", R"(1:7: parse error: illegal character U+0022 '"' in escape sequence)"},
      {R"(foo{a='\q'})", "1:7: parse error: unknown escape sequence U+0071 'q'"},
      {R"(foo{a="b)", "1:7: parse error: unterminated quoted string"},
      {"foo{a=`b", "1:7: parse error: unterminated raw string"},
      // Anything but a selector.
      {"sum(x)", R"(1:4: parse error: unexpected "(")"},
      {"1", R"(1:1: parse error: unexpected number "1")"},
      {R"("foo")", R"(1:1: parse error: unexpected string "\"foo\"")"},
      {"foo bar", R"(1:5: parse error: unexpected identifier "bar")"},
      {"foo[5m]", R"(1:4: parse error: unexpected "[")"},
      {"foo offset 5m", "1:5: parse error: unexpected <offset>"},
      {"foo @ 1", "1:5: parse error: unexpected <op:@>"},
      {"foo or bar", "1:5: parse error: unexpected <op:or>"},
      {"bool", "1:1: parse error: unexpected <bool>"},
      {"-foo", "1:1: parse error: unexpected <op:->"},
      {R"(foo{a="b"}{c="d"})", R"(1:11: parse error: unexpected "{")"},
      {"foo !~ 1", "1:5: parse error: unexpected character after '!': '~'"},
      // Positions are line:column, the column counted in bytes.
      {"foo{\na=b}",
       R"(2:3: parse error: unexpected identifier "b" in label matching, expected string)"},
      {"\xc3\xa9", "1:1: parse error: unexpected character: '\xc3\xa9'"},
      {"{a=\"\xc3\xa9\" b}",
       R"(1:9: parse error: unexpected identifier "b" in label matching, expected "," or "}")"},
  };
  for (const ErrorCase& c : cases) {
    absl::StatusOr<std::vector<Matcher>> got = ParseMetricSelector(c.input);
    ASSERT_FALSE(got.ok()) << c.input << " parsed as " << Render(*got);
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument) << c.input;
    EXPECT_EQ(got.status().message(), c.want) << c.input;
  }
}

TEST(ParseMetricSelectorTest, BadRegex) {
  absl::StatusOr<std::vector<Matcher>> got = ParseMetricSelector(R"(foo{a=~"("})");
  ASSERT_FALSE(got.ok());
  // The position is the label's; the text is the matcher's own.
  EXPECT_THAT(std::string(got.status().message()),
              StartsWith("1:5: parse error: invalid regular expression"));
  // A bad regex is found before a later lexer error, as in Prometheus.
  got = ParseMetricSelector(R"(foo{a=~"(", $})");
  ASSERT_FALSE(got.ok());
  EXPECT_THAT(std::string(got.status().message()), HasSubstr("regular expression"));
}

TEST(ParseMetricSelectorTest, HasNonEmptyMatcher) {
  struct Case {
    std::string input;
    bool want;
  };
  const std::vector<Case> cases = {
      {"{}", false},           {R"({a=""})", false},    {R"({a=~".*"})", false},
      {R"({a!~".+"})", false}, {R"({a!="x"})", false},  {"foo", true},
      {R"({a!=""})", true},    {R"({a=~".+"})", true},  {R"({a="", b="c"})", true},
      {R"({"foo"})", true},    {R"({a=~"x|"})", false},
  };
  for (const Case& c : cases) {
    absl::StatusOr<std::vector<Matcher>> got = ParseMetricSelector(c.input);
    ASSERT_TRUE(got.ok()) << c.input << ": " << got.status();
    EXPECT_EQ(HasNonEmptyMatcher(*got), c.want) << c.input;
  }
}

// ---------------------------------------------------------------------------
// ParseExpr

struct ExprCase {
  std::string input;
  std::string want;  // ToString()
};

TEST(ParseExprTest, Selectors) {
  const std::vector<ExprCase> cases = {
      {"foo", "foo"},
      {"min", "min"},
      {R"(foo:bar{a="bc"})", R"(foo:bar{a="bc"})"},
      {R"({"foo"})", R"({__name__="foo"})"},
      {R"(foo{b="2", a="1"})", R"(foo{a="1",b="2"})"},
      {"foo offset 5m", "foo offset 5m"},
      {"foo offset -7m", "foo offset -7m"},
      {"foo offset +5m", "foo offset 5m"},
      {"foo OFFSET 1h30m", "foo offset 1h30m"},
      {"foo OFFSET 1m30ms", "foo offset 1m30ms"},
      {"foo offset 3600", "foo offset 1h"},
      {"foo offset 0 offset 1m", "foo offset 1m"},
      {"foo @ 1603774568", "foo @ 1603774568.000"},
      {"foo @ -100", "foo @ -100.000"},
      {"foo @ .3", "foo @ 0.300"},
      {"foo @ 1m", "foo @ 60.000"},
      {"foo @ start()", "foo @ start()"},
      {"foo @ end()", "foo @ end()"},
      {"foo @ 100 offset 5m", "foo @ 100.000 offset 5m"},
      {"foo offset 5m @ 100", "foo @ 100.000 offset 5m"},
      {"test[1000ms]", "test[1s]"},
      {"test[1001ms]", "test[1s1ms]"},
      {"test[5s]", "test[5s]"},
      {"foo[5m30s]", "foo[5m30s]"},
      {"test[5h] OFFSET 5m", "test[5h] offset 5m"},
      {"test[5d] OFFSET 10s", "test[5d] offset 10s"},
      {"test[5w] offset 2w", "test[5w] offset 2w"},
      {R"(test{a="b"}[5y] OFFSET 3d)", R"(test{a="b"}[5y] offset 3d)"},
      {R"(test{a="b"}[5m] OFFSET 3600)", R"(test{a="b"}[5m] offset 1h)"},
      {"foo[3ms] @ 2.345", "foo[3ms] @ 2.345"},
      {"foo[4s180ms] @ 2.345", "foo[4s180ms] @ 2.345"},
      {"foo[4.18] @ 2.345", "foo[4s180ms] @ 2.345"},
      {"foo[4.018] @ 2.345", "foo[4s18ms] @ 2.345"},
      {R"(test{a="b"}[5y] @ 1603774699)", R"(test{a="b"}[5y] @ 1603774699.000)"},
      {"test[5]", "test[5s]"},
      {"foo[+5m]", "foo[5m]"},
      {"some_metric[5m] @ 1m", "some_metric[5m] @ 60.000"},
      {"foo[5m] offset 1m @ start()", "foo[5m] @ start() offset 1m"},
      {"foo # comment\n[5m]", "foo[5m]"},
  };
  for (const ExprCase& c : cases) {
    absl::StatusOr<std::unique_ptr<Expr>> got = ParseExpr(c.input);
    ASSERT_TRUE(got.ok()) << c.input << ": " << got.status();
    EXPECT_EQ((*got)->ToString(), c.want) << c.input;
  }
}

TEST(ParseExprTest, VectorSelectorFields) {
  absl::StatusOr<std::unique_ptr<Expr>> got = ParseExpr(R"(foo{a="b"} offset 5m)");
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ((*got)->kind(), NodeKind::kVectorSelector);
  EXPECT_EQ((*got)->type(), ValueType::kVector);
  const auto& vs = (*got)->As<VectorSelector>();
  EXPECT_EQ(vs.name, "foo");
  EXPECT_EQ(Render(vs.matchers), R"(__name__="foo", a="b")");
  EXPECT_EQ(vs.original_offset, absl::Minutes(5));
  EXPECT_EQ(vs.pos, (PositionRange{0, 20}));
  EXPECT_FALSE(vs.timestamp.has_value());
  EXPECT_EQ(vs.start_or_end, AtModifier::kNone);

  got = ParseExpr(R"( {"foo"} @ end())");
  ASSERT_TRUE(got.ok()) << got.status();
  const auto& quoted = (*got)->As<VectorSelector>();
  EXPECT_EQ(quoted.name, "");  // a name inside the braces is only a matcher
  EXPECT_EQ(Render(quoted.matchers), R"(__name__="foo")");
  EXPECT_EQ(quoted.start_or_end, AtModifier::kEnd);
  EXPECT_EQ(quoted.pos, (PositionRange{1, 16}));
}

TEST(ParseExprTest, Timestamps) {
  struct Case {
    std::string input;
    int64_t want_ms;
  };
  const std::vector<Case> cases = {
      {"foo @ 1603774568", 1603774568000},
      {"foo @ -100", -100000},
      {"foo @ .3", 300},
      {"foo @ 3.", 3000},
      {"foo @ 3.33", 3330},
      {"foo @ 3.3333", 3333},
      {"foo @ 3.3335", 3334},
      {"foo @ 3e2", 300000},
      {"foo @ 3e-1", 300},
      {"foo @ 0xA", 10000},
      {"foo @ -3.3e1", -33000},
      {"foo @ 1m", 60000},
      {"foo @ 0755", 493000},
      {"foo @ 1_000", 1000000},
      {"foo @ 09", 9000},
  };
  for (const Case& c : cases) {
    absl::StatusOr<std::unique_ptr<Expr>> got = ParseExpr(c.input);
    ASSERT_TRUE(got.ok()) << c.input << ": " << got.status();
    const auto& vs = (*got)->As<VectorSelector>();
    ASSERT_TRUE(vs.timestamp.has_value()) << c.input;
    EXPECT_EQ(*vs.timestamp, c.want_ms) << c.input;
  }
}

TEST(ParseExprTest, MatrixSelectorFields) {
  absl::StatusOr<std::unique_ptr<Expr>> got = ParseExpr("foo[4.018] @ 2.345");
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ((*got)->kind(), NodeKind::kMatrixSelector);
  EXPECT_EQ((*got)->type(), ValueType::kMatrix);
  const auto& ms = (*got)->As<MatrixSelector>();
  EXPECT_EQ(ms.range, absl::Milliseconds(4018));
  ASSERT_NE(ms.vector_selector, nullptr);
  EXPECT_EQ(ms.vector_selector->timestamp, 2345);
  EXPECT_EQ(ms.vector_selector->pos, (PositionRange{0, 3}));
  EXPECT_EQ(ms.end_pos, 18);
  EXPECT_EQ(ms.position_range(), (PositionRange{0, 18}));

  got = ParseExpr("test[5m] OFFSET 3600");
  ASSERT_TRUE(got.ok()) << got.status();
  const auto& with_offset = (*got)->As<MatrixSelector>();
  EXPECT_EQ(with_offset.range, absl::Minutes(5));
  EXPECT_EQ(with_offset.vector_selector->original_offset, absl::Hours(1));
  EXPECT_EQ(with_offset.end_pos, 20);

  std::unique_ptr<Expr> copy = (*got)->Clone();
  EXPECT_EQ(copy->ToString(), (*got)->ToString());
  EXPECT_NE(copy->DynCast<MatrixSelector>(), nullptr);
  EXPECT_EQ(copy->DynCast<VectorSelector>(), nullptr);
}

TEST(ParseExprTest, Errors) {
  const std::string too_big(309, '9');
  const std::vector<ErrorCase> cases = {
      {"", "unknown position: parse error: no expression found in input"},
      {"# just a comment\n\n", "1:1: parse error: no expression found in input"},
      {"{}", "1:1: parse error: vector selector must contain at least one non-empty matcher"},
      {R"({x=""})",
       "1:1: parse error: vector selector must contain at least one non-empty matcher"},
      {R"({x=~".*"})",
       "1:1: parse error: vector selector must contain at least one non-empty matcher"},
      {R"({x!~".+"})",
       "1:1: parse error: vector selector must contain at least one non-empty matcher"},
      {R"({x!="a"})",
       "1:1: parse error: vector selector must contain at least one non-empty matcher"},
      {R"(foo{__name__="bar"})",
       R"(1:1: parse error: metric name must not be set twice: "foo" or "bar")"},
      {R"(x {__name__="bar", __name__="baz"}[5m])",
       R"(1:1: parse error: metric name must not be set twice: "x" or "bar")"},
      {"foo[5mm]", R"(1:5: parse error: bad number or duration syntax: "5mm")"},
      {"foo[5m1]", R"(1:5: parse error: bad number or duration syntax: "5m1")"},
      {"foo[5y1hs]", R"(1:5: parse error: unknown unit "hs" in duration "5y1hs")"},
      {"foo[5m1h]", R"(1:5: parse error: not a valid duration string: "5m1h")"},
      {"foo[5m1m]", R"(1:5: parse error: not a valid duration string: "5m1m")"},
      {"foo[0m]", "1:5: parse error: duration must be greater than 0"},
      {"foo[-1]", "1:5: parse error: duration must be greater than 0"},
      {R"(foo["5m"])", R"(1:5: parse error: unexpected character in duration expression: '"')"},
      {"foo[]",
       R"(1:5: parse error: unexpected "]" in subquery or range selector, expected number, duration, step(), or range())"},
      {"foo[5m", "1:7: parse error: unclosed left bracket"},
      {"foo[5m x]", "1:8: parse error: unexpected character: 'x', expected ':'"},
      {"foo[100000000000y]", "1:5: parse error: duration out of range"},
      {"foo[9999999999]", "1:5: parse error: duration out of range"},
      {"foo offset Inf", "1:12: parse error: duration out of range"},
      // Inside brackets only durations lex, not Inf/NaN.
      {"foo[Inf]", "1:5: parse error: unexpected character in duration expression: 'I'"},
      {"some_metric[5m] OFFSET 1mm", R"(1:24: parse error: bad number or duration syntax: "1mm")"},
      {"some_metric[5m] OFFSET",
       "1:23: parse error: unexpected end of input in offset, expected number, duration, step(), "
       "or range()"},
      {"foo offset bar",
       R"(1:12: parse error: unexpected identifier "bar" in offset, expected number, duration, step(), or range())"},
      {"foo offset -9999999999", "1:12: parse error: duration out of range"},
      {"some_metric OFFSET 1m[5m]", "1:22: parse error: no offset modifiers allowed before range"},
      {"foo offset 5m offset 1m", "1:1: parse error: offset may not be set multiple times"},
      {"foo[5m] offset 5m offset 1m", "1:1: parse error: offset may not be set multiple times"},
      {"some_metric[5m] @", "1:18: parse error: unexpected end of input in @, expected timestamp"},
      {"foo @ bar", R"(1:7: parse error: unexpected identifier "bar" in @, expected timestamp)"},
      {"foo @ start(1)", R"(1:13: parse error: unexpected number "1" in @, expected timestamp)"},
      {"foo @ end", "1:10: parse error: unexpected end of input in @, expected timestamp"},
      {"some_metric @ 1234 [5m]", "1:20: parse error: no @ modifiers allowed before range"},
      {"foo @ +Inf", "1:1: parse error: timestamp out of bounds for @ modifier: +Inf"},
      {"foo @ -Inf", "1:1: parse error: timestamp out of bounds for @ modifier: -Inf"},
      {"foo @ NaN", "1:1: parse error: timestamp out of bounds for @ modifier: NaN"},
      {fmt::format("foo @ {:f}", 9223372036854775808.0),
       "1:1: parse error: timestamp out of bounds for @ modifier: 9223372036854775808.000000"},
      {fmt::format("foo @ {:f}", -9223372036854775808.0),
       "1:1: parse error: timestamp out of bounds for @ modifier: -9223372036854775808.000000"},
      {"foo @ 1 @ 2", "1:1: parse error: @ <timestamp> may not be set multiple times"},
      {"foo[5m] @ start() @ end()",
       "1:1: parse error: @ <timestamp> may not be set multiple times"},
      {"foo @ " + too_big,
       fmt::format(
           R"(1:7: parse error: error parsing number: strconv.ParseFloat: parsing "{}": value out of range)",
           too_big)},
      {"foo @ 0x10000000000000000",
       R"(1:7: parse error: error parsing number: strconv.ParseFloat: parsing "0x10000000000000000": invalid syntax)"},
      {"foo[5m][5m]", "1:8: parse error: ranges only allowed for vector selectors"},
      {"foo anchored", "1:1: parse error: anchored modifier is experimental and not enabled"},
      {"foo[5m] smoothed", "1:1: parse error: smoothed modifier is experimental and not enabled"},
      {"foo bar", R"(1:5: parse error: unexpected identifier "bar")"},
      {"sum some_metric by (test)", R"(1:5: parse error: unexpected identifier "some_metric")"},
      {"MIN keep_common (some_metric)", R"(1:5: parse error: unexpected identifier "keep_common")"},
      {".", "1:1: parse error: unexpected character: '.'"},
      {"2.5.", R"(1:1: parse error: bad number or duration syntax: "2.5.")"},
      {"100..4", R"(1:1: parse error: bad number or duration syntax: "100..")"},
      {"0deadbeef", R"(1:1: parse error: bad number or duration syntax: "0de")"},
      {"foo !~ 1", "1:5: parse error: unexpected character after '!': '~'"},
      {"*1", "1:1: parse error: unexpected <op:*>"},
      {"bool", "1:1: parse error: unexpected <bool>"},
      {"foo{\n  a=~\"(\"\n}", "2:3: parse error: invalid regular expression"},
      // Duration expressions: see duration_expr_test.cc.
      {"foo[1m/0]", "1:7: parse error: division by zero"},
  };
  for (const ErrorCase& c : cases) {
    absl::StatusOr<std::unique_ptr<Expr>> got = ParseExpr(c.input);
    ASSERT_FALSE(got.ok()) << c.input << " parsed as " << (*got)->ToString();
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument) << c.input;
    // The regex case carries the matcher's own message after the prefix.
    EXPECT_THAT(std::string(got.status().message()), StartsWith(c.want)) << c.input;
    if (c.want.find("regular expression") == std::string::npos) {
      EXPECT_EQ(got.status().message(), c.want) << c.input;
    }
  }
}

TEST(ParseDurationTest, Valid) {
  struct Case {
    std::string input;
    absl::Duration want;
  };
  const std::vector<Case> cases = {
      {"0", absl::ZeroDuration()},
      {"5m", absl::Minutes(5)},
      {"1h30m", absl::Minutes(90)},
      {"500ms", absl::Milliseconds(500)},
      {"1y", absl::Hours(365 * 24)},
      {"2w", absl::Hours(14 * 24)},
      {"1y2w3d4h5m6s7ms", absl::Hours(365 * 24 + 17 * 24 + 4) + absl::Minutes(5) +
                              absl::Seconds(6) + absl::Milliseconds(7)},
      {"0s", absl::ZeroDuration()},
  };
  for (const Case& c : cases) {
    absl::StatusOr<absl::Duration> got = ParseDuration(c.input);
    ASSERT_TRUE(got.ok()) << c.input << ": " << got.status();
    EXPECT_EQ(*got, c.want) << c.input;
  }
}

TEST(ParseDurationTest, Errors) {
  const std::vector<ErrorCase> cases = {
      {"", "empty duration string"},
      {"5", R"(not a valid duration string: "5")"},
      {"m5", R"(not a valid duration string: "m5")"},
      {"-5m", R"(not a valid duration string: "-5m")"},
      {"5m1h", R"(not a valid duration string: "5m1h")"},
      {"1m1m", R"(not a valid duration string: "1m1m")"},
      {"5y1hs", R"(unknown unit "hs" in duration "5y1hs")"},
      {"1.5h", R"(unknown unit "." in duration "1.5h")"},
      {"300y", "duration out of range"},
      {"99999999999999999999s", R"(not a valid duration string: "99999999999999999999s")"},
  };
  for (const ErrorCase& c : cases) {
    absl::StatusOr<absl::Duration> got = ParseDuration(c.input);
    ASSERT_FALSE(got.ok()) << c.input;
    EXPECT_EQ(got.status().message(), c.want) << c.input;
  }
}

TEST(DurationToStringTest, PrometheusFormat) {
  EXPECT_EQ(DurationToString(absl::ZeroDuration()), "0s");
  EXPECT_EQ(DurationToString(absl::Minutes(90)), "1h30m");
  EXPECT_EQ(DurationToString(absl::Hours(365 * 24)), "1y");
  EXPECT_EQ(DurationToString(absl::Hours(90 * 24)), "90d");  // not 12w6d
  EXPECT_EQ(DurationToString(absl::Hours(14 * 24)), "2w");
  EXPECT_EQ(DurationToString(absl::Milliseconds(1500)), "1s500ms");
  EXPECT_EQ(DurationToString(absl::Microseconds(1500)), "1ms");  // truncated
  EXPECT_EQ(DurationToString(-absl::Minutes(5)), "-5m");
}

TEST(AstTest, DocumentedType) {
  EXPECT_EQ(DocumentedType(ValueType::kVector), "instant vector");
  EXPECT_EQ(DocumentedType(ValueType::kMatrix), "range vector");
  EXPECT_EQ(DocumentedType(ValueType::kScalar), "scalar");
  EXPECT_EQ(DocumentedType(ValueType::kString), "string");
}

}  // namespace
}  // namespace strata::promql
