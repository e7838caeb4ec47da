// SeriesRefCache: growth, eviction, reserved keys, and lock-free readers
// racing writers (run under TSan as part of api_test).
#include "api/series_ref_cache.h"

#include <atomic>
#include <random>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace strata::testing {
namespace {

using api::SeriesRefCache;

// The value every writer in these tests stores for `hash`, so a reader can
// tell a value that belongs to another key.
SeriesRefCache::Entry ValueFor(uint64_t hash) {
  return {(hash % ((SeriesRef{1} << 34) - 1)) + 1, static_cast<uint32_t>(hash >> 40)};
}

TEST(SeriesRefCacheTest, GrowsWithoutLosingEntries) {
  SeriesRefCache cache(1 << 16);
  std::mt19937_64 rng(7);
  std::vector<uint64_t> keys(40000);
  for (uint64_t& k : keys) {
    k = rng();
    cache.Insert(k, ValueFor(k));
  }
  EXPECT_EQ(cache.size(), keys.size());
  EXPECT_EQ(cache.evictions(), 0u);
  for (uint64_t k : keys) {
    SeriesRefCache::Entry e;
    ASSERT_TRUE(cache.Lookup(k, &e)) << k;
    EXPECT_EQ(e.ref, ValueFor(k).ref);
    EXPECT_EQ(e.metadata, ValueFor(k).metadata);
  }
  SeriesRefCache::Entry e;
  EXPECT_FALSE(cache.Lookup(12345, &e));
}

TEST(SeriesRefCacheTest, ReplacesAndKeepsCount) {
  SeriesRefCache cache(1000);
  cache.Insert(5, {1, 0});
  cache.Insert(5, {2, 3});
  EXPECT_EQ(cache.size(), 1u);
  SeriesRefCache::Entry e;
  ASSERT_TRUE(cache.Lookup(5, &e));
  EXPECT_EQ(e.ref, 2u);
  EXPECT_EQ(e.metadata, 3u);
}

TEST(SeriesRefCacheTest, HashZeroIsAnOrdinaryKey) {
  // 0 marks empty slots inside the table; a zero hash must still work, and
  // share nothing visible with hash 1 beyond what verification handles.
  SeriesRefCache cache(1000);
  SeriesRefCache::Entry e;
  EXPECT_FALSE(cache.Lookup(0, &e));
  cache.Insert(0, {9, 0});
  ASSERT_TRUE(cache.Lookup(0, &e));
  EXPECT_EQ(e.ref, 9u);
  cache.SetMetadata(0, 9, 4);
  ASSERT_TRUE(cache.Lookup(0, &e));
  EXPECT_EQ(e.metadata, 4u);
}

TEST(SeriesRefCacheTest, FullShardIsClearedThenRefilled) {
  // One entry per shard: a second key in a shard clears it.
  SeriesRefCache cache(SeriesRefCache::kShards);
  const uint64_t a = 1, b = 2;  // both in shard 0 (top bits zero)
  cache.Insert(a, {10, 0});
  cache.Insert(a, {11, 0});  // same key: replaced in place, no eviction
  EXPECT_EQ(cache.evictions(), 0u);
  cache.Insert(b, {20, 0});
  EXPECT_EQ(cache.evictions(), 1u);
  EXPECT_EQ(cache.size(), 1u);
  SeriesRefCache::Entry e;
  EXPECT_FALSE(cache.Lookup(a, &e));
  ASSERT_TRUE(cache.Lookup(b, &e));
  EXPECT_EQ(e.ref, 20u);
}

// Readers race writers that insert, update metadata, grow tables and clear
// full shards. Every value a writer stores for a key is ValueFor(key) (or
// that with a metadata update derived from the key), so any hit that is not
// is a torn or misattributed read.
TEST(SeriesRefCacheConcurrentTest, ReadersNeverSeeAnotherKeysValue) {
  SeriesRefCache cache(4096);  // small: shards clear often
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> hits{0};
  auto key_of = [](uint64_t i) {
    // Spread over every shard (top bits) and probe position (low bits).
    return (i * 0x9E3779B97F4A7C15ull) | 1;
  };
  std::vector<std::thread> threads;
  for (int w = 0; w < 2; ++w) {
    threads.emplace_back([&, w] {
      std::mt19937_64 rng(w);
      for (int n = 0; n < 100000; ++n) {
        uint64_t k = key_of(rng() % 20000);
        SeriesRefCache::Entry v = ValueFor(k);
        if (n % 7 == 0) {
          cache.SetMetadata(k, v.ref, v.metadata ^ 1);
        } else {
          cache.Insert(k, v);
        }
      }
    });
  }
  for (int r = 0; r < 2; ++r) {
    threads.emplace_back([&, r] {
      std::mt19937_64 rng(100 + r);
      uint64_t local = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        uint64_t k = key_of(rng() % 20000);
        SeriesRefCache::Entry e;
        if (!cache.Lookup(k, &e)) continue;
        ++local;
        SeriesRefCache::Entry want = ValueFor(k);
        ASSERT_EQ(e.ref, want.ref) << k;
        ASSERT_TRUE(e.metadata == want.metadata || e.metadata == (want.metadata ^ 1)) << k;
      }
      hits.fetch_add(local);
    });
  }
  threads[0].join();
  threads[1].join();
  stop = true;
  threads[2].join();
  threads[3].join();
  EXPECT_GT(hits.load(), 0u);
  EXPECT_GT(cache.evictions(), 0u);
  EXPECT_LE(cache.size(), 4096u);
}

}  // namespace
}  // namespace strata::testing
