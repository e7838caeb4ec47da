// The head's batch appender (see Appender in tsdb/storage.h).
//
// Add checks each sample against its series and the batch so far, so a bad
// sample is refused at once with a typed error and never reaches the WAL.
// Commit logs one series record (for series not yet in the WAL) and one
// samples record in a single WAL write, then applies the samples under each
// series' stripe lock. A sample that another appender overtook between Add
// and Commit is logged but not applied (counted as a lost commit race), which
// replay reproduces or improves on: nothing acknowledged as applied is lost.
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
  explicit HeadAppender(Head* head) : head_(head) {}
  ~HeadAppender() override = default;

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

  absl::Status Queue(MemSeries* series, int64_t t, double v);
  absl::Status Reject(SampleError e, const MemSeries& series, int64_t t, double v);
  absl::Status LogToWal();
  void Apply();
  void Clear();

  static constexpr int64_t kUnset = INT64_MIN;

  Head* const head_;
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
