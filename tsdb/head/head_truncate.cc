// Head::Truncate: drops chunks and series the DB has persisted in a block.
//
// Steps, each safe against concurrent appenders and queriers:
//  1. Raise the floor (truncated_below_): from now on Queue refuses samples
//     below it and Apply drops those queued earlier, under the stripe lock.
//  2. Under each series' stripe lock, drop its chunks that end below the
//     floor; series left empty and unpinned become candidates.
//  3. For each candidate, under its hash shard's write lock and then its
//     stripe lock, re-check (an appender may have pinned it meanwhile), mark
//     it removed and unlink it from the shard; then clear its ref slot.
//  4. Delete the removed refs from the postings, retire the objects to the
//     reclaimer, and recompute min_time.
// Lock order: shard lock, then stripe lock (nothing takes them the other
// way round).
#include <algorithm>
#include <limits>

#include "tsdb/head/head.h"

namespace strata {

struct Head::TruncateScan {
  std::vector<MemSeries*> candidates;
  uint64_t chunks_removed = 0;
  int64_t min_time = std::numeric_limits<int64_t>::max();  // of what is left
};

TruncateStats Head::Truncate(int64_t mint) {
  MutexLock truncate_lock(&truncate_mu_);
  if (mint > truncated_below()) truncated_below_.store(mint, std::memory_order_release);
  mint = truncated_below();  // a lower mint than an earlier call's changes nothing new

  uint64_t version;
  {
    MutexLock lock(&bounds_mu_);
    // min_time becomes a valid lower bound at once; refined below.
    if (min_time_.load(std::memory_order_relaxed) < mint) {
      min_time_.store(mint, std::memory_order_relaxed);
    }
    version = bounds_version_;
  }

  TruncateScan scan;
  ScanAndTrimChunks(mint, &scan);

  std::vector<std::unique_ptr<MemSeries>> removed;
  std::vector<SeriesRef> refs;
  std::vector<uint32_t> pairs;
  for (MemSeries* s : scan.candidates) {
    std::unique_ptr<MemSeries> owned = TryRemove(s);
    if (owned == nullptr) continue;
    refs.push_back(owned->ref());
    auto p = owned->label_pairs();
    pairs.insert(pairs.end(), p.begin(), p.end());
    removed.push_back(std::move(owned));
  }
  std::sort(refs.begin(), refs.end());
  postings_.Delete(refs, pairs);
  if (has_aliases_.load(std::memory_order_acquire) && !refs.empty()) {
    MutexLock lock(&alias_mu_);
    for (auto it = aliases_.begin(); it != aliases_.end();) {
      auto cur = it++;
      if (std::binary_search(refs.begin(), refs.end(), cur->second)) aliases_.erase(cur);
    }
  }

  TruncateStats stats{scan.chunks_removed, removed.size()};
  num_series_.fetch_sub(removed.size(), std::memory_order_relaxed);
  counters_.chunks.fetch_sub(scan.chunks_removed, std::memory_order_relaxed);
  counters_.chunks_removed.fetch_add(scan.chunks_removed, std::memory_order_relaxed);
  counters_.series_removed.fetch_add(removed.size(), std::memory_order_relaxed);
  counters_.truncations.fetch_add(1, std::memory_order_relaxed);
  reclaimer_.Retire(std::move(removed));
  FinishTimeBounds(version, scan.min_time);
  return stats;
}

void Head::ScanAndTrimChunks(int64_t mint, TruncateScan* scan) {
  // Only Truncate frees series, and it runs one at a time: every series
  // ForEach visits is alive.
  series_.ForEach([&](MemSeries& s) {
    MutexLock lock(StripeFor(s.ref()));
    scan->chunks_removed += s.TruncateBefore(mint);
    if (!s.empty()) {
      // A straddling chunk keeps samples below mint; min_time stays >= mint.
      scan->min_time = std::min(scan->min_time, std::max(s.min_time(), mint));
    } else if (s.pending_commits() == 0) {
      scan->candidates.push_back(&s);
    }
  });
}

std::unique_ptr<MemSeries> Head::TryRemove(MemSeries* s) {
  const uint64_t hash = LabelsOf(*s).Hash();
  HashShard& shard = hash_shards_[hash & (kShards - 1)];
  {
    WriterLock shard_lock(&shard.mu);
    {
      MutexLock lock(StripeFor(s->ref()));
      // An appender may have pinned it (and even committed) since the scan.
      if (!s->empty() || s->pending_commits() > 0) return nullptr;
      s->MarkRemoved();
    }
    // Appenders pin under the stripe lock and check `removed` there, so from
    // here no new pin can succeed; an appender that found the series before
    // the unlink looks it up again and creates a new one.
    UnlinkFromShardLocked(shard, s, hash);
  }
  // Cleared after the shard entry: a ByRef that still finds it sees the
  // removed mark under the stripe lock.
  return series_.Remove(s->ref());
}

void Head::UnlinkFromShardLocked(HashShard& shard, MemSeries* s, uint64_t hash) {
  auto cit = shard.collisions.find(hash);
  auto it = shard.by_hash.find(hash);
  if (it != shard.by_hash.end() && it->second == s) {
    if (cit == shard.collisions.end()) {
      shard.by_hash.erase(it);
      return;
    }
    // Promote a colliding series into the primary slot.
    it->second = cit->second.back();
    cit->second.pop_back();
  } else if (cit != shard.collisions.end()) {
    auto& list = cit->second;
    list.erase(std::remove(list.begin(), list.end(), s), list.end());
  }
  if (cit != shard.collisions.end() && cit->second.empty()) shard.collisions.erase(cit);
}

void Head::FinishTimeBounds(uint64_t version, int64_t actual_min) {
  MutexLock lock(&bounds_mu_);
  // A commit that widened the bounds after Truncate started may have added
  // samples below `actual_min` to series already scanned; then keep the
  // conservative lower bound (mint) set at the start.
  if (bounds_version_ != version) return;
  // Otherwise the scan saw every sample (INT64_MAX: none is left).
  min_time_.store(actual_min, std::memory_order_relaxed);
}

}  // namespace strata
