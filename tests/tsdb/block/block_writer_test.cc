#include "tsdb/block/block_writer.h"

#include <cerrno>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/tsdb/block/block_test_util.h"
#include "tsdb/base/coding.h"
#include "tsdb/base/crc32c.h"
#include "tsdb/base/fault_fs.h"
#include "tsdb/base/mem_fs.h"
#include "tsdb/block/block.h"

namespace strata::block {
namespace {

using ::testing::ElementsAre;
using testing::Encode;
using testing::EncodedChunks;
using ::testing::HasSubstr;
using testing::Sample;
using testing::TestMeta;

constexpr char kUlid[] = "01HZZZZZZZZZZZZZZZZZZZZZZZ";

// n samples 1 s apart from `from`, values first, first + 0.5, ...
std::vector<Sample> Ramp(int64_t from, int n, double first = 0) {
  std::vector<Sample> s;
  for (int i = 0; i < n; ++i) s.push_back({from + i * 1000, testing::Bits(first + i * 0.5)});
  return s;
}

class BlockWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto w = BlockWriter::Create(&fs_, "/db/b.tmp");
    ASSERT_TRUE(w.ok()) << w.status();
    w_ = std::move(*w);
  }
  absl::Status Add(const Labels& l, const std::vector<ChunkData>& chunks) {
    return w_->AddSeries(l, chunks);
  }
  MemFileSystem fs_;
  std::unique_ptr<BlockWriter> w_;
};

TEST_F(BlockWriterTest, CreateRefusesExistingDir) {
  auto w = BlockWriter::Create(&fs_, "/db/b.tmp");
  EXPECT_EQ(w.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_TRUE(fs_.IsDir("/db/b.tmp/chunks"));
}

TEST_F(BlockWriterTest, RejectsContractViolationsAndChangesNothing) {
  EncodedChunks c = Encode(Ramp(0, 10), 5);  // two chunks [0,4000] [5000,9000]
  Labels b = Labels::FromStrings({"__name__", "b"});
  ASSERT_TRUE(Add(b, c.data).ok());

  auto expect_invalid = [&](const Labels& l, std::vector<ChunkData> chunks, std::string what) {
    absl::Status s = Add(l, chunks);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << what;
    EXPECT_THAT(s.message(), HasSubstr(what));
  };
  expect_invalid(Labels::FromStrings({"__name__", "a"}), c.data, "must be sorted");
  expect_invalid(b, c.data, "must be sorted");  // a duplicate
  expect_invalid(Labels(), c.data, "empty label set");
  expect_invalid(Labels::FromStrings({"__name__", "c"}), {}, "no chunks");
  expect_invalid(Labels::FromStrings({"__name__", "c"}), {c.data[1], c.data[0]},
                 "chunk 1 [0, 4000]: overlaps or precedes");
  ChunkData overlap = c.data[1];
  overlap.min_time = 4000;
  expect_invalid(Labels::FromStrings({"__name__", "c"}), {c.data[0], overlap},
                 "overlaps or precedes");
  ChunkData empty = c.data[0];
  empty.num_samples = 0;
  expect_invalid(Labels::FromStrings({"__name__", "c"}), {empty}, "no samples");
  ChunkData miscounted = c.data[0];
  miscounted.num_samples = 4;
  expect_invalid(Labels::FromStrings({"__name__", "c"}), {miscounted},
                 "num_samples 4 but the chunk holds 5");
  ChunkData backwards = c.data[0];
  backwards.max_time = -1;
  expect_invalid(Labels::FromStrings({"__name__", "c"}), {backwards}, "min_time > max_time");
  ChunkData unknown = c.data[0];
  unknown.encoding = static_cast<ChunkEncoding>(9);
  expect_invalid(Labels::FromStrings({"__name__", "c"}), {unknown}, "unknown encoding 9");
  expect_invalid(Labels::FromStrings({"__name__", "c", "a", "\xff"}), c.data, "UTF-8");

  // The rejected calls left no trace: the block holds series b only.
  BlockMeta meta = TestMeta(kUlid, 0, 10000);
  ASSERT_TRUE(w_->Finish(&meta).ok());
  EXPECT_EQ(meta.num_series, 1u);
  EXPECT_EQ(meta.num_chunks, 2u);
  EXPECT_EQ(meta.num_samples, 10u);
  auto block = Block::Open(&fs_, "/db/b.tmp");
  ASSERT_TRUE(block.ok()) << block.status();
  auto q = (*block)->NewQuerier(INT64_MIN, INT64_MAX);
  auto all = testing::SelectAll(q.get(), {});
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].labels, b);
  EXPECT_EQ(all[0].samples, Ramp(0, 10));
}

