// Tests of strata-querybench's parts whose mistakes would silently skew the
// benchmark: the dataset's invariants (counters only reset, buckets
// cumulative, timestamps never where queries are evaluated), the
// OpenMetrics timestamp round trip through promtool's arithmetic, and the
// answer comparison.
#include <cmath>
#include <cstdlib>
#include <set>
#include <string>

#include "bench/querybench/compare.h"
#include "bench/querybench/dataset.h"
#include "bench/querybench/openmetrics.h"
#include "bench/querybench/suite.h"
#include "gtest/gtest.h"

namespace strata::querybench {
namespace {

constexpr int64_t kEnd = 1'795'778'075'000;

Dataset SmallDataset() { return Dataset(DatasetOptions{8, kEnd, 6 * 3600 * 1000, 15'000, 1}); }

std::string Name(const LabelPairs& labels) {
  for (const auto& [name, value] : labels) {
    if (name == "__name__") return value;
  }
  return "";
}

TEST(DatasetTest, SeriesAreDistinctAndSorted) {
  Dataset d = SmallDataset();
  std::set<LabelPairs> seen;
  for (int64_t i = 0; i < d.num_series(); ++i) {
    LabelPairs labels = d.Labels(i);
    EXPECT_TRUE(std::is_sorted(labels.begin(), labels.end()));
    EXPECT_TRUE(seen.insert(labels).second) << i;
  }
}

TEST(DatasetTest, TimestampsIncreaseAndAvoidQueryTimes) {
  Dataset d = SmallDataset();
  for (int t = 0; t < d.targets(); ++t) {
    int64_t prev = d.start_ms();
    for (int k = 0; k < d.scrapes(); ++k) {
      const int64_t ts = d.Timestamp(t, k);
      ASSERT_GT(ts, prev);
      ASSERT_LT(ts, d.end_ms());
      ASSERT_NE(((ts % 10) + 10) % 10, 5) << ts;
      prev = ts;
    }
  }
  for (const Query& q : DashboardSuite(d)) {
    for (int64_t t : {q.time_ms, q.start_ms, q.end_ms}) {
      if (t != 0) {
        EXPECT_EQ(t % 10, 5) << q.name;
      }
    }
    if (q.range) {
      EXPECT_EQ(q.step_ms % 10, 0) << q.name;
    }
  }
}

TEST(DatasetTest, CountersOnlyGrowOrReset) {
  Dataset d = SmallDataset();
  int resets = 0;
  for (int64_t i = 0; i < d.num_series(); ++i) {
    const std::string name = Name(d.Labels(i));
    const bool counter = name.ends_with("_total") || name.ends_with("_bucket") ||
                         name.ends_with("_count") || name.ends_with("_sum");
    if (!counter) continue;
    for (int k = 1; k < d.scrapes(); ++k) {
      const double prev = d.Value(i, k - 1), cur = d.Value(i, k);
      if (cur < prev) {
        ++resets;
        EXPECT_LT(cur, prev / 2) << name << " dips instead of resetting";
      }
    }
  }
  EXPECT_GT(resets, 0) << "some targets should restart";
}

TEST(DatasetTest, BucketsAreCumulative) {
  Dataset d = SmallDataset();
  for (int t = 0; t < d.targets(); ++t) {
    for (int k = 0; k < d.scrapes(); k += 97) {
      double prev = -1;
      double count = 0;
      for (int j = 0; j < Dataset::kSeriesPerTarget; ++j) {
        const int64_t i = int64_t{t} * Dataset::kSeriesPerTarget + j;
        const std::string name = Name(d.Labels(i));
        if (name == "http_request_duration_seconds_bucket") {
          EXPECT_GE(d.Value(i, k), prev);
          prev = d.Value(i, k);
        } else if (name == "http_request_duration_seconds_count") {
          count = d.Value(i, k);
          EXPECT_EQ(prev, count) << "+Inf bucket equals _count";
          prev = -1;
        }
      }
      EXPECT_GT(count, 0);
    }
  }
}

TEST(OpenMetricsTest, TimestampsSurvivePromtoolArithmetic) {
  // promtool keeps int64(float seconds * 1000), truncating.
  for (int64_t ms = kEnd - 100'000; ms < kEnd; ++ms) {
    std::string s;
    AppendTimestamp(ms, &s);
    ASSERT_EQ(static_cast<int64_t>(std::strtod(s.c_str(), nullptr) * 1000), ms) << s;
  }
}

constexpr char kVectorA[] = R"({"status":"success","data":{"resultType":"vector","result":[
  {"metric":{"a":"1"},"value":[10.005,"1.5"]},{"metric":{"a":"2"},"value":[10.005,"NaN"]}]}})";
// The same series in the other order, one value off by less than 1e-6.
constexpr char kVectorB[] = R"({"status":"success","data":{"resultType":"vector","result":[
  {"metric":{"a":"2"},"value":[10.005,"NaN"]},
  {"metric":{"a":"1"},"value":[10.005,"1.5000001"]}]}})";

TEST(CompareTest, EqualDespiteOrderAndRounding) {
  Comparison c = CompareAnswers(kVectorA, kVectorB, "x", "y", Tolerance{});
  EXPECT_TRUE(c.equal) << c.difference;
  AnswerSummary s = Summarize(kVectorA);
  EXPECT_TRUE(s.success);
  EXPECT_EQ(s.series, 2u);
}

TEST(CompareTest, ReportsValueAndSeriesDifferences) {
  constexpr char kOff[] = R"({"status":"success","data":{"resultType":"vector","result":[
    {"metric":{"a":"1"},"value":[10.005,"1.6"]},{"metric":{"a":"3"},"value":[10.005,"1"]}]}})";
  Comparison c = CompareAnswers(kVectorA, kOff, "x", "y", Tolerance{});
  EXPECT_FALSE(c.equal);
  EXPECT_NE(c.difference.find("1 series only in x"), std::string::npos) << c.difference;
  EXPECT_NE(c.difference.find("1 series only in y"), std::string::npos) << c.difference;
  EXPECT_NE(c.difference.find("1 values differ"), std::string::npos) << c.difference;
}

TEST(CompareTest, ReportsTimestampsAndErrors) {
  constexpr char kMatrixA[] = R"({"status":"success","data":{"resultType":"matrix","result":[
    {"metric":{},"values":[[1,"1"],[2,"2"]]}]}})";
  constexpr char kMatrixB[] = R"({"status":"success","data":{"resultType":"matrix","result":[
    {"metric":{},"values":[[1,"1"]]}]}})";
  constexpr char kError[] = R"({"status":"error","errorType":"bad_data","error":"parse error"})";
  EXPECT_NE(CompareAnswers(kMatrixA, kMatrixB, "x", "y", Tolerance{}).difference.find("timestamps"),
            std::string::npos);
  Comparison c = CompareAnswers(kMatrixA, kError, "x", "y", Tolerance{});
  EXPECT_FALSE(c.equal);
  EXPECT_NE(c.difference.find("bad_data: parse error"), std::string::npos) << c.difference;
  EXPECT_FALSE(CompareAnswers(kVectorA, kMatrixA, "x", "y", Tolerance{}).equal);
  EXPECT_FALSE(CompareAnswers("not json", kMatrixA, "x", "y", Tolerance{}).equal);
}

}  // namespace
}  // namespace strata::querybench
