// DB: the storage facade. Owns the data directory (and its lock file), the
// WAL and the head; later the on-disk blocks and compaction.
//
//   ASSIGN_OR_RETURN(auto db, DB::Open("data", options));
//   auto app = db->NewAppender(); app->Add(...); RETURN_IF_ERROR(app->Commit());
//   auto q = db->NewQuerier(mint, maxt);
//   db->Close();
//
// Open takes an exclusive lock on <dir>/lock, replays the WAL (repairing a
// damaged tail and logging the repair) and leaves the DB ready.
//
// Thread safety: NewAppender, NewQuerier and the accessors are safe for
// concurrent use. Close must not race with them. Lifetime: appenders and
// queriers must not outlive the DB; options' fs, clock and logger must.
#ifndef STRATA_TSDB_DB_H_
#define STRATA_TSDB_DB_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "tsdb/base/clock.h"
#include "tsdb/base/fs.h"
#include "tsdb/base/logger.h"
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
};

struct DBStats {
  HeadStats head;
  wal::WalStats wal;
  wal::ReplayStats replay;
  double replay_seconds = 0;
};

class DB {
 public:
  static absl::StatusOr<std::unique_ptr<DB>> Open(const std::string& dir, DBOptions options);
  ~DB();  // Closes if still open.

  std::unique_ptr<Appender> NewAppender();
  std::unique_ptr<Querier> NewQuerier(int64_t mint, int64_t maxt);

  // Flushes and closes the WAL and releases the lock. Idempotent.
  absl::Status Close();

  DBStats stats() const;
  Head* head() { return head_.get(); }
  const std::string& dir() const { return dir_; }

 private:
  DB() = default;

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
};

}  // namespace strata

#endif  // STRATA_TSDB_DB_H_
