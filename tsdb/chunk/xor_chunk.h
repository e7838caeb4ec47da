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

#include "absl/base/attributes.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "tsdb/base/bit_stream.h"
#include "tsdb/base/timed_value.h"

namespace strata {

// Encodes samples into a buffer that grows from a small size. Holds the
// encoder state (previous timestamp, delta, value, leading/trailing zeros),
// so appends are O(1) with no re-scan of the chunk. sizeof(XorAppender) is
// kept small because the head holds one per active series.
class XorAppender {
 public:
  // The 16-bit header caps a chunk at this many samples. The head cuts
  // chunks long before (120 samples); this bound is for other writers.
  static constexpr uint16_t kMaxSamples = 65535;

  XorAppender() = default;
  XorAppender(XorAppender&&) noexcept;
  XorAppender& operator=(XorAppender&&) noexcept;
  ~XorAppender();

  // REQUIRES: num_samples() < kMaxSamples (asserted; release builds drop the
  // sample and leave the chunk unchanged).
  // REQUIRES: num_samples() == 0 or t > last_t(). Caller enforces ordering.
  // (Any int64 timestamps still round-trip, but Seek assumes ascending order.)
  void Append(int64_t t, double v);

  uint16_t num_samples() const { return count_; }
  bool full() const { return count_ == kMaxSamples; }
  int64_t first_t() const { return first_t_; }  // REQUIRES: num_samples() > 0
  int64_t last_t() const { return t_; }         // REQUIRES: num_samples() > 0
  double last_v() const {                       // REQUIRES: num_samples() > 0
    double d;
    std::memcpy(&d, &v_bits_, sizeof d);
    return d;
  }
  // The encoded chunk so far (a complete chunk after every Append; the
  // 2-byte empty chunk before the first); valid until the next Append,
  // ShrinkToFit or move.
  std::span<const uint8_t> bytes() const;
  // Heap bytes held (buffer capacity).
  size_t MemoryBytes() const { return cap_; }
  // Drops the buffer's unused capacity (e.g. when the chunk is cut and will
  // not grow again). A later Append grows the buffer again as needed.
  void ShrinkToFit();

 private:
  // Makes the buffer hold at least `bits` bits, growing geometrically.
  void Reserve(uint64_t bits);
  void AppendFirst(int64_t t, uint64_t v_bits);
  void AppendSecond(int64_t t, uint64_t v_bits);

  uint8_t* buf_ = nullptr;  // malloc'ed; header + bit stream
  uint32_t cap_ = 0;        // bytes allocated at buf_
  uint32_t bit_len_ = 0;    // bits written, header included
  int64_t t_ = 0;           // last timestamp
  int64_t first_t_ = 0;
  uint64_t t_delta_ = 0;  // last timestamp delta (two's complement)
  uint64_t v_bits_ = 0;   // last value's bit pattern
  uint16_t count_ = 0;
  uint8_t leading_ = 0xff;  // XOR window of the last '11' record; 0xff: none yet
  uint8_t trailing_ = 0;
};

// Decodes a chunk. Borrows the bytes: they must outlive the iterator (or
// until Reset). A default-constructed iterator is empty (Next returns false,
// status ok). Input shorter than the 2-byte header, truncated or corrupt is
// reported as absl::DataLossError("xor chunk: ..."); samples decoded before
// the damage stay valid. Never reads outside the given bytes.
class XorIterator {
 public:
  XorIterator() = default;
  explicit XorIterator(std::span<const uint8_t> chunk) { Reset(chunk); }
  // Restarts on `chunk`, clearing any previous error.
  void Reset(std::span<const uint8_t> chunk);

