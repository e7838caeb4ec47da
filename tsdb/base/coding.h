// Fixed-width little-endian and varint encoding.
//
// Put* functions append to a std::string (reusing its capacity). Decoding
// goes through Decoder, which never reads past its end: after any failed
// read, ok() is false and every further read returns 0.
#ifndef STRATA_TSDB_BASE_CODING_H_
#define STRATA_TSDB_BASE_CODING_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace strata {

inline void PutFixed32(std::string* out, uint32_t v) {
  char b[4];
  for (int i = 0; i < 4; ++i) b[i] = static_cast<char>(v >> (8 * i));
  out->append(b, 4);
}
inline void PutFixed64(std::string* out, uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (8 * i));
  out->append(b, 8);
}
inline void PutBigEndian32(std::string* out, uint32_t v) {
  char b[4];
  for (int i = 0; i < 4; ++i) b[i] = static_cast<char>(v >> (8 * (3 - i)));
  out->append(b, 4);
}
inline uint32_t LoadFixed32(const void* p) {
  const auto* b = static_cast<const uint8_t*>(p);
  return uint32_t{b[0]} | uint32_t{b[1]} << 8 | uint32_t{b[2]} << 16 | uint32_t{b[3]} << 24;
}
inline uint64_t LoadFixed64(const void* p) {
  return uint64_t{LoadFixed32(p)} | uint64_t{LoadFixed32(static_cast<const uint8_t*>(p) + 4)} << 32;
}
inline uint32_t LoadBigEndian32(const void* p) {
  const auto* b = static_cast<const uint8_t*>(p);
  return uint32_t{b[0]} << 24 | uint32_t{b[1]} << 16 | uint32_t{b[2]} << 8 | uint32_t{b[3]};
}

// Unsigned LEB128, at most 10 bytes.
inline void PutUvarint(std::string* out, uint64_t v) {
  char b[10];
  int n = 0;
  while (v >= 0x80) {
    b[n++] = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  b[n++] = static_cast<char>(v);
  out->append(b, n);
}
// Zig-zag signed varint (as Go's binary.PutVarint).
inline void PutVarint(std::string* out, int64_t v) {
  PutUvarint(out, (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}
// Length-prefixed bytes: uvarint length, then the bytes.
inline void PutLengthPrefixed(std::string* out, std::string_view s) {
  PutUvarint(out, s.size());
  out->append(s);
}
inline int UvarintLength(uint64_t v) {
  int n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

// Bounds-checked reader over a byte range. Does not own the bytes.
class Decoder {
 public:
  explicit Decoder(std::string_view data) : p_(data.data()), end_(data.data() + data.size()) {}

  bool ok() const { return ok_; }
  size_t remaining() const { return static_cast<size_t>(end_ - p_); }
  bool done() const { return p_ == end_; }

  uint8_t Byte() {
    if (!Need(1)) return 0;
    return static_cast<uint8_t>(*p_++);
  }
  // The next byte without consuming it; 0 at the end (not a failure).
  uint8_t Peek() const { return ok_ && p_ < end_ ? static_cast<uint8_t>(*p_) : 0; }
  uint32_t Fixed32() {
    if (!Need(4)) return 0;
    uint32_t v = LoadFixed32(p_);
    p_ += 4;
    return v;
  }
  uint64_t Fixed64() {
    if (!Need(8)) return 0;
    uint64_t v = LoadFixed64(p_);
    p_ += 8;
    return v;
  }
  uint32_t BigEndian32() {
    if (!Need(4)) return 0;
    uint32_t v = LoadBigEndian32(p_);
    p_ += 4;
    return v;
  }
  uint64_t Uvarint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (!Need(1)) return 0;
      uint8_t b = static_cast<uint8_t>(*p_++);
      if (shift == 63 && b > 1) return Fail();
      v |= uint64_t{b & 0x7fu} << shift;
      if (b < 0x80) return v;
    }
    return Fail();
  }
  int64_t Varint() {
    uint64_t u = Uvarint();
    return static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1);
  }
  // Returns the next `n` bytes (a view into the input).
  std::string_view Bytes(size_t n) {
    if (!Need(n)) return {};
    std::string_view s(p_, n);
    p_ += n;
    return s;
  }
  std::string_view LengthPrefixed() {
    uint64_t n = Uvarint();
    if (!ok_) return {};
    if (n > remaining()) {
      Fail();
      return {};
    }
    return Bytes(static_cast<size_t>(n));
  }

 private:
  bool Need(size_t n) {
    if (!ok_ || remaining() < n) {
      Fail();
      return false;
    }
    return true;
  }
  uint64_t Fail() {
    ok_ = false;
    p_ = end_;
    return 0;
  }
  const char* p_;
  const char* end_;
  bool ok_ = true;
};

}  // namespace strata

#endif  // STRATA_TSDB_BASE_CODING_H_
