#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/read_batch_check.h"
#include "tests/test_util.h"
#include "tests/tsdb/block/block_test_util.h"
#include "tsdb/base/mem_fs.h"
#include "tsdb/block/block.h"
#include "tsdb/block/format.h"

namespace strata::block {
namespace {

using testing::Bits;
using ::testing::ElementsAre;
using testing::Sample;
using testing::TestMeta;
using testing::TestSeries;

constexpr char kUlid[] = "01J0000000000000000000TEST";
constexpr int64_t kMaxT = 20'000'000;
constexpr size_t kPerChunk = 37;

uint64_t RandomValueBits(std::mt19937_64& rng) {
  switch (rng() % 10) {
    case 0:  // a NaN with a random payload
      return 0x7ff0000000000000ull | (rng() & 0x000fffffffffffffull) | 1 | (rng() & 1) << 63;
    case 1:
      return 0x7ff0000000000002ull;  // the stale marker
    case 2:
      return Bits(rng() & 1 ? std::numeric_limits<double>::infinity()
                            : -std::numeric_limits<double>::infinity());
    case 3:
      return Bits(-0.0);
    case 4:
      return rng();  // any bit pattern
    case 5:
      return Bits(static_cast<double>(rng() % 100));
    default:
      return Bits(std::ldexp(static_cast<double>(rng() % 1000000) - 500000, rng() % 40 - 20));
  }
}

std::vector<TestSeries> RandomSeries(uint64_t seed, int n) {
  std::mt19937_64 rng(seed);
  std::vector<TestSeries> out;
  for (int i = 0; i < n; ++i) {
    std::vector<Label> l = {
        {"__name__", std::vector<std::string_view>{"m0", "m1", "m2", "m3", "up"}[rng() % 5]},
        {"job", std::vector<std::string_view>{"a", "b", "c"}[rng() % 3]}};
    std::string instance = std::to_string(rng() % 30);
    if (rng() % 4 != 0) l.push_back({"instance", instance});
    if (rng() % 3 == 0) l.push_back({"env", rng() % 2 ? "prod" : "dev\nline"});
    TestSeries s{Labels::FromUnsorted(l), {}};
    int64_t t = static_cast<int64_t>(rng() % 1000000);
    int count = 1 + static_cast<int>(rng() % 300);
    for (int k = 0; k < count; ++k) {
      s.samples.push_back({t, RandomValueBits(rng)});
      t += 1 + static_cast<int64_t>(rng() % 30000);
    }
    out.push_back(std::move(s));
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.labels < b.labels; });
  out.erase(std::unique(out.begin(), out.end(),
                        [](const auto& a, const auto& b) { return a.labels == b.labels; }),
            out.end());
  return out;
}

Matcher M(MatchType type, std::string name, std::string value) {
  auto m = Matcher::Create(type, std::move(name), std::move(value));
  EXPECT_TRUE(m.ok()) << m.status();
  return *m;
}
constexpr MatchType kEq = MatchType::kEqual;
constexpr MatchType kNe = MatchType::kNotEqual;
constexpr MatchType kRe = MatchType::kRegexMatch;
constexpr MatchType kNre = MatchType::kRegexNoMatch;

// What Select over [mint, maxt] must return: series matching every matcher
// with a chunk overlapping the range, samples limited to the range.
std::vector<TestSeries> BruteForce(const std::vector<TestSeries>& all,
                                   const std::vector<Matcher>& ms, int64_t mint, int64_t maxt) {
  std::vector<TestSeries> out;
  for (const TestSeries& s : all) {
    bool match = std::all_of(ms.begin(), ms.end(),
                             [&](const Matcher& m) { return m.Matches(s.labels.Get(m.name())); });
    if (!match) continue;
    bool overlaps = false;
    for (size_t i = 0; i < s.samples.size(); i += kPerChunk) {
      size_t last = std::min(s.samples.size(), i + kPerChunk) - 1;
      overlaps |= s.samples[i].t <= maxt && s.samples[last].t >= mint;
    }
    if (!overlaps) continue;
    TestSeries r{s.labels, {}};
    for (const Sample& x : s.samples) {
      if (x.t >= mint && x.t <= maxt) r.samples.push_back(x);
    }
    out.push_back(std::move(r));
  }
  return out;
}

class BlockReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    series_ = RandomSeries(1, 400);
    auto meta = testing::WriteBlock(&fs_, std::string("/db/") + kUlid, series_,
                                    TestMeta(kUlid, 0, kMaxT), kPerChunk, 64 << 10);
    ASSERT_TRUE(meta.ok()) << meta.status();
    meta_ = *meta;
    auto b = Block::Open(&fs_, std::string("/db/") + kUlid);
    ASSERT_TRUE(b.ok()) << b.status();
    block_ = *b;
  }
  MemFileSystem fs_;
  std::vector<TestSeries> series_;
  BlockMeta meta_;
  std::shared_ptr<Block> block_;
};

