// Deferred freeing of series removed from the head (epoch-based reclamation).
//
// Head::Truncate unlinks dead series from every index, so no lookup started
// afterwards can reach them. But a reader that looked a series up earlier
// (an appender between Add and Commit, a querier inside Select, code holding
// a Find/ByRef result) may still dereference it. So unlinked series are not
// deleted at once: they are retired here, tagged with the current epoch,
// and the epoch advances. Every reader registers the epoch current when it
// starts (Enter) and deregisters when done (Leave). A retired series tagged
// T can only be reachable by readers whose epoch is <= T (they entered
// before it was retired; readers entering later started after the unlink and
// cannot find it), so it is freed once every live reader's epoch is > T.
//
// Freeing happens in Retire and in the Leave of the last reader blocking it.
//
// Cost: one mutex acquisition per Enter and per Leave (readers enter once
// per appender batch or per Select, not per sample).
//
// Thread safety: all methods are safe for concurrent use.
#ifndef STRATA_TSDB_HEAD_SERIES_RECLAIMER_H_
#define STRATA_TSDB_HEAD_SERIES_RECLAIMER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "tsdb/base/mutex.h"
#include "tsdb/head/mem_series.h"

namespace strata {

class SeriesReclaimer {
 public:
  SeriesReclaimer() = default;
  ~SeriesReclaimer() = default;  // frees everything still retired
  SeriesReclaimer(const SeriesReclaimer&) = delete;
  SeriesReclaimer& operator=(const SeriesReclaimer&) = delete;

  // RAII registration of one reader. Movable; an empty Guard holds nothing.
  class Guard {
   public:
    Guard() = default;
    explicit Guard(SeriesReclaimer* r) : r_(r), epoch_(r->Enter()) {}
    Guard(Guard&& o) noexcept : r_(std::exchange(o.r_, nullptr)), epoch_(o.epoch_) {}
    Guard& operator=(Guard&& o) noexcept {
      if (this != &o) {
        Reset();
        r_ = std::exchange(o.r_, nullptr);
        epoch_ = o.epoch_;
      }
      return *this;
    }
    ~Guard() { Reset(); }
    void Reset() {
      if (r_ != nullptr) std::exchange(r_, nullptr)->Leave(epoch_);
    }
    bool active() const { return r_ != nullptr; }

   private:
    SeriesReclaimer* r_ = nullptr;
    uint64_t epoch_ = 0;
  };

  // Registers a reader; returns its epoch for Leave.
  uint64_t Enter();
  void Leave(uint64_t epoch);

  // Takes ownership of `series`, already unreachable for new readers, and
  // frees them once no reader that entered before this call is left.
  void Retire(std::vector<std::unique_ptr<MemSeries>> series);

  // Series retired but not yet freed (for tests and memory accounting).
  size_t pending() const;

 private:
  struct Retired {
    uint64_t epoch;
    std::vector<std::unique_ptr<MemSeries>> series;
  };

  // Moves the batches no live reader can reach into *out.
  void CollectLocked(std::vector<Retired>* out) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable Mutex mu_;
  uint64_t epoch_ ABSL_GUARDED_BY(mu_) = 1;
  std::map<uint64_t, uint32_t> readers_ ABSL_GUARDED_BY(mu_);  // epoch -> live readers
  std::vector<Retired> retired_ ABSL_GUARDED_BY(mu_);          // ascending epochs
  size_t retired_series_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace strata

#endif  // STRATA_TSDB_HEAD_SERIES_RECLAIMER_H_
