// Compaction throughput on in-memory files (MemFileSystem, so the figures are
// CPU cost, not disk speed), and where a cold block's bytes go.
// items_per_second counts samples.
//
//   strata_bench --benchmark_filter='Compact|WriteBlock|ColdColumns'
//
// BM_CompactBlocks/<series>: compaction::CompactBlocks of three level-1
// blocks of 2h each (15 s scrapes, 480 samples per series per block, XOR
// chunks of 120) of the synthetic node-exporter workload
// (bench/workload/synthetic.h) into one level-2 block: read, merge, cold
// encode, write.
// BM_WriteBlockFromHead/<series>: compaction::WriteBlock of a level-1 block
// (XOR) from a head querier holding 2h of the same workload: what the head
// cut costs.
// BM_ColdColumns: the cold encoding of 24h of 1,000 synthetic series split
// into its timestamp and value columns (counters ts_B_per_sample,
// values_B_per_sample, chunk_B_per_sample and, per value column kind, the
// share of the series and of the value bytes); its items_per_second counts
// each sample once although the loop encodes it twice (as two columns, then
// as a whole chunk). A debug mode measures a real
// block instead: STRATA_COLD_SPLIT_BLOCK=<block dir> (any level; its series
// are re-encoded the way compaction would, one cold chunk per series);
// STRATA_COLD_SPLIT_TOP=N also prints the N series with the largest value
// columns to stderr, with their column kinds.
// The column encoders come from tsdb/chunk/cold_columns.h, internal to the
// chunk module, used here read-only for the breakdown.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "bench/workload/synthetic.h"
#include "benchmark/benchmark.h"
#include "compaction/compactor.h"
#include "tsdb/base/clock.h"
#include "tsdb/base/mem_fs.h"
#include "tsdb/block/block.h"
#include "tsdb/block/block_writer.h"
#include "tsdb/block/ulid.h"
#include "tsdb/chunk/cold_chunk.h"
#include "tsdb/chunk/cold_columns.h"
#include "tsdb/chunk/xor_chunk.h"
#include "tsdb/head/head.h"

namespace strata::compaction {
namespace {

constexpr int64_t kInterval = 15'000;
constexpr int64_t kBlockRange = 2 * 3600 * 1000;
constexpr uint64_t kRoundsPerBlock = kBlockRange / kInterval;  // 480
constexpr int kXorSamples = 120;
constexpr int kInputBlocks = 3;
constexpr char kDbDir[] = "/db";

// Series sorted by labels with their samples over `rounds` scrapes from 0.
struct Data {
  std::vector<Labels> labels;
  std::vector<std::vector<int64_t>> ts;
  std::vector<std::vector<double>> vs;
};

Data MakeData(uint64_t num_series, uint64_t rounds) {
  bench::SyntheticWorkload w(num_series, 0, kInterval, 42);
  std::vector<uint64_t> order(num_series);
  Data d;
  d.labels.resize(num_series);
  d.ts.resize(num_series);
  d.vs.resize(num_series);
  for (uint64_t i = 0; i < num_series; ++i) {
    d.labels[i] = w.SeriesLabels(i);
    for (uint64_t r = 0; r < rounds; ++r) {
      d.ts[i].push_back(w.Timestamp(i, r));
      d.vs[i].push_back(w.NextValue(i));
    }
    order[i] = i;
  }
  std::sort(order.begin(), order.end(),
            [&](uint64_t a, uint64_t b) { return d.labels[a] < d.labels[b]; });
  Data sorted;
  for (uint64_t i : order) {
    sorted.labels.push_back(std::move(d.labels[i]));
    sorted.ts.push_back(std::move(d.ts[i]));
    sorted.vs.push_back(std::move(d.vs[i]));
  }
  return sorted;
}

// Writes rounds [block * 480, (block + 1) * 480) of `d` as a level-1 block
// of XOR chunks, as the head cut would; returns its directory.
std::string WriteInputBlock(FileSystem* fs, const Data& d, int block) {
  const std::string ulid = block::FormatUlid(static_cast<uint64_t>(block) + 1, 0, 7);
  const std::string dir = JoinPath(kDbDir, ulid);
  auto w = block::BlockWriter::Create(fs, dir);
  if (!w.ok()) return "";
  std::vector<XorAppender> apps;
  std::vector<block::ChunkData> chunks;
  const size_t begin = block * kRoundsPerBlock;
  for (size_t s = 0; s < d.labels.size(); ++s) {
    apps.clear();
    chunks.clear();
    for (size_t r = begin; r < begin + kRoundsPerBlock; ++r) {
      if ((r - begin) % kXorSamples == 0) apps.emplace_back();
      apps.back().Append(d.ts[s][r], d.vs[s][r]);
    }
    for (const XorAppender& a : apps) {
      chunks.push_back({a.first_t(), a.last_t(), static_cast<uint32_t>(a.num_samples()),
                        ChunkEncoding::kXor, a.bytes()});
    }
    if (!(*w)->AddSeries(d.labels[s], chunks).ok()) return "";
  }
  block::BlockMeta meta;
  meta.ulid = ulid;
  meta.min_time = static_cast<int64_t>(block) * kBlockRange;
  meta.max_time = meta.min_time + kBlockRange;
  meta.sources = {ulid};
  return (*w)->Finish(&meta).ok() ? dir : "";
}

void BM_CompactBlocks(benchmark::State& state) {
  const uint64_t n = static_cast<uint64_t>(state.range(0));
  MemFileSystem fs;
  std::vector<std::shared_ptr<block::Block>> blocks;
  {
    const Data d = MakeData(n, kRoundsPerBlock * kInputBlocks);
    for (int b = 0; b < kInputBlocks; ++b) {
      const std::string dir = WriteInputBlock(&fs, d, b);
      auto opened = dir.empty() ? absl::InternalError("write") : block::Block::Open(&fs, dir);
      if (!opened.ok()) {
        state.SkipWithError("input block failed");
        return;
      }
      blocks.push_back(*opened);
    }
  }
  const std::string out = block::FormatUlid(1000, 0, 9);
  uint64_t bytes = 0;
  for (auto _ : state) {
    auto meta = CompactBlocks(&fs, kDbDir, out, blocks);
    if (!meta.ok() || meta->num_samples != n * kRoundsPerBlock * kInputBlocks) {
      state.SkipWithError("compaction failed");
      return;
    }
    state.PauseTiming();
    auto size = fs.FileSize(JoinPath(JoinPath(kDbDir, out), "chunks/000001"));
    bytes = size.ok() ? *size : 0;
    (void)fs.RemoveAll(JoinPath(kDbDir, out));
    state.ResumeTiming();
  }
  const double samples = static_cast<double>(n * kRoundsPerBlock * kInputBlocks);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * samples));
  state.counters["out_chunk_B_per_sample"] = static_cast<double>(bytes) / samples;
}
BENCHMARK(BM_CompactBlocks)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