TEST_F(BlockReaderTest, MetaAndSizes) {
  EXPECT_EQ(block_->meta(), meta_);
  EXPECT_EQ(meta_.num_series, series_.size());
  uint64_t samples = 0, chunks = 0;
  for (const auto& s : series_) {
    samples += s.samples.size();
    chunks += (s.samples.size() + kPerChunk - 1) / kPerChunk;
  }
  EXPECT_EQ(meta_.num_samples, samples);
  EXPECT_EQ(meta_.num_chunks, chunks);
  EXPECT_EQ(block_->IndexBytes(), *fs_.FileSize(block_->dir() + "/index"));
  EXPECT_EQ(block_->SizeBytes(), block_->IndexBytes() + block_->ChunkBytes() +
                                     *fs_.FileSize(block_->dir() + "/meta.json") +
                                     *fs_.FileSize(block_->dir() + "/tombstones"));
  EXPECT_GT(fs_.ListDir(block_->dir() + "/chunks")->size(), 3u);
  EXPECT_TRUE(block_->Verify().empty());
}

TEST_F(BlockReaderTest, RoundTripIsBitExact) {
  auto q =
      block_->NewQuerier(std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max());
  auto got = testing::SelectAll(q.get(), {});
  ASSERT_EQ(got.size(), series_.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].labels, series_[i].labels);
    EXPECT_EQ(got[i].samples, series_[i].samples) << series_[i].labels.ToString();
  }
}

TEST_F(BlockReaderTest, SeriesIteratesRawChunks) {
  auto it = block_->Series();
  size_t i = 0;
  while (it->Next()) {
    ASSERT_LT(i, series_.size());
    EXPECT_EQ(it->labels(), series_[i].labels);
    std::vector<Sample> samples;
    for (const StoredChunk& c : it->chunks()) {
      EXPECT_EQ(c.encoding, ChunkEncoding::kXor);
      auto si = NewChunkSampleIterator(c, std::numeric_limits<int64_t>::min(),
                                       std::numeric_limits<int64_t>::max());
      auto part = testing::Drain(si.get());
      EXPECT_EQ(part.size(), c.num_samples);
      EXPECT_EQ(part.front().t, c.min_time);
      EXPECT_EQ(part.back().t, c.max_time);
      samples.insert(samples.end(), part.begin(), part.end());
    }
    EXPECT_EQ(samples, series_[i].samples);
    ++i;
  }
  EXPECT_TRUE(it->status().ok()) << it->status();
  EXPECT_EQ(i, series_.size());
}

TEST_F(BlockReaderTest, EveryMatcherTypeAgainstBruteForce) {
  std::vector<std::vector<Matcher>> cases = {
      {},
      {M(kEq, "__name__", "m1")},
      {M(kEq, "__name__", "nope")},
      {M(kEq, "nolabel", "x")},
      {M(kEq, "nolabel", "")},
      {M(kNe, "nolabel", "x")},
      {M(kNe, "job", "a")},
      {M(kNe, "env", "")},
      {M(kEq, "env", "")},
      {M(kEq, "env", "dev\nline")},
      {M(kRe, "job", "a|b")},
      {M(kRe, "job", "a|zzz")},
      {M(kRe, "job", "b.*")},
      {M(kRe, "instance", "1.*")},
      {M(kRe, "instance", "")},
      {M(kRe, "env", ".*")},
      {M(kRe, "env", ".+")},
      {M(kRe, "env", "dev.line")},
      {M(kNre, "instance", "1.*")},
      {M(kNre, "job", "a|b|c")},
      {M(kNre, "env", "")},
      {M(kRe, "__name__", "m[0-2]"), M(kRe, "instance", "1|2|3")},
      {M(kEq, "job", "c"), M(kNe, "env", "prod")},
      {M(kEq, "job", "c"), M(kNre, "instance", "2.*"), M(kRe, "__name__", "m.*|up")},
      {M(kEq, "__name__", "up"), M(kEq, "job", "a"), M(kEq, "env", "")},
      {M(kNe, "job", "a"), M(kNe, "job", "b")},
  };
  for (int64_t mint : {std::numeric_limits<int64_t>::min(), int64_t{500000}}) {
    int64_t maxt = mint < 0 ? std::numeric_limits<int64_t>::max() : 3000000;
    auto q = block_->NewQuerier(mint, maxt);
    for (const auto& ms : cases) {
      std::string desc;
      for (const Matcher& m : ms) desc += m.ToString() + " ";
      auto want = BruteForce(series_, ms, mint, maxt);
      auto got = testing::SelectAll(q.get(), ms);
      EXPECT_TRUE(testing::SameSeries(got, want))
          << desc << " [" << mint << "," << maxt << "]: got " << got.size() << " want "
          << want.size();
    }
  }
}

