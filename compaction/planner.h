// Compaction planning: which blocks to merge next. Pure functions over block
// metadata, so every decision is unit-testable without a filesystem.
//
// Blocks are merged in levels: head cuts produce blocks of ranges[0] (2h by
// default); blocks that together fill an aligned window of ranges[1] (6h)
// are merged into one, and so on up the list (24h, …). The top range is
// bounded by retention (see BlockRanges), so no block outlives its data by
// much. Overlapping blocks (after backfill or import) are merged first,
// whatever their level ("vertical" compaction).
//
// Thread safety: stateless.
#ifndef STRATA_COMPACTION_PLANNER_H_
#define STRATA_COMPACTION_PLANNER_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "tsdb/block/meta.h"

namespace strata::compaction {

// The compaction ranges for a base block range and a retention: base, 3×,
// 12×, 36×, 84× base (2h, 6h, 24h, 3d, 7d), stopping before any range
// longer than max(base, retention / 10) and never beyond 31 days.
// retention_ms <= 0 means unlimited (the list goes up to 7 days of ranges).
std::vector<int64_t> BlockRanges(int64_t base_ms, int64_t retention_ms);

// One planned compaction: the ULIDs of the blocks to merge (ordered by
// min_time; one only when a lone level-1 block is rewritten, rule 4) and
// whether it is a vertical compaction of overlapping blocks.
struct Plan {
  std::vector<std::string> ulids;
  bool overlapping = false;
};

// The next compaction to run, or a plan with no ulids when there is nothing
// to do. `metas` may be in any order. `ranges` as from BlockRanges.
//
// Rules, in order:
//  1. Blocks whose time ranges overlap are merged (all blocks of the first
//     overlapping cluster, ordered by min_time).
//  2. The newest block is left out of leveled planning: its window may still
//     grow (the head cuts the next block into it).
//  3. For each range above the first, from the smallest: blocks are grouped
//     by the aligned window [k·range, (k+1)·range) that contains them
//     entirely; the first group of >= 2 blocks whose window is complete —
//     the group spans the whole window, or a newer block starts at or after
//     the window's end — is the plan.
//  4. In that same walk, a level-1 block alone in its window once the window
//     is closed (a newer block starts at or after its end) is a plan of its
//     own: rewritten, it gets the cold encoding of levels >= 2. Servers leave
//     such blocks around restarts and ingestion gaps; without the rewrite
//     they would stay in XOR chunks forever. A lone block of level >= 2 is
//     left as it is (rewriting it would change nothing).
Plan PlanCompaction(std::span<const block::BlockMeta> metas, std::span<const int64_t> ranges);

}  // namespace strata::compaction

#endif  // STRATA_COMPACTION_PLANNER_H_
