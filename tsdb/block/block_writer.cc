// BlockWriter: chunks are streamed into segment files as series arrive; the
// series' labels and chunk metas are kept in memory (proportional to the
// series count) and the index is written at Finish, when the full symbol
// table is known. Format: docs/format/block.md.
#include "tsdb/block/block_writer.h"

#include <algorithm>
#include <limits>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "tsdb/base/coding.h"
#include "tsdb/base/crc32c.h"
#include "tsdb/base/status_macros.h"
#include "tsdb/base/zstd.h"
#include "tsdb/block/block_writer_internal.h"
#include "tsdb/block/format.h"
#include "tsdb/block/ulid.h"
#include "tsdb/chunk/xor_chunk.h"

namespace strata::block {
namespace {

using format::kHeaderSize;

// Buffers appends to a WritableFile and tracks the file position.
class FileOut {
 public:
  explicit FileOut(std::unique_ptr<WritableFile> file) : file_(std::move(file)) {}
  uint64_t pos() const { return flushed_ + buf_.size(); }
  std::string* buf() { return &buf_; }
  absl::Status MaybeFlush() { return buf_.size() >= (1 << 20) ? Flush() : absl::OkStatus(); }
  absl::Status Flush() {
    RETURN_IF_ERROR(file_->Append(buf_));
    flushed_ += buf_.size();
    buf_.clear();
    return absl::OkStatus();
  }
  absl::Status SyncAndClose() {
    RETURN_IF_ERROR(Flush());
    RETURN_IF_ERROR(file_->Sync());
    return file_->Close();
  }

 private:
  std::unique_ptr<WritableFile> file_;
  std::string buf_;
  uint64_t flushed_ = 0;
};

struct ChunkMeta {
  int64_t min_time;
  int64_t max_time;
  uint32_t num_samples;
  uint64_t ref;
};

struct SeriesInfo {
  Labels labels;
  size_t first_chunk;  // index into chunks_
  size_t num_chunks;
};

// "len u32, body, crc32c(body)" (the framing of every CRC'd index table).
void PutFramed(std::string* out, std::string_view body) {
  PutFixed32(out, static_cast<uint32_t>(body.size()));
  out->append(body);
  PutFixed32(out, crc32c::Value(body));
}

// An index table: its body compressed, then framed.
absl::Status PutCompressedTable(std::string* out, std::string_view body) {
  std::string z = zstd::Compress(body, format::kIndexZstdLevel);
  if (z.empty()) return absl::InternalError("zstd failed on an index table");
  PutFramed(out, z);
  return absl::OkStatus();
}

absl::Status WriteWholeFile(FileSystem* fs, const std::string& path, std::string_view data) {
  ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> f, fs->NewWritableFile(path, /*truncate=*/true));
  RETURN_IF_ERROR(f->Append(data));
  RETURN_IF_ERROR(f->Sync());
  return f->Close();
}

class BlockWriterImpl final : public BlockWriter {
 public:
  BlockWriterImpl(FileSystem* fs, std::string dir, uint64_t segment_max_bytes)
      : fs_(fs), dir_(std::move(dir)), segment_max_bytes_(segment_max_bytes) {}

  absl::Status AddSeries(const Labels& labels, std::span<const ChunkData> chunks) override {
    if (state_ != State::kOpen) return Unusable();
    RETURN_IF_ERROR(CheckSeries(labels, chunks));
    SeriesInfo info{labels, metas_.size(), chunks.size()};
    for (const ChunkData& c : chunks) {
      uint64_t ref;
      if (absl::Status s = WriteSeriesChunk(c, &ref); !s.ok()) {
        state_ = State::kFailed;
        return s;
      }
      metas_.push_back({c.min_time, c.max_time, c.num_samples, ref});
      num_samples_ += c.num_samples;
      min_time_ = std::min(min_time_, c.min_time);
      max_time_ = std::max(max_time_, c.max_time);
    }
    series_.push_back(std::move(info));
    return absl::OkStatus();
  }

