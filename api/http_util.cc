#include "api/http_util.h"

#include <charconv>
#include <cmath>
#include <limits>

#include "fmt/format.h"
#include "tsdb/labels/labels.h"

namespace strata::api {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Go's url.QueryUnescape.
absl::Status QueryUnescape(std::string_view s, std::string* out) {
  out->clear();
  out->reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+') {
      out->push_back(' ');
    } else if (c == '%') {
      if (i + 2 >= s.size() || HexValue(s[i + 1]) < 0 || HexValue(s[i + 2]) < 0) {
        std::string bad(s.substr(i, 3));
        return absl::InvalidArgumentError(fmt::format("invalid URL escape {}", GoQuote(bad)));
      }
      out->push_back(static_cast<char>(HexValue(s[i + 1]) << 4 | HexValue(s[i + 2])));
      i += 2;
    } else {
      out->push_back(c);
    }
  }
  return absl::OkStatus();
}

// Parses exactly `n` decimal digits at s[*pos], advancing *pos.
bool ParseDigits(std::string_view s, size_t* pos, size_t n, int* out) {
  if (*pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[*pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *pos += n;
  *out = v;
  return true;
}

bool Expect(std::string_view s, size_t* pos, char c) {
  if (*pos >= s.size() || s[*pos] != c) return false;
  ++*pos;
  return true;
}

bool IsLeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeapYear(y) ? 29 : kDays[m - 1];
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
// days_from_civil).
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// RFC 3339 as Go's time.Parse(time.RFC3339Nano, s) accepts it: a four-digit
// year, 'T', fractional seconds of any length after '.' or ',' (nanosecond
// precision), and 'Z' or a ±hh:mm offset.
bool ParseRfc3339(std::string_view s, int64_t* ms) {
  size_t p = 0;
  int year, month, day, hour, minute, second;
  if (!ParseDigits(s, &p, 4, &year) || !Expect(s, &p, '-') || !ParseDigits(s, &p, 2, &month) ||
      !Expect(s, &p, '-') || !ParseDigits(s, &p, 2, &day) || !Expect(s, &p, 'T') ||
      !ParseDigits(s, &p, 2, &hour) || !Expect(s, &p, ':') || !ParseDigits(s, &p, 2, &minute) ||
      !Expect(s, &p, ':') || !ParseDigits(s, &p, 2, &second)) {
    return false;
  }
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month) || hour > 23 ||
      minute > 59 || second > 59) {
    return false;
  }
  int64_t nanos = 0;
  if (p + 1 < s.size() && (s[p] == '.' || s[p] == ',') && s[p + 1] >= '0' && s[p + 1] <= '9') {
    ++p;
    int digits = 0;
    for (; p < s.size() && s[p] >= '0' && s[p] <= '9'; ++p, ++digits) {
      if (digits < 9) nanos = nanos * 10 + (s[p] - '0');
    }
    for (; digits < 9; ++digits) nanos *= 10;
  }
  int64_t offset_s = 0;
  if (p < s.size() && s[p] == 'Z') {
    ++p;
  } else if (p < s.size() && (s[p] == '+' || s[p] == '-')) {
    int sign = s[p++] == '-' ? -1 : 1;
    int oh, om;
    if (!ParseDigits(s, &p, 2, &oh) || !Expect(s, &p, ':') || !ParseDigits(s, &p, 2, &om) ||
        oh > 23 || om > 59) {
      return false;
    }
    offset_s = sign * (oh * 3600 + om * 60);
  } else {
    return false;
  }
  if (p != s.size()) return false;
  int64_t secs =
      DaysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset_s;
  *ms = secs * 1000 + nanos / 1000000;
  return true;
}

// Unix seconds as Go's strconv.ParseFloat reads them (decimal forms only),
// converted to milliseconds as Prometheus's parseTime does: whole seconds
// plus the fraction rounded to milliseconds, half away from zero.
bool ParseUnixSeconds(std::string_view s, int64_t* ms) {
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty() || !((s[0] >= '0' && s[0] <= '9') || s[0] == '.')) return false;
  double t = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), t, std::chars_format::general);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(t)) return false;
  if (negative) t = -t;
  double whole = std::trunc(t);
  double result = whole * 1000 + std::round((t - whole) * 1000);
  if (result >= 9.2233720368547758e18) {
    *ms = std::numeric_limits<int64_t>::max();
  } else if (result <= -9.2233720368547758e18) {
    *ms = std::numeric_limits<int64_t>::min();
  } else {
    *ms = static_cast<int64_t>(result);
  }
  return true;
}

}  // namespace

