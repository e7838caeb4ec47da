// `tsdb-tool bench write`: writes a synthetic workload through the appender
// into a fresh data directory and reports ingestion throughput, memory per
// active series and WAL bytes per sample.
#ifndef STRATA_TOOLS_BENCH_WRITE_H_
#define STRATA_TOOLS_BENCH_WRITE_H_

#include <cstdint>
#include <string>

namespace strata::tools {

struct BenchWriteOptions {
  std::string out = "./benchout";  // removed and recreated
  uint64_t series = 100000;
  uint64_t samples_per_series = 120;
  uint64_t batch = 2000;  // samples per commit
  int threads = 2;
  std::string wal_sync = "always";  // always | interval | off
  int64_t interval_ms = 15000;
};

// Runs the benchmark, printing progress and results to stdout. Returns the
// process exit status.
int RunBenchWrite(const BenchWriteOptions& options);

}  // namespace strata::tools

#endif  // STRATA_TOOLS_BENCH_WRITE_H_
