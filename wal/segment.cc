#include "wal/segment.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tsdb/base/coding.h"
#include "tsdb/base/crc32c.h"
#include "tsdb/base/status_macros.h"

namespace strata::wal::internal {
namespace {

// Replay reads this many bytes at a time (whole pages).
constexpr uint64_t kReadSize = 32 * kPageSize;

constexpr char kCheckpointPrefix[] = "checkpoint.";
constexpr char kTmpSuffix[] = ".tmp";

uint64_t PageEnd(uint64_t offset) { return (offset / kPageSize + 1) * kPageSize; }

const char* FragmentTypeName(uint8_t type) {
  switch (type) {
    case kFull:
      return "full";
    case kFirst:
      return "first";
    case kMiddle:
      return "middle";
    case kLast:
      return "last";
    default:
      return "padding";
  }
}

}  // namespace

std::string SegmentName(uint32_t index) { return absl::StrFormat("%08u", index); }

bool ParseSegmentName(std::string_view name, uint32_t* index) {
  if (name.empty() || name.size() > 10) return false;
  uint64_t v = 0;
  for (char c : name) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v > UINT32_MAX) return false;
  // Only the canonical spelling, so "1" and "00000001" cannot both claim
  // segment 1.
  if (name != SegmentName(static_cast<uint32_t>(v))) return false;
  *index = static_cast<uint32_t>(v);
  return true;
}

std::string CheckpointName(uint32_t index) {
  return absl::StrCat(kCheckpointPrefix, SegmentName(index));
}

bool ParseCheckpointName(std::string_view name, uint32_t* index, bool* tmp) {
  constexpr std::string_view prefix = kCheckpointPrefix;
  constexpr std::string_view suffix = kTmpSuffix;
  if (!name.starts_with(prefix)) return false;
  name.remove_prefix(prefix.size());
  *tmp = name.ends_with(suffix);
  if (*tmp) name.remove_suffix(suffix.size());
  return ParseSegmentName(name, index);
}

void AppendSegmentHeader(std::string* out) {
  out->append(kSegmentMagic);
  out->push_back(static_cast<char>(kFormatVersion));
  out->append(3, '\0');
}

uint64_t FrameRecord(uint64_t offset, std::string_view record, std::string* out) {
  bool first = true;
  while (true) {
    uint64_t page_left = PageEnd(offset) - offset;
    // A header plus at least one payload byte must fit; otherwise pad the page.
    if (page_left < kFragmentHeaderSize + 1) {
      out->append(page_left, '\0');
      offset += page_left;
      continue;
    }
    size_t n =
        static_cast<size_t>(std::min<uint64_t>(record.size(), page_left - kFragmentHeaderSize));
    bool last = n == record.size();
    uint8_t type = first ? (last ? kFull : kFirst) : (last ? kLast : kMiddle);
    std::string_view payload = record.substr(0, n);
    out->push_back(static_cast<char>(type));
    out->push_back(static_cast<char>(n >> 8));
    out->push_back(static_cast<char>(n));
    PutBigEndian32(out, crc32c::Value(payload));
    out->append(payload);
    offset += kFragmentHeaderSize + n;
    record.remove_prefix(n);
    first = false;
    if (last) return offset;
  }
}

// ---------------------------------------------------------------------------
// SegmentWriter

SegmentWriter::SegmentWriter(uint32_t index, std::string path, std::unique_ptr<WritableFile> file)
    : index_(index), path_(std::move(path)), file_(std::move(file)) {}

SegmentWriter::~SegmentWriter() {
  if (file_ != nullptr) file_->Close().IgnoreError();
}

absl::StatusOr<std::unique_ptr<SegmentWriter>> SegmentWriter::Create(FileSystem* fs,
                                                                     const std::string& dir,
                                                                     uint32_t index) {
  std::string path = JoinPath(dir, SegmentName(index));
  std::string context = absl::StrCat("segment ", index, ": create");
  absl::StatusOr<std::unique_ptr<WritableFile>> file = fs->NewWritableFile(path, true);
  if (!file.ok()) return AnnotateStatus(file.status(), context);
  std::unique_ptr<SegmentWriter> w(new SegmentWriter(index, path, *std::move(file)));
  std::string header;
  AppendSegmentHeader(&header);
  bool truncate_failed = false;
  absl::Status s = w->Write(header, &truncate_failed);
  if (s.ok()) s = w->Sync();
  // The directory entry must be durable before records in the file are
  // acknowledged, or a power loss could drop the whole segment.
  if (s.ok()) s = AnnotateStatus(fs->SyncDir(dir), context);
  if (!s.ok()) {
    w->Close().IgnoreError();
    // An empty or headerless segment would read back as valid-empty or as
    // damage; removing it keeps the directory clean. Best effort.
    fs->RemoveFile(path).IgnoreError();
    return s;
  }
  return w;
}

