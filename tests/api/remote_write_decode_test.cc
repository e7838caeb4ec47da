// Remote-write decoding internals: the wire-format decoders, snappy bodies
// and the series-ref cache.
#include "api/remote_write_decode.h"

#include <random>
#include <set>

#include "api/series_ref_cache.h"
#include "api/snappy_body.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/api/remote_write_test_util.h"

namespace strata::testing {
namespace {

using api::rw_internal::DecodedRequest;
using api::rw_internal::DecodeV1;
using api::rw_internal::DecodeV2;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Minimal protobuf encoding by hand, for shapes the generated code never
// writes (unpacked repeated fields, interleaved or unknown fields, groups).
std::string Varint(uint64_t v) {
  std::string s;
  while (v >= 0x80) {
    s.push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  s.push_back(static_cast<char>(v));
  return s;
}
std::string Key(int field, int type) { return Varint(uint64_t(field) << 3 | type); }
std::string Bytes(int field, const std::string& b) { return Key(field, 2) + Varint(b.size()) + b; }
std::string VarintField(int field, uint64_t v) { return Key(field, 0) + Varint(v); }
std::string DoubleField(int field, double d) {
  std::string s = Key(field, 1);
  s.append(reinterpret_cast<const char*>(&d), 8);
  return s;
}
std::string LabelMsg(const std::string& n, const std::string& v) {
  return Bytes(1, n) + Bytes(2, v);
}
std::string SampleMsg(int64_t t, double v) {
  return DoubleField(1, v) + VarintField(2, static_cast<uint64_t>(t));
}

std::vector<std::pair<std::string, std::string>> LabelsOf(const DecodedRequest& r, size_t i) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const Label& l : r.LabelsOf(r.series[i])) out.emplace_back(l.name, l.value);
  return out;
}

TEST(RemoteWriteDecodeTest, V1SkipsUnknownFieldsAndGroups) {
  std::string ts = Bytes(1, LabelMsg("__name__", "up") + VarintField(9, 5)) +
                   Bytes(2, SampleMsg(-5, 1.5) + Bytes(7, "x")) + VarintField(15, 3) + Key(16, 3) +
                   VarintField(1, 1) + Key(16, 4);  // a group
  std::string body = Bytes(1, ts) + Bytes(2, "cortex source") + DoubleField(99, 1);
  DecodedRequest r;
  ASSERT_TRUE(DecodeV1(body, &r).ok());
  ASSERT_EQ(r.series.size(), 1u);
  EXPECT_THAT(LabelsOf(r, 0), ElementsAre(std::pair<std::string, std::string>("__name__", "up")));
  ASSERT_EQ(r.SamplesOf(r.series[0]).size(), 1u);
  EXPECT_EQ(r.SamplesOf(r.series[0])[0].t, -5);
  EXPECT_EQ(r.SamplesOf(r.series[0])[0].v, 1.5);
}

TEST(RemoteWriteDecodeTest, V1HashIsOverLabelBytesAsSent) {
  // The decoded views point into the bodies: keep them alive.
  std::vector<std::string> bodies;
  auto decode = [&bodies](std::string body) {
    bodies.push_back(std::move(body));
    DecodedRequest r;
    EXPECT_TRUE(DecodeV1(bodies.back(), &r).ok());
    return r;
  };
  bodies.reserve(4);
  std::string labels = Bytes(1, LabelMsg("__name__", "up")) + Bytes(1, LabelMsg("job", "a"));
  DecodedRequest a = decode(Bytes(1, labels + Bytes(2, SampleMsg(1, 1))));
  DecodedRequest b = decode(Bytes(1, labels + Bytes(2, SampleMsg(2, 7))));
  DecodedRequest c =
      decode(Bytes(1, Bytes(1, LabelMsg("__name__", "up")) + Bytes(1, LabelMsg("job", "b")) +
                          Bytes(2, SampleMsg(1, 1))));
  EXPECT_EQ(a.series[0].hash, b.series[0].hash);  // samples do not matter
  EXPECT_NE(a.series[0].hash, c.series[0].hash);

  // Labels interleaved with samples: hashed as the normalised set instead.
  DecodedRequest d = decode(Bytes(1, Bytes(1, LabelMsg("job", "a")) + Bytes(2, SampleMsg(1, 1)) +
                                         Bytes(1, LabelMsg("__name__", "up"))));
  EXPECT_EQ(d.series[0].hash, Labels::FromStrings({"__name__", "up", "job", "a"}).Hash());
  EXPECT_EQ(LabelsOf(d, 0), LabelsOf(a, 0));
}

TEST(RemoteWriteDecodeTest, NormalizeSortsAndDropsEmptyValues) {
  std::vector<Label> labels = {{"keep", "me"}, {"z", "1"}, {"a", ""},
                               {"b", "2"},     {"b", "1"}, {"__name__", "m"}};
  uint32_t end = api::rw_internal::NormalizeTail(&labels, 1);
  EXPECT_EQ(end, 5u);
  EXPECT_THAT(labels, ElementsAre(Label{"keep", "me"}, Label{"__name__", "m"}, Label{"b", "1"},
                                  Label{"b", "2"}, Label{"z", "1"}));
  std::vector<std::string> values;
  for (int i = 40; i > 0; --i) values.push_back(std::to_string(i));
  std::vector<Label> many;
  for (size_t i = 0; i < values.size(); ++i) many.push_back({i % 2 ? "odd" : "even", values[i]});
  api::rw_internal::NormalizeTail(&many, 0);
  EXPECT_TRUE(std::is_sorted(many.begin(), many.end(), [](const Label& a, const Label& b) {
    return a.name != b.name ? a.name < b.name : a.value < b.value;
  }));
}

TEST(RemoteWriteDecodeTest, V2AcceptsUnpackedReferencesAndHashesStrings) {
  std::string ts = VarintField(1, 1) + VarintField(1, 2) + Bytes(1, Varint(3) + Varint(4)) +
                   Bytes(2, SampleMsg(10, 2)) + VarintField(6, 99);
  std::string body = Bytes(4, "") + Bytes(4, "__name__") + Bytes(4, "up") + Bytes(4, "job") +
                     Bytes(4, "j") + Bytes(5, ts);
  DecodedRequest r;
  ASSERT_TRUE(DecodeV2(body, &r).ok());
  ASSERT_EQ(r.series.size(), 1u);
  EXPECT_EQ(LabelsOf(r, 0),
            (std::vector<std::pair<std::string, std::string>>{{"__name__", "up"}, {"job", "j"}}));

  // The same labels through another symbol table: the same cache key.
  std::string other =
      Bytes(4, "") + Bytes(4, "j") + Bytes(4, "job") + Bytes(4, "up") + Bytes(4, "__name__") +
      Bytes(5,
            Bytes(1, Varint(4) + Varint(3) + Varint(2) + Varint(1)) + Bytes(2, SampleMsg(11, 3)));
  DecodedRequest r2;
  ASSERT_TRUE(DecodeV2(other, &r2).ok());
  EXPECT_EQ(r2.series[0].hash, r.series[0].hash);
  std::string different = Bytes(4, "") + Bytes(4, "__name__") + Bytes(4, "up") + Bytes(4, "job") +
                          Bytes(4, "k") +
                          Bytes(5, Bytes(1, Varint(1) + Varint(2) + Varint(3) + Varint(4)));
  DecodedRequest r3;
  ASSERT_TRUE(DecodeV2(different, &r3).ok());
  EXPECT_NE(r3.series[0].hash, r.series[0].hash);
}

// Every prefix of a valid request that does not end on a top-level field
// boundary is refused; none crashes.
TEST(RemoteWriteDecodeTest, TruncationIsDetectedAtEveryByte) {
  rw::v1::WriteRequest v1;
  V2Builder v2;
  std::set<size_t> v1_ends = {0}, v2_ends;
  for (int i = 0; i < 3; ++i) {
    Pairs labels = {{"__name__", "m"}, {"i", std::to_string(i)}};
    AddSeries(&v1, labels, {{kNow, 1.5}, {kNow + 1, -2}});
    v1_ends.insert(v1.ByteSizeLong());
    v2.AddSeries(labels, {{kNow, 1.5}});
  }
  auto* md = v1.add_metadata();
  md->set_metric_family_name("m");
  md->set_help("h");
  v1_ends.insert(v1.ByteSizeLong());
  std::string body = v1.SerializeAsString();
  DecodedRequest r;
  for (size_t n = 0; n < body.size(); ++n) {
    absl::Status st = DecodeV1(std::string_view(body).substr(0, n), &r);
    EXPECT_EQ(st.ok(), v1_ends.contains(n)) << n << ": " << st;
  }
  // 2.0: symbols come first, then series; a prefix cut inside a symbol or a
  // series is refused; one cut between series references symbols it has.
  std::string body2 = v2.Serialize();
  for (size_t n = 0; n < body2.size(); ++n) {
    absl::Status st = DecodeV2(std::string_view(body2).substr(0, n), &r);
    if (!st.ok()) {
      EXPECT_THAT(std::string(st.message()), HasSubstr("malformed request")) << n;
    }
  }
}

// Random corruption of valid requests: never a crash (run under ASan/UBSan).
TEST(RemoteWriteDecodeTest, RandomCorruptionNeverCrashes) {
  rw::v1::WriteRequest v1;
  V2Builder v2;
  for (int i = 0; i < 5; ++i) {
    Pairs labels = {{"__name__", "m"}, {"i", std::to_string(i)}};
    auto* ts = AddSeries(&v1, labels, {{kNow, 1.5}});
    ts->add_histograms()->set_count_int(3);
    ts->add_exemplars()->set_value(1);
    auto* s2 = v2.AddSeries(labels, {{kNow, 1.5}});
    v2.SetMetadata(s2, rw::v2::Metadata::METRIC_TYPE_GAUGE, "help", "unit");
    s2->add_exemplars()->add_labels_refs(1);
    s2->mutable_exemplars(0)->add_labels_refs(2);
  }
  const std::string bodies[] = {v1.SerializeAsString(), v2.Serialize()};
  std::mt19937_64 rng(1);
  DecodedRequest r;
  int failures = 0;
  for (int i = 0; i < 4000; ++i) {
    std::string b = bodies[i % 2];
    int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) b[rng() % b.size()] = static_cast<char>(rng());
    absl::Status st = i % 2 == 0 ? DecodeV1(b, &r) : DecodeV2(b, &r);
    if (!st.ok()) {
      ++failures;
      EXPECT_THAT(std::string(st.message()), HasSubstr("malformed request"));
    }
  }
  EXPECT_GT(failures, 100);
}

