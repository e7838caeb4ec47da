// Tests of the multi-line formatter. The input/output pairs are Prometheus's
// (promql/parser/prettier_test.go), which run with a line limit of 10
// characters so that short queries exercise every split rule; the tests at
// the end check the real limit of 100.
#include "promql/prettier.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "promql/parser.h"

namespace strata::promql {
namespace {

constexpr size_t kTestLimit = 10;  // Prometheus's tests set maxCharactersPerLine = 10

struct Case {
  std::string in;
  std::string want;
};

void ExpectPretty(const std::vector<Case>& cases, size_t limit = kTestLimit) {
  for (const Case& c : cases) {
    absl::StatusOr<std::unique_ptr<Expr>> e = ParseExpr(c.in);
    ASSERT_TRUE(e.ok()) << c.in << ": " << e.status();
    EXPECT_EQ(Prettify(**e, limit), c.want) << "input: " << c.in;
  }
}

TEST(PrettierTest, Aggregations) {
  ExpectPretty({
      {"sum(foo)", "sum(foo)"},
      {R"(sum by() (task:errors:rate10s{job="s"}))", "sum(\n  task:errors:rate10s{job=\"s\"}\n)"},
      {R"(sum without(job,foo) (task:errors:rate10s{job="s"}))",
       "sum without (job, foo) (\n  task:errors:rate10s{job=\"s\"}\n)"},
      {R"(sum(task:errors:rate10s{job="s"}) without(job,foo))",
       "sum without (job, foo) (\n  task:errors:rate10s{job=\"s\"}\n)"},
      {R"(sum by(job,foo) (task:errors:rate10s{job="s"}))",
       "sum by (job, foo) (\n  task:errors:rate10s{job=\"s\"}\n)"},
      {R"(sum (task:errors:rate10s{job="s"}) by(job,foo))",
       "sum by (job, foo) (\n  task:errors:rate10s{job=\"s\"}\n)"},
      {R"(topk(10, ask:errors:rate10s{job="s"}))",
       "topk(\n  10,\n  ask:errors:rate10s{job=\"s\"}\n)"},
      {R"(sum by(job,foo) (sum by(job,foo) (task:errors:rate10s{job="s"})))",
       "sum by (job, foo) (\n  sum by (job, foo) (\n    task:errors:rate10s{job=\"s\"}\n  )\n)"},
      {R"(sum by(job,foo) (sum by(job,foo) (sum by(job,foo) (task:errors:rate10s{job="s"}))))",
       "sum by (job, foo) (\n  sum by (job, foo) (\n    sum by (job, foo) (\n"
       "      task:errors:rate10s{job=\"s\"}\n    )\n  )\n)"},
      {"sum by(job,foo)\n(sum by(job,foo) (task:errors:rate10s{job=\"s\"}))",
       "sum by (job, foo) (\n  sum by (job, foo) (\n    task:errors:rate10s{job=\"s\"}\n  )\n)"},
      {"sum by(job,foo)\n(sum(task:errors:rate10s{job=\"s\"}) without(job,foo))",
       "sum by (job, foo) (\n  sum without (job, foo) (\n    task:errors:rate10s{job=\"s\"}\n"
       "  )\n)"},
      {"sum by(job,foo) # Comment 1.\n(sum by(job,foo) ( # Comment 2.\n"
       "task:errors:rate10s{job=\"s\"}))",
       "sum by (job, foo) (\n  sum by (job, foo) (\n    task:errors:rate10s{job=\"s\"}\n  )\n)"},
  });
}

TEST(PrettierTest, BinaryExpressions) {
  ExpectPretty({
      {"a+b", "a + b"},
      {"a == bool 1", "  a\n== bool\n  1"},
      {"a + ignoring(job) b", "  a\n+ ignoring (job)\n  b"},
      {"foo_1 + foo_2", "  foo_1\n+\n  foo_2"},
      {"foo_1 + foo_2 + foo_3", "    foo_1\n  +\n    foo_2\n+\n  foo_3"},
      {"foo + baar + foo_3", "  foo + baar\n+\n  foo_3"},
      {"foo_1 + foo_2 + foo_3 + foo_4",
       "      foo_1\n    +\n      foo_2\n  +\n    foo_3\n+\n  foo_4"},
      {"foo_1 + ignoring(foo) foo_2 + ignoring(job) group_left foo_3 + on(instance) "
       "group_right foo_4",
       "      foo_1\n    + ignoring (foo)\n      foo_2\n  + ignoring (job) group_left ()\n"
       "    foo_3\n+ on (instance) group_right ()\n  foo_4"},
  });
}

TEST(PrettierTest, Calls) {
  ExpectPretty({
      {"rate(foo[1m])", "rate(\n  foo[1m]\n)"},
      {"sum_over_time(foo[1m])", "sum_over_time(\n  foo[1m]\n)"},
      {"rate(long_vector_selector[10m:1m] @ start() offset 1m)",
       "rate(\n  long_vector_selector[10m:1m] @ start() offset 1m\n)"},
      {"histogram_quantile(0.9, rate(foo[1m]))",
       "histogram_quantile(\n  0.9,\n  rate(\n    foo[1m]\n  )\n)"},
      {"max_over_time(rate(demo_api_request_duration_seconds_count[1m])[1m:] @ start() offset 1m)",
       "max_over_time(\n  rate(\n    demo_api_request_duration_seconds_count[1m]\n"
       "  )[1m:] @ start() offset 1m\n)"},
      {R"(label_replace(up{job="api-server",service="a:c"}, "foo", "$1", "service", "(.*):.*"))",
       "label_replace(\n  up{job=\"api-server\",service=\"a:c\"},\n  \"foo\",\n  \"$1\",\n"
       "  \"service\",\n  \"(.*):.*\"\n)"},
      {R"(label_replace(label_replace(up{job="api-server",service="a:c"}, "foo", "$1", )"
       R"("service", "(.*):.*"), "foo", "$1", "service", "(.*):.*"))",
       "label_replace(\n  label_replace(\n    up{job=\"api-server\",service=\"a:c\"},\n"
       "    \"foo\",\n    \"$1\",\n    \"service\",\n    \"(.*):.*\"\n  ),\n  \"foo\",\n"
       "  \"$1\",\n  \"service\",\n  \"(.*):.*\"\n)"},
  });
}

TEST(PrettierTest, Parentheses) {
  ExpectPretty({
      {"(foo)", "(foo)"},
      {"(_foo_long_)", "(\n  _foo_long_\n)"},
      {"((foo_long))", "(\n  (foo_long)\n)"},
      {"((_foo_long_))", "(\n  (\n    _foo_long_\n  )\n)"},
      {"(((foo_long)))", "(\n  (\n    (foo_long)\n  )\n)"},
  });
}

TEST(PrettierTest, AtModifiers) {
  ExpectPretty({
      {"a @ 1", "a @ 1.000"},
      {"a @ start()", "a @ start()"},
      {"vector_selector @ start()", "vector_selector @ start()"},
  });
}

TEST(PrettierTest, MixedExpressions) {
  ExpectPretty({
      {"(1 + 2)", "(1 + 2)"},
      {"(foo + bar)", "(\n  foo + bar\n)"},
      {"(foo_long + bar_long)", "(\n    foo_long\n  +\n    bar_long\n)"},
      {"(foo_long + bar_long + bar_2_long)",
       "(\n      foo_long\n    +\n      bar_long\n  +\n    bar_2_long\n)"},
      {"((foo_long + bar_long) + bar_2_long)",
       "(\n    (\n        foo_long\n      +\n        bar_long\n    )\n  +\n    bar_2_long\n)"},
      {"(1111 + 2222)", "(\n    1111\n  +\n    2222\n)"},
      {"(sum_over_time(foo[1m]))", "(\n  sum_over_time(\n    foo[1m]\n  )\n)"},
      {"histogram_quantile(0.9, rate(foo[1m] @ start()))",
       "histogram_quantile(\n  0.9,\n  rate(\n    foo[1m] @ start()\n  )\n)"},
      {R"((label_replace(up{job="api-server",service="a:c"}, "foo", "$1", "service", "(.*):.*")))",
       "(\n  label_replace(\n    up{job=\"api-server\",service=\"a:c\"},\n    \"foo\",\n"
       "    \"$1\",\n    \"service\",\n    \"(.*):.*\"\n  )\n)"},
      {R"((label_replace(label_replace(up{job="api-server",service="a:c"}, "foo", "$1", )"
       R"("service", "(.*):.*"), "foo", "$1", "service", "(.*):.*")))",
       "(\n  label_replace(\n    label_replace(\n      up{job=\"api-server\",service=\"a:c\"},\n"
       "      \"foo\",\n      \"$1\",\n      \"service\",\n      \"(.*):.*\"\n    ),\n"
       "    \"foo\",\n    \"$1\",\n    \"service\",\n    \"(.*):.*\"\n  )\n)"},
      {R"((label_replace(label_replace((up{job="api-server",service="a:c"}), "foo", "$1", )"
       R"("service", "(.*):.*"), "foo", "$1", "service", "(.*):.*")))",
       "(\n  label_replace(\n    label_replace(\n      (\n"
       "        up{job=\"api-server\",service=\"a:c\"}\n      ),\n      \"foo\",\n"
       "      \"$1\",\n      \"service\",\n      \"(.*):.*\"\n    ),\n    \"foo\",\n"
       "    \"$1\",\n    \"service\",\n    \"(.*):.*\"\n  )\n)"},
  });
}

// Alerting-rule expressions from monitoring.mixins.dev, as in Prometheus's
// tests.
TEST(PrettierTest, MixinQueries) {
  ExpectPretty({
      {R"((node_filesystem_avail_bytes{job="node",fstype!=""} / )"
       R"(node_filesystem_size_bytes{job="node",fstype!=""} * 100 < 40 and )"
       R"(predict_linear(node_filesystem_avail_bytes{job="node",fstype!=""}[6h], 24*60*60) < 0 )"
       R"(and node_filesystem_readonly{job="node",fstype!=""} == 0))",
       R"((
            node_filesystem_avail_bytes{fstype!="",job="node"}
          /
            node_filesystem_size_bytes{fstype!="",job="node"}
        *
          100
      <
        40
    and
        predict_linear(
          node_filesystem_avail_bytes{fstype!="",job="node"}[6h],
            24 * 60
          *
            60
        )
      <
        0
  and
      node_filesystem_readonly{fstype!="",job="node"}
    ==
      0
))"},
      {R"((node_filesystem_avail_bytes{job="node",fstype!=""} / )"
       R"(node_filesystem_size_bytes{job="node",fstype!=""} * 100 < 20 and )"
       R"(predict_linear(node_filesystem_avail_bytes{job="node",fstype!=""}[6h], 4*60*60) < 0 )"
       R"(and node_filesystem_readonly{job="node",fstype!=""} == 0))",
       R"((
            node_filesystem_avail_bytes{fstype!="",job="node"}
          /
            node_filesystem_size_bytes{fstype!="",job="node"}
        *
          100
      <
        20
    and
        predict_linear(
          node_filesystem_avail_bytes{fstype!="",job="node"}[6h],
            4 * 60
          *
            60
        )
      <
        0
  and
      node_filesystem_readonly{fstype!="",job="node"}
    ==
      0
))"},
      {"(node_timex_offset_seconds > 0.05 and deriv(node_timex_offset_seconds[5m]) >= 0) or "
       "(node_timex_offset_seconds < -0.05 and deriv(node_timex_offset_seconds[5m]) <= 0)",
       R"(  (
        node_timex_offset_seconds
      >
        0.05
    and
        deriv(
          node_timex_offset_seconds[5m]
        )
      >=
        0
  )
or
  (
        node_timex_offset_seconds
      <
        -0.05
    and
        deriv(
          node_timex_offset_seconds[5m]
        )
      <=
        0
  ))"},
      {R"(1 - ((node_memory_MemAvailable_bytes{job="node"} or )"
       R"((node_memory_Buffers_bytes{job="node"} + node_memory_Cached_bytes{job="node"} + )"
       R"(node_memory_MemFree_bytes{job="node"} + node_memory_Slab_bytes{job="node"}) ) / )"
       R"(node_memory_MemTotal_bytes{job="node"}))",
       R"(  1
-
  (
      (
          node_memory_MemAvailable_bytes{job="node"}
        or
          (
                  node_memory_Buffers_bytes{job="node"}
                +
                  node_memory_Cached_bytes{job="node"}
              +
                node_memory_MemFree_bytes{job="node"}
            +
              node_memory_Slab_bytes{job="node"}
          )
      )
    /
      node_memory_MemTotal_bytes{job="node"}
  ))"},
      {R"(min by (job, integration) (rate(alertmanager_notifications_failed_total{)"
       R"(job="alertmanager", integration=~".*"}[5m]) / rate(alertmanager_notifications_total{)"
       R"(job="alertmanager", integration="~.*"}[5m])) > 0.01)",
       R"(  min by (job, integration) (
      rate(
        alertmanager_notifications_failed_total{integration=~".*",job="alertmanager"}[5m]
      )
    /
      rate(
        alertmanager_notifications_total{integration="~.*",job="alertmanager"}[5m]
      )
  )
>
  0.01)"},
      {R"((count by (job) (changes(process_start_time_seconds{job="alertmanager"}[10m]) > 4) )"
       R"(/ count by (job) (up{job="alertmanager"})) >= 0.5)",
       R"(  (
      count by (job) (
          changes(
            process_start_time_seconds{job="alertmanager"}[10m]
          )
        >
          4
      )
    /
      count by (job) (
        up{job="alertmanager"}
      )
  )
>=
  0.5)"},
  });
}

