// Cold blocks written by the compactor share the timestamp columns of
// series scraped together: each such column is stored once (a kTimestamps
// chunk) and the cold chunks refer to it; reads stay bit-exact, a damaged
// shared column is reported, never read as wrong timestamps.
#include "compaction/compactor.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "tests/tsdb/querier/fake_querier.h"
#include "tsdb/base/fs.h"
#include "tsdb/base/mem_fs.h"
#include "tsdb/block/block_impl.h"
#include "tsdb/block/format.h"
#include "tsdb/chunk/cold_columns.h"

namespace strata::compaction {
namespace {

using testing::FakeSample;
using testing::FakeSeries;
using testing::VectorQuerier;

constexpr char kUlid[] = "01HZZZZZZZZZZZZZZZZZZZZZZZ";
constexpr int64_t kStep = 15000;
constexpr int kSamples = 3000;  // two cold chunks per series (1,920 + 1,080)

// Scrape times of one target: 15 s apart with a few ms of jitter.
std::vector<int64_t> TargetTimes(uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<int64_t> ts;
  for (int i = 0; i < kSamples; ++i) {
    ts.push_back(int64_t{1000} + i * kStep + static_cast<int64_t>(rng() % 40));
  }
  return ts;
}

// Two targets of 20 and 10 series, and one series with times of its own.
std::vector<FakeSeries> Series() {
  std::vector<FakeSeries> out;
  auto add = [&](const std::string& target, int index, const std::vector<int64_t>& ts) {
    FakeSeries s{Labels::FromStrings({"__name__", "m" + std::to_string(index), "instance", target}),
                 {}};
    for (size_t i = 0; i < ts.size(); ++i) {
      s.samples.push_back({ts[i], static_cast<double>(i * (index + 1)) / 4});
    }
    out.push_back(std::move(s));
  };
  const std::vector<int64_t> a = TargetTimes(1), b = TargetTimes(2), own = TargetTimes(3);
  for (int i = 0; i < 20; ++i) add("a", i, a);
  for (int i = 0; i < 10; ++i) add("b", i, b);
  add("c", 0, own);
  std::sort(out.begin(), out.end(),
            [](const FakeSeries& x, const FakeSeries& y) { return x.labels < y.labels; });
  return out;
}

struct ChunkCount {
  int timestamps = 0;            // kTimestamps chunks
  int shared_values = 0;         // cold chunks with shared timestamps and values
  int cold_with_shared = 0;      // cold chunks referring to one
  std::vector<uint64_t> shared;  // offsets of the kTimestamps chunks
};

ChunkCount CountChunks(const block::BlockImpl& b) {
  ChunkCount c;
  std::span<const uint8_t> seg = b.chunks().segment(0);
  for (uint64_t off = block::format::kHeaderSize; off < seg.size();) {
    ChunkEncoding enc;
    std::span<const uint8_t> data;
    uint64_t next;
    EXPECT_TRUE(block::ChunkReader::ParseAt(seg, 1, off, &enc, &data, &next).ok());
    if (enc == ChunkEncoding::kTimestamps) {
      ++c.timestamps;
      c.shared.push_back(off);
    } else if (enc == ChunkEncoding::kCold) {
      // version, sample count (2 bytes for 1,080 and 1,920), column kind
      if (data[3] == cold::kTsSharedRelative) {
        ++c.cold_with_shared;
        Decoder d(std::string_view(reinterpret_cast<const char*>(data.data()), data.size()));
        d.Bytes(4);
        d.Uvarint();  // the timestamp reference
        if (d.Byte() == cold::kValShared) ++c.shared_values;
      }
    }
    off = next;
  }
  return c;
}

// Writes `series` as level-2 (cold) block kUlid under /db of `fs`.
absl::StatusOr<block::BlockMeta> WriteColdBlock(FileSystem* fs,
                                                const std::vector<FakeSeries>& series) {
  VectorQuerier source(series);
  WriteBlockRequest r;
  r.fs = fs;
  r.db_dir = "/db";
  r.ulid = kUlid;
  r.min_time = 0;
  r.max_time = int64_t{1} << 40;
  r.level = 2;
  r.cold = true;
  return WriteBlock(r, source);
}

class SharedTimestampsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    series_ = Series();
    auto meta = WriteColdBlock(&fs_, series_);
    ASSERT_TRUE(meta.ok()) << meta.status();
    ASSERT_EQ(meta->num_series, series_.size());
  }
  std::shared_ptr<block::Block> Open() {
    auto b = block::Block::Open(&fs_, std::string("/db/") + kUlid);
    EXPECT_TRUE(b.ok()) << b.status();
    return b.ok() ? *b : nullptr;
  }
  // Every series read back, by labels; iterator errors by labels too.
  void ReadAll(block::Block& b, std::map<std::string, std::vector<FakeSample>>* got,
               std::map<std::string, absl::Status>* errors) {
    auto q = b.NewQuerier(INT64_MIN, INT64_MAX);
    auto set = q->Select({});
    while (set->Next()) {
      auto it = set->Iterator();
      auto& samples = (*got)[set->labels().ToString()];
      while (it->Next()) samples.push_back({it->t(), it->v()});
      if (!it->status().ok()) (*errors)[set->labels().ToString()] = it->status();
    }
  }

