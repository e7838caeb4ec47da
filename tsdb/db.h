// DB: the storage facade. Owns the data directory (and its lock file), the
// WAL, the head and the persistent blocks, and runs their maintenance: the
// head's oldest range is cut into a block, blocks are compacted, retention
// deletes old blocks.
//
//   ASSIGN_OR_RETURN(auto db, DB::Open("data", options));
//   auto app = db->NewAppender(); app->Add(...); RETURN_IF_ERROR(app->Commit());
//   auto q = db->NewQuerier(mint, maxt);
//   db->Close();
//
// Open takes an exclusive lock on <dir>/lock, removes leftovers of an
// interrupted block write or deletion, opens every block (a block that fails
// validation is skipped, logged and counted: the others keep serving), drops
// blocks already merged into a newer one, replays the WAL (repairing a
// damaged tail and logging the repair), truncates from the head what blocks
// already hold, and starts the background maintenance thread
// (options.background_maintenance).
//
// Maintenance (Maintain(), run every maintenance_interval by the thread):
//  0. blocks in which a query found a damaged chunk are quarantined: no longer
//     served (queries skip them at once), renamed to <ulid>.corrupted, logged
//     and counted;
//  1. while the head spans more than 1.5 × block_range, its oldest aligned
//     range becomes a level-1 block, then the head and the WAL are truncated
//     (checkpoint);
//  2. planned compactions run (compaction/planner.h), each result durable
//     before its sources are deleted;
//  3. retention deletes whole blocks by age and size (rename, then remove).
// Ingestion and queries continue meanwhile; queriers pin the blocks they read.
//
// Thread safety: NewAppender, NewQuerier, Maintain, Snapshot and the
// accessors are safe for concurrent use (maintenance steps are serialised).
// Close must not race with them. Lifetime: appenders and queriers must not
// outlive the DB; options' fs, clock and logger must.
#ifndef STRATA_TSDB_DB_H_
#define STRATA_TSDB_DB_H_

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "tsdb/base/clock.h"
#include "tsdb/base/fs.h"
#include "tsdb/base/logger.h"
#include "tsdb/base/mutex.h"
#include "tsdb/block/block.h"
#include "tsdb/block/ulid.h"
#include "tsdb/head/head.h"
#include "tsdb/storage.h"
#include "wal/wal.h"

namespace strata {

struct DBOptions {
  FileSystem* fs = nullptr;      // null: the real filesystem
  const Clock* clock = nullptr;  // null: the real clock
  Logger* logger = nullptr;      // null: no logging
  int64_t block_range_ms = 2 * 3600 * 1000;
  int64_t max_future_ms = 10 * 60 * 1000;
  bool wal_enabled = true;
  wal::WalOptions wal;
  // Retention: delete blocks whose data is older than this (measured from
  // the newest sample) and the oldest blocks while the data directory is
  // larger than retention_bytes. 0 disables either limit.
  int64_t retention_ms = 15 * 24 * 3600 * 1000LL;
  uint64_t retention_bytes = 0;
  // Cut head blocks, compact and apply retention every maintenance_interval
  // on a background thread. Off: only explicit Maintain() calls do.
  bool background_maintenance = true;
  int64_t maintenance_interval_ms = 60 * 1000;
};

// Block-side counters for /metrics; monotonically increasing unless noted.
struct BlockStats {
  uint64_t blocks = 0;       // gauge: blocks loaded
  uint64_t block_bytes = 0;  // gauge: their size on disk
  uint64_t head_blocks_written = 0;
  uint64_t head_truncations = 0;
  uint64_t compactions = 0;
  uint64_t compactions_failed = 0;
  uint64_t maintenance_runs = 0;      // Maintain() rounds completed, failed or not
  uint64_t maintenance_failures = 0;  // Maintain() rounds that ended in an error
  uint64_t retention_deleted_by_time = 0;
  uint64_t retention_deleted_by_size = 0;
  // Blocks not served because they failed validation at open, or because a
  // read found a damaged chunk (then renamed to <ulid>.corrupted).
  uint64_t corrupted_blocks = 0;
  uint64_t wal_checkpoints = 0;
};

struct DBStats {
  HeadStats head;
  wal::WalStats wal;
  wal::ReplayStats replay;
  double replay_seconds = 0;
  BlockStats blocks;
};

class DB {
 public:
  static absl::StatusOr<std::unique_ptr<DB>> Open(const std::string& dir, DBOptions options);
  ~DB();  // Closes if still open.

