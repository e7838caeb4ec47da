// Integer columns of cold chunks (docs/format/cold_chunks.md, "Integer
// columns"): a sequence of int64 values whose count the reader already
// knows, stored as the smallest of a constant, zig-zag varints, bit-packed
// frame-of-reference blocks of 128, zstd over either of the last two, rANS
// over the values or over their magnitude buckets, or a common factor taken
// out of every value but the first, the rest stored as one of those.
//
// Internal to tsdb/chunk. Encoding allocates freely (compaction is not a hot
// path); decoding writes into caller-owned buffers and reuses a scratch
// buffer across calls. Thread safety: none beyond thread-local zstd contexts.
#ifndef STRATA_TSDB_CHUNK_COLD_INT_COLUMN_H_
#define STRATA_TSDB_CHUNK_COLD_INT_COLUMN_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "tsdb/base/coding.h"

namespace strata::cold {

// Column kinds (the first byte of a column). Bit 7 set: the payload is a
// zstd frame whose content is the payload of the kind in bits 0..6.
enum IntKind : uint8_t {
  kIntConst = 0,        // payload: one zig-zag varint, repeated count times
  kIntVarint = 1,       // payload: count zig-zag varints
  kIntPacked = 2,       // payload: blocks of 128 values, frame of reference + bit packing
  kIntRans = 3,         // payload: rANS over at most 256 consecutive values (cold_rans.cc)
  kIntRansBuckets = 4,  // payload: rANS over magnitude buckets + raw low bits (cold_buckets.cc)
  kIntFactored = 5,     // payload: first value, factor g >= 2, column of the others / g
};
inline constexpr uint8_t kIntZstdFlag = 0x80;
inline constexpr size_t kPackBlock = 128;

// Appends the smallest encoding of `vals` (kind byte, uvarint payload
// length, payload) to `out`.
void EncodeIntColumn(std::span<const int64_t> vals, std::string* out);

// Reads one column of exactly `n` values from `d` into out[0..n). Returns
// false on corrupt input (then `*what` says why; `d` may be anywhere).
// `scratch` holds decompressed payloads between calls.
// REQUIRES: out has room for n values.
bool DecodeIntColumn(Decoder& d, size_t n, int64_t* out, std::vector<uint8_t>* scratch,
                     const char** what);

// Records why decoding failed; returns false for `return Fail(what, "...")`.
inline bool Fail(const char** what, const char* why) {
  *what = why;
  return false;
}

// rANS payloads (cold_rans.cc). EncodeRans returns false (appending
// nothing) when the values span more than 256 consecutive integers.
bool EncodeRans(std::span<const int64_t> vals, std::string* out);
bool DecodeRans(std::string_view payload, size_t n, int64_t* out, const char** what);

// The symbol coder under both rANS kinds (cold_rans.cc). RansQuantize
// scales symbol counts to frequencies summing to 4096, every present symbol
// at least 1 (false if impossible); it is deterministic, so a decoder given
// the counts rebuilds the encoder's frequencies. RansEncodeSymbols appends
// the two states and the stream; RansDecodeSymbols reads exactly `stream`
// into out[i] = base + symbol.
bool RansQuantize(const std::vector<uint64_t>& counts, uint64_t total, std::vector<uint32_t>* freq);
void RansEncodeSymbols(std::span<const uint32_t> symbols, const std::vector<uint32_t>& freq,
                       std::string* out);
bool RansDecodeSymbols(std::string_view stream, std::span<const uint32_t> freq, size_t n,
                       int64_t base, int64_t* out, const char** what);

// Bucketed rANS payloads (cold_buckets.cc): any int64 values, at least two.
// EstimateRansBuckets is the payload's size to within a few bytes, without
// running the coder (SIZE_MAX when the kind does not apply).
size_t EstimateRansBuckets(std::span<const int64_t> vals);
bool EncodeRansBuckets(std::span<const int64_t> vals, std::string* out);
bool DecodeRansBuckets(std::string_view payload, size_t n, int64_t* out, const char** what);

// Zig-zag mapping of signed to unsigned (small magnitudes to small codes).
inline uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t UnZigZag(uint64_t u) {
  return static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1);
}

// Level used for every zstd candidate. Higher levels were measured on the
// synthetic workload: 9 saves 0.03% and 19 0.9% of the bytes at 3x and 15x
// the encoding time, as the columns are already small and dense.
inline constexpr int kZstdLevel = 3;

}  // namespace strata::cold

#endif  // STRATA_TSDB_CHUNK_COLD_INT_COLUMN_H_
