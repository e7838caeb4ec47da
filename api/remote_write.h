// Prometheus remote write 1.0 and 2.0 ingestion, independent of the HTTP
// transport: the server passes a POST's Content-Type, Content-Encoding and
// body to RemoteWriteHandler::Handle and turns the result into a response.
//
//   RemoteWriteHandler rw(db, {});
//   RemoteWriteResponse r = rw.Handle(req.get_header_value("Content-Type"),
//                                     req.get_header_value("Content-Encoding"), req.body);
//   res.status = r.status;
//   if (r.v2) { set X-Prometheus-Remote-Write-{Samples,Histograms,Exemplars}-Written }
//   if (!r.message.empty()) res.set_content(r.message, "text/plain; charset=utf-8");
//
// Protocol (https://prometheus.io/docs/specs/prw/remote_write_spec/ and
// remote_write_spec_2_0/):
//   - Content-Type "application/x-protobuf" or with ";proto=prometheus.WriteRequest"
//     selects 1.0; ";proto=io.prometheus.write.v2.Request" selects 2.0. Anything
//     else, a missing header included, is 415 Unsupported Media Type.
//   - Content-Encoding must be "snappy" (block format); anything else, a
//     missing header included, is 415. A framed-format or corrupt body is 400.
//   - A body whose declared decoded size exceeds max_decoded_bytes is 413,
//     refused before anything is allocated.
//   - Malformed protobuf, a 2.0 symbol reference out of range or an odd
//     labels_refs count: 400, nothing written.
//   - Labels: pairs with an empty value are dropped; unsorted pairs are
//     sorted. A series with an empty or duplicate label name, invalid UTF-8 or
//     no __name__ is rejected; samples the storage refuses (out of order,
//     duplicate timestamp with another value, too old, too far in the future)
//     are rejected. Everything else in the request is written, then the
//     answer is 400 naming the counts and the first problem of each kind, so
//     the sender drops the request rather than retrying it forever.
//   - Native histograms are not stored yet: they are counted, the request's
//     float samples are written, and the answer is 400 saying so. Exemplars
//     are accepted and dropped (Exemplars-Written: 0).
//   - Metadata: 1.0's per-family entries are applied to a series of that
//     family in the request or the head (skipped when there is none); 2.0's
//     per-series metadata is applied when it changed.
//   - A storage failure at commit (disk full, I/O error) is 500 (503 when
//     the storage says Unavailable) and nothing from the request is written,
//     so the sender's retry is safe. Success is 204 with an empty body.
//
// The ingestion fast path: most series were seen in earlier requests. Each
// series' labels are hashed as they appear in the request and looked up in a
// bounded SeriesRefCache; a hit is verified against the head's copy of the
// labels (no allocation) and appended by ref. Only misses build, validate and
// look up a label set. Request buffers and appenders are pooled, so steady
// state ingestion allocates nothing per sample.
//
// Thread safety: Handle and stats may be called concurrently from any number
// of threads. Lifetime: `db` must outlive the handler (it pools appenders of
// `db`).
#ifndef STRATA_API_REMOTE_WRITE_H_
#define STRATA_API_REMOTE_WRITE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/series_ref_cache.h"
#include "tsdb/base/mutex.h"
#include "tsdb/db.h"

namespace strata::api {

struct RemoteWriteOptions {
  // Largest decoded (uncompressed) request body accepted; larger is 413.
  // Capped at 1 GiB.
  size_t max_decoded_bytes = 32 << 20;
  // Bound on the series-ref cache (20-40 bytes per entry). Series beyond
  // it still ingest correctly, through the slower label-set lookup.
  size_t max_cached_series = 4 << 20;
};

struct RemoteWriteResponse {
  int status = 204;     // HTTP status
  std::string message;  // body for errors (plain text), empty on success
  // True once the request negotiated remote write 2.0: the server must then
  // send X-Prometheus-Remote-Write-{Samples,Histograms,Exemplars}-Written
  // with the counts below, whatever the status.
  bool v2 = false;
  int64_t samples_written = 0, histograms_written = 0, exemplars_written = 0;
};

// Counters since the handler was created; monotonically increasing.
struct RemoteWriteStats {
  // Requests by outcome.
  uint64_t requests_ok = 0;                      // 204
  uint64_t requests_bad_request = 0;             // 400 (malformed or partly rejected)
  uint64_t requests_unsupported_media_type = 0;  // 415
  uint64_t requests_too_large = 0;               // 413
  uint64_t requests_storage_error = 0;           // 5xx
  // Requests by protocol (after content negotiation).
  uint64_t requests_v1 = 0;
  uint64_t requests_v2 = 0;

