// Result, annotation and failure checks of the PromQL test-script runner,
// after promqltest/test.go (compareResult, checkAnnotations,
// checkExpectedFailure) and util/almost.
#include "tests/promql/promqltest/compare.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_join.h"
#include "re2/re2.h"
#include "tests/promql/promqltest/text_util.h"
#include "tsdb/labels/labels.h"

namespace strata::promqltest {
namespace {

absl::Status Fail(std::string msg) { return absl::FailedPreconditionError(std::move(msg)); }

std::string Quote(std::string_view s) { return GoQuote(s); }

const ExpectedSeries* FindExpected(const EvalCmd& cmd, const Labels& metric) {
  for (const ExpectedSeries& e : cmd.expected) {
    if (e.metric == metric) return &e;
  }
  return nullptr;
}

std::string FormatValues(const std::vector<SequenceValue>& vals) {
  std::vector<std::string> parts;
  for (const SequenceValue& v : vals) {
    parts.push_back(v.omitted ? "_" : v.histogram ? "{{histogram}}" : FormatFloat(v.value));
  }
  return Cat("[", absl::StrJoin(parts, " "), "]");
}

// test.go's formatSeriesResult, floats only.
std::string FormatSeries(const promql::Series& s) {
  std::vector<std::string> points;
  for (const promql::FPoint& p : s.floats) {
    points.push_back(Cat(FormatFloat(p.f), " @[", p.t, "]"));
  }
  return Cat(s.floats.size(), " float point", s.floats.size() == 1 ? "" : "s", " [",
             absl::StrJoin(points, " "), "] and 0 histogram points []");
}

std::string AnnotationList(const promql::Annotations& a) {
  std::vector<std::string> all = a.warnings();
  all.insert(all.end(), a.infos().begin(), a.infos().end());
  return Cat("[", absl::StrJoin(all, " "), "]");
}

// validateExpectedAnnotationsOfType.
absl::Status CheckAnnotationsOfType(const EvalCmd& cmd, std::string_view expr,
                                    const std::vector<Expectation>& expected,
                                    const std::vector<std::string>& actual, std::string_view type,
                                    const promql::Annotations& all) {
  if (expected.empty()) return absl::OkStatus();
  if (actual.empty()) {
    return Fail(Cat("expected ", type, " annotations but none were found for query ", Quote(expr),
                    " (line ", cmd.line, ")"));
  }
  for (const Expectation& e : expected) {
    if (std::none_of(actual.begin(), actual.end(),
                     [&](const std::string& a) { return e.Matches(a); })) {
      return Fail(Cat("expected ", type, " annotation matching ", e.Describe(),
                      " but no matching annotation was found for query ", Quote(expr), " (line ",
                      cmd.line, "), found: ", AnnotationList(all)));
    }
  }
  for (const std::string& a : actual) {
    if (std::none_of(expected.begin(), expected.end(),
                     [&](const Expectation& e) { return e.Matches(a); })) {
      return Fail(Cat("unexpected ", type, " annotation ", Quote(a), " found for query ", expr,
                      " (line ", cmd.line, ")"));
    }
  }
  return absl::OkStatus();
}

absl::Status CompareSeries(const EvalCmd& cmd, const promql::Series& s, const ExpectedSeries& exp) {
  std::vector<promql::FPoint> want;
  for (size_t i = 0; i < exp.values.size(); ++i) {
    const int64_t t = cmd.start_ms + static_cast<int64_t>(i) * cmd.step_ms;
    if (t > cmd.end_ms) {
      return Fail(Cat("expected ", exp.values.size(), " points for ", exp.metric.ToString(),
                      ", but query time range cannot return this many points"));
    }
    if (!exp.values[i].omitted && !exp.values[i].histogram) {
      want.push_back({t, exp.values[i].value});
    }
  }
  if (want.size() != s.floats.size()) {
    return Fail(Cat("expected ", want.size(), " float points and 0 histogram points for ",
                    exp.metric.ToString(), ", but got ", FormatSeries(s)));
  }
  for (size_t i = 0; i < want.size(); ++i) {
    const promql::FPoint& got = s.floats[i];
    if (want[i].t != got.t) {
      return Fail(Cat("expected float value at index ", i, " for ", exp.metric.ToString(),
                      " to have timestamp ", want[i].t, ", but it had timestamp ", got.t,
                      " (result has ", FormatSeries(s), ")"));
    }
    if (!AlmostEqual(got.f, want[i].f, kDefaultEpsilon)) {
      return Fail(Cat("expected float value at index ", i, " (t=", got.t, ") for ",
                      exp.metric.ToString(), " to be ", FormatFloat(want[i].f), ", but got ",
                      FormatFloat(got.f), " (result has ", FormatSeries(s), ")"));
    }
  }
  return absl::OkStatus();
}

absl::Status CompareMatrix(const EvalCmd& cmd, const promql::Matrix& m) {
  if (cmd.IsOrdered()) return Fail("expected ordered result, but query returned a matrix");
  if (cmd.expect_scalar) {
    return Fail(Cat("expected scalar result, but got matrix of ", m.size(), " series"));
  }
  if (absl::Status s = AssertMatrixSorted(m); !s.ok()) return s;
  std::vector<bool> seen(cmd.expected.size());
  for (const promql::Series& s : m) {
    const ExpectedSeries* exp = FindExpected(cmd, s.metric);
    if (exp == nullptr) {
      return Fail(
          Cat("unexpected metric ", s.metric.ToString(), " in result, has ", FormatSeries(s)));
    }
    seen[exp - cmd.expected.data()] = true;
    if (absl::Status st = CompareSeries(cmd, s, *exp); !st.ok()) return st;
  }
  for (size_t i = 0; i < seen.size(); ++i) {
    if (!seen[i]) {
      return Fail(Cat("expected metric ", cmd.expected[i].metric.ToString(), " not found"));
    }
  }
  return absl::OkStatus();
}

absl::Status CompareVector(const EvalCmd& cmd, const promql::Vector& v) {
  if (cmd.expect_scalar) {
    return Fail(Cat("expected scalar result, but got vector of ", v.size(), " samples"));
  }
  std::vector<bool> seen(cmd.expected.size());
  for (size_t pos = 0; pos < v.size(); ++pos) {
    const promql::Sample& s = v[pos];
    const ExpectedSeries* exp = FindExpected(cmd, s.metric);
    if (exp == nullptr) {
      return Fail(Cat("unexpected metric ", s.metric.ToString(), " in result, has value ",
                      FormatFloat(s.f)));
    }
    if (cmd.IsOrdered() && exp->pos != static_cast<int>(pos) + 1) {
      return Fail(Cat("expected metric ", s.metric.ToString(), " with ", FormatValues(exp->values),
                      " at position ", exp->pos, " but was at ", pos + 1));
    }
    if (exp->values.empty()) {
      return Fail(Cat("expected metric ", s.metric.ToString(), " has no value"));
    }
    if (!AlmostEqual(exp->values[0].value, s.f, kDefaultEpsilon)) {
      return Fail(Cat("expected ", FormatFloat(exp->values[0].value), " for ", s.metric.ToString(),
                      " but got ", FormatFloat(s.f)));
    }
    seen[exp - cmd.expected.data()] = true;
  }
  for (size_t i = 0; i < seen.size(); ++i) {
    if (!seen[i]) {
      return Fail(Cat("expected metric ", cmd.expected[i].metric.ToString(), " with ",
                      FormatValues(cmd.expected[i].values), " not found"));
    }
  }
  return absl::OkStatus();
}

absl::Status CompareScalar(const EvalCmd& cmd, const promql::Scalar& s) {
  if (!cmd.expect_scalar || cmd.expected.empty() || cmd.expected[0].values.empty()) {
    return Fail(Cat("expected vector or matrix result, but got scalar ", FormatFloat(s.v)));
  }
  const double want = cmd.expected[0].values[0].value;
  if (!AlmostEqual(want, s.v, kDefaultEpsilon)) {
    return Fail(Cat("expected scalar ", FormatFloat(want), " but got ", FormatFloat(s.v)));
  }
  return absl::OkStatus();
}

}  // namespace

bool AlmostEqual(double a, double b, double epsilon) {
  if (std::isnan(a) && std::isnan(b)) return true;
  if (a == b) return true;
  constexpr double kMinNormal = std::numeric_limits<double>::min();
  const double abs_sum = std::fabs(a) + std::fabs(b);
  const double diff = std::fabs(a - b);
  if (a == 0 || b == 0 || abs_sum < kMinNormal) return diff < epsilon * kMinNormal;
  return diff / std::min(abs_sum, std::numeric_limits<double>::max()) < epsilon;
}

std::string FormatFloat(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, r.ptr);
}

