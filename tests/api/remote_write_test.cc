// RemoteWriteHandler: protocol negotiation, remote write 1.0 ingestion,
// partial writes, storage faults, and the series-ref cache's fast path.
#include "api/remote_write.h"

#include <cmath>
#include <limits>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/api/remote_write_test_util.h"

namespace strata::testing {
namespace {

using rw::v1::WriteRequest;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string Up(const std::string& job) { return "up{job=\"" + job + "\"}"; }

// --- Content negotiation and body decoding: bad requests change nothing. ---

struct BadRequestCase {
  std::string name;
  std::string content_type;
  std::string encoding;
  std::string body;
  int status;
  std::string message;
};

std::string ValidV1Body() {
  WriteRequest req;
  AddSeries(&req, {{"__name__", "up"}, {"job", "bad"}}, {{kNow, 1}});
  return req.SerializeAsString();
}

std::vector<BadRequestCase> BadRequestCases() {
  const std::string v1 = ValidV1Body();
  std::string framed = std::string("\xff\x06\x00\x00sNaPpY", 10) + "\x01\x09\x00\x00" + "junkjunk";
  // A declared length of 2^32 - 1 in the preamble, then almost nothing.
  std::string bomb = std::string("\xff\xff\xff\xff\x0f", 5) + "\x00";
  // 1 MiB declared (under the limit) in 20 bytes: no valid block expands so far.
  std::string liar = std::string("\x80\x80\x40", 3) + std::string(17, '\x00');
  std::string truncated = Snappy(v1.substr(0, v1.size() - 3));

  V2Builder out_of_range;
  auto* ts = out_of_range.AddSeries({{"__name__", "up"}, {"job", "bad"}}, {{kNow, 1}});
  ts->set_labels_refs(3, 99);
  V2Builder odd;
  odd.AddSeries({{"__name__", "up"}, {"job", "bad"}}, {{kNow, 1}})->add_labels_refs(1);
  V2Builder bad_help;
  bad_help.SetMetadata(bad_help.AddSeries({{"__name__", "up"}, {"job", "bad"}}, {{kNow, 1}}),
                       rw::v2::Metadata::METRIC_TYPE_GAUGE, "h", "");
  bad_help.request().mutable_timeseries(0)->mutable_metadata()->set_help_ref(77);

  const std::string v2t(kV2Type);
  const std::string v1t(kV1Type);
  return {
      {"JsonContentType", "application/json", "snappy", Snappy(v1), 415,
       "unsupported Content-Type"},
      {"MissingContentType", "", "snappy", Snappy(v1), 415, "missing Content-Type"},
      {"UnknownProtoMessage", "application/x-protobuf;proto=foo.Bar", "snappy", Snappy(v1), 415,
       "unsupported protobuf message \"foo.Bar\""},
      {"GzipEncoding", v1t, "gzip", Snappy(v1), 415, "unsupported Content-Encoding \"gzip\""},
      {"MissingEncoding", v1t, "", v1, 415, "missing Content-Encoding"},
      {"FramedSnappy", v1t, "snappy", framed, 400, "framed format"},
      {"NotSnappy", v1t, "snappy", "\xff\xff\xff\xff\xff\xff", 400, "snappy: corrupt"},
      {"EmptyBody", v1t, "snappy", "", 400, "snappy: corrupt"},
      {"CorruptSnappy", v1t, "snappy", Snappy(v1).substr(0, 8), 400, "snappy: corrupt"},
      {"SnappyBomb", v1t, "snappy", bomb, 413, "exceeds the limit of 33554432 bytes"},
      {"ImpossibleExpansion", v1t, "snappy", liar, 400, "cannot hold 1048576 bytes"},
      {"TruncatedProtobuf", v1t, "snappy", truncated, 400, "malformed request: timeseries 0"},
      {"GarbageProtobuf", v1t, "snappy", Snappy("\x0a\xff\xff\xff\xff\x0f"), 400,
       "malformed request"},
      {"WrongWireType", v1t, "snappy", Snappy("\x08\x01"), 400,
       "field 1 has unexpected wire type 0"},
      {"FieldZero", v1t, "snappy", Snappy("\x02\x00"), 400, "invalid field number 0"},
      {"V2IndexOutOfRange", v2t, "snappy", Snappy(out_of_range.Serialize()), 400,
       "timeseries 0: labels_refs[3] = 99 is out of range (5 symbols)"},
      {"V2OddLabelsRefs", v2t, "snappy", Snappy(odd.Serialize()), 400,
       "odd number of labels_refs (5)"},
      {"V2MetadataRefOutOfRange", v2t, "snappy", Snappy(bad_help.Serialize()), 400,
       "metadata reference 77 is out of range"},
  };
}

class BadRequestTest : public ::testing::TestWithParam<BadRequestCase> {};

TEST_P(BadRequestTest, IsRefusedAndChangesNothing) {
  const BadRequestCase& c = GetParam();
  RemoteWriteEnv env;
  WriteRequest baseline;
  AddSeries(&baseline, {{"__name__", "up"}, {"job", "good"}}, {{kNow - 1000, 1}});
  ASSERT_EQ(env.V1(baseline).status, 204);
  auto before = env.All();
  uint64_t series_before = env.db()->head()->num_series();

  api::RemoteWriteResponse r = env.Raw(c.content_type, c.encoding, c.body);
  EXPECT_EQ(r.status, c.status) << r.message;
  EXPECT_THAT(r.message, HasSubstr(c.message));
  EXPECT_EQ(r.samples_written, 0);
  EXPECT_EQ(env.All(), before);
  EXPECT_EQ(env.db()->head()->num_series(), series_before);
}

INSTANTIATE_TEST_SUITE_P(Table, BadRequestTest, ::testing::ValuesIn(BadRequestCases()),
                         [](const auto& info) { return info.param.name; });

TEST(RemoteWriteTest, ContentTypeAndEncodingAreParsedLikeRfc9110) {
  RemoteWriteEnv env;
  std::string body = Snappy(ValidV1Body());
  for (std::string_view type :
       {"application/x-protobuf", "Application/X-Protobuf", " application/x-protobuf ",
        "application/x-protobuf;proto=prometheus.WriteRequest",
        "application/x-protobuf; charset=utf-8; proto=\"prometheus.WriteRequest\""}) {
    api::RemoteWriteResponse r = env.Raw(type, " Snappy", body);
    EXPECT_EQ(r.status, 204) << type << ": " << r.message;
    EXPECT_FALSE(r.v2) << type;
  }
  V2Builder b;
  b.AddSeries({{"__name__", "up"}, {"job", "v2"}}, {{kNow, 1}});
  api::RemoteWriteResponse r =
      env.Raw("application/x-protobuf; PROTO=\"io.prometheus.write.v2.Request\"", "SNAPPY",
              Snappy(b.Serialize()));
  EXPECT_EQ(r.status, 204) << r.message;
  EXPECT_TRUE(r.v2);
  EXPECT_EQ(r.samples_written, 1);
}

// --- 1.0 ingestion. ---

TEST(RemoteWriteTest, WritesEveryValidSample) {
  RemoteWriteEnv env;
  WriteRequest req;
  AddSeries(&req, {{"__name__", "up"}, {"job", "a"}}, {{kNow - 2000, 1}, {kNow - 1000, 0}});
  AddSeries(&req, {{"__name__", "up"}, {"job", "b"}}, {{kNow - 1000, 1}});
  api::RemoteWriteResponse r = env.V1(req);
  EXPECT_EQ(r.status, 204);
  EXPECT_THAT(r.message, IsEmpty());
  EXPECT_FALSE(r.v2);
  EXPECT_EQ(r.samples_written, 3);
  auto all = env.All();
  EXPECT_THAT(all[Up("a")], ElementsAre(Sample{kNow - 2000, 1}, Sample{kNow - 1000, 0}));
  EXPECT_THAT(all[Up("b")], ElementsAre(Sample{kNow - 1000, 1}));
  EXPECT_EQ(all.size(), 2u);
}

TEST(RemoteWriteTest, EmptyRequestIsAccepted) {
  RemoteWriteEnv env;
  EXPECT_EQ(env.V1(WriteRequest()).status, 204);
  EXPECT_EQ(env.Raw(kV2Type, "snappy", Snappy("")).status, 204);
}

TEST(RemoteWriteTest, UnsortedLabelsAreSorted) {
  RemoteWriteEnv env;
  WriteRequest req;
  AddSeries(&req, {{"job", "a"}, {"instance", "i"}, {"__name__", "up"}}, {{kNow - 2000, 1}});
  ASSERT_EQ(env.V1(req).status, 204);
  // The same series, sorted this time, and again unsorted: one series.
  WriteRequest sorted;
  AddSeries(&sorted, {{"__name__", "up"}, {"instance", "i"}, {"job", "a"}}, {{kNow - 1000, 2}});
  ASSERT_EQ(env.V1(sorted).status, 204);
  WriteRequest again;
  AddSeries(&again, {{"instance", "i"}, {"job", "a"}, {"__name__", "up"}}, {{kNow, 3}});
  ASSERT_EQ(env.V1(again).status, 204);
  auto all = env.All();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_THAT(all["up{instance=\"i\", job=\"a\"}"],
              ElementsAre(Sample{kNow - 2000, 1}, Sample{kNow - 1000, 2}, Sample{kNow, 3}));
}

TEST(RemoteWriteTest, EmptyLabelValuesAreDropped) {
  RemoteWriteEnv env;
  WriteRequest req;
  AddSeries(&req, {{"__name__", "up"}, {"env", ""}, {"job", "a"}, {"zone", ""}},
            {{kNow - 1000, 1}});
  AddSeries(&req, {{"__name__", "up"}, {"job", "a"}}, {{kNow, 2}});
  ASSERT_EQ(env.V1(req).status, 204);
  auto all = env.All();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_THAT(all[Up("a")], ElementsAre(Sample{kNow - 1000, 1}, Sample{kNow, 2}));
}

struct InvalidSeriesCase {
  std::string name;
  Pairs labels;
  std::string message;
};

class InvalidSeriesTest : public ::testing::TestWithParam<InvalidSeriesCase> {};

TEST_P(InvalidSeriesTest, IsRejectedAndTheRestWritten) {
  const InvalidSeriesCase& c = GetParam();
  RemoteWriteEnv env;
  WriteRequest req;
  AddSeries(&req, {{"__name__", "up"}, {"job", "before"}}, {{kNow, 1}});
  AddSeries(&req, c.labels, {{kNow, 5}, {kNow + 1, 6}});
  AddSeries(&req, {{"__name__", "up"}, {"job", "after"}}, {{kNow, 2}});
  std::string body = req.SerializeAsString();
  // Protobuf refuses to serialise invalid UTF-8 quietly: patch it in.
  for (size_t at; (at = body.find("@BAD@")) != std::string::npos;) {
    body.replace(at, 5, "\xff\xfe\xc0\xaf\x80");
  }
  api::RemoteWriteResponse r = env.Raw(kV1Type, "snappy", Snappy(body));
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.message, HasSubstr("2 of 4 samples written; 1 series rejected for invalid "
                                   "labels, first: " +
                                   c.message));
  EXPECT_EQ(r.samples_written, 2);
  auto all = env.All();
  EXPECT_THAT(all[Up("before")], ElementsAre(Sample{kNow, 1}));
  EXPECT_THAT(all[Up("after")], ElementsAre(Sample{kNow, 2}));
  EXPECT_EQ(all.size(), 2u);
  api::RemoteWriteStats s = env.handler().stats();
  EXPECT_EQ(s.series_rejected_invalid_labels, 1u);
  EXPECT_EQ(s.samples_rejected_invalid_labels, 2u);
  EXPECT_EQ(s.requests_bad_request, 1u);
  // Received counts what was decoded, before validation.
  EXPECT_EQ(s.series_received, 3u);
  EXPECT_EQ(s.samples_received, 4u);
}

INSTANTIATE_TEST_SUITE_P(
    Table, InvalidSeriesTest,
    ::testing::Values(
        InvalidSeriesCase{"DuplicateName",
                          {{"__name__", "up"}, {"job", "x"}, {"job", "y"}},
                          "duplicate label name \"job\""},
        InvalidSeriesCase{"EmptyName", {{"__name__", "up"}, {"", "x"}}, "invalid label name \"\""},
        InvalidSeriesCase{"MissingMetricName", {{"job", "x"}}, "missing metric name"},
        InvalidSeriesCase{
            "EmptyMetricName", {{"__name__", ""}, {"job", "x"}}, "missing metric name"},
        InvalidSeriesCase{"NoLabels", {}, "missing metric name"},
        InvalidSeriesCase{"InvalidUtf8Name",
                          {{"__name__", "up"}, {"a@BAD@", "x"}},
                          "invalid label name \"a\\xff\\xfe\\xc0\\xaf\\x80\": not valid UTF-8"},
        InvalidSeriesCase{"InvalidUtf8Value",
                          {{"__name__", "up"}, {"job", "@BAD@"}},
                          "invalid UTF-8 in value of label \"job\""}),
    [](const auto& info) { return info.param.name; });

TEST(RemoteWriteTest, SpecialValuesRoundTripBitExactly) {
  RemoteWriteEnv env;
  const double values[] = {kStaleMarker,
                           std::numeric_limits<double>::quiet_NaN(),
                           FromBits(0x7ff8dead0000beefull),  // NaN with a payload
                           FromBits(0xfff0000000000001ull),  // negative signalling NaN
                           std::numeric_limits<double>::infinity(),
                           -std::numeric_limits<double>::infinity(),
                           -0.0,
                           std::numeric_limits<double>::denorm_min(),
                           std::numeric_limits<double>::max()};
  std::vector<Sample> want;
  for (int round = 0; round < 2; ++round) {  // slow path, then fast path
    WriteRequest req;
    Points points;
    for (size_t i = 0; i < std::size(values); ++i) {
      int64_t t = kNow - 100000 + round * 1000 + static_cast<int64_t>(i);
      points.emplace_back(t, values[i]);
      want.push_back({t, values[i]});
    }
    AddSeries(&req, {{"__name__", "special"}}, points);
    ASSERT_EQ(env.V1(req).status, 204);
  }
  EXPECT_EQ(env.All()["special"], want);
  EXPECT_GT(env.handler().stats().series_cache_hits, 0u);
}

TEST(RemoteWriteTest, OutOfOrderAndDuplicateSamplesAreRejectedTheRestWritten) {
  RemoteWriteEnv env;
  WriteRequest first;
  AddSeries(&first, {{"__name__", "up"}, {"job", "a"}}, {{kNow - 500, 1}});
  AddSeries(&first, {{"__name__", "up"}, {"job", "b"}}, {{kNow - 500, 1}});
  ASSERT_EQ(env.V1(first).status, 204);

  WriteRequest req;
  // a: one sample older than what is stored, then a good one.
  AddSeries(&req, {{"__name__", "up"}, {"job", "a"}}, {{kNow - 900, 7}, {kNow - 100, 2}});
  // b: same timestamp with another value (refused), the same value (ignored).
  AddSeries(&req, {{"__name__", "up"}, {"job", "b"}}, {{kNow - 500, 9}});
  AddSeries(&req, {{"__name__", "up"}, {"job", "b"}}, {{kNow - 500, 1}, {kNow - 400, 3}});
  // c: out of order within the request.
  AddSeries(&req, {{"__name__", "up"}, {"job", "c"}}, {{kNow - 100, 1}, {kNow - 200, 2}});
  api::RemoteWriteResponse r = env.V1(req);
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.message,
              HasSubstr("4 of 7 samples written; 3 samples rejected (out of order sample: 2, "
                        "duplicate sample for timestamp: 1), first: out of order sample: series "
                        "up{job=\"a\"}, timestamp " +
                        std::to_string(kNow - 900)));
  EXPECT_EQ(r.samples_written, 4);
  auto all = env.All();
  EXPECT_THAT(all[Up("a")], ElementsAre(Sample{kNow - 500, 1}, Sample{kNow - 100, 2}));
  EXPECT_THAT(all[Up("b")], ElementsAre(Sample{kNow - 500, 1}, Sample{kNow - 400, 3}));
  EXPECT_THAT(all[Up("c")], ElementsAre(Sample{kNow - 100, 1}));
  api::RemoteWriteStats s = env.handler().stats();
  EXPECT_EQ(s.samples_rejected_out_of_order, 2u);
  EXPECT_EQ(s.samples_rejected_duplicate, 1u);
}

