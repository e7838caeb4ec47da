#include "tsdb/base/coding.h"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace strata {
namespace {

TEST(CodingTest, Fixed32IsLittleEndian) {
  std::string s;
  PutFixed32(&s, 0x04030201u);
  EXPECT_EQ(s, std::string("\x01\x02\x03\x04", 4));
  EXPECT_EQ(LoadFixed32(s.data()), 0x04030201u);
}

TEST(CodingTest, Fixed64IsLittleEndian) {
  std::string s;
  PutFixed64(&s, 0x0807060504030201ull);
  EXPECT_EQ(s, std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
  EXPECT_EQ(LoadFixed64(s.data()), 0x0807060504030201ull);
}

TEST(CodingTest, BigEndian32) {
  std::string s;
  PutBigEndian32(&s, 0x01020304u);
  EXPECT_EQ(s, std::string("\x01\x02\x03\x04", 4));
  EXPECT_EQ(LoadBigEndian32(s.data()), 0x01020304u);
  Decoder d(s);
  EXPECT_EQ(d.BigEndian32(), 0x01020304u);
  EXPECT_TRUE(d.ok());
  EXPECT_TRUE(d.done());
}

TEST(CodingTest, FixedRoundTrip) {
  const std::vector<uint64_t> values = {
      0,          1,          0xff,           0x100,
      0xdeadbeef, 0xffffffff, 0x100000000ull, std::numeric_limits<uint64_t>::max()};
  std::string s;
  for (uint64_t v : values) {
    PutFixed32(&s, static_cast<uint32_t>(v));
    PutFixed64(&s, v);
  }
  EXPECT_EQ(s.size(), values.size() * 12);
  Decoder d(s);
  for (uint64_t v : values) {
    EXPECT_EQ(d.Fixed32(), static_cast<uint32_t>(v));
    EXPECT_EQ(d.Fixed64(), v);
  }
  EXPECT_TRUE(d.ok());
  EXPECT_TRUE(d.done());
}

TEST(CodingTest, UvarintRoundTripAndLength) {
  const std::vector<std::pair<uint64_t, int>> cases = {
      {0, 1},           {1, 1},
      {127, 1},         {128, 2},
      {16383, 2},       {16384, 3},
      {1ull << 35, 6},  {(1ull << 63) - 1, 9},
      {1ull << 63, 10}, {std::numeric_limits<uint64_t>::max(), 10},
  };
  for (const auto& [v, len] : cases) {
    std::string s;
    PutUvarint(&s, v);
    EXPECT_EQ(static_cast<int>(s.size()), len) << v;
    EXPECT_EQ(UvarintLength(v), len) << v;
    Decoder d(s);
    EXPECT_EQ(d.Uvarint(), v);
    EXPECT_TRUE(d.ok());
    EXPECT_TRUE(d.done());
  }
  std::string s;
  PutUvarint(&s, 300);
  EXPECT_EQ(s, "\xac\x02");
}

TEST(CodingTest, VarintZigZagRoundTrip) {
  const std::vector<int64_t> values = {0,
                                       -1,
                                       1,
                                       -64,
                                       63,
                                       -65,
                                       64,
                                       1234567,
                                       -1234567,
                                       std::numeric_limits<int64_t>::min(),
                                       std::numeric_limits<int64_t>::max()};
  std::string s;
  for (int64_t v : values) PutVarint(&s, v);
  Decoder d(s);
  for (int64_t v : values) EXPECT_EQ(d.Varint(), v);
  EXPECT_TRUE(d.ok());
  EXPECT_TRUE(d.done());

  // Zig-zag keeps small magnitudes short, as Go's binary.PutVarint does.
  std::string one;
  PutVarint(&one, -1);
  EXPECT_EQ(one, "\x01");
  std::string two;
  PutVarint(&two, 1);
  EXPECT_EQ(two, "\x02");
  std::string min;
  PutVarint(&min, std::numeric_limits<int64_t>::min());
  EXPECT_EQ(min.size(), 10u);
}

TEST(CodingTest, TruncatedUvarintFails) {
  std::string s;
  PutUvarint(&s, 1ull << 40);
  for (size_t n = 0; n < s.size(); ++n) {
    Decoder d(std::string_view(s.data(), n));
    EXPECT_EQ(d.Uvarint(), 0u) << n;
    EXPECT_FALSE(d.ok()) << n;
  }
}

TEST(CodingTest, OverlongUvarintFails) {
  // Eleven continuation bytes: more than any uint64 needs.
  const std::string eleven(11, '\x80');
  Decoder d1(eleven);
  EXPECT_EQ(d1.Uvarint(), 0u);
  EXPECT_FALSE(d1.ok());

  // Ten bytes whose last carries bits beyond 64.
  std::string over(9, '\xff');
  over.push_back('\x02');
  Decoder d2(over);
  EXPECT_EQ(d2.Uvarint(), 0u);
  EXPECT_FALSE(d2.ok());

  // Ten bytes ending in 0x01 are exactly UINT64_MAX.
  std::string max(9, '\xff');
  max.push_back('\x01');
  Decoder d3(max);
  EXPECT_EQ(d3.Uvarint(), std::numeric_limits<uint64_t>::max());
  EXPECT_TRUE(d3.ok());
}

TEST(CodingTest, FailureIsSticky) {
  std::string s;
  PutFixed32(&s, 7);
  Decoder d(std::string_view(s.data(), 3));
  EXPECT_EQ(d.Fixed32(), 0u);
  EXPECT_FALSE(d.ok());
  EXPECT_EQ(d.remaining(), 0u);
  // Nothing reads after a failure, even reads that would fit the input.
  EXPECT_EQ(d.Byte(), 0u);
  EXPECT_EQ(d.Uvarint(), 0u);
  EXPECT_TRUE(d.Bytes(0).empty());
  EXPECT_FALSE(d.ok());
}

TEST(CodingTest, FixedReadsPastEndFail) {
  Decoder d(std::string_view("\x01\x02\x03\x04\x05\x06\x07", 7));
  EXPECT_EQ(d.Fixed64(), 0u);
  EXPECT_FALSE(d.ok());

  Decoder e(std::string_view("\x01\x02\x03\x04\x05", 5));
  EXPECT_EQ(e.Fixed32(), 0x04030201u);
  EXPECT_EQ(e.remaining(), 1u);
  EXPECT_EQ(e.Fixed32(), 0u);
  EXPECT_FALSE(e.ok());
}

TEST(CodingTest, LengthPrefixedRoundTrip) {
  std::string s;
  PutLengthPrefixed(&s, "hello");
  PutLengthPrefixed(&s, "");
  PutLengthPrefixed(&s, std::string(200, 'x'));
  Decoder d(s);
  EXPECT_EQ(d.LengthPrefixed(), "hello");
  EXPECT_EQ(d.LengthPrefixed(), "");
  EXPECT_EQ(d.LengthPrefixed(), std::string(200, 'x'));
  EXPECT_TRUE(d.ok());
  EXPECT_TRUE(d.done());
}

TEST(CodingTest, LengthPrefixedBeyondEndFails) {
  std::string s;
  PutUvarint(&s, 6);
  s += "hello";  // One byte short.
  Decoder d(s);
  EXPECT_TRUE(d.LengthPrefixed().empty());
  EXPECT_FALSE(d.ok());
}

TEST(CodingTest, LengthPrefixedHugeLengthFailsWithoutOverflow) {
  // A length near 2^64 must not wrap around the bounds check.
  std::string s;
  PutUvarint(&s, std::numeric_limits<uint64_t>::max());
  s += "abc";
  Decoder d(s);
  EXPECT_TRUE(d.LengthPrefixed().empty());
  EXPECT_FALSE(d.ok());
}

TEST(CodingTest, BytesBounds) {
  Decoder d("abcdef");
  EXPECT_EQ(d.Bytes(2), "ab");
  EXPECT_EQ(d.Byte(), 'c');
  EXPECT_EQ(d.remaining(), 3u);
  EXPECT_TRUE(d.Bytes(4).empty());
  EXPECT_FALSE(d.ok());
}

}  // namespace
}  // namespace strata
