#include "promql/strconv.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "fmt/format.h"
#include "tsdb/labels/labels.h"

namespace strata::promql {
namespace {

constexpr int32_t kEofRune = -1;
constexpr int32_t kRuneError = 0xFFFD;
constexpr int32_t kMaxRune = 0x10FFFF;

void AppendUtf8(std::string* out, int32_t r) {
  if (r < 0 || r > kMaxRune || (r >= 0xD800 && r < 0xE000)) r = kRuneError;
  if (r < 0x80) {
    out->push_back(static_cast<char>(r));
  } else if (r < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (r >> 6)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  } else if (r < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (r >> 12)));
    out->push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (r >> 18)));
    out->push_back(static_cast<char>(0x80 | ((r >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  }
}

// The body GoQuote gives the rune (without the double quotes), and whether
// Go's strconv.IsPrint holds for it (GoQuote leaves exactly those unescaped,
// apart from the always-escaped '"' and '\').
std::pair<std::string, bool> QuotedRuneBody(int32_t r) {
  std::string utf8;
  AppendUtf8(&utf8, r);
  std::string quoted = GoQuote(utf8);
  std::string body = quoted.substr(1, quoted.size() - 2);
  const bool printable = body == utf8 || r == '"' || r == '\\';
  return {std::move(body), printable};
}

int DigitVal(int32_t ch) {
  if ('0' <= ch && ch <= '9') return ch - '0';
  if ('a' <= ch && ch <= 'f') return ch - 'a' + 10;
  if ('A' <= ch && ch <= 'F') return ch - 'A' + 10;
  return 16;  // larger than any legal digit
}

// Numbers, parsed as Prometheus does: strconv.ParseInt(s, 0, 64), and when
// that fails strconv.ParseFloat(s, 64), with Go's error text.

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Go's underscoreOK: '_' only between digits, or between a base prefix and a
// digit.
bool UnderscoreOk(std::string_view s) {
  char saw = '^';
  size_t i = 0;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  bool hex = false;
  if (s.size() >= 2 && s[0] == '0' &&
      (Lower(s[1]) == 'b' || Lower(s[1]) == 'o' || Lower(s[1]) == 'x')) {
    i = 2;
    saw = '0';
    hex = Lower(s[1]) == 'x';
  }
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if ((c >= '0' && c <= '9') || (hex && Lower(c) >= 'a' && Lower(c) <= 'f')) {
      saw = '0';
      continue;
    }
    if (c == '_') {
      if (saw != '0') return false;
      saw = '_';
      continue;
    }
    if (saw == '_') return false;
    saw = '!';
  }
  return saw != '_';
}

// strconv.ParseInt(s, 0, 64); nullopt on a syntax or range error.
std::optional<int64_t> GoParseInt(std::string_view s0) {
  std::string_view s = s0;
  bool neg = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return std::nullopt;
  uint64_t base = 10;
  if (s[0] == '0') {
    if (s.size() >= 3 && Lower(s[1]) == 'b') {
      base = 2, s.remove_prefix(2);
    } else if (s.size() >= 3 && Lower(s[1]) == 'o') {
      base = 8, s.remove_prefix(2);
    } else if (s.size() >= 3 && Lower(s[1]) == 'x') {
      base = 16, s.remove_prefix(2);
    } else {
      base = 8, s.remove_prefix(1);
    }
  }
  uint64_t n = 0;
  bool underscores = false;
  for (char c : s) {
    uint64_t d;
    if (c == '_') {
      underscores = true;
      continue;
    } else if (c >= '0' && c <= '9') {
      d = static_cast<uint64_t>(c - '0');
    } else if (Lower(c) >= 'a' && Lower(c) <= 'z') {
      d = static_cast<uint64_t>(Lower(c) - 'a' + 10);
    } else {
      return std::nullopt;
    }
    if (d >= base) return std::nullopt;
    if (n > (std::numeric_limits<uint64_t>::max() - d) / base) return std::nullopt;
    n = n * base + d;
  }
  if (underscores && !UnderscoreOk(s0)) return std::nullopt;
  const uint64_t cutoff = uint64_t{1} << 63;
  if (neg ? n > cutoff : n >= cutoff) return std::nullopt;
  return neg ? static_cast<int64_t>(0 - n) : static_cast<int64_t>(n);
}

// strconv.ParseFloat(s, 64) for the texts the lexer produces as numbers:
// decimal with optional fraction, exponent and '_' separators, and inf/nan.
// (Go's hexadecimal floats need a 'p' exponent, which the lexer never lets
// through, so a hexadecimal text here is a syntax error, as in Go.)
absl::StatusOr<double> GoParseFloat(std::string_view s) {
  auto fail = [&](std::string_view why) {
    return absl::InvalidArgumentError(
        fmt::format("strconv.ParseFloat: parsing {}: {}", GoQuote(s), why));
  };
  std::string_view body = s;
  bool neg = false;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
    neg = body[0] == '-';
    body.remove_prefix(1);
  }
  std::string lower;
  for (char c : body) lower.push_back(Lower(c));
  if (lower == "inf" || lower == "infinity") {
    return neg ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  }
  if (lower == "nan" && body.size() == s.size()) return std::numeric_limits<double>::quiet_NaN();
  // [digits][.digits][e[+-]digits], at least one mantissa digit.
  std::string clean;
  size_t i = 0;
  int mantissa_digits = 0;
  bool seen_nonzero = false, seen_dot = false;
  int int_digits = 0, leading_frac_zeros = 0;
  for (; i < body.size(); ++i) {
    const char c = body[i];
    if (c == '_') continue;
    if (c == '.' && !seen_dot) {
      seen_dot = true;
    } else if (c >= '0' && c <= '9') {
      ++mantissa_digits;
      if (!seen_dot) {
        if (seen_nonzero || c != '0') ++int_digits;
      } else if (!seen_nonzero && c == '0') {
        ++leading_frac_zeros;
      }
      if (c != '0') seen_nonzero = true;
    } else {
      break;
    }
    clean.push_back(c);
  }
  if (mantissa_digits == 0) return fail("invalid syntax");
  int64_t exp = 0;
  if (i < body.size() && Lower(body[i]) == 'e') {
    clean.push_back('e');
    ++i;
    if (i < body.size() && (body[i] == '+' || body[i] == '-')) clean.push_back(body[i++]);
    const int sign = !clean.empty() && clean.back() == '-' ? -1 : 1;
    int exp_digits = 0;
    for (; i < body.size(); ++i) {
      if (body[i] == '_') continue;
      if (body[i] < '0' || body[i] > '9') break;
      ++exp_digits;
      clean.push_back(body[i]);
      if (exp < 100000) exp = exp * 10 + (body[i] - '0');
    }
    if (exp_digits == 0) return fail("invalid syntax");
    exp *= sign;
  }
  if (i != body.size()) return fail("invalid syntax");
  if (s.find('_') != std::string_view::npos && !UnderscoreOk(s)) return fail("invalid syntax");
  double v = 0;
  auto [ptr, ec] = std::from_chars(clean.data(), clean.data() + clean.size(), v);
  if (ec == std::errc::result_out_of_range) {
    // Overflow is an error in Go; underflow rounds to zero silently.
    // The decimal exponent of the first non-zero digit tells which.
    const int first_digit_exp = int_digits > 0 ? int_digits - 1 : -(leading_frac_zeros + 1);
    if (!seen_nonzero || first_digit_exp + exp < 0) return neg ? -0.0 : 0.0;
    return fail("value out of range");
  }
  if (ec != std::errc() || ptr != clean.data() + clean.size()) return fail("invalid syntax");
  return neg ? -v : v;
}

}  // namespace

