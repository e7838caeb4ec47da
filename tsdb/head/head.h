// The head: the in-memory, writable part of the database. It owns every
// active series, their open and recently closed chunks, the symbol table and
// the postings index, and (optionally) writes through a WAL.
//
//   Head head(options, wal);          // wal may be null (no durability)
//   head.ReplayRecord(rec) …          // while opening, before any appender
//   auto app = head.NewAppender();    // one per batch / request
//   app->Add(labels, t, v); app->Commit();
//   auto q = head.NewQuerier(mint, maxt);
//
// Thread safety: NewAppender, NewQuerier and all accessors are safe for
// concurrent use. ReplayRecord must not run concurrently with anything.
// Lifetime: appenders and queriers must not outlive the Head; the WAL and
// clock passed in must outlive it.
#ifndef STRATA_TSDB_HEAD_HEAD_H_
#define STRATA_TSDB_HEAD_HEAD_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "tsdb/base/clock.h"
#include "tsdb/base/mutex.h"
#include "tsdb/head/mem_series.h"
#include "tsdb/head/postings.h"
#include "tsdb/head/series_table.h"
#include "tsdb/labels/symbol_table.h"
#include "tsdb/storage.h"
#include "wal/records.h"
#include "wal/wal.h"

namespace strata {

struct HeadOptions {
  // Block range: chunks are cut at multiples of it, and samples older than
  // (head max time - block_range/2) are refused as too old.
  int64_t block_range_ms = 2 * 3600 * 1000;
  // Samples more than this far ahead of the clock are refused.
  int64_t max_future_ms = 10 * 60 * 1000;
  const Clock* clock = nullptr;  // required
};

// Counters and gauges for /metrics and tools.
struct HeadStats {
  uint64_t series = 0;
  uint64_t samples_appended = 0;
  uint64_t chunks = 0;
  uint64_t duplicates_ignored = 0;
  uint64_t out_of_order = 0;
  uint64_t duplicate_conflicts = 0;
  uint64_t too_old = 0;
  uint64_t too_far_in_future = 0;
  uint64_t invalid_labels = 0;
  uint64_t lost_commit_races = 0;  // valid when added, out of order at commit
  uint64_t wal_replay_unknown_refs = 0;
  int64_t min_time = 0;  // INT64_MAX when empty
  int64_t max_time = 0;  // INT64_MIN when empty
};

class Head {
 public:
  Head(HeadOptions options, wal::Wal* wal);
  ~Head();
  Head(const Head&) = delete;
  Head& operator=(const Head&) = delete;

  std::unique_ptr<Appender> NewAppender();
  std::unique_ptr<Querier> NewQuerier(int64_t mint, int64_t maxt);

  // Applies one WAL record (series, samples, tombstones, metadata) during
  // open. Returns DataLoss for a record that does not decode.
  absl::Status ReplayRecord(std::string_view record);

  // Makes commits write through `wal` from now on. Called once after replay.
  // REQUIRES: no appender exists yet.
  void AttachWal(wal::Wal* wal) { wal_ = wal; }

  // Latest metadata per metric name, sorted by name.
  std::vector<std::pair<std::string, MetricMetadata>> Metadata() const;
  // Sets the metadata of the metric family of series `ref`.
  void SetMetadata(SeriesRef ref, const MetricMetadata& metadata);

  HeadStats stats() const;
  // Heap bytes held by series, chunks, symbols, postings and maps.
  size_t MemoryBytes() const;
  uint64_t num_series() const { return num_series_.load(std::memory_order_relaxed); }
  int64_t min_time() const { return min_time_.load(std::memory_order_relaxed); }
  int64_t max_time() const { return max_time_.load(std::memory_order_relaxed); }
  // Samples older than this are refused (too old).
  int64_t MinValidTime() const;
  const HeadOptions& options() const { return options_; }

  // --- Internal API for the appender and querier (same module). ---

  // The series with exactly `labels`, or null.
  MemSeries* Find(const Labels& labels, uint64_t hash) const;
  // The series with `labels`, created if missing; `*created` tells which.
  // `ref_hint` != 0 forces the ref (WAL replay). Null only when the ref space
  // is exhausted (or ref_hint is beyond it).
  MemSeries* GetOrCreate(const Labels& labels, uint64_t hash, SeriesRef ref_hint, bool* created);
  MemSeries* ByRef(SeriesRef ref) const { return series_.Get(ref); }
  static constexpr SeriesRef kMaxRef = SeriesTable::kBlockSize * SeriesTable::kMaxBlocks - 1;
  // The lock guarding the chunk state of series `ref`.
  Mutex* StripeFor(SeriesRef ref) const { return &stripes_[ref & (kStripes - 1)].mu; }
  Labels LabelsOf(const MemSeries& s) const;
  const SymbolTable& symbols() const { return symbols_; }
  const MemPostings& postings() const { return postings_; }
  wal::Wal* wal() const { return wal_; }
  // Widens the head's [min_time, max_time] to cover [mint, maxt].
  void UpdateTimeBounds(int64_t mint, int64_t maxt);

  struct Counters {
    std::atomic<uint64_t> samples_appended{0};
    std::atomic<uint64_t> chunks{0};
    std::array<std::atomic<uint64_t>, 6> rejected{};  // by SampleError
    std::atomic<uint64_t> duplicates_ignored{0};
    std::atomic<uint64_t> lost_commit_races{0};
    std::atomic<uint64_t> wal_replay_unknown_refs{0};
  };
  Counters& counters() { return counters_; }

 private:
  static constexpr size_t kShards = 256;
  static constexpr size_t kStripes = 16384;

  // Series by label hash. Distinct label sets with equal hashes (vanishingly
  // rare with 64-bit XXH3) go to `collisions`.
  struct HashShard {
    mutable SharedMutex mu;
    absl::flat_hash_map<uint64_t, MemSeries*> by_hash ABSL_GUARDED_BY(mu);
    absl::flat_hash_map<uint64_t, std::vector<MemSeries*>> collisions ABSL_GUARDED_BY(mu);
  };
  struct alignas(64) Stripe {
    mutable Mutex mu;
  };

  bool SameLabels(const MemSeries& s, const Labels& labels) const;
  MemSeries* FindLocked(const HashShard& shard, const Labels& labels, uint64_t hash) const
      ABSL_SHARED_LOCKS_REQUIRED(shard.mu);
  absl::Status ReplaySeries(std::string_view record);
  absl::Status ReplaySamples(std::string_view record);
  absl::Status ReplayMetadata(std::string_view record);

  const HeadOptions options_;
  wal::Wal* wal_;
  SymbolTable symbols_;
  MemPostings postings_;
  std::unique_ptr<HashShard[]> hash_shards_;
  SeriesTable series_;  // by ref; owns the series
  std::unique_ptr<Stripe[]> stripes_;
  std::atomic<SeriesRef> next_ref_{1};
  std::atomic<uint64_t> num_series_{0};
  std::atomic<int64_t> min_time_;
  std::atomic<int64_t> max_time_;
  Counters counters_;
  mutable Mutex metadata_mu_;
  // By metric name symbol id.
  absl::flat_hash_map<uint32_t, MetricMetadata> metadata_ ABSL_GUARDED_BY(metadata_mu_);
  // Replay scratch, reused across records.
  std::vector<wal::RefSample> replay_samples_;
};

}  // namespace strata

#endif  // STRATA_TSDB_HEAD_HEAD_H_
