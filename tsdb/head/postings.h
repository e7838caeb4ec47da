// Postings: sorted lists of series refs, and the head's in-memory inverted
// index from (label name, label value) to the series that carry the pair.
#ifndef STRATA_TSDB_HEAD_POSTINGS_H_
#define STRATA_TSDB_HEAD_POSTINGS_H_

#include <cstdint>
#include <span>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "tsdb/base/mutex.h"
#include "tsdb/storage.h"

namespace strata {

using PostingsList = std::vector<SeriesRef>;

// Set operations on sorted, duplicate-free ref lists. Outputs are sorted and
// duplicate-free; `out` is cleared first.
//
// Intersect gallops through the longer list, so intersecting a short list
// with a long one costs O(short · log long).
void IntersectPostings(std::span<const SeriesRef> a, std::span<const SeriesRef> b,
                       PostingsList* out);
// The union of all `lists`.
void MergePostings(std::span<const std::span<const SeriesRef>> lists, PostingsList* out);
// Elements of `a` not in `b`.
void SubtractPostings(std::span<const SeriesRef> a, std::span<const SeriesRef> b,
                      PostingsList* out);

// The head's inverted index. Label names and values are symbol ids of the
// head's SymbolTable. Refs are added in (almost) increasing order, so lists
// stay sorted with an insertion from the back.
//
// Thread safety: all methods are safe for concurrent use (a reader-writer
// lock; writers are series creations and Head::Truncate's deletions).
class MemPostings {
 public:
  // Adds `ref` under every (name, value) pair and to the all-series list.
  // `pairs` holds name0, value0, name1, value1, … symbol ids.
  void Add(SeriesRef ref, std::span<const uint32_t> pairs);

  // Removes `refs` (sorted, duplicate-free) from the index. `pairs` holds the
  // (name, value) symbol ids the removed series carried (name0, value0, …;
  // repeats allowed): only those lists are rewritten, each under its own
  // short write lock, so readers are not stalled for the whole deletion. A
  // list left empty is dropped together with its value.
  void Delete(std::span<const SeriesRef> refs, std::span<const uint32_t> pairs);

  // Copies the list for (name, value) into `out` (empty if none).
  void Get(uint32_t name, uint32_t value, PostingsList* out) const;
  // Copies every series ref into `out`.
  void All(PostingsList* out) const;
  // Value symbol ids of label `name` (unsorted), empty if no series has it.
  std::vector<uint32_t> Values(uint32_t name) const;
  // Label name symbol ids (unsorted).
  std::vector<uint32_t> Names() const;
  // Approximate heap bytes held by the index.
  size_t MemoryBytes() const;

 private:
  static uint64_t Key(uint32_t name, uint32_t value) { return uint64_t{name} << 32 | value; }
  static void InsertSorted(PostingsList* list, SeriesRef ref);

  mutable SharedMutex mu_;
  absl::flat_hash_map<uint64_t, PostingsList> lists_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<uint32_t, std::vector<uint32_t>> values_ ABSL_GUARDED_BY(mu_);
  PostingsList all_ ABSL_GUARDED_BY(mu_);
};

}  // namespace strata

#endif  // STRATA_TSDB_HEAD_POSTINGS_H_
