// DB::Snapshot: a consistent copy of the database for backups and for
// measuring what everything ingested takes on disk.
#include "compaction/compactor.h"
#include "fmt/format.h"
#include "tsdb/base/status_macros.h"
#include "tsdb/db.h"

namespace strata {
namespace {

// Links (or, where the filesystem cannot link, copies) every file under
// `from` to the same relative path under `to`.
absl::Status LinkTree(FileSystem* fs, const std::string& from, const std::string& to) {
  RETURN_IF_ERROR(fs->CreateDirs(to));
  ASSIGN_OR_RETURN(std::vector<std::string> names, fs->ListDir(from));
  for (const std::string& name : names) {
    const std::string src = JoinPath(from, name);
    const std::string dst = JoinPath(to, name);
    if (fs->IsDir(src)) {
      RETURN_IF_ERROR(LinkTree(fs, src, dst));
    } else {
      RETURN_IF_ERROR(fs->LinkOrCopyFile(src, dst));
    }
  }
  return fs->SyncDir(to);
}

}  // namespace

absl::Status DB::Snapshot(const std::string& dir, bool skip_head) {
  // Serialised with maintenance: no block is compacted away or deleted while
  // its files are being linked.
  MutexLock l(&maintenance_mu_);
  FileSystem* fs = options_.fs;
  const std::string context = fmt::format("snapshot {}", dir);
  if (fs->Exists(dir)) return absl::AlreadyExistsError(fmt::format("{}: already exists", context));
  RETURN_IF_ERROR(AnnotateStatus(fs->CreateDirs(dir), context));
  for (const auto& b : blocks()) {
    RETURN_IF_ERROR(AnnotateStatus(LinkTree(fs, b->dir(), JoinPath(dir, b->meta().ulid)), context));
  }
  if (!skip_head && head_->num_series() > 0 && head_->min_time() <= head_->max_time()) {
    compaction::WriteBlockRequest r;
    r.fs = fs;
    r.db_dir = dir;
    r.ulid = NewUlid();
    r.min_time = head_->min_time();
    r.max_time = head_->max_time() + 1;
    auto querier = head_->NewQuerier(r.min_time, r.max_time - 1);
    RETURN_IF_ERROR(AnnotateStatus(compaction::WriteBlock(r, *querier).status(), context));
  }
  return AnnotateStatus(fs->SyncDir(dir), context);
}

}  // namespace strata
