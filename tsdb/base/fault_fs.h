// FaultInjectingFileSystem: wraps another FileSystem and makes chosen writes
// and syncs fail, to test disk-full and I/O-error handling.
//
//   MemFileSystem mem;
//   FaultInjectingFileSystem fs(&mem);
//   fs.FailNthWrite(2, ENOSPC);  // The second Append from now fails.
//
// WritableFile::Append, WritableFile::Sync and FileSystem::SyncDir can be
// made to fail by kind; with FailNthMutation, any call that changes the file
// system (those three, NewWritableFile, CreateDir(s), Remove*, Rename,
// Truncate) can, which crash-safety tests use to fail each step in turn; every other call, and
// every call while no fault is armed, is forwarded to the base unchanged. An injected failure
// returns the Status the real file system would (IoError in fs.h: ENOSPC -> ResourceExhausted, EIO
// -> Internal, ...) with a message such as "injected fault: write /db/wal/1: No space left on
// device".
//
// A failing Append writes nothing, or, with set_short_write(true), first
// appends the first half of its data (size / 2 bytes) to the base file: the
// short write a full disk produces. A failing Sync does not sync the base file.
//
// Ownership and lifetime: `base` is not owned and must outlive this object
// and every file opened through it. Files opened through this object may
// outlive it (they share the fault settings).
//
// Thread safety: the controls and counters may be used from any thread while
// files are being written.
#ifndef STRATA_TSDB_BASE_FAULT_FS_H_
#define STRATA_TSDB_BASE_FAULT_FS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tsdb/base/fs.h"

namespace strata {

namespace fault_fs_internal {
struct Faults;
}  // namespace fault_fs_internal

class FaultInjectingFileSystem final : public FileSystem {
 public:
  explicit FaultInjectingFileSystem(FileSystem* base);
  ~FaultInjectingFileSystem() override;
  FaultInjectingFileSystem(const FaultInjectingFileSystem&) = delete;
  FaultInjectingFileSystem& operator=(const FaultInjectingFileSystem&) = delete;

  // The n-th Append from now, on any file opened through this object, fails
  // with errno `err` (n = 1: the next one). One-shot: later Appends succeed
  // again. n must be >= 1; a new call replaces a pending one.
  void FailNthWrite(int n, int err);
  // The n-th mutating call from now (see above) fails with errno `err`
  // without reaching the base file system. One-shot; n >= 1.
  void FailNthMutation(int n, int err);
  // Every Append fails with `err` until Heal().
  void FailAllWrites(int err);
  // Every WritableFile::Sync fails with `err` until Heal().
  void FailSyncs(int err);
  // Every SyncDir fails with `err` until Heal().
  void FailSyncDirs(int err);
  // Whether a failing Append first writes half of its data. Not reset by
  // Heal(): it says how write faults look, not whether there are any.
  void set_short_write(bool short_write);
  // Disarms all faults: from now on every call is forwarded.
  void Heal();

  // Calls made so far through files opened here, failed ones included.
  int64_t writes() const;     // WritableFile::Append
  int64_t syncs() const;      // WritableFile::Sync
  int64_t mutations() const;  // every mutating call (see FailNthMutation)

  absl::StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path,
                                                                bool truncate) override;
  absl::StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) override;
  absl::StatusOr<std::string> ReadFile(const std::string& path) override;
  absl::Status CreateDir(const std::string& path) override;
  absl::Status CreateDirs(const std::string& path) override;
  absl::Status RemoveFile(const std::string& path) override;
  absl::Status RemoveDir(const std::string& path) override;
  absl::Status RemoveAll(const std::string& path) override;
  absl::Status Rename(const std::string& from, const std::string& to) override;
  absl::Status Truncate(const std::string& path, uint64_t size) override;
  absl::Status SyncDir(const std::string& dir) override;
  absl::StatusOr<std::vector<std::string>> ListDir(const std::string& dir) override;
  bool Exists(const std::string& path) override;
  bool IsDir(const std::string& path) override;
  absl::StatusOr<uint64_t> FileSize(const std::string& path) override;
  absl::StatusOr<std::unique_ptr<FileLock>> LockFile(const std::string& path) override;

 private:
  FileSystem* const base_;
  const std::shared_ptr<fault_fs_internal::Faults> faults_;
};

}  // namespace strata

#endif  // STRATA_TSDB_BASE_FAULT_FS_H_
