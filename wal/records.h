// Encoding of WAL records (the payloads the WAL frames; see docs/format/wal.md).
//
// Every record starts with a one-byte RecordType. Encoders append to `out`
// (reusing its capacity); decoders append to their output vectors and fail
// with absl::DataLossError naming the problem on malformed input, never
// reading out of bounds.
#ifndef STRATA_WAL_RECORDS_H_
#define STRATA_WAL_RECORDS_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "tsdb/labels/labels.h"

namespace strata::wal {

enum class RecordType : uint8_t {
  kInvalid = 0,
  kSeries = 1,
  kSamples = 2,
  kTombstones = 3,
  kMetadata = 4,
};
// "series", "samples", "tombstones", "metadata", or "invalid" for any other
// value.
const char* RecordTypeName(RecordType t);

// A new series: its head reference and labels.
struct RefSeries {
  uint64_t ref = 0;
  Labels labels;
};

struct RefSample {
  uint64_t ref = 0;
  int64_t t = 0;
  double v = 0;
};

// Deletion of samples of series `ref` in [mint, maxt].
struct RefTombstone {
  uint64_t ref = 0;
  int64_t mint = 0;
  int64_t maxt = 0;
};

// Metric metadata as Prometheus carries it (type is the remote-write enum:
// 0 unknown, 1 counter, 2 gauge, 3 histogram, 4 gaugehistogram, 5 summary,
// 6 info, 7 stateset).
struct RefMetadata {
  uint64_t ref = 0;
  uint8_t type = 0;
  std::string unit;
  std::string help;
};

void EncodeSeries(std::span<const RefSeries> series, std::string* out);
void EncodeSamples(std::span<const RefSample> samples, std::string* out);
void EncodeTombstones(std::span<const RefTombstone> tombstones, std::string* out);
void EncodeMetadata(std::span<const RefMetadata> metadata, std::string* out);

// kInvalid for an empty record or an unknown type byte.
RecordType PeekType(std::string_view record);

absl::Status DecodeSeries(std::string_view record, std::vector<RefSeries>* out);
absl::Status DecodeSamples(std::string_view record, std::vector<RefSample>* out);
absl::Status DecodeTombstones(std::string_view record, std::vector<RefTombstone>* out);
absl::Status DecodeMetadata(std::string_view record, std::vector<RefMetadata>* out);

}  // namespace strata::wal

#endif  // STRATA_WAL_RECORDS_H_
