// tools/import.h: a validating pass, then one pass per block window.
#include "tools/import.h"

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/btree_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "compaction/compactor.h"
#include "tools/import_buffer.h"
#include "tools/list_blocks.h"
#include "tools/openmetrics.h"
#include "tsdb/base/status_macros.h"
#include "tsdb/block/ulid.h"

namespace strata::tools {
namespace {

constexpr size_t kReadBytes = 1 << 20;

// The start of the window holding `t` (floor, also for negative times).
int64_t WindowStart(int64_t t, int64_t d) {
  int64_t r = t % d;
  if (r < 0) r += d;
  return t - r;
}

// Throttled progress lines.
class Progress {
 public:
  Progress(std::ostream* out, double interval_s, uint64_t total_bytes)
      : out_(out), interval_(absl::Seconds(interval_s)), total_(total_bytes) {}

  void Update(std::string_view phase, uint64_t bytes_read, uint64_t samples, size_t blocks) {
    if (out_ == nullptr) return;
    const absl::Time now = absl::Now();
    if (now - last_ < interval_) return;
    last_ = now;
    *out_ << absl::StrFormat("import: %s: %.1f/%.1f MiB read, %d samples, %d block(s) written\n",
                             std::string(phase), bytes_read / 1048576.0, total_ / 1048576.0,
                             samples, blocks);
    out_->flush();
  }

 private:
  std::ostream* out_;
  absl::Duration interval_;
  uint64_t total_;
  absl::Time last_ = absl::Now();
};

// Streams `path` through a parser with `on_sample`; `on_read` after each
// read with the bytes read so far. Errors carry the file name.
absl::Status ParsePass(FileSystem* fs, const std::string& path,
                       const std::function<absl::Status(const OmSample&)>& on_sample,
                       const std::function<void(uint64_t)>& on_read) {
  ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, fs->NewRandomAccessFile(path));
  OmCallbacks callbacks;
  callbacks.sample = on_sample;
  OpenMetricsParser parser(std::move(callbacks));
  std::string buf(kReadBytes, '\0');
  uint64_t offset = 0;
  for (;;) {
    ASSIGN_OR_RETURN(size_t n, file->ReadAt(offset, kReadBytes, buf.data()));
    if (n == 0) break;
    offset += n;
    RETURN_IF_ERROR(AnnotateStatus(parser.Feed(std::string_view(buf.data(), n)), path));
    on_read(offset);
  }
  return AnnotateStatus(parser.Finish(), path);
}

absl::StatusOr<std::unique_ptr<FileLock>> LockDataDir(FileSystem* fs, const std::string& dir) {
  const std::string path = JoinPath(dir, "lock");
  absl::StatusOr<std::unique_ptr<FileLock>> lock = fs->LockFile(path);
  if (!lock.ok() && absl::IsFailedPrecondition(lock.status())) {
    return absl::FailedPreconditionError(absl::StrCat("data directory ", dir,
                                                      " is in use by a running server (", path,
                                                      " is held); stop it before importing"));
  }
  return lock;
}

class Importer {
 public:
  Importer(FileSystem* fs, const std::string& file, const std::string& data_dir,
           const ImportOptions& options, uint64_t file_bytes)
      : fs_(fs),
        file_(file),
        dir_(data_dir),
        options_(options),
        progress_(options.quiet ? nullptr : options.progress, options.progress_interval_s,
                  file_bytes),
        ulids_(options.clock) {}

  // Pass 1: syntax and the set of windows with samples.
  absl::Status Scan() {
    const int64_t d = options_.block_duration_ms;
    return ParsePass(
        fs_, file_,
        [this, d](const OmSample& s) {
          windows_.insert(WindowStart(s.t_ms, d));
          ++result_.samples;
          return absl::OkStatus();
        },
        [this](uint64_t read) { progress_.Update("checking", read, result_.samples, 0); });
  }

  // One pass per window; on error the blocks already written are removed.
  absl::Status WriteAll() {
    absl::Status s = WriteWindows();
    if (!s.ok()) {
      for (const block::BlockMeta& m : result_.blocks) {
        (void)fs_->RemoveAll(JoinPath(dir_, m.ulid));  // best effort; the error below matters
      }
      if (!result_.blocks.empty()) {
        s = absl::Status(s.code(),
                         absl::StrCat(s.message(), "; removed the ", result_.blocks.size(),
                                      " block(s) this import had written"));
      }
      result_.blocks.clear();
    }
    return s;
  }

  ImportResult& result() { return result_; }
  size_t windows() const { return windows_.size(); }

