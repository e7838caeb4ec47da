// RemoteWriteHandler: appending a decoded request to the DB (see
// remote_write.h for the semantics and the fast path).
// Inlined XXH3: the inputs are short, and a call into the shared library
// costs as much as hashing them.
#define XXH_INLINE_ALL
#include <xxhash.h>

#include <algorithm>

#include "api/remote_write.h"
#include "api/remote_write_internal.h"
#include "fmt/format.h"

namespace strata::api {
namespace {

using rw_internal::DecodedSeries;
using rw_internal::RawSample;

// How far ahead (in series) Ingest's two prefetch stages run: each must
// cover a memory access while the series in between are appended (each takes
// a few hundred nanoseconds).
constexpr size_t kPrefetchSlot = 16;
constexpr size_t kPrefetchSeries = 8;

std::string_view View(const absl::Status& s) { return {s.message().data(), s.message().size()}; }

// Whether head series `s` has exactly `labels` (sorted, no empty values).
// Allocation-free: compares against the head's interned strings, values
// first (they differ between series of a family; names rarely do).
bool SameLabels(const Head& head, const MemSeries& s, std::span<const Label> labels,
                rw_internal::SymbolMemo& names) {
  std::span<const uint32_t> pairs = s.label_pairs();
  if (pairs.size() != labels.size() * 2) return false;
  const SymbolTable& symbols = head.symbols();
  for (size_t i = 0; i < labels.size(); ++i) {
    if (symbols.Lookup(pairs[2 * i + 1]) != labels[i].value ||
        names.Get(symbols, pairs[2 * i]) != labels[i].name) {
      return false;
    }
  }
  return true;
}

// Prometheus 3's ingestion rules for a normalised label set (sorted, empty
// values dropped): non-empty valid UTF-8 names, unique names, valid UTF-8
// values, and a metric name.
absl::Status ValidateSeries(std::span<const Label> labels) {
  bool has_name = false;
  for (size_t i = 0; i < labels.size(); ++i) {
    const Label& l = labels[i];
    if (l.name.empty()) return absl::InvalidArgumentError("invalid label name \"\": empty");
    if (!IsValidUtf8(l.name)) {
      return absl::InvalidArgumentError(
          fmt::format("invalid label name {}: not valid UTF-8", GoQuote(l.name)));
    }
    if (i > 0 && l.name == labels[i - 1].name) {
      return absl::InvalidArgumentError(fmt::format("duplicate label name {}", GoQuote(l.name)));
    }
    if (!IsValidUtf8(l.value)) {
      return absl::InvalidArgumentError(
          fmt::format("invalid UTF-8 in value of label {}", GoQuote(l.name)));
    }
    has_name = has_name || l.name == kMetricNameLabel;
  }
  if (!has_name) return absl::InvalidArgumentError("missing metric name (__name__ label)");
  return absl::OkStatus();
}

std::string_view MetricName(std::span<const Label> labels) {
  for (const Label& l : labels) {
    if (l.name == kMetricNameLabel) return l.value;
  }
  return {};
}

uint64_t MetadataHash(uint8_t type, std::string_view help, std::string_view unit) {
  uint64_t h = XXH3_64bits_withSeed(help.data(), help.size(), type);
  return XXH3_64bits_withSeed(unit.data(), unit.size(), h);
}

// Counts a sample the storage refused. False if `st` is not about the sample
// (the storage itself failed).
bool CountRejected(const absl::Status& st, std::array<uint64_t, 6>* rejected, std::string* first) {
  SampleError e = SampleErrorOf(st);
  if (e == SampleError::kNone) return false;
  ++(*rejected)[static_cast<size_t>(e)];
  if (first->empty()) *first = std::string(View(st));
  return true;
}

// The head series named `name` (any of them), or 0.
SeriesRef FindByMetricName(const Head& head, std::string_view name, PostingsList* scratch) {
  uint32_t name_id, value_id;
  if (!head.symbols().Find(kMetricNameLabel, &name_id) || !head.symbols().Find(name, &value_id)) {
    return 0;
  }
  head.postings().Get(name_id, value_id, scratch);
  return scratch->empty() ? 0 : scratch->back();
}

}  // namespace

// Software pipelining of the fast path's memory accesses, which are random
// (the cache is indexed by hash) and would each stall for a cache miss:
// kPrefetchSlot series ahead, start loading the cache slot; kPrefetchSeries
// ahead, look the (now loaded) slot up and start loading the head series it
// names and its label pairs, which verification reads. Only hints: the
// pointer is never dereferenced here, and IngestSeries looks everything up
// again (cheaply, from cache).
void RemoteWriteHandler::PrefetchAhead(const Scratch& sc, size_t i) const {
  const std::vector<DecodedSeries>& series = sc.request.series;
  if (i + kPrefetchSlot < series.size()) cache_.Prefetch(series[i + kPrefetchSlot].hash);
  SeriesRefCache::Entry e;
  if (i + kPrefetchSeries < series.size() && cache_.Lookup(series[i + kPrefetchSeries].hash, &e)) {
    if (const MemSeries* s = head_->ByRef(e.ref)) {
      // The object, then its label pairs, which follow it.
      const char* p = reinterpret_cast<const char*>(s);
      __builtin_prefetch(p);
      __builtin_prefetch(p + 64);
      __builtin_prefetch(p + 128);
    }
  }
}

// Says what was not written, with counts and the first example of each kind
// (the specification asks for both); empty when everything was.
std::string RemoteWriteHandler::DescribeProblems(const Outcome& out) {
  std::vector<std::string> problems;
  if (out.invalid_series > 0) {
    problems.push_back(fmt::format("{} series rejected for invalid labels, first: {}",
                                   out.invalid_series, out.first_invalid_series));
  }
  uint64_t refused = 0;
  std::string kinds;
  for (SampleError e : {SampleError::kOutOfOrder, SampleError::kDuplicate, SampleError::kTooOld,
                        SampleError::kTooFarInFuture}) {
    uint64_t n = out.rejected[static_cast<size_t>(e)];
    if (n == 0) continue;
    refused += n;
    kinds += fmt::format("{}{}: {}", kinds.empty() ? "" : ", ", SampleErrorName(e), n);
  }
  if (refused > 0) {
    problems.push_back(fmt::format("{} samples rejected ({}), first: {}", refused, kinds,
                                   out.first_rejected_sample));
  }
  if (out.histograms > 0) {
    problems.push_back(fmt::format(
        "native histograms are not supported yet: {} histogram samples dropped", out.histograms));
  }
  if (problems.empty()) return {};
  return fmt::format("{} of {} samples written; {}", out.written, out.samples,
                     fmt::join(problems, "; "));
}

RemoteWriteResponse RemoteWriteHandler::Ingest(Protocol protocol, Scratch& sc) {
  RemoteWriteResponse response;
  response.v2 = protocol == Protocol::kV2;
  if (sc.appender == nullptr) sc.appender = db_->NewAppender();
  sc.pending_metadata.clear();
  sc.family_refs.clear();
  sc.collect_families = !sc.request.metadata.empty();

  Outcome out;
  bool ok = true;
  const bool forced = force_hash_.load(std::memory_order_relaxed);
  for (size_t i = 0; ok && i < sc.request.series.size(); ++i) {
    if (!forced) PrefetchAhead(sc, i);
    ok = IngestSeries(i, sc, &out);
  }
  if (ok && !sc.request.metadata.empty()) ApplyV1Metadata(sc, &out);
  absl::Status commit = ok ? sc.appender->Commit() : out.storage_error;
  if (!ok) sc.appender->Rollback();
  if (!commit.ok()) {
    // Nothing of the request is visible: the sender may retry all of it.
    response.status = absl::IsUnavailable(commit)       ? 503
                      : absl::IsInvalidArgument(commit) ? 400
                                                        : 500;
    response.message = fmt::format("storage error, nothing written: {}", View(commit));
    return response;
  }
  for (const Scratch::PendingMetadata& m : sc.pending_metadata) {
    cache_.SetMetadata(m.hash, m.ref, m.fingerprint);
  }
  RecordOutcome(out);
  response.samples_written = static_cast<int64_t>(out.written);
  response.message = DescribeProblems(out);
  if (!response.message.empty()) response.status = 400;
  return response;
}

void RemoteWriteHandler::RecordOutcome(const Outcome& out) {
  Counters& c = *counters_;
  auto rejected = [&out](SampleError e) { return out.rejected[static_cast<size_t>(e)]; };
  c.Add(kSamplesWritten, out.written);
  c.Add(kRejectedOutOfOrder, rejected(SampleError::kOutOfOrder));
  c.Add(kRejectedDuplicate, rejected(SampleError::kDuplicate));
  c.Add(kRejectedTooOld, rejected(SampleError::kTooOld));
  c.Add(kRejectedTooFarInFuture, rejected(SampleError::kTooFarInFuture));
  c.Add(kRejectedInvalidLabels, rejected(SampleError::kInvalidLabels));
  c.Add(kSeriesInvalidLabels, out.invalid_series);
  c.Add(kHistogramsDropped, out.histograms);
  c.Add(kExemplarsDropped, out.exemplars);
  c.Add(kMetadataApplied, out.metadata_applied);
  c.Add(kMetadataSkipped, out.metadata_skipped);
  c.Add(kCacheHits, out.cache_hits);
  c.Add(kCacheMisses, out.cache_misses);
}

bool RemoteWriteHandler::IngestSeries(size_t index, Scratch& sc, Outcome* out) {
  const DecodedSeries& s = sc.request.series[index];
  SeriesTask task;
  task.series = &s;
  task.labels = sc.request.LabelsOf(s);
  task.samples = sc.request.SamplesOf(s);
  task.hash = force_hash_.load(std::memory_order_relaxed)
                  ? forced_hash_.load(std::memory_order_relaxed)
                  : s.hash;
  out->samples += task.samples.size();
  out->histograms += s.histograms;
  out->exemplars += s.exemplars;

  // Fast path: a cached ref whose head series has exactly these labels.
  if (cache_.Lookup(task.hash, &task.cached)) {
    const MemSeries* series = head_->ByRef(task.cached.ref);
    if (series != nullptr && SameLabels(*head_, *series, task.labels, sc.symbols))
      task.ref = task.cached.ref;
  }
  if (task.ref != 0) {
    ++out->cache_hits;
    if (!AppendCached(task, sc, out)) return false;
  } else {
    ++out->cache_misses;
  }
  // The slow path, also for what is left when the cached series was removed
  // from the head meanwhile.
  if (task.ref == 0 && !AppendUncached(task, sc, out)) return false;
  if (task.ref == 0) return true;

  if (sc.collect_families) sc.family_refs.try_emplace(MetricName(task.labels), task.ref);
  UpdateSeriesMetadata(task, sc, out);
  return true;
}

bool RemoteWriteHandler::AppendCached(SeriesTask& task, Scratch& sc, Outcome* out) {
  for (; task.next < task.samples.size(); ++task.next) {
    const RawSample& sample = task.samples[task.next];
    absl::Status st = sc.appender->AddFast(task.ref, sample.t, sample.v);
    if (st.ok()) {
      ++out->written;
    } else if (absl::IsNotFound(st)) {
      task.ref = 0;  // gone from the head since it was cached
      return true;
    } else if (!CountRejected(st, &out->rejected, &out->first_rejected_sample)) {
      out->storage_error = st;
      return false;
    }
  }
  return true;
}

bool RemoteWriteHandler::AppendUncached(SeriesTask& task, Scratch& sc, Outcome* out) {
  if (absl::Status valid = ValidateSeries(task.labels); !valid.ok()) {
    ++out->invalid_series;
    out->rejected[static_cast<size_t>(SampleError::kInvalidLabels)] +=
        task.samples.size() - task.next;
    if (out->first_invalid_series.empty()) {
      Labels shown =
          Labels::FromUnsorted(std::vector<Label>(task.labels.begin(), task.labels.end()));
      out->first_invalid_series = fmt::format("{}: {}", View(valid), shown.ToString());
    }
    return true;
  }
  // Add finds (or creates) the series from the label set; its ref is cached.
  Labels lset = Labels::FromSorted(task.labels);
  for (; task.next < task.samples.size(); ++task.next) {
    const RawSample& sample = task.samples[task.next];
    absl::Status st;
    if (task.ref == 0) {
      absl::StatusOr<SeriesRef> added = sc.appender->Add(lset, sample.t, sample.v);
      if (added.ok()) {
        task.ref = *added;
        cache_.Insert(task.hash, {task.ref, 0});
        task.cached = {task.ref, 0};
      }
      st = added.status();
    } else {
      st = sc.appender->AddFast(task.ref, sample.t, sample.v);
    }
    if (st.ok()) {
      ++out->written;
    } else if (!CountRejected(st, &out->rejected, &out->first_rejected_sample)) {
      out->storage_error = st;
      return false;
    }
  }
  if (task.ref == 0 && (task.series->has_metadata || sc.collect_families)) {
    // No sample found the series (none, or all refused); metadata still
    // applies to one that exists.
    if (const MemSeries* series = head_->Find(lset, lset.Hash())) task.ref = series->ref();
  }
  return true;
}

void RemoteWriteHandler::UpdateSeriesMetadata(const SeriesTask& task, Scratch& sc, Outcome* out) {
  const DecodedSeries& s = *task.series;
  if (!s.has_metadata || (s.metadata_type == 0 && s.help.empty() && s.unit.empty())) return;
  // 2.0 repeats metadata with every series; write it only when it changed.
  uint32_t fp = SeriesRefCache::MetadataFingerprint(MetadataHash(s.metadata_type, s.help, s.unit));
  if (task.cached.ref == task.ref && task.cached.metadata == fp) return;
  MetricMetadata m{s.metadata_type, std::string(s.unit), std::string(s.help)};
  if (sc.appender->UpdateMetadata(task.ref, m).ok()) {
    ++out->metadata_applied;
    sc.pending_metadata.push_back({task.hash, task.ref, fp});
  } else {
    ++out->metadata_skipped;
  }
}

void RemoteWriteHandler::ApplyV1Metadata(Scratch& sc, Outcome* out) {
  for (const rw_internal::DecodedMetadata& md : sc.request.metadata) {
    SeriesRef ref = 0;
    if (auto it = sc.family_refs.find(md.family); it != sc.family_refs.end()) {
      ref = it->second;
    } else if (!md.family.empty()) {
      ref = FindByMetricName(*head_, md.family, &sc.postings);
    }
    MetricMetadata m{md.type, std::string(md.unit), std::string(md.help)};
    if (ref != 0 && sc.appender->UpdateMetadata(ref, m).ok()) {
      ++out->metadata_applied;
    } else {
      ++out->metadata_skipped;
    }
  }
}

}  // namespace strata::api