// The engine's annotations end in the position of the expression they are
// about, " (1:25)", as Prometheus's HTTP API prints them; test.go compares
// them without it.
std::vector<std::string> WithoutPositions(const std::vector<std::string>& list) {
  static const LazyRE2 kPosition = {R"( \(\d+:\d+\)$)"};
  std::vector<std::string> out = list;
  for (std::string& s : out) RE2::Replace(&s, *kPosition, "");
  return out;
}

absl::Status CheckAnnotations(const EvalCmd& cmd, std::string_view expr,
                              const promql::Annotations& annotations) {
  const std::vector<std::string> warnings = WithoutPositions(annotations.warnings());
  const std::vector<std::string> infos = WithoutPositions(annotations.infos());
  if (cmd.warn && warnings.empty()) {
    return Fail(Cat("expected warnings evaluating query ", Quote(expr), " (line ", cmd.line,
                    ") but got none"));
  }
  if (cmd.info && infos.empty()) {
    return Fail(Cat("expected info annotations evaluating query ", Quote(expr), " (line ", cmd.line,
                    ") but got none"));
  }
  if (absl::Status s = CheckAnnotationsOfType(cmd, expr, cmd.Expects(ExpectKind::kWarn), warnings,
                                              "warn", annotations);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckAnnotationsOfType(cmd, expr, cmd.Expects(ExpectKind::kInfo), infos,
                                              "info", annotations);
      !s.ok()) {
    return s;
  }
  if (!cmd.Expects(ExpectKind::kNoWarn).empty() && !warnings.empty()) {
    return Fail(Cat("unexpected warning annotations evaluating query ", Quote(expr), " (line ",
                    cmd.line, "): ", AnnotationList(annotations)));
  }
  if (!cmd.Expects(ExpectKind::kNoInfo).empty() && !infos.empty()) {
    return Fail(Cat("unexpected info annotations evaluating query ", Quote(expr), " (line ",
                    cmd.line, "): ", AnnotationList(annotations)));
  }
  return absl::OkStatus();
}

