// Contract tests run against every FileSystem, then tests of what only the
// in-memory (power loss) and fault-injecting file systems do.
#include "tsdb/base/fs.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"
#include "tsdb/base/fault_fs.h"
#include "tsdb/base/mem_fs.h"

namespace strata {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// Writes `data` to a new (or truncated) file and closes it.
void WriteFile(FileSystem* fs, const std::string& path, std::string_view data) {
  auto f = fs->NewWritableFile(path, /*truncate=*/true);
  ASSERT_TRUE(f.ok()) << f.status();
  ASSERT_TRUE((*f)->Append(data).ok());
  ASSERT_TRUE((*f)->Close().ok());
}

std::string ReadOrDie(FileSystem* fs, const std::string& path) {
  absl::StatusOr<std::string> s = fs->ReadFile(path);
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *s : "<error>";
}

class PosixEnv {
 public:
  PosixEnv() : fs_(NewPosixFileSystem()) {}
  FileSystem* fs() { return fs_.get(); }
  std::string root() const { return tmp_.path(); }

 private:
  strata::testing::TempDir tmp_;
  std::unique_ptr<FileSystem> fs_;
};

class MemEnv {
 public:
  MemEnv() { EXPECT_TRUE(fs_.CreateDir("/db").ok()); }
  FileSystem* fs() { return &fs_; }
  std::string root() const { return "/db"; }

 private:
  MemFileSystem fs_;
};

// The fault-injecting wrapper with no faults armed must be transparent.
class HealthyFaultEnv {
 public:
  HealthyFaultEnv() { EXPECT_TRUE(fs_.CreateDir("/db").ok()); }
  FileSystem* fs() { return &fs_; }
  std::string root() const { return "/db"; }

 private:
  MemFileSystem mem_;
  FaultInjectingFileSystem fs_{&mem_};
};

template <typename Env>
class FileSystemContractTest : public ::testing::Test {
 protected:
  FileSystem* fs() { return env_.fs(); }
  std::string Path(std::string_view name) { return JoinPath(env_.root(), name); }

