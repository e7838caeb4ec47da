// Merge querier throughput: reading every sample of 100 series spread over k
// in-memory queriers (k = 1 is the single-querier pass-through, the
// baseline). "disjoint" gives each querier its own time range, as blocks
// followed by the head (the merged iterator concatenates); "interleaved"
// deals the samples round-robin, the worst case for the heap (every sample
// switches input); "duplicated" puts every sample in every querier (all but
// one copy are skipped). items_per_second counts distinct samples returned.
//
//   strata_bench --benchmark_filter=MergeQuerier
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "tests/tsdb/querier/fake_querier.h"
#include "tsdb/querier/merge_querier.h"

namespace strata {
namespace {

using testing::FakeSeries;
using testing::VectorQuerier;

constexpr int kSeries = 100;
constexpr int kSamplesPerSeries = 1200;  // 5 h at a 15 s interval

enum Layout : int { kDisjoint, kInterleaved, kDuplicated };

std::unique_ptr<Querier> MakeQuerier(int k, int layout) {
  std::vector<std::vector<FakeSeries>> per(k);
  for (int s = 0; s < kSeries; ++s) {
    const Labels l = Labels::FromStrings({"__name__", "m", "i", std::to_string(s)});
    for (auto& q : per) q.push_back({l, {}});
    for (int n = 0; n < kSamplesPerSeries; ++n) {
      const int64_t t = int64_t{15'000} * n;
      const double v = n;
      if (layout == kDuplicated) {
        for (auto& q : per) q.back().samples.push_back({t, v});
      } else {
        const int owner = layout == kDisjoint ? n * k / kSamplesPerSeries : n % k;
        per[owner].back().samples.push_back({t, v});
      }
    }
  }
  std::vector<std::unique_ptr<Querier>> qs;
  for (auto& series : per) qs.push_back(std::make_unique<VectorQuerier>(std::move(series)));
  return NewMergeQuerier(std::move(qs));
}

void BM_MergeQuerier(benchmark::State& state) {
  const int k = static_cast<int>(state.range(0));
  const int layout = static_cast<int>(state.range(1));
  auto q = MakeQuerier(k, layout);
  int64_t samples = 0;
  for (auto _ : state) {
    auto set = q->Select({});
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
  state.SetLabel(layout == kDisjoint      ? "disjoint"
                 : layout == kInterleaved ? "interleaved"
                                          : "duplicated");
}
BENCHMARK(BM_MergeQuerier)
    ->ArgNames({"k", "layout"})
    ->Args({1, kDisjoint})
    ->Args({2, kDisjoint})
    ->Args({10, kDisjoint})
    ->Args({2, kInterleaved})
    ->Args({10, kInterleaved})
    ->Args({2, kDuplicated})
    ->Args({10, kDuplicated});

}  // namespace
}  // namespace strata
