// Helpers shared by the remote-write decoders (remote_write_v1.cc,
// remote_write_v2.cc).
#include "api/remote_write_decode.h"

#include <algorithm>

#include "fmt/format.h"

namespace strata::api::rw_internal {
namespace {

// Arrays beyond these sizes are released after a request, so one unusually
// large request does not pin its memory in a pooled scratch.
constexpr size_t kKeepLabels = 64 << 10;
constexpr size_t kKeepSamples = 64 << 10;
constexpr size_t kKeepSeries = 16 << 10;

// Byte-wise three-way comparison. Label names are short and usually differ
// in their first bytes, where this loop beats a call to memcmp.
int CompareBytes(std::string_view a, std::string_view b) {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return static_cast<uint8_t>(a[i]) < static_cast<uint8_t>(b[i]) ? -1 : 1;
  }
  return a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
}

bool LabelLess(const Label& a, const Label& b) {
  int c = CompareBytes(a.name, b.name);
  return c != 0 ? c < 0 : CompareBytes(a.value, b.value) < 0;
}

template <typename T>
void ShrinkVector(std::vector<T>* v, size_t keep) {
  if (v->capacity() > keep) std::vector<T>().swap(*v);
}

}  // namespace

void DecodedRequest::Clear() {
  labels.clear();
  samples.clear();
  series.clear();
  metadata.clear();
  symbols.clear();
  refs.clear();
  exemplar_refs.clear();
  symbol_hashes.clear();
}

void DecodedRequest::ShrinkIfLarge() {
  ShrinkVector(&labels, kKeepLabels);
  ShrinkVector(&samples, kKeepSamples);
  ShrinkVector(&series, kKeepSeries);
  ShrinkVector(&metadata, kKeepSeries);
  ShrinkVector(&symbols, kKeepLabels);
  ShrinkVector(&refs, kKeepLabels);
  ShrinkVector(&symbol_hashes, kKeepLabels);
}

uint32_t NormalizeTail(std::vector<Label>* labels, uint32_t begin) {
  Label* first = labels->data() + begin;
  Label* last = labels->data() + labels->size();
  last = std::remove_if(first, last, [](const Label& l) { return l.value.empty(); });
  labels->resize(last - labels->data());
  if (!std::is_sorted(first, last, LabelLess)) {
    // Senders must sort (the specs say so); this is the rare path. Insertion
    // sort suits the usual ~10 pairs; std::sort takes over beyond that.
    if (last - first <= 16) {
      for (Label* i = first + 1; i < last; ++i) {
        Label l = *i;
        Label* j = i;
        for (; j > first && LabelLess(l, *(j - 1)); --j) *j = *(j - 1);
        *j = l;
      }
    } else {
      std::sort(first, last, LabelLess);
    }
  }
  return static_cast<uint32_t>(labels->size());
}

absl::Status Malformed(std::string_view what) {
  return absl::InvalidArgumentError(fmt::format("malformed request: {}", what));
}

bool SkipUnexpected(WireReader& r, uint32_t tag, uint32_t known, std::string* err) {
  uint32_t field = FieldOf(tag);
  if (field == 0) {
    *err = "invalid field number 0";
    return false;
  }
  if (field < 32 && (known >> field & 1) != 0) {
    *err = fmt::format("field {} has unexpected wire type {}", field, tag & 7);
    return false;
  }
  if (!r.SkipField(tag)) {
    *err = fmt::format("field {} is malformed or truncated", field);
    return false;
  }
  return true;
}

bool SkipMessage(WireReader& r, std::string* err) {
  WireReader::Frame frame;
  if (!r.Enter(&frame) || !r.SkipRest()) {
    *err = "malformed or truncated";
    return false;
  }
  r.Leave(frame);
  return true;
}

}  // namespace strata::api::rw_internal