  Env env_;
};

using Envs = ::testing::Types<PosixEnv, MemEnv, HealthyFaultEnv>;
TYPED_TEST_SUITE(FileSystemContractTest, Envs);

TYPED_TEST(FileSystemContractTest, WriteAppendAndRead) {
  const std::string p = this->Path("f");
  auto f = this->fs()->NewWritableFile(p, /*truncate=*/true);
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ((*f)->Size(), 0u);
  ASSERT_TRUE((*f)->Append("hello ").ok());
  ASSERT_TRUE((*f)->Append("").ok());
  ASSERT_TRUE((*f)->Append("world").ok());
  EXPECT_EQ((*f)->Size(), 11u);
  ASSERT_TRUE((*f)->Sync().ok());
  ASSERT_TRUE((*f)->Close().ok());
  EXPECT_EQ(ReadOrDie(this->fs(), p), "hello world");
  EXPECT_EQ(*this->fs()->FileSize(p), 11u);
  EXPECT_TRUE(this->fs()->Exists(p));
  EXPECT_FALSE(this->fs()->IsDir(p));
}

TYPED_TEST(FileSystemContractTest, ReopenWithoutTruncateAppends) {
  const std::string p = this->Path("f");
  WriteFile(this->fs(), p, "abc");
  auto f = this->fs()->NewWritableFile(p, /*truncate=*/false);
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ((*f)->Size(), 3u);
  ASSERT_TRUE((*f)->Append("def").ok());
  EXPECT_EQ((*f)->Size(), 6u);
  ASSERT_TRUE((*f)->Close().ok());
  EXPECT_EQ(ReadOrDie(this->fs(), p), "abcdef");
}

TYPED_TEST(FileSystemContractTest, ReopenWithTruncateEmpties) {
  const std::string p = this->Path("f");
  WriteFile(this->fs(), p, "abc");
  auto f = this->fs()->NewWritableFile(p, /*truncate=*/true);
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ((*f)->Size(), 0u);
  ASSERT_TRUE((*f)->Append("x").ok());
  ASSERT_TRUE((*f)->Close().ok());
  EXPECT_EQ(ReadOrDie(this->fs(), p), "x");
}

TYPED_TEST(FileSystemContractTest, WritableTruncateUndoesAppend) {
  const std::string p = this->Path("f");
  auto f = this->fs()->NewWritableFile(p, /*truncate=*/true);
  ASSERT_TRUE(f.ok()) << f.status();
  ASSERT_TRUE((*f)->Append("good").ok());
  ASSERT_TRUE((*f)->Append("partial").ok());
  ASSERT_TRUE((*f)->Truncate(4).ok());
  EXPECT_EQ((*f)->Size(), 4u);
  // The next append lands at the new end, not at the old offset.
  ASSERT_TRUE((*f)->Append("more").ok());
  EXPECT_EQ((*f)->Size(), 8u);
  ASSERT_TRUE((*f)->Close().ok());
  EXPECT_EQ(ReadOrDie(this->fs(), p), "goodmore");
}

TYPED_TEST(FileSystemContractTest, TruncateByPathShrinksAndExtendsWithZeros) {
  const std::string p = this->Path("f");
  WriteFile(this->fs(), p, "abcdef");
  ASSERT_TRUE(this->fs()->Truncate(p, 2).ok());
  EXPECT_EQ(ReadOrDie(this->fs(), p), "ab");
  ASSERT_TRUE(this->fs()->Truncate(p, 5).ok());
  EXPECT_EQ(ReadOrDie(this->fs(), p), std::string("ab\0\0\0", 5));
  EXPECT_TRUE(absl::IsNotFound(this->fs()->Truncate(this->Path("missing"), 0)));
}

TYPED_TEST(FileSystemContractTest, ReadAtBounds) {
  const std::string p = this->Path("f");
  WriteFile(this->fs(), p, "0123456789");
  auto r = this->fs()->NewRandomAccessFile(p);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ((*r)->Size(), 10u);
  char buf[16];
  auto n = (*r)->ReadAt(2, 3, buf);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(std::string_view(buf, *n), "234");
  n = (*r)->ReadAt(7, 16, buf);  // Short read at the end.
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(std::string_view(buf, *n), "789");
  n = (*r)->ReadAt(10, 4, buf);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0u);
  n = (*r)->ReadAt(1000, 4, buf);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0u);
}

TYPED_TEST(FileSystemContractTest, ReadFileLargerThanOneChunk) {
  const std::string p = this->Path("big");
  std::string data;
  for (int i = 0; i < 200000; ++i) data.push_back(static_cast<char>('a' + i % 26));
  WriteFile(this->fs(), p, data);
  EXPECT_EQ(ReadOrDie(this->fs(), p), data);
  WriteFile(this->fs(), this->Path("empty"), "");
  EXPECT_EQ(ReadOrDie(this->fs(), this->Path("empty")), "");
}

TYPED_TEST(FileSystemContractTest, ReaderSeesAppendsMadeAfterOpening) {
  const std::string p = this->Path("f");
  auto w = this->fs()->NewWritableFile(p, /*truncate=*/true);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Append("ab").ok());
  auto r = this->fs()->NewRandomAccessFile(p);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE((*w)->Append("cd").ok());
  char buf[8];
  auto n = (*r)->ReadAt(0, 8, buf);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(std::string_view(buf, *n), "abcd");
}

