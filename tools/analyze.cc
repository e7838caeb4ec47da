// tools/analyze.h: promtool's cardinality report over one block.
#include "tools/analyze.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "promql/parser.h"
#include "tools/list_blocks.h"

namespace strata::tools {
namespace {

using Counts = absl::flat_hash_map<std::string, uint64_t>;

bool MatchesAll(const Labels& labels, const std::vector<Matcher>& matchers) {
  for (const Matcher& m : matchers) {
    if (!m.Matches(labels.Get(m.name()))) return false;
  }
  return true;
}

// Prints the `limit` largest entries, largest first, ties by key.
void PrintTop(std::string_view title, const Counts& counts, uint64_t limit, std::ostream& out) {
  std::vector<std::pair<uint64_t, std::string_view>> v;
  v.reserve(counts.size());
  for (const auto& [key, n] : counts) v.emplace_back(n, key);
  std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  out << "\n" << title << ":\n";
  for (size_t i = 0; i < v.size() && i < limit; ++i)
    out << v[i].first << " " << v[i].second << "\n";
}

// Churn sums divided by the block's range, as promtool's uint64(float/float).
Counts PerRange(const Counts& uncovered, int64_t range) {
  Counts out;
  for (const auto& [key, n] : uncovered) {
    out[key] = range > 0 ? static_cast<uint64_t>(static_cast<double>(n) / range) : 0;
  }
  return out;
}

}  // namespace

absl::Status AnalyzeBlock(const block::Block& b, const std::vector<Matcher>& matchers,
                          const std::string& match_text, uint64_t limit, std::ostream& out) {
  const block::BlockMeta& meta = b.meta();
  const int64_t range = meta.max_time - meta.min_time;
  Counts name_uncovered, pair_uncovered, pair_count, metric_series;
  // Distinct values per label name among the selected series.
  absl::flat_hash_map<std::string, absl::btree_set<std::string>> values;
  uint64_t entries = 0, selected = 0;
  std::string key;
  auto it = b.Series();
  while (it->Next()) {
    const Labels& labels = it->labels();
    if (!MatchesAll(labels, matchers)) continue;
    ++selected;
    auto chunks = it->chunks();
    uint64_t uncovered = static_cast<uint64_t>(range);
    if (!chunks.empty()) {
      uncovered -= static_cast<uint64_t>(chunks.back().max_time - chunks.front().min_time);
    }
    labels.ForEach([&](const Label& l) {
      key.assign(l.name.data(), l.name.size());
      name_uncovered[key] += uncovered;
      values[key].emplace(l.value);
      key.append("=").append(l.value);
      pair_uncovered[key] += uncovered;
      ++pair_count[key];
      ++entries;
    });
    std::string_view name = labels.Get(kMetricNameLabel);
    if (!name.empty()) ++metric_series[std::string(name)];
  }
  if (!it->status().ok()) return it->status();

  out << "Block ID: " << meta.ulid << "\n";
  out << "Duration: " << FormatGoDurationMs(range) << "\n";
  out << "Total Series: " << meta.num_series << "\n";
  if (!match_text.empty()) out << "Matcher: " << match_text << "\n";
  out << "Label names: " << values.size() << "\n";
  if (!match_text.empty()) out << "Matched series: " << selected << "\n";
  out << "Postings (unique label pairs): " << pair_count.size() << "\n";
  out << "Postings entries (total label pairs): " << entries << "\n";

  PrintTop("Label pairs most involved in churning", PerRange(pair_uncovered, range), limit, out);
  PrintTop("Label names most involved in churning", PerRange(name_uncovered, range), limit, out);
  PrintTop("Most common label pairs", pair_count, limit, out);
  Counts value_length, cardinality;
  for (const auto& [name, set] : values) {
    uint64_t length = 0;
    for (const std::string& v : set) length += v.size();
    value_length[name] = length;
    cardinality[name] = set.size();
  }
  PrintTop("Label names with highest cumulative label value length", value_length, limit, out);
  PrintTop("Highest cardinality labels", cardinality, limit, out);
  PrintTop("Highest cardinality metric names", metric_series, limit, out);
  return absl::OkStatus();
}

absl::Status RunAnalyze(FileSystem* fs, const std::string& data_dir, const AnalyzeOptions& options,
                        std::ostream& out) {
  std::vector<Matcher> matchers;
  if (!options.match.empty()) {
    absl::StatusOr<std::vector<Matcher>> m = promql::ParseMetricSelector(options.match);
    if (!m.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--match \"", options.match, "\": ", m.status().message()));
    }
    matchers = std::move(*m);
  }
  absl::StatusOr<std::vector<OpenedBlock>> opened = OpenBlocksReadOnly(fs, data_dir);
  if (!opened.ok()) return opened.status();
  const OpenedBlock* chosen = nullptr;
  for (const OpenedBlock& o : *opened) {
    if (options.block_id.empty() ? o.block == nullptr : o.name != options.block_id) continue;
    // Without --block: the sound block with the greatest min time (the list
    // is sorted by it); with --block: that one, sound or not.
    chosen = &o;
    if (!options.block_id.empty()) break;
  }
  if (chosen == nullptr) {
    return options.block_id.empty() ? absl::NotFoundError(absl::StrCat("no blocks in ", data_dir))
                                    : absl::NotFoundError(absl::StrCat("block ", options.block_id,
                                                                       " not found in ", data_dir));
  }
  if (chosen->block == nullptr) return chosen->error;
  return AnalyzeBlock(*chosen->block, matchers, options.match, options.limit, out);
}

}  // namespace strata::tools
