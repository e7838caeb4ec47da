#include "tsdb/chunk/cold_int_column.h"

#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <memory>

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

struct CCtxFree {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct DCtxFree {
  void operator()(ZSTD_DCtx* c) const { ZSTD_freeDCtx(c); }
};

}  // namespace

std::string ZstdCompress(std::string_view raw) {
  thread_local std::unique_ptr<ZSTD_CCtx, CCtxFree> cctx(ZSTD_createCCtx());
  std::string out(ZSTD_compressBound(raw.size()), '\0');
  size_t n =
      ZSTD_compressCCtx(cctx.get(), out.data(), out.size(), raw.data(), raw.size(), kZstdLevel);
  if (ZSTD_isError(n)) return {};
  out.resize(n);
  return out;
}

bool ZstdDecompress(std::string_view frame, size_t max_size, std::vector<uint8_t>* out) {
  thread_local std::unique_ptr<ZSTD_DCtx, DCtxFree> dctx(ZSTD_createDCtx());
  const unsigned long long size = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (size == ZSTD_CONTENTSIZE_UNKNOWN || size == ZSTD_CONTENTSIZE_ERROR || size > max_size) {
    return false;
  }
  out->resize(size);
  size_t got =
      ZSTD_decompressDCtx(dctx.get(), out->data(), out->size(), frame.data(), frame.size());
  return !ZSTD_isError(got) && got == size;
}

void EncodeIntColumn(std::span<const int64_t> vals, std::string* out) {
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
    std::string z = ZstdCompress(varints);
    if (!z.empty()) consider(kIntZstdFlag | kIntVarint, std::move(z));
  }
  if (packed.size() > 16) {
    std::string z = ZstdCompress(packed);
    if (!z.empty()) consider(kIntZstdFlag | kIntPacked, std::move(z));
  }
  if (std::string rans; EncodeRans(vals, &rans)) consider(kIntRans, std::move(rans));
  consider(kIntVarint, std::move(varints));
  consider(kIntPacked, std::move(packed));
  AppendColumn(best_kind, best, out);
}

bool DecodeIntColumn(Decoder& d, size_t n, int64_t* out, std::vector<uint8_t>* scratch,
                     const char** what) {
  const uint8_t kind = d.Byte();
  std::string_view payload = d.LengthPrefixed();
  if (!d.ok()) return Fail(what, "truncated integer column");
  const uint8_t inner = kind & ~kIntZstdFlag;
  if (inner > kIntRans || kind == (kIntZstdFlag | kIntConst) || kind == (kIntZstdFlag | kIntRans)) {
    return Fail(what, "unknown integer column kind");
  }
  if (kind & kIntZstdFlag) {
    if (!ZstdDecompress(payload, MaxPayload(inner, n), scratch)) {
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
    default:
      return DecodePacked(payload, n, out, what);
  }
}

}  // namespace strata::cold