void BM_WriteBlockFromHead(benchmark::State& state) {
  const uint64_t n = static_cast<uint64_t>(state.range(0));
  ManualClock clock(kBlockRange);
  HeadOptions options;
  options.clock = &clock;
  Head head(options, nullptr);
  {
    const Data d = MakeData(n, kRoundsPerBlock);
    auto app = head.NewAppender();
    std::vector<SeriesRef> refs(n);
    for (uint64_t s = 0; s < n; ++s) {
      auto ref = app->Add(d.labels[s], d.ts[s][0], d.vs[s][0]);
      if (!ref.ok()) {
        state.SkipWithError("head append failed");
        return;
      }
      refs[s] = *ref;
    }
    for (uint64_t r = 1; r < kRoundsPerBlock; ++r) {
      for (uint64_t s = 0; s < n; ++s) (void)app->AddFast(refs[s], d.ts[s][r], d.vs[s][r]);
      if (r % 8 == 0 && !app->Commit().ok()) state.SkipWithError("commit failed");
    }
    if (!app->Commit().ok()) state.SkipWithError("commit failed");
  }
  MemFileSystem fs;
  if (!fs.CreateDirs(kDbDir).ok()) state.SkipWithError("mkdir failed");
  WriteBlockRequest request;
  request.fs = &fs;
  request.db_dir = kDbDir;
  request.ulid = block::FormatUlid(1, 0, 3);
  request.min_time = 0;
  request.max_time = kBlockRange;
  for (auto _ : state) {
    auto querier = head.NewQuerier(0, kBlockRange - 1);
    auto meta = WriteBlock(request, *querier);
    if (!meta.ok() || meta->num_samples != n * kRoundsPerBlock) {
      state.SkipWithError("write failed");
      return;
    }
    state.PauseTiming();
    (void)fs.RemoveAll(JoinPath(kDbDir, request.ulid));
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n * kRoundsPerBlock));
}
BENCHMARK(BM_WriteBlockFromHead)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

// ---- where the cold bytes go ----

struct ColumnSplit {
  uint64_t samples = 0;
  uint64_t series = 0;
  uint64_t ts_bytes = 0;
  uint64_t value_bytes = 0;
  uint64_t chunk_bytes = 0;
  uint64_t kind_series[4] = {};
  uint64_t kind_bytes[4] = {};
};

// Adds one series' columns to `split`; `scratch` is reused.
void SplitSeries(std::span<const int64_t> ts, std::span<const double> vs, std::string* scratch,
                 ColumnSplit* split) {
  if (ts.empty()) return;
  scratch->clear();
  cold::EncodeTimestamps(ts, scratch);
  split->ts_bytes += scratch->size();
  scratch->clear();
  cold::EncodeValues(vs, scratch);
  split->value_bytes += scratch->size();
  const uint8_t kind = static_cast<uint8_t>((*scratch)[0]);
  if (kind < 4) {
    ++split->kind_series[kind];
    split->kind_bytes[kind] += scratch->size();
  }
  split->chunk_bytes += EncodeColdChunk(ts, vs).size();
  split->samples += ts.size();
  ++split->series;
}

