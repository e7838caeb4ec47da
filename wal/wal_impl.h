// Internal to wal/: the state behind Wal, shared by wal.cc (group commit),
// replay.cc (Open: replay and repair) and checkpoint.cc.
#ifndef STRATA_WAL_WAL_IMPL_H_
#define STRATA_WAL_WAL_IMPL_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "tsdb/base/fs.h"
#include "tsdb/base/mutex.h"
#include "wal/segment.h"
#include "wal/wal.h"

namespace strata::wal {

// One request in the group-commit queue: a batch to log, a sync, or a cut.
// Lives on the requesting thread's stack until `done`.
struct PendingWrite {
  enum class Kind { kLog, kSync, kCut };
  Kind kind = Kind::kLog;
  std::span<const std::string_view> records;
  // Set by the leader that handled this request (under Impl::mu).
  bool done = false;
  absl::Status status;
  uint32_t new_segment = 0;  // kCut: the segment started
  CondVar cv;
};

struct Wal::Impl {
  Impl(FileSystem* fs, std::string dir, WalOptions options)
      : fs(fs), dir(std::move(dir)), options(options) {}

  // --- Open (replay.cc) ---
  // Replays checkpoint and segments, repairs damage, and returns the index
  // of the segment to create next. Runs before any other member is used.
  absl::StatusOr<uint32_t> Recover(const ReplayFn& replay, ReplayStats* replay_stats);

  // --- Checkpoint (checkpoint.cc) ---
  absl::Status DoCheckpoint(uint32_t last, const std::function<bool(uint64_t ref)>& keep_series,
                            int64_t mint) ABSL_LOCKS_EXCLUDED(mu, checkpoint_mu);

  // --- Group commit (wal.cc) ---
  // Queues `w` and waits until a leader (possibly this thread) handled it.
  absl::Status Submit(PendingWrite* w);
  // Handles the group at the queue's front. REQUIRES: w == queue.front().
  void Lead(PendingWrite* w) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // Frames, writes and syncs `group` (a queue prefix); returns how many of its
  // requests were handled and their shared status in *status.
  size_t WriteGroup(std::span<PendingWrite* const> group, absl::Status* status, uint64_t* records)
      ABSL_LOCKS_EXCLUDED(mu);
  // Seals the current segment (fsync) and starts the next. Leader only.
  absl::Status Cut() ABSL_LOCKS_EXCLUDED(mu);
  // Syncs the current segment, counting the fsync; poisons the WAL on failure.
  absl::Status SyncSegment() ABSL_LOCKS_EXCLUDED(mu);
  // Adds one fsync duration to stats.fsync_duration.
  void ObserveFsyncLocked(int64_t nanos) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  int64_t NowNanos() const;
  void Poison(const absl::Status& cause) ABSL_LOCKS_EXCLUDED(mu);
  void PoisonLocked(const absl::Status& cause) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  void SyncLoop();

  FileSystem* const fs;
  const std::string dir;
  const WalOptions options;

  Mutex mu;
  std::deque<PendingWrite*> queue ABSL_GUARDED_BY(mu);
  bool closed ABSL_GUARDED_BY(mu) = false;
  // Not ok once the WAL refuses writes until reopened.
  absl::Status poisoned ABSL_GUARDED_BY(mu);
  WalStats stats ABSL_GUARDED_BY(mu);
  // Newest checkpoint, if any.
  std::optional<uint32_t> checkpoint ABSL_GUARDED_BY(mu);
  bool stop_syncer ABSL_GUARDED_BY(mu) = false;
  CondVar syncer_cv;
  std::thread syncer;

  // Owned by the group-commit leader: the thread whose request is at the
  // front of `queue` (or Open/Close, which run alone). Leadership passes with
  // `mu` held, which orders every access. Never touched by other threads.
  std::unique_ptr<internal::SegmentWriter> segment;
  std::string buffer;
  std::vector<PendingWrite*> group;

  // Serialises Checkpoint calls (they run concurrently with Log).
  Mutex checkpoint_mu;
};

}  // namespace strata::wal

#endif  // STRATA_WAL_WAL_IMPL_H_
