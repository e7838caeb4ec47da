// A synthetic workload modelled on node-exporter targets, shared by
// `tsdb-tool bench write`, the micro benchmarks and load generators.
//
// Series are grouped in targets of 1,000 series; each series has 10 labels
// (__name__, cluster, device, env, instance, job, namespace, node, pod,
// region). Families are counters (about half: CPU seconds with two decimals,
// byte and packet counts as integers), gauges (random walk and sawtooth) and
// constants. Timestamps follow a fixed scrape interval per target; one
// scrape in four is off by 1-3 ms. Counters grow at a steady per-series rate
// with ±10% noise; gauges drift in small steps.
//
// Deterministic for a given seed. Thread safety: Labels/Timestamp are const
// and safe to share; NextValue mutates per-series state, so each series
// must be advanced by one thread at a time.
#ifndef STRATA_BENCH_WORKLOAD_SYNTHETIC_H_
#define STRATA_BENCH_WORKLOAD_SYNTHETIC_H_

#include <cstdint>
#include <vector>

#include "tsdb/labels/labels.h"

namespace strata::bench {

class SyntheticWorkload {
 public:
  static constexpr int kSeriesPerTarget = 1000;

  SyntheticWorkload(uint64_t num_series, int64_t start_ms, int64_t interval_ms, uint64_t seed);

  uint64_t num_series() const { return kinds_.size(); }
  // Builds the label set of series i (allocates; call once per series).
  Labels SeriesLabels(uint64_t i) const;
  // Timestamp of scrape `round` for series i (jittered per target).
  int64_t Timestamp(uint64_t i, uint64_t round) const;
  // The next value of series i.
  double NextValue(uint64_t i);

  enum class Kind : uint8_t { kCounterSeconds, kCounterInt, kGaugeWalk, kGaugeSaw, kConstant };
  Kind kind(uint64_t i) const { return kinds_[i]; }

 private:
  int64_t start_ms_;
  int64_t interval_ms_;
  uint64_t seed_;
  std::vector<Kind> kinds_;
  std::vector<double> values_;
  std::vector<uint32_t> steps_;
};

}  // namespace strata::bench

#endif  // STRATA_BENCH_WORKLOAD_SYNTHETIC_H_
