#include "tsdb/base/mem_fs.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <set>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tsdb/base/mutex.h"

namespace strata {
namespace mem_fs_internal {

// A file or a directory. Every field is guarded by State::mu (the annotation
// cannot name it from here).
struct Node {
  explicit Node(bool dir) : is_dir(dir) {}

  const bool is_dir;

  // Files. Invariant: data[0, common) == synced[0, common), so Sync only
  // copies what changed since the last one (appends are the common case).
  std::string data;
  std::string synced;
  size_t common = 0;

  // Directories: current entries and the snapshot taken by the last SyncDir.
  std::map<std::string, std::shared_ptr<Node>, std::less<>> live;
  std::map<std::string, std::shared_ptr<Node>, std::less<>> durable;

  void Resize(uint64_t size) {
    data.resize(size, '\0');
    common = std::min<size_t>(common, size);
  }
  void Sync() {
    synced.resize(common);
    synced.append(data, common, std::string::npos);
    common = data.size();
  }
};

struct State {
  Mutex mu;
  const std::shared_ptr<Node> root ABSL_GUARDED_BY(mu) = std::make_shared<Node>(/*dir=*/true);
  // Bumped by SimulatePowerLoss; handles from an older epoch are dead.
  uint64_t epoch ABSL_GUARDED_BY(mu) = 0;
  // Locked path -> id of the FileLock that holds it.
  std::map<std::string, uint64_t> locks ABSL_GUARDED_BY(mu);
  uint64_t next_lock_id ABSL_GUARDED_BY(mu) = 1;
};

}  // namespace mem_fs_internal

namespace {

using mem_fs_internal::Node;
using mem_fs_internal::State;

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> parts;
  while (!path.empty()) {
    size_t slash = path.find('/');
    std::string_view part = path.substr(0, slash);
    if (!part.empty() && part != ".") parts.emplace_back(part);
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return parts;
}

// The canonical spelling of a path: "/a/b" for "a//b/./", "/" for the root.
std::string Canonical(std::string_view path) {
  return absl::StrCat("/", absl::StrJoin(SplitPath(path), "/"));
}

absl::Status Err(std::string_view op, std::string_view path, int err) {
  std::string context(op);
  context += ' ';
  context += path;
  return IoError(context, err);
}

absl::Status HandleError(const char* what, const std::string& path) {
  return absl::FailedPreconditionError(absl::StrCat(what, " ", path));
}

// Where a path points: its parent directory (nullptr for the root), its last
// component and the node there (nullptr if there is none); or why it could
// not be resolved.
struct Resolved {
  absl::Status status;
  Node* parent = nullptr;
  std::string name;
  std::shared_ptr<Node> node;
};

// Walks the current entries. Fails with ENOENT/ENOTDIR, reported as
// "`op` `shown`: ..." (`shown` defaults to `path`), if a directory on the way
// is missing or is a file. Caller holds State::mu.
Resolved Resolve(const std::shared_ptr<Node>& root, const std::string& path, std::string_view op,
                 std::string_view shown = {}) {
  if (shown.empty()) shown = path;
  std::vector<std::string> parts = SplitPath(path);
  Resolved r;
  if (parts.empty()) {
    r.node = root;
    return r;
  }
  Node* dir = root.get();
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    auto it = dir->live.find(parts[i]);
    if (it == dir->live.end() || !it->second->is_dir) {
      r.status = Err(op, shown, it == dir->live.end() ? ENOENT : ENOTDIR);
      return r;
    }
    dir = it->second.get();
  }
  r.parent = dir;
  r.name = std::move(parts.back());
  auto it = dir->live.find(r.name);
  if (it != dir->live.end()) r.node = it->second;
  return r;
}

// Reverts `dir` and everything below it to the durable state. `seen` holds
// the directories already restored: one reached a second time is dropped, so
// the result is a tree. Caller holds State::mu.
void Restore(Node* dir, std::set<const Node*>* seen) {
  dir->live = dir->durable;
  for (auto it = dir->live.begin(); it != dir->live.end();) {
    Node* n = it->second.get();
    if (n->is_dir) {
      if (!seen->insert(n).second) {
        it = dir->live.erase(it);
        continue;
      }
      Restore(n, seen);
    } else {
      n->data = n->synced;
      n->common = n->data.size();
    }
    ++it;
  }
  dir->durable = dir->live;
}

class MemWritableFile final : public WritableFile {
 public:
  MemWritableFile(std::shared_ptr<State> state, std::shared_ptr<Node> node, std::string path,
                  uint64_t epoch)
      : state_(std::move(state)), node_(std::move(node)), path_(std::move(path)), epoch_(epoch) {}

