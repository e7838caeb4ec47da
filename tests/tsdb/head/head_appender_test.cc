// HeadAppender's batching: several samples per series in one batch, pins
// released by Commit (with each series' last sample) or by a failed commit,
// and appenders racing a truncation that removes their cached refs.
#include "tsdb/head/head_appender.h"

#include <atomic>
#include <limits>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "tests/tsdb/head/head_test_util.h"
#include "tsdb/base/clock.h"
#include "tsdb/head/head.h"

namespace strata {
namespace {

using testing::M;
using testing::ReadAll;
using testing::Sample;

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kRange = 1000;

Labels Job(std::string_view job) { return Labels::FromStrings({"__name__", "up", "job", job}); }

HeadOptions Options(const Clock* clock) {
  HeadOptions o;
  o.block_range_ms = kRange;
  o.clock = clock;
  return o;
}

class HeadAppenderTest : public ::testing::Test {
 protected:
  ManualClock clock_{1'000'000};
  Head head_{Options(&clock_), nullptr};
};

TEST_F(HeadAppenderTest, InterleavedSeriesInOneBatchLandInOrderAndUnpin) {
  auto app = head_.NewAppender();
  absl::StatusOr<SeriesRef> a = app->Add(Job("a"), 100, 1);
  absl::StatusOr<SeriesRef> b = app->Add(Job("b"), 100, 10);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE(app->AddFast(*a, 200, 2).ok());
  ASSERT_TRUE(app->Add(Job("a"), 300, 3).ok());  // by labels, already in the batch
  ASSERT_TRUE(app->AddFast(*b, 200, 20).ok());
  ASSERT_TRUE(app->AddFast(*a, 300, 3).ok());  // identical: ignored
  EXPECT_EQ(SampleErrorOf(app->AddFast(*a, 250, 9)), SampleError::kOutOfOrder);
  EXPECT_EQ(SampleErrorOf(app->AddFast(*b, 200, 21)), SampleError::kDuplicate);
  EXPECT_EQ(app->pending(), 5u);
  ASSERT_TRUE(app->Commit().ok());

  auto all = ReadAll(*head_.NewQuerier(kMin, kMax), {M(MatchType::kEqual, "__name__", "up")});
  EXPECT_EQ(all[Job("a").ToString()], (std::vector<Sample>{{100, 1}, {200, 2}, {300, 3}}));
  EXPECT_EQ(all[Job("b").ToString()], (std::vector<Sample>{{100, 10}, {200, 20}}));
  HeadStats stats = head_.stats();
  EXPECT_EQ(stats.samples_appended, 5u);
  EXPECT_EQ(stats.duplicates_ignored, 1u);
  EXPECT_EQ(stats.out_of_order, 1u);
  EXPECT_EQ(stats.duplicate_conflicts, 1u);

  // Commit released exactly one pin per series: both are removable, and a
  // second release (a double unpin) would have left them pinned forever.
  EXPECT_EQ(head_.Truncate(1000).series_removed, 2u);
  EXPECT_EQ(head_.num_series(), 0u);
  // The appender is reusable, and its old refs are now unknown.
  EXPECT_TRUE(absl::IsNotFound(app->AddFast(*a, 1100, 1)));
  ASSERT_TRUE(app->Add(Job("a"), 1100, 1).ok());
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(head_.num_series(), 1u);
}

TEST_F(HeadAppenderTest, SeriesInTheBatchStayPinnedUntilCommit) {
  auto app = head_.NewAppender();
  ASSERT_TRUE(app->Add(Job("a"), 100, 1).ok());
  ASSERT_TRUE(app->Commit().ok());
  ASSERT_TRUE(app->Add(Job("a"), 900, 2).ok());
  ASSERT_TRUE(app->Add(Job("a"), 950, 3).ok());
  // Everything is below 1000, but the batch pins the series.
  EXPECT_EQ(head_.Truncate(1000).series_removed, 0u);
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(head_.stats().lost_commit_races, 2u);  // below the new floor
  EXPECT_EQ(head_.Truncate(1000).series_removed, 1u);
}

// Appenders reuse cached refs (AddFast, falling back to Add on NotFound)
// while another thread truncates everything but the newest block range. Each
// writer alternates between two generations of series every 3 block ranges,
// so a generation's series are removed while idle and their cached refs go
// stale before they come back. Every acknowledged sample at or above the
// final floor must be readable afterwards in its series, and nothing else.
TEST(HeadAppenderConcurrentTest, CachedRefsRacingTruncation) {
  ManualClock clock(1'000'000'000);
  Head head(Options(&clock), nullptr);
  std::atomic<int64_t> now{0};
  std::atomic<bool> stop{false};
  constexpr int kSeries = 8;
  auto labels = [](int w, int gen, int k) {
    return Labels::FromStrings({"__name__", "m", "gen", std::to_string(gen), "k", std::to_string(k),
                                "w", std::to_string(w)});
  };
  std::map<std::string, std::vector<Sample>> acked[2];
  std::vector<std::thread> writers;
  for (int w = 0; w < 2; ++w) {
    writers.emplace_back([&, w] {
      auto app = head.NewAppender();
      SeriesRef refs[2][kSeries] = {};
      std::vector<std::pair<std::string, Sample>> batch;
      for (int round = 0; round < 1500; ++round) {
        const int64_t t = now.fetch_add(7);
        const int gen = static_cast<int>(t / (3 * kRange)) % 2;
        batch.clear();
        for (int k = 0; k < kSeries; ++k) {
          // Two samples per series per batch, the second through AddFast.
          for (int64_t dt : {0, 3}) {
            SeriesRef& ref = refs[gen][k];
            const Sample sample{t + dt, 1.0 * (t + dt)};
            absl::Status st =
                ref != 0 ? app->AddFast(ref, sample.t, sample.v) : absl::NotFoundError("");
            if (absl::IsNotFound(st)) {
              absl::StatusOr<SeriesRef> added = app->Add(labels(w, gen, k), sample.t, sample.v);
              if (added.ok()) ref = *added;
              st = added.status();
            }
            if (st.ok()) {
              batch.push_back({labels(w, gen, k).ToString(), sample});
            } else {
              ASSERT_EQ(SampleErrorOf(st), SampleError::kTooOld) << st;
            }
          }
        }
        ASSERT_TRUE(app->Commit().ok());
        for (const auto& [key, s] : batch) acked[w][key].push_back(s);
      }
    });
  }
  std::thread truncator([&] {
    while (!stop.load(std::memory_order_relaxed)) {
      int64_t maxt = head.max_time();
      if (maxt != kMin) head.Truncate((maxt / kRange - 1) * kRange);
      std::this_thread::yield();
    }
  });
  for (auto& t : writers) t.join();
  stop = true;
  truncator.join();
  head.Truncate((head.max_time() / kRange - 1) * kRange);

  // Commits racing a truncation may lose samples below the floor (counted as
  // lost commit races); everything at or above it must be there.
  const int64_t floor = head.truncated_below();
  auto above = [floor](const std::vector<Sample>& samples) {
    std::vector<Sample> out;
    for (const Sample& s : samples) {
      if (s.t >= floor) out.push_back(s);
    }
    return out;
  };
  auto all = ReadAll(*head.NewQuerier(floor, kMax), {M(MatchType::kEqual, "__name__", "m")});
  std::map<std::string, std::vector<Sample>> want;
  for (int w = 0; w < 2; ++w) {
    for (const auto& [key, samples] : acked[w]) {
      if (std::vector<Sample> a = above(samples); !a.empty()) want[key] = a;
    }
  }
  std::map<std::string, std::vector<Sample>> got;
  for (const auto& [key, samples] : all) {
    if (std::vector<Sample> a = above(samples); !a.empty()) got[key] = a;
  }
  EXPECT_EQ(got, want);
  EXPECT_FALSE(want.empty());
  // Both generations were removed at least once while idle.
  EXPECT_GE(head.stats().series_removed, 2u * kSeries);
}

}  // namespace
}  // namespace strata
