// Starts the real `strata` binary on 127.0.0.1 and talks HTTP to it.
#include <signal.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "fmt/format.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "tests/api/http_test_util.h"
#include "tests/process_util.h"
#include "tests/test_util.h"

namespace strata {
namespace {

class ServerTest : public ::testing::Test {
 protected:
  void Start() {
    port_ = testing::FreeLocalPort();
    ASSERT_GT(port_, 0);
    server_ = std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{std::string(STRATA_BINARY_DIR) + "/strata",
                                 "--listen-address=127.0.0.1:" + std::to_string(port_),
                                 "--storage.path=" + dir_.path() + "/data"},
        dir_.path() + "/strata.log");
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
    client_->set_connection_timeout(1);
    for (int i = 0; i < 200; ++i) {
      if (auto res = client_->Get("/-/ready"); res && res->status == 200) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    FAIL() << "strata did not become ready";
  }

  testing::TempDir dir_;
  int port_ = 0;
  std::unique_ptr<testing::ChildProcess> server_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(ServerTest, HealthReadyMetricsAndGracefulShutdown) {
  Start();
  auto healthy = client_->Get("/-/healthy");
  ASSERT_TRUE(healthy);
  EXPECT_EQ(healthy->status, 200);

  auto metrics = client_->Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_NE(metrics->body.find("strata_head_series 0"), std::string::npos) << metrics->body;
  EXPECT_NE(metrics->body.find("# TYPE strata_wal_fsyncs_total counter"), std::string::npos);

  auto missing = client_->Get("/no/such/path");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);

  EXPECT_EQ(server_->Stop(SIGTERM, 10000), 0);
}

TEST_F(ServerTest, RemoteWriteRefusalsBeforeTheBodyIsRead) {
  Start();
  // httplib would transparently gunzip this body, without a size cap.
  httplib::Headers gzip = {{"Content-Encoding", "gzip"}};
  auto res = client_->Post("/api/v1/write", gzip, std::string(100, 'x'), "application/x-protobuf");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 415);
  EXPECT_EQ(res->body,
            "gzip encoding (compression) is not accepted by this server; only snappy is "
            "acceptable\n");

  // A declared length over the limit is refused from the headers alone.
  std::string out = testing::RawHttpExchange(
      port_,
      "POST /api/v1/write HTTP/1.1\r\nHost: x\r\nContent-Encoding: snappy\r\n"
      "Content-Type: application/x-protobuf\r\nContent-Length: 100000000\r\n\r\n");
  EXPECT_TRUE(out.starts_with("HTTP/1.1 413 ")) << out;

  // Chunked bodies: 411 Length Required.
  out = testing::RawHttpExchange(
      port_,
      "POST /api/v1/write HTTP/1.1\r\nHost: x\r\nContent-Encoding: snappy\r\n"
      "Content-Type: application/x-protobuf\r\nTransfer-Encoding: chunked\r\n\r\n"
      "4\r\nabcd\r\n0\r\n\r\n");
  EXPECT_TRUE(out.starts_with("HTTP/1.1 411 ")) << out;

  // The server is unharmed.
  EXPECT_EQ(client_->Get("/-/healthy")->status, 200);
  EXPECT_EQ(server_->Stop(SIGTERM, 10000), 0);
}

TEST_F(ServerTest, GracefulShutdownKeepsEveryAcknowledgedWrite) {
  Start();
  const int64_t t = absl::ToUnixMillis(absl::Now());
  constexpr int kSenders = 4;
  constexpr int kMaxRequests = 20000;
  std::atomic<int> next{0};
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::vector<int> acked;
  std::vector<std::thread> senders;
  for (int s = 0; s < kSenders; ++s) {
    senders.emplace_back([&] {
      httplib::Client c("127.0.0.1", port_);
      c.set_keep_alive(true);
      c.set_connection_timeout(1);
      c.set_read_timeout(10, 0);
      httplib::Headers headers = {{"Content-Encoding", "snappy"},
                                  {"X-Prometheus-Remote-Write-Version", "0.1.0"}};
      while (!stop.load()) {
        int i = next++;
        if (i >= kMaxRequests) break;
        std::string body =
            testing::RemoteWriteV1Body({{{{"__name__", "shutdown_load"}, {"i", std::to_string(i)}},
                                         t,
                                         static_cast<double>(i)}});
        auto r = c.Post("/api/v1/write", headers, body, "application/x-protobuf");
        if (r && r->status == 204) {
          std::lock_guard<std::mutex> lock(mu);
          acked.push_back(i);
        } else if (!r) {
          std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
      }
    });
  }
  // Let a few hundred writes through, then stop the server mid-stream.
  for (int i = 0; i < 2000; ++i) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (acked.size() >= 200) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(server_->Stop(SIGTERM, 20000), 0);
  stop = true;
  for (auto& th : senders) th.join();
  ASSERT_GE(acked.size(), 200u);

  // Restart on the same data: every acknowledged write is there.
  Start();
  auto res = client_->Get("/api/v1/label/i/values?match[]=shutdown_load");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  std::set<std::string> present;
  nlohmann::json json = nlohmann::json::parse(res->body);
  for (const auto& v : json["data"]) {
    present.insert(v.get<std::string>());
  }
  int missing = 0;
  for (int i : acked) missing += present.count(std::to_string(i)) == 0;
  EXPECT_EQ(missing, 0) << "of " << acked.size() << " acknowledged writes";
  EXPECT_GE(present.size(), acked.size());
  EXPECT_EQ(server_->Stop(SIGTERM, 10000), 0);
}

TEST_F(ServerTest, SecondServerOnSameDirectoryRefuses) {
  Start();
  std::string out;
  int port = testing::FreeLocalPort();
  int rc = testing::RunCommand(std::string(STRATA_BINARY_DIR) +
                                   "/strata --listen-address=127.0.0.1:" + std::to_string(port) +
                                   " --storage.path=" + dir_.path() + "/data 2>&1",
                               &out);
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("lock"), std::string::npos) << out;
}

TEST(ServerFlagsTest, BadFlagsExitWithStatusTwo) {
  std::string out;
  EXPECT_EQ(
      testing::RunCommand(std::string(STRATA_BINARY_DIR) + "/strata --no-such-flag 2>&1", &out), 2)
      << out;
  EXPECT_EQ(testing::RunCommand(
                std::string(STRATA_BINARY_DIR) + "/strata --storage.wal-sync=sometimes 2>&1", &out),
            2)
      << out;
  EXPECT_EQ(testing::RunCommand(std::string(STRATA_BINARY_DIR) + "/strata --help", &out), 0);
  EXPECT_NE(out.find("--storage.path"), std::string::npos) << out;
}

}  // namespace
}  // namespace strata
