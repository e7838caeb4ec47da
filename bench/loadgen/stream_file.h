// A pre-encoded remote-write stream on disk: encoded once (`strata-querybench
// stream`), replayed to each receiver (`strata-loadgen --stream`), so every
// system gets byte-identical requests in the same order and the encoding
// cost is never in the timing.
//
// Format, version 1. Integers are little-endian; CRCs are CRC32C
// (tsdb/base/crc32c.h).
//
//   header, 128 bytes
//     0  char[8] magic "STRATARW"
//     8  u32     version (1)
//    12  u32     protocol: 1 = remote write 1.0, 2 = 2.0
//    16  u32     connections (>= 1)
//    20  u32     header CRC: of the 128 header bytes with this field zero,
//                then of the description
//    24  u64     windows
//    32  u64     requests
//    40  u64     samples
//    48  u64     series: distinct label sets in the stream
//    56  i64     min timestamp (ms)
//    64  i64     max timestamp (ms)
//    72  u64     raw bytes: protobuf bytes before compression, summed
//    80  u64     body bytes: compressed bodies, summed
//    88  u32     targets      } how the stream was made, for reports;
//    92  u32     scrapes      } 0 when not applicable (e.g. a capture)
//    96  i64     interval (ms)}
//   104  u32     batch: the most samples per request asked for
//   108  u32     description length
//   112  16 bytes reserved, zero
//   description: that many bytes of text (the command that made the stream)
//   groups: windows * connections of them, window-major (window 0's
//   connections 0 .. C-1, then window 1's, ...), each
//     group header, 24 bytes: u32 magic "GRP1", u32 window, u32 connection,
//       u32 requests, u64 samples (the sum of its requests')
//     `requests` records, in the order the connection sends them, each
//       u32 samples, u32 body length, u32 body CRC, then the body: a
//       snappy-compressed protobuf request of the header's protocol
//   and nothing after the last group.
//
// Window w of connection c goes out on connection c after every connection
// finished window w - 1 (request_views.h). Receivers refuse samples older
// than their newest minus an hour, so writers keep a window within 30
// minutes of data and each series on one connection, in time order.
//
// The writer streams to PATH.tmp and renames it to PATH when finished, so
// a file under the final name is complete; memory is bounded by one group.
// The reader maps the file and hands out views of the bodies, checking
// every bound (and, when asked, every body's CRC) before any view is used.
//
// Thread safety: a writer is used by one thread; a reader's const methods
// are thread-safe.
#ifndef STRATA_BENCH_LOADGEN_STREAM_FILE_H_
#define STRATA_BENCH_LOADGEN_STREAM_FILE_H_

#include <cstdint>
#include <cstdio>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "bench/loadgen/encode.h"
#include "bench/loadgen/request_views.h"

namespace strata::loadgen {

inline constexpr uint32_t kStreamFileVersion = 1;
inline constexpr size_t kStreamHeaderBytes = 128;
inline constexpr size_t kStreamGroupHeaderBytes = 24;
inline constexpr size_t kStreamRecordHeaderBytes = 12;

// What the header says.
struct StreamFileInfo {
  Protocol protocol = Protocol::kV1;
  int connections = 1;
  uint64_t windows = 0;
  uint64_t requests = 0;
  uint64_t samples = 0;
  uint64_t series = 0;
  int64_t min_timestamp_ms = 0;
  int64_t max_timestamp_ms = 0;
  uint64_t raw_bytes = 0;
  uint64_t body_bytes = 0;
  uint32_t targets = 0;
  uint32_t scrapes = 0;
  int64_t interval_ms = 0;
  uint32_t batch = 0;
  std::string description;
  uint64_t file_bytes = 0;  // reader only: the file's size
};

// What only the encoder knows (the writer counts the rest itself).
struct StreamContent {
  uint64_t series = 0;
  int64_t min_timestamp_ms = 0;
  int64_t max_timestamp_ms = 0;
  uint64_t raw_bytes = 0;
};

class StreamFileWriter {
 public:
  // Starts PATH.tmp. From `info`, keeps protocol, connections (>= 1),
  // targets, scrapes, interval_ms, batch and description.
  static absl::StatusOr<std::unique_ptr<StreamFileWriter>> Create(const std::string& path,
                                                                  const StreamFileInfo& info);
  ~StreamFileWriter();  // removes PATH.tmp unless Finish succeeded

  // Appends what `connection` sends in `window`. REQUIRES: groups come in
  // file order (window-major, every connection of a window, from (0, 0)).
  absl::Status AppendGroup(int window, int connection, std::span<const EncodedRequest> requests);
  // Writes the header (after checking every window is complete) and
  // renames PATH.tmp to PATH.
  absl::Status Finish(const StreamContent& content);

  uint64_t bytes_written() const { return offset_; }
  uint64_t samples_written() const { return info_.samples; }

 private:
  StreamFileWriter(std::string path, FILE* file, StreamFileInfo info);
  absl::Status Write(const void* data, size_t n);

  std::string path_;
  FILE* file_;
  StreamFileInfo info_;  // counts so far
  uint64_t offset_ = 0;
  uint64_t next_group_ = 0;  // window * connections + connection expected next
  bool finished_ = false;
};

class StreamFileReader {
 public:
  // Maps `path` and checks the header, its CRC and the bounds of every group
  // and record; with verify_bodies, every body's CRC too (reads the whole
  // file). Errors name the file, the place and what was wrong.
  static absl::StatusOr<std::unique_ptr<StreamFileReader>> Open(const std::string& path,
                                                                bool verify_bodies);
  ~StreamFileReader();

  const StreamFileInfo& info() const { return info_; }
  // Views into the mapping, valid while the reader lives.
  const WindowedRequests& requests() const { return requests_; }

 private:
  StreamFileReader() = default;
  absl::Status Parse(bool verify_bodies);

  std::string path_;
  const char* data_ = nullptr;
  size_t size_ = 0;
  StreamFileInfo info_;
  std::vector<RequestView> views_;
  WindowedRequests requests_;
};

}  // namespace strata::loadgen

#endif  // STRATA_BENCH_LOADGEN_STREAM_FILE_H_
