// Head::Truncate: what it drops and keeps, its effect on time bounds and on
// appends, its safety for queriers and appenders that hold series, and WAL
// replay after a checkpoint.
#include <algorithm>
#include <atomic>
#include <limits>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "tests/tsdb/head/head_test_util.h"
#include "tsdb/base/clock.h"
#include "tsdb/base/mem_fs.h"
#include "tsdb/head/head.h"
#include "wal/wal.h"

namespace strata {
namespace {

using testing::M;
using testing::ReadAll;
using testing::Sample;

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kRange = 1000;  // block range: chunks are cut at multiples of it

Labels Job(std::string_view job) { return Labels::FromStrings({"__name__", "up", "job", job}); }

HeadOptions Options(const Clock* clock) {
  HeadOptions o;
  o.block_range_ms = kRange;
  o.clock = clock;
  return o;
}

// Appends, one commit per timestamp (so the too-old window follows the
// data): "old" at [0, 1000), "both" at [0, 2000), "new" at [1000, 2000),
// every 100 ms, value t/100.
void Fill(Head& head) {
  for (int64_t t = 0; t < 2000; t += 100) {
    auto app = head.NewAppender();
    if (t < 1000) {
      ASSERT_TRUE(app->Add(Job("old"), t, t / 100.0).ok());
    }
    ASSERT_TRUE(app->Add(Job("both"), t, t / 100.0).ok());
    if (t >= 1000) {
      ASSERT_TRUE(app->Add(Job("new"), t, t / 100.0).ok());
    }
    ASSERT_TRUE(app->Commit().ok());
  }
}

std::vector<Sample> Samples(int64_t from, int64_t to) {
  std::vector<Sample> out;
  for (int64_t t = from; t < to; t += 100) out.push_back({t, t / 100.0});
  return out;
}

std::vector<std::string> JobValues(Head& head) {
  auto values = head.NewQuerier(kMin, kMax)->LabelValues("job", {});
  EXPECT_TRUE(values.ok()) << values.status();
  return values.ok() ? *values : std::vector<std::string>{};
}

class HeadTruncateTest : public ::testing::Test {
 protected:
  HeadTruncateTest() : clock_(1'000'000), head_(Options(&clock_), nullptr) {}
  ManualClock clock_;
  Head head_;
};

TEST_F(HeadTruncateTest, DropsOldChunksAndEmptySeries) {
  Fill(head_);
  ASSERT_EQ(head_.num_series(), 3u);
  ASSERT_EQ(head_.stats().chunks, 4u);  // old:1, both:2, new:1
  auto all_before = ReadAll(*head_.NewQuerier(kMin, kMax), {});
  // Queued and dropped with its appender, whose pin on the series goes too.
  SeriesRef old_ref = *head_.NewAppender()->Add(Job("old"), 1900, 0);

  TruncateStats st = head_.Truncate(1000);
  EXPECT_EQ(st.chunks_removed, 2u);  // old's chunk and both's first chunk
  EXPECT_EQ(st.series_removed, 1u);  // old
  EXPECT_EQ(head_.num_series(), 2u);
  HeadStats hs = head_.stats();
  EXPECT_EQ(hs.chunks, 2u);
  EXPECT_EQ(hs.series, 2u);
  EXPECT_EQ(hs.series_removed, 1u);
  EXPECT_EQ(hs.chunks_removed, 2u);
  EXPECT_EQ(hs.truncations, 1u);
  EXPECT_EQ(head_.min_time(), 1000);
  EXPECT_EQ(head_.max_time(), 1900);
  EXPECT_EQ(head_.truncated_below(), 1000);
  EXPECT_FALSE(head_.HasSeries(old_ref));
  EXPECT_EQ(head_.ByRef(old_ref), nullptr);

  auto all = ReadAll(*head_.NewQuerier(kMin, kMax), {});
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[Job("both").ToString()], Samples(1000, 2000));
  EXPECT_EQ(all[Job("new").ToString()], all_before[Job("new").ToString()]);
  EXPECT_TRUE(ReadAll(*head_.NewQuerier(kMin, kMax), {M(MatchType::kEqual, "job", "old")}).empty());
  EXPECT_EQ(JobValues(head_), (std::vector<std::string>{"both", "new"}));
  PostingsList refs;
  head_.postings().All(&refs);
  EXPECT_EQ(refs.size(), 2u);
  EXPECT_EQ(std::count(refs.begin(), refs.end(), old_ref), 0);
}

TEST_F(HeadTruncateTest, TooOldBelowMintAfterTruncate) {
  Fill(head_);
  head_.Truncate(1000);
  // max_time - range/2 = 1400 still dominates.
  EXPECT_EQ(head_.MinValidTime(), 1400);
  head_.Truncate(1800);
  EXPECT_EQ(head_.MinValidTime(), 1800);
  EXPECT_EQ(head_.min_time(), 1800);

  auto app = head_.NewAppender();
  absl::StatusOr<SeriesRef> r = app->Add(Job("fresh"), 1799, 1);
  EXPECT_EQ(SampleErrorOf(r.status()), SampleError::kTooOld) << r.status();
  EXPECT_NE(r.status().message().find("minimum valid time 1800"), std::string_view::npos)
      << r.status();
  EXPECT_TRUE(app->Add(Job("fresh"), 1800, 1).ok());
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(head_.stats().too_old, 1u);
  // A lower mint later changes nothing.
  TruncateStats st = head_.Truncate(500);
  EXPECT_EQ(st.chunks_removed, 0u);
  EXPECT_EQ(st.series_removed, 0u);
  EXPECT_EQ(head_.MinValidTime(), 1800);
}

TEST_F(HeadTruncateTest, StraddlingChunkIsKeptWhole) {
  Fill(head_);
  // both's second chunk and new's chunk span [1000, 1900]: both straddle 1500.
  TruncateStats st = head_.Truncate(1500);
  EXPECT_EQ(st.chunks_removed, 2u);
  EXPECT_EQ(st.series_removed, 1u);
  EXPECT_EQ(head_.min_time(), 1500);  // clamped: queries start at mint anyway
  auto all = ReadAll(*head_.NewQuerier(kMin, kMax), {});
  EXPECT_EQ(all[Job("both").ToString()], Samples(1000, 2000));
  auto from_mint = ReadAll(*head_.NewQuerier(head_.min_time(), kMax), {});
  EXPECT_EQ(from_mint[Job("both").ToString()], Samples(1500, 2000));
}

TEST_F(HeadTruncateTest, TruncatingEverythingEmptiesTheHead) {
  Fill(head_);
  TruncateStats st = head_.Truncate(2000);
  EXPECT_EQ(st.chunks_removed, 4u);
  EXPECT_EQ(st.series_removed, 3u);
  EXPECT_EQ(head_.num_series(), 0u);
  EXPECT_EQ(head_.stats().chunks, 0u);
  EXPECT_EQ(head_.min_time(), kMax);
  EXPECT_EQ(head_.max_time(), 1900);  // kept: the too-old window does not fall back
  EXPECT_EQ(head_.MinValidTime(), 2000);
  EXPECT_TRUE(JobValues(head_).empty());
  EXPECT_TRUE(ReadAll(*head_.NewQuerier(kMin, kMax), {}).empty());
  // Appending resumes; min_time follows.
  auto app = head_.NewAppender();
  ASSERT_TRUE(app->Add(Job("again"), 2100, 1).ok());
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(head_.min_time(), 2100);
}

TEST_F(HeadTruncateTest, RecreatedSeriesGetsNewRef) {
  Fill(head_);
  auto app = head_.NewAppender();
  SeriesRef old_ref = *app->Add(Job("old"), 1950, 5);
  app->Rollback();  // releases the pin: the series stays empty above 1000
  head_.Truncate(1000);
  ASSERT_EQ(head_.ByRef(old_ref), nullptr);

  EXPECT_TRUE(absl::IsNotFound(app->AddFast(old_ref, 1950, 5)));
  absl::StatusOr<SeriesRef> ref = app->Add(Job("old"), 1950, 5);
  ASSERT_TRUE(ref.ok()) << ref.status();
  EXPECT_NE(*ref, old_ref);
  EXPECT_TRUE(app->AddFast(*ref, 1960, 6).ok());
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(head_.num_series(), 3u);
  auto all = ReadAll(*head_.NewQuerier(kMin, kMax), {M(MatchType::kEqual, "job", "old")});
  EXPECT_EQ(all[Job("old").ToString()], (std::vector<Sample>{{1950, 5}, {1960, 6}}));
  EXPECT_EQ(JobValues(head_), (std::vector<std::string>{"both", "new", "old"}));
}

TEST_F(HeadTruncateTest, SnapshotSurvivesTruncate) {
  Fill(head_);
  auto q = head_.NewQuerier(kMin, kMax);
  auto set = q->Select({});
  auto late = head_.NewQuerier(kMin, kMax);  // Select only after the truncation
  EXPECT_EQ(head_.Truncate(2000).series_removed, 3u);
  // New series may take the freed memory.
  auto app = head_.NewAppender();
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(app->Add(Job("n" + std::to_string(i)), 2000, i).ok());
  ASSERT_TRUE(app->Commit().ok());

  std::map<std::string, std::vector<Sample>> got;
  while (set->Next()) {
    auto it = set->Iterator();
    auto& samples = got[set->labels().ToString()];
    while (it->Next()) samples.push_back({it->t(), it->v()});
  }
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[Job("old").ToString()], Samples(0, 1000));
  EXPECT_EQ(got[Job("both").ToString()], Samples(0, 2000));
  EXPECT_EQ(got[Job("new").ToString()], Samples(1000, 2000));
  // A querier made before the truncation sees the head as it is now.
  auto now = ReadAll(*late, {M(MatchType::kRegexMatch, "job", "old|both|new")});
  EXPECT_TRUE(now.empty());
  EXPECT_EQ(ReadAll(*late, {}).size(), 10u);
}

