// Block::Open and the parts of BlockImpl that are not querying or
// verification.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "tsdb/base/coding.h"
#include "tsdb/base/crc32c.h"
#include "tsdb/base/status_macros.h"
#include "tsdb/block/block_impl.h"
#include "tsdb/block/format.h"
#include "tsdb/block/ulid.h"

namespace strata::block {
namespace {

std::string BaseName(std::string_view dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.remove_suffix(1);
  size_t slash = dir.rfind('/');
  return std::string(slash == std::string_view::npos ? dir : dir.substr(slash + 1));
}

// Damage (DataLoss, or a required file missing) becomes "corrupted block
// <id>: …" DataLoss; other failures (I/O errors) keep their code and get
// "block <id>: ".
absl::Status Classify(const absl::Status& s, const std::string& id, const std::string& file) {
  if (s.ok()) return s;
  if (absl::IsDataLoss(s)) return AnnotateStatus(s, absl::StrCat("corrupted block ", id));
  if (absl::IsNotFound(s)) {
    return absl::DataLossError(absl::StrCat("corrupted block ", id, ": missing ", file));
  }
  return AnnotateStatus(s, absl::StrCat("block ", id));
}

// Checks the tombstones file: header, CRC, and no intervals (version 1
// writes none and has no code to apply them).
absl::Status CheckTombstones(std::span<const uint8_t> bytes) {
  const char* file = format::kTombstonesFile;
  if (std::string bad = format::CheckHeader(bytes, format::kTombstonesMagic); !bad.empty()) {
    return FileError(file, 0, bad);
  }
  if (bytes.size() < format::kHeaderSize + 5) return FileError(file, bytes.size(), "truncated");
  size_t crc_at = bytes.size() - 4;
  if (crc32c::Value(bytes.data(), crc_at) != LoadFixed32(bytes.data() + crc_at)) {
    return FileError(file, crc_at, "crc mismatch");
  }
  Decoder d(format::AsStringView(bytes.subspan(format::kHeaderSize, crc_at - format::kHeaderSize)));
  uint64_t count = d.Uvarint();
  if (!d.ok()) return FileError(file, format::kHeaderSize, "malformed interval count");
  if (count != 0) {
    return absl::UnimplementedError(absl::StrCat("tombstones offset ", format::kHeaderSize, ": ",
                                                 count, " deleted intervals; none supported"));
  }
  if (!d.done()) return FileError(file, format::kHeaderSize, "trailing bytes");
  return absl::OkStatus();
}

class BlockChunkSeriesIterator final : public ChunkSeriesIterator {
 public:
  explicit BlockChunkSeriesIterator(std::shared_ptr<const BlockImpl> block)
      : block_(std::move(block)) {}

  bool Next() override {
    if (!status_.ok()) return false;
    if (!started_) {
      started_ = true;
      status_ = block_->Corrupted(block_->index().AllPostings(&refs_));
      if (!status_.ok()) return false;
    }
    if (pos_ >= refs_.size()) return false;
    status_ = block_->Corrupted(block_->index().ReadSeries(refs_[pos_++], &labels_, &metas_));
    chunks_.resize(metas_.size());
    for (size_t i = 0; i < metas_.size() && status_.ok(); ++i) {
      status_ = block_->LoadChunk(metas_[i], &chunks_[i]);
    }
    return status_.ok();
  }
  const Labels& labels() const override { return labels_; }
  std::span<const StoredChunk> chunks() const override { return chunks_; }
  absl::Status status() const override { return status_; }

