// What only MemFileSystem does: power-loss simulation and its path rules.
// The FileSystem contract itself is tested in fs_test.cc.
#include "tsdb/base/mem_fs.h"

#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace strata {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class MemFileSystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs_.CreateDir("/db").ok());
    ASSERT_TRUE(fs_.SyncDir("/").ok());
  }

  // Creates `path` with `data`, Syncs it and closes it; the directory entry
  // is not synced.
  void WriteSynced(const std::string& path, std::string_view data) {
    auto f = fs_.NewWritableFile(path, /*truncate=*/true);
    ASSERT_TRUE(f.ok()) << f.status();
    ASSERT_TRUE((*f)->Append(data).ok());
    ASSERT_TRUE((*f)->Sync().ok());
    ASSERT_TRUE((*f)->Close().ok());
  }

  std::string Read(const std::string& path) {
    absl::StatusOr<std::string> s = fs_.ReadFile(path);
    return s.ok() ? *s : "<" + s.status().ToString() + ">";
  }

  MemFileSystem fs_;
};

TEST_F(MemFileSystemTest, UnsyncedAppendsAreLost) {
  auto f = fs_.NewWritableFile("/db/f", true);
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE(fs_.SyncDir("/db").ok());
  ASSERT_TRUE((*f)->Append("abc").ok());
  ASSERT_TRUE((*f)->Sync().ok());
  ASSERT_TRUE((*f)->Append("def").ok());
  EXPECT_EQ(Read("/db/f"), "abcdef");
  fs_.SimulatePowerLoss();
  EXPECT_EQ(Read("/db/f"), "abc");
}

TEST_F(MemFileSystemTest, SyncAfterTruncateKeepsOnlyTheNewContents) {
  auto f = fs_.NewWritableFile("/db/f", true);
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE(fs_.SyncDir("/db").ok());
  ASSERT_TRUE((*f)->Append("abcdef").ok());
  ASSERT_TRUE((*f)->Sync().ok());
  ASSERT_TRUE((*f)->Truncate(2).ok());
  ASSERT_TRUE((*f)->Append("XY").ok());
  ASSERT_TRUE((*f)->Sync().ok());
  ASSERT_TRUE((*f)->Append("tail").ok());
  fs_.SimulatePowerLoss();
  EXPECT_EQ(Read("/db/f"), "abXY");
}

TEST_F(MemFileSystemTest, TruncateIsNotDurableUntilSync) {
  WriteSynced("/db/f", "abcdef");
  ASSERT_TRUE(fs_.SyncDir("/db").ok());
  ASSERT_TRUE(fs_.Truncate("/db/f", 1).ok());
  fs_.SimulatePowerLoss();
  EXPECT_EQ(Read("/db/f"), "abcdef");

  auto f = fs_.NewWritableFile("/db/f", /*truncate=*/true);
  ASSERT_TRUE(f.ok());
  f->reset();
  fs_.SimulatePowerLoss();
  EXPECT_EQ(Read("/db/f"), "abcdef");  // Opening with truncate is a write too.
}

TEST_F(MemFileSystemTest, FileWithoutDurableEntryDisappears) {
  WriteSynced("/db/f", "data");  // Data synced, directory not.
  fs_.SimulatePowerLoss();
  EXPECT_FALSE(fs_.Exists("/db/f"));
  EXPECT_TRUE(fs_.Exists("/db"));
}

TEST_F(MemFileSystemTest, DurableEntryWithoutDataSyncIsEmpty) {
  auto f = fs_.NewWritableFile("/db/f", true);
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE((*f)->Append("never synced").ok());
  ASSERT_TRUE(fs_.SyncDir("/db").ok());
  fs_.SimulatePowerLoss();
  EXPECT_TRUE(fs_.Exists("/db/f"));
  EXPECT_EQ(Read("/db/f"), "");
}

TEST_F(MemFileSystemTest, UnsyncedRenameIsUndone) {
  WriteSynced("/db/target", "old");
  ASSERT_TRUE(fs_.SyncDir("/db").ok());
  WriteSynced("/db/target.tmp", "new");
  ASSERT_TRUE(fs_.Rename("/db/target.tmp", "/db/target").ok());
  EXPECT_EQ(Read("/db/target"), "new");
  fs_.SimulatePowerLoss();
  EXPECT_EQ(Read("/db/target"), "old");
  EXPECT_FALSE(fs_.Exists("/db/target.tmp"));  // Its creation was not synced either.
}

