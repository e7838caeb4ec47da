// The markdown report of a strata-querybench run: one row per query with
// every system's median and p90 latency, the first system's median over each
// other's (the ratio), whether that ratio meets the target, and whether the
// answers are equal; then the differences and the queries' PromQL.
#ifndef STRATA_BENCH_QUERYBENCH_REPORT_H_
#define STRATA_BENCH_QUERYBENCH_REPORT_H_

#include <string>
#include <vector>

#include "bench/querybench/runner.h"

namespace strata::querybench {

std::string MarkdownReport(const std::vector<QueryResult>& results,
                           const std::vector<System>& systems, double target_ratio);

// True when every query succeeded on every system with equal answers.
bool AllAnswersEqual(const std::vector<QueryResult>& results);

}  // namespace strata::querybench

#endif  // STRATA_BENCH_QUERYBENCH_REPORT_H_
