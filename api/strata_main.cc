// strata: the server binary. Today it opens (and recovers) the database and
// serves health, readiness and self-monitoring endpoints; remote write and
// the query API arrive with their issues.
#include <atomic>
#include <csignal>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "CLI/CLI.hpp"
#include "fmt/format.h"
#include "api/self_metrics.h"
#include "httplib.h"
#include "tsdb/base/logger.h"
#include "tsdb/db.h"

namespace {

std::atomic<httplib::Server*> g_server{nullptr};

void HandleSignal(int) {
  // Only async-signal-safe work here: stop() closes the listening socket.
  if (httplib::Server* s = g_server.load()) s->stop();
}

// ":9201" -> ("0.0.0.0", 9201); "127.0.0.1:9201" -> ("127.0.0.1", 9201).
bool ParseListenAddress(const std::string& addr, std::string* host, int* port) {
  size_t colon = addr.rfind(':');
  if (colon == std::string::npos) return false;
  *host = addr.substr(0, colon);
  if (host->empty()) *host = "0.0.0.0";
  if (host->size() > 2 && host->front() == '[' && host->back() == ']') {
    *host = host->substr(1, host->size() - 2);
  }
  try {
    *port = std::stoi(addr.substr(colon + 1));
  } catch (...) {
    return false;
  }
  return *port > 0 && *port < 65536;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"strata: a long-term store for Prometheus metrics"};
  std::string listen_address = ":9201";
  std::string storage_path = "./data";
  std::string wal_sync = "always";
  double wal_sync_interval_s = 1.0;
  std::string log_level = "info";
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
  app.add_option("--log.level", log_level, "debug, info, warn or error")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}))
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }

  strata::LogLevel level = log_level == "debug"  ? strata::LogLevel::kDebug
                           : log_level == "warn" ? strata::LogLevel::kWarn
                           : log_level == "error" ? strata::LogLevel::kError
                                                  : strata::LogLevel::kInfo;
  strata::StderrLogger logger(level);

  std::string host;
  int port = 0;
  if (!ParseListenAddress(listen_address, &host, &port)) {
    std::fprintf(stderr, "strata: invalid --listen-address %s (want host:port)\n",
                 listen_address.c_str());
    return 2;
  }

  strata::DBOptions options;
  options.logger = &logger;
  options.wal.sync_policy =
      wal_sync == "always" ? strata::wal::SyncPolicy::kAlways : strata::wal::SyncPolicy::kInterval;
  options.wal.sync_interval = absl::Seconds(wal_sync_interval_s);
  auto db = strata::DB::Open(storage_path, options);
  if (!db.ok()) {
    logger.Log(strata::LogLevel::kError, "main", "cannot open database",
               fmt::format("err={}", strata::LogfmtValue(db.status().ToString())));
    return 1;
  }

  httplib::Server server;
  server.new_task_queue = [] { return new httplib::ThreadPool(16); };
  strata::SelfMetrics metrics(db->get());
  server.Get("/-/healthy", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("Strata is Healthy.\n", "text/plain; charset=utf-8");
  });
  server.Get("/-/ready", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("Strata is Ready.\n", "text/plain; charset=utf-8");
  });
  server.Get("/metrics", [&metrics](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics.Render(), "text/plain; version=0.0.4; charset=utf-8");
  });
  server.Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(
        "Strata: a long-term store for Prometheus metrics.\n"
        "Endpoints: /-/healthy /-/ready /metrics\n",
        "text/plain; charset=utf-8");
  });

  g_server.store(&server);
  std::signal(SIGTERM, HandleSignal);
  std::signal(SIGINT, HandleSignal);
  if (!server.bind_to_port(host, port)) {
    logger.Log(strata::LogLevel::kError, "main", "cannot listen",
               fmt::format("address={}", listen_address));
    return 1;
  }
  logger.Log(strata::LogLevel::kInfo, "main", "listening",
             fmt::format("address={} storage_path={} wal_sync={}", listen_address,
                             strata::LogfmtValue(storage_path), wal_sync));
  server.listen_after_bind();  // returns after stop()
  g_server.store(nullptr);

  logger.Log(strata::LogLevel::kInfo, "main", "shutting down", "");
  absl::Status st = (*db)->Close();
  if (!st.ok()) {
    logger.Log(strata::LogLevel::kError, "main", "close failed",
               fmt::format("err={}", strata::LogfmtValue(st.ToString())));
    return 1;
  }
  return 0;
}