TEST(RemoteWriteTest, TimestampsTooFarAheadOrTooOldAreRejected) {
  RemoteWriteEnv env;
  WriteRequest req;
  AddSeries(&req, {{"__name__", "up"}, {"job", "now"}}, {{kNow, 1}});
  AddSeries(&req, {{"__name__", "up"}, {"job", "future"}}, {{kNow + 11 * 60 * 1000, 1}});
  api::RemoteWriteResponse r = env.V1(req);
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.message, HasSubstr("(out of bounds: too far in the future: 1)"));
  WriteRequest old;
  AddSeries(&old, {{"__name__", "up"}, {"job", "old"}}, {{kNow - 2 * 3600 * 1000, 1}});
  r = env.V1(old);
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.message, HasSubstr("out of bounds: too old: series up{job=\"old\"}"));
  auto all = env.All();
  EXPECT_EQ(all.size(), 1u);
  EXPECT_THAT(all[Up("now")], ElementsAre(Sample{kNow, 1}));
  api::RemoteWriteStats s = env.handler().stats();
  EXPECT_EQ(s.samples_rejected_too_far_in_future, 1u);
  EXPECT_EQ(s.samples_rejected_too_old, 1u);
}

TEST(RemoteWriteTest, MetadataIsAppliedToTheFamily) {
  RemoteWriteEnv env;
  WriteRequest series;
  AddSeries(&series, {{"__name__", "http_requests_total"}, {"code", "200"}}, {{kNow, 1}});
  ASSERT_EQ(env.V1(series).status, 204);

  // Prometheus sends metadata in requests of its own.
  WriteRequest md;
  auto* m = md.add_metadata();
  m->set_type(rw::v1::MetricMetadata::COUNTER);
  m->set_metric_family_name("http_requests_total");
  m->set_help("Requests served.");
  m->set_unit("requests");
  auto* unknown = md.add_metadata();
  unknown->set_type(rw::v1::MetricMetadata::GAUGE);
  unknown->set_metric_family_name("never_seen");
  ASSERT_EQ(env.V1(md).status, 204);

  // In the same request as a new series.
  WriteRequest both;
  AddSeries(&both, {{"__name__", "temperature"}}, {{kNow, 21.5}});
  auto* t = both.add_metadata();
  t->set_type(rw::v1::MetricMetadata::GAUGE);
  t->set_metric_family_name("temperature");
  t->set_help("Degrees.");
  ASSERT_EQ(env.V1(both).status, 204);

  auto metadata = env.db()->head()->Metadata();
  ASSERT_EQ(metadata.size(), 2u);
  EXPECT_EQ(metadata[0].first, "http_requests_total");
  EXPECT_EQ(metadata[0].second, (MetricMetadata{1, "requests", "Requests served."}));
  EXPECT_EQ(metadata[1].first, "temperature");
  EXPECT_EQ(metadata[1].second, (MetricMetadata{2, "", "Degrees."}));
  api::RemoteWriteStats s = env.handler().stats();
  EXPECT_EQ(s.metadata_applied, 2u);
  EXPECT_EQ(s.metadata_skipped, 1u);
}

