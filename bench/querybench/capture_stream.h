// `strata-querybench stream --input`: a capture of real scrapes (OpenMetrics
// text with timestamps, as bench/compare/capture.sh writes it: series by
// series, each in time order) as a stream file, so receivers can be fed
// real node-exporter and Prometheus series exactly as the dataset is fed.
//
// The whole capture is loaded (a few hundred MB of text is a few million
// samples; each series' labels are serialised once) and re-ordered as a
// sender scraping it live would have sent it:
// - samples in time order, series in capture order at equal timestamps;
// - a series always on one connection: connection = hash(its `instance`
//   label) % connections (series without one, or with ShardBy::kSeries:
//   series index % connections). Prometheus itself shards by series; by
//   instance keeps a target's scrape together, as the dataset does;
// - 30-minute windows from the first timestamp (receivers refuse samples
//   older than their newest minus an hour), every connection finishing
//   window w before any starts w + 1 (stream_file.h);
// - requests of at most `batch` samples, one sample per TimeSeries.
#ifndef STRATA_BENCH_QUERYBENCH_CAPTURE_STREAM_H_
#define STRATA_BENCH_QUERYBENCH_CAPTURE_STREAM_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "bench/querybench/stream_writer.h"

namespace strata::querybench {

enum class ShardBy { kInstance, kSeries };

struct CaptureStreamOptions {
  int connections = 8;
  int batch = 2000;  // samples per request
  ShardBy shard_by = ShardBy::kInstance;
  int64_t window_ms = 30 * 60 * 1000;  // capped at 30 minutes
  std::string description;             // stored in the file's header
  StreamWriteOptions write;
};

// Reads the capture at `input` and writes options.write.path. Parse errors
// name the line (tools/openmetrics.h).
absl::StatusOr<StreamWriteResult> WriteCaptureStream(const std::string& input,
                                                     const CaptureStreamOptions& options);

}  // namespace strata::querybench

#endif  // STRATA_BENCH_QUERYBENCH_CAPTURE_STREAM_H_
