#include "tsdb/base/shortest_decimal.h"

#include <bit>
#include <cstdint>

namespace strata {
namespace {

// A double is c * 2^q with c = 2^52 | fraction bits (normal values).
constexpr int kMinExponent = -1074;  // q of the subnormals
constexpr uint64_t kHiddenBit = uint64_t{1} << 52;
constexpr int kSignificandBits = 53;

// floor(log10(2^q)), floor(log10(3/4 * 2^q)) and floor(log2(10^e)) in fixed
// point, exact over |q| < 1100 and |e| < 400 (scripts/gen_pow10_table.py
// checks them against big-integer arithmetic).
constexpr int FloorLog10Pow2(int q) { return static_cast<int>(int64_t{q} * 661971961083 >> 41); }
constexpr int FloorLog10ThreeQuartersPow2(int q) {
  return static_cast<int>((int64_t{q} * 661971961083 - 274743187321) >> 41);
}
constexpr int FloorLog2Pow10(int e) { return static_cast<int>(int64_t{e} * 913124641741 >> 38); }

struct Pow10 {
  uint64_t hi;  // g = hi * 2^63 + lo approximates 10^-k from above, 2^125 <= g < 2^126
  uint64_t lo;
};
constexpr int kMinK = -324;
constexpr Pow10 kPow10[] = {
#include "tsdb/base/pow10_table.inc"
};
static_assert(sizeof(kPow10) / sizeof(kPow10[0]) == 292 - kMinK + 1);

uint64_t MulHigh(uint64_t a, uint64_t b) {
  return static_cast<uint64_t>((static_cast<unsigned __int128>(a) * b) >> 64);
}

// g * cp / 2^127 rounded to odd: the integer part with its lowest bit set
// when any fraction is left, so comparisons against multiples of 4 below
// (the interval bounds carry two extra bits) are exact.
// REQUIRES: cp < 2^63.
uint64_t RoundToOdd(const Pow10& g, uint64_t cp) {
  constexpr uint64_t kMask63 = (uint64_t{1} << 63) - 1;
  const uint64_t x1 = MulHigh(g.lo, cp);
  const unsigned __int128 y = static_cast<unsigned __int128>(g.hi) * cp;
  const auto y0 = static_cast<uint64_t>(y);
  const auto y1 = static_cast<uint64_t>(y >> 64);
  const uint64_t z = (y0 >> 1) + x1;
  const uint64_t vbp = y1 + (z >> 63);
  return vbp | (((z & kMask63) + kMask63) >> 63);
}

// Strips trailing zeros largest steps first: short decimals such as 12.34
// come out of ToDecimal as 17 digits with a dozen zeros.
ShortestDecimal RemoveTrailingZeros(uint64_t digits, int exponent) {
  if (digits % 100000000 == 0) {
    digits /= 100000000;
    exponent += 8;
  }
  if (digits % 10000 == 0) {
    digits /= 10000;
    exponent += 4;
  }
  if (digits % 100 == 0) {
    digits /= 100;
    exponent += 2;
  }
  while (digits % 10 == 0) {  // at most twice (10^16 has 16 zeros)
    digits /= 10;
    exponent += 1;
  }
  return {digits, exponent};
}

// The shortest decimal in the rounding interval of c * 2^q, all quantities
// scaled by 4 so that the interval's ends (half an ulp away; a quarter ulp
// below a power of two, where the spacing below halves) are integers.
ShortestDecimal ToDecimal(int q, uint64_t c) {
  const uint64_t odd = c & 1;  // an even c keeps the interval's ends (ties round to even)
  const uint64_t cb = c << 2;
  const uint64_t cbr = cb + 2;
  uint64_t cbl;
  int k;
  if (c != kHiddenBit || q == kMinExponent) {
    cbl = cb - 2;
    k = FloorLog10Pow2(q);
  } else {
    cbl = cb - 1;
    k = FloorLog10ThreeQuartersPow2(q);
  }
  const int h = q + FloorLog2Pow10(-k) + 2;
  const Pow10& g = kPow10[k - kMinK];
  // v, its lower and its upper bound times 10^-k (times 4, rounded to odd).
  const uint64_t vb = RoundToOdd(g, cb << h);
  const uint64_t vbl = RoundToOdd(g, cbl << h);
  const uint64_t vbr = RoundToOdd(g, cbr << h);
  const uint64_t s = vb >> 2;
  if (s >= 100) {
    // One digit fewer: the interval is narrower than 10^(k+1), so at most
    // one of the two multiples of ten around v lies in it.
    const uint64_t sp10 = 10 * (s / 10);
    const uint64_t tp10 = sp10 + 10;
    const bool lower_in = vbl + odd <= sp10 << 2;
    const bool upper_in = (tp10 << 2) + odd <= vbr;
    if (lower_in != upper_in) return RemoveTrailingZeros(lower_in ? sp10 : tp10, k);
  }
  // Full length: s or s + 1, whichever lies in the interval; both: the
  // closer to v, the even one on a tie.
  const uint64_t t = s + 1;
  const bool lower_in = vbl + odd <= s << 2;
  const bool upper_in = (t << 2) + odd <= vbr;
  if (lower_in != upper_in) return RemoveTrailingZeros(lower_in ? s : t, k);
  const auto cmp = static_cast<int64_t>(vb - ((s + t) << 1));
  return RemoveTrailingZeros(cmp < 0 || (cmp == 0 && (s & 1) == 0) ? s : t, k);
}

}  // namespace

bool ToShortestDecimal(double v, ShortestDecimal* out) {
  const auto bits = std::bit_cast<uint64_t>(v);
  const uint64_t fraction = bits & (kHiddenBit - 1);
  const auto biased_exponent = static_cast<int>((bits >> 52) & 0x7ff);
  if (biased_exponent == 0 || biased_exponent == 0x7ff) return false;
  const uint64_t c = kHiddenBit | fraction;
  const int q = biased_exponent - 1075;  // v = c * 2^q
  if (q < 0 && q > -kSignificandBits) {
    // An integer below 2^53 is its own shortest decimal.
    const uint64_t integer = c >> -q;
    if (integer << -q == c) {
      *out = RemoveTrailingZeros(integer, 0);
      return true;
    }
  }
  *out = ToDecimal(q, c);
  return true;
}

}  // namespace strata
