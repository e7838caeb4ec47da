// rANS entropy coding of integer columns with a small alphabet (at most 256
// distinct consecutive values), such as scrape jitter in milliseconds: most
// residuals are 0 and a few are ±1..3, which costs about 1.3 bits a value
// here against 3 bits packed. Byte-wise rANS with a 32-bit state and 12-bit
// probabilities (after Duda's asymmetric numeral systems and Giesen's
// ryg_rans); layout in docs/format/cold_chunks.md, "rans".
#include <algorithm>
#include <cstring>

#include "tsdb/chunk/cold_int_column.h"

namespace strata::cold {
namespace {

constexpr int kProbBits = 12;
constexpr uint32_t kProbScale = 1u << kProbBits;
constexpr uint32_t kRansLow = 1u << 23;  // state lower bound after renormalisation
constexpr size_t kMaxAlphabet = 256;

// Scales symbol counts to frequencies summing to kProbScale, keeping every
// present symbol at >= 1. False if that is impossible.
bool Quantize(const std::vector<uint64_t>& counts, uint64_t total, std::vector<uint32_t>* freq) {
  freq->assign(counts.size(), 0);
  uint64_t sum = 0;
  size_t biggest = 0;
  for (size_t s = 0; s < counts.size(); ++s) {
    if (counts[s] == 0) continue;
    (*freq)[s] = static_cast<uint32_t>(std::max<uint64_t>(1, counts[s] * kProbScale / total));
    sum += (*freq)[s];
    if (counts[s] > counts[biggest]) biggest = s;
  }
  const int64_t fix = static_cast<int64_t>(kProbScale) - static_cast<int64_t>(sum);
  if (static_cast<int64_t>((*freq)[biggest]) + fix < 1) return false;
  (*freq)[biggest] = static_cast<uint32_t>(static_cast<int64_t>((*freq)[biggest]) + fix);
  return true;
}

}  // namespace

bool RansQuantize(const std::vector<uint64_t>& counts, uint64_t total,
                  std::vector<uint32_t>* freq) {
  return Quantize(counts, total, freq);
}

void RansEncodeSymbols(std::span<const uint32_t> symbols, const std::vector<uint32_t>& freq,
                       std::string* out) {
  std::vector<uint32_t> cum(freq.size(), 0);
  for (size_t s = 1; s < freq.size(); ++s) cum[s] = cum[s - 1] + freq[s - 1];
  // Symbols are coded last to first so that the decoder reads forwards.
  // Two states take turns (even and odd values) so the decoder has two
  // independent dependency chains to overlap. (Four decode 3% faster on the
  // synthetic mix, not worth their 8 bytes per column.)
  std::string rev;
  uint32_t x[2] = {kRansLow, kRansLow};
  for (size_t i = symbols.size(); i-- > 0;) {
    uint32_t& xi = x[i & 1];
    const uint32_t s = symbols[i];
    const uint32_t f = freq[s];
    const uint32_t x_max = ((kRansLow >> kProbBits) << 8) * f;
    while (xi >= x_max) {
      rev.push_back(static_cast<char>(xi & 0xff));
      xi >>= 8;
    }
    xi = ((xi / f) << kProbBits) + (xi % f) + cum[s];
  }
  PutFixed32(out, x[0]);
  PutFixed32(out, x[1]);
  out->append(rev.rbegin(), rev.rend());
}

bool RansDecodeSymbols(std::string_view stream, std::span<const uint32_t> freq, size_t n,
                       int64_t base, int64_t* out, const char** what) {
  if (freq.empty() || freq.size() > kMaxAlphabet) return Fail(what, "bad rans alphabet");
  uint32_t cum[kMaxAlphabet];
  uint32_t sum = 0;
  for (size_t s = 0; s < freq.size(); ++s) {
    if (freq[s] > kProbScale) return Fail(what, "bad rans frequency");
    cum[s] = sum;
    sum += freq[s];
  }
  if (sum != kProbScale) return Fail(what, "rans frequencies do not sum to 4096");
  Decoder d(stream);
  uint64_t x0 = d.Fixed32(), x1 = d.Fixed32();
  if (!d.ok()) return Fail(what, "truncated rans header");
  // Slot -> symbol, filled by runs (a 4 KiB memset per chunk column rather
  // than a wider per-slot record: chunks are short, so building the table
  // costs as much as decoding).
  uint8_t symbol_of[kProbScale];
  for (size_t s = 0; s < freq.size(); ++s) {
    std::memset(symbol_of + cum[s], static_cast<int>(s), freq[s]);
  }
  // Frequency and cumulative frequency side by side: one load per symbol.
  uint64_t fc[kMaxAlphabet];
  for (size_t s = 0; s < freq.size(); ++s) fc[s] = uint64_t{freq[s]} << 32 | cum[s];
  std::string_view rest = d.Bytes(d.remaining());
  const auto* p = reinterpret_cast<const uint8_t*>(rest.data());
  const uint8_t* const end = p + rest.size();
  const auto ubase = static_cast<uint64_t>(base);
  // Decodes value i with state `x` (a local: each state stays in a
  // register); false when the stream runs out.
  auto step = [&](uint64_t& x, size_t i) {
    const uint32_t slot = static_cast<uint32_t>(x & (kProbScale - 1));
    const uint8_t sym = symbol_of[slot];
    out[i] = static_cast<int64_t>(ubase + sym);
    x = (fc[sym] >> 32) * (x >> kProbBits) + slot - static_cast<uint32_t>(fc[sym]);
    // Each renormalisation step consumes a byte, so corrupt states cannot
    // loop longer than the input.
    while (x < kRansLow) {
      if (p == end) return false;
      x = (x << 8) | *p++;
    }
    return true;
  };
  size_t i = 0;
  for (; i + 1 < n; i += 2) {
    if (!step(x0, i) || !step(x1, i + 1)) return Fail(what, "truncated rans stream");
  }
  if (i < n && !step(x0, i)) return Fail(what, "truncated rans stream");
  // The encoder started from kRansLow: a clean stream ends exactly there.
  if (p != end || x0 != kRansLow || x1 != kRansLow) {
    return Fail(what, "rans stream does not end cleanly");
  }
  return true;
}

bool EncodeRans(std::span<const int64_t> vals, std::string* out) {
  if (vals.empty()) return false;
  auto [lo, hi] = std::minmax_element(vals.begin(), vals.end());
  const uint64_t range = static_cast<uint64_t>(*hi) - static_cast<uint64_t>(*lo);
  if (range >= kMaxAlphabet) return false;
  const uint64_t base = static_cast<uint64_t>(*lo);
  std::vector<uint64_t> counts(range + 1, 0);
  std::vector<uint32_t> symbols(vals.size());
  for (size_t i = 0; i < vals.size(); ++i) {
    symbols[i] = static_cast<uint32_t>(static_cast<uint64_t>(vals[i]) - base);
    ++counts[symbols[i]];
  }
  std::vector<uint32_t> freq;
  if (!Quantize(counts, vals.size(), &freq)) return false;
  PutVarint(out, *lo);
  out->push_back(static_cast<char>(range));  // alphabet size - 1
  for (uint32_t f : freq) PutUvarint(out, f);
  RansEncodeSymbols(symbols, freq, out);
  return true;
}

bool DecodeRans(std::string_view payload, size_t n, int64_t* out, const char** what) {
  Decoder d(payload);
  const int64_t base = d.Varint();
  const size_t alphabet = size_t{d.Byte()} + 1;
  uint32_t freq[kMaxAlphabet];
  for (size_t s = 0; s < alphabet; ++s) {
    const uint64_t f = d.Uvarint();
    if (f > kProbScale) return Fail(what, "bad rans frequency");
    freq[s] = static_cast<uint32_t>(f);
  }
  if (!d.ok()) return Fail(what, "truncated rans header");
  return RansDecodeSymbols(d.Bytes(d.remaining()), std::span(freq, alphabet), n, base, out, what);
}

}  // namespace strata::cold
