// The admin snapshot API and the retention/block flags, on the real binary.
#include <chrono>
#include <thread>

#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "tests/api/http_test_util.h"
#include "tests/process_util.h"
#include "tests/test_util.h"

namespace strata {
namespace {

using ::testing::HasSubstr;

class AdminApiTest : public ::testing::Test {
 protected:
  void Start(std::vector<std::string> flags) {
    port_ = testing::FreeLocalPort();
    ASSERT_GT(port_, 0);
    std::vector<std::string> argv = {std::string(STRATA_BINARY_DIR) + "/strata",
                                     "--listen-address=127.0.0.1:" + std::to_string(port_),
                                     "--storage.path=" + dir_.path() + "/data"};
    argv.insert(argv.end(), flags.begin(), flags.end());
    server_ = std::make_unique<testing::ChildProcess>(argv, dir_.path() + "/strata.log");
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

TEST_F(AdminApiTest, SnapshotIsRefusedUnlessEnabled) {
  Start({});
  auto res = client_->Post("/api/v1/admin/tsdb/snapshot", "", "application/x-www-form-urlencoded");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  EXPECT_EQ(nlohmann::json::parse(res->body),
            nlohmann::json::parse(
                R"({"status":"error","errorType":"unavailable","error":"admin APIs disabled"})"));
}

TEST_F(AdminApiTest, SnapshotCopiesTheHeadAndTsdbToolReadsIt) {
  Start({"--web.enable-admin-api"});
  const int64_t now = absl::ToUnixMillis(absl::Now());
  std::vector<testing::TestSeries> series;
  for (int i = 0; i < 3; ++i) {
    series.push_back(
        {{{"__name__", "snap_metric"}, {"i", std::to_string(i)}}, now - 1000, 1.5 + i});
  }
  auto write = client_->Post("/api/v1/write",
                             httplib::Headers{{"Content-Encoding", "snappy"},
                                              {"X-Prometheus-Remote-Write-Version", "0.1.0"}},
                             testing::RemoteWriteV1Body(series), "application/x-protobuf");
  ASSERT_TRUE(write);
  ASSERT_EQ(write->status, 204) << write->body;

  // GET is not allowed; a bad skip_head is bad data and creates nothing.
  auto get = client_->Get("/api/v1/admin/tsdb/snapshot");
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 405);
  auto bad = client_->Post("/api/v1/admin/tsdb/snapshot?skip_head=maybe", "",
                           "application/x-www-form-urlencoded");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_THAT(bad->body, HasSubstr("unable to parse boolean 'skip_head' argument"));
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/data/snapshots"));

  auto res = client_->Post("/api/v1/admin/tsdb/snapshot", "", "application/x-www-form-urlencoded");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  auto body = nlohmann::json::parse(res->body);
  EXPECT_EQ(body["status"], "success");
  const std::string name = body["data"]["name"];
  // "<yyyymmddThhmmssZ>-<16 hex digits>", as Prometheus names them.
  EXPECT_THAT(name, ::testing::MatchesRegex("[0-9]{8}T[0-9]{6}Z-[0-9a-f]{16}"));
  const std::string snap = dir_.path() + "/data/snapshots/" + name;
  ASSERT_TRUE(std::filesystem::is_directory(snap));

  // The snapshot is a data directory of its own: the head became a block.
  std::string out;
  ASSERT_EQ(testing::RunCommand(std::string(STRATA_BINARY_DIR) + "/tsdb-tool dump " + snap, &out),
            0)
      << out;
  for (int i = 0; i < 3; ++i) {
    EXPECT_THAT(out, HasSubstr("{__name__=\"snap_metric\", i=\"" + std::to_string(i) + "\"} " +
                               (i == 0   ? "1.5"
                                : i == 1 ? "2.5"
                                         : "3.5") +
                               " " + std::to_string(now - 1000)));
  }

  // skip_head=true: no head block; nothing was cut yet, so it is empty.
  auto skip = client_->Post("/api/v1/admin/tsdb/snapshot?skip_head=true", "",
                            "application/x-www-form-urlencoded");
  ASSERT_TRUE(skip);
  ASSERT_EQ(skip->status, 200) << skip->body;
  const std::string skipped = dir_.path() + "/data/snapshots/" +
                              nlohmann::json::parse(skip->body)["data"]["name"].get<std::string>();
  ASSERT_TRUE(std::filesystem::is_directory(skipped));
  EXPECT_TRUE(std::filesystem::is_empty(skipped));
}

TEST(StrataFlagsTest, BadRetentionAndBlockRangeAreUsageErrors) {
  testing::TempDir dir;
  const std::string strata = std::string(STRATA_BINARY_DIR) +
                             "/strata --storage.path=" + dir.path() +
                             "/data --listen-address=127.0.0.1:0 ";
  std::string out;
  EXPECT_EQ(testing::RunCommand(strata + "--retention.time=soon 2>&1", &out), 2);
  EXPECT_THAT(out, HasSubstr("invalid --retention.time soon"));
  EXPECT_EQ(testing::RunCommand(strata + "--storage.block-range=10s 2>&1", &out), 2);
  EXPECT_THAT(out, HasSubstr("invalid --storage.block-range 10s"));
  EXPECT_EQ(testing::RunCommand(strata + "--retention.size=lots 2>&1", &out), 2);
}

}  // namespace
}  // namespace strata
