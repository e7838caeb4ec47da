// Starts the real `strata` binary on 127.0.0.1 and talks HTTP to it.
#include <signal.h>

#include <chrono>
#include <thread>

#include "gtest/gtest.h"
#include "httplib.h"
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

TEST_F(ServerTest, SecondServerOnSameDirectoryRefuses) {
  Start();
  std::string out;
  int port = testing::FreeLocalPort();
  int rc = testing::RunCommand(std::string(STRATA_BINARY_DIR) + "/strata --listen-address=127.0.0.1:" +
                                   std::to_string(port) + " --storage.path=" + dir_.path() +
                                   "/data 2>&1",
                               &out);
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("lock"), std::string::npos) << out;
}

TEST(ServerFlagsTest, BadFlagsExitWithStatusTwo) {
  std::string out;
  EXPECT_EQ(testing::RunCommand(std::string(STRATA_BINARY_DIR) + "/strata --no-such-flag 2>&1", &out), 2)
      << out;
  EXPECT_EQ(testing::RunCommand(std::string(STRATA_BINARY_DIR) +
                                    "/strata --storage.wal-sync=sometimes 2>&1",
                                &out),
            2)
      << out;
  EXPECT_EQ(testing::RunCommand(std::string(STRATA_BINARY_DIR) + "/strata --help", &out), 0);
  EXPECT_NE(out.find("--storage.path"), std::string::npos) << out;
}

}  // namespace
}  // namespace strata
