// Remote-write 1.0 requests of the querybench dataset, window by window and
// connection by connection: the one encoding behind `strata-querybench
// write` (sent as it is encoded, remote_write.h) and `strata-querybench
// stream` (written to a stream file, dataset_stream.h).
//
// Shape: the span is cut into windows of `window_scrapes` scrapes (at most
// 30 minutes' worth: receivers refuse samples older than their newest minus
// an hour). Target t goes through connection t % connections; within a
// window a connection sends its targets scrape by scrape, whole target
// scrapes per request (max(1, batch / series_per_target) of them), one
// sample per TimeSeries as Prometheus sends. Every series therefore arrives
// in time order on one connection.
//
// Labels are serialised once per series and generation (churn gives a
// target new label sets, dataset.h) and cached per connection; a target's
// are re-serialised only when its generation changes.
//
// Thread safety: EncodeGroup may run concurrently for different
// connections; calls for the same connection serialise on its cache.
#ifndef STRATA_BENCH_QUERYBENCH_DATASET_ENCODER_H_
#define STRATA_BENCH_QUERYBENCH_DATASET_ENCODER_H_

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "bench/loadgen/encode.h"
#include "bench/querybench/dataset.h"
#include "bench/querybench/v1_request.h"

namespace strata::querybench {

class DatasetEncoder {
 public:
  // `connections` is capped at the targets, `window_scrapes` at 30 minutes
  // of scrapes (and at least 1).
  DatasetEncoder(const Dataset& dataset, int connections, int batch, int window_scrapes);
  ~DatasetEncoder();

  int connections() const { return connections_; }
  int window_scrapes() const { return window_scrapes_; }
  int windows() const;
  // Scrapes [first, last) of window w.
  int WindowFirst(int window) const { return window * window_scrapes_; }
  int WindowLast(int window) const;

  // Appends connection c's requests of window w to *out, adding to *totals.
  void EncodeGroup(int window, int connection, std::vector<loadgen::EncodedRequest>* out,
                   EncodeTotals* totals) const;
  // Every connection's requests of window w.
  loadgen::EncodedStream EncodeWindow(int window) const;

 private:
  struct ConnectionCache;
  const Dataset& dataset_;
  const int connections_;
  const int window_scrapes_;
  const int targets_per_request_;
  std::vector<std::unique_ptr<ConnectionCache>> caches_;  // per connection
};

}  // namespace strata::querybench

#endif  // STRATA_BENCH_QUERYBENCH_DATASET_ENCODER_H_
