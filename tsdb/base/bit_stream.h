// Bit-granular writer and reader, most significant bit first.
//
// Bit i of a stream is bit (7 - i % 8) of byte i / 8: the first bit written
// is the top bit of the first byte. This is the order Gorilla/Prometheus
// chunks use (docs/format/chunks.md).
//
//   uint8_t buf[16];
//   BitWriter w(buf, sizeof buf);          // borrows buf
//   w.WriteBits(0b101, 3);
//   BitReader r(std::span(buf, w.bytes_used()));
//   uint64_t x = r.ReadBits(3);            // 0b101
//   if (!r.ok()) ...                       // read past the end of buf
//
// Both classes borrow their bytes; neither allocates. Not thread-safe.
#ifndef STRATA_TSDB_BASE_BIT_STREAM_H_
#define STRATA_TSDB_BASE_BIT_STREAM_H_

#include <bit>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace strata {

// Unaligned big-endian 64-bit load and store.
inline uint64_t LoadBigEndian64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap64(v);
  return v;
}
inline void StoreBigEndian64(uint8_t* p, uint64_t v) {
  if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap64(v);
  std::memcpy(p, &v, sizeof v);
}

// Writes bits MSB-first into a caller-owned byte array of fixed capacity,
// starting at a given bit position (so a growable owner can construct one per
// append on its current buffer and position). Bits before the start position
// are preserved; bytes after the last bit written (up to 8, within capacity)
// may be overwritten with zeros. The unused low bits of the last byte written
// are zero, so the first bytes_used() bytes are a deterministic encoding.
class BitWriter {
 public:
  // REQUIRES: start_bit <= 8 * capacity.
  BitWriter(uint8_t* buf, size_t capacity, uint64_t start_bit = 0)
      : buf_(buf), cap_(capacity), pos_(start_bit) {
    assert(start_bit <= 8 * uint64_t{capacity});
  }

  // Appends the low `n` bits of `v` (higher bits of `v` are ignored).
  // REQUIRES: 0 <= n <= 64 and bit_pos() + n <= 8 * capacity.
  void WriteBits(uint64_t v, int n) {
    assert(n >= 0 && n <= 64);
    assert(pos_ + static_cast<uint64_t>(n) <= 8 * uint64_t{cap_});
    if (n > kMaxChunk) {
      // Split so that bit offset (< 8) plus width always fits one 64-bit word.
      WriteChunk(v >> 32, n - 32);
      n = 32;
    }
    WriteChunk(v, n);
  }
  void WriteBit(bool bit) { WriteChunk(bit ? 1 : 0, 1); }

  // Bits written so far, counting start_bit.
  uint64_t bit_pos() const { return pos_; }
  // Bytes holding the bits written so far (the last one possibly partial).
  size_t bytes_used() const { return static_cast<size_t>((pos_ + 7) / 8); }

 private:
  static constexpr int kMaxChunk = 56;

  // REQUIRES: 0 <= n <= kMaxChunk.
  void WriteChunk(uint64_t v, int n) {
    if (n == 0) return;
    v &= (uint64_t{1} << n) - 1;
    const size_t byte = static_cast<size_t>(pos_ >> 3);
    const int off = static_cast<int>(pos_ & 7);
    // off + n <= 63, so the bits land in the top of one 64-bit big-endian word
    // below the `off` bits already written in `byte`.
    const uint64_t bits = v << (64 - off - n);
    const uint64_t head = off == 0 ? 0 : uint64_t{buf_[byte]} >> (8 - off) << (64 - off);
    const uint64_t word = head | bits;
    if (cap_ - byte >= 8) {
      // Fast path: one 8-byte store. Only the partial byte is read back (a
      // one-byte load forwards from the previous wide store; an 8-byte
      // read-modify-write would stall on the overlapping store). Bytes past
      // the new bits are zeroed, which is fine: nothing was written there.
      StoreBigEndian64(buf_ + byte, word);
    } else {
      // Near the end of the buffer: touch only the bytes the bits occupy.
      const int nbytes = (off + n + 7) / 8;
      for (int i = 0; i < nbytes; ++i) buf_[byte + i] = static_cast<uint8_t>(word >> (56 - 8 * i));
    }
    pos_ += static_cast<uint64_t>(n);
  }