TEST_F(HeadTruncateTest, ReadGuardKeepsRemovedSeriesAllocated) {
  Fill(head_);
  SeriesRef ref = head_.Find(Job("old"), Job("old").Hash())->ref();
  Head::ReadGuard guard = head_.EnterReader();
  MemSeries* s = head_.ByRef(ref);
  ASSERT_NE(s, nullptr);
  head_.Truncate(1000);
  EXPECT_EQ(head_.ByRef(ref), nullptr);
  // Still allocated (ASan would flag a read of freed memory).
  EXPECT_EQ(s->ref(), ref);
  EXPECT_EQ(head_.LabelsOf(*s), Job("old"));
  {
    MutexLock lock(head_.StripeFor(ref));
    EXPECT_TRUE(s->removed());
    EXPECT_TRUE(s->empty());
  }
  guard.Reset();  // frees it
}

TEST_F(HeadTruncateTest, PendingCommitKeepsSeriesAndLands) {
  Fill(head_);
  auto app = head_.NewAppender();
  ASSERT_TRUE(app->Add(Job("old"), 1450, 7).ok());  // old has nothing >= 1000 yet
  TruncateStats st = head_.Truncate(1000);
  EXPECT_EQ(st.series_removed, 0u);  // pinned by the batch
  EXPECT_EQ(st.chunks_removed, 2u);
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(head_.stats().lost_commit_races, 0u);
  EXPECT_EQ(head_.Truncate(1000).series_removed, 0u);  // has a sample now
  auto old = ReadAll(*head_.NewQuerier(kMin, kMax), {M(MatchType::kEqual, "job", "old")});
  EXPECT_EQ(old[Job("old").ToString()], (std::vector<Sample>{{1450, 7}}));
}

