// Cold chunks: the encoding of compacted blocks (ChunkEncoding::kCold,
// docs/format/cold_chunks.md). A cold chunk holds one series' samples over a
// long range (up to kMaxSamples) and picks, per chunk, the smallest of
// several column encodings for timestamps and values (e.g. regular
// intervals with exceptions; constant and linear value runs; decimal values
// stored as scaled integers; XOR as the fallback). Lossless and bit-exact:
// every NaN payload, ±Inf, -0.0 and the stale marker round-trip.
//
// Thread safety: none; one thread per iterator.
#ifndef STRATA_TSDB_CHUNK_COLD_CHUNK_H_
#define STRATA_TSDB_CHUNK_COLD_CHUNK_H_

#include <cstdint>
#include <span>
#include <vector>

#include "absl/status/status.h"
#include "tsdb/base/timed_value.h"
#include "tsdb/chunk/chunk_encoding.h"

namespace strata {

inline constexpr uint32_t kColdChunkMaxSamples = 1u << 20;

// REQUIRES: ts.size() == vs.size(), 1 <= size <= kColdChunkMaxSamples,
// ts strictly increasing.
std::vector<uint8_t> EncodeColdChunk(std::span<const int64_t> ts, std::span<const double> vs);

// Shared columns. Series scraped together carry identical timestamps, and
// some series carry identical values (a histogram's buckets above its
// largest observation all equal its count; exporters publish one figure
// under two names). A block stores such a column once and cold chunks
// refer to it by chunk reference (docs/format/cold_chunks.md, "shared"): a
// timestamp column in a chunk of its own (ChunkEncoding::kTimestamps: the
// count, then the column), a value column where it first occurred, at the
// end of another cold chunk of the block.
//
// EncodeSharedTimestamps and EncodeSharedValues encode a column (the count,
// then the column). AssembleColdChunk makes a cold chunk of n samples from
// its two columns, each either inline (bytes from those functions: the
// chunk is then the same as EncodeColdChunk's) or a reference: for
// timestamps to a kTimestamps chunk, for values to a cold chunk and the
// offset of its value column (`*values_at` receives where the chunk's own
// value column starts, for later chunks to refer to). Referenced chunks
// belong to the same block and hold n entries.
// REQUIRES: 1 <= size <= kColdChunkMaxSamples; timestamps strictly
// increasing.
std::vector<uint8_t> EncodeSharedTimestamps(std::span<const int64_t> ts);
std::vector<uint8_t> EncodeSharedValues(std::span<const double> vs);

struct ColdColumn {
  std::span<const uint8_t> bytes;  // inline: from EncodeShared*; empty if shared
  uint64_t shared_ref = 0;         // the referenced chunk, when `bytes` is empty
  uint64_t offset = 0;             // values: where the column starts in that chunk
};
// REQUIRES: 1 <= n <= kColdChunkMaxSamples; inline columns hold n entries.
std::vector<uint8_t> AssembleColdChunk(size_t n, const ColdColumn& ts, const ColdColumn& vs,
                                       size_t* values_at = nullptr);

// Resolves the chunk references of shared columns; a block implements it
// for its chunks. Thread safety: as the implementation's.
class SharedColumns {
 public:
  virtual ~SharedColumns() = default;
  // The bytes of the chunk at `ref`, checked (CRC, and that its encoding
  // is `encoding`: kTimestamps for timestamps, kCold for values); they stay
  // valid while the resolver lives. DataLoss when damaged.
  virtual absl::Status SharedColumn(uint64_t ref, ChunkEncoding encoding,
                                    std::span<const uint8_t>* bytes) const = 0;
};

// Decodes a cold chunk. Borrows the bytes. Same protocol as XorIterator:
// Next/Seek/t/v/status; corrupt input is DataLoss("cold chunk: ..."), never
// undefined behaviour or an out-of-bounds read.
class ColdChunkIterator {
 public:
  ColdChunkIterator() = default;
  explicit ColdChunkIterator(std::span<const uint8_t> chunk) { Reset(chunk); }
  // `shared` resolves shared columns; without it a chunk with one
  // fails to decode. It must outlive the Reset call only (the column is
  // decoded at once).
  void Reset(std::span<const uint8_t> chunk, const SharedColumns* shared = nullptr);
  bool Next();
  bool Seek(int64_t t);
  // Batch read (see SampleIterator::ReadBatch in tsdb/storage.h): a copy
  // out of the decoded columns.
  // REQUIRES: the last Next or Seek returned true; cap > 0.
  size_t ReadBatch(int64_t maxt, TimedValue* out, size_t cap, bool* positioned);
  int64_t t() const { return t_; }
  double v() const { return v_; }
  uint32_t num_samples() const { return num_samples_; }
  absl::Status status() const { return status_; }

 private:
  // Decoded columns (a cold chunk is decoded whole on Reset: the column
  // encodings are not streamable, and cold reads are rare).
  std::vector<int64_t> ts_;
  std::vector<double> vs_;
  // Decoding buffers, kept across Reset so re-use does not allocate.
  std::vector<int64_t> scratch_ints_;
  std::vector<int64_t> scratch_ints2_;
  std::vector<uint8_t> scratch_bytes_;
  uint32_t num_samples_ = 0;
  uint32_t pos_ = 0;  // index of the next sample to return
  int64_t t_ = 0;
  double v_ = 0;
  bool done_ = false;  // a Next or Seek returned false
  absl::Status status_;
};

}  // namespace strata

#endif  // STRATA_TSDB_CHUNK_COLD_CHUNK_H_
