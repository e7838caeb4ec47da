#include "wal/wal.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/wal/wal_test_util.h"
#include "tsdb/base/mem_fs.h"
#include "wal/records.h"
#include "wal/segment.h"

namespace strata::wal {
namespace {

using ::strata::wal::testing::Collect;
using ::strata::wal::testing::Discard;
using ::strata::wal::testing::FsEnv;
using ::strata::wal::testing::FsKind;
using ::strata::wal::testing::HookedFileSystem;
using ::strata::wal::testing::ListSegments;
using ::strata::wal::testing::LocateRecords;
using ::strata::wal::testing::MakeRecord;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

WalOptions SmallSegments(uint64_t size = 64 * 1024) {
  WalOptions o;
  o.segment_size = size;
  return o;
}

class WalTest : public ::testing::TestWithParam<FsKind> {
 protected:
  WalTest() : env_(GetParam()) {}

  std::unique_ptr<Wal> OpenWal(WalOptions options, std::vector<std::string>* replayed,
                               ReplayStats* stats = nullptr) {
    auto w = Wal::Open(env_.fs.get(), env_.dir, options, Collect(replayed), stats);
    EXPECT_TRUE(w.ok()) << w.status();
    return w.ok() ? *std::move(w) : nullptr;
  }

  FsEnv env_;
};

INSTANTIATE_TEST_SUITE_P(Fs, WalTest, ::testing::Values(FsKind::kPosix, FsKind::kMem),
                         [](const auto& info) { return testing::FsKindName(info.param); });

TEST_P(WalTest, OpenEmptyDirectory) {
  std::vector<std::string> replayed;
  ReplayStats stats;
  auto wal = OpenWal(WalOptions(), &replayed, &stats);
  ASSERT_NE(wal, nullptr);
  EXPECT_THAT(replayed, IsEmpty());
  EXPECT_EQ(stats.records, 0u);
  EXPECT_FALSE(stats.repaired);
  EXPECT_FALSE(stats.checkpoint_loaded);
  EXPECT_EQ(wal->stats().current_segment, 1u);
  EXPECT_EQ(wal->stats().first_segment, 1u);
  EXPECT_EQ(wal->dir(), env_.dir);
  EXPECT_THAT(ListSegments(env_.fs.get(), env_.dir), ElementsAre(1u));
  // The new segment holds just its header.
  EXPECT_EQ(*env_.fs->FileSize(JoinPath(env_.dir, "00000001")), internal::kSegmentHeaderSize);
}

// Records of every size class, including sizes around the page boundary and
// larger than a segment, come back in order across many segments.
TEST_P(WalTest, ReplaysInOrderAcrossSegments) {
  std::vector<std::string> written;
  std::vector<size_t> sizes = {1,     7,     8,     100,   32753,  32754, 32760,
                               32761, 32768, 65536, 70000, 200000, 3,     5000};
  {
    std::vector<std::string> replayed;
    auto wal = OpenWal(SmallSegments(), &replayed);
    ASSERT_NE(wal, nullptr);
    for (int i = 0; i < 120; ++i) {
      written.push_back(MakeRecord(i, sizes[i % sizes.size()]));
      ASSERT_TRUE(wal->Log(written.back()).ok());
    }
    WalStats st = wal->stats();
    EXPECT_EQ(st.records_written, written.size());
    EXPECT_GT(st.current_segment, 10u);
    EXPECT_GE(st.fsyncs, written.size());  // kAlways: one per Log at least
    ASSERT_TRUE(wal->Close().ok());
  }
  std::vector<std::string> replayed;
  ReplayStats stats;
  auto wal = OpenWal(SmallSegments(), &replayed, &stats);
  ASSERT_NE(wal, nullptr);
  EXPECT_FALSE(stats.repaired) << stats.repair_reason;
  EXPECT_EQ(stats.records, written.size());
  EXPECT_GT(stats.segments, 10u);
  EXPECT_TRUE(testing::SameRecords(replayed, written));
  // Reopening starts a new segment after the last one.
  EXPECT_EQ(wal->stats().current_segment, stats.segments + 1);
}

TEST_P(WalTest, BatchNeverSpansSegments) {
  const WalOptions options = SmallSegments(100 * 1024);
  {
    std::vector<std::string> replayed;
    auto wal = OpenWal(options, &replayed);
    ASSERT_NE(wal, nullptr);
    for (int b = 0; b < 40; ++b) {
      std::vector<std::string> batch;
      for (int i = 0; i < 3; ++i) batch.push_back(MakeRecord(b * 10 + i, 9000 + 1000 * i));
      std::vector<std::string_view> views(batch.begin(), batch.end());
      ASSERT_TRUE(wal->Log(views).ok());
    }
    // A batch larger than segment_size gets a segment of its own.
    std::vector<std::string> big = {MakeRecord(9991, 80000), MakeRecord(9992, 80000)};
    std::vector<std::string_view> views(big.begin(), big.end());
    ASSERT_TRUE(wal->Log(views).ok());
    ASSERT_TRUE(wal->Close().ok());
  }
  std::map<int, std::set<uint32_t>> segments_of_batch;
  for (const auto& loc : LocateRecords(env_.fs.get(), env_.dir)) {
    int id = std::stoi(loc.record.substr(1, loc.record.find(':') - 1));
    segments_of_batch[id / 10].insert(loc.segment);
  }
  EXPECT_EQ(segments_of_batch.size(), 41u);
  for (const auto& [batch, segs] : segments_of_batch) EXPECT_EQ(segs.size(), 1u) << batch;
  // Segments respect segment_size, except the one holding the oversized batch.
  int oversized = 0;
  for (uint32_t seg : ListSegments(env_.fs.get(), env_.dir)) {
    if (*env_.fs->FileSize(JoinPath(env_.dir, internal::SegmentName(seg))) > options.segment_size) {
      ++oversized;
    }
  }
  EXPECT_EQ(oversized, 1);
}

TEST_P(WalTest, RejectsEmptyRecords) {
  std::vector<std::string> replayed;
  auto wal = OpenWal(WalOptions(), &replayed);
  ASSERT_NE(wal, nullptr);
  absl::Status s = wal->Log("");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  // An empty batch is a no-op.
  EXPECT_TRUE(wal->Log(std::span<const std::string_view>()).ok());
  EXPECT_EQ(wal->stats().records_written, 0u);
}

TEST_P(WalTest, CloseIsIdempotentAndLogAfterCloseFails) {
  std::vector<std::string> replayed;
  auto wal = OpenWal(WalOptions(), &replayed);
  ASSERT_NE(wal, nullptr);
  ASSERT_TRUE(wal->Log("x").ok());
  EXPECT_TRUE(wal->Close().ok());
  EXPECT_TRUE(wal->Close().ok());
  absl::Status s = wal->Log("y");
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("closed"));
}

TEST_P(WalTest, NextSegment) {
  std::vector<std::string> replayed;
  auto wal = OpenWal(WalOptions(), &replayed);
  ASSERT_NE(wal, nullptr);
  ASSERT_TRUE(wal->Log("a").ok());
  auto next = wal->NextSegment();
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(*next, 2u);
  EXPECT_EQ(wal->stats().current_segment, 2u);
  ASSERT_TRUE(wal->Log("b").ok());
  ASSERT_TRUE(wal->Close().ok());
  std::vector<std::string> again;
  auto reopened = OpenWal(WalOptions(), &again);
  EXPECT_THAT(again, ElementsAre("a", "b"));
}

// Concurrent committers share fsyncs; every record is replayed exactly once
// and each thread's records stay in its order.
TEST_P(WalTest, GroupCommitConcurrentWriters) {
  // A slow disk makes committers pile up behind the leader deterministically.
  HookedFileSystem slow(env_.fs.get());
  slow.on_sync = [] {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    return absl::OkStatus();
  };
  constexpr int kThreads = 8;
  constexpr int kPerThread = 100;
  WalOptions options = SmallSegments(256 * 1024);
  {
    auto wal = Wal::Open(&slow, env_.dir, options, Discard(), nullptr);
    ASSERT_TRUE(wal.ok()) << wal.status();
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          std::string rec = MakeRecord(t * 1000 + i, 100 + (i * 37) % 3000);
          if (!(*wal)->Log(rec).ok()) ++failures;
        }
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(failures.load(), 0);
    WalStats st = (*wal)->stats();
    EXPECT_EQ(st.records_written, uint64_t{kThreads * kPerThread});
    EXPECT_LT(st.fsyncs, st.records_written);
    ASSERT_TRUE((*wal)->Close().ok());
  }
  std::vector<std::string> replayed;
  auto wal = OpenWal(options, &replayed);
  ASSERT_EQ(replayed.size(), size_t{kThreads * kPerThread});
  std::vector<int> next(kThreads, 0);
  std::set<std::string> seen;
  for (const std::string& r : replayed) {
    EXPECT_TRUE(seen.insert(r).second) << "duplicate " << r.substr(0, 10);
    int id = std::stoi(r.substr(1, r.find(':') - 1));
    int t = id / 1000;
    EXPECT_EQ(id % 1000, next[t]) << "thread " << t << " out of order";
    next[t] = id % 1000 + 1;
  }
}