// Decodes one rune at the start of `s` as Go's utf8.DecodeRuneInString does:
// an invalid or overlong sequence, a surrogate or a value above U+10FFFF
// yields U+FFFD with width 1.
std::pair<int32_t, int> DecodeRune(std::string_view s) {
  if (s.empty()) return {kEofRune, 0};
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const unsigned char b0 = p[0];
  if (b0 < 0x80) return {b0, 1};
  auto cont = [](unsigned char b) { return (b & 0xC0) == 0x80; };
  const size_t n = s.size();
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    if (n >= 2 && cont(p[1])) return {(b0 & 0x1F) << 6 | (p[1] & 0x3F), 2};
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    const unsigned char lo = b0 == 0xE0 ? 0xA0 : 0x80;
    const unsigned char hi = b0 == 0xED ? 0x9F : 0xBF;
    if (n >= 3 && p[1] >= lo && p[1] <= hi && cont(p[2])) {
      return {(b0 & 0x0F) << 12 | (p[1] & 0x3F) << 6 | (p[2] & 0x3F), 3};
    }
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    const unsigned char lo = b0 == 0xF0 ? 0x90 : 0x80;
    const unsigned char hi = b0 == 0xF4 ? 0x8F : 0xBF;
    if (n >= 4 && p[1] >= lo && p[1] <= hi && cont(p[2]) && cont(p[3])) {
      return {(b0 & 0x07) << 18 | (p[1] & 0x3F) << 12 | (p[2] & 0x3F) << 6 | (p[3] & 0x3F), 4};
    }
  }
  return {kRuneError, 1};
}

