// Replays a pre-encoded remote-write stream (encode.h in memory, or a stream
// file, stream_file.h) against one receiver, one thread and one keep-alive
// HTTP connection per stream shard, as fast as the receiver accepts. Bodies
// are sent from where they lie, never copied.
//
// Retry policy, after Prometheus's sender: 5xx answers and connection
// errors are retried with exponential backoff (bounded in attempts); other
// non-2xx answers (4xx) are errors and the request is dropped. A request
// that still fails after the last attempt is dropped too, and counted.
#ifndef STRATA_BENCH_LOADGEN_REPLAY_H_
#define STRATA_BENCH_LOADGEN_REPLAY_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "bench/loadgen/encode.h"
#include "bench/loadgen/request_views.h"

namespace strata::loadgen {

struct ReplayOptions {
  std::string host = "127.0.0.1";
  int port = 9201;
  std::string path = "/api/v1/write";
  Protocol protocol = Protocol::kV1;
  // Attempts per request, the first included.
  int max_attempts = 6;
  std::chrono::milliseconds initial_backoff{30};
  std::chrono::milliseconds max_backoff{1000};
  // Per-request socket timeouts.
  std::chrono::seconds connect_timeout{5};
  std::chrono::seconds io_timeout{60};
  // No new request starts after this much time; the rest count as unsent.
  std::chrono::seconds duration_limit{300};
};

struct ReplayResult {
  uint64_t requests_ok = 0;
  uint64_t samples_ok = 0;
  uint64_t requests_dropped = 0;  // 4xx, or out of attempts
  uint64_t samples_dropped = 0;
  uint64_t requests_unsent = 0;  // not started before the duration limit
  uint64_t samples_unsent = 0;
  uint64_t retries = 0;
  // Every answer received, retried ones included; -1 counts connection
  // errors (no answer).
  std::map<int, uint64_t> status_counts;
  // The first few distinct error answers ("status: body"), for the report.
  std::vector<std::string> error_examples;
  // Remote write 2.0 receivers must say how many samples they wrote
  // (X-Prometheus-Remote-Write-Samples-Written). Counted over 2xx answers
  // to v2 requests: the header absent, or not the request's sample count.
  uint64_t v2_written_header_missing = 0;
  uint64_t v2_written_header_mismatch = 0;
  bool hit_duration_limit = false;
  double wall_seconds = 0;
};

// Progress callback: called about once per `progress_every` from the
// coordinating thread with the samples acknowledged so far.
using ProgressFn = std::function<void(uint64_t samples_ok, double elapsed_seconds)>;

// Sends stream.per_connection[c] in order on connection c, all connections
// concurrently; returns when every connection is done or gave up.
ReplayResult Replay(const EncodedStream& stream, const ReplayOptions& options,
                    std::chrono::seconds progress_every, const ProgressFn& progress);

// Sends requests.group(w, c) in order on connection c, all connections
// concurrently, window by window: a connection that finished window w waits
// until every connection has (a barrier) before it starts window w + 1.
// One keep-alive connection per c for the whole replay. Past the duration
// limit no request starts; the rest of every window counts as unsent.
ReplayResult ReplayWindows(const WindowedRequests& requests, const ReplayOptions& options,
                           std::chrono::seconds progress_every, const ProgressFn& progress);

}  // namespace strata::loadgen

#endif  // STRATA_BENCH_LOADGEN_REPLAY_H_
