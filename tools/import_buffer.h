// The samples of one import window, grouped by series, and a Querier over
// them for compaction::WriteBlock (tools/import.h).
//
// Add() takes samples in any order; Finish() sorts series by labels and each
// series' samples by time, drops exact repeats and fails on a timestamp with
// two different values. Memory: the series' labels plus 16 bytes per sample;
// Add allocates only when a vector grows or a series is new.
//
// Thread safety: one thread. Lifetime: queriers must not outlive the buffer
// or its next Clear().
#ifndef STRATA_TOOLS_IMPORT_BUFFER_H_
#define STRATA_TOOLS_IMPORT_BUFFER_H_

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "tsdb/labels/labels.h"
#include "tsdb/storage.h"

namespace strata::tools {

class ImportBuffer {
 public:
  struct Series {
    Labels labels;
    std::vector<int64_t> ts;
    std::vector<double> vs;
    uint32_t next = UINT32_MAX;  // next series with the same label hash
    bool sorted = true;
  };

  // REQUIRES: `labels` sorted by name, not empty.
  void Add(std::span<const Label> labels, int64_t t, double v);
  // Sorts and de-duplicates (see the file comment). InvalidArgument names
  // the series and timestamp of a conflicting duplicate.
  absl::Status Finish();
  void Clear();

  size_t num_series() const { return series_.size(); }
  bool empty() const { return series_.empty(); }
  // Every series; REQUIRES: Finish() returned ok.
  std::unique_ptr<Querier> NewQuerier() const;

 private:
  absl::flat_hash_map<uint64_t, uint32_t> by_hash_;
  std::vector<Series> series_;
};

}  // namespace strata::tools

#endif  // STRATA_TOOLS_IMPORT_BUFFER_H_
