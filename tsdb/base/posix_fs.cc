// The POSIX FileSystem behind NewPosixFileSystem().
//
// Every descriptor is opened with O_CLOEXEC so that nothing leaks into
// processes Strata starts. Calls that can be interrupted are retried on
// EINTR. Writes are unbuffered: each Append is one or more write(2) calls, so
// the caller (the WAL, the block writer) decides how much to batch.
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>

#include "absl/strings/str_cat.h"
#include "tsdb/base/fs.h"

namespace strata {
namespace {

// Calls f() until it does not fail with EINTR.
template <typename F>
auto RetryOnEintr(F f) -> decltype(f()) {
  decltype(f()) rc;
  do {
    rc = f();
  } while (rc == -1 && errno == EINTR);
  return rc;
}

// The error for the errno left by the call that just failed.
absl::Status Errno(const char* op, const std::string& path) {
  int err = errno;  // Read before StrCat can allocate and clobber it.
  return IoError(absl::StrCat(op, " ", path), err);
}

absl::Status ClosedError(const std::string& path) {
  return absl::FailedPreconditionError(absl::StrCat("use of closed file ", path));
}

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd, uint64_t size)
      : path_(std::move(path)), fd_(fd), size_(size) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) ::close(fd_);
  }
  PosixWritableFile(const PosixWritableFile&) = delete;
  PosixWritableFile& operator=(const PosixWritableFile&) = delete;

  absl::Status Append(std::string_view data) override {
    if (fd_ < 0) return ClosedError(path_);
    const char* p = data.data();
    size_t left = data.size();
    while (left > 0) {
      ssize_t n = ::write(fd_, p, left);
      if (n < 0) {
        if (errno == EINTR) continue;
        return Errno("write", path_);
      }
      if (n == 0) return IoError(absl::StrCat("write ", path_), EIO);  // Should not happen.
      p += n;
      left -= static_cast<size_t>(n);
      size_ += static_cast<uint64_t>(n);  // A short write still counts.
    }
    return absl::OkStatus();
  }

  absl::Status Sync() override {
    if (fd_ < 0) return ClosedError(path_);
    if (RetryOnEintr([&] { return ::fdatasync(fd_); }) != 0) return Errno("fdatasync", path_);
    return absl::OkStatus();
  }

  absl::Status Truncate(uint64_t size) override {
    if (fd_ < 0) return ClosedError(path_);
    if (RetryOnEintr([&] { return ::ftruncate(fd_, static_cast<off_t>(size)); }) != 0) {
      return Errno("ftruncate", path_);
    }
    // The file is opened with O_APPEND, so the next write lands at `size`.
    size_ = size;
    return absl::OkStatus();
  }

  absl::Status Close() override {
    if (fd_ < 0) return ClosedError(path_);
    int fd = fd_;
    fd_ = -1;
    // Never retry close on EINTR: on Linux the descriptor is already gone.
    if (::close(fd) != 0 && errno != EINTR) return Errno("close", path_);
    return absl::OkStatus();
  }

  uint64_t Size() const override { return size_; }

 private:
  const std::string path_;
  int fd_;
  uint64_t size_;
};

class PosixRandomAccessFile final : public RandomAccessFile {
 public:
  PosixRandomAccessFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixRandomAccessFile() override { ::close(fd_); }
  PosixRandomAccessFile(const PosixRandomAccessFile&) = delete;
  PosixRandomAccessFile& operator=(const PosixRandomAccessFile&) = delete;

  absl::StatusOr<size_t> ReadAt(uint64_t offset, size_t n, char* scratch) const override {
    size_t done = 0;
    while (done < n) {
      ssize_t r = ::pread(fd_, scratch + done, n - done, static_cast<off_t>(offset + done));
      if (r < 0) {
        int err = errno;
        if (err == EINTR) continue;
        return IoError(absl::StrCat("pread ", path_, " at ", offset + done), err);
      }
      if (r == 0) break;  // End of file.
      done += static_cast<size_t>(r);
    }
    return done;
  }

