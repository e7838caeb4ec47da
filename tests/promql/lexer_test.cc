// Lexer tests, adapted from the cases of Prometheus's promql/parser/lex_test.go
// (rewritten as tables of expected tokens), plus the exact error messages and
// positions Prometheus reports.
#include "promql/lexer.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "promql/strconv.h"

namespace strata::promql {
namespace {

using K = TokenKind;

struct Tok {
  K kind;
  int pos;
  std::string text;

  friend bool operator==(const Tok&, const Tok&) = default;
  friend std::ostream& operator<<(std::ostream& os, const Tok& t) {
    return os << TokenKindName(t.kind) << "@" << t.pos << ":" << t.text;
  }
};

// All tokens up to (excluding) kEof; an error token ends the list.
std::vector<Tok> LexAll(std::string_view input) {
  Lexer lexer(input);
  std::vector<Tok> out;
  for (int i = 0; i < 1000; ++i) {
    Token t = lexer.Next();
    if (t.kind == K::kEof) break;
    out.push_back({t.kind, t.pos, std::string(t.text)});
    if (t.kind == K::kError) break;
  }
  return out;
}

struct Case {
  std::string input;
  std::vector<Tok> want;
};

void RunCases(const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    EXPECT_EQ(LexAll(c.input), c.want) << "input: " << c.input;
  }
}

TEST(LexerTest, Punctuation) {
  RunCases({
      {",", {{K::kComma, 0, ","}}},
      {"()", {{K::kLeftParen, 0, "("}, {K::kRightParen, 1, ")"}}},
      {"{}", {{K::kLeftBrace, 0, "{"}, {K::kRightBrace, 1, "}"}}},
      {"[5m]", {{K::kLeftBracket, 0, "["}, {K::kDuration, 1, "5m"}, {K::kRightBracket, 3, "]"}}},
      {"[ 5m]", {{K::kLeftBracket, 0, "["}, {K::kDuration, 2, "5m"}, {K::kRightBracket, 4, "]"}}},
      {"[  5m]", {{K::kLeftBracket, 0, "["}, {K::kDuration, 3, "5m"}, {K::kRightBracket, 5, "]"}}},
      {"[  5m ]", {{K::kLeftBracket, 0, "["}, {K::kDuration, 3, "5m"}, {K::kRightBracket, 6, "]"}}},
      {"\r\n\r", {}},
      {"", {}},
  });
}

TEST(LexerTest, Numbers) {
  RunCases({
      {"1", {{K::kNumber, 0, "1"}}},
      {"4.23", {{K::kNumber, 0, "4.23"}}},
      {".3", {{K::kNumber, 0, ".3"}}},
      {"5.", {{K::kNumber, 0, "5."}}},
      {"NaN", {{K::kNumber, 0, "NaN"}}},
      {"nAN", {{K::kNumber, 0, "nAN"}}},
      {"NaN 123", {{K::kNumber, 0, "NaN"}, {K::kNumber, 4, "123"}}},
      {"NaN123", {{K::kIdentifier, 0, "NaN123"}}},
      {"iNf", {{K::kNumber, 0, "iNf"}}},
      {"Inf", {{K::kNumber, 0, "Inf"}}},
      {"+Inf", {{K::kAdd, 0, "+"}, {K::kNumber, 1, "Inf"}}},
      {"+Inf 123", {{K::kAdd, 0, "+"}, {K::kNumber, 1, "Inf"}, {K::kNumber, 5, "123"}}},
      {"-Inf", {{K::kSub, 0, "-"}, {K::kNumber, 1, "Inf"}}},
      {"Infoo", {{K::kIdentifier, 0, "Infoo"}}},
      {"-Infoo", {{K::kSub, 0, "-"}, {K::kIdentifier, 1, "Infoo"}}},
      {"-Inf 123", {{K::kSub, 0, "-"}, {K::kNumber, 1, "Inf"}, {K::kNumber, 5, "123"}}},
      {"0x123", {{K::kNumber, 0, "0x123"}}},
      {"0X_1F", {{K::kNumber, 0, "0X_1F"}}},
      {"1_000", {{K::kNumber, 0, "1_000"}}},
      {"5e-3", {{K::kNumber, 0, "5e-3"}}},
      {"1.5E+10", {{K::kNumber, 0, "1.5E+10"}}},
      {"0755", {{K::kNumber, 0, "0755"}}},
  });
}

TEST(LexerTest, NumberErrors) {
  RunCases({
      {"2.5.", {{K::kError, 0, R"(bad number or duration syntax: "2.5.")"}}},
      {"100..4", {{K::kError, 0, R"(bad number or duration syntax: "100..")"}}},
      {"0deadbeef", {{K::kError, 0, R"(bad number or duration syntax: "0de")"}}},
      {"1a", {{K::kError, 0, R"(bad number or duration syntax: "1")"}}},
      {"0a:bc", {{K::kError, 0, R"(bad number or duration syntax: "0")"}}},
      {"1e", {{K::kError, 0, R"(bad number or duration syntax: "1e")"}}},
      {"1__0", {{K::kError, 0, R"(bad number or duration syntax: "1__")"}}},
      {"0x1.5", {{K::kError, 0, R"(bad number or duration syntax: "0x1.")"}}},
      // Non-Latin digits are not digits (prometheus/prometheus#939).
      {".٩", {{K::kError, 0, "unexpected character: '.'"}}},
      {".", {{K::kError, 0, "unexpected character: '.'"}}},
  });
}

TEST(LexerTest, Strings) {
  RunCases({
      {R"("test\tsequence")", {{K::kString, 0, R"("test\tsequence")"}}},
      {R"("test\\.expression")", {{K::kString, 0, R"("test\\.expression")"}}},
      {R"("test\.expression")", {{K::kError, 0, "unknown escape sequence U+002E '.'"}}},
      {R"(`test\.expression`)", {{K::kString, 0, R"(`test\.expression`)"}}},
      {"`multi\nline`", {{K::kString, 0, "`multi\nline`"}}},
      {R"('single "quoted"')", {{K::kString, 0, R"('single "quoted"')"}}},
      {R"('it\'s')", {{K::kString, 0, R"('it\'s')"}}},
      {R"("say \"hi\"")", {{K::kString, 0, R"("say \"hi\"")"}}},
      {R"("\a\b\f\n\r\t\v\\")", {{K::kString, 0, R"("\a\b\f\n\r\t\v\\")"}}},
      {R"("\x41\101\u00e9\U0001F600")", {{K::kString, 0, R"("\x41\101\u00e9\U0001F600")"}}},
      {"\"caf\xc3\xa9\"", {{K::kString, 0, "\"caf\xc3\xa9\""}}},
  });
}

TEST(LexerTest, StringErrors) {
  RunCases({
      {R"(x "abc)", {{K::kIdentifier, 0, "x"}, {K::kError, 2, "unterminated quoted string"}}},
      {"\"a\nb\"", {{K::kError, 0, "unterminated quoted string"}}},
      {"`abc", {{K::kError, 0, "unterminated raw string"}}},
      {"\"\xff\"", {{K::kError, 0, "invalid UTF-8 rune"}}},
      {"`\xff`", {{K::kError, 0, "invalid UTF-8 rune"}}},
      {R"("\'")", {{K::kError, 0, "unknown escape sequence U+0027 '''"}}},
      {R"('\"')", {{K::kError, 0, R"(unknown escape sequence U+0022 '"')"}}},
      {"\"\\\n\"", {{K::kError, 0, "unknown escape sequence U+000A"}}},
      {R"("\400")", {{K::kError, 0, "escape sequence is an invalid Unicode code point"}}},
      {R"("\uD800")", {{K::kError, 0, "escape sequence is an invalid Unicode code point"}}},
      {R"("\U00110000")", {{K::kError, 0, "escape sequence is an invalid Unicode code point"}}},
      {R"("\xZZ")", {{K::kError, 0, "illegal character U+005A 'Z' in escape sequence"}}},
      {R"("\x1")", {{K::kError, 0, R"(illegal character U+0022 '"' in escape sequence)"}}},
      {R"("\x4)", {{K::kError, 0, "escape sequence not terminated"}}},
      {R"("\)", {{K::kError, 0, "escape sequence not terminated"}}},
  });
}

TEST(LexerTest, Durations) {
  RunCases({
      {"5s", {{K::kDuration, 0, "5s"}}},
      {"123m", {{K::kDuration, 0, "123m"}}},
      {"1h", {{K::kDuration, 0, "1h"}}},
      {"3w", {{K::kDuration, 0, "3w"}}},
      {"1y", {{K::kDuration, 0, "1y"}}},
      {"500ms", {{K::kDuration, 0, "500ms"}}},
      {"1h30m", {{K::kDuration, 0, "1h30m"}}},
      {"1y2w3d4h5m6s7ms", {{K::kDuration, 0, "1y2w3d4h5m6s7ms"}}},
      // Bad units are the parser's business.
      {"5y1hs", {{K::kDuration, 0, "5y1hs"}}},
      {"5mm", {{K::kError, 0, R"(bad number or duration syntax: "5mm")"}}},
      {"5m1", {{K::kError, 0, R"(bad number or duration syntax: "5m1")"}}},
      {"1y1y", {{K::kError, 0, R"(bad number or duration syntax: "1y1")"}}},
  });
}

TEST(LexerTest, Identifiers) {
  RunCases({
      {"abc", {{K::kIdentifier, 0, "abc"}}},
      {"a:bc", {{K::kMetricIdentifier, 0, "a:bc"}}},
      {"abc d", {{K::kIdentifier, 0, "abc"}, {K::kIdentifier, 4, "d"}}},
      {":bc", {{K::kMetricIdentifier, 0, ":bc"}}},
      {"_a1", {{K::kIdentifier, 0, "_a1"}}},
      {"job:rate:5m", {{K::kMetricIdentifier, 0, "job:rate:5m"}}},
      {"台北", {{K::kError, 0, "unexpected character: '台'"}}},
  });
}

TEST(LexerTest, Comments) {
  RunCases({
      {"# some comment", {{K::kComment, 0, "# some comment"}}},
      {"5 # 1+1\n5", {{K::kNumber, 0, "5"}, {K::kComment, 2, "# 1+1"}, {K::kNumber, 8, "5"}}},
      {"{# c\n}", {{K::kLeftBrace, 0, "{"}, {K::kComment, 1, "# c"}, {K::kRightBrace, 5, "}"}}},
  });
}

TEST(LexerTest, Operators) {
  RunCases({
      {"=", {{K::kAssign, 0, "="}}},
      // Inside braces '=' is a matcher, still EQL.
      {"{=}", {{K::kLeftBrace, 0, "{"}, {K::kAssign, 1, "="}, {K::kRightBrace, 2, "}"}}},
      {"==", {{K::kEqlc, 0, "=="}}},
      {"!=", {{K::kNeq, 0, "!="}}},
      {"<", {{K::kLss, 0, "<"}}},
      {">", {{K::kGtr, 0, ">"}}},
      {">=", {{K::kGte, 0, ">="}}},
      {"<=", {{K::kLte, 0, "<="}}},
      {"+", {{K::kAdd, 0, "+"}}},
      {"-", {{K::kSub, 0, "-"}}},
      {"*", {{K::kMul, 0, "*"}}},
      {"/", {{K::kDiv, 0, "/"}}},
      {"^", {{K::kPow, 0, "^"}}},
      {"%", {{K::kMod, 0, "%"}}},
      {"AND", {{K::kLand, 0, "AND"}}},
      {"or", {{K::kLor, 0, "or"}}},
      {"unless", {{K::kLunless, 0, "unless"}}},
      {"atan2", {{K::kAtan2, 0, "atan2"}}},
      {"@", {{K::kAt, 0, "@"}}},
  });
}

TEST(LexerTest, KeywordsAndAggregators) {
  RunCases({
      {"sum", {{K::kSum, 0, "sum"}}},
      {"AVG", {{K::kAvg, 0, "AVG"}}},
      {"GROUP", {{K::kGroup, 0, "GROUP"}}},
      {"MAX", {{K::kMax, 0, "MAX"}}},
      {"min", {{K::kMin, 0, "min"}}},
      {"count", {{K::kCount, 0, "count"}}},
      {"stdvar", {{K::kStdvar, 0, "stdvar"}}},
      {"stddev", {{K::kStddev, 0, "stddev"}}},
      {"topk", {{K::kTopk, 0, "topk"}}},
      {"bottomk", {{K::kBottomk, 0, "bottomk"}}},
      {"count_values", {{K::kCountValues, 0, "count_values"}}},
      {"quantile", {{K::kQuantile, 0, "quantile"}}},
      {"limitk", {{K::kLimitk, 0, "limitk"}}},
      {"limit_ratio", {{K::kLimitRatio, 0, "limit_ratio"}}},
      {"offset", {{K::kOffset, 0, "offset"}}},
      {"by", {{K::kBy, 0, "by"}}},
      {"without", {{K::kWithout, 0, "without"}}},
      {"on", {{K::kOn, 0, "on"}}},
      {"ignoring", {{K::kIgnoring, 0, "ignoring"}}},
      {"group_left", {{K::kGroupLeft, 0, "group_left"}}},
      {"group_right", {{K::kGroupRight, 0, "group_right"}}},
      {"bool", {{K::kBool, 0, "bool"}}},
      {"smoothed", {{K::kSmoothed, 0, "smoothed"}}},
      {"anchored", {{K::kAnchored, 0, "anchored"}}},
      {"start", {{K::kStart, 0, "start"}}},
      {"end", {{K::kEnd, 0, "end"}}},
      {"step", {{K::kStep, 0, "step"}}},
      {"range", {{K::kRange, 0, "range"}}},
      // fill* are keywords only in front of '('.
      {"fill", {{K::kIdentifier, 0, "fill"}}},
      {"fill_left + x",
       {{K::kIdentifier, 0, "fill_left"}, {K::kAdd, 10, "+"}, {K::kIdentifier, 12, "x"}}},
      {"fill_right ()",
       {{K::kFillRight, 0, "fill_right"}, {K::kLeftParen, 11, "("}, {K::kRightParen, 12, ")"}}},
  });
}

TEST(LexerTest, Selectors) {
  RunCases({
      {"{台北='a'}",
       {{K::kLeftBrace, 0, "{"}, {K::kError, 1, "unexpected character inside braces: '台'"}}},
      {"{0a='a'}",
       {{K::kLeftBrace, 0, "{"}, {K::kError, 1, "unexpected character inside braces: '0'"}}},
      {"{foo='bar'}",
       {{K::kLeftBrace, 0, "{"},
        {K::kIdentifier, 1, "foo"},
        {K::kAssign, 4, "="},
        {K::kString, 5, "'bar'"},
        {K::kRightBrace, 10, "}"}}},
      {R"({foo="bar\"bar"})",
       {{K::kLeftBrace, 0, "{"},
        {K::kIdentifier, 1, "foo"},
        {K::kAssign, 4, "="},
        {K::kString, 5, R"("bar\"bar")"},
        {K::kRightBrace, 15, "}"}}},
      {"{NaN\t!= \"bar\" }",
       {{K::kLeftBrace, 0, "{"},
        {K::kIdentifier, 1, "NaN"},
        {K::kNeq, 5, "!="},
        {K::kString, 8, "\"bar\""},
        {K::kRightBrace, 14, "}"}}},
      {R"({alert=~"bar" })",
       {{K::kLeftBrace, 0, "{"},
        {K::kIdentifier, 1, "alert"},
        {K::kEqlRegex, 6, "=~"},
        {K::kString, 8, "\"bar\""},
        {K::kRightBrace, 14, "}"}}},
      // Keywords are plain identifiers inside braces.
      {R"({on!~"bar"})",
       {{K::kLeftBrace, 0, "{"},
        {K::kIdentifier, 1, "on"},
        {K::kNeqRegex, 3, "!~"},
        {K::kString, 5, "\"bar\""},
        {K::kRightBrace, 10, "}"}}},
      {R"({"a.b"="c",})",
       {{K::kLeftBrace, 0, "{"},
        {K::kString, 1, "\"a.b\""},
        {K::kAssign, 6, "="},
        {K::kString, 7, "\"c\""},
        {K::kComma, 10, ","},
        {K::kRightBrace, 11, "}"}}},
      {R"({alert!#"bar"})",
       {{K::kLeftBrace, 0, "{"},
        {K::kIdentifier, 1, "alert"},
        {K::kError, 6, "unexpected character after '!' inside braces: '#'"}}},
      {R"({foo:a="bar"})",
       {{K::kLeftBrace, 0, "{"},
        {K::kIdentifier, 1, "foo"},
        {K::kError, 4, "unexpected character inside braces: ':'"}}},
      {"{a=1}",
       {{K::kLeftBrace, 0, "{"},
        {K::kIdentifier, 1, "a"},
        {K::kAssign, 2, "="},
        {K::kError, 3, "unexpected character inside braces: '1'"}}},
  });
}

TEST(LexerTest, CommonErrors) {
  RunCases({
      {"=~", {{K::kError, 0, "unexpected character after '=': '~'"}}},
      {"!~", {{K::kError, 0, "unexpected character after '!': '~'"}}},
      {"!(", {{K::kError, 0, "unexpected character after '!': '('"}}},
      // End of input prints as U+FFFD, as Go's %q of -1 does.
      {"a !",
       {{K::kIdentifier, 0, "a"},
        {K::kError, 2, "unexpected character after '!': '\xef\xbf\xbd'"}}},
      {"1 !~ 1", {{K::kNumber, 0, "1"}, {K::kError, 2, "unexpected character after '!': '~'"}}},
      {"a $", {{K::kIdentifier, 0, "a"}, {K::kError, 2, "unexpected character: '$'"}}},
  });
}

TEST(LexerTest, MismatchedParentheses) {
  RunCases({
      {"(", {{K::kLeftParen, 0, "("}, {K::kError, 1, "unclosed left parenthesis"}}},
      {"())",
       {{K::kLeftParen, 0, "("},
        {K::kRightParen, 1, ")"},
        {K::kError, 3, "unexpected right parenthesis ')'"}}},
      {"(()",
       {{K::kLeftParen, 0, "("},
        {K::kLeftParen, 1, "("},
        {K::kRightParen, 2, ")"},
        {K::kError, 3, "unclosed left parenthesis"}}},
      {"{", {{K::kLeftBrace, 0, "{"}, {K::kError, 1, "unexpected end of input inside braces"}}},
      {"}", {{K::kError, 0, "unexpected character: '}'"}}},
      {"{{", {{K::kLeftBrace, 0, "{"}, {K::kError, 1, "unexpected left brace '{'"}}},
      {"{{}}", {{K::kLeftBrace, 0, "{"}, {K::kError, 1, "unexpected left brace '{'"}}},
      {"[",
       {{K::kLeftBracket, 0, "["},
        {K::kError, 1, "unexpected end of input in duration expression"}}},
      {"[[",
       {{K::kLeftBracket, 0, "["},
        {K::kError, 1, "unexpected character in duration expression: '['"}}},
      {"[]]",
       {{K::kLeftBracket, 0, "["},
        {K::kRightBracket, 1, "]"},
        {K::kError, 2, "unexpected right bracket ']'"}}},
      {"]", {{K::kError, 0, "unexpected right bracket ']'"}}},
      {"[5m",
       {{K::kLeftBracket, 0, "["},
        {K::kDuration, 1, "5m"},
        {K::kError, 3, "unclosed left bracket"}}},
      {"[5m[",
       {{K::kLeftBracket, 0, "["},
        {K::kDuration, 1, "5m"},
        {K::kError, 3, "unexpected left bracket '['"}}},
  });
}

TEST(LexerTest, SubqueriesAndDurationExpressions) {
  RunCases({
      {R"(test_name{on!~"bar"}[4m:4s])",
       {{K::kIdentifier, 0, "test_name"},
        {K::kLeftBrace, 9, "{"},
        {K::kIdentifier, 10, "on"},
        {K::kNeqRegex, 12, "!~"},
        {K::kString, 14, "\"bar\""},
        {K::kRightBrace, 19, "}"},
        {K::kLeftBracket, 20, "["},
        {K::kDuration, 21, "4m"},
        {K::kColon, 23, ":"},
        {K::kDuration, 24, "4s"},
        {K::kRightBracket, 26, "]"}}},
      {R"(test:name{on!~"b:ar"}[4m:] offset 10m)",
       {{K::kMetricIdentifier, 0, "test:name"},
        {K::kLeftBrace, 9, "{"},
        {K::kIdentifier, 10, "on"},
        {K::kNeqRegex, 12, "!~"},
        {K::kString, 14, "\"b:ar\""},
        {K::kRightBrace, 20, "}"},
        {K::kLeftBracket, 21, "["},
        {K::kDuration, 22, "4m"},
        {K::kColon, 24, ":"},
        {K::kRightBracket, 25, "]"},
        {K::kOffset, 27, "offset"},
        {K::kDuration, 34, "10m"}}},
      {"rate(foo[2s])[5m:]",
       {{K::kIdentifier, 0, "rate"},
        {K::kLeftParen, 4, "("},
        {K::kIdentifier, 5, "foo"},
        {K::kLeftBracket, 8, "["},
        {K::kDuration, 9, "2s"},
        {K::kRightBracket, 11, "]"},
        {K::kRightParen, 12, ")"},
        {K::kLeftBracket, 13, "["},
        {K::kDuration, 14, "5m"},
        {K::kColon, 16, ":"},
        {K::kRightBracket, 17, "]"}}},
      {"x[step()+1m]",
       {{K::kIdentifier, 0, "x"},
        {K::kLeftBracket, 1, "["},
        {K::kStep, 2, "step"},
        {K::kLeftParen, 6, "("},
        {K::kRightParen, 7, ")"},
        {K::kAdd, 8, "+"},
        {K::kDuration, 9, "1m"},
        {K::kRightBracket, 11, "]"}}},
      {"x[min(range(), 5m)]",
       {{K::kIdentifier, 0, "x"},
        {K::kLeftBracket, 1, "["},
        {K::kMin, 2, "min"},
        {K::kLeftParen, 5, "("},
        {K::kRange, 6, "range"},
        {K::kLeftParen, 11, "("},
        {K::kRightParen, 12, ")"},
        {K::kComma, 13, ","},
        {K::kDuration, 15, "5m"},
        {K::kRightParen, 17, ")"},
        {K::kRightBracket, 18, "]"}}},
      // After the first number the bracket is lexed by the statement rules,
      // which know only s/S/m/M keywords (as Prometheus's lexer does).
      {"x[min(5m, range())]",
       {{K::kIdentifier, 0, "x"},
        {K::kLeftBracket, 1, "["},
        {K::kMin, 2, "min"},
        {K::kLeftParen, 5, "("},
        {K::kDuration, 6, "5m"},
        {K::kComma, 8, ","},
        {K::kError, 10, "unexpected character: 'r', expected ':'"}}},
      {"x[5m:1m:]",
       {{K::kIdentifier, 0, "x"},
        {K::kLeftBracket, 1, "["},
        {K::kDuration, 2, "5m"},
        {K::kColon, 4, ":"},
        {K::kDuration, 5, "1m"},
        {K::kError, 7, "unexpected colon ':'"}}},
      // The error replaces the colon and is reported after it.
      {"x[:5m]",
       {{K::kIdentifier, 0, "x"},
        {K::kLeftBracket, 1, "["},
        {K::kError, 3, "unexpected colon before duration in duration expression"}}},
      {"x[abc]",
       {{K::kIdentifier, 0, "x"},
        {K::kLeftBracket, 1, "["},
        {K::kError, 2, "unexpected character in duration expression: 'a'"}}},
      {"x[5m foo]",
       {{K::kIdentifier, 0, "x"},
        {K::kLeftBracket, 1, "["},
        {K::kDuration, 2, "5m"},
        {K::kError, 5, "unexpected character: 'f', expected ':'"}}},
  });
}

TEST(LexerTest, TokenDescriptions) {
  struct DescCase {
    std::string input;
    std::string want;
    int skip = 0;  // tokens to skip before the one described
  };
  const std::vector<DescCase> cases = {
      {"{}", R"("}")", 1},
      {",", R"(",")"},
      {"=", R"("=")"},
      {"==", "<op:==>"},
      {"!=", "<op:!=>"},
      {"@", "<op:@>"},
      {"and", "<op:and>"},
      {"by", "<by>"},
      {"BY", "<BY>"},
      {"offset", "<offset>"},
      {"sum", "<aggr:sum>"},
      {"start", R"("start")"},
      {"foo", R"(identifier "foo")"},
      {"a:b", R"(metric identifier "a:b")"},
      {R"("x")", R"(string "\"x\"")"},
      {"1", R"(number "1")"},
      {"5m", R"(duration "5m")"},
      {"12345678901", R"(number "1234567890"...)"},
      {R"("abcdefghijklmnop")", R"(string "\"abcdefghi"...)"},
      // Identifiers are never cut.
      {"abcdefghijklmnop", R"(identifier "abcdefghijklmnop")"},
  };
  for (const DescCase& c : cases) {
    Lexer lexer(c.input);
    for (int i = 0; i < c.skip; ++i) lexer.Next();
    EXPECT_EQ(DescribeToken(lexer.Next()), c.want) << c.input;
  }
  EXPECT_EQ(DescribeToken(Token{K::kEof, 0, {}}), "end of input");
}

TEST(LexerTest, GoQuoteRune) {
  EXPECT_EQ(GoQuoteRune('a'), "'a'");
  EXPECT_EQ(GoQuoteRune('\n'), R"('\n')");
  EXPECT_EQ(GoQuoteRune('\''), R"('\'')");
  EXPECT_EQ(GoQuoteRune('"'), R"('"')");
  EXPECT_EQ(GoQuoteRune('\\'), R"('\\')");
  EXPECT_EQ(GoQuoteRune(0x7f), R"('\x7f')");
  EXPECT_EQ(GoQuoteRune(0x53f0), "'\xe5\x8f\xb0'");
  EXPECT_EQ(GoQuoteRune(0x2028), R"('\u2028')");
  EXPECT_EQ(GoQuoteRune(-1), "'\xef\xbf\xbd'");
}

TEST(LexerTest, Unquote) {
  struct UnquoteCase {
    std::string quoted;
    std::string want;
  };
  const std::vector<UnquoteCase> ok = {
      {R"("")", ""},
      {R"("a\tb")", "a\tb"},
      {R"('foo\'bar')", "foo'bar"},
      {R"('say "hi"')", R"(say "hi")"},
      {R"("say \"hi\"")", R"(say "hi")"},
      {R"(`a\dos\path`)", R"(a\dos\path)"},
      {R"('a\\dos\\path')", R"(a\dos\path)"},
      {R"("\x41\101\u00e9")", "AA\xc3\xa9"},
      {R"("\U0001F600")", "\xf0\x9f\x98\x80"},
      {R"("\xff")", "\xff"},
      {R"("\a\b\f\n\r\v")", "\a\b\f\n\r\v"},
  };
  for (const UnquoteCase& c : ok) {
    absl::StatusOr<std::string> got = Unquote(c.quoted);
    ASSERT_TRUE(got.ok()) << c.quoted << ": " << got.status();
    EXPECT_EQ(*got, c.want) << c.quoted;
  }
  for (std::string bad : {R"("\'")", R"('\"')", R"("a)", "\"a\nb\"", R"("\q")", R"("\400")",
                          R"("a"b")", "x", R"("\x4")", "`a`b`"}) {
    EXPECT_FALSE(Unquote(bad).ok()) << bad;
  }
}

TEST(LexerTest, KindPredicates) {
  EXPECT_TRUE(IsOperator(K::kAdd));
  EXPECT_TRUE(IsOperator(K::kAtan2));
  EXPECT_TRUE(IsOperator(K::kLand));
  EXPECT_FALSE(IsOperator(K::kAssign));
  EXPECT_TRUE(IsAggregator(K::kSum));
  EXPECT_TRUE(IsAggregator(K::kLimitRatio));
  EXPECT_FALSE(IsAggregator(K::kBy));
  EXPECT_TRUE(IsAggregatorWithParam(K::kTopk));
  EXPECT_FALSE(IsAggregatorWithParam(K::kSum));
  EXPECT_TRUE(IsKeyword(K::kBy));
  EXPECT_TRUE(IsKeyword(K::kBool));
  EXPECT_FALSE(IsKeyword(K::kStart));
  EXPECT_TRUE(IsComparisonOperator(K::kGte));
  EXPECT_FALSE(IsComparisonOperator(K::kAdd));
  EXPECT_TRUE(IsSetOperator(K::kLunless));
  EXPECT_EQ(TokenKindName(K::kEqlRegex), "EQL_REGEX");
  EXPECT_EQ(TokenKindName(K::kRange), "RANGE");
}

TEST(LexerTest, EofIsSticky) {
  Lexer lexer("foo");
  EXPECT_EQ(lexer.Next().kind, K::kIdentifier);
  EXPECT_EQ(lexer.Next().kind, K::kEof);
  EXPECT_EQ(lexer.Next().kind, K::kEof);
  Lexer bad("}");
  EXPECT_EQ(bad.Next().kind, K::kError);
  EXPECT_EQ(bad.Next().kind, K::kEof);
}

}  // namespace
}  // namespace strata::promql
