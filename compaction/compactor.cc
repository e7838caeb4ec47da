#include "compaction/compactor.h"

#include <algorithm>
#include <optional>
#include <set>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "absl/strings/string_view.h"
#include "fmt/format.h"
#include "tsdb/base/status_macros.h"
#include "tsdb/block/block_writer.h"
#include "tsdb/chunk/cold_chunk.h"
#include "tsdb/chunk/xor_chunk.h"
#include "tsdb/querier/merge_querier.h"

namespace strata::compaction {
namespace {

constexpr uint16_t kXorChunkSamples = 120;
// A cold chunk is decoded whole, so its length trades bytes for the cost of a
// point read. On the synthetic node-exporter mix (strata_bench
// --benchmark_filter=ColdChunkLength) a day of 15 s samples costs 0.94 B per
// sample in one chunk, 0.99 in chunks of 1,920 (8 hours) and 1.18 in chunks
// of 480: 1,920 keeps most of the gain while a point read decodes a third
// as much.
constexpr size_t kColdChunkSamples = 1920;

// Shares columns among the cold chunks of one block (docs/format/
// cold_chunks.md, "shared"). Timestamps: the series of one scrape target
// carry the same timestamps, chunk for chunk; a column met a second time is
// written once as a kTimestamps chunk, and every later chunk with it refers
// to that (the first keeps its own copy). Values: some series carry the
// same values (a histogram's upper buckets, one figure under two names);
// every later chunk with a value column met before refers to the cold
// chunk where it first occurred. Columns of a few bytes stay inline: a
// reference would not be smaller.
//
// Memory: the bytes of each shared timestamp column and a hash of every
// other; the bytes of value columns, up to kMaxValueBytes per block (past
// it, later columns are only shared with those remembered).
class ColumnSharer {
 public:
  explicit ColumnSharer(block::BlockWriter* writer) : writer_(writer) {}

  // The cold chunk of n samples with these columns (from
  // EncodeSharedTimestamps and EncodeSharedValues). Chunks are to be added
  // to the writer in the order encoded, and Added called after each series.
  absl::StatusOr<std::vector<uint8_t>> Encode(size_t n, const std::vector<uint8_t>& ts,
                                              const std::vector<uint8_t>& vs) {
    ASSIGN_OR_RETURN(ColdColumn t, ShareTimestamps(ts));
    ColdColumn v{vs};
    const absl::string_view key(reinterpret_cast<const char*>(vs.data()), vs.size());
    const bool shareable = vs.size() >= kMinSharedBytes;
    if (auto it = values_.find(key); shareable && it != values_.end()) v = it->second;
    size_t values_at = 0;
    std::vector<uint8_t> chunk = AssembleColdChunk(n, t, v, &values_at);
    // A column stored here (and not remembered yet) can serve later chunks
    // once the writer has given this chunk its reference.
    pending_.push_back(shareable && !v.bytes.empty() && !values_.contains(key) &&
                               value_bytes_ + vs.size() <= kMaxValueBytes
                           ? std::make_optional(std::make_pair(std::string(key), values_at))
                           : std::nullopt);
    return chunk;
  }

  // Called after the series whose chunks were encoded last was added.
  void Added() {
    const std::vector<uint64_t> refs = writer_->LastSeriesChunkRefs();
    for (size_t i = 0; i < pending_.size() && i < refs.size(); ++i) {
      if (!pending_[i]) continue;
      auto& [key, offset] = *pending_[i];
      value_bytes_ += key.size();
      values_.emplace(std::move(key), ColdColumn{{}, refs[i], offset});
    }
    pending_.clear();
  }

 private:
  // Below this a column costs about what a reference (1 kind byte and a
  // 3-byte uvarint; values also the offset) does.
  static constexpr size_t kMinSharedBytes = 16;
  static constexpr size_t kMaxValueBytes = size_t{32} << 20;

  absl::StatusOr<ColdColumn> ShareTimestamps(const std::vector<uint8_t>& column) {
    if (column.size() < kMinSharedBytes) return ColdColumn{column};
    const absl::string_view key(reinterpret_cast<const char*>(column.data()), column.size());
    auto it = timestamps_.find(key);
    if (it == timestamps_.end()) {
      if (seen_.insert(absl::HashOf(key)).second) return ColdColumn{column};
      ASSIGN_OR_RETURN(const uint64_t ref,
                       writer_->AddSharedChunk(ChunkEncoding::kTimestamps, column));
      it = timestamps_.emplace(std::string(key), ref).first;
    }
    return ColdColumn{{}, it->second};
  }

  block::BlockWriter* const writer_;
  absl::flat_hash_map<std::string, uint64_t> timestamps_;  // column -> kTimestamps chunk
  absl::flat_hash_set<size_t> seen_;                       // hashes of columns met once
  absl::flat_hash_map<std::string, ColdColumn> values_;    // column -> where it is stored
  size_t value_bytes_ = 0;
  // Per chunk of the series being encoded: its value column and where it
  // starts in the chunk, when it is to be remembered.
  std::vector<std::optional<std::pair<std::string, size_t>>> pending_;
};

// Encodes one series' samples into chunks, reusing its buffers across series.
// With a ColumnSharer the chunks are cold, else XOR.
class SeriesEncoder {
 public:
  explicit SeriesEncoder(ColumnSharer* sharer) : sharer_(sharer) {}

