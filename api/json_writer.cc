#include "api/json_writer.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>

#include "tsdb/base/shortest_decimal.h"

namespace strata::api {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// Length of the valid UTF-8 sequence at the start of `s` (2..4 bytes), or 0
// when the bytes there are not valid UTF-8 as Go's decoder defines it (no
// overlong forms, no surrogates, nothing above U+10FFFF).
// REQUIRES: s[0] >= 0x80.
size_t Utf8SequenceLength(std::string_view s) {
  auto b = [&](size_t i) { return static_cast<uint8_t>(s[i]); };
  auto cont = [&](size_t i) { return i < s.size() && (b(i) & 0xC0) == 0x80; };
  uint8_t c = b(0);
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    if (c == 0xE0 && b(1) < 0xA0) return 0;  // overlong
    if (c == 0xED && b(1) > 0x9F) return 0;  // surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xF0 && b(1) < 0x90) return 0;  // overlong
    if (c == 0xF4 && b(1) > 0x8F) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

void AppendUnicodeEscape(std::string* out, uint32_t code) {
  char buf[6] = {'\\',
                 'u',
                 kHex[(code >> 12) & 0xF],
                 kHex[(code >> 8) & 0xF],
                 kHex[(code >> 4) & 0xF],
                 kHex[code & 0xF]};
  out->append(buf, sizeof buf);
}

// Bytes that are copied unchanged (printable ASCII except '"', '\\', '<',
// '>' and '&').
constexpr bool IsSafeAscii(uint8_t c) {
  return c >= 0x20 && c < 0x80 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&';
}

}  // namespace

void AppendJsonString(std::string* out, std::string_view s) {
  out->push_back('"');
  size_t start = 0;  // first byte not yet copied
  size_t i = 0;
  while (i < s.size()) {
    uint8_t c = static_cast<uint8_t>(s[i]);
    if (IsSafeAscii(c)) {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      size_t n = Utf8SequenceLength(s.substr(i));
      // U+2028 and U+2029 (E2 80 A8 / E2 80 A9) break JavaScript parsers.
      bool line_sep = n == 3 && c == 0xE2 && static_cast<uint8_t>(s[i + 1]) == 0x80 &&
                      (static_cast<uint8_t>(s[i + 2]) & 0xFE) == 0xA8;
      if (n != 0 && !line_sep) {
        i += n;
        continue;
      }
      out->append(s.data() + start, i - start);
      if (n == 0) {
        AppendUnicodeEscape(out, 0xFFFD);
        i += 1;
      } else {
        AppendUnicodeEscape(out, static_cast<uint8_t>(s[i + 2]) == 0xA8 ? 0x2028 : 0x2029);
        i += 3;
      }
      start = i;
      continue;
    }
    out->append(s.data() + start, i - start);
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:  // other control bytes, '<', '>', '&'
        AppendUnicodeEscape(out, c);
        break;
    }
    start = ++i;
  }
  out->append(s.data() + start, s.size() - start);
  out->push_back('"');
}

