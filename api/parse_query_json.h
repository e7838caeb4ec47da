// The syntax tree of a PromQL expression as JSON, in the shape Prometheus 3's
// /api/v1/parse_query returns it (web/api/v1/translate_ast.go) for the UI's
// tree view.
//
// One object per node, with "type" naming the kind: "aggregation",
// "binaryExpr", "call", "matrixSelector", "subquery", "numberLiteral",
// "parenExpr", "stringLiteral", "unaryExpr", "vectorSelector", and
// "durationExpr" for the experimental duration expressions of ranges, steps
// and offsets. Keys are written in sorted order, as Go marshals maps.
// Durations and offsets are integer milliseconds; a range, step or offset
// given as a duration expression is 0 with the expression under
// "rangeExpr"/"stepExpr"/"offsetExpr" (null otherwise). Number values are
// strings ("1.5", "NaN", "+Inf"). A selector's matchers include the
// __name__ matcher of a metric name written before the braces, last, as
// Prometheus's parser appends it. Modifiers Strata does not parse
// (anchored, smoothed, fill) are written with their absent values.
//
// Thread safety: pure function over an immutable tree.
#ifndef STRATA_API_PARSE_QUERY_JSON_H_
#define STRATA_API_PARSE_QUERY_JSON_H_

#include "api/json_writer.h"
#include "promql/ast.h"

namespace strata::api {

// Writes `e` as one JSON value into `w`.
void WriteParseQueryJson(const promql::Expr& e, JsonWriter* w);

}  // namespace strata::api

#endif  // STRATA_API_PARSE_QUERY_JSON_H_
