// PromQL aggregation operators (sum, avg, min, max, count, group, stddev,
// stdvar, topk, bottomk, quantile, count_values, limitk, limit_ratio) over
// one step's instant vector, as Prometheus 3 evaluates them.
//
// Output labels: for sum/avg/…/count_values, the grouping labels (`by`:
// those listed; `without`: the rest minus __name__), plus count_values' own
// label; for topk/bottomk/limitk/limit_ratio the input samples unchanged
// (drop_name included). For an instant query the evaluator keeps the order
// of `out`: topk/bottomk return their groups' samples ordered as Prometheus
// does.
//
// Thread safety: one AggregateScratch per evaluation.
#ifndef STRATA_PROMQL_AGGREGATE_H_
#define STRATA_PROMQL_AGGREGATE_H_

#include <cstdint>
#include <memory>
#include <string_view>

#include "absl/status/status.h"
#include "promql/ast.h"
#include "promql/value.h"

namespace strata::promql {

// Reusable buffers across the steps of one aggregation node.
class AggregateScratch;
std::unique_ptr<AggregateScratch, void (*)(AggregateScratch*)> NewAggregateScratch();

struct AggregateStep {
  const AggregateExpr* expr = nullptr;
  int64_t ts = 0;          // step time, ms; output samples carry it
  double param = 0;        // topk/bottomk/limitk k, quantile q, limit_ratio r
  std::string_view label;  // count_values: the output label name
  std::string_view query;  // the query text, for annotation positions
  Annotations* annotations = nullptr;
};

// Aggregates `in` into `out` (appends). Errors carry Prometheus's messages
// (e.g. invalid count_values label name → InvalidArgument).
absl::Status Aggregate(const AggregateStep& step, const Vector& in, AggregateScratch* scratch,
                       Vector* out);

}  // namespace strata::promql

#endif  // STRATA_PROMQL_AGGREGATE_H_
