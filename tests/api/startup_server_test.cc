// The server that answers while the database opens: alive, not ready, and
// out of the real server's way once stopped.
#include "api/startup_server.h"

#include "api/server.h"
#include "fmt/format.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "tests/process_util.h"
#include "tests/test_util.h"
#include "tsdb/db.h"

namespace strata::api {
namespace {

TEST(StartupServerTest, HealthyButNotReadyThenHandsThePortOver) {
  const int port = strata::testing::FreeLocalPort();
  const std::string address = fmt::format("127.0.0.1:{}", port);
  StartupServer startup(address);
  ASSERT_TRUE(startup.Start().ok());
  {
    httplib::Client c("127.0.0.1", port);
    auto healthy = c.Get("/-/healthy");
    ASSERT_TRUE(healthy);
    EXPECT_EQ(healthy->status, 200);
    auto ready = c.Get("/-/ready");
    ASSERT_TRUE(ready);
    EXPECT_EQ(ready->status, 503);
    auto query = c.Get("/api/v1/query?query=up");
    ASSERT_TRUE(query);
    EXPECT_EQ(query->status, 503);
    // A remote-write sender is told to retry (5xx), not to drop (4xx).
    auto write = c.Post("/api/v1/write", std::string(1000, 'x'), "application/x-protobuf");
    ASSERT_TRUE(write);
    EXPECT_EQ(write->status, 503);
    EXPECT_EQ(write->get_header_value("Retry-After"), "1");
  }
  // A second server cannot take the port while this one has it.
  StartupServer second(address);
  EXPECT_EQ(second.Start().code(), absl::StatusCode::kUnavailable);
  startup.Stop();
  startup.Stop();  // idempotent

  // The real server binds the same port at once.
  strata::testing::TempDir dir;
  auto db = DB::Open(dir.path() + "/data", DBOptions{});
  ASSERT_TRUE(db.ok()) << db.status();
  ServerOptions options;
  options.listen_address = address;
  HttpServer server(db->get(), nullptr, options);
  ASSERT_TRUE(server.Start().ok());
  httplib::Client c("127.0.0.1", port);
  auto ready = c.Get("/-/ready");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200);
  server.Shutdown();
}

TEST(StartupServerTest, RefusesAMalformedAddress) {
  StartupServer s("no-port");
  EXPECT_EQ(s.Start().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace strata::api
