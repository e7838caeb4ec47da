// Write errors, sync errors and power loss, injected with
// FaultInjectingFileSystem over MemFileSystem.
#include <atomic>
#include <cerrno>
#include <chrono>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/wal/wal_test_util.h"
#include "tsdb/base/fault_fs.h"
#include "tsdb/base/mem_fs.h"
#include "wal/records.h"
#include "wal/segment.h"
#include "wal/wal.h"

namespace strata::wal {
namespace {

using ::strata::wal::testing::Collect;
using ::strata::wal::testing::Discard;
using ::strata::wal::testing::HookedFileSystem;
using ::strata::wal::testing::MakeRecord;
using ::strata::wal::testing::SameRecords;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

constexpr char kDir[] = "/db/wal";

class WalFaultTest : public ::testing::Test {
 protected:
  WalFaultTest() : fault_(&mem_) {}

  std::unique_ptr<Wal> OpenOn(FileSystem* fs, WalOptions options = WalOptions()) {
    auto w = Wal::Open(fs, kDir, options, Discard(), nullptr);
    EXPECT_TRUE(w.ok()) << w.status();
    return w.ok() ? *std::move(w) : nullptr;
  }

  // Opens the log on the fault-free MemFileSystem and returns what it replays.
  std::vector<std::string> Replay(ReplayStats* stats = nullptr) {
    std::vector<std::string> out;
    auto w = Wal::Open(&mem_, kDir, WalOptions(), Collect(&out), stats);
    EXPECT_TRUE(w.ok()) << w.status();
    return out;
  }

  MemFileSystem mem_;
  FaultInjectingFileSystem fault_;
};

struct WriteFault {
  int err;
  bool short_write;
  absl::StatusCode code;
  const char* text;
};

class WalWriteFaultTest : public WalFaultTest, public ::testing::WithParamInterface<WriteFault> {};

INSTANTIATE_TEST_SUITE_P(
    Faults, WalWriteFaultTest,
    ::testing::Values(
        WriteFault{ENOSPC, false, absl::StatusCode::kResourceExhausted, "No space left on device"},
        WriteFault{ENOSPC, true, absl::StatusCode::kResourceExhausted, "No space left on device"},
        WriteFault{EIO, false, absl::StatusCode::kInternal, "Input/output error"},
        WriteFault{EIO, true, absl::StatusCode::kInternal, "Input/output error"}),
    [](const auto& info) {
      return absl::StrCat(info.param.err == ENOSPC ? "Enospc" : "Eio",
                          info.param.short_write ? "Short" : "");
    });

// A failed write leaves nothing half-written, the error says why, and the
// next Log succeeds.
TEST_P(WalWriteFaultTest, FailedWriteIsUndone) {
  const WriteFault& f = GetParam();
  fault_.set_short_write(f.short_write);
  std::vector<std::string> ok;
  {
    auto wal = OpenOn(&fault_);
    ASSERT_NE(wal, nullptr);
    for (int i = 0; i < 5; ++i) {
      ok.push_back(MakeRecord(i, 1000 * (i + 1)));
      ASSERT_TRUE(wal->Log(ok.back()).ok());
    }
    uint64_t size = *mem_.FileSize(JoinPath(kDir, "00000001"));
    fault_.FailNthWrite(1, f.err);
    absl::Status s = wal->Log(MakeRecord(99, 50000));  // several fragments
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.code(), f.code);
    EXPECT_THAT(s.message(), HasSubstr("wal: segment 1: write: "));
    EXPECT_THAT(s.message(), HasSubstr(f.text));
    EXPECT_EQ(wal->stats().write_errors, 1u);
    EXPECT_EQ(*mem_.FileSize(JoinPath(kDir, "00000001")), size);
    // One-shot fault: the WAL is usable again.
    ok.push_back(MakeRecord(5, 700));
    ASSERT_TRUE(wal->Log(ok.back()).ok());
    EXPECT_EQ(wal->stats().records_written, 6u);
    ASSERT_TRUE(wal->Close().ok());
  }
  ReplayStats stats;
  EXPECT_TRUE(SameRecords(Replay(&stats), ok));
  EXPECT_FALSE(stats.repaired) << stats.repair_reason;
}

// A batch whose write fails is absent as a whole.
TEST_P(WalWriteFaultTest, FailedBatchIsAbsentAsAWhole) {
  const WriteFault& f = GetParam();
  fault_.set_short_write(f.short_write);
  {
    auto wal = OpenOn(&fault_);
    ASSERT_NE(wal, nullptr);
    ASSERT_TRUE(wal->Log("first").ok());
    fault_.FailNthWrite(1, f.err);
    std::vector<std::string> batch = {MakeRecord(1, 40000), MakeRecord(2, 10), MakeRecord(3, 9000)};
    std::vector<std::string_view> views(batch.begin(), batch.end());
    EXPECT_FALSE(wal->Log(views).ok());
    ASSERT_TRUE(wal->Log("last").ok());
  }
  EXPECT_THAT(Replay(), ElementsAreArray({"first", "last"}));
}

TEST_F(WalFaultTest, FailAllWritesThenHeal) {
  std::vector<std::string> ok;
  {
    auto wal = OpenOn(&fault_);
    ASSERT_NE(wal, nullptr);
    ASSERT_TRUE(wal->Log("a").ok());
    ok.push_back("a");
    fault_.FailAllWrites(ENOSPC);
    for (int i = 0; i < 3; ++i) {
      absl::Status s = wal->Log(MakeRecord(i, 100));
      EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
    }
    EXPECT_EQ(wal->stats().write_errors, 3u);
    fault_.Heal();
    ASSERT_TRUE(wal->Log("b").ok());
    ok.push_back("b");
    ASSERT_TRUE(wal->Close().ok());
  }
  EXPECT_TRUE(SameRecords(Replay(), ok));
}

// Concurrent committers while the disk fills up and frees again: exactly the
// records whose Log returned ok are replayed, each thread's in order.
TEST_F(WalFaultTest, ConcurrentWritersWithIntermittentFailures) {
  fault_.set_short_write(true);
  std::mutex mu;
  std::vector<std::vector<std::string>> acked(4);
  {
    auto wal = OpenOn(&fault_);
    ASSERT_NE(wal, nullptr);
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; !stop.load(); ++i) {
          std::string rec = MakeRecord(t * 100000 + i, 50 + (i * 131) % 40000);
          if (wal->Log(rec).ok()) {
            std::lock_guard<std::mutex> l(mu);
            acked[t].push_back(rec);
          }
        }
      });
    }
    for (int round = 0; round < 5; ++round) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      fault_.FailAllWrites(ENOSPC);
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      fault_.Heal();
    }
    stop = true;
    for (auto& th : threads) th.join();
    EXPECT_GT(wal->stats().write_errors, 0u);
    ASSERT_TRUE(wal->Close().ok());
  }
  ReplayStats stats;
  std::vector<std::string> replayed = Replay(&stats);
  EXPECT_FALSE(stats.repaired) << stats.repair_reason;
  std::vector<std::vector<std::string>> got(4);
  for (const std::string& r : replayed) {
    int id = std::stoi(r.substr(1, r.find(':') - 1));
    got[id / 100000].push_back(r);
  }
  for (int t = 0; t < 4; ++t) EXPECT_EQ(got[t], acked[t]) << "thread " << t;
}