  // The file's current size (it may have grown since it was opened).
  uint64_t Size() const override {
    struct stat st;
    if (::fstat(fd_, &st) != 0) return 0;
    return static_cast<uint64_t>(st.st_size);
  }

 private:
  const std::string path_;
  const int fd_;
};

// A private read-only mapping; the descriptor is closed right after mmap (the
// mapping keeps the file alive). An empty file maps to an empty span.
class PosixMappedFile final : public MappedFile {
 public:
  PosixMappedFile(void* addr, size_t size) : addr_(addr), size_(size) {}
  ~PosixMappedFile() override {
    if (size_ > 0) ::munmap(addr_, size_);
  }
  PosixMappedFile(const PosixMappedFile&) = delete;
  PosixMappedFile& operator=(const PosixMappedFile&) = delete;
  std::span<const uint8_t> data() const override {
    return {static_cast<const uint8_t*>(addr_), size_};
  }

 private:
  void* const addr_;
  const size_t size_;
};

class PosixFileLock final : public FileLock {
 public:
  explicit PosixFileLock(int fd) : fd_(fd) {}
  ~PosixFileLock() override { ::close(fd_); }  // Closing releases the flock.
  PosixFileLock(const PosixFileLock&) = delete;
  PosixFileLock& operator=(const PosixFileLock&) = delete;

 private:
  const int fd_;
};

