// Wal::Checkpoint: condenses the newest checkpoint and sealed segments into
// checkpoint.<last>/ (docs/format/wal.md, "Checkpoints").
#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "tsdb/base/status_macros.h"
#include "wal/records.h"
#include "wal/segment.h"
#include "wal/wal_impl.h"

namespace strata::wal {
namespace {

using internal::SegmentWriter;

// Entries are re-batched into records of about this many bytes.
constexpr size_t kTargetRecordBytes = 1 << 20;

// Writes records into numbered segment files of a checkpoint directory.
class CheckpointWriter {
 public:
  CheckpointWriter(FileSystem* fs, std::string dir, uint64_t segment_size)
      : fs_(fs), dir_(std::move(dir)), segment_size_(segment_size) {}

  absl::Status Add(std::string_view record) {
    if (segment_ == nullptr) RETURN_IF_ERROR(StartSegment());
    frame_.clear();
    uint64_t end = internal::FrameRecord(segment_->size(), record, &frame_);
    if (end > segment_size_ && !segment_->empty()) {
      RETURN_IF_ERROR(Seal());
      RETURN_IF_ERROR(StartSegment());
      frame_.clear();
      internal::FrameRecord(segment_->size(), record, &frame_);
    }
    bool truncate_failed = false;  // irrelevant: a failed checkpoint is discarded
    return segment_->Write(frame_, &truncate_failed);
  }

  // Seals the last segment. Every file is then durable; the directory entry
  // of each was synced when it was created.
  absl::Status Finish() { return segment_ == nullptr ? absl::OkStatus() : Seal(); }

 private:
  absl::Status StartSegment() {
    ASSIGN_OR_RETURN(segment_, SegmentWriter::Create(fs_, dir_, next_index_++));
    return absl::OkStatus();
  }
  absl::Status Seal() {
    RETURN_IF_ERROR(segment_->Sync());
    absl::Status s = segment_->Close();
    segment_.reset();
    return s;
  }

  FileSystem* fs_;
  const std::string dir_;
  const uint64_t segment_size_;
  uint32_t next_index_ = 0;
  std::unique_ptr<SegmentWriter> segment_;
  std::string frame_;
};

// Filters records and batches the surviving entries. Series of a batch are
// written before its samples, so a sample's series always precedes it.
class Condenser {
 public:
  Condenser(CheckpointWriter* out, const std::function<bool(uint64_t)>& keep, int64_t mint)
      : out_(out), keep_(keep), mint_(mint) {}

  absl::Status Add(std::string_view record) {
    switch (PeekType(record)) {
      case RecordType::kSeries:
        series_in_.clear();
        RETURN_IF_ERROR(DecodeSeries(record, &series_in_));
        for (RefSeries& s : series_in_) {
          if (!keep_(s.ref)) continue;
          pending_bytes_ += 16;
          s.labels.ForEach(
              [this](const Label& l) { pending_bytes_ += l.name.size() + l.value.size() + 2; });
          series_.push_back(std::move(s));
        }
        break;
      case RecordType::kSamples:
        samples_in_.clear();
        RETURN_IF_ERROR(DecodeSamples(record, &samples_in_));
        for (const RefSample& s : samples_in_) {
          if (s.t < mint_ || !keep_(s.ref)) continue;
          pending_bytes_ += 12;
          samples_.push_back(s);
        }
        break;
      case RecordType::kTombstones:
        tombstones_in_.clear();
        RETURN_IF_ERROR(DecodeTombstones(record, &tombstones_in_));
        for (const RefTombstone& t : tombstones_in_) {
          if (t.maxt < mint_ || !keep_(t.ref)) continue;
          pending_bytes_ += 12;
          tombstones_.push_back(t);
        }
        break;
      case RecordType::kMetadata:
        metadata_in_.clear();
        RETURN_IF_ERROR(DecodeMetadata(record, &metadata_in_));
        for (RefMetadata& m : metadata_in_) {
          if (!keep_(m.ref)) continue;
          metadata_[m.ref] = std::move(m);  // the latest entry wins
        }
        break;
      case RecordType::kInvalid:
        return absl::DataLossError(absl::StrCat(
            "record: unknown record type ", record.empty() ? 0 : static_cast<uint8_t>(record[0])));
    }
    if (pending_bytes_ >= kTargetRecordBytes) return Flush();
    return absl::OkStatus();
  }

  absl::Status Finish() {
    RETURN_IF_ERROR(Flush());
    std::vector<RefMetadata> metadata;
    metadata.reserve(metadata_.size());
    for (auto& [ref, m] : metadata_) metadata.push_back(std::move(m));
    // Deterministic output.
    std::sort(metadata.begin(), metadata.end(),
              [](const RefMetadata& a, const RefMetadata& b) { return a.ref < b.ref; });
    size_t bytes = 0;
    size_t start = 0;
    for (size_t i = 0; i < metadata.size(); ++i) {
      bytes += metadata[i].unit.size() + metadata[i].help.size() + 16;
      if (bytes >= kTargetRecordBytes || i + 1 == metadata.size()) {
        record_.clear();
        EncodeMetadata(std::span(metadata).subspan(start, i + 1 - start), &record_);
        RETURN_IF_ERROR(out_->Add(record_));
        start = i + 1;
        bytes = 0;
      }
    }
    return absl::OkStatus();
  }

