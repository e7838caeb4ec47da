#include "tsdb/head/head_stats.h"

#include <algorithm>
#include <string_view>

namespace strata {
namespace {

// Keeps the `limit` largest stats seen so far: a min-heap whose top is the
// entry the next larger one evicts.
class TopK {
 public:
  explicit TopK(size_t limit) : limit_(limit) {}

  // `name` is only materialised when the entry makes it into the top.
  template <typename NameFn>
  void Push(uint64_t value, NameFn&& name) {
    if (heap_.size() < limit_) {
      heap_.push_back({name(), value});
      std::push_heap(heap_.begin(), heap_.end(), Greater);
      return;
    }
    const CardinalityStat& min = heap_.front();
    if (value < min.value) return;
    CardinalityStat candidate{name(), value};
    if (!Greater(candidate, min)) return;
    std::pop_heap(heap_.begin(), heap_.end(), Greater);
    heap_.back() = std::move(candidate);
    std::push_heap(heap_.begin(), heap_.end(), Greater);
  }

  std::vector<CardinalityStat> Take() {
    std::sort(heap_.begin(), heap_.end(), Greater);
    return std::move(heap_);
  }

 private:
  // Larger value first, then smaller name first.
  static bool Greater(const CardinalityStat& a, const CardinalityStat& b) {
    if (a.value != b.value) return a.value > b.value;
    return a.name < b.name;
  }

  size_t limit_;
  std::vector<CardinalityStat> heap_;
};

}  // namespace

HeadCardinality ComputeHeadCardinality(const Head& head, size_t limit) {
  HeadCardinality out;
  out.num_series = head.num_series();
  const SymbolTable& symbols = head.symbols();
  const MemPostings& postings = head.postings();
  uint32_t metric_name_id = 0;
  bool have_metric_name = symbols.Find(kMetricNameLabel, &metric_name_id);

  TopK metrics(limit), value_counts(limit), memory(limit), pairs(limit);
  PostingsList scratch;
  for (uint32_t name_id : postings.Names()) {
    std::string_view name = symbols.Lookup(name_id);
    std::vector<uint32_t> values = postings.Values(name_id);
    if (values.empty()) continue;
    out.num_label_pairs += values.size();
    value_counts.Push(values.size(), [&] { return std::string(name); });
    bool is_metric_name = have_metric_name && name_id == metric_name_id;
    uint64_t bytes = 0;
    for (uint32_t value_id : values) {
      std::string_view value = symbols.Lookup(value_id);
      postings.Get(name_id, value_id, &scratch);
      uint64_t series = scratch.size();
      if (series == 0) continue;
      bytes += (name.size() + value.size()) * series;
      if (is_metric_name) metrics.Push(series, [&] { return std::string(value); });
      pairs.Push(series, [&] {
        std::string pair(name);
        pair += '=';
        pair += value;
        return pair;
      });
    }
    memory.Push(bytes, [&] { return std::string(name); });
  }
  out.series_count_by_metric_name = metrics.Take();
  out.label_value_count_by_label_name = value_counts.Take();
  out.memory_in_bytes_by_label_name = memory.Take();
  out.series_count_by_label_value_pair = pairs.Take();
  return out;
}

}  // namespace strata
