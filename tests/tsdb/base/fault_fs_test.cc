#include "tsdb/base/fault_fs.h"

#include <cerrno>
#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tsdb/base/mem_fs.h"

namespace strata {
namespace {

using ::testing::HasSubstr;

class FaultInjectingFileSystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs_.CreateDir("/db").ok());
    ASSERT_TRUE(fs_.SyncDir("/").ok());
    auto f = fs_.NewWritableFile("/db/f", /*truncate=*/true);
    ASSERT_TRUE(f.ok()) << f.status();
    file_ = *std::move(f);
  }

  std::string BaseContents() {
    absl::StatusOr<std::string> s = mem_.ReadFile("/db/f");
    return s.ok() ? *s : "<" + s.status().ToString() + ">";
  }

  MemFileSystem mem_;
  FaultInjectingFileSystem fs_{&mem_};
  std::unique_ptr<WritableFile> file_;
};

TEST_F(FaultInjectingFileSystemTest, NthWriteFailsWithDiskFull) {
  fs_.FailNthWrite(2, ENOSPC);
  EXPECT_TRUE(file_->Append("one").ok());
  absl::Status s = file_->Append("two");
  EXPECT_TRUE(absl::IsResourceExhausted(s)) << s;
  EXPECT_EQ(s.message(), "injected fault: write /db/f: No space left on device");
  // One-shot: the write after it works again.
  EXPECT_TRUE(file_->Append("three").ok());
  EXPECT_EQ(BaseContents(), "onethree");
  EXPECT_EQ(fs_.writes(), 3);
}

TEST_F(FaultInjectingFileSystemTest, NthWriteCountsAcrossFiles) {
  auto g = fs_.NewWritableFile("/db/g", true);
  ASSERT_TRUE(g.ok());
  fs_.FailNthWrite(3, EIO);
  EXPECT_TRUE(file_->Append("a").ok());
  EXPECT_TRUE((*g)->Append("b").ok());
  absl::Status s = (*g)->Append("c");
  EXPECT_TRUE(absl::IsInternal(s)) << s;
  EXPECT_THAT(s.message(), HasSubstr("/db/g"));
  EXPECT_THAT(s.message(), HasSubstr("Input/output error"));
  EXPECT_EQ(*mem_.ReadFile("/db/g"), "b");
}

TEST_F(FaultInjectingFileSystemTest, FailedWriteWritesNothingByDefault) {
  ASSERT_TRUE(file_->Append("keep").ok());
  fs_.FailNthWrite(1, ENOSPC);
  EXPECT_FALSE(file_->Append("lost").ok());
  EXPECT_EQ(file_->Size(), 4u);
  EXPECT_EQ(BaseContents(), "keep");
}

TEST_F(FaultInjectingFileSystemTest, ShortWriteLeavesHalfTheData) {
  ASSERT_TRUE(file_->Append("keep").ok());
  fs_.set_short_write(true);
  fs_.FailNthWrite(1, ENOSPC);
  EXPECT_TRUE(absl::IsResourceExhausted(file_->Append("12345678")));
  EXPECT_EQ(BaseContents(), "keep1234");
  EXPECT_EQ(file_->Size(), 8u);
  // The caller's recovery: truncate back to the last good length.
  ASSERT_TRUE(file_->Truncate(4).ok());
  ASSERT_TRUE(file_->Append("next").ok());
  EXPECT_EQ(BaseContents(), "keepnext");
}

TEST_F(FaultInjectingFileSystemTest, FailAllWritesUntilHealed) {
  fs_.FailAllWrites(ENOSPC);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(absl::IsResourceExhausted(file_->Append("x")));
  auto g = fs_.NewWritableFile("/db/g", true);  // Opening still works.
  ASSERT_TRUE(g.ok());
  EXPECT_FALSE((*g)->Append("y").ok());
  fs_.Heal();
  EXPECT_TRUE(file_->Append("ok").ok());
  EXPECT_TRUE((*g)->Append("y").ok());
  EXPECT_EQ(BaseContents(), "ok");
  EXPECT_EQ(fs_.writes(), 6);
}

TEST_F(FaultInjectingFileSystemTest, HealCancelsPendingNthWrite) {
  fs_.FailNthWrite(2, ENOSPC);
  fs_.Heal();
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(file_->Append("x").ok());
}

TEST_F(FaultInjectingFileSystemTest, FailedSyncDoesNotSync) {
  ASSERT_TRUE(fs_.SyncDir("/db").ok());
  ASSERT_TRUE(file_->Append("durable").ok());
  ASSERT_TRUE(file_->Sync().ok());
  ASSERT_TRUE(file_->Append("+lost").ok());
  fs_.FailSyncs(EIO);
  absl::Status s = file_->Sync();
  EXPECT_TRUE(absl::IsInternal(s)) << s;
  EXPECT_THAT(s.message(), HasSubstr("injected fault"));
  EXPECT_THAT(s.message(), HasSubstr("/db/f"));
  EXPECT_FALSE(file_->Sync().ok());  // Every sync, not just one.
  EXPECT_EQ(fs_.syncs(), 3);
  mem_.SimulatePowerLoss();
  EXPECT_EQ(BaseContents(), "durable");
}

