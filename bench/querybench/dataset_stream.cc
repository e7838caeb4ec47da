// The dataset as a stream file (dataset_stream.h).
#include "bench/querybench/dataset_stream.h"

#include "bench/querybench/dataset_encoder.h"

namespace strata::querybench {

absl::StatusOr<StreamWriteResult> WriteDatasetStream(const Dataset& dataset,
                                                     const DatasetStreamOptions& options) {
  const DatasetEncoder encoder(dataset, options.connections, options.batch, options.window_scrapes);
  loadgen::StreamFileInfo info;
  info.protocol = loadgen::Protocol::kV1;
  info.connections = encoder.connections();
  info.targets = static_cast<uint32_t>(dataset.targets());
  info.scrapes = static_cast<uint32_t>(dataset.scrapes());
  info.interval_ms = dataset.interval_ms();
  info.batch = static_cast<uint32_t>(options.batch);
  info.description = options.description;
  StreamWriteOptions write = options.write;
  write.expected_samples = static_cast<uint64_t>(dataset.num_series()) * dataset.scrapes();
  return WriteStream(
      info, encoder.windows(), static_cast<uint64_t>(dataset.total_series()),
      [&encoder](int w, int c, std::vector<loadgen::EncodedRequest>* out, EncodeTotals* totals) {
        encoder.EncodeGroup(w, c, out, totals);
      },
      write);
}

}  // namespace strata::querybench
