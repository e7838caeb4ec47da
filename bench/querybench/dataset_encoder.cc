// Window-by-window encoding of the querybench dataset (dataset_encoder.h).
#include "bench/querybench/dataset_encoder.h"

#include <algorithm>

namespace strata::querybench {

// The serialised labels of a connection's targets, each for the generation
// last encoded. Caches are mutable state behind const EncodeGroup, hence
// the mutex.
struct DatasetEncoder::ConnectionCache {
  struct Target {
    int generation = -1;              // none yet
    std::vector<std::string> labels;  // per series of the target
  };
  std::mutex mu;
  std::vector<Target> targets;  // the k-th target of the connection: c + k * connections
};

DatasetEncoder::DatasetEncoder(const Dataset& dataset, int connections, int batch,
                               int window_scrapes)
    : dataset_(dataset),
      connections_(std::clamp(connections, 1, dataset.targets())),
      window_scrapes_(
          std::clamp(window_scrapes, 1,
                     static_cast<int>(std::max<int64_t>(1, 1'800'000 / dataset.interval_ms())))),
      targets_per_request_(std::max(1, batch / dataset.series_per_target())) {
  for (int c = 0; c < connections_; ++c) {
    auto& cache = caches_.emplace_back(std::make_unique<ConnectionCache>());
    cache->targets.resize((dataset.targets() - c + connections_ - 1) / connections_);
  }
}

DatasetEncoder::~DatasetEncoder() = default;

int DatasetEncoder::windows() const {
  return (dataset_.scrapes() + window_scrapes_ - 1) / window_scrapes_;
}

int DatasetEncoder::WindowLast(int window) const {
  return std::min(dataset_.scrapes(), (window + 1) * window_scrapes_);
}

void DatasetEncoder::EncodeGroup(int window, int connection,
                                 std::vector<loadgen::EncodedRequest>* out,
                                 EncodeTotals* totals) const {
  ConnectionCache& cache = *caches_[connection];
  std::lock_guard lock(cache.mu);
  const int per_target = dataset_.series_per_target();
  V1RequestBuilder request(out, totals);
  int in_request = 0;
  for (int k = WindowFirst(window); k < WindowLast(window); ++k) {
    for (int t = connection, slot = 0; t < dataset_.targets(); t += connections_, ++slot) {
      ConnectionCache::Target& target = cache.targets[slot];
      const int64_t first = int64_t{t} * per_target;
      if (const int g = dataset_.Generation(t, k); g != target.generation) {
        target.labels.assign(per_target, std::string());
        for (int j = 0; j < per_target; ++j) {
          for (const auto& [name, value] : dataset_.Labels(first + j, g)) {
            AppendV1Label(name, value, &target.labels[j]);
          }
        }
        target.generation = g;
      }
      const int64_t ts = dataset_.Timestamp(t, k);
      for (int j = 0; j < per_target; ++j) {
        request.Add(target.labels[j], ts, dataset_.Value(first + j, k));
      }
      if (++in_request == targets_per_request_) {
        request.Flush();
        in_request = 0;
      }
    }
  }
  request.Flush();
}

loadgen::EncodedStream DatasetEncoder::EncodeWindow(int window) const {
  loadgen::EncodedStream stream;
  stream.per_connection.resize(connections_);
  EncodeTotals totals;
  for (int c = 0; c < connections_; ++c) EncodeGroup(window, c, &stream.per_connection[c], &totals);
  stream.requests = totals.requests;
  stream.samples = totals.samples;
  stream.series = static_cast<uint64_t>(dataset_.num_series());
  stream.raw_bytes = totals.raw_bytes;
  stream.compressed_bytes = totals.body_bytes;
  stream.min_timestamp_ms = totals.min_timestamp_ms;
  stream.max_timestamp_ms = totals.max_timestamp_ms;
  return stream;
}

}  // namespace strata::querybench