TEST_F(BlockWriterTest, FinishChecksMeta) {
  EncodedChunks c = Encode(Ramp(1000, 3), 5);  // [1000, 3000]
  ASSERT_TRUE(Add(Labels::FromStrings({"a", "1"}), c.data).ok());
  BlockMeta bad_ulid = TestMeta("not-a-ulid", 0, 5000);
  EXPECT_EQ(w_->Finish(&bad_ulid).code(), absl::StatusCode::kInvalidArgument);
  BlockMeta inverted = TestMeta(kUlid, 10, 5);
  EXPECT_THAT(w_->Finish(&inverted).message(), HasSubstr("min_time 10 > max_time 5"));
  BlockMeta narrow = TestMeta(kUlid, 1000, 3000);  // max is exclusive
  EXPECT_THAT(w_->Finish(&narrow).message(),
              HasSubstr("chunks span [1000, 3000], outside the block range [1000, 3000)"));
  BlockMeta late = TestMeta(kUlid, 1001, 5000);
  EXPECT_EQ(w_->Finish(&late).code(), absl::StatusCode::kInvalidArgument);
  BlockMeta ok = TestMeta(kUlid, 1000, 3001);
  ASSERT_TRUE(w_->Finish(&ok).ok());
  EXPECT_EQ(w_->Finish(&ok).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Add(Labels::FromStrings({"b", "1"}), c.data).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(BlockWriterTest, WritesTheDocumentedFiles) {
  EncodedChunks c = Encode(Ramp(0, 3), 5);
  ASSERT_TRUE(Add(Labels::FromStrings({"a", "1"}), c.data).ok());
  BlockMeta meta = TestMeta(kUlid, 0, 5000);
  meta.level = 3;
  meta.parents = {kUlid};
  ASSERT_TRUE(w_->Finish(&meta).ok());
  EXPECT_THAT(*fs_.ListDir("/db/b.tmp"), ElementsAre("chunks", "index", "meta.json", "tombstones"));
  EXPECT_THAT(*fs_.ListDir("/db/b.tmp/chunks"), ElementsAre("000001"));
  std::string seg = *fs_.ReadFile("/db/b.tmp/chunks/000001");
  EXPECT_EQ(seg.substr(0, 8), std::string("SCHK\x01\0\0\0", 8));
  // One chunk: uvarint length, encoding byte 1, data, crc.
  EXPECT_EQ(static_cast<uint8_t>(seg[8]), c.data[0].bytes.size());
  EXPECT_EQ(seg[9], 1);
  EXPECT_EQ(seg.size(), 8 + 1 + 1 + c.data[0].bytes.size() + 4);
  EXPECT_EQ(fs_.ReadFile("/db/b.tmp/index")->substr(0, 8), std::string("SIDX\x02\0\0\0", 8));
  // Header, zero intervals, CRC32C of the 9 bytes before it.
  EXPECT_EQ(*fs_.ReadFile("/db/b.tmp/tombstones"),
            std::string("STMB\x01\0\0\0\0", 9) + std::string("\x87\x09\x08\xad", 4));
  auto decoded = DecodeMeta(*fs_.ReadFile("/db/b.tmp/meta.json"));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, meta);
  EXPECT_EQ(decoded->level, 3);
}

// Series with equal chunks (constant series of one target) share one copy.
TEST_F(BlockWriterTest, EqualChunksAreWrittenOnce) {
  EncodedChunks same = Encode(Ramp(0, 10), 5), other = Encode(Ramp(0, 10, 1), 5);
  ASSERT_TRUE(Add(Labels::FromStrings({"a", "1"}), same.data).ok());
  ASSERT_TRUE(Add(Labels::FromStrings({"a", "2"}), same.data).ok());
  ASSERT_TRUE(Add(Labels::FromStrings({"a", "3"}), other.data).ok());
  BlockMeta meta = TestMeta(kUlid, 0, 10000);
  ASSERT_TRUE(w_->Finish(&meta).ok());
  // The segment: its header and four chunks (length, encoding, data, crc).
  size_t want = 8;
  for (const auto* c : {&same, &other}) {
    for (const ChunkData& d : c->data) want += 1 + 1 + d.bytes.size() + 4;
  }
  EXPECT_EQ(fs_.ReadFile("/db/b.tmp/chunks/000001")->size(), want);
  EXPECT_EQ(meta.num_chunks, 6u);  // as the index lists them
  ASSERT_TRUE(fs_.Rename("/db/b.tmp", std::string("/db/") + kUlid).ok());
  auto b = Block::Open(&fs_, std::string("/db/") + kUlid);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_TRUE((*b)->Verify().empty());
  auto q = (*b)->NewQuerier(INT64_MIN, INT64_MAX);
  auto all = testing::SelectAll(q.get(), {});
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].samples, Ramp(0, 10));
  EXPECT_EQ(all[1].samples, Ramp(0, 10));
  EXPECT_EQ(all[2].samples, Ramp(0, 10, 1));

  // The second series' index entry names the first's chunks ("count 0,
  // back"). Pointing it before the series section, with a valid CRC, is
  // corruption the reader reports instead of reading other chunks.
  const std::string path = std::string("/db/") + kUlid + "/index";
  std::string index = *fs_.ReadFile(path);
  const uint64_t series = LoadFixed64(index.data() + index.size() - 52 + 8);
  Decoder first(std::string_view(index).substr(series));
  first.LengthPrefixed();
  first.Fixed32();
  const size_t second_at = static_cast<size_t>(index.size() - first.remaining());
  Decoder entry(std::string_view(index).substr(second_at));
  const std::string_view body = entry.LengthPrefixed();
  ASSERT_TRUE(entry.ok());
  ASSERT_EQ(static_cast<uint8_t>(body[body.size() - 2]), 0);  // the chunk count
  const uint8_t back = static_cast<uint8_t>(body.back());
  EXPECT_EQ(back, second_at - series);
  const size_t body_at = second_at + (body.data() - (index.data() + second_at));
  index[body_at + body.size() - 1] = static_cast<char>(back + 1);
  const uint32_t crc = crc32c::Value(std::string_view(index).substr(body_at, body.size()));
  std::string crc_bytes;
  PutFixed32(&crc_bytes, crc);
  index.replace(body_at + body.size(), 4, crc_bytes);
  auto w = fs_.NewWritableFile(path, /*truncate=*/true);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Append(index).ok());
  ASSERT_TRUE((*w)->Close().ok());
  auto damaged = Block::Open(&fs_, std::string("/db/") + kUlid);
  ASSERT_FALSE(damaged.ok());
  EXPECT_THAT(std::string(damaged.status().message()),
              ::testing::HasSubstr("refers to chunks outside the series section"));
}

