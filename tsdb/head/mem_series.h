// One series held in the head: its labels (as symbol ids), the open chunk
// being appended to, and the chunks already closed.
//
// Thread safety: `ref`, `labels` are immutable after construction. The
// chunk state, the pending-commit count and the removed mark are guarded by
// the head's stripe lock for this series (Head::StripeFor(ref)); callers hold
// it around every method below except ref(), label_pairs() and wal_logged().
//
// Lifetime: owned by the head's SeriesTable until Head::Truncate removes it;
// then freed once no reader that could have seen it is left (see
// series_reclaimer.h).
#ifndef STRATA_TSDB_HEAD_MEM_SERIES_H_
#define STRATA_TSDB_HEAD_MEM_SERIES_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "tsdb/chunk/xor_chunk.h"
#include "tsdb/head/closed_chunk.h"
#include "tsdb/storage.h"

namespace strata {

class MemSeries {
 public:
  // Samples per chunk before a new one is cut (as Prometheus: ~1 KiB chunks).
  static constexpr uint16_t kSamplesPerChunk = 120;

  // `label_pairs`: name0, value0, name1, value1, … symbol ids sorted by name.
  // The pairs are stored in the same allocation as the series (one malloc per
  // series, not two). Delete the result with `delete`.
  static std::unique_ptr<MemSeries> New(SeriesRef ref, std::span<const uint32_t> label_pairs);
  static void operator delete(void* p) { ::operator delete(p); }

  SeriesRef ref() const { return ref_; }
  std::span<const uint32_t> label_pairs() const {
    return {reinterpret_cast<const uint32_t*>(this + 1), size_t{num_labels_} * 2};
  }

  // Whether a sample at (t, v) can be appended: kNone, kOutOfOrder, or
  // kDuplicate. Sets *is_duplicate for an identical sample (same t, same
  // value bits), which is silently ignored.
  SampleError Appendable(int64_t t, double v, bool* is_duplicate) const;
  // Appends (t, v), cutting a new chunk when the open one is full or `t`
  // crosses a multiple of `chunk_range_ms` past the open chunk's start.
  // Returns false (and changes nothing) if Appendable would refuse it or it
  // is a duplicate.
  bool Append(int64_t t, double v, int64_t chunk_range_ms);

  bool empty() const { return open_.num_samples() == 0; }
  int64_t min_time() const;                            // REQUIRES: !empty()
  int64_t max_time() const { return open_.last_t(); }  // REQUIRES: !empty()

  const std::vector<ChunkRef>& closed() const { return closed_; }
  const XorAppender& open_chunk() const { return open_; }
  size_t num_chunks() const { return closed_.size() + (empty() ? 0 : 1); }
  // Heap bytes held by this series's chunks, excluding the object and labels.
  size_t MemoryBytes() const;

  // Drops every chunk whose samples are all older than `mint`; returns how
  // many. A chunk holding samples on both sides of `mint` is kept whole.
  size_t TruncateBefore(int64_t mint);

  // Appenders holding uncommitted samples for this series. Truncate never
  // removes a series while this is non-zero, so a commit always lands in a
  // live series.
  uint32_t pending_commits() const { return pending_commits_; }
  void AddPendingCommit() { ++pending_commits_; }
  void RemovePendingCommit() { --pending_commits_; }
  // Set by Truncate when it unlinks the series from the head's indexes; a
  // reader that still holds a pointer must not pin or append to it.
  bool removed() const { return removed_; }
  void MarkRemoved() { removed_ = true; }

  // Set once the series record is durable in the WAL (see HeadAppender).
  bool wal_logged() const { return wal_logged_.load(std::memory_order_acquire); }
  void set_wal_logged() { wal_logged_.store(true, std::memory_order_release); }

 private:
  MemSeries(SeriesRef ref, uint16_t num_labels) : ref_(ref), num_labels_(num_labels) {}
  void CutChunk();

  const SeriesRef ref_;
  const uint16_t num_labels_;
  std::atomic<bool> wal_logged_{false};
  bool removed_ = false;
  uint32_t pending_commits_ = 0;
  XorAppender open_;
  std::vector<ChunkRef> closed_;
};

}  // namespace strata

#endif  // STRATA_TSDB_HEAD_MEM_SERIES_H_
