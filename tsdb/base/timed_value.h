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

// The batch read of an iterator over a sequence of chunks limited to
// timestamps <= range_maxt: whole runs of the current chunk's decoder
// `dec`, then on to the next chunk. `next_chunk()` records an error of the
// decoder or moves the iterator to the next chunk's first sample in range
// (false at the end or on error); `stop()` marks the iterator exhausted.
// REQUIRES: the iterator is at a sample of `dec`; cap > 0.
template <typename Decoder, typename NextChunk, typename Stop>
size_t ReadBatchAcrossChunks(Decoder& dec, int64_t range_maxt, int64_t maxt, TimedValue* out,
                             size_t cap, bool* positioned, NextChunk next_chunk, Stop stop) {
  const int64_t hi = maxt < range_maxt ? maxt : range_maxt;
  size_t n = 0;
  for (;;) {
    bool in_chunk;
    n += dec.ReadBatch(hi, out + n, cap - n, &in_chunk);
    if (in_chunk) {
      // Stopped by hi or cap at a sample, which is past the iterator's
      // range if it is past range_maxt.
      if (dec.t() > range_maxt) break;
      *positioned = true;
      return n;
    }
    if (!next_chunk()) break;
    if (n == cap) {
      *positioned = true;
      return n;
    }
  }
  stop();
  *positioned = false;
  return n;
}

}  // namespace strata

#endif  // STRATA_TSDB_BASE_TIMED_VALUE_H_
