// Decoder for remote write 2.0's io.prometheus.write.v2.Request (see
// remote_write_decode.h and api/proto/remote_write_v2.proto):
//
//   Request    { string symbols = 4; TimeSeries timeseries = 5; }   (1-3 reserved)
//   TimeSeries { uint32 labels_refs = 1 (packed); Sample samples = 2;
//                Histogram histograms = 3; Exemplar exemplars = 4;
//                Metadata metadata = 5; int64 created_timestamp = 6 (pre-rc.4) }
//   Sample     { double value = 1; int64 timestamp = 2; int64 start_timestamp = 3 }
//   Exemplar   { uint32 labels_refs = 1; double value = 2; int64 timestamp = 3; }
//   Metadata   { MetricType type = 1; uint32 help_ref = 3; uint32 unit_ref = 4; }
//
// Symbols may come after the series that reference them (protobuf does not
// fix field order), so series keep raw references while the request is
// walked, and Resolve() turns them into strings once every symbol is known.
// Inlined XXH3: the inputs are short, and a call into the shared library
// costs as much as hashing them.
#define XXH_INLINE_ALL
#include <xxhash.h>

#include <algorithm>
#include <span>

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

// Appends a repeated uint32 field's values, packed (the proto3 default) or
// not (parsers must accept both). Returns the number read, or -1 if malformed.
int ReadRefs(WireReader& r, uint32_t tag, std::vector<uint32_t>* refs, uint32_t* max_ref) {
  uint32_t v;
  if (tag == WireTag(1, kVarint)) {
    if (!r.ReadVarint32(&v)) return -1;
    refs->push_back(v);
    *max_ref = std::max(*max_ref, v);
    return 1;
  }
  WireReader::Frame frame;
  if (!r.Enter(&frame)) return -1;
  int n = 0;
  while (r.remaining() > 0) {
    if (!r.ReadVarint32(&v)) return -1;
    refs->push_back(v);
    *max_ref = std::max(*max_ref, v);
    ++n;
  }
  if (r.remaining() != 0) return -1;  // the last varint overran the field
  r.Leave(frame);
  return n;
}

// Checks an Exemplar's references (it is otherwise only counted).
bool ReadExemplar(WireReader& r, std::vector<uint32_t>* scratch, uint32_t* max_ref,
                  std::string* err) {
  WireReader::Frame frame;
  if (!r.Enter(&frame)) {
    *err = "truncated";
    return false;
  }
  size_t begin = scratch->size();
  while (uint32_t tag = r.ReadTag()) {
    if (tag == WireTag(1, kLengthDelimited) || tag == WireTag(1, kVarint)) {
      if (ReadRefs(r, tag, scratch, max_ref) < 0) {
        *err = "labels_refs: truncated";
        return false;
      }
    } else if (!SkipUnexpected(r, tag, Bits({1}), err)) {
      return false;
    }
  }
  if (!r.AtEnd()) {
    *err = "invalid tag, or a field overruns the message";
    return false;
  }
  r.Leave(frame);
  bool odd = (scratch->size() - begin) % 2 != 0;
  scratch->resize(begin);
  if (odd) {
    *err = "odd number of labels_refs";
    return false;
  }
  return true;
}

bool ReadMetadata(WireReader& r, DecodedSeries* s, std::string* err) {
  WireReader::Frame frame;
  if (!r.Enter(&frame)) {
    *err = "truncated";
    return false;
  }
  s->has_metadata = true;
  while (uint32_t tag = r.ReadTag()) {
    uint32_t v = 0;
    switch (tag) {
      case WireTag(1, kVarint):
      case WireTag(3, kVarint):
      case WireTag(4, kVarint):
        if (!r.ReadVarint32(&v)) {
          *err = "truncated";
          return false;
        }
        break;
      default:
        if (!SkipUnexpected(r, tag, Bits({1, 3, 4}), err)) return false;
        continue;
    }
    if (tag == WireTag(1, kVarint)) s->metadata_type = v <= 7 ? static_cast<uint8_t>(v) : 0;
    if (tag == WireTag(3, kVarint)) s->help_ref = v;
    if (tag == WireTag(4, kVarint)) s->unit_ref = v;
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
  s.refs_begin = static_cast<uint32_t>(out->refs.size());
  s.samples_begin = static_cast<uint32_t>(out->samples.size());
  uint32_t unused_max = 0;
  while (uint32_t tag = r.ReadTag()) {
    switch (tag) {
      case WireTag(1, kLengthDelimited):
      case WireTag(1, kVarint):
        if (ReadRefs(r, tag, &out->refs, &unused_max) < 0) {
          return Malformed(fmt::format("timeseries {}: labels_refs: truncated", index));
        }
        break;
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
          return Malformed(fmt::format("timeseries {}: histogram: {}", index, err));
        }
        ++s.histograms;
        break;
      case WireTag(4, kLengthDelimited):
        if (!ReadExemplar(r, &out->exemplar_refs, &s.max_exemplar_ref, &err)) {
          return Malformed(fmt::format("timeseries {}: exemplar {}: {}", index, s.exemplars, err));
        }
        ++s.exemplars;
        break;
      case WireTag(5, kLengthDelimited):
        if (!ReadMetadata(r, &s, &err)) {
          return Malformed(fmt::format("timeseries {}: metadata: {}", index, err));
        }
        break;
      default:
        // Includes created_timestamp (6), which Strata does not store.
        if (!SkipUnexpected(r, tag, Bits({1, 2, 3, 4, 5}), &err)) {
          return Malformed(fmt::format("timeseries {}: {}", index, err));
        }
    }
  }
  if (!r.AtEnd()) {
    return Malformed(
        fmt::format("timeseries {}: invalid tag, or a field overruns the message", index));
  }
  r.Leave(frame);
  s.refs_end = static_cast<uint32_t>(out->refs.size());
  s.samples_end = static_cast<uint32_t>(out->samples.size());
  out->series.push_back(s);
  return absl::OkStatus();
}

