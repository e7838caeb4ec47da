#include "api/series_ref_cache.h"

#include <algorithm>

namespace strata::api {

SeriesRefCache::SeriesRefCache(size_t max_entries)
    : max_per_shard_(std::max<size_t>(1, (max_entries + kShards - 1) / kShards)),
      shards_(new Shard[kShards]) {}

SeriesRefCache::~SeriesRefCache() = default;

bool SeriesRefCache::Lookup(uint64_t hash, Entry* entry) const {
  Shard& shard = ShardOf(hash);
  ReaderLock lock(&shard.mu);
  auto it = shard.map.find(hash);
  if (it == shard.map.end()) return false;
  *entry = Unpack(it->second);
  return true;
}

void SeriesRefCache::Insert(uint64_t hash, Entry entry) {
  Shard& shard = ShardOf(hash);
  WriterLock lock(&shard.mu);
  if (shard.map.size() >= max_per_shard_ && !shard.map.contains(hash)) {
    shard.map.clear();
    evictions_.fetch_add(1, std::memory_order_relaxed);
  }
  shard.map.insert_or_assign(hash, Pack(entry));
}

void SeriesRefCache::SetMetadata(uint64_t hash, SeriesRef ref, uint32_t metadata) {
  Shard& shard = ShardOf(hash);
  WriterLock lock(&shard.mu);
  auto it = shard.map.find(hash);
  if (it == shard.map.end() || Unpack(it->second).ref != ref) return;
  it->second = Pack({ref, metadata});
}

uint32_t SeriesRefCache::MetadataFingerprint(uint64_t hash) {
  uint32_t fp = static_cast<uint32_t>(hash >> kRefBits);
  return fp == 0 ? 1 : fp;
}

size_t SeriesRefCache::size() const {
  size_t n = 0;
  for (size_t i = 0; i < kShards; ++i) {
    ReaderLock lock(&shards_[i].mu);
    n += shards_[i].map.size();
  }
  return n;
}

}  // namespace strata::api
