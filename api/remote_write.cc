// RemoteWriteHandler: content negotiation, body decoding, scratch pooling and
// counters. Appending is in remote_write_ingest.cc.
#include "api/remote_write.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "api/remote_write_internal.h"
#include "fmt/format.h"

namespace strata::api {
namespace {

constexpr std::string_view kMediaType = "application/x-protobuf";
constexpr std::string_view kProtoV1 = "prometheus.WriteRequest";
constexpr std::string_view kProtoV2 = "io.prometheus.write.v2.Request";

// Pooled scratches kept at most; more concurrent requests allocate their own.
constexpr size_t kMaxPooled = 32;
// A pooled body buffer larger than this is freed after its request.
constexpr size_t kKeepBodyBytes = 8 << 20;
// Upper bound on RemoteWriteOptions::max_decoded_bytes.
constexpr size_t kMaxDecodedBytes = size_t{1} << 30;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && absl::EqualsIgnoreCase(absl::string_view(a.data(), a.size()),
                                                        absl::string_view(b.data(), b.size()));
}

// Parses Content-Type as RFC 9110 defines it (media type and parameter
// names are case-insensitive; values may be quoted). Unknown parameters are
// ignored; a "proto" parameter must name one of the two messages.
bool NegotiateProtocol(std::string_view content_type, bool* v2, std::string* message) {
  std::string_view rest = content_type;
  size_t semi = rest.find(';');
  std::string_view media = Trim(rest.substr(0, semi));
  if (!EqualsIgnoreCase(media, kMediaType)) {
    *message = content_type.empty()
                   ? fmt::format("missing Content-Type; remote write requires {}", kMediaType)
                   : fmt::format("unsupported Content-Type \"{}\"; remote write requires {}",
                                 content_type, kMediaType);
    return false;
  }
  *v2 = false;
  while (semi != std::string_view::npos) {
    rest.remove_prefix(semi + 1);
    semi = rest.find(';');
    std::string_view param = Trim(rest.substr(0, semi));
    size_t eq = param.find('=');
    if (eq == std::string_view::npos) continue;
    if (!EqualsIgnoreCase(Trim(param.substr(0, eq)), "proto")) continue;
    std::string_view value = Trim(param.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    if (value == kProtoV1) return true;
    if (value == kProtoV2) {
      *v2 = true;
      return true;
    }
    *message = fmt::format("unsupported protobuf message \"{}\"; accepted: {}, {}", value, kProtoV1,
                           kProtoV2);
    return false;
  }
  return true;  // no proto parameter: 1.0
}

RemoteWriteOptions Sanitize(RemoteWriteOptions o) {
  // The decoders count bytes in int (CodedInputStream does).
  o.max_decoded_bytes = std::min(o.max_decoded_bytes, kMaxDecodedBytes);
  return o;
}

}  // namespace

RemoteWriteHandler::RemoteWriteHandler(DB* db, RemoteWriteOptions options)
    : db_(db),
      head_(db->head()),
      options_(Sanitize(options)),
      cache_(options.max_cached_series),
      counters_(std::make_unique<Counters>()) {}

RemoteWriteHandler::~RemoteWriteHandler() = default;

RemoteWriteResponse RemoteWriteHandler::Handle(std::string_view content_type,
                                               std::string_view content_encoding,
                                               std::string_view body) {
  RemoteWriteResponse response;
  bool v2 = false;
  if (!NegotiateProtocol(content_type, &v2, &response.message)) {
    response.status = 415;
    Record(response);
    return response;
  }
  std::string_view encoding = Trim(content_encoding);
  if (!EqualsIgnoreCase(encoding, "snappy")) {
    response.status = 415;
    response.message =
        encoding.empty()
            ? "missing Content-Encoding; remote write requires snappy"
            : fmt::format("unsupported Content-Encoding \"{}\"; remote write requires snappy",
                          encoding);
    Record(response);
    return response;
  }
  response.v2 = v2;
  counters_->Add(v2 ? kRequestsV2 : kRequestsV1, 1);
  counters_->Add(kBytesReceived, body.size());

  std::unique_ptr<Scratch> scratch = AcquireScratch();
  std::string message;
  switch (DecodeSnappyBlock(body, options_.max_decoded_bytes, &scratch->body, &message)) {
    case SnappyResult::kOk:
      break;
    case SnappyResult::kTooLarge:
      response.status = 413;
      response.message = std::move(message);
      break;
    case SnappyResult::kCorrupt:
      response.status = 400;
      response.message = std::move(message);
      break;
  }
  if (response.status == 204) {
    std::string_view decoded = scratch->body.view();
    counters_->Add(kBytesDecoded, decoded.size());
    absl::Status decoded_ok = v2 ? rw_internal::DecodeV2(decoded, &scratch->request)
                                 : rw_internal::DecodeV1(decoded, &scratch->request);
    if (decoded_ok.ok()) {
      // Per request, from the decoded arrays' sizes: nothing per sample.
      counters_->Add(kSamplesReceived, scratch->request.samples.size());
      counters_->Add(kSeriesReceived, scratch->request.series.size());
      response = Ingest(v2 ? Protocol::kV2 : Protocol::kV1, *scratch);
    } else {
      response.status = 400;
      response.message = std::string(decoded_ok.message());
    }
  }
  ReleaseScratch(std::move(scratch));
  Record(response);
  return response;
}

void RemoteWriteHandler::Record(const RemoteWriteResponse& response) {
  switch (response.status) {
    case 204:
      counters_->Add(kRequestsOk, 1);
      break;
    case 413:
      counters_->Add(kRequestsTooLarge, 1);
      break;
    case 415:
      counters_->Add(kRequestsUnsupportedMediaType, 1);
      break;
    default:
      counters_->Add(response.status >= 500 ? kRequestsStorageError : kRequestsBadRequest, 1);
  }
}

std::unique_ptr<RemoteWriteHandler::Scratch> RemoteWriteHandler::AcquireScratch() {
  {
    MutexLock lock(&pool_mu_);
    if (!pool_.empty()) {
      std::unique_ptr<Scratch> s = std::move(pool_.back());
      pool_.pop_back();
      return s;
    }
  }
  return std::make_unique<Scratch>();
}

void RemoteWriteHandler::ReleaseScratch(std::unique_ptr<Scratch> scratch) {
  // Drop views into the body before it may be freed, and memory that only an
  // unusually large request needed.
  scratch->request.Clear();
  scratch->request.ShrinkIfLarge();
  scratch->body.Shrink(kKeepBodyBytes);
  scratch->family_refs.clear();
  if (scratch->family_refs.capacity() > 4096) scratch->family_refs = {};
  if (scratch->postings.capacity() > 4096) PostingsList().swap(scratch->postings);
  MutexLock lock(&pool_mu_);
  if (pool_.size() < kMaxPooled) pool_.push_back(std::move(scratch));
}

RemoteWriteStats RemoteWriteHandler::stats() const {
  const Counters& c = *counters_;
  RemoteWriteStats s;
  s.requests_ok = c.Get(kRequestsOk);
  s.requests_bad_request = c.Get(kRequestsBadRequest);
  s.requests_unsupported_media_type = c.Get(kRequestsUnsupportedMediaType);
  s.requests_too_large = c.Get(kRequestsTooLarge);
  s.requests_storage_error = c.Get(kRequestsStorageError);
  s.requests_v1 = c.Get(kRequestsV1);
  s.requests_v2 = c.Get(kRequestsV2);
  s.samples_written = c.Get(kSamplesWritten);
  s.samples_rejected_out_of_order = c.Get(kRejectedOutOfOrder);
  s.samples_rejected_duplicate = c.Get(kRejectedDuplicate);
  s.samples_rejected_too_old = c.Get(kRejectedTooOld);
  s.samples_rejected_too_far_in_future = c.Get(kRejectedTooFarInFuture);
  s.samples_rejected_invalid_labels = c.Get(kRejectedInvalidLabels);
  s.series_rejected_invalid_labels = c.Get(kSeriesInvalidLabels);
  s.histograms_dropped = c.Get(kHistogramsDropped);
  s.exemplars_dropped = c.Get(kExemplarsDropped);
  s.metadata_applied = c.Get(kMetadataApplied);
  s.metadata_skipped = c.Get(kMetadataSkipped);
  s.bytes_received = c.Get(kBytesReceived);
  s.bytes_decoded = c.Get(kBytesDecoded);
  s.samples_received = c.Get(kSamplesReceived);
  s.series_received = c.Get(kSeriesReceived);
  s.series_cache_hits = c.Get(kCacheHits);
  s.series_cache_misses = c.Get(kCacheMisses);
  s.series_cache_evictions = cache_.evictions();
  return s;
}

void RemoteWriteHandler::ForceSeriesHashForTesting(bool enabled, uint64_t hash) {
  forced_hash_.store(hash, std::memory_order_relaxed);
  force_hash_.store(enabled, std::memory_order_release);
}

}  // namespace strata::api