  std::vector<uint64_t> LastSeriesChunkRefs() const override {
    std::vector<uint64_t> refs;
    if (series_.empty()) return refs;
    const SeriesInfo& s = series_.back();
    for (size_t i = 0; i < s.num_chunks; ++i) refs.push_back(metas_[s.first_chunk + i].ref);
    return refs;
  }

  absl::StatusOr<uint64_t> AddSharedChunk(ChunkEncoding encoding,
                                          std::span<const uint8_t> bytes) override {
    if (state_ != State::kOpen) return Unusable();
    if (encoding != ChunkEncoding::kTimestamps) {
      return absl::InvalidArgumentError(
          absl::StrCat("shared chunk of encoding ", static_cast<int>(encoding)));
    }
    if (bytes.size() > format::kSegmentMaxBytes) {
      return absl::InvalidArgumentError("shared chunk larger than 512 MiB");
    }
    ChunkData c;
    c.encoding = encoding;
    c.bytes = bytes;
    uint64_t ref;
    if (absl::Status s = WriteChunk(c, &ref); !s.ok()) {
      state_ = State::kFailed;
      return s;
    }
    return ref;
  }

  absl::Status Finish(BlockMeta* meta) override {
    if (state_ != State::kOpen) return Unusable();
    if (absl::StatusOr<int64_t> t = ParseUlid(meta->ulid); !t.ok()) return t.status();
    if (meta->min_time > meta->max_time) {
      return absl::InvalidArgumentError(
          absl::StrCat("block min_time ", meta->min_time, " > max_time ", meta->max_time));
    }
    if (!series_.empty() && (min_time_ < meta->min_time || max_time_ >= meta->max_time)) {
      return absl::InvalidArgumentError(absl::StrCat("chunks span [", min_time_, ", ", max_time_,
                                                     "], outside the block range [", meta->min_time,
                                                     ", ", meta->max_time, ")"));
    }
    state_ = State::kFailed;  // until everything below succeeded
    if (segment_ != nullptr) RETURN_IF_ERROR(segment_->SyncAndClose());
    RETURN_IF_ERROR(WriteIndex());
    std::string tomb;
    format::PutHeader(&tomb, format::kTombstonesMagic);
    PutUvarint(&tomb, 0);
    PutFixed32(&tomb, crc32c::Value(tomb));
    RETURN_IF_ERROR(WriteWholeFile(fs_, JoinPath(dir_, format::kTombstonesFile), tomb));
    meta->num_samples = num_samples_;
    meta->num_series = series_.size();
    meta->num_chunks = metas_.size();
    meta->version = kBlockFormatVersion;
    RETURN_IF_ERROR(WriteWholeFile(fs_, JoinPath(dir_, format::kMetaFile), EncodeMeta(*meta)));
    RETURN_IF_ERROR(fs_->SyncDir(JoinPath(dir_, format::kChunksDir)));
    RETURN_IF_ERROR(fs_->SyncDir(dir_));
    state_ = State::kFinished;
    return absl::OkStatus();
  }

 private:
  enum class State { kOpen, kFailed, kFinished };

  absl::Status Unusable() const {
    return absl::FailedPreconditionError(
        absl::StrCat("block writer for ", dir_,
                     state_ == State::kFinished ? " already finished" : " failed earlier"));
  }

