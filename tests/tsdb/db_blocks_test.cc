// DB with persistent blocks: head cuts, compaction, retention, reopen,
// corruption and snapshots, checked against a reference of every sample
// written.
#include <cerrno>
#include <cstring>
#include <map>
#include <thread>

#include "gtest/gtest.h"
#include "tests/tsdb/head/head_test_util.h"
#include "tsdb/base/clock.h"
#include "tsdb/base/mem_fs.h"
#include "tsdb/db.h"

namespace strata {
namespace {

using testing::ReadAll;
using testing::Sample;

constexpr int64_t kHour = 3600 * 1000;
constexpr int64_t kStep = 60 * 1000;  // one sample a minute keeps the tests fast

using Reference = std::map<std::string, std::vector<Sample>>;

// Writes one sample per series per minute over [from, to), with values that
// exercise special bit patterns now and then.
class Writer {
 public:
  explicit Writer(int num_series) {
    for (int s = 0; s < num_series; ++s) {
      labels_.push_back(Labels::FromStrings(
          {"__name__", s % 2 ? "up" : "node_cpu_seconds_total", "instance", std::to_string(s)}));
    }
  }

  void Write(DB& db, int64_t from, int64_t to, Reference* ref) {
    for (int64_t t = from; t < to; t += kStep) {
      auto app = db.NewAppender();
      for (size_t s = 0; s < labels_.size(); ++s) {
        double v = Value(s, t);
        ASSERT_TRUE(app->Add(labels_[s], t, v).ok());
        (*ref)[labels_[s].ToString()].push_back({t, v});
      }
      ASSERT_TRUE(app->Commit().ok());
    }
  }

  static double Value(size_t s, int64_t t) {
    const int64_t i = t / kStep;
    if (i % 97 == 13) {
      uint64_t bits = 0x7ff0000000000002ull;  // stale marker
      double d;
      std::memcpy(&d, &bits, sizeof d);
      return d;
    }
    return static_cast<double>(s) * 1000 + static_cast<double>(i) * 0.25;
  }

 private:
  std::vector<Labels> labels_;
};

// Only samples in [mint, maxt].
Reference Slice(const Reference& ref, int64_t mint, int64_t maxt) {
  Reference out;
  for (const auto& [k, samples] : ref) {
    for (const Sample& s : samples) {
      if (s.t >= mint && s.t <= maxt) out[k].push_back(s);
    }
  }
  return out;
}

class DBBlocksTest : public ::testing::Test {
 protected:
  DBOptions Options() {
    DBOptions o;
    o.fs = &fs_;
    o.clock = &clock_;
    o.background_maintenance = false;
    o.retention_ms = 0;
    return o;
  }

  std::unique_ptr<DB> Open(DBOptions o) {
    auto db = DB::Open("/db", o);
    EXPECT_TRUE(db.ok()) << db.status();
    return db.ok() ? std::move(*db) : nullptr;
  }

  std::vector<std::string> TmpDirs() {
    std::vector<std::string> out;
    auto names = fs_.ListDir("/db");
    EXPECT_TRUE(names.ok());
    for (const std::string& name : *names) {
      if (name.find(".tmp") != std::string::npos) out.push_back(name);
    }
    return out;
  }

  // Flips bits of the byte in the middle of `path` (rewriting the file).
  void DamageMiddleByte(const std::string& path, uint8_t mask) {
    std::string bytes = *fs_.ReadFile(path);
    bytes[bytes.size() / 2] ^= static_cast<char>(mask);
    auto f = fs_.NewWritableFile(path, /*truncate=*/true);
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE((*f)->Append(bytes).ok());
    ASSERT_TRUE((*f)->Close().ok());
  }

  // Writes 7h of data and cuts it: two blocks; returns the first's ULID.
  std::string TwoBlocks() {
    auto db = Open(Options());
    Writer w(10);
    w.Write(*db, 0, 7 * kHour, &ref_);
    EXPECT_TRUE(db->Maintain().ok());
    EXPECT_EQ(db->blocks().size(), 2u);
    std::string first = db->blocks()[0]->meta().ulid;
    EXPECT_TRUE(db->Close().ok());
    return first;
  }

