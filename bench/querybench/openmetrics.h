// Writes the querybench dataset as OpenMetrics text, the input of
// `promtool tsdb create-blocks-from openmetrics FILE DIR`: the quick way to
// give Prometheus a day of history before it starts.
//
// Lines go scrape by scrape (all targets' scrape 0, then scrape 1, ...), so
// every series is in time order, as promtool's block writer requires. No
// TYPE or HELP lines: every family is "unknown", which changes nothing in
// how PromQL evaluates it. Timestamps are in seconds; see WriteTimestamp.
#ifndef STRATA_BENCH_QUERYBENCH_OPENMETRICS_H_
#define STRATA_BENCH_QUERYBENCH_OPENMETRICS_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "bench/querybench/dataset.h"

namespace strata::querybench {

struct OpenMetricsStats {
  uint64_t samples = 0;
  uint64_t bytes = 0;
};

// Writes `dataset` to `path` ("-" for stdout), ending with "# EOF".
absl::Status WriteOpenMetrics(const Dataset& dataset, const std::string& path,
                              OpenMetricsStats* stats);

// Appends `ms` as seconds for promtool 2.x, which reads a float and keeps
// int64(seconds * 1000), truncating: "1700000000.123" would come back as
// ...122 ms. Writing the middle of the millisecond ("1700000000.1235")
// leaves half a millisecond of room for the float's rounding error.
void AppendTimestamp(int64_t ms, std::string* out);

}  // namespace strata::querybench

#endif  // STRATA_BENCH_QUERYBENCH_OPENMETRICS_H_
