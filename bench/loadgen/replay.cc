#include "bench/loadgen/replay.h"

#include <algorithm>
#include <atomic>
#include <barrier>
#include <thread>

#include "fmt/format.h"
#include "httplib.h"

namespace strata::loadgen {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kMaxErrorExamples = 5;
constexpr size_t kMaxErrorBody = 300;

// What one connection's thread saw; merged into the ReplayResult at the end
// so the threads share nothing but two progress counters.
struct ConnectionResult {
  uint64_t requests_ok = 0;
  uint64_t requests_dropped = 0;
  uint64_t samples_dropped = 0;
  uint64_t requests_unsent = 0;
  uint64_t samples_unsent = 0;
  uint64_t retries = 0;
  std::map<int, uint64_t> status_counts;
  std::vector<std::string> error_examples;
  uint64_t v2_written_header_missing = 0;
  uint64_t v2_written_header_mismatch = 0;
  bool hit_duration_limit = false;
  Clock::time_point finished;
};

void AddExample(std::vector<std::string>* examples, std::string example) {
  if (examples->size() >= kMaxErrorExamples) return;
  if (std::find(examples->begin(), examples->end(), example) != examples->end()) return;
  examples->push_back(std::move(example));
}

std::string Describe(const httplib::Result& res) {
  if (!res) return fmt::format("connection error: {}", httplib::to_string(res.error()));
  std::string body = res->body.substr(0, kMaxErrorBody);
  while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.pop_back();
  return fmt::format("{}: {}", res->status, body);
}

class ConnectionSender {
 public:
  ConnectionSender(const ReplayOptions& options, Clock::time_point deadline,
                   std::atomic<uint64_t>* samples_ok)
      : options_(options),
        deadline_(deadline),
        samples_ok_(samples_ok),
        client_(options.host, options.port) {
    client_.set_keep_alive(true);
    // httplib writes the headers and the body separately; with Nagle's
    // algorithm on, the body waits for the server's (delayed) ACK of the
    // headers, up to 40 ms per request, and the replay measures that instead
    // of the receiver. Go's HTTP client, which Prometheus sends with, sets
    // TCP_NODELAY too.
    client_.set_tcp_nodelay(true);
    client_.set_connection_timeout(options.connect_timeout);
    client_.set_read_timeout(options.io_timeout);
    client_.set_write_timeout(options.io_timeout);
    // Responses are tiny; asking for compressed ones would only add work.
    client_.set_decompress(false);
    const bool v2 = options.protocol == Protocol::kV2;
    headers_ = {
        {"Content-Encoding", "snappy"},
        {"X-Prometheus-Remote-Write-Version", v2 ? "2.0.0" : "0.1.0"},
        {"User-Agent", "strata-loadgen/0.1"},
    };
    content_type_ = v2 ? "application/x-protobuf;proto=io.prometheus.write.v2.Request"
                       : "application/x-protobuf";
  }

  // Sends `requests` in order; past the deadline, counts them as unsent.
  void Run(std::span<const RequestView> requests) {
    for (size_t i = 0; i < requests.size(); ++i) {
      if (Clock::now() >= deadline_) {
        result_.hit_duration_limit = true;
        for (size_t j = i; j < requests.size(); ++j) {
          ++result_.requests_unsent;
          result_.samples_unsent += requests[j].samples;
        }
        break;
      }
      Send(requests[i]);
    }
  }

  ConnectionResult Finish() {
    client_.stop();
    result_.finished = Clock::now();
    return std::move(result_);
  }

 private:
  void Send(const RequestView& request) {
    auto backoff = options_.initial_backoff;
    for (int attempt = 1;; ++attempt) {
      httplib::Result res = client_.Post(options_.path, headers_, request.body.data(),
                                         request.body.size(), content_type_);
      const int status = res ? res->status : -1;
      ++result_.status_counts[status];
      if (status >= 200 && status < 300) {
        if (options_.protocol == Protocol::kV2) CheckWrittenHeader(*res, request);
        ++result_.requests_ok;
        samples_ok_->fetch_add(request.samples, std::memory_order_relaxed);
        return;
      }
      AddExample(&result_.error_examples, Describe(res));
      const bool retryable = status < 0 || status >= 500;
      if (!retryable || attempt >= options_.max_attempts || Clock::now() + backoff >= deadline_) {
        ++result_.requests_dropped;
        result_.samples_dropped += request.samples;
        return;
      }
      ++result_.retries;
      std::this_thread::sleep_for(backoff);
      backoff = std::min(backoff * 2, options_.max_backoff);
    }
  }

