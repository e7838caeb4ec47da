// The corruption matrix: each kind of damage, on the real file system and on
// MemFileSystem. Every case checks that Open keeps exactly the records before
// the damage, reports the repair with segment and offset, and that the log is
// healthy afterwards (new records append, a second open repairs nothing).
#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/wal/wal_test_util.h"
#include "wal/segment.h"
#include "wal/wal.h"

namespace strata::wal {
namespace {

using ::strata::wal::testing::Collect;
using ::strata::wal::testing::FsEnv;
using ::strata::wal::testing::FsKind;
using ::strata::wal::testing::ListSegments;
using ::strata::wal::testing::LocateRecords;
using ::strata::wal::testing::MakeRecord;
using ::strata::wal::testing::RecordLocation;
using ::strata::wal::testing::SameRecords;
using ::testing::HasSubstr;

constexpr uint64_t kSegmentSize = 64 * 1024;

class WalCorruptionTest : public ::testing::TestWithParam<FsKind> {
 protected:
  WalCorruptionTest() : env_(GetParam()) {}

  WalOptions Options() const {
    WalOptions o;
    o.segment_size = kSegmentSize;
    return o;
  }

  // Writes 40 records of mixed sizes (single- and multi-fragment) over about
  // ten segments, the last one multi-fragment, and indexes where they lie.
  void SetUp() override {
    const size_t sizes[] = {200, 5000, 40000, 30, 20000};
    for (int i = 0; i < 40; ++i) records_.push_back(MakeRecord(i, sizes[i % 5]));
    records_.push_back(MakeRecord(40, 50000));
    auto wal = Wal::Open(env_.fs.get(), env_.dir, Options(), testing::Discard(), nullptr);
    ASSERT_TRUE(wal.ok()) << wal.status();
    for (const std::string& r : records_) ASSERT_TRUE((*wal)->Log(r).ok());
    ASSERT_TRUE((*wal)->Close().ok());
    locs_ = LocateRecords(env_.fs.get(), env_.dir);
    ASSERT_EQ(locs_.size(), records_.size());
    segments_ = ListSegments(env_.fs.get(), env_.dir);
    ASSERT_GE(segments_.size(), 8u);
  }

  std::string SegPath(uint32_t seg) const { return JoinPath(env_.dir, internal::SegmentName(seg)); }
  std::string ReadSeg(uint32_t seg) const {
    auto c = env_.fs->ReadFile(SegPath(seg));
    EXPECT_TRUE(c.ok()) << c.status();
    return c.ok() ? *c : "";
  }
  void WriteSeg(uint32_t seg, const std::string& contents) {
    ASSERT_TRUE(testing::OverwriteFile(env_.fs.get(), SegPath(seg), contents).ok());
  }
  // Applies `fn` to the bytes of segment `seg`.
  template <typename Fn>
  void Mutate(uint32_t seg, Fn fn) {
    std::string c = ReadSeg(seg);
    fn(c);
    WriteSeg(seg, c);
  }

  // Index of a record in a middle segment that is preceded by another record
  // of its segment and fits in one fragment (offset within its page allows).
  size_t MiddleFullRecord() const {
    uint32_t mid = segments_[segments_.size() / 2];
    for (size_t i = 1; i < locs_.size(); ++i) {
      const RecordLocation& l = locs_[i];
      if (l.segment == mid && locs_[i - 1].segment == mid && l.record.size() < 1000 &&
          i + 1 < locs_.size() && locs_[i + 1].segment == mid) {
        return i;
      }
    }
    ADD_FAILURE() << "no suitable record";
    return 0;
  }
  // Index of a multi-fragment record in a middle segment.
  size_t MiddleMultiFragmentRecord() const {
    uint32_t mid = segments_[segments_.size() / 2];
    for (size_t i = 0; i < locs_.size(); ++i) {
      if (locs_[i].segment == mid && locs_[i].record.size() > 32768) return i;
    }
    ADD_FAILURE() << "no suitable record";
    return 0;
  }
  // First record index stored in segment `seg`.
  size_t FirstRecordOf(uint32_t seg) const {
    for (size_t i = 0; i < locs_.size(); ++i) {
      if (locs_[i].segment >= seg) return i;
    }
    return locs_.size();
  }

