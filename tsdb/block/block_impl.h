// The Block implementation shared by block.cc (open, series), block_querier.cc
// and verify.cc. Not part of the API.
#ifndef STRATA_TSDB_BLOCK_BLOCK_IMPL_H_
#define STRATA_TSDB_BLOCK_BLOCK_IMPL_H_

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "tsdb/block/block.h"
#include "tsdb/block/chunk_reader.h"
#include "tsdb/block/index_reader.h"

namespace strata::block {

class BlockImpl final : public Block, public SharedColumns {
 public:
  BlockImpl(BlockMeta meta, std::string dir, std::unique_ptr<MappedFile> index_file,
            std::unique_ptr<IndexReader> index, std::unique_ptr<ChunkReader> chunks,
            uint64_t meta_bytes, std::unique_ptr<MappedFile> tombstones)
      : meta_(std::move(meta)),
        dir_(std::move(dir)),
        index_file_(std::move(index_file)),
        index_(std::move(index)),
        chunks_(std::move(chunks)),
        meta_bytes_(meta_bytes),
        tombstones_(std::move(tombstones)) {}

  const BlockMeta& meta() const override { return meta_; }
  const std::string& dir() const override { return dir_; }
  uint64_t SizeBytes() const override {
    return IndexBytes() + ChunkBytes() + meta_bytes_ + tombstones_->data().size();
  }
  uint64_t IndexBytes() const override { return index_file_->data().size(); }
  uint64_t ChunkBytes() const override { return chunks_->TotalBytes(); }

  std::unique_ptr<Querier> NewQuerier(int64_t mint, int64_t maxt) const override;
  std::unique_ptr<ChunkSeriesIterator> Series() const override;
  std::vector<Damage> Verify() const override;
  bool damaged() const override { return damaged_.load(std::memory_order_relaxed); }
  const SharedColumns& shared_columns() const override { return *this; }
  // Reads a kTimestamps or kCold chunk, CRC-checked; errors are
  // DataLoss("<file> offset <n>: …") and mark the block damaged.
  absl::Status SharedColumn(uint64_t ref, ChunkEncoding encoding,
                            std::span<const uint8_t>* bytes) const override;

  const IndexReader& index() const { return *index_; }
  const ChunkReader& chunks() const { return *chunks_; }
  // `s` with "corrupted block <ulid>: " prepended (ok stays ok).
  absl::Status Corrupted(const absl::Status& s) const;
  // Reads the chunk `meta` describes, CRC-checked, and checks an XOR
  // chunk's sample count against the index; errors are Corrupted(...).
  absl::Status LoadChunk(const ChunkMeta& meta, StoredChunk* out) const;

 private:
  const BlockMeta meta_;
  const std::string dir_;
  const std::unique_ptr<MappedFile> index_file_;
  const std::unique_ptr<IndexReader> index_;
  const std::unique_ptr<ChunkReader> chunks_;
  const uint64_t meta_bytes_;
  const std::unique_ptr<MappedFile> tombstones_;
  mutable std::atomic<bool> damaged_{false};
};

// Sorted-list set operations on series refs.
void Intersect(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b,
               std::vector<uint64_t>* out);
void Subtract(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b,
              std::vector<uint64_t>* out);
// Series refs matching all of `matchers`, sorted (so in label order).
absl::Status PostingsForMatchers(const IndexReader& index, std::span<const Matcher> matchers,
                                 std::vector<uint64_t>* out);

}  // namespace strata::block

#endif  // STRATA_TSDB_BLOCK_BLOCK_IMPL_H_
