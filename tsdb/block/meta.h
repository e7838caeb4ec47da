// A block's meta.json: its identity, time range, statistics and compaction
// lineage. Format: docs/format/block.md.
//
// Thread safety: plain values.
#ifndef STRATA_TSDB_BLOCK_META_H_
#define STRATA_TSDB_BLOCK_META_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace strata::block {

// meta.json "version": the block format version this code writes.
inline constexpr int kBlockFormatVersion = 1;

struct BlockMeta {
  std::string ulid;      // 26-character Crockford base32 ULID; the directory name
  int64_t min_time = 0;  // inclusive, milliseconds
  int64_t max_time = 0;  // exclusive, milliseconds (as Prometheus)
  uint64_t num_samples = 0;
  uint64_t num_series = 0;
  uint64_t num_chunks = 0;
  // 1 for a block cut from the head or imported, max(parents' levels) + 1
  // for a compaction result.
  int level = 1;
  // ULIDs of the level-1 blocks whose data this block holds (itself for a
  // level-1 block), sorted. A block whose sources are all contained in a
  // newer block's sources has been compacted into it and is dropped on open.
  std::vector<std::string> sources;
  // Direct parents of a compaction result (empty for level 1).
  std::vector<std::string> parents;
  int version = kBlockFormatVersion;

  friend bool operator==(const BlockMeta&, const BlockMeta&) = default;
};

// JSON text of `meta` (what meta.json holds).
std::string EncodeMeta(const BlockMeta& meta);
// Parses meta.json text. InvalidArgument/DataLoss with the reason for
// malformed JSON, missing fields, an unknown version or min_time > max_time.
absl::StatusOr<BlockMeta> DecodeMeta(const std::string& json);

}  // namespace strata::block

#endif  // STRATA_TSDB_BLOCK_META_H_
