// The head's batch appender (see Appender in tsdb/storage.h).
//
// Add checks each sample against its series and the batch so far, so a bad
// sample is refused at once with a typed error and never reaches the WAL.
// Commit logs one series record (for series not yet in the WAL) and one
// samples record in a single WAL write, then applies the samples under each
// series' stripe lock, releasing each series' pin with its last sample.
// So a series takes its stripe lock twice per batch (check and pin in its
// first Add, append and unpin in Commit), not per sample. A sample that another appender overtook
// between Add and Commit is logged but not applied (counted as a lost commit race), which replay
// reproduces or improves on: nothing acknowledged as applied is lost. So is a sample that a
// concurrent Head::Truncate made too old.
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
    size_t last;  // index in samples_ of the series' last queued sample
  };

  // Refuses timestamps too far ahead of the clock or older than the head
  // accepts.
  SampleError CheckTime(int64_t t);
  // Queues the first sample of the batch for `series`, checked against the
  // series under its stripe lock, and pins the series. `pinned`: the caller
  // holds a pending-commit pin on it (a series just created), which
  // QueueFirst keeps for the batch or drops. Sets *removed (and queues
  // nothing) if Truncate removed the series.
  absl::Status QueueFirst(MemSeries* series, int64_t t, double v, bool pinned, bool* removed);
  // Queues a further sample for a series already in the batch (pinned),
  // checked against the batch's newest sample of it; takes no lock.
  absl::Status QueueMore(Newest& newest, int64_t t, double v);
  // Validates `labels` and creates the series, pinned if it is new.
  absl::StatusOr<MemSeries*> Create(const Labels& labels, uint64_t hash, bool* pinned);
  // Releases the pins of the batch's series.
  void Unpin();
  absl::Status Reject(SampleError e, const MemSeries& series, int64_t t, double v);
  absl::Status LogToWal();
  // Appends the batch, holding each stripe lock across consecutive samples of
  // that stripe. clang's analysis cannot follow a lock carried from one loop
  // iteration to the next, hence the opt-out; every sample is appended with
  // its series' stripe held (see the loop).
  void Apply() ABSL_NO_THREAD_SAFETY_ANALYSIS;
  void Clear();

  static constexpr int64_t kUnset = INT64_MIN;

  Head* const head_;
  Head::ReadGuard guard_;
  int64_t max_valid_t_ = kUnset;  // newest acceptable timestamp for this batch
  std::vector<wal::RefSample> samples_;
  std::vector<MemSeries*> series_;  // parallel to samples_
  std::vector<uint8_t> last_;       // Apply's scratch: whether samples_[i] is its series' last
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