  MemFileSystem fs_;
  std::vector<FakeSeries> series_;
};

TEST_F(SharedTimestampsTest, SeriesOfOneTargetShareTheirColumns) {
  auto b = Open();
  ASSERT_NE(b, nullptr);
  const ChunkCount c = CountChunks(static_cast<const block::BlockImpl&>(*b));
  // Two targets x two chunk ranges, each column written once; every chunk
  // but the first of each column refers to it. Target c's column is its own.
  EXPECT_EQ(c.timestamps, 4);
  EXPECT_EQ(c.cold_with_shared, 2 * (19 + 9));
  EXPECT_EQ(b->meta().num_chunks, 2 * series_.size());  // shared chunks not counted
  std::map<std::string, std::vector<FakeSample>> got;
  std::map<std::string, absl::Status> errors;
  ReadAll(*b, &got, &errors);
  EXPECT_TRUE(errors.empty());
  ASSERT_EQ(got.size(), series_.size());
  for (const FakeSeries& s : series_) EXPECT_EQ(got[s.labels.ToString()], s.samples);
  EXPECT_TRUE(b->Verify().empty());
}

// A histogram's buckets above its largest observation all equal its count:
// their value column is stored once per chunk range.
TEST(SharedValuesTest, IdenticalValueColumnsAreStoredOnce) {
  const std::vector<int64_t> ts = TargetTimes(4);
  std::vector<FakeSeries> series;
  std::mt19937_64 rng(5);
  double count = 0;
  std::vector<double> counts;
  for (size_t i = 0; i < ts.size(); ++i) counts.push_back(count += static_cast<double>(rng() % 9));
  for (const char* le : {"+Inf", "10", "5"}) {
    FakeSeries s{Labels::FromStrings({"__name__", "h_bucket", "le", le}), {}};
    for (size_t i = 0; i < ts.size(); ++i) s.samples.push_back({ts[i], counts[i]});
    series.push_back(std::move(s));
  }
  FakeSeries low{Labels::FromStrings({"__name__", "h_bucket", "le", "1"}), {}};
  for (size_t i = 0; i < ts.size(); ++i) low.samples.push_back({ts[i], counts[i] / 2 - 1});
  series.push_back(std::move(low));
  std::sort(series.begin(), series.end(),
            [](const FakeSeries& x, const FakeSeries& y) { return x.labels < y.labels; });
  MemFileSystem fs;
  auto meta = WriteColdBlock(&fs, series);
  ASSERT_TRUE(meta.ok()) << meta.status();
  auto b = block::Block::Open(&fs, std::string("/db/") + kUlid);
  ASSERT_TRUE(b.ok()) << b.status();
  const ChunkCount c = CountChunks(static_cast<const block::BlockImpl&>(**b));
  // Per chunk range: le="+Inf" (first in label order) holds the column and
  // le="10" refers to it; le="5"'s chunk then equals le="10"'s, which the
  // block writer stores once. One timestamp column serves all four.
  EXPECT_EQ(c.shared_values, 2);
  EXPECT_EQ(c.timestamps, 2);
  auto q = (*b)->NewQuerier(INT64_MIN, INT64_MAX);
  auto set = q->Select({});
  size_t i = 0;
  while (set->Next()) {
    ASSERT_LT(i, series.size());
    EXPECT_EQ(set->labels(), series[i].labels);
    auto it = set->Iterator();
    std::vector<FakeSample> got;
    while (it->Next()) got.push_back({it->t(), it->v()});
    EXPECT_TRUE(it->status().ok()) << it->status();
    EXPECT_EQ(got, series[i].samples) << series[i].labels.ToString();
    ++i;
  }
  EXPECT_EQ(i, series.size());
  EXPECT_TRUE((*b)->Verify().empty());
}

