// Printing and copying of the expression nodes (Prometheus's printer.go).
#include <charconv>
#include <cmath>

#include "fmt/format.h"
#include "promql/ast.h"
#include "promql/duration_expr.h"
#include "promql/functions.h"
#include "tsdb/labels/labels.h"

namespace strata::promql {
namespace {

// Label names joined by ", ", quoted when not legacy names (Prometheus 3).
std::string JoinLabels(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ", ";
    out += IsLegacyLabelName(names[i]) ? names[i] : GoQuote(names[i]);
  }
  return out;
}

std::string OffsetAndAt(const std::optional<int64_t>& ts, AtModifier se, absl::Duration offset,
                        const DurationExpr* offset_expr) {
  std::string out;
  if (ts.has_value()) {
    out += fmt::format(" @ {:.3f}", static_cast<double>(*ts) / 1000.0);
  } else if (se == AtModifier::kStart) {
    out += " @ start()";
  } else if (se == AtModifier::kEnd) {
    out += " @ end()";
  }
  if (offset_expr != nullptr) {
    out += " offset " + offset_expr->ToString();
  } else if (offset > absl::ZeroDuration()) {
    out += " offset " + DurationToString(offset);
  } else if (offset < absl::ZeroDuration()) {
    out += " offset -" + DurationToString(-offset);
  }
  return out;
}

std::unique_ptr<Expr> CloneOrNull(const std::unique_ptr<Expr>& e) {
  return e ? e->Clone() : nullptr;
}

}  // namespace

std::string_view OperatorString(TokenKind k) {
  switch (k) {
    case TokenKind::kAdd:
      return "+";
    case TokenKind::kSub:
      return "-";
    case TokenKind::kMul:
      return "*";
    case TokenKind::kDiv:
      return "/";
    case TokenKind::kMod:
      return "%";
    case TokenKind::kPow:
      return "^";
    case TokenKind::kEqlc:
      return "==";
    case TokenKind::kNeq:
      return "!=";
    case TokenKind::kLss:
      return "<";
    case TokenKind::kLte:
      return "<=";
    case TokenKind::kGtr:
      return ">";
    case TokenKind::kGte:
      return ">=";
    case TokenKind::kLand:
      return "and";
    case TokenKind::kLor:
      return "or";
    case TokenKind::kLunless:
      return "unless";
    case TokenKind::kAtan2:
      return "atan2";
    case TokenKind::kAvg:
      return "avg";
    case TokenKind::kBottomk:
      return "bottomk";
    case TokenKind::kCount:
      return "count";
    case TokenKind::kCountValues:
      return "count_values";
    case TokenKind::kGroup:
      return "group";
    case TokenKind::kMax:
      return "max";
    case TokenKind::kMin:
      return "min";
    case TokenKind::kQuantile:
      return "quantile";
    case TokenKind::kStddev:
      return "stddev";
    case TokenKind::kStdvar:
      return "stdvar";
    case TokenKind::kSum:
      return "sum";
    case TokenKind::kTopk:
      return "topk";
    case TokenKind::kLimitk:
      return "limitk";
    case TokenKind::kLimitRatio:
      return "limit_ratio";
    default:
      return "?";
  }
}

std::string NumberLiteral::ToString() const {
  if (duration) {
    if (val < 0) return "-" + DurationToString(absl::Nanoseconds(-val * 1e9));
    return DurationToString(absl::Nanoseconds(val * 1e9));
  }
  if (std::isnan(val)) return "NaN";
  if (std::isinf(val)) return val > 0 ? "+Inf" : "-Inf";
  // strconv.FormatFloat(v, 'f', -1, 64): the shortest round-trip digits.
  char buf[400];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), val, std::chars_format::fixed);
  if (ec != std::errc()) return fmt::format("{}", val);
  return std::string(buf, end);
}
std::unique_ptr<Expr> NumberLiteral::Clone() const {
  return std::make_unique<NumberLiteral>(*this);
}

std::string StringLiteral::ToString() const { return GoQuote(val); }
std::unique_ptr<Expr> StringLiteral::Clone() const {
  return std::make_unique<StringLiteral>(*this);
}