TEST(SnappyBodyTest, DecodesRefusesAndReusesItsBuffer) {
  api::DecodedBuffer buf;
  std::string message;
  std::string raw(100000, 'x');
  ASSERT_EQ(api::DecodeSnappyBlock(Snappy(raw), 1 << 20, &buf, &message), api::SnappyResult::kOk);
  EXPECT_EQ(buf.view(), raw);
  size_t capacity = buf.capacity();
  ASSERT_EQ(api::DecodeSnappyBlock(Snappy("small"), 1 << 20, &buf, &message),
            api::SnappyResult::kOk);
  EXPECT_EQ(buf.view(), "small");
  EXPECT_EQ(buf.capacity(), capacity);
  // Highly compressible input is fine right up to the limit.
  EXPECT_EQ(api::DecodeSnappyBlock(Snappy(raw), raw.size(), &buf, &message),
            api::SnappyResult::kOk);
  EXPECT_EQ(api::DecodeSnappyBlock(Snappy(raw), raw.size() - 1, &buf, &message),
            api::SnappyResult::kTooLarge);
  EXPECT_THAT(message, HasSubstr("decoded body of 100000 bytes exceeds the limit of 99999"));
  buf.Shrink(1000);
  EXPECT_EQ(buf.capacity(), 0u);
}