TYPED_TEST(FileSystemContractTest, MissingPathsAreNotFoundAndNamed) {
  FileSystem* fs = this->fs();
  const std::string p = this->Path("missing");
  const std::string in_missing_dir = this->Path("nodir/f");

  absl::Status s = fs->NewRandomAccessFile(p).status();
  EXPECT_TRUE(absl::IsNotFound(s)) << s;
  EXPECT_THAT(s.message(), HasSubstr(p));
  EXPECT_THAT(s.message(), HasSubstr("No such file or directory"));

  EXPECT_TRUE(absl::IsNotFound(fs->ReadFile(p).status()));
  EXPECT_TRUE(absl::IsNotFound(fs->FileSize(p).status()));
  EXPECT_TRUE(absl::IsNotFound(fs->RemoveFile(p)));
  EXPECT_TRUE(absl::IsNotFound(fs->RemoveDir(p)));
  EXPECT_TRUE(absl::IsNotFound(fs->ListDir(p).status()));
  EXPECT_TRUE(absl::IsNotFound(fs->SyncDir(p)));
  s = fs->Rename(p, this->Path("other"));
  EXPECT_TRUE(absl::IsNotFound(s)) << s;
  EXPECT_THAT(s.message(), HasSubstr(p));
  s = fs->NewWritableFile(in_missing_dir, true).status();
  EXPECT_TRUE(absl::IsNotFound(s)) << s;
  EXPECT_THAT(s.message(), HasSubstr(in_missing_dir));
  EXPECT_TRUE(absl::IsNotFound(fs->CreateDir(in_missing_dir)));
  EXPECT_TRUE(absl::IsNotFound(fs->LockFile(in_missing_dir).status()));
  EXPECT_FALSE(fs->Exists(p));
  EXPECT_FALSE(fs->IsDir(p));
  EXPECT_FALSE(fs->Exists(in_missing_dir));
}

TYPED_TEST(FileSystemContractTest, RenameReplacesTarget) {
  const std::string a = this->Path("a");
  const std::string b = this->Path("b");
  WriteFile(this->fs(), a, "new");
  WriteFile(this->fs(), b, "old");
  ASSERT_TRUE(this->fs()->Rename(a, b).ok());
  EXPECT_FALSE(this->fs()->Exists(a));
  EXPECT_EQ(ReadOrDie(this->fs(), b), "new");
  // Renaming a file onto itself changes nothing.
  ASSERT_TRUE(this->fs()->Rename(b, b).ok());
  EXPECT_EQ(ReadOrDie(this->fs(), b), "new");
}

TYPED_TEST(FileSystemContractTest, RenameMovesDirectories) {
  FileSystem* fs = this->fs();
  ASSERT_TRUE(fs->CreateDirs(this->Path("d1/sub")).ok());
  WriteFile(fs, this->Path("d1/sub/f"), "x");
  ASSERT_TRUE(fs->Rename(this->Path("d1"), this->Path("d2")).ok());
  EXPECT_FALSE(fs->Exists(this->Path("d1")));
  EXPECT_EQ(ReadOrDie(fs, this->Path("d2/sub/f")), "x");
  // Not into its own subtree, and not over a non-empty directory.
  EXPECT_FALSE(fs->Rename(this->Path("d2"), this->Path("d2/sub/d3")).ok());
  ASSERT_TRUE(fs->CreateDir(this->Path("d4")).ok());
  EXPECT_FALSE(fs->Rename(this->Path("d4"), this->Path("d2")).ok());
  EXPECT_TRUE(fs->IsDir(this->Path("d4")));
}

TYPED_TEST(FileSystemContractTest, ReaderKeepsFileReplacedByRename) {
  const std::string p = this->Path("f");
  WriteFile(this->fs(), p, "first");
  auto r = this->fs()->NewRandomAccessFile(p);
  ASSERT_TRUE(r.ok());
  WriteFile(this->fs(), this->Path("tmp"), "second");
  ASSERT_TRUE(this->fs()->Rename(this->Path("tmp"), p).ok());
  char buf[16];
  auto n = (*r)->ReadAt(0, sizeof(buf), buf);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(std::string_view(buf, *n), "first");
  EXPECT_EQ(ReadOrDie(this->fs(), p), "second");
}