TEST_F(HeadTruncateTest, CommitBelowNewMintIsDropped) {
  Fill(head_);
  auto app = head_.NewAppender();
  ASSERT_TRUE(app->Add(Job("old"), 1450, 7).ok());
  ASSERT_TRUE(app->Add(Job("new"), 1950, 8).ok());
  EXPECT_EQ(head_.Truncate(1500).series_removed, 0u);
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(head_.stats().lost_commit_races, 1u);  // old's 1450 is below the floor
  EXPECT_EQ(head_.min_time(), 1500);
  auto all = ReadAll(*head_.NewQuerier(1500, kMax), {});
  EXPECT_EQ(all.count(Job("old").ToString()), 0u);
  EXPECT_EQ(all[Job("new").ToString()].back(), (Sample{1950, 8}));
  // Unpinned and empty now: the next truncation removes it.
  EXPECT_EQ(head_.Truncate(1500).series_removed, 1u);
  EXPECT_EQ(JobValues(head_), (std::vector<std::string>{"both", "new"}));
}

TEST_F(HeadTruncateTest, RollbackReleasesPins) {
  Fill(head_);
  auto app = head_.NewAppender();
  ASSERT_TRUE(app->Add(Job("old"), 1450, 7).ok());
  ASSERT_TRUE(app->Add(Job("old"), 1460, 8).ok());  // same series twice: one pin
  app->Rollback();
  EXPECT_EQ(head_.Truncate(1000).series_removed, 1u);
}

