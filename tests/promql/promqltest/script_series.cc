// Series descriptions of the PromQL test-script format: the label part and the
// expanding value notation (Prometheus's ParseSeriesDesc and the
// series_values rules of its grammar).
#include <cctype>
#include <charconv>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "promql/parser.h"
#include "promql/strconv.h"
#include "tests/promql/promqltest/script.h"
#include "tests/promql/promqltest/text_util.h"

namespace strata::promqltest {
namespace {

// A decimal count, digits only.
bool ParseCount(std::string_view s, uint64_t* n) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *n);
  return ec == std::errc() && p == s.data() + s.size();
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Length of the number at the start of `s` (sign, Inf/NaN, decimal with
// fraction and exponent), or 0. Only finds the extent; ParseNumber judges it.
size_t ScanNumber(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  std::string rest = absl::AsciiStrToLower(std::string(s.substr(i, 8)));
  if (rest.starts_with("infinity")) return i + 8;
  if (rest.starts_with("inf") || rest.starts_with("nan")) return i + 3;
  // No hexadecimal: Prometheus's lexer refuses it in series descriptions,
  // where `0x3` means 0 repeated.
  bool any_digit = false;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) {
    any_digit |= s[i] != '.';
    ++i;
  }
  if (!any_digit) return 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    size_t j = i + 1;
    if (j < s.size() && (s[j] == '+' || s[j] == '-')) ++j;
    if (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) {
      while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
      i = j;
    }
  }
  return i;
}

absl::Status BadItem(std::string_view item, std::string_view why) {
  return absl::InvalidArgumentError(Cat("bad series value \"", item, "\": ", why));
}

// Parses the `x<count>` suffix of an item.
absl::StatusOr<uint64_t> ParseTimes(std::string_view item, std::string_view s) {
  uint64_t n = 0;
  if (s.size() < 2 || s[0] != 'x' || !ParseCount(s.substr(1), &n) || s[1] == '+' || s[1] == '-') {
    return BadItem(item, "expected x<count>");
  }
  return n;
}

absl::StatusOr<double> ParseValue(std::string_view item, std::string_view s) {
  if (s == "stale") return StaleNaN();
  absl::StatusOr<double> v = promql::ParseNumber(s);
  if (!v.ok()) return BadItem(item, Message(v.status()));
  return *v;
}

// One `{{...}}` item: one point, or count+1 points with an `x<count>` suffix.
absl::Status AppendHistogramItem(std::string_view item, std::vector<SequenceValue>* out) {
  size_t close = item.rfind("}}");
  if (close == std::string_view::npos) return BadItem(item, "unterminated {{");
  std::string_view suffix = item.substr(close + 2);
  uint64_t n = 0;
  if (!suffix.empty()) {
    absl::StatusOr<uint64_t> times = ParseTimes(item, suffix);
    if (!times.ok()) return times.status();
    n = *times;
  }
  for (uint64_t i = 0; i <= n; ++i) out->push_back({0, false, true});
  return absl::OkStatus();
}

absl::Status AppendNumberItem(std::string_view item, std::vector<SequenceValue>* out) {
  size_t len = item.starts_with("stale") ? 5 : ScanNumber(item);
  if (len == 0) return BadItem(item, "expected a number, \"stale\" or \"_\"");
  absl::StatusOr<double> start = ParseValue(item, item.substr(0, len));
  if (!start.ok()) return start.status();
  std::string_view rest = item.substr(len);
  if (rest.empty()) {
    out->push_back({*start});
    return absl::OkStatus();
  }
  double delta = 0;
  if (rest[0] == '+' || rest[0] == '-') {
    size_t dlen = ScanNumber(rest);
    if (dlen == 0) return BadItem(item, "expected a number after the sign");
    absl::StatusOr<double> d = ParseValue(item, rest.substr(0, dlen));
    if (!d.ok()) return d.status();
    delta = *d;
    rest.remove_prefix(dlen);
  }
  absl::StatusOr<uint64_t> times = ParseTimes(item, rest);
  if (!times.ok()) return times.status();
  // Accumulate as the grammar does ($1 += $2), so rounding matches.
  double v = *start;
  for (uint64_t i = 0; i <= *times; ++i) {
    out->push_back({v});
    v += delta;
  }
  return absl::OkStatus();
}

