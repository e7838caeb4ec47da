// Format stability of cold blocks: a compacted block is checked in under
// tests/testdata/block-v2-cold/ whose series make the compactor write the
// column kinds of docs/format/cold_chunks.md (grid, delta and shared
// timestamps; constant, constant-decimal, decimal with each recipe, XOR and
// shared values; rans, bucketed rANS and factored integer columns) and
// store a chunk once for two series. Every later version of the code must
// open it and read exactly these samples.
// The files stay as written: an encoder that writes other bytes for the
// same data must still read these. (STRATA_REGENERATE_GOLDEN=1
// ./compaction_test --gtest_filter='*ColdGolden*' rewrites them, for a
// format never released.)
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "compaction/compactor.h"
#include "gtest/gtest.h"
#include "tests/tsdb/querier/fake_querier.h"
#include "tsdb/base/mem_fs.h"
#include "tsdb/block/block.h"

#ifndef STRATA_SOURCE_DIR
#error "compaction_test needs STRATA_SOURCE_DIR (CMakeLists.txt defines it)"
#endif

namespace strata::compaction {
namespace {

using testing::FakeSample;
using testing::FakeSeries;
using testing::VectorQuerier;

constexpr char kUlid[] = "01HF7YAT000000000000000002";
constexpr int kSamples = 300;
constexpr int64_t kStart = 1795804200000;  // 2026-11-27T15:10:00Z

std::string GoldenDir() {
  return std::string(STRATA_SOURCE_DIR) + "/tests/testdata/block-v2-cold/" + kUlid;
}

double FromBits(uint64_t b) {
  double d;
  std::memcpy(&d, &b, sizeof d);
  return d;
}

// Scrape times 15 s apart, a few ms late one time in four (raw rng outputs
// only: std::mt19937_64 is the same everywhere, its distributions are not).
std::vector<int64_t> ScrapeTimes(uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<int64_t> ts;
  for (int i = 0; i < kSamples; ++i) {
    const int64_t late = rng() % 4 == 0 ? static_cast<int64_t>(rng() % 9) : 0;
    ts.push_back(kStart + i * 15000 + late);
  }
  return ts;
}

// One series per column encoding the cold format has (the comment names
// it), on two scrape targets.
std::vector<FakeSeries> GoldenSeries() {
  const std::vector<int64_t> a = ScrapeTimes(1), b = ScrapeTimes(2);
  std::mt19937_64 rng(3);
  std::vector<FakeSeries> out;
  auto add = [&](const char* name, const char* instance, const std::vector<int64_t>& ts,
                 const std::function<double(int)>& value) {
    FakeSeries s{Labels::FromStrings({"__name__", name, "instance", instance}), {}};
    for (int i = 0; i < kSamples; ++i) s.samples.push_back({ts[i], value(i)});
    out.push_back(std::move(s));
  };
  // Constant decimals; equal chunks on one target (stored once).
  add("up", "a", a, [](int) { return 1.0; });
  add("up_copy", "a", a, [](int) { return 1.0; });
  // A constant no recipe reproduces: its bit pattern.
  add("negative_zero", "a", a, [](int) { return -0.0; });
  // Decimal (m / 100), counter.
  double cpu = 12345.67;
  add("cpu_seconds", "a", a, [&](int) { return cpu = std::round((cpu + 14.8) * 100) / 100; });
  // Multiply recipe: milliseconds times 0.001.
  int64_t ms = 987654;
  add("disk_seconds", "a", a, [&](int) {
    ms += static_cast<int64_t>(rng() % 700);
    return static_cast<double>(ms) * 0.001;
  });
  // Thousands recipe: microseconds / 1000 / 1000.
  int64_t us = 55555555;
  add("stall_seconds", "a", a, [&](int) {
    us += static_cast<int64_t>(rng() % 90000);
    return static_cast<double>(us) / 1000.0 / 1000.0;
  });
  // A common factor: bytes in 4 KiB pages.
  double free_bytes = 8e9;
  add("free_bytes", "a", a,
      [&](int) { return free_bytes += 4096.0 * (static_cast<double>(rng() % 2001) - 1000); });
  // Bucketed rANS: nanosecond durations with a slow tail.
  add("duration_seconds", "a", a, [&](int) {
    int64_t ns = 40000 + static_cast<int64_t>(rng() % 90000);
    if (rng() % 20 == 0) ns *= 20;
    return static_cast<double>(ns) / 1e9;
  });
  // Unix time in nanoseconds as seconds: integers beyond 2^53.
  int64_t now_ns = 1795804200123456789;
  add("time_seconds", "a", a, [&](int) {
    now_ns += 15000000000 + static_cast<int64_t>(rng() % 3000000);
    return static_cast<double>(now_ns) / 1e9;
  });
  // XOR: arbitrary floats.
  add("ratio", "a", a, [&](int) { return FromBits(0x3fe0000000000000 | (rng() >> 12)); });
  // Exceptions: a counter with NaN and stale markers.
  double errors = 3;
  add("errors_total", "a", a, [&](int i) {
    if (i % 37 == 5) return FromBits(0x7ff0000000000002);
    if (i % 53 == 7) return std::numeric_limits<double>::quiet_NaN();
    return errors += static_cast<double>(rng() % 3);
  });
  // rANS over a small alphabet: a gauge of a few values.
  add("queue_length", "a", a, [&](int) { return static_cast<double>(rng() % 5); });
  // The same counts on two targets (other timestamps): the second refers
  // to the first's value column.
  std::vector<double> counts;
  for (double c = 0; counts.size() < kSamples; c += static_cast<double>(rng() % 50)) {
    counts.push_back(c);
  }
  add("requests_total", "a", a, [&](int i) { return counts[i]; });
  add("requests_total", "b", b, [&](int i) { return counts[i]; });
  // Timestamps of no grid (a batch job's pushes): delta coded.
  std::vector<int64_t> pushes;
  for (int64_t t = kStart; pushes.size() < kSamples; t += 1 + static_cast<int64_t>(rng() % 25000)) {
    pushes.push_back(t);
  }
  add("last_push", "c", pushes, [&](int i) { return static_cast<double>(i % 7); });
  std::sort(out.begin(), out.end(),
            [](const FakeSeries& x, const FakeSeries& y) { return x.labels < y.labels; });
  return out;
}

absl::StatusOr<block::BlockMeta> WriteGolden(FileSystem* fs, const std::string& db_dir) {
  const std::vector<FakeSeries> series = GoldenSeries();
  VectorQuerier source(series);
  WriteBlockRequest r;
  r.fs = fs;
  r.db_dir = db_dir;
  r.ulid = kUlid;
  r.min_time = kStart;
  r.max_time = kStart + int64_t{kSamples} * 15000;
  r.level = 2;
  r.cold = true;
  return WriteBlock(r, source);
}

TEST(ColdGoldenBlockTest, Regenerate) {
  if (std::getenv("STRATA_REGENERATE_GOLDEN") == nullptr) {
    GTEST_SKIP() << "set STRATA_REGENERATE_GOLDEN=1 to rewrite " << GoldenDir();
  }
  std::unique_ptr<FileSystem> fs = NewPosixFileSystem();
  const std::string parent = GoldenDir().substr(0, GoldenDir().rfind('/'));
  ASSERT_TRUE(fs->RemoveAll(parent).ok());
  ASSERT_TRUE(fs->CreateDirs(parent).ok());
  auto meta = WriteGolden(fs.get(), parent);
  ASSERT_TRUE(meta.ok()) << meta.status();
}

TEST(ColdGoldenBlockTest, ReadsExactly) {
  std::unique_ptr<FileSystem> fs = NewPosixFileSystem();
  auto b = block::Block::Open(fs.get(), GoldenDir());
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ((*b)->meta().level, 2);
  EXPECT_TRUE((*b)->Verify().empty());
  const std::vector<FakeSeries> want = GoldenSeries();
  auto q =
      (*b)->NewQuerier(std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max());
  auto set = q->Select({});
  size_t i = 0;
  while (set->Next()) {
    ASSERT_LT(i, want.size());
    EXPECT_EQ(set->labels(), want[i].labels);
    auto it = set->Iterator();
    std::vector<FakeSample> got;
    while (it->Next()) got.push_back({it->t(), it->v()});
    EXPECT_TRUE(it->status().ok()) << it->status();
    EXPECT_EQ(got, want[i].samples) << want[i].labels.ToString();
    ++i;
  }
  EXPECT_TRUE(set->status().ok());
  EXPECT_EQ(i, want.size());
}

}  // namespace
}  // namespace strata::compaction