TEST(RemoteWriteTest, HistogramsAreCountedAndReportedFloatsWritten) {
  RemoteWriteEnv env;
  WriteRequest req;
  AddSeries(&req, {{"__name__", "up"}, {"job", "a"}}, {{kNow, 1}});
  auto* h = AddSeries(&req, {{"__name__", "latency"}}, {});
  for (int i = 0; i < 2; ++i) {
    auto* hist = h->add_histograms();
    hist->set_count_int(10);
    hist->set_sum(3.5);
    hist->set_schema(3);
    hist->add_positive_deltas(4);
    hist->add_positive_spans()->set_length(1);
    hist->set_timestamp(kNow + i);
  }
  api::RemoteWriteResponse r = env.V1(req);
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.message, HasSubstr("1 of 1 samples written; native histograms are not "
                                   "supported yet: 2 histogram samples dropped"));
  EXPECT_THAT(env.All()[Up("a")], ElementsAre(Sample{kNow, 1}));
  EXPECT_EQ(env.handler().stats().histograms_dropped, 2u);
}

TEST(RemoteWriteTest, ExemplarsAreAcceptedAndDropped) {
  RemoteWriteEnv env;
  WriteRequest req;
  auto* ts = AddSeries(&req, {{"__name__", "up"}, {"job", "a"}}, {{kNow, 1}});
  auto* ex = ts->add_exemplars();
  ex->set_value(0.5);
  ex->set_timestamp(kNow);
  auto* l = ex->add_labels();
  l->set_name("trace_id");
  l->set_value("abc");
  api::RemoteWriteResponse r = env.V1(req);
  EXPECT_EQ(r.status, 204) << r.message;
  EXPECT_EQ(env.handler().stats().exemplars_dropped, 1u);
}

