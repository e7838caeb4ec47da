// Internal to wal/: segment file framing (pages, fragments), file naming, and
// the segment writer and reader. Byte layout: docs/format/wal.md.
//
// Not thread-safe: each SegmentWriter / SegmentReader is used by one thread at
// a time (the Wal serialises writers through group-commit leadership).
#ifndef STRATA_WAL_SEGMENT_H_
#define STRATA_WAL_SEGMENT_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tsdb/base/fs.h"

namespace strata::wal::internal {

inline constexpr uint64_t kPageSize = 32 * 1024;
inline constexpr uint64_t kSegmentHeaderSize = 8;
inline constexpr uint64_t kFragmentHeaderSize = 7;
inline constexpr std::string_view kSegmentMagic = "STRW";
inline constexpr uint8_t kFormatVersion = 1;

enum FragmentType : uint8_t {
  kPadding = 0,
  kFull = 1,
  kFirst = 2,
  kMiddle = 3,
  kLast = 4,
};

// "00000012". Segment and checkpoint directory names share this form.
std::string SegmentName(uint32_t index);
// Accepts only canonical names (SegmentName(index) == name).
bool ParseSegmentName(std::string_view name, uint32_t* index);
// "checkpoint.00000012".
std::string CheckpointName(uint32_t index);
// Parses "checkpoint.<digits>"; sets *tmp when the name ends in ".tmp".
bool ParseCheckpointName(std::string_view name, uint32_t* index, bool* tmp);

// Appends the 8-byte segment header.
void AppendSegmentHeader(std::string* out);

// Appends the fragments (and any page padding before them) of a non-empty
// `record` that will be written at file offset `offset`; returns the file
// offset after them.
uint64_t FrameRecord(uint64_t offset, std::string_view record, std::string* out);

// Appends framed bytes to one segment file and keeps track of its length.
class SegmentWriter {
 public:
  // Creates (truncating) segment `index` in `dir`, writes the segment header
  // and makes file and directory entry durable. `fs` must outlive the writer.
  static absl::StatusOr<std::unique_ptr<SegmentWriter>> Create(FileSystem* fs,
                                                               const std::string& dir,
                                                               uint32_t index);
  ~SegmentWriter();

  uint32_t index() const { return index_; }
  const std::string& path() const { return path_; }
  // Length of the file: the header plus every successful Write.
  uint64_t size() const { return size_; }
  // True while nothing but the header was written.
  bool empty() const { return size_ <= kSegmentHeaderSize; }
  // True when bytes were written since the last successful Sync.
  bool dirty() const { return dirty_; }

  // Appends `data`. On failure the file is truncated back to size() so that
  // no partial write remains; if even that fails, *truncate_failed is set and
  // the file's tail is unknown. Errors read "segment 7: write: <cause>".
  absl::Status Write(std::string_view data, bool* truncate_failed);
  // Undoes the last `n` written bytes (used when a Sync of them failed).
  absl::Status Unwrite(uint64_t n);
  absl::Status Sync();
  absl::Status Close();

 private:
  SegmentWriter(uint32_t index, std::string path, std::unique_ptr<WritableFile> file);

  const uint32_t index_;
  const std::string path_;
  std::unique_ptr<WritableFile> file_;
  uint64_t size_ = 0;
  bool dirty_ = false;
};

// Where and why a segment stops being readable.
struct Damage {
  uint64_t offset = 0;         // where the damage was detected
  uint64_t record_offset = 0;  // start of the damaged record: truncate here
  std::string what;            // "crc mismatch"
};

// Reads the records of one segment file in order.
//
//   SegmentReader r(fs, path, &scratch);
//   RETURN_IF_ERROR(r.Open());
//   std::string_view rec;
//   while (r.Next(&rec)) Use(rec);
//   RETURN_IF_ERROR(r.status());          // I/O error: not damage
//   if (r.damage()) ... repair ...
//
// A record handed out by Next is valid until the next call to Next. Records
// held in one fragment point straight into the read buffer (no copy).
class SegmentReader {
 public:
  // `fs` and `buffer` must outlive the reader; `buffer` is reused across
  // readers so a replay allocates its read buffer once.
  SegmentReader(FileSystem* fs, std::string path, std::string* buffer);
  ~SegmentReader();

  // Opens the file and checks the header. Returns an error for I/O failures
  // and for an unknown format version (FailedPrecondition); a bad header is
  // damage (see damage()), not an error.
  absl::Status Open();
  bool Next(std::string_view* record);
  // Start offset of the record last returned by Next.
  uint64_t record_offset() const { return record_offset_; }
  // I/O error that stopped Next.
  const absl::Status& status() const { return status_; }
  // Set when Next stopped at damage.
  const std::optional<Damage>& damage() const { return damage_; }
  uint64_t file_size() const { return file_size_; }

 private:
  // Makes [pos_, min(pos_ + n, page end)) readable in the buffer; returns the
  // address of pos_. n never crosses a page boundary.
  const char* Fill(uint64_t n);
  bool SetDamage(uint64_t offset, std::string what);
  // Checks that [pos_, end) is zero.
  bool CheckZeros(uint64_t end);

  FileSystem* fs_;
  std::string path_;
  std::string* buf_;
  std::unique_ptr<RandomAccessFile> file_;
  uint64_t file_size_ = 0;
  uint64_t buf_start_ = 0;  // file offset of (*buf_)[0]
  uint64_t buf_len_ = 0;    // valid bytes in *buf_
  uint64_t pos_ = 0;        // next byte to parse
  std::string record_;      // assembly of multi-fragment records
  bool in_record_ = false;
  uint64_t record_offset_ = 0;
  absl::Status status_;
  std::optional<Damage> damage_;
};

// Calls `fn` for every record of the segment file at `path`, in order.
// Damage, including a record `fn` rejects with DataLoss, stops the walk and
// is returned in *damage (then ok is returned); the returned status is for
// I/O errors, an unknown format version, and other errors of `fn`.
// *file_size is the segment's length. `buffer` is scratch, reused.
absl::Status ReplaySegment(FileSystem* fs, const std::string& path,
                           const std::function<absl::Status(std::string_view)>& fn,
                           std::string* buffer, uint64_t* records, std::optional<Damage>* damage,
                           uint64_t* file_size);

}  // namespace strata::wal::internal

#endif  // STRATA_WAL_SEGMENT_H_
