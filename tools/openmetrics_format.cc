// Formatting half of tools/openmetrics.h: Go-compatible float text,
// timestamps in seconds, OpenMetrics and `promtool tsdb dump` lines.
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>

#include "tools/openmetrics.h"

namespace strata::tools {
namespace {

// Appends `s` between double quotes with OpenMetrics's escapes: \\ \" \n.
// Everything else is written as is (the parser reads it back unchanged).
void AppendOmQuoted(std::string_view s, std::string* out) {
  out->push_back('"');
  for (char c : s) {
    switch (c) {
      case '\\':
        out->append("\\\\");
        break;
      case '"':
        out->append("\\\"");
        break;
      case '\n':
        out->append("\\n");
        break;
      default:
        out->push_back(c);
    }
  }
  out->push_back('"');
}

void AppendExponent(int exp, std::string* out) {
  out->push_back('e');
  out->push_back(exp < 0 ? '-' : '+');
  unsigned e = static_cast<unsigned>(exp < 0 ? -exp : exp);
  if (e < 10) out->push_back('0');  // Go prints at least two digits
  char buf[8];
  auto r = std::to_chars(buf, buf + sizeof(buf), e);
  out->append(buf, r.ptr);
}

}  // namespace

std::string_view MetricTypeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
    case MetricType::kGaugeHistogram:
      return "gaugehistogram";
    case MetricType::kSummary:
      return "summary";
    case MetricType::kInfo:
      return "info";
    case MetricType::kStateset:
      return "stateset";
    default:
      return "unknown";
  }
}

void AppendGoFloat(double v, std::string* out) {
  if (std::isnan(v)) {
    out->append("NaN");
    return;
  }
  if (std::isinf(v)) {
    out->append(v > 0 ? "+Inf" : "-Inf");
    return;
  }
  // The shortest round-trip digits, in scientific form: "-1.2345e+08".
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  std::string_view sci(buf, r.ptr - buf);
  if (sci.front() == '-') {
    out->push_back('-');
    sci.remove_prefix(1);
  }
  const size_t e = sci.find('e');
  std::string_view mantissa = sci.substr(0, e);
  std::string_view exp_text = sci.substr(e + 1);
  if (exp_text.front() == '+') exp_text.remove_prefix(1);
  int exp = 0;
  std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), exp);
  // Significant digits without the point; at most 17 for a double.
  char digit_buf[24];
  size_t n = 0;
  digit_buf[n++] = mantissa[0];
  for (size_t i = 2; i < mantissa.size(); ++i) digit_buf[n++] = mantissa[i];
  std::string_view digits(digit_buf, n);
  if (exp < -4 || exp >= 6) {  // Go's %g rule for the shortest precision
    out->push_back(digits[0]);
    if (digits.size() > 1) {
      out->push_back('.');
      out->append(digits.substr(1));
    }
    AppendExponent(exp, out);
    return;
  }
  if (exp < 0) {
    out->append("0.");
    out->append(static_cast<size_t>(-exp - 1), '0');
    out->append(digits);
    return;
  }
  const size_t int_digits = static_cast<size_t>(exp) + 1;
  if (digits.size() <= int_digits) {
    out->append(digits);
    out->append(int_digits - digits.size(), '0');
  } else {
    out->append(digits.substr(0, int_digits));
    out->push_back('.');
    out->append(digits.substr(int_digits));
  }
}

void AppendSecondsMs(int64_t t_ms, std::string* out) {
  // Unsigned magnitude: -INT64_MIN does not fit an int64.
  uint64_t abs = t_ms < 0 ? uint64_t{0} - static_cast<uint64_t>(t_ms) : t_ms;
  if (t_ms < 0) out->push_back('-');
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), abs / 1000);
  out->append(buf, r.ptr);
  const unsigned frac = static_cast<unsigned>(abs % 1000);
  out->push_back('.');
  out->push_back(static_cast<char>('0' + frac / 100));
  out->push_back(static_cast<char>('0' + frac / 10 % 10));
  out->push_back(static_cast<char>('0' + frac % 10));
}

void AppendOpenMetricsSample(const Labels& labels, int64_t t_ms, double v, std::string* out) {
  std::string_view name = labels.Get(kMetricNameLabel);
  const bool legacy = !name.empty() && IsLegacyMetricName(name);
  if (legacy) out->append(name);
  out->push_back('{');
  bool first = true;
  if (!name.empty() && !legacy) {
    AppendOmQuoted(name, out);
    first = false;
  }
  labels.ForEach([&](const Label& l) {
    if (l.name == kMetricNameLabel && !name.empty()) return;
    if (!first) out->push_back(',');
    first = false;
    if (IsLegacyLabelName(l.name)) {
      out->append(l.name);
    } else {
      AppendOmQuoted(l.name, out);
    }
    out->push_back('=');
    AppendOmQuoted(l.value, out);
  });
  out->append("} ");
  AppendGoFloat(v, out);
  out->push_back(' ');
  AppendSecondsMs(t_ms, out);
  out->push_back('\n');
}

void AppendOpenMetricsMetadata(std::string_view family, MetadataKind kind, MetricType type,
                               std::string_view text, std::string* out) {
  switch (kind) {
    case MetadataKind::kHelp:
      out->append("# HELP ");
      break;
    case MetadataKind::kType:
      out->append("# TYPE ");
      break;
    case MetadataKind::kUnit:
      out->append("# UNIT ");
      break;
  }
  if (IsLegacyMetricName(family)) {
    out->append(family);
  } else {
    AppendOmQuoted(family, out);
  }
  out->push_back(' ');
  if (kind == MetadataKind::kType) {
    out->append(MetricTypeName(type));
  } else if (kind == MetadataKind::kHelp) {
    std::string quoted;
    AppendOmQuoted(text, &quoted);
    out->append(quoted, 1, quoted.size() - 2);  // the escapes, not the quotes
  } else {
    out->append(text);
  }
  out->push_back('\n');
}

void AppendPromLabels(const Labels& labels, std::string* out) {
  out->push_back('{');
  bool first = true;
  labels.ForEach([&](const Label& l) {
    if (!first) out->append(", ");
    first = false;
    if (IsLegacyLabelName(l.name)) {
      out->append(l.name);
    } else {
      AppendGoQuoted(out, l.name);
    }
    out->push_back('=');
    AppendGoQuoted(out, l.value);
  });
  out->push_back('}');
}

void AppendDumpSample(const Labels& labels, int64_t t_ms, double v, std::string* out) {
  AppendPromLabels(labels, out);
  out->push_back(' ');
  AppendGoFloat(v, out);
  out->push_back(' ');
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), t_ms);
  out->append(buf, r.ptr);
  out->push_back('\n');
}

}  // namespace strata::tools
