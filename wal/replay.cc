// Wal::Open's recovery: replay of the checkpoint and the segments, and the
// repair of a damaged tail (docs/format/wal.md, "Opening, replay and repair").
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tsdb/base/status_macros.h"
#include "wal/segment.h"
#include "wal/wal_impl.h"

namespace strata::wal {
namespace {

using internal::Damage;
using internal::ReplaySegment;

std::string DamageReason(uint32_t segment, const Damage& d) {
  std::string reason = absl::StrCat("segment ", segment, " offset ", d.offset, ": ", d.what);
  if (d.record_offset != d.offset) {
    absl::StrAppend(&reason, " (record starts at offset ", d.record_offset, ")");
  }
  return reason;
}

// Replays checkpoint directory `path`. Damage there is an error, not repaired:
// the checkpoint was fsynced before it was renamed into place, so damage means
// the disk lost data, and cutting it would silently drop series.
absl::Status ReplayCheckpoint(FileSystem* fs, const std::string& path, const Wal::ReplayFn& replay,
                              std::string* buffer, uint64_t* records) {
  ASSIGN_OR_RETURN(std::vector<std::string> names, fs->ListDir(path));
  std::vector<uint32_t> segments;
  for (const std::string& name : names) {
    uint32_t index;
    if (internal::ParseSegmentName(name, &index)) segments.push_back(index);
  }
  std::sort(segments.begin(), segments.end());
  for (size_t i = 0; i < segments.size(); ++i) {
    if (segments[i] != i) {
      return absl::DataLossError(absl::StrCat("segment ", i, " missing"));
    }
    std::optional<Damage> damage;
    uint64_t size = 0;
    RETURN_IF_ERROR(
        AnnotateStatus(ReplaySegment(fs, JoinPath(path, internal::SegmentName(segments[i])), replay,
                                     buffer, records, &damage, &size),
                       absl::StrCat("segment ", segments[i])));
    if (damage.has_value()) {
      return absl::DataLossError(
          absl::StrCat(DamageReason(segments[i], *damage), " (checkpoints are not repaired)"));
    }
  }
  return absl::OkStatus();
}

// Cuts `path` to `size` durably: a new segment must never be followed by a
// damaged tail that reappears after a power loss.
absl::Status TruncateDurably(FileSystem* fs, const std::string& path, uint64_t size) {
  ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> f, fs->NewWritableFile(path, false));
  RETURN_IF_ERROR(f->Truncate(size));
  RETURN_IF_ERROR(f->Sync());
  return f->Close();
}

}  // namespace

absl::StatusOr<uint32_t> Wal::Impl::Recover(const ReplayFn& replay, ReplayStats* replay_stats) {
  ASSIGN_OR_RETURN(std::vector<std::string> names, fs->ListDir(dir));
  std::vector<uint32_t> segments;
  std::vector<uint32_t> checkpoints;
  for (const std::string& name : names) {
    std::string path = JoinPath(dir, name);
    uint32_t index;
    bool tmp = false;
    if (internal::ParseSegmentName(name, &index)) {
      if (!fs->IsDir(path)) segments.push_back(index);
    } else if (internal::ParseCheckpointName(name, &index, &tmp) && fs->IsDir(path)) {
      // An unfinished checkpoint: the state before it is still complete.
      if (tmp) {
        RETURN_IF_ERROR(AnnotateStatus(fs->RemoveAll(path), absl::StrCat("remove ", name)));
      } else {
        checkpoints.push_back(index);
      }
    }
  }
  std::sort(segments.begin(), segments.end());
  std::sort(checkpoints.begin(), checkpoints.end());

  std::string buffer;  // one read buffer for the whole replay
  std::optional<uint32_t> checkpoint;
  if (!checkpoints.empty()) {
    checkpoint = checkpoints.back();
    checkpoints.pop_back();
    // Older checkpoints are leftovers of a crash while deleting them.
    for (uint32_t c : checkpoints) {
      RETURN_IF_ERROR(AnnotateStatus(fs->RemoveAll(JoinPath(dir, internal::CheckpointName(c))),
                                     absl::StrCat("remove ", internal::CheckpointName(c))));
    }
    std::string name = internal::CheckpointName(*checkpoint);
    RETURN_IF_ERROR(AnnotateStatus(
        ReplayCheckpoint(fs, JoinPath(dir, name), replay, &buffer, &replay_stats->records), name));
    replay_stats->checkpoint_loaded = true;
    // Segments the checkpoint covers are leftovers of a crash right after it
    // was renamed into place.
    while (!segments.empty() && segments.front() <= *checkpoint) {
      std::string seg = internal::SegmentName(segments.front());
      RETURN_IF_ERROR(
          AnnotateStatus(fs->RemoveFile(JoinPath(dir, seg)), absl::StrCat("remove segment ", seg)));
      segments.erase(segments.begin());
    }
  }

  uint32_t expected = checkpoint.has_value() ? *checkpoint + 1
                      : segments.empty()     ? 1
                                             : segments.front();
  // The first damage: segments[damaged_at] is cut at damage->record_offset,
  // or (gap) deleted along with everything after it.
  std::optional<Damage> damage;
  size_t damaged_at = segments.size();
  bool gap = false;
  uint64_t damaged_size = 0;
  for (size_t i = 0; i < segments.size(); ++i) {
    if (segments[i] != expected) {
      damage = Damage{0, 0, absl::StrCat("segment ", expected, " is missing")};
      damaged_at = i;
      gap = true;
      break;
    }
    RETURN_IF_ERROR(
        AnnotateStatus(ReplaySegment(fs, JoinPath(dir, internal::SegmentName(segments[i])), replay,
                                     &buffer, &replay_stats->records, &damage, &damaged_size),
                       absl::StrCat("segment ", segments[i])));
    ++replay_stats->segments;
    ++expected;
    if (damage.has_value()) {
      damaged_at = i;
      break;
    }
  }

  if (damage.has_value()) {
    replay_stats->repaired = true;
    replay_stats->repair_reason = DamageReason(segments[damaged_at], *damage);
    size_t first_deleted = damaged_at;
    if (!gap) {
      first_deleted = damaged_at + 1;
      if (damage->record_offset < damaged_size) {
        std::string seg = internal::SegmentName(segments[damaged_at]);
        RETURN_IF_ERROR(
            AnnotateStatus(TruncateDurably(fs, JoinPath(dir, seg), damage->record_offset),
                           absl::StrCat("repair: truncate segment ", segments[damaged_at])));
        replay_stats->bytes_dropped += damaged_size - damage->record_offset;
      }
    }
    for (size_t i = first_deleted; i < segments.size(); ++i) {
      std::string path = JoinPath(dir, internal::SegmentName(segments[i]));
      ASSIGN_OR_RETURN(uint64_t size, fs->FileSize(path));
      RETURN_IF_ERROR(AnnotateStatus(fs->RemoveFile(path),
                                     absl::StrCat("repair: remove segment ", segments[i])));
      replay_stats->bytes_dropped += size;
      ++replay_stats->segments_dropped;
    }
    segments.resize(first_deleted);
  }
  // Makes the removals above (leftovers and repair) durable before anything
  // new is written.
  RETURN_IF_ERROR(AnnotateStatus(fs->SyncDir(dir), "sync dir"));

  MutexLock lock(&mu);
  this->checkpoint = checkpoint;
  stats.first_segment = segments.empty() ? 0 : segments.front();
  return expected;
}

}  // namespace strata::wal