  // Advances to the next sample. False at the end or on corrupt input
  // (then status() is not ok). Once false, stays false until Reset.
  bool Next();
  // Advances to the first sample with timestamp >= t (staying put if the
  // current one qualifies; never moves backwards). False if there is none,
  // and then the iterator is exhausted. May be called before Next.
  bool Seek(int64_t t);
  // REQUIRES: the last Next or Seek returned true.
  int64_t t() const { return t_; }
  double v() const {
    double d;
    std::memcpy(&d, &v_bits_, sizeof d);
    return d;
  }
  const absl::Status& status() const { return status_; }
  // Batch read (see SampleIterator::ReadBatch in tsdb/storage.h).
  // REQUIRES: the last Next or Seek returned true; cap > 0.
  size_t ReadBatch(int64_t maxt, TimedValue* out, size_t cap, bool* positioned);

 private:
  // Decoding of the samples after the second one is inlined (the hot path
  // of every query); everything else is out of line in the .cc.
  struct DodBucket {
    uint8_t bits;   // prefix + payload bits to consume
    uint8_t shift;  // (w << prefix) >> shift extracts the payload
    uint8_t prefix;
    uint64_t half;  // payloads above `half` are negative...
    uint64_t full;  // ...and get `full` (2^width) subtracted
  };
  // Indexed by the number of leading 1 bits (0..3) of a timestamp record.
  static constexpr DodBucket kDodBuckets[4] = {
      {},  // '0' (dod == 0) is decoded before the table
      {16, 64 - 14, 2, uint64_t{1} << 13, uint64_t{1} << 14},
      {20, 64 - 17, 3, uint64_t{1} << 16, uint64_t{1} << 17},
      {24, 64 - 20, 4, uint64_t{1} << 19, uint64_t{1} << 20},
  };

  // The state the next sample is decoded from: the current sample and the
  // XOR window. The decoding loops keep a copy in locals (registers) and
  // store it back once, not after every sample.
  struct Cursor {
    int64_t t;
    uint64_t t_delta;  // two's complement
    uint64_t v_bits;
    uint32_t sig;
    uint32_t trailing;
  };
  enum class Step { kOk, kTruncated, kBadWindow };
  Cursor cursor() const { return {t_, t_delta_, v_bits_, sig_, trailing_}; }
  void set_cursor(const Cursor& c) {
    t_ = c.t;
    t_delta_ = c.t_delta;
    v_bits_ = c.v_bits;
    sig_ = static_cast<uint8_t>(c.sig);
    trailing_ = static_cast<uint8_t>(c.trailing);
  }
  // Decodes the sample after `c` (one of the third and later) from `r`.
  static Step DecodeNext(BitReader& r, Cursor& c);
  // The value record after a '1' bit; false for a window out of range.
  // REQUIRES: >= 13 bits of refill budget.
  static bool DecodeValue(BitReader& r, Cursor& c);
  // Fails with the message for a Step other than kOk.
  bool FailStep(Step step);

  bool NextSlow();
  bool ReadFirst();
  bool ReadSecond();
  bool Fail(absl::string_view what);
  uint32_t sample_index() const { return total_ - fast_left_ - 1; }

