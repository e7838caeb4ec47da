#include "wal/records.h"

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace strata::wal {
namespace {

using ::testing::HasSubstr;

uint64_t Bits(double v) { return std::bit_cast<uint64_t>(v); }

TEST(RecordsTest, SeriesRoundTrip) {
  std::vector<RefSeries> in = {
      {1, Labels::FromStrings({"__name__", "up", "instance", "a:9100", "job", "node"})},
      {2, Labels()},
      {std::numeric_limits<uint64_t>::max(),
       Labels::FromStrings({"__name__", "x", "utf8", "µs ✓", "z", std::string(300, 'v')})},
  };
  std::string rec;
  EncodeSeries(in, &rec);
  EXPECT_EQ(PeekType(rec), RecordType::kSeries);
  std::vector<RefSeries> out;
  ASSERT_TRUE(DecodeSeries(rec, &out).ok());
  ASSERT_EQ(out.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ(out[i].ref, in[i].ref);
    EXPECT_EQ(out[i].labels, in[i].labels) << i;
  }
}

TEST(RecordsTest, SamplesRoundTripBitExact) {
  const double kStale = std::bit_cast<double>(uint64_t{0x7ff0000000000002});
  std::vector<RefSample> in = {
      {5, 1700000000000, 1.5},
      {5, 1700000015000, -0.0},
      {6, 1700000000000, kStale},
      {0, std::numeric_limits<int64_t>::min(), std::numeric_limits<double>::infinity()},
      {std::numeric_limits<uint64_t>::max(), std::numeric_limits<int64_t>::max(),
       -std::numeric_limits<double>::infinity()},
      {3, -1, std::numeric_limits<double>::quiet_NaN()},
      {3, 0, std::numeric_limits<double>::denorm_min()},
  };
  std::string rec;
  EncodeSamples(in, &rec);
  std::vector<RefSample> out;
  ASSERT_TRUE(DecodeSamples(rec, &out).ok());
  ASSERT_EQ(out.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ(out[i].ref, in[i].ref) << i;
    EXPECT_EQ(out[i].t, in[i].t) << i;
    EXPECT_EQ(Bits(out[i].v), Bits(in[i].v)) << i;
  }
}

TEST(RecordsTest, SamplesRandomRoundTrip) {
  std::mt19937_64 rng(42);
  for (int iter = 0; iter < 50; ++iter) {
    std::vector<RefSample> in(rng() % 500);
    for (auto& s : in) {
      s.ref = rng() % (iter % 2 ? 1000 : std::numeric_limits<uint64_t>::max());
      s.t = static_cast<int64_t>(rng());
      s.v = std::bit_cast<double>(rng());
    }
    std::string rec;
    EncodeSamples(in, &rec);
    std::vector<RefSample> out;
    ASSERT_TRUE(DecodeSamples(rec, &out).ok());
    ASSERT_EQ(out.size(), in.size());
    for (size_t i = 0; i < in.size(); ++i) {
      ASSERT_EQ(out[i].ref, in[i].ref);
      ASSERT_EQ(out[i].t, in[i].t);
      ASSERT_EQ(Bits(out[i].v), Bits(in[i].v));
    }
  }
}

TEST(RecordsTest, SamplesAreCompact) {
  // The remote-write shape: 1000 series, two samples each, 15 s apart.
  std::vector<RefSample> in;
  for (uint64_t ref = 100000; ref < 101000; ++ref) {
    in.push_back({ref, 1700000000000, 1.0});
    in.push_back({ref, 1700000015000, 2.0});
  }
  std::string rec;
  EncodeSamples(in, &rec);
  // 8 value bytes + 1 ref-delta byte + 1..3 time-delta bytes.
  EXPECT_LE(rec.size(), in.size() * 11 + 32) << rec.size() / static_cast<double>(in.size());
}

TEST(RecordsTest, EmptyRecordsRoundTrip) {
  std::string rec;
  EncodeSamples({}, &rec);
  std::vector<RefSample> samples;
  EXPECT_TRUE(DecodeSamples(rec, &samples).ok());
  EXPECT_TRUE(samples.empty());
  rec.clear();
  EncodeSeries({}, &rec);
  std::vector<RefSeries> series;
  EXPECT_TRUE(DecodeSeries(rec, &series).ok());
  EXPECT_TRUE(series.empty());
}

TEST(RecordsTest, TombstonesRoundTrip) {
  std::vector<RefTombstone> in = {
      {1, 0, 100},
      {2, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()},
      {3, -50, -10}};
  std::string rec;
  EncodeTombstones(in, &rec);
  EXPECT_EQ(PeekType(rec), RecordType::kTombstones);
  std::vector<RefTombstone> out;
  ASSERT_TRUE(DecodeTombstones(rec, &out).ok());
  ASSERT_EQ(out.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ(out[i].ref, in[i].ref);
    EXPECT_EQ(out[i].mint, in[i].mint);
    EXPECT_EQ(out[i].maxt, in[i].maxt);
  }
}

TEST(RecordsTest, MetadataRoundTrip) {
  std::vector<RefMetadata> in = {
      {1, 1, "seconds", "Total time."}, {2, 7, "", ""}, {9, 5, "bytes", std::string(1000, 'h')}};
  std::string rec;
  EncodeMetadata(in, &rec);
  EXPECT_EQ(PeekType(rec), RecordType::kMetadata);
  std::vector<RefMetadata> out;
  ASSERT_TRUE(DecodeMetadata(rec, &out).ok());
  ASSERT_EQ(out.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ(out[i].ref, in[i].ref);
    EXPECT_EQ(out[i].type, in[i].type);
    EXPECT_EQ(out[i].unit, in[i].unit);
    EXPECT_EQ(out[i].help, in[i].help);
  }
}

TEST(RecordsTest, DecodersAppendAndEncodersReuse) {
  std::string rec = "prefix";
  EncodeSamples(std::vector<RefSample>{{1, 2, 3}}, &rec);
  std::string_view body = std::string_view(rec).substr(6);
  std::vector<RefSample> out = {{7, 7, 7}};
  ASSERT_TRUE(DecodeSamples(body, &out).ok());
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].ref, 7u);
  EXPECT_EQ(out[1].ref, 1u);
}

