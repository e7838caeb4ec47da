// In-process tests of HttpServer: the Prometheus metadata endpoints with
// exact JSON, error envelopes and status codes, request admission (body
// limits, encodings), remote write over HTTP, keep-alive capacity and
// shutdown.
#include "api/metadata_api.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "absl/time/clock.h"
#include "api/http_util.h"
#include "api/proto/remote_write_v2.pb.h"
#include "api/server.h"
#include "fmt/format.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "tests/api/http_test_util.h"
#include "tests/process_util.h"
#include "tests/test_util.h"
#include "tsdb/db.h"

namespace strata::api {
namespace {

using strata::testing::RawHttpExchange;

class MetadataApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = DB::Open(dir_.path() + "/data", DBOptions{});
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
    t0_ = absl::ToUnixMillis(absl::Now()) / 1000 * 1000 - 60000;

    auto app = db_->NewAppender();
    auto up_a =
        app->Add(Labels::FromStrings({"__name__", "up", "job", "node", "instance", "a"}), t0_, 1);
    auto up_b =
        app->Add(Labels::FromStrings({"__name__", "up", "job", "node", "instance", "b"}), t0_, 0);
    auto http = app->Add(Labels::FromStrings({"__name__", "http_requests_total", "job", "api",
                                              "code", "200", "path", "/a&b"}),
                         t0_, 5);
    ASSERT_TRUE(up_a.ok() && up_b.ok() && http.ok());
    ASSERT_TRUE(app->UpdateMetadata(*up_a, {2, "", "1 if the target is up."}).ok());
    ASSERT_TRUE(app->UpdateMetadata(*http, {1, "", "Requests served."}).ok());
    ASSERT_TRUE(app->Commit().ok());

    port_ = strata::testing::FreeLocalPort();
    ServerOptions options;
    options.listen_address = fmt::format("127.0.0.1:{}", port_);
    options.max_form_bytes = 64 << 10;
    server_ = std::make_unique<HttpServer>(db_.get(), &logger_, options);
    ASSERT_TRUE(server_->Start().ok());
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
    client_->set_read_timeout(10, 0);
  }

  void TearDown() override {
    client_.reset();
    if (server_) server_->Shutdown();
    server_.reset();
    if (db_) {
      EXPECT_TRUE(db_->Close().ok());
    }
  }

  // Status and body of a GET.
  std::pair<int, std::string> Get(const std::string& path) {
    auto res = client_->Get(path.c_str());
    if (!res) return {-1, httplib::to_string(res.error())};
    return {res->status, res->body};
  }
  std::pair<int, std::string> PostForm(const std::string& path, const std::string& body) {
    auto res = client_->Post(path.c_str(), body, "application/x-www-form-urlencoded");
    if (!res) return {-1, httplib::to_string(res.error())};
    return {res->status, res->body};
  }
  static std::string Error(std::string_view message) {
    std::string out = R"({"status":"error","errorType":"bad_data","error":)";
    AppendJsonString(&out, message);
    return out + "}";
  }

  strata::testing::TempDir dir_;
  NullLogger logger_;
  std::unique_ptr<DB> db_;
  int64_t t0_ = 0;
  int port_ = 0;
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<httplib::Client> client_;
};

using Response = std::pair<int, std::string>;

constexpr char kUpA[] = R"({"__name__":"up","instance":"a","job":"node"})";
constexpr char kUpB[] = R"({"__name__":"up","instance":"b","job":"node"})";
constexpr char kHttp[] =
    R"({"__name__":"http_requests_total","code":"200","job":"api","path":"/a\u0026b"})";

TEST_F(MetadataApiTest, SeriesExactJson) {
  EXPECT_EQ(Get("/api/v1/series?match[]=up"),
            Response(200, fmt::format(R"({{"status":"success","data":[{},{}]}})", kUpA, kUpB)));
  // Several selectors: merged, deduplicated, sorted by labels.
  EXPECT_EQ(
      Get("/api/v1/series?match[]=up%7Binstance%3D%22b%22%7D&match[]=%7Bjob%3D~%22.%2B%22%7D"),
      Response(200, fmt::format(R"({{"status":"success","data":[{},{},{}]}})", kHttp, kUpA, kUpB)));
  EXPECT_EQ(Get("/api/v1/series?match[]=nope"), Response(200, R"({"status":"success","data":[]})"));
}