absl::Status CompareResult(const EvalCmd& cmd, const promql::Value& result) {
  if (const auto* m = std::get_if<promql::Matrix>(&result)) return CompareMatrix(cmd, *m);
  if (const auto* v = std::get_if<promql::Vector>(&result)) return CompareVector(cmd, *v);
  if (const auto* s = std::get_if<promql::Scalar>(&result)) return CompareScalar(cmd, *s);
  const auto& str = std::get<promql::String>(result);
  if (cmd.expected_string != str.v) {
    return Fail(Cat("expected string \"", cmd.expected_string, "\" but got \"", str.v, "\""));
  }
  return absl::OkStatus();
}

absl::Status CheckExpectedFailure(const EvalCmd& cmd, std::string_view error_text) {
  // Go's regexp reads each invalid UTF-8 byte as U+FFFD, which `.` matches.
  const std::string error_runes = ReplaceInvalidUtf8(error_text);
  if (!cmd.expected_fail_message.empty() && cmd.expected_fail_message != error_text) {
    return Fail(Cat("expected error ", Quote(cmd.expected_fail_message), " evaluating query ",
                    Quote(cmd.expr), " (line ", cmd.line, "), but got: ", error_text));
  }
  if (cmd.expected_fail_regexp != nullptr &&
      !RE2::PartialMatch(error_runes, *cmd.expected_fail_regexp)) {
    return Fail(Cat("expected error matching pattern ", Quote(cmd.expected_fail_regexp->pattern()),
                    " evaluating query ", Quote(cmd.expr), " (line ", cmd.line,
                    "), but got: ", error_text));
  }
  const std::vector<Expectation>& fail = cmd.Expects(ExpectKind::kFail);
  if (!fail.empty() && !fail[0].Matches(fail[0].regex == nullptr ? error_text : error_runes)) {
    return Fail(Cat("expected error matching ",
                    Quote(fail[0].regex == nullptr ? fail[0].message : fail[0].regex->pattern()),
                    " evaluating query ", Quote(cmd.expr), " (line ", cmd.line,
                    "), but got: ", error_text));
  }
  return absl::OkStatus();
}

absl::Status AssertMatrixSorted(const promql::Matrix& m) {
  for (size_t i = 0; i + 1 < m.size(); ++i) {
    if (Compare(m[i].metric, m[i + 1].metric) > 0) {
      return Fail(Cat(
          "matrix results should always be sorted by labels, but matrix is not sorted: series at "
          "index ",
          i + 1, " with labels ", m[i + 1].metric.ToString(), " sorts before series at index ", i,
          " with labels ", m[i].metric.ToString()));
    }
  }
  return absl::OkStatus();
}

promql::Vector VectorAt(const promql::Matrix& m, int64_t t) {
  promql::Vector out;
  for (const promql::Series& s : m) {
    for (const promql::FPoint& p : s.floats) {
      if (p.t == t) {
        out.push_back(promql::Sample{s.metric, p.t, p.f});
        break;
      }
    }
  }
  return out;
}

}  // namespace strata::promqltest
