#include "tsdb/base/fault_fs.h"

#include <atomic>
#include <utility>

#include "absl/strings/str_cat.h"
#include "tsdb/base/mutex.h"

namespace strata {
namespace fault_fs_internal {

struct Faults {
  Mutex mu;
  int nth_countdown ABSL_GUARDED_BY(mu) = 0;  // 0: no FailNthWrite pending.
  int nth_err ABSL_GUARDED_BY(mu) = 0;
  int all_writes_err ABSL_GUARDED_BY(mu) = 0;  // 0: writes are not failing.
  int syncs_err ABSL_GUARDED_BY(mu) = 0;
  int sync_dirs_err ABSL_GUARDED_BY(mu) = 0;
  bool short_write ABSL_GUARDED_BY(mu) = false;
  int mutation_countdown ABSL_GUARDED_BY(mu) = 0;  // 0: no FailNthMutation pending.
  int mutation_err ABSL_GUARDED_BY(mu) = 0;
  std::atomic<int64_t> writes{0};
  std::atomic<int64_t> syncs{0};
  std::atomic<int64_t> mutations{0};

  // Counts a mutating call and returns the errno it must fail with, or 0.
  int NextMutationError() {
    mutations.fetch_add(1, std::memory_order_relaxed);
    MutexLock l(&mu);
    if (mutation_countdown > 0 && --mutation_countdown == 0) return mutation_err;
    return 0;
  }

  // Counts an Append and returns the errno it must fail with, or 0.
  int NextWriteError() {
    writes.fetch_add(1, std::memory_order_relaxed);
    MutexLock l(&mu);
    if (nth_countdown > 0 && --nth_countdown == 0) return nth_err;
    return all_writes_err;
  }
  bool ShortWrite() {
    MutexLock l(&mu);
    return short_write;
  }
  int SyncError() {
    syncs.fetch_add(1, std::memory_order_relaxed);
    MutexLock l(&mu);
    return syncs_err;
  }
  int SyncDirError() {
    MutexLock l(&mu);
    return sync_dirs_err;
  }
};

}  // namespace fault_fs_internal

namespace {

using fault_fs_internal::Faults;

absl::Status Injected(const char* op, const std::string& path, int err) {
  return IoError(absl::StrCat("injected fault: ", op, " ", path), err);
}

class FaultWritableFile final : public WritableFile {
 public:
  FaultWritableFile(std::unique_ptr<WritableFile> base, std::shared_ptr<Faults> faults,
                    std::string path)
      : base_(std::move(base)), faults_(std::move(faults)), path_(std::move(path)) {}

  absl::Status Append(std::string_view data) override {
    if (int err = faults_->NextMutationError(); err != 0) return Injected("write", path_, err);
    int err = faults_->NextWriteError();
    if (err == 0) return base_->Append(data);
    if (faults_->ShortWrite()) {
      // If even the short write fails, report that real error instead.
      absl::Status s = base_->Append(data.substr(0, data.size() / 2));
      if (!s.ok()) return s;
    }
    return Injected("write", path_, err);
  }
  absl::Status Sync() override {
    if (int err = faults_->NextMutationError(); err != 0) return Injected("fdatasync", path_, err);
    int err = faults_->SyncError();
    if (err != 0) return Injected("fdatasync", path_, err);
    return base_->Sync();
  }
  absl::Status Truncate(uint64_t size) override { return base_->Truncate(size); }
  absl::Status Close() override { return base_->Close(); }
  uint64_t Size() const override { return base_->Size(); }