TEST_F(HeadTruncateTest, RejectedSampleOfNewSeriesLeavesItRemovable) {
  Fill(head_);
  auto app = head_.NewAppender();
  // Created (pinned) then refused as too old: the pin is dropped at once.
  EXPECT_EQ(SampleErrorOf(app->Add(Job("late"), 100, 1).status()), SampleError::kTooOld);
  EXPECT_EQ(head_.num_series(), 4u);
  EXPECT_EQ(head_.Truncate(1000).series_removed, 2u);  // old and late
  ASSERT_TRUE(app->Commit().ok());
}

TEST(MemPostingsDeleteTest, RewritesOnlyAffectedLists) {
  MemPostings p;
  // Series r carries (1, 10 + r % 2) and (2, 20 + r).
  for (SeriesRef r = 1; r <= 6; ++r) {
    std::vector<uint32_t> pairs = {1, static_cast<uint32_t>(10 + r % 2), 2,
                                   static_cast<uint32_t>(20 + r)};
    p.Add(r, pairs);
  }
  std::vector<SeriesRef> refs = {2, 4, 6};  // every series with (1, 10)
  std::vector<uint32_t> pairs = {1, 10, 2, 22, 1, 10, 2, 24, 1, 10, 2, 26};
  p.Delete(refs, pairs);
  PostingsList out;
  p.All(&out);
  EXPECT_EQ(out, (PostingsList{1, 3, 5}));
  p.Get(1, 10, &out);
  EXPECT_TRUE(out.empty());
  p.Get(1, 11, &out);
  EXPECT_EQ(out, (PostingsList{1, 3, 5}));
  std::vector<uint32_t> v1 = p.Values(1), v2 = p.Values(2);
  std::sort(v2.begin(), v2.end());
  EXPECT_EQ(v1, (std::vector<uint32_t>{11}));
  EXPECT_EQ(v2, (std::vector<uint32_t>{21, 23, 25}));
  // Deleting the rest drops the names too; re-adding works.
  p.Delete(std::vector<SeriesRef>{1, 3, 5},
           std::vector<uint32_t>{1, 11, 2, 21, 2, 23, 2, 25});
  EXPECT_TRUE(p.Names().empty());
  p.All(&out);
  EXPECT_TRUE(out.empty());
  p.Add(7, std::vector<uint32_t>{1, 10});
  p.Get(1, 10, &out);
  EXPECT_EQ(out, (PostingsList{7}));
  EXPECT_EQ(p.Values(1), (std::vector<uint32_t>{10}));
}

}  // namespace
}  // namespace strata