// --- Storage failures: 5xx, nothing written, retry works. ---

TEST(RemoteWriteTest, DiskFullIs500AndWritesNothingUntilHealed) {
  RemoteWriteEnv env;
  WriteRequest first;
  AddSeries(&first, {{"__name__", "up"}, {"job", "a"}}, {{kNow - 1000, 1}});
  ASSERT_EQ(env.V1(first).status, 204);
  auto before = env.All();

  WriteRequest req;
  AddSeries(&req, {{"__name__", "up"}, {"job", "a"}}, {{kNow, 2}});
  AddSeries(&req, {{"__name__", "up"}, {"job", "new"}}, {{kNow, 3}});
  env.fs().FailNthWrite(1, ENOSPC);
  api::RemoteWriteResponse r = env.V1(req);
  EXPECT_EQ(r.status, 500);
  EXPECT_THAT(r.message, HasSubstr("storage error, nothing written"));
  EXPECT_THAT(r.message, HasSubstr("No space left on device"));
  EXPECT_EQ(r.samples_written, 0);
  EXPECT_EQ(env.All(), before);

  env.fs().FailAllWrites(EIO);
  r = env.V1(req);
  EXPECT_EQ(r.status, 500);
  EXPECT_THAT(r.message, HasSubstr("Input/output error"));
  EXPECT_EQ(env.All(), before);

  // The sender retries the same request once the disk is fixed.
  env.fs().Heal();
  r = env.V1(req);
  EXPECT_EQ(r.status, 204) << r.message;
  auto all = env.All();
  EXPECT_THAT(all[Up("a")], ElementsAre(Sample{kNow - 1000, 1}, Sample{kNow, 2}));
  EXPECT_THAT(all[Up("new")], ElementsAre(Sample{kNow, 3}));
  EXPECT_EQ(env.handler().stats().requests_storage_error, 2u);
}

