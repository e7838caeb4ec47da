// strata-querybench: PromQL query latency and correctness, side by side.
//
//   strata-querybench info        --end-ms E [dataset flags]
//   strata-querybench openmetrics --end-ms E [dataset flags] --out FILE
//   strata-querybench write       --end-ms E [dataset flags] --url http://127.0.0.1:P/api/v1/write
//   strata-querybench query       --end-ms E [dataset flags]
//       --system strata=http://127.0.0.1:P1 --system prometheus=http://127.0.0.1:P2
//       [--reps 15] [--warmup 1] [--filter NAME,...] [--out FILE]
//
// Dataset flags (--targets, --span, --interval, --seed, --end-ms) must be
// the same for every step of a run: they define the data (dataset.h) and
// the query times (suite.h). `openmetrics` writes the input of promtool's
// block creation; `write` remote-writes the same samples; `query` runs the
// dashboard suite against each system, compares every answer with the
// first system's and prints a markdown table (report.h).
//
// Exit status: 0 on success (query: every answer equal; write: every sample
// acknowledged), 1 otherwise, 2 for bad flags.
#include <chrono>
#include <cstdio>
#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "bench/loadgen/util.h"
#include "bench/querybench/dataset.h"
#include "bench/querybench/openmetrics.h"
#include "bench/querybench/remote_write.h"
#include "bench/querybench/report.h"
#include "bench/querybench/runner.h"
#include "bench/querybench/suite.h"
#include "fmt/chrono.h"
#include "fmt/format.h"

