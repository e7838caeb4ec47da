// info(): the join with info metrics (promql/eval_info.cc), through the
// engine over an in-memory DB. Cases follow Prometheus's
// promql/promqltest/testdata/info.test (cited by line) plus the corners it
// leaves out: duplicate info series, step-invariant calls, kept names.
#include <bit>
#include <cmath>
#include <map>
#include <string>

#include "gtest/gtest.h"
#include "promql/engine.h"
#include "promql/evaluator.h"
#include "tests/promql/engine_test_util.h"
#include "tsdb/base/clock.h"
#include "tsdb/base/mem_fs.h"
#include "tsdb/db.h"

namespace strata::promql {
namespace {

constexpr int64_t kMin = 60 * 1000;
const double kStale = std::bit_cast<double>(kStaleNaNBits);
constexpr double kNone = -1;  // "no sample" in Series()

class InfoTest : public testing::EngineFixture {
 protected:
  // Loads `values` every `step_ms` from t=0; kNone leaves a gap.
  void Load(const Labels& l, std::vector<double> values, int64_t step_ms) {
    auto app = db_->NewAppender();
    for (size_t i = 0; i < values.size(); ++i) {
      if (values[i] == kNone) continue;
      ASSERT_TRUE(app->Add(l, static_cast<int64_t>(i) * step_ms, values[i]).ok());
    }
    ASSERT_TRUE(app->Commit().ok());
  }

  // The result of a range query as series text -> values at every step
  // (kNone where the series has no point).
  std::map<std::string, std::vector<double>> Range(std::string_view q, int64_t start, int64_t end,
                                                   int64_t step) {
    auto r = engine_.RangeQuery(queryable_, q, start, end, step);
    EXPECT_TRUE(r.ok()) << q << ": " << r.status();
    std::map<std::string, std::vector<double>> out;
    if (!r.ok()) return out;
    for (const Series& s : std::get<Matrix>(r->value)) {
      std::vector<double>& v = out[s.metric.ToString()];
      v.assign(static_cast<size_t>((end - start) / step + 1), kNone);
      for (const FPoint& p : s.floats) v[static_cast<size_t>((p.t - start) / step)] = p.f;
    }
    return out;
  }

  absl::Status RangeError(std::string_view q, int64_t start, int64_t end, int64_t step) {
    return engine_.RangeQuery(queryable_, q, start, end, step).status();
  }

  // info.test's first load (5m steps).
  void LoadFirstScript() {
    Load(Labels::FromStrings({"__name__", "metric", "instance", "a", "job", "1", "label", "value"}),
         {0, 1, 2}, 5 * kMin);
    Load(Labels::FromStrings({"__name__", "metric_not_matching_target_info", "instance", "a", "job",
                              "2", "label", "value"}),
         {0, 1, 2}, 5 * kMin);
    Load(Labels::FromStrings({"__name__", "metric_with_overlapping_label", "instance", "a", "job",
                              "1", "label", "value", "data", "base"}),
         {0, 1, 2}, 5 * kMin);
    Load(Labels::FromStrings({"__name__", "target_info", "instance", "a", "job", "1", "data",
                              "info", "another_data", "another info"}),
         {1, 1, 1}, 5 * kMin);
    Load(Labels::FromStrings(
             {"__name__", "build_info", "instance", "a", "job", "1", "build_data", "build"}),
         {1, 1, 1}, 5 * kMin);
  }

