// Block::Verify: reads every byte of the block and checks what CRCs cannot
// prove (docs/format/block.md, "What a reader checks, and when"). Collects
// every problem found instead of stopping at the first; a structural error
// that makes the rest of a file unreadable ends the scan of that file only.
#include <algorithm>
#include <cstdlib>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "tsdb/block/block_impl.h"
#include "tsdb/block/format.h"

namespace strata::block {
namespace {

using Refs = std::vector<uint64_t>;

class Verifier {
 public:
  explicit Verifier(const BlockImpl& b) : b_(b), index_(b.index()) {}

  std::vector<Damage> Run() {
    CheckSeries();
    CheckPostings();
    CheckLabelIndices();
    CheckSegments();
    return std::move(damage_);
  }

 private:
  void Add(std::string file, uint64_t offset, std::string what) {
    damage_.push_back({std::move(file), offset, std::move(what)});
  }
  // Our readers' errors read "<file> offset <n>: <what>"; split them.
  void AddStatus(const absl::Status& s, std::string_view file, uint64_t offset) {
    std::string msg(s.message());
    size_t at = msg.find(" offset ");
    size_t colon = msg.find(": ", at == std::string::npos ? 0 : at);
    uint64_t n = 0;
    if (at != std::string::npos && colon != std::string::npos &&
        absl::SimpleAtoi(absl::string_view(msg.data() + at + 8, colon - at - 8), &n)) {
      Add(std::string(msg.substr(0, at)), n, std::string(msg.substr(colon + 2)));
    } else {
      Add(std::string(file), offset, std::string(msg));
    }
  }

  void CheckZero(uint64_t from, uint64_t to) {
    std::span<const uint8_t> d = index_.data();
    for (uint64_t i = from; i < to && i < d.size(); ++i) {
      if (d[i] != 0) {
        Add("index", i, "nonzero padding byte");
        return;
      }
    }
  }

  void CheckSeries() {
    const format::Toc& toc = index_.toc();
    // The symbol table ends where its framing says; padding follows.
    uint64_t symbols_end = toc.symbols + 8 + LoadLen(toc.symbols);
    CheckZero(symbols_end, toc.series);
    Labels labels, prev;
    std::vector<ChunkMeta> chunks;
    for (uint64_t offset = toc.series; offset < toc.label_indices;) {
      uint64_t next;
      absl::Status s = index_.ReadSeries(index_.SeriesRefAt(offset), &labels, &chunks, &next);
      if (!s.ok()) {
        AddStatus(s, "index", offset);
        return;  // the next entry's position is unknown
      }
      const uint64_t ref = index_.SeriesRefAt(offset);
      CheckOneSeries(offset, labels, prev, chunks);
      series_refs_.push_back(ref);
      labels.ForEach([&](Label l) {
        uint32_t n = 0, v = 0;
        index_.FindSymbol(l.name, &n);
        index_.FindSymbol(l.value, &v);
        expected_[uint64_t{n} << 32 | v].push_back(ref);
      });
      prev = std::move(labels);
      CheckZero(next, std::min(index_.NextSeriesOffset(next), toc.label_indices));
      offset = index_.NextSeriesOffset(next);
    }
    const BlockMeta& m = b_.meta();
    if (m.num_series != series_refs_.size() || m.num_chunks != num_chunks_ ||
        m.num_samples != num_samples_) {
      Add("meta.json", 0,
          absl::StrCat("stats say ", m.num_series, " series, ", m.num_chunks, " chunks, ",
                       m.num_samples, " samples; the block has ", series_refs_.size(), ", ",
                       num_chunks_, ", ", num_samples_));
    }
  }

  uint64_t LoadLen(uint64_t offset) const {
    const uint8_t* p = index_.data().data() + offset;
    return uint64_t{p[0]} | uint64_t{p[1]} << 8 | uint64_t{p[2]} << 16 | uint64_t{p[3]} << 24;
  }

  void CheckOneSeries(uint64_t offset, const Labels& labels, const Labels& prev,
                      const std::vector<ChunkMeta>& chunks) {
    std::string who = absl::StrCat("series ", labels.ToString(), ": ");
    if (labels.empty()) Add("index", offset, "series with no labels");
    if (absl::Status s = ValidateLabels(labels); !s.ok()) {
      Add("index", offset, who + std::string(s.message()));
    }
    if (!series_refs_.empty() && Compare(prev, labels) >= 0) {
      Add("index", offset, who + "not after the previous series " + prev.ToString());
    }
    if (chunks.empty()) Add("index", offset, who + "no chunks");
    const BlockMeta& m = b_.meta();
    for (size_t i = 0; i < chunks.size(); ++i) {
      const ChunkMeta& c = chunks[i];
      std::string where = absl::StrCat(who, "chunk ", i, " [", c.min_time, ", ", c.max_time, "]");
      ++num_chunks_;
      num_samples_ += c.num_samples;
      if (c.min_time < m.min_time || c.max_time >= m.max_time) {
        Add("index", offset,
            absl::StrCat(where, " outside the block range [", m.min_time, ", ", m.max_time, ")"));
      }
      if (c.num_samples == 0) Add("index", offset, where + " has no samples");
      CheckChunkData(c, where);
    }
  }