TEST(RecordsTest, PeekType) {
  EXPECT_EQ(PeekType(""), RecordType::kInvalid);
  EXPECT_EQ(PeekType(std::string_view("\0", 1)), RecordType::kInvalid);
  EXPECT_EQ(PeekType("\x05"), RecordType::kInvalid);
  EXPECT_EQ(PeekType("\x01"), RecordType::kSeries);
  EXPECT_EQ(PeekType("\x02xyz"), RecordType::kSamples);
}

TEST(RecordsTest, WrongTypeIsDataLoss) {
  std::string rec;
  EncodeTombstones(std::vector<RefTombstone>{{1, 2, 3}}, &rec);
  std::vector<RefSample> out;
  absl::Status s = DecodeSamples(rec, &out);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("unexpected record type 3"));
  std::vector<RefSeries> series;
  EXPECT_EQ(DecodeSeries("", &series).code(), absl::StatusCode::kDataLoss);
}

// Every strict prefix of a valid record is rejected and appends nothing.
TEST(RecordsTest, TruncatedRecordsAreDataLoss) {
  std::string series, samples, tombstones, metadata;
  EncodeSeries(std::vector<RefSeries>{{1, Labels::FromStrings({"a", "1", "b", "22"})},
                                      {300, Labels::FromStrings({"c", "333"})}},
               &series);
  EncodeSamples(std::vector<RefSample>{{1, 1000, 1.0}, {2, 2000, 2.0}, {3, 3000, 3.0}}, &samples);
  EncodeTombstones(std::vector<RefTombstone>{{1, 0, 100}, {2, 5, 500}}, &tombstones);
  EncodeMetadata(std::vector<RefMetadata>{{1, 1, "s", "help"}, {2, 2, "b", "more"}}, &metadata);
  for (size_t n = 0; n < series.size(); ++n) {
    std::vector<RefSeries> out;
    EXPECT_EQ(DecodeSeries(series.substr(0, n), &out).code(), absl::StatusCode::kDataLoss) << n;
    EXPECT_TRUE(out.empty()) << n;
  }
  for (size_t n = 0; n < samples.size(); ++n) {
    std::vector<RefSample> out;
    EXPECT_EQ(DecodeSamples(samples.substr(0, n), &out).code(), absl::StatusCode::kDataLoss) << n;
    EXPECT_TRUE(out.empty()) << n;
  }
  for (size_t n = 0; n < tombstones.size(); ++n) {
    std::vector<RefTombstone> out;
    EXPECT_EQ(DecodeTombstones(tombstones.substr(0, n), &out).code(), absl::StatusCode::kDataLoss)
        << n;
    EXPECT_TRUE(out.empty()) << n;
  }
  for (size_t n = 0; n < metadata.size(); ++n) {
    std::vector<RefMetadata> out;
    EXPECT_EQ(DecodeMetadata(metadata.substr(0, n), &out).code(), absl::StatusCode::kDataLoss) << n;
    EXPECT_TRUE(out.empty()) << n;
  }
}

