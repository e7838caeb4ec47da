// The syntax tree JSON of /api/v1/parse_query, one test per node kind, with
// the shapes of Prometheus 3's web/api/v1/translate_ast.go (and its test
// data for duration expressions); plus both formatting endpoints over
// loopback HTTP.
#include "api/parse_query_json.h"

#include <memory>
#include <string>

#include "absl/strings/str_replace.h"
#include "api/server.h"
#include "fmt/format.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "promql/parser.h"
#include "tests/process_util.h"
#include "tests/test_util.h"
#include "tsdb/base/clock.h"
#include "tsdb/db.h"

namespace strata::api {
namespace {

using nlohmann::json;

std::string TreeJson(const std::string& query) {
  absl::StatusOr<std::unique_ptr<promql::Expr>> e = promql::ParseExpr(query);
  EXPECT_TRUE(e.ok()) << query << ": " << e.status();
  if (!e.ok()) return "";
  std::string out;
  JsonWriter w(&out);
  WriteParseQueryJson(**e, &w);
  return out;
}

// Compares as parsed JSON values, and checks that the bytes are compact with
// keys in sorted order, as Go marshals maps: nlohmann's objects are sorted
// maps, so re-serialising must give the same bytes once Go's HTML-safe
// escapes of '<', '>' and '&' (which nlohmann does not use) are undone.
void ExpectTree(const std::string& query, const std::string& want) {
  const std::string raw = TreeJson(query);
  const json got = json::parse(raw, nullptr, /*allow_exceptions=*/false);
  const std::string unescaped =
      absl::StrReplaceAll(raw, {{"\\u003c", "<"}, {"\\u003e", ">"}, {"\\u0026", "&"}});
  EXPECT_EQ(got.dump(), unescaped) << "query: " << query;
  const json expected = json::parse(want, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(expected.is_discarded()) << "bad expectation for " << query;
  EXPECT_EQ(got, expected) << "query: " << query << "\ngot:  " << got.dump()
                           << "\nwant: " << expected.dump();
}

// A plain `foo` selector, as it appears inside other nodes.
constexpr char kFoo[] =
    R"({"type":"vectorSelector","name":"foo","offset":0,"offsetExpr":null,"anchored":false,
        "smoothed":false,"startOrEnd":null,"timestamp":null,
        "matchers":[{"name":"__name__","type":"=","value":"foo"}]})";
constexpr char kBar[] =
    R"({"type":"vectorSelector","name":"bar","offset":0,"offsetExpr":null,"anchored":false,
        "smoothed":false,"startOrEnd":null,"timestamp":null,
        "matchers":[{"name":"__name__","type":"=","value":"bar"}]})";

std::string Num(const std::string& val, bool duration = false) {
  return fmt::format(R"({{"type":"numberLiteral","val":"{}","duration":{}}})", val, duration);
}

TEST(ParseQueryJsonTest, KeysAreSortedAndCompactAsGoMarshalsMaps) {
  EXPECT_EQ(TreeJson("(1)"),
            R"({"expr":{"duration":false,"type":"numberLiteral","val":"1"},"type":"parenExpr"})");
  EXPECT_EQ(TreeJson(R"("a<b")"), R"({"type":"stringLiteral","val":"a\u003cb"})");
}

TEST(ParseQueryJsonTest, VectorSelector) {
  // The name matcher comes last, as Prometheus's parser appends it.
  ExpectTree(R"(foo{a="b",c!~"d.*"} offset 5m @ 100)",
             R"({"type":"vectorSelector","name":"foo","offset":300000,"offsetExpr":null,
                 "anchored":false,"smoothed":false,"startOrEnd":null,"timestamp":100000,
                 "matchers":[{"name":"a","type":"=","value":"b"},
                             {"name":"c","type":"!~","value":"d.*"},
                             {"name":"__name__","type":"=","value":"foo"}]})");
  // A quoted name inside the braces is an ordinary matcher; the name stays
  // empty.
  ExpectTree(R"({"my.metric", "a.b"=~"c", x!=""} @ end())",
             R"({"type":"vectorSelector","name":"","offset":0,"offsetExpr":null,
                 "anchored":false,"smoothed":false,"startOrEnd":"end","timestamp":null,
                 "matchers":[{"name":"__name__","type":"=","value":"my.metric"},
                             {"name":"a.b","type":"=~","value":"c"},
                             {"name":"x","type":"!=","value":""}]})");
  ExpectTree("foo offset -1m30s @ 1.5",
             R"({"type":"vectorSelector","name":"foo","offset":-90000,"offsetExpr":null,
                 "anchored":false,"smoothed":false,"startOrEnd":null,"timestamp":1500,
                 "matchers":[{"name":"__name__","type":"=","value":"foo"}]})");
}

