// RemoteWriteHandler with remote write 2.0 requests.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/api/remote_write_test_util.h"

namespace strata::testing {
namespace {

using rw::v2::Metadata;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST(RemoteWriteV2Test, WritesSamplesAndMetadataAndReportsCounts) {
  RemoteWriteEnv env;
  V2Builder b;
  auto* a = b.AddSeries({{"__name__", "http_requests_total"}, {"code", "200"}},
                        {{kNow - 2000, 10}, {kNow - 1000, 12}});
  b.SetMetadata(a, Metadata::METRIC_TYPE_COUNTER, "Requests served.", "requests");
  auto* g = b.AddSeries({{"__name__", "temperature"}, {"room", "kitchen"}}, {{kNow, 21.5}});
  b.SetMetadata(g, Metadata::METRIC_TYPE_GAUGE, "Degrees.", "celsius");
  api::RemoteWriteResponse r = env.V2(b);
  EXPECT_EQ(r.status, 204) << r.message;
  EXPECT_THAT(r.message, IsEmpty());
  EXPECT_TRUE(r.v2);
  EXPECT_EQ(r.samples_written, 3);
  EXPECT_EQ(r.histograms_written, 0);
  EXPECT_EQ(r.exemplars_written, 0);

  auto all = env.All();
  EXPECT_THAT(all["http_requests_total{code=\"200\"}"],
              ElementsAre(Sample{kNow - 2000, 10}, Sample{kNow - 1000, 12}));
  EXPECT_THAT(all["temperature{room=\"kitchen\"}"], ElementsAre(Sample{kNow, 21.5}));
  auto metadata = env.db()->head()->Metadata();
  ASSERT_EQ(metadata.size(), 2u);
  EXPECT_EQ(metadata[0].first, "http_requests_total");
  EXPECT_EQ(metadata[0].second, (MetricMetadata{1, "requests", "Requests served."}));
  EXPECT_EQ(metadata[1].first, "temperature");
  EXPECT_EQ(metadata[1].second, (MetricMetadata{2, "celsius", "Degrees."}));
  api::RemoteWriteStats s = env.handler().stats();
  EXPECT_EQ(s.requests_v2, 1u);
  EXPECT_EQ(s.requests_ok, 1u);
}

// Prometheus 3 accepts any UTF-8 in metric and label names (the compliance
// suite's "UTF-8 names" case).
TEST(RemoteWriteV2Test, Utf8MetricAndLabelNamesAreAccepted) {
  RemoteWriteEnv env;
  V2Builder b;
  b.AddSeries({{"__name__", "http.requests.total"}, {"service.name", "café"}, {"☃", "❄"}},
              {{kNow, 1}});
  api::RemoteWriteResponse r = env.V2(b);
  ASSERT_EQ(r.status, 204) << r.message;
  auto all = env.All();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_THAT(all.begin()->second, ElementsAre(Sample{kNow, 1}));
  EXPECT_EQ(all.begin()->first,
            "{\"http.requests.total\", \"service.name\"=\"café\", \"☃\"=\"❄\"}");
}

TEST(RemoteWriteV2Test, MetadataIsWrittenOnlyWhenItChanges) {
  RemoteWriteEnv env;
  auto send = [&](int round, const std::string& help) {
    V2Builder b;
    for (int i = 0; i < 10; ++i) {
      auto* ts = b.AddSeries({{"__name__", "cpu_seconds_total"}, {"cpu", std::to_string(i)}},
                             {{kNow - 100000 + round * 1000, 1.0 * round}});
      b.SetMetadata(ts, Metadata::METRIC_TYPE_COUNTER, help, "seconds");
    }
    api::RemoteWriteResponse r = env.V2(b);
    ASSERT_EQ(r.status, 204) << r.message;
  };
  send(0, "CPU time.");
  EXPECT_EQ(env.handler().stats().metadata_applied, 10u);
  send(1, "CPU time.");
  send(2, "CPU time.");
  EXPECT_EQ(env.handler().stats().metadata_applied, 10u);
  send(3, "CPU time spent.");
  EXPECT_EQ(env.handler().stats().metadata_applied, 20u);
  auto metadata = env.db()->head()->Metadata();
  ASSERT_EQ(metadata.size(), 1u);
  EXPECT_EQ(metadata[0].second, (MetricMetadata{1, "seconds", "CPU time spent."}));
}

TEST(RemoteWriteV2Test, UnspecifiedMetadataIsNotWritten) {
  RemoteWriteEnv env;
  V2Builder b;
  auto* ts = b.AddSeries({{"__name__", "up"}}, {{kNow, 1}});
  b.SetMetadata(ts, Metadata::METRIC_TYPE_UNSPECIFIED, "", "");
  ASSERT_EQ(env.V2(b).status, 204);
  EXPECT_THAT(env.db()->head()->Metadata(), IsEmpty());
}

TEST(RemoteWriteV2Test, SymbolsMayFollowTheSeries) {
  RemoteWriteEnv env;
  V2Builder b;
  b.AddSeries({{"__name__", "up"}, {"job", "late"}}, {{kNow, 1}});
  // Protobuf concatenation is merging: series first, symbols after.
  rw::v2::Request series_only = b.request();
  series_only.clear_symbols();
  rw::v2::Request symbols_only;
  *symbols_only.mutable_symbols() = b.request().symbols();
  std::string body = series_only.SerializeAsString() + symbols_only.SerializeAsString();
  api::RemoteWriteResponse r = env.Raw(kV2Type, "snappy", Snappy(body));
  EXPECT_EQ(r.status, 204) << r.message;
  EXPECT_THAT(env.All()["up{job=\"late\"}"], ElementsAre(Sample{kNow, 1}));
}

TEST(RemoteWriteV2Test, HistogramsAreReportedFloatsWritten) {
  RemoteWriteEnv env;
  V2Builder b;
  b.AddSeries({{"__name__", "up"}}, {{kNow, 1}});
  auto* h = b.AddSeries({{"__name__", "latency_seconds"}}, {});
  auto* hist = h->add_histograms();
  hist->set_count_float(3);
  hist->set_schema(-53);
  hist->add_custom_values(0.1);
  hist->set_timestamp(kNow);
  hist->set_start_timestamp(kNow - 60000);
  api::RemoteWriteResponse r = env.V2(b);
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(r.v2);
  EXPECT_EQ(r.samples_written, 1);
  EXPECT_EQ(r.histograms_written, 0);
  EXPECT_THAT(r.message, HasSubstr("native histograms are not supported yet: 1 histogram"));
  EXPECT_THAT(env.All()["up"], ElementsAre(Sample{kNow, 1}));
}

TEST(RemoteWriteV2Test, ExemplarsAreAcceptedNotCountedAsWritten) {
  RemoteWriteEnv env;
  V2Builder b;
  auto* ts = b.AddSeries({{"__name__", "up"}}, {{kNow, 1}});
  auto* ex = ts->add_exemplars();
  ex->add_labels_refs(b.Ref("trace_id"));
  ex->add_labels_refs(b.Ref("abc123"));
  ex->set_value(1);
  ex->set_timestamp(kNow);
  api::RemoteWriteResponse r = env.V2(b);
  EXPECT_EQ(r.status, 204) << r.message;
  EXPECT_EQ(r.samples_written, 1);
  EXPECT_EQ(r.exemplars_written, 0);
  EXPECT_EQ(env.handler().stats().exemplars_dropped, 1u);

  // An exemplar referencing a symbol that does not exist is malformed.
  ex->set_labels_refs(1, 1000);
  r = env.V2(b);
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.message, HasSubstr("exemplar labels_refs value 1000 is out of range"));
}

TEST(RemoteWriteV2Test, StartAndCreatedTimestampsAreAcceptedAndIgnored) {
  RemoteWriteEnv env;
  V2Builder b;
  auto* ts = b.AddSeries({{"__name__", "requests_total"}}, {{kNow, 5}});
  ts->mutable_samples(0)->set_start_timestamp(kNow - 3600000);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  ts->set_created_timestamp(kNow - 3600000);  // a pre-rc.4 sender
#pragma GCC diagnostic pop
  api::RemoteWriteResponse r = env.V2(b);
  EXPECT_EQ(r.status, 204) << r.message;
  EXPECT_THAT(env.All()["requests_total"], ElementsAre(Sample{kNow, 5}));
}

TEST(RemoteWriteV2Test, AV1BodyLabelledV2DecodesAsEmpty) {
  // Fields 1-3 are reserved in the 2.0 message for exactly this mistake; the
  // counts (all 0) let the sender notice.
  RemoteWriteEnv env;
  rw::v1::WriteRequest req;
  AddSeries(&req, {{"__name__", "up"}}, {{kNow, 1}});
  api::RemoteWriteResponse r = env.Raw(kV2Type, "snappy", Snappy(req.SerializeAsString()));
  EXPECT_EQ(r.status, 204) << r.message;
  EXPECT_TRUE(r.v2);
  EXPECT_EQ(r.samples_written, 0);
  EXPECT_THAT(env.All(), IsEmpty());
}

TEST(RemoteWriteV2Test, InvalidSeriesAreRejectedTheRestWritten) {
  RemoteWriteEnv env;
  V2Builder b;
  b.AddSeries({{"__name__", "up"}, {"job", "ok"}}, {{kNow, 1}});
  b.AddSeries({{"__name__", "up"}, {"job", "x"}, {"job", "y"}}, {{kNow, 2}});
  b.AddSeries({{"job", "nameless"}}, {{kNow, 3}});
  b.AddSeries({{"__name__", "up"}, {"empty", ""}, {"job", "dropped"}}, {{kNow, 4}});
  api::RemoteWriteResponse r = env.V2(b);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.samples_written, 2);
  EXPECT_THAT(r.message,
              HasSubstr("2 of 4 samples written; 2 series rejected for invalid labels, first: "
                        "duplicate label name \"job\""));
  auto all = env.All();
  EXPECT_EQ(all.size(), 2u);
  EXPECT_THAT(all["up{job=\"ok\"}"], ElementsAre(Sample{kNow, 1}));
  EXPECT_THAT(all["up{job=\"dropped\"}"], ElementsAre(Sample{kNow, 4}));
}