namespace strata::querybench {
namespace {

struct Flags {
  // Dataset.
  int targets = 20;
  std::string span = "24h";
  std::string interval = "15s";
  int64_t end_ms = 0;
  uint64_t seed = 1;
  // openmetrics.
  std::string out;
  // write.
  std::string url;
  int connections = 4;
  int batch = 5000;
  int window = 120;
  std::string duration_limit = "900s";
  // query.
  std::vector<std::string> systems;
  int reps = 15;
  int warmup = 1;
  std::string timeout = "120s";
  std::string filter;
  double tolerance = 1e-6;
  double target_ratio = 0.5;
  bool quiet = false;
};

std::string FormatTimeMs(int64_t ms) {
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", fmt::gmtime(static_cast<std::time_t>(ms / 1000)));
}

std::optional<Dataset> MakeDataset(const Flags& flags) {
  std::optional<int64_t> span = loadgen::ParseDurationMs(flags.span);
  std::optional<int64_t> interval = loadgen::ParseDurationMs(flags.interval);
  if (flags.end_ms <= 0 || flags.end_ms % 1000 != 0) {
    fmt::print(stderr, "--end-ms must be a positive multiple of 1000 (e.g. $(date +%s)000)\n");
    return std::nullopt;
  }
  if (!interval || *interval < 1000 || *interval % 10 != 0) {
    fmt::print(stderr, "bad --interval {} (at least 1s, a multiple of 10ms)\n", flags.interval);
    return std::nullopt;
  }
  if (!span || *span < *interval) {
    fmt::print(stderr, "bad --span {} (at least one interval)\n", flags.span);
    return std::nullopt;
  }
  return Dataset(DatasetOptions{flags.targets, flags.end_ms, *span, *interval, flags.seed});
}

void PrintDataset(const Dataset& d) {
  fmt::print(stderr,
             "dataset: {} targets x {} series = {} series, {} scrapes every {} s = {} samples, "
             "{} .. {}\n",
             d.targets(), Dataset::kSeriesPerTarget, d.num_series(), d.scrapes(),
             d.interval_ms() / 1000.0, d.num_series() * d.scrapes(), FormatTimeMs(d.start_ms()),
             FormatTimeMs(d.end_ms()));
}

std::vector<Query> FilteredSuite(const Dataset& dataset, const std::string& filter) {
  std::vector<Query> suite = DashboardSuite(dataset);
  if (filter.empty()) return suite;
  std::vector<std::string> names;
  for (size_t pos = 0; pos <= filter.size();) {
    size_t comma = std::min(filter.find(',', pos), filter.size());
    if (comma > pos) names.push_back(filter.substr(pos, comma - pos));
    pos = comma + 1;
  }
  std::vector<Query> kept;
  for (Query& q : suite) {
    for (const std::string& n : names) {
      if (q.name == n) kept.push_back(q);
    }
  }
  return kept;
}

int RunInfo(const Flags& flags) {
  std::optional<Dataset> dataset = MakeDataset(flags);
  if (!dataset) return 2;
  PrintDataset(*dataset);
  for (const Query& q : FilteredSuite(*dataset, flags.filter)) {
    fmt::print("{:<22} {:<24} {}\n", q.name, DescribeKind(q), q.expr);
  }
  return 0;
}

int RunOpenMetrics(const Flags& flags) {
  std::optional<Dataset> dataset = MakeDataset(flags);
  if (!dataset) return 2;
  if (!flags.quiet) PrintDataset(*dataset);
  OpenMetricsStats stats;
  if (absl::Status s = WriteOpenMetrics(*dataset, flags.out, &stats); !s.ok()) {
    fmt::print(stderr, "openmetrics: {}\n", s.ToString());
    return 1;
  }
  if (!flags.quiet) {
    fmt::print(stderr, "wrote {} samples, {:.1f} MiB to {}\n", stats.samples,
               stats.bytes / 1048576.0, flags.out);
  }
  return 0;
}

int RunWrite(const Flags& flags) {
  std::optional<Dataset> dataset = MakeDataset(flags);
  std::optional<loadgen::Url> url = loadgen::ParseUrl(flags.url);
  std::optional<int64_t> limit = loadgen::ParseDurationMs(flags.duration_limit);
  if (!dataset) return 2;
  if (!url) return fmt::print(stderr, "bad --url {}\n", flags.url), 2;
  if (!limit || *limit < 1000) return fmt::print(stderr, "bad --duration-limit\n"), 2;
  if (!flags.quiet) PrintDataset(*dataset);
  RemoteWriteOptions options;
  options.url = *url;
  options.connections = flags.connections;
  options.batch = flags.batch;
  options.window_scrapes = flags.window;
  options.duration_limit = std::chrono::seconds(*limit / 1000);
  options.progress = !flags.quiet;
  RemoteWriteResult r = RemoteWrite(*dataset, options);
  std::string statuses;
  for (const auto& [status, count] : r.status_counts) {
    statuses += fmt::format("{}{} x {}", statuses.empty() ? "" : ", ",
                            status < 0 ? "connection error" : std::to_string(status), count);
  }
  fmt::print(stderr,
             "remote write: {} of {} samples acknowledged, {} dropped, {} unsent; {} requests, "
             "{:.1f} MiB, {:.1f} s ({:.0f} samples/s); answers: {}\n",
             r.samples_ok, r.samples, r.samples_dropped, r.samples_unsent, r.requests,
             r.wire_bytes / 1048576.0, r.seconds, r.samples_ok / std::max(r.seconds, 1e-9),
             statuses);
  for (const std::string& e : r.error_examples) fmt::print(stderr, "  error: {}\n", e);
  return r.samples_ok == r.samples ? 0 : 1;
}

int RunQueries(const Flags& flags) {
  std::optional<Dataset> dataset = MakeDataset(flags);
  std::optional<int64_t> timeout = loadgen::ParseDurationMs(flags.timeout);
  if (!dataset) return 2;
  if (!timeout || *timeout < 1000) return fmt::print(stderr, "bad --timeout\n"), 2;
  std::vector<System> systems;
  for (const std::string& s : flags.systems) {
    const size_t eq = s.find('=');
    std::optional<loadgen::Url> url =
        eq == std::string::npos ? std::nullopt : loadgen::ParseUrl(s.substr(eq + 1));
    if (!url || eq == 0) {
      return fmt::print(stderr, "bad --system {} (want NAME=http://HOST:PORT)\n", s), 2;
    }
    systems.push_back({s.substr(0, eq), *url});
  }
  std::vector<Query> suite = FilteredSuite(*dataset, flags.filter);
  if (suite.empty()) return fmt::print(stderr, "--filter {} matches no query\n", flags.filter), 2;
  if (!flags.quiet) {
    PrintDataset(*dataset);
    fmt::print(stderr, "{} queries x {} timed rounds (+{} warm-up) on {} system(s)\n", suite.size(),
               flags.reps, flags.warmup, systems.size());
  }
  RunOptions options;
  options.reps = flags.reps;
  options.warmup = flags.warmup;
  options.timeout = std::chrono::seconds(*timeout / 1000);
  options.tolerance.relative = flags.tolerance;
  options.progress = !flags.quiet;
  std::vector<QueryResult> results = RunSuite(suite, systems, options);
  const std::string report = MarkdownReport(results, systems, flags.target_ratio);
  if (flags.out.empty() || flags.out == "-") {
    fmt::print("{}", report);
  } else {
    FILE* f = std::fopen(flags.out.c_str(), "w");
    if (f == nullptr || std::fputs(report.c_str(), f) < 0 || std::fclose(f) != 0) {
      return fmt::print(stderr, "cannot write {}\n", flags.out), 1;
    }
  }
  return AllAnswersEqual(results) ? 0 : 1;
}

void AddDatasetFlags(CLI::App* app, Flags* flags) {
  app->add_option("--end-ms", flags->end_ms,
                  "End of the data (ms since the epoch, a multiple of 1000): the same in every "
                  "step of a run")
      ->required();
  app->add_option("--targets", flags->targets, "Targets, 100 series each")
      ->check(CLI::Range(1, 1'000'000))
      ->capture_default_str();
  app->add_option("--span", flags->span, "Time the data covers (24h, 90m)")->capture_default_str();
  app->add_option("--interval", flags->interval, "Scrape interval")->capture_default_str();
  app->add_option("--seed", flags->seed, "Dataset seed")->capture_default_str();
  app->add_flag("--quiet", flags->quiet, "No progress on stderr");
}

}  // namespace
}  // namespace strata::querybench

