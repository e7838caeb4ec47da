// Helpers for the block tests: series with samples, encoded into XOR chunks,
// written as a block, and read back for comparison.
#ifndef STRATA_TESTS_TSDB_BLOCK_BLOCK_TEST_UTIL_H_
#define STRATA_TESTS_TSDB_BLOCK_BLOCK_TEST_UTIL_H_

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "tsdb/base/fs.h"
#include "tsdb/block/block.h"
#include "tsdb/block/block_writer.h"
#include "tsdb/block/block_writer_internal.h"
#include "tsdb/chunk/xor_chunk.h"

namespace strata::block::testing {

struct Sample {
  int64_t t;
  uint64_t bits;  // the value's bit pattern, so NaN payloads compare exactly
  friend bool operator==(const Sample&, const Sample&) = default;
};

inline uint64_t Bits(double v) {
  uint64_t b;
  std::memcpy(&b, &v, sizeof b);
  return b;
}
inline double FromBits(uint64_t b) {
  double v;
  std::memcpy(&v, &b, sizeof v);
  return v;
}

struct TestSeries {
  Labels labels;
  std::vector<Sample> samples;  // strictly increasing t
};

// Encodes `samples` into XOR chunks of at most `per_chunk` samples.
struct EncodedChunks {
  std::vector<XorAppender> apps;
  std::vector<ChunkData> data;
};
inline EncodedChunks Encode(const std::vector<Sample>& samples, size_t per_chunk) {
  EncodedChunks out;
  for (size_t i = 0; i < samples.size(); i += per_chunk) {
    out.apps.emplace_back();
    for (size_t k = i; k < std::min(samples.size(), i + per_chunk); ++k) {
      out.apps.back().Append(samples[k].t, FromBits(samples[k].bits));
    }
  }
  for (const XorAppender& a : out.apps) {
    out.data.push_back({a.first_t(), a.last_t(), a.num_samples(), ChunkEncoding::kXor, a.bytes()});
  }
  return out;
}

// Writes `series` (sorted by labels) as a block in `dir` with `meta`'s
// identity; returns the finished meta.
inline absl::StatusOr<BlockMeta> WriteBlock(FileSystem* fs, const std::string& dir,
                                            const std::vector<TestSeries>& series, BlockMeta meta,
                                            size_t per_chunk = 120,
                                            uint64_t segment_bytes = uint64_t{512} << 20) {
  auto w = internal::CreateBlockWriter(fs, dir, segment_bytes);
  if (!w.ok()) return w.status();
  for (const TestSeries& s : series) {
    EncodedChunks c = Encode(s.samples, per_chunk);
    if (absl::Status st = (*w)->AddSeries(s.labels, c.data); !st.ok()) return st;
  }
  if (absl::Status st = (*w)->Finish(&meta); !st.ok()) return st;
  return meta;
}

// All samples of an iterator.
inline std::vector<Sample> Drain(SampleIterator* it) {
  std::vector<Sample> out;
  while (it->Next()) out.push_back({it->t(), Bits(it->v())});
  return out;
}

// Every series a Select returns, with its samples; fails the test on error.
inline std::vector<TestSeries> SelectAll(Querier* q, std::span<const Matcher> matchers) {
  std::vector<TestSeries> out;
  auto set = q->Select(matchers);
  while (set->Next()) {
    auto it = set->Iterator();
    out.push_back({set->labels(), Drain(it.get())});
    EXPECT_TRUE(it->status().ok()) << it->status();
  }
  EXPECT_TRUE(set->status().ok()) << set->status();
  return out;
}

inline bool SameSeries(const std::vector<TestSeries>& a, const std::vector<TestSeries>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!(a[i].labels == b[i].labels) || a[i].samples != b[i].samples) return false;
  }
  return true;
}

inline BlockMeta TestMeta(std::string ulid, int64_t mint, int64_t maxt) {
  BlockMeta m;
  m.ulid = ulid;
  m.min_time = mint;
  m.max_time = maxt;
  m.sources = {ulid};
  return m;
}

}  // namespace strata::block::testing

#endif  // STRATA_TESTS_TSDB_BLOCK_BLOCK_TEST_UTIL_H_
