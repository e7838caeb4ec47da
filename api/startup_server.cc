#include "api/startup_server.h"

#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "api/server.h"
#include "fmt/format.h"
#include "httplib.h"

namespace strata::api {

StartupServer::StartupServer(std::string listen_address)
    : listen_address_(std::move(listen_address)), server_(std::make_unique<httplib::Server>()) {}

StartupServer::~StartupServer() { Stop(); }

absl::Status StartupServer::Start() {
  std::string host;
  int port = 0;
  if (!ParseListenAddress(listen_address_, &host, &port)) {
    return absl::InvalidArgumentError(
        fmt::format("invalid listen address \"{}\" (want host:port)", listen_address_));
  }
  // As the real server: SO_REUSEADDR only, so the port is free for it as
  // soon as this one stops, and never shared with another process.
  server_->set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  // Everything is answered before a body is read (a sender's 503 makes it
  // retry later), and the connection is closed after the answer, since an
  // unread body must not be taken for the next request.
  server_->set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    res.set_header("Connection", "close");
    if (req.path == "/-/healthy" && (req.method == "GET" || req.method == "HEAD")) {
      res.set_content("Strata is Healthy.\n", "text/plain; charset=utf-8");
    } else {
      res.status = 503;
      res.set_header("Retry-After", "1");
      res.set_content("Service Unavailable: the database is still opening (WAL replay)\n",
                      "text/plain; charset=utf-8");
    }
    return httplib::Server::HandlerResponse::Handled;
  });
  errno = 0;
  const int bound =
      port == 0 ? server_->bind_to_any_port(host) : (server_->bind_to_port(host, port) ? port : -1);
  if (bound <= 0) {
    return absl::UnavailableError(fmt::format("cannot listen on {}: {}", listen_address_,
                                              errno != 0 ? std::strerror(errno) : "bind failed"));
  }
  port_ = bound;
  thread_ = std::thread([this] {
    server_->listen_after_bind();
    listen_returned_.store(true);
  });
  // stop() only works once the accept loop runs; wait for it (or for it to
  // have ended already).
  while (!server_->is_running() && !listen_returned_.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return absl::OkStatus();
}

void StartupServer::Stop() {
  if (!thread_.joinable()) return;
  server_->stop();
  thread_.join();
}

}  // namespace strata::api
