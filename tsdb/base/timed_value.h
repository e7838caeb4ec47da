// TimedValue: one float sample, the unit of batch reads from storage
// (SampleIterator::ReadBatch and the chunk decoders' ReadBatch).
#ifndef STRATA_TSDB_BASE_TIMED_VALUE_H_
#define STRATA_TSDB_BASE_TIMED_VALUE_H_

#include <cstddef>
#include <cstdint>

namespace strata {

struct TimedValue {
  int64_t t;  // milliseconds since the epoch
  double v;
};

// The batch read of the iterator protocol (see SampleIterator::ReadBatch in
// tsdb/storage.h) for any iterator type with Next(), t() and v(): copies
// the current sample and the following ones with t <= maxt, at most cap, and
// sets *positioned to whether the iterator is still at a sample. Called with
// a concrete (final or non-virtual) iterator type, the loop inlines its Next.
// REQUIRES: `it` is at a sample; cap > 0.
template <typename Iterator>
size_t ReadBatchByNext(Iterator& it, int64_t maxt, TimedValue* out, size_t cap, bool* positioned) {
  size_t n = 0;
  bool at_sample = true;
  while (n < cap && it.t() <= maxt) {
    out[n++] = TimedValue{it.t(), it.v()};
    if (!it.Next()) {
      at_sample = false;
      break;
    }
  }
  *positioned = at_sample;
  return n;
}

}  // namespace strata

#endif  // STRATA_TSDB_BASE_TIMED_VALUE_H_
