// Duration expressions (Prometheus 3's experimental promql-duration-expr,
// on in Strata): arithmetic in range selectors, subquery ranges and steps,
// and offsets, e.g. `foo[5m + 1m]`, `foo[1h:step()]`, `foo offset (1h / 2)`,
// `foo[min_of(step() * 2, 5m)]`.
//
// Design. As in Prometheus (promql/parser/ast.go DurationExpr), the parser
// keeps a literal duration (`[5m]`, `offset -1m`, `[(5m)]`) in the node's
// plain field (MatrixSelector::range, SubqueryExpr::range/step/
// original_offset, VectorSelector::original_offset) and stores anything else
// unevaluated beside it (range_expr, step_expr, original_offset_expr). Such an
// expression may use step() and range(), which depend on the query, so it is
// evaluated per query by ResolveDurationExpressions, which writes the result
// into the plain field the evaluator reads (Prometheus's durationVisitor in
// promql/durations.go).
//
// Thread safety: a DurationExpr is immutable after parsing and may be shared
// between clones of a tree; ResolveDurationExpressions mutates the tree it
// is given, so it must run before the tree is shared.
#ifndef STRATA_PROMQL_DURATION_EXPR_H_
#define STRATA_PROMQL_DURATION_EXPR_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "promql/ast.h"
#include "promql/lexer.h"

namespace strata::promql {

// One operation of a duration expression. Its operands are NumberLiterals
// (a number of seconds, possibly written as a duration) or DurationExprs.
class DurationExpr final : public Expr {
 public:
  static constexpr NodeKind kKind = NodeKind::kDurationExpr;
  DurationExpr() : Expr(kKind) {}

  ValueType type() const override { return ValueType::kScalar; }
  // Prometheus's DurationExpr.PositionRange(): the operands' span for a
  // binary operation, from the sign for a unary one, and the recorded span
  // for step(), range(), min_of() and max_of().
  PositionRange position_range() const override;
  // As Prometheus prints it: `5m + 1m`, `-step()`, `(1h / 2)`,
  // `min_of(step(), 5m)`; a unary + prints its operand only.
  std::string ToString() const override;
  std::unique_ptr<Expr> Clone() const override;

  // kStep, kRange (no operands); kMin / kMax for min_of / max_of (both
  // operands); kAdd, kSub (binary, or unary when lhs is null); kMul, kDiv,
  // kMod, kPow.
  TokenKind op = TokenKind::kAdd;
  std::unique_ptr<Expr> lhs, rhs;
  bool wrapped = false;  // written in parentheses; printed with them
  Pos start = 0;         // of the sign, the function name or step/range
  Pos end = 0;           // of ')' of step(), range(), min_of(…), max_of(…)
};

// The value in seconds of `e` (a NumberLiteral or a DurationExpr) for a
// query with the given step and range, both in seconds: Prometheus's
// evaluateDurationExpr, with its "division by zero" / "modulo by zero"
// errors (prefixed with "<start>:<end>: ", the byte offsets of the
// operation, as Prometheus does).
absl::StatusOr<double> EvaluateDurationExpr(const Expr& e, double step_s, double range_s);

// Evaluates every duration expression in the tree for a query from
// `start_ms` to `end_ms` with step `step_ms` (0 for an instant query, as
// Prometheus: step() is 0 and range() is 0 there) and stores the results in
// the nodes' plain fields. Errors (InvalidArgument, Prometheus's texts):
// "<start>:<end>: duration must be greater than 0" for a range or step that
// is not positive, "<start>:<end>: duration is out of range", and the
// evaluation errors above. The first error in a pre-order walk is returned.
absl::Status ResolveDurationExpressions(Expr* root, int64_t start_ms, int64_t end_ms,
                                        int64_t step_ms);

}  // namespace strata::promql

#endif  // STRATA_PROMQL_DURATION_EXPR_H_
