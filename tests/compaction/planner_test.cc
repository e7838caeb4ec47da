#include "compaction/planner.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace strata::compaction {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr int64_t kH = 3600 * 1000;

block::BlockMeta Meta(std::string ulid, int64_t min_h, int64_t max_h, int level = 1) {
  block::BlockMeta m;
  m.ulid = std::move(ulid);
  m.min_time = min_h * kH;
  m.max_time = max_h * kH;
  m.level = level;
  return m;
}

TEST(BlockRangesTest, DefaultLevelsAreBoundedByRetention) {
  EXPECT_THAT(BlockRanges(2 * kH, 0), ElementsAre(2 * kH, 6 * kH, 24 * kH, 72 * kH, 168 * kH));
  // 15 days of retention: blocks up to 1.5 days.
  EXPECT_THAT(BlockRanges(2 * kH, 15 * 24 * kH), ElementsAre(2 * kH, 6 * kH, 24 * kH));
  // A retention shorter than ten base ranges: no merging at all.
  EXPECT_THAT(BlockRanges(2 * kH, 10 * kH), ElementsAre(2 * kH));
}

TEST(PlannerTest, NothingToDoWithFewBlocks) {
  const auto ranges = BlockRanges(2 * kH, 0);
  std::vector<block::BlockMeta> metas;
  EXPECT_THAT(PlanCompaction(metas, ranges).ulids, IsEmpty());
  metas = {Meta("a", 0, 2), Meta("b", 2, 4)};
  EXPECT_THAT(PlanCompaction(metas, ranges).ulids, IsEmpty());
}

TEST(PlannerTest, MergesAFullWindowOnceANewerBlockExists) {
  const auto ranges = BlockRanges(2 * kH, 0);
  // The newest block ("c") is left out; a and b alone do not fill [0h, 6h)
  // and no block starts at or after 6h yet.
  std::vector<block::BlockMeta> metas = {Meta("a", 0, 2), Meta("b", 2, 4), Meta("c", 4, 6)};
  EXPECT_THAT(PlanCompaction(metas, ranges).ulids, IsEmpty());
  metas.push_back(Meta("d", 6, 8));
  Plan p = PlanCompaction(metas, ranges);
  EXPECT_THAT(p.ulids, ElementsAre("a", "b", "c"));
  EXPECT_FALSE(p.overlapping);
}

TEST(PlannerTest, MergesAPartialWindowWhenNewerDataStartedAfterIt) {
  const auto ranges = BlockRanges(2 * kH, 0);
  // A gap at [2h, 4h): the 6h window is closed because "d" starts at 8h.
  std::vector<block::BlockMeta> metas = {Meta("a", 0, 2), Meta("c", 4, 6), Meta("d", 8, 10)};
  EXPECT_THAT(PlanCompaction(metas, ranges).ulids, ElementsAre("a", "c"));
}

TEST(PlannerTest, HigherLevelsMergeOnceTheLowerOnesAreDone) {
  const auto ranges = BlockRanges(2 * kH, 0);
  std::vector<block::BlockMeta> metas = {Meta("a", 0, 6, 2), Meta("b", 6, 12, 2),
                                         Meta("c", 12, 18, 2), Meta("d", 18, 24, 2),
                                         Meta("e", 24, 26)};
  EXPECT_THAT(PlanCompaction(metas, ranges).ulids, ElementsAre("a", "b", "c", "d"));
  // The smallest level goes first.
  metas.push_back(Meta("f", 26, 28));
  metas.push_back(Meta("g", 28, 30));
  metas.push_back(Meta("h", 30, 32));
  EXPECT_THAT(PlanCompaction(metas, ranges).ulids, ElementsAre("e", "f", "g"));
}

TEST(PlannerTest, ALoneLevelOneBlockIsRewrittenOnceItsWindowCloses) {
  const auto ranges = BlockRanges(2 * kH, 0);
  // "a" is alone in [0h, 6h); while "b" (the newest) is in the same window,
  // the window may still fill.
  std::vector<block::BlockMeta> metas = {Meta("a", 0, 2), Meta("b", 2, 4)};
  EXPECT_THAT(PlanCompaction(metas, ranges).ulids, IsEmpty());
  // "b" starts after the window: closed.
  metas = {Meta("a", 0, 2), Meta("b", 8, 10)};
  Plan p = PlanCompaction(metas, ranges);
  EXPECT_THAT(p.ulids, ElementsAre("a"));
  EXPECT_FALSE(p.overlapping);
  // The newest is never planned, even alone in a window.
  metas = {Meta("b", 8, 10)};
  EXPECT_THAT(PlanCompaction(metas, ranges).ulids, IsEmpty());
  // Rewritten (level 2), it is left alone in the 24h window: no loop.
  metas = {Meta("a2", 0, 2, 2), Meta("b", 8, 10, 2), Meta("x", 30, 32)};
  EXPECT_THAT(PlanCompaction(metas, ranges).ulids, ElementsAre("a2", "b"));
  metas = {Meta("ab", 0, 10, 3), Meta("y", 48, 50)};
  EXPECT_THAT(PlanCompaction(metas, ranges).ulids, IsEmpty());
}

TEST(PlannerTest, BlocksLargerThanTheWindowAreSkipped) {
  const auto ranges = BlockRanges(2 * kH, 0);
  std::vector<block::BlockMeta> metas = {Meta("big", 0, 24), Meta("a", 24, 26), Meta("b", 26, 28),
                                         Meta("c", 28, 30), Meta("d", 30, 32)};
  EXPECT_THAT(PlanCompaction(metas, ranges).ulids, ElementsAre("a", "b", "c"));
}

TEST(PlannerTest, OverlappingBlocksComeFirstAsOneCluster) {
  const auto ranges = BlockRanges(2 * kH, 0);
  // x overlaps a; y overlaps x (so a, x, y are one cluster); c is apart.
  std::vector<block::BlockMeta> metas = {Meta("c", 10, 12), Meta("y", 3, 5), Meta("a", 0, 2),
                                         Meta("x", 1, 4)};
  Plan p = PlanCompaction(metas, ranges);
  EXPECT_THAT(p.ulids, ElementsAre("a", "x", "y"));
  EXPECT_TRUE(p.overlapping);
}

TEST(PlannerTest, TouchingBlocksDoNotOverlap) {
  // max_time is exclusive: [0, 2) and [2, 4) share no timestamp.
  const auto ranges = BlockRanges(2 * kH, 0);
  std::vector<block::BlockMeta> metas = {Meta("a", 0, 2), Meta("b", 2, 4)};
  EXPECT_FALSE(PlanCompaction(metas, ranges).overlapping);
  EXPECT_THAT(PlanCompaction(metas, ranges).ulids, IsEmpty());
}

TEST(PlannerTest, NegativeTimesAlignToFloorWindows) {
  const auto ranges = BlockRanges(2 * kH, 0);
  std::vector<block::BlockMeta> metas = {Meta("a", -6, -4), Meta("b", -4, -2), Meta("c", -2, 0),
                                         Meta("d", 0, 2)};
  EXPECT_THAT(PlanCompaction(metas, ranges).ulids, ElementsAre("a", "b", "c"));
}

}  // namespace
}  // namespace strata::compaction
