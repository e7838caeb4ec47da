// Test hooks of the block writer. Not part of the API.
#ifndef STRATA_TSDB_BLOCK_BLOCK_WRITER_INTERNAL_H_
#define STRATA_TSDB_BLOCK_BLOCK_WRITER_INTERNAL_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "tsdb/block/block_writer.h"

namespace strata::block::internal {

// BlockWriter::Create with a different segment size limit, so tests can
// produce several chunk segments without writing 512 MiB.
absl::StatusOr<std::unique_ptr<BlockWriter>> CreateBlockWriter(FileSystem* fs, std::string dir,
                                                               uint64_t segment_max_bytes);

}  // namespace strata::block::internal

#endif  // STRATA_TSDB_BLOCK_BLOCK_WRITER_INTERNAL_H_
