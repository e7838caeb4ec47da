// Format stability: tests/testdata/wal-v1 is a WAL written by the format
// version 1 code (a checkpoint and two segments; special float bit patterns;
// a record spanning pages). Every later version must replay it exactly.
//
// The fixture was produced by the DISABLED_Regenerate test below:
//   STRATA_GOLDEN_OUT=/tmp/x/wal ./build/wal_test --gtest_also_run_disabled_tests
//       --gtest_filter='WalGolden.DISABLED_Regenerate'
// (one command line), then copy /tmp/x/wal to tests/testdata/wal-v1/wal.
// Never regenerate it to make a failing test pass: a failure means old data
// no longer reads the same.
#include <bit>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gtest/gtest.h"
#include "tests/test_util.h"
#include "tsdb/base/fs.h"
#include "wal/records.h"
#include "wal/wal.h"

namespace strata::wal {
namespace {

constexpr int64_t kT0 = 1700000000000;  // 2023-11-14T22:13:20Z

// Fixture content, shared by the generator and the checks.
std::string BigValue() {
  std::string v;
  for (int i = 0; i < 40000; ++i) v.push_back(static_cast<char>('a' + (i * 7) % 26));
  return v;
}

std::vector<RefSeries> FirstSeries() {
  return {
      {1, Labels::FromStrings({"__name__", "up", "instance", "localhost:9100", "job", "node"})},
      {2, Labels::FromStrings({"__name__", "my.metric", "a.b", "c"})},
      {3, Labels::FromStrings({"__name__", "node_cpu_seconds_total", "cpu", "0", "mode", "idle"})}};
}

// Ref 2's samples in segment 2: every special bit pattern a WAL must keep.
std::vector<RefSample> SpecialSamples() {
  const uint64_t bits[] = {
      0x7ff8000000000001ULL,  // Prometheus's normal NaN
      0x7ff0000000000002ULL,  // stale marker
      0x7ff0000000000000ULL,  // +Inf
      0xfff0000000000000ULL,  // -Inf
      0x8000000000000000ULL,  // -0
      0x0000000000000001ULL,  // smallest subnormal
      0x7fefffffffffffffULL,  // largest finite
      0x7ff8000000dead01ULL,  // NaN with a payload
  };
  std::vector<RefSample> out;
  for (size_t i = 0; i < std::size(bits); ++i) {
    out.push_back(
        {2, kT0 + 30000 + static_cast<int64_t>(i) * 15000, std::bit_cast<double>(bits[i])});
  }
  return out;
}

void Regenerate(const std::string& dir) {
  std::unique_ptr<FileSystem> fs = NewPosixFileSystem();
  ReplayStats stats;
  auto w = Wal::Open(
      fs.get(), dir, WalOptions(), [](std::string_view) { return absl::OkStatus(); }, &stats);
  ASSERT_TRUE(w.ok()) << w.status();
  std::string rec;
  auto log = [&](auto encode) {
    rec.clear();
    encode(&rec);
    ASSERT_TRUE((*w)->Log(rec).ok());
  };
  // Segment 1.
  log([](std::string* r) { EncodeSeries(FirstSeries(), r); });
  log([](std::string* r) {
    std::vector<RefMetadata> m = {
        {1, 2, "", "1 if the target is up."},
        {3, 1, "seconds", "Seconds the CPUs spent in each mode.\nSecond line \"quoted\""}};
    EncodeMetadata(m, r);
  });
  log([](std::string* r) {
    std::vector<RefSample> s = {
        {1, kT0, 1}, {2, kT0, 0.1}, {3, kT0, 12345.678}, {1, kT0 + 15000, 0}};
    EncodeSamples(s, r);
  });
  ASSERT_TRUE((*w)->NextSegment().ok());  // segment 2
  log([](std::string* r) { EncodeSamples(SpecialSamples(), r); });
  log([](std::string* r) {
    std::vector<RefTombstone> t = {{3, kT0, kT0 + 10000}, {1, kT0, kT0 + 20000}};
    EncodeTombstones(t, r);
  });
  ASSERT_TRUE((*w)->NextSegment().ok());  // segment 3
  ASSERT_TRUE((*w)->Checkpoint(
                      2, [](uint64_t ref) { return ref != 3; }, kT0 + 10000)
                  .ok());
  log([](std::string* r) {
    std::vector<RefSeries> s = {{4, Labels::FromStrings({"__name__", "big", "blob", BigValue()})}};
    EncodeSeries(s, r);
  });
  log([](std::string* r) {
    std::vector<RefSample> s = {{4, -1500, 42}, {1, kT0 + 45000, 1}};
    EncodeSamples(s, r);
  });
  log([](std::string* r) {
    std::vector<RefMetadata> m = {{2, 7, "", ""}};
    EncodeMetadata(m, r);
  });
  ASSERT_TRUE((*w)->NextSegment().ok());  // segment 4
  log([](std::string* r) {
    std::vector<RefSample> s = {{2, kT0 + 150000, 3.141592653589793}, {4, kT0 + 150000, 1e300}};
    EncodeSamples(s, r);
  });
  ASSERT_TRUE((*w)->Close().ok());
}

// Copies the checked-in WAL to a temporary directory: Open may repair and
// always starts a new segment, and the fixture must never change.
std::string CopyFixture(const strata::testing::TempDir& tmp) {
  const std::string src = std::string(STRATA_SOURCE_DIR) + "/tests/testdata/wal-v1/wal";
  const std::string dst = tmp.path() + "/wal";
  std::filesystem::copy(src, dst, std::filesystem::copy_options::recursive);
  return dst;
}

void ExpectSamples(const std::vector<RefSample>& got, const std::vector<RefSample>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].ref, want[i].ref) << i;
    EXPECT_EQ(got[i].t, want[i].t) << i;
    EXPECT_EQ(std::bit_cast<uint64_t>(got[i].v), std::bit_cast<uint64_t>(want[i].v)) << i;
  }
}

