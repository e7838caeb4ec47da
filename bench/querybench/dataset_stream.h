// `strata-querybench stream` for the dataset: DatasetEncoder's requests
// (dataset_encoder.h: the very requests `write` sends) written to a stream
// file (stream_writer.h) for `strata-loadgen --stream` to replay.
#ifndef STRATA_BENCH_QUERYBENCH_DATASET_STREAM_H_
#define STRATA_BENCH_QUERYBENCH_DATASET_STREAM_H_

#include <string>

#include "absl/status/statusor.h"
#include "bench/querybench/dataset.h"
#include "bench/querybench/stream_writer.h"

namespace strata::querybench {

struct DatasetStreamOptions {
  int connections = 8;       // capped at the targets
  int batch = 2000;          // samples per request, rounded down to whole target scrapes
  int window_scrapes = 120;  // capped at 30 minutes of scrapes
  std::string description;   // stored in the file's header
  StreamWriteOptions write;
};

absl::StatusOr<StreamWriteResult> WriteDatasetStream(const Dataset& dataset,
                                                     const DatasetStreamOptions& options);

}  // namespace strata::querybench

#endif  // STRATA_BENCH_QUERYBENCH_DATASET_STREAM_H_
