// Head::Truncate: what it drops and keeps, its effect on time bounds and on
// appends, its safety for queriers and appenders that hold series, and WAL
// replay after a checkpoint.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <limits>
#include <map>
#include <memory>
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
  p.Delete(std::vector<SeriesRef>{1, 3, 5}, std::vector<uint32_t>{1, 11, 2, 21, 2, 23, 2, 25});
  EXPECT_TRUE(p.Names().empty());
  p.All(&out);
  EXPECT_TRUE(out.empty());
  p.Add(7, std::vector<uint32_t>{1, 10});
  p.Get(1, 10, &out);
  EXPECT_EQ(out, (PostingsList{7}));
  EXPECT_EQ(p.Values(1), (std::vector<uint32_t>{10}));
}

// --- WAL: truncate, checkpoint, replay. ---

class HeadTruncateWalTest : public ::testing::Test {
 protected:
  HeadTruncateWalTest() : clock_(1'000'000) {}

  // Opens the WAL replaying into a fresh head whose floor is `floor` (the
  // DB passes the max time of its blocks).
  void Open(int64_t floor) {
    head_ = std::make_unique<Head>(Options(&clock_), nullptr);
    if (floor != kMin) head_->Truncate(floor);
    Head* head = head_.get();
    auto w = wal::Wal::Open(
        &fs_, "wal", wal::WalOptions{},
        [head](std::string_view r) { return head->ReplayRecord(r); }, &replay_);
    ASSERT_TRUE(w.ok()) << w.status();
    wal_ = std::move(*w);
    head_->AttachWal(wal_.get());
  }
  void Close() {
    ASSERT_TRUE(wal_->Close().ok());
    wal_.reset();
  }
  void Checkpoint(int64_t mint) {
    absl::StatusOr<uint32_t> next = wal_->NextSegment();
    ASSERT_TRUE(next.ok()) << next.status();
    Head* head = head_.get();
    ASSERT_TRUE(wal_->Checkpoint(
                        *next - 1, [head](uint64_t ref) { return head->HasSeries(ref); }, mint)
                    .ok());
  }
  void Append(std::vector<std::pair<std::string, int64_t>> samples) {
    auto app = head_->NewAppender();
    for (const auto& [job, t] : samples) ASSERT_TRUE(app->Add(Job(job), t, t / 100.0).ok());
    ASSERT_TRUE(app->Commit().ok());
  }
  SeriesRef RefOf(Head& head, std::string_view job) {
    MemSeries* s = head.Find(Job(job), Job(job).Hash());
    return s == nullptr ? 0 : s->ref();
  }
  // Everything the head serves, by series, plus the refs.
  std::map<std::string, std::vector<Sample>> Contents(Head& head) {
    return ReadAll(*head.NewQuerier(kMin, kMax), {});
  }

  MemFileSystem fs_;
  ManualClock clock_;
  std::unique_ptr<Head> head_;
  std::unique_ptr<wal::Wal> wal_;
  wal::ReplayStats replay_;
};

TEST_F(HeadTruncateWalTest, CheckpointThenReplayRebuildsTruncatedHead) {
  Open(kMin);
  for (int64_t t = 0; t < 1500; t += 100) {
    if (t < 1000) Append({{"old", t}, {"both", t}, {"gone", t}});
    if (t >= 1000) Append({{"both", t}, {"new", t}});
  }
  // Queued before the truncation, committed after it and after the
  // checkpoint: logged in the new segment but below the floor, so neither
  // applied now nor on replay. It keeps "old" alive (pinned) meanwhile.
  auto late = head_->NewAppender();
  ASSERT_TRUE(late->Add(Job("old"), 950, 9.5).ok());
  SeriesRef gone = RefOf(*head_, "gone");
  TruncateStats st = head_->Truncate(1000);
  EXPECT_EQ(st.series_removed, 1u);  // gone
  EXPECT_EQ(st.chunks_removed, 3u);
  Checkpoint(1000);
  ASSERT_TRUE(late->Commit().ok());
  late.reset();  // appenders must not outlive their head
  EXPECT_EQ(head_->stats().lost_commit_races, 1u);
  Append({{"both", 1500}, {"new", 1500}, {"fresh", 1500}, {"gone", 1500}});
  std::map<std::string, SeriesRef> refs;
  for (const char* job : {"old", "both", "new", "fresh", "gone"}) refs[job] = RefOf(*head_, job);
  EXPECT_NE(refs["gone"], gone);  // re-created
  auto want = Contents(*head_);
  EXPECT_EQ(want.size(), 4u);  // "old" exists but is empty
  EXPECT_EQ(want[Job("both").ToString()], Samples(1000, 1600));
  uint64_t series = head_->num_series();
  EXPECT_EQ(series, 5u);
  Close();

  Open(1000);
  EXPECT_TRUE(replay_.checkpoint_loaded);
  EXPECT_EQ(Contents(*head_), want);
  EXPECT_EQ(head_->num_series(), series);
  for (const auto& [job, ref] : refs) EXPECT_EQ(RefOf(*head_, job), ref) << job;
  EXPECT_FALSE(head_->HasSeries(gone));
  EXPECT_EQ(head_->stats().wal_replay_unknown_refs, 0u);
  EXPECT_EQ(head_->min_time(), 1000);
  EXPECT_EQ(head_->max_time(), 1500);
}

