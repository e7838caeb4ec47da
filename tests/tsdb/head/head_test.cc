#include "tsdb/head/head.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <thread>
#include <utility>

#include "gtest/gtest.h"
#include "tests/read_batch_check.h"
#include "tests/tsdb/head/head_test_util.h"

namespace strata {
namespace {

using testing::M;
using testing::ReadAll;
using testing::Sample;

constexpr int64_t kNow = 1'700'000'000'000;
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

class HeadTest : public ::testing::Test {
 protected:
  HeadTest() : clock_(kNow), head_(Options(), nullptr) {}
  HeadOptions Options() {
    HeadOptions o;
    o.clock = &clock_;
    return o;
  }
  ManualClock clock_;
  Head head_;
};

Labels Up(std::string_view job, std::string_view instance = "a") {
  return Labels::FromStrings({"__name__", "up", "job", job, "instance", instance});
}

TEST_F(HeadTest, AppendCommitQuery) {
  auto app = head_.NewAppender();
  ASSERT_TRUE(app->Add(Up("x"), kNow - 2000, 1).ok());
  ASSERT_TRUE(app->Add(Up("x"), kNow - 1000, 2).ok());
  ASSERT_TRUE(app->Add(Up("y"), kNow - 1000, 3).ok());
  // Not visible before commit.
  EXPECT_TRUE(ReadAll(*head_.NewQuerier(kMin, kMax), {}).empty());
  ASSERT_TRUE(app->Commit().ok());

  auto all = ReadAll(*head_.NewQuerier(kMin, kMax), {M(MatchType::kEqual, "__name__", "up")});
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[Up("x").ToString()], (std::vector<Sample>{{kNow - 2000, 1}, {kNow - 1000, 2}}));
  EXPECT_EQ(all[Up("y").ToString()], (std::vector<Sample>{{kNow - 1000, 3}}));
  EXPECT_EQ(head_.num_series(), 2u);
  EXPECT_EQ(head_.min_time(), kNow - 2000);
  EXPECT_EQ(head_.max_time(), kNow - 1000);
  EXPECT_EQ(head_.stats().samples_appended, 3u);
}

TEST_F(HeadTest, RollbackDropsPendingSamples) {
  auto app = head_.NewAppender();
  ASSERT_TRUE(app->Add(Up("x"), kNow, 1).ok());
  EXPECT_EQ(app->pending(), 1u);
  app->Rollback();
  EXPECT_EQ(app->pending(), 0u);
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_TRUE(ReadAll(*head_.NewQuerier(kMin, kMax), {}).empty());
  EXPECT_EQ(head_.stats().samples_appended, 0u);
}

TEST_F(HeadTest, AddFastByRef) {
  auto app = head_.NewAppender();
  auto ref = app->Add(Up("x"), kNow - 10, 1);
  ASSERT_TRUE(ref.ok());
  ASSERT_TRUE(app->AddFast(*ref, kNow - 5, 2).ok());
  EXPECT_EQ(app->AddFast(*ref + 1000, kNow, 3).code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(app->Commit().ok());
  auto all = ReadAll(*head_.NewQuerier(kMin, kMax), {});
  EXPECT_EQ(all[Up("x").ToString()], (std::vector<Sample>{{kNow - 10, 1}, {kNow - 5, 2}}));
}

TEST_F(HeadTest, SampleRulesAsPrometheus) {
  {
    auto app = head_.NewAppender();
    ASSERT_TRUE(app->Add(Up("x"), kNow - 1000, 1).ok());
    ASSERT_TRUE(app->Commit().ok());
  }
  auto app = head_.NewAppender();
  // Same timestamp, same value: ignored, not an error.
  EXPECT_TRUE(app->Add(Up("x"), kNow - 1000, 1).ok());
  // Same timestamp, different value.
  auto dup = app->Add(Up("x"), kNow - 1000, 2);
  EXPECT_EQ(SampleErrorOf(dup.status()), SampleError::kDuplicate);
  EXPECT_NE(dup.status().message().find("job=\"x\""), std::string::npos) << dup.status();
  // Older than the newest sample.
  auto ooo = app->Add(Up("x"), kNow - 2000, 1);
  EXPECT_EQ(SampleErrorOf(ooo.status()), SampleError::kOutOfOrder);
  // More than 10 minutes ahead of the clock.
  auto future = app->Add(Up("x"), kNow + 10 * 60 * 1000 + 1, 1);
  EXPECT_EQ(SampleErrorOf(future.status()), SampleError::kTooFarInFuture);
  EXPECT_TRUE(app->Add(Up("x"), kNow + 10 * 60 * 1000, 1).ok());
  // Too old: before max time - block_range/2 (max is now the queued sample?
  // no: max time moves on commit only).
  int64_t too_old = head_.MinValidTime() - 1;
  auto old = app->Add(Up("z"), too_old, 1);
  EXPECT_EQ(SampleErrorOf(old.status()), SampleError::kTooOld);
  // Within the batch, order is checked against queued samples too.
  EXPECT_TRUE(app->Add(Up("y"), kNow - 500, 1).ok());
  EXPECT_EQ(SampleErrorOf(app->Add(Up("y"), kNow - 600, 1).status()), SampleError::kOutOfOrder);
  EXPECT_EQ(SampleErrorOf(app->Add(Up("y"), kNow - 500, 7).status()), SampleError::kDuplicate);
  EXPECT_TRUE(app->Add(Up("y"), kNow - 500, 1).ok());  // identical: ignored
  // The valid samples of the batch still commit.
  ASSERT_TRUE(app->Commit().ok());
  auto all = ReadAll(*head_.NewQuerier(kMin, kMax), {});
  EXPECT_EQ(all[Up("x").ToString()],
            (std::vector<Sample>{{kNow - 1000, 1}, {kNow + 10 * 60 * 1000, 1}}));
  EXPECT_EQ(all[Up("y").ToString()], (std::vector<Sample>{{kNow - 500, 1}}));
  EXPECT_EQ(all.count(Up("z").ToString()), 0u);

  HeadStats s = head_.stats();
  EXPECT_EQ(s.duplicate_conflicts, 2u);
  EXPECT_EQ(s.out_of_order, 2u);
  EXPECT_EQ(s.too_far_in_future, 1u);
  EXPECT_EQ(s.too_old, 1u);
  EXPECT_EQ(s.duplicates_ignored, 2u);
}

TEST_F(HeadTest, TooOldIsRelativeToHeadMaxTime) {
  const int64_t range = Options().block_range_ms;
  auto app = head_.NewAppender();
  ASSERT_TRUE(app->Add(Up("x"), kNow, 1).ok());
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(head_.MinValidTime(), kNow - range / 2);
  // Another series may still write anything within the window.
  EXPECT_TRUE(app->Add(Up("y"), kNow - range / 2, 1).ok());
  EXPECT_EQ(SampleErrorOf(app->Add(Up("w"), kNow - range / 2 - 1, 1).status()),
            SampleError::kTooOld);
}

TEST_F(HeadTest, InvalidLabelsAreRefused) {
  auto app = head_.NewAppender();
  auto empty = app->Add(Labels(), kNow, 1);
  EXPECT_EQ(SampleErrorOf(empty.status()), SampleError::kInvalidLabels);
  auto dup_names =
      app->Add(Labels::FromUnsorted({{"__name__", "a"}, {"x", "1"}, {"x", "2"}}), kNow, 1);
  EXPECT_EQ(SampleErrorOf(dup_names.status()), SampleError::kInvalidLabels);
  auto bad_utf8 = app->Add(Labels::FromStrings({"__name__", "a", "x", "\xff\xfe"}), kNow, 1);
  EXPECT_EQ(SampleErrorOf(bad_utf8.status()), SampleError::kInvalidLabels);
  EXPECT_EQ(head_.num_series(), 0u);
}

TEST_F(HeadTest, BitExactSpecialValues) {
  const uint64_t patterns[] = {0x7ff0000000000002ull /* stale marker */,
                               0x7ff8000000000001ull,
                               0xfff8000000000000ull,
                               0x7ff0000000000000ull,
                               0xfff0000000000000ull,
                               0x8000000000000000ull,
                               1ull};
  auto app = head_.NewAppender();
  int64_t t = kNow - 100000;
  std::vector<Sample> want;
  for (uint64_t bits : patterns) {
    double v;
    std::memcpy(&v, &bits, sizeof v);
    ASSERT_TRUE(app->Add(Up("x"), t, v).ok());
    want.push_back({t, v});
    t += 1000;
  }
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(ReadAll(*head_.NewQuerier(kMin, kMax), {})[Up("x").ToString()], want);
}

TEST_F(HeadTest, ChunksAreCutAndQueriesSpanThem) {
  auto app = head_.NewAppender();
  std::vector<Sample> want;
  const int64_t start = kNow - 1000 * 1000;
  for (int i = 0; i < 1000; ++i) {
    int64_t t = start + i * 1000;
    ASSERT_TRUE(app->Add(Up("x"), t, i * 0.5).ok());
    want.push_back({t, i * 0.5});
  }
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_GE(head_.stats().chunks, 1000u / MemSeries::kSamplesPerChunk);
  EXPECT_EQ(ReadAll(*head_.NewQuerier(kMin, kMax), {})[Up("x").ToString()], want);

  // A window selects exactly the samples inside it, inclusive.
  auto q = head_.NewQuerier(start + 150 * 1000, start + 400 * 1000);
  auto got = ReadAll(*q, {})[Up("x").ToString()];
  EXPECT_EQ(got, std::vector<Sample>(want.begin() + 150, want.begin() + 401));

  // Seek across chunk boundaries.
  auto set = head_.NewQuerier(kMin, kMax)->Select({});
  ASSERT_TRUE(set->Next());
  auto it = set->Iterator();
  ASSERT_TRUE(it->Seek(start + 500 * 1000 + 1));
  EXPECT_EQ(it->t(), start + 501 * 1000);
  ASSERT_TRUE(it->Seek(start + 10));  // never moves backwards
  EXPECT_EQ(it->t(), start + 501 * 1000);
  ASSERT_TRUE(it->Next());
  EXPECT_EQ(it->t(), start + 502 * 1000);
  EXPECT_FALSE(it->Seek(start + 2000 * 1000));
  EXPECT_FALSE(it->Next());
}

TEST_F(HeadTest, ReadBatchMatchesNextAcrossChunks) {
  auto app = head_.NewAppender();
  const int64_t start = kNow - 1000 * 1000;
  for (int i = 0; i < 1000; ++i) {
    const double v = i % 13 == 0 ? std::nan("") : i * 0.25;
    ASSERT_TRUE(app->Add(Up("x"), start + i * 1000 + i % 3, v).ok());
  }
  ASSERT_TRUE(app->Commit().ok());
  // The whole series, and a window that starts and ends inside chunks.
  for (auto [mint, maxt] : {std::pair{kMin, kMax}, std::pair{start + 150'500, start + 800'100}}) {
    auto q = head_.NewQuerier(mint, maxt);
    testing::CheckReadBatchMatchesNext(
        [&] {
          auto set = q->Select({});
          EXPECT_TRUE(set->Next());
          return set->Iterator();
        },
        /*seed=*/static_cast<uint64_t>(mint) ^ static_cast<uint64_t>(maxt));
  }
}

TEST_F(HeadTest, ChunksAreCutAtBlockRangeBoundaries) {
  const int64_t range = Options().block_range_ms;
  const int64_t boundary = (kNow / range) * range;
  auto app = head_.NewAppender();
  ASSERT_TRUE(app->Add(Up("x"), boundary - 1, 1).ok());
  ASSERT_TRUE(app->Add(Up("x"), boundary, 2).ok());
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(head_.stats().chunks, 2u);
}

TEST_F(HeadTest, MatcherSemantics) {
  auto app = head_.NewAppender();
  auto add = [&](Labels l) { ASSERT_TRUE(app->Add(l, kNow, 1).ok()); };
  add(Labels::FromStrings({"__name__", "m", "a", "1"}));
  add(Labels::FromStrings({"__name__", "m", "a", "2", "b", "x"}));
  add(Labels::FromStrings({"__name__", "m", "b", "y"}));
  add(Labels::FromStrings({"__name__", "n", "a", "1"}));
  ASSERT_TRUE(app->Commit().ok());
  auto q = head_.NewQuerier(kMin, kMax);
  auto count = [&](std::vector<Matcher> ms) { return ReadAll(*q, ms).size(); };
  using MT = MatchType;
  EXPECT_EQ(count({M(MT::kEqual, "__name__", "m")}), 3u);
  EXPECT_EQ(count({M(MT::kEqual, "__name__", "m"), M(MT::kEqual, "a", "1")}), 1u);
  // {a=""} selects series without a.
  EXPECT_EQ(count({M(MT::kEqual, "__name__", "m"), M(MT::kEqual, "a", "")}), 1u);
  // {a!=""} selects series that have a.
  EXPECT_EQ(count({M(MT::kEqual, "__name__", "m"), M(MT::kNotEqual, "a", "")}), 2u);
  // != keeps series without the label.
  EXPECT_EQ(count({M(MT::kEqual, "__name__", "m"), M(MT::kNotEqual, "a", "1")}), 2u);
  EXPECT_EQ(count({M(MT::kRegexMatch, "a", "1|2")}), 3u);
  EXPECT_EQ(count({M(MT::kRegexMatch, "a", "[12]")}), 3u);
  EXPECT_EQ(count({M(MT::kEqual, "__name__", "m"), M(MT::kRegexNoMatch, "a", "1")}), 2u);
  EXPECT_EQ(count({M(MT::kEqual, "__name__", "m"), M(MT::kRegexMatch, "b", ".*")}), 3u);
  EXPECT_EQ(count({M(MT::kEqual, "__name__", "m"), M(MT::kRegexMatch, "b", ".+")}), 2u);
  EXPECT_EQ(count({M(MT::kRegexMatch, "__name__", "m|n"), M(MT::kRegexMatch, "a", "")}), 1u);
  EXPECT_EQ(count({M(MT::kEqual, "nope", "x")}), 0u);
  EXPECT_EQ(count({M(MT::kEqual, "__name__", "m"), M(MT::kEqual, "nope", "")}), 3u);
  EXPECT_EQ(count({M(MT::kEqual, "__name__", "zzz")}), 0u);
  EXPECT_EQ(count({}), 4u);

  EXPECT_EQ(*q->LabelValues("a", {}), (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(*q->LabelValues("a", std::vector{M(MT::kEqual, "__name__", "n")}),
            std::vector<std::string>{"1"});
  EXPECT_EQ(*q->LabelNames({}), (std::vector<std::string>{"__name__", "a", "b"}));
  EXPECT_EQ(*q->LabelNames(std::vector{M(MT::kEqual, "__name__", "n")}),
            (std::vector<std::string>{"__name__", "a"}));
}

TEST_F(HeadTest, SelectReturnsSeriesSortedByLabels) {
  auto app = head_.NewAppender();
  for (std::string_view job : {"c", "a", "d", "b"}) ASSERT_TRUE(app->Add(Up(job), kNow, 1).ok());
  ASSERT_TRUE(app->Commit().ok());
  auto set = head_.NewQuerier(kMin, kMax)->Select({});
  std::vector<std::string> jobs;
  while (set->Next()) jobs.emplace_back(set->labels().Get("job"));
  EXPECT_EQ(jobs, (std::vector<std::string>{"a", "b", "c", "d"}));
}

TEST_F(HeadTest, ConcurrentSeriesCreationYieldsOneSeries) {
  constexpr int kThreads = 4, kSeries = 500;
  std::vector<std::thread> threads;
  // refs[thread][series]: the ref each thread was given for each series.
  std::vector<std::vector<SeriesRef>> refs(kThreads, std::vector<SeriesRef>(kSeries));
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      auto app = head_.NewAppender();
      for (int s = 0; s < kSeries; ++s) {
        // Same timestamp and value everywhere: later ones are duplicates.
        auto ref = app->Add(Up("x", std::to_string(s)), kNow, 1);
        ASSERT_TRUE(ref.ok()) << ref.status();
        refs[i][s] = *ref;
      }
      ASSERT_TRUE(app->Commit().ok());
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(head_.num_series(), size_t{kSeries});
  for (int s = 0; s < kSeries; ++s) {
    for (int i = 1; i < kThreads; ++i) ASSERT_EQ(refs[i][s], refs[0][s]) << "series " << s;
  }
  auto all = ReadAll(*head_.NewQuerier(kMin, kMax), {});
  ASSERT_EQ(all.size(), size_t{kSeries});
  for (const auto& [series, samples] : all) EXPECT_EQ(samples, (std::vector<Sample>{{kNow, 1}}));
}

TEST_F(HeadTest, ConcurrentAppendersAndQueriers) {
  constexpr int kWriters = 3, kSeriesPerWriter = 200, kRounds = 50;
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      auto app = head_.NewAppender();
      for (int r = 0; r < kRounds; ++r) {
        for (int s = 0; s < kSeriesPerWriter; ++s) {
          ASSERT_TRUE(
              app->Add(Up(std::to_string(w), std::to_string(s)), kNow - kRounds + r, r).ok());
        }
        ASSERT_TRUE(app->Commit().ok());
      }
    });
  }
  threads.emplace_back([&] {
    while (!stop.load()) {
      auto q = head_.NewQuerier(kMin, kMax);
      auto set = q->Select(std::vector{M(MatchType::kEqual, "__name__", "up")});
      while (set->Next()) {
        auto it = set->Iterator();
        int64_t prev = kMin;
        while (it->Next()) {
          ASSERT_GT(it->t(), prev);
          prev = it->t();
        }
        ASSERT_TRUE(it->status().ok());
      }
    }
  });
  for (int w = 0; w < kWriters; ++w) threads[w].join();
  stop = true;
  threads.back().join();
  auto all = ReadAll(*head_.NewQuerier(kMin, kMax), {});
  ASSERT_EQ(all.size(), size_t{kWriters * kSeriesPerWriter});
  for (const auto& [series, samples] : all) EXPECT_EQ(samples.size(), size_t{kRounds}) << series;
}

}  // namespace
}  // namespace strata