  BitReader br_;                   // over the bits after the second timestamp
  const uint8_t* data_ = nullptr;  // whole chunk, for the byte-aligned start
  uint32_t size_ = 0;
  uint32_t second_pos_ = 0;  // byte offset of the second sample (after the first)
  uint32_t total_ = 0;       // samples per header
  uint32_t fast_left_ = 0;   // samples left for the inlined path (index >= 2)
  uint8_t started_ = 0;      // samples 0 and 1 decoded: 0, 1 or 2
  bool done_ = false;        // a Next returned false
  uint8_t sig_ = 64;         // current XOR window: significant bits...
  uint8_t trailing_ = 0;     // ...and trailing zeros
  int64_t t_ = 0;
  uint64_t t_delta_ = 0;  // two's complement
  uint64_t v_bits_ = 0;
  absl::Status status_;
};

ABSL_ATTRIBUTE_ALWAYS_INLINE inline XorIterator::Step XorIterator::DecodeNext(BitReader& r,
                                                                              Cursor& c) {
  r.Refill();
  uint64_t w = r.Window();
  // Timestamp: '0' | '10'+14 | '110'+17 | '1110'+20 | '1111'+64 bits.
  if (static_cast<int64_t>(w) >= 0) {
    // dod == 0. Regular scrapes hit this nearly always.
    if ((w >> 62) == 0) {
      // ...and the value is unchanged too: the whole sample is '00'.
      r.Consume(2);
      c.t = static_cast<int64_t>(static_cast<uint64_t>(c.t) + c.t_delta);
      return r.ok() ? Step::kOk : Step::kTruncated;
    }
    r.Consume(1);
  } else {
    const int ones = __builtin_clzll(~w | (uint64_t{1} << 59));  // min(leading 1s, 4)
    if (ones == 1) [[likely]] {
      // '10' + 14 bits: millisecond jitter lands here; constant shifts.
      uint64_t dod = (w << 2) >> 50;
      if (dod > (uint64_t{1} << 13)) dod -= uint64_t{1} << 14;
      c.t_delta += dod;
      r.Consume(16);
    } else if (ones < 4) {
      // At most 24 bits, within the refill budget; no branch on the bucket.
      const DodBucket& b = kDodBuckets[ones];
      uint64_t dod = (w << b.prefix) >> b.shift;
      dod -= b.full & (0 - static_cast<uint64_t>(dod > b.half));
      c.t_delta += dod;
      r.Consume(b.bits);
    } else {
      r.Consume(4);
      c.t_delta += r.ReadBits(64);
      r.Refill();  // the value record expects a fresh budget
    }
  }
  c.t = static_cast<int64_t>(static_cast<uint64_t>(c.t) + c.t_delta);
  // Value: '0' unchanged | '10' + bits in the current window | '11' new window.
  w = r.Window();
  if (static_cast<int64_t>(w) >= 0) {
    r.Consume(1);
  } else if (!DecodeValue(r, c)) [[unlikely]] {
    return Step::kBadWindow;
  }
  return r.ok() ? Step::kOk : Step::kTruncated;
}

ABSL_ATTRIBUTE_ALWAYS_INLINE inline bool XorIterator::DecodeValue(BitReader& r, Cursor& c) {
  // '10': reuse the window. '11' + 5 bits leading zeros + 6 bits significant
  // bits (0 means 64): a new window. (A branch-free select of the two
  // measured slower here: gauges nearly always take '11', predictably.)
  const uint64_t w = r.Window();
  const bool fresh = (w >> 62) & 1;
  if (fresh) {
    const unsigned hdr = static_cast<unsigned>(w >> 51) & 0x7ff;
    const unsigned leading = hdr >> 6;
    const unsigned sig = ((hdr - 1) & 63) + 1;
    if (leading + sig > 64) [[unlikely]] {
      return false;
    }
    c.sig = sig;
    c.trailing = 64 - leading - sig;
    r.Consume(13);
  } else {
    r.Consume(2);
  }
  uint64_t bits;
  if (c.sig <= BitReader::kRefillBits) [[likely]] {
    if (r.buffered() < static_cast<int>(c.sig)) r.Refill();
    bits = r.Take(static_cast<int>(c.sig));
  } else {
    bits = r.ReadBits(static_cast<int>(c.sig));
  }
  c.v_bits ^= bits << c.trailing;
  return true;
}

ABSL_ATTRIBUTE_ALWAYS_INLINE inline bool XorIterator::Next() {
  if (fast_left_ == 0) [[unlikely]] {
    return NextSlow();
  }
  --fast_left_;
  // Local copies so the state lives in registers for the whole sample.
  BitReader r = br_;
  Cursor c = cursor();
  const Step step = DecodeNext(r, c);
  br_ = r;
  set_cursor(c);
  if (step != Step::kOk) [[unlikely]] {
    return FailStep(step);
  }
  return true;
}

// Number of samples encoded in `chunk` (from its header), 0 if too short.
uint16_t XorNumSamples(std::span<const uint8_t> chunk);

}  // namespace strata

#endif  // STRATA_TSDB_CHUNK_XOR_CHUNK_H_
