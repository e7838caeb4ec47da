// Damage to any byte of a block is detected: Open fails with "corrupted
// block <ulid>", a read fails with DataLoss, or (for bytes no reader uses,
// such as padding) Verify reports it; samples are never wrong.
#include <limits>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"
#include "tests/tsdb/block/block_test_util.h"
#include "tsdb/base/coding.h"
#include "tsdb/base/mem_fs.h"
#include "tsdb/block/block.h"

namespace strata::block {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::Field;
using ::testing::HasSubstr;
using testing::TestMeta;
using testing::TestSeries;

constexpr char kUlid[] = "01HF7YAT000000000000000001";
constexpr int64_t kAll = std::numeric_limits<int64_t>::max();

std::vector<TestSeries> SmallSeries() {
  std::vector<TestSeries> out;
  for (int i = 0; i < 12; ++i) {
    TestSeries s{Labels::FromStrings({"__name__", i % 2 ? "a" : "b", "i", std::to_string(10 + i)}),
                 {}};
    for (int k = 0; k < 30; ++k) {
      s.samples.push_back({k * 15000 + i, testing::Bits(k * 1.25 + i * 1e6 + (k % 7) * 0.1)});
    }
    out.push_back(s);
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.labels < b.labels; });
  return out;
}

auto IsDamage(std::string file, uint64_t offset, std::string what) {
  return AllOf(Field(&Damage::file, file), Field(&Damage::offset, offset),
               Field(&Damage::what, HasSubstr(what)));
}

class CorruptionTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    if (GetParam()) {
      posix_ = NewPosixFileSystem();
      fs_ = posix_.get();
      root_ = tmp_.path();
    } else {
      fs_ = &mem_;
      root_ = "/db";
    }
    dir_ = JoinPath(root_, kUlid);
    series_ = SmallSeries();
    auto meta = testing::WriteBlock(fs_, dir_, series_, TestMeta(kUlid, 0, 1000000), 8, 500);
    ASSERT_TRUE(meta.ok()) << meta.status();
  }

  std::string Read(const std::string& file) { return *fs_->ReadFile(JoinPath(dir_, file)); }
  void Write(const std::string& file, const std::string& data) {
    auto w = fs_->NewWritableFile(JoinPath(dir_, file), true);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Append(data).ok());
    ASSERT_TRUE((*w)->Close().ok());
  }
  void Flip(const std::string& file, uint64_t offset, uint8_t mask = 0xff) {
    std::string data = Read(file);
    ASSERT_LT(offset, data.size());
    data[offset] = static_cast<char>(data[offset] ^ mask);
    Write(file, data);
  }
  std::shared_ptr<Block> OpenOk() {
    auto b = Block::Open(fs_, dir_);
    EXPECT_TRUE(b.ok()) << b.status();
    return b.ok() ? *b : nullptr;
  }
  // The toc's field at `index` (0 symbols, 1 series, … 4 postings table).
  // The writer writes index version 2: a 52-byte table of contents.
  static constexpr uint64_t kTocSize = 52;
  uint64_t Toc(int index) {
    std::string data = Read("index");
    return LoadFixed64(data.data() + data.size() - kTocSize + 8 * index);
  }

  // Reads everything; returns false with the status when a read failed.
  // Fails the test if any sample differs from what was written.
  absl::Status ReadAllAndCompare(Block* b) {
    auto q = b->NewQuerier(std::numeric_limits<int64_t>::min(), kAll);
    auto set = q->Select({});
    size_t i = 0;
    while (set->Next()) {
      if (i >= series_.size() || !(set->labels() == series_[i].labels)) {
        ADD_FAILURE() << "unexpected series " << set->labels().ToString();
        return absl::InternalError("wrong series");
      }
      auto it = set->Iterator();
      size_t k = 0;
      while (it->Next()) {
        if (k >= series_[i].samples.size() || it->t() != series_[i].samples[k].t ||
            testing::Bits(it->v()) != series_[i].samples[k].bits) {
          ADD_FAILURE() << "wrong sample " << k << " of " << set->labels().ToString();
          return absl::InternalError("wrong sample");
        }
        ++k;
      }
      if (!it->status().ok()) return it->status();
      if (k != series_[i].samples.size()) {
        ADD_FAILURE() << "missing samples of " << set->labels().ToString();
        return absl::InternalError("missing samples");
      }
      ++i;
    }
    if (!set->status().ok()) return set->status();
    if (i != series_.size()) ADD_FAILURE() << "missing series";
    auto all = b->Series();
    while (all->Next()) {
    }
    return all->status();
  }

  // Flips every `stride`-th byte of `file` in turn and checks the outcome.
  void FlipEach(const std::string& file, size_t stride, bool verify_must_see) {
    const std::string original = Read(file);
    const std::string prefix = std::string("corrupted block ") + kUlid + ": ";
    int opened = 0, failed_open = 0, failed_read = 0;
    for (size_t off = 0; off < original.size(); off += stride) {
      std::string data = original;
      data[off] = static_cast<char>(data[off] ^ (off % 2 ? 0xff : 0x01));
      Write(file, data);
      auto b = Block::Open(fs_, dir_);
      if (!b.ok()) {
        ++failed_open;
        EXPECT_EQ(b.status().code(), absl::StatusCode::kDataLoss) << file << " " << off;
        EXPECT_THAT(b.status().message(), HasSubstr(prefix)) << file << " " << off;
        continue;
      }
      ++opened;
      absl::Status s = ReadAllAndCompare(b->get());
      if (!s.ok()) {
        ++failed_read;
        EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << file << " " << off << " " << s;
        EXPECT_THAT(s.message(), HasSubstr(prefix)) << file << " " << off;
      }
      if (verify_must_see) {
        EXPECT_FALSE((*b)->Verify().empty()) << file << " offset " << off << " went unnoticed";
      }
    }
    Write(file, original);
    EXPECT_GT(failed_open + failed_read, 0) << file;
    ASSERT_NE(OpenOk(), nullptr);
  }

  MemFileSystem mem_;
  ::strata::testing::TempDir tmp_;
  std::unique_ptr<FileSystem> posix_;
  FileSystem* fs_ = nullptr;
  std::string root_;
  std::string dir_;
  std::vector<TestSeries> series_;
};