TEST(ParseQueryJsonTest, MatrixSelector) {
  ExpectTree(R"(foo{job="x"}[5m] @ start() offset 1m)",
             R"({"type":"matrixSelector","name":"foo","range":300000,"rangeExpr":null,
                 "offset":60000,"offsetExpr":null,"anchored":false,"smoothed":false,
                 "startOrEnd":"start","timestamp":null,
                 "matchers":[{"name":"job","type":"=","value":"x"},
                             {"name":"__name__","type":"=","value":"foo"}]})");
}

TEST(ParseQueryJsonTest, Subquery) {
  ExpectTree("foo[1h:5m] offset 10m @ end()",
             fmt::format(R"({{"type":"subquery","expr":{},"range":3600000,"rangeExpr":null,
                            "step":300000,"stepExpr":null,"offset":600000,"offsetExpr":null,
                            "startOrEnd":"end","timestamp":null}})",
                         kFoo));
  ExpectTree("foo[5m:] @ 10",
             fmt::format(R"({{"type":"subquery","expr":{},"range":300000,"rangeExpr":null,
                            "step":0,"stepExpr":null,"offset":0,"offsetExpr":null,
                            "startOrEnd":null,"timestamp":10000}})",
                         kFoo));
}

TEST(ParseQueryJsonTest, Aggregation) {
  ExpectTree("topk by (job) (3, foo)",
             fmt::format(R"({{"type":"aggregation","op":"topk","expr":{},"param":{},
                            "grouping":["job"],"without":false}})",
                         kFoo, Num("3")));
  ExpectTree("sum without () (foo)",
             fmt::format(R"({{"type":"aggregation","op":"sum","expr":{},"param":null,
                            "grouping":[],"without":true}})",
                         kFoo));
  ExpectTree(R"(count_values("v", foo) by ("a.b", c))",
             fmt::format(R"({{"type":"aggregation","op":"count_values","expr":{},
                            "param":{{"type":"stringLiteral","val":"v"}},
                            "grouping":["a.b","c"],"without":false}})",
                         kFoo));
  ExpectTree("limit_ratio(0.5, foo)",
             fmt::format(R"({{"type":"aggregation","op":"limit_ratio","expr":{},"param":{},
                            "grouping":[],"without":false}})",
                         kFoo, Num("0.5")));
}

TEST(ParseQueryJsonTest, BinaryExpr) {
  constexpr char kNoFill[] = R"({"lhs":null,"rhs":null})";
  ExpectTree("foo / on(a) group_left(b) bar",
             fmt::format(R"({{"type":"binaryExpr","op":"/","lhs":{},"rhs":{},"bool":false,
                            "matching":{{"card":"many-to-one","labels":["a"],"on":true,
                                         "include":["b"],"fillValues":{}}}}})",
                         kFoo, kBar, kNoFill));
  ExpectTree("foo - ignoring(a, b) group_right bar",
             fmt::format(R"({{"type":"binaryExpr","op":"-","lhs":{},"rhs":{},"bool":false,
                            "matching":{{"card":"one-to-many","labels":["a","b"],"on":false,
                                         "include":[],"fillValues":{}}}}})",
                         kFoo, kBar, kNoFill));
  // Between two vectors matching is always present: one-to-one by default,
  // many-to-many for set operators.
  ExpectTree("foo == bool bar",
             fmt::format(R"({{"type":"binaryExpr","op":"==","lhs":{},"rhs":{},"bool":true,
                            "matching":{{"card":"one-to-one","labels":[],"on":false,
                                         "include":[],"fillValues":{}}}}})",
                         kFoo, kBar, kNoFill));
  ExpectTree("foo unless on() bar",
             fmt::format(R"({{"type":"binaryExpr","op":"unless","lhs":{},"rhs":{},"bool":false,
                            "matching":{{"card":"many-to-many","labels":[],"on":true,
                                         "include":[],"fillValues":{}}}}})",
                         kFoo, kBar, kNoFill));
  // With a scalar operand there is none.
  ExpectTree("foo atan2 2",
             fmt::format(R"({{"type":"binaryExpr","op":"atan2","lhs":{},"rhs":{},"bool":false,
                            "matching":null}})",
                         kFoo, Num("2")));
  ExpectTree("1 > bool 2",
             fmt::format(R"({{"type":"binaryExpr","op":">","lhs":{},"rhs":{},"bool":true,
                            "matching":null}})",
                         Num("1"), Num("2")));
}