// Go's %#U: "U+0078 'x'", or just "U+000A" for a rune that is not printable.
std::string GoFormatUnicode(int32_t r) {
  std::string out = fmt::format("U+{:04X}", static_cast<uint32_t>(r));
  if (r >= 0 && r <= kMaxRune && QuotedRuneBody(r).second) {
    out.append(" '");
    AppendUtf8(&out, r);
    out.push_back('\'');
  }
  return out;
}

// Go's %.Nq: the first `runes` runes of `s`, quoted.
std::string GoQuotePrefix(std::string_view s, int runes) {
  size_t end = 0;
  for (int i = 0; i < runes && end < s.size(); ++i) end += DecodeRune(s.substr(end)).second;
  return GoQuote(s.substr(0, end));
}

std::string GoQuoteRune(int32_t r) {
  if (r < 0 || r > kMaxRune || (r >= 0xD800 && r < 0xE000)) r = kRuneError;
  if (r == '\'') return R"('\'')";
  if (r == '"') return R"('"')";
  return "'" + QuotedRuneBody(r).first + "'";
}

absl::StatusOr<std::string> Unquote(std::string_view s) {
  const absl::Status syntax = absl::InvalidArgumentError("invalid syntax");
  if (s.size() < 2 || s.front() != s.back()) return syntax;
  const char quote = s.front();
  s = s.substr(1, s.size() - 2);
  if (quote == '`') {
    if (s.find('`') != std::string_view::npos) return syntax;
    return std::string(s);
  }
  if (quote != '"' && quote != '\'') return syntax;
  if (s.find('\n') != std::string_view::npos) return syntax;
  std::string out;
  out.reserve(s.size());
  while (!s.empty()) {
    const unsigned char c = static_cast<unsigned char>(s[0]);
    if (c == static_cast<unsigned char>(quote)) return syntax;
    if (c != '\\') {
      // Bytes are copied as they are, invalid UTF-8 included (Go copies a
      // multi-byte rune decoded as U+FFFD as the replacement character, but
      // the lexer has already rejected such strings).
      const int w = c < 0x80 ? 1 : DecodeRune(s).second;
      out.append(s.substr(0, w));
      s.remove_prefix(w);
      continue;
    }
    if (s.size() < 2) return syntax;
    const char e = s[1];
    s.remove_prefix(2);
    switch (e) {
      case 'a':
        out.push_back('\a');
        break;
      case 'b':
        out.push_back('\b');
        break;
      case 'f':
        out.push_back('\f');
        break;
      case 'n':
        out.push_back('\n');
        break;
      case 'r':
        out.push_back('\r');
        break;
      case 't':
        out.push_back('\t');
        break;
      case 'v':
        out.push_back('\v');
        break;
      case '\\':
        out.push_back('\\');
        break;
      case '\'':
      case '"':
        if (e != quote) return syntax;
        out.push_back(e);
        break;
      case 'x':
      case 'u':
      case 'U': {
        const size_t n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
        if (s.size() < n) return syntax;
        uint32_t v = 0;
        for (size_t j = 0; j < n; ++j) {
          const int d = DigitVal(static_cast<unsigned char>(s[j]));
          if (d >= 16) return syntax;
          v = v << 4 | static_cast<uint32_t>(d);
        }
        s.remove_prefix(n);
        if (e == 'x') {
          out.push_back(static_cast<char>(v));  // a single byte, maybe not UTF-8
        } else {
          if (v > kMaxRune) return syntax;
          AppendUtf8(&out, static_cast<int32_t>(v));
        }
        break;
      }
      case '0':
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7': {
        uint32_t v = static_cast<uint32_t>(e - '0');
        if (s.size() < 2) return syntax;
        for (size_t j = 0; j < 2; ++j) {
          if (s[j] < '0' || s[j] > '7') return syntax;
          v = v << 3 | static_cast<uint32_t>(s[j] - '0');
        }
        s.remove_prefix(2);
        if (v > 255) return syntax;
        out.push_back(static_cast<char>(v));
        break;
      }
      default:
        return syntax;
    }
  }
  return out;
}