TEST_P(CorruptionTest, EveryByteOfEveryFile) {
  const size_t stride = GetParam() ? 7 : 1;  // the real file system is slower
  FlipEach("index", stride, /*verify_must_see=*/true);
  auto segments = fs_->ListDir(JoinPath(dir_, "chunks"));
  ASSERT_TRUE(segments.ok());
  ASSERT_GE(segments->size(), 3u);
  for (const std::string& seg : *segments) FlipEach("chunks/" + seg, stride * 3, true);
  FlipEach("tombstones", 1, true);
  // meta.json has no checksum: some edits (a digit of a statistic) parse;
  // they must still never change samples.
  FlipEach("meta.json", stride, /*verify_must_see=*/false);
}

TEST_P(CorruptionTest, ChunkDamageNamesFileAndOffset) {
  // Segment 2's first chunk starts right after its 8-byte header.
  Flip("chunks/000002", 8 + 1 + 1 + 3);
  auto b = OpenOk();
  ASSERT_NE(b, nullptr);
  absl::Status s = ReadAllAndCompare(b.get());
  EXPECT_EQ(s, absl::DataLossError(std::string("corrupted block ") + kUlid +
                                   ": chunks/000002 offset 8: chunk crc mismatch"));
  EXPECT_THAT(b->Verify(), Contains(IsDamage("chunks/000002", 8, "chunk crc mismatch")));
}

