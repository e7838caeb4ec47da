// The read and write interfaces between storage and its users (PromQL, the
// HTTP API, tools). Head, blocks (later) and the DB facade implement them.
//
// Iterator protocol, used by every iterator in Strata:
//   Next()     advance; false at the end or on error.
//   Seek(t)    advance to the first element >= t; never moves backwards.
//   At…()      the current element; valid after Next/Seek returned true.
//   status()   ok unless iteration stopped because of an error.
#ifndef STRATA_TSDB_STORAGE_H_
#define STRATA_TSDB_STORAGE_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tsdb/base/timed_value.h"
#include "tsdb/labels/labels.h"
#include "tsdb/labels/matcher.h"

namespace strata {

// A head series reference: dense, assigned in creation order, never reused
// during a process lifetime, persisted in the WAL.
using SeriesRef = uint64_t;

// Iterates over one series' float samples in time order.
class SampleIterator {
 public:
  virtual ~SampleIterator() = default;
  virtual bool Next() = 0;
  virtual bool Seek(int64_t t) = 0;
  virtual int64_t t() const = 0;
  virtual double v() const = 0;
  virtual absl::Status status() const = 0;

  // Batch read, for callers that take every sample of a time range (PromQL
  // selectors): copies the current sample and the ones after it, as long as
  // their timestamps are <= maxt, into out[0, n) with n <= cap, and returns
  // n. Afterwards *positioned tells whether the iterator is at a sample (the
  // first one not copied: its timestamp is > maxt or the batch was full);
  // false means the end was reached or an error stopped it (see status()).
  // Equivalent to the loop `while (n < cap && t() <= maxt) { out[n++] =
  // {t(), v()}; if (!Next()) break; }`, which is the default; iterators
  // that decode whole runs override it to skip a virtual call per sample.
  // REQUIRES: the last Next or Seek (or ReadBatch, through *positioned)
  // left the iterator at a sample; cap > 0.
  virtual size_t ReadBatch(int64_t maxt, TimedValue* out, size_t cap, bool* positioned) {
    return ReadBatchByNext(*this, maxt, out, cap, positioned);
  }
};

// Iterates over series sorted by labels (Compare order).
class SeriesSet {
 public:
  virtual ~SeriesSet() = default;
  virtual bool Next() = 0;
  // The current series' labels; valid until the next call to Next.
  virtual const Labels& labels() const = 0;
  // A fresh iterator over the current series' samples within the querier's
  // [mint, maxt]. It stays valid after Next() moves on, for as long as the
  // Querier lives.
  virtual std::unique_ptr<SampleIterator> Iterator() const = 0;
  virtual absl::Status status() const = 0;
};

// A consistent-enough read view over [mint, maxt] (inclusive, milliseconds).
// Samples committed after the querier was created may or may not be seen.
//
// Thread safety: one thread at a time. Lifetime: SeriesSets and iterators
// must not outlive their Querier.
class Querier {
 public:
  virtual ~Querier() = default;
  // Series with at least one matching... every series matching all of
  // `matchers` (ANDed) that has samples in [mint, maxt]. At least one matcher
  // should select a non-empty value, as in Prometheus; an empty matcher list
  // selects every series.
  virtual std::unique_ptr<SeriesSet> Select(std::span<const Matcher> matchers) = 0;
  // Sorted distinct values of label `name` among series matching `matchers`
  // (all series if empty).
  virtual absl::StatusOr<std::vector<std::string>> LabelValues(
      std::string_view name, std::span<const Matcher> matchers) = 0;
  // Sorted distinct label names among series matching `matchers`.
  virtual absl::StatusOr<std::vector<std::string>> LabelNames(
      std::span<const Matcher> matchers) = 0;
};

// Metric metadata as remote write carries it. `type` uses the remote-write
// enum: 0 unknown, 1 counter, 2 gauge, 3 histogram, 4 gaugehistogram,
// 5 summary, 6 info, 7 stateset.
struct MetricMetadata {
  uint8_t type = 0;
  std::string unit;
  std::string help;
  friend bool operator==(const MetricMetadata&, const MetricMetadata&) = default;
};

// Why a sample was refused. Carried as a payload on the absl::Status that
// Appender::Add returns (see SampleErrorOf).
enum class SampleError : uint8_t {
  kNone = 0,
  kOutOfOrder,      // t before the series' newest sample
  kDuplicate,       // same t as the newest sample, different value
  kTooOld,          // before the head's minimum valid time
  kTooFarInFuture,  // more than the allowed skew ahead of the clock
  kInvalidLabels,   // empty/duplicate names, invalid UTF-8, no labels
};

std::string_view SampleErrorName(SampleError e);
// InvalidArgument status for `e`, naming the series, with the kind attached.
absl::Status MakeSampleError(SampleError e, std::string_view detail);
// The kind attached by MakeSampleError, or kNone.
SampleError SampleErrorOf(const absl::Status& s);

// Collects samples and writes them atomically on Commit: the WAL record is
// written (and, by default, fsynced) before any sample becomes visible.
//
// Thread safety: one thread at a time; use one Appender per request.
class Appender {
 public:
  virtual ~Appender() = default;
  // Queues a sample for the series with `labels` (sorted; see
  // Labels::FromUnsorted). Returns the series' ref, which later calls may
  // pass to AddFast. A refused sample returns a status for which
  // SampleErrorOf() != kNone; the rest of the batch is unaffected.
  virtual absl::StatusOr<SeriesRef> Add(const Labels& labels, int64_t t, double v) = 0;
  // Like Add for a ref returned earlier by Add on this DB. NotFound if the
  // ref is unknown.
  virtual absl::Status AddFast(SeriesRef ref, int64_t t, double v) = 0;
  // Records metadata for the metric family of series `ref` (a ref returned by
  // Add), written to the WAL and applied with the next Commit. The latest
  // metadata per metric name wins.
  virtual absl::Status UpdateMetadata(SeriesRef ref, const MetricMetadata& metadata) = 0;
  // Writes the queued samples to the WAL, then makes them visible. On error
  // nothing is applied and the appender is empty again; the error says why
  // (ResourceExhausted for disk full, Internal/Unavailable for I/O errors).
  virtual absl::Status Commit() = 0;
  // Drops the queued samples.
  virtual void Rollback() = 0;
  // Samples queued since the last Commit/Rollback.
  virtual size_t pending() const = 0;
};

}  // namespace strata

#endif  // STRATA_TSDB_STORAGE_H_