TEST_F(HeadTruncateWalTest, ReplayWithoutCheckpointMergesRecreatedSeries) {
  Open(kMin);
  for (int64_t t = 0; t < 1500; t += 100) Append({{t < 1000 ? "old" : "new", t}});
  SeriesRef old_ref = RefOf(*head_, "old");
  ASSERT_EQ(head_->Truncate(1000).series_removed, 1u);
  Append({{"old", 1500}});  // re-created under a new ref
  SeriesRef new_ref = RefOf(*head_, "old");
  ASSERT_NE(new_ref, old_ref);
  auto want = Contents(*head_);
  Close();  // a crash before the checkpoint: the log has both series records

  Open(1000);
  EXPECT_EQ(Contents(*head_), want);
  EXPECT_EQ(head_->num_series(), 2u);
  EXPECT_EQ(head_->stats().wal_replay_unknown_refs, 0u);
  // Replay merged both records into the first ref; the checkpoint keeps the
  // second record (and its samples) while that series lives.
  EXPECT_EQ(RefOf(*head_, "old"), old_ref);
  EXPECT_TRUE(head_->HasSeries(new_ref));
  Append({{"old", 1600}});
  Checkpoint(1000);
  want = Contents(*head_);
  Close();

  Open(1000);
  EXPECT_EQ(Contents(*head_), want);
  EXPECT_EQ(want[Job("old").ToString()], (std::vector<Sample>{{1500, 15}, {1600, 16}}));
  // Once the series goes, so does the alias.
  head_->Truncate(2000);
  EXPECT_FALSE(head_->HasSeries(new_ref));
  EXPECT_FALSE(head_->HasSeries(old_ref));
  Close();
}

// --- Concurrency: appenders, queriers and truncations at once. ---

struct Acked {
  std::map<std::string, std::vector<Sample>> samples;  // stable series only
};

// Appends one sample per batch to each of its stable series and to a churn
// series whose label value cycles every 4 s, so GC'd label sets come back.
void AppendLoop(Head* head, int id, std::atomic<int64_t>* now, const std::atomic<bool>* stop,
                Acked* acked) {
  constexpr int kStable = 16;
  std::vector<Labels> stable;
  for (int k = 0; k < kStable; ++k) {
    stable.push_back(
        Labels::FromStrings({"__name__", "m", "app", std::to_string(id), "s", std::to_string(k)}));
  }
  std::vector<SeriesRef> refs(kStable, 0);
  std::vector<std::pair<int, Sample>> batch;
  auto app = head->NewAppender();  // long-lived, reused
  while (!stop->load(std::memory_order_relaxed)) {
    // 10 ms per batch: enough block ranges go by for many truncations
    // even in a slow (sanitizer) build.
    const int64_t t = now->fetch_add(10);
    const double v = static_cast<double>(t);
    batch.clear();
    for (int k = 0; k < kStable; ++k) {
      absl::Status st = refs[k] != 0 ? app->AddFast(refs[k], t, v) : absl::NotFoundError("");
      if (absl::IsNotFound(st)) {
        absl::StatusOr<SeriesRef> ref = app->Add(stable[k], t, v);
        if (ref.ok()) refs[k] = *ref;
        st = ref.status();
      }
      if (st.ok()) {
        batch.push_back({k, {t, v}});
      } else {
        ASSERT_EQ(SampleErrorOf(st), SampleError::kTooOld) << st;
      }
    }
    Labels churn = Labels::FromStrings(
        {"__name__", "churn", "app", std::to_string(id), "c", std::to_string((t / 1000) % 4)});
    absl::Status st = app->Add(churn, t, v).status();
    ASSERT_TRUE(st.ok() || SampleErrorOf(st) == SampleError::kTooOld) << st;
    ASSERT_TRUE(app->Commit().ok());
    for (const auto& [k, s] : batch) acked->samples[stable[k].ToString()].push_back(s);
  }
}

