// Reproducible noise for synthetic data: values derived from a counter with
// SplitMix64, so generators need no random state to carry or share.
#ifndef STRATA_BENCH_WORKLOAD_NOISE_H_
#define STRATA_BENCH_WORKLOAD_NOISE_H_

#include <cstdint>

namespace strata::bench {

// SplitMix64's output function: a well-mixed 64-bit value for each x.
inline uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// Uniform in [0, 1).
inline double Unit(uint64_t x) { return static_cast<double>(Mix(x) >> 11) * 0x1.0p-53; }

}  // namespace strata::bench

#endif  // STRATA_BENCH_WORKLOAD_NOISE_H_
