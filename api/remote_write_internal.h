// RemoteWriteHandler's private types, shared by remote_write.cc (protocol
// negotiation, pooling, counters) and remote_write_ingest.cc (appending).
#ifndef STRATA_API_REMOTE_WRITE_INTERNAL_H_
#define STRATA_API_REMOTE_WRITE_INTERNAL_H_

#include <array>
#include <atomic>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "api/remote_write.h"
#include "api/remote_write_decode.h"
#include "api/snappy_body.h"
#include "tsdb/head/postings.h"
#include "tsdb/labels/symbol_table.h"

namespace strata::api {

namespace rw_internal {

// Head symbols by id, direct-mapped: label names repeat in nearly every
// series, so most of the name lookups that verifying a cache hit needs are
// served here instead of by the symbol table. The views stay valid as long as
// the head (symbols are never freed).
class SymbolMemo {
 public:
  std::string_view Get(const SymbolTable& symbols, uint32_t id) {
    Entry& e = entries_[id & (kSize - 1)];
    if (e.id != id) e = {id, symbols.Lookup(id)};
    return e.s;
  }

 private:
  static constexpr size_t kSize = 256;
  struct Entry {
    uint32_t id = UINT32_MAX;
    std::string_view s;
  };
  std::array<Entry, kSize> entries_;
};

}  // namespace rw_internal

// Per-request buffers, pooled by the handler so steady-state requests reuse
// their capacity (and their appender) instead of allocating.
struct RemoteWriteHandler::Scratch {
  DecodedBuffer body;
  rw_internal::DecodedRequest request;
  std::unique_ptr<Appender> appender;
  // Metadata fingerprints to record in the cache once the commit succeeded.
  struct PendingMetadata {
    uint64_t hash;
    SeriesRef ref;
    uint32_t fingerprint;
  };
  std::vector<PendingMetadata> pending_metadata;
  // 1.0 metadata: a series ref per metric name seen in this request.
  bool collect_families = false;
  absl::flat_hash_map<std::string_view, SeriesRef> family_refs;
  PostingsList postings;
  // Head symbols recently resolved while verifying cache hits (see
  // SymbolMemo).
  rw_internal::SymbolMemo symbols;
};

// Counter indexes; stats() maps them to RemoteWriteStats fields.
enum RemoteWriteCounter : int {
  kRequestsOk,
  kRequestsBadRequest,
  kRequestsUnsupportedMediaType,
  kRequestsTooLarge,
  kRequestsStorageError,
  kRequestsV1,
  kRequestsV2,
  kSamplesWritten,
  kRejectedOutOfOrder,
  kRejectedDuplicate,
  kRejectedTooOld,
  kRejectedTooFarInFuture,
  kRejectedInvalidLabels,
  kSeriesInvalidLabels,
  kHistogramsDropped,
  kExemplarsDropped,
  kMetadataApplied,
  kMetadataSkipped,
  kBytesReceived,
  kBytesDecoded,
  kSamplesReceived,
  kSeriesReceived,
  kCacheHits,
  kCacheMisses,
  kNumCounters,
};

struct RemoteWriteHandler::Counters {
  std::array<std::atomic<uint64_t>, kNumCounters> values{};
  void Add(RemoteWriteCounter c, uint64_t n) {
    if (n != 0) values[c].fetch_add(n, std::memory_order_relaxed);
  }
  uint64_t Get(RemoteWriteCounter c) const { return values[c].load(std::memory_order_relaxed); }
};

// What ingesting one request did, accumulated series by series.
struct RemoteWriteHandler::Outcome {
  uint64_t samples = 0;  // in the request
  uint64_t written = 0;
  std::array<uint64_t, 6> rejected{};  // by SampleError
  uint64_t invalid_series = 0;
  uint64_t histograms = 0;
  uint64_t exemplars = 0;
  uint64_t metadata_applied = 0;
  uint64_t metadata_skipped = 0;
  uint64_t cache_hits = 0;
  uint64_t cache_misses = 0;
  std::string first_invalid_series;
  std::string first_rejected_sample;
  // A failure that is not about one sample (the storage is broken): the
  // request is rolled back.
  absl::Status storage_error;
};

// One series of the request being ingested.
struct RemoteWriteHandler::SeriesTask {
  const rw_internal::DecodedSeries* series = nullptr;
  std::span<const Label> labels;  // normalised
  std::span<const rw_internal::RawSample> samples;
  uint64_t hash;                 // the cache key
  size_t next = 0;               // first sample not yet appended
  SeriesRef ref = 0;             // the head series, once known
  SeriesRefCache::Entry cached;  // what the cache held for `hash` ({} if nothing)
};

}  // namespace strata::api

#endif  // STRATA_API_REMOTE_WRITE_INTERNAL_H_