TEST_F(MetadataApiTest, SeriesPostFormAndLimit) {
  EXPECT_EQ(PostForm("/api/v1/series", "match%5B%5D=up&limit=1"),
            Response(200, fmt::format(R"({{"status":"success","data":[{}],)"
                                      R"("warnings":["results truncated due to limit"]}})",
                                      kUpA)));
  // Exactly at the limit: no warning.
  EXPECT_EQ(PostForm("/api/v1/series", "match[]=up&limit=2"),
            Response(200, fmt::format(R"({{"status":"success","data":[{},{}]}})", kUpA, kUpB)));
  // Body values and query values combine.
  auto res = client_->Post("/api/v1/series?match[]=http_requests_total", "match[]=nope",
                           "application/x-www-form-urlencoded");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body, fmt::format(R"({{"status":"success","data":[{}]}})", kHttp));
}

TEST_F(MetadataApiTest, SeriesTimeRange) {
  std::string before = std::to_string((t0_ - 10000) / 1000);
  EXPECT_EQ(Get("/api/v1/series?match[]=up&end=" + before),
            Response(200, R"({"status":"success","data":[]})"));
  std::string around = fmt::format("start={}.5&end={}", (t0_ - 1000) / 1000, t0_ / 1000 + 1);
  EXPECT_EQ(Get("/api/v1/series?match[]=up&" + around).second,
            fmt::format(R"({{"status":"success","data":[{},{}]}})", kUpA, kUpB));
  // RFC 3339 works too.
  absl::Time t = absl::FromUnixMillis(t0_);
  std::string rfc = absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone());
  EXPECT_EQ(Get("/api/v1/series?match[]=up&start=" + rfc + "&end=" + rfc).second,
            fmt::format(R"({{"status":"success","data":[{},{}]}})", kUpA, kUpB));
}

TEST_F(MetadataApiTest, SeriesErrors) {
  EXPECT_EQ(Get("/api/v1/series"), Response(400, Error("no match[] parameter provided")));
  EXPECT_EQ(Get("/api/v1/series?match[]=up%7B"),
            Response(400, Error("invalid parameter \"match[]\": 1:4: parse error: unexpected end "
                                "of input inside braces")));
  EXPECT_EQ(Get("/api/v1/series?match[]=%7Bjob%3D%22%22%7D"),
            Response(400, Error("invalid parameter \"match[]\": match[] must contain at least one "
                                "non-empty matcher")));
  EXPECT_EQ(Get("/api/v1/series?match[]=up&start=abc"),
            Response(400, Error("invalid parameter \"start\": Invalid time value for 'start': "
                                "cannot parse \"abc\" to a valid timestamp")));
  EXPECT_EQ(Get("/api/v1/series?match[]=up&end=2024-13-01T00:00:00Z"),
            Response(400, Error("invalid parameter \"end\": Invalid time value for 'end': cannot "
                                "parse \"2024-13-01T00:00:00Z\" to a valid timestamp")));
  EXPECT_EQ(Get("/api/v1/series?match[]=up&limit=x"),
            Response(400, Error("invalid parameter \"limit\": strconv.Atoi: parsing \"x\": "
                                "invalid syntax")));
  EXPECT_EQ(Get("/api/v1/series?match[]=up&limit=-1"),
            Response(400, Error("invalid parameter \"limit\": limit must be non-negative")));
  EXPECT_EQ(Get("/api/v1/series?match[]=up&x=%zz"),
            Response(400, Error("error parsing form values: invalid URL escape \"%zz\"")));
}

TEST_F(MetadataApiTest, LabelNames) {
  EXPECT_EQ(
      Get("/api/v1/labels"),
      Response(200, R"({"status":"success","data":["__name__","code","instance","job","path"]})"));
  EXPECT_EQ(Get("/api/v1/labels?match[]=up"),
            Response(200, R"({"status":"success","data":["__name__","instance","job"]})"));
  EXPECT_EQ(PostForm("/api/v1/labels", "match[]=up&match[]=http_requests_total&limit=4"),
            Response(200, R"({"status":"success","data":["__name__","code","instance","job"],)"
                          R"("warnings":["results truncated due to limit"]})"));
  // Label endpoints report parse errors bare, as Prometheus does.
  EXPECT_EQ(Get("/api/v1/labels?match[]=up%7B"),
            Response(400, Error("1:4: parse error: unexpected end of input inside braces")));
}