  MemFileSystem fs_;
  ManualClock clock_{100 * kHour};
  Reference ref_;
};

TEST_F(DBBlocksTest, HeadIsCutIntoBlocksAndTruncated) {
  auto db = Open(Options());
  Writer w(20);
  w.Write(*db, 0, 6 * kHour, &ref_);
  EXPECT_EQ(db->stats().blocks.maintenance_runs, 0u);
  ASSERT_TRUE(db->Maintain().ok());
  EXPECT_EQ(db->stats().blocks.maintenance_runs, 1u);
  EXPECT_EQ(db->stats().blocks.maintenance_failures, 0u);
  // 6h of data, 2h blocks: the head keeps <= 1.5 block ranges, so [0, 2h)
  // and [2h, 4h) are blocks and the head starts at 4h.
  auto blocks = db->blocks();
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[0]->meta().min_time, 0);
  EXPECT_EQ(blocks[0]->meta().max_time, 2 * kHour);
  EXPECT_EQ(blocks[1]->meta().min_time, 2 * kHour);
  EXPECT_EQ(blocks[0]->meta().num_series, 20u);
  EXPECT_EQ(blocks[0]->meta().num_samples, 20u * 120);
  EXPECT_GE(db->head()->min_time(), 4 * kHour);
  EXPECT_EQ(db->stats().blocks.head_blocks_written, 2u);
  EXPECT_GE(db->stats().blocks.wal_checkpoints, 1u);
  EXPECT_EQ(ReadAll(*db->NewQuerier(INT64_MIN, INT64_MAX), {}), ref_);
  // Ranges across the cut points.
  EXPECT_EQ(ReadAll(*db->NewQuerier(kHour + 1, 4 * kHour + kStep), {}),
            Slice(ref_, kHour + 1, 4 * kHour + kStep));
  // Samples older than the head are refused now: they belong to a block.
  auto app = db->NewAppender();
  EXPECT_FALSE(app->Add(Labels::FromStrings({"__name__", "up", "instance", "x"}), kHour, 1).ok());
}

TEST_F(DBBlocksTest, ReopenServesBlocksAndTheCheckpointedWal) {
  {
    auto db = Open(Options());
    Writer w(10);
    w.Write(*db, 0, 6 * kHour, &ref_);
    ASSERT_TRUE(db->Maintain().ok());
    w.Write(*db, 6 * kHour, 7 * kHour, &ref_);
    ASSERT_TRUE(db->Close().ok());
  }
  auto db = Open(Options());
  EXPECT_EQ(db->blocks().size(), 2u);
  EXPECT_EQ(ReadAll(*db->NewQuerier(INT64_MIN, INT64_MAX), {}), ref_);
}

TEST_F(DBBlocksTest, BlocksAreCompactedIntoLevelsAndDataIsIntact) {
  auto db = Open(Options());
  Writer w(8);
  for (int64_t h = 0; h < 30; h += 1) {
    w.Write(*db, h * kHour, (h + 1) * kHour, &ref_);
    ASSERT_TRUE(db->Maintain().ok());
  }
  auto blocks = db->blocks();
  ASSERT_FALSE(blocks.empty());
  int max_level = 0;
  for (const auto& b : blocks) max_level = std::max(max_level, b->meta().level);
  // [0, 24h) became one level-3 block (2h -> 6h -> 24h).
  EXPECT_EQ(blocks[0]->meta().min_time, 0);
  EXPECT_EQ(blocks[0]->meta().max_time, 24 * kHour);
  EXPECT_EQ(blocks[0]->meta().level, 3);
  EXPECT_EQ(blocks[0]->meta().sources.size(), 12u);
  EXPECT_GE(db->stats().blocks.compactions, 5u);
  // Blocks do not overlap.
  for (size_t i = 1; i < blocks.size(); ++i) {
    EXPECT_LE(blocks[i - 1]->meta().max_time, blocks[i]->meta().min_time);
  }
  EXPECT_TRUE(TmpDirs().empty());
  EXPECT_EQ(ReadAll(*db->NewQuerier(INT64_MIN, INT64_MAX), {}), ref_);
  ASSERT_TRUE(db->Close().ok());
  db = Open(Options());
  EXPECT_EQ(ReadAll(*db->NewQuerier(INT64_MIN, INT64_MAX), {}), ref_);
}

TEST_F(DBBlocksTest, RetentionByTimeDeletesOldBlocks) {
  DBOptions o = Options();
  o.retention_ms = 5 * kHour;
  auto db = Open(o);
  Writer w(4);
  w.Write(*db, 0, 12 * kHour, &ref_);
  ASSERT_TRUE(db->Maintain().ok());
  // Newest sample just before 12h; every block ending at or before ~7h is gone.
  for (const auto& b : db->blocks()) EXPECT_GT(b->meta().max_time, 12 * kHour - 5 * kHour - kStep);
  EXPECT_GT(db->stats().blocks.retention_deleted_by_time, 0u);
  auto all = ReadAll(*db->NewQuerier(INT64_MIN, INT64_MAX), {});
  const int64_t oldest = db->blocks().front()->meta().min_time;
  EXPECT_EQ(all, Slice(ref_, oldest, INT64_MAX));
  EXPECT_TRUE(TmpDirs().empty());
}

TEST_F(DBBlocksTest, RetentionBySizeKeepsTheTotalUnderTheLimit) {
  DBOptions o = Options();
  auto db = Open(o);
  Writer w(50);
  w.Write(*db, 0, 13 * kHour, &ref_);
  ASSERT_TRUE(db->Maintain().ok());
  const auto before = db->blocks();
  ASSERT_GE(before.size(), 3u);
  uint64_t one_block = before.back()->SizeBytes();
  ASSERT_TRUE(db->Close().ok());

  o.retention_bytes = 2 * one_block + one_block / 2;
  db = Open(o);
  ASSERT_TRUE(db->Maintain().ok());
  uint64_t total = 0;
  for (const auto& b : db->blocks()) total += b->SizeBytes();
  EXPECT_LE(total, o.retention_bytes);
  EXPECT_LT(db->blocks().size(), before.size());
  EXPECT_GT(db->stats().blocks.retention_deleted_by_size, 0u);
}

TEST_F(DBBlocksTest, CorruptedBlockIsSkippedAndOthersServe) {
  const std::string victim = TwoBlocks();
  DamageMiddleByte("/db/" + victim + "/index", 0x5a);

  auto db = Open(Options());
  ASSERT_EQ(db->blocks().size(), 1u);
  EXPECT_NE(db->blocks()[0]->meta().ulid, victim);
  EXPECT_EQ(db->stats().blocks.corrupted_blocks, 1u);
  // What is served is exactly the data outside the damaged block.
  EXPECT_EQ(ReadAll(*db->NewQuerier(INT64_MIN, INT64_MAX), {}), Slice(ref_, 2 * kHour, INT64_MAX));
}

TEST_F(DBBlocksTest, BlockWithADamagedChunkIsQuarantined) {
  const std::string victim = TwoBlocks();
  // Chunks are checked when read, so the block opens; the first query that
  // reads the damaged chunk fails (never a wrong value) and the block is
  // no longer served.
  DamageMiddleByte("/db/" + victim + "/chunks/000001", 0x01);

  auto db = Open(Options());
  ASSERT_EQ(db->blocks().size(), 2u);
  {
    auto q = db->NewQuerier(INT64_MIN, INT64_MAX);
    auto set = q->Select({});
    absl::Status failed;
    while (set->Next() && failed.ok()) {
      auto it = set->Iterator();
      while (it->Next()) {
      }
      failed = it->status();
    }
    EXPECT_EQ(failed.code(), absl::StatusCode::kDataLoss);
    EXPECT_NE(std::string(failed.message()).find("corrupted block " + victim + ": chunks/000001"),
              std::string::npos)
        << failed;
  }
  EXPECT_EQ(ReadAll(*db->NewQuerier(INT64_MIN, INT64_MAX), {}), Slice(ref_, 2 * kHour, INT64_MAX));
  ASSERT_TRUE(db->Maintain().ok());
  EXPECT_EQ(db->stats().blocks.corrupted_blocks, 1u);
  EXPECT_TRUE(fs_.IsDir("/db/" + victim + ".corrupted"));
  EXPECT_FALSE(fs_.Exists("/db/" + victim));
  ASSERT_TRUE(db->Close().ok());
  db = Open(Options());  // stays out after a restart
  EXPECT_EQ(ReadAll(*db->NewQuerier(INT64_MIN, INT64_MAX), {}), Slice(ref_, 2 * kHour, INT64_MAX));
}

TEST_F(DBBlocksTest, SnapshotHoldsBlocksAndHead) {
  auto db = Open(Options());
  Writer w(10);
  w.Write(*db, 0, 5 * kHour, &ref_);
  ASSERT_TRUE(db->Maintain().ok());
  ASSERT_TRUE(db->Snapshot("/db/snapshots/s1", /*skip_head=*/false).ok());
  EXPECT_FALSE(db->Snapshot("/db/snapshots/s1", false).ok());  // exists already
  // Writes after the snapshot are not in it.
  w.Write(*db, 5 * kHour, 6 * kHour, &ref_);
  ASSERT_TRUE(db->Close().ok());

  DBOptions o = Options();
  o.wal_enabled = false;
  auto snap = DB::Open("/db/snapshots/s1", o);
  ASSERT_TRUE(snap.ok()) << snap.status();
  EXPECT_EQ((*snap)->blocks().size(), 2u);  // [0, 2h) and the head's [2h, 5h)
  EXPECT_EQ(ReadAll(*(*snap)->NewQuerier(INT64_MIN, INT64_MAX), {}),
            Slice(ref_, INT64_MIN, 5 * kHour - 1));
}

TEST_F(DBBlocksTest, ConcurrentIngestQueriesAndMaintenance) {
  auto db = Open(Options());
  Writer w(20);
  std::atomic<bool> done{false};
  std::thread maintainer([&] {
    while (!done.load()) EXPECT_TRUE(db->Maintain().ok());
  });
  std::thread reader([&] {
    while (!done.load()) {
      auto all = ReadAll(*db->NewQuerier(INT64_MIN, INT64_MAX), {});
      for (const auto& [k, samples] : all) {
        for (size_t i = 1; i < samples.size(); ++i) ASSERT_LT(samples[i - 1].t, samples[i].t);
      }
    }
  });
  w.Write(*db, 0, 12 * kHour, &ref_);
  done = true;
  maintainer.join();
  reader.join();
  ASSERT_TRUE(db->Maintain().ok());
  EXPECT_EQ(ReadAll(*db->NewQuerier(INT64_MIN, INT64_MAX), {}), ref_);
}

}  // namespace
}  // namespace strata
