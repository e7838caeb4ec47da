// Parsing half of tools/openmetrics.h. The grammar follows Prometheus's
// OpenMetrics 1.0 lexer (model/textparse/openmetricslex.l) line by line.
#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <memory>
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "tools/openmetrics.h"
#include "tsdb/base/status_macros.h"

namespace strata::tools {
namespace {

// Debian's Abseil: absl::string_view is not std::string_view.
absl::string_view Sv(std::string_view s) { return absl::string_view(s.data(), s.size()); }

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool EqualsIgnoreCase(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

// Checks the decimal syntax Go accepts: digits with an optional point (at
// least one digit in all), then an optional exponent with at least one digit.
// Fills the mantissa digits (point removed), the count of digits before the
// point and the exponent (clamped so it cannot overflow).
struct Decimal {
  std::string_view int_part, frac_part;
  int exp = 0;
};
bool ScanDecimal(std::string_view s, Decimal* d) {
  size_t i = 0;
  while (i < s.size() && IsDigit(s[i])) ++i;
  d->int_part = s.substr(0, i);
  if (i < s.size() && s[i] == '.') {
    size_t start = ++i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    d->frac_part = s.substr(start, i - start);
  }
  if (d->int_part.empty() && d->frac_part.empty()) return false;
  d->exp = 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool neg = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
    if (i == s.size()) return false;
    for (; i < s.size() && IsDigit(s[i]); ++i) {
      if (d->exp < 100000) d->exp = d->exp * 10 + (s[i] - '0');
    }
    if (neg) d->exp = -d->exp;
  }
  return i == s.size();
}

}  // namespace

bool ParseGoFloat(std::string_view s, double* out) {
  if (s.empty()) return false;
  if (EqualsIgnoreCase(s, "nan")) {  // Go accepts no sign on NaN
    *out = std::bit_cast<double>(kNormalNaNBits);
    return true;
  }
  bool neg = false;
  std::string_view body = s;
  if (body[0] == '+' || body[0] == '-') {
    neg = body[0] == '-';
    body.remove_prefix(1);
  }
  double v;
  if (EqualsIgnoreCase(body, "inf") || EqualsIgnoreCase(body, "infinity")) {
    v = std::numeric_limits<double>::infinity();
  } else {
    Decimal d;
    if (!ScanDecimal(body, &d)) return false;
    auto r = std::from_chars(body.data(), body.data() + body.size(), v);
    if (r.ec == std::errc::result_out_of_range) {
      // Overflow is an error in Go; underflow gives 0 (or a subnormal).
      v = std::strtod(std::string(body).c_str(), nullptr);
      if (std::isinf(v)) return false;
    } else if (r.ec != std::errc() || r.ptr != body.data() + body.size()) {
      return false;
    }
  }
  *out = neg ? -v : v;
  return true;
}

std::string ParseTimestampSeconds(std::string_view s, int64_t* ms) {
  bool neg = false;
  std::string_view body = s;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
    neg = body[0] == '-';
    body.remove_prefix(1);
  }
  Decimal d;
  if (!ScanDecimal(body, &d)) {
    return absl::StrCat("invalid timestamp \"", Sv(s), "\" (want seconds, e.g. 1700000000.123)");
  }
  // value = 0.<digits> * 10^point; milliseconds = the integer part of
  // <digits> with the point moved `point + 3` places.
  std::string_view digits_a = d.int_part, digits_b = d.frac_part;
  int64_t point = static_cast<int64_t>(d.int_part.size()) + d.exp + 3;
  // Skip leading zeros so that a non-zero first digit bounds the magnitude.
  while (!digits_a.empty() && digits_a[0] == '0') {
    digits_a.remove_prefix(1);
    --point;
  }
  if (digits_a.empty()) {
    while (!digits_b.empty() && digits_b[0] == '0') {
      digits_b.remove_prefix(1);
      --point;
    }
  }
  const size_t n = digits_a.size() + digits_b.size();
  if (n == 0 || point <= 0) {
    *ms = 0;
    return "";
  }
  if (point > 19) return absl::StrCat("timestamp \"", Sv(s), "\" out of range");
  uint64_t acc = 0;
  for (int64_t i = 0; i < point; ++i) {
    size_t k = static_cast<size_t>(i);
    char c = k < digits_a.size() ? digits_a[k] : k < n ? digits_b[k - digits_a.size()] : '0';
    if (acc > (uint64_t{1} << 63) / 10)
      return absl::StrCat("timestamp \"", Sv(s), "\" out of range");
    acc = acc * 10 + static_cast<uint64_t>(c - '0');
  }
  if (acc > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return absl::StrCat("timestamp \"", Sv(s), "\" out of range");
  }
  *ms = neg ? -static_cast<int64_t>(acc) : static_cast<int64_t>(acc);
  return "";
}