  // Opens the damaged log and checks the repair: exactly records_[0, kept)
  // replayed, the reason names `reason_parts`; then appends new records and
  // checks that a second open replays old + new without repairing.
  void ExpectRepair(size_t kept, std::vector<std::string> reason_parts, uint32_t segments_dropped) {
    std::vector<std::string> replayed;
    ReplayStats stats;
    {
      auto wal = Wal::Open(env_.fs.get(), env_.dir, Options(), Collect(&replayed), &stats);
      ASSERT_TRUE(wal.ok()) << wal.status();
      EXPECT_TRUE(stats.repaired);
      for (const std::string& part : reason_parts) {
        EXPECT_THAT(stats.repair_reason, HasSubstr(part));
      }
      EXPECT_EQ(stats.segments_dropped, segments_dropped) << stats.repair_reason;
      EXPECT_GT(stats.bytes_dropped, 0u);
      EXPECT_EQ((*wal)->stats().repairs, 1u);
      ASSERT_TRUE(SameRecords(replayed, Prefix(kept))) << stats.repair_reason;
      EXPECT_EQ(stats.records, kept);
      for (int i = 0; i < 3; ++i) {
        ASSERT_TRUE((*wal)->Log(MakeRecord(1000 + i, 3000 * (i + 1))).ok());
      }
      ASSERT_TRUE((*wal)->Close().ok());
    }
    std::vector<std::string> again;
    ReplayStats stats2;
    auto wal = Wal::Open(env_.fs.get(), env_.dir, Options(), Collect(&again), &stats2);
    ASSERT_TRUE(wal.ok()) << wal.status();
    EXPECT_FALSE(stats2.repaired) << stats2.repair_reason;
    std::vector<std::string> want = Prefix(kept);
    for (int i = 0; i < 3; ++i) want.push_back(MakeRecord(1000 + i, 3000 * (i + 1)));
    EXPECT_TRUE(SameRecords(again, want));
  }

  // Overwrites the (big-endian) length of the fragment at `l`.
  void SetFragmentLength(const RecordLocation& l, uint64_t len) {
    ASSERT_LT(len, internal::kPageSize);
    Mutate(l.segment, [&](std::string& c) {
      c[l.offset + 1] = static_cast<char>(len >> 8);
      c[l.offset + 2] = static_cast<char>(len & 0xff);
    });
  }

  std::vector<std::string> Prefix(size_t n) const {
    return std::vector<std::string>(records_.begin(), records_.begin() + n);
  }

  // Segments after `seg` in the directory.
  uint32_t SegmentsAfter(uint32_t seg) const {
    return static_cast<uint32_t>(
        std::count_if(segments_.begin(), segments_.end(), [seg](uint32_t s) { return s > seg; }));
  }

  static std::string At(uint32_t seg, uint64_t off) {
    return absl::StrCat("segment ", seg, " offset ", off, ":");
  }

