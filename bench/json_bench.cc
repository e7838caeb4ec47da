// Micro benchmarks for the query API's number formatting: the shortest
// decimal of a double (against std::to_chars, which finds the same digits)
// and AppendPromFloat over the kinds of values query answers hold.
//
//   strata_bench --benchmark_filter='ShortestDecimal|PromFloat'
#include <charconv>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "api/json_writer.h"
#include "benchmark/benchmark.h"
#include "tsdb/base/shortest_decimal.h"

namespace strata {
namespace {

enum ValueKind : int {
  kInteger,      // counters, byte sizes
  kTwoDecimals,  // gauges such as 12.34
  kRate,         // per-second rates: 15-17 significant digits
  kTiny,         // ratios below 1e-6, exponent form
};

std::vector<double> Values(int kind) {
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> dist(0, 100000);
  std::vector<double> out(4096);
  for (double& v : out) {
    const double x = dist(rng);
    switch (kind) {
      case kInteger:
        v = std::round(x * 1000);
        break;
      case kTwoDecimals:
        v = std::round(x * 100) / 100;
        break;
      case kRate:
        v = x / 15;
        break;
      default:
        v = x * 1e-12;
        break;
    }
  }
  return out;
}

const char* KindName(int kind) {
  static const char* const kNames[] = {"integer", "two_decimals", "rate", "tiny"};
  return kNames[kind];
}

void BM_ShortestDecimal(benchmark::State& state) {
  const std::vector<double> values = Values(kRate);
  size_t i = 0;
  for (auto _ : state) {
    ShortestDecimal d;
    benchmark::DoNotOptimize(ToShortestDecimal(values[i++ & 4095], &d));
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ShortestDecimal);

void BM_ToCharsShortest(benchmark::State& state) {
  const std::vector<double> values = Values(kRate);
  size_t i = 0;
  char buf[32];
  for (auto _ : state) {
    benchmark::DoNotOptimize(std::to_chars(buf, buf + sizeof buf, values[i++ & 4095]).ptr);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ToCharsShortest);

void BM_AppendPromFloat(benchmark::State& state) {
  const std::vector<double> values = Values(static_cast<int>(state.range(0)));
  state.SetLabel(KindName(static_cast<int>(state.range(0))));
  std::string out;
  size_t i = 0;
  for (auto _ : state) {
    out.clear();
    api::AppendPromFloat(&out, values[i++ & 4095]);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AppendPromFloat)->DenseRange(kInteger, kTiny);

// Timestamps of this century, with and without milliseconds.
void BM_AppendPromTimestamp(benchmark::State& state) {
  std::mt19937_64 rng(42);
  std::vector<int64_t> values(4096);
  for (int64_t& ms : values) {
    ms = 1'700'000'000'000 + static_cast<int64_t>(rng() % 100'000'000'000);
    if (rng() % 2) ms -= ms % 1000;
  }
  std::string out;
  size_t i = 0;
  for (auto _ : state) {
    out.clear();
    api::AppendPromTimestamp(&out, values[i++ & 4095]);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AppendPromTimestamp);

}  // namespace
}  // namespace strata
