// Size of cold chunks on the synthetic node-exporter workload: a day of
// 15 s scrapes (5,760 samples) per series, per series kind, against XOR.
#include <cstdint>
#include <cstdio>
#include <map>
#include <vector>

#include "bench/workload/synthetic.h"
#include "gtest/gtest.h"
#include "tsdb/chunk/cold_chunk.h"
#include "tsdb/chunk/xor_chunk.h"

namespace strata {
namespace {

using Kind = bench::SyntheticWorkload::Kind;

struct Sizes {
  size_t cold = 0, xor_bytes = 0, samples = 0;
};

std::map<Kind, Sizes> MeasureWorkload(uint64_t num_series, size_t samples) {
  bench::SyntheticWorkload w(num_series, 1700000000000, 15000, 42);
  std::map<Kind, Sizes> out;
  std::vector<int64_t> ts(samples);
  std::vector<double> vs(samples);
  for (uint64_t i = 0; i < num_series; ++i) {
    XorAppender app;
    size_t xor_bytes = 0;
    for (size_t r = 0; r < samples; ++r) {
      ts[r] = w.Timestamp(i, r);
      vs[r] = w.NextValue(i);
      if (app.full()) {
        xor_bytes += app.bytes().size();
        app = XorAppender();
      }
      app.Append(ts[r], vs[r]);
    }
    xor_bytes += app.bytes().size();
    std::vector<uint8_t> chunk = EncodeColdChunk(ts, vs);
    ColdChunkIterator it(chunk);
    size_t r = 0;
    while (it.Next()) {
      EXPECT_EQ(it.t(), ts[r]);
      EXPECT_EQ(it.v(), vs[r]);
      ++r;
    }
    EXPECT_EQ(r, samples);
    Sizes& s = out[w.kind(i)];
    s.cold += chunk.size();
    s.xor_bytes += xor_bytes;
    s.samples += samples;
  }
  return out;
}

// Bounds are honest for this generator: its counters and gauges carry
// random noise (±10% of the rate, random steps) whose entropy alone is
// about 1.2 bytes (integer counters), 0.85 (2-decimal counters) and 0.9
// (gauges) per sample, and one scrape in four has 1-3 ms of random jitter
// (about 1.3 bits of entropy per timestamp). Sawtooth and constant series
// have none and must cost almost nothing.
TEST(ColdChunkSizeTest, SyntheticWorkloadBytesPerSample) {
  const std::map<Kind, double> kMaxBytesPerSample = {
      {Kind::kCounterSeconds, 1.3}, {Kind::kCounterInt, 1.75}, {Kind::kGaugeWalk, 1.3},
      {Kind::kGaugeSaw, 0.25},      {Kind::kConstant, 0.25},
  };
  const char* kNames[] = {"counter_seconds", "counter_int", "gauge_walk", "gauge_saw", "constant"};
  Sizes total;
  for (auto& [kind, s] : MeasureWorkload(100, 5760)) {
    const double cold = static_cast<double>(s.cold) / static_cast<double>(s.samples);
    const double xr = static_cast<double>(s.xor_bytes) / static_cast<double>(s.samples);
    std::printf("%-16s cold %.3f B/sample, xor %.3f B/sample\n", kNames[static_cast<int>(kind)],
                cold, xr);
    EXPECT_LT(cold, kMaxBytesPerSample.at(kind)) << kNames[static_cast<int>(kind)];
    EXPECT_LT(cold, xr * 0.7) << kNames[static_cast<int>(kind)];
    total.cold += s.cold;
    total.xor_bytes += s.xor_bytes;
    total.samples += s.samples;
  }
  const double cold = static_cast<double>(total.cold) / static_cast<double>(total.samples);
  std::printf("all              cold %.3f B/sample, xor %.3f B/sample\n", cold,
              static_cast<double>(total.xor_bytes) / static_cast<double>(total.samples));
}

}  // namespace
}  // namespace strata