TYPED_TEST(FileSystemContractTest, ListDirIsSortedNamesOnly) {
  FileSystem* fs = this->fs();
  ASSERT_TRUE(fs->CreateDir(this->Path("d")).ok());
  for (const char* name : {"c", "a", "B", "b10", "b2"})
    WriteFile(fs, this->Path(std::string("d/") + name), "");
  ASSERT_TRUE(fs->CreateDir(this->Path("d/sub")).ok());
  auto names = fs->ListDir(this->Path("d"));
  ASSERT_TRUE(names.ok()) << names.status();
  EXPECT_THAT(*names, ElementsAre("B", "a", "b10", "b2", "c", "sub"));
  ASSERT_TRUE(fs->CreateDir(this->Path("empty")).ok());
  EXPECT_THAT(*fs->ListDir(this->Path("empty")), IsEmpty());
  EXPECT_FALSE(fs->ListDir(this->Path("d/a")).ok());  // Not a directory.
}

TYPED_TEST(FileSystemContractTest, CreateDirAndCreateDirs) {
  FileSystem* fs = this->fs();
  const std::string d = this->Path("d");
  ASSERT_TRUE(fs->CreateDir(d).ok());
  ASSERT_TRUE(fs->CreateDir(d).ok());  // Already there: fine.
  EXPECT_TRUE(fs->IsDir(d));
  EXPECT_TRUE(fs->Exists(d));
  ASSERT_TRUE(fs->CreateDirs(this->Path("x/y/z")).ok());
  ASSERT_TRUE(fs->CreateDirs(this->Path("x/y/z")).ok());
  ASSERT_TRUE(fs->CreateDirs(this->Path("x//y/w/")).ok());
  EXPECT_TRUE(fs->IsDir(this->Path("x/y/z")));
  EXPECT_TRUE(fs->IsDir(this->Path("x/y/w")));
  EXPECT_FALSE(fs->FileSize(d).ok());  // A directory has no file size.
}

TYPED_TEST(FileSystemContractTest, CreateDirOverFileFails) {
  FileSystem* fs = this->fs();
  WriteFile(fs, this->Path("f"), "x");
  EXPECT_FALSE(fs->CreateDir(this->Path("f")).ok());
  EXPECT_FALSE(fs->CreateDirs(this->Path("f/sub")).ok());
  EXPECT_FALSE(fs->NewWritableFile(this->Path("f/sub"), true).ok());
  EXPECT_EQ(ReadOrDie(fs, this->Path("f")), "x");
}

TYPED_TEST(FileSystemContractTest, DirectoriesAreNotFiles) {
  FileSystem* fs = this->fs();
  const std::string d = this->Path("d");
  ASSERT_TRUE(fs->CreateDir(d).ok());
  EXPECT_FALSE(fs->NewRandomAccessFile(d).ok());
  EXPECT_FALSE(fs->NewWritableFile(d, false).ok());
  EXPECT_FALSE(fs->RemoveFile(d).ok());
  EXPECT_TRUE(fs->IsDir(d));
  WriteFile(fs, this->Path("f"), "");
  EXPECT_FALSE(fs->RemoveDir(this->Path("f")).ok());
  EXPECT_FALSE(fs->SyncDir(this->Path("f")).ok());
  EXPECT_TRUE(fs->Exists(this->Path("f")));
}

TYPED_TEST(FileSystemContractTest, RemoveFileAndDir) {
  FileSystem* fs = this->fs();
  const std::string d = this->Path("d");
  ASSERT_TRUE(fs->CreateDir(d).ok());
  WriteFile(fs, this->Path("d/f"), "x");
  absl::Status s = fs->RemoveDir(d);
  EXPECT_FALSE(s.ok());  // Not empty.
  EXPECT_THAT(s.message(), HasSubstr(d));
  EXPECT_TRUE(fs->Exists(this->Path("d/f")));
  ASSERT_TRUE(fs->RemoveFile(this->Path("d/f")).ok());
  EXPECT_FALSE(fs->Exists(this->Path("d/f")));
  ASSERT_TRUE(fs->RemoveDir(d).ok());
  EXPECT_FALSE(fs->Exists(d));
}

