// Go-compatible conversions used by the lexer and parser (Go's strconv and
// utf8, prometheus/common's model.ParseDuration).
#include "promql/strconv.h"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace strata::promql {
namespace {

TEST(StrconvTest, ParseNumber) {
  struct Case {
    std::string input;
    double want;
  };
  const std::vector<Case> cases = {
      {"1", 1},
      {"4.23", 4.23},
      {".5", 0.5},
      {"5.", 5},
      {"5e-3", 0.005},
      {"1.5E+10", 1.5e10},
      {"0xc", 12},
      {"0X_1F", 31},
      {"0755", 493},  // leading zero: octal, as Go's ParseInt base 0
      {"08", 8},      // not octal: falls through to ParseFloat
      {"1_000", 1000},
      {"1_000.5", 1000.5},
      {"9223372036854775807", 9223372036854775807.0},
      {"9223372036854775808", 9223372036854775808.0},
      {"1e-400", 0},  // underflow is not an error in Go
      {"Inf", std::numeric_limits<double>::infinity()},
      {"iNf", std::numeric_limits<double>::infinity()},
      {"-Inf", -std::numeric_limits<double>::infinity()},
  };
  for (const Case& c : cases) {
    absl::StatusOr<double> got = ParseNumber(c.input);
    ASSERT_TRUE(got.ok()) << c.input << ": " << got.status();
    EXPECT_EQ(*got, c.want) << c.input;
  }
  absl::StatusOr<double> nan = ParseNumber("NaN");
  ASSERT_TRUE(nan.ok());
  EXPECT_TRUE(std::isnan(*nan));
}

TEST(StrconvTest, ParseNumberErrors) {
  struct Case {
    std::string input;
    std::string want;
  };
  const std::vector<Case> cases = {
      {"1e400", R"(strconv.ParseFloat: parsing "1e400": value out of range)"},
      {"0x10000000000000000",
       R"(strconv.ParseFloat: parsing "0x10000000000000000": invalid syntax)"},
      {"1__0", R"(strconv.ParseFloat: parsing "1__0": invalid syntax)"},
      {"1_", R"(strconv.ParseFloat: parsing "1_": invalid syntax)"},
      {"1e", R"(strconv.ParseFloat: parsing "1e": invalid syntax)"},
      {".", R"(strconv.ParseFloat: parsing ".": invalid syntax)"},
      {"", R"(strconv.ParseFloat: parsing "": invalid syntax)"},
      {"0x", R"(strconv.ParseFloat: parsing "0x": invalid syntax)"},
      {"+nan", R"(strconv.ParseFloat: parsing "+nan": invalid syntax)"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<double> got = ParseNumber(c.input);
    ASSERT_FALSE(got.ok()) << c.input << " = " << *got;
    EXPECT_EQ(got.status().message(), c.want) << c.input;
  }
}

TEST(StrconvTest, DecodeRune) {
  EXPECT_EQ(DecodeRune(""), (std::pair<int32_t, int>{-1, 0}));
  EXPECT_EQ(DecodeRune("a"), (std::pair<int32_t, int>{'a', 1}));
  EXPECT_EQ(DecodeRune("\xc3\xa9x"), (std::pair<int32_t, int>{0xE9, 2}));
  EXPECT_EQ(DecodeRune("\xe5\x8f\xb0"), (std::pair<int32_t, int>{0x53F0, 3}));
  EXPECT_EQ(DecodeRune("\xf0\x9f\x98\x80"), (std::pair<int32_t, int>{0x1F600, 4}));
  // Invalid: a lone continuation byte, an overlong form, a surrogate, a
  // truncated sequence.
  EXPECT_EQ(DecodeRune("\x80"), (std::pair<int32_t, int>{0xFFFD, 1}));
  EXPECT_EQ(DecodeRune("\xc0\xaf"), (std::pair<int32_t, int>{0xFFFD, 1}));
  EXPECT_EQ(DecodeRune("\xed\xa0\x80"), (std::pair<int32_t, int>{0xFFFD, 1}));
  EXPECT_EQ(DecodeRune("\xe5\x8f"), (std::pair<int32_t, int>{0xFFFD, 1}));
}

TEST(StrconvTest, GoFormatting) {
  EXPECT_EQ(GoFormatUnicode('x'), "U+0078 'x'");
  EXPECT_EQ(GoFormatUnicode('\n'), "U+000A");
  EXPECT_EQ(GoFormatUnicode('\''), "U+0027 '''");
  EXPECT_EQ(GoFormatUnicode(0x1F600), "U+1F600 '\xf0\x9f\x98\x80'");
  EXPECT_EQ(GoQuotePrefix("abcdefghijkl", 10), R"("abcdefghij")");
  EXPECT_EQ(GoQuotePrefix("ab", 10), R"("ab")");
  // Runes, not bytes.
  EXPECT_EQ(GoQuotePrefix("\xc3\xa9\xc3\xa9\xc3\xa9", 2), "\"\xc3\xa9\xc3\xa9\"");
}

}  // namespace
}  // namespace strata::promql