  absl::Status Append(std::string_view data) override {
    MutexLock l(&state_->mu);
    if (absl::Status s = Check(); !s.ok()) return s;
    node_->data.append(data);
    return absl::OkStatus();
  }
  absl::Status Sync() override {
    MutexLock l(&state_->mu);
    if (absl::Status s = Check(); !s.ok()) return s;
    node_->Sync();
    return absl::OkStatus();
  }
  absl::Status Truncate(uint64_t size) override {
    MutexLock l(&state_->mu);
    if (absl::Status s = Check(); !s.ok()) return s;
    node_->Resize(size);
    return absl::OkStatus();
  }
  absl::Status Close() override {
    MutexLock l(&state_->mu);
    if (absl::Status s = Check(); !s.ok()) return s;
    closed_ = true;
    return absl::OkStatus();
  }
  // The inode's size: writes through other handles to the same file count.
  uint64_t Size() const override {
    MutexLock l(&state_->mu);
    return node_->data.size();
  }

 private:
  absl::Status Check() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_->mu) {
    if (closed_) return HandleError("use of closed file", path_);
    if (epoch_ != state_->epoch) return HandleError("handle invalidated by power loss:", path_);
    return absl::OkStatus();
  }

  const std::shared_ptr<State> state_;
  const std::shared_ptr<Node> node_;
  const std::string path_;
  const uint64_t epoch_;
  bool closed_ = false;
};

class MemRandomAccessFile final : public RandomAccessFile {
 public:
  MemRandomAccessFile(std::shared_ptr<State> state, std::shared_ptr<Node> node, std::string path,
                      uint64_t epoch)
      : state_(std::move(state)), node_(std::move(node)), path_(std::move(path)), epoch_(epoch) {}

  absl::StatusOr<size_t> ReadAt(uint64_t offset, size_t n, char* scratch) const override {
    MutexLock l(&state_->mu);
    if (epoch_ != state_->epoch) return HandleError("handle invalidated by power loss:", path_);
    const std::string& data = node_->data;
    if (offset >= data.size()) return 0;
    size_t got = std::min<uint64_t>(n, data.size() - offset);
    std::memcpy(scratch, data.data() + offset, got);
    return got;
  }
  uint64_t Size() const override {
    MutexLock l(&state_->mu);
    return node_->data.size();
  }

 private:
  const std::shared_ptr<State> state_;
  const std::shared_ptr<Node> node_;
  const std::string path_;
  const uint64_t epoch_;
};

class MemFileLock final : public FileLock {
 public:
  MemFileLock(std::shared_ptr<State> state, std::string key, uint64_t id)
      : state_(std::move(state)), key_(std::move(key)), id_(id) {}
  ~MemFileLock() override {
    MutexLock l(&state_->mu);
    // After a power loss the path may have been locked again by someone else.
    auto it = state_->locks.find(key_);
    if (it != state_->locks.end() && it->second == id_) state_->locks.erase(it);
  }

 private:
  const std::shared_ptr<State> state_;
  const std::string key_;
  const uint64_t id_;
};

}  // namespace

MemFileSystem::MemFileSystem() : state_(std::make_shared<State>()) {}
MemFileSystem::~MemFileSystem() = default;