void ExpectSeries(std::string_view record, const std::vector<RefSeries>& want) {
  std::vector<RefSeries> got;
  ASSERT_TRUE(DecodeSeries(record, &got).ok());
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].ref, want[i].ref);
    EXPECT_EQ(got[i].labels, want[i].labels) << got[i].labels.ToString();
  }
}

void ExpectSamplesRecord(std::string_view record, const std::vector<RefSample>& want) {
  std::vector<RefSample> got;
  ASSERT_TRUE(DecodeSamples(record, &got).ok());
  ExpectSamples(got, want);
}

void ExpectMetadata(std::string_view record, const RefMetadata& want) {
  std::vector<RefMetadata> got;
  ASSERT_TRUE(DecodeMetadata(record, &got).ok());
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].ref, want.ref);
  EXPECT_EQ(got[0].type, want.type);
  EXPECT_EQ(got[0].unit, want.unit);
  EXPECT_EQ(got[0].help, want.help);
}

TEST(WalGolden, ReplaysVersion1Exactly) {
  strata::testing::TempDir tmp;
  const std::string dir = CopyFixture(tmp);
  std::unique_ptr<FileSystem> fs = NewPosixFileSystem();
  std::vector<std::string> records;
  ReplayStats stats;
  auto w = Wal::Open(
      fs.get(), dir, WalOptions(),
      [&](std::string_view r) {
        records.emplace_back(r);
        return absl::OkStatus();
      },
      &stats);
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_TRUE(stats.checkpoint_loaded);
  EXPECT_FALSE(stats.repaired) << stats.repair_reason;
  EXPECT_EQ(stats.segments, 2u);
  EXPECT_EQ(stats.records, 8u);
  ASSERT_EQ(records.size(), 8u);

  // checkpoint.00000002: what segments 1-2 condensed to (series 3 dropped,
  // samples before kT0+10000 dropped), series, samples, tombstones, metadata.
  std::vector<RefSeries> first = FirstSeries();
  ExpectSeries(records[0], {first[0], first[1]});
  std::vector<RefSample> cp_samples = {{1, kT0 + 15000, 0}};
  for (const RefSample& s : SpecialSamples()) cp_samples.push_back(s);
  ExpectSamplesRecord(records[1], cp_samples);
  std::vector<RefTombstone> tombstones;
  ASSERT_TRUE(DecodeTombstones(records[2], &tombstones).ok());
  ASSERT_EQ(tombstones.size(), 1u);
  EXPECT_EQ(tombstones[0].ref, 1u);
  EXPECT_EQ(tombstones[0].mint, kT0);
  EXPECT_EQ(tombstones[0].maxt, kT0 + 20000);
  ExpectMetadata(records[3], {1, 2, "", "1 if the target is up."});
  // Segment 3: a 40 KB series record split across two pages.
  EXPECT_GT(records[4].size(), 40000u);
  ExpectSeries(records[4], {{4, Labels::FromStrings({"__name__", "big", "blob", BigValue()})}});
  ExpectSamplesRecord(records[5], {{4, -1500, 42}, {1, kT0 + 45000, 1}});
  ExpectMetadata(records[6], {2, 7, "", ""});
  // Segment 4.
  ExpectSamplesRecord(records[7], {{2, kT0 + 150000, 3.141592653589793}, {4, kT0 + 150000, 1e300}});
  EXPECT_TRUE((*w)->Close().ok());
}

TEST(WalGolden, DISABLED_Regenerate) {
  const char* out = std::getenv("STRATA_GOLDEN_OUT");
  ASSERT_NE(out, nullptr) << "set STRATA_GOLDEN_OUT to the directory to write";
  Regenerate(out);
}

}  // namespace
}  // namespace strata::wal
