// The PromQL endpoints over loopback HTTP: parameter parsing and errors,
// exact JSON shapes, limits and concurrent queries.
#include "api/query_api.h"

#include <thread>

#include "api/server.h"
#include "fmt/format.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "tests/process_util.h"
#include "tests/test_util.h"
#include "tsdb/base/clock.h"
#include "tsdb/db.h"

namespace strata::api {
namespace {

class QueryApiTest : public ::testing::Test {
 protected:
  // Series up{job="node",instance="a"} = 1 and …"b"} = 0 every 15 s from
  // t=1000 s to 1600 s, and a counter c_total{job="x"} rising 10 per 15 s.
  void SetUp() override { Start(ServerOptions{}); }

  void Start(ServerOptions options) {
    DBOptions o;
    o.clock = &clock_;
    auto db = DB::Open(dir_.path() + "/data", o);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
    auto app = db_->NewAppender();
    for (int64_t t = 1000; t <= 1600; t += 15) {
      ASSERT_TRUE(app->Add(Labels::FromStrings({"__name__", "up", "job", "node", "instance", "a"}),
                           t * 1000, 1)
                      .ok());
      ASSERT_TRUE(app->Add(Labels::FromStrings({"__name__", "up", "job", "node", "instance", "b"}),
                           t * 1000, 0)
                      .ok());
      ASSERT_TRUE(app->Add(Labels::FromStrings({"__name__", "c_total", "job", "x"}), t * 1000,
                           static_cast<double>((t - 1000) / 15 * 10))
                      .ok());
    }
    ASSERT_TRUE(app->Commit().ok());
    port_ = strata::testing::FreeLocalPort();
    options.listen_address = fmt::format("127.0.0.1:{}", port_);
    options.clock = &clock_;
    server_ = std::make_unique<HttpServer>(db_.get(), nullptr, options);
    ASSERT_TRUE(server_->Start().ok());
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
    client_->set_read_timeout(10, 0);
  }

  void TearDown() override {
    if (server_) server_->Shutdown();
  }

  std::pair<int, std::string> Get(const std::string& path) {
    auto r = client_->Get(path);
    if (!r) return {0, ""};
    return {r->status, r->body};
  }

  strata::testing::TempDir dir_;
  ManualClock clock_{1300 * 1000};
  std::unique_ptr<DB> db_;
  int port_ = 0;
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(QueryApiTest, InstantVector) {
  auto [code, body] = Get("/api/v1/query?query=up&time=1300");
  EXPECT_EQ(code, 200);
  EXPECT_EQ(body,
            R"({"status":"success","data":{"resultType":"vector","result":[)"
            R"({"metric":{"__name__":"up","instance":"a","job":"node"},"value":[1300,"1"]},)"
            R"({"metric":{"__name__":"up","instance":"b","job":"node"},"value":[1300,"0"]}]}})");
}

TEST_F(QueryApiTest, DefaultTimeIsNow) {
  // The clock says 1300 s; the query has no time parameter.
  auto [code, body] = Get("/api/v1/query?query=time()");
  EXPECT_EQ(code, 200);
  EXPECT_EQ(body, R"({"status":"success","data":{"resultType":"scalar","result":[1300,"1300"]}})");
}

TEST_F(QueryApiTest, ScalarStringAndRfc3339Time) {
  auto [code, body] = Get("/api/v1/query?query=1.5&time=1970-01-01T00:20:00.5Z");
  EXPECT_EQ(code, 200);
  EXPECT_EQ(body,
            R"({"status":"success","data":{"resultType":"scalar","result":[1200.500,"1.5"]}})");
  auto [scode, sbody] = Get("/api/v1/query?query=%22a%5Cnb%22&time=10");
  EXPECT_EQ(scode, 200);
  EXPECT_EQ(sbody, R"({"status":"success","data":{"resultType":"string","result":[10,"a\nb"]}})");
}

TEST_F(QueryApiTest, RangeVectorResultOfInstantQuery) {
  auto [code, body] = Get("/api/v1/query?query=up%7Binstance%3D%22a%22%7D%5B30s%5D&time=1300");
  EXPECT_EQ(code, 200);
  // 1300 is not a multiple of 15 after 1000 ... 1285 and 1300 are.
  EXPECT_EQ(body, R"({"status":"success","data":{"resultType":"matrix","result":[)"
                  R"({"metric":{"__name__":"up","instance":"a","job":"node"},)"
                  R"("values":[[1285,"1"],[1300,"1"]]}]}})");
}

TEST_F(QueryApiTest, RangeQueryGetAndPost) {
  const std::string want =
      R"({"status":"success","data":{"resultType":"matrix","result":[)"
      R"({"metric":{"instance":"a","job":"node"},"values":[[1200,"2"],[1230,"2"]]},)"
      R"({"metric":{"instance":"b","job":"node"},"values":[[1200,"1"],[1230,"1"]]}]}})";
  auto [code, body] = Get("/api/v1/query_range?query=up%2B1&start=1200&end=1230&step=30s");
  EXPECT_EQ(code, 200);
  EXPECT_EQ(body, want);
  auto post = client_->Post("/api/v1/query_range", "query=up%2B1&start=1200&end=1230&step=30",
                            "application/x-www-form-urlencoded");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 200);
  EXPECT_EQ(post->body, want);
}

TEST_F(QueryApiTest, ParameterErrors) {
  struct Case {
    std::string path;
    int code;
    std::string body;
  };
  const std::vector<Case> cases = {
      {"/api/v1/query?query=up&time=abc", 400,
       R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"time\": )"
       R"(Invalid time value for 'time': cannot parse \"abc\" to a valid timestamp"})"},
      {"/api/v1/query?query=sum(", 400,
       R"({"status":"error","errorType":"bad_data","error":"1:5: parse error: unclosed left )"
       R"(parenthesis"})"},
      {"/api/v1/query?query=up&timeout=x", 400,
       R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"timeout\": )"
       R"(cannot parse \"x\" to a valid duration"})"},
      {"/api/v1/query_range?query=up&end=10&step=1", 400,
       R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"start\": )"
       R"(cannot parse \"\" to a valid timestamp"})"},
      {"/api/v1/query_range?query=up&start=10&end=5&step=1", 400,
       R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"end\": end )"
       R"(timestamp must not be before start time"})"},
      {"/api/v1/query_range?query=up&start=10&end=20&step=0", 400,
       R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"step\": zero )"
       R"(or negative query resolution step widths are not accepted. Try a positive integer"})"},
      {"/api/v1/query_range?query=up&start=0&end=100000&step=1", 400,
       R"({"status":"error","errorType":"bad_data","error":"exceeded maximum resolution of )"
       R"x(11,000 points per timeseries. Try decreasing the query resolution (?step=XX)"})x"},
      {"/api/v1/query_range?query=up%5B5m%5D&start=0&end=10&step=1", 400,
       R"({"status":"error","errorType":"bad_data","error":"invalid expression type \"range )"
       R"(vector\" for range query, must be Scalar or instant Vector"})"},
  };
  for (const Case& c : cases) {
    auto [code, body] = Get(c.path);
    EXPECT_EQ(code, c.code) << c.path;
    EXPECT_EQ(body, c.body) << c.path;
  }
}