 private:
  const std::shared_ptr<const BlockImpl> block_;
  bool started_ = false;
  std::vector<uint64_t> refs_;
  size_t pos_ = 0;
  Labels labels_;
  std::vector<ChunkMeta> metas_;
  std::vector<StoredChunk> chunks_;
  absl::Status status_;
};

}  // namespace

absl::StatusOr<std::shared_ptr<Block>> Block::Open(FileSystem* fs, const std::string& dir) {
  std::string id = BaseName(dir);
  absl::StatusOr<std::string> json = fs->ReadFile(JoinPath(dir, format::kMetaFile));
  if (!json.ok()) return Classify(json.status(), id, format::kMetaFile);
  absl::StatusOr<BlockMeta> meta = DecodeMeta(*json);
  if (!meta.ok()) {
    return absl::DataLossError(absl::StrCat("corrupted block ", id, ": ", meta.status().message()));
  }
  if (IsUlid(id) && meta->ulid != id) {
    return absl::DataLossError(absl::StrCat("corrupted block ", id, ": meta.json: ulid ",
                                            meta->ulid, " differs from the directory name"));
  }
  id = meta->ulid;

  absl::StatusOr<std::unique_ptr<MappedFile>> index_file =
      fs->MapFile(JoinPath(dir, format::kIndexFile));
  if (!index_file.ok()) return Classify(index_file.status(), id, format::kIndexFile);
  absl::StatusOr<std::unique_ptr<IndexReader>> index = IndexReader::Open((*index_file)->data());
  if (!index.ok()) return Classify(index.status(), id, format::kIndexFile);

  absl::StatusOr<std::unique_ptr<ChunkReader>> chunks = ChunkReader::Open(fs, dir);
  if (!chunks.ok()) return Classify(chunks.status(), id, format::kChunksDir);

  absl::StatusOr<std::unique_ptr<MappedFile>> tombstones =
      fs->MapFile(JoinPath(dir, format::kTombstonesFile));
  if (!tombstones.ok()) return Classify(tombstones.status(), id, format::kTombstonesFile);
  absl::Status s = CheckTombstones((*tombstones)->data());
  if (!s.ok()) return Classify(s, id, format::kTombstonesFile);

  return std::make_shared<BlockImpl>(std::move(*meta), dir, std::move(*index_file),
                                     std::move(*index), std::move(*chunks), json->size(),
                                     std::move(*tombstones));
}

absl::Status BlockImpl::Corrupted(const absl::Status& s) const {
  return Classify(s, meta_.ulid, "");
}

absl::Status BlockImpl::SharedColumn(uint64_t ref, ChunkEncoding want,
                                     std::span<const uint8_t>* bytes) const {
  ChunkEncoding encoding;
  absl::Status st = chunks_->Read(ref, &encoding, bytes);
  if (st.ok() && encoding != want) {
    st = FileError(
        format::SegmentName(format::RefSegment(ref)), format::RefOffset(ref),
        absl::StrCat("a cold chunk's shared ", want == ChunkEncoding::kCold ? "value" : "timestamp",
                     " column refers to a chunk of encoding ", static_cast<int>(encoding)));
  }
  // Not Corrupted(st): the reader of the referring chunk names the block.
  if (absl::IsDataLoss(st)) damaged_.store(true, std::memory_order_relaxed);
  return st;
}

absl::Status BlockImpl::LoadChunk(const ChunkMeta& meta, StoredChunk* out) const {
  out->min_time = meta.min_time;
  out->max_time = meta.max_time;
  out->num_samples = meta.num_samples;
  if (absl::Status st = chunks_->Read(meta.ref, &out->encoding, &out->bytes); !st.ok()) {
    if (absl::IsDataLoss(st)) damaged_.store(true, std::memory_order_relaxed);
    return Corrupted(st);
  }
  if (out->encoding == ChunkEncoding::kXor && XorNumSamples(out->bytes) != meta.num_samples) {
    damaged_.store(true, std::memory_order_relaxed);
    return Corrupted(FileError(format::SegmentName(format::RefSegment(meta.ref)),
                               format::RefOffset(meta.ref),
                               absl::StrCat("chunk holds ", XorNumSamples(out->bytes),
                                            " samples, the index says ", meta.num_samples)));
  }
  return absl::OkStatus();
}

std::unique_ptr<ChunkSeriesIterator> BlockImpl::Series() const {
  return std::make_unique<BlockChunkSeriesIterator>(
      std::static_pointer_cast<const BlockImpl>(shared_from_this()));
}

}  // namespace strata::block