TEST_F(BlockReaderTest, TimeLimitsAndSeek) {
  const TestSeries& s = series_[7];
  ASSERT_GT(s.samples.size(), 3u);
  int64_t mint = s.samples[1].t, maxt = s.samples[s.samples.size() - 2].t;
  auto q = block_->NewQuerier(mint, maxt);
  std::vector<Matcher> ms;
  s.labels.ForEach(
      [&](Label l) { ms.push_back(M(kEq, std::string(l.name), std::string(l.value))); });
  auto set = q->Select(ms);
  ASSERT_TRUE(set->Next());
  EXPECT_EQ(set->labels(), s.labels);
  auto it = set->Iterator();
  std::vector<Sample> want(s.samples.begin() + 1, s.samples.end() - 1);
  EXPECT_EQ(testing::Drain(it.get()), want);
  EXPECT_FALSE(it->Next());
  // Seek: before mint lands on mint; forward jumps; never backwards; past maxt ends.
  it = set->Iterator();
  ASSERT_TRUE(it->Seek(std::numeric_limits<int64_t>::min()));
  EXPECT_EQ(it->t(), mint);
  size_t mid = s.samples.size() / 2;
  ASSERT_TRUE(it->Seek(s.samples[mid].t - 1 > mint ? s.samples[mid].t - 1 : mint));
  EXPECT_EQ(it->t(), s.samples[mid].t > mint ? s.samples[mid].t : mint);
  int64_t at = it->t();
  ASSERT_TRUE(it->Seek(mint));
  EXPECT_EQ(it->t(), at);
  EXPECT_FALSE(it->Seek(maxt + 1));
  EXPECT_FALSE(it->Next());
  EXPECT_TRUE(it->status().ok());
  EXPECT_FALSE(set->Next());
  // A range between two chunks' samples but inside no sample: the series is
  // selected only if a chunk overlaps, and yields nothing outside the range.
  auto q2 = block_->NewQuerier(kMaxT, kMaxT + 10);
  EXPECT_TRUE(testing::SelectAll(q2.get(), {}).empty());
}

TEST_F(BlockReaderTest, ReadBatchMatchesNextAcrossChunks) {
  for (size_t k : {size_t{3}, size_t{7}, size_t{11}}) {
    const TestSeries& s = series_[k];
    ASSERT_GT(s.samples.size(), 3u);
    std::vector<Matcher> ms;
    s.labels.ForEach(
        [&](Label l) { ms.push_back(M(kEq, std::string(l.name), std::string(l.value))); });
    // The whole block, and limits inside the first and last chunks.
    for (auto [mint, maxt] :
         {std::pair{int64_t{0}, kMaxT},
          std::pair{s.samples[1].t + 1, s.samples[s.samples.size() - 2].t - 1}}) {
      auto q = block_->NewQuerier(mint, maxt);
      ::strata::testing::CheckReadBatchMatchesNext(
          [&] {
            auto set = q->Select(ms);
            EXPECT_TRUE(set->Next());
            return set->Iterator();
          },
          k);
    }
  }
}

TEST_F(BlockReaderTest, LabelNamesAndValues) {
  auto q =
      block_->NewQuerier(std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max());
  auto brute_values = [&](const std::string& name, const std::vector<Matcher>& ms) {
    std::set<std::string> v;
    for (const auto& s : BruteForce(series_, ms, std::numeric_limits<int64_t>::min(),
                                    std::numeric_limits<int64_t>::max())) {
      if (!s.labels.Get(name).empty()) v.insert(std::string(s.labels.Get(name)));
    }
    return std::vector<std::string>(v.begin(), v.end());
  };
  auto brute_names = [&](const std::vector<Matcher>& ms) {
    std::set<std::string> v;
    for (const auto& s : BruteForce(series_, ms, std::numeric_limits<int64_t>::min(),
                                    std::numeric_limits<int64_t>::max())) {
      s.labels.ForEach([&](Label l) { v.insert(std::string(l.name)); });
    }
    return std::vector<std::string>(v.begin(), v.end());
  };
  EXPECT_THAT(*q->LabelNames({}), ElementsAre("__name__", "env", "instance", "job"));
  EXPECT_THAT(*q->LabelValues("job", {}), ElementsAre("a", "b", "c"));
  EXPECT_THAT(*q->LabelValues("env", {}), ElementsAre("dev\nline", "prod"));
  EXPECT_TRUE(q->LabelValues("nope", {})->empty());
  EXPECT_EQ(*q->LabelValues("instance", {}), brute_values("instance", {}));
  for (const std::vector<Matcher>& ms : {std::vector<Matcher>{M(kEq, "job", "b")},
                                         {M(kEq, "env", "prod"), M(kNe, "job", "a")},
                                         {M(kEq, "__name__", "nope")},
                                         {M(kEq, "env", "")}}) {
    EXPECT_EQ(*q->LabelValues("instance", ms), brute_values("instance", ms));
    EXPECT_EQ(*q->LabelValues("env", ms), brute_values("env", ms));
    EXPECT_EQ(*q->LabelNames(ms), brute_names(ms));
  }
}

