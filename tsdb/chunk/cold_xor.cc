// The XOR fallback for values that are not short decimals (arbitrary
// floats): Gorilla's scheme over bit patterns, most significant bit first.
// Unlike XOR chunks, the window header stores leading zeros in 6 bits, so
// every pattern (up to 63 leading zeros) is representable without clamping.
#include "tsdb/base/bit_stream.h"
#include "tsdb/chunk/cold_columns.h"
#include "tsdb/chunk/cold_int_column.h"

namespace strata::cold {

void EncodeXorValues(std::span<const uint64_t> bits, std::string* out) {
  // Worst case: 64 bits, then 2 + 12 + 64 bits per value.
  std::vector<uint8_t> buf(bits.size() * 10 + 16);
  BitWriter w(buf.data(), buf.size());
  w.WriteBits(bits[0], 64);
  int leading = -1, sig = 0;  // current window; -1: none yet
  for (size_t i = 1; i < bits.size(); ++i) {
    const uint64_t x = bits[i] ^ bits[i - 1];
    if (x == 0) {
      w.WriteBits(0, 1);
      continue;
    }
    const int lz = __builtin_clzll(x), tz = __builtin_ctzll(x);
    if (leading >= 0 && lz >= leading && tz >= 64 - leading - sig) {
      w.WriteBits(0b10, 2);
      w.WriteBits(x >> (64 - leading - sig), sig);
      continue;
    }
    leading = lz;
    sig = 64 - lz - tz;
    w.WriteBits(0b11, 2);
    w.WriteBits(static_cast<uint64_t>(leading), 6);
    w.WriteBits(static_cast<uint64_t>(sig - 1), 6);
    w.WriteBits(x >> tz, sig);
  }
  out->append(reinterpret_cast<const char*>(buf.data()), w.bytes_used());
}

bool DecodeXorValues(std::string_view payload, size_t n, uint64_t* out, const char** what) {
  BitReader r(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(payload.data()), payload.size()));
  uint64_t v = r.ReadBits(64);
  out[0] = v;
  int leading = -1, sig = 0;
  for (size_t i = 1; i < n; ++i) {
    if (!r.ReadBit()) {
      out[i] = v;
      continue;
    }
    if (r.ReadBit()) {
      leading = static_cast<int>(r.ReadBits(6));
      sig = static_cast<int>(r.ReadBits(6)) + 1;
      if (leading + sig > 64) return Fail(what, "xor window out of range");
    } else if (leading < 0) {
      return Fail(what, "xor window reused before set");
    }
    v ^= r.ReadBits(sig) << (64 - leading - sig);
    out[i] = v;
    // A corrupt stream ends early; stop at the first read past the end
    // rather than spinning through up to n empty reads.
    if (!r.ok()) return Fail(what, "truncated xor values");
  }
  if (!r.ok()) return Fail(what, "truncated xor values");
  if (r.bits_left() >= 8) return Fail(what, "trailing bytes in xor values");
  return true;
}

}  // namespace strata::cold
