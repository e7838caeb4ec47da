// Timestamp and value columns of cold chunks (docs/format/cold_chunks.md).
// Each encoder tries every transform that applies and keeps the smallest;
// each decoder reads exactly one column of a known sample count.
//
// Internal to tsdb/chunk. Decoders never read outside the Decoder's range
// and return false with a reason in `*what` on corrupt input. Thread
// safety: none (scratch buffers belong to the caller).
#ifndef STRATA_TSDB_CHUNK_COLD_COLUMNS_H_
#define STRATA_TSDB_CHUNK_COLD_COLUMNS_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "tsdb/base/coding.h"
#include "tsdb/chunk/cold_chunk.h"

namespace strata::cold {

enum TsKind : uint8_t {
  kTsDelta = 0,           // t0, then the n-1 deltas as an integer column
  kTsDod = 1,             // t0, then the n-1 deltas of deltas (the first against 0)
  kTsGrid = 2,            // t0, interval, slot steps and residuals from the grid
  kTsShared = 3,          // a reference to a column stored once for a block's series
  kTsSharedRelative = 4,  // the same, the reference stored minus kSharedRefBase
};
// Block chunk references are segment << 32 | offset with segments counted
// from 1: relative to 2^32, the columns of a block's first segment take
// 3 bytes instead of 5.
inline constexpr uint64_t kSharedRefBase = uint64_t{1} << 32;

enum ValueKind : uint8_t {
  kValConst = 0,         // one 8-byte bit pattern repeated n times
  kValDecimal = 1,       // v == m / 10^k, m as an integer column, plus exceptions
  kValXor = 2,           // Gorilla XOR bit stream of the bit patterns
  kValConstDecimal = 3,  // one value f(m) repeated n times: recipe byte, varint m
  kValShared = 4,        // the value column of another cold chunk of the block
};

// Caller-owned buffers reused across decodes (the iterator's members).
struct Scratch {
  std::vector<int64_t>* ints;
  std::vector<int64_t>* ints2;
  std::vector<uint8_t>* bytes;
};

// REQUIRES: ts.size() >= 1.
void EncodeTimestamps(std::span<const int64_t> ts, std::string* out);
// REQUIRES: out has room for n >= 1 values. A kTsShared column is
// resolved through `shared` (an error when it is null or fails: then
// *shared_error holds the resolver's status when it had one).
bool DecodeTimestamps(Decoder& d, size_t n, int64_t* out, Scratch* s, const char** what,
                      const SharedColumns* shared = nullptr, absl::Status* shared_error = nullptr);

// REQUIRES: vs.size() >= 1.
void EncodeValues(std::span<const double> vs, std::string* out);
// REQUIRES: out has room for n >= 1 values. A kValShared column is
// resolved through `shared`, as in DecodeTimestamps.
bool DecodeValues(Decoder& d, size_t n, double* out, Scratch* s, const char** what,
                  const SharedColumns* shared = nullptr, absl::Status* shared_error = nullptr);

// The Gorilla XOR value stream (cold_xor.cc): first value in 64 bits, then
// '0' (same bits) | '10' + bits in the previous window | '11' + 6 bits of
// leading zeros + 6 bits of (significant bits - 1) + the significant bits.
void EncodeXorValues(std::span<const uint64_t> bits, std::string* out);
bool DecodeXorValues(std::string_view payload, size_t n, uint64_t* out, const char** what);

}  // namespace strata::cold

#endif  // STRATA_TSDB_CHUNK_COLD_COLUMNS_H_
