// Filesystem interface. Every file Strata reads or writes goes through a
// FileSystem so that crash, power-loss and disk-full behaviour can be tested:
//
//   NewPosixFileSystem()          the real thing (POSIX calls, O_CLOEXEC).
//   MemFileSystem                 in memory; remembers what was fsynced and can
//                                 simulate a power loss (tsdb/base/mem_fs.h).
//   FaultInjectingFileSystem      wraps another FileSystem and fails chosen
//                                 operations (tsdb/base/fault_fs.h).
//
// Paths are plain strings joined with '/'. Errors are absl::Status with the
// path and the errno text in the message; ENOSPC maps to
// absl::ResourceExhaustedError, other I/O errors to absl::InternalError,
// a missing file to absl::NotFoundError.
//
// Thread safety: a FileSystem is safe for concurrent use. A file object is
// used by one thread at a time.
#ifndef STRATA_TSDB_BASE_FS_H_
#define STRATA_TSDB_BASE_FS_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace strata {

// A file opened for appending. Data written by Append is durable only after
// Sync returns ok.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  // Appends all of `data` or returns an error. After an error the file's
  // length is unspecified (a short write may have happened): callers that
  // need atomicity truncate back to a known length (see Truncate).
  virtual absl::Status Append(std::string_view data) = 0;
  // Makes everything appended so far durable (fdatasync).
  virtual absl::Status Sync() = 0;
  // Shrinks the file to `size` bytes (used to undo a failed partial append).
  virtual absl::Status Truncate(uint64_t size) = 0;
  // Closes the file; further calls are invalid. Does not imply Sync.
  virtual absl::Status Close() = 0;
  // Bytes in the file, as far as this handle knows.
  virtual uint64_t Size() const = 0;
};

// A file opened for reading at arbitrary offsets.
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Reads up to `n` bytes at `offset` into `scratch`; returns how many were
  // read (fewer only at end of file).
  virtual absl::StatusOr<size_t> ReadAt(uint64_t offset, size_t n, char* scratch) const = 0;
  virtual uint64_t Size() const = 0;
};

// A read-only view of a whole file's bytes, as of when it was mapped. The
// bytes stay valid and unchanged while this object lives (the file must not
// be modified meanwhile; it may be renamed or removed).
class MappedFile {
 public:
  virtual ~MappedFile() = default;
  virtual std::span<const uint8_t> data() const = 0;
};

// An exclusive advisory lock on a file; released when destroyed.
class FileLock {
 public:
  virtual ~FileLock() = default;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // Creates (or truncates, when `truncate` is true; otherwise appends to) `path`.
  virtual absl::StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path,
                                                                        bool truncate) = 0;
  virtual absl::StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) = 0;
  // Reads a whole file.
  virtual absl::StatusOr<std::string> ReadFile(const std::string& path);
  // Maps a whole file read-only. The default reads it into a heap buffer
  // (through ReadFile, so in-memory and fault-injecting file systems work
  // unchanged); the POSIX file system uses mmap.
  virtual absl::StatusOr<std::unique_ptr<MappedFile>> MapFile(const std::string& path);

  virtual absl::Status CreateDir(const std::string& path) = 0;  // ok if it exists
  virtual absl::Status CreateDirs(const std::string& path);     // mkdir -p
  virtual absl::Status RemoveFile(const std::string& path) = 0;
  virtual absl::Status RemoveDir(const std::string& path) = 0;  // must be empty
  virtual absl::Status RemoveAll(const std::string& path);      // rm -rf
  virtual absl::Status Rename(const std::string& from, const std::string& to) = 0;
  // Makes `to` (which must not exist) a durable copy of the file `from`: a
  // hard link where the file system allows it (snapshots of immutable block
  // files cost no space), else a copy, fsynced. The default copies.
  virtual absl::Status LinkOrCopyFile(const std::string& from, const std::string& to);
  virtual absl::Status Truncate(const std::string& path, uint64_t size) = 0;
  // Makes directory entries (creations, renames, removals) in `dir` durable.
  virtual absl::Status SyncDir(const std::string& dir) = 0;
  // Names (not paths) of the entries of `dir`, sorted, without "." and "..".
  virtual absl::StatusOr<std::vector<std::string>> ListDir(const std::string& dir) = 0;
  virtual bool Exists(const std::string& path) = 0;
  virtual bool IsDir(const std::string& path) = 0;
  virtual absl::StatusOr<uint64_t> FileSize(const std::string& path) = 0;
  // Takes an exclusive lock on `path` (created if missing). Fails with
  // absl::FailedPreconditionError if another process or FileSystem user
  // holds it.
  virtual absl::StatusOr<std::unique_ptr<FileLock>> LockFile(const std::string& path) = 0;
};

// The real filesystem. Stateless; each call returns a new instance.
std::unique_ptr<FileSystem> NewPosixFileSystem();

// "a" + "b" -> "a/b". An empty side yields the other; a '/' already at the
// join is not doubled ("a/" + "b" -> "a/b", "a" + "/b" -> "a/b").
std::string JoinPath(std::string_view a, std::string_view b);

// The Status for a failed I/O call: "`context`: <strerror(err)>", with
// ENOSPC -> ResourceExhausted, ENOENT -> NotFound, anything else -> Internal.
// `context` names the operation and path, e.g. "open /data/wal/00000012".
// Shared by every FileSystem implementation so their errors look alike.
absl::Status IoError(std::string_view context, int err);

}  // namespace strata

#endif  // STRATA_TSDB_BASE_FS_H_
