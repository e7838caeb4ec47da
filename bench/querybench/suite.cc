// The dashboard query suite (suite.h).
#include "bench/querybench/suite.h"

#include <algorithm>
#include <cctype>

#include "fmt/format.h"

namespace strata::querybench {
namespace {

constexpr int64_t kMinute = 60'000;
constexpr int64_t kHour = 60 * kMinute;

// "24h", "1h30m", "5m", "15s".
std::string FormatDuration(int64_t ms) {
  std::string out;
  if (ms >= kHour) out += fmt::format("{}h", ms / kHour);
  if (ms % kHour >= kMinute) out += fmt::format("{}m", ms % kHour / kMinute);
  if (ms % kMinute != 0 || out.empty()) out += fmt::format("{}s", ms % kMinute / 1000.0);
  return out;
}

// Seconds with millisecond precision, as the HTTP API takes them.
std::string ApiTime(int64_t ms) { return fmt::format("{}.{:03}", ms / 1000, ms % 1000); }

// Percent-encodes everything but unreserved characters (RFC 3986).
std::string UrlEncode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

}  // namespace

std::vector<Query> DashboardSuite(const Dataset& dataset) {
  // "Now" for the dashboard: just before the newest scrape slot ends.
  const int64_t now = QueryTime(dataset, 1000);
  // Range queries ending at `now`; a day's range starts before the data
  // does, so its first steps also test how rates treat a series' start.
  const int64_t span = std::min<int64_t>(24 * kHour, dataset.end_ms() - dataset.start_ms());
  std::vector<Query> suite;
  auto instant = [&](std::string name, std::string expr) {
    suite.push_back({std::move(name), std::move(expr), false, now, 0, 0, 0});
  };
  auto range = [&](std::string name, std::string expr, int64_t length, int64_t step) {
    suite.push_back({std::move(name), std::move(expr), true, 0, now - length, now, step});
  };
  const std::string cpu_busy =
      R"(sum by (instance) (rate(node_cpu_seconds_total{mode!="idle"}[5m])))";
  const std::string p99 =
      "histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))";
  const std::string regex_selector =
      R"(node_filesystem_avail_bytes{instance=~"10\\.0\\.0\\.[0-9]:9100",mountpoint!~"/boot.*"})";

  instant("selector", "node_load1");
  instant("regex_selector", regex_selector);
  instant("rate", "rate(node_network_receive_bytes_total[5m])");
  instant("irate", R"(irate(node_cpu_seconds_total{mode="user"}[5m]))");
  instant("increase_1h", "increase(http_requests_total[1h])");
  instant("sum_by_rate", cpu_busy);
  instant("avg_by_rate", "avg by (mode) (rate(node_cpu_seconds_total[5m]))");
  instant("hist_quantile", p99);
  instant("topk", "topk(5, rate(node_network_transmit_bytes_total[5m]))");
  instant("count_by_regex",
          R"(count by (cluster) (node_filesystem_avail_bytes{mountpoint=~"/|/data"}))");
  instant("max_over_time_1h", "max_over_time(node_load1[1h])");
  instant("sum_over_time_1h", "sum_over_time(node_procs_running[1h])");
  instant("memory_used_pct",
          "100 * (1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes)");
  instant("avg_latency",
          "sum by (handler) (rate(http_request_duration_seconds_sum[5m]))"
          " / sum by (handler) (rate(http_request_duration_seconds_count[5m]))");

  range("r_selector", "node_load5", span, kMinute);
  range("r_regex_selector",
        R"(node_memory_MemAvailable_bytes{instance=~"10\\.0\\.0\\.[0-4]:9100"})", span, kMinute);
  range("r_sum_by_rate", cpu_busy, span, kMinute);
  range("r_avg_by_irate", "avg by (mode) (irate(node_cpu_seconds_total[5m]))", span, kMinute);
  range("r_hist_quantile", p99, span, kMinute);
  range("r_hist_quantile_by",
        "histogram_quantile(0.9, sum by (le, handler) "
        "(rate(http_request_duration_seconds_bucket[5m])))",
        span, 5 * kMinute);
  range("r_sum_rate", "sum by (device) (rate(node_network_receive_bytes_total[5m]))", span,
        2 * kMinute);
  range("r_topk", "topk(5, sum by (instance) (rate(node_network_transmit_bytes_total[5m])))", span,
        5 * kMinute);
  range("r_increase_1h", R"(increase(http_requests_total{code=~"5.."}[1h]))", span, 5 * kMinute);
  range("r_count_by", "count by (cluster) (up)", span, kMinute);
  range("r_max_over_time_1h", "max_over_time(node_load1[1h])", span, 5 * kMinute);
  range("r_sum_over_time", "sum_over_time(node_procs_running[5m])", span, 5 * kMinute);
  range(
      "r_memory_used_pct",
      "100 * (1 - avg by (instance) (node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes))",
      span, kMinute);
  range("r_rate_1h_15s", "rate(node_disk_read_bytes_total[5m])", std::min(span, kHour), 15'000);
  return suite;
}

std::string DescribeKind(const Query& query) {
  if (!query.range) return "instant";
  return fmt::format("range {}, step {}", FormatDuration(query.end_ms - query.start_ms),
                     FormatDuration(query.step_ms));
}

std::string RequestPath(const Query& query) {
  if (!query.range) {
    return fmt::format("/api/v1/query?query={}&time={}", UrlEncode(query.expr),
                       ApiTime(query.time_ms));
  }
  return fmt::format("/api/v1/query_range?query={}&start={}&end={}&step={}", UrlEncode(query.expr),
                     ApiTime(query.start_ms), ApiTime(query.end_ms), ApiTime(query.step_ms));
}

}  // namespace strata::querybench
