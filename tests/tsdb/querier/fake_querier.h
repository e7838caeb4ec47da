// An in-memory Querier over a fixed list of series, for merge querier tests
// and benchmarks. Series are sorted by labels at construction; Select filters
// them with Matcher::Matches (an absent label has the value ""), ignoring
// time ranges. Errors can be injected into the series set, into one series'
// iterator and into LabelValues/LabelNames.
//
// Lifetime: sets and iterators point into the querier's series and must not
// outlive it; iterators stay valid after their set moved on or died, as the
// SeriesSet contract requires. Thread safety: none.
#ifndef STRATA_TESTS_TSDB_QUERIER_FAKE_QUERIER_H_
#define STRATA_TESTS_TSDB_QUERIER_FAKE_QUERIER_H_

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "tsdb/storage.h"

namespace strata::testing {

struct FakeSample {
  int64_t t;
  double v;
  friend bool operator==(const FakeSample& a, const FakeSample& b) {
    return a.t == b.t && std::memcmp(&a.v, &b.v, sizeof a.v) == 0;  // bit-exact
  }
  friend std::ostream& operator<<(std::ostream& os, const FakeSample& s) {
    uint64_t bits;
    std::memcpy(&bits, &s.v, sizeof bits);
    return os << "(" << s.t << ", " << s.v << " 0x" << std::hex << bits << std::dec << ")";
  }
};

struct FakeSeries {
  Labels labels;
  std::vector<FakeSample> samples;  // strictly increasing t
};

class VectorSampleIterator final : public SampleIterator {
 public:
  // Fails with `error` instead of yielding sample `fail_at` (when set).
  VectorSampleIterator(const std::vector<FakeSample>* samples, std::optional<size_t> fail_at,
                       absl::Status error)
      : samples_(samples), fail_at_(fail_at), error_(std::move(error)) {}

  bool Next() override {
    if (done_) return false;
    if (started_) ++i_;
    started_ = true;
    return Check();
  }
  bool Seek(int64_t t) override {
    if (done_) return false;
    if (!started_) started_ = true;
    while (i_ < samples_->size() && (*samples_)[i_].t < t) {
      if (fail_at_ && i_ >= *fail_at_) break;  // the failure stops the scan
      ++i_;
    }
    return Check();
  }
  int64_t t() const override { return (*samples_)[i_].t; }
  double v() const override { return (*samples_)[i_].v; }
  absl::Status status() const override { return status_; }

 private:
  bool Check() {
    if (fail_at_ && i_ >= *fail_at_) {
      status_ = error_;
      done_ = true;
      return false;
    }
    if (i_ >= samples_->size()) {
      done_ = true;
      return false;
    }
    return true;
  }
  const std::vector<FakeSample>* samples_;
  std::optional<size_t> fail_at_;
  absl::Status error_;
  absl::Status status_;
  size_t i_ = 0;
  bool started_ = false;
  bool done_ = false;
};

class VectorQuerier final : public Querier {
 public:
  explicit VectorQuerier(std::vector<FakeSeries> series) : series_(std::move(series)) {
    std::sort(series_.begin(), series_.end(),
              [](const FakeSeries& a, const FakeSeries& b) { return a.labels < b.labels; });
  }

  // The set fails with `error` after yielding `n` series.
  void FailSetAfter(size_t n, absl::Status error) {
    set_fail_after_ = n;
    set_error_ = std::move(error);
  }
  // Iterators of the series with `labels` fail instead of yielding sample
  // `n`.
  void FailIteratorAt(const Labels& labels, size_t n, absl::Status error) {
    it_fail_labels_ = labels;
    it_fail_at_ = n;
    it_error_ = std::move(error);
  }
  void FailLabelQueries(absl::Status error) { label_error_ = std::move(error); }

  std::unique_ptr<SeriesSet> Select(std::span<const Matcher> matchers) override {
    std::vector<size_t> selected;
    for (size_t i = 0; i < series_.size(); ++i) {
      if (MatchesAll(series_[i].labels, matchers)) selected.push_back(i);
    }
    return std::make_unique<Set>(this, std::move(selected));
  }
  absl::StatusOr<std::vector<std::string>> LabelValues(std::string_view name,
                                                       std::span<const Matcher> matchers) override {
    if (!label_error_.ok()) return label_error_;
    std::vector<std::string> out;
    for (const FakeSeries& s : series_) {
      const std::string_view v = s.labels.Get(name);
      if (!v.empty() && MatchesAll(s.labels, matchers)) out.emplace_back(v);
    }
    return SortedUnique(std::move(out));
  }
  absl::StatusOr<std::vector<std::string>> LabelNames(std::span<const Matcher> matchers) override {
    if (!label_error_.ok()) return label_error_;
    std::vector<std::string> out;
    for (const FakeSeries& s : series_) {
      if (!MatchesAll(s.labels, matchers)) continue;
      s.labels.ForEach([&](Label l) { out.emplace_back(l.name); });
    }
    return SortedUnique(std::move(out));
  }

  int iterators_created() const { return iterators_created_; }

 private:
  class Set final : public SeriesSet {
   public:
    Set(VectorQuerier* q, std::vector<size_t> selected) : q_(q), selected_(std::move(selected)) {}
    bool Next() override {
      if (!status_.ok()) return false;
      if (started_) ++pos_;
      started_ = true;
      if (q_->set_fail_after_ && pos_ >= *q_->set_fail_after_) {
        status_ = q_->set_error_;
        return false;
      }
      return pos_ < selected_.size();
    }
    const Labels& labels() const override { return Current().labels; }
    std::unique_ptr<SampleIterator> Iterator() const override {
      ++q_->iterators_created_;
      const FakeSeries& s = Current();
      std::optional<size_t> fail_at;
      if (q_->it_fail_at_ && s.labels == q_->it_fail_labels_) fail_at = q_->it_fail_at_;
      return std::make_unique<VectorSampleIterator>(&s.samples, fail_at, q_->it_error_);
    }
    absl::Status status() const override { return status_; }

   private:
    const FakeSeries& Current() const { return q_->series_[selected_[pos_]]; }
    VectorQuerier* q_;
    std::vector<size_t> selected_;
    size_t pos_ = 0;
    bool started_ = false;
    absl::Status status_;
  };

  static bool MatchesAll(const Labels& l, std::span<const Matcher> matchers) {
    for (const Matcher& m : matchers) {
      if (!m.Matches(l.Get(m.name()))) return false;
    }
    return true;
  }
  static std::vector<std::string> SortedUnique(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return v;
  }

  std::vector<FakeSeries> series_;
  std::optional<size_t> set_fail_after_;
  absl::Status set_error_;
  Labels it_fail_labels_;
  std::optional<size_t> it_fail_at_;
  absl::Status it_error_;
  absl::Status label_error_;
  int iterators_created_ = 0;
};

}  // namespace strata::testing

#endif  // STRATA_TESTS_TSDB_QUERIER_FAKE_QUERIER_H_
