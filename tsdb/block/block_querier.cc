// Querying a block: matchers resolved against postings (same semantics as
// the head's HeadPostingsForMatchers), series decoded lazily as the
// SeriesSet advances, chunks read (CRC-checked) and decoded lazily as the
// sample iterator advances.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "tsdb/base/status_macros.h"
#include "tsdb/block/block_impl.h"

namespace strata::block {

void Intersect(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b,
               std::vector<uint64_t>* out) {
  out->clear();
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(*out));
}

void Subtract(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b,
              std::vector<uint64_t>* out) {
  out->clear();
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(*out));
}

namespace {

// Union of the postings of every value of label `name` for which
// m.Matches(value) == want.
absl::Status PostingsForValues(const IndexReader& index, uint32_t name, const Matcher& m, bool want,
                               std::vector<uint64_t>* out) {
  out->clear();
  std::vector<uint64_t> list;
  auto add = [&](uint32_t value) -> absl::Status {
    RETURN_IF_ERROR(index.Postings(name, value, &list));
    out->insert(out->end(), list.begin(), list.end());
    return absl::OkStatus();
  };
  const std::vector<std::string>& set = m.SetMatches();
  if (want && m.type() == MatchType::kRegexMatch && !set.empty()) {
    // A finite alternation: look the literals up instead of scanning values.
    for (const std::string& value : set) {
      uint32_t v;
      if (index.FindSymbol(value, &v)) RETURN_IF_ERROR(add(v));
    }
  } else {
    for (uint32_t v : index.LabelValues(name)) {
      if (m.Matches(index.Symbol(v)) == want) RETURN_IF_ERROR(add(v));
    }
  }
  std::sort(out->begin(), out->end());
  out->erase(std::unique(out->begin(), out->end()), out->end());
  return absl::OkStatus();
}

}  // namespace

absl::Status PostingsForMatchers(const IndexReader& index, std::span<const Matcher> matchers,
                                 std::vector<uint64_t>* out) {
  out->clear();
  std::vector<std::vector<uint64_t>> include;
  std::vector<std::vector<uint64_t>> exclude;
  for (const Matcher& m : matchers) {
    uint32_t name;
    bool known_name = index.FindSymbol(m.name(), &name);
    if (m.MatchesEmpty()) {
      // Selects series without the label too: subtract the series whose
      // value does not match instead of adding those whose value does.
      if (!known_name) continue;
      exclude.emplace_back();
      RETURN_IF_ERROR(PostingsForValues(index, name, m, /*want=*/false, &exclude.back()));
      continue;
    }
    if (!known_name) return absl::OkStatus();
    include.emplace_back();
    if (m.type() == MatchType::kEqual) {
      uint32_t value;
      if (!index.FindSymbol(m.value(), &value)) return absl::OkStatus();
      RETURN_IF_ERROR(index.Postings(name, value, &include.back()));
    } else {
      RETURN_IF_ERROR(PostingsForValues(index, name, m, /*want=*/true, &include.back()));
    }
    if (include.back().empty()) return absl::OkStatus();
  }
  if (include.empty()) {
    RETURN_IF_ERROR(index.AllPostings(out));
  } else {
    // Smallest first keeps every intermediate result small.
    std::sort(include.begin(), include.end(),
              [](const auto& a, const auto& b) { return a.size() < b.size(); });
    *out = std::move(include[0]);
    std::vector<uint64_t> tmp;
    for (size_t i = 1; i < include.size() && !out->empty(); ++i) {
      Intersect(*out, include[i], &tmp);
      out->swap(tmp);
    }
  }
  std::vector<uint64_t> tmp;
  for (const auto& ex : exclude) {
    if (out->empty()) break;
    Subtract(*out, ex, &tmp);
    out->swap(tmp);
  }
  return absl::OkStatus();
}

namespace {

// Samples of one series' chunks within [mint, maxt]; each chunk is read and
// CRC-checked when the iterator reaches it.
class BlockSeriesIterator final : public SampleIterator {
 public:
  BlockSeriesIterator(std::shared_ptr<const BlockImpl> block, std::vector<ChunkMeta> chunks,
                      int64_t mint, int64_t maxt)
      : block_(std::move(block)), chunks_(std::move(chunks)), mint_(mint), maxt_(maxt) {}

