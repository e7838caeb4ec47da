// The markdown report of a strata-querybench run: one row per query with
// every system's median and p90 latency, the first system's median over each
// other's (the ratio), whether that ratio meets the target, and whether the
// answers are equal; per other system, on how many queries the target is
// met and the geometric mean of the ratios; then the failures, the
// differences and the queries' PromQL. `query` prints it for a live run,
// `compare` for saved runs (saved_run.h).
#ifndef STRATA_BENCH_QUERYBENCH_REPORT_H_
#define STRATA_BENCH_QUERYBENCH_REPORT_H_

#include <string>
#include <vector>

#include "bench/querybench/runner.h"

namespace strata::querybench {

std::string MarkdownReport(const std::vector<QueryResult>& results,
                           const std::vector<System>& systems, double target_ratio);

// True when every query succeeded on every system with equal answers
// (`query`'s exit status).
bool AllAnswersEqual(const std::vector<QueryResult>& results);

// True when every query succeeded on systems[0] and on systems[reference]
// (reference >= 1) and their answers are equal (`compare`'s exit status).
// Other systems' failures and differences do not count: a peer whose PromQL
// dialect differs is still worth timing, and the report shows them.
bool AnswersMatchReference(const std::vector<QueryResult>& results, size_t reference);

}  // namespace strata::querybench

#endif  // STRATA_BENCH_QUERYBENCH_REPORT_H_
