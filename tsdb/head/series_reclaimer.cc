#include "tsdb/head/series_reclaimer.h"

#include <cassert>
#include <limits>

namespace strata {

uint64_t SeriesReclaimer::Enter() {
  MutexLock lock(&mu_);
  ++readers_[epoch_];
  return epoch_;
}

void SeriesReclaimer::Leave(uint64_t epoch) {
  std::vector<Retired> dead;  // freed after unlocking
  {
    MutexLock lock(&mu_);
    auto it = readers_.find(epoch);
    assert(it != readers_.end());
    if (--it->second == 0) readers_.erase(it);
    if (!retired_.empty()) CollectLocked(&dead);
  }
}

void SeriesReclaimer::Retire(std::vector<std::unique_ptr<MemSeries>> series) {
  std::vector<Retired> dead;
  {
    MutexLock lock(&mu_);
    if (!series.empty()) {
      retired_series_ += series.size();
      retired_.push_back({epoch_, std::move(series)});
    }
    // Readers entering from now on cannot reach what was just retired.
    ++epoch_;
    CollectLocked(&dead);
  }
}

void SeriesReclaimer::CollectLocked(std::vector<Retired>* out) {
  const uint64_t oldest =
      readers_.empty() ? std::numeric_limits<uint64_t>::max() : readers_.begin()->first;
  size_t n = 0;
  while (n < retired_.size() && retired_[n].epoch < oldest) ++n;
  if (n == 0) return;
  for (size_t i = 0; i < n; ++i) {
    retired_series_ -= retired_[i].series.size();
    out->push_back(std::move(retired_[i]));
  }
  retired_.erase(retired_.begin(), retired_.begin() + static_cast<ptrdiff_t>(n));
}

size_t SeriesReclaimer::pending() const {
  MutexLock lock(&mu_);
  return retired_series_;
}

}  // namespace strata
