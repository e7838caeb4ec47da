// Remote-write 1.0 request bodies written straight in protobuf wire format,
// for the querybench encoders (dataset_encoder.h, capture_stream.h).
//
// Every TimeSeries repeats its series' labels, so callers serialise a
// series' Label fields once (AppendV1Label) and pass the bytes with every
// sample: nothing is formatted per sample. Each sample is its own
// TimeSeries, as Prometheus sends.
#ifndef STRATA_BENCH_QUERYBENCH_V1_REQUEST_H_
#define STRATA_BENCH_QUERYBENCH_V1_REQUEST_H_

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "bench/loadgen/encode.h"

namespace strata::querybench {

// Appends one label as a TimeSeries' field 1 (a Label message). A series'
// labels are its labels appended in order (sorted by name).
void AppendV1Label(std::string_view name, std::string_view value, std::string* out);

// Sums over encoded requests; Add merges another's.
struct EncodeTotals {
  uint64_t requests = 0;
  uint64_t samples = 0;
  uint64_t raw_bytes = 0;   // protobuf, before snappy
  uint64_t body_bytes = 0;  // after
  int64_t min_timestamp_ms = std::numeric_limits<int64_t>::max();
  int64_t max_timestamp_ms = std::numeric_limits<int64_t>::min();

  void Add(const EncodeTotals& other);
};

// Collects samples into a WriteRequest and compresses it into a request on
// Flush. Adds to *totals; requests go to the end of *out.
class V1RequestBuilder {
 public:
  V1RequestBuilder(std::vector<loadgen::EncodedRequest>* out, EncodeTotals* totals)
      : out_(out), totals_(totals) {}

  // One TimeSeries: `labels` (AppendV1Label's bytes) and one sample.
  void Add(std::string_view labels, int64_t timestamp_ms, double value);
  // Samples added since the last Flush.
  uint32_t samples() const { return samples_; }
  // Ends the request (nothing when it is empty).
  void Flush();

 private:
  std::vector<loadgen::EncodedRequest>* out_;
  EncodeTotals* totals_;
  std::string raw_;
  std::string compressed_;
  uint32_t samples_ = 0;
};

}  // namespace strata::querybench

#endif  // STRATA_BENCH_QUERYBENCH_V1_REQUEST_H_