  uint8_t* buf_;
  size_t cap_;
  uint64_t pos_;
};

// Reads bits MSB-first from a borrowed byte range through a 64-bit window
// refilled with big-endian loads. Never reads outside the range. Reading past
// the end yields zero bits and clears ok() for good (the error is sticky), so
// a decoder can read a whole record unchecked and test ok() once at the end.
//
// Two levels of API:
//  * ReadBits / ReadBit: checked and self-refilling; any width 0..64.
//  * Refill + Window / Consume: for hot loops. After Refill(), at least
//    kRefillBits bits are buffered unless the input ends sooner; the caller
//    may then inspect Window() and Consume() up to kRefillBits bits in total
//    without refilling. Consuming bits beyond the input end clears ok().
class BitReader {
 public:
  static constexpr int kRefillBits = 56;

  BitReader() = default;
  explicit BitReader(std::span<const uint8_t> data) { Reset(data); }

  void Reset(std::span<const uint8_t> data) {
    p_ = data.data();
    end_ = data.data() + data.size();
    window_ = 0;
    avail_ = 0;
  }

  // Tops the window up to at least kRefillBits bits, or to all remaining
  // bits if fewer are left.
  void Refill() {
    assert(avail_ >= 0 || p_ == end_);
    if (end_ - p_ >= 8) {
      // Branch-free refill: load 8 bytes, keep the whole bytes that fit
      // below the buffered bits. Bits below avail_ may already hold the same
      // stream bits from an earlier load; OR-ing identical bits is harmless.
      window_ |= LoadBigEndian64(p_) >> avail_;
      p_ += (63 - avail_) >> 3;
      avail_ |= 56;
    } else {
      RefillTail();
    }
  }

  // The buffered bits, next bit in the most significant position. Bits past
  // the buffered count are either zero or the true following stream bits.
  uint64_t Window() const { return window_; }
  // Drops the next `n` bits. REQUIRES: 0 <= n <= kRefillBits.
  void Consume(int n) {
    assert(n >= 0 && n <= kRefillBits);
    window_ <<= n;
    avail_ -= n;
  }
  // Returns and drops the next `n` bits. REQUIRES: 1 <= n <= kRefillBits,
  // within the Refill budget described above.
  uint64_t Take(int n) {
    assert(n >= 1 && n <= kRefillBits);
    const uint64_t v = window_ >> (64 - n);
    Consume(n);
    return v;
  }

  // Checked reads: refill as needed. REQUIRES: 0 <= n <= 64.
  uint64_t ReadBits(int n) {
    assert(n >= 0 && n <= 64);
    if (n == 0) return 0;
    uint64_t hi = 0;
    if (n > kRefillBits) {  // not recursive, so hot callers can inline it fully
      if (avail_ < 32) Refill();
      n -= 32;
      hi = Take(32) << n;
    }
    if (avail_ < n) Refill();
    return hi | Take(n);
  }
  bool ReadBit() { return ReadBits(1) != 0; }

  // Bits currently buffered in the window (negative once !ok()). Hot loops
  // use it to skip ReadBits's refill check.
  int buffered() const { return avail_; }
  // False once more bits were consumed than the input holds.
  bool ok() const { return avail_ >= 0; }
  // Bits not yet consumed (0 once !ok()).
  uint64_t bits_left() const {
    if (avail_ < 0) return 0;
    return 8 * static_cast<uint64_t>(end_ - p_) + static_cast<uint64_t>(avail_);
  }
  // True if the reader sits on a byte boundary (no partial byte buffered).
  bool byte_aligned() const { return avail_ >= 0 && avail_ % 8 == 0; }

 private:
  void RefillTail() {
    // avail_ < 0 only happens once p_ == end_, so shifts stay in range.
    while (avail_ <= 56 && p_ < end_) {
      window_ |= uint64_t{*p_++} << (56 - avail_);
      avail_ += 8;
    }
  }

  const uint8_t* p_ = nullptr;    // next byte not yet loaded into window_
  const uint8_t* end_ = nullptr;  // one past the last byte
  uint64_t window_ = 0;           // next bits, MSB first
  int32_t avail_ = 0;             // bits buffered in window_; < 0 after over-read
};

}  // namespace strata

#endif  // STRATA_TSDB_BASE_BIT_STREAM_H_
