#include "tsdb/db.h"

#include <cerrno>
#include <random>
#include <thread>

#include "gtest/gtest.h"
#include "tests/test_util.h"
#include "tests/tsdb/db_test_util.h"
#include "tests/tsdb/head/head_test_util.h"
#include "tsdb/base/fault_fs.h"
#include "tsdb/base/mem_fs.h"

namespace strata {
namespace {

using testing::BatchWorkload;
using testing::ReadAll;
using testing::Sample;

int64_t NowMs() { return RealClock().NowMillis(); }

TEST(DBTest, ReopenReplaysWal) {
  testing::TempDir dir;
  const int64_t t0 = NowMs() - 60000;
  Labels l = Labels::FromStrings({"__name__", "m", "job", "a"});
  {
    auto db = DB::Open(dir.path(), {});
    ASSERT_TRUE(db.ok()) << db.status();
    auto app = (*db)->NewAppender();
    ASSERT_TRUE(app->Add(l, t0, 1.5).ok());
    ASSERT_TRUE(app->Add(l, t0 + 1000, 2.5).ok());
    ASSERT_TRUE(app->Commit().ok());
    ASSERT_TRUE((*db)->Close().ok());
  }
  auto db = DB::Open(dir.path(), {});
  ASSERT_TRUE(db.ok()) << db.status();
  auto all = ReadAll(*(*db)->NewQuerier(INT64_MIN, INT64_MAX), {});
  EXPECT_EQ(all[l.ToString()], (std::vector<Sample>{{t0, 1.5}, {t0 + 1000, 2.5}}));
  EXPECT_EQ((*db)->stats().head.series, 1u);
  // New series created after a reopen get fresh refs and survive too.
  auto app = (*db)->NewAppender();
  Labels l2 = Labels::FromStrings({"__name__", "m", "job", "b"});
  ASSERT_TRUE(app->Add(l2, t0 + 2000, 3).ok());
  ASSERT_TRUE(app->Add(l, t0 + 2000, 3).ok());
  ASSERT_TRUE(app->Commit().ok());
  app.reset();  // appenders must not outlive their DB
  ASSERT_TRUE((*db)->Close().ok());
  db = DB::Open(dir.path(), {});
  ASSERT_TRUE(db.ok()) << db.status();
  all = ReadAll(*(*db)->NewQuerier(INT64_MIN, INT64_MAX), {});
  EXPECT_EQ(all[l2.ToString()], (std::vector<Sample>{{t0 + 2000, 3}}));
  EXPECT_EQ(all[l.ToString()].size(), 3u);
}

TEST(DBTest, LockFileKeepsASecondOpenerOut) {
  testing::TempDir dir;
  auto db = DB::Open(dir.path(), {});
  ASSERT_TRUE(db.ok()) << db.status();
  auto second = DB::Open(dir.path(), {});
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("lock"), std::string::npos) << second.status();
  ASSERT_TRUE((*db)->Close().ok());
  EXPECT_TRUE(DB::Open(dir.path(), {}).ok());
}

TEST(DBTest, WalDisabledKeepsNothingAcrossReopen) {
  MemFileSystem fs;
  DBOptions o;
  o.fs = &fs;
  o.wal_enabled = false;
  BatchWorkload w(10, NowMs() - 600000);
  {
    auto db = DB::Open("/db", o);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(w.WriteBatch(db->get(), 0).ok());
    EXPECT_EQ(w.Verify(db->get(), 1), 5);
  }
  auto db = DB::Open("/db", o);
  ASSERT_TRUE(db.ok());
  EXPECT_EQ((*db)->stats().head.series, 0u);
}

// Disk full and I/O errors on WAL writes fail the commit cleanly: nothing of
// the batch is applied, the error says why, and writes work again once the
// fault is gone.
class DBFaultTest : public ::testing::TestWithParam<std::tuple<int, bool>> {};

TEST_P(DBFaultTest, FailedWalWriteAppliesNothingAndRecovers) {
  auto [err, short_write] = GetParam();
  MemFileSystem mem;
  FaultInjectingFileSystem fs(&mem);
  DBOptions o;
  o.fs = &fs;
  BatchWorkload w(100, NowMs() - 600000);
  auto db = DB::Open("/db", o);
  ASSERT_TRUE(db.ok()) << db.status();
  ASSERT_TRUE(w.WriteBatch(db->get(), 0).ok());
  ASSERT_TRUE(w.WriteBatch(db->get(), 1).ok());

  fs.set_short_write(short_write);
  fs.FailNthWrite(1, err);
  absl::Status st = w.WriteBatch(db->get(), 2);
  ASSERT_FALSE(st.ok());
  if (err == ENOSPC) {
    EXPECT_EQ(st.code(), absl::StatusCode::kResourceExhausted) << st;
    EXPECT_NE(st.message().find("No space left on device"), std::string::npos) << st;
  } else {
    EXPECT_NE(st.message().find("Input/output error"), std::string::npos) << st;
  }
  // Nothing of batch 2 is visible.
  EXPECT_EQ(w.Verify(db->get(), 2), 100);

  fs.Heal();
  ASSERT_TRUE(w.WriteBatch(db->get(), 2).ok());
  ASSERT_TRUE(w.WriteBatch(db->get(), 3).ok());
  EXPECT_EQ(w.Verify(db->get(), 4), 200);
  ASSERT_TRUE((*db)->Close().ok());
  db->reset();

  // The failed write left nothing behind that replay would trip over.
  db = DB::Open("/db", o);
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_FALSE((*db)->stats().replay.repaired) << (*db)->stats().replay.repair_reason;
  EXPECT_EQ(w.Verify(db->get(), 4), 200);
}

INSTANTIATE_TEST_SUITE_P(Faults, DBFaultTest,
                         ::testing::Combine(::testing::Values(ENOSPC, EIO), ::testing::Bool()));

TEST(DBTest, FailedSyncFailsTheCommit) {
  MemFileSystem mem;
  FaultInjectingFileSystem fs(&mem);
  DBOptions o;
  o.fs = &fs;
  BatchWorkload w(10, NowMs() - 600000);
  auto db = DB::Open("/db", o);
  ASSERT_TRUE(db.ok()) << db.status();
  fs.FailSyncs(EIO);
  EXPECT_FALSE(w.WriteBatch(db->get(), 0).ok());
  EXPECT_EQ(w.Verify(db->get(), 0), 0);
}

// Power loss under the default policy: every acknowledged batch survives,
// whenever the power goes.
TEST(DBPowerLossTest, AlwaysPolicyKeepsEveryAcknowledgedSample) {
  std::mt19937 rng(7);
  for (int iter = 0; iter < 20; ++iter) {
    MemFileSystem fs;
    DBOptions o;
    o.fs = &fs;
    o.wal.segment_size = 64 << 10;  // exercise segment cuts too
    BatchWorkload w(200, NowMs() - 1800 * 1000);
    int64_t acked = 0;
    int64_t total_acked = 0;
    for (int life = 0; life < 3; ++life) {
      auto db = DB::Open("/db", o);
      ASSERT_TRUE(db.ok()) << db.status();
      w.Verify(db->get(), total_acked);
      acked = total_acked;
      std::atomic<bool> stop{false};
      std::atomic<int64_t> writer_acked{acked};
      std::thread writer([&] {
        for (int64_t k = acked; !stop.load(); ++k) {
          if (!w.WriteBatch(db->get(), k).ok()) break;  // after the power loss
          writer_acked.store(k + 1);
        }
      });
      std::this_thread::sleep_for(std::chrono::microseconds(rng() % 20000));
      fs.SimulatePowerLoss();
      stop = true;
      writer.join();
      total_acked = writer_acked.load();
      db->reset();  // closing fails harmlessly: its handles are dead
    }
    auto db = DB::Open("/db", o);
    ASSERT_TRUE(db.ok()) << db.status();
    w.Verify(db->get(), total_acked);
    if (::testing::Test::HasFailure()) break;
  }
}

// Under the interval policy a power loss may lose what was acknowledged in
// the last interval, but nothing older.
TEST(DBPowerLossTest, IntervalPolicyLosesAtMostTheLastInterval) {
  MemFileSystem fs;
  DBOptions o;
  o.fs = &fs;
  o.wal.sync_policy = wal::SyncPolicy::kInterval;
  o.wal.sync_interval = absl::Milliseconds(20);
  BatchWorkload w(200, NowMs() - 1800 * 1000);
  auto db = DB::Open("/db", o);
  ASSERT_TRUE(db.ok()) << db.status();
  std::vector<std::chrono::steady_clock::time_point> ack_times;
  auto start = std::chrono::steady_clock::now();
  for (int64_t k = 0;
       k < 20000 && std::chrono::steady_clock::now() - start < std::chrono::milliseconds(1500);
       ++k) {
    absl::Status st = w.WriteBatch(db->get(), k);
    ASSERT_TRUE(st.ok()) << "batch " << k << ": " << st;
    ack_times.push_back(std::chrono::steady_clock::now());
    // Spread the batches over the whole period.
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  auto loss = std::chrono::steady_clock::now();
  fs.SimulatePowerLoss();
  db->reset();
  // Everything acknowledged more than the interval (plus generous scheduling
  // slack for a loaded machine) before the loss must be there.
  int64_t must_survive = 0;
  for (auto t : ack_times) {
    if (loss - t > std::chrono::milliseconds(20 + 500)) ++must_survive;
  }
  ASSERT_GT(must_survive, 0);
  db = DB::Open("/db", o);
  ASSERT_TRUE(db.ok()) << db.status();
  w.Verify(db->get(), must_survive);
}

}  // namespace
}  // namespace strata