OpenMetricsParser::OpenMetricsParser(OmCallbacks callbacks) : callbacks_(std::move(callbacks)) {}

absl::Status OpenMetricsParser::Feed(std::string_view data) {
  RETURN_IF_ERROR(status_);
  while (!data.empty()) {
    if (eof_) {
      status_ = absl::InvalidArgumentError(
          absl::StrCat("line ", line_ + 1, ", column 1: unexpected data after # EOF"));
      return status_;
    }
    size_t nl = data.find('\n');
    if (nl == std::string_view::npos) {
      if (pending_.size() + data.size() > kMaxLineBytes) {
        status_ = absl::InvalidArgumentError(
            absl::StrCat("line ", line_ + 1, ": longer than ", kMaxLineBytes, " bytes"));
        return status_;
      }
      pending_.append(data);
      return absl::OkStatus();
    }
    ++line_;
    if (pending_.empty()) {
      status_ = ParseLine(data.substr(0, nl));
    } else {
      pending_.append(data.substr(0, nl));
      status_ = ParseLine(pending_);
      pending_.clear();
    }
    RETURN_IF_ERROR(status_);
    data.remove_prefix(nl + 1);
  }
  return absl::OkStatus();
}

absl::Status OpenMetricsParser::Finish() {
  RETURN_IF_ERROR(status_);
  if (!pending_.empty()) {  // the last line has no '\n'
    ++line_;
    if (eof_) {
      status_ = absl::InvalidArgumentError(
          absl::StrCat("line ", line_, ", column 1: unexpected data after # EOF"));
      return status_;
    }
    if (pending_ != "# EOF") {
      status_ = absl::InvalidArgumentError(
          absl::StrCat("line ", line_, ": data does not end with # EOF"));
      return status_;
    }
    eof_ = true;
    pending_.clear();
  }
  if (!eof_) {
    status_ = absl::InvalidArgumentError(
        absl::StrCat("line ", line_ + 1, ": data does not end with # EOF"));
  }
  return status_;
}

absl::Status OpenMetricsParser::ParseLine(std::string_view line) {
  if (line.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("line ", line_, ", column 1: empty line (not allowed in OpenMetrics)"));
  }
  if (line.back() == '\r') {
    return absl::InvalidArgumentError(
        absl::StrCat("line ", line_, ", column ", line.size(),
                     ": carriage return (OpenMetrics lines end with \\n alone)"));
  }
  if (line[0] == '#') return ParseComment(line);
  return ParseSample(line);
}

absl::Status ParseOpenMetrics(std::string_view text, const OmCallbacks& callbacks) {
  OpenMetricsParser parser(callbacks);
  RETURN_IF_ERROR(parser.Feed(text));
  return parser.Finish();
}

absl::Status ParseOpenMetricsFile(FileSystem* fs, const std::string& path,
                                  const OmCallbacks& callbacks) {
  ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, fs->NewRandomAccessFile(path));
  OpenMetricsParser parser(callbacks);
  constexpr size_t kChunk = 1 << 20;
  std::unique_ptr<char[]> buf(new char[kChunk]);
  uint64_t offset = 0;
  const uint64_t size = file->Size();
  while (offset < size) {
    ASSIGN_OR_RETURN(size_t got,
                     file->ReadAt(offset, std::min<uint64_t>(kChunk, size - offset), buf.get()));
    if (got == 0) break;
    RETURN_IF_ERROR(AnnotateStatus(parser.Feed(std::string_view(buf.get(), got)), path));
    offset += got;
  }
  return AnnotateStatus(parser.Finish(), path);
}

}  // namespace strata::tools