TYPED_TEST(FileSystemContractTest, RemoveAllIsRecursiveAndTolerant) {
  FileSystem* fs = this->fs();
  ASSERT_TRUE(fs->CreateDirs(this->Path("t/a/b")).ok());
  WriteFile(fs, this->Path("t/f1"), "1");
  WriteFile(fs, this->Path("t/a/f2"), "2");
  WriteFile(fs, this->Path("t/a/b/f3"), "3");
  WriteFile(fs, this->Path("keep"), "k");
  ASSERT_TRUE(fs->RemoveAll(this->Path("t")).ok());
  EXPECT_FALSE(fs->Exists(this->Path("t")));
  EXPECT_TRUE(fs->Exists(this->Path("keep")));
  EXPECT_TRUE(fs->RemoveAll(this->Path("t")).ok());     // Already gone: fine.
  ASSERT_TRUE(fs->RemoveAll(this->Path("keep")).ok());  // A plain file.
  EXPECT_FALSE(fs->Exists(this->Path("keep")));
}

TYPED_TEST(FileSystemContractTest, LockIsExclusiveUntilReleased) {
  FileSystem* fs = this->fs();
  const std::string p = this->Path("LOCK");
  auto l1 = fs->LockFile(p);
  ASSERT_TRUE(l1.ok()) << l1.status();
  EXPECT_TRUE(fs->Exists(p));  // Created on demand.
  auto l2 = fs->LockFile(p);
  EXPECT_TRUE(absl::IsFailedPrecondition(l2.status())) << l2.status();
  EXPECT_THAT(l2.status().message(), HasSubstr("lock held by another process"));
  // Another path is independent.
  auto other = fs->LockFile(this->Path("LOCK2"));
  EXPECT_TRUE(other.ok()) << other.status();
  l1->reset();
  auto l3 = fs->LockFile(p);
  EXPECT_TRUE(l3.ok()) << l3.status();
}

TYPED_TEST(FileSystemContractTest, ClosedFileRejectsCalls) {
  auto f = this->fs()->NewWritableFile(this->Path("f"), true);
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE((*f)->Close().ok());
  EXPECT_FALSE((*f)->Append("x").ok());
  EXPECT_FALSE((*f)->Sync().ok());
  EXPECT_FALSE((*f)->Close().ok());
  EXPECT_EQ(ReadOrDie(this->fs(), this->Path("f")), "");
}

TYPED_TEST(FileSystemContractTest, ConcurrentWritersToDifferentFiles) {
  constexpr int kThreads = 4;
  constexpr int kAppends = 200;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t] {
      auto f = this->fs()->NewWritableFile(this->Path("f" + std::to_string(t)), true);
      ASSERT_TRUE(f.ok());
      for (int i = 0; i < kAppends; ++i) ASSERT_TRUE((*f)->Append(std::to_string(t)).ok());
      ASSERT_TRUE((*f)->Sync().ok());
      ASSERT_TRUE((*f)->Close().ok());
    });
  }
  for (std::thread& t : threads) t.join();
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(ReadOrDie(this->fs(), this->Path("f" + std::to_string(t))),
              std::string(kAppends, static_cast<char>('0' + t)));
  }
}

TEST(JoinPathTest, Joins) {
  EXPECT_EQ(JoinPath("a", "b"), "a/b");
  EXPECT_EQ(JoinPath("a/", "b"), "a/b");
  EXPECT_EQ(JoinPath("a", "/b"), "a/b");
  EXPECT_EQ(JoinPath("a/", "/b"), "a/b");
  EXPECT_EQ(JoinPath("/", "b"), "/b");
  EXPECT_EQ(JoinPath("", "b"), "b");
  EXPECT_EQ(JoinPath("a", ""), "a");
  EXPECT_EQ(JoinPath("/x/y", "z/w"), "/x/y/z/w");
}

TEST(IoErrorTest, MapsErrnoToCode) {
  absl::Status s = IoError("write /p", ENOSPC);
  EXPECT_TRUE(absl::IsResourceExhausted(s));
  EXPECT_EQ(s.message(), "write /p: No space left on device");
  EXPECT_TRUE(absl::IsNotFound(IoError("open /p", ENOENT)));
  EXPECT_TRUE(absl::IsInternal(IoError("read /p", EIO)));
  EXPECT_TRUE(absl::IsInternal(IoError("open /p", EACCES)));
}

