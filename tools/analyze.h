// `tsdb-tool analyze`: the cardinality report of one block, in the shape of
// `promtool tsdb analyze`:
//
//   Block ID: <ulid>
//   Duration: 2h0m0s
//   Total Series: <meta's series>
//   Matcher: <selector>                  (with --match)
//   Label names: <n>
//   Matched series: <n>                  (with --match)
//   Postings (unique label pairs): <n>
//   Postings entries (total label pairs): <n>
//
//   Label pairs most involved in churning:
//   <n> <name>=<value>
//   ...
// then "Label names most involved in churning", "Most common label pairs",
// "Label names with highest cumulative label value length", "Highest
// cardinality labels" and "Highest cardinality metric names", each a blank
// line, its title and at most `limit` lines "<count> <key>" by decreasing
// count. Churn of a pair (or name) is the sum, over the series carrying it,
// of the part of the block's range the series does not cover, divided by the
// range (promtool's measure: how many series' worth of time it is missing).
// Unlike promtool, ties are ordered by key so the output is deterministic.
//
// With matchers, only the series they select count everywhere (label names
// and values included); "Total Series" stays the block's.
//
// Read-only: the block is opened directly, no lock is taken.
// Thread safety: stateless functions.
#ifndef STRATA_TOOLS_ANALYZE_H_
#define STRATA_TOOLS_ANALYZE_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "tsdb/base/fs.h"
#include "tsdb/block/block.h"
#include "tsdb/labels/matcher.h"

namespace strata::tools {

struct AnalyzeOptions {
  std::string block_id;  // empty: the block with the greatest min time
  uint64_t limit = 20;
  std::string match;  // a series selector; empty: every series
};

// Writes the report of `b`. `matchers` (ANDed) select the series; empty
// selects all. `match_text` is printed on the "Matcher:" line when non-empty.
absl::Status AnalyzeBlock(const block::Block& b, const std::vector<Matcher>& matchers,
                          const std::string& match_text, uint64_t limit, std::ostream& out);

// The whole subcommand over `data_dir`: parses options.match, picks the
// block, writes the report. Errors: bad selector (InvalidArgument), no such
// block (NotFound), unreadable block.
absl::Status RunAnalyze(FileSystem* fs, const std::string& data_dir, const AnalyzeOptions& options,
                        std::ostream& out);

}  // namespace strata::tools

#endif  // STRATA_TOOLS_ANALYZE_H_