std::string_view FormValues::Get(std::string_view key) const {
  for (const auto& [k, v] : values_) {
    if (k == key) return v;
  }
  return {};
}

std::vector<std::string_view> FormValues::GetAll(std::string_view key) const {
  std::vector<std::string_view> out;
  for (const auto& [k, v] : values_) {
    if (k == key) out.push_back(v);
  }
  return out;
}

absl::Status ParseUrlEncoded(std::string_view s, FormValues* out) {
  absl::Status first_error;
  std::string key, value;
  while (!s.empty()) {
    size_t amp = s.find('&');
    std::string_view pair = s.substr(0, amp);
    s = amp == std::string_view::npos ? std::string_view() : s.substr(amp + 1);
    if (pair.find(';') != std::string_view::npos) {
      first_error = absl::InvalidArgumentError("invalid semicolon separator in query");
      continue;
    }
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string_view raw_key = pair.substr(0, eq);
    std::string_view raw_value = eq == std::string_view::npos ? "" : pair.substr(eq + 1);
    absl::Status st = QueryUnescape(raw_key, &key);
    if (st.ok()) st = QueryUnescape(raw_value, &value);
    if (!st.ok()) {
      if (first_error.ok()) first_error = st;
      continue;
    }
    out->Add(key, value);
  }
  return first_error;
}

absl::StatusOr<int64_t> ParsePromTime(std::string_view s) {
  int64_t ms = 0;
  if (ParseUnixSeconds(s, &ms) || ParseRfc3339(s, &ms)) return ms;
  // Go's time.Parse cannot read years beyond four digits, so Prometheus
  // special-cases the two bounds its clients send.
  if (s == kMinTimeFormatted) return kApiMinTimeMs;
  if (s == kMaxTimeFormatted) return kApiMaxTimeMs;
  return absl::InvalidArgumentError(
      fmt::format("cannot parse {} to a valid timestamp", GoQuote(s)));
}

absl::StatusOr<int64_t> ParseTimeParam(const FormValues& form, std::string_view param,
                                       int64_t default_ms) {
  std::string_view value = form.Get(param);
  if (value.empty()) return default_ms;
  absl::StatusOr<int64_t> t = ParsePromTime(value);
  if (!t.ok()) {
    return absl::InvalidArgumentError(
        fmt::format("invalid parameter {}: Invalid time value for '{}': {}", GoQuote(param), param,
                    StatusMessage(t.status())));
  }
  return t;
}

absl::StatusOr<int64_t> ParseGoInt(std::string_view s) {
  std::string_view digits = s;
  bool negative = false;
  if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) {
    negative = digits[0] == '-';
    digits.remove_prefix(1);
  }
  bool syntax_ok = !digits.empty();
  for (char c : digits) syntax_ok = syntax_ok && c >= '0' && c <= '9';
  if (!syntax_ok) {
    return absl::InvalidArgumentError(
        fmt::format("strconv.Atoi: parsing {}: invalid syntax", GoQuote(s)));
  }
  uint64_t magnitude = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude);
  uint64_t max = negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
  if (ec != std::errc() || magnitude > max) {
    return absl::InvalidArgumentError(
        fmt::format("strconv.Atoi: parsing {}: value out of range", GoQuote(s)));
  }
  return negative ? static_cast<int64_t>(0 - magnitude) : static_cast<int64_t>(magnitude);
}

absl::StatusOr<int64_t> ParseLimitParam(const FormValues& form) {
  std::string_view s = form.Get("limit");
  if (s.empty()) return 0;
  absl::StatusOr<int64_t> limit = ParseGoInt(s);
  if (!limit.ok()) {
    return absl::InvalidArgumentError(
        fmt::format("invalid parameter \"limit\": {}", StatusMessage(limit.status())));
  }
  if (*limit < 0) {
    return absl::InvalidArgumentError("invalid parameter \"limit\": limit must be non-negative");
  }
  return limit;
}