TEST(BlockWriterDurabilityTest, EverythingSurvivesPowerLossAfterRename) {
  MemFileSystem fs;
  ASSERT_TRUE(fs.CreateDirs("/db").ok());
  ASSERT_TRUE(fs.SyncDir("/").ok());
  std::vector<testing::TestSeries> series;
  for (int i = 0; i < 20; ++i) {
    series.push_back(
        {Labels::FromStrings({"__name__", "m", "i", std::to_string(100 + i)}), Ramp(0, 50, i)});
  }
  auto meta = testing::WriteBlock(&fs, "/db/tmp", series, TestMeta(kUlid, 0, 50000), 7, 300);
  ASSERT_TRUE(meta.ok()) << meta.status();
  ASSERT_TRUE(fs.Rename("/db/tmp", std::string("/db/") + kUlid).ok());
  ASSERT_TRUE(fs.SyncDir("/db").ok());
  fs.SimulatePowerLoss();
  auto block = Block::Open(&fs, std::string("/db/") + kUlid);
  ASSERT_TRUE(block.ok()) << block.status();
  EXPECT_GT((*block)->ChunkBytes(), 300u * 2);  // several segments
  EXPECT_TRUE((*block)->Verify().empty());
  auto q = (*block)->NewQuerier(INT64_MIN, INT64_MAX);
  EXPECT_TRUE(testing::SameSeries(testing::SelectAll(q.get(), {}), series));
}

TEST(BlockWriterFaultTest, WriteAndSyncFailuresAreReportedAndPoisonTheWriter) {
  for (int n = 1; n <= 8; ++n) {
    MemFileSystem mem;
    FaultInjectingFileSystem fs(&mem);
    auto w = internal::CreateBlockWriter(&fs, "/db/tmp", 100);
    ASSERT_TRUE(w.ok());
    fs.FailNthWrite(n, ENOSPC);
    absl::Status s;
    for (int i = 0; i < 5 && s.ok(); ++i) {
      EncodedChunks c = Encode(Ramp(0, 40, i), 10);
      s = (*w)->AddSeries(Labels::FromStrings({"i", std::to_string(i)}), c.data);
    }
    BlockMeta meta = TestMeta(kUlid, 0, 40000);
    if (s.ok()) s = (*w)->Finish(&meta);
    EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted) << n << " " << s;
    EXPECT_EQ((*w)->Finish(&meta).code(), absl::StatusCode::kFailedPrecondition);
  }
  MemFileSystem mem;
  FaultInjectingFileSystem fs(&mem);
  auto w = BlockWriter::Create(&fs, "/db/tmp");
  ASSERT_TRUE(w.ok());
  fs.FailSyncDirs(EIO);
  BlockMeta meta = TestMeta(kUlid, 0, 1);
  EXPECT_EQ((*w)->Finish(&meta).code(), absl::StatusCode::kInternal);
}

}  // namespace
}  // namespace strata::block
