// Pre-encodes a remote-write request stream for strata-loadgen.
//
// The stream is built completely before any request is sent, so the timed
// replay measures the receiver and not protobuf encoding or compression.
//
// Shape, chosen to look like Prometheus's own sender:
// - Targets (1,000 series each, from bench/workload/synthetic.h) are sharded
//   across connections by target: target t goes through connection
//   t % connections. A series therefore always travels through one
//   connection, in time order, as Prometheus's per-shard queues guarantee.
// - A connection's stream is round-major: scrape 0 of each of its targets,
//   then scrape 1, ... A request holds max(1, batch / 1000) whole target
//   scrapes, so samples of one series never interleave within a connection.
// - v1: one TimeSeries per (series, scrape) with one sample, as Prometheus
//   sends. v2: the same series, with a per-request symbol table and per-series
//   metadata (counter/gauge).
#ifndef STRATA_BENCH_LOADGEN_ENCODE_H_
#define STRATA_BENCH_LOADGEN_ENCODE_H_

#include <cstdint>
#include <string>
#include <vector>

namespace strata::loadgen {

enum class Protocol { kV1, kV2 };

struct EncodeOptions {
  Protocol protocol = Protocol::kV1;
  int targets = 200;
  int scrapes = 20;
  int64_t interval_ms = 15'000;
  // Timestamp of scrape 0's slot; each target adds its offset within the
  // interval (and a few ms of jitter).
  int64_t start_ms = 0;
  int batch = 2000;
  int connections = 8;
  uint64_t seed = 1;
  // Encoding threads (each encodes whole connections).
  int threads = 2;
};

struct EncodedRequest {
  std::string body;  // snappy-compressed protobuf
  uint32_t samples = 0;
};

struct EncodedStream {
  // per_connection[c] is the ordered list of requests connection c sends.
  std::vector<std::vector<EncodedRequest>> per_connection;
  uint64_t requests = 0;
  uint64_t samples = 0;
  uint64_t series = 0;
  uint64_t raw_bytes = 0;         // protobuf bytes before compression
  uint64_t compressed_bytes = 0;  // bytes on the wire (bodies)
  int64_t min_timestamp_ms = 0;
  int64_t max_timestamp_ms = 0;
};

// REQUIRES: targets >= 1, scrapes >= 1, 1 <= connections <= targets,
// interval_ms > 3, batch >= 1.
EncodedStream EncodeStream(const EncodeOptions& options);

}  // namespace strata::loadgen

#endif  // STRATA_BENCH_LOADGEN_ENCODE_H_
