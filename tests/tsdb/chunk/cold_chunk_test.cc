#include "tsdb/chunk/cold_chunk.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/read_batch_check.h"
#include "tsdb/chunk/xor_chunk.h"

namespace strata {
namespace {

constexpr uint64_t kStaleMarker = 0x7ff0000000000002;

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

// Encodes, decodes and checks every sample bit for bit; returns the size.
size_t ExpectRoundTrip(const Series& s) {
  std::vector<uint8_t> chunk = EncodeColdChunk(s.ts, s.vs);
  ColdChunkIterator it(chunk);
  EXPECT_EQ(it.num_samples(), s.ts.size());
  size_t i = 0;
  for (; it.Next(); ++i) {
    if (i >= s.ts.size()) break;
    EXPECT_EQ(it.t(), s.ts[i]) << "sample " << i;
    EXPECT_EQ(ToBits(it.v()), ToBits(s.vs[i])) << "sample " << i << " value " << s.vs[i];
    if (::testing::Test::HasFailure()) break;
  }
  EXPECT_EQ(i, s.ts.size());
  EXPECT_TRUE(it.status().ok()) << it.status();
  EXPECT_FALSE(it.Next());
  return chunk.size();
}

// Scrape timestamps: a fixed interval, jitter of a few ms on one scrape in four.
std::vector<int64_t> ScrapeTimes(std::mt19937_64& rng, size_t n, int64_t start = 1700000000000,
                                 int64_t interval = 15000) {
  std::vector<int64_t> ts(n);
  for (size_t i = 0; i < n; ++i) {
    int64_t jitter = rng() % 4 == 0 ? static_cast<int64_t>(rng() % 7) - 3 : 0;
    ts[i] = start + static_cast<int64_t>(i) * interval + jitter;
  }
  return ts;
}

// Strictly increasing timestamps with arbitrary gaps (1 ms to hours).
std::vector<int64_t> IrregularTimes(std::mt19937_64& rng, size_t n, int64_t start) {
  std::vector<int64_t> ts(n);
  int64_t t = start;
  for (size_t i = 0; i < n; ++i) {
    ts[i] = t;
    const int shape = rng() % 3;
    t += shape == 0 ? 1 + static_cast<int64_t>(rng() % 10)
                    : 1 + static_cast<int64_t>(rng() % 10000000);
  }
  return ts;
}

using ValueGen = std::function<double(std::mt19937_64&, size_t)>;

std::vector<std::pair<const char*, ValueGen>> ValueKinds() {
  auto acc = std::make_shared<double>(0);
  return {
      {"int counter",
       [acc](std::mt19937_64& rng, size_t i) {
         if (i == 0) *acc = static_cast<double>(rng() % 1000000000000);
         return *acc += static_cast<double>(rng() % 15000);
       }},
      {"2-decimal counter",
       [acc](std::mt19937_64& rng, size_t i) {
         if (i == 0) *acc = static_cast<double>(rng() % 10000000) / 100;
         return *acc = std::round((*acc + static_cast<double>(rng() % 1500) / 100) * 100) / 100;
       }},
      {"random walk gauge",
       [acc](std::mt19937_64& rng, size_t i) {
         if (i == 0) *acc = 500;
         return *acc =
                    std::round((*acc + (static_cast<double>(rng() % 401) - 200) / 100) * 100) / 100;
       }},
      {"ns durations",
       [](std::mt19937_64& rng, size_t) {
         return static_cast<double>(20000 + rng() % 300000 * (rng() % 30 == 0 ? 40 : 1)) / 1e9;
       }},
      {"page-sized gauge",
       [acc](std::mt19937_64& rng, size_t i) {
         if (i == 0) *acc = 8e9;
         return *acc += 4096 * (static_cast<double>(rng() % 3001) - 1500);
       }},
      {"sawtooth", [](std::mt19937_64&, size_t i) { return static_cast<double>(i % 40) * 0.25; }},
      {"constant", [](std::mt19937_64&, size_t) { return 42.0; }},
      {"linear", [](std::mt19937_64&, size_t i) { return 1000.0 + 7.0 * static_cast<double>(i); }},
      {"random floats",
       [](std::mt19937_64& rng, size_t) { return std::uniform_real_distribution<>(-1, 1)(rng); }},
      {"random bits", [](std::mt19937_64& rng, size_t) { return FromBits(rng()); }},
      {"huge", [](std::mt19937_64& rng, size_t) { return 1e300 * static_cast<double>(rng() % 7); }},
      {"tiny",
       [](std::mt19937_64& rng, size_t) { return 1e-300 * static_cast<double>(rng() % 1000); }},
      {"subnormal",
       [](std::mt19937_64& rng, size_t) { return FromBits(rng() % 0x000fffffffffffff); }},
      {"specials",
       [](std::mt19937_64& rng, size_t) {
         const double kSpecial[] = {-0.0,
                                    0.0,
                                    std::numeric_limits<double>::infinity(),
                                    -std::numeric_limits<double>::infinity(),
                                    FromBits(kStaleMarker),
                                    FromBits(0x7ff8000000000001),
                                    FromBits(0xfff0000000000123),
                                    std::numeric_limits<double>::quiet_NaN(),
                                    1.5,
                                    -2.25};
         return kSpecial[rng() % 10];
       }},
      {"negative decimals",
       [](std::mt19937_64& rng, size_t) { return -static_cast<double>(rng() % 100000) / 1000; }},
      {"large integers",
       [](std::mt19937_64& rng, size_t) {
         return static_cast<double>(static_cast<int64_t>(rng() >> 9)) * (rng() % 2 ? 1 : -1);
       }},
  };
}

// Every value kind, with and without stale markers/NaNs sprinkled in, on
// regular and irregular timestamps, over many lengths and seeds.
TEST(ColdChunkTest, PropertyRoundTripAllKinds) {
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    std::mt19937_64 rng(seed);
    for (auto& [name, gen] : ValueKinds()) {
      for (size_t n : {size_t{1}, size_t{2}, size_t{3}, size_t{127}, size_t{128}, size_t{129},
                       size_t{1000} + seed * 97}) {
        for (int variant = 0; variant < 4; ++variant) {
          SCOPED_TRACE(::testing::Message()
                       << name << " n=" << n << " seed=" << seed << " variant=" << variant);
          Series s;
          s.ts = variant % 2 == 0 ? ScrapeTimes(rng, n)
                                  : IrregularTimes(rng, n, -static_cast<int64_t>(rng() % 1000000));
          for (size_t i = 0; i < n; ++i) s.vs.push_back(gen(rng, i));
          if (variant >= 2) {
            for (size_t i = 0; i < n; ++i) {
              if (rng() % 17 == 0)
                s.vs[i] =
                    FromBits(rng() % 2 ? kStaleMarker : 0x7ff8000000000000 | (rng() & 0xfffff));
            }
          }
          ExpectRoundTrip(s);
          if (HasFailure()) return;
        }
      }
    }
  }
}

TEST(ColdChunkTest, SingleSample) {
  for (double v : {0.0, -0.0, FromBits(kStaleMarker), 1e300, 12345.67}) {
    Series s{{-5}, {v}};
    EXPECT_LE(ExpectRoundTrip(s), 16u);
  }
  Series s{{std::numeric_limits<int64_t>::min()}, {1}};
  ExpectRoundTrip(s);
}

TEST(ColdChunkTest, ExtremeTimestamps) {
  Series s{{std::numeric_limits<int64_t>::min(), -1, 0, 1, std::numeric_limits<int64_t>::max()},
           {1, 2, 3, 4, 5}};
  ExpectRoundTrip(s);
  // A grid far from zero with gaps (missed scrapes) and negative times.
  Series g;
  for (int64_t i = 0; i < 500; ++i) {
    if (i % 50 == 7) continue;
    g.ts.push_back(-1000000000 + i * 10000 + (i % 3 == 0 ? 2 : 0));
    g.vs.push_back(static_cast<double>(i));
  }
  ExpectRoundTrip(g);
}

TEST(ColdChunkTest, MaxSamples) {
  std::mt19937_64 rng(7);
  Series s;
  s.ts = ScrapeTimes(rng, kColdChunkMaxSamples);
  double v = 0;
  for (uint32_t i = 0; i < kColdChunkMaxSamples; ++i) s.vs.push_back(v += rng() % 100);
  ExpectRoundTrip(s);
}

TEST(ColdChunkTest, EmptyChunkAndDefaultIterator) {
  ColdChunkIterator it;
  EXPECT_FALSE(it.Next());
  EXPECT_FALSE(it.Seek(0));
  EXPECT_TRUE(it.status().ok());
  std::vector<uint8_t> empty = EncodeColdChunk({}, {});
  it.Reset(empty);
  EXPECT_FALSE(it.Next());
  EXPECT_TRUE(it.status().ok());
}

// Regular series compress to a fraction of a byte per sample.
TEST(ColdChunkTest, CompactOnRegularSeries) {
  std::vector<int64_t> ts(5760);
  for (size_t i = 0; i < ts.size(); ++i) ts[i] = 1700000000000 + static_cast<int64_t>(i) * 15000;
  std::vector<double> constant(ts.size(), 3.0), linear(ts.size());
  for (size_t i = 0; i < ts.size(); ++i) linear[i] = 0.5 * static_cast<double>(i);
  EXPECT_LE(EncodeColdChunk(ts, constant).size(), 30u);
  EXPECT_LE(EncodeColdChunk(ts, linear).size(), 40u);
  std::vector<double> saw(ts.size());
  for (size_t i = 0; i < ts.size(); ++i) saw[i] = static_cast<double>(i % 40) * 0.25;
  EXPECT_LE(EncodeColdChunk(ts, saw).size(), 200u);
  // Jitter of -3..3 ms on one scrape in four has about 1.3 bits of entropy
  // per sample (0.163 bytes); the rANS column gets within a few percent.
  std::mt19937_64 rng(3);
  std::vector<int64_t> jittered = ScrapeTimes(rng, ts.size());
  const double bytes_per_sample =
      static_cast<double>(EncodeColdChunk(jittered, constant).size()) / jittered.size();
  EXPECT_LT(bytes_per_sample, 0.175);
  EXPECT_GT(bytes_per_sample, 0.15);  // the entropy bound: a smaller result means a broken test
}

// Constant series (most of a real block's series: flags, sizes, versions)
// store their value as a decimal when it is one, else as its bit pattern.
TEST(ColdChunkTest, ConstantsAreSmallAndExact) {
  std::mt19937_64 rng(13);
  const std::vector<int64_t> ts = ScrapeTimes(rng, 100);
  const double decimals[] = {0, 1, -1, 0.5, 4096, 1e9, 0.001 * 7, 123.456};
  const double others[] = {-0.0, FromBits(kStaleMarker), std::numeric_limits<double>::quiet_NaN(),
                           1e300, std::numeric_limits<double>::infinity()};
  const size_t ts_bytes = EncodeColdChunk(ts, std::vector<double>(ts.size(), 0)).size() - 3;
  for (double v : decimals) {
    Series s{ts, std::vector<double>(ts.size(), v)};
    EXPECT_LE(ExpectRoundTrip(s), ts_bytes + 1 + 1 + 5) << v;  // kind, recipe, varint
  }
  for (double v : others) {
    Series s{ts, std::vector<double>(ts.size(), v)};
    EXPECT_EQ(ExpectRoundTrip(s), ts_bytes + 1 + 8) << v;  // kind, bit pattern
  }
}

// Counters with rare small increments (error counts, restarts) and a gap.
TEST(ColdChunkTest, SparseIncrementsAreCheap) {
  std::mt19937_64 rng(11);
  Series s;
  s.ts = ScrapeTimes(rng, 5760);
  double v = 17;
  for (size_t i = 0; i < s.ts.size(); ++i) s.vs.push_back(v += rng() % 50 == 0 ? 1 : 0);
  const size_t bytes = ExpectRoundTrip(s);
  EXPECT_LT(static_cast<double>(bytes) / 5760, 0.2 + 0.04);
}

// Values programs compute from integer counts in ways other than printing
// decimals: each must be stored as its integer (a few bytes per change),
// not as exceptions or XOR bits (~9 or ~30 bits per sample).
TEST(ColdChunkTest, ExporterRecipesStoreTheirIntegers) {
  std::mt19937_64 rng(12);
  const std::vector<int64_t> ts = ScrapeTimes(rng, 620);
  struct Case {
    const char* name;
    std::function<double(int64_t)> make;  // from a growing integer count
    double max_bytes_per_sample;
  };
  const Case cases[] = {
      // Milliseconds times 0.001 (disk time counters).
      {"ms * 0.001", [](int64_t ms) { return static_cast<double>(ms) * 0.001; }, 1.4},
      // Microseconds divided by 1000 twice (pressure stall counters).
      {"us / 1000 / 1000", [](int64_t us) { return static_cast<double>(us) / 1000.0 / 1000.0; },
       1.4},
      // A Unix time in seconds with nanoseconds, beyond 2^53 ns: the
      // integers must be the doubles themselves so they share a factor.
      {"unix seconds", [](int64_t ns) { return static_cast<double>(ns) / 1e9; }, 2.5},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Series s;
    s.ts = ts;
    const bool unix_time = std::string(c.name) == "unix seconds";
    int64_t count = unix_time ? 1795804200123456789 : 123456789;
    for (size_t i = 0; i < ts.size(); ++i) {
      // 8.2 bits of increment per sample; ~14 for the clock (ms of jitter
      // in units of its 256 ns resolution).
      count += unix_time ? 15000000000 + static_cast<int64_t>(rng() % 5000000)
                         : static_cast<int64_t>(rng() % 300);
      s.vs.push_back(c.make(count));
    }
    const size_t bytes = ExpectRoundTrip(s);
    EXPECT_LT(static_cast<double>(bytes) / static_cast<double>(ts.size()), c.max_bytes_per_sample);
  }
}

TEST(ColdChunkTest, ReadBatchMatchesNext) {
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    std::mt19937_64 rng(seed);
    for (size_t n : {size_t{1}, size_t{2}, size_t{5}, size_t{200}, size_t{1900}}) {
      Series s;
      s.ts = seed % 2 ? ScrapeTimes(rng, n) : IrregularTimes(rng, n, 1000);
      for (size_t i = 0; i < n; ++i) {
        s.vs.push_back(rng() % 9 == 0 ? FromBits(kStaleMarker) : static_cast<double>(rng() % 100));
      }
      const std::vector<uint8_t> chunk = EncodeColdChunk(s.ts, s.vs);
      testing::CheckReadBatchMatchesNext([&] { return std::make_unique<ColdChunkIterator>(chunk); },
                                         seed * 1000 + n);
      if (HasFailure()) return;
    }
  }
}