  FsEnv env_;
  std::vector<std::string> records_;
  std::vector<RecordLocation> locs_;
  std::vector<uint32_t> segments_;
};

INSTANTIATE_TEST_SUITE_P(Fs, WalCorruptionTest, ::testing::Values(FsKind::kPosix, FsKind::kMem),
                         [](const auto& info) { return testing::FsKindName(info.param); });

TEST_P(WalCorruptionTest, IntactLogNeedsNoRepair) {
  std::vector<std::string> replayed;
  ReplayStats stats;
  auto wal = Wal::Open(env_.fs.get(), env_.dir, Options(), Collect(&replayed), &stats);
  ASSERT_TRUE(wal.ok());
  EXPECT_FALSE(stats.repaired);
  EXPECT_TRUE(SameRecords(replayed, records_));
}

TEST_P(WalCorruptionTest, TornLastRecordMidFragment) {
  const RecordLocation& last = locs_.back();
  uint64_t cut = last.offset + internal::kFragmentHeaderSize + 100;
  Mutate(last.segment, [&](std::string& c) { c.resize(cut); });
  ExpectRepair(records_.size() - 1, {At(last.segment, last.offset), "truncated fragment"}, 0);
}

TEST_P(WalCorruptionTest, TornLastRecordBetweenFragments) {
  const RecordLocation& last = locs_.back();
  // The first fragment fills its page; cut right after it.
  uint64_t cut = (last.offset / internal::kPageSize + 1) * internal::kPageSize;
  Mutate(last.segment, [&](std::string& c) {
    ASSERT_LT(cut, c.size());
    c.resize(cut);
  });
  ExpectRepair(
      records_.size() - 1,
      {"segment ends inside a record", absl::StrCat("record starts at offset ", last.offset)}, 0);
}

TEST_P(WalCorruptionTest, TornSegmentHeader) {
  uint32_t seg = segments_[segments_.size() / 2];
  Mutate(seg, [](std::string& c) { c.resize(5); });
  ExpectRepair(FirstRecordOf(seg), {At(seg, 0), "truncated segment header"}, SegmentsAfter(seg));
}

TEST_P(WalCorruptionTest, BadMagic) {
  uint32_t seg = segments_[segments_.size() / 2];
  Mutate(seg, [](std::string& c) { c.replace(0, 4, "XXXX"); });
  ExpectRepair(FirstRecordOf(seg), {At(seg, 0), "bad magic"}, SegmentsAfter(seg));
}

TEST_P(WalCorruptionTest, BadFragmentType) {
  size_t k = MiddleFullRecord();
  const RecordLocation& l = locs_[k];
  Mutate(l.segment, [&](std::string& c) { c[l.offset] = 9; });
  ExpectRepair(k, {At(l.segment, l.offset), "invalid fragment type 9"}, SegmentsAfter(l.segment));
}

TEST_P(WalCorruptionTest, MiddleWithoutFirst) {
  size_t k = MiddleFullRecord();
  const RecordLocation& l = locs_[k];
  Mutate(l.segment, [&](std::string& c) { c[l.offset] = internal::kMiddle; });
  ExpectRepair(k, {At(l.segment, l.offset), "middle fragment without first"},
               SegmentsAfter(l.segment));
}

TEST_P(WalCorruptionTest, LastWithoutFirst) {
  size_t k = MiddleFullRecord();
  const RecordLocation& l = locs_[k];
  Mutate(l.segment, [&](std::string& c) { c[l.offset] = internal::kLast; });
  ExpectRepair(k, {At(l.segment, l.offset), "last fragment without first"},
               SegmentsAfter(l.segment));
}

TEST_P(WalCorruptionTest, FirstFollowedByFull) {
  size_t k = MiddleFullRecord();
  const RecordLocation& l = locs_[k];
  Mutate(l.segment, [&](std::string& c) { c[l.offset] = internal::kFirst; });
  // Detected at the next record's fragment; the record cut is the one that
  // started the broken sequence.
  ExpectRepair(k, {"inside record", absl::StrCat("record starts at offset ", l.offset)},
               SegmentsAfter(l.segment));
}

TEST_P(WalCorruptionTest, FlippedCrc) {
  size_t k = MiddleFullRecord();
  const RecordLocation& l = locs_[k];
  Mutate(l.segment, [&](std::string& c) { c[l.offset + 4] ^= 0x01; });
  ExpectRepair(k, {At(l.segment, l.offset), "crc mismatch"}, SegmentsAfter(l.segment));
}

TEST_P(WalCorruptionTest, FlippedPayloadBitInLaterFragment) {
  size_t k = MiddleMultiFragmentRecord();
  const RecordLocation& l = locs_[k];
  uint64_t next_page = (l.offset / internal::kPageSize + 1) * internal::kPageSize;
  Mutate(l.segment, [&](std::string& c) { c[next_page + 20] ^= 0x40; });
  ExpectRepair(k,
               {At(l.segment, next_page), "crc mismatch",
                absl::StrCat("record starts at offset ", l.offset)},
               SegmentsAfter(l.segment));
}

TEST_P(WalCorruptionTest, LengthBeyondPage) {
  size_t k = MiddleFullRecord();
  const RecordLocation& l = locs_[k];
  Mutate(l.segment, [&](std::string& c) {
    c[l.offset + 1] = '\xff';
    c[l.offset + 2] = '\xf0';
  });
  ExpectRepair(k, {At(l.segment, l.offset), "exceeds page"}, SegmentsAfter(l.segment));
}

// A length that still fits in the page but is wrong (a flipped low bit, say)
// frames the wrong payload bytes: the CRC catches it before anything after
// the record is misread as a fragment header.
TEST_P(WalCorruptionTest, PlausibleShorterLength) {
  size_t k = MiddleFullRecord();
  const RecordLocation& l = locs_[k];
  SetFragmentLength(l, l.record.size() - 5);
  ExpectRepair(k, {At(l.segment, l.offset), "crc mismatch"}, SegmentsAfter(l.segment));
}

TEST_P(WalCorruptionTest, PlausibleLongerLength) {
  size_t k = MiddleFullRecord();
  const RecordLocation& l = locs_[k];
  // Runs into the next record's header, still inside the page.
  uint64_t len = l.record.size() + 9;
  uint64_t page_end = (l.offset / internal::kPageSize + 1) * internal::kPageSize;
  ASSERT_LE(l.offset + internal::kFragmentHeaderSize + len, page_end);
  SetFragmentLength(l, len);
  ExpectRepair(k, {At(l.segment, l.offset), "crc mismatch"}, SegmentsAfter(l.segment));
}

TEST_P(WalCorruptionTest, GarbageAppended) {
  uint32_t last = segments_.back();
  Mutate(last, [](std::string& c) { c += "\xab\xcd garbage that is not a fragment"; });
  ExpectRepair(records_.size(), {"segment " + std::to_string(last), "invalid fragment type 171"},
               0);
}

TEST_P(WalCorruptionTest, NonZeroPadding) {
  uint32_t last = segments_.back();
  std::string c = ReadSeg(last);
  uint64_t end = c.size();
  c.append(10, '\0');
  c += "x";
  WriteSeg(last, c);
  ExpectRepair(records_.size(),
               {At(last, end + 10), "non-zero bytes in page padding",
                absl::StrCat("record starts at offset ", end)},
               0);
}

// Zeros where the next fragment would start read as page padding: a file
// system that extended the file before a crash loses nothing more.
TEST_P(WalCorruptionTest, ZeroTailIsNotDamage) {
  uint32_t last = segments_.back();
  Mutate(last, [](std::string& c) { c.append(70000, '\0'); });
  std::vector<std::string> replayed;
  ReplayStats stats;
  auto wal = Wal::Open(env_.fs.get(), env_.dir, Options(), Collect(&replayed), &stats);
  ASSERT_TRUE(wal.ok());
  EXPECT_FALSE(stats.repaired) << stats.repair_reason;
  EXPECT_TRUE(SameRecords(replayed, records_));
}

TEST_P(WalCorruptionTest, TruncatedMiddleSegment) {
  size_t k = MiddleMultiFragmentRecord();
  const RecordLocation& l = locs_[k];
  Mutate(l.segment, [&](std::string& c) { c.resize(l.offset + 3); });  // inside the header
  ExpectRepair(k, {At(l.segment, l.offset), "truncated fragment header"}, SegmentsAfter(l.segment));
}

TEST_P(WalCorruptionTest, MissingSegment) {
  uint32_t gone = segments_[segments_.size() / 2];
  ASSERT_TRUE(env_.fs->RemoveFile(SegPath(gone)).ok());
  ExpectRepair(FirstRecordOf(gone),
               {At(gone + 1, 0), absl::StrCat("segment ", gone, " is missing")},
               SegmentsAfter(gone));
  // The new segments fill the gap: the log is a prefix again.
  EXPECT_EQ(ListSegments(env_.fs.get(), env_.dir).back(), gone + 1);
}

// A record that frames correctly but that the replay callback cannot decode
// is damage too.
TEST_P(WalCorruptionTest, RecordThatFailsToDecode) {
  size_t k = MiddleFullRecord();
  std::string bad = records_[k];
  std::vector<std::string> replayed;
  ReplayStats stats;
  {
    auto fn = [&](std::string_view r) {
      if (r == bad) return absl::DataLossError("record: samples: truncated");
      replayed.emplace_back(r);
      return absl::OkStatus();
    };
    auto wal = Wal::Open(env_.fs.get(), env_.dir, Options(), fn, &stats);
    ASSERT_TRUE(wal.ok()) << wal.status();
  }
  EXPECT_TRUE(stats.repaired);
  EXPECT_THAT(stats.repair_reason,
              HasSubstr(At(locs_[k].segment, locs_[k].offset) + " record: samples: truncated"));
  EXPECT_TRUE(SameRecords(replayed, Prefix(k)));
  std::vector<std::string> again;
  ReplayStats stats2;
  auto wal = Wal::Open(env_.fs.get(), env_.dir, Options(), Collect(&again), &stats2);
  ASSERT_TRUE(wal.ok());
  EXPECT_FALSE(stats2.repaired);
  EXPECT_TRUE(SameRecords(again, Prefix(k)));
}

TEST_P(WalCorruptionTest, DamagedCheckpointFailsOpen) {
  // Build a checkpoint directory by hand with a damaged segment.
  std::string ckpt = JoinPath(env_.dir, internal::CheckpointName(segments_.back()));
  ASSERT_TRUE(env_.fs->CreateDirs(ckpt).ok());
  std::string seg;
  internal::AppendSegmentHeader(&seg);
  internal::FrameRecord(seg.size(), "\x01\x00", &seg);
  seg[seg.size() - 1] ^= 1;  // break the CRC
  ASSERT_TRUE(testing::OverwriteFile(env_.fs.get(), JoinPath(ckpt, "00000000"), seg).ok());
  auto wal = Wal::Open(env_.fs.get(), env_.dir, Options(), testing::Discard(), nullptr);
  ASSERT_FALSE(wal.ok());
  EXPECT_EQ(wal.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(wal.status().message(), HasSubstr("crc mismatch"));
  EXPECT_THAT(wal.status().message(), HasSubstr("checkpoint."));
}

}  // namespace
}  // namespace strata::wal
