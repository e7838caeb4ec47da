#include "tsdb/head/head_querier.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"

namespace strata {
namespace {

// Union of the postings of every value of `name` for which
// m.Matches(value) == want.
PostingsList PostingsForValues(const Head& head, uint32_t name, const Matcher& m, bool want) {
  std::vector<PostingsList> lists;
  const auto& set = m.SetMatches();
  if (want && m.type() == MatchType::kRegexMatch && !set.empty()) {
    // Finite alternation: look the literals up instead of scanning values.
    for (const std::string& value : set) {
      uint32_t v;
      if (!head.symbols().Find(value, &v)) continue;
      lists.emplace_back();
      head.postings().Get(name, v, &lists.back());
    }
  } else {
    for (uint32_t v : head.postings().Values(name)) {
      if (m.Matches(head.symbols().Lookup(v)) != want) continue;
      lists.emplace_back();
      head.postings().Get(name, v, &lists.back());
    }
  }
  std::vector<std::span<const SeriesRef>> spans(lists.begin(), lists.end());
  PostingsList out;
  MergePostings(spans, &out);
  return out;
}

}  // namespace

PostingsList HeadPostingsForMatchers(const Head& head, std::span<const Matcher> matchers) {
  std::vector<PostingsList> include;
  std::vector<PostingsList> exclude;
  for (const Matcher& m : matchers) {
    uint32_t name;
    bool known_name = head.symbols().Find(m.name(), &name);
    if (m.MatchesEmpty()) {
      // Selects series without the label too: remove the series whose value
      // does not match instead of adding those whose value does.
      if (!known_name) continue;
      exclude.push_back(PostingsForValues(head, name, m, /*want=*/false));
      continue;
    }
    if (!known_name) return {};
    if (m.type() == MatchType::kEqual) {
      uint32_t value;
      if (!head.symbols().Find(m.value(), &value)) return {};
      include.emplace_back();
      head.postings().Get(name, value, &include.back());
    } else {
      include.push_back(PostingsForValues(head, name, m, /*want=*/true));
    }
    if (include.back().empty()) return {};
  }

  PostingsList result;
  if (include.empty()) {
    head.postings().All(&result);
  } else {
    // Smallest first keeps every intermediate result small.
    std::sort(include.begin(), include.end(),
              [](const auto& a, const auto& b) { return a.size() < b.size(); });
    result = std::move(include[0]);
    PostingsList tmp;
    for (size_t i = 1; i < include.size() && !result.empty(); ++i) {
      IntersectPostings(result, include[i], &tmp);
      result.swap(tmp);
    }
  }
  PostingsList tmp;
  for (const PostingsList& ex : exclude) {
    if (result.empty()) break;
    SubtractPostings(result, ex, &tmp);
    result.swap(tmp);
  }
  return result;
}

namespace {

struct SeriesEntry {
  Labels labels;
  ChunkSeqIterator::Chunks chunks;
};

class HeadSeriesSet final : public SeriesSet {
 public:
  HeadSeriesSet(std::vector<SeriesEntry> entries, int64_t mint, int64_t maxt)
      : entries_(std::move(entries)), mint_(mint), maxt_(maxt) {}

  bool Next() override {
    if (pos_ >= entries_.size()) return false;
    ++pos_;
    return true;
  }
  const Labels& labels() const override { return entries_[pos_ - 1].labels; }
  std::unique_ptr<SampleIterator> Iterator() const override {
    return std::make_unique<ChunkSeqIterator>(entries_[pos_ - 1].chunks, mint_, maxt_);
  }
  absl::Status status() const override { return absl::OkStatus(); }

