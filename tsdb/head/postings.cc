#include "tsdb/head/postings.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"

namespace strata {
namespace {

// First index i >= lo with list[i] >= target, by exponential then binary
// search. Cheap when the target is near `lo`, which is the common case when
// walking two lists in step.
size_t Gallop(std::span<const SeriesRef> list, size_t lo, SeriesRef target) {
  size_t step = 1;
  size_t hi = lo;
  while (hi < list.size() && list[hi] < target) {
    lo = hi + 1;
    hi += step;
    step <<= 1;
  }
  hi = std::min(hi, list.size());
  return static_cast<size_t>(std::lower_bound(list.begin() + lo, list.begin() + hi, target) -
                             list.begin());
}

}  // namespace

void IntersectPostings(std::span<const SeriesRef> a, std::span<const SeriesRef> b,
                       PostingsList* out) {
  out->clear();
  if (a.size() > b.size()) std::swap(a, b);
  size_t j = 0;
  for (SeriesRef ref : a) {
    j = Gallop(b, j, ref);
    if (j == b.size()) break;
    if (b[j] == ref) out->push_back(ref);
  }
}

void MergePostings(std::span<const std::span<const SeriesRef>> lists, PostingsList* out) {
  out->clear();
  size_t total = 0;
  for (auto l : lists) total += l.size();
  out->reserve(total);
  for (auto l : lists) out->insert(out->end(), l.begin(), l.end());
  std::sort(out->begin(), out->end());
  out->erase(std::unique(out->begin(), out->end()), out->end());
}

void SubtractPostings(std::span<const SeriesRef> a, std::span<const SeriesRef> b,
                      PostingsList* out) {
  out->clear();
  size_t j = 0;
  for (SeriesRef ref : a) {
    j = Gallop(b, j, ref);
    if (j == b.size() || b[j] != ref) out->push_back(ref);
  }
}

void MemPostings::InsertSorted(PostingsList* list, SeriesRef ref) {
  // Refs arrive nearly in order (creations race only briefly), so walk back
  // from the end.
  auto it = list->end();
  while (it != list->begin() && *(it - 1) > ref) --it;
  list->insert(it, ref);
}

void MemPostings::Add(SeriesRef ref, std::span<const uint32_t> pairs) {
  WriterLock lock(&mu_);
  for (size_t i = 0; i + 1 < pairs.size(); i += 2) {
    PostingsList& list = lists_[Key(pairs[i], pairs[i + 1])];
    if (list.empty()) values_[pairs[i]].push_back(pairs[i + 1]);
    InsertSorted(&list, ref);
  }
  InsertSorted(&all_, ref);
}

void MemPostings::Delete(std::span<const SeriesRef> refs, std::span<const uint32_t> pairs) {
  if (refs.empty()) return;
  absl::flat_hash_set<uint64_t> keys;
  keys.reserve(pairs.size() / 2);
  for (size_t i = 0; i + 1 < pairs.size(); i += 2) keys.insert(Key(pairs[i], pairs[i + 1]));
  PostingsList tmp;
  for (uint64_t key : keys) {
    WriterLock lock(&mu_);
    auto it = lists_.find(key);
    if (it == lists_.end()) continue;
    SubtractPostings(it->second, refs, &tmp);
    if (!tmp.empty()) {
      it->second.swap(tmp);
      it->second.shrink_to_fit();
      continue;
    }
    lists_.erase(it);
    const uint32_t name = static_cast<uint32_t>(key >> 32);
    const uint32_t value = static_cast<uint32_t>(key);
    auto vit = values_.find(name);
    if (vit == values_.end()) continue;
    std::vector<uint32_t>& values = vit->second;
    values.erase(std::remove(values.begin(), values.end(), value), values.end());
    if (values.empty()) values_.erase(vit);
  }
  WriterLock lock(&mu_);
  SubtractPostings(all_, refs, &tmp);
  all_.swap(tmp);
}

void MemPostings::Get(uint32_t name, uint32_t value, PostingsList* out) const {
  ReaderLock lock(&mu_);
  auto it = lists_.find(Key(name, value));
  if (it == lists_.end()) {
    out->clear();
    return;
  }
  out->assign(it->second.begin(), it->second.end());
}

void MemPostings::All(PostingsList* out) const {
  ReaderLock lock(&mu_);
  out->assign(all_.begin(), all_.end());
}

std::vector<uint32_t> MemPostings::Values(uint32_t name) const {
  ReaderLock lock(&mu_);
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<uint32_t>{} : it->second;
}

std::vector<uint32_t> MemPostings::Names() const {
  ReaderLock lock(&mu_);
  std::vector<uint32_t> names;
  names.reserve(values_.size());
  for (const auto& [name, values] : values_) names.push_back(name);
  return names;
}

size_t MemPostings::MemoryBytes() const {
  ReaderLock lock(&mu_);
  size_t bytes = all_.capacity() * sizeof(SeriesRef);
  bytes += lists_.capacity() * (sizeof(uint64_t) + sizeof(PostingsList) + 1);
  for (const auto& [key, list] : lists_) bytes += list.capacity() * sizeof(SeriesRef);
  bytes += values_.capacity() * (sizeof(uint32_t) + sizeof(std::vector<uint32_t>) + 1);
  for (const auto& [name, values] : values_) bytes += values.capacity() * sizeof(uint32_t);
  return bytes;
}

}  // namespace strata
