// Checking a query's outcome against an eval command, exactly as Prometheus's
// promqltest/test.go does: float values equal within a relative 1e-6 (NaN
// equals NaN), series matched by label set, order checked only with
// `ordered` (and then only for instant vectors), range points at
// start + i*step, annotations checked only when the eval has expect lines.
// The failure texts follow test.go's, so a report reads like Prometheus's.
//
// Engine-free: these take promql values, so they are unit-tested on
// hand-built results.
//
// Thread safety: pure functions.
#ifndef STRATA_TESTS_PROMQL_PROMQLTEST_COMPARE_H_
#define STRATA_TESTS_PROMQL_PROMQLTEST_COMPARE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "promql/value.h"
#include "tests/promql/promqltest/script.h"

namespace strata::promqltest {

// test.go's defaultEpsilon.
inline constexpr double kDefaultEpsilon = 0.000001;

// Prometheus's util/almost.Equal: true when both are NaN (whatever NaN, the
// stale marker included), when equal, or when they differ by less than
// epsilon relative to their magnitude (absolutely, near zero).
bool AlmostEqual(double a, double b, double epsilon);

// Go's %v of a float64: shortest round-trip digits, "NaN", "+Inf", "-Inf".
std::string FormatFloat(double v);

// The annotations check of test.go's checkAnnotations. `expr` is the query
// text as run (it differs from cmd.expr for the @-modifier variants).
absl::Status CheckAnnotations(const EvalCmd& cmd, std::string_view expr,
                              const promql::Annotations& annotations);

// test.go's compareResult. OK when `result` is what the eval expects.
absl::Status CompareResult(const EvalCmd& cmd, const promql::Value& result);

// test.go's checkExpectedFailure, for an eval that expects a failure and got
// `error_text` (the engine's error message).
absl::Status CheckExpectedFailure(const EvalCmd& cmd, std::string_view error_text);

// Range query results must be sorted by labels.
absl::Status AssertMatrixSorted(const promql::Matrix& m);

// The points of `m` at exactly `t`, one sample per series that has one: how
// test.go turns the range-mode rerun of an instant query into a vector.
promql::Vector VectorAt(const promql::Matrix& m, int64_t t);

}  // namespace strata::promqltest

#endif  // STRATA_TESTS_PROMQL_PROMQLTEST_COMPARE_H_
