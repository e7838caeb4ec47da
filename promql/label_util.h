// Label-set helpers shared by the evaluator, functions, aggregations and
// binary operators.
//
// Thread safety: pure functions.
#ifndef STRATA_PROMQL_LABEL_UTIL_H_
#define STRATA_PROMQL_LABEL_UTIL_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "tsdb/labels/labels.h"

namespace strata::promql {

// `l` without __name__, and without the __type__ and __unit__ metadata
// labels that describe the named metric (Prometheus's DropReserved).
Labels WithoutMetricName(const Labels& l);

// Only the pairs of `l` whose name is in `names` (`on (...)`, `by (...)`).
// __name__ is kept only when listed.
Labels KeepOnly(const Labels& l, std::span<const std::string> names);

// `l` without the pairs named in `names`, and without __name__ too
// (`ignoring (...)`, `without (...)`).
Labels DropWithName(const Labels& l, std::span<const std::string> names);

// Hashes of KeepOnly / DropWithName results, computed without building them
// (for grouping and matching). Equal label subsets give equal hashes.
uint64_t HashKeepOnly(const Labels& l, std::span<const std::string> names);
uint64_t HashDropWithName(const Labels& l, std::span<const std::string> names);

// `l` with `name` set to `value` (removed when `value` is empty).
Labels WithLabel(const Labels& l, std::string_view name, std::string_view value);

// Go's labels.Labels.String(), as Prometheus's error messages print label
// sets: {__name__="x", "a.b"="1"} (names quoted only when not legacy names).
std::string GoLabelsString(const Labels& l);

}  // namespace strata::promql

#endif  // STRATA_PROMQL_LABEL_UTIL_H_