namespace {

// "00".."99": two digits per table lookup.
constexpr char kDigitPairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

// Digits are assembled in registers and stored eight at a time: storing
// them two bytes at a time and then copying them on would stall every
// load that spans several of those small stores.
static_assert(std::endian::native == std::endian::little);

// The eight ASCII digits of v < 10^8, leading zeros included, the first in
// the lowest byte: storing the word writes them in order. Computed in SIMD
// fashion within one 64-bit register: the two 4-digit halves in 32-bit
// lanes are split into 2-digit halves (division by 100 as a multiply by
// 10486 / 2^20, exact below 10^4), then those in 16-bit lanes into digits
// (division by 10 as 103 / 2^10, exact below 100). No lane's product
// reaches into the next lane's kept bits.
uint64_t EightDigits(uint32_t v) {
  const uint64_t high = v / 10000;
  const uint64_t low = v - high * 10000;
  const uint64_t fours = high | low << 32;
  const uint64_t first_pairs = ((fours * 10486) >> 20) & 0x0000007f0000007f;
  const uint64_t pairs = (fours - 100 * first_pairs) << 16 | first_pairs;
  const uint64_t tens = ((pairs * 103) >> 10) & 0x000f000f000f000f;
  const uint64_t digits = tens | (pairs - 10 * tens) << 8;
  return digits + 0x3030303030303030;
}

// Stores the digits of an EightDigits word without its first `skip` (< 8):
// writes 8 bytes at o whatever the count.
void StoreDigits(char* o, uint64_t digits, int skip) {
  digits >>= 8 * skip;
  std::memcpy(o, &digits, 8);
}

// Number of decimal digits of v > 0.
int CountDigits(uint64_t v) {
  static constexpr uint64_t kPowers[] = {1,
                                         10,
                                         100,
                                         1000,
                                         10000,
                                         100000,
                                         1000000,
                                         10000000,
                                         100000000,
                                         1000000000,
                                         10000000000,
                                         100000000000,
                                         1000000000000,
                                         10000000000000,
                                         100000000000000,
                                         1000000000000000,
                                         10000000000000000,
                                         100000000000000000,
                                         1000000000000000000,
                                         10000000000000000000u};
  const int t = (64 - std::countl_zero(v | 1)) * 1233 >> 12;  // ~ floor(log10(v))
  return t + (v >= kPowers[t]);
}

// The 17 digits of v < 10^17, leading zeros included, into out[0, 17);
// writes out[0, 17).
void WriteSeventeenDigits(char* out, uint64_t v) {
  const uint64_t high = v / 100000000;
  const uint64_t top = high / 100000000;
  out[0] = static_cast<char>('0' + top);
  StoreDigits(out + 1, EightDigits(static_cast<uint32_t>(high - top * 100000000)), 0);
  StoreDigits(out + 9, EightDigits(static_cast<uint32_t>(v - high * 100000000)), 0);
}

// Writes v < 10^16 in decimal at o and returns the end. Stores up to 16
// bytes whatever the length: o must have room for 16.
char* WriteDecimal(char* o, uint64_t v) {
  if (v < 100000000) {
    const int n = v == 0 ? 1 : CountDigits(v);
    StoreDigits(o, EightDigits(static_cast<uint32_t>(v)), 8 - n);
    return o + n;
  }
  const int n = CountDigits(v);  // 9 to 16
  const uint64_t high = v / 100000000;
  StoreDigits(o, EightDigits(static_cast<uint32_t>(high)), 16 - n);
  StoreDigits(o + n - 8, EightDigits(static_cast<uint32_t>(v - high * 100000000)), 0);
  return o + n;
}

// Writes v as AppendPromFloat does into buf (at least kPromFloatMax bytes);
// returns the length. The longest text is 25 bytes ("-0.0000012345678901234567");
// the rest is room for the fixed-size copies below, which write up to 20
// bytes past the current end and are cheaper than copies of exact length.
constexpr size_t kPromFloatMax = 48;
size_t FormatPromFloatTo(char* buf, double v) {
  if (std::isnan(v)) {
    std::memcpy(buf, "NaN", 3);
    return 3;
  }
  if (std::isinf(v)) {
    std::memcpy(buf, v > 0 ? "+Inf" : "-Inf", 4);
    return 4;
  }
  const double abs = std::fabs(v);
  // Integers below 2^53 print as themselves: no shorter digit string
  // round-trips to them. (The common case: counters, sizes, states.)
  if (abs < 9007199254740992.0 && v == std::trunc(v)) {
    if (v == 0) {
      if (std::signbit(v)) {
        std::memcpy(buf, "-0", 2);
        return 2;
      }
      buf[0] = '0';
      return 1;
    }
    char* o = buf;
    if (v < 0) *o++ = '-';
    return WriteDecimal(o, static_cast<uint64_t>(abs)) - buf;
  }
  ShortestDecimal shortest;
  if (!ToShortestDecimal(v, &shortest)) {
    // Subnormal: scientific to_chars without a precision prints the shortest
    // digits with a signed exponent of at least two digits, Go's 'e' form.
    return std::to_chars(buf, buf + kPromFloatMax, v, std::chars_format::scientific).ptr - buf;
  }
  // The shortest digits, as Go's precision -1 chooses them, laid out in
  // Go's 'e' form outside [1e-6, 1e21) and in fixed notation inside. (Not
  // to_chars' own fixed form: among equally short renderings it picks the
  // one closest to the binary value, so 2^60 would print as
  // 1152921504606846976 where Go prints 1152921504606847000.)
  char digit_buf[40] = {};  // 17 digits and room for 17-byte reads past them
  WriteSeventeenDigits(digit_buf, shortest.digits);
  const int n = CountDigits(shortest.digits);
  const char* digits = digit_buf + 17 - n;
  const int exp = shortest.exponent + n - 1;  // |v| = d.ddd... * 10^exp
  char* o = buf;
  if (v < 0) *o++ = '-';
  if (abs < 1e-6 || abs >= 1e21) {
    *o++ = digits[0];
    if (n > 1) {
      *o++ = '.';
      o = std::copy_n(digits + 1, n - 1, o);
    }
    *o++ = 'e';
    *o++ = exp < 0 ? '-' : '+';
    const int abs_exp = exp < 0 ? -exp : exp;
    if (abs_exp < 10) *o++ = '0';
    return std::to_chars(o, buf + kPromFloatMax, abs_exp).ptr - buf;
  }
  const int int_digits = exp + 1;  // digits before the decimal point, <= 21
  if (int_digits <= 0) {           // 0.000ddd: at most 5 zeros after the point
    std::memcpy(o, "0.00000", 7);
    o += 2 - int_digits;
    std::memcpy(o, digits, 17);
    o += n;
  } else if (int_digits >= n) {  // ddd000
    std::memcpy(o, digits, 17);
    o += n;
    std::memcpy(o, "00000000000000000000", 20);
    o += int_digits - n;
  } else {  // dd.ddd
    std::memcpy(o, digits, 17);
    o += int_digits;
    *o++ = '.';
    std::memcpy(o, digits + int_digits, 17);
    o += n - int_digits;
  }
  return o - buf;
}

// Writes a millisecond timestamp as AppendPromTimestamp does into buf (at
// least 24 bytes); returns the length.
size_t FormatPromTimestampTo(char* buf, int64_t ms) {
  // Unsigned arithmetic so INT64_MIN negates cleanly.
  const uint64_t abs = ms < 0 ? 0 - static_cast<uint64_t>(ms) : static_cast<uint64_t>(ms);
  char* o = buf;
  if (ms < 0) *o++ = '-';
  const uint64_t seconds = abs / 1000;  // < 10^16
  if (seconds >= 1000000000 && seconds < 10000000000) {
    // 2001 to 2286: ten digits, in two independent parts.
    const uint64_t high = seconds / 100000000;
    std::memcpy(o, kDigitPairs + 2 * high, 2);
    StoreDigits(o + 2, EightDigits(static_cast<uint32_t>(seconds - high * 100000000)), 0);
    o += 10;
  } else {
    o = WriteDecimal(o, seconds);
  }
  const auto frac = static_cast<uint32_t>(abs % 1000);
  if (frac != 0) {
    *o++ = '.';
    *o++ = static_cast<char>('0' + frac / 100);
    std::memcpy(o, kDigitPairs + 2 * (frac % 100), 2);
    o += 2;
  }
  return o - buf;
}

}  // namespace