TEST(PrettierTest, UnaryExpressions) {
  ExpectPretty({
      {"-1", "-1"},
      {"-vector_selector", "-vector_selector"},
      {"(-vector_selector)", "(\n  -vector_selector\n)"},
      {"-histogram_quantile(0.9,rate(foo[1m]))",
       "-histogram_quantile(\n  0.9,\n  rate(\n    foo[1m]\n  )\n)"},
      {"-histogram_quantile(0.99, sum by (le) (rate(foo[1m])))",
       "-histogram_quantile(\n  0.99,\n  sum by (le) (\n    rate(\n      foo[1m]\n    )\n  )\n)"},
      {"-histogram_quantile(0.9, -rate(foo[1m] @ start()))",
       "-histogram_quantile(\n  0.9,\n  -rate(\n    foo[1m] @ start()\n  )\n)"},
      {"(-histogram_quantile(0.9, -rate(foo[1m] @ start())))",
       "(\n  -histogram_quantile(\n    0.9,\n    -rate(\n      foo[1m] @ start()\n    )\n  )\n)"},
  });
}

TEST(PrettierTest, DurationExpressions) {
  ExpectPretty({
      {"rate(foo[2*1h])", "rate(\n  foo[2 * 1h]\n)"},
      {"rate(foo[-5m+35m])", "rate(\n  foo[-5m + 35m]\n)"},
  });
}

