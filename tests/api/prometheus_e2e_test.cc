// A real remote-write client: Debian's Prometheus scrapes Debian's node
// exporter every second and remote-writes into the real `strata` binary, all
// on 127.0.0.1. Halfway through, strata is killed with SIGKILL and restarted
// while Prometheus keeps writing (and retrying). At the end every raw sample
// Prometheus stored must be in strata, bit for bit, and nothing else.
#include <signal.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "fmt/format.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "tests/process_util.h"
#include "tests/test_util.h"
#include "tsdb/db.h"

namespace strata {
namespace {

using Clock = std::chrono::steady_clock;
using SampleMap = std::map<std::string, std::vector<std::pair<int64_t, double>>>;

constexpr uint64_t kStaleNaN = 0x7ff0000000000002ull;

bool IsStale(double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  return bits == kStaleNaN;
}

std::string Which(const char* tool) {
  std::string out;
  testing::RunCommand(std::string("command -v ") + tool, &out);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

bool WaitHttpOk(int port, const std::string& path, int timeout_ms) {
  httplib::Client c("127.0.0.1", port);
  c.set_connection_timeout(1);
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (Clock::now() < deadline) {
    if (auto res = c.Get(path.c_str()); res && res->status == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

// Value of an unlabelled-or-first-matching metric line in Prometheus text
// format, summed over all label sets.
double MetricSum(const std::string& text, const std::string& name) {
  double sum = 0;
  size_t pos = 0;
  while ((pos = text.find(name, pos)) != std::string::npos) {
    bool line_start = pos == 0 || text[pos - 1] == '\n';
    size_t end = text.find('\n', pos);
    std::string line = text.substr(pos, end - pos);
    pos = end == std::string::npos ? text.size() : end;
    if (!line_start) continue;
    char after = line.size() > name.size() ? line[name.size()] : '\0';
    if (after != ' ' && after != '{') continue;
    sum += std::stod(line.substr(line.rfind(' ') + 1));
  }
  return sum;
}

std::string SeriesKey(const nlohmann::json& metric) {
  std::vector<Label> labels;
  for (auto it = metric.begin(); it != metric.end(); ++it) {
    labels.push_back({it.key(), it.value().get_ref<const std::string&>()});
  }
  return Labels::FromUnsorted(labels).ToString();
}

class PrometheusE2ETest : public ::testing::Test {
 protected:
  void SetUp() override {
    prometheus_ = Which("prometheus");
    node_exporter_ = Which("prometheus-node-exporter");
    ASSERT_FALSE(prometheus_.empty()) << "install Debian's prometheus (scripts/install-deps.sh)";
    ASSERT_FALSE(node_exporter_.empty()) << "install prometheus-node-exporter";
    strata_port_ = testing::FreeLocalPort();
    node_port_ = testing::FreeLocalPort();
    prom_port_ = testing::FreeLocalPort();
  }

  void StartStrata() {
    strata_ = std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{std::string(STRATA_BINARY_DIR) + "/strata",
                                 "--listen-address=127.0.0.1:" + std::to_string(strata_port_),
                                 "--storage.path=" + dir_.path() + "/strata"},
        dir_.path() + "/strata.log." + std::to_string(++strata_starts_));
    ASSERT_TRUE(WaitHttpOk(strata_port_, "/-/ready", 20000)) << "strata did not start";
  }

  void StartNodeExporter() {
    // A few collectors keep the scrape fast and the series set stable.
    node_ = std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{
            node_exporter_, "--web.listen-address=127.0.0.1:" + std::to_string(node_port_),
            "--collector.disable-defaults", "--collector.cpu", "--collector.meminfo",
            "--collector.loadavg", "--collector.netdev", "--collector.stat", "--collector.vmstat"},
        dir_.path() + "/node.log");
    ASSERT_TRUE(WaitHttpOk(node_port_, "/metrics", 20000)) << "node exporter did not start";
  }

  void StartPrometheus() {
    std::ofstream cfg(dir_.path() + "/prometheus.yml");
    cfg << "global:\n  scrape_interval: 1s\n  scrape_timeout: 900ms\n"
        << "scrape_configs:\n  - job_name: node\n    static_configs:\n"
        << "      - targets: ['127.0.0.1:" << node_port_ << "']\n"
        << "remote_write:\n  - url: http://127.0.0.1:" << strata_port_ << "/api/v1/write\n"
        << "    queue_config:\n      batch_send_deadline: 200ms\n      min_backoff: 50ms\n"
        << "      max_backoff: 500ms\n";
    cfg.close();
    prom_ = std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{prometheus_, "--config.file=" + dir_.path() + "/prometheus.yml",
                                 "--storage.tsdb.path=" + dir_.path() + "/prometheus",
                                 "--web.listen-address=127.0.0.1:" + std::to_string(prom_port_)},
        dir_.path() + "/prometheus.log");
    ASSERT_TRUE(WaitHttpOk(prom_port_, "/-/ready", 30000)) << "prometheus did not start";
  }

  // Waits until Prometheus's remote-write queue has sent everything it has.
  bool WaitDrained(int timeout_ms) {
    httplib::Client c("127.0.0.1", prom_port_);
    auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    while (Clock::now() < deadline) {
      auto res = c.Get("/metrics");
      if (res && res->status == 200) {
        double pending = MetricSum(res->body, "prometheus_remote_storage_samples_pending");
        double highest =
            MetricSum(res->body, "prometheus_remote_storage_highest_timestamp_in_seconds");
        double sent =
            MetricSum(res->body, "prometheus_remote_storage_queue_highest_sent_timestamp_seconds");
        if (pending == 0 && highest > 0 && sent >= highest) return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    return false;
  }

  // Every raw sample Prometheus stored, via a range-vector query over all
  // series (stale markers are not returned by range selectors).
  SampleMap PrometheusSamples() {
    httplib::Client c("127.0.0.1", prom_port_);
    c.set_read_timeout(30);
    httplib::Params params{{"query", "{__name__=~\".+\"}[1h]"}};
    auto res = c.Post("/api/v1/query", params);
    EXPECT_TRUE(res && res->status == 200) << (res ? res->body : "no response");
    SampleMap out;
    if (!res) return out;
    auto j = nlohmann::json::parse(res->body);
    for (const auto& series : j["data"]["result"]) {
      auto& samples = out[SeriesKey(series["metric"])];
      for (const auto& v : series["values"]) {
        double ts = v[0].get<double>();
        samples.emplace_back(static_cast<int64_t>(std::llround(ts * 1000)),
                             std::strtod(v[1].get_ref<const std::string&>().c_str(), nullptr));
      }
    }
    return out;
  }

  // Every sample in strata's data directory (strata must be stopped).
  SampleMap StrataSamples(size_t* stale_markers) {
    SampleMap out;
    auto db = DB::Open(dir_.path() + "/strata", {});
    EXPECT_TRUE(db.ok()) << db.status();
    if (!db.ok()) return out;
    auto q = (*db)->NewQuerier(INT64_MIN, INT64_MAX);
    auto set = q->Select({});
    while (set->Next()) {
      auto& samples = out[set->labels().ToString()];
      auto it = set->Iterator();
      while (it->Next()) {
        if (IsStale(it->v())) {
          ++*stale_markers;
          continue;
        }
        samples.emplace_back(it->t(), it->v());
      }
    }
    return out;
  }

  // Runs `params` against /api/v1/<endpoint> of the server on `port` and
  // returns {series key: [(ms, value)]}, or fails the test.
  static SampleMap Query(int port, const std::string& endpoint, const httplib::Params& params) {
    httplib::Client c("127.0.0.1", port);
    c.set_read_timeout(30);
    auto res = c.Post("/api/v1/" + endpoint, params);
    SampleMap out;
    if (!res || res->status != 200) {
      ADD_FAILURE() << endpoint << " on port " << port << ": "
                    << (res ? res->body : std::string("no response"));
      return out;
    }
    auto j = nlohmann::json::parse(res->body);
    auto add = [&](const nlohmann::json& metric, const nlohmann::json& point) {
      out[SeriesKey(metric)].emplace_back(
          static_cast<int64_t>(std::llround(point[0].get<double>() * 1000)),
          std::strtod(point[1].get_ref<const std::string&>().c_str(), nullptr));
    };
    for (const auto& series : j["data"]["result"]) {
      if (series.contains("value")) add(series["metric"], series["value"]);
      if (series.contains("values")) {
        for (const auto& v : series["values"]) add(series["metric"], v);
      }
    }
    return out;
  }

  void ComparePromQL(const SampleMap& raw);

  testing::TempDir dir_;
  std::string prometheus_, node_exporter_;
  int strata_port_ = 0, node_port_ = 0, prom_port_ = 0, strata_starts_ = 0;
  std::unique_ptr<testing::ChildProcess> strata_, node_, prom_;
};

// The same dashboard queries, instant and range, answered by Prometheus and
// by strata over the same data. Query times avoid the window boundaries
// t - range and t - lookback, where Prometheus 2 (left-closed windows) and 3
// (left-open, as strata) legitimately differ.
void PrometheusE2ETest::ComparePromQL(const SampleMap& raw) {
  std::set<int64_t> times;
  for (const auto& [series, samples] : raw) {
    for (const auto& [t, v] : samples) times.insert(t);
  }
  ASSERT_FALSE(times.empty());
  const std::vector<int64_t> ranges = {5000, 10000, 15000, 300000};
  const int64_t step = 1000, steps = 12;
  int64_t start = *times.rbegin() - 3000 - step * steps;
  auto collides = [&](int64_t s) {
    for (int64_t i = 0; i <= steps; ++i) {
      for (int64_t r : ranges) {
        if (times.count(s + i * step - r) != 0 || times.count(s + i * step) != 0) return true;
      }
    }
    return false;
  };
  while (collides(start)) ++start;
  const int64_t end = start + step * steps;
  auto secs = [](int64_t ms) { return fmt::format("{}.{:03}", ms / 1000, ms % 1000); };

  const std::vector<std::string> queries = {
      "up",
      "node_load1",
      "rate(node_cpu_seconds_total[10s])",
      "sum by (mode) (rate(node_cpu_seconds_total[10s]))",
      "irate(node_network_receive_bytes_total[5s])",
      "increase(node_network_transmit_packets_total[10s])",
      "delta(node_memory_MemFree_bytes[10s])",
      "max_over_time(node_load1[15s]) - min_over_time(node_load1[15s])",
      "avg_over_time(node_memory_Active_bytes[10s])",
      "node_memory_MemFree_bytes / on (instance) node_memory_MemTotal_bytes",
      "count by (__name__) ({__name__=~\"node_(cpu|load)[a-z_0-9]*\"})",
      "topk(3, node_network_receive_bytes_total)",
      "quantile(0.9, rate(node_cpu_seconds_total[10s]))",
      "sum without (cpu) (rate(node_cpu_seconds_total{mode!=\"idle\"}[10s]))",
      "deriv(node_memory_MemFree_bytes[15s])",
      "changes(node_context_switches_total[10s])",
      "count(node_cpu_seconds_total > 0)",
      "absent(nonexistent_metric)",
      "sum(rate(node_cpu_seconds_total[10s])) by (cpu) / "
      "ignoring (mode) group_left sum(rate(node_cpu_seconds_total[10s])) by (cpu)",
  };
  int compared = 0;
  for (const std::string& q : queries) {
    SCOPED_TRACE(q);
    for (bool range : {false, true}) {
      httplib::Params params{{"query", q}};
      if (range) {
        params.emplace("start", secs(start));
        params.emplace("end", secs(end));
        params.emplace("step", "1");
      } else {
        params.emplace("time", secs(end));
      }
      const std::string endpoint = range ? "query_range" : "query";
      SampleMap p = Query(prom_port_, endpoint, params);
      SampleMap s = Query(strata_port_, endpoint, params);
      EXPECT_EQ(p.size(), s.size()) << endpoint;
      for (const auto& [series, points] : p) {
        auto it = s.find(series);
        if (it == s.end()) {
          ADD_FAILURE() << endpoint << ": strata lacks " << series;
          continue;
        }
        ASSERT_EQ(points.size(), it->second.size()) << endpoint << " " << series;
        for (size_t i = 0; i < points.size(); ++i) {
          const auto [pt, pv] = points[i];
          const auto [st, sv] = it->second[i];
          EXPECT_EQ(pt, st) << endpoint << " " << series;
          const bool same = (std::isnan(pv) && std::isnan(sv)) || pv == sv ||
                            std::fabs(pv - sv) <= 1e-9 * std::max(std::fabs(pv), std::fabs(sv));
          EXPECT_TRUE(same) << endpoint << " " << series << " at " << pt << ": prometheus " << pv
                            << ", strata " << sv;
        }
        ++compared;
      }
    }
  }
  EXPECT_GT(compared, 40);
  std::printf("e2e: %zu queries compared with prometheus, %d result series equal\n",
              queries.size() * 2, compared);
}

TEST_F(PrometheusE2ETest, EverySampleArrivesThroughAKillNineRestart) {
  StartStrata();
  StartNodeExporter();
  StartPrometheus();
  std::this_thread::sleep_for(std::chrono::seconds(10));

  // Kill strata while Prometheus keeps scraping and sending; its sends fail
  // and are retried until strata is back.
  EXPECT_EQ(strata_->Stop(SIGKILL, 5000), 128 + SIGKILL);
  std::this_thread::sleep_for(std::chrono::seconds(3));
  StartStrata();
  std::this_thread::sleep_for(std::chrono::seconds(8));

  // Stop the scrapes: the target goes away, Prometheus records up=0 and
  // stale markers, and everything drains to strata.
  node_->Stop(SIGTERM, 5000);
  std::this_thread::sleep_for(std::chrono::seconds(3));
  ASSERT_TRUE(WaitDrained(60000)) << "remote-write queue did not drain";

  httplib::Client pc("127.0.0.1", prom_port_);
  auto metrics = pc.Get("/metrics");
  ASSERT_TRUE(metrics);
  double failed = MetricSum(metrics->body, "prometheus_remote_storage_samples_failed_total") +
                  MetricSum(metrics->body, "prometheus_remote_storage_samples_retried_total");
  SampleMap want = PrometheusSamples();
  ComparePromQL(want);
  ASSERT_TRUE(prom_->Stop(SIGTERM, 20000) == 0);
  ASSERT_EQ(strata_->Stop(SIGTERM, 20000), 0);
  size_t stale = 0;
  SampleMap got = StrataSamples(&stale);
  // Prometheus keeps scraping the stopped target (up=0 every second) until
  // it is stopped itself, and sends those samples on: compare only up to the
  // newest sample in Prometheus's answer.
  int64_t want_max_t = 0;
  for (const auto& [series, samples] : want) {
    for (const auto& [t, v] : samples) want_max_t = std::max(want_max_t, t);
  }
  for (auto& [series, samples] : got) {
    std::erase_if(samples, [&](const auto& p) { return p.first > want_max_t; });
  }

  ASSERT_GT(want.size(), 100u) << "node exporter produced too few series";
  size_t total = 0, missing_series = 0, mismatched = 0;
  for (const auto& [series, samples] : want) {
    total += samples.size();
    auto it = got.find(series);
    if (it == got.end()) {
      if (++missing_series <= 5) ADD_FAILURE() << "series missing in strata: " << series;
      continue;
    }
    if (it->second.size() != samples.size()) {
      if (++mismatched <= 5) {
        ADD_FAILURE() << series << ": prometheus has " << samples.size() << " samples, strata "
                      << it->second.size();
      }
      continue;
    }
    for (size_t i = 0; i < samples.size(); ++i) {
      const auto& [t, v] = samples[i];
      const auto& [gt, gv] = it->second[i];
      bool same =
          t == gt && (std::memcmp(&v, &gv, sizeof v) == 0 || (std::isnan(v) && std::isnan(gv)));
      if (!same && ++mismatched <= 5) {
        ADD_FAILURE() << series << " sample " << i << ": prometheus (" << t << ", " << v
                      << "), strata (" << gt << ", " << gv << ")";
      }
    }
  }
  for (const auto& [series, samples] : got) {
    if (!samples.empty() && !want.count(series)) ADD_FAILURE() << "unexpected series " << series;
  }
  EXPECT_EQ(missing_series, 0u);
  EXPECT_EQ(mismatched, 0u);
  // The node exporter's disappearance is recorded as stale markers.
  EXPECT_GT(stale, 100u);
  std::printf(
      "e2e: %zu series, %zu samples compared, %zu stale markers, %.0f samples "
      "failed/retried by prometheus during the outage\n",
      want.size(), total, stale, failed);
}

}  // namespace
}  // namespace strata