TEST_P(WalTest, IntervalPolicySyncsInBackground) {
  WalOptions options;
  options.sync_policy = SyncPolicy::kInterval;
  options.sync_interval = absl::Milliseconds(5);
  std::vector<std::string> replayed;
  auto wal = OpenWal(options, &replayed);
  ASSERT_NE(wal, nullptr);
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(wal->Log(MakeRecord(i, 200)).ok());
  // Log itself does not fsync; the background thread does within an interval.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (wal->stats().fsyncs == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_GE(wal->stats().fsyncs, 1u);
  ASSERT_TRUE(wal->Close().ok());
  std::vector<std::string> again;
  auto reopened = OpenWal(options, &again);
  EXPECT_EQ(again.size(), 50u);
}

TEST_P(WalTest, IntervalPolicyLogDoesNotSync) {
  WalOptions options;
  options.sync_policy = SyncPolicy::kInterval;
  options.sync_interval = absl::Hours(1);
  std::vector<std::string> replayed;
  auto wal = OpenWal(options, &replayed);
  ASSERT_NE(wal, nullptr);
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(wal->Log(MakeRecord(i, 200)).ok());
  EXPECT_EQ(wal->stats().fsyncs, 0u);
  ASSERT_TRUE(wal->Sync().ok());
  EXPECT_EQ(wal->stats().fsyncs, 1u);
  ASSERT_TRUE(wal->Sync().ok());  // nothing new to sync
  EXPECT_EQ(wal->stats().fsyncs, 1u);
  // Close stops the background thread promptly despite the 1 h interval.
  ASSERT_TRUE(wal->Close().ok());
}

