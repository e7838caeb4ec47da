// Engine core: selectors, lookback, staleness, offset and @, subqueries,
// result shapes, limits and error types. Functions, aggregations and
// operators have their own unit tests; the promqltest scripts cover the
// combinations.
#include "promql/engine.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "promql/evaluator.h"
#include "tests/promql/engine_test_util.h"
#include "tsdb/base/clock.h"
#include "tsdb/base/mem_fs.h"
#include "tsdb/db.h"

namespace strata::promql {
namespace {

constexpr int64_t kMin = 60 * 1000;
const double kStale = std::bit_cast<double>(kStaleNaNBits);

class EngineTest : public testing::EngineFixture {
 protected:
  // Appends v0, v0+inc, … every `step_ms` from t=0, `n` points.
  void Load(const Labels& l, int n, int64_t step_ms, double v0, double inc) {
    auto app = db_->NewAppender();
    for (int i = 0; i < n; ++i) {
      ASSERT_TRUE(app->Add(l, i * step_ms, v0 + inc * i).ok());
    }
    ASSERT_TRUE(app->Commit().ok());
  }
  void Add(const Labels& l, int64_t t, double v) {
    auto app = db_->NewAppender();
    ASSERT_TRUE(app->Add(l, t, v).ok());
    ASSERT_TRUE(app->Commit().ok());
  }

  absl::StatusOr<QueryResult> Instant(std::string_view q, int64_t t) {
    return engine_.InstantQuery(queryable_, q, t);
  }
};

TEST_F(EngineTest, VectorSelectorLooksBackFiveMinutesLeftOpen) {
  const Labels l = Labels::FromStrings({"__name__", "m", "job", "a"});
  Add(l, 0, 1);
  Add(l, 10 * kMin, 2);
  auto at = [&](int64_t t) -> std::optional<double> {
    auto r = Instant("m", t);
    EXPECT_TRUE(r.ok()) << r.status();
    const Vector& v = std::get<Vector>(r->value);
    if (v.empty()) return std::nullopt;
    EXPECT_EQ(v[0].metric, l);
    EXPECT_EQ(v[0].t, t);
    return v[0].f;
  };
  EXPECT_EQ(at(0), 1);
  EXPECT_EQ(at(5 * kMin - 1), 1);
  EXPECT_EQ(at(5 * kMin), std::nullopt);  // (t - 5m, t]: the sample at 0 is out
  EXPECT_EQ(at(10 * kMin), 2);
  EXPECT_EQ(at(-1), std::nullopt);
}

TEST_F(EngineTest, StaleMarkerEndsSeries) {
  const Labels l = Labels::FromStrings({"__name__", "m"});
  Add(l, 0, 1);
  Add(l, kMin, kStale);
  Add(l, 3 * kMin, 3);
  auto r = engine_.RangeQuery(queryable_, "m", 0, 3 * kMin, kMin);
  ASSERT_TRUE(r.ok()) << r.status();
  const Matrix& m = std::get<Matrix>(r->value);
  ASSERT_EQ(m.size(), 1u);
  ASSERT_EQ(m[0].floats.size(), 2u);
  EXPECT_EQ(m[0].floats[0].t, 0);
  EXPECT_EQ(m[0].floats[1].t, 3 * kMin);
  EXPECT_EQ(m[0].floats[1].f, 3);
}

TEST_F(EngineTest, OffsetAndAtShiftTheReadTime) {
  const Labels l = Labels::FromStrings({"__name__", "m"});
  Load(l, 11, kMin, 0, 1);  // value = minutes
  auto value = [&](std::string_view q, int64_t t) {
    auto r = Instant(q, t);
    EXPECT_TRUE(r.ok()) << q << ": " << r.status();
    const Vector& v = std::get<Vector>(r->value);
    return v.empty() ? -1.0 : v[0].f;
  };
  EXPECT_EQ(value("m offset 3m", 10 * kMin), 7);
  EXPECT_EQ(value("m offset -3m", 5 * kMin), 8);
  EXPECT_EQ(value("m @ 120", 10 * kMin), 2);
  EXPECT_EQ(value("m @ 120 offset 1m", 10 * kMin), 1);
  EXPECT_EQ(value("m @ start()", 4 * kMin), 4);
}

TEST_F(EngineTest, MatrixSelectorAndSubqueryWindowsAreLeftOpen) {
  const Labels l = Labels::FromStrings({"__name__", "m"});
  Load(l, 11, kMin, 0, 1);
  auto r = Instant("m[3m]", 10 * kMin);
  ASSERT_TRUE(r.ok()) << r.status();
  const Matrix& m = std::get<Matrix>(r->value);
  ASSERT_EQ(m.size(), 1u);
  ASSERT_EQ(m[0].floats.size(), 3u);  // 8m, 9m, 10m: not 7m
  EXPECT_EQ(m[0].floats[0].t, 8 * kMin);
  EXPECT_EQ(m[0].metric, l);

  // Subquery steps are aligned to absolute multiples of the step.
  auto s = Instant("m[4m:2m]", 9 * kMin);
  ASSERT_TRUE(s.ok()) << s.status();
  const Matrix& sm = std::get<Matrix>(s->value);
  ASSERT_EQ(sm.size(), 1u);
  ASSERT_EQ(sm[0].floats.size(), 2u);  // 6m and 8m (5m < t <= 9m)
  EXPECT_EQ(sm[0].floats[0].t, 6 * kMin);
  EXPECT_EQ(sm[0].floats[1].f, 8);
}

TEST_F(EngineTest, RangeFunctionOverSelectorAndSubquery) {
  const Labels l = Labels::FromStrings({"__name__", "m", "job", "a"});
  Load(l, 11, kMin, 0, 1);
  auto r = engine_.RangeQuery(queryable_, "sum_over_time(m[2m])", 5 * kMin, 6 * kMin, kMin);
  ASSERT_TRUE(r.ok()) << r.status();
  const Matrix& m = std::get<Matrix>(r->value);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].metric, Labels::FromStrings({"job", "a"}));  // name dropped
  ASSERT_EQ(m[0].floats.size(), 2u);
  EXPECT_EQ(m[0].floats[0].f, 4 + 5);
  EXPECT_EQ(m[0].floats[1].f, 5 + 6);

