// One system's share of a `query` run saved to a directory, and saved runs
// loaded back as a run's results, so that systems measured one after
// another, each alone on the machine, can be compared afterwards
// (`strata-querybench query --save`, `strata-querybench compare`).
//
// A saved run is a directory holding, per query, <query name>.json: the
// system's first answer body (the compared one) byte for byte, empty after a
// connection error; and latencies.tsv, one line per query:
//
//   <query name> TAB <ms> TAB <ms> ... [TAB <failure>]
//
// with every timed latency in ms in the order measured, each the shortest
// decimal that reads back as the same double, so that the median and p90
// recompute exactly. The failure text is present only when a request
// failed; it comes last and is the only field after the name that is not a
// number (tabs and newlines in it are saved as spaces).
#ifndef STRATA_BENCH_QUERYBENCH_SAVED_RUN_H_
#define STRATA_BENCH_QUERYBENCH_SAVED_RUN_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "bench/querybench/compare.h"
#include "bench/querybench/runner.h"
#include "bench/querybench/suite.h"

namespace strata::querybench {

// Writes systems[system] of every result to `dir`, creating it.
absl::Status SaveRun(const std::vector<QueryResult>& results, size_t system,
                     const std::string& dir);

// The saved run in `dir` as results for `suite`, in the suite's order, with
// DeriveStatistics applied. A query the run lacks (left out by --filter, or
// the suite changed) fails with "not in the saved run ..."; saved queries
// the suite lacks are ignored. NotFound when `dir`, its latencies.tsv or a
// listed query's answer is missing, InvalidArgument for a malformed line.
absl::StatusOr<std::vector<SystemResult>> LoadRun(const std::vector<Query>& suite,
                                                  const std::string& dir);

struct SavedRun {
  std::string name;  // the system's
  std::string dir;
};

// The results of `suite` as RunSuite returns them for systems named as
// `runs`, from their saved runs: vs_first compares the first run's answers
// with each other run's.
absl::StatusOr<std::vector<QueryResult>> LoadRuns(const std::vector<Query>& suite,
                                                  const std::vector<SavedRun>& runs,
                                                  const Tolerance& tolerance);

}  // namespace strata::querybench

#endif  // STRATA_BENCH_QUERYBENCH_SAVED_RUN_H_