  absl::Status CheckSeries(const Labels& labels, std::span<const ChunkData> chunks) const {
    auto bad = [&](const std::string& what) {
      return absl::InvalidArgumentError(absl::StrCat("series ", labels.ToString(), ": ", what));
    };
    if (labels.empty()) return bad("empty label set");
    if (absl::Status s = ValidateLabels(labels); !s.ok()) return bad(std::string(s.message()));
    if (!series_.empty() && Compare(labels, series_.back().labels) <= 0) {
      return bad(absl::StrCat("not after the previous series ", series_.back().labels.ToString(),
                              " (series must be sorted)"));
    }
    if (chunks.empty()) return bad("no chunks");
    for (size_t i = 0; i < chunks.size(); ++i) {
      const ChunkData& c = chunks[i];
      std::string where = absl::StrCat("chunk ", i, " [", c.min_time, ", ", c.max_time, "]: ");
      if (c.num_samples == 0) return bad(where + "no samples");
      if (c.min_time > c.max_time) return bad(where + "min_time > max_time");
      if (i > 0 && c.min_time <= chunks[i - 1].max_time) {
        return bad(where + "overlaps or precedes the previous chunk");
      }
      if (c.bytes.size() > format::kSegmentMaxBytes) return bad(where + "larger than 512 MiB");
      if (c.encoding == ChunkEncoding::kXor) {
        if (XorNumSamples(c.bytes) != c.num_samples) {
          return bad(absl::StrCat(where, "num_samples ", c.num_samples, " but the chunk holds ",
                                  XorNumSamples(c.bytes)));
        }
      } else if (c.encoding != ChunkEncoding::kCold) {
        return bad(absl::StrCat(where, "unknown encoding ", static_cast<int>(c.encoding)));
      }
    }
    return absl::OkStatus();
  }

  // A series' chunk equal to one written before (constant series of one
  // target: same timestamps, same value) is not written again; the index
  // refers to the first copy. Chunks up to kMaxDedupChunkBytes are
  // remembered, up to kMaxDedupBytes in all.
  static constexpr size_t kMaxDedupChunkBytes = 4096;
  static constexpr size_t kMaxDedupBytes = size_t{32} << 20;

  absl::Status WriteSeriesChunk(const ChunkData& c, uint64_t* ref) {
    if (c.bytes.size() > kMaxDedupChunkBytes) return WriteChunk(c, ref);
    std::string key(1, static_cast<char>(c.encoding));
    key.append(reinterpret_cast<const char*>(c.bytes.data()), c.bytes.size());
    if (auto it = written_.find(key); it != written_.end()) {
      *ref = it->second;
      return absl::OkStatus();
    }
    RETURN_IF_ERROR(WriteChunk(c, ref));
    if (written_bytes_ + key.size() <= kMaxDedupBytes) {
      written_bytes_ += key.size();
      written_.emplace(std::move(key), *ref);
    }
    return absl::OkStatus();
  }

  absl::Status WriteChunk(const ChunkData& c, uint64_t* ref) {
    uint64_t size = UvarintLength(c.bytes.size()) + 1 + c.bytes.size() + 4;
    if (segment_ == nullptr ||
        (segment_->pos() > kHeaderSize && segment_->pos() + size > segment_max_bytes_)) {
      RETURN_IF_ERROR(CutSegment());
    }
    *ref = format::ChunkRef(segment_num_, static_cast<uint32_t>(segment_->pos()));
    std::string* out = segment_->buf();
    PutUvarint(out, c.bytes.size());
    size_t crc_start = out->size();
    out->push_back(static_cast<char>(c.encoding));
    out->append(reinterpret_cast<const char*>(c.bytes.data()), c.bytes.size());
    PutFixed32(out, crc32c::Value(out->data() + crc_start, out->size() - crc_start));
    return segment_->MaybeFlush();
  }

  absl::Status CutSegment() {
    if (segment_ != nullptr) {
      RETURN_IF_ERROR(segment_->SyncAndClose());
      segment_.reset();
    }
    ++segment_num_;
    std::string path = JoinPath(dir_, format::SegmentName(segment_num_));
    ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> f, fs_->NewWritableFile(path, true));
    segment_ = std::make_unique<FileOut>(std::move(f));
    format::PutHeader(segment_->buf(), format::kChunksMagic);
    return absl::OkStatus();
  }

  absl::Status WriteIndex();

  FileSystem* const fs_;
  const std::string dir_;
  const uint64_t segment_max_bytes_;
  State state_ = State::kOpen;
  std::unique_ptr<FileOut> segment_;
  uint32_t segment_num_ = 0;
  std::vector<SeriesInfo> series_;
  std::vector<ChunkMeta> metas_;
  absl::flat_hash_map<std::string, uint64_t> written_;  // encoding + bytes -> reference
  size_t written_bytes_ = 0;
  uint64_t num_samples_ = 0;
  int64_t min_time_ = std::numeric_limits<int64_t>::max();
  int64_t max_time_ = std::numeric_limits<int64_t>::min();
};

