// Remote-write request decoding (internal to api/): walks the protobuf wire
// format of a decompressed prometheus.WriteRequest (1.0) or
// io.prometheus.write.v2.Request (2.0) with CodedInputStream into flat,
// reusable arrays, without building message objects or copying strings.
//
// Both decoders produce the same DecodedRequest. For every series:
//   - labels are normalised in place: pairs with an empty value are dropped
//     (Prometheus treats an empty value as an absent label) and the rest are
//     sorted by name, then value (duplicates kept, for validation to find);
//   - `hash` identifies the label set as sent, for SeriesRefCache. 1.0 hashes
//     the encoded Label sub-messages as they appear in the request (one XXH3
//     pass over their bytes when they are contiguous, as every known sender
//     writes them; otherwise Labels::HashSorted of the normalised set); 2.0,
//     whose label references differ from request to
//     request, hashes the hashes of the referenced strings, in the order
//     sent (each distinct string is hashed once per request).
//     Equal label sets may hash differently (e.g. sent in another order);
//     different ones may collide. The cache verifies every hit.
//
// A malformed request (truncated or invalid wire data, a wire type that does
// not match a known field, a 2.0 symbol reference out of range or an odd
// labels_refs count) is an InvalidArgument error naming the place, e.g.
// "timeseries 3: labels_refs[4] = 57 is out of range (54 symbols)".
//
// Lifetime: the string_views in a DecodedRequest point into the decoded body
// (and, for 2.0, into its symbols); the body must outlive their use.
// Thread safety: a DecodedRequest is used by one thread at a time.
#ifndef STRATA_API_REMOTE_WRITE_DECODE_H_
#define STRATA_API_REMOTE_WRITE_DECODE_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "api/wire_reader.h"
#include "tsdb/labels/labels.h"

namespace strata::api::rw_internal {

struct RawSample {
  int64_t t;
  double v;
};

struct DecodedSeries {
  uint64_t hash = 0;
  uint32_t labels_begin = 0, labels_end = 0;    // into DecodedRequest::labels
  uint32_t samples_begin = 0, samples_end = 0;  // into DecodedRequest::samples
  uint32_t histograms = 0;
  uint32_t exemplars = 0;
  // 2.0 only: the series' Metadata message, when present.
  bool has_metadata = false;
  uint8_t metadata_type = 0;  // the remote-write enum (see MetricMetadata)
  std::string_view help, unit;

  // 2.0 decoding scratch: where the series' raw references are.
  uint32_t refs_begin = 0, refs_end = 0;  // into DecodedRequest::refs
  uint32_t help_ref = 0, unit_ref = 0;
  uint32_t max_exemplar_ref = 0;
};

// A 1.0 MetricMetadata entry.
struct DecodedMetadata {
  uint8_t type = 0;
  std::string_view family, help, unit;
};

struct DecodedRequest {
  std::vector<Label> labels;
  std::vector<RawSample> samples;
  std::vector<DecodedSeries> series;
  std::vector<DecodedMetadata> metadata;  // 1.0 only
  // 2.0 scratch.
  std::vector<std::string_view> symbols;
  std::vector<uint32_t> refs;
  std::vector<uint32_t> exemplar_refs;
  std::vector<uint64_t> symbol_hashes;

  std::span<const Label> LabelsOf(const DecodedSeries& s) const {
    return {labels.data() + s.labels_begin, s.labels_end - s.labels_begin};
  }
  std::span<const RawSample> SamplesOf(const DecodedSeries& s) const {
    return {samples.data() + s.samples_begin, s.samples_end - s.samples_begin};
  }
  // Empties every array, keeping capacity.
  void Clear();
  // Releases arrays that grew beyond what a typical request needs.
  void ShrinkIfLarge();
};

// Decodes a prometheus.WriteRequest from `body` into `*out` (cleared first).
absl::Status DecodeV1(std::string_view body, DecodedRequest* out);
// Decodes an io.prometheus.write.v2.Request from `body` into `*out`.
absl::Status DecodeV2(std::string_view body, DecodedRequest* out);

// Drops the empty-valued pairs of labels[begin, labels.size()) and sorts the
// rest; returns the new end. Allocation-free.
uint32_t NormalizeTail(std::vector<Label>* labels, uint32_t begin);

// --- Shared by the 1.0 and 2.0 decoders. ---

// InvalidArgument "malformed request: <what>".
absl::Status Malformed(std::string_view what);

// Handles a field the parser did not expect: false (and *err set) when its
// number is one of `known` (a bit mask of field numbers below 32) with another
// wire type, or when it does not parse; otherwise skips it. Not inlined: rare.
bool SkipUnexpected(WireReader& r, uint32_t tag, uint32_t known, std::string* err);

// Reads a Sample sub-message. The 1.0 and 2.0 messages agree on value (1) and
// timestamp (2); 2.0's start_timestamp (3) is not stored and is skipped.
inline bool ReadSample(WireReader& r, RawSample* s, std::string* err) {
  WireReader::Frame frame;
  if (!r.Enter(&frame)) {
    *err = "truncated";
    return false;
  }
  s->t = 0;
  s->v = 0;
  while (uint32_t tag = r.ReadTag()) {
    bool ok;
    switch (tag) {
      case WireTag(1, kFixed64):
        ok = r.ReadDouble(&s->v);
        break;
      case WireTag(2, kVarint):
        ok = r.ReadInt64(&s->t);
        break;
      default:
        if (!SkipUnexpected(r, tag, 1u << 1 | 1u << 2, err)) return false;
        continue;
    }
    if (!ok) {
      *err = "truncated";
      return false;
    }
  }
  if (!r.AtEnd()) {
    *err = "invalid tag, or a field overruns the message";
    return false;
  }
  r.Leave(frame);
  return true;
}

// Skips a sub-message the decoders only count (exemplars, histograms),
// checking that it is well formed.
bool SkipMessage(WireReader& r, std::string* err);

}  // namespace strata::api::rw_internal

#endif  // STRATA_API_REMOTE_WRITE_DECODE_H_
