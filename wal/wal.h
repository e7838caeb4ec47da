// The write-ahead log: segmented files of fixed-size pages holding records
// split into CRC32C-checked fragments. Byte layout: docs/format/wal.md.
//
//   Wal::Open(fs, dir, options, replay_fn, &stats)
//       replays the newest checkpoint and every later segment through
//       replay_fn, repairs a torn or corrupt tail (keeping everything before
//       the damage), and opens a fresh segment for writing.
//   wal->Log(records)
//       appends records and, under SyncPolicy::kAlways, returns only after
//       they are fsynced. Concurrent callers share fsyncs (group commit): the
//       first caller in flight writes and syncs everything queued behind it.
//
// Thread safety: Log, Sync, NextSegment and the accessors are safe for
// concurrent use. Open and Close are not.
#ifndef STRATA_WAL_WAL_H_
#define STRATA_WAL_WAL_H_

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tsdb/base/fs.h"

namespace strata::wal {

enum class SyncPolicy {
  // fsync before Log returns. Nothing acknowledged is lost on power failure.
  kAlways,
  // A background thread fsyncs every `sync_interval`. A power failure loses
  // at most the records logged in the last interval (plus the one in flight).
  // A process crash (kill -9) loses nothing: data is in the page cache.
  kInterval,
};

struct WalOptions {
  uint64_t segment_size = 128ull << 20;  // a segment is cut once it would exceed this
  SyncPolicy sync_policy = SyncPolicy::kAlways;
  absl::Duration sync_interval = absl::Seconds(1);
  // Monotonic nanoseconds for timing fsyncs; null: std::chrono::steady_clock.
  // For tests. Called from the WAL's threads, so it must be thread-safe.
  std::function<int64_t()> monotonic_nanos;
};

// Upper bounds (seconds) of the fsync duration histogram's buckets, 100µs to
// 10s; slower fsyncs fall in a final +Inf bucket.
inline constexpr std::array<double, 16> kFsyncBucketBounds = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
    0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};

// Durations of segment-data fsyncs (successful or not: a failing fsync can be
// the slowest of all). Counts are per bucket, not cumulative: counts[i] holds
// durations in (bound[i-1], bound[i]], counts.back() those above 10s.
struct FsyncHistogram {
  std::array<uint64_t, kFsyncBucketBounds.size() + 1> counts{};
  uint64_t count = 0;      // every observation
  uint64_t sum_nanos = 0;  // of every observation
};

struct ReplayStats {
  uint64_t records = 0;
  uint32_t segments = 0;  // segments read (checkpoint excluded)
  bool checkpoint_loaded = false;
  bool repaired = false;          // a damaged tail was cut
  uint64_t bytes_dropped = 0;     // bytes removed by the repair
  uint32_t segments_dropped = 0;  // whole segments removed by the repair
  std::string repair_reason;      // e.g. "segment 3 offset 4096: crc mismatch"
};

// Counters for /metrics; monotonically increasing.
struct WalStats {
  uint64_t records_written = 0;
  uint64_t bytes_written = 0;     // framed bytes appended to segments
  uint64_t fsyncs = 0;            // successful fsyncs of segment data
  FsyncHistogram fsync_duration;  // every fsync of segment data, timed
  uint64_t write_errors = 0;      // failed appends and fsyncs
  uint64_t repairs = 0;
  uint32_t first_segment = 0;
  uint32_t current_segment = 0;
};

class Wal {
 public:
  // Called once per replayed record, in log order. Returning an error with
  // code DataLoss marks the record as corrupt (replay stops and the log is
  // repaired from that record on); any other error aborts Open.
  using ReplayFn = std::function<absl::Status(std::string_view record)>;

  // `fs` must outlive the Wal. `dir` is created if missing.
  static absl::StatusOr<std::unique_ptr<Wal>> Open(FileSystem* fs, std::string dir,
                                                   WalOptions options, const ReplayFn& replay,
                                                   ReplayStats* stats);
  ~Wal();  // Closes (syncing) if not closed.

  // Appends `records` atomically with respect to replay: after a crash either
  // all of them or a prefix in order is recovered... each record is whole or
  // absent. Under kAlways returns after fsync. On a write error the segment is
  // truncated back so nothing half-written stays; the error says why
  // ("wal: segment 7: write: No space left on device"). If even that fails the
  // WAL refuses further writes until reopened.
  //
  // A failed fsync also makes the WAL refuse further writes until reopened:
  // after it the kernel may have dropped dirty pages, so appending more
  // acknowledged records behind a possible hole is unsafe. The records of one
  // call never span segments; a batch larger than segment_size gets a
  // segment of its own. Empty records are rejected (InvalidArgument); an
  // empty span is a no-op.
  absl::Status Log(std::span<const std::string_view> records);
  absl::Status Log(std::string_view record) { return Log(std::span(&record, 1)); }

  // fsyncs the current segment.
  absl::Status Sync();
  // Closes the current segment and starts the next; returns the new index.
  absl::StatusOr<uint32_t> NextSegment();
  // Syncs and closes. Idempotent.
  absl::Status Close();

  // Writes checkpoint.<last> holding every series record whose ref satisfies
  // keep_series and every sample/tombstone/metadata record entry with
  // t >= mint (for series kept) from the checkpoint and segments up to and
  // including `last`, then deletes those segments and older checkpoints.
  // REQUIRES: last < current segment (call NextSegment first).
  absl::Status Checkpoint(uint32_t last, const std::function<bool(uint64_t ref)>& keep_series,
                          int64_t mint);

  WalStats stats() const;
  const std::string& dir() const;

 private:
  struct Impl;
  explicit Wal(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace strata::wal

#endif  // STRATA_WAL_WAL_H_
