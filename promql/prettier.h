// Multi-line formatting of PromQL expressions, as Prometheus 3's
// /api/v1/format_query returns them (promql/parser/prettier.go, Pretty(0)).
//
// The rules, per node: a node whose one-line form (Expr::ToString()) is at
// most `max_line` bytes long prints on one line, indented by its level
// (2 spaces per level). A longer node is split:
//   binary    lhs and rhs one level deeper on their own lines; the operator
//             (with `bool`, on/ignoring and group_left/right) on its own
//             line at the node's level
//   aggregate `sum by (a) (` then [param,] and expr one level deeper, `)`
//   call      `name(` then the arguments one level deeper separated by
//             ",\n", `)`
//   paren     `(`, the inner expression one level deeper, `)`
//   subquery  the inner expression split at the subquery's level, followed
//             by `[range:step] @ … offset …`
//   unary     the operator, then the operand's pretty form at the same level
//             with its leading indentation removed
// Selectors and literals never split. Quirk kept from Prometheus: a
// subquery that fits prints without its level's indentation.
//
// Thread safety: pure functions over an immutable tree.
#ifndef STRATA_PROMQL_PRETTIER_H_
#define STRATA_PROMQL_PRETTIER_H_

#include <cstddef>
#include <string>

#include "promql/ast.h"

namespace strata::promql {

// Prometheus's maxCharactersPerLine.
inline constexpr size_t kMaxCharactersPerLine = 100;

// The expression formatted over several lines when longer than `max_line`
// bytes; the one-line form otherwise. `max_line` is a parameter only so tests
// can use Prometheus's test limit (10).
std::string Prettify(const Expr& e, size_t max_line = kMaxCharactersPerLine);

}  // namespace strata::promql

#endif  // STRATA_PROMQL_PRETTIER_H_
