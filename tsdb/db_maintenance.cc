// DB maintenance: head -> block cuts with head and WAL truncation, block
// compaction, retention.
#include <algorithm>

#include "compaction/compactor.h"
#include "compaction/planner.h"
#include "compaction/retention.h"
#include "fmt/format.h"
#include "tsdb/base/status_macros.h"
#include "tsdb/db.h"

namespace strata {
namespace {

// Floor division for possibly negative timestamps.
int64_t AlignDown(int64_t t, int64_t range) {
  int64_t q = t / range;
  if (t % range != 0 && t < 0) --q;
  return q * range;
}

void KeepFirstError(absl::Status* first, const absl::Status& st) {
  if (first->ok() && !st.ok()) *first = st;
}

// Bytes of every file under `dir` (0 if it cannot be listed).
uint64_t DirBytes(FileSystem* fs, const std::string& dir) {
  auto names = fs->ListDir(dir);
  if (!names.ok()) return 0;
  uint64_t total = 0;
  for (const std::string& name : *names) {
    const std::string path = JoinPath(dir, name);
    if (fs->IsDir(path)) {
      total += DirBytes(fs, path);
    } else if (auto size = fs->FileSize(path); size.ok()) {
      total += *size;
    }
  }
  return total;
}

}  // namespace

absl::Status DB::Maintain() {
  MutexLock l(&maintenance_mu_);
  absl::Status first;
  KeepFirstError(&first, QuarantineDamagedBlocks());
  KeepFirstError(&first, CutHeadBlocks());
  KeepFirstError(&first, CompactBlocks());
  KeepFirstError(&first, ApplyRetention());
  MutexLock b(&blocks_mu_);
  ++block_stats_.maintenance_runs;
  if (!first.ok()) ++block_stats_.maintenance_failures;
  return first;
}

absl::Status DB::QuarantineDamagedBlocks() {
  std::vector<std::shared_ptr<block::Block>> damaged;
  for (const auto& b : blocks()) {
    if (b->damaged()) damaged.push_back(b);
  }
  if (damaged.empty()) return absl::OkStatus();
  std::vector<std::string> ulids;
  for (const auto& b : damaged) ulids.push_back(b->meta().ulid);
  {
    MutexLock l(&blocks_mu_);
    std::erase_if(blocks_, [](const auto& b) { return b->damaged(); });
    block_stats_.corrupted_blocks += damaged.size();
  }
  for (const std::string& ulid : ulids) {
    options_.logger->Log(LogLevel::kError, "tsdb",
                         "quarantined block with a damaged chunk; it is no longer served",
                         fmt::format("block={} moved_to={}.corrupted", ulid, ulid));
    // Kept for the operator (tsdb-tool verify); not a ULID, so never loaded.
    RETURN_IF_ERROR(options_.fs->Rename(JoinPath(dir_, ulid), JoinPath(dir_, ulid + ".corrupted")));
  }
  return options_.fs->SyncDir(dir_);
}

absl::Status DB::CutHeadBlocks() {
  const int64_t range = options_.block_range_ms;
  // Cut while the head spans more than 1.5 block ranges: the newest range
  // stays in memory, where late samples can still land.
  while (head_->num_series() > 0 && head_->min_time() <= head_->max_time() &&
         head_->max_time() - head_->min_time() > range / 2 * 3) {
    const int64_t mint = AlignDown(head_->min_time(), range);
    RETURN_IF_ERROR(CutHeadBlock(mint, mint + range));
  }
  return absl::OkStatus();
}

absl::Status DB::CutWholeHead() {
  MutexLock l(&maintenance_mu_);
  const int64_t range = options_.block_range_ms;
  while (head_->num_series() > 0 && head_->min_time() <= head_->max_time()) {
    const int64_t mint = AlignDown(head_->min_time(), range);
    RETURN_IF_ERROR(CutHeadBlock(mint, mint + range));
    // Each cut truncates the head below mint + range; stop rather than spin
    // should a sample below it stay (one appended while cutting).
    if (head_->num_series() > 0 && head_->min_time() <= head_->max_time() &&
        head_->min_time() < mint + range) {
      break;
    }
  }
  return absl::OkStatus();
}

absl::Status DB::CutHeadBlock(int64_t mint, int64_t maxt) {
  compaction::WriteBlockRequest r;
  r.fs = options_.fs;
  r.db_dir = dir_;
  r.ulid = NewUlid();
  r.min_time = mint;
  r.max_time = maxt;
  auto querier = head_->NewQuerier(mint, maxt - 1);
  auto meta = compaction::WriteBlock(r, *querier);
  querier.reset();
  if (!meta.ok()) return AnnotateStatus(meta.status(), "cut head block");
  if (meta->num_series > 0) {
    ASSIGN_OR_RETURN(auto b, block::Block::Open(options_.fs, JoinPath(dir_, meta->ulid)));
    RETURN_IF_ERROR(SwapBlocks(std::move(b), {}));
    options_.logger->Log(LogLevel::kInfo, "tsdb", "wrote head block",
                         fmt::format("block={} mint={} maxt={} series={} samples={}", meta->ulid,
                                     mint, maxt, meta->num_series, meta->num_samples));
    MutexLock l(&blocks_mu_);
    ++block_stats_.head_blocks_written;
  }
  return TruncateHead(maxt);
}

absl::Status DB::TruncateHead(int64_t mint) {
  head_->Truncate(mint);
  {
    MutexLock l(&blocks_mu_);
    ++block_stats_.head_truncations;
  }
  if (wal_ == nullptr) return absl::OkStatus();
  // Every segment before a fresh one is rewritten into a checkpoint holding
  // only the series the head still has and samples at or after `mint`.
  auto next = wal_->NextSegment();
  if (!next.ok()) return AnnotateStatus(next.status(), "truncate wal");
  if (*next == 0) return absl::OkStatus();
  RETURN_IF_ERROR(
      AnnotateStatus(wal_->Checkpoint(
                         *next - 1, [this](uint64_t ref) { return head_->HasSeries(ref); }, mint),
                     "wal checkpoint"));
  MutexLock l(&blocks_mu_);
  ++block_stats_.wal_checkpoints;
  return absl::OkStatus();
}

absl::Status DB::CompactBlocks() {
  const std::vector<int64_t> ranges =
      compaction::BlockRanges(options_.block_range_ms, options_.retention_ms);
  while (true) {
    std::vector<std::shared_ptr<block::Block>> all = blocks();
    std::vector<block::BlockMeta> metas;
    for (const auto& b : all) metas.push_back(b->meta());
    compaction::Plan plan = compaction::PlanCompaction(metas, ranges);
    if (plan.ulids.empty()) return absl::OkStatus();

    std::vector<std::shared_ptr<block::Block>> inputs;
    for (const std::string& ulid : plan.ulids) {
      for (const auto& b : all) {
        if (b->meta().ulid == ulid) inputs.push_back(b);
      }
    }
    const std::string ulid = NewUlid();
    auto meta = compaction::CompactBlocks(options_.fs, dir_, ulid, inputs);
    absl::Status st = meta.status();
    std::shared_ptr<block::Block> result;
    if (st.ok() && meta->num_series > 0) {
      auto opened = block::Block::Open(options_.fs, JoinPath(dir_, ulid));
      st = opened.status();
      if (st.ok()) result = std::move(*opened);
    }
    if (!st.ok()) {
      MutexLock l(&blocks_mu_);
      ++block_stats_.compactions_failed;
      return AnnotateStatus(st, fmt::format("compact {} blocks", plan.ulids.size()));
    }
    options_.logger->Log(LogLevel::kInfo, "tsdb", "compacted blocks",
                         fmt::format("into={} from={} overlapping={} level={}", ulid,
                                     LogfmtValue(fmt::format("{}", fmt::join(plan.ulids, ","))),
                                     plan.overlapping, meta->level));
    // The result is durable (fsynced and renamed): only now do sources go.
    RETURN_IF_ERROR(SwapBlocks(std::move(result), plan.ulids));
    MutexLock l(&blocks_mu_);
    ++block_stats_.compactions;
  }
}

absl::Status DB::ApplyRetention() {
  compaction::RetentionPolicy policy;
  policy.time_ms = options_.retention_ms;
  policy.size_bytes = options_.retention_bytes;
  if (policy.time_ms <= 0 && policy.size_bytes == 0) return absl::OkStatus();
  std::vector<compaction::BlockUsage> usage;
  int64_t newest = head_->num_series() > 0 ? head_->max_time() : INT64_MIN;
  for (const auto& b : blocks()) {
    usage.push_back({b->meta(), b->SizeBytes()});
    newest = std::max(newest, b->meta().max_time - 1);
  }
  if (usage.empty()) return absl::OkStatus();
  const uint64_t wal_bytes = DirBytes(options_.fs, JoinPath(dir_, "wal"));
  compaction::RetentionDecision d = compaction::PlanRetention(usage, newest, wal_bytes, policy);
  std::vector<std::string> doomed = d.by_time;
  doomed.insert(doomed.end(), d.by_size.begin(), d.by_size.end());
  if (doomed.empty()) return absl::OkStatus();
  for (const std::string& ulid : doomed) {
    options_.logger->Log(
        LogLevel::kInfo, "tsdb", "retention deletes block",
        fmt::format("block={} reason={}", ulid,
                    std::find(d.by_time.begin(), d.by_time.end(), ulid) != d.by_time.end()
                        ? "time"
                        : "size"));
  }
  RETURN_IF_ERROR(SwapBlocks(nullptr, doomed));
  MutexLock l(&blocks_mu_);
  block_stats_.retention_deleted_by_time += d.by_time.size();
  block_stats_.retention_deleted_by_size += d.by_size.size();
  return absl::OkStatus();
}

}  // namespace strata