  auto s = Instant("sum_over_time(m[3m:1m])", 10 * kMin);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(std::get<Vector>(s->value)[0].f, 8 + 9 + 10);
}

TEST_F(EngineTest, NotACounterInfoIsCheckedForEverySeries) {
  // rate() checks each input series' name once (at its first output
  // sample): both non-counter names are reported, the counter's is not.
  Load(Labels::FromStrings({"__name__", "gauge_a", "i", "1", "job", "x"}), 11, kMin, 0, 1);
  Load(Labels::FromStrings({"__name__", "gauge_b", "i", "2", "job", "x"}), 11, kMin, 0, 1);
  Load(Labels::FromStrings({"__name__", "c_total", "i", "3", "job", "x"}), 11, kMin, 0, 1);
  auto r = engine_.RangeQuery(queryable_, R"(rate({job="x"}[3m]))", 5 * kMin, 8 * kMin, kMin);
  ASSERT_TRUE(r.ok()) << r.status();
  std::vector<std::string> infos = r->annotations.infos();
  std::sort(infos.begin(), infos.end());
  ASSERT_EQ(infos.size(), 2u);
  EXPECT_NE(infos[0].find("\"gauge_a\""), std::string::npos) << infos[0];
  EXPECT_NE(infos[1].find("\"gauge_b\""), std::string::npos) << infos[1];
}

TEST_F(EngineTest, ScalarsStringsAndTime) {
  auto r = Instant("1 + 2 * 3", 5000);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(std::get<Scalar>(r->value).v, 7);
  EXPECT_EQ(std::get<Scalar>(r->value).t, 5000);
  auto t = Instant("time()", 5000);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(std::get<Scalar>(t->value).v, 5);
  auto s = Instant("\"hello\"", 5000);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(std::get<String>(s->value).v, "hello");
  auto rq = engine_.RangeQuery(queryable_, "time()", 0, 2000, 1000);
  ASSERT_TRUE(rq.ok());
  const Matrix& m = std::get<Matrix>(rq->value);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_TRUE(m[0].metric.empty());
  EXPECT_EQ(m[0].floats.size(), 3u);
  EXPECT_EQ(m[0].floats[2].f, 2);
}

