// Integer columns of cold chunks: every kind round-trips any int64 values,
// the chooser picks the kind the data calls for, and corrupt payloads of
// the bucketed rANS and factored kinds are rejected.
#include "tsdb/chunk/cold_int_column.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace strata::cold {
namespace {

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

// Decodes one column of vals.size() values from `col`, which must be
// consumed exactly.
std::vector<int64_t> Decode(const std::string& col, size_t n, bool* ok) {
  Decoder d(col);
  std::vector<int64_t> out(n);
  std::vector<uint8_t> scratch;
  const char* what = "";
  *ok = DecodeIntColumn(d, n, out.data(), &scratch, &what) && d.done();
  return out;
}

// Encodes with the chooser, checks the round trip; returns the column.
std::string ExpectRoundTrip(const std::vector<int64_t>& vals) {
  std::string col;
  EncodeIntColumn(vals, &col);
  bool ok = false;
  EXPECT_EQ(Decode(col, vals.size(), &ok), vals);
  EXPECT_TRUE(ok) << "kind " << int{static_cast<uint8_t>(col[0])};
  return col;
}

uint8_t KindOf(const std::string& col) { return static_cast<uint8_t>(col[0]); }

// Nanosecond durations around 100 us, one in twenty slowed down 5-50x (a
// GC pause, a cold cache), as scrape durations are: too wide for a symbol
// per value, and the rare slow ones widen every block of bit packing.
std::vector<int64_t> Durations(std::mt19937_64& rng, size_t n) {
  std::lognormal_distribution<> dist(11.5, 0.3);
  std::vector<int64_t> out(n);
  for (auto& v : out) {
    v = static_cast<int64_t>(dist(rng));
    if (rng() % 20 == 0) v *= 5 + static_cast<int64_t>(rng() % 46);
  }
  return out;
}

TEST(ColdIntColumnTest, WideSkewedValuesUseRansBuckets) {
  std::mt19937_64 rng(1);
  const std::vector<int64_t> vals = Durations(rng, 620);
  const std::string col = ExpectRoundTrip(vals);
  EXPECT_EQ(KindOf(col), kIntRansBuckets);
  // Bit packing pays the width of the range of each block of 128 for
  // every value (~23 bits here); the buckets pay about the entropy of the
  // spread (~17 bits) plus their table.
  size_t packed_bits = 0;
  for (size_t start = 0; start < vals.size(); start += kPackBlock) {
    const size_t count = std::min(kPackBlock, vals.size() - start);
    const auto [lo, hi] = std::minmax_element(vals.begin() + start, vals.begin() + start + count);
    packed_bits += count * std::bit_width(static_cast<uint64_t>(*hi - *lo));
  }
  EXPECT_LT(col.size() * 8, packed_bits * 9 / 10);
  EXPECT_LT(col.size() * 8, vals.size() * 19);
}

TEST(ColdIntColumnTest, CommonFactorIsTakenOut) {
  // Free memory in bytes moves by whole 4 KiB pages; the first value (an
  // absolute level in a delta column) need not be a multiple.
  std::mt19937_64 rng(2);
  std::vector<int64_t> vals = {8123456789};
  for (int i = 0; i < 619; ++i) vals.push_back(4096 * (static_cast<int64_t>(rng() % 2001) - 1000));
  const std::string col = ExpectRoundTrip(vals);
  ASSERT_EQ(KindOf(col), kIntFactored);
  // Without the factor every value needs 12 more bits.
  std::vector<int64_t> pages(vals.begin() + 1, vals.end());
  for (auto& v : pages) v /= 4096;
  std::string unfactored;
  EncodeIntColumn(pages, &unfactored);
  EXPECT_LE(col.size(), unfactored.size() + 16);
}

TEST(ColdIntColumnTest, ExtremeValuesRoundTripThroughEveryCandidate) {
  std::mt19937_64 rng(3);
  const std::vector<std::vector<int64_t>> cases = {
      {kMin, kMax},
      {kMin, kMin, kMin + 2},
      {0, kMin, kMin},  // factor 2^63
      {5, kMax, -kMax},
      {1, 0, 0, 0},  // factor of all zeros: none
      {-4096, 8192, -12288, kMin},
      {kMax, kMax - 1, kMin, 0, -1, 1},
  };
  for (const auto& vals : cases) {
    ExpectRoundTrip(vals);
    std::string buckets;
    ASSERT_TRUE(EncodeRansBuckets(vals, &buckets));
    std::vector<int64_t> out(vals.size());
    const char* what = "";
    EXPECT_TRUE(DecodeRansBuckets(buckets, vals.size(), out.data(), &what)) << what;
    EXPECT_EQ(out, vals);
  }
  for (int round = 0; round < 300; ++round) {
    const size_t n = 1 + rng() % 700;
    const int shift = static_cast<int>(rng() % 64);
    const int64_t factor = int64_t{1} << (rng() % 20);
    std::vector<int64_t> vals(n);
    for (auto& v : vals) {
      v = static_cast<int64_t>(rng()) >> shift;
      if (round % 2 == 0) v = static_cast<int64_t>(static_cast<uint64_t>(v) * factor);
    }
    ExpectRoundTrip(vals);
    std::string buckets;
    ASSERT_TRUE(EncodeRansBuckets(vals, &buckets));
    std::vector<int64_t> out(n);
    const char* what = "";
    ASSERT_TRUE(DecodeRansBuckets(buckets, n, out.data(), &what)) << what;
    ASSERT_EQ(out, vals) << "round " << round;
  }
}

// Every truncation and every single-byte change of the new kinds either
// decodes to some values or fails cleanly (ASan watches the reads); a
// truncation always fails.
TEST(ColdIntColumnTest, CorruptPayloadsAreRejected) {
  std::mt19937_64 rng(4);
  std::vector<int64_t> pages = {77};
  for (int i = 0; i < 300; ++i) pages.push_back(4096 * static_cast<int64_t>(rng() % 5000));
  for (const auto& vals : {Durations(rng, 300), pages}) {
    std::string col;
    EncodeIntColumn(vals, &col);
    bool ok = true;
    for (size_t len = 0; len < col.size(); ++len) {
      Decode(col.substr(0, len), vals.size(), &ok);
      EXPECT_FALSE(ok) << "truncated to " << len;
    }
    for (size_t pos = 0; pos < col.size(); ++pos) {
      for (int bit = 0; bit < 8; ++bit) {
        std::string bad = col;
        bad[pos] = static_cast<char>(bad[pos] ^ (1 << bit));
        Decode(bad, vals.size(), &ok);
      }
    }
  }
}

TEST(ColdIntColumnTest, NestedFactoredColumnsAreRejected) {
  // kind 5, payload: first 0, g 2, then an inner kind-5 column (first 0,
  // g 2, a constant column of 0: kind 0, length 1, varint 0).
  std::string inner;
  inner.push_back(static_cast<char>(kIntFactored));
  PutLengthPrefixed(&inner, std::string("\x00\x02\x00\x01\x00", 5));
  std::string payload("\x00\x02", 2);
  payload += inner;
  std::string col(1, static_cast<char>(kIntFactored));
  PutLengthPrefixed(&col, payload);
  bool ok = true;
  Decode(col, 3, &ok);
  EXPECT_FALSE(ok);
  // A factor below 2 is invalid too.
  std::string one(1, static_cast<char>(kIntFactored));
  PutLengthPrefixed(&one, std::string("\x00\x01\x00\x01\x00", 5));
  Decode(one, 2, &ok);
  EXPECT_FALSE(ok);
}

}  // namespace
}  // namespace strata::cold
