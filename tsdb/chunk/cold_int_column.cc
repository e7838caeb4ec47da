#include "tsdb/chunk/cold_int_column.h"

#include <algorithm>
#include <cstring>
#include <numeric>

#include "tsdb/base/zstd.h"

namespace strata::cold {
namespace {

// Frame of reference + bit width per block: the base (zig-zag varint), the
// width in bits (one byte, 0..64), then ceil(count * width / 8) bytes
// holding (value - base) in `width` bits each, least significant bit first.
void EncodePacked(std::span<const int64_t> vals, std::string* out) {
  for (size_t start = 0; start < vals.size(); start += kPackBlock) {
    std::span<const int64_t> block = vals.subspan(start, std::min(kPackBlock, vals.size() - start));
    auto [lo, hi] = std::minmax_element(block.begin(), block.end());
    const uint64_t range = static_cast<uint64_t>(*hi) - static_cast<uint64_t>(*lo);
    const int width = range == 0 ? 0 : 64 - __builtin_clzll(range);
    PutVarint(out, *lo);
    out->push_back(static_cast<char>(width));
    if (width == 0) continue;
    unsigned __int128 acc = 0;
    int bits = 0;
    for (int64_t v : block) {
      acc |= static_cast<unsigned __int128>(static_cast<uint64_t>(v) - static_cast<uint64_t>(*lo))
             << bits;
      bits += width;
      while (bits >= 8) {
        out->push_back(static_cast<char>(static_cast<uint8_t>(acc)));
        acc >>= 8;
        bits -= 8;
      }
    }
    if (bits > 0) out->push_back(static_cast<char>(static_cast<uint8_t>(acc)));
  }
}

void EncodeVarints(std::span<const int64_t> vals, std::string* out) {
  for (int64_t v : vals) PutVarint(out, v);
}

void AppendColumn(uint8_t kind, std::string_view payload, std::string* out) {
  out->push_back(static_cast<char>(kind));
  PutLengthPrefixed(out, payload);
}

// Unpacks one block of `count` values of `width` bits from `src` (exactly
// the block's bytes) into out, adding `base`.
void UnpackBlock(const uint8_t* src, size_t src_len, size_t count, int width, uint64_t base,
                 int64_t* out) {
  // A zero-padded copy lets every value be read with unaligned 8-byte loads.
  uint8_t buf[kPackBlock * 8 + 16];
  std::memcpy(buf, src, src_len);
  std::memset(buf + src_len, 0, 16);
  const uint64_t mask = width == 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1;
  uint64_t pos = 0;
  if (width <= 56) {
    for (size_t i = 0; i < count; ++i, pos += width) {
      uint64_t w;
      std::memcpy(&w, buf + (pos >> 3), 8);
      out[i] = static_cast<int64_t>(base + ((w >> (pos & 7)) & mask));
    }
    return;
  }
  for (size_t i = 0; i < count; ++i, pos += width) {
    uint64_t lo, hi;
    std::memcpy(&lo, buf + (pos >> 3), 8);
    std::memcpy(&hi, buf + (pos >> 3) + 8, 8);
    const int shift = static_cast<int>(pos & 7);
    uint64_t x = lo >> shift;
    if (shift != 0) x |= hi << (64 - shift);
    out[i] = static_cast<int64_t>(base + (x & mask));
  }
}

bool DecodePacked(std::string_view payload, size_t n, int64_t* out, const char** what) {
  Decoder d(payload);
  for (size_t start = 0; start < n; start += kPackBlock) {
    const size_t count = std::min(kPackBlock, n - start);
    const uint64_t base = static_cast<uint64_t>(d.Varint());
    const int width = d.Byte();
    if (!d.ok()) return Fail(what, "truncated packed block");
    if (width > 64) return Fail(what, "bit width over 64");
    const size_t bytes = (count * width + 7) / 8;
    std::string_view b = d.Bytes(bytes);
    if (!d.ok()) return Fail(what, "truncated packed block");
    if (width == 0) {
      std::fill(out + start, out + start + count, static_cast<int64_t>(base));
      continue;
    }
    UnpackBlock(reinterpret_cast<const uint8_t*>(b.data()), bytes, count, width, base, out + start);
  }
  if (!d.done()) return Fail(what, "trailing bytes in packed column");
  return true;
}

bool DecodeVarints(std::string_view payload, size_t n, int64_t* out, const char** what) {
  Decoder d(payload);
  for (size_t i = 0; i < n; ++i) out[i] = d.Varint();
  if (!d.ok()) return Fail(what, "truncated varint column");
  if (!d.done()) return Fail(what, "trailing bytes in varint column");
  return true;
}

// Upper bound of an inner payload's size for n values, so a corrupt zstd
// frame header cannot make the reader allocate more than the column needs.
size_t MaxPayload(uint8_t inner, size_t n) {
  if (inner == kIntVarint) return n * 10;
  return n * 8 + (n / kPackBlock + 1) * 11;
}

uint64_t Magnitude(int64_t v) {
  return v < 0 ? uint64_t{0} - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
}

// The largest g dividing every value (0 when all are 0).
uint64_t CommonFactor(std::span<const int64_t> vals) {
  uint64_t g = 0;
  for (int64_t v : vals) {
    g = std::gcd(g, Magnitude(v));
    if (g == 1) break;
  }
  return g;
}

void EncodeColumn(std::span<const int64_t> vals, bool allow_factored, std::string* out);
bool DecodeColumn(Decoder& d, size_t n, int64_t* out, std::vector<uint8_t>* scratch,
                  bool allow_factored, const char** what);

// kIntFactored's payload when every value after the first has a common
// factor g >= 2 (byte sizes counted in pages, sectors, ...): the first
// value, g, then the quotients as a column that is not factored again.
bool EncodeFactored(std::span<const int64_t> vals, std::string* out) {
  if (vals.size() < 2) return false;
  const uint64_t g = CommonFactor(vals.subspan(1));
  if (g < 2) return false;
  std::vector<int64_t> quotients(vals.size() - 1);
  for (size_t i = 1; i < vals.size(); ++i) {
    const auto q = static_cast<int64_t>(Magnitude(vals[i]) / g);  // < 2^63: g >= 2
    quotients[i - 1] = vals[i] < 0 ? -q : q;
  }
  PutVarint(out, vals[0]);
  PutUvarint(out, g);
  EncodeColumn(quotients, /*allow_factored=*/false, out);
  return true;
}

bool DecodeFactored(std::string_view payload, size_t n, int64_t* out, std::vector<uint8_t>* scratch,
                    const char** what) {
  Decoder d(payload);
  const int64_t first = d.Varint();
  const uint64_t g = d.Uvarint();
  if (!d.ok()) return Fail(what, "truncated factored column");
  if (g < 2) return Fail(what, "factored column with a factor below 2");
  if (n == 0) return Fail(what, "factored column without values");
  out[0] = first;
  if (!DecodeColumn(d, n - 1, out + 1, scratch, /*allow_factored=*/false, what)) return false;
  if (!d.done()) return Fail(what, "trailing bytes in factored column");
  for (size_t i = 1; i < n; ++i) {
    out[i] = static_cast<int64_t>(static_cast<uint64_t>(out[i]) * g);  // wraps, as specified
  }
  return true;
}

void EncodeColumn(std::span<const int64_t> vals, bool allow_factored, std::string* out) {
  if (vals.empty() ||
      std::all_of(vals.begin(), vals.end(), [&](int64_t v) { return v == vals[0]; })) {
    std::string p;
    PutVarint(&p, vals.empty() ? 0 : vals[0]);
    AppendColumn(kIntConst, p, out);
    return;
  }
  std::string best;
  uint8_t best_kind = kIntConst;
  bool have = false;
  auto consider = [&](uint8_t kind, std::string&& payload) {
    if (!have || payload.size() < best.size()) {
      best = std::move(payload);
      best_kind = kind;
      have = true;
    }
  };
  std::string varints, packed;
  EncodeVarints(vals, &varints);
  EncodePacked(vals, &packed);
  // Tiny payloads cannot shrink under zstd's frame overhead.
  if (varints.size() > 16) {
    std::string z = zstd::Compress(varints, kZstdLevel);
    if (!z.empty()) consider(kIntZstdFlag | kIntVarint, std::move(z));
  }
  if (packed.size() > 16) {
    std::string z = zstd::Compress(packed, kZstdLevel);
    if (!z.empty()) consider(kIntZstdFlag | kIntPacked, std::move(z));
  }
  if (std::string rans; EncodeRans(vals, &rans)) consider(kIntRans, std::move(rans));
  consider(kIntVarint, std::move(varints));
  consider(kIntPacked, std::move(packed));
  // The rANS coder runs only when its estimate could win: the estimate is
  // exact but for a byte or two, and coding is the dearest candidate.
  if (EstimateRansBuckets(vals) < best.size() + 4) {
    if (std::string buckets; EncodeRansBuckets(vals, &buckets)) {
      consider(kIntRansBuckets, std::move(buckets));
    }
  }
  if (std::string factored; allow_factored && EncodeFactored(vals, &factored)) {
    consider(kIntFactored, std::move(factored));
  }
  AppendColumn(best_kind, best, out);
}

bool DecodeColumn(Decoder& d, size_t n, int64_t* out, std::vector<uint8_t>* scratch,
                  bool allow_factored, const char** what) {
  const uint8_t kind = d.Byte();
  std::string_view payload = d.LengthPrefixed();
  if (!d.ok()) return Fail(what, "truncated integer column");
  const uint8_t inner = kind & ~kIntZstdFlag;
  const bool compressed = (kind & kIntZstdFlag) != 0;
  if (inner > kIntFactored || (compressed && inner != kIntVarint && inner != kIntPacked)) {
    return Fail(what, "unknown integer column kind");
  }
  if (inner == kIntFactored && !allow_factored) return Fail(what, "factored column inside one");
  if (compressed) {
    if (!zstd::Decompress(payload, MaxPayload(inner, n), scratch)) {
      return Fail(what, "bad zstd frame");
    }
    payload = std::string_view(reinterpret_cast<const char*>(scratch->data()), scratch->size());
  }
  switch (inner) {
    case kIntConst: {
      Decoder p(payload);
      const int64_t v = p.Varint();
      if (!p.ok() || !p.done()) return Fail(what, "bad constant column");
      std::fill(out, out + n, v);
      return true;
    }
    case kIntVarint:
      return DecodeVarints(payload, n, out, what);
    case kIntRans:
      return DecodeRans(payload, n, out, what);
    case kIntRansBuckets:
      return DecodeRansBuckets(payload, n, out, what);
    case kIntFactored:
      return DecodeFactored(payload, n, out, scratch, what);
    default:
      return DecodePacked(payload, n, out, what);
  }
}

}  // namespace

void EncodeIntColumn(std::span<const int64_t> vals, std::string* out) {
  EncodeColumn(vals, /*allow_factored=*/true, out);
}

bool DecodeIntColumn(Decoder& d, size_t n, int64_t* out, std::vector<uint8_t>* scratch,
                     const char** what) {
  return DecodeColumn(d, n, out, scratch, /*allow_factored=*/true, what);
}

}  // namespace strata::cold
