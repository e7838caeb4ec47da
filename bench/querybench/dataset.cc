// The series, timestamps and values of strata-querybench's dataset; see
// dataset.h for its shape.
#include "bench/querybench/dataset.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "bench/workload/noise.h"
#include "fmt/format.h"

namespace strata::querybench {
namespace {

using bench::Mix;
using bench::Unit;

double RoundTo(double v, double decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(v * scale) / scale;
}

constexpr const char* kHandlers[] = {"/api/v1/query", "/api/v1/write"};
// Requests per second of histogram h's handler (h % 4), before per-target
// variation: queries, writes, and two quieter ones.
constexpr double kHandlerRates[] = {20, 100, 5, 1};
constexpr double kBuckets[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, INFINITY};

}  // namespace

Dataset::Dataset(const DatasetOptions& options)
    : options_(options),
      scrapes_(static_cast<int>(options.span_ms / options.interval_ms)),
      start_ms_(options.end_ms - int64_t{scrapes_} * options.interval_ms) {
  if (options.profile == Profile::kNode) {
    AddNodeTemplates();
  } else {
    AddCompactTemplates();
  }
}

void Dataset::Add(std::string name, LabelPairs labels, Kind kind, double rate, double decimals,
                  double le, int histogram) {
  templates_.push_back({std::move(name), std::move(labels), kind, rate, decimals, le, histogram});
}

double Dataset::HandlerRate(int histogram) { return kHandlerRates[histogram % 4]; }

void Dataset::AddHistogram(const char* handler, int histogram) {
  for (double le : kBuckets) {
    // Go's strconv.FormatFloat(le, 'f', -1, 64), as client libraries write it.
    std::string le_text = std::isinf(le) ? "+Inf" : fmt::format("{}", le);
    Add("http_request_duration_seconds_bucket", {{"handler", handler}, {"le", le_text}},
        Kind::kBucket, 0, 0, le, histogram);
  }
  Add("http_request_duration_seconds_sum", {{"handler", handler}}, Kind::kHistSum, 0, 3, 0,
      histogram);
  if (count_index_.size() <= static_cast<size_t>(histogram)) count_index_.resize(histogram + 1);
  count_index_[histogram] = static_cast<int>(templates_.size());
  Add("http_request_duration_seconds_count", {{"handler", handler}}, Kind::kHistCount, 0, 0, 0,
      histogram);
}

void Dataset::AddCompactTemplates() {
  auto add = [this](std::string name, LabelPairs labels, Kind kind, double rate, double decimals) {
    Add(std::move(name), std::move(labels), kind, rate, decimals);
  };
  // CPU: shares of one core per mode.
  const std::pair<const char*, double> modes[] = {
      {"idle", 0.7},     {"iowait", 0.02}, {"irq", 0.001},   {"nice", 0.005},
      {"softirq", 0.01}, {"steal", 0.003}, {"system", 0.06}, {"user", 0.2}};
  for (int cpu = 0; cpu < 4; ++cpu) {
    for (const auto& [mode, share] : modes) {
      add("node_cpu_seconds_total", {{"cpu", std::to_string(cpu)}, {"mode", mode}}, Kind::kCounter,
          share, 2);
    }
  }
  add("node_memory_MemAvailable_bytes", {}, Kind::kGauge, 8e9, 0);
  add("node_memory_MemTotal_bytes", {}, Kind::kConstant, 16e9, 0);
  add("node_memory_Cached_bytes", {}, Kind::kGauge, 4e9, 0);
  add("node_memory_Buffers_bytes", {}, Kind::kGauge, 5e8, 0);
  add("node_load1", {}, Kind::kGauge, 1.5, 2);
  add("node_load5", {}, Kind::kGauge, 1.4, 2);
  add("node_load15", {}, Kind::kGauge, 1.3, 2);
  for (const char* device : {"eth0", "eth1"}) {
    add("node_network_receive_bytes_total", {{"device", device}}, Kind::kCounter, 2e5, 0);
    add("node_network_transmit_bytes_total", {{"device", device}}, Kind::kCounter, 1e5, 0);
    add("node_network_receive_packets_total", {{"device", device}}, Kind::kCounter, 300, 0);
    add("node_network_transmit_packets_total", {{"device", device}}, Kind::kCounter, 200, 0);
  }
  for (const char* device : {"sda", "sdb"}) {
    add("node_disk_read_bytes_total", {{"device", device}}, Kind::kCounter, 5e4, 0);
    add("node_disk_written_bytes_total", {{"device", device}}, Kind::kCounter, 2e5, 0);
    add("node_disk_io_time_seconds_total", {{"device", device}}, Kind::kCounter, 0.05, 3);
    add("node_disk_reads_completed_total", {{"device", device}}, Kind::kCounter, 10, 0);
  }
  const LabelPairs filesystems[] = {
      {{"device", "/dev/sda1"}, {"fstype", "ext4"}, {"mountpoint", "/"}},
      {{"device", "/dev/sdb1"}, {"fstype", "xfs"}, {"mountpoint", "/data"}}};
  for (const LabelPairs& fs : filesystems) {
    add("node_filesystem_avail_bytes", fs, Kind::kGauge, 5e10, 0);
    add("node_filesystem_size_bytes", fs, Kind::kConstant, 1e11, 0);
    add("node_filesystem_files_free", fs, Kind::kGauge, 1e6, 0);
  }
  add("node_context_switches_total", {}, Kind::kCounter, 2000, 0);
  add("node_intr_total", {}, Kind::kCounter, 1500, 0);
  add("node_forks_total", {}, Kind::kCounter, 5, 0);
  add("node_procs_running", {}, Kind::kGauge, 3, 0);
  add("up", {}, Kind::kConstant, 1, 0);
  add("process_resident_memory_bytes", {}, Kind::kGauge, 3e7, 0);
  add("process_cpu_seconds_total", {}, Kind::kCounter, 0.02, 2);
  for (int h = 0; h < 2; ++h) {
    add("http_requests_total", {{"code", "200"}, {"handler", kHandlers[h]}}, Kind::kCounter,
        kHandlerRates[h], 0);
    add("http_requests_total", {{"code", "500"}, {"handler", kHandlers[h]}}, Kind::kCounter,
        kHandlerRates[h] / 200, 0);
  }
  for (int h = 0; h < 2; ++h) AddHistogram(kHandlers[h], h);
}

bool Dataset::Churns(int target) const {
  return options_.churn_share > 0 &&
         Unit(options_.seed ^ (uint64_t(target) * 0x6a09e667)) < options_.churn_share;
}

// A churning target's generation changes every churn_every_ms of scrape
// slots, at its own phase within that period.
int Dataset::Generation(int target, int scrape) const {
  if (!Churns(target)) return 0;
  const uint64_t every = static_cast<uint64_t>(options_.churn_every_ms);
  const int64_t phase =
      static_cast<int64_t>(Mix(options_.seed ^ (uint64_t(target) * 0xbb67ae85)) % every);
  return static_cast<int>((int64_t{scrape} * options_.interval_ms + phase) /
                          options_.churn_every_ms);
}

int64_t Dataset::total_series() const {
  int64_t total = 0;
  for (int t = 0; t < options_.targets; ++t) {
    const int last = scrapes_ > 0 ? Generation(t, scrapes_ - 1) : 0;
    total += int64_t{last - Generation(t, 0) + 1} * series_per_target();
  }
  return total;
}

LabelPairs Dataset::Labels(int64_t series, int generation) const {
  const int target = static_cast<int>(series / series_per_target());
  const Template& tmpl = templates_[series % series_per_target()];
  LabelPairs labels = tmpl.labels;
  labels.emplace_back("__name__", tmpl.name);
  labels.emplace_back("cluster", fmt::format("eu-{}", target % 4));
  labels.emplace_back("instance", fmt::format("10.{}.{}.{}:9100", (target >> 16) & 255,
                                              (target >> 8) & 255, target & 255));
  labels.emplace_back("job", "node");
  if (options_.churn_share > 0) {
    // A DaemonSet pod's name: a per-node suffix, and the generation.
    labels.emplace_back("pod",
                        fmt::format("node-exporter-{:05x}-{}",
                                    Mix(options_.seed ^ uint64_t(target)) & 0xfffff, generation));
  }
  std::sort(labels.begin(), labels.end());
  return labels;
}

int64_t Dataset::Timestamp(int target, int scrape) const {
  const uint64_t t = static_cast<uint64_t>(target);
  // Offsets are multiples of 10 ms in [10, interval - 20] and the jitter is
  // within ±3 ms, so timestamps stay inside the scrape's interval and never
  // end in 5 (dataset.h).
  const uint64_t slots = static_cast<uint64_t>(options_.interval_ms / 10 - 2);
  const int64_t offset = 10 * static_cast<int64_t>(1 + Mix(options_.seed ^ (t * 0x9e37)) % slots);
  const uint64_t r = Mix(options_.seed ^ (t << 20) ^ static_cast<uint64_t>(scrape));
  const int64_t jitter = r % 4 != 0 ? 0 : static_cast<int64_t>((r >> 8) % 7) - 3;
  return start_ms_ + int64_t{scrape} * options_.interval_ms + offset + jitter;
}

double Dataset::CounterValue(int64_t series, int target, int scrape, double rate,
                             double decimals) const {
  const uint64_t s = static_cast<uint64_t>(series);
  const double r = rate * (0.5 + Unit(options_.seed ^ (s * 0x51ed27)));
  const double interval_s = static_cast<double>(options_.interval_ms) / 1000;
  // A quarter of the targets restart once, somewhere in the middle half.
  double base = std::floor(Unit(options_.seed ^ ~s) * r * 30 * 86400);  // ~a month of uptime
  int since = scrape;
  const uint64_t restart = Mix(options_.seed ^ (uint64_t(target) * 0x7f4a7c15));
  if (restart % 4 == 0 && scrapes_ >= 4) {
    const int at = scrapes_ / 4 + static_cast<int>((restart >> 8) % (uint64_t(scrapes_) / 2));
    if (scrape >= at) {
      base = 0;
      since = scrape - at;
    }
  }
  // Each step adds between 0.4 and 1.6 intervals' worth: always increasing.
  const double u = Unit(options_.seed ^ (s << 24) ^ static_cast<uint64_t>(scrape));
  return RoundTo(base + r * interval_s * (since + 0.6 * u), decimals);
}

double Dataset::HistogramCount(int target, int histogram, int scrape) const {
  // Buckets, _sum and _count all derive from the _count series' counter.
  const int64_t series = int64_t{target} * series_per_target() + count_index_[histogram];
  return CounterValue(series, target, scrape, HandlerRate(histogram), 0);
}

double Dataset::LatencyScale(int target, int histogram) const {
  const double u = Unit(options_.seed ^ (uint64_t(target) * 31 + uint64_t(histogram) + 7));
  return histogram % 2 == 0 ? 0.05 + 0.35 * u : 0.005 + 0.045 * u;
}

double Dataset::Value(int64_t series, int scrape) const {
  const int target = static_cast<int>(series / series_per_target());
  const Template& tmpl = templates_[series % series_per_target()];
  const uint64_t s = static_cast<uint64_t>(series);
  switch (tmpl.kind) {
    case Kind::kCounter:
      return CounterValue(series, target, scrape, tmpl.rate, tmpl.decimals);
    case Kind::kConstant:
      return tmpl.rate;
    case Kind::kGauge: {
      // A daily wave of ±30% with a per-series phase, plus ±2.5% noise.
      const double level = tmpl.rate * (0.5 + Unit(options_.seed ^ (s * 0x2545f491)));
      const double seconds =
          static_cast<double>(start_ms_ + int64_t{scrape} * options_.interval_ms) / 1000;
      const double phase = 2 * std::numbers::pi * Unit(options_.seed ^ (s * 0x9e3779b1));
      const double u = Unit(options_.seed ^ (s << 28) ^ static_cast<uint64_t>(scrape));
      const double wave = std::sin(2 * std::numbers::pi * seconds / 86400 + phase);
      return RoundTo(level * (1 + 0.3 * wave + 0.05 * (u - 0.5)), tmpl.decimals);
    }
    case Kind::kGaugeWalk: {
      // Noise at every time scale: for each j < 12 a uniform draw every 2^j
      // scrapes, weighted by sqrt(2^j) and interpolated linearly between
      // its draws. Steps between scrapes stay small while the sum wanders
      // over hours, as a random walk does (a few percent of the level),
      // and it is still a pure function of the scrape.
      const double level = tmpl.rate * (0.5 + Unit(options_.seed ^ (s * 0x2545f491)));
      const uint64_t slot = static_cast<uint64_t>(start_ms_ / options_.interval_ms + scrape);
      double walk = 0;
      for (int j = 0; j < 12; ++j) {
        const uint64_t key = options_.seed ^ (s * 0x632be5ab) ^ (uint64_t(j) << 56);
        const uint64_t cell = slot >> j;
        const double at = static_cast<double>(slot & ((uint64_t{1} << j) - 1)) / (1 << j);
        const double u = Unit(key ^ cell) * (1 - at) + Unit(key ^ (cell + 1)) * at;
        walk += (u - 0.5) * std::sqrt(static_cast<double>(1 << j));
      }
      return RoundTo(std::max(0.0, level * (1 + 0.002 * walk)), tmpl.decimals);
    }
    case Kind::kGaugeSaw: {
      // Climbs by the same step each scrape from half the level and drops
      // back every 20-79 scrapes (a heap between garbage collections).
      const double level = tmpl.rate * (0.5 + Unit(options_.seed ^ (s * 0x2545f491)));
      const uint64_t period = 20 + Mix(options_.seed ^ (s * 0x7a3d)) % 60;
      const uint64_t slot = static_cast<uint64_t>(start_ms_ / options_.interval_ms + scrape) +
                            Mix(options_.seed ^ (s * 0x51d));
      return RoundTo(level * (0.5 + static_cast<double>(slot % period) / period), tmpl.decimals);
    }
    case Kind::kBucket: {
      // Cumulative counts of an exponential latency distribution: monotonic
      // in `le` and, as the count is, in time.
      const double n = HistogramCount(target, tmpl.histogram, scrape);
      if (std::isinf(tmpl.le)) return n;
      const double cdf = 1 - std::exp(-tmpl.le / LatencyScale(target, tmpl.histogram));
      return std::floor(n * cdf);
    }
    case Kind::kHistSum:
      return RoundTo(
          HistogramCount(target, tmpl.histogram, scrape) * LatencyScale(target, tmpl.histogram),
          tmpl.decimals);
    case Kind::kHistCount:
      return HistogramCount(target, tmpl.histogram, scrape);
  }
  return 0;
}

int64_t QueryTime(const Dataset& dataset, int64_t ms_before_end) {
  const int64_t t = dataset.end_ms() - ms_before_end;
  return t - ((t % 10) + 10) % 10 + 5;
}

}  // namespace strata::querybench
