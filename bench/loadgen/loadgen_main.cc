// strata-loadgen: a remote-write load generator for comparing receivers
// (Strata, Prometheus, VictoriaMetrics) on the same stream.
//
//   strata-loadgen --url http://127.0.0.1:9201/api/v1/write --targets 200 --scrapes 20
//       --interval 15s --connections 8 --batch 2000 [--protocol v1|v2]
//       [--duration-limit 300s] [--pid SERVER_PID] [--settle 5s] [--json]
//   strata-loadgen --url http://127.0.0.1:9201/api/v1/write --stream FILE [--no-verify]
//       [--duration-limit 300s] [--pid SERVER_PID] [--settle 5s] [--json]
//
// Synthetic mode: the whole request stream is encoded first (encode.h), then
// replayed over keep-alive connections as fast as the receiver accepts
// (replay.h). With --stream, the requests come from a stream file
// (stream_file.h, written by `strata-querybench stream`), mapped and sent
// without copying: connection c sends window w's requests for c in order,
// and every connection finishes window w before any starts w + 1; the file
// fixes protocol, connections and batching. Its checksums are verified
// first (which also reads it into the page cache) unless --no-verify.
//
// With --pid, the receiver's CPU seconds during the replay (and, with
// --settle, including a quiet period after it, for receivers that finish
// work in the background) and its resident memory are read from /proc.
//
// --json prints one line on stdout; its fields are stable for scripts:
// samples, samples_ok, samples_dropped, samples_unsent, requests*,
// wall_seconds, samples_per_second, wire_bytes, raw_bytes, stream (the
// file, or ""), windows, and with --pid server_cpu_seconds,
// server_cpu_seconds_settled (and _per_million of both), server_rss_bytes,
// server_peak_rss_bytes.
//
// Exit status: 0 when every sample was acknowledged, 1 when some were
// dropped or not sent, 2 for bad flags.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <optional>
#include <string>
#include <thread>

#include "CLI/CLI.hpp"
#include "bench/loadgen/encode.h"
#include "bench/loadgen/replay.h"
#include "bench/loadgen/stream_file.h"
#include "bench/loadgen/util.h"
#include "fmt/chrono.h"
#include "fmt/format.h"