absl::Status SegmentWriter::Write(std::string_view data, bool* truncate_failed) {
  absl::Status s = file_->Append(data);
  if (s.ok()) {
    size_ += data.size();
    dirty_ = true;
    return s;
  }
  std::string context = absl::StrCat("segment ", index_, ": write");
  absl::Status t = file_->Truncate(size_);
  if (!t.ok()) {
    *truncate_failed = true;
    return absl::Status(s.code(), absl::StrCat(context, ": ", s.message(),
                                               "; truncating back failed: ", t.message()));
  }
  return AnnotateStatus(s, context);
}

absl::Status SegmentWriter::Unwrite(uint64_t n) {
  uint64_t target = size_ - std::min(n, size_);
  RETURN_IF_ERROR(
      AnnotateStatus(file_->Truncate(target), absl::StrCat("segment ", index_, ": truncate")));
  size_ = target;
  return absl::OkStatus();
}

absl::Status SegmentWriter::Sync() {
  RETURN_IF_ERROR(AnnotateStatus(file_->Sync(), absl::StrCat("segment ", index_, ": sync")));
  dirty_ = false;
  return absl::OkStatus();
}

absl::Status SegmentWriter::Close() {
  if (file_ == nullptr) return absl::OkStatus();
  absl::Status s = file_->Close();
  file_.reset();
  return AnnotateStatus(s, absl::StrCat("segment ", index_, ": close"));
}

// ---------------------------------------------------------------------------
// SegmentReader

SegmentReader::SegmentReader(FileSystem* fs, std::string path, std::string* buffer)
    : fs_(fs), path_(std::move(path)), buf_(buffer) {}

SegmentReader::~SegmentReader() = default;

absl::Status SegmentReader::Open() {
  ASSIGN_OR_RETURN(file_, fs_->NewRandomAccessFile(path_));
  file_size_ = file_->Size();
  buf_start_ = 0;
  buf_len_ = 0;
  pos_ = 0;
  if (file_size_ == 0) return absl::OkStatus();  // valid and empty
  if (file_size_ < kSegmentHeaderSize) {
    SetDamage(0, "truncated segment header");
    return absl::OkStatus();
  }
  const char* h = Fill(kSegmentHeaderSize);
  if (h == nullptr) return status_;
  if (std::string_view(h, kSegmentMagic.size()) != kSegmentMagic) {
    SetDamage(0, "bad magic");
    return absl::OkStatus();
  }
  uint8_t version = static_cast<uint8_t>(h[4]);
  if (version != kFormatVersion) {
    // Not damage: a newer binary wrote it. Refuse rather than "repair" it away.
    return absl::FailedPreconditionError(
        absl::StrCat(path_, ": unsupported segment format version ", version));
  }
  pos_ = kSegmentHeaderSize;
  return absl::OkStatus();
}

const char* SegmentReader::Fill(uint64_t n) {
  if (pos_ < buf_start_ || pos_ + n > buf_start_ + buf_len_) {
    // Load whole pages starting with the one holding pos_; fragments never
    // cross pages, so everything within this page is then in the buffer.
    uint64_t start = pos_ - pos_ % kPageSize;
    uint64_t len = std::min(kReadSize, file_size_ - start);
    if (buf_->size() < kReadSize) buf_->resize(kReadSize);
    absl::StatusOr<size_t> got = file_->ReadAt(start, len, buf_->data());
    if (!got.ok()) {
      status_ = got.status();
      return nullptr;
    }
    buf_start_ = start;
    buf_len_ = *got;
    if (pos_ + n > buf_start_ + buf_len_) {
      // The file shrank under us; the caller checked n against file_size_.
      status_ = absl::DataLossError(absl::StrCat(path_, ": short read at offset ", pos_));
      return nullptr;
    }
  }
  return buf_->data() + (pos_ - buf_start_);
}

bool SegmentReader::SetDamage(uint64_t offset, std::string what) {
  Damage d;
  d.offset = offset;
  d.record_offset = in_record_ ? record_offset_ : offset;
  d.what = std::move(what);
  damage_ = std::move(d);
  return false;
}

