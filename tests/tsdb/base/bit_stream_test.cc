#include "tsdb/base/bit_stream.h"

#include <cstdint>
#include <random>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace strata {
namespace {

TEST(BitStreamTest, WriterIsMsbFirst) {
  uint8_t buf[4] = {0xaa, 0xaa, 0xaa, 0xaa};
  BitWriter w(buf, sizeof buf);
  w.WriteBit(true);
  w.WriteBits(0b01, 2);
  w.WriteBits(0x1f, 5);    // completes byte 0: 1 01 11111
  w.WriteBits(0xabc, 12);  // 1010 1011 1100
  EXPECT_EQ(w.bit_pos(), 20u);
  EXPECT_EQ(w.bytes_used(), 3u);
  EXPECT_EQ(buf[0], 0xbf);
  EXPECT_EQ(buf[1], 0xab);
  EXPECT_EQ(buf[2], 0xc0);  // unused low bits of the last byte are zero
}

TEST(BitStreamTest, WriterIgnoresHighBitsAndKeepsEarlierBytes) {
  uint8_t buf[16] = {0x12};
  BitWriter w(buf, sizeof buf, 8);  // start after a byte someone else wrote
  w.WriteBits(~uint64_t{0}, 3);     // only the low 3 bits count
  w.WriteBits(0, 0);                // no-op
  EXPECT_EQ(buf[0], 0x12);
  EXPECT_EQ(buf[1], 0xe0);
  EXPECT_EQ(w.bit_pos(), 11u);
}

TEST(BitStreamTest, Writer64BitValuesAtEveryOffset) {
  for (int off = 0; off < 8; ++off) {
    uint8_t buf[9] = {};
    BitWriter w(buf, sizeof buf);
    w.WriteBits(0, off);
    w.WriteBits(0x0123456789abcdef, 64);
    BitReader r({buf, sizeof buf});
    EXPECT_EQ(r.ReadBits(off), 0u);
    EXPECT_EQ(r.ReadBits(64), 0x0123456789abcdefu) << off;
    EXPECT_TRUE(r.ok());
  }
}

TEST(BitStreamTest, WriterExactCapacityUsesByteWiseTail) {
  // 9 bytes: writes near the end cannot use the 8-byte fast path; must not
  // touch memory past the buffer (ASan checks this with a heap buffer).
  std::vector<uint8_t> buf(9);
  BitWriter w(buf.data(), buf.size());
  for (int i = 0; i < 9; ++i) w.WriteBits(0xa5, 8);
  EXPECT_EQ(w.bit_pos(), 72u);
  for (uint8_t b : buf) EXPECT_EQ(b, 0xa5);
}

TEST(BitStreamTest, RandomRoundTrip) {
  std::mt19937_64 rng(1);
  for (int iter = 0; iter < 200; ++iter) {
    std::vector<std::pair<uint64_t, int>> fields;
    uint64_t total = 0;
    const int n = 1 + static_cast<int>(rng() % 200);
    for (int i = 0; i < n; ++i) {
      const int width = static_cast<int>(rng() % 65);
      const uint64_t v = width == 64 ? rng() : rng() & ((uint64_t{1} << width) - 1);
      fields.push_back({v, width});
      total += width;
    }
    std::vector<uint8_t> buf((total + 7) / 8);
    BitWriter w(buf.data(), buf.size());
    for (auto [v, width] : fields) w.WriteBits(v, width);
    ASSERT_EQ(w.bit_pos(), total);
    ASSERT_EQ(w.bytes_used(), buf.size());

    BitReader r(buf);
    for (size_t i = 0; i < fields.size(); ++i) {
      ASSERT_EQ(r.ReadBits(fields[i].second), fields[i].first) << i;
    }
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(r.bits_left(), 8 * buf.size() - total);
  }
}

TEST(BitStreamTest, ReaderPastEndSetsStickyError) {
  const std::vector<uint8_t> buf = {0xff, 0x01};
  BitReader r(buf);
  EXPECT_EQ(r.ReadBits(15), 0x7f80u);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.bits_left(), 1u);
  EXPECT_EQ(r.ReadBits(3), 0b100u);  // the last bit, then zeros past the end
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.bits_left(), 0u);
  EXPECT_EQ(r.ReadBits(64), 0u);
  EXPECT_FALSE(r.ok());
}

TEST(BitStreamTest, ReaderEmptyInput) {
  BitReader r(std::span<const uint8_t>{});
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.ReadBits(0), 0u);
  EXPECT_TRUE(r.ok());
  EXPECT_FALSE(r.ReadBit());
  EXPECT_FALSE(r.ok());
  BitReader def;
  EXPECT_EQ(def.bits_left(), 0u);
}

TEST(BitStreamTest, ReaderNeverReadsPastEndAtAnyLength) {
  // Heap copies of every length so ASan catches an out-of-bounds load.
  std::mt19937_64 rng(2);
  for (size_t len = 0; len <= 40; ++len) {
    std::vector<uint8_t> buf(len);
    for (uint8_t& b : buf) b = static_cast<uint8_t>(rng());
    BitReader r(buf);
    uint64_t bits = 0;
    while (r.ok()) {
      const int width = 1 + static_cast<int>(rng() % 64);
      r.ReadBits(width);
      if (r.ok()) bits += width;
    }
    EXPECT_LE(bits, 8 * len);
  }
}

TEST(BitStreamTest, WindowApi) {
  const std::vector<uint8_t> buf = {0b10110000, 0, 0, 0, 0, 0, 0, 0, 0, 0x80};
  BitReader r(buf);
  r.Refill();
  EXPECT_EQ(r.Window() >> 60, 0b1011u);
  r.Consume(1);
  EXPECT_EQ(r.Take(3), 0b011u);
  EXPECT_EQ(r.Take(52), 0u);  // 56 bits of budget used
  r.Refill();
  EXPECT_EQ(r.Take(16), 0u);  // bits 56..71
  EXPECT_EQ(r.bits_left(), 8u);
  EXPECT_EQ(r.Take(1), 1u);  // bit 72: top of 0x80
  EXPECT_TRUE(r.ok());
}

TEST(BitStreamTest, ByteAligned) {
  const std::vector<uint8_t> buf = {1, 2, 3};
  BitReader r(buf);
  EXPECT_TRUE(r.byte_aligned());
  r.ReadBits(3);
  EXPECT_FALSE(r.byte_aligned());
  r.ReadBits(5);
  EXPECT_TRUE(r.byte_aligned());
  EXPECT_EQ(r.ReadBits(8), 2u);
}

TEST(BitStreamTest, BigEndianLoadStore) {
  uint8_t b[8];
  StoreBigEndian64(b, 0x0102030405060708);
  EXPECT_EQ(b[0], 1);
  EXPECT_EQ(b[7], 8);
  EXPECT_EQ(LoadBigEndian64(b), 0x0102030405060708u);
}

}  // namespace
}  // namespace strata