  void CheckWrittenHeader(const httplib::Response& res, const RequestView& request) {
    constexpr const char* kHeader = "X-Prometheus-Remote-Write-Samples-Written";
    if (!res.has_header(kHeader)) {
      ++result_.v2_written_header_missing;
      return;
    }
    const std::string value = res.get_header_value(kHeader);
    if (value != std::to_string(request.samples)) {
      ++result_.v2_written_header_mismatch;
      AddExample(&result_.error_examples, fmt::format("{}: {} {} for {} samples", res.status,
                                                      kHeader, value, request.samples));
    }
  }

  const ReplayOptions& options_;
  const Clock::time_point deadline_;
  std::atomic<uint64_t>* samples_ok_;
  httplib::Client client_;
  httplib::Headers headers_;
  std::string content_type_;
  ConnectionResult result_;
};

}  // namespace

ReplayResult Replay(const EncodedStream& stream, const ReplayOptions& options,
                    std::chrono::seconds progress_every, const ProgressFn& progress) {
  // One window; views of the bodies, which stay in `stream`.
  std::vector<std::vector<RequestView>> views(stream.per_connection.size());
  WindowedRequests requests;
  requests.windows = 1;
  requests.connections = static_cast<int>(views.size());
  for (size_t c = 0; c < views.size(); ++c) {
    for (const EncodedRequest& r : stream.per_connection[c]) {
      views[c].push_back({r.body, r.samples});
    }
    requests.groups.emplace_back(views[c]);
  }
  return ReplayWindows(requests, options, progress_every, progress);
}

ReplayResult ReplayWindows(const WindowedRequests& requests, const ReplayOptions& options,
                           std::chrono::seconds progress_every, const ProgressFn& progress) {
  const size_t n = static_cast<size_t>(requests.connections);
  std::vector<ConnectionResult> results(n);
  std::atomic<uint64_t> samples_ok{0};
  std::atomic<size_t> done{0};
  std::barrier window_done(static_cast<std::ptrdiff_t>(n));

  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline = start + options.duration_limit;
  std::vector<std::thread> threads;
  threads.reserve(n);
  for (size_t c = 0; c < n; ++c) {
    threads.emplace_back([&, c] {
      ConnectionSender sender(options, deadline, &samples_ok);
      for (int w = 0; w < requests.windows; ++w) {
        sender.Run(requests.group(w, static_cast<int>(c)));
        // Every thread arrives once per window, whatever happened, so the
        // barrier cannot deadlock; past the deadline the windows go by
        // without requests.
        if (w + 1 < requests.windows) window_done.arrive_and_wait();
      }
      results[c] = sender.Finish();
      done.fetch_add(1);
    });
  }
  // Progress reports while the senders run. Bounded: every sender stops
  // starting requests at the deadline, and one request lasts at most about
  // max_attempts * (io_timeout + max_backoff).
  Clock::time_point next_report = start + progress_every;
  while (done.load() < n) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (progress && Clock::now() >= next_report) {
      progress(samples_ok.load(std::memory_order_relaxed),
               std::chrono::duration<double>(Clock::now() - start).count());
      next_report += progress_every;
    }
  }
  for (std::thread& t : threads) t.join();

  ReplayResult out;
  Clock::time_point finished = start;
  out.samples_ok = samples_ok.load();
  for (ConnectionResult& r : results) {
    finished = std::max(finished, r.finished);
    out.requests_ok += r.requests_ok;
    out.requests_dropped += r.requests_dropped;
    out.samples_dropped += r.samples_dropped;
    out.requests_unsent += r.requests_unsent;
    out.samples_unsent += r.samples_unsent;
    out.retries += r.retries;
    out.v2_written_header_missing += r.v2_written_header_missing;
    out.v2_written_header_mismatch += r.v2_written_header_mismatch;
    out.hit_duration_limit |= r.hit_duration_limit;
    for (const auto& [status, count] : r.status_counts) out.status_counts[status] += count;
    for (std::string& e : r.error_examples) AddExample(&out.error_examples, std::move(e));
  }
  // From the first request to the last answer, not to when this thread
  // noticed: the polling above is coarse.
  out.wall_seconds = std::chrono::duration<double>(finished - start).count();
  return out;
}

}  // namespace strata::loadgen
