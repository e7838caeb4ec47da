// XOR chunk encode/decode/seek throughput on 120-sample chunks (the head's
// chunk size) of realistic scrape data. items_per_second counts samples
// (seeks for BM_XorSeek); bytes_per_sample is the encoded size.
//
//   strata_bench --benchmark_filter=Xor --benchmark_repetitions=5
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "benchmark/benchmark.h"
#include "tsdb/chunk/xor_chunk.h"

namespace strata {
namespace {

constexpr int kSamplesPerChunk = 120;
constexpr int kChunks = 1000;  // ~ a few hundred KiB of chunks: a warm-cache working set

enum Kind : int {
  kCounter,   // 15 s scrapes, +-5 ms jitter, integer increments
  kGauge,     // 15 s scrapes, +-5 ms jitter, random walk rounded to 2 decimals
  kConstant,  // 15 s scrapes, no jitter, constant value (e.g. `up`)
};

const char* KindName(int k) {
  switch (k) {
    case kCounter:
      return "counter";
    case kGauge:
      return "gauge";
    default:
      return "constant";
  }
}

struct Series {
  std::vector<int64_t> t;
  std::vector<double> v;
};

Series MakeSeries(int kind, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> jitter(-5, 5);
  std::poisson_distribution<int> inc(40);
  std::normal_distribution<double> step(0, 1);
  Series s;
  int64_t t = 1'700'000'000'000 + static_cast<int64_t>(seed % 15'000);
  double v = kind == kGauge ? 50 : 1000 + static_cast<double>(seed % 100'000);
  for (int i = 0; i < kSamplesPerChunk; ++i) {
    const int64_t ts = t + int64_t{15'000} * i + (kind == kConstant ? 0 : jitter(rng));
    if (kind == kCounter) v += inc(rng);
    if (kind == kGauge) v = std::round((v + step(rng)) * 100) / 100;
    s.t.push_back(ts);
    s.v.push_back(v);
  }
  return s;
}

std::vector<Series> MakeAll(int kind) {
  std::vector<Series> all;
  for (int c = 0; c < kChunks; ++c) all.push_back(MakeSeries(kind, 1000 * kind + c));
  return all;
}

std::vector<std::vector<uint8_t>> EncodeAll(const std::vector<Series>& all) {
  std::vector<std::vector<uint8_t>> chunks;
  for (const Series& s : all) {
    XorAppender app;
    for (int i = 0; i < kSamplesPerChunk; ++i) app.Append(s.t[i], s.v[i]);
    chunks.emplace_back(app.bytes().begin(), app.bytes().end());
  }
  return chunks;
}

double BytesPerSample(const std::vector<std::vector<uint8_t>>& chunks) {
  size_t bytes = 0;
  for (const auto& c : chunks) bytes += c.size();
  return static_cast<double>(bytes) / (static_cast<double>(chunks.size()) * kSamplesPerChunk);
}

void BM_XorEncode(benchmark::State& state) {
  const int kind = static_cast<int>(state.range(0));
  const std::vector<Series> all = MakeAll(kind);
  for (auto _ : state) {
    for (const Series& s : all) {
      XorAppender app;  // includes the buffer's growth, as in the head
      for (int i = 0; i < kSamplesPerChunk; ++i) app.Append(s.t[i], s.v[i]);
      benchmark::DoNotOptimize(app.bytes().data());
    }
  }
  state.SetItemsProcessed(state.iterations() * kChunks * kSamplesPerChunk);
  state.counters["bytes_per_sample"] = BytesPerSample(EncodeAll(all));
  state.SetLabel(KindName(kind));
}

void BM_XorDecode(benchmark::State& state) {
  const int kind = static_cast<int>(state.range(0));
  const std::vector<std::vector<uint8_t>> chunks = EncodeAll(MakeAll(kind));
  XorIterator it;
  for (auto _ : state) {
    int64_t tsum = 0;
    double vsum = 0;
    for (const auto& c : chunks) {
      it.Reset(c);
      while (it.Next()) {
        tsum += it.t();
        vsum += it.v();
      }
    }
    benchmark::DoNotOptimize(tsum);
    benchmark::DoNotOptimize(vsum);
  }
  if (!it.status().ok()) state.SkipWithError("decode failed");
  state.SetItemsProcessed(state.iterations() * kChunks * kSamplesPerChunk);
  state.counters["bytes_per_sample"] = BytesPerSample(chunks);
  state.SetLabel(KindName(kind));
}

// The same through ReadBatch, as PromQL's selectors read (512 at a time).
void BM_XorReadBatch(benchmark::State& state) {
  const int kind = static_cast<int>(state.range(0));
  const std::vector<std::vector<uint8_t>> chunks = EncodeAll(MakeAll(kind));
  XorIterator it;
  std::vector<TimedValue> batch(512);
  for (auto _ : state) {
    int64_t tsum = 0;
    double vsum = 0;
    for (const auto& c : chunks) {
      it.Reset(c);
      for (bool positioned = it.Next(); positioned;) {
        const size_t n = it.ReadBatch(INT64_MAX, batch.data(), batch.size(), &positioned);
        for (size_t i = 0; i < n; ++i) {
          tsum += batch[i].t;
          vsum += batch[i].v;
        }
      }
    }
    benchmark::DoNotOptimize(tsum);
    benchmark::DoNotOptimize(vsum);
  }
  if (!it.status().ok()) state.SkipWithError("decode failed");
  state.SetItemsProcessed(state.iterations() * kChunks * kSamplesPerChunk);
  state.SetLabel(KindName(kind));
}

// Reset + Seek to a random point of each chunk, then read one sample: what a
// range query does on each chunk that straddles its start.
void BM_XorSeek(benchmark::State& state) {
  const int kind = static_cast<int>(state.range(0));
  const std::vector<Series> all = MakeAll(kind);
  const std::vector<std::vector<uint8_t>> chunks = EncodeAll(all);
  std::mt19937_64 rng(5);
  std::vector<int64_t> targets;
  for (const Series& s : all) targets.push_back(s.t[rng() % kSamplesPerChunk] - 1);
  XorIterator it;
  for (auto _ : state) {
    double vsum = 0;
    for (size_t c = 0; c < chunks.size(); ++c) {
      it.Reset(chunks[c]);
      if (it.Seek(targets[c])) vsum += it.v();
    }
    benchmark::DoNotOptimize(vsum);
  }
  state.SetItemsProcessed(state.iterations() * kChunks);
  state.SetLabel(KindName(kind));
}

BENCHMARK(BM_XorEncode)->DenseRange(kCounter, kConstant);
BENCHMARK(BM_XorDecode)->DenseRange(kCounter, kConstant);
BENCHMARK(BM_XorReadBatch)->DenseRange(kCounter, kConstant);
BENCHMARK(BM_XorSeek)->DenseRange(kCounter, kConstant);

}  // namespace
}  // namespace strata
