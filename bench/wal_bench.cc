// WAL throughput: Log of one remote-write-sized samples record (2,000 samples
// over 1,000 series) on the real file system, under kInterval (no fsync in
// Log) and kAlways (fsync per group), with 1/2/4 committing threads to show
// group commit; replay speed; and samples record encode/decode.
// items_per_second counts samples.
//
//   strata_bench --benchmark_filter=Wal --benchmark_repetitions=3
//
// The WAL lives in a fresh directory under $TEST_TMPDIR (or /tmp), removed
// afterwards. fsync cost depends entirely on the disk: compare runs on the
// same machine only.
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "tsdb/base/fs.h"
#include "wal/records.h"
#include "wal/wal.h"

namespace strata::wal {
namespace {

constexpr int kSeries = 1000;
constexpr int kSamplesPerRecord = 2000;

// Two scrapes of 1,000 series, grouped by series, as a remote-write request
// is: refs ascending from a realistic base, 15 s apart, gauge-like values.
std::vector<RefSample> MakeSamples() {
  std::mt19937_64 rng(1);
  std::normal_distribution<double> value(100, 20);
  std::vector<RefSample> samples;
  samples.reserve(kSamplesPerRecord);
  const int64_t t0 = 1'700'000'000'000;
  for (uint64_t ref = 0; ref < kSeries; ++ref) {
    samples.push_back({500'000 + ref, t0 + static_cast<int64_t>(rng() % 10), value(rng)});
    samples.push_back({500'000 + ref, t0 + 15'000 + static_cast<int64_t>(rng() % 10), value(rng)});
  }
  return samples;
}

const std::string& SamplesRecord() {
  static const std::string* record = [] {
    auto* r = new std::string;
    EncodeSamples(MakeSamples(), r);
    return r;
  }();
  return *record;
}

std::string MakeTempDir() {
  const char* base = std::getenv("TEST_TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/strata-walbench-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) std::abort();
  return tmpl;
}

// Shared by the threads of one benchmark run; set up and torn down by thread 0.
struct Shared {
  std::unique_ptr<FileSystem> fs;
  std::string root;
  std::unique_ptr<Wal> wal;
};
Shared* shared = nullptr;

void BM_WalLog(benchmark::State& state, SyncPolicy policy) {
  if (state.thread_index() == 0) {
    shared = new Shared;
    shared->fs = NewPosixFileSystem();
    shared->root = MakeTempDir();
    WalOptions options;
    options.sync_policy = policy;
    auto wal = Wal::Open(
        shared->fs.get(), shared->root + "/wal", options,
        [](std::string_view) { return absl::OkStatus(); }, nullptr);
    if (!wal.ok()) {
      state.SkipWithError(std::string(wal.status().message()).c_str());
    } else {
      shared->wal = *std::move(wal);
    }
  }
  const std::string& record = SamplesRecord();
  for (auto _ : state) {
    if (shared->wal == nullptr) break;
    absl::Status s = shared->wal->Log(record);
    if (!s.ok()) {
      state.SkipWithError(std::string(s.message()).c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * kSamplesPerRecord);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(record.size()));
  if (state.thread_index() == 0) {
    if (shared->wal != nullptr) {
      WalStats st = shared->wal->stats();
      state.counters["records_per_fsync"] =
          st.fsyncs == 0 ? 0.0
                         : static_cast<double>(st.records_written) / static_cast<double>(st.fsyncs);
      state.counters["bytes_per_sample"] = static_cast<double>(record.size()) / kSamplesPerRecord;
      shared->wal->Close().IgnoreError();
    }
    std::error_code ec;
    std::filesystem::remove_all(shared->root, ec);
    delete shared;
    shared = nullptr;
  }
}
BENCHMARK_CAPTURE(BM_WalLog, interval, SyncPolicy::kInterval)
    ->Threads(1)
    ->Threads(2)
    ->Threads(4)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_WalLog, always, SyncPolicy::kAlways)
    ->Threads(1)
    ->Threads(2)
    ->Threads(4)
    ->UseRealTime();

// Replay of 500 samples records (1M samples, ~11 MB) from the page cache,
// decoding every sample as the head does.
void BM_WalReplay(benchmark::State& state) {
  auto fs = NewPosixFileSystem();
  std::string root = MakeTempDir();
  std::string dir = root + "/wal";
  constexpr int kRecords = 500;
  {
    WalOptions options;
    options.sync_policy = SyncPolicy::kInterval;
    auto wal = Wal::Open(
        fs.get(), dir, options, [](std::string_view) { return absl::OkStatus(); }, nullptr);
    if (!wal.ok()) std::abort();
    for (int i = 0; i < kRecords; ++i) {
      if (!(*wal)->Log(SamplesRecord()).ok()) std::abort();
    }
  }
  std::vector<RefSample> samples;
  for (auto _ : state) {
    ReplayStats stats;
    auto wal = Wal::Open(
        fs.get(), dir, WalOptions(),
        [&samples](std::string_view r) {
          samples.clear();
          return DecodeSamples(r, &samples);
        },
        &stats);
    if (!wal.ok() || stats.records != kRecords) std::abort();
    // Each Open starts a new (empty) segment; drop it so runs stay alike.
    state.PauseTiming();
    uint32_t created = (*wal)->stats().current_segment;
    (*wal)->Close().IgnoreError();
    wal->reset();
    char name[16];
    std::snprintf(name, sizeof(name), "%08u", created);
    fs->RemoveFile(dir + "/" + name).IgnoreError();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * kRecords * kSamplesPerRecord);
  std::error_code ec;
  std::filesystem::remove_all(root, ec);
}
BENCHMARK(BM_WalReplay)->Unit(benchmark::kMillisecond);

void BM_EncodeSamples(benchmark::State& state) {
  std::vector<RefSample> samples = MakeSamples();
  std::string out;
  for (auto _ : state) {
    out.clear();
    EncodeSamples(samples, &out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * kSamplesPerRecord);
  state.counters["bytes_per_sample"] = static_cast<double>(out.size()) / kSamplesPerRecord;
}
BENCHMARK(BM_EncodeSamples);

void BM_DecodeSamples(benchmark::State& state) {
  const std::string& record = SamplesRecord();
  std::vector<RefSample> out;
  for (auto _ : state) {
    out.clear();
    if (!DecodeSamples(record, &out).ok()) std::abort();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * kSamplesPerRecord);
}
BENCHMARK(BM_DecodeSamples);

}  // namespace
}  // namespace strata::wal
