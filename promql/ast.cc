#include "promql/ast.h"

#include <algorithm>

#include "fmt/format.h"
#include "promql/duration_expr.h"

namespace strata::promql {
namespace {

constexpr std::string_view kMetricNameLabel = "__name__";

// The " @ …" and " offset …" suffixes, in the order Prometheus prints them.
std::string ModifierSuffix(const VectorSelector& vs) {
  std::string out;
  if (vs.timestamp.has_value()) {
    out += fmt::format(" @ {:.3f}", static_cast<double>(*vs.timestamp) / 1000.0);
  } else if (vs.start_or_end == AtModifier::kStart) {
    out += " @ start()";
  } else if (vs.start_or_end == AtModifier::kEnd) {
    out += " @ end()";
  }
  if (vs.original_offset_expr != nullptr) {
    out += " offset " + vs.original_offset_expr->ToString();
  } else if (vs.original_offset > absl::ZeroDuration()) {
    out += " offset " + DurationToString(vs.original_offset);
  } else if (vs.original_offset < absl::ZeroDuration()) {
    out += " offset -" + DurationToString(-vs.original_offset);
  }
  return out;
}

// Name and matchers without modifiers: `foo{a="b",c=~"d"}`.
std::string SelectorBody(const VectorSelector& vs) {
  std::vector<std::string> parts;
  for (const Matcher& m : vs.matchers) {
    // The name matcher is implied by the name, unless it is an explicit
    // empty one.
    if (m.name() == kMetricNameLabel && m.type() == MatchType::kEqual && m.value() == vs.name &&
        !m.value().empty()) {
      continue;
    }
    parts.push_back(m.ToString());
  }
  std::string out = vs.name;
  if (!parts.empty()) {
    std::sort(parts.begin(), parts.end());
    out += fmt::format("{{{}}}", fmt::join(parts, ","));
  }
  return out;
}

}  // namespace

std::string_view DocumentedType(ValueType t) {
  switch (t) {
    case ValueType::kNone:
      return "none";
    case ValueType::kScalar:
      return "scalar";
    case ValueType::kString:
      return "string";
    case ValueType::kVector:
      return "instant vector";
    case ValueType::kMatrix:
      return "range vector";
  }
  return "none";
}

std::string VectorSelector::ToString() const { return SelectorBody(*this) + ModifierSuffix(*this); }

std::unique_ptr<Expr> VectorSelector::Clone() const {
  return std::make_unique<VectorSelector>(*this);
}

std::string MatrixSelector::ToString() const {
  const std::string range_str =
      range_expr != nullptr ? range_expr->ToString() : DurationToString(range);
  if (vector_selector == nullptr) return fmt::format("[{}]", range_str);
  // The modifiers print after the range, wherever they were written.
  return fmt::format("{}[{}]{}", SelectorBody(*vector_selector), range_str,
                     ModifierSuffix(*vector_selector));
}

std::unique_ptr<Expr> MatrixSelector::Clone() const {
  auto copy = std::make_unique<MatrixSelector>();
  if (vector_selector != nullptr) {
    copy->vector_selector = std::make_unique<VectorSelector>(*vector_selector);
  }
  copy->range = range;
  copy->range_expr = range_expr;
  copy->end_pos = end_pos;
  return copy;
}

std::string DurationToString(absl::Duration d) {
  int64_t ms = absl::ToInt64Milliseconds(d);  // truncates, as Go's d / time.Millisecond
  if (ms == 0) return "0s";
  std::string out;
  if (ms < 0) {
    out.push_back('-');
    ms = -ms;
  }
  struct Unit {
    std::string_view name;
    int64_t ms;
    bool exact_only;  // years and weeks only when nothing is left over ("90d", not "12w6d")
  };
  static constexpr Unit kUnits[] = {
      {"y", 1000LL * 60 * 60 * 24 * 365, true},
      {"w", 1000LL * 60 * 60 * 24 * 7, true},
      {"d", 1000LL * 60 * 60 * 24, false},
      {"h", 1000LL * 60 * 60, false},
      {"m", 1000LL * 60, false},
      {"s", 1000, false},
      {"ms", 1, false},
  };
  for (const Unit& u : kUnits) {
    if (u.exact_only && ms % u.ms != 0) continue;
    if (const int64_t v = ms / u.ms; v > 0) {
      out += fmt::format("{}{}", v, u.name);
      ms -= v * u.ms;
    }
  }
  return out;
}

}  // namespace strata::promql
