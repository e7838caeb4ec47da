// Tests of strata-querybench's parts whose mistakes would silently skew the
// benchmark: the dataset's invariants (counters only reset, buckets
// cumulative, timestamps never where queries are evaluated), the
// OpenMetrics timestamp round trip through promtool's arithmetic, the
// answer comparison, and saved runs (round trip, the reference that decides
// `compare`'s outcome, bad input).
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "bench/querybench/compare.h"
#include "bench/querybench/dataset.h"
#include "bench/querybench/openmetrics.h"
#include "bench/querybench/report.h"
#include "bench/querybench/runner.h"
#include "bench/querybench/saved_run.h"
#include "bench/querybench/suite.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

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
      for (int j = 0; j < d.series_per_target(); ++j) {
        const int64_t i = int64_t{t} * d.series_per_target() + j;
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

Dataset NodeDataset(double churn_share = 0) {
  DatasetOptions options{3, kEnd, 2 * 3600 * 1000, 15'000, 1};
  options.profile = Profile::kNode;
  options.churn_share = churn_share;
  options.churn_every_ms = churn_share > 0 ? 10 * 60'000 : 0;
  return Dataset(options);
}

TEST(DatasetTest, NodeProfileHasAThousandDistinctSeriesPerTarget) {
  Dataset d = NodeDataset();
  EXPECT_EQ(d.series_per_target(), 1000);
  EXPECT_EQ(d.num_series(), 3000);
  EXPECT_EQ(d.total_series(), 3000);
  std::set<LabelPairs> seen;
  std::set<std::string> names;
  for (int64_t i = 0; i < d.num_series(); ++i) {
    LabelPairs labels = d.Labels(i);
    EXPECT_TRUE(std::is_sorted(labels.begin(), labels.end()));
    EXPECT_TRUE(seen.insert(labels).second) << i;
    names.insert(Name(labels));
    EXPECT_TRUE(std::isfinite(d.Value(i, 0))) << i;
  }
  // The families the dashboard suite asks for are there.
  for (const char* family : {"node_cpu_seconds_total", "node_memory_MemAvailable_bytes",
                             "node_filesystem_avail_bytes", "http_request_duration_seconds_bucket",
                             "http_requests_total", "node_disk_read_bytes_total", "up"}) {
    EXPECT_EQ(names.count(family), 1u) << family;
  }
}

TEST(DatasetTest, NodeProfileGaugesWanderAndSawtooth) {
  Dataset d = NodeDataset();
  auto series_named = [&](const std::string& name) {
    for (int64_t i = 0; i < d.series_per_target(); ++i) {
      if (Name(d.Labels(i)) == name) return i;
    }
    ADD_FAILURE() << name;
    return int64_t{0};
  };
  // A random-walk-like gauge: small steps, a wider range over two hours.
  const int64_t walk = series_named("node_nf_conntrack_entries");
  double lo = d.Value(walk, 0), hi = lo, max_step = 0;
  for (int k = 1; k < d.scrapes(); ++k) {
    const double v = d.Value(walk, k);
    lo = std::min(lo, v);
    hi = std::max(hi, v);
    max_step = std::max(max_step, std::abs(v - d.Value(walk, k - 1)));
  }
  EXPECT_GT(hi - lo, 2 * max_step);
  EXPECT_GT(lo, 0);
  // A sawtooth: climbs in equal steps, then drops, several times.
  const int64_t saw = series_named("go_memstats_stat0_bytes");
  int drops = 0;
  for (int k = 1; k < d.scrapes(); ++k) {
    const double step = d.Value(saw, k) - d.Value(saw, k - 1);
    if (step < 0) {
      ++drops;
    } else {
      EXPECT_GT(step, 0) << k;
    }
  }
  EXPECT_GE(drops, 480 / 80);
  EXPECT_LE(drops, 480 / 20 + 1);
}

TEST(DatasetTest, ChurnReplacesTargetsWithNewSeriesWhoseValuesCarryOn) {
  Dataset d = NodeDataset(/*churn_share=*/1.0);
  Dataset steady = NodeDataset();
  // Every target churns every 10 minutes: 2h of scrapes see 12 or 13
  // generations of each.
  EXPECT_GE(d.total_series(), 12 * d.num_series());
  EXPECT_LE(d.total_series(), 13 * d.num_series());
  int changes = 0;
  for (int t = 0; t < d.targets(); ++t) {
    for (int k = 1; k < d.scrapes(); ++k) {
      const int g = d.Generation(t, k), before = d.Generation(t, k - 1);
      ASSERT_GE(g, before);
      ASSERT_LE(g, before + 1);
      if (g == before) continue;
      ++changes;
      const int64_t series = int64_t{t} * d.series_per_target();  // node_cpu_seconds_total
      ASSERT_EQ(Name(d.Labels(series, g)), "node_cpu_seconds_total");
      EXPECT_NE(d.Labels(series, g), d.Labels(series, before));
      // The host's counter goes on under the new pod, exactly as without
      // churn: no start near zero (see dataset.h on rate() extrapolation).
      EXPECT_EQ(d.Value(series, k), steady.Value(series, k)) << "target " << t << " scrape " << k;
    }
  }
  EXPECT_GE(changes, 3 * 11);
  // Without churn there is no pod label at all: the compact data is as before.
  for (const auto& [name, value] : SmallDataset().Labels(0)) EXPECT_NE(name, "pod");
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

// A system's result for one query as RunSuite leaves it.
SystemResult Measured(std::vector<double> latencies, std::string answer, std::string failure = "") {
  SystemResult s;
  s.latencies_ms = std::move(latencies);
  s.answer = std::move(answer);
  s.failure = std::move(failure);
  DeriveStatistics(&s);
  return s;
}

Query NamedQuery(const std::string& name) {
  Query q;
  q.name = name;
  q.expr = "up";
  return q;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
}

TEST(SavedRunTest, LatenciesFailuresAndAnswersRoundTrip) {
  strata::testing::TempDir tmp;
  const std::string dir = tmp.path() + "/run";  // SaveRun creates it
  // Latencies without a short decimal form must come back as the same doubles.
  const std::vector<double> latencies = {0.1 + 0.2, 12.345678901234567, 1e-7, 3, 250.5, 7.75};
  constexpr char kError[] = R"({"status":"error","errorType":"execution","error":"boom"})";
  std::vector<QueryResult> results(3);
  results[0].query = NamedQuery("fast");
  results[1].query = NamedQuery("failing");
  results[2].query = NamedQuery("unreachable");
  // Only systems[1] is saved.
  results[0].systems = {Measured({1}, "other"), Measured(latencies, kVectorA)};
  results[1].systems = {Measured({1}, "other"), Measured({4.25}, kError, "HTTP 422\twith a tab")};
  results[2].systems = {Measured({1}, "other"), Measured({}, "", "connection error: Connection")};
  ASSERT_TRUE(SaveRun(results, 1, dir).ok());
  EXPECT_EQ(ReadFile(dir + "/fast.json"), kVectorA);
  EXPECT_NE(ReadFile(dir + "/latencies.tsv").find("\nfailing\t4.25\tHTTP 422 with a tab\n"),
            std::string::npos);

  std::vector<Query> suite = {results[0].query, results[1].query, results[2].query,
                              NamedQuery("not_run")};
  absl::StatusOr<std::vector<SystemResult>> loaded = LoadRun(suite, dir);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ASSERT_EQ(loaded->size(), 4u);
  const SystemResult& fast = (*loaded)[0];
  EXPECT_EQ(fast.latencies_ms, latencies);
  EXPECT_EQ(fast.median_ms, results[0].systems[1].median_ms);
  EXPECT_EQ(fast.p90_ms, results[0].systems[1].p90_ms);
  EXPECT_EQ(fast.p90_ms, 250.5);  // nearest rank: the 6th of 6
  EXPECT_TRUE(fast.failure.empty());
  EXPECT_EQ(fast.answer, kVectorA);
  EXPECT_EQ(fast.summary.series, 2u);
  const SystemResult& failing = (*loaded)[1];
  EXPECT_EQ(failing.latencies_ms, std::vector<double>{4.25});
  EXPECT_EQ(failing.failure, "HTTP 422 with a tab");
  EXPECT_EQ(failing.summary.error, "execution: boom");
  const SystemResult& unreachable = (*loaded)[2];
  EXPECT_TRUE(unreachable.latencies_ms.empty());
  EXPECT_EQ(unreachable.failure, "connection error: Connection");
  EXPECT_TRUE(unreachable.answer.empty());
  EXPECT_EQ((*loaded)[3].failure, "not in the saved run " + dir);
}

constexpr char kVectorOff[] = R"({"status":"success","data":{"resultType":"vector","result":[
  {"metric":{"a":"1"},"value":[10.005,"1.6"]},{"metric":{"a":"2"},"value":[10.005,"NaN"]}]}})";

