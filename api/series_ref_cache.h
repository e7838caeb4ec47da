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
// evictions()). Clearing is coarse but cheap, keeps memory at about 16 bytes
// per entry plus hash-table slack, and a cleared entry costs one slow-path
// lookup on its next use.
//
// Thread safety: all methods are safe for concurrent use (a reader-writer lock
// per shard; lookups take it shared).
#ifndef STRATA_API_SERIES_REF_CACHE_H_
#define STRATA_API_SERIES_REF_CACHE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/container/flat_hash_map.h"
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

  // True and *entry set when `hash` is cached.
  bool Lookup(uint64_t hash, Entry* entry) const;
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

  struct alignas(64) Shard {
    mutable SharedMutex mu;
    absl::flat_hash_map<uint64_t, uint64_t> map ABSL_GUARDED_BY(mu);
  };
  // The shard of `hash`: its top bits, independent of the bits the shard's
  // table uses.
  Shard& ShardOf(uint64_t hash) const { return shards_[hash >> 58]; }
  static_assert(kShards == 64, "ShardOf takes the top 6 bits");

  const size_t max_per_shard_;
  std::unique_ptr<Shard[]> shards_;
  std::atomic<uint64_t> evictions_{0};
};

}  // namespace strata::api

#endif  // STRATA_API_SERIES_REF_CACHE_H_