TEST_F(FaultInjectingFileSystemTest, SyncWorksAfterHeal) {
  ASSERT_TRUE(fs_.SyncDir("/db").ok());
  fs_.FailSyncs(EIO);
  ASSERT_TRUE(file_->Append("data").ok());
  EXPECT_FALSE(file_->Sync().ok());
  fs_.Heal();
  EXPECT_TRUE(file_->Sync().ok());
  mem_.SimulatePowerLoss();
  EXPECT_EQ(BaseContents(), "data");
}

TEST_F(FaultInjectingFileSystemTest, FailedSyncDirKeepsEntriesVolatile) {
  ASSERT_TRUE(file_->Append("x").ok());
  ASSERT_TRUE(file_->Sync().ok());
  fs_.FailSyncDirs(EIO);
  absl::Status s = fs_.SyncDir("/db");
  EXPECT_TRUE(absl::IsInternal(s)) << s;
  EXPECT_EQ(s.message(), "injected fault: fsync /db: Input/output error");
  mem_.SimulatePowerLoss();
  EXPECT_TRUE(mem_.IsDir("/db"));
  EXPECT_FALSE(mem_.Exists("/db/f"));  // Its entry never became durable.

  fs_.Heal();
  auto f = fs_.NewWritableFile("/db/f", true);
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE(fs_.SyncDir("/db").ok());
  mem_.SimulatePowerLoss();
  EXPECT_TRUE(mem_.Exists("/db/f"));
}

TEST_F(FaultInjectingFileSystemTest, EverythingElseForwards) {
  ASSERT_TRUE(file_->Append("abc").ok());
  ASSERT_TRUE(fs_.Rename("/db/f", "/db/g").ok());
  EXPECT_FALSE(mem_.Exists("/db/f"));
  EXPECT_EQ(*fs_.ReadFile("/db/g"), "abc");
  EXPECT_EQ(*fs_.FileSize("/db/g"), 3u);
  ASSERT_TRUE(fs_.CreateDirs("/db/x/y").ok());
  EXPECT_TRUE(mem_.IsDir("/db/x/y"));
  EXPECT_EQ(fs_.ListDir("/db")->size(), 2u);
  ASSERT_TRUE(fs_.Truncate("/db/g", 1).ok());
  EXPECT_EQ(*mem_.ReadFile("/db/g"), "a");
  auto lock = fs_.LockFile("/db/LOCK");
  ASSERT_TRUE(lock.ok());
  EXPECT_FALSE(mem_.LockFile("/db/LOCK").ok());  // The base holds it.
  ASSERT_TRUE(fs_.RemoveAll("/db/x").ok());
  EXPECT_FALSE(mem_.Exists("/db/x"));
  EXPECT_TRUE(absl::IsNotFound(fs_.NewRandomAccessFile("/db/missing").status()));
}

}  // namespace
}  // namespace strata

namespace strata {
namespace {

TEST(FaultFsMutationTest, FailsExactlyTheNthMutatingCallOfAnyKind) {
  MemFileSystem mem;
  FaultInjectingFileSystem fs(&mem);
  ASSERT_TRUE(fs.CreateDir("/d").ok());
  const int64_t before = fs.mutations();
  fs.FailNthMutation(3, EIO);
  ASSERT_TRUE(fs.CreateDir("/d/a").ok());                    // 1
  auto f = fs.NewWritableFile("/d/a/f", /*truncate=*/true);  // 2
  ASSERT_TRUE(f.ok());
  absl::Status st = fs.Rename("/d/a/f", "/d/a/g");  // 3: fails, nothing renamed
  EXPECT_EQ(st.code(), absl::StatusCode::kInternal);
  EXPECT_NE(std::string(st.message()).find("injected fault: rename /d/a/f"), std::string::npos);
  EXPECT_TRUE(mem.Exists("/d/a/f"));
  EXPECT_FALSE(mem.Exists("/d/a/g"));
  // One-shot: the next calls pass.
  EXPECT_TRUE(fs.Rename("/d/a/f", "/d/a/g").ok());
  EXPECT_TRUE((*f)->Append("x").ok());
  EXPECT_EQ(fs.mutations() - before, 5);
  // Reads are not mutations.
  EXPECT_TRUE(fs.ListDir("/d/a").ok());
  EXPECT_EQ(fs.mutations() - before, 5);
}

}  // namespace
}  // namespace strata
