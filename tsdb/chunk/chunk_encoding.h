// Chunk encodings: the byte that tells a chunk's container (a block's chunk
// segment file, docs/format/block.md) how the chunk's data is encoded.
#ifndef STRATA_TSDB_CHUNK_CHUNK_ENCODING_H_
#define STRATA_TSDB_CHUNK_CHUNK_ENCODING_H_

#include <cstdint>

namespace strata {

enum class ChunkEncoding : uint8_t {
  // Gorilla XOR float chunk (docs/format/chunks.md); Prometheus's encoding 1.
  kXor = 1,
  // Strata's cold encoding for compacted blocks (docs/format/cold_chunks.md):
  // column encodings chosen per chunk, lossless and bit-exact.
  kCold = 0x41,
  // A timestamp column shared by cold chunks of the same block (not a
  // series' chunk: no index entry points at it; cold chunks refer to it).
  kTimestamps = 0x42,
};

}  // namespace strata

#endif  // STRATA_TSDB_CHUNK_CHUNK_ENCODING_H_