// The cache key of a series: XXH3 over the hashes of its name and value
// symbols, in the order sent. Each distinct symbol is hashed once per request
// (Prometheus dedupes them: ~1 per series), so a series costs one pass over
// 16 bytes per label instead of over its strings.
uint64_t SeriesHash(std::span<const uint32_t> refs, const std::vector<uint64_t>& symbol_hashes) {
  constexpr size_t kStack = 64;  // refs hashed in one shot; more are streamed
  uint64_t buf[kStack];
  if (refs.size() <= kStack) {
    for (size_t i = 0; i < refs.size(); ++i) buf[i] = symbol_hashes[refs[i]];
    return XXH3_64bits(buf, refs.size() * sizeof(uint64_t));
  }
  XXH3_state_t state;
  XXH3_64bits_reset(&state);
  for (uint32_t ref : refs) {
    uint64_t h = symbol_hashes[ref];
    XXH3_64bits_update(&state, &h, sizeof h);
  }
  return XXH3_64bits_digest(&state);
}

// Turns the series' references into labels and metadata strings.
absl::Status Resolve(DecodedRequest* out) {
  const std::vector<std::string_view>& symbols = out->symbols;
  const size_t n = symbols.size();
  out->symbol_hashes.resize(n);
  for (size_t i = 0; i < n; ++i) {
    out->symbol_hashes[i] = XXH3_64bits(symbols[i].data(), symbols[i].size());
  }
  for (size_t i = 0; i < out->series.size(); ++i) {
    DecodedSeries& s = out->series[i];
    uint32_t count = s.refs_end - s.refs_begin;
    if (count % 2 != 0) {
      return Malformed(fmt::format("timeseries {}: odd number of labels_refs ({})", i, count));
    }
    s.labels_begin = static_cast<uint32_t>(out->labels.size());
    for (uint32_t k = 0; k < count; k += 2) {
      uint32_t name = out->refs[s.refs_begin + k], value = out->refs[s.refs_begin + k + 1];
      if (name >= n || value >= n) {
        uint32_t bad = name >= n ? k : k + 1;
        return Malformed(
            fmt::format("timeseries {}: labels_refs[{}] = {} is out of range ({} symbols)", i, bad,
                        out->refs[s.refs_begin + bad], n));
      }
      out->labels.push_back({symbols[name], symbols[value]});
    }
    s.labels_end = NormalizeTail(&out->labels, s.labels_begin);
    s.hash = SeriesHash({out->refs.data() + s.refs_begin, count}, out->symbol_hashes);
    if (s.exemplars > 0 && s.max_exemplar_ref >= n) {
      return Malformed(
          fmt::format("timeseries {}: exemplar labels_refs value {} is out of range ({} symbols)",
                      i, s.max_exemplar_ref, n));
    }
    if (s.has_metadata) {
      // Reference 0 is the empty string; tolerate a sender that left the
      // table empty when it had nothing to reference.
      for (uint32_t ref : {s.help_ref, s.unit_ref}) {
        if (ref >= n && ref != 0) {
          return Malformed(fmt::format(
              "timeseries {}: metadata reference {} is out of range ({} symbols)", i, ref, n));
        }
      }
      s.help = s.help_ref < n ? symbols[s.help_ref] : std::string_view();
      s.unit = s.unit_ref < n ? symbols[s.unit_ref] : std::string_view();
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status DecodeV2(std::string_view body, DecodedRequest* out) {
  out->Clear();
  WireReader r(body);
  uint32_t series = 0;
  std::string err;
  while (uint32_t tag = r.ReadTag()) {
    switch (tag) {
      case WireTag(4, kLengthDelimited): {
        std::string_view symbol;
        if (!r.ReadBytes(&symbol)) {
          return Malformed(fmt::format("symbols[{}]: truncated", out->symbols.size()));
        }
        out->symbols.push_back(symbol);
        break;
      }
      case WireTag(5, kLengthDelimited):
        RETURN_IF_ERROR(DecodeSeries(r, series++, out));
        break;
      default:
        // Fields 1-3 are reserved: a 1.0 body sent as 2.0 decodes as empty,
        // as the specification intends.
        if (!SkipUnexpected(r, tag, Bits({4, 5}), &err)) return Malformed(err);
    }
  }
  if (!r.AtEnd()) return Malformed("invalid tag, or a field overruns the message");
  return Resolve(out);
}

}  // namespace strata::api::rw_internal