TEST(RemoteWriteTest, V2StorageFailureReportsNothingWritten) {
  RemoteWriteEnv env;
  V2Builder b;
  b.AddSeries({{"__name__", "up"}, {"job", "a"}}, {{kNow, 2}});
  env.fs().FailNthWrite(1, ENOSPC);
  api::RemoteWriteResponse r = env.V2(b);
  EXPECT_EQ(r.status, 500);
  EXPECT_TRUE(r.v2);
  EXPECT_EQ(r.samples_written, 0);
  EXPECT_THAT(env.All(), IsEmpty());
}

// --- The series-ref cache. ---

// Sends `rounds` requests of `series` series with a sample each, sometimes
// with labels unsorted or with empty values, through `env`.
void SendRounds(RemoteWriteEnv& env, int rounds, int series) {
  for (int round = 0; round < rounds; ++round) {
    WriteRequest req;
    for (int s = 0; s < series; ++s) {
      Pairs labels = {{"__name__", "metric_" + std::to_string(s % 7)},
                      {"instance", "host-" + std::to_string(s)},
                      {"job", "node"}};
      if (s % 5 == 0) std::swap(labels[0], labels[2]);
      if (s % 3 == 0) labels.push_back({"zone", ""});
      AddSeries(&req, labels, {{kNow - 100000 + round * 15000, round * 1.5 + s}});
    }
    api::RemoteWriteResponse r = env.V1(req);
    ASSERT_EQ(r.status, 204) << r.message;
    ASSERT_EQ(r.samples_written, series);
  }
}

