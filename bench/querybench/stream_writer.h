// Writes a stream file (bench/loadgen/stream_file.h) from groups — one
// connection's requests of one window — encoded by several threads at once
// and written in file order as they complete. At most threads + 2 groups
// are in memory, whatever the file's size.
//
// The encoders of the dataset (dataset_stream.h) and of captures
// (capture_stream.h) supply the groups.
#ifndef STRATA_BENCH_QUERYBENCH_STREAM_WRITER_H_
#define STRATA_BENCH_QUERYBENCH_STREAM_WRITER_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "bench/loadgen/encode.h"
#include "bench/loadgen/stream_file.h"
#include "bench/querybench/v1_request.h"

namespace strata::querybench {

// Appends connection c's requests of window w to *out, adding to *totals.
// Called from several threads at once, for different groups.
using GroupEncodeFn = std::function<void(
    int window, int connection, std::vector<loadgen::EncodedRequest>* out, EncodeTotals* totals)>;

struct StreamWriteOptions {
  std::string path;
  int threads = 0;                // encoding threads; 0: one per core
  bool progress = true;           // a line on stderr every few seconds
  uint64_t expected_samples = 0;  // for the progress lines; 0: unknown
};

struct StreamWriteResult {
  int windows = 0;
  int connections = 0;
  uint64_t series = 0;
  EncodeTotals totals;
  uint64_t file_bytes = 0;
  double seconds = 0;
  int threads = 0;
};

// Writes `windows` x info.connections groups to options.path. From `info`
// the header takes protocol, connections, targets, scrapes, interval_ms,
// batch, description; `series` is the distinct label sets encoded.
absl::StatusOr<StreamWriteResult> WriteStream(const loadgen::StreamFileInfo& info, int windows,
                                              uint64_t series, const GroupEncodeFn& encode,
                                              const StreamWriteOptions& options);

}  // namespace strata::querybench

#endif  // STRATA_BENCH_QUERYBENCH_STREAM_WRITER_H_