TEST_F(EngineTest, TimestampAbsentAndScalar) {
  const Labels l = Labels::FromStrings({"__name__", "m", "job", "a"});
  Add(l, 90 * 1000, 4);
  auto ts = Instant("timestamp(m)", 120 * 1000);
  ASSERT_TRUE(ts.ok()) << ts.status();
  EXPECT_EQ(std::get<Vector>(ts->value)[0].f, 90);  // the sample's time, not the step's
  EXPECT_EQ(std::get<Vector>(ts->value)[0].metric, Labels::FromStrings({"job", "a"}));

  auto absent = Instant("absent(nope{job=\"x\", a=~\"y\", b=\"1\", b=\"2\"})", 0);
  ASSERT_TRUE(absent.ok()) << absent.status();
  const Vector& v = std::get<Vector>(absent->value);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].metric, Labels::FromStrings({"job", "x"}));
  EXPECT_EQ(v[0].f, 1);
  auto present = Instant("absent(m)", 120 * 1000);
  ASSERT_TRUE(present.ok());
  EXPECT_TRUE(std::get<Vector>(present->value).empty());

  auto aot = Instant("absent_over_time(m[1m])", 200 * 1000);
  ASSERT_TRUE(aot.ok()) << aot.status();
  ASSERT_EQ(std::get<Vector>(aot->value).size(), 1u);
  auto aot2 = Instant("absent_over_time(m[1m])", 120 * 1000);
  ASSERT_TRUE(aot2.ok());
  EXPECT_TRUE(std::get<Vector>(aot2->value).empty());

  auto sc = Instant("scalar(m)", 120 * 1000);
  ASSERT_TRUE(sc.ok());
  EXPECT_EQ(std::get<Scalar>(sc->value).v, 4);
  auto nan = Instant("scalar(nope)", 120 * 1000);
  ASSERT_TRUE(nan.ok());
  EXPECT_TRUE(std::isnan(std::get<Scalar>(nan->value).v));
}

TEST_F(EngineTest, ErrorsHavePrometheusTypes) {
  auto parse = Instant("sum(", 0);
  ASSERT_FALSE(parse.ok());
  EXPECT_EQ(ErrorTypeOf(parse.status()), "bad_data");
  auto range = engine_.RangeQuery(queryable_, "m[5m]", 0, 1000, 1000);
  ASSERT_FALSE(range.ok());
  EXPECT_EQ(range.status().message(),
            "invalid expression type \"range vector\" for range query, must be Scalar or "
            "instant Vector");
  auto step = engine_.RangeQuery(queryable_, "1", 0, 1000, 0);
  EXPECT_EQ(ErrorTypeOf(step.status()), "bad_data");
  auto points = engine_.RangeQuery(queryable_, "1", 0, 11000 * 1000, 1000);
  ASSERT_FALSE(points.ok());
  EXPECT_NE(points.status().message().find("11,000 points"), std::string::npos);
}

TEST_F(EngineTest, MaxSamplesIsEnforced) {
  for (int i = 0; i < 20; ++i) {
    Load(Labels::FromStrings({"__name__", "m", "i", std::to_string(i)}), 10, kMin, 0, 1);
  }
  EngineOptions o;
  o.max_samples = 100;
  Engine small(o);
  auto r = small.RangeQuery(queryable_, "m", 0, 9 * kMin, kMin);  // 200 points
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(ErrorTypeOf(r.status()), "execution");
  EXPECT_EQ(r.status().message(),
            "query processing would load too many samples into memory in query execution");
  auto ok = small.InstantQuery(queryable_, "m", 9 * kMin);  // 20 points
  EXPECT_TRUE(ok.ok()) << ok.status();
}

// Operands are released from the max-samples account once an operator has
// consumed them, so a query is limited by what it holds at once, not by the
// sum of everything it ever read.
TEST_F(EngineTest, MaxSamplesCountsWhatIsHeldAtOnce) {
  for (int i = 0; i < 10; ++i) {
    Load(Labels::FromStrings({"__name__", "m", "i", std::to_string(i)}), 10, kMin, 0, 1);
  }
  EngineOptions o;
  o.max_samples = 150;
  Engine engine(o);
  // Each selector holds 100 points (10 series x 10 steps); each sum 10.
  auto r = engine.RangeQuery(queryable_, "sum(m) + sum(m)", 0, 9 * kMin, kMin);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(std::get<Matrix>(r->value)[0].floats[9].f, 2 * 10 * 9);
  EXPECT_LE(r->stats.peak_samples, 150);
  o.max_samples = 100;
  auto limited = Engine(o).RangeQuery(queryable_, "sum(m)", 0, 9 * kMin, kMin);
  EXPECT_EQ(ErrorTypeOf(limited.status()), "execution");
}

