// A table from dense series refs to series, indexed directly: refs are
// assigned consecutively, so a two-level array costs 8 bytes per series (no
// hash-map slack) and lookups take no lock.
//
// Thread safety: Get is lock-free and safe concurrently with Set and Remove.
// Set and Remove for different refs may run concurrently; for the same ref
// they must not.
// Ownership: the table owns the series it holds; Remove hands a series back
// to the caller, who must keep it alive while readers may still hold a
// pointer from an earlier Get (see series_reclaimer.h).
#ifndef STRATA_TSDB_HEAD_SERIES_TABLE_H_
#define STRATA_TSDB_HEAD_SERIES_TABLE_H_

#include <atomic>
#include <cstdint>
#include <memory>

#include "tsdb/base/mutex.h"
#include "tsdb/head/mem_series.h"

namespace strata {

class SeriesTable {
 public:
  // Refs below 2^34 (17 billion series creations in a head's lifetime).
  // The top-level array costs 2 MiB.
  static constexpr int kBlockBits = 16;
  static constexpr uint64_t kBlockSize = uint64_t{1} << kBlockBits;
  static constexpr uint64_t kMaxBlocks = uint64_t{1} << 18;

  SeriesTable();
  ~SeriesTable();
  SeriesTable(const SeriesTable&) = delete;
  SeriesTable& operator=(const SeriesTable&) = delete;

  // The series with `ref`, or null.
  MemSeries* Get(SeriesRef ref) const {
    uint64_t block = ref >> kBlockBits;
    if (block >= kMaxBlocks) return nullptr;
    Block* b = blocks_[block].load(std::memory_order_acquire);
    if (b == nullptr) return nullptr;
    return b->slots[ref & (kBlockSize - 1)].load(std::memory_order_acquire);
  }
  // Stores `series` under its ref. REQUIRES: the slot is empty and
  // series->ref() < kBlockSize * kMaxBlocks.
  void Set(std::unique_ptr<MemSeries> series);
  // Clears the slot of `ref` and returns what it held (null if empty).
  std::unique_ptr<MemSeries> Remove(SeriesRef ref);

  // Calls fn(MemSeries&) for every series, in ref order. Series added or
  // removed concurrently may or may not be visited; a removed series that is
  // visited must still be alive (the caller holds a reclaimer guard).
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    const uint64_t n = num_blocks_.load(std::memory_order_acquire);
    for (uint64_t b = 0; b < n; ++b) {
      Block* block = blocks_[b].load(std::memory_order_acquire);
      if (block == nullptr) continue;
      for (const auto& slot : block->slots) {
        if (MemSeries* s = slot.load(std::memory_order_acquire)) fn(*s);
      }
    }
  }
  // Bytes held by the table itself (not the series).
  size_t MemoryBytes() const;

 private:
  struct Block {
    std::atomic<MemSeries*> slots[kBlockSize] = {};
  };

  std::unique_ptr<std::atomic<Block*>[]> blocks_;
  std::atomic<uint64_t> num_blocks_{0};  // 1 + highest allocated block
  Mutex grow_mu_;                        // serialises block allocation
};

}  // namespace strata

#endif  // STRATA_TSDB_HEAD_SERIES_TABLE_H_
