// SeriesRefCache: the remote-write ingestion fast path's map from a hash of a
// series' labels, as a request carries them, to the head series they name.
//
// Most remote-write samples belong to series seen in earlier requests. The
// decoder hashes each series' label bytes without building a label set; a hit
// here gives a candidate ref, which the caller MUST verify against the head
// series' labels before use (hashes can collide, and a ref's series may have
// been removed from the head). Only a miss pays for building, validating and
// looking up a Labels value.
//
// Each entry also remembers a fingerprint of the metric metadata last applied
// through it, so per-series metadata (remote write 2.0 sends it with every
// series) is written to the head only when it changes.
//
// Bounded: entries live in kShards shards of at most max_entries / kShards
// each; a shard that would grow past its share is cleared first (counted in
// evictions()). Clearing is coarse but cheap, and a cleared entry costs one
// slow-path lookup on its next use.
//
// Structure: each shard is an open-addressing table (linear probing) of
// 16-byte slots, a key word and a value word, both atomics. Lookups take no
// lock and write nothing shared, so concurrent requests do not contend on a
// cache line (the reader-writer lock this replaced was a quarter of the
// ingestion CPU profile). Writers (Insert, SetMetadata: misses and metadata
// changes, rare once series are known) serialise on a per-shard mutex.
//
// Why a racing reader is safe: a slot's key only ever changes from empty to a
// hash (insert) and from a hash to empty (clear). An insert stores the value
// (release) before the key (release); a reader loads the key (acquire), the
// value (acquire), then the key again, and accepts the value only when both
// key loads saw its hash. A value written for another key after a clear is
// ordered after that clear's empty store, so the second key load cannot see
// the old hash any more. The worst a race produces is a miss, or the ref of a
// series that was cached under this hash earlier: both are what the caller's
// verification exists for (a stale ref is rejected by the head and the caller
// falls back to a lookup).
//
// Growth: a shard's table starts small and doubles (up to what its share
// needs at a load factor of 3/4) by copying into a new table published with
// a release store. Readers may still be probing the old one, so old tables
// are kept until the cache is destroyed; they add up to less than the live
// table (geometric sizes). Memory: the live table holds 16-byte slots at a
// load of 3/8 to 3/4, old tables as much again, so 43 to 85 bytes per cached
// series; slots come from 2 MiB regions (at least one per cache).
//
// Thread safety: all methods are safe for concurrent use.
#ifndef STRATA_API_SERIES_REF_CACHE_H_
#define STRATA_API_SERIES_REF_CACHE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "tsdb/base/mutex.h"
#include "tsdb/storage.h"

namespace strata::api {

class SeriesRefCache {
 public:
  static constexpr size_t kShards = 64;

  struct Entry {
    SeriesRef ref = 0;
    // Fingerprint of the metadata last applied for this series; 0 for none.
    uint32_t metadata = 0;
  };

  // `max_entries` is rounded up to a multiple of kShards (at least one entry
  // per shard).
  explicit SeriesRefCache(size_t max_entries);
  ~SeriesRefCache();
  SeriesRefCache(const SeriesRefCache&) = delete;
  SeriesRefCache& operator=(const SeriesRefCache&) = delete;

  // True and *entry set when `hash` is cached. Lock-free.
  bool Lookup(uint64_t hash, Entry* entry) const;
  // Starts loading the slot where Lookup(hash) begins probing, so a lookup
  // issued a little later does not stall on memory: the table is indexed by
  // hash, so every lookup is a cache miss otherwise. Lock-free; no effect on
  // the contents.
  void Prefetch(uint64_t hash) const {
    const Table* t = ShardOf(hash).table.load(std::memory_order_acquire);
    if (t != nullptr) __builtin_prefetch(&t->slots[KeyOf(hash) & t->mask]);
  }
  // Maps `hash` to `entry`, replacing what it mapped to.
  // REQUIRES: entry.ref < 2^34 (Head::kMaxRef).
  void Insert(uint64_t hash, Entry entry);
  // Sets the metadata fingerprint of `hash` if it still maps to `ref`.
  void SetMetadata(uint64_t hash, SeriesRef ref, uint32_t metadata);
  // Reduces a 64-bit metadata hash to a non-zero fingerprint that fits an entry.
  static uint32_t MetadataFingerprint(uint64_t hash);

  size_t size() const;
  uint64_t evictions() const { return evictions_.load(std::memory_order_relaxed); }

 private:
  // An entry packs the ref (34 bits) and the metadata fingerprint (30 bits)
  // into one word, so a slot is 16 bytes.
  static constexpr int kRefBits = 34;
  static uint64_t Pack(Entry e) { return e.ref | uint64_t{e.metadata} << kRefBits; }
  static Entry Unpack(uint64_t v) {
    return {v & ((uint64_t{1} << kRefBits) - 1), static_cast<uint32_t>(v >> kRefBits)};
  }
  // Key 0 marks an empty slot; hash 0 is stored as 1 (sharing its slot
  // chain is harmless: hits are verified).
  static uint64_t KeyOf(uint64_t hash) { return hash == 0 ? 1 : hash; }

  struct Slot {
    std::atomic<uint64_t> key{0};
    std::atomic<uint64_t> value{0};
  };
  struct Table {
    size_t mask;  // capacity - 1; capacity is a power of two
    Slot* slots;  // in the cache's slot arena
  };

  struct alignas(64) Shard {
    std::atomic<const Table*> table{nullptr};  // the live table; null until the first Insert
    std::atomic<size_t> count{0};              // keys in the live table; written under mu
    Mutex mu;
    // Every table the shard had, the live one last; old ones stay allocated
    // for readers that may still probe them.
    std::vector<std::unique_ptr<Table>> tables ABSL_GUARDED_BY(mu);
  };
  // The shard of `hash`: its top bits, independent of the low bits the
  // shard's table probes from.
  Shard& ShardOf(uint64_t hash) const { return shards_[hash >> 58]; }
  static_assert(kShards == 64, "ShardOf takes the top 6 bits");

  // The slot holding `key` in `t`, or null. Lock-free.
  static Slot* FindSlot(const Table& t, uint64_t key);
  // Makes room for one more key in `shard` (grows or clears its table).
  void ReserveLocked(Shard& shard) ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard.mu);
  void GrowLocked(Shard& shard, size_t capacity) ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard.mu);

  // Zeroed slots from the arena: bump-allocated from 2 MiB regions that ask
  // for transparent huge pages. Lookups land on random slots of every table;
  // with 4 KiB pages each one also missed the TLB, and the page walk stalled
  // even a prefetch. Slots are never freed before the cache (old tables are
  // kept anyway, see above).
  Slot* AllocateSlots(size_t n);

  const size_t max_per_shard_;
  const size_t max_capacity_;  // per shard table: a power of two > max_per_shard_ * 4/3
  std::unique_ptr<Shard[]> shards_;
  std::atomic<uint64_t> evictions_{0};
  Mutex arena_mu_;
  std::vector<void*> regions_ ABSL_GUARDED_BY(arena_mu_);
  char* arena_next_ ABSL_GUARDED_BY(arena_mu_) = nullptr;
  char* arena_end_ ABSL_GUARDED_BY(arena_mu_) = nullptr;
};

}  // namespace strata::api

#endif  // STRATA_API_SERIES_REF_CACHE_H_