  // Reads `it` to the end, keeping samples in [mint, maxt).
  absl::Status Encode(SampleIterator& it, int64_t mint, int64_t maxt) {
    ts_.clear();
    vs_.clear();
    chunks_.clear();
    storage_.clear();
    if (it.Seek(mint)) {
      do {
        if (it.t() >= maxt) break;
        ts_.push_back(it.t());
        vs_.push_back(it.v());
      } while (it.Next());
    }
    RETURN_IF_ERROR(it.status());
    const bool cold = sharer_ != nullptr;
    const size_t per_chunk = cold ? kColdChunkSamples : kXorChunkSamples;
    for (size_t start = 0; start < ts_.size(); start += per_chunk) {
      const size_t n = std::min(per_chunk, ts_.size() - start);
      ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, EncodeRange(start, n));
      storage_.push_back(std::move(bytes));
      block::ChunkData c;
      c.min_time = ts_[start];
      c.max_time = ts_[start + n - 1];
      c.num_samples = static_cast<uint32_t>(n);
      c.encoding = cold ? ChunkEncoding::kCold : ChunkEncoding::kXor;
      chunks_.push_back(c);
    }
    for (size_t i = 0; i < chunks_.size(); ++i) chunks_[i].bytes = storage_[i];
    return absl::OkStatus();
  }

  std::span<const block::ChunkData> chunks() const { return chunks_; }
  size_t num_samples() const { return ts_.size(); }

 private:
  absl::StatusOr<std::vector<uint8_t>> EncodeRange(size_t start, size_t n) {
    if (sharer_ != nullptr) {
      return sharer_->Encode(n, EncodeSharedTimestamps(std::span(ts_).subspan(start, n)),
                             EncodeSharedValues(std::span(vs_).subspan(start, n)));
    }
    XorAppender app;
    for (size_t i = start; i < start + n; ++i) app.Append(ts_[i], vs_[i]);
    auto b = app.bytes();
    return std::vector<uint8_t>(b.begin(), b.end());
  }

  ColumnSharer* const sharer_;  // null for XOR chunks
  std::vector<int64_t> ts_;
  std::vector<double> vs_;
  std::vector<block::ChunkData> chunks_;
  std::vector<std::vector<uint8_t>> storage_;
};

absl::Status WriteSeries(const WriteBlockRequest& r, Querier& source, block::BlockWriter& writer,
                         uint64_t* series_written) {
  auto set = source.Select({});
  ColumnSharer sharer(&writer);
  SeriesEncoder encoder(r.cold ? &sharer : nullptr);
  while (set->Next()) {
    auto it = set->Iterator();
    RETURN_IF_ERROR(AnnotateStatus(encoder.Encode(*it, r.min_time, r.max_time),
                                   fmt::format("series {}", set->labels().ToString())));
    if (encoder.num_samples() == 0) continue;
    RETURN_IF_ERROR(writer.AddSeries(set->labels(), encoder.chunks()));
    if (r.cold) sharer.Added();
    ++*series_written;
  }
  return set->status();
}

}  // namespace

absl::StatusOr<block::BlockMeta> WriteBlock(const WriteBlockRequest& r, Querier& source) {
  const std::string context = fmt::format("write block {}", r.ulid);
  const std::string final_dir = JoinPath(r.db_dir, r.ulid);
  const std::string tmp_dir = final_dir + std::string(kTmpCreationSuffix);
  if (r.fs->Exists(tmp_dir)) RETURN_IF_ERROR(AnnotateStatus(r.fs->RemoveAll(tmp_dir), context));

  ASSIGN_OR_RETURN(auto writer, block::BlockWriter::Create(r.fs, tmp_dir));
  uint64_t series_written = 0;
  absl::Status st = WriteSeries(r, source, *writer, &series_written);
  block::BlockMeta meta;
  meta.ulid = r.ulid;
  meta.min_time = r.min_time;
  meta.max_time = r.max_time;
  meta.level = r.level;
  meta.sources = r.sources.empty() ? std::vector<std::string>{r.ulid} : r.sources;
  meta.parents = r.parents;
  if (st.ok() && series_written > 0) st = writer->Finish(&meta);
  writer.reset();
  if (!st.ok() || series_written == 0) {
    // Best effort: DB::Open removes leftovers of a crash anyway.
    (void)r.fs->RemoveAll(tmp_dir);
    RETURN_IF_ERROR(AnnotateStatus(st, context));
    meta.num_series = 0;
    return meta;
  }
  RETURN_IF_ERROR(AnnotateStatus(r.fs->Rename(tmp_dir, final_dir), context));
  RETURN_IF_ERROR(AnnotateStatus(r.fs->SyncDir(r.db_dir), context));
  return meta;
}

absl::StatusOr<block::BlockMeta> CompactBlocks(
    FileSystem* fs, const std::string& db_dir, const std::string& ulid,
    std::span<const std::shared_ptr<block::Block>> blocks) {
  if (blocks.empty()) return absl::InvalidArgumentError("compact: no blocks given");
  WriteBlockRequest r;
  r.fs = fs;
  r.db_dir = db_dir;
  r.ulid = ulid;
  r.min_time = blocks.front()->meta().min_time;
  r.max_time = blocks.front()->meta().max_time;
  r.cold = true;
  std::set<std::string> sources;
  std::vector<std::unique_ptr<Querier>> queriers;
  for (const auto& b : blocks) {
    const block::BlockMeta& m = b->meta();
    r.min_time = std::min(r.min_time, m.min_time);
    r.max_time = std::max(r.max_time, m.max_time);
    r.level = std::max(r.level, m.level + 1);
    sources.insert(m.sources.begin(), m.sources.end());
    r.parents.push_back(m.ulid);
  }
  for (const auto& b : blocks) queriers.push_back(b->NewQuerier(r.min_time, r.max_time - 1));
  r.sources.assign(sources.begin(), sources.end());
  auto merged = NewMergeQuerier(std::move(queriers));
  return WriteBlock(r, *merged);
}

}  // namespace strata::compaction