namespace strata::loadgen {
namespace {

struct Flags {
  std::string url;
  std::string stream;
  bool no_verify = false;
  int targets = 200;
  int scrapes = 20;
  std::string interval = "15s";
  int connections = 8;
  int batch = 2000;
  std::string protocol = "v1";
  std::string duration_limit = "300s";
  int pid = 0;
  std::string settle = "0s";
  bool json = false;
  bool quiet = false;
  uint64_t seed = 1;
  int64_t start_ms = 0;
  int max_attempts = 6;
  int encode_threads = 0;
};

// What the report says about the stream replayed: from the synthetic
// encoder or from a stream file's header.
struct StreamSummary {
  std::string file;  // "" for the synthetic stream
  std::string protocol;
  int targets = 0;
  int scrapes = 0;
  int64_t interval_ms = 0;
  int connections = 0;
  int batch = 0;
  int windows = 1;
  uint64_t requests = 0;
  uint64_t samples = 0;
  uint64_t series = 0;
  uint64_t raw_bytes = 0;
  uint64_t wire_bytes = 0;
};

struct ServerStats {
  bool measured = false;
  double cpu_seconds = 0;
  double cpu_seconds_settled = 0;  // including the settle period
  uint64_t rss_bytes = 0;
  uint64_t peak_rss_bytes = 0;
};

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string FormatTimeMs(int64_t ms) {
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", fmt::gmtime(static_cast<std::time_t>(ms / 1000)));
}

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\u{:04x}", static_cast<unsigned char>(c));
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string StatusName(int status) {
  return status < 0 ? "connection_error" : std::to_string(status);
}

double PerMillion(double seconds, uint64_t samples) {
  return samples == 0 ? 0 : seconds / (static_cast<double>(samples) / 1e6);
}

void PrintHuman(FILE* out, const Flags& flags, const StreamSummary& stream, const ReplayResult& r,
                const ServerStats& server, double loadgen_cpu) {
  auto line = [out](std::string_view key, const std::string& value) {
    fmt::print(out, "{:<18}{}\n", fmt::format("{}:", key), value);
  };
  line("requests", fmt::format("{} ok, {} dropped, {} unsent, {} retries (of {})", r.requests_ok,
                               r.requests_dropped, r.requests_unsent, r.retries, stream.requests));
  line("samples", fmt::format("{} ok, {} dropped, {} unsent (of {})", r.samples_ok,
                              r.samples_dropped, r.samples_unsent, stream.samples));
  std::string statuses;
  for (const auto& [status, count] : r.status_counts) {
    statuses += fmt::format("{}{} x {}", statuses.empty() ? "" : ", ", StatusName(status), count);
  }
  line("responses", statuses);
  if (stream.protocol == "v2") {
    line("v2 written count",
         fmt::format("header missing in {}, wrong in {} of {} answers", r.v2_written_header_missing,
                     r.v2_written_header_mismatch, r.requests_ok));
  }
  line("wall seconds", fmt::format("{:.3f}{}", r.wall_seconds,
                                   r.hit_duration_limit ? " (stopped by --duration-limit)" : ""));
  line("samples/s",
       fmt::format("{:.0f}", r.wall_seconds > 0 ? r.samples_ok / r.wall_seconds : 0.0));
  if (server.measured) {
    line("server cpu s", fmt::format("{:.2f} during the run; {:.2f} incl. {} settle",
                                     server.cpu_seconds, server.cpu_seconds_settled, flags.settle));
    line("server cpu s/M", fmt::format("{:.3f} during the run; {:.3f} incl. settle",
                                       PerMillion(server.cpu_seconds, r.samples_ok),
                                       PerMillion(server.cpu_seconds_settled, r.samples_ok)));
    line("server rss",
         fmt::format("{:.1f} MiB at end, {:.1f} MiB peak", server.rss_bytes / 1048576.0,
                     server.peak_rss_bytes / 1048576.0));
  }
  line("loadgen cpu s", fmt::format("{:.2f} during the run", loadgen_cpu));
  for (const std::string& e : r.error_examples) line("error example", e);
}

void PrintJson(const Flags& flags, const StreamSummary& stream, const ReplayResult& r,
               const ServerStats& server, double loadgen_cpu) {
  std::string statuses, examples;
  for (const auto& [status, count] : r.status_counts) {
    statuses += fmt::format("{}\"{}\":{}", statuses.empty() ? "" : ",", StatusName(status), count);
  }
  for (const std::string& e : r.error_examples) {
    examples += (examples.empty() ? "" : ",") + JsonString(e);
  }
  std::string out = fmt::format(
      "{{\"url\":{},\"protocol\":{},\"targets\":{},\"series\":{},\"scrapes\":{},"
      "\"interval_ms\":{},\"connections\":{},\"batch\":{},\"requests\":{},\"requests_ok\":{},"
      "\"requests_dropped\":{},\"requests_unsent\":{},\"retries\":{},\"samples\":{},"
      "\"samples_ok\":{},\"samples_dropped\":{},\"samples_unsent\":{},\"wire_bytes\":{},"
      "\"raw_bytes\":{},\"wall_seconds\":{:.4f},\"samples_per_second\":{:.1f},"
      "\"hit_duration_limit\":{},\"status_counts\":{{{}}},\"loadgen_cpu_seconds\":{:.3f},"
      "\"v2_written_header_missing\":{},\"v2_written_header_mismatch\":{},\"stream\":{},"
      "\"windows\":{}",
      JsonString(flags.url), JsonString(stream.protocol), stream.targets, stream.series,
      stream.scrapes, stream.interval_ms, stream.connections, stream.batch, stream.requests,
      r.requests_ok, r.requests_dropped, r.requests_unsent, r.retries, stream.samples, r.samples_ok,
      r.samples_dropped, r.samples_unsent, stream.wire_bytes, stream.raw_bytes, r.wall_seconds,
      r.wall_seconds > 0 ? r.samples_ok / r.wall_seconds : 0.0, r.hit_duration_limit, statuses,
      loadgen_cpu, r.v2_written_header_missing, r.v2_written_header_mismatch,
      JsonString(stream.file), stream.windows);
  if (server.measured) {
    out += fmt::format(
        ",\"server_pid\":{},\"server_cpu_seconds\":{:.3f},"
        "\"server_cpu_seconds_per_million\":{:.4f},\"server_cpu_seconds_settled\":{:.3f},"
        "\"server_cpu_seconds_per_million_settled\":{:.4f},\"server_rss_bytes\":{},"
        "\"server_peak_rss_bytes\":{}",
        flags.pid, server.cpu_seconds, PerMillion(server.cpu_seconds, r.samples_ok),
        server.cpu_seconds_settled, PerMillion(server.cpu_seconds_settled, r.samples_ok),
        server.rss_bytes, server.peak_rss_bytes);
  }
  out += fmt::format(",\"error_examples\":[{}]}}\n", examples);
  fmt::print("{}", out);
}

// Encodes the synthetic stream, describing it in *summary.
EncodedStream EncodeSynthetic(const Flags& flags, int64_t interval_ms, StreamSummary* summary) {
  EncodeOptions eo;
  eo.protocol = flags.protocol == "v2" ? Protocol::kV2 : Protocol::kV1;
  eo.targets = flags.targets;
  eo.scrapes = flags.scrapes;
  eo.interval_ms = interval_ms;
  // The whole stream lies in the recent past, ending about one interval
  // before now: receivers accept it (Prometheus refuses samples older than
  // its head's max time minus an hour, and future ones are suspicious).
  eo.start_ms = flags.start_ms != 0 ? flags.start_ms : NowMs() - (flags.scrapes + 1) * interval_ms;
  eo.batch = flags.batch;
  eo.connections = std::min(flags.connections, flags.targets);
  eo.seed = flags.seed;
  eo.threads = flags.encode_threads > 0
                   ? flags.encode_threads
                   : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (eo.connections < flags.connections && !flags.quiet) {
    fmt::print(stderr, "note: {} connections for {} targets (sharding is by target)\n",
               eo.connections, flags.targets);
  }

  auto encode_start = std::chrono::steady_clock::now();
  EncodedStream stream = EncodeStream(eo);
  double encode_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - encode_start).count();
  if (!flags.json || !flags.quiet) {
    FILE* out = flags.json ? stderr : stdout;
    fmt::print(out, "{:<18}{} {} targets ({} series) x {} scrapes every {}, {} connections\n",
               "stream:", flags.protocol, flags.targets, stream.series, flags.scrapes,
               flags.interval, eo.connections);
    fmt::print(out,
               "{:<18}{} requests, {} samples, {:.1f} MiB protobuf, {:.1f} MiB snappy "
               "({:.1f} KiB/request), {} .. {}, in {:.1f} s\n",
               "encoded:", stream.requests, stream.samples, stream.raw_bytes / 1048576.0,
               stream.compressed_bytes / 1048576.0,
               stream.compressed_bytes / 1024.0 / std::max<uint64_t>(1, stream.requests),
               FormatTimeMs(stream.min_timestamp_ms), FormatTimeMs(stream.max_timestamp_ms),
               encode_s);
    std::fflush(out);
  }
  summary->protocol = flags.protocol;
  summary->targets = flags.targets;
  summary->scrapes = flags.scrapes;
  summary->interval_ms = interval_ms;
  summary->connections = eo.connections;
  summary->batch = flags.batch;
  summary->requests = stream.requests;
  summary->samples = stream.samples;
  summary->series = stream.series;
  summary->raw_bytes = stream.raw_bytes;
  summary->wire_bytes = stream.compressed_bytes;
  return stream;
}

// Maps and checks the stream file, describing it in *summary; nullptr
// (after saying why) when it cannot be used.
std::unique_ptr<StreamFileReader> OpenStream(const Flags& flags, StreamSummary* summary) {
  auto start = std::chrono::steady_clock::now();
  absl::StatusOr<std::unique_ptr<StreamFileReader>> reader =
      StreamFileReader::Open(flags.stream, !flags.no_verify);
  if (!reader.ok()) {
    fmt::print(stderr, "--stream: {}\n", std::string(reader.status().message()));
    return nullptr;
  }
  const double open_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const StreamFileInfo& info = (*reader)->info();
  summary->file = flags.stream;
  summary->protocol = info.protocol == Protocol::kV1 ? "v1" : "v2";
  summary->targets = static_cast<int>(info.targets);
  summary->scrapes = static_cast<int>(info.scrapes);
  summary->interval_ms = info.interval_ms;
  summary->connections = info.connections;
  summary->batch = static_cast<int>(info.batch);
  summary->windows = static_cast<int>(info.windows);
  summary->requests = info.requests;
  summary->samples = info.samples;
  summary->series = info.series;
  summary->raw_bytes = info.raw_bytes;
  summary->wire_bytes = info.body_bytes;
  if (!flags.json || !flags.quiet) {
    FILE* out = flags.json ? stderr : stdout;
    fmt::print(out, "{:<18}{} ({:.1f} MiB): {}\n", "stream:", flags.stream,
               info.file_bytes / 1048576.0, info.description);
    fmt::print(out,
               "{:<18}{} {} windows x {} connections, {} requests, {} samples of {} series, "
               "{:.2f} bytes/sample, {} .. {}; {} in {:.1f} s\n",
               "contents:", summary->protocol, info.windows, info.connections, info.requests,
               info.samples, info.series,
               static_cast<double>(info.body_bytes) / std::max<uint64_t>(1, info.samples),
               FormatTimeMs(info.min_timestamp_ms), FormatTimeMs(info.max_timestamp_ms),
               flags.no_verify ? "checked" : "checked and verified", open_s);
    std::fflush(out);
  }
  return std::move(*reader);
}

int Run(const Flags& flags) {
  std::optional<Url> url = ParseUrl(flags.url);
  std::optional<int64_t> interval_ms = ParseDurationMs(flags.interval);
  std::optional<int64_t> limit_ms = ParseDurationMs(flags.duration_limit);
  std::optional<int64_t> settle_ms = ParseDurationMs(flags.settle);
  if (!url) return fmt::print(stderr, "bad --url {} (want http://HOST:PORT/PATH)\n", flags.url), 2;
  if (!interval_ms || *interval_ms < 10) {
    return fmt::print(stderr, "bad --interval {} (want e.g. 15s, at least 10ms)\n", flags.interval),
           2;
  }
  if (!limit_ms || *limit_ms < 1000) {
    return fmt::print(stderr, "bad --duration-limit {} (at least 1s)\n", flags.duration_limit), 2;
  }
  if (!settle_ms) return fmt::print(stderr, "bad --settle {}\n", flags.settle), 2;
  if (flags.pid > 0 && !ProcessCpuSeconds(flags.pid)) {
    return fmt::print(stderr, "--pid {}: no such process\n", flags.pid), 2;
  }

  // One of the two sources; `requests` views its bodies.
  StreamSummary summary;
  EncodedStream synthetic;
  std::unique_ptr<StreamFileReader> file;
  if (flags.stream.empty()) {
    synthetic = EncodeSynthetic(flags, *interval_ms, &summary);
  } else {
    file = OpenStream(flags, &summary);
    if (file == nullptr) return 2;
  }

  ReplayOptions ro;
  ro.host = url->host;
  ro.port = url->port;
  ro.path = url->path;
  ro.protocol = summary.protocol == "v2" ? Protocol::kV2 : Protocol::kV1;
  ro.max_attempts = std::max(1, flags.max_attempts);
  ro.duration_limit = std::chrono::seconds((*limit_ms + 999) / 1000);

  ServerStats server;
  std::optional<double> cpu_before = flags.pid > 0 ? ProcessCpuSeconds(flags.pid) : std::nullopt;
  const double self_before = SelfCpuSeconds();
  ProgressFn progress = nullptr;
  if (!flags.quiet) {
    progress = [](uint64_t samples, double elapsed) {
      fmt::print(stderr, "  {:6.1f} s: {} samples acknowledged ({:.0f}/s)\n", elapsed, samples,
                 samples / elapsed);
    };
  }
  const std::chrono::seconds progress_every(10);
  ReplayResult result = file != nullptr
                            ? ReplayWindows(file->requests(), ro, progress_every, progress)
                            : Replay(synthetic, ro, progress_every, progress);
  const double loadgen_cpu = SelfCpuSeconds() - self_before;

  if (cpu_before) {
    std::optional<double> cpu_after = ProcessCpuSeconds(flags.pid);
    if (*settle_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(*settle_ms));
    std::optional<double> cpu_settled = ProcessCpuSeconds(flags.pid);
    std::optional<ProcessMemory> memory = ReadProcessMemory(flags.pid);
    if (cpu_after && cpu_settled && memory) {
      server.measured = true;
      server.cpu_seconds = *cpu_after - *cpu_before;
      server.cpu_seconds_settled = *cpu_settled - *cpu_before;
      server.rss_bytes = memory->rss_bytes;
      server.peak_rss_bytes = memory->peak_bytes;
    } else {
      fmt::print(stderr, "--pid {}: the process went away during the run\n", flags.pid);
    }
  }

  // With --json, stdout carries only the JSON line; the human lines go to
  // stderr (unless --quiet) so a script can parse stdout as is.
  if (!flags.json) {
    PrintHuman(stdout, flags, summary, result, server, loadgen_cpu);
  } else {
    if (!flags.quiet) PrintHuman(stderr, flags, summary, result, server, loadgen_cpu);
    PrintJson(flags, summary, result, server, loadgen_cpu);
  }
  return result.samples_ok == summary.samples ? 0 : 1;
}

}  // namespace
}  // namespace strata::loadgen

