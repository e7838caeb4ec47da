// Helpers shared by the WAL tests.
#ifndef STRATA_TESTS_WAL_WAL_TEST_UTIL_H_
#define STRATA_TESTS_WAL_WAL_TEST_UTIL_H_

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"
#include "tsdb/base/fs.h"
#include "tsdb/base/mem_fs.h"
#include "wal/segment.h"
#include "wal/wal.h"

namespace strata::wal::testing {

// A replay callback that appends every record to *out.
inline Wal::ReplayFn Collect(std::vector<std::string>* out) {
  return [out](std::string_view r) {
    out->emplace_back(r);
    return absl::OkStatus();
  };
}

// A replay callback that ignores the records.
inline Wal::ReplayFn Discard() {
  return [](std::string_view) { return absl::OkStatus(); };
}

// Record i: "r<i>:" followed by filler up to `size` bytes, so every record is
// distinct and its content tells where it came from.
inline std::string MakeRecord(int i, size_t size) {
  std::string r = absl::StrCat("r", i, ":");
  while (r.size() < size) r.push_back(static_cast<char>('a' + (i + r.size()) % 26));
  r.resize(std::max(size, r.size()));
  return r;
}

// Compares record lists, printing sizes and the first difference briefly
// (records can be tens of KiB).
inline ::testing::AssertionResult SameRecords(const std::vector<std::string>& got,
                                              const std::vector<std::string>& want) {
  auto brief = [](const std::string& r) {
    return r.substr(0, 16) + "…(" + std::to_string(r.size()) + " bytes)";
  };
  for (size_t i = 0; i < std::min(got.size(), want.size()); ++i) {
    if (got[i] != want[i]) {
      return ::testing::AssertionFailure()
             << "record " << i << ": got " << brief(got[i]) << ", want " << brief(want[i]) << " ("
             << got.size() << " vs " << want.size() << " records)";
    }
  }
  if (got.size() != want.size()) {
    return ::testing::AssertionFailure()
           << "got " << got.size() << " records, want " << want.size();
  }
  return ::testing::AssertionSuccess();
}

// Which FileSystem a test runs on.
enum class FsKind { kPosix, kMem };

inline std::string FsKindName(FsKind k) { return k == FsKind::kPosix ? "Posix" : "Mem"; }

// A FileSystem plus a WAL directory on it that lives as long as the object.
struct FsEnv {
  explicit FsEnv(FsKind kind) {
    if (kind == FsKind::kPosix) {
      tmp = std::make_unique<strata::testing::TempDir>();
      fs = NewPosixFileSystem();
      dir = JoinPath(tmp->path(), "wal");
    } else {
      auto m = std::make_unique<MemFileSystem>();
      mem = m.get();
      fs = std::move(m);
      dir = "/data/wal";
    }
  }
  std::unique_ptr<strata::testing::TempDir> tmp;
  std::unique_ptr<FileSystem> fs;
  MemFileSystem* mem = nullptr;
  std::string dir;
};

// Where a record lies on disk.
struct RecordLocation {
  uint32_t segment = 0;
  uint64_t offset = 0;  // of its first fragment
  std::string record;
};

// Reads every segment of `dir` with the segment reader, in index order.
inline std::vector<RecordLocation> LocateRecords(FileSystem* fs, const std::string& dir) {
  std::vector<RecordLocation> out;
  auto names = fs->ListDir(dir);
  if (!names.ok()) return out;
  std::string buffer;
  for (const std::string& name : *names) {
    uint32_t index;
    if (!internal::ParseSegmentName(name, &index)) continue;
    internal::SegmentReader reader(fs, JoinPath(dir, name), &buffer);
    if (!reader.Open().ok()) continue;
    std::string_view rec;
    while (reader.Next(&rec)) out.push_back({index, reader.record_offset(), std::string(rec)});
  }
  return out;
}

inline std::vector<uint32_t> ListSegments(FileSystem* fs, const std::string& dir) {
  std::vector<uint32_t> out;
  auto names = fs->ListDir(dir);
  if (!names.ok()) return out;
  for (const std::string& name : *names) {
    uint32_t index;
    if (internal::ParseSegmentName(name, &index)) out.push_back(index);
  }
  return out;
}

// Replaces the contents of `path` (durably).
inline absl::Status OverwriteFile(FileSystem* fs, const std::string& path,
                                  std::string_view contents) {
  auto f = fs->NewWritableFile(path, true);
  if (!f.ok()) return f.status();
  if (absl::Status s = (*f)->Append(contents); !s.ok()) return s;
  if (absl::Status s = (*f)->Sync(); !s.ok()) return s;
  return (*f)->Close();
}

// Forwards everything to `base`, calling hooks around WritableFile::Sync and
// WritableFile::Truncate: for slow disks (group commit) and for failures
// FaultInjectingFileSystem cannot inject. Set the hooks before files are
// opened; they are called concurrently from the WAL's threads.
class HookedFileSystem final : public FileSystem {
 public:
  explicit HookedFileSystem(FileSystem* base) : base_(base) {}

