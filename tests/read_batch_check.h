// A property check of the batch read of the iterator protocol
// (SampleIterator::ReadBatch in tsdb/storage.h and the chunk decoders'
// ReadBatch): on fresh iterators made by `make`, random mixes of ReadBatch
// (random caps and bounds, some below the current sample), Next and Seek
// must see exactly the samples a plain Next loop sees, bit for bit, and
// leave the iterator where the contract says.
//
// Works for any iterator type with Next/Seek/t/v/ReadBatch, virtual or not.
#ifndef STRATA_TESTS_READ_BATCH_CHECK_H_
#define STRATA_TESTS_READ_BATCH_CHECK_H_

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "tsdb/base/timed_value.h"

namespace strata::testing {

inline bool SameSample(const TimedValue& a, const TimedValue& b) {
  return a.t == b.t && std::memcmp(&a.v, &b.v, sizeof a.v) == 0;
}

// `make` returns a fresh iterator (a pointer-like owner); `rounds` random
// traversals are checked against the Next loop's samples.
template <typename MakeIterator>
void CheckReadBatchMatchesNext(const MakeIterator& make, uint64_t seed, int rounds = 40) {
  std::vector<TimedValue> want;
  {
    auto it = make();
    while (it->Next()) want.push_back(TimedValue{it->t(), it->v()});
  }
  std::mt19937_64 rng(seed);
  auto uniform = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  const int64_t span = want.empty() ? 1000 : want.back().t - want.front().t + 1;
  std::vector<TimedValue> buf(64);
  for (int round = 0; round < rounds; ++round) {
    SCOPED_TRACE(::testing::Message() << "seed " << seed << " round " << round);
    auto it = make();
    // pos: index in `want` of the sample the iterator is at.
    size_t pos = 0;
    bool positioned;
    if (!want.empty() && uniform(0, 2) == 0) {
      const int64_t target = want.front().t + uniform(-10, span);
      positioned = it->Seek(target);
      pos = std::lower_bound(want.begin(), want.end(), target,
                             [](const TimedValue& s, int64_t t) { return s.t < t; }) -
            want.begin();
    } else {
      positioned = it->Next();
    }
    ASSERT_EQ(positioned, pos < want.size());
    while (positioned) {
      ASSERT_TRUE(SameSample(TimedValue{it->t(), it->v()}, want[pos])) << "at index " << pos;
      const int action = static_cast<int>(uniform(0, 9));
      if (action == 0) {  // a Next in between
        positioned = it->Next();
        ++pos;
      } else if (action == 1) {  // a Seek in between, sometimes backwards
        const int64_t target = want[pos].t + uniform(-span / 50 - 1, span / 20 + 1);
        positioned = it->Seek(target);
        while (pos < want.size() && want[pos].t < target) ++pos;
      } else {
        const size_t cap = uniform(0, 3) == 0 ? buf.size() : static_cast<size_t>(uniform(1, 5));
        // Bounds from below the current sample to far past it.
        const int64_t maxt = want[pos].t + uniform(-5, span / 10 + 1);
        const size_t n = it->ReadBatch(maxt, buf.data(), cap, &positioned);
        size_t expect = 0;
        while (expect < cap && pos + expect < want.size() && want[pos + expect].t <= maxt) {
          ++expect;
        }
        ASSERT_EQ(n, expect) << "cap " << cap << " maxt " << maxt << " at index " << pos;
        for (size_t i = 0; i < n; ++i) {
          ASSERT_TRUE(SameSample(buf[i], want[pos + i])) << "batch sample " << i;
        }
        pos += n;
      }
      ASSERT_EQ(positioned, pos < want.size()) << "at index " << pos;
    }
  }
}

}  // namespace strata::testing

#endif  // STRATA_TESTS_READ_BATCH_CHECK_H_
