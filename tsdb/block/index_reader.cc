#include "tsdb/block/index_reader.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "tsdb/base/coding.h"
#include "tsdb/base/crc32c.h"
#include "tsdb/base/status_macros.h"
#include "tsdb/base/zstd.h"

namespace strata::block {

absl::Status IndexError(uint64_t offset, const std::string& what) {
  return absl::DataLossError(absl::StrCat("index offset ", offset, ": ", what));
}

absl::StatusOr<std::unique_ptr<IndexReader>> IndexReader::Open(std::span<const uint8_t> data) {
  std::unique_ptr<IndexReader> r(new IndexReader(data));
  RETURN_IF_ERROR(r->ReadToc());
  RETURN_IF_ERROR(r->ReadSymbols());
  RETURN_IF_ERROR(r->ReadLabelIndices());
  RETURN_IF_ERROR(r->ReadPostingsTable());
  RETURN_IF_ERROR(r->CheckEntries());
  return r;
}

absl::Status IndexReader::CheckEntries() const {
  Labels labels;
  std::vector<ChunkMeta> chunks;
  for (uint64_t offset = toc_.series; offset < toc_.label_indices;) {
    uint64_t next;
    RETURN_IF_ERROR(ReadSeries(SeriesRefAt(offset), &labels, &chunks, &next));
    offset = NextSeriesOffset(next);
  }
  std::vector<uint64_t> list;
  RETURN_IF_ERROR(AllPostings(&list));
  for (const PostingsEntry& e : table_) {
    RETURN_IF_ERROR(ReadPostings(e, &list));
    // A table entry naming its one series directly must name a series.
    if (e.single) RETURN_IF_ERROR(ReadSeries(e.offset, &labels, &chunks));
  }
  return absl::OkStatus();
}

absl::Status IndexReader::ReadToc() {
  if (std::string bad = format::CheckHeader(data_, format::kIndexMagic, format::kIndexVersion);
      !bad.empty()) {
    return IndexError(0, bad);
  }
  version_ = data_[4];
  const size_t toc_size = format::TocSize(version_);
  if (data_.size() < format::kHeaderSize + toc_size) {
    return IndexError(data_.size(), "file too short for a table of contents");
  }
  const uint64_t at = data_.size() - toc_size;
  const uint8_t* p = data_.data() + at;
  if (crc32c::Value(p, toc_size - 4) != LoadFixed32(p + toc_size - 4)) {
    return IndexError(at, "table of contents crc mismatch");
  }
  toc_ = {LoadFixed64(p), LoadFixed64(p + 8), LoadFixed64(p + 16), LoadFixed64(p + 24),
          LoadFixed64(p + 32)};
  if (version_ >= 2) toc_.base_time = static_cast<int64_t>(LoadFixed64(p + 40));
  if (toc_.symbols < format::kHeaderSize || toc_.series < toc_.symbols ||
      toc_.label_indices < toc_.series || toc_.postings < toc_.label_indices ||
      toc_.postings_table < toc_.postings || toc_.postings_table > at ||
      (version_ == 1 && toc_.series % format::kSeriesAlignment != 0)) {
    return IndexError(at, "table of contents offsets out of order or range");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string_view> IndexReader::Framed(uint64_t offset, uint64_t end,
                                                     const std::string& what) const {
  if (offset > end || end - offset < 8) return IndexError(offset, absl::StrCat(what, " truncated"));
  uint64_t len = LoadFixed32(data_.data() + offset);
  if (len > end - offset - 8) {
    return IndexError(offset, absl::StrCat(what, " length ", len, " out of range"));
  }
  std::string_view body = format::AsStringView(data_.subspan(offset + 4, len));
  if (crc32c::Value(body) != LoadFixed32(data_.data() + offset + 4 + len)) {
    return IndexError(offset, absl::StrCat(what, " crc mismatch"));
  }
  return body;
}

absl::StatusOr<std::string_view> IndexReader::Table(uint64_t offset, uint64_t end,
                                                    const std::string& what,
                                                    std::vector<uint8_t>* storage) const {
  ASSIGN_OR_RETURN(std::string_view body, Framed(offset, end, what));
  if (version_ == 1) return body;
  // The CRC matched, so the frame is as written; the bound only guards
  // against a file built to exhaust memory.
  constexpr size_t kMaxTable = size_t{1} << 32;
  if (!zstd::Decompress(body, kMaxTable, storage)) {
    return IndexError(offset, absl::StrCat(what, " does not decompress"));
  }
  return format::AsStringView(*storage);
}

uint64_t IndexReader::SeriesRefAt(uint64_t offset) const {
  return version_ == 1 ? offset / format::kSeriesAlignment : offset;
}

uint64_t IndexReader::NextSeriesOffset(uint64_t end_of_entry) const {
  if (version_ >= 2) return end_of_entry;
  return (end_of_entry + format::kSeriesAlignment - 1) / format::kSeriesAlignment *
         format::kSeriesAlignment;
}

absl::Status IndexReader::ReadSymbols() {
  ASSIGN_OR_RETURN(std::string_view body,
                   Table(toc_.symbols, toc_.series, "symbol table", &symbol_data_));
  Decoder d(body);
  uint64_t n = d.Uvarint();
  if (n > body.size()) return IndexError(toc_.symbols, "symbol count out of range");
  symbols_.reserve(n);
  for (uint64_t i = 0; i < n && d.ok(); ++i) {
    symbols_.push_back(d.LengthPrefixed());
    if (i > 0 && d.ok() && symbols_[i - 1] >= symbols_[i]) {
      return IndexError(toc_.symbols, absl::StrCat("symbol ", i, " out of order"));
    }
  }
  if (!d.ok() || !d.done()) return IndexError(toc_.symbols, "malformed symbol table");
  return absl::OkStatus();
}

absl::Status IndexReader::ReadLabelIndices() {
  std::vector<uint8_t> storage;
  ASSIGN_OR_RETURN(std::string_view body,
                   Table(toc_.label_indices, toc_.postings, "label-value index table", &storage));
  Decoder d(body);
  uint64_t n = d.Uvarint();
  if (n > body.size()) return IndexError(toc_.label_indices, "label name count out of range");
  for (uint64_t i = 0; i < n && d.ok(); ++i) {
    uint64_t name = d.Uvarint(), count = d.Uvarint();
    if (name >= symbols_.size() || (!names_.empty() && name <= names_.back()) ||
        count > d.remaining()) {
      return IndexError(toc_.label_indices, absl::StrCat("bad label name entry ", i));
    }
    names_.push_back(static_cast<uint32_t>(name));
    value_start_.push_back(static_cast<uint32_t>(values_.size()));
    for (uint64_t k = 0; k < count; ++k) {
      uint64_t v = d.Uvarint();
      if (v >= symbols_.size() || (k > 0 && v <= values_.back())) {
        return IndexError(toc_.label_indices, absl::StrCat("bad value ", k, " of label ",
                                                           std::string(Symbol(names_.back()))));
      }
      values_.push_back(static_cast<uint32_t>(v));
    }
  }
  value_start_.push_back(static_cast<uint32_t>(values_.size()));
  if (!d.ok() || !d.done()) return IndexError(toc_.label_indices, "malformed label-value index");
  return absl::OkStatus();
}

absl::Status IndexReader::ReadPostingsTable() {
  std::vector<uint8_t> storage;
  ASSIGN_OR_RETURN(std::string_view body,
                   Table(toc_.postings_table, data_.size() - format::TocSize(version_),
                         "postings offset table", &storage));
  Decoder d(body);
  uint64_t n = d.Uvarint();
  if (n > body.size()) return IndexError(toc_.postings_table, "postings count out of range");
  table_.reserve(n);
  for (uint64_t i = 0; i < n && d.ok(); ++i) {
    uint64_t name = d.Uvarint(), value = d.Uvarint(), offset = d.Uvarint();
    // Version 2: the low bit says whether the rest is the pair's only series.
    const bool single = version_ >= 2 && (offset & 1) != 0;
    if (version_ >= 2) offset >>= 1;
    bool ordered = table_.empty() || name > table_.back().name ||
                   (name == table_.back().name && value > table_.back().value);
    if (name >= symbols_.size() || value >= symbols_.size() || !ordered ||
        (!single && (offset < toc_.postings || offset >= toc_.postings_table))) {
      return IndexError(toc_.postings_table, absl::StrCat("bad postings table entry ", i));
    }
    table_.push_back({static_cast<uint32_t>(name), static_cast<uint32_t>(value), offset, single});
  }
  if (!d.ok() || !d.done()) return IndexError(toc_.postings_table, "malformed postings table");
  return absl::OkStatus();
}

bool IndexReader::FindSymbol(std::string_view s, uint32_t* ref) const {
  auto it = std::lower_bound(symbols_.begin(), symbols_.end(), s);
  if (it == symbols_.end() || *it != s) return false;
  *ref = static_cast<uint32_t>(it - symbols_.begin());
  return true;
}

std::span<const uint32_t> IndexReader::LabelValues(uint32_t name) const {
  auto it = std::lower_bound(names_.begin(), names_.end(), name);
  if (it == names_.end() || *it != name) return {};
  size_t i = it - names_.begin();
  return std::span<const uint32_t>(values_).subspan(value_start_[i],
                                                    value_start_[i + 1] - value_start_[i]);
}

absl::StatusOr<std::string_view> IndexReader::SeriesBody(uint64_t offset,
                                                         uint64_t* next_offset) const {
  Decoder outer(format::AsStringView(data_.subspan(offset, toc_.label_indices - offset)));
  std::string_view body = outer.LengthPrefixed();
  uint32_t crc = outer.Fixed32();
  if (!outer.ok()) return IndexError(offset, "series entry truncated");
  if (crc32c::Value(body) != crc) return IndexError(offset, "series entry crc mismatch");
  if (next_offset != nullptr) *next_offset = toc_.label_indices - outer.remaining();
  return body;
}

absl::Status IndexReader::ReadSeries(uint64_t ref, Labels* labels, std::vector<ChunkMeta>* chunks,
                                     uint64_t* next_offset) const {
  const uint64_t offset = version_ == 1 ? ref * format::kSeriesAlignment : ref;
  if ((version_ == 1 && ref > toc_.label_indices / format::kSeriesAlignment) ||
      offset < toc_.series || offset >= toc_.label_indices) {
    return IndexError(offset, absl::StrCat("series ref ", ref, " outside the series section"));
  }
  ASSIGN_OR_RETURN(std::string_view body, SeriesBody(offset, next_offset));
  Decoder d(body);
  uint64_t n = d.Uvarint();
  if (n > body.size()) return IndexError(offset, "series label count out of range");
  std::vector<Label> pairs;
  pairs.reserve(n);
  uint64_t prev_name = 0;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t name = d.Uvarint(), value = d.Uvarint();
    if (!d.ok() || name >= symbols_.size() || value >= symbols_.size() ||
        (i > 0 && name <= prev_name)) {
      return IndexError(offset, absl::StrCat("series label ", i, " invalid"));
    }
    prev_name = name;
    pairs.push_back({symbols_[name], symbols_[value]});
  }
  *labels = Labels::FromSorted(pairs);
  return ReadChunkMetas(d, offset, /*allow_same_as=*/version_ >= 2, chunks);
}

absl::Status IndexReader::ReadChunkMetas(Decoder& d, uint64_t offset, bool allow_same_as,
                                         std::vector<ChunkMeta>* chunks) const {
  const uint64_t num_chunks = d.Uvarint();
  if (num_chunks > d.remaining()) return IndexError(offset, "series chunk count out of range");
  chunks->clear();
  if (num_chunks == 0 && allow_same_as) {
    // The same chunks as an earlier entry, which lists them itself.
    const uint64_t back = d.Uvarint();
    if (!d.ok() || !d.done()) return IndexError(offset, "malformed series entry");
    if (back == 0 || back > offset - toc_.series) {
      return IndexError(offset, "series entry refers to chunks outside the series section");
    }
    const uint64_t other = offset - back;
    ASSIGN_OR_RETURN(std::string_view body, SeriesBody(other, nullptr));
    Decoder o(body);
    const uint64_t n = o.Uvarint();
    for (uint64_t i = 0; i < 2 * n && o.ok(); ++i) o.Uvarint();  // its labels
    if (!o.ok()) return IndexError(other, "malformed series entry");
    RETURN_IF_ERROR(ReadChunkMetas(o, other, /*allow_same_as=*/false, chunks));
    if (chunks->empty()) return IndexError(offset, "series entry refers to one without chunks");
    return absl::OkStatus();
  }
  chunks->reserve(num_chunks);
  for (uint64_t i = 0; i < num_chunks; ++i) {
    ChunkMeta c;
    if (i == 0) {
      c.min_time = static_cast<int64_t>(static_cast<uint64_t>(toc_.base_time) +
                                        static_cast<uint64_t>(d.Varint()));
    } else {
      c.min_time =
          static_cast<int64_t>(static_cast<uint64_t>(chunks->back().max_time) + d.Uvarint());
    }
    c.max_time = static_cast<int64_t>(static_cast<uint64_t>(c.min_time) + d.Uvarint());
    uint64_t samples = d.Uvarint();
    uint64_t r = d.Uvarint();
    c.ref = i == 0 ? r + (version_ == 1 ? 0 : format::kFirstSegmentRef) : chunks->back().ref + r;
    if (samples > UINT32_MAX || c.max_time < c.min_time ||
        (i > 0 && c.min_time <= chunks->back().max_time)) {
      return IndexError(offset, absl::StrCat("series chunk meta ", i, " invalid"));
    }
    c.num_samples = static_cast<uint32_t>(samples);
    chunks->push_back(c);
  }
  if (!d.ok() || !d.done()) return IndexError(offset, "malformed series entry");
  return absl::OkStatus();
}

absl::StatusOr<std::string_view> IndexReader::PostingsBody(uint64_t offset) const {
  if (version_ == 1) return Framed(offset, toc_.postings_table, "postings list");
  if (offset >= toc_.postings_table) return IndexError(offset, "postings list truncated");
  Decoder d(format::AsStringView(data_.subspan(offset, toc_.postings_table - offset)));
  std::string_view body = d.LengthPrefixed();
  const uint32_t crc = d.Fixed32();
  if (!d.ok()) return IndexError(offset, "postings list truncated");
  if (crc32c::Value(body) != crc) return IndexError(offset, "postings list crc mismatch");
  return body;
}

absl::Status IndexReader::ReadPostings(uint64_t offset, std::vector<uint64_t>* out) const {
  out->clear();
  ASSIGN_OR_RETURN(std::string_view body, PostingsBody(offset));
  Decoder d(body);
  uint64_t n = d.Uvarint();
  if (n > body.size()) return IndexError(offset, "postings count out of range");
  out->reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t delta = d.Uvarint();
    if (i > 0 && delta == 0) return IndexError(offset, "postings list not strictly increasing");
    out->push_back(i == 0 ? delta : out->back() + delta);
  }
  if (!d.ok() || !d.done()) return IndexError(offset, "malformed postings list");
  return absl::OkStatus();
}

absl::Status IndexReader::ReadPostings(const PostingsEntry& e, std::vector<uint64_t>* out) const {
  if (!e.single) return ReadPostings(e.offset, out);
  out->assign(1, e.offset);
  return absl::OkStatus();
}

absl::Status IndexReader::AllPostings(std::vector<uint64_t>* out) const {
  return ReadPostings(toc_.postings, out);
}

absl::Status IndexReader::Postings(uint32_t name, uint32_t value,
                                   std::vector<uint64_t>* out) const {
  out->clear();
  auto it = std::lower_bound(table_.begin(), table_.end(), std::make_pair(name, value),
                             [](const PostingsEntry& e, const std::pair<uint32_t, uint32_t>& k) {
                               return std::make_pair(e.name, e.value) < k;
                             });
  if (it == table_.end() || it->name != name || it->value != value) return absl::OkStatus();
  return ReadPostings(*it, out);
}

}  // namespace strata::block
