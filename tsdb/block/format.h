// Internal constants and helpers of the block format (docs/format/block.md),
// shared by the writer, the readers and the verifier. Not part of the API.
#ifndef STRATA_TSDB_BLOCK_FORMAT_H_
#define STRATA_TSDB_BLOCK_FORMAT_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "absl/strings/str_format.h"

namespace strata::block::format {

// Chunk segments and tombstones are at version 1. The index is written at
// version 2 (unaligned series, compressed tables, block-relative times) and
// read at 1 or 2.
inline constexpr uint8_t kVersion = 1;
inline constexpr uint8_t kIndexVersion = 2;
inline constexpr size_t kHeaderSize = 8;  // magic, version, 3 reserved zero bytes
inline constexpr std::string_view kIndexMagic = "SIDX";
inline constexpr std::string_view kChunksMagic = "SCHK";
inline constexpr std::string_view kTombstonesMagic = "STMB";

inline constexpr uint64_t kSegmentMaxBytes = uint64_t{512} << 20;
inline constexpr uint64_t kSeriesAlignment = 16;  // index version 1 only
inline constexpr size_t kTocSizeV1 = 44;          // 5 u64 offsets and a u32 crc
inline constexpr size_t kTocSizeV2 = 52;          // 5 u64 offsets, u64 base time, u32 crc
inline constexpr int kIndexZstdLevel = 9;         // 19 saves 2.5% more of a symbol table, slowly

inline size_t TocSize(uint8_t index_version) {
  return index_version == 1 ? kTocSizeV1 : kTocSizeV2;
}

inline constexpr char kMetaFile[] = "meta.json";
inline constexpr char kIndexFile[] = "index";
inline constexpr char kChunksDir[] = "chunks";
inline constexpr char kTombstonesFile[] = "tombstones";

// "chunks/000001" for segment 1.
inline std::string SegmentName(uint32_t segment) { return absl::StrFormat("chunks/%06u", segment); }

inline uint64_t ChunkRef(uint32_t segment, uint32_t offset) {
  return uint64_t{segment} << 32 | offset;
}
inline uint32_t RefSegment(uint64_t ref) { return static_cast<uint32_t>(ref >> 32); }
// The reference of offset 0 of segment 1; index version 2 stores a series'
// first chunk reference relative to it (wrapping).
inline constexpr uint64_t kFirstSegmentRef = uint64_t{1} << 32;
inline uint32_t RefOffset(uint64_t ref) { return static_cast<uint32_t>(ref); }

inline void PutHeader(std::string* out, std::string_view magic, uint8_t version = kVersion) {
  out->append(magic);
  out->push_back(static_cast<char>(version));
  out->append(3, '\0');
}

// Empty if `bytes` starts with a valid header for `magic` at a version in
// [1, max_version], else what is wrong.
inline std::string CheckHeader(std::span<const uint8_t> bytes, std::string_view magic,
                               uint8_t max_version = kVersion) {
  if (bytes.size() < kHeaderSize) return "file shorter than its header";
  if (std::string_view(reinterpret_cast<const char*>(bytes.data()), 4) != magic) {
    return "bad magic number";
  }
  if (bytes[4] < 1 || bytes[4] > max_version) {
    return absl::StrFormat("unsupported version %d", bytes[4]);
  }
  if (bytes[5] != 0 || bytes[6] != 0 || bytes[7] != 0) return "nonzero reserved header bytes";
  return "";
}

inline std::string_view AsStringView(std::span<const uint8_t> b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

// The table of contents at the end of the index.
struct Toc {
  uint64_t symbols = 0;
  uint64_t series = 0;
  uint64_t label_indices = 0;
  uint64_t postings = 0;
  uint64_t postings_table = 0;
  int64_t base_time = 0;  // version 2: first chunk min_times are relative to it
};

}  // namespace strata::block::format

#endif  // STRATA_TSDB_BLOCK_FORMAT_H_