  // Called before each WritableFile::Sync; a non-ok status fails the Sync.
  std::function<absl::Status()> on_sync;
  // Called instead of WritableFile::Truncate when set and returning non-ok.
  std::function<absl::Status()> on_truncate;

  absl::StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path,
                                                                bool truncate) override {
    auto f = base_->NewWritableFile(path, truncate);
    if (!f.ok()) return f.status();
    return std::unique_ptr<WritableFile>(new File(this, *std::move(f)));
  }
  absl::StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) override {
    return base_->NewRandomAccessFile(path);
  }
  absl::Status CreateDir(const std::string& path) override { return base_->CreateDir(path); }
  absl::Status CreateDirs(const std::string& path) override { return base_->CreateDirs(path); }
  absl::Status RemoveFile(const std::string& path) override { return base_->RemoveFile(path); }
  absl::Status RemoveDir(const std::string& path) override { return base_->RemoveDir(path); }
  absl::Status RemoveAll(const std::string& path) override { return base_->RemoveAll(path); }
  absl::Status Rename(const std::string& from, const std::string& to) override {
    return base_->Rename(from, to);
  }
  absl::Status Truncate(const std::string& path, uint64_t size) override {
    return base_->Truncate(path, size);
  }
  absl::Status SyncDir(const std::string& dir) override { return base_->SyncDir(dir); }
  absl::StatusOr<std::vector<std::string>> ListDir(const std::string& dir) override {
    return base_->ListDir(dir);
  }
  bool Exists(const std::string& path) override { return base_->Exists(path); }
  bool IsDir(const std::string& path) override { return base_->IsDir(path); }
  absl::StatusOr<uint64_t> FileSize(const std::string& path) override {
    return base_->FileSize(path);
  }
  absl::StatusOr<std::unique_ptr<FileLock>> LockFile(const std::string& path) override {
    return base_->LockFile(path);
  }

 private:
  class File final : public WritableFile {
   public:
    File(HookedFileSystem* fs, std::unique_ptr<WritableFile> base)
        : fs_(fs), base_(std::move(base)) {}
    absl::Status Append(std::string_view data) override { return base_->Append(data); }
    absl::Status Sync() override {
      if (fs_->on_sync) {
        if (absl::Status s = fs_->on_sync(); !s.ok()) return s;
      }
      return base_->Sync();
    }
    absl::Status Truncate(uint64_t size) override {
      if (fs_->on_truncate) {
        if (absl::Status s = fs_->on_truncate(); !s.ok()) return s;
      }
      return base_->Truncate(size);
    }
    absl::Status Close() override { return base_->Close(); }
    uint64_t Size() const override { return base_->Size(); }

   private:
    HookedFileSystem* fs_;
    std::unique_ptr<WritableFile> base_;
  };

  FileSystem* base_;
};

}  // namespace strata::wal::testing

#endif  // STRATA_TESTS_WAL_WAL_TEST_UTIL_H_