absl::StatusOr<std::unique_ptr<WritableFile>> MemFileSystem::NewWritableFile(
    const std::string& path, bool truncate) {
  MutexLock l(&state_->mu);
  Resolved r = Resolve(state_->root, path, "open");
  if (!r.status.ok()) return r.status;
  if (r.node == nullptr) {
    r.node = std::make_shared<Node>(/*dir=*/false);
    r.parent->live.emplace(r.name, r.node);
  } else if (r.node->is_dir) {
    return Err("open", path, EISDIR);
  } else if (truncate) {
    r.node->Resize(0);
  }
  return std::make_unique<MemWritableFile>(state_, std::move(r.node), path, state_->epoch);
}

absl::StatusOr<std::unique_ptr<RandomAccessFile>> MemFileSystem::NewRandomAccessFile(
    const std::string& path) {
  MutexLock l(&state_->mu);
  Resolved r = Resolve(state_->root, path, "open");
  if (!r.status.ok()) return r.status;
  if (r.node == nullptr) return Err("open", path, ENOENT);
  if (r.node->is_dir) return Err("open", path, EISDIR);
  return std::make_unique<MemRandomAccessFile>(state_, std::move(r.node), path, state_->epoch);
}

absl::Status MemFileSystem::CreateDir(const std::string& path) {
  MutexLock l(&state_->mu);
  Resolved r = Resolve(state_->root, path, "mkdir");
  if (!r.status.ok()) return r.status;
  if (r.node != nullptr) return r.node->is_dir ? absl::OkStatus() : Err("mkdir", path, EEXIST);
  r.parent->live.emplace(r.name, std::make_shared<Node>(/*dir=*/true));
  return absl::OkStatus();
}

absl::Status MemFileSystem::RemoveFile(const std::string& path) {
  MutexLock l(&state_->mu);
  Resolved r = Resolve(state_->root, path, "unlink");
  if (!r.status.ok()) return r.status;
  if (r.node == nullptr) return Err("unlink", path, ENOENT);
  if (r.node->is_dir) return Err("unlink", path, EISDIR);
  r.parent->live.erase(r.name);
  return absl::OkStatus();
}

absl::Status MemFileSystem::RemoveDir(const std::string& path) {
  MutexLock l(&state_->mu);
  Resolved r = Resolve(state_->root, path, "rmdir");
  if (!r.status.ok()) return r.status;
  if (r.node == nullptr) return Err("rmdir", path, ENOENT);
  if (!r.node->is_dir) return Err("rmdir", path, ENOTDIR);
  if (r.parent == nullptr) return Err("rmdir", path, EBUSY);
  if (!r.node->live.empty()) return Err("rmdir", path, ENOTEMPTY);
  r.parent->live.erase(r.name);
  return absl::OkStatus();
}

absl::Status MemFileSystem::Rename(const std::string& from, const std::string& to) {
  const std::string shown = absl::StrCat(from, " to ", to);
  MutexLock l(&state_->mu);
  Resolved src = Resolve(state_->root, from, "rename", shown);
  if (!src.status.ok()) return src.status;
  Resolved dst = Resolve(state_->root, to, "rename", shown);
  if (!dst.status.ok()) return dst.status;
  if (src.node == nullptr) return Err("rename", shown, ENOENT);
  if (src.node == dst.node) return absl::OkStatus();  // Same file: POSIX does nothing.
  if (src.parent == nullptr || dst.parent == nullptr) return Err("rename", shown, EBUSY);
  if (src.node->is_dir) {
    if (dst.node != nullptr && !dst.node->is_dir) return Err("rename", shown, ENOTDIR);
    if (dst.node != nullptr && !dst.node->live.empty()) return Err("rename", shown, ENOTEMPTY);
    // A directory cannot move into its own subtree.
    if (Canonical(to).starts_with(Canonical(from) + "/")) return Err("rename", shown, EINVAL);
  } else if (dst.node != nullptr && dst.node->is_dir) {
    return Err("rename", shown, EISDIR);
  }
  dst.parent->live[dst.name] = src.node;
  src.parent->live.erase(src.name);
  return absl::OkStatus();
}

