#include "tsdb/head/head_appender.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "fmt/format.h"
#include "tsdb/base/status_macros.h"

namespace strata {
namespace {

bool SameBits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

}  // namespace

absl::StatusOr<SeriesRef> HeadAppender::Add(const Labels& labels, int64_t t, double v) {
  uint64_t hash = labels.Hash();
  while (true) {
    bool pinned = false;
    MemSeries* series = head_->Find(labels, hash);
    if (series == nullptr) {
      absl::StatusOr<MemSeries*> created = Create(labels, hash, &pinned);
      if (!created.ok()) return created.status();
      series = *created;
    } else if (auto it = newest_.find(series->ref()); it != newest_.end()) {
      // Pinned by the batch already.
      RETURN_IF_ERROR(QueueMore(it->second, t, v));
      return series->ref();
    }
    bool removed;
    RETURN_IF_ERROR(QueueFirst(series, t, v, pinned, &removed));
    // Removed by Truncate since Find: it is unlinked now, so the next Find
    // misses and a new series (created pinned) takes its place.
    if (!removed) return series->ref();
  }
}

absl::StatusOr<MemSeries*> HeadAppender::Create(const Labels& labels, uint64_t hash, bool* pinned) {
  // Validate only on a miss: a series that exists was valid when created.
  absl::Status valid =
      labels.empty() ? absl::InvalidArgumentError("empty label set") : ValidateLabels(labels);
  if (!valid.ok()) {
    head_->counters().rejected[static_cast<size_t>(SampleError::kInvalidLabels)].fetch_add(
        1, std::memory_order_relaxed);
    return MakeSampleError(
        SampleError::kInvalidLabels,
        fmt::format("{} in series {}",
                    std::string_view(valid.message().data(), valid.message().size()),
                    labels.ToString()));
  }
  MemSeries* series = head_->GetOrCreate(labels, hash, 0, pinned, /*pin=*/true);
  if (series == nullptr) {
    return absl::ResourceExhaustedError("head: series reference space exhausted; restart");
  }
  return series;
}

absl::Status HeadAppender::AddFast(SeriesRef ref, int64_t t, double v) {
  // A series already in the batch is pinned: no lookup, no lock.
  if (auto it = newest_.find(ref); it != newest_.end()) return QueueMore(it->second, t, v);
  MemSeries* series = head_->ByRef(ref);
  bool removed = false;
  if (series != nullptr) RETURN_IF_ERROR(QueueFirst(series, t, v, /*pinned=*/false, &removed));
  if (series == nullptr || removed) {
    return absl::NotFoundError(fmt::format("unknown series ref {}", ref));
  }
  return absl::OkStatus();
}

SampleError HeadAppender::CheckTime(int64_t t) {
  // One clock read per batch: a batch is one request, milliseconds long.
  if (max_valid_t_ == kUnset) {
    const HeadOptions& opts = head_->options();
    max_valid_t_ = opts.clock->NowMillis() + opts.max_future_ms;
  }
  if (t > max_valid_t_) return SampleError::kTooFarInFuture;
  if (t < head_->MinValidTime()) return SampleError::kTooOld;
  return SampleError::kNone;
}

absl::Status HeadAppender::QueueMore(Newest& newest, int64_t t, double v) {
  // Ordered against what the batch holds for the series; the series itself
  // was checked (under its stripe lock) when its first sample was queued.
  SampleError e = CheckTime(t);
  if (e == SampleError::kNone && t < newest.t) e = SampleError::kOutOfOrder;
  if (e == SampleError::kNone && t == newest.t) {
    if (SameBits(v, newest.v)) {
      head_->counters().duplicates_ignored.fetch_add(1, std::memory_order_relaxed);
      return absl::OkStatus();
    }
    e = SampleError::kDuplicate;
  }
  if (e != SampleError::kNone) return Reject(e, *newest.series, t, v);
  newest.t = t;
  newest.v = v;
  newest.last = samples_.size();
  samples_.push_back({newest.series->ref(), t, v});
  series_.push_back(newest.series);
  return absl::OkStatus();
}

absl::Status HeadAppender::QueueFirst(MemSeries* series, int64_t t, double v, bool pinned,
                                      bool* removed) {
  *removed = false;
  SampleError e = CheckTime(t);
  bool duplicate = false;
  {
    MutexLock lock(head_->StripeFor(series->ref()));
    if (series->removed()) {  // never true when pinned
      *removed = true;
      return absl::OkStatus();
    }
    if (e == SampleError::kNone) e = series->Appendable(t, v, &duplicate);
    const bool keep = e == SampleError::kNone && !duplicate;
    if (keep && !pinned) series->AddPendingCommit();
    if (!keep && pinned) series->RemovePendingCommit();
  }
  if (e != SampleError::kNone) return Reject(e, *series, t, v);
  if (duplicate) {
    head_->counters().duplicates_ignored.fetch_add(1, std::memory_order_relaxed);
    return absl::OkStatus();
  }
  newest_.emplace(series->ref(), Newest{t, v, series, samples_.size()});
  samples_.push_back({series->ref(), t, v});
  series_.push_back(series);
  return absl::OkStatus();
}

absl::Status HeadAppender::UpdateMetadata(SeriesRef ref, const MetricMetadata& metadata) {
  if (head_->ByRef(ref) == nullptr) {
    return absl::NotFoundError(fmt::format("unknown series ref {}", ref));
  }
  metadata_.push_back({ref, metadata.type, metadata.unit, metadata.help});
  return absl::OkStatus();
}

absl::Status HeadAppender::Reject(SampleError e, const MemSeries& series, int64_t t, double v) {
  head_->counters().rejected[static_cast<size_t>(e)].fetch_add(1, std::memory_order_relaxed);
  std::string detail = fmt::format("{}: series {}, timestamp {}", SampleErrorName(e),
                                   head_->LabelsOf(series).ToString(), t);
  if (e == SampleError::kTooOld) {
    detail += fmt::format(", minimum valid time {}", head_->MinValidTime());
  }
  return MakeSampleError(e, detail);
}

absl::Status HeadAppender::LogToWal() {
  wal::Wal* wal = head_->wal();
  if (wal == nullptr) return absl::OkStatus();
  new_series_.clear();
  for (const auto& [ref, newest] : newest_) {
    if (!newest.series->wal_logged()) new_series_.push_back({ref, head_->LabelsOf(*newest.series)});
  }
  // Series first, so a replayed prefix never holds samples of unknown series.
  std::string_view records[3];
  size_t n = 0;
  if (!new_series_.empty()) {
    // Sorted by ref so the log reads in creation order; cosmetic, but cheap.
    std::sort(new_series_.begin(), new_series_.end(),
              [](const auto& a, const auto& b) { return a.ref < b.ref; });
    series_record_.clear();
    wal::EncodeSeries(new_series_, &series_record_);
    records[n++] = series_record_;
  }
  if (!samples_.empty()) {
    samples_record_.clear();
    wal::EncodeSamples(samples_, &samples_record_);
    records[n++] = samples_record_;
  }
  if (!metadata_.empty()) {
    metadata_record_.clear();
    wal::EncodeMetadata(metadata_, &metadata_record_);
    records[n++] = metadata_record_;
  }
  RETURN_IF_ERROR(AnnotateStatus(wal->Log(std::span(records, n)), "head commit"));
  for (const wal::RefSeries& s : new_series_) newest_[s.ref].series->set_wal_logged();
  return absl::OkStatus();
}

void HeadAppender::Apply() {
  // The last sample of each series in the batch releases the series' pin in
  // the same critical section that appends it, so a series with one sample
  // per batch (the common case) takes its stripe lock once here.
  last_.assign(samples_.size(), 0);
  for (const auto& [ref, newest] : newest_) last_[newest.last] = 1;
  const int64_t range = head_->options().block_range_ms;
  int64_t mint = std::numeric_limits<int64_t>::max();
  int64_t maxt = std::numeric_limits<int64_t>::min();
  uint64_t appended = 0, chunks = 0, lost = 0;
  Mutex* held = nullptr;  // consecutive samples of one stripe share a hold
  for (size_t i = 0; i < samples_.size(); ++i) {
    const wal::RefSample& s = samples_[i];
    MemSeries* series = series_[i];
    Mutex* stripe = head_->StripeFor(s.ref);
    if (stripe != held) {
      if (held != nullptr) held->Unlock();
      stripe->Lock();
      held = stripe;
    }
    size_t before = series->num_chunks();
    // The floor is read under the stripe lock: a Truncate that raised it
    // before trimming this series is seen here, so nothing lands below it.
    if (s.t >= head_->truncated_below() && series->Append(s.t, s.v, range)) {
      ++appended;
      chunks += series->num_chunks() - before;
      mint = std::min(mint, s.t);
      maxt = std::max(maxt, s.t);
    } else {
      ++lost;
    }
    // Unpinned: Truncate may remove the series from here on; it is not
    // touched again (the batch's reader registration keeps it allocated).
    if (last_[i]) series->RemovePendingCommit();
  }
  if (held != nullptr) held->Unlock();
  // Every pin is released: Clear must not release them again.
  newest_.erase(newest_.begin(), newest_.end());
  Head::Counters& c = head_->counters();
  c.samples_appended.fetch_add(appended, std::memory_order_relaxed);
  c.chunks.fetch_add(chunks, std::memory_order_relaxed);
  if (lost > 0) c.lost_commit_races.fetch_add(lost, std::memory_order_relaxed);
  if (appended > 0) head_->UpdateTimeBounds(mint, maxt);
}

absl::Status HeadAppender::Commit() {
  if (samples_.empty() && metadata_.empty()) {
    Clear();
    return absl::OkStatus();
  }
  absl::Status st = LogToWal();
  if (st.ok()) {
    Apply();
    for (const wal::RefMetadata& m : metadata_) {
      head_->SetMetadata(m.ref, MetricMetadata{m.type, m.unit, m.help});
    }
  }
  Clear();
  return st;
}

void HeadAppender::Rollback() { Clear(); }

void HeadAppender::Unpin() {
  for (const auto& [ref, newest] : newest_) {
    MutexLock lock(head_->StripeFor(ref));
    newest.series->RemovePendingCommit();
  }
}

void HeadAppender::Clear() {
  Unpin();
  samples_.clear();
  series_.clear();
  // erase() keeps the table's capacity (clear() frees large tables), so a
  // reused appender does not regrow it for every batch.
  newest_.erase(newest_.begin(), newest_.end());
  metadata_.clear();
  max_valid_t_ = kUnset;
  // Re-registered as a reader of the current epoch, so series retired while
  // this appender sits idle can be freed.
  guard_ = head_->EnterReader();
}

}  // namespace strata
