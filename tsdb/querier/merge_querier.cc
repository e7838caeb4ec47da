#include "tsdb/querier/merge_querier.h"

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <utility>

#include "tsdb/base/status_macros.h"
#include "tsdb/querier/merge_iterator.h"
#include "tsdb/querier/merge_series_set.h"

namespace strata {
namespace {

class EmptySeriesSet final : public SeriesSet {
 public:
  bool Next() override { return false; }
  const Labels& labels() const override { return labels_; }
  std::unique_ptr<SampleIterator> Iterator() const override {
    // No series is ever current; an empty merge of no inputs is an empty
    // iterator.
    return std::make_unique<querier_internal::MergeSampleIterator>(
        std::vector<std::unique_ptr<SampleIterator>>());
  }
  absl::Status status() const override { return absl::OkStatus(); }

 private:
  Labels labels_;
};

class EmptyQuerier final : public Querier {
 public:
  std::unique_ptr<SeriesSet> Select(std::span<const Matcher>) override {
    return std::make_unique<EmptySeriesSet>();
  }
  absl::StatusOr<std::vector<std::string>> LabelValues(std::string_view,
                                                       std::span<const Matcher>) override {
    return std::vector<std::string>();
  }
  absl::StatusOr<std::vector<std::string>> LabelNames(std::span<const Matcher>) override {
    return std::vector<std::string>();
  }
};

// Merges the sorted, distinct `list` into the sorted, distinct `out`.
// Duplicates are dropped after every merge, so `out` never grows beyond the
// number of distinct strings (blocks mostly share their label values).
void UnionInto(std::vector<std::string>* out, std::vector<std::string> list) {
  if (out->empty()) {
    *out = std::move(list);
    return;
  }
  const auto mid = static_cast<std::ptrdiff_t>(out->size());
  out->insert(out->end(), std::make_move_iterator(list.begin()),
              std::make_move_iterator(list.end()));
  std::inplace_merge(out->begin(), out->begin() + mid, out->end());
  out->erase(std::unique(out->begin(), out->end()), out->end());
}

class MergeQuerier final : public Querier {
 public:
  explicit MergeQuerier(std::vector<std::unique_ptr<Querier>> queriers)
      : queriers_(std::move(queriers)) {}

  std::unique_ptr<SeriesSet> Select(std::span<const Matcher> matchers) override {
    std::vector<std::unique_ptr<SeriesSet>> sets;
    sets.reserve(queriers_.size());
    for (auto& q : queriers_) sets.push_back(q->Select(matchers));
    return std::make_unique<querier_internal::MergeSeriesSet>(std::move(sets));
  }

  absl::StatusOr<std::vector<std::string>> LabelValues(std::string_view name,
                                                       std::span<const Matcher> matchers) override {
    std::vector<std::string> out;
    for (auto& q : queriers_) {
      ASSIGN_OR_RETURN(std::vector<std::string> values, q->LabelValues(name, matchers));
      UnionInto(&out, std::move(values));
    }
    return out;
  }

  absl::StatusOr<std::vector<std::string>> LabelNames(std::span<const Matcher> matchers) override {
    std::vector<std::string> out;
    for (auto& q : queriers_) {
      ASSIGN_OR_RETURN(std::vector<std::string> names, q->LabelNames(matchers));
      UnionInto(&out, std::move(names));
    }
    return out;
  }

 private:
  std::vector<std::unique_ptr<Querier>> queriers_;
};

}  // namespace

std::unique_ptr<Querier> NewMergeQuerier(std::vector<std::unique_ptr<Querier>> queriers) {
  if (queriers.empty()) return std::make_unique<EmptyQuerier>();
  if (queriers.size() == 1) return std::move(queriers.front());
  return std::make_unique<MergeQuerier>(std::move(queriers));
}

}  // namespace strata