// A subtree fixed in time by @ is evaluated once and repeated at every step
// of a range query: it reads storage once, not once per step.
TEST_F(EngineTest, StepInvariantSubtreesAreEvaluatedOnce) {
  for (int i = 0; i < 3; ++i) {
    Load(Labels::FromStrings({"__name__", "m", "i", std::to_string(i)}), 11, kMin, i, 1);
  }
  auto r = engine_.RangeQuery(queryable_, "sum(rate(m[3m] @ 300))", 0, 10 * kMin, kMin);
  ASSERT_TRUE(r.ok()) << r.status();
  const Matrix& m = std::get<Matrix>(r->value);
  ASSERT_EQ(m.size(), 1u);
  ASSERT_EQ(m[0].floats.size(), 11u);
  for (const FPoint& p : m[0].floats) EXPECT_DOUBLE_EQ(p.f, 3.0 / 60);
  // One window of 3 points per series, read once.
  EXPECT_EQ(r->stats.total_queryable_samples, 3 * 3);

  // The same value at every step as an instant query at each step gives.
  auto varying = engine_.RangeQuery(queryable_, "m @ 120 + m", 0, 10 * kMin, kMin);
  ASSERT_TRUE(varying.ok()) << varying.status();
  for (const Series& s : std::get<Matrix>(varying->value)) {
    const double base = s.floats[0].f;  // m @ 120 + m at t=0
    for (const FPoint& p : s.floats) EXPECT_DOUBLE_EQ(p.f, base + p.t / kMin);
  }
}

TEST_F(EngineTest, CancelledQueryStops) {
  for (int i = 0; i < 300; ++i) {
    Load(Labels::FromStrings({"__name__", "m", "i", std::to_string(i)}), 2, kMin, 0, 1);
  }
  std::atomic<bool> cancel{true};
  QueryOptions qo;
  qo.cancel = &cancel;
  auto r = engine_.RangeQuery(queryable_, "m", 0, kMin, 1000, qo);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(ErrorTypeOf(r.status()), "canceled");
}

}  // namespace
}  // namespace strata::promql

namespace strata::promql {
namespace {

// Queries read the head while appenders write to it: every query succeeds,
// and the number of samples a query sees never goes down. Run under
// ThreadSanitizer by `make test-tsan`.
TEST_F(EngineTest, ConcurrentQueriesAndAppends) {
  constexpr int kSeries = 50, kRounds = 200, kQueriers = 3;
  std::vector<Labels> labels;
  for (int i = 0; i < kSeries; ++i) {
    labels.push_back(Labels::FromStrings({"__name__", "m", "i", std::to_string(i)}));
  }
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int r = 0; r < kRounds; ++r) {
      auto app = db_->NewAppender();
      for (const Labels& l : labels) ASSERT_TRUE(app->Add(l, r * 1000, r).ok());
      ASSERT_TRUE(app->Commit().ok());
    }
    done = true;
  });
  std::vector<std::thread> readers;
  std::atomic<int> queries{0};
  for (int q = 0; q < kQueriers; ++q) {
    readers.emplace_back([&] {
      double last = 0;
      // At least a few queries each, however fast the writer is.
      for (int n = 0; !done.load() || n < 5; ++n) {
        auto r = engine_.InstantQuery(queryable_, "sum(count_over_time(m[1h]))", kRounds * 1000);
        ASSERT_TRUE(r.ok()) << r.status();
        const Vector& v = std::get<Vector>(r->value);
        const double seen = v.empty() ? 0 : v[0].f;
        EXPECT_GE(seen, last);
        last = seen;
        auto rr =
            engine_.RangeQuery(queryable_, "sum by (i) (rate(m[10s]))", 0, kRounds * 1000, 5000);
        ASSERT_TRUE(rr.ok()) << rr.status();
        queries.fetch_add(2);
      }
    });
  }
  writer.join();
  for (auto& t : readers) t.join();
  auto final_count =
      engine_.InstantQuery(queryable_, "sum(count_over_time(m[1h]))", kRounds * 1000);
  ASSERT_TRUE(final_count.ok());
  EXPECT_EQ(std::get<Vector>(final_count->value)[0].f, kSeries * kRounds);
  EXPECT_GE(queries.load(), 2 * 5 * kQueriers);
}

}  // namespace
}  // namespace strata::promql
