#include "tsdb/base/shortest_decimal.h"

#include <gtest/gtest.h>

#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <random>
#include <string>

namespace strata {
namespace {

// The oracle: std::to_chars without a precision prints the shortest
// round-tripping digits, the closest of them (ties to even), in exponent form.
ShortestDecimal Expected(double v) {
  char buf[64];
  const char* end =
      std::to_chars(buf, buf + sizeof buf, std::fabs(v), std::chars_format::scientific).ptr;
  uint64_t digits = 0;
  int n = 0;
  const char* p = buf;
  for (; *p != 'e'; ++p) {
    if (*p == '.') continue;
    digits = digits * 10 + static_cast<uint64_t>(*p - '0');
    ++n;
  }
  int exp = 0;
  std::from_chars(p + (p[1] == '+' ? 2 : 1), end, exp);
  return {digits, exp - (n - 1)};
}

std::string Describe(double v) {
  char buf[64];
  return std::string(buf, std::to_chars(buf, buf + sizeof buf, v).ptr) + " (bits 0x" + [&] {
    char hex[17];
    auto r = std::to_chars(hex, hex + 16, std::bit_cast<uint64_t>(v), 16);
    return std::string(hex, r.ptr);
  }() + ")";
}

void ExpectShortest(double v) {
  ShortestDecimal got;
  if (std::fpclassify(v) != FP_NORMAL) {  // the callers' job
    EXPECT_FALSE(ToShortestDecimal(v, &got)) << Describe(v);
    return;
  }
  ASSERT_TRUE(ToShortestDecimal(v, &got)) << Describe(v);
  const ShortestDecimal want = Expected(v);
  ASSERT_EQ(got.digits, want.digits) << Describe(v);
  ASSERT_EQ(got.exponent, want.exponent) << Describe(v);
}

TEST(ShortestDecimalTest, SimpleValues) {
  ShortestDecimal d;
  ASSERT_TRUE(ToShortestDecimal(0.1, &d));
  EXPECT_EQ(d.digits, 1u);
  EXPECT_EQ(d.exponent, -1);
  ASSERT_TRUE(ToShortestDecimal(-1500.0, &d));  // the sign is ignored
  EXPECT_EQ(d.digits, 15u);
  EXPECT_EQ(d.exponent, 2);
  ASSERT_TRUE(ToShortestDecimal(0.3, &d));
  EXPECT_EQ(d.digits, 3u);
  ASSERT_TRUE(ToShortestDecimal(0.1 + 0.2, &d));
  EXPECT_EQ(d.digits, 30000000000000004u);
  EXPECT_EQ(d.exponent, -17);
  ASSERT_TRUE(ToShortestDecimal(std::ldexp(1.0, 60), &d));  // 2^60: shortest, not exact digits
  EXPECT_EQ(d.digits, 1152921504606847u);
  EXPECT_EQ(d.exponent, 3);
  ASSERT_TRUE(ToShortestDecimal(std::numeric_limits<double>::max(), &d));
  EXPECT_EQ(d.digits, 17976931348623157u);
  EXPECT_EQ(d.exponent, 292);
  ASSERT_TRUE(ToShortestDecimal(std::numeric_limits<double>::min(), &d));  // smallest normal
  EXPECT_EQ(d.digits, 22250738585072014u);
  EXPECT_EQ(d.exponent, -324);
}

TEST(ShortestDecimalTest, RejectsWhatItDoesNotHandle) {
  ShortestDecimal d;
  EXPECT_FALSE(ToShortestDecimal(0.0, &d));
  EXPECT_FALSE(ToShortestDecimal(-0.0, &d));
  EXPECT_FALSE(ToShortestDecimal(std::numeric_limits<double>::denorm_min(), &d));
  EXPECT_FALSE(ToShortestDecimal(std::numeric_limits<double>::infinity(), &d));
  EXPECT_FALSE(ToShortestDecimal(std::numeric_limits<double>::quiet_NaN(), &d));
}

TEST(ShortestDecimalTest, EveryPowerOfTwoAndItsNeighbours) {
  // Powers of two have the asymmetric interval (a quarter ulp below).
  for (int e = -1022; e <= 1023; ++e) {
    const double p = std::ldexp(1.0, e);
    ExpectShortest(p);
    ExpectShortest(std::nextafter(p, 0.0));
    ExpectShortest(std::nextafter(p, INFINITY));
  }
}

TEST(ShortestDecimalTest, PowersOfTenAndTheirNeighbours) {
  for (int e = -307; e <= 308; ++e) {
    const double p = std::stod("1e" + std::to_string(e));
    ExpectShortest(p);
    ExpectShortest(std::nextafter(p, 0.0));
    ExpectShortest(std::nextafter(p, INFINITY));
  }
}

// STRATA_SHORTEST_DECIMAL_SAMPLES=100000000 runs a longer search.
TEST(ShortestDecimalTest, RandomBitPatterns) {
  long samples = 2'000'000;
  if (const char* env = std::getenv("STRATA_SHORTEST_DECIMAL_SAMPLES")) samples = std::atol(env);
  std::mt19937_64 rng(20261127);
  for (long i = 0; i < samples; ++i) {
    const double v = std::bit_cast<double>(rng());
    if (!std::isfinite(v) || std::fpclassify(v) != FP_NORMAL) continue;
    ExpectShortest(v);
  }
}

TEST(ShortestDecimalTest, MetricLikeValues) {
  // Rates, ratios, two-decimal gauges and large integers beyond 2^53, where
  // ties between equally short candidates happen.
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> wide(-1e6, 1e6);
  for (int i = 0; i < 500'000; ++i) {
    const double x = wide(rng);
    ExpectShortest(x);
    ExpectShortest(x / 3);
    ExpectShortest(std::round(x * 100) / 100);
    ExpectShortest(static_cast<double>((rng() >> 1) | (uint64_t{1} << 53)));
  }
}

}  // namespace
}  // namespace strata