TEST_F(QueryApiTest, FormatQuery) {
  auto [code, body] = Get("/api/v1/format_query?query=sum%20by(job)(up)");
  EXPECT_EQ(code, 200);
  EXPECT_EQ(body, R"x({"status":"success","data":"sum by (job) (up)"})x");
}

TEST_F(QueryApiTest, StatsAll) {
  auto [code, body] = Get("/api/v1/query?query=up&time=1300&stats=all");
  EXPECT_EQ(code, 200);
  EXPECT_NE(body.find(R"("samples":{"totalQueryableSamples":)"), std::string::npos) << body;
  EXPECT_NE(body.find(R"("resultType":"vector")"), std::string::npos) << body;
}

TEST(QueryApiLimitsTest, MaxSamplesGivesExecutionError) {
  strata::testing::TempDir dir;
  auto db = DB::Open(dir.path() + "/data", DBOptions{});
  ASSERT_TRUE(db.ok());
  auto app = (*db)->NewAppender();
  const int64_t now = absl::ToUnixMillis(absl::Now());
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(
        app->Add(Labels::FromStrings({"__name__", "m", "i", std::to_string(i)}), now - 1000, 1)
            .ok());
  }
  ASSERT_TRUE(app->Commit().ok());
  ServerOptions options;
  const int port = strata::testing::FreeLocalPort();
  options.listen_address = fmt::format("127.0.0.1:{}", port);
  options.query.engine.max_samples = 10;
  HttpServer server(db->get(), nullptr, options);
  ASSERT_TRUE(server.Start().ok());
  httplib::Client client("127.0.0.1", port);
  auto r = client.Get("/api/v1/query?query=m");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 422);
  EXPECT_EQ(r->body,
            R"({"status":"error","errorType":"execution","error":"query processing would load )"
            R"(too many samples into memory in query execution"})");
  // The server still answers.
  auto ok = client.Get("/api/v1/query?query=1");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  server.Shutdown();
}

TEST_F(QueryApiTest, MetricsCountQueries) {
  Get("/api/v1/query?query=up&time=1300");
  Get("/api/v1/query?query=sum(");  // a parse error is answered before evaluation
  Get("/api/v1/query?query=nope_%7B&time=1300");
  Get("/api/v1/query?query=up%2Bon()%20group_left%20up&time=1300");  // execution error
  auto [code, body] = Get("/metrics");
  ASSERT_EQ(code, 200);
  EXPECT_NE(body.find("\nstrata_engine_queries 0\n"), std::string::npos) << body;
  EXPECT_NE(body.find("\nstrata_engine_queries_queued 0\n"), std::string::npos);
  EXPECT_NE(body.find("\nstrata_engine_queries_total 4\n"), std::string::npos);
  EXPECT_NE(body.find("\nstrata_engine_queries_failed_total 3\n"), std::string::npos);
  // `up` at 1300 reads the two series' samples in (1000, 1300].
  EXPECT_NE(body.find("\nstrata_engine_query_samples_total "), std::string::npos);
  EXPECT_EQ(body.find("\nstrata_engine_query_samples_total 0\n"), std::string::npos);
}

TEST_F(QueryApiTest, TimeoutGivesTimeoutError) {
  // 10,000 steps of 1 s with a 1 µs budget: the deadline passes long before
  // the evaluation ends.
  auto [code, body] =
      Get("/api/v1/query_range?query=sum(up)&start=1000&end=11000&step=1&timeout=0.000001");
  EXPECT_EQ(code, 503);
  EXPECT_EQ(body, R"({"status":"error","errorType":"timeout","error":"query timed out in query )"
                  R"(execution"})");
}

TEST_F(QueryApiTest, ConcurrentQueriesAllAnswer) {
  constexpr int kThreads = 8, kQueries = 20;
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      httplib::Client c("127.0.0.1", port_);
      c.set_read_timeout(10, 0);
      for (int q = 0; q < kQueries; ++q) {
        auto r = c.Get("/api/v1/query_range?query=sum(up)&start=1000&end=1600&step=15");
        if (r && r->status == 200 && r->body.find(R"([1600,"1"])") != std::string::npos) {
          good.fetch_add(1);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(good.load(), kThreads * kQueries);
}

}  // namespace
}  // namespace strata::api