TEST(ParseQueryJsonTest, Call) {
  ExpectTree("time()",
             R"({"type":"call","args":[],
                 "func":{"name":"time","argTypes":[],"variadic":0,"returnType":"scalar"}})");
  ExpectTree("round(foo)", fmt::format(R"({{"type":"call","args":[{}],
                            "func":{{"name":"round","argTypes":["vector","scalar"],"variadic":1,
                                     "returnType":"vector"}}}})",
                                       kFoo));
  ExpectTree(R"(label_join(foo, "d", ",", "a", "b"))",
             fmt::format(R"({{"type":"call","args":[{},{{"type":"stringLiteral","val":"d"}},
                            {{"type":"stringLiteral","val":","}},
                            {{"type":"stringLiteral","val":"a"}},
                            {{"type":"stringLiteral","val":"b"}}],
                            "func":{{"name":"label_join",
                                     "argTypes":["vector","string","string","string"],
                                     "variadic":-1,"returnType":"vector"}}}})",
                         kFoo));
}

TEST(ParseQueryJsonTest, NumberLiterals) {
  ExpectTree("1.5", Num("1.5"));
  ExpectTree("0x1f", Num("31"));
  ExpectTree("1e-7", Num("0.0000001"));  // 'f' format, never an exponent
  ExpectTree("1e21", Num("1000000000000000000000"));
  ExpectTree("-2", Num("-2"));  // the sign is folded into the literal
  ExpectTree("Inf", Num("+Inf"));
  ExpectTree("-Inf", Num("-Inf"));
  ExpectTree("NaN", Num("NaN"));
  ExpectTree("1m30s", Num("90", /*duration=*/true));
}

TEST(ParseQueryJsonTest, StringParenAndUnary) {
  ExpectTree(R"('a"b\n')", R"({"type":"stringLiteral","val":"a\"b\n"})");
  ExpectTree("(foo)", fmt::format(R"({{"type":"parenExpr","expr":{}}})", kFoo));
  ExpectTree("-foo", fmt::format(R"({{"type":"unaryExpr","op":"-","expr":{}}})", kFoo));
  ExpectTree("-(1)", fmt::format(R"({{"type":"unaryExpr","op":"-","expr":
                                       {{"type":"parenExpr","expr":{}}}}})",
                                 Num("1")));
}

// Duration expressions: the cases of Prometheus's translate_ast_test.go,
// written with min_of/max_of (Prometheus 3.14's names, the only ones Strata's
// parser accepts inside brackets and offsets); the op is named after them.
std::string Dur(const std::string& op, const std::string& lhs, const std::string& rhs,
                bool wrapped = false) {
  return fmt::format(R"({{"type":"durationExpr","op":"{}","lhs":{},"rhs":{},"wrapped":{}}})", op,
                     lhs, rhs, wrapped);
}

