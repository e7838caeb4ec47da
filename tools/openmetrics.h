// OpenMetrics text with timestamps: the streaming parser behind `tsdb-tool
// import openmetrics` and the line formatters behind `dump` and
// `dump-openmetrics`.
//
// Input accepted (what `promtool tsdb create-blocks-from openmetrics` accepts,
// i.e. Prometheus's OpenMetrics 1.0 parser):
//   # HELP <name> <text>      text escapes \\ \" \n
//   # TYPE <name> <type>      counter gauge histogram gaugehistogram summary
//                             info stateset unknown
//   # UNIT <name> <unit>      the unit must end the name after a '_'
//   <name>{<l>="<v>",...} <value> <timestamp> [# {<exemplar labels>} <v> [<t>]]
//   {"<utf-8 name>","<utf-8 label>"="<v>"} <value> <timestamp>
//   # EOF                     required, last; nothing may follow it
// Strictly as OpenMetrics: one space between fields, no spaces inside braces
// (a trailing comma is fine), no blank lines, no other comments, '\n' line
// ends. Unlike the Prometheus text format the timestamp is in SECONDS with an
// optional fraction; it is converted to milliseconds exactly from the decimal
// text, fraction digits past the third truncated toward zero (promtool
// computes int64(seconds * 1000), which truncates the same way up to float
// rounding). Exponents ("1.7e9") are accepted as promtool accepts them.
// A sample without a timestamp is an error (import needs one), as in
// promtool. Values are parsed as Go's strconv.ParseFloat does without hex
// floats or underscores: decimal, exponent, "NaN", "Inf"/"Infinity" with an
// optional sign, case-insensitive; out of range is an error, underflow gives
// 0. "NaN" yields kNormalNaNBits (Prometheus's value.NormalNaN); text cannot
// carry other NaN payloads (the stale marker prints as "NaN" and comes back as
// the normal NaN). Exemplars are checked for syntax and ignored. Label values
// and quoted names must be valid UTF-8; escapes \\ \" \n are decoded, any
// other backslash pair is kept as written (as Prometheus does).
//
// Samples are delivered with their label set sorted by name, "__name__"
// included; a label given twice is an error; labels with an empty value are
// dropped (Prometheus treats empty as absent).
//
// Errors are InvalidArgument and start with "line N, column C: " (1-based;
// the column counts bytes). Errors returned by a callback are passed through,
// prefixed with "line N: ".
//
// Thread safety: a parser is used by one thread. Memory is bounded by the
// longest line (at most kMaxLineBytes), not by the input size; parsing does
// not allocate per sample once buffers have grown to the longest line.
#ifndef STRATA_TOOLS_OPENMETRICS_H_
#define STRATA_TOOLS_OPENMETRICS_H_

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "tsdb/base/fs.h"
#include "tsdb/labels/labels.h"

namespace strata::tools {

// Prometheus's value.NormalNaN: what "NaN" parses to.
inline constexpr uint64_t kNormalNaNBits = 0x7ff8000000000001ULL;
inline constexpr size_t kMaxLineBytes = 16 << 20;

// Values as the WAL's metadata records and remote write number them.
enum class MetricType : uint8_t {
  kUnknown = 0,
  kCounter = 1,
  kGauge = 2,
  kHistogram = 3,
  kGaugeHistogram = 4,
  kSummary = 5,
  kInfo = 6,
  kStateset = 7,
};
// "counter", ...; "unknown" for values outside the enum.
std::string_view MetricTypeName(MetricType type);

// Views valid only during the callback.
struct OmSample {
  std::span<const Label> labels;  // sorted by name, "__name__" included
  int64_t t_ms = 0;
  double value = 0;
  uint64_t line = 0;
};

enum class MetadataKind { kHelp, kType, kUnit };

struct OmMetadata {
  std::string_view family;  // the metric family name as written (unquoted)
  MetadataKind kind = MetadataKind::kHelp;
  MetricType type = MetricType::kUnknown;  // for kType
  std::string_view text;                   // unescaped help, or the unit
  uint64_t line = 0;
};

struct OmCallbacks {
  std::function<absl::Status(const OmSample&)> sample;      // required
  std::function<absl::Status(const OmMetadata&)> metadata;  // optional
};

class OpenMetricsParser {
 public:
  // `callbacks` is copied.
  explicit OpenMetricsParser(OmCallbacks callbacks);

