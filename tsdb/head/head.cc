#include "tsdb/head/head.h"

#include <algorithm>
#include <limits>

#include "fmt/format.h"
#include "tsdb/base/status_macros.h"
#include "tsdb/head/head_appender.h"
#include "tsdb/head/head_querier.h"

namespace strata {

Head::Head(HeadOptions options, wal::Wal* wal)
    : options_(options),
      wal_(wal),
      hash_shards_(new HashShard[kShards]),
      stripes_(new Stripe[kStripes]),
      min_time_(std::numeric_limits<int64_t>::max()),
      max_time_(std::numeric_limits<int64_t>::min()),
      truncated_below_(std::numeric_limits<int64_t>::min()) {}

Head::~Head() = default;

std::unique_ptr<Appender> Head::NewAppender() { return std::make_unique<HeadAppender>(this); }

std::unique_ptr<Querier> Head::NewQuerier(int64_t mint, int64_t maxt) {
  return std::make_unique<HeadQuerier>(this, mint, maxt);
}

int64_t Head::MinValidTime() const {
  int64_t floor = truncated_below();
  int64_t maxt = max_time();
  if (maxt == std::numeric_limits<int64_t>::min()) return floor;
  return std::max(floor, maxt - options_.block_range_ms / 2);
}

void Head::UpdateTimeBounds(int64_t mint, int64_t maxt) {
  // Under a lock (once per commit) rather than lock-free, so Truncate can
  // tell whether a commit widened the bounds while it computed new ones.
  MutexLock lock(&bounds_mu_);
  ++bounds_version_;
  if (mint < min_time_.load(std::memory_order_relaxed)) {
    min_time_.store(mint, std::memory_order_relaxed);
  }
  if (maxt > max_time_.load(std::memory_order_relaxed)) {
    max_time_.store(maxt, std::memory_order_relaxed);
  }
}

bool Head::SameLabels(const MemSeries& s, const Labels& labels) const {
  auto pairs = s.label_pairs();
  if (pairs.size() != labels.size() * 2) return false;
  for (size_t i = 0; i < labels.size(); ++i) {
    Label l = labels[i];
    if (symbols_.Lookup(pairs[2 * i]) != l.name || symbols_.Lookup(pairs[2 * i + 1]) != l.value) {
      return false;
    }
  }
  return true;
}

MemSeries* Head::FindLocked(const HashShard& shard, const Labels& labels, uint64_t hash) const {
  auto it = shard.by_hash.find(hash);
  if (it == shard.by_hash.end()) return nullptr;
  if (SameLabels(*it->second, labels)) return it->second;
  auto cit = shard.collisions.find(hash);
  if (cit == shard.collisions.end()) return nullptr;
  for (MemSeries* s : cit->second) {
    if (SameLabels(*s, labels)) return s;
  }
  return nullptr;
}

MemSeries* Head::Find(const Labels& labels, uint64_t hash) const {
  const HashShard& shard = hash_shards_[hash & (kShards - 1)];
  ReaderLock lock(&shard.mu);
  return FindLocked(shard, labels, hash);
}

MemSeries* Head::GetOrCreate(const Labels& labels, uint64_t hash, SeriesRef ref_hint, bool* created,
                             bool pin) {
  *created = false;
  if (MemSeries* s = Find(labels, hash)) return s;

  // Intern outside the shard lock: the symbol table has its own.
  std::vector<uint32_t> pairs;
  pairs.reserve(labels.size() * 2);
  labels.ForEach([&](Label l) {
    pairs.push_back(symbols_.Intern(l.name));
    pairs.push_back(symbols_.Intern(l.value));
  });

  HashShard& shard = hash_shards_[hash & (kShards - 1)];
  MemSeries* series;
  {
    WriterLock lock(&shard.mu);
    // Another appender may have created it since we looked.
    if (MemSeries* s = FindLocked(shard, labels, hash)) return s;
    SeriesRef ref = ref_hint;
    if (ref == 0) {
      ref = next_ref_.fetch_add(1, std::memory_order_relaxed);
      if (ref > kMaxRef) return nullptr;
    } else {
      if (ref > kMaxRef || series_.Get(ref) != nullptr) return nullptr;
      SeriesRef next = next_ref_.load(std::memory_order_relaxed);
      while (next <= ref &&
             !next_ref_.compare_exchange_weak(next, ref + 1, std::memory_order_relaxed)) {
      }
    }
    auto owned = MemSeries::New(ref, pairs);
    // Not yet visible to anyone: no stripe lock needed.
    if (pin) owned->AddPendingCommit();
    series = owned.get();
    series_.Set(std::move(owned));
    auto [it, inserted] = shard.by_hash.emplace(hash, series);
    if (!inserted) shard.collisions[hash].push_back(series);
  }
  // Visible by ref before it is visible through postings, so a querier that
  // finds the ref in postings can always resolve it.
  postings_.Add(series->ref(), pairs);
  num_series_.fetch_add(1, std::memory_order_relaxed);
  *created = true;
  return series;
}

Labels Head::LabelsOf(const MemSeries& s) const {
  auto pairs = s.label_pairs();
  std::vector<Label> labels(pairs.size() / 2);
  for (size_t i = 0; i < labels.size(); ++i) {
    labels[i] = {symbols_.Lookup(pairs[2 * i]), symbols_.Lookup(pairs[2 * i + 1])};
  }
  return Labels::FromSorted(labels);
}

absl::Status Head::ReplayRecord(std::string_view record) {
  switch (wal::PeekType(record)) {
    case wal::RecordType::kSeries:
      return ReplaySeries(record);
    case wal::RecordType::kSamples:
      return ReplaySamples(record);
    case wal::RecordType::kMetadata:
      return ReplayMetadata(record);
    case wal::RecordType::kTombstones:
      // Deletion is not served from the head yet; the record is valid and
      // skipped.
      return absl::OkStatus();
    case wal::RecordType::kInvalid:
      break;
  }
  return absl::DataLossError("head: unknown WAL record type");
}

absl::Status Head::ReplaySeries(std::string_view record) {
  std::vector<wal::RefSeries> series;
  RETURN_IF_ERROR(wal::DecodeSeries(record, &series));
  for (const wal::RefSeries& s : series) {
    bool created;
    MemSeries* m = s.ref == 0 ? nullptr : GetOrCreate(s.labels, s.labels.Hash(), s.ref, &created);
    if (m == nullptr) {
      return absl::DataLossError(
          fmt::format("head: series {} has invalid ref {}", s.labels.ToString(), s.ref));
    }
    // A checkpoint and a later segment may both carry the series; and a
    // series record logged twice by racing committers is harmless.
    if (m->ref() != s.ref) {
      // The same labels under two refs: Truncate removed the series and an
      // appender re-created it, and the checkpoint that drops the old record
      // was not written (crash) or kept it. The samples of both refs belong
      // to one series (the old ref's samples are older).
      MutexLock lock(&alias_mu_);
      aliases_[s.ref] = m->ref();
      has_aliases_.store(true, std::memory_order_release);
    }
    m->set_wal_logged();
  }
  return absl::OkStatus();
}

absl::Status Head::ReplaySamples(std::string_view record) {
  replay_samples_.clear();
  RETURN_IF_ERROR(wal::DecodeSamples(record, &replay_samples_));
  int64_t mint = std::numeric_limits<int64_t>::max();
  int64_t maxt = std::numeric_limits<int64_t>::min();
  uint64_t appended = 0;
  const int64_t floor = truncated_below();
  for (const wal::RefSample& s : replay_samples_) {
    // Already persisted in a block (see Truncate); its series record may be
    // gone with a checkpoint, so this check comes first.
    if (s.t < floor) continue;
    MemSeries* m = ReplayTarget(s.ref);
    if (m == nullptr) {
      // Its series record was lost (e.g. behind a repaired gap).
      counters_.wal_replay_unknown_refs.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    MutexLock lock(StripeFor(m->ref()));
    size_t chunks_before = m->num_chunks();
    if (m->Append(s.t, s.v, options_.block_range_ms)) {
      ++appended;
      mint = std::min(mint, s.t);
      maxt = std::max(maxt, s.t);
      counters_.chunks.fetch_add(m->num_chunks() - chunks_before, std::memory_order_relaxed);
    }
  }
  counters_.samples_appended.fetch_add(appended, std::memory_order_relaxed);
  if (appended > 0) UpdateTimeBounds(mint, maxt);
  return absl::OkStatus();
}

MemSeries* Head::ReplayTarget(SeriesRef ref) const {
  if (MemSeries* m = ByRef(ref)) return m;
  if (!has_aliases_.load(std::memory_order_acquire)) return nullptr;
  MutexLock lock(&alias_mu_);
  auto it = aliases_.find(ref);
  return it == aliases_.end() ? nullptr : ByRef(it->second);
}

bool Head::HasSeries(SeriesRef ref) const {
  if (ByRef(ref) != nullptr) return true;
  if (!has_aliases_.load(std::memory_order_acquire)) return false;
  MutexLock lock(&alias_mu_);
  auto it = aliases_.find(ref);
  return it != aliases_.end() && ByRef(it->second) != nullptr;
}

absl::Status Head::ReplayMetadata(std::string_view record) {
  std::vector<wal::RefMetadata> metadata;
  RETURN_IF_ERROR(wal::DecodeMetadata(record, &metadata));
  for (const wal::RefMetadata& m : metadata) {
    MemSeries* s = ReplayTarget(m.ref);
    if (s != nullptr) SetMetadata(s->ref(), MetricMetadata{m.type, m.unit, m.help});
  }
  return absl::OkStatus();
}

void Head::SetMetadata(SeriesRef ref, const MetricMetadata& metadata) {
  ReadGuard guard = EnterReader();
  MemSeries* s = ByRef(ref);
  if (s == nullptr) return;
  uint32_t name;
  if (!symbols_.Find(kMetricNameLabel, &name)) return;
  auto pairs = s->label_pairs();
  for (size_t i = 0; i < pairs.size(); i += 2) {
    if (pairs[i] != name) continue;
    MutexLock lock(&metadata_mu_);
    metadata_[pairs[i + 1]] = metadata;
    return;
  }
}

std::vector<std::pair<std::string, MetricMetadata>> Head::Metadata() const {
  std::vector<std::pair<std::string, MetricMetadata>> out;
  {
    MutexLock lock(&metadata_mu_);
    out.reserve(metadata_.size());
    for (const auto& [name, m] : metadata_) out.emplace_back(symbols_.Lookup(name), m);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

HeadStats Head::stats() const {
  HeadStats s;
  s.series = num_series();
  s.samples_appended = counters_.samples_appended.load(std::memory_order_relaxed);
  s.chunks = counters_.chunks.load(std::memory_order_relaxed);
  s.duplicates_ignored = counters_.duplicates_ignored.load(std::memory_order_relaxed);
  auto rejected = [&](SampleError e) {
    return counters_.rejected[static_cast<size_t>(e)].load(std::memory_order_relaxed);
  };
  s.out_of_order = rejected(SampleError::kOutOfOrder);
  s.duplicate_conflicts = rejected(SampleError::kDuplicate);
  s.too_old = rejected(SampleError::kTooOld);
  s.too_far_in_future = rejected(SampleError::kTooFarInFuture);
  s.invalid_labels = rejected(SampleError::kInvalidLabels);
  s.lost_commit_races = counters_.lost_commit_races.load(std::memory_order_relaxed);
  s.wal_replay_unknown_refs = counters_.wal_replay_unknown_refs.load(std::memory_order_relaxed);
  s.series_removed = counters_.series_removed.load(std::memory_order_relaxed);
  s.chunks_removed = counters_.chunks_removed.load(std::memory_order_relaxed);
  s.truncations = counters_.truncations.load(std::memory_order_relaxed);
  s.min_time = min_time();
  s.max_time = max_time();
  return s;
}

size_t Head::MemoryBytes() const {
  size_t bytes = symbols_.MemoryBytes() + postings_.MemoryBytes() + series_.MemoryBytes();
  bytes += kStripes * sizeof(Stripe) + kShards * sizeof(HashShard);
  for (size_t i = 0; i < kShards; ++i) {
    const HashShard& hs = hash_shards_[i];
    ReaderLock lock(&hs.mu);
    bytes += hs.by_hash.capacity() * (sizeof(uint64_t) + sizeof(MemSeries*) + 1);
  }
  ReadGuard guard = EnterReader();  // series removed meanwhile stay alive
  series_.ForEach([&](const MemSeries& s) {
    MutexLock lock(StripeFor(s.ref()));
    // 16: malloc's per-allocation overhead for the series object.
    bytes += sizeof(MemSeries) + s.label_pairs().size_bytes() + 16 + s.MemoryBytes();
  });
  return bytes;
}

}  // namespace strata