  // Decodes the whole chunk: CRC, sample count and timestamps within the
  // chunk's [min_time, max_time], in increasing order.
  void CheckChunkData(const ChunkMeta& c, const std::string& where) {
    ChunkEncoding enc;
    std::span<const uint8_t> data;
    if (absl::Status s = b_.chunks().Read(c.ref, &enc, &data); !s.ok()) {
      AddStatus(s, format::SegmentName(format::RefSegment(c.ref)), format::RefOffset(c.ref));
      return;
    }
    std::string file = format::SegmentName(format::RefSegment(c.ref));
    dec_.Reset(enc, data, &b_);
    uint64_t n = 0;
    int64_t first = 0, last = 0;
    bool ordered = true;
    while (dec_.Next()) {
      if (n == 0) first = dec_.t();
      if (n > 0 && dec_.t() <= last) ordered = false;
      last = dec_.t();
      ++n;
    }
    if (absl::Status s = dec_.status(); !s.ok()) {
      Add(file, format::RefOffset(c.ref), absl::StrCat(where, ": ", s.message()));
      return;
    }
    if (n != c.num_samples || !ordered || (n > 0 && (first != c.min_time || last != c.max_time))) {
      Add(file, format::RefOffset(c.ref),
          absl::StrCat(where, ": chunk holds ", n, " samples over [", first, ", ", last,
                       ordered ? "]" : "] out of order", "; the index says ", c.num_samples));
    }
  }

  void CheckPostings() {
    const format::Toc& toc = index_.toc();
    Refs list;
    if (absl::Status s = index_.AllPostings(&list); !s.ok()) {
      AddStatus(s, "index", toc.postings);
    } else if (list != series_refs_) {
      Add("index", toc.postings, "all-series postings list differs from the series section");
    }
    size_t seen = 0;
    for (const IndexReader::PostingsEntry& e : index_.postings_table()) {
      std::string pair = absl::StrCat(std::string(index_.Symbol(e.name)), "=\"",
                                      std::string(index_.Symbol(e.value)), "\"");
      // Where to report a problem: the list, or the table naming the series.
      const uint64_t at = e.single ? toc.postings_table : e.offset;
      if (absl::Status s = index_.ReadPostings(e, &list); !s.ok()) {
        AddStatus(s, "index", at);
        continue;
      }
      auto it = expected_.find(uint64_t{e.name} << 32 | e.value);
      if (it == expected_.end()) {
        Add("index", at, absl::StrCat("postings for ", pair, ", which no series has"));
        continue;
      }
      ++seen;
      if (list != it->second) {
        Add("index", at,
            absl::StrCat("postings for ", pair, " list ", list.size(), " series, ",
                         it->second.size(), " carry the pair"));
      }
    }
    if (seen != expected_.size()) {
      Add("index", toc.postings_table,
          absl::StrCat(expected_.size() - seen, " label pairs have no postings list"));
    }
  }

  void CheckLabelIndices() {
    absl::flat_hash_map<uint32_t, std::vector<uint32_t>> want;
    for (const auto& [key, refs] : expected_) {
      want[static_cast<uint32_t>(key >> 32)].push_back(static_cast<uint32_t>(key));
    }
    const uint64_t at = index_.toc().label_indices;
    if (want.size() != index_.LabelNames().size()) {
      Add("index", at,
          absl::StrCat("label-value index has ", index_.LabelNames().size(),
                       " names, the series have ", want.size()));
    }
    for (auto& [name, values] : want) {
      std::sort(values.begin(), values.end());
      std::span<const uint32_t> got = index_.LabelValues(name);
      if (!std::equal(got.begin(), got.end(), values.begin(), values.end())) {
        Add("index", at,
            absl::StrCat("label-value index of ", std::string(index_.Symbol(name)),
                         " differs from the series' values"));
      }
    }
  }

  void CheckSegments() {
    const ChunkReader& chunks = b_.chunks();
    for (size_t i = 0; i < chunks.num_segments(); ++i) {
      std::span<const uint8_t> seg = chunks.segment(i);
      uint32_t num = static_cast<uint32_t>(i + 1);
      for (uint64_t offset = format::kHeaderSize; offset < seg.size();) {
        ChunkEncoding enc;
        std::span<const uint8_t> data;
        uint64_t next;
        absl::Status s = ChunkReader::ParseAt(seg, num, offset, &enc, &data, &next);
        if (!s.ok()) {
          AddStatus(s, format::SegmentName(num), offset);
          break;  // the next chunk's position is unknown
        }
        if (enc != ChunkEncoding::kXor && enc != ChunkEncoding::kCold &&
            enc != ChunkEncoding::kTimestamps) {
          Add(format::SegmentName(num), offset,
              absl::StrCat("unknown chunk encoding ", static_cast<int>(enc)));
        }
        offset = next;
      }
    }
  }

  const BlockImpl& b_;
  const IndexReader& index_;
  std::vector<Damage> damage_;
  Refs series_refs_;
  absl::flat_hash_map<uint64_t, Refs> expected_;  // (name ref, value ref) -> series
  uint64_t num_chunks_ = 0;
  uint64_t num_samples_ = 0;
  ChunkDecoder dec_;
};

}  // namespace

std::vector<Damage> BlockImpl::Verify() const { return Verifier(*this).Run(); }

}  // namespace strata::block
