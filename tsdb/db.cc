#include "tsdb/db.h"

#include <algorithm>
#include <chrono>

#include "absl/time/clock.h"
#include "fmt/format.h"
#include "tsdb/base/status_macros.h"
#include "tsdb/querier/merge_querier.h"

namespace strata {
namespace {

std::string ParentDir(const std::string& path) {
  size_t end = path.find_last_not_of('/');
  if (end == std::string::npos) return "/";
  size_t slash = path.rfind('/', end);
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

absl::StatusOr<std::unique_ptr<DB>> DB::Open(const std::string& dir, DBOptions options) {
  std::unique_ptr<DB> db(new DB());
  db->dir_ = dir;
  if (options.fs == nullptr) {
    db->owned_fs_ = NewPosixFileSystem();
    options.fs = db->owned_fs_.get();
  }
  if (options.clock == nullptr) options.clock = &db->real_clock_;
  if (options.logger == nullptr) options.logger = &db->null_logger_;
  db->options_ = options;
  db->ulids_ = std::make_unique<block::UlidGenerator>(options.clock);
  FileSystem* fs = options.fs;
  Logger* log = options.logger;

  const std::string context = fmt::format("open db {}", dir);
  // Create the directory tree and make the entries durable before anything
  // is acknowledged: a WAL in a directory whose entry is lost on power
  // failure is lost with it.
  const std::string wal_dir = JoinPath(dir, "wal");
  RETURN_IF_ERROR(AnnotateStatus(fs->CreateDirs(wal_dir), context));
  RETURN_IF_ERROR(AnnotateStatus(fs->SyncDir(dir), context));
  RETURN_IF_ERROR(AnnotateStatus(fs->SyncDir(ParentDir(dir)), context));
  auto lock = fs->LockFile(JoinPath(dir, "lock"));
  if (!lock.ok()) {
    return AnnotateStatus(lock.status(), fmt::format("{}: is another strata using it?", context));
  }
  db->lock_ = std::move(*lock);
  RETURN_IF_ERROR(AnnotateStatus(db->RemoveLeftovers(), context));
  RETURN_IF_ERROR(AnnotateStatus(db->LoadBlocks(), context));

  HeadOptions head_options;
  head_options.block_range_ms = options.block_range_ms;
  head_options.max_future_ms = options.max_future_ms;
  head_options.clock = options.clock;
  db->head_ = std::make_unique<Head>(head_options, nullptr);
  // Replay skips what the blocks already hold.
  int64_t blocks_max_time = INT64_MIN;
  for (const auto& b : db->blocks())
    blocks_max_time = std::max(blocks_max_time, b->meta().max_time);
  if (blocks_max_time != INT64_MIN) db->head_->Truncate(blocks_max_time);

  if (options.wal_enabled) {
    absl::Time start = absl::Now();
    Head* head = db->head_.get();
    auto wal = wal::Wal::Open(
        fs, wal_dir, options.wal,
        [head](std::string_view record) { return head->ReplayRecord(record); }, &db->replay_);
    if (!wal.ok()) return AnnotateStatus(wal.status(), context);
    db->wal_ = std::move(*wal);
    db->head_->AttachWal(db->wal_.get());
    db->replay_seconds_ = absl::ToDoubleSeconds(absl::Now() - start);

    const wal::ReplayStats& r = db->replay_;
    if (r.repaired) {
      log->Log(LogLevel::kWarn, "wal", "repaired damaged write-ahead log",
               fmt::format("reason={} bytes_dropped={} segments_dropped={}",
                           LogfmtValue(r.repair_reason), r.bytes_dropped, r.segments_dropped));
    }
    HeadStats hs = db->head_->stats();
    log->Log(LogLevel::kInfo, "tsdb", "replayed write-ahead log",
             fmt::format("records={} segments={} checkpoint={} series={} samples={} "
                         "duration={:.3f}s",
                         r.records, r.segments, r.checkpoint_loaded, hs.series, hs.samples_appended,
                         db->replay_seconds_));
  }
  // Samples the blocks hold are not the head's any more (a crash between
  // writing a block and checkpointing the WAL leaves them in both): truncate
  // again now that replay created the series, dropping those left empty.
  if (blocks_max_time != INT64_MIN) db->head_->Truncate(blocks_max_time);

  if (options.background_maintenance) {
    db->maintenance_thread_ = std::thread([d = db.get()] { d->MaintenanceLoop(); });
  }
  return db;
}

DB::~DB() { (void)Close(); }

std::unique_ptr<Appender> DB::NewAppender() { return head_->NewAppender(); }

std::unique_ptr<Querier> DB::NewQuerier(int64_t mint, int64_t maxt) {
  std::vector<std::unique_ptr<Querier>> queriers;
  for (const auto& b : blocks()) {
    const block::BlockMeta& m = b->meta();
    if (b->damaged()) continue;  // quarantined by the next maintenance round
    if (m.min_time <= maxt && m.max_time > mint) queriers.push_back(b->NewQuerier(mint, maxt));
  }
  queriers.push_back(head_->NewQuerier(mint, maxt));
  return NewMergeQuerier(std::move(queriers));
}

std::vector<std::shared_ptr<block::Block>> DB::blocks() const {
  MutexLock l(&blocks_mu_);
  return blocks_;
}

void DB::MaintenanceLoop() {
  const auto interval = std::chrono::milliseconds(options_.maintenance_interval_ms);
  while (true) {
    {
      MutexLock l(&stop_mu_);
      if (!stopping_) stop_cv_.WaitFor(&stop_mu_, interval);
      if (stopping_) return;
    }
    absl::Status st = Maintain();
    if (!st.ok()) {
      options_.logger->Log(LogLevel::kError, "tsdb", "maintenance failed",
                           fmt::format("err={}", LogfmtValue(st.ToString())));
    }
  }
}

absl::Status DB::Close() {
  if (closed_) return absl::OkStatus();
  closed_ = true;
  {
    MutexLock l(&stop_mu_);
    stopping_ = true;
    stop_cv_.SignalAll();
  }
  if (maintenance_thread_.joinable()) maintenance_thread_.join();
  absl::Status st;
  if (wal_ != nullptr) st = AnnotateStatus(wal_->Close(), "close db");
  lock_.reset();
  return st;
}

DBStats DB::stats() const {
  DBStats s;
  s.head = head_->stats();
  if (wal_ != nullptr) s.wal = wal_->stats();
  s.replay = replay_;
  s.replay_seconds = replay_seconds_;
  MutexLock l(&blocks_mu_);
  s.blocks = block_stats_;
  s.blocks.blocks = blocks_.size();
  s.blocks.block_bytes = 0;
  for (const auto& b : blocks_) s.blocks.block_bytes += b->SizeBytes();
  return s;
}

}  // namespace strata