  bool Next() override {
    while (!done_) {
      if (!in_chunk_ && !OpenChunk(next_chunk_)) break;
      if (dec_.Next()) {
        if (dec_.t() < mint_) continue;
        if (dec_.t() > maxt_) break;
        valid_ = true;
        return true;
      }
      if (!CheckDecoder()) break;
      in_chunk_ = false;
    }
    return Stop();
  }

  bool Seek(int64_t t) override {
    if (done_) return false;
    t = std::max(t, mint_);
    if (valid_ && dec_.t() >= t) return true;
    // Skip whole chunks that end before t.
    size_t i = in_chunk_ ? next_chunk_ - 1 : next_chunk_;
    while (i < chunks_.size() && chunks_[i].max_time < t) ++i;
    if (!in_chunk_ || i != next_chunk_ - 1) {
      in_chunk_ = false;
      if (!OpenChunk(i)) return Stop();
    }
    if (dec_.Seek(t)) {
      if (dec_.t() > maxt_) return Stop();
      valid_ = true;
      return true;
    }
    if (!CheckDecoder()) return Stop();
    in_chunk_ = false;
    valid_ = false;
    return Next();
  }

  size_t ReadBatch(int64_t maxt, TimedValue* out, size_t cap, bool* positioned) override {
    return ReadBatchAcrossChunks(
        dec_, maxt_, maxt, out, cap, positioned,
        [this] {
          if (!CheckDecoder()) return false;
          in_chunk_ = false;
          return Next();
        },
        [this] { Stop(); });
  }

  int64_t t() const override { return dec_.t(); }
  double v() const override { return dec_.v(); }
  absl::Status status() const override { return status_; }

 private:
  // Opens chunk i; false at the end or on error (then status_ is set).
  bool OpenChunk(size_t i) {
    if (i >= chunks_.size()) return false;
    StoredChunk c;
    status_ = block_->LoadChunk(chunks_[i], &c);
    if (!status_.ok()) return false;
    ref_ = chunks_[i].ref;
    dec_.Reset(c.encoding, c.bytes, block_.get());
    in_chunk_ = true;
    next_chunk_ = i + 1;
    return true;
  }
  // False (with status_ set) if the decoder stopped on an error.
  bool CheckDecoder() {
    absl::Status s = dec_.status();
    if (s.ok()) return true;
    status_ = block_->Corrupted(FileError(format::SegmentName(format::RefSegment(ref_)),
                                          format::RefOffset(ref_), std::string(s.message())));
    return false;
  }
  bool Stop() {
    done_ = true;
    valid_ = false;
    return false;
  }

  const std::shared_ptr<const BlockImpl> block_;
  const std::vector<ChunkMeta> chunks_;
  const int64_t mint_;
  const int64_t maxt_;
  ChunkDecoder dec_;
  uint64_t ref_ = 0;  // the open chunk's reference, for errors
  size_t next_chunk_ = 0;
  bool in_chunk_ = false;
  bool valid_ = false;
  bool done_ = false;
  absl::Status status_;
};

class BlockSeriesSet final : public SeriesSet {
 public:
  BlockSeriesSet(std::shared_ptr<const BlockImpl> block, std::vector<uint64_t> refs,
                 absl::Status status, int64_t mint, int64_t maxt)
      : block_(std::move(block)),
        refs_(std::move(refs)),
        status_(std::move(status)),
        mint_(mint),
        maxt_(maxt) {}

  bool Next() override {
    while (status_.ok() && pos_ < refs_.size()) {
      status_ = block_->Corrupted(block_->index().ReadSeries(refs_[pos_++], &labels_, &metas_));
      if (!status_.ok()) break;
      // Keep the chunks overlapping [mint, maxt] (they are in time order).
      auto first = std::partition_point(metas_.begin(), metas_.end(),
                                        [&](const ChunkMeta& c) { return c.max_time < mint_; });
      auto last = std::partition_point(first, metas_.end(),
                                       [&](const ChunkMeta& c) { return c.min_time <= maxt_; });
      if (first == last) continue;
      current_.assign(first, last);
      return true;
    }
    return false;
  }
  const Labels& labels() const override { return labels_; }
  std::unique_ptr<SampleIterator> Iterator() const override {
    return std::make_unique<BlockSeriesIterator>(block_, current_, mint_, maxt_);
  }
  absl::Status status() const override { return status_; }

