// One-shot zstd frames for the storage formats (cold chunk columns, index
// tables). Frames always carry their content size, so a reader can bound
// what it allocates before decompressing.
//
// Thread safety: any thread; each keeps its own compression and
// decompression contexts.
#ifndef STRATA_TSDB_BASE_ZSTD_H_
#define STRATA_TSDB_BASE_ZSTD_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace strata::zstd {

// A frame holding `raw` (with its content size) at `level`; empty on failure.
std::string Compress(std::string_view raw, int level);

// Decompresses exactly one frame whose declared content size is at most
// `max_size` into `out` (resized to it). False on any error.
bool Decompress(std::string_view frame, size_t max_size, std::vector<uint8_t>* out);

}  // namespace strata::zstd

#endif  // STRATA_TSDB_BASE_ZSTD_H_
