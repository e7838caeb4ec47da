// strata: the server binary. Opens (and recovers) the database, then serves
// remote write, the Prometheus metadata API and self-monitoring over HTTP
// (api/server.h) until SIGTERM or SIGINT.
//
// Shutdown: the first SIGTERM/SIGINT stops accepting connections, lets
// in-flight requests finish (every request that was answered 2xx is in the
// WAL), then closes the database cleanly. A second signal during shutdown
// exits at once.
//
// Exit status: 0 after a clean shutdown, 1 when the database cannot be
// opened or closed or the address cannot be bound, 2 for bad flags.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <tuple>

#include "CLI/CLI.hpp"
#include "api/server.h"
#include "api/startup_server.h"
#include "fmt/format.h"
#include "promql/strconv.h"
#include "tsdb/base/logger.h"
#include "tsdb/db.h"

namespace {

strata::LogLevel ParseLogLevel(const std::string& s) {
  if (s == "debug") return strata::LogLevel::kDebug;
  if (s == "warn") return strata::LogLevel::kWarn;
  if (s == "error") return strata::LogLevel::kError;
  return strata::LogLevel::kInfo;
}

// Blocks SIGTERM and SIGINT in this thread and in every thread it creates
// afterwards, so they are only ever received by sigwait in main: no
// async-signal-safety concerns, and shutdown runs as ordinary code.
sigset_t BlockTerminationSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"strata: a long-term store for Prometheus metrics"};
  std::string listen_address = ":9201";
  std::string storage_path = "./data";
  std::string wal_sync = "always";
  double wal_sync_interval_s = 1.0;
  size_t max_decoded_bytes = 32 << 20;
  size_t max_connections = 512;
  std::string log_level = "info";
  std::string retention_time = "15d";
  size_t retention_size = 0;
  std::string block_range = "2h";
  bool enable_admin_api = false;
  std::string query_timeout = "2m";
  std::string query_lookback = "5m";
  int64_t query_max_samples = 50'000'000;
  int query_max_concurrency = 20;
  app.add_option("--listen-address", listen_address, "Address to listen on for HTTP")
      ->capture_default_str();
  app.add_option("--storage.path", storage_path, "Data directory")->capture_default_str();
  app.add_option("--storage.wal-sync", wal_sync,
                 "WAL fsync policy: 'always' (fsync before acknowledging, group commit) or "
                 "'interval' (fsync every --storage.wal-sync-interval)")
      ->check(CLI::IsMember({"always", "interval"}))
      ->capture_default_str();
  app.add_option("--storage.wal-sync-interval", wal_sync_interval_s,
                 "Seconds between fsyncs under --storage.wal-sync=interval")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--retention.time", retention_time,
                 "Delete blocks whose data is older than this (measured from the newest "
                 "sample); 0 keeps data forever")
      ->capture_default_str();
  app.add_option("--retention.size", retention_size,
                 "Delete the oldest blocks while blocks and WAL take more than this (bytes, or "
                 "with a unit: 500GiB); 0 for no limit")
      ->transform(CLI::AsSizeValue(false))
      ->capture_default_str();
  app.add_option("--storage.block-range", block_range,
                 "Time range of the blocks cut from the head; larger blocks are compacted from "
                 "these")
      ->capture_default_str();
  app.add_flag("--web.enable-admin-api", enable_admin_api,
               "Serve /api/v1/admin/tsdb/snapshot (off: 503)");
  app.add_option("--remote-write.max-decoded-bytes", max_decoded_bytes,
                 "Largest remote-write request body after snappy decoding (bytes, or with a "
                 "unit: 64MiB); larger requests get 413")
      ->transform(CLI::AsSizeValue(false))
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--web.max-connections", max_connections,
                 "Maximum number of simultaneous HTTP connections (one thread each)")
      ->check(CLI::Range(size_t{1}, size_t{65536}))
      ->capture_default_str();
  app.add_option("--query.timeout", query_timeout, "Longest a query may take before it is aborted")
      ->capture_default_str();
  app.add_option("--query.lookback-delta", query_lookback,
                 "How far back an instant selector looks for a sample")
      ->capture_default_str();
  app.add_option("--query.max-samples", query_max_samples,
                 "Most samples a single query may hold in memory at once")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--query.max-concurrency", query_max_concurrency,
                 "Queries evaluated at once; more wait in a queue")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  app.add_option("--log.level", log_level, "debug, info, warn or error")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}))
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }

  strata::StderrLogger logger(ParseLogLevel(log_level));
  strata::api::ServerOptions server_options;
  server_options.listen_address = listen_address;
  server_options.max_connections = max_connections;
  server_options.remote_write_max_decoded_bytes = max_decoded_bytes;
  for (auto [flag, text, out] :
       {std::tuple{"--query.timeout", &query_timeout, &server_options.query.engine.timeout},
        std::tuple{"--query.lookback-delta", &query_lookback,
                   &server_options.query.engine.lookback_delta}}) {
    absl::StatusOr<absl::Duration> d = strata::promql::ParseDuration(*text);
    if (!d.ok() || *d <= absl::ZeroDuration()) {
      std::fprintf(stderr, "strata: invalid %s %s (want a duration such as 2m)\n", flag,
                   text->c_str());
      return 2;
    }
    *out = *d;
  }
  absl::Duration retention = absl::ZeroDuration();
  absl::Duration block_range_d = absl::ZeroDuration();
  if (retention_time != "0") {
    absl::StatusOr<absl::Duration> d = strata::promql::ParseDuration(retention_time);
    if (!d.ok() || *d < absl::ZeroDuration()) {
      std::fprintf(stderr, "strata: invalid --retention.time %s (want a duration such as 15d)\n",
                   retention_time.c_str());
      return 2;
    }
    retention = *d;
  }
  {
    absl::StatusOr<absl::Duration> d = strata::promql::ParseDuration(block_range);
    if (!d.ok() || *d < absl::Minutes(1) || *d > absl::Hours(24 * 31)) {
      std::fprintf(stderr,
                   "strata: invalid --storage.block-range %s (want a duration from 1m to 31d)\n",
                   block_range.c_str());
      return 2;
    }
    block_range_d = *d;
  }
  server_options.enable_admin_api = enable_admin_api;
  server_options.query.engine.max_samples = query_max_samples;
  server_options.query.max_concurrency = query_max_concurrency;
  {
    std::string host;
    int port = 0;
    if (!strata::api::ParseListenAddress(listen_address, &host, &port)) {
      std::fprintf(stderr, "strata: invalid --listen-address %s (want host:port)\n",
                   listen_address.c_str());
      return 2;
    }
  }

  sigset_t signals = BlockTerminationSignals();

  // Until the database is open (WAL replay can take minutes), answer as a
  // live but not ready server.
  strata::api::StartupServer startup(listen_address);
  if (absl::Status st = startup.Start(); !st.ok()) {
    logger.Log(strata::LogLevel::kError, "main", "cannot listen",
               fmt::format("address={} err={}", strata::LogfmtValue(listen_address),
                           strata::LogfmtValue(st.ToString())));
    return 1;
  }

  strata::DBOptions options;
  options.logger = &logger;
  options.wal.sync_policy =
      wal_sync == "always" ? strata::wal::SyncPolicy::kAlways : strata::wal::SyncPolicy::kInterval;
  options.wal.sync_interval = absl::Seconds(wal_sync_interval_s);
  options.retention_ms = absl::ToInt64Milliseconds(retention);
  options.retention_bytes = retention_size;
  options.block_range_ms = absl::ToInt64Milliseconds(block_range_d);
  auto db = strata::DB::Open(storage_path, options);
  if (!db.ok()) {
    logger.Log(strata::LogLevel::kError, "main", "cannot open database",
               fmt::format("err={}", strata::LogfmtValue(db.status().ToString())));
    return 1;
  }

  startup.Stop();
  auto server = std::make_unique<strata::api::HttpServer>(db->get(), &logger, server_options);
  if (absl::Status st = server->Start(); !st.ok()) {
    logger.Log(strata::LogLevel::kError, "main", "cannot listen",
               fmt::format("address={} err={}", strata::LogfmtValue(listen_address),
                           strata::LogfmtValue(st.ToString())));
    return 1;
  }
  logger.Log(strata::LogLevel::kInfo, "main", "listening",
             fmt::format("address={} port={} storage_path={} wal_sync={} max_connections={} "
                         "retention_time={} retention_size={} admin_api={}",
                         strata::LogfmtValue(listen_address), server->port(),
                         strata::LogfmtValue(storage_path), wal_sync, max_connections,
                         retention_time, retention_size, enable_admin_api));

  int sig = 0;
  sigwait(&signals, &sig);
  logger.Log(strata::LogLevel::kInfo, "main", "shutting down",
             fmt::format("signal={}", sig == SIGTERM ? "SIGTERM" : "SIGINT"));
  // A second signal while draining means "now".
  std::thread([signals] {
    int again = 0;
    sigwait(&signals, &again);
    static constexpr char kMsg[] = "strata: second signal, exiting without clean shutdown\n";
    (void)!write(STDERR_FILENO, kMsg, sizeof kMsg - 1);
    _exit(1);
  }).detach();

  server->Shutdown();
  logger.Log(strata::LogLevel::kInfo, "main", "http server stopped", "");
  server.reset();
  absl::Status st = (*db)->Close();
  if (!st.ok()) {
    logger.Log(strata::LogLevel::kError, "main", "close failed",
               fmt::format("err={}", strata::LogfmtValue(st.ToString())));
    return 1;
  }
  logger.Log(strata::LogLevel::kInfo, "main", "database closed", "");
  return 0;
}
