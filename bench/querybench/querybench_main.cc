// strata-querybench: PromQL query latency and correctness, side by side.
//
//   strata-querybench info        --end-ms E [dataset flags]
//   strata-querybench openmetrics --end-ms E [dataset flags] --out FILE
//   strata-querybench write       --end-ms E [dataset flags] --url http://127.0.0.1:P/api/v1/write
//   strata-querybench stream      --end-ms E [dataset flags] --out FILE
//       [--connections 8] [--batch 2000] [--window 120] [--threads N]
//   strata-querybench stream      --input CAPTURE.om --out FILE
//       [--connections 8] [--batch 2000] [--shard-by instance|series] [--threads N]
//   strata-querybench query       --end-ms E [dataset flags]
//       --system strata=http://127.0.0.1:P1 --system prometheus=http://127.0.0.1:P2
//       [--reps 15] [--warmup 1] [--filter NAME,...] [--out FILE] [--save DIR]
//   strata-querybench compare     --end-ms E [dataset flags]
//       --saved strata=DIR1 --saved prometheus=DIR2 [--saved NAME=DIR ...]
//       [--reference NAME] [--filter NAME,...] [--out FILE]
//
// Dataset flags (--targets, --span, --interval, --seed, --end-ms, --profile,
// --churn-share, --churn-every) must be the same for every step of a run: they
// define the data (dataset.h) and
// the query times (suite.h). `openmetrics` writes the input of promtool's
// block creation; `write` remote-writes the same samples; `query` runs the
// dashboard suite against each system, compares every answer with the
// first system's and prints a markdown table (report.h).
//
// `stream` encodes once, into a stream file (bench/loadgen/stream_file.h),
// the requests `write` sends (dataset_stream.h), or a real capture's
// (capture_stream.h: bench/compare/capture.sh's output); `strata-loadgen
// --stream FILE` then replays the file to each system in turn: identical
// requests for all, and no encoding in the timing.
//
// Systems that must run alone on the machine are measured one `query
// --system NAME=URL --save DIR` at a time; `compare` then loads the saved
// runs (saved_run.h: DIR/<query>.json answers and DIR/latencies.tsv; with
// several --system, DIR/<system name>/...) and prints the same report, the
// first --saved system's medians over the others'. The suite comes from the
// dataset flags and --filter, so give `compare` the ones `query` had.
//
// Exit status: 0 on success, 1 otherwise, 2 for bad flags or a missing or
// malformed saved run. Success is, for query: every answer equal; for
// compare: every query answered by the first and the reference system
// (--reference, by default the second --saved) with equal answers, other
// systems' failures and differences only reported; for write: every sample
// acknowledged; for stream: the file written.
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "CLI/CLI.hpp"
#include "bench/loadgen/util.h"
#include "bench/querybench/capture_stream.h"
#include "bench/querybench/dataset.h"
#include "bench/querybench/dataset_stream.h"
#include "bench/querybench/openmetrics.h"
#include "bench/querybench/remote_write.h"
#include "bench/querybench/report.h"
#include "bench/querybench/runner.h"
#include "bench/querybench/saved_run.h"
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
  std::string profile = "compact";
  double churn_share = 0;
  std::string churn_every = "0s";
  // openmetrics.
  std::string out;
  // write.
  std::string url;
  int connections = 4;
  int batch = 5000;
  int window = 120;
  std::string duration_limit = "900s";
  // stream (and --out, --window).
  std::string input;
  int stream_connections = 8;
  int stream_batch = 2000;
  int threads = 0;
  std::string shard_by = "instance";
  // query.
  std::vector<std::string> systems;
  int reps = 15;
  int warmup = 1;
  std::string timeout = "120s";
  std::string filter;
  double tolerance = 1e-6;
  double target_ratio = 0.5;
  std::string save;
  // compare.
  std::vector<std::string> saved;
  std::string reference;
  bool quiet = false;
  bool json = false;  // stream: the summary as one JSON object
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
  std::optional<int64_t> churn_every = loadgen::ParseDurationMs(flags.churn_every);
  if (flags.churn_share > 0 && (!churn_every || *churn_every < *interval)) {
    fmt::print(stderr, "--churn-share needs --churn-every of at least one interval\n");
    return std::nullopt;
  }
  DatasetOptions options{flags.targets, flags.end_ms, *span, *interval, flags.seed};
  options.profile = flags.profile == "node" ? Profile::kNode : Profile::kCompact;
  options.churn_share = flags.churn_share;
  options.churn_every_ms = flags.churn_share > 0 ? *churn_every : 0;
  return Dataset(options);
}

