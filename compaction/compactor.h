// Writes blocks: from the head's oldest range (level 1) and from merging
// existing blocks (compaction). Both read through strata::Querier, so
// overlapping inputs are merged and de-duplicated by the merge querier, and
// write through block::BlockWriter under "<ulid>.tmp-for-creation", renamed
// into place only after every file and directory is fsynced. A crash at any
// point leaves either no new block or a complete one; sources are deleted by
// the caller only after WriteBlock returned.
//
// Chunk style: level-1 blocks keep Prometheus-compatible XOR chunks of up to
// 120 samples; blocks of level >= 2 re-encode each series into cold chunks
// (tsdb/chunk/cold_chunk.h) of up to 1,920 samples (8 hours at 15 s), which
// are several times smaller.
//
// Thread safety: stateless functions; callers serialise writes to one DB
// directory.
#ifndef STRATA_COMPACTION_COMPACTOR_H_
#define STRATA_COMPACTION_COMPACTOR_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tsdb/base/fs.h"
#include "tsdb/block/block.h"
#include "tsdb/block/meta.h"
#include "tsdb/storage.h"

namespace strata::compaction {

// Suffixes of directories that are not (yet, or any longer) blocks. DB::Open
// removes both.
inline constexpr std::string_view kTmpCreationSuffix = ".tmp-for-creation";
inline constexpr std::string_view kTmpDeletionSuffix = ".tmp-for-deletion";

struct WriteBlockRequest {
  FileSystem* fs = nullptr;  // required
  std::string db_dir;        // the block goes to <db_dir>/<ulid>
  std::string ulid;          // required: the new block's ULID
  int64_t min_time = 0;      // inclusive
  int64_t max_time = 0;      // exclusive
  int level = 1;
  std::vector<std::string> sources;  // empty: {ulid} (a level-1 block)
  std::vector<std::string> parents;
  bool cold = false;  // cold chunks instead of XOR
};

// Writes every series `source` selects (all of them) with its samples in
// [min_time, max_time) as one block. `source` must cover that range.
// Returns the new block's meta; when no series has a sample in the range no
// block is written and the returned meta has num_series == 0.
absl::StatusOr<block::BlockMeta> WriteBlock(const WriteBlockRequest& request, Querier& source);

// Merges `blocks` (>= 1) into one new block of level max(levels) + 1 whose
// range is the union of theirs; cold chunks. Sources are left in place.
absl::StatusOr<block::BlockMeta> CompactBlocks(
    FileSystem* fs, const std::string& db_dir, const std::string& ulid,
    std::span<const std::shared_ptr<block::Block>> blocks);

}  // namespace strata::compaction

#endif  // STRATA_COMPACTION_COMPACTOR_H_