  std::unique_ptr<Appender> NewAppender();
  std::unique_ptr<Querier> NewQuerier(int64_t mint, int64_t maxt);

  // Runs one round of maintenance now (see above). Serialised with the
  // background thread. Returns the first error; later steps still run.
  absl::Status Maintain();

  // Cuts the whole head into blocks of one block range each, aligned as
  // maintenance aligns them, the newest range included: the state the head
  // reaches once time has moved on. For offline tools (`tsdb-tool compact
  // --cut-head`); the WAL is truncated as after any cut. Samples appended
  // meanwhile may stay in the head.
  absl::Status CutWholeHead();

  // Makes a consistent copy of the database in `dir` (created; must not
  // exist): every block hard-linked (copied where links are not possible)
  // and, unless skip_head, the head written as one more block. The copy is
  // a data directory without a WAL: strata and tsdb-tool open it directly.
  absl::Status Snapshot(const std::string& dir, bool skip_head);

  // Flushes and closes the WAL and releases the lock. Idempotent.
  absl::Status Close();

  DBStats stats() const;
  Head* head() { return head_.get(); }
  const std::string& dir() const { return dir_; }
  // The blocks now served, ordered by min time.
  std::vector<std::shared_ptr<block::Block>> blocks() const;

 private:
  DB() = default;

  // Opening (db_blocks.cc).
  absl::Status LoadBlocks();
  absl::Status RemoveLeftovers();
  // Maintenance steps (db_maintenance.cc).
  absl::Status CutHeadBlocks() ABSL_EXCLUSIVE_LOCKS_REQUIRED(maintenance_mu_);
  absl::Status CutHeadBlock(int64_t mint, int64_t maxt)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(maintenance_mu_);
  absl::Status TruncateHead(int64_t mint) ABSL_EXCLUSIVE_LOCKS_REQUIRED(maintenance_mu_);
  absl::Status CompactBlocks() ABSL_EXCLUSIVE_LOCKS_REQUIRED(maintenance_mu_);
  absl::Status QuarantineDamagedBlocks() ABSL_EXCLUSIVE_LOCKS_REQUIRED(maintenance_mu_);
  absl::Status ApplyRetention() ABSL_EXCLUSIVE_LOCKS_REQUIRED(maintenance_mu_);
  // Makes `b` served. Removes the blocks named in `replaced` from the served
  // set and deletes their directories (rename, then remove).
  absl::Status SwapBlocks(std::shared_ptr<block::Block> b,
                          const std::vector<std::string>& replaced);
  absl::Status DeleteBlockDir(const std::string& ulid);
  std::string NewUlid();
  void MaintenanceLoop();

  std::string dir_;
  DBOptions options_;
  std::unique_ptr<FileSystem> owned_fs_;
  RealClock real_clock_;
  NullLogger null_logger_;
  std::unique_ptr<FileLock> lock_;
  std::unique_ptr<wal::Wal> wal_;
  std::unique_ptr<Head> head_;
  wal::ReplayStats replay_;
  double replay_seconds_ = 0;
  bool closed_ = false;

  std::unique_ptr<block::UlidGenerator> ulids_;
  mutable Mutex blocks_mu_;
  std::vector<std::shared_ptr<block::Block>> blocks_ ABSL_GUARDED_BY(blocks_mu_);
  Mutex maintenance_mu_;  // serialises maintenance steps and snapshots
  BlockStats block_stats_ ABSL_GUARDED_BY(blocks_mu_);

  Mutex stop_mu_;
  bool stopping_ ABSL_GUARDED_BY(stop_mu_) = false;
  CondVar stop_cv_;
  std::thread maintenance_thread_;
};

}  // namespace strata

#endif  // STRATA_TSDB_DB_H_
