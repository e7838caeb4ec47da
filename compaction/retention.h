// Retention: which whole blocks to delete by age and by total size. Pure
// functions over block metadata; the DB deletes what they return (rename,
// then remove, so no query sees a half-deleted block).
//
// Thread safety: stateless.
#ifndef STRATA_COMPACTION_RETENTION_H_
#define STRATA_COMPACTION_RETENTION_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "tsdb/block/meta.h"

namespace strata::compaction {

struct RetentionPolicy {
  int64_t time_ms = 0;      // keep data newer than this much; <= 0: no time limit
  uint64_t size_bytes = 0;  // keep the total under this; 0: no size limit
};

struct BlockUsage {
  block::BlockMeta meta;
  uint64_t size_bytes = 0;
};

struct RetentionDecision {
  std::vector<std::string> by_time;  // ULIDs past the time limit
  std::vector<std::string> by_size;  // further ULIDs to fit the size limit
};

// Time: a block goes once its whole range is older than the retention,
// measured from `newest_time` (the newest sample in the DB, head included):
// max_time <= newest_time - time_ms. Like Prometheus, age is measured from
// the data, not the clock, so a DB that stopped receiving keeps its data.
//
// Size: after the time deletions, the oldest blocks go until blocks plus
// `other_bytes` (the WAL and anything else the DB stores) fit size_bytes.
// The newest block is never deleted for size alone when it is the only one
// left: the limit cannot be met by deleting the data just written.
RetentionDecision PlanRetention(std::span<const BlockUsage> blocks, int64_t newest_time,
                                uint64_t other_bytes, const RetentionPolicy& policy);

}  // namespace strata::compaction

#endif  // STRATA_COMPACTION_RETENTION_H_
