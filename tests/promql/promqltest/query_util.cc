// @-modifier variants, query-context detection and selector matching for
// the PromQL test-script runner (after promqltest/test.go).
#include "tests/promql/promqltest/query_util.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "promql/ast.h"
#include "promql/functions.h"
#include "promql/parser.h"
#include "re2/re2.h"

namespace strata::promqltest {
namespace {

using promql::Expr;
using promql::NodeKind;

// Prometheus's AtModifierUnsafeFunctions (promql/functions.go).
bool IsAtModifierUnsafe(std::string_view name) {
  static constexpr std::string_view kUnsafe[] = {
      "days_in_month", "day_of_month", "day_of_week",    "day_of_year", "hour",     "minute",
      "month",         "year",         "predict_linear", "time",        "timestamp"};
  for (std::string_view u : kUnsafe) {
    if (u == name) return true;
  }
  return false;
}

// Calls fn on every child of `e`.
void ForEachChild(Expr& e, const std::function<void(Expr&)>& fn) {
  switch (e.kind()) {
    case NodeKind::kMatrixSelector:
      if (auto& vs = e.As<promql::MatrixSelector>().vector_selector) fn(*vs);
      break;
    case NodeKind::kParenExpr:
      fn(*e.As<promql::ParenExpr>().expr);
      break;
    case NodeKind::kUnaryExpr:
      fn(*e.As<promql::UnaryExpr>().expr);
      break;
    case NodeKind::kBinaryExpr:
      fn(*e.As<promql::BinaryExpr>().lhs);
      fn(*e.As<promql::BinaryExpr>().rhs);
      break;
    case NodeKind::kAggregateExpr: {
      auto& a = e.As<promql::AggregateExpr>();
      if (a.param) fn(*a.param);
      fn(*a.expr);
      break;
    }
    case NodeKind::kCall:
      for (auto& arg : e.As<promql::Call>().args) fn(*arg);
      break;
    case NodeKind::kSubqueryExpr:
      fn(*e.As<promql::SubqueryExpr>().expr);
      break;
    default:
      break;
  }
}

// Pins `@ ts` where test.go's Inspect callback does. Nothing inside a
// subquery is visited: the subquery itself always ends up with a timestamp,
// and test.go leaves everything below such a subquery alone (function calls
// included, so those do not count as unsafe).
void PinTimestamps(Expr& e, int64_t ts, bool* unsafe) {
  switch (e.kind()) {
    case NodeKind::kVectorSelector: {
      auto& vs = e.As<promql::VectorSelector>();
      if (!vs.timestamp) {
        vs.timestamp = ts;
        vs.start_or_end = promql::AtModifier::kNone;  // Prometheus prints the timestamp first
      }
      return;
    }
    case NodeKind::kSubqueryExpr: {
      auto& sq = e.As<promql::SubqueryExpr>();
      if (!sq.timestamp) {
        sq.timestamp = ts;
        sq.start_or_end = promql::AtModifier::kNone;
      }
      return;
    }
    case NodeKind::kCall:
      if (IsAtModifierUnsafe(e.As<promql::Call>().func->name)) *unsafe = true;
      break;
    default:
      break;
  }
  ForEachChild(e, [&](Expr& c) { PinTimestamps(c, ts, unsafe); });
}

bool MatchesAll(const std::vector<Matcher>& matchers, const Labels& l) {
  for (const Matcher& m : matchers) {
    if (!m.Matches(l.Get(m.name()))) return false;
  }
  return true;
}

bool AnySelectorMatches(Expr& e, const std::vector<Labels>& series) {
  if (e.kind() == NodeKind::kVectorSelector) {
    const auto& vs = e.As<promql::VectorSelector>();
    for (const Labels& l : series) {
      if (MatchesAll(vs.matchers, l)) return true;
    }
    return false;
  }
  bool found = false;
  ForEachChild(e, [&](Expr& c) { found = found || AnySelectorMatches(c, series); });
  return found;
}

}  // namespace

absl::StatusOr<std::vector<AtModifierCase>> AtModifierCases(std::string_view expr,
                                                            int64_t eval_ms) {
  absl::StatusOr<std::unique_ptr<Expr>> parsed = promql::ParseExpr(expr);
  if (!parsed.ok()) return parsed.status();
  bool unsafe = false;
  PinTimestamps(**parsed, eval_ms, &unsafe);
  std::vector<AtModifierCase> cases;
  if (unsafe) return cases;
  const std::string pinned = (*parsed)->ToString();
  std::vector<int64_t> times = {-10 * eval_ms, 0, eval_ms / 5, eval_ms, 10 * eval_ms};
  if (eval_ms == 0) times = {-1000, 0, 1000};
  for (int64_t t : times) cases.push_back({pinned, t});
  return cases;
}

bool UsesQueryContextFunction(std::string_view expr) {
  static const RE2 re(R"((start|end|range|step)\(\))");
  return RE2::PartialMatch(expr, re);
}

absl::StatusOr<bool> SelectsAnyOf(std::string_view expr, const std::vector<Labels>& series) {
  if (series.empty()) return false;
  absl::StatusOr<std::unique_ptr<Expr>> parsed = promql::ParseExpr(expr);
  if (!parsed.ok()) return parsed.status();
  return AnySelectorMatches(**parsed, series);
}

}  // namespace strata::promqltest
