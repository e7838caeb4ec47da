// The storage a PromQL test script runs against: a fresh strata::DB on an
// in-memory filesystem, without WAL, with a fixed clock at the epoch and
// limits wide enough that the head accepts every timestamp a script loads
// (scripts load from t=0 and evaluate anywhere). `clear` reopens it empty.
//
// Native-histogram points and the series load_with_nhcb would synthesise
// are not stored (Strata stores floats only); their label sets are kept so
// the runner can skip the evals that read them.
//
//   TestStorage st;
//   RETURN_IF_ERROR(st.Clear());
//   RETURN_IF_ERROR(st.Load(load_cmd));
//   engine.InstantQuery(st.queryable(), "up", 0);
//
// Thread safety: one thread at a time.
#ifndef STRATA_TESTS_PROMQL_PROMQLTEST_STORAGE_H_
#define STRATA_TESTS_PROMQL_PROMQLTEST_STORAGE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "tests/promql/promqltest/script.h"
#include "tsdb/base/clock.h"
#include "tsdb/base/mem_fs.h"
#include "tsdb/db.h"
#include "tsdb/labels/labels.h"
#include "tsdb/storage.h"

namespace strata::promqltest {

class TestStorage {
 public:
  TestStorage() = default;
  TestStorage(const TestStorage&) = delete;
  TestStorage& operator=(const TestStorage&) = delete;

  // Drops everything and opens an empty DB. Call once before the first Load.
  absl::Status Clear();

  // Appends the load's float points (at 0, interval, 2*interval, …) in one
  // commit; fails (and appends nothing) if the head refuses one.
  absl::Status Load(const LoadCmd& cmd);

  // Series that hold native-histogram points (loaded `{{...}}` points, and
  // the histograms load_with_nhcb builds from classic ones), since the last
  // Clear.
  const std::vector<Labels>& histogram_series() const { return histogram_series_; }

  // Opens a querier on the current DB (the one after the latest Clear).
  std::function<std::unique_ptr<Querier>(int64_t, int64_t)> queryable();

  DB* db() { return db_.get(); }

 private:
  void AddHistogramSeries(const Labels& l);
  void AddNhcbSeries(const LoadCmd& cmd);

  ManualClock clock_{0};
  std::unique_ptr<MemFileSystem> fs_;
  std::unique_ptr<DB> db_;  // declared after fs_: destroyed first
  std::vector<Labels> histogram_series_;
};

}  // namespace strata::promqltest

#endif  // STRATA_TESTS_PROMQL_PROMQLTEST_STORAGE_H_