 private:
  absl::Status WriteWindows() {
    const int64_t d = options_.block_duration_ms;
    size_t pass = 0;
    uint64_t collected = 0;
    for (int64_t start : windows_) {
      ++pass;
      const int64_t end = start + d;
      const std::string phase = absl::StrCat("window ", pass, "/", windows_.size());
      buffer_.Clear();
      RETURN_IF_ERROR(ParsePass(
          fs_, file_,
          [&](const OmSample& s) {
            if (s.t_ms >= start && s.t_ms < end) {
              buffer_.Add(s.labels, s.t_ms, s.value);
              ++collected;
            }
            return absl::OkStatus();
          },
          [&](uint64_t read) { progress_.Update(phase, read, collected, result_.blocks.size()); }));
      RETURN_IF_ERROR(buffer_.Finish());
      RETURN_IF_ERROR(WriteWindow(start, end));
    }
    buffer_.Clear();
    return absl::OkStatus();
  }

  absl::Status WriteWindow(int64_t start, int64_t end) {
    compaction::WriteBlockRequest req;
    req.fs = fs_;
    req.db_dir = dir_;
    req.ulid = ulids_.Next();
    req.min_time = start;
    req.max_time = end;
    req.level = 1;
    std::unique_ptr<Querier> q = buffer_.NewQuerier();
    absl::StatusOr<block::BlockMeta> meta = compaction::WriteBlock(req, *q);
    if (!meta.ok()) return AnnotateStatus(meta.status(), absl::StrCat("writing block ", req.ulid));
    if (meta->num_series > 0) result_.blocks.push_back(std::move(*meta));
    return absl::OkStatus();
  }

  FileSystem* fs_;
  const std::string& file_;
  const std::string& dir_;
  const ImportOptions& options_;
  Progress progress_;
  block::UlidGenerator ulids_;
  absl::btree_set<int64_t> windows_;
  ImportBuffer buffer_;
  ImportResult result_;
};

absl::Status CheckOptions(const ImportOptions& options) {
  if (options.block_duration_ms <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("block duration must be positive, got ", options.block_duration_ms, "ms"));
  }
  return absl::OkStatus();
}

// New blocks overlapping blocks that were there before.
uint64_t CountOverlaps(const std::vector<OpenedBlock>& existing,
                       const std::vector<block::BlockMeta>& added) {
  uint64_t n = 0;
  for (const block::BlockMeta& a : added) {
    for (const OpenedBlock& o : existing) {
      if (o.block == nullptr) continue;
      const block::BlockMeta& m = o.block->meta();
      if (m.min_time < a.max_time && a.min_time < m.max_time) {
        ++n;
        break;
      }
    }
  }
  return n;
}

void PrintSummary(FileSystem* fs, const std::string& data_dir, const ImportResult& r,
                  std::ostream& out) {
  std::vector<std::shared_ptr<block::Block>> blocks;
  for (const block::BlockMeta& m : r.blocks) {
    absl::StatusOr<std::shared_ptr<block::Block>> b =
        block::Block::Open(fs, JoinPath(data_dir, m.ulid));
    if (b.ok()) blocks.push_back(std::move(*b));
  }
  WriteBlockTable(blocks, /*human=*/false, out);
  out << "imported " << r.samples << " samples into " << r.blocks.size() << " block(s) in "
      << data_dir << "\n";
  if (r.overlapping > 0) {
    out << r.overlapping
        << " new block(s) overlap existing blocks: queries merge them, and the server merges "
           "them into one (vertical compaction) on its next compaction\n";
  }
}

}  // namespace

absl::StatusOr<ImportResult> ImportOpenMetrics(FileSystem* fs, const std::string& file,
                                               const std::string& data_dir,
                                               const ImportOptions& options, std::ostream& out) {
  RETURN_IF_ERROR(CheckOptions(options));
  ASSIGN_OR_RETURN(uint64_t file_bytes, fs->FileSize(file));
  // Lock an existing directory before the long validating pass, so that a
  // running server is reported at once; a new one is created after it, so a
  // file with a syntax error leaves nothing behind.
  std::unique_ptr<FileLock> lock;
  if (fs->IsDir(data_dir)) {
    ASSIGN_OR_RETURN(lock, LockDataDir(fs, data_dir));
  }
  Importer importer(fs, file, data_dir, options, file_bytes);
  RETURN_IF_ERROR(importer.Scan());
  if (lock == nullptr) {
    RETURN_IF_ERROR(fs->CreateDirs(data_dir));
    ASSIGN_OR_RETURN(lock, LockDataDir(fs, data_dir));
  }
  ASSIGN_OR_RETURN(std::vector<OpenedBlock> existing, OpenBlocksReadOnly(fs, data_dir));
  RETURN_IF_ERROR(importer.WriteAll());
  ImportResult result = std::move(importer.result());
  std::sort(
      result.blocks.begin(), result.blocks.end(),
      [](const block::BlockMeta& a, const block::BlockMeta& b) { return a.min_time < b.min_time; });
  result.overlapping = CountOverlaps(existing, result.blocks);
  if (!options.quiet) PrintSummary(fs, data_dir, result, out);
  return result;
}

}  // namespace strata::tools
