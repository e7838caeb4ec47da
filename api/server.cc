#include "api/server.h"

#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>
#include <set>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/time/clock.h"
#include "api/admin_api.h"
#include "api/http_transport.h"
#include "api/http_util.h"
#include "api/metadata_api.h"
#include "api/remote_write.h"
#include "api/self_metrics.h"
#include "fmt/format.h"
#include "httplib.h"
#include "snappy.h"
#include "tsdb/base/mutex.h"

namespace strata::api {
namespace {

using Clock = std::chrono::steady_clock;

// Set by a handler that leaves (part of) the request body unread: the
// connection must close after this response. Per thread, because a
// connection is served by one thread from its first request to its last.
thread_local bool t_close_connection = false;
// When the current request's first bytes arrived, for the latency metric.
thread_local Clock::time_point t_request_start;

void CloseAfterResponse(httplib::Response* res) {
  t_close_connection = true;
  res->set_header("Connection", "close");
}

int ToMillis(absl::Duration d) {
  return static_cast<int>(std::min<int64_t>(absl::ToInt64Milliseconds(d), INT32_MAX));
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string LowerTrimmed(std::string_view s) {
  std::string out(Trim(s));
  for (char& c : out) c = absl::ascii_tolower(static_cast<unsigned char>(c));
  return out;
}

bool IsLabelValuesPath(std::string_view path, std::string* name) {
  constexpr std::string_view kPrefix = "/api/v1/label/", kSuffix = "/values";
  if (path.size() <= kPrefix.size() + kSuffix.size() || !path.starts_with(kPrefix) ||
      !path.ends_with(kSuffix)) {
    return false;
  }
  std::string_view middle =
      path.substr(kPrefix.size(), path.size() - kPrefix.size() - kSuffix.size());
  if (middle.find('/') != std::string_view::npos) return false;
  if (name != nullptr) *name = std::string(middle);
  return true;
}

// Active connection sockets, so a stuck shutdown can cut them.
class ActiveConnections {
 public:
  void Add(int fd) {
    MutexLock lock(&mu_);
    fds_.insert(fd);
  }
  // Call before closing `fd`, so ShutdownAll never touches a reused number.
  void Remove(int fd) {
    MutexLock lock(&mu_);
    fds_.erase(fd);
  }
  void ShutdownAll() {
    MutexLock lock(&mu_);
    for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);
  }

 private:
  Mutex mu_;
  std::set<int> fds_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

bool ParseListenAddress(const std::string& address, std::string* host, int* port) {
  size_t colon = address.rfind(':');
  if (colon == std::string::npos) return false;
  *host = address.substr(0, colon);
  if (host->empty()) *host = "0.0.0.0";
  if (host->size() > 2 && host->front() == '[' && host->back() == ']') {
    *host = host->substr(1, host->size() - 2);
  }
  std::string_view p = std::string_view(address).substr(colon + 1);
  if (p.empty() || p.size() > 5) return false;
  int v = 0;
  for (char c : p) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *port = v;
  return v < 65536;
}

class HttpServer::Impl {
 public:
  Impl(DB* db, Logger* logger, ServerOptions options);
  ~Impl() {
    Shutdown();
    if (wake_fd_ >= 0) ::close(wake_fd_);
  }

  absl::Status Start();
  void Shutdown();
  int port() const { return port_; }

 private:
  enum class PostMode { kNone, kForm, kRemoteWrite };
  using Handler = std::function<void(const ApiRequest&, httplib::Response*)>;
  struct Route {
    std::string path;   // exact path; empty for /api/v1/label/:name/values
    std::string label;  // the metrics label
    bool get = false;
    PostMode post = PostMode::kNone;
    bool json = false;  // errors in Prometheus's JSON envelope
    Handler handler;
  };

  // httplib's server with Strata's connection loop (see http_transport.h).
  // Overrides a private virtual of httplib::Server, which C++ allows.
  class Core final : public httplib::Server {
   public:
    explicit Core(Impl* owner) : owner_(owner) {}
    // httplib listens with a backlog of 5; a burst of senders connecting at
    // once needs more. listen() on a listening socket updates the backlog.
    void RaiseBacklog() { ::listen(svr_sock_, SOMAXCONN); }

   private:
    // One connection, from its first request to its last.
    bool process_and_close_socket(socket_t sock) override;
    Impl* const owner_;
  };

  void AddRoutes();
  const Route* FindRoute(std::string_view path, std::string* name) const;
  std::string_view RouteLabel(std::string_view path) const;
  // Decides, from the headers alone, whether a request may proceed; if not,
  // sets the response. Used before routing and for Expect: 100-continue.
  bool Admit(const httplib::Request& req, httplib::Response& res);
  void Reject(const Route* route, int status, std::string_view message, httplib::Response* res);
  // Serves a GET/HEAD request for `route` (no body).
  void ServeGet(const Route& route, std::string name, const httplib::Request& req,
                httplib::Response* res);
  void ServePost(const httplib::Request& req, httplib::Response& res,
                 const httplib::ContentReader& reader);
  // Reads the declared body into *body; false (response set) if it could
  // not be read completely.
  bool ReadBody(const httplib::Request& req, const httplib::ContentReader& reader, size_t limit,
                std::string* body, httplib::Response* res);
  void ServeRemoteWrite(const httplib::Request& req, std::string_view body, httplib::Response* res);

  NullLogger null_logger_;
  Logger* const logger_;
  const ServerOptions options_;
  const size_t write_body_limit_;
  RemoteWriteHandler remote_write_;
  MetadataApi metadata_api_;
  AdminApi admin_api_;
  RealClock real_clock_;
  QueryApi query_api_;
  SelfMetrics metrics_;
  std::vector<Route> routes_;
  Core core_;
  ActiveConnections active_;
  int wake_fd_ = -1;  // eventfd, readable once shutdown began
  std::atomic<bool> stopping_{false};
  std::atomic<bool> ready_{false};
  std::atomic<bool> listen_returned_{false};
  int port_ = 0;
  Mutex lifecycle_mu_;
  bool started_ ABSL_GUARDED_BY(lifecycle_mu_) = false;
  bool shut_down_ ABSL_GUARDED_BY(lifecycle_mu_) = false;
  std::thread serve_thread_ ABSL_GUARDED_BY(lifecycle_mu_);
};

HttpServer::Impl::Impl(DB* db, Logger* logger, ServerOptions options)
    : logger_(logger != nullptr ? logger : &null_logger_),
      options_(std::move(options)),
      write_body_limit_(snappy::MaxCompressedLength(options_.remote_write_max_decoded_bytes)),
      remote_write_(
          db, RemoteWriteOptions{.max_decoded_bytes = options_.remote_write_max_decoded_bytes}),
      metadata_api_(db, CompiledBuildInfo()),
      admin_api_(db, logger_, options_.enable_admin_api),
      query_api_(db, options_.clock != nullptr ? options_.clock : &real_clock_, options_.query),
      metrics_(db, &remote_write_, &query_api_),
      core_(this) {
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  AddRoutes();
  size_t max_connections = std::max<size_t>(options_.max_connections, 1);
  core_.new_task_queue = [this, max_connections] {
    return new ConnectionPool(max_connections, &stopping_);
  };
  core_.set_socket_options([](socket_t sock) {
    // SO_REUSEADDR only: httplib's default also sets SO_REUSEPORT, which
    // would let a second server on the same port silently share traffic.
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  core_.set_payload_max_length(std::max(write_body_limit_, options_.max_form_bytes));
  core_.set_keep_alive_timeout(absl::ToInt64Seconds(options_.idle_timeout));
  core_.set_keep_alive_max_count(
      options_.max_requests_per_connection > 0 ? options_.max_requests_per_connection : 1000000);
  core_.set_tcp_nodelay(true);
  core_.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (!Admit(req, res)) return httplib::Server::HandlerResponse::Handled;
    if (req.method == "POST") return httplib::Server::HandlerResponse::Unhandled;
    std::string name;
    const Route* route = FindRoute(req.path, &name);  // Admit found it
    ServeGet(*route, std::move(name), req, &res);
    return httplib::Server::HandlerResponse::Handled;
  });
  core_.set_expect_100_continue_handler(
      [this](const httplib::Request& req, httplib::Response& res) {
        return Admit(req, res) ? 100 : res.status;
      });
  // Runs for every response just before it is sent, so a client that got
  // its response also sees it counted.
  core_.set_post_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (stopping_.load(std::memory_order_relaxed)) res.set_header("Connection", "close");
    double seconds = std::chrono::duration<double>(Clock::now() - t_request_start).count();
    metrics_.ObserveHttpRequest(RouteLabel(req.path), res.status, seconds);
  });
  // GET requests are served from the pre-routing hook; POSTs need httplib's
  // content reader, which only a registered route receives.
  for (const Route& r : routes_) {
    if (r.post == PostMode::kNone) continue;
    core_.Post(r.path,
               [this](const httplib::Request& req, httplib::Response& res,
                      const httplib::ContentReader& reader) { ServePost(req, res, reader); });
  }
}

void HttpServer::Impl::AddRoutes() {
  auto api = [this](void (MetadataApi::*fn)(const ApiRequest&, httplib::Response*)) {
    return [this, fn](const ApiRequest& r, httplib::Response* res) { (metadata_api_.*fn)(r, res); };
  };
  auto query = [this](void (QueryApi::*fn)(const ApiRequest&, httplib::Response*)) {
    return [this, fn](const ApiRequest& r, httplib::Response* res) { (query_api_.*fn)(r, res); };
  };
  routes_ = {
      {"/api/v1/write", "/api/v1/write", false, PostMode::kRemoteWrite, false, nullptr},
      {"/api/v1/query", "/api/v1/query", true, PostMode::kForm, true, query(&QueryApi::Query)},
      {"/api/v1/query_range", "/api/v1/query_range", true, PostMode::kForm, true,
       query(&QueryApi::QueryRange)},
      {"/api/v1/format_query", "/api/v1/format_query", true, PostMode::kForm, true,
       query(&QueryApi::FormatQuery)},
      {"/api/v1/parse_query", "/api/v1/parse_query", true, PostMode::kForm, true,
       query(&QueryApi::ParseQuery)},
      {"/api/v1/series", "/api/v1/series", true, PostMode::kForm, true, api(&MetadataApi::Series)},
      {"/api/v1/labels", "/api/v1/labels", true, PostMode::kForm, true,
       api(&MetadataApi::LabelNames)},
      {"", "/api/v1/label/:name/values", true, PostMode::kNone, true,
       api(&MetadataApi::LabelValues)},
      {"/api/v1/metadata", "/api/v1/metadata", true, PostMode::kNone, true,
       api(&MetadataApi::Metadata)},
      {"/api/v1/status/buildinfo", "/api/v1/status/buildinfo", true, PostMode::kNone, true,
       api(&MetadataApi::ServeBuildInfo)},
      {"/api/v1/status/tsdb", "/api/v1/status/tsdb", true, PostMode::kNone, true,
       api(&MetadataApi::TsdbStatus)},
      {"/api/v1/query_exemplars", "/api/v1/query_exemplars", true, PostMode::kForm, true,
       api(&MetadataApi::QueryExemplars)},
      {"/api/v1/admin/tsdb/snapshot", "/api/v1/admin/tsdb/snapshot", false, PostMode::kForm, true,
       [this](const ApiRequest& r, httplib::Response* res) { admin_api_.Snapshot(r, res); }},
      {"/-/healthy", "/-/healthy", true, PostMode::kNone, false,
       [](const ApiRequest&, httplib::Response* res) {
         res->set_content("Strata is Healthy.\n", "text/plain; charset=utf-8");
       }},
      {"/-/ready", "/-/ready", true, PostMode::kNone, false,
       [this](const ApiRequest&, httplib::Response* res) {
         if (ready_.load()) {
           res->set_content("Strata is Ready.\n", "text/plain; charset=utf-8");
         } else {
           RespondText(res, 503, "Service Unavailable");
         }
       }},
      {"/metrics", "/metrics", true, PostMode::kNone, false,
       [this](const ApiRequest&, httplib::Response* res) {
         res->set_content(metrics_.Render(), "text/plain; version=0.0.4; charset=utf-8");
       }},
      {"/", "/", true, PostMode::kNone, false,
       [](const ApiRequest&, httplib::Response* res) {
         res->set_content(
             "Strata: a long-term store for Prometheus metrics.\n"
             "Remote write: POST /api/v1/write\n"
             "PromQL: /api/v1/query /api/v1/query_range /api/v1/format_query "
             "/api/v1/parse_query\n"
             "Prometheus API: /api/v1/series /api/v1/labels /api/v1/label/<name>/values "
             "/api/v1/metadata /api/v1/status/buildinfo /api/v1/status/tsdb\n"
             "Admin (--web.enable-admin-api): POST /api/v1/admin/tsdb/snapshot\n"
             "Operations: /-/healthy /-/ready /metrics\n",
             "text/plain; charset=utf-8");
       }},
  };
}

const HttpServer::Impl::Route* HttpServer::Impl::FindRoute(std::string_view path,
                                                           std::string* name) const {
  for (const Route& r : routes_) {
    if (r.path.empty() ? IsLabelValuesPath(path, name) : r.path == path) return &r;
  }
  return nullptr;
}

std::string_view HttpServer::Impl::RouteLabel(std::string_view path) const {
  const Route* r = FindRoute(path, nullptr);
  return r != nullptr ? std::string_view(r->label) : std::string_view("other");
}

void HttpServer::Impl::Reject(const Route* route, int status, std::string_view message,
                              httplib::Response* res) {
  if (route != nullptr && route->json) {
    RespondApiError(res, ApiErrorType::kBadData, message);
    res->status = status;
  } else {
    RespondText(res, status, message);
  }
}

bool HttpServer::Impl::Admit(const httplib::Request& req, httplib::Response& res) {
  const bool chunked = req.has_header("Transfer-Encoding");
  const std::string length_header = req.get_header_value("Content-Length");
  const bool has_body = chunked || (!length_header.empty() && length_header != "0");
  const bool is_post = req.method == "POST";
  // Leaves the unread body behind: the connection must not be reused.
  auto reject = [&](const Route* route, int status, std::string_view message) {
    Reject(route, status, message, &res);
    if (has_body) CloseAfterResponse(&res);
    return false;
  };

  if (req.method == "OPTIONS" && req.path.starts_with("/api/v1/")) {
    res.status = 204;
    if (has_body) CloseAfterResponse(&res);
    return false;
  }
  const Route* route = FindRoute(req.path, nullptr);
  if (route == nullptr) return reject(nullptr, 404, "404 page not found");
  bool allowed = ((req.method == "GET" || req.method == "HEAD") && route->get) ||
                 (is_post && route->post != PostMode::kNone);
  if (!allowed) {
    std::string allow = route->get ? "GET, HEAD" : "";
    if (route->post != PostMode::kNone) allow += allow.empty() ? "POST" : ", POST";
    res.set_header("Allow", allow);
    return reject(nullptr, 405, "Method Not Allowed");
  }
  if (!is_post) {
    // GET bodies are ignored and never read.
    if (has_body) CloseAfterResponse(&res);
    return true;
  }
  if (chunked) {
    return reject(route, 411,
                  fmt::format("Transfer-Encoding {} is not supported: send a Content-Length",
                              req.get_header_value("Transfer-Encoding")));
  }
  size_t length = 0;
  if (!length_header.empty()) {
    absl::StatusOr<int64_t> n = ParseGoInt(length_header);
    if (!n.ok() || *n < 0) return reject(route, 400, "invalid Content-Length");
    length = static_cast<size_t>(*n);
  }
  // httplib's content reader cannot hand multipart bodies over as bytes.
  if (LowerTrimmed(req.get_header_value("Content-Type")).starts_with("multipart/")) {
    return reject(route, 415,
                  "multipart request bodies are not supported; use "
                  "application/x-www-form-urlencoded");
  }
  bool write = route->post == PostMode::kRemoteWrite;
  size_t limit = write ? write_body_limit_ : options_.max_form_bytes;
  if (length > limit) {
    return reject(
        route, 413,
        fmt::format("request body of {} bytes exceeds the limit of {} bytes", length, limit));
  }
  std::string encoding = LowerTrimmed(req.get_header_value("Content-Encoding"));
  if (write && !encoding.empty() && encoding != "snappy") {
    return reject(route, 415,
                  fmt::format("{} encoding (compression) is not accepted by this server; only "
                              "snappy is acceptable",
                              req.get_header_value("Content-Encoding")));
  }
  if (!write && !encoding.empty() && encoding != "identity") {
    return reject(route, 415,
                  fmt::format("Content-Encoding {} is not supported",
                              req.get_header_value("Content-Encoding")));
  }
  return true;
}

void HttpServer::Impl::ServeGet(const Route& route, std::string name, const httplib::Request& req,
                                httplib::Response* res) {
  ApiRequest api_req;
  api_req.http = &req;
  api_req.path_name = std::move(name);
  size_t q = req.target.find('?');
  if (q != std::string::npos) {
    api_req.form_error = ParseUrlEncoded(std::string_view(req.target).substr(q + 1), &api_req.form);
  }
  route.handler(api_req, res);
}

bool HttpServer::Impl::ReadBody(const httplib::Request& req, const httplib::ContentReader& reader,
                                size_t limit, std::string* body, httplib::Response* res) {
  // Admit guaranteed a Content-Length within the limit (or none: an empty
  // body, which must not be read, or httplib would read until EOF).
  absl::StatusOr<int64_t> length = ParseGoInt(req.get_header_value("Content-Length"));
  if (!length.ok() || *length <= 0) return true;
  body->reserve(std::min<size_t>(static_cast<size_t>(*length), limit));
  bool complete = reader([&](const char* data, size_t n) {
    if (body->size() + n > limit) return false;
    body->append(data, n);
    return true;
  });
  if (!complete) {
    RespondText(res, 400, "failed to read the request body");
    CloseAfterResponse(res);
  }
  return complete;
}

void HttpServer::Impl::ServePost(const httplib::Request& req, httplib::Response& res,
                                 const httplib::ContentReader& reader) {
  std::string name;
  const Route* route = FindRoute(req.path, &name);
  if (route == nullptr) return RespondText(&res, 404, "404 page not found");  // Admit checked
  bool write = route->post == PostMode::kRemoteWrite;
  std::string body;
  if (!ReadBody(req, reader, write ? write_body_limit_ : options_.max_form_bytes, &body, &res)) {
    return;
  }
  if (write) return ServeRemoteWrite(req, body, &res);

  ApiRequest api_req;
  api_req.http = &req;
  api_req.path_name = std::move(name);
  // Go parses a POST body as a form only for this media type.
  std::string type = req.get_header_value("Content-Type");
  type = LowerTrimmed(std::string_view(type).substr(0, type.find(';')));
  if (type == "application/x-www-form-urlencoded") {
    api_req.form_error = ParseUrlEncoded(body, &api_req.form);
  }
  size_t q = req.target.find('?');
  if (q != std::string::npos) {
    absl::Status st = ParseUrlEncoded(std::string_view(req.target).substr(q + 1), &api_req.form);
    if (api_req.form_error.ok()) api_req.form_error = st;
  }
  route->handler(api_req, &res);
}

void HttpServer::Impl::ServeRemoteWrite(const httplib::Request& req, std::string_view body,
                                        httplib::Response* res) {
  RemoteWriteResponse r = remote_write_.Handle(req.get_header_value("Content-Type"),
                                               req.get_header_value("Content-Encoding"), body);
  if (r.v2) {
    res->set_header("X-Prometheus-Remote-Write-Samples-Written", std::to_string(r.samples_written));
    res->set_header("X-Prometheus-Remote-Write-Histograms-Written",
                    std::to_string(r.histograms_written));
    res->set_header("X-Prometheus-Remote-Write-Exemplars-Written",
                    std::to_string(r.exemplars_written));
  }
  if (r.status >= 500) {
    logger_->Log(LogLevel::kWarn, "http", "remote write failed",
                 fmt::format("status={} err={}", r.status, LogfmtValue(r.message)));
  } else if (r.status >= 400) {
    logger_->Log(LogLevel::kDebug, "http", "remote write refused",
                 fmt::format("status={} err={}", r.status, LogfmtValue(r.message)));
  }
  if (r.message.empty() || r.status == 204) {
    res->status = r.status;
  } else {
    RespondText(res, r.status, r.message);
  }
}

bool HttpServer::Impl::Core::process_and_close_socket(socket_t sock) {
  Impl& o = *owner_;
  o.active_.Add(sock);
  SocketStream stream(sock, ToMillis(o.options_.read_timeout), ToMillis(o.options_.write_timeout));
  const int idle_ms = ToMillis(o.options_.idle_timeout);
  const size_t max_requests = o.options_.max_requests_per_connection;
  bool linger = false;
  size_t served = 0;
  while (!o.stopping_.load()) {
    if (!stream.has_buffered_data() && !WaitReadable(sock, o.wake_fd_, idle_ms)) break;
    if (o.stopping_.load()) break;
    ++served;
    bool last = max_requests > 0 && served >= max_requests;
    t_close_connection = false;
    t_request_start = Clock::now();
    bool closed_by_client = false;
    bool ok = process_request(stream, last, closed_by_client, nullptr);
    ok = stream.Flush() && ok;
    if (t_close_connection) {
      linger = true;
      break;
    }
    if (!ok || closed_by_client || last) break;
  }
  o.active_.Remove(sock);
  if (linger) {
    LingeringClose(sock, 2000);
  } else {
    ::close(sock);
  }
  return true;
}

absl::Status HttpServer::Impl::Start() {
  MutexLock lock(&lifecycle_mu_);
  if (started_) return absl::FailedPreconditionError("http server already started");
  std::string host;
  int port = 0;
  if (!ParseListenAddress(options_.listen_address, &host, &port)) {
    return absl::InvalidArgumentError(
        fmt::format("invalid listen address \"{}\" (want host:port)", options_.listen_address));
  }
  errno = 0;
  int bound =
      port == 0 ? core_.bind_to_any_port(host) : (core_.bind_to_port(host, port) ? port : -1);
  if (bound <= 0) {
    return absl::UnavailableError(fmt::format("cannot listen on {}: {}", options_.listen_address,
                                              errno != 0 ? std::strerror(errno) : "bind failed"));
  }
  core_.RaiseBacklog();
  port_ = bound;
  started_ = true;
  serve_thread_ = std::thread([this] {
    bool clean = core_.listen_after_bind();
    if (!clean && !stopping_.load()) {
      logger_->Log(LogLevel::kError, "http", "accept loop failed; no longer serving",
                   fmt::format("err={}", LogfmtValue(std::strerror(errno))));
    }
    listen_returned_.store(true);
  });
  // stop() only works once the accept loop runs; wait for it (or for it to
  // have ended already).
  while (!core_.is_running() && !listen_returned_.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ready_.store(true);
  return absl::OkStatus();
}

void HttpServer::Impl::Shutdown() {
  MutexLock lock(&lifecycle_mu_);
  if (!started_ || shut_down_) return;
  shut_down_ = true;
  ready_.store(false);
  stopping_.store(true);
  uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof one);  // wakes idle keep-alive connections
  core_.stop();  // closes the listener; the accept loop then joins the pool

  // Requests still running after the grace period have their sockets shut
  // down, so a stalled client cannot hold shutdown up forever.
  absl::Time deadline = absl::Now() + options_.shutdown_grace;
  while (!listen_returned_.load()) {
    if (absl::Now() >= deadline) {
      logger_->Log(LogLevel::kWarn, "http", "shutdown grace period over, closing connections", "");
      active_.ShutdownAll();
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  serve_thread_.join();
}

HttpServer::HttpServer(DB* db, Logger* logger, ServerOptions options)
    : impl_(std::make_unique<Impl>(db, logger, std::move(options))) {}
HttpServer::~HttpServer() = default;
absl::Status HttpServer::Start() { return impl_->Start(); }
int HttpServer::port() const { return impl_->port(); }
void HttpServer::Shutdown() { impl_->Shutdown(); }

}  // namespace strata::api