// A sync failure fails Log, and the WAL refuses writes until reopened, even
// after the disk recovers: the durability of earlier data is unknown.
TEST_F(WalFaultTest, SyncFailurePoisons) {
  {
    auto wal = OpenOn(&fault_);
    ASSERT_NE(wal, nullptr);
    ASSERT_TRUE(wal->Log("a").ok());
    fault_.FailSyncs(EIO);
    absl::Status s = wal->Log("b");
    ASSERT_FALSE(s.ok());
    EXPECT_THAT(s.message(), HasSubstr("wal: segment 1: sync: "));
    EXPECT_THAT(s.message(), HasSubstr("Input/output error"));
    fault_.Heal();
    s = wal->Log("c");
    ASSERT_FALSE(s.ok());
    EXPECT_THAT(s.message(), HasSubstr("refusing writes until reopened"));
    EXPECT_THAT(s.message(), HasSubstr("sync"));
    EXPECT_FALSE(wal->Sync().ok());
    EXPECT_FALSE(wal->NextSegment().ok());
    EXPECT_FALSE(wal->Close().ok());  // reports the poisoning
  }
  // The failed record was removed again; reopening recovers.
  EXPECT_THAT(Replay(), ElementsAreArray({"a"}));
  auto wal = OpenOn(&fault_);
  ASSERT_NE(wal, nullptr);
  EXPECT_TRUE(wal->Log("d").ok());
}

// If the write fails and truncating back fails too, the tail is unknown: the
// WAL refuses writes; reopening repairs the tail.
TEST_F(WalFaultTest, TruncateFailurePoisons) {
  HookedFileSystem hooked(&fault_);
  hooked.on_truncate = [] { return absl::InternalError("truncate: Input/output error"); };
  fault_.set_short_write(true);
  {
    auto wal = OpenOn(&hooked);
    ASSERT_NE(wal, nullptr);
    ASSERT_TRUE(wal->Log("a").ok());
    fault_.FailNthWrite(1, EIO);
    absl::Status s = wal->Log(MakeRecord(1, 5000));
    ASSERT_FALSE(s.ok());
    EXPECT_THAT(s.message(), HasSubstr("truncating back failed"));
    s = wal->Log("b");
    EXPECT_THAT(s.message(), HasSubstr("refusing writes until reopened"));
  }
  ReplayStats stats;
  EXPECT_THAT(Replay(&stats), ElementsAreArray({"a"}));
  EXPECT_TRUE(stats.repaired);
  EXPECT_THAT(stats.repair_reason, HasSubstr("segment 1 offset "));
}

