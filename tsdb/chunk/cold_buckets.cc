// Bucketed rANS ("rans buckets" in docs/format/cold_chunks.md): integer
// columns whose values spread too widely for a symbol per value, such as
// durations measured in nanoseconds or the deltas of byte counters.
//
// Each value becomes u = zigzag(v - base) and is split into a bucket symbol
// (its bit length and the bit below the leading one) and the bits under
// those, stored raw. The symbols, whose distribution is skewed, go through
// the rANS coder of cold_rans.cc; the raw bits are close to uniform, so
// coding them would gain nothing. Bit packing pays the widest value of
// every 128 for each of them; on the real data that motivated this kind
// (node-exporter's per-collector scrape durations, 46 series of a 2.6-hour
// capture) the buckets took 68 KB down to 60.
#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "tsdb/chunk/cold_int_column.h"

namespace strata::cold {
namespace {

// Symbols 0..3 are u itself; above, two symbols per bit length b (3..64):
// 4 + 2 * (b - 3) + (the bit below the leading one). The largest is 127.
constexpr int kDirectSymbols = 4;
constexpr int kMaxBucketSymbol = kDirectSymbols + 2 * (64 - 3) + 1;

struct Bucket {
  int symbol;
  int extra_bits;  // raw bits under the symbol's part of u
};

Bucket BucketOf(uint64_t u) {
  if (u < kDirectSymbols) return {static_cast<int>(u), 0};
  const int b = std::bit_width(u);
  return {kDirectSymbols + 2 * (b - 3) + static_cast<int>((u >> (b - 2)) & 1), b - 2};
}

// The inverse of BucketOf: the part of u the symbol fixes, and how many raw
// bits go under it. REQUIRES: 0 <= symbol <= kMaxBucketSymbol.
Bucket BucketBase(int symbol, uint64_t* high) {
  if (symbol < kDirectSymbols) {
    *high = static_cast<uint64_t>(symbol);
    return {symbol, 0};
  }
  const int b = 3 + (symbol - kDirectSymbols) / 2;
  const uint64_t second = static_cast<uint64_t>((symbol - kDirectSymbols) & 1);
  *high = (uint64_t{1} << (b - 1)) | (second << (b - 2));
  return {symbol, b - 2};
}

// Least-significant-bit-first bit stream (as the packed kind's blocks).
class LsbBitWriter {
 public:
  explicit LsbBitWriter(std::string* out) : out_(out) {}
  // REQUIRES: width <= 62 and v < 2^width.
  void Write(uint64_t v, int width) {
    acc_ |= static_cast<unsigned __int128>(v) << bits_;
    bits_ += width;
    while (bits_ >= 8) {
      out_->push_back(static_cast<char>(static_cast<uint8_t>(acc_)));
      acc_ >>= 8;
      bits_ -= 8;
    }
  }
  void Flush() {
    if (bits_ > 0) out_->push_back(static_cast<char>(static_cast<uint8_t>(acc_)));
    acc_ = 0;
    bits_ = 0;
  }

