// The head's batch appender (see Appender in tsdb/storage.h).
//
// Add checks each sample against its series and the batch so far, so a bad
// sample is refused at once with a typed error and never reaches the WAL.
// Commit logs one series record (for series not yet in the WAL) and one
// samples record in a single WAL write, then applies the samples under each
// series' stripe lock. A sample that another appender overtook between Add
// and Commit is logged but not applied (counted as a lost commit race), which
// replay reproduces or improves on: nothing acknowledged as applied is lost.
// So is a sample that a concurrent Head::Truncate made too old.
//
// Truncation safety: the appender is a registered reader of the head (see
// head.h) from creation, re-registered after every Commit/Rollback, so the
// series it looked up stay allocated; and every series with a sample in the
// batch is pinned (a pending commit) from Add to Commit/Rollback, so
// Truncate does not remove it. A series that Truncate removed between the
// lookup and the pin is looked up again (Add) or reported NotFound
// (AddFast), as for an unknown ref.
//
// Thread safety: one thread at a time.
#ifndef STRATA_TSDB_HEAD_HEAD_APPENDER_H_
#define STRATA_TSDB_HEAD_HEAD_APPENDER_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "tsdb/head/head.h"

namespace strata {

class HeadAppender final : public Appender {
 public:
  explicit HeadAppender(Head* head) : head_(head), guard_(head->EnterReader()) {}
  ~HeadAppender() override { Unpin(); }

  absl::StatusOr<SeriesRef> Add(const Labels& labels, int64_t t, double v) override;
  absl::Status AddFast(SeriesRef ref, int64_t t, double v) override;
  absl::Status UpdateMetadata(SeriesRef ref, const MetricMetadata& metadata) override;
  absl::Status Commit() override;
  void Rollback() override;
  size_t pending() const override { return samples_.size(); }

 private:
  // Newest sample queued in this batch for a series.
  struct Newest {
    int64_t t;
    double v;
    MemSeries* series;
  };

  // Queues (t, v) for `series`. `pinned`: the caller holds a pending-commit
  // pin on it (a series just created), which Queue keeps for the batch or
  // drops. Sets *removed (and queues nothing) if Truncate removed the series.
  absl::Status Queue(MemSeries* series, int64_t t, double v, bool pinned, bool* removed);
  // Validates `labels` and creates the series, pinned if it is new.
  absl::StatusOr<MemSeries*> Create(const Labels& labels, uint64_t hash, bool* pinned);
  // Releases the pins of the batch's series.
  void Unpin();
  absl::Status Reject(SampleError e, const MemSeries& series, int64_t t, double v);
  absl::Status LogToWal();
  void Apply();
  void Clear();

  static constexpr int64_t kUnset = INT64_MIN;

  Head* const head_;
  Head::ReadGuard guard_;
  int64_t max_valid_t_ = kUnset;  // newest acceptable timestamp for this batch
  std::vector<wal::RefSample> samples_;
  std::vector<MemSeries*> series_;  // parallel to samples_
  absl::flat_hash_map<SeriesRef, Newest> newest_;
  // Scratch reused across commits.
  std::vector<wal::RefSeries> new_series_;
  std::string series_record_;
  std::string samples_record_;
  std::vector<wal::RefMetadata> metadata_;
  std::string metadata_record_;
};

}  // namespace strata

#endif  // STRATA_TSDB_HEAD_HEAD_APPENDER_H_