std::string ParenExpr::ToString() const { return "(" + expr->ToString() + ")"; }
std::unique_ptr<Expr> ParenExpr::Clone() const {
  auto c = std::make_unique<ParenExpr>();
  c->expr = expr->Clone();
  c->pos = pos;
  return c;
}

std::string UnaryExpr::ToString() const {
  return std::string(OperatorString(op)) + expr->ToString();
}
std::unique_ptr<Expr> UnaryExpr::Clone() const {
  auto c = std::make_unique<UnaryExpr>();
  c->op = op;
  c->expr = expr->Clone();
  c->start = start;
  return c;
}

ValueType BinaryExpr::type() const {
  if (lhs->type() == ValueType::kScalar && rhs->type() == ValueType::kScalar) {
    return ValueType::kScalar;
  }
  return ValueType::kVector;
}

std::string BinaryExpr::ToString() const {
  std::string matching_str;
  if (matching.has_value() && (!matching->matching_labels.empty() || matching->on)) {
    matching_str = fmt::format(" {} ({})", matching->on ? "on" : "ignoring",
                               JoinLabels(matching->matching_labels));
    if (matching->card == Cardinality::kManyToOne || matching->card == Cardinality::kOneToMany) {
      matching_str += fmt::format(" group_{} ({})",
                                  matching->card == Cardinality::kManyToOne ? "left" : "right",
                                  JoinLabels(matching->include));
    }
  }
  return fmt::format("{} {}{}{} {}", lhs->ToString(), OperatorString(op),
                     return_bool ? " bool" : "", matching_str, rhs->ToString());
}
std::unique_ptr<Expr> BinaryExpr::Clone() const {
  auto c = std::make_unique<BinaryExpr>();
  c->op = op;
  c->lhs = lhs->Clone();
  c->rhs = rhs->Clone();
  c->matching = matching;
  c->return_bool = return_bool;
  return c;
}

std::string AggregateExpr::ToString() const {
  std::string out(OperatorString(op));
  if (without) {
    out += fmt::format(" without ({}) ", JoinLabels(grouping));
  } else if (!grouping.empty()) {
    out += fmt::format(" by ({}) ", JoinLabels(grouping));
  }
  out += "(";
  if (param) out += param->ToString() + ", ";
  out += expr->ToString() + ")";
  return out;
}
std::unique_ptr<Expr> AggregateExpr::Clone() const {
  auto c = std::make_unique<AggregateExpr>();
  c->op = op;
  c->expr = CloneOrNull(expr);
  c->param = CloneOrNull(param);
  c->grouping = grouping;
  c->without = without;
  c->pos = pos;
  return c;
}

ValueType Call::type() const { return func->return_type; }
std::string Call::ToString() const {
  std::string out(func->name);
  out += "(";
  for (size_t i = 0; i < args.size(); ++i) {
    if (i > 0) out += ", ";
    out += args[i]->ToString();
  }
  return out + ")";
}
std::unique_ptr<Expr> Call::Clone() const {
  auto c = std::make_unique<Call>();
  c->func = func;
  for (const auto& a : args) c->args.push_back(a->Clone());
  c->pos = pos;
  return c;
}

std::string SubqueryExpr::ToString() const {
  // As Prometheus: a resolved step prints as its value.
  std::string step_str;
  if (step != absl::ZeroDuration()) {
    step_str = DurationToString(step);
  } else if (step_expr != nullptr) {
    step_str = step_expr->ToString();
  }
  const std::string range_str =
      range_expr != nullptr ? range_expr->ToString() : DurationToString(range);
  return fmt::format(
      "{}[{}:{}]{}", expr->ToString(), range_str, step_str,
      OffsetAndAt(timestamp, start_or_end, original_offset, original_offset_expr.get()));
}
std::unique_ptr<Expr> SubqueryExpr::Clone() const {
  auto c = std::make_unique<SubqueryExpr>();
  c->expr = expr->Clone();
  c->range = range;
  c->step = step;
  c->original_offset = original_offset;
  c->range_expr = range_expr;
  c->step_expr = step_expr;
  c->original_offset_expr = original_offset_expr;
  c->timestamp = timestamp;
  c->start_or_end = start_or_end;
  c->end_pos = end_pos;
  return c;
}

}  // namespace strata::promql