class PosixFileSystem final : public FileSystem {
 public:
  absl::StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path,
                                                                bool truncate) override {
    // O_APPEND keeps writes at the end even after WritableFile::Truncate.
    int flags = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (truncate ? O_TRUNC : 0);
    int fd = RetryOnEintr([&] { return ::open(path.c_str(), flags, 0644); });
    if (fd < 0) return Errno("open", path);
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      absl::Status s = Errno("fstat", path);
      ::close(fd);
      return s;
    }
    return std::make_unique<PosixWritableFile>(path, fd, static_cast<uint64_t>(st.st_size));
  }

  absl::StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) override {
    int fd = RetryOnEintr([&] { return ::open(path.c_str(), O_RDONLY | O_CLOEXEC); });
    if (fd < 0) return Errno("open", path);
    struct stat st;
    int err = ::fstat(fd, &st) != 0 ? errno : (S_ISDIR(st.st_mode) ? EISDIR : 0);
    if (err != 0) {
      ::close(fd);
      return IoError(absl::StrCat("open ", path), err);
    }
    return std::make_unique<PosixRandomAccessFile>(path, fd);
  }

  absl::StatusOr<std::unique_ptr<MappedFile>> MapFile(const std::string& path) override {
    int fd = RetryOnEintr([&] { return ::open(path.c_str(), O_RDONLY | O_CLOEXEC); });
    if (fd < 0) return Errno("open", path);
    struct stat st;
    int err = ::fstat(fd, &st) != 0 ? errno : (S_ISDIR(st.st_mode) ? EISDIR : 0);
    void* addr = nullptr;
    size_t size = err == 0 ? static_cast<size_t>(st.st_size) : 0;
    if (err == 0 && size > 0) {
      addr = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
      if (addr == MAP_FAILED) err = errno;
    }
    ::close(fd);
    if (err != 0) return IoError(absl::StrCat("mmap ", path), err);
    return std::make_unique<PosixMappedFile>(addr, size);
  }

  absl::Status CreateDir(const std::string& path) override {
    if (::mkdir(path.c_str(), 0755) == 0) return absl::OkStatus();
    int err = errno;
    if (err == EEXIST && IsDir(path)) return absl::OkStatus();
    return IoError(absl::StrCat("mkdir ", path), err);
  }

  absl::Status RemoveFile(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return Errno("unlink", path);
    return absl::OkStatus();
  }

  absl::Status RemoveDir(const std::string& path) override {
    if (::rmdir(path.c_str()) != 0) return Errno("rmdir", path);
    return absl::OkStatus();
  }

  // Overrides the default to use lstat: a symlink is removed, never followed.
  absl::Status RemoveAll(const std::string& path) override {
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) {
      return errno == ENOENT ? absl::OkStatus() : Errno("lstat", path);
    }
    if (!S_ISDIR(st.st_mode)) {
      if (::unlink(path.c_str()) != 0 && errno != ENOENT) return Errno("unlink", path);
      return absl::OkStatus();
    }
    absl::StatusOr<std::vector<std::string>> names = ListDir(path);
    if (!names.ok()) return names.status();
    for (const std::string& name : *names) {
      if (absl::Status s = RemoveAll(JoinPath(path, name)); !s.ok()) return s;
    }
    if (::rmdir(path.c_str()) != 0 && errno != ENOENT) return Errno("rmdir", path);
    return absl::OkStatus();
  }

  absl::Status LinkOrCopyFile(const std::string& from, const std::string& to) override {
    if (::link(from.c_str(), to.c_str()) == 0) return absl::OkStatus();
    // Another file system (EXDEV) or one without hard links: copy.
    if (errno == EXDEV || errno == EPERM || errno == EMLINK) {
      return FileSystem::LinkOrCopyFile(from, to);
    }
    return IoError("link " + from + " " + to, errno);
  }

  absl::Status Rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) {
      return IoError(absl::StrCat("rename ", from, " to ", to), errno);
    }
    return absl::OkStatus();
  }

  absl::Status Truncate(const std::string& path, uint64_t size) override {
    if (RetryOnEintr([&] { return ::truncate(path.c_str(), static_cast<off_t>(size)); }) != 0) {
      return Errno("truncate", path);
    }
    return absl::OkStatus();
  }

  absl::Status SyncDir(const std::string& dir) override {
    int fd = RetryOnEintr([&] { return ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); });
    if (fd < 0) return Errno("open", dir);
    absl::Status s;
    if (RetryOnEintr([&] { return ::fsync(fd); }) != 0) s = Errno("fsync", dir);
    ::close(fd);
    return s;
  }

  absl::StatusOr<std::vector<std::string>> ListDir(const std::string& dir) override {
    int fd = RetryOnEintr([&] { return ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); });
    if (fd < 0) return Errno("opendir", dir);
    DIR* d = ::fdopendir(fd);
    if (d == nullptr) {
      absl::Status s = Errno("fdopendir", dir);
      ::close(fd);
      return s;
    }
    std::vector<std::string> names;
    for (;;) {
      errno = 0;
      struct dirent* e = ::readdir(d);
      if (e == nullptr) break;
      std::string_view name = e->d_name;
      if (name == "." || name == "..") continue;
      names.emplace_back(name);
    }
    int err = errno;
    ::closedir(d);  // Also closes fd.
    if (err != 0) return IoError(absl::StrCat("readdir ", dir), err);
    std::sort(names.begin(), names.end());
    return names;
  }

  bool Exists(const std::string& path) override {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0;
  }

  bool IsDir(const std::string& path) override {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
  }

  absl::StatusOr<uint64_t> FileSize(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return Errno("stat", path);
    if (S_ISDIR(st.st_mode)) return IoError(absl::StrCat("stat ", path), EISDIR);
    return static_cast<uint64_t>(st.st_size);
  }

  absl::StatusOr<std::unique_ptr<FileLock>> LockFile(const std::string& path) override {
    int fd = RetryOnEintr([&] { return ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644); });
    if (fd < 0) return Errno("open", path);
    // flock locks belong to the open file description, so a second LockFile
    // in this same process conflicts too, just like another process would.
    if (RetryOnEintr([&] { return ::flock(fd, LOCK_EX | LOCK_NB); }) != 0) {
      int err = errno;
      ::close(fd);
      if (err == EWOULDBLOCK) {
        return absl::FailedPreconditionError(
            absl::StrCat("lock ", path, ": lock held by another process"));
      }
      return IoError(absl::StrCat("flock ", path), err);
    }
    return std::make_unique<PosixFileLock>(fd);
  }
};

}  // namespace

std::unique_ptr<FileSystem> NewPosixFileSystem() { return std::make_unique<PosixFileSystem>(); }

}  // namespace strata
