// FileSystem's default methods, built only from the pure virtual ones so that
// every implementation (POSIX, in-memory, fault-injecting) shares them.
#include "tsdb/base/fs.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace strata {
namespace {

// strerror_r has two signatures (XSI returns int, GNU returns char*); these
// overloads pick the message out of whichever one the C library provides.
[[maybe_unused]] const char* StrErrorResult(int rc, const char* buf) {
  return rc == 0 ? buf : "Unknown error";
}
[[maybe_unused]] const char* StrErrorResult(const char* msg, const char* /*buf*/) { return msg; }

std::string ErrnoText(int err) {
  char buf[128];
  buf[0] = '\0';
  return std::string(StrErrorResult(strerror_r(err, buf, sizeof(buf)), buf));
}

// MapFile's default: the file's bytes copied into a string.
class HeapMappedFile final : public MappedFile {
 public:
  explicit HeapMappedFile(std::string bytes) : bytes_(std::move(bytes)) {}
  std::span<const uint8_t> data() const override {
    return {reinterpret_cast<const uint8_t*>(bytes_.data()), bytes_.size()};
  }

 private:
  const std::string bytes_;
};

}  // namespace

absl::Status IoError(std::string_view context, int err) {
  std::string msg(context);
  msg += ": ";
  msg += ErrnoText(err);
  switch (err) {
    case ENOSPC:
      return absl::ResourceExhaustedError(msg);
    case ENOENT:
      return absl::NotFoundError(msg);
    default:
      return absl::InternalError(msg);
  }
}

std::string JoinPath(std::string_view a, std::string_view b) {
  if (a.empty()) return std::string(b);
  if (b.empty()) return std::string(a);
  bool a_slash = a.back() == '/';
  bool b_slash = b.front() == '/';
  if (a_slash && b_slash) b.remove_prefix(1);
  std::string out;
  out.reserve(a.size() + b.size() + 1);
  out.append(a);
  if (!a_slash && !b_slash) out.push_back('/');
  out.append(b);
  return out;
}

absl::StatusOr<std::string> FileSystem::ReadFile(const std::string& path) {
  absl::StatusOr<std::unique_ptr<RandomAccessFile>> file = NewRandomAccessFile(path);
  if (!file.ok()) return file.status();
  std::string out;
  // Size is a hint only: keep reading until a short read, so a file that grew
  // since it was opened is still read whole.
  size_t chunk = std::max<uint64_t>((*file)->Size(), 4096);
  uint64_t offset = 0;
  for (;;) {
    out.resize(offset + chunk);
    absl::StatusOr<size_t> got = (*file)->ReadAt(offset, chunk, out.data() + offset);
    if (!got.ok()) return got.status();
    offset += *got;
    if (*got < chunk) break;
    chunk = 64 * 1024;
  }
  out.resize(offset);
  return out;
}

absl::StatusOr<std::unique_ptr<MappedFile>> FileSystem::MapFile(const std::string& path) {
  absl::StatusOr<std::string> bytes = ReadFile(path);
  if (!bytes.ok()) return bytes.status();
  return std::make_unique<HeapMappedFile>(std::move(*bytes));
}

absl::Status FileSystem::LinkOrCopyFile(const std::string& from, const std::string& to) {
  if (Exists(to)) return IoError("link " + to, EEXIST);
  absl::StatusOr<std::string> bytes = ReadFile(from);
  if (!bytes.ok()) return bytes.status();
  absl::StatusOr<std::unique_ptr<WritableFile>> f = NewWritableFile(to, /*truncate=*/true);
  if (!f.ok()) return f.status();
  if (absl::Status s = (*f)->Append(*bytes); !s.ok()) return s;
  if (absl::Status s = (*f)->Sync(); !s.ok()) return s;
  return (*f)->Close();
}

absl::Status FileSystem::CreateDirs(const std::string& path) {
  // Create every prefix ending before a '/', then the whole path. Empty
  // prefixes ("" for an absolute path, "a/" in "a//b") are skipped.
  for (size_t pos = path.find('/', 1); pos != std::string::npos; pos = path.find('/', pos + 1)) {
    if (path[pos - 1] == '/') continue;
    if (absl::Status s = CreateDir(path.substr(0, pos)); !s.ok()) return s;
  }
  if (path.empty() || path.back() == '/') return absl::OkStatus();
  return CreateDir(path);
}

absl::Status FileSystem::RemoveAll(const std::string& path) {
  if (!Exists(path)) return absl::OkStatus();
  if (!IsDir(path)) {
    absl::Status s = RemoveFile(path);
    return absl::IsNotFound(s) ? absl::OkStatus() : s;
  }
  absl::StatusOr<std::vector<std::string>> names = ListDir(path);
  if (!names.ok()) return names.status();
  for (const std::string& name : *names) {
    if (absl::Status s = RemoveAll(JoinPath(path, name)); !s.ok()) return s;
  }
  absl::Status s = RemoveDir(path);
  return absl::IsNotFound(s) ? absl::OkStatus() : s;
}

}  // namespace strata
