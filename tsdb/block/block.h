// A persistent, immutable block opened for reading (docs/format/block.md).
// The index and chunk segments are memory-mapped; every section's and every
// chunk's CRC32C is checked before its bytes are used, so damage is reported
// as DataLoss "corrupted block <ulid>: <file> offset <n>: <what>" and never
// turns into wrong results.
//
//   ASSIGN_OR_RETURN(std::shared_ptr<Block> b, Block::Open(fs, "data/01J…"));
//   auto q = b->NewQuerier(mint, maxt);      // a strata::Querier
//   auto it = b->Series();                   // every series with raw chunks
//
// Open validates meta.json and the index's table of contents and section
// CRCs; chunk CRCs are checked when a chunk is read. Verify() checks
// everything (for tsdb-tool verify).
//
// Thread safety: a Block is immutable and safe for concurrent use; each
// querier/iterator it returns is used by one thread at a time. Lifetime:
// queriers and iterators hold a shared_ptr to the block, so a block removed
// by retention or compaction stays readable until its last reader is gone.
#ifndef STRATA_TSDB_BLOCK_BLOCK_H_
#define STRATA_TSDB_BLOCK_BLOCK_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tsdb/base/fs.h"
#include "tsdb/block/block_writer.h"
#include "tsdb/block/meta.h"
#include "tsdb/chunk/cold_chunk.h"
#include "tsdb/labels/labels.h"
#include "tsdb/storage.h"

namespace strata::block {

// A chunk as stored: its encoding and bytes (borrowed from the mapping; valid
// while the Block lives).
struct StoredChunk {
  int64_t min_time = 0;
  int64_t max_time = 0;
  uint32_t num_samples = 0;
  ChunkEncoding encoding = ChunkEncoding::kXor;
  std::span<const uint8_t> bytes;
};

// Iterates a block's series in Labels::Compare order with their chunks.
class ChunkSeriesIterator {
 public:
  virtual ~ChunkSeriesIterator() = default;
  virtual bool Next() = 0;
  virtual const Labels& labels() const = 0;
  // The current series' chunks, CRC-checked, in time order.
  virtual std::span<const StoredChunk> chunks() const = 0;
  virtual absl::Status status() const = 0;
};

// One problem found by Verify: which file, where, what.
struct Damage {
  std::string file;  // relative to the block dir: "index", "chunks/000001", "meta.json"
  uint64_t offset = 0;
  std::string what;
};

class Block : public std::enable_shared_from_this<Block> {
 public:
  static absl::StatusOr<std::shared_ptr<Block>> Open(FileSystem* fs, const std::string& dir);
  virtual ~Block() = default;

  virtual const BlockMeta& meta() const = 0;
  virtual const std::string& dir() const = 0;
  // Bytes on disk: chunks + index + meta + tombstones.
  virtual uint64_t SizeBytes() const = 0;
  virtual uint64_t IndexBytes() const = 0;
  virtual uint64_t ChunkBytes() const = 0;

  // A querier over samples in [mint, maxt] (inclusive). Series are selected
  // with the block's postings; iterators decode chunks lazily.
  virtual std::unique_ptr<Querier> NewQuerier(int64_t mint, int64_t maxt) const = 0;
  // Every series, sorted, with its chunks.
  virtual std::unique_ptr<ChunkSeriesIterator> Series() const = 0;

  // Checks every CRC, the index's internal consistency (symbols, series
  // order, postings sorted and pointing at series, label-value indexes),
  // chunk ordering and bounds against meta. Returns the damage found (empty
  // when the block is sound).
  virtual std::vector<Damage> Verify() const = 0;

  // Whether a read since Open found a damaged chunk (a CRC mismatch or a
  // sample count that disagrees with the index). The read itself failed with
  // DataLoss; the DB stops serving such a block (quarantine).
  virtual bool damaged() const = 0;

  // Resolves the shared timestamp columns its cold chunks refer to (for
  // decoding chunks taken from Series()).
  virtual const SharedColumns& shared_columns() const = 0;
};

// A SampleIterator over one stored chunk of any supported encoding, limited
// to [mint, maxt]. Borrows `chunk.bytes`; `shared` (the chunk's block's
// shared_columns()) must outlive the call.
std::unique_ptr<SampleIterator> NewChunkSampleIterator(const StoredChunk& chunk, int64_t mint,
                                                       int64_t maxt,
                                                       const SharedColumns* shared = nullptr);

}  // namespace strata::block

#endif  // STRATA_TSDB_BLOCK_BLOCK_H_
