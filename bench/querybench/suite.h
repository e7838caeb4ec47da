// The dashboard query suite of strata-querybench: the instant and range
// queries a node-exporter dashboard sends (rates, aggregations, a classic
// histogram quantile, topk, counts, regex matchers, *_over_time), with
// evaluation times that fall between sample timestamps (dataset.h).
#ifndef STRATA_BENCH_QUERYBENCH_SUITE_H_
#define STRATA_BENCH_QUERYBENCH_SUITE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "bench/querybench/dataset.h"

namespace strata::querybench {

struct Query {
  std::string name;  // short and unique, for tables and --filter
  std::string expr;  // PromQL
  bool range = false;
  int64_t time_ms = 0;   // instant queries
  int64_t start_ms = 0;  // range queries
  int64_t end_ms = 0;
  int64_t step_ms = 0;
};

// The suite for `dataset`: instant queries at its end, range queries over
// its last hour or day.
std::vector<Query> DashboardSuite(const Dataset& dataset);

// "instant", or "range 24h, step 1m".
std::string DescribeKind(const Query& query);

// The API path and URL-encoded parameters of the query, e.g.
// "/api/v1/query_range?query=...&start=...&end=...&step=...".
std::string RequestPath(const Query& query);

}  // namespace strata::querybench

#endif  // STRATA_BENCH_QUERYBENCH_SUITE_H_
