// Head append and postings benchmarks.
//
//   build/strata_bench --benchmark_filter='HeadAppend|Postings'
#include <random>

#include "bench/workload/synthetic.h"
#include "benchmark/benchmark.h"
#include "tests/test_util.h"
#include "tsdb/db.h"
#include "tsdb/head/postings.h"

namespace strata {
namespace {

constexpr uint64_t kSeries = 1000;
constexpr uint64_t kBatch = 2000;

// Appends to 1,000 existing series in batches of 2,000 samples (two scrapes
// per batch), through the full DB path. `wal`: 0 off, 1 interval fsync,
// 2 fsync before acknowledging.
void BM_HeadAppend(benchmark::State& state) {
  const int wal = static_cast<int>(state.range(0));
  static testing::TempDir* dir = nullptr;
  static std::unique_ptr<DB> db;
  static std::unique_ptr<bench::SyntheticWorkload> workload;
  static std::vector<SeriesRef> refs;
  if (state.thread_index() == 0) {
    dir = new testing::TempDir();
    DBOptions o;
    o.wal_enabled = wal != 0;
    o.wal.sync_policy = wal == 2 ? wal::SyncPolicy::kAlways : wal::SyncPolicy::kInterval;
    o.block_range_ms = int64_t{1} << 50;  // never "too old"
    workload = std::make_unique<bench::SyntheticWorkload>(kSeries * state.threads(), 0, 15000, 7);
    o.max_future_ms = int64_t{1} << 55;
    db = std::move(*DB::Open(dir->path(), o));
    refs.resize(workload->num_series());
    auto app = db->NewAppender();
    for (uint64_t i = 0; i < workload->num_series(); ++i) {
      refs[i] =
          *app->Add(workload->SeriesLabels(i), workload->Timestamp(i, 0), workload->NextValue(i));
    }
    if (!app->Commit().ok()) state.SkipWithError("commit failed");
  }
  // Each thread owns a disjoint range of series, as remote-write shards do.
  // Timestamps and values are generated up front (kRing rounds, repeated
  // with shifted timestamps) so the loop measures the append path only.
  constexpr uint64_t kRing = 64;
  const uint64_t begin = kSeries * state.thread_index();
  std::vector<int64_t> ts(kRing * kSeries);
  std::vector<double> vs(kRing * kSeries);
  std::unique_ptr<Appender> app;
  uint64_t round = 1;
  for (auto _ : state) {
    if (app == nullptr) {
      // After the loop's start barrier: thread 0 has built the DB.
      state.PauseTiming();
      for (uint64_t r = 0; r < kRing; ++r) {
        for (uint64_t s = 0; s < kSeries; ++s) {
          ts[r * kSeries + s] = workload->Timestamp(begin + s, r + 1);
          vs[r * kSeries + s] = workload->NextValue(begin + s);
        }
      }
      app = db->NewAppender();
      state.ResumeTiming();
    }
    for (uint64_t k = 0; k < kBatch; ++k) {
      uint64_t r = round + k / kSeries - 1, s = k % kSeries;
      int64_t shift = static_cast<int64_t>(r / kRing * kRing) * 15000;
      (void)app->AddFast(refs[begin + s], ts[(r % kRing) * kSeries + s] + shift,
                         vs[(r % kRing) * kSeries + s]);
    }
    if (!app->Commit().ok()) state.SkipWithError("commit failed");
    round += kBatch / kSeries;
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
  if (state.thread_index() == 0) {
    db.reset();
    delete dir;
  }
}
BENCHMARK(BM_HeadAppend)->ArgName("wal")->Arg(0)->Arg(1)->Arg(2)->UseRealTime();
BENCHMARK(BM_HeadAppend)->ArgName("wal")->Arg(2)->Threads(8)->UseRealTime();

PostingsList RandomPostings(std::mt19937_64& rng, size_t n, uint64_t universe) {
  PostingsList p;
  std::bernoulli_distribution take(static_cast<double>(n) / universe);
  for (uint64_t r = 1; r <= universe; ++r) {
    if (take(rng)) p.push_back(r);
  }
  return p;
}

// Intersection of a list of `range(0)` refs with one of 1,000,000 (e.g.
// {job="x"} with {__name__=~".+"}) and of two similar-sized lists.
void BM_PostingsIntersect(benchmark::State& state) {
  std::mt19937_64 rng(1);
  PostingsList small = RandomPostings(rng, state.range(0), 2'000'000);
  PostingsList large = RandomPostings(rng, 1'000'000, 2'000'000);
  PostingsList out;
  for (auto _ : state) {
    IntersectPostings(small, large, &out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * (small.size() + large.size()));
}
BENCHMARK(BM_PostingsIntersect)->Arg(1000)->Arg(100'000)->Arg(1'000'000);

}  // namespace
}  // namespace strata