 private:
  std::vector<SeriesEntry> entries_;
  const int64_t mint_;
  const int64_t maxt_;
  size_t pos_ = 0;  // 1-based index of the current entry; 0 before the first Next
};

}  // namespace

std::unique_ptr<SeriesSet> HeadQuerier::Select(std::span<const Matcher> matchers) {
  // Series found below stay allocated until the snapshot is taken, even if a
  // concurrent Truncate removes them; the snapshot then owns its data.
  Head::ReadGuard guard = head_->EnterReader();
  PostingsList refs = HeadPostingsForMatchers(*head_, matchers);
  std::vector<SeriesEntry> entries;
  entries.reserve(refs.size());
  for (SeriesRef ref : refs) {
    MemSeries* s = head_->ByRef(ref);
    if (s == nullptr) continue;
    ChunkSeqIterator::Chunks chunks;
    {
      MutexLock lock(head_->StripeFor(ref));
      if (s->empty() || s->max_time() < mint_) continue;
      // Closed chunks are in time order: skip those ending before mint by
      // binary search (a day of head data is ~50 chunks per series, and an
      // instant query needs the last one or two). A series starting after
      // maxt ends up with no chunk (no need to touch its oldest chunk for
      // min_time()).
      const auto& closed = s->closed();
      auto c = std::partition_point(closed.begin(), closed.end(),
                                    [&](const auto& chunk) { return chunk->max_time < mint_; });
      for (; c != closed.end() && (*c)->min_time <= maxt_; ++c) chunks.push_back(*c);
      const XorAppender& open = s->open_chunk();
      if (open.last_t() >= mint_ && open.first_t() <= maxt_) {
        chunks.push_back(ClosedChunk::Make(open.first_t(), open.last_t(), open.bytes()));
      }
    }
    if (chunks.empty()) continue;
    entries.push_back({head_->LabelsOf(*s), std::move(chunks)});
  }
  std::sort(entries.begin(), entries.end(),
            [](const SeriesEntry& a, const SeriesEntry& b) { return a.labels < b.labels; });
  return std::make_unique<HeadSeriesSet>(std::move(entries), mint_, maxt_);
}

absl::StatusOr<std::vector<std::string>> HeadQuerier::LabelValues(
    std::string_view name, std::span<const Matcher> matchers) {
  absl::flat_hash_set<std::string_view> values;
  if (matchers.empty()) {
    uint32_t n;
    if (head_->symbols().Find(name, &n)) {
      for (uint32_t v : head_->postings().Values(n)) values.insert(head_->symbols().Lookup(v));
    }
  } else {
    auto set = Select(matchers);
    while (set->Next()) {
      std::string_view v = set->labels().Get(name);
      // Re-resolved through the symbol table so the view outlives the series.
      uint32_t id;
      if (!v.empty() && head_->symbols().Find(v, &id)) values.insert(head_->symbols().Lookup(id));
    }
  }
  std::vector<std::string> out(values.begin(), values.end());
  std::sort(out.begin(), out.end());
  return out;
}

absl::StatusOr<std::vector<std::string>> HeadQuerier::LabelNames(
    std::span<const Matcher> matchers) {
  absl::flat_hash_set<std::string_view> names;
  if (matchers.empty()) {
    for (uint32_t n : head_->postings().Names()) names.insert(head_->symbols().Lookup(n));
  } else {
    auto set = Select(matchers);
    while (set->Next()) {
      set->labels().ForEach([&](Label l) {
        uint32_t id;
        if (head_->symbols().Find(l.name, &id)) names.insert(head_->symbols().Lookup(id));
      });
    }
  }
  std::vector<std::string> out(names.begin(), names.end());
  std::sort(out.begin(), out.end());
  return out;
}

ChunkSeqIterator::ChunkSeqIterator(Chunks chunks, int64_t mint, int64_t maxt)
    : chunks_(std::move(chunks)), mint_(mint), maxt_(maxt) {}

bool ChunkSeqIterator::OpenChunk(size_t i) {
  const auto& c = *chunks_[i];
  it_.Reset(c.bytes());
  in_chunk_ = true;
  next_chunk_ = i + 1;
  return true;
}

bool ChunkSeqIterator::Next() {
  if (done_) return false;
  while (true) {
    if (!in_chunk_) {
      if (next_chunk_ >= chunks_.size()) break;
      OpenChunk(next_chunk_);
    }
    if (it_.Next()) {
      if (it_.t() < mint_) continue;
      if (it_.t() > maxt_) break;
      valid_ = true;
      return true;
    }
    if (!it_.status().ok()) {
      status_ = it_.status();
      break;
    }
    in_chunk_ = false;
  }
  done_ = true;
  valid_ = false;
  return false;
}

size_t ChunkSeqIterator::ReadBatch(int64_t maxt, TimedValue* out, size_t cap, bool* positioned) {
  return ReadBatchAcrossChunks(
      it_, maxt_, maxt, out, cap, positioned,
      [this] {
        if (!it_.status().ok()) {
          status_ = it_.status();
          return false;
        }
        in_chunk_ = false;
        return Next();
      },
      [this] {
        done_ = true;
        valid_ = false;
      });
}

bool ChunkSeqIterator::Seek(int64_t t) {
  if (done_) return false;
  t = std::max(t, mint_);
  if (valid_ && it_.t() >= t) return true;
  // Skip whole chunks that end before t.
  size_t i = in_chunk_ ? next_chunk_ - 1 : next_chunk_;
  while (i < chunks_.size() && chunks_[i]->max_time < t) ++i;
  if (i >= chunks_.size()) {
    done_ = true;
    valid_ = false;
    return false;
  }
  if (!in_chunk_ || i != next_chunk_ - 1) OpenChunk(i);
  if (it_.Seek(t)) {
    if (it_.t() > maxt_) {
      done_ = true;
      valid_ = false;
      return false;
    }
    valid_ = true;
    return true;
  }
  if (!it_.status().ok()) {
    status_ = it_.status();
    done_ = true;
    valid_ = false;
    return false;
  }
  in_chunk_ = false;
  return Next();
}

}  // namespace strata
