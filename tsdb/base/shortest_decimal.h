// The shortest decimal that reads back as a given double: the digits that
// Go's strconv.FormatFloat(v, 'e'/'f', -1, 64), Java's Double.toString and
// C++'s std::to_chars(v) without a precision all print, found with
// Giulietti's Schubfach method (one 64x128-bit multiplication per bound of
// the rounding interval, no loops over digits) — several times faster than
// std::to_chars, which matters where query answers print millions of values.
//
// Thread safety: pure functions over a constant table.
#ifndef STRATA_TSDB_BASE_SHORTEST_DECIMAL_H_
#define STRATA_TSDB_BASE_SHORTEST_DECIMAL_H_

#include <cstdint>

namespace strata {

// |v| == digits * 10^exponent, where `digits` has no trailing zero and is the
// shortest such significand whose value rounds (to nearest, ties to even)
// back to |v|; of several equally short ones, the closest to |v| (ties: the
// even one). digits < 10^17.
struct ShortestDecimal {
  uint64_t digits;
  int exponent;
};

// False for zero, subnormals, infinities and NaN (callers format those
// otherwise; they are rare in metrics); the sign of v is ignored.
bool ToShortestDecimal(double v, ShortestDecimal* out);

}  // namespace strata

#endif  // STRATA_TSDB_BASE_SHORTEST_DECIMAL_H_
