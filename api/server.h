// HttpServer: Strata's HTTP front end. It serves
//
//   POST /api/v1/write                 remote write 1.0 / 2.0 (RemoteWriteHandler)
//   GET|POST /api/v1/series            GET|POST /api/v1/labels
//   GET /api/v1/label/<name>/values    GET /api/v1/metadata
//   GET /api/v1/status/buildinfo       GET /api/v1/status/tsdb
//   GET|POST /api/v1/query_exemplars   OPTIONS /api/v1/*  (204)
//   GET /-/healthy  /-/ready  /metrics  /
//
// with Prometheus's JSON envelope and status codes (api/metadata_api.h), 405
// for a known path with another method and 404 for unknown paths.
//
// Requests are checked before their body is read (httplib's pre-routing and
// Expect: 100-continue hooks), so an unacceptable body is never buffered:
//   * a body with Transfer-Encoding (chunked) gets 411 Length Required: every
//     Prometheus-compatible sender sets Content-Length, and httplib 0.11
//     reads chunked bodies without any size limit;
//   * a Content-Length over the limit gets 413 (remote write: the largest
//     snappy block that can decode to max_decoded_bytes; forms: 10 MiB, Go's
//     limit for urlencoded forms);
//   * on /api/v1/write, a Content-Encoding other than snappy (or none) gets
//     415, and on every other path any Content-Encoding but identity gets 415:
//     httplib would otherwise gunzip or brotli-decode the body transparently,
//     with no cap on the decoded size;
//   * a POST without Content-Length has an empty body (as in Go), instead of
//     httplib's read-until-close.
// After such a rejection the connection is closed (with a lingering close),
// since the unread body would otherwise be parsed as the next request.
//
// Connections: each keep-alive connection is served by one thread for its
// lifetime (threads are created on demand, up to max_connections; further
// connections wait for a free thread, as behind Prometheus's connection
// limit). Idle connections wait in poll() and are woken at shutdown.
//
// Shutdown: stops accepting, wakes idle connections, lets in-flight requests
// finish (a request whose body is still arriving after shutdown_grace has its
// connection shut down), then returns. Only after Shutdown returns may the DB
// be closed.
//
// Thread safety: Start and Shutdown may be called from any thread, Shutdown
// any number of times (and from the destructor). Lifetime: `db` and `logger`
// must outlive the server.
#ifndef STRATA_API_SERVER_H_
#define STRATA_API_SERVER_H_

#include <cstddef>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "api/query_api.h"
#include "tsdb/base/logger.h"
#include "tsdb/db.h"

namespace strata::api {

struct ServerOptions {
  // host:port; an empty host (":9201") listens on every IPv4 address;
  // "[::1]:9201" for IPv6; port 0 picks a free port (see HttpServer::port).
  std::string listen_address = ":9201";
  // Connections served at once (one thread each); more wait to be accepted.
  size_t max_connections = 512;
  // Longest wait for the next bytes of a request, and for the peer to
  // accept response bytes.
  absl::Duration read_timeout = absl::Minutes(1);
  absl::Duration write_timeout = absl::Minutes(1);
  // How long an idle keep-alive connection is kept. Longer than the idle
  // timeout of Prometheus's sender (5m), so the client closes first and never
  // sends a request into a connection the server is closing.
  absl::Duration idle_timeout = absl::Minutes(6);
  // Requests per connection before it is closed; 0 for no limit.
  size_t max_requests_per_connection = 0;
  // Snappy-decoded remote-write body limit; also bounds the raw body.
  size_t remote_write_max_decoded_bytes = 32 << 20;
  // Urlencoded form body limit (Go's net/http limit).
  size_t max_form_bytes = 10 << 20;
  // At shutdown, how long in-flight requests may take before their
  // connections are shut down.
  absl::Duration shutdown_grace = absl::Seconds(30);
  // PromQL engine limits and the number of queries evaluated at once.
  QueryApiOptions query;
  // Serve /api/v1/admin/* (snapshots); off: they answer 503.
  bool enable_admin_api = false;
  // The clock for the default `time` of instant queries; null: the real one.
  const Clock* clock = nullptr;
};

class HttpServer {
 public:
  HttpServer(DB* db, Logger* logger, ServerOptions options);
  ~HttpServer();  // Shutdown()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds the listen address and starts serving on a background thread.
  // InvalidArgument for a malformed address, Unavailable when it cannot be
  // bound. Call at most once.
  absl::Status Start();
  // The bound port (after a successful Start), e.g. when asked for port 0.
  int port() const;
  // Stops accepting, finishes in-flight requests and returns when no request
  // is being served any more. Idempotent.
  void Shutdown();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// Splits "host:port" (":9201" -> "0.0.0.0", "[::1]:80" -> "::1").
bool ParseListenAddress(const std::string& address, std::string* host, int* port);

}  // namespace strata::api

#endif  // STRATA_API_SERVER_H_
