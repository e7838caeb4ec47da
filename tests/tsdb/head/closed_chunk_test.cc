#include "tsdb/head/closed_chunk.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <thread>
#include <utility>
#include <vector>

namespace strata {
namespace {

TEST(ClosedChunkTest, HoldsItsTimesAndACopyOfTheBytes) {
  std::vector<uint8_t> bytes = {0, 3, 1, 2, 3, 4, 5};
  ChunkRef c = ClosedChunk::Make(1000, 2000, bytes);
  bytes[2] = 99;  // the chunk owns a copy
  ASSERT_TRUE(c);
  EXPECT_EQ(c->min_time, 1000);
  EXPECT_EQ(c->max_time, 2000);
  EXPECT_EQ(std::vector<uint8_t>(c->bytes().begin(), c->bytes().end()),
            (std::vector<uint8_t>{0, 3, 1, 2, 3, 4, 5}));
  EXPECT_EQ(c->MemoryBytes(), sizeof(ClosedChunk) + 7);
}

TEST(ClosedChunkTest, EmptyBytes) {
  ChunkRef c = ClosedChunk::Make(5, 5, {});
  EXPECT_TRUE(c->bytes().empty());
}

TEST(ClosedChunkTest, CopiesShareMovesTransfer) {
  const std::vector<uint8_t> bytes(300, 7);
  ChunkRef a = ClosedChunk::Make(1, 2, bytes);
  ChunkRef b = a;
  EXPECT_EQ(a.get(), b.get());
  ChunkRef c = std::move(a);
  EXPECT_FALSE(a);  // NOLINT(bugprone-use-after-move): moved-from is null by contract
  EXPECT_EQ(c.get(), b.get());
  a = c;  // assignment shares too
  EXPECT_EQ(a.get(), c.get());
  a = ChunkRef();  // dropping one owner keeps the chunk for the others
  b = ChunkRef();
  EXPECT_EQ(c->bytes().size(), 300u);
  EXPECT_EQ(c->bytes()[299], 7);
  // The last owner frees it here; ASan's leak check fails the binary if not.
}

// Owners copied and dropped from several threads at once: every reader sees
// the bytes until its own reference goes (TSan checks the ordering).
TEST(ClosedChunkTest, ConcurrentOwners) {
  const std::vector<uint8_t> bytes(1000, 42);
  for (int round = 0; round < 20; ++round) {
    ChunkRef shared = ClosedChunk::Make(0, 1, bytes);
    std::vector<ChunkRef> refs(4, shared);
    shared = ChunkRef();
    std::vector<std::thread> threads;
    std::vector<int> sums(4, 0);
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t, mine = std::move(refs[t])]() mutable {
        for (int i = 0; i < 100; ++i) {
          ChunkRef copy = mine;
          sums[t] += copy->bytes()[static_cast<size_t>(i)];
        }
        mine = ChunkRef();
      });
    }
    for (std::thread& th : threads) th.join();
    for (int s : sums) EXPECT_EQ(s, 4200);
  }
}

}  // namespace
}  // namespace strata