bool SegmentReader::CheckZeros(uint64_t end) {
  const char* p = Fill(end - pos_);
  if (p == nullptr) return false;
  for (uint64_t i = 0; i < end - pos_; ++i) {
    if (p[i] != 0) {
      SetDamage(pos_ + i, "non-zero bytes in page padding");
      damage_->record_offset = pos_;  // cut where the padding starts
      return false;
    }
  }
  return true;
}

bool SegmentReader::Next(std::string_view* record) {
  if (file_ == nullptr || damage_.has_value() || !status_.ok()) return false;
  while (true) {
    if (pos_ >= file_size_) {
      if (in_record_) return SetDamage(pos_, "segment ends inside a record");
      return false;
    }
    uint64_t page_end = PageEnd(pos_);
    uint64_t avail = std::min(page_end, file_size_) - pos_;  // readable bytes in this page
    if (page_end - pos_ < kFragmentHeaderSize) {
      // Non-final fragments end exactly at a page end, so a record in
      // progress can never leave a page tail.
      if (in_record_) return SetDamage(pos_, "padding inside record");
      if (!CheckZeros(pos_ + avail)) return false;
      pos_ += avail;
      continue;
    }
    const char* p = Fill(1);
    if (p == nullptr) return false;
    uint8_t type = static_cast<uint8_t>(p[0]);
    if (type == kPadding) {
      if (in_record_) return SetDamage(pos_, "padding inside record");
      if (!CheckZeros(pos_ + avail)) return false;
      pos_ += avail;
      continue;
    }
    if (type > kLast) return SetDamage(pos_, absl::StrCat("invalid fragment type ", type));
    if (avail < kFragmentHeaderSize) return SetDamage(pos_, "truncated fragment header");
    p = Fill(kFragmentHeaderSize);
    if (p == nullptr) return false;
    uint64_t len = uint64_t{static_cast<uint8_t>(p[1])} << 8 | static_cast<uint8_t>(p[2]);
    uint32_t want_crc = LoadBigEndian32(p + 3);
    if (kFragmentHeaderSize + len > page_end - pos_) {
      return SetDamage(pos_, absl::StrCat("fragment length ", len, " exceeds page"));
    }
    if (kFragmentHeaderSize + len > avail) return SetDamage(pos_, "truncated fragment");
    p = Fill(kFragmentHeaderSize + len);
    if (p == nullptr) return false;
    std::string_view payload(p + kFragmentHeaderSize, len);
    if (crc32c::Value(payload) != want_crc) return SetDamage(pos_, "crc mismatch");
    bool starts = type == kFull || type == kFirst;
    if (starts == in_record_) {
      return SetDamage(
          pos_, absl::StrCat(in_record_ ? "unexpected " : "", FragmentTypeName(type), " fragment ",
                             in_record_ ? "inside record" : "without first"));
    }
    uint64_t frag_offset = pos_;
    pos_ += kFragmentHeaderSize + len;
    switch (type) {
      case kFull:
        record_offset_ = frag_offset;
        *record = payload;
        return true;
      case kFirst:
        in_record_ = true;
        record_offset_ = frag_offset;
        record_.assign(payload);
        break;
      case kMiddle:
        record_.append(payload);
        break;
      default:  // kLast
        record_.append(payload);
        in_record_ = false;
        *record = record_;
        return true;
    }
  }
}

absl::Status ReplaySegment(FileSystem* fs, const std::string& path,
                           const std::function<absl::Status(std::string_view)>& fn,
                           std::string* buffer, uint64_t* records, std::optional<Damage>* damage,
                           uint64_t* file_size) {
  SegmentReader reader(fs, path, buffer);
  RETURN_IF_ERROR(reader.Open());
  *file_size = reader.file_size();
  std::string_view record;
  while (reader.Next(&record)) {
    absl::Status s = fn(record);
    if (s.ok()) {
      ++*records;
      continue;
    }
    uint64_t at = reader.record_offset();
    if (absl::IsDataLoss(s)) {
      *damage = Damage{at, at, std::string(s.message())};
      return absl::OkStatus();
    }
    return AnnotateStatus(s, absl::StrCat("offset ", at));
  }
  RETURN_IF_ERROR(reader.status());
  *damage = reader.damage();
  return absl::OkStatus();
}

}  // namespace strata::wal::internal
