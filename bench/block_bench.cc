// Block write and read throughput on in-memory files (MemFileSystem, so the
// figures are CPU cost, not disk speed). items_per_second counts samples.
//
//   strata_bench --benchmark_filter=Block
//
// BM_BlockWrite/<series>: AddSeries + Finish of <series> series with 4
// chunks of 120 gauge-like samples each (pre-encoded XOR chunks).
// BM_BlockSelect/<all>: Select + iterate every sample; all=1 selects every
// series (no matcher), all=0 one job of 10 ({job="j3"}).
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "tsdb/base/mem_fs.h"
#include "tsdb/block/block.h"
#include "tsdb/block/block_writer.h"
#include "tsdb/chunk/xor_chunk.h"

namespace strata::block {
namespace {

constexpr int kChunksPerSeries = 4;
constexpr int kSamplesPerChunk = 120;
constexpr char kUlid[] = "01HF7YAT00BENCH00000000000";

struct BenchSeries {
  Labels labels;
  std::vector<XorAppender> chunks;
  std::vector<ChunkData> data;
};

std::vector<BenchSeries> MakeSeries(int n) {
  std::mt19937_64 rng(1);
  std::vector<BenchSeries> out(n);
  for (int i = 0; i < n; ++i) {
    out[i].labels = Labels::FromStrings({"__name__", "node_cpu_seconds_total", "instance",
                                         "host-" + std::to_string(100000 + i), "job",
                                         "j" + std::to_string(i % 10)});
    double v = 100;
    int64_t t = 0;
    for (int c = 0; c < kChunksPerSeries; ++c) {
      XorAppender& app = out[i].chunks.emplace_back();
      for (int k = 0; k < kSamplesPerChunk; ++k) {
        t += 15000 + static_cast<int64_t>(rng() % 11) - 5;
        v += std::round((static_cast<double>(rng() % 2001) - 1000) / 10.0) / 100.0;
        app.Append(t, v);
      }
    }
    for (const XorAppender& a : out[i].chunks) {
      out[i].data.push_back(
          {a.first_t(), a.last_t(), a.num_samples(), ChunkEncoding::kXor, a.bytes()});
    }
  }
  std::sort(out.begin(), out.end(),
            [](const BenchSeries& a, const BenchSeries& b) { return a.labels < b.labels; });
  return out;
}

bool WriteBlock(FileSystem* fs, const std::string& dir, const std::vector<BenchSeries>& series) {
  auto w = BlockWriter::Create(fs, dir);
  if (!w.ok()) return false;
  for (const BenchSeries& s : series) {
    if (!(*w)->AddSeries(s.labels, s.data).ok()) return false;
  }
  BlockMeta meta;
  meta.ulid = kUlid;
  meta.min_time = 0;
  meta.max_time = std::numeric_limits<int64_t>::max();
  meta.sources = {kUlid};
  return (*w)->Finish(&meta).ok();
}

void BM_BlockWrite(benchmark::State& state) {
  std::vector<BenchSeries> series = MakeSeries(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    MemFileSystem fs;
    if (!WriteBlock(&fs, "/db/b", series)) {
      state.SkipWithError("write failed");
      return;
    }
  }
  state.SetItemsProcessed(state.iterations() * state.range(0) * kChunksPerSeries *
                          kSamplesPerChunk);
}
BENCHMARK(BM_BlockWrite)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

void BM_BlockSelect(benchmark::State& state) {
  const int n = 10000;
  MemFileSystem fs;
  if (!WriteBlock(&fs, std::string("/db/") + kUlid, MakeSeries(n))) {
    state.SkipWithError("write failed");
    return;
  }
  auto block = Block::Open(&fs, std::string("/db/") + kUlid);
  if (!block.ok()) {
    state.SkipWithError("open failed");
    return;
  }
  std::vector<Matcher> matchers;
  if (state.range(0) == 0) matchers.push_back(*Matcher::Create(MatchType::kEqual, "job", "j3"));
  int64_t samples = 0;
  for (auto _ : state) {
    auto q = (*block)->NewQuerier(std::numeric_limits<int64_t>::min(),
                                  std::numeric_limits<int64_t>::max());
    auto set = q->Select(matchers);
    double sum = 0;
    while (set->Next()) {
      auto it = set->Iterator();
      while (it->Next()) {
        sum += it->v();
        ++samples;
      }
    }
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(samples);
}
BENCHMARK(BM_BlockSelect)->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace strata::block