 private:
  const std::shared_ptr<const BlockImpl> block_;
  const std::vector<uint64_t> refs_;
  absl::Status status_;
  const int64_t mint_;
  const int64_t maxt_;
  size_t pos_ = 0;
  Labels labels_;
  std::vector<ChunkMeta> metas_;
  std::vector<ChunkMeta> current_;
};

class BlockQuerier final : public Querier {
 public:
  BlockQuerier(std::shared_ptr<const BlockImpl> block, int64_t mint, int64_t maxt)
      : block_(std::move(block)), mint_(mint), maxt_(maxt) {}

  std::unique_ptr<SeriesSet> Select(std::span<const Matcher> matchers) override {
    std::vector<uint64_t> refs;
    absl::Status s = block_->Corrupted(PostingsForMatchers(block_->index(), matchers, &refs));
    if (!s.ok()) refs.clear();
    return std::make_unique<BlockSeriesSet>(block_, std::move(refs), std::move(s), mint_, maxt_);
  }

  absl::StatusOr<std::vector<std::string>> LabelValues(std::string_view name,
                                                       std::span<const Matcher> matchers) override {
    const IndexReader& index = block_->index();
    std::vector<std::string> out;
    if (matchers.empty()) {
      uint32_t n;
      if (!index.FindSymbol(name, &n)) return out;
      for (uint32_t v : index.LabelValues(n)) {
        if (!index.Symbol(v).empty()) out.emplace_back(index.Symbol(v));
      }
      return out;  // sorted: symbol refs are in string order
    }
    auto set = Select(matchers);
    while (set->Next()) {
      std::string_view v = set->labels().Get(name);
      if (!v.empty()) out.emplace_back(v);
    }
    RETURN_IF_ERROR(set->status());
    return SortUnique(std::move(out));
  }

  absl::StatusOr<std::vector<std::string>> LabelNames(std::span<const Matcher> matchers) override {
    const IndexReader& index = block_->index();
    std::vector<std::string> out;
    if (matchers.empty()) {
      for (uint32_t n : index.LabelNames()) out.emplace_back(index.Symbol(n));
      return out;
    }
    auto set = Select(matchers);
    while (set->Next()) {
      set->labels().ForEach([&](Label l) { out.emplace_back(l.name); });
    }
    RETURN_IF_ERROR(set->status());
    return SortUnique(std::move(out));
  }

 private:
  static std::vector<std::string> SortUnique(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return v;
  }

  const std::shared_ptr<const BlockImpl> block_;
  const int64_t mint_;
  const int64_t maxt_;
};

// One chunk's samples within [mint, maxt].
class SingleChunkIterator final : public SampleIterator {
 public:
  SingleChunkIterator(const StoredChunk& chunk, int64_t mint, int64_t maxt,
                      const SharedColumns* shared)
      : mint_(mint), maxt_(maxt) {
    dec_.Reset(chunk.encoding, chunk.bytes, shared);
  }
  bool Next() override {
    while (!done_ && dec_.Next()) {
      if (dec_.t() < mint_) continue;
      if (dec_.t() > maxt_) break;
      return true;
    }
    done_ = true;
    return false;
  }
  bool Seek(int64_t t) override {
    if (done_) return false;
    if (dec_.Seek(std::max(t, mint_)) && dec_.t() <= maxt_) return true;
    done_ = true;
    return false;
  }
  int64_t t() const override { return dec_.t(); }
  double v() const override { return dec_.v(); }
  absl::Status status() const override { return dec_.status(); }

 private:
  ChunkDecoder dec_;
  const int64_t mint_;
  const int64_t maxt_;
  bool done_ = false;
};

}  // namespace

std::unique_ptr<Querier> BlockImpl::NewQuerier(int64_t mint, int64_t maxt) const {
  return std::make_unique<BlockQuerier>(
      std::static_pointer_cast<const BlockImpl>(shared_from_this()), mint, maxt);
}

std::unique_ptr<SampleIterator> NewChunkSampleIterator(const StoredChunk& chunk, int64_t mint,
                                                       int64_t maxt, const SharedColumns* shared) {
  return std::make_unique<SingleChunkIterator>(chunk, mint, maxt, shared);
}

}  // namespace strata::block