void AppendPromFloat(std::string* out, double v) {
  char buf[kPromFloatMax];
  out->append(buf, FormatPromFloatTo(buf, v));
}

std::string FormatPromFloat(double v) {
  std::string s;
  AppendPromFloat(&s, v);
  return s;
}

void AppendPromTimestamp(std::string* out, int64_t ms) {
  char buf[24];
  out->append(buf, FormatPromTimestampTo(buf, ms));
}

void JsonWriter::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!has_value_.empty()) {
    if (has_value_.back()) out_->push_back(',');
    has_value_.back() = true;
  }
}

void JsonWriter::BeginObject() {
  BeforeValue();
  out_->push_back('{');
  has_value_.push_back(false);
}

void JsonWriter::EndObject() {
  out_->push_back('}');
  has_value_.pop_back();
}

void JsonWriter::BeginArray() {
  BeforeValue();
  out_->push_back('[');
  has_value_.push_back(false);
}

void JsonWriter::EndArray() {
  out_->push_back(']');
  has_value_.pop_back();
}

void JsonWriter::Key(std::string_view key) {
  BeforeValue();
  AppendJsonString(out_, key);
  out_->push_back(':');
  after_key_ = true;
}

void JsonWriter::String(std::string_view s) {
  BeforeValue();
  AppendJsonString(out_, s);
}

void JsonWriter::Int(int64_t v) {
  BeforeValue();
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out_->append(buf, end - buf);
}

void JsonWriter::Uint(uint64_t v) {
  BeforeValue();
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out_->append(buf, end - buf);
}

void JsonWriter::Bool(bool v) {
  BeforeValue();
  out_->append(v ? "true" : "false");
}

void JsonWriter::Null() {
  BeforeValue();
  out_->append("null");
}

void JsonWriter::SampleValue(double v) {
  BeforeValue();
  out_->push_back('"');
  AppendPromFloat(out_, v);
  out_->push_back('"');
}

void JsonWriter::Timestamp(int64_t ms) {
  BeforeValue();
  AppendPromTimestamp(out_, ms);
}

void JsonWriter::Point(int64_t ms, double v) {
  BeforeValue();
  // The point in one append: the bulk of a range query's answer.
  char buf[1 + 24 + 2 + kPromFloatMax + 2];
  char* o = buf;
  *o++ = '[';
  o += FormatPromTimestampTo(o, ms);
  *o++ = ',';
  *o++ = '"';
  o += FormatPromFloatTo(o, v);
  *o++ = '"';
  *o++ = ']';
  out_->append(buf, o - buf);
}

void JsonWriter::Raw(std::string_view json) {
  BeforeValue();
  out_->append(json);
}

}  // namespace strata::api