TEST(RemoteWriteTest, FastAndSlowPathsStoreTheSame) {
  RemoteWriteEnv cached;
  SendRounds(cached, 5, 200);
  api::RemoteWriteStats s = cached.handler().stats();
  EXPECT_EQ(s.series_cache_misses, 200u);
  EXPECT_EQ(s.series_cache_hits, 800u);

  // Every lookup lands on another series' entry: all hits fail verification.
  RemoteWriteEnv colliding;
  colliding.handler().ForceSeriesHashForTesting(true, 42);
  SendRounds(colliding, 5, 200);
  EXPECT_EQ(colliding.handler().stats().series_cache_hits, 0u);

  // A cache of one entry per shard keeps evicting.
  api::RemoteWriteOptions tiny;
  tiny.max_cached_series = 1;
  RemoteWriteEnv evicting(tiny);
  SendRounds(evicting, 5, 200);
  EXPECT_GT(evicting.handler().stats().series_cache_evictions, 0u);

  auto want = cached.All();
  EXPECT_EQ(want.size(), 200u);
  EXPECT_EQ(want["metric_1{instance=\"host-1\", job=\"node\"}"].size(), 5u);
  EXPECT_EQ(colliding.All(), want);
  EXPECT_EQ(evicting.All(), want);
  EXPECT_EQ(colliding.db()->head()->num_series(), 200u);
}