TEST(RecordsTest, TrailingBytesAreDataLoss) {
  std::string rec;
  EncodeSamples(std::vector<RefSample>{{1, 2, 3}}, &rec);
  rec.push_back('x');
  std::vector<RefSample> out;
  absl::Status s = DecodeSamples(rec, &out);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("trailing"));
  EXPECT_TRUE(out.empty());
}

TEST(RecordsTest, HugeCountsAreRejectedBeforeAllocating) {
  // Type, then count = 2^63: far more entries than bytes.
  std::string rec = "\x02";
  for (int i = 0; i < 9; ++i) rec.push_back('\xff');
  rec.push_back('\x00');
  std::vector<RefSample> out;
  absl::Status s = DecodeSamples(rec, &out);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("entry count"));
  // A series with a huge label count.
  std::string series = "\x01\x01\x05\xff\xff\xff\x0f";
  std::vector<RefSeries> sout;
  s = DecodeSeries(series, &sout);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("label count"));
}

TEST(RecordsTest, UnsortedOrDuplicateLabelsAreDataLoss) {
  auto make = [](std::vector<std::pair<std::string, std::string>> pairs) {
    std::string rec = "\x01\x01\x07";
    rec.push_back(static_cast<char>(pairs.size()));
    for (auto& [n, v] : pairs) {
      rec.push_back(static_cast<char>(n.size()));
      rec += n;
      rec.push_back(static_cast<char>(v.size()));
      rec += v;
    }
    return rec;
  };
  std::vector<RefSeries> out;
  EXPECT_TRUE(DecodeSeries(make({{"a", "1"}, {"b", "2"}}), &out).ok());
  out.clear();
  absl::Status s = DecodeSeries(make({{"b", "1"}, {"a", "2"}}), &out);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("not sorted"));
  EXPECT_EQ(DecodeSeries(make({{"a", "1"}, {"a", "2"}}), &out).code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(DecodeSeries(make({{"", "1"}}), &out).code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(out.empty());
}

// Random bytes never crash a decoder (run under ASan for the full value).
TEST(RecordsTest, GarbageNeverCrashes) {
  std::mt19937 rng(7);
  std::vector<RefSeries> series;
  std::vector<RefSample> samples;
  std::vector<RefTombstone> tombstones;
  std::vector<RefMetadata> metadata;
  for (int i = 0; i < 20000; ++i) {
    std::string rec(rng() % 64, '\0');
    for (char& c : rec) c = static_cast<char>(rng());
    if (!rec.empty()) rec[0] = static_cast<char>(1 + rng() % 4);
    DecodeSeries(rec, &series).IgnoreError();
    DecodeSamples(rec, &samples).IgnoreError();
    DecodeTombstones(rec, &tombstones).IgnoreError();
    DecodeMetadata(rec, &metadata).IgnoreError();
    series.clear();
    samples.clear();
    tombstones.clear();
    metadata.clear();
  }
}

}  // namespace
}  // namespace strata::wal
