// WalkWal: the read-only counterpart of Wal::Impl::Recover (wal/replay.cc).
// The two must agree on what is replayed; this one never changes the files.
#include "wal/inspect.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tsdb/base/status_macros.h"
#include "wal/segment.h"

namespace strata::wal {
namespace {

using internal::CheckpointName;
using internal::SegmentName;
using internal::SegmentReader;

// Damage kinds a concurrent append can make the newest segment show.
bool LooksTorn(const std::string& what) {
  return what == "truncated fragment" || what == "segment ends inside a record" ||
         what == "truncated fragment header" || what == "truncated segment header";
}

struct Walker {
  FileSystem* fs;
  const std::string& dir;
  const WalRecordFn& fn;
  WalLayout* layout;
  std::vector<WalProblem>* problems;
  std::string buffer;  // one read buffer for the whole walk

  void Problem(std::string file, uint64_t offset, std::string what) {
    problems->push_back({std::move(file), offset, std::move(what)});
  }

  // Reads one segment file; `newest` marks the last segment of the WAL.
  absl::Status ReadSegment(RecordPosition pos, bool newest) {
    SegmentReader reader(fs, JoinPath(dir, pos.file), &buffer);
    absl::Status s = reader.Open();
    if (absl::IsFailedPrecondition(s)) {  // unknown format version
      Problem(pos.file, 4, std::string(s.message()));
      return absl::OkStatus();
    }
    RETURN_IF_ERROR(AnnotateStatus(s, pos.file));
    layout->bytes += reader.file_size();
    std::string_view record;
    while (reader.Next(&record)) {
      pos.offset = reader.record_offset();
      absl::Status r = fn(pos, record);
      if (absl::IsDataLoss(r)) {
        Problem(pos.file, pos.offset, std::string(r.message()));
      } else if (!r.ok()) {
        return AnnotateStatus(r, absl::StrCat(pos.file, " offset ", pos.offset));
      }
    }
    RETURN_IF_ERROR(AnnotateStatus(reader.status(), pos.file));
    if (reader.damage().has_value()) {
      const internal::Damage& d = *reader.damage();
      std::string what = d.what;
      if (d.record_offset != d.offset) {
        absl::StrAppend(&what, " (in the record starting at offset ", d.record_offset, ")");
      }
      if (newest && LooksTorn(d.what)) {
        absl::StrAppend(&what,
                        "; torn tail of the newest segment: a write in progress if a server is "
                        "running, otherwise cut by the next open");
      }
      Problem(pos.file, d.offset, std::move(what));
    }
    return absl::OkStatus();
  }

  absl::Status ReadCheckpoint(uint32_t index) {
    const std::string name = CheckpointName(index);
    absl::StatusOr<std::vector<std::string>> names = fs->ListDir(JoinPath(dir, name));
    RETURN_IF_ERROR(AnnotateStatus(names.status(), name));
    std::vector<uint32_t> segments;
    for (const std::string& n : *names) {
      uint32_t i;
      if (internal::ParseSegmentName(n, &i)) segments.push_back(i);
    }
    std::sort(segments.begin(), segments.end());
    layout->checkpoint_segments = static_cast<uint32_t>(segments.size());
    uint32_t expected = 0;
    for (uint32_t i : segments) {
      if (i != expected) {
        Problem(name, 0,
                absl::StrCat("checkpoint segment ", SegmentName(expected), " is missing (next is ",
                             SegmentName(i), ")"));
      }
      expected = i + 1;
      RecordPosition pos;
      pos.file = absl::StrCat(name, "/", SegmentName(i));
      pos.in_checkpoint = true;
      pos.segment = i;
      RETURN_IF_ERROR(ReadSegment(std::move(pos), false));
    }
    return absl::OkStatus();
  }
};

}  // namespace

absl::Status WalkWal(FileSystem* fs, const std::string& dir, const WalRecordFn& fn,
                     WalLayout* layout, std::vector<WalProblem>* problems) {
  *layout = WalLayout();
  absl::StatusOr<std::vector<std::string>> listed = fs->ListDir(dir);
  RETURN_IF_ERROR(AnnotateStatus(listed.status(), dir));
  std::vector<std::string> names = *std::move(listed);
  std::sort(names.begin(), names.end());
  std::vector<uint32_t> segments, checkpoints;
  for (const std::string& name : names) {
    const std::string path = JoinPath(dir, name);
    uint32_t index;
    bool tmp = false;
    if (internal::ParseSegmentName(name, &index) && !fs->IsDir(path)) {
      segments.push_back(index);
    } else if (internal::ParseCheckpointName(name, &index, &tmp) && fs->IsDir(path)) {
      if (tmp) {
        layout->ignored.push_back(name);
      } else {
        checkpoints.push_back(index);
      }
    }
  }
  std::sort(segments.begin(), segments.end());
  std::sort(checkpoints.begin(), checkpoints.end());

  Walker w{fs, dir, fn, layout, problems, {}};
  if (!checkpoints.empty()) {
    layout->checkpoint = checkpoints.back();
    for (size_t i = 0; i + 1 < checkpoints.size(); ++i) {
      layout->ignored.push_back(CheckpointName(checkpoints[i]));
    }
    RETURN_IF_ERROR(w.ReadCheckpoint(*layout->checkpoint));
    while (!segments.empty() && segments.front() <= *layout->checkpoint) {
      layout->ignored.push_back(SegmentName(segments.front()));
      segments.erase(segments.begin());
    }
  }
  layout->segments = segments;
  uint32_t expected = layout->checkpoint.has_value() ? *layout->checkpoint + 1
                      : segments.empty()             ? 1
                                                     : segments.front();
  for (size_t i = 0; i < segments.size(); ++i) {
    if (segments[i] != expected) {
      w.Problem(SegmentName(segments[i]), 0,
                absl::StrCat("segment numbers are not consecutive: expected ",
                             SegmentName(expected), ", found ", SegmentName(segments[i]),
                             " (open drops this and every later segment)"));
    }
    expected = segments[i] + 1;
    RecordPosition pos;
    pos.file = SegmentName(segments[i]);
    pos.segment = segments[i];
    RETURN_IF_ERROR(w.ReadSegment(std::move(pos), i + 1 == segments.size()));
  }
  return absl::OkStatus();
}

}  // namespace strata::wal