TEST_F(BlockReaderTest, ReadersKeepTheBlockAlive) {
  auto q = block_->NewQuerier(0, kMaxT);
  auto it = block_->Series();
  block_.reset();
  EXPECT_EQ(testing::SelectAll(q.get(), {}).size(), series_.size());
  ASSERT_TRUE(it->Next());
  EXPECT_EQ(it->labels(), series_[0].labels);
}

TEST(BlockEmptyTest, EmptyBlockOpensAndSelectsNothing) {
  MemFileSystem fs;
  auto meta = testing::WriteBlock(&fs, std::string("/db/") + kUlid, {}, TestMeta(kUlid, 0, 10));
  ASSERT_TRUE(meta.ok()) << meta.status();
  EXPECT_EQ(meta->num_series, 0u);
  EXPECT_EQ(meta->num_samples, 0u);
  EXPECT_TRUE(fs.ListDir(std::string("/db/") + kUlid + "/chunks")->empty());
  auto b = Block::Open(&fs, std::string("/db/") + kUlid);
  ASSERT_TRUE(b.ok()) << b.status();
  auto q = (*b)->NewQuerier(0, 10);
  EXPECT_TRUE(testing::SelectAll(q.get(), {}).empty());
  EXPECT_TRUE(testing::SelectAll(q.get(), std::vector<Matcher>{M(kEq, "a", "")}).empty());
  EXPECT_TRUE(q->LabelNames({})->empty());
  EXPECT_TRUE(q->LabelValues("a", {})->empty());
  EXPECT_FALSE((*b)->Series()->Next());
  EXPECT_TRUE((*b)->Verify().empty());
  EXPECT_EQ((*b)->ChunkBytes(), 0u);
}

TEST(BlockPosixTest, RoundTripOnTheRealFileSystem) {
  ::strata::testing::TempDir tmp;
  std::unique_ptr<FileSystem> fs = NewPosixFileSystem();
  auto series = RandomSeries(2, 50);
  std::string dir = JoinPath(tmp.path(), kUlid);
  auto meta = testing::WriteBlock(fs.get(), dir, series, TestMeta(kUlid, 0, kMaxT), kPerChunk);
  ASSERT_TRUE(meta.ok()) << meta.status();
  auto b = Block::Open(fs.get(), dir);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_TRUE((*b)->Verify().empty());
  auto q =
      (*b)->NewQuerier(std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max());
  EXPECT_TRUE(testing::SameSeries(testing::SelectAll(q.get(), {}), series));
  // The block stays readable after its directory is removed (as retention
  // does while queries run): the mappings hold the data.
  ASSERT_TRUE(fs->RemoveAll(dir).ok());
  EXPECT_TRUE(testing::SameSeries(testing::SelectAll(q.get(), {}), series));
}

TEST(MapFileTest, PosixAndDefaultMappingsSeeTheBytes) {
  ::strata::testing::TempDir tmp;
  std::unique_ptr<FileSystem> fs = NewPosixFileSystem();
  MemFileSystem mem;
  for (FileSystem* f : {fs.get(), static_cast<FileSystem*>(&mem)}) {
    std::string path = f == &mem ? std::string("/x") : JoinPath(tmp.path(), "x");
    auto w = f->NewWritableFile(path, true);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Append(std::string("abc\0def", 7)).ok());
    ASSERT_TRUE((*w)->Close().ok());
    auto m = f->MapFile(path);
    ASSERT_TRUE(m.ok()) << m.status();
    EXPECT_EQ(format::AsStringView((*m)->data()), std::string("abc\0def", 7));
    auto e = f->NewWritableFile(path + "e", true);
    ASSERT_TRUE(e.ok());
    ASSERT_TRUE((*e)->Close().ok());
    EXPECT_TRUE((*f->MapFile(path + "e"))->data().empty());
    EXPECT_EQ(f->MapFile(path + "missing").status().code(), absl::StatusCode::kNotFound);
  }
}

}  // namespace
}  // namespace strata::block