std::string UnescapeLabelName(std::string_view name) {
  constexpr std::string_view kPrefix = "U__";
  if (name.substr(0, kPrefix.size()) != kPrefix) return std::string(name);
  std::string_view escaped = name.substr(kPrefix.size());
  std::string out;
  for (size_t i = 0; i < escaped.size(); ++i) {
    if (escaped[i] != '_') {
      out.push_back(escaped[i]);
      continue;
    }
    if (++i >= escaped.size()) return std::string(name);
    if (escaped[i] == '_') {
      out.push_back('_');
      continue;
    }
    // "_<hex>_": a code point of at most six hex digits.
    uint32_t code = 0;
    size_t digits = 0;
    for (; i < escaped.size() && escaped[i] != '_'; ++i, ++digits) {
      int h = HexValue(escaped[i]);
      if (digits >= 6 || h < 0) return std::string(name);
      code = code * 16 + static_cast<uint32_t>(h);
    }
    if (i >= escaped.size()) return std::string(name);  // no closing '_'
    if (code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return std::string(name);
    if (code < 0x80) {
      out.push_back(static_cast<char>(code));
    } else if (code < 0x800) {
      out.push_back(static_cast<char>(0xC0 | code >> 6));
      out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else if (code < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | code >> 12));
      out.push_back(static_cast<char>(0x80 | (code >> 6 & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | code >> 18));
      out.push_back(static_cast<char>(0x80 | (code >> 12 & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (code >> 6 & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    }
  }
  return out;
}

std::string_view ApiErrorTypeName(ApiErrorType type) {
  switch (type) {
    case ApiErrorType::kBadData:
      return "bad_data";
    case ApiErrorType::kExecution:
      return "execution";
    case ApiErrorType::kCanceled:
      return "canceled";
    case ApiErrorType::kTimeout:
      return "timeout";
    case ApiErrorType::kUnavailable:
      return "unavailable";
    case ApiErrorType::kInternal:
      return "internal";
    case ApiErrorType::kNotFound:
      return "not_found";
    case ApiErrorType::kNotAcceptable:
      return "not_acceptable";
  }
  return "internal";
}

int ApiErrorHttpStatus(ApiErrorType type) {
  switch (type) {
    case ApiErrorType::kBadData:
      return 400;
    case ApiErrorType::kExecution:
      return 422;
    case ApiErrorType::kCanceled:
      return 499;
    case ApiErrorType::kTimeout:
    case ApiErrorType::kUnavailable:
      return 503;
    case ApiErrorType::kInternal:
      return 500;
    case ApiErrorType::kNotFound:
      return 404;
    case ApiErrorType::kNotAcceptable:
      return 406;
  }
  return 500;
}

void RespondApiError(httplib::Response* res, ApiErrorType type, std::string_view message) {
  std::string body;
  JsonWriter w(&body);
  w.BeginObject();
  w.Key("status");
  w.String("error");
  w.Key("errorType");
  w.String(ApiErrorTypeName(type));
  w.Key("error");
  w.String(message);
  w.EndObject();
  res->status = ApiErrorHttpStatus(type);
  res->set_content(body, "application/json");
}

ApiSuccess::ApiSuccess() : body_(R"({"status":"success","data":)"), writer_(&body_) {}

void ApiSuccess::Send(httplib::Response* res, std::span<const std::string> warnings,
                      std::span<const std::string> infos) {
  auto append_list = [&](std::string_view key, std::span<const std::string> list) {
    if (list.empty()) return;
    body_.append(",\"").append(key).append("\":[");
    for (size_t i = 0; i < list.size(); ++i) {
      if (i > 0) body_.push_back(',');
      AppendJsonString(&body_, list[i]);
    }
    body_.push_back(']');
  };
  append_list("warnings", warnings);
  append_list("infos", infos);
  body_.push_back('}');
  res->status = 200;
  res->body = std::move(body_);
  res->set_header("Content-Type", "application/json");
}

void RespondText(httplib::Response* res, int status, std::string_view message) {
  res->status = status;
  std::string body(message);
  body.push_back('\n');
  res->set_header("X-Content-Type-Options", "nosniff");
  res->set_content(body, "text/plain; charset=utf-8");
}

}  // namespace strata::api
