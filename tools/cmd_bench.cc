// `tsdb-tool bench write` (tools/bench_write.h).
#include <memory>

#include "tools/bench_write.h"
#include "tools/commands.h"

namespace strata::tools {

void AddBenchCommands(CLI::App& app) {
  CLI::App* bench = app.add_subcommand("bench", "Run benchmarks");
  bench->require_subcommand(1);
  // Owned by the callback, which outlives parsing (CLI11 keeps it).
  auto bw = std::make_shared<BenchWriteOptions>();
  CLI::App* write = bench->add_subcommand(
      "write",
      "Write synthetic node-exporter-like series into a fresh directory and report "
      "samples/s, memory per series and WAL bytes per sample");
  write->add_option("--out", bw->out, "Directory to write (removed first)")->capture_default_str();
  write->add_option("--series", bw->series, "Number of series")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  write->add_option("--samples", bw->samples_per_series, "Samples per series")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  write->add_option("--batch", bw->batch, "Samples per commit")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  write->add_option("--threads", bw->threads, "Writer threads")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  write->add_option("--wal-sync", bw->wal_sync, "WAL policy: always, interval or off")
      ->check(CLI::IsMember({"always", "interval", "off"}))
      ->capture_default_str();
  write->callback([bw] { ExitWith(RunBenchWrite(*bw)); });
}

}  // namespace strata::tools