// Prometheus's parser.number(): ParseInt(s, 0, 64), else ParseFloat.
absl::StatusOr<double> ParseNumber(std::string_view s) {
  if (std::optional<int64_t> n = GoParseInt(s)) return static_cast<double>(*n);
  return GoParseFloat(s);
}

absl::StatusOr<absl::Duration> ParseDuration(std::string_view s) {
  if (s == "0") return absl::ZeroDuration();
  if (s.empty()) return absl::InvalidArgumentError("empty duration string");
  const std::string_view orig = s;
  auto invalid = [&] {
    return absl::InvalidArgumentError(
        fmt::format("not a valid duration string: {}", GoQuote(orig)));
  };
  struct Unit {
    std::string_view name;
    int pos;  // units must appear in increasing pos order
    uint64_t ns;
  };
  static constexpr Unit kUnits[] = {
      {"y", 1, 365ULL * 24 * 3600 * 1000000000},
      {"w", 2, 7ULL * 24 * 3600 * 1000000000},
      {"d", 3, 24ULL * 3600 * 1000000000},
      {"h", 4, 3600ULL * 1000000000},
      {"m", 5, 60ULL * 1000000000},
      {"s", 6, 1000000000ULL},
      {"ms", 7, 1000000ULL},
  };
  constexpr uint64_t kLimit = uint64_t{1} << 63;
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  uint64_t total = 0;
  int last_pos = 0;
  while (!s.empty()) {
    if (!is_digit(s[0])) return invalid();
    size_t i = 0;
    uint64_t v = 0;
    bool overflow = false;
    for (; i < s.size() && is_digit(s[i]); ++i) {
      const uint64_t d = static_cast<uint64_t>(s[i] - '0');
      if (v > (std::numeric_limits<uint64_t>::max() - d) / 10) overflow = true;
      v = v * 10 + d;
    }
    if (overflow) return invalid();  // strconv.ParseUint fails
    s.remove_prefix(i);
    for (i = 0; i < s.size() && !is_digit(s[i]); ++i) {
    }
    if (i == 0) return invalid();
    const std::string_view unit_name = s.substr(0, i);
    s.remove_prefix(i);
    const Unit* unit = nullptr;
    for (const Unit& u : kUnits) {
      if (u.name == unit_name) unit = &u;
    }
    if (unit == nullptr) {
      return absl::InvalidArgumentError(
          fmt::format("unknown unit {} in duration {}", GoQuote(unit_name), GoQuote(orig)));
    }
    if (unit->pos <= last_pos) return invalid();  // "1m1d" is not a month and a day
    last_pos = unit->pos;
    if (v > kLimit / unit->ns) return absl::InvalidArgumentError("duration out of range");
    total += v * unit->ns;
    if (total > kLimit - 1) return absl::InvalidArgumentError("duration out of range");
  }
  return absl::Nanoseconds(static_cast<int64_t>(total));
}

}  // namespace strata::promql