 private:
  const std::unique_ptr<WritableFile> base_;
  const std::shared_ptr<Faults> faults_;
  const std::string path_;
};

}  // namespace

FaultInjectingFileSystem::FaultInjectingFileSystem(FileSystem* base)
    : base_(base), faults_(std::make_shared<Faults>()) {}
FaultInjectingFileSystem::~FaultInjectingFileSystem() = default;

void FaultInjectingFileSystem::FailNthWrite(int n, int err) {
  MutexLock l(&faults_->mu);
  faults_->nth_countdown = n;
  faults_->nth_err = err;
}
void FaultInjectingFileSystem::FailAllWrites(int err) {
  MutexLock l(&faults_->mu);
  faults_->all_writes_err = err;
}
void FaultInjectingFileSystem::FailSyncs(int err) {
  MutexLock l(&faults_->mu);
  faults_->syncs_err = err;
}
void FaultInjectingFileSystem::FailSyncDirs(int err) {
  MutexLock l(&faults_->mu);
  faults_->sync_dirs_err = err;
}
void FaultInjectingFileSystem::FailNthMutation(int n, int err) {
  MutexLock l(&faults_->mu);
  faults_->mutation_countdown = n;
  faults_->mutation_err = err;
}
int64_t FaultInjectingFileSystem::mutations() const {
  return faults_->mutations.load(std::memory_order_relaxed);
}
void FaultInjectingFileSystem::set_short_write(bool short_write) {
  MutexLock l(&faults_->mu);
  faults_->short_write = short_write;
}
void FaultInjectingFileSystem::Heal() {
  MutexLock l(&faults_->mu);
  faults_->nth_countdown = 0;
  faults_->nth_err = 0;
  faults_->all_writes_err = 0;
  faults_->syncs_err = 0;
  faults_->sync_dirs_err = 0;
  faults_->mutation_countdown = 0;
  faults_->mutation_err = 0;
}
int64_t FaultInjectingFileSystem::writes() const {
  return faults_->writes.load(std::memory_order_relaxed);
}
int64_t FaultInjectingFileSystem::syncs() const {
  return faults_->syncs.load(std::memory_order_relaxed);
}

absl::StatusOr<std::unique_ptr<WritableFile>> FaultInjectingFileSystem::NewWritableFile(
    const std::string& path, bool truncate) {
  if (int err = faults_->NextMutationError(); err != 0) return Injected("open", path, err);
  absl::StatusOr<std::unique_ptr<WritableFile>> f = base_->NewWritableFile(path, truncate);
  if (!f.ok()) return f.status();
  return std::make_unique<FaultWritableFile>(*std::move(f), faults_, path);
}

absl::StatusOr<std::unique_ptr<RandomAccessFile>> FaultInjectingFileSystem::NewRandomAccessFile(
    const std::string& path) {
  return base_->NewRandomAccessFile(path);
}
absl::StatusOr<std::string> FaultInjectingFileSystem::ReadFile(const std::string& path) {
  return base_->ReadFile(path);
}
absl::Status FaultInjectingFileSystem::CreateDir(const std::string& path) {
  if (int err = faults_->NextMutationError(); err != 0) return Injected("mkdir", path, err);
  return base_->CreateDir(path);
}
absl::Status FaultInjectingFileSystem::CreateDirs(const std::string& path) {
  if (int err = faults_->NextMutationError(); err != 0) return Injected("mkdir", path, err);
  return base_->CreateDirs(path);
}
absl::Status FaultInjectingFileSystem::RemoveFile(const std::string& path) {
  if (int err = faults_->NextMutationError(); err != 0) return Injected("unlink", path, err);
  return base_->RemoveFile(path);
}
absl::Status FaultInjectingFileSystem::RemoveDir(const std::string& path) {
  if (int err = faults_->NextMutationError(); err != 0) return Injected("rmdir", path, err);
  return base_->RemoveDir(path);
}
absl::Status FaultInjectingFileSystem::RemoveAll(const std::string& path) {
  if (int err = faults_->NextMutationError(); err != 0) return Injected("remove", path, err);
  return base_->RemoveAll(path);
}
absl::Status FaultInjectingFileSystem::Rename(const std::string& from, const std::string& to) {
  if (int err = faults_->NextMutationError(); err != 0) return Injected("rename", from, err);
  return base_->Rename(from, to);
}
absl::Status FaultInjectingFileSystem::Truncate(const std::string& path, uint64_t size) {
  if (int err = faults_->NextMutationError(); err != 0) return Injected("truncate", path, err);
  return base_->Truncate(path, size);
}
absl::Status FaultInjectingFileSystem::SyncDir(const std::string& dir) {
  if (int err = faults_->NextMutationError(); err != 0) return Injected("fsync", dir, err);
  int err = faults_->SyncDirError();
  if (err != 0) return Injected("fsync", dir, err);
  return base_->SyncDir(dir);
}
absl::StatusOr<std::vector<std::string>> FaultInjectingFileSystem::ListDir(const std::string& dir) {
  return base_->ListDir(dir);
}
bool FaultInjectingFileSystem::Exists(const std::string& path) { return base_->Exists(path); }
bool FaultInjectingFileSystem::IsDir(const std::string& path) { return base_->IsDir(path); }
absl::StatusOr<uint64_t> FaultInjectingFileSystem::FileSize(const std::string& path) {
  return base_->FileSize(path);
}
absl::StatusOr<std::unique_ptr<FileLock>> FaultInjectingFileSystem::LockFile(
    const std::string& path) {
  return base_->LockFile(path);
}

}  // namespace strata
