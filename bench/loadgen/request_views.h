// Non-owning views of a remote-write request stream, as the sender
// (replay.h) consumes it: request bodies live elsewhere (an EncodedStream in
// memory, or a stream file mapped by stream_file.h), so the same sender
// replays both without copying a body.
#ifndef STRATA_BENCH_LOADGEN_REQUEST_VIEWS_H_
#define STRATA_BENCH_LOADGEN_REQUEST_VIEWS_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace strata::loadgen {

struct RequestView {
  std::string_view body;  // snappy-compressed protobuf
  uint32_t samples = 0;
};

// The requests of a stream cut into time windows: group(w, c) is what
// connection c sends in window w, in order. Every connection finishes
// window w before any starts window w + 1 (receivers refuse samples much
// older than the newest they hold, so a long history has to advance in
// step on all connections).
struct WindowedRequests {
  int windows = 0;
  int connections = 0;
  // windows * connections spans, window-major: [w * connections + c].
  std::vector<std::span<const RequestView>> groups;

  std::span<const RequestView> group(int window, int connection) const {
    return groups[static_cast<size_t>(window) * connections + connection];
  }
};

}  // namespace strata::loadgen

#endif  // STRATA_BENCH_LOADGEN_REQUEST_VIEWS_H_