TEST_F(MetadataApiTest, LabelValues) {
  EXPECT_EQ(Get("/api/v1/label/job/values"),
            Response(200, R"({"status":"success","data":["api","node"]})"));
  EXPECT_EQ(Get("/api/v1/label/job/values?match[]=up"),
            Response(200, R"({"status":"success","data":["node"]})"));
  EXPECT_EQ(Get("/api/v1/label/__name__/values?limit=1"),
            Response(200, R"({"status":"success","data":["http_requests_total"],)"
                          R"("warnings":["results truncated due to limit"]})"));
  EXPECT_EQ(Get("/api/v1/label/path/values"),
            Response(200, R"({"status":"success","data":["/a\u0026b"]})"));
  EXPECT_EQ(Get("/api/v1/label/nope/values"), Response(200, R"({"status":"success","data":[]})"));
  // Prometheus's U__ escaping of label names in the path: _62_ is 'b'.
  EXPECT_EQ(Get("/api/v1/label/U__jo_62_/values"),
            Response(200, R"({"status":"success","data":["api","node"]})"));
  EXPECT_EQ(Get("/api/v1/label/%FF/values"), Response(400, Error("invalid label name: \"\\xff\"")));
  EXPECT_EQ(Get("/api/v1/label/job/values?match[]=%7B"),
            Response(400, Error("1:2: parse error: unexpected end of input inside braces")));
}

TEST_F(MetadataApiTest, Metadata) {
  constexpr char kAll[] = R"({"status":"success","data":{"http_requests_total":[{"type":"counter",)"
                          R"("help":"Requests served.","unit":""}],"up":[{"type":"gauge",)"
                          R"("help":"1 if the target is up.","unit":""}]}})";
  EXPECT_EQ(Get("/api/v1/metadata"), Response(200, kAll));
  EXPECT_EQ(Get("/api/v1/metadata?limit=-1&limit_per_metric=5"), Response(200, kAll));
  EXPECT_EQ(Get("/api/v1/metadata?metric=up"),
            Response(200, R"({"status":"success","data":{"up":[{"type":"gauge",)"
                          R"("help":"1 if the target is up.","unit":""}]}})"));
  EXPECT_EQ(Get("/api/v1/metadata?limit=1").second,
            R"({"status":"success","data":{"http_requests_total":[{"type":"counter",)"
            R"("help":"Requests served.","unit":""}]}})");
  EXPECT_EQ(Get("/api/v1/metadata?limit=0"), Response(200, R"({"status":"success","data":{}})"));
  EXPECT_EQ(Get("/api/v1/metadata?metric=nope"),
            Response(200, R"({"status":"success","data":{}})"));
  EXPECT_EQ(Get("/api/v1/metadata?limit=x"), Response(400, Error("limit must be a number")));
  EXPECT_EQ(Get("/api/v1/metadata?limit_per_metric=x"),
            Response(400, Error("limit_per_metric must be a number")));
}

TEST_F(MetadataApiTest, BuildInfo) {
  auto [status, body] = Get("/api/v1/status/buildinfo");
  EXPECT_EQ(status, 200);
  BuildInfo b = CompiledBuildInfo();
  EXPECT_EQ(body,
            fmt::format(R"({{"status":"success","data":{{"version":"{}","revision":"{}",)"
                        R"("branch":"{}","buildUser":"{}","buildDate":"{}",)"
                        R"("goVersion":"{}"}}}})",
                        b.version, b.revision, b.branch, b.build_user, b.build_date, b.go_version));
  EXPECT_EQ(body.find("features"), std::string::npos);
  EXPECT_EQ(b.build_date.size(), 17u) << b.build_date;  // 20060102-15:04:05
}

