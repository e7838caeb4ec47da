// tools/import_buffer.h.
#include "tools/import_buffer.h"

#include <algorithm>
#include <bit>
#include <numeric>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tools/openmetrics.h"

namespace strata::tools {
namespace {

bool SameLabels(const Labels& stored, std::span<const Label> labels) {
  if (stored.size() != labels.size()) return false;
  bool same = true;
  size_t i = 0;
  stored.ForEach([&](const Label& l) { same = same && l == labels[i++]; });
  return same;
}

// Sorts a series' samples by time, keeping the input order of equal times.
void SortSamples(ImportBuffer::Series* s) {
  std::vector<uint32_t> order(s->ts.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [s](uint32_t a, uint32_t b) { return s->ts[a] < s->ts[b]; });
  std::vector<int64_t> ts(order.size());
  std::vector<double> vs(order.size());
  for (size_t i = 0; i < order.size(); ++i) {
    ts[i] = s->ts[order[i]];
    vs[i] = s->vs[order[i]];
  }
  s->ts = std::move(ts);
  s->vs = std::move(vs);
}

absl::Status Dedup(ImportBuffer::Series* s) {
  size_t out = 0;
  for (size_t i = 0; i < s->ts.size(); ++i) {
    if (out > 0 && s->ts[out - 1] == s->ts[i]) {
      if (std::bit_cast<uint64_t>(s->vs[out - 1]) == std::bit_cast<uint64_t>(s->vs[i])) continue;
      std::string a, b;
      AppendGoFloat(s->vs[out - 1], &a);
      AppendGoFloat(s->vs[i], &b);
      return absl::InvalidArgumentError(absl::StrCat("series ", s->labels.ToString(),
                                                     ": two different values at timestamp ",
                                                     s->ts[i], " ms (", a, " and ", b, ")"));
    }
    s->ts[out] = s->ts[i];
    s->vs[out] = s->vs[i];
    ++out;
  }
  s->ts.resize(out);
  s->vs.resize(out);
  return absl::OkStatus();
}

class BufferIterator final : public SampleIterator {
 public:
  explicit BufferIterator(const ImportBuffer::Series& s) : s_(s) {}
  bool Next() override {
    if (i_ < s_.ts.size()) ++i_;
    return i_ < s_.ts.size();
  }
  bool Seek(int64_t t) override {
    if (i_ == kBefore) i_ = 0;
    if (i_ < s_.ts.size() && s_.ts[i_] < t) {
      i_ = std::lower_bound(s_.ts.begin() + i_, s_.ts.end(), t) - s_.ts.begin();
    }
    return i_ < s_.ts.size();
  }
  int64_t t() const override { return s_.ts[i_]; }
  double v() const override { return s_.vs[i_]; }
  absl::Status status() const override { return absl::OkStatus(); }

 private:
  // Before the first Next, i_ + 1 wraps to 0.
  static constexpr size_t kBefore = static_cast<size_t>(-1);
  const ImportBuffer::Series& s_;
  size_t i_ = kBefore;
};

class BufferSeriesSet final : public SeriesSet {
 public:
  explicit BufferSeriesSet(std::vector<const ImportBuffer::Series*> series)
      : series_(std::move(series)) {}
  bool Next() override { return ++i_ < series_.size(); }
  const Labels& labels() const override { return series_[i_]->labels; }
  std::unique_ptr<SampleIterator> Iterator() const override {
    return std::make_unique<BufferIterator>(*series_[i_]);
  }
  absl::Status status() const override { return absl::OkStatus(); }

 private:
  std::vector<const ImportBuffer::Series*> series_;
  size_t i_ = static_cast<size_t>(-1);
};

class BufferQuerier final : public Querier {
 public:
  explicit BufferQuerier(const std::vector<ImportBuffer::Series>& series) : series_(series) {}

  std::unique_ptr<SeriesSet> Select(std::span<const Matcher> matchers) override {
    return std::make_unique<BufferSeriesSet>(Matching(matchers));
  }
  absl::StatusOr<std::vector<std::string>> LabelValues(std::string_view name,
                                                       std::span<const Matcher> matchers) override {
    std::set<std::string> values;
    for (const auto* s : Matching(matchers)) {
      std::string_view v = s->labels.Get(name);
      if (!v.empty()) values.emplace(v);
    }
    return std::vector<std::string>(values.begin(), values.end());
  }
  absl::StatusOr<std::vector<std::string>> LabelNames(std::span<const Matcher> matchers) override {
    std::set<std::string> names;
    for (const auto* s : Matching(matchers)) {
      s->labels.ForEach([&](const Label& l) { names.emplace(l.name); });
    }
    return std::vector<std::string>(names.begin(), names.end());
  }

 private:
  std::vector<const ImportBuffer::Series*> Matching(std::span<const Matcher> matchers) const {
    std::vector<const ImportBuffer::Series*> out;
    for (const auto& s : series_) {
      bool all = !s.ts.empty();
      for (const Matcher& m : matchers) all = all && m.Matches(s.labels.Get(m.name()));
      if (all) out.push_back(&s);
    }
    return out;
  }

  const std::vector<ImportBuffer::Series>& series_;
};

}  // namespace

void ImportBuffer::Add(std::span<const Label> labels, int64_t t, double v) {
  const uint64_t hash = Labels::HashSorted(labels);
  auto [it, inserted] = by_hash_.try_emplace(hash, static_cast<uint32_t>(series_.size()));
  uint32_t idx = it->second;
  if (!inserted) {
    uint32_t prev = idx;
    while (idx != UINT32_MAX && !SameLabels(series_[idx].labels, labels)) {
      prev = idx;
      idx = series_[idx].next;
    }
    if (idx == UINT32_MAX) {  // a hash collision: chain a new series
      idx = static_cast<uint32_t>(series_.size());
      series_[prev].next = idx;
      inserted = true;
    }
  }
  if (inserted) {
    series_.emplace_back();
    series_.back().labels = Labels::FromSorted(labels);
  }
  Series& s = series_[idx];
  if (!s.ts.empty() && t < s.ts.back()) s.sorted = false;
  s.ts.push_back(t);
  s.vs.push_back(v);
}

absl::Status ImportBuffer::Finish() {
  for (Series& s : series_) {
    if (!s.sorted) SortSamples(&s);
    s.sorted = true;
    if (absl::Status st = Dedup(&s); !st.ok()) return st;
  }
  // The hash chains index into series_, which is about to be reordered.
  by_hash_.clear();
  std::sort(series_.begin(), series_.end(),
            [](const Series& a, const Series& b) { return a.labels < b.labels; });
  return absl::OkStatus();
}

void ImportBuffer::Clear() {
  by_hash_.clear();
  series_.clear();
}

std::unique_ptr<Querier> ImportBuffer::NewQuerier() const {
  return std::make_unique<BufferQuerier>(series_);
}

}  // namespace strata::tools
