// PromQL binary operators, one step at a time, as Prometheus 3 evaluates
// them: arithmetic (+ - * / % ^ atan2), comparisons (== != > < >= <=, with or
// without `bool`), and set operators (and, or, unless) with vector matching
// (on/ignoring, group_left/group_right and their include labels).
//
// Labels of results follow Prometheus: arithmetic and `bool` comparisons
// drop __name__ (delayed: Sample::drop_name is set, the name kept in
// `metric`), filtering comparisons keep the left sample's labels. Matching
// errors are FailedPrecondition with Prometheus's text, e.g. "found
// duplicate series for the match group {a=\"1\"} on the left hand-side of
// the operation: [...];many-to-many matching not allowed: matching labels
// must be unique on one side", and "multiple matches for labels:
// grouping labels must ensure unique matches".
//
// Thread safety: one BinopScratch per evaluation.
#ifndef STRATA_PROMQL_BINOP_H_
#define STRATA_PROMQL_BINOP_H_

#include <cstdint>
#include <memory>

#include "absl/status/status.h"
#include "promql/ast.h"
#include "promql/value.h"

namespace strata::promql {

class BinopScratch;
std::unique_ptr<BinopScratch, void (*)(BinopScratch*)> NewBinopScratch();

// lhs op rhs between two numbers, as Go's float64 arithmetic with
// Prometheus's operator rules (% is math.Mod, ^ math.Pow, comparisons give
// 1 or 0). `op` is an arithmetic or comparison operator.
double ScalarBinop(TokenKind op, double lhs, double rhs);

// Applies a binary operator between two instant vectors at step `ts`
// (output samples carry ts), appending to `out`. `e.matching` is set.
absl::Status VectorVectorBinop(const BinaryExpr& e, const Vector& lhs, const Vector& rhs,
                               int64_t ts, BinopScratch* scratch, Annotations* annotations,
                               Vector* out);

// Applies `e.op` between each sample of `v` and `scalar`; `scalar_on_left`
// when the scalar is the left operand (`2 - foo`).
absl::Status VectorScalarBinop(const BinaryExpr& e, const Vector& v, double scalar,
                               bool scalar_on_left, int64_t ts, Annotations* annotations,
                               Vector* out);

}  // namespace strata::promql

#endif  // STRATA_PROMQL_BINOP_H_
