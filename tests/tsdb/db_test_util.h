// A deterministic workload for DB durability tests: batch k writes one
// sample to each series of one half of the series, at round k / 2, with a
// value derived from (series, round) that exercises special bit patterns.
#ifndef STRATA_TESTS_TSDB_DB_TEST_UTIL_H_
#define STRATA_TESTS_TSDB_DB_TEST_UTIL_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tsdb/db.h"

namespace strata::testing {

class BatchWorkload {
 public:
  BatchWorkload(int num_series, int64_t start_ms) : num_series_(num_series), start_ms_(start_ms) {
    for (int s = 0; s < num_series; ++s) {
      labels_.push_back(Labels::FromStrings({"__name__", "crash_test_metric", "series",
                                             std::to_string(s), "half", std::to_string(s % 2)}));
    }
  }

  int num_series() const { return num_series_; }
  int64_t Time(int64_t round) const { return start_ms_ + round * 10; }
  static double Value(int series, int64_t round) {
    uint64_t x = (static_cast<uint64_t>(series) << 32) ^ static_cast<uint64_t>(round);
    x = (x ^ (x >> 31)) * 0x9e3779b97f4a7c15ull;
    uint64_t bits;
    switch (x % 8) {
      case 0:
        bits = 0x7ff0000000000002ull;  // stale marker
        break;
      case 1:
        bits = 0x7ff8000000000000ull | (x >> 20);  // NaN with a payload
        break;
      default: {
        double d = static_cast<double>(round) * 1.5 + series;
        std::memcpy(&bits, &d, sizeof d);
      }
    }
    double v;
    std::memcpy(&v, &bits, sizeof v);
    return v;
  }

  // Queues and commits batch `k`.
  absl::Status WriteBatch(DB* db, int64_t k) const {
    auto app = db->NewAppender();
    int64_t round = k / 2;
    for (int s = static_cast<int>(k % 2); s < num_series_; s += 2) {
      auto ref = app->Add(labels_[s], Time(round), Value(s, round));
      if (!ref.ok()) return ref.status();
    }
    return app->Commit();
  }

  // Checks that every batch in [0, acked) is present bit-exactly and that no
  // sample exists that the workload did not write. Returns the number of
  // samples read.
  int64_t Verify(DB* db, int64_t acked) const {
    auto q = db->NewQuerier(INT64_MIN, INT64_MAX);
    auto set = q->Select({});
    std::vector<int64_t> rounds_per_series(num_series_, 0);
    int64_t samples = 0;
    while (set->Next()) {
      int s = std::stoi(std::string(set->labels().Get("series")));
      auto it = set->Iterator();
      int64_t round = 0;
      while (it->Next()) {
        EXPECT_EQ(it->t(), Time(round)) << "series " << s;
        double want = Value(s, round), got = it->v();
        EXPECT_EQ(std::memcmp(&want, &got, sizeof want), 0) << "series " << s << " round " << round;
        ++round;
      }
      EXPECT_TRUE(it->status().ok()) << it->status();
      rounds_per_series[s] = round;
      samples += round;
    }
    for (int s = 0; s < num_series_; ++s) {
      // Batches acked for this series' half: k < acked with k % 2 == s % 2.
      int64_t need = (acked - s % 2 + 1) / 2;
      if (need < 0) need = 0;
      EXPECT_GE(rounds_per_series[s], need) << "series " << s << " lost acknowledged samples";
    }
    return samples;
  }

 private:
  int num_series_;
  int64_t start_ms_;
  std::vector<Labels> labels_;
};

}  // namespace strata::testing

#endif  // STRATA_TESTS_TSDB_DB_TEST_UTIL_H_