 private:
  absl::Status Flush() {
    if (!series_.empty()) {
      record_.clear();
      EncodeSeries(series_, &record_);
      RETURN_IF_ERROR(out_->Add(record_));
      series_.clear();
    }
    if (!samples_.empty()) {
      record_.clear();
      EncodeSamples(samples_, &record_);
      RETURN_IF_ERROR(out_->Add(record_));
      samples_.clear();
    }
    if (!tombstones_.empty()) {
      record_.clear();
      EncodeTombstones(tombstones_, &record_);
      RETURN_IF_ERROR(out_->Add(record_));
      tombstones_.clear();
    }
    pending_bytes_ = 0;
    return absl::OkStatus();
  }

  CheckpointWriter* out_;
  const std::function<bool(uint64_t)>& keep_;
  const int64_t mint_;
  // Decoded input, reused across records.
  std::vector<RefSeries> series_in_;
  std::vector<RefSample> samples_in_;
  std::vector<RefTombstone> tombstones_in_;
  std::vector<RefMetadata> metadata_in_;
  // Kept entries not yet written.
  std::vector<RefSeries> series_;
  std::vector<RefSample> samples_;
  std::vector<RefTombstone> tombstones_;
  absl::flat_hash_map<uint64_t, RefMetadata> metadata_;
  size_t pending_bytes_ = 0;
  std::string record_;
};

// Feeds every record of segment `path` to `condenser`; damage is an error
// here (the segments were validated when the WAL was opened).
absl::Status CondenseSegment(FileSystem* fs, const std::string& path, Condenser* condenser,
                             std::string* buffer) {
  std::optional<internal::Damage> damage;
  uint64_t records = 0;
  uint64_t size = 0;
  RETURN_IF_ERROR(internal::ReplaySegment(
      fs, path, [condenser](std::string_view r) { return condenser->Add(r); }, buffer, &records,
      &damage, &size));
  if (damage.has_value()) {
    return absl::DataLossError(absl::StrCat("offset ", damage->offset, ": ", damage->what));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status Wal::Checkpoint(uint32_t last, const std::function<bool(uint64_t ref)>& keep_series,
                             int64_t mint) {
  return AnnotateStatus(impl_->DoCheckpoint(last, keep_series, mint),
                        absl::StrCat("wal: checkpoint ", last));
}

absl::Status Wal::Impl::DoCheckpoint(uint32_t last,
                                     const std::function<bool(uint64_t ref)>& keep_series,
                                     int64_t mint) {
  MutexLock checkpoint_lock(&checkpoint_mu);
  std::optional<uint32_t> previous;
  uint32_t first = 0;
  {
    MutexLock lock(&mu);
    if (closed) return absl::FailedPreconditionError("closed");
    if (last >= stats.current_segment) {
      return absl::FailedPreconditionError(
          absl::StrCat("segment ", last, " is not sealed (current segment is ",
                       stats.current_segment, "; call NextSegment first)"));
    }
    previous = checkpoint;
    first = stats.first_segment;
  }
  if (previous.has_value()) first = *previous + 1;
  if (first > last) return absl::OkStatus();  // nothing new to condense

  const std::string final_dir = JoinPath(dir, internal::CheckpointName(last));
  const std::string tmp_dir = final_dir + ".tmp";
  RETURN_IF_ERROR(fs->RemoveAll(tmp_dir));  // a leftover of an earlier failure
  RETURN_IF_ERROR(fs->CreateDir(tmp_dir));
  absl::Status s = [&]() -> absl::Status {
    CheckpointWriter writer(fs, tmp_dir, options.segment_size);
    Condenser condenser(&writer, keep_series, mint);
    std::string buffer;
    if (previous.has_value()) {
      std::string prev_dir = JoinPath(dir, internal::CheckpointName(*previous));
      ASSIGN_OR_RETURN(std::vector<std::string> names, fs->ListDir(prev_dir));
      for (const std::string& name : names) {  // sorted, so in segment order
        uint32_t index;
        if (!internal::ParseSegmentName(name, &index)) continue;
        RETURN_IF_ERROR(
            AnnotateStatus(CondenseSegment(fs, JoinPath(prev_dir, name), &condenser, &buffer),
                           absl::StrCat(internal::CheckpointName(*previous), ": segment ", index)));
      }
    }
    for (uint32_t i = first; i <= last; ++i) {
      RETURN_IF_ERROR(AnnotateStatus(
          CondenseSegment(fs, JoinPath(dir, internal::SegmentName(i)), &condenser, &buffer),
          absl::StrCat("segment ", i)));
    }
    RETURN_IF_ERROR(condenser.Finish());
    RETURN_IF_ERROR(writer.Finish());
    RETURN_IF_ERROR(fs->SyncDir(tmp_dir));
    RETURN_IF_ERROR(fs->Rename(tmp_dir, final_dir));
    return fs->SyncDir(dir);
  }();
  if (!s.ok()) {
    fs->RemoveAll(tmp_dir).IgnoreError();
    return s;
  }
  {
    MutexLock lock(&mu);
    checkpoint = last;
    stats.first_segment = last + 1;
  }
  // The checkpoint is in place; what it replaces can go. A crash or failure
  // from here on leaves leftovers that Open deletes.
  for (uint32_t i = first; i <= last; ++i) {
    absl::Status r = fs->RemoveFile(JoinPath(dir, internal::SegmentName(i)));
    if (!r.ok() && !absl::IsNotFound(r)) return r;
  }
  if (previous.has_value()) {
    RETURN_IF_ERROR(fs->RemoveAll(JoinPath(dir, internal::CheckpointName(*previous))));
  }
  return fs->SyncDir(dir);
}

}  // namespace strata::wal
