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
#include <initializer_list>
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
  class Builder;

  Labels() = default;  // the empty set

  // REQUIRES: `labels` sorted by name, names unique.
  static Labels FromSorted(std::span<const Label> labels);
  // Sorts `labels` by name (then value, so the result does not depend on the
  // input order). Duplicate names are kept (ValidateLabels rejects them).
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
  // Hash() of FromSorted(labels), without building the set.
  // REQUIRES: `labels` sorted by name.
  static uint64_t HashSorted(std::span<const Label> labels);

  // This set without the pairs whose value is empty (Prometheus treats an
  // empty value as an absent label). Returns a copy of *this when none is.
  Labels WithoutEmpty() const;

  // Prometheus's text form: {__name__="up", job="x"} is rendered as
  // up{job="x"}; values are escaped as Go's %q does.
  std::string ToString() const;

  // Calls fn(Label) for each pair in name order. Linear in the set's size
  // (operator[] is linear in i, so prefer this for full scans).
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    Cursor c = Begin();
    for (size_t i = 0; i < count_; ++i) fn(c.Next());
  }

  friend bool operator==(const Labels& a, const Labels& b) {
    return a.count_ == b.count_ && a.data_ == b.data_;
  }
  // Orders as Prometheus's labels.Compare: pair by pair, name then value,
  // then the shorter set first. Returns -1, 0 or 1.
  // REQUIRES: no name or value holds the byte 0xff (true of valid UTF-8,
  // which ValidateLabels enforces on everything stored).
  friend int Compare(const Labels& a, const Labels& b);
  friend bool operator<(const Labels& a, const Labels& b) { return Compare(a, b) < 0; }

 private:
  // Layout of data_: first the lengths, a varint name length and a varint
  // value length per pair; then, from offset body_, "name\xffvalue\xff" per
  // pair: exactly the bytes Hash() digests, so hashing copies nothing.
  // Offsets are recomputed on access; sets are small.
  std::string data_;
  uint32_t count_ = 0;
  uint32_t body_ = 0;  // sits in what would be padding: sizeof(Labels) stays 40

  // Walks the pairs in order: one cursor in the lengths, one in the body.
  struct Cursor {
    const char* len;
    const char* body;
    Label Next() {
      uint32_t n = ReadLength(), v = ReadLength();
      Label l{std::string_view(body, n), std::string_view(body + n + 1, v)};
      body += size_t{n} + v + 2;
      return l;
    }
    // Lengths are at most 5 varint bytes (< 4 GiB).
    uint32_t ReadLength() {
      uint32_t x = 0;
      int shift = 0;
      uint8_t b;
      do {
        b = static_cast<uint8_t>(*len++);
        x |= uint32_t{b & 0x7fu} << shift;
        shift += 7;
      } while (b & 0x80);
      return x;
    }
  };
  Cursor Begin() const { return {data_.data(), data_.data() + body_}; }
};

// Collects pairs in any order and builds a set from them, reusing its scratch
// vector across sets, so a decoder that builds one set per series allocates
// only the resulting Labels. The views passed to Add must stay valid until
// Build (or the last use of labels()).
//
// Thread safety: none; one builder per thread.
class Labels::Builder {
 public:
  Builder() = default;
  // Forgets the pairs added so far; keeps the capacity.
  void Reset() { labels_.clear(); }
  void Add(std::string_view name, std::string_view value) { labels_.push_back({name, value}); }
  // Sorts the pairs added so far as FromUnsorted does (duplicates kept).
  void Sort();
  // The pairs in their current order (sorted after Sort or Build).
  std::span<const Label> labels() const { return labels_; }
  size_t size() const { return labels_.size(); }
  // Sorts, then returns the set; equal to FromUnsorted of the same pairs.
  // The builder keeps its pairs until Reset.
  Labels Build();

 private:
  std::vector<Label> labels_;
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
// True when `s` is valid UTF-8 as Go's utf8.ValidString defines it (no
// surrogates, no overlong forms, nothing above U+10FFFF).
bool IsValidUtf8(std::string_view s);
// `s` with every byte that is not part of a valid UTF-8 sequence replaced by
// U+FFFD, one replacement per byte: the runes Go's decoder (and so Go's
// regexp) sees in invalid input.
std::string ReplaceInvalidUtf8(std::string_view s);
// Appends `s` double-quoted and escaped as Go's strconv.Quote does: \a \b \f
// \n \r \t \v \\ \", other control bytes and invalid UTF-8 bytes as \xhh,
// non-printable runes as \uhhhh / \Uhhhhhhhh, printable UTF-8 unchanged.
// (Unassigned code points, which Go also escapes, are kept unchanged.)
void AppendGoQuoted(std::string* out, std::string_view s);
std::string GoQuote(std::string_view s);

}  // namespace strata

#endif  // STRATA_TSDB_LABELS_LABELS_H_