// A resolver over a map of (encoding, chunk reference) to shared column bytes.
class FakeSharedColumns final : public SharedColumns {
 public:
  absl::Status SharedColumn(uint64_t ref, ChunkEncoding encoding,
                            std::span<const uint8_t>* bytes) const override {
    auto it = columns.find({encoding, ref});
    if (it == columns.end()) return absl::DataLossError("no chunk at that reference");
    *bytes = it->second;
    return absl::OkStatus();
  }
  std::map<std::pair<ChunkEncoding, uint64_t>, std::vector<uint8_t>> columns;
};

// A cold chunk whose timestamps are shared at `ref`, values inline.
std::vector<uint8_t> WithSharedTimestamps(uint64_t ref, std::span<const double> vs) {
  const std::vector<uint8_t> v = EncodeSharedValues(vs);
  return AssembleColdChunk(vs.size(), {{}, ref}, {v});
}

// A cold chunk whose values are those of the cold chunk at `ref`, from
// `offset` on; timestamps inline.
std::vector<uint8_t> WithSharedValues(std::span<const int64_t> ts, uint64_t ref, size_t offset) {
  const std::vector<uint8_t> t = EncodeSharedTimestamps(ts);
  return AssembleColdChunk(ts.size(), {t}, {{}, ref, offset});
}

