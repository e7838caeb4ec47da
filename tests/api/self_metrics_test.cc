// SelfMetrics: families rendered from the DB's and the remote-write handler's
// stats, checked in the text format a scrape sees.
#include "api/self_metrics.h"

#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/api/remote_write_test_util.h"
#include "wal/wal.h"

namespace strata::testing {
namespace {

using ::testing::HasSubstr;

// The value of the sample line `series` (name plus labels as rendered), if any.
std::optional<double> Value(const std::string& text, const std::string& series) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with(series + " ")) return std::stod(line.substr(series.size() + 1));
  }
  return std::nullopt;
}

// Every line of `text` that starts with `prefix`.
std::vector<std::string> Lines(const std::string& text, const std::string& prefix) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with(prefix)) out.push_back(line);
  }
  return out;
}

TEST(SelfMetricsTest, RemoteWriteReceivedCountsDecodedRequestsBeforeValidation) {
  RemoteWriteEnv env;
  SelfMetrics metrics(env.db(), &env.handler());
  std::string text = metrics.Render();
  EXPECT_THAT(text, HasSubstr("# TYPE strata_remote_write_samples_received_total counter"));
  EXPECT_THAT(text, HasSubstr("# TYPE strata_remote_write_series_received_total counter"));
  EXPECT_EQ(Value(text, "strata_remote_write_samples_received_total"), 0);
  EXPECT_EQ(Value(text, "strata_remote_write_series_received_total"), 0);

  // 1.0: two series, three samples; the series without a name is rejected
  // and one sample is out of order, but all of it was received.
  rw::v1::WriteRequest v1;
  AddSeries(&v1, {{"__name__", "up"}, {"job", "a"}}, {{kNow, 1}, {kNow - 1, 2}});
  AddSeries(&v1, {{"job", "nameless"}}, {{kNow, 3}});
  EXPECT_EQ(env.V1(v1).status, 400);
  // 2.0: two series, one sample each.
  V2Builder v2;
  v2.AddSeries({{"__name__", "up"}, {"job", "b"}}, {{kNow, 4}});
  v2.AddSeries({{"__name__", "up"}, {"job", "c"}}, {{kNow, 5}});
  EXPECT_EQ(env.V2(v2).status, 204);
  // Requests that do not decode receive nothing.
  EXPECT_EQ(env.Raw(kV1Type, "snappy", "not snappy").status, 400);
  EXPECT_EQ(env.Raw(kV1Type, "snappy", Snappy("\x0a\xff\xff\xff\xff\x0f")).status, 400);
  EXPECT_EQ(env.Raw("text/plain", "snappy", Snappy(v1.SerializeAsString())).status, 415);

  api::RemoteWriteStats s = env.handler().stats();
  EXPECT_EQ(s.samples_received, 5u);
  EXPECT_EQ(s.series_received, 4u);
  EXPECT_EQ(s.samples_written, 3u);
  text = metrics.Render();
  EXPECT_EQ(Value(text, "strata_remote_write_samples_received_total"), 5) << text;
  EXPECT_EQ(Value(text, "strata_remote_write_series_received_total"), 4) << text;
  EXPECT_EQ(Value(text, "strata_remote_write_samples_written_total"), 3) << text;
}

// The fsync histogram: every bucket from 100µs to 10s plus +Inf, cumulative,
// and its count equal to the fsyncs the WAL made (none failed here).
TEST(SelfMetricsTest, WalFsyncDurationHistogram) {
  RemoteWriteEnv env;
  SelfMetrics metrics(env.db(), &env.handler());
  const std::string kName = "strata_wal_fsync_duration_seconds";
  std::string text = metrics.Render();
  EXPECT_THAT(text, HasSubstr("# TYPE " + kName + " histogram"));
  EXPECT_EQ(Value(text, kName + "_count"), 0);
  EXPECT_EQ(Value(text, kName + "_bucket{le=\"+Inf\"}"), 0);

  for (int i = 0; i < 5; ++i) {
    rw::v1::WriteRequest req;
    AddSeries(&req, {{"__name__", "up"}, {"job", "a"}}, {{kNow + i, 1}});
    ASSERT_EQ(env.V1(req).status, 204);
  }
  wal::WalStats wal = env.db()->stats().wal;
  ASSERT_GE(wal.fsyncs, 5u);  // sync policy "always": one per commit at least
  text = metrics.Render();

  std::vector<std::string> buckets = Lines(text, kName + "_bucket{");
  ASSERT_EQ(buckets.size(), wal::kFsyncBucketBounds.size() + 1) << text;
  EXPECT_THAT(buckets.front(), HasSubstr("le=\"0.0001\""));
  EXPECT_THAT(buckets[wal::kFsyncBucketBounds.size() - 1], HasSubstr("le=\"10\""));
  EXPECT_THAT(buckets.back(), HasSubstr("le=\"+Inf\""));
  double previous = 0;
  for (const std::string& b : buckets) {
    double v = std::stod(b.substr(b.rfind(' ') + 1));
    EXPECT_GE(v, previous) << "buckets must be cumulative: " << b;
    previous = v;
  }
  const double fsyncs = static_cast<double>(wal.fsyncs);
  EXPECT_EQ(previous, fsyncs);
  EXPECT_EQ(Value(text, kName + "_count"), fsyncs);
  EXPECT_EQ(Value(text, "strata_wal_fsyncs_total"), fsyncs);
  std::optional<double> sum = Value(text, kName + "_sum");
  ASSERT_TRUE(sum.has_value());
  EXPECT_GE(*sum, 0);
  EXPECT_DOUBLE_EQ(*sum, static_cast<double>(wal.fsync_duration.sum_nanos) / 1e9);
}

}  // namespace
}  // namespace strata::testing