absl::Status AppendItem(std::string_view item, std::vector<SequenceValue>* out) {
  if (item == "_") {
    out->push_back({0, true});
    return absl::OkStatus();
  }
  if (item.starts_with("_x")) {
    uint64_t n = 0;
    if (!ParseCount(item.substr(2), &n)) return BadItem(item, "expected _x<count>");
    for (uint64_t i = 0; i < n; ++i) out->push_back({0, true});
    return absl::OkStatus();
  }
  if (item.starts_with("{{")) return AppendHistogramItem(item, out);
  return AppendNumberItem(item, out);
}

// End of the item starting at `i`: the next blank outside `{{...}}`.
size_t ItemEnd(std::string_view text, size_t i) {
  while (i < text.size() && !IsSpace(text[i])) {
    if (text.substr(i).starts_with("{{")) {
      size_t close = text.find("}}", i + 2);
      if (close == std::string_view::npos) return text.size();
      i = close + 2;
    } else {
      ++i;
    }
  }
  return i;
}

// Skips a quoted string starting at s[i]; returns the index after it.
size_t SkipQuoted(std::string_view s, size_t i) {
  const char q = s[i++];
  while (i < s.size() && s[i] != q) {
    if (s[i] == '\\' && q != '`') ++i;
    ++i;
  }
  return i < s.size() ? i + 1 : i;
}

// Length of the metric part: a name, a `{...}` label set, or both.
size_t MetricEnd(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && !IsSpace(line[i]) && line[i] != '{') ++i;
  if (i < line.size() && line[i] == '{') {
    int depth = 0;
    while (i < line.size()) {
      char c = line[i];
      if (c == '"' || c == '\'' || c == '`') {
        i = SkipQuoted(line, i);
        continue;
      }
      ++i;
      if (c == '{') ++depth;
      if (c == '}' && --depth == 0) break;
    }
  }
  return i;
}

}  // namespace

absl::StatusOr<std::vector<SequenceValue>> ParseSequence(std::string_view text) {
  std::vector<SequenceValue> out;
  size_t i = 0;
  while (true) {
    while (i < text.size() && IsSpace(text[i])) ++i;
    if (i >= text.size()) break;
    size_t end = ItemEnd(text, i);
    if (absl::Status s = AppendItem(text.substr(i, end - i), &out); !s.ok()) return s;
    i = end;
  }
  return out;
}

absl::StatusOr<SeriesDesc> ParseSeriesDesc(std::string_view line) {
  line = Trim(line);
  size_t end = MetricEnd(line);
  if (end == 0) return absl::InvalidArgumentError("missing metric in series description");
  if (end < line.size() && !IsSpace(line[end])) {
    return absl::InvalidArgumentError(
        Cat("unexpected \"", line.substr(end, 1), "\" after the metric"));
  }
  absl::StatusOr<std::vector<Matcher>> matchers = promql::ParseMetricSelector(line.substr(0, end));
  if (!matchers.ok()) return matchers.status();
  std::vector<Label> pairs;
  for (const Matcher& m : *matchers) {
    if (m.type() != MatchType::kEqual) {
      return absl::InvalidArgumentError(
          Cat("series description needs label=value, got ", m.ToString()));
    }
    pairs.push_back({m.name(), m.value()});
  }
  SeriesDesc desc;
  desc.metric = Labels::FromUnsorted(std::move(pairs));
  absl::StatusOr<std::vector<SequenceValue>> values = ParseSequence(line.substr(end));
  if (!values.ok()) return values.status();
  desc.values = std::move(*values);
  return desc;
}

absl::StatusOr<double> ParseScriptNumber(std::string_view s) { return promql::ParseNumber(s); }

}  // namespace strata::promqltest