  uint64_t samples_written = 0;
  uint64_t samples_rejected_out_of_order = 0;
  uint64_t samples_rejected_duplicate = 0;
  uint64_t samples_rejected_too_old = 0;
  uint64_t samples_rejected_too_far_in_future = 0;
  uint64_t samples_rejected_invalid_labels = 0;  // samples of rejected series
  uint64_t series_rejected_invalid_labels = 0;
  uint64_t histograms_dropped = 0;  // native histograms: not supported yet
  uint64_t exemplars_dropped = 0;   // exemplars: not stored yet
  uint64_t metadata_applied = 0;
  uint64_t metadata_skipped = 0;  // no series of the family known

  uint64_t bytes_received = 0;  // compressed body bytes of negotiated requests
  uint64_t bytes_decoded = 0;   // decompressed bytes
  // Float samples and series in requests that decoded, before validation:
  // what senders offered, whether it was written or rejected afterwards.
  uint64_t samples_received = 0;
  uint64_t series_received = 0;

  uint64_t series_cache_hits = 0;
  uint64_t series_cache_misses = 0;
  uint64_t series_cache_evictions = 0;  // shard clears
};

class RemoteWriteHandler {
 public:
  // `db` is not owned and must outlive the handler.
  RemoteWriteHandler(DB* db, RemoteWriteOptions options);
  ~RemoteWriteHandler();
  RemoteWriteHandler(const RemoteWriteHandler&) = delete;
  RemoteWriteHandler& operator=(const RemoteWriteHandler&) = delete;

  // Decodes and ingests one request; see the file comment for the protocol.
  // Header values are passed as received (case and surrounding whitespace
  // do not matter); empty means the header was absent.
  RemoteWriteResponse Handle(std::string_view content_type, std::string_view content_encoding,
                             std::string_view body);

  RemoteWriteStats stats() const;

  // For tests: when enabled, every series hashes to `hash`, so each cache hit
  // names another series and must be caught by the label check.
  void ForceSeriesHashForTesting(bool enabled, uint64_t hash = 0);

 private:
  // Defined in remote_write_internal.h.
  struct Scratch;
  struct Counters;
  struct Outcome;
  struct SeriesTask;
  enum class Protocol { kV1, kV2 };

  std::unique_ptr<Scratch> AcquireScratch();
  void ReleaseScratch(std::unique_ptr<Scratch> scratch);
  // Appends the decoded request in `scratch` and commits. The steps return
  // false on a storage failure (the request is then rolled back).
  RemoteWriteResponse Ingest(Protocol protocol, Scratch& scratch);
  bool IngestSeries(size_t index, Scratch& scratch, Outcome* out);
  // Starts loading what IngestSeries will read for the series after index.
  void PrefetchAhead(const Scratch& scratch, size_t index) const;
  bool AppendCached(SeriesTask& task, Scratch& scratch, Outcome* out);
  bool AppendUncached(SeriesTask& task, Scratch& scratch, Outcome* out);
  void UpdateSeriesMetadata(const SeriesTask& task, Scratch& scratch, Outcome* out);
  void ApplyV1Metadata(Scratch& scratch, Outcome* out);
  void RecordOutcome(const Outcome& out);
  static std::string DescribeProblems(const Outcome& out);
  void Record(const RemoteWriteResponse& response);

  DB* const db_;
  Head* const head_;
  const RemoteWriteOptions options_;
  SeriesRefCache cache_;
  std::unique_ptr<Counters> counters_;
  std::atomic<bool> force_hash_{false};
  std::atomic<uint64_t> forced_hash_{0};

  Mutex pool_mu_;
  std::vector<std::unique_ptr<Scratch>> pool_ ABSL_GUARDED_BY(pool_mu_);
};

}  // namespace strata::api

#endif  // STRATA_API_REMOTE_WRITE_H_