TEST(RemoteWriteTest, CollidingHashNeverMixesSeries) {
  RemoteWriteEnv env;
  // Two series that collide in the cache, alternating, across requests.
  env.handler().ForceSeriesHashForTesting(true, 7);
  for (int i = 0; i < 4; ++i) {
    WriteRequest req;
    AddSeries(&req, {{"__name__", "a"}}, {{kNow - 10000 + i, 1.0 * i}});
    AddSeries(&req, {{"__name__", "b"}}, {{kNow - 10000 + i, -1.0 * i}});
    ASSERT_EQ(env.V1(req).status, 204);
  }
  auto all = env.All();
  ASSERT_EQ(all.size(), 2u);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(all["a"][i], (Sample{kNow - 10000 + i, 1.0 * i}));
    EXPECT_EQ(all["b"][i], (Sample{kNow - 10000 + i, -1.0 * i}));
  }
}

TEST(RemoteWriteTest, CachedRefsOfTruncatedSeriesFallBackToLookup) {
  RemoteWriteEnv env;
  auto request = [](int64_t t, double v) {
    WriteRequest req;
    AddSeries(&req, {{"__name__", "up"}, {"job", "a"}}, {{t, v}});
    AddSeries(&req, {{"__name__", "up"}, {"job", "b"}}, {{t, -v}});
    return req;
  };
  const int64_t t0 = kNow - 50000;
  ASSERT_EQ(env.V1(request(t0, 1)).status, 204);
  ASSERT_EQ(env.V1(request(t0 + 1000, 2)).status, 204);
  EXPECT_EQ(env.handler().stats().series_cache_hits, 2u);

  // Truncation removes both series; their refs are still cached.
  const int64_t mint = t0 + 10000;
  TruncateStats removed = env.db()->head()->Truncate(mint);
  ASSERT_EQ(removed.series_removed, 2u);
  ASSERT_EQ(env.db()->head()->num_series(), 0u);

  // The stale refs are rejected, the series are looked up (and created)
  // again under new refs, and the cache then hits on those.
  api::RemoteWriteResponse r = env.V1(request(mint, 3));
  ASSERT_EQ(r.status, 204) << r.message;
  EXPECT_EQ(r.samples_written, 2);
  EXPECT_EQ(env.handler().stats().series_cache_misses, 4u);
  ASSERT_EQ(env.V1(request(mint + 1000, 4)).status, 204);
  EXPECT_EQ(env.handler().stats().series_cache_hits, 4u);
  EXPECT_EQ(env.db()->head()->num_series(), 2u);

  auto q = env.db()->head()->NewQuerier(mint, std::numeric_limits<int64_t>::max());
  auto all = ReadAll(*q, {M(MatchType::kEqual, "__name__", "up")});
  ASSERT_EQ(all.size(), 2u);
  EXPECT_THAT(all["up{job=\"a\"}"], ElementsAre(Sample{mint, 3}, Sample{mint + 1000, 4}));
  EXPECT_THAT(all["up{job=\"b\"}"], ElementsAre(Sample{mint, -3}, Sample{mint + 1000, -4}));
}