// Every fsync of segment data lands in the duration histogram, in the bucket
// its duration belongs to (upper bounds inclusive, as Prometheus' "le"),
// failed fsyncs included. The clock only moves inside the (hooked) fsync, by
// a delay the test picks, so the placement is exact.
TEST_P(WalTest, FsyncDurationHistogramCountsEveryFsync) {
  std::atomic<int64_t> now{1'000'000'000};
  std::atomic<int64_t> delay{0};
  std::atomic<bool> fail{false};
  HookedFileSystem hooked(env_.fs.get());
  hooked.on_sync = [&]() -> absl::Status {
    now += delay.load();
    if (fail.load()) return absl::DataLossError("injected fsync failure");
    return absl::OkStatus();
  };
  WalOptions options;
  options.monotonic_nanos = [&now] { return now.load(); };
  auto wal = Wal::Open(&hooked, env_.dir, options, Discard(), nullptr);
  ASSERT_TRUE(wal.ok()) << wal.status();
  EXPECT_EQ((*wal)->stats().fsync_duration.count, 0u);  // opening syncs no data

  struct Case {
    int64_t nanos;
    size_t bucket;  // index into kFsyncBucketBounds; its size means +Inf
  };
  const Case cases[] = {
      {50'000, 0},          {100'000, 0},  // 100µs is inside "le=0.0001"
      {100'001, 1},         {3'000'000, 5},       {70'000'000, 9}, {2'000'000'000, 13},
      {10'000'000'000, 15}, {20'000'000'000, 16},  // slower than the last bound: +Inf
  };
  std::array<uint64_t, kFsyncBucketBounds.size() + 1> want{};
  uint64_t want_sum = 0;
  int i = 0;
  for (const Case& c : cases) {
    delay = c.nanos;
    ASSERT_TRUE((*wal)->Log(MakeRecord(i++, 100)).ok());  // kAlways: one fsync
    ++want[c.bucket];
    want_sum += static_cast<uint64_t>(c.nanos);
  }
  // A cut with nothing unsynced and a Sync with nothing new do not fsync.
  ASSERT_TRUE((*wal)->NextSegment().ok());
  ASSERT_TRUE((*wal)->Sync().ok());
  WalStats st = (*wal)->stats();
  EXPECT_EQ(st.fsyncs, std::size(cases));
  EXPECT_EQ(st.fsync_duration.count, st.fsyncs);
  EXPECT_EQ(st.fsync_duration.sum_nanos, want_sum);
  EXPECT_EQ(st.fsync_duration.counts, want);

  // A failing fsync is timed too (it poisons the WAL; that is tested elsewhere).
  delay = 1'000'000;
  fail = true;
  EXPECT_FALSE((*wal)->Log(MakeRecord(i++, 100)).ok());
  ++want[3];
  st = (*wal)->stats();
  EXPECT_EQ(st.fsyncs, std::size(cases));
  EXPECT_EQ(st.write_errors, 1u);
  EXPECT_EQ(st.fsync_duration.count, std::size(cases) + 1);
  EXPECT_EQ(st.fsync_duration.sum_nanos, want_sum + 1'000'000);
  EXPECT_EQ(st.fsync_duration.counts, want);
  fail = false;
}

// Without an injected clock the WAL times fsyncs with steady_clock.
TEST_P(WalTest, FsyncDurationUsesRealClockByDefault) {
  std::vector<std::string> replayed;
  auto wal = OpenWal(WalOptions(), &replayed);
  ASSERT_NE(wal, nullptr);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(wal->Log(MakeRecord(i, 100)).ok());
  WalStats st = wal->stats();
  EXPECT_EQ(st.fsyncs, 5u);
  EXPECT_EQ(st.fsync_duration.count, 5u);
  uint64_t in_buckets = 0;
  for (uint64_t c : st.fsync_duration.counts) in_buckets += c;
  EXPECT_EQ(in_buckets, 5u);
}

// A callback error other than DataLoss aborts Open and changes nothing.
TEST_P(WalTest, ReplayErrorAbortsOpen) {
  {
    std::vector<std::string> replayed;
    auto wal = OpenWal(WalOptions(), &replayed);
    ASSERT_TRUE(wal->Log("a").ok());
    ASSERT_TRUE(wal->Log("b").ok());
    ASSERT_TRUE(wal->Close().ok());
  }
  auto failing = [](std::string_view r) {
    return r == "b" ? absl::InternalError("head is full") : absl::OkStatus();
  };
  auto wal = Wal::Open(env_.fs.get(), env_.dir, WalOptions(), failing, nullptr);
  ASSERT_FALSE(wal.ok());
  EXPECT_EQ(wal.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(wal.status().message(), HasSubstr("wal: segment 1: offset "));
  EXPECT_THAT(wal.status().message(), HasSubstr("head is full"));
  std::vector<std::string> replayed;
  auto ok = OpenWal(WalOptions(), &replayed);
  EXPECT_THAT(replayed, ElementsAre("a", "b"));
}

TEST_P(WalTest, UnknownVersionIsRefusedNotRepaired) {
  std::string seg = JoinPath(env_.dir, "00000001");
  ASSERT_TRUE(env_.fs->CreateDirs(env_.dir).ok());
  std::string contents = "STRW\x02";
  contents.append(3, '\0');
  contents += "future data";
  ASSERT_TRUE(testing::OverwriteFile(env_.fs.get(), seg, contents).ok());
  auto wal = Wal::Open(env_.fs.get(), env_.dir, WalOptions(), Discard(), nullptr);
  ASSERT_FALSE(wal.ok());
  EXPECT_EQ(wal.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(wal.status().message(), HasSubstr("version 2"));
  EXPECT_EQ(*env_.fs->FileSize(seg), contents.size());
}

// --- Checkpoints -----------------------------------------------------------

std::string SeriesRecord(std::vector<uint64_t> refs) {
  std::vector<RefSeries> series;
  for (uint64_t r : refs) {
    series.push_back({r, Labels::FromStrings({"__name__", "m", "id", absl::StrCat(r)})});
  }
  std::string rec;
  EncodeSeries(series, &rec);
  return rec;
}

std::string SamplesRecord(std::vector<uint64_t> refs, int64_t t) {
  std::vector<RefSample> samples;
  for (uint64_t r : refs) samples.push_back({r, t, static_cast<double>(r * 1000 + t)});
  std::string rec;
  EncodeSamples(samples, &rec);
  return rec;
}

// Decoded content of a replay, for comparing checkpoint results.
struct Decoded {
  std::vector<uint64_t> series;
  std::vector<std::pair<uint64_t, int64_t>> samples;
  std::vector<RefTombstone> tombstones;
  std::vector<RefMetadata> metadata;

  Wal::ReplayFn Fn() {
    return [this](std::string_view r) -> absl::Status {
      switch (PeekType(r)) {
        case RecordType::kSeries: {
          std::vector<RefSeries> s;
          if (absl::Status st = DecodeSeries(r, &s); !st.ok()) return st;
          for (auto& x : s) series.push_back(x.ref);
          return absl::OkStatus();
        }
        case RecordType::kSamples: {
          std::vector<RefSample> s;
          if (absl::Status st = DecodeSamples(r, &s); !st.ok()) return st;
          for (auto& x : s) samples.push_back({x.ref, x.t});
          return absl::OkStatus();
        }
        case RecordType::kTombstones:
          return DecodeTombstones(r, &tombstones);
        case RecordType::kMetadata:
          return DecodeMetadata(r, &metadata);
        default:
          return absl::DataLossError("unknown record");
      }
    };
  }
};

TEST_P(WalTest, CheckpointKeepsChosenSeriesAndRecentSamples) {
  WalOptions options = SmallSegments(2 * 1024);
  std::vector<uint64_t> refs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  auto keep = [](uint64_t ref) { return ref % 2 == 0; };
  {
    auto wal = Wal::Open(env_.fs.get(), env_.dir, options, Discard(), nullptr);
    ASSERT_TRUE(wal.ok());
    ASSERT_TRUE((*wal)->Log(SeriesRecord(refs)).ok());
    for (int64_t t = 0; t < 100; ++t) ASSERT_TRUE((*wal)->Log(SamplesRecord(refs, t)).ok());
    std::string tomb, meta;
    EncodeTombstones(std::vector<RefTombstone>{{2, 0, 10}, {4, 0, 60}, {3, 0, 99}}, &tomb);
    EncodeMetadata(std::vector<RefMetadata>{{2, 1, "s", "old"}, {3, 1, "", ""}, {2, 1, "s", "new"}},
                   &meta);
    ASSERT_TRUE((*wal)->Log(tomb).ok());
    ASSERT_TRUE((*wal)->Log(meta).ok());
    auto last = (*wal)->NextSegment();
    ASSERT_TRUE(last.ok());
    uint32_t sealed = *last - 1;
    EXPECT_GT(sealed, 3u);
    // Not sealed yet: refused.
    EXPECT_EQ((*wal)->Checkpoint(*last, keep, 50).code(), absl::StatusCode::kFailedPrecondition);
    ASSERT_TRUE((*wal)->Checkpoint(sealed, keep, 50).ok());
    EXPECT_EQ((*wal)->stats().first_segment, sealed + 1);
    // Segments up to `sealed` are gone; the checkpoint is there.
    EXPECT_THAT(ListSegments(env_.fs.get(), env_.dir), ElementsAre(*last));
    EXPECT_TRUE(env_.fs->IsDir(JoinPath(env_.dir, internal::CheckpointName(sealed))));
    // Records after the checkpoint.
    ASSERT_TRUE((*wal)->Log(SeriesRecord({11})).ok());
    ASSERT_TRUE((*wal)->Log(SamplesRecord({11, 2}, 200)).ok());
    ASSERT_TRUE((*wal)->Close().ok());
  }
  Decoded d;
  ReplayStats stats;
  auto wal = Wal::Open(env_.fs.get(), env_.dir, options, d.Fn(), &stats);
  ASSERT_TRUE(wal.ok()) << wal.status();
  EXPECT_TRUE(stats.checkpoint_loaded);
  EXPECT_FALSE(stats.repaired);
  EXPECT_EQ(stats.segments, 1u);
  EXPECT_THAT(d.series, ElementsAre(2, 4, 6, 8, 10, 11));
  std::vector<std::pair<uint64_t, int64_t>> want;
  for (int64_t t = 50; t < 100; ++t) {
    for (uint64_t r : {2, 4, 6, 8, 10}) want.push_back({r, t});
  }
  want.push_back({11, 200});
  want.push_back({2, 200});
  EXPECT_EQ(d.samples, want);
  ASSERT_EQ(d.tombstones.size(), 1u);  // ref 2's ends before mint, ref 3 is dropped
  EXPECT_EQ(d.tombstones[0].ref, 4u);
  ASSERT_EQ(d.metadata.size(), 1u);  // latest entry of kept ref 2 only
  EXPECT_EQ(d.metadata[0].help, "new");
}

TEST_P(WalTest, SecondCheckpointIncludesFirst) {
  WalOptions options = SmallSegments(8 * 1024);
  auto keep_all = [](uint64_t) { return true; };
  {
    auto wal = Wal::Open(env_.fs.get(), env_.dir, options, Discard(), nullptr);
    ASSERT_TRUE(wal.ok());
    ASSERT_TRUE((*wal)->Log(SeriesRecord({1})).ok());
    ASSERT_TRUE((*wal)->Log(SamplesRecord({1}, 10)).ok());
    uint32_t first = *(*wal)->NextSegment() - 1;
    ASSERT_TRUE((*wal)->Checkpoint(first, keep_all, 0).ok());
    // Checkpointing the same segment again is a no-op.
    ASSERT_TRUE((*wal)->Checkpoint(first, keep_all, 0).ok());
    ASSERT_TRUE((*wal)->Log(SeriesRecord({2})).ok());
    ASSERT_TRUE((*wal)->Log(SamplesRecord({1, 2}, 20)).ok());
    uint32_t second = *(*wal)->NextSegment() - 1;
    ASSERT_TRUE((*wal)->Checkpoint(second, keep_all, 0).ok());
    EXPECT_FALSE(env_.fs->Exists(JoinPath(env_.dir, internal::CheckpointName(first))));
    EXPECT_TRUE(env_.fs->IsDir(JoinPath(env_.dir, internal::CheckpointName(second))));
    ASSERT_TRUE((*wal)->Log(SamplesRecord({2}, 30)).ok());
    ASSERT_TRUE((*wal)->Close().ok());
  }
  Decoded d;
  auto wal = Wal::Open(env_.fs.get(), env_.dir, options, d.Fn(), nullptr);
  ASSERT_TRUE(wal.ok()) << wal.status();
  EXPECT_THAT(d.series, ElementsAre(1, 2));
  std::vector<std::pair<uint64_t, int64_t>> want = {{1, 10}, {1, 20}, {2, 20}, {2, 30}};
  EXPECT_EQ(d.samples, want);
}

// Leftovers of crashes during a checkpoint are cleaned up on open.
TEST_P(WalTest, OpenCleansCheckpointLeftovers) {
  auto keep_all = [](uint64_t) { return true; };
  uint32_t sealed;
  {
    auto wal = Wal::Open(env_.fs.get(), env_.dir, WalOptions(), Discard(), nullptr);
    ASSERT_TRUE(wal.ok());
    ASSERT_TRUE((*wal)->Log(SeriesRecord({1})).ok());
    sealed = *(*wal)->NextSegment() - 1;
    ASSERT_TRUE((*wal)->Log(SamplesRecord({1}, 5)).ok());
    ASSERT_TRUE((*wal)->Close().ok());
  }
  // Simulate a crash after the rename but before the old segment's removal:
  // copy the segment aside, checkpoint, then put the copy back.
  std::string seg_path = JoinPath(env_.dir, internal::SegmentName(sealed));
  auto old_contents = env_.fs->ReadFile(seg_path);
  ASSERT_TRUE(old_contents.ok());
  {
    auto wal = Wal::Open(env_.fs.get(), env_.dir, WalOptions(), Discard(), nullptr);
    ASSERT_TRUE(wal.ok());
    auto next = (*wal)->NextSegment();
    ASSERT_TRUE(next.ok());
    ASSERT_TRUE((*wal)->Checkpoint(sealed, keep_all, 0).ok());
    ASSERT_TRUE((*wal)->Close().ok());
  }
  ASSERT_TRUE(testing::OverwriteFile(env_.fs.get(), seg_path, *old_contents).ok());
  std::string tmp = JoinPath(env_.dir, internal::CheckpointName(sealed + 5) + ".tmp");
  ASSERT_TRUE(env_.fs->CreateDirs(tmp).ok());
  ASSERT_TRUE(testing::OverwriteFile(env_.fs.get(), JoinPath(tmp, "00000000"), "junk").ok());

  Decoded d;
  ReplayStats stats;
  auto wal = Wal::Open(env_.fs.get(), env_.dir, WalOptions(), d.Fn(), &stats);
  ASSERT_TRUE(wal.ok()) << wal.status();
  EXPECT_FALSE(stats.repaired) << stats.repair_reason;
  EXPECT_THAT(d.series, ElementsAre(1));  // once, from the checkpoint
  EXPECT_EQ(d.samples.size(), 1u);
  EXPECT_FALSE(env_.fs->Exists(seg_path));
  EXPECT_FALSE(env_.fs->Exists(tmp));
}

// Checkpoints run while other threads log.
TEST_P(WalTest, CheckpointConcurrentWithLog) {
  WalOptions options = SmallSegments(16 * 1024);
  options.sync_policy = SyncPolicy::kInterval;
  std::atomic<bool> stop{false};
  std::atomic<int> logged{0};
  std::atomic<int> failures{0};
  {
    auto wal = Wal::Open(env_.fs.get(), env_.dir, options, Discard(), nullptr);
    ASSERT_TRUE(wal.ok());
    ASSERT_TRUE((*wal)->Log(SeriesRecord({1, 2, 3})).ok());
    std::vector<std::thread> writers;
    for (int t = 0; t < 3; ++t) {
      writers.emplace_back([&] {
        for (int64_t i = 0; !stop.load(); ++i) {
          if (!(*wal)->Log(SamplesRecord({1, 2, 3}, 1000 + i)).ok()) {
            ++failures;
            return;
          }
          ++logged;
        }
      });
    }
    for (int i = 0; i < 5; ++i) {
      while (logged.load() < (i + 1) * 200 && failures.load() == 0) std::this_thread::yield();
      auto next = (*wal)->NextSegment();
      EXPECT_TRUE(next.ok()) << next.status();
      if (!next.ok()) break;
      EXPECT_TRUE((*wal)
                      ->Checkpoint(
                          *next - 1, [](uint64_t) { return true; }, 0)
                      .ok());
    }
    stop = true;
    for (auto& th : writers) th.join();
    EXPECT_EQ(failures.load(), 0);
    ASSERT_TRUE((*wal)->Close().ok());
  }
  Decoded d;
  auto wal = Wal::Open(env_.fs.get(), env_.dir, options, d.Fn(), nullptr);
  ASSERT_TRUE(wal.ok()) << wal.status();
  EXPECT_THAT(d.series, ElementsAre(1, 2, 3));
  EXPECT_EQ(d.samples.size(), static_cast<size_t>(logged.load()) * 3);
}

}  // namespace
}  // namespace strata::wal
