// PromQL engine benchmarks over an in-memory head: 20 node-exporter-like
// targets (20,000 series, 10 labels each), 1 h at 15 s. Each benchmark is
// one dashboard query, as a range query over the hour at a 60 s step or as
// an instant query; items/s counts samples read from storage.
//
//   build/strata_bench --benchmark_filter=PromQL
#include "bench/workload/synthetic.h"
#include "benchmark/benchmark.h"
#include "promql/engine.h"
#include "tsdb/base/mem_fs.h"
#include "tsdb/db.h"

namespace strata {
namespace {

constexpr uint64_t kSeries = 20 * bench::SyntheticWorkload::kSeriesPerTarget;
constexpr int64_t kInterval = 15'000;
constexpr int64_t kRounds = 240;  // 1 h
constexpr int64_t kEnd = kInterval * (kRounds - 1);

// The data, loaded once for every benchmark.
DB& Data() {
  static MemFileSystem* fs = new MemFileSystem();
  static DB* db = [] {
    DBOptions o;
    o.fs = fs;
    o.wal_enabled = false;
    o.block_range_ms = int64_t{1} << 50;
    o.max_future_ms = int64_t{1} << 55;
    DB* d = DB::Open("/db", o)->release();
    bench::SyntheticWorkload w(kSeries, 0, kInterval, 42);
    std::vector<SeriesRef> refs(kSeries);
    for (int64_t r = 0; r < kRounds; ++r) {
      auto app = d->NewAppender();
      for (uint64_t i = 0; i < kSeries; ++i) {
        if (r == 0) {
          refs[i] = *app->Add(w.SeriesLabels(i), w.Timestamp(i, r), w.NextValue(i));
        } else {
          (void)app->AddFast(refs[i], w.Timestamp(i, r), w.NextValue(i));
        }
      }
      (void)app->Commit();
    }
    return d;
  }();
  return *db;
}

void RunQuery(benchmark::State& state, const char* query, bool range) {
  DB& db = Data();
  promql::Engine engine(promql::EngineOptions{});
  promql::Queryable q = [&db](int64_t mint, int64_t maxt) { return db.NewQuerier(mint, maxt); };
  int64_t samples = 0;
  for (auto _ : state) {
    auto r =
        range ? engine.RangeQuery(q, query, 0, kEnd, 60'000) : engine.InstantQuery(q, query, kEnd);
    if (!r.ok()) {
      state.SkipWithError(std::string(r.status().message()).c_str());
      return;
    }
    samples += r->stats.total_queryable_samples;
    benchmark::DoNotOptimize(r->value);
  }
  state.SetItemsProcessed(samples);
}

#define PROMQL_BENCH(name, query, range)                                            \
  void BM_PromQL_##name(benchmark::State& state) { RunQuery(state, query, range); } \
  BENCHMARK(BM_PromQL_##name)->Unit(benchmark::kMillisecond)

PROMQL_BENCH(RateRange, "rate(node_cpu_seconds_total[5m])", true);
PROMQL_BENCH(SumByRateRange, "sum by (instance) (rate(node_network_receive_bytes_total[5m]))",
             true);
PROMQL_BENCH(TopkRange, "topk(5, rate(node_disk_read_bytes_total[5m]))", true);
PROMQL_BENCH(MaxOverTimeRange, "max_over_time(node_load1[10m])", true);
PROMQL_BENCH(RatioRange,
             "node_memory_MemFree_bytes / on (instance, device) node_memory_MemTotal_bytes", true);
PROMQL_BENCH(SelectorRange, "node_filesystem_avail_bytes", true);
PROMQL_BENCH(SumInstant, "sum by (job) (node_memory_MemFree_bytes)", false);
PROMQL_BENCH(RegexCountInstant, "count({__name__=~\"node_network_.*\"})", false);
PROMQL_BENCH(RateInstant1h, "sum(rate(node_cpu_seconds_total[1h]))", false);

}  // namespace
}  // namespace strata
