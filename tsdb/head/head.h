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
//   head.Truncate(maxt);              // after [.., maxt) was persisted as a block
//   wal.NextSegment(); wal.Checkpoint(last, [&](ref) { return head.HasSeries(ref); }, maxt);
//
// Thread safety: NewAppender, NewQuerier, Truncate and all accessors are
// safe for concurrent use (but only one Truncate at a time). ReplayRecord
// must not run concurrently with anything.
// Lifetime: appenders and queriers must not outlive the Head; the WAL and
// clock passed in must outlive it.
//
// Memory safety under truncation. Truncate unlinks dead series from the
// hash shards, the postings and the ref table, then retires them to a
// SeriesReclaimer (series_reclaimer.h) that frees them only once every
// reader registered before the unlink is gone. Readers are: appenders (from
// creation, re-registered after each Commit/Rollback, so an idle appender
// blocks freeing only of series retired after its last batch), every
// querier Select / LabelValues / LabelNames call (a SeriesSet holds only
// copied labels and shared chunks, never series pointers, so it stays valid
// after the series are freed), and ReadGuard holders. Appenders also pin
// each series of their batch (MemSeries::pending_commits) from Add to
// Commit/Rollback; Truncate never removes a pinned series, so a commit
// always writes into a live series.
//
// Known limitations: symbols of removed series stay in the symbol table, and
// metadata (kept per metric name) is not dropped with the last series of a
// metric.
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
#include "tsdb/head/series_reclaimer.h"
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
  uint64_t lost_commit_races = 0;  // valid when added; out of order or truncated at commit
  uint64_t wal_replay_unknown_refs = 0;
  uint64_t series_removed = 0;  // by Truncate, total
  uint64_t chunks_removed = 0;  // by Truncate, total
  uint64_t truncations = 0;     // Truncate calls
  int64_t min_time = 0;         // INT64_MAX when empty
  int64_t max_time = 0;         // INT64_MIN when empty
};

struct TruncateStats {
  uint64_t chunks_removed = 0;
  uint64_t series_removed = 0;
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

  // Drops every chunk whose samples are all older than `mint` and every
  // series left with no sample >= mint and no commit in flight. Afterwards
  // samples with t < mint are refused as too old (MinValidTime() >= mint,
  // also for commits of batches queued earlier: they are logged but not
  // applied, counted as lost commit races), and min_time() >= mint (INT64_MAX
  // if no sample is left). max_time() is kept, so MinValidTime() does not
  // fall back. A chunk that straddles `mint` (not possible when mint is a
  // multiple of block_range_ms, where chunks are cut) is kept whole; its
  // samples below mint stay readable by queriers whose range asks for them,
  // and the DB limits head queries to [min_time(), ..] anyway.
  //
  // Calling it on an empty head before ReplayRecord sets the floor for
  // replay: samples older than `mint` (already persisted in blocks) are then
  // skipped silently, even when their series record was checkpointed away.
  //
  // A Select running after Truncate sees only the truncated head, also on a
  // querier created before it: the caller (DB) must make the persisted block
  // visible to its queriers before truncating. SeriesSets returned earlier
  // keep their data.
  //
  // Safe concurrently with appenders and queriers. REQUIRES: one Truncate at
  // a time (a second concurrent call waits).
  TruncateStats Truncate(int64_t mint);
  // Whether the head holds series `ref`, or held it under another ref (a
  // duplicate series record met during replay, merged into the live series):
  // the WAL checkpoint's keep_series.
  bool HasSeries(SeriesRef ref) const;

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
  // Samples older than this are refused (too old): the larger of
  // max_time() - block_range_ms/2 and the last Truncate's mint.
  int64_t MinValidTime() const;
  // The last Truncate's mint (INT64_MIN before any).
  int64_t truncated_below() const { return truncated_below_.load(std::memory_order_acquire); }
  const HeadOptions& options() const { return options_; }

  // --- Internal API for the appender and querier (same module). ---

  // Keeps series pointers obtained from Find/ByRef (and the series' label
  // pairs) valid while it lives, even if Truncate removes the series. Hold
  // one around any use of those pointers outside an appender of this head.
  using ReadGuard = SeriesReclaimer::Guard;
  ReadGuard EnterReader() const { return ReadGuard(&reclaimer_); }

  // The series with exactly `labels`, or null.
  MemSeries* Find(const Labels& labels, uint64_t hash) const;
  // The series with `labels`, created if missing; `*created` tells which.
  // `ref_hint` != 0 forces the ref (WAL replay). Null only when the ref space
  // is exhausted (or ref_hint is beyond it or taken). With `pin`, a series it
  // creates starts with one pending commit (so Truncate cannot remove it
  // before the appender queued its sample); a found one is not pinned.
  MemSeries* GetOrCreate(const Labels& labels, uint64_t hash, SeriesRef ref_hint, bool* created,
                         bool pin = false);
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
    std::atomic<uint64_t> series_removed{0};
    std::atomic<uint64_t> chunks_removed{0};
    std::atomic<uint64_t> truncations{0};
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
  // The live series for a replayed sample's ref (following aliases), or null.
  MemSeries* ReplayTarget(SeriesRef ref) const;

  // Truncate's steps (head_truncate.cc).
  struct TruncateScan;
  void ScanAndTrimChunks(int64_t mint, TruncateScan* scan);
  std::unique_ptr<MemSeries> TryRemove(MemSeries* s);
  void UnlinkFromShardLocked(HashShard& shard, MemSeries* s, uint64_t hash)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard.mu);
  void FinishTimeBounds(uint64_t version, int64_t actual_min);

  const HeadOptions options_;
  wal::Wal* wal_;
  SymbolTable symbols_;
  MemPostings postings_;
  std::unique_ptr<HashShard[]> hash_shards_;
  SeriesTable series_;  // by ref; owns the series
  std::unique_ptr<Stripe[]> stripes_;
  std::atomic<SeriesRef> next_ref_{1};
  std::atomic<uint64_t> num_series_{0};
  // Written under bounds_mu_ (so Truncate can tell whether a commit widened
  // them while it scanned), read lock-free.
  std::atomic<int64_t> min_time_;
  std::atomic<int64_t> max_time_;
  mutable Mutex bounds_mu_;
  uint64_t bounds_version_ ABSL_GUARDED_BY(bounds_mu_) = 0;  // bumped by every widening
  std::atomic<int64_t> truncated_below_;
  Mutex truncate_mu_;  // one Truncate at a time
  mutable SeriesReclaimer reclaimer_;
  // Replay: refs of duplicate series records -> the live series' ref. Kept
  // so the checkpoint keeps their records while the target lives.
  mutable Mutex alias_mu_;
  absl::flat_hash_map<SeriesRef, SeriesRef> aliases_ ABSL_GUARDED_BY(alias_mu_);
  std::atomic<bool> has_aliases_{false};
  Counters counters_;
  mutable Mutex metadata_mu_;
  // By metric name symbol id.
  absl::flat_hash_map<uint32_t, MetricMetadata> metadata_ ABSL_GUARDED_BY(metadata_mu_);
  // Replay scratch, reused across records.
  std::vector<wal::RefSample> replay_samples_;
};

}  // namespace strata

#endif  // STRATA_TSDB_HEAD_HEAD_H_
