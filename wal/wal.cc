// Wal: open/close, group commit, segment cutting, background sync.
// Replay and repair live in replay.cc, checkpoints in checkpoint.cc.
#include "wal/wal.h"

#include <algorithm>
#include <chrono>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "tsdb/base/status_macros.h"
#include "wal/segment.h"
#include "wal/wal_impl.h"

namespace strata::wal {
namespace {

// A leader stops adding batches to its group beyond this many record bytes,
// so one slow group does not hold back the callers queued behind it forever.
constexpr size_t kMaxGroupBytes = 4 << 20;

// A copy of `s` that shares no reference-counted state with it. Statuses
// handed to other threads are cloned: Debian's Abseil drops references in an
// uninstrumented library function, so ThreadSanitizer would report a shared
// rep's deletion as a race.
absl::Status Clone(const absl::Status& s) {
  return s.ok() ? absl::OkStatus() : absl::Status(s.code(), s.message());
}

// mkdir -p that also makes every new directory entry durable: without it a
// power loss could take the whole (fsynced) log with the directory.
absl::Status CreateDirsDurably(FileSystem* fs, const std::string& dir) {
  std::vector<std::string> created;  // deepest first
  for (std::string p = dir; !p.empty() && p != "/" && !fs->Exists(p);) {
    created.push_back(p);
    size_t slash = p.find_last_of('/');
    if (slash == std::string::npos) break;
    p = slash == 0 ? "/" : p.substr(0, slash);
  }
  RETURN_IF_ERROR(fs->CreateDirs(dir));
  // Parents first, so each synced entry points into a durable directory.
  for (auto it = created.rbegin(); it != created.rend(); ++it) {
    size_t slash = it->find_last_of('/');
    std::string parent = slash == std::string::npos ? "." : slash == 0 ? "/" : it->substr(0, slash);
    RETURN_IF_ERROR(fs->SyncDir(parent));
  }
  return absl::OkStatus();
}

}  // namespace

Wal::Wal(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Wal::~Wal() { Close().IgnoreError(); }

absl::StatusOr<std::unique_ptr<Wal>> Wal::Open(FileSystem* fs, std::string dir, WalOptions options,
                                               const ReplayFn& replay, ReplayStats* stats) {
  if (options.segment_size == 0) return absl::InvalidArgumentError("wal: segment_size is 0");
  if (options.sync_policy == SyncPolicy::kInterval &&
      options.sync_interval <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("wal: sync_interval must be positive");
  }
  ReplayStats local_stats;
  if (stats == nullptr) stats = &local_stats;
  *stats = ReplayStats();
  RETURN_IF_ERROR(AnnotateStatus(CreateDirsDurably(fs, dir), absl::StrCat("wal: create ", dir)));

  auto impl = std::make_unique<Impl>(fs, std::move(dir), options);
  absl::StatusOr<uint32_t> next = impl->Recover(replay, stats);
  if (!next.ok()) return AnnotateStatus(next.status(), "wal");
  absl::StatusOr<std::unique_ptr<internal::SegmentWriter>> segment =
      internal::SegmentWriter::Create(fs, impl->dir, *next);
  if (!segment.ok()) return AnnotateStatus(segment.status(), "wal");
  {
    MutexLock lock(&impl->mu);
    impl->segment = *std::move(segment);
    impl->stats.current_segment = *next;
    if (impl->stats.first_segment == 0) impl->stats.first_segment = *next;
    if (stats->repaired) impl->stats.repairs = 1;
  }
  if (options.sync_policy == SyncPolicy::kInterval) {
    Impl* p = impl.get();
    impl->syncer = std::thread([p] { p->SyncLoop(); });
  }
  return std::unique_ptr<Wal>(new Wal(std::move(impl)));
}

absl::Status Wal::Log(std::span<const std::string_view> records) {
  if (records.empty()) return absl::OkStatus();
  for (std::string_view r : records) {
    // An empty record would fail to decode on replay and cost everything
    // logged after it, so it is refused up front.
    if (r.empty()) return absl::InvalidArgumentError("wal: empty record");
  }
  PendingWrite w;
  w.kind = PendingWrite::Kind::kLog;
  w.records = records;
  return impl_->Submit(&w);
}

absl::Status Wal::Sync() {
  PendingWrite w;
  w.kind = PendingWrite::Kind::kSync;
  return impl_->Submit(&w);
}

absl::StatusOr<uint32_t> Wal::NextSegment() {
  PendingWrite w;
  w.kind = PendingWrite::Kind::kCut;
  RETURN_IF_ERROR(impl_->Submit(&w));
  return w.new_segment;
}

absl::Status Wal::Close() {
  {
    MutexLock lock(&impl_->mu);
    if (impl_->closed) return absl::OkStatus();
    impl_->stop_syncer = true;
    impl_->syncer_cv.SignalAll();
  }
  if (impl_->syncer.joinable()) impl_->syncer.join();
  // No Log runs concurrently with Close (see wal.h), so the segment is ours.
  absl::Status s = Sync();
  MutexLock lock(&impl_->mu);
  impl_->closed = true;
  if (impl_->segment != nullptr) {
    absl::Status c = impl_->segment->Close();
    if (s.ok()) s = AnnotateStatus(c, "wal");
    impl_->segment.reset();
  }
  return s;
}

WalStats Wal::stats() const {
  MutexLock lock(&impl_->mu);
  return impl_->stats;
}

const std::string& Wal::dir() const { return impl_->dir; }

// ---------------------------------------------------------------------------
// Group commit

absl::Status Wal::Impl::Submit(PendingWrite* w) {
  MutexLock lock(&mu);
  if (closed) return absl::FailedPreconditionError("wal: closed");
  queue.push_back(w);
  while (!w->done && queue.front() != w) w->cv.Wait(&mu);
  if (!w->done) Lead(w);
  return std::move(w->status);
}

void Wal::Impl::Lead(PendingWrite* w) {
  size_t handled = 0;
  absl::Status status;
  uint64_t records = 0;
  if (!poisoned.ok()) {
    // Fail everything queued at once rather than one leader at a time.
    handled = queue.size();
    status = Clone(poisoned);
  } else if (w->kind == PendingWrite::Kind::kCut) {
    mu.Unlock();
    status = AnnotateStatus(Cut(), "wal");
    mu.Lock();
    w->new_segment = stats.current_segment;
    handled = 1;
  } else {
    group.clear();
    size_t bytes = 0;
    for (PendingWrite* p : queue) {
      if (p->kind == PendingWrite::Kind::kCut) break;
      if (!group.empty() && bytes >= kMaxGroupBytes) break;
      group.push_back(p);
      for (std::string_view r : p->records) bytes += r.size();
    }
    // Frame and write without the lock, so later callers can queue up behind
    // this group meanwhile; they are written by the next leader.
    mu.Unlock();
    handled = WriteGroup(group, &status, &records);
    mu.Lock();
    if (status.ok()) stats.records_written += records;
  }
  for (size_t i = 0; i < handled; ++i) {
    PendingWrite* p = queue.front();
    queue.pop_front();
    p->status = Clone(status);
    p->done = true;
    if (p != w) p->cv.Signal();
  }
  if (!queue.empty()) queue.front()->cv.Signal();  // the next leader
}

size_t Wal::Impl::WriteGroup(std::span<PendingWrite* const> grp, absl::Status* status,
                             uint64_t* records) {
  buffer.clear();
  uint64_t offset = segment->size();
  bool need_sync = options.sync_policy == SyncPolicy::kAlways;
  size_t taken = 0;
  for (PendingWrite* p : grp) {
    if (p->kind == PendingWrite::Kind::kSync) {
      need_sync = true;
      ++taken;
      continue;
    }
    size_t mark = buffer.size();
    uint64_t end = offset;
    for (std::string_view r : p->records) end = internal::FrameRecord(end, r, &buffer);
    bool segment_empty = segment->empty() && mark == 0;
    if (end > options.segment_size && !segment_empty) {
      // The batch does not fit: it goes first into the next segment, so a
      // batch never spans segments.
      buffer.resize(mark);
      if (taken > 0) break;
      if (absl::Status s = Cut(); !s.ok()) {
        *status = AnnotateStatus(s, "wal");
        return 1;
      }
      end = segment->size();
      for (std::string_view r : p->records) end = internal::FrameRecord(end, r, &buffer);
    }
    offset = end;
    *records += p->records.size();
    ++taken;
  }

  absl::Status s;
  if (!buffer.empty()) {
    bool truncate_failed = false;
    s = segment->Write(buffer, &truncate_failed);
    if (!s.ok()) {
      {
        MutexLock lock(&mu);
        ++stats.write_errors;
      }
      if (truncate_failed) Poison(s);
    } else {
      MutexLock lock(&mu);
      stats.bytes_written += buffer.size();
    }
  }
  if (s.ok() && need_sync && segment->dirty()) {
    s = SyncSegment();
    // These bytes were never acknowledged; drop them (best effort) so a
    // reopen does not replay batches whose Log failed.
    if (!s.ok()) segment->Unwrite(buffer.size()).IgnoreError();
  }
  *status = AnnotateStatus(s, "wal");
  return taken;
}

int64_t Wal::Impl::NowNanos() const {
  if (options.monotonic_nanos) return options.monotonic_nanos();
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void Wal::Impl::ObserveFsyncLocked(int64_t nanos) {
  uint64_t n = nanos > 0 ? static_cast<uint64_t>(nanos) : 0;
  double seconds = static_cast<double>(n) / 1e9;
  auto bound = std::lower_bound(kFsyncBucketBounds.begin(), kFsyncBucketBounds.end(), seconds);
  FsyncHistogram& h = stats.fsync_duration;
  ++h.counts[bound - kFsyncBucketBounds.begin()];
  ++h.count;
  h.sum_nanos += n;
}

absl::Status Wal::Impl::SyncSegment() {
  const int64_t start = NowNanos();
  absl::Status s = segment->Sync();
  const int64_t elapsed = NowNanos() - start;
  // Recorded under the lock taken anyway for the counters below, so timing
  // costs the hot path two clock reads and nothing else.
  MutexLock lock(&mu);
  ObserveFsyncLocked(elapsed);
  if (s.ok()) {
    ++stats.fsyncs;
    return s;
  }
  ++stats.write_errors;
  // After a failed fsync the kernel may have dropped the dirty pages: what
  // the disk holds is unknown, and appending acknowledged records behind a
  // possible hole would turn a lost tail into lost acknowledged data.
  PoisonLocked(s);
  return s;
}

void Wal::Impl::Poison(const absl::Status& cause) {
  MutexLock lock(&mu);
  PoisonLocked(cause);
}

void Wal::Impl::PoisonLocked(const absl::Status& cause) {
  if (!poisoned.ok()) return;
  poisoned = absl::Status(cause.code(),
                          absl::StrCat("wal: refusing writes until reopened after an earlier "
                                       "failure: wal: ",
                                       cause.message()));
}

absl::Status Wal::Impl::Cut() {
  // Seal the old segment first, under every policy: a newer segment must
  // never be durable while an older one may still lose its tail, or repair
  // would delete the newer one.
  if (segment->dirty()) RETURN_IF_ERROR(SyncSegment());
  uint32_t next = segment->index() + 1;
  ASSIGN_OR_RETURN(std::unique_ptr<internal::SegmentWriter> w,
                   internal::SegmentWriter::Create(fs, dir, next));
  // The old segment's data is durable; a failing close cannot lose it.
  segment->Close().IgnoreError();
  segment = std::move(w);
  MutexLock lock(&mu);
  stats.current_segment = next;
  return absl::OkStatus();
}

void Wal::Impl::SyncLoop() {
  const auto interval = absl::ToChronoNanoseconds(options.sync_interval);
  MutexLock lock(&mu);
  while (!stop_syncer) {
    syncer_cv.WaitFor(&mu, interval);
    if (stop_syncer) break;
    mu.Unlock();
    PendingWrite w;
    w.kind = PendingWrite::Kind::kSync;
    // A failure poisons the WAL (see SyncSegment); the next Log reports it.
    Submit(&w).IgnoreError();
    mu.Lock();
  }
}

}  // namespace strata::wal
