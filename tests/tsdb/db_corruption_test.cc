// The WAL corruption matrix one layer up: each kind of damage is done to the
// WAL files of a real DB directory, then DB::Open must succeed, serve exactly
// the samples of the batches logged before the damage (bit-exactly, nothing
// invented), count the repair, accept new samples, and keep all of it across
// a second reopen that repairs nothing.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"
#include "tests/tsdb/db_test_util.h"
#include "tests/wal/wal_test_util.h"
#include "tsdb/base/crc32c.h"
#include "tsdb/db.h"
#include "wal/segment.h"

namespace strata {
namespace {

using testing::BatchWorkload;
using ::testing::HasSubstr;
using wal::testing::ListSegments;
using wal::testing::LocateRecords;
using wal::testing::RecordLocation;

constexpr int kSeries = 300;
constexpr int64_t kBatches = 120;  // 150 samples each, over about six segments

class DBCorruptionTest : public ::testing::Test {
 protected:
  DBCorruptionTest() : workload_(kSeries, RealClock().NowMillis() - 3600 * 1000) {}

  static DBOptions Options() {
    DBOptions o;
    o.wal.segment_size = 40 * 1024;
    return o;
  }

  // Writes the batches, remembering which WAL records each one logged, and
  // indexes where the records lie on disk.
  void SetUp() override {
    auto db = DB::Open(tmp_.path(), Options());
    ASSERT_TRUE(db.ok()) << db.status();
    for (int64_t k = 0; k < kBatches; ++k) {
      ASSERT_TRUE(workload_.WriteBatch(db->get(), k).ok());
      batch_end_.push_back((*db)->stats().wal.records_written);
    }
    ASSERT_TRUE((*db)->Close().ok());
    locs_ = LocateRecords(fs_.get(), WalDir());
    ASSERT_EQ(locs_.size(), batch_end_.back());
    segments_ = ListSegments(fs_.get(), WalDir());
    ASSERT_GE(segments_.size(), 5u);
  }

  std::string WalDir() const { return JoinPath(tmp_.path(), "wal"); }
  std::string SegPath(uint32_t seg) const {
    return JoinPath(WalDir(), wal::internal::SegmentName(seg));
  }
  // Applies `fn` to the bytes of segment `seg` and writes them back.
  template <typename Fn>
  void Mutate(uint32_t seg, Fn fn) {
    auto c = fs_->ReadFile(SegPath(seg));
    ASSERT_TRUE(c.ok()) << c.status();
    fn(*c);
    ASSERT_TRUE(wal::testing::OverwriteFile(fs_.get(), SegPath(seg), *c).ok());
  }

  // The first record of a batch that lies in a middle segment after another
  // record of that segment.
  size_t MiddleBatchStart() const {
    uint32_t mid = segments_[segments_.size() / 2];
    for (size_t k = 1; k < batch_end_.size(); ++k) {
      size_t r = batch_end_[k - 1];
      if (locs_[r].segment == mid && locs_[r - 1].segment == mid) return r;
    }
    ADD_FAILURE() << "no batch starts inside segment " << mid;
    return 0;
  }
  // Index of the first record of segment `seg` (or later).
  size_t FirstRecordOf(uint32_t seg) const {
    for (size_t i = 0; i < locs_.size(); ++i) {
      if (locs_[i].segment >= seg) return i;
    }
    return locs_.size();
  }
  // Batches whose every record precedes record `first_lost`.
  int64_t BatchesBefore(size_t first_lost) const {
    return std::count_if(batch_end_.begin(), batch_end_.end(),
                         [first_lost](uint64_t end) { return end <= first_lost; });
  }

  // Checks that `db` holds exactly batches [0, batches): every sample present
  // bit-exactly (Verify) and no other sample (the total matches).
  void ExpectExactly(DB* db, int64_t batches) {
    int64_t samples = workload_.Verify(db, batches);
    EXPECT_EQ(samples, batches * (kSeries / 2)) << "samples invented or lost";
  }

  // Opens the damaged DB and checks the recovery; see the file comment.
  void ExpectRecovered(size_t first_lost, std::vector<std::string> reason_parts) {
    const int64_t kept = BatchesBefore(first_lost);
    SCOPED_TRACE(absl::StrCat("records kept ", first_lost, ", batches kept ", kept));
    ASSERT_GT(kept, 0);  // the damage must leave something to check
    {
      auto db = DB::Open(tmp_.path(), Options());
      ASSERT_TRUE(db.ok()) << db.status();
      DBStats s = (*db)->stats();
      EXPECT_TRUE(s.replay.repaired);
      EXPECT_EQ(s.wal.repairs, 1u);
      EXPECT_GT(s.replay.bytes_dropped, 0u);
      for (const std::string& part : reason_parts) {
        EXPECT_THAT(s.replay.repair_reason, HasSubstr(part));
      }
      EXPECT_EQ(s.replay.records, first_lost) << s.replay.repair_reason;
      ExpectExactly(db->get(), kept);
      // The damaged tail is gone: new batches append behind the kept ones.
      for (int64_t k = kept; k < kept + 4; ++k) {
        ASSERT_TRUE(workload_.WriteBatch(db->get(), k).ok()) << "batch " << k;
      }
      ExpectExactly(db->get(), kept + 4);
      ASSERT_TRUE((*db)->Close().ok());
    }
    auto db = DB::Open(tmp_.path(), Options());
    ASSERT_TRUE(db.ok()) << db.status();
    EXPECT_FALSE((*db)->stats().replay.repaired) << (*db)->stats().replay.repair_reason;
    EXPECT_EQ((*db)->stats().wal.repairs, 0u);
    ExpectExactly(db->get(), kept + 4);
  }

