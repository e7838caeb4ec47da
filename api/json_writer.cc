#include "api/json_writer.h"

#include <charconv>
#include <cmath>

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

void AppendPromFloat(std::string* out, double v) {
  if (std::isnan(v)) {
    out->append("NaN");
    return;
  }
  if (std::isinf(v)) {
    out->append(v > 0 ? "+Inf" : "-Inf");
    return;
  }
  // Without a precision, scientific to_chars emits the shortest digits that
  // round-trip (as Go's precision -1 does), with a signed exponent of at
  // least two digits, exactly Go's 'e' form.
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string_view sci(buf, ec == std::errc() ? end - buf : 0);
  double abs = std::fabs(v);
  if (abs != 0 && (abs < 1e-6 || abs >= 1e21)) {
    out->append(sci);
    return;
  }
  // Fixed notation from the same shortest digits. (to_chars' own fixed form
  // is not used: among equally short renderings it picks the one closest to
  // the binary value, so 2^60 would print as 1152921504606846976 where Go
  // prints 1152921504606847000.)
  if (!sci.empty() && sci[0] == '-') {
    out->push_back('-');
    sci.remove_prefix(1);
  }
  size_t e = sci.find('e');
  if (e == std::string_view::npos) return;
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c != '.') digits.push_back(c);
  }
  int exp = 0;
  std::string_view exp_str = sci.substr(e + 1);
  if (!exp_str.empty() && exp_str[0] == '+') exp_str.remove_prefix(1);
  std::from_chars(exp_str.data(), exp_str.data() + exp_str.size(), exp);
  // Digits before the decimal point.
  int int_digits = exp + 1;
  int n = static_cast<int>(digits.size());
  if (int_digits <= 0) {
    out->append("0.");
    out->append(static_cast<size_t>(-int_digits), '0');
    out->append(digits);
  } else if (int_digits >= n) {
    out->append(digits);
    out->append(static_cast<size_t>(int_digits - n), '0');
  } else {
    out->append(digits, 0, int_digits);
    out->push_back('.');
    out->append(digits, int_digits, std::string::npos);
  }
}

std::string FormatPromFloat(double v) {
  std::string s;
  AppendPromFloat(&s, v);
  return s;
}

void AppendPromTimestamp(std::string* out, int64_t ms) {
  // Unsigned arithmetic so INT64_MIN negates cleanly.
  uint64_t abs = ms < 0 ? 0 - static_cast<uint64_t>(ms) : static_cast<uint64_t>(ms);
  if (ms < 0) out->push_back('-');
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, abs / 1000);
  out->append(buf, end - buf);
  uint64_t frac = abs % 1000;
  if (frac != 0) {
    char f[4] = {'.', static_cast<char>('0' + frac / 100), static_cast<char>('0' + frac / 10 % 10),
                 static_cast<char>('0' + frac % 10)};
    out->append(f, sizeof f);
  }
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

void JsonWriter::Raw(std::string_view json) {
  BeforeValue();
  out_->append(json);
}

}  // namespace strata::api
