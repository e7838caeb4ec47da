// Answers HTTP while the database opens, before the real server exists.
//
// Opening the database replays the WAL, which takes long on a big one. An
// orchestrator probing the process meanwhile should see it alive but not
// ready (a Kubernetes liveness probe that fails during replay would restart
// the pod and replay would never finish): /-/healthy answers 200, /-/ready
// and every other path 503 with Retry-After, so remote-write senders retry.
//
//   StartupServer startup(":9201");
//   RETURN_IF_ERROR(startup.Start());
//   auto db = DB::Open(...);       // clients see 503s meanwhile
//   startup.Stop();                // releases the port
//   HttpServer server(db, ...); server.Start();
//
// Thread safety: Start and Stop from one thread. Stop is idempotent and run
// by the destructor.
#ifndef STRATA_API_STARTUP_SERVER_H_
#define STRATA_API_STARTUP_SERVER_H_

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"

namespace httplib {
class Server;
}  // namespace httplib

namespace strata::api {

class StartupServer {
 public:
  explicit StartupServer(std::string listen_address);
  ~StartupServer();
  StartupServer(const StartupServer&) = delete;
  StartupServer& operator=(const StartupServer&) = delete;

  // Binds the address (InvalidArgument if malformed, Unavailable if it
  // cannot be bound) and serves on a background thread.
  absl::Status Start();
  // The bound port, after Start.
  int port() const { return port_; }
  // Stops serving and closes the listening socket.
  void Stop();

 private:
  const std::string listen_address_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::atomic<bool> listen_returned_{false};
  int port_ = 0;
};

}  // namespace strata::api

#endif  // STRATA_API_STARTUP_SERVER_H_