TEST_F(MemFileSystemTest, SyncedRenameSurvives) {
  WriteSynced("/db/target", "old");
  ASSERT_TRUE(fs_.SyncDir("/db").ok());
  WriteSynced("/db/target.tmp", "new");
  ASSERT_TRUE(fs_.Rename("/db/target.tmp", "/db/target").ok());
  ASSERT_TRUE(fs_.SyncDir("/db").ok());
  fs_.SimulatePowerLoss();
  EXPECT_EQ(Read("/db/target"), "new");
  EXPECT_THAT(*fs_.ListDir("/db"), ElementsAre("target"));
}

TEST_F(MemFileSystemTest, RenameOfSyncedFileRevertsToOldName) {
  WriteSynced("/db/a", "x");
  ASSERT_TRUE(fs_.SyncDir("/db").ok());
  ASSERT_TRUE(fs_.Rename("/db/a", "/db/b").ok());
  fs_.SimulatePowerLoss();
  EXPECT_THAT(*fs_.ListDir("/db"), ElementsAre("a"));
  EXPECT_EQ(Read("/db/a"), "x");
}

TEST_F(MemFileSystemTest, UnsyncedRemoveIsUndone) {
  WriteSynced("/db/f", "keep me");
  ASSERT_TRUE(fs_.SyncDir("/db").ok());
  ASSERT_TRUE(fs_.RemoveFile("/db/f").ok());
  EXPECT_FALSE(fs_.Exists("/db/f"));
  fs_.SimulatePowerLoss();
  EXPECT_EQ(Read("/db/f"), "keep me");

  ASSERT_TRUE(fs_.RemoveFile("/db/f").ok());
  ASSERT_TRUE(fs_.SyncDir("/db").ok());
  fs_.SimulatePowerLoss();
  EXPECT_FALSE(fs_.Exists("/db/f"));
}

TEST_F(MemFileSystemTest, NewDirectoryNeedsParentSync) {
  ASSERT_TRUE(fs_.CreateDirs("/db/a/b").ok());
  WriteSynced("/db/a/b/f", "x");
  ASSERT_TRUE(fs_.SyncDir("/db/a/b").ok());
  ASSERT_TRUE(fs_.SyncDir("/db/a").ok());
  // "/db" was not synced: "a" and everything below it is gone.
  fs_.SimulatePowerLoss();
  EXPECT_FALSE(fs_.Exists("/db/a"));

  ASSERT_TRUE(fs_.CreateDirs("/db/a/b").ok());
  WriteSynced("/db/a/b/f", "x");
  ASSERT_TRUE(fs_.SyncDir("/db/a/b").ok());
  ASSERT_TRUE(fs_.SyncDir("/db/a").ok());
  ASSERT_TRUE(fs_.SyncDir("/db").ok());
  fs_.SimulatePowerLoss();
  EXPECT_EQ(Read("/db/a/b/f"), "x");
}

TEST_F(MemFileSystemTest, SyncedDirectoryKeepsOnlyDurableEntries) {
  ASSERT_TRUE(fs_.CreateDir("/db/d").ok());
  ASSERT_TRUE(fs_.SyncDir("/db").ok());
  WriteSynced("/db/d/durable", "1");
  ASSERT_TRUE(fs_.SyncDir("/db/d").ok());
  WriteSynced("/db/d/late", "2");
  fs_.SimulatePowerLoss();
  EXPECT_THAT(*fs_.ListDir("/db/d"), ElementsAre("durable"));
}

TEST_F(MemFileSystemTest, RemovedDirectoryComesBackWithItsEntries) {
  ASSERT_TRUE(fs_.CreateDir("/db/d").ok());
  WriteSynced("/db/d/f", "x");
  ASSERT_TRUE(fs_.SyncDir("/db/d").ok());
  ASSERT_TRUE(fs_.SyncDir("/db").ok());
  ASSERT_TRUE(fs_.RemoveAll("/db/d").ok());
  ASSERT_TRUE(fs_.SyncDir("/db").ok());  // Removal of "d" is durable...
  fs_.SimulatePowerLoss();
  EXPECT_FALSE(fs_.Exists("/db/d"));

  ASSERT_TRUE(fs_.CreateDir("/db/e").ok());
  WriteSynced("/db/e/f", "y");
  ASSERT_TRUE(fs_.SyncDir("/db/e").ok());
  ASSERT_TRUE(fs_.SyncDir("/db").ok());
  ASSERT_TRUE(fs_.RemoveAll("/db/e").ok());  // ...this one is not.
  fs_.SimulatePowerLoss();
  EXPECT_EQ(Read("/db/e/f"), "y");
}

