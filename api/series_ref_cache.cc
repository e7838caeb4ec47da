#include "api/series_ref_cache.h"

#include <sys/mman.h>

#include <algorithm>
#include <bit>
#include <new>
#include <type_traits>

namespace strata::api {
namespace {

// First table of a shard: small, so an idle cache costs little.
constexpr size_t kInitialCapacity = 16;
// The arena's allocation unit: one transparent huge page on x86-64.
constexpr size_t kRegionBytes = size_t{2} << 20;

// The smallest power of two holding `n` keys at a load factor of at most 3/4.
size_t CapacityFor(size_t n) { return std::bit_ceil(std::max<size_t>(2, n * 4 / 3 + 1)); }

}  // namespace

SeriesRefCache::SeriesRefCache(size_t max_entries)
    : max_per_shard_(std::max<size_t>(1, (max_entries + kShards - 1) / kShards)),
      max_capacity_(CapacityFor(max_per_shard_)),
      shards_(new Shard[kShards]) {}

SeriesRefCache::~SeriesRefCache() {
  // Slot is trivially destructible: the regions are freed as raw memory.
  MutexLock lock(&arena_mu_);
  for (void* r : regions_) ::operator delete (r, std::align_val_t{kRegionBytes});
}

SeriesRefCache::Slot* SeriesRefCache::AllocateSlots(size_t n) {
  static_assert(std::is_trivially_destructible_v<Slot>);
  const size_t bytes = n * sizeof(Slot);
  MutexLock lock(&arena_mu_);
  char* p;
  if (bytes > kRegionBytes / 4) {
    // A large table gets regions of its own.
    const size_t size = (bytes + kRegionBytes - 1) / kRegionBytes * kRegionBytes;
    p = static_cast<char*>(::operator new (size, std::align_val_t{kRegionBytes}));
    madvise(p, size, MADV_HUGEPAGE);  // a hint: failure only costs speed
    regions_.push_back(p);
  } else {
    if (static_cast<size_t>(arena_end_ - arena_next_) < bytes) {
      arena_next_ =
          static_cast<char*>(::operator new (kRegionBytes, std::align_val_t{kRegionBytes}));
      madvise(arena_next_, kRegionBytes, MADV_HUGEPAGE);
      arena_end_ = arena_next_ + kRegionBytes;
      regions_.push_back(arena_next_);
    }
    p = arena_next_;
    arena_next_ += bytes;
  }
  Slot* slots = reinterpret_cast<Slot*>(p);
  for (size_t i = 0; i < n; ++i) new (&slots[i]) Slot();
  return slots;
}

SeriesRefCache::Slot* SeriesRefCache::FindSlot(const Table& t, uint64_t key) {
  // The table always has an empty slot (load <= 3/4), so the probe ends; the
  // bound only guards against a table cleared and refilled under a reader.
  for (size_t i = key & t.mask, n = 0; n <= t.mask; i = (i + 1) & t.mask, ++n) {
    uint64_t k = t.slots[i].key.load(std::memory_order_acquire);
    if (k == key) return &t.slots[i];
    if (k == 0) return nullptr;
  }
  return nullptr;
}

bool SeriesRefCache::Lookup(uint64_t hash, Entry* entry) const {
  const Table* t = ShardOf(hash).table.load(std::memory_order_acquire);
  if (t == nullptr) return false;
  const uint64_t key = KeyOf(hash);
  const Slot* slot = FindSlot(*t, key);
  if (slot == nullptr) return false;
  uint64_t v = slot->value.load(std::memory_order_acquire);
  // Still our key after reading the value: the value was written for it (see
  // the header). Otherwise the slot was cleared (and maybe reused) meanwhile.
  if (slot->key.load(std::memory_order_relaxed) != key) return false;
  *entry = Unpack(v);
  return true;
}

void SeriesRefCache::GrowLocked(Shard& shard, size_t capacity) {
  auto grown = std::make_unique<Table>(Table{capacity - 1, AllocateSlots(capacity)});
  if (const Table* old = shard.table.load(std::memory_order_relaxed)) {
    for (size_t i = 0; i <= old->mask; ++i) {
      uint64_t k = old->slots[i].key.load(std::memory_order_relaxed);
      if (k == 0) continue;
      size_t j = k & grown->mask;
      while (grown->slots[j].key.load(std::memory_order_relaxed) != 0) j = (j + 1) & grown->mask;
      grown->slots[j].value.store(old->slots[i].value.load(std::memory_order_relaxed),
                                  std::memory_order_relaxed);
      grown->slots[j].key.store(k, std::memory_order_relaxed);
    }
  }
  // Published with release: a reader that loads the pointer sees its slots.
  shard.table.store(grown.get(), std::memory_order_release);
  shard.tables.push_back(std::move(grown));
}

void SeriesRefCache::ReserveLocked(Shard& shard) {
  const Table* t = shard.table.load(std::memory_order_relaxed);
  const size_t count = shard.count.load(std::memory_order_relaxed);
  if (count >= max_per_shard_) {
    // Full share: start over. Readers racing with this see misses.
    for (size_t i = 0; i <= t->mask; ++i) t->slots[i].key.store(0, std::memory_order_relaxed);
    shard.count.store(0, std::memory_order_relaxed);
    evictions_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  const size_t capacity = t == nullptr ? 0 : t->mask + 1;
  if ((count + 1) * 4 > capacity * 3) {
    GrowLocked(shard, std::min(max_capacity_, std::max(kInitialCapacity, capacity * 2)));
  }
}

void SeriesRefCache::Insert(uint64_t hash, Entry entry) {
  Shard& shard = ShardOf(hash);
  const uint64_t key = KeyOf(hash);
  const uint64_t value = Pack(entry);
  MutexLock lock(&shard.mu);
  if (const Table* t = shard.table.load(std::memory_order_relaxed)) {
    if (Slot* slot = FindSlot(*t, key)) {
      slot->value.store(value, std::memory_order_release);
      return;
    }
  }
  ReserveLocked(shard);
  const Table& t = *shard.table.load(std::memory_order_relaxed);
  size_t i = key & t.mask;
  while (t.slots[i].key.load(std::memory_order_relaxed) != 0) i = (i + 1) & t.mask;
  // Value first, both with release: a reader that sees the key sees this
  // value, and one that sees this value sees the earlier clear of the slot.
  t.slots[i].value.store(value, std::memory_order_release);
  t.slots[i].key.store(key, std::memory_order_release);
  shard.count.store(shard.count.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

void SeriesRefCache::SetMetadata(uint64_t hash, SeriesRef ref, uint32_t metadata) {
  Shard& shard = ShardOf(hash);
  MutexLock lock(&shard.mu);
  const Table* t = shard.table.load(std::memory_order_relaxed);
  if (t == nullptr) return;
  Slot* slot = FindSlot(*t, KeyOf(hash));
  if (slot == nullptr || Unpack(slot->value.load(std::memory_order_relaxed)).ref != ref) return;
  slot->value.store(Pack({ref, metadata}), std::memory_order_release);
}

uint32_t SeriesRefCache::MetadataFingerprint(uint64_t hash) {
  uint32_t fp = static_cast<uint32_t>(hash >> kRefBits);
  return fp == 0 ? 1 : fp;
}

size_t SeriesRefCache::size() const {
  size_t n = 0;
  for (size_t i = 0; i < kShards; ++i) n += shards_[i].count.load(std::memory_order_relaxed);
  return n;
}

}  // namespace strata::api
