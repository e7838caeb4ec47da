#include "promql/prettier.h"

#include <string_view>

#include "promql/functions.h"

namespace strata::promql {
namespace {

// The pieces of a node's one-line form that the split form reuses (the
// operator line of a binary expression, the `sum by (…) ` head of an
// aggregation, the `[range:step] …` tail of a subquery) are cut out of
// Expr::ToString() rather than printed again here, so the two forms cannot
// disagree on quoting, number or duration formatting.

// ToString() of a binary expression is `<lhs> <op[ bool][ matching]> <rhs>`.
std::string BinaryOperatorPart(const BinaryExpr& e) {
  const std::string full = e.ToString();
  const size_t lhs_len = e.lhs->ToString().size();
  const size_t rhs_len = e.rhs->ToString().size();
  return full.substr(lhs_len + 1, full.size() - lhs_len - rhs_len - 2);
}

// ToString() of an aggregation is `<head>(<param>, <expr>)`, where head is
// `sum` or `sum by (a, b) `.
std::string AggregateHead(const AggregateExpr& e) {
  const std::string full = e.ToString();
  size_t args_len = e.expr->ToString().size() + 2;                     // "(" <expr> ")"
  if (e.param != nullptr) args_len += e.param->ToString().size() + 2;  // <param> ", "
  return full.substr(0, full.size() - args_len);
}

// ToString() of a subquery is `<expr>[range:step] @ … offset …`.
std::string SubqueryTail(const SubqueryExpr& e) {
  return e.ToString().substr(e.expr->ToString().size());
}

// Go's strings.TrimSpace for the ASCII whitespace a pretty form can carry
// (indentation and line breaks; literals are quoted, so never end in it).
std::string_view TrimSpace(std::string_view s) {
  constexpr std::string_view kSpace = " \t\n\v\f\r";
  const size_t first = s.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(kSpace) - first + 1);
}

class Prettier {
 public:
  explicit Prettier(size_t max_line) : max_line_(max_line) {}

  // The node at nesting `level`: its lines carry 2 * level spaces of
  // indentation (its parent has broken the line before it when level > 0).
  std::string Pretty(const Expr& e, int level) const {
    switch (e.kind()) {
      case NodeKind::kAggregateExpr:
        return Aggregate(e.As<AggregateExpr>(), level);
      case NodeKind::kBinaryExpr:
        return Binary(e.As<BinaryExpr>(), level);
      case NodeKind::kCall:
        return CallExpr(e.As<Call>(), level);
      case NodeKind::kParenExpr:
        return Paren(e.As<ParenExpr>(), level);
      case NodeKind::kSubqueryExpr:
        return Subquery(e.As<SubqueryExpr>(), level);
      case NodeKind::kUnaryExpr:
        return Unary(e.As<UnaryExpr>(), level);
      default:
        // Selectors and literals never split.
        return Indent(level) + e.ToString();
    }
  }

 private:
  static std::string Indent(int level) { return std::string(2 * static_cast<size_t>(level), ' '); }

  bool NeedsSplit(const Expr& e) const { return e.ToString().size() > max_line_; }

  std::string Aggregate(const AggregateExpr& e, int level) const {
    if (!NeedsSplit(e)) return Indent(level) + e.ToString();
    std::string out = Indent(level) + AggregateHead(e) + "(\n";
    if (e.param != nullptr) out += Pretty(*e.param, level + 1) + ",\n";
    out += Pretty(*e.expr, level + 1) + "\n" + Indent(level) + ")";
    return out;
  }

  std::string Binary(const BinaryExpr& e, int level) const {
    if (!NeedsSplit(e)) return Indent(level) + e.ToString();
    return Pretty(*e.lhs, level + 1) + "\n" + Indent(level) + BinaryOperatorPart(e) + "\n" +
           Pretty(*e.rhs, level + 1);
  }

  std::string CallExpr(const Call& e, int level) const {
    if (!NeedsSplit(e)) return Indent(level) + e.ToString();
    std::string out = Indent(level) + std::string(e.func->name) + "(\n";
    for (size_t i = 0; i < e.args.size(); ++i) {
      if (i > 0) out += ",\n";
      out += Pretty(*e.args[i], level + 1);
    }
    return out + "\n" + Indent(level) + ")";
  }

  std::string Paren(const ParenExpr& e, int level) const {
    if (!NeedsSplit(e)) return Indent(level) + e.ToString();
    return Indent(level) + "(\n" + Pretty(*e.expr, level + 1) + "\n" + Indent(level) + ")";
  }

  std::string Subquery(const SubqueryExpr& e, int level) const {
    // No indentation when it fits: Prometheus's SubqueryExpr.Pretty returns
    // String() alone there, and format_query must match it byte for byte.
    if (!NeedsSplit(e)) return e.ToString();
    return Pretty(*e.expr, level) + SubqueryTail(e);
  }

  std::string Unary(const UnaryExpr& e, int level) const {
    // The operator takes the operand's place at this level; the operand's
    // own leading indentation is dropped.
    const std::string child = Pretty(*e.expr, level);
    return Indent(level) + std::string(OperatorString(e.op)) + std::string(TrimSpace(child));
  }

  size_t max_line_;
};

}  // namespace

std::string Prettify(const Expr& e, size_t max_line) { return Prettier(max_line).Pretty(e, 0); }

}  // namespace strata::promql
