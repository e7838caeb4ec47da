#include "compaction/retention.h"

#include <algorithm>

namespace strata::compaction {

RetentionDecision PlanRetention(std::span<const BlockUsage> blocks, int64_t newest_time,
                                uint64_t other_bytes, const RetentionPolicy& policy) {
  std::vector<const BlockUsage*> oldest_first;
  for (const auto& b : blocks) oldest_first.push_back(&b);
  std::sort(oldest_first.begin(), oldest_first.end(), [](const auto* a, const auto* b) {
    if (a->meta.max_time != b->meta.max_time) return a->meta.max_time < b->meta.max_time;
    return a->meta.ulid < b->meta.ulid;
  });

  RetentionDecision d;
  size_t kept_from = 0;
  if (policy.time_ms > 0) {
    const int64_t cutoff = newest_time - policy.time_ms;
    while (kept_from < oldest_first.size() && oldest_first[kept_from]->meta.max_time <= cutoff) {
      d.by_time.push_back(oldest_first[kept_from]->meta.ulid);
      ++kept_from;
    }
  }
  if (policy.size_bytes > 0) {
    uint64_t total = other_bytes;
    for (size_t i = kept_from; i < oldest_first.size(); ++i) total += oldest_first[i]->size_bytes;
    while (total > policy.size_bytes && kept_from + 1 < oldest_first.size()) {
      total -= oldest_first[kept_from]->size_bytes;
      d.by_size.push_back(oldest_first[kept_from]->meta.ulid);
      ++kept_from;
    }
  }
  return d;
}

}  // namespace strata::compaction