TEST(SavedRunTest, OnlyTheReferenceSystemDecidesTheOutcome) {
  strata::testing::TempDir tmp;
  const std::vector<Query> suite = {NamedQuery("q1"), NamedQuery("q2")};
  // A one-system run answering every query with `answer`; only `saved`
  // queries are in it, and q2 failed when `fail_q2`.
  auto save = [&](const std::string& name, const char* answer, bool fail_q2 = false,
                  size_t saved = 2) {
    std::vector<QueryResult> results(saved);
    for (size_t q = 0; q < saved; ++q) {
      results[q].query = suite[q];
      results[q].systems = {Measured({1, 2}, answer, q == 1 && fail_q2 ? "HTTP 503" : "")};
    }
    const std::string dir = tmp.path() + "/" + name;
    EXPECT_TRUE(SaveRun(results, 0, dir).ok());
    return SavedRun{name, dir};
  };
  const SavedRun strata = save("strata", kVectorA);
  const SavedRun prometheus = save("prometheus", kVectorB);  // equal within the tolerance
  const SavedRun vm = save("vm", kVectorOff);
  const SavedRun failing = save("failing", kVectorA, /*fail_q2=*/true);
  const SavedRun partial = save("partial", kVectorA, false, /*saved=*/1);
  auto load = [&](const std::vector<SavedRun>& runs) {
    absl::StatusOr<std::vector<QueryResult>> results = LoadRuns(suite, runs, Tolerance{});
    EXPECT_TRUE(results.ok()) << results.status();
    return results.ok() ? *std::move(results) : std::vector<QueryResult>{};
  };

  const std::vector<QueryResult> three = load({strata, prometheus, vm});
  ASSERT_EQ(three.size(), 2u);
  ASSERT_EQ(three[0].vs_first.size(), 2u);
  EXPECT_TRUE(three[0].vs_first[0].equal) << three[0].vs_first[0].difference;
  EXPECT_FALSE(three[0].vs_first[1].equal);
  EXPECT_TRUE(AnswersMatchReference(three, 1));   // vm differs but is no reference
  EXPECT_FALSE(AnswersMatchReference(three, 2));  // --reference vm
  EXPECT_FALSE(AllAnswersEqual(three));           // what `query` would say
  // A failed or missing query counts on the first or reference system only.
  EXPECT_FALSE(AnswersMatchReference(load({strata, failing, prometheus}), 1));
  EXPECT_FALSE(AnswersMatchReference(load({failing, strata, prometheus}), 1));
  EXPECT_FALSE(AnswersMatchReference(load({strata, partial}), 1));
  EXPECT_TRUE(AnswersMatchReference(load({strata, prometheus, failing, partial}), 1));
}

