// Query rewriting and inspection the PromQL test-script runner needs:
//
//  * the @-modifier variants promqltest/test.go runs for every instant eval
//    (atModifierTestCases): every selector and subquery outside a subquery
//    pinned `@ <eval time>`, then evaluated at other times, where the
//    result must not change;
//  * whether a query uses start()/end()/range()/step() (then test.go does
//    not rerun it as a range query);
//  * whether a query selects any of a set of series (the runner skips evals
//    that read native-histogram series, which Strata does not store).
//
// Engine-free (parser only), so unit-tested without the engine.
//
// Thread safety: pure functions.
#ifndef STRATA_TESTS_PROMQL_PROMQLTEST_QUERY_UTIL_H_
#define STRATA_TESTS_PROMQL_PROMQLTEST_QUERY_UTIL_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "tsdb/labels/labels.h"

namespace strata::promqltest {

struct AtModifierCase {
  std::string expr;
  int64_t eval_ms = 0;
};

// test.go's atModifierTestCases: empty when the query calls a function
// whose value depends on the evaluation time even with step-invariant
// arguments (time(), timestamp(), hour(), predict_linear(), …). Times are
// -10t, 0, t/5, t, 10t for eval time t (ms), or -1000, 0, 1000 when t is 0.
// Fails when the query does not parse.
absl::StatusOr<std::vector<AtModifierCase>> AtModifierCases(std::string_view expr, int64_t eval_ms);

// test.go's reQueryContextFuncs: the text contains start(), end(), range()
// or step().
bool UsesQueryContextFunction(std::string_view expr);

// True when some selector of `expr` matches one of `series`. Fails when the
// query does not parse.
absl::StatusOr<bool> SelectsAnyOf(std::string_view expr, const std::vector<Labels>& series);

}  // namespace strata::promqltest

#endif  // STRATA_TESTS_PROMQL_PROMQLTEST_QUERY_UTIL_H_
