// Label sets: the identity of a series.
//
// A Labels value is an immutable set of (name, value) pairs sorted by name
// with unique names. It owns its strings in one contiguous buffer (one
// allocation per set), so copies are cheap to make and to compare, and
// string_views handed out stay valid as long as the Labels object lives.
//
// Thread safety: immutable after construction; safe to share.
#ifndef STRATA_TSDB_LABELS_LABELS_H_
#define STRATA_TSDB_LABELS_LABELS_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace strata {

inline constexpr std::string_view kMetricNameLabel = "__name__";

struct Label {
  std::string_view name;
  std::string_view value;
  friend bool operator==(const Label&, const Label&) = default;
};

class Labels {
 public:
  Labels() = default;  // the empty set

  // REQUIRES: `labels` sorted by name, names unique.
  static Labels FromSorted(std::span<const Label> labels);
  // Sorts `labels` by name. Duplicate names are kept (use Validate to reject).
  static Labels FromUnsorted(std::vector<Label> labels);
  // Convenience for tests and tools: {"__name__", "up", "job", "x"} pairs.
  static Labels FromStrings(std::initializer_list<std::string_view> name_value_pairs);

  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  Label operator[](size_t i) const;

  // The value of `name`, or "" when absent (empty equals absent).
  std::string_view Get(std::string_view name) const;
  bool Has(std::string_view name) const;

  // XXH3-64 over "name\xffvalue\xff" for every pair, in order. Stable across
  // processes and versions (it is persisted nowhere, but used for sharding).
  uint64_t Hash() const;

  // Prometheus's text form: {__name__="up", job="x"} is rendered as
  // up{job="x"}; values are escaped as Go's %q does.
  std::string ToString() const;

  // Calls fn(Label) for each pair in name order.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    for (size_t i = 0; i < count_; ++i) fn((*this)[i]);
  }

  friend bool operator==(const Labels& a, const Labels& b) { return a.data_ == b.data_; }
  // Orders as Prometheus's labels.Compare: pair by pair, name then value,
  // then the shorter set first.
  friend int Compare(const Labels& a, const Labels& b);
  friend bool operator<(const Labels& a, const Labels& b) { return Compare(a, b) < 0; }

 private:
  // Layout of data_: for each pair, varint name length, name bytes, varint
  // value length, value bytes. offsets are recomputed on access; sets are small.
  std::string data_;
  uint32_t count_ = 0;
};

// Checks a label set the way Prometheus 3 does for ingestion: every name is
// non-empty valid UTF-8, names are unique, no name starts with "__" except
// the reserved ones Prometheus allows (any is allowed; only emptiness and
// duplicates are errors), values are valid UTF-8. The error names the
// offending label. `labels` must be sorted by name.
absl::Status ValidateLabels(const Labels& labels);
// True for names matching the legacy [a-zA-Z_][a-zA-Z0-9_]* rule.
bool IsLegacyLabelName(std::string_view name);
// True for metric names matching [a-zA-Z_:][a-zA-Z0-9_:]*.
bool IsLegacyMetricName(std::string_view name);

}  // namespace strata

#endif  // STRATA_TSDB_LABELS_LABELS_H_
