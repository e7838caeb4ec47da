#include "tsdb/querier/merge_series_set.h"

#include <algorithm>
#include <utility>

#include "tsdb/querier/merge_iterator.h"

namespace strata::querier_internal {

MergeSeriesSet::MergeSeriesSet(std::vector<std::unique_ptr<SeriesSet>> inputs)
    : inputs_(std::move(inputs)) {
  heap_.reserve(inputs_.size());
  current_.reserve(inputs_.size());
}

bool MergeSeriesSet::After::operator()(uint32_t a, uint32_t b) const {
  const int c = Compare(set->inputs_[a]->labels(), set->inputs_[b]->labels());
  return c != 0 ? c > 0 : a > b;
}

bool MergeSeriesSet::Next() {
  if (!status_.ok()) return false;
  if (!started_) {
    started_ = true;
    for (uint32_t i = 0; i < inputs_.size(); ++i) {
      if (!Advance(i)) return false;
    }
  } else {
    for (uint32_t i : current_) {
      if (!Advance(i)) return false;
    }
  }
  current_.clear();
  if (heap_.empty()) return false;
  const After after{this};
  // The top and every input with the same labels make up the next series;
  // they come off the heap in index order.
  do {
    std::pop_heap(heap_.begin(), heap_.end(), after);
    current_.push_back(heap_.back());
    heap_.pop_back();
  } while (!heap_.empty() &&
           inputs_[heap_.front()]->labels() == inputs_[current_.front()]->labels());
  return true;
}

bool MergeSeriesSet::Advance(uint32_t index) {
  SeriesSet& in = *inputs_[index];
  if (in.Next()) {
    heap_.push_back(index);
    std::push_heap(heap_.begin(), heap_.end(), After{this});
    return true;
  }
  status_ = in.status();
  if (status_.ok()) return true;
  heap_.clear();
  current_.clear();
  return false;
}

const Labels& MergeSeriesSet::labels() const {
  static const Labels* const kEmpty = new Labels();
  return current_.empty() ? *kEmpty : inputs_[current_.front()]->labels();
}

std::unique_ptr<SampleIterator> MergeSeriesSet::Iterator() const {
  if (current_.size() == 1) return inputs_[current_.front()]->Iterator();
  std::vector<std::unique_ptr<SampleIterator>> its;
  its.reserve(current_.size());
  for (uint32_t i : current_) its.push_back(inputs_[i]->Iterator());
  return std::make_unique<MergeSampleIterator>(std::move(its));
}

}  // namespace strata::querier_internal
