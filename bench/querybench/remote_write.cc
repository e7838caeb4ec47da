// Window-by-window remote write of the querybench dataset (remote_write.h).
#include "bench/querybench/remote_write.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <future>

#include "api/proto/remote_write_v1.pb.h"
#include "bench/loadgen/encode.h"
#include "bench/loadgen/replay.h"
#include "fmt/format.h"
#include "snappy.h"

namespace strata::querybench {
namespace {

using Clock = std::chrono::steady_clock;

void AppendVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

// Encodes windows of the dataset as remote-write 1.0 requests. Every
// TimeSeries repeats its series' labels, which are serialised once up front
// (with the generated classes); only the sample is encoded per sample.
class WindowEncoder {
 public:
  WindowEncoder(const Dataset& dataset, int connections, int batch)
      : dataset_(dataset),
        connections_(connections),
        targets_per_request_(std::max(1, batch / Dataset::kSeriesPerTarget)) {
    labels_.resize(static_cast<size_t>(dataset.num_series()));
    for (int64_t i = 0; i < dataset.num_series(); ++i) {
      rw::v1::TimeSeries series;
      for (const auto& [name, value] : dataset.Labels(i)) {
        rw::v1::Label* label = series.add_labels();
        label->set_name(name);
        label->set_value(value);
      }
      series.SerializeToString(&labels_[i]);
    }
  }

  // Scrapes [first, last) of every target, split by connection.
  loadgen::EncodedStream Encode(int first, int last) const {
    loadgen::EncodedStream stream;
    stream.per_connection.resize(connections_);
    std::string raw;
    for (int c = 0; c < connections_; ++c) {
      int in_request = 0;
      uint32_t samples = 0;
      auto flush = [&] {
        loadgen::EncodedRequest& request = stream.per_connection[c].emplace_back();
        snappy::Compress(raw.data(), raw.size(), &request.body);
        request.samples = samples;
        stream.samples += samples;
        stream.raw_bytes += raw.size();
        stream.compressed_bytes += request.body.size();
        ++stream.requests;
        raw.clear();
        in_request = 0;
        samples = 0;
      };
      for (int k = first; k < last; ++k) {
        for (int t = c; t < dataset_.targets(); t += connections_) {
          AppendScrape(t, k, &raw);
          samples += Dataset::kSeriesPerTarget;
          if (++in_request == targets_per_request_) flush();
        }
      }
      if (in_request > 0) flush();
    }
    return stream;
  }

 private:
  // One TimeSeries (field 1 of WriteRequest) per series of target t.
  void AppendScrape(int t, int k, std::string* out) const {
    const int64_t ts = dataset_.Timestamp(t, k);
    // Sample: value (field 1, fixed64) and timestamp (field 2, varint).
    std::string sample;
    for (int64_t i = int64_t{t} * Dataset::kSeriesPerTarget;
         i < int64_t{t + 1} * Dataset::kSeriesPerTarget; ++i) {
      sample.clear();
      sample.push_back(0x09);
      const uint64_t bits = std::bit_cast<uint64_t>(dataset_.Value(i, k));
      for (int b = 0; b < 8; ++b) sample.push_back(static_cast<char>(bits >> (8 * b)));
      sample.push_back(0x10);
      AppendVarint(static_cast<uint64_t>(ts), &sample);
      const std::string& labels = labels_[i];
      out->push_back(0x0a);
      AppendVarint(labels.size() + 2 + sample.size(), out);  // the sample is < 128 bytes
      out->append(labels);
      out->push_back(0x12);
      AppendVarint(sample.size(), out);
      out->append(sample);
    }
  }

  const Dataset& dataset_;
  const int connections_;
  const int targets_per_request_;
  std::vector<std::string> labels_;  // serialised Label fields, per series
};

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
  const int connections = std::clamp(options.connections, 1, dataset.targets());
  const int max_window = static_cast<int>(std::max<int64_t>(1, 1'800'000 / dataset.interval_ms()));
  const int window = std::clamp(options.window_scrapes, 1, max_window);
  WindowEncoder encoder(dataset, connections, options.batch);

  loadgen::ReplayOptions ro;
  ro.host = options.url.host;
  ro.port = options.url.port;
  ro.path = options.url.path;
  ro.protocol = loadgen::Protocol::kV1;

  RemoteWriteResult result;
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline = start + options.duration_limit;
  std::future<loadgen::EncodedStream> next = std::async(
      std::launch::async, [&] { return encoder.Encode(0, std::min(window, dataset.scrapes())); });
  for (int first = 0; first < dataset.scrapes(); first += window) {
    loadgen::EncodedStream stream = next.get();
    const int following = first + window;
    if (following < dataset.scrapes()) {
      next = std::async(std::launch::async, [&encoder, &dataset, following, window] {
        return encoder.Encode(following, std::min(following + window, dataset.scrapes()));
      });
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
    const int done = std::min(following, dataset.scrapes());
    if (options.progress && (done / window) % 8 == 0) {
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
