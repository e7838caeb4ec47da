#include "tsdb/querier/merge_iterator.h"

#include <algorithm>
#include <utility>

namespace strata::querier_internal {

MergeSampleIterator::MergeSampleIterator(std::vector<std::unique_ptr<SampleIterator>> inputs)
    : inputs_(std::move(inputs)) {
  heap_.reserve(inputs_.size());
}

bool MergeSampleIterator::Next() {
  if (!started_) return Start(/*seek=*/false, 0);
  if (!has_cur_) return false;
  const int64_t t0 = cur_t_;
  // Other inputs at t0 hold duplicates of the current sample (the current
  // input has the lowest index among them, or it would not be current):
  // skip them.
  while (!heap_.empty() && heap_.front().t == t0) {
    std::pop_heap(heap_.begin(), heap_.end(), After);
    const uint32_t i = heap_.back().index;
    heap_.pop_back();
    if (inputs_[i]->Next()) {
      heap_.push_back({inputs_[i]->t(), i});
      std::push_heap(heap_.begin(), heap_.end(), After);
    } else if (!InputEnded(i)) {
      return false;
    }
  }
  return CurrentMoved(inputs_[cur_]->Next());
}

bool MergeSampleIterator::Seek(int64_t t) {
  if (!started_) return Start(/*seek=*/true, t);
  if (!has_cur_) return false;
  if (cur_t_ >= t) return true;  // never moves backwards
  if (heap_.empty() || heap_.front().t >= t) {
    // Only the current input is behind the target.
    return CurrentMoved(inputs_[cur_]->Seek(t));
  }
  // Several inputs are behind: seek them all and rebuild the heap.
  heap_.push_back({cur_t_, cur_});
  has_cur_ = false;
  size_t kept = 0;
  for (size_t j = 0; j < heap_.size(); ++j) {
    Entry e = heap_[j];
    if (e.t < t) {
      if (!inputs_[e.index]->Seek(t)) {
        if (!InputEnded(e.index)) return false;
        continue;
      }
      e.t = inputs_[e.index]->t();
    }
    heap_[kept++] = e;
  }
  heap_.resize(kept);
  std::make_heap(heap_.begin(), heap_.end(), After);
  return PopCurrent();
}

size_t MergeSampleIterator::ReadBatch(int64_t maxt, TimedValue* out, size_t cap, bool* positioned) {
  size_t n = 0;
  while (has_cur_ && n < cap && cur_t_ <= maxt) {
    if (heap_.empty() || heap_.front().t > cur_t_) {
      // The current input alone holds every sample before the other inputs'
      // earliest one (so bound >= cur_t_, and the subtraction cannot wrap).
      const int64_t bound = heap_.empty() ? maxt : std::min(maxt, heap_.front().t - 1);
      bool input_positioned;
      n += inputs_[cur_]->ReadBatch(bound, out + n, cap - n, &input_positioned);
      if (!CurrentMoved(input_positioned)) break;
    } else {
      // Another input holds a sample at cur_t_ too: Next skips it.
      out[n++] = TimedValue{cur_t_, v()};
      if (!Next()) break;
    }
  }
  *positioned = has_cur_;
  return n;
}

bool MergeSampleIterator::Start(bool seek, int64_t t) {
  started_ = true;
  for (uint32_t i = 0; i < inputs_.size(); ++i) {
    SampleIterator& in = *inputs_[i];
    if (seek ? in.Seek(t) : in.Next()) {
      heap_.push_back({in.t(), i});
    } else if (!InputEnded(i)) {
      return false;
    }
  }
  std::make_heap(heap_.begin(), heap_.end(), After);
  return PopCurrent();
}

bool MergeSampleIterator::CurrentMoved(bool positioned) {
  if (positioned) {
    const Entry e{inputs_[cur_]->t(), cur_};
    // Still ahead of every other input: go on without touching the heap.
    if (heap_.empty() || After(heap_.front(), e)) {
      cur_t_ = e.t;
      return true;
    }
    heap_.push_back(e);
    std::push_heap(heap_.begin(), heap_.end(), After);
  } else if (!InputEnded(cur_)) {
    return false;
  }
  return PopCurrent();
}

bool MergeSampleIterator::PopCurrent() {
  if (heap_.empty()) {
    has_cur_ = false;
    return false;
  }
  std::pop_heap(heap_.begin(), heap_.end(), After);
  cur_ = heap_.back().index;
  cur_t_ = heap_.back().t;
  heap_.pop_back();
  has_cur_ = true;
  return true;
}

bool MergeSampleIterator::InputEnded(uint32_t index) {
  absl::Status s = inputs_[index]->status();
  if (s.ok()) return true;
  status_ = std::move(s);
  heap_.clear();
  has_cur_ = false;
  return false;
}

}  // namespace strata::querier_internal