absl::Status MemFileSystem::Truncate(const std::string& path, uint64_t size) {
  MutexLock l(&state_->mu);
  Resolved r = Resolve(state_->root, path, "truncate");
  if (!r.status.ok()) return r.status;
  if (r.node == nullptr) return Err("truncate", path, ENOENT);
  if (r.node->is_dir) return Err("truncate", path, EISDIR);
  r.node->Resize(size);
  return absl::OkStatus();
}

absl::Status MemFileSystem::SyncDir(const std::string& dir) {
  MutexLock l(&state_->mu);
  Resolved r = Resolve(state_->root, dir, "open");
  if (!r.status.ok()) return r.status;
  if (r.node == nullptr) return Err("open", dir, ENOENT);
  if (!r.node->is_dir) return Err("open", dir, ENOTDIR);
  r.node->durable = r.node->live;
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> MemFileSystem::ListDir(const std::string& dir) {
  MutexLock l(&state_->mu);
  Resolved r = Resolve(state_->root, dir, "opendir");
  if (!r.status.ok()) return r.status;
  if (r.node == nullptr) return Err("opendir", dir, ENOENT);
  if (!r.node->is_dir) return Err("opendir", dir, ENOTDIR);
  std::vector<std::string> names;
  names.reserve(r.node->live.size());
  for (const auto& [name, node] : r.node->live) names.push_back(name);  // Map order: sorted.
  return names;
}

bool MemFileSystem::Exists(const std::string& path) {
  MutexLock l(&state_->mu);
  return Resolve(state_->root, path, "stat").node != nullptr;
}

bool MemFileSystem::IsDir(const std::string& path) {
  MutexLock l(&state_->mu);
  std::shared_ptr<Node> node = Resolve(state_->root, path, "stat").node;
  return node != nullptr && node->is_dir;
}

absl::StatusOr<uint64_t> MemFileSystem::FileSize(const std::string& path) {
  MutexLock l(&state_->mu);
  Resolved r = Resolve(state_->root, path, "stat");
  if (!r.status.ok()) return r.status;
  if (r.node == nullptr) return Err("stat", path, ENOENT);
  if (r.node->is_dir) return Err("stat", path, EISDIR);
  return r.node->data.size();
}

absl::StatusOr<std::unique_ptr<FileLock>> MemFileSystem::LockFile(const std::string& path) {
  MutexLock l(&state_->mu);
  Resolved r = Resolve(state_->root, path, "open");
  if (!r.status.ok()) return r.status;
  if (r.node == nullptr) {
    r.parent->live.emplace(r.name, std::make_shared<Node>(/*dir=*/false));
  } else if (r.node->is_dir) {
    return Err("open", path, EISDIR);
  }
  std::string key = Canonical(path);
  if (state_->locks.contains(key)) {
    return absl::FailedPreconditionError(
        absl::StrCat("lock ", path, ": lock held by another process"));
  }
  uint64_t id = state_->next_lock_id++;
  state_->locks.emplace(key, id);
  return std::make_unique<MemFileLock>(state_, std::move(key), id);
}

void MemFileSystem::SimulatePowerLoss() {
  MutexLock l(&state_->mu);
  std::set<const Node*> seen;
  Restore(state_->root.get(), &seen);
  ++state_->epoch;
  state_->locks.clear();
}

uint64_t MemFileSystem::TotalBytes() {
  MutexLock l(&state_->mu);
  uint64_t total = 0;
  std::set<const Node*> seen;
  std::vector<const Node*> stack = {state_->root.get()};
  while (!stack.empty()) {
    const Node* dir = stack.back();
    stack.pop_back();
    for (const auto& [name, node] : dir->live) {
      if (!seen.insert(node.get()).second) continue;
      if (node->is_dir) {
        stack.push_back(node.get());
      } else {
        total += node->data.size();
      }
    }
  }
  return total;
}

}  // namespace strata