int main(int argc, char** argv) {
  using strata::querybench::Flags;
  Flags flags;
  CLI::App app{"strata-querybench: PromQL latency and answers of Strata and its peers"};
  app.require_subcommand(1);

  CLI::App* info = app.add_subcommand("info", "Describe the dataset and list the query suite");
  strata::querybench::AddDatasetFlags(info, &flags);
  info->add_option("--filter", flags.filter, "Only these queries (comma-separated names)");

  CLI::App* om = app.add_subcommand("openmetrics", "Write the dataset as OpenMetrics text");
  strata::querybench::AddDatasetFlags(om, &flags);
  om->add_option("--out", flags.out, "Output file, - for stdout")->required();

  CLI::App* write = app.add_subcommand("write", "Remote-write (1.0) the dataset");
  strata::querybench::AddDatasetFlags(write, &flags);
  write->add_option("--url", flags.url, "http://127.0.0.1:PORT/api/v1/write")->required();
  write->add_option("--connections", flags.connections, "Keep-alive connections")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  write->add_option("--batch", flags.batch, "Samples per request (whole target scrapes)")
      ->check(CLI::Range(1, 1'000'000))
      ->capture_default_str();
  write->add_option("--window", flags.window, "Scrapes per window (at most 30 minutes' worth)")
      ->check(CLI::Range(1, 100'000))
      ->capture_default_str();
  write->add_option("--duration-limit", flags.duration_limit, "Stop sending after this long")
      ->capture_default_str();

  CLI::App* query = app.add_subcommand("query", "Run the query suite and compare the answers");
  strata::querybench::AddDatasetFlags(query, &flags);
  query
      ->add_option("--system", flags.systems,
                   "NAME=http://HOST:PORT; repeat; the first is compared with the others")
      ->required();
  query->add_option("--reps", flags.reps, "Timed rounds per query")
      ->check(CLI::Range(1, 10'000))
      ->capture_default_str();
  query->add_option("--warmup", flags.warmup, "Untimed requests per query and system first")
      ->check(CLI::Range(0, 100))
      ->capture_default_str();
  query->add_option("--timeout", flags.timeout, "Per-request timeout")->capture_default_str();
  query->add_option("--filter", flags.filter, "Only these queries (comma-separated names)");
  query->add_option("--tolerance", flags.tolerance, "Relative tolerance for equal values")
      ->capture_default_str();
  query
      ->add_option("--target-ratio", flags.target_ratio,
                   "Target: first system's median latency at most this times the other's")
      ->capture_default_str();
  query->add_option("--out", flags.out, "Write the markdown report here instead of stdout");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;  // --help is not an error
  }
  if (info->parsed()) return strata::querybench::RunInfo(flags);
  if (om->parsed()) return strata::querybench::RunOpenMetrics(flags);
  if (write->parsed()) return strata::querybench::RunWrite(flags);
  return strata::querybench::RunQueries(flags);
}
