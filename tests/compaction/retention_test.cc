#include "compaction/retention.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace strata::compaction {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr int64_t kH = 3600 * 1000;

BlockUsage Block(std::string ulid, int64_t min_h, int64_t max_h, uint64_t size) {
  BlockUsage b;
  b.meta.ulid = std::move(ulid);
  b.meta.min_time = min_h * kH;
  b.meta.max_time = max_h * kH;
  b.size_bytes = size;
  return b;
}

TEST(RetentionTest, NoLimitsKeepEverything) {
  std::vector<BlockUsage> blocks = {Block("a", 0, 2, 100), Block("b", 2, 4, 100)};
  RetentionDecision d = PlanRetention(blocks, 100 * kH, 0, {});
  EXPECT_THAT(d.by_time, IsEmpty());
  EXPECT_THAT(d.by_size, IsEmpty());
}

TEST(RetentionTest, TimeDeletesBlocksEntirelyOlderThanTheLimit) {
  std::vector<BlockUsage> blocks = {Block("c", 4, 6, 1), Block("a", 0, 2, 1), Block("b", 2, 4, 1)};
  RetentionPolicy p;
  p.time_ms = 3 * kH;
  // Newest sample at 7h: the cutoff is 4h; a ends at 2h, b at 4h (its last
  // possible sample is before the cutoff), c reaches 6h and stays.
  RetentionDecision d = PlanRetention(blocks, 7 * kH, 0, p);
  EXPECT_THAT(d.by_time, ElementsAre("a", "b"));
  EXPECT_THAT(d.by_size, IsEmpty());
}

TEST(RetentionTest, SizeDeletesOldestUntilTheTotalFits) {
  std::vector<BlockUsage> blocks = {Block("a", 0, 2, 400), Block("b", 2, 4, 300),
                                    Block("c", 4, 6, 200)};
  RetentionPolicy p;
  p.size_bytes = 600;
  // 900 + 50 of WAL > 600: a goes (550 fits).
  RetentionDecision d = PlanRetention(blocks, 6 * kH, 50, p);
  EXPECT_THAT(d.by_size, ElementsAre("a"));
  p.size_bytes = 100;
  d = PlanRetention(blocks, 6 * kH, 50, p);
  EXPECT_THAT(d.by_size, ElementsAre("a", "b"));  // the newest block stays
}

TEST(RetentionTest, SizeCountsOnlyBlocksKeptByTime) {
  std::vector<BlockUsage> blocks = {Block("a", 0, 2, 1000), Block("b", 2, 4, 300),
                                    Block("c", 4, 6, 200)};
  RetentionPolicy p;
  p.time_ms = 3 * kH;
  p.size_bytes = 600;
  RetentionDecision d = PlanRetention(blocks, 6 * kH, 0, p);
  EXPECT_THAT(d.by_time, ElementsAre("a"));
  EXPECT_THAT(d.by_size, IsEmpty());
}

}  // namespace
}  // namespace strata::compaction
