// Capture to stream file (capture_stream.h).
#include "bench/querybench/capture_stream.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "bench/querybench/v1_request.h"
#include "tools/openmetrics.h"
#include "tsdb/base/fs.h"

namespace strata::querybench {
namespace {

constexpr int64_t kMaxWindowMs = 30 * 60 * 1000;

struct Sample {
  int64_t t;
  double v;
  uint32_t series;
  uint32_t connection;  // the series', repeated here so one sort orders everything
};

// FNV-1a: a hash that is the same on every machine and build, so a capture
// always shards the same way.
uint64_t StableHash(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

struct Capture {
  std::vector<std::string> labels;     // serialised (AppendV1Label), per series
  std::vector<std::string> instances;  // per series; "" when it has none
  std::vector<Sample> samples;         // in capture order
};

absl::StatusOr<Capture> LoadCapture(const std::string& path) {
  Capture capture;
  std::unordered_map<std::string, uint32_t> index;
  std::string scratch;
  uint32_t last = UINT32_MAX;  // captures go series by series: usually the previous line's
  tools::OmCallbacks callbacks;
  callbacks.sample = [&](const tools::OmSample& s) -> absl::Status {
    scratch.clear();
    std::string_view instance;
    for (const Label& l : s.labels) {
      AppendV1Label(l.name, l.value, &scratch);
      if (l.name == "instance") instance = l.value;
    }
    if (last == UINT32_MAX || capture.labels[last] != scratch) {
      auto [it, inserted] = index.try_emplace(scratch, uint32_t(capture.labels.size()));
      if (inserted) {
        capture.labels.push_back(scratch);
        capture.instances.emplace_back(instance);
      }
      last = it->second;
    }
    capture.samples.push_back({s.t_ms, s.value, last, 0});
    return absl::OkStatus();
  };
  std::unique_ptr<FileSystem> fs = NewPosixFileSystem();
  if (absl::Status s = tools::ParseOpenMetricsFile(fs.get(), path, callbacks); !s.ok()) return s;
  return capture;
}

}  // namespace

absl::StatusOr<StreamWriteResult> WriteCaptureStream(const std::string& input,
                                                     const CaptureStreamOptions& options) {
  absl::StatusOr<Capture> loaded = LoadCapture(input);
  if (!loaded.ok()) return loaded.status();
  Capture& capture = *loaded;
  const uint32_t connections = static_cast<uint32_t>(std::max(1, options.connections));
  const int batch = std::max(1, options.batch);
  const int64_t window_ms = std::clamp<int64_t>(options.window_ms, 1, kMaxWindowMs);

  std::vector<uint32_t> connection_of(capture.labels.size());
  std::unordered_set<std::string_view> instances;
  for (uint32_t i = 0; i < connection_of.size(); ++i) {
    const std::string& instance = capture.instances[i];
    if (!instance.empty()) instances.insert(instance);
    const bool by_instance = options.shard_by == ShardBy::kInstance && !instance.empty();
    connection_of[i] =
        static_cast<uint32_t>((by_instance ? StableHash(instance) : i) % connections);
  }
  for (Sample& s : capture.samples) s.connection = connection_of[s.series];
  // Per connection, in time order, series in capture order at equal times;
  // stable so that a duplicate sample keeps its place.
  std::stable_sort(capture.samples.begin(), capture.samples.end(),
                   [](const Sample& a, const Sample& b) {
                     if (a.connection != b.connection) return a.connection < b.connection;
                     if (a.t != b.t) return a.t < b.t;
                     return a.series < b.series;
                   });

  int64_t min_t = 0, max_t = 0;
  if (!capture.samples.empty()) {
    const auto [lo, hi] =
        std::minmax_element(capture.samples.begin(), capture.samples.end(),
                            [](const Sample& a, const Sample& b) { return a.t < b.t; });
    min_t = lo->t;
    max_t = hi->t;
  }
  const int windows =
      capture.samples.empty() ? 0 : static_cast<int>((max_t - min_t) / window_ms + 1);
  // bounds[c * (windows + 1) + w]: the first sample of connection c at or
  // after window w's start.
  std::vector<size_t> bounds(size_t(connections) * (windows + 1));
  for (uint32_t c = 0; c < connections; ++c) {
    auto begin = std::lower_bound(capture.samples.begin(), capture.samples.end(), c,
                                  [](const Sample& s, uint32_t c) { return s.connection < c; });
    auto end = std::lower_bound(begin, capture.samples.end(), c + 1,
                                [](const Sample& s, uint32_t c) { return s.connection < c; });
    for (int w = 0; w <= windows; ++w) {
      const int64_t from = min_t + w * window_ms;
      auto it = w == windows ? end
                             : std::lower_bound(begin, end, from,
                                                [](const Sample& s, int64_t t) { return s.t < t; });
      bounds[c * (windows + 1) + w] = static_cast<size_t>(it - capture.samples.begin());
    }
  }

  loadgen::StreamFileInfo info;
  info.protocol = loadgen::Protocol::kV1;
  info.connections = static_cast<int>(connections);
  info.targets = static_cast<uint32_t>(instances.size());
  info.batch = static_cast<uint32_t>(batch);
  info.description = options.description;
  StreamWriteOptions write = options.write;
  write.expected_samples = capture.samples.size();
  return WriteStream(
      info, windows, capture.labels.size(),
      [&](int w, int c, std::vector<loadgen::EncodedRequest>* out, EncodeTotals* totals) {
        V1RequestBuilder request(out, totals);
        const size_t row = size_t(c) * (windows + 1) + w;
        for (size_t i = bounds[row]; i < bounds[row + 1]; ++i) {
          const Sample& s = capture.samples[i];
          request.Add(capture.labels[s.series], s.t, s.v);
          if (request.samples() == static_cast<uint32_t>(batch)) request.Flush();
        }
        request.Flush();
      },
      write);
}

}  // namespace strata::querybench
