// DB: the set of served blocks — loading at open, swapping in compaction
// results, deleting directories.
#include <algorithm>

#include "absl/strings/match.h"
#include "compaction/compactor.h"
#include "fmt/format.h"
#include "tsdb/base/status_macros.h"
#include "tsdb/block/ulid.h"
#include "tsdb/db.h"

namespace strata {
namespace {

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix.data(), suffix.size()) == 0;
}

// Whether block `a`'s data is wholly contained in `b` (a was compacted into
// b, and b is durable, but a's deletion did not finish).
bool SupersededBy(const block::BlockMeta& a, const block::BlockMeta& b) {
  if (a.ulid == b.ulid || b.sources.size() <= a.sources.size()) return false;
  return std::includes(b.sources.begin(), b.sources.end(), a.sources.begin(), a.sources.end());
}

void SortByTime(std::vector<std::shared_ptr<block::Block>>* blocks) {
  std::sort(blocks->begin(), blocks->end(), [](const auto& a, const auto& b) {
    if (a->meta().min_time != b->meta().min_time) return a->meta().min_time < b->meta().min_time;
    return a->meta().ulid < b->meta().ulid;
  });
}

}  // namespace

absl::Status DB::RemoveLeftovers() {
  FileSystem* fs = options_.fs;
  ASSIGN_OR_RETURN(std::vector<std::string> names, fs->ListDir(dir_));
  for (const std::string& name : names) {
    if (!EndsWith(name, compaction::kTmpCreationSuffix) &&
        !EndsWith(name, compaction::kTmpDeletionSuffix)) {
      continue;
    }
    options_.logger->Log(LogLevel::kInfo, "tsdb", "removing leftover of an interrupted block write",
                         fmt::format("dir={}", LogfmtValue(name)));
    RETURN_IF_ERROR(fs->RemoveAll(JoinPath(dir_, name)));
  }
  return fs->SyncDir(dir_);
}

absl::Status DB::LoadBlocks() {
  FileSystem* fs = options_.fs;
  ASSIGN_OR_RETURN(std::vector<std::string> names, fs->ListDir(dir_));
  std::vector<std::shared_ptr<block::Block>> loaded;
  uint64_t corrupted = 0;
  for (const std::string& name : names) {
    const std::string path = JoinPath(dir_, name);
    if (!block::IsUlid(name) || !fs->IsDir(path)) continue;
    auto b = block::Block::Open(fs, path);
    if (!b.ok()) {
      // Serve the others; never wrong data. The block stays on disk for
      // `tsdb-tool verify` and the operator.
      ++corrupted;
      options_.logger->Log(
          LogLevel::kError, "tsdb", "skipping block that failed validation",
          fmt::format("block={} err={}", name, LogfmtValue(b.status().ToString())));
      continue;
    }
    loaded.push_back(std::move(*b));
  }
  // Drop blocks already compacted into a newer one.
  std::vector<std::shared_ptr<block::Block>> kept;
  std::vector<std::string> superseded;
  for (const auto& a : loaded) {
    bool covered = std::any_of(loaded.begin(), loaded.end(),
                               [&](const auto& b) { return SupersededBy(a->meta(), b->meta()); });
    if (covered) {
      superseded.push_back(a->meta().ulid);
    } else {
      kept.push_back(a);
    }
  }
  SortByTime(&kept);
  {
    MutexLock l(&blocks_mu_);
    blocks_ = std::move(kept);
    block_stats_.corrupted_blocks += corrupted;
  }
  for (const std::string& ulid : superseded) {
    options_.logger->Log(LogLevel::kInfo, "tsdb", "deleting block already compacted into another",
                         fmt::format("block={}", ulid));
    RETURN_IF_ERROR(DeleteBlockDir(ulid));
  }
  return absl::OkStatus();
}

absl::Status DB::SwapBlocks(std::shared_ptr<block::Block> b,
                            const std::vector<std::string>& replaced) {
  {
    MutexLock l(&blocks_mu_);
    std::erase_if(blocks_, [&](const auto& x) {
      return std::find(replaced.begin(), replaced.end(), x->meta().ulid) != replaced.end();
    });
    if (b != nullptr) blocks_.push_back(std::move(b));
    SortByTime(&blocks_);
  }
  // Queriers that still hold a replaced block keep reading it: its files
  // stay mapped after they are unlinked.
  for (const std::string& ulid : replaced) RETURN_IF_ERROR(DeleteBlockDir(ulid));
  return absl::OkStatus();
}

absl::Status DB::DeleteBlockDir(const std::string& ulid) {
  FileSystem* fs = options_.fs;
  const std::string path = JoinPath(dir_, ulid);
  const std::string doomed = path + std::string(compaction::kTmpDeletionSuffix);
  // Rename first: a crash mid-removal leaves a *.tmp-for-deletion directory
  // that the next open removes, never a half-deleted block that looks whole.
  RETURN_IF_ERROR(fs->Rename(path, doomed));
  RETURN_IF_ERROR(fs->SyncDir(dir_));
  return fs->RemoveAll(doomed);
}

std::string DB::NewUlid() { return ulids_->Next(); }

}  // namespace strata