void PrintDataset(const Dataset& d) {
  fmt::print(stderr,
             "dataset: {} targets x {} series = {} series, {} scrapes every {} s = {} samples, "
             "{} .. {}\n",
             d.targets(), d.series_per_target(), d.num_series(), d.scrapes(),
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

// "NAME=VALUE" as its two non-empty parts.
std::optional<std::pair<std::string, std::string>> SplitAssignment(const std::string& s) {
  const size_t eq = s.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == s.size()) return std::nullopt;
  return std::pair(s.substr(0, eq), s.substr(eq + 1));
}

// Prints the report or writes it to `out`; 1 when that fails.
int OutputReport(const std::string& out, const std::string& report) {
  if (out.empty() || out == "-") {
    fmt::print("{}", report);
    return 0;
  }
  FILE* f = std::fopen(out.c_str(), "w");
  if (f == nullptr || std::fputs(report.c_str(), f) < 0 || std::fclose(f) != 0) {
    return fmt::print(stderr, "cannot write {}\n", out), 1;
  }
  return 0;
}

int RunQueries(const Flags& flags) {
  std::optional<Dataset> dataset = MakeDataset(flags);
  std::optional<int64_t> timeout = loadgen::ParseDurationMs(flags.timeout);
  if (!dataset) return 2;
  if (!timeout || *timeout < 1000) return fmt::print(stderr, "bad --timeout\n"), 2;
  std::vector<System> systems;
  for (const std::string& s : flags.systems) {
    const auto kv = SplitAssignment(s);
    std::optional<loadgen::Url> url = kv ? loadgen::ParseUrl(kv->second) : std::nullopt;
    if (!url) return fmt::print(stderr, "bad --system {} (want NAME=http://HOST:PORT)\n", s), 2;
    systems.push_back({kv->first, *url});
  }
  // Created before the run so that a bad --save fails before the long part.
  std::vector<std::string> save_dirs;
  for (size_t i = 0; i < systems.size() && !flags.save.empty(); ++i) {
    const std::string& name = systems[i].name;
    if (systems.size() > 1 &&
        (name.find('/') != std::string::npos || name == "." || name == "..")) {
      return fmt::print(stderr, "--save needs system names usable as directory names\n"), 2;
    }
    save_dirs.push_back(systems.size() == 1 ? flags.save : flags.save + "/" + name);
    std::error_code ec;
    std::filesystem::create_directories(save_dirs.back(), ec);
    if (ec) return fmt::print(stderr, "cannot create {}: {}\n", save_dirs.back(), ec.message()), 2;
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
  bool saved = true;
  for (size_t s = 0; s < save_dirs.size(); ++s) {
    if (absl::Status st = SaveRun(results, s, save_dirs[s]); !st.ok()) {
      fmt::print(stderr, "save: {}\n", std::string(st.message()));
      saved = false;
    }
  }
  if (OutputReport(flags.out, MarkdownReport(results, systems, flags.target_ratio)) != 0) return 1;
  return saved && AllAnswersEqual(results) ? 0 : 1;
}

int RunCompare(const Flags& flags) {
  std::optional<Dataset> dataset = MakeDataset(flags);
  if (!dataset) return 2;
  std::vector<SavedRun> runs;
  std::vector<System> systems;  // the report's names
  for (const std::string& s : flags.saved) {
    const auto kv = SplitAssignment(s);
    if (!kv) return fmt::print(stderr, "bad --saved {} (want NAME=DIR)\n", s), 2;
    runs.push_back({kv->first, kv->second});
    systems.push_back({kv->first, {}});
  }
  if (runs.size() < 2) return fmt::print(stderr, "compare needs two --saved runs or more\n"), 2;
  size_t reference = 1;
  if (!flags.reference.empty()) {
    reference = 0;
    for (size_t i = 1; i < runs.size() && reference == 0; ++i) {
      if (runs[i].name == flags.reference) reference = i;
    }
    if (reference == 0) {
      return fmt::print(stderr, "--reference {} is not a --saved system after the first\n",
                        flags.reference),
             2;
    }
  }
  std::vector<Query> suite = FilteredSuite(*dataset, flags.filter);
  if (suite.empty()) return fmt::print(stderr, "--filter {} matches no query\n", flags.filter), 2;
  if (!flags.quiet) PrintDataset(*dataset);
  Tolerance tolerance;
  tolerance.relative = flags.tolerance;
  absl::StatusOr<std::vector<QueryResult>> results = LoadRuns(suite, runs, tolerance);
  if (!results.ok())
    return fmt::print(stderr, "compare: {}\n", std::string(results.status().message())), 2;
  if (OutputReport(flags.out, MarkdownReport(*results, systems, flags.target_ratio)) != 0) return 1;
  if (AnswersMatchReference(*results, reference)) return 0;
  fmt::print(stderr, "{} failed or answered differently from the reference, {}\n", runs[0].name,
             runs[reference].name);
  return 1;
}

// The command that makes the same stream again, kept in the file's header.
std::string StreamCommand(const Flags& f) {
  if (!f.input.empty()) {
    return fmt::format(
        "strata-querybench stream --input {} --connections {} --batch {} --shard-by {}", f.input,
        f.stream_connections, f.stream_batch, f.shard_by);
  }
  return fmt::format(
      "strata-querybench stream --end-ms {} --targets {} --span {} --interval {} --seed {} "
      "--profile {} --churn-share {} --churn-every {} --connections {} --batch {} --window {}",
      f.end_ms, f.targets, f.span, f.interval, f.seed, f.profile, f.churn_share, f.churn_every,
      f.stream_connections, f.stream_batch, f.window);
}

int RunStream(const Flags& flags) {
  StreamWriteOptions write;
  write.path = flags.out;
  write.threads = flags.threads;
  write.progress = !flags.quiet;
  absl::StatusOr<StreamWriteResult> r;
  uint64_t active_series = 0;
  if (!flags.input.empty()) {
    CaptureStreamOptions options;
    options.connections = flags.stream_connections;
    options.batch = flags.stream_batch;
    options.shard_by = flags.shard_by == "series" ? ShardBy::kSeries : ShardBy::kInstance;
    options.description = StreamCommand(flags);
    options.write = write;
    r = WriteCaptureStream(flags.input, options);
  } else {
    std::optional<Dataset> dataset = MakeDataset(flags);
    if (!dataset) return 2;
    if (!flags.quiet) PrintDataset(*dataset);
    active_series = static_cast<uint64_t>(dataset->num_series());
    DatasetStreamOptions options;
    options.connections = flags.stream_connections;
    options.batch = flags.stream_batch;
    options.window_scrapes = flags.window;
    options.description = StreamCommand(flags);
    options.write = write;
    r = WriteDatasetStream(*dataset, options);
  }
  if (!r.ok()) return fmt::print(stderr, "stream: {}\n", r.status().ToString()), 1;
  const EncodeTotals& t = r->totals;
  if (flags.json) {
    // For scripts (bench/compare/run): active series are those of one scrape
    // (a capture's every series).
    const uint64_t active = active_series > 0 ? active_series : r->series;
    fmt::print(
        "{{\"windows\":{},\"connections\":{},\"requests\":{},\"samples\":{},\"series\":{},"
        "\"active_series\":{},\"bytes\":{},\"body_bytes\":{},\"raw_bytes\":{},"
        "\"min_timestamp_ms\":{},\"max_timestamp_ms\":{},\"seconds\":{:.3f}}}\n",
        r->windows, r->connections, t.requests, t.samples, r->series, active, r->file_bytes,
        t.body_bytes, t.raw_bytes, t.min_timestamp_ms, t.max_timestamp_ms, r->seconds);
    return 0;
  }
  const double samples = static_cast<double>(std::max<uint64_t>(1, t.samples));
  fmt::print("{}: {} windows x {} connections, {} requests, {} samples of {} series, {} .. {}\n",
             flags.out, r->windows, r->connections, t.requests, t.samples, r->series,
             t.samples > 0 ? FormatTimeMs(t.min_timestamp_ms) : "-",
             t.samples > 0 ? FormatTimeMs(t.max_timestamp_ms) : "-");
  fmt::print(
      "{:.1f} MiB: {:.2f} bytes/sample on the wire ({:.1f} protobuf), encoded in {:.1f} s by {} "
      "threads: {:.2f} M samples/s, {:.1f} MiB/s\n",
      r->file_bytes / 1048576.0, t.body_bytes / samples, t.raw_bytes / samples, r->seconds,
      r->threads, t.samples / 1e6 / std::max(r->seconds, 1e-9),
      r->file_bytes / 1048576.0 / std::max(r->seconds, 1e-9));
  return 0;
}

void AddDatasetFlags(CLI::App* app, Flags* flags) {
  app->add_option("--end-ms", flags->end_ms,
                  "End of the data (ms since the epoch, a multiple of 1000): the same in every "
                  "step of a run")
      ->required();
  app->add_option("--targets", flags->targets, "Targets (100 or 1,000 series each: --profile)")
      ->check(CLI::Range(1, 1'000'000))
      ->capture_default_str();
  app->add_option("--profile", flags->profile,
                  "compact: 100 series a target; node: 1,000, as a node-exporter on 16 CPUs")
      ->check(CLI::IsMember({"compact", "node"}))
      ->capture_default_str();
  app->add_option("--churn-share", flags->churn_share,
                  "Share of targets replaced (new pod label, counters from 0) every --churn-every")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app->add_option("--churn-every", flags->churn_every, "Period of the replacements (10m)")
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

  CLI::App* stream = app.add_subcommand(
      "stream", "Encode the dataset's (or a capture's) remote-write requests into a stream file");
  strata::querybench::AddDatasetFlags(stream, &flags);
  // A capture brings its own data: the dataset flags do not apply.
  stream->get_option("--end-ms")->required(false);
  stream->add_option("--input", flags.input, "OpenMetrics capture (bench/compare/capture.sh)")
      ->excludes("--end-ms");
  stream->add_option("--out", flags.out, "The stream file")->required();
  stream->add_option("--connections", flags.stream_connections, "Connections the stream is cut for")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  stream
      ->add_option("--batch", flags.stream_batch,
                   "Samples per request (dataset: rounded down to whole target scrapes)")
      ->check(CLI::Range(1, 1'000'000))
      ->capture_default_str();
  stream->add_option("--window", flags.window, "Dataset: scrapes per window (at most 30 minutes)")
      ->check(CLI::Range(1, 100'000))
      ->capture_default_str();
  stream->add_option("--threads", flags.threads, "Encoding threads (default: one per core)")
      ->check(CLI::Range(1, 256));
  stream->add_flag("--json", flags.json, "Print the summary as one JSON object");
  stream->add_option("--shard-by", flags.shard_by, "Capture: connection by instance or by series")
      ->check(CLI::IsMember({"instance", "series"}))
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
  query->add_option("--save", flags.save,
                    "Also write each system's answers and latencies here (for compare)");

  CLI::App* compare =
      app.add_subcommand("compare", "Compare runs saved by query --save, as query would");
  strata::querybench::AddDatasetFlags(compare, &flags);
  compare
      ->add_option("--saved", flags.saved,
                   "NAME=DIR; repeat; the first is compared with the others")
      ->required();
  compare->add_option("--reference", flags.reference,
                      "The system whose answers the first's must equal (default: the second)");
  compare->add_option("--filter", flags.filter, "Only these queries (comma-separated names)");
  compare->add_option("--tolerance", flags.tolerance, "Relative tolerance for equal values")
      ->capture_default_str();
  compare
      ->add_option("--target-ratio", flags.target_ratio,
                   "Target: first system's median latency at most this times the other's")
      ->capture_default_str();
  compare->add_option("--out", flags.out, "Write the markdown report here instead of stdout");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;  // --help is not an error
  }
  if (info->parsed()) return strata::querybench::RunInfo(flags);
  if (om->parsed()) return strata::querybench::RunOpenMetrics(flags);
  if (write->parsed()) return strata::querybench::RunWrite(flags);
  if (stream->parsed()) return strata::querybench::RunStream(flags);
  if (compare->parsed()) return strata::querybench::RunCompare(flags);
  return strata::querybench::RunQueries(flags);
}
