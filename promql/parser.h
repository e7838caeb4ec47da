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

// Parses a PromQL expression and checks it as Prometheus's ParseExpr does.
// Supported so far: a vector selector with optional range `[5m]`,
// `offset <duration|number>` (may be negative) and `@ <timestamp>` /
// `@ start()` / `@ end()`, in any order Prometheus accepts. The result is a
// VectorSelector or a MatrixSelector. Also checked, as in Prometheus: at
// least one non-empty matcher ("vector selector must contain at least one
// non-empty matcher"), the metric name not given twice, range > 0, no offset
// or @ before a range, offset and @ at most once.
//
// Anything else (numbers, strings, operators, functions, aggregations,
// subqueries, duration expressions, parentheses) is InvalidArgument
// "<pos>: parse error: <construct> are not supported yet". Errors the lexer
// finds first (e.g. a bad character) are still reported as Prometheus does.
absl::StatusOr<std::unique_ptr<Expr>> ParseExpr(std::string_view input);

}  // namespace strata::promql

#endif  // STRATA_PROMQL_PARSER_H_