int main(int argc, char** argv) {
  strata::loadgen::Flags flags;
  CLI::App app{"strata-loadgen: replays a pre-encoded remote-write stream against a receiver"};
  app.add_option("--url", flags.url, "Remote-write URL, http://127.0.0.1:PORT/api/v1/write")
      ->required();
  app.add_option("--targets", flags.targets, "Scrape targets, 1,000 series each")
      ->check(CLI::Range(1, 100'000))
      ->capture_default_str();
  app.add_option("--scrapes", flags.scrapes, "Scrapes per target")
      ->check(CLI::Range(1, 100'000))
      ->capture_default_str();
  app.add_option("--interval", flags.interval, "Scrape interval (15s, 500ms, 1m)")
      ->capture_default_str();
  app.add_option("--connections", flags.connections, "Concurrent keep-alive connections")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  app.add_option("--batch", flags.batch,
                 "Samples per request, rounded down to whole target scrapes (1,000 samples)")
      ->check(CLI::Range(1, 10'000'000))
      ->capture_default_str();
  app.add_option("--protocol", flags.protocol, "Remote-write protocol")
      ->check(CLI::IsMember({"v1", "v2"}))
      ->capture_default_str();
  app.add_option("--duration-limit", flags.duration_limit, "Stop starting requests after this long")
      ->capture_default_str();
  app.add_option("--pid", flags.pid, "Receiver's process id: report its CPU time and memory")
      ->check(CLI::PositiveNumber);
  app.add_option("--settle", flags.settle,
                 "With --pid: also report CPU including this long after the replay")
      ->capture_default_str();
  app.add_flag("--json", flags.json, "Print one JSON line with the results on stdout");
  app.add_flag("--quiet", flags.quiet, "No progress; with --json, only the JSON line");
  app.add_option("--seed", flags.seed, "Workload seed")->capture_default_str();
  app.add_option("--start-ms", flags.start_ms,
                 "Timestamp of the first scrape slot (default: now - (scrapes+1) * interval)");
  app.add_option("--max-attempts", flags.max_attempts,
                 "Attempts per request on 5xx and connection errors")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  app.add_option("--encode-threads", flags.encode_threads,
                 "Threads encoding the stream (default: all cores)");
  // The stream file fixes the workload, its sharding and its protocol.
  CLI::Option* stream =
      app.add_option("--stream", flags.stream,
                     "Replay this stream file (strata-querybench stream) instead of the "
                     "synthetic workload");
  for (const char* synthetic : {"--targets", "--scrapes", "--interval", "--connections", "--batch",
                                "--protocol", "--seed", "--start-ms", "--encode-threads"}) {
    stream->excludes(synthetic);
  }
  app.add_flag("--no-verify", flags.no_verify,
               "With --stream: skip the body checksums (the file is still bounds-checked)")
      ->needs(stream);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;  // --help is not an error
  }
  return strata::loadgen::Run(flags);
}
