// Reads chunks from a block's mapped segment files (docs/format/block.md,
// "Chunk segment files"), and decodes chunks of any supported encoding.
//
// Thread safety: ChunkReader is immutable after Open and safe for concurrent
// use; a ChunkDecoder is used by one thread at a time.
#ifndef STRATA_TSDB_BLOCK_CHUNK_READER_H_
#define STRATA_TSDB_BLOCK_CHUNK_READER_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tsdb/base/fs.h"
#include "tsdb/chunk/chunk_encoding.h"
#include "tsdb/chunk/cold_chunk.h"
#include "tsdb/chunk/xor_chunk.h"

namespace strata::block {

// DataLoss("<file> offset <n>: <what>").
absl::Status FileError(const std::string& file, uint64_t offset, const std::string& what);

class ChunkReader {
 public:
  // Maps chunks/000001… of block `dir`: they must be numbered 1, 2, … without
  // gaps and each must start with a valid header.
  static absl::StatusOr<std::unique_ptr<ChunkReader>> Open(FileSystem* fs, const std::string& dir);

  // The chunk at `ref`, bounds- and CRC-checked. `data` borrows the mapping.
  absl::Status Read(uint64_t ref, ChunkEncoding* encoding, std::span<const uint8_t>* data) const;

  size_t num_segments() const { return segments_.size(); }
  // Segment i + 1's bytes (chunks/00000<i+1>).
  std::span<const uint8_t> segment(size_t i) const { return segments_[i]->data(); }
  uint64_t TotalBytes() const;

  // Parses the chunk at `offset` of `segment` (bytes) without a ref check;
  // for sequential scans. Sets `*next` past the chunk.
  static absl::Status ParseAt(std::span<const uint8_t> segment, uint32_t segment_num,
                              uint64_t offset, ChunkEncoding* encoding,
                              std::span<const uint8_t>* data, uint64_t* next);

 private:
  std::vector<std::unique_ptr<MappedFile>> segments_;
};

// Decodes one chunk of any supported encoding with the iterator protocol.
// Borrows the bytes.
class ChunkDecoder {
 public:
  // `shared` resolves shared timestamp columns of cold chunks (the block).
  void Reset(ChunkEncoding encoding, std::span<const uint8_t> bytes,
             const SharedColumns* shared = nullptr);
  bool Next() {
    if (encoding_ == ChunkEncoding::kXor) [[likely]] {
      return xor_.Next();
    }
    return cold_ != nullptr && cold_->Next();
  }
  bool Seek(int64_t t) {
    if (encoding_ == ChunkEncoding::kXor) return xor_.Seek(t);
    return cold_ != nullptr && cold_->Seek(t);
  }
  // Batch read (see SampleIterator::ReadBatch in tsdb/storage.h).
  // REQUIRES: the last Next or Seek returned true; cap > 0.
  size_t ReadBatch(int64_t maxt, TimedValue* out, size_t cap, bool* positioned) {
    if (encoding_ == ChunkEncoding::kXor) return xor_.ReadBatch(maxt, out, cap, positioned);
    return cold_->ReadBatch(maxt, out, cap, positioned);
  }
  int64_t t() const { return encoding_ == ChunkEncoding::kXor ? xor_.t() : cold_->t(); }
  double v() const { return encoding_ == ChunkEncoding::kXor ? xor_.v() : cold_->v(); }
  absl::Status status() const;

 private:
  ChunkEncoding encoding_ = ChunkEncoding::kXor;
  XorIterator xor_;
  std::unique_ptr<ColdChunkIterator> cold_;  // made on first use: cold chunks are rare
  absl::Status status_;                      // unknown encoding
};

}  // namespace strata::block

#endif  // STRATA_TSDB_BLOCK_CHUNK_READER_H_
