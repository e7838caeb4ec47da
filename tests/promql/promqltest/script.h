// The parser of Prometheus's PromQL test-script format (the *.test files of
// promql/promqltest/testdata), following promqltest/test.go of Prometheus 3:
// the same commands, the same expanding series notation, the same way
// `expect` lines combine and expected result lines are numbered.
//
//   load 5m
//     http_requests{job="api"} 0+10x10 _ stale
//   eval instant at 50m sum(http_requests)
//     expect no_warn
//     {} 100
//   eval range from 0 to 10m step 5m http_requests
//     http_requests{job="api"} 0 10 20
//
// Native-histogram points (`{{...}}`) are recognised but not decoded: they
// are kept as points with `histogram` set so the runner can skip what needs
// them. `@st` start-timestamp lines are accepted and ignored (Strata stores
// no start timestamps); the load records that it had them.
//
// Thread safety: plain values and pure functions.
#ifndef STRATA_TESTS_PROMQL_PROMQLTEST_SCRIPT_H_
#define STRATA_TESTS_PROMQL_PROMQLTEST_SCRIPT_H_

#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "re2/re2.h"
#include "tsdb/labels/labels.h"

namespace strata::promqltest {

// Prometheus's staleness marker: a NaN with this exact bit pattern.
inline constexpr uint64_t kStaleNaNBits = 0x7ff0000000000002ULL;
inline double StaleNaN() { return std::bit_cast<double>(kStaleNaNBits); }
inline bool IsStaleNaN(double v) { return std::bit_cast<uint64_t>(v) == kStaleNaNBits; }

// One point of an expanded series description.
struct SequenceValue {
  double value = 0;
  bool omitted = false;    // `_`: no point at this step
  bool histogram = false;  // a `{{...}}` native-histogram point (not decoded)
};

struct SeriesDesc {
  Labels metric;
  std::vector<SequenceValue> values;
};

// Expands a value sequence: `1 2 3`, `1+2x5` (1 and five more steps of +2),
// `1-2x3`, `7x2` (7 three times), `_`, `_x3` (three omitted), `stale`,
// `{{...}}`, `{{...}}x2`, `{{...}}+{{...}}x2`, numbers as Go's ParseFloat
// reads them (Inf, -Inf, NaN, 1e3, 0x1f).
absl::StatusOr<std::vector<SequenceValue>> ParseSequence(std::string_view text);

// Parses `<metric>{<labels>} <sequence>`, `{<labels>} <sequence>` or
// `<metric> <sequence>`, labels with `=` only (Prometheus's ParseSeriesDesc).
absl::StatusOr<SeriesDesc> ParseSeriesDesc(std::string_view line);

// Go's strconv.ParseInt(s, 0, 64), then strconv.ParseFloat: how test.go reads
// a bare number line (an expected scalar).
absl::StatusOr<double> ParseScriptNumber(std::string_view s);

// An expected annotation or error: an exact text, or a regex matched anywhere
// in the text (Go's MatchString). A bare `expect warn` matches anything.
struct Expectation {
  std::string message;               // used when regex is null
  std::shared_ptr<const RE2> regex;  // partial match
  bool Matches(std::string_view text) const;
  // "message \"...\"" or "pattern \"...\"", as test.go's errors say.
  std::string Describe() const;
};

enum class ExpectKind { kOrdered = 0, kFail, kWarn, kNoWarn, kInfo, kNoInfo };
inline constexpr int kNumExpectKinds = 6;

// One expected series (or, for a scalar, the single value).
struct ExpectedSeries {
  Labels metric;
  std::vector<SequenceValue> values;
  int pos = 0;  // 1-based position among the result lines, for `ordered`
};

struct LoadCmd {
  int line = 0;  // 1-based line of the `load` command
  int64_t interval_ms = 0;
  bool with_nhcb = false;             // load_with_nhcb
  bool has_start_timestamps = false;  // had @st lines (ignored)
  std::vector<SeriesDesc> series;     // a later line for the same labels replaces
};

struct ClearCmd {
  int line = 0;
};

struct EvalCmd {
  int line = 0;  // 1-based line of the `eval` command
  std::string expr;
  bool is_range = false;
  // Range: the query's start, end and step. Instant: start is the `at` time,
  // or, after `expect range vector from A to B step S`, A/B/S describe the
  // expected points and the query runs at `eval_ms` (= B).
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  int64_t step_ms = 0;
  int64_t eval_ms = 0;

  // Old spellings: eval_fail, eval_warn, eval_info, eval_ordered.
  bool fail = false, warn = false, info = false, ordered = false;
  std::string expected_fail_message;                // expected_fail_message
  std::shared_ptr<const RE2> expected_fail_regexp;  // expected_fail_regexp
  std::array<std::vector<Expectation>, kNumExpectKinds> expects;

  bool expect_scalar = false;
  std::vector<ExpectedSeries> expected;  // for a scalar: one entry, empty metric
  std::string expected_string;           // `expect string "..."`
  bool expect_range_vector = false;
  bool exclude_from_range_query = false;

  bool IsOrdered() const { return ordered || !Expects(ExpectKind::kOrdered).empty(); }
  bool IsFail() const { return fail || !Expects(ExpectKind::kFail).empty(); }
  const std::vector<Expectation>& Expects(ExpectKind k) const {
    return expects[static_cast<int>(k)];
  }
  // True when an expected point is a native histogram.
  bool ExpectsHistogram() const;
};

using Command = std::variant<LoadCmd, ClearCmd, EvalCmd>;

struct Script {
  std::vector<Command> commands;
};

// Parses a whole script. Errors name the 1-based line: "line 12: ...".
absl::StatusOr<Script> ParseScript(std::string_view text);

}  // namespace strata::promqltest

#endif  // STRATA_TESTS_PROMQL_PROMQLTEST_SCRIPT_H_
