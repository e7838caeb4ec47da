// Gorilla XOR chunks: delta-of-delta timestamps and XOR-encoded float values.
// Byte layout: docs/format/chunks.md.
//
//   XorAppender app;                     // owns a growable buffer
//   app.Append(t, v);                    // REQUIRES: t > previous t
//   std::span<const uint8_t> b = app.bytes();
//   XorIterator it(b);                   // borrows b
//   while (it.Next()) use(it.t(), it.v());
//   if (!it.status().ok()) ...           // corrupt input is reported, never UB
//
// Values round-trip bit-exactly: every NaN payload, ±Inf, -0.0 and the
// Prometheus stale marker 0x7ff0000000000002.
//
// Thread safety: none; an appender or iterator is used by one thread at a time.
// Readers of an open chunk must hold the owner's lock while copying bytes().
#ifndef STRATA_TSDB_CHUNK_XOR_CHUNK_H_
#define STRATA_TSDB_CHUNK_XOR_CHUNK_H_

#include <cstdint>
#include <cstring>
#include <memory>
#include <span>

#include "absl/status/status.h"

namespace strata {

// Encodes samples into a buffer that grows from a small size. Holds the
// encoder state (previous timestamp, delta, value, leading/trailing zeros),
// so appends are O(1) with no re-scan of the chunk. sizeof(XorAppender) is
// kept small because the head holds one per active series.
class XorAppender {
 public:
  XorAppender() = default;
  XorAppender(XorAppender&&) noexcept;
  XorAppender& operator=(XorAppender&&) noexcept;
  ~XorAppender();

  // REQUIRES: num_samples() == 0 or t > last_t(). Caller enforces ordering.
  void Append(int64_t t, double v);

  uint16_t num_samples() const;
  int64_t first_t() const;  // REQUIRES: num_samples() > 0
  int64_t last_t() const;   // REQUIRES: num_samples() > 0
  double last_v() const;    // REQUIRES: num_samples() > 0
  // The encoded chunk so far; valid until the next Append or move.
  std::span<const uint8_t> bytes() const;
  // Heap bytes held (buffer capacity).
  size_t MemoryBytes() const;

 private:
  // Private state: a buffer pointer, its size in bits and capacity, and the
  // encoder state. See the .cc for the exact fields.
  uint8_t* buf_ = nullptr;
  uint32_t cap_ = 0;
  uint32_t bit_len_ = 0;
  int64_t t_ = 0;
  int64_t first_t_ = 0;
  int64_t t_delta_ = 0;
  uint64_t v_bits_ = 0;
  uint16_t count_ = 0;
  uint8_t leading_ = 0xff;  // 0xff: no previous XOR window
  uint8_t trailing_ = 0;
};

// Decodes a chunk. Borrows the bytes: they must outlive the iterator (or
// until Reset).
class XorIterator {
 public:
  XorIterator() = default;
  explicit XorIterator(std::span<const uint8_t> chunk) { Reset(chunk); }
  void Reset(std::span<const uint8_t> chunk);

  // Advances to the next sample. False at the end or on corrupt input
  // (then status() is not ok).
  bool Next();
  // Advances to the first sample with timestamp >= t (staying put if the
  // current one qualifies). False if there is none.
  bool Seek(int64_t t);
  int64_t t() const { return t_; }
  double v() const {
    double d;
    std::memcpy(&d, &v_bits_, sizeof d);
    return d;
  }
  const absl::Status& status() const { return status_; }

 private:
  // Implementation state (bit reader position etc.); see the .cc.
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  uint64_t bit_pos_ = 0;
  uint16_t total_ = 0;
  uint16_t read_ = 0;
  int64_t t_ = 0;
  int64_t t_delta_ = 0;
  uint64_t v_bits_ = 0;
  uint8_t leading_ = 0;
  uint8_t trailing_ = 0;
  absl::Status status_;
};

// Number of samples encoded in `chunk` (from its header), 0 if too short.
uint16_t XorNumSamples(std::span<const uint8_t> chunk);

}  // namespace strata

#endif  // STRATA_TSDB_CHUNK_XOR_CHUNK_H_
