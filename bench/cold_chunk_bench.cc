// Cold chunk size and speed on the synthetic node-exporter workload: a day
// of 15 s scrapes (5,760 samples) per series, by series kind.
// bytes_per_sample compares XOR chunks (120 samples each, as the head cuts
// them) with one cold chunk per series; items_per_second counts samples.
//
//   strata_bench --benchmark_filter=Cold
#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "bench/workload/synthetic.h"
#include "benchmark/benchmark.h"
#include "tsdb/chunk/cold_chunk.h"
#include "tsdb/chunk/xor_chunk.h"

namespace strata {
namespace {

using Kind = bench::SyntheticWorkload::Kind;
constexpr size_t kSamples = 5760;
constexpr uint64_t kSeries = 200;  // four targets' worth of families
constexpr int kXorChunkSamples = 120;

struct Series {
  std::vector<int64_t> t;
  std::vector<double> v;
};

// The workload's series of one kind (kind < 0: all of them).
std::vector<Series> MakeSeries(int kind) {
  bench::SyntheticWorkload w(kSeries, 1'700'000'000'000, 15'000, 42);
  std::vector<Series> out;
  for (uint64_t i = 0; i < kSeries; ++i) {
    if (kind >= 0 && static_cast<int>(w.kind(i)) != kind) continue;
    Series s;
    for (size_t r = 0; r < kSamples; ++r) {
      s.t.push_back(w.Timestamp(i, r));
      s.v.push_back(w.NextValue(i));
    }
    out.push_back(std::move(s));
  }
  return out;
}

size_t XorBytes(const Series& s) {
  size_t bytes = 0;
  for (size_t start = 0; start < s.t.size(); start += kXorChunkSamples) {
    XorAppender app;
    for (size_t i = start; i < s.t.size() && i < start + kXorChunkSamples; ++i) {
      app.Append(s.t[i], s.v[i]);
    }
    bytes += app.bytes().size();
  }
  return bytes;
}

void SetSizeCounters(benchmark::State& state, const std::vector<Series>& all,
                     const std::vector<std::vector<uint8_t>>& chunks) {
  size_t cold = 0, xr = 0, samples = 0;
  for (size_t i = 0; i < all.size(); ++i) {
    cold += chunks[i].size();
    xr += XorBytes(all[i]);
    samples += all[i].t.size();
  }
  state.counters["cold_bytes_per_sample"] = static_cast<double>(cold) / samples;
  state.counters["xor_bytes_per_sample"] = static_cast<double>(xr) / samples;
}

void BM_ColdEncode(benchmark::State& state) {
  const std::vector<Series> all = MakeSeries(static_cast<int>(state.range(0)));
  std::vector<std::vector<uint8_t>> chunks(all.size());
  for (auto _ : state) {
    for (size_t i = 0; i < all.size(); ++i) chunks[i] = EncodeColdChunk(all[i].t, all[i].v);
    benchmark::DoNotOptimize(chunks.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * all.size() * kSamples));
  SetSizeCounters(state, all, chunks);
}

void BM_ColdDecode(benchmark::State& state) {
  const std::vector<Series> all = MakeSeries(static_cast<int>(state.range(0)));
  std::vector<std::vector<uint8_t>> chunks;
  for (const Series& s : all) chunks.push_back(EncodeColdChunk(s.t, s.v));
  ColdChunkIterator it;
  for (auto _ : state) {
    int64_t sum_t = 0;
    double sum_v = 0;
    for (const auto& c : chunks) {
      it.Reset(c);
      while (it.Next()) {
        sum_t += it.t();
        sum_v += it.v();
      }
    }
    benchmark::DoNotOptimize(sum_t);
    benchmark::DoNotOptimize(sum_v);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * all.size() * kSamples));
  SetSizeCounters(state, all, chunks);
}

void BM_XorDecodeSameData(benchmark::State& state) {
  const std::vector<Series> all = MakeSeries(static_cast<int>(state.range(0)));
  std::vector<XorAppender> chunks;
  for (const Series& s : all) {
    for (size_t start = 0; start < kSamples; start += kXorChunkSamples) {
      XorAppender app;
      for (size_t i = start; i < start + kXorChunkSamples; ++i) app.Append(s.t[i], s.v[i]);
      chunks.push_back(std::move(app));
    }
  }
  for (auto _ : state) {
    int64_t sum_t = 0;
    double sum_v = 0;
    for (const auto& c : chunks) {
      XorIterator it(c.bytes());
      while (it.Next()) {
        sum_t += it.t();
        sum_v += it.v();
      }
    }
    benchmark::DoNotOptimize(sum_t);
    benchmark::DoNotOptimize(sum_v);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * all.size() * kSamples));
}

// Bytes per sample when a day is split into cold chunks of range(0) samples
// (the whole mix): what the compactor's chunk length costs. Shorter chunks
// make point reads cheaper (a cold chunk is decoded whole).
void BM_ColdChunkLength(benchmark::State& state) {
  const std::vector<Series> all = MakeSeries(-1);
  const size_t len = static_cast<size_t>(state.range(0));
  size_t bytes = 0;
  for (auto _ : state) {
    bytes = 0;
    for (const Series& s : all) {
      for (size_t start = 0; start < kSamples; start += len) {
        const size_t n = std::min(len, kSamples - start);
        bytes += EncodeColdChunk(std::span(s.t).subspan(start, n), std::span(s.v).subspan(start, n))
                     .size();
      }
    }
    benchmark::DoNotOptimize(bytes);
  }
  state.counters["cold_bytes_per_sample"] =
      static_cast<double>(bytes) / static_cast<double>(all.size() * kSamples);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * all.size() * kSamples));
}
BENCHMARK(BM_ColdChunkLength)
    ->Arg(240)
    ->Arg(480)
    ->Arg(960)
    ->Arg(1920)
    ->Arg(5760)
    ->Unit(benchmark::kMillisecond);

// Argument: SyntheticWorkload::Kind, or -1 for the whole mix.
void KindArgs(benchmark::internal::Benchmark* b) {
  b->ArgName("kind");
  for (int k = -1; k <= static_cast<int>(Kind::kConstant); ++k) b->Arg(k);
  b->Unit(benchmark::kMillisecond);
}

BENCHMARK(BM_ColdEncode)->Apply(KindArgs);
BENCHMARK(BM_ColdDecode)->Apply(KindArgs);
BENCHMARK(BM_XorDecodeSameData)->Apply(KindArgs);

}  // namespace
}  // namespace strata