void ExpectSamples(ColdChunkIterator& it, const Series& s) {
  for (size_t i = 0; i < s.ts.size(); ++i) {
    ASSERT_TRUE(it.Next()) << it.status();
    ASSERT_EQ(it.t(), s.ts[i]);
    ASSERT_EQ(ToBits(it.v()), ToBits(s.vs[i]));
  }
  EXPECT_FALSE(it.Next());
  EXPECT_TRUE(it.status().ok()) << it.status();
}

// Every way a reference can fail is an error, never other samples.
void ExpectError(const std::vector<uint8_t>& c, const SharedColumns* r, const std::string& want) {
  ColdChunkIterator bad;
  bad.Reset(c, r);
  EXPECT_FALSE(bad.Next());
  EXPECT_TRUE(absl::IsDataLoss(bad.status())) << bad.status();
  EXPECT_NE(bad.status().message().find(want), std::string::npos) << bad.status();
}

TEST(ColdChunkTest, SharedTimestampColumns) {
  std::mt19937_64 rng(9);
  Series s;
  s.ts = ScrapeTimes(rng, 500);
  for (size_t i = 0; i < s.ts.size(); ++i) s.vs.push_back(static_cast<double>(rng() % 1000) / 8);
  const std::vector<uint8_t> column = EncodeSharedTimestamps(s.ts);
  const std::vector<uint8_t> values = EncodeSharedValues(s.vs);
  // Inline, the chunk is exactly EncodeColdChunk's.
  EXPECT_EQ(AssembleColdChunk(s.ts.size(), {column}, {values}), EncodeColdChunk(s.ts, s.vs));

  FakeSharedColumns shared;
  shared.columns[{ChunkEncoding::kTimestamps, 77}] = column;
  const std::vector<uint8_t> chunk = WithSharedTimestamps(77, s.vs);
  EXPECT_LT(chunk.size() + 16, EncodeColdChunk(s.ts, s.vs).size());
  ColdChunkIterator it;
  it.Reset(chunk, &shared);
  ExpectSamples(it, s);

  // Chunks written before references were stored relative to 2^32 (column
  // kind 3, the reference as is) still read: version, n (2 bytes), kind 4
  // and the 10-byte wrapped reference become kind 3 and one byte.
  ASSERT_EQ(chunk[3], 4);
  std::vector<uint8_t> absolute = {chunk[0], chunk[1], chunk[2], 3, 77};
  absolute.insert(absolute.end(), chunk.begin() + 4 + 10, chunk.end());
  it.Reset(absolute, &shared);
  ExpectSamples(it, s);

  ExpectError(chunk, nullptr, "shared timestamp column outside a block");
  ExpectError(WithSharedTimestamps(78, s.vs), &shared,
              "shared timestamp column unreadable: no chunk at that reference");
  // A cold chunk at the reference is not a timestamp column.
  shared.columns[{ChunkEncoding::kCold, 82}] = EncodeColdChunk(s.ts, s.vs);
  ExpectError(WithSharedTimestamps(82, s.vs), &shared, "shared timestamp column unreadable");
  shared.columns[{ChunkEncoding::kTimestamps, 79}] =
      EncodeSharedTimestamps(std::span(s.ts).first(499));
  ExpectError(WithSharedTimestamps(79, s.vs), &shared, "shared timestamp column of another length");
  // A shared column may not itself refer to another.
  std::vector<uint8_t> nested = {static_cast<uint8_t>((s.ts.size() & 0x7f) | 0x80),
                                 static_cast<uint8_t>(s.ts.size() >> 7), 3, 77};
  shared.columns[{ChunkEncoding::kTimestamps, 80}] = nested;
  ExpectError(WithSharedTimestamps(80, s.vs), &shared, "shared timestamp column outside a block");
  std::vector<uint8_t> trailing = column;
  trailing.push_back(0);
  shared.columns[{ChunkEncoding::kTimestamps, 81}] = trailing;
  ExpectError(WithSharedTimestamps(81, s.vs), &shared, "trailing bytes");
}

