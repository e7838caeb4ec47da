// Reads a block's index file (docs/format/block.md, "Index"), version 1 or
// 2, from a mapped byte range. Open decodes and CRC-checks the symbol table,
// the label-value index table and the postings offset table (version 2:
// decompressing them), then every series entry and postings list once;
// series entries and postings lists are CRC-checked again each time they
// are read.
//
// Errors are DataLoss("index offset <n>: <what>"); the block prefixes
// "corrupted block <ulid>: ".
//
// Thread safety: immutable after Open; safe for concurrent use. Lifetime:
// borrows the bytes, which must outlive the reader.
#ifndef STRATA_TSDB_BLOCK_INDEX_READER_H_
#define STRATA_TSDB_BLOCK_INDEX_READER_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tsdb/base/coding.h"
#include "tsdb/block/format.h"
#include "tsdb/labels/labels.h"

namespace strata::block {

// A chunk as the index describes it.
struct ChunkMeta {
  int64_t min_time = 0;
  int64_t max_time = 0;
  uint32_t num_samples = 0;
  uint64_t ref = 0;
};

absl::Status IndexError(uint64_t offset, const std::string& what);

class IndexReader {
 public:
  static absl::StatusOr<std::unique_ptr<IndexReader>> Open(std::span<const uint8_t> data);

  const format::Toc& toc() const { return toc_; }
  uint8_t version() const { return version_; }
  std::span<const uint8_t> data() const { return data_; }
  size_t num_symbols() const { return symbols_.size(); }
  // REQUIRES: ref < num_symbols().
  std::string_view Symbol(uint32_t ref) const { return symbols_[ref]; }
  // Binary search in the sorted table.
  bool FindSymbol(std::string_view s, uint32_t* ref) const;

  // The reference of the series entry at `offset` (version 1: offset / 16,
  // version 2: the offset itself).
  uint64_t SeriesRefAt(uint64_t offset) const;
  // Where the series entry after the one ending at `end_of_entry` starts
  // (version 1 pads entries to multiples of 16).
  uint64_t NextSeriesOffset(uint64_t end_of_entry) const;

  // Decodes the series entry with reference `ref`. Checks
  // bounds, CRC, symbol refs, label name order and chunk meta order.
  // `*next_offset` (if not null) receives the offset just past the entry.
  absl::Status ReadSeries(uint64_t ref, Labels* labels, std::vector<ChunkMeta>* chunks,
                          uint64_t* next_offset = nullptr) const;

  // Every series ref, in series order.
  absl::Status AllPostings(std::vector<uint64_t>* out) const;
  // Series with label pair (name, value), symbol refs; empty if none.
  absl::Status Postings(uint32_t name, uint32_t value, std::vector<uint64_t>* out) const;
  // Decodes the postings list at `offset`.
  absl::Status ReadPostings(uint64_t offset, std::vector<uint64_t>* out) const;

  // Label name symbol refs, sorted.
  const std::vector<uint32_t>& LabelNames() const { return names_; }
  // Value symbol refs of label name `name` (sorted); empty if unknown.
  std::span<const uint32_t> LabelValues(uint32_t name) const;

  struct PostingsEntry {
    uint32_t name;
    uint32_t value;
    uint64_t offset;  // of the postings list; if `single`, the pair's only series ref
    bool single;      // version 2: no list, one series
  };
  // The series of one table entry.
  absl::Status ReadPostings(const PostingsEntry& e, std::vector<uint64_t>* out) const;
  const std::vector<PostingsEntry>& postings_table() const { return table_; }

 private:
  explicit IndexReader(std::span<const uint8_t> data) : data_(data) {}
  absl::Status ReadToc();
  // The body of the "len u32, body, crc" table at `offset`, CRC-checked,
  // ending at or before `end`.
  absl::StatusOr<std::string_view> Framed(uint64_t offset, uint64_t end,
                                          const std::string& what) const;
  // A table's body: Framed, then (version 2) decompressed into `storage`.
  absl::StatusOr<std::string_view> Table(uint64_t offset, uint64_t end, const std::string& what,
                                         std::vector<uint8_t>* storage) const;
  // The CRC-checked body of the series entry at `offset` (inside the
  // series section); `*next_offset` (if not null) receives its end.
  absl::StatusOr<std::string_view> SeriesBody(uint64_t offset, uint64_t* next_offset) const;
  // Decodes a series entry's chunk metas from `d` (just past its labels;
  // `offset` is the entry's, for errors) to the end of the body. With
  // `allow_same_as` (version 2) a count of 0 names an earlier entry whose
  // chunks these are.
  absl::Status ReadChunkMetas(Decoder& d, uint64_t offset, bool allow_same_as,
                              std::vector<ChunkMeta>* chunks) const;
  // The CRC-checked body of the postings list at `offset`.
  absl::StatusOr<std::string_view> PostingsBody(uint64_t offset) const;
  absl::Status ReadSymbols();
  absl::Status ReadLabelIndices();
  absl::Status ReadPostingsTable();
  // Decodes every series entry and postings list once, so that damage
  // anywhere in the index fails Open (the block is then not served at all)
  // instead of failing some later query.
  absl::Status CheckEntries() const;

  std::span<const uint8_t> data_;
  uint8_t version_ = 0;
  format::Toc toc_;
  std::vector<uint8_t> symbol_data_;       // version 2: the decompressed symbol table
  std::vector<std::string_view> symbols_;  // into data_ (version 1) or symbol_data_
  std::vector<uint32_t> names_;
  std::vector<uint32_t> value_start_;  // per name: index into values_; one extra at the end
  std::vector<uint32_t> values_;
  std::vector<PostingsEntry> table_;
};

}  // namespace strata::block

#endif  // STRATA_TSDB_BLOCK_INDEX_READER_H_