TEST(ParseQueryJsonTest, DurationExpressions) {
  const std::string foo_matchers = R"([{"name":"__name__","type":"=","value":"foo"}])";
  auto matrix = [&](const std::string& range, const std::string& range_expr,
                    const std::string& offset_expr) {
    return fmt::format(
        R"({{"type":"matrixSelector","name":"foo","range":{},"rangeExpr":{},"offset":0,
             "offsetExpr":{},"anchored":false,"smoothed":false,"startOrEnd":null,
             "timestamp":null,"matchers":{}}})",
        range, range_expr, offset_expr, foo_matchers);
  };
  ExpectTree("foo[5m+1m]", matrix("0", Dur("+", Num("300", true), Num("60", true)), "null"));
  ExpectTree("foo[5m+1m] offset (10m/2)",
             matrix("0", Dur("+", Num("300", true), Num("60", true)),
                    Dur("/", Num("600", true), Num("2"), /*wrapped=*/true)));
  ExpectTree("foo[max_of(step(),5m+3m) ]", matrix("0",
                                                  Dur("max_of", Dur("step", "null", "null"),
                                                      Dur("+", Num("300", true), Num("180", true))),
                                                  "null"));
  ExpectTree("foo[min_of(max_of(step(),5m+3m),10m-2m)]",
             matrix("0",
                    Dur("min_of",
                        Dur("max_of", Dur("step", "null", "null"),
                            Dur("+", Num("300", true), Num("180", true))),
                        Dur("-", Num("600", true), Num("120", true))),
                    "null"));
  ExpectTree("foo[range()]", matrix("0", Dur("range", "null", "null"), "null"));
  ExpectTree("foo[4s+4s:1s*2] offset (5s-8)",
             fmt::format(R"({{"type":"subquery","expr":{},"range":0,"rangeExpr":{},"step":0,
                            "stepExpr":{},"offset":0,"offsetExpr":{},"startOrEnd":null,
                            "timestamp":null}})",
                         kFoo, Dur("+", Num("4", true), Num("4", true)),
                         Dur("*", Num("1", true), Num("2")),
                         Dur("-", Num("5", true), Num("8"), /*wrapped=*/true)));
  ExpectTree("foo offset -min_of(5s,step()+8s)",
             fmt::format(R"({{"type":"vectorSelector","name":"foo","offset":0,"offsetExpr":{},
                     "anchored":false,"smoothed":false,"startOrEnd":null,"timestamp":null,
                     "matchers":{}}})",
                         Dur("-", "null",
                             Dur("min_of", Num("5", true),
                                 Dur("+", Dur("step", "null", "null"), Num("8", true)))),
                         foo_matchers));
}

// Both endpoints over loopback HTTP.
class FormatEndpointsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DBOptions o;
    o.clock = &clock_;
    auto db = DB::Open(dir_.path() + "/data", o);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
    const int port = strata::testing::FreeLocalPort();
    ServerOptions options;
    options.listen_address = fmt::format("127.0.0.1:{}", port);
    options.clock = &clock_;
    server_ = std::make_unique<HttpServer>(db_.get(), nullptr, options);
    ASSERT_TRUE(server_->Start().ok());
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port);
    client_->set_read_timeout(10, 0);
  }
  void TearDown() override {
    if (server_) server_->Shutdown();
  }

  std::pair<int, std::string> Post(const std::string& path, const std::string& query) {
    auto r = client_->Post(path, httplib::Params{{"query", query}});
    if (!r) return {0, ""};
    return {r->status, r->body};
  }

  strata::testing::TempDir dir_;
  ManualClock clock_{1000};
  std::unique_ptr<DB> db_;
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(FormatEndpointsTest, FormatQuerySplitsLongExpressions) {
  const std::string q = R"(sum by (job) (rate(http_requests_total{job="api",code=~"5.."}[5m])) / )"
                        R"(sum by (job) (rate(http_requests_total{job="api"}[5m])))";
  auto [code, body] = Post("/api/v1/format_query", q);
  EXPECT_EQ(code, 200);
  const json want = {
      {"status", "success"},
      {"data",
       "  sum by (job) (rate(http_requests_total{code=~\"5..\",job=\"api\"}[5m]))\n/\n"
       "  sum by (job) (rate(http_requests_total{job=\"api\"}[5m]))"}};
  EXPECT_EQ(json::parse(body), want) << body;
}

TEST_F(FormatEndpointsTest, ParseQueryReturnsTheTree) {
  auto [code, body] = Post("/api/v1/parse_query", "-foo");
  EXPECT_EQ(code, 200);
  EXPECT_EQ(
      json::parse(body),
      json::parse(fmt::format(
          R"({{"status":"success","data":{{"type":"unaryExpr","op":"-","expr":{}}}}})", kFoo)))
      << body;
}

TEST_F(FormatEndpointsTest, BadQueriesAreBadData) {
  for (const char* path : {"/api/v1/parse_query", "/api/v1/format_query"}) {
    auto [code, body] = Post(path, "foo{");
    EXPECT_EQ(code, 400) << path;
    const json got = json::parse(body, nullptr, false);
    EXPECT_EQ(got.value("errorType", ""), "bad_data") << body;
    EXPECT_EQ(got.value("status", ""), "error") << body;
  }
}

}  // namespace
}  // namespace strata::api
