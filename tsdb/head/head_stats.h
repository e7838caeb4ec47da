// Cardinality statistics of the head, in the shape of Prometheus's
// /api/v1/status/tsdb (and promtool's "tsdb analyze"): which metric names,
// label names and label pairs account for the most series and bytes.
//
// Computed from the postings index and the symbol table on each call, so the
// cost is linear in the number of (label name, label value) pairs plus the
// total length of their postings lists; it does not touch series or chunks.
//
// Thread safety: safe to call concurrently with appends and queries (the
// index is read under its own lock, list by list, so concurrent series
// creation may or may not be reflected).
#ifndef STRATA_TSDB_HEAD_HEAD_STATS_H_
#define STRATA_TSDB_HEAD_HEAD_STATS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "tsdb/head/head.h"

namespace strata {

struct CardinalityStat {
  std::string name;
  uint64_t value = 0;
  friend bool operator==(const CardinalityStat&, const CardinalityStat&) = default;
};

struct HeadCardinality {
  uint64_t num_series = 0;
  // Distinct (label name, label value) pairs.
  uint64_t num_label_pairs = 0;
  // Each list holds at most `limit` entries, largest value first; equal
  // values are ordered by name so the output is deterministic.
  // Series per value of __name__.
  std::vector<CardinalityStat> series_count_by_metric_name;
  // Distinct values per label name.
  std::vector<CardinalityStat> label_value_count_by_label_name;
  // Sum over the label's values of (len(name) + len(value)) × series
  // carrying the pair: the bytes the label would take if every series
  // stored its own copy (Prometheus's labels.SizeOfLabels measure).
  std::vector<CardinalityStat> memory_in_bytes_by_label_name;
  // Series per "name=value" pair.
  std::vector<CardinalityStat> series_count_by_label_value_pair;
};

// REQUIRES: limit > 0.
HeadCardinality ComputeHeadCardinality(const Head& head, size_t limit);

}  // namespace strata

#endif  // STRATA_TSDB_HEAD_HEAD_STATS_H_