// The new segment's header cannot be written: Log fails, no broken segment is
// left behind, and the next Log cuts successfully.
TEST_F(WalFaultTest, SegmentCutFailure) {
  WalOptions options;
  options.segment_size = 64 * 1024;
  std::vector<std::string> ok;
  {
    auto wal = OpenOn(&fault_, options);
    ASSERT_NE(wal, nullptr);
    for (int i = 0; i < 3; ++i) {
      ok.push_back(MakeRecord(i, 20000));
      ASSERT_TRUE(wal->Log(ok.back()).ok());
    }
    ASSERT_EQ(wal->stats().current_segment, 1u);
    fault_.FailNthWrite(1, ENOSPC);
    std::string next = MakeRecord(3, 20000);
    absl::Status s = wal->Log(next);
    ASSERT_FALSE(s.ok());
    EXPECT_THAT(s.message(), HasSubstr("segment 2"));
    EXPECT_EQ(wal->stats().current_segment, 1u);
    EXPECT_FALSE(mem_.Exists(JoinPath(kDir, "00000002")));
    ASSERT_TRUE(wal->Log(next).ok());
    ok.push_back(next);
    EXPECT_EQ(wal->stats().current_segment, 2u);
    ASSERT_TRUE(wal->Close().ok());
  }
  ReplayStats stats;
  EXPECT_TRUE(SameRecords(Replay(&stats), ok));
  EXPECT_FALSE(stats.repaired);
}

TEST_F(WalFaultTest, OpenFailsCleanlyWhenSegmentCannotBeCreated) {
  {
    auto wal = OpenOn(&fault_);
    ASSERT_TRUE(wal->Log("a").ok());
  }
  fault_.FailAllWrites(ENOSPC);
  auto wal = Wal::Open(&fault_, kDir, WalOptions(), Discard(), nullptr);
  ASSERT_FALSE(wal.ok());
  EXPECT_EQ(wal.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(wal.status().message(), HasSubstr("wal: segment 2: write"));
  fault_.Heal();
  EXPECT_THAT(Replay(), ElementsAreArray({"a"}));
}

// --- Power loss ------------------------------------------------------------

// Under kAlways every record whose Log returned ok survives a power loss,
// across segment cuts.
TEST_F(WalFaultTest, PowerLossKeepsEveryAcknowledgedRecord) {
  WalOptions options;
  options.segment_size = 64 * 1024;
  std::vector<std::string> ok;
  auto wal = OpenOn(&mem_, options);
  ASSERT_NE(wal, nullptr);
  for (int i = 0; i < 100; ++i) {
    ok.push_back(MakeRecord(i, 10 + (i * 7919) % 50000));
    ASSERT_TRUE(wal->Log(ok.back()).ok());
  }
  ASSERT_GT(wal->stats().current_segment, 5u);
  mem_.SimulatePowerLoss();
  wal.reset();  // its handles are dead; closing fails quietly
  ReplayStats stats;
  EXPECT_TRUE(SameRecords(Replay(&stats), ok));
  EXPECT_FALSE(stats.repaired) << stats.repair_reason;
}

// Power loss while several threads commit: everything acknowledged is there,
// nothing replayed was never logged.
TEST_F(WalFaultTest, PowerLossDuringConcurrentCommits) {
  WalOptions options;
  options.segment_size = 32 * 1024;
  std::mutex mu;
  std::set<std::string> acked;
  std::set<std::string> attempted;
  auto wal = OpenOn(&mem_, options);
  ASSERT_NE(wal, nullptr);
  std::atomic<int> count{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; !stop.load(); ++i) {
        std::string rec = MakeRecord(t * 100000 + i, 20 + (i * 977) % 6000);
        {
          std::lock_guard<std::mutex> l(mu);
          attempted.insert(rec);
        }
        // Fails once the power is gone; a cut in flight may also open a
        // fresh segment on the "rebooted" file system and carry on.
        if (!wal->Log(rec).ok()) return;
        std::lock_guard<std::mutex> l(mu);
        acked.insert(rec);
        ++count;
      }
    });
  }
  while (count.load() < 300) std::this_thread::yield();
  mem_.SimulatePowerLoss();
  stop = true;
  for (auto& th : threads) th.join();
  wal.reset();
  std::vector<std::string> replayed = Replay();
  std::set<std::string> got(replayed.begin(), replayed.end());
  EXPECT_EQ(got.size(), replayed.size()) << "duplicates";
  for (const std::string& r : acked) EXPECT_TRUE(got.count(r)) << r.substr(0, 12);
  for (const std::string& r : got) EXPECT_TRUE(attempted.count(r)) << r.substr(0, 12);
}