  // Parses `data`, the next piece of the input (split anywhere). After an
  // error the parser is unusable.
  absl::Status Feed(std::string_view data);
  // Ends the input: an error unless "# EOF" was the last line.
  absl::Status Finish();
  // Complete lines parsed so far.
  uint64_t lines() const { return line_; }

 private:
  absl::Status ParseLine(std::string_view line);
  absl::Status ParseComment(std::string_view line);
  absl::Status ParseSample(std::string_view line);

  OmCallbacks callbacks_;
  std::string pending_;  // a line split across Feed calls
  uint64_t line_ = 0;
  bool eof_ = false;
  absl::Status status_;
  // Scratch reused across lines.
  std::string arena_;  // unescaped strings of the current line
  std::vector<Label> labels_;
  std::vector<Label> exemplar_labels_;
};

// Parses a whole input held in memory.
absl::Status ParseOpenMetrics(std::string_view text, const OmCallbacks& callbacks);
// Streams the file at `path` through a parser in 1 MiB reads.
absl::Status ParseOpenMetricsFile(FileSystem* fs, const std::string& path,
                                  const OmCallbacks& callbacks);

// Number syntax, exposed for tests and other text inputs.
// Go's strconv.ParseFloat without hex and underscores (see above).
bool ParseGoFloat(std::string_view s, double* out);
// OpenMetrics seconds -> milliseconds (see above). Returns "" or the problem.
std::string ParseTimestampSeconds(std::string_view s, int64_t* ms);

// Formatting. Every function appends to *out.
//
// A value as Go's fmt "%g" prints it: the shortest digits that round-trip,
// in exponent form ("1.7e+09", "1e-05") when the decimal exponent is < -4 or
// >= 6, else plain ("123456", "0.0001"); "NaN", "+Inf", "-Inf", "-0".
// Parsing the result gives back the same double bit for bit, NaN payloads
// excepted.
void AppendGoFloat(double v, std::string* out);
// Milliseconds as seconds with exactly three fraction digits: "1700000000.123",
// "-0.500".
void AppendSecondsMs(int64_t t_ms, std::string* out);
// One OpenMetrics sample line, '\n' included, as promtool tsdb
// dump-openmetrics prints it: name{a="b",c="d"} value seconds. The name is
// written inside the braces, quoted, when it is not a legacy metric name, as
// are label names that are not legacy. Values are escaped as OpenMetrics
// requires (\\ \" \n), so any UTF-8 value round-trips (promtool uses Go's %q
// escaping instead, which differs for other control characters).
void AppendOpenMetricsSample(const Labels& labels, int64_t t_ms, double v, std::string* out);
// "# TYPE name counter\n", "# HELP name text\n" (escaped), "# UNIT name u\n".
void AppendOpenMetricsMetadata(std::string_view family, MetadataKind kind, MetricType type,
                               std::string_view text, std::string* out);
inline constexpr std::string_view kOpenMetricsEof = "# EOF\n";
// Labels as Prometheus's labels.Labels.String(): {__name__="up", job="x"}
// (every pair in braces, ", " between, Go-quoted values, names quoted when
// not legacy).
void AppendPromLabels(const Labels& labels, std::string* out);
// One `promtool tsdb dump` line, '\n' included: {__name__="up"} 1 1700000000123
// (labels, Go %g value, timestamp in milliseconds).
void AppendDumpSample(const Labels& labels, int64_t t_ms, double v, std::string* out);

}  // namespace strata::tools

#endif  // STRATA_TOOLS_OPENMETRICS_H_