  static std::string At(uint32_t seg, uint64_t off) {
    return absl::StrCat("segment ", seg, " offset ", off, ":");
  }

  testing::TempDir tmp_;
  std::unique_ptr<FileSystem> fs_ = NewPosixFileSystem();
  BatchWorkload workload_;
  std::vector<uint64_t> batch_end_;  // records logged after batch k
  std::vector<RecordLocation> locs_;
  std::vector<uint32_t> segments_;
};

TEST_F(DBCorruptionTest, IntactWalNeedsNoRepair) {
  auto db = DB::Open(tmp_.path(), Options());
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_FALSE((*db)->stats().replay.repaired);
  ExpectExactly(db->get(), kBatches);
}

TEST_F(DBCorruptionTest, TornLastRecord) {
  const RecordLocation& last = locs_.back();
  Mutate(last.segment,
         [&](std::string& c) { c.resize(last.offset + wal::internal::kFragmentHeaderSize + 10); });
  ExpectRecovered(locs_.size() - 1, {At(last.segment, last.offset)});
}

TEST_F(DBCorruptionTest, BadFragmentType) {
  size_t r = MiddleBatchStart();
  const RecordLocation& l = locs_[r];
  Mutate(l.segment, [&](std::string& c) { c[l.offset] = 9; });
  ExpectRecovered(r, {At(l.segment, l.offset), "invalid fragment type 9"});
}

TEST_F(DBCorruptionTest, BadFragmentOrder) {
  size_t r = MiddleBatchStart();
  const RecordLocation& l = locs_[r];
  Mutate(l.segment, [&](std::string& c) { c[l.offset] = wal::internal::kMiddle; });
  ExpectRecovered(r, {At(l.segment, l.offset), "middle fragment without first"});
}

TEST_F(DBCorruptionTest, FlippedCrc) {
  size_t r = MiddleBatchStart();
  const RecordLocation& l = locs_[r];
  Mutate(l.segment, [&](std::string& c) { c[l.offset + 4] ^= 0x01; });
  ExpectRecovered(r, {At(l.segment, l.offset), "crc mismatch"});
}

TEST_F(DBCorruptionTest, FlippedPayloadBit) {
  size_t r = MiddleBatchStart();
  const RecordLocation& l = locs_[r];
  Mutate(l.segment,
         [&](std::string& c) { c[l.offset + wal::internal::kFragmentHeaderSize + 3] ^= 0x20; });
  ExpectRecovered(r, {At(l.segment, l.offset), "crc mismatch"});
}

TEST_F(DBCorruptionTest, LengthBeyondPage) {
  size_t r = MiddleBatchStart();
  const RecordLocation& l = locs_[r];
  Mutate(l.segment, [&](std::string& c) {
    c[l.offset + 1] = '\xff';
    c[l.offset + 2] = '\xf0';
  });
  ExpectRecovered(r, {At(l.segment, l.offset), "exceeds page"});
}

// A length that fits in the page but is wrong frames the wrong bytes.
TEST_F(DBCorruptionTest, PlausibleWrongLength) {
  size_t r = MiddleBatchStart();
  const RecordLocation& l = locs_[r];
  Mutate(l.segment, [&](std::string& c) {
    uint64_t len =
        (static_cast<uint8_t>(c[l.offset + 1]) << 8 | static_cast<uint8_t>(c[l.offset + 2])) - 3;
    c[l.offset + 1] = static_cast<char>(len >> 8);
    c[l.offset + 2] = static_cast<char>(len & 0xff);
  });
  ExpectRecovered(r, {At(l.segment, l.offset), "crc mismatch"});
}

TEST_F(DBCorruptionTest, GarbageAppended) {
  Mutate(segments_.back(), [](std::string& c) { c += "\xab\xcd garbage that is not a fragment"; });
  ExpectRecovered(locs_.size(), {"invalid fragment type 171"});
}

TEST_F(DBCorruptionTest, TruncatedMiddleSegment) {
  size_t r = MiddleBatchStart();
  const RecordLocation& l = locs_[r];
  Mutate(l.segment, [&](std::string& c) { c.resize(l.offset + 3); });  // inside the header
  ExpectRecovered(r, {At(l.segment, l.offset), "truncated fragment header"});
}

TEST_F(DBCorruptionTest, MissingSegment) {
  uint32_t gone = segments_[segments_.size() / 2];
  ASSERT_TRUE(fs_->RemoveFile(SegPath(gone)).ok());
  ExpectRecovered(FirstRecordOf(gone), {absl::StrCat("segment ", gone, " is missing")});
}

// A record whose framing is intact but that the head cannot decode (an
// unknown record type, with a CRC that matches) is damage too.
TEST_F(DBCorruptionTest, RecordTheHeadCannotDecode) {
  size_t r = MiddleBatchStart();
  const RecordLocation& l = locs_[r];
  Mutate(l.segment, [&](std::string& c) {
    ASSERT_EQ(c[l.offset], wal::internal::kFull) << "want a single-fragment record";
    size_t payload = l.offset + wal::internal::kFragmentHeaderSize;
    c[payload] = 0x7f;  // no such RecordType
    uint32_t crc = crc32c::Value(std::string_view(c).substr(payload, l.record.size()));
    for (int i = 0; i < 4; ++i) c[l.offset + 3 + i] = static_cast<char>(crc >> (24 - 8 * i));
  });
  ExpectRecovered(r, {At(l.segment, l.offset), "unknown WAL record type"});
}

}  // namespace
}  // namespace strata