TEST_P(CorruptionTest, IndexDamageNamesOffset) {
  const std::string prefix = std::string("corrupted block ") + kUlid + ": ";
  // Symbol table: checked at open.
  Flip("index", Toc(0) + 6);
  EXPECT_EQ(Block::Open(fs_, dir_).status(),
            absl::DataLossError(prefix + "index offset 8: symbol table crc mismatch"));
  Flip("index", Toc(0) + 6);
  // Table of contents.
  uint64_t toc_at = *fs_->FileSize(JoinPath(dir_, "index")) - kTocSize;
  Flip("index", toc_at + 3, 0x10);
  EXPECT_EQ(Block::Open(fs_, dir_).status(),
            absl::DataLossError(
                absl::StrCat(prefix, "index offset ", toc_at, ": table of contents crc mismatch")));
  Flip("index", toc_at + 3, 0x10);
  // First series entry and the all-series postings list: every entry of the
  // index is decoded at open, so damage anywhere in it keeps the block out.
  uint64_t series = Toc(1);
  Flip("index", series + 3);
  EXPECT_EQ(Block::Open(fs_, dir_).status(),
            absl::DataLossError(
                absl::StrCat(prefix, "index offset ", series, ": series entry crc mismatch")));
  Flip("index", series + 3);
  uint64_t postings = Toc(3);
  Flip("index", postings + 5);
  EXPECT_EQ(Block::Open(fs_, dir_).status(),
            absl::DataLossError(
                absl::StrCat(prefix, "index offset ", postings, ": postings list crc mismatch")));
  Flip("index", postings + 5);
  EXPECT_NE(OpenOk(), nullptr);
}

TEST_P(CorruptionTest, VerifyReportsEveryProblemAndPadding) {
  // Padding before the series section (when there is some) is not read by
  // queries; Verify still notices.
  std::string index = Read("index");
  uint64_t symbols_end = Toc(0) + 8 + LoadFixed32(index.data() + Toc(0));
  Flip("chunks/000001", 12);
  Flip("chunks/000003", 12);
  if (symbols_end < Toc(1)) Flip("index", symbols_end, 0x04);
  auto b = OpenOk();
  ASSERT_NE(b, nullptr);
  std::vector<Damage> damage = b->Verify();
  EXPECT_THAT(damage, Contains(IsDamage("chunks/000001", 8, "chunk crc mismatch")));
  EXPECT_THAT(damage, Contains(IsDamage("chunks/000003", 8, "chunk crc mismatch")));
  if (symbols_end < Toc(1)) {
    EXPECT_THAT(damage, Contains(IsDamage("index", symbols_end, "nonzero padding byte")));
  }
}

TEST_P(CorruptionTest, MissingOrMismatchedFiles) {
  const std::string prefix = std::string("corrupted block ") + kUlid + ": ";
  // meta.json for another block.
  std::string meta = Read("meta.json");
  BlockMeta other = *DecodeMeta(meta);
  other.ulid = "01HF7YAT000000000000000002";
  Write("meta.json", EncodeMeta(other));
  EXPECT_THAT(Block::Open(fs_, dir_).status().message(),
              HasSubstr("differs from the directory name"));
  // Stats that do not match the data: Verify names meta.json.
  other.ulid = kUlid;
  other.num_samples += 1;
  Write("meta.json", EncodeMeta(other));
  {
    auto b = OpenOk();
    ASSERT_NE(b, nullptr);
    EXPECT_THAT(b->Verify(), Contains(IsDamage("meta.json", 0, "stats say")));
  }
  Write("meta.json", meta);
  // A missing middle segment.
  std::string seg2 = Read("chunks/000002");
  ASSERT_TRUE(fs_->RemoveFile(JoinPath(dir_, "chunks/000002")).ok());
  EXPECT_EQ(Block::Open(fs_, dir_).status(),
            absl::DataLossError(prefix + "chunks/000003 offset 0: unexpected file; want "
                                         "chunks/000002"));
  Write("chunks/000002", seg2);
  // Missing index.
  std::string index = Read("index");
  ASSERT_TRUE(fs_->RemoveFile(JoinPath(dir_, "index")).ok());
  EXPECT_EQ(Block::Open(fs_, dir_).status(), absl::DataLossError(prefix + "missing index"));
  Write("index", index);
  ASSERT_NE(OpenOk(), nullptr);
}

INSTANTIATE_TEST_SUITE_P(FileSystems, CorruptionTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "Posix" : "Mem"; });

}  // namespace
}  // namespace strata::block