// Prints the `limit` series with the largest value columns to stderr: bytes,
// column kind (for decimal columns also scale and order), labels.
void PrintLargestValueColumns(const Data& d, size_t limit) {
  std::vector<std::pair<size_t, size_t>> sizes;  // (bytes, series index)
  std::string scratch;
  for (size_t s = 0; s < d.vs.size(); ++s) {
    scratch.clear();
    if (!d.vs[s].empty()) cold::EncodeValues(d.vs[s], &scratch);
    sizes.emplace_back(scratch.size(), s);
  }
  std::sort(sizes.rbegin(), sizes.rend());
  for (size_t i = 0; i < std::min(limit, sizes.size()); ++i) {
    const size_t s = sizes[i].second;
    scratch.clear();
    cold::EncodeValues(d.vs[s], &scratch);
    const int kind = static_cast<uint8_t>(scratch[0]);
    std::string detail;
    if (kind == cold::kValDecimal) {
      Decoder dec(std::string_view(scratch).substr(3));
      const uint64_t exceptions = dec.Uvarint();
      for (uint64_t e = 0; e < exceptions; ++e) {
        dec.Uvarint();
        dec.Fixed64();
      }
      const auto recipe = static_cast<uint8_t>(scratch[1]);  // scale | operation << 4
      detail = " k=" + std::to_string(recipe & 0x0f) + " op=" + std::to_string(recipe >> 4) +
               " order=" + std::to_string(static_cast<uint8_t>(scratch[2])) +
               " exceptions=" + std::to_string(exceptions) +
               " int_kind=" + std::to_string(dec.Byte());
    }
    std::fprintf(stderr, "%6zu B %5zu samples kind=%d%s %s\n", sizes[i].first, d.vs[s].size(), kind,
                 detail.c_str(), d.labels[s].ToString().c_str());
  }
}

// The samples of every series of the block at `dir`, or an error.
absl::Status LoadBlock(const std::string& dir, Data* d) {
  std::unique_ptr<FileSystem> fs = NewPosixFileSystem();
  auto b = block::Block::Open(fs.get(), dir);
  if (!b.ok()) return b.status();
  auto q =
      (*b)->NewQuerier(std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max());
  auto set = q->Select({});
  while (set->Next()) {
    d->labels.push_back(set->labels());
    d->ts.emplace_back();
    d->vs.emplace_back();
    auto it = set->Iterator();
    while (it->Next()) {
      d->ts.back().push_back(it->t());
      d->vs.back().push_back(it->v());
    }
    if (!it->status().ok()) return it->status();
  }
  return set->status();
}

void BM_ColdColumns(benchmark::State& state) {
  Data d;
  const char* dir = std::getenv("STRATA_COLD_SPLIT_BLOCK");
  if (dir != nullptr && *dir != '\0') {
    absl::Status st = LoadBlock(dir, &d);
    if (!st.ok()) {
      state.SkipWithError(std::string(st.message()).c_str());
      return;
    }
    state.SetLabel(dir);
  } else {
    d = MakeData(1000, 24 * 3600 * 1000 / kInterval);
    state.SetLabel("synthetic, 1000 series x 24h");
  }
  ColumnSplit split;
  std::string scratch;
  for (auto _ : state) {
    split = ColumnSplit();
    for (size_t s = 0; s < d.ts.size(); ++s) SplitSeries(d.ts[s], d.vs[s], &scratch, &split);
  }
  if (const char* top = std::getenv("STRATA_COLD_SPLIT_TOP"); top != nullptr) {
    PrintLargestValueColumns(d, std::strtoul(top, nullptr, 10));
  }
  if (split.samples == 0) {
    state.SkipWithError("no samples");
    return;
  }
  const double n = static_cast<double>(split.samples);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * split.samples));
  state.counters["series"] = static_cast<double>(split.series);
  state.counters["ts_B_per_sample"] = static_cast<double>(split.ts_bytes) / n;
  state.counters["values_B_per_sample"] = static_cast<double>(split.value_bytes) / n;
  state.counters["chunk_B_per_sample"] = static_cast<double>(split.chunk_bytes) / n;
  const char* names[4] = {"const", "decimal", "xor", "const_decimal"};
  for (int k = 0; k < 4; ++k) {
    state.counters[std::string("series_share_") + names[k]] =
        static_cast<double>(split.kind_series[k]) / static_cast<double>(split.series);
    state.counters[std::string("value_bytes_share_") + names[k]] =
        static_cast<double>(split.kind_bytes[k]) / static_cast<double>(split.value_bytes);
  }
}
BENCHMARK(BM_ColdColumns)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace strata::compaction
