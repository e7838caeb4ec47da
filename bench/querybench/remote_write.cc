// Window-by-window remote write of the querybench dataset (remote_write.h).
#include "bench/querybench/remote_write.h"

#include <algorithm>
#include <future>

#include "bench/loadgen/replay.h"
#include "bench/querybench/dataset_encoder.h"
#include "fmt/format.h"

namespace strata::querybench {
namespace {

using Clock = std::chrono::steady_clock;

void Merge(const loadgen::ReplayResult& r, RemoteWriteResult* out) {
  out->samples_ok += r.samples_ok;
  out->samples_dropped += r.samples_dropped;
  out->samples_unsent += r.samples_unsent;
  for (const auto& [status, count] : r.status_counts) out->status_counts[status] += count;
  for (const std::string& e : r.error_examples) {
    if (out->error_examples.size() < 5) out->error_examples.push_back(e);
  }
}

}  // namespace

RemoteWriteResult RemoteWrite(const Dataset& dataset, const RemoteWriteOptions& options) {
  const DatasetEncoder encoder(dataset, options.connections, options.batch, options.window_scrapes);
  const int windows = encoder.windows();

  loadgen::ReplayOptions ro;
  ro.host = options.url.host;
  ro.port = options.url.port;
  ro.path = options.url.path;
  ro.protocol = loadgen::Protocol::kV1;

  RemoteWriteResult result;
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline = start + options.duration_limit;
  std::future<loadgen::EncodedStream> next =
      std::async(std::launch::async, [&] { return encoder.EncodeWindow(0); });
  for (int w = 0; w < windows; ++w) {
    loadgen::EncodedStream stream = next.get();
    if (w + 1 < windows) {
      next = std::async(std::launch::async, [&encoder, w] { return encoder.EncodeWindow(w + 1); });
    }
    result.samples += stream.samples;
    result.requests += stream.requests;
    result.wire_bytes += stream.compressed_bytes;
    const auto left = std::chrono::duration_cast<std::chrono::seconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      result.samples_unsent += stream.samples;
      continue;
    }
    ro.duration_limit = left;
    Merge(loadgen::Replay(stream, ro, std::chrono::seconds(3600), nullptr), &result);
    const int done = encoder.WindowLast(w);
    if (options.progress && ((w + 1) % 8 == 0 || w + 1 == windows)) {
      const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
      fmt::print(stderr, "  {:6.1f} s: {} of {} scrapes, {} samples acknowledged ({:.0f}/s)\n",
                 elapsed, done, dataset.scrapes(), result.samples_ok,
                 result.samples_ok / std::max(elapsed, 1e-9));
    }
  }
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return result;
}

}  // namespace strata::querybench
