#include "api/json_writer.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <string>

#include "gtest/gtest.h"

namespace strata::api {
namespace {

double FromBits(uint64_t bits) {
  double d;
  std::memcpy(&d, &bits, sizeof d);
  return d;
}

// Expected strings are what Prometheus (Go's strconv.FormatFloat with 'f',
// switching to 'e' below 1e-6 and from 1e21) writes for each value.
TEST(PromFloatTest, FormatsLikePrometheus) {
  struct Case {
    double v;
    const char* want;
  };
  const Case cases[] = {
      {0, "0"},
      {-0.0, "-0"},
      {1, "1"},
      {-1, "-1"},
      {1.5, "1.5"},
      {0.1, "0.1"},
      {0.1 + 0.2, "0.30000000000000004"},
      {1.0 / 3, "0.3333333333333333"},
      {100.0 / 3, "33.333333333333336"},
      {123.456, "123.456"},
      {123456789.123, "123456789.123"},
      {1e15, "1000000000000000"},
      {9007199254740992.0, "9007199254740992"},  // 2^53
      {9007199254740994.0, "9007199254740994"},
      // Shortest digits, padded with zeros (not the exact binary value
      // 1152921504606846976).
      {1152921504606846976.0, "1152921504606847000"},  // 2^60
      {12345678901234567890.0, "12345678901234567000"},
      {1e20, "100000000000000000000"},
      {std::nextafter(1e21, 0.0), "999999999999999900000"},
      // Exponent form from 1e21.
      {1e21, "1e+21"},
      {1.5e21, "1.5e+21"},
      {-1e21, "-1e+21"},
      {1e100, "1e+100"},
      {1.7976931348623157e308, "1.7976931348623157e+308"},
      // Fixed down to 1e-6, exponent form below.
      {1e-6, "0.000001"},
      {-1e-6, "-0.000001"},
      {1.2345e-5, "0.000012345"},
      {3e-5, "0.00003"},
      {std::nextafter(1e-6, 0.0), "9.999999999999997e-07"},
      {1e-7, "1e-07"},
      {-2.5e-10, "-2.5e-10"},
      {2.2250738585072014e-308, "2.2250738585072014e-308"},
      {5e-324, "5e-324"},  // smallest denormal
      // Specials.
      {std::numeric_limits<double>::quiet_NaN(), "NaN"},
      {FromBits(0x7ff0000000000002), "NaN"},  // Prometheus's stale marker
      {std::numeric_limits<double>::infinity(), "+Inf"},
      {-std::numeric_limits<double>::infinity(), "-Inf"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(FormatPromFloat(c.v), c.want) << "value " << c.v;
  }
}

TEST(PromFloatTest, RoundTripsBitExactly) {
  const double values[] = {0.1,  1.0 / 3, 2.0 / 3,      1e-300, 123456.789e10,
                           4.35, 0.3,     1e21 - 65536, 5e-324, 1.7976931348623157e308};
  for (double v : values) {
    std::string s = FormatPromFloat(v);
    EXPECT_EQ(std::strtod(s.c_str(), nullptr), v) << s;
  }
}

TEST(PromFloatTest, IntegersPrintAsThemselves) {
  // Below 2^53 no shorter digit string round-trips to an integer, so Go
  // prints its exact digits: the same as printing the int64.
  std::mt19937_64 rng(7);
  for (int i = 0; i < 20000; ++i) {
    const int64_t bound = int64_t{1} << (rng() % 54);
    const int64_t n =
        static_cast<int64_t>(rng() % static_cast<uint64_t>(bound)) * (rng() % 2 ? 1 : -1);
    EXPECT_EQ(FormatPromFloat(static_cast<double>(n)), std::to_string(n)) << n;
  }
  // Every integer below 10^6 and a stride through 10^6 .. 10^9 (the digit
  // writer's lanes and lengths).
  for (int64_t n = 0; n < 1'000'000; ++n) {
    ASSERT_EQ(FormatPromFloat(static_cast<double>(n)), std::to_string(n));
  }
  for (int64_t n = 1'000'000; n < 1'000'000'000; n += 997) {
    ASSERT_EQ(FormatPromFloat(static_cast<double>(n)), std::to_string(n));
  }
  EXPECT_EQ(FormatPromFloat(9007199254740991.0), "9007199254740991");  // 2^53 - 1
  EXPECT_EQ(FormatPromFloat(-9007199254740991.0), "-9007199254740991");
  EXPECT_EQ(FormatPromFloat(4503599627370495.5), "4503599627370495.5");  // not integral
}

TEST(PromFloatTest, ShortDecimalsMatchTheShortestRoundTrip) {
  // std::to_chars without a format gives the shortest round-tripping
  // digits too (an implementation independent of ToShortestDecimal); where
  // it picks fixed notation its text must be ours.
  std::mt19937_64 rng(11);
  int compared = 0;
  for (int i = 0; i < 200000; ++i) {
    double v;
    switch (i % 3) {
      case 0: {  // a few decimals, as gauges and rates have
        const int k = 1 + static_cast<int>(rng() % 9);
        const uint64_t m = rng() % (uint64_t{1} << (1 + rng() % 52));
        v = static_cast<double>(m) / std::pow(10.0, k);
        break;
      }
      case 1:  // anything in the fixed-notation range
        v = std::ldexp(static_cast<double>(rng() >> 11), -static_cast<int>(rng() % 100));
        break;
      default: {  // next to values with few decimals
        const double base = static_cast<double>(rng() % 100000) / 1000;
        v = rng() % 2 ? std::nextafter(base, 0.0) : std::nextafter(base, 1e300);
      }
    }
    if (rng() % 2) v = -v;
    char buf[64];
    const char* end = std::to_chars(buf, buf + sizeof buf, v).ptr;
    const std::string shortest(static_cast<const char*>(buf), end);
    if (shortest.find('e') != std::string::npos || std::fabs(v) < 1e-6 || std::fabs(v) >= 1e15) {
      continue;
    }
    ++compared;
    ASSERT_EQ(FormatPromFloat(v), shortest);
  }
  EXPECT_GT(compared, 100000);
}

TEST(PromFloatTest, ExponentFormMatchesScientificToChars) {
  // Outside [1e-6, 1e21) Go's 'e' form with precision -1 is scientific
  // to_chars without a precision: shortest digits, exponent of >= 2 digits.
  std::mt19937_64 rng(13);
  for (int i = 0; i < 100000; ++i) {
    double v = std::ldexp(static_cast<double>(rng() >> 11), static_cast<int>(rng() % 2000) - 1100);
    if (v == 0 || std::isinf(v) || (v >= 1e-6 && v < 1e21)) continue;
    if (rng() % 2) v = -v;
    char buf[64];
    const char* end = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific).ptr;
    ASSERT_EQ(FormatPromFloat(v), std::string(static_cast<const char*>(buf), end));
  }
}

TEST(PromTimestampTest, SecondsWithThreeDecimals) {
  struct Case {
    int64_t ms;
    const char* want;
  };
  const Case cases[] = {
      {0, "0"},
      {1000, "1"},
      {1500, "1.500"},
      {1, "0.001"},
      {10, "0.010"},
      {-1, "-0.001"},
      {-1500, "-1.500"},
      {1435781451781, "1435781451.781"},
      {std::numeric_limits<int64_t>::max(), "9223372036854775.807"},
      {std::numeric_limits<int64_t>::min(), "-9223372036854775.808"},
  };
  for (const Case& c : cases) {
    std::string s;
    AppendPromTimestamp(&s, c.ms);
    EXPECT_EQ(s, c.want) << c.ms;
  }
  // Every digit count, against printf.
  std::mt19937_64 rng(17);
  for (int i = 0; i < 100000; ++i) {
    const int64_t ms = static_cast<int64_t>(rng() >> (rng() % 64)) * (rng() % 2 ? 1 : -1);
    const uint64_t abs = ms < 0 ? 0 - static_cast<uint64_t>(ms) : static_cast<uint64_t>(ms);
    char want[40];
    if (abs % 1000 == 0) {
      std::snprintf(want, sizeof want, "%s%llu", ms < 0 ? "-" : "",
                    static_cast<unsigned long long>(abs / 1000));
    } else {
      std::snprintf(want, sizeof want, "%s%llu.%03llu", ms < 0 ? "-" : "",
                    static_cast<unsigned long long>(abs / 1000),
                    static_cast<unsigned long long>(abs % 1000));
    }
    std::string s;
    AppendPromTimestamp(&s, ms);
    ASSERT_EQ(s, want) << ms;
  }
}

std::string Quoted(std::string_view s) {
  std::string out;
  AppendJsonString(&out, s);
  return out;
}

TEST(JsonStringTest, EscapesLikeGo) {
  EXPECT_EQ(Quoted(""), R"("")");
  EXPECT_EQ(Quoted("plain text"), R"("plain text")");
  EXPECT_EQ(Quoted("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(Quoted("\n\r\t"), R"("\n\r\t")");
  EXPECT_EQ(Quoted(std::string_view("\x00\x01\x1f", 3)), R"("\u0000\u0001\u001f")");
  EXPECT_EQ(Quoted("\b\f"), R"("\u0008\u000c")");
  EXPECT_EQ(Quoted("\x7f"), "\"\x7f\"");
  // HTML-safe, as Go's encoder by default.
  EXPECT_EQ(Quoted("<a href='x'>&</a>"), R"("\u003ca href='x'\u003e\u0026\u003c/a\u003e")");
  // Valid UTF-8 is copied; U+2028 and U+2029 are escaped.
  EXPECT_EQ(Quoted("é€😀"), "\"é€😀\"");
  EXPECT_EQ(Quoted("a\xe2\x80\xa8"
                   "b\xe2\x80\xa9"),
            R"("a\u2028b\u2029")");
  // Each invalid byte becomes U+FFFD.
  EXPECT_EQ(Quoted("\xff"), R"("\ufffd")");
  EXPECT_EQ(Quoted("a\xc3"), R"("a\ufffd")");                              // truncated
  EXPECT_EQ(Quoted("\xc0\x80"), R"("\ufffd\ufffd")");                      // overlong
  EXPECT_EQ(Quoted("\xed\xa0\x80"), R"("\ufffd\ufffd\ufffd")");            // surrogate
  EXPECT_EQ(Quoted("\xf4\x90\x80\x80"), R"("\ufffd\ufffd\ufffd\ufffd")");  // > U+10FFFF
}

TEST(JsonWriterTest, NestsAndSeparates) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("status");
  w.String("success");
  w.Key("data");
  w.BeginArray();
  w.BeginObject();
  w.Key("metric");
  w.BeginObject();
  w.EndObject();
  w.Key("value");
  w.BeginArray();
  w.Timestamp(1500);
  w.SampleValue(1e-7);
  w.EndArray();
  w.EndObject();
  w.Int(-3);
  w.Uint(18446744073709551615u);
  w.Bool(true);
  w.Bool(false);
  w.Null();
  w.BeginArray();
  w.EndArray();
  w.Raw(R"({"x":1})");
  w.EndArray();
  w.EndObject();
  EXPECT_EQ(out, R"({"status":"success","data":[{"metric":{},"value":[1.500,"1e-07"]},-3,)"
                 R"(18446744073709551615,true,false,null,[],{"x":1}]})");
}

TEST(JsonWriterTest, PointsAreTimestampValuePairs) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("value");
  w.Point(1500, 1e-7);
  w.Key("values");
  w.BeginArray();
  w.Point(-1, -0.0);
  w.Point(1700000000000, std::numeric_limits<double>::quiet_NaN());
  w.Point(std::numeric_limits<int64_t>::min(), -1.7976931348623157e308);
  w.EndArray();
  w.EndObject();
  EXPECT_EQ(out, R"({"value":[1.500,"1e-07"],"values":[[-0.001,"-0"],[1700000000,"NaN"],)"
                 R"([-9223372036854775.808,"-1.7976931348623157e+308"]]})");
}

}  // namespace
}  // namespace strata::api
