// PromQL parser: series selectors now, the full expression grammar later.
//
// Error messages and positions follow Prometheus 3 (promql/parser): every
// error is absl::InvalidArgumentError("<line>:<col>: parse error: <msg>"),
// where line and col are 1-based and col counts bytes from the start of the
// line, e.g. `1:5: parse error: unexpected "}" in label matching, expected
// string`. An empty input reports "unknown position" instead of line:col.
// Only the first error is reported, as Prometheus's error string does.
//
// Thread safety: all functions are thread-safe (no shared state).
#ifndef STRATA_PROMQL_PARSER_H_
#define STRATA_PROMQL_PARSER_H_

#include <memory>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "promql/ast.h"
#include "promql/strconv.h"  // ParseDuration, ParseNumber
#include "tsdb/labels/matcher.h"

namespace strata::promql {

// Parses a series selector as used by /api/v1/series match[], e.g. `up`,
// `up{job="x"}`, `{__name__=~"a.+"}`, `{"my.metric", "a.b"="c"}` (Prometheus 3
// quoted UTF-8 names), `up{job="x",}`. Returns the matchers, the metric name
// written before the braces first as a __name__ equality matcher, then the
// matchers inside the braces in written order.
//
// Exactly Prometheus's parser.ParseMetricSelector: syntax is checked, regexes
// must compile, label values must be strings, but — like Prometheus — the
// result is NOT checked for meaning: `{}`, `{a=""}` and `foo{__name__="bar"}`
// parse fine (the last yields two __name__ matchers and selects nothing).
// Prometheus's HTTP API rejects a selector without a non-empty matcher
// itself, with "match[] must contain at least one non-empty matcher"; use
// HasNonEmptyMatcher for that check.
absl::StatusOr<std::vector<Matcher>> ParseMetricSelector(std::string_view input);

// True when at least one matcher does not match the empty string, i.e. the
// selector cannot select every series (Prometheus's rule for selectors).
bool HasNonEmptyMatcher(const std::vector<Matcher>& matchers);

// Parses a PromQL expression and checks it as Prometheus 3's ParseExpr does
// (with experimental functions and limitk/limit_ratio enabled, as Strata
// runs them): number literals (decimal, hex, exponent, Inf, NaN, durations
// as seconds), string literals, parentheses, unary +/- (folded into number
// literals), binary operators with Prometheus's precedence and `bool`,
// `on`/`ignoring`, `group_left`/`group_right`, aggregations with `by` or
// `without` before or after the arguments, function calls (promql/
// functions.h), range selectors, subqueries `expr[range:step]`, `offset`
// and `@ <t>`/`@ start()`/`@ end()` on selectors and subqueries, and
// comments. Then Prometheus's type checks, in its order.
//
// Prometheus 3.14's experimental syntax is on: the query-context functions
// step(), range(), start() and end() (calls), and duration expressions in
// ranges, subquery ranges and steps, and offsets (`[5m+1m]`, `[1h:step()]`,
// `offset (1h / 2)`, `offset -step()`, min_of/max_of): a literal lands in
// the node's duration field, anything else in its *_expr field, to be
// evaluated per query by ResolveDurationExpressions (promql/duration_expr.h)
// before evaluation. The experimental anchored/smoothed modifiers and binop
// fill modifiers are refused as Prometheus does when their features are
// off.
//
// Nesting (parentheses, operands, arguments, subqueries, and chains of
// binary operators, which nest the tree as deeply) is limited to 1000
// levels: deeper input is an InvalidArgument error, never a stack overflow.
absl::StatusOr<std::unique_ptr<Expr>> ParseExpr(std::string_view input);

// "line:col" of byte offset `pos` in `input` (both 1-based, col in bytes),
// as Prometheus prints positions in errors and annotations.
std::string FormatPosition(std::string_view input, Pos pos);

}  // namespace strata::promql

#endif  // STRATA_PROMQL_PARSER_H_
