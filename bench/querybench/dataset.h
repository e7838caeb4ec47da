// The deterministic dataset of strata-querybench: node-exporter-like
// targets scraped at a fixed interval over a span ending at a given time.
//
// Every target has the same series, from one of two profiles:
// - compact (100 series a target, the default): CPU seconds by cpu and mode,
//   memory, load, network, disk and filesystem families, process counters,
//   `up`, request counters and a classic histogram
//   (http_request_duration_seconds_bucket with 12 `le` buckets, _sum, _count)
//   for two handlers;
// - node (1,000 series a target): the same families over more devices (16
//   CPUs, 8 network devices, disks and filesystems, 4 handlers) and the
//   families a real node-exporter adds: interrupts per CPU, softnet, netstat,
//   memory details, hwmon temperatures, per-collector scrape durations;
//   besides daily waves, some gauges wander like random walks (sockets, file
//   handles, conntrack entries) and some are sawtooths (Go heap sizes, open
//   files).
// Every series carries job, instance and cluster labels. Counters grow at a
// per-series rate with noise; one target in four restarts once (its counters
// reset). Gauges follow daily waves with noise; constants stay.
//
// Churn (optional): a share of the targets is replaced every `churn_every`
// (a DaemonSet rollout: same node, new pod). Each such target has its own
// phase; at each replacement its generation grows by one and its series get
// a new `pod` label (every target carries `pod` when churn is on). Values
// carry on: node-exporter's counters describe the host, not the pod. (A new
// series whose counter started near zero would also hit the one rate()
// extrapolation rule Prometheus changed in 2.51, which the benchmark's
// comparison with Prometheus 2.42 must avoid: bench/compare/README.md.)
//
// Values are a pure function of (series, scrape), so the OpenMetrics file
// and the remote-write stream hold exactly the same samples whatever the
// order they are produced in. All methods are const: thread-safe.
//
// Timestamps: scrape k of target t is at start_ms() + k * interval +
// offset(t) + jitter, where offset(t) is a multiple of 10 ms and the jitter
// (one scrape in four) is within ±3 ms. Given end_ms a multiple of 1,000,
// no sample timestamp is 5 mod 10 ms: queries evaluated at times that are
// (see QueryTime) never coincide with a sample or a range boundary, so
// boundary conventions (closed in Prometheus 2, left-open in Prometheus 3)
// cannot change the answers.
#ifndef STRATA_BENCH_QUERYBENCH_DATASET_H_
#define STRATA_BENCH_QUERYBENCH_DATASET_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace strata::querybench {

using LabelPairs = std::vector<std::pair<std::string, std::string>>;

enum class Profile : uint8_t { kCompact, kNode };

struct DatasetOptions {
  int targets = 20;
  int64_t end_ms = 0;  // REQUIRES: a multiple of 1,000
  int64_t span_ms = 24 * 3600 * 1000;
  int64_t interval_ms = 15'000;  // REQUIRES: a multiple of 10, >= 1,000
  uint64_t seed = 1;
  Profile profile = Profile::kCompact;
  double churn_share = 0;      // REQUIRES: in [0, 1]
  int64_t churn_every_ms = 0;  // REQUIRES: > 0 when churn_share > 0
};

class Dataset {
 public:
  explicit Dataset(const DatasetOptions& options);

  int targets() const { return options_.targets; }
  int series_per_target() const { return static_cast<int>(templates_.size()); }
  // Series per scrape: the active series at any time. Series index i is
  // template i % series_per_target() of target i / series_per_target().
  int64_t num_series() const { return int64_t{options_.targets} * series_per_target(); }
  // Distinct label sets over the whole span (each generation's own).
  int64_t total_series() const;
  int scrapes() const { return scrapes_; }
  int64_t interval_ms() const { return options_.interval_ms; }
  int64_t start_ms() const { return start_ms_; }
  int64_t end_ms() const { return options_.end_ms; }

  // Labels of series `series` in generation `generation` of its target,
  // sorted by name.
  LabelPairs Labels(int64_t series, int generation = 0) const;
  // Which generation of target `target` is scraped at scrape `scrape`;
  // 0 without churn. Never decreases with `scrape`.
  int Generation(int target, int scrape) const;
  // Timestamp of scrape `scrape` of target `target`; < end_ms().
  int64_t Timestamp(int target, int scrape) const;
  // The value of series `series` at scrape `scrape`.
  double Value(int64_t series, int scrape) const;

 private:
  enum class Kind : uint8_t {
    kCounter,
    kGauge,      // a daily wave with noise
    kGaugeWalk,  // wanders at every time scale, like a random walk
    kGaugeSaw,   // climbs each scrape, drops back every period
    kConstant,
    kBucket,
    kHistSum,
    kHistCount
  };
  // One of the 100 series every target has.
  struct Template {
    std::string name;
    LabelPairs labels;  // besides __name__, cluster, instance, job
    Kind kind;
    double rate;      // counters: per second; gauges: the mean level
    double decimals;  // values are rounded to 10^-decimals
    double le;        // buckets: the upper bound
    int histogram;    // buckets, _sum, _count: which handler
  };
  void Add(std::string name, LabelPairs labels, Kind kind, double rate, double decimals,
           double le = 0, int histogram = -1);
  void AddCompactTemplates();
  void AddNodeTemplates();  // dataset_node_profile.cc
  // Classic histogram `histogram` (buckets, _sum, _count) for `handler`.
  void AddHistogram(const char* handler, int histogram);
  bool Churns(int target) const;
  double CounterValue(int64_t series, int target, int scrape, double rate, double decimals) const;
  double HistogramCount(int target, int histogram, int scrape) const;
  // Requests per second of histogram `histogram`'s handler.
  static double HandlerRate(int histogram);
  // The scale (seconds) of a handler's latency distribution on a target.
  double LatencyScale(int target, int histogram) const;

  DatasetOptions options_;
  int scrapes_;
  int64_t start_ms_;
  std::vector<Template> templates_;
  std::vector<int> count_index_;  // template index of each histogram's _count
};

// An evaluation time `ms_before_end` before the dataset's end, moved to 5 mod
// 10 ms so that it falls between sample timestamps (see above).
int64_t QueryTime(const Dataset& dataset, int64_t ms_before_end);

}  // namespace strata::querybench

#endif  // STRATA_BENCH_QUERYBENCH_DATASET_H_