 private:
  std::string* out_;
  unsigned __int128 acc_ = 0;
  int bits_ = 0;
};

int64_t MedianOf(std::span<const int64_t> vals) {
  std::vector<int64_t> sorted(vals.begin(), vals.end());
  auto mid = sorted.begin() + static_cast<std::ptrdiff_t>(sorted.size() / 2);
  std::nth_element(sorted.begin(), mid, sorted.end());
  return *mid;
}

// What both the estimate and the encoder need: the base, the symbol range,
// the symbol counts (indexed by symbol - lo) and the total of raw bits.
struct Analysis {
  uint64_t base = 0;
  int lo = kMaxBucketSymbol;
  int hi = 0;
  std::vector<uint64_t> counts;
  uint64_t extra_bits = 0;
};

// REQUIRES: rest non-empty.
Analysis Analyze(std::span<const int64_t> rest) {
  Analysis a;
  a.base = static_cast<uint64_t>(MedianOf(rest));
  std::array<uint64_t, kMaxBucketSymbol + 1> by_symbol{};
  for (int64_t v : rest) {
    const Bucket bucket = BucketOf(ZigZag(static_cast<int64_t>(static_cast<uint64_t>(v) - a.base)));
    ++by_symbol[bucket.symbol];
    a.extra_bits += static_cast<uint64_t>(bucket.extra_bits);
  }
  for (int sym = 0; sym <= kMaxBucketSymbol; ++sym) {
    if (by_symbol[sym] == 0) continue;
    a.lo = std::min(a.lo, sym);
    a.hi = std::max(a.hi, sym);
  }
  a.counts.assign(by_symbol.begin() + a.lo, by_symbol.begin() + a.hi + 1);
  return a;
}

// The header: first value, base, symbol range, counts.
void PutHeader(int64_t first, const Analysis& a, std::string* out) {
  PutVarint(out, first);
  PutVarint(out, static_cast<int64_t>(a.base));
  out->push_back(static_cast<char>(a.lo));
  out->push_back(static_cast<char>(a.hi - a.lo));
  // Counts, not frequencies: smaller for short columns, and the decoder
  // quantizes them exactly as the encoder did.
  for (uint64_t c : a.counts) PutUvarint(out, c);
}

}  // namespace

size_t EstimateRansBuckets(std::span<const int64_t> vals) {
  if (vals.size() < 2) return SIZE_MAX;
  const Analysis a = Analyze(vals.subspan(1));
  std::vector<uint32_t> freq;
  if (!RansQuantize(a.counts, vals.size() - 1, &freq)) return SIZE_MAX;
  double bits = static_cast<double>(a.extra_bits);
  for (size_t s = 0; s < a.counts.size(); ++s) {
    if (a.counts[s] > 0) {
      bits += static_cast<double>(a.counts[s]) * (12 - std::log2(static_cast<double>(freq[s])));
    }
  }
  std::string header;
  PutHeader(vals[0], a, &header);
  // The stream: its length prefix (about 2 bytes), two 4-byte states, and
  // the coded bits; rANS comes within a fraction of a byte of them.
  return header.size() + 2 + 8 + static_cast<size_t>(std::ceil(bits / 8));
}

bool EncodeRansBuckets(std::span<const int64_t> vals, std::string* out) {
  // The first value stands apart: in delta columns it is an absolute level,
  // an outlier that would widen the alphabet.
  if (vals.size() < 2) return false;
  std::span<const int64_t> rest = vals.subspan(1);
  const Analysis a = Analyze(rest);
  std::vector<uint32_t> freq;
  if (!RansQuantize(a.counts, rest.size(), &freq)) return false;
  std::vector<uint32_t> symbols(rest.size());
  std::string extra;
  LsbBitWriter bits(&extra);
  for (size_t i = 0; i < rest.size(); ++i) {
    const uint64_t u = ZigZag(static_cast<int64_t>(static_cast<uint64_t>(rest[i]) - a.base));
    const Bucket bucket = BucketOf(u);
    symbols[i] = static_cast<uint32_t>(bucket.symbol - a.lo);
    if (bucket.extra_bits > 0) {
      bits.Write(u & ((uint64_t{1} << bucket.extra_bits) - 1), bucket.extra_bits);
    }
  }
  bits.Flush();
  PutHeader(vals[0], a, out);
  std::string stream;
  RansEncodeSymbols(symbols, freq, &stream);
  PutLengthPrefixed(out, stream);
  out->append(extra);
  return true;
}

bool DecodeRansBuckets(std::string_view payload, size_t n, int64_t* out, const char** what) {
  if (n < 2) return Fail(what, "rans buckets need two values");
  Decoder d(payload);
  out[0] = d.Varint();
  const uint64_t base = static_cast<uint64_t>(d.Varint());
  const int lo = d.Byte();
  const int alphabet = d.Byte() + 1;
  if (!d.ok()) return Fail(what, "truncated rans buckets header");
  if (lo + alphabet - 1 > kMaxBucketSymbol) return Fail(what, "bad rans bucket alphabet");
  std::vector<uint64_t> counts(static_cast<size_t>(alphabet));
  uint64_t total = 0;
  for (uint64_t& c : counts) {
    c = d.Uvarint();
    if (c > n) return Fail(what, "bad rans bucket count");
    total += c;
  }
  std::string_view stream = d.LengthPrefixed();
  if (!d.ok()) return Fail(what, "truncated rans buckets header");
  std::vector<uint32_t> freq;
  if (total != n - 1 || !RansQuantize(counts, total, &freq)) {
    return Fail(what, "bad rans bucket counts");
  }
  // Per symbol of the alphabet: the part of u it fixes and its raw bits,
  // and so the exact length of the bit stream.
  uint64_t high_of[kMaxBucketSymbol + 1];
  uint8_t bits_of[kMaxBucketSymbol + 1];
  uint64_t total_bits = 0;
  for (int j = 0; j < alphabet; ++j) {
    const Bucket bucket = BucketBase(lo + j, &high_of[j]);
    bits_of[j] = static_cast<uint8_t>(bucket.extra_bits);
    total_bits += counts[j] * static_cast<uint64_t>(bucket.extra_bits);
  }
  int64_t* rest = out + 1;
  if (!RansDecodeSymbols(stream, freq, n - 1, 0, rest, what)) return false;
  std::string_view extra = d.Bytes(d.remaining());
  if (extra.size() != (total_bits + 7) / 8) return Fail(what, "rans bucket bits of another length");
  const auto* p = reinterpret_cast<const uint8_t*>(extra.data());
  const size_t size = extra.size();
  // At most 7 zero bits of padding follow the last value.
  if (total_bits % 8 != 0 && (p[size - 1] >> (total_bits % 8)) != 0) {
    return Fail(what, "nonzero padding after rans bucket bits");
  }
  // 8 bytes of the stream from `byte` on, zeros past its end.
  auto load = [&](uint64_t byte) -> uint64_t {
    if (byte + 8 <= size) return LoadFixed64(p + byte);
    uint8_t tail[8] = {};
    if (byte < size) std::memcpy(tail, p + byte, size - byte);
    return LoadFixed64(tail);
  };
  // Away from the stream's end, one unchecked 8-byte load serves a field
  // of up to 56 bits; the end and wider fields take the careful path.
  uint64_t pos = 0;
  const size_t fast_end = size >= 16 ? size - 16 : 0;
  for (size_t i = 0; i < n - 1; ++i) {
    const auto j = static_cast<size_t>(rest[i]);
    const int e = bits_of[j];
    const uint64_t byte = pos >> 3;
    const int shift = static_cast<int>(pos & 7);
    uint64_t low;
    if (byte < fast_end && e <= 56) {
      low = (LoadFixed64(p + byte) >> shift) & ((uint64_t{1} << e) - 1);
    } else {
      low = load(byte) >> shift;
      // Up to 56 bits come from one load; wider fields take a second.
      if (e + shift > 64) low |= load(byte + 8) << (64 - shift);
      low &= e >= 64 ? ~uint64_t{0} : (uint64_t{1} << e) - 1;
    }
    pos += static_cast<uint64_t>(e);
    rest[i] = static_cast<int64_t>(base + static_cast<uint64_t>(UnZigZag(high_of[j] | low)));
  }
  return true;
}

}  // namespace strata::cold