TEST(ColdChunkTest, SharedValueColumns) {
  std::mt19937_64 rng(10);
  Series s;
  s.ts = ScrapeTimes(rng, 500);
  double count = 0;
  for (size_t i = 0; i < s.ts.size(); ++i) s.vs.push_back(count += rng() % 40);
  // The first chunk with the values holds them; it says where they start.
  const std::vector<uint8_t> t = EncodeSharedTimestamps(s.ts), v = EncodeSharedValues(s.vs);
  size_t at = 0;
  const std::vector<uint8_t> first = AssembleColdChunk(s.ts.size(), {t}, {v}, &at);
  EXPECT_EQ(first, EncodeColdChunk(s.ts, s.vs));
  FakeSharedColumns shared;
  shared.columns[{ChunkEncoding::kCold, 90}] = first;
  // Another series with other timestamps and these values refers to them.
  Series other = s;
  for (int64_t& ts : other.ts) ts += 7;
  const std::vector<uint8_t> chunk = WithSharedValues(other.ts, 90, at);
  EXPECT_LT(chunk.size() + 16, EncodeColdChunk(other.ts, other.vs).size());
  ColdChunkIterator it;
  it.Reset(chunk, &shared);
  ExpectSamples(it, other);
  // Both columns shared: the chunk is a header and two references.
  shared.columns[{ChunkEncoding::kTimestamps, 91}] = t;
  const std::vector<uint8_t> both = AssembleColdChunk(s.ts.size(), {{}, 91}, {{}, 90, at});
  EXPECT_LE(both.size(), 1 + 2 + 11 + 13u);
  it.Reset(both, &shared);
  ExpectSamples(it, s);

  ExpectError(chunk, nullptr, "shared value column outside a block");
  ExpectError(WithSharedValues(other.ts, 92, at), &shared,
              "shared value column unreadable: no chunk at that reference");
  // The referenced chunk must hold as many samples, and the offset must be
  // where a column ending that chunk starts.
  shared.columns[{ChunkEncoding::kCold, 93}] =
      EncodeColdChunk(std::span(s.ts).first(499), std::span(s.vs).first(499));
  ExpectError(WithSharedValues(other.ts, 93, at), &shared, "shared value column of another length");
  ExpectError(WithSharedValues(other.ts, 90, 1), &shared,
              "shared value column offset out of range");
  ExpectError(WithSharedValues(other.ts, 90, first.size()), &shared,
              "shared value column offset out of range");
  ColdChunkIterator bad;
  bad.Reset(WithSharedValues(other.ts, 90, at + 1), &shared);
  EXPECT_FALSE(bad.Next());
  EXPECT_TRUE(absl::IsDataLoss(bad.status())) << bad.status();
  // A shared value column may not itself refer to another.
  shared.columns[{ChunkEncoding::kCold, 94}] = chunk;
  size_t chunk_at = 0;
  AssembleColdChunk(other.ts.size(), {t}, {{}, 90, at}, &chunk_at);
  ExpectError(WithSharedValues(s.ts, 94, chunk_at), &shared, "shared value column outside a block");
}

}  // namespace
}  // namespace strata