// Under kInterval a power loss loses what was logged since the last sync, and
// nothing before it.
TEST_F(WalFaultTest, PowerLossUnderIntervalLosesOnlyUnsynced) {
  WalOptions options;
  options.sync_policy = SyncPolicy::kInterval;
  options.sync_interval = absl::Hours(1);
  auto wal = OpenOn(&mem_, options);
  ASSERT_NE(wal, nullptr);
  std::vector<std::string> synced;
  for (int i = 0; i < 10; ++i) {
    synced.push_back(MakeRecord(i, 3000));
    ASSERT_TRUE(wal->Log(synced.back()).ok());
  }
  ASSERT_TRUE(wal->Sync().ok());
  for (int i = 10; i < 15; ++i) ASSERT_TRUE(wal->Log(MakeRecord(i, 3000)).ok());
  mem_.SimulatePowerLoss();
  wal.reset();
  EXPECT_TRUE(SameRecords(Replay(), synced));
}

// A repair is durable: records logged after it are not lost to a damaged tail
// coming back after a power loss.
TEST_F(WalFaultTest, RepairIsDurable) {
  {
    auto wal = OpenOn(&mem_);
    ASSERT_TRUE(wal->Log("a").ok());
    ASSERT_TRUE(wal->Log(MakeRecord(1, 40000)).ok());
  }
  std::string seg = JoinPath(kDir, "00000001");
  std::string c = *mem_.ReadFile(seg);
  c.resize(c.size() - 100);  // torn
  ASSERT_TRUE(testing::OverwriteFile(&mem_, seg, c).ok());
  {
    ReplayStats stats;
    std::vector<std::string> replayed;
    auto wal = Wal::Open(&mem_, kDir, WalOptions(), Collect(&replayed), &stats);
    ASSERT_TRUE(wal.ok());
    EXPECT_TRUE(stats.repaired);
    ASSERT_TRUE((*wal)->Log("b").ok());
    mem_.SimulatePowerLoss();
  }
  ReplayStats stats;
  EXPECT_THAT(Replay(&stats), ElementsAreArray({"a", "b"}));
  EXPECT_FALSE(stats.repaired) << stats.repair_reason;
}

std::string Series(uint64_t ref) {
  std::string rec;
  EncodeSeries(std::vector<RefSeries>{{ref, Labels::FromStrings({"__name__", "m"})}}, &rec);
  return rec;
}

// A checkpoint that fails part-way changes nothing; a successful one survives
// a power loss.
TEST_F(WalFaultTest, CheckpointFailureAndPowerLoss) {
  auto keep_all = [](uint64_t) { return true; };
  auto wal = OpenOn(&fault_);
  ASSERT_NE(wal, nullptr);
  for (uint64_t r = 1; r <= 3; ++r) ASSERT_TRUE(wal->Log(Series(r)).ok());
  uint32_t sealed = *wal->NextSegment() - 1;
  ASSERT_TRUE(wal->Log(Series(4)).ok());

  fault_.FailSyncDirs(EIO);
  absl::Status s = wal->Checkpoint(sealed, keep_all, 0);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("wal: checkpoint 1: "));
  fault_.Heal();
  EXPECT_FALSE(mem_.Exists(JoinPath(kDir, internal::CheckpointName(sealed))));
  EXPECT_TRUE(mem_.Exists(JoinPath(kDir, internal::SegmentName(sealed))));

  ASSERT_TRUE(wal->Checkpoint(sealed, keep_all, 0).ok());
  EXPECT_FALSE(mem_.Exists(JoinPath(kDir, internal::SegmentName(sealed))));
  mem_.SimulatePowerLoss();
  wal.reset();
  ReplayStats stats;
  std::vector<std::string> replayed = Replay(&stats);
  EXPECT_TRUE(stats.checkpoint_loaded);
  EXPECT_FALSE(stats.repaired);
  std::vector<uint64_t> refs;
  for (const std::string& r : replayed) {
    std::vector<RefSeries> series;
    ASSERT_TRUE(DecodeSeries(r, &series).ok());
    for (auto& x : series) refs.push_back(x.ref);
  }
  EXPECT_THAT(refs, ElementsAreArray({1, 2, 3, 4}));
}

}  // namespace
}  // namespace strata::wal
