// Remote-writes the querybench dataset (protocol 1.0) to one receiver, with
// strata-loadgen's sender (bench/loadgen/replay.h): keep-alive connections,
// TCP_NODELAY, retries on 5xx.
//
// Receivers refuse samples much older than the newest they hold (Strata and
// Prometheus: the head's max time minus an hour), so a day of history goes
// in time windows of at most 30 minutes of scrapes: every connection
// finishes window w before any starts window w+1. The requests are
// DatasetEncoder's (dataset_encoder.h): the same as `strata-querybench
// stream` writes to a file. The next window is encoded while the current
// one is sent.
#ifndef STRATA_BENCH_QUERYBENCH_REMOTE_WRITE_H_
#define STRATA_BENCH_QUERYBENCH_REMOTE_WRITE_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "bench/loadgen/util.h"
#include "bench/querybench/dataset.h"

namespace strata::querybench {

struct RemoteWriteOptions {
  loadgen::Url url;
  int connections = 4;
  int window_scrapes = 120;  // capped to 30 minutes of scrapes
  int batch = 5000;          // samples per request, rounded down to whole target scrapes
  std::chrono::seconds duration_limit{900};
  bool progress = true;  // a line on stderr per few windows
};

struct RemoteWriteResult {
  uint64_t samples = 0;
  uint64_t samples_ok = 0;
  uint64_t samples_dropped = 0;  // refused (4xx) or out of retries
  uint64_t samples_unsent = 0;   // not sent before the duration limit
  uint64_t requests = 0;
  uint64_t wire_bytes = 0;
  double seconds = 0;
  std::map<int, uint64_t> status_counts;  // -1: connection errors
  std::vector<std::string> error_examples;
};

RemoteWriteResult RemoteWrite(const Dataset& dataset, const RemoteWriteOptions& options);

}  // namespace strata::querybench

#endif  // STRATA_BENCH_QUERYBENCH_REMOTE_WRITE_H_
