// Internal to the querier module: a SampleIterator that merges the iterators
// of one series taken from several queriers.
//
// Samples come out in timestamp order. When several inputs hold a sample at
// the same timestamp exactly one is returned: the one from the input with the
// lowest index (the querier earliest in the merge list); the others are
// skipped. Values are passed through bit for bit (NaN payloads and stale
// markers included), since the inputs are never compared by value.
//
// Cost: inputs are kept in a binary heap ordered by (timestamp, index), so a
// step that switches input costs O(log k). The input holding the current
// sample is kept outside the heap: while its next sample is still earlier
// than every other input's (the usual case when blocks do not overlap: the
// older block, then the newer one, then the head), a step costs one virtual
// Next() and two integer comparisons, i.e. the inputs are concatenated.
// Seek seeks every input that is behind the target, then rebuilds the heap:
// O(k). Nothing is allocated per sample.
//
// status() reports the first error of any input; iteration stops there.
//
// Ownership: owns the input iterators. Thread safety: none.
#ifndef STRATA_TSDB_QUERIER_MERGE_ITERATOR_H_
#define STRATA_TSDB_QUERIER_MERGE_ITERATOR_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "tsdb/storage.h"

namespace strata::querier_internal {

class MergeSampleIterator final : public SampleIterator {
 public:
  // REQUIRES: no element of `inputs` is null; each yields strictly
  // increasing timestamps.
  explicit MergeSampleIterator(std::vector<std::unique_ptr<SampleIterator>> inputs);

  bool Next() override;
  bool Seek(int64_t t) override;
  // Runs of the current input up to the next input's timestamp are read
  // with the input's own ReadBatch.
  size_t ReadBatch(int64_t maxt, TimedValue* out, size_t cap, bool* positioned) override;
  int64_t t() const override { return cur_t_; }
  double v() const override { return inputs_[cur_]->v(); }
  absl::Status status() const override { return status_; }

 private:
  // An input positioned at a sample, with that sample's timestamp cached so
  // the heap does not make virtual calls to order itself.
  struct Entry {
    int64_t t;
    uint32_t index;
  };
  // Heap order for std::*_heap (a max-heap): "a after b" puts the earliest
  // (t, index) on top.
  static bool After(const Entry& a, const Entry& b) {
    return a.t != b.t ? a.t > b.t : a.index > b.index;
  }

  // Positions every input with Next (or Seek(t)) for the first call.
  bool Start(bool seek, int64_t t);
  // The current input was advanced (`positioned` is what its Next/Seek
  // returned): make the earliest input current again.
  bool CurrentMoved(bool positioned);
  // Moves the heap's top into the current slot; false when the heap is empty.
  bool PopCurrent();
  // Records the status of input `index`, whose Next/Seek returned false.
  // Returns false when that was an error (iteration is then over).
  bool InputEnded(uint32_t index);

  std::vector<std::unique_ptr<SampleIterator>> inputs_;
  std::vector<Entry> heap_;  // the positioned inputs except the current one
  uint32_t cur_ = 0;         // index of the input at the current sample
  int64_t cur_t_ = 0;
  bool started_ = false;
  bool has_cur_ = false;  // false before the start and after the end
  absl::Status status_;
};

}  // namespace strata::querier_internal

#endif  // STRATA_TSDB_QUERIER_MERGE_ITERATOR_H_
