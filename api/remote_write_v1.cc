// Decoder for remote write 1.0's prometheus.WriteRequest (see
// remote_write_decode.h and api/proto/remote_write_v1.proto):
//
//   WriteRequest   { TimeSeries timeseries = 1; MetricMetadata metadata = 3; }
//   TimeSeries     { Label labels = 1; Sample samples = 2; Exemplar exemplars = 3;
//                    Histogram histograms = 4; }
//   Label          { string name = 1; string value = 2; }
//   MetricMetadata { type = 1; metric_family_name = 2; help = 4; unit = 5; }
// Inlined XXH3: the inputs are short, and a call into the shared library
// costs as much as hashing them.
#define XXH_INLINE_ALL
#include <xxhash.h>

#include "api/remote_write_decode.h"
#include "fmt/format.h"
#include "tsdb/base/status_macros.h"

namespace strata::api::rw_internal {
namespace {

constexpr uint32_t Bits(std::initializer_list<int> fields) {
  uint32_t m = 0;
  for (int f : fields) m |= 1u << f;
  return m;
}

bool ReadLabel(WireReader& r, Label* l, std::string* err) {
  WireReader::Frame frame;
  if (!r.Enter(&frame)) {
    *err = "truncated";
    return false;
  }
  *l = Label{};
  while (uint32_t tag = r.ReadTag()) {
    bool ok;
    switch (tag) {
      case WireTag(1, kLengthDelimited):
        ok = r.ReadBytes(&l->name);
        break;
      case WireTag(2, kLengthDelimited):
        ok = r.ReadBytes(&l->value);
        break;
      default:
        if (!SkipUnexpected(r, tag, Bits({1, 2}), err)) return false;
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

absl::Status DecodeSeries(WireReader& r, uint32_t index, DecodedRequest* out) {
  std::string err;
  WireReader::Frame frame;
  if (!r.Enter(&frame)) return Malformed(fmt::format("timeseries {}: truncated", index));
  DecodedSeries s;
  s.labels_begin = static_cast<uint32_t>(out->labels.size());
  s.samples_begin = static_cast<uint32_t>(out->samples.size());
  // The byte range of the Label fields, for hashing them as sent.
  int labels_start = -1, labels_end = -1;
  bool contiguous = true;
  for (;;) {
    int field_start = r.position();
    uint32_t tag = r.ReadTag();
    if (tag == 0) break;
    switch (tag) {
      case WireTag(1, kLengthDelimited): {
        Label l;
        if (!ReadLabel(r, &l, &err)) {
          return Malformed(fmt::format("timeseries {}: label {}: {}", index,
                                       out->labels.size() - s.labels_begin, err));
        }
        if (labels_start < 0) {
          labels_start = field_start;
        } else if (labels_end != field_start) {
          contiguous = false;
        }
        labels_end = r.position();
        out->labels.push_back(l);
        break;
      }
      case WireTag(2, kLengthDelimited): {
        RawSample sample;
        if (!ReadSample(r, &sample, &err)) {
          return Malformed(fmt::format("timeseries {}: sample {}: {}", index,
                                       out->samples.size() - s.samples_begin, err));
        }
        out->samples.push_back(sample);
        break;
      }
      case WireTag(3, kLengthDelimited):
        if (!SkipMessage(r, &err)) {
          return Malformed(fmt::format("timeseries {}: exemplar: {}", index, err));
        }
        ++s.exemplars;
        break;
      case WireTag(4, kLengthDelimited):
        if (!SkipMessage(r, &err)) {
          return Malformed(fmt::format("timeseries {}: histogram: {}", index, err));
        }
        ++s.histograms;
        break;
      default:
        if (!SkipUnexpected(r, tag, Bits({1, 2, 3, 4}), &err)) {
          return Malformed(fmt::format("timeseries {}: {}", index, err));
        }
    }
  }
  if (!r.AtEnd()) {
    return Malformed(
        fmt::format("timeseries {}: invalid tag, or a field overruns the message", index));
  }
  r.Leave(frame);

  s.labels_end = NormalizeTail(&out->labels, s.labels_begin);
  s.samples_end = static_cast<uint32_t>(out->samples.size());
  if (contiguous) {
    // The common case: one pass over the label bytes as sent.
    s.hash = labels_start < 0 ? XXH3_64bits(nullptr, 0)
                              : XXH3_64bits(r.base() + labels_start,
                                            static_cast<size_t>(labels_end - labels_start));
  } else {
    s.hash = Labels::HashSorted(out->LabelsOf(s));
  }
  out->series.push_back(s);
  return absl::OkStatus();
}

absl::Status DecodeMetadata(WireReader& r, uint32_t index, DecodedRequest* out) {
  std::string err;
  WireReader::Frame frame;
  if (!r.Enter(&frame)) return Malformed(fmt::format("metadata {}: truncated", index));
  DecodedMetadata m;
  while (uint32_t tag = r.ReadTag()) {
    bool ok;
    switch (tag) {
      case WireTag(1, kVarint): {
        uint32_t type;
        ok = r.ReadVarint32(&type);
        // Unknown (future) types are stored as "unknown".
        m.type = type <= 7 ? static_cast<uint8_t>(type) : 0;
        break;
      }
      case WireTag(2, kLengthDelimited):
        ok = r.ReadBytes(&m.family);
        break;
      case WireTag(4, kLengthDelimited):
        ok = r.ReadBytes(&m.help);
        break;
      case WireTag(5, kLengthDelimited):
        ok = r.ReadBytes(&m.unit);
        break;
      default:
        if (!SkipUnexpected(r, tag, Bits({1, 2, 4, 5}), &err)) {
          return Malformed(fmt::format("metadata {}: {}", index, err));
        }
        continue;
    }
    if (!ok) return Malformed(fmt::format("metadata {}: truncated", index));
  }
  if (!r.AtEnd()) {
    return Malformed(
        fmt::format("metadata {}: invalid tag, or a field overruns the message", index));
  }
  r.Leave(frame);
  out->metadata.push_back(m);
  return absl::OkStatus();
}

}  // namespace

absl::Status DecodeV1(std::string_view body, DecodedRequest* out) {
  out->Clear();
  WireReader r(body);
  uint32_t series = 0, metadata = 0;
  std::string err;
  while (uint32_t tag = r.ReadTag()) {
    switch (tag) {
      case WireTag(1, kLengthDelimited):
        RETURN_IF_ERROR(DecodeSeries(r, series++, out));
        break;
      case WireTag(3, kLengthDelimited):
        RETURN_IF_ERROR(DecodeMetadata(r, metadata++, out));
        break;
      default:
        if (!SkipUnexpected(r, tag, Bits({1, 3}), &err)) return Malformed(err);
    }
  }
  if (!r.AtEnd()) return Malformed("invalid tag, or a field overruns the message");
  return absl::OkStatus();
}

}  // namespace strata::api::rw_internal
