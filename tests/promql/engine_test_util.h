// A test fixture for engine-level tests: an in-memory DB (no WAL) that
// accepts any timestamp order, a Queryable over it, and an Engine with the
// default options.
#ifndef STRATA_TESTS_PROMQL_ENGINE_TEST_UTIL_H_
#define STRATA_TESTS_PROMQL_ENGINE_TEST_UTIL_H_

#include <memory>

#include "gtest/gtest.h"
#include "promql/engine.h"
#include "tsdb/base/clock.h"
#include "tsdb/base/mem_fs.h"
#include "tsdb/db.h"

namespace strata::promql::testing {

class EngineFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    DBOptions o;
    o.fs = &fs_;
    o.clock = &clock_;
    o.wal_enabled = false;
    o.block_range_ms = int64_t{1} << 50;  // nothing is ever "too old"
    o.max_future_ms = int64_t{1} << 50;
    auto db = DB::Open("/db", o);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
    queryable_ = [this](int64_t mint, int64_t maxt) { return db_->NewQuerier(mint, maxt); };
  }

  MemFileSystem fs_;
  ManualClock clock_{0};
  std::unique_ptr<DB> db_;
  Queryable queryable_;
  Engine engine_{EngineOptions{}};
};

}  // namespace strata::promql::testing

#endif  // STRATA_TESTS_PROMQL_ENGINE_TEST_UTIL_H_
