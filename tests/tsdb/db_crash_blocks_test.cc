// Crash safety of head cuts, WAL checkpoints and block merges: every
// mutating file-system call of a maintenance round fails in turn (k = 1, 2,
// …), with and without a power loss right after; each time the reopened DB
// must hold exactly the acknowledged samples, no temporary directory, and no
// two blocks serving the same range.
#include <cerrno>
#include <map>

#include "gtest/gtest.h"
#include "tests/tsdb/head/head_test_util.h"
#include "tsdb/base/clock.h"
#include "tsdb/base/fault_fs.h"
#include "tsdb/base/mem_fs.h"
#include "tsdb/db.h"

namespace strata {
namespace {

using testing::ReadAll;
using testing::Sample;

constexpr int64_t kHour = 3600 * 1000;
constexpr int64_t kStep = 5 * 60 * 1000;

using Reference = std::map<std::string, std::vector<Sample>>;

DBOptions Options(FileSystem* fs, const Clock* clock) {
  DBOptions o;
  o.fs = fs;
  o.clock = clock;
  o.background_maintenance = false;
  o.retention_ms = 0;
  return o;
}

// Writes [from, to) for a few series into the DB at /db.
void Write(DB& db, int64_t from, int64_t to, Reference* ref) {
  for (int64_t t = from; t < to; t += kStep) {
    auto app = db.NewAppender();
    for (int s = 0; s < 4; ++s) {
      Labels l = Labels::FromStrings({"__name__", "m", "s", std::to_string(s)});
      const double v = static_cast<double>(t / kStep) + s * 0.5;
      ASSERT_TRUE(app->Add(l, t, v).ok());
      (*ref)[l.ToString()].push_back({t, v});
    }
    ASSERT_TRUE(app->Commit().ok());
  }
}

void ExpectSound(MemFileSystem& mem, const Clock& clock, const Reference& ref, int k,
                 bool power_loss) {
  SCOPED_TRACE(::testing::Message() << "k=" << k << " power_loss=" << power_loss);
  auto db = DB::Open("/db", Options(&mem, &clock));
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ(ReadAll(*(*db)->NewQuerier(INT64_MIN, INT64_MAX), {}), ref);
  auto names = mem.ListDir("/db");
  ASSERT_TRUE(names.ok());
  for (const std::string& name : *names) {
    EXPECT_EQ(name.find(".tmp"), std::string::npos) << name;
  }
  auto blocks = (*db)->blocks();
  for (size_t i = 1; i < blocks.size(); ++i) {
    EXPECT_LE(blocks[i - 1]->meta().max_time, blocks[i]->meta().min_time);
  }
  // And the recovered DB can finish the interrupted work.
  EXPECT_TRUE((*db)->Maintain().ok());
  EXPECT_EQ(ReadAll(*(*db)->NewQuerier(INT64_MIN, INT64_MAX), {}), ref);
}

// Runs `round` on a DB opened through a file system that fails its k-th
// mutating call, for every k until a round completes without reaching k.
void FailEachStep(int64_t hours, bool power_loss) {
  ManualClock clock(100 * kHour);
  for (int k = 1;; ++k) {
    MemFileSystem mem;
    Reference ref;
    {
      auto db = DB::Open("/db", Options(&mem, &clock));
      ASSERT_TRUE(db.ok()) << db.status();
      // Level-1 blocks of [0, 8h) with the compaction they allow pending:
      // the first Maintain cuts them; this round cuts more and merges.
      Write(**db, 0, 9 * kHour, &ref);
      ASSERT_TRUE((*db)->Maintain().ok());
      Write(**db, 9 * kHour, hours * kHour, &ref);
      ASSERT_TRUE((*db)->Close().ok());
    }
    FaultInjectingFileSystem faulty(&mem);
    bool reached = false;
    {
      auto db = DB::Open("/db", Options(&faulty, &clock));
      ASSERT_TRUE(db.ok()) << db.status();
      const int64_t start = faulty.mutations();
      faulty.FailNthMutation(k, k % 2 ? EIO : ENOSPC);
      absl::Status st = (*db)->Maintain();
      reached = faulty.mutations() - start >= k;
      if (!reached) {
        ASSERT_TRUE(st.ok()) << st;
      }
      (void)(*db)->Close();
    }
    faulty.Heal();
    if (power_loss) mem.SimulatePowerLoss();
    ExpectSound(mem, clock, ref, k, power_loss);
    if (::testing::Test::HasFailure()) return;
    if (!reached) {
      // Every step of the round failed once: a head cut of three blocks, a
      // checkpoint and a merge take well over a hundred mutating calls.
      EXPECT_GT(k, 100);
      ::testing::Test::RecordProperty("steps", k - 1);
      return;
    }
  }
}

TEST(DBCrashBlocksTest, EveryFailedStepOfCutsAndMergesLosesNothing) { FailEachStep(15, false); }

TEST(DBCrashBlocksTest, EveryFailedStepFollowedByPowerLossLosesNothing) { FailEachStep(15, true); }

}  // namespace
}  // namespace strata
