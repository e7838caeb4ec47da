#include "compaction/planner.h"

#include <algorithm>

namespace strata::compaction {
namespace {

constexpr int64_t kHour = 3600 * 1000;
constexpr int64_t kMaxRange = 31 * 24 * kHour;

// Floor division for possibly negative timestamps.
int64_t AlignDown(int64_t t, int64_t range) {
  int64_t q = t / range;
  if (t % range != 0 && t < 0) --q;
  return q * range;
}

std::vector<const block::BlockMeta*> SortedByTime(std::span<const block::BlockMeta> metas) {
  std::vector<const block::BlockMeta*> out;
  out.reserve(metas.size());
  for (const auto& m : metas) out.push_back(&m);
  std::sort(out.begin(), out.end(), [](const auto* a, const auto* b) {
    if (a->min_time != b->min_time) return a->min_time < b->min_time;
    return a->ulid < b->ulid;
  });
  return out;
}

Plan ToPlan(std::span<const block::BlockMeta* const> group, bool overlapping) {
  Plan p;
  p.overlapping = overlapping;
  for (const auto* m : group) p.ulids.push_back(m->ulid);
  return p;
}

// The first cluster of mutually overlapping blocks (transitively), if any.
Plan PlanOverlapping(std::span<const block::BlockMeta* const> sorted) {
  size_t i = 0;
  while (i < sorted.size()) {
    size_t j = i + 1;
    int64_t cluster_max = sorted[i]->max_time;
    while (j < sorted.size() && sorted[j]->min_time < cluster_max) {
      cluster_max = std::max(cluster_max, sorted[j]->max_time);
      ++j;
    }
    if (j - i >= 2) return ToPlan(sorted.subspan(i, j - i), /*overlapping=*/true);
    i = j;
  }
  return {};
}

Plan PlanLevel(std::span<const block::BlockMeta* const> candidates, int64_t range,
               int64_t newest_min_time) {
  size_t i = 0;
  while (i < candidates.size()) {
    const int64_t window_start = AlignDown(candidates[i]->min_time, range);
    const int64_t window_end = window_start + range;
    size_t j = i;
    while (j < candidates.size() && candidates[j]->min_time >= window_start &&
           candidates[j]->max_time <= window_end) {
      ++j;
    }
    if (j == i) {  // this block does not fit in the window: it is larger
      ++i;
      continue;
    }
    const auto group = candidates.subspan(i, j - i);
    const bool spans_window =
        group.front()->min_time <= window_start && group.back()->max_time >= window_end;
    const bool window_closed = newest_min_time >= window_end;
    if (group.size() >= 2 && (spans_window || window_closed)) {
      return ToPlan(group, /*overlapping=*/false);
    }
    if (group.size() == 1 && group.front()->level == 1 && window_closed) {
      return ToPlan(group, /*overlapping=*/false);  // rule 4 (planner.h)
    }
    i = j;
  }
  return {};
}

}  // namespace

std::vector<int64_t> BlockRanges(int64_t base_ms, int64_t retention_ms) {
  std::vector<int64_t> ranges = {base_ms};
  int64_t limit = kMaxRange;
  if (retention_ms > 0) limit = std::min(limit, std::max(base_ms, retention_ms / 10));
  for (int64_t factor : {3, 12, 36, 84}) {
    const int64_t r = base_ms * factor;
    if (r > limit) break;
    ranges.push_back(r);
  }
  return ranges;
}

Plan PlanCompaction(std::span<const block::BlockMeta> metas, std::span<const int64_t> ranges) {
  const auto sorted = SortedByTime(metas);
  if (Plan p = PlanOverlapping(sorted); !p.ulids.empty()) return p;
  if (sorted.size() < 2) return {};  // the newest is excluded; need one more
  const auto candidates = std::span(sorted).first(sorted.size() - 1);
  const int64_t newest_min_time = sorted.back()->min_time;
  for (size_t r = 1; r < ranges.size(); ++r) {
    if (Plan p = PlanLevel(candidates, ranges[r], newest_min_time); !p.ulids.empty()) return p;
  }
  return {};
}

}  // namespace strata::compaction