// Beyond Prometheus's tests: the behaviour at the real limit.

TEST(PrettierTest, ShortQueriesStayOnOneLineAsToString) {
  ExpectPretty(
      {
          {"sum(rate(http_requests_total{job=\"api\"}[5m])) by (code)",
           "sum by (code) (rate(http_requests_total{job=\"api\"}[5m]))"},
          {"foo offset -5m", "foo offset -5m"},
          {"a and on() b", "a and on () b"},
      },
      kMaxCharactersPerLine);
}

TEST(PrettierTest, SplitsExactlyAboveTheLimit) {
  // 100 characters stay on one line; 101 split.
  const std::string name98(98, 'a');
  ExpectPretty({{"(" + name98 + ")", "(" + name98 + ")"}}, kMaxCharactersPerLine);
  const std::string name99(99, 'a');
  ExpectPretty({{"(" + name99 + ")", "(\n  " + name99 + "\n)"}}, kMaxCharactersPerLine);
}

TEST(PrettierTest, DashboardQueryAtTheRealLimit) {
  ExpectPretty(
      {{"histogram_quantile(0.99, sum by (le, job) (rate(http_request_duration_seconds_bucket{"
        "job=\"api\"}[5m])))",
        "histogram_quantile(\n  0.99,\n  sum by (le, job) (rate(http_request_duration_seconds_"
        "bucket{job=\"api\"}[5m]))\n)"}},
      kMaxCharactersPerLine);
}

// Prometheus's SubqueryExpr.Pretty returns String() without indentation when
// the subquery fits; kept for byte compatibility.
TEST(PrettierTest, FittingSubqueryInsideSplitCallIsNotIndented) {
  ExpectPretty({{"max_over_time(rate(x[1m])[5m:])", "max_over_time(\nrate(x[1m])[5m:]\n)"}}, 20);
}

TEST(PrettierTest, SplitSubqueryKeepsModifiersAfterTheInnerExpression) {
  ExpectPretty({{"rate(foo_bar_baz[1m])[1h:5m] offset 10m",
                 "rate(\n  foo_bar_baz[1m]\n)[1h:5m] offset 10m"}});
}

TEST(PrettierTest, CountValuesParamAndQuotedLabels) {
  ExpectPretty({{R"(count_values without ("a.b") ("value", some_metric))",
                 "count_values without (\"a.b\") (\n  \"value\",\n  some_metric\n)"}});
}

TEST(PrettierTest, UnaryOverSplitParenthesis) {
  ExpectPretty({{"-(foo_long + bar_long)", "-(\n    foo_long\n  +\n    bar_long\n)"}});
}

}  // namespace
}  // namespace strata::promql
