// Cold chunks: Seek semantics (as XorIterator's) and corrupt input.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tsdb/chunk/cold_chunk.h"
#include "tsdb/chunk/xor_chunk.h"

namespace strata {
namespace {

double FromBits(uint64_t b) {
  double d;
  std::memcpy(&d, &b, sizeof d);
  return d;
}

uint64_t ToBits(double d) {
  uint64_t b;
  std::memcpy(&b, &d, sizeof b);
  return b;
}

struct Series {
  std::vector<int64_t> ts;
  std::vector<double> vs;
};

// One series per column encoding (grid/delta timestamps; constant, decimal
// with exceptions, XOR values; packed, varint, zstd, bucketed rANS and
// factored integer columns).
std::vector<Series> Corpus() {
  std::mt19937_64 rng(99);
  std::vector<Series> out;
  for (int kind = 0; kind < 9; ++kind) {
    Series s;
    double acc = 1000;
    for (int i = 0; i < 300; ++i) {
      const int64_t jitter = rng() % 4 == 0 ? static_cast<int64_t>(rng() % 7) - 3 : 0;
      s.ts.push_back(kind == 5 ? (i * i * 37 + static_cast<int64_t>(rng() % 30))
                               : 1700000000000 + i * 15000 + jitter);
      switch (kind) {
        case 0:
          s.vs.push_back(7);
          break;
        case 1:
          s.vs.push_back(acc += static_cast<double>(rng() % 20000));
          break;
        case 2:
          acc = std::round((acc + static_cast<double>(rng() % 300) / 100) * 100) / 100;
          s.vs.push_back(i % 23 == 0 ? FromBits(0x7ff0000000000002) : acc);
          break;
        case 3:
          s.vs.push_back(std::sin(i * 0.1) * 3.3);
          break;
        case 4:
          s.vs.push_back(static_cast<double>(i % 40) * 0.25);
          break;
        case 6:  // nanosecond durations in seconds: bucketed rANS
          s.vs.push_back(static_cast<double>(50000 + rng() % 200000) / 1e9);
          break;
        case 7:  // bytes in whole pages: a factored column
          s.vs.push_back(acc += 4096 * (static_cast<double>(rng() % 2000) - 1000));
          break;
        case 8:  // milliseconds times 0.001: the multiply recipe
          s.vs.push_back(static_cast<double>(static_cast<int64_t>(acc += 1 + rng() % 900)) * 0.001);
          break;
        default:
          s.vs.push_back(static_cast<double>(rng() % 5));
      }
    }
    out.push_back(std::move(s));
  }
  return out;
}

// Drains the iterator; returns the number of samples it produced.
size_t Drain(ColdChunkIterator& it) {
  size_t n = 0;
  int64_t prev = 0;
  while (it.Next()) {
    if (n > 0) {
      EXPECT_GT(it.t(), prev);  // never non-increasing output
    }
    prev = it.t();
    ++n;
  }
  EXPECT_FALSE(it.Next());  // stays false
  return n;
}

TEST(ColdChunkCorruptTest, EveryTruncationIsDataLoss) {
  for (const Series& s : Corpus()) {
    std::vector<uint8_t> chunk = EncodeColdChunk(s.ts, s.vs);
    for (size_t len = 0; len < chunk.size(); ++len) {
      // A copy of exactly `len` bytes, so ASan sees any read past it.
      std::vector<uint8_t> cut(chunk.begin(), chunk.begin() + len);
      ColdChunkIterator it(cut);
      EXPECT_EQ(Drain(it), 0u) << "len " << len;
      EXPECT_EQ(it.status().code(), absl::StatusCode::kDataLoss) << "len " << len;
      EXPECT_EQ(std::string(it.status().message()).rfind("cold chunk: ", 0), 0u) << it.status();
      EXPECT_EQ(it.num_samples(), 0u);
    }
  }
}

TEST(ColdChunkCorruptTest, TrailingBytesAndBadHeaders) {
  std::vector<uint8_t> chunk = EncodeColdChunk(Corpus()[1].ts, Corpus()[1].vs);
  chunk.push_back(0);
  ColdChunkIterator it(chunk);
  EXPECT_FALSE(it.Next());
  EXPECT_EQ(it.status(), absl::DataLossError("cold chunk: trailing bytes"));

  std::vector<uint8_t> bad_version = {2, 1};
  it.Reset(bad_version);
  EXPECT_EQ(it.status(), absl::DataLossError("cold chunk: unknown version"));
  // Sample count 2^20 + 1 (uvarint 0x81 0x80 0x40): over the maximum.
  std::vector<uint8_t> too_many = {1, 0x81, 0x80, 0x40};
  it.Reset(too_many);
  EXPECT_EQ(it.status(), absl::DataLossError("cold chunk: sample count over the maximum"));
  // Reset clears the error.
  std::vector<uint8_t> good = EncodeColdChunk(Corpus()[0].ts, Corpus()[0].vs);
  it.Reset(good);
  EXPECT_TRUE(it.status().ok());
  EXPECT_EQ(Drain(it), 300u);
}

TEST(ColdChunkCorruptTest, NonIncreasingTimestampsAreDataLoss) {
  // Delta column (kind 0) of t0 = 0 and one delta of 0: a repeated timestamp.
  // version 1, n = 2, ts kind 0, t0 0, int column const(0) len 1, values const.
  std::vector<uint8_t> chunk = {1, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f};
  ColdChunkIterator it(chunk);
  EXPECT_FALSE(it.Next());
  EXPECT_EQ(it.status(), absl::DataLossError("cold chunk: timestamps not increasing"));
  chunk[6] = 2;  // delta 1 (zig-zag 2): valid now
  it.Reset(chunk);
  ASSERT_TRUE(it.Next());
  EXPECT_EQ(it.t(), 0);
  EXPECT_EQ(it.v(), 1.0);
  ASSERT_TRUE(it.Next());
  EXPECT_EQ(it.t(), 1);
  EXPECT_FALSE(it.Next());
  EXPECT_TRUE(it.status().ok());
}

TEST(ColdChunkCorruptTest, RandomByteFlipsNeverCrash) {
  std::mt19937_64 rng(5);
  size_t errors = 0, decoded = 0;
  for (const Series& s : Corpus()) {
    const std::vector<uint8_t> chunk = EncodeColdChunk(s.ts, s.vs);
    for (int trial = 0; trial < 400; ++trial) {
      std::vector<uint8_t> bad = chunk;
      const int flips = 1 + static_cast<int>(rng() % 3);
      for (int f = 0; f < flips; ++f)
        bad[rng() % bad.size()] ^= static_cast<uint8_t>(1 + rng() % 255);
      ColdChunkIterator it(bad);
      const size_t n = Drain(it);
      if (it.status().ok()) {
        EXPECT_EQ(n, it.num_samples());
        EXPECT_LE(n, kColdChunkMaxSamples);
        ++decoded;
      } else {
        EXPECT_EQ(it.status().code(), absl::StatusCode::kDataLoss);
        EXPECT_EQ(n, 0u);
        ++errors;
      }
    }
  }
  EXPECT_GT(errors, 0u);
  EXPECT_GT(decoded, 0u);  // flips inside packed payloads still decode
}

// Every single-bit flip of every chunk in the corpus: decodes to some
// increasing samples or to DataLoss, never out of bounds (run under ASan).
TEST(ColdChunkCorruptTest, EveryBitFlip) {
  size_t errors = 0, flips = 0;
  ColdChunkIterator it;
  for (const Series& s : Corpus()) {
    std::vector<uint8_t> chunk = EncodeColdChunk(s.ts, s.vs);
    for (size_t bit = 0; bit < chunk.size() * 8; ++bit) {
      chunk[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
      it.Reset(chunk);
      const size_t n = Drain(it);
      if (!it.status().ok()) {
        EXPECT_EQ(n, 0u);
        ++errors;
      }
      ++flips;
      chunk[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    }
  }
  // About a fifth are caught (headers, lengths, rANS end states, zstd,
  // non-increasing timestamps); flips inside packed or XOR payloads decode
  // to other values. The container's CRC is what catches those.
  EXPECT_GT(errors, flips / 10);
}

// Seek behaves exactly as XorIterator's on the same samples, for every
// target around every timestamp, from every starting position.
TEST(ColdChunkSeekTest, MatchesXorIterator) {
  for (const Series& s : Corpus()) {
    XorAppender app;
    for (size_t i = 0; i < s.ts.size(); ++i) app.Append(s.ts[i], s.vs[i]);
    std::vector<uint8_t> cold = EncodeColdChunk(s.ts, s.vs);
    for (size_t start : {size_t{0}, size_t{1}, size_t{150}, size_t{299}, size_t{300}}) {
      for (size_t j = 0; j < s.ts.size(); j += 7) {
        for (int64_t delta : {-1, 0, 1}) {
          const int64_t target = s.ts[j] + delta;
          XorIterator x(app.bytes());
          ColdChunkIterator c(cold);
          for (size_t k = 0; k < start; ++k) ASSERT_EQ(x.Next(), c.Next());
          const bool xr = x.Seek(target);
          ASSERT_EQ(c.Seek(target), xr) << "start " << start << " target " << target;
          if (xr) {
            EXPECT_EQ(c.t(), x.t());
            EXPECT_EQ(ToBits(c.v()), ToBits(x.v()));
          }
          // Seeking backwards stays put; the rest of the stream matches.
          if (xr) {
            ASSERT_EQ(c.Seek(s.ts[0] - 5), x.Seek(s.ts[0] - 5));
            EXPECT_EQ(c.t(), x.t());
          }
          while (x.Next()) {
            ASSERT_TRUE(c.Next());
            ASSERT_EQ(c.t(), x.t());
          }
          EXPECT_FALSE(c.Next());
          EXPECT_FALSE(c.Seek(target));
          EXPECT_EQ(c.Seek(target), x.Seek(target));
        }
      }
    }
  }
}

TEST(ColdChunkSeekTest, PastTheEndExhausts) {
  std::vector<int64_t> ts = {10, 20, 30};
  std::vector<double> vs = {1, 2, 3};
  std::vector<uint8_t> chunk = EncodeColdChunk(ts, vs);
  ColdChunkIterator it(chunk);
  EXPECT_TRUE(it.Seek(20));
  EXPECT_EQ(it.t(), 20);
  EXPECT_EQ(it.v(), 2);
  EXPECT_TRUE(it.Seek(15));  // stays put
  EXPECT_EQ(it.t(), 20);
  EXPECT_FALSE(it.Seek(31));
  EXPECT_FALSE(it.Next());
  EXPECT_FALSE(it.Seek(0));  // exhausted stays exhausted
  EXPECT_TRUE(it.status().ok());
  it.Reset(chunk);
  EXPECT_TRUE(it.Seek(-100));
  EXPECT_EQ(it.t(), 10);
}

}  // namespace
}  // namespace strata