  using Result = std::map<std::string, std::vector<double>>;
};

// info.test:13 and :9: all data labels of target_info by default; a data
// label selector keeps only the labels it names.
TEST_F(InfoTest, AddsDataLabelsOfTargetInfo) {
  LoadFirstScript();
  EXPECT_EQ(Range("info(metric)", 0, 10 * kMin, 5 * kMin),
            (Result{{R"(metric{another_data="another info", data="info", instance="a", job="1", )"
                     R"(label="value"})",
                     {0, 1, 2}}}));
  EXPECT_EQ(Range(R"(info(metric, {data=~".+"}))", 0, 10 * kMin, 5 * kMin),
            (Result{{R"(metric{data="info", instance="a", job="1", label="value"})", {0, 1, 2}}}));
}

// info.test:17, :22, :27, :32, :36: without a matching info series a series
// is kept unchanged unless some data matcher rejects the empty string.
TEST_F(InfoTest, UnmatchedSeriesKeptUnlessADataMatcherRejectsEmpty) {
  LoadFirstScript();
  const Result unchanged{
      {R"(metric_not_matching_target_info{instance="a", job="2", label="value"})", {0, 1, 2}}};
  EXPECT_EQ(Range("info(metric_not_matching_target_info)", 0, 10 * kMin, 5 * kMin), unchanged);
  EXPECT_EQ(Range(R"(info(metric_not_matching_target_info, {data=~".*"}))", 0, 10 * kMin, 5 * kMin),
            unchanged);
  EXPECT_TRUE(
      Range(R"(info(metric_not_matching_target_info, {data=~".+"}))", 0, 10 * kMin, 5 * kMin)
          .empty());
  EXPECT_TRUE(Range(R"(info(metric, {non_existent=~".+"}))", 0, 10 * kMin, 5 * kMin).empty());
  EXPECT_EQ(Range(R"(info(metric, {non_existent=~".*"}))", 0, 10 * kMin, 5 * kMin),
            (Result{{R"(metric{instance="a", job="1", label="value"})", {0, 1, 2}}}));
}

// info.test:40 and :46: labels the series already has are not overwritten.
TEST_F(InfoTest, ExistingLabelsWin) {
  LoadFirstScript();
  EXPECT_EQ(Range("info(metric_with_overlapping_label)", 0, 10 * kMin, 5 * kMin),
            (Result{{R"(metric_with_overlapping_label{another_data="another info", data="base", )"
                     R"(instance="a", job="1", label="value"})",
                     {0, 1, 2}}}));
  EXPECT_EQ(Range(R"(info(metric_with_overlapping_label, {data="info"}))", 0, 10 * kMin, 5 * kMin),
            (Result{{R"(metric_with_overlapping_label{data="base", instance="a", job="1", )"
                     R"(label="value"})",
                     {0, 1, 2}}}));
}

// info.test:75, :79, :83, :98, :104: the __name__ matchers choose the info
// metrics; negated ones alone choose among *_info metrics only; input
// series matching them all are info series and pass through.
TEST_F(InfoTest, NameMatchersChooseInfoMetrics) {
  LoadFirstScript();
  const std::string both =
      R"(metric{another_data="another info", build_data="build", data="info", instance="a", )"
      R"(job="1", label="value"})";
  EXPECT_EQ(Range(R"(info(metric, {__name__=~".+_info"}))", 0, 10 * kMin, 5 * kMin),
            (Result{{both, {0, 1, 2}}}));
  EXPECT_EQ(Range(R"(info(metric, {__name__="non_existent"}))", 0, 10 * kMin, 5 * kMin),
            (Result{{R"(metric{instance="a", job="1", label="value"})", {0, 1, 2}}}));
  EXPECT_EQ(Range(R"(info(build_info, {__name__=~".+_info"}))", 0, 10 * kMin, 5 * kMin),
            (Result{{R"(build_info{build_data="build", instance="a", job="1"})", {1, 1, 1}}}));
  // Not metric_with_overlapping_label's data="base": it is no *_info metric.
  EXPECT_EQ(
      Range(R"(info(metric, {__name__!="target_info"}))", 0, 10 * kMin, 5 * kMin),
      (Result{{R"(metric{build_data="build", instance="a", job="1", label="value"})", {0, 1, 2}}}));
  EXPECT_TRUE(
      Range(R"(info(metric, {__name__!~".+_info", data=~".+"}))", 0, 10 * kMin, 5 * kMin).empty());
  // build_info matches only one of two positive matchers: enriched.
  EXPECT_EQ(Range(R"(info(build_info, {__name__=~"target_.+", __name__=~".+_info"}))", 0, 10 * kMin,
                  5 * kMin),
            (Result{{R"(build_info{another_data="another info", build_data="build", data="info", )"
                     R"(instance="a", job="1"})",
                     {1, 1, 1}}}));
}

// info.test:145: of two info series with the same identifying labels, the
// one whose sample in effect is newer wins.
TEST_F(InfoTest, NewestInfoSampleWins) {
  Load(Labels::FromStrings({"__name__", "metric", "instance", "a", "job", "1"}), {0, 1, 2},
       5 * kMin);
  Load(Labels::FromStrings({"__name__", "target_info", "instance", "a", "job", "1", "data", "old"}),
       {1, 1, kNone}, 5 * kMin);
  Load(Labels::FromStrings({"__name__", "target_info", "instance", "a", "job", "1", "data", "new"}),
       {kNone, kNone, 1}, 5 * kMin);
  EXPECT_EQ(Range("info(metric)", 0, 10 * kMin, 5 * kMin),
            (Result{{R"(metric{data="old", instance="a", job="1"})", {0, 1, kNone}},
                    {R"(metric{data="new", instance="a", job="1"})", {kNone, kNone, 2}}}));
}

// info.test:170 and :175: a stale marker ends an info series like a vector
// selector's; then the series falls back to its own labels, unless a data
// matcher rejects the empty string.
TEST_F(InfoTest, StaleMarkerEndsInfoSeries) {
  Load(Labels::FromStrings({"__name__", "metric", "instance", "a", "job", "1"}), {0, 1, 2},
       5 * kMin);
  Load(Labels::FromStrings({"__name__", "target_info", "instance", "a", "job", "1", "data", "x"}),
       {1, 1, kStale}, 5 * kMin);
  EXPECT_EQ(Range("info(metric)", 0, 10 * kMin, 5 * kMin),
            (Result{{R"(metric{data="x", instance="a", job="1"})", {0, 1, kNone}},
                    {R"(metric{instance="a", job="1"})", {kNone, kNone, 2}}}));
  EXPECT_EQ(Range(R"(info(metric, {data=~".+"}))", 0, 10 * kMin, 5 * kMin),
            (Result{{R"(metric{data="x", instance="a", job="1"})", {0, 1, kNone}}}));
}

// Two info series with the same identifying labels and samples of the same
// time: Prometheus's "found duplicate series" error, labels in Go's form.
TEST_F(InfoTest, DuplicateInfoSeriesIsAnError) {
  Load(Labels::FromStrings({"__name__", "metric", "instance", "a", "job", "1"}), {0}, kMin);
  Load(Labels::FromStrings({"__name__", "target_info", "instance", "a", "job", "1", "d", "x"}), {1},
       kMin);
  Load(Labels::FromStrings({"__name__", "target_info", "instance", "a", "job", "1", "d", "y"}), {1},
       kMin);
  const absl::Status st = RangeError("info(metric)", 0, kMin, kMin);
  EXPECT_EQ(st.message(),
            R"(found duplicate series for info metric: existing {__name__="target_info", d="x", )"
            R"(instance="a", job="1"} @ 0, new {__name__="target_info", d="y", instance="a", )"
            R"(job="1"} @ 0)");
}

// info.test:304: one data label given two values by two info metrics.
TEST_F(InfoTest, ConflictingLabelIsAnError) {
  Load(Labels::FromStrings({"__name__", "metric", "instance", "a", "job", "1"}), {1, 2, 3}, kMin);
  Load(Labels::FromStrings({"__name__", "target_info", "instance", "a", "job", "1", "x", "t"}),
       {1, 1, 1}, kMin);
  Load(Labels::FromStrings({"__name__", "build_info", "instance", "a", "job", "1", "x", "b"}),
       {1, 1, 1}, kMin);
  EXPECT_EQ(RangeError(R"(info(metric, {__name__=~".+_info"}))", 0, 2 * kMin, kMin).message(),
            "conflicting label: x");
  // The same value from both is no conflict.
  EXPECT_TRUE(RangeError(R"(info(metric, {__name__="target_info"}))", 0, 2 * kMin, kMin).ok());
}

// info.test:258, :267, :279, :293: series without identifying labels are
// kept as they are; one identifying label is enough to join.
TEST_F(InfoTest, IdentifyingLabelsPresentAreMatched) {
  Load(Labels::FromStrings({"__name__", "data_metric"}), {1, 2, 3}, kMin);
  Load(Labels::FromStrings({"__name__", "data_metric", "instance", "a"}), {4, 5, 6}, kMin);
  Load(Labels::FromStrings({"__name__", "custom_info", "instance", "a", "enriched", "yes"}),
       {1, 1, 1}, kMin);
  // An info series with instance but also a job does not join instance-only
  // series: the join key is every identifying label present.
  Load(Labels::FromStrings({"__name__", "custom_info", "instance", "a", "job", "j", "other", "no"}),
       {1, 1, 1}, kMin);
  EXPECT_EQ(Range(R"(info(data_metric, {__name__="custom_info"}))", 0, 2 * kMin, kMin),
            (Result{{"data_metric", {1, 2, 3}},
                    {R"(data_metric{enriched="yes", instance="a"})", {4, 5, 6}}}));
}

// info.test:225 and :211: info series are looked up at the step times with
// lookback, whatever the argument's offset.
TEST_F(InfoTest, InfoSeriesLookBackAtStepTimes) {
  Load(Labels::FromStrings({"__name__", "metric", "instance", "a", "job", "1"}),
       {0, kNone, 2, 3, 4}, kMin);
  Load(Labels::FromStrings({"__name__", "target_info", "instance", "a", "job", "1", "d", "i"}),
       {1, kNone, 1, 1, 1}, kMin);
  EXPECT_EQ(Range("info(metric offset 1m)", kMin, 4 * kMin, kMin),
            (Result{{R"(metric{d="i", instance="a", job="1"})", {0, 0, 2, 3}}}));
}

// info(x @ t) is step invariant for Prometheus: evaluated once at the start
// and repeated, so the info series found then holds at every step (a
// per-step lookup would find none 20m later: they are read up to @ only).
TEST_F(InfoTest, StepInvariantCallIsEvaluatedOnce) {
  Load(Labels::FromStrings({"__name__", "metric", "instance", "a", "job", "1"}), {7}, kMin);
  Load(Labels::FromStrings({"__name__", "target_info", "instance", "a", "job", "1", "d", "i"}), {1},
       kMin);
  EXPECT_EQ(Range("info(metric @ 0)", 0, 20 * kMin, 10 * kMin),
            (Result{{R"(metric{d="i", instance="a", job="1"})", {7, 7, 7}}}));
}

// Prometheus builds info()'s output series afresh, without the delayed
// name removal mark of its input (info.go combineWithInfoSeries): the name
// stays, and an info series passed through keeps it too.
TEST_F(InfoTest, OutputKeepsMetricName) {
  Load(Labels::FromStrings({"__name__", "metric", "instance", "a", "job", "1"}), {-3}, kMin);
  Load(Labels::FromStrings({"__name__", "target_info", "instance", "a", "job", "1", "d", "i"}), {1},
       kMin);
  EXPECT_EQ(Range("info(abs(metric))", 0, 0, kMin),
            (Result{{R"(metric{d="i", instance="a", job="1"})", {3}}}));
  EXPECT_EQ(Range("abs(metric)", 0, 0, kMin), (Result{{R"({instance="a", job="1"})", {3}}}));
}

}  // namespace
}  // namespace strata::promql
