// tools/compact_offline.h: DB::Open + Maintain without retention.
#include "tools/compact_offline.h"

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tsdb/base/status_macros.h"

namespace strata::tools {
namespace {

std::string Describe(const block::Block& b) {
  const block::BlockMeta& m = b.meta();
  return absl::StrCat(m.ulid, " [", m.min_time, ", ", m.max_time, ") level ", m.level);
}

}  // namespace

absl::StatusOr<std::unique_ptr<DB>> OpenDbOffline(FileSystem* fs, const std::string& data_dir,
                                                  const std::string& hint) {
  if (!fs->IsDir(data_dir)) {
    return absl::NotFoundError(absl::StrCat("data directory ", data_dir, " does not exist"));
  }
  // Probe the lock first so that a running server gets a clear message
  // rather than whatever DB::Open wraps around it. Released before Open.
  {
    absl::StatusOr<std::unique_ptr<FileLock>> lock = fs->LockFile(JoinPath(data_dir, "lock"));
    if (!lock.ok()) {
      if (absl::IsFailedPrecondition(lock.status())) {
        return absl::FailedPreconditionError(
            absl::StrCat("data directory ", data_dir, " is in use by a running server (",
                         JoinPath(data_dir, "lock"), " is held): ", hint));
      }
      return lock.status();
    }
  }
  DBOptions options;
  options.fs = fs;
  options.background_maintenance = false;
  options.retention_ms = 0;
  options.retention_bytes = 0;
  absl::StatusOr<std::unique_ptr<DB>> db = DB::Open(data_dir, options);
  if (!db.ok() && absl::IsFailedPrecondition(db.status())) {
    // The lock was taken between the probe and Open.
    return AnnotateStatus(db.status(), hint);
  }
  return db;
}

absl::Status CompactDataDir(FileSystem* fs, const std::string& data_dir, std::ostream& out,
                            bool cut_head) {
  ASSIGN_OR_RETURN(
      std::unique_ptr<DB> db,
      OpenDbOffline(fs, data_dir, "stop it first; a running server compacts by itself"));
  const std::vector<std::shared_ptr<block::Block>> before = db->blocks();
  absl::Status maintained =
      cut_head ? AnnotateStatus(db->CutWholeHead(), "cut head") : absl::OkStatus();
  if (maintained.ok()) maintained = db->Maintain();
  const std::vector<std::shared_ptr<block::Block>> after = db->blocks();
  absl::Status closed = db->Close();

  std::set<std::string> before_ids, after_ids;
  for (const auto& b : before) before_ids.insert(b->meta().ulid);
  for (const auto& b : after) after_ids.insert(b->meta().ulid);
  out << "blocks before: " << before.size() << "\n";
  for (const auto& b : before) {
    if (!after_ids.contains(b->meta().ulid)) out << "removed: " << Describe(*b) << "\n";
  }
  for (const auto& b : after) {
    if (!before_ids.contains(b->meta().ulid)) out << "added:   " << Describe(*b) << "\n";
  }
  out << "blocks after: " << after.size() << "\n";
  out.flush();
  RETURN_IF_ERROR(AnnotateStatus(maintained, "compaction"));
  return closed;
}

}  // namespace strata::tools
