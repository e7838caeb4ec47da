// Internal to the querier module: a SeriesSet that merges the sorted sets
// selected from several queriers.
//
// Series come out sorted by labels (Compare order). Series with equal labels
// in several inputs become one series; its Iterator() creates the inputs'
// iterators at the time of the call (so the result stays valid after Next()
// moves on, as the SeriesSet contract requires) and merges them with
// MergeSampleIterator, where the input with the lowest index wins samples at
// equal timestamps. A series held by one input only gets that input's
// iterator itself, with no merging wrapper.
//
// Cost: inputs are kept in a binary heap ordered by (labels, index): O(log k)
// label comparisons per input series.
//
// status() reports the first error of any input; iteration stops there.
//
// Ownership: owns the input sets; labels() returns a reference into the
// input set holding the current series, valid until the next Next().
// Thread safety: none.
#ifndef STRATA_TSDB_QUERIER_MERGE_SERIES_SET_H_
#define STRATA_TSDB_QUERIER_MERGE_SERIES_SET_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "tsdb/storage.h"

namespace strata::querier_internal {

class MergeSeriesSet final : public SeriesSet {
 public:
  // REQUIRES: no element of `inputs` is null; each is sorted by labels with
  // unique labels.
  explicit MergeSeriesSet(std::vector<std::unique_ptr<SeriesSet>> inputs);

  bool Next() override;
  const Labels& labels() const override;
  std::unique_ptr<SampleIterator> Iterator() const override;
  absl::Status status() const override { return status_; }

 private:
  // Heap order for std::*_heap (a max-heap): puts the smallest
  // (labels, index) on top.
  struct After {
    const MergeSeriesSet* set;
    bool operator()(uint32_t a, uint32_t b) const;
  };

  // Advances input `index`; pushes it onto the heap when it has a series.
  // Returns false when the input failed (iteration is then over).
  bool Advance(uint32_t index);

  std::vector<std::unique_ptr<SeriesSet>> inputs_;
  std::vector<uint32_t> heap_;     // inputs at a series other than the current
  std::vector<uint32_t> current_;  // inputs at the current series, by index
  bool started_ = false;
  absl::Status status_;
};

}  // namespace strata::querier_internal

#endif  // STRATA_TSDB_QUERIER_MERGE_SERIES_SET_H_
