#include "promql/label_util.h"

#include <algorithm>
#include <vector>

#define XXH_STATIC_LINKING_ONLY  // XXH3_state_t on the stack
#include "xxhash.h"

namespace strata::promql {
namespace {

bool Listed(std::span<const std::string> names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Builds the subset of `l` for which keep(label) holds.
template <typename Keep>
Labels Filter(const Labels& l, Keep keep) {
  std::vector<Label> kept;
  kept.reserve(l.size());
  l.ForEach([&](Label p) {
    if (keep(p)) kept.push_back(p);
  });
  if (kept.size() == l.size()) return l;
  return Labels::FromSorted(kept);
}

// Hashes "name\xffvalue\xff" for every pair for which keep(label) holds, as
// Labels::Hash does for a whole set.
template <typename Keep>
uint64_t HashFiltered(const Labels& l, Keep keep) {
  XXH3_state_t state;
  XXH3_64bits_reset(&state);
  static constexpr char kSep = '\xff';
  l.ForEach([&](Label p) {
    if (!keep(p)) return;
    XXH3_64bits_update(&state, p.name.data(), p.name.size());
    XXH3_64bits_update(&state, &kSep, 1);
    XXH3_64bits_update(&state, p.value.data(), p.value.size());
    XXH3_64bits_update(&state, &kSep, 1);
  });
  return XXH3_64bits_digest(&state);
}

}  // namespace

Labels WithoutMetricName(const Labels& l) {
  return Filter(l, [](Label p) {
    return p.name != kMetricNameLabel && p.name != "__type__" && p.name != "__unit__";
  });
}

Labels KeepOnly(const Labels& l, std::span<const std::string> names) {
  return Filter(l, [&](Label p) { return Listed(names, p.name); });
}

Labels DropWithName(const Labels& l, std::span<const std::string> names) {
  return Filter(l, [&](Label p) { return p.name != kMetricNameLabel && !Listed(names, p.name); });
}

uint64_t HashKeepOnly(const Labels& l, std::span<const std::string> names) {
  return HashFiltered(l, [&](Label p) { return Listed(names, p.name); });
}

uint64_t HashDropWithName(const Labels& l, std::span<const std::string> names) {
  return HashFiltered(
      l, [&](Label p) { return p.name != kMetricNameLabel && !Listed(names, p.name); });
}

Labels WithLabel(const Labels& l, std::string_view name, std::string_view value) {
  std::vector<Label> pairs;
  pairs.reserve(l.size() + 1);
  bool placed = value.empty();
  l.ForEach([&](Label p) {
    if (p.name == name) return;
    if (!placed && name < p.name) {
      pairs.push_back({name, value});
      placed = true;
    }
    pairs.push_back(p);
  });
  if (!placed) pairs.push_back({name, value});
  return Labels::FromSorted(pairs);
}

std::string GoLabelsString(const Labels& l) {
  std::string out = "{";
  bool first = true;
  l.ForEach([&](Label p) {
    if (!first) out += ", ";
    first = false;
    if (IsLegacyLabelName(p.name)) {
      out.append(p.name);
    } else {
      AppendGoQuoted(&out, p.name);
    }
    out += '=';
    AppendGoQuoted(&out, p.value);
  });
  out += '}';
  return out;
}

}  // namespace strata::promql
