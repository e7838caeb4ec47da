// MemFileSystem: an in-memory FileSystem that remembers what was made durable,
// so tests can simulate a power loss and check what a recovery would find.
//
// Durability model (simple, and no kinder than a real POSIX file system):
//
//  * Files are inodes. Each has its current contents and its synced contents:
//    the contents as of the last WritableFile::Sync through any handle to it.
//    FileSystem::Truncate and opening with truncate=true change only the
//    current contents, like every other write.
//  * Each directory has its current entries (name -> file or directory) and
//    its durable entries: a snapshot taken by the last SyncDir(dir). Creating
//    a file or directory, Rename (on both the source's and the target's
//    directory) and removals change only the current entries until SyncDir.
//  * SimulatePowerLoss() reverts every directory, from the root down, to its
//    durable entries, and every file reachable from there to its synced
//    contents. Hence:
//      - a file whose entry was never made durable disappears, even if its
//        data was synced; a synced entry whose data never was is empty;
//      - an unsynced rename is undone: the old name is back and a file it
//        replaced is back under the target name;
//      - an unsynced removal is undone;
//      - a directory whose creation was not synced in its parent disappears
//        with everything in it.
//    A rename between two directories of which only one was synced leaves the
//    file under both names (as hard links) or under neither. If a directory
//    ends up reachable through two durable entries (only possible after
//    unsynced renames of directories) it is kept under the first one found.
//    Nothing is ever reordered or torn below the granularity of a Sync.
//
// Handles and locks: SimulatePowerLoss() models the process dying with the
// machine. Every WritableFile and RandomAccessFile opened before it fails all
// further calls with absl::FailedPreconditionError (Size() returns the
// reverted size), and every FileLock is released; destroying an old lock
// object afterwards is harmless. Handles and locks may outlive the
// MemFileSystem that made them.
//
// Files stay readable and writable through handles after being renamed or
// removed (they are the same inode), as on POSIX.
//
// LockFile locks a path (not an inode): it succeeds once per path until the
// returned FileLock is destroyed, and creates the file if it is missing.
//
// Paths are '/'-separated; empty and "." components are ignored and ".." is
// an ordinary name. There is no working directory: "a/b" and "/a/b" name the
// same file. The root always exists.
//
// Errors have the codes and messages the POSIX file system would give
// (IoError in fs.h), e.g. "open /db/wal/1: No such file or directory".
//
// Thread safety: everything here, handles included, is safe to call
// concurrently; one mutex guards the whole tree.
#ifndef STRATA_TSDB_BASE_MEM_FS_H_
#define STRATA_TSDB_BASE_MEM_FS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tsdb/base/fs.h"

namespace strata {

namespace mem_fs_internal {
struct State;
}  // namespace mem_fs_internal

class MemFileSystem final : public FileSystem {
 public:
  MemFileSystem();
  ~MemFileSystem() override;
  MemFileSystem(const MemFileSystem&) = delete;
  MemFileSystem& operator=(const MemFileSystem&) = delete;

  absl::StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path,
                                                                bool truncate) override;
  absl::StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) override;
  absl::Status CreateDir(const std::string& path) override;
  absl::Status RemoveFile(const std::string& path) override;
  absl::Status RemoveDir(const std::string& path) override;
  absl::Status Rename(const std::string& from, const std::string& to) override;
  absl::Status Truncate(const std::string& path, uint64_t size) override;
  absl::Status SyncDir(const std::string& dir) override;
  absl::StatusOr<std::vector<std::string>> ListDir(const std::string& dir) override;
  bool Exists(const std::string& path) override;
  bool IsDir(const std::string& path) override;
  absl::StatusOr<uint64_t> FileSize(const std::string& path) override;
  absl::StatusOr<std::unique_ptr<FileLock>> LockFile(const std::string& path) override;

  // Throws away everything not made durable, as described above, and
  // invalidates all open handles and locks.
  void SimulatePowerLoss();

  // Sum of the current sizes of all files reachable from the root, each file
  // counted once however many names it has.
  uint64_t TotalBytes();

 private:
  std::shared_ptr<mem_fs_internal::State> state_;
};

}  // namespace strata

#endif  // STRATA_TSDB_BASE_MEM_FS_H_