TEST(RemoteWriteTest, ConcurrentRequestsIngestEverything) {
  RemoteWriteEnv env;
  constexpr int kThreads = 4, kRequests = 25, kSeries = 50;
  std::vector<std::thread> threads;
  for (int th = 0; th < kThreads; ++th) {
    threads.emplace_back([&env, th] {
      for (int i = 0; i < kRequests; ++i) {
        WriteRequest req;
        for (int s = 0; s < kSeries; ++s) {
          AddSeries(
              &req,
              {{"__name__", "load"}, {"series", std::to_string(s)}, {"thread", std::to_string(th)}},
              {{kNow - 100000 + i, static_cast<double>(i)}});
        }
        api::RemoteWriteResponse r = env.V1(req);
        EXPECT_EQ(r.status, 204) << r.message;
      }
    });
  }
  for (auto& t : threads) t.join();
  auto all = env.All();
  EXPECT_EQ(all.size(), static_cast<size_t>(kThreads * kSeries));
  for (const auto& [name, samples] : all) EXPECT_EQ(samples.size(), size_t{kRequests}) << name;
  api::RemoteWriteStats s = env.handler().stats();
  EXPECT_EQ(s.samples_written, uint64_t{kThreads * kRequests * kSeries});
  EXPECT_EQ(s.requests_ok, uint64_t{kThreads * kRequests});
  EXPECT_EQ(s.requests_v1, uint64_t{kThreads * kRequests});
  EXPECT_GT(s.bytes_decoded, s.bytes_received);
}

}  // namespace
}  // namespace strata::testing