TEST(SavedRunTest, MissingOrMalformedRunsAreErrors) {
  strata::testing::TempDir tmp;
  const std::string& dir = tmp.path();
  const std::vector<Query> suite = {NamedQuery("q1")};
  auto error = [&](const std::string& in) {
    absl::StatusOr<std::vector<SystemResult>> r = LoadRun(suite, in);
    EXPECT_FALSE(r.ok());
    return r.status();
  };
  absl::Status missing_dir = error(dir + "/nope");
  EXPECT_EQ(missing_dir.code(), absl::StatusCode::kNotFound);
  EXPECT_NE(missing_dir.message().find("/nope is not a directory"), std::string::npos);
  EXPECT_NE(error(dir).message().find("cannot read " + dir + "/latencies.tsv"), std::string::npos);
  WriteFile(dir + "/latencies.tsv", "q1\t1.5\n");
  absl::Status no_answer = error(dir);
  EXPECT_EQ(no_answer.code(), absl::StatusCode::kNotFound);
  EXPECT_NE(no_answer.message().find("cannot read " + dir + "/q1.json"), std::string::npos);

  WriteFile(dir + "/q1.json", kVectorA);
  EXPECT_TRUE(LoadRun(suite, dir).ok());
  for (const char* bad : {"q1\tHTTP 500\t1.5\n", "q1\t1\nq1\t2\n", "\t1.5\n", "q1\t-1\n"}) {
    WriteFile(dir + "/latencies.tsv", bad);
    absl::Status s = error(dir);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(s.message().find("latencies.tsv line "), std::string::npos) << s;
  }
}

}  // namespace
}  // namespace strata::querybench