TEST_F(SharedTimestampsTest, CompactingACompactedBlockKeepsEverySample) {
  auto b = Open();
  ASSERT_NE(b, nullptr);
  std::vector<std::shared_ptr<block::Block>> in = {b};
  auto meta = CompactBlocks(&fs_, "/db", "01HZZZZZZZZZZZZZZZZZZZZZZY", in);
  ASSERT_TRUE(meta.ok()) << meta.status();
  auto again = block::Block::Open(&fs_, "/db/01HZZZZZZZZZZZZZZZZZZZZZZY");
  ASSERT_TRUE(again.ok()) << again.status();
  std::map<std::string, std::vector<FakeSample>> got;
  std::map<std::string, absl::Status> errors;
  ReadAll(**again, &got, &errors);
  EXPECT_TRUE(errors.empty());
  for (const FakeSeries& s : series_) EXPECT_EQ(got[s.labels.ToString()], s.samples);
}

TEST_F(SharedTimestampsTest, DamagedSharedColumnFailsItsReadersOnly) {
  uint64_t shared_at;
  {
    auto b = Open();
    ASSERT_NE(b, nullptr);
    shared_at = CountChunks(static_cast<const block::BlockImpl&>(*b)).shared[0];
  }
  const std::string path = std::string("/db/") + kUlid + "/chunks/000001";
  std::string data = *fs_.ReadFile(path);
  data[shared_at + 4] ^= 0x20;  // inside the column, past its length and encoding
  {
    auto w = fs_.NewWritableFile(path, /*truncate=*/true);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Append(data).ok());
    ASSERT_TRUE((*w)->Close().ok());
  }
  auto b = Open();
  ASSERT_NE(b, nullptr);
  std::map<std::string, std::vector<FakeSample>> got;
  std::map<std::string, absl::Status> errors;
  ReadAll(*b, &got, &errors);
  // The series referring to the damaged column fail (never with other
  // timestamps); the others read in full.
  EXPECT_FALSE(errors.empty());
  for (const FakeSeries& s : series_) {
    const std::string key = s.labels.ToString();
    if (errors.contains(key)) {
      EXPECT_TRUE(absl::IsDataLoss(errors[key])) << errors[key];
      const auto& read = got[key];
      ASSERT_LE(read.size(), s.samples.size());
      for (size_t i = 0; i < read.size(); ++i) ASSERT_EQ(read[i], s.samples[i]) << key;
    } else {
      EXPECT_EQ(got[key], s.samples) << key;
    }
  }
  EXPECT_TRUE(b->damaged());
  bool reported = false;
  for (const block::Damage& d : b->Verify()) {
    reported |= d.file == "chunks/000001" && d.offset == shared_at;
  }
  EXPECT_TRUE(reported) << "verify names the shared column's chunk";
}

}  // namespace
}  // namespace strata::compaction
