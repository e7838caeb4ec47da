#include "tools/bench_write.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "bench/workload/synthetic.h"
#include "tsdb/db.h"

namespace strata::tools {
namespace {

uint64_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  uint64_t total = 0, resident = 0;
  statm >> total >> resident;
  return resident * 4096;
}

uint64_t DirBytes(FileSystem* fs, const std::string& dir) {
  uint64_t bytes = 0;
  auto names = fs->ListDir(dir);
  if (!names.ok()) return 0;
  for (const std::string& name : *names) {
    std::string path = JoinPath(dir, name);
    if (fs->IsDir(path)) {
      bytes += DirBytes(fs, path);
    } else if (auto size = fs->FileSize(path); size.ok()) {
      bytes += *size;
    }
  }
  return bytes;
}

// Appends rounds [0, rounds) for series [begin, end) of `w`.
absl::Status WriteRange(DB* db, bench::SyntheticWorkload* w, uint64_t begin, uint64_t end,
                        uint64_t rounds, uint64_t batch, std::atomic<uint64_t>* done) {
  std::vector<SeriesRef> refs(end - begin);
  auto app = db->NewAppender();
  for (uint64_t round = 0; round < rounds; ++round) {
    for (uint64_t i = begin; i < end; ++i) {
      int64_t t = w->Timestamp(i, round);
      double v = w->NextValue(i);
      if (round == 0) {
        auto ref = app->Add(w->SeriesLabels(i), t, v);
        if (!ref.ok()) return ref.status();
        refs[i - begin] = *ref;
      } else if (absl::Status st = app->AddFast(refs[i - begin], t, v); !st.ok()) {
        return st;
      }
      if (app->pending() >= batch) {
        uint64_t n = app->pending();
        if (absl::Status st = app->Commit(); !st.ok()) return st;
        done->fetch_add(n, std::memory_order_relaxed);
      }
    }
  }
  uint64_t n = app->pending();
  if (absl::Status st = app->Commit(); !st.ok()) return st;
  done->fetch_add(n, std::memory_order_relaxed);
  return absl::OkStatus();
}

}  // namespace

int RunBenchWrite(const BenchWriteOptions& o) {
  auto fs = NewPosixFileSystem();
  if (fs->Exists(o.out)) {
    if (absl::Status st = fs->RemoveAll(o.out); !st.ok()) {
      std::fprintf(stderr, "bench write: %s\n", st.ToString().c_str());
      return 1;
    }
  }
  // The workload's state is not part of the database: measure the baseline
  // after building it.
  int64_t start_ms =
      absl::ToUnixMillis(absl::Now()) - static_cast<int64_t>(o.samples_per_series) * o.interval_ms;
  bench::SyntheticWorkload workload(o.series, start_ms, o.interval_ms, 42);

  DBOptions options;
  options.fs = fs.get();
  options.wal_enabled = o.wal_sync != "off";
  options.wal.sync_policy =
      o.wal_sync == "interval" ? wal::SyncPolicy::kInterval : wal::SyncPolicy::kAlways;
  // The workload spans samples_per_series scrapes; make the head accept all.
  options.block_range_ms = std::max<int64_t>(
      2 * 3600 * 1000, 2 * static_cast<int64_t>(o.samples_per_series) * o.interval_ms);
  uint64_t rss_before = ResidentBytes();
  auto db = DB::Open(o.out, options);
  if (!db.ok()) {
    std::fprintf(stderr, "bench write: %s\n", db.status().ToString().c_str());
    return 1;
  }

  std::printf("bench write: %llu series x %llu samples, batches of %llu, %d threads, wal=%s\n",
              static_cast<unsigned long long>(o.series),
              static_cast<unsigned long long>(o.samples_per_series),
              static_cast<unsigned long long>(o.batch), o.threads, o.wal_sync.c_str());
  std::atomic<uint64_t> done{0};
  std::vector<absl::Status> results(o.threads);
  absl::Time start = absl::Now();
  std::vector<std::thread> threads;
  // Split by whole targets so every series is written by one thread.
  uint64_t per_thread = (o.series + o.threads - 1) / o.threads;
  for (int t = 0; t < o.threads; ++t) {
    uint64_t begin = std::min(o.series, t * per_thread);
    uint64_t end = std::min(o.series, begin + per_thread);
    threads.emplace_back([&, t, begin, end] {
      results[t] =
          WriteRange(db->get(), &workload, begin, end, o.samples_per_series, o.batch, &done);
    });
  }
  const uint64_t total = o.series * o.samples_per_series;
  std::atomic<bool> finished{false};
  // On a terminal the progress line is redrawn in place; otherwise (logs,
  // CI) one line every 5 seconds.
  const bool tty = isatty(STDERR_FILENO);
  std::thread progress([&] {
    absl::Time last = start;
    while (!finished.load()) {
      absl::SleepFor(absl::Milliseconds(200));
      if (finished.load()) break;
      absl::Time now = absl::Now();
      if (now - last < (tty ? absl::Seconds(1) : absl::Seconds(5))) continue;
      last = now;
      double s = absl::ToDoubleSeconds(now - start);
      std::fprintf(stderr, tty ? "\r  %5.1f%%  %.2fM samples/s" : "  %5.1f%%  %.2fM samples/s\n",
                   100.0 * done.load() / total, done.load() / s / 1e6);
    }
  });
  for (auto& th : threads) th.join();
  double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  finished = true;
  progress.join();
  if (tty) std::fprintf(stderr, "\r%40s\r", "");
  for (const absl::Status& st : results) {
    if (!st.ok()) {
      std::fprintf(stderr, "bench write: %s\n", st.ToString().c_str());
      return 1;
    }
  }

  uint64_t rss_after = ResidentBytes();
  DBStats stats = (*db)->stats();
  size_t head_bytes = (*db)->head()->MemoryBytes();
  uint64_t wal_bytes = DirBytes(fs.get(), JoinPath(o.out, "wal"));
  std::printf("  samples written        %llu\n",
              static_cast<unsigned long long>(stats.head.samples_appended));
  std::printf("  series                 %llu\n",
              static_cast<unsigned long long>(stats.head.series));
  std::printf("  duration               %.3f s\n", seconds);
  std::printf("  throughput             %.0f samples/s\n", stats.head.samples_appended / seconds);
  std::printf("  RSS growth per series  %.0f B   (RSS %llu -> %llu bytes)\n",
              static_cast<double>(rss_after - rss_before) / o.series,
              static_cast<unsigned long long>(rss_before),
              static_cast<unsigned long long>(rss_after));
  std::printf("  head bytes per series  %.0f B   (accounted heap)\n",
              static_cast<double>(head_bytes) / o.series);
  if (options.wal_enabled) {
    std::printf("  WAL bytes per sample   %.2f B   (%llu bytes, %llu fsyncs)\n",
                static_cast<double>(wal_bytes) / stats.head.samples_appended,
                static_cast<unsigned long long>(wal_bytes),
                static_cast<unsigned long long>(stats.wal.fsyncs));
  }
  if (absl::Status st = (*db)->Close(); !st.ok()) {
    std::fprintf(stderr, "bench write: %s\n", st.ToString().c_str());
    return 1;
  }
  return 0;
}

}  // namespace strata::tools
