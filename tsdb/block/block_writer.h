// Writes one immutable block directory: chunks/NNNNNN segment files, index,
// tombstones, meta.json (docs/format/block.md).
//
//   ASSIGN_OR_RETURN(auto w, BlockWriter::Create(fs, "data/01J….tmp-for-creation"));
//   for (each series in Labels::Compare order)
//     RETURN_IF_ERROR(w->AddSeries(labels, chunks));
//   BlockMeta meta = …;                // ulid, min/max time, level, sources, parents
//   RETURN_IF_ERROR(w->Finish(&meta)); // fills the stats; every file and dir fsynced
//   // the caller renames the directory into place and fsyncs the parent.
//
// Nothing is visible under the final name until the caller renames: a crash
// at any point leaves a temporary directory that DB::Open removes.
//
// Thread safety: one thread at a time.
#ifndef STRATA_TSDB_BLOCK_BLOCK_WRITER_H_
#define STRATA_TSDB_BLOCK_BLOCK_WRITER_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tsdb/base/fs.h"
#include "tsdb/block/meta.h"
#include "tsdb/chunk/chunk_encoding.h"
#include "tsdb/labels/labels.h"

namespace strata::block {

// One encoded chunk handed to the writer. Borrowed for the call only.
struct ChunkData {
  int64_t min_time = 0;  // first sample's timestamp
  int64_t max_time = 0;  // last sample's timestamp (inclusive)
  uint32_t num_samples = 0;
  ChunkEncoding encoding = ChunkEncoding::kXor;
  std::span<const uint8_t> bytes;
};

class BlockWriter {
 public:
  // Creates `dir` (which must not exist) and its chunks/ folder.
  static absl::StatusOr<std::unique_ptr<BlockWriter>> Create(FileSystem* fs, std::string dir);
  virtual ~BlockWriter() = default;

  // Adds one series with its chunks.
  // REQUIRES: labels non-empty and strictly greater (Labels::Compare) than
  // the previous series'; chunks non-empty, in time order, not overlapping,
  // each with num_samples >= 1. Violations return InvalidArgument.
  virtual absl::Status AddSeries(const Labels& labels, std::span<const ChunkData> chunks) = 0;

  // Writes a chunk no series lists, for cold chunks to refer to (a shared
  // timestamp column: encoding kTimestamps, bytes from
  // EncodeSharedTimestamps); returns its chunk reference. Not counted in
  // the block's chunks.
  virtual absl::StatusOr<uint64_t> AddSharedChunk(ChunkEncoding encoding,
                                                  std::span<const uint8_t> bytes) = 0;

  // The chunk references of the chunks of the last series added, in order
  // (for later cold chunks to refer to their columns); empty before any.
  virtual std::vector<uint64_t> LastSeriesChunkRefs() const = 0;

  // Writes the index, an empty tombstones file and meta.json (with `*meta`'s
  // identity and lineage and the stats counted here filled in), fsyncs every
  // file and directory. On error the directory is left for the caller to
  // remove. Call once.
  virtual absl::Status Finish(BlockMeta* meta) = 0;
};

}  // namespace strata::block

#endif  // STRATA_TSDB_BLOCK_BLOCK_WRITER_H_