namespace strata {
namespace {

TEST(DBTest, MetadataIsKeptAndReplayed) {
  MemFileSystem fs;
  DBOptions o;
  o.fs = &fs;
  const int64_t t = RealClock().NowMillis() - 1000;
  {
    auto db = DB::Open("/db", o);
    ASSERT_TRUE(db.ok()) << db.status();
    auto app = (*db)->NewAppender();
    auto ref =
        app->Add(Labels::FromStrings({"__name__", "http_requests_total", "code", "200"}), t, 1);
    ASSERT_TRUE(ref.ok());
    ASSERT_TRUE(app->UpdateMetadata(*ref, {1, "", "Requests served."}).ok());
    EXPECT_EQ(app->UpdateMetadata(*ref + 100, {1, "", "x"}).code(), absl::StatusCode::kNotFound);
    ASSERT_TRUE(app->Commit().ok());
    auto md = (*db)->head()->Metadata();
    ASSERT_EQ(md.size(), 1u);
    EXPECT_EQ(md[0].first, "http_requests_total");
    EXPECT_EQ(md[0].second, (MetricMetadata{1, "", "Requests served."}));
    // A later update wins, even without samples in the commit.
    ASSERT_TRUE(app->UpdateMetadata(*ref, {1, "requests", "Requests served, total."}).ok());
    ASSERT_TRUE(app->Commit().ok());
  }
  auto db = DB::Open("/db", o);
  ASSERT_TRUE(db.ok()) << db.status();
  auto md = (*db)->head()->Metadata();
  ASSERT_EQ(md.size(), 1u);
  EXPECT_EQ(md[0].second, (MetricMetadata{1, "requests", "Requests served, total."}));
}

}  // namespace
}  // namespace strata