TEST(RemoteWriteV2Test, SecondRequestTakesTheFastPath) {
  RemoteWriteEnv env;
  for (int round = 0; round < 3; ++round) {
    V2Builder b;
    // Symbol order differs per request; the hash is over resolved strings.
    if (round == 1) b.Ref("zzz");
    for (int i = 0; i < 20; ++i) {
      b.AddSeries({{"__name__", "m"}, {"i", std::to_string(i)}}, {{kNow - 10000 + round, 1.0 * i}});
    }
    ASSERT_EQ(env.V2(b).status, 204);
  }
  api::RemoteWriteStats s = env.handler().stats();
  EXPECT_EQ(s.series_cache_misses, 20u);
  EXPECT_EQ(s.series_cache_hits, 40u);
  EXPECT_EQ(s.samples_written, 60u);
}

TEST(RemoteWriteV2Test, V1AndV2ShareSeries) {
  RemoteWriteEnv env;
  rw::v1::WriteRequest v1;
  AddSeries(&v1, {{"__name__", "up"}, {"job", "a"}}, {{kNow - 1000, 1}});
  ASSERT_EQ(env.V1(v1).status, 204);
  V2Builder b;
  b.AddSeries({{"__name__", "up"}, {"job", "a"}}, {{kNow, 2}});
  ASSERT_EQ(env.V2(b).status, 204);
  auto all = env.All();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_THAT(all["up{job=\"a\"}"], ElementsAre(Sample{kNow - 1000, 1}, Sample{kNow, 2}));
}

}  // namespace
}  // namespace strata::testing
