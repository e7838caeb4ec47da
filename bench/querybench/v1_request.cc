// Hand-written remote-write 1.0 wire format (v1_request.h).
#include "bench/querybench/v1_request.h"

#include <algorithm>
#include <bit>

#include "snappy.h"
#include "tsdb/base/coding.h"

namespace strata::querybench {
namespace {

// Wire tags: (field number << 3) | wire type.
constexpr char kTimeSeriesTag = 0x0a;       // WriteRequest.timeseries = 1, bytes
constexpr char kLabelsTag = 0x0a;           // TimeSeries.labels = 1, bytes
constexpr char kSamplesTag = 0x12;          // TimeSeries.samples = 2, bytes
constexpr char kNameTag = 0x0a;             // Label.name = 1, bytes
constexpr char kValueTag = 0x12;            // Label.value = 2, bytes
constexpr char kSampleValueTag = 0x09;      // Sample.value = 1, fixed64
constexpr char kSampleTimestampTag = 0x10;  // Sample.timestamp = 2, varint

}  // namespace

void AppendV1Label(std::string_view name, std::string_view value, std::string* out) {
  out->push_back(kLabelsTag);
  std::string inner;
  inner.push_back(kNameTag);
  PutUvarint(&inner, name.size());
  inner.append(name);
  inner.push_back(kValueTag);
  PutUvarint(&inner, value.size());
  inner.append(value);
  PutUvarint(out, inner.size());
  out->append(inner);
}

void EncodeTotals::Add(const EncodeTotals& other) {
  requests += other.requests;
  samples += other.samples;
  raw_bytes += other.raw_bytes;
  body_bytes += other.body_bytes;
  min_timestamp_ms = std::min(min_timestamp_ms, other.min_timestamp_ms);
  max_timestamp_ms = std::max(max_timestamp_ms, other.max_timestamp_ms);
}

void V1RequestBuilder::Add(std::string_view labels, int64_t timestamp_ms, double value) {
  // The Sample message: at most 1 + 8 + 1 + 10 bytes, so its length and the
  // tags fit one byte each.
  char sample[20];
  size_t n = 0;
  sample[n++] = kSampleValueTag;
  const uint64_t bits = std::bit_cast<uint64_t>(value);
  for (int b = 0; b < 8; ++b) sample[n++] = static_cast<char>(bits >> (8 * b));
  sample[n++] = kSampleTimestampTag;
  // int64 fields are plain (not zig-zag) varints: negative ones take 10 bytes.
  for (uint64_t t = static_cast<uint64_t>(timestamp_ms);; t >>= 7) {
    if (t < 0x80) {
      sample[n++] = static_cast<char>(t);
      break;
    }
    sample[n++] = static_cast<char>(t | 0x80);
  }
  raw_.push_back(kTimeSeriesTag);
  PutUvarint(&raw_, labels.size() + 2 + n);
  raw_.append(labels);
  raw_.push_back(kSamplesTag);
  raw_.push_back(static_cast<char>(n));
  raw_.append(sample, n);
  ++samples_;
  totals_->min_timestamp_ms = std::min(totals_->min_timestamp_ms, timestamp_ms);
  totals_->max_timestamp_ms = std::max(totals_->max_timestamp_ms, timestamp_ms);
}

void V1RequestBuilder::Flush() {
  if (samples_ == 0) return;
  // Through a reused buffer: snappy::Compress into the body would leave it
  // with the capacity of the worst case, several times its size, and a
  // multi-GB stream's groups in flight would hold gigabytes.
  compressed_.resize(snappy::MaxCompressedLength(raw_.size()));
  size_t length = 0;
  snappy::RawCompress(raw_.data(), raw_.size(), compressed_.data(), &length);
  loadgen::EncodedRequest& request = out_->emplace_back();
  request.body.assign(compressed_.data(), length);
  request.samples = samples_;
  ++totals_->requests;
  totals_->samples += samples_;
  totals_->raw_bytes += raw_.size();
  totals_->body_bytes += request.body.size();
  raw_.clear();
  samples_ = 0;
}

}  // namespace strata::querybench
