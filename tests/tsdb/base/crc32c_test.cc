#include "tsdb/base/crc32c.h"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace strata::crc32c {
namespace {

// Vectors from RFC 3720 (iSCSI), appendix B.4, and the classic check value.
TEST(Crc32cTest, KnownVectors) {
  EXPECT_EQ(Value("123456789"), 0xE3069283u);
  EXPECT_EQ(Value(""), 0u);

  std::string buf(32, '\0');
  EXPECT_EQ(Value(buf), 0x8A9136AAu);

  buf.assign(32, '\xff');
  EXPECT_EQ(Value(buf), 0x62A8AB43u);

  for (int i = 0; i < 32; ++i) buf[i] = static_cast<char>(i);
  EXPECT_EQ(Value(buf), 0x46DD794Eu);

  for (int i = 0; i < 32; ++i) buf[i] = static_cast<char>(31 - i);
  EXPECT_EQ(Value(buf), 0x113FDB5Cu);
}

TEST(Crc32cTest, PortableMatchesKnownVectors) {
  EXPECT_EQ(ExtendPortable(0, "123456789", 9), 0xE3069283u);
  std::string zeros(32, '\0');
  EXPECT_EQ(ExtendPortable(0, zeros.data(), zeros.size()), 0x8A9136AAu);
  std::string ones(32, '\xff');
  EXPECT_EQ(ExtendPortable(0, ones.data(), ones.size()), 0x62A8AB43u);
}

TEST(Crc32cTest, ValuesDiffer) {
  EXPECT_NE(Value("a"), Value("foo"));
  EXPECT_NE(Value(std::string(1, '\0')), Value(std::string(2, '\0')));
}

TEST(Crc32cTest, ExtendComposes) {
  std::mt19937 rng(42);
  std::string data(1000, '\0');
  for (char& c : data) c = static_cast<char>(rng());
  const uint32_t whole = Value(data);
  for (size_t split : {0, 1, 7, 8, 9, 63, 500, 999, 1000}) {
    uint32_t a = Value(data.data(), split);
    EXPECT_EQ(Extend(a, data.data() + split, data.size() - split), whole) << "split " << split;
    uint32_t p = ExtendPortable(0, data.data(), split);
    EXPECT_EQ(ExtendPortable(p, data.data() + split, data.size() - split), whole)
        << "split " << split;
  }
  EXPECT_EQ(Extend(Value("hello "), "world", 5), Value("hello world"));
}

// Whichever path Extend takes must agree with the portable one on every
// length (all head/tail remainders) and every alignment.
TEST(Crc32cTest, ExtendMatchesPortableOnAllLengthsAndAlignments) {
  std::mt19937 rng(7);
  std::vector<uint8_t> buf(300 + 16);
  for (uint8_t& b : buf) b = static_cast<uint8_t>(rng());
  for (size_t offset = 0; offset < 8; ++offset) {
    for (size_t len = 0; len <= 300; ++len) {
      const uint8_t* p = buf.data() + offset;
      uint32_t seed = static_cast<uint32_t>(rng());
      ASSERT_EQ(Extend(0, p, len), ExtendPortable(0, p, len))
          << "offset " << offset << " len " << len;
      ASSERT_EQ(Extend(seed, p, len), ExtendPortable(seed, p, len))
          << "offset " << offset << " len " << len;
    }
  }
}

TEST(Crc32cTest, ReportsHardwareOnX86WithSse42) {
#if defined(__x86_64__)
  EXPECT_EQ(HardwareAccelerated(), static_cast<bool>(__builtin_cpu_supports("sse4.2")));
#else
  EXPECT_FALSE(HardwareAccelerated());
#endif
}

}  // namespace
}  // namespace strata::crc32c