// ---- POSIX only ----

TEST(PosixFileSystemTest, DiskFullIsResourceExhausted) {
  if (!std::filesystem::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  auto fs = NewPosixFileSystem();
  auto f = fs->NewWritableFile("/dev/full", /*truncate=*/false);
  ASSERT_TRUE(f.ok()) << f.status();
  absl::Status s = (*f)->Append("data");
  EXPECT_TRUE(absl::IsResourceExhausted(s)) << s;
  EXPECT_THAT(s.message(), HasSubstr("/dev/full"));
  EXPECT_THAT(s.message(), HasSubstr("No space left on device"));
}

// Finds the descriptor this process has open on `path`, or -1.
int FindFd(const std::string& path) {
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
    std::error_code ec2;
    std::filesystem::path target = std::filesystem::read_symlink(e.path(), ec2);
    if (!ec2 && target == path) return std::stoi(e.path().filename().string());
  }
  return -1;
}

TEST(PosixFileSystemTest, DescriptorsAreCloseOnExec) {
  if (!std::filesystem::exists("/proc/self/fd")) GTEST_SKIP() << "no /proc";
  strata::testing::TempDir tmp;
  auto fs = NewPosixFileSystem();
  const std::string canonical = std::filesystem::canonical(tmp.path()).string();
  {
    auto w = fs->NewWritableFile(JoinPath(canonical, "w"), true);
    ASSERT_TRUE(w.ok());
    int fd = FindFd(JoinPath(canonical, "w"));
    ASSERT_GE(fd, 0);
    EXPECT_TRUE(fcntl(fd, F_GETFD) & FD_CLOEXEC);
  }
  {
    auto r = fs->NewRandomAccessFile(JoinPath(canonical, "w"));
    ASSERT_TRUE(r.ok());
    int fd = FindFd(JoinPath(canonical, "w"));
    ASSERT_GE(fd, 0);
    EXPECT_TRUE(fcntl(fd, F_GETFD) & FD_CLOEXEC);
  }
  {
    auto l = fs->LockFile(JoinPath(canonical, "LOCK"));
    ASSERT_TRUE(l.ok());
    int fd = FindFd(JoinPath(canonical, "LOCK"));
    ASSERT_GE(fd, 0);
    EXPECT_TRUE(fcntl(fd, F_GETFD) & FD_CLOEXEC);
  }
  // Everything is closed again when the objects die.
  EXPECT_EQ(FindFd(JoinPath(canonical, "w")), -1);
  EXPECT_EQ(FindFd(JoinPath(canonical, "LOCK")), -1);
}

TEST(PosixFileSystemTest, LockConflictsAcrossInstances) {
  strata::testing::TempDir tmp;
  auto fs1 = NewPosixFileSystem();
  auto fs2 = NewPosixFileSystem();
  auto l1 = fs1->LockFile(JoinPath(tmp.path(), "LOCK"));
  ASSERT_TRUE(l1.ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(fs2->LockFile(JoinPath(tmp.path(), "LOCK")).status()));
}

TEST(PosixFileSystemTest, RemoveAllDoesNotFollowSymlinks) {
  strata::testing::TempDir tmp;
  auto fs = NewPosixFileSystem();
  const std::string outside = JoinPath(tmp.path(), "outside");
  ASSERT_TRUE(fs->CreateDir(outside).ok());
  WriteFile(fs.get(), JoinPath(outside, "precious"), "x");
  const std::string victim = JoinPath(tmp.path(), "victim");
  ASSERT_TRUE(fs->CreateDir(victim).ok());
  ASSERT_EQ(symlink(outside.c_str(), JoinPath(victim, "link").c_str()), 0);
  ASSERT_TRUE(fs->RemoveAll(victim).ok());
  EXPECT_FALSE(fs->Exists(victim));
  EXPECT_TRUE(fs->Exists(JoinPath(outside, "precious")));
}

}  // namespace
}  // namespace strata
