// Format stability: small blocks are checked in under tests/testdata/:
// block-v1/ (every file at version 1) and block-v2/ (index version 2, as
// written now). Every later version of the code must open them and read
// exactly these series and samples. Regenerate the newest (only for a
// compatible writer change) with STRATA_REGENERATE_GOLDEN=1 ./block_test
// --gtest_filter='*Golden*'; a new format version gets a new directory.
#include <cstdlib>
#include <limits>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/tsdb/block/block_test_util.h"
#include "tsdb/base/mem_fs.h"
#include "tsdb/block/block.h"

#ifndef STRATA_SOURCE_DIR
#error "block_test needs STRATA_SOURCE_DIR (CMakeLists.txt defines it)"
#endif

namespace strata::block {
namespace {

using ::testing::ElementsAre;
using testing::Sample;
using testing::TestSeries;

constexpr char kGoldenUlid[] = "01HF7YAT000000000000000001";
constexpr uint64_t kStale = 0x7ff0000000000002ull;

// The block written with index format `version`.
std::string GoldenDir(int version) {
  return std::string(STRATA_SOURCE_DIR) + "/tests/testdata/block-v" + std::to_string(version) +
         "/" + kGoldenUlid;
}
constexpr int kNewestVersion = 2;

std::vector<TestSeries> GoldenSeries() {
  TestSeries counter{
      Labels::FromStrings({"__name__", "http_requests_total", "code", "200", "job", "api"}), {}};
  for (int i = 0; i < 20; ++i) {
    counter.samples.push_back({i * 15000, testing::Bits(i * (i + 1) / 2.0)});
  }
  TestSeries temp{Labels::FromStrings({"__name__", "temp", "city", "Z\xc3\xbcrich"}),
                  {{1000, 0x7ff8000000000abcull},
                   {2000, testing::Bits(-std::numeric_limits<double>::infinity())},
                   {3000, testing::Bits(-0.0)},
                   {4000, testing::Bits(23.5)},
                   {5000, kStale}}};
  TestSeries up{Labels::FromStrings({"__name__", "up", "instance", "a:9090", "job", "api"}),
                {{0, testing::Bits(1)},
                 {15000, testing::Bits(1)},
                 {30000, testing::Bits(0)},
                 {45000, testing::Bits(1)}}};
  return {counter, temp, up};
}

BlockMeta GoldenMeta() {
  BlockMeta m = testing::TestMeta(kGoldenUlid, 0, 300000);
  m.num_samples = 29;
  m.num_series = 3;
  m.num_chunks = 5;
  return m;
}

TEST(GoldenBlockTest, Regenerate) {
  if (std::getenv("STRATA_REGENERATE_GOLDEN") == nullptr) {
    GTEST_SKIP() << "set STRATA_REGENERATE_GOLDEN=1 to rewrite " << GoldenDir(kNewestVersion);
  }
  std::unique_ptr<FileSystem> fs = NewPosixFileSystem();
  ASSERT_TRUE(fs->RemoveAll(GoldenDir(kNewestVersion)).ok());
  auto meta = testing::WriteBlock(fs.get(), GoldenDir(kNewestVersion), GoldenSeries(),
                                  testing::TestMeta(kGoldenUlid, 0, 300000), 8);
  ASSERT_TRUE(meta.ok()) << meta.status();
}

class GoldenVersionTest : public ::testing::TestWithParam<int> {};

TEST_P(GoldenVersionTest, ReadsExactly) {
  std::unique_ptr<FileSystem> fs = NewPosixFileSystem();
  auto b = Block::Open(fs.get(), GoldenDir(GetParam()));
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ((*b)->meta(), GoldenMeta());
  EXPECT_TRUE((*b)->Verify().empty());
  auto q =
      (*b)->NewQuerier(std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max());
  auto got = testing::SelectAll(q.get(), {});
  auto want = GoldenSeries();
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].labels, want[i].labels);
    EXPECT_EQ(got[i].samples, want[i].samples) << want[i].labels.ToString();
  }
  EXPECT_THAT(*q->LabelNames({}), ElementsAre("__name__", "city", "code", "instance", "job"));
  EXPECT_THAT(*q->LabelValues("__name__", {}), ElementsAre("http_requests_total", "temp", "up"));
  auto m = Matcher::Create(MatchType::kEqual, "job", "api");
  ASSERT_TRUE(m.ok());
  auto api = testing::SelectAll(q.get(), std::vector<Matcher>{*m});
  ASSERT_EQ(api.size(), 2u);
  EXPECT_EQ(api[1].labels.Get("instance"), "a:9090");
  // A pair of one series (version 2 names it in the postings offset table).
  auto temp = Matcher::Create(MatchType::kEqual, "__name__", "temp");
  ASSERT_TRUE(temp.ok());
  auto one = testing::SelectAll(q.get(), std::vector<Matcher>{*temp});
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].samples, want[1].samples);
  std::vector<size_t> chunk_counts;
  auto it = (*b)->Series();
  while (it->Next()) chunk_counts.push_back(it->chunks().size());
  EXPECT_TRUE(it->status().ok());
  EXPECT_THAT(chunk_counts, ElementsAre(3, 1, 1));
}

INSTANTIATE_TEST_SUITE_P(IndexVersions, GoldenVersionTest, ::testing::Values(1, 2));

TEST(GoldenBlockTest, WriterStillProducesTheSameBytes) {
  // Not required for compatibility, but an unintended change of the writer's
  // output shows here first. If the change is intended and readers of
  // the newest version still read the new output, regenerate; if not, bump
  // the version.
  MemFileSystem mem;
  auto meta =
      testing::WriteBlock(&mem, "/g", GoldenSeries(), testing::TestMeta(kGoldenUlid, 0, 300000), 8);
  ASSERT_TRUE(meta.ok());
  std::unique_ptr<FileSystem> fs = NewPosixFileSystem();
  for (const char* f : {"meta.json", "index", "tombstones", "chunks/000001"}) {
    auto golden = fs->ReadFile(GoldenDir(kNewestVersion) + "/" + f);
    ASSERT_TRUE(golden.ok()) << golden.status();
    EXPECT_TRUE(*golden == *mem.ReadFile(std::string("/g/") + f)) << f << " changed";
  }
  EXPECT_THAT(*fs->ListDir(GoldenDir(kNewestVersion) + "/chunks"), ElementsAre("000001"));
}

}  // namespace
}  // namespace strata::block
