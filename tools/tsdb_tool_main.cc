// tsdb-tool: the operator's tool for Strata data directories.
#include <cstdio>
#include <string>

#include "CLI/CLI.hpp"
#include "tools/bench_write.h"

int main(int argc, char** argv) {
  CLI::App app{"tsdb-tool: inspect and maintain Strata data directories"};
  app.require_subcommand(1);

  auto* bench = app.add_subcommand("bench", "Run benchmarks");
  bench->require_subcommand(1);
  strata::tools::BenchWriteOptions bw;
  auto* write = bench->add_subcommand(
      "write",
      "Write synthetic node-exporter-like series into a fresh directory and report "
      "samples/s, memory per series and WAL bytes per sample");
  write->add_option("--out", bw.out, "Directory to write (removed first)")->capture_default_str();
  write->add_option("--series", bw.series, "Number of series")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  write->add_option("--samples", bw.samples_per_series, "Samples per series")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  write->add_option("--batch", bw.batch, "Samples per commit")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  write->add_option("--threads", bw.threads, "Writer threads")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  write->add_option("--wal-sync", bw.wal_sync, "WAL policy: always, interval or off")
      ->check(CLI::IsMember({"always", "interval", "off"}))
      ->capture_default_str();
  write->callback([&] { std::exit(strata::tools::RunBenchWrite(bw)); });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  return 0;
}