absl::Status BlockWriterImpl::WriteIndex() {
  // Symbols: every name and value, sorted and unique; ref = position.
  std::vector<std::string_view> symbols;
  for (const SeriesInfo& s : series_) {
    s.labels.ForEach([&](Label l) {
      symbols.push_back(l.name);
      symbols.push_back(l.value);
    });
  }
  std::sort(symbols.begin(), symbols.end());
  symbols.erase(std::unique(symbols.begin(), symbols.end()), symbols.end());
  absl::flat_hash_map<std::string_view, uint32_t> symbol_ref;
  symbol_ref.reserve(symbols.size());
  for (size_t i = 0; i < symbols.size(); ++i) symbol_ref[symbols[i]] = static_cast<uint32_t>(i);

  ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> f,
                   fs_->NewWritableFile(JoinPath(dir_, format::kIndexFile), true));
  FileOut out(std::move(f));
  format::PutHeader(out.buf(), format::kIndexMagic, format::kIndexVersion);
  format::Toc toc;
  toc.base_time = series_.empty() ? 0 : min_time_;
  toc.symbols = out.pos();
  std::string body;
  PutUvarint(&body, symbols.size());
  for (std::string_view s : symbols) PutLengthPrefixed(&body, s);
  RETURN_IF_ERROR(PutCompressedTable(out.buf(), body));

  // Series, back to back; a series' reference is its offset. Postings are
  // collected on the way, keyed by (name ref, value ref).
  absl::flat_hash_map<uint64_t, std::vector<uint64_t>> postings;
  std::vector<uint64_t> all;
  all.reserve(series_.size());
  std::string metas;
  absl::flat_hash_map<std::string, uint64_t> same_chunks;  // encoded metas -> entry offset
  size_t same_chunks_bytes = 0;
  toc.series = out.pos();
  for (const SeriesInfo& s : series_) {
    const uint64_t ref = out.pos();
    all.push_back(ref);
    body.clear();
    PutUvarint(&body, s.labels.size());
    s.labels.ForEach([&](Label l) {
      uint32_t n = symbol_ref[l.name], v = symbol_ref[l.value];
      PutUvarint(&body, n);
      PutUvarint(&body, v);
      postings[uint64_t{n} << 32 | v].push_back(ref);
    });
    metas.clear();
    for (size_t i = 0; i < s.num_chunks; ++i) {
      const ChunkMeta& c = metas_[s.first_chunk + i];
      if (i == 0) {
        PutVarint(&metas, static_cast<int64_t>(static_cast<uint64_t>(c.min_time) -
                                               static_cast<uint64_t>(toc.base_time)));
      } else {
        const ChunkMeta& prev = metas_[s.first_chunk + i - 1];
        PutUvarint(&metas,
                   static_cast<uint64_t>(c.min_time) - static_cast<uint64_t>(prev.max_time));
      }
      PutUvarint(&metas, static_cast<uint64_t>(c.max_time) - static_cast<uint64_t>(c.min_time));
      PutUvarint(&metas, c.num_samples);
      // Relative to segment 1's start: three bytes instead of five there.
      PutUvarint(&metas, i == 0 ? c.ref - format::kFirstSegmentRef
                                : c.ref - metas_[s.first_chunk + i - 1].ref);
    }
    // Series sharing every chunk (see WriteSeriesChunk) share the metas:
    // the later entry names the earlier one.
    if (auto it = same_chunks.find(metas); it != same_chunks.end()) {
      PutUvarint(&body, 0);
      PutUvarint(&body, ref - it->second);
    } else {
      PutUvarint(&body, s.num_chunks);
      body += metas;
      if (same_chunks_bytes + metas.size() <= kMaxDedupBytes) {
        same_chunks_bytes += metas.size();
        same_chunks.emplace(metas, ref);
      }
    }
    PutUvarint(out.buf(), body.size());
    out.buf()->append(body);
    PutFixed32(out.buf(), crc32c::Value(body));
    RETURN_IF_ERROR(out.MaybeFlush());
  }

  // Label-value indexes, from the sorted pair keys.
  std::vector<uint64_t> keys;
  keys.reserve(postings.size());
  for (const auto& [key, refs] : postings) keys.push_back(key);
  std::sort(keys.begin(), keys.end());
  toc.label_indices = out.pos();
  body.clear();
  size_t num_names = 0;
  for (size_t i = 0; i < keys.size(); ++i)
    num_names += i == 0 || keys[i] >> 32 != keys[i - 1] >> 32;
  PutUvarint(&body, num_names);
  for (size_t i = 0; i < keys.size();) {
    size_t j = i;
    while (j < keys.size() && keys[j] >> 32 == keys[i] >> 32) ++j;
    PutUvarint(&body, keys[i] >> 32);
    PutUvarint(&body, j - i);
    for (size_t k = i; k < j; ++k) PutUvarint(&body, static_cast<uint32_t>(keys[k]));
    i = j;
  }
  RETURN_IF_ERROR(PutCompressedTable(out.buf(), body));

  // Postings: all series first, then one list per pair; each "uvarint len,
  // body, crc32c(body)".
  auto put_list = [&](const std::vector<uint64_t>& refs) {
    body.clear();
    PutUvarint(&body, refs.size());
    for (size_t i = 0; i < refs.size(); ++i)
      PutUvarint(&body, i == 0 ? refs[0] : refs[i] - refs[i - 1]);
    PutLengthPrefixed(out.buf(), body);
    PutFixed32(out.buf(), crc32c::Value(body));
    return out.MaybeFlush();
  };
  toc.postings = out.pos();
  RETURN_IF_ERROR(put_list(all));
  std::string table;
  PutUvarint(&table, keys.size());
  for (uint64_t key : keys) {
    PutUvarint(&table, key >> 32);
    PutUvarint(&table, static_cast<uint32_t>(key));
    // A pair only one series carries (most metric names of a target) names
    // that series in the table instead of pointing at a list of one.
    const std::vector<uint64_t>& refs = postings[key];
    if (refs.size() == 1) {
      PutUvarint(&table, refs[0] << 1 | 1);
      continue;
    }
    PutUvarint(&table, out.pos() << 1);
    RETURN_IF_ERROR(put_list(refs));
  }
  toc.postings_table = out.pos();
  RETURN_IF_ERROR(PutCompressedTable(out.buf(), table));

  std::string t;
  for (uint64_t v : {toc.symbols, toc.series, toc.label_indices, toc.postings, toc.postings_table,
                     static_cast<uint64_t>(toc.base_time)}) {
    PutFixed64(&t, v);
  }
  PutFixed32(&t, crc32c::Value(t));
  out.buf()->append(t);
  return out.SyncAndClose();
}

}  // namespace

namespace internal {

absl::StatusOr<std::unique_ptr<BlockWriter>> CreateBlockWriter(FileSystem* fs, std::string dir,
                                                               uint64_t segment_max_bytes) {
  if (fs->Exists(dir)) return absl::AlreadyExistsError(absl::StrCat("block dir ", dir, " exists"));
  RETURN_IF_ERROR(fs->CreateDirs(dir));
  RETURN_IF_ERROR(fs->CreateDir(JoinPath(dir, format::kChunksDir)));
  return std::unique_ptr<BlockWriter>(new BlockWriterImpl(fs, std::move(dir), segment_max_bytes));
}

}  // namespace internal

absl::StatusOr<std::unique_ptr<BlockWriter>> BlockWriter::Create(FileSystem* fs, std::string dir) {
  return internal::CreateBlockWriter(fs, std::move(dir), format::kSegmentMaxBytes);
}

}  // namespace strata::block
