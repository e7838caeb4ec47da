#include "tsdb/block/meta.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace strata::block {
namespace {

using ::testing::HasSubstr;

constexpr char kA[] = "01ARZ3NDEKTSV4RRFFQ69G5FAV";
constexpr char kB[] = "01BKGV7JBM69T2G1BGBGM6KB12";

BlockMeta Sample() {
  BlockMeta m;
  m.ulid = kB;
  m.min_time = -5;
  m.max_time = 7200000;
  m.num_samples = 553673232;
  m.num_series = 1346066;
  m.num_chunks = 4440437;
  m.level = 2;
  m.sources = {kA, kB};
  m.parents = {kA};
  return m;
}

TEST(MetaTest, EncodesPrometheusShape) {
  EXPECT_EQ(EncodeMeta(Sample()), R"({
  "ulid": "01BKGV7JBM69T2G1BGBGM6KB12",
  "minTime": -5,
  "maxTime": 7200000,
  "stats": {
    "numSamples": 553673232,
    "numSeries": 1346066,
    "numChunks": 4440437
  },
  "compaction": {
    "level": 2,
    "sources": [
      "01ARZ3NDEKTSV4RRFFQ69G5FAV",
      "01BKGV7JBM69T2G1BGBGM6KB12"
    ],
    "parents": [
      "01ARZ3NDEKTSV4RRFFQ69G5FAV"
    ]
  },
  "version": 1
}
)");
}

TEST(MetaTest, RoundTrips) {
  auto m = DecodeMeta(EncodeMeta(Sample()));
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(*m, Sample());
  BlockMeta empty;
  empty.ulid = kA;
  empty.sources = {kA};
  EXPECT_EQ(*DecodeMeta(EncodeMeta(empty)), empty);
}

TEST(MetaTest, IgnoresUnknownKeys) {
  auto m = DecodeMeta(R"({"ulid":"01BKGV7JBM69T2G1BGBGM6KB12","minTime":1,"maxTime":2,
    "stats":{"numSamples":3,"numSeries":4,"numChunks":5,"numTombstones":0},
    "compaction":{"level":1,"sources":[],"parents":[]},"version":1,"thanos":{}})");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->num_chunks, 5u);
  EXPECT_EQ(m->max_time, 2);
}

// Replaces the first occurrence of `from` in the sample's JSON.
std::string Mutated(std::string from, std::string to) {
  std::string json = EncodeMeta(Sample());
  size_t at = json.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return json.replace(at, from.size(), to);
}

struct BadCase {
  std::string json;
  absl::StatusCode code;
  std::string message;
};

TEST(MetaTest, RejectsBadInput) {
  std::vector<BadCase> cases = {
      {"", absl::StatusCode::kDataLoss, "meta.json: not valid JSON"},
      {"{", absl::StatusCode::kDataLoss, "not valid JSON"},
      {"[1]", absl::StatusCode::kDataLoss, "not a JSON object"},
      {Mutated("\"version\": 1", "\"version\": 2"), absl::StatusCode::kInvalidArgument,
       "unsupported version 2"},
      {Mutated("\"version\": 1", "\"versionX\": 1"), absl::StatusCode::kDataLoss,
       "missing \"version\""},
      {Mutated("\"ulid\"", "\"ulidX\""), absl::StatusCode::kDataLoss, "missing \"ulid\""},
      {Mutated("\"ulid\": \"01BKGV7JBM69T2G1BGBGM6KB12\"", "\"ulid\": 7"),
       absl::StatusCode::kDataLoss, "\"ulid\" is not a string"},
      {Mutated("\"ulid\": \"01BKGV7JBM69T2G1BGBGM6KB12\"", "\"ulid\": \"nope\""),
       absl::StatusCode::kInvalidArgument, "invalid ULID \"nope\""},
      {Mutated("\"minTime\": -5", "\"minTime\": 7200001"), absl::StatusCode::kInvalidArgument,
       "minTime 7200001 > maxTime 7200000"},
      {Mutated("\"minTime\": -5", "\"minTime\": 1.5"), absl::StatusCode::kDataLoss,
       "\"minTime\" is not a 64-bit integer"},
      {Mutated("\"maxTime\": 7200000", "\"maxTime\": \"x\""), absl::StatusCode::kDataLoss,
       "\"maxTime\" is not a 64-bit integer"},
      {Mutated("\"minTime\": -5", "\"minTime\": 9223372036854775808"), absl::StatusCode::kDataLoss,
       "\"minTime\" is not a 64-bit integer"},
      {Mutated("\"numSamples\": 553673232", "\"numSamples\": -1"), absl::StatusCode::kDataLoss,
       "\"stats.numSamples\" is not a non-negative integer"},
      {Mutated("\"numSeries\"", "\"numSeriesX\""), absl::StatusCode::kDataLoss,
       "missing \"stats.numSeries\""},
      {Mutated("\"stats\": {", "\"stats\": 3, \"x\": {"), absl::StatusCode::kDataLoss,
       "\"stats\" is not an object"},
      {Mutated("\"level\": 2", "\"level\": 0"), absl::StatusCode::kInvalidArgument,
       "compaction.level 0 out of range"},
      {Mutated("\"compaction\"", "\"compactionX\""), absl::StatusCode::kDataLoss,
       "missing \"compaction\""},
      {Mutated("\"sources\": [", "\"sources\": 1, \"x\": ["), absl::StatusCode::kDataLoss,
       "\"compaction.sources\" is not an array"},
      {Mutated("\"parents\": [\n      \"01ARZ3NDEKTSV4RRFFQ69G5FAV\"", "\"parents\": [\n3"),
       absl::StatusCode::kDataLoss, "\"compaction.parents\" holds a non-string"},
      {Mutated("\"01ARZ3NDEKTSV4RRFFQ69G5FAV\",", "\"bad\","), absl::StatusCode::kInvalidArgument,
       "compaction.sources: invalid ULID \"bad\""},
  };
  for (const BadCase& c : cases) {
    auto m = DecodeMeta(c.json);
    EXPECT_EQ(m.status().code(), c.code) << c.json << "\n" << m.status();
    EXPECT_THAT(m.status().message(), HasSubstr(c.message)) << c.json;
  }
}

}  // namespace
}  // namespace strata::block