TEST(SeriesRefCacheTest, LooksUpInsertsAndStaysBounded) {
  api::SeriesRefCache cache(128);
  api::SeriesRefCache::Entry e;
  EXPECT_FALSE(cache.Lookup(1, &e));
  cache.Insert(1, {42, 0});
  ASSERT_TRUE(cache.Lookup(1, &e));
  EXPECT_EQ(e.ref, 42u);
  EXPECT_EQ(e.metadata, 0u);
  cache.SetMetadata(1, 42, 7);
  cache.SetMetadata(1, 43, 9);  // another ref: ignored
  ASSERT_TRUE(cache.Lookup(1, &e));
  EXPECT_EQ(e.metadata, 7u);
  const SeriesRef big = (SeriesRef{1} << 34) - 1;
  const uint32_t fp = api::SeriesRefCache::MetadataFingerprint(~uint64_t{0});
  cache.Insert(2, {big, fp});
  ASSERT_TRUE(cache.Lookup(2, &e));
  EXPECT_EQ(e.ref, big);
  EXPECT_EQ(e.metadata, fp);
  EXPECT_NE(api::SeriesRefCache::MetadataFingerprint(0), 0u);

  std::mt19937_64 rng(3);
  for (int i = 0; i < 100000; ++i) cache.Insert(rng(), {static_cast<SeriesRef>(i + 1), 0});
  EXPECT_LE(cache.size(), 128u);
  EXPECT_GT(cache.evictions(), 0u);
}

}  // namespace
}  // namespace strata::testing