TEST_F(MetadataApiTest, TsdbStatus) {
  std::string head =
      fmt::format(R"({{"status":"success","data":{{"headStats":{{"numSeries":3,"numLabelPairs":8,)"
                  R"("chunkCount":3,"minTime":{},"maxTime":{}}},)",
                  t0_, t0_);
  EXPECT_EQ(
      Get("/api/v1/status/tsdb"),
      Response(
          200,
          head +
              R"("seriesCountByMetricName":[{"name":"up","value":2},)"
              R"({"name":"http_requests_total","value":1}],)"
              R"("labelValueCountByLabelName":[{"name":"__name__","value":2},)"
              R"({"name":"instance","value":2},{"name":"job","value":2},)"
              R"({"name":"code","value":1},{"name":"path","value":1}],)"
              R"("memoryInBytesByLabelName":[{"name":"__name__","value":47},)"
              R"({"name":"job","value":20},{"name":"instance","value":18},)"
              R"({"name":"path","value":8},{"name":"code","value":7}],)"
              R"("seriesCountByLabelValuePair":[{"name":"__name__=up","value":2},)"
              R"({"name":"job=node","value":2},{"name":"__name__=http_requests_total","value":1},)"
              R"({"name":"code=200","value":1},{"name":"instance=a","value":1},)"
              R"({"name":"instance=b","value":1},{"name":"job=api","value":1},)"
              R"({"name":"path=/a\u0026b","value":1}]}})"));
  EXPECT_EQ(Get("/api/v1/status/tsdb?limit=1").second,
            head + R"("seriesCountByMetricName":[{"name":"up","value":2}],)"
                   R"("labelValueCountByLabelName":[{"name":"__name__","value":2}],)"
                   R"("memoryInBytesByLabelName":[{"name":"__name__","value":47}],)"
                   R"("seriesCountByLabelValuePair":[{"name":"__name__=up","value":2}]}})");
  EXPECT_EQ(Get("/api/v1/status/tsdb?limit=0"),
            Response(400, Error("limit must be a positive number")));
}

TEST_F(MetadataApiTest, QueryExemplarsIsEmpty) {
  EXPECT_EQ(Get("/api/v1/query_exemplars?query=up"),
            Response(200, R"({"status":"success","data":[]})"));
  EXPECT_EQ(PostForm("/api/v1/query_exemplars", "query=up&start=10&end=20"),
            Response(200, R"({"status":"success","data":[]})"));
  EXPECT_EQ(Get("/api/v1/query_exemplars?query=up&start=20&end=10"),
            Response(400, Error("end timestamp must not be before start timestamp")));
}

TEST_F(MetadataApiTest, MethodsAndPaths) {
  EXPECT_EQ(Get("/no/such/path"), Response(404, "404 page not found\n"));
  EXPECT_EQ(Get("/api/v1/write"), Response(405, "Method Not Allowed\n"));
  auto post = client_->Post("/api/v1/label/job/values", "", "application/x-www-form-urlencoded");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
  EXPECT_EQ(post->get_header_value("Allow"), "GET, HEAD");
  auto del = client_->Delete("/api/v1/series");
  ASSERT_TRUE(del);
  EXPECT_EQ(del->status, 405);
  EXPECT_EQ(del->get_header_value("Allow"), "GET, HEAD, POST");
  auto options = client_->Options("/api/v1/query");
  ASSERT_TRUE(options);
  EXPECT_EQ(options->status, 204);
  EXPECT_EQ(Get("/-/healthy"), Response(200, "Strata is Healthy.\n"));
  EXPECT_EQ(Get("/-/ready"), Response(200, "Strata is Ready.\n"));
  auto head = client_->Head("/-/healthy");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_TRUE(head->body.empty());
}

TEST_F(MetadataApiTest, RefusesBodiesBeforeReadingThem) {
  // Form bodies are capped (64 KiB here); the JSON envelope says why.
  std::string big(65 << 10, 'x');
  auto res = client_->Post("/api/v1/series", big, "application/x-www-form-urlencoded");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  EXPECT_EQ(res->body, Error("request body of 66560 bytes exceeds the limit of 65536 bytes"));
  // httplib would gunzip this; Strata refuses it.
  httplib::Headers gzip = {{"Content-Encoding", "gzip"}};
  res = client_->Post("/api/v1/labels", gzip, "match[]=up", "application/x-www-form-urlencoded");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 415);
  res = client_->Post("/api/v1/series", "--b\r\n", "multipart/form-data; boundary=b");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 415);
  // The client's connection was closed after the refusal; it reconnects.
  EXPECT_EQ(Get("/api/v1/label/job/values?match[]=up").first, 200);
}