// Reads everything repeatedly, checking each series is time-ordered.
void QueryLoop(Head* head, const std::atomic<bool>* stop, int64_t* reads) {
  const std::vector<Matcher> matchers = {M(MatchType::kRegexMatch, "__name__", "m|churn")};
  while (!stop->load(std::memory_order_relaxed)) {
    auto q = head->NewQuerier(kMin, kMax);
    auto set = q->Select(matchers);
    std::string prev;
    while (set->Next()) {
      std::string key = set->labels().ToString();
      ASSERT_LT(prev, key);
      prev = key;
      auto it = set->Iterator();
      int64_t last = kMin;
      while (it->Next()) {
        ASSERT_GT(it->t(), last) << key;
        ASSERT_EQ(it->v(), static_cast<double>(it->t())) << key;
        last = it->t();
      }
      ASSERT_TRUE(it->status().ok());
    }
    ASSERT_TRUE(q->LabelValues("c", {}).ok());
    if (++*reads % 16 == 0) head->MemoryBytes();
  }
}

// The floor two block ranges behind the newest sample.
int64_t NextMint(const Head& head) {
  int64_t maxt = head.max_time();
  return maxt == kMin ? kMin : (maxt / kRange - 1) * kRange;
}

TEST(HeadTruncateConcurrentTest, AppendersQueriersAndTruncations) {
  ManualClock clock(1'000'000'000);
  Head head(Options(&clock), nullptr);
  std::atomic<int64_t> now{0};
  std::atomic<bool> stop{false};
  Acked acked[2];
  int64_t reads = 0;
  uint64_t truncations = 0;
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back(AppendLoop, &head, i, &now, &stop, &acked[i]);
  }
  threads.emplace_back(QueryLoop, &head, &stop, &reads);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(1000);
  while (std::chrono::steady_clock::now() < deadline) {
    int64_t mint = NextMint(head);
    if (mint > 0) {
      head.Truncate(mint);
      ++truncations;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  stop = true;
  for (auto& t : threads) t.join();
  ASSERT_FALSE(::testing::Test::HasFatalFailure());

  const int64_t mint = NextMint(head);
  ASSERT_GT(mint, 0) << "too few batches: " << now.load();
  head.Truncate(mint);
  HeadStats hs = head.stats();
  EXPECT_GT(truncations, 0u);
  EXPECT_EQ(hs.truncations, truncations + 1);
  EXPECT_GT(hs.series_removed, 0u);
  EXPECT_GT(reads, 0);

  // Index, table and counters agree.
  PostingsList refs;
  head.postings().All(&refs);
  EXPECT_EQ(refs.size(), head.num_series());
  uint64_t chunks = 0;
  int64_t min_t = kMax;
  for (SeriesRef ref : refs) {
    MemSeries* s = head.ByRef(ref);
    ASSERT_NE(s, nullptr) << ref;
    MutexLock lock(head.StripeFor(ref));
    ASSERT_FALSE(s->empty()) << ref;  // nothing pinned: empty ones are gone
    chunks += s->num_chunks();
    min_t = std::min(min_t, s->min_time());
  }
  EXPECT_EQ(hs.chunks, chunks);
  EXPECT_GE(min_t, mint);
  EXPECT_EQ(head.min_time(), min_t);

  // Every acknowledged sample at or above the floor is there, nothing else.
  // (Under load one appender may have fallen behind the floor entirely, so
  // the expected series are those with an acknowledged sample above it.)
  auto all = ReadAll(*head.NewQuerier(kMin, kMax), {M(MatchType::kEqual, "__name__", "m")});
  const size_t got_series = all.size();
  size_t want_series = 0;
  for (const Acked& a : acked) {
    for (const auto& [key, samples] : a.samples) {
      std::vector<Sample> want;
      for (const Sample& s : samples) {
        if (s.t >= mint) want.push_back(s);
      }
      if (!want.empty()) ++want_series;
      EXPECT_EQ(all[key], want) << key;
    }
  }
  EXPECT_GT(want_series, 0u);
  EXPECT_EQ(got_series, want_series);
}

}  // namespace
}  // namespace strata
