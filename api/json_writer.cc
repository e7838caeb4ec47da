#include "api/json_writer.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

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

// Powers of ten, exact as doubles.
constexpr double kPow10[] = {1, 10, 100, 1e3, 1e4};

// The fast path for values with few decimals (0.87, 1234.5): the smallest k
// <= 4 for which m = round(|v| * 10^k) < 2^50 gives back v as m / 10^k (one
// correctly rounded division of exact operands, which is what parsing the
// decimal m * 10^-k yields). That decimal is the shortest that round-trips
// (a shorter one would have matched at a smaller k) and the only one with
// k decimals that does: below 2^50 the values rounding to v span less than
// a quarter of a unit of m, and the product |v| * 10^k is off by at most an
// eighth, so rounding it finds m. It is therefore what Go prints. Writes it in
// fixed notation into buf and returns the length, or returns 0 when no k
// works (then the general path formats v).
// REQUIRES: 1e-6 <= |v| < 1e15 and v is not an integer.
size_t FormatShortDecimalTo(char* buf, double v) {
  const double abs = std::fabs(v);
  for (int k = 1; k <= 4; ++k) {
    const double scaled = std::nearbyint(abs * kPow10[k]);
    if (scaled >= 1125899906842624.0) return 0;  // 2^50
    if (scaled / kPow10[k] != abs) continue;
    const auto m = static_cast<uint64_t>(scaled);
    char* o = buf;
    if (v < 0) *o++ = '-';
    const uint64_t int_part = m / static_cast<uint64_t>(kPow10[k]);
    uint64_t frac = m % static_cast<uint64_t>(kPow10[k]);
    o = std::to_chars(o, o + 20, int_part).ptr;
    *o++ = '.';
    for (int i = k - 1; i >= 0; --i) {
      o[i] = static_cast<char>('0' + frac % 10);
      frac /= 10;
    }
    return o + k - buf;
  }
  return 0;
}

// Writes v as AppendPromFloat does into buf (at least kPromFloatMax bytes);
// returns the length.
constexpr size_t kPromFloatMax = 32;  // "-1.7976931348623157e+308" and fixed forms < 1e21
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
    return std::to_chars(buf, buf + kPromFloatMax, static_cast<int64_t>(v)).ptr - buf;
  }
  if (abs >= 1e-6 && abs < 1e15) {
    if (size_t len = FormatShortDecimalTo(buf, v); len != 0) return len;
    // Other non-integers below 2^53: to_chars' shortest form is Go's
    // whenever it chooses fixed notation (the same fewest digits, the
    // closest of them); it chooses exponent notation only where that is
    // shorter, and then the digits are re-laid below.
    char* end = std::to_chars(buf, buf + kPromFloatMax, v).ptr;
    if (std::find(buf, end, 'e') == end) return end - buf;
  }
  // Without a precision, scientific to_chars emits the shortest digits that
  // round-trip (as Go's precision -1 does), with a signed exponent of at
  // least two digits, exactly Go's 'e' form.
  char sci[kPromFloatMax];
  const char* sci_end = std::to_chars(sci, sci + sizeof sci, v, std::chars_format::scientific).ptr;
  if (abs < 1e-6 || abs >= 1e21) {
    std::memcpy(buf, sci, sci_end - sci);
    return sci_end - sci;
  }
  // Fixed notation from the same shortest digits. (to_chars' own fixed form
  // is not used: among equally short renderings it picks the one closest to
  // the binary value, so 2^60 would print as 1152921504606846976 where Go
  // prints 1152921504606847000.)
  char* o = buf;
  const char* p = sci;
  if (*p == '-') *o++ = *p++;
  char digits[20];  // at most 17 significant digits
  int n = 0;
  for (; *p != 'e'; ++p) {
    if (*p != '.') digits[n++] = *p;
  }
  ++p;  // 'e'
  const bool negative_exp = *p == '-';
  ++p;  // the exponent's sign
  int exp = 0;
  for (; p < sci_end; ++p) exp = exp * 10 + (*p - '0');
  if (negative_exp) exp = -exp;
  const int int_digits = exp + 1;  // digits before the decimal point
  if (int_digits <= 0) {
    *o++ = '0';
    *o++ = '.';
    o = std::fill_n(o, -int_digits, '0');
    o = std::copy_n(digits, n, o);
  } else if (int_digits >= n) {
    o = std::copy_n(digits, n, o);
    o = std::fill_n(o, int_digits - n, '0');
  } else {
    o = std::copy_n(digits, int_digits, o);
    *o++ = '.';
    o = std::copy_n(digits + int_digits, n - int_digits, o);
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
  o = std::to_chars(o, buf + 24, abs / 1000).ptr;
  const uint64_t frac = abs % 1000;
  if (frac != 0) {
    *o++ = '.';
    *o++ = static_cast<char>('0' + frac / 100);
    *o++ = static_cast<char>('0' + frac / 10 % 10);
    *o++ = static_cast<char>('0' + frac % 10);
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