TEST_F(MetadataApiTest, UnreadBodyIsNeverParsedAsARequest) {
  // A refused upload whose body is itself an HTTP request: exactly one
  // response, then the server closes the connection.
  std::string smuggled = "GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n";
  std::string raw = fmt::format(
      "POST /api/v1/write HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\n"
      "Content-Type: application/x-protobuf\r\nContent-Length: {}\r\n\r\n{}",
      smuggled.size(), smuggled);
  std::string out = RawHttpExchange(port_, raw);
  EXPECT_EQ(strata::testing::CountResponses(out), 1) << out;
  EXPECT_TRUE(out.starts_with("HTTP/1.1 415 ")) << out;
  EXPECT_NE(out.find("Connection: close"), std::string::npos) << out;

  // Expect: 100-continue with an oversized body: refused without "100 Continue".
  out = RawHttpExchange(port_,
                        "POST /api/v1/write HTTP/1.1\r\nHost: x\r\nContent-Encoding: snappy\r\n"
                        "Expect: 100-continue\r\nContent-Length: 1000000000\r\n\r\n");
  EXPECT_TRUE(out.starts_with("HTTP/1.1 413 ")) << out;
  EXPECT_EQ(strata::testing::CountResponses(out), 1) << out;

  // Chunked bodies are refused with 411.
  out = RawHttpExchange(port_,
                        "POST /api/v1/write HTTP/1.1\r\nHost: x\r\nContent-Encoding: snappy\r\n"
                        "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
  EXPECT_TRUE(out.starts_with("HTTP/1.1 411 ")) << out;
  EXPECT_EQ(strata::testing::CountResponses(out), 1) << out;

  // A POST without Content-Length has an empty body (the server does not
  // wait for the connection to close); the next pipelined request is served.
  out = RawHttpExchange(port_,
                        "POST /api/v1/labels HTTP/1.1\r\nHost: x\r\n\r\n"
                        "GET /-/healthy HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(strata::testing::CountResponses(out), 2) << out;
  EXPECT_NE(out.find("Strata is Healthy."), std::string::npos) << out;
}

TEST_F(MetadataApiTest, RemoteWriteOverHttp) {
  std::string body = strata::testing::RemoteWriteV1Body(
      {{{{"__name__", "rw_test"}, {"job", "rw"}}, t0_ + 1000, 42}});
  httplib::Headers headers = {{"Content-Encoding", "snappy"},
                              {"X-Prometheus-Remote-Write-Version", "0.1.0"}};
  auto res = client_->Post("/api/v1/write", headers, body, "application/x-protobuf");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 204) << res->body;
  EXPECT_FALSE(res->has_header("X-Prometheus-Remote-Write-Samples-Written"));
  EXPECT_EQ(Get("/api/v1/series?match[]=rw_test").second,
            R"({"status":"success","data":[{"__name__":"rw_test","job":"rw"}]})");

  // Remote write 2.0 reports what it wrote in headers.
  strata::rw::v2::Request v2;
  for (const char* s : {"", "__name__", "rw2_test", "job", "rw"}) v2.add_symbols(s);
  auto* ts = v2.add_timeseries();
  for (uint32_t ref : {1, 2, 3, 4}) ts->add_labels_refs(ref);
  auto* sample = ts->add_samples();
  sample->set_timestamp(t0_ + 1000);
  sample->set_value(7);
  std::string raw;
  v2.SerializeToString(&raw);
  body.clear();
  snappy::Compress(raw.data(), raw.size(), &body);
  res = client_->Post("/api/v1/write", {{"Content-Encoding", "snappy"}}, body,
                      "application/x-protobuf;proto=io.prometheus.write.v2.Request");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 204) << res->body;
  EXPECT_EQ(res->get_header_value("X-Prometheus-Remote-Write-Samples-Written"), "1");
  EXPECT_EQ(res->get_header_value("X-Prometheus-Remote-Write-Histograms-Written"), "0");
  EXPECT_EQ(res->get_header_value("X-Prometheus-Remote-Write-Exemplars-Written"), "0");

  // Errors from the handler come back as text with its status.
  res = client_->Post("/api/v1/write", headers, "not snappy", "application/x-protobuf");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/plain; charset=utf-8");

  auto metrics = Get("/metrics").second;
  EXPECT_NE(metrics.find(R"(strata_http_requests_total{code="204",handler="/api/v1/write"} 2)"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find(R"(strata_remote_write_samples_written_total 2)"), std::string::npos);
  EXPECT_NE(metrics.find(R"(strata_remote_write_requests_by_protocol_total{version="2.0"} 1)"),
            std::string::npos);
  // Two requests decoded (one series and sample each); the third did not.
  EXPECT_NE(metrics.find("\nstrata_remote_write_samples_received_total 2\n"), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("\nstrata_remote_write_series_received_total 2\n"), std::string::npos);
  EXPECT_NE(metrics.find("# TYPE strata_wal_fsync_duration_seconds histogram"), std::string::npos);
  EXPECT_NE(metrics.find("strata_wal_fsync_duration_seconds_bucket{le=\"0.0001\"} "),
            std::string::npos);
  EXPECT_NE(metrics.find("strata_wal_fsync_duration_seconds_bucket{le=\"+Inf\"} "),
            std::string::npos);
  EXPECT_NE(metrics.find("strata_http_request_duration_seconds_bucket{handler=\"/api/v1/series\""),
            std::string::npos);
}

TEST_F(MetadataApiTest, ServesManyConcurrentKeepAliveConnections) {
  // Every connection stays open while all the others are opened: a server
  // with fewer connection threads would leave some waiting (and this test
  // would time out on them).
  constexpr int kConnections = 210;
  std::mutex mu;
  std::condition_variable cv;
  int opened = 0;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kConnections; ++i) {
    threads.emplace_back([&] {
      httplib::Client c("127.0.0.1", port_);
      c.set_keep_alive(true);
      c.set_read_timeout(20, 0);
      if (auto r = c.Get("/-/ready"); r && r->status == 200) ++ok;
      {
        std::unique_lock<std::mutex> lock(mu);
        ++opened;
        cv.notify_all();
        cv.wait_for(lock, std::chrono::seconds(30), [&] { return opened == kConnections; });
      }
      for (int j = 0; j < 2; ++j) {
        if (auto r = c.Get("/api/v1/label/job/values"); r && r->status == 200) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 3 * kConnections);
}

TEST_F(MetadataApiTest, ConnectionsBeyondTheLimitWaitForAFreeSlot) {
  ServerOptions options;
  options.listen_address = "127.0.0.1:0";
  options.max_connections = 2;
  HttpServer small(db_.get(), &logger_, options);
  ASSERT_TRUE(small.Start().ok());
  auto first = std::make_unique<httplib::Client>("127.0.0.1", small.port());
  httplib::Client second("127.0.0.1", small.port());
  for (httplib::Client* c : {first.get(), &second}) {
    c->set_keep_alive(true);
    ASSERT_EQ(c->Get("/-/ready")->status, 200);
  }
  // Both slots hold idle keep-alive connections: a third waits...
  std::atomic<int> third_status{0};
  std::thread third([&] {
    httplib::Client c("127.0.0.1", small.port());
    c.set_read_timeout(10, 0);
    auto r = c.Get("/-/ready");
    third_status = r ? r->status : -1;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(third_status.load(), 0);
  // ...until one of them goes away.
  first.reset();
  third.join();
  EXPECT_EQ(third_status.load(), 200);
  small.Shutdown();
}

TEST_F(MetadataApiTest, ShutdownDoesNotWaitForIdleConnections) {
  httplib::Client idle("127.0.0.1", port_);
  idle.set_keep_alive(true);
  ASSERT_EQ(idle.Get("/-/ready")->status, 200);
  auto start = std::chrono::steady_clock::now();
  server_->Shutdown();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  server_->Shutdown();  // idempotent
  EXPECT_FALSE(idle.Get("/-/ready"));
}

TEST(ParseTest, PromTime) {
  EXPECT_EQ(*ParsePromTime("0"), 0);
  EXPECT_EQ(*ParsePromTime("1.5"), 1500);
  EXPECT_EQ(*ParsePromTime("+1.0625"), 1063);  // rounded half away from zero
  EXPECT_EQ(*ParsePromTime("-1.0625"), -1063);
  EXPECT_EQ(*ParsePromTime("-1.5"), -1500);
  EXPECT_EQ(*ParsePromTime("1e3"), 1000000);
  EXPECT_EQ(*ParsePromTime("1700000000.123"), 1700000000123);
  EXPECT_EQ(*ParsePromTime("2015-07-01T20:10:51.781Z"), 1435781451781);
  EXPECT_EQ(*ParsePromTime("2015-07-01T20:10:51Z"), 1435781451000);
  EXPECT_EQ(*ParsePromTime("2015-07-01T22:10:51.7819999+02:00"), 1435781451781);
  EXPECT_EQ(*ParsePromTime("1969-12-31T23:59:59.999Z"), -1);
  EXPECT_EQ(*ParsePromTime("2024-02-29T00:00:00Z"), 1709164800000);
  EXPECT_EQ(*ParsePromTime(kMinTimeFormatted), kApiMinTimeMs);
  EXPECT_EQ(*ParsePromTime(kMaxTimeFormatted), kApiMaxTimeMs);
  for (const char* bad : {"", "abc", "NaN", "Inf", "1e400", " 1", "2023-02-29T00:00:00Z",
                          "2024-01-01T24:00:00Z", "2024-01-01 00:00:00Z", "2024-01-01T00:00:00",
                          "2024-01-01T00:00:00z", "2024-01-01T00:00:60Z"}) {
    EXPECT_FALSE(ParsePromTime(bad).ok()) << bad;
  }
  EXPECT_EQ(ParsePromTime("x").status().message(), "cannot parse \"x\" to a valid timestamp");
}

TEST(ParseTest, GoIntAndUrlEncoding) {
  EXPECT_EQ(*ParseGoInt("+12"), 12);
  EXPECT_EQ(*ParseGoInt("-9223372036854775808"), INT64_MIN);
  EXPECT_EQ(ParseGoInt("9223372036854775808").status().message(),
            "strconv.Atoi: parsing \"9223372036854775808\": value out of range");
  EXPECT_EQ(ParseGoInt("1 ").status().message(), "strconv.Atoi: parsing \"1 \": invalid syntax");

  FormValues form;
  absl::Status st = ParseUrlEncoded("a=1&b=x+y%21&a=2&&c&d=%zz&e=%4", &form);
  EXPECT_EQ(st.message(), "invalid URL escape \"%zz\"");
  EXPECT_EQ(form.Get("b"), "x y!");
  EXPECT_EQ(form.GetAll("a"), (std::vector<std::string_view>{"1", "2"}));
  EXPECT_EQ(form.Get("c"), "");
  EXPECT_EQ(form.size(), 4u);  // d and e were skipped
  FormValues semi;
  EXPECT_EQ(ParseUrlEncoded("a=1;b=2", &semi).message(), "invalid semicolon separator in query");
}

TEST(ParseTest, UnescapeLabelName) {
  EXPECT_EQ(UnescapeLabelName("job"), "job");
  EXPECT_EQ(UnescapeLabelName("U__job"), "job");
  EXPECT_EQ(UnescapeLabelName("U__my__label"), "my_label");
  EXPECT_EQ(UnescapeLabelName("U__service_2e_name"), "service.name");
  EXPECT_EQ(UnescapeLabelName("U___1f600_"), "\xf0\x9f\x98\x80");
  EXPECT_EQ(UnescapeLabelName("U__bad_zz_"), "U__bad_zz_");            // not hex
  EXPECT_EQ(UnescapeLabelName("U__open_2e"), "U__open_2e");            // unterminated
  EXPECT_EQ(UnescapeLabelName("U__big_1234567_"), "U__big_1234567_");  // too long
  EXPECT_EQ(UnescapeLabelName("U__sur_d800_"), "U__sur_d800_");        // surrogate
  EXPECT_EQ(UnescapeLabelName("U__trail_"), "U__trail_");
}

}  // namespace
}  // namespace strata::api