TEST_F(MemFileSystemTest, CrossDirectoryRenameHalfSyncedLeavesTwoNames) {
  ASSERT_TRUE(fs_.CreateDir("/db/src").ok());
  ASSERT_TRUE(fs_.CreateDir("/db/dst").ok());
  ASSERT_TRUE(fs_.SyncDir("/db").ok());
  WriteSynced("/db/src/f", "x");
  ASSERT_TRUE(fs_.SyncDir("/db/src").ok());
  ASSERT_TRUE(fs_.Rename("/db/src/f", "/db/dst/f").ok());
  ASSERT_TRUE(fs_.SyncDir("/db/dst").ok());
  fs_.SimulatePowerLoss();
  EXPECT_EQ(Read("/db/src/f"), "x");
  EXPECT_EQ(Read("/db/dst/f"), "x");
}

TEST_F(MemFileSystemTest, HandlesFromBeforePowerLossFail) {
  auto w = fs_.NewWritableFile("/db/f", true);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Append("abc").ok());
  ASSERT_TRUE((*w)->Sync().ok());
  ASSERT_TRUE(fs_.SyncDir("/db").ok());
  auto r = fs_.NewRandomAccessFile("/db/f");
  ASSERT_TRUE(r.ok());
  fs_.SimulatePowerLoss();
  absl::Status s = (*w)->Append("x");
  EXPECT_TRUE(absl::IsFailedPrecondition(s)) << s;
  EXPECT_THAT(s.message(), HasSubstr("/db/f"));
  EXPECT_TRUE(absl::IsFailedPrecondition((*w)->Sync()));
  char buf[4];
  EXPECT_TRUE(absl::IsFailedPrecondition((*r)->ReadAt(0, 3, buf).status()));
  EXPECT_EQ(Read("/db/f"), "abc");  // The failed append changed nothing.

  // New handles work.
  auto w2 = fs_.NewWritableFile("/db/f", false);
  ASSERT_TRUE(w2.ok());
  EXPECT_TRUE((*w2)->Append("d").ok());
  EXPECT_EQ(Read("/db/f"), "abcd");
}

TEST_F(MemFileSystemTest, PowerLossReleasesLocks) {
  auto l1 = fs_.LockFile("/db/LOCK");
  ASSERT_TRUE(l1.ok());
  EXPECT_FALSE(fs_.LockFile("/db/LOCK").ok());
  ASSERT_TRUE(fs_.SyncDir("/db").ok());
  fs_.SimulatePowerLoss();
  auto l2 = fs_.LockFile("/db/LOCK");
  ASSERT_TRUE(l2.ok()) << l2.status();
  l1->reset();  // Destroying the stale lock must not release the new one.
  EXPECT_TRUE(absl::IsFailedPrecondition(fs_.LockFile("/db/LOCK").status()));
}

TEST_F(MemFileSystemTest, HandlesMayOutliveTheFileSystem) {
  std::unique_ptr<WritableFile> w;
  std::unique_ptr<FileLock> lock;
  {
    MemFileSystem fs;
    w = *fs.NewWritableFile("/f", true);
    lock = *fs.LockFile("/LOCK");
  }
  EXPECT_TRUE(w->Append("x").ok());
  EXPECT_EQ(w->Size(), 1u);
  lock.reset();
}

TEST_F(MemFileSystemTest, PathsAreNormalized) {
  WriteSynced("/db/f", "x");
  EXPECT_EQ(Read("db/f"), "x");
  EXPECT_EQ(Read("//db/./f"), "x");
  EXPECT_TRUE(fs_.IsDir("/db/"));
  EXPECT_TRUE(fs_.IsDir("/"));
  EXPECT_FALSE(fs_.RemoveDir("/").ok());
  auto l = fs_.LockFile("/db/LOCK");
  ASSERT_TRUE(l.ok());
  EXPECT_FALSE(fs_.LockFile("db//LOCK").ok());  // Same path, spelled differently.
}

TEST_F(MemFileSystemTest, TotalBytesCountsCurrentContents) {
  EXPECT_EQ(fs_.TotalBytes(), 0u);
  WriteSynced("/db/a", "12345");
  ASSERT_TRUE(fs_.CreateDir("/db/sub").ok());
  WriteSynced("/db/sub/b", "123");
  EXPECT_EQ(fs_.TotalBytes(), 8u);
  ASSERT_TRUE(fs_.Truncate("/db/a", 1).ok());
  EXPECT_EQ(fs_.TotalBytes(), 4u);
  ASSERT_TRUE(fs_.RemoveFile("/db/sub/b").ok());
  EXPECT_EQ(fs_.TotalBytes(), 1u);
}

}  // namespace
}  // namespace strata
