#include "tsdb/block/chunk_reader.h"

#include "absl/strings/str_cat.h"
#include "tsdb/base/coding.h"
#include "tsdb/base/crc32c.h"
#include "tsdb/base/status_macros.h"
#include "tsdb/block/format.h"

namespace strata::block {

absl::Status FileError(const std::string& file, uint64_t offset, const std::string& what) {
  return absl::DataLossError(absl::StrCat(file, " offset ", offset, ": ", what));
}

absl::StatusOr<std::unique_ptr<ChunkReader>> ChunkReader::Open(FileSystem* fs,
                                                               const std::string& dir) {
  std::string chunks_dir = JoinPath(dir, format::kChunksDir);
  ASSIGN_OR_RETURN(std::vector<std::string> names, fs->ListDir(chunks_dir));
  auto r = std::make_unique<ChunkReader>();
  for (size_t i = 0; i < names.size(); ++i) {
    std::string want = format::SegmentName(static_cast<uint32_t>(i + 1));
    if (JoinPath(format::kChunksDir, names[i]) != want) {
      return FileError(JoinPath(format::kChunksDir, names[i]), 0,
                       absl::StrCat("unexpected file; want ", want));
    }
    ASSIGN_OR_RETURN(std::unique_ptr<MappedFile> f, fs->MapFile(JoinPath(dir, want)));
    if (std::string bad = format::CheckHeader(f->data(), format::kChunksMagic); !bad.empty()) {
      return FileError(want, 0, bad);
    }
    r->segments_.push_back(std::move(f));
  }
  return r;
}

uint64_t ChunkReader::TotalBytes() const {
  uint64_t n = 0;
  for (const auto& s : segments_) n += s->data().size();
  return n;
}

absl::Status ChunkReader::ParseAt(std::span<const uint8_t> segment, uint32_t segment_num,
                                  uint64_t offset, ChunkEncoding* encoding,
                                  std::span<const uint8_t>* data, uint64_t* next) {
  auto fail = [&](const std::string& what) {
    return FileError(format::SegmentName(segment_num), offset, what);
  };
  if (offset < format::kHeaderSize || offset >= segment.size()) {
    return fail("chunk offset outside the segment");
  }
  Decoder d(format::AsStringView(segment.subspan(offset)));
  uint64_t len = d.Uvarint();
  if (!d.ok() || len >= d.remaining()) return fail("chunk length out of range");
  const uint64_t start = segment.size() - d.remaining();  // the encoding byte
  std::string_view payload = d.Bytes(len + 1);            // encoding byte and data
  uint32_t crc = d.Fixed32();
  if (!d.ok()) return fail("chunk truncated");
  if (crc32c::Value(payload) != crc) return fail("chunk crc mismatch");
  *encoding = static_cast<ChunkEncoding>(segment[start]);
  *data = segment.subspan(start + 1, len);
  *next = start + 1 + len + 4;
  return absl::OkStatus();
}

absl::Status ChunkReader::Read(uint64_t ref, ChunkEncoding* encoding,
                               std::span<const uint8_t>* data) const {
  uint32_t seg = format::RefSegment(ref);
  if (seg == 0 || seg > segments_.size()) {
    return FileError(format::SegmentName(seg), format::RefOffset(ref),
                     absl::StrCat("chunk reference ", ref, " names a missing segment"));
  }
  uint64_t next;
  return ParseAt(segments_[seg - 1]->data(), seg, format::RefOffset(ref), encoding, data, &next);
}

void ChunkDecoder::Reset(ChunkEncoding encoding, std::span<const uint8_t> bytes,
                         const SharedColumns* shared) {
  encoding_ = encoding;
  status_ = absl::OkStatus();
  switch (encoding) {
    case ChunkEncoding::kXor:
      xor_.Reset(bytes);
      return;
    case ChunkEncoding::kCold:
      if (cold_ == nullptr) cold_ = std::make_unique<ColdChunkIterator>();
      cold_->Reset(bytes, shared);
      return;
    case ChunkEncoding::kTimestamps:
      break;  // not a series' chunk
  }
  // Unknown: behave as an empty chunk with an error.
  encoding_ = ChunkEncoding::kCold;
  cold_.reset();
  status_ =
      absl::DataLossError(absl::StrCat("unknown chunk encoding ", static_cast<int>(encoding)));
}

absl::Status ChunkDecoder::status() const {
  if (!status_.ok()) return status_;
  if (encoding_ == ChunkEncoding::kXor) return xor_.status();
  return cold_ != nullptr ? cold_->status() : absl::OkStatus();
}

}  // namespace strata::block
